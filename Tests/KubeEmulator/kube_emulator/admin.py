"""Private admin endpoints under ``/_emulator/`` (no authentication; loopback tests only).

- ``GET/POST/DELETE /_emulator/faults``: show, add, clear fault switches
  (POST body keys: ``error``, ``delay``, ``dropWatch``, ``dropOpenWatches``,
  ``expire``, ``loseLease``, ``rejectToken``, ``acceptToken``).
- ``POST /_emulator/cronjobs/NS/NAME/run``: make a Job from a CronJob now.
- ``POST /_emulator/kubelet/step``: one round of CronJob/Job controllers + kubelet.
- ``POST /_emulator/clock``: ``{"advanceSeconds": N}`` or ``{"set": "RFC3339"}``.
- ``POST /_emulator/tokens``: ``{"token", "user", "groups", "rules"}``.
- ``POST /_emulator/users``: ``{"user" or "group", "rules"}`` for client-certificate identities.
- ``POST /_emulator/history``: ``{"limit": N}`` resizes the event history.
- ``GET /_emulator/requests``: API requests answered, by User-Agent, method, path and watch;
  ``DELETE`` returns them and starts counting afresh.
- ``GET /_emulator/healthz``.
"""

from __future__ import annotations

import json
from typing import Any

from .api import Api
from .auth import ALLOW_ALL, Auth, Identity
from .batch import BatchController
from .clock import micro_time, parse_time, rfc3339
from .errors import ApiError, bad_request
from .faults import Faults
from .http_server import Request, Response
from .objects import Target, WriteOptions


class Admin:
    """Handles ``/_emulator/*`` requests."""

    def __init__(self, api: Api, auth: Auth, faults: Faults, batch: BatchController) -> None:
        self.api = api
        self.auth = auth
        self.faults = faults
        self.batch = batch

    def __call__(self, req: Request) -> Response:
        try:
            return self._handle(req)
        except ApiError as exc:
            return Response(exc.code, exc.status())

    def _body(self, req: Request) -> dict[str, Any]:
        if not req.body:
            return {}
        try:
            body = json.loads(req.body)
        except ValueError as exc:
            raise bad_request(f"invalid JSON: {exc}")
        if not isinstance(body, dict):
            raise bad_request("body must be a JSON object")
        return body

    def _handle(self, req: Request) -> Response:
        parts = [p for p in req.path.split("/") if p][1:]
        if parts == ["healthz"]:
            return Response(200, {"ok": True})
        if parts == ["faults"]:
            if req.method == "GET":
                return Response(200, self.faults.describe())
            if req.method == "DELETE":
                self.faults.clear()
                self.auth.clear_rejections()
                return Response(200, self.faults.describe())
            if req.method == "POST":
                self._faults(self._body(req))
                return Response(200, self.faults.describe())
        if parts == ["requests"] and getattr(self, "requests", None) is not None:
            counted = self.requests.describe()
            if req.method == "DELETE":
                self.requests.clear()
            return Response(200, counted)
        if req.method != "POST":
            raise ApiError(405, "method not allowed", "MethodNotAllowed")
        body = self._body(req)
        if len(parts) == 4 and parts[0] == "cronjobs" and parts[3] == "run":
            job = self.batch.run_now(parts[1], parts[2], body.get("jobName"))
            return Response(201, job)
        if parts == ["kubelet", "step"]:
            for _ in range(int(body.get("times", 1))):
                self.batch.step()
            return Response(200, {"ok": True})
        if parts == ["clock"]:
            if "advanceSeconds" in body:
                self.api.clock.advance(float(body["advanceSeconds"]))
            if "set" in body:
                when = parse_time(body["set"])
                if when is None:
                    raise bad_request("set must be an RFC 3339 time")
                self.api.clock.set(when)
            return Response(200, {"now": rfc3339(self.api.clock.now())})
        if parts == ["tokens"]:
            self.auth.add_token(body["token"], Identity(body.get("user", "user"), body.get("groups", []),
                                                        body.get("rules", list(ALLOW_ALL))))
            return Response(200, {"ok": True})
        if parts == ["users"]:
            if not (body.get("user") or body.get("group")) or not isinstance(body.get("rules"), list):
                raise bad_request('users: give "user" (a certificate CN) or "group" (an O value), and "rules"')
            self.auth.set_rules(body["rules"], user=body.get("user"), group=body.get("group"))
            return Response(200, {"ok": True})
        if parts == ["history"]:
            self.api.store.set_history_limit(int(body["limit"]))
            return Response(200, {"ok": True})
        raise ApiError(404, "unknown admin endpoint", "NotFound")

    def _faults(self, body: dict[str, Any]) -> None:
        if "error" in body:
            self.faults.add_error(body["error"])
        if "delay" in body:
            self.faults.add_delay(body["delay"])
        if "dropWatch" in body:
            self.faults.add_watch_drop(body["dropWatch"])
        if body.get("dropOpenWatches"):
            self.faults.drop_open_watches()
        if body.get("expire"):
            self.api.store.compact()
        if "rejectToken" in body:
            self.auth.reject(body["rejectToken"], True)
        if "acceptToken" in body:
            self.auth.reject(body["acceptToken"], False)
        if "loseLease" in body:
            self._lose_lease(body["loseLease"])

    def _lose_lease(self, spec: dict[str, Any]) -> None:
        """Make another identity take the Lease (the current holder's next update gets 409)."""
        rt = self.api.registry.by_key("coordination.k8s.io/leases")
        target = Target(rt, "v1", spec.get("namespace", "default"), spec["name"])
        lease = self.api.get(target)
        now = micro_time(self.api.clock.now())
        s = lease.setdefault("spec", {})
        s.update(holderIdentity=spec.get("holder", "kube-emulator-thief"), acquireTime=now, renewTime=now,
                 leaseTransitions=int(s.get("leaseTransitions", 0)) + 1)
        s.setdefault("leaseDurationSeconds", 15)
        self.api.update(target, lease, WriteOptions(manager="kube-emulator"))
