"""KUBE-API rows: concurrency, status subresource, generation, create, errors."""

from __future__ import annotations

from helpers import BKP, policy


def test_stale_put_is_conflict_and_put_without_rv_is_unconditional(crd_client):
    created = crd_client.post(BKP, policy("p")).body
    fresh = crd_client.get(f"{BKP}/p").body
    fresh["spec"]["suspend"] = True
    assert crd_client.put(f"{BKP}/p", fresh).status == 200
    stale = dict(created, spec=dict(created["spec"], parallelism=5))
    reply = crd_client.put(f"{BKP}/p", stale)
    assert reply.status == 409 and reply.body["reason"] == "Conflict" and reply.body["kind"] == "Status"
    del stale["metadata"]["resourceVersion"]
    reply = crd_client.put(f"{BKP}/p", stale)
    assert reply.status == 200 and reply.body["spec"]["parallelism"] == 5


def test_status_subresource_split(crd_client):
    crd_client.post(BKP, policy("p"))
    obj = crd_client.get(f"{BKP}/p").body
    obj["status"] = {"observedGeneration": 1}
    obj["spec"]["parallelism"] = 3
    main = crd_client.put(f"{BKP}/p", obj).body
    assert "status" not in main and main["spec"]["parallelism"] == 3
    obj = crd_client.get(f"{BKP}/p").body
    obj["status"] = {"observedGeneration": 2, "totals": {"files": 4}}
    obj["spec"]["parallelism"] = 7
    status = crd_client.put(f"{BKP}/p/status", obj).body
    assert status["status"]["totals"]["files"] == 4 and status["spec"]["parallelism"] == 3
    patched = crd_client.patch(f"{BKP}/p/status", {"status": {"lastRun": {"result": "Succeeded"}}, "spec": {"parallelism": 9}})
    assert patched.body["status"]["lastRun"]["result"] == "Succeeded" and patched.body["spec"]["parallelism"] == 3
    assert crd_client.patch(f"{BKP}/p", {"status": {"totals": {"files": 99}}}).body["status"]["totals"]["files"] == 4


def test_generation_counts_spec_changes_only(crd_client):
    assert crd_client.post(BKP, policy("p")).body["metadata"]["generation"] == 1
    assert crd_client.patch(f"{BKP}/p", {"metadata": {"labels": {"a": "b"}}}).body["metadata"]["generation"] == 1
    assert crd_client.patch(f"{BKP}/p/status", {"status": {"observedGeneration": 1}}).body["metadata"]["generation"] == 1
    assert crd_client.patch(f"{BKP}/p", {"spec": {"suspend": True}}).body["metadata"]["generation"] == 2
    same = crd_client.patch(f"{BKP}/p", {"spec": {"suspend": True}}).body
    assert same["metadata"]["generation"] == 2


def test_create_conflicts_generate_name_and_server_fields(crd_client):
    body = policy("p")
    body["metadata"].update(uid="client-chosen", creationTimestamp="2000-01-01T00:00:00Z", resourceVersion="5")
    created = crd_client.post(BKP, body)
    assert created.status == 201
    meta = created.body["metadata"]
    assert meta["uid"] != "client-chosen" and len(meta["uid"]) == 36
    assert meta["creationTimestamp"] != "2000-01-01T00:00:00Z"
    dup = crd_client.post(BKP, policy("p"))
    assert dup.status == 409 and dup.body["reason"] == "AlreadyExists"
    assert dup.body["details"]["name"] == "p"
    gen = policy("")
    gen["metadata"] = {"generateName": "nightly-"}
    names = {crd_client.post(BKP, gen).body["metadata"]["name"] for _ in range(3)}
    assert len(names) == 3 and all(n.startswith("nightly-") and len(n) == len("nightly-") + 5 for n in names)
    nameless = crd_client.post(BKP, {"apiVersion": "pybak.io/v1alpha1", "kind": "BackupPolicy", "metadata": {},
                                     "spec": policy("x")["spec"]})
    assert nameless.status == 422


def test_every_error_is_a_status(crd_client, emu):
    from helpers import Client
    cases = [
        (crd_client.get(f"{BKP}/missing"), 404, "NotFound"),
        (crd_client.post(BKP, policy("BAD_NAME")), 422, "Invalid"),
        (crd_client.get("/apis/nope.io/v1/things"), 404, "NotFound"),
        (crd_client.post(BKP, "{not json"), 400, "BadRequest"),
        (crd_client.post("/apis/pybak.io/v1alpha1/namespaces/absent/backuppolicies", policy("x")), 404, "NotFound"),
    ]
    for reply, code, reason in cases:
        assert reply.status == code, reply
        body = reply.body
        assert body["kind"] == "Status" and body["apiVersion"] == "v1" and body["status"] == "Failure"
        assert body["code"] == code and body["reason"] == reason and body["message"]


def test_namespace_deletion_removes_contents(crd_client):
    assert crd_client.post("/api/v1/namespaces", {"metadata": {"name": "team"}}).status == 201
    crd_client.post("/apis/pybak.io/v1alpha1/namespaces/team/backuppolicies", policy("p"))
    crd_client.post("/api/v1/namespaces/team/configmaps", {"metadata": {"name": "c"}, "data": {"k": "v"}})
    reply = crd_client.delete("/api/v1/namespaces/team")
    assert reply.status == 200 and reply.body["status"]["phase"] == "Terminating"
    from helpers import wait_for
    wait_for(lambda: crd_client.get("/api/v1/namespaces/team").status == 404)
    assert crd_client.get("/apis/pybak.io/v1alpha1/namespaces/team/backuppolicies/p").status == 404
