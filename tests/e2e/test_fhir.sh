#!/bin/sh
# FHIR R4 end to end (server.format "fhir"): the real kiosk against a real
# FHIR server, @medplum/fhir-router over its in-memory repository behind
# HTTPS with the test CA (tests/fhir/server.mjs), started once for the
# suite and emptied before each test. A client checks in on the kiosk in
# tmux; the server then holds exactly one QuestionnaireResponse, one
# Consent and the Flag, found by identifier, even after the sync is killed
# mid-request and restarted. A 412 parks. The sync suite's fault cases
# that apply to FHIR run here too: a captive portal's 200 (or garbage) is
# no receipt, 503/429/resets/hangs are retried and delivered once, 401 is
# an alert, 422 parks, an untrusted certificate sends nothing. Every
# Bundle the kiosk exports (and the form's own test cases as Bundles) and
# the form's Questionnaire pass two validators (tests/fhir/validate.mjs).
# shellcheck source=tests/e2e/sync_lib.sh
. "$(dirname "$0")/sync_lib.sh"

FHIR_DIR=$E2E_ROOT/tests/fhir
FHIR_SRV=$e2e_tmp/fhir
NODE=${NODE:-node}

if ! command -v "$NODE" >/dev/null 2>&1 ||
    [ ! -d "$FHIR_DIR/node_modules/@medplum/fhir-router" ]; then
	echo "not ok 1 - Node.js or the npm packages of tests/fhir are missing: sh tests/deps.sh"
	exit 1
fi

# ---------------------------------------------------------------- the server

fhir_start() {
	mkdir -p "$FHIR_SRV"
	"$NODE" "$FHIR_DIR/server.mjs" --cert "$CLINIC_CERTS/server.pem" \
	    --key "$CLINIC_CERTS/server.key" --port-file "$FHIR_SRV/port" \
	    --ledger "$FHIR_SRV/ledger" --token "$CLINIC_CERTS/token" \
	    --retry-after 3 2>>"$FHIR_SRV/stderr" &
	echo $! >"$FHIR_SRV/pid"
	_end=$(($(now_ms) + 30000))
	while [ ! -s "$FHIR_SRV/port" ]; do
		if ! kill -0 "$(cat "$FHIR_SRV/pid")" 2>/dev/null || [ "$(now_ms)" -ge "$_end" ]; then
			echo "not ok 1 - the FHIR server did not start"
			sed 's/^/# /' "$FHIR_SRV/stderr"
			exit 1
		fi
		sleep 0.05
	done
	fhir_port=$(cat "$FHIR_SRV/port")
	fhir_url=https://127.0.0.1:$fhir_port/fhir/R4
}

fhir_stop() {
	_p=$(cat "$FHIR_SRV/pid" 2>/dev/null) || return 0
	kill -TERM "$_p" 2>/dev/null
	wait "$_p" 2>/dev/null
	rm -f "$FHIR_SRV/pid"
}

# fhir_curl PATH [curl options...]: a request to the server (token, CA).
fhir_curl() {
	_path=$1
	shift
	curl -sS --max-time 10 --cacert "$CLINIC_CERTS/ca.pem" \
	    -H "Authorization: Bearer $(cat "$CLINIC_CERTS/token")" "$@" \
	    "https://127.0.0.1:$fhir_port$_path"
}

# fhir_reset: an empty server and ledger, no faults (at each test's start).
fhir_reset() {
	fhir_curl /_test/reset -X POST -o /dev/null || fail "cannot reset the FHIR server"
	: >"$FHIR_SRV/stderr.mark"
}

# fhir_faults MODE[xN]...: the server's fault queue from now on.
fhir_faults() {
	printf '%s\n' "$@" | fhir_curl /_test/faults -X POST --data-binary @- -o /dev/null ||
		fail "cannot set the FHIR server's faults"
}

# fhir_count TYPE IDENTIFIER-VALUE: how many TYPE resources the server
# holds with identifier urn:ietf:rfc:3986|VALUE (a FHIR search).
fhir_count() {
	fhir_curl "/_test/count?type=$1&identifier=urn:ietf:rfc:3986%7C$2" |
	    "$PY" -c 'import json,sys; print(json.load(sys.stdin)["count"])'
}

fhir_count_is() {	# fhir_count_is N TYPE VALUE
	[ "$(fhir_count "$2" "$3")" = "$1" ]
}

# The server's ledger: FHIR requests since the reset, with their status.
fhir_requests() {
	_n=$(grep -c '"url":"/fhir/R4"' "$FHIR_SRV/ledger" 2>/dev/null)
	echo "${_n:-0}"
}
fhir_statuses() {
	"$PY" -c '
import json, sys
print(" ".join("%s%s" % (d["status"], ":" + d["fault"] if d["fault"] else "")
    for d in map(json.loads, open(sys.argv[1])) if d["url"] == "/fhir/R4"))' "$FHIR_SRV/ledger"
}

# fail: also the FHIR ledger and the server's stderr.
fail() {
	echo "FAIL: $*"
	echo "FHIR server requests (status:fault): $(fhir_statuses 2>/dev/null)"
	if [ -f "$CFG" ] && [ -d "$T/state" ]; then
		echo "kiosk status:"
		"$KIOSK_CLI" --config "$CFG" status 2>&1 | sed 's/^/  /'
	fi
	for f in "$T"/*.err "$FHIR_SRV/stderr"; do
		[ -s "$f" ] || continue
		echo "$(basename "$f") (the last 15 lines):"
		tail -n 15 "$f" | sed 's/^/  /'
	done
	if [ -n "${SOCK:-}" ] && tmux -L "$SOCK" has-session 2>/dev/null; then
		echo "screen:"
		tmux -L "$SOCK" capture-pane -p -t k | sed 's/^/|/; s/$/|/'
	fi
	exit 1
}

# fhir_config [sync_config settings...]: this test's kiosk, FHIR format.
fhir_config() {
	clinic_url=$fhir_url	# read by sync_config
	fhir_reset
	sync_config extra=',"format":"fhir"' "$@"
}

# The identifiers of the resources in the first exported Bundle, as
# "TYPE VALUE" lines in $T/ids.
fhir_ids() {
	"$KIOSK_CLI" --config "$CFG" export --fhir >"$T/bundles.jsonl" 2>"$T/export.err" ||
		fail "kiosk export --fhir exited $?: $(cat "$T/export.err")"
	"$PY" -c '
import json, sys
b = json.loads(open(sys.argv[1]).readline())
for e in b["entry"]:
    r = e["resource"]
    i = r["identifier"]
    i = i[0] if isinstance(i, list) else i
    print(r["resourceType"], i["value"])' "$T/bundles.jsonl" >"$T/ids" ||
		fail "cannot read the exported Bundle"
}

# expect_once [FLAGS]: the server holds each resource of the exported
# Bundle exactly once (FLAGS: how many Flags that must be).
expect_once() {
	fhir_ids
	[ "$(grep -c '^Flag ' "$T/ids")" = "${1:-0}" ] ||
		fail "the Bundle has $(grep -c '^Flag ' "$T/ids") Flags, expected ${1:-0}"
	while read -r type value; do
		n=$(fhir_count "$type" "$value")
		[ "$n" = 1 ] || fail "the server holds $n $type with identifier $value, expected 1"
	done <"$T/ids"
	for type in QuestionnaireResponse Consent Patient; do
		grep -q "^$type " "$T/ids" || fail "no $type in the exported Bundle"
	done
}

# validate: the exported Bundles and the Questionnaire, both validators.
validate() {
	"$KIOSK_CLI" --config "$CFG" form --fhir >"$T/questionnaire.json" 2>"$T/form.err" ||
		fail "kiosk form --fhir exited $?: $(cat "$T/form.err")"
	"$KIOSK_CLI" --config "$CFG" export --fhir >"$T/bundles.jsonl" 2>"$T/export.err" ||
		fail "kiosk export --fhir exited $?: $(cat "$T/export.err")"
	"$NODE" "$FHIR_DIR/validate.mjs" "$T/questionnaire.json" "$T/bundles.jsonl" "$@" \
	    >"$T/validate.out" 2>&1 || fail "validation failed: $(head -30 "$T/validate.out")"
	grep -q ' 0 problems$' "$T/validate.out" || fail "validator: $(cat "$T/validate.out")"
}

# ---------------------------------------------------------------- tests

# A pregnant client checks in on the kiosk UI: the sync thread posts one
# transaction Bundle; the server holds one QuestionnaireResponse (its
# subject resolved to the Patient the same transaction made), one Consent
# and the PREGNANT Flag, each found by its identifier; the receipt is the
# server's locations; everything validates.
t_pregnant_client() {
	fhir_config interval_s=60
	kiosk_start
	walk_client "Eva" "Lind" "Eva Lind" y
	wait_sent 1 10
	[ "$(fhir_requests)" = 1 ] || fail "$(fhir_requests) FHIR requests, expected 1"
	grep -q '"content_type":"application/fhir+json","accept":"application/fhir+json","prefer":"return=minimal"' "$FHIR_SRV/ledger" ||
		fail "not sent as application/fhir+json with Prefer: return=minimal: $(cat "$FHIR_SRV/ledger")"
	expect_once 1
	grep -q '^Flag ' "$T/ids" || fail "no Flag"
	flag=$(sed -n 's/^Flag //p' "$T/ids")
	fhir_curl "/fhir/R4/Flag?identifier=urn:ietf:rfc:3986%7C$flag" >"$T/flag.json"
	got=$(jsonl "$T/flag.json" "L[0]['entry'][0]['resource']['code']['coding'][0]['code'] + ' ' + L[0]['entry'][0]['resource']['subject']['reference'].split('/')[0]")
	[ "$got" = "PREGNANT Patient" ] || fail "the server's Flag: '$got', expected 'PREGNANT Patient'"
	qr=$(sed -n 's/^QuestionnaireResponse //p' "$T/ids")
	fhir_curl "/fhir/R4/QuestionnaireResponse?identifier=urn:ietf:rfc:3986%7C$qr" >"$T/qr.json"
	got=$(jsonl "$T/qr.json" "[i['answer'][0]['valueCoding']['code'] for i in L[0]['entry'][0]['resource']['item'] if i['linkId'] == 'pregnant'][0]")
	[ "$got" = Y ] || fail "the server's QuestionnaireResponse answers pregnant '$got', expected Y"
	kiosk_stop
	validate
}

# The sync is killed while its request hangs, before (hang) or after
# (hang-after) the server carried out the transaction; the restarted sync
# sends the same Bundle and the server still holds one of each.
kill_mid_request() {
	fhir_config timeout_s=30
	seed 1
	fhir_faults "${1}x1"
	sync_bg
	wait_until 10 "the request to reach the server" sh -c "grep -q '\"fault\":\"$1\"' '$FHIR_SRV/ledger'"
	if [ "$1" = hang-after ]; then
		fhir_ids
		qr=$(sed -n 's/^QuestionnaireResponse //p' "$T/ids")
		wait_until 10 "the server to store the intake" fhir_count_is 1 QuestionnaireResponse "$qr"
	fi
	kill -KILL "$(cat "$T/sync.pid")"
	wait "$(cat "$T/sync.pid")" 2>/dev/null
	rm -f "$T/sync.pid"
	expect_status pending 1
	sync_once
	expect_rc 0 "the restarted sync --once"
	expect_status sent 1
	expect_once 0
	[ "$(fhir_requests)" = 2 ] || fail "$(fhir_requests) FHIR requests, expected 2"
}
t_kill_before_processing() { kill_mid_request hang; }
t_kill_after_processing() { kill_mid_request hang-after; }

# Two QuestionnaireResponses on the server already carry the intake's
# identifier: the conditional create is ambiguous, 412, and the intake is
# parked with the server's words, kept, not resent.
t_412_parks() {
	fhir_config
	seed 1
	fhir_ids
	qr=$(sed -n 's/^QuestionnaireResponse //p' "$T/ids")
	for _ in 1 2; do
		printf '{"resourceType":"QuestionnaireResponse","status":"completed","identifier":{"system":"urn:ietf:rfc:3986","value":"%s"}}' "$qr" |
		    fhir_curl /fhir/R4/QuestionnaireResponse -X POST \
		    -H 'Content-Type: application/fhir+json' --data-binary @- -o /dev/null ||
			fail "cannot seed a duplicate"
	done
	: >"$FHIR_SRV/ledger"
	sync_once
	expect_rc 0 "sync --once with only a parked intake left"
	expect_status parked 1
	expect_status pending 0
	expect_status_says last_error "HTTP 412.*Multiple resources found matching condition"
	sync_once
	[ "$(fhir_requests)" = 1 ] || fail "$(fhir_requests) FHIR requests, expected 1 (a parked intake is not resent)"
	kiosk_export
	[ "$(jsonl "$T/export.jsonl" "L[0]['id']")" = "$(seeded_id)" ] || fail "the parked intake is not in the export"
}

# A fault that is no receipt, then the real answer: never marked sent on
# the fault, delivered once after it (the sync loop retries on its own).
retried() {	# retried FAULT WORDS
	fhir_config timeout_s=2 backoff_max_s=2
	seed 1
	fhir_faults "${1}x1"
	sync_once
	expect_rc 75 "sync --once on $1"
	expect_status sent 0
	expect_status_says last_error "$2"
	sync_bg
	wait_sent 1 15
	sync_bg_stop
	expect_once 0
	# The fault, then one transaction that succeeded.
	st=$(fhir_statuses)
	case "$st" in
	*":$1 200") [ "$(fhir_requests)" = 2 ] ||
		fail "requests (status:fault) '$st', expected the fault then one success" ;;
	*) fail "requests (status:fault) '$st', expected the fault then one success" ;;
	esac
}
t_portal() { retried portal "not a FHIR transaction-response"; }
t_garbage() { retried garbage "not a FHIR transaction-response"; }
t_503() { retried 503 "HTTP 503"; }
t_reset() { retried reset "connection"; }
t_hang() { retried hang "did not answer in time"; }

# 429 with Retry-After 3 (within backoff_max_s, which caps it): no attempt
# before 3 s.
t_429_retry_after() {
	fhir_config backoff_max_s=4
	seed 1
	fhir_faults 429x1
	t0=$(now_ms)
	sync_bg
	wait_sent 1 15
	waited=$(($(now_ms) - t0))
	sync_bg_stop
	[ "$waited" -ge 3000 ] || fail "delivered after $waited ms, before the server's Retry-After of 3 s"
	expect_once 0
}

# 401: the kiosk's token is refused: an alert, nothing stored.
t_401() {
	printf 'not-the-token\n' >"$T/other-token"
	chmod 600 "$T/other-token"
	fhir_config token_file="$T/other-token"
	seed 1
	sync_once
	expect_rc 75 "sync --once with a refused token"
	expect_status pending 1
	expect_status_says alert "credentials"
	fhir_ids
	[ "$(fhir_count QuestionnaireResponse "$(sed -n 's/^QuestionnaireResponse //p' "$T/ids")")" = 0 ] ||
		fail "the server stored an intake sent with a refused token"
}

# 422: parked, kept, the pass goes on to the next intake.
t_422_parks() {
	fhir_config
	seed 2
	fhir_faults 422x1
	sync_once
	expect_rc 0
	expect_status parked 1
	expect_status sent 1
}

# A server certificate from another CA: no request reaches the server.
t_untrusted_certificate() {
	fhir_config ca_file="$CLINIC_CERTS/other-ca.pem"
	seed 1
	sync_once
	expect_rc 75
	expect_status pending 1
	[ "$(fhir_requests)" = 0 ] || fail "a request went through an untrusted TLS connection"
}

# A staff decision goes as a Task, once, after its intake: the Task's
# focus is the intake's QuestionnaireResponse, by identifier.
t_review_task() {
	fhir_config
	seed 1
	id=$(seeded_id)
	rid=5b0c8f7e-3d2a-4c1b-9e8f-7a6b5c4d3e2f
	"$PY" - "$T/state/kiosk.db" "$id" "$rid" <<'EOF' || fail "cannot store the review"
import json, sqlite3, sys, time
db, iid, rid = sys.argv[1:4]
p = {"id": rid, "intake_id": iid, "decision": "cleared", "note": "spoke to GP",
     "staff": "Demo", "decided_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
c = sqlite3.connect(db)
with c:
    c.execute("INSERT INTO reviews (id, intake_id, decision, note, staff, decided_at,"
              " payload, next_attempt_at) VALUES (?, ?, 'cleared', ?, 'Demo', ?, ?, ?)",
              (rid, iid, p["note"], int(time.time()), json.dumps(p), int(time.time())))
EOF
	sync_once
	expect_rc 0
	expect_status "reviews sent" 1
	fhir_count_is 1 Task "urn:uuid:$rid" || fail "the server holds $(fhir_count Task "urn:uuid:$rid") Tasks, expected 1"
	sync_once
	fhir_curl "/fhir/R4/Task?identifier=urn:ietf:rfc:3986%7Curn:uuid:$rid" >"$T/task.json"
	got=$(jsonl "$T/task.json" "L[0]['entry'][0]['resource']['focus']['identifier']['value'] + ' ' + L[0]['entry'][0]['resource']['businessStatus']['coding'][0]['code']")
	[ "$got" = "urn:uuid:$id cleared" ] || fail "the server's Task: '$got'"
	expect_status "reviews pending" 0
}

# The form's own test cases as Bundles (and a review's), from the unit
# suite's writer, pass both validators and the Questionnaire check.
t_form_cases_validate() {
	fhir_config
	(cd "$E2E_ROOT" && FHIR_CASES_OUT=$T/cases.jsonl build/asan/tests/test_fhir) >"$T/unit.out" 2>&1 ||
		fail "test_fhir failed: $(tail -20 "$T/unit.out")"
	n=$(wc -l <"$T/cases.jsonl")
	[ "$n" -ge 30 ] || fail "only $n Bundles from the form's cases"
	seed 1
	validate "$T/cases.jsonl"
	grep -q "in $((n + 1)) bundles" "$T/validate.out" || fail "validator: $(cat "$T/validate.out")"
}

# docs/fhir.md's example Bundle is what the kiosk makes today, and valid.
t_docs_example() {
	fhir_config
	"$PY" - "$E2E_ROOT/docs/fhir.md" "$T/doc.jsonl" <<'EOF' || fail "no example Bundle in docs/fhir.md"
import json, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r"<!-- example-bundle -->\s*```json\n(.*?)```", text, re.S)
json.dump(json.loads(m.group(1)), open(sys.argv[2], "w"), ensure_ascii=False)
EOF
	echo >>"$T/doc.jsonl"
	sh "$E2E_ROOT/tests/fhir/example.sh" "$T/gen.jsonl" >"$T/gen.out" 2>&1 ||
		fail "tests/fhir/example.sh failed: $(cat "$T/gen.out")"
	"$PY" -c 'import json,sys; a,b=(json.load(open(f)) for f in sys.argv[1:]); sys.exit(a != b)' \
	    "$T/doc.jsonl" "$T/gen.jsonl" ||
		fail "docs/fhir.md's example differs from what the kiosk makes now: run sh tests/fhir/example.sh and update it"
	validate "$T/doc.jsonl"
}

# A form without its canonical url: check, sync and form --fhir refuse it
# (exit 78, naming the key) before anything is sent.
t_form_without_url() {
	grep -v '"url": "https://forms' "$FORM" >"$T/form.json"
	FORM=$T/form.json fhir_config store=no
	for cmd in check "sync --once" "form --fhir"; do
		# shellcheck disable=SC2086
		run_kiosk --config "$CFG" $cmd
		expect_rc 78
		expect_stderr "form.json: url: the form needs its canonical URL"
	done
}

fhir_start
trap 'fhir_stop; e2e_cleanup' EXIT

run_test "a pregnant client checks in (UI, format fhir): one QuestionnaireResponse, Consent and Flag on the FHIR server, by identifier; all valid" t_pregnant_client
run_test "sync killed while the request hangs, before the server acted: the restart creates one of each" t_kill_before_processing
run_test "sync killed after the server carried out the transaction: the restart finds them, still one of each" t_kill_after_processing
run_test "412 (two resources already have the identifier): parked with the OperationOutcome's words, kept, not resent" t_412_parks
run_test "captive portal 200 is not a receipt: retried, delivered once" t_portal
run_test "garbage 200 is not a receipt: retried, delivered once" t_garbage
run_test "503: retried, delivered once" t_503
run_test "connection reset: retried, delivered once" t_reset
run_test "hanging server: timeout, retried, delivered once" t_hang
run_test "429 with Retry-After 3: no attempt before 3 s, delivered once" t_429_retry_after
run_test "401 (token refused): alert, nothing stored on the server" t_401
run_test "422: parked, the pass goes on" t_422_parks
run_test "untrusted server certificate: nothing sent" t_untrusted_certificate
run_test "a staff decision goes as one Task on the intake's QuestionnaireResponse" t_review_task
run_test "the form's test cases as Bundles and the Questionnaire pass FHIR.js and medplum" t_form_cases_validate
run_test "format fhir with a form without url: check, sync and form --fhir exit 78 naming url" t_form_without_url
run_test "docs/fhir.md's example Bundle is current and valid" t_docs_example
