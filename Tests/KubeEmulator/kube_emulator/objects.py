"""Small helpers over object dicts: versions, comparisons, generation rules, options."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from .resources import ResourceType

SERVER_META = ("uid", "resourceVersion", "creationTimestamp", "deletionTimestamp",
               "deletionGracePeriodSeconds", "selfLink", "generation")
KNOWN_META = {"name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
              "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations",
              "ownerReferences", "finalizers", "managedFields"}


@dataclass
class Target:
    """What a request addresses: type, version, namespace, name, subresource."""

    rt: ResourceType
    version: str
    namespace: str = ""
    name: str = ""
    subresource: str = ""


@dataclass
class WriteOptions:
    """Options of a write: dryRun, fieldManager, fieldValidation, force; collects warnings."""

    manager: str = "unknown"
    field_validation: str = "Warn"
    dry_run: bool = False
    force: bool = False
    explicit_manager: bool = False
    warnings: list[str] = field(default_factory=list)


def external(rt: ResourceType, version: str, obj: dict[str, Any]) -> dict[str, Any]:
    """Return ``obj`` as served at ``version`` (apiVersion/kind set first)."""
    out = {"apiVersion": rt.api_version(version), "kind": rt.kind}
    out.update({k: v for k, v in obj.items() if k not in ("apiVersion", "kind")})
    return out


def without_volatile(obj: dict[str, Any]) -> dict[str, Any]:
    """Copy without resourceVersion and managedFields, for no-op detection."""
    out = copy.deepcopy(obj)
    meta = out.get("metadata", {})
    meta.pop("resourceVersion", None)
    meta.pop("managedFields", None)
    out.pop("apiVersion", None)
    return out


def spec_part(rt: ResourceType, obj: dict[str, Any]) -> dict[str, Any]:
    """What counts as 'spec' for metadata.generation: all but metadata (and status with a status subresource)."""
    skip = {"metadata", "apiVersion", "kind"} | ({"status"} if rt.status_subresource else set())
    return {k: v for k, v in obj.items() if k not in skip}


def meta(obj: dict[str, Any]) -> dict[str, Any]:
    """``obj['metadata']``, created if missing."""
    m = obj.get("metadata")
    if not isinstance(m, dict):
        m = obj["metadata"] = {}
    return m


GO_TRUE = ("1", "t", "T", "TRUE", "true", "True")
"""Spellings Go's strconv.ParseBool reads as true (query parameters like ``watch``)."""
