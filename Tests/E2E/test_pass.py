"""A real pass checked by tools nobody in this project wrote: gzip, zcat, sha256sum."""
import hashlib
import json
import os
import subprocess

from conftest import run


def test_outputs_pass_gzip_and_restore_the_exact_bytes(pybak, folders):
    payloads = {
        "a.log": b"".join(b"2026-11-27 INFO request %d served\n" % i for i in range(50_000)),
        "deep/er/b.bin": os.urandom(300_000),
        "empty.txt": b"",
        "name with spaces.csv": b"x,y\n1,2\n",
    }
    for rel, data in payloads.items():
        folders.write(rel, data)
    proc = run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), "--json", check=0)
    summary = json.loads(proc.stdout)
    assert summary["status"] == "succeeded" and summary["counts"]["compressed"] == 4
    stored = folders.stored()
    assert len(stored) == 4
    with folders.catalog() as db:
        rows = dict(db.execute("SELECT source_path, destination_path FROM files"))
        hashes = dict(db.execute("SELECT source_path, sha256 FROM files"))
    for rel, data in payloads.items():
        copy = folders.dst / rows[rel]
        assert copy.name.startswith(os.path.basename(rel) + "_") and copy.name.endswith("Z.gz")
        assert subprocess.run(["gzip", "-t", str(copy)]).returncode == 0
        assert subprocess.run(["zcat", str(copy)], capture_output=True, check=True).stdout == data
        sha = subprocess.run(["sha256sum"], input=data, capture_output=True, check=True).stdout.split()[0].decode()
        assert hashes[rel] == sha == hashlib.sha256(data).hexdigest()
        assert not (folders.src / rel).exists()


def test_gunzip_N_restores_original_name_and_mtime(pybak, folders, tmp_path):
    src = folders.write("report.csv", b"a,b\n", age=7200)
    mtime = int(src.stat().st_mtime)
    run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), check=0)
    (copy,) = folders.stored()
    out = tmp_path / "restore"
    out.mkdir()
    (out / copy.name).write_bytes(copy.read_bytes())
    subprocess.run(["gunzip", "-N", str(out / copy.name)], check=True)
    restored = out / "report.csv"
    assert restored.read_bytes() == b"a,b\n"
    assert int(restored.stat().st_mtime) == mtime


def test_report_command_prints_the_last_run(pybak, folders):
    folders.write("x.txt", b"x" * 1000)
    folders.write("y.txt", b"x" * 1000)
    run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), check=0)
    text = run(pybak, "report", "--dest", str(folders.dst), "--last", check=0).stdout
    assert "1 compressed, 1 duplicate" in text
    report = json.loads(run(pybak, "report", "--dest", str(folders.dst), "--run", "1", "--json", check=0).stdout)
    assert {f["sourcePath"] for f in report["files"]} == {"x.txt", "y.txt"}
    assert (folders.dst / ".pybak" / "reports" / "run-1.txt").exists()
    assert run(pybak, "report", "--dest", str(folders.dst), "--run", "99").returncode == 2


def test_logs_reach_the_file_and_the_catalog(pybak, folders):
    folders.write("one.txt", b"1")
    run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), check=0)
    log = (folders.dst / ".pybak" / "pybak.log").read_text()
    assert "file stored" in log and "file.path=one.txt" in log and "run.id=1" in log
    with folders.catalog() as db:
        messages = [m for (m,) in db.execute("SELECT message FROM logs WHERE run_id = 1 AND policy = 'local'")]
    assert "file stored" in messages and "pass finished" in messages


def test_policy_file_and_environment_layering(pybak, folders, tmp_path):
    folders.write("keep/a.csv", b"1,2")
    folders.write("keep/b.tmp", b"tmp")
    policy = tmp_path / "policy.yaml"
    policy.write_text(f"""
apiVersion: pybak.io/v1alpha1
kind: BackupPolicy
metadata: {{name: invoices}}
spec:
  source: {{path: {folders.src}, exclude: ["*.tmp"]}}
  destination: {{path: /nonexistent-overridden}}
  compression: {{level: 9}}
""")
    # The flag's destination wins over the file's.
    proc = run(pybak, "run", "-f", str(policy), "--dest", str(folders.dst), "--json", env={"PYBAK_KEEP_SOURCE": "true"}, check=0)
    summary = json.loads(proc.stdout)
    assert summary["policy"] == "invoices" and summary["counts"]["compressed"] == 1
    assert (folders.src / "keep/a.csv").exists()  # PYBAK_KEEP_SOURCE filled what neither gave
    assert (folders.src / "keep/b.tmp").exists()


def test_dry_run_changes_nothing(pybak, folders):
    folders.write("a.txt", b"a")
    folders.write("new.txt", b"n", age=0)
    out = run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), "--dry-run", check=0).stdout
    assert "move a.txt -> a.txt_" in out and "skip new.txt" in out
    assert not folders.dst.exists()
    assert (folders.src / "a.txt").exists()
