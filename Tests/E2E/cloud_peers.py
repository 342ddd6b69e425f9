"""Real peers for the cloud tests, started and stopped by the tests on loopback:
moto's S3 server with SigV4 authentication ON (an IAM user with an access key and an s3:* policy)."""
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import boto3
import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, what: str, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on {port} within {timeout}s")


def stop_process(proc: subprocess.Popen, log) -> None:
    """Terminates a peer (killed after 10 s) and closes its log."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


class Moto:
    """One moto server with auth on; `bucket` exists, `key_id`/`secret` belong to an IAM user allowed s3:*."""

    def __init__(self, tmp: Path):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        exe = Path(sys.executable).with_name("moto_server")
        cmd = [str(exe) if exe.exists() else "moto_server", "-H", "127.0.0.1", "-p", str(self.port)]
        self.log = open(tmp / "moto.log", "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)
        wait_for_port(self.port, self.proc, "moto_server")
        admin = dict(endpoint_url=self.endpoint, region_name="us-east-1", aws_access_key_id="admin", aws_secret_access_key="admin")
        iam = boto3.client("iam", **admin)
        iam.create_user(UserName="pybak")
        policy = iam.create_policy(PolicyName="s3all", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
        iam.attach_user_policy(UserName="pybak", PolicyArn=policy["Policy"]["Arn"])
        key = iam.create_access_key(UserName="pybak")["AccessKey"]
        self.key_id, self.secret = key["AccessKeyId"], key["SecretAccessKey"]
        self.bucket = "pybak-test"
        boto3.client("s3", **admin).create_bucket(Bucket=self.bucket)
        # Authentication on from here: every request must be signed by a known key.
        req = urllib.request.Request(f"{self.endpoint}/moto-api/reset-auth", data=b"0", headers={"Content-Type": "text/plain"}, method="POST")
        urllib.request.urlopen(req).read()
        self.s3 = boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1",
                               aws_access_key_id=self.key_id, aws_secret_access_key=self.secret)

    def env(self, secret=None) -> dict:
        return {"AWS_ACCESS_KEY_ID": self.key_id, "AWS_SECRET_ACCESS_KEY": secret or self.secret,
                "HOME": os.environ.get("HOME", "/root")}

    def flags(self, prefix="backups") -> list:
        return ["--s3-bucket", self.bucket, "--s3-endpoint", self.endpoint, "--s3-path-style", "--s3-prefix", prefix]

    def objects(self, prefix="") -> dict:
        """key -> bytes of every object under prefix."""
        out = {}
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                out[item["Key"]] = self.s3.get_object(Bucket=self.bucket, Key=item["Key"])["Body"].read()
        return out

    def multipart_uploads(self) -> list:
        return self.s3.list_multipart_uploads(Bucket=self.bucket).get("Uploads", [])

    def stop(self):
        stop_process(self.proc, self.log)


@pytest.fixture
def moto(tmp_path):
    server = Moto(tmp_path)
    yield server
    server.stop()
