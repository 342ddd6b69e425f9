"""--format zip / tar.gz with a cloud target: the pass's one archive is uploaded as one object (moto with SigV4
auth on; gcp-storage-emulator), every member's upload is recorded, and restore / verify read members back from
the streamed object. Upload failures leave the pass partial and the next pass retries; sources and the local
archive stay until the object is up (--no-keep-local-copy)."""
import base64
import hashlib
import io
import os
import signal
import subprocess
import tarfile
import time
import zipfile

import pytest

from conftest import BINARY, run
from cloud_peers import free_port, moto  # noqa: F401  (fixture)
from fault_proxy import FaultProxy
from gcs_peers import gcs, token_server  # noqa: F401  (fixtures)
from test_postgres import pg, pg_base, psql  # noqa: F401  (fixtures)


def upload_rows(folders):
    with folders.catalog() as db:
        return db.execute("""SELECT f.source_path, f.destination_path, f.archive_member, u.object_key, u.state, u.etag, u.attempts,
                                    u.last_error, f.local_copy, f.disposition
                             FROM uploads u JOIN files f ON f.id = u.file_id ORDER BY f.source_path""").fetchall()


def write_tree(folders, big=7 << 20):
    """A few files, one of them random and large enough to push the archive past the multipart threshold."""
    payloads = {"docs/a.txt": b"alpha\n" * 20_000, "docs/b.txt": b"beta\n" * 3_000, "media/big.bin": os.urandom(big), "empty": b""}
    for i, (rel, data) in enumerate(payloads.items()):
        folders.write(rel, data, age=3600 + i * 60)
    return payloads


def members(fmt, data):
    """member name -> bytes, read by Python's own zipfile / tarfile."""
    if fmt == "zip":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            assert z.testzip() is None
            return {name: z.read(name) for name in z.namelist()}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as t:
        return {m.name: t.extractfile(m).read() for m in t.getmembers() if m.isfile()}


S3_ENV = {"PYBAK_S3_MULTIPART_THRESHOLD": "6Mi", "PYBAK_S3_PART_SIZE": "5Mi"}


@pytest.mark.parametrize("fmt", ["zip", "tar.gz"])
def test_the_pass_archive_is_one_s3_object_and_members_restore_and_verify_from_it(pybak, folders, moto, tmp_path, fmt):
    payloads = write_tree(folders)
    proc = run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), "--format", fmt, *moto.flags("team"),
               env=moto.env() | S3_ENV, check=0)
    assert "Uploaded (4 of 4)" in proc.stdout
    (archive,) = folders.stored()
    assert archive.name.endswith("." + fmt)
    rows = upload_rows(folders)
    assert sorted(r[0] for r in rows) == sorted(payloads)
    key = f"team/{archive.name}"
    # One object, shared by every member's row, equal byte for byte to the local archive; sent in parts.
    assert {r[3] for r in rows} == {key} and {r[4] for r in rows} == {"uploaded"} and len({r[5] for r in rows}) == 1
    assert rows[0][5].endswith("-2")
    assert moto.objects("team/") == {key: archive.read_bytes()}
    assert moto.multipart_uploads() == []
    assert members(fmt, moto.objects("team/")[key]) == payloads
    assert {r[8] for r in rows} == {"kept"}
    content_type = moto.s3.head_object(Bucket=moto.bucket, Key=key)["ContentType"]
    assert content_type == ("application/zip" if fmt == "zip" else "application/gzip")

    # The local archive goes; restore and verify read the members from the object.
    archive.unlink()
    s3 = ["--s3-endpoint", moto.endpoint, "--s3-path-style"]
    out = tmp_path / "out"
    proc = run(pybak, "restore", "--dest", str(folders.dst), "--to", str(out), "--from", "s3", *s3, env=moto.env(), check=0)
    assert "4 restored, 0 not restored" in proc.stdout and f"from s3://{moto.bucket}/{key}" in proc.stdout
    for rel, data in payloads.items():
        assert (out / rel).read_bytes() == data
    one = tmp_path / "one"
    proc = run(pybak, "restore", "--dest", str(folders.dst), "--to", str(one), "--path", "docs/b.txt", *s3, env=moto.env(), check=0)
    assert "1 restored" in proc.stdout and [p.name for p in one.rglob("*") if p.is_file()] == ["b.txt"]
    proc = run(pybak, "verify", "--dest", str(folders.dst), "--from", "s3", *s3, env=moto.env(), check=0)
    assert "4 copies checked: 4 ok (read from s3)" in proc.stdout

    # A flipped byte in the object is found by verify --from s3.
    body = bytearray(moto.objects("team/")[key])
    body[len(body) // 2] ^= 0x01
    moto.s3.put_object(Bucket=moto.bucket, Key=key, Body=bytes(body))
    proc = run(pybak, "verify", "--dest", str(folders.dst), "--from", "s3", *s3, env=moto.env(), check=3)
    assert "corrupt" in proc.stdout and f"s3://{moto.bucket}/{key} is corrupt" in proc.stdout


def test_an_encrypted_zip_is_uploaded_and_restored_from_s3(pybak, folders, moto, tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text(base64.b64encode(os.urandom(32)).decode())
    payloads = write_tree(folders, big=300_000)
    run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), "--format", "zip", "--key-file", str(key_file),
        *moto.flags(), env=moto.env(), check=0)
    (archive,) = folders.stored()
    assert archive.name.endswith(".zip.enc")
    assert moto.objects("backups/") == {f"backups/{archive.name}": archive.read_bytes()}
    assert moto.s3.head_object(Bucket=moto.bucket, Key=f"backups/{archive.name}")["ContentType"] == "application/octet-stream"
    archive.unlink()
    out = tmp_path / "out"
    proc = run(pybak, "restore", "--dest", str(folders.dst), "--to", str(out), "--s3-endpoint", moto.endpoint, "--s3-path-style",
               "--key-file", str(key_file), env=moto.env(), check=0)
    assert "4 restored, 0 not restored" in proc.stdout
    for rel, data in payloads.items():
        assert (out / rel).read_bytes() == data


def test_a_failed_archive_upload_keeps_sources_and_archive_then_the_next_pass_uploads_and_removes(pybak, folders, moto, tmp_path):
    payloads = write_tree(folders, big=200_000)
    down = f"http://127.0.0.1:{free_port()}"
    args = ["run", "--source", str(folders.src), "--dest", str(folders.dst), "--format", "tar.gz", "--s3-bucket", moto.bucket,
            "--s3-path-style", "--no-keep-local-copy"]
    proc = run(pybak, *args, "--s3-endpoint", down, env=moto.env(), check=3)
    assert "result    partial" in proc.stdout
    (archive,) = folders.stored()
    assert f"{archive.name} (the pass archive of 4 file(s)): upload to s3://{moto.bucket}/{archive.name} failed" in proc.stdout
    rows = upload_rows(folders)
    assert len(rows) == 4 and {r[4] for r in rows} == {"pending"} and {r[6] for r in rows} == {1} and {r[8] for r in rows} == {"drop"}
    # Nothing is lost: every source and the local archive stay while the object is not up.
    for rel, data in payloads.items():
        assert (folders.src / rel).read_bytes() == data
    assert members("tar.gz", archive.read_bytes()) == payloads
    assert moto.objects() == {}

    # The next pass uploads the archive first, then drops the local copy and the sources (unchanged since read).
    proc = run(pybak, *args, "--s3-endpoint", moto.endpoint, env=moto.env(), check=0)
    rows = upload_rows(folders)
    assert {r[4] for r in rows} == {"uploaded"} and {r[8] for r in rows} == {"removed"} and {r[9] for r in rows} == {"removed"}
    assert not archive.exists() and folders.stored() == []
    assert [p for p in folders.src.rglob("*") if p.is_file()] == []
    assert members("tar.gz", moto.objects()[archive.name]) == payloads
    with folders.catalog() as db:
        # No second archive: the re-read sources were duplicates of the stored members.
        assert db.execute("SELECT COUNT(DISTINCT destination_path) FROM files").fetchone()[0] == 1

    # Plain verify reads the copies kept only in the cloud from their object, and says so.
    s3 = ["--s3-endpoint", moto.endpoint, "--s3-path-style"]
    proc = run(pybak, "verify", "--dest", str(folders.dst), *s3, env=moto.env(), check=0)
    assert "4 copies checked: 4 ok (0 read from the destination, 4 from s3" in proc.stdout
    proc = run(pybak, "verify", "--dest", str(folders.dst), "--from", "local", check=3)
    assert "4 copies checked: 0 ok, 4 missing" in proc.stdout
    out = tmp_path / "out"
    run(pybak, "restore", "--dest", str(folders.dst), "--to", str(out), *s3, env=moto.env(), check=0)
    for rel, data in payloads.items():
        assert (out / rel).read_bytes() == data


def gcs_run(folders, gcs, key_file, *extra):
    return ["run", "--source", str(folders.src), "--dest", str(folders.dst), "--gcs-bucket", gcs.bucket, "--gcs-endpoint", gcs.endpoint,
            "--gcs-credentials-file", str(key_file), *extra]


def test_a_zip_goes_to_gcs_resumably_after_a_failed_first_attempt_and_restores(pybak, folders, gcs, token_server, tmp_path):
    payloads = write_tree(folders, big=(2 << 20) + 4321)
    key_file = token_server.key_file(tmp_path)
    env = {"PYBAK_GCS_MULTIPART_THRESHOLD": "1Mi", "PYBAK_GCS_CHUNK_SIZE": "512Ki"}
    # The token endpoint is down: the archive is kept, its members' uploads stay pending.
    proc = run(pybak, *gcs_run(folders, gcs, key_file, "--format", "zip", "--gcs-token-endpoint", "http://127.0.0.1:9/"), env=env, check=3)
    (archive,) = folders.stored()
    rows = upload_rows(folders)
    assert len(rows) == 4 and {r[4] for r in rows} == {"pending"} and gcs.names() == []
    assert "result    partial" in proc.stdout
    # Copy mode (the default keeps sources): the next pass uploads the pending archive and stores nothing new.
    folders_before = sorted(p.name for p in folders.dst.iterdir())
    proc = run(pybak, *gcs_run(folders, gcs, key_file, "--format", "zip"), env=env, check=0)
    rows = upload_rows(folders)
    name = archive.name  # no --gcs-prefix: the object is named like the archive
    assert {r[4] for r in rows} == {"uploaded"} and {r[3] for r in rows} == {name}
    assert sorted(p.name for p in folders.dst.iterdir()) == folders_before
    assert gcs.download(name) == archive.read_bytes()
    assert rows[0][5] == gcs.metadata(name)["generation"]
    assert gcs.metadata(name)["contentType"] == "application/zip"

    archive.unlink()
    out = tmp_path / "out"
    proc = run(pybak, "restore", "--dest", str(folders.dst), "--to", str(out), "--from", "gcs", "--gcs-endpoint", gcs.endpoint,
               "--gcs-credentials-file", str(key_file), check=0)
    assert "4 restored, 0 not restored" in proc.stdout and f"from gs://{gcs.bucket}/{name}" in proc.stdout
    for rel, data in payloads.items():
        assert hashlib.sha256((out / rel).read_bytes()).digest() == hashlib.sha256(data).digest()
    proc = run(pybak, "verify", "--dest", str(folders.dst), "--from", "gcs", "--gcs-endpoint", gcs.endpoint, "--gcs-credentials-file",
               str(key_file), check=0)
    assert "4 copies checked: 4 ok (read from gcs)" in proc.stdout


def test_a_pass_killed_while_uploading_its_archive_loses_nothing_and_the_next_pass_finishes(pybak, folders, moto):
    """SIGKILL in the middle of the archive's multipart upload (moto behind a slow proxy), cloud only: every source
    and the local archive stay; the next pass uploads the archive, then removes the local copy and the sources."""
    payloads = write_tree(folders, big=12 << 20)
    proxy = FaultProxy(moto.port, delay=0.4)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYBAK_")} | moto.env() | S3_ENV
    args = ["run", "--source", str(folders.src), "--dest", str(folders.dst), "--format", "zip", "--s3-bucket", moto.bucket,
            "--s3-path-style", "--no-keep-local-copy"]
    try:
        proc = subprocess.Popen([str(BINARY), *args, "--s3-endpoint", proxy.endpoint], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while proxy.seen < 2 and proc.poll() is None and time.monotonic() < deadline:  # multipart created, first part sent
            time.sleep(0.05)
        assert proc.poll() is None, "the pass ended before it could be killed mid-upload"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        proxy.stop()
    (archive,) = folders.stored()
    rows = upload_rows(folders)
    assert len(rows) == 4 and {r[4] for r in rows} == {"pending"} and {r[8] for r in rows} == {"drop"}
    for rel, data in payloads.items():
        assert (folders.src / rel).read_bytes() == data
    assert members("zip", archive.read_bytes()) == payloads
    assert archive.name not in moto.objects()

    run(pybak, *args, "--s3-endpoint", moto.endpoint, env=moto.env() | S3_ENV, check=0)
    rows = upload_rows(folders)
    assert {r[4] for r in rows} == {"uploaded"} and {r[8] for r in rows} == {"removed"}
    assert folders.stored() == [] and [p for p in folders.src.rglob("*") if p.is_file()] == []
    assert members("zip", moto.objects()[archive.name]) == payloads


def test_a_cloud_only_archive_with_the_postgresql_catalog(pybak, folders, moto, pg, tmp_path):
    """The same ledger on a real PostgreSQL server: members recorded uploaded together, local archive and sources
    removed, plain verify and restore read the object."""
    payloads = write_tree(folders, big=100_000)
    db = ["--database", pg]
    run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), "--format", "tar.gz", *db, *moto.flags("pg"),
        "--no-keep-local-copy", env=moto.env(), check=0)
    rows = psql(pg, "SELECT f.archive_member, u.object_key, u.state, f.local_copy, f.disposition FROM uploads u JOIN files f ON f.id = u.file_id")
    assert sorted(r[0] for r in rows) == sorted(payloads)
    (key,) = {r[1] for r in rows}
    assert {r[2:] for r in rows} == {("uploaded", "removed", "removed")}
    assert folders.stored() == [] and [p for p in folders.src.rglob("*") if p.is_file()] == []
    assert members("tar.gz", moto.objects()[key]) == payloads
    s3 = ["--s3-endpoint", moto.endpoint, "--s3-path-style"]
    proc = run(pybak, "verify", "--dest", str(folders.dst), *db, *s3, env=moto.env(), check=0)
    assert "4 copies checked: 4 ok (0 read from the destination, 4 from s3" in proc.stdout
    out = tmp_path / "out"
    run(pybak, "restore", "--dest", str(folders.dst), "--to", str(out), *db, *s3, env=moto.env(), check=0)
    for rel, data in payloads.items():
        assert (out / rel).read_bytes() == data
