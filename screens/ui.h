/*
 * ui.h: what every screen shares: the logical key actions (one table, so
 * the key contract, README "Keys", lives in one place), the screen interface,
 * the UI state, and drawing helpers. Only screens/ includes <curses.h>.
 */
#ifndef KIOSK_UI_H
#define KIOSK_UI_H

#include <stdbool.h>
#include <stdint.h>
#include <wchar.h>

#include "i18n.h"
#include "screens.h"
#include "session.h"

#define UI_MIN_COLS 80
#define UI_MIN_LINES 24
#define UI_MAX_HITS 128

enum action {
	ACT_NONE,
	ACT_ENTER,
	ACT_ESC,
	ACT_YES,
	ACT_NO,
	ACT_UP,
	ACT_DOWN,
	ACT_LEFT,
	ACT_RIGHT,
	ACT_HOME,
	ACT_END,
	ACT_DIGIT,		/* key.digit 1-9 */
	ACT_SPACE,
	ACT_TAB,
	ACT_BTAB,
	ACT_PGUP,
	ACT_PGDN,
	ACT_STAFF,		/* Ctrl-A or F12 */
	ACT_BACKSPACE,
	ACT_DELETE,
	ACT_CHAR,		/* any other printable character */
	ACT_CLICK,		/* key.y, key.x */
	ACT_IGNORE,		/* Ctrl-C, Ctrl-Z, Ctrl-\, unknown keys */
	ACT_LANG,		/* F2: the client's next language */
};

struct key {
	enum action act;
	wchar_t ch;		/* the printable character typed, or 0 */
	int digit;
	int y, x;
};

/* A clickable place registered while drawing: a click acts like `act`. */
struct ui_hit {
	int y, x0, x1;
	int id;			/* screen-defined: a field, option or button */
};

struct ui {
	struct session *session;
	const struct session_view *v;	/* what to draw; the session's */
	const struct form *form;	/* v->form */
	const char *lang;		/* v->lang */
	char *message;		/* the screen's own notice, or NULL */
	bool too_small;
	unsigned serial;	/* v->serial when the screen was entered */
	unsigned bells;		/* v->bells already rung */
	struct ui_hit hits[UI_MAX_HITS];
	int nhits;
	int has_color;
};

struct screen {
	const char *name;
	void (*enter)(struct ui *);	/* build the screen's state */
	void (*leave)(struct ui *);	/* wipe whatever it held of the client */
	void (*draw)(struct ui *);	/* from state only: a resize is a redraw */
	/* A bare event (SE_NEXT, SE_BACK ...); typed ones go by ui_send. */
	enum session_ev (*key)(struct ui *, const struct key *);
};

extern const struct screen screen_welcome, screen_about, screen_page,
    screen_review, screen_consent, screen_clause, screen_sign,
    screen_decline, screen_commit, screen_thanks, screen_pin,
    screen_staff_home, screen_staff_detail, screen_staff_decide,
    screen_staff_sync, screen_staff_audit, screen_staff_exit;

/* keys.c: a curses key (rc and wc as from wget_wch) as a logical action. */
void keys_map(int rc, wint_t wc, struct key *);
/*
 * Feed one wgetch result (ERR when nothing came within KEYS_ESC_WAIT_MS
 * while keys_waiting(), keys.h); true with *key set when a whole key or
 * UTF-8 character has arrived, false while a sequence is incomplete or
 * when the bytes were invalid or an unknown escape sequence (dropped).
 */
bool keys_read(int c, struct key *);

/* ui.c */
void ui_set_message(struct ui *, const char *);
/*
 * Send a typed event now; the screen may be switched under the caller
 * (return SE_NONE after it). -1 with *msg (caller frees) when a client's
 * answer or signature was refused.
 */
int ui_send(struct ui *, const struct session_event *, char **msg);
/* The words for a session notice ("" for none). */
const char *ui_notice_text(enum view_notice);
void ui_hit_add(struct ui *, int y, int x0, int x1, int id);
/* The id registered at y,x, or -1. */
int ui_hit_find(const struct ui *, int y, int x);

/* lang.c */
/* Bind the catalogs (the build tree's when run from it) and the domain. */
void lang_init(void);
/* Speak code ("en", "es") from now on; cheap when it is already. */
void lang_use(const char *code);
/* The language the view's page speaks: the client's or staff.language. */
const char *lang_for(const struct session_view *);
/* The client's next language in the form's list; NULL: no switch here. */
const char *lang_next(const struct ui *);
/* A language's own name ("Español"), or the code when unknown. */
const char *lang_name(const char *code);
/* Hit id of the status line's language switch. */
#define HIT_LANG 9200

/* draw.c: common page furniture and text. */
void draw_frame(struct ui *, const char *title, const char *progress,
    const char *hints);
/* Print UTF-8 s at y,x clipped to width columns; returns columns used. */
int draw_text(int y, int x, int width, const char *s);
/* Word-wrap UTF-8 text into lines of at most width columns (malloc'ed). */
char **draw_wrap(const char *s, int width, int *nlines);
void draw_wrap_free(char **, int);
/* A button "[ Label ]" at y,x; focused is drawn in reverse. Returns width. */
int draw_button(struct ui *, int y, int x, const char *label, bool focused,
    int id);
/*
 * One confirm dialog for every "are you sure?": title, up to three lines,
 * "no" on the left (focused by default), "yes" on the right. Hits: no is
 * HIT_CONFIRM_NO, yes HIT_CONFIRM_YES.
 */
#define HIT_CONFIRM_NO 9100
#define HIT_CONFIRM_YES 9101
void draw_confirm(struct ui *, const char *title, const char *const *lines,
    int nlines, const char *no, const char *yes, bool yes_focused);
/*
 * Keys on a confirm dialog: *yes_focused moves with Tab and arrows;
 * returns 1 for yes, 0 for no (Esc too), -1 while undecided.
 */
int confirm_key(struct ui *, const struct key *, bool *yes_focused);
/*
 * "^ more" on row 3 when there is text above the page body, "v more" on
 * row LINES-4 when there is text below it (the body is rows 4..LINES-5).
 */
void draw_more(bool up, bool down);
/* The same marks on rows yup and ydown. */
void draw_more_at(int yup, int ydown, bool up, bool down);
/* A typed letter that starts the word for "Yes" here ("s" for "Sí"). */
bool key_is_yes(const struct key *);
/* Where the terminal cursor goes after drawing (-1: hidden). */
void draw_cursor(int y, int x);
void draw_cursor_get(int *y, int *x);
/* Width in columns of UTF-8 s. */
int draw_width(const char *s);

#endif
