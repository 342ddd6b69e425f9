"""Writes a kubeconfig that points ``kubectl`` (or any client) at the emulator."""

from __future__ import annotations

import base64
import os

import yaml


def write_kubeconfig(path: str, url: str, token: str | None, namespace: str = "default", ca_file: str | None = None) -> None:
    """Write a kubeconfig with one cluster/user/context named ``kube-emulator`` (CA embedded when TLS)."""
    user: dict[str, str] = {"token": token} if token else {}
    cluster: dict[str, str] = {"server": url}
    if ca_file:
        with open(ca_file, "rb") as fh:
            cluster["certificate-authority-data"] = base64.b64encode(fh.read()).decode()
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
