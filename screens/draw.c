/*
 * draw.c: page furniture (header, title, message and key-hint lines),
 * buttons, and UTF-8 text measured in terminal columns. Monochrome
 * terminals get reverse video and bold; colour only adds to that.
 */
#include "ui.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "util.h"

static int cursor_y = -1, cursor_x = -1;

void
draw_cursor(int y, int x)
{
	cursor_y = y;
	cursor_x = x;
}

void
draw_cursor_get(int *y, int *x)
{
	*y = cursor_y;
	*x = cursor_x;
}

/* UTF-8 to a wide string (malloc'ed); invalid bytes become U+FFFD. */
static wchar_t *
draw_widen(const char *s, size_t *len)
{
	size_t n = strlen(s), o = 0, r;
	wchar_t *w = xcalloc(n + 1, sizeof *w);
	mbstate_t st;

	memset(&st, 0, sizeof st);
	while (*s != '\0') {
		r = mbrtowc(&w[o], s, n, &st);
		if (r == (size_t)-1 || r == (size_t)-2 || r == 0) {
			w[o] = 0xfffd;
			memset(&st, 0, sizeof st);
			r = 1;
		}
		s += r;
		n -= r;
		o++;
	}
	w[o] = L'\0';
	*len = o;
	return w;
}

static int
wc_cols(wchar_t c)
{
	int w = wcwidth(c);

	return w < 0 ? 1 : w;
}

int
draw_width(const char *s)
{
	size_t n, i;
	wchar_t *w = draw_widen(s, &n);
	int cols = 0;

	for (i = 0; i < n; i++)
		cols += wc_cols(w[i]);
	free(w);
	return cols;
}

int
draw_text(int y, int x, int width, const char *s)
{
	size_t n, i;
	wchar_t *w = draw_widen(s, &n);
	int col = 0, cw;

	if (y < 0 || y >= LINES || width <= 0) {
		free(w);
		return 0;
	}
	move(y, x);
	for (i = 0; i < n; i++) {
		cw = wc_cols(w[i]);
		if (col + cw > width)
			break;
		addnwstr(&w[i], 1);
		col += cw;
	}
	free(w);
	return col;
}

/* Append one line (UTF-8 of w[from, to)) to *lines. */
static void
wrap_push(char ***lines, int *n, const wchar_t *w, size_t from, size_t to)
{
	wchar_t *part = xcalloc(to - from + 1, sizeof *part);
	const wchar_t *p = part;
	size_t cap = (to - from) * MB_CUR_MAX + 1;
	char *line = xcalloc(1, cap);
	mbstate_t st;

	wmemcpy(part, w + from, to - from);
	memset(&st, 0, sizeof st);
	if (wcsrtombs(line, &p, cap, &st) == (size_t)-1)
		line[0] = '\0';
	free(part);
	*lines = xrealloc(*lines, (size_t)(*n + 1) * sizeof **lines);
	(*lines)[(*n)++] = line;
}

char **
draw_wrap(const char *s, int width, int *nlines)
{
	size_t n, i, start = 0, brk = 0;
	wchar_t *w = draw_widen(s, &n);
	char **lines = NULL;
	int col = 0;

	*nlines = 0;
	if (width < 1)
		width = 1;
	for (i = 0; i <= n; i++) {
		if (i == n || w[i] == L'\n') {
			wrap_push(&lines, nlines, w, start, i);
			start = i + 1;
			col = 0;
			brk = 0;
			continue;
		}
		if (w[i] == L' ')
			brk = i;
		col += wc_cols(w[i]);
		if (col <= width)
			continue;
		/* Break at the last space, or hard when a word is too long. */
		if (brk > start) {
			wrap_push(&lines, nlines, w, start, brk);
			start = brk + 1;
		} else {
			wrap_push(&lines, nlines, w, start, i);
			start = i;
		}
		brk = 0;
		col = 0;
		for (size_t j = start; j <= i; j++)
			col += wc_cols(w[j]);
	}
	free(w);
	return lines;
}

void
draw_wrap_free(char **lines, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

int
draw_button(struct ui *ui, int y, int x, const char *label, bool focused,
    int id)
{
	int w, cy, cx;

	draw_cursor_get(&cy, &cx);
	if (focused && cy < 0)
		draw_cursor(y, x + 2);	/* unless a field already has it */
	attrset(focused ? A_REVERSE | A_BOLD : A_BOLD);
	mvaddstr(y, x, "[ ");
	w = draw_text(y, x + 2, COLS - x - 4, label);
	addstr(" ]");
	attrset(A_NORMAL);
	ui_hit_add(ui, y, x, x + w + 4, id);
	return w + 4;
}

/* On a client page: "F2: Español" at the right of the status line. */
static void
draw_lang_switch(struct ui *ui)
{
	const char *next = lang_next(ui);
	char buf[64];
	int w;

	if (next == NULL)
		return;
	snprintf(buf, sizeof buf, " F2: %s ", lang_name(next));
	w = draw_width(buf);
	attrset(A_BOLD);
	draw_text(LINES - 1, COLS - w - 1, w, buf);
	attrset(A_REVERSE);
	ui_hit_add(ui, LINES - 1, COLS - w - 1, COLS, HIT_LANG);
}

void
draw_frame(struct ui *ui, const char *title, const char *progress,
    const char *hints)
{
	const char *clinic = form_text(&ui->form->clinic, ui->lang);
	int pw;

	erase();
	ui->nhits = 0;
	draw_cursor(-1, -1);
	attrset(ui->has_color ? COLOR_PAIR(1) | A_BOLD : A_REVERSE | A_BOLD);
	mvhline(0, 0, ' ', COLS);
	draw_text(0, 1, COLS / 2, clinic);
	if (progress != NULL) {
		pw = draw_width(progress);
		draw_text(0, COLS - pw - 1, pw, progress);
	}
	attrset(A_BOLD);
	if (title != NULL)
		draw_text(2, 2, COLS - 4, title);
	attrset(A_NORMAL);
	if (ui->message != NULL || ui->v->notice != NOTICE_NONE) {
		attrset(A_BOLD);
		draw_text(LINES - 3, 2, COLS - 4, ui->message != NULL ?
		    ui->message : ui_notice_text(ui->v->notice));
		attrset(A_NORMAL);
	}
	attrset(A_REVERSE);
	mvhline(LINES - 1, 0, ' ', COLS);
	if (hints != NULL)
		draw_text(LINES - 1, 1, COLS - 2, hints);
	draw_lang_switch(ui);
	attrset(A_NORMAL);
}

bool
key_is_yes(const struct key *k)
{
	wchar_t yes[4] = L"";

	if (k->act != ACT_CHAR || mbstowcs(yes, _("Yes"), 3) == (size_t)-1)
		return false;
	return towlower((wint_t)k->ch) == towlower((wint_t)yes[0]);
}

void
draw_more_at(int yup, int ydown, bool up, bool down)
{
	const char *w = _("more");
	int x = COLS - draw_width(w) - 5;

	attrset(A_BOLD);
	if (up) {
		mvaddstr(yup, x, "^ ");
		draw_text(yup, x + 2, COLS - x - 2, w);
	}
	if (down) {
		mvaddstr(ydown, x, "v ");
		draw_text(ydown, x + 2, COLS - x - 2, w);
	}
	attrset(A_NORMAL);
}

void
draw_more(bool up, bool down)
{
	draw_more_at(3, LINES - 4, up, down);
}

void
draw_confirm(struct ui *ui, const char *title, const char *const *lines,
    int nlines, const char *no, const char *yes, bool yes_focused)
{
	int i, j, n, y, w = draw_width(yes);

	draw_frame(ui, title, NULL, _("Tab: switch  Enter: confirm  Esc: back"));
	for (i = 0, y = 5; i < nlines; i++) {
		char **wl = draw_wrap(lines[i], COLS - 8, &n);

		for (j = 0; j < n && y < LINES - 3; j++)
			draw_text(y++, 4, COLS - 8, wl[j]);
		draw_wrap_free(wl, n);
	}
	draw_button(ui, LINES - 2, 2, no, !yes_focused, HIT_CONFIRM_NO);
	draw_button(ui, LINES - 2, COLS - w - 8, yes, yes_focused,
	    HIT_CONFIRM_YES);
}

int
confirm_key(struct ui *ui, const struct key *k, bool *yes_focused)
{
	int id;

	switch (k->act) {
	case ACT_TAB:
	case ACT_BTAB:
	case ACT_LEFT:
	case ACT_RIGHT:
		*yes_focused = !*yes_focused;
		return -1;
	case ACT_ESC:
		return 0;
	case ACT_ENTER:
		return *yes_focused ? 1 : 0;
	case ACT_CLICK:
		id = ui_hit_find(ui, k->y, k->x);
		return id == HIT_CONFIRM_YES ? 1 : id == HIT_CONFIRM_NO ? 0 : -1;
	default:
		return -1;
	}
}
