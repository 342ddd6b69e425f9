"""Resource verbs (get, list, create, update, patch, delete, deletecollection)
with the real server's semantics: resourceVersion preconditions, status
subresource, generation, finalizers, propagation policies, validation and
``fieldValidation``, dry runs, and managedFields.

Both the HTTP layer and the emulated controllers (GC, CronJob, Job, kubelet)
call these methods; every write runs under the store's lock.
"""

from __future__ import annotations

import base64
import copy
import json
from typing import Any, Callable

import yaml

from . import admission, patch as patches, ssa
from .clock import Clock, rfc3339
from .errors import (ApiError, already_exists, bad_request, conflict, expired, invalid, not_found,
                     resource_ref, success_status)
from .names import new_uid, random_suffix
from .objects import KNOWN_META, SERVER_META, Target, WriteOptions, external, meta, spec_part, without_volatile
from .resources import Registry, ResourceType
from .schema import apply_schema
from .selection import fields_match, labels_match, parse_field_selector, parse_label_selector
from .store import Store

CRD_KEY = "apiextensions.k8s.io/customresourcedefinitions"
NS_KEY = "/namespaces"
CRD_CLEANUP = "customresourcecleanup.apiextensions.k8s.io"


def parse_rv(value: str | None) -> int | None:
    """Parse a resourceVersion query value (None for empty); 400 if not a server-issued RV."""
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise bad_request(f'resourceVersion: Invalid value: "{value}": strconv.ParseUint: parsing "{value}": invalid syntax')


class Api:
    """The object verbs over one store and registry."""

    def __init__(self, store: Store, registry: Registry, clock: Clock) -> None:
        self.store = store
        self.registry = registry
        self.clock = clock
        self.delete_hooks: list[Callable[[ResourceType, dict[str, Any]], None]] = []

    def now(self) -> str:
        return rfc3339(self.clock.now())

    # ------------------------------------------------------------ reads
    def get(self, t: Target) -> dict[str, Any]:
        """Return one object (404 if absent)."""
        obj = self.store.get(t.rt.key, t.namespace, t.name)
        if obj is None:
            raise not_found(t.rt.group, t.rt.plural, t.rt.kind, t.name)
        return external(t.rt, t.version, obj)

    def list(self, t: Target, query: dict[str, str]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """Return (items, list metadata) honouring selectors, resourceVersion(Match), limit and continue."""
        labels = parse_label_selector(query.get("labelSelector"))
        fields = parse_field_selector(query.get("fieldSelector"), t.rt.supports_field)
        ns = t.namespace or None
        start_after = None
        token = query.get("continue")
        if token:
            try:
                decoded = json.loads(base64.urlsafe_b64decode(token.encode()))
                rv, start_after = int(decoded["rv"]), tuple(decoded["start"])
            except (ValueError, KeyError, TypeError):
                raise bad_request("continue key is not valid")
            try:
                items = self.store.list_at(t.rt.key, ns, rv)
            except ApiError:
                raise expired("The provided continue parameter is too old to display a consistent list result. "
                              "You can start a new list without the continue parameter, or use the continue token "
                              "in this response to retrieve the remainder of the results.")
        else:
            want = parse_rv(query.get("resourceVersion"))
            match = query.get("resourceVersionMatch", "")
            if match and want is None:
                raise bad_request("resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided")
            if match == "Exact" and want not in (None, 0):
                items, rv = self.store.list_at(t.rt.key, ns, want), want
            else:
                if want and want > self.store.current_rv():
                    self._wait_for_rv(want)
                items, rv = self.store.list(t.rt.key, ns)
        items = [o for o in items if labels_match(labels, o) and fields_match(fields, o)]
        if start_after is not None:
            items = [o for o in items if obj_sort_key(o) > start_after]
        list_meta: dict[str, Any] = {"resourceVersion": str(rv)}
        limit = int(query.get("limit") or 0)
        if limit > 0 and len(items) > limit:
            remaining = len(items) - limit
            items = items[:limit]
            cont = {"rv": rv, "start": list(obj_sort_key(items[-1]))}
            list_meta["continue"] = base64.urlsafe_b64encode(json.dumps(cont).encode()).decode()
            list_meta["remainingItemCount"] = remaining
        return [external(t.rt, t.version, o) for o in items], list_meta

    def _wait_for_rv(self, want: int) -> None:
        deadline = self.clock.now() + 3
        with self.store.cond:
            while self.store.current_rv() < want:
                left = deadline - self.clock.now()
                if left <= 0:
                    raise ApiError(504, f"Too large resource version: {want}, current: {self.store.current_rv()}",
                                   "Timeout", {"causes": [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}],
                                               "retryAfterSeconds": 1})
                self.store.wait(left)

    # ------------------------------------------------------------ body checks
    def _body(self, t: Target, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise bad_request("the request body must be a JSON or YAML object")
        obj = copy.deepcopy(body)
        want = t.rt.api_version(t.version)
        if obj.get("apiVersion") not in (None, "", want):
            raise bad_request(f"the API version in the data ({obj['apiVersion']}) does not match the expected API version ({want})")
        if obj.get("kind") not in (None, "", t.rt.kind):
            raise bad_request(f"the kind in the data ({obj['kind']}) does not match the expected kind ({t.rt.kind})")
        obj["apiVersion"], obj["kind"] = want, t.rt.kind
        m = meta(obj)
        if t.rt.namespaced:
            if m.get("namespace") and m["namespace"] != t.namespace:
                raise bad_request("the namespace of the provided object does not match the namespace sent on the request")
            m["namespace"] = t.namespace
        else:
            m.pop("namespace", None)
        return obj

    def _admit(self, t: Target, obj: dict[str, Any], old: dict[str, Any] | None, opts: WriteOptions) -> None:
        """Prune/default/validate ``obj`` in place; apply fieldValidation to unknown fields."""
        rt = t.rt
        unknown = [f"metadata.{k}" for k in meta(obj) if k not in KNOWN_META]
        for k in unknown:
            meta(obj).pop(k.split(".", 1)[1], None)
        causes: list[dict[str, str]] = []
        schema = rt.schema(t.version)
        if schema is not None:
            run = apply_schema(obj, schema)
            unknown += run.unknown
            causes += run.causes
        if unknown:
            if opts.field_validation == "Strict":
                listed = ", ".join(f'unknown field "{u}"' for u in unknown)
                raise bad_request(f'{rt.kind} in version "{t.version}" cannot be handled as a {rt.kind}: strict decoding error: {listed}')
            if opts.field_validation != "Ignore":
                opts.warnings += [f'unknown field "{u}"' for u in unknown]
        causes += admission.default_and_validate(rt, obj, old)
        causes += admission.metadata_causes(meta(obj), rt)
        if old is not None and old["metadata"].get("deletionTimestamp"):
            added = [f for f in meta(obj).get("finalizers") or [] if f not in (old["metadata"].get("finalizers") or [])]
            if added:
                causes.append({"field": "metadata.finalizers", "reason": "FieldValueForbidden",
                               "message": f"Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers {json.dumps(added)}"})
        if causes:
            raise invalid(rt.group, rt.kind, meta(obj).get("name", ""), causes)

    # ------------------------------------------------------------ create
    def create(self, t: Target, body: Any, opts: WriteOptions, applied_fields: bool = False) -> dict[str, Any]:
        """Create an object (POST); returns it as stored."""
        obj = self._body(t, body)
        m = meta(obj)
        with self.store.cond:
            if t.rt.namespaced:
                ns = self.store.get(NS_KEY, "", t.namespace)
                if ns is None:
                    raise not_found("", "namespaces", "Namespace", t.namespace)
                if ns["metadata"].get("deletionTimestamp"):
                    raise ApiError(403, f'{t.rt.kind.lower()} "{m.get("name") or m.get("generateName", "")}" is forbidden: unable to create new content in namespace {t.namespace} because it is being terminated',
                                   "Forbidden", {"name": m.get("name", ""), "group": t.rt.group, "kind": t.rt.plural,
                                                 "causes": [{"reason": "NamespaceTerminating", "field": "metadata.namespace"}]})
            if not m.get("name"):
                if not m.get("generateName"):
                    raise invalid(t.rt.group, t.rt.kind, "", [{"field": "metadata.name", "reason": "FieldValueRequired",
                                                               "message": "Required value: name or generateName is required"}])
                for _ in range(10):
                    m["name"] = m["generateName"] + random_suffix()
                    if self.store.get(t.rt.key, t.namespace, m["name"]) is None:
                        break
            if self.store.get(t.rt.key, t.namespace, m["name"]) is not None:
                raise already_exists(t.rt.group, t.rt.plural, m["name"])
            for key in SERVER_META:
                m.pop(key, None)
            m["uid"] = new_uid()
            m["creationTimestamp"] = self.now()
            m["generation"] = 1
            if t.rt.status_subresource:
                obj.pop("status", None)
            if t.rt.key == CRD_KEY:
                m.setdefault("finalizers", [])
                if CRD_CLEANUP not in m["finalizers"]:
                    m["finalizers"].append(CRD_CLEANUP)
            self._admit(t, obj, None, opts)
            if t.rt.key == CRD_KEY:
                self._check_crd_conflict(obj)
                obj["status"] = admission.crd_status(obj, self.now())
            if not applied_fields:
                ssa.record_update(None, obj, opts.manager, obj["apiVersion"], self.now())
            if opts.dry_run:
                return obj
            stored = self.store.put(t.rt.key, obj, "ADDED")
            if t.rt.key == CRD_KEY:
                self.registry.register_crd(stored)
            return external(t.rt, t.version, stored)

    def _check_crd_conflict(self, crd: dict[str, Any]) -> None:
        spec = crd["spec"]
        existing = self.registry.by_key(f"{spec['group']}/{spec['names']['plural']}")
        if existing is not None and not existing.is_crd:
            raise invalid("apiextensions.k8s.io", "CustomResourceDefinition", crd["metadata"]["name"],
                          [{"field": "spec.group", "message": "Invalid value: is a built-in group"}])

    # ------------------------------------------------------------ update
    def update(self, t: Target, body: Any, opts: WriteOptions) -> dict[str, Any]:
        """Replace an object (PUT) or its status (PUT .../status)."""
        obj = self._body(t, body)
        if meta(obj).get("name", t.name) != t.name:
            raise bad_request(f"the name of the object ({meta(obj)['name']}) does not match the name on the URL ({t.name})")
        meta(obj)["name"] = t.name
        with self.store.cond:
            old = self.store.get(t.rt.key, t.namespace, t.name)
            if old is None:
                raise not_found(t.rt.group, t.rt.plural, t.rt.kind, t.name)
            want = meta(obj).get("resourceVersion")
            if want and want != old["metadata"]["resourceVersion"]:
                raise conflict(t.rt.group, t.rt.plural, t.name,
                               "the object has been modified; please apply your changes to the latest version and try again")
            new = self._merge_for_update(t, old, obj)
            return self._commit_update(t, old, new, opts)

    def _merge_for_update(self, t: Target, old: dict[str, Any], obj: dict[str, Any]) -> dict[str, Any]:
        if t.subresource == "status":
            new = copy.deepcopy(old)
            new["apiVersion"] = obj["apiVersion"]
            if "status" in obj:
                new["status"] = obj["status"]
            else:
                new.pop("status", None)
            if "managedFields" in meta(obj):
                new["metadata"]["managedFields"] = meta(obj)["managedFields"]
            return new
        new = obj
        if t.rt.status_subresource:
            if "status" in old:
                new["status"] = copy.deepcopy(old["status"])
            else:
                new.pop("status", None)
        m = meta(new)
        for key in ("uid", "creationTimestamp", "namespace", "name", "generation", "deletionTimestamp",
                    "deletionGracePeriodSeconds"):
            if key in old["metadata"]:
                m[key] = old["metadata"][key]
            else:
                m.pop(key, None)
        if "managedFields" not in m and "managedFields" in old["metadata"]:
            m["managedFields"] = copy.deepcopy(old["metadata"]["managedFields"])
        return new

    def _commit_update(self, t: Target, old: dict[str, Any], new: dict[str, Any], opts: WriteOptions,
                       applied_fields: bool = False) -> dict[str, Any]:
        rt = t.rt
        self._admit(t, new, old, opts)
        if rt.key == CRD_KEY:
            new["status"] = old.get("status") or admission.crd_status(new, self.now())
        if spec_part(rt, new) != spec_part(rt, old):
            meta(new)["generation"] = int(old["metadata"].get("generation", 1)) + 1
        if without_volatile(new) == without_volatile(old):
            return external(rt, t.version, old)
        if not applied_fields:
            ssa.record_update(old, new, opts.manager, new["apiVersion"], self.now(),
                              "status" if t.subresource == "status" else "")
        if opts.dry_run:
            return external(rt, t.version, new)
        if meta(new).get("deletionTimestamp") and not meta(new).get("finalizers"):
            gone = self._remove(rt, new)
            return external(rt, t.version, gone or new)
        stored = self.store.put(rt.key, new, "MODIFIED")
        if rt.key == CRD_KEY:
            self.registry.register_crd(stored)
        return external(rt, t.version, stored)

    # ------------------------------------------------------------ patch
    def patch(self, t: Target, content_type: str, raw: bytes, opts: WriteOptions) -> tuple[dict[str, Any], bool]:
        """Patch an object; returns (object, created) — apply may create."""
        ctype = content_type.split(";")[0].strip().lower()
        if ctype == patches.STRATEGIC and not t.rt.strategic_merge or ctype not in (
                patches.MERGE, patches.JSON_PATCH, patches.STRATEGIC, patches.APPLY):
            raise ApiError(415, f"the body of the request was in an unknown format - accepted media types include: "
                                f"application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
                                + (", application/strategic-merge-patch+json" if t.rt.strategic_merge else ""),
                           "UnsupportedMediaType")
        try:
            body = yaml.safe_load(raw.decode() or "null") if ctype == patches.APPLY else json.loads(raw or b"null")
        except (ValueError, yaml.YAMLError) as exc:
            raise bad_request(f"error decoding patch: {exc}")
        if ctype == patches.APPLY:
            if not opts.explicit_manager:
                raise bad_request("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch")
            return self._apply(t, body, opts)
        with self.store.cond:
            old = self.store.get(t.rt.key, t.namespace, t.name)
            if old is None:
                raise not_found(t.rt.group, t.rt.plural, t.rt.kind, t.name)
            current = external(t.rt, t.version, old)
            if ctype == patches.MERGE:
                new = patches.merge_patch(current, body)
            elif ctype == patches.JSON_PATCH:
                new = patches.json_patch(current, body)
            else:
                new = patches.strategic_merge(current, body)
            if not isinstance(new, dict):
                raise bad_request("patch result is not an object")
            if meta(new).get("resourceVersion", old["metadata"]["resourceVersion"]) != old["metadata"]["resourceVersion"]:
                raise conflict(t.rt.group, t.rt.plural, t.name,
                               "the object has been modified; please apply your changes to the latest version and try again")
            if meta(new).get("name") != t.name:
                raise bad_request(f"the name of the object ({meta(new).get('name')}) does not match the name on the URL ({t.name})")
            new = self._body(t, new)
            new = self._merge_for_update(t, old, new)
            return self._commit_update(t, old, new, opts), False

    def _apply(self, t: Target, applied: Any, opts: WriteOptions) -> tuple[dict[str, Any], bool]:
        if not isinstance(applied, dict):
            raise bad_request("apply patch must be an object")
        applied = self._body(t, applied)
        if meta(applied).get("name") != t.name:
            raise bad_request(f"the name of the object ({meta(applied).get('name')}) does not match the name on the URL ({t.name})")
        with self.store.cond:
            old = self.store.get(t.rt.key, t.namespace, t.name)
            if old is None:
                if t.subresource:
                    raise not_found(t.rt.group, t.rt.plural, t.rt.kind, t.name)
                obj = ssa.server_side_apply(None, applied, opts.manager, opts.force, applied["apiVersion"],
                                            self.now(), resource_ref(t.rt.group, t.rt.plural), t.name)
                return self.create(Target(t.rt, t.version, t.namespace), obj, opts, applied_fields=True), True
            want = meta(applied).get("resourceVersion")
            if want and want != old["metadata"]["resourceVersion"]:
                raise conflict(t.rt.group, t.rt.plural, t.name,
                               "the object has been modified; please apply your changes to the latest version and try again")
            meta(applied).pop("resourceVersion", None)
            current = external(t.rt, t.version, old)
            new = ssa.server_side_apply(current, applied, opts.manager, opts.force, applied["apiVersion"],
                                        self.now(), resource_ref(t.rt.group, t.rt.plural), t.name)
            new = self._merge_for_update(t, old, new)
            return self._commit_update(t, old, new, opts, applied_fields=True), False

    # ------------------------------------------------------------ delete
    def delete(self, t: Target, options: dict[str, Any], opts: WriteOptions) -> tuple[dict[str, Any], int]:
        """Delete one object; returns (body, HTTP code)."""
        with self.store.cond:
            obj = self.store.get(t.rt.key, t.namespace, t.name)
            if obj is None:
                raise not_found(t.rt.group, t.rt.plural, t.rt.kind, t.name)
            pre = options.get("preconditions") or {}
            if pre.get("uid") and pre["uid"] != obj["metadata"]["uid"]:
                raise conflict(t.rt.group, t.rt.plural, t.name,
                               f"Precondition failed: UID in precondition: {pre['uid']}, UID in object meta: {obj['metadata']['uid']}")
            if pre.get("resourceVersion") and pre["resourceVersion"] != obj["metadata"]["resourceVersion"]:
                raise conflict(t.rt.group, t.rt.plural, t.name,
                               f"Precondition failed: ResourceVersion in precondition: {pre['resourceVersion']}, "
                               f"ResourceVersion in object meta: {obj['metadata']['resourceVersion']}")
            policy = options.get("propagationPolicy")
            if policy is None and options.get("orphanDependents") is not None:
                policy = "Orphan" if options["orphanDependents"] else "Background"
            policy = policy or t.rt.default_propagation
            if policy not in ("Background", "Foreground", "Orphan"):
                raise bad_request(f'propagationPolicy: Unsupported value: "{policy}": supported values: "Foreground", "Background", "Orphan"')
            if opts.dry_run:
                return external(t.rt, t.version, obj), 200
            return self.delete_object(t.rt, obj, policy, t.version)

    def delete_object(self, rt: ResourceType, obj: dict[str, Any], policy: str = "Background",
                      version: str | None = None) -> tuple[dict[str, Any], int]:
        """Delete a stored object now, or mark it terminating when finalizers must run first."""
        version = version or rt.versions[0]
        with self.store.cond:
            m = obj["metadata"]
            finalizers = list(m.get("finalizers") or [])
            extra = {"Foreground": "foregroundDeletion", "Orphan": "orphan"}.get(policy)
            if extra and extra not in finalizers:
                finalizers.append(extra)
            terminating = bool(finalizers) or rt.key == NS_KEY
            if terminating:
                if m.get("deletionTimestamp") and finalizers == (m.get("finalizers") or []):
                    return external(rt, version, obj), 200
                m.setdefault("deletionTimestamp", self.now())
                m.setdefault("deletionGracePeriodSeconds", 0)
                if finalizers:
                    m["finalizers"] = finalizers
                if rt.key == NS_KEY:
                    obj.setdefault("status", {})["phase"] = "Terminating"
                stored = self.store.put(rt.key, obj, "MODIFIED")
                return external(rt, version, stored), 200 if rt.key != NS_KEY else 200
            gone = self._remove(rt, obj)
            details = {"name": m["name"], "group": rt.group, "kind": rt.plural, "uid": m.get("uid")}
            if rt.key in ("/pods",):
                return external(rt, version, gone or obj), 200
            return success_status(details), 200

    def _remove(self, rt: ResourceType, obj: dict[str, Any]) -> dict[str, Any] | None:
        m = obj["metadata"]
        gone = self.store.remove(rt.key, m.get("namespace", ""), m["name"])
        if gone is not None:
            if rt.key == CRD_KEY:
                spec = gone["spec"]
                self.registry.unregister(f"{spec['group']}/{spec['names']['plural']}")
            for hook in self.delete_hooks:
                hook(rt, gone)
        return gone

    def delete_collection(self, t: Target, query: dict[str, str], options: dict[str, Any], opts: WriteOptions) -> dict[str, Any]:
        """Delete every object matching the selectors (DELETE on a collection)."""
        items, list_meta = self.list(t, {k: v for k, v in query.items() if k in ("labelSelector", "fieldSelector")})
        for item in items:
            try:
                self.delete(Target(t.rt, t.version, item["metadata"].get("namespace", ""), item["metadata"]["name"]),
                            options, opts)
            except ApiError as exc:
                if exc.code != 404:
                    raise
        return {"kind": t.rt.list_kind, "apiVersion": t.rt.api_version(t.version), "metadata": list_meta, "items": items}


def obj_sort_key(obj: dict[str, Any]) -> tuple[str, str]:
    m = obj.get("metadata", {})
    return m.get("namespace", ""), m.get("name", "")
