#!/bin/sh
# The wire format's documentation holds: the JSON Schemas are valid
# schemas, the example in docs/wire-format.md is valid against the
# intake schema, and a deliberately broken copy of it is caught (so the
# check can fail). Every e2e export is also checked (lib.sh kiosk_export).
. "$(dirname "$0")/lib.sh"

CHECK=$E2E_ROOT/tests/tools/check_wire.py

# doc_example: the ```json block of docs/wire-format.md as one line.
doc_example() {
	sed -n '/^```json$/,/^```$/p' "$E2E_ROOT/docs/wire-format.md" |
	    sed '1d;$d' | tr -d '\n'
	echo
}

t_example_valid() {
	doc_example >"$T/ex.jsonl"
	[ -s "$T/ex.jsonl" ] || fail "no json example in docs/wire-format.md"
	"$PY" "$CHECK" intake "$T/ex.jsonl" >"$T/out" 2>&1 ||
		fail "the documented example is not valid: $(cat "$T/out")"
}

t_broken_caught() {
	doc_example | sed 's/"outcome":"exclude"/"outcome":"clear"/' >"$T/bad.jsonl"
	if "$PY" "$CHECK" intake "$T/bad.jsonl" >"$T/out" 2>&1; then
		fail "an exclusion sent as clear passed the schema"
	fi
	grep -q "outcome" "$T/out" || fail "the problem is not named: $(cat "$T/out")"
	printf '%s\n' '{"id":"x","intake_id":"y","decision":"cleared","note":null,"staff":"Ana","decided_at":"2026-11-24T09:15:02Z"}' >"$T/rev.jsonl"
	if "$PY" "$CHECK" review "$T/rev.jsonl" >"$T/out" 2>&1; then
		fail "a review with ids that are not UUIDs passed the schema"
	fi
}

run_test "docs/wire-format.md's example is valid against docs/kiosk.intake-1.schema.json" t_example_valid
run_test "the schemas catch an exclusion sent as clear and a review without UUIDs" t_broken_caught
