"""A pretend kubelet: runs each Pod's first container as a local process.

- ``image`` is mapped to a local binary with ``--image-map IMAGE=PATH``: with no
  ``command`` the binary is the entrypoint; with a ``command`` whose first word is
  not an existing path (or has the binary's base name), that word is replaced.
- ``env``: ``value``, ``valueFrom.secretKeyRef`` / ``configMapKeyRef`` /
  ``fieldRef`` (metadata.name/namespace, spec.nodeName); ``envFrom``; ``$(VAR)``
  in command/args is expanded. Indexed Job pods get ``JOB_COMPLETION_INDEX``.
- Volumes become local directories: ``persistentVolumeClaim`` ->
  ``VOLUME_ROOT/<claimName>``, ``hostPath`` and others -> ``VOLUME_ROOT/<volume
  name>``, ``emptyDir`` -> a per-pod directory, ``secret``/``configMap`` -> files
  written from the stored object. A process cannot see ``mountPath``, so every
  argument or env value that starts with a ``mountPath`` is rewritten to the local
  directory (``subPath`` honoured), and the process runs in the pod directory.
- stdout+stderr go to a log file served at ``pods/NAME/log``.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import signal
import subprocess
import threading
from dataclasses import dataclass
from typing import Any

from .api import Api
from .clock import rfc3339
from .errors import ApiError
from .objects import Target, WriteOptions

INDEX_ANNOTATION = "batch.kubernetes.io/job-completion-index"


class ConfigError(Exception):
    """The pod cannot start yet (missing Secret/ConfigMap key): CreateContainerConfigError."""


@dataclass
class Process:
    """A running container process."""

    popen: subprocess.Popen
    log_path: str
    started: float


class Kubelet:
    """Starts, watches and stops container processes for Pods."""

    def __init__(self, api: Api, volume_root: str, image_map: dict[str, str], server_url: str = "") -> None:
        self.api = api
        self.volume_root = os.path.abspath(volume_root)
        self.image_map = image_map
        self.server_url = server_url
        self._procs: dict[tuple[str, str, str], Process] = {}
        self._logs: dict[tuple[str, str], str] = {}
        self._lock = threading.RLock()
        api.delete_hooks.append(self._on_delete)

    @property
    def pod_rt(self):
        return self.api.registry.by_key("/pods")

    # ---------------------------------------------------------------- public
    def log(self, namespace: str, name: str) -> bytes:
        """Return the captured output of a pod's container."""
        path = self._logs.get((namespace, name))
        if not path:
            return b""
        try:
            with open(path, "rb") as fh:
                return fh.read()
        except OSError:
            return b""

    def step(self) -> None:
        """Start pending pods and record exits of finished processes."""
        pods, _ = self.api.store.list("/pods")
        for pod in pods:
            phase = pod.get("status", {}).get("phase", "Pending")
            if pod["metadata"].get("deletionTimestamp") or phase in ("Succeeded", "Failed"):
                continue
            key = (pod["metadata"]["namespace"], pod["metadata"]["name"], pod["metadata"]["uid"])
            with self._lock:
                proc = self._procs.get(key)
            if proc is None and phase == "Pending":
                self._start(pod, key)
            elif proc is not None and proc.popen.poll() is not None:
                self._finished(pod, key, proc)

    def stop_all(self) -> None:
        """Kill every process (server shutdown)."""
        with self._lock:
            for proc in self._procs.values():
                self._kill(proc)
            self._procs.clear()

    # ---------------------------------------------------------------- internals
    def _on_delete(self, rt: Any, obj: dict[str, Any]) -> None:
        if rt.key != "/pods":
            return
        m = obj["metadata"]
        with self._lock:
            proc = self._procs.pop((m.get("namespace", ""), m["name"], m.get("uid", "")), None)
        if proc:
            self._kill(proc)

    @staticmethod
    def _kill(proc: Process) -> None:
        if proc.popen.poll() is None:
            try:
                os.killpg(proc.popen.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                proc.popen.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass

    def _pod_dir(self, pod: dict[str, Any]) -> str:
        m = pod["metadata"]
        path = os.path.join(self.volume_root, "_pods", f"{m['namespace']}_{m['name']}")
        os.makedirs(path, exist_ok=True)
        return path

    def _key_value(self, namespace: str, kind: str, ref: dict[str, Any]) -> str | None:
        obj = self.api.store.get("/secrets" if kind == "secret" else "/configmaps", namespace, ref.get("name", ""))
        if obj is None:
            if ref.get("optional"):
                return None
            raise ConfigError(f'{kind} "{ref.get("name")}" not found')
        if kind == "secret":
            raw = (obj.get("data") or {}).get(ref["key"])
            value = base64.b64decode(raw).decode(errors="replace") if raw is not None else None
        else:
            value = (obj.get("data") or {}).get(ref["key"])
        if value is None and not ref.get("optional"):
            raise ConfigError(f"couldn't find key {ref['key']} in {kind.capitalize()} {namespace}/{ref.get('name')}")
        return value

    def _env(self, pod: dict[str, Any], container: dict[str, Any]) -> dict[str, str]:
        ns = pod["metadata"]["namespace"]
        env: dict[str, str] = {}
        for src in container.get("envFrom") or []:
            prefix = src.get("prefix", "")
            for kind, field in (("secret", "secretRef"), ("configmap", "configMapRef")):
                if field in src:
                    obj = self.api.store.get("/secrets" if kind == "secret" else "/configmaps", ns, src[field].get("name", ""))
                    if obj is None:
                        if src[field].get("optional"):
                            continue
                        raise ConfigError(f'{kind} "{src[field].get("name")}" not found')
                    for k, v in (obj.get("data") or {}).items():
                        env[prefix + k] = base64.b64decode(v).decode(errors="replace") if kind == "secret" else v
        for var in container.get("env") or []:
            if "value" in var:
                env[var["name"]] = _expand(var["value"], env)
            elif "valueFrom" in var:
                vf = var["valueFrom"]
                value = None
                if "secretKeyRef" in vf:
                    value = self._key_value(ns, "secret", vf["secretKeyRef"])
                elif "configMapKeyRef" in vf:
                    value = self._key_value(ns, "configmap", vf["configMapKeyRef"])
                elif "fieldRef" in vf:
                    value = _field_ref(pod, vf["fieldRef"].get("fieldPath", ""))
                if value is not None:
                    env[var["name"]] = value
            else:
                env[var["name"]] = ""
        index = (pod["metadata"].get("annotations") or {}).get(INDEX_ANNOTATION)
        if index is not None:
            env["JOB_COMPLETION_INDEX"] = index
        return env

    def _volumes(self, pod: dict[str, Any], pod_dir: str) -> dict[str, str]:
        ns = pod["metadata"]["namespace"]
        out: dict[str, str] = {}
        for vol in pod["spec"].get("volumes") or []:
            name = vol["name"]
            if "persistentVolumeClaim" in vol:
                path = os.path.join(self.volume_root, vol["persistentVolumeClaim"]["claimName"])
            elif "emptyDir" in vol:
                path = os.path.join(pod_dir, "emptydir", name)
            elif "secret" in vol or "configMap" in vol:
                path = os.path.join(pod_dir, "projected", name)
                self._materialise(ns, vol, path)
            else:
                path = os.path.join(self.volume_root, name)
            os.makedirs(path, exist_ok=True)
            out[name] = path
        return out

    def _materialise(self, namespace: str, vol: dict[str, Any], path: str) -> None:
        secret = "secret" in vol
        src = vol["secret"] if secret else vol["configMap"]
        obj_name = src.get("secretName") if secret else src.get("name")
        obj = self.api.store.get("/secrets" if secret else "/configmaps", namespace, obj_name or "")
        if obj is None:
            if src.get("optional"):
                return
            raise ConfigError(f'{"secret" if secret else "configmap"} "{obj_name}" not found')
        data = obj.get("data") or {}
        items = src.get("items") or [{"key": k, "path": k} for k in data]
        shutil.rmtree(path, ignore_errors=True)
        os.makedirs(path, exist_ok=True)
        for item in items:
            if item["key"] not in data:
                raise ConfigError(f"couldn't find key {item['key']} in {obj_name}")
            content = base64.b64decode(data[item["key"]]) if secret else data[item["key"]].encode()
            target = os.path.join(path, item["path"])
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as fh:
                fh.write(content)
            os.chmod(target, item.get("mode", src.get("defaultMode", 0o644)))

    def _argv(self, container: dict[str, Any], env: dict[str, str]) -> list[str]:
        image = container.get("image", "")
        mapped = self.image_map.get(image) or self.image_map.get(image.split("@")[0].rsplit(":", 1)[0])
        command = [_expand(c, env) for c in container.get("command") or []]
        args = [_expand(a, env) for a in container.get("args") or []]
        if not command:
            if not mapped:
                raise ConfigError(f"image {image!r} has no entrypoint mapping (use --image-map) and the container has no command")
            return [mapped] + args
        if mapped and (os.path.basename(command[0]) == os.path.basename(mapped)
                       or (not os.path.isabs(command[0]) and shutil.which(command[0]) is None)):
            command[0] = mapped
        return command + args

    def _start(self, pod: dict[str, Any], key: tuple[str, str, str]) -> None:
        container = pod["spec"]["containers"][0]
        pod_dir = self._pod_dir(pod)
        try:
            env = self._env(pod, container)
            volumes = self._volumes(pod, pod_dir)
            argv = self._argv(container, env)
        except ConfigError as exc:
            self._set_status(pod, {"phase": "Pending", "containerStatuses": [self._cstatus(container, {
                "waiting": {"reason": "CreateContainerConfigError", "message": str(exc)}})]})
            return
        mounts = sorted(((m["mountPath"].rstrip("/") or "/", os.path.join(volumes[m["name"]], m.get("subPath", "")).rstrip("/"))
                         for m in container.get("volumeMounts") or [] if m["name"] in volumes),
                        key=lambda pair: len(pair[0]), reverse=True)
        for _, local in mounts:
            os.makedirs(local, exist_ok=True)
        # The image's mapped binary is a host path: never rewrite it (a checkout under /tmp would otherwise be
        # mistaken for the Pod's /tmp mount).
        host_binary = argv[0] in self.image_map.values()
        argv = [a if (i == 0 and host_binary) else _rewrite(a, mounts) for i, a in enumerate(argv)]
        env = {k: _rewrite(v, mounts) for k, v in env.items()}
        full_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": pod_dir, "HOSTNAME": pod["metadata"]["name"]}
        if self.server_url:
            full_env["KUBE_EMULATOR_URL"] = self.server_url
        full_env.update(env)
        cwd = _rewrite(container["workingDir"], mounts) if container.get("workingDir") else pod_dir
        log_path = os.path.join(pod_dir, f"{container['name']}.log")
        now = self.api.clock.now()
        try:
            with open(log_path, "ab") as log:
                popen = subprocess.Popen(argv, env=full_env, cwd=cwd if os.path.isdir(cwd) else pod_dir,
                                         stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         start_new_session=True)
        except OSError as exc:
            with open(log_path, "ab") as log:
                log.write(f"kube-emulator: cannot start {argv!r}: {exc}\n".encode())
            self._set_status(pod, {"phase": "Failed", "startTime": rfc3339(now), "containerStatuses": [self._cstatus(container, {
                "terminated": {"exitCode": 128, "reason": "StartError", "message": str(exc),
                               "startedAt": rfc3339(now), "finishedAt": rfc3339(now)}})]})
            return
        with self._lock:
            self._procs[key] = Process(popen, log_path, now)
            self._logs[(key[0], key[1])] = log_path
        restarts = self._restarts(pod)
        self._set_status(pod, {"phase": "Running", "startTime": pod.get("status", {}).get("startTime") or rfc3339(now),
                               "podIP": "127.0.0.1", "hostIP": "127.0.0.1",
                               "containerStatuses": [self._cstatus(container, {"running": {"startedAt": rfc3339(now)}},
                                                                   ready=True, restarts=restarts)]})

    @staticmethod
    def _restarts(pod: dict[str, Any]) -> int:
        statuses = pod.get("status", {}).get("containerStatuses") or []
        return statuses[0].get("restartCount", 0) if statuses else 0

    def _finished(self, pod: dict[str, Any], key: tuple[str, str, str], proc: Process) -> None:
        code = proc.popen.returncode
        if code < 0:
            code = 128 - code
        container = pod["spec"]["containers"][0]
        now = self.api.clock.now()
        with self._lock:
            self._procs.pop(key, None)
        restarts = self._restarts(pod)
        policy = pod["spec"].get("restartPolicy", "Always")
        terminated = {"exitCode": code, "reason": "Completed" if code == 0 else "Error",
                      "startedAt": rfc3339(proc.started), "finishedAt": rfc3339(now)}
        if code != 0 and policy in ("OnFailure", "Always") or code == 0 and policy == "Always":
            # restart in place: the Pod stays, restartCount grows (no back-off delay here)
            self._set_status(pod, {"phase": "Pending", "containerStatuses": [self._cstatus(
                container, {"waiting": {"reason": "CrashLoopBackOff" if code else "Completed"}},
                restarts=restarts + 1, last={"terminated": terminated})]})
            return
        self._set_status(pod, {"phase": "Succeeded" if code == 0 else "Failed", "containerStatuses": [
            self._cstatus(container, {"terminated": terminated}, restarts=restarts)]})

    @staticmethod
    def _cstatus(container: dict[str, Any], state: dict[str, Any], ready: bool = False, restarts: int = 0,
                 last: dict[str, Any] | None = None) -> dict[str, Any]:
        return {"name": container["name"], "image": container.get("image", ""), "imageID": "",
                "state": state, "lastState": last or {}, "ready": ready, "restartCount": restarts,
                "started": "running" in state}

    def _set_status(self, pod: dict[str, Any], status: dict[str, Any]) -> None:
        rt = self.pod_rt
        m = pod["metadata"]
        with self.api.store.cond:
            cur = self.api.store.get("/pods", m["namespace"], m["name"])
            if cur is None or cur["metadata"]["uid"] != m["uid"]:
                return
            new_status = dict(cur.get("status") or {})
            new_status.update(status)
            conditions = [{"type": t, "status": "True" if new_status.get("phase") == "Running" else "False"}
                          for t in ("Ready", "ContainersReady")]
            new_status["conditions"] = [{"type": "PodScheduled", "status": "True"}] + conditions
            cur["status"] = new_status
            try:
                self.api.update(Target(rt, "v1", m["namespace"], m["name"], "status"), cur, WriteOptions(manager="kubelet"))
            except ApiError:
                pass
            pod["status"] = new_status


def _expand(text: str, env: dict[str, str]) -> str:
    """Expand ``$(VAR)`` like the kubelet (``$$`` escapes)."""
    return re.sub(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)",
                  lambda m: "$" if m.group(0) == "$$" else env.get(m.group(1), m.group(0)), text)


def _rewrite(value: str, mounts: list[tuple[str, str]]) -> str:
    """Rewrite every path under a mountPath in ``value`` (a path, ``--flag=path`` or a shell
    command line) to the local directory; mounts are tried longest first, in one pass, so a
    rewritten path is never rewritten again by a shorter mount (e.g. ``/tmp``)."""
    if not mounts:
        return value
    locals_by_path = dict(mounts)
    alternatives = "|".join(re.escape(mount_path) for mount_path, _ in mounts)
    pattern = r"(?<![\w./-])(" + alternatives + r")(?=$|[/\s;'\"&|)`:,])"
    return re.sub(pattern, lambda m: locals_by_path[m.group(1)], value)


def _field_ref(pod: dict[str, Any], path: str) -> str:
    m = pod["metadata"]
    return {"metadata.name": m["name"], "metadata.namespace": m["namespace"], "metadata.uid": m.get("uid", ""),
            "spec.nodeName": pod["spec"].get("nodeName", ""), "spec.serviceAccountName": pod["spec"].get("serviceAccountName", ""),
            "status.podIP": "127.0.0.1", "status.hostIP": "127.0.0.1"}.get(path, "")
