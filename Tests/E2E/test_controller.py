"""`pybak controller` against the Kubernetes API emulator with real kubectl: the CRD and a policy
applied -> a CronJob -> a Job whose Pod runs the real `pybak worker` on local folders -> status in
`kubectl get backuppolicies` -> spec change, suspend, invalid spec, delete; SIGTERM releases the Lease."""
import os
import signal
import socket
import subprocess
import time

import pytest

from conftest import REPO
from controller_support import fetch, get, wait_for
from test_operator_worker import admin, emulator, kubectl, stored, wait_job, write_files  # noqa: F401 (fixture)

POLICY = """\
apiVersion: pybak.io/v1alpha1
kind: BackupPolicy
metadata: {name: invoices, namespace: default}
spec:
  source: {volume: {persistentVolumeClaim: {claimName: inbox}}, path: incoming, include: ["*.csv"], minAge: 0s}
  destination: {volume: {persistentVolumeClaim: {claimName: archive}}, path: backups}
"""


@pytest.fixture
def controller(pybak, emulator, tmp_path):
    url, kubeconfig, volumes = emulator
    kubectl(kubeconfig, "apply", "-f", str(REPO / "crds" / "pybak.io_backuppolicies.yaml"))
    wait_for(lambda: subprocess.run(["kubectl", "--kubeconfig", str(kubeconfig), "get", "backuppolicies"], capture_output=True).returncode == 0,
             what="the CRD to be served")
    log = open(tmp_path / "controller.log", "w")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen([pybak, "controller", "--kubeconfig", str(kubeconfig), "--leader-elect", "--identity", "replica-a",
                             "--lease-namespace", "default", "--image", "pybak:test", "--listen", f"127.0.0.1:{port}"],
                            stdout=log, stderr=log)
    proc.probes = f"http://127.0.0.1:{port}"
    yield url, kubeconfig, volumes, proc
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def test_policy_to_cronjob_to_worker_to_status(controller, tmp_path):
    url, kubeconfig, volumes, proc = controller
    data = write_files(volumes / "inbox" / "incoming", 12)
    (volumes / "archive").mkdir(parents=True, exist_ok=True)
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    kubectl(kubeconfig, "apply", "-f", str(policy))

    cron = wait_for(lambda: get(kubeconfig, "cronjob", "invoices"), what="the CronJob")
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    assert cron["metadata"]["ownerReferences"][0]["kind"] == "BackupPolicy"
    # The CronJob the controller made, as the server stores it, passes the upstream batch/v1 schema.
    stored_yaml = tmp_path / "cronjob.yaml"
    stored_yaml.write_text(kubectl(kubeconfig, "get", "cronjob", "invoices", "-o", "yaml"))
    check = subprocess.run(["kubernetes-validate", "-k", "1.30.0", "--strict", str(stored_yaml)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    ready = wait_for(lambda: next((c for c in (get(kubeconfig, "backuppolicy", "invoices") or {}).get("status", {}).get("conditions", [])
                                   if c["type"] == "Ready"), None), what="the Ready condition")
    assert ready["status"] == "True" and ready["reason"] == "Scheduled"

    admin(url, "cronjobs/default/invoices/run", {"jobName": "invoices-now"})
    _, conditions = wait_job(kubeconfig, "invoices-now")
    assert conditions == {"Complete"}
    assert stored(volumes / "archive" / "backups") == data
    status = wait_for(lambda: (get(kubeconfig, "backuppolicy", "invoices") or {}).get("status", {}).get("lastSuccessfulTime")
                      and get(kubeconfig, "backuppolicy", "invoices")["status"], what="lastSuccessfulTime")
    assert status["lastRun"]["jobName"] == "invoices-now" and status["lastRun"]["result"] == "Succeeded"
    table = kubectl(kubeconfig, "get", "backuppolicies")
    assert "Succeeded" in table.splitlines()[1]

    # --listen: probes and metrics (what the Deployment's probes and a Prometheus scrape read).
    assert fetch(proc.probes + "/healthz") == (200, '{"status":"ok"}')
    assert fetch(proc.probes + "/readyz")[0] == 200
    metrics = wait_for(lambda: (m := fetch(proc.probes + "/metrics")[1]) and "pybak_policy_last_run_succeeded{" in m and m,
                       what="the policy in /metrics")
    assert "pybak_controller_leader 1" in metrics
    assert 'pybak_policy_last_run_succeeded{namespace="default",name="invoices"} 1' in metrics
    assert 'pybak_policy_ready{namespace="default",name="invoices"} 1' in metrics

    # A spec change updates the CronJob; suspend passes through.
    kubectl(kubeconfig, "patch", "backuppolicy", "invoices", "--type", "merge", "-p", '{"spec": {"schedule": "*/5 * * * *", "suspend": true}}')
    cron = wait_for(lambda: (c := get(kubeconfig, "cronjob", "invoices")) and c["spec"]["schedule"] == "*/5 * * * *" and c, what="the update")
    assert cron["spec"]["suspend"] is True
    wait_for(lambda: any(c["reason"] == "Suspended" for c in get(kubeconfig, "backuppolicy", "invoices")["status"].get("conditions", [])),
             what="Suspended")

    # Deleting the policy deletes its CronJob (owner reference, garbage collection).
    kubectl(kubeconfig, "delete", "backuppolicy", "invoices")
    wait_for(lambda: get(kubeconfig, "cronjob", "invoices") is None, what="the CronJob to go")

    # SIGTERM: the controller stops and releases the Lease.
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=15) == 0
    lease = get(kubeconfig, "lease", "pybak-controller", "-n", "default")
    assert not lease["spec"].get("holderIdentity")


def test_invalid_spec_gets_a_condition_and_an_event_and_no_cronjob(controller, tmp_path):
    _, kubeconfig, _, _ = controller
    policy = tmp_path / "policy.yaml"
    # A spec the CRD's schema admits but the controller's own checks refuse: the schedule's pattern checks
    # only its shape, and no cron reads minute 75.
    policy.write_text(POLICY.replace("spec:\n", "spec:\n  schedule: '75 * * * *'\n"))
    kubectl(kubeconfig, "apply", "-f", str(policy))
    ready = wait_for(lambda: next((c for c in (get(kubeconfig, "backuppolicy", "invoices") or {}).get("status", {}).get("conditions", [])
                                   if c["type"] == "Ready"), None), what="the Ready condition")
    assert ready["status"] == "False" and ready["reason"] == "InvalidSpec" and "spec.schedule" in ready["message"]
    assert get(kubeconfig, "cronjob", "invoices") is None
    events = get(kubeconfig, "events.events.k8s.io")
    assert any(e["reason"] == "InvalidSpec" and e["type"] == "Warning" for e in events["items"])


def test_a_failing_worker_makes_the_policy_degraded(controller, tmp_path):
    url, kubeconfig, volumes, _ = controller
    (volumes / "inbox" / "incoming").mkdir(parents=True)
    (volumes / "archive" / "backups").mkdir(parents=True)
    (volumes / "archive" / "backups" / ".pybak").write_text("a file where PyBak's state folder should be")
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    kubectl(kubeconfig, "apply", "-f", str(policy))
    wait_for(lambda: get(kubeconfig, "cronjob", "invoices"), what="the CronJob")
    admin(url, "cronjobs/default/invoices/run", {"jobName": "invoices-bad"})
    _, conditions = wait_job(kubeconfig, "invoices-bad")
    assert "Failed" in conditions
    degraded = wait_for(lambda: next((c for c in get(kubeconfig, "backuppolicy", "invoices")["status"].get("conditions", [])
                                      if c["type"] == "Degraded" and c["status"] == "True"), None), what="Degraded")
    assert degraded["reason"] == "NeverSucceeded" and "invoices-bad" in degraded["message"]
    events = get(kubeconfig, "events.events.k8s.io")["items"]
    assert any(e["reason"] == "NeverSucceeded" and e["type"] == "Warning" for e in events)


def test_a_worker_config_error_fails_the_job_at_once(controller, tmp_path):
    """A key Secret that is not a key: the worker exits 2 (bad configuration), and the CronJob's pod failure policy
    fails the Job on that first Pod instead of retrying it (backoffLimit 1 would make a second)."""
    url, kubeconfig, volumes, _ = controller
    (volumes / "archive" / "backups").mkdir(parents=True)
    write_files(volumes / "inbox" / "incoming", 2)
    kubectl(kubeconfig, "create", "secret", "generic", "pybak-key", "--from-literal=key=short")
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY + "  encryption: {keySecretRef: {name: pybak-key, key: key}}\n")
    kubectl(kubeconfig, "apply", "-f", str(policy))
    wait_for(lambda: get(kubeconfig, "cronjob", "invoices"), what="the CronJob")
    admin(url, "cronjobs/default/invoices/run", {"jobName": "invoices-badkey"})
    job, conditions = wait_job(kubeconfig, "invoices-badkey")
    assert "Failed" in conditions
    failed = next(c for c in job["status"]["conditions"] if c["type"] == "Failed")
    assert failed["reason"] == "PodFailurePolicy" and "exit code 2" in failed["message"], failed
    assert job["status"].get("failed") == 1
    pods = get(kubeconfig, "pods", "-l", "batch.kubernetes.io/job-name=invoices-badkey")["items"]
    assert len(pods) == 1
    log = kubectl(kubeconfig, "logs", pods[0]["metadata"]["name"])
    assert "neither 32 raw bytes nor base64 text" in log, log  # exit 2 for the reason set up here, not another
    assert len(list((volumes / "inbox" / "incoming").rglob("*.csv"))) == 2  # nothing moved
    degraded = wait_for(lambda: next((c for c in ((get(kubeconfig, "backuppolicy", "invoices") or {}).get("status") or {}).get("conditions", [])
                                      if c["type"] == "Degraded" and c["status"] == "True"), None), what="Degraded")
    assert "invoices-badkey" in degraded["message"]


def test_the_other_replica_takes_over_when_the_leader_dies(pybak, controller, tmp_path):
    _, kubeconfig, _, leader = controller
    # replica-a leads first; only then does the standby start (otherwise the two race for the first Lease).
    wait_for(lambda: (get(kubeconfig, "lease", "pybak-controller", "-n", "default") or {}).get("spec", {}).get("holderIdentity") == "replica-a",
             what="replica-a to lead")
    log = open(tmp_path / "standby.log", "w")
    standby = subprocess.Popen([pybak, "controller", "--kubeconfig", str(kubeconfig), "--leader-elect", "--identity", "replica-b",
                                "--lease-namespace", "default", "--image", "pybak:test"], stdout=log, stderr=log)
    try:
        time.sleep(3)  # replica-b is up and waiting
        leader.kill()  # no release: replica-b must wait for the lease to expire
        leader.wait()
        killed = time.time()
        policy = tmp_path / "policy.yaml"
        policy.write_text(POLICY)
        kubectl(kubeconfig, "apply", "-f", str(policy))
        wait_for(lambda: (get(kubeconfig, "lease", "pybak-controller", "-n", "default") or {}).get("spec", {}).get("holderIdentity") == "replica-b",
                 timeout=40, interval=0.1, what="replica-b to take the Lease")
        took = time.time() - killed
        # The standby times the lease (15 s) from when it saw the last renewal: that renewal was at most one retry
        # period (2 s) before the kill and seen at most one period after it was made; the standby then looks every
        # period (2 s more at most); and kubectl's polling here adds a little.
        assert took <= 15 + 2 + 2 + 2, f"took the Lease {took:.1f}s after the leader died"
        wait_for(lambda: get(kubeconfig, "cronjob", "invoices"), timeout=10, what="the new leader to act")
        lease = get(kubeconfig, "lease", "pybak-controller", "-n", "default")["spec"]
        assert lease["holderIdentity"] == "replica-b" and lease["leaseTransitions"] == 1
    finally:
        standby.send_signal(signal.SIGTERM)
        assert standby.wait(timeout=15) == 0
