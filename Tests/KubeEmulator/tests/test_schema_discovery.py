"""KUBE-API rows: validation, discovery, OpenAPI, tables."""

from __future__ import annotations

from helpers import BKP, policy

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"


def test_schema_defaults_and_422_field_paths(crd_client):
    created = crd_client.post(BKP, policy("p")).body
    assert created["spec"]["schedule"] == "*/2 * * * *"
    assert created["spec"]["suspend"] is False and created["spec"]["parallelism"] == 2
    bad = policy("q", schedule="nope", compression={"format": "zip", "level": 0}, parallelism="two")
    del bad["spec"]["destination"]
    reply = crd_client.post(BKP, bad)
    assert reply.status == 422 and reply.body["reason"] == "Invalid"
    fields = {c["field"]: c["reason"] for c in reply.body["details"]["causes"]}
    assert fields == {"spec.schedule": "FieldValueInvalid", "spec.compression.format": "FieldValueNotSupported",
                      "spec.compression.level": "FieldValueInvalid", "spec.parallelism": "FieldValueTypeInvalid",
                      "spec.destination": "FieldValueRequired"}
    assert reply.body["message"].startswith('BackupPolicy.pybak.io "q" is invalid: [')


def test_unknown_fields_by_field_validation(crd_client):
    body = policy("p", bogus=1)
    strict = crd_client.post(f"{BKP}?fieldValidation=Strict", body)
    assert strict.status == 400 and 'unknown field "spec.bogus"' in strict.body["message"]
    warn = crd_client.post(BKP, body)
    assert warn.status == 201 and "bogus" not in warn.body["spec"]
    assert any('unknown field \\"spec.bogus\\"' in w for w in warn.all_headers["warning"])
    ignored = crd_client.post(f"{BKP}?fieldValidation=Ignore", policy("q", bogus=1))
    assert ignored.status == 201 and "warning" not in ignored.headers


def test_dry_run_does_not_persist(crd_client):
    reply = crd_client.post(f"{BKP}?dryRun=All", policy("p"))
    assert reply.status == 201 and reply.body["spec"]["schedule"] == "*/2 * * * *"
    assert crd_client.get(f"{BKP}/p").status == 404


def test_builtin_validation(client):
    cj = {"metadata": {"name": "c"}, "spec": {"schedule": "61 * * * *", "jobTemplate": {"spec": {"template": {"spec": {
        "restartPolicy": "Always", "containers": [{"name": "w"}]}}}}}}
    reply = client.post("/apis/batch/v1/namespaces/default/cronjobs", cj)
    assert reply.status == 422
    fields = {c["field"] for c in reply.body["details"]["causes"]}
    assert fields == {"spec.schedule", "spec.jobTemplate.spec.template.spec.restartPolicy",
                      "spec.jobTemplate.spec.template.spec.containers[0].image"}
    lease = {"metadata": {"name": "l"}, "spec": {"renewTime": "yesterday"}}
    assert client.post("/apis/coordination.k8s.io/v1/namespaces/default/leases", lease).status == 422


def test_discovery_lists_crd_resources(crd_client):
    assert crd_client.get("/version").body["major"] == "1"
    assert crd_client.get("/api").body["versions"] == ["v1"]
    core = {r["name"] for r in crd_client.get("/api/v1").body["resources"]}
    assert {"pods", "secrets", "namespaces", "pods/log", "events"} <= core
    groups = {g["name"]: g for g in crd_client.get("/apis").body["groups"]}
    assert groups["pybak.io"]["preferredVersion"]["groupVersion"] == "pybak.io/v1alpha1"
    assert {"batch", "coordination.k8s.io", "apiextensions.k8s.io"} <= set(groups)
    res = {r["name"]: r for r in crd_client.get("/apis/pybak.io/v1alpha1").body["resources"]}
    assert res["backuppolicies"]["kind"] == "BackupPolicy" and res["backuppolicies"]["shortNames"] == ["bkp"]
    assert res["backuppolicies"]["namespaced"] is True and "watch" in res["backuppolicies"]["verbs"]
    assert res["backuppolicies/status"]["verbs"] == ["get", "patch", "update"]
    assert crd_client.get("/apis/pybak.io").body["versions"][0]["version"] == "v1alpha1"


def test_openapi_v3_index_and_document(crd_client):
    index = crd_client.get("/openapi/v3").body["paths"]
    url = index["apis/pybak.io/v1alpha1"]["serverRelativeURL"]
    assert url.startswith("/openapi/v3/apis/pybak.io/v1alpha1?hash=")
    assert "api/v1" in index and "apis/batch/v1" in index
    doc = crd_client.get(url).body
    item = doc["paths"]["/apis/pybak.io/v1alpha1/namespaces/{namespace}/backuppolicies/{name}"]
    patch = item["patch"]
    assert patch["x-kubernetes-group-version-kind"] == {"group": "pybak.io", "version": "v1alpha1", "kind": "BackupPolicy"}
    assert any(p["name"] == "fieldValidation" and p["in"] == "query" for p in patch["parameters"])
    schema = doc["components"]["schemas"]["io.pybak.v1alpha1.BackupPolicy"]
    assert schema["properties"]["spec"]["properties"]["schedule"]["default"] == "*/2 * * * *"
    crd_client.patch("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/backuppolicies.pybak.io",
                     [{"op": "add", "path": "/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/note",
                       "value": {"type": "string"}}], content_type="application/json-patch+json")
    assert crd_client.get("/openapi/v3").body["paths"]["apis/pybak.io/v1alpha1"]["serverRelativeURL"] != url


def test_table_uses_printer_columns(crd_client):
    crd_client.post(BKP, policy("p", destination={"path": "out/"}))
    crd_client.patch(f"{BKP}/p/status", {"status": {"conditions": [{"type": "Ready", "status": "True"}], "totals": {"files": 7}}})
    table = crd_client.get(BKP, headers={"Accept": TABLE}).body
    assert table["kind"] == "Table" and table["apiVersion"] == "meta.k8s.io/v1"
    cols = [(c["name"], c["priority"]) for c in table["columnDefinitions"]]
    assert cols == [("Name", 0), ("Schedule", 0), ("Suspended", 0), ("Ready", 0), ("Last Result", 0), ("Files", 1),
                    ("Destination", 1), ("Age", 0)]
    row = table["rows"][0]
    assert row["cells"][:7] == ["p", "*/2 * * * *", False, "True", None, 7, "out/"]
    assert row["cells"][7].endswith("s")
    assert row["object"]["kind"] == "PartialObjectMetadata" and row["object"]["metadata"]["name"] == "p"
    full = crd_client.get(f"{BKP}?includeObject=Object", headers={"Accept": TABLE}).body
    assert full["rows"][0]["object"]["spec"]["destination"]["path"] == "out/"
    plain = crd_client.get(BKP).body
    assert plain["kind"] == "BackupPolicyList"


def test_watch_with_table_accept_sends_one_row_tables(crd_client):
    rv = crd_client.get(BKP).body["metadata"]["resourceVersion"]
    stream = crd_client.watch(f"{BKP}?watch=1&resourceVersion={rv}", headers={"Accept": TABLE})
    crd_client.post(BKP, policy("p"))
    event = stream.next()
    assert event["type"] == "ADDED" and event["object"]["kind"] == "Table"
    assert len(event["object"]["rows"]) == 1 and event["object"]["rows"][0]["cells"][0] == "p"
    stream.close()
