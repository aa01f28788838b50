#!/usr/bin/env python3
"""Sync benchmark (run by tests/bench/sync.sh, not part of `make test`).

Against nginx with an njs handler that parses each posted intake and
answers 201 with a receipt naming it (tests/bench/intake.js), on 127.0.0.1
with a throw-away CA, in one run, for each queue size:

  bare     the C reference client: one reused libcurl handle, the kiosk's
           headers and payloads, each receipt checked (refclient.c)
  durable  the same plus one synchronous=FULL SQLite commit per record:
           the floor for a durable queue
  kiosk    `kiosk sync --once` draining a store where every intake shares
           one due time ("equal", as after "Sync now") and where due times
           are spread one second apart ("spread")
  curl     the curl command once per intake (a process and a TLS
           handshake each), on a sample, extrapolated

and prints intakes/s, the ratios, and CPU time per intake.

usage: sync_bench.py KIOSK REFCLIENT [SIZE...]   (default 500 2000 20000)
"""
import os
import resource
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CURL_SAMPLE = 200
RUNS = int(os.environ.get("BENCH_RUNS", "3"))	# median of this many runs


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_nginx(tmp, certs):
    d = os.path.join(tmp, "nginx")
    os.makedirs(os.path.join(d, "logs"))
    shutil.copy(os.path.join(ROOT, "tests", "bench", "intake.js"), d)
    port = free_port()
    user = "user root root;" if os.geteuid() == 0 else ""
    conf = f"""
load_module /usr/lib/nginx/modules/ngx_http_js_module.so;
{user}
daemon off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/logs/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {d}/body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    js_path {d};
    js_import intake from intake.js;
    keepalive_requests 1000000;
    keepalive_timeout 120s;
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {certs}/server.pem;
        ssl_certificate_key {certs}/server.key;
        client_body_buffer_size 64k;
        client_max_body_size 64k;
        client_body_in_single_buffer on;
        location = /api/kiosk/v1/intakes {{ js_content intake.post; }}
    }}
}}
"""
    with open(os.path.join(d, "nginx.conf"), "w") as f:
        f.write(conf)
    p = subprocess.Popen(["nginx", "-p", d, "-c", os.path.join(d, "nginx.conf"),
                          "-e", os.path.join(d, "logs", "error.log")])
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return p, port
        except OSError:
            time.sleep(0.05)
    p.kill()
    sys.exit("nginx did not start: see " + os.path.join(d, "logs", "error.log"))


def run_measured(cmd, **kw):
    """Run cmd; (wall seconds, CPU seconds of the child, stdout)."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, **kw)
    t1 = time.monotonic()
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} exited {p.returncode}: {p.stderr[-2000:]}")
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return t1 - t0, cpu, p.stdout


def kiosk_store(kiosk, tmp, name, url, n, spread):
    """A config and a store with n queued intakes; (config, payloads)."""
    d = os.path.join(tmp, name)
    os.makedirs(d)
    cfg = os.path.join(d, "kiosk.json")
    with open(cfg, "w") as f:
        f.write('{"kiosk_id": "bench", "state_dir": "state", "form": "%s",'
                ' "server": {"url": "%s", "ca_file": "%s", "timeout_s": 30}}'
                % (os.path.join(ROOT, "etc", "forms", "microneedling.json"),
                   url, os.path.join(tmp, "certs", "ca.pem")))
    subprocess.run([kiosk, "--config", cfg, "status"], check=True,
                   stdout=subprocess.DEVNULL)
    db = os.path.join(d, "state", "kiosk.db")
    payloads = os.path.join(d, "payloads.jsonl")
    subprocess.run([sys.executable, os.path.join(ROOT, "tests", "tools",
                    "seed_intakes.py"), db, str(n), "--kiosk-id", "bench",
                    "--payloads", payloads], check=True)
    if spread:
        c = sqlite3.connect(db)
        with c:
            c.execute("UPDATE intakes SET next_attempt_at ="
                      " next_attempt_at - ? + rowid", (n + 1,))
        c.close()
    return cfg, payloads


def fresh_copy(cfg, i):
    """A copy of the queued store next to cfg, for run i; its config."""
    d = os.path.dirname(cfg)
    run = os.path.join(d, f"run{i}")
    shutil.copytree(os.path.join(d, "state"), os.path.join(run, "state"))
    shutil.copy(cfg, run)
    return os.path.join(run, "kiosk.json")


def sent_count(kiosk, cfg):
    out = subprocess.run([kiosk, "--config", cfg, "status"], check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    for line in out.splitlines():
        if line.startswith("sent: "):
            return int(line[6:])
    return -1


def curl_loop(tmp, url, payloads, sample):
    lines = open(payloads, encoding="utf-8").read().splitlines()[:sample]
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    for i, line in enumerate(lines):
        f = os.path.join(tmp, "curl-body.json")
        with open(f, "w", encoding="utf-8") as out:
            out.write(line)
        iid = line.split('"id":"', 1)[1].split('"', 1)[0]
        subprocess.run(["curl", "-sS", "-o", "/dev/null", "--cacert",
                        os.path.join(tmp, "certs", "ca.pem"),
                        "-H", "Content-Type: application/json",
                        "-H", "Expect:", "-H", f'Idempotency-Key: "{iid}"',
                        "--data-binary", "@" + f, url + "/intakes"],
                       check=True)
    t1 = time.monotonic()
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return len(lines), t1 - t0, cpu


def main():
    kiosk, refclient = sys.argv[1], sys.argv[2]
    sizes = [int(a) for a in sys.argv[3:]] or [500, 2000, 20000]
    tmp = tempfile.mkdtemp(prefix="kiosk-bench-")
    nginx = None
    try:
        subprocess.run(["sh", os.path.join(ROOT, "tests", "server",
                        "mkcerts.sh"), os.path.join(tmp, "certs")],
                       check=True, stdout=subprocess.DEVNULL)
        nginx, port = start_nginx(tmp, os.path.join(tmp, "certs"))
        url = f"https://127.0.0.1:{port}/api/kiosk/v1"
        print(f"server: nginx {nginx_version()} + njs on 127.0.0.1:{port}, "
              f"1 worker, TLS with a test CA; load average "
              f"{os.getloadavg()[0]:.2f} at start ({os.cpu_count()} cores)")
        # The fixed cost of a run (start, open, one TLS handshake): one
        # intake; CPU per intake is also given net of it.
        fixed = []
        for i in range(RUNS):
            cfg1, _ = kiosk_store(kiosk, tmp, f"fixed-{i}", url, 1, False)
            fixed.append(run_measured([kiosk, "--config", cfg1, "sync",
                                       "--once"])[1])
        global FIXED_CPU
        FIXED_CPU = sorted(fixed)[len(fixed) // 2]
        print(f"kiosk sync --once with 1 intake: {FIXED_CPU * 1000:.1f} ms "
              f"CPU (start-up, store open, TLS handshake)")
        rows = []
        for n in sizes:
            row = {"n": n}
            cfg_e, payloads = kiosk_store(kiosk, tmp, f"equal-{n}", url, n,
                                          False)
            cfg_s, _ = kiosk_store(kiosk, tmp, f"spread-{n}", url, n, True)
            runs = {k: [] for k in ("bare", "durable", "equal", "spread")}
            ca = os.path.join(tmp, "certs", "ca.pem")
            nruns = RUNS if n > 2000 else RUNS + 2	# small runs are noisier
            for i in range(nruns):	# interleaved, so load hits each alike
                w, c, out = run_measured([refclient, url + "/intakes", ca,
                                          payloads])
                ok, w, c = out.split()
                runs["bare"].append((int(ok), float(w), float(c)))
                db = os.path.join(tmp, f"ref-{n}-{i}.db")
                w, c, out = run_measured([refclient, url + "/intakes", ca,
                                          payloads, "--durable", db])
                ok, w, c = out.split()
                runs["durable"].append((int(ok), float(w), float(c)))
                for shape, cfg in (("equal", cfg_e), ("spread", cfg_s)):
                    fresh = fresh_copy(cfg, i)
                    w, c, _ = run_measured([kiosk, "--config", fresh, "sync",
                                            "--once"])
                    got = sent_count(kiosk, fresh)
                    if got != n:
                        sys.exit(f"kiosk {shape} {n}: {got} sent, "
                                 f"expected {n}")
                    runs[shape].append((n, w, c))
            for k, v in runs.items():
                row[k] = sorted(v, key=lambda t: t[1])[len(v) // 2]
            row["runs"] = runs["bare"]
            row["curl"] = curl_loop(tmp, url, payloads, min(n, CURL_SAMPLE))
            rows.append(row)
            report(row)
        summary(rows)
        print(f"load average {os.getloadavg()[0]:.2f} at the end")
    finally:
        if nginx is not None:
            nginx.terminate()
            nginx.wait()
        shutil.rmtree(tmp, ignore_errors=True)


def nginx_version():
    p = subprocess.run(["nginx", "-v"], stderr=subprocess.PIPE, text=True)
    return p.stderr.strip().split("/")[-1]


FIXED_CPU = 0.0


def net_cpu_ms(t):
    """CPU ms per intake beyond the fixed cost of a run."""
    n, _, cpu = t
    return max(cpu - FIXED_CPU, 0.0) / max(n - 1, 1) * 1000


def rate(t):
    n, wall, _ = t
    return n / wall


def report(row):
    n = row["n"]
    print(f"\nqueue of {n} intakes (median of {len(row['runs'])} "
          f"interleaved runs)")
    labels = (("bare", "bare libcurl loop (reference)"),
              ("durable", "libcurl + 1 FULL commit/record (floor)"),
              ("equal", "kiosk sync --once, equal due times"),
              ("spread", "kiosk sync --once, spread due times"),
              ("curl", f"curl process per intake (sample of "
                       f"{row['curl'][0]}, extrapolated)"))
    for key, label in labels:
        cnt, wall, cpu = row[key]
        net = (f" ({net_cpu_ms(row[key]):.3f} net of start-up)"
               if key in ("equal", "spread") else "")
        print(f"  {label:<52} {cnt / wall:8.0f} intakes/s"
              f"  {cpu / cnt * 1000:6.3f} ms CPU/intake{net}")
    for shape in ("equal", "spread"):
        print(f"  kiosk {shape:<6}: {rate(row[shape]) / rate(row['durable']):.2f}x"
              f" the durable floor, {rate(row[shape]) / rate(row['bare']):.2f}x"
              f" the bare loop, {rate(row[shape]) / rate(row['curl']):.1f}x"
              f" curl per intake")


def summary(rows):
    print("\nsummary (targets: kiosk >= 1.0x floor, >= 0.6x bare, CPU per "
          "intake flat within 20%)")
    for shape in ("equal", "spread"):
        cpus = [r[shape][2] / r[shape][0] * 1000 for r in rows]
        nets = [net_cpu_ms(r[shape]) for r in rows]
        floor = min(rate(r[shape]) / rate(r["durable"]) for r in rows)
        bare = min(rate(r[shape]) / rate(r["bare"]) for r in rows)
        print(f"  {shape:<6}: worst {floor:.2f}x floor, worst {bare:.2f}x "
              f"bare; CPU/intake {' '.join('%.3f' % c for c in cpus)} ms "
              f"(max/min {max(cpus) / min(cpus):.2f}), net of start-up "
              f"{' '.join('%.3f' % c for c in nets)} ms "
              f"(max/min {max(nets) / max(min(nets), 1e-9):.2f})")


if __name__ == "__main__":
    main()
