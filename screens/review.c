/*
 * review.c: every answer on one list before the consent. The client picks
 * one (Up/Down and Enter, or a touch) to change it; the flow takes them to
 * that page and back here.
 */
#include "ui.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "util.h"

#define HIT_BACK 9000
#define HIT_NEXT 9001

static size_t *rows;		/* item index of each row */
static size_t nrows;
static size_t cursor;		/* 0..nrows-1 a row, nrows Back, nrows+1 Continue */
static int top;

static void
review_enter(struct ui *ui)
{
	const struct form *form = ui->form;
	size_t i;

	free(rows);
	rows = xcalloc(form->nitems, sizeof *rows);
	nrows = 0;
	for (i = 0; i < form->nitems; i++) {
		if (form->items[i].type == ITEM_DISPLAY ||
		    !form_item_enabled(form, ui->v->answers, i))
			continue;
		rows[nrows++] = i;
	}
	cursor = nrows + 1;
	top = 0;
}

static void
review_leave(struct ui *ui)
{
	(void)ui;
	free(rows);
	rows = NULL;
	nrows = 0;
}

/* The answer as the client would say it (caller frees). */
static char *
answer_words(const struct ui *ui, size_t i)
{
	static const char *const months[] = { N_("Jan"), N_("Feb"),
	    N_("Mar"), N_("Apr"), N_("May"), N_("Jun"), N_("Jul"), N_("Aug"),
	    N_("Sep"), N_("Oct"), N_("Nov"), N_("Dec") };
	const struct form_item *it = &ui->form->items[i];
	const char *v = answers_get(ui->v->answers, i);
	struct kdate d;
	char *out, *tmp;
	size_t o;

	if (v == NULL || *v == '\0')
		return xstrdup(_("(no answer)"));
	if (it->type == ITEM_BOOLEAN)
		return xstrdup(strcmp(v, "yes") == 0 ? _("Yes") :
		    strcmp(v, "no") == 0 ? _("No") : _("Not sure"));
	if (it->type == ITEM_DATE && date_parse(v, &d) == 0)
		return xasprintf("%d %s %d", d.d, _(months[d.m - 1]), d.y);
	if (it->type != ITEM_CHOICE)
		return xstrdup(v);
	out = xstrdup("");
	for (o = 0; o < it->noptions; o++) {
		if (!answers_has(ui->v->answers, i, it->options[o].code))
			continue;
		tmp = xasprintf("%s%s%s", out, *out ? ", " : "",
		    form_text(&it->options[o].label, ui->lang));
		free(out);
		out = tmp;
	}
	return out;
}

/* Rows row i takes: its question and its answer, each wrapped. */
static int
row_height(const struct ui *ui, size_t i, int qw, int aw)
{
	char *words = answer_words(ui, rows[i]), **lines;
	int nq, na;

	lines = draw_wrap(form_text(&ui->form->items[rows[i]].text, ui->lang),
	    qw, &nq);
	draw_wrap_free(lines, nq);
	lines = draw_wrap(words, aw, &na);
	draw_wrap_free(lines, na);
	wipe_free(words);
	return nq > na ? nq : na;
}

/* Draw row i from screen row y, clipped at row end; returns its height. */
static int
row_draw(struct ui *ui, size_t i, int y, int end, int qw, int aw)
{
	char *words = answer_words(ui, rows[i]), **q, **a;
	int nq, na, l, h;

	q = draw_wrap(form_text(&ui->form->items[rows[i]].text, ui->lang),
	    qw, &nq);
	a = draw_wrap(words, aw, &na);
	h = nq > na ? nq : na;
	for (l = 0; l < h && y + l < end; l++) {
		attrset(cursor == i ? A_REVERSE : A_NORMAL);
		mvhline(y + l, 2, ' ', COLS - 4);
		if (cursor == i && l == 0) {
			mvaddstr(y, 0, ">");
			draw_cursor(y, 2);
		}
		if (l < nq)
			draw_text(y + l, 2, qw, q[l]);
		attron(A_BOLD);
		if (l < na)
			draw_text(y + l, qw + 4, aw, a[l]);
		attrset(A_NORMAL);
		ui_hit_add(ui, y + l, 2, COLS - 2, (int)i);
	}
	draw_wrap_free(q, nq);
	draw_wrap_free(a, na);
	wipe_free(words);
	return h;
}

static void
review_draw(struct ui *ui)
{
	int view = LINES - 8, y, qw = COLS / 2 - 2, aw = COLS - qw - 8, used;
	size_t i;

	draw_frame(ui, _("Please check your answers"), NULL,
	    _("Up/Down: choose  Enter: change it / continue  Esc: back"));
	/* Keep the cursor's row wholly in view. */
	if (cursor < nrows) {
		if ((int)cursor < top)
			top = (int)cursor;
		for (;;) {
			used = 0;
			for (i = (size_t)top; i <= cursor; i++)
				used += row_height(ui, i, qw, aw);
			if (used <= view || (int)cursor == top)
				break;
			top++;
		}
	}
	y = 4;
	for (i = (size_t)top; i < nrows && y < 4 + view; i++) {
		if (y + row_height(ui, i, qw, aw) > 4 + view && i > (size_t)top)
			break;
		y += row_draw(ui, i, y, 4 + view, qw, aw);
	}
	draw_more(top > 0, i < nrows);
	draw_button(ui, LINES - 2, 2, _("Back"), cursor == nrows, HIT_BACK);
	draw_button(ui, LINES - 2, COLS - 16, _("Continue"), cursor == nrows + 1,
	    HIT_NEXT);
}

static enum session_ev
review_pick(struct ui *ui, size_t row)
{
	if (row == nrows)
		return SE_BACK;
	if (row > nrows)
		return SE_NEXT;
	ui_send(ui, &(struct session_event){ .type = SE_EDIT,
	    .item = rows[row] }, NULL);
	return SE_NONE;
}

static enum session_ev
review_key(struct ui *ui, const struct key *k)
{
	int id;

	switch (k->act) {
	case ACT_UP:
	case ACT_BTAB:
		cursor = cursor == 0 ? nrows + 1 : cursor - 1;
		return SE_NONE;
	case ACT_DOWN:
	case ACT_TAB:
		cursor = cursor == nrows + 1 ? 0 : cursor + 1;
		return SE_NONE;
	case ACT_PGUP:
		cursor = cursor > 10 ? cursor - 10 : 0;
		return SE_NONE;
	case ACT_PGDN:
		cursor = cursor + 10 < nrows ? cursor + 10 : nrows + 1;
		return SE_NONE;
	case ACT_ENTER:
		return review_pick(ui, cursor);
	case ACT_ESC:
		return SE_BACK;
	case ACT_CLICK:
		id = ui_hit_find(ui, k->y, k->x);
		if (id == HIT_BACK)
			return SE_BACK;
		if (id == HIT_NEXT)
			return SE_NEXT;
		if (id >= 0 && (size_t)id < nrows)
			return review_pick(ui, (size_t)id);
		return SE_NONE;
	default:
		return SE_NONE;
	}
}

const struct screen screen_review = {
	.name = "review",
	.enter = review_enter,
	.leave = review_leave,
	.draw = review_draw,
	.key = review_key,
};
