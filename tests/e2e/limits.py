#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Clients for tests/e2e/limits.sh, on plain sockets (see observer.py).

  limits.py flood N PATH [METHOD]   N CON requests with fresh Message IDs,
                                    up to 32 unanswered at a time; prints
                                    how many were answered, and with what
  limits.py seq STORM PATH CMD...   observer A registers; STORM registrations
                                    from another socket; CMD runs; prints A's
                                    Observe values before and after
  limits.py mids N PATH CMD...      N observers, CMD once; prints the
                                    Message IDs of their notifications

HOST (--host) port 5683 as in observer.py; "key: value" lines out.
"""
import argparse
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from observer import (CON, GET, OBSERVE, URI_PATH, Observer, code_str,  # noqa: E402
                      decode, encode, pump, uint)

METHODS = {"GET": 1, "POST": 2, "PUT": 3, "DELETE": 4, "FETCH": 5}


def path_opts(path):
    return [(URI_PATH, s.encode()) for s in path.strip("/").split("/")]


def requests(sock, addr, msgs, window=32, timeout=10.0):
    """Send msgs (bytes) keeping up to window unanswered; the replies."""
    replies, sent, out = [], 0, 0
    end = time.monotonic() + timeout
    sock.settimeout(0.5)
    while (sent < len(msgs) or out) and time.monotonic() < end:
        while sent < len(msgs) and out < window:
            sock.sendto(msgs[sent], addr)
            sent += 1
            out += 1
        try:
            data = sock.recv(2048)
        except socket.timeout:
            out = 0  # lost or dropped: move on
            continue
        replies.append(decode(data))
        out -= 1
    return replies


def flood(a):
    fam = socket.AF_INET6 if ":" in a.host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    code = METHODS[a.method]
    msgs = [encode(CON, code, mid, b"\x01", path_opts(a.path))
            for mid in range(1, a.n + 1)]
    replies = requests(s, (a.host, 5683), msgs, timeout=a.timeout)
    codes = {}
    for r in replies:
        codes[code_str(r[1])] = codes.get(code_str(r[1]), 0) + 1
    print("answered: %d/%d" % (len(replies), a.n))
    print("codes: " + " ".join("%s=%d" % kv for kv in sorted(codes.items())))


def observe_value(msg):
    vals = msg[4].get(OBSERVE)
    return uint(vals[0]) if vals else None


def seq(a):
    obs = Observer(a.host, 5683, a.path, b"\xa1")
    obs.register(1)
    pump([obs], lambda: obs.got, 10)
    if not obs.got:
        print("registered: none")
        return
    v1 = observe_value(obs.got[0][1])
    fam = socket.AF_INET6 if ":" in a.host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    opts = [(OBSERVE, b"")] + path_opts(a.path)
    storm = [encode(CON, GET, mid, b"\xb1", opts) for mid in range(1, a.n + 1)]
    replies = requests(s, (a.host, 5683), storm, timeout=a.timeout)
    print("storm answered: %d/%d" % (len(replies), a.n))
    n = len(obs.got)
    subprocess.run(a.cmd, check=True)
    pump([obs], lambda: len(obs.got) > n, 10)
    if len(obs.got) == n:
        print("registered: %d" % v1)
        print("notified: none")
        return
    v2 = observe_value(obs.got[n][1])
    print("registered: %d" % v1)
    print("next: +%d" % ((v2 - v1) % (1 << 24)))
    # RFC 7641 3.4: V2 is newer if (V2 - V1) mod 2^24 is in 1 .. 2^23 - 1.
    print("fresh: %s" % ("yes" if 0 < (v2 - v1) % (1 << 24) < (1 << 23) else "no"))


def mids(a):
    obs = [Observer(a.host, 5683, a.path, bytes([0xc0 + i])) for i in range(a.n)]
    for i, o in enumerate(obs):
        o.register(100 + i)
    pump(obs, lambda: all(o.got for o in obs), 10)
    subprocess.run(a.cmd, check=True)
    pump(obs, lambda: all(len(o.got) > 1 for o in obs), 10)
    got = sorted(o.got[1][1][2] for o in obs if len(o.got) > 1)
    print("notified: %d/%d" % (len(got), a.n))
    steps = [(b - a_) % 65536 for a_, b in zip(got, got[1:])]
    print("consecutive: %s" % ("yes" if steps and all(x == 1 for x in steps) else "no"))
    print("mids: " + " ".join(str(m) for m in got))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--timeout", type=float, default=60)
    sub = p.add_subparsers(dest="mode", required=True)
    f = sub.add_parser("flood")
    f.add_argument("n", type=int)
    f.add_argument("path")
    f.add_argument("method", nargs="?", default="GET")
    for name in ("seq", "mids"):
        q = sub.add_parser(name)
        q.add_argument("n", type=int)
        q.add_argument("path")
        q.add_argument("cmd", nargs=argparse.REMAINDER)
    a = p.parse_args()
    {"flood": flood, "seq": seq, "mids": mids}[a.mode](a)


if __name__ == "__main__":
    main()
