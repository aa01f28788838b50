#!/bin/sh
# Sync benchmark (not part of `make test`): `kiosk sync --once` against
# nginx + njs on 127.0.0.1 (TLS, a test CA) beside a C reference client
# with and without one durable commit per record, and the curl command
# once per intake; queues of 500, 2,000 and 20,000 with equal and spread
# due times. See tests/bench/sync_bench.py for what each line means.
# Installs nginx and its njs module from Debian when they are missing.
# Usage: tests/bench/sync.sh [SIZE...]
set -eu
cd "$(dirname "$0")/../.."
missing=""
for p in nginx libnginx-mod-http-js curl sqlite3; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	SUDO=""
	[ "$(id -u)" = 0 ] || SUDO=sudo
	echo "installing:$missing"
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi
make -s build/kiosk
mkdir -p build/bench
cc -O2 -Wall -Wextra -o build/bench/refclient tests/bench/refclient.c \
	$(pkg-config --cflags --libs libcurl libcjson sqlite3)
exec python3 tests/bench/sync_bench.py build/kiosk build/bench/refclient "$@"
