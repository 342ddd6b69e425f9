"""The samples and the CRD's schema: every sample passes the CRD's own openAPIV3Schema
(check-jsonschema), bad policies do not, and the CRD's spec fields agree with what the binary
parses (`pybak run -f`, Sources/PyBakCore/PolicyKeys.swift)."""

from __future__ import annotations

import copy
import json
import os
import re

import pytest
import yaml

from conftest import REPO, SAMPLES, run, tool
from crd_schema import json_schema, served_schema
from policies import BAD_POLICIES, FULL_SPEC, REFUSED_BY_ENGINE, document


@pytest.fixture(scope="module")
def schema_file(crd, tmp_path_factory):
    path = tmp_path_factory.mktemp("schema") / "backuppolicy.schema.json"
    path.write_text(json.dumps(json_schema(crd)))
    return path


def check(schema_file, *paths):
    return run(tool("check-jsonschema"), "--schemafile", str(schema_file), *map(str, paths), check=False)


def test_there_are_the_three_samples():
    assert [p.name for p in SAMPLES] == ["encrypted-s3.yaml", "gcs-email.yaml", "minimal.yaml"]


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_sample_passes_the_crd_schema(schema_file, sample):
    result = check(schema_file, sample)
    assert result.returncode == 0 and "ok -- validation done" in result.stdout, result.stdout + result.stderr


@pytest.mark.parametrize("change, complaint", [(c, says) for _, c, says, _ in BAD_POLICIES],
                         ids=[name for name, *_ in BAD_POLICIES])
def test_the_schema_rejects_a_bad_policy(schema_file, tmp_path, change, complaint):
    spec = copy.deepcopy(FULL_SPEC)
    change(spec)
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(document(spec)))
    result = check(schema_file, bad)
    assert result.returncode != 0 and complaint in result.stdout, result.stdout + result.stderr


def schema_paths(node: dict, prefix: str = "") -> set[str]:
    """Every property path of a structural schema (not descending into free-form objects)."""
    paths = set()
    for key, child in node.get("properties", {}).items():
        path = f"{prefix}.{key}" if prefix else key
        paths.add(path)
        if not child.get("x-kubernetes-preserve-unknown-fields"):
            paths |= schema_paths(child.get("items", child), path)
    return paths


def value_paths(value, prefix: str = "") -> set[str]:
    paths = set()
    if isinstance(value, dict):
        for key, child in value.items():
            path = f"{prefix}.{key}" if prefix else key
            paths.add(path)
            paths |= value_paths(child, path)
    elif isinstance(value, list):
        for child in value:
            paths |= value_paths(child, prefix)
    return paths


def test_the_full_policy_sets_every_spec_field_and_passes(crd, schema_file, tmp_path):
    spec_schema = served_schema(crd)["properties"]["spec"]
    missing = {p for p in schema_paths(spec_schema)} - value_paths(FULL_SPEC)
    assert not missing, f"FULL_SPEC lacks {sorted(missing)}"
    full = tmp_path / "full.yaml"
    full.write_text(yaml.safe_dump(document(FULL_SPEC)))
    result = check(schema_file, full)
    assert result.returncode == 0, result.stdout + result.stderr


def policy_keys_of_the_binary() -> set[str]:
    """The spec keys the binary knows, read from PolicyKeys.swift (`"name": ...` in `static let spec`)."""
    source = (REPO / "Sources" / "PyBakCore" / "PolicyKeys.swift").read_text()
    block = source[source.index("static let spec"):source.index("static let document")]
    return set(re.findall(r'"(\w+)":', block))


def test_every_key_the_binary_parses_is_in_the_crd(crd):
    names = {p.split(".")[-1] for p in schema_paths(served_schema(crd)["properties"]["spec"])}
    assert policy_keys_of_the_binary() - names == set()


@pytest.mark.needs_binary
@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_the_binary_parses_each_sample(pybak, sample, tmp_path):
    # The cluster volumes are mounted by the worker; a local pass gets folders by flags instead.
    (tmp_path / "src").mkdir()
    spec = yaml.safe_load(sample.read_text())["spec"]
    refused = [key for key in REFUSED_BY_ENGINE if key in spec]
    # The worker finds the Secrets a policy names through these variables (SecretFiles.swift); a dry run reads no key.
    env = dict(os.environ)
    if "gcs" in spec.get("cloud", {}):
        env["PYBAK_GCS_CREDENTIALS_FILE"] = "/var/run/pybak/gcs/key.json"
    if "email" in spec.get("report", {}):
        smtp = tmp_path / "smtp"
        smtp.mkdir()
        for name, value in {"url": "smtp://smtp.example:587", "username": "u", "password": "p"}.items():
            (smtp / name).write_text(value)
        env["PYBAK_SMTP_SECRET_DIR"] = str(smtp)
    result = run(pybak, "run", "-f", str(sample), "--dry-run", "--source", str(tmp_path / "src"),
                 "--dest", str(tmp_path / "dst"), check=False, env=env)
    if result.returncode != 0:
        # Today's engine refuses these blocks with a clear message (the keys themselves are known);
        # any other complaint (an unknown key, a wrong type) is a disagreement with the CRD.
        assert result.returncode == 2 and refused, result.stderr
        assert any(f"spec.{key}" in result.stderr for key in refused), result.stderr
        assert "not supported by this version of pybak yet" in result.stderr, result.stderr
    # Everything else in the sample must be accepted as it is.
    rest = {key: value for key, value in spec.items() if key not in REFUSED_BY_ENGINE}
    trimmed = tmp_path / "trimmed.yaml"
    trimmed.write_text(yaml.safe_dump(document(rest, name=sample.stem)))
    run(pybak, "run", "-f", str(trimmed), "--dry-run", "--source", str(tmp_path / "src"), "--dest", str(tmp_path / "dst"))


@pytest.mark.needs_binary
def test_the_binary_knows_every_crd_field(pybak, tmp_path):
    (tmp_path / "src").mkdir()
    rest = {key: value for key, value in FULL_SPEC.items() if key not in REFUSED_BY_ENGINE}
    policy = tmp_path / "full.yaml"
    policy.write_text(yaml.safe_dump(document(rest)))
    run(pybak, "run", "-f", str(policy), "--dry-run", "--source", str(tmp_path / "src"), "--dest", str(tmp_path / "dst"))
    # And it still refuses a key the CRD does not have, so the check above means something.
    policy.write_text(yaml.safe_dump(document({**rest, "source": {**rest["source"], "minAgee": "1s"}})))
    result = run(pybak, "run", "-f", str(policy), "--dry-run", "--source", str(tmp_path / "src"),
                 "--dest", str(tmp_path / "dst"), check=False)
    assert result.returncode == 2 and "spec.source.minAgee: unknown key" in result.stderr
