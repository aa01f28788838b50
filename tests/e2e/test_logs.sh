#!/bin/sh
# What the kiosk writes to syslog (the journal), read from a stand-in for
# /dev/log in a private mount namespace (root and unshare(1) needed; the
# machine's own /dev is untouched): ids, counts and reasons, never a
# client's name, birth date, phone or answer, whatever the server does;
# and `kiosk run` that cannot start logs why.
. "$(dirname "$0")/sync_lib.sh"

LISTEN=$E2E_ROOT/tests/tools/syslog_listen.py

if [ "$(id -u)" != 0 ] || ! unshare -m true 2>/dev/null; then
	echo "ok 1 - # SKIP needs root and unshare -m to stand in for /dev/log"
	exit 0
fi

# in_logged_ns SCRIPT: run the sh script with /dev/log captured into
# $T/syslog.txt (one message a line).
in_logged_ns() {
	cat >"$T/ns.sh" <<NS
set -e
mkdir -p "$T/dev"
mount -t tmpfs -o mode=755 tmpfs "$T/dev"
for n in null zero full random urandom tty; do
	: >"$T/dev/\$n"
	mount --bind "/dev/\$n" "$T/dev/\$n"
done
mkdir "$T/dev/pts"
mount --bind /dev/pts "$T/dev/pts"
ln -s pts/ptmx "$T/dev/ptmx"
mount --rbind "$T/dev" /dev
"$PY" "$LISTEN" /dev/log "$T/syslog.txt" &
listener=\$!
i=0
until [ -S /dev/log ]; do
	i=\$((i + 1))
	[ \$i -lt 100 ] || exit 9
	sleep 0.05
done
set +e
. "$1"
kill \$listener
wait \$listener
exit 0
NS
	unshare -m --propagation private sh "$T/ns.sh" >"$T/ns.out" 2>&1 ||
		fail "the namespace script failed: $(tail -5 "$T/ns.out")"
}

# PHI of the seeded intakes (tests/tools/seed_intakes.py) and of the form.
expect_no_phi() {
	for word in "Zoë" "Núñez" "O'Brien" "1990-04-12" "7700 900123" \
	    "pregnant" "breastfeeding"; do
		grep -qF -- "$word" "$T/syslog.txt" &&
			fail "syslog holds personal data ($word): $(grep -F -- "$word" "$T/syslog.txt" | head -3)"
	done
	return 0
}

t_sync_logs() {
	sync_server --fault 503x2 --fault 422
	sync_config interval_s=1 backoff_max_s=1
	seed 4
	cat >"$T/cmds.sh" <<CMDS
for pass in 1 2 3 4 5 6; do
	"$KIOSK" --config "$CFG" sync --once >/dev/null 2>&1 && break
	sleep 1.2
done
CMDS
	in_logged_ns "$T/cmds.sh"
	[ -s "$T/syslog.txt" ] || fail "nothing reached the stand-in /dev/log"
	grep -q "kiosk.*sync pass: [0-9]* sent" "$T/syslog.txt" ||
		fail "no sync summary line: $(head -5 "$T/syslog.txt")"
	grep -q "parked" "$T/syslog.txt" || fail "the 422 is not logged as parked"
	grep -qE "[0-9a-f]{8}-[0-9a-f]{4}-4" "$T/syslog.txt" ||
		fail "no intake id in the failures logged"
	expect_no_phi
}

t_out_of_order_logged() {
	printf '{"kiosk_id":"e2e-logs","state_dir":"state","form":"%s/missing.json"}\n' "$T" >"$CFG"
	cat >"$T/cmds.sh" <<CMDS
KIOSK_OUT_OF_ORDER_S=1 TERM=xterm script -qec "'$KIOSK' --config '$CFG' run" /dev/null >"$T/script.out" 2>&1
CMDS
	in_logged_ns "$T/cmds.sh"
	grep -q "out of order" "$T/script.out" ||
		fail "no out-of-order notice on the terminal: $(tail -c 300 "$T/script.out")"
	grep -q "cannot start: .*missing.json" "$T/syslog.txt" ||
		fail "the reason is not in syslog: $(cat "$T/syslog.txt")"
	grep -q "out of order (exit 78)" "$T/syslog.txt" ||
		fail "the out-of-order exit is not in syslog: $(cat "$T/syslog.txt")"
}

run_test "sync with 503, 422 and deliveries: a summary per pass, ids on failures, no personal data" t_sync_logs
run_test "kiosk run that cannot start logs why and that it is out of order" t_out_of_order_logged
