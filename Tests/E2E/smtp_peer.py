"""aiosmtpd with STARTTLS required and AUTH (user 'reporter', password given), a self-signed certificate
for 127.0.0.1; every received message is written to OUTDIR as <n>.eml with the envelope in <n>.json.
Usage: python3 smtp_peer.py PORT CERT KEY OUTDIR PASSWORD   (runs until killed)"""
import json
import ssl
import sys
import time
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

port, cert, key, outdir, password = int(sys.argv[1]), sys.argv[2], sys.argv[3], Path(sys.argv[4]), sys.argv[5]
outdir.mkdir(parents=True, exist_ok=True)


class Handler:
    count = 0

    async def handle_DATA(self, server, session, envelope):
        Handler.count += 1
        (outdir / f"{Handler.count}.eml").write_bytes(envelope.original_content)
        (outdir / f"{Handler.count}.json").write_text(json.dumps(
            {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos, "tls": session.ssl is not None}))
        return "250 OK"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"reporter" and auth_data.password == password.encode()
    return AuthResult(success=ok, handled=False)


ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.load_cert_chain(cert, key)
controller = Controller(Handler(), hostname="127.0.0.1", port=port, tls_context=ctx, require_starttls=True,
                        authenticator=authenticator, auth_required=True, auth_require_tls=True)
controller.start()
print("ready", flush=True)
while True:
    time.sleep(3600)
