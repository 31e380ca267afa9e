#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The cluster test's remote control, on the host: the guest asks for a
RabbitMQ node to be stopped or started, one line at a time.

  control.py PORT RABBITMQ_SH

Listens on 127.0.0.1:PORT (the guest reaches it at 10.0.2.2:PORT through
QEMU's user network). A line "stop a" or "start b" runs RABBITMQ_SH with
those words (or "kill a": SIGKILL) and answers "ok SECONDS" or "fail STATUS SECONDS" when it is
done; "bye" ends the server.
"""
import socketserver
import subprocess
import sys
import time


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        for raw in self.rfile:
            words = raw.decode(errors="replace").split()
            if words == ["bye"]:
                self.wfile.write(b"ok 0\n")
                self.server.done = True
                return
            if len(words) != 2 or words[0] not in ("stop", "kill", "start") or words[1] not in ("a", "b"):
                self.wfile.write(b"fail usage 0\n")
                continue
            t0 = time.monotonic()
            try:
                rc = subprocess.run([sys.argv[2]] + words, stdin=subprocess.DEVNULL).returncode
            except OSError as e:
                print(f"# control: {sys.argv[2]}: {e}", file=sys.stderr, flush=True)
                rc = 126
            secs = time.monotonic() - t0
            print(f"# control: {' '.join(words)}: status {rc} after {secs:.1f} s",
                  file=sys.stderr, flush=True)
            answer = f"ok {secs:.1f}\n" if rc == 0 else f"fail {rc} {secs:.1f}\n"
            self.wfile.write(answer.encode())


class Server(socketserver.TCPServer):
    allow_reuse_address = True
    done = False


with Server(("127.0.0.1", int(sys.argv[1])), Handler) as srv:
    while not srv.done:
        srv.handle_request()
