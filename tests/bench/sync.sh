#!/bin/sh
# Benchmark: N intakes queued offline, drained by `kiosk sync --once` over
# one kept-alive TLS connection, beside a loop of the curl command posting
# the same payloads one process each, against the same test server in the
# same run. Prints intakes/second for both and the TLS handshakes the
# server saw. Usage: tests/bench/sync.sh [N]   (default 2000)
set -eu
n=${1:-2000}
cd "$(dirname "$0")/../.."
make -s build/kiosk
tmp=$(mktemp -d)
server=""
trap '[ -n "$server" ] && kill $server 2>/dev/null; rm -rf "$tmp"' EXIT
sh tests/server/mkcerts.sh "$tmp/certs"

start_server() {	# $1: name
	rm -f "$tmp/$1.port"
	python3 tests/server/clinic_server.py --cert "$tmp/certs/server.pem" \
		--key "$tmp/certs/server.key" --port-file "$tmp/$1.port" \
		--ledger "$tmp/$1.ledger" --received "$tmp/$1.received" &
	server=$!
	while [ ! -s "$tmp/$1.port" ]; do sleep 0.05; done
	port=$(cat "$tmp/$1.port")
}
stop_server() {
	kill $server; wait $server 2>/dev/null || true; server=""
}
handshakes() {	# distinct connections in a ledger
	python3 -c 'import json,sys; print(len({json.loads(l)["conn"] for l in open(sys.argv[1])}))' "$1"
}
now() { date +%s.%N; }

start_server kiosk
cat >"$tmp/kiosk.json" <<JSON
{"kiosk_id": "bench", "state_dir": "state",
 "form": "$(pwd)/etc/forms/microneedling.json",
 "server": {"url": "https://127.0.0.1:$port/api/kiosk/v1",
            "ca_file": "certs/ca.pem", "timeout_s": 30}}
JSON
build/kiosk --config "$tmp/kiosk.json" status >/dev/null
python3 tests/tools/seed_intakes.py "$tmp/state/kiosk.db" "$n" \
	--payloads "$tmp/payloads.jsonl"
t0=$(now)
build/kiosk --config "$tmp/kiosk.json" sync --once
t1=$(now)
k_hs=$(handshakes "$tmp/kiosk.ledger")
k_n=$(wc -l <"$tmp/kiosk.received")
stop_server

start_server curl
split -l 1 -a 5 "$tmp/payloads.jsonl" "$tmp/p."
t2=$(now)
for f in "$tmp"/p.*; do
	id=$(sed -n 's/^{"schema":"[^"]*","id":"\([^"]*\)".*/\1/p' "$f")
	curl -sS -o /dev/null --cacert "$tmp/certs/ca.pem" \
		-H 'Content-Type: application/json' -H 'Expect:' \
		-H "Idempotency-Key: \"$id\"" --data-binary "@$f" \
		"https://127.0.0.1:$port/api/kiosk/v1/intakes"
done
t3=$(now)
c_hs=$(handshakes "$tmp/curl.ledger")
c_n=$(wc -l <"$tmp/curl.received")
stop_server

python3 - "$n" "$t0" "$t1" "$k_hs" "$k_n" "$t2" "$t3" "$c_hs" "$c_n" <<'PY'
import sys
n, t0, t1, khs, kn, t2, t3, chs, cn = sys.argv[1:]
n = int(n)
k = float(t1) - float(t0)
c = float(t3) - float(t2)
print(f"intakes: {n}")
print(f"kiosk sync --once: {k:7.2f} s  {n / k:8.1f} intakes/s  "
      f"{khs} TLS handshakes  {kn} stored")
print(f"curl per intake:   {c:7.2f} s  {n / c:8.1f} intakes/s  "
      f"{chs} TLS handshakes  {cn} stored")
print(f"speed-up: {c / k:.1f}x")
PY
