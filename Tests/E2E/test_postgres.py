"""The binary with a PostgreSQL catalog (`--database`), read back with psql: a full pass, concurrent workers
on one policy, the server down at start, and the server killed mid-pass then restarted.

The shared server is the one `.ci/postgres start` runs (PYBAK_TEST_DATABASE_URL); each test gets its own schema.
The fault tests start a private cluster they may stop and kill (same script, another folder and port)."""
import hashlib
import os
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from conftest import BINARY, REPO, run
from test_crash_and_daemon import check_invariants, make_big_files

PASSWORD = "pybak-test"  # the test server's password (.ci/postgres): it must never reach output or logs


def psql(url, sql):
    """Rows of a query as tuples of strings (psql, the PostgreSQL project's own client)."""
    proc = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql, url],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return [tuple(line.split("\t")) for line in proc.stdout.splitlines() if line]


def with_param(url, param):
    return url + ("&" if "?" in url else "?") + param


def fresh_schema(base):
    schema = "e2e_" + uuid.uuid4().hex[:12]
    psql(base, f"CREATE SCHEMA {schema}")
    return with_param(base, f"options=-csearch_path%3D{schema}")


@pytest.fixture(scope="session")
def pg_base():
    url = os.environ.get("PYBAK_TEST_DATABASE_URL")
    if not url:
        pytest.fail("PYBAK_TEST_DATABASE_URL is not set: start the test server with "
                    "`export PYBAK_TEST_DATABASE_URL=$(bash .ci/postgres start)` (bash .ci/run does this)")
    return url


@pytest.fixture
def pg(pg_base):
    return fresh_schema(pg_base)


class PrivateCluster:
    """A PostgreSQL cluster of this module only, which the fault tests stop, kill and restart."""

    def __init__(self, folder: Path, port: int):
        self.env = {**os.environ, "PYBAK_PG_DIR": str(folder), "PYBAK_PG_PORT": str(port)}

    def ctl(self, action, mode="fast"):
        proc = subprocess.run(["bash", str(REPO / ".ci" / "postgres"), action], capture_output=True, text=True,
                              env={**self.env, "PYBAK_PG_STOP_MODE": mode}, timeout=120)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.strip()

    def start(self):
        return self.ctl("start")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    folder = Path("/tmp") / f"pybak-pg-e2e-{os.getpid()}"
    c = PrivateCluster(folder, 55433 + os.getpid() % 1000)
    c.url = c.start()
    yield c
    c.ctl("purge")


def sources_snapshot(folders):
    return {str(p.relative_to(folders.src)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in folders.src.rglob("*") if p.is_file()}


def file_rows(url, policy=None):
    where = f"WHERE policy = '{policy}'" if policy else ""
    return psql(url, f"SELECT source_path, sha256, destination_path, kind, state FROM files {where} ORDER BY id")


def test_a_full_pass_is_recorded_in_postgres(pybak, folders, pg, tmp_path):
    payloads = {f"in/{i:03d}.csv": b"id,value\n" + b"%d,%d\n" % (i, i * i) * (i + 1) for i in range(40)}
    payloads["dup/copy-of-7.csv"] = payloads["in/007.csv"]
    payloads["é t/naïve name.txt"] = b"unicode"
    for rel, data in payloads.items():
        folders.write(rel, data)
    # The password comes from a file (a mounted Secret), not the URL.
    secret = tmp_path / "password"
    secret.write_text(PASSWORD + "\n")
    bare = pg.replace(f":{PASSWORD}@", "@")
    proc = run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), "--policy", "invoices",
               "--log-level", "info", env={"PYBAK_DATABASE_URL": bare, "PYBAK_DATABASE_PASSWORD_FILE": str(secret)}, check=0)
    assert not (folders.dst / ".pybak" / "catalog.sqlite").exists(), "with --database no SQLite catalog is made"
    for text in (proc.stdout, proc.stderr, (folders.dst / ".pybak" / "pybak.log").read_text()):
        assert PASSWORD not in text

    runs = psql(pg, "SELECT id, policy, trigger, status, files_compressed, files_duplicate, bytes_in FROM runs")
    assert len(runs) == 1
    run_id, policy, trigger, status, compressed, duplicate, bytes_in = runs[0]
    assert (policy, trigger, status, compressed, duplicate) == ("invoices", "manual", "succeeded", "41", "1")
    assert int(bytes_in) == sum(len(d) for r, d in payloads.items() if r != "dup/copy-of-7.csv")

    rows = {r[0]: r for r in psql(pg, "SELECT source_path, sha256, destination_path, kind, state, disposition, duplicate_of FROM files")}
    assert set(rows) == set(payloads)
    for rel, data in payloads.items():
        _, sha, dest, kind, state, disposition, _ = rows[rel]
        assert sha == hashlib.sha256(data).hexdigest() and state == "stored" and disposition == "removed"
        assert subprocess.run(["zcat", str(folders.dst / dest)], capture_output=True, check=True).stdout == data
        assert not (folders.src / rel).exists()
    pair = sorted((rows["dup/copy-of-7.csv"], rows["in/007.csv"]), key=lambda r: r[3])
    assert [r[3] for r in pair] == ["duplicate", "stored"] and pair[0][2] == pair[1][2]

    # Logs are in the database, queryable by policy, run, level and time.
    stored_logs = psql(pg, f"SELECT count(*) FROM logs WHERE policy = 'invoices' AND run_id = {run_id} AND level = 'info' "
                           "AND message = 'file stored' AND time::timestamptz > now() - interval '1 hour'")
    assert stored_logs == [("41",)]
    finished = psql(pg, f"SELECT metadata FROM logs WHERE run_id = {run_id} AND message = 'pass finished'")
    assert '"files.compressed":"41"' in finished[0][0]

    # The report reads the same catalog back; `catalog migrate` finds nothing to do.
    report = run(pybak, "report", "--database", pg, "--last", "--policy", "invoices", check=0)
    assert "41 compressed, 1 duplicate" in report.stdout
    migrate = run(pybak, "catalog", "migrate", "--database", pg, check=0)
    versions = [v for (v,) in psql(pg, "SELECT version FROM schema_migrations ORDER BY version")]
    assert versions == [str(n) for n in range(1, len(versions) + 1)] and len(versions) >= 2
    assert f"schema version {versions[-1]}" in migrate.stdout and PASSWORD not in migrate.stdout


def test_database_flags_are_checked_before_anything_runs(pybak, folders, pg, tmp_path):
    folders.write("a.txt", b"a")
    args = ["run", "--source", str(folders.src), "--dest", str(folders.dst)]
    missing = run(pybak, *args, "--database", pg, "--database-password-file", str(tmp_path / "nope"), check=2)
    assert f"cannot read the database password file {tmp_path / 'nope'}" in missing.stderr
    (tmp_path / "empty").write_text("\n")
    empty = run(pybak, *args, "--database", pg, "--database-password-file", str(tmp_path / "empty"), check=2)
    assert "is empty" in empty.stderr
    alone = run(pybak, *args, "--database-password-file", str(tmp_path / "empty"), check=2)
    assert "without a database" in alone.stderr
    bad = run(pybak, *args, "--database", "postgresql://u:hunter2@h/db?bogus=1", check=2)
    assert "not valid" in bad.stderr and "hunter2" not in bad.stderr
    wrong = tmp_path / "wrong"
    wrong.write_text("not-the-password")
    refused = run(pybak, *args, "--database", pg.replace(f":{PASSWORD}@", "@"), "--database-password-file", str(wrong), check=1)
    assert "password authentication failed" in refused.stderr and "not-the-password" not in refused.stderr
    assert (folders.src / "a.txt").read_bytes() == b"a" and not folders.dst.exists()


def test_concurrent_passes_on_one_policy_never_store_a_file_twice(pybak, folders, pg, tmp_path):
    """Workers of one policy started together, on two destinations (so only the catalog's policy lock can
    keep them apart) and twice on each (the destination lock too): each file stored exactly once, none lost."""
    digests = {}
    for i in range(160):
        data = os.urandom(48 * 1024) + b"%d" % i
        rel = f"batch/{i:03d}.bin"
        folders.write(rel, data)
        digests[rel] = hashlib.sha256(data).hexdigest()
    dests = [tmp_path / "dst-a", tmp_path / "dst-b"]
    busy = policy_busy = 0
    for _ in range(8):
        procs = [subprocess.Popen([pybak, "run", "--source", str(folders.src), "--dest", str(dests[i % 2]), "--policy", "shared",
                                   "--parallel", "1", "--database", pg], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env={k: v for k, v in os.environ.items() if not k.startswith("PYBAK_")})
                 for i in range(4)]
        for proc in procs:
            out, err = proc.communicate(timeout=300)
            assert proc.returncode in (0, 4), f"exit {proc.returncode}: {err}"
            if proc.returncode == 4:
                busy += 1
                assert "nothing" in err
                policy_busy += "already running policy 'shared'" in err
        if not any(folders.src.rglob("*.bin")):
            break
    assert busy >= 1, "no worker was ever turned away: the workers did not overlap"
    assert policy_busy >= 1, "the catalog's policy lock never turned a worker away"
    assert not any(folders.src.rglob("*.bin")), "files left in the source"
    rows = file_rows(pg, "shared")
    assert sorted(r[0] for r in rows) == sorted(digests), "each source path has exactly one row"
    copies = {}
    for path, sha, dest, kind, state in rows:
        assert kind == "stored" and state == "stored" and sha == digests[path]
        found = [d / dest for d in dests if (d / dest).exists()]
        assert len(found) == 1, f"{path}: copies {found}"
        assert hashlib.sha256(subprocess.run(["zcat", str(found[0])], capture_output=True, check=True).stdout).hexdigest() == sha
        copies[path] = found[0]
    on_disk = [p for d in dests for p in d.rglob("*.gz") if ".pybak" not in p.parts]
    assert len(on_disk) == len(digests), "a copy without a row, or a file stored twice"
    assert ("running",) not in psql(pg, "SELECT DISTINCT status FROM runs")


def test_postgres_down_at_start_changes_nothing(pybak, folders, cluster):
    url = fresh_schema(cluster.url)
    for i in range(5):
        folders.write(f"keep/{i}.txt", b"stay %d" % i)
    before = sources_snapshot(folders)
    cluster.ctl("stop")
    try:
        proc = run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), "--database", url)
    finally:
        cluster.start()
    assert proc.returncode == 1, proc.stderr
    port = url.split(":")[3].split("/")[0]
    assert f"cannot connect to the PostgreSQL catalog postgresql://pybak@127.0.0.1:{port}/pybak" in proc.stderr
    assert PASSWORD not in proc.stderr + proc.stdout
    assert sources_snapshot(folders) == before
    assert not folders.dst.exists(), "the destination was touched although the catalog was down"
    assert psql(url, "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()") == [("0",)]


def pass_until_a_commit(pybak, folders, url, digests):
    """Starts a pass and returns it once its first batch is committed (a new copy under its final name).

    One worker: the first batch is committed after at most 2 s, and two workers could finish all the files
    by then, leaving the pass nothing to do after the test stops the server."""
    first = len(folders.stored())
    proc = subprocess.Popen([pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), "--parallel", "1",
                             "--database", url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={k: v for k, v in os.environ.items() if not k.startswith("PYBAK_")})
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None and len(folders.stored()) <= first:
        time.sleep(0.01)
    assert proc.poll() is None, "the pass ended before the server could be stopped; make the files bigger"
    return proc


def test_postgres_killed_mid_pass_then_restarted(pybak, folders, cluster):
    url = fresh_schema(cluster.url)
    digests = make_big_files(folders, 16, 24 * 1024 * 1024)

    # Killed and back within the reconnection window: the pass reconnects, takes its lock again, and finishes.
    proc = pass_until_a_commit(pybak, folders, url, digests)
    cluster.ctl("stop", mode="immediate")
    cluster.start()
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert "catalog connection lost; reconnecting" in err and "catalog connection restored" in err
    check_invariants(folders, digests, settled=True, rows=file_rows(url))
    assert not any(folders.src.rglob("*.log"))

    # Killed for good: the pass stops cleanly, sources stay; after a restart the next pass finishes the work.
    digests = {f"second/{rel}": d for rel, d in make_big_files(folders, 16, 24 * 1024 * 1024).items()}
    for rel in list(digests):
        (folders.src / rel).parent.mkdir(parents=True, exist_ok=True)
        (folders.src / rel.removeprefix("second/")).rename(folders.src / rel)
    proc = pass_until_a_commit(pybak, folders, url, digests)
    cluster.ctl("stop", mode="immediate")
    try:
        out, err = proc.communicate(timeout=120)
    finally:
        cluster.start()
    assert proc.returncode == 1, err
    assert "lost the connection to the PostgreSQL catalog" in err and "stay in the source" in err
    assert PASSWORD not in err
    check_invariants(folders, digests, settled=False, rows=file_rows(url))
    assert any(folders.src.rglob("*.log")), "the stopped pass left work for the next one"

    final = run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), "--database", url, check=0)
    assert "succeeded" in final.stdout
    check_invariants(folders, digests, settled=True, rows=file_rows(url))
    assert not any(folders.src.rglob("*.log")), "every file is stored after the rerun"
    statuses = [s for (s,) in psql(url, "SELECT status FROM runs ORDER BY id")]
    assert statuses == ["succeeded", "failed", "succeeded"], statuses
    assert not any((folders.dst / ".pybak" / "tmp").iterdir())


def test_a_killed_worker_releases_the_policy_at_once(pybak, folders, pg):
    """SIGKILL ends the worker's database session, so its policy lock goes with it: the next worker does not
    wait for an expiry, takes the policy over and finishes the dead one's work."""
    digests = make_big_files(folders, 16, 24 * 1024 * 1024)
    proc = pass_until_a_commit(pybak, folders, pg, digests)
    proc.kill()
    proc.communicate()
    check_invariants(folders, digests, settled=False, rows=file_rows(pg))
    final = run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), "--database", pg)
    assert final.returncode == 0, final.stderr
    check_invariants(folders, digests, settled=True, rows=file_rows(pg))
    assert not any(folders.src.rglob("*.log"))
    statuses = [s for (s,) in psql(pg, "SELECT status FROM runs ORDER BY id")]
    assert statuses == ["failed", "succeeded"], statuses


def test_serve_reads_the_postgres_catalog_from_the_environment(pybak, folders, pg):
    """`pybak serve` configured as the Deployment's sidecar is: only PYBAK_DATABASE_URL and the OIDC variables."""
    from api_support import AUDIENCE, Issuer, Server, request

    for name in ("a.csv", "b.csv"):
        folders.write(f"inbox/{name}", name.encode() * 1000)
    run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), "--policy", "invoices", "--database", pg, check=0)
    issuer = Issuer()
    server = Server(pybak, ["serve"], env={"PYBAK_DATABASE_URL": pg, "PYBAK_OIDC_ISSUER": issuer.url, "PYBAK_OIDC_AUDIENCE": AUDIENCE})
    try:
        assert request(server.base, "/readyz").status == 200
        runs = request(server.base, "/runs", token=issuer.token())
        assert runs.status == 200, runs.body
        assert [(r["policy"], r["status"], r["counts"]["compressed"]) for r in runs.json()["items"]] == [("invoices", "succeeded", 2)]
        files = request(server.base, "/files?q=a.csv", token=issuer.token())
        assert files.status == 200 and [f["sourcePath"] for f in files.json()["items"]] == ["inbox/a.csv"], files.body
    finally:
        server.stop()
        issuer.close()
