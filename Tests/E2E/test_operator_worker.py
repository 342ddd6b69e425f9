"""`pybak controller render` and `pybak worker`: the CronJob the controller makes, checked by
kubernetes-validate and run by the Kubernetes API emulator (real kubectl applies it; the emulated
kubelet runs the real worker binary on local folders)."""
import gzip
import json
import os
import signal
import ssl
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from conftest import REPO, run

EMULATOR = REPO / "Tests" / "KubeEmulator"

POLICY = """\
apiVersion: pybak.io/v1alpha1
kind: BackupPolicy
metadata: {name: invoices, namespace: default}
spec:
  source:
    volume: {persistentVolumeClaim: {claimName: inbox}}
    path: incoming/
    include: ["*.csv"]
    minAge: 0s
  destination:
    volume: {persistentVolumeClaim: {claimName: archive}}
    path: backups
  compression: {level: 9}
  workers: %d
"""


def render(pybak, tmp_path, workers=1, extra=()):
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY % workers)
    proc = run(pybak, "controller", "render", "-f", str(policy), "--image", "pybak:test", *extra, check=0)
    return proc.stdout


def test_render_prints_a_valid_cronjob(pybak, tmp_path):
    text = render(pybak, tmp_path, workers=3, extra=("--database-secret", "pybak-database"))
    cron = yaml.safe_load(text)
    assert cron["kind"] == "CronJob" and cron["apiVersion"] == "batch/v1"
    assert cron["spec"]["schedule"] == "*/2 * * * *"
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    job = cron["spec"]["jobTemplate"]["spec"]
    assert job["completionMode"] == "Indexed" and job["completions"] == 3 and job["parallelism"] == 3
    container = job["template"]["spec"]["containers"][0]
    assert container["args"][0] == "worker"
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
    env = {e["name"]: e for e in container["env"]}
    assert env["PYBAK_DATABASE_URL"]["valueFrom"]["secretKeyRef"] == {"name": "pybak-database", "key": "url"}
    assert json.loads(env["PYBAK_POLICY_JSON"]["value"])["spec"]["compression"]["level"] == 9
    out = tmp_path / "cron.yaml"
    out.write_text(text)
    check = subprocess.run(["kubernetes-validate", "-k", "1.30.0", "--strict", str(out)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_render_refuses_an_invalid_policy(pybak, tmp_path):
    policy = tmp_path / "bad.yaml"
    policy.write_text((POLICY % 1).replace("workers: 1", "workers: 0\n  schedule: 'every day'"))
    proc = run(pybak, "controller", "render", "-f", str(policy), check=2)
    assert "spec.workers" in proc.stderr and "spec.schedule" in proc.stderr and proc.stdout == ""


def write_files(folder: Path, count: int):
    folder.mkdir(parents=True, exist_ok=True)
    data = {}
    for i in range(count):
        path = folder / f"sub{i % 3}" / f"f{i}.csv"
        path.parent.mkdir(exist_ok=True)
        body = (f"row {i}," * (100 + i)).encode()
        path.write_bytes(body)
        data[str(path.relative_to(folder))] = body
    (folder / "skip.tmp").write_bytes(b"not included")
    return data


def stored(folder: Path):
    found = {}
    for path in folder.rglob("*.gz"):
        if ".pybak" in path.parts:
            continue
        rel = str(path.relative_to(folder))
        original = rel.rsplit("_", 1)[0]
        assert original not in found, f"{original} stored twice"
        found[original] = gzip.decompress(path.read_bytes())
    return found


def test_two_shards_store_every_file_once(pybak, tmp_path):
    src, dst = tmp_path / "src", tmp_path / "dst"
    data = write_files(src, 40)
    policy_json = json.dumps({"apiVersion": "pybak.io/v1alpha1", "kind": "BackupPolicy", "metadata": {"name": "p", "namespace": "n"},
                              "spec": {"source": {"include": ["*.csv"], "minAge": "0s"}}})
    counts = []
    for index in (0, 1):
        proc = run(pybak, "worker", "--source", str(src), "--dest", str(dst),
                   env={"PYBAK_POLICY_JSON": policy_json, "PYBAK_WORKERS": "2", "JOB_COMPLETION_INDEX": str(index)}, check=0)
        counts.append(int(proc.stdout.split("compressed ")[1].split(",")[0]))
    assert sum(counts) == 40 and all(0 < c < 40 for c in counts)
    assert stored(dst) == data
    assert sorted(p.name for p in src.rglob("*") if p.is_file()) == ["skip.tmp"]


def test_worker_rejects_a_bad_shard_index(pybak, tmp_path):
    (tmp_path / "src").mkdir()
    proc = run(pybak, "worker", "--source", str(tmp_path / "src"), "--dest", str(tmp_path / "dst"),
               env={"PYBAK_WORKERS": "2", "JOB_COMPLETION_INDEX": "2"}, check=2)
    assert "JOB_COMPLETION_INDEX" in proc.stderr


def start_emulator(pybak, tmp_path, *extra):
    """Starts the emulator (running `pybak:test` containers with the built binary); returns (process, url, kubeconfig, volumes)."""
    kubeconfig = tmp_path / "kubeconfig"
    volumes = tmp_path / "volumes"
    proc = subprocess.Popen(
        ["python3", "-m", "kube_emulator", "--host", "127.0.0.1", "--port", "0", "--kubeconfig", str(kubeconfig),
         "--image-map", f"pybak:test={pybak}", "--volume-root", str(volumes), "--controller-interval", "0.1", *extra],
        cwd=EMULATOR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = proc.stdout.readline().strip()
    assert url.startswith("http"), proc.stderr.read()
    return proc, url, kubeconfig, volumes


@pytest.fixture
def emulator(pybak, tmp_path):
    proc, url, kubeconfig, volumes = start_emulator(pybak, tmp_path)
    yield url, kubeconfig, volumes
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=10)


def admin(url, path, body):
    """POST to the emulator's admin endpoint (over TLS: its self-signed certificate is not checked; admin endpoints only)."""
    request = urllib.request.Request(f"{url}/_emulator/{path}", data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    context = ssl._create_unverified_context() if url.startswith("https") else None
    with urllib.request.urlopen(request, context=context) as response:
        return json.loads(response.read() or b"{}")


def kubectl(kubeconfig, *args):
    proc = subprocess.run(["kubectl", "--kubeconfig", str(kubeconfig), *args], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def wait_job(kubeconfig, name, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        job = json.loads(kubectl(kubeconfig, "get", "job", name, "-o", "json"))
        conditions = {c["type"] for c in job.get("status", {}).get("conditions", []) if c["status"] == "True"}
        if conditions & {"Complete", "Failed"}:
            return job, conditions
        time.sleep(0.2)
    raise AssertionError(f"job {name} did not finish")


@pytest.mark.parametrize("workers", [1, 2])
def test_rendered_cronjob_runs_the_worker_in_the_emulator(pybak, tmp_path, emulator, workers):
    url, kubeconfig, volumes = emulator
    data = write_files(volumes / "inbox" / "incoming", 30)
    (volumes / "archive").mkdir(parents=True, exist_ok=True)
    cron = tmp_path / "cron.yaml"
    cron.write_text(render(pybak, tmp_path, workers=workers))
    kubectl(kubeconfig, "apply", "-f", str(cron))
    admin(url, "cronjobs/default/invoices/run", {"jobName": "invoices-now"})
    job, conditions = wait_job(kubeconfig, "invoices-now")
    assert conditions == {"Complete"}, kubectl(kubeconfig, "logs", "job/invoices-now")
    assert job["status"]["succeeded"] == workers
    assert stored(volumes / "archive" / "backups") == data
    left = sorted(str(p.relative_to(volumes / "inbox")) for p in (volumes / "inbox").rglob("*") if p.is_file())
    assert left == ["incoming/skip.tmp"]


def test_a_failing_worker_fails_its_job(pybak, tmp_path, emulator):
    url, kubeconfig, volumes = emulator
    (volumes / "archive").mkdir(parents=True, exist_ok=True)
    # A policy the worker cannot use (exit 2): the Job fails.
    text = render(pybak, tmp_path)
    assert '\\"minAge\\":\\"0s\\"' in text or '"minAge":"0s"' in text
    cron = tmp_path / "cron.yaml"
    cron.write_text(text.replace('"minAge":"0s"', '"minAge":"soon"').replace('\\"minAge\\":\\"0s\\"', '\\"minAge\\":\\"soon\\"'))
    kubectl(kubeconfig, "apply", "-f", str(cron))
    admin(url, "cronjobs/default/invoices/run", {"jobName": "invoices-bad"})
    job, conditions = wait_job(kubeconfig, "invoices-bad")
    assert "Failed" in conditions
    assert "spec.source.minAge" in kubectl(kubeconfig, "logs", "job/invoices-bad")


def test_concurrent_shards_share_a_postgres_catalog(pybak, tmp_path):
    """Two Pods of one sharded run at the same time, one PostgreSQL catalog: every file stored and
    catalogued once, no shard refused by the other's lock, neither run marked abandoned."""
    from test_postgres import fresh_schema, psql
    base = os.environ.get("PYBAK_TEST_DATABASE_URL")
    if not base:
        pytest.fail("PYBAK_TEST_DATABASE_URL is not set: `export PYBAK_TEST_DATABASE_URL=$(bash .ci/postgres start)` (bash .ci/run does this)")
    url = fresh_schema(base)
    src, dst = tmp_path / "src", tmp_path / "dst"
    data = write_files(src, 60)
    policy_json = json.dumps({"apiVersion": "pybak.io/v1alpha1", "kind": "BackupPolicy", "metadata": {"name": "p", "namespace": "n"},
                              "spec": {"source": {"include": ["*.csv"], "minAge": "0s"}, "parallelism": 1}})
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYBAK_")}
    procs = [subprocess.Popen([pybak, "worker", "--source", str(src), "--dest", str(dst)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True,
                              env={**env, "PYBAK_POLICY_JSON": policy_json, "PYBAK_POLICY": "n/p", "PYBAK_DATABASE_URL": url,
                                   "PYBAK_WORKERS": "2", "JOB_COMPLETION_INDEX": str(i)}) for i in (0, 1)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert stored(dst) == data
    rows = psql(url, "SELECT source_path, count(*) FROM files WHERE policy = 'n/p' GROUP BY source_path")
    assert sorted(r[0] for r in rows) == sorted(data) and all(r[1] == "1" for r in rows)
    runs = psql(url, "SELECT status FROM runs WHERE policy = 'n/p'")
    assert sorted(r[0] for r in runs) == ["succeeded", "succeeded"], runs
