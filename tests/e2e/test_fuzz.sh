#!/bin/sh
# Every libFuzzer target (tests/fuzz/fuzz_*.c, clang with ASan and UBSan)
# runs for a fixed budget, FUZZ_SECONDS each (default 10), from the seeds:
# no crash, leak, sanitizer report or broken invariant. `make fuzz` runs
# them longer. Prints TAP-like "ok N - ..." lines.
cd "$(dirname "$0")/../.." || exit 1
budget=${FUZZ_SECONDS:-10}
n=0
failures=0
command -v clang >/dev/null 2>&1 || { echo "not ok 1 - clang is not installed"; exit 1; }
for src in tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	bin=build/fuzz/$name
	n=$((n + 1))
	log=build/fuzz/$name.test.log
	mkdir -p build/fuzz
	if ! make -s "$bin" >"$log" 2>&1; then
		failures=$((failures + 1))
		echo "not ok $n - $name: does not build"
		sed 's/^/# /' "$log" | tail -20
		continue
	fi
	corpus=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-corpus.XXXXXX")
	"$bin" -max_total_time="$budget" -max_len=8192 -timeout=10 -artifact_prefix=build/fuzz/ \
	    "$corpus" tests/fuzz/seed >"$log" 2>&1
	rc=$?
	rm -rf "$corpus"
	runs=$(grep -o 'Done [0-9]* runs' "$log" | tail -1)
	if [ "$rc" = 0 ] && [ -n "$runs" ]; then
		echo "ok $n - $name: ${runs#Done } in ${budget} s, no crash"
	else
		failures=$((failures + 1))
		echo "not ok $n - $name: exit $rc"
		sed 's/^/# /' "$log" | tail -40
	fi
done
echo "1..$n"
[ "$failures" = 0 ]
