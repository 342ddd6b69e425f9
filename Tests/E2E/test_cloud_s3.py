"""Uploads to a real S3 server (moto, SigV4 authentication on), read back with boto3."""
import gzip
import os
import time

from conftest import run
from cloud_peers import free_port, moto  # noqa: F401  (fixture)
from fault_proxy import FaultProxy


def upload_rows(folders):
    with folders.catalog() as db:
        return db.execute("""SELECT f.source_path, f.destination_path, u.state, u.url, u.etag, u.attempts, u.last_error, f.local_copy
                             FROM uploads u JOIN files f ON f.id = u.file_id ORDER BY f.source_path""").fetchall()


def test_every_stored_copy_is_uploaded_and_reads_back_byte_for_byte(pybak, folders, moto):
    small = folders.write("docs/note.txt", b"hello cloud\n" * 100)
    big = folders.write("media/big.bin", os.urandom(11 << 20))  # stored copy above the 6 MiB threshold: multipart
    originals = {"docs/note.txt": small.read_bytes(), "media/big.bin": big.read_bytes()}
    env = moto.env() | {"PYBAK_S3_MULTIPART_THRESHOLD": "6Mi", "PYBAK_S3_PART_SIZE": "5Mi"}
    proc = run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), *moto.flags("team/a"), env=env, check=0)
    assert "Uploaded (2 of 2)" in proc.stdout
    objects = moto.objects("team/a/")
    rows = upload_rows(folders)
    assert len(rows) == 2 and all(r[2] == "uploaded" for r in rows)
    for source, destination, state, url, etag, attempts, error, local_copy in rows:
        key = f"team/a/{destination}"
        assert url == f"s3://{moto.bucket}/{key}"
        local = (folders.dst / destination).read_bytes()
        assert objects[key] == local, f"{key} differs from the stored copy"
        assert gzip.decompress(objects[key]) == originals[source]
        head = moto.s3.head_object(Bucket=moto.bucket, Key=key)
        assert head["ETag"].strip('"') == etag
        assert local_copy == "kept"
    # The big file went up in parts (ETag "<md5>-<parts>"), and no multipart upload was left open.
    assert [r[4] for r in rows if r[0] == "media/big.bin"][0].endswith("-3")
    assert moto.multipart_uploads() == []


def test_wrong_secret_is_refused_403_then_the_next_pass_uploads(pybak, folders, moto):
    folders.write("a.txt", b"alpha\n")
    args = ["run", "--source", str(folders.src), "--dest", str(folders.dst), *moto.flags()]
    proc = run(pybak, *args, env=moto.env(secret="not-the-secret"), check=3)
    assert "SignatureDoesNotMatch" in proc.stdout and "HTTP 403" in proc.stdout
    assert "check AWS_SECRET_ACCESS_KEY" in proc.stdout
    assert "SignatureDoesNotMatch" in (folders.dst / ".pybak" / "pybak.log").read_text()
    assert moto.objects() == {}
    (row,) = upload_rows(folders)
    assert row[2] == "pending" and row[5] == 1 and "SignatureDoesNotMatch" in row[6]
    # The local copy is safe; the source went as in any local pass.
    assert (folders.dst / row[1]).exists() and not (folders.src / "a.txt").exists()

    proc = run(pybak, *args, env=moto.env(), check=0)
    (row,) = upload_rows(folders)
    assert row[2] == "uploaded"
    assert moto.objects() == {f"backups/{row[1]}": (folders.dst / row[1]).read_bytes()}


def test_endpoint_down_makes_the_pass_partial_and_the_next_pass_retries(pybak, folders, moto):
    for i in range(3):
        folders.write(f"f{i}.txt", f"file {i}\n".encode() * 50)
    down = f"http://127.0.0.1:{free_port()}"
    args = ["run", "--source", str(folders.src), "--dest", str(folders.dst), "--s3-bucket", moto.bucket, "--s3-path-style"]
    started = time.monotonic()
    proc = run(pybak, *args, "--s3-endpoint", down, env=moto.env(), check=3)
    assert time.monotonic() - started < 60
    assert "result    partial" in proc.stdout
    assert "Could not connect" in proc.stdout or "Connection refused" in proc.stdout or "Couldn't connect" in proc.stdout
    assert all(r[2] == "pending" for r in upload_rows(folders)) and len(upload_rows(folders)) == 3

    run(pybak, *args, "--s3-endpoint", moto.endpoint, env=moto.env(), check=0)
    rows = upload_rows(folders)
    assert all(r[2] == "uploaded" for r in rows)
    assert sorted(moto.objects()) == sorted(r[1] for r in rows)


def test_cloud_only_removes_source_and_local_copy_only_after_the_upload(pybak, folders, moto):
    data = os.urandom(4000)
    folders.write("keep/me.bin", data)
    down = f"http://127.0.0.1:{free_port()}"
    args = ["run", "--source", str(folders.src), "--dest", str(folders.dst), "--s3-bucket", moto.bucket, "--s3-path-style", "--no-keep-local-copy"]
    run(pybak, *args, "--s3-endpoint", down, env=moto.env(), check=3)
    (row,) = upload_rows(folders)
    # Upload failed: both the source and the local copy stay.
    assert row[2] == "pending" and row[7] == "drop"
    assert (folders.src / "keep/me.bin").read_bytes() == data
    assert (folders.dst / row[1]).exists()

    run(pybak, *args, "--s3-endpoint", moto.endpoint, env=moto.env(), check=0)
    (row,) = upload_rows(folders)
    assert row[2] == "uploaded" and row[7] == "removed"
    assert not (folders.src / "keep/me.bin").exists()
    assert not (folders.dst / row[1]).exists()
    assert gzip.decompress(moto.objects()[row[1]]) == data
    with folders.catalog() as db:
        assert db.execute("SELECT disposition FROM files").fetchone()[0] == "removed"


def test_503_then_success_is_retried_within_the_pass(pybak, folders, moto):
    folders.write("x.txt", b"x" * 1000)
    proxy = FaultProxy(moto.port, fail_first=2)
    try:
        proc = run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), "--s3-bucket", moto.bucket,
                   "--s3-path-style", "--s3-endpoint", proxy.endpoint, "--log-level", "warning", env=moto.env(), check=0)
    finally:
        proxy.stop()
    assert proxy.failed == 2 and proxy.seen >= 3
    assert "retrying" in proc.stderr and "SlowDown" in proc.stderr
    (row,) = upload_rows(folders)
    assert row[2] == "uploaded"
    assert moto.objects()[row[1]] == (folders.dst / row[1]).read_bytes()


def test_a_slow_server_hits_the_timeout(pybak, folders, moto):
    folders.write("slow.txt", b"s" * 1000)
    proxy = FaultProxy(moto.port, delay=8)
    try:
        started = time.monotonic()
        proc = run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), "--s3-bucket", moto.bucket,
                   "--s3-path-style", "--s3-endpoint", proxy.endpoint, env=moto.env() | {"PYBAK_S3_TIMEOUT": "1s"}, check=3)
        elapsed = time.monotonic() - started
    finally:
        proxy.stop()
    assert "timed out" in proc.stdout.lower() or "timeout" in proc.stdout.lower()
    # 4 attempts of 1 s each plus backoff, well under the proxy's delays summed.
    assert elapsed < 30
    (row,) = upload_rows(folders)
    assert row[2] == "pending"
