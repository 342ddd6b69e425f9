"""KUBE-API rows: selectors (list and watch), patch types, server-side apply."""

from __future__ import annotations

from urllib.parse import quote

from helpers import BKP, policy


def _labelled(client, name, labels):
    body = policy(name)
    body["metadata"]["labels"] = labels
    assert client.post(BKP, body).status == 201


def _names(client, query):
    return sorted(o["metadata"]["name"] for o in client.get(f"{BKP}?{query}").body["items"])


def test_label_and_field_selectors_on_list(crd_client):
    _labelled(crd_client, "a", {"tier": "gold", "team": "x"})
    _labelled(crd_client, "b", {"tier": "silver"})
    _labelled(crd_client, "c", {"team": "y"})
    q = lambda s: "labelSelector=" + quote(s)  # noqa: E731
    assert _names(crd_client, q("tier=gold")) == ["a"]
    assert _names(crd_client, q("tier==gold")) == ["a"]
    assert _names(crd_client, q("tier!=gold")) == ["b", "c"]
    assert _names(crd_client, q("tier in (gold,silver)")) == ["a", "b"]
    assert _names(crd_client, q("tier notin (gold)")) == ["b", "c"]
    assert _names(crd_client, q("team")) == ["a", "c"]
    assert _names(crd_client, q("!team")) == ["b"]
    assert _names(crd_client, q("team,tier=gold")) == ["a"]
    assert _names(crd_client, "fieldSelector=" + quote("metadata.name=b")) == ["b"]
    assert _names(crd_client, "fieldSelector=" + quote("metadata.namespace=default,metadata.name!=b")) == ["a", "c"]
    assert crd_client.get(f"{BKP}?fieldSelector=spec.suspend%3Dtrue").status == 400
    assert crd_client.get(f"{BKP}?labelSelector=" + quote("a in b")).status == 400


def test_selector_on_watch_sees_objects_enter_and_leave(crd_client):
    rv = crd_client.get(BKP).body["metadata"]["resourceVersion"]
    stream = crd_client.watch(f"{BKP}?watch=1&resourceVersion={rv}&labelSelector=tier%3Dgold")
    _labelled(crd_client, "x", {"tier": "bronze"})
    crd_client.patch(f"{BKP}/x", {"metadata": {"labels": {"tier": "gold"}}})
    crd_client.patch(f"{BKP}/x", {"spec": {"suspend": True}})
    crd_client.patch(f"{BKP}/x", {"metadata": {"labels": {"tier": "bronze"}}})
    events = stream.collect(3)
    assert [e["type"] for e in events] == ["ADDED", "MODIFIED", "DELETED"]
    stream.close()
    field_stream = crd_client.watch(f"{BKP}?watch=1&resourceVersion={rv}&fieldSelector=metadata.name%3Dx")
    assert field_stream.next()["type"] == "ADDED"
    field_stream.close()


def test_merge_and_json_patch(crd_client):
    crd_client.post(BKP, policy("p", source={"path": "in/", "include": ["*.csv", "*.txt"]}))
    merged = crd_client.patch(f"{BKP}/p", {"spec": {"suspend": True, "source": {"include": None}}})
    assert merged.status == 200 and merged.body["spec"]["suspend"] is True and "include" not in merged.body["spec"]["source"]
    ops = [{"op": "test", "path": "/spec/suspend", "value": True},
           {"op": "replace", "path": "/spec/parallelism", "value": 4},
           {"op": "add", "path": "/metadata/labels", "value": {"k": "v"}}]
    jp = crd_client.patch(f"{BKP}/p", ops, content_type="application/json-patch+json")
    assert jp.status == 200 and jp.body["spec"]["parallelism"] == 4 and jp.body["metadata"]["labels"] == {"k": "v"}
    failed = crd_client.patch(f"{BKP}/p", [{"op": "test", "path": "/spec/suspend", "value": False}],
                              content_type="application/json-patch+json")
    assert failed.status == 422 and failed.body["kind"] == "Status"
    stale = crd_client.patch(f"{BKP}/p", {"metadata": {"resourceVersion": "1"}, "spec": {"suspend": False}})
    assert stale.status == 409
    assert crd_client.patch(f"{BKP}/absent", {"spec": {}}).status == 404


def test_strategic_merge_on_custom_resource_is_415(crd_client):
    crd_client.post(BKP, policy("p"))
    reply = crd_client.patch(f"{BKP}/p", {"spec": {"suspend": True}}, content_type="application/strategic-merge-patch+json")
    assert reply.status == 415 and reply.body["reason"] == "UnsupportedMediaType"


def test_strategic_merge_on_builtin_merges_lists_by_name(client):
    cj = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"}, "spec": {
        "schedule": "*/2 * * * *", "jobTemplate": {"spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [
            {"name": "a", "image": "img:1"}, {"name": "b", "image": "img:1"}]}}}}}}
    assert client.post("/apis/batch/v1/namespaces/default/cronjobs", cj).status == 201
    patch = {"spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "b", "image": "img:2"}]}}}}}}
    reply = client.patch("/apis/batch/v1/namespaces/default/cronjobs/c", patch, content_type="application/strategic-merge-patch+json")
    containers = reply.body["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    assert [(c["name"], c["image"]) for c in containers] == [("a", "img:1"), ("b", "img:2")]


def test_server_side_apply(crd_client):
    doc = "apiVersion: pybak.io/v1alpha1\nkind: BackupPolicy\nmetadata: {name: p}\nspec: {source: {path: in/}, destination: {path: out/}, parallelism: 3}\n"
    no_manager = crd_client.patch(f"{BKP}/p", doc, content_type="application/apply-patch+yaml")
    assert no_manager.status == 400 and no_manager.body["reason"] == "BadRequest"
    created = crd_client.patch(f"{BKP}/p?fieldManager=alice", doc, content_type="application/apply-patch+yaml")
    assert created.status == 201 and created.body["spec"]["parallelism"] == 3
    assert any(e["manager"] == "alice" and e["operation"] == "Apply" for e in created.body["metadata"]["managedFields"])
    bob = doc.replace("parallelism: 3", "parallelism: 5")
    clash = crd_client.patch(f"{BKP}/p?fieldManager=bob", bob, content_type="application/apply-patch+yaml")
    assert clash.status == 409 and clash.body["reason"] == "Conflict" and "alice" in clash.body["message"]
    forced = crd_client.patch(f"{BKP}/p?fieldManager=bob&force=true", bob, content_type="application/apply-patch+yaml")
    assert forced.status == 200 and forced.body["spec"]["parallelism"] == 5
    # alice drops a field she alone owned: it is removed
    with_suspend = doc.replace("parallelism: 3", "suspend: true")
    crd_client.patch(f"{BKP}/p?fieldManager=carol", with_suspend.replace("source: {path: in/}, destination: {path: out/}, ", ""),
                     content_type="application/apply-patch+yaml")
    crd_client.patch(f"{BKP}/p?fieldManager=dave", doc.replace("parallelism: 3", "workers: 4"), content_type="application/apply-patch+yaml")
    after = crd_client.patch(f"{BKP}/p?fieldManager=dave", doc.replace(", parallelism: 3", ""), content_type="application/apply-patch+yaml")
    assert after.status == 200 and after.body["spec"].get("workers") == 1  # removed, then defaulted again
    assert after.body["spec"]["suspend"] is True
