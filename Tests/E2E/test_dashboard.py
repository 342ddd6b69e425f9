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


class PublicClientIssuer:
    """oidc-provider-mock 0.3.4 (its own Flask app, in this process) behind a small WSGI layer that adds what real
    identity providers do for browser-based public clients and this mock does not: it checks the PKCE verifier
    (S256) against the challenge of the authorization request (the mock ignores PKCE), takes a token request
    without a client secret (the mock accepts any secret but requires one, so the layer adds one only after the
    PKCE check, and refuses a request that brings its own), and answers the token endpoint with CORS headers for
    the dashboard's origin (the mock has none). Everything else — the login form, codes, ID tokens signed with
    its key, discovery, JWKS — is the mock's."""

    def __init__(self, sub="alice", scope="pybak.read"):
        import threading
        import werkzeug.serving
        from oidc_provider_mock import app
        from oidc_provider_mock._storage import User
        self.mock = app(user_claims=[User(sub=sub, claims={"scope": scope})])
        self.origin = None
        self.challenges = {}
        self.authorize_queries = []
        self.token_requests = []
        self.server = werkzeug.serving.make_server("127.0.0.1", 0, self, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def __call__(self, environ, start_response):
        import base64
        import hashlib
        import io
        import json
        from urllib.parse import parse_qs, urlencode, urlparse
        path, method = environ["PATH_INFO"], environ["REQUEST_METHOD"]
        if path == "/oauth2/authorize":
            query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
            self.authorize_queries.append(query)

            def remember_code(status, headers, exc_info=None):
                location = dict(headers).get("Location", "")
                code = parse_qs(urlparse(location).query).get("code", [None])[0]
                if code:
                    self.challenges[code] = (query.get("code_challenge"), query.get("code_challenge_method"))
                return start_response(status, headers, exc_info)
            return self.mock(environ, remember_code)
        if path == "/oauth2/token":
            cors = [("Access-Control-Allow-Origin", self.origin or "null"), ("Vary", "Origin")]
            if method == "OPTIONS":
                start_response("204 No Content", cors + [("Access-Control-Allow-Methods", "POST"), ("Access-Control-Allow-Headers", "Content-Type")])
                return [b""]
            length = int(environ.get("CONTENT_LENGTH") or 0)
            fields = {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(length).decode()).items()}
            self.token_requests.append(dict(fields))
            challenge, challenge_method = self.challenges.pop(fields.get("code"), (None, None))
            verifier = fields.get("code_verifier", "")
            expected = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if challenge_method != "S256" or not challenge or challenge != expected or "client_secret" in fields:
                body = json.dumps({"error": "invalid_grant", "error_description": "PKCE check failed"}).encode()
                start_response("400 Bad Request", cors + [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
                return [body]
            fields["client_secret"] = "public-client"
            data = urlencode(fields).encode()
            environ = {**environ, "wsgi.input": io.BytesIO(data), "CONTENT_LENGTH": str(len(data))}
            return self.mock(environ, lambda status, headers, exc_info=None: start_response(status, headers + cors, exc_info))
        return self.mock(environ, start_response)

    def close(self):
        self.server.shutdown()


def jwt_claims(token):
    import base64
    import json
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_sign_in_through_the_issuer_with_pkce(pybak, seeded, tmp_path):
    from browser import Browser
    root, catalog = seeded
    issuer = PublicClientIssuer()
    server = Server(pybak, ["serve", "--catalog", str(catalog), "--oidc-issuer", issuer.url, "--oidc-audience", "pybak-dashboard",
                            "--oidc-client-id", "pybak-dashboard"])
    issuer.origin = server.base
    browser = None
    try:
        config = request(server.base, "/dashboard/config").json()
        assert config["auth"] is True and config["oidc"]["clientId"] == "pybak-dashboard"
        assert config["oidc"]["authorizationEndpoint"] == issuer.url + "/oauth2/authorize"
        assert config["oidc"]["tokenEndpoint"] == issuer.url + "/oauth2/token"
        assert f"connect-src 'self' {issuer.url};" in request(server.base, "/").headers["Content-Security-Policy"]

        browser = Browser(tmp_path / "profile")
        browser.navigate(server.base + "/")
        browser.wait_for("!document.getElementById('oidc').hidden && !document.getElementById('login').hidden", what="the sign-in button")
        assert not browser.evaluate("document.querySelectorAll('tr[data-run]').length")
        browser.evaluate("document.getElementById('oidc-signin').click(), true")
        # The issuer's own login form (oidc-provider-mock): the predefined user is a button named sub.
        browser.wait_for(f"location.href.startsWith('{issuer.url}/oauth2/authorize') && !!document.querySelector('button[name=sub][value=alice]')",
                         what="the issuer's login form")
        browser.evaluate("document.querySelector('button[name=sub][value=alice]').click(), true")
        runs = browser.wait_for("[...document.querySelectorAll('tr[data-run]')].map((r) => r.dataset.run).sort().join(',')", what="the runs")
        assert runs == "1,2,3"
        assert browser.evaluate("location.href") == server.base + "/"  # the code and state are gone from the address
        assert browser.evaluate("sessionStorage.getItem('pybak.login')") is None
        browser.screenshot(tmp_path / "signed-in.png")

        asked = issuer.authorize_queries[0]
        assert asked["response_type"] == "code" and asked["client_id"] == "pybak-dashboard" and asked["redirect_uri"] == server.base + "/"
        assert asked["code_challenge_method"] == "S256" and len(asked["code_challenge"]) == 43
        assert len(asked["state"]) >= 43 and len(asked["nonce"]) >= 43 and "pybak.read" in asked["scope"].split()
        exchanged = issuer.token_requests[0]
        assert exchanged["grant_type"] == "authorization_code" and "client_secret" not in exchanged and len(exchanged["code_verifier"]) >= 43
        assert not issuer.challenges  # the code was redeemed after the PKCE check
        token = browser.evaluate("sessionStorage.getItem('pybak.token')")
        claims = jwt_claims(token)
        assert claims["sub"] == "alice" and claims["nonce"] == asked["nonce"] and claims["iss"] == issuer.url
        assert request(server.base, "/runs", token=token).status == 200

        # An answer that does not belong to this tab's sign-in (wrong state) is refused with a message.
        browser.evaluate("sessionStorage.clear(), true")
        browser.navigate(server.base + "/?code=forged&state=not-mine")
        message = browser.wait_for("document.getElementById('login-error').textContent", what="the state error")
        assert "does not belong to this tab" in message
        assert len(issuer.token_requests) == 1  # nothing was sent to the token endpoint
    finally:
        if browser:
            browser.close()
        server.stop()
        issuer.close()


def test_dashboard_config_without_a_client_id_offers_only_a_pasted_token(pybak, seeded):
    _, catalog = seeded
    issuer = Issuer()
    server = Server(pybak, ["serve", "--catalog", str(catalog), "--oidc-issuer", issuer.url, "--oidc-audience", AUDIENCE])
    try:
        assert request(server.base, "/dashboard/config").json() == {"auth": True}
    finally:
        server.stop()
        issuer.close()
