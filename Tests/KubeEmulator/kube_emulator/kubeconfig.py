"""Writes a kubeconfig that points ``kubectl`` (or any client) at the emulator."""

from __future__ import annotations

import base64
import os

import yaml


def _embedded(path: str) -> str:
    with open(path, "rb") as fh:
        return base64.b64encode(fh.read()).decode()


def write_kubeconfig(path: str, url: str, token: str | None, namespace: str = "default", ca_file: str | None = None,
                     client_cert: str | None = None, client_key: str | None = None) -> None:
    """Write a kubeconfig with one cluster/user/context named ``kube-emulator`` (CA embedded when TLS;
    a client certificate and key embedded as ``client-certificate-data``/``client-key-data`` when given)."""
    user: dict[str, str] = {"token": token} if token else {}
    if client_cert and client_key:
        user["client-certificate-data"] = _embedded(client_cert)
        user["client-key-data"] = _embedded(client_key)
    cluster: dict[str, str] = {"server": url}
    if ca_file:
        cluster["certificate-authority-data"] = _embedded(ca_file)
    config = {
        "apiVersion": "v1", "kind": "Config", "preferences": {},
        "clusters": [{"name": "kube-emulator", "cluster": cluster}],
        "users": [{"name": "kube-emulator", "user": user}],
        "contexts": [{"name": "kube-emulator", "context": {"cluster": "kube-emulator", "user": "kube-emulator",
                                                          "namespace": namespace}}],
        "current-context": "kube-emulator",
    }
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as fh:
        yaml.safe_dump(config, fh, sort_keys=False)
    os.replace(tmp, path)
