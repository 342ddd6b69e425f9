"""KUBE-API rows: list, watch, 410 Gone, bookmarks."""

from __future__ import annotations

from helpers import BKP, policy


def test_list_returns_opaque_noncontiguous_resource_versions(crd_client):
    rvs = []
    for i in range(15):
        reply = crd_client.post(BKP, policy(f"p{i}"))
        assert reply.status == 201
        rvs.append(int(reply.body["metadata"]["resourceVersion"]))
    listing = crd_client.get(BKP)
    assert listing.status == 200
    assert isinstance(listing.body["metadata"]["resourceVersion"], str)
    assert int(listing.body["metadata"]["resourceVersion"]) >= rvs[-1]
    assert len(listing.body["items"]) == 15
    gaps = {b - a for a, b in zip(rvs, rvs[1:])}
    assert all(g > 0 for g in gaps) and gaps != {1}, gaps


def test_watch_from_rv_streams_only_later_changes(crd_client):
    crd_client.post(BKP, policy("before"))
    rv = crd_client.get(BKP).body["metadata"]["resourceVersion"]
    stream = crd_client.watch(f"{BKP}?watch=1&resourceVersion={rv}")
    assert stream.status == 200
    crd_client.post(BKP, policy("after"))
    crd_client.patch(f"{BKP}/after", {"metadata": {"labels": {"x": "y"}}})
    crd_client.delete(f"{BKP}/after")
    events = stream.collect(3)
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [
        ("ADDED", "after"), ("MODIFIED", "after"), ("DELETED", "after")]
    assert events[1]["object"]["metadata"]["labels"] == {"x": "y"}
    assert int(events[2]["object"]["metadata"]["resourceVersion"]) > int(events[1]["object"]["metadata"]["resourceVersion"])
    stream.close()


def test_watch_without_rv_starts_with_synthetic_added(crd_client):
    crd_client.post(BKP, policy("a"))
    crd_client.post(BKP, policy("b"))
    for query in ("", "&resourceVersion=0"):
        stream = crd_client.watch(f"{BKP}?watch=true{query}")
        events = stream.collect(2)
        assert sorted((e["type"], e["object"]["metadata"]["name"]) for e in events) == [("ADDED", "a"), ("ADDED", "b")]
        stream.close()


def test_timeout_seconds_ends_the_stream(crd_client):
    stream = crd_client.watch(f"{BKP}?watch=1&timeoutSeconds=1&resourceVersion={crd_client.get(BKP).body['metadata']['resourceVersion']}")
    assert stream.next(timeout=5) is None
    assert stream.closed_cleanly


def test_watch_from_compacted_rv_gets_410_error_event(emulator_factory):
    from helpers import Client, load_fixture
    emu = emulator_factory(history=5)
    client = Client(emu.url)
    assert client.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", load_fixture("backuppolicy-crd.yaml")).status == 201
    first = client.post(BKP, policy("p0")).body["metadata"]["resourceVersion"]
    for i in range(1, 10):
        client.post(BKP, policy(f"p{i}"))
    stream = client.watch(f"{BKP}?watch=1&resourceVersion={first}")
    assert stream.status == 200
    event = stream.next()
    assert event["type"] == "ERROR"
    assert event["object"]["kind"] == "Status" and event["object"]["code"] == 410
    assert event["object"]["reason"] == "Expired"
    assert stream.next() is None
    exact = client.get(f"{BKP}?resourceVersion={first}&resourceVersionMatch=Exact")
    assert exact.status == 410 and exact.body["reason"] == "Expired"
    # a recent RV still works, and the exact list reflects that point in time
    recent = client.get(BKP).body["metadata"]["resourceVersion"]
    client.post(BKP, policy("later"))
    at = client.get(f"{BKP}?resourceVersion={recent}&resourceVersionMatch=Exact")
    assert at.status == 200 and len(at.body["items"]) == 10


def test_continue_token_pages_and_expires(emulator_factory):
    from helpers import Client, load_fixture
    emu = emulator_factory(history=20)
    client = Client(emu.url)
    client.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", load_fixture("backuppolicy-crd.yaml"))
    for i in range(5):
        client.post(BKP, policy(f"p{i}"))
    page1 = client.get(f"{BKP}?limit=2")
    assert [o["metadata"]["name"] for o in page1.body["items"]] == ["p0", "p1"]
    token = page1.body["metadata"]["continue"]
    page2 = client.get(f"{BKP}?limit=2&continue={token}")
    assert [o["metadata"]["name"] for o in page2.body["items"]] == ["p2", "p3"]
    client.admin("faults", {"expire": True})
    client.post(BKP, policy("p9"))
    gone = client.get(f"{BKP}?limit=2&continue={page2.body['metadata']['continue']}")
    assert gone.status == 410 and gone.body["reason"] == "Expired"


def test_bookmarks_carry_only_resource_version(emulator_factory):
    from helpers import Client, load_fixture
    emu = emulator_factory(bookmark_interval=0.3)
    client = Client(emu.url)
    client.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", load_fixture("backuppolicy-crd.yaml"))
    rv = client.get(BKP).body["metadata"]["resourceVersion"]
    stream = client.watch(f"{BKP}?watch=1&allowWatchBookmarks=true&resourceVersion={rv}")
    event = stream.next(timeout=5)
    assert event["type"] == "BOOKMARK"
    assert set(event["object"]["metadata"]) == {"resourceVersion"}
    assert event["object"]["kind"] == "BackupPolicy"
    stream.close()
    client.post(BKP, policy("x"))
    initial = client.watch(f"{BKP}?watch=1&allowWatchBookmarks=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&resourceVersion=")
    added, mark = initial.collect(2)
    assert added["type"] == "ADDED" and mark["type"] == "BOOKMARK"
    assert mark["object"]["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}
    initial.close()


def test_no_bookmarks_unless_asked(emulator_factory):
    from helpers import Client
    emu = emulator_factory(bookmark_interval=0.2)
    client = Client(emu.url)
    rv = client.get("/api/v1/namespaces").body["metadata"]["resourceVersion"]
    stream = client.watch(f"/api/v1/namespaces?watch=1&timeoutSeconds=1&resourceVersion={rv}")
    assert stream.next(timeout=5) is None
