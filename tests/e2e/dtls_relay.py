#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""A UDP relay between a DTLS client and the gateway, for tests/e2e/dtls.sh.

    dtls_relay.py LISTEN_PORT GATEWAY GATEWAY_PORT DONE_FILE

Relays datagrams both ways (one client). The first datagram from the client
that is one DTLS application-data record (content type 23, epoch >= 1) is
sent three times: first altered (its sequence number moved far ahead and
its last byte flipped, so it neither authenticates nor is it a replay),
then as it is, then again as it is (a replay, RFC 6347 §4.1.2.6). It then
writes "altered replayed" to DONE_FILE and goes on relaying.
"""
import os
import select
import socket
import sys


def main():
    port, gw, gw_port, done = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
    down = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    down.bind(("127.0.0.1", port))
    up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    up.connect((gw, gw_port))
    client = None
    tampered = False
    while True:
        r, _, _ = select.select([down, up], [], [], 60)
        if not r:
            return
        if down in r:
            data, client = down.recvfrom(65535)
            epoch = int.from_bytes(data[3:5], "big") if len(data) >= 13 else 0
            if not tampered and len(data) > 13 + 8 and data[0] == 23 and epoch >= 1:
                bad = bytearray(data)
                seq = int.from_bytes(data[5:11], "big") + 1000
                bad[5:11] = seq.to_bytes(6, "big")
                bad[-1] ^= 0x01
                up.send(bytes(bad))
                up.send(data)
                up.send(data)
                tampered = True
                with open(done + ".tmp", "w") as f:
                    f.write("altered replayed\n")
                os.rename(done + ".tmp", done)
            else:
                up.send(data)
        if up in r:
            data = up.recv(65535)
            if client:
                down.sendto(data, client)


if __name__ == "__main__":
    main()
