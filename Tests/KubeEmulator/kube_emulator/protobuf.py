"""Decoding of Kubernetes protobuf request bodies (``application/vnd.kubernetes.protobuf``).

kubectl 1.32's typed clients (e.g. ``kubectl create job --from=cronjob/x``) send
built-in objects as protobuf: the magic ``k8s\\0`` and a ``runtime.Unknown``
envelope around the object's message. This module decodes the kinds PyBak and
its tests send (Job, CronJob, Pod, Secret, ConfigMap, Namespace, Lease,
ServiceAccount) into the JSON form. The field-number tables below cover the
fields those objects commonly carry; fields of other message types (probes,
affinity, ...) are dropped. Zero values are dropped too (protobuf cannot tell
them from unset), as JSON's ``omitempty`` would.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

MAGIC = b"k8s\x00"

# message: "number name type; ..." — '*' marks repeated, '^' an embedded (inlined) message,
# map<K,V> a map field. Field numbers follow k8s.io/api and apimachinery's generated.proto.
_TABLE = """
Unknown: 1 typeMeta TypeMeta; 2 raw bytes; 3 contentEncoding string; 4 contentType string
TypeMeta: 1 apiVersion string; 2 kind string
ObjectMeta: 1 name string; 2 generateName string; 3 namespace string; 4 selfLink string; 5 uid string; 6 resourceVersion string; 7 generation int64; 8 creationTimestamp Time; 9 deletionTimestamp Time; 10 deletionGracePeriodSeconds int64; 11 labels map<string,string>; 12 annotations map<string,string>; 13 *ownerReferences OwnerReference; 14 *finalizers string; 17 *managedFields ManagedFieldsEntry
OwnerReference: 1 kind string; 3 name string; 4 uid string; 5 apiVersion string; 6 controller bool; 7 blockOwnerDeletion bool
ManagedFieldsEntry: 1 manager string; 2 operation string; 3 apiVersion string; 4 time Time; 6 fieldsType string; 7 fieldsV1 FieldsV1; 8 subresource string
LabelSelector: 1 matchLabels map<string,string>; 2 *matchExpressions LabelSelectorRequirement
LabelSelectorRequirement: 1 key string; 2 operator string; 3 *values string
PodTemplateSpec: 1 metadata ObjectMeta; 2 spec PodSpec
PodSpec: 1 *volumes Volume; 20 *initContainers Container; 2 *containers Container; 3 restartPolicy string; 4 terminationGracePeriodSeconds int64; 5 activeDeadlineSeconds int64; 6 dnsPolicy string; 7 nodeSelector map<string,string>; 8 serviceAccountName string; 9 serviceAccount string; 21 automountServiceAccountToken bool; 10 nodeName string; 11 hostNetwork bool; 12 hostPID bool; 13 hostIPC bool; 27 shareProcessNamespace bool; 14 securityContext PodSecurityContext; 15 *imagePullSecrets LocalObjectReference; 16 hostname string; 17 subdomain string; 19 schedulerName string; 22 *tolerations Toleration; 24 priorityClassName string; 25 priority int32; 29 runtimeClassName string; 30 enableServiceLinks bool; 31 preemptionPolicy string; 35 setHostnameAsFQDN bool; 37 hostUsers bool
Container: 1 name string; 2 image string; 3 *command string; 4 *args string; 5 workingDir string; 6 *ports ContainerPort; 19 *envFrom EnvFromSource; 7 *env EnvVar; 8 resources ResourceRequirements; 24 restartPolicy string; 9 *volumeMounts VolumeMount; 13 terminationMessagePath string; 20 terminationMessagePolicy string; 14 imagePullPolicy string; 15 securityContext SecurityContext; 16 stdin bool; 17 stdinOnce bool; 18 tty bool
ContainerPort: 1 name string; 2 hostPort int32; 3 containerPort int32; 4 protocol string; 5 hostIP string
EnvVar: 1 name string; 2 value string; 3 valueFrom EnvVarSource
EnvVarSource: 1 fieldRef ObjectFieldSelector; 3 configMapKeyRef ConfigMapKeySelector; 4 secretKeyRef SecretKeySelector
SecretKeySelector: 1 ^localObjectReference LocalObjectReference; 2 key string; 3 optional bool
ConfigMapKeySelector: 1 ^localObjectReference LocalObjectReference; 2 key string; 3 optional bool
ObjectFieldSelector: 1 apiVersion string; 2 fieldPath string
LocalObjectReference: 1 name string
EnvFromSource: 1 prefix string; 2 configMapRef ConfigMapEnvSource; 3 secretRef SecretEnvSource
SecretEnvSource: 1 ^localObjectReference LocalObjectReference; 2 optional bool
ConfigMapEnvSource: 1 ^localObjectReference LocalObjectReference; 2 optional bool
VolumeMount: 1 name string; 2 readOnly bool; 7 recursiveReadOnly string; 3 mountPath string; 4 subPath string; 5 mountPropagation string; 6 subPathExpr string
Volume: 1 name string; 2 ^volumeSource VolumeSource
VolumeSource: 1 hostPath HostPathVolumeSource; 2 emptyDir EmptyDirVolumeSource; 6 secret SecretVolumeSource; 10 persistentVolumeClaim PersistentVolumeClaimVolumeSource; 19 configMap ConfigMapVolumeSource
PersistentVolumeClaimVolumeSource: 1 claimName string; 2 readOnly bool
SecretVolumeSource: 1 secretName string; 2 *items KeyToPath; 3 defaultMode int32; 4 optional bool
ConfigMapVolumeSource: 1 ^localObjectReference LocalObjectReference; 2 *items KeyToPath; 3 defaultMode int32; 4 optional bool
EmptyDirVolumeSource: 1 medium string; 2 sizeLimit Quantity
HostPathVolumeSource: 1 path string; 2 type string
KeyToPath: 1 key string; 2 path string; 3 mode int32
ResourceRequirements: 1 limits map<string,Quantity>; 2 requests map<string,Quantity>
Toleration: 1 key string; 2 operator string; 3 value string; 4 effect string; 5 tolerationSeconds int64
PodSecurityContext: 2 runAsUser int64; 6 runAsGroup int64; 3 runAsNonRoot bool; 4 *supplementalGroups int64; 5 fsGroup int64; 9 fsGroupChangePolicy string
SecurityContext: 2 privileged bool; 4 runAsUser int64; 8 runAsGroup int64; 5 runAsNonRoot bool; 6 readOnlyRootFilesystem bool; 7 allowPrivilegeEscalation bool; 9 procMount string
ObjectReference: 1 kind string; 2 namespace string; 3 name string; 4 uid string; 5 apiVersion string; 6 resourceVersion string; 7 fieldPath string
Secret: 1 metadata ObjectMeta; 5 immutable bool; 2 data map<string,bytes>; 4 stringData map<string,string>; 3 type string
ConfigMap: 1 metadata ObjectMeta; 4 immutable bool; 2 data map<string,string>; 3 binaryData map<string,bytes>
Namespace: 1 metadata ObjectMeta; 2 spec NamespaceSpec; 3 status NamespaceStatus
NamespaceSpec: 1 *finalizers string
NamespaceStatus: 1 phase string
ServiceAccount: 1 metadata ObjectMeta; 2 *secrets ObjectReference; 3 *imagePullSecrets LocalObjectReference; 4 automountServiceAccountToken bool
Pod: 1 metadata ObjectMeta; 2 spec PodSpec; 3 status PodStatus
PodStatus: 1 phase string; 3 message string; 4 reason string; 5 hostIP string; 6 podIP string; 7 startTime Time
CronJob: 1 metadata ObjectMeta; 2 spec CronJobSpec; 3 status CronJobStatus
CronJobSpec: 1 schedule string; 8 timeZone string; 2 startingDeadlineSeconds int64; 3 concurrencyPolicy string; 4 suspend bool; 5 jobTemplate JobTemplateSpec; 6 successfulJobsHistoryLimit int32; 7 failedJobsHistoryLimit int32
CronJobStatus: 1 *active ObjectReference; 4 lastScheduleTime Time; 5 lastSuccessfulTime Time
Job: 1 metadata ObjectMeta; 2 spec JobSpec; 3 status JobStatus
JobTemplateSpec: 1 metadata ObjectMeta; 2 spec JobSpec
JobSpec: 1 parallelism int32; 2 completions int32; 3 activeDeadlineSeconds int64; 7 backoffLimit int32; 12 backoffLimitPerIndex int32; 13 maxFailedIndexes int32; 4 selector LabelSelector; 5 manualSelector bool; 6 template PodTemplateSpec; 8 ttlSecondsAfterFinished int32; 9 completionMode string; 10 suspend bool; 14 podReplacementPolicy string; 15 managedBy string
JobStatus: 1 *conditions JobCondition; 2 startTime Time; 3 completionTime Time; 4 active int32; 5 succeeded int32; 6 failed int32; 11 terminating int32; 7 completedIndexes string; 10 failedIndexes string; 9 ready int32
JobCondition: 1 type string; 2 status string; 3 lastProbeTime Time; 4 lastTransitionTime Time; 5 reason string; 6 message string
Lease: 1 metadata ObjectMeta; 2 spec LeaseSpec
LeaseSpec: 1 holderIdentity string; 2 leaseDurationSeconds int32; 3 acquireTime MicroTime; 4 renewTime MicroTime; 5 leaseTransitions int32; 6 strategy string; 7 preferredHolder string
"""

SCALARS = {"string", "bytes", "int32", "int64", "bool", "Time", "MicroTime", "Quantity", "FieldsV1"}


def _parse_table(text: str) -> dict[str, dict[int, tuple[str, str, bool, bool]]]:
    table: dict[str, dict[int, tuple[str, str, bool, bool]]] = {}
    for line in text.strip().splitlines():
        name, _, body = line.partition(":")
        fields = {}
        for item in body.split(";"):
            num, fname, ftype = item.split()
            repeated, inline = fname.startswith("*"), fname.startswith("^")
            fields[int(num)] = (fname.lstrip("*^"), ftype, repeated, inline)
        table[name.strip()] = fields
    return table


TABLE = _parse_table(_TABLE)


class ProtobufError(ValueError):
    """The body is not a protobuf message this module can decode."""


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data):
            raise ProtobufError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def _fields(data: bytes) -> list[tuple[int, int, Any]]:
    out, pos = [], 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        num, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(data, pos)
        elif wire == 1:
            value, pos = data[pos:pos + 8], pos + 8
        elif wire == 2:
            length, pos = _varint(data, pos)
            value, pos = data[pos:pos + length], pos + length
        elif wire == 5:
            value, pos = data[pos:pos + 4], pos + 4
        else:
            raise ProtobufError(f"unsupported wire type {wire}")
        out.append((num, wire, value))
    return out


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def _time(data: bytes, micro: bool) -> str | None:
    parts = {num: value for num, _, value in _fields(data)}
    seconds, nanos = _signed(parts.get(1, 0)), parts.get(2, 0)
    if not seconds and not nanos:
        return None
    when = dt.datetime.fromtimestamp(seconds + nanos / 1e9, dt.timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ") if micro else when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _scalar(ftype: str, wire: int, value: Any) -> Any:
    if ftype == "string":
        return value.decode()
    if ftype == "bytes":
        return base64.b64encode(value).decode()
    if ftype in ("int32", "int64"):
        if wire != 0:
            raise ProtobufError("expected varint")
        return _signed(value)
    if ftype == "bool":
        return bool(value)
    if ftype in ("Time", "MicroTime"):
        return _time(value, ftype == "MicroTime")
    if ftype == "Quantity":
        return next((v.decode() for n, _, v in _fields(value) if n == 1), "")
    if ftype == "FieldsV1":
        raw = next((v for n, _, v in _fields(value) if n == 1), b"{}")
        return json.loads(raw or b"{}")
    raise ProtobufError(f"unknown scalar {ftype}")


def _map_entry(ftype: str, data: bytes) -> tuple[str, Any]:
    value_type = ftype[len("map<"):-1].split(",")[1]
    key, val = "", None
    for num, wire, value in _fields(data):
        if num == 1:
            key = value.decode()
        elif num == 2:
            val = _scalar(value_type, wire, value) if value_type in SCALARS else decode_message(value_type, value)
    return key, "" if val is None else val


def _is_zero(value: Any) -> bool:
    return value is None or value == "" or value == 0 and not isinstance(value, bool) or value is False \
        or value == [] or (isinstance(value, dict) and not value and False)


def decode_message(name: str, data: bytes) -> dict[str, Any]:
    """Decode one message of type ``name`` into its JSON form."""
    fields = TABLE[name]
    out: dict[str, Any] = {}
    for num, wire, value in _fields(data):
        spec = fields.get(num)
        if spec is None:
            continue
        fname, ftype, repeated, inline = spec
        if ftype.startswith("map<"):
            key, val = _map_entry(ftype, value)
            out.setdefault(fname, {})[key] = val
            continue
        if ftype in SCALARS:
            if repeated and wire == 2 and ftype in ("int32", "int64"):
                items, pos = [], 0
                while pos < len(value):
                    v, pos = _varint(value, pos)
                    items.append(_signed(v))
                out.setdefault(fname, []).extend(items)
                continue
            decoded = _scalar(ftype, wire, value)
        elif ftype in TABLE:
            decoded = decode_message(ftype, value)
        else:
            continue
        if inline and isinstance(decoded, dict):
            out.update(decoded)
        elif repeated:
            out.setdefault(fname, []).append(decoded)
        else:
            out[fname] = decoded
    return {k: v for k, v in out.items() if not _is_zero(v) or isinstance(v, dict)}


def decode(body: bytes) -> dict[str, Any]:
    """Decode a full protobuf request body (magic + ``runtime.Unknown``) into a JSON object."""
    if not body.startswith(MAGIC):
        raise ProtobufError("missing k8s protobuf magic prefix")
    unknown = decode_message("Unknown", body[len(MAGIC):])
    type_meta = unknown.get("typeMeta", {})
    kind = type_meta.get("kind", "")
    if kind not in TABLE:
        raise ProtobufError(f"cannot decode protobuf for kind {kind!r}")
    raw = base64.b64decode(unknown.get("raw", ""))
    obj = decode_message(kind, raw)
    return {"apiVersion": type_meta.get("apiVersion", ""), "kind": kind, **obj}
