"""Report e-mail through a real SMTP server (aiosmtpd: STARTTLS required, AUTH, self-signed certificate)."""
import email
import email.policy
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run
from cloud_peers import free_port, wait_for_port

HERE = Path(__file__).resolve().parent


class SMTPPeer:
    def __init__(self, tmp: Path):
        self.port = free_port()
        self.cert, self.key = tmp / "cert.pem", tmp / "key.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(self.key), "-out", str(self.cert)],
                       check=True, capture_output=True)
        self.inbox = tmp / "inbox"
        self.password = "app-password-123"
        self.password_file = tmp / "smtp-password"
        self.password_file.write_text(self.password + "\n")
        self.proc = subprocess.Popen([sys.executable, str(HERE / "smtp_peer.py"), str(self.port), str(self.cert), str(self.key),
                                      str(self.inbox), self.password], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        wait_for_port(self.port, self.proc, "aiosmtpd")

    def flags(self, *extra, when=None, password_file=None):
        args = ["--smtp-url", f"smtp://127.0.0.1:{self.port}", "--smtp-user", "reporter",
                "--smtp-password-file", str(password_file or self.password_file), "--smtp-ca-file", str(self.cert),
                "--email-from", "pybak@example.com", "--email-to", "ops@example.com", "--email-to", "lead@example.com", *extra]
        return args + (["--email-when", when] if when else [])

    def messages(self):
        out = []
        for path in sorted(self.inbox.glob("*.eml"), key=lambda p: int(p.stem)):
            envelope = json.loads(path.with_suffix(".json").read_text())
            out.append((envelope, email.message_from_bytes(path.read_bytes(), policy=email.policy.default)))
        return out

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


@pytest.fixture
def smtp(tmp_path):
    peer = SMTPPeer(tmp_path)
    yield peer
    peer.stop()


def test_report_is_mailed_with_text_and_html_parts(pybak, folders, smtp):
    folders.write("reports/q1.csv", b"a,b\n1,2\n" * 100)
    folders.write("notes.txt", b"x")
    proc = run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), *smtp.flags(), check=0)
    assert "email     sent to ops@example.com, lead@example.com" in proc.stdout
    ((envelope, msg),) = smtp.messages()
    assert envelope["tls"] is True
    assert envelope["mail_from"] == "pybak@example.com"
    assert envelope["rcpt_tos"] == ["ops@example.com", "lead@example.com"]
    assert msg["To"] == "ops@example.com, lead@example.com"
    assert msg["Subject"] == "[PyBak] local: succeeded — 2 compressed, 0 duplicate, 0 failed"
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(preferencelist=("plain",)).get_content()
    html = msg.get_body(preferencelist=("html",)).get_content()
    assert "2 compressed" in text and "reports/q1.csv ->" in text and "ratio" in text
    assert "<table" in html and "reports/q1.csv" in html and "Bytes in" in html
    with folders.catalog() as db:
        assert db.execute("SELECT email_status FROM runs").fetchone()[0].startswith("sent to")


def test_when_changes_sends_nothing_for_a_quiet_pass_and_failure_only_on_failures(pybak, folders, smtp):
    run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), *smtp.flags(), check=0)
    assert smtp.messages() == []
    folders.write("a.txt", b"a")
    run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), *smtp.flags(when="failure"), check=0)
    assert smtp.messages() == []
    run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), *smtp.flags(when="always"), check=0)
    assert len(smtp.messages()) == 1


def test_wrong_password_is_a_clear_error_and_the_backup_still_succeeds(pybak, folders, smtp, tmp_path):
    folders.write("a.txt", b"payload")
    wrong = tmp_path / "wrong"
    wrong.write_text("not-it\n")
    proc = run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), *smtp.flags(password_file=wrong), check=0)
    assert smtp.messages() == []
    assert "email     not sent:" in proc.stdout and "check --smtp-user and --smtp-password-file" in proc.stdout
    assert "report could not be mailed" in proc.stderr
    assert not (folders.src / "a.txt").exists() and len(folders.stored()) == 1
    with folders.catalog() as db:
        status, run_status = db.execute("SELECT email_status, status FROM runs").fetchone()
        assert status.startswith("not sent") and run_status == "succeeded"
        assert db.execute("SELECT count(*) FROM logs WHERE message LIKE 'report could not be mailed%'").fetchone()[0] == 1


def test_an_untrusted_certificate_is_refused(pybak, folders, smtp):
    folders.write("a.txt", b"payload")
    flags = smtp.flags()
    i = flags.index("--smtp-ca-file")
    del flags[i:i + 2]
    proc = run(pybak, "run", "--source", str(folders.src), "--dest", str(folders.dst), *flags, check=0)
    assert smtp.messages() == []
    assert "email     not sent:" in proc.stdout and "--smtp-ca-file" in proc.stdout
