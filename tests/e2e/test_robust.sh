#!/bin/sh
# The kiosk under things clients and machines do: walking away, a tiny
# window, control keys and signals, a flood of keys, a monochrome terminal,
# a SIGTERM mid-visit, and a broken config.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

# ---------------------------------------------------------------- idle

t_idle_timeout() {
	write_config 5 3		# warn after 5 s idle, start over 3 s later
	kiosk_start
	start_checkin
	t0=$(date +%s)
	type_text "Idaho"
	wait_for "Idaho"
	wait_for "Are you still there?" 10
	waited=$(($(date +%s) - t0))
	[ "$waited" -ge 4 ] || fail "idle warning after ${waited}s, idle_timeout_s is 5"
	expect_screen "Press any key to continue."
	# The page behind is cleared: no fragments of it beside the box.
	expect_no_screen "Idaho" "Day / month" "First name"
	wait_for "Starting over in 2 seconds"	# it counts down
	send Right			# any key: back to the page
	wait_gone "Are you still there?"
	expect_screen "About you" "Idaho"
	# The warning's key went nowhere: typing goes on where it was.
	type_text "X"
	wait_for "IdahoX"

	wait_for "Are you still there?" 10
	wait_for "$WELCOME" 10
	expect_no_screen "Idaho" "Are you still there?"
	expect_export <<EOF
lines 0
EOF
	# The next client starts with empty fields.
	start_checkin
	expect_no_screen "Idaho"
}

# ---------------------------------------------------------------- resize

t_too_small() {
	kiosk_start
	start_checkin
	type_text "Rosa"
	send Tab
	type_text "Size"
	wait_for "Size"
	resize 20 5
	wait_for "Please enlarge"
	expect_no_screen "Rosa" "Size"
	# Keys are ignored meanwhile: none of them may edit, go back or on.
	type_text "zzz"
	send Escape
	wait_settled
	send Enter
	send Tab
	send BSpace BSpace
	wait_settled
	expect_screen "Please enlarge"
	resize 80 24
	wait_for "About you"
	expect_screen "Rosa" "Size" "First name" "Mobile phone"
	expect_no_screen "zzz" "Please enlarge"
	type_text "X"			# the cursor is still in Last name
	wait_for "SizeX"
	# One column short is too small as well.
	resize 79 24
	wait_for "Please enlarge"
	resize 80 24
	wait_for "SizeX"
	expect_screen "Rosa"
}

# ---------------------------------------------------------------- keys

# Ctrl-C, Ctrl-Z, Ctrl-\ as the raw bytes a keyboard sends (the kiosk is in
# raw mode), and SIGINT, SIGQUIT, SIGTSTP as signals from elsewhere.
ctrl_keys_and_signals() {
	send_bytes 03 1a 1c
	send C-c C-z
	wait_settled
	expect_alive
	for sig in INT QUIT TSTP; do
		kill -s "$sig" "$(kiosk_pid)" || fail "kill -$sig"
	done
	wait_settled
	expect_alive
}

t_ctrl_keys_client_page() {
	kiosk_start
	start_checkin
	type_text "Ann"
	wait_for "Ann"
	ctrl_keys_and_signals
	type_text "e"
	wait_for "Anne"
	expect_screen "About you" "First name"
	expect_no_screen "KIOSK EXITED"
}

t_ctrl_keys_welcome() {
	kiosk_start
	ctrl_keys_and_signals
	expect_screen "$WELCOME"
	send Enter
	wait_for "About microneedling"
	expect_alive
}

t_key_flood_welcome() {
	kiosk_start
	type_text "abcdefghijklmopqrstuvwxz ABCXYZ yn 0123456789 !?#-+"
	send Escape
	wait_settled
	send F1 F2 F3 F4 F5 F6 F7 F8 F9 F10 F11
	send Up Down Left Right Home End PPage NPage IC DC BSpace Tab BTab Space
	wait_settled
	send Escape Escape
	wait_settled
	# Digits and F2 pick a language on the welcome page; nothing starts.
	expect_screen "1 English · 2 Español"
	send 1
	wait_for "$WELCOME"
	expect_alive
	expect_export <<EOF
lines 0
EOF
	# Exactly one page on: Esc from the about page is the welcome page
	# again; from any later page it would not be.
	send Enter
	wait_for "About microneedling"
	send Escape
	wait_for "$WELCOME"
}

# ---------------------------------------------------------------- SIGTERM

t_sigterm() {
	kiosk_start
	walk_client "Tess" "Term" "Tess Term"
	receipt=$(screen_receipt)
	send Enter
	wait_for "$WELCOME"
	start_checkin
	type_text "Halfway"
	wait_for "Halfway"
	kill -s TERM "$(kiosk_pid)"
	wait_for "KIOSK EXITED" 10
	expect_screen "KIOSK EXITED rc=0" "TTY RESTORED"
	expect_no_screen "The Skin Clinic" "Halfway" "About you"
	modes=$(tmux -L "$SOCK" display-message -p -t k \
	    'alternate=#{alternate_on} cursor=#{cursor_flag} mouse=#{mouse_any_flag} keypad=#{keypad_flag}')
	[ "$modes" = "alternate=0 cursor=1 mouse=0 keypad=0" ] ||
		fail "terminal modes after exit: $modes"
	expect_export <<EOF
lines              1
receipt            $receipt
client.given_name  Tess
outcome            clear
EOF
}

# ---------------------------------------------------------------- vt100

# SGR colour codes (foreground or background) anywhere on screen.
screen_colours() {
	tmux -L "$SOCK" capture-pane -e -p -t k | "$PY" -c '
import re, sys
n = 0
for m in re.finditer(r"\x1b\[([0-9;]*)m", sys.stdin.read()):
    codes = [int(c) if c else 0 for c in m.group(1).split(";")]
    n += sum(1 for c in codes if 30 <= c <= 37 or 40 <= c <= 47 or
             90 <= c <= 107 or c in (38, 48))
print(n)
'
}

t_vt100() {
	kiosk_start TERM=vt100
	expect_focus "The Skin Clinic"		# the header, in reverse video
	[ "$(screen_colours)" = 0 ] || fail "colours used on a monochrome terminal"
	send Enter
	wait_for "About microneedling"
	expect_focus "[ Continue ]"
	send Enter
	wait_for "About you"
	fill_details "Vera" "Tee" 12041990 "0612345678"
	fill_goals "1" "1"
	answer_health
	read_consent Enter		# vt100 has no PgDn key; Enter pages down
	accept_and_sign "Vera Tee"
	wait_for "Thank you, Vera."
	[ "$(screen_colours)" = 0 ] || fail "colours used on a monochrome terminal"
	expect_export <<EOF
lines              1
client.given_name  Vera
consent.status     accepted
EOF
}

# ---------------------------------------------------------------- config

# bad_config FRAGMENT: the test's config with FRAGMENT (JSON members)
# in place of the idle settings.
bad_config() {
	printf '{"kiosk_id":"e2e","state_dir":"state","form":"%s",%s}\n' \
	    "$FORM" "$1" >"$CFG"
}

t_config_wrong_type() {
	bad_config '"idle_timeout_s":"soon"'
	run_kiosk --config "$CFG" check
	expect_rc 78
	expect_stderr "idle_timeout_s"
	run_kiosk --config "$CFG"		# the kiosk itself: no half start
	expect_rc 78
	expect_stderr "idle_timeout_s"
	[ ! -e "$T/state" ] || fail "state dir made from a broken config"
}

t_config_syntax_error() {
	# A comma missing at the end of line 3: the error is at line 4.
	printf '{\n  "kiosk_id": "e2e",\n  "state_dir": "state"\n  "form": "%s"\n}\n' \
	    "$FORM" >"$CFG"
	where=$("$PY" -c '
import json, sys
try:
    json.load(open(sys.argv[1]))
except json.JSONDecodeError as e:
    print("%d:%d" % (e.lineno, e.colno))
' "$CFG")
	[ "$where" = "4:3" ] || fail "test config: python puts the error at $where"
	run_kiosk --config "$CFG" check
	expect_rc 78
	expect_stderr "$CFG:4:3: "
}

t_config_http_url() {
	bad_config '"server":{"url":"http://clinic.example/api/kiosk/v1"}'
	run_kiosk --config "$CFG" check
	expect_rc 78
	expect_stderr "server.url"
}

t_config_unknown_key() {
	bad_config '"idle_timeot_s":90'
	run_kiosk --config "$CFG" check
	expect_rc 78
	expect_stderr "idle_timeot_s"
}

t_config_below_minimum() {
	bad_config '"idle_timeout_s":4'
	run_kiosk --config "$CFG" check
	expect_rc 78
	expect_stderr "idle_timeout_s"
}

t_config_missing_form() {
	printf '{"kiosk_id":"e2e","state_dir":"state"}\n' >"$CFG"
	run_kiosk --config "$CFG" check
	expect_rc 78
	expect_stderr "form"
}

t_config_good() {
	run_kiosk --config "$CFG" check
	expect_rc 0
	grep -q "ok" "$T/out" || fail "check printed no ok: $(cat "$T/out")"
	[ ! -s "$T/err" ] || fail "check wrote to stderr: $(cat "$T/err")"
}

run_test "idle: warning with a countdown, a key resumes, then the welcome page and nothing stored" t_idle_timeout
run_test "window too small: 'Please enlarge', keys ignored; back to 80x24 with answers intact" t_too_small
run_test "Ctrl-C, Ctrl-Z, Ctrl-\\ and SIGINT/QUIT/TSTP on a client page do nothing" t_ctrl_keys_client_page
run_test "Ctrl-C, Ctrl-Z, Ctrl-\\ and SIGINT/QUIT/TSTP on the welcome page do nothing" t_ctrl_keys_welcome
run_test "a flood of keys on the welcome page: it stays until Enter" t_key_flood_welcome
run_test "SIGTERM mid-visit: exit 0, terminal restored, the finished intake kept" t_sigterm
run_test "TERM=vt100 (monochrome): a whole check-in works, focus in reverse video" t_vt100
run_test "config: idle_timeout_s \"soon\" exits 78 naming the key (check and run)" t_config_wrong_type
run_test "config: JSON syntax error exits 78 with FILE:LINE:COL" t_config_syntax_error
run_test "config: an http:// server url exits 78 naming server.url" t_config_http_url
run_test "config: an unknown key exits 78 naming it" t_config_unknown_key
run_test "config: idle_timeout_s below 5 exits 78" t_config_below_minimum
run_test "config: a missing form exits 78 naming it" t_config_missing_form
run_test "config: kiosk check on a good config exits 0" t_config_good
