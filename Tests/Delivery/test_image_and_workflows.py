"""The Dockerfile (hadolint, and what it promises) and the GitHub workflows (their JSON schema,
and the steps the brief asks for). No Docker engine runs here, so the image is not built."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from conftest import REPO, run, tool

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))


def test_hadolint_finds_nothing_in_the_dockerfile():
    result = run(tool("hadolint"), str(REPO / "Dockerfile"), check=False)
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr


def test_hadolint_would_catch_a_bad_dockerfile(tmp_path):
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM debian:latest\nRUN apt-get update && apt-get install -y curl\nUSER root\n")
    result = run(tool("hadolint"), str(bad), check=False)
    assert result.returncode != 0 and "DL3007" in result.stdout and "DL3009" in result.stdout


def test_the_dockerfile_builds_statically_and_runs_as_non_root():
    text = (REPO / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+)(?: AS (\S+))?$", text, re.MULTILINE)
    assert stages == [("${SWIFT_IMAGE}", "build"), ("${RUNTIME_IMAGE}", "")]
    assert "ARG SWIFT_IMAGE=swift:6.3.1-bookworm" in text and "ARG RUNTIME_IMAGE=debian:bookworm-slim" in text
    assert "swift build -c release --static-swift-stdlib" in text
    runtime = text.split("FROM ${RUNTIME_IMAGE}")[1]
    for package in ("ca-certificates", "libcurl4", "libpq5", "libsqlite3-0", "libssl3", "zlib1g"):
        assert package in runtime
    assert "-dev" not in runtime
    assert re.search(r"^USER 65532:65532$", runtime, re.MULTILINE)
    assert 'ENTRYPOINT ["pybak"]' in runtime


def test_the_dockerignore_keeps_what_swiftpm_needs():
    ignored = [line for line in (REPO / ".dockerignore").read_text().splitlines() if line and not line.startswith("#")]
    assert ".build*" in ignored and ".git" in ignored
    assert not {"Package.swift", "Sources", "Tests"} & set(ignored)
    # Every Swift test target's folder reaches the build context (SwiftPM refuses missing ones).
    targets = re.findall(r'\.testTarget\(name: "(\w+)"', (REPO / "Package.swift").read_text())
    assert targets and not {f"Tests/{target}" for target in targets} & set(ignored)


def test_workflows_pass_the_github_workflow_schema():
    assert [p.name for p in WORKFLOWS] == ["ci.yml", "deploy.yml", "release.yml"]
    result = run(tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS), check=False)
    assert result.returncode == 0 and "ok -- validation done" in result.stdout, result.stdout + result.stderr


def test_the_workflow_schema_check_can_fail(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("name: x\non: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    stepz: []\n")
    result = run(tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(broken), check=False)
    assert result.returncode != 0


def steps(path: Path) -> str:
    """All `run` scripts and `uses` of a workflow, as one text."""
    workflow = yaml.safe_load(path.read_text())
    parts = []
    for job in workflow["jobs"].values():
        for step in job.get("steps", []):
            parts.append(step.get("run", "") + " " + step.get("uses", ""))
    return "\n".join(parts)


def test_ci_runs_the_suite_and_caches_the_build():
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "ci.yml").read_text())
    assert set(workflow[True]) == {"push", "pull_request"}  # PyYAML reads the key `on` as True
    assert "bash .ci/run" in steps(REPO / ".github" / "workflows" / "ci.yml")
    cache = [s for s in workflow["jobs"]["test"]["steps"] if s.get("uses", "").startswith("actions/cache@")]
    assert cache and cache[0]["with"]["path"] == ".build"
    kind = steps(REPO / ".github" / "workflows" / "ci.yml")
    assert "helm/kind-action@" in kind and "bash .ci/kind-e2e ghcr.io/pybak/pybak:e2e pybak" in kind


def test_release_pushes_a_multi_arch_image_and_attaches_pinned_manifests():
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "release.yml").read_text())
    assert workflow[True] == {"push": {"tags": ["v*"]}}
    platforms = {entry["platform"] for entry in workflow["jobs"]["image"]["strategy"]["matrix"]["include"]}
    assert platforms == {"linux/amd64", "linux/arm64"}
    text = steps(REPO / ".github" / "workflows" / "release.yml")
    assert "docker buildx imagetools create" in text and ".ci/render-manifests" in text and "gh release upload" in text


def test_deploy_pins_by_digest_waits_and_smoke_tests():
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "deploy.yml").read_text())
    assert set(workflow[True]) == {"release", "workflow_dispatch"}
    text = steps(REPO / ".github" / "workflows" / "deploy.yml")
    for needle in ("KUBECONFIG", "@$digest", "rollout status deployment/pybak-controller",
                   "kubectl get backuppolicies", "port-forward service/pybak", "/healthz"):
        assert needle in text, needle


def test_shell_in_the_delivery_scripts_and_workflows_passes_shellcheck(tmp_path):
    scripts = [REPO / ".ci" / "check-delivery", REPO / ".ci" / "kind-e2e"]
    for workflow in WORKFLOWS:
        for job_name, job in yaml.safe_load(workflow.read_text())["jobs"].items():
            for index, step in enumerate(job.get("steps", [])):
                if "run" in step:
                    # GitHub expressions are substituted before the shell runs; stand in a word.
                    body = re.sub(r"\$\{\{[^}]*\}\}", "X", step["run"])
                    script = tmp_path / f"{workflow.stem}-{job_name}-{index}.sh"
                    script.write_text("#!/usr/bin/env bash\nset -e\n" + body)
                    scripts.append(script)
    assert len(scripts) > 10
    result = run(tool("shellcheck"), *map(str, scripts), check=False)
    assert result.returncode == 0, result.stdout + result.stderr
