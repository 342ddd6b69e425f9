"""Request routing: admin endpoints, health, discovery, OpenAPI and resource verbs."""

from __future__ import annotations

import json
import time
import traceback
from typing import Any, Callable

import yaml

from . import discovery, openapi, protobuf, tables
from .api import Api
from .auth import Auth, Identity
from .errors import ApiError, bad_request
from .faults import Faults
from .http_server import Request, Response
from .objects import GO_TRUE, Target, WriteOptions
from .resources import ResourceType
from .watch import stream

PUBLIC = ("/version", "/healthz", "/livez", "/readyz")


def _error(exc: ApiError) -> Response:
    return Response(exc.code, exc.status(), dict(exc.headers))


def _not_found_path() -> ApiError:
    return ApiError(404, "the server could not find the requested resource", "NotFound", {})


class App:
    """The emulator's HTTP application; callable with a ``Request``."""

    def __init__(self, api: Api, auth: Auth, faults: Faults, admin: Callable[[Request], Response],
                 server_address: Callable[[], str], bookmark_interval: float = 5.0) -> None:
        self.api = api
        self.auth = auth
        self.faults = faults
        self.admin = admin
        self.server_address = server_address
        self.bookmark_interval = bookmark_interval

    def __call__(self, req: Request) -> Response:
        try:
            if req.path.startswith("/_emulator/"):
                return self.admin(req)
            if req.path in PUBLIC:
                return self._public(req)
            requests = getattr(self, "requests", None)
            if requests is not None:
                requests.record(req.header("user-agent"), req.method, req.path, req.query.get("watch") in ("1", "true"))
            delay = self.faults.delay_for(req.method, req.path)
            if delay:
                time.sleep(delay)
            injected = self.faults.error_for(req.method, req.path)
            if injected is not None:
                return _error(injected)
            user = self.auth.authenticate(req.header("authorization") or None, req.client_cert)
            return self._route(req, user)
        except ApiError as exc:
            return _error(exc)
        except Exception as exc:  # report bugs as 500 Status, like a panic handler
            traceback.print_exc()
            return _error(ApiError(500, f"Internal error occurred: {exc!r}"))

    def _public(self, req: Request) -> Response:
        if req.path == "/version":
            return Response(200, discovery.VERSION_INFO)
        return Response(200, raw=b"ok", content_type="text/plain; charset=utf-8")

    # ------------------------------------------------------------ routing
    def _route(self, req: Request, user: Identity) -> Response:
        parts = [p for p in req.path.split("/") if p]
        if req.method not in ("GET", "HEAD") and parts[:1] not in (["api"], ["apis"]):
            raise _not_found_path()
        if parts[:1] == ["openapi"]:
            return self._openapi(parts)
        if parts == ["api"]:
            return Response(200, discovery.api_versions(self.server_address()))
        if parts == ["apis"]:
            return Response(200, discovery.api_group_list(self.api.registry))
        if parts[:1] == ["apis"] and len(parts) == 2:
            doc = discovery.api_group(self.api.registry, parts[1])
            if doc is None:
                raise _not_found_path()
            return Response(200, doc)
        if parts[:1] == ["api"] and len(parts) >= 2:
            group, version, rest = "", parts[1], parts[2:]
        elif parts[:1] == ["apis"] and len(parts) >= 3:
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            raise _not_found_path()
        if not rest:
            if req.method != "GET":
                raise _not_found_path()
            doc = discovery.resource_list(self.api.registry, group, version)
            if doc is None:
                raise _not_found_path()
            return Response(200, doc)
        return self._resource(req, user, group, version, rest)

    def _openapi(self, parts: list[str]) -> Response:
        if parts == ["openapi", "v3"]:
            return Response(200, openapi.index(self.api.registry))
        if len(parts) >= 4 and parts[1] == "v3":
            sub = parts[2:]
            if sub[0] == "api" and len(sub) == 2:
                doc = openapi.gv_document(self.api.registry, "", sub[1])
            elif sub[0] == "apis" and len(sub) == 3:
                doc = openapi.gv_document(self.api.registry, sub[1], sub[2])
            else:
                doc = None
            if doc is not None:
                return Response(200, doc, {"Cache-Control": "public, immutable"})
        raise _not_found_path()

    def _resource(self, req: Request, user: Identity, group: str, version: str, rest: list[str]) -> Response:
        query = dict(req.query)
        if rest[0] == "watch":
            rest = rest[1:]
            query["watch"] = "true"
        namespace = ""
        if len(rest) >= 3 and rest[0] == "namespaces" and rest[2] not in ("status", "finalize"):
            namespace, rest = rest[1], rest[2:]
        if not rest or len(rest) > 3:
            raise _not_found_path()
        rt = self.api.registry.lookup(group, version, rest[0])
        if rt is None or (namespace and not rt.namespaced):
            raise _not_found_path()
        name = rest[1] if len(rest) > 1 else ""
        sub = rest[2] if len(rest) > 2 else ""
        if sub and not (sub == "status" and rt.status_subresource or sub in rt.extra_subresources):
            raise _not_found_path()
        if name and rt.namespaced and not namespace:
            raise _not_found_path()
        t = Target(rt, version, namespace, name, sub)
        watch = query.get("watch") in GO_TRUE
        verb = self._verb(req.method, bool(name), watch)
        self.auth.authorize(user, verb, group, rt.plural, namespace, name, sub)
        opts = self._write_options(req, query)
        if verb == "watch":
            if name:
                query["fieldSelector"] = ",".join(filter(None, [query.get("fieldSelector"), f"metadata.name={name}"]))
                t = Target(rt, version, namespace, "", sub)
            return self._watch(req, t, query)
        if verb == "list":
            items, list_meta = self.api.list(t, query)
            return self._render_list(req, rt, version, items, list_meta, query)
        if verb == "get":
            if sub == "log":
                return self._pod_log(t)
            obj = self.api.get(t)
            return Response(200, self._render_one(req, rt, version, obj, query))
        if verb == "create":
            obj = self.api.create(t, self._decode(req), opts)
            return self._written(201 if not opts.dry_run else 201, obj, opts)
        if verb == "update":
            obj = self.api.update(t, self._decode(req), opts)
            return self._written(200, obj, opts)
        if verb == "patch":
            obj, created = self.api.patch(t, req.header("content-type"), req.body, opts)
            return self._written(201 if created else 200, obj, opts)
        if verb == "delete":
            body, code = self.api.delete(t, self._delete_options(req, query), opts)
            return self._written(code, body, opts)
        if verb == "deletecollection":
            return self._written(200, self.api.delete_collection(t, query, self._delete_options(req, query), opts), opts)
        raise ApiError(405, f"the server does not allow this method on the requested resource", "MethodNotAllowed")

    @staticmethod
    def _verb(method: str, named: bool, watch: bool) -> str:
        table = {("GET", False): "list", ("GET", True): "get", ("HEAD", True): "get", ("HEAD", False): "list",
                 ("POST", False): "create", ("PUT", True): "update", ("PATCH", True): "patch",
                 ("DELETE", True): "delete", ("DELETE", False): "deletecollection"}
        verb = table.get((method, named))
        if verb is None:
            raise ApiError(405, "the server does not allow this method on the requested resource", "MethodNotAllowed")
        return "watch" if watch and verb in ("list", "get") else verb

    # ------------------------------------------------------------ bodies
    @staticmethod
    def _decode(req: Request) -> Any:
        ctype = req.header("content-type", "application/json").split(";")[0].strip()
        if ctype == "application/vnd.kubernetes.protobuf":
            try:
                return protobuf.decode(req.body)
            except (protobuf.ProtobufError, ValueError, KeyError, IndexError) as exc:
                raise ApiError(415, f"the body of the request could not be decoded as protobuf: {exc}",
                               "UnsupportedMediaType")
        if "protobuf" in ctype or "cbor" in ctype:
            raise ApiError(415, f'the body of the request was in an unknown format - accepted media types include: '
                                f'application/json, application/yaml', "UnsupportedMediaType")
        try:
            if ctype in ("application/yaml", "application/x-yaml", "text/yaml"):
                return yaml.safe_load(req.body.decode())
            return json.loads(req.body or b"null")
        except (ValueError, yaml.YAMLError) as exc:
            raise bad_request(f"couldn't get version/kind; json parse error: {exc}")

    def _delete_options(self, req: Request, query: dict[str, str]) -> dict[str, Any]:
        options: dict[str, Any] = {}
        if req.body:
            body = self._decode(req)
            if isinstance(body, dict):
                options.update(body)
        if "propagationPolicy" in query:
            options["propagationPolicy"] = query["propagationPolicy"]
        if "orphanDependents" in query:
            options["orphanDependents"] = query["orphanDependents"] == "true"
        return options

    @staticmethod
    def _write_options(req: Request, query: dict[str, str]) -> WriteOptions:
        manager = query.get("fieldManager")
        validation = query.get("fieldValidation") or "Warn"
        if validation not in ("Strict", "Warn", "Ignore"):
            raise bad_request(f'fieldValidation: Unsupported value: "{validation}": supported values: "Ignore", "Strict", "Warn"')
        dry = query.get("dryRun")
        if dry not in (None, "", "All"):
            raise bad_request(f'dryRun: Unsupported value: "{dry}": supported values: "All"')
        agent = req.header("user-agent", "unknown").split("/")[0] or "unknown"
        return WriteOptions(manager=manager or agent, field_validation=validation, dry_run=dry == "All",
                            force=query.get("force") in GO_TRUE, explicit_manager=bool(manager))

    @staticmethod
    def _written(code: int, body: Any, opts: WriteOptions) -> Response:
        headers: dict[str, Any] = {}
        if opts.warnings:
            headers["Warning"] = ['299 - ' + json.dumps(w) for w in opts.warnings]
        return Response(code, body, headers)

    # ------------------------------------------------------------ representations
    @staticmethod
    def _wants(req: Request, form: str) -> bool:
        return any(f"as={form}" in part.replace(" ", "") and "g=meta.k8s.io" in part
                   for part in req.header("accept").split(","))

    def _render_list(self, req: Request, rt: ResourceType, version: str, items: list[dict[str, Any]],
                     list_meta: dict[str, Any], query: dict[str, str]) -> Response:
        if self._wants(req, "Table"):
            return Response(200, tables.render(rt, version, items, self.api.clock.now(),
                                               query.get("includeObject", "Metadata"), list_meta))
        if self._wants(req, "PartialObjectMetadataList"):
            return Response(200, {"kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1",
                                  "metadata": list_meta, "items": [tables.partial_metadata(o) for o in items]})
        return Response(200, {"kind": rt.list_kind, "apiVersion": rt.api_version(version), "metadata": list_meta,
                              "items": items})

    def _render_one(self, req: Request, rt: ResourceType, version: str, obj: dict[str, Any], query: dict[str, str]) -> dict[str, Any]:
        if self._wants(req, "Table"):
            return tables.render(rt, version, [obj], self.api.clock.now(), query.get("includeObject", "Metadata"),
                                 {"resourceVersion": obj["metadata"].get("resourceVersion", "")})
        if self._wants(req, "PartialObjectMetadata"):
            return tables.partial_metadata(obj)
        return obj

    def _watch(self, req: Request, t: Target, query: dict[str, str]) -> Response:
        render = lambda obj: self._render_one(req, t.rt, t.version, obj, query)  # noqa: E731
        events = stream(self.api, self.faults, t, query, render, self.bookmark_interval, req.path)
        return Response(200, stream=events)

    def _pod_log(self, t: Target) -> Response:
        self.api.get(t)  # 404 if the pod is gone
        reader = getattr(self, "pod_log", None)
        data = reader(t.namespace, t.name) if reader else b""
        return Response(200, raw=data, content_type="text/plain")
