#!/bin/sh
# Run the unit suites (cmocka, ASan/UBSan build) and the end-to-end suites
# (the real binary in tmux), then print one line: "N passed, N failed".
# Usage: tests/run.sh [unit|e2e] [e2e-name-filter]
what=${1:-all}
filter=${2:-}
cd "$(dirname "$0")/.." || exit 1
pass=0
fail=0
failed=""
log=build/test-logs
mkdir -p "$log"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

if [ "$what" = all ] || [ "$what" = unit ]; then
	for t in build/asan/tests/test_*; do
		[ -x "$t" ] || continue
		name=$(basename "$t")
		"$t" >"$log/$name.log" 2>&1
		rc=$?
		p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log/$name.log" | tail -1)
		f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log/$name.log" | tail -1)
		p=${p:-0}
		f=${f:-0}
		if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
			f=1	# crashed or sanitizer report
		fi
		if grep -q 'ERROR: \(Address\|Leak\)Sanitizer\|runtime error:' "$log/$name.log"; then
			f=$((f + 1))
		fi
		echo "unit $name: $p passed, $f failed"
		[ "$f" = 0 ] || { failed="$failed $name"; sed 's/^/    /' "$log/$name.log" | tail -40; }
		pass=$((pass + p))
		fail=$((fail + f))
	done
fi

if [ "$what" = all ] || [ "$what" = e2e ]; then
	for t in tests/server/test_*.sh tests/e2e/test_*.sh; do
		[ -f "$t" ] || continue
		case "$t" in *"$filter"*) ;; *) continue ;; esac
		name=$(basename "$t" .sh)
		sh "$t" >"$log/$name.log" 2>&1
		rc=$?
		p=$(grep -c '^ok ' "$log/$name.log")
		f=$(grep -c '^not ok ' "$log/$name.log")
		if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
			f=1
		fi
		echo "e2e $name: $p passed, $f failed"
		[ "$f" = 0 ] || { failed="$failed $name"; sed 's/^/    /' "$log/$name.log" | tail -60; }
		pass=$((pass + p))
		fail=$((fail + f))
	done
fi

[ -n "$failed" ] && echo "failing:$failed"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
