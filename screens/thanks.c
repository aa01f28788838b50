/*
 * thanks.c: the last two pages of a check-in. "commit" is shown only if
 * storing the intake failed (the flow passes through it otherwise);
 * "thanks" gives the first name, the receipt code and either the
 * aftercare tips or, when anything was flagged or consent declined, only
 * the neutral words. The reason is never shown to the client.
 */
#include "ui.h"

#include <curses.h>
#include <stdio.h>

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

static void
thanks_draw(struct ui *ui)
{
	const struct session_view *in = ui->v;
	char buf[256], **lines;
	int y = 4, n, i;
	const char *neutral = _("A member of our team will go over a few of "
	    "your answers with you before your treatment. Please take a "
	    "seat; we will call you shortly.");
	const char *declined = _("Your answers are saved. A member of our "
	    "team will talk with you shortly. Please take a seat.");

	draw_frame(ui, _("Thank you"), NULL, _("Enter: done"));
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
	y += 2;
	if (in->declined) {
		lines = draw_wrap(declined, COLS - 8, &n);
	} else if (in->outcome != LEVEL_NONE) {
		lines = draw_wrap(neutral, COLS - 8, &n);
	} else {
		draw_text(y++, 4, COLS - 8, _("Please take a seat; we will "
		    "call you shortly. After your treatment:"));
		y++;
		lines = draw_wrap(form_text(&ui->form->aftercare, ui->lang),
		    COLS - 8, &n);
	}
	for (i = 0; i < n && y < LINES - 3; i++)
		draw_text(y++, 4, COLS - 8, lines[i]);
	draw_wrap_free(lines, n);
}

static enum session_ev
thanks_key(struct ui *ui, const struct key *k)
{
	(void)ui;
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
	.enter = thanks_nothing,
	.leave = thanks_nothing,
	.draw = thanks_draw,
	.key = thanks_key,
};
