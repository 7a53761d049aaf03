"""Adds an ARC set to a message with dkimpy, as a forwarder (a mailing list) would.

    arc_seal.py KEY.pem DOMAIN SELECTOR AUTHSERV_ID < message > sealed message
"""
import sys

import dkim

key_path, domain, selector, srv_id = sys.argv[1:5]
message = sys.stdin.buffer.read()
with open(key_path, "rb") as f:
    key = f.read()
headers = dkim.arc_sign(message, selector.encode(), domain.encode(), key, srv_id.encode())
if not headers:
    sys.exit("dkimpy added no ARC set")
sys.stdout.buffer.write(b"".join(headers) + message)
