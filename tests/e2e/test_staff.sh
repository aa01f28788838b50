#!/bin/sh
# Staff mode end to end: the PIN prompt (Ctrl-A / F12 on the welcome page
# only), lockout that survives a restart, today's check-ins (flagged
# first, found by receipt), a decision recorded and delivered to the real
# HTTPS test clinic server as a review, idle logout, sign-out, exit, and
# the sync status page with the server down and back; and the store kept
# by a running kiosk (with its sync thread) while `kiosk status` reads it.
#
# Each test asserts on the screen, on the kiosk's database (sqlite3:
# audit, reviews, pin_failures) and, where the server runs, on its
# --received file. On failure the diagnostics add the database tables and
# what the server received. With a server configured, the database is
# read only after the kiosk has stopped (t_store_shared shows why).
. "$(dirname "$0")/lib.sh"
CLINIC_SERVER_DIR=$E2E_ROOT/tests/server
. "$CLINIC_SERVER_DIR/lib.sh"
SEED=$E2E_ROOT/tests/tools/seed_intakes.py

command -v sqlite3 >/dev/null 2>&1 || {
	echo "not ok 1 - sqlite3 is not installed"
	exit 1
}

PIN_ANA=246810
PIN_BEN=135790
PIN_PROMPT="PIN (6 to 12 digits):"
HOME_TITLE="Today's check-ins"
NOTE="Zoë: rebook after pregnancy"

# yescrypt is slow-ish: hash each PIN once for the whole file.
HASH_ANA=$(printf '%s\n' "$PIN_ANA" | "$KIOSK_CLI" hash-pin) &&
    HASH_BEN=$(printf '%s\n' "$PIN_BEN" | "$KIOSK_CLI" hash-pin) &&
    case "$HASH_ANA$HASH_BEN" in '$y$'*'$y$'*) ;; *) false ;; esac || {
	echo "not ok 1 - kiosk hash-pin did not print two \$y\$ hashes"
	exit 1
}

# ---------------------------------------------------------------- setup

# staff_setup [IDLE_LOGOUT_S [SERVER_URL]]: this test's config (two staff
# members, 5 attempts, 60 s lockout; the server block only with a URL),
# checked with `kiosk check`; the database is created, so intakes can be
# seeded before the kiosk starts. Failures from here on print the
# database and the server's files too.
staff_setup() {
	trap 'staff_exit $?' EXIT
	{
		printf '{"kiosk_id":"e2e-staff-%s","state_dir":"state",' "$e2e_n"
		printf '"form":"%s","idle_timeout_s":90,\n' "$FORM"
		printf ' "staff":{"members":[{"name":"Ana","pin_hash":"%s"},' "$HASH_ANA"
		printf '{"name":"Ben","pin_hash":"%s"}],' "$HASH_BEN"
		printf '"idle_logout_s":%s,"max_attempts":5,"lockout_s":60}' "${1:-60}"
		if [ -n "${2:-}" ]; then
			printf ',\n "server":{"url":"%s","ca_file":"%s",' "$2" "$T/certs/ca.pem"
			printf '"token_file":"%s","timeout_s":3},\n' "$T/certs/token"
			printf ' "sync":{"interval_s":1,"backoff_max_s":4}'
		fi
		printf '}\n'
	} >"$CFG"
	chmod 600 "$CFG"	# it holds PIN hashes
	"$KIOSK_CLI" --config "$CFG" check >"$T/check.out" 2>&1 ||
		fail "kiosk check refused the test's config: $(cat "$T/check.out")"
	"$KIOSK_CLI" --config "$CFG" status >"$T/status.out" 2>&1 ||
		fail "kiosk status failed: $(cat "$T/status.out")"
}

# The EXIT trap of a test's subshell: stop the test server, and after a
# failure show what the kiosk stored and the server received.
staff_exit() {
	[ -f "$T/srv/pid" ] && clinic_stop "$T/srv"
	[ "$1" = 0 ] && return 0
	db=$T/state/kiosk.db
	if [ -f "$db" ]; then
		echo "audit (seq|at|actor|action|subject):"
		sql "select seq, at, actor, action, subject from audit order by seq"
		echo "reviews (decision|staff|note|sync|attempts|last_error):"
		sql "select decision, staff, note, sync_state, attempts, last_error from reviews"
		echo "intakes (receipt|outcome|sync|attempts|last_error):"
		sql "select receipt, outcome, sync_state, attempts, last_error from intakes"
		echo "pin_failures (staff|count|last_at|locked_until), now $(date +%s):"
		sql "select staff, count, last_at, locked_until from pin_failures"
		echo "meta:"
		sql "select key, value from meta"
	fi
	if [ -f "$T/srv/received" ]; then
		echo "server received (first 400 characters a line):"
		cut -c1-400 "$T/srv/received"
	fi
	if [ -f "$T/srv/ledger" ]; then
		echo "server ledger (last 10):"
		tail -10 "$T/srv/ledger"
	fi
	[ -s "$T/srv/stderr" ] && { echo "server stderr:"; tail -20 "$T/srv/stderr"; }
	return 0
}

# sql QUERY: run it on the kiosk's database (which the kiosk may be
# writing: wait for its lock).
sql() {
	sqlite3 -cmd ".timeout 5000" "$T/state/kiosk.db" "$1"
}

# audit_count ACTOR ACTION: audit rows with that actor and action.
audit_count() {
	sql "select count(*) from audit where actor = '$1' and action = '$2'"
}

# wait_sql QUERY WANT [SECONDS]: poll until QUERY prints WANT.
wait_sql() {
	e2e_end=$(($(date +%s) + ${3:-$WAIT_S}))
	until [ "$(sql "$1")" = "$2" ]; do
		[ "$(date +%s)" -ge "$e2e_end" ] &&
			fail "timed out after ${3:-$WAIT_S}s waiting for [$1] to be [$2]; it is [$(sql "$1")]"
		sleep 0.05
	done
}

# server_start: certificates, then the test clinic server (bearer token
# required); sets $clinic_url and $clinic_port.
server_start() {
	trap 'staff_exit $?' EXIT
	clinic_certs "$T/certs" || fail "mkcerts.sh failed"
	clinic_start "$T/srv" --received "$T/srv/received" \
	    --token "@$T/certs/token" || fail "the test clinic server did not start"
}

# received_count KIND: records of that kind the server has stored.
received_count() {
	[ -f "$T/srv/received" ] || { echo 0; return; }
	grep -c "^{\"kind\": *\"$1\"" "$T/srv/received"
}

# wait_received KIND N [SECONDS]
wait_received() {
	e2e_end=$(($(date +%s) + ${3:-$WAIT_S}))
	until [ "$(received_count "$1")" -ge "$2" ]; do
		[ "$(date +%s)" -ge "$e2e_end" ] &&
			fail "timed out after ${3:-$WAIT_S}s: the server has $(received_count "$1") $1 record(s), expected $2"
		sleep 0.05
	done
}

# seed N: N synthetic clear intakes ("Zoë N.", receipts SYN-000...),
# completed now, straight into the store.
seed() {
	python3 "$SEED" "$T/state/kiosk.db" "$1" --kiosk-id "e2e-staff-$e2e_n" ||
		fail "seed_intakes.py failed"
}

now_ms() {
	date +%s%N | cut -c1-13
}

# ---------------------------------------------------------------- staff keys

# pin_field: the PIN field's row on screen (masked: '*' a digit).
pin_field() {
	screen | sed -n 8p
}

# wait_pin_open: the prompt takes a PIN now: its label shows and the field
# is empty (a submitted PIN is wiped before the next draw).
wait_pin_open() {
	e2e_end=$(($(date +%s) + ${1:-$WAIT_S}))
	while :; do
		screen >"$T/screen.txt"
		if grep -qF -- "$PIN_PROMPT" "$T/screen.txt" &&
		    ! sed -n 8p "$T/screen.txt" | grep -q '\*'; then
			return 0
		fi
		[ "$(date +%s)" -ge "$e2e_end" ] &&
			fail "timed out after ${1:-$WAIT_S}s waiting for an empty PIN prompt"
		sleep 0.05
	done
}

# open_pin: Ctrl-A on the welcome page opens the prompt.
open_pin() {
	expect_screen "$WELCOME"
	send C-a
	wait_for "Staff sign-in"
}

# type_pin PIN: typed masked, never shown.
type_pin() {
	type_text "$1"
	wait_for "$(printf '%s' "$1" | tr '0-9' '*')"
	expect_no_screen "$1"
}

# sign_in PIN NAME: from the welcome page to staff home as NAME.
sign_in() {
	open_pin
	wait_pin_open
	type_pin "$1"
	send Enter
	wait_for "$HOME_TITLE" 15
	expect_screen "signed in: $2"
}

# home_button LABEL: Tab from the list to a home button (focus checked).
home_button() {
	i=0
	until has_focus "[ $1 ]"; do
		i=$((i + 1))
		[ "$i" -gt 4 ] && fail "home: Tab never focuses [ $1 ]"
		send Tab
		wait_settled
	done
}

# scroll_to TEXT: PgDn on the detail until TEXT shows.
scroll_to() {
	i=0
	until screen | grep -qF -- "$1"; do
		i=$((i + 1))
		[ "$i" -gt 8 ] && fail "detail: no \"$1\" after 8 x PgDn"
		send NPage
		wait_settled
	done
}

# refresh_until TEXT [SECONDS]: press a key that does nothing (x) until
# the page, redrawn, shows TEXT.
refresh_until() {
	e2e_end=$(($(date +%s) + ${2:-$WAIT_S}))
	until screen | grep -qF -- "$1"; do
		[ "$(date +%s)" -ge "$e2e_end" ] &&
			fail "timed out after ${2:-$WAIT_S}s (redrawing) waiting for: $1"
		send x
		wait_settled
	done
}

# locked_for: seconds of lock the prompt shows now ("opens again in M min SS s.").
locked_for() {
	screen | sed -n 's/.*opens again in \([0-9]*\) min \([0-9][0-9]\) s\..*/\1 \2/p' |
	    { read -r m s && echo $((m * 60 + ${s#0})); }
}

# ---------------------------------------------------------------- tests

# 1. A pregnant client (exclude) then a clear one; staff see the exclusion
# first though it is older, open it, decline with a UTF-8 note; the
# server gets that one review, the store and audit agree, no PIN stored.
t_review_declined() {
	server_start
	staff_setup 60 "$clinic_url"
	kiosk_start
	walk_client "Nora" "Quist" "Nora Quist" y
	flagged=$(screen_receipt)
	send Enter
	wait_for "$WELCOME"
	walk_client "Carl" "Berg" "Carl Berg"
	clear=$(screen_receipt)
	send Enter
	wait_for "$WELCOME"
	[ -n "$flagged" ] && [ -n "$clear" ] || fail "no receipt codes read"
	# The kiosk's database is read once the kiosk has stopped (see
	# t_store_shared); the intakes' ids come from the server meanwhile.
	wait_received intake 2
	id=$(python3 - "$T/srv/received" "$flagged" "$clear" 2>&1 <<'EOF2'
import json, sys
path, flagged, clear = sys.argv[1:]
got = {r["body"]["receipt"]: r["body"] for r in map(json.loads, open(path, encoding="utf-8"))
       if r["kind"] == "intake"}
f, c = got.get(flagged), got.get(clear)
if f is None or c is None or f["outcome"] != "exclude" or c["outcome"] != "clear":
    sys.exit("the server did not get %s as exclude and %s as clear" % (flagged, clear))
if not f["completed_at"] < c["completed_at"]:
    sys.exit("setup: the flagged intake should be the older one")
print(f["id"])
EOF2
) || fail "$id"

	sign_in "$PIN_ANA" Ana
	expect_screen "$HOME_TITLE (2)"
	# The first row under the column heads is the exclusion, then clear.
	screen | sed -n '/Time *Outcome/,$p' | sed -n '2p;3p' >"$T/rows.txt"
	sed -n 1p "$T/rows.txt" | grep -q "EXCLUDE.*$flagged.*Nora Q\." ||
		fail "first row is not the flagged intake $flagged (EXCLUDE, Nora Q.): $(sed -n 1p "$T/rows.txt")"
	sed -n 2p "$T/rows.txt" | grep -q "clear.*$clear.*Carl B\." ||
		fail "second row is not the clear intake $clear: $(sed -n 2p "$T/rows.txt")"
	expect_focus "$flagged"

	send Enter
	wait_for "Check-in detail"
	reason=$(python3 -c '
import json, sys
for s in json.load(open(sys.argv[1], encoding="utf-8"))["sections"]:
    for it in s.get("items", []):
        if it["id"] == "pregnant":
            print(it["flag"]["reason"])
' "$FORM")
	[ -n "$reason" ] || fail "no reason for the pregnant flag in the form"
	scroll_to "[EXCLUDE PREGNANT]"
	expect_screen "[EXCLUDE PREGNANT] $reason" "Receipt $flagged"

	send Enter
	wait_for "Record a decision"
	send 2
	wait_for "(*) 2. Declined"
	send Tab
	wait_settled
	type_text "$NOTE"
	wait_for "$NOTE"
	send Enter
	wait_for "Check-in detail"
	scroll_to "Ana: declined"
	expect_screen "Zoë: rebook"

	wait_received review 1
	wait_received intake 2
	python3 - "$T/srv/received" "$id" "$NOTE" <<'EOF' || fail "the server's review is not as expected (above)"
import json, sys
path, intake_id, note = sys.argv[1], sys.argv[2], sys.argv[3]
reviews = [r for r in map(json.loads, open(path, encoding="utf-8")) if r["kind"] == "review"]
if len(reviews) != 1:
    sys.exit("expected exactly one review, got %d" % len(reviews))
b = reviews[0]["body"]
want = {"intake_id": intake_id, "decision": "declined", "staff": "Ana", "note": note}
bad = ["%s: expected %r, got %r" % (k, v, b.get(k)) for k, v in want.items() if b.get(k) != v]
if bad:
    sys.exit("; ".join(bad))
EOF
	if grep -ral -e "$PIN_ANA" -e "$PIN_BEN" "$T/state" >"$T/pinfiles"; then
		fail "a PIN is stored in: $(cat "$T/pinfiles")"
	fi
	kiosk_stop || fail "the kiosk did not stop cleanly on SIGTERM"
	[ "$(sql "select decision, staff, note, intake_id from reviews")" = "declined|Ana|$NOTE|$id" ] ||
		fail "reviews table: $(sql "select decision, staff, note, intake_id from reviews")"
	[ "$(audit_count Ana sign-in)" = 1 ] || fail "audit: expected one sign-in row for Ana"
	[ "$(audit_count Ana review)" = 1 ] || fail "audit: expected one review row for Ana"
	if grep -ral -e "$PIN_ANA" -e "$PIN_BEN" "$T/state" >"$T/pinfiles"; then
		fail "a PIN is stored in: $(cat "$T/pinfiles")"
	fi
}

# 2. The receipt code typed (lower case, no dash) on staff home selects
# that check-in among others; Enter opens it.
t_find_by_receipt() {
	staff_setup
	kiosk_start
	walk_client "Lena" "Falk" "Lena Falk"
	receipt=$(screen_receipt)
	send Enter
	wait_for "$WELCOME"
	# Three newer clear intakes (completed later, to the millisecond):
	# Lena's row is not the first.
	seed 3
	sign_in "$PIN_ANA" Ana
	expect_screen "$HOME_TITLE (4)" "$receipt"
	has_focus "$receipt" && fail "setup: $receipt is selected before typing"
	typed=$(printf '%s' "$receipt" | tr -d '-' | tr 'A-Z' 'a-z')
	type_text "$typed"
	wait_for "$typed"
	wait_settled
	expect_focus "$receipt"
	expect_focus "Lena F."
	send Enter
	wait_for "Check-in detail"
	expect_screen "Receipt $receipt" "Given name: Lena" "Family name: Falk"
}

# 3. Wrong PINs: waits of 1, 2, 4, 8 s, then a lock that the right PIN
# does not open and that a restart does not reset.
t_lockout() {
	staff_setup
	kiosk_start
	open_pin
	for i in 1 2 3 4; do
		d=$((1 << (i - 1)))
		wait_pin_open
		type_pin 111111
		t0=$(now_ms)
		send Enter
		wait_sql "select count(*) from audit where action = 'pin-failure'" "$i"
		if [ "$d" -ge 2 ]; then
			wait_for "Please wait"
			# The wait counts from the failure's second: d or d-1 left.
			grep -qE "Please wait 0 min 0($d|$((d - 1))) s before trying again\." "$T/screen.txt" ||
				fail "after wrong PIN $i: expected a wait of ${d}s: $(grep "Please wait" "$T/screen.txt")"
			type_text 2468
			wait_settled
			expect_screen "Please wait"
			wait_for "$PIN_PROMPT" $((d + 4))
			pin_field | grep -q '\*' &&
				fail "digits typed during the wait reached the PIN field"
		else
			wait_pin_open $((d + 4))
		fi
		ms=$(($(now_ms) - t0))
		[ "$ms" -ge $(((d - 1) * 1000)) ] ||
			fail "after wrong PIN $i the prompt opened after ${ms} ms; the wait is ${d}s"
		[ "$ms" -le $(((d + 3) * 1000)) ] ||
			fail "after wrong PIN $i the prompt opened only after ${ms} ms; the wait is ${d}s"
	done
	type_pin 111111
	send Enter
	wait_sql "select count(*) from audit where action = 'pin-failure'" 5
	wait_for "Locked: too many wrong PINs. Sign-in opens again in"
	l1=$(locked_for)
	[ -n "$l1" ] && [ "$l1" -ge 57 ] && [ "$l1" -le 60 ] ||
		fail "lock of ${l1:-?}s shown; lockout_s is 60"
	expect_no_screen "$PIN_PROMPT"
	# The right PIN during the lock: not even read.
	type_text "$PIN_ANA"
	send Enter
	wait_settled
	expect_screen "Sign-in opens again in"
	expect_no_screen "$HOME_TITLE" "signed in"
	# It counts down; restart once it shows two seconds less.
	e2e_end=$(($(date +%s) + 6))
	until [ "$(locked_for)" -le $((l1 - 2)) ] 2>/dev/null; do
		[ "$(date +%s)" -ge "$e2e_end" ] && fail "the lock countdown does not move (showed ${l1}s)"
		sleep 0.05
	done
	l1=$(locked_for)
	t1=$(date +%s)
	kill -s TERM "$(kiosk_pid)"
	wait_for "KIOSK EXITED" 10
	expect_screen "KIOSK EXITED rc=0"
	tmux -L "$SOCK" kill-session -t k
	kiosk_start
	open_pin
	wait_for "Sign-in opens again in"
	l2=$(locked_for)
	left=$((l1 - ($(date +%s) - t1)))
	[ -n "$l2" ] && [ "$l2" -le $((left + 1)) ] && [ "$l2" -ge $((left - 2)) ] ||
		fail "after a restart the lock shows ${l2:-?}s; it showed ${l1}s $(($(date +%s) - t1))s before (reset?)"
	type_text "$PIN_ANA"
	send Enter
	wait_settled
	expect_screen "Sign-in opens again in"
	expect_no_screen "$HOME_TITLE"
	[ "$(sql "select count(*) from audit where action = 'pin-failure'")" = 5 ] ||
		fail "audit: expected 5 pin-failure rows"
	[ "$(sql "select count(*) from audit where action = 'sign-in'")" = 0 ] ||
		fail "audit: a sign-in during the lock"
	[ "$(sql "select count from pin_failures")" = 5 ] ||
		fail "pin_failures: expected a count of 5"
}

# 4. Staff idle logout: the welcome page returns by itself and nothing of
# staff home is left on screen.
t_idle_logout() {
	staff_setup 10
	seed 1
	kiosk_start
	sign_in "$PIN_ANA" Ana
	expect_screen "Zoë N." "SYN-000"
	t0=$(date +%s)
	wait_for "$WELCOME" 16
	waited=$(($(date +%s) - t0))
	[ "$waited" -ge 9 ] || fail "signed out after ${waited}s; idle_logout_s is 10"
	tmux -L "$SOCK" capture-pane -p -S - -E - -t k >"$T/all.txt"
	for text in "Zoë" "SYN-000" "$HOME_TITLE" "signed in" "Ana"; do
		grep -qF -- "$text" "$T/all.txt" && fail "after idle logout the screen still shows: $text"
	done
	[ "$(audit_count Ana sign-in)" = 1 ] || fail "audit: expected one sign-in row for Ana"
	# Signed out for real: the next Ctrl-A asks for a PIN.
	open_pin
	wait_pin_open
}

# 5. Nothing a client presses on the welcome page opens the PIN prompt;
# Ctrl-A and F12 do; Esc leaves it (and forgets the digits typed).
t_staff_keys_only() {
	staff_setup
	kiosk_start
	for group in letters digits keys ctrl; do
		case $group in
		letters) type_text "abcxyzYNqQ pin staff" ;;
		digits) type_text "0123456789$PIN_ANA" ;;
		keys) send Escape F1 F2 F3 F4 F5 F6 F7 F8 F9 F10 F11 Tab BTab \
		    Up Down Left Right Home End PPage NPage BSpace DC IC ;;
		ctrl) send C-b C-c C-d C-e C-f C-g C-k C-l C-n C-o C-p C-q \
		    C-r C-s C-t C-u C-v C-w C-x C-y C-z 'C-\' C-] ;;
		esac
		wait_settled
		expect_alive
		expect_no_screen "Staff sign-in" "$PIN_PROMPT" "About microneedling" \
		    "Sobre la micropunción" "Acceso del personal"
		send 1		# digits and F2 pick a language here: English
		wait_for "$WELCOME"
	done
	send C-a
	wait_for "$PIN_PROMPT"
	type_text 1357
	wait_for "****"
	send Escape
	wait_for "$WELCOME"
	expect_no_screen "Staff sign-in"
	send F12
	wait_for "$PIN_PROMPT"
	pin_field | grep -q '\*' &&
		fail "the digits typed before Esc are still in the PIN field"
	send Escape
	wait_for "$WELCOME"
	[ "$(sql "select count(*) from audit")" = 0 ] ||
		fail "audit: rows without any PIN typed"
}

# 6. Ctrl-C, Ctrl-Z, Ctrl-\ (and their signals from elsewhere) in staff
# mode change nothing: still running, still signed in.
t_ctrl_keys_staff() {
	staff_setup
	kiosk_start
	sign_in "$PIN_ANA" Ana
	send C-c
	send C-z
	send 'C-\'
	wait_settled
	expect_alive
	expect_screen "$HOME_TITLE" "signed in: Ana"
	for sig in INT QUIT TSTP; do
		kill -s "$sig" "$(kiosk_pid)" 2>/dev/null
	done
	wait_settled
	expect_alive
	expect_screen "$HOME_TITLE" "signed in: Ana"
	# Home still answers keys.
	send Tab
	wait_settled
	expect_focus "[ Sign out ]"
	[ "$(audit_count Ana sign-out)" = 0 ] || fail "audit: a sign-out"
}

# 7. Esc on staff home signs out, audited under the member's name.
t_esc_signs_out() {
	staff_setup
	kiosk_start
	sign_in "$PIN_BEN" Ben
	send Escape
	wait_for "$WELCOME"
	expect_no_screen "$HOME_TITLE" "signed in"
	wait_sql "select actor, action from audit order by seq desc limit 1" "Ben|sign-out"
	[ "$(audit_count Ben sign-in)" = 1 ] || fail "audit: expected one sign-in row for Ben"
	open_pin
	wait_pin_open
}

# 8. Exit kiosk: Tab to the button, Cancel goes home, Exit ends the kiosk
# with status 0 and an audited "exit".
t_exit_kiosk() {
	staff_setup
	kiosk_start
	sign_in "$PIN_ANA" Ana
	home_button "Exit kiosk"
	send Enter
	wait_for "Exit the kiosk?"
	expect_focus "[ Cancel ]"
	send Enter
	wait_for "$HOME_TITLE"
	home_button "Exit kiosk"
	send Enter
	wait_for "Exit the kiosk?"
	send Tab
	wait_settled
	expect_focus "[ Exit kiosk ]"
	send Enter
	wait_for "KIOSK EXITED" 10
	expect_screen "KIOSK EXITED rc=0" "TTY RESTORED"
	[ "$(audit_count Ana exit)" = 1 ] || fail "audit: expected one exit row for Ana"
}

# 8b. The decision page has no default: Enter on it untouched records
# nothing. Clearing an excluded client asks again, naming the exclusion
# ("Go back" focused), and needs a note; the detail shows answers as the
# client saw them (labels) with local times and the zone.
t_decision_no_default() {
	staff_setup
	kiosk_start
	walk_client "Nora" "Quist" "Nora Quist" y
	send Enter
	wait_for "$WELCOME"
	sign_in "$PIN_ANA" Ana
	send Enter
	wait_for "Check-in detail"
	wait_for "help with? Lines and wrinkles,"
	expect_no_screen "lines, pores"
	expect_screen "completed $(date +%Y-%m-%d) " " $(date +%Z), outcome exclude"
	send Enter
	wait_for "Record a decision"
	expect_no_screen "(*)"
	send Enter
	wait_for "Choose a decision"
	expect_screen "Record a decision"
	[ "$(sql "select count(*) from reviews")" = 0 ] ||
		fail "Enter on an untouched decision page stored: $(sql "select decision from reviews")"
	send 1
	wait_for "(*) 1. Cleared"
	send Enter
	wait_for "This client was EXCLUDED: PREGNANT"
	expect_focus "[ Go back ]"
	send Tab
	wait_settled
	send Enter
	wait_for "needs a note"
	[ "$(sql "select count(*) from reviews")" = 0 ] ||
		fail "an excluded client was cleared without a note"
	type_text "seen by Dr Lee"
	wait_for "seen by Dr Lee"
	send Enter
	wait_for "This client was EXCLUDED: PREGNANT"
	send Tab
	wait_settled
	send Enter
	wait_for "Check-in detail"
	wait_sql "select decision, note from reviews" "cleared|seen by Dr Lee"
}

# 9. Sync status: server down, one check-in waiting and the problem named;
# server back on the same port, "Sync now" delivers; 0 waiting.
t_sync_status() {
	server_start
	port=$clinic_port
	clinic_stop "$T/srv"
	staff_setup 60 "$clinic_url"
	seed 1
	id=$(sql "select id from intakes")
	kiosk_start
	sign_in "$PIN_ANA" Ana
	home_button "Sync status"
	send Enter
	wait_for "Sync status"
	# The page reads the store at each draw: a key that does nothing
	# redraws it, until the first attempt has failed.
	refresh_until "Last problem:" 10
	expect_screen "Check-ins: 0 sent, 1 waiting" "cannot be reached"
	clinic_start "$T/srv" --port "$port" --received "$T/srv/received" \
	    --token "@$T/certs/token" || fail "the server did not start again on port $port"
	send Enter
	wait_for "Sending now..."
	wait_received intake 1 6
	grep -qF "\"$id\"" "$T/srv/received" || fail "the server received another intake"
	send Escape
	wait_for "$HOME_TITLE"
	home_button "Sync status"
	send Enter
	wait_for "Sync status"
	refresh_until "Check-ins: 1 sent, 0 waiting" 5
	expect_screen "Everything has reached the clinic server."
	expect_no_screen "Last problem:"
	kiosk_stop || fail "the kiosk did not stop cleanly on SIGTERM"
	[ "$(sql "select sync_state from intakes")" = sent ] ||
		fail "the store does not mark the intake sent"
	[ "$(received_count intake)" = 1 ] || fail "the server stored the intake more than once"
}

# 10. The store stays one shared database while the kiosk runs with a
# server configured (a sync thread with its own connection): clinic IT
# running `kiosk status` must not take the -wal file from under the
# kiosk. Afterwards a check-in is committed before its thank-you page:
# `kiosk export` sees it while the kiosk runs, and it survives a crash
# (SIGKILL, as a power cut would).
t_store_shared() {
	server_start
	staff_setup 60 "$clinic_url"
	kiosk_start
	"$KIOSK_CLI" --config "$CFG" status >"$T/status.out" 2>&1 ||
		fail "kiosk status failed while the kiosk runs: $(cat "$T/status.out")"
	walk_client "Ruth" "Moss" "Ruth Moss"
	receipt=$(screen_receipt)
	wal=yes
	[ -f "$T/state/kiosk.db-wal" ] || wal="no -wal file"
	kiosk_export
	seen=$(grep -c "\"receipt\":\"$receipt\"" "$T/export.jsonl")
	kill -s KILL "$(kiosk_pid)"
	wait_for "KIOSK EXITED" 10
	kiosk_export
	kept=$(grep -c "\"receipt\":\"$receipt\"" "$T/export.jsonl")
	[ "$seen" = 1 ] && [ "$kept" = 1 ] ||
		fail "check-in $receipt (thank-you page shown) after \`kiosk status\` ran: $wal beside kiosk.db; \`kiosk export\` lists it $seen time(s) while the kiosk runs, $kept time(s) after the kiosk is killed"
}

run_test "staff review: exclusion listed first, detail shows PREGNANT and reason, declined with a UTF-8 note reaches the server once; audited, no PIN stored" t_review_declined
run_test "staff home: typing a receipt code (lower case, no dash) selects that check-in" t_find_by_receipt
run_test "wrong PINs wait 1, 2, 4, 8 s, the 5th locks; right PIN refused while locked; a restart keeps the lock" t_lockout
run_test "staff idle logout: welcome returns by itself, nothing of staff home left" t_idle_logout
run_test "welcome page: only Ctrl-A and F12 open the PIN prompt; Esc leaves it" t_staff_keys_only
run_test "staff home: Ctrl-C, Ctrl-Z, Ctrl-\\ and their signals change nothing" t_ctrl_keys_staff
run_test "staff home: Esc signs out, audited" t_esc_signs_out
run_test "exit kiosk: Cancel returns home, Exit ends the kiosk with 0, audited" t_exit_kiosk
run_test "decision page: no default (Enter records nothing); clearing an exclusion asks again naming it and needs a note; labels and local times on the detail" t_decision_no_default
run_test "sync status: server down shows waiting and the problem; back up, Sync now delivers" t_sync_status
run_test "kiosk status while the kiosk runs (server configured): a later check-in is visible to kiosk export and survives a crash" t_store_shared
