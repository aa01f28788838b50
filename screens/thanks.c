/*
 * thanks.c: the last two pages of a check-in. "commit" is shown only if
 * storing the intake failed (the flow passes through it otherwise);
 * "thanks" gives the first name, the receipt code and either the
 * aftercare tips or, when anything was flagged or consent declined, only
 * the neutral words. The reason is never shown to the client.
 */
#include "scroll.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>

#include "util.h"

static char *body_text;	/* the aftercare words, in the client's language */
static const char *body_lang;	/* ... which */

static void
thanks_nothing(struct ui *ui)
{
	(void)ui;
}

static void
commit_draw(struct ui *ui)
{
	draw_frame(ui, _("Saving your check-in"), NULL, _("Enter: try again"));
	draw_text(5, 4, COLS - 8, _("One moment, please."));
}

static enum session_ev
commit_key(struct ui *ui, const struct key *k)
{
	(void)ui;
	return k->act == ACT_ENTER || k->act == ACT_CLICK ? SE_NEXT : SE_NONE;
}

/* The words below the receipt scroll when they do not fit. */
static struct scroll body;

static void
thanks_enter(struct ui *ui)
{
	(void)ui;
	scroll_free(&body);
}

static void
thanks_leave(struct ui *ui)
{
	(void)ui;
	scroll_free(&body);
	free(body_text);
	body_text = NULL;
	body_lang = NULL;
}

static void
thanks_draw(struct ui *ui)
{
	const struct session_view *in = ui->v;
	char buf[256];
	const char *text;
	int y = 4, n;

	draw_frame(ui, _("Thank you"), NULL,
	    _("Enter: done  PgUp/PgDn: read"));
	if (in->receipt[0] == '\0')
		return;
	snprintf(buf, sizeof buf, _("Thank you, %s. You are checked in."),
	    in->given_name);
	attrset(A_BOLD);
	draw_text(y, 4, COLS - 8, buf);
	attrset(A_NORMAL);
	y += 2;
	n = draw_text(y, 4, COLS - 8, _("Your receipt code:"));
	attrset(A_REVERSE | A_BOLD);
	mvprintw(y, 4 + n + 2, " %s ", in->receipt);
	attrset(A_NORMAL);
	if (in->declined)
		text = _("Your answers are saved. A member of our team will "
		    "talk with you shortly. Please take a seat.");
	else if (in->outcome != LEVEL_NONE)
		text = _("A member of our team will go over a few of your "
		    "answers with you before your treatment. Please take a "
		    "seat; we will call you shortly.");
	else {
		if (body_text == NULL || body_lang != ui->lang) {
			free(body_text);
			body_lang = ui->lang;
			body_text = xasprintf("%s\n\n%s", _("Please take a seat; we "
			    "will call you shortly. After your treatment:"),
			    form_text(&ui->form->aftercare, ui->lang));
		}
		text = body_text;
	}
	scroll_set(&body, text, COLS - 8);
	body.marks = true;
	scroll_draw(&body, 8, 4, LINES - 12);
}

static enum session_ev
thanks_key(struct ui *ui, const struct key *k)
{
	(void)ui;
	if (scroll_key(&body, k))
		return SE_NONE;
	return k->act == ACT_ENTER || k->act == ACT_CLICK ? SE_DONE : SE_NONE;
}

const struct screen screen_commit = {
	.name = "commit",
	.enter = thanks_nothing,
	.leave = thanks_nothing,
	.draw = commit_draw,
	.key = commit_key,
};

const struct screen screen_thanks = {
	.name = "thanks",
	.enter = thanks_enter,
	.leave = thanks_leave,
	.draw = thanks_draw,
	.key = thanks_key,
};
