#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""A UDP relay that replays a DTLS CID record from another port, for
tests/e2e/dtls_cid.sh.

    dtls_cid_relay.py LISTEN_PORT GATEWAY GATEWAY_PORT GO_FILE DONE_FILE

Relays datagrams both ways between one client (on 127.0.0.1:LISTEN_PORT)
and the gateway, and remembers the last datagram from the client that
starts with a tls12_cid record (content type 25, RFC 9146 §4). Once
GO_FILE exists, it sends that datagram once more, from a new socket (so
from another source port: an attacker who captured it and replays it from
elsewhere, RFC 9146 §6), writes "replayed from port N" to DONE_FILE and
goes on relaying. It ends after 300 s without traffic.
"""
import os
import select
import socket
import sys


def main():
    port, gw, gw_port = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    go, done = sys.argv[4], sys.argv[5]
    down = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    down.bind(("127.0.0.1", port))
    up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    up.connect((gw, gw_port))
    client = None
    last_cid = None
    replayed = False
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
        if not replayed and last_cid and os.path.exists(go):
            other = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            other.connect((gw, gw_port))
            other.send(last_cid)
            sport = other.getsockname()[1]
            other.close()
            replayed = True
            with open(done + ".tmp", "w") as f:
                f.write("replayed from port %d\n" % sport)
            os.rename(done + ".tmp", done)


if __name__ == "__main__":
    main()
