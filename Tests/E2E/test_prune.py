"""`pybak prune` through the real binary: per-path keep-last, dry run, shared copies, policy rules."""
import json

from conftest import run


def pass_(pybak, folders, *extra):
    return run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), *extra, check=0)


def test_prune_keep_last_removes_old_copies_and_marks_rows(pybak, folders, tmp_path):
    for version in range(3):
        folders.write("a.log", b"version %d\n" % version * 1000)
        folders.write("other.txt" if version == 0 else f"x{version}.txt", b"stable" if version == 0 else b"x%d" % version)
        pass_(pybak, folders)
    stored_before = folders.stored()
    assert len(stored_before) == 6
    dst = str(folders.dst)
    dry = run(pybak, "prune", "--dest", dst, "--keep-last", "1", "--dry-run", check=0).stdout
    assert dry.count("would remove") == 2 and "dry run: nothing changed" in dry
    assert folders.stored() == stored_before
    report = json.loads(run(pybak, "prune", "--dest", dst, "--keep-last", "1", "--json", check=0).stdout)
    assert report["summary"]["removed"] == 2 and report["summary"]["copiesDeleted"] == 2
    assert len(folders.stored()) == 4
    with folders.catalog() as db:
        pruned = db.execute("SELECT source_path FROM files WHERE pruned_at IS NOT NULL").fetchall()
        assert [p[0] for p in pruned] == ["a.log", "a.log"]
    listed = json.loads(run(pybak, "ls", "--dest", dst, "--json", check=0).stdout)
    assert sorted(r["sourcePath"] for r in listed) == ["a.log", "other.txt", "x1.txt", "x2.txt"]
    out = tmp_path / "out"
    run(pybak, "restore", "--dest", dst, "--to", str(out), check=0)
    assert (out / "a.log").read_bytes() == b"version 2\n" * 1000
    run(pybak, "verify", "--dest", dst, check=0)


def test_prune_needs_a_rule_and_reads_the_policy(pybak, folders, tmp_path):
    folders.write("a.txt", b"1")
    pass_(pybak, folders)
    folders.write("a.txt", b"2")
    pass_(pybak, folders)
    proc = run(pybak, "prune", "--dest", str(folders.dst))
    assert proc.returncode == 2 and "--keep-last" in proc.stderr
    policy = tmp_path / "p.yaml"
    policy.write_text(f"source: {{path: {folders.src}}}\ndestination: {{path: {folders.dst}}}\nretention: {{keepLast: 1, keepWithin: 0s}}\n")
    proc = run(pybak, "prune", "-f", str(policy), check=0)
    assert "1 removed" in proc.stdout
    assert len(folders.stored()) == 1


def test_run_with_prune_applies_the_policy_retention_after_each_pass(pybak, folders, tmp_path):
    policy = tmp_path / "p.yaml"
    policy.write_text(
        "apiVersion: pybak.io/v1alpha1\nkind: BackupPolicy\nmetadata: {name: keep1}\n"
        f"spec:\n  source: {{path: {folders.src}}}\n  destination: {{path: {folders.dst}}}\n  retention: {{keepLast: 1}}\n"
    )
    for version in range(3):
        folders.write("a.txt", b"v%d" % version)
        run(pybak, "run", "-f", str(policy), "--prune", check=0)
    (copy,) = folders.stored()
    with folders.catalog() as db:
        assert db.execute("SELECT count(*) FROM files WHERE pruned_at IS NOT NULL").fetchone()[0] == 2
    run(pybak, "restore", "--dest", str(folders.dst), "--to", str(tmp_path / "out"), check=0)
    assert (tmp_path / "out" / "a.txt").read_bytes() == b"v2"
    # Without spec.retention, --prune is refused before anything is done.
    folders.write("b.txt", b"b")
    proc = run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), "--prune")
    assert proc.returncode == 2 and "spec.retention" in proc.stderr
    assert (folders.src / "b.txt").exists()
