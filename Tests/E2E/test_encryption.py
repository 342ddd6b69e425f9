"""Encrypted copies against an independent implementation: Google's Tink (PyPI `tink`) reads what
`pybak run --encrypt` writes, `pybak decrypt` reads what Tink writes, and tampered files are rejected
by both. Python `cryptography` checks the scrypt derivation of passphrase keys."""
import base64
import gzip
import json
import os
import subprocess

import pytest
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

import tinkpeer
from conftest import run

SEG = tinkpeer.SEGMENT


def keygen(pybak, path):
    proc = run(pybak, "keygen", check=0)
    text = proc.stdout.strip()
    raw = base64.b64decode(text, validate=True)
    assert len(raw) == 32
    assert f"key id {tinkpeer.key_id(raw)}" in proc.stderr
    path.write_text(text + "\n")
    return raw


def encrypted_pass(pybak, folders, key_file, payloads):
    for rel, data in payloads.items():
        folders.write(rel, data)
    run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), "--key-file", str(key_file), check=0)
    with folders.catalog() as db:
        return {r[0]: (folders.dst / r[1], r[2], r[3]) for r in db.execute("SELECT source_path, destination_path, sha256, key_id FROM files")}


def test_tink_decrypts_what_pybak_encrypts(pybak, folders, tmp_path):
    raw = keygen(pybak, tmp_path / "key")
    payloads = {
        "app.log": b"".join(b"2026-11-27 INFO request %d served\n" % i for i in range(200_000)),  # several segments
        "random.bin": os.urandom(3 * SEG + 123),  # incompressible: 4 segments
        "empty.txt": b"",
        "sub/tiny.csv": b"a,b\n",
    }
    rows = encrypted_pass(pybak, folders, tmp_path / "key", payloads)
    for rel, data in payloads.items():
        copy, sha, kid = rows[rel]
        assert copy.name.endswith(".gz.enc") and kid == tinkpeer.key_id(raw)
        blob = copy.read_bytes()
        assert blob[0] == 40
        plain = tinkpeer.decrypt(raw, blob)
        assert gzip.decompress(plain) == data
        assert subprocess.run(["gzip", "-t"], input=plain).returncode == 0


def test_pybak_decrypts_what_tink_encrypts(pybak, tmp_path):
    raw = os.urandom(32)
    (tmp_path / "key").write_bytes(raw)  # raw 32-byte key file
    for size in [0, 1, SEG - 56, SEG - 55, 2 * SEG + 999]:
        plain = os.urandom(size)
        enc = tmp_path / f"t{size}.enc"
        enc.write_bytes(tinkpeer.encrypt(raw, plain))
        out = tmp_path / f"t{size}.out"
        run(pybak, "decrypt", "--key-file", str(tmp_path / "key"), "-o", str(out), str(enc), check=0)
        assert out.read_bytes() == plain


def test_restore_reads_a_copy_encrypted_by_tink(pybak, folders, tmp_path):
    raw = keygen(pybak, tmp_path / "key")
    data = b"tink wrote this copy\n" * 100_000
    rows = encrypted_pass(pybak, folders, tmp_path / "key", {"doc.txt": data})
    copy, _, _ = rows["doc.txt"]
    copy.write_bytes(tinkpeer.encrypt(raw, gzip.compress(data)))  # same content, Tink's own encryption
    run(pybak, "restore", "--dest", str(folders.dst), "--to", str(tmp_path / "out"), "--key-file", str(tmp_path / "key"), check=0)
    assert (tmp_path / "out" / "doc.txt").read_bytes() == data


def tampered(blob: bytes):
    yield "flipped bit", blob[:SEG + 500] + bytes([blob[SEG + 500] ^ 1]) + blob[SEG + 501:]
    yield "dropped last segment", blob[: 2 * SEG]
    yield "swapped segments", blob[:SEG] + blob[2 * SEG : 3 * SEG] + blob[SEG : 2 * SEG] + blob[3 * SEG :]
    yield "truncated file", blob[: SEG + 1000]
    yield "truncated header", blob[:20]


@pytest.mark.parametrize("case", ["flipped bit", "dropped last segment", "swapped segments", "truncated file", "truncated header"])
def test_tampered_files_are_rejected_by_pybak_and_tink(pybak, tmp_path, case):
    raw = os.urandom(32)
    (tmp_path / "key").write_text(base64.b64encode(raw).decode())
    blob = tinkpeer.encrypt(raw, os.urandom(3 * SEG + 777))
    bad = dict(tampered(blob))[case]
    (tmp_path / "bad.enc").write_bytes(bad)
    proc = run(pybak, "decrypt", "--key-file", str(tmp_path / "key"), "-o", str(tmp_path / "out"), str(tmp_path / "bad.enc"))
    assert proc.returncode == 1, proc.stderr
    assert "bad.enc" in proc.stderr and ("truncated" in proc.stderr or "does not authenticate" in proc.stderr or "modified" in proc.stderr)
    assert not (tmp_path / "out").exists()
    with pytest.raises(Exception):
        tinkpeer.decrypt(raw, bad)


def test_wrong_key_is_rejected_with_a_clear_error(pybak, tmp_path):
    raw = os.urandom(32)
    (tmp_path / "other").write_text(base64.b64encode(os.urandom(32)).decode())
    (tmp_path / "x.enc").write_bytes(tinkpeer.encrypt(raw, b"secret" * 1000))
    proc = run(pybak, "decrypt", "--key-file", str(tmp_path / "other"), "-o", str(tmp_path / "out"), str(tmp_path / "x.enc"))
    assert proc.returncode == 1 and "key is wrong" in proc.stderr
    with pytest.raises(Exception):
        tinkpeer.decrypt(os.urandom(32), (tmp_path / "x.enc").read_bytes())


def test_key_from_environment_and_bad_keys(pybak, folders, tmp_path):
    raw = os.urandom(32)
    folders.write("a.txt", b"hello")
    env = {"PYBAK_ENCRYPTION_KEY": base64.b64encode(raw).decode()}
    run(pybak, "run", "--encrypt", "--source", str(folders.src), "--dest", str(folders.dst), env=env, check=0)
    (copy,) = folders.stored()
    assert gzip.decompress(tinkpeer.decrypt(raw, copy.read_bytes())) == b"hello"
    folders.write("b.txt", b"again")
    proc = run(pybak, "run", "--encrypt", "--source", str(folders.src), "--dest", str(folders.dst))
    assert proc.returncode == 2 and "no key is given" in proc.stderr and "pybak keygen" in proc.stderr
    (tmp_path / "short").write_text(base64.b64encode(os.urandom(16)).decode())
    proc = run(pybak, "run", "--key-file", str(tmp_path / "short"), "--source", str(folders.src), "--dest", str(folders.dst))
    assert proc.returncode == 2 and "16 bytes" in proc.stderr and str(tmp_path / "short") in proc.stderr
    assert (folders.src / "b.txt").exists()


def test_passphrase_is_stretched_with_scrypt_and_salt_is_stored(pybak, folders, tmp_path):
    (tmp_path / "pass").write_text("correct horse battery staple\n")
    folders.write("p.txt", b"passphrase protected" * 100)
    run(pybak, "run", "--passphrase-file", str(tmp_path / "pass"), "--source", str(folders.src), "--dest", str(folders.dst), check=0)
    params = json.loads((folders.dst / ".pybak" / "passphrase.json").read_text())
    assert params["kdf"] == "scrypt"
    key = Scrypt(salt=base64.b64decode(params["salt"]), length=32, n=params["N"], r=params["r"], p=params["p"]).derive(
        b"correct horse battery staple"
    )
    assert params["keyId"] == tinkpeer.key_id(key)
    (copy,) = folders.stored()
    assert gzip.decompress(tinkpeer.decrypt(key, copy.read_bytes())) == b"passphrase protected" * 100
    # The same passphrase restores; another one is refused by name.
    run(pybak, "restore", "--dest", str(folders.dst), "--to", str(tmp_path / "out"), "--passphrase-file", str(tmp_path / "pass"), check=0)
    assert (tmp_path / "out" / "p.txt").read_bytes() == b"passphrase protected" * 100
    (tmp_path / "wrong").write_text("Tr0ub4dor&3\n")
    proc = run(pybak, "restore", "--dest", str(folders.dst), "--to", str(tmp_path / "out2"), "--passphrase-file", str(tmp_path / "wrong"))
    assert proc.returncode == 2 and "not the one this destination" in proc.stderr


def test_policy_file_key_and_secret_ref(pybak, folders, tmp_path):
    raw = os.urandom(32)
    (tmp_path / "key").write_text(base64.b64encode(raw).decode())
    folders.write("f.txt", b"from a policy")
    policy = tmp_path / "p.yaml"
    policy.write_text(
        f"apiVersion: pybak.io/v1alpha1\nkind: BackupPolicy\nmetadata: {{name: enc}}\nspec:\n"
        f"  source: {{path: {folders.src}}}\n  destination: {{path: {folders.dst}}}\n  encryption: {{keyFile: {tmp_path / 'key'}}}\n"
    )
    run(pybak, "run", "-f", str(policy), check=0)
    (copy,) = folders.stored()
    assert copy.name.endswith(".gz.enc")
    assert gzip.decompress(tinkpeer.decrypt(raw, copy.read_bytes())) == b"from a policy"
    policy.write_text(policy.read_text().replace(f"{{keyFile: {tmp_path / 'key'}}}", "{keySecretRef: {name: k, key: key}}"))
    folders.write("g.txt", b"more")
    proc = run(pybak, "run", "-f", str(policy))
    assert proc.returncode == 2 and "keySecretRef" in proc.stderr and "PYBAK_ENCRYPTION_KEY" in proc.stderr
    run(pybak, "run", "-f", str(policy), env={"PYBAK_ENCRYPTION_KEY": base64.b64encode(raw).decode()}, check=0)
