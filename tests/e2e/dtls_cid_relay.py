#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""A UDP relay that replays a DTLS CID record from another port, and sends
a record without CID from the client's, for tests/e2e/dtls_cid.sh.

    dtls_cid_relay.py LISTEN_PORT GATEWAY GATEWAY_PORT DIR

Relays datagrams both ways between one client (on 127.0.0.1:LISTEN_PORT)
and the gateway, and remembers the last datagram from the client that
starts with a tls12_cid record (content type 25, RFC 9146 §4). Once the
file DIR/replay.go exists, it sends that datagram once more, from a new
socket (so from another source port: an attacker who captured it and
replays it from elsewhere, RFC 9146 §6), and writes "replayed from port N"
to DIR/replay.done. Once DIR/plain.go exists, it sends from the client's
address (its own socket to the gateway) an application-data record of
epoch 1 without CID and with 24 bytes of zeros (RFC 9146 §3: not valid for
a session with a CID), and writes "sent" to DIR/plain.done. It ends after
300 s without traffic.
"""
import os
import select
import socket
import sys


def main():
    port, gw, gw_port = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    d = sys.argv[4]
    down = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    down.bind(("127.0.0.1", port))
    up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    up.connect((gw, gw_port))
    client = None
    last_cid = None
    replayed = plain = False
    idle = 0.0
    while idle < 300:
        r, _, _ = select.select([down, up], [], [], 0.2)
        idle = idle + 0.2 if not r else 0.0
        if down in r:
            data, client = down.recvfrom(65535)
            if data[:1] == b"\x19":
                last_cid = data
            up.send(data)
        if up in r:
            data = up.recv(65535)
            if client:
                down.sendto(data, client)
        if not replayed and last_cid and os.path.exists(d + "/replay.go"):
            other = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            other.connect((gw, gw_port))
            other.send(last_cid)
            sport = other.getsockname()[1]
            other.close()
            replayed = True
            done(d + "/replay.done", "replayed from port %d\n" % sport)
        if not plain and os.path.exists(d + "/plain.go"):
            # type 23, DTLS 1.2, epoch 1, sequence number 4095, length 24
            up.send(bytes.fromhex("17fefd0001000000000fff0018") + bytes(24))
            plain = True
            done(d + "/plain.done", "sent\n")


def done(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.rename(path + ".tmp", path)

if __name__ == "__main__":
    main()
