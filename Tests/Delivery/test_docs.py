"""The commands of docs/install.md and docs/operations.md, run as written (bash, in page order, per scenario)
with the real kubectl against the Kubernetes API emulator; the operations page's with the real `pybak
controller` running and the emulated kubelet running the real `pybak` for each Job. Which block runs where
is marked in the pages themselves (see doc_blocks.py), so the pages and this check cannot drift apart: a
shell block without a marker fails here. Also checked: the metric names and condition reasons the
operations page mentions are the ones the code serves."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import BINARY, EMULATOR, REPO, tool
from doc_blocks import SHELL, Block, blocks

INSTALL = REPO / "docs" / "install.md"
OPERATIONS = REPO / "docs" / "operations.md"
IMAGE = "ghcr.io/pybak/pybak"

# What each scenario needs besides its blocks: an emulator, the built binary, variables the page names
# (install.md says what DIGEST is), files the page says the reader has.
SCENARIOS = {
    "quickstart": {"page": INSTALL},
    "production": {"page": INSTALL},
    "secrets": {"page": INSTALL, "files": {"sa.json": '{"type": "service_account", "project_id": "example"}\n'}},
    "image": {"page": INSTALL, "env": {"DIGEST": "sha256:" + "0" * 64}},
    "operations": {"page": OPERATIONS, "binary": True},
}


def all_blocks() -> list[Block]:
    return blocks(INSTALL) + blocks(OPERATIONS)


def test_every_command_block_says_how_it_is_checked():
    for block in all_blocks():
        if block.lang in SHELL or block.lang == "":
            assert block.scenario or block.why_not, f"{block.where}: a command block needs <!-- tried: SCENARIO --> or <!-- not tried here: WHY -->"
        if block.scenario:
            assert block.scenario in SCENARIOS, f"{block.where}: unknown scenario {block.scenario!r}"
            assert SCENARIOS[block.scenario]["page"] == block.path, f"{block.where}: scenario {block.scenario} belongs to another page"
    tried = {block.scenario for block in all_blocks() if block.scenario}
    assert tried == set(SCENARIOS)


class Cluster:
    """The emulator through its CLI, a work folder with the repository's manifests, crds and .ci linked in,
    and a bash runner for the blocks with KUBECONFIG set and `pybak` on PATH."""

    def __init__(self, tmp: Path, flags: list[str]) -> None:
        self.tmp = tmp
        self.work = tmp / "work"
        self.work.mkdir()
        for name in ("manifests", "crds", ".ci"):
            (self.work / name).symlink_to(REPO / name)
        self.volumes = tmp / "volumes"
        self.kubeconfig = tmp / "kubeconfig"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kube_emulator", "--port", "0", "--kubeconfig", str(self.kubeconfig),
             "--volume-root", str(self.volumes), "--controller-interval", "0.1", *flags],
            cwd=EMULATOR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.url = self.process.stdout.readline().strip()
        assert self.url.startswith("http://127.0.0.1:"), self.process.stderr.read() if self.process.poll() is not None else self.url
        bin_dir = tmp / "bin"
        bin_dir.mkdir()
        if BINARY.exists():
            (bin_dir / "pybak").symlink_to(BINARY)
        self.env = {**{k: v for k, v in os.environ.items() if not k.startswith("PYBAK_")},
                    "KUBECONFIG": str(self.kubeconfig), "HOME": str(tmp / "home"), "PATH": f"{bin_dir}:{os.environ['PATH']}"}
        tool("kubectl")

    def run(self, block: Block, env: dict[str, str]) -> str:
        """Runs a block as one bash script (errexit, pipefail); a failing command fails the test with its output."""
        if block.saved_as:
            (self.work / block.saved_as).write_text(block.body)
            return ""
        proc = subprocess.run(["bash", "-euo", "pipefail", "-c", block.body], cwd=self.work, env={**self.env, **env},
                              capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, f"{block.where} failed (exit {proc.returncode}):\n{block.body}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
        return proc.stdout

    def kubectl(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["kubectl", *args], env=self.env, capture_output=True, text=True, timeout=60)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def scenario_blocks(name: str) -> list[Block]:
    found = [block for block in all_blocks() if block.scenario == name]
    assert found, f"no block is tried in scenario {name}"
    return found


def wait_for(check, what: str, timeout: float = 60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.parametrize("name", ["quickstart", "production", "secrets", "image"])
def test_install_page_commands_run_as_written(tmp_path, name):
    settings = SCENARIOS[name]
    cluster = Cluster(tmp_path, [])
    try:
        for filename, text in settings.get("files", {}).items():
            (cluster.work / filename).write_text(text)
        outputs = [cluster.run(block, settings.get("env", {})) for block in scenario_blocks(name)]
        if name == "quickstart":
            assert "finance" in outputs[1] and "minimal" in outputs[1]  # kubectl get backuppolicies -A
            assert "NotFound" in cluster.kubectl("get", "crd", "backuppolicies.pybak.io").stderr  # uninstalled
        if name == "production":
            assert "deployment.apps/pybak-controller" in outputs[1]
            secret = json.loads(cluster.kubectl("-n", "pybak-system", "get", "secret", "pybak-database", "-o", "json").stdout)
            assert secret["data"]["url"]
        if name == "secrets":
            names = cluster.kubectl("get", "secrets", "-o", "name").stdout.split()
            assert {"secret/pybak-key", "secret/aws", "secret/gcp-sa", "secret/smtp"} <= set(names)
        if name == "image":
            rendered = (cluster.work / "dist" / "pybak-production.yaml").read_text()
            assert f"{IMAGE}:v0.1.0@sha256:{'0' * 64}" in rendered
    finally:
        cluster.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.needs_binary
def test_operations_page_commands_run_as_written(tmp_path, pybak):
    cluster = Cluster(tmp_path, ["--image-map", f"{IMAGE}={pybak}"])
    port = free_port()
    log = open(tmp_path / "controller.log", "w")
    controller = None
    try:
        assert cluster.kubectl("apply", "-f", str(REPO / "crds" / "pybak.io_backuppolicies.yaml")).returncode == 0
        wait_for(lambda: cluster.kubectl("get", "backuppolicies").returncode == 0, "the CRD to be served")
        controller = subprocess.Popen([pybak, "controller", "--kubeconfig", str(cluster.kubeconfig), "--image", f"{IMAGE}:v0.1.0",
                                       "--listen", f"127.0.0.1:{port}"], stdout=log, stderr=log, env=cluster.env)
        # Files for the worker to take (older than the default 10 s settle window).
        inbox = cluster.volumes / "inbox" / "invoices" / "2026"
        inbox.mkdir(parents=True)
        for i in range(5):
            (inbox / f"f{i}.csv").write_text(f"row {i}\n" * 100)
            os.utime(inbox / f"f{i}.csv", (time.time() - 600, time.time() - 600))
        outputs = []
        for block in scenario_blocks("operations"):
            if "create job minimal-now" in block.body:
                wait_for(lambda: cluster.kubectl("-n", "finance", "get", "cronjob", "minimal").returncode == 0, "the CronJob")
            outputs.append(cluster.run(block, {}))
        restored = cluster.volumes / "restore" / "minimal" / "invoices" / "2026"
        assert sorted(p.name for p in restored.iterdir()) == [f"f{i}.csv" for i in range(5)]
        assert (restored / "f3.csv").read_text() == "row 3\n" * 100
        assert not any(inbox.iterdir())  # moved: the sources went once their copies were recorded
        status = json.loads(cluster.kubectl("-n", "finance", "get", "bkp", "minimal", "-o", "json").stdout)["status"]
        # The page's manual run succeeded; the policy's */2 schedule may have started a run of its own around it
        # (CI once met a 2-minute boundary here), so the last run is that one or the manual one, and succeeded.
        manual = json.loads(cluster.kubectl("-n", "finance", "get", "job", "minimal-now", "-o", "json").stdout)
        assert any(c["type"] == "Complete" and c["status"] == "True" for c in manual["status"].get("conditions", [])), manual["status"]
        assert re.fullmatch(r"minimal-(now|\d+)", status["lastRun"]["jobName"]) and status["lastRun"]["result"] == "Succeeded", status["lastRun"]
        conditions = outputs[1].splitlines()
        assert any(line.startswith("Ready=True Scheduled") for line in conditions), outputs[1]

        # The page's metric names are the ones served: the controller's live, the API's registered.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            served = set(re.findall(r"^(?:# TYPE )?(pybak_[a-z_]+)", response.read().decode(), re.MULTILINE))  # samples and families
        api = set(re.findall(r'name: "(pybak_[a-z_]+)"', (REPO / "Sources" / "APIServer" / "Support" / "APIMetrics.swift").read_text()))
        api |= {f"{name}_{suffix}" for name in api for suffix in ("bucket", "sum", "count")}
        mentioned = set(re.findall(r"\bpybak_[a-z_]+\b", OPERATIONS.read_text()))
        assert mentioned - served - api == set()
        assert {"pybak_controller_leader", "pybak_policy_ready", "pybak_policy_last_success_timestamp_seconds"} <= served
        assert served <= mentioned and api - {f"{n}_{s}" for n in api for s in ("bucket", "sum", "count")} <= mentioned
    finally:
        if controller is not None:
            controller.terminate()
            controller.wait(timeout=15)
        cluster.stop()


def test_operations_page_lists_every_condition_reason():
    code = (REPO / "Sources" / "Controller" / "PolicyConditions.swift").read_text()
    reasons = set(re.findall(r'static let \w+ = "(\w+)"', code)) - {"Ready", "Progressing", "Degraded"}
    section = OPERATIONS.read_text().split("### Conditions")[1].split("###")[0]
    table = "\n".join(line for line in section.splitlines() if line.startswith("| `"))
    documented = set(re.findall(r"`([A-Z][A-Za-z]+)`", table)) - {"Ready", "Progressing", "Degraded"}
    assert reasons and documented == reasons, (reasons - documented, documented - reasons)
