"""The REST API of the real binary: OAuth 2 bearer JWTs minted by PyJWT against a JWKS this test serves
(every RFC 8725 case in TESTING.md), discovery through oidc-provider-mock, `pybak serve` over a catalog
filled by real passes, and `pybak daemon --listen` starting a pass through POST /compress."""
import json
import os
import subprocess
import time
import urllib.parse
import http.client

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from api_support import AUDIENCE, Issuer, Server, free_port, request
from conftest import run


def fill_source(root, names, size=20_000):
    root.mkdir(parents=True, exist_ok=True)
    then = time.time() - 3600
    for name in names:
        path = root / name
        path.write_bytes((name * (size // len(name) + 1)).encode()[:size])
        os.utime(path, (then, then))


@pytest.fixture(scope="module")
def issuer():
    issuer = Issuer()
    yield issuer
    issuer.close()


@pytest.fixture(scope="module")
def catalog(pybak, tmp_path_factory):
    root = tmp_path_factory.mktemp("api")
    src, dst = root / "src", root / "dst"
    fill_source(src, ["jan.csv", "feb.csv"])
    run(pybak, "run", "--source", str(src), "--dest", str(dst), "--policy", "invoices", check=0)
    fill_source(src, ["mar.csv"])
    run(pybak, "run", "--source", str(src), "--dest", str(dst), "--policy", "invoices", check=0)
    return dst / ".pybak" / "catalog.sqlite"


@pytest.fixture(scope="module")
def served(pybak, issuer, catalog):
    server = Server(pybak, ["serve", "--catalog", str(catalog), "--oidc-issuer", issuer.url, "--oidc-audience", AUDIENCE])
    yield server
    server.stop()


def test_valid_rs256_and_es256_tokens_read_the_catalog(served, issuer):
    runs = request(served.base, "/runs", token=issuer.token())
    assert runs.status == 200, runs.body
    items = runs.json()["items"]
    assert [r["status"] for r in items] == ["succeeded", "succeeded"]
    assert sum(r["counts"]["compressed"] for r in items) == 3
    status = request(served.base, "/status", token=issuer.token(alg="ES256"))
    assert status.status == 200, status.body
    assert [p["name"] for p in status.json()["policies"]] == ["invoices"]
    files = request(served.base, "/files?q=feb", token=issuer.token()).json()["items"]
    assert [f["sourcePath"] for f in files] == ["feb.csv"]


def other_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


RFC8725_CASES = {
    "wrong aud": lambda i: i.token(aud="another-api"),
    "wrong iss": lambda i: i.token(iss="https://evil.example"),
    "expired": lambda i: i.token(exp=int(time.time()) - 600),
    "nbf in the future": lambda i: i.token(nbf=int(time.time()) + 600),
    "alg none": lambda i: i.unsigned_token(),
    "HS256 signed with the public key": lambda i: i.hs256_with_public_key(),
    "unknown kid": lambda i: i.token(kid="rsa-9", key=other_key()),
    "right kid, wrong key": lambda i: i.token(key=other_key()),
    "garbage": lambda i: "not-a-jwt",
}


@pytest.mark.parametrize("case", sorted(RFC8725_CASES))
def test_bad_tokens_are_401_with_a_bearer_challenge(served, issuer, case):
    response = request(served.base, "/status", token=RFC8725_CASES[case](issuer))
    assert response.status == 401, (case, response.body)
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith("Bearer ") and 'error="invalid_token"' in challenge, challenge
    error = response.json()["error"]
    assert error["code"] == "invalid_token" and "Traceback" not in error["message"]


def test_a_missing_token_is_401_and_a_missing_scope_403(served, issuer):
    missing = request(served.base, "/runs")
    assert missing.status == 401 and missing.headers["WWW-Authenticate"].startswith("Bearer realm=")
    wrong_scope = request(served.base, "/runs", token=issuer.token(scope="pybak.trigger"))
    assert wrong_scope.status == 403
    assert "insufficient_scope" in wrong_scope.headers["WWW-Authenticate"]
    no_trigger = request(served.base, "/compress", method="POST", token=issuer.token(scope="pybak.read"), body=b"{}",
                         headers={"Content-Type": "application/json"})
    assert no_trigger.status == 403


def test_unknown_kids_refetch_the_jwks_at_most_once_a_minute(served, issuer):
    assert request(served.base, "/status", token=issuer.token()).status == 200
    before = issuer.jwks_fetches
    for _ in range(20):
        assert request(served.base, "/status", token=issuer.token(kid=f"rotated-{_}", key=other_key())).status == 401
    assert issuer.jwks_fetches - before <= 1, issuer.jwks_fetches - before


def test_health_and_documents_need_no_token(served):
    assert request(served.base, "/healthz").status == 200
    assert request(served.base, "/readyz").json() == {"status": "ready"}
    assert request(served.base, "/openapi.yaml").body.startswith(b"openapi: 3.1.0")
    page = request(served.base, "/")
    assert page.status == 200 and page.headers["Content-Type"].startswith("text/html")


def test_serve_without_a_trigger_answers_501(served, issuer):
    response = request(served.base, "/compress", method="POST", token=issuer.token(), body=b"{}", headers={"Content-Type": "application/json"})
    assert response.status == 501


def test_auth_off_is_refused_off_loopback_and_announced_on_it(pybak, catalog):
    proc = run(pybak, "serve", "--catalog", str(catalog), "--listen", f"0.0.0.0:{free_port()}", check=2)
    assert "authentication is off" in proc.stderr and "--oidc-issuer" in proc.stderr
    server = Server(pybak, ["serve", "--catalog", str(catalog)])
    try:
        assert request(server.base, "/runs").status == 200
    finally:
        code, err = server.stop()
    assert code == 0, err
    assert "authentication is OFF" in err


@pytest.mark.parametrize("args, message", [
    (["--oidc-issuer", "http://login.example.com", "--oidc-audience", "a"], "must be an https URL"),
    (["--oidc-issuer", "https://login.example.com"], "needs --oidc-audience"),
    (["--listen", "nonsense"], "is not HOST:PORT"),
])
def test_bad_api_flags_are_usage_errors(pybak, catalog, args, message):
    full = ["serve", "--catalog", str(catalog)] + (["--listen", f"127.0.0.1:{free_port()}"] if "--listen" not in args else []) + args
    proc = run(pybak, *full, check=2)
    assert message in proc.stderr


def test_env_variables_configure_the_issuer(pybak, issuer, catalog):
    env = {"PYBAK_OIDC_ISSUER": issuer.url, "PYBAK_OIDC_AUDIENCE": AUDIENCE}
    server = Server(pybak, ["serve", "--catalog", str(catalog)], env=env)
    try:
        assert request(server.base, "/runs").status == 401
        assert request(server.base, "/runs", token=issuer.token()).status == 200
    finally:
        server.stop()


def test_logs_follow_streams_server_sent_events(pybak, issuer, catalog):
    server = Server(pybak, ["serve", "--catalog", str(catalog), "--oidc-issuer", issuer.url, "--oidc-audience", AUDIENCE],
                    env={"PYBAK_API_FOLLOW_SECONDS": "2"})
    try:
        response = request(server.base, "/logs?follow=true&limit=3", token=issuer.token(), timeout=20)
        assert response.status == 200 and response.headers["Content-Type"].startswith("text/event-stream")
        events = [e for e in response.body.decode().split("\n\n") if "data: " in e]
        assert len(events) == 3
        last = json.loads(events[-1].split("data: ", 1)[1])
        assert last["message"] == "pass finished"
    finally:
        server.stop()


def test_daemon_starts_a_pass_through_post_compress(pybak, issuer, tmp_path):
    src, dst = tmp_path / "src", tmp_path / "dst"
    fill_source(src, ["a.log"])
    server = Server(pybak, ["daemon", "--source", str(src), "--dest", str(dst), "--policy", "ops", "--interval", "1h",
                            "--oidc-issuer", issuer.url, "--oidc-audience", AUDIENCE])
    try:
        token = issuer.token(sub="ci-robot")
        deadline = time.time() + 30
        while not request(server.base, "/runs", token=token).json()["items"] or \
                request(server.base, "/runs", token=token).json()["items"][0]["status"] == "running":
            assert time.time() < deadline, "the scheduled pass did not finish"
            time.sleep(0.2)
        fill_source(src, ["b.log", "c.log"])
        headers = {"Content-Type": "application/json", "Idempotency-Key": "deploy-42"}
        body = json.dumps({"policy": "ops", "reason": "deploy"}).encode()
        accepted = request(server.base, "/compress", method="POST", token=token, body=body, headers=headers)
        assert accepted.status == 202, accepted.body
        run_id = accepted.json()["runs"][0]["runId"]
        assert accepted.json()["requestedBy"] == "ci-robot" and accepted.headers["Location"] == f"/runs/{run_id}"
        deadline = time.time() + 30
        while (report := request(server.base, f"/runs/{run_id}", token=token).json())["run"]["status"] == "running":
            assert time.time() < deadline
            time.sleep(0.2)
        assert report["run"]["trigger"] == "api" and report["run"]["status"] == "succeeded"
        assert sorted(f["sourcePath"] for f in report["files"]) == ["b.log", "c.log"]
        assert not (src / "b.log").exists()
        replay = request(server.base, "/compress", method="POST", token=token, body=body, headers=headers)
        assert replay.status == 202 and replay.body == accepted.body and replay.headers["Idempotent-Replayed"] == "true"
        assert len(request(server.base, "/runs", token=token).json()["items"]) == 2
        logs = request(server.base, f"/logs?run={run_id}&q=pass%20started", token=token).json()["items"]
        assert logs and logs[0]["metadata"]["requested.by"] == "ci-robot"
        unknown = request(server.base, "/compress", method="POST", token=token, body=b'{"policy":"nope"}', headers={"Content-Type": "application/json"})
        assert unknown.status == 404
        status = request(server.base, "/status", token=token).json()
        assert status["policies"][0]["nextRunAt"] and status["policies"][0]["today"]["filesCompressed"] == 3
    finally:
        code, err = server.stop()
    assert code == 0, err


def test_discovery_and_signature_against_oidc_provider_mock(pybak, catalog):
    port = free_port()
    mock = subprocess.Popen(
        ["oidc-provider-mock", "-p", str(port), "--user-claims", json.dumps({"sub": "alice", "scope": "pybak.read"})],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.time() + 20
        while True:
            try:
                if request(base, "/.well-known/openid-configuration", timeout=2).status == 200:
                    break
            except OSError:
                pass
            assert time.time() < deadline, "oidc-provider-mock did not start"
            time.sleep(0.2)
        conn = http.client.HTTPConnection("127.0.0.1", port)
        query = urllib.parse.urlencode({"client_id": AUDIENCE, "redirect_uri": "http://127.0.0.1/cb", "response_type": "code", "scope": "openid", "state": "s"})
        conn.request("POST", "/oauth2/authorize?" + query, body="sub=alice", headers={"Content-Type": "application/x-www-form-urlencoded"})
        answer = conn.getresponse()
        answer.read()
        code = urllib.parse.parse_qs(urllib.parse.urlparse(answer.getheader("Location")).query)["code"][0]
        form = urllib.parse.urlencode({"grant_type": "authorization_code", "code": code, "redirect_uri": "http://127.0.0.1/cb",
                                       "client_id": AUDIENCE, "client_secret": "s"})
        conn.request("POST", "/oauth2/token", body=form, headers={"Content-Type": "application/x-www-form-urlencoded"})
        id_token = json.loads(conn.getresponse().read())["id_token"]
        server = Server(pybak, ["serve", "--catalog", str(catalog), "--oidc-issuer", base, "--oidc-audience", AUDIENCE])
        try:
            assert request(server.base, "/runs", token=id_token).status == 200
            head, payload, signature = id_token.split(".")
            forged = f"{head}.{payload}.{signature[:-4]}AAAA"
            assert request(server.base, "/runs", token=forged).status == 401
            assert request(server.base, "/compress", method="POST", token=id_token).status == 403
        finally:
            server.stop()
    finally:
        mock.terminate()
        mock.wait(timeout=10)
