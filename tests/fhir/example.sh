#!/bin/sh
# tests/fhir/example.sh OUT: the example Bundle of docs/fhir.md, made by
# the kiosk's own code (the shipped form's "pregnant" test case as a
# completed intake with a fixed id), as one JSON line in OUT. To refresh
# the document: sh tests/fhir/example.sh /tmp/x && python3 -m json.tool
# --indent 2 --no-ensure-ascii /tmp/x, pasted under <!-- example-bundle -->.
cd "$(dirname "$0")/../.." || exit 1
[ -n "${1:-}" ] || { echo "usage: tests/fhir/example.sh OUT" >&2; exit 64; }
case $1 in /*) out=$1 ;; *) out=$OLDPWD/$1 ;; esac
log=$(FHIR_EXAMPLE_OUT=$out build/asan/tests/test_fhir 2>&1) || { echo "$log" >&2; exit 1; }
