# Intake kiosk. `make` builds build/kiosk; `make test` runs every test;
# `make run` installs what is missing and starts the demo kiosk.

CC ?= cc
PREFIX ?= /usr/local
DESTDIR ?=
PKGS := ncursesw libcurl libcjson sqlite3 libcrypt libssl libcrypto

WARN := -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wwrite-strings -Wno-unused-parameter
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread
CFLAGS ?= -O2 -g
CPPFLAGS ?=
LDFLAGS ?=
# Hardening as dpkg-buildflags gives with hardening=+all; a distribution's
# own CPPFLAGS, CFLAGS and LDFLAGS come after (and win).
HARDEN_CPPFLAGS := $(if $(findstring _FORTIFY_SOURCE,$(CPPFLAGS)),,-D_FORTIFY_SOURCE=2)
HARDEN_CFLAGS := -fstack-protector-strong -fstack-clash-protection \
	-fcf-protection -fPIE -Wformat -Werror=format-security
HARDEN_LDFLAGS := -pie -Wl,-z,relro -Wl,-z,now
ALL_CFLAGS := -std=c17 -D_GNU_SOURCE $(WARN) -Iinclude $(HARDEN_CFLAGS) \
	$(CFLAGS) $(PKG_CFLAGS)
ALL_LDFLAGS := $(HARDEN_LDFLAGS) $(LDFLAGS)
# The sanitizer build checks memory itself; fortified libc calls would hide
# the overflows it is there to find.
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

CORE_SRC := $(filter-out kiosk/main.c,$(wildcard kiosk/*.c))
UI_SRC := $(wildcard screens/*.c)
UNIT_SRC := $(wildcard tests/unit/test_*.c)

CORE_OBJ := $(CORE_SRC:%.c=build/obj/%.o)
UI_OBJ := $(UI_SRC:%.c=build/obj/%.o) build/obj/kiosk/main.o
ACORE_OBJ := $(CORE_SRC:%.c=build/asan/obj/%.o)
AUI_OBJ := $(UI_SRC:%.c=build/asan/obj/%.o) build/asan/obj/kiosk/main.o
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=build/asan/tests/%)

.PHONY: all asan test unit e2e run demo deps lint install uninstall clean fuzz bench deb-test pot po-check catalogs

all: build/kiosk catalogs

asan: build/asan/kiosk $(UNIT_BIN) catalogs

# Translations of the kiosk's own words (GNU gettext): po/LANG.po is built
# into build/locale/LANG/LC_MESSAGES/kiosk.mo, where the kiosk finds them
# when it runs from build/ (the marker file says so); `make install` puts
# them in LOCALEDIR. `make pot` refreshes po/kiosk.pot and merges it into
# every po/LANG.po.
PO := $(wildcard po/*.po)
MO := $(PO:po/%.po=build/locale/%/LC_MESSAGES/kiosk.mo)
I18N_SRC := $(UI_SRC) kiosk/form.c kiosk/intake.c kiosk/staff.c

catalogs: $(MO) build/locale/.kiosk-catalogs

build/locale/.kiosk-catalogs:
	@mkdir -p $(dir $@)
	@echo "kiosk message catalogs built from po/" >$@

build/locale/%/LC_MESSAGES/kiosk.mo: po/%.po
	@mkdir -p $(dir $@)
	msgfmt --check -o $@ $<

pot:
	xgettext --from-code=UTF-8 --language=C --keyword=_ --keyword=N_ \
	    --keyword=ngettext:1,2 --add-comments=TRANSLATORS: \
	    --package-name=kiosk --msgid-bugs-address= --sort-by-file \
	    -o po/kiosk.pot $(I18N_SRC)
	@for p in $(PO); do msgmerge --quiet --update --backup=none $$p po/kiosk.pot || exit 1; done

# Every catalog complete: no untranslated or fuzzy message, and the
# template up to date with the sources.
po-check:
	@sh tests/e2e/test_po.sh

build/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(HARDEN_CPPFLAGS) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c $< -o $@


build/asan/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -D_FORTIFY_SOURCE%,$(CPPFLAGS)) $(ALL_CFLAGS) $(SAN) -MMD -MP -c $< -o $@

build/libkiosk.a: $(CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^

build/asan/libkiosk.a: $(ACORE_OBJ)
	@rm -f $@
	ar rcs $@ $^

build/kiosk: $(UI_OBJ) build/libkiosk.a
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(UI_OBJ) build/libkiosk.a $(PKG_LIBS)

build/asan/kiosk: $(AUI_OBJ) build/asan/libkiosk.a
	$(CC) $(ALL_CFLAGS) $(SAN) $(ALL_LDFLAGS) -o $@ $(AUI_OBJ) build/asan/libkiosk.a $(PKG_LIBS)

build/asan/tests/%: tests/unit/%.c build/asan/libkiosk.a
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -D_FORTIFY_SOURCE%,$(CPPFLAGS)) $(ALL_CFLAGS) $(SAN) $(ALL_LDFLAGS) -Itests/unit -o $@ $< build/asan/libkiosk.a $(PKG_LIBS) -lcmocka

# The key decoder is a screens/ file: its test links it alone, with curses.
build/asan/tests/test_keys: tests/unit/test_keys.c build/asan/obj/screens/keys.o
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -D_FORTIFY_SOURCE%,$(CPPFLAGS)) $(ALL_CFLAGS) $(SAN) $(ALL_LDFLAGS) -Iscreens -Itests/unit -o $@ $< build/asan/obj/screens/keys.o $(PKG_LIBS) -lcmocka

# Fuzzing (clang's libFuzzer): each target runs FUZZ_SECONDS.
FUZZ_SECONDS ?= 20
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)

build/fuzz/%: tests/fuzz/%.c $(CORE_SRC)
	@mkdir -p $(dir $@)
	clang -std=c17 -D_GNU_SOURCE -g -O1 -Iinclude $(PKG_CFLAGS) \
		-fsanitize=fuzzer,address,undefined -o $@ $< $(CORE_SRC) $(PKG_LIBS)

build/fuzz/fuzz_keys: tests/fuzz/fuzz_keys.c screens/keys.c
	@mkdir -p $(dir $@)
	clang -std=c17 -D_GNU_SOURCE -g -O1 -Iinclude -Iscreens $(PKG_CFLAGS) \
		-fsanitize=fuzzer,address,undefined -o $@ $< screens/keys.c $(PKG_LIBS)

fuzz: $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do \
		mkdir -p build/fuzz/corpus-$$(basename $$f); \
		$$f -max_total_time=$(FUZZ_SECONDS) -max_len=8192 \
		    build/fuzz/corpus-$$(basename $$f) tests/fuzz/seed \
		    2>build/fuzz/$$(basename $$f).log \
		    || { tail -40 build/fuzz/$$(basename $$f).log; exit 1; }; \
		echo "fuzz $$(basename $$f): $$(grep -o 'Done [0-9]* runs' build/fuzz/$$(basename $$f).log), no crash"; \
	done

# Only screens/ may include curses; only store.c sqlite3; only http.c curl;
# screens/ reach the core through the session (session.h, view.h) alone.
lint:
	@! grep -nE '#include *[<"](n?curses|ncursesw/curses)\.h' kiosk/*.c include/*.h || { echo "curses outside screens/"; exit 1; }
	@! grep -lE '#include *<sqlite3\.h>' kiosk/*.c screens/*.c include/*.h | grep -v '^kiosk/store\.c$$' || { echo "sqlite3 outside store.c"; exit 1; }
	@! grep -lE '#include *<curl/' kiosk/*.c screens/*.c include/*.h | grep -v '^kiosk/http\.c$$' || { echo "curl outside http.c"; exit 1; }
	@! grep -nE '#include *"(store|staff|sync|pin)\.h"' screens/*.c screens/*.h include/session.h include/view.h include/screens.h || { echo "screens/ must use session.h and view.h only"; exit 1; }

deps:
	@sh tests/deps.sh

# Packages first (a fresh machine has no headers yet), then the build.
test: deps
	@$(MAKE) --no-print-directory lint build/kiosk asan
	@sh tests/run.sh

unit: asan
	@sh tests/run.sh unit

e2e: build/kiosk build/asan/kiosk
	@sh tests/run.sh e2e

run:
	@sh tests/deps.sh build
	@$(MAKE) --no-print-directory build/kiosk
	@sh etc/demo.sh

# Install layout. The config lives in SYSCONFDIR/kiosk whatever PREFIX is
# (the kiosk's default config is /etc/kiosk/kiosk.json). A clinic's edited
# config or form is never overwritten: a changed shipped one lands beside it as
# NAME.new. uninstall leaves edited files and the state alone.
BINDIR ?= $(PREFIX)/bin
SYSCONFDIR ?= /etc
LOCALSTATEDIR ?= /var
DATADIR ?= $(PREFIX)/share
LOCALEDIR ?= $(DATADIR)/locale
# The kiosk looks for installed catalogs there (run from build/, it uses
# the ones built beside it).
build/obj/screens/lang.o build/asan/obj/screens/lang.o: ALL_CFLAGS += -DLOCALEDIR='"$(LOCALEDIR)"'
MANDIR ?= $(DATADIR)/man
DOCDIR ?= $(DATADIR)/doc/kiosk
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
MAN8 := docs/man/kiosk.8
MAN5 := docs/man/kiosk.json.5 docs/man/kiosk-form.5
ETCK = $(DESTDIR)$(SYSCONFDIR)/kiosk

install: build/kiosk catalogs
	install -d $(DESTDIR)$(BINDIR) $(ETCK)/forms $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(DOCDIR) \
	    $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(SYSUSERSDIR) \
	    $(DESTDIR)$(TMPFILESDIR)
	install -m 0755 build/kiosk $(DESTDIR)$(BINDIR)/kiosk
	install -m 0600 etc/kiosk.json.example $(ETCK)/kiosk.json.example
	@for p in kiosk.json forms/microneedling.json; do \
		f=$(ETCK)/$$p; \
		if [ ! -e "$$f" ]; then \
			echo "install -m 0644 etc/$$p $$f"; \
			install -m 0644 etc/$$p "$$f" || exit 1; \
		elif ! cmp -s etc/$$p "$$f"; then \
			install -m 0644 etc/$$p "$$f.new" || exit 1; \
			echo "kept your $$f; the shipped one is $$f.new"; \
		fi; \
	done
	install -m 0644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 README.md docs/*.md docs/*.json $(DESTDIR)$(DOCDIR)/
	@for p in $(PO:po/%.po=%); do \
		echo "install -m 0644 build/locale/$$p/LC_MESSAGES/kiosk.mo $(DESTDIR)$(LOCALEDIR)/$$p/LC_MESSAGES/kiosk.mo"; \
		install -d $(DESTDIR)$(LOCALEDIR)/$$p/LC_MESSAGES || exit 1; \
		install -m 0644 build/locale/$$p/LC_MESSAGES/kiosk.mo \
		    $(DESTDIR)$(LOCALEDIR)/$$p/LC_MESSAGES/kiosk.mo || exit 1; \
	done
	sed 's|/usr/bin/kiosk|$(BINDIR)/kiosk|g; s|/etc/kiosk/|$(SYSCONFDIR)/kiosk/|g; s|/var/lib/kiosk|$(LOCALSTATEDIR)/lib/kiosk|g' \
	    etc/systemd/kiosk@.service >$(DESTDIR)$(SYSTEMDUNITDIR)/kiosk@.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/kiosk@.service
	sed 's|/var/lib/kiosk|$(LOCALSTATEDIR)/lib/kiosk|g' etc/systemd/sysusers.d/kiosk.conf \
	    >$(DESTDIR)$(SYSUSERSDIR)/kiosk.conf
	sed 's|/var/lib/kiosk|$(LOCALSTATEDIR)/lib/kiosk|g' etc/systemd/tmpfiles.d/kiosk.conf \
	    >$(DESTDIR)$(TMPFILESDIR)/kiosk.conf
	chmod 0644 $(DESTDIR)$(SYSUSERSDIR)/kiosk.conf $(DESTDIR)$(TMPFILESDIR)/kiosk.conf

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/kiosk $(ETCK)/kiosk.json.example \
	    $(DESTDIR)$(MANDIR)/man8/kiosk.8 \
	    $(DESTDIR)$(MANDIR)/man5/kiosk.json.5 \
	    $(DESTDIR)$(MANDIR)/man5/kiosk-form.5 \
	    $(DESTDIR)$(SYSTEMDUNITDIR)/kiosk@.service \
	    $(DESTDIR)$(SYSUSERSDIR)/kiosk.conf $(DESTDIR)$(TMPFILESDIR)/kiosk.conf
	rm -rf $(DESTDIR)$(DOCDIR)
	@for p in $(PO:po/%.po=%); do \
		rm -f $(DESTDIR)$(LOCALEDIR)/$$p/LC_MESSAGES/kiosk.mo; \
	done
	@for p in kiosk.json forms/microneedling.json; do \
		f=$(ETCK)/$$p; \
		if [ -e "$$f" ] && cmp -s etc/$$p "$$f"; then rm -f "$$f"; fi; \
		rm -f "$$f.new"; \
	done
	-rmdir $(ETCK)/forms $(ETCK) 2>/dev/null
	@echo "kept: edited files in $(ETCK) and $(LOCALSTATEDIR)/lib/kiosk (check-ins)"

# The Debian package built, linted, installed, checked and purged on this
# machine (root; a few minutes): not part of `make test`.
deb-test:
	@sh tests/deps.sh deb
	@sh tests/pkg/deb_test.sh

# var/demo holds the demo's check-ins (personal data, if typed) and its
# CA key: clean removes it too.
clean:
	rm -rf build var/demo

-include $(shell find build -name '*.d' 2>/dev/null)
