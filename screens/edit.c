/*
 * edit.c: the text field. Everything a client types passes through here,
 * so it decides what a character is: printable wide characters (including
 * combining marks and CJK) are kept; control characters and anything that
 * did not decode are dropped.
 */
#include "edit.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "util.h"

void
edit_init(struct edit *e, size_t max, bool digits)
{
	explicit_bzero(e, sizeof *e);
	e->max = max > EDIT_MAX ? EDIT_MAX : max;
	e->digits = digits;
}

void
edit_wipe(struct edit *e)
{
	explicit_bzero(e->buf, sizeof e->buf);
	e->len = e->cur = 0;
}

void
edit_set(struct edit *e, const char *utf8)
{
	mbstate_t st;
	const char *p = utf8;
	size_t n;

	edit_wipe(e);
	if (utf8 == NULL)
		return;
	memset(&st, 0, sizeof st);
	n = mbsrtowcs(e->buf, &p, e->max, &st);
	if (n == (size_t)-1) {
		edit_wipe(e);
		return;
	}
	e->len = e->cur = n;
	e->buf[n] = L'\0';
}

char *
edit_get(const struct edit *e)
{
	const wchar_t *p = e->buf;
	mbstate_t st;
	size_t cap = e->len * MB_CUR_MAX + 1, n;
	char *out = xcalloc(1, cap);

	memset(&st, 0, sizeof st);
	n = wcsrtombs(out, &p, cap, &st);
	if (n == (size_t)-1)
		out[0] = '\0';
	return out;
}

/* Whether wc may be typed into a field. */
static bool
edit_allowed(const struct edit *e, wchar_t wc)
{
	if (e->digits)
		return wc >= L'0' && wc <= L'9';
	if (wc < 0x20 || (wc >= 0x7f && wc < 0xa0))
		return false;
	if (wc >= 0xd800 && wc <= 0xdfff)
		return false;
	return iswprint((wint_t)wc) || wcwidth(wc) == 0;
}

static void
edit_insert(struct edit *e, wchar_t wc)
{
	if (e->len >= e->max || !edit_allowed(e, wc))
		return;
	memmove(&e->buf[e->cur + 1], &e->buf[e->cur],
	    (e->len - e->cur) * sizeof e->buf[0]);
	e->buf[e->cur++] = wc;
	e->buf[++e->len] = L'\0';
}

static void
edit_delete_at(struct edit *e, size_t at)
{
	memmove(&e->buf[at], &e->buf[at + 1], (e->len - at) * sizeof e->buf[0]);
	e->len--;
	e->buf[e->len] = L'\0';
}

bool
edit_key(struct edit *e, const struct key *k)
{
	switch (k->act) {
	case ACT_BACKSPACE:
		if (e->cur > 0)
			edit_delete_at(e, --e->cur);
		return true;
	case ACT_DELETE:
		if (e->cur < e->len)
			edit_delete_at(e, e->cur);
		return true;
	case ACT_LEFT:
		if (e->cur > 0)
			e->cur--;
		return true;
	case ACT_RIGHT:
		if (e->cur < e->len)
			e->cur++;
		return true;
	case ACT_HOME:
		e->cur = 0;
		return true;
	case ACT_END:
		e->cur = e->len;
		return true;
	default:
		break;
	}
	if (k->ch != 0) {
		edit_insert(e, k->ch);
		return true;
	}
	return false;
}

/* Columns taken by buf[from, to). */
static int
edit_cols(const struct edit *e, size_t from, size_t to)
{
	int w = 0, cw;
	size_t i;

	for (i = from; i < to; i++) {
		cw = e->masked ? 1 : wcwidth(e->buf[i]);
		w += cw < 0 ? 1 : cw;
	}
	return w;
}

void
edit_draw(const struct edit *e, int y, int x, int width, bool focused)
{
	size_t start = 0, i;
	int col = 0, cw;
	wchar_t star[2] = { L'*', L'\0' };

	/* Scroll so the cursor stays inside the field. */
	while (start < e->cur && edit_cols(e, start, e->cur) > width - 1)
		start++;
	attrset(focused ? A_UNDERLINE | A_BOLD : A_UNDERLINE);
	mvhline(y, x, ' ', width);
	move(y, x);
	for (i = start; i < e->len; i++) {
		cw = e->masked ? 1 : wcwidth(e->buf[i]);
		if (cw < 0)
			cw = 1;
		if (col + cw > width)
			break;
		if (e->masked)
			addnwstr(star, 1);
		else
			addnwstr(&e->buf[i], 1);
		col += cw;
	}
	attrset(A_NORMAL);
	if (focused)
		draw_cursor(y, x + edit_cols(e, start, e->cur));
}
