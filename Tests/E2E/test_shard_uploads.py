"""Shards of one run share a PostgreSQL catalog and so see each other's pending uploads: each shard retries only
the uploads of its own files (FNV-1a 64 of the relative path modulo the number of workers, as the pass's file
sharding), so two Pods never upload (or drop) the same object at once. Peers: PostgreSQL, moto."""
import gzip
import json
import os

from cloud_peers import free_port, moto  # noqa: F401  (fixture)
from conftest import run
from test_postgres import fresh_schema, pg_base, psql  # noqa: F401  (fixtures)


def fnv1a64(text: str) -> int:
    h = 0xcbf29ce484222325
    for byte in text.encode():
        h = ((h ^ byte) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def upload_states(url):
    return {r[0]: r[1] for r in psql(url, "SELECT f.source_path, u.state FROM uploads u JOIN files f ON f.id = u.file_id WHERE f.policy = 'n/p'")}


def test_each_shard_retries_only_the_uploads_of_its_own_files(pybak, folders, moto, pg_base):
    url = fresh_schema(pg_base)
    data = {f"f{i:02}.csv": f"row,{i}\n".encode() * (200 + i) for i in range(16)}
    for rel, body in data.items():
        folders.write(rel, body)
    owner = {rel: fnv1a64(rel) % 2 for rel in data}
    assert set(owner.values()) == {0, 1}
    policy = json.dumps({"apiVersion": "pybak.io/v1alpha1", "kind": "BackupPolicy", "metadata": {"name": "p", "namespace": "n"},
                         "spec": {"source": {"include": ["*.csv"], "minAge": "0s"}}})
    down = f"http://127.0.0.1:{free_port()}"

    def worker(index, endpoint, check):
        env = moto.env() | {"PYBAK_POLICY_JSON": policy, "PYBAK_POLICY": "n/p", "PYBAK_DATABASE_URL": url,
                            "PYBAK_WORKERS": "2", "JOB_COMPLETION_INDEX": str(index)}
        return run(pybak, "worker", "--source", str(folders.src), "--dest", str(folders.dst), "--s3-bucket", moto.bucket,
                   "--s3-path-style", "--s3-endpoint", endpoint, env=env, check=check)

    # Both shards store their files while the store is down: every upload stays pending in the shared catalog.
    worker(0, down, 3)
    worker(1, down, 3)
    assert upload_states(url) == {rel: "pending" for rel in data}

    # Shard 0 alone, store up: it uploads its own files only; shard 1's stay pending for shard 1.
    worker(0, moto.endpoint, 0)
    states = upload_states(url)
    assert states == {rel: ("uploaded" if owner[rel] == 0 else "pending") for rel in data}
    stored = {r[0]: r[1] for r in psql(url, "SELECT source_path, destination_path FROM files WHERE policy = 'n/p'")}
    assert set(moto.objects()) == {stored[rel] for rel in data if owner[rel] == 0}

    worker(1, moto.endpoint, 0)
    assert upload_states(url) == {rel: "uploaded" for rel in data}
    objects = moto.objects()
    assert {rel: gzip.decompress(objects[stored[rel]]) for rel in data} == data
    attempts = psql(url, "SELECT max(u.attempts) FROM uploads u JOIN files f ON f.id = u.file_id WHERE f.policy = 'n/p'")
    assert int(attempts[0][0]) <= 1  # no shard tried the other's uploads (a failed try counts one attempt)
