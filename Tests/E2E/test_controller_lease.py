"""`pybak controller` under the emulator's `loseLease` fault (KUBE-API.md: lose the leader's Lease): another holder
takes the Lease behind the leader's back; the leader sees it at its next renewal, stops acting and exits non-zero so
that Kubernetes restarts it as a follower, and it does not take the Lease back on the way out. And a leader whose
renewals fail (API 500s on the Lease) steps down once the renew deadline has passed."""
import time

import pytest

from controller_support import get, install_crd, start_controller, stop
from test_controller_faults import apply_policy, leading
from test_operator_worker import admin, emulator  # noqa: F401 (fixture)


@pytest.fixture
def leader(pybak, emulator, tmp_path):
    """(emulator url, kubeconfig, controller process, its log) once the controller (replica-a) leads; stopped after."""
    url, kubeconfig, _ = emulator
    install_crd(kubeconfig)
    log = tmp_path / "controller.log"
    proc = start_controller(pybak, kubeconfig, log)
    try:
        leading(kubeconfig)
        yield url, kubeconfig, proc, log
    finally:
        stop(proc)


def test_a_leader_whose_lease_is_taken_exits_and_leaves_it_to_the_new_holder(leader, tmp_path):
    url, kubeconfig, proc, log = leader
    admin(url, "faults", {"loseLease": {"namespace": "default", "name": "pybak-controller", "holder": "thief"}})
    code = proc.wait(timeout=15)  # renewed every 2 s: the next renewal finds the thief
    assert code != 0, log.read_text()
    assert "lost the leader Lease" in log.read_text()
    lease = get(kubeconfig, "lease", "pybak-controller", "-n", "default")["spec"]
    assert lease["holderIdentity"] == "thief" and lease["leaseTransitions"] == 1
    # Nobody acts for the policy now: the old leader is gone and the thief runs no controller.
    apply_policy(kubeconfig, tmp_path, "unowned")
    assert get(kubeconfig, "cronjob", "unowned") is None


def test_a_leader_that_cannot_renew_for_the_renew_deadline_steps_down(leader):
    """Every Lease update fails with 500: the leader keeps acting while its last renewal is younger than the renew
    deadline (10 s), then stops and exits non-zero, before its Lease (15 s) could expire for a standby."""
    url, kubeconfig, proc, log = leader
    admin(url, "faults", {"error": {"status": 500, "method": "PUT", "path": "/leases/pybak-controller$", "count": -1}})
    failing = time.monotonic()
    code = proc.wait(timeout=30)
    took = time.monotonic() - failing
    assert code != 0, log.read_text()
    # Gave up after the renew deadline (10 s from the last renewal, at most one 2 s period before the fault).
    assert 8 <= took <= 10 + 2 + 2, f"stepped down after {took:.1f}s"
    assert "lost the leader Lease" in log.read_text()
    lease = get(kubeconfig, "lease", "pybak-controller", "-n", "default")["spec"]
    assert lease["holderIdentity"] == "replica-a"  # the release failed too: the Lease expires on its own
