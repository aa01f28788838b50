/*
 * staff.c: staff mode's pages: today's intakes (flagged first, a receipt
 * code typed jumps to its intake, a new flagged one highlighted), one
 * intake in detail, the decision form (no default; clearing an excluded
 * client asks again and needs a note), the sync status, the audit trail,
 * and "exit". What is listed, recorded and audited is the session's
 * business; this file draws its view and sends events. Everything shown
 * here is wiped from memory when the page is left.
 */
#include "edit.h"
#include "scroll.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

#define HIT_BUTTON 9000		/* + button index */
#define HOME_BUTTONS 4

static size_t cursor;
static int top;
static struct edit search;
static int focus_button = -1;	/* -1: the list has focus */
static struct scroll detail;
static unsigned detail_generation;
static struct edit note;
static enum view_decision decision;	/* DECISION_NONE until chosen */
static int decide_focus;	/* 0 options, 1 note, 2 Back, 3 Save */
static bool confirm_yes;	/* the confirm dialogs' focus */
static int audit_top;

static const char *const decision_labels[] = {
	[DECISION_CLEARED] = N_("Cleared for treatment"),
	[DECISION_DECLINED] = N_("Declined (not treated)"),
	[DECISION_CONSULT] = N_("Consult (talk to a practitioner first)"),
};

static const char *
outcome_word(enum flag_level l)
{
	return l == LEVEL_EXCLUDE ? "EXCLUDE" : l == LEVEL_REVIEW ? "REVIEW" :
	    "clear";
}

/* "10:15", or "10:15:02" with seconds, in local time. */
static void
local_time(int64_t t, bool seconds, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL || strftime(buf, len, seconds ?
	    "%H:%M:%S" : "%H:%M", &tm) == 0)
		snprintf(buf, len, "?");
}

/* prefix followed by the local time zone's name ("CET"). */
static void
local_zone(char *buf, size_t len, const char *prefix)
{
	time_t now = time(NULL);
	struct tm tm;
	char zone[16];

	if (localtime_r(&now, &tm) == NULL ||
	    strftime(zone, sizeof zone, "%Z", &tm) == 0)
		snprintf(zone, sizeof zone, "%s", _("local time"));
	snprintf(buf, len, "%s%s", prefix, zone);
}

static void
staff_nothing(struct ui *ui)
{
	(void)ui;
}

static void
home_enter(struct ui *ui)
{
	(void)ui;
	edit_init(&search, 12, false);
	focus_button = -1;
}

static void
home_leave(struct ui *ui)
{
	(void)ui;
	edit_wipe(&search);
}

static void
home_row(const struct view_row *r, int y, bool selected)
{
	char when[16], line[160];

	local_time(r->completed_at, false, when, sizeof when);
	attrset(selected ? A_REVERSE : A_NORMAL);
	if ((r->outcome != LEVEL_NONE || r->fresh) && !selected)
		attron(A_BOLD);
	mvhline(y, 1, ' ', COLS - 2);
	snprintf(line, sizeof line, "%s  %-7s %-9s %-8s %s", when,
	    outcome_word(r->outcome), r->decision != DECISION_NONE ?
	    view_decision_word(r->decision) : "-", view_sync_word(r->sync),
	    r->receipt);
	mvaddstr(y, 2, line);
	if (r->consent_declined)
		mvaddstr(y, 48, "NC");	/* no consent; see the legend */
	if (r->fresh)
		mvaddstr(y, 1, "*");	/* new since sign-in; see the legend */
	draw_text(y, 52, COLS - 54, r->name);
	attrset(A_NORMAL);
}

static void
home_draw(struct ui *ui)
{
	const char *buttons[HOME_BUTTONS] = { _("Sign out"), _("Sync status"),
	    _("Audit"), ui->v->console ? _("Exit console") : _("Exit kiosk") };
	const struct session_view *v = ui->v;
	int view = LINES - 9, y, x, i;
	char title[96], legend[80];
	size_t r;

	snprintf(title, sizeof title, _("Today's check-ins (%zu)  signed in: %s"),
	    v->nrows, v->staff_name != NULL ? v->staff_name : "");
	draw_frame(ui, title, v->console ? _("Staff console") : _("Staff"),
	    _("Up/Down, Enter: open  type a receipt to find it  Tab: buttons  "
	    "Esc: sign out"));
	local_zone(legend, sizeof legend, _("NC = consent declined  * = new  "
	    "times in "));
	draw_text(3, 32, COLS - 34, legend);
	draw_text(3, 2, 13, _("Find receipt:"));
	edit_draw(&search, 3, 16, 12, focus_button < 0);
	attrset(A_UNDERLINE);
	draw_text(4, 2, 48, _("Time   Outcome Decision  Sync     Receipt"));
	draw_text(4, 52, COLS - 54, _("Client"));
	attrset(A_NORMAL);
	if (v->nrows == 0)
		draw_text(6, 4, COLS - 8, _("No check-ins yet today."));
	if (cursor >= v->nrows)
		cursor = v->nrows > 0 ? v->nrows - 1 : 0;
	if ((int)cursor >= top + view)
		top = (int)cursor - view + 1;
	if ((int)cursor < top)
		top = (int)cursor;
	for (r = (size_t)top; r < v->nrows && (int)(r - (size_t)top) < view;
	    r++) {
		y = 5 + (int)(r - (size_t)top);
		home_row(&v->rows[r], y, r == cursor && focus_button < 0);
		ui_hit_add(ui, y, 1, COLS - 1, (int)r);
	}
	for (i = 0, x = 2; i < HOME_BUTTONS; i++)
		x += draw_button(ui, LINES - 2, x, buttons[i], focus_button == i,
		    HIT_BUTTON + i) + 2;
}

/* Jump to the row whose receipt matches what has been typed. */
static void
home_search(struct ui *ui)
{
	char *typed = edit_get(&search);

	ui_send(ui, &(struct session_event){ .type = SE_FIND, .text = typed },
	    NULL);
	if (ui->v->found_row >= 0)
		cursor = (size_t)ui->v->found_row;
	else if (*typed != '\0')
		ui_set_message(ui, _("No check-in today with that receipt "
		    "code."));
	free(typed);
}

static enum session_ev
home_open(struct ui *ui, size_t r)
{
	if (r >= ui->v->nrows)
		return SE_NONE;
	ui_send(ui, &(struct session_event){ .type = SE_OPEN,
	    .intake_id = ui->v->rows[r].id }, NULL);
	return SE_NONE;
}

static enum session_ev
home_button(int b)
{
	static const enum session_ev ev[HOME_BUTTONS] = { SE_BACK, SE_SYNC,
	    SE_AUDIT, SE_EXIT };

	return b >= 0 && b < HOME_BUTTONS ? ev[b] : SE_NONE;
}

static enum session_ev
home_key(struct ui *ui, const struct key *k)
{
	size_t n = ui->v->nrows;
	int id;

	ui_set_message(ui, NULL);
	switch (k->act) {
	case ACT_ESC:
		return SE_BACK;
	case ACT_TAB:
		focus_button = focus_button >= HOME_BUTTONS - 1 ? -1 :
		    focus_button + 1;
		return SE_NONE;
	case ACT_BTAB:
		focus_button = focus_button < 0 ? HOME_BUTTONS - 1 :
		    focus_button - 1;
		return SE_NONE;
	case ACT_UP:
		cursor = cursor > 0 ? cursor - 1 : 0;
		return SE_NONE;
	case ACT_DOWN:
		cursor = cursor + 1 < n ? cursor + 1 : cursor;
		return SE_NONE;
	case ACT_PGUP:
		cursor = cursor > 10 ? cursor - 10 : 0;
		return SE_NONE;
	case ACT_PGDN:
		cursor = cursor + 10 < n ? cursor + 10 : (n > 0 ? n - 1 : 0);
		return SE_NONE;
	case ACT_ENTER:
		if (focus_button >= 0)
			return home_button(focus_button);
		return home_open(ui, cursor);
	case ACT_CLICK:
		id = ui_hit_find(ui, k->y, k->x);
		if (id >= HIT_BUTTON)
			return home_button(id - HIT_BUTTON);
		if (id >= 0)
			return home_open(ui, (size_t)id);
		return SE_NONE;
	default:
		if (focus_button < 0 && edit_key(&search, k))
			home_search(ui);
		return SE_NONE;
	}
}

/* The detail's lines as one text for the scroller (wiped after). */
static void
detail_build(struct ui *ui)
{
	const struct session_view *v = ui->v;
	char *text = xstrdup(""), *tmp;
	int keep = detail.top;
	size_t i;

	for (i = 0; detail.lines != NULL && i < (size_t)detail.n; i++)
		explicit_bzero(detail.lines[i], strlen(detail.lines[i]));
	scroll_free(&detail);
	for (i = 0; i < v->ndetail; i++) {
		tmp = xasprintf("%s%s\n", text, v->detail[i]);
		wipe_free(text);
		text = tmp;
	}
	scroll_set(&detail, text, COLS - 6);
	wipe_free(text);
	detail.top = keep < detail.n ? keep : 0;
	detail_generation = v->generation;
}

static void
detail_enter(struct ui *ui)
{
	detail.top = 0;
	detail_build(ui);
}

static void
detail_leave(struct ui *ui)
{
	size_t i;

	(void)ui;
	for (i = 0; detail.lines != NULL && i < (size_t)detail.n; i++)
		explicit_bzero(detail.lines[i], strlen(detail.lines[i]));
	scroll_free(&detail);
}

static void
detail_draw(struct ui *ui)
{
	/* New data from another process: the session reloaded the lines. */
	if (detail_generation != ui->v->generation)
		detail_build(ui);
	draw_frame(ui, _("Check-in detail"), ui->v->console ?
	    _("Staff console") : _("Staff"),
	    _("PgUp/PgDn: scroll  Enter: record a decision  Esc: back"));
	if (detail.lines != NULL)
		scroll_draw(&detail, 3, 2, LINES - 7);
	draw_button(ui, LINES - 2, 2, _("Back"), false, HIT_BUTTON);
	draw_button(ui, LINES - 2, COLS - 22, _("Record decision"), true,
	    HIT_BUTTON + 1);
}

static enum session_ev
detail_key(struct ui *ui, const struct key *k)
{
	int id;

	switch (k->act) {
	case ACT_ESC:
		return SE_BACK;
	case ACT_ENTER:
		return SE_DECIDE;
	case ACT_CLICK:
		id = ui_hit_find(ui, k->y, k->x);
		return id == HIT_BUTTON ? SE_BACK : id == HIT_BUTTON + 1 ?
		    SE_DECIDE : SE_NONE;
	default:
		scroll_key(&detail, k);
		return SE_NONE;
	}
}

static void
decide_enter(struct ui *ui)
{
	(void)ui;
	edit_init(&note, 500, false);
	decision = DECISION_NONE;	/* never a default */
	decide_focus = 0;
	confirm_yes = false;
}

static void
decide_leave(struct ui *ui)
{
	(void)ui;
	edit_wipe(&note);
}

/* "Clear an excluded client?": names the exclusion, asks for a note. */
static void
decide_confirm_draw(struct ui *ui)
{
	char first[512];
	const char *lines[4];

	snprintf(first, sizeof first, _("This client was EXCLUDED: %s"),
	    ui->v->exclusion != NULL ? ui->v->exclusion : "?");
	lines[0] = first;
	lines[1] = _("Clearing them for treatment overrides that exclusion.");
	lines[2] = "";
	lines[3] = _("A note saying why is required (write it on the decision "
	    "page).");
	draw_confirm(ui, _("Clear an excluded client for treatment?"), lines,
	    4, _("Go back"), _("Clear for treatment"), confirm_yes);
}

static void
decide_draw(struct ui *ui)
{
	char line[96];
	int i;

	if (ui->v->confirm_clear) {
		decide_confirm_draw(ui);
		return;
	}
	draw_frame(ui, _("Record a decision"), ui->v->console ?
	    _("Staff console") : _("Staff"), _("Up/Down, 1-3: decision  Tab: "
	    "note / buttons  Enter: save  Esc: back"));
	for (i = DECISION_CLEARED; i <= DECISION_CONSULT; i++) {
		snprintf(line, sizeof line, "(%c) %d. %s", (int)decision == i ?
		    '*' : ' ', i, _(decision_labels[i]));
		attrset(decide_focus == 0 && (int)decision == i ? A_REVERSE :
		    A_NORMAL);
		mvaddstr(3 + i, 4, line);
		attrset(A_NORMAL);
		ui_hit_add(ui, 3 + i, 4, COLS - 4, i);
	}
	mvaddstr(8, 4, ui->v->intake_outcome == LEVEL_EXCLUDE ?
	    _("Note (required to clear this excluded client):") :
	    _("Note (optional):"));
	edit_draw(&note, 9, 4, COLS - 10, decide_focus == 1);
	ui_hit_add(ui, 9, 4, COLS - 6, 0);
	draw_button(ui, LINES - 2, 2, _("Back"), decide_focus == 2, HIT_BUTTON);
	draw_button(ui, LINES - 2, COLS - 12, _("Save"), decide_focus == 3,
	    HIT_BUTTON + 1);
}

/* Send the decision (or the answer to the clearance question). */
static enum session_ev
decide_send(struct ui *ui, enum session_ev type)
{
	char *text = edit_get(&note);

	ui_send(ui, &(struct session_event){ .type = type, .choice = decision,
	    .text = text }, NULL);
	wipe_free(text);
	if (ui->v->page == FLOW_STAFF_DECIDE && ui->v->notice ==
	    NOTICE_NOTE_REQUIRED)
		decide_focus = 1;	/* straight to the note */
	confirm_yes = false;
	return SE_NONE;
}

static enum session_ev
decide_confirm_key(struct ui *ui, const struct key *k)
{
	switch (confirm_key(ui, k, &confirm_yes)) {
	case 1:
		return decide_send(ui, SE_CONFIRM);
	case 0:
		confirm_yes = false;
		ui_send(ui, &(struct session_event){ .type = SE_CANCEL }, NULL);
		return SE_NONE;
	default:
		return SE_NONE;
	}
}

static void
decide_pick(const struct key *k)
{
	if (k->act == ACT_UP && decision > DECISION_CLEARED)
		decision--;
	else if (k->act == ACT_UP && decision == DECISION_NONE)
		decision = DECISION_CONSULT;
	else if (k->act == ACT_DOWN && decision < DECISION_CONSULT)
		decision++;
	else if (k->act == ACT_DIGIT && k->digit >= 1 && k->digit <= 3)
		decision = (enum view_decision)k->digit;
}

static enum session_ev
decide_key(struct ui *ui, const struct key *k)
{
	int id;

	if (ui->v->confirm_clear)
		return decide_confirm_key(ui, k);
	ui_set_message(ui, NULL);
	switch (k->act) {
	case ACT_ESC:
		return SE_BACK;
	case ACT_TAB:
		decide_focus = (decide_focus + 1) % 4;
		return SE_NONE;
	case ACT_BTAB:
		decide_focus = (decide_focus + 3) % 4;
		return SE_NONE;
	case ACT_ENTER:
		return decide_focus == 2 ? SE_BACK : decide_send(ui, SE_SAVE);
	case ACT_CLICK:
		id = ui_hit_find(ui, k->y, k->x);
		if (id >= DECISION_CLEARED && id <= DECISION_CONSULT) {
			decision = (enum view_decision)id;
			decide_focus = 0;
		} else if (id == 0)
			decide_focus = 1;
		else if (id == HIT_BUTTON)
			return SE_BACK;
		else if (id == HIT_BUTTON + 1)
			return decide_send(ui, SE_SAVE);
		return SE_NONE;
	default:
		break;
	}
	if (decide_focus == 1)
		edit_key(&note, k);
	else if (decide_focus == 0)
		decide_pick(k);
	return SE_NONE;
}

static int sync_focus;	/* 0: Sync now, 1: Requeue parked */

static void
sync_page_enter(struct ui *ui)
{
	(void)ui;
	sync_focus = 0;
}

/* "3 h 12 min" for a number of seconds. */
static void
sync_age(int64_t s, char *buf, size_t len)
{
	if (s < 3600)
		snprintf(buf, len, _("%lld min"), (long long)(s / 60));
	else if (s < 86400 * 2)
		snprintf(buf, len, _("%lld h %lld min"), (long long)(s / 3600),
		    (long long)(s % 3600 / 60));
	else
		snprintf(buf, len, _("%lld days"), (long long)(s / 86400));
}

/* A labelled value from the sync engine's notes; returns the next row. */
static int
sync_meta_line(const char *v, const char *label, int y)
{
	if (v != NULL) {
		attrset(A_BOLD);
		draw_text(++y, 4, COLS - 8, label);
		attrset(A_NORMAL);
		draw_text(++y, 6, COLS - 10, v);
	}
	return y;
}

static void
sync_page_draw(struct ui *ui)
{
	const struct view_sync_status *c = ui->v->sync;
	char line[160], age[32];
	size_t r;
	int y = 4;

	draw_frame(ui, _("Sync status"), ui->v->console ? _("Staff console") :
	    _("Staff"), _("Tab: choose  Enter: do it  Esc: back"));
	if (c == NULL)
		return;
	if (!c->has_server) {
		draw_text(y, 4, COLS - 8, _("No clinic server is configured: "
		    "check-ins stay on this kiosk."));
	}
	snprintf(line, sizeof line, _("Check-ins: %ld sent, %ld waiting, %ld "
	    "parked, %ld purged"), c->sent, c->pending, c->parked, c->purged);
	draw_text(++y, 4, COLS - 8, line);
	snprintf(line, sizeof line, _("Decisions: %ld sent, %ld waiting, %ld "
	    "parked"), c->review_sent, c->review_pending, c->review_parked);
	draw_text(++y, 4, COLS - 8, line);
	if (c->oldest_pending_at != 0) {
		sync_age(ui->v->now - c->oldest_pending_at, age, sizeof age);
		snprintf(line, sizeof line, _("Oldest unsent check-in: %s ago"),
		    age);
		draw_text(++y, 4, COLS - 8, line);
	} else
		draw_text(++y, 4, COLS - 8, _("Everything has reached the clinic "
		    "server."));
	y++;
	y = sync_meta_line(c->alert, _("Needs attention:"), y);
	y = sync_meta_line(c->last_error, _("Last problem:"), y);
	y = sync_meta_line(c->last_success, _("Last delivery:"), y);
	y = sync_meta_line(c->damaged, _("Damaged on the kiosk:"), y);
	if (c->review_blocked > 0) {
		snprintf(line, sizeof line, ngettext("%ld decision waits for a "
		    "parked check-in", "%ld decisions wait for a parked "
		    "check-in", (unsigned long)c->review_blocked),
		    c->review_blocked);
		draw_text(++y, 4, COLS - 8, line);
	}
	y++;
	for (r = 0; r < ui->v->nrows && y < LINES - 4; r++) {
		if (ui->v->rows[r].sync != VSYNC_PARKED)
			continue;
		snprintf(line, sizeof line, _("Parked: %s %s (kept on the kiosk; "
		    "see `kiosk status`)"), ui->v->rows[r].receipt,
		    ui->v->rows[r].name);
		draw_text(++y, 4, COLS - 8, line);
	}
	draw_button(ui, LINES - 2, 2, _("Back"), false, HIT_BUTTON);
	draw_button(ui, LINES - 2, COLS - 36, _("Requeue parked"),
	    sync_focus == 1, HIT_BUTTON + 2);
	draw_button(ui, LINES - 2, COLS - 16, _("Sync now"), sync_focus == 0,
	    HIT_BUTTON + 1);
}

static enum session_ev
sync_page_key(struct ui *ui, const struct key *k)
{
	int id;

	switch (k->act) {
	case ACT_ESC:
		return SE_BACK;
	case ACT_ENTER:
		return sync_focus == 1 ? SE_REQUEUE : SE_SYNC_NOW;
	case ACT_TAB:
	case ACT_BTAB:
	case ACT_LEFT:
	case ACT_RIGHT:
		sync_focus = !sync_focus;
		return SE_NONE;
	case ACT_CLICK:
		id = ui_hit_find(ui, k->y, k->x);
		if (id == HIT_BUTTON)
			return SE_BACK;
		if (id == HIT_BUTTON + 2)
			return SE_REQUEUE;
		return id == HIT_BUTTON + 1 ? SE_SYNC_NOW : SE_NONE;
	default:
		return SE_NONE;
	}
}

static void
audit_enter(struct ui *ui)
{
	(void)ui;
	audit_top = 0;
}

static void
audit_draw(struct ui *ui)
{
	const struct session_view *v = ui->v;
	int view = LINES - 8, y;
	char when[16], line[200], head[96];
	size_t i;

	draw_frame(ui, _("Audit trail today (newest first)"), v->console ?
	    _("Staff console") : _("Staff"),
	    _("Up/Down, PgUp/PgDn: scroll  Esc: back"));
	attrset(A_UNDERLINE);
	local_zone(head, sizeof head, _("Who                 What         "
	    "Record       times in "));
	draw_text(4, 2, 10, _("Time      "));
	addstr(head);
	attrset(A_NORMAL);
	if (v->naudit == 0)
		draw_text(6, 4, COLS - 8, _("Nothing recorded today."));
	if (audit_top > 0 && (size_t)audit_top >= v->naudit)
		audit_top = v->naudit > 0 ? (int)v->naudit - 1 : 0;
	for (i = (size_t)audit_top, y = 5; i < v->naudit && y < 5 + view;
	    i++, y++) {
		local_time(v->audit[i].at, true, when, sizeof when);
		snprintf(line, sizeof line, "%-9s %-19.19s %-12.12s %s", when,
		    v->audit[i].actor, v->audit[i].action,
		    v->audit[i].subject);
		draw_text(y, 2, COLS - 4, line);
	}
	draw_button(ui, LINES - 2, 2, _("Back"), true, HIT_BUTTON);
}

static enum session_ev
audit_key(struct ui *ui, const struct key *k)
{
	int n = (int)ui->v->naudit;

	switch (k->act) {
	case ACT_ESC:
	case ACT_ENTER:
		return SE_BACK;
	case ACT_CLICK:
		return ui_hit_find(ui, k->y, k->x) == HIT_BUTTON ? SE_BACK :
		    SE_NONE;
	case ACT_UP:
		audit_top = audit_top > 0 ? audit_top - 1 : 0;
		return SE_NONE;
	case ACT_DOWN:
		audit_top = audit_top + 1 < n ? audit_top + 1 : audit_top;
		return SE_NONE;
	case ACT_PGUP:
		audit_top = audit_top > 10 ? audit_top - 10 : 0;
		return SE_NONE;
	case ACT_PGDN:
		audit_top = audit_top + 10 < n ? audit_top + 10 : audit_top;
		return SE_NONE;
	default:
		return SE_NONE;
	}
}

static void
exit_enter(struct ui *ui)
{
	(void)ui;
	confirm_yes = false;
}

static void
exit_draw(struct ui *ui)
{
	const char *kiosk[1], *console[1];

	kiosk[0] = _("The kiosk stops until it is started again (for "
	    "maintenance).");
	console[0] = _("The staff console closes; the kiosk keeps serving "
	    "clients.");

	if (ui->v->console)
		draw_confirm(ui, _("Exit the staff console?"), console, 1,
		    _("Cancel"), _("Exit console"), confirm_yes);
	else
		draw_confirm(ui, _("Exit the kiosk?"), kiosk, 1, _("Cancel"),
		    _("Exit kiosk"), confirm_yes);
}

static enum session_ev
exit_key(struct ui *ui, const struct key *k)
{
	int r = confirm_key(ui, k, &confirm_yes);

	return r == 1 ? SE_NEXT : r == 0 ? SE_BACK : SE_NONE;
}

const struct screen screen_staff_home = {
	.name = "staff-home",
	.enter = home_enter,
	.leave = home_leave,
	.draw = home_draw,
	.key = home_key,
};

const struct screen screen_staff_detail = {
	.name = "staff-detail",
	.enter = detail_enter,
	.leave = detail_leave,
	.draw = detail_draw,
	.key = detail_key,
};

const struct screen screen_staff_decide = {
	.name = "staff-decide",
	.enter = decide_enter,
	.leave = decide_leave,
	.draw = decide_draw,
	.key = decide_key,
};

const struct screen screen_staff_sync = {
	.name = "staff-sync",
	.enter = sync_page_enter,
	.leave = staff_nothing,
	.draw = sync_page_draw,
	.key = sync_page_key,
};

const struct screen screen_staff_audit = {
	.name = "staff-audit",
	.enter = audit_enter,
	.leave = staff_nothing,
	.draw = audit_draw,
	.key = audit_key,
};

const struct screen screen_staff_exit = {
	.name = "staff-exit",
	.enter = exit_enter,
	.leave = staff_nothing,
	.draw = exit_draw,
	.key = exit_key,
};
