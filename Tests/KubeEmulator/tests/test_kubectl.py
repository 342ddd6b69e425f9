"""Acceptance: the real kubectl against the emulator started through its CLI (with a token)."""

from __future__ import annotations

import os
import shutil
import ssl
import subprocess
import sys
import time

import pytest

from helpers import FIXTURES, Client, wait_for

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module", autouse=True)
def kubectl_installed():
    """kubectl is the independent client these tests are about: missing, they fail (never skip)."""
    assert shutil.which("kubectl"), "kubectl is not installed (it is preinstalled on this kind of machine; see TESTING.md)"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("kubectl")
    kubeconfig = str(tmp / "kubeconfig")
    proc = subprocess.Popen([sys.executable, "-m", "kube_emulator", "--host", "127.0.0.1", "--port", "0",
                             "--kubeconfig", kubeconfig, "--token", "tok", "--volume-root", str(tmp / "vols"),
                             "--controller-interval", "0.05", "--tls", "--cert-dir", str(tmp / "tls")],
                            cwd=HERE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = proc.stdout.readline().strip()
    assert url.startswith("https://127.0.0.1:"), proc.stderr.read() if proc.poll() is not None else url
    yield {"url": url, "kubeconfig": kubeconfig, "cache": str(tmp / "cache"), "ca": str(tmp / "tls" / "tls.crt")}
    proc.terminate()
    proc.wait(timeout=10)


def kubectl(cluster, *args, check=True, stdin=None):
    cmd = ["kubectl", "--kubeconfig", cluster["kubeconfig"], "--cache-dir", cluster["cache"], *args]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=60, input=stdin)
    if check:
        assert result.returncode == 0, f"{cmd}: {result.stderr}"
    return result


def test_cli_writes_a_kubeconfig_that_requires_the_token(cluster):
    ctx = ssl.create_default_context(cafile=cluster["ca"])
    assert Client(cluster["url"], ssl_context=ctx).get("/api/v1/namespaces").status == 401
    assert Client(cluster["url"], token="tok", ssl_context=ctx).get("/api/v1/namespaces").status == 200
    assert "default" in kubectl(cluster, "get", "namespaces").stdout


def test_apply_crd_and_object_then_get_columns(cluster):
    assert "created" in kubectl(cluster, "apply", "-f", os.path.join(FIXTURES, "backuppolicy-crd.yaml")).stdout
    out = kubectl(cluster, "apply", "-f", os.path.join(FIXTURES, "backuppolicy-sample.yaml")).stdout
    assert out.strip() == "backuppolicy.pybak.io/invoices created"
    assert "unchanged" in kubectl(cluster, "apply", "-f", os.path.join(FIXTURES, "backuppolicy-sample.yaml")).stdout
    lines = kubectl(cluster, "get", "backuppolicies").stdout.splitlines()
    assert lines[0].split() == ["NAME", "SCHEDULE", "SUSPENDED", "READY", "LAST", "RESULT", "AGE"]
    assert lines[1].split()[:7] == ["invoices", "*/2", "*", "*", "*", "*", "false"]
    wide = kubectl(cluster, "get", "bkp", "-o", "wide").stdout.splitlines()
    assert "FILES" in wide[0] and "DESTINATION" in wide[0] and "backups/" in wide[1]
    bad = kubectl(cluster, "apply", "-f", "-", check=False,
                  stdin="apiVersion: pybak.io/v1alpha1\nkind: BackupPolicy\nmetadata: {name: bad}\n"
                        "spec: {source: {path: a}, destination: {path: b}, bogus: 1}\n")
    assert bad.returncode != 0 and 'unknown field "spec.bogus"' in bad.stderr


def test_patch_watch_describe_delete(cluster):
    kubectl(cluster, "apply", "-f", os.path.join(FIXTURES, "backuppolicy-crd.yaml"))
    kubectl(cluster, "apply", "-f", os.path.join(FIXTURES, "backuppolicy-sample.yaml"))
    watcher = subprocess.Popen(["kubectl", "--kubeconfig", cluster["kubeconfig"], "--cache-dir", cluster["cache"],
                                "get", "bkp", "-w"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = watcher.stdout.readline()
        assert first.split()[0] == "NAME"
        assert watcher.stdout.readline().split()[0] == "invoices"
        assert "patched" in kubectl(cluster, "patch", "bkp", "invoices", "--type", "merge", "-p", '{"spec":{"suspend":true}}').stdout
        changed = watcher.stdout.readline().split()
        assert changed[0] == "invoices" and "true" in changed
    finally:
        watcher.terminate()
        watcher.wait(timeout=10)
    strategic = kubectl(cluster, "patch", "bkp", "invoices", "-p", '{"spec":{"suspend":false}}', check=False)
    assert strategic.returncode != 0 and "unknown format" in strategic.stderr
    described = kubectl(cluster, "describe", "backuppolicy", "invoices").stdout
    assert "Name:         invoices" in described and "Schedule:" in described and "Suspend:           true" in described
    assert 'backuppolicy.pybak.io "invoices" deleted' in kubectl(cluster, "delete", "bkp", "invoices").stdout
    assert "NotFound" in kubectl(cluster, "get", "bkp", "invoices", check=False).stderr


def test_create_job_from_cronjob(cluster):
    manifest = """apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: default}
spec:
  schedule: "0 3 * * *"
  concurrencyPolicy: Forbid
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: worker
              image: busybox
              command: ["sh", "-c", "echo ran $(MODE)"]
              env: [{name: MODE, value: manual}]
"""
    assert "created" in kubectl(cluster, "apply", "-f", "-", stdin=manifest).stdout
    assert "job.batch/by-hand created" in kubectl(cluster, "create", "job", "by-hand", "--from=cronjob/nightly").stdout
    wait_for(lambda: "Complete" in kubectl(cluster, "get", "job", "by-hand").stdout, timeout=20)
    assert kubectl(cluster, "logs", "job/by-hand").stdout == "ran manual\n"
    described = kubectl(cluster, "describe", "job", "by-hand").stdout
    assert "Controlled By:    CronJob/nightly" in described and "1 Succeeded" in described
    lines = kubectl(cluster, "get", "cronjobs").stdout.splitlines()
    assert lines[0].split()[:3] == ["NAME", "SCHEDULE", "TIMEZONE"] and lines[1].split()[0] == "nightly"
