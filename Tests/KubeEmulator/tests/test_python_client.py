"""Independence: the official Python ``kubernetes`` client runs a small scenario against the emulator."""

from __future__ import annotations

import pytest

# The independent client is a pinned requirement (requirements.txt): missing, this test fails to import (no skip).
from kubernetes import client as k8s, watch  # noqa: E402
from kubernetes.client.rest import ApiException  # noqa: E402


@pytest.fixture
def core(emulator_factory):
    emu = emulator_factory(history=8, token="pytoken")
    cfg = k8s.Configuration()
    cfg.host = emu.url
    cfg.api_key = {"authorization": "Bearer pytoken"}
    api = k8s.ApiClient(cfg)
    yield k8s.CoreV1Api(api), emu
    api.close()


def test_list_watch_conflict_and_gone(core):
    v1, emu = core
    for i in range(3):
        v1.create_namespaced_config_map("default", k8s.V1ConfigMap(metadata=k8s.V1ObjectMeta(name=f"cm{i}"), data={"i": str(i)}))
    listing = v1.list_namespaced_config_map("default")
    assert [c.metadata.name for c in listing.items] == ["cm0", "cm1", "cm2"]
    rv = listing.metadata.resource_version
    v1.patch_namespaced_config_map("cm1", "default", {"data": {"i": "changed"}})
    w = watch.Watch()
    events = []
    for event in w.stream(v1.list_namespaced_config_map, "default", resource_version=rv, timeout_seconds=2):
        events.append((event["type"], event["object"].metadata.name, event["object"].data))
        if len(events) == 1:
            w.stop()
    assert events == [("MODIFIED", "cm1", {"i": "changed"})]
    stale = listing.items[0]
    v1.replace_namespaced_config_map("cm0", "default", k8s.V1ConfigMap(metadata=k8s.V1ObjectMeta(
        name="cm0", resource_version=v1.read_namespaced_config_map("cm0", "default").metadata.resource_version), data={"i": "new"}))
    with pytest.raises(ApiException) as conflict:
        v1.replace_namespaced_config_map("cm0", "default", stale)
    assert conflict.value.status == 409
    for i in range(10):  # push the first RV out of the 8-event history
        v1.patch_namespaced_config_map("cm2", "default", {"data": {"i": str(i)}})
    with pytest.raises(ApiException) as gone:
        for _ in watch.Watch().stream(v1.list_namespaced_config_map, "default", resource_version=rv, timeout_seconds=2):
            pass
    assert gone.value.status == 410


def test_after_the_expire_switch_a_fresh_list_and_a_watch_from_it_work(core):
    """What client-go's reflector relies on after "too old resource version": a list with resourceVersion unset
    succeeds, and a watch from that list's version is accepted and sees every later change."""
    from helpers import Client
    v1, emu = core
    v1.create_namespaced_config_map("default", k8s.V1ConfigMap(metadata=k8s.V1ObjectMeta(name="old"), data={"i": "0"}))
    old_rv = v1.list_namespaced_config_map("default").metadata.resource_version
    assert Client(emu.url).admin("faults", {"expire": True}).status == 200
    with pytest.raises(ApiException) as gone:
        for _ in watch.Watch().stream(v1.list_namespaced_config_map, "default", resource_version=old_rv, timeout_seconds=2):
            pass
    assert gone.value.status == 410 and "too old resource version" in str(gone.value)
    with pytest.raises(ApiException) as exact:
        v1.list_namespaced_config_map("default", resource_version=old_rv, resource_version_match="Exact")
    assert exact.value.status == 410
    # Not older than the old version (the default with a version) and "any" (0) answer current data, like the watch cache.
    assert [c.metadata.name for c in v1.list_namespaced_config_map("default", resource_version=old_rv).items] == ["old"]
    assert [c.metadata.name for c in v1.list_namespaced_config_map("default", resource_version="0").items] == ["old"]

    fresh = v1.list_namespaced_config_map("default")
    assert [c.metadata.name for c in fresh.items] == ["old"]
    assert v1.list_namespaced_config_map("default", resource_version=fresh.metadata.resource_version,
                                         resource_version_match="Exact").metadata.resource_version == fresh.metadata.resource_version
    v1.patch_namespaced_config_map("old", "default", {"data": {"i": "1"}})
    v1.create_namespaced_config_map("default", k8s.V1ConfigMap(metadata=k8s.V1ObjectMeta(name="new")))
    w = watch.Watch()
    events = []
    for event in w.stream(v1.list_namespaced_config_map, "default", resource_version=fresh.metadata.resource_version, timeout_seconds=3):
        events.append((event["type"], event["object"].metadata.name))
        if len(events) == 2:
            w.stop()
    assert events == [("MODIFIED", "old"), ("ADDED", "new")]
