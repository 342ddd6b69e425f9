"""`pybak controller` under the emulator's fault switches (KUBE-API.md): dropped watches and expired resource
versions (a policy created during the outage still gets its CronJob), API 500s and 429s (backoff: the requests
it makes during the fault are counted and bounded), an invalid spec after a valid one (the CronJob is kept but
suspended, with a clear condition and events), and RBAC: the controller works with exactly the rules of
manifests/rbac (a token limited to them)."""
import signal
import subprocess
import time

import pytest
import yaml

from conftest import REPO
from controller_support import controller_requests, emulator_requests, get, install_crd, start_controller, stop, wait_for
from test_controller import POLICY
from test_operator_worker import admin, start_emulator, emulator, kubectl, stored, wait_job, write_files  # noqa: F401 (fixture)


def apply_policy(kubeconfig, tmp_path, name, extra=""):
    path = tmp_path / f"{name}.yaml"
    path.write_text(POLICY.replace("name: invoices", f"name: {name}").replace("spec:\n", f"spec:\n{extra}"))
    kubectl(kubeconfig, "apply", "-f", str(path))


def leading(kubeconfig, identity="replica-a"):
    wait_for(lambda: (get(kubeconfig, "lease", "pybak-controller", "-n", "default") or {}).get("spec", {}).get("holderIdentity") == identity,
             what=f"{identity} to lead")


@pytest.fixture
def controller(pybak, emulator, tmp_path):
    url, kubeconfig, volumes = emulator
    install_crd(kubeconfig)
    proc = start_controller(pybak, kubeconfig, tmp_path / "controller.log")
    leading(kubeconfig)
    yield url, kubeconfig, volumes, proc
    stop(proc)


def test_dropped_watches_and_expired_versions_miss_nothing(controller, tmp_path):
    url, kubeconfig, _, proc = controller
    apply_policy(kubeconfig, tmp_path, "before")
    wait_for(lambda: get(kubeconfig, "cronjob", "before"), what="the first CronJob")

    # Outage 1: every watch is cut now and the next ones are cut before any event; policies arrive meanwhile.
    admin(url, "faults", {"dropOpenWatches": True, "dropWatch": {"afterEvents": 0, "count": 3, "path": "backuppolicies"}})
    apply_policy(kubeconfig, tmp_path, "during-drop")
    wait_for(lambda: get(kubeconfig, "cronjob", "during-drop"), timeout=40, what="the CronJob of a policy made while watches were down")

    # Outage 2: a small history window, the BackupPolicy watch cut, then more changes than the window holds:
    # resuming from the informer's last version gets 410 Expired and it must list again.
    admin(url, "history", {"limit": 10})
    admin(url, "faults", {"dropOpenWatches": True, "dropWatch": {"afterEvents": 0, "count": 2, "path": "backuppolicies"}})
    for index in range(12):
        apply_policy(kubeconfig, tmp_path, f"expired-{index}")
    for index in range(12):
        wait_for(lambda: get(kubeconfig, "cronjob", f"expired-{index}"), timeout=40, what=f"CronJob expired-{index} after 410")
    assert "informer watch expired; relisting" in open(proc.log_path).read()
    admin(url, "history", {"limit": 1000})

    # Outage 3: the expire switch (the whole history compacted, ERROR 410 on every open watch). The informers'
    # backoff grew in outages 1 and 2, but their watches have worked since, so it starts afresh: each informer
    # lists once (well under a second later), watches again from the new version and misses nothing.
    emulator_requests(url, clear=True)
    log_before = len(open(proc.log_path).read())
    admin(url, "faults", {"expire": True})
    expired = time.monotonic()
    apply_policy(kubeconfig, tmp_path, "after-expire")
    kubectl(kubeconfig, "patch", "backuppolicy", "before", "--type", "merge", "-p", '{"spec": {"schedule": "*/7 * * * *"}}')
    wait_for(lambda: get(kubeconfig, "cronjob", "after-expire"), timeout=10, what="the CronJob of a policy made after an expire")
    wait_for(lambda: get(kubeconfig, "cronjob", "before")["spec"]["schedule"] == "*/7 * * * *", timeout=10,
             what="the CronJob of a policy changed after an expire")
    caught_up = time.monotonic() - expired
    assert caught_up < 5, caught_up  # a grown backoff (failures carried over from outage 2) waits 4-8 s or more
    wait_for(lambda: next((c for c in (get(kubeconfig, "backuppolicy", "after-expire").get("status") or {}).get("conditions", [])
                           if c["type"] == "Ready"), {}).get("status") == "True", timeout=10, what="after-expire Ready")
    time.sleep(max(0.0, expired + 6 - time.monotonic()))
    relists = [line for line in open(proc.log_path).read()[log_before:].splitlines() if "informer watch expired; relisting" in line]
    assert sorted(line.split("kube.kind=")[1].split()[0] for line in relists) == ["BackupPolicy", "CronJob", "Job"], relists
    assert all("retry.failures=1" in line for line in relists), relists  # the backoff started afresh
    made = controller_requests(emulator_requests(url))
    reads = {(path, watch): count for method, path, watch, count in made if method == "GET" and not path.startswith("/apis/coordination")}
    collections = ["/apis/pybak.io/v1alpha1/backuppolicies", "/apis/batch/v1/cronjobs", "/apis/batch/v1/jobs"]
    # One relist and one new watch per informer in 6 s: no relisting loop, no hot loop.
    assert reads == {(path, watch): 1 for path in collections for watch in (False, True)}, made
    # Besides them: Lease renewals (every 2 s) and the two policies' writes, a few of them repeated after a 409
    # while the CronJob cache was still relisting (measured: 19-21 in all; a hot loop makes hundreds).
    assert sum(count for *_, count in made) <= 30, made


def test_api_errors_and_throttling_back_off_without_a_hot_loop(controller, tmp_path):
    url, kubeconfig, _, _ = controller
    # 500 on every CronJob create for 6 s: the reconciler retries with its per-key backoff (5 ms doubling).
    admin(url, "faults", {"error": {"status": 500, "method": "POST", "path": "/cronjobs$", "count": -1}})
    emulator_requests(url, clear=True)
    apply_policy(kubeconfig, tmp_path, "five-hundred")
    time.sleep(6)
    made = controller_requests(emulator_requests(url, clear=True))
    creates = sum(count for method, path, _, count in made if method == "POST" and path.endswith("/cronjobs"))
    everything = sum(count for *_, count in made)
    # 5 ms doubling: attempts at about 0, 0.005, 0.015, ... 2.555, 5.115 s -> 11 in 6 s; a hot loop would make thousands.
    assert 5 <= creates <= 16, made
    assert everything <= creates + 20, made  # besides the creates: Lease renewals (every 2 s) and nothing busy
    subprocess.run(["curl", "-s", "-X", "DELETE", f"{url}/_emulator/faults"], check=True, capture_output=True)
    wait_for(lambda: get(kubeconfig, "cronjob", "five-hundred"), timeout=20, what="the CronJob once the API recovers")

    # 429 with Retry-After: 3 on CronJob creates: the controller waits as asked.
    admin(url, "faults", {"error": {"status": 429, "retryAfter": 3, "method": "POST", "path": "/cronjobs$", "count": -1}})
    emulator_requests(url, clear=True)
    apply_policy(kubeconfig, tmp_path, "throttled")
    time.sleep(7)
    made = controller_requests(emulator_requests(url, clear=True))
    creates = sum(count for method, path, _, count in made if method == "POST" and path.endswith("/cronjobs"))
    assert 2 <= creates <= 4, made  # at 0, >=3, >=6 s
    subprocess.run(["curl", "-s", "-X", "DELETE", f"{url}/_emulator/faults"], check=True, capture_output=True)
    wait_for(lambda: get(kubeconfig, "cronjob", "throttled"), timeout=20, what="the throttled CronJob")

    # 429 (Retry-After: 2) on the controller's BackupPolicy list and watch (all namespaces; kubectl's namespaced
    # requests pass) while the watches are cut: the informer backs off, and a policy made meanwhile is seen afterwards.
    admin(url, "faults", {"error": {"status": 429, "retryAfter": 2, "method": "GET", "path": "^/apis/pybak.io/v1alpha1/backuppolicies$", "count": -1},
                          "dropOpenWatches": True})
    emulator_requests(url, clear=True)
    apply_policy(kubeconfig, tmp_path, "during-429")
    time.sleep(6)
    made = controller_requests(emulator_requests(url, clear=True))
    reads = sum(count for method, path, _, count in made if method == "GET" and "backuppolicies" in path)
    assert 1 <= reads <= 5, made  # Retry-After 2 s honoured: at most one attempt per 2 s (plus the one cut)
    subprocess.run(["curl", "-s", "-X", "DELETE", f"{url}/_emulator/faults"], check=True, capture_output=True)
    wait_for(lambda: get(kubeconfig, "cronjob", "during-429"), timeout=40, what="the CronJob of a policy made during the 429s")


def test_an_invalid_spec_after_a_valid_one_suspends_the_kept_cronjob(controller, tmp_path):
    url, kubeconfig, volumes, _ = controller
    apply_policy(kubeconfig, tmp_path, "invoices")
    original = wait_for(lambda: get(kubeconfig, "cronjob", "invoices"), what="the CronJob")
    assert original["spec"].get("suspend") is not True

    kubectl(kubeconfig, "patch", "backuppolicy", "invoices", "--type", "merge", "-p", '{"spec": {"schedule": "75 * * * *"}}')
    cron = wait_for(lambda: (c := get(kubeconfig, "cronjob", "invoices")) and c["spec"].get("suspend") is True and c, what="suspension")
    assert cron["spec"]["schedule"] == original["spec"]["schedule"]  # the last valid spec, kept
    assert cron["metadata"]["uid"] == original["metadata"]["uid"]  # not deleted and made again
    status = wait_for(lambda: (s := get(kubeconfig, "backuppolicy", "invoices")["status"]) and s.get("observedGeneration") == 2 and s,
                      what="the status of generation 2")
    ready = next(c for c in status["conditions"] if c["type"] == "Ready")
    assert ready["status"] == "False" and ready["reason"] == "InvalidSpec"
    assert "spec.schedule" in ready["message"] and "suspended" in ready["message"] and "nextScheduleTime" not in status
    events = get(kubeconfig, "events.events.k8s.io")["items"]
    assert any(e["reason"] == "CronJobSuspended" and e["type"] == "Warning" for e in events)
    assert any(e["reason"] == "InvalidSpec" and e["type"] == "Warning" for e in events)
    described = kubectl(kubeconfig, "describe", "backuppolicy", "invoices")
    assert "InvalidSpec" in described

    # The schedule fixed: the same CronJob resumes with the new spec.
    kubectl(kubeconfig, "patch", "backuppolicy", "invoices", "--type", "merge", "-p", '{"spec": {"schedule": "*/5 * * * *"}}')
    cron = wait_for(lambda: (c := get(kubeconfig, "cronjob", "invoices")) and c["spec"]["schedule"] == "*/5 * * * *" and c, what="resumption")
    assert cron["spec"].get("suspend") is False and cron["metadata"]["uid"] == original["metadata"]["uid"]
    wait_for(lambda: next(c for c in get(kubeconfig, "backuppolicy", "invoices")["status"]["conditions"] if c["type"] == "Ready")["reason"] == "Scheduled",
             what="Ready again")


def rbac_rules():
    """The emulator's rule form of manifests/rbac: the ClusterRole everywhere, the leader-election Role in the Lease's namespace."""
    cluster = yaml.safe_load((REPO / "manifests" / "rbac" / "role.yaml").read_text())["rules"]
    lease = yaml.safe_load((REPO / "manifests" / "rbac" / "leader_election_role.yaml").read_text())["rules"]
    return [{**rule, "namespaces": ["*"]} for rule in cluster] + [{**rule, "namespaces": ["default"]} for rule in lease]


@pytest.fixture
def secured_emulator(pybak, tmp_path):
    """An emulator over TLS that requires tokens (kubectl sends them only over HTTPS); the admin token is all-powerful."""
    proc, url, kubeconfig, volumes = start_emulator(pybak, tmp_path, "--tls", "--token", "admin-token")
    assert url.startswith("https")
    yield url, kubeconfig, volumes
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=10)


def kubeconfig_as(kubeconfig, tmp_path, user):
    """A copy of the emulator's kubeconfig whose user has only the given credentials (e.g. another token)."""
    config = yaml.safe_load(kubeconfig.read_text())
    config["users"][0]["user"] = user
    path = tmp_path / "controller-kubeconfig"
    path.write_text(yaml.safe_dump(config))
    return path

def test_the_controller_needs_only_the_rbac_it_is_granted(pybak, secured_emulator, tmp_path):
    url, kubeconfig, volumes = secured_emulator
    admin(url, "tokens", {"token": "controller-token", "user": "system:serviceaccount:pybak-system:pybak-controller", "rules": rbac_rules()})
    controller_config = kubeconfig_as(kubeconfig, tmp_path, {"token": "controller-token"})

    install_crd(kubeconfig)
    proc = start_controller(pybak, controller_config, tmp_path / "controller.log")
    try:
        leading(kubeconfig)
        data = write_files(volumes / "inbox" / "incoming", 5)
        (volumes / "archive").mkdir(parents=True, exist_ok=True)
        apply_policy(kubeconfig, tmp_path, "invoices")
        wait_for(lambda: get(kubeconfig, "cronjob", "invoices"), what="the CronJob")
        admin(url, "cronjobs/default/invoices/run", {"jobName": "invoices-now"})
        _, conditions = wait_job(kubeconfig, "invoices-now")
        assert conditions == {"Complete"}
        assert stored(volumes / "archive" / "backups") == data
        wait_for(lambda: (get(kubeconfig, "backuppolicy", "invoices") or {}).get("status", {}).get("lastRun", {}).get("result") == "Succeeded",
                 what="the status")
        events = get(kubeconfig, "events.events.k8s.io")["items"]
        assert any(e["reason"] == "CronJobCreated" for e in events)
        # An invalid spec exercises the suspension update and the warning events under the same rules.
        kubectl(kubeconfig, "patch", "backuppolicy", "invoices", "--type", "merge", "-p", '{"spec": {"schedule": "75 * * * *"}}')
        wait_for(lambda: get(kubeconfig, "cronjob", "invoices")["spec"].get("suspend") is True, what="suspension")
        kubectl(kubeconfig, "delete", "backuppolicy", "invoices")
        wait_for(lambda: get(kubeconfig, "cronjob", "invoices") is None, what="the CronJob to go")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
        assert not get(kubeconfig, "lease", "pybak-controller", "-n", "default")["spec"].get("holderIdentity")
    finally:
        stop(proc)
    log = (tmp_path / "controller.log").read_text()
    assert "403" not in log and "orbidden" not in log, log[-3000:]


def test_a_rejected_token_is_replaced_from_the_rotated_token_file_without_a_restart(pybak, secured_emulator, tmp_path):
    """The API server stops accepting the controller's token (as when a projected service-account token expires); the
    controller's requests get 401 and back off, and once the token file holds a new token it carries on: same process,
    still the leader, and a policy applied after the rotation gets its CronJob."""
    url, kubeconfig, _ = secured_emulator
    for token in ("sa-token-1", "sa-token-2"):
        admin(url, "tokens", {"token": token, "user": "system:serviceaccount:pybak-system:pybak-controller"})
    token_file = tmp_path / "token"
    token_file.write_text("sa-token-1")
    controller_config = kubeconfig_as(kubeconfig, tmp_path, {"tokenFile": str(token_file)})

    install_crd(kubeconfig)
    proc = start_controller(pybak, controller_config, tmp_path / "controller.log")
    try:
        leading(kubeconfig)
        apply_policy(kubeconfig, tmp_path, "before")
        wait_for(lambda: get(kubeconfig, "cronjob", "before"), what="the first CronJob")
        log = tmp_path / "controller.log"
        before = len(log.read_text())
        admin(url, "faults", {"rejectToken": "sa-token-1"})
        wait_for(lambda: "HTTP 401" in log.read_text()[before:], timeout=10, what="a refused request in the controller's log")
        (tmp_path / "token.new").write_text("sa-token-2")
        (tmp_path / "token.new").rename(token_file)  # as the kubelet swaps a projected token: atomically
        apply_policy(kubeconfig, tmp_path, "after")
        wait_for(lambda: get(kubeconfig, "cronjob", "after"), timeout=20, what="the CronJob of a policy applied after the rotation")
        assert proc.poll() is None, (tmp_path / "controller.log").read_text()[-3000:]
        lease = get(kubeconfig, "lease", "pybak-controller", "-n", "default")["spec"]
        assert lease["holderIdentity"] == "replica-a" and lease.get("leaseTransitions", 0) == 0
    finally:
        stop(proc)
