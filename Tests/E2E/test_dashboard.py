"""The dashboard page of the real binary in headless Chromium (Debian's `chromium`): a screenshot is
taken and the rendered DOM shows the runs that real passes put in the catalog."""
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from api_support import AUDIENCE, Issuer, Server, request
from test_api import fill_source
from conftest import run

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def chromium(*args):
    assert CHROMIUM, "chromium is missing: apt-get install chromium (.ci/setup installs it)"
    proc = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=5000", "--window-size=1280,1000", *args],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


@pytest.fixture(scope="module")
def seeded(pybak, tmp_path_factory):
    root = tmp_path_factory.mktemp("dashboard")
    src, dst = root / "src", root / "dst"
    for batch in (["a.csv", "b.csv"], ["c.csv"], ["d.csv", "e.csv", "f.csv"]):
        fill_source(src, batch, size=50_000)
        run(pybak, "run", "--source", str(src), "--dest", str(dst), "--policy", "invoices", check=0)
    return root, dst / ".pybak" / "catalog.sqlite"


def test_dashboard_renders_the_seeded_runs(pybak, seeded):
    root, catalog = seeded
    server = Server(pybak, ["serve", "--catalog", str(catalog)])  # auth off: loopback only
    try:
        shot = root / "dashboard.png"
        chromium(f"--screenshot={shot}", server.base + "/")
        assert shot.stat().st_size > 10_000 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        dom = chromium("--dump-dom", server.base + "/")
        assert sorted(re.findall(r'data-run="(\d+)"', dom)) == ["1", "2", "3"]
        assert 'data-policy="invoices"' in dom
        assert "<svg" in dom and "bytes per run" in dom
        assert dom.count(">succeeded<") >= 4  # the card and the three rows
        report = chromium("--dump-dom", server.base + "/#run/3")
        assert "Report of run #3" in report and "d.csv" in report and "f.csv" in report
        Path("/tmp/pybak-dashboard.png").write_bytes(shot.read_bytes())
    finally:
        server.stop()


def test_dashboard_asks_for_a_token_and_uses_one_from_the_fragment(pybak, seeded):
    _, catalog = seeded
    issuer = Issuer()
    server = Server(pybak, ["serve", "--catalog", str(catalog), "--oidc-issuer", issuer.url, "--oidc-audience", AUDIENCE])
    try:
        page = request(server.base, "/")
        assert "script-src 'unsafe-inline'" in page.headers["Content-Security-Policy"]
        assert b"https://" not in page.body and b"http://" not in page.body  # nothing loaded from elsewhere
        anonymous = chromium("--dump-dom", server.base + "/")
        assert re.search(r'<section id="login"[^>]*>', anonymous).group(0).find("hidden") < 0
        assert not re.findall(r'data-run="(\d+)"', anonymous)
        signed_in = chromium("--dump-dom", server.base + "/#token=" + issuer.token(scope="pybak.read"))
        assert sorted(re.findall(r'data-run="(\d+)"', signed_in)) == ["1", "2", "3"]
    finally:
        server.stop()
        issuer.close()
