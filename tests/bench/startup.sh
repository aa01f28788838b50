#!/bin/sh
# Start-up benchmark (not part of `make test`): time to the first screen
# of `kiosk run` with an empty store and with 20,000 stored intakes,
# beside `dialog --yesno`, measured with tmux control mode; peak RSS.
# Installs dialog from Debian when it is missing.
# Usage: tests/bench/startup.sh [STORED]   (default 20000)
set -eu
cd "$(dirname "$0")/../.."
for p in dialog tmux sqlite3; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		SUDO=""
		[ "$(id -u)" = 0 ] || SUDO=sudo
		echo "installing $p"
		DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$p" >/dev/null
	fi
done
make -s build/kiosk
exec python3 tests/bench/startup.py build/kiosk "$@"
