"""OpenAPI v3: the ``/openapi/v3`` index and one document per group-version.

kubectl 1.32 reads these to decide whether the server supports the
``fieldValidation`` query parameter: the PATCH operation on each resource's item
path lists it and carries ``x-kubernetes-group-version-kind``. The component
schemas (CRD ``openAPIV3Schema`` or the built-in ones) also serve ``kubectl explain``.
"""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

from .resources import Registry, ResourceType

OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
STATUS = "io.k8s.apimachinery.pkg.apis.meta.v1.Status"
PATCH_TYPES = ["application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"]


def gv_path(group: str, version: str) -> str:
    """The index key for a group-version (``api/v1`` or ``apis/G/V``)."""
    return f"apis/{group}/{version}" if group else f"api/{version}"


def schema_name(rt: ResourceType, version: str) -> str:
    """Component name: reversed group for CRDs (``io.pybak.v1alpha1.BackupPolicy``)."""
    if rt.is_crd:
        return ".".join(reversed(rt.group.split("."))) + f".{version}.{rt.kind}"
    group = rt.group.split(".")[0] if rt.group else "core"
    return f"io.k8s.api.{group}.{version}.{rt.kind}"


def _param(name: str, where: str = "query", typ: str = "string", required: bool = False, desc: str = "") -> dict[str, Any]:
    return {"name": name, "in": where, "description": desc or name, "required": required,
            "schema": {"type": typ, "uniqueItems": True}}


def _op(rt: ResourceType, version: str, action: str, op_id: str, params: list[dict[str, Any]], ref: str,
        body_types: list[str] | None = None) -> dict[str, Any]:
    op: dict[str, Any] = {
        "tags": [rt.group or "core"], "operationId": op_id, "parameters": params,
        "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": ref}}}},
                      "401": {"description": "Unauthorized"}},
        "x-kubernetes-action": action,
        "x-kubernetes-group-version-kind": {"group": rt.group, "version": version, "kind": rt.kind},
    }
    if body_types:
        op["requestBody"] = {"content": {t: {"schema": {"$ref": ref}} for t in body_types}, "required": True}
    return op


def _paths(rt: ResourceType, version: str) -> dict[str, Any]:
    base = f"/{gv_path(rt.group, version)}"
    ref = f"#/components/schemas/{schema_name(rt, version)}"
    coll = f"{base}/namespaces/{{namespace}}/{rt.plural}" if rt.namespaced else f"{base}/{rt.plural}"
    item = coll + "/{name}"
    scope = [_param("namespace", "path", required=True)] if rt.namespaced else []
    named = scope + [_param("name", "path", required=True)]
    write = [_param("dryRun"), _param("fieldManager"), _param("fieldValidation")]
    listing = [_param(n) for n in ("labelSelector", "fieldSelector", "resourceVersion", "resourceVersionMatch", "continue")] + \
              [_param("limit", typ="integer"), _param("timeoutSeconds", typ="integer"), _param("watch", typ="boolean"),
               _param("allowWatchBookmarks", typ="boolean"), _param("sendInitialEvents", typ="boolean")]
    kind = rt.kind
    patch_types = PATCH_TYPES + ([] if rt.is_crd or not rt.strategic_merge else [])
    paths: dict[str, Any] = {
        coll: {
            "get": _op(rt, version, "list", f"list{kind}", scope + listing, ref),
            "post": _op(rt, version, "post", f"create{kind}", scope + write, ref, ["application/json", "application/yaml"]),
            "delete": _op(rt, version, "deletecollection", f"deletecollection{kind}", scope + listing, ref),
        },
        item: {
            "get": _op(rt, version, "get", f"read{kind}", named, ref),
            "put": _op(rt, version, "put", f"replace{kind}", named + write, ref, ["application/json", "application/yaml"]),
            "patch": _op(rt, version, "patch", f"patch{kind}", named + write + [_param("force", typ="boolean")], ref, patch_types),
            "delete": _op(rt, version, "delete", f"delete{kind}", named + [_param("dryRun"), _param("propagationPolicy"),
                                                                             _param("gracePeriodSeconds", typ="integer")], ref),
        },
    }
    if rt.status_subresource:
        paths[item + "/status"] = {
            "get": _op(rt, version, "get", f"read{kind}Status", named, ref),
            "put": _op(rt, version, "put", f"replace{kind}Status", named + write, ref, ["application/json"]),
            "patch": _op(rt, version, "patch", f"patch{kind}Status", named + write + [_param("force", typ="boolean")], ref, PATCH_TYPES),
        }
    if rt.namespaced:
        paths[f"{base}/{rt.plural}"] = {"get": _op(rt, version, "list", f"list{kind}ForAllNamespaces", listing, ref)}
    return paths


def _component(rt: ResourceType, version: str) -> dict[str, Any]:
    schema = copy.deepcopy(rt.schema(version) or {"type": "object", "x-kubernetes-preserve-unknown-fields": True})
    props = schema.setdefault("properties", {})
    props["apiVersion"] = {"type": "string", "description": "APIVersion defines the versioned schema of this representation of an object."}
    props["kind"] = {"type": "string", "description": "Kind is a string value representing the REST resource this object represents."}
    props["metadata"] = {"allOf": [{"$ref": f"#/components/schemas/{OBJECT_META}"}], "description": "Standard object's metadata."}
    schema.setdefault("type", "object")
    schema["x-kubernetes-group-version-kind"] = [{"group": rt.group, "version": version, "kind": rt.kind}]
    return schema


def _common_components() -> dict[str, Any]:
    return {
        OBJECT_META: {"type": "object", "description": "ObjectMeta is metadata that all persisted resources must have.",
                      "properties": {n: {"type": "string"} for n in (
                          "name", "generateName", "namespace", "uid", "resourceVersion", "creationTimestamp", "deletionTimestamp")} |
                      {"generation": {"type": "integer"}, "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                       "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
                       "finalizers": {"type": "array", "items": {"type": "string"}},
                       "ownerReferences": {"type": "array", "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}},
                       "managedFields": {"type": "array", "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}}},
        STATUS: {"type": "object", "x-kubernetes-preserve-unknown-fields": True,
                 "x-kubernetes-group-version-kind": [{"group": "", "version": "v1", "kind": "Status"}]},
    }


def gv_document(registry: Registry, group: str, version: str) -> dict[str, Any] | None:
    """The OpenAPI v3 document for one group-version, or None if not served."""
    types = [rt for rt in registry.all() if rt.group == group and version in rt.versions]
    if not types:
        return None
    paths: dict[str, Any] = {}
    schemas = _common_components()
    for rt in sorted(types, key=lambda t: t.plural):
        paths.update(_paths(rt, version))
        schemas[schema_name(rt, version)] = _component(rt, version)
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "v1.32.0"},
            "paths": paths, "components": {"schemas": schemas}}


def doc_hash(doc: dict[str, Any]) -> str:
    """Content hash used in ``serverRelativeURL`` (changes whenever the document does)."""
    return hashlib.sha512(json.dumps(doc, sort_keys=True).encode()).hexdigest().upper()[:128]


def index(registry: Registry) -> dict[str, Any]:
    """``GET /openapi/v3``: every served group-version with its hashed URL."""
    paths = {}
    for group, versions in sorted(registry.groups().items()):
        for version in versions:
            doc = gv_document(registry, group, version)
            if doc is not None:
                p = gv_path(group, version)
                paths[p] = {"serverRelativeURL": f"/openapi/v3/{p}?hash={doc_hash(doc)}"}
    return {"paths": paths}
