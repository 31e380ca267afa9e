#!/usr/bin/env python3
"""Hand-made DTLS 1.2 ClientHellos for coaps.sh (RFC 6347 §4.2.1, §4.2.2).

dtls_hello.py ADDR bad       a ClientHello with a cookie that is not the
                             server's: expects a HelloVerifyRequest
dtls_hello.py ADDR good      one without a cookie, then the same again with
                             the cookie of the HelloVerifyRequest: expects
                             no second HelloVerifyRequest
dtls_hello.py ADDR fragment  half a ClientHello: expects no answer
dtls_hello.py ADDR many N    "good" from N source ports at once (one host
                             starting N handshakes); expects the N
                             HelloVerifyRequests
Exit status 0 if the server behaved so.
"""
import socket
import sys


def hello(cookie=b"", seq=0, frag=None):
    body = (b"\xfe\xfd" + bytes(range(32)) + b"\x00" +
            bytes([len(cookie)]) + cookie +
            b"\x00\x02\xc0\xa8" +      # TLS_PSK_WITH_AES_128_CCM_8
            b"\x01\x00")              # no compression
    off, part = 0, body
    if frag:
        part = body[:frag]
    hs = (b"\x01" + len(body).to_bytes(3, "big") + b"\x00\x00" +
          off.to_bytes(3, "big") + len(part).to_bytes(3, "big") + part)
    return (b"\x16\xfe\xff\x00\x00" + seq.to_bytes(6, "big") +
            len(hs).to_bytes(2, "big") + hs)


def check_hvr(r, seq):
    """The layout of RFC 6347 §4.2.1; returns the cookie."""
    assert len(r) == 44, r.hex()
    assert r[0] == 22 and r[1:3] == b"\xfe\xff", r.hex()
    assert r[3:5] == b"\0\0" and int.from_bytes(r[5:11], "big") == seq, r.hex()
    assert int.from_bytes(r[11:13], "big") == 31, r.hex()
    assert r[13] == 3 and int.from_bytes(r[14:17], "big") == 19, r.hex()
    assert r[17:19] == b"\0\0" and r[19:22] == b"\0\0\0", r.hex()
    assert int.from_bytes(r[22:25], "big") == 19, r.hex()
    assert r[25:27] == b"\xfe\xff" and r[27] == 16, r.hex()
    return r[28:44]


def main():
    addr, mode = sys.argv[1], sys.argv[2]
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.settimeout(10)
    if mode == "bad":
        s.sendto(hello(bytes(16), seq=3), (addr, 5684))
        check_hvr(s.recv(2048), 3)
    elif mode == "good":
        s.sendto(hello(seq=5), (addr, 5684))
        cookie = check_hvr(s.recv(2048), 5)
        s.sendto(hello(cookie, seq=6), (addr, 5684))
        s.settimeout(2)
        try:
            r = s.recv(2048)
            sys.exit("answered again: " + r.hex())
        except socket.timeout:
            pass
    elif mode == "fragment":
        s.sendto(hello(seq=1, frag=20), (addr, 5684))
        s.settimeout(2)
        try:
            r = s.recv(2048)
            sys.exit("answered: " + r.hex())
        except socket.timeout:
            pass
    elif mode == "many":
        socks = [socket.socket(fam, socket.SOCK_DGRAM)
                 for _ in range(int(sys.argv[3]))]
        for t in socks:
            t.settimeout(10)
            t.sendto(hello(seq=5), (addr, 5684))
        for t in socks:
            t.sendto(hello(check_hvr(t.recv(2048), 5), seq=6), (addr, 5684))
    else:
        sys.exit("mode: bad, good, fragment or many")


main()
