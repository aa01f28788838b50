#!/bin/sh
# Sync, headless: `kiosk sync --once` and the `kiosk sync` loop against the
# real test HTTPS clinic server (tests/server) and its fault modes. Each
# test has its own server, config and store; asserts on the kiosk's exit
# code, `kiosk status`, the server's ledger (every request) and its
# received file (every stored record). docs/wire-format.md, kiosk(8).
. "$(dirname "$0")/sync_lib.sh"

WIRE_FIELDS="schema id receipt kiosk_id started_at completed_at language form client answers flags outcome consent"

# One intake, one pass: delivered once, byte for byte, with the headers the
# contract names; a second pass sends nothing.
t_one_intake() {
	sync_server
	sync_config
	seed 1
	id=$(seeded_id)
	sync_once
	expect_rc 0 "kiosk sync --once"
	expect_delivered_once "$id"
	missing=$(jsonl "$T/srv/received" "[k for k in '$WIRE_FIELDS'.split() if k not in L[0]['body']]")
	[ -z "$missing" ] || fail "the received body lacks wire fields: $missing"
	[ "$(jsonl "$T/srv/received" "L[0]['kind']")" = intake ] ||
		fail "received kind is not intake"
	got=$(jsonl "$T/srv/ledger" "['%s %s %s auth=%s %s' % (l['method'], l['path'], l['key'], l['auth'], l['status']) for l in L]")
	want="POST /api/kiosk/v1/intakes \"$id\" auth=True 201"
	[ "$got" = "$want" ] || fail "ledger: '$got', expected '$want'"
	expect_status sent 1 pending 0 parked 0
	[ -n "$(status_value last_success_at)" ] || fail "status has no last_success_at"
	[ -z "$(status_value last_error)" ] || fail "status still has a last_error"
	sync_once
	expect_rc 0 "the second kiosk sync --once"
	[ "$(ledger_count)" = 1 ] || fail "the second pass sent something: $(ledger_count) requests"
	received_is 1 || fail "received $(received_count) records after the second pass"
}

# No server on the port: 75, "no network"; the server comes back on the
# same port and the loop delivers once, after the backoff.
t_server_down() {
	sync_server
	port=$clinic_port
	sync_server_stop
	sync_config
	seed 1
	id=$(seeded_id)
	sync_once
	expect_rc 75 "kiosk sync --once with no server"
	expect_status pending 1 sent 0
	expect_status_says last_error 'no network\|cannot be reached'
	sync_server --port "$port"
	[ "$clinic_port" = "$port" ] || fail "the server did not get port $port back"
	sync_bg
	wait_sent 1 10
	sync_bg_stop
	expect_delivered_once "$id"
	[ "$(ledger_statuses "$id")" = 201 ] ||
		fail "ledger statuses for $id: $(ledger_statuses "$id"), expected 201"
	expect_status pending 0 sent 1
}

# 503 three times, then fine: the loop backs off (never longer than
# backoff_max_s 2) and delivers once; all four requests carry the same key.
t_503_backoff() {
	sync_server --fault 503x3
	sync_config backoff_max_s=2
	seed 1
	id=$(seeded_id)
	sync_bg
	wait_sent 1 20
	sync_bg_stop
	expect_delivered_once "$id"
	st=$(ledger_statuses "$id")
	[ "$st" = "503 503 503 201" ] || fail "ledger statuses for $id: $st, expected 503 503 503 201"
	keys=$(jsonl "$T/srv/ledger" "len(set(l['key'] for l in L))")
	[ "$keys" = 1 ] || fail "$keys different Idempotency-Keys, expected 1"
	gap=$(jsonl "$T/srv/ledger" "'%.2f' % max(b['t'] - a['t'] for a, b in zip(L, L[1:]))")
	ok=$(jsonl "$T/srv/ledger" "all(b['t'] - a['t'] <= 3.5 for a, b in zip(L, L[1:]))")
	[ "$ok" = True ] || fail "a retry came $gap s after the previous attempt; backoff_max_s is 2"
	expect_status sent 1 pending 0
}

# A server-wide failure stops the pass: three intakes due, one 503, one
# request; all three still pending.
t_503_stops_pass() {
	sync_server --fault 503x1
	sync_config
	seed 3
	sync_once
	expect_rc 75 "kiosk sync --once meeting a 503"
	[ "$(ledger_count)" = 1 ] ||
		fail "$(ledger_count) requests after a 503; the pass should stop at the first"
	expect_status pending 3 sent 0
	expect_status_says last_error '503'
	# Exit 75 says, in one line, what is pending and why.
	[ "$(wc -l <"$T/once.err")" = 1 ] ||
		fail "kiosk sync --once (75) printed $(wc -l <"$T/once.err") lines, expected one: $(cat "$T/once.err")"
	grep -q '3 intakes.*still pending.*503' "$T/once.err" ||
		fail "the exit-75 line does not say what is pending and why: $(cat "$T/once.err")"
}

# The server closes kept-alive connections without warning (no
# Connection: close) and after every second answer (Connection: close):
# one pass still delivers all five, once each.
t_server_closes() {
	sync_server --fault closex2 --max-requests 2
	sync_config
	seed 5
	sync_once
	expect_rc 0 "kiosk sync --once with a server closing connections"
	received_is 5 || fail "received $(received_count) records, expected 5"
	got=$(jsonl "$T/srv/ledger" "[l['status'] for l in L]")
	[ "$got" = "201 201 201 201 201" ] || fail "ledger statuses: $got, expected five 201"
	expect_status sent 5 pending 0
}

# 429 with Retry-After: 3: the next attempt waits at least 3 s, longer
# than the backoff would (Retry-After counts up to backoff_max_s, here 4).
t_429_retry_after() {
	sync_server --fault 429x1 --retry-after 3
	sync_config backoff_max_s=4
	seed 1
	id=$(seeded_id)
	sync_bg
	wait_sent 1 15
	sync_bg_stop
	expect_delivered_once "$id"
	st=$(ledger_statuses "$id")
	[ "$st" = "429 201" ] || fail "ledger statuses for $id: $st, expected 429 201"
	gap=$(jsonl "$T/srv/ledger" "'%.3f' % (L[1]['t'] - L[0]['t'])")
	ok=$(jsonl "$T/srv/ledger" "3.0 <= L[1]['t'] - L[0]['t'] <= 6.0")
	[ "$ok" = True ] || fail "the retry came $gap s after the 429 with Retry-After: 3 (expected 3 to 6 s)"
}

# The same with `kiosk sync --once` run over and over, as a timer would
# (and as any restarted kiosk does): the intake's stored next attempt must
# not come before the Retry-After has passed either. The first pass starts
# in the second half of a wall-clock second, so the 429 comes late in its
# second too: a next attempt computed from whole seconds would show.
t_429_retry_after_once() {
	sync_server --fault 429x1 --retry-after 3
	sync_config
	seed 1
	id=$(seeded_id)
	while [ $(($(now_ms) % 1000)) -lt 450 ] || [ $(($(now_ms) % 1000)) -ge 550 ]; do
		sleep 0.01
	done
	sync_once
	expect_rc 75 "kiosk sync --once meeting a 429"
	end=$(($(now_ms) + 10000))
	while sync_once; [ "$rc" = 75 ]; do
		[ "$(now_ms)" -lt "$end" ] || fail "still pending 10 s after a 429 with Retry-After: 3"
	done
	expect_rc 0 "kiosk sync --once after the Retry-After"
	st=$(ledger_statuses "$id")
	[ "$st" = "429 201" ] || fail "ledger statuses for $id: $st, expected 429 201"
	gap=$(jsonl "$T/srv/ledger" "'%.3f' % (L[1]['t'] - L[0]['t'])")
	ok=$(jsonl "$T/srv/ledger" "L[1]['t'] - L[0]['t'] >= 3.0")
	[ "$ok" = True ] || fail "the retry came $gap s after the 429 with Retry-After: 3"
}

# The server reads the request and says nothing for 30 s: the kiosk gives
# up after timeout_s (2), then the loop retries and delivers once.
t_hang_timeout() {
	sync_server --fault hangx1 --hang-seconds 30
	sync_config timeout_s=2
	seed 1
	id=$(seeded_id)
	sync_once
	expect_rc 75 "kiosk sync --once against a hanging server"
	[ "${secs%.*}" -lt 6 ] || fail "kiosk sync --once took $secs s; timeout_s is 2"
	expect_status pending 1 sent 0
	expect_status_says last_error 'time'
	sync_bg
	wait_sent 1 10
	sync_bg_stop
	expect_delivered_once "$id"
	st=$(ledger_statuses "$id")
	[ "$st" = "- 201" ] || fail "ledger statuses for $id: $st, expected '- 201' (hang, then stored)"
}

# fault_then_ok FAULT: one pass meets FAULT (75, nothing sent), then the
# loop retries and delivers once.
fault_then_ok() {
	sync_server --fault "${1}x1"
	sync_config
	seed 1
	id=$(seeded_id)
	sync_once
	expect_rc 75 "kiosk sync --once against fault $1"
	expect_status pending 1 sent 0
	[ -n "$(status_value last_error)" ] || fail "no last_error after fault $1"
	sync_bg
	wait_sent 1 10
	sync_bg_stop
	expect_delivered_once "$id"
	st=$(ledger_statuses "$id")
	[ "$st" = "- 201" ] || fail "ledger statuses for $id: $st, expected '- 201'"
	expect_status pending 0 sent 1
}

t_reset() {
	fault_then_ok reset
}

t_garbage() {
	fault_then_ok garbage
}

# 2xx without a receipt naming the intake (a captive portal's HTML page, a
# body that is not JSON, a receipt for another id): not delivered.
t_no_receipt() {
	sync_server --fault portal
	sync_config
	seed 1
	sync_once
	expect_rc 75 "kiosk sync --once behind a captive portal"
	expect_status sent 0 pending 1
	expect_status_says last_error 'portal\|receipt'
	# The first intake now waits for its backoff; a new one is due at once.
	clinic_faults "$T/srv" badjson
	seed 1
	sync_once
	expect_rc 75 "kiosk sync --once with a 201 whose body is not JSON"
	clinic_faults "$T/srv" wrongid
	seed 1
	sync_once
	expect_rc 75 "kiosk sync --once with a receipt for another id"
	expect_status sent 0 pending 3
	got=$(jsonl "$T/srv/ledger" "['%s:%s' % (l['fault'], l['status']) for l in L]")
	[ "$got" = "portal:200 badjson:201 wrongid:201" ] ||
		fail "ledger: $got, expected portal:200 badjson:201 wrongid:201"
}

# tls_refused CERT-NAME CA-FILE: the server shows CERT-NAME; the kiosk
# trusts CA-FILE. TLS must fail before any HTTP: no ledger line, 75, an
# alert about the certificate, nothing sent.
tls_refused() {
	sync_server --cert "$CLINIC_CERTS/$1.pem" --key "$CLINIC_CERTS/$1.key"
	sync_config ca_file="$2"
	seed 1
	sync_once
	expect_rc 75 "kiosk sync --once ($1 certificate, CA $(basename "$2"))"
	[ "$(ledger_count)" = 0 ] ||
		fail "$(ledger_count) requests reached the server over an unverified connection"
	expect_status sent 0 pending 1
	expect_status_says alert 'certificate'
}

t_tls_wrong_ca() {
	tls_refused server "$CLINIC_CERTS/other-ca.pem"
}

t_tls_wrong_host() {
	tls_refused wronghost "$CLINIC_CERTS/ca.pem"
}

t_tls_expired() {
	tls_refused expired "$CLINIC_CERTS/ca.pem"
}

# A server URL that is not https:// is a config error (78) naming the key.
t_http_url() {
	sync_server
	sync_config url="http://127.0.0.1:$clinic_port/api/kiosk/v1" store=no
	kiosk_cmd check check
	expect_rc 78 "kiosk check with an http:// URL"
	grep -q 'server\.url' "$T/check.err" ||
		fail "kiosk check does not name server.url: $(cat "$T/check.err")"
	sync_once
	expect_rc 78 "kiosk sync --once with an http:// URL"
	grep -q 'server\.url' "$T/once.err" ||
		fail "kiosk sync --once does not name server.url: $(cat "$T/once.err")"
	[ "$(ledger_count)" = 0 ] || fail "a request reached the server"
}

# The server refuses the kiosk's token: 75, an alert about credentials,
# the intake kept; the loop retries slowly (at least backoff_max_s apart).
t_401() {
	printf '%s' 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef >"$T/other-token"
	chmod 600 "$T/other-token"
	sync_server --token "@$T/other-token"
	sync_config backoff_max_s=2
	seed 1
	id=$(seeded_id)
	sync_once
	expect_rc 75 "kiosk sync --once with a refused token"
	got=$(jsonl "$T/srv/ledger" "['%s auth=%s' % (l['status'], l['auth']) for l in L]")
	[ "$got" = "401 auth=False" ] || fail "ledger: $got, expected '401 auth=False'"
	expect_status pending 1 sent 0 parked 0
	expect_status_says alert 'credentials'
	kiosk_export
	grep -qF "\"id\":\"$id\"" "$T/export.jsonl" || fail "the intake is not in kiosk export"
	sync_bg
	wait_until 15 "two more refused attempts" ledger_has '"status":401' 3
	sync_bg_stop
	gap=$(jsonl "$T/srv/ledger" "'%.2f' % min(b['t'] - a['t'] for a, b in zip(L[1:], L[2:]))")
	ok=$(jsonl "$T/srv/ledger" "min(b['t'] - a['t'] for a, b in zip(L[1:], L[2:])) >= 1.9")
	[ "$ok" = True ] || fail "refused attempts only $gap s apart; credentials failures wait min(60, backoff_max_s) = 2 s"
	expect_status pending 1 sent 0
}

# 422 (the key was used with another body): parked, kept, not pending,
# never sent again; the pass goes on with the next intake.
t_422_parked() {
	sync_server --fault 422x1
	sync_config
	seed 2
	sync_once
	expect_rc 0 "kiosk sync --once after a 422 (parked is not pending)"
	[ "$(ledger_count)" = 2 ] ||
		fail "$(ledger_count) requests; a 422 concerns one record and must not stop the pass"
	id=$(jsonl "$T/srv/ledger" "[l['id'] for l in L if l['status'] == 422]")
	[ -n "$id" ] || fail "no 422 in the ledger"
	expect_status parked 1 pending 0 sent 1
	kiosk_export
	grep -qF "\"id\":\"$id\"" "$T/export.jsonl" || fail "the parked intake $id is not in kiosk export"
	sync_once
	expect_rc 0 "the second kiosk sync --once"
	[ "$(ledger_count)" = 2 ] || fail "a parked intake was sent again ($(ledger_count) requests)"
	received_is 1 || fail "received $(received_count) records, expected only the other intake"
	[ "$(jsonl "$T/srv/received" "L[0]['key']")" != "$id" ] || fail "the server stored the parked intake"
}

# SIGTERM while the request hangs (timeout_s 30): kiosk sync aborts it and
# exits 0 within seconds; the intake stays pending.
t_sigterm_mid_post() {
	sync_server --fault hang --hang-seconds 30
	sync_config timeout_s=30
	seed 1
	sync_bg
	wait_until 10 "the hanging request in the ledger" ledger_has '"fault":"hang"'
	t0=$(now_ms)
	sync_bg_stop
	took=$(($(now_ms) - t0))
	[ "$took" -lt 3000 ] || fail "kiosk sync took $took ms to exit on SIGTERM with a request in flight"
	expect_status pending 1 sent 0
}

# kiosk sync killed (-9) while its request hangs; restarted, it sends the
# intake again with the same key and it is stored once.
t_kill_mid_post() {
	sync_server --fault hangx1 --hang-seconds 30
	sync_config timeout_s=30
	seed 1
	id=$(seeded_id)
	sync_bg
	wait_until 10 "the hanging request in the ledger" ledger_has '"fault":"hang"'
	sync_bg_kill9
	sync_bg
	wait_sent 1 10
	sync_bg_stop
	expect_delivered_once "$id"
	n=$(jsonl "$T/srv/ledger" "len([l for l in L if l['key'] == '\"$id\"'])")
	[ "$n" -ge 2 ] || fail "$n requests with Idempotency-Key \"$id\", expected 2 or more"
	expect_status sent 1 pending 0
}

# kiosk sync killed (-9) after the server stored the intake but before the
# receipt arrived (trickled): the restart posts it again, the server
# replays its receipt (200), nothing is stored twice, the kiosk marks it sent.
t_kill_after_store() {
	sync_server --fault tricklex1 --trickle-interval 1
	sync_config timeout_s=30
	seed 1
	id=$(seeded_id)
	sync_bg
	wait_until 10 "the server storing the intake" received_is 1
	sync_bg_kill9
	expect_status sent 0 pending 1
	sync_bg
	wait_until 10 "the replayed receipt (200)" ledger_has '"status":200'
	wait_sent 1 5
	sync_bg_stop
	expect_delivered_once "$id"
	st=$(ledger_statuses "$id")
	[ "$st" = "201 200" ] || fail "ledger statuses for $id: $st, expected 201 200"
}

# 500 intakes queued offline: one pass sends them all over a handful of
# connections.
t_drain_500() {
	sync_server
	sync_config
	seed 500
	sync_once
	expect_rc 0 "kiosk sync --once with 500 queued"
	n=$(received_count)
	[ "$n" = 500 ] || fail "received $n records, expected 500"
	d=$(jsonl "$T/srv/received" "len(set(l['key'] for l in L))")
	[ "$d" = 500 ] || fail "$d distinct keys received, expected 500"
	c=$(jsonl "$T/srv/ledger" "len(set(l['conn'] for l in L))")
	[ "$c" -le 5 ] || fail "500 posts used $c connections, expected at most 5"
	expect_status sent 500 pending 0
	echo "500 intakes in $secs s over $c connections"
}

# Mutual TLS: with the client certificate, delivered (the server saw it);
# without it, no request gets through and staff see an alert.
t_mtls_with_cert() {
	sync_server --client-ca "$CLINIC_CERTS/ca.pem"
	sync_config extra=",\"client_cert\":\"$CLINIC_CERTS/client.pem\",\"client_key\":\"$CLINIC_CERTS/client.key\""
	seed 1
	id=$(seeded_id)
	sync_once
	expect_rc 0 "kiosk sync --once with a client certificate"
	expect_delivered_once "$id"
	[ "$(jsonl "$T/srv/ledger" "L[0]['client_cert']")" = kiosk-test ] ||
		fail "the server saw no client certificate kiosk-test"
	expect_status sent 1
}

t_mtls_without_cert() {
	sync_server --client-ca "$CLINIC_CERTS/ca.pem"
	sync_config
	seed 1
	sync_once
	expect_rc 75 "kiosk sync --once without the client certificate"
	[ "$(ledger_count)" = 0 ] || fail "a request got through without a client certificate"
	received_is 0 || fail "the server stored something"
	expect_status sent 0 pending 1
	expect_status_says alert 'certificate\|secure connection'
}

# Two senders at once on one store (the `kiosk sync` loop and two `kiosk
# sync --once`): no false error, every intake stored once by the server,
# every intake marked sent.
t_two_senders() {
	sync_server
	sync_config
	seed 300
	sync_bg
	( sync_env "$KIOSK" --config "$CFG" sync --once >"$T/a.out" 2>"$T/a.err" </dev/null; echo $? >"$T/a.rc" ) &
	( sync_env "$KIOSK" --config "$CFG" sync --once >"$T/b.out" 2>"$T/b.err" </dev/null; echo $? >"$T/b.rc" ) &
	wait_until 60 "both sync --once to finish" eval '[ -s "$T/a.rc" ] && [ -s "$T/b.rc" ]'
	for w in a b; do
		sanitizer_check "$T/$w.err"
		[ "$(cat "$T/$w.rc")" = 0 ] ||
			fail "sync --once ($w) exited $(cat "$T/$w.rc") beside another sender: $(cat "$T/$w.err")"
	done
	wait_sent 300 20
	sync_bg_stop
	! grep -q 'sync:' "$T/sync.err" || fail "the sync loop reported an error: $(cat "$T/sync.err")"
	n=$(jsonl "$T/srv/received" "len(set(l['key'] for l in L))")
	[ "$n" = 300 ] || fail "the server stored $n distinct intakes, expected 300"
	received_is 300 || fail "received $(received_count) records: something was stored twice"
	expect_status sent 300 pending 0 parked 0
}

# A store that cannot be opened: `kiosk sync` exits 73 like status/export.
t_store_refused_73() {
	sync_server
	sync_config
	chmod 755 "$T/state"
	sync_once
	expect_rc 73 "kiosk sync --once with a state_dir others can read"
	kiosk_cmd loop sync
	expect_rc 73 "kiosk sync with a state_dir others can read"
	chmod 700 "$T/state"
}

# A payload that no longer matches its stored SHA-256 is never sent: parked
# as damaged, with an alert; the other intake goes.
t_damaged_parked() {
	sync_server
	sync_config
	seed 2
	bad=$(seeded_id 1)
	good=$(seeded_id 2)
	sqlite3 "$T/state/kiosk.db" "DROP TRIGGER intakes_purge_only;
	    UPDATE intakes SET payload = replace(payload, 'Zoë', 'Zoe') WHERE id = '$bad';
	    CREATE TRIGGER intakes_purge_only BEFORE UPDATE OF payload ON intakes
	    WHEN NEW.payload IS NOT NULL
	    BEGIN SELECT RAISE(ABORT, 'an intake payload can only be purged'); END;" ||
		fail "cannot damage the stored payload"
	sync_once
	expect_rc 0 "kiosk sync --once with a damaged intake (parked is not pending)"
	[ "$(ledger_count)" = 1 ] || fail "$(ledger_count) requests, expected only the good intake"
	[ "$(jsonl "$T/srv/ledger" "L[0]['id']")" = "$good" ] || fail "the damaged intake was sent"
	expect_status parked 1 sent 1 pending 0
	expect_status_says damaged "$bad"
	grep -q "^parked intake $bad at .*damaged" "$T/status.txt" ||
		fail "kiosk status does not list $bad as parked, damaged: $(cat "$T/status.txt")"
}

# 503 with Retry-After 3: the pause is kept in the store, so a new
# `kiosk sync --once` sends nothing until it has passed, then all three go.
t_pause_kept() {
	sync_server --fault 503x1 --retry-after 3
	sync_config backoff_max_s=10
	seed 3
	sync_once
	expect_rc 75 "kiosk sync --once meeting a 503 with Retry-After"
	sync_once
	expect_rc 75 "kiosk sync --once during the server's pause"
	[ "$(ledger_count)" = 1 ] ||
		fail "$(ledger_count) requests; a second sync --once ignored the server's Retry-After"
	grep -q 'pause' "$T/once.err" || fail "the exit-75 line does not name the pause: $(cat "$T/once.err")"
	kstatus
	expect_status_says paused_until '[0-9]'
	end=$(($(now_ms) + 10000))
	while sync_once; [ "$rc" = 75 ]; do
		[ "$(now_ms)" -lt "$end" ] || fail "still pending 10 s after a 503 with Retry-After: 3"
	done
	expect_rc 0 "kiosk sync --once after the pause"
	ok=$(jsonl "$T/srv/ledger" "L[1]['t'] - L[0]['t'] >= 3.0")
	[ "$ok" = True ] || fail "a request came before the Retry-After had passed"
	expect_status sent 3 pending 0
	[ -z "$(status_value paused_until)" ] || fail "the pause is still noted after delivery"
}

# A refused token is read again before the next attempt: fixing the file
# is enough, no restart.
t_token_reread() {
	printf '%s' 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef >"$T/other-token"
	chmod 600 "$T/other-token"
	cp "$CLINIC_CERTS/token" "$T/token"
	chmod 600 "$T/token"
	sync_server --token "@$T/other-token"
	sync_config token_file="$T/token" backoff_max_s=2
	seed 1
	sync_bg
	wait_until 10 "a refused attempt" ledger_has '"status":401'
	cp "$T/other-token" "$T/token.new"
	chmod 600 "$T/token.new"
	mv "$T/token.new" "$T/token"
	wait_sent 1 15
	sync_bg_stop
	[ "$(ledger_count '"status":201')" = 1 ] || fail "not delivered with the fixed token"
}

# 422: kiosk status lists the parked intake with its reason and time, even
# after a later success; `kiosk requeue ID` puts it back (audited) and the
# next pass sends it.
t_parked_requeue() {
	sync_server --fault 422x1
	sync_config
	seed 2
	sync_once
	expect_rc 0 "kiosk sync --once after a 422"
	id=$(jsonl "$T/srv/ledger" "[l['id'] for l in L if l['status'] == 422]")
	kstatus
	grep -q "^parked intake $id at 20[0-9-]*T[0-9:]*Z: .*HTTP 422" "$T/status.txt" ||
		fail "kiosk status does not list $id with its 422: $(cat "$T/status.txt")"
	kiosk_cmd none requeue 3f1c2d4e-0000-4000-8000-00000000dead
	expect_rc 65 "kiosk requeue of an id that is not parked"
	kiosk_cmd rq requeue "$id"
	expect_rc 0 "kiosk requeue $id"
	grep -q '^requeued: 1$' "$T/rq.out" || fail "kiosk requeue said: $(cat "$T/rq.out")"
	[ "$(sqlite3 "$T/state/kiosk.db" "SELECT count(*) FROM audit WHERE action = 'requeue' AND subject = '$id'")" = 1 ] ||
		fail "the requeue is not in the audit log"
	expect_status parked 0 pending 1
	sync_once
	expect_rc 0 "kiosk sync --once after the requeue"
	expect_status parked 0 pending 0 sent 2
	kiosk_cmd all requeue --parked
	expect_rc 0 "kiosk requeue --parked with nothing parked"
	grep -q '^requeued: 0$' "$T/all.out" || fail "kiosk requeue --parked said: $(cat "$T/all.out")"
}

# An intake stored while the clock was a day ahead is sent once the clock
# is right.
t_clock_ahead() {
	sync_server
	sync_config
	seed 1
	sqlite3 "$T/state/kiosk.db" "UPDATE intakes SET next_attempt_at = next_attempt_at + 86400" ||
		fail "cannot move the due time"
	sync_once
	expect_rc 0 "kiosk sync --once with an intake due tomorrow (clock was ahead)"
	expect_status sent 1 pending 0
}

run_test "one intake: sync --once delivers it once, every wire field, key and token; a second pass sends nothing" t_one_intake
run_test "server down: exit 75, 'no network'; back on the same port, the loop delivers once" t_server_down
run_test "503 x3: backoff within backoff_max_s, then delivered once, same key" t_503_backoff
run_test "a 503 stops the pass: one request for three due intakes, all still pending" t_503_stops_pass
run_test "server closes kept-alive connections: one pass still delivers all five once" t_server_closes
run_test "429 with Retry-After 3 (backoff_max_s 4): the next attempt waits at least 3 s" t_429_retry_after
run_test "429 with Retry-After 3, sync --once again and again: no attempt before 3 s" t_429_retry_after_once
run_test "hanging server: the attempt times out after timeout_s, retried, delivered once" t_hang_timeout
run_test "connection reset: retried, delivered once" t_reset
run_test "garbage answer: retried, delivered once" t_garbage
run_test "2xx without a receipt (portal page, bad JSON, wrong id): not marked sent" t_no_receipt
run_test "TLS: server certificate from an untrusted CA: no request, 75, alert" t_tls_wrong_ca
run_test "TLS: certificate for another host name: no request, 75, alert" t_tls_wrong_host
run_test "TLS: expired certificate: no request, 75, alert" t_tls_expired
run_test "http:// server URL: check and sync exit 78 naming server.url" t_http_url
run_test "401 (token refused): 75, credentials alert, intake kept, slow retries" t_401
run_test "422: parked, kept in export, not pending, never resent; the pass goes on" t_422_parked
run_test "SIGTERM while the post hangs: kiosk sync exits 0 within 3 s, intake still pending" t_sigterm_mid_post
run_test "SIGKILL while the post hangs: the restart delivers it once, same key" t_kill_mid_post
run_test "SIGKILL after the server stored it: the restart gets the replayed receipt, stored once" t_kill_after_store
run_test "500 intakes queued offline: one sync --once drains them over at most 5 connections" t_drain_500
run_test "mutual TLS with the client certificate: delivered" t_mtls_with_cert
run_test "mutual TLS without a client certificate: not delivered, alert" t_mtls_without_cert
run_test "two senders at once (loop and two sync --once): no false error, each stored once" t_two_senders
run_test "store cannot be opened: kiosk sync exits 73" t_store_refused_73
run_test "a payload that no longer matches its SHA-256: parked as damaged, alert, not sent" t_damaged_parked
run_test "503 with Retry-After: the pause is kept, a new sync --once waits it out" t_pause_kept
run_test "401: the token file is read again, a fixed token works without a restart" t_token_reread
run_test "422: status lists it with reason and time; kiosk requeue puts it back, audited" t_parked_requeue
run_test "an intake due a day ahead (clock was ahead) is sent at once" t_clock_ahead
