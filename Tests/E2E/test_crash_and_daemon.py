"""SIGKILL mid-pass loses nothing; a rerun finishes without duplicates. The daemon stops cleanly on SIGTERM."""
import hashlib
import os
import signal
import subprocess
import time

from conftest import BINARY, run


def make_big_files(folders, count, size):
    """Files that deflate slowly (half random bytes), so a pass is still running when it is killed."""
    digests = {}
    text = b"".join(b"line %08d of a log that compresses fairly well\n" % i for i in range(1_400))
    for i in range(count):
        rel = f"big/{i:02d}.log"
        parts, total = [], 0
        while total < size:
            chunk = text + os.urandom(len(text))
            parts.append(chunk)
            total += len(chunk)
        data = b"".join(parts)[:size]
        folders.write(rel, data)
        digests[rel] = hashlib.sha256(data).hexdigest()
    return digests


def check_invariants(folders, digests, settled, rows=None):
    """Every source is either still in place (unchanged) or stored, verified and catalogued exactly once.

    Right after a SIGKILL (`settled=False`) a copy may sit under its final name with a `pending` row: the kill landed
    between the rename and the `stored` mark. Its source must still be in place; the next pass's recovery settles it.
    After a completed pass (`settled=True`) no row may be pending."""
    if rows is None:  # the SQLite catalog; a PostgreSQL test passes the same columns it read with psql
        with folders.catalog() as db:
            rows = db.execute("SELECT source_path, sha256, destination_path, kind, state FROM files").fetchall()
    by_path = {}
    for path, sha, dest, kind, state in rows:
        by_path.setdefault(path, []).append((sha, dest, kind, state))
    for rel, digest in digests.items():
        present = (folders.src / rel).exists()
        entries = [e for e in by_path.get(rel, []) if e[3] == "stored"]
        if present:
            assert hashlib.sha256((folders.src / rel).read_bytes()).hexdigest() == digest
        else:
            assert len(entries) == 1, f"{rel}: {entries}"
        for sha, dest, kind, state in entries:
            assert sha == digest
            copy = folders.dst / dest
            assert subprocess.run(["gzip", "-t", str(copy)]).returncode == 0
            out = subprocess.run(["zcat", str(copy)], capture_output=True, check=True).stdout
            assert hashlib.sha256(out).hexdigest() == digest
    pending = [(path, dest) for path, entries in by_path.items() for (_, dest, _, state) in entries if state == "pending"]
    if settled:
        assert not pending, f"rows left pending after a completed pass: {pending}"
    for path, _ in pending:
        assert (folders.src / path).exists(), f"{path}: source removed while its row is still pending"
    copies = [p for p in folders.stored()]
    rows = {dest for entries in by_path.values() for (_, dest, kind, state) in entries if kind == "stored"}
    stored_rows = {dest for entries in by_path.values() for (_, dest, kind, state) in entries if kind == "stored" and state == "stored"}
    assert stored_rows <= {str(p.relative_to(folders.dst)) for p in copies}, "a stored row without its copy"
    assert {str(p.relative_to(folders.dst)) for p in copies} <= rows, "a copy without a row"


def test_sigkill_mid_pass_then_rerun(pybak, folders):
    digests = make_big_files(folders, 16, 24 * 1024 * 1024)
    args = [pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), "--parallel", "2"]
    tmp = folders.dst / ".pybak" / "tmp"
    killed_mid_pass = 0
    for phase in ("mid-file", "after a commit"):
        before = len(folders.stored())
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while time.time() < deadline and proc.poll() is None:
            in_flight = tmp.exists() and any(tmp.iterdir())
            if (phase == "mid-file" and in_flight) or (phase == "after a commit" and len(folders.stored()) > before):
                break
            time.sleep(0.01)
        if proc.poll() is None:
            killed_mid_pass += 1
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        check_invariants(folders, digests, settled=False)
    assert killed_mid_pass >= 1, "no kill landed while a pass was running; make the files bigger"
    final = run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), check=0)
    assert "succeeded" in final.stdout
    check_invariants(folders, digests, settled=True)
    assert not any(folders.src.rglob("*.log")), "every file is stored after the rerun"
    with folders.catalog() as db:
        stored = db.execute("SELECT COUNT(*) FROM files WHERE kind = 'stored' AND state = 'stored'").fetchone()[0]
        interrupted = db.execute("SELECT COUNT(*) FROM runs WHERE status = 'failed'").fetchone()[0]
    assert stored == 16 and interrupted >= 1
    assert not any((folders.dst / ".pybak" / "tmp").iterdir())


def test_daemon_runs_passes_and_stops_on_sigterm(pybak, folders):
    folders.write("first.txt", b"first")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYBAK_")}
    proc = subprocess.Popen([pybak, "daemon", "--source", str(folders.src), "--dest", str(folders.dst), "--interval", "1s",
                             "--min-age", "0s"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.time() + 30
        while time.time() < deadline and (folders.src / "first.txt").exists():
            time.sleep(0.2)
        assert not (folders.src / "first.txt").exists()
        folders.write("second.txt", b"second", age=5)
        while time.time() < deadline and (folders.src / "second.txt").exists():
            time.sleep(0.2)
        assert not (folders.src / "second.txt").exists()
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "daemon stopped" in err
    with folders.catalog() as db:
        statuses = {s for (s,) in db.execute("SELECT status FROM runs")}
        triggers = {t for (t,) in db.execute("SELECT trigger FROM runs")}
    assert "running" not in statuses and triggers == {"schedule"}


def test_a_second_pass_is_turned_away_while_one_runs(pybak, folders):
    make_big_files(folders, 4, 16 * 1024 * 1024)
    first = subprocess.Popen([pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), "--parallel", "1"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 20
        lock = folders.dst / ".pybak" / "lock"
        while time.time() < deadline and not (lock.exists() and lock.read_text().strip()):
            time.sleep(0.05)
        second = run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst))
        if first.poll() is None:
            assert second.returncode == 4 and "another pass" in second.stderr
    finally:
        assert first.wait(timeout=120) == 0
