#!/bin/sh
# A hostile or impostor clinic server, and a kiosk that must not leak:
# huge and endless answers, escape bytes in a receipt, Retry-After
# extremes (each ends within timeout_s and nothing is marked sent that the
# server did not store), a server signed by a CA the system trusts but the
# config does not, and no core file with a client's answers in it.
. "$(dirname "$0")/sync_lib.sh"

# hostile_once FAULT: one intake, one `sync --once` against FAULT; it must
# end within timeout_s (3) plus start-up, stay pending and name the problem.
hostile_once() {
	sync_server --fault "$1"
	sync_config timeout_s=3
	seed 1
	sync_once
	expect_rc 75 "kiosk sync --once against '$1'"
	[ "${secs%.*}" -lt 8 ] || fail "sync --once against '$1' took $secs s; timeout_s is 3"
	received_is 0 || fail "the server stored something"
	expect_status sent 0 pending 1
}

t_huge_body() {
	hostile_once hugebody
	expect_status_says last_error 'larger than the kiosk accepts'
}

t_endless_body() {
	hostile_once endlessbody
	expect_status_says last_error 'larger than the kiosk accepts'
}

t_huge_header() {
	hostile_once hugeheader
	expect_status_says last_error 'headers were larger than the kiosk accepts'
	if status_value last_error | grep -qi 'memory\|no network'; then
		fail "the header limit is reported as '$(status_value last_error)'"
	fi
}

t_endless_headers() {
	hostile_once endlessheaders
	if status_value last_error | grep -qi 'memory'; then
		fail "endless headers reported as '$(status_value last_error)'"
	fi
}

# A receipt with ESC, BEL and a C1 CSI: delivered, but the receipt kept
# and shown holds no control character.
t_escape_receipt() {
	sync_server --fault escreceiptx1
	sync_config
	seed 1
	id=$(seeded_id)
	sync_once
	expect_rc 0 "kiosk sync --once"
	expect_delivered_once "$id"
	got=$(sqlite3 "$T/state/kiosk.db" "SELECT server_receipt IS NOT NULL,
	    instr(server_receipt, char(27)) + instr(server_receipt, char(7)) +
	    instr(server_receipt, char(155)) FROM intakes")
	[ "$got" = "1|0" ] || fail "the stored receipt holds control bytes: $(sqlite3 \
	    "$T/state/kiosk.db" "SELECT hex(server_receipt) FROM intakes")"
}

# Retry-After: 9223372036854775807 and 99999999999 park nothing beyond
# backoff_max_s (4), and the sanitizer build does not overflow.
t_retry_after_extremes() {
	for ra in 9223372036854775807 99999999999 -5 abc; do
		rm -rf "$T/srv" "$T/state" "$T/payloads"
		sync_server --fault 503x1 --retry-after "$ra"
		sync_config backoff_max_s=4
		seed 1
		sync_once
		expect_rc 75 "kiosk sync --once (Retry-After $ra)"
		grep -q '(null)' "$T/once.err" && fail "kiosk printed a NULL cause"
		next=$(sqlite3 "$T/state/kiosk.db" "SELECT next_attempt_at - strftime('%s','now') FROM intakes")
		[ "$next" -le 6 ] ||
			fail "Retry-After $ra parks the intake for $next s; backoff_max_s is 4"
		sync_server_stop
	done
}

# The CA pinning test needs a private mount namespace to put a test CA in
# the system store without touching the machine.
can_unshare() {
	[ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null
}

# A server whose certificate is signed by a CA in the system store (not in
# server.ca_file) must be refused: no request reaches it.
t_ca_pinned() {
	can_unshare || fail "unshare -m is not permitted here (needs root)"
	sync_server --cert "$CLINIC_CERTS/othersigned.pem" \
	    --key "$CLINIC_CERTS/othersigned.key"
	sync_config
	seed 1
	sysca=$(curl-config --ca 2>/dev/null)
	[ -n "$sysca" ] || sysca=/etc/ssl/certs/ca-certificates.crt
	# A system store (file and folder) that trusts only other-ca.
	mkdir -p "$T/sys/certs"
	cp "$CLINIC_CERTS/other-ca.pem" "$T/sys/certs/other-ca.pem"
	cp "$CLINIC_CERTS/other-ca.pem" "$T/sys/bundle.crt"
	cp "$CLINIC_CERTS/other-ca.pem" "$T/sys/certs/$(basename "$sysca")"
	h=$(openssl x509 -hash -noout -in "$CLINIC_CERTS/other-ca.pem")
	ln -s other-ca.pem "$T/sys/certs/$h.0"
	cat >"$T/ns.sh" <<EOF
mount --bind "$T/sys/certs" /etc/ssl/certs || exit 99
cmp -s "$sysca" "$T/sys/bundle.crt" || mount --bind "$T/sys/bundle.crt" "$sysca" || exit 99
# The system store now trusts the impostor: curl alone accepts it.
curl -s -o /dev/null -H 'Idempotency-Key: "probe"' -d '{"id":"probe"}' \
    "$clinic_url/x" || exit 98
exec "$KIOSK" --config "$CFG" sync --once
EOF
	sync_env unshare -m sh "$T/ns.sh" >"$T/once.out" 2>"$T/once.err" </dev/null
	rc=$?
	[ "$rc" != 99 ] || fail "could not mount the test CA store: $(cat "$T/once.err")"
	[ "$rc" != 98 ] || fail "the test CA store is not the one curl uses"
	[ "$rc" = 75 ] || fail "kiosk sync --once exited $rc, expected 75: $(cat "$T/once.err")"
	[ "$(ledger_count '"id":"[0-9a-f-]\{36\}"')" = 0 ] ||
		fail "an intake reached a server the clinic CA did not sign"
	received_is 0 || fail "the impostor stored something"
	expect_status sent 0 pending 1
	expect_status_says alert 'certificate\|secure connection'
}

# server.pinned_pubkey: the server's own key is accepted; any other key is
# refused before a request is sent, though the CA signed it.
t_pinned_pubkey() {
	sync_server
	right=$(openssl x509 -in "$CLINIC_CERTS/server.pem" -pubkey -noout |
	    openssl pkey -pubin -outform der | openssl dgst -sha256 -binary |
	    base64)
	wrong=$(openssl x509 -in "$CLINIC_CERTS/wronghost.pem" -pubkey -noout |
	    openssl pkey -pubin -outform der | openssl dgst -sha256 -binary |
	    base64)
	sync_config extra=",\"pinned_pubkey\":\"sha256//$wrong\""
	seed 1
	sync_once
	expect_rc 75 "kiosk sync --once with another key pinned"
	[ "$(ledger_count)" = 0 ] || fail "a request reached a server whose key is not pinned"
	expect_status sent 0 pending 1
	sync_config extra=",\"pinned_pubkey\":\"sha256//$wrong;sha256//$right\""
	# Due again now, not after the backoff the refusal earned.
	sqlite3 "$T/state/kiosk.db" "UPDATE intakes SET next_attempt_at = 0" ||
		fail "sqlite3 could not make the intake due"
	sync_once
	expect_rc 0 "kiosk sync --once with the server's key pinned"
	expect_status sent 1 pending 0
}

# With `ulimit -c unlimited`, a crash on the details page writes no core
# file (it would hold the typed name); KIOSK_CORE=1 is the developer's way.
t_no_core() {
	write_config
	cat >"$T/crash.sh" <<EOF
ulimit -c unlimited
exec "$E2E_ROOT/build/kiosk" --config "$CFG"
EOF
	{
		echo "cd '$T' || exit 1"
		echo "export ESCDELAY=25"
		echo "sh -c 'echo \$\$ >\"\$0\"; exec sh \"\$1\"' '$T/kiosk.pid' '$T/crash.sh'"
		echo "echo \"KIOSK EXITED rc=\$?\""
		echo "exec sleep 600"
	} >"$T/launch.sh"
	tmux -L "$SOCK" -f /dev/null new-session -d -s k -x 80 -y 24 \
	    "sh '$T/launch.sh'" || fail "tmux new-session failed"
	wait_for "$WELCOME" 15
	pid=$(kiosk_pid)
	grep -q '^Max core file size *0 *0 ' "/proc/$pid/limits" ||
		fail "core files allowed: $(grep 'core' "/proc/$pid/limits")"
	start_checkin
	type_text "Coredumpia"
	wait_for "Coredumpia"
	kill -SEGV "$pid"
	wait_for "KIOSK EXITED rc=139" 10
	ls "$T" | grep -q '^core' && fail "a core file was written: $(ls "$T")"
	return 0
}

# ---------------------------------------------------------------- keys

# On question 2, Alt+1 and a pasted escape sequence mean nothing: they
# neither go back to question 1 nor answer anything there; a lone Esc
# still goes back.
t_escape_keys() {
	write_config
	kiosk_start
	start_checkin
	fill_details "Ann" "Alt" 12041990 "07700 900123"
	fill_goals "1" "1"
	send n
	send Enter
	wait_for "Question 2 of"
	send M-1
	wait_settled
	expect_screen "Question 2 of"
	send_bytes 1b 5b 31 4a		# ESC [ 1 J, as pasted
	send_bytes 1b 4f 79		# ESC O y
	send_bytes 1b 5d 30 3b 78 07	# OSC title, BEL
	send_bytes c2 9b 31 4a		# C1 CSI 1 J
	wait_settled
	expect_screen "Question 2 of"
	send Enter			# nothing was chosen on question 2
	wait_for "Please choose an answer."
	send Escape
	wait_for "Question 1 of"
	expect_no_screen "Question 2 of"
}

# ---------------------------------------------------------------- hang-up

# The terminal goes away without a SIGHUP reaching the kiosk (started
# with setsid): it exits instead of spinning on end-of-file.
t_hangup() {
	write_config
	cat >"$T/launch.sh" <<EOF
cd '$T' || exit 1
export ESCDELAY=25 KIOSK_CORE=1
setsid -w sh -c 'echo \$\$ >"\$0"; exec "\$1" --config "\$2"' '$T/kiosk.pid' '$E2E_ROOT/build/kiosk' '$CFG'
exec sleep 600
EOF
	tmux -L "$SOCK" -f /dev/null new-session -d -s k -x 80 -y 24 \
	    "sh '$T/launch.sh'" || fail "tmux new-session failed"
	wait_for "$WELCOME" 15
	pid=$(kiosk_pid)
	tmux -L "$SOCK" kill-server
	end=$(($(date +%s) + 10))
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$(date +%s)" -ge "$end" ]; then
			cpu=$(cut -d' ' -f14 "/proc/$pid/stat")
			kill -KILL "$pid"
			fail "the kiosk was still running 10 s after its terminal went (utime $cpu ticks)"
		fi
		sleep 0.1
	done
}

# ---------------------------------------------------------------- audit

audit_rows() {
	sqlite3 "$T/state/kiosk.db" "SELECT count(*) FROM audit" 2>/dev/null
}
audit_rows_are() { [ "$(audit_rows)" = "$1" ]; }

# A failed PIN and a sign-in are audited and chained; `kiosk audit`
# lists them (no PIN typed); someone who goes around the append-only
# trigger with sqlite3 is caught by --verify, at the row they edited.
t_audit_chain() {
	hash=$(printf '123456\n' | "$KIOSK_CLI" hash-pin) || fail "hash-pin failed"
	printf '{"kiosk_id":"e2e-audit","state_dir":"state","form":"%s",
	    "staff":{"members":[{"name":"Ana","pin_hash":"%s"}]}}\n' \
	    "$FORM" "$hash" >"$CFG"
	chmod 600 "$CFG"
	kiosk_start
	send C-a
	wait_for "Staff sign-in"
	type_text 000000
	send Enter
	wait_until 10 "the failed PIN in the audit" audit_rows_are 1
	i=0
	until audit_rows_are 2; do
		i=$((i + 1))
		[ "$i" -gt 20 ] && fail "the sign-in never reached the audit"
		type_text 123456
		send Enter
		wait_for_rows 2 || true
	done
	kiosk_stop
	"$KIOSK_CLI" --config "$CFG" audit >"$T/audit.out" 2>"$T/audit.err" ||
		fail "kiosk audit failed: $(cat "$T/audit.err")"
	got=$(cut -d' ' -f2- "$T/audit.out" | head -2)
	want=$(printf '1 unknown pin-failure prompt\n2 Ana sign-in')
	[ "$got" = "$want" ] || fail "kiosk audit printed '$got', expected '$want'"
	grep -q 000000 "$T/audit.out" && fail "the typed PIN is in the audit"
	"$KIOSK_CLI" --config "$CFG" audit --since 2999-01-01 >"$T/later.out" ||
		fail "kiosk audit --since failed"
	[ -s "$T/later.out" ] && fail "audit --since 2999-01-01 listed rows"
	"$KIOSK_CLI" --config "$CFG" audit --verify >"$T/verify.out" ||
		fail "audit --verify of an intact chain: $(cat "$T/verify.out")"
	grep -q "audit chain ok: $(audit_rows) rows verified" "$T/verify.out" ||
		fail "audit --verify said: $(cat "$T/verify.out")"
	sqlite3 "$T/state/kiosk.db" "DROP TRIGGER audit_no_update;
	    UPDATE audit SET actor = 'Eve' WHERE seq = 2" ||
		fail "sqlite3 could not edit the audit row"
	"$KIOSK_CLI" --config "$CFG" audit --verify >"$T/verify.out"
	rc=$?
	[ "$rc" = 65 ] || fail "audit --verify of an edited chain exited $rc"
	grep -q 'audit chain broken at seq 2: row or hash changed' "$T/verify.out" ||
		fail "audit --verify said: $(cat "$T/verify.out")"
	"$KIOSK_CLI" --config "$CFG" audit --since yesterday >/dev/null 2>&1
	[ "$?" = 64 ] || fail "audit --since yesterday is not a usage error"
}

# wait_for_rows N: up to 2 s for N audit rows.
wait_for_rows() {
	_wr=0
	while [ "$_wr" -lt 40 ]; do
		audit_rows_are "$1" && return 0
		_wr=$((_wr + 1))
		sleep 0.05
	done
	return 1
}

run_test "keys: Alt+1 and pasted escape sequences on question 2 change nothing; Esc goes back" t_escape_keys
run_test "hang-up: the terminal goes without SIGHUP (setsid): the kiosk exits, no spin" t_hangup
run_test "audit: chained rows, listed without PINs; an edit with sqlite3 is caught by --verify" t_audit_chain
run_test "hostile server: an 8 MiB body ends within timeout_s, not sent, named" t_huge_body
run_test "hostile server: an endless body ends within timeout_s, not sent" t_endless_body
run_test "hostile server: an 8 MiB header is named, not 'out of memory', not sent" t_huge_header
run_test "hostile server: endless headers end within timeout_s, not sent" t_endless_headers
run_test "hostile server: escape bytes in a receipt never reach the store" t_escape_receipt
run_test "hostile server: Retry-After extremes park nothing past backoff_max_s, no overflow" t_retry_after_extremes
if can_unshare; then
	run_test "CA pinning: a server signed by a system-trusted CA not in ca_file is refused" t_ca_pinned
else
	echo "# CA pinning test skipped: unshare -m is not permitted (needs root)"
fi
run_test "pinned_pubkey: another key is refused before any request; the server's key delivers" t_pinned_pubkey
run_test "no core file with a client's answers, even with ulimit -c unlimited" t_no_core
