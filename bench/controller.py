#!/usr/bin/env python3
"""Controller benchmark: 1,000 BackupPolicies applied to the Kubernetes API emulator.

Prints: the time from the first policy created until every CronJob exists and every status is set
(observedGeneration written); the API requests the controller (User-Agent pybak-kubeclient) makes while
idle for a minute afterwards, by method and path (the emulator counts them, /_emulator/requests); and
the controller's peak RSS (/usr/bin/time -v), with its anonymous RSS before the first policy and at the end of
the idle period (steady state), so a peak is told apart from what the caches keep. The emulator runs no CronJob controller or kubelet
(--manual-controllers), so only the controller's own work is measured. Usage:

    python3 bench/controller.py [--policies 1000] [--idle 60] [--binary .build/release/pybak] [--database URL] [--profile DIR] [--restart]

It also prints the CPU seconds the emulator and the controller used while converging, and the controller's
requests while converging grouped by method and resource (object names folded), so a slow run shows which
side is busy and what the controller sent. --profile DIR records the emulator with py-spy (if installed)
into DIR/emulator.folded (collapsed stacks, for flamegraph.pl or speedscope). --restart then stops the controller and
starts another over the existing policies (as a rolling update does) and prints its peak RSS and requests.

The binary defaults to the release build when it exists (`swift build -c release --product pybak`), else the
debug build. --database adds the PostgreSQL catalog (run summaries read and observed states written per policy).
"""
import argparse
import http.client
import json
import os
import re
import shutil
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


def cpu_seconds(pid):
    """User + system CPU seconds of a process so far (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory(pid, peaks):
    """Updates the peaks of RssAnon (heap, stacks) and RssFile (mapped code and data of the binary and libraries)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("RssAnon", "RssFile"):
            peaks[key] = max(peaks.get(key, 0), int(value.split()[0]))


def grouped(requests):
    """Request counts by method and resource, object names folded (".../backuppolicies/NAME/status" -> ".../backuppolicies/*/status")."""
    out = {}
    for r in requests:
        parts = r["path"].strip("/").split("/")
        at = 2 if parts[:1] == ["api"] else 3  # after /api/VERSION or /apis/GROUP/VERSION
        if parts[at:at + 1] == ["namespaces"] and len(parts) > at + 2:
            at += 2
        if len(parts) > at + 1:
            parts[at + 1] = "*"
        path = "/" + "/".join(parts)
        key = f"{r['method']} {path}{' (watch)' if r['watch'] else ''}"
        out[key] = out.get(key, 0) + r["count"]
    return sorted(out.items(), key=lambda kv: -kv[1])


def start_controller(binary, kubeconfig, identity, extra, client):
    """Starts `pybak controller` under GNU time and waits until it holds the Lease."""
    controller = subprocess.Popen(["/usr/bin/time", "-v", binary, "controller", "--kubeconfig", str(kubeconfig), "--leader-elect",
                                   "--identity", identity, "--lease-namespace", "default", "--log-level", "warning", *extra],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while (client.call("GET", "/apis/coordination.k8s.io/v1/namespaces/default/leases/pybak-controller")[1] or {}).get("spec", {}).get("holderIdentity") != identity:
        if time.monotonic() > deadline:
            raise SystemExit(f"{identity} did not take the Lease within 60 s")
        time.sleep(0.2)
    return controller


def stop_controller(controller):
    """SIGTERM to the controller itself (GNU time would die of it and leave the controller running); its peak RSS in KiB."""
    for child in Path(f"/proc/{controller.pid}/task/{controller.pid}/children").read_text().split():
        os.kill(int(child), signal.SIGTERM)
    _, stderr = controller.communicate(timeout=60)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
    return int(rss.group(1)) if rss else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--policies", type=int, default=1000)
    parser.add_argument("--idle", type=float, default=60)
    parser.add_argument("--binary")
    parser.add_argument("--database")
    parser.add_argument("--profile")
    parser.add_argument("--restart", action="store_true", help="then start a second controller over the existing policies and report its peak RSS")
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
        controller = start_controller(binary, kubeconfig, "bench", extra, client)
        controller_pid = int(Path(f"/proc/{controller.pid}/task/{controller.pid}/children").read_text().split()[0])
        profiler = None
        if args.profile:
            if shutil.which("py-spy") is None:
                raise SystemExit("--profile needs py-spy (python3 -m pip install py-spy)")
            Path(args.profile).mkdir(parents=True, exist_ok=True)
            profiler = subprocess.Popen(["py-spy", "record", "--pid", str(emulator.pid), "--output", str(Path(args.profile) / "emulator.folded"), "--format", "raw",
                                         "--rate", "50", "--threads", "--idle"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client.call("DELETE", "/_emulator/requests")
        cpu_before = cpu_seconds(emulator.pid), cpu_seconds(controller_pid)
        polls, poll_seconds = 0, 0.0
        peaks = {}
        before = {}
        memory(controller_pid, before)  # the controller with no policies yet
        start = time.monotonic()
        with ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(lambda i: client.call("POST", f"{GROUP}/namespaces/default/backuppolicies", policy(i))[0], range(args.policies)))
        assert all(code == 201 for code in codes), set(codes)
        created = time.monotonic() - start
        cronjobs_at = statuses_at = None
        while cronjobs_at is None or statuses_at is None:
            polled = time.monotonic()
            if cronjobs_at is None:
                items = client.call("GET", "/apis/batch/v1/cronjobs?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dpybak-controller")[1]["items"]
                if len(items) >= args.policies:
                    cronjobs_at = time.monotonic() - start
            if statuses_at is None:
                items = client.call("GET", f"{GROUP}/backuppolicies")[1]["items"]
                if sum(1 for item in items if item.get("status", {}).get("observedGeneration") == 1) >= args.policies:
                    statuses_at = time.monotonic() - start
            polls += 1
            memory(controller_pid, peaks)
            poll_seconds += time.monotonic() - polled
            if time.monotonic() - start > 1800:
                raise SystemExit("gave up after 30 minutes")
            # The polls list every object; keep them a small share of the emulator's time.
            time.sleep(max(0.25, 4 * (time.monotonic() - polled)))
        cpu_after = cpu_seconds(emulator.pid), cpu_seconds(controller_pid)
        converging = [r for r in client.call("DELETE", "/_emulator/requests")[1]["requests"] if r["agent"].startswith("pybak-kubeclient")]
        if profiler:
            profiler.send_signal(signal.SIGINT)
            profiler.wait(timeout=60)

        time.sleep(3)  # let the last status echoes settle
        client.call("DELETE", "/_emulator/requests")
        idle_end = time.monotonic() + args.idle
        while time.monotonic() < idle_end:
            memory(controller_pid, peaks)
            time.sleep(min(1.0, max(0.0, idle_end - time.monotonic())))
        settled = {}
        memory(controller_pid, settled)  # steady state: every policy cached and reconciled
        counted = client.call("DELETE", "/_emulator/requests")[1]
        idle = [r for r in counted["requests"] if r["agent"].startswith("pybak-kubeclient")]
        rss = stop_controller(controller)
        restart_rss = None
        if args.restart:
            # A new controller (a rolling update) starts with every policy and CronJob already there: its first lists
            # decode them all at once. Measured from its start until it leads, has reconciled (no writes are due) and
            # stayed idle 10 s.
            client.call("DELETE", "/_emulator/requests")
            restarted = start_controller(binary, kubeconfig, "bench-2", extra, client)
            time.sleep(10)
            restart_rss = stop_controller(restarted)
            restart_requests = [r for r in client.call("DELETE", "/_emulator/requests")[1]["requests"] if r["agent"].startswith("pybak-kubeclient")]

        print(f"binary: {binary}{' (with PostgreSQL catalog)' if args.database else ''}")
        print(f"{args.policies} policies created in {created:.1f} s (8 parallel POSTs)")
        print(f"all CronJobs exist after {cronjobs_at:.1f} s; all statuses set after {statuses_at:.1f} s")
        print(f"CPU while converging: emulator {cpu_after[0] - cpu_before[0]:.1f} s (of which the benchmark's {polls} polls took "
              f"{poll_seconds:.1f} s wall), controller {cpu_after[1] - cpu_before[1]:.1f} s")
        print(f"controller requests while converging: {sum(r['count'] for r in converging)}")
        for key, count in grouped(converging):
            print(f"  {count:5d}  {key}")
        print(f"controller requests while idle for {args.idle:.0f} s: {sum(r['count'] for r in idle)}")
        for r in idle:
            print(f"  {r['count']:5d}  {r['method']} {r['path']}{' (watch)' if r['watch'] else ''}")
        print(f"controller peak RSS: {rss / 1024:.1f} MiB" if rss else "controller peak RSS: not reported")
        print(f"  sampled peaks: anonymous (heap, stacks) {peaks.get('RssAnon', 0) / 1024:.1f} MiB, "
              f"file-backed (mapped code of the binary and libraries) {peaks.get('RssFile', 0) / 1024:.1f} MiB")
        print(f"  anonymous before the first policy {before.get('RssAnon', 0) / 1024:.1f} MiB, at the end of the idle period "
              f"{settled.get('RssAnon', 0) / 1024:.1f} MiB (peak minus end: transient; end minus before: what the policies keep)")
        if args.restart:
            print(f"restarted controller with {args.policies} policies already there: peak RSS "
                  f"{restart_rss / 1024:.1f} MiB" if restart_rss else "restarted controller: peak RSS not reported")
            for key, count in grouped(restart_requests):
                print(f"  {count:5d}  {key}")
    finally:
        if controller and controller.poll() is None:
            controller.kill()
        emulator.send_signal(signal.SIGTERM)
        emulator.wait(timeout=10)


if __name__ == "__main__":
    main()
