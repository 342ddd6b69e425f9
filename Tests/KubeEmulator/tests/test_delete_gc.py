"""KUBE-API rows: delete with finalizers, propagation policies, garbage collection."""

from __future__ import annotations

from helpers import BKP, policy, wait_for

CM = "/api/v1/namespaces/default/configmaps"


def _owned(client, name, owner):
    body = {"metadata": {"name": name, "ownerReferences": [{"apiVersion": "pybak.io/v1alpha1", "kind": "BackupPolicy",
                                                             "name": owner["metadata"]["name"], "uid": owner["metadata"]["uid"]}]},
            "data": {"k": "v"}}
    assert client.post(CM, body).status == 201


def test_finalizer_keeps_object_until_removed(crd_client):
    body = policy("p")
    body["metadata"]["finalizers"] = ["pybak.io/cleanup"]
    rv = crd_client.post(BKP, body).body["metadata"]["resourceVersion"]
    stream = crd_client.watch(f"{BKP}?watch=1&resourceVersion={rv}")
    reply = crd_client.delete(f"{BKP}/p")
    assert reply.status == 200
    still = crd_client.get(f"{BKP}/p")
    assert still.status == 200 and still.body["metadata"]["deletionTimestamp"]
    event = stream.next()
    assert event["type"] == "MODIFIED" and event["object"]["metadata"]["deletionTimestamp"]
    cur = still.body
    cur["metadata"]["finalizers"].append("late/added")
    assert crd_client.put(f"{BKP}/p", cur).status == 422  # no new finalizers while terminating
    assert crd_client.patch(f"{BKP}/p", {"metadata": {"finalizers": None}}).status == 200
    assert stream.next()["type"] == "DELETED"
    assert crd_client.get(f"{BKP}/p").status == 404


def test_background_deletion_collects_dependents(crd_client):
    owner = crd_client.post(BKP, policy("owner")).body
    _owned(crd_client, "dep1", owner)
    _owned(crd_client, "dep2", owner)
    assert crd_client.delete(f"{BKP}/owner").status == 200
    assert crd_client.get(f"{BKP}/owner").status == 404
    wait_for(lambda: crd_client.get(f"{CM}/dep1").status == 404 and crd_client.get(f"{CM}/dep2").status == 404)


def test_dependent_of_missing_owner_is_collected(crd_client):
    ghost = {"metadata": {"name": "ghost", "uid": "00000000-0000-0000-0000-000000000000"}}
    _owned(crd_client, "orphaned", ghost)
    wait_for(lambda: crd_client.get(f"{CM}/orphaned").status == 404)


def test_dangling_owner_ref_added_beside_live_owner_is_dropped(crd_client):
    # An update (not only a create) with owner references is looked at: the ghost reference goes, the object stays.
    owner = crd_client.post(BKP, policy("owner")).body
    _owned(crd_client, "dep", owner)
    dep = crd_client.get(f"{CM}/dep").body
    dep["metadata"]["ownerReferences"].append({"apiVersion": "v1", "kind": "ConfigMap", "name": "ghost",
                                               "uid": "00000000-0000-0000-0000-000000000001"})
    assert crd_client.put(f"{CM}/dep", dep).status == 200
    refs = wait_for(lambda: (lambda d: d.status == 200 and len(d.body["metadata"]["ownerReferences"]) == 1 and
                             d.body["metadata"]["ownerReferences"])(crd_client.get(f"{CM}/dep")))
    assert refs[0]["uid"] == owner["metadata"]["uid"]


def test_foreground_deletion_waits_for_dependents(crd_client):
    owner = crd_client.post(BKP, policy("owner")).body
    _owned(crd_client, "dep", owner)
    crd_client.patch(f"{CM}/dep", {"metadata": {"finalizers": ["hold"]}})
    reply = crd_client.delete(f"{BKP}/owner", {"propagationPolicy": "Foreground"})
    assert reply.status == 200
    wait_for(lambda: crd_client.get(f"{CM}/dep").body["metadata"].get("deletionTimestamp"))
    owner_now = crd_client.get(f"{BKP}/owner").body
    assert "foregroundDeletion" in owner_now["metadata"]["finalizers"]
    crd_client.patch(f"{CM}/dep", {"metadata": {"finalizers": None}})
    wait_for(lambda: crd_client.get(f"{BKP}/owner").status == 404)


def test_orphan_deletion_keeps_dependents_without_owner_ref(crd_client):
    owner = crd_client.post(BKP, policy("owner")).body
    _owned(crd_client, "dep", owner)
    assert crd_client.delete(f"{BKP}/owner?propagationPolicy=Orphan").status == 200
    wait_for(lambda: crd_client.get(f"{BKP}/owner").status == 404)
    dep = crd_client.get(f"{CM}/dep")
    assert dep.status == 200 and not dep.body["metadata"].get("ownerReferences")


def test_delete_preconditions(crd_client):
    crd_client.post(BKP, policy("p"))
    reply = crd_client.delete(f"{BKP}/p", {"preconditions": {"uid": "wrong"}})
    assert reply.status == 409 and reply.body["reason"] == "Conflict"
    assert crd_client.delete(f"{BKP}/p").status == 200
    assert crd_client.delete(f"{BKP}/p").status == 404


def test_crd_deletion_removes_instances_and_endpoint(crd_client):
    crd_client.post(BKP, policy("p"))
    assert crd_client.delete("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/backuppolicies.pybak.io").status == 200
    wait_for(lambda: crd_client.get("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/backuppolicies.pybak.io").status == 404)
    assert crd_client.get(BKP).status == 404
    assert crd_client.get("/apis/pybak.io/v1alpha1").status == 404
