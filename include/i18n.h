/*
 * i18n.h: GNU gettext for the words the kiosk itself says (the form's
 * words are the form's, in its own language maps). _() translates in the
 * current language (the UI sets it: the client's on client pages, the
 * kiosk's staff.language on staff pages); N_() only marks a string for
 * xgettext, for tables translated where they are shown.
 */
#ifndef KIOSK_I18N_H
#define KIOSK_I18N_H

#include <libintl.h>

#define KIOSK_TEXTDOMAIN "kiosk"
#define _(s) gettext(s)
#define N_(s) (s)

#endif
