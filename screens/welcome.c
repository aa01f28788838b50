/*
 * welcome.c: the page a waiting-room visitor sees first. It holds no
 * client data; Enter or a touch anywhere starts a check-in.
 */
#include "ui.h"

#include <curses.h>

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

static void
welcome_draw(struct ui *ui)
{
	int y = LINES / 2 - 4;

	if (ui->v->console) {
		draw_frame(ui, NULL, "Staff console", "Enter: sign in");
		attrset(A_BOLD);
		centre(y, form_text(&ui->form->clinic, ui->lang));
		attrset(A_NORMAL);
		centre(y + 2, "Staff console: flagged check-ins and decisions");
		attrset(A_REVERSE | A_BOLD);
		centre(y + 5, "  Press Enter to sign in with your PIN  ");
		attrset(A_NORMAL);
		return;
	}
	draw_frame(ui, NULL, NULL, "Enter: check in");
	attrset(A_BOLD);
	centre(y, form_text(&ui->form->clinic, ui->lang));
	attrset(A_NORMAL);
	centre(y + 2, form_text(&ui->form->title, ui->lang));
	attrset(A_REVERSE | A_BOLD);
	centre(y + 5, "  Press Enter or touch the screen to check in  ");
	attrset(A_NORMAL);
}

static enum session_ev
welcome_key(struct ui *ui, const struct key *k)
{
	(void)ui;
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
