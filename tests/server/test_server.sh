#!/bin/sh
# Self-test of the test clinic server (tests/server/clinic_server.py) with the
# curl CLI. Prints TAP-like "ok N - ..." / "not ok N - ..." lines and a plan.
# Usage: sh tests/server/test_server.sh        (exit 0 when everything passed)
# PYTHON overrides the interpreter (default: /usr/bin/python3 if present, as a
# pyenv shim adds ~0.7 s to every start).
# shellcheck disable=SC2016,SC2154  # sh -c '...' scripts; port_NAME set by eval
here=$(cd "$(dirname "$0")" && pwd)
server="$here/clinic_server.py"
CLINIC_SERVER_DIR=$here
. "$here/lib.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/clinic-test.XXXXXX") || exit 1
C=$T/certs
n=0
failures=0
pids=""
start_time=$(date +%s)

cleanup() {
	clinic_stop "$T/main"
	for p in $pids; do kill "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); failures=$((failures + 1)); echo "not ok $n - $1"; }
check() {	# check DESCRIPTION COMMAND...
	d=$1; shift
	if "$@"; then ok "$d"; else nok "$d"; fi
}
eq() {	# eq DESCRIPTION WANT GOT
	if [ "$2" = "$3" ]; then ok "$1"; else nok "$1 (want '$2', got '$3')"; fi
}

# launch NAME ARGS...: start a server writing $T/NAME.{port,ledger,conns,err}
launch() {
	name=$1; shift
	rm -f "$T/$name.port"
	"$PYTHON" "$server" --port-file "$T/$name.port" --ledger "$T/$name.ledger" \
		--conn-log "$T/$name.conns" "$@" 2>"$T/$name.err" &
	eval "pid_$name=$!"
	pids="$pids $!"
}
# ready NAME: wait (max 10 s) for the port file; sets $port and $port_NAME
ready() {
	i=0
	while [ ! -s "$T/$1.port" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	port=$(cat "$T/$1.port" 2>/dev/null)
	eval "port_$1=\$port"
}

# post URL KEY BODY [curl args...]: prints the HTTP code; body in $T/out,
# headers in $T/hdr. KEY "" sends no Idempotency-Key. CT overrides the type.
post() {
	url=$1; key=$2; body=$3; shift 3
	set -- -sS --cacert "$C/ca.pem" -o "$T/out" -D "$T/hdr" -w '%{http_code}' \
		-H "Content-Type: ${CT:-application/json}" -H 'Expect:' "$@" -d "$body" "$url"
	if [ -n "$key" ]; then
		curl -H "Idempotency-Key: $key" "$@" 2>>"$T/curl.log"
	else
		curl "$@" 2>>"$T/curl.log"
	fi
}
header() { tr -d '\r' <"$T/hdr" | sed -n "s/^$1: //Ip"; }
receipt() { sed -n 's/.*"receipt":"\([^"]*\)".*/\1/p' "$T/out"; }
count() { grep -c -- "$2" "$1" 2>/dev/null; }	# count FILE FIXED-ISH-PATTERN
# ledger lines for an id, as "status:fault" words
statuses() {
	grep -- "\"id\":\"$2\"" "$1" | sed 's/.*"status":\([^,]*\),"fault":\([^,]*\),.*/\1:\2/' |
		tr -d '"' | tr '\n' ' ' | sed 's/ $//'
}

# -- certificates ---------------------------------------------------------
check "mkcerts.sh makes certificates silently" \
	sh -c '[ -z "$(sh "$1" "$2" 2>&1)" ]' sh "$here/mkcerts.sh" "$C"
for f in ca server wronghost expired other-ca othersigned client; do
	if [ ! -s "$C/$f.pem" ] || [ ! -s "$C/$f.key" ]; then nok "missing $f.pem/$f.key"; fi
done

# Start the other servers now; their start-up overlaps with the tests.
launch tok --cert "$C/server.pem" --key "$C/server.key" --token "@$C/token" \
	--client-ca "$C/ca.pem"
for bad in wronghost expired othersigned; do
	launch "$bad" --cert "$C/$bad.pem" --key "$C/$bad.key"
done

perms=$(stat -c '%a' "$C" "$C"/*.key "$C/token" | sort -u | tr '\n' ' ')
eq "certificate dir 0700, keys and token 0600" "600 700 " "$perms"
check "expired.pem is past its notAfter" \
	sh -c '! openssl x509 -in "$1" -noout -checkend 0 >/dev/null' sh "$C/expired.pem"

# -- main server (via lib.sh): store, replay, conflicts --------------------
clinic_start "$T/main" --received "$T/recv" --retry-after 7 --hang-seconds 3 \
	--slow-seconds 1 --trickle-interval 0.005
port_main=$clinic_port
check "lib.sh: clinic_url" [ "$clinic_url" = "https://127.0.0.1:$port_main/api/kiosk/v1" ]
base=https://127.0.0.1:$port_main/api/kiosk/v1
check "port file written once listening" sh -c '[ "$1" -gt 0 ] 2>/dev/null' sh "$port_main"

id=11111111-2222-4333-8444-555555555555
b1="{\"id\":\"$id\",\"n\":1}"
eq "first post of an intake is 201" 201 "$(post "$base/intakes" "\"$id\"" "$b1")"
eq "201 carries a receipt echoing the id" "1 srv-1" "$(count "$T/out" "\"id\":\"$id\"") $(receipt)"
eq "same key, same body is replayed with 200" 200 "$(post "$base/intakes" "\"$id\"" "$b1")"
eq "the replay carries the original receipt" "1 srv-1" "$(count "$T/out" "\"id\":\"$id\"") $(receipt)"
eq "same key, different body is 422" 422 "$(post "$base/intakes" "\"$id\"" "{\"id\":\"$id\",\"n\":2}")"
eq "received holds the intake exactly once" 1 "$(count "$T/recv" "\"key\":\"$id\"")"
eq "missing Idempotency-Key is 400" 400 "$(post "$base/intakes" "" '{"id":"k2"}')"
eq "Idempotency-Key not matching the body id is 400" 400 "$(post "$base/intakes" '"k3"' '{"id":"k2"}')"
eq "unquoted Idempotency-Key is 400" 400 "$(post "$base/intakes" 'k2' '{"id":"k2"}')"
eq "body without id is 400" 400 "$(post "$base/intakes" '"k2"' '{"x":1}')"
eq "body that is not JSON is 400" 400 "$(post "$base/intakes" '"k2"' '{"id":"k2"')"
eq "a review with the same id is stored separately (201)" 201 \
	"$(post "$base/reviews" "\"$id\"" "{\"id\":\"$id\",\"r\":1}")"
eq "unknown path is 404" 404 "$(post "https://127.0.0.1:$port_main/api/kiosk/v1/other" '"k4"' '{"id":"k4"}')"
eq "wrong Content-Type is 415" 415 "$(CT=text/plain post "$base/intakes" '"k5"' '{"id":"k5"}')"

# keep-alive: two requests in one curl invocation share one TLS connection
curl -sS --cacert "$C/ca.pem" -o /dev/null -H 'Content-Type: application/json' -H 'Expect:' \
	-H 'Idempotency-Key: "ka-1"' -d '{"id":"ka-1"}' "$base/intakes" --next \
	--cacert "$C/ca.pem" -o /dev/null -H 'Content-Type: application/json' -H 'Expect:' \
	-H 'Idempotency-Key: "ka-2"' -d '{"id":"ka-2"}' "$base/intakes" 2>>"$T/curl.log"
conns=$(grep '"id":"ka-[12]"' "$T/main/ledger" | sed 's/.*"conn":\([0-9]*\),.*/\1/' | sort -u | wc -l)
eq "keep-alive: two requests (201 201) on one connection" "1 201:null 201:null" \
	"$conns $(statuses "$T/main/ledger" 'ka-1') $(statuses "$T/main/ledger" 'ka-2')"

# -- faults via --fault-file + SIGUSR1 -------------------------------------
reload() { clinic_faults "$T/main" "$@"; }
reload 503x2
f1=$(post "$base/intakes" '"f-1"' '{"id":"f-1"}'); ra=$(header Retry-After)
f2=$(post "$base/intakes" '"f-1"' '{"id":"f-1"}')
f3=$(post "$base/intakes" '"f-1"' '{"id":"f-1"}')
eq "fault 503x2 then normal: 503 503 201" "503 503 201" "$f1 $f2 $f3"
eq "503 fault carries Retry-After from --retry-after" 7 "$ra"
eq "faulted requests are not stored" 1 "$(count "$T/recv" '"key":"f-1"')"

reload hangx1
curl -sS --cacert "$C/ca.pem" --max-time 2 -o /dev/null -H 'Content-Type: application/json' \
	-H 'Idempotency-Key: "h-1"' -d '{"id":"h-1"}' "$base/intakes" 2>>"$T/curl.log"
eq "hang: curl --max-time 2 times out (exit 28)" 28 "$?"
eq "hang: ledger status null, fault hang" "null:hang" "$(statuses "$T/main/ledger" h-1)"

reload portalx1
eq "portal fault: 200" 200 "$(post "$base/intakes" '"p-1"' '{"id":"p-1"}')"
check "portal fault: text/html page, no receipt" \
	sh -c 'grep -qi "^content-type: text/html" "$1" && grep -q "<html>" "$2" && ! grep -q receipt "$2"' \
	sh "$T/hdr" "$T/out"

reload resetx1 garbagex1 badjsonx1 wrongidx1 429x1
post "$base/intakes" '"x-1"' '{"id":"x-1"}' >/dev/null; rc1=$?
post "$base/intakes" '"x-1"' '{"id":"x-1"}' >/dev/null; rc2=$?
check "reset fault: curl sees a reset (exit $rc1)" [ "$rc1" = 56 ]
check "garbage fault: curl fails (exit $rc2)" [ "$rc2" != 0 ]
c=$(post "$base/intakes" '"x-1"' '{"id":"x-1"}')
eq "badjson fault: 201 with a non-JSON body" "201 not json" "$c $(cat "$T/out")"
c=$(post "$base/intakes" '"x-1"' '{"id":"x-1"}')
eq "wrongid fault: 201 naming another id" "201 0 1" \
	"$c $(count "$T/out" '"id":"x-1"') $(count "$T/out" '"id":"[0-9a-f-]\{36\}"')"
c=$(post "$base/intakes" '"x-1"' '{"id":"x-1"}')
eq "429 fault with Retry-After" "429 7" "$c $(header Retry-After)"
eq "queue used up: the next request is normal (201)" 201 "$(post "$base/intakes" '"x-1"' '{"id":"x-1"}')"
eq "ledger: status/fault of each request" \
	"null:reset null:garbage 201:badjson 201:wrongid 429:429 201:null" \
	"$(statuses "$T/main/ledger" x-1)"

# 409 while the first request with a key is still being processed
reload slowx1
post "$base/intakes" '"s-1"' '{"id":"s-1"}' >"$T/slow.code" &
bg=$!
sleep 0.4
c=$(post "$base/intakes" '"s-1"' '{"id":"s-1"}')
wait $bg
eq "concurrent post with the same key is 409, the first one 201" "409 201" "$c $(cat "$T/slow.code")"

# hostile answers: each must be refused by a careful client; none is stored
reload hugebodyx1 endlessbodyx1 hugeheaderx1 endlessheadersx1 escreceiptx1
c=$(post "$base/intakes" '"y-1"' '{"id":"y-1"}')
check "hugebody: a 201 with a body over 8 MiB ($c)" \
	[ "$c" = 201 -a "$(wc -c <"$T/out")" -gt 8388608 ]
post "$base/intakes" '"y-1"' '{"id":"y-1"}' --max-time 3 >/dev/null; rc=$?
check "endlessbody: a body that never ends (curl exit $rc after 3 s)" [ "$rc" = 28 ]
post "$base/intakes" '"y-1"' '{"id":"y-1"}' --max-time 5 >/dev/null; rc=$?
check "hugeheader: curl refuses an 8 MiB header (exit $rc)" [ "$rc" != 0 ] && [ "$rc" != 28 ]
post "$base/intakes" '"y-1"' '{"id":"y-1"}' --max-time 5 >/dev/null; rc=$?
check "endlessheaders: curl stops (exit $rc)" [ "$rc" != 0 ] && [ "$rc" != 28 ]
eq "hostile answers store nothing" 0 "$(count "$T/recv" '"key":"y-1"')"
c=$(post "$base/intakes" '"y-1"' '{"id":"y-1"}')
eq "escreceipt: 201, receipt with ESC and BEL escapes, stored once" "201 1 1" \
	"$c $(count "$T/out" 'srv-[0-9]*\\u001b\[2J\\u001b\]0;pwned\\u0007\\u009b31m') $(count "$T/recv" '"key":"y-1"')"

reload trickle
eq "trickle: a slow but valid 201 receipt" 201 "$(post "$base/intakes" '"t-1"' '{"id":"t-1"}')"
eq "trickle: stored once" 1 "$(count "$T/recv" '"key":"t-1"')"
reload

# a client that disconnects mid-body; the server must carry on
curl -sS --cacert "$C/ca.pem" --max-time 1 -o /dev/null -H 'Content-Type: application/json' \
	-H 'Content-Length: 100' -d '{"id":"d-1"}' "$base/intakes" 2>>"$T/curl.log"
eq "after a client vanished mid-request the server still answers" 201 \
	"$(post "$base/intakes" '"d-2"' '{"id":"d-2"}')"
eq "ledger: the vanished client is logged without a status" 1 \
	"$(count "$T/main/ledger" '"status":null.*"error":"client_disconnected"')"

# -- bearer token + mutual TLS (one server) --------------------------------
ready tok
tb=https://localhost:$port_tok/v1
cc="--cert $C/client.pem --key $C/client.key"
post "$tb/intakes" '"m-1"' '{"id":"m-1"}' -H "Authorization: Bearer $(cat "$C/token")" >/dev/null
rc=$?
check "mTLS: no client certificate fails (curl exit $rc)" [ "$rc" != 0 ]
check "mTLS: the failed handshake is in the connection log" grep -q handshake_failed "$T/tok.conns"
# shellcheck disable=SC2086
eq "token required: none is 401" 401 "$(post "$tb/intakes" '"a-1"' '{"id":"a-1"}' $cc)"
check "401 has a JSON error and WWW-Authenticate" \
	sh -c 'grep -q "\"error\"" "$1" && grep -qi "^www-authenticate: bearer" "$2"' sh "$T/out" "$T/hdr"
# shellcheck disable=SC2086
eq "token required: wrong token is 401" 401 \
	"$(post "$tb/intakes" '"a-1"' '{"id":"a-1"}' $cc -H 'Authorization: Bearer nope')"
# shellcheck disable=SC2086
eq "client certificate + right token is 201" 201 \
	"$(post "$tb/intakes" '"a-1"' '{"id":"a-1"}' $cc -H "Authorization: Bearer $(cat "$C/token")")"
eq "ledger: auth false false true, client CN kiosk-test" "3 1 3" \
	"$(count "$T/tok.ledger" '"client_cert":"kiosk-test"') $(count "$T/tok.ledger" '"auth":true') $(count "$T/tok.ledger" '"id":"a-1"')"

# -- certificates the client must refuse ----------------------------------
for bad in wronghost expired othersigned; do
	ready "$bad"
	post "https://localhost:$port/v1/intakes" '"c-1"' '{"id":"c-1"}' >/dev/null
	eq "$bad certificate fails verification (curl exit 60)" 60 "$?"
done
eq "the good certificate verifies for localhost too (SAN)" 404 \
	"$(curl -s --cacert "$C/ca.pem" -o /dev/null -w '%{http_code}' "https://localhost:$port_main/x")"

# -- ledger format, restart, SIGTERM ----------------------------------------
check "every ledger line is JSON with exactly the documented fields" "$PYTHON" -c '
import json, sys
want = {"t","conn","method","path","key","id","status","fault","auth","client_cert","bytes","error"}
for path in sys.argv[1:]:
    for line in open(path):
        rec = json.loads(line)
        assert set(rec) == want, (path, sorted(rec))
        assert isinstance(rec["t"], float) and isinstance(rec["conn"], int) and rec["conn"] > 0
        assert isinstance(rec["bytes"], int) and isinstance(rec["auth"], bool)
' "$T/main/ledger" "$T/tok.ledger"

clinic_stop "$T/main"
eq "SIGTERM: clean exit 0" 0 "$?"
check "port file removed at exit" [ ! -e "$T/main/port" ]
old_ca=$(cat "$C/ca.pem")
check "mkcerts.sh is idempotent (re-run makes a fresh CA)" \
	sh -c 'sh "$1" "$2" && [ "$(cat "$2/ca.pem")" != "$3" ] && [ -z "$(ls -A "$2" | grep mkcerts)" ]' \
	sh "$here/mkcerts.sh" "$C" "$old_ca"
clinic_start "$T/main" --received "$T/recv" --port "$port_main"
eq "restart on the same port" "$port_main" "$clinic_port"
base=https://127.0.0.1:$port_main/api/kiosk/v1
c=$(post "$base/intakes" "\"$id\"" "$b1")
eq "after a restart an old key is replayed (200, same receipt)" "200 srv-1" "$c $(receipt)"
c=$(post "$base/intakes" '"n-1"' '{"id":"n-1"}')
check "after a restart receipts continue the sequence ($c $(receipt))" \
	[ "$c" = 201 -a "$(receipt | tr -dc 0-9)" -gt 5 ]

reload 500x1
eq "after a restart SIGUSR1 reloads faults: 500 then 201" "500 201" \
	"$(post "$base/intakes" '"r-1"' '{"id":"r-1"}') $(post "$base/intakes" '"r-1"' '{"id":"r-1"}')"

check "servers wrote nothing to stderr" sh -c '! cat "$1"/*.err "$1/main/stderr" | grep .' sh "$T"

echo "1..$n"
echo "# $((n - failures)) passed, $failures failed in $(($(date +%s) - start_time)) s"
[ "$failures" = 0 ]
