#!/usr/bin/env python3
"""devlog.py — a stand-in syslog for tests and the demo: binds an AF_UNIX datagram socket at
PATH (default /dev/log), appends every message received to OUT, and removes the socket when it
gets SIGTERM. Refuses to run if PATH already exists (a real syslog daemon is there)."""
import os
import signal
import socket
import sys

path = sys.argv[2] if len(sys.argv) > 2 else "/dev/log"
out = sys.argv[1]
if os.path.exists(path):
    sys.exit(f"devlog.py: {path} exists already; not replacing it")
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(path)
os.chmod(path, 0o666)


def stop(*_):
    try:
        os.unlink(path)
    finally:
        sys.exit(0)


signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)
with open(out, "a", buffering=1) as f:
    print("ready", file=sys.stderr, flush=True)
    while True:
        data = sock.recv(65536)
        f.write(data.decode("utf-8", "replace").rstrip("\n") + "\n")
