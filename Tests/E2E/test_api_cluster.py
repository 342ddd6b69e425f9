"""`POST /compress` of the cluster sidecar (`pybak serve --kubernetes`) against the Kubernetes API emulator:
the real controller makes the policy's CronJob, the sidecar (with a token allowed only what the sidecar's
RBAC rules grant) creates a Job from it, real kubectl sees the Job and its annotations, the emulated
kubelet runs the real worker into PostgreSQL, and the run shows in `/status` and `/logs`."""
import json
import os
import signal
import ssl
import subprocess
import time
import urllib.request

import pytest
import yaml

from api_support import AUDIENCE, Issuer, Server, request
from conftest import REPO
from test_operator_worker import stored, write_files
from test_postgres import fresh_schema

EMULATOR = REPO / "Tests" / "KubeEmulator"
ADMIN_TOKEN = "admin-token"
SIDECAR_TOKEN = "sidecar-token"
# What the sidecar does with the API (manifests/rbac/role.yaml grants these, with the controller's own).
SIDECAR_RULES = [
    {"verbs": ["list"], "apiGroups": ["batch"], "resources": ["cronjobs"], "namespaces": ["*"]},
    {"verbs": ["get", "list", "create"], "apiGroups": ["batch"], "resources": ["jobs"], "namespaces": ["*"]},
]
POLICY = """\
apiVersion: pybak.io/v1alpha1
kind: BackupPolicy
metadata: {name: invoices, namespace: default}
spec:
  schedule: "0 0 1 1 *"
  source: {volume: {persistentVolumeClaim: {claimName: inbox}}, path: incoming, include: ["*.csv"], minAge: 0s}
  destination: {volume: {persistentVolumeClaim: {claimName: archive}}, path: backups}
"""


class Cluster:
    """The emulator (TLS, bearer tokens, controllers stepped by the test), kubectl, and the pybak controller."""

    def __init__(self, pybak, tmp_path):
        self.kubeconfig = tmp_path / "kubeconfig"
        self.volumes = tmp_path / "volumes"
        self.proc = subprocess.Popen(
            ["python3", "-m", "kube_emulator", "--host", "127.0.0.1", "--port", "0", "--kubeconfig", str(self.kubeconfig),
             "--tls", "--cert-dir", str(tmp_path / "certs"), "--token", ADMIN_TOKEN, "--manual-controllers",
             "--image-map", f"pybak:test={pybak}", "--volume-root", str(self.volumes)],
            cwd=EMULATOR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.url = self.proc.stdout.readline().strip()
        assert self.url.startswith("https://"), self.proc.stderr.read()
        lines = [self.proc.stdout.readline().strip() for _ in range(2)]
        self.tls = ssl.create_default_context(cafile=next(line[3:] for line in lines if line.startswith("ca=")))
        self.controller = None

    def admin(self, path, body):
        req = urllib.request.Request(f"{self.url}/_emulator/{path}", data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, context=self.tls) as response:
            return json.loads(response.read() or b"{}")

    def kubectl(self, *args, check=True):
        proc = subprocess.run(["kubectl", "--kubeconfig", str(self.kubeconfig), *args], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0 or not check, proc.stderr
        return proc

    def get(self, *args):
        proc = self.kubectl("get", *args, "-o", "json", check=False)
        return json.loads(proc.stdout) if proc.returncode == 0 else None

    def kubeconfig_for(self, token, path):
        """A copy of the kubeconfig that authenticates with another token."""
        config = yaml.safe_load(self.kubeconfig.read_text())
        for user in config["users"]:
            user["user"] = {"token": token}
        path.write_text(yaml.safe_dump(config))
        return path

    def stop(self):
        if self.controller and self.controller.poll() is None:
            self.controller.send_signal(signal.SIGTERM)
            self.controller.wait(timeout=15)
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=10)


def wait_for(check, timeout=60, what="condition", step=None):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if step:
            step()
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def cluster(pybak, tmp_path):
    base = os.environ.get("PYBAK_TEST_DATABASE_URL")
    if not base:
        pytest.fail("PYBAK_TEST_DATABASE_URL is not set: `export PYBAK_TEST_DATABASE_URL=$(bash .ci/postgres start)` (bash .ci/run does this)")
    database = fresh_schema(base)
    k = Cluster(pybak, tmp_path)
    try:
        k.admin("tokens", {"token": SIDECAR_TOKEN, "user": "system:serviceaccount:pybak-system:pybak-controller", "rules": SIDECAR_RULES})
        k.kubectl("apply", "-f", str(REPO / "crds" / "pybak.io_backuppolicies.yaml"))
        wait_for(lambda: k.kubectl("get", "backuppolicies", check=False).returncode == 0, what="the CRD to be served")
        k.kubectl("create", "secret", "generic", "pybak-database", f"--from-literal=url={database}")
        log = open(tmp_path / "controller.log", "w")
        k.controller = subprocess.Popen([pybak, "controller", "--kubeconfig", str(k.kubeconfig), "--image", "pybak:test",
                                         "--database-secret", "pybak-database"], stdout=log, stderr=log)
        policy = tmp_path / "policy.yaml"
        policy.write_text(POLICY)
        k.kubectl("apply", "-f", str(policy))
        wait_for(lambda: k.get("cronjob", "invoices"), what="the controller's CronJob")
        yield k, database
    finally:
        k.stop()


def post(server, token, body=None, key=None):
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Idempotency-Key"] = key
    return request(server.base, "/compress", method="POST", token=token, body=json.dumps(body or {}).encode(), headers=headers)


def test_post_compress_creates_a_job_that_runs_the_worker(pybak, cluster, tmp_path):
    k, database = cluster
    data = write_files(k.volumes / "inbox" / "incoming", 8)
    (k.volumes / "archive").mkdir(parents=True, exist_ok=True)
    issuer = Issuer()
    sidecar = k.kubeconfig_for(SIDECAR_TOKEN, tmp_path / "sidecar-kubeconfig")
    server = Server(pybak, ["serve", "--database", database, "--kubeconfig", str(sidecar),
                            "--oidc-issuer", issuer.url, "--oidc-audience", AUDIENCE])
    try:
        token = issuer.token(sub="ci-robot")
        # A second, suspended policy: an all-policies trigger leaves it out and says so.
        suspended = tmp_path / "suspended.yaml"
        suspended.write_text(POLICY.replace("name: invoices", "name: paused").replace("spec:\n", "spec:\n  suspend: true\n"))
        k.kubectl("apply", "-f", str(suspended))
        wait_for(lambda: (k.get("cronjob", "paused") or {}).get("spec", {}).get("suspend"), what="the suspended policy's CronJob")
        # A token without pybak.trigger may read but not trigger.
        assert post(server, issuer.token(scope="pybak.read"), {"policy": "default/invoices"}).status == 403
        accepted = post(server, token, {"policy": "default/invoices", "reason": "release 4.2"}, key="deploy-42")
        assert accepted.status == 202, accepted.body
        body = accepted.json()
        assert body["requestedBy"] == "ci-robot" and [r["policy"] for r in body["runs"]] == ["default/invoices"]
        name = body["runs"][0]["job"]
        assert name.startswith("invoices-manual-"), name

        # kubectl sees the Job: made from the CronJob's template, owned by it, annotated with who and why.
        job = k.get("job", name)
        annotations = job["metadata"]["annotations"]
        assert annotations["pybak.io/requested-by"] == "ci-robot" and annotations["pybak.io/reason"] == "release 4.2"
        assert annotations["pybak.io/idempotency-key"] == "deploy-42"
        assert annotations["cronjob.kubernetes.io/instantiate"] == "manual"
        owner = job["metadata"]["ownerReferences"][0]
        cron = k.get("cronjob", "invoices")
        assert (owner["kind"], owner["name"], owner["uid"], owner["controller"]) == ("CronJob", "invoices", cron["metadata"]["uid"], True)
        assert job["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "pybak-controller"
        assert job["metadata"]["labels"]["pybak.io/policy"] == "invoices"
        assert job["spec"]["template"]["spec"]["containers"][0]["args"][0] == "worker"
        shown = k.kubectl("get", "job", name, "-o", "jsonpath={.metadata.annotations.pybak\\.io/requested-by}").stdout
        assert shown == "ci-robot"

        # While that Job has not finished, another trigger of the policy is refused, and nothing is created.
        busy = post(server, token, {"policy": "invoices"})
        assert busy.status == 409 and busy.json()["error"]["code"] == "already_running", busy.body
        nothing = post(server, token, {})  # "all policies": one is running, the other suspended
        assert nothing.status == 409 and nothing.json()["error"]["code"] == "nothing_to_start", nothing.body
        assert "default/invoices (running), default/paused (suspended)" in nothing.json()["error"]["message"]
        jobs = k.get("jobs", "-l", "pybak.io/policy=invoices")["items"]
        assert [j["metadata"]["name"] for j in jobs] == [name]

        # The same Idempotency-Key replays the first answer.
        replay = post(server, token, {"policy": "default/invoices", "reason": "release 4.2"}, key="deploy-42")
        assert replay.status == 202 and replay.body == accepted.body and replay.headers["Idempotent-Replayed"] == "true"

        # The emulated kubelet runs the real worker, into the PostgreSQL catalog the sidecar reads.
        done = wait_for(lambda: {c["type"] for c in (k.get("job", name) or {}).get("status", {}).get("conditions", [])
                                 if c["status"] == "True"} & {"Complete", "Failed"}, timeout=90, what="the Job to finish",
                        step=lambda: k.admin("kubelet/step", {}))
        assert done == {"Complete"}, k.kubectl("logs", f"job/{name}", check=False).stdout
        assert stored(k.volumes / "archive" / "backups") == data
        status = request(server.base, "/status", token=token).json()
        policy = next(p for p in status["policies"] if p["name"] == "default/invoices")
        assert policy["lastRun"]["status"] == "succeeded" and policy["lastRun"]["trigger"] == "api"
        assert policy["today"]["filesCompressed"] == 8 and not policy["running"]
        logs = request(server.base, "/logs?policy=default/invoices&limit=1000", token=token).json()["items"]
        assert any(line["message"] == "pass finished" for line in logs)
        assert logs and all(line["metadata"].get("requested.by") == "ci-robot" for line in logs if line["runId"])

        # Finished: the policy can be triggered again (a bare name is found in its namespace).
        again = post(server, token, {"policy": "invoices"})
        assert again.status == 202 and again.json()["runs"][0]["job"] != name and again.json()["skipped"] == []
        unknown = post(server, token, {"policy": "default/nope"})
        assert unknown.status == 404 and "default/invoices" in unknown.json()["error"]["message"]
    finally:
        code, err = server.stop()
        issuer.close()
    assert code == 0, err
    assert "POST /compress creates Jobs" in err


def test_a_retry_on_another_replica_finds_the_same_job(pybak, cluster, tmp_path):
    k, database = cluster
    (k.volumes / "inbox" / "incoming").mkdir(parents=True)
    issuer = Issuer()
    sidecar = k.kubeconfig_for(SIDECAR_TOKEN, tmp_path / "sidecar-kubeconfig")
    args = ["serve", "--database", database, "--kubeconfig", str(sidecar), "--oidc-issuer", issuer.url, "--oidc-audience", AUDIENCE]
    first, second = Server(pybak, args), Server(pybak, args)
    try:
        token = issuer.token(sub="ci-robot")
        one = post(first, token, {"policy": "default/invoices"}, key="retry-7")
        two = post(second, token, {"policy": "default/invoices"}, key="retry-7")  # the Job is still active
        assert one.status == 202 and two.status == 202, (one.body, two.body)
        assert one.json()["runs"] == two.json()["runs"]
        assert len(k.get("jobs", "-l", "pybak.io/policy=invoices")["items"]) == 1
        other = post(second, issuer.token(sub="someone-else"), {"policy": "default/invoices"}, key="retry-7")
        assert other.status == 409
    finally:
        first.stop()
        second.stop()
        issuer.close()


def test_serve_refuses_a_kubeconfig_it_cannot_read(pybak, tmp_path):
    from conftest import run
    from api_support import free_port
    (tmp_path / ".pybak").mkdir()
    run(pybak, "catalog", "migrate", "--dest", str(tmp_path), check=0)
    proc = run(pybak, "serve", "--dest", str(tmp_path), "--kubeconfig", str(tmp_path / "missing"), "--listen", f"127.0.0.1:{free_port()}")
    assert proc.returncode != 0 and "POST /compress needs the Kubernetes API" in proc.stderr


def test_the_quickstart_sidecar_starts_with_its_placeholder_issuer(pybak, tmp_path):
    """The api container of the quickstart overlay, as rendered (args, ConfigMap, env), against PostgreSQL and the
    emulator: it starts, its probes pass, and it says the issuer is a placeholder instead of crash-looping."""
    from api_support import free_port
    base = os.environ.get("PYBAK_TEST_DATABASE_URL")
    if not base:
        pytest.fail("PYBAK_TEST_DATABASE_URL is not set: `export PYBAK_TEST_DATABASE_URL=$(bash .ci/postgres start)` (bash .ci/run does this)")
    rendered = subprocess.run(["kubectl", "kustomize", str(REPO / "manifests" / "overlays" / "quickstart")], capture_output=True, text=True, check=True)
    docs = list(yaml.safe_load_all(rendered.stdout))
    pod = next(d for d in docs if d["kind"] == "Deployment")["spec"]["template"]["spec"]
    api = next(c for c in pod["containers"] if c["name"] == "api")
    config = next(d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"] == api["envFrom"][0]["configMapRef"]["name"])
    assert config["data"]["PYBAK_OIDC_ISSUER"] == "https://issuer.example.com/"
    port = free_port()
    args = [a.replace("--listen=0.0.0.0:8080", f"--listen=0.0.0.0:{port}") for a in api["args"]]
    k = Cluster(pybak, tmp_path)  # stands in for the API server the Pod's ServiceAccount reaches
    env = {k_: v for k_, v in os.environ.items() if not k_.startswith("PYBAK_")}
    env.update(config["data"])
    env.update({e["name"]: e["value"] for e in api["env"] if "value" in e})
    env.update({"PYBAK_DATABASE_URL": fresh_schema(base), "KUBECONFIG": str(k.kubeconfig)})
    proc = subprocess.Popen([pybak, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base_url = f"http://127.0.0.1:{port}"
        def answers():
            try:
                return proc.poll() is not None or request(base_url, "/healthz", timeout=2).status == 200
            except OSError:
                return False
        wait_for(answers, what="/healthz")
        assert proc.poll() is None
        assert request(base_url, "/readyz").status == 200
        time.sleep(1)
        minted = Issuer()  # a well-formed RS256 token: its key must come from the (unreachable) issuer
        token = minted.token(iss="https://issuer.example.com/", aud="pybak")
        minted.close()
        answer = request(base_url, "/status", token=token)
        assert answer.status == 503 and answer.json()["error"]["code"] == "keys_unavailable", answer.body
        assert "issuer.example.com" in answer.json()["error"]["message"]
        assert proc.poll() is None
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
        k.stop()
    assert "the OIDC issuer is a placeholder" in err and "PYBAK_OIDC_ISSUER" in err, err[-3000:]
