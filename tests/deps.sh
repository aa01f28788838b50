#!/bin/sh
# Install the Debian packages the kiosk and its tests need, skipping what
# is already installed. Uses sudo when not root.
pkgs="build-essential pkg-config libncurses-dev libcurl4-openssl-dev libcjson-dev
libsqlite3-dev libcrypt-dev libssl-dev libcmocka-dev tmux python3 openssl sqlite3
curl clang devscripts"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || exit 1
# No recommends: devscripts (for hardening-check) would pull in a mail
# server and more.
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null || exit 1
