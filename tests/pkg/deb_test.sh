#!/bin/sh
# The Debian package end to end (`make deb-test`; slow, and it installs
# the package on this machine, so it is not part of `make test`): build
# it with dpkg-buildpackage from a copy of the tree, lintian with no
# errors, install it with dpkg -i, check that the kiosk user, the state
# directory, the enabled unit and `kiosk check` on the installed config
# work, that the unit passes systemd-analyze verify and the man pages
# render, then remove and purge it (the check-ins in /var/lib/kiosk are
# kept on purge). Needs root. Prints TAP and "N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/kiosk-deb.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
n=0
pass=0
fail=0

ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n - $1"; }
notok() {
	n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"
	[ -n "${2:-}" ] && sed 's/^/# /' "$2" | tail -30
}
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" = 0 ]
	exit
}

[ "$(id -u)" = 0 ] || { notok "deb-test needs root (it installs the package)"; finish; }
for need in dpkg-buildpackage dh lintian systemd-analyze mandoc; do
	command -v "$need" >/dev/null 2>&1 || {
		notok "$need is not installed: apt-get install debhelper lintian systemd mandoc"
		finish
	}
done
if dpkg-query -W -f='${Status}' clinic-kiosk 2>/dev/null | grep -q "ok installed"; then
	notok "clinic-kiosk is already installed here; remove it first (dpkg -r clinic-kiosk)"
	finish
fi

# A copy of the tree as git sees it (tracked and new files, no build output).
mkdir "$work/src"
(cd "$top" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$work/src") ||
	{ notok "copying the tree"; finish; }
if (cd "$work/src" && dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1; then
	ok "dpkg-buildpackage -us -uc -b builds"
else
	notok "dpkg-buildpackage -us -uc -b" "$work/build.log"
	finish
fi
deb=$(ls "$work"/clinic-kiosk_*_*.deb)

lintian --no-tag-display-limit "$work"/*.changes >"$work/lintian.log" 2>&1
if grep -q "^E:" "$work/lintian.log"; then
	notok "lintian reports errors" "$work/lintian.log"
else
	ok "lintian: no errors ($(grep -c '^W:' "$work/lintian.log") warnings, listed in the README)"
	grep '^W:' "$work/lintian.log" | sed 's/^/# /'
fi

if DEBIAN_FRONTEND=noninteractive dpkg -i "$deb" >"$work/install.log" 2>&1; then
	ok "dpkg -i installs it"
else
	notok "dpkg -i" "$work/install.log"
	finish
fi

{
	id kiosk >/dev/null 2>&1 || echo "no kiosk user"
	[ "$(stat -c '%a %U' /var/lib/kiosk 2>/dev/null)" = "700 kiosk" ] ||
		echo "/var/lib/kiosk is not 0700 kiosk: $(stat -c '%a %U' /var/lib/kiosk 2>&1)"
	[ -L /etc/systemd/system/multi-user.target.wants/kiosk@tty1.service ] ||
		echo "kiosk@tty1.service is not enabled"
	[ -x /usr/bin/kiosk ] || echo "no /usr/bin/kiosk"
	[ -f /usr/share/locale/es/LC_MESSAGES/kiosk.mo ] ||
		echo "no Spanish catalog in /usr/share/locale"
	[ "$(stat -c '%a %U' /etc/kiosk/kiosk.json 2>/dev/null)" = "600 kiosk" ] ||
		echo "/etc/kiosk/kiosk.json is not 0600 kiosk (it will hold PIN hashes): $(stat -c '%a %U' /etc/kiosk/kiosk.json 2>&1)"
} >"$work/layout.log" 2>&1
if [ -s "$work/layout.log" ]; then
	notok "user, state directory, enabled unit, binary" "$work/layout.log"
else
	ok "the kiosk user owns /var/lib/kiosk (0700) and its config (0600); kiosk@tty1.service is enabled"
fi

# The distribution's hardening flags reached the binary (control-flow
# protection aside: Debian 12's own start files lack its notes).
if command -v hardening-check >/dev/null 2>&1; then
	if hardening-check --nocfprotection /usr/bin/kiosk >"$work/harden.log" 2>&1; then
		ok "hardening-check /usr/bin/kiosk: PIE, stack protector, fortify, RELRO, bind now"
	else
		notok "hardening-check /usr/bin/kiosk" "$work/harden.log"
	fi
fi

if runuser -u kiosk -- /usr/bin/kiosk --config /etc/kiosk/kiosk.json check >"$work/check.log" 2>&1; then
	ok "kiosk check passes on the installed config, as the kiosk user"
else
	notok "kiosk check on the installed config" "$work/check.log"
fi

(cd / && systemd-analyze verify kiosk@tty1.service) >"$work/verify.log" 2>&1
if [ $? = 0 ] && [ ! -s "$work/verify.log" ]; then
	ok "systemd-analyze verify kiosk@tty1.service: clean, man pages found"
else
	notok "systemd-analyze verify kiosk@tty1.service" "$work/verify.log"
fi

: >"$work/man.log"
for page in 8/kiosk 5/kiosk.json 5/kiosk-form; do
	sec=${page%%/*}
	name=${page#*/}
	MANWIDTH=80 man "$sec" "$name" >"$work/page" 2>>"$work/man.log" ||
		echo "man $sec $name failed" >>"$work/man.log"
	grep -q "^NAME" "$work/page" || echo "man $sec $name: no NAME" >>"$work/man.log"
done
if [ -s "$work/man.log" ]; then notok "installed man pages" "$work/man.log"; else ok "man kiosk, man 5 kiosk.json, man 5 kiosk-form"; fi

echo '{}' >/var/lib/kiosk/keep-me
dpkg -r clinic-kiosk >"$work/remove.log" 2>&1 || notok "dpkg -r" "$work/remove.log"
if [ ! -e /usr/bin/kiosk ] && [ -e /etc/kiosk/kiosk.json ] &&
    [ ! -e /etc/systemd/system/multi-user.target.wants/kiosk@tty1.service ]; then
	ok "dpkg -r removes the binary and disables the unit, keeps the config"
else
	notok "dpkg -r left the binary or the enabled unit, or removed the config" "$work/remove.log"
fi
dpkg -P clinic-kiosk >"$work/purge.log" 2>&1 || notok "dpkg -P" "$work/purge.log"
if [ ! -e /etc/kiosk/kiosk.json ] && [ -e /var/lib/kiosk/keep-me ]; then
	ok "dpkg -P removes the config and keeps /var/lib/kiosk (check-ins)"
else
	notok "dpkg -P: config left, or the state directory removed" "$work/purge.log"
fi
rm -f /var/lib/kiosk/keep-me
rmdir /var/lib/kiosk 2>/dev/null
finish
