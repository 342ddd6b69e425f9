"""`pybak restore`, `pybak verify` and `pybak ls` through the real binary, on copies made by real passes."""
import base64
import json
import os
import sqlite3
import time

import pytest

from conftest import run


def pass_(pybak, folders, *extra, env=None):
    return json.loads(run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), "--json", *extra, env=env, check=0).stdout)


@pytest.fixture
def key(tmp_path):
    path = tmp_path / "key"
    path.write_text(base64.b64encode(os.urandom(32)).decode())
    return path


@pytest.mark.parametrize("encrypted", [False, True])
def test_restore_everything_byte_identical_with_mtime(pybak, folders, tmp_path, key, encrypted):
    extra = ["--key-file", str(key)] if encrypted else []
    payloads = {"a.log": b"line\n" * 100_000, "deep/b.bin": os.urandom(2_500_000), "empty": b"", "c/dup.txt": b"line\n" * 100_000}
    mtimes = {}
    for i, (rel, data) in enumerate(payloads.items()):
        p = folders.write(rel, data, age=3600 + i * 60)
        os.utime(p, ns=(p.stat().st_atime_ns, p.stat().st_mtime_ns + 123_456_789))
        mtimes[rel] = p.stat().st_mtime_ns
    summary = pass_(pybak, folders, *extra)
    assert summary["counts"]["compressed"] == 3 and summary["counts"]["duplicate"] == 1
    out = tmp_path / "out"
    proc = run(pybak, "restore", "--dest", str(folders.dst), "--to", str(out), *extra, check=0)
    assert "4 restored, 0 not restored" in proc.stdout
    for rel, data in payloads.items():
        assert (out / rel).read_bytes() == data
        assert (out / rel).stat().st_mtime_ns == mtimes[rel]
    assert not [p for p in out.rglob("*") if ".pybak-restore" in p.name]


def test_restore_refuses_to_overwrite_unless_asked(pybak, folders, tmp_path):
    folders.write("keep.txt", b"backed up")
    pass_(pybak, folders)
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_bytes(b"local edits")
    proc = run(pybak, "restore", "--dest", str(folders.dst), "--to", str(out))
    assert proc.returncode == 3 and "exists" in proc.stdout and "--overwrite" in proc.stdout
    assert (out / "keep.txt").read_bytes() == b"local edits"
    run(pybak, "restore", "--dest", str(folders.dst), "--to", str(out), "--overwrite", check=0)
    assert (out / "keep.txt").read_bytes() == b"backed up"


def test_restore_at_a_time_and_by_path_and_run_and_prefix(pybak, folders, tmp_path):
    folders.write("v.txt", b"version 1")
    folders.write("dir/x.txt", b"x1")
    first = pass_(pybak, folders)
    with folders.catalog() as db:
        t1 = db.execute("SELECT max(created_at) FROM files").fetchone()[0]
    time.sleep(1.1)
    folders.write("v.txt", b"version 2")
    folders.write("other/y.txt", b"y2")
    second = pass_(pybak, folders)
    dst = str(folders.dst)

    run(pybak, "restore", "--dest", dst, "--to", str(tmp_path / "now"), "--path", "v.txt", check=0)
    assert (tmp_path / "now" / "v.txt").read_bytes() == b"version 2"
    assert not (tmp_path / "now" / "dir").exists()

    run(pybak, "restore", "--dest", dst, "--to", str(tmp_path / "then"), "--at", t1[:19] + "Z", check=0)
    assert (tmp_path / "then" / "v.txt").read_bytes() == b"version 1"
    assert (tmp_path / "then" / "dir" / "x.txt").read_bytes() == b"x1"
    assert not (tmp_path / "then" / "other").exists()

    run(pybak, "restore", "--dest", dst, "--to", str(tmp_path / "run"), "--run", str(second["runId"]), check=0)
    assert sorted(p.relative_to(tmp_path / "run").as_posix() for p in (tmp_path / "run").rglob("*") if p.is_file()) == ["other/y.txt", "v.txt"]
    run(pybak, "restore", "--dest", dst, "--to", str(tmp_path / "run1"), "--run", str(first["runId"]), check=0)
    assert (tmp_path / "run1" / "v.txt").read_bytes() == b"version 1"

    run(pybak, "restore", "--dest", dst, "--to", str(tmp_path / "pre"), "--prefix", "dir", check=0)
    assert [p.name for p in (tmp_path / "pre").rglob("*") if p.is_file()] == ["x.txt"]

    run(pybak, "restore", "--dest", dst, "--to", str(tmp_path / "name"), "--path", "x.txt", check=0)
    assert (tmp_path / "name" / "dir" / "x.txt").read_bytes() == b"x1"

    proc = run(pybak, "restore", "--dest", dst, "--to", str(tmp_path / "none"), "--path", "nope.txt")
    assert proc.returncode == 2 and "nothing in the catalog matches --path nope.txt" in proc.stderr
    proc = run(pybak, "restore", "--dest", dst, "--to", str(tmp_path / "none"), "--at", "yesterday-ish")
    assert proc.returncode == 2 and "--at" in proc.stderr


def test_restore_with_wrong_or_missing_key_is_a_clear_error(pybak, folders, tmp_path, key):
    folders.write("s.txt", b"secret")
    pass_(pybak, folders, "--key-file", str(key))
    proc = run(pybak, "restore", "--dest", str(folders.dst), "--to", str(tmp_path / "out"))
    assert proc.returncode == 3 and "is encrypted (key k1-" in proc.stdout and "--key-file" in proc.stdout
    other = tmp_path / "other"
    other.write_text(base64.b64encode(os.urandom(32)).decode())
    proc = run(pybak, "restore", "--dest", str(folders.dst), "--to", str(tmp_path / "out"), "--key-file", str(other))
    assert proc.returncode == 3 and "encrypted with key k1-" in proc.stdout and "but the key given is k1-" in proc.stdout
    assert not (tmp_path / "out" / "s.txt").exists()


def test_verify_detects_corrupt_and_missing_copies(pybak, folders, tmp_path, key):
    for i in range(6):
        folders.write(f"f{i}.txt", (b"content %d\n" % i) * 50_000)
    pass_(pybak, folders, "--key-file", str(key))
    dst = str(folders.dst)
    proc = run(pybak, "verify", "--dest", dst, "--key-file", str(key), check=0)
    assert "6 copies checked: 6 ok" in proc.stdout
    with folders.catalog() as db:
        assert db.execute("SELECT count(*) FROM files WHERE verified_at IS NOT NULL AND verify_error IS NULL").fetchone()[0] == 6
        paths = dict(db.execute("SELECT source_path, destination_path FROM files"))
    corrupt = folders.dst / paths["f1.txt"]
    blob = bytearray(corrupt.read_bytes())
    blob[len(blob) // 2] ^= 0x10
    corrupt.write_bytes(bytes(blob))
    (folders.dst / paths["f2.txt"]).unlink()
    proc = run(pybak, "verify", "--dest", dst, "--key-file", str(key), "--json")
    assert proc.returncode == 3
    report = json.loads(proc.stdout)
    assert report["summary"] == {"checked": 6, "ok": 4, "corrupt": 1, "missing": 1}
    results = {i["path"]: i["result"] for i in report["items"]}
    assert results["f1.txt"] == "corrupt" and results["f2.txt"] == "missing"
    with folders.catalog() as db:
        errors = dict(db.execute("SELECT source_path, verify_error FROM files WHERE verify_error IS NOT NULL"))
    assert set(errors) == {"f1.txt", "f2.txt"} and errors["f2.txt"].startswith("missing")
    # Without the key the copies cannot be checked: a non-zero exit, nothing marked corrupt.
    proc = run(pybak, "verify", "--dest", dst)
    assert proc.returncode == 3 and "key" in proc.stdout
    # A sample checks a part of the copies, at least one.
    proc = run(pybak, "verify", "--dest", dst, "--key-file", str(key), "--sample", "10", "--json")
    assert json.loads(proc.stdout)["summary"]["checked"] == 1


def test_verify_of_plain_gzip_copy_catches_gzip_damage(pybak, folders):
    folders.write("g.txt", b"plain\n" * 100_000)
    pass_(pybak, folders)
    (copy,) = folders.stored()
    data = copy.read_bytes()
    copy.write_bytes(data[: len(data) - 9])  # cut the gzip trailer
    proc = run(pybak, "verify", "--dest", str(folders.dst))
    assert proc.returncode == 3 and "corrupt" in proc.stdout


def test_ls_lists_and_filters(pybak, folders):
    folders.write("logs/a.log", b"a")
    folders.write("logs/b.log", b"b")
    folders.write("data/c.csv", b"c")
    first = pass_(pybak, folders)
    folders.write("logs/a.log", b"a2")
    second = pass_(pybak, folders)
    dst = str(folders.dst)
    table = run(pybak, "ls", "--dest", dst, check=0).stdout
    assert "PATH" in table and "STORED AS" in table and "4 files" in table
    rows = json.loads(run(pybak, "files", "--dest", dst, "--json", check=0).stdout)
    assert {r["sourcePath"] for r in rows} == {"logs/a.log", "logs/b.log", "data/c.csv"} and len(rows) == 4
    rows = json.loads(run(pybak, "ls", "--dest", dst, "--prefix", "logs", "--json", check=0).stdout)
    assert {r["sourcePath"] for r in rows} == {"logs/a.log", "logs/b.log"} and len(rows) == 3
    rows = json.loads(run(pybak, "ls", "--dest", dst, "--run", str(second["runId"]), "--json", check=0).stdout)
    assert [r["sourcePath"] for r in rows] == ["logs/a.log"]
    assert json.loads(run(pybak, "ls", "--dest", dst, "--since", "2h", "--json", check=0).stdout).__len__() == 4
    assert json.loads(run(pybak, "ls", "--dest", dst, "--until", "2000-01-01", "--json", check=0).stdout) == []
    proc = run(pybak, "ls", "--dest", str(folders.root / "nowhere"))
    assert proc.returncode == 1 and "no catalog" in proc.stderr
