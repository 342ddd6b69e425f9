"""Command line: ``python3 -m kube_emulator --port 0 --kubeconfig PATH``.

Prints the server URL as the first line of stdout, writes the kubeconfig, then
serves until SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from .kubeconfig import write_kubeconfig
from .server import Emulator, Options


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="kube_emulator", description="Kubernetes API emulator for tests")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one (default)")
    p.add_argument("--kubeconfig", help="write a kubeconfig for this server here")
    p.add_argument("--token", help="require this bearer token (identity 'admin', all allowed)")
    p.add_argument("--history", type=int, default=1000, help="events kept for watch/list from an old RV (default 1000)")
    p.add_argument("--image-map", action="append", default=[], metavar="IMAGE=BINARY",
                   help="run containers of IMAGE with a local binary (repeatable)")
    p.add_argument("--volume-root", help="directory holding one sub-directory per volume (default: a temp dir)")
    p.add_argument("--bookmark-interval", type=float, default=5.0, help="seconds between idle BOOKMARK events")
    p.add_argument("--controller-interval", type=float, default=0.2, help="seconds between CronJob/Job/kubelet steps")
    p.add_argument("--manual-controllers", action="store_true",
                   help="do not run controllers on a timer; step them with POST /_emulator/kubelet/step")
    p.add_argument("--tls", action="store_true",
                   help="serve HTTPS with a self-signed certificate (kubectl sends tokens only over HTTPS)")
    p.add_argument("--client-ca", metavar="FILE",
                   help="with --tls: ask for client certificates and accept those issued by this CA (PEM) as "
                        "user = subject CN, groups = subject O (as kube-apiserver's --client-ca-file)")
    p.add_argument("--kubeconfig-client-cert", metavar="FILE",
                   help="embed this client certificate (PEM) in the written kubeconfig (client-certificate-data)")
    p.add_argument("--kubeconfig-client-key", metavar="FILE", help="embed this key (PEM) as client-key-data")
    p.add_argument("--cert-dir", help="where --tls writes tls.crt/tls.key (default: a temp dir)")
    p.add_argument("--verbose", action="store_true", help="log every request to stderr")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    image_map = {}
    for item in args.image_map:
        image, sep, binary = item.partition("=")
        if not sep:
            print(f"--image-map expects IMAGE=BINARY, got {item!r}", file=sys.stderr)
            return 2
        image_map[image] = binary
    if args.client_ca and not args.tls:
        print("--client-ca needs --tls (client certificates are a TLS feature)", file=sys.stderr)
        return 2
    if bool(args.kubeconfig_client_cert) != bool(args.kubeconfig_client_key):
        print("--kubeconfig-client-cert and --kubeconfig-client-key go together", file=sys.stderr)
        return 2
    emulator = Emulator(Options(host=args.host, port=args.port, token=args.token, history=args.history,
                                image_map=image_map, volume_root=args.volume_root,
                                bookmark_interval=args.bookmark_interval, controller_interval=args.controller_interval,
                                auto_controllers=not args.manual_controllers, verbose=args.verbose,
                                tls=args.tls, cert_dir=args.cert_dir, client_ca=args.client_ca))
    if args.token and not args.tls:
        print("warning: kubectl does not send bearer tokens over plain HTTP; add --tls", file=sys.stderr)
    if args.kubeconfig:
        write_kubeconfig(args.kubeconfig, emulator.url, args.token, ca_file=emulator.ca_file,
                         client_cert=args.kubeconfig_client_cert, client_key=args.kubeconfig_client_key)
    emulator.start()
    print(emulator.url, flush=True)
    print(f"port={emulator.port}", flush=True)
    if emulator.ca_file:
        print(f"ca={emulator.ca_file}", flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
