"""Starting `pybak controller` against the Kubernetes API emulator, shared by the controller's E2E tests."""
import json
import socket
import subprocess
import time
import urllib.error
import urllib.request

from conftest import REPO
from test_operator_worker import kubectl


def wait_for(check, timeout=30, what="condition", interval=0.2):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = check()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


def fetch(url):
    """(status, body) of a GET, whatever the status."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except urllib.error.URLError:
        return 0, ""  # not listening yet


def get(kubeconfig, *args):
    proc = subprocess.run(["kubectl", "--kubeconfig", str(kubeconfig), "get", *args, "-o", "json"], capture_output=True, text=True)
    return json.loads(proc.stdout) if proc.returncode == 0 else None


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def install_crd(kubeconfig):
    kubectl(kubeconfig, "apply", "-f", str(REPO / "crds" / "pybak.io_backuppolicies.yaml"))
    wait_for(lambda: subprocess.run(["kubectl", "--kubeconfig", str(kubeconfig), "get", "backuppolicies"], capture_output=True).returncode == 0,
             what="the CRD to be served")


def start_controller(pybak, kubeconfig, log_path, *extra, identity="replica-a"):
    """Starts a leader-electing controller with --listen; `.probes` is its probe server's URL."""
    port = free_port()
    log = open(log_path, "w")
    proc = subprocess.Popen([pybak, "controller", "--kubeconfig", str(kubeconfig), "--leader-elect", "--identity", identity,
                             "--lease-namespace", "default", "--image", "pybak:test", "--listen", f"127.0.0.1:{port}", *extra],
                            stdout=log, stderr=log)
    proc.probes = f"http://127.0.0.1:{port}"
    proc.log_path = log_path
    return proc


def stop(proc):
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def emulator_requests(url, clear=False):
    """The emulator's request counters (and a fresh start when `clear`)."""
    request = urllib.request.Request(f"{url}/_emulator/requests", method="DELETE" if clear else "GET")
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def controller_requests(counted):
    """Requests the controller (User-Agent pybak-kubeclient) made, as (method, path, watch, count)."""
    return [(r["method"], r["path"], r["watch"], r["count"]) for r in counted["requests"] if r["agent"].startswith("pybak-kubeclient")]
