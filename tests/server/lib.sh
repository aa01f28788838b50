# Shell helpers for tests that need the test clinic server. POSIX sh; source it:
#
#   . tests/server/lib.sh
#   clinic_certs "$T/certs"                      # CA, server, client certs, token
#   clinic_start "$T/srv" --received "$T/srv/received" --token "@$T/certs/token"
#   ... kiosk config: url "$clinic_url", ca_file "$T/certs/ca.pem" ...
#   clinic_faults "$T/srv" 503x2 hang            # running server: new fault queue
#   clinic_requests "$T/srv"                     # number of requests so far
#   clinic_stop "$T/srv"                         # SIGTERM, wait; 0 = clean exit
#   clinic_start "$T/srv" --port "$clinic_port" ...   # restart on the same port
#
# One server per DIR. clinic_start uses DIR/{port,pid,ledger,conns,faults,stderr}
# and the certificates in ${CLINIC_CERTS:-DIR/../certs} unless --cert/--key are
# given (later options win over earlier ones; the defaults come first).
# Sets clinic_pid, clinic_port, clinic_url (https://127.0.0.1:PORT/api/kiosk/v1).

# Sourced files cannot find themselves in POSIX sh: from the repository root
# this default works; elsewhere set CLINIC_SERVER_DIR before sourcing.
clinic_dir=${CLINIC_SERVER_DIR:-$(pwd)/tests/server}
if [ -z "${PYTHON:-}" ]; then
	# A pyenv shim costs ~0.7 s per start; the system python3 is enough.
	if [ -x /usr/bin/python3 ]; then PYTHON=/usr/bin/python3; else PYTHON=python3; fi
fi

clinic_certs() {	# clinic_certs DIR
	sh "$clinic_dir/mkcerts.sh" "$1"
}

clinic_start() {	# clinic_start DIR [clinic_server.py options...]
	_cd=$1; shift
	mkdir -p "$_cd" || return 1
	_certs=${CLINIC_CERTS:-$_cd/../certs}
	rm -f "$_cd/port"
	"$PYTHON" "$clinic_dir/clinic_server.py" \
		--cert "$_certs/server.pem" --key "$_certs/server.key" \
		--port-file "$_cd/port" --ledger "$_cd/ledger" --conn-log "$_cd/conns" \
		--fault-file "$_cd/faults" "$@" 2>>"$_cd/stderr" &
	clinic_pid=$!
	echo "$clinic_pid" >"$_cd/pid"
	_i=0
	while [ ! -s "$_cd/port" ]; do
		if ! kill -0 "$clinic_pid" 2>/dev/null || [ $_i -ge 200 ]; then
			echo "clinic_start: server did not start:" >&2
			cat "$_cd/stderr" >&2
			return 1
		fi
		sleep 0.05
		_i=$((_i + 1))
	done
	clinic_port=$(cat "$_cd/port")
	# shellcheck disable=SC2034  # for the caller
	clinic_url=https://127.0.0.1:$clinic_port/api/kiosk/v1
}

clinic_stop() {	# clinic_stop DIR: SIGTERM and wait (5 s, then SIGKILL); returns its status
	_p=$(cat "$1/pid" 2>/dev/null) || return 0
	rm -f "$1/pid"
	kill -TERM "$_p" 2>/dev/null || return 0
	_i=0
	while kill -0 "$_p" 2>/dev/null && [ $_i -lt 100 ]; do sleep 0.05; _i=$((_i + 1)); done
	kill -KILL "$_p" 2>/dev/null
	wait "$_p" 2>/dev/null
}

clinic_faults() {	# clinic_faults DIR [MODE[xN]...]: replace the fault queue now
	_fd=$1; shift
	printf '%s\n' "$@" >"$_fd/faults"
	_before=$(cat "$_fd/faults.loaded" 2>/dev/null || echo 0)
	kill -USR1 "$(cat "$_fd/pid")" || return 1
	_i=0
	while [ "$(cat "$_fd/faults.loaded" 2>/dev/null || echo 0)" = "$_before" ]; do
		[ $_i -lt 200 ] || { echo "clinic_faults: no reload ack" >&2; return 1; }
		sleep 0.02
		_i=$((_i + 1))
	done
}

clinic_requests() {	# clinic_requests DIR [GREP-PATTERN]: ledger lines (matching)
	if [ -f "$1/ledger" ]; then grep -c -- "${2:-.}" "$1/ledger"; else echo 0; fi
}

clinic_connections() {	# clinic_connections DIR: successful TLS handshakes so far
	if [ -f "$1/conns" ]; then grep -c '"event":"handshake"' "$1/conns"; else echo 0; fi
}
