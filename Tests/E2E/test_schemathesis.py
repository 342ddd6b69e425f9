"""schemathesis fuzzes the real binary from the OpenAPI document it serves, with a valid token:
no 5xx, no accepted schema violation, no rejected valid request, responses as documented."""
import os
import shutil
import subprocess
import time
from pathlib import Path

from api_support import AUDIENCE, Issuer, Server, request

# 409 (the policy is running) and 429 (rate limit) are documented answers to valid triggers.
CONFIG = """
[checks.positive_data_acceptance]
expected-statuses = ["2XX", "401", "403", "404", "409", "429"]
"""


def test_schemathesis_finds_no_failures(pybak, tmp_path):
    tool = shutil.which("schemathesis")
    assert tool, "schemathesis is missing: pip install schemathesis==4.1.4 (.ci/setup installs it)"
    (tmp_path / "src").mkdir()
    issuer = Issuer()
    server = Server(pybak, ["daemon", "--source", str(tmp_path / "src"), "--dest", str(tmp_path / "dst"), "--interval", "1h",
                            "--oidc-issuer", issuer.url, "--oidc-audience", AUDIENCE], env={"PYBAK_API_FOLLOW_SECONDS": "0.05"})
    try:
        (tmp_path / "openapi.yaml").write_bytes(request(server.base, "/openapi.yaml").body)
        (tmp_path / "schemathesis.toml").write_text(CONFIG)
        proc = subprocess.run(
            [tool, "--config-file", str(tmp_path / "schemathesis.toml"), "run", str(tmp_path / "openapi.yaml"), "--url", server.base,
             "-H", f"Authorization: Bearer {issuer.token(exp=int(time.time()) + 3600)}", "--checks", "all",
             "--max-examples", "10", "--generation-deterministic", "--phases", "examples,coverage,fuzzing"],
            capture_output=True, text=True, timeout=900,
            env={**os.environ, "SCHEMATHESIS_HOOKS": "schemathesis_hooks", "PYTHONPATH": str(Path(__file__).parent)},
        )
        assert proc.returncode == 0, proc.stdout[-8000:]
        assert "No issues found" in proc.stdout or " passed" in proc.stdout, proc.stdout[-3000:]
    finally:
        server.stop()
        issuer.close()
