"""KUBE-API row: CronJob / Job — the emulated CronJob controller, Job controller and kubelet."""

from __future__ import annotations

import base64
import os

import pytest

from helpers import Client, wait_for

JOBS = "/apis/batch/v1/namespaces/default/jobs"
CRONJOBS = "/apis/batch/v1/namespaces/default/cronjobs"


def cronjob(name, command, **spec):
    job_spec = spec.pop("job_spec", {})
    template = {"spec": {"restartPolicy": "Never", "containers": [{
        "name": "worker", "image": "pybak:test", "command": ["sh", "-c", command],
        "env": [{"name": "GREETING", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "greeting"}}},
                {"name": "PLAIN", "value": "p"}],
        "volumeMounts": [{"name": "inbox", "mountPath": "/data/in"}, {"name": "key", "mountPath": "/etc/key"}]}],
        "volumes": [{"name": "inbox", "persistentVolumeClaim": {"claimName": "inbox"}},
                    {"name": "key", "secret": {"secretName": "creds"}}]}}
    return {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": name},
            "spec": {"schedule": "*/2 * * * *", "jobTemplate": {"spec": {"template": template, **job_spec}}, **spec}}


@pytest.fixture
def batch(emulator_factory, tmp_path):
    emu = emulator_factory(controller_interval=0.05)
    client = Client(emu.url)
    secret = {"metadata": {"name": "creds"}, "data": {"greeting": base64.b64encode(b"hello").decode()}}
    assert client.post("/api/v1/namespaces/default/secrets", secret).status == 201
    os.makedirs(os.path.join(emu.volume_root, "inbox"), exist_ok=True)
    return emu, client


def job_done(client, name):
    job = client.get(f"{JOBS}/{name}").body
    conds = {c["type"] for c in job.get("status", {}).get("conditions", []) if c["status"] == "True"}
    return job if conds & {"Complete", "Failed"} else None


def test_run_now_runs_command_with_env_and_volumes(batch):
    emu, client = batch
    client.post(CRONJOBS, cronjob("backup", "echo $GREETING-$PLAIN > /data/in/out.txt; cat /etc/key/greeting >> /data/in/out.txt"))
    job = client.admin("cronjobs/default/backup/run", {"jobName": "backup-now"})
    assert job.status == 201
    owner = job.body["metadata"]["ownerReferences"][0]
    assert owner["kind"] == "CronJob" and owner["name"] == "backup" and owner["controller"] is True
    done = wait_for(lambda: job_done(client, "backup-now"))
    status = done["status"]
    assert status["succeeded"] == 1 and "active" not in status
    assert status["startTime"] and status["completionTime"]
    assert [c["type"] for c in status["conditions"]] == ["Complete"]
    with open(os.path.join(emu.volume_root, "inbox", "out.txt")) as fh:
        assert fh.read() == "hello-p\nhello"
    pods = client.get("/api/v1/namespaces/default/pods?labelSelector=batch.kubernetes.io%2Fjob-name%3Dbackup-now").body["items"]
    assert len(pods) == 1 and pods[0]["status"]["phase"] == "Succeeded"
    assert pods[0]["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 0


def test_failing_job_reports_failed(batch):
    _, client = batch
    client.post(CRONJOBS, cronjob("bad", "echo boom; exit 3", job_spec={"backoffLimit": 1}))
    client.admin("cronjobs/default/bad/run", {"jobName": "bad-now"})
    done = wait_for(lambda: job_done(client, "bad-now"))
    assert done["status"]["failed"] == 2
    failed = [c for c in done["status"]["conditions"] if c["type"] == "Failed"][0]
    assert failed["reason"] == "BackoffLimitExceeded"
    pod = client.get("/api/v1/namespaces/default/pods").body["items"][0]
    assert pod["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 3
    assert client.get(f"/api/v1/namespaces/default/pods/{pod['metadata']['name']}/log").raw == b"boom\n"


@pytest.mark.parametrize("exit_code, action, failed, reason", [
    (2, "FailJob", 1, "PodFailurePolicy"),         # the listed code ends the Job at its first failure
    (3, "FailJob", 3, "BackoffLimitExceeded"),     # another code counts against backoffLimit (2) as before
    (2, "Ignore", None, None),                     # an ignored failure is not counted: the Pod is made again
])
def test_pod_failure_policy_on_exit_codes(batch, exit_code, action, failed, reason):
    _, client = batch
    rules = [{"action": action, "onExitCodes": {"containerName": "worker", "operator": "In", "values": [2]}}]
    client.post(CRONJOBS, cronjob("pfp", f"exit {exit_code}", job_spec={"backoffLimit": 2, "podFailurePolicy": {"rules": rules}}))
    client.admin("cronjobs/default/pfp/run", {"jobName": "pfp-now"})
    if action == "Ignore":
        # Never counted, so never finished: Pods keep being made and failing.
        wait_for(lambda: len(client.get("/api/v1/namespaces/default/pods").body["items"]) >= 4)
        assert job_done(client, "pfp-now") is None
        return
    done = wait_for(lambda: job_done(client, "pfp-now"))
    assert done["status"]["failed"] == failed
    condition = [c for c in done["status"]["conditions"] if c["type"] == "Failed"][0]
    assert condition["reason"] == reason
    if reason == "PodFailurePolicy":
        assert "failed with exit code 2 matching FailJob rule at index 0" in condition["message"]


def test_schedule_forbid_and_history(batch):
    emu, client = batch
    emu.clock.set(1_800_000_000 - 1_800_000_000 % 120 + 30)  # 30 s after a */2 boundary
    client.post(CRONJOBS, cronjob("tick", "sleep 30", concurrencyPolicy="Forbid"))
    emu.clock.advance(100)
    first = wait_for(lambda: client.get(JOBS).body["items"])
    assert first[0]["metadata"]["name"] == f"tick-{int(emu.clock.now() // 120) * 2}"
    assert first[0]["metadata"]["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"].endswith(":00Z")
    cj = wait_for(lambda: client.get(f"{CRONJOBS}/tick").body.get("status", {}).get("active"))
    assert cj[0]["name"] == first[0]["metadata"]["name"]
    emu.clock.advance(120)
    import time
    time.sleep(0.5)
    assert len(client.get(JOBS).body["items"]) == 1  # Forbid: still running, no second Job


def test_suspend_and_history_limits(batch):
    emu, client = batch
    emu.clock.set(1_800_000_000 - 1_800_000_000 % 120 + 30)
    client.post(CRONJOBS, cronjob("quick", "true", successfulJobsHistoryLimit=1, suspend=True))
    emu.clock.advance(120)
    import time
    time.sleep(0.4)
    assert client.get(JOBS).body["items"] == []
    client.patch(f"{CRONJOBS}/quick", {"spec": {"suspend": False}})
    for _ in range(3):
        emu.clock.advance(120)
        wait_for(lambda: any(job_done(client, j["metadata"]["name"]) for j in client.get(JOBS).body["items"]
                             if j["metadata"]["name"].endswith(str(int(emu.clock.now() // 120 * 2)))))
    wait_for(lambda: len(client.get(JOBS).body["items"]) == 1)
    cj = client.get(f"{CRONJOBS}/quick").body["status"]
    assert cj["lastScheduleTime"] and cj["lastSuccessfulTime"]


def test_indexed_job(batch):
    _, client = batch
    job = {"metadata": {"name": "shards"}, "spec": {"completionMode": "Indexed", "completions": 3, "parallelism": 2,
                                                    "template": {"spec": {"restartPolicy": "Never", "containers": [{
                                                        "name": "w", "image": "x", "command": ["sh", "-c", "echo $JOB_COMPLETION_INDEX"]}]}}}}
    assert client.post(JOBS, job).status == 201
    done = wait_for(lambda: job_done(client, "shards"))
    assert done["status"]["succeeded"] == 3 and done["status"]["completedIndexes"] == "0-2"
    logs = sorted(client.get(f"/api/v1/namespaces/default/pods/{p['metadata']['name']}/log").raw
                  for p in client.get("/api/v1/namespaces/default/pods").body["items"])
    assert logs == [b"0\n", b"1\n", b"2\n"]


def test_image_map_runs_local_binary(emulator_factory, tmp_path):
    script = tmp_path / "fake-pybak"
    script.write_text("#!/bin/sh\necho \"pybak $@\"\n")
    script.chmod(0o755)
    emu = emulator_factory(image_map={"ghcr.io/acme/pybak:1.0": str(script)}, controller_interval=0.05)
    client = Client(emu.url)
    job = {"metadata": {"name": "w"}, "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{
        "name": "w", "image": "ghcr.io/acme/pybak:1.0", "args": ["worker", "--policy", "p"]}]}}}}
    client.post(JOBS, job)
    wait_for(lambda: job_done(client, "w"))
    pod = client.get("/api/v1/namespaces/default/pods").body["items"][0]["metadata"]["name"]
    assert client.get(f"/api/v1/namespaces/default/pods/{pod}/log").raw == b"pybak worker --policy p\n"


def test_image_binary_is_not_taken_for_a_path_under_a_mount(emulator_factory, tmp_path):
    """The mapped binary lives on the host (here under /tmp, as a checkout in /tmp would); a Pod that mounts an
    emptyDir at /tmp must still run it, while its own /tmp arguments are rewritten to the volume's folder."""
    assert str(tmp_path).startswith("/tmp/")
    script = tmp_path / "fake-pybak"
    script.write_text("#!/bin/sh\necho \"pybak $@\"\n")
    script.chmod(0o755)
    emu = emulator_factory(image_map={"ghcr.io/acme/pybak:1.0": str(script)}, controller_interval=0.05)
    client = Client(emu.url)
    job = {"metadata": {"name": "t"}, "spec": {"template": {"spec": {
        "restartPolicy": "Never", "volumes": [{"name": "tmp", "emptyDir": {}}],
        "containers": [{"name": "w", "image": "ghcr.io/acme/pybak:1.0", "args": ["worker", "--scratch", "/tmp/work"],
                        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}]}]}}}}
    client.post(JOBS, job)
    wait_for(lambda: job_done(client, "t"))
    pod = client.get("/api/v1/namespaces/default/pods").body["items"][0]["metadata"]["name"]
    log = client.get(f"/api/v1/namespaces/default/pods/{pod}/log").raw.decode()
    assert log.startswith("pybak worker --scratch "), log
    assert not log.strip().endswith(" /tmp/work") and log.strip().endswith("/work"), log


def test_missing_secret_keeps_pod_pending(batch):
    _, client = batch
    job = {"metadata": {"name": "nokey"}, "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{
        "name": "w", "image": "x", "command": ["true"],
        "env": [{"name": "K", "valueFrom": {"secretKeyRef": {"name": "absent", "key": "k"}}}]}]}}}}
    client.post(JOBS, job)
    pod = wait_for(lambda: [p for p in client.get("/api/v1/namespaces/default/pods").body["items"]
                            if p["status"].get("containerStatuses")])
    assert pod[0]["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] == "CreateContainerConfigError"
    assert not job_done(client, "nokey")


def test_manual_controllers_step_only_on_request(emulator_factory):
    emu = emulator_factory(auto_controllers=False)
    client = Client(emu.url)
    job = {"metadata": {"name": "j"}, "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{
        "name": "w", "image": "x", "command": ["true"]}]}}}}
    client.post(JOBS, job)
    import time
    time.sleep(0.5)
    assert client.get("/api/v1/namespaces/default/pods").body["items"] == []
    client.admin("kubelet/step")
    assert len(client.get("/api/v1/namespaces/default/pods").body["items"]) == 1
    wait_for(lambda: (client.admin("kubelet/step"), job_done(client, "j"))[1])
