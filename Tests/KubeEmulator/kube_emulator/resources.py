"""The registry of served resource types: built-in kinds plus those defined by CRDs."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

from . import builtin_schemas as bs

ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
COMMON_FIELDS = {"metadata.name", "metadata.namespace"}


@dataclass
class ResourceType:
    """One served resource (e.g. ``batch/v1 cronjobs``) and how to treat it."""

    group: str
    versions: list[str]
    plural: str
    singular: str
    kind: str
    namespaced: bool = True
    short_names: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    status_subresource: bool = False
    extra_subresources: list[str] = field(default_factory=list)
    schemas: dict[str, dict[str, Any]] = field(default_factory=dict)
    printer_columns: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    is_crd: bool = False
    field_selectors: set[str] = field(default_factory=set)
    default_propagation: str = "Background"
    verbs: list[str] = field(default_factory=lambda: list(ALL_VERBS))
    strategic_merge: bool = True

    @property
    def key(self) -> str:
        """Store key: ``group/plural``."""
        return f"{self.group}/{self.plural}"

    @property
    def list_kind(self) -> str:
        return self.kind + "List"

    def api_version(self, version: str) -> str:
        """``group/version`` (or just ``version`` for the core group)."""
        return f"{self.group}/{version}" if self.group else version

    def supports_field(self, path: str) -> bool:
        """Whether ``path`` may be used in a fieldSelector on this resource."""
        return path in COMMON_FIELDS or path in self.field_selectors

    def schema(self, version: str) -> dict[str, Any] | None:
        """The validation schema for a version, or None (stored as given)."""
        return self.schemas.get(version)


def _core(plural: str, kind: str, **kw: Any) -> ResourceType:
    return ResourceType("", ["v1"], plural, kind.lower(), kind, **kw)


EVENT_FIELDS = {f"involvedObject.{f}" for f in ("kind", "namespace", "name", "uid", "apiVersion",
                                                 "resourceVersion", "fieldPath")} | {"reason", "reportingComponent", "source", "type"}


def builtin_types() -> list[ResourceType]:
    """The built-in kinds served by the emulator."""
    return [
        _core("namespaces", "Namespace", namespaced=False, short_names=["ns"], status_subresource=True,
              field_selectors={"status.phase"}),
        _core("pods", "Pod", short_names=["po"], categories=["all"], status_subresource=True,
              extra_subresources=["log"], schemas={"v1": bs.POD},
              field_selectors={"status.phase", "spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
                               "spec.serviceAccountName", "status.podIP", "status.nominatedNodeName"}),
        _core("secrets", "Secret", schemas={"v1": bs.SECRET}, field_selectors={"type"}),
        _core("configmaps", "ConfigMap", short_names=["cm"], schemas={"v1": bs.CONFIGMAP}),
        _core("events", "Event", short_names=["ev"], field_selectors=EVENT_FIELDS),
        _core("serviceaccounts", "ServiceAccount", short_names=["sa"]),
        _core("services", "Service", short_names=["svc"], categories=["all"], status_subresource=True),
        _core("persistentvolumeclaims", "PersistentVolumeClaim", short_names=["pvc"], status_subresource=True),
        ResourceType("batch", ["v1"], "jobs", "job", "Job", categories=["all"], status_subresource=True,
                     schemas={"v1": bs.JOB}, field_selectors={"status.successful"}, default_propagation="Orphan"),
        ResourceType("batch", ["v1"], "cronjobs", "cronjob", "CronJob", short_names=["cj"], categories=["all"],
                     status_subresource=True, schemas={"v1": bs.CRONJOB}, default_propagation="Orphan"),
        ResourceType("coordination.k8s.io", ["v1"], "leases", "lease", "Lease", schemas={"v1": bs.LEASE}),
        ResourceType("events.k8s.io", ["v1"], "events", "event", "Event", short_names=["ev"]),
        ResourceType("apps", ["v1"], "deployments", "deployment", "Deployment", short_names=["deploy"],
                     categories=["all"], status_subresource=True),
        ResourceType("apps", ["v1"], "statefulsets", "statefulset", "StatefulSet", short_names=["sts"],
                     categories=["all"], status_subresource=True),
        ResourceType("policy", ["v1"], "poddisruptionbudgets", "poddisruptionbudget", "PodDisruptionBudget",
                     short_names=["pdb"], status_subresource=True),
        ResourceType("networking.k8s.io", ["v1"], "networkpolicies", "networkpolicy", "NetworkPolicy",
                     short_names=["netpol"]),
        ResourceType("rbac.authorization.k8s.io", ["v1"], "roles", "role", "Role"),
        ResourceType("rbac.authorization.k8s.io", ["v1"], "rolebindings", "rolebinding", "RoleBinding"),
        ResourceType("rbac.authorization.k8s.io", ["v1"], "clusterroles", "clusterrole", "ClusterRole", namespaced=False),
        ResourceType("rbac.authorization.k8s.io", ["v1"], "clusterrolebindings", "clusterrolebinding",
                     "ClusterRoleBinding", namespaced=False),
        ResourceType("apiextensions.k8s.io", ["v1"], "customresourcedefinitions", "customresourcedefinition",
                     "CustomResourceDefinition", namespaced=False, short_names=["crd", "crds"],
                     status_subresource=True, strategic_merge=False),
    ]


_VERSION_RE = re.compile(r"^v(\d+)(?:(alpha|beta)(\d+))?$")


def version_priority(version: str) -> tuple[int, int, int]:
    """Sort key for Kubernetes version priority (v2 > v1 > v1beta1 > v1alpha1 > others)."""
    m = _VERSION_RE.match(version)
    if not m:
        return (0, 0, 0)
    stage = {None: 3, "beta": 2, "alpha": 1}[m.group(2)]
    return (stage, int(m.group(1)), int(m.group(3) or 0))


class Registry:
    """Thread-safe lookup of resource types by group/version/plural, kind or short name."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._types: dict[str, ResourceType] = {t.key: t for t in builtin_types()}

    def all(self) -> list[ResourceType]:
        """Every served type."""
        with self._lock:
            return list(self._types.values())

    def by_key(self, key: str) -> ResourceType | None:
        with self._lock:
            return self._types.get(key)

    def lookup(self, group: str, version: str, plural: str) -> ResourceType | None:
        """Find the type served at ``/apis/group/version/plural``."""
        with self._lock:
            rt = self._types.get(f"{group}/{plural}")
        return rt if rt and version in rt.versions else None

    def by_kind(self, api_version: str, kind: str) -> ResourceType | None:
        """Find a type by ``apiVersion`` and ``kind`` (as in an ownerReference)."""
        group, _, version = api_version.rpartition("/")
        with self._lock:
            for rt in self._types.values():
                if rt.group == group and rt.kind == kind and version in rt.versions:
                    return rt
        return None

    def groups(self) -> dict[str, list[str]]:
        """Map each group to its served versions, preferred first."""
        out: dict[str, set[str]] = {}
        for rt in self.all():
            out.setdefault(rt.group, set()).update(rt.versions)
        return {g: sorted(v, key=version_priority, reverse=True) for g, v in out.items()}

    def register_crd(self, crd: dict[str, Any]) -> ResourceType:
        """Serve the resource a CRD defines (replacing an older definition)."""
        spec = crd["spec"]
        names = spec["names"]
        served = [v for v in spec["versions"] if v.get("served", True)]
        rt = ResourceType(
            group=spec["group"], versions=[v["name"] for v in served], plural=names["plural"],
            singular=names.get("singular") or names["kind"].lower(), kind=names["kind"],
            namespaced=spec.get("scope", "Namespaced") == "Namespaced", short_names=list(names.get("shortNames") or []),
            categories=list(names.get("categories") or []),
            status_subresource=any("status" in (v.get("subresources") or {}) for v in served),
            schemas={v["name"]: (v.get("schema") or {}).get("openAPIV3Schema") or bs.LOOSE for v in served},
            printer_columns={v["name"]: list(v.get("additionalPrinterColumns") or []) for v in served},
            is_crd=True, strategic_merge=False,
        )
        if any("scale" in (v.get("subresources") or {}) for v in served):
            rt.extra_subresources.append("scale")
        with self._lock:
            self._types[rt.key] = rt
        return rt

    def unregister(self, key: str) -> None:
        """Stop serving a CRD-defined resource."""
        with self._lock:
            rt = self._types.get(key)
            if rt and rt.is_crd:
                del self._types[key]
