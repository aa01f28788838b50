#!/usr/bin/env python3
"""Start-up benchmark (run by tests/bench/startup.sh, not part of `make test`).

Time to first screen, measured with tmux control mode: a fresh tmux server
per run (`tmux -C new-session -x 80 -y 24 CMD`) and the time from starting
it to the first %output notification that holds the screen's text. For:

  tmux alone   `printf` of the marker: what tmux itself costs
  dialog       `dialog --yesno`, the reference for a plain curses program
  kiosk empty  `kiosk run` on an empty store
  kiosk 20000  `kiosk run` on a store holding 20,000 intakes (sent)

Median of RUNS runs each, interleaved; peak RSS (VmHWM) of the program once
its first screen is up.

usage: startup.py KIOSK [STORED]   (default 20000)
"""
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RUNS = int(os.environ.get("BENCH_RUNS", "11"))
WELCOME = b"check in"


def first_screen(cmd, marker, tag):
    """Seconds from starting tmux to marker on screen; peak RSS in KiB."""
    sock = f"kiosk-startup-{os.getpid()}-{tag}"
    env = dict(os.environ, TERM="xterm-256color", ESCDELAY="25")
    env.pop("TMUX", None)
    t0 = time.monotonic()
    p = subprocess.Popen(["tmux", "-L", sock, "-C", "new-session", "-x", "80",
                          "-y", "24", cmd], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, env=env)
    took = None
    seen = b""
    deadline = t0 + 20
    while time.monotonic() < deadline:
        line = p.stdout.readline()
        if not line:
            break
        if line.startswith(b"%output"):
            seen += line
            if marker in seen:
                took = time.monotonic() - t0
                break
    rss = 0
    if took is not None:
        pid = subprocess.run(["tmux", "-L", sock, "list-panes", "-F",
                              "#{pane_pid}"], stdout=subprocess.PIPE,
                             text=True, env=env).stdout.strip()
        try:
            for l in open(f"/proc/{pid}/status"):
                if l.startswith("VmHWM:"):
                    rss = int(l.split()[1])
        except OSError:
            pass
    subprocess.run(["tmux", "-L", sock, "kill-server"],
                   stderr=subprocess.DEVNULL, env=env)
    p.stdin.close()
    p.wait()
    if took is None:
        sys.exit(f"no first screen from: {cmd}")
    return took, rss


def kiosk_config(tmp, name, stored):
    d = os.path.join(tmp, name)
    os.makedirs(d)
    cfg = os.path.join(d, "kiosk.json")
    with open(cfg, "w") as f:
        f.write('{"kiosk_id": "bench", "state_dir": "state", "form": "%s",'
                ' "idle_timeout_s": 600,'
                ' "server": {"url": "https://127.0.0.1:9/api/kiosk/v1"}}'
                % os.path.join(ROOT, "etc", "forms", "microneedling.json"))
    subprocess.run([KIOSK, "--config", cfg, "status"], check=True,
                   stdout=subprocess.DEVNULL)
    if stored:
        db = os.path.join(d, "state", "kiosk.db")
        subprocess.run([sys.executable, os.path.join(ROOT, "tests", "tools",
                        "seed_intakes.py"), db, str(stored)], check=True)
        c = sqlite3.connect(db)
        with c:
            c.execute("UPDATE intakes SET sync_state = 'sent',"
                      " sent_at = completed_at, server_receipt = 'r'")
        c.close()
    return cfg


def median(v):
    return sorted(v)[len(v) // 2]


def main():
    global KIOSK
    KIOSK = os.path.abspath(sys.argv[1])
    stored = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    tmp = tempfile.mkdtemp(prefix="kiosk-startup-")
    try:
        empty = kiosk_config(tmp, "empty", 0)
        full = kiosk_config(tmp, "full", stored)
        # One run each first, so every file is in the page cache.
        cases = [
            ("tmux alone", "printf 'ready\\n'; exec sleep 30", b"ready"),
            ("dialog --yesno", "exec dialog --yesno 'Ready to check in?' 7 40",
             WELCOME),
            ("kiosk, empty store", f"exec {KIOSK} --config {empty}", WELCOME),
            (f"kiosk, {stored} intakes", f"exec {KIOSK} --config {full}",
             WELCOME),
        ]
        times = {c[0]: [] for c in cases}
        rss = {c[0]: [] for c in cases}
        for i in range(RUNS + 1):
            for j, (name, cmd, marker) in enumerate(cases):
                t, r = first_screen(cmd, marker, f"{i}-{j}")
                if i > 0:
                    times[name].append(t)
                    rss[name].append(r)
        print(f"time to first screen, median of {RUNS} interleaved runs "
              f"(tmux control mode, 80x24); load average "
              f"{os.getloadavg()[0]:.2f} ({os.cpu_count()} cores)")
        for name, _, _ in cases:
            print(f"  {name:<24} {median(times[name]) * 1000:7.1f} ms"
                  f"   peak RSS {median(rss[name]) / 1024:6.1f} MiB")
        base = median(times["tmux alone"])
        k0 = median(times["kiosk, empty store"])
        kn = median(times[f"kiosk, {stored} intakes"])
        dl = median(times["dialog --yesno"])
        print(f"  kiosk {stored} / empty store: {kn / k0:.2f}x "
              f"(target <= 1.2x)")
        print(f"  kiosk {stored} / dialog:      {kn / dl:.2f}x "
              f"(target <= 2x)")
        print(f"  beyond tmux alone: kiosk {stored} {(kn - base) * 1000:.1f} ms,"
              f" empty {(k0 - base) * 1000:.1f} ms, dialog "
              f"{(dl - base) * 1000:.1f} ms")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
