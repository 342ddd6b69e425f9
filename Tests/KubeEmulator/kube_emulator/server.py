"""Assembles the emulator (store, registry, API, GC, batch controllers, HTTP) and runs it."""

from __future__ import annotations

import tempfile
import threading
from dataclasses import dataclass, field

from .admin import Admin
from .api import Api
from .app import App
from .auth import Auth
from .batch import BatchController
from .clock import Clock
from .faults import Faults
from .garbage import GarbageCollector
from .http_server import HttpServer, Response
from .kubelet import Kubelet
from .requests_log import RequestLog
from .objects import Target, WriteOptions
from .resources import Registry
from .store import Store
from .tls import make_certificate, server_context

DEFAULT_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


@dataclass
class Options:
    """Emulator settings (the CLI flags)."""

    host: str = "127.0.0.1"
    port: int = 0
    token: str | None = None
    history: int = 1000
    image_map: dict[str, str] = field(default_factory=dict)
    volume_root: str | None = None
    bookmark_interval: float = 5.0
    controller_interval: float = 0.2
    auto_controllers: bool = True
    verbose: bool = False
    tls: bool = False
    cert_dir: str | None = None
    client_ca: str | None = None


class Emulator:
    """A running emulator; ``start()`` binds the port, ``stop()`` shuts everything down."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.clock = Clock()
        self.store = Store(options.history)
        self.registry = Registry()
        self.api = Api(self.store, self.registry, self.clock)
        self.auth = Auth(options.token, options.client_ca)
        self.faults = Faults()
        self.volume_root = options.volume_root or tempfile.mkdtemp(prefix="kube-emulator-volumes-")
        self.kubelet = Kubelet(self.api, self.volume_root, options.image_map)
        self.batch = BatchController(self.api, self.kubelet, options.controller_interval, options.auto_controllers)
        self.gc = GarbageCollector(self.api)
        self.admin = Admin(self.api, self.auth, self.faults, self.batch)
        self.app = App(self.api, self.auth, self.faults, self.admin, lambda: f"{options.host}:{self.port}",
                       options.bookmark_interval)
        self.app.pod_log = self.kubelet.log  # type: ignore[attr-defined]
        self.requests = RequestLog()
        self.app.requests = self.requests  # type: ignore[attr-defined]
        self.admin.requests = self.requests  # type: ignore[attr-defined]
        context = None
        self.ca_file: str | None = None
        if options.client_ca and not options.tls:
            raise ValueError("client certificates need TLS: add --tls to --client-ca")
        if options.tls:
            cert, key = make_certificate(options.cert_dir or tempfile.mkdtemp(prefix="kube-emulator-tls-"), options.host)
            context = server_context(cert, key, request_client_certificates=bool(options.client_ca))
            self.ca_file = cert
        self.http = HttpServer(options.host, options.port, self.app, options.verbose, context)
        self.port = self.http.server_address[1]
        self.url = f"{'https' if options.tls else 'http'}://{options.host}:{self.port}"
        self.kubelet.server_url = self.url
        self._thread = threading.Thread(target=self.http.serve_forever, name="http", daemon=True)
        self._seed()

    def _seed(self) -> None:
        ns_rt = self.registry.by_key("/namespaces")
        for name in DEFAULT_NAMESPACES:
            self.api.create(Target(ns_rt, "v1"), {"metadata": {"name": name}}, WriteOptions(manager="kube-apiserver"))

    def start(self) -> "Emulator":
        self._thread.start()
        self.gc.start()
        self.batch.start()
        return self

    def stop(self) -> None:
        self.batch.stop()
        self.gc.stop()
        self.store.close()
        self.http.shutdown()
        self.http.server_close()
