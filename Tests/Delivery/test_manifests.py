"""The kustomize overlays: they render, pass kubernetes-validate --strict for Kubernetes 1.30, and
say what the brief asks (least-privilege RBAC, a restricted controller, pinned images)."""

from __future__ import annotations

import base64
import re

import pytest

from conftest import OVERLAYS, REPO, load_all, run, tool


def by_kind(text: str) -> dict[tuple[str, str], dict]:
    return {(doc["kind"], doc["metadata"]["name"]): doc for doc in load_all(text)}


@pytest.mark.parametrize("overlay", sorted(OVERLAYS))
def test_overlay_passes_kubernetes_validate_strict(rendered, overlay, tmp_path):
    # Every object of an overlay is a built-in kind or the CRD itself, so nothing is excluded:
    # kubernetes-validate knows CustomResourceDefinition. BackupPolicy objects (the samples) have
    # no schema in that tool; they are checked against the CRD's own schema in test_samples.py.
    out = tmp_path / f"{overlay}.yaml"
    out.write_text(rendered[overlay])
    result = run(tool("kubernetes-validate"), "-k", "1.30.0", "--strict", str(out), check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    passed = re.findall(r"passed for resource (\S+)", result.stdout + result.stderr)
    assert len(passed) == len(load_all(rendered[overlay])) >= 12


def test_kubernetes_validate_cannot_check_a_backuppolicy():
    # Why the samples are checked with check-jsonschema against the CRD's schema instead: this tool
    # has no schema for custom resources and only warns (exit 0), which would be a false pass.
    sample = REPO / "manifests" / "samples" / "minimal.yaml"
    result = run(tool("kubernetes-validate"), "-k", "1.30.0", "--strict", str(sample), check=False)
    assert "Couldn't find schema for kind BackupPolicy" in result.stdout + result.stderr


def test_kubernetes_validate_rejects_an_unknown_field(rendered, tmp_path):
    # The check above can fail: a misspelt field in the Deployment is caught.
    broken = rendered["production"].replace("  replicas: 2\n", "  replicaz: 2\n", 1)
    assert broken != rendered["production"]
    out = tmp_path / "broken.yaml"
    out.write_text(broken)
    result = run(tool("kubernetes-validate"), "-k", "1.30.0", "--strict", str(out), check=False)
    assert result.returncode != 0 and "replicaz" in result.stdout + result.stderr


def test_every_overlay_installs_the_crd_namespace_rbac_and_controller(rendered):
    for name, text in rendered.items():
        objects = by_kind(text)
        for key in [("CustomResourceDefinition", "backuppolicies.pybak.io"), ("Namespace", "pybak-system"),
                    ("ServiceAccount", "pybak-controller"), ("ClusterRole", "pybak-controller"),
                    ("ClusterRoleBinding", "pybak-controller"), ("Role", "pybak-leader-election"),
                    ("RoleBinding", "pybak-leader-election"), ("Deployment", "pybak-controller"),
                    ("Service", "pybak"), ("PodDisruptionBudget", "pybak-controller"),
                    ("NetworkPolicy", "pybak-controller")]:
            assert key in objects, f"{name}: {key} missing"
        namespaced = [doc for doc in objects.values() if doc["kind"] not in
                      ("CustomResourceDefinition", "Namespace", "ClusterRole", "ClusterRoleBinding")]
        assert {doc["metadata"].get("namespace") for doc in namespaced} == {"pybak-system"}, name
    quick = by_kind(rendered["quickstart"])
    assert ("StatefulSet", "pybak-postgres") in quick and ("Secret", "pybak-database") in quick
    assert ("Secret", "pybak-database") not in by_kind(rendered["production"])


def test_rbac_is_least_privilege_and_reads_no_secrets(rendered):
    objects = by_kind(rendered["production"])
    rules = objects[("ClusterRole", "pybak-controller")]["rules"]
    granted = {(group, resource): set(rule["verbs"]) for rule in rules
               for group in rule["apiGroups"] for resource in rule["resources"]}
    assert granted == {
        ("pybak.io", "backuppolicies"): {"list", "watch"},
        ("pybak.io", "backuppolicies/status"): {"update"},
        ("pybak.io", "backuppolicies/finalizers"): {"update"},
        ("batch", "cronjobs"): {"get", "list", "watch", "create", "update"},
        ("batch", "jobs"): {"get", "list", "watch", "create"},
        ("events.k8s.io", "events"): {"create"},
    }
    lease_rules = objects[("Role", "pybak-leader-election")]["rules"]
    assert {verb for rule in lease_rules for verb in rule["verbs"]} == {"get", "create", "update"}
    assert all(rule["resources"] == ["leases"] and rule["apiGroups"] == ["coordination.k8s.io"] for rule in lease_rules)
    every = [rule for doc in objects.values() if doc["kind"] in ("ClusterRole", "Role") for rule in doc["rules"]]
    assert not any("secrets" in rule["resources"] or "*" in rule["resources"] or "*" in rule["verbs"] for rule in every)


def test_controller_deployment_is_restricted_and_probed(rendered):
    deployment = by_kind(rendered["production"])[("Deployment", "pybak-controller")]
    pod = deployment["spec"]["template"]["spec"]
    assert deployment["spec"]["replicas"] == 2 and pod["serviceAccountName"] == "pybak-controller"
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    containers = {c["name"]: c for c in pod["containers"]}
    assert containers["controller"]["args"][:2] == ["controller", "--leader-elect"]
    assert containers["api"]["args"][0] == "serve" and containers["api"]["ports"][0]["containerPort"] == 8080
    assert "--kubernetes" in containers["api"]["args"]  # POST /compress creates Jobs through the Pod's ServiceAccount
    for container in containers.values():
        context = container["securityContext"]
        assert context["allowPrivilegeEscalation"] is False and context["readOnlyRootFilesystem"] is True
        assert context["runAsNonRoot"] is True and context["capabilities"] == {"drop": ["ALL"]}
        assert context["seccompProfile"] == {"type": "RuntimeDefault"}
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["resources"]["requests"] and container["resources"]["limits"]["memory"]
        database = next(e for e in container["env"] if e["name"] == "PYBAK_DATABASE_URL")
        assert database["valueFrom"]["secretKeyRef"] == {"name": "pybak-database", "key": "url"}
    service_ports = {p["name"]: p["port"] for p in by_kind(rendered["production"])[("Service", "pybak")]["spec"]["ports"]}
    assert service_ports == {"api": 8080, "metrics": 8081}


def test_quickstart_postgres_meets_the_restricted_profile(rendered):
    statefulset = by_kind(rendered["quickstart"])[("StatefulSet", "pybak-postgres")]
    pod = statefulset["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] == 999
    assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert statefulset["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"] == "1Gi"
    url = base64.b64decode(by_kind(rendered["quickstart"])[("Secret", "pybak-database")]["data"]["url"]).decode()
    assert url.startswith("postgresql://pybak:") and "@pybak-postgres.pybak-system.svc:5432/pybak" in url


def test_render_manifests_pins_the_image_everywhere_including_the_worker_image(tmp_path):
    digest = "sha256:" + "0123456789abcdef" * 4
    reference = f"ghcr.io/pybak/pybak:v9.8.7@{digest}"
    out = tmp_path / "dist"
    run("python3", str(REPO / ".ci" / "render-manifests"), "--image", reference, "--out", str(out))
    for overlay in ("production", "quickstart"):
        objects = by_kind((out / f"pybak-{overlay}.yaml").read_text())
        containers = objects[("Deployment", "pybak-controller")]["spec"]["template"]["spec"]["containers"]
        assert [c["image"] for c in containers] == [reference, reference]
        worker = next(e for e in containers[0]["env"] if e["name"] == "PYBAK_WORKER_IMAGE")
        assert worker["value"] == reference
    assert (out / "pybak.io_backuppolicies.yaml").read_text() == (REPO / "crds" / "pybak.io_backuppolicies.yaml").read_text()
    bad = run("python3", str(REPO / ".ci" / "render-manifests"), "--image", "not an image", "--out", str(out), check=False)
    assert bad.returncode != 0 and "is not NAME:TAG" in bad.stderr
