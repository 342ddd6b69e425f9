"""The CRD and samples through the real kubectl against the Kubernetes API emulator
(Tests/KubeEmulator): apply, printer columns (and -o wide), schema defaults, rejection of invalid
policies with field paths, and the status subresource feeding the columns."""

from __future__ import annotations

import copy
import json

import pytest
import yaml

from conftest import CRD, SAMPLES, emulator
from policies import BAD_POLICIES, FULL_SPEC, document

COLUMNS = ["NAME", "SCHEDULE", "SUSPENDED", "LAST SUCCESS", "LAST RESULT", "FILES", "RATIO", "AGE"]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with emulator(tmp_path_factory.mktemp("emulator")) as k:
        k("apply", "-f", str(CRD))
        yield k


def header(line: str) -> list[str]:
    """Column titles of kubectl's table header (titles are separated by 2+ spaces)."""
    return [title.strip() for title in line.split("  ") if title.strip()]


def test_samples_apply_and_list_with_the_printer_columns(cluster):
    for sample in SAMPLES:
        name = yaml.safe_load(sample.read_text())["metadata"]["name"]
        assert cluster("apply", "-f", str(sample)).stdout.strip() == f"backuppolicy.pybak.io/{name} created"
    assert "unchanged" in cluster("apply", "-f", str(SAMPLES[0])).stdout
    lines = cluster("get", "backuppolicies").stdout.splitlines()
    assert header(lines[0]) == COLUMNS
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert set(rows) == {"minimal", "invoices", "app-logs"}
    assert rows["minimal"][1:6] == ["*/2", "*", "*", "*", "*"] and rows["minimal"][6] == "false"
    assert rows["app-logs"][1:6] == ["*/10", "*", "*", "*", "*"]
    wide = cluster("get", "bkp", "-o", "wide").stdout.splitlines()
    assert header(wide[0]) == COLUMNS + ["NEXT RUN", "DURATION"]
    # The short name and the category work too.
    assert len(cluster("get", "pybak").stdout.splitlines()) == 4
    explained = cluster("explain", "backuppolicy.spec.compression").stdout
    assert "enum: gzip, zip, tar.gz" in explained and "zlib level, 1 (fastest) to 9 (smallest)." in explained


def test_the_server_applies_the_schema_defaults(cluster):
    cluster("apply", "-f", str(next(s for s in SAMPLES if s.name == "minimal.yaml")))
    spec = json.loads(cluster("get", "bkp", "minimal", "-o", "json").stdout)["spec"]
    assert spec["schedule"] == "*/2 * * * *" and spec["suspend"] is False
    assert spec["compression"] == {"format": "gzip", "level": 6}
    assert spec["source"]["minAge"] == "10s"
    assert (spec["parallelism"], spec["workers"]) == (2, 1)
    assert (spec["successfulJobsHistoryLimit"], spec["failedJobsHistoryLimit"]) == (3, 1)
    assert spec["keepLocalCopy"] is True and spec["keepSource"] is False
    assert "encryption" not in spec and "cloud" not in spec


def test_an_invalid_policy_is_rejected_with_field_paths(cluster):
    bad = """apiVersion: pybak.io/v1alpha1
kind: BackupPolicy
metadata: {name: bad}
spec:
  schedule: "every two minutes"
  source: {volume: {persistentVolumeClaim: {claimName: inbox}}, minAge: soon}
  destination: {volume: {emptyDir: {}}}
  compression: {level: 12}
"""
    result = cluster("apply", "-f", "-", stdin=bad, check=False)
    assert result.returncode != 0
    assert 'The BackupPolicy "bad" is invalid' in result.stderr
    for field in ("spec.schedule: Invalid value", "spec.compression.level: Invalid value: 12",
                  "spec.source.minAge: Invalid value"):
        assert field in result.stderr, result.stderr
    assert "NotFound" in cluster("get", "bkp", "bad", check=False).stderr
    typo = bad.replace("every two minutes", "*/5 * * * *").replace("level: 12", "levle: 3").replace("minAge: soon", "minAge: 5s")
    result = cluster("apply", "-f", "-", stdin=typo, check=False)
    assert result.returncode != 0 and 'unknown field "spec.compression.levle"' in result.stderr


def test_status_subresource_feeds_the_columns(cluster):
    cluster("apply", "-f", str(next(s for s in SAMPLES if s.name == "minimal.yaml")))
    status = {"status": {
        "observedGeneration": 1,
        "conditions": [{"type": "Ready", "status": "True", "reason": "Scheduled", "message": "CronJob minimal is scheduled",
                        "lastTransitionTime": "2026-01-01T00:00:00Z", "observedGeneration": 1}],
        "lastScheduleTime": "2026-01-01T00:00:00Z", "lastSuccessfulTime": "2026-01-01T00:00:04Z",
        "nextScheduleTime": "2099-01-01T00:02:00Z",
        "lastRun": {"id": 17, "jobName": "minimal-29000000", "trigger": "schedule", "result": "Succeeded",
                    "startTime": "2026-01-01T00:00:01Z", "completionTime": "2026-01-01T00:00:04Z", "duration": "3.2s",
                    "filesCompressed": 12, "filesDuplicate": 1, "filesSkipped": 0, "filesFailed": 0,
                    "bytesIn": 43000, "bytesOut": 10000, "ratio": 4.3},
        "totals": {"runs": 9, "files": 120, "bytesIn": 430000, "bytesOut": 100000, "ratio": 4.3},
    }}
    cluster("patch", "bkp", "minimal", "--subresource=status", "--type=merge", "-p", json.dumps(status))
    row = cluster("get", "bkp", "minimal", "-o", "wide", "--no-headers").stdout.split()
    assert row[0] == "minimal" and row[6] == "false" and row[7].endswith("d") and row[8:11] == ["Succeeded", "120", "4.3"]
    assert row[-2:] == ["2099-01-01T00:02:00Z", "3.2s"]
    # A status the schema refuses is refused (the controller gets a 422, not a silent drop).
    wrong = cluster("patch", "bkp", "minimal", "--subresource=status", "--type=merge",
                    "-p", '{"status":{"conditions":[{"type":"Ready","status":"Yes"}]}}', check=False)
    assert wrong.returncode != 0 and "status.conditions[0].status: Unsupported value" in wrong.stderr


def test_the_server_accepts_the_policy_with_every_field(cluster):
    applied = cluster("apply", "--dry-run=server", "-o", "json", "-f", "-", stdin=json.dumps(document(FULL_SPEC)))
    assert json.loads(applied.stdout)["spec"] == FULL_SPEC  # nothing pruned, nothing changed
    assert "NotFound" in cluster("get", "bkp", "full", check=False).stderr


@pytest.mark.parametrize("change, complaint", [(c, says) for _, c, _, says in BAD_POLICIES],
                         ids=[name for name, *_ in BAD_POLICIES])
def test_the_server_rejects_each_bad_policy(cluster, change, complaint):
    spec = copy.deepcopy(FULL_SPEC)
    change(spec)
    result = cluster("apply", "--dry-run=server", "-f", "-", stdin=json.dumps(document(spec)), check=False)
    assert result.returncode != 0 and complaint in result.stderr, result.stderr
