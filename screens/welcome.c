/*
 * welcome.c: the page a waiting-room visitor sees first. It holds no
 * client data; Enter or a touch anywhere starts a check-in. When the form
 * has several languages, each is offered by its own name: its number
 * turns the page to that language, a touch on the name starts the
 * check-in in it.
 */
#include "ui.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#define HIT_LANG_FIRST 100

static void
welcome_enter(struct ui *ui)
{
	(void)ui;
}

static void
welcome_leave(struct ui *ui)
{
	(void)ui;
}

/* Print s centred on row y. */
static void
centre(int y, const char *s)
{
	int w = draw_width(s);

	draw_text(y, w < COLS ? (COLS - w) / 2 : 0, COLS, s);
}

/* "1 English · 2 Español", centred; each name is a touch target. */
static void
draw_languages(struct ui *ui, int y)
{
	const struct form *f = ui->form;
	char item[64];
	int w = 0, x;
	size_t i;

	if (f->nlanguages < 2)
		return;
	for (i = 0; i < f->nlanguages; i++) {
		snprintf(item, sizeof item, "%zu %s", i + 1,
		    lang_name(f->languages[i]));
		w += draw_width(item) + (i > 0 ? 3 : 0);
	}
	x = w < COLS ? (COLS - w) / 2 : 0;
	for (i = 0; i < f->nlanguages; i++) {
		if (i > 0) {
			draw_text(y, x, 3, " · ");
			x += 3;
		}
		snprintf(item, sizeof item, "%zu %s", i + 1,
		    lang_name(f->languages[i]));
		attrset(strcmp(f->languages[i], ui->lang) == 0 ? A_BOLD :
		    A_NORMAL);
		w = draw_text(y, x, COLS - x, item);
		attrset(A_NORMAL);
		ui_hit_add(ui, y, x, x + w, HIT_LANG_FIRST + (int)i);
		x += w;
	}
}

static void
welcome_draw(struct ui *ui)
{
	int y = LINES / 2 - 4;
	char buf[160];

	if (ui->v->console) {
		draw_frame(ui, NULL, _("Staff console"), _("Enter: sign in"));
		attrset(A_BOLD);
		centre(y, form_text(&ui->form->clinic, ui->lang));
		attrset(A_NORMAL);
		centre(y + 2, _("Staff console: flagged check-ins and "
		    "decisions"));
		attrset(A_REVERSE | A_BOLD);
		snprintf(buf, sizeof buf, "  %s  ",
		    _("Press Enter to sign in with your PIN"));
		centre(y + 5, buf);
		attrset(A_NORMAL);
		return;
	}
	draw_frame(ui, NULL, NULL, ui->form->nlanguages > 1 ?
	    _("Enter: check in  1-9: language") : _("Enter: check in"));
	attrset(A_BOLD);
	centre(y, form_text(&ui->form->clinic, ui->lang));
	attrset(A_NORMAL);
	centre(y + 2, form_text(&ui->form->title, ui->lang));
	attrset(A_REVERSE | A_BOLD);
	snprintf(buf, sizeof buf, "  %s  ",
	    _("Press Enter or touch the screen to check in"));
	centre(y + 5, buf);
	attrset(A_NORMAL);
	draw_languages(ui, y + 8);
	draw_cursor(y + 5, (COLS - draw_width(buf)) / 2 + 2);
}

/* Language i of the form from now on; SE_NEXT starts the check-in. */
static enum session_ev
welcome_in(struct ui *ui, size_t i)
{
	ui_send(ui, &(struct session_event){ .type = SE_LANG,
	    .text = ui->form->languages[i] }, NULL);
	return SE_NEXT;
}

static enum session_ev
welcome_key(struct ui *ui, const struct key *k)
{
	int id;

	/* A number picks the language (the page turns to it); Enter starts. */
	if (!ui->v->console && k->act == ACT_DIGIT &&
	    (size_t)k->digit <= ui->form->nlanguages &&
	    ui->form->nlanguages > 1) {
		welcome_in(ui, (size_t)k->digit - 1);
		return SE_NONE;
	}
	if (!ui->v->console && k->act == ACT_CLICK) {
		id = ui_hit_find(ui, k->y, k->x) - HIT_LANG_FIRST;
		if (id >= 0 && (size_t)id < ui->form->nlanguages)
			return welcome_in(ui, (size_t)id);
	}
	if (k->act == ACT_ENTER || k->act == ACT_CLICK)
		return SE_NEXT;
	if (k->act == ACT_STAFF)
		return SE_STAFF;
	return SE_NONE;
}

const struct screen screen_welcome = {
	.name = "welcome",
	.enter = welcome_enter,
	.leave = welcome_leave,
	.draw = welcome_draw,
	.key = welcome_key,
};
