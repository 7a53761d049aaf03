"""Signs a message with DKIM using dkimpy, as a mail provider would before sending.

    sign.py KEY.pem DOMAIN SELECTOR [--length] < message > signed message
"""
import sys

import dkim

key_path, domain, selector = sys.argv[1:4]
length = "--length" in sys.argv[4:]
message = sys.stdin.buffer.read()
with open(key_path, "rb") as f:
    key = f.read()
signature = dkim.sign(
    message,
    selector.encode(),
    domain.encode(),
    key,
    include_headers=[b"from", b"to", b"subject", b"date", b"message-id", b"reply-to"],
    length=length,
)
sys.stdout.buffer.write(signature + message)
