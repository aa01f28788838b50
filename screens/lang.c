/*
 * lang.c: which language the words on screen are in. The kiosk's own
 * words come from the gettext catalogs (po/, built into build/locale and
 * installed into LOCALEDIR); the form's words from the form. Client pages
 * speak the client's language, staff pages the kiosk's staff.language.
 */
#include "ui.h"

#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"

#ifndef LOCALEDIR
#define LOCALEDIR "/usr/local/share/locale"
#endif

/* GNU gettext: bumping this makes it look the language up again. */
extern int _nl_msg_cat_cntr;

static char current[16];

/* Languages by their own names, for the welcome page and the status line. */
static const struct {
	const char *code, *name;
} lang_names[] = {
	{ "en", "English" }, { "es", "Español" }, { "fr", "Français" },
	{ "de", "Deutsch" }, { "it", "Italiano" }, { "pt", "Português" },
	{ "nl", "Nederlands" }, { "pl", "Polski" }, { "ca", "Català" },
};

const char *
lang_name(const char *code)
{
	size_t i;

	for (i = 0; i < sizeof lang_names / sizeof lang_names[0]; i++) {
		if (strcmp(lang_names[i].code, code) == 0)
			return lang_names[i].name;
	}
	return code;
}

/*
 * Run from the build tree (build/kiosk or build/asan/kiosk), the catalogs
 * are the ones just built beside it; installed, LOCALEDIR's.
 */
static const char *
lang_catalogs(char *buf, size_t len)
{
	static const char *const rel[] = { "locale", "../locale" };
	char exe[PATH_MAX], *slash, probe[PATH_MAX + 64];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	size_t i;

	if (n <= 0)
		return LOCALEDIR;
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) == NULL)
		return LOCALEDIR;
	*slash = '\0';
	for (i = 0; i < sizeof rel / sizeof rel[0]; i++) {
		snprintf(probe, sizeof probe, "%s/%s/.kiosk-catalogs", exe,
		    rel[i]);
		if (access(probe, R_OK) == 0) {
			snprintf(buf, len, "%s/%s", exe, rel[i]);
			return buf;
		}
	}
	return LOCALEDIR;
}

void
lang_init(void)
{
	char buf[PATH_MAX + 16];
	const char *m = setlocale(LC_MESSAGES, NULL);

	/* gettext ignores LANGUAGE in the "C" locale: use C.UTF-8 then. */
	if (m == NULL || strcmp(m, "C") == 0 || strcmp(m, "POSIX") == 0)
		setlocale(LC_MESSAGES, "C.UTF-8");
	bindtextdomain(KIOSK_TEXTDOMAIN, lang_catalogs(buf, sizeof buf));
	bind_textdomain_codeset(KIOSK_TEXTDOMAIN, "UTF-8");
	textdomain(KIOSK_TEXTDOMAIN);
	current[0] = '\0';
}

void
lang_use(const char *code)
{
	if (code == NULL || strcmp(code, current) == 0)
		return;
	snprintf(current, sizeof current, "%s", code);
	setenv("LANGUAGE", code, 1);
	++_nl_msg_cat_cntr;
}

/* The client's pages speak the client's language; the rest staff's. */
const char *
lang_for(const struct session_view *v)
{
	if (v->console || (v->page >= FLOW_PIN && v->page != FLOW_QUIT))
		return v->staff_lang != NULL ? v->staff_lang : "en";
	return v->lang != NULL ? v->lang : "en";
}

/* The language after the client's in the form's list, or NULL. */
const char *
lang_next(const struct ui *ui)
{
	const struct form *f = ui->form;
	size_t i;

	if (f->nlanguages < 2 || ui->v->console || ui->v->page >= FLOW_COMMIT)
		return NULL;
	for (i = 0; i < f->nlanguages; i++) {
		if (strcmp(f->languages[i], ui->v->lang) == 0)
			return f->languages[(i + 1) % f->nlanguages];
	}
	return f->languages[0];
}
