#!/bin/sh
# Installing the kiosk the way a clinic's IT does: `make install` into a
# staging root (DESTDIR) with the Debian layout, an edited config and form
# kept across a reinstall, `make uninstall` keeping them too; the systemd
# unit passes `systemd-analyze verify`; the man pages pass `mandoc -T lint`
# and render with `man -l`; `kiosk --version` names the licence.
. "$(dirname "$0")/lib.sh"

for need in systemd-analyze mandoc man make; do
	command -v "$need" >/dev/null 2>&1 || {
		echo "not ok 1 - $need is not installed (tests/deps.sh installs it)"
		exit 1
	}
done

# stage [VAR=VALUE...]: make install into $T/root with the Debian layout.
stage() {
	make -s -C "$E2E_ROOT" install DESTDIR="$T/root" PREFIX=/usr \
	    SYSTEMDUNITDIR=/lib/systemd/system "$@" >"$T/install.out" 2>&1 ||
		fail "make install failed: $(cat "$T/install.out")"
}

# mode_is PATH MODE
mode_is() {
	[ -e "$1" ] || fail "not installed: $1"
	m=$(stat -c %a "$1")
	[ "$m" = "$2" ] || fail "$1: mode $m, want $2"
}

t_layout() {
	stage
	R=$T/root
	mode_is "$R/usr/bin/kiosk" 755
	mode_is "$R/etc/kiosk/kiosk.json" 644
	mode_is "$R/etc/kiosk/kiosk.json.example" 600	# staff PIN hashes in it
	mode_is "$R/etc/kiosk/forms/microneedling.json" 644
	mode_is "$R/usr/share/man/man8/kiosk.8" 644
	mode_is "$R/usr/share/man/man5/kiosk.json.5" 644
	mode_is "$R/usr/share/man/man5/kiosk-form.5" 644
	mode_is "$R/lib/systemd/system/kiosk@.service" 644
	mode_is "$R/usr/lib/sysusers.d/kiosk.conf" 644
	mode_is "$R/usr/lib/tmpfiles.d/kiosk.conf" 644
	mode_is "$R/usr/share/doc/kiosk/wire-format.md" 644
	mode_is "$R/usr/share/locale/es/LC_MESSAGES/kiosk.mo" 644
	msgunfmt "$R/usr/share/locale/es/LC_MESSAGES/kiosk.mo" 2>/dev/null |
	    grep -q 'Pulse Intro o toque la pantalla para registrarse' ||
		fail "the installed Spanish catalog lacks the welcome words"
	# The installed config and form are valid as shipped (state_dir
	# pointed at a private directory: /var/lib/kiosk is not ours here).
	sed "s|/var/lib/kiosk|$T/state|" "$R/etc/kiosk/kiosk.json" >"$T/installed.json"
	cp -r "$R/etc/kiosk/forms" "$T/forms"
	"$KIOSK_CLI" --config "$T/installed.json" check >"$T/check.out" 2>&1 ||
		fail "kiosk check on the installed config: $(cat "$T/check.out")"
}

t_edits_kept() {
	stage
	R=$T/root
	printf '\n' >>"$R/etc/kiosk/forms/microneedling.json"
	sed -i 's/"kiosk-1"/"front-desk-2"/' "$R/etc/kiosk/kiosk.json"
	cp "$R/etc/kiosk/forms/microneedling.json" "$T/form.edited"
	stage
	grep -q front-desk-2 "$R/etc/kiosk/kiosk.json" ||
		fail "reinstall overwrote the edited kiosk.json"
	cmp -s "$R/etc/kiosk/forms/microneedling.json" "$T/form.edited" ||
		fail "reinstall overwrote the edited form"
	cmp -s "$R/etc/kiosk/forms/microneedling.json.new" \
	    "$E2E_ROOT/etc/forms/microneedling.json" ||
		fail "the shipped form is not beside the edited one as .new"
	grep -q "kept your" "$T/install.out" ||
		fail "install did not say it kept the edited files: $(cat "$T/install.out")"
	make -s -C "$E2E_ROOT" uninstall DESTDIR="$R" PREFIX=/usr \
	    SYSTEMDUNITDIR=/lib/systemd/system >"$T/un.out" 2>&1 ||
		fail "make uninstall failed: $(cat "$T/un.out")"
	[ ! -e "$R/usr/bin/kiosk" ] || fail "uninstall left the binary"
	[ ! -e "$R/lib/systemd/system/kiosk@.service" ] || fail "uninstall left the unit"
	[ ! -e "$R/usr/share/man/man8/kiosk.8" ] || fail "uninstall left the man page"
	[ ! -e "$R/usr/share/locale/es/LC_MESSAGES/kiosk.mo" ] ||
		fail "uninstall left the Spanish catalog"
	grep -q front-desk-2 "$R/etc/kiosk/kiosk.json" ||
		fail "uninstall removed the clinic's config"
	cmp -s "$R/etc/kiosk/forms/microneedling.json" "$T/form.edited" ||
		fail "uninstall removed the clinic's edited form"
}

t_unit_verifies() {
	# verify checks that ExecStart exists: point it at this build.
	mkdir -p "$T/units"
	sed "s|/usr/bin/kiosk|$KIOSK_CLI|g" "$E2E_ROOT/etc/systemd/kiosk@.service" \
	    >"$T/units/kiosk@tty1.service"
	(cd "$T/units" && systemd-analyze verify --man=no kiosk@tty1.service) \
	    >"$T/verify.out" 2>&1 || fail "systemd-analyze verify: $(cat "$T/verify.out")"
	[ ! -s "$T/verify.out" ] || fail "systemd-analyze verify warns: $(cat "$T/verify.out")"
	# It can fail: an unknown key is reported.
	sed 's/^UMask=/UMaks=/' "$T/units/kiosk@tty1.service" >"$T/units/broken@tty1.service"
	(cd "$T/units" && systemd-analyze verify --man=no broken@tty1.service) \
	    >"$T/verify.out" 2>&1
	grep -q "UMaks" "$T/verify.out" || fail "a misspelt key passed systemd-analyze verify"
	for want in "User=kiosk" "StateDirectory=kiosk" "UMask=0077" \
	    "TTYPath=/dev/%I" "StandardInput=tty-force" "Conflicts=getty@%i.service" \
	    "Restart=always" "NoNewPrivileges=yes" "ProtectSystem=strict" \
	    "CapabilityBoundingSet=" "WantedBy=multi-user.target"; do
		grep -qx "$want" "$E2E_ROOT/etc/systemd/kiosk@.service" ||
			fail "the unit lacks $want"
	done
}

t_man_pages() {
	for m in "$E2E_ROOT"/docs/man/*.[58]; do
		mandoc -T lint -W warning "$m" >"$T/lint" 2>&1 ||
			fail "mandoc -T lint $(basename "$m"): $(cat "$T/lint")"
		MANWIDTH=80 man -l "$m" 2>"$T/man.err" >"$T/man.out" ||
			fail "man -l $(basename "$m") failed: $(cat "$T/man.err")"
		grep -q "^NAME" "$T/man.out" || fail "man -l $(basename "$m") shows no NAME section"
	done
	# Every command of the usage text is in kiosk(8).
	"$KIOSK_CLI" --help >"$T/help" 2>&1
	for cmd in $(sed -n 's/^.*kiosk \(\[--config FILE\] \)\{0,1\}\([a-z][a-z-]*\).*/\2/p' "$T/help" | sort -u); do
		roff=$(printf '%s' "$cmd" | sed 's/-/\\\\-/g')
		grep -q "^\.B.*[ \"]$roff\\b" "$E2E_ROOT/docs/man/kiosk.8" ||
			fail "kiosk(8) does not document the command $cmd"
	done
}

t_version_licence() {
	"$KIOSK_CLI" --version >"$T/v" 2>&1 || fail "kiosk --version failed"
	grep -q "^kiosk [0-9]" "$T/v" || fail "no version: $(cat "$T/v")"
	grep -qi "MIT" "$T/v" || fail "--version does not name the licence: $(cat "$T/v")"
	grep -q "MIT License" "$E2E_ROOT/LICENSE" || fail "no LICENSE file"
}

run_test "make install: Debian layout, modes, the installed config passes kiosk check" t_layout
run_test "reinstall and uninstall keep an edited config and form (.new beside)" t_edits_kept
run_test "the systemd unit passes systemd-analyze verify and has its sandbox and tty keys" t_unit_verifies
run_test "man pages pass mandoc -T lint, render, and document every command" t_man_pages
run_test "kiosk --version names the licence" t_version_licence
