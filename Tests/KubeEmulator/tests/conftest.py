"""Fixtures: an in-process emulator per test (fast), with the BackupPolicy CRD installed."""

from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from helpers import Client, load_fixture  # noqa: E402
from kube_emulator.server import Emulator, Options  # noqa: E402


def start(tmp_path, **kw) -> Emulator:
    opts = Options(volume_root=str(tmp_path / "volumes"), **kw)
    return Emulator(opts).start()


@pytest.fixture
def emulator_factory(tmp_path):
    """Start emulators with custom options; all are stopped after the test."""
    started = []

    def make(**kw):
        emu = start(tmp_path, **kw)
        started.append(emu)
        return emu

    yield make
    for emu in started:
        emu.stop()


@pytest.fixture
def emu(emulator_factory):
    return emulator_factory()


@pytest.fixture
def client(emu) -> Client:
    return Client(emu.url)


@pytest.fixture
def crd_client(client) -> Client:
    """A client against an emulator that serves the BackupPolicy fixture CRD."""
    reply = client.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", load_fixture("backuppolicy-crd.yaml"))
    assert reply.status == 201, reply
    return client
