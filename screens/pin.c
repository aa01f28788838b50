/*
 * pin.c: the staff PIN prompt, opened with Ctrl-A or F12 on the welcome
 * page. Masked, digits only; a wrong PIN costs a growing delay and too
 * many lock the prompt (pin.h decides, the store remembers). The PIN
 * buffer is wiped after every check and when the prompt is left.
 */
#include "edit.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>
#include <time.h>

#include "pin.h"
#include "util.h"

static struct edit pin_buf;

static void
pin_enter(struct ui *ui)
{
	(void)ui;
	edit_init(&pin_buf, PIN_MAX, true);
	pin_buf.masked = true;
}

static void
pin_leave(struct ui *ui)
{
	(void)ui;
	edit_wipe(&pin_buf);
}

/* Seconds the prompt must still wait (lock or delay), 0 when open. */
static long
pin_wait(struct ui *ui, enum pin_result *state)
{
	char *cause = NULL;
	long wait = 0;

	if (pin_state(ui->store, ui->cfg, (int64_t)time(NULL), state, &wait,
	    &cause) != 0) {
		syslog(LOG_ERR, "pin: %s", cause);
		free(cause);
		*state = PIN_OK;
		return 0;
	}
	return *state == PIN_OK ? 0 : wait;
}

static void
pin_draw(struct ui *ui)
{
	enum pin_result state;
	long wait = pin_wait(ui, &state);
	char buf[96];

	draw_frame(ui, "Staff sign-in", NULL, "Enter: sign in  Esc: back");
	if (wait > 0) {
		snprintf(buf, sizeof buf, state == PIN_LOCKED ?
		    "Too many wrong PINs. Locked for %ld:%02ld." :
		    "Please wait %ld:%02ld before trying again.",
		    wait / 60, wait % 60);
		attrset(A_BOLD);
		draw_text(5, 4, COLS - 8, buf);
		attrset(A_NORMAL);
		ui->tick_until_ms = ui_now_ms() + wait * 1000;
		return;
	}
	draw_text(5, 4, COLS - 8, "PIN (6 to 12 digits):");
	edit_draw(&pin_buf, 7, 4, 14, true);
}

static enum flow_event
pin_submit(struct ui *ui)
{
	char *pin = edit_get(&pin_buf), *cause = NULL, buf[96];
	enum pin_result res;
	size_t who = 0;
	long wait = 0;

	edit_wipe(&pin_buf);
	if (!pin_valid(pin)) {
		wipe_free(pin);
		ui_set_message(ui, "A PIN is 6 to 12 digits.");
		return EV_NONE;
	}
	if (pin_check(ui->store, ui->cfg, pin, (int64_t)time(NULL), &res, &who,
	    &wait, &cause) != 0) {
		syslog(LOG_ERR, "pin: %s", cause);
		free(cause);
		res = PIN_WAIT;
	}
	wipe_free(pin);
	if (res == PIN_OK) {
		ui->flow.staff = who;
		syslog(LOG_INFO, "staff sign-in");
		return EV_SIGNED_IN;
	}
	snprintf(buf, sizeof buf, res == PIN_WRONG ? "Wrong PIN." :
	    "Not now: the prompt is waiting.");
	ui_set_message(ui, buf);
	return EV_NONE;
}

static enum flow_event
pin_key(struct ui *ui, const struct key *k)
{
	enum pin_result state;

	switch (k->act) {
	case ACT_ESC:
		return EV_BACK;
	case ACT_ENTER:
		if (pin_wait(ui, &state) > 0)
			return EV_NONE;
		return pin_submit(ui);
	default:
		if (pin_wait(ui, &state) == 0)
			edit_key(&pin_buf, k);
		return EV_NONE;
	}
}

const struct screen screen_pin = {
	.name = "pin",
	.enter = pin_enter,
	.leave = pin_leave,
	.draw = pin_draw,
	.key = pin_key,
};
