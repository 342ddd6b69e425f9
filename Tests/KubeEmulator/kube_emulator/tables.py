"""``meta.k8s.io/v1`` Table rendering, as ``kubectl get`` asks for it.

Custom resources get ``Name`` plus their CRD's ``additionalPrinterColumns``
(JSONPath cells; ``date`` columns shown as an age, like the apiextensions
server); built-in kinds get columns modelled on the real server's printers.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from . import jsonpath
from .clock import human_duration, parse_time
from .resources import ResourceType

Cell = Callable[[dict[str, Any], float], Any]
NAME_DESC = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
AGE_DESC = "CreationTimestamp is a timestamp representing the server time when this object was created."


def _col(name: str, typ: str = "string", priority: int = 0, fmt: str = "", desc: str = "") -> dict[str, Any]:
    return {"name": name, "type": typ, "format": fmt, "description": desc or name, "priority": priority}


def _age(obj: dict[str, Any], now: float) -> str:
    t = parse_time(obj.get("metadata", {}).get("creationTimestamp", ""))
    return "<unknown>" if t is None else human_duration(now - t)


def _since(value: Any, now: float) -> str:
    t = parse_time(value) if value else None
    return "<none>" if t is None else human_duration(now - t)


def _dig(obj: Any, *path: str, default: Any = None) -> Any:
    for p in path:
        if not isinstance(obj, dict) or p not in obj:
            return default
        obj = obj[p]
    return obj


def _containers(pod_spec: dict[str, Any]) -> tuple[str, str]:
    cs = pod_spec.get("containers") or []
    return ",".join(c.get("name", "") for c in cs), ",".join(c.get("image", "") for c in cs)


def _job_status(job: dict[str, Any]) -> str:
    for cond in _dig(job, "status", "conditions", default=[]) or []:
        if cond.get("status") == "True" and cond.get("type") in ("Complete", "Failed", "Suspended"):
            return cond["type"]
        if cond.get("status") == "True" and cond.get("type") == "FailureTarget":
            return "FailureTarget"
    return "Running"


def _job_duration(job: dict[str, Any], now: float) -> str:
    start = parse_time(_dig(job, "status", "startTime", default=""))
    if start is None:
        return ""
    end = parse_time(_dig(job, "status", "completionTime", default="")) or now
    return human_duration(end - start)


def _selector(sel: Any) -> str:
    labels = (sel or {}).get("matchLabels") or {}
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items())) or "<none>"


def _pod_status(pod: dict[str, Any]) -> str:
    if _dig(pod, "metadata", "deletionTimestamp"):
        return "Terminating"
    for cs in _dig(pod, "status", "containerStatuses", default=[]) or []:
        reason = _dig(cs, "state", "waiting", "reason") or _dig(cs, "state", "terminated", "reason")
        if reason:
            return reason
    return _dig(pod, "status", "phase", default="Pending")


def _pod_ready(pod: dict[str, Any]) -> str:
    statuses = _dig(pod, "status", "containerStatuses", default=[]) or []
    total = len(_dig(pod, "spec", "containers", default=[]) or [])
    return f"{sum(1 for s in statuses if s.get('ready'))}/{total}"


BUILTIN: dict[str, list[tuple[dict[str, Any], Cell]]] = {
    "/pods": [
        (_col("Ready"), lambda o, n: _pod_ready(o)),
        (_col("Status"), lambda o, n: _pod_status(o)),
        (_col("Restarts", "string"), lambda o, n: str(sum(s.get("restartCount", 0) for s in _dig(o, "status", "containerStatuses", default=[]) or []))),
        (_col("Age"), _age),
        (_col("IP", priority=1), lambda o, n: _dig(o, "status", "podIP", default="<none>")),
        (_col("Node", priority=1), lambda o, n: _dig(o, "spec", "nodeName", default="<none>")),
    ],
    "batch/jobs": [
        (_col("Status"), lambda o, n: _job_status(o)),
        (_col("Completions"), lambda o, n: f"{_dig(o, 'status', 'succeeded', default=0)}/{_dig(o, 'spec', 'completions', default=1)}"),
        (_col("Duration"), _job_duration),
        (_col("Age"), _age),
        (_col("Containers", priority=1), lambda o, n: _containers(_dig(o, "spec", "template", "spec", default={}))[0]),
        (_col("Images", priority=1), lambda o, n: _containers(_dig(o, "spec", "template", "spec", default={}))[1]),
        (_col("Selector", priority=1), lambda o, n: _selector(_dig(o, "spec", "selector"))),
    ],
    "batch/cronjobs": [
        (_col("Schedule"), lambda o, n: _dig(o, "spec", "schedule", default="")),
        (_col("Timezone"), lambda o, n: _dig(o, "spec", "timeZone", default="<none>")),
        (_col("Suspend", "boolean"), lambda o, n: bool(_dig(o, "spec", "suspend", default=False))),
        (_col("Active", "integer"), lambda o, n: len(_dig(o, "status", "active", default=[]) or [])),
        (_col("Last Schedule"), lambda o, n: _since(_dig(o, "status", "lastScheduleTime"), n)),
        (_col("Age"), _age),
        (_col("Containers", priority=1), lambda o, n: _containers(_dig(o, "spec", "jobTemplate", "spec", "template", "spec", default={}))[0]),
        (_col("Images", priority=1), lambda o, n: _containers(_dig(o, "spec", "jobTemplate", "spec", "template", "spec", default={}))[1]),
        (_col("Selector", priority=1), lambda o, n: _selector(_dig(o, "spec", "jobTemplate", "spec", "selector"))),
    ],
    "/namespaces": [(_col("Status"), lambda o, n: _dig(o, "status", "phase", default="Active")), (_col("Age"), _age)],
    "/secrets": [(_col("Type"), lambda o, n: o.get("type", "Opaque")),
                 (_col("Data", "integer"), lambda o, n: len(o.get("data") or {})), (_col("Age"), _age)],
    "/configmaps": [(_col("Data", "integer"), lambda o, n: len(o.get("data") or {}) + len(o.get("binaryData") or {})),
                    (_col("Age"), _age)],
    "coordination.k8s.io/leases": [(_col("Holder"), lambda o, n: _dig(o, "spec", "holderIdentity", default="")),
                                   (_col("Age"), _age)],
    "apiextensions.k8s.io/customresourcedefinitions": [
        (_col("Created At", "date"), lambda o, n: _dig(o, "metadata", "creationTimestamp"))],
    "/events": [
        (_col("Last Seen"), lambda o, n: _since(o.get("lastTimestamp") or o.get("eventTime") or _dig(o, "metadata", "creationTimestamp"), n)),
        (_col("Type"), lambda o, n: o.get("type", "")),
        (_col("Reason"), lambda o, n: o.get("reason", "")),
        (_col("Object"), lambda o, n: f"{str(_dig(o, 'involvedObject', 'kind', default='')).lower()}/{_dig(o, 'involvedObject', 'name', default='')}"),
        (_col("Message"), lambda o, n: o.get("message", "")),
    ],
}


def _crd_cell(column: dict[str, Any], obj: dict[str, Any], now: float) -> Any:
    try:
        results = jsonpath.find(obj, column.get("jsonPath", ""))
    except (ValueError, IndexError):
        return None
    if not results or results[0] is None:
        return None
    value = results[0]
    typ = column.get("type", "string")
    if typ == "date":
        return _since(value, now) if isinstance(value, str) else None
    if typ == "string":
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        return json.dumps(value, separators=(",", ":")) if isinstance(value, (dict, list)) else str(value)
    if typ == "integer":
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    if typ == "number":
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if typ == "boolean":
        return value if isinstance(value, bool) else None
    return value


def columns_for(rt: ResourceType, version: str) -> list[tuple[dict[str, Any], Cell]]:
    """Column definitions (after Name) and cell functions for a resource type."""
    if rt.is_crd:
        cols = rt.printer_columns.get(version) or [{"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}]
        return [(_col(c["name"], c.get("type", "string"), int(c.get("priority", 0)), c.get("format", ""),
                      c.get("description", "")), (lambda o, n, c=c: _crd_cell(c, o, n))) for c in cols]
    return BUILTIN.get(rt.key, [(_col("Age"), _age)])


def partial_metadata(obj: dict[str, Any]) -> dict[str, Any]:
    """Return the ``PartialObjectMetadata`` form of an object."""
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj.get("metadata", {})}


def render(rt: ResourceType, version: str, objects: list[dict[str, Any]], now: float, include_object: str,
           list_meta: dict[str, Any]) -> dict[str, Any]:
    """Render objects as a ``meta.k8s.io/v1`` Table."""
    columns = columns_for(rt, version)
    rows = []
    for obj in objects:
        row: dict[str, Any] = {"cells": [obj.get("metadata", {}).get("name", "")] + [fn(obj, now) for _, fn in columns]}
        if include_object == "Object":
            row["object"] = obj
        elif include_object != "None":
            row["object"] = partial_metadata(obj)
        rows.append(row)
    return {
        "kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": list_meta,
        "columnDefinitions": [_col("Name", "string", 0, "name", NAME_DESC)] + [c for c, _ in columns],
        "rows": rows,
    }
