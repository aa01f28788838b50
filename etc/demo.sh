#!/bin/sh
# Start the kiosk on a local demo setup under var/demo/ (made on first
# run). The clinic's real config lives in /etc/kiosk/kiosk.json instead.
set -e
cd "$(dirname "$0")/.."
demo=var/demo
umask 077
mkdir -p "$demo"
chmod 700 "$demo"
if [ ! -f "$demo/kiosk.json" ]; then
	cat >"$demo/kiosk.json" <<JSON
{
  "kiosk_id": "demo-1",
  "state_dir": "state",
  "form": "../../etc/forms/microneedling.json",
  "idle_timeout_s": 90,
  "idle_warning_s": 20,
  "retention_days": 7
}
JSON
fi
if [ ! -t 0 ] || [ ! -t 1 ]; then
	echo "make run: the kiosk needs a terminal (run it from a shell window)" >&2
	exit 64
fi
build/kiosk --config "$demo/kiosk.json" check >/dev/null
rc=0
build/kiosk --config "$demo/kiosk.json" || rc=$?
echo "Demo kiosk stopped. Stored intakes: build/kiosk --config $demo/kiosk.json export"
exit $rc
