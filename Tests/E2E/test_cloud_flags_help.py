"""Each command's --help lists only the cloud flags it honours: upload-only flags (bucket for uploads, prefix,
storage class, --keep-local-copy) are on run and daemon, not on restore and verify, which read bucket and key
from the catalog."""
import pytest

from conftest import run

UPLOAD_ONLY = ["--keep-local-copy", "--s3-storage-class", "--s3-prefix", "--gcs-prefix", "--gcs-bucket"]
CONNECTION = ["--s3-endpoint", "--s3-region", "--s3-path-style", "--s3-credentials-dir", "--gcs-endpoint", "--gcs-credentials-file",
              "--gcs-token-endpoint"]


@pytest.mark.parametrize("command", ["restore", "verify"])
def test_reading_commands_do_not_offer_upload_only_flags(pybak, command):
    text = run(pybak, command, "--help", check=0).stdout
    for flag in UPLOAD_ONLY:
        assert flag not in text, f"{command} --help lists {flag}, which it ignores"
    for flag in CONNECTION + ["--from", "--s3-bucket"]:
        assert flag in text, f"{command} --help lacks {flag}"
    assert "replica" in text  # --s3-bucket means: read the recorded keys from another bucket
    extra = ["--to", "/nonexistent-out"] if command == "restore" else []
    proc = run(pybak, command, "--dest", "/nonexistent", *extra, "--s3-prefix", "x")
    assert proc.returncode != 0 and "Unknown option '--s3-prefix'" in proc.stderr


@pytest.mark.parametrize("command", ["run", "daemon"])
def test_uploading_commands_still_offer_every_cloud_flag(pybak, command):
    text = run(pybak, command, "--help", check=0).stdout
    for flag in UPLOAD_ONLY + CONNECTION + ["--s3-bucket"]:
        assert flag in text, f"{command} --help lacks {flag}"
