"""KUBE-API rows: auth, Lease, and the fault switches."""

from __future__ import annotations

import time

import pytest

from helpers import BKP, Client, policy

LEASES = "/apis/coordination.k8s.io/v1/namespaces/default/leases"


@pytest.fixture
def secured(emulator_factory):
    emu = emulator_factory(token="s3cret")
    return Client(emu.url, token="s3cret")


def test_token_required_and_identities_authorized(secured):
    assert secured.get("/api/v1/namespaces").status == 200
    anon = secured.get("/api/v1/namespaces", token=None)
    assert anon.status == 401 and anon.body["reason"] == "Unauthorized" and anon.body["kind"] == "Status"
    assert secured.get("/api/v1/namespaces", token="wrong").status == 401
    secured.admin("tokens", {"token": "ro", "user": "reader", "rules": [
        {"verbs": ["get", "list", "watch"], "apiGroups": ["*"], "resources": ["*"], "namespaces": ["*"]}]})
    assert secured.get("/api/v1/namespaces/default/configmaps", token="ro").status == 200
    denied = secured.post("/api/v1/namespaces/default/configmaps", {"metadata": {"name": "c"}}, token="ro")
    assert denied.status == 403 and denied.body["reason"] == "Forbidden"
    assert 'User "reader" cannot create resource "configmaps"' in denied.body["message"]
    assert secured.get("/version", token=None).status == 200


def test_reject_token_fault(secured):
    secured.admin("faults", {"rejectToken": "s3cret"})
    assert secured.get("/api/v1/namespaces").status == 401
    secured.admin("faults", method="DELETE")
    assert secured.get("/api/v1/namespaces").status == 200


def test_lease_election_by_resource_version(client):
    now = "2026-01-01T00:00:00.000000Z"
    lease = {"metadata": {"name": "pybak-leader"}, "spec": {"holderIdentity": "a", "leaseDurationSeconds": 15,
                                                           "acquireTime": now, "renewTime": now, "leaseTransitions": 0}}
    created = client.post(LEASES, lease)
    assert created.status == 201 and created.body["spec"]["renewTime"] == now
    seen_by_b = client.get(f"{LEASES}/pybak-leader").body
    renewed = dict(seen_by_b, spec=dict(seen_by_b["spec"], renewTime="2026-01-01T00:00:05.000000Z"))
    assert client.put(f"{LEASES}/pybak-leader", renewed).status == 200  # a renews
    takeover = dict(seen_by_b, spec=dict(seen_by_b["spec"], holderIdentity="b", leaseTransitions=1))
    lost = client.put(f"{LEASES}/pybak-leader", takeover)
    assert lost.status == 409 and lost.body["reason"] == "Conflict"


def test_lose_lease_fault(client):
    client.post(LEASES, {"metadata": {"name": "l"}, "spec": {"holderIdentity": "me", "leaseDurationSeconds": 15}})
    mine = client.get(f"{LEASES}/l").body
    client.admin("faults", {"loseLease": {"namespace": "default", "name": "l", "holder": "thief"}})
    stolen = client.get(f"{LEASES}/l").body["spec"]
    assert stolen["holderIdentity"] == "thief" and stolen["leaseTransitions"] == 1
    assert stolen["renewTime"].endswith("Z") and len(stolen["renewTime"]) == len("2026-01-01T00:00:00.000000Z")
    assert client.put(f"{LEASES}/l", mine).status == 409


def test_error_fault_with_retry_after_and_count(client):
    client.admin("faults", {"error": {"status": 503, "retryAfter": 2, "count": 2, "path": "configmaps"}})
    for _ in range(2):
        reply = client.get("/api/v1/namespaces/default/configmaps")
        assert reply.status == 503 and reply.headers["retry-after"] == "2"
        assert reply.body["reason"] == "ServiceUnavailable" and reply.body["kind"] == "Status"
    assert client.get("/api/v1/namespaces/default/configmaps").status == 200
    assert client.get("/api/v1/namespaces").status == 200
    client.admin("faults", {"error": {"status": 429, "retryAfter": 1, "count": 1, "method": "POST"}})
    throttled = client.post("/api/v1/namespaces/default/configmaps", {"metadata": {"name": "c"}})
    assert throttled.status == 429 and throttled.body["reason"] == "TooManyRequests" and throttled.headers["retry-after"] == "1"
    client.admin("faults", {"error": {"status": 500, "count": 1}})
    assert client.get("/api/v1/namespaces").body["reason"] == "InternalError"


def test_delay_fault(client):
    client.admin("faults", {"delay": {"seconds": 0.6, "count": 1}})
    start = time.monotonic()
    assert client.get("/api/v1/namespaces").status == 200
    assert time.monotonic() - start >= 0.6
    start = time.monotonic()
    client.get("/api/v1/namespaces")
    assert time.monotonic() - start < 0.5


def test_drop_watch_mid_stream(crd_client):
    crd_client.admin("faults", {"dropWatch": {"afterEvents": 1, "count": 1}})
    rv = crd_client.get(BKP).body["metadata"]["resourceVersion"]
    stream = crd_client.watch(f"{BKP}?watch=1&resourceVersion={rv}")
    crd_client.post(BKP, policy("a"))
    crd_client.post(BKP, policy("b"))
    assert stream.next()["object"]["metadata"]["name"] == "a"
    assert stream.next() is None and stream.closed_cleanly is False
    again = crd_client.watch(f"{BKP}?watch=1&resourceVersion={rv}")
    assert [e["object"]["metadata"]["name"] for e in again.collect(2)] == ["a", "b"]
    crd_client.admin("faults", {"dropOpenWatches": True})
    assert again.next() is None and again.closed_cleanly is False


def test_expire_fault_sends_410_to_open_watches(crd_client):
    rv = crd_client.get(BKP).body["metadata"]["resourceVersion"]
    stream = crd_client.watch(f"{BKP}?watch=1&resourceVersion={rv}")
    crd_client.admin("faults", {"expire": True})
    event = stream.next()
    assert event["type"] == "ERROR" and event["object"]["code"] == 410
    late = crd_client.watch(f"{BKP}?watch=1&resourceVersion={rv}")
    assert late.next()["object"]["code"] == 410
    fresh_rv = crd_client.get(BKP).body["metadata"]["resourceVersion"]
    fresh = crd_client.watch(f"{BKP}?watch=1&resourceVersion={fresh_rv}")
    crd_client.post(BKP, policy("n"))
    assert fresh.next()["type"] == "ADDED"


def test_requests_are_counted_by_agent_method_path_and_watch(client):
    client.request("DELETE", "/_emulator/requests")
    client.get("/api/v1/namespaces", headers={"User-Agent": "one"})
    client.get("/api/v1/namespaces", headers={"User-Agent": "one"})
    client.get("/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=1", headers={"User-Agent": "two"})
    client.get("/healthz")  # public: not counted
    counted = client.request("DELETE", "/_emulator/requests").body
    assert counted["total"] == 3
    assert {"agent": "one", "method": "GET", "path": "/api/v1/namespaces", "watch": False, "count": 2} in counted["requests"]
    assert {"agent": "two", "method": "GET", "path": "/api/v1/namespaces/default/configmaps", "watch": True, "count": 1} in counted["requests"]
    assert client.get("/_emulator/requests").body == {"total": 0, "requests": []}
