#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Hostile traffic for tests/e2e/hostile.sh.

  hostile.py capture IFACE PREFIX OUT   count UDP payload bytes to and from
                                        PREFIX (an IPv4 /24 like
                                        198.51.100.) until SIGTERM, then
                                        write "rx N" / "tx N" lines to OUT
  hostile.py spoof GW PREFIX COUNT      COUNT spoofed datagrams (raw socket)
                                        from PREFIX.1-254: GETs, duplicates,
                                        late blocks, Observe registrations,
                                        garbage
  hostile.py flood GW LOCAL SECONDS     CON GETs of /big with fresh Message
                                        IDs as fast as it goes; prints sent
  hostile.py good GW LOCAL SECONDS      a GET of /temp every 0.1 s, each
                                        waited for 1 s; prints
                                        "sent N answered M longest-gap S"
"""
import os
import random
import signal
import socket
import struct
import sys
import time

CON, NON = 0, 1
GET = 1
# What the spoofed sources send; kind i comes from PREFIX.(25 i + 1..25),
# so the capture can tell the paths apart.
KINDS = ['wk', 'big', 'dup', 'late', 'obs', 'obs_non', 'garbage', 'min',
         'non_big', 'echo']


def kind_of(addr):
    i = (int(addr.rsplit('.', 1)[1]) - 1) // 25
    return KINDS[i] if 0 <= i < len(KINDS) else 'other'


def opt(delta, val):
    def ext(n):
        if n < 13:
            return n, b''
        if n < 269:
            return 13, bytes([n - 13])
        return 14, struct.pack('!H', n - 269)
    d, dx = ext(delta)
    n, nx = ext(len(val))
    return bytes([(d << 4) | n]) + dx + nx + val


def coap(typ, code, mid, token=b'', opts=(), payload=b''):
    """opts: (number, value) pairs, any order."""
    out = bytes([0x40 | (typ << 4) | len(token), code, mid >> 8, mid & 255])
    out += token
    last = 0
    for num, val in sorted(opts, key=lambda o: o[0]):
        out += opt(num - last, val)
        last = num
    if payload:
        out += b'\xff' + payload
    return out


def path(p):
    return [(11, s.encode()) for s in p.strip('/').split('/')]


def capture(iface, prefix, out):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
    s.bind((iface, 0))
    s.settimeout(0.2)
    tot = {'rx': 0, 'tx': 0, 'rx_pkts': 0, 'tx_pkts': 0}
    for k in KINDS + ['other']:
        tot['rx-' + k] = tot['tx-' + k] = 0
    stop = []
    signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
    with open(out + '.ready', 'w'):
        pass
    while not stop:
        try:
            f = s.recv(65535)
        except socket.timeout:
            continue
        except InterruptedError:
            continue
        if len(f) < 14 + 20 + 8 or f[12:14] != b'\x08\x00' or f[23] != 17:
            continue
        ihl = (f[14] & 15) * 4
        src = socket.inet_ntoa(f[26:30])
        dst = socket.inet_ntoa(f[30:34])
        ulen = struct.unpack('!H', f[14 + ihl + 4:14 + ihl + 6])[0] - 8
        if src.startswith(prefix):
            tot['rx'] += ulen
            tot['rx_pkts'] += 1
            tot['rx-' + kind_of(src)] += ulen
        elif dst.startswith(prefix):
            tot['tx'] += ulen
            tot['tx_pkts'] += 1
            tot['tx-' + kind_of(dst)] += ulen
    with open(out, 'w') as f:
        for k, v in tot.items():
            f.write(f'{k} {v}\n')


def ip4udp(src, dst, sport, dport, payload):
    ulen = 8 + len(payload)
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + ulen, random.getrandbits(16),
                     0, 64, 17, 0, socket.inet_aton(src), socket.inet_aton(dst))
    # UDP checksum 0: none, which IPv4 allows.
    return ip + struct.pack('!HHHH', sport, dport, ulen, 0) + payload


def spoof(gw, prefix, count):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    rnd = random.Random(7)
    sent = dict.fromkeys(KINDS, 0)
    for i in range(count):
        k = i % len(KINDS)
        kind = KINDS[k]
        src = f'{prefix}{25 * k + rnd.randint(1, 25)}'
        sport = rnd.randint(1024, 65535)
        mid = rnd.getrandbits(16)
        tok = bytes(rnd.getrandbits(8) for _ in range(rnd.randint(0, 8)))
        copies = 1
        if kind == 'wk':
            m = coap(CON, GET, mid, tok, path('/.well-known/core'))
        elif kind == 'big':
            m = coap(CON, GET, mid, tok, path('/big'))
        elif kind == 'dup':
            m = coap(CON, GET, mid, tok, path('/.well-known/core'))
            copies = 5
        elif kind == 'late':
            m = coap(CON, GET, mid, tok, path('/.well-known/core') +
                     [(23, bytes([(3 << 4) | 6]))])
        elif kind == 'obs':
            m = coap(CON, GET, mid, tok or b'\x01', path('/temp') + [(6, b'')])
        elif kind == 'obs_non':
            m = coap(NON, GET, mid, tok or b'\x02', path('/temp') + [(6, b'')])
        elif kind == 'garbage':
            m = bytes(rnd.getrandbits(8) for _ in range(rnd.randint(1, 60)))
        elif kind == 'min':
            m = coap(CON, GET, mid)
        elif kind == 'non_big':
            m = coap(NON, GET, mid, tok, path('/big'))
        else:   # a forged Echo value
            m = coap(CON, GET, mid, tok, path('/big') + [(252, os.urandom(8))])
        for _ in range(copies):
            s.sendto(ip4udp(src, gw, sport, 5683, m), (gw, 0))
        sent[kind] += copies
        if i % 50 == 49:
            time.sleep(0.01)
    print(' '.join(f'{k}={v}' for k, v in sent.items()))


def flood(gw, local, secs):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((local, 0))
    s.setblocking(False)
    end = time.monotonic() + float(secs)
    n = 0
    mid = 0
    while time.monotonic() < end:
        for _ in range(100):
            mid = (mid + 1) & 0xffff
            try:
                s.sendto(coap(CON, GET, mid, b'\xf1', path('/big')), (gw, 5683))
                n += 1
            except BlockingIOError:
                time.sleep(0.001)
        try:
            while s.recv(2048):     # drain, never read
                pass
        except BlockingIOError:
            pass
    print(n)


def good(gw, local, secs):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((local, 0))
    end = time.monotonic() + float(secs)
    sent = answered = 0
    last = time.monotonic()
    gap = 0.0
    mid = random.getrandbits(16)
    while time.monotonic() < end:
        mid = (mid + 1) & 0xffff
        tok = struct.pack('!H', mid)
        s.sendto(coap(CON, GET, mid, tok, path('/temp')), (gw, 5683))
        sent += 1
        s.settimeout(1.0)
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            try:
                r = s.recv(2048)
            except socket.timeout:
                break
            if len(r) >= 4 and r[2:4] == struct.pack('!H', mid) and r[1] == 0x45:
                answered += 1
                now = time.monotonic()
                gap = max(gap, now - last)
                last = now
                break
        time.sleep(0.1)
    print(f'sent {sent} answered {answered} longest-gap {gap:.1f}')


if __name__ == '__main__':
    cmd, args = sys.argv[1], sys.argv[2:]
    {'capture': capture, 'spoof': lambda g, p, c: spoof(g, p, int(c)),
     'flood': flood, 'good': good}[cmd](*args)
