"""Bad input gets a clear error naming the input, the documented exit code, and loses nothing."""
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import Folders, run


def test_missing_source(pybak, folders):
    proc = run(pybak, "run", "--source", str(folders.root / "nope"), "--dest", str(folders.dst), check=1)
    assert "source folder" in proc.stderr and "does not exist" in proc.stderr


def test_destination_inside_source(pybak, folders):
    folders.write("a.txt", b"a")
    proc = run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.src / "backup"), check=1)
    assert "inside the source" in proc.stderr
    assert (folders.src / "a.txt").exists()


def test_invalid_config_names_the_key(pybak, folders, tmp_path):
    policy = tmp_path / "p.yaml"
    policy.write_text("source: {path: /x, minAge: soon}\ndestination: {path: /y}\n")
    proc = run(pybak, "run", "-f", str(policy), check=2)
    assert "spec.source.minAge" in proc.stderr and "'soon'" in proc.stderr
    policy.write_text("source: {path: /x, minAgee: 1s}\n")
    proc = run(pybak, "run", "-f", str(policy), check=2)
    assert "spec.source.minAgee: unknown key" in proc.stderr


def test_bad_flag_values(pybak, folders):
    proc = run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), "--level", "12")
    assert proc.returncode != 0 and "--level 12" in proc.stderr


def test_corrupt_catalog(pybak, folders):
    folders.write("a.txt", b"a")
    (folders.dst / ".pybak").mkdir(parents=True)
    (folders.dst / ".pybak" / "catalog.sqlite").write_bytes(b"\x42" * 8192)
    proc = run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), check=1)
    assert "corrupt or not a SQLite database" in proc.stderr and "move it aside" in proc.stderr
    assert (folders.src / "a.txt").exists()


def test_name_too_long_to_store(pybak, folders):
    long_name = "n" * 240
    folders.write(long_name, b"data")
    folders.write("fine.txt", b"fine")
    proc = run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), check=3)
    assert "255-byte limit" in proc.stdout
    assert (folders.src / long_name).exists() and not (folders.src / "fine.txt").exists()


def test_name_not_utf8(pybak, folders):
    raw = os.path.join(os.fsencode(folders.src), b"bad\xffname.txt")
    with open(raw, "wb") as f:
        f.write(b"data")
    os.utime(raw, (1, 1))
    proc = run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), check=3)
    assert "not valid UTF-8" in proc.stdout and "bad\\xffname.txt" in proc.stdout
    assert os.path.exists(raw)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run as nobody")
def test_unreadable_file_as_unprivileged_user(pybak):
    # pytest's tmp_path sits in a 0700 folder that nobody cannot enter, so use a folder of our own.
    root = Path(tempfile.mkdtemp(prefix="pybak-nobody-"))
    try:
        os.chmod(root, 0o777)
        folders = Folders(root)
        folders.write("open.txt", b"open")
        secret = folders.write("secret.txt", b"secret")
        os.chmod(secret, 0)
        folders.dst.mkdir()
        for path in [folders.src, folders.dst]:
            os.chmod(path, 0o777)
        os.chmod(folders.src / "open.txt", 0o666)
        binary = root / "pybak"
        shutil.copy(pybak, binary)
        os.chmod(binary, 0o755)
        proc = subprocess.run(["runuser", "-u", "nobody", "--", str(binary), "run", "--source", str(folders.src), "--dest", str(folders.dst)],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 3, proc.stderr
        assert "secret.txt" in proc.stdout and "permission denied" in proc.stdout
        assert secret.exists() and not (folders.src / "open.txt").exists()
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")
def test_full_disk_stops_cleanly_and_loses_nothing(pybak, folders):
    folders.dst.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folders.dst)]).returncode == 0
    assert mounted, "could not mount a tmpfs (run the tests as root on Linux)"
    try:
        for i in range(6):
            folders.write(f"f{i}.bin", os.urandom(400_000))
        proc = run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), "--parallel", "1")
        assert proc.returncode in (1, 3), proc.stderr
        assert "full" in proc.stderr + proc.stdout
        remaining = {p.name for p in folders.src.iterdir()}
        stored = folders.stored()
        assert len(remaining) + len(stored) == 6 and len(remaining) > 0
        for copy in stored:
            assert subprocess.run(["gzip", "-t", str(copy)]).returncode == 0
        assert not any((folders.dst / ".pybak" / "tmp").iterdir())
    finally:
        subprocess.run(["umount", "-l", str(folders.dst)])
