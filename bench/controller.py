#!/usr/bin/env python3
"""Controller benchmark: 1,000 BackupPolicies applied to the Kubernetes API emulator.

Prints: the time from the first policy created until every CronJob exists and every status is set
(observedGeneration written); the API requests the controller (User-Agent pybak-kubeclient) makes while
idle for a minute afterwards, by method and path (the emulator counts them, /_emulator/requests); and
the controller's peak RSS (/usr/bin/time -v). The emulator runs no CronJob controller or kubelet
(--manual-controllers), so only the controller's own work is measured. Usage:

    python3 bench/controller.py [--policies 1000] [--idle 60] [--binary .build/release/pybak] [--database URL]

The binary defaults to the release build when it exists (`swift build -c release --product pybak`), else the
debug build. --database adds the PostgreSQL catalog (run summaries read and observed states written per policy).
"""
import argparse
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
EMULATOR = REPO / "Tests" / "KubeEmulator"
GROUP = "/apis/pybak.io/v1alpha1"


class Client:
    """A small HTTP client of the emulator (its own User-Agent, so its requests are told apart)."""

    def __init__(self, url):
        parts = urlsplit(url)
        self.host, self.port = parts.hostname, parts.port

    def call(self, method, path, body=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        headers = {"User-Agent": "pybak-bench"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        conn.close()
        return response.status, json.loads(payload) if payload else None


def policy(index):
    return {"apiVersion": "pybak.io/v1alpha1", "kind": "BackupPolicy",
            "metadata": {"name": f"policy-{index:04d}", "namespace": "default"},
            "spec": {"source": {"volume": {"persistentVolumeClaim": {"claimName": f"inbox-{index}"}}, "path": "incoming", "include": ["*.csv"]},
                     "destination": {"volume": {"persistentVolumeClaim": {"claimName": "archive"}}, "path": f"backups/{index}"}}}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--policies", type=int, default=1000)
    parser.add_argument("--idle", type=float, default=60)
    parser.add_argument("--binary")
    parser.add_argument("--database")
    args = parser.parse_args()
    binary = args.binary or next(str(p) for p in (REPO / ".build" / "release" / "pybak", REPO / ".build" / "debug" / "pybak") if p.exists())
    work = Path(tempfile.mkdtemp(prefix="pybak-bench-controller-"))
    kubeconfig = work / "kubeconfig"
    emulator = subprocess.Popen([sys.executable, "-m", "kube_emulator", "--port", "0", "--kubeconfig", str(kubeconfig), "--manual-controllers",
                                 "--history", "100000", "--bookmark-interval", "30"], cwd=EMULATOR, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    url = emulator.stdout.readline().strip()
    client = Client(url)
    controller = None
    try:
        subprocess.run(["kubectl", "--kubeconfig", str(kubeconfig), "apply", "-f", str(REPO / "crds" / "pybak.io_backuppolicies.yaml")],
                       check=True, capture_output=True)
        while client.call("GET", f"{GROUP}/backuppolicies")[0] != 200:
            time.sleep(0.2)
        extra = ["--database", args.database] if args.database else []
        controller = subprocess.Popen(["/usr/bin/time", "-v", binary, "controller", "--kubeconfig", str(kubeconfig), "--leader-elect",
                                       "--identity", "bench", "--lease-namespace", "default", "--log-level", "warning", *extra],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        while (client.call("GET", "/apis/coordination.k8s.io/v1/namespaces/default/leases/pybak-controller")[1] or {}).get("spec", {}).get("holderIdentity") != "bench":
            time.sleep(0.2)

        start = time.monotonic()
        with ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(lambda i: client.call("POST", f"{GROUP}/namespaces/default/backuppolicies", policy(i))[0], range(args.policies)))
        assert all(code == 201 for code in codes), set(codes)
        created = time.monotonic() - start
        cronjobs_at = statuses_at = None
        while cronjobs_at is None or statuses_at is None:
            if cronjobs_at is None:
                items = client.call("GET", "/apis/batch/v1/cronjobs?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dpybak-controller")[1]["items"]
                if len(items) >= args.policies:
                    cronjobs_at = time.monotonic() - start
            if statuses_at is None:
                items = client.call("GET", f"{GROUP}/backuppolicies")[1]["items"]
                if sum(1 for item in items if item.get("status", {}).get("observedGeneration") == 1) >= args.policies:
                    statuses_at = time.monotonic() - start
            if time.monotonic() - start > 1800:
                raise SystemExit("gave up after 30 minutes")
            time.sleep(0.25)

        time.sleep(3)  # let the last status echoes settle
        client.call("DELETE", "/_emulator/requests")
        time.sleep(args.idle)
        counted = client.call("DELETE", "/_emulator/requests")[1]
        idle = [r for r in counted["requests"] if r["agent"].startswith("pybak-kubeclient")]
        # SIGTERM goes to the controller itself: GNU time would die of it and leave the controller running.
        children = Path(f"/proc/{controller.pid}/task/{controller.pid}/children").read_text().split()
        for child in children:
            os.kill(int(child), signal.SIGTERM)
        _, stderr = controller.communicate(timeout=60)
        rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)

        print(f"binary: {binary}{' (with PostgreSQL catalog)' if args.database else ''}")
        print(f"{args.policies} policies created in {created:.1f} s (8 parallel POSTs)")
        print(f"all CronJobs exist after {cronjobs_at:.1f} s; all statuses set after {statuses_at:.1f} s")
        print(f"controller requests while idle for {args.idle:.0f} s: {sum(r['count'] for r in idle)}")
        for r in idle:
            print(f"  {r['count']:5d}  {r['method']} {r['path']}{' (watch)' if r['watch'] else ''}")
        print(f"controller peak RSS: {int(rss.group(1)) / 1024:.1f} MiB" if rss else "controller peak RSS: not reported")
    finally:
        if controller and controller.poll() is None:
            controller.kill()
        emulator.send_signal(signal.SIGTERM)
        emulator.wait(timeout=10)


if __name__ == "__main__":
    main()
