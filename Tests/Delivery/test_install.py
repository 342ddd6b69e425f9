"""The install commands of README.md and docs/install.md, run with the real kubectl against the
Kubernetes API emulator: `kubectl apply -k` of each overlay, then a sample policy in a namespace.
(The emulator stores Deployments and StatefulSets but runs no Pods for them, so the rollout itself
is checked on a real cluster by .github/workflows/deploy.yml.)"""

from __future__ import annotations

import json

import pytest

from conftest import OVERLAYS, SAMPLES, emulator

EXPECTED = {
    "namespace/pybak-system", "customresourcedefinition.apiextensions.k8s.io/backuppolicies.pybak.io",
    "serviceaccount/pybak-controller", "role.rbac.authorization.k8s.io/pybak-leader-election",
    "clusterrole.rbac.authorization.k8s.io/pybak-controller",
    "rolebinding.rbac.authorization.k8s.io/pybak-leader-election",
    "clusterrolebinding.rbac.authorization.k8s.io/pybak-controller", "service/pybak",
    "deployment.apps/pybak-controller", "poddisruptionbudget.policy/pybak-controller",
    "networkpolicy.networking.k8s.io/pybak-controller",
}
QUICKSTART_EXTRA = {"secret/pybak-database", "secret/pybak-postgres", "service/pybak-postgres",
                    "statefulset.apps/pybak-postgres", "networkpolicy.networking.k8s.io/pybak-postgres"}


def applied(output: str) -> set[str]:
    """`kind/name` of each object `kubectl apply` reports, without the generated ConfigMap."""
    names = {line.split()[0] for line in output.splitlines() if line.strip()}
    return {name for name in names if not name.startswith("configmap/pybak-api-")}


@pytest.mark.parametrize("overlay", ["quickstart", "production", "default"])
def test_kubectl_apply_k_installs_the_overlay(tmp_path, overlay):
    with emulator(tmp_path) as k:
        out = k("apply", "-k", str(OVERLAYS[overlay])).stdout
        assert applied(out) == EXPECTED | (QUICKSTART_EXTRA if overlay == "quickstart" else set())
        assert len([line for line in out.splitlines() if line.startswith("configmap/pybak-api-")]) == 1
        again = k("apply", "-k", str(OVERLAYS[overlay])).stdout
        assert "deployment.apps/pybak-controller unchanged" in again
        assert "customresourcedefinition.apiextensions.k8s.io/backuppolicies.pybak.io unchanged" in again
        deployment = json.loads(k("-n", "pybak-system", "get", "deployment", "pybak-controller", "-o", "json").stdout)
        assert deployment["spec"]["replicas"] == 2
        assert [c["name"] for c in deployment["spec"]["template"]["spec"]["containers"]] == ["controller", "api"]
        # Then a policy, as the README's next step does.
        k("create", "namespace", "finance")
        k("-n", "finance", "apply", "-f", str(next(s for s in SAMPLES if s.name == "minimal.yaml")))
        lines = k("get", "backuppolicies", "-A").stdout.splitlines()
        assert lines[0].split()[:2] == ["NAMESPACE", "NAME"] and lines[1].split()[:2] == ["finance", "minimal"]
        # Uninstall, as docs/install.md says: policies first, then the operator.
        k("delete", "backuppolicies", "--all", "-A")
        k("delete", "-k", str(OVERLAYS[overlay]), "--ignore-not-found")
        assert "NotFound" in k("get", "crd", "backuppolicies.pybak.io", check=False).stderr
