/*
 * about.c: the treatment explained, from the clinic's own text. The
 * client may read it or skip it; Enter continues either way.
 */
#include "scroll.h"

#include <curses.h>

enum { ABOUT_BACK, ABOUT_NEXT };

static struct scroll about_text;

static void
about_enter(struct ui *ui)
{
	(void)ui;
	scroll_free(&about_text);
}

static void
about_leave(struct ui *ui)
{
	(void)ui;
	scroll_free(&about_text);
}

static void
about_draw(struct ui *ui)
{
	int h = LINES - 8;

	draw_frame(ui, form_text(&ui->form->about_title, ui->lang), NULL,
	    _("Enter: continue  Esc: back  PgUp/PgDn, Home/End: scroll"));
	scroll_set(&about_text, form_text(&ui->form->about, ui->lang),
	    COLS - 6);
	scroll_draw(&about_text, 4, 2, h);
	draw_button(ui, LINES - 2, 2, _("Back"), false, ABOUT_BACK);
	draw_button(ui, LINES - 2, COLS - 16, _("Continue"), true, ABOUT_NEXT);
}

static enum session_ev
about_key(struct ui *ui, const struct key *k)
{
	if (k->act == ACT_CLICK) {
		switch (ui_hit_find(ui, k->y, k->x)) {
		case ABOUT_BACK:
			return SE_BACK;
		case ABOUT_NEXT:
			return SE_NEXT;
		default:
			return SE_NONE;
		}
	}
	if (k->act == ACT_ENTER)
		return SE_NEXT;
	if (k->act == ACT_ESC)
		return SE_BACK;
	scroll_key(&about_text, k);
	return SE_NONE;
}

const struct screen screen_about = {
	.name = "about",
	.enter = about_enter,
	.leave = about_leave,
	.draw = about_draw,
	.key = about_key,
};
