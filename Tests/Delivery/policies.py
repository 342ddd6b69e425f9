"""Policies shared by the schema checks (check-jsonschema) and the emulator checks (kubectl): a
policy that sets every field of the CRD's spec, and changes that each make it invalid."""

from __future__ import annotations

# Blocks the engine refuses today ("not supported by this version of pybak yet").
REFUSED_BY_ENGINE = ("encryption", "cloud", "report", "retention")

# A policy that sets every field the CRD's spec has (checked below), with valid values.
FULL_SPEC = {
    "schedule": "0,30 8-18/2 * JAN-DEC MON-FRI",
    "suspend": True,
    "source": {"volume": {"persistentVolumeClaim": {"claimName": "inbox"}}, "path": "incoming/today",
               "include": ["**/*.csv"], "exclude": ["*.tmp"], "minAge": "1m30s"},
    "destination": {"volume": {"nfs": {"server": "nfs.example", "path": "/exports"}}, "path": "./backups/"},
    "compression": {"format": "gzip", "level": 9},
    "encryption": {"keySecretRef": {"name": "pybak-key", "key": "key"}, "keyFile": "/keys/pybak.key", "passphraseFile": "/keys/pass"},
    "cloud": {
        "s3": {"bucket": "acme-backups", "region": "eu-west-1", "endpoint": "http://minio.minio:9000", "prefix": "x/",
               "pathStyle": True, "storageClass": "STANDARD_IA", "credentialsSecretRef": {"name": "aws"}},
        "gcs": {"bucket": "acme_backups", "prefix": "x/", "endpoint": "https://storage.googleapis.com",
                "credentialsSecretRef": {"name": "gcp-sa", "key": "key.json"}},
    },
    "keepLocalCopy": False,
    "keepSource": True,
    "report": {"email": {"to": ["ops@example.com"], "from": "PyBak <pybak@example.com>", "when": "failure",
                         "smtpSecretRef": {"name": "smtp"}}},
    "retention": {"keepLast": 30, "keepWithin": "720h", "keepDaily": 7, "keepWeekly": 4, "keepMonthly": 12},
    "parallelism": 4,
    "workers": 3,
    "successfulJobsHistoryLimit": 5,
    "failedJobsHistoryLimit": 2,
    "podTemplate": {
        "labels": {"team": "finance"}, "annotations": {"a": "b"},
        "resources": {"requests": {"cpu": "250m", "memory": "64Mi"}, "limits": {"memory": 134217728}},
        "nodeSelector": {"kubernetes.io/os": "linux"},
        "tolerations": [{"key": "k", "operator": "Equal", "value": "v", "effect": "NoSchedule", "tolerationSeconds": 60}],
        "affinity": {"nodeAffinity": {}}, "priorityClassName": "backup", "serviceAccountName": "pybak-worker",
        "imagePullSecrets": [{"name": "regcred"}], "activeDeadlineSeconds": 3600,
    },
}


def document(spec: dict, name: str = "full") -> dict:
    """A whole BackupPolicy around a spec."""
    return {"apiVersion": "pybak.io/v1alpha1", "kind": "BackupPolicy", "metadata": {"name": name}, "spec": spec}


def _set(*path, value):
    def change(spec):
        for key in path[:-1]:
            spec = spec[key]
        spec[path[-1]] = value
    return change


def _drop(*path):
    def change(spec):
        for key in path[:-1]:
            spec = spec[key]
        del spec[path[-1]]
    return change


# (id, change to a copy of FULL_SPEC, what check-jsonschema names, what the API server names)
BAD_POLICIES = [
    ("schedule-words", _set("schedule", value="every two minutes"), "$.spec.schedule", "spec.schedule: Invalid value"),
    ("schedule-4-fields", _set("schedule", value="*/2 * * *"), "$.spec.schedule", "spec.schedule: Invalid value"),
    ("level-12", _set("compression", "level", value=12), "$.spec.compression.level", "spec.compression.level: Invalid value: 12"),
    ("format-rar", _set("compression", "format", value="rar"), "$.spec.compression.format",
     "spec.compression.format: Unsupported value"),
    ("minAge", _set("source", "minAge", value="ten seconds"), "$.spec.source.minAge", "spec.source.minAge: Invalid value"),
    ("path-dotdot", _set("source", "path", value="../../etc"), "$.spec.source.path", "spec.source.path: Invalid value"),
    ("unknown-key", _set("source", "minAgee", value="10s"), "'minAgee' was unexpected", 'unknown field "spec.source.minAgee"'),
    ("no-volume", _drop("source", "volume"), "'volume' is a required property", "spec.source.volume: Required value"),
    ("two-volume-sources", _set("destination", "volume", value={"emptyDir": {}, "hostPath": {"path": "/x"}}),
     "$.spec.destination.volume", "spec.destination.volume: Too many"),
    ("email-when", _set("report", "email", "when", value="sometimes"), "$.spec.report.email.when",
     "spec.report.email.when: Unsupported value"),
    ("s3-bucket", _set("cloud", "s3", "bucket", value="Bad_Bucket"), "$.spec.cloud.s3.bucket", "spec.cloud.s3.bucket: Invalid value"),
    ("quantity", _set("podTemplate", "resources", "limits", "memory", value="lots"), "$.spec.podTemplate.resources.limits.memory",
     "spec.podTemplate.resources.limits.memory: Invalid value"),
    ("workers-0", _set("workers", value=0), "$.spec.workers", "spec.workers: Invalid value: 0"),
]
