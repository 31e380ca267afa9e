#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Load client for the MQTT bridge's end-to-end test: N confirmable POSTs.

  mqtt_load.py [--host H] [--path /ps/load/data] [-n N] [--sockets S]
               [--window W] [--rate R] [--while FILE] [--acked FILE]
               [--progress FILE]

S UDP sockets each keep W CON POSTs outstanding; message i (0..N-1) has
payload str(i), its own Message ID and token. Per RFC 7252 it handles
piggybacked responses, an empty ACK followed by a separate CON response
(which it ACKs), NON responses and RST, and retransmits a CON with no ACK
after ACK_TIMEOUT (2 s, times a random 1..1.5), doubling, 4 times at most.
Nothing is retried after an answer: a 5.03 is counted and left, and its
socket sends nothing new for the 5.03's Max-Age (at most --pause-max s).

--rate paces the new messages (R a second at most, spread over the
sockets, no burst to catch up); --while FILE sends new ones only while
FILE exists (then the outstanding ones are waited for): one unbroken
stream for as long as a test needs, however many N allows.

The sequence numbers answered with --expect (2.04) go to --acked, one a
line; --progress holds "ANSWERED ACKED" while it runs. At the end one
JSON line sums it up (with the 5.03s counted per Max-Age); the exit
status is 0 if every message got an answer.
"""
import argparse
import heapq
import itertools
import json
import os
import random
import selectors
import socket
import struct
import sys
import time

CON, NON, ACK, RST = 0, 1, 2, 3
POST = 0x02
MAX_AGE, URI_PATH, URI_QUERY = 14, 11, 15
ACK_TIMEOUT, ACK_RANDOM_FACTOR, MAX_RETRANSMIT = 2.0, 1.5, 4


def option(delta, value):
    def nibble(v):
        if v < 13:
            return v, b""
        if v < 269:
            return 13, bytes([v - 13])
        return 14, struct.pack("!H", v - 269)

    d, dx = nibble(delta)
    n, lx = nibble(len(value))
    return bytes([(d << 4) | n]) + dx + lx + value


def request(mid, token, path, queries, payload):
    out = bytearray([0x40 | (CON << 4) | len(token), POST])
    out += struct.pack("!H", mid) + token
    last = 0
    for num, val in [(URI_PATH, s) for s in path] + [(URI_QUERY, q) for q in queries]:
        out += option(num - last, val.encode())
        last = num
    return bytes(out + b"\xff" + payload)


def empty_ack(mid):
    return bytes([0x40 | (ACK << 4), 0]) + struct.pack("!H", mid)


def parse(data):
    """(type, code "c.dd", mid, token, Max-Age or None); None if not CoAP."""
    if len(data) < 4 or data[0] >> 6 != 1 or (data[0] & 0x0F) > 8:
        return None
    tkl = data[0] & 0x0F
    code = "%d.%02d" % (data[1] >> 5, data[1] & 0x1F)
    i, num, max_age = 4 + tkl, 0, None
    try:
        while i < len(data) and data[i] != 0xFF:
            d, n = data[i] >> 4, data[i] & 0x0F
            i += 1
            ext = []
            for v in (d, n):
                if v == 13:
                    v, i = data[i] + 13, i + 1
                elif v == 14:
                    v, i = struct.unpack("!H", data[i:i + 2])[0] + 269, i + 2
                elif v == 15:
                    return None
                ext.append(v)
            num += ext[0]
            if num == MAX_AGE:
                max_age = int.from_bytes(data[i:i + ext[1]], "big")
            i += ext[1]
    except (IndexError, struct.error):
        return None
    return (data[0] >> 4) & 3, code, struct.unpack("!H", data[2:4])[0], bytes(data[4:4 + tkl]), max_age


class Msg:
    __slots__ = ("seq", "sock", "mid", "token", "wire", "timeout", "tries", "due", "state")

    def __init__(self, seq, sock, mid, token, wire):
        self.seq, self.sock, self.mid, self.token, self.wire = seq, sock, mid, token, wire
        self.timeout = ACK_TIMEOUT * random.uniform(1, ACK_RANDOM_FACTOR)
        self.tries = 0
        self.due = 0.0
        self.state = "ack"  # "ack": waiting for the ACK; "sep": for the separate response


class Sock:
    def __init__(self, host, port):
        self.s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        self.s.connect((host, port))
        self.s.setblocking(False)
        self.next_mid = random.randrange(0x10000)
        self.by_mid = {}  # MID -> Msg, CONs not acknowledged yet
        self.by_token = {}  # token -> Msg, everything unanswered
        self.paused_until = 0.0  # after a 5.03: its Max-Age (capped)

    def send(self, data):
        try:
            self.s.send(data)
        except (BlockingIOError, ConnectionRefusedError, OSError):
            pass  # like a lost datagram: the retransmission covers it


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="192.0.2.1")
    ap.add_argument("--port", type=int, default=5683)
    ap.add_argument("--path", default="/ps/load/data", help="Uri-Path, may end in ?QUERY&...")
    ap.add_argument("-n", type=int, default=10000)
    ap.add_argument("--sockets", type=int, default=64)
    ap.add_argument("--window", type=int, default=4, help="outstanding CONs per socket")
    ap.add_argument("--expect", default="2.04", help="the code that means acknowledged")
    ap.add_argument("--acked", help="file for the acknowledged sequence numbers")
    ap.add_argument("--progress", help='file rewritten with "ANSWERED ACKED"')
    ap.add_argument("--separate-wait", type=float, default=90,
                    help="seconds to wait for a separate response after an empty ACK")
    ap.add_argument("--pause-max", type=float, default=5,
                    help="cap on the pause a 5.03's Max-Age imposes on its socket")
    ap.add_argument("--deadline", type=float, default=600, help="give up after this many seconds")
    ap.add_argument("--rate", type=float, default=0, help="new messages a second at most (0: no pacing)")
    ap.add_argument("--while", dest="while_file", help="send new messages only while this file exists")
    a = ap.parse_args()

    path, _, query = a.path.partition("?")
    segs = [s for s in path.split("/") if s]
    queries = [q for q in query.split("&") if q]
    run_id = os.urandom(4)
    st = {"sent": 0, "acked": 0, "unavailable": 0, "max_age": {}, "other": {}, "timeout": 0, "rst": 0,
          "separate": 0, "retransmissions": 0, "unanswered": 0, "unsent": 0}
    acked = []
    sel = selectors.DefaultSelector()
    socks = [Sock(a.host, a.port) for _ in range(a.sockets)]
    for k in socks:
        sel.register(k.s, selectors.EVENT_READ, k)
    timers = []  # (due, n, Msg): entries whose due no longer matches are stale
    tick = itertools.count()
    nxt = 0
    answered = 0
    t0 = time.monotonic()
    next_due = t0  # --rate: when the next new message may go
    running = True  # --while: its file still exists
    checked = 0.0
    rr = 0  # --rate: the socket to try first

    def more():
        """Whether a new message may be started at all (not when)."""
        nonlocal running, checked
        if a.while_file and running and time.monotonic() - checked >= 0.1:
            checked = time.monotonic()
            running = os.path.exists(a.while_file)
        return nxt < a.n and running

    def arm(m, delay):
        m.due = time.monotonic() + delay
        heapq.heappush(timers, (m.due, next(tick), m))

    def start(k):
        nonlocal nxt, next_due
        if k.paused_until > time.monotonic():
            return
        while more() and len(k.by_token) < a.window:
            if a.rate:
                now = time.monotonic()
                if now < next_due:
                    return
                next_due = max(next_due + 1 / a.rate, now - 0.5 / a.rate)
            mid = k.next_mid
            k.next_mid = (mid + 1) & 0xFFFF
            token = run_id + struct.pack("!I", nxt)
            m = Msg(nxt, k, mid, token, request(mid, token, segs, queries, str(nxt).encode()))
            nxt += 1
            k.by_mid[mid] = m
            k.by_token[token] = m
            k.send(m.wire)
            st["sent"] += 1
            arm(m, m.timeout)

    def finish(m, outcome, max_age=None):
        nonlocal answered
        k = m.sock
        k.by_mid.pop(m.mid, None)
        k.by_token.pop(m.token, None)
        m.due = -1.0
        if outcome == a.expect:
            st["acked"] += 1
            acked.append(m.seq)
        elif outcome == "5.03":
            st["unavailable"] += 1
            ma = str(max_age)  # whose 5.03 it was: the kernel's, or kcoapd's
            st["max_age"][ma] = st["max_age"].get(ma, 0) + 1
            # Not retried, but this socket sends nothing new for Max-Age
            # (RFC 7252 §5.9.3.4), as a polite client would.
            pause = min(60 if max_age is None else max_age, a.pause_max)
            k.paused_until = max(k.paused_until, time.monotonic() + pause)
        elif outcome in ("timeout", "rst"):
            st[outcome] += 1
        else:
            st["other"][outcome] = st["other"].get(outcome, 0) + 1
        answered += 1
        if a.rate:
            fill()
        else:
            start(k)

    def receive(k):
        while True:
            try:
                data = k.s.recv(65536)
            except (BlockingIOError, InterruptedError):
                return
            except ConnectionRefusedError:
                continue
            p = parse(data)
            if p is None:
                continue
            typ, code, mid, token, max_age = p
            if typ == CON:
                # A separate response (RFC 7252 §5.2.2): ACK it, every copy.
                k.send(empty_ack(mid))
                m = k.by_token.get(token)
                if m is not None and code != "0.00":
                    st["separate"] += 1
                    finish(m, code, max_age)
            elif typ == NON:
                m = k.by_token.get(token)
                if m is not None and code != "0.00":
                    finish(m, code, max_age)
            elif typ == ACK:
                m = k.by_mid.get(mid)
                if m is None:
                    continue  # a duplicate ACK, or for a finished exchange
                if code == "0.00":
                    del k.by_mid[mid]
                    m.state = "sep"
                    arm(m, a.separate_wait)
                elif token == m.token:
                    finish(m, code, max_age)
            elif typ == RST:
                m = k.by_mid.get(mid)
                if m is not None:
                    finish(m, "rst")

    def expire(now):
        while timers and timers[0][0] <= now:
            due, _, m = heapq.heappop(timers)
            if due != m.due:
                continue
            if m.state == "ack" and m.tries < MAX_RETRANSMIT:
                m.tries += 1
                m.timeout *= 2
                st["retransmissions"] += 1
                m.sock.send(m.wire)
                arm(m, m.timeout)
            else:
                finish(m, "timeout")

    def fill():
        """Start what may start, the sockets in turn (one at a time when paced)."""
        nonlocal rr
        for i in range(len(socks)):
            k = socks[(rr + i) % len(socks)]
            before = nxt
            start(k)
            if a.rate and nxt != before:
                rr = (rr + i + 1) % len(socks)
                break

    def progress():
        if a.progress:
            tmp = a.progress + ".tmp"
            with open(tmp, "w") as f:
                f.write("%d %d\n" % (answered, st["acked"]))
            os.replace(tmp, a.progress)

    fill()
    last = 0.0
    while answered < st["sent"] or more():
        now = time.monotonic()
        if now - t0 > a.deadline:
            break
        wait = min(timers[0][0] - now, 0.2) if timers else 0.2
        if a.rate and more():
            wait = min(wait, next_due - now)
        for key, _ in sel.select(max(wait, 0)):
            receive(key.data)
        expire(time.monotonic())
        for k in socks:
            if k.paused_until and k.paused_until <= time.monotonic():
                k.paused_until = 0.0
                start(k)
        if a.rate:
            fill()
        if now - last >= 0.25:
            progress()
            last = now
    progress()
    st["unanswered"] = st["sent"] - answered
    st["unsent"] = 0 if not running else a.n - st["sent"]
    st["seconds"] = round(time.monotonic() - t0, 1)
    if a.acked:
        with open(a.acked, "w") as f:
            f.write("".join("%d\n" % s for s in sorted(acked)))
    print(json.dumps(st, sort_keys=True))
    return 0 if st["unanswered"] == 0 and st["unsent"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
