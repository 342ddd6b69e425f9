"""Uploads to Google Cloud Storage's JSON API (gcp-storage-emulator), read back and compared byte for byte;
tokens minted at a local endpoint that verifies the service account's JWT (PyJWT, the account's public key)."""
import gzip
import os

from conftest import run
from gcs_peers import CutProxy, gcs, rsa_key, token_server  # noqa: F401  (fixtures)


def upload_rows(folders):
    with folders.catalog() as db:
        return db.execute("""SELECT f.source_path, f.destination_path, u.state, u.url, u.etag, u.attempts, u.last_error, f.local_copy
                             FROM uploads u JOIN files f ON f.id = u.file_id ORDER BY f.source_path""").fetchall()


def gcs_args(folders, endpoint, key_file, prefix="backups", *extra):
    return ["run", "--source", str(folders.src), "--dest", str(folders.dst), "--gcs-bucket", "pybak-test",
            "--gcs-endpoint", endpoint, "--gcs-prefix", prefix, "--gcs-credentials-file", str(key_file), *extra]


def test_multipart_and_resumable_uploads_read_back_byte_for_byte(pybak, folders, gcs, token_server, tmp_path):
    small = folders.write("docs/note.txt", b"hello gcs\n" * 100)
    big = folders.write("media/big.bin", os.urandom(3 << 20))  # above the 1 MiB threshold: resumable, 256 KiB chunks
    originals = {"docs/note.txt": small.read_bytes(), "media/big.bin": big.read_bytes()}
    env = {"PYBAK_GCS_MULTIPART_THRESHOLD": "1Mi", "PYBAK_GCS_CHUNK_SIZE": "256Ki"}
    proc = run(pybak, *gcs_args(folders, gcs.endpoint, token_server.key_file(tmp_path), "team/a"), env=env, check=0)
    assert "Uploaded (2 of 2)" in proc.stdout
    objects = gcs.objects("team/a/")
    rows = upload_rows(folders)
    assert len(rows) == 2 and all(r[2] == "uploaded" for r in rows)
    for source, destination, state, url, etag, attempts, error, local_copy in rows:
        name = f"team/a/{destination}"
        assert url == f"gs://pybak-test/{name}"
        assert objects[name] == (folders.dst / destination).read_bytes(), f"{name} differs from the stored copy"
        assert gzip.decompress(objects[name]) == originals[source]
        meta = gcs.metadata(name)
        assert etag == meta["generation"] and meta["contentType"] == "application/gzip"
        assert local_copy == "kept"
    # One token for the whole pass (cached), minted from a JWT that verified with the account's public key.
    assert token_server.minted == 1 and token_server.refused == []


def test_a_dropped_resumable_chunk_is_resumed_from_the_stored_offset(pybak, folders, gcs, token_server, tmp_path):
    data = os.urandom((2 << 20) + 12345)
    folders.write("big.bin", data)
    proxy = CutProxy(gcs.port, cut_chunk=3)
    try:
        env = {"PYBAK_GCS_MULTIPART_THRESHOLD": "1Mi", "PYBAK_GCS_CHUNK_SIZE": "512Ki"}
        proc = run(pybak, *gcs_args(folders, proxy.endpoint, token_server.key_file(tmp_path)), "--log-level", "info", env=env, check=0)
    finally:
        proxy.stop()
    assert proxy.cut == 1 and proxy.status_queries >= 1
    assert "resumable upload resumed" in proc.stderr and "upload.offset=1048576" in proc.stderr
    (row,) = upload_rows(folders)
    assert row[2] == "uploaded" and row[5] == 0
    stored = (folders.dst / row[1]).read_bytes()
    assert gcs.download(f"backups/{row[1]}") == stored
    assert gzip.decompress(stored) == data


def test_a_key_the_token_endpoint_does_not_know_is_refused_then_the_right_key_uploads(pybak, folders, gcs, token_server, tmp_path):
    folders.write("a.txt", b"alpha\n")
    wrong = tmp_path / "wrong"
    wrong.mkdir()
    proc = run(pybak, *gcs_args(folders, gcs.endpoint, token_server.key_file(wrong, key=rsa_key())), check=3)
    assert "result    partial" in proc.stdout
    assert f"token endpoint {token_server.url}" in proc.stdout and "invalid_grant" in proc.stdout and "Invalid JWT Signature" in proc.stdout
    assert token_server.minted == 0 and len(token_server.refused) >= 1 and "Signature verification failed" in token_server.refused[0]
    (row,) = upload_rows(folders)
    assert row[2] == "pending" and row[5] == 1 and "invalid_grant" in row[6]
    assert gcs.names() == []
    run(pybak, *gcs_args(folders, gcs.endpoint, token_server.key_file(tmp_path)), check=0)
    (row,) = upload_rows(folders)
    assert row[2] == "uploaded"
    assert gcs.objects() == {f"backups/{row[1]}": (folders.dst / row[1]).read_bytes()}


def test_a_malformed_key_file_names_the_file_and_field(pybak, folders, gcs, tmp_path):
    folders.write("a.txt", b"alpha\n")
    key = tmp_path / "sa.json"
    key.write_text('{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----\\n"}')
    proc = run(pybak, *gcs_args(folders, gcs.endpoint, key), check=2)
    assert f"{key}: field client_email is missing" in proc.stderr
    key.write_text('{"client_email": "x@y", "private_key": "-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----\\n"}')
    proc = run(pybak, *gcs_args(folders, gcs.endpoint, key), check=2)
    assert f"{key}: field private_key cannot be read as a PEM private key" in proc.stderr
    proc = run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), "--gcs-bucket", "b", check=2)
    assert "needs a service-account JSON key" in proc.stderr
    # Nothing was moved while the settings were unusable.
    assert (folders.src / "a.txt").exists()


def test_cloud_only_removes_source_and_local_copy_after_the_gcs_upload(pybak, folders, gcs, token_server, tmp_path):
    data = os.urandom(4000)
    folders.write("keep/me.bin", data)
    env = {"GOOGLE_APPLICATION_CREDENTIALS": str(token_server.key_file(tmp_path))}
    args = ["run", "--source", str(folders.src), "--dest", str(folders.dst), "--gcs-bucket", "pybak-test", "--no-keep-local-copy"]
    token_server_down = "http://127.0.0.1:9/"
    run(pybak, *args, "--gcs-endpoint", gcs.endpoint, "--gcs-token-endpoint", token_server_down, env=env, check=3)
    (row,) = upload_rows(folders)
    assert row[2] == "pending" and row[7] == "drop"
    assert (folders.src / "keep/me.bin").read_bytes() == data and (folders.dst / row[1]).exists()
    run(pybak, *args, "--gcs-endpoint", gcs.endpoint, env=env, check=0)
    (row,) = upload_rows(folders)
    assert row[2] == "uploaded" and row[7] == "removed"
    assert not (folders.src / "keep/me.bin").exists() and not (folders.dst / row[1]).exists()
    assert gzip.decompress(gcs.download(row[1])) == data


def test_restore_from_gcs_is_byte_identical(pybak, folders, gcs, token_server, tmp_path):
    originals = {"docs/note.txt": b"hello gcs\n" * 100, "media/big.bin": os.urandom((1 << 20) + 777)}
    for rel, data in originals.items():
        folders.write(rel, data)
    key_file = token_server.key_file(tmp_path)
    env = {"PYBAK_GCS_MULTIPART_THRESHOLD": "512Ki", "PYBAK_GCS_CHUNK_SIZE": "256Ki"}
    run(pybak, *gcs_args(folders, gcs.endpoint, key_file, "team"), env=env, check=0)
    for row in upload_rows(folders):
        (folders.dst / row[1]).unlink()
    out = tmp_path / "out"
    proc = run(pybak, "restore", "--dest", str(folders.dst), "--to", str(out), "--from", "gcs", "--gcs-endpoint", gcs.endpoint,
               "--gcs-credentials-file", str(key_file), check=0)
    assert "from gs://pybak-test/team/" in proc.stdout
    for rel, data in originals.items():
        assert (out / rel).read_bytes() == data
