"""`pybak restore` and `pybak verify` reading the S3 copies back from a real S3 server (moto, SigV4
authentication on); objects deleted or overwritten behind pybak's back with boto3."""
import base64
import hashlib
import os
import re
import time

import pytest

from conftest import run
from cloud_peers import free_port, moto  # noqa: F401  (fixture)
from fault_proxy import FaultProxy


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def key(tmp_path):
    path = tmp_path / "key"
    path.write_text(base64.b64encode(os.urandom(32)).decode())
    return path


def back_up(pybak, folders, moto, *extra):
    """Writes a small tree (a duplicate and a multipart-sized file included), backs it up to moto, and returns
    {relative path: (sha256, mtime_ns)} of the originals."""
    payloads = {"docs/a.txt": b"alpha\n" * 20_000, "docs/copy-of-a.txt": b"alpha\n" * 20_000,
                "media/big.bin": os.urandom(7 << 20), "empty": b""}
    originals = {}
    for i, (rel, data) in enumerate(payloads.items()):
        path = folders.write(rel, data, age=3600 + i * 60)
        originals[rel] = (hashlib.sha256(data).hexdigest(), path.stat().st_mtime_ns)
    env = moto.env() | {"PYBAK_S3_MULTIPART_THRESHOLD": "6Mi", "PYBAK_S3_PART_SIZE": "5Mi"}
    run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), *moto.flags("team"), *extra, env=env, check=0)
    return originals


def drop_local_copies(folders):
    stored = folders.stored()
    assert len(stored) == 3  # the duplicate shares its original's copy
    for path in stored:
        path.unlink()


def assert_restored(out, originals):
    for rel, (digest, mtime) in originals.items():
        assert sha256(out / rel) == digest, f"{rel} differs from the original"
        assert (out / rel).stat().st_mtime_ns == mtime
    assert not [p for p in out.rglob("*") if ".pybak-restore" in p.name]


@pytest.mark.parametrize("encrypted", [False, True])
def test_restore_from_s3_and_automatic_fallback_are_byte_identical(pybak, folders, moto, tmp_path, key, encrypted):
    extra = ["--key-file", str(key)] if encrypted else []
    originals = back_up(pybak, folders, moto, *extra)
    with folders.catalog() as db:
        keys = [r[0] for r in db.execute("SELECT object_key FROM uploads WHERE state = 'uploaded'")]
    assert len(keys) == 3 and all(k.startswith("team/") for k in keys)
    drop_local_copies(folders)
    dest = ["--dest", str(folders.dst)]

    # Explicitly from S3 (the prefix is not needed: keys come from the catalog).
    out = tmp_path / "from-s3"
    s3 = ["--s3-endpoint", moto.endpoint, "--s3-path-style"]
    proc = run(pybak, "restore", *dest, "--to", str(out), "--from", "s3", *s3, *extra, env=moto.env(), check=0)
    assert "4 restored, 0 not restored" in proc.stdout
    assert f"from s3://{moto.bucket}/team/" in proc.stdout
    assert_restored(out, originals)

    # The default: the local copies are missing, so each file comes from the object the catalog recorded.
    out = tmp_path / "auto"
    proc = run(pybak, "restore", *dest, "--to", str(out), *s3, *extra, env=moto.env() | {"PYBAK_LOG_LEVEL": "info"}, check=0)
    assert "4 restored, 0 not restored" in proc.stdout
    assert proc.stdout.count(f"from s3://{moto.bucket}/") == 4
    assert "local copy missing; reading the cloud copy" in proc.stderr and f"file.from=s3://{moto.bucket}/team/" in proc.stderr
    assert_restored(out, originals)

    # --from local does not fall back.
    proc = run(pybak, "restore", *dest, "--to", str(tmp_path / "local"), "--from", "local", *extra, env=moto.env(), check=3)
    assert "0 restored, 4 not restored" in proc.stdout and "missing" in proc.stdout
    assert not (tmp_path / "local").exists() or not [p for p in (tmp_path / "local").rglob("*") if p.is_file()]


def test_restore_reads_s3_settings_from_the_policy_file(pybak, folders, moto, tmp_path):
    originals = back_up(pybak, folders, moto)
    drop_local_copies(folders)
    policy = tmp_path / "policy.yaml"
    policy.write_text(f"""apiVersion: pybak.io/v1alpha1
kind: BackupPolicy
metadata: {{name: local}}
spec:
  cloud:
    s3: {{bucket: {moto.bucket}, endpoint: "{moto.endpoint}", pathStyle: true, prefix: team}}
""")
    out = tmp_path / "out"
    proc = run(pybak, "restore", "--dest", str(folders.dst), "--to", str(out), "--config", str(policy), env=moto.env(), check=0)
    assert "4 restored" in proc.stdout
    assert_restored(out, originals)


def test_verify_from_s3_reports_deleted_and_overwritten_objects(pybak, folders, moto, tmp_path, key):
    back_up(pybak, folders, moto, "--key-file", str(key))
    args = ["verify", "--dest", str(folders.dst), "--from", "s3", "--s3-endpoint", moto.endpoint, "--s3-path-style", "--key-file", str(key)]
    proc = run(pybak, *args, env=moto.env(), check=0)
    assert "3 copies checked: 3 ok (read from s3)" in proc.stdout

    with folders.catalog() as db:
        rows = dict(db.execute("SELECT f.source_path, u.object_key FROM uploads u JOIN files f ON f.id = u.file_id").fetchall())
    # Whichever of the two equal files was stored first holds the copy; the other is its duplicate.
    (deleted,) = [k for path, k in rows.items() if path.startswith("docs/")]
    overwritten = rows["media/big.bin"]
    moto.s3.delete_object(Bucket=moto.bucket, Key=deleted)
    body = moto.s3.get_object(Bucket=moto.bucket, Key=overwritten)["Body"].read()
    tampered = bytearray(body)
    tampered[len(tampered) // 2] ^= 0x01
    moto.s3.put_object(Bucket=moto.bucket, Key=overwritten, Body=bytes(tampered))

    proc = run(pybak, *args, env=moto.env(), check=3)
    assert "3 copies checked: 1 ok, 1 corrupt, 1 missing (read from s3)" in proc.stdout
    assert f"missing from s3://{moto.bucket}" in proc.stdout and deleted in proc.stdout
    assert f"s3://{moto.bucket}/{overwritten} is corrupt" in proc.stdout
    # The local copies are untouched and still good.
    run(pybak, "verify", "--dest", str(folders.dst), "--key-file", str(key), check=0)


def test_wrong_secret_and_endpoint_down_fail_clearly_and_leave_nothing_in_to(pybak, folders, moto, tmp_path):
    back_up(pybak, folders, moto)
    drop_local_copies(folders)
    out = tmp_path / "out"
    base = ["restore", "--dest", str(folders.dst), "--to", str(out), "--from", "s3", "--s3-path-style"]

    proc = run(pybak, *base, "--s3-endpoint", moto.endpoint, env=moto.env(secret="not-the-secret"), check=3)
    assert "0 restored, 4 not restored" in proc.stdout
    assert "HTTP 403" in proc.stdout and "SignatureDoesNotMatch" in proc.stdout and f"s3://{moto.bucket}" in proc.stdout
    assert "check AWS_SECRET_ACCESS_KEY" in proc.stdout
    assert not out.exists() or [p for p in out.rglob("*")] == []

    down = f"http://127.0.0.1:{free_port()}"
    started = time.monotonic()
    proc = run(pybak, *base, "--s3-endpoint", down, env=moto.env(), check=3)
    assert time.monotonic() - started < 60
    assert "cannot be reached" in proc.stdout and "--s3-endpoint" in proc.stdout
    assert not out.exists() or [p for p in out.rglob("*")] == []

    # A missing object names bucket and key.
    with folders.catalog() as db:
        (gone,) = db.execute("SELECT u.object_key FROM uploads u JOIN files f ON f.id = u.file_id WHERE f.source_path = 'media/big.bin'").fetchone()
    moto.s3.delete_object(Bucket=moto.bucket, Key=gone)
    proc = run(pybak, *base, "--s3-endpoint", moto.endpoint, "--path", "media/big.bin", env=moto.env(), check=3)
    assert f"the stored copy {gone} is missing from s3://{moto.bucket}" in proc.stdout
    assert not out.exists() or [p for p in out.rglob("*")] == []


def test_from_gcs_answers_not_available(pybak, folders, tmp_path):
    folders.write("a.txt", b"a")
    run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), check=0)
    proc = run(pybak, "restore", "--dest", str(folders.dst), "--to", str(tmp_path / "out"), "--from", "gcs")
    assert proc.returncode != 0 and "GCS restore is not available in this build" in (proc.stdout + proc.stderr)
    proc = run(pybak, "verify", "--dest", str(folders.dst), "--from", "nowhere")
    assert proc.returncode == 2 and "--from nowhere is not a store" in (proc.stdout + proc.stderr)


def test_a_download_cut_midway_is_read_again_and_restores_byte_identical(pybak, folders, moto, tmp_path, key):
    originals = back_up(pybak, folders, moto, "--key-file", str(key))
    drop_local_copies(folders)
    proxy = FaultProxy(moto.port, cut_first_gets=2)
    try:
        out = tmp_path / "out"
        proc = run(pybak, "restore", "--dest", str(folders.dst), "--to", str(out), "--from", "s3", "--s3-endpoint", proxy.endpoint,
                   "--s3-path-style", "--key-file", str(key), env=moto.env() | {"PYBAK_LOG_LEVEL": "warning"}, check=0)
    finally:
        proxy.stop()
    assert proxy.cut == 2
    assert proc.stderr.count("object read failed; retrying") == 2
    # Bytes had been handed on before the cut; the second read skipped them.
    assert re.search(r"bytes\.delivered=[1-9]", proc.stderr), proc.stderr
    assert "4 restored, 0 not restored" in proc.stdout
    assert_restored(out, originals)


def test_cloud_only_copies_are_restored_by_default(pybak, folders, moto, tmp_path):
    data = os.urandom(300_000)
    folders.write("only/in/the/cloud.bin", data)
    run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), *moto.flags(), "--no-keep-local-copy", env=moto.env(), check=0)
    assert folders.stored() == []
    out = tmp_path / "out"
    proc = run(pybak, "restore", "--dest", str(folders.dst), "--to", str(out), "--s3-endpoint", moto.endpoint, "--s3-path-style",
               env=moto.env(), check=0)
    assert f"from s3://{moto.bucket}/backups/only/in/the/cloud.bin_" in proc.stdout
    assert (out / "only/in/the/cloud.bin").read_bytes() == data


def test_s3_bucket_flag_reads_the_recorded_keys_from_a_replica(pybak, folders, moto, tmp_path):
    originals = back_up(pybak, folders, moto)
    drop_local_copies(folders)
    moto.s3.create_bucket(Bucket="replica")
    for key in list(moto.objects("team/")):
        moto.s3.copy_object(Bucket="replica", Key=key, CopySource={"Bucket": moto.bucket, "Key": key})
        moto.s3.delete_object(Bucket=moto.bucket, Key=key)
    out = tmp_path / "out"
    proc = run(pybak, "restore", "--dest", str(folders.dst), "--to", str(out), "--from", "s3", "--s3-bucket", "replica",
               "--s3-endpoint", moto.endpoint, "--s3-path-style", env=moto.env(), check=0)
    assert proc.stdout.count("from s3://replica/team/") == 4
    assert_restored(out, originals)
