"""--format zip and tar.gz: one archive per pass, checked by Python's zipfile and tarfile, `unzip -t`, `tar -tzf`
and `gzip -t`; encrypted archives decrypted by Google's Tink; restore and verify per member; SIGKILL mid-pass."""
import base64
import hashlib
import io
import os
import re
import signal
import subprocess
import tarfile
import time
import zipfile

import pytest

import tinkpeer
from conftest import run
from test_crash_and_daemon import make_big_files
from test_postgres import pg, pg_base, psql  # noqa: F401 (fixtures)

LONG = "a-folder-with-a-rather-long-name/" * 3 + "and-a-file-name-that-takes-the-path-well-past-one-hundred-bytes.csv"
PAYLOADS = {
    "a.txt": b"alpha\n" * 1000,
    "copy-of-a.txt": b"alpha\n" * 1000,
    "sub/b.bin": os.urandom(300_000),
    "empty": b"",
    "unicodé/ß.txt": "ünïcode".encode(),
    LONG: b"long name\n",
}
FORMATS = ["zip", "tar.gz"]


def sha(data):
    return hashlib.sha256(data).hexdigest()


def archive_pass(pybak, folders, fmt, *extra, payloads=PAYLOADS):
    for rel, data in payloads.items():
        folders.write(rel, data)
    proc = run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), "--format", fmt, *extra, check=0)
    with folders.catalog() as db:
        rows = db.execute("SELECT source_path, destination_path, archive_member, kind, sha256, run_id FROM files ORDER BY id").fetchall()
    return proc, rows


def members_of(path, fmt):
    """Member name -> bytes, read by the standard library (zipfile checks CRCs, tarfile the gzip trailer)."""
    if fmt == "zip":
        with zipfile.ZipFile(path) as z:
            assert z.testzip() is None
            return {i.filename: z.read(i) for i in z.infolist()}
    with tarfile.open(path, "r:gz") as t:
        return {m.name: t.extractfile(m).read() for m in t.getmembers() if m.isfile()}


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_archive_per_pass_read_by_independent_tools(pybak, folders, fmt):
    proc, rows = archive_pass(pybak, folders, fmt)
    copies = folders.stored()
    assert len(copies) == 1 and re.fullmatch(rf"pybak_\d{{8}}T\d{{6}}Z\.{re.escape(fmt)}", copies[0].name), copies
    archive = copies[0]
    members = members_of(archive, fmt)
    # The duplicate is not added: five members for six files.
    assert len(members) == 5 and set(members) <= set(PAYLOADS)
    for name, data in members.items():
        assert data == PAYLOADS[name]
    if fmt == "zip":
        test = subprocess.run(["unzip", "-t", str(archive)], capture_output=True, text=True)
        assert test.returncode == 0 and "No errors detected" in test.stdout, test.stdout + test.stderr
    else:
        assert subprocess.run(["gzip", "-t", str(archive)]).returncode == 0
        listing = subprocess.run(["tar", "-tzf", str(archive)], capture_output=True, text=True, check=True).stdout.splitlines()
        assert sorted(listing) == sorted(members) and LONG in listing
        out = folders.root / "untarred"
        out.mkdir()
        subprocess.run(["tar", "-xzf", str(archive), "-C", str(out)], check=True)
        assert (out / LONG).read_bytes() == PAYLOADS[LONG]
    # Every file is catalogued with the archive and its member; sources are gone.
    assert {r[0] for r in rows} == set(PAYLOADS)
    for path, dest, member, kind, digest, _ in rows:
        assert dest == archive.name and digest == sha(PAYLOADS[path])
        assert member in members and sha(members[member]) == digest
        if kind == "stored":
            assert member == path
        assert not (folders.src / path).exists()
    assert sum(1 for r in rows if r[3] == "duplicate") == 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_known_content_is_not_archived_again(pybak, folders, fmt):
    archive_pass(pybak, folders, fmt)
    first = folders.stored()
    proc, rows = archive_pass(pybak, folders, fmt, payloads={"again.txt": PAYLOADS["sub/b.bin"]})
    assert folders.stored() == first, "a pass of duplicates only makes no archive"
    again = [r for r in rows if r[0] == "again.txt"][0]
    assert again[3] == "duplicate" and again[1] == first[0].name and again[2] == "sub/b.bin"


@pytest.mark.parametrize("fmt", FORMATS)
def test_restore_one_file_and_a_whole_run_then_verify(pybak, folders, fmt):
    _, rows = archive_pass(pybak, folders, fmt)
    dest = ["--dest", str(folders.dst)]
    run(pybak, "restore", *dest, "--to", str(folders.root / "one"), "--path", LONG, check=0)
    assert [p for p in (folders.root / "one").rglob("*") if p.is_file()] == [folders.root / "one" / LONG]
    assert (folders.root / "one" / LONG).read_bytes() == PAYLOADS[LONG]
    run(pybak, "restore", *dest, "--to", str(folders.root / "all"), "--run", str(rows[0][5]), check=0)
    for rel, data in PAYLOADS.items():
        restored = folders.root / "all" / rel
        assert restored.read_bytes() == data
        assert abs(restored.stat().st_mtime - (time.time() - 3600)) < 120
    verify = run(pybak, "verify", *dest, "--json", check=0)
    assert '"corrupt"' not in verify.stdout
    # A damaged archive: verify reports its members and exits 3.
    archive = folders.stored()[0]
    blob = bytearray(archive.read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    archive.write_bytes(bytes(blob))
    bad = run(pybak, "verify", *dest, check=3)
    assert "corrupt" in bad.stdout + bad.stderr


@pytest.mark.parametrize("fmt", FORMATS)
def test_encrypted_archive_decrypted_by_tink_and_restored(pybak, folders, fmt):
    key = folders.root / "key"
    text = run(pybak, "keygen", check=0).stdout.strip()
    key.write_text(text + "\n")
    raw = base64.b64decode(text)
    archive_pass(pybak, folders, fmt, "--key-file", str(key))
    copies = folders.stored()
    assert len(copies) == 1 and copies[0].name.endswith(f".{fmt}.enc")
    plain = tinkpeer.decrypt(raw, copies[0].read_bytes())
    (folders.root / f"plain.{fmt}").write_bytes(plain)
    members = members_of(folders.root / f"plain.{fmt}", fmt)
    assert all(PAYLOADS[name] == data for name, data in members.items()) and len(members) == 5
    if fmt == "zip":
        assert subprocess.run(["unzip", "-tq", str(folders.root / "plain.zip")]).returncode == 0
    with folders.catalog() as db:
        assert {r[0] for r in db.execute("SELECT key_id FROM files")} == {tinkpeer.key_id(raw)}
    no_key = run(pybak, "restore", "--dest", str(folders.dst), "--to", str(folders.root / "back"), check=3)
    assert "is encrypted (key" in no_key.stdout + no_key.stderr
    run(pybak, "restore", "--dest", str(folders.dst), "--to", str(folders.root / "back2"), "--key-file", str(key), check=0)
    for rel, data in PAYLOADS.items():
        assert (folders.root / "back2" / rel).read_bytes() == data
    run(pybak, "verify", "--dest", str(folders.dst), "--key-file", str(key), check=0)


def test_format_from_the_policy_file_and_bad_values(pybak, folders):
    folders.write("x.txt", b"x")
    policy = folders.root / "policy.yaml"
    policy.write_text(f"source: {{path: {folders.src}}}\ndestination: {{path: {folders.dst}}}\ncompression: {{format: tar.gz}}\n")
    run(pybak, "run", "-f", str(policy), check=0)
    assert [p.name.endswith(".tar.gz") for p in folders.stored()] == [True]
    policy.write_text(f"source: {{path: {folders.src}}}\ndestination: {{path: {folders.dst}}}\ncompression: {{format: rar}}\n")
    bad = run(pybak, "run", "-f", str(policy), check=2)
    assert "spec.compression.format: 'rar' is not a format; use gzip, zip or tar.gz" in bad.stderr
    bad = run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), "--format", "7z", check=2)
    assert "--format: '7z'" in bad.stderr
    folders.write("y.txt", b"y")
    dry = run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), "--format", "zip", "--dry-run", check=0)
    assert re.search(r"move y\.txt -> pybak_\d{8}T\d{6}Z\.zip:y\.txt", dry.stdout), dry.stdout


@pytest.mark.parametrize("fmt", FORMATS)
def test_sigkill_mid_pass_then_rerun(pybak, folders, fmt):
    # Batches reach the committer every 2 s: enough work that the archive is started well before the end.
    digests = make_big_files(folders, 16, 16 * 1024 * 1024)
    args = [pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), "--parallel", "2", "--format", fmt]
    tmp = folders.dst / ".pybak" / "tmp"
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and proc.poll() is None and not (tmp.exists() and any(p.name.endswith("-archive") for p in tmp.iterdir())):
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL, "the pass ended before the kill; make the files bigger"
    proc.wait()
    # Nothing was committed: every source is in place, no archive under its name, no stored row.
    assert all((folders.src / rel).exists() for rel in digests)
    assert folders.stored() == []
    with folders.catalog() as db:
        assert db.execute("SELECT COUNT(*) FROM files WHERE state = 'stored'").fetchone()[0] == 0
    run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), "--format", fmt, check=0)
    assert not any(tmp.iterdir()), "the stale temporary archive is removed"
    assert not any(folders.src.rglob("*.log"))
    copies = folders.stored()
    assert len(copies) == 1
    members = members_of(copies[0], fmt)
    assert {name: sha(data) for name, data in members.items()} == digests
    with folders.catalog() as db:
        rows = db.execute("SELECT source_path, COUNT(*) FROM files WHERE state = 'stored' GROUP BY source_path").fetchall()
        failed = db.execute("SELECT COUNT(*) FROM runs WHERE status = 'failed'").fetchone()[0]
    assert dict(rows) == {rel: 1 for rel in digests} and failed == 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_archive_rows_in_postgresql_restore_and_dedup(pybak, folders, pg, fmt):
    """The PostgreSQL catalog records the member (migration 4) and restore reads it back through it."""
    db = ["--database", pg]
    for rel, data in PAYLOADS.items():
        folders.write(rel, data)
    run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), "--format", fmt, *db, check=0)
    rows = psql(pg, "SELECT source_path, destination_path, archive_member, kind FROM files ORDER BY id")
    archive = folders.stored()[0].name
    assert {r[0] for r in rows} == set(PAYLOADS) and all(r[1] == archive and r[2] for r in rows)
    assert all(r[0] == r[2] for r in rows if r[3] == "stored")
    folders.write("again.bin", PAYLOADS["sub/b.bin"])
    run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), "--format", fmt, *db, check=0)
    assert psql(pg, "SELECT kind, archive_member FROM files WHERE source_path = 'again.bin'") == [("duplicate", "sub/b.bin")]
    run(pybak, "restore", "--dest", str(folders.dst), *db, "--to", str(folders.root / "back"), check=0)
    for rel, data in {**PAYLOADS, "again.bin": PAYLOADS["sub/b.bin"]}.items():
        assert (folders.root / "back" / rel).read_bytes() == data
    run(pybak, "verify", "--dest", str(folders.dst), *db, check=0)
