"""Per-kind defaulting and validation of built-in objects and CRDs (what the real
server's registry strategies do beyond the OpenAPI schema)."""

from __future__ import annotations

import base64
import re
from typing import Any

from . import cron
from .names import dns_label_error, dns_subdomain_error
from .resources import ResourceType

Cause = dict[str, str]


def _req(field: str, detail: str = "") -> Cause:
    return {"field": field, "reason": "FieldValueRequired", "message": "Required value" + (f": {detail}" if detail else "")}


def _bad(field: str, value: Any, detail: str) -> Cause:
    shown = f'"{value}"' if isinstance(value, str) else str(value)
    return {"field": field, "reason": "FieldValueInvalid", "message": f"Invalid value: {shown}: {detail}"}


def _unsupported(field: str, value: Any, allowed: list[str]) -> Cause:
    return {"field": field, "reason": "FieldValueNotSupported",
            "message": f'Unsupported value: "{value}": supported values: ' + ", ".join(f'"{a}"' for a in allowed)}


def default_and_validate(rt: ResourceType, obj: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    """Apply kind-specific defaults to ``obj`` in place and return validation causes."""
    handler = _HANDLERS.get(rt.key)
    return handler(obj, old) if handler else []


def _namespace(obj: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
    if old is None:
        obj.setdefault("status", {})["phase"] = "Active"
    err = dns_label_error(obj["metadata"]["name"])
    return [_bad("metadata.name", obj["metadata"]["name"], err)] if err else []


def _secret(obj: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    obj.setdefault("type", "Opaque")
    string_data = obj.pop("stringData", None) or {}
    if string_data:
        data = obj.setdefault("data", {})
        for key, value in string_data.items():
            data[key] = base64.b64encode(str(value).encode()).decode()
    causes = []
    for key, value in (obj.get("data") or {}).items():
        try:
            # Like Go's decoder, ignore line breaks (kustomize and `base64` wrap long values).
            base64.b64decode(value.replace("\r", "").replace("\n", "") if isinstance(value, str) else value, validate=True)
        except (ValueError, TypeError):
            causes.append(_bad(f"data[{key}]", "<secret contents redacted>", "illegal base64 data"))
    if old is not None and old.get("immutable") and old.get("data") != obj.get("data"):
        causes.append({"field": "data", "reason": "FieldValueForbidden", "message": "Forbidden: field is immutable when `immutable` is set"})
    return causes


def _pod_spec(spec: dict[str, Any], path: str, allowed_restart: list[str] | None) -> list[Cause]:
    causes: list[Cause] = []
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("securityContext", {})
    restart = spec.get("restartPolicy")
    if allowed_restart is None:
        spec.setdefault("restartPolicy", "Always")
    elif restart is None:
        causes.append(_req(f"{path}.restartPolicy", 'valid values: "OnFailure", "Never"'))
    elif restart not in allowed_restart:
        causes.append(_unsupported(f"{path}.restartPolicy", restart, allowed_restart))
    containers = spec.get("containers") or []
    if not containers:
        causes.append(_req(f"{path}.containers"))
    volume_names = {v.get("name") for v in spec.get("volumes") or []}
    for i, c in enumerate(containers):
        cpath = f"{path}.containers[{i}]"
        c.setdefault("terminationMessagePath", "/dev/termination-log")
        c.setdefault("terminationMessagePolicy", "File")
        c.setdefault("imagePullPolicy", "Always" if str(c.get("image", "")).endswith(":latest") or ":" not in str(c.get("image", "")) else "IfNotPresent")
        c.setdefault("resources", {})
        if not c.get("name"):
            causes.append(_req(f"{cpath}.name"))
        if not c.get("image"):
            causes.append(_req(f"{cpath}.image"))
        for var in c.get("env") or []:
            field_ref = (var.get("valueFrom") or {}).get("fieldRef")
            if isinstance(field_ref, dict):
                field_ref.setdefault("apiVersion", "v1")
        for j, m in enumerate(c.get("volumeMounts") or []):
            if m.get("name") not in volume_names:
                causes.append({"field": f"{cpath}.volumeMounts[{j}].name", "reason": "FieldValueNotFound",
                               "message": f'Not found: "{m.get("name")}"'})
    return causes


def _pod(obj: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    if old is None:
        obj.setdefault("status", {}).setdefault("phase", "Pending")
    return _pod_spec(obj.setdefault("spec", {}), "spec", None)


def _job_spec(spec: dict[str, Any], path: str, meta: dict[str, Any] | None) -> list[Cause]:
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
    spec.setdefault("parallelism", 1)
    spec.setdefault("completionMode", "NonIndexed")
    spec.setdefault("backoffLimit", 6)
    spec.setdefault("suspend", False)
    spec.setdefault("podReplacementPolicy", "TerminatingOrFailed")
    causes: list[Cause] = []
    if spec["completionMode"] == "Indexed":
        if spec.get("completions") is None:
            causes.append(_req(f"{path}.completions", "when completion mode is Indexed"))
    template = spec.setdefault("template", {})
    causes += _pod_spec(template.setdefault("spec", {}), f"{path}.template.spec", ["OnFailure", "Never"])
    if meta is not None and meta.get("uid"):
        uid = meta["uid"]
        labels = {"batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": meta["name"],
                  "controller-uid": uid, "job-name": meta["name"]}
        if not spec.get("manualSelector"):
            spec.setdefault("selector", {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}})
            template.setdefault("metadata", {}).setdefault("labels", {}).update(labels)
    return causes


def _job(obj: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    causes = _job_spec(obj.setdefault("spec", {}), "spec", obj["metadata"])
    if old is not None and old.get("spec", {}).get("completions") != obj["spec"].get("completions") \
            and obj["spec"].get("completionMode") != "Indexed":
        causes.append({"field": "spec.completions", "reason": "FieldValueInvalid", "message": "Invalid value: field is immutable"})
    if old is not None and old.get("spec", {}).get("selector") != obj["spec"].get("selector"):
        causes.append({"field": "spec.selector", "reason": "FieldValueInvalid", "message": "Invalid value: field is immutable"})
    return causes


def _cronjob(obj: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    spec = obj.setdefault("spec", {})
    spec.setdefault("concurrencyPolicy", "Allow")
    spec.setdefault("suspend", False)
    spec.setdefault("successfulJobsHistoryLimit", 3)
    spec.setdefault("failedJobsHistoryLimit", 1)
    causes: list[Cause] = []
    schedule = spec.get("schedule")
    if not schedule:
        causes.append(_req("spec.schedule"))
    else:
        try:
            cron.parse(schedule, spec.get("timeZone"))
        except cron.CronError as exc:
            field = "spec.timeZone" if "time zone" in str(exc) else "spec.schedule"
            causes.append(_bad(field, spec.get("timeZone") if field == "spec.timeZone" else schedule, str(exc)))
    job_template = spec.setdefault("jobTemplate", {})
    causes += _job_spec(job_template.setdefault("spec", {}), "spec.jobTemplate.spec", None)
    return causes


def _crd(obj: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    spec = obj.get("spec") or {}
    names = spec.get("names") or {}
    causes: list[Cause] = []
    for field in ("group",):
        if not spec.get(field):
            causes.append(_req(f"spec.{field}"))
    for field in ("plural", "kind", "listKind"):
        if field == "listKind" and names.get("kind"):
            names.setdefault("listKind", names["kind"] + "List")
        if not names.get(field):
            causes.append(_req(f"spec.names.{field}"))
    if names.get("kind") and not names.get("singular"):
        names["singular"] = names["kind"].lower()
    if spec.get("scope") not in ("Namespaced", "Cluster"):
        causes.append(_unsupported("spec.scope", spec.get("scope", ""), ["Cluster", "Namespaced"]))
    expected = f"{names.get('plural')}.{spec.get('group')}"
    if obj["metadata"]["name"] != expected:
        causes.append(_bad("metadata.name", obj["metadata"]["name"], f"must be spec.names.plural+\".\"+spec.group"))
    versions = spec.get("versions") or []
    if not versions:
        causes.append(_req("spec.versions", "must have exactly one version marked as storage version"))
    elif sum(1 for v in versions if v.get("storage")) != 1:
        causes.append(_bad("spec.versions", "", "must have exactly one version marked as storage version"))
    for i, v in enumerate(versions):
        v.setdefault("served", True)
        if not (v.get("schema") or {}).get("openAPIV3Schema"):
            causes.append(_req(f"spec.versions[{i}].schema.openAPIV3Schema", "schemas are required"))
        elif (v["schema"]["openAPIV3Schema"].get("type") != "object"):
            causes.append(_req(f"spec.versions[{i}].schema.openAPIV3Schema.type", "must not be empty at the root"))
    spec.setdefault("conversion", {"strategy": "None"})
    if old is not None and old.get("spec", {}).get("scope") != spec.get("scope"):
        causes.append({"field": "spec.scope", "reason": "FieldValueInvalid", "message": "Invalid value: field is immutable"})
    return causes


def crd_status(obj: dict[str, Any], now: str) -> dict[str, Any]:
    """The status the apiextensions server reports for an accepted CRD."""
    spec = obj["spec"]
    names = dict(spec["names"])
    return {
        "acceptedNames": names,
        "conditions": [
            {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts", "message": "no conflicts found", "lastTransitionTime": now},
            {"type": "Established", "status": "True", "reason": "InitialNamesAccepted", "message": "the initial names have been accepted", "lastTransitionTime": now},
        ],
        "storedVersions": [v["name"] for v in spec["versions"] if v.get("storage")],
    }


def metadata_causes(meta: dict[str, Any], rt: ResourceType) -> list[Cause]:
    """Validate name, labels and annotations."""
    causes: list[Cause] = []
    name = meta.get("name", "")
    if rt.key != "/namespaces":
        err = dns_subdomain_error(name)
        if err and rt.key != "/events":
            causes.append(_bad("metadata.name", name, err))
    for key, value in (meta.get("labels") or {}).items():
        if not isinstance(value, str) or len(value) > 63 or not re.fullmatch(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?", value):
            causes.append(_bad(f"metadata.labels", value, "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"))
        if not re.fullmatch(r"([a-z0-9.-]+/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?", key) or len(key.split("/")[-1]) > 63:
            causes.append(_bad("metadata.labels", key, "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"))
    for key, value in (meta.get("annotations") or {}).items():
        if not isinstance(value, str):
            causes.append(_bad(f"metadata.annotations", key, "annotation values must be strings"))
    return causes


_HANDLERS = {
    "/namespaces": _namespace,
    "/secrets": _secret,
    "/pods": _pod,
    "batch/jobs": _job,
    "batch/cronjobs": _cronjob,
    "apiextensions.k8s.io/customresourcedefinitions": _crd,
}
