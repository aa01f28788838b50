#!/bin/sh
# The translations of the kiosk's own words: every catalog under po/
# compiles with `msgfmt --check` and is complete (no untranslated or fuzzy
# message), and po/kiosk.pot and each catalog hold every message the
# sources mark today, so a new string cannot ship untranslated.
cd "$(dirname "$0")/../.." || exit 1
n=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiosk-po.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }

for t in msgfmt xgettext msgcmp; do
	command -v "$t" >/dev/null 2>&1 || { not_ok "$t is not installed (gettext)"; exit 1; }
done

xgettext --from-code=UTF-8 --language=C --keyword=_ --keyword=N_ \
    --keyword=ngettext:1,2 -o "$tmp/now.pot" \
    $(sed -n 's/^I18N_SRC := //p' Makefile | sed 's/\$(UI_SRC)/screens\/*.c/') 2>"$tmp/xgettext.err" ||
	{ not_ok "xgettext failed" "$(cat "$tmp/xgettext.err")"; exit 1; }
if msgcmp --use-untranslated po/kiosk.pot "$tmp/now.pot" >"$tmp/cmp.out" 2>&1; then
	ok "po/kiosk.pot holds every message the sources mark"
else
	not_ok "po/kiosk.pot is out of date: run make pot" "$(head -5 "$tmp/cmp.out")"
fi

found=0
for po in po/*.po; do
	[ -f "$po" ] || continue
	found=1
	if ! msgfmt --check --statistics -o "$tmp/x.mo" "$po" >"$tmp/stat" 2>&1; then
		not_ok "$po: msgfmt --check fails" "$(head -5 "$tmp/stat")"
		continue
	fi
	if grep -q 'untranslated\|fuzzy' "$tmp/stat"; then
		not_ok "$po is incomplete" "$(cat "$tmp/stat")"
	else
		ok "$po complete: $(cat "$tmp/stat")"
	fi
	if msgcmp "$po" "$tmp/now.pot" >"$tmp/cmp.out" 2>&1; then
		ok "$po translates every message the sources mark"
	else
		not_ok "$po lacks messages the sources mark: run make pot, translate" "$(head -5 "$tmp/cmp.out")"
	fi
done
[ "$found" = 1 ] || not_ok "no catalogs in po/"
