"""OpenAPI v3 schemas for the built-in kinds the emulator validates.

Batch (CronJob, Job, their pod template) and Lease are closed: unknown fields are
reported under ``fieldValidation`` like the real server. Leaves that PyBak does not
use (probes, affinity, security contexts...) are typed loosely. Other built-in
kinds are stored as given.
"""

from __future__ import annotations

from typing import Any

LOOSE: dict[str, Any] = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
ANY: dict[str, Any] = {"x-kubernetes-preserve-unknown-fields": True}


def obj(props: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    """A closed object schema."""
    out: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        out["required"] = required
    return out


def string(**extra: Any) -> dict[str, Any]:
    return {"type": "string", **extra}


def integer(**extra: Any) -> dict[str, Any]:
    return {"type": "integer", **extra}


def boolean() -> dict[str, Any]:
    return {"type": "boolean"}


def array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


def str_map() -> dict[str, Any]:
    return {"type": "object", "additionalProperties": {"type": "string"}}


KEY_REF = obj({"name": string(), "key": string(), "optional": boolean()}, ["key"])
ENV_VAR = obj({
    "name": string(), "value": string(),
    "valueFrom": obj({"secretKeyRef": KEY_REF, "configMapKeyRef": KEY_REF, "fieldRef": LOOSE, "resourceFieldRef": LOOSE}),
}, ["name"])
ENV_FROM = obj({"prefix": string(), "secretRef": obj({"name": string(), "optional": boolean()}),
                "configMapRef": obj({"name": string(), "optional": boolean()})})
VOLUME_MOUNT = obj({"name": string(), "mountPath": string(), "subPath": string(), "readOnly": boolean(),
                    "subPathExpr": string(), "mountPropagation": string(), "recursiveReadOnly": string()},
                   ["name", "mountPath"])
CONTAINER = obj({
    "name": string(), "image": string(), "command": array(string()), "args": array(string()),
    "workingDir": string(), "ports": array(LOOSE), "envFrom": array(ENV_FROM), "env": array(ENV_VAR),
    "resources": LOOSE, "resizePolicy": array(LOOSE), "restartPolicy": string(),
    "volumeMounts": array(VOLUME_MOUNT), "volumeDevices": array(LOOSE), "livenessProbe": LOOSE,
    "readinessProbe": LOOSE, "startupProbe": LOOSE, "lifecycle": LOOSE, "terminationMessagePath": string(),
    "terminationMessagePolicy": string(), "imagePullPolicy": string(enum=["Always", "Never", "IfNotPresent"]),
    "securityContext": LOOSE, "stdin": boolean(), "stdinOnce": boolean(), "tty": boolean(),
}, ["name"])
KEY_TO_PATH = obj({"key": string(), "path": string(), "mode": integer()}, ["key", "path"])
VOLUME = {"type": "object", "required": ["name"], "x-kubernetes-preserve-unknown-fields": True, "properties": {
    "name": string(),
    "persistentVolumeClaim": obj({"claimName": string(), "readOnly": boolean()}, ["claimName"]),
    "secret": obj({"secretName": string(), "items": array(KEY_TO_PATH), "defaultMode": integer(), "optional": boolean()}),
    "configMap": obj({"name": string(), "items": array(KEY_TO_PATH), "defaultMode": integer(), "optional": boolean()}),
    "emptyDir": LOOSE, "hostPath": LOOSE,
}}
POD_SPEC = obj({name: LOOSE for name in (
    "affinity", "securityContext", "dnsConfig", "os", "overhead", "resources")} | {
    name: array(LOOSE) for name in (
        "ephemeralContainers", "imagePullSecrets", "tolerations", "hostAliases", "readinessGates",
        "topologySpreadConstraints", "schedulingGates", "resourceClaims")} | {
    name: string() for name in (
        "dnsPolicy", "serviceAccountName", "serviceAccount", "nodeName", "hostname", "subdomain",
        "schedulerName", "priorityClassName", "runtimeClassName", "preemptionPolicy")} | {
    name: boolean() for name in (
        "automountServiceAccountToken", "hostNetwork", "hostPID", "hostIPC", "shareProcessNamespace",
        "enableServiceLinks", "setHostnameAsFQDN", "hostUsers")} | {
    "volumes": array(VOLUME), "initContainers": array(CONTAINER), "containers": array(CONTAINER),
    "restartPolicy": string(enum=["Always", "OnFailure", "Never"]), "terminationGracePeriodSeconds": integer(),
    "activeDeadlineSeconds": integer(minimum=1), "nodeSelector": str_map(), "priority": integer(),
}, ["containers"])
OBJECT_META = LOOSE
POD_TEMPLATE = obj({"metadata": OBJECT_META, "spec": POD_SPEC})
JOB_SPEC = obj({
    "parallelism": integer(minimum=0), "completions": integer(minimum=0), "activeDeadlineSeconds": integer(minimum=1),
    "podFailurePolicy": LOOSE, "successPolicy": LOOSE, "backoffLimit": integer(minimum=0),
    "backoffLimitPerIndex": integer(minimum=0), "maxFailedIndexes": integer(minimum=0), "selector": LOOSE,
    "manualSelector": boolean(), "template": POD_TEMPLATE, "ttlSecondsAfterFinished": integer(minimum=0),
    "completionMode": string(enum=["NonIndexed", "Indexed"]), "suspend": boolean(),
    "podReplacementPolicy": string(enum=["TerminatingOrFailed", "Failed"]), "managedBy": string(),
}, ["template"])
JOB = obj({"apiVersion": string(), "kind": string(), "metadata": OBJECT_META, "spec": JOB_SPEC, "status": LOOSE}, ["spec"])
CRONJOB = obj({
    "apiVersion": string(), "kind": string(), "metadata": OBJECT_META, "status": LOOSE,
    "spec": obj({
        "schedule": string(), "timeZone": string(), "startingDeadlineSeconds": integer(minimum=0),
        "concurrencyPolicy": string(enum=["Allow", "Forbid", "Replace"]), "suspend": boolean(),
        "jobTemplate": obj({"metadata": OBJECT_META, "spec": JOB_SPEC}, ["spec"]),
        "successfulJobsHistoryLimit": integer(minimum=0), "failedJobsHistoryLimit": integer(minimum=0),
    }, ["schedule", "jobTemplate"]),
}, ["spec"])
MICRO_TIME = string(format="date-time")
LEASE = obj({
    "apiVersion": string(), "kind": string(), "metadata": OBJECT_META,
    "spec": obj({
        "holderIdentity": string(), "leaseDurationSeconds": integer(minimum=1), "acquireTime": MICRO_TIME,
        "renewTime": MICRO_TIME, "leaseTransitions": integer(minimum=0), "strategy": string(),
        "preferredHolder": string(),
    }),
})
POD = obj({"apiVersion": string(), "kind": string(), "metadata": OBJECT_META, "spec": POD_SPEC, "status": LOOSE}, ["spec"])
SECRET = obj({"apiVersion": string(), "kind": string(), "metadata": OBJECT_META, "data": str_map(),
              "stringData": str_map(), "type": string(), "immutable": boolean()})
CONFIGMAP = obj({"apiVersion": string(), "kind": string(), "metadata": OBJECT_META, "data": str_map(),
                 "binaryData": str_map(), "immutable": boolean()})
