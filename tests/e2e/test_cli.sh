#!/bin/sh
# The command line: every usage error says what was wrong (not only the
# usage text), starts with "kiosk:" whatever name the binary was started
# by, and exits 64; --help and --version exit 0 on stdout.
. "$(dirname "$0")/lib.sh"

# One bad command line a row: ARGUMENTS | what stderr must say.
BAD='--bogus|kiosk: unknown option --bogus
--config|kiosk: --config needs a value
frobnicate|kiosk: unknown command frobnicate
check --bogus|kiosk: check: unknown option --bogus
status extra|kiosk: status: unexpected argument extra
sync --twice|kiosk: sync: unknown option --twice
sync --once extra|kiosk: sync: unexpected argument extra
export --reviews --fhir|kiosk: export: --reviews and --fhir do not go together
export --json|kiosk: export: unknown option --json
form|kiosk: form: say which format: form --fhir
requeue|kiosk: requeue: give one record id, or --parked
requeue --parked some-id|kiosk: requeue: give one record id, or --parked
requeue a b|kiosk: requeue: unexpected argument b
audit --since|kiosk: audit: --since needs a value
audit --verify --all|kiosk: audit: unknown option --all
hash-pin --stdin|kiosk: hash-pin: unknown option --stdin
staff --console|kiosk: staff: unknown option --console'

t_usage_errors() {
	# Started by another name: the messages still say "kiosk:".
	ln -s "$KIOSK" "$T/clinic-checkin"
	printf '%s\n' "$BAD" >"$T/bad"
	while IFS='|' read -r args want; do
		# shellcheck disable=SC2086
		"$T/clinic-checkin" $args >"$T/out" 2>"$T/err" </dev/null
		rc=$?
		[ "$rc" = 64 ] || fail "kiosk $args: exit $rc, expected 64; stderr: $(cat "$T/err")"
		grep -qF -- "$want" "$T/err" ||
			fail "kiosk $args: stderr does not say \"$want\": $(cat "$T/err")"
		[ ! -s "$T/out" ] || fail "kiosk $args: printed on stdout: $(cat "$T/out")"
	done <"$T/bad"
}

t_help_version() {
	run_kiosk --help
	expect_rc 0
	grep -q "^usage: kiosk" "$T/out" || fail "--help: no usage on stdout"
	for cmd in run check sync status staff export form requeue audit hash-pin; do
		grep -q "kiosk .*$cmd" "$T/out" || fail "--help does not list $cmd"
	done
	run_kiosk --version
	expect_rc 0
	grep -q "^kiosk [0-9]" "$T/out" || fail "--version: $(cat "$T/out")"
}

run_test "usage errors name what was wrong, say kiosk: whatever the binary's name, exit 64" t_usage_errors
run_test "--help lists every command; --version" t_help_version
