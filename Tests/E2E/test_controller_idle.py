"""`pybak controller` is event-driven (issue 7: informers, no polling loops): once its policies are reconciled
and nothing changes, the only API requests it makes are the Lease renewals of leader election, counted by the
emulator per User-Agent, method and path (the 1,000-policy version of this is bench/controller.py)."""
import signal
import time

from controller_support import controller_requests, emulator_requests, get, install_crd, start_controller, stop, wait_for
from test_controller_faults import apply_policy, leading
from test_operator_worker import admin, emulator  # noqa: F401 (fixture)


def test_a_settled_controller_only_renews_its_lease(pybak, emulator, tmp_path):
    url, kubeconfig, _ = emulator
    install_crd(kubeconfig)
    proc = start_controller(pybak, kubeconfig, tmp_path / "controller.log")
    try:
        leading(kubeconfig)
        # No run falls into the window: one policy suspended, one scheduled once a year.
        apply_policy(kubeconfig, tmp_path, "paused", "  suspend: true\n")
        apply_policy(kubeconfig, tmp_path, "yearly", "  schedule: '0 0 1 1 *'\n")
        for name in ("paused", "yearly"):
            wait_for(lambda: (p := get(kubeconfig, "backuppolicy", name)) and p.get("status", {}).get("observedGeneration") == 1
                     and get(kubeconfig, "cronjob", name), what=f"{name} reconciled")
        time.sleep(2)  # the writes that follow the CronJobs' own events settle
        emulator_requests(url, clear=True)
        time.sleep(6)
        made = controller_requests(emulator_requests(url, clear=True))
        renewals = [(method, path, watch, count) for method, path, watch, count in made if "/leases/" in path and not watch]
        assert renewals and {method for method, *_ in renewals} <= {"GET", "PUT"}, made
        assert sum(count for *_, count in renewals) <= 8, made  # a GET and a PUT every 2 s
        others = [request for request in made if request not in renewals]
        assert others == [], f"requests besides the Lease renewals while idle: {others}"
    finally:
        stop(proc)


def test_a_restarted_controller_waits_for_its_caches_before_reconciling(pybak, emulator, tmp_path):
    """A new controller (a rolling update) over policies whose CronJobs exist: it reconciles only once its informers
    have listed, so it writes no CronJob (before, it POSTed CronJobs its cache had not loaded yet, each a 409)."""
    url, kubeconfig, _ = emulator
    install_crd(kubeconfig)
    first = start_controller(pybak, kubeconfig, tmp_path / "first.log")
    try:
        leading(kubeconfig)
        names = [f"policy-{i}" for i in range(20)]
        for name in names:
            apply_policy(kubeconfig, tmp_path, name, "  suspend: true\n")
        wait_for(lambda: all(get(kubeconfig, "cronjob", name) for name in names), what="the CronJobs")
        first.send_signal(signal.SIGTERM)  # releases the Lease: the next controller leads at once
        assert first.wait(timeout=15) == 0
    finally:
        stop(first)
    emulator_requests(url, clear=True)
    # The CronJob list answers late (as a large one does): the policies are known well before their CronJobs are.
    admin(url, "faults", {"delay": {"seconds": 3, "count": 1, "method": "GET", "path": "^/apis/batch/v1/cronjobs$"}})
    second = start_controller(pybak, kubeconfig, tmp_path / "second.log", identity="replica-b")
    try:
        leading(kubeconfig, "replica-b")
        time.sleep(6)  # the list arrived and every policy was reconciled
        made = controller_requests(emulator_requests(url, clear=True))
        writes = [(method, path) for method, path, watch, _ in made if "/cronjobs" in path and method != "GET"]
        assert writes == [], f"the restarted controller wrote CronJobs that exist: {made}"
    finally:
        stop(second)
        second.wait()
