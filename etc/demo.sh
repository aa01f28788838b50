#!/bin/sh
# Start the kiosk on a local demo setup under var/demo/: a throw-away CA,
# the test clinic server on 127.0.0.1 (stopped when the kiosk exits) and a
# config pointing at it. The clinic's real config lives in
# /etc/kiosk/kiosk.json instead.
set -e
cd "$(dirname "$0")/.."
top=$(pwd)
demo=$top/var/demo
umask 077
mkdir -p "$demo/server"
chmod 700 "$demo"
if [ ! -t 0 ] || [ ! -t 1 ]; then
	echo "make run: the kiosk needs a terminal (run it from a shell window)" >&2
	exit 64
fi
[ -f "$demo/certs/ca.pem" ] || sh tests/server/mkcerts.sh "$demo/certs"

rm -f "$demo/server/port"
python3 tests/server/clinic_server.py --cert "$demo/certs/server.pem" \
	--key "$demo/certs/server.key" --token "@$demo/certs/token" \
	--port-file "$demo/server/port" --ledger "$demo/server/ledger.jsonl" \
	--received "$demo/server/received.jsonl" 2>"$demo/server/server.log" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null' EXIT INT TERM HUP
i=0
while [ ! -s "$demo/server/port" ]; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 $server 2>/dev/null; then
		echo "make run: the demo server did not start:" >&2
		cat "$demo/server/server.log" >&2
		exit 70
	fi
	sleep 0.1
done
port=$(cat "$demo/server/port")
[ -s "$demo/pin_hash" ] || echo 123456 | build/kiosk hash-pin >"$demo/pin_hash"
pin_hash=$(cat "$demo/pin_hash")

# The config holds a PIN hash: private to its owner, or the kiosk refuses it.
(umask 077 && : >"$demo/kiosk.json") && chmod 600 "$demo/kiosk.json"
cat >"$demo/kiosk.json" <<JSON
{
  "kiosk_id": "demo-1",
  "state_dir": "state",
  "form": "$top/etc/forms/microneedling.json",
  "idle_timeout_s": 90,
  "idle_warning_s": 20,
  "staff": { "members": [ { "name": "Demo", "pin_hash": "$pin_hash" } ] },
  "server": {
    "url": "https://127.0.0.1:$port/api/kiosk/v1",
    "ca_file": "certs/ca.pem",
    "token_file": "certs/token",
    "timeout_s": 10
  },
  "sync": { "interval_s": 10, "backoff_max_s": 60 },
  "retention_days": 7
}
JSON
build/kiosk --config "$demo/kiosk.json" check >/dev/null
rc=0
build/kiosk --config "$demo/kiosk.json" || rc=$?
echo "Demo kiosk stopped."
echo "  stored on the kiosk:   build/kiosk --config var/demo/kiosk.json export"
echo "  sync state:            build/kiosk --config var/demo/kiosk.json status"
echo "  received by the server: var/demo/server/received.jsonl"
exit $rc
