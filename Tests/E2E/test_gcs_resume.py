"""A pass killed (SIGKILL) in the middle of a large resumable GCS upload: the session URI saved under
DEST/.pybak/gcs-sessions lets the next pass ask gcp-storage-emulator how much it holds and send only the rest,
in the same session, instead of starting over."""
import gzip
import json
import os
import signal
import subprocess
import time
import urllib.parse

import pytest
from conftest import BINARY, run
from fault_proxy import FaultProxy
from gcs_peers import gcs, token_server  # noqa: F401  (fixtures)


class RecordingProxy(FaultProxy):
    """Forwards to the emulator (each request held `delay` seconds) and records session starts, chunk PUTs and status queries."""

    def __init__(self, upstream_port: int, delay: float = 0.0):
        self.starts = 0
        self.chunks = []  # (first byte, last byte) of each chunk PUT
        self.status_queries = 0
        super().__init__(upstream_port, delay=delay, intercept=self.record)

    def record(self, handler, length: int) -> bool:
        content_range = handler.headers.get("Content-Range") or ""
        with self.lock:
            if handler.command == "POST" and "uploadType=resumable" in handler.path:
                self.starts += 1
            elif handler.command == "PUT" and content_range.startswith("bytes */"):
                self.status_queries += 1
            elif handler.command == "PUT" and content_range.startswith("bytes "):
                first, last = content_range[len("bytes "):].split("/")[0].split("-")
                self.chunks.append((int(first), int(last)))
        return False


@pytest.mark.parametrize("stale", [False, True], ids=["resumed", "session-gone"])
def test_a_pass_killed_mid_upload_is_resumed_in_the_same_session(pybak, folders, gcs, token_server, tmp_path, stale):
    """stale: the saved session is one the store no longer knows (404): the next pass starts a new one and uploads all."""
    data = os.urandom(6 << 20)
    folders.write("big.bin", data)
    key_file = token_server.key_file(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYBAK_")}
    env |= {"PYBAK_GCS_MULTIPART_THRESHOLD": "1Mi", "PYBAK_GCS_CHUNK_SIZE": "256Ki"}
    sessions = folders.dst / ".pybak" / "gcs-sessions"

    # The emulator names the session after the Host it was asked on: both passes go through the same proxy,
    # slow for the first (so the kill lands mid-upload), then at full speed.
    proxy = RecordingProxy(gcs.port, delay=0.25)
    args = ["run", "--source", str(folders.src), "--dest", str(folders.dst), "--gcs-bucket", gcs.bucket, "--gcs-credentials-file", str(key_file),
            "--gcs-endpoint", proxy.endpoint]
    try:
        proc = subprocess.Popen([str(BINARY), *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while len(proxy.chunks) < 6 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None, "the pass ended before it could be killed mid-upload; make the file bigger"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        time.sleep(0.5)  # the chunk the proxy was holding reaches the emulator
        with proxy.lock:
            first_chunks, first_starts = proxy.chunks, proxy.starts
            proxy.chunks, proxy.starts, proxy.status_queries, proxy.delay = [], 0, 0, 0.0
        assert first_starts == 1 and 6 <= len(first_chunks) < 24
        (saved,) = sessions.iterdir()
        state = json.loads(saved.read_text())
        with folders.catalog() as db:
            (stored, upload_state) = db.execute("SELECT f.destination_path, u.state FROM uploads u JOIN files f ON f.id = u.file_id").fetchone()
        assert upload_state == "pending" and state["name"] == stored and state["bucket"] == gcs.bucket
        assert state["size"] == (folders.dst / stored).stat().st_size
        if stale:
            url = urllib.parse.urlsplit(state["session"])
            query = urllib.parse.urlencode([(k, "expired" if k == "upload_id" else v) for k, v in urllib.parse.parse_qsl(url.query)])
            state["session"] = urllib.parse.urlunsplit(url._replace(query=query))
            saved.write_text(json.dumps(state))

        proc = run(pybak, *args, "--log-level", "info", env={"PYBAK_GCS_MULTIPART_THRESHOLD": "1Mi", "PYBAK_GCS_CHUNK_SIZE": "256Ki"}, check=0)
    finally:
        proxy.stop()
    assert proxy.status_queries >= 1
    if stale:
        assert "saved resumable session is gone; starting a new one" in proc.stderr and "http.status=404" in proc.stderr
        assert proxy.starts == 1 and proxy.chunks[0][0] == 0
    else:
        assert "resumable upload resumed from an earlier pass" in proc.stderr
        assert proxy.starts == 0, "the resumed pass started a new session"
        # It sent only what the emulator did not hold: from where the first pass's chunks stopped, not from 0.
        assert proxy.chunks and proxy.chunks[0][0] >= (first_chunks[-2][1] + 1), (first_chunks, proxy.chunks)
    assert list(sessions.iterdir()) == []
    with folders.catalog() as db:
        assert db.execute("SELECT state FROM uploads").fetchone()[0] == "uploaded"
    stored_bytes = (folders.dst / stored).read_bytes()
    assert gcs.download(stored) == stored_bytes and gzip.decompress(stored_bytes) == data
