"""KUBE-API row "auth" with client certificates (mTLS, as ``--client-ca-file``): a certificate issued by the
client CA is the user of its CN with its O values as groups; none or an untrusted one gets 401 with a
Status body. Checked with Python's ``ssl`` client and with the real kubectl (certificate data embedded in
the kubeconfig, and certificate/key file paths)."""

from __future__ import annotations

import base64
import os
import shutil
import ssl
import subprocess
import sys

import pytest
import yaml

from helpers import Client
from kube_emulator import pki

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    return pki.make(str(tmp_path_factory.mktemp("pki")))


def tls_client(emu, certs, name: str | None) -> Client:
    ctx = ssl.create_default_context(cafile=emu.ca_file)
    if name:
        ctx.load_cert_chain(*certs[name])
    return Client(emu.url, ssl_context=ctx)


@pytest.fixture
def mtls(emulator_factory, certs, tmp_path):
    return emulator_factory(tls=True, cert_dir=str(tmp_path / "tls"), client_ca=certs["ca"][0])


def test_certificate_cn_is_the_user_and_o_the_groups(mtls, certs):
    admin = tls_client(mtls, certs, "admin")
    assert admin.get("/api/v1/namespaces").status == 200
    assert admin.post("/api/v1/namespaces/default/configmaps", {"metadata": {"name": "c"}}).status == 201
    viewer = tls_client(mtls, certs, "viewer")
    denied = viewer.get("/api/v1/namespaces/default/configmaps")
    assert denied.status == 403 and 'User "viewer" cannot list resource "configmaps"' in denied.body["message"]
    admin.admin("users", {"group": "viewers", "rules": [{"verbs": ["get", "list"], "apiGroups": [""], "resources": ["configmaps"]}]})
    assert viewer.get("/api/v1/namespaces/default/configmaps").status == 200
    assert viewer.delete("/api/v1/namespaces/default/configmaps/c").status == 403


@pytest.mark.parametrize("name", [None, "stranger"])
def test_no_or_untrusted_certificate_is_401_with_a_status(mtls, certs, name):
    reply = tls_client(mtls, certs, name).get("/api/v1/namespaces")
    assert reply.status == 401
    assert reply.body == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                          "message": "Unauthorized", "reason": "Unauthorized", "code": 401}


def test_a_token_still_authenticates_beside_an_untrusted_certificate(emulator_factory, certs, tmp_path):
    emu = emulator_factory(tls=True, cert_dir=str(tmp_path / "tls"), client_ca=certs["ca"][0], token="tok")
    client = tls_client(emu, certs, "stranger")
    assert client.get("/api/v1/namespaces").status == 401
    client.token = "tok"
    assert client.get("/api/v1/namespaces").status == 200


def test_client_ca_needs_tls(tmp_path, certs):
    proc = subprocess.run([sys.executable, "-m", "kube_emulator", "--client-ca", certs["ca"][0]], cwd=HERE,
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2 and "--client-ca needs --tls" in proc.stderr


@pytest.fixture(scope="module")
def cli(tmp_path_factory, certs):
    """The emulator through its CLI with --client-ca, writing a kubeconfig that embeds the admin certificate."""
    assert shutil.which("kubectl"), "kubectl is required (the independent client of these tests)"
    tmp = tmp_path_factory.mktemp("mtls-cli")
    kubeconfig = str(tmp / "kubeconfig")
    proc = subprocess.Popen([sys.executable, "-m", "kube_emulator", "--port", "0", "--kubeconfig", kubeconfig,
                             "--tls", "--cert-dir", str(tmp / "tls"), "--client-ca", certs["ca"][0],
                             "--kubeconfig-client-cert", certs["admin"][0], "--kubeconfig-client-key", certs["admin"][1],
                             "--volume-root", str(tmp / "vols")],
                            cwd=HERE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = proc.stdout.readline().strip()
    assert url.startswith("https://127.0.0.1:"), proc.stderr.read() if proc.poll() is not None else url
    yield {"kubeconfig": kubeconfig, "tmp": tmp}
    proc.terminate()
    proc.wait(timeout=10)


def kubectl(kubeconfig: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["kubectl", "--kubeconfig", kubeconfig, *args], capture_output=True, text=True, timeout=60)


def variant(cli, name: str, user: dict) -> str:
    """A copy of the CLI's kubeconfig with another user entry."""
    with open(cli["kubeconfig"]) as fh:
        config = yaml.safe_load(fh)
    config["users"][0]["user"] = user
    path = str(cli["tmp"] / f"kubeconfig-{name}")
    with open(path, "w") as fh:
        yaml.safe_dump(config, fh)
    return path


def test_kubectl_with_embedded_certificate_data(cli):
    with open(cli["kubeconfig"]) as fh:
        user = yaml.safe_load(fh)["users"][0]["user"]
    assert set(user) == {"client-certificate-data", "client-key-data"}
    assert base64.b64decode(user["client-certificate-data"]).startswith(b"-----BEGIN CERTIFICATE-----")
    created = kubectl(cli["kubeconfig"], "create", "configmap", "from-kubectl", "--from-literal=a=1")
    assert created.returncode == 0, created.stderr
    got = kubectl(cli["kubeconfig"], "get", "configmap", "from-kubectl", "-o", "jsonpath={.data.a}")
    assert got.returncode == 0 and got.stdout == "1", got.stderr


def test_kubectl_with_certificate_files_and_refusals(cli, certs):
    files = variant(cli, "files", {"client-certificate": certs["viewer"][0], "client-key": certs["viewer"][1]})
    denied = kubectl(files, "get", "configmaps")
    assert denied.returncode != 0 and 'User "viewer" cannot list resource "configmaps"' in denied.stderr
    assert kubectl(files, "get", "namespaces").returncode != 0
    admin_files = variant(cli, "admin-files", {"client-certificate": certs["admin"][0], "client-key": certs["admin"][1]})
    listed = kubectl(admin_files, "get", "configmaps", "-o", "name")
    assert listed.returncode == 0 and "configmap/from-kubectl" in listed.stdout
    stranger = variant(cli, "stranger", {"client-certificate": certs["stranger"][0], "client-key": certs["stranger"][1]})
    refused = kubectl(stranger, "get", "configmaps")
    assert refused.returncode != 0 and "must be logged in to the server (Unauthorized)" in refused.stderr
