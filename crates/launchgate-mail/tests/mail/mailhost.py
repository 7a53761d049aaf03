"""A receiving mail host on 127.0.0.1 for the round-trip tests: pymap (IMAP) holds the seed
mailbox, aiosmtpd accepts mail, and the handler delivers each message into a folder the way
a receiving server does, with the Return-Path and a Received header naming the sending
address (`--received-ip`, since the tests stay on loopback). A small HTTP server plays the
product: `POST /api/password-reset {"email": …}` sends the reset email through aiosmtpd;
`POST /api/broken` answers 500; of the links in the email, `/reset` answers and `/help` is 404.
pymap takes XOAUTH2 with `--token` as the one valid access token (imapserver.py, which
writes how a client answered its error challenge to `--sasl-log`). `--gmail` makes pymap
speak Gmail's X-GM-EXT-1 search (imapserver.py, which writes each X-GM-RAW query asked to
`--search-log`); `--category NAME` writes an X-Test-Category header into each delivered
message, the inbox tab a Gmail-like server answers `X-GM-RAW "category:NAME"` searches with.

    mailhost.py --user U --password P --token T --sasl-log FILE --search-log FILE
                --folder INBOX|Junk|drop --received-ip IP [--gmail] [--category NAME]
                [--cert CERT.pem --key KEY.pem]

Prints `ready SMTP_PORT IMAP_PORT HTTP_PORT` once all listen; with a certificate, three
more ports follow: IMAP over TLS from the first byte (a TLS front on pymap, which offers
only STARTTLS), SMTP requiring STARTTLS, and SMTP over TLS from the first byte; both SMTP
listeners take AUTH PLAIN and LOGIN with the seed user and password. Stops on
stdin closing.
"""
import argparse
import asyncio
import ssl
import email.utils
import imaplib
import json
import smtplib
import threading
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import socket
import subprocess
import sys
import time
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Deliver:
    def __init__(self, args, imap_port):
        self.args = args
        self.imap_port = imap_port

    async def handle_DATA(self, server, session, envelope):
        if self.args.folder == "drop":
            return "250 OK"
        received = (
            f"Return-Path: <{envelope.mail_from}>\r\n"
            f"Received: from out.provider.example (out.provider.example [{self.args.received_ip}])\r\n"
            f"\tby mx.inbox.example with ESMTP; {email.utils.formatdate()}\r\n"
        )
        if self.args.category:
            received += f"X-Test-Category: {self.args.category}\r\n"
        received = received.encode()
        imap = imaplib.IMAP4("127.0.0.1", self.imap_port)
        imap.login(self.args.user, self.args.password)
        # The spam folder appears with the first spam, after the gate started watching.
        if self.args.folder != "INBOX":
            imap.create(self.args.folder)
        imap.append(self.args.folder, None, None, received + envelope.original_content)
        imap.logout()
        return "250 OK"


def product(smtp_port):
    class Product(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if self.path != "/api/password-reset":
                self.send_response(500)
                self.end_headers()
                return
            message = EmailMessage()
            message["From"] = "no-reply@membership.example"
            message["To"] = body["email"]
            message["Subject"] = "Reset your password"
            message["Message-ID"] = email.utils.make_msgid(domain="membership.example")
            port = self.server.server_address[1]
            message.set_content(
                f"Reset your password: http://127.0.0.1:{port}/reset?token=r8Kq\n"
                f"Help: http://127.0.0.1:{port}/help\n"
            )
            with smtplib.SMTP("127.0.0.1", smtp_port) as smtp:
                smtp.send_message(message)
            self.send_response(202)
            self.end_headers()

        def do_GET(self):
            self.send_response(200 if self.path.startswith("/reset") else 404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Product)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def submission_login(args):
    """AUTH on the TLS listeners: the seed user and password are the submission account.
    A client may also send without logging in, as the other tests do."""
    def check(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login.decode() == args.user and auth_data.password.decode() == args.password
        # handled=False: aiosmtpd answers a refusal with 535 itself.
        return AuthResult(success=ok, handled=False)
    return check


def tls_front(context, imap_port):
    """A TLS listener passing each connection on to pymap's plain port; its port."""
    loop = asyncio.new_event_loop()
    port = free_port()

    async def pipe(reader, writer):
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()

    async def accept(client_reader, client_writer):
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", imap_port)
        await asyncio.gather(pipe(client_reader, server_writer), pipe(server_reader, client_writer))

    async def serve():
        return await asyncio.start_server(accept, "127.0.0.1", port, ssl=context)

    loop.run_until_complete(serve())
    threading.Thread(target=loop.run_forever, daemon=True).start()
    return port


def main():
    parser = argparse.ArgumentParser()
    for name in ("--user", "--password", "--token", "--sasl-log", "--search-log", "--folder",
                 "--received-ip"):
        parser.add_argument(name, required=True)
    parser.add_argument("--gmail", action="store_true")
    parser.add_argument("--category")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    args = parser.parse_args()
    imap_port = free_port()
    gmail = ["--gmail"] if args.gmail else []
    pymap = subprocess.Popen(
        [sys.executable, str(Path(__file__).parent / "imapserver.py"), "--token", args.token, "--sasl-log", args.sasl_log,
         "--search-log", args.search_log, *gmail,
         "--host", "127.0.0.1", "--port", str(imap_port),
         "--no-tls", "dict", "--demo-user", args.user, "--demo-password", args.password],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", imap_port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.05)
    smtp_port = free_port()
    controller = Controller(Deliver(args, imap_port), hostname="127.0.0.1", port=smtp_port)
    controller.start()
    http = product(smtp_port)
    ports = [smtp_port, imap_port, http.server_address[1]]
    tls_controllers = []
    if args.cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
        ports.append(tls_front(context, imap_port))
        for kind in ("tls_context", "ssl_context"):
            port = free_port()
            tls = Controller(Deliver(args, imap_port), hostname="127.0.0.1", port=port,
                             **{kind: context}, require_starttls=kind == "tls_context",
                             # aiosmtpd counts only STARTTLS as TLS; the other listener is
                             # TLS from the first byte, where AUTH is safe too.
                             auth_require_tls=kind == "tls_context",
                             authenticator=submission_login(args))
            tls.start()
            tls_controllers.append(tls)
            ports.append(port)
    print("ready " + " ".join(map(str, ports)), flush=True)
    sys.stdin.read()
    for tls in tls_controllers:
        tls.stop()
    controller.stop()
    pymap.terminate()
    pymap.wait()


if __name__ == "__main__":
    main()
