#!/usr/bin/env python3
"""Receive syslog datagrams on a Unix socket and append each, one a line,
to a file (a stand-in for syslogd at /dev/log in a private mount
namespace, so tests can read what the kiosk logs). Ends on SIGTERM.

usage: syslog_listen.py SOCKET OUTFILE
"""
import os
import signal
import socket
import sys


def main():
    path, out = sys.argv[1], sys.argv[2]
    if os.path.exists(path):
        os.unlink(path)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    os.chmod(path, 0o666)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with open(out, "ab", buffering=0) as f:
        while True:
            data = s.recv(65536)
            f.write(data.replace(b"\n", b" ") + b"\n")


if __name__ == "__main__":
    main()
