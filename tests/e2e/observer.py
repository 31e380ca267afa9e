#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Observe (RFC 7641) clients for the end-to-end tests, on plain sockets.

  observer.py many N PATH CMD...    N observers, each on its own socket, then
                                    CMD run with {} replaced by v1, v2, ...
                                    (--updates K times); prints per update
                                    how many observers got it
  observer.py rst PATH CMD...       one observer answers the first
                                    notification with RST, then CMD runs again
  observer.py noack PATH CMD...     one observer never acknowledges a CON
                                    notification; prints the copies it got
  observer.py final PATH CMD...     one observer, CMD once; prints the last
                                    notification (module unload, deletion)

Everything goes to HOST (--host, default 127.0.0.1) port 5683, and the
output is one "key: value" line per fact for the shell test to check.
"""
import argparse
import os
import select
import socket
import struct
import subprocess
import sys
import time

CON, NON, ACK, RST = 0, 1, 2, 3
GET = 0x01
OBSERVE, URI_PATH = 6, 11
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)  # asm-generic/socket.h


def opt_nibble(v):
    if v < 13:
        return v, b""
    if v < 269:
        return 13, bytes([v - 13])
    return 14, struct.pack("!H", v - 269)


def encode(mtype, code, mid, token, opts, payload=b""):
    out = bytearray([0x40 | (mtype << 4) | len(token), code])
    out += struct.pack("!H", mid) + token
    last = 0
    for num, val in sorted(opts, key=lambda o: o[0]):
        d, dx = opt_nibble(num - last)
        n, nx = opt_nibble(len(val))
        out += bytes([(d << 4) | n]) + dx + nx + val
        last = num
    if payload:
        out += b"\xff" + payload
    return bytes(out)


def ext(nib, data, i):
    if nib == 13:
        return data[i] + 13, i + 1
    if nib == 14:
        return struct.unpack_from("!H", data, i)[0] + 269, i + 2
    return nib, i


def decode(data):
    """(type, code, mid, token, {num: [values]}, payload)"""
    tkl = data[0] & 15
    mtype, code = (data[0] >> 4) & 3, data[1]
    mid = struct.unpack_from("!H", data, 2)[0]
    token = data[4:4 + tkl]
    i, num, opts = 4 + tkl, 0, {}
    while i < len(data) and data[i] != 0xff:
        d, n = data[i] >> 4, data[i] & 15
        d, i = ext(d, data, i + 1)
        n, i = ext(n, data, i)
        num += d
        opts.setdefault(num, []).append(data[i:i + n])
        i += n
    payload = data[i + 1:] if i < len(data) else b""
    return mtype, code, mid, token, opts, payload


def uint(b):
    return int.from_bytes(b, "big")


def code_str(c):
    return "%d.%02d" % (c >> 5, c & 31)


class Observer:
    def __init__(self, host, port, path, token):
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(fam, socket.SOCK_DGRAM)
        self.sock.setblocking(False)
        # Arrival times from the kernel, not from when this process got
        # to read (it may be busy running a command meanwhile).
        self.sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        self.addr = (host, port)
        self.path = path
        self.token = token
        self.got = []  # (arrival, decoded message)
        self.acked = set()  # MIDs of CON notifications acknowledged

    def register(self, mid):
        opts = [(OBSERVE, b"")]
        opts += [(URI_PATH, s.encode()) for s in self.path.strip("/").split("/")]
        self.sock.sendto(encode(CON, GET, mid, self.token, opts), self.addr)

    def send_empty(self, mtype, mid):
        self.sock.sendto(encode(mtype, 0, mid, b"", []), self.addr)

    def read(self):
        while True:
            try:
                data, anc, _flags, _addr = self.sock.recvmsg(2048, socket.CMSG_SPACE(16))
            except BlockingIOError:
                return
            t = time.time()
            for level, kind, d in anc:
                if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                    sec, nsec = struct.unpack("qq", d[:16])
                    t = sec + nsec / 1e9
            self.got.append((t, decode(data)))


def pump(obs, until, timeout):
    """Read from every observer until until() or timeout seconds passed."""
    end = time.monotonic() + timeout
    by_fd = {o.sock.fileno(): o for o in obs}
    poller = select.poll()
    for fd in by_fd:
        poller.register(fd, select.POLLIN)
    while not until():
        left = end - time.monotonic()
        if left <= 0:
            return False
        for fd, _ in poller.poll(min(left, 0.2) * 1000):
            by_fd[fd].read()
    return True


def run(cmd, value):
    subprocess.run([a.replace("{}", value) for a in cmd], check=True,
                   stdout=subprocess.DEVNULL)


def registered(obs):
    """Observers whose registration came back 2.05 with Observe."""
    n = 0
    for o in obs:
        for _, (t, c, _m, tok, opts, _p) in o.got:
            if t == ACK and c == 0x45 and tok == o.token and OBSERVE in opts:
                n += 1
                break
    return n


def notifications(o, value=None):
    return [m for _, m in o.got
            if m[0] in (CON, NON) and m[3] == o.token
            and (value is None or m[5] == value)]


def register_all(obs, timeout=30):
    for i, o in enumerate(obs):
        o.register(i + 1)
        if i % 64 == 63:  # do not overrun the gateway's socket buffer
            pump(obs, lambda: False, 0.01)
    pump(obs, lambda: registered(obs) == len(obs), timeout)
    # A lost registration is sent again, as a client would.
    for i, o in enumerate(obs):
        if registered([o]) == 0:
            o.register(i + 1)
    pump(obs, lambda: registered(obs) == len(obs), timeout)
    print("registered: %d/%d" % (registered(obs), len(obs)))


def ack_cons(obs):
    for o in obs:
        for _, m in o.got:
            if m[0] == CON and m[2] not in o.acked:
                o.send_empty(ACK, m[2])
                o.acked.add(m[2])


def cmd_many(a):
    obs = [Observer(a.host, a.port, a.path, struct.pack("!H", i + 1))
           for i in range(a.count)]
    register_all(obs)
    for k in range(1, a.updates + 1):
        value = "v%d" % k
        run(a.cmd, value)

        def done():
            ack_cons(obs)
            return all(notifications(o, value.encode()) for o in obs)
        pump(obs, done, a.timeout)
        n = sum(1 for o in obs if notifications(o, value.encode()))
        print("update %d: %d/%d" % (k, n, len(obs)))
    seqs_ok = all(
        [uint(m[4][OBSERVE][0]) for m in notifications(o)] ==
        sorted(uint(m[4][OBSERVE][0]) for m in notifications(o))
        for o in obs)
    print("sequence numbers rise: %s" % ("yes" if seqs_ok else "no"))
    extra = sum(len(notifications(o)) - a.updates for o in obs)
    print("duplicates: %d" % extra)


def one(a):
    o = Observer(a.host, a.port, a.path, b"\x0b\x5e")
    register_all([o])
    return o


def cmd_rst(a):
    o = one(a)
    run(a.cmd, "v1")
    pump([o], lambda: notifications(o), a.timeout)
    n = notifications(o)
    print("notified: %d" % len(n))
    if n:
        o.send_empty(RST, n[0][2])
    time.sleep(0.5)
    run(a.cmd, "v2")
    pump([o], lambda: len(notifications(o)) > 1, 2)
    print("after rst: %d" % (len(notifications(o)) - len(n)))


def cmd_noack(a):
    o = one(a)
    run(a.cmd, "v1")
    pump([o], lambda: False, a.timeout)
    n = notifications(o)
    times = [t for t, m in o.got if m in n]
    print("copies: %d" % len(n))
    print("types: %s" % " ".join("CON" if m[0] == CON else "NON" for m in n))
    print("message ids: %d" % len({m[2] for m in n}))
    gaps = [int((b - a_) * 1000) for a_, b in zip(times, times[1:])]
    print("gaps ms: %s" % " ".join(map(str, gaps)))


def cmd_final(a):
    o = one(a)
    run(a.cmd, "v1")

    def ended():
        ack_cons([o])
        return any(m[1] >= 0x60 or OBSERVE not in m[4] for m in notifications(o))
    pump([o], ended, a.timeout)
    ack_cons([o])
    last = notifications(o)[-1] if notifications(o) else None
    if last is None:
        print("final: none")
    else:
        print("final: %s observe=%s" % (code_str(last[1]),
                                        "yes" if OBSERVE in last[4] else "no"))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=5683)
    p.add_argument("--timeout", type=float, default=20)
    p.add_argument("--updates", type=int, default=3)
    sub = p.add_subparsers(dest="what", required=True)
    m = sub.add_parser("many")
    m.add_argument("count", type=int)
    for name in ("many", "rst", "noack", "final"):
        s = m if name == "many" else sub.add_parser(name)
        s.add_argument("path")
        s.add_argument("cmd", nargs=argparse.REMAINDER)
    a = p.parse_args()
    if a.what == "many":
        import resource
        need = a.count + 64
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft < need:
            resource.setrlimit(resource.RLIMIT_NOFILE, (max(need, hard), max(need, hard)))
    {"many": cmd_many, "rst": cmd_rst, "noack": cmd_noack,
     "final": cmd_final}[a.what](a)
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
