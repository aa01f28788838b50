#!/bin/sh
# Install the Debian packages the kiosk and its tests need, skipping what
# is already installed. Needs root or sudo for apt-get; without either it
# says what is missing and the command to run as root.
# Usage: tests/deps.sh [build|deb]
#   build: only what building and running the kiosk needs (make run)
#   deb:   also what `make deb-test` needs
pkgs="build-essential pkg-config libncurses-dev libcurl4-openssl-dev libcjson-dev
libsqlite3-dev libcrypt-dev libssl-dev libcmocka-dev tmux python3 python3-jsonschema openssl sqlite3
curl clang devscripts systemd mandoc man-db gettext"
[ "${1:-}" = deb ] && pkgs="$pkgs debhelper lintian dpkg-dev"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
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
	# No recommends: devscripts (for hardening-check) would pull in a
	# mail server and more.
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null || exit 1
fi

[ "${1:-}" = build ] && exit 0

# The FHIR validators and test server (tests/fhir): npm packages pinned in
# its package-lock.json, installed again when the lock file changes.
fhir_dir=$(dirname "$0")/fhir
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' 2>/dev/null; then
	echo "tests/deps.sh: Node.js 20.19 or later is needed for tests/fhir" >&2
	exit 1
fi
if ! cmp -s "$fhir_dir/package-lock.json" "$fhir_dir/node_modules/.kiosk-lock" 2>/dev/null; then
	echo "installing the npm packages of tests/fhir"
	(cd "$fhir_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || exit 1
	cp "$fhir_dir/package-lock.json" "$fhir_dir/node_modules/.kiosk-lock" || exit 1
fi
