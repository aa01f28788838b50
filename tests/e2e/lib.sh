# tests/e2e/lib.sh: shared helpers for the end-to-end tests (POSIX sh).
#
# A test file sources this, defines one shell function per test and runs
# each with
#
#	run_test "clear client start to finish" t_clear_client
#
# run_test gives every test its own temp dir ($T), config ($CFG), tmux
# server on a private socket ($SOCK) and sanitizer log files, runs the
# function in a subshell and prints "ok N - ..." or "not ok N - ..." with
# "# " diagnostics: why, the last screen, the export, sanitizer reports.
# Any helper that finds something wrong calls `fail`, which ends the test
# at once. Helpers never sleep to synchronise: they poll the screen (or
# the kiosk's input queue, for keys that change nothing visible) until a
# deadline.
#
# The kiosk under test is the ASan/UBSan build (build/asan/kiosk); a
# sanitizer report file, or a kiosk that does not exit 0 on SIGTERM at the
# end of a test, fails the test. (With GCC 12, UBSan inside the ASan
# runtime ignores log_path and writes to stderr, which the kiosk points
# at /dev/null while the UI runs; but -fno-sanitize-recover makes any UB
# end the kiosk, so the test still fails, on "the kiosk exited".)
# `kiosk export` uses the plain build.
#
# E2E_ONLY=WORD runs only the tests whose function name holds WORD;
# E2E_VERBOSE=1 prints each test's time on stderr.

# Several helpers take optional arguments that callers often leave out.
# shellcheck disable=SC2119,SC2120

LC_ALL=C.UTF-8
export LC_ALL
unset TMUX TMUX_PANE

E2E_ROOT=${E2E_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
KIOSK=$E2E_ROOT/build/asan/kiosk
KIOSK_CLI=$E2E_ROOT/build/kiosk
FORM=$E2E_ROOT/etc/forms/microneedling.json
WAIT_S=${E2E_WAIT_S:-8}		# default poll deadline, seconds
WELCOME="Press Enter or touch the screen to check in"

e2e_tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiosk-e2e.XXXXXX") || exit 1
# tmux -L puts its socket under $TMUX_TMPDIR and leaves it there when the
# server is killed: keep the sockets in our temp dir.
TMUX_TMPDIR=$e2e_tmp
export TMUX_TMPDIR
e2e_n=0
e2e_sock=""
trap 'e2e_cleanup' EXIT
trap 'exit 1' INT TERM HUP

e2e_cleanup() {
	[ -n "$e2e_sock" ] && tmux -L "$e2e_sock" kill-server 2>/dev/null
	e2e_fhir_check
	rm -rf "$e2e_tmp"
}

# Every intake a test leaves in its store (made with the shipped form), as
# FHIR Bundles (`kiosk export --fhir`, at most 20 a test), checked once
# when the suite ends by both FHIR validators and against the form's
# Questionnaire (tests/fhir/validate.mjs): one more TAP line per suite.
e2e_fhir_collect() {
	[ -f "$T/state/kiosk.db" ] && grep -qF "\"form\":\"$FORM\"" "$CFG" 2>/dev/null ||
		return 0
	"$KIOSK_CLI" --config "$CFG" export --fhir 2>>"$e2e_tmp/fhir.err" |
	    head -n 20 >>"$e2e_tmp/fhir.jsonl"
}

e2e_fhir_check() {
	[ -s "$e2e_tmp/fhir.jsonl" ] || [ -s "$e2e_tmp/fhir.err" ] || return 0
	e2e_n=$((e2e_n + 1))
	printf '{"kiosk_id":"fhir","state_dir":"fhir-state","form":"%s"}\n' "$FORM" \
	    >"$e2e_tmp/fhir-kiosk.json"
	if [ ! -s "$e2e_tmp/fhir.err" ] &&
	    "$KIOSK_CLI" --config "$e2e_tmp/fhir-kiosk.json" form --fhir \
	    >"$e2e_tmp/fhir-q.json" 2>"$e2e_tmp/fhir.err" &&
	    node "$E2E_ROOT/tests/fhir/validate.mjs" "$e2e_tmp/fhir-q.json" \
	    "$e2e_tmp/fhir.jsonl" >"$e2e_tmp/fhir.out" 2>&1; then
		echo "ok $e2e_n - this suite's intakes as FHIR: $(tail -1 "$e2e_tmp/fhir.out")"
	else
		echo "not ok $e2e_n - this suite's intakes as FHIR Bundles do not all validate"
		cat "$e2e_tmp/fhir.err" "$e2e_tmp/fhir.out" 2>/dev/null | head -40 | sed 's/^/# /'
	fi
}

# The system python3 when there is one: a version manager's shim can take
# half a second to start, and the helpers start python often.
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

for e2e_need in tmux "$PY"; do
	command -v "$e2e_need" >/dev/null 2>&1 || {
		echo "not ok 1 - $e2e_need is not installed"
		exit 1
	}
done
for e2e_need in "$KIOSK" "$KIOSK_CLI"; do
	[ -x "$e2e_need" ] || {
		echo "not ok 1 - $e2e_need missing: make build/kiosk build/asan/kiosk"
		exit 1
	}
done

# ---------------------------------------------------------------- running

# run_test DESCRIPTION FUNCTION: one test, one line of TAP.
run_test() {
	case "$2" in *"${E2E_ONLY:-}"*) ;; *) return 0 ;; esac
	e2e_n=$((e2e_n + 1))
	T=$e2e_tmp/t$e2e_n
	CFG=$T/kiosk.json
	SOCK=kiosk-e2e-$$-$e2e_n
	e2e_sock=$SOCK
	mkdir -p "$T"
	chmod 700 "$T"
	write_config
	e2e_t0=$(date +%s)
	(cd "$T" && "$2") >"$T/diag" 2>&1
	rc=$?
	kiosk_stop >>"$T/diag" 2>&1 || rc=1
	tmux -L "$SOCK" kill-server 2>/dev/null
	e2e_sock=""
	for f in "$T"/asan.* "$T"/ubsan.*; do
		[ -f "$f" ] || continue
		{
			echo "FAIL: sanitizer report $(basename "$f"):"
			head -40 "$f"
		} >>"$T/diag"
		rc=1
	done
	e2e_fhir_collect
	[ -n "${E2E_VERBOSE:-}" ] && echo "$1: $(($(date +%s) - e2e_t0))s" >&2
	if [ "$rc" = 0 ]; then
		echo "ok $e2e_n - $1"
	else
		echo "not ok $e2e_n - $1"
		sed 's/^/# /' "$T/diag"
	fi
	rm -rf "$T"
}

# kiosk_stop: end a kiosk still running with SIGTERM, as a service manager
# would, and wait for it, so that LeakSanitizer's report at exit is
# written before the sanitizer logs are looked at. It must exit 0.
kiosk_stop() {
	pid=$(cat "$T/kiosk.pid" 2>/dev/null)
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
	kill -s CONT "$pid" 2>/dev/null
	kill -s TERM "$pid" 2>/dev/null
	e2e_end=$(($(date +%s) + 10))
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$(date +%s)" -ge "$e2e_end" ]; then
			echo "FAIL: the kiosk did not exit within 10s of SIGTERM"
			kill -s KILL "$pid" 2>/dev/null
			return 1
		fi
		sleep 0.05
	done
	e2e_end=$(($(date +%s) + 5))
	until tmux -L "$SOCK" capture-pane -p -t k 2>/dev/null | grep -q "KIOSK EXITED"; do
		[ "$(date +%s)" -ge "$e2e_end" ] && break
		sleep 0.05
	done
	last=$(tmux -L "$SOCK" capture-pane -p -t k 2>/dev/null | grep "KIOSK EXITED")
	case "$last" in
	*"rc=0") return 0 ;;
	*) echo "FAIL: on SIGTERM at the end of the test: ${last:-no exit status}"
	   return 1 ;;
	esac
}

# fail MESSAGE: end the current test, with the screen and the export.
fail() {
	echo "FAIL: $*"
	if [ -n "${SOCK:-}" ] && tmux -L "$SOCK" has-session 2>/dev/null; then
		echo "screen (80 columns, '|' marks the edges):"
		tmux -L "$SOCK" capture-pane -p -t k | sed 's/^/|/; s/$/|/'
	fi
	if [ -f "$CFG" ] && [ -d "$T/state" ]; then
		echo "export (first 600 characters a line):"
		"$KIOSK_CLI" --config "$CFG" export >"$T/export.fail" 2>&1
		[ -s "$T/export.fail" ] || echo "(nothing stored)"
		cut -c1-600 "$T/export.fail"
	fi
	exit 1
}

# write_config [IDLE_TIMEOUT_S [IDLE_WARNING_S]]: the test's config file.
write_config() {
	printf '{"kiosk_id":"e2e-%s","state_dir":"state","form":"%s","idle_timeout_s":%s,"idle_warning_s":%s}\n' \
	    "$e2e_n" "$FORM" "${1:-90}" "${2:-20}" >"$CFG"
}

# ---------------------------------------------------------------- the kiosk

# kiosk_start [VAR=VALUE...]: the kiosk (ASan build) in a fresh 80x24 tmux
# session, with the variables set; returns once the welcome page shows.
# When the kiosk ends, the pane shows "KIOSK EXITED rc=N" and whether the
# terminal modes came back as they were ("TTY RESTORED" / "TTY CHANGED").
kiosk_start() {
	{
		echo "cd '$T' || exit 1"
		# Job control, as in a login shell: the kiosk gets its own
		# foreground process group, which a stray SIGTSTP could stop.
		echo "set -m"
		echo "export ESCDELAY=25"
		# wait_settled reads /proc/PID of the kiosk: keep it dumpable
		# (the developer's switch; test_hostile checks the default).
		echo "export KIOSK_CORE=1"
		echo "export ASAN_OPTIONS='log_path=$T/asan:detect_leaks=1'"
		echo "export UBSAN_OPTIONS='log_path=$T/ubsan:print_stacktrace=1'"
		for kv in "$@"; do
			echo "export '$kv'"
		done
		echo "before=\$(stty -g)"
		echo "sh -c 'echo \$\$ >\"\$0\"; exec \"\$1\" --config \"\$2\"' '$T/kiosk.pid' '$KIOSK' '$CFG'"
		echo "rc=\$?"
		echo "[ \"\$(stty -g)\" = \"\$before\" ] && echo 'TTY RESTORED' || echo 'TTY CHANGED'"
		echo "echo \"KIOSK EXITED rc=\$rc\""
		echo "exec sleep 600"
	} >"$T/launch.sh"
	rm -f "$T/kiosk.pid"
	tmux -L "$SOCK" -f /dev/null new-session -d -s k -x 80 -y 24 \
	    "sh '$T/launch.sh'" || fail "tmux new-session failed"
	tmux -L "$SOCK" set-option -g status off >/dev/null
	wait_for "${E2E_START_WAIT:-$WELCOME}" 15
}

kiosk_pid() {
	cat "$T/kiosk.pid" 2>/dev/null
}

# The kiosk process is still there (not exited, not stopped).
kiosk_alive() {
	pid=$(kiosk_pid)
	[ -n "$pid" ] || return 1
	state=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)
	[ "$state" = S ] || [ "$state" = R ]
}

expect_alive() {
	kiosk_alive || fail "the kiosk is not running (state: $(sed 's/.*) //' "/proc/$(kiosk_pid)/stat" 2>/dev/null | cut -d' ' -f1))"
}

# wait_settled: every key sent so far has been read and handled: the kiosk
# is blocked waiting for input with nothing left in its terminal's input
# queue, several times in a row (longer than ESCDELAY). For keys that
# change nothing on screen.
wait_settled() {
	tmux -L "$SOCK" display-message -p x >/dev/null	# flush tmux's writes
	"$PY" - "$(kiosk_pid)" "${1:-$WAIT_S}" <<'EOF' || fail "the kiosk did not settle within ${1:-$WAIT_S}s"
import fcntl, os, struct, sys, termios, time
pid, limit = sys.argv[1], float(sys.argv[2])
try:
    fd = os.open("/proc/%s/fd/0" % pid, os.O_RDONLY | os.O_NOCTTY | os.O_NONBLOCK)
except OSError:
    sys.exit("the kiosk is not running")
WAITING = {"0", "7", "23", "232", "270", "271"}  # read poll select epoll pselect ppoll
def idle():
    try:
        with open("/proc/%s/syscall" % pid) as f:
            if f.read().split()[0] not in WAITING:
                return False
    except (OSError, IndexError):
        pass    # not readable here: the state and the queue must do
    try:
        with open("/proc/%s/stat" % pid) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        sys.exit("the kiosk has exited")
    if state in ("T", "t"):
        sys.exit("the kiosk is stopped (state %s)" % state)
    if state in ("Z", "X"):
        sys.exit("the kiosk has exited")
    if state != "S":
        return False
    buf = fcntl.ioctl(fd, termios.FIONREAD, b"\0" * 4)
    return struct.unpack("i", buf)[0] == 0
end, streak = time.time() + limit, 0
while time.time() < end:
    streak = streak + 1 if idle() else 0
    if streak >= 5:
        sys.exit(0)
    time.sleep(0.03)
sys.exit("still busy, or keys left unread")
EOF
}

# ---------------------------------------------------------------- keys

# send KEY...: tmux key names (Enter, Escape, Tab, BTab, Up, NPage, C-c...).
send() {
	tmux -L "$SOCK" send-keys -t k "$@" || fail "send-keys $*"
}

# type TEXT: literal text, UTF-8.
type_text() {
	tmux -L "$SOCK" send-keys -t k -l -- "$1" || fail "send-keys -l $1"
}

# send_bytes HEX...: raw bytes, even ones that are not valid UTF-8.
send_bytes() {
	tmux -L "$SOCK" send-keys -t k -H "$@" || fail "send-keys -H $*"
}

# click ROW COL: a left-button press then release at 0-based ROW, COL,
# as an xterm (X10 encoding, what TERM=tmux-256color's kmous announces).
click() {
	send_bytes 1b 5b 4d 20 "$(printf %x $((33 + $2)))" "$(printf %x $((33 + $1)))"
	send_bytes 1b 5b 4d 23 "$(printf %x $((33 + $2)))" "$(printf %x $((33 + $1)))"
}

# resize COLS ROWS
resize() {
	tmux -L "$SOCK" resize-window -t k -x "$1" -y "$2" || fail "resize-window $*"
}

# ---------------------------------------------------------------- screen

screen() {
	tmux -L "$SOCK" capture-pane -p -t k
}

# wait_for TEXT [SECONDS]: poll until TEXT is on screen.
wait_for() {
	e2e_end=$(($(date +%s) + ${2:-$WAIT_S}))
	while :; do
		screen >"$T/screen.txt" 2>/dev/null
		grep -qF -- "$1" "$T/screen.txt" && return 0
		case "$1" in
		"KIOSK EXITED"*) ;;
		*) grep -q "KIOSK EXITED" "$T/screen.txt" &&
			fail "the kiosk exited while waiting for: $1" ;;
		esac
		[ "$(date +%s)" -ge "$e2e_end" ] &&
			fail "timed out after ${2:-$WAIT_S}s waiting for: $1"
		sleep 0.05
	done
}

# wait_gone TEXT [SECONDS]: poll until TEXT is no longer on screen.
wait_gone() {
	e2e_end=$(($(date +%s) + ${2:-$WAIT_S}))
	while :; do
		screen >"$T/screen.txt" 2>/dev/null
		grep -qF -- "$1" "$T/screen.txt" || return 0
		[ "$(date +%s)" -ge "$e2e_end" ] &&
			fail "timed out after ${2:-$WAIT_S}s waiting for this to go: $1"
		sleep 0.05
	done
}

# wait_change [SECONDS]: poll until the screen differs from the last
# capture ($T/screen.txt, left by wait_for, expect_screen...).
wait_change() {
	cp "$T/screen.txt" "$T/screen.old"
	e2e_end=$(($(date +%s) + ${1:-$WAIT_S}))
	while :; do
		screen >"$T/screen.txt" 2>/dev/null
		cmp -s "$T/screen.txt" "$T/screen.old" || return 0
		[ "$(date +%s)" -ge "$e2e_end" ] &&
			fail "timed out after ${1:-$WAIT_S}s waiting for the screen to change"
		sleep 0.05
	done
}

# reverse_runs: every stretch of reverse-video text on screen, one a line
# (how the kiosk shows focus, in colour or not). The header and the
# key-hint bar are reverse too.
reverse_runs() {
	tmux -L "$SOCK" capture-pane -e -p -t k | "$PY" -c '
import re, sys
for line in sys.stdin.read().split("\n"):
    rev, run = False, ""
    for m in re.finditer(r"\x1b\[([0-9;]*)m|([^\x1b]+)", line):
        if m.group(2) is not None:
            if rev:
                run += m.group(2)
            continue
        codes = [int(c) if c else 0 for c in m.group(1).split(";")]
        while codes:
            c = codes.pop(0)
            if c in (38, 48, 58):       # colour: skip its arguments
                del codes[:(2 if codes[:1] == [5] else 4)]
            elif c == 7:
                rev = True
            elif c in (0, 27):
                rev = False
        if not rev and run.strip():
            print(run.strip())
            run = ""
    if run.strip():
        print(run.strip())
'
}

# expect_focus TEXT: TEXT is shown in reverse video (focused) now.
expect_focus() {
	reverse_runs >"$T/reverse.txt"
	grep -qF -- "$1" "$T/reverse.txt" ||
		fail "expected focus (reverse video) on: $1; reverse now: $(tr '\n' '|' <"$T/reverse.txt")"
}

# has_focus TEXT: the same as a test, for loops.
has_focus() {
	reverse_runs | grep -qF -- "$1"
}

# expect_screen TEXT...: each TEXT is on the screen now.
expect_screen() {
	screen >"$T/screen.txt"
	for e2e_t in "$@"; do
		grep -qF -- "$e2e_t" "$T/screen.txt" ||
			fail "expected on screen: $e2e_t"
	done
}

# expect_no_screen TEXT...: no TEXT is on the screen now (case-insensitive).
expect_no_screen() {
	screen >"$T/screen.txt"
	for e2e_t in "$@"; do
		grep -qiF -- "$e2e_t" "$T/screen.txt" &&
			fail "must not be on screen: $e2e_t"
	done
	return 0
}

# The receipt code shown on the thank-you page.
screen_receipt() {
	screen | sed -n 's/.*\(Your receipt code\|Su código de recibo\): *\([^ ]*\).*/\2/p' | head -1
}

# ---------------------------------------------------------------- a client

# From the welcome page to the empty "About you" page.
start_checkin() {
	expect_screen "$WELCOME"
	send Enter
	wait_for "About microneedling"
	send Enter
	wait_for "About you"
	wait_for "First name"
}

# fill_details GIVEN FAMILY DDMMYYYY PHONE: the details page, typed as a
# client would (date parts move on by themselves), then Continue.
fill_details() {
	type_text "$1"
	send Tab
	type_text "$2"
	send Tab
	type_text "$3"
	send Tab
	type_text "$4"
	wait_for "$4"
	expect_screen "$1" "$2"
	send Enter		# on to the last field (email) ...
	send Enter		# ... where Enter submits the page
	wait_for "Your skin goals"
}

# fill_goals "DIGITS" "DIGITS": tick options in the two multi-choices.
fill_goals() {
	for d in $1; do send "$d"; done
	send Tab
	for d in $2; do send "$d"; done
	send Enter
	wait_for "Question 1 of"
}

# answer_health [ANSWER...]: one answer (y, n or 3) per health question in
# order, "n" for the rest, each followed by Enter; ends on the review page.
answer_health() {
	answer_health_from 1 "$@"
}

# answer_health_from K [ANSWER...]: the same, starting at question K.
answer_health_from() {
	k=$1
	shift
	while :; do
		e2e_end=$(($(date +%s) + WAIT_S))
		while :; do
			screen >"$T/screen.txt"
			grep -q "Question $k of" "$T/screen.txt" && break
			grep -q "Please check your answers" "$T/screen.txt" && return 0
			[ "$(date +%s)" -ge "$e2e_end" ] &&
				fail "timed out waiting for health question $k"
			sleep 0.05
		done
		a=${1:-n}
		[ $# -gt 0 ] && shift
		send "$a"
		send Enter
		k=$((k + 1))
		[ "$k" -gt 40 ] && fail "more than 40 health questions?"
	done
}

# From the review page to the first clause: Continue, then read the
# consent to the end with KEY (default PgDn), one key per screenful.
read_consent() {
	wait_for "Please check your answers"
	send Enter
	wait_for "Consent version"
	expect_screen "(read to the end to continue)"
	i=0
	until grep -qF "[ Continue ]" "$T/screen.txt"; do
		i=$((i + 1))
		[ "$i" -gt 10 ] && fail "consent: no [ Continue ] after 10 pages"
		send "${1:-NPage}"
		wait_change
	done
	send Enter
	wait_for "Agreement 1 of 5"
}

# accept_and_sign SIGNATURE: the five clauses, then the typed signature.
accept_and_sign() {
	for i in 1 2 3 4 5; do
		wait_for "Agreement $i of 5"
		send Enter
	done
	wait_for "Type your full name as your signature"
	type_text "$1"
	wait_for "$1"
	send Enter
	wait_for "Your receipt code:"
}

# walk_client GIVEN FAMILY SIGNATURE [HEALTH ANSWER...]: a whole check-in,
# from the welcome page to the thank-you page.
walk_client() {
	g=$1 f=$2 s=$3
	shift 3
	start_checkin
	fill_details "$g" "$f" 12041990 "07700 900123"
	fill_goals "1 3" "1"
	answer_health "$@"
	read_consent
	accept_and_sign "$s"
	wait_for "Thank you, $g."
}

# ---------------------------------------------------------------- no terminal

# run_kiosk ARGS...: the ASan kiosk with no terminal; sets $rc, leaves
# $T/out and $T/err.
run_kiosk() {
	ASAN_OPTIONS="log_path=$T/asan:detect_leaks=1" \
	UBSAN_OPTIONS="log_path=$T/ubsan:print_stacktrace=1" \
	    "$KIOSK" "$@" >"$T/out" 2>"$T/err" </dev/null
	rc=$?
}

# expect_rc N: the last run_kiosk exited N.
expect_rc() {
	[ "$rc" = "$1" ] || fail "exit code $rc, expected $1; stderr: $(cat "$T/err"); stdout: $(cat "$T/out")"
}

# expect_stderr TEXT: the last run_kiosk's stderr holds TEXT.
expect_stderr() {
	grep -qF -- "$1" "$T/err" || fail "stderr does not say: $1; it says: $(cat "$T/err")"
}

# ---------------------------------------------------------------- the store

# kiosk_export: `kiosk export` into $T/export.jsonl; it must succeed, and
# every intake in it must be valid against the wire format's JSON Schema
# (docs/kiosk.intake-1.schema.json).
kiosk_export() {
	"$KIOSK_CLI" --config "$CFG" export >"$T/export.jsonl" 2>"$T/export.err" ||
		fail "kiosk export exited $?: $(cat "$T/export.err")"
	"$PY" "$E2E_ROOT/tests/tools/check_wire.py" intake "$T/export.jsonl" \
	    >"$T/export.schema" 2>&1 ||
		fail "kiosk export does not match docs/kiosk.intake-1.schema.json: $(head -20 "$T/export.schema")"
}

# expect_export: check the export against a table on stdin, one check a
# line: PATH EXPECTED (the rest of the line, may be empty), or PATH ~ REGEX.
# PATH is dotted (client.given_name), "N:" in front picks line N (default:
# the last), ".#" is a length, ".*." maps over a list (joined with ","),
# `lines` is the number of intakes. null shows as "null", lists as JSON.
# Every line must be strict UTF-8 JSON with no U+FFFD in it. All
# mismatches are reported together.
expect_export() {
	kiosk_export
	"$PY" -c '
import json, re, sys
raw = open(sys.argv[1], "rb").read()
try:
    text = raw.decode("utf-8")
except UnicodeDecodeError as e:
    sys.exit("export is not valid UTF-8: %s" % e)
if "\ufffd" in text:
    sys.exit("export holds U+FFFD (a mangled character)")
docs = [json.loads(l) for l in text.splitlines() if l.strip()]
def get(doc, path):
    if path == "#":
        return len(doc)
    key, _, rest = path.partition(".")
    if key == "#":
        return len(doc)
    if key == "*":
        return ",".join(show(get(d, rest) if rest else d) for d in doc)
    if isinstance(doc, list):
        doc = doc[int(key)]
    elif isinstance(doc, dict):
        if key not in doc:
            return "(missing)"
        doc = doc[key]
    else:
        return "(not an object)"
    return get(doc, rest) if rest else doc
def show(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False)
    return str(v)
bad = 0
for spec in sys.stdin.read().splitlines():
    spec = spec.strip()
    if not spec or spec.startswith("#"):
        continue
    path, _, want = spec.partition(" ")
    want = want.strip()
    regex = want.startswith("~ ")
    if path == "lines":
        got = str(len(docs))
    else:
        line = len(docs)
        if ":" in path:
            n, path = path.split(":", 1)
            line = int(n)
        if not 1 <= line <= len(docs):
            got = "(no line %d: export has %d)" % (line, len(docs))
        else:
            try:
                got = show(get(docs[line - 1], path))
            except (IndexError, ValueError, TypeError) as e:
                got = "(%s)" % e
    if (re.search(want[2:], got) is None) if regex else got != want:
        print("export %s: expected %r, got %r" % (spec.split()[0], want, got))
        bad += 1
sys.exit(1 if bad else 0)
' "$T/export.jsonl" || fail "the export is not as expected (above)"
}
