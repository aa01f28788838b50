# tests/e2e/sync_lib.sh: helpers for the sync end-to-end tests (POSIX sh).
#
# Sourced by test_sync.sh (headless `kiosk sync`) and test_sync_ui.sh (the
# UI's own sync thread). On top of tests/e2e/lib.sh (run_test, $T, $CFG,
# tmux helpers) it gives each test its own test clinic server
# (tests/server, in $T/srv, with a ledger and a received file), a kiosk
# config pointing at it, seeded intakes, and polling helpers for the
# ledger, the received file and `kiosk status`. Certificates are made once
# per file and shared by its tests.
#
# A test calls sync_server (which also arranges for the server and any
# background `kiosk sync` to be stopped when the test ends, pass or fail),
# then sync_config, then drives the kiosk. `fail` here also prints the
# ledger, `kiosk status` (counts, last_error, alert) and the kiosk's and
# the server's stderr as "# " diagnostics.
#
# Nothing here sleeps to synchronise: every wait polls a file or a command
# until a deadline.

. "$(dirname "$0")/lib.sh"

CLINIC_SERVER_DIR=$E2E_ROOT/tests/server
. "$CLINIC_SERVER_DIR/lib.sh"
SEED=$E2E_ROOT/tests/tools/seed_intakes.py
CLINIC_CERTS=$e2e_tmp/certs
clinic_certs "$CLINIC_CERTS" >"$e2e_tmp/mkcerts.log" 2>&1 || {
	echo "not ok 1 - cannot make the test certificates"
	sed 's/^/# /' "$e2e_tmp/mkcerts.log"
	exit 1
}
SYNC_KIOSK_ID=e2e

# ---------------------------------------------------------------- diagnostics

# fail MESSAGE: as lib.sh's fail, plus what the sync tests need to see.
fail() {
	echo "FAIL: $*"
	sync_diag
	if [ -n "${SOCK:-}" ] && tmux -L "$SOCK" has-session 2>/dev/null; then
		echo "screen (80 columns, '|' marks the edges):"
		tmux -L "$SOCK" capture-pane -p -t k | sed 's/^/|/; s/$/|/'
	fi
	exit 1
}

sync_diag() {
	if [ -s "$T/srv/ledger" ]; then
		echo "ledger ($(wc -l <"$T/srv/ledger") requests, the last 15):"
		tail -n 15 "$T/srv/ledger" | sed 's/^/  /'
	else
		echo "ledger: no requests"
	fi
	if [ -f "$T/srv/received" ]; then
		echo "received: $(wc -l <"$T/srv/received") records"
	fi
	if [ -s "$T/srv/conns" ]; then
		echo "server connections (the last 5):"
		tail -n 5 "$T/srv/conns" | sed 's/^/  /'
	fi
	if [ -f "$CFG" ] && [ -d "$T/state" ]; then
		echo "kiosk status:"
		"$KIOSK_CLI" --config "$CFG" status 2>&1 | sed 's/^/  /'
		echo "export (intake ids):"
		"$KIOSK_CLI" --config "$CFG" export >"$T/export.diag" 2>&1
		jsonl "$T/export.diag" "'\\n'.join('  ' + d['id'] for d in L[:5])"
	fi
	for f in "$T"/*.err "$T/srv/stderr"; do
		[ -s "$f" ] || continue
		echo "$(basename "$f") (the last 15 lines):"
		tail -n 15 "$f" | sed 's/^/  /'
	done
}

# ---------------------------------------------------------------- time

# Milliseconds since the epoch (GNU date).
now_ms() {
	date +%s%3N
}

# wait_until SECONDS WHAT COMMAND...: poll COMMAND (every 0.05 s) until it
# succeeds; fail naming WHAT at the deadline.
wait_until() {
	_wu_end=$(($(now_ms) + $1 * 1000))
	_wu_s=$1
	_wu_what=$2
	shift 2
	while ! "$@"; do
		[ "$(now_ms)" -ge "$_wu_end" ] &&
			fail "timed out after $_wu_s s waiting for: $_wu_what"
		sleep 0.05
	done
}

# ---------------------------------------------------------------- the server

# sync_server [clinic_server.py options...]: this test's server in $T/srv,
# with a received file and the shared bearer token. Sets $clinic_url,
# $clinic_port. The first call also arranges the clean-up at the test's end.
sync_server() {
	if [ -z "${sync_trap:-}" ]; then
		sync_trap=1
		trap 'sync_cleanup' EXIT
	fi
	clinic_start "$T/srv" --received "$T/srv/received" \
	    --token "@$CLINIC_CERTS/token" "$@" ||
		fail "the test clinic server did not start: $*"
}

# sync_server_stop: SIGTERM and wait.
sync_server_stop() {
	clinic_stop "$T/srv"
}

sync_cleanup() {
	sync_bg_stop quiet
	clinic_stop "$T/srv"
}

# ---------------------------------------------------------------- config

# sync_config [KEY=VALUE...]: write $CFG for this test's server and create
# the store (`kiosk status`). Keys: url, ca_file, token_file, timeout_s,
# interval_s, backoff_max_s, extra (more "server" members, JSON, with a
# leading comma), store (no: do not run `kiosk status`, for a config the
# kiosk must refuse).
sync_config() {
	c_url=$clinic_url
	c_ca=$CLINIC_CERTS/ca.pem
	c_token=$CLINIC_CERTS/token
	c_timeout=3
	c_interval=1
	c_backoff=4
	c_extra=
	c_store=yes
	for a in "$@"; do
		case $a in
		url=*) c_url=${a#*=} ;;
		ca_file=*) c_ca=${a#*=} ;;
		token_file=*) c_token=${a#*=} ;;
		timeout_s=*) c_timeout=${a#*=} ;;
		interval_s=*) c_interval=${a#*=} ;;
		backoff_max_s=*) c_backoff=${a#*=} ;;
		extra=*) c_extra=${a#*=} ;;
		store=*) c_store=${a#*=} ;;
		*) fail "sync_config: unknown setting $a" ;;
		esac
	done
	cat >"$CFG" <<EOF
{"kiosk_id":"$SYNC_KIOSK_ID","state_dir":"state","form":"$FORM",
 "server":{"url":"$c_url","ca_file":"$c_ca","token_file":"$c_token",
           "timeout_s":$c_timeout$c_extra},
 "sync":{"interval_s":$c_interval,"backoff_max_s":$c_backoff}}
EOF
	[ "$c_store" = yes ] || return 0
	"$KIOSK_CLI" --config "$CFG" status >"$T/status.txt" 2>&1 ||
		fail "kiosk status (to create the store) failed: $(cat "$T/status.txt")"
}

# seed N: queue N completed intakes; their payloads (one JSON line each,
# byte for byte what the kiosk stores) are appended to $T/payloads.
seed() {
	"$PYTHON" "$SEED" "$T/state/kiosk.db" "$1" --kiosk-id "$SYNC_KIOSK_ID" \
	    --payloads "$T/payloads.new" || fail "seed_intakes.py $1 failed"
	cat "$T/payloads.new" >>"$T/payloads"
	rm -f "$T/payloads.new"
}

# The id of the Nth seeded intake (default the first).
seeded_id() {
	jsonl "$T/payloads" "L[${1:-1} - 1]['id']"
}

# ---------------------------------------------------------------- the kiosk

sync_env() {
	ASAN_OPTIONS="log_path=$T/asan:detect_leaks=1" \
	UBSAN_OPTIONS="log_path=$T/ubsan:print_stacktrace=1" "$@"
}

# kiosk_cmd NAME ARGS...: the ASan kiosk with $CFG and no terminal; output
# in $T/NAME.out and $T/NAME.err; sets $rc and $secs (wall time, seconds
# with one decimal). A sanitizer message on stderr fails the test.
kiosk_cmd() {
	_kn=$1
	shift
	_k0=$(now_ms)
	sync_env "$KIOSK" --config "$CFG" "$@" >"$T/$_kn.out" 2>"$T/$_kn.err" </dev/null
	rc=$?
	_k1=$(now_ms)
	secs=$(( (_k1 - _k0) / 1000 )).$(( (_k1 - _k0) % 1000 / 100 ))
	sanitizer_check "$T/$_kn.err"
}

sanitizer_check() {
	if grep -q 'Sanitizer\|runtime error:' "$1" 2>/dev/null; then
		fail "sanitizer report on the kiosk's stderr ($1): $(head -20 "$1")"
	fi
}

# sync_once: `kiosk sync --once`; $rc, $secs, $T/once.{out,err}.
sync_once() {
	kiosk_cmd once sync --once
}

# expect_rc N [WHAT]: the last kiosk_cmd exited N.
expect_rc() {
	[ "$rc" = "$1" ] ||
		fail "${2:-the kiosk} exited $rc, expected $1; stderr: $(cat "$T/$_kn.err")"
}

# sync_bg: `kiosk sync` (the loop) in the background; its pid in
# $T/sync.pid, output appended to $T/sync.out and $T/sync.err.
sync_bg() {
	# exec: $! must be the kiosk itself, not a shell around it.
	(
		ASAN_OPTIONS="log_path=$T/asan:detect_leaks=1"
		UBSAN_OPTIONS="log_path=$T/ubsan:print_stacktrace=1"
		export ASAN_OPTIONS UBSAN_OPTIONS
		exec "$KIOSK" --config "$CFG" sync
	) >>"$T/sync.out" 2>>"$T/sync.err" </dev/null &
	echo $! >"$T/sync.pid"
}

# sync_bg_stop [quiet]: SIGTERM the background `kiosk sync`; it must exit 0
# within 10 s (fails the test otherwise, unless quiet).
sync_bg_stop() {
	_bp=$(cat "$T/sync.pid" 2>/dev/null) || return 0
	rm -f "$T/sync.pid"
	kill -TERM "$_bp" 2>/dev/null || { wait "$_bp" 2>/dev/null; return 0; }
	_be=$(($(now_ms) + 10000))
	while kill -0 "$_bp" 2>/dev/null; do
		if [ "$(now_ms)" -ge "$_be" ]; then
			kill -KILL "$_bp" 2>/dev/null
			wait "$_bp" 2>/dev/null
			[ -n "${1:-}" ] || fail "kiosk sync did not exit within 10 s of SIGTERM"
			echo "FAIL: kiosk sync did not exit within 10 s of SIGTERM"
			return 1
		fi
		sleep 0.05
	done
	wait "$_bp"
	_brc=$?
	sanitizer_check "$T/sync.err"
	if [ "$_brc" != 0 ]; then
		[ -n "${1:-}" ] || fail "kiosk sync exited $_brc on SIGTERM, expected 0"
		echo "FAIL: kiosk sync exited $_brc on SIGTERM, expected 0"
		return 1
	fi
	return 0
}

# sync_bg_kill9: SIGKILL the background `kiosk sync` (a power cut).
sync_bg_kill9() {
	_bp=$(cat "$T/sync.pid" 2>/dev/null) || fail "no kiosk sync running"
	rm -f "$T/sync.pid"
	kill -KILL "$_bp" 2>/dev/null
	wait "$_bp" 2>/dev/null
}

# ---------------------------------------------------------------- status

# kstatus: `kiosk status` into $T/status.txt (must exit 0).
kstatus() {
	sync_env "$KIOSK" --config "$CFG" status >"$T/status.txt" 2>"$T/status.err" </dev/null ||
		fail "kiosk status exited $?: $(cat "$T/status.err")"
	sanitizer_check "$T/status.err"
}

# sent_is N: `kiosk status` says sent: N.
sent_is() {
	kstatus
	[ "$(status_value sent)" = "$1" ]
}

# wait_sent N [SECONDS]: poll `kiosk status` until it says sent: N. (The
# server stores a record before it answers: wait for this, not for the
# received file, before stopping a kiosk that is still to record it.)
wait_sent() {
	wait_until "${2:-10}" "kiosk status to say sent: $1" sent_is "$1"
}

# status_value NAME: the value of "NAME: ..." in the last kstatus.
status_value() {
	sed -n "s/^$1: //p" "$T/status.txt" | head -1
}

# expect_status NAME VALUE...: fresh `kiosk status`, each NAME is VALUE.
expect_status() {
	kstatus
	while [ $# -ge 2 ]; do
		[ "$(status_value "$1")" = "$2" ] ||
			fail "kiosk status: expected '$1: $2', got '$1: $(status_value "$1")'"
		shift 2
	done
}

# expect_status_says NAME REGEX: the last kstatus's NAME line matches
# (grep -i, basic regex).
expect_status_says() {
	status_value "$1" | grep -qi -- "$2" ||
		fail "kiosk status: '$1' should match /$2/; it is '$(status_value "$1")'"
}

# ---------------------------------------------------------------- server records

# received_count: records in the received file.
received_count() {
	if [ -f "$T/srv/received" ]; then wc -l <"$T/srv/received" | tr -d ' '; else echo 0; fi
}

received_is() {	# received_is N
	[ "$(received_count)" = "$1" ]
}

ledger_count() {	# ledger_count [GREP-PATTERN]
	clinic_requests "$T/srv" "$@"
}

ledger_has() {	# ledger_has PATTERN [N]: at least N (1) matching lines
	[ "$(clinic_requests "$T/srv" "$1")" -ge "${2:-1}" ]
}

# jsonl FILE EXPR: evaluate a Python expression over L, the list of JSON
# objects in FILE (empty when there is no file), and print it.
jsonl() {
	"$PYTHON" - "$1" "$2" <<'EOF'
import json, sys
try:
    L = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
except FileNotFoundError:
    L = []
r = eval(sys.argv[2])
print(" ".join(map(str, r)) if isinstance(r, (list, tuple)) else r)
EOF
}

# ledger_statuses ID: the statuses of the requests for ID, in order
# ("-" for none: a hang, reset or garbage).
ledger_statuses() {
	jsonl "$T/srv/ledger" "[l['status'] if l['status'] is not None else '-' for l in L if l['id'] == '$1']"
}

# expect_delivered_once ID: the received file holds exactly one record,
# the intake ID, byte for byte what the kiosk stored.
expect_delivered_once() {
	received_is 1 || fail "received holds $(received_count) records, expected 1"
	_got=$(jsonl "$T/srv/received" "L[0]['key'] + ' ' + L[0]['sha256']")
	_want="$1 $(grep -F "\"id\":\"$1\"" "$T/payloads" | tr -d '\n' | sha256sum | cut -d' ' -f1)"
	[ "$_got" = "$_want" ] ||
		fail "received key/sha256 '$_got', expected '$_want' (the stored payload)"
	[ "$(ledger_count '"status":201')" = 1 ] ||
		fail "the ledger has $(ledger_count '"status":201') answers 201, expected 1"
}
