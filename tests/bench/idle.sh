#!/bin/sh
# Measure what the kiosk costs while nobody touches it: CPU time and
# wake-ups (context switches) over a quiet interval, on the welcome page
# and in the middle of a check-in (a form page with the idle timer armed),
# with the sync thread running against the test server.
# Usage: tests/bench/idle.sh [SECONDS]   (default 10)
set -eu
secs=${1:-10}
cd "$(dirname "$0")/../.."
make -s build/kiosk
tmp=$(mktemp -d)
sock="idle-bench-$$"
. tests/server/lib.sh
trap 'tmux -L "$sock" kill-server 2>/dev/null || true; clinic_stop "$tmp/srv" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
clinic_certs "$tmp/certs"
clinic_start "$tmp/srv"
cat >"$tmp/kiosk.json" <<JSON
{"kiosk_id": "idle", "state_dir": "state",
 "form": "$(pwd)/etc/forms/microneedling.json", "idle_timeout_s": 600,
 "server": {"url": "$clinic_url", "ca_file": "certs/ca.pem"},
 "sync": {"interval_s": 30}}
JSON
tmux -L "$sock" new-session -d -x 80 -y 24 \
	"ESCDELAY=25 exec build/kiosk --config $tmp/kiosk.json"
pid=""
while [ -z "$pid" ]; do sleep 0.05
	pid=$(tmux -L "$sock" list-panes -F '#{pane_pid}')
done
until tmux -L "$sock" capture-pane -p | grep -q "check in"; do sleep 0.05; done

sample() {	# label: CPU ms and context switches over $secs seconds
	t0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
	c0=$(awk '/ctxt_switches/ {n += $2} END {print n}' /proc/$pid/task/*/status)
	sleep "$secs"
	t1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
	c1=$(awk '/ctxt_switches/ {n += $2} END {print n}' /proc/$pid/task/*/status)
	hz=$(getconf CLK_TCK)
	echo "$1: $(( (t1 - t0) * 1000 / hz )) ms CPU, $((c1 - c0)) context switches in ${secs} s"
}
sample "welcome page"
tmux -L "$sock" send-keys Enter Enter
until tmux -L "$sock" capture-pane -p | grep -q "First name"; do sleep 0.05; done
sample "form page, idle timer armed"
