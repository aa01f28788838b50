#!/bin/sh
# Sync from the kiosk UI (`kiosk run` in tmux): the kiosk's own sync thread
# sends an intake as soon as the client finishes, and a server that hangs
# never slows the screen down or keeps the kiosk from stopping. Asserts on
# the screen, the server's ledger and received file, and `kiosk status`.
. "$(dirname "$0")/sync_lib.sh"

# wait_screen_ms TEXT MS: poll the screen until TEXT shows; fail after MS
# milliseconds. Sets $waited (ms).
wait_screen_ms() {
	_w0=$(now_ms)
	while :; do
		screen >"$T/screen.txt" 2>/dev/null
		grep -qF -- "$1" "$T/screen.txt" && break
		waited=$(($(now_ms) - _w0))
		[ "$waited" -lt "$2" ] || fail "'$1' not on screen $waited ms after it was typed"
		sleep 0.02
	done
	waited=$(($(now_ms) - _w0))
}

# A client checks in; the server has it within seconds, with no sync
# command and a sync interval of a minute: the sync thread is woken by the
# commit. The received body is what the client typed and saw, and passes
# the server's --strict wire-format check ("Not sure" raises a review flag).
t_ui_sends_at_once() {
	sync_server --strict
	sync_config interval_s=60
	kiosk_start
	walk_client "Anna-Zoë" "Öberg" "Anna-Zoë Öberg" 3
	receipt=$(screen_receipt)
	wait_until 5 "the server to receive the intake (sync thread)" received_is 1
	given=$(jsonl "$T/srv/received" "L[0]['body']['client']['given_name']")
	[ "$given" = "Anna-Zoë" ] || fail "received client.given_name '$given', expected 'Anna-Zoë'"
	family=$(jsonl "$T/srv/received" "L[0]['body']['client']['family_name']")
	[ "$family" = "Öberg" ] || fail "received client.family_name '$family', expected 'Öberg'"
	got=$(jsonl "$T/srv/received" "L[0]['body']['outcome'] + ' ' + ','.join(f['level'] for f in L[0]['body']['flags'])")
	[ "$got" = "review review" ] || fail "received outcome and flag levels '$got', expected 'review review'"
	got=$(jsonl "$T/srv/received" "L[0]['body']['receipt']")
	[ "$got" = "$receipt" ] || fail "received receipt '$got'; the client saw '$receipt'"
	kiosk_export
	id=$(jsonl "$T/export.jsonl" "L[0]['id']")
	[ "$(jsonl "$T/srv/received" "L[0]['key']")" = "$id" ] ||
		fail "the received key is not the stored intake's id $id"
	[ "$(jsonl "$T/srv/received" "L[0]['sha256']")" = "$(tr -d '\n' <"$T/export.jsonl" | sha256sum | cut -d' ' -f1)" ] ||
		fail "the server did not receive the stored payload byte for byte"
	wait_sent 1 5
	[ "$(ledger_count)" = 1 ] || fail "$(ledger_count) requests, expected 1"
}

# The server takes every request and never answers (60 s; the kiosk's
# timeout is 60 s too): after the first client, the sync thread is stuck.
# The next client types and every keystroke shows at once, the thank-you
# page comes, and SIGTERM still ends the kiosk within seconds: the stuck
# request is aborted and the terminal is given back.
t_ui_responsive_while_server_hangs() {
	sync_server --fault hang --hang-seconds 60
	sync_config timeout_s=60 interval_s=60
	kiosk_start
	walk_client "Agnes" "Hung" "Agnes Hung"
	wait_until 5 "the sync thread's request hanging on the server" ledger_has '"fault":"hang"'
	send Enter
	wait_for "$WELCOME"
	start_checkin
	typed=""
	slowest=0
	for c in B e a t r i x; do
		typed=$typed$c
		type_text "$c"
		wait_screen_ms "$typed" 2000
		[ "$waited" -gt "$slowest" ] && slowest=$waited
	done
	echo "slowest keystroke: $slowest ms"
	send Tab
	type_text "Second"
	wait_screen_ms "Second" 2000
	send Tab
	type_text 01021985
	send Tab
	type_text "0612345678"
	wait_screen_ms "0612345678" 2000
	send Enter Enter	# to Email, then submit
	wait_for "Your skin goals" 3
	fill_goals "2" "1"
	answer_health
	read_consent
	accept_and_sign "Beatrix Second"
	wait_for "Thank you, Beatrix." 3
	[ "$(ledger_count)" = 1 ] ||
		fail "$(ledger_count) requests; the sync thread should still be stuck on the first"
	pid=$(kiosk_pid)
	t0=$(now_ms)
	kill -TERM "$pid" || fail "cannot signal the kiosk"
	wait_until 5 "the kiosk to exit on SIGTERM with its request stuck" \
	    eval 'screen | grep -q "KIOSK EXITED"'
	took=$(($(now_ms) - t0))
	echo "exit after SIGTERM: $took ms"
	expect_screen "KIOSK EXITED rc=0" "TTY RESTORED"
	expect_status pending 2 sent 0
	[ "$(ledger_count)" = 1 ] || fail "$(ledger_count) requests, expected the one stuck request"
}

# Staff put a parked check-in back in the queue from the sync status page
# (Tab to "Requeue parked", Enter): audited with the staff member's name,
# and the sync thread delivers it.
t_ui_requeue_parked() {
	pin=246810
	hash=$(printf '%s\n' "$pin" | "$KIOSK_CLI" hash-pin) || fail "kiosk hash-pin failed"
	sync_server --fault 422x1
	sync_config interval_s=1
	"$PYTHON" - "$CFG" "$hash" <<'PY' || fail "cannot add a staff member to the config"
import json, sys
c = json.load(open(sys.argv[1]))
c["staff"] = {"members": [{"name": "Ana", "pin_hash": sys.argv[2]}]}
json.dump(c, open(sys.argv[1], "w"))
PY
	chmod 600 "$CFG"	# it holds a PIN hash
	seed 1
	id=$(seeded_id)
	kiosk_start
	wait_until 10 "the intake to be parked (422)" eval '[ "$(sqlite3 "$T/state/kiosk.db" "SELECT sync_state FROM intakes")" = parked ]'
	send C-a
	wait_for "Staff sign-in"
	type_text "$pin"
	send Enter
	wait_for "Today's check-ins" 15
	i=0
	until has_focus "[ Sync status ]"; do
		i=$((i + 1))
		[ "$i" -gt 4 ] && fail "home: Tab never focuses [ Sync status ]"
		send Tab
		wait_settled
	done
	send Enter
	wait_for "Sync status"
	expect_screen "1 parked"
	send Tab
	wait_settled
	has_focus "[ Requeue parked ]" || fail "Tab does not focus [ Requeue parked ]"
	send Enter
	wait_for "back in the queue"
	wait_sent 1 10
	[ "$(sqlite3 "$T/state/kiosk.db" "SELECT actor || ' ' || subject FROM audit WHERE action = 'requeue'")" = "Ana 1 parked records" ] ||
		fail "the requeue is not audited with Ana's name"
	[ "$(ledger_statuses "$id")" = "422 201" ] ||
		fail "ledger statuses for $id: $(ledger_statuses "$id"), expected 422 201"
}

run_test "a check-in in the UI reaches the server within seconds, by the kiosk's own sync thread" t_ui_sends_at_once
run_test "server hangs: keystrokes still show at once, the next client finishes, SIGTERM exits promptly" t_ui_responsive_while_server_hangs
run_test "staff sync status: Requeue parked puts a parked check-in back, audited; it is delivered" t_ui_requeue_parked
