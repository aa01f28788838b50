#!/bin/sh
# Install the Debian packages the kiosk and its tests need, skipping what
# is already installed. Needs root or sudo for apt-get; without either it
# says what is missing and the command to run as root.
# Usage: tests/deps.sh [deb]   (deb: also what `make deb-test` needs)
pkgs="build-essential pkg-config libncurses-dev libcurl4-openssl-dev libcjson-dev
libsqlite3-dev libcrypt-dev libssl-dev libcmocka-dev tmux python3 python3-jsonschema openssl sqlite3
curl systemd mandoc man-db gettext"
[ "${1:-}" = deb ] && pkgs="$pkgs debhelper lintian dpkg-dev"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=""
if [ "$(id -u)" != 0 ]; then
	if ! command -v sudo >/dev/null 2>&1; then
		echo "missing Debian packages:$missing" >&2
		echo "installing them needs root, and sudo is not installed; as root, run:" >&2
		echo "  apt-get update && apt-get install -y$missing" >&2
		exit 1
	fi
	SUDO=sudo
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || exit 1
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq $missing >/dev/null || exit 1
