/*
 * edit.h: a one-line text field that edits characters, not bytes: the
 * buffer is wide characters, Backspace removes one, and the text goes in
 * and out as UTF-8. Invalid or control input is refused, never stored.
 */
#ifndef KIOSK_EDIT_H
#define KIOSK_EDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

#include "ui.h"

#define EDIT_MAX 1000

struct edit {
	wchar_t buf[EDIT_MAX + 1];
	size_t len;		/* characters in buf */
	size_t cur;		/* cursor, 0..len */
	size_t max;		/* characters allowed */
	bool digits;		/* only 0-9 (date parts, PIN) */
	bool masked;		/* show '*' for each character (PIN) */
};

void edit_init(struct edit *, size_t max, bool digits);
/* Load UTF-8 text (NULL = empty); invalid text loads as empty. */
void edit_set(struct edit *, const char *utf8);
/* The text as UTF-8 (caller frees with wipe_free). */
char *edit_get(const struct edit *);
/* Handle an editing key; true when the key was consumed. */
bool edit_key(struct edit *, const struct key *);
/* Draw in width columns at y,x; the cursor is placed when focused. */
void edit_draw(const struct edit *, int y, int x, int width, bool focused);
/* Wipe the buffer (explicit_bzero). */
void edit_wipe(struct edit *);

#endif
