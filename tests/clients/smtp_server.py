#!/usr/bin/env python3
"""An SMTP server on 127.0.0.1 for the dns gate's STARTTLS probe: aiosmtpd, discarding mail.

With --cert and --key it offers STARTTLS with that certificate; with --no-starttls it offers
none. Writes its pid to --pid-file once it accepts connections, and stops on SIGTERM.
"""

import argparse
import os
import signal
import ssl
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--no-starttls", action="store_true")
    parser.add_argument("--pid-file")
    args = parser.parse_args()
    tls = None
    if not args.no_starttls:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(args.cert, args.key)
    controller = Controller(Sink(), hostname="127.0.0.1", port=args.port, tls_context=tls)
    controller.start()
    if args.pid_file:
        with open(args.pid_file, "w") as f:
            f.write(str(os.getpid()))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
