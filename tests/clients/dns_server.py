#!/usr/bin/env python3
"""A tiny authoritative DNS server on 127.0.0.1 for the dns gate's real-client tests.

Serves A, TXT and MX records given as NAME=TYPE:VALUE arguments (VALUE of an A record is an
IPv4 address, of an MX record `PREFERENCE HOST`) over UDP; every other name answers NXDOMAIN. Standard library only, so it runs on
every GitHub runner. Writes its pid to --pid-file and stops on SIGTERM.
"""

import argparse
import os
import socket
import struct


def parse_name(packet, offset):
    labels = []
    while True:
        length = packet[offset]
        offset += 1
        if length == 0:
            break
        labels.append(packet[offset : offset + length].decode("ascii").lower())
        offset += length
    return ".".join(labels), offset


def encode_name(name):
    labels = [label.encode("ascii") for label in name.rstrip(".").split(".") if label]
    return b"".join(bytes([len(label)]) + label for label in labels) + b"\0"


def encode_record(rtype, value):
    if rtype == 1:
        return socket.inet_aton(value)
    if rtype == 15:
        preference, _, host = value.partition(" ")
        return struct.pack("!H", int(preference)) + encode_name(host)
    data = value.encode()
    return b"".join(bytes([len(data[i : i + 255])]) + data[i : i + 255] for i in range(0, len(data), 255))


def answer(query, zone):
    ident, _flags, qdcount = struct.unpack("!HHH", query[:6])
    if qdcount != 1:
        return struct.pack("!HHHHHH", ident, 0x8181, 0, 0, 0, 0)  # FORMERR
    name, offset = parse_name(query, 12)
    qtype, _qclass = struct.unpack("!HH", query[offset : offset + 4])
    question = query[12 : offset + 4]
    records = [value for (rtype, value) in zone.get(name, []) if rtype == qtype]
    rcode = 0 if name in zone else 3
    header = struct.pack("!HHHHHH", ident, 0x8400 | rcode, 1, len(records), 0, 0)
    body = b""
    for value in records:
        rdata = encode_record(qtype, value)
        body += struct.pack("!HHHIH", 0xC00C, qtype, 1, 60, len(rdata)) + rdata
    return header + question + body


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pid-file")
    parser.add_argument("records", nargs="*", help="NAME=A:1.2.3.4, NAME=TXT:text or NAME=MX:10 mx.host")
    args = parser.parse_args()
    zone = {}
    for spec in args.records:
        name, _, typed = spec.partition("=")
        rtype, _, value = typed.partition(":")
        zone.setdefault(name.lower().rstrip("."), []).append(({"A": 1, "TXT": 16, "MX": 15}[rtype], value))
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", args.port))
    if args.pid_file:
        with open(args.pid_file, "w") as f:
            f.write(str(os.getpid()))
    while True:
        query, client = sock.recvfrom(4096)
        try:
            sock.sendto(answer(query, zone), client)
        except (IndexError, struct.error, UnicodeDecodeError):
            continue


if __name__ == "__main__":
    main()
