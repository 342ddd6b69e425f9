"""Discovery documents: ``/version``, ``/api``, ``/api/v1``, ``/apis``, ``/apis/G``, ``/apis/G/V``."""

from __future__ import annotations

import hashlib
from typing import Any

from .resources import Registry, ResourceType

VERSION_INFO = {
    "major": "1", "minor": "32", "gitVersion": "v1.32.0-kube-emulator", "gitCommit": "0" * 40,
    "gitTreeState": "clean", "buildDate": "2025-01-01T00:00:00Z", "goVersion": "go1.23.0",
    "compiler": "gc", "platform": "linux/amd64",
}


def _storage_hash(rt: ResourceType) -> str:
    return hashlib.sha256(rt.key.encode()).hexdigest()[:11]


def resource_entries(rt: ResourceType) -> list[dict[str, Any]]:
    """The APIResource entries for one type and its subresources."""
    entry: dict[str, Any] = {"name": rt.plural, "singularName": rt.singular, "namespaced": rt.namespaced,
                             "kind": rt.kind, "verbs": rt.verbs, "storageVersionHash": _storage_hash(rt)}
    if rt.short_names:
        entry["shortNames"] = rt.short_names
    if rt.categories:
        entry["categories"] = rt.categories
    out = [entry]
    if rt.status_subresource:
        out.append({"name": f"{rt.plural}/status", "singularName": "", "namespaced": rt.namespaced,
                    "kind": rt.kind, "verbs": ["get", "patch", "update"]})
    if "log" in rt.extra_subresources:
        out.append({"name": f"{rt.plural}/log", "singularName": "", "namespaced": True, "kind": "Pod", "verbs": ["get"]})
    if "scale" in rt.extra_subresources:
        out.append({"name": f"{rt.plural}/scale", "singularName": "", "namespaced": rt.namespaced, "group": "autoscaling",
                    "version": "v1", "kind": "Scale", "verbs": ["get", "patch", "update"]})
    return out


def api_versions(server_address: str) -> dict[str, Any]:
    """``GET /api``."""
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}]}


def _group_doc(group: str, versions: list[str]) -> dict[str, Any]:
    gvs = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
    return {"name": group, "versions": gvs, "preferredVersion": gvs[0]}


def api_group_list(registry: Registry) -> dict[str, Any]:
    """``GET /apis``."""
    groups = [_group_doc(g, vs) for g, vs in sorted(registry.groups().items()) if g]
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def api_group(registry: Registry, group: str) -> dict[str, Any] | None:
    """``GET /apis/GROUP`` (None if the group is not served)."""
    versions = registry.groups().get(group)
    if not versions or not group:
        return None
    return {"kind": "APIGroup", "apiVersion": "v1", **_group_doc(group, versions)}


def resource_list(registry: Registry, group: str, version: str) -> dict[str, Any] | None:
    """``GET /api/v1`` or ``GET /apis/GROUP/VERSION`` (None if not served)."""
    types = [rt for rt in registry.all() if rt.group == group and version in rt.versions]
    if not types:
        return None
    gv = f"{group}/{version}" if group else version
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv,
            "resources": [e for rt in sorted(types, key=lambda t: t.plural) for e in resource_entries(rt)]}
