"""Fixtures for the delivery checks: the repository's manifests, samples, Dockerfile and
workflows against independent tools (kubectl's kustomize, kubernetes-validate, check-jsonschema,
hadolint), the Kubernetes API emulator driven by the real kubectl, and the built binary."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
CRD = REPO / "crds" / "pybak.io_backuppolicies.yaml"
SAMPLES = sorted((REPO / "manifests" / "samples").glob("*.yaml"))
OVERLAYS = {
    "default": REPO / "manifests",
    "quickstart": REPO / "manifests" / "overlays" / "quickstart",
    "production": REPO / "manifests" / "overlays" / "production",
}
BINARY = Path(os.environ.get("PYBAK_BINARY", REPO / ".build" / "debug" / "pybak"))
EMULATOR = REPO / "Tests" / "KubeEmulator"

sys.path.insert(0, str(Path(__file__).resolve().parent))


def pytest_configure(config):
    config.addinivalue_line("markers", "needs_binary: runs the built pybak binary (swift build first)")


def tool(name: str) -> str:
    """The path of a command-line tool; a missing tool fails the test (it is never skipped)."""
    found = shutil.which(name)
    assert found, f"{name} is not installed: run bash .ci/check-delivery (it installs the pinned tools)"
    return found


def run(*args: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    """Runs a command, capturing text output; with `check`, a non-zero exit fails with its output."""
    proc = subprocess.run(list(args), capture_output=True, text=True, timeout=300, **kwargs)
    if check:
        assert proc.returncode == 0, f"{args} exited {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    return proc


def load_all(text: str) -> list[dict]:
    """Every document of a YAML stream."""
    return [doc for doc in yaml.safe_load_all(text) if doc]


@pytest.fixture(scope="session")
def crd() -> dict:
    return yaml.safe_load(CRD.read_text())


@pytest.fixture(scope="session")
def rendered() -> dict[str, str]:
    """Each overlay rendered by `kubectl kustomize`."""
    kubectl = tool("kubectl")
    return {name: run(kubectl, "kustomize", str(path)).stdout for name, path in OVERLAYS.items()}


@pytest.fixture(scope="session")
def pybak() -> str:
    assert BINARY.exists(), f"build first: {BINARY} is missing (swift build)"
    return str(BINARY)


@contextlib.contextmanager
def emulator(tmp: Path):
    """Starts the Kubernetes API emulator through its CLI (as a user would) and yields a function
    that runs the real kubectl against it; stops the emulator afterwards."""
    kubeconfig = tmp / "kubeconfig"
    proc = subprocess.Popen([sys.executable, "-m", "kube_emulator", "--host", "127.0.0.1", "--port", "0",
                             "--kubeconfig", str(kubeconfig), "--volume-root", str(tmp / "volumes")],
                            cwd=EMULATOR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), proc.stderr.read() if proc.poll() is not None else url
        kubectl = tool("kubectl")

        def k(*args: str, check: bool = True, stdin: str | None = None) -> subprocess.CompletedProcess:
            return run(kubectl, "--kubeconfig", str(kubeconfig), "--cache-dir", str(tmp / "cache"), *args,
                       check=check, input=stdin)

        yield k
    finally:
        proc.terminate()
        proc.wait(timeout=10)
