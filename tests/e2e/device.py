#!/usr/bin/env python3
# A CoAP device for the bridge tests: bound to ADDR:5699, it writes the
# payload of every request it gets to FILE (a line each: a command is
# executed when it is there) and acknowledges CONs with an empty 2.04.
import socket
import sys

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 5699))
with open(sys.argv[2], "a", buffering=1) as f:
    while True:
        m, a = s.recvfrom(2048)
        if len(m) < 4:
            continue
        tkl = m[0] & 15
        if (m[0] >> 4) & 3 == 0:
            s.sendto(bytes([0x60 | tkl, 0x44, m[2], m[3]]) + m[4:4 + tkl], a)
        p = m[4 + tkl:]
        f.write((p.split(b"\xff", 1)[1] if b"\xff" in p else b"").decode(errors="replace") + "\n")
