/*
 * pin.c: the staff PIN prompt, opened with Ctrl-A or F12 on the welcome
 * page (or Enter at the staff console). Masked, digits only. Whether a
 * PIN is right, and how long a wrong one or a lock makes the prompt
 * wait, is the session's; this page draws the countdown it is given.
 * The PIN buffer is wiped after every try and when the prompt is left.
 */
#include "edit.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>

#include "util.h"

static struct edit pin_buf;

static void
pin_enter(struct ui *ui)
{
	(void)ui;
	edit_init(&pin_buf, 12, true);
	pin_buf.masked = true;
}

static void
pin_leave(struct ui *ui)
{
	(void)ui;
	edit_wipe(&pin_buf);
}

static void
pin_draw(struct ui *ui)
{
	long wait = ui->v->pin_wait_s;
	char buf[256];

	draw_frame(ui, _("Staff sign-in"), ui->v->console ? _("Staff console") :
	    NULL, _("Enter: sign in  Esc: back"));
	if (wait > 0) {
		snprintf(buf, sizeof buf, ui->v->pin == VPIN_LOCKED ?
		    _("Locked: too many wrong PINs. Sign-in opens again in "
		    "%ld min %02ld s.") :
		    _("Please wait %ld min %02ld s before trying again."),
		    wait / 60, wait % 60);
		attrset(A_BOLD);
		draw_text(5, 4, COLS - 8, buf);
		attrset(A_NORMAL);
		return;
	}
	draw_text(5, 4, COLS - 8, _("PIN (6 to 12 digits):"));
	edit_draw(&pin_buf, 7, 4, 14, true);
}

static enum session_ev
pin_submit(struct ui *ui)
{
	char *pin = edit_get(&pin_buf);

	edit_wipe(&pin_buf);
	ui_send(ui, &(struct session_event){ .type = SE_PIN, .text = pin },
	    NULL);
	wipe_free(pin);
	return SE_NONE;
}

static enum session_ev
pin_key(struct ui *ui, const struct key *k)
{
	switch (k->act) {
	case ACT_ESC:
		return SE_BACK;
	case ACT_ENTER:
		if (ui->v->pin_wait_s > 0)
			return SE_NONE;
		return pin_submit(ui);
	default:
		if (ui->v->pin_wait_s == 0)
			edit_key(&pin_buf, k);
		return SE_NONE;
	}
}

const struct screen screen_pin = {
	.name = "pin",
	.enter = pin_enter,
	.leave = pin_leave,
	.draw = pin_draw,
	.key = pin_key,
};
