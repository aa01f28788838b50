/*
 * staff.c: staff mode's pages: today's intakes (flagged first, a receipt
 * code typed jumps to its intake), one intake in detail, the decision
 * form, the sync status, and "exit the kiosk". What is listed, recorded
 * and purged is staff.c's business in the core; this file draws it.
 * Everything shown here is wiped from memory when the page is left.
 */
#include "edit.h"
#include "scroll.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "staff.h"
#include "store.h"
#include "sync.h"
#include "util.h"

#define HIT_BUTTON 9000		/* + button index */

static struct staff_row *rows;
static size_t nrows;
static size_t cursor;
static int top;
static struct edit search;
static int focus_button = -1;	/* -1: the list has focus */
static struct scroll detail;
static struct edit note;
static size_t decision;		/* 0 cleared, 1 declined, 2 consult */
static int decide_focus;	/* 0 options, 1 note, 2 Back, 3 Save */
static int exit_focus;

static const char *const decisions[] = { "cleared", "declined", "consult" };
static const char *const decision_labels[] = {
	"Cleared for treatment", "Declined (not treated)",
	"Consult (talk to a practitioner first)",
};

static const char *
staff_name(const struct ui *ui)
{
	if (ui->flow.staff < ui->cfg->nstaff)
		return ui->cfg->staff[ui->flow.staff].name;
	return "staff";
}

static void
staff_audit(struct ui *ui, const char *action, const char *subject)
{
	char *cause = NULL;

	if (store_audit(ui->store, staff_name(ui), action, subject,
	    &cause) != 0) {
		syslog(LOG_ERR, "audit: %s", cause);
		free(cause);
	}
}

/* Local midnight today, for "today's intakes". */
static int64_t
staff_today(void)
{
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

static void
home_load(struct ui *ui)
{
	char *cause = NULL;

	staff_rows_free(rows, nrows);
	rows = NULL;
	nrows = 0;
	if (staff_list(ui->store, staff_today(), &rows, &nrows, &cause) != 0) {
		syslog(LOG_ERR, "staff list: %s", cause);
		free(cause);
		ui_set_message(ui, "The list could not be read.");
	}
	if (cursor >= nrows)
		cursor = nrows > 0 ? nrows - 1 : 0;
}

static void
home_enter(struct ui *ui)
{
	edit_init(&search, 12, false);
	focus_button = -1;
	home_load(ui);
}

static void
home_leave(struct ui *ui)
{
	(void)ui;
	staff_rows_free(rows, nrows);
	rows = NULL;
	nrows = 0;
	edit_wipe(&search);
}

static void
home_row(const struct staff_row *r, int y, bool selected)
{
	char when[8], line[160];
	time_t t = (time_t)r->completed_at;
	struct tm tm;
	const char *outcome = strcmp(r->outcome, "exclude") == 0 ? "EXCLUDE" :
	    strcmp(r->outcome, "review") == 0 ? "REVIEW" : "clear";

	localtime_r(&t, &tm);
	strftime(when, sizeof when, "%H:%M", &tm);
	attrset(selected ? A_REVERSE : A_NORMAL);
	if (strcmp(outcome, "clear") != 0 && !selected)
		attron(A_BOLD);
	mvhline(y, 1, ' ', COLS - 2);
	snprintf(line, sizeof line, "%s  %-7s %-9s %-8s %s", when, outcome,
	    *r->decision != '\0' ? r->decision : "-", r->sync, r->receipt);
	mvaddstr(y, 2, line);
	if (r->consent_declined)
		mvaddstr(y, 48, "NC");	/* no consent; see the legend */
	draw_text(y, 52, COLS - 54, r->name);
	attrset(A_NORMAL);
}

static void
home_draw(struct ui *ui)
{
	static const char *const buttons[] = { "Sign out", "Sync status",
	    "Exit kiosk" };
	int view = LINES - 9, y, x, i;
	char title[96];
	size_t r;

	snprintf(title, sizeof title, "Today's check-ins (%zu)  signed in: %s",
	    nrows, staff_name(ui));
	draw_frame(ui, title, "Staff", "Up/Down, Enter: open  type a receipt "
	    "to find it  Tab: buttons  Esc: sign out");
	draw_text(3, 34, COLS - 36, "NC = consent declined");
	mvaddstr(3, 2, "Find receipt:");
	edit_draw(&search, 3, 16, 12, focus_button < 0);
	attrset(A_UNDERLINE);
	mvaddstr(4, 2, "Time   Outcome Decision  Sync     Receipt");
	mvaddstr(4, 52, "Client");
	attrset(A_NORMAL);
	if (nrows == 0)
		draw_text(6, 4, COLS - 8, "No check-ins yet today.");
	if ((int)cursor >= top + view)
		top = (int)cursor - view + 1;
	if ((int)cursor < top)
		top = (int)cursor;
	for (r = (size_t)top; r < nrows && (int)(r - (size_t)top) < view; r++) {
		y = 5 + (int)(r - (size_t)top);
		home_row(&rows[r], y, r == cursor && focus_button < 0);
		ui_hit_add(ui, y, 1, COLS - 1, (int)r);
	}
	for (i = 0, x = 2; i < 3; i++)
		x += draw_button(ui, LINES - 2, x, buttons[i], focus_button == i,
		    HIT_BUTTON + i) + 2;
}

/* Jump to the row whose receipt matches what has been typed. */
static void
home_search(struct ui *ui)
{
	char *typed = edit_get(&search);
	long i = staff_find(rows, nrows, typed);

	if (i >= 0)
		cursor = (size_t)i;
	else if (*typed != '\0')
		ui_set_message(ui, "No check-in today with that receipt code.");
	free(typed);
}

static enum flow_event
home_open(struct ui *ui, size_t r)
{
	if (r >= nrows)
		return EV_NONE;
	memcpy(ui->flow.intake_id, rows[r].id, sizeof ui->flow.intake_id);
	staff_audit(ui, "open", rows[r].id);
	return EV_OPEN;
}

static enum flow_event
home_button(struct ui *ui, int b)
{
	switch (b) {
	case 0:
		staff_audit(ui, "sign-out", NULL);
		return EV_BACK;
	case 1:
		return EV_SYNC;
	case 2:
		return EV_EXIT;
	default:
		return EV_NONE;
	}
}

static enum flow_event
home_key(struct ui *ui, const struct key *k)
{
	int id;

	ui_set_message(ui, NULL);
	switch (k->act) {
	case ACT_ESC:
		staff_audit(ui, "sign-out", NULL);
		return EV_BACK;
	case ACT_TAB:
		focus_button = focus_button >= 2 ? -1 : focus_button + 1;
		return EV_NONE;
	case ACT_BTAB:
		focus_button = focus_button < 0 ? 2 : focus_button - 1;
		return EV_NONE;
	case ACT_UP:
		cursor = cursor > 0 ? cursor - 1 : 0;
		return EV_NONE;
	case ACT_DOWN:
		cursor = cursor + 1 < nrows ? cursor + 1 : cursor;
		return EV_NONE;
	case ACT_PGUP:
		cursor = cursor > 10 ? cursor - 10 : 0;
		return EV_NONE;
	case ACT_PGDN:
		cursor = cursor + 10 < nrows ? cursor + 10 :
		    (nrows > 0 ? nrows - 1 : 0);
		return EV_NONE;
	case ACT_ENTER:
		if (focus_button >= 0)
			return home_button(ui, focus_button);
		return home_open(ui, cursor);
	case ACT_CLICK:
		id = ui_hit_find(ui, k->y, k->x);
		if (id >= HIT_BUTTON)
			return home_button(ui, id - HIT_BUTTON);
		if (id >= 0)
			return home_open(ui, (size_t)id);
		return EV_NONE;
	default:
		if (focus_button < 0 && edit_key(&search, k))
			home_search(ui);
		return EV_NONE;
	}
}

static void
detail_enter(struct ui *ui)
{
	char **lines = NULL, *cause = NULL, *text = xstrdup(""), *tmp;
	size_t n = 0, i;

	scroll_free(&detail);
	if (staff_detail(ui->store, ui->flow.intake_id, &lines, &n,
	    &cause) != 0) {
		syslog(LOG_ERR, "staff detail %s: %s", ui->flow.intake_id, cause);
		free(cause);
		ui_set_message(ui, "This check-in could not be read.");
	}
	for (i = 0; i < n; i++) {
		tmp = xasprintf("%s%s\n", text, lines[i]);
		wipe_free(text);
		text = tmp;
	}
	staff_lines_free(lines, n);
	scroll_set(&detail, text, COLS - 6);
	wipe_free(text);
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
	draw_frame(ui, "Check-in detail", "Staff",
	    "PgUp/PgDn: scroll  Enter: record a decision  Esc: back");
	if (detail.lines != NULL)
		scroll_draw(&detail, 3, 2, LINES - 7);
	draw_button(ui, LINES - 2, 2, "Back", false, HIT_BUTTON);
	draw_button(ui, LINES - 2, COLS - 22, "Record decision", true,
	    HIT_BUTTON + 1);
}

static enum flow_event
detail_key(struct ui *ui, const struct key *k)
{
	int id;

	switch (k->act) {
	case ACT_ESC:
		return EV_BACK;
	case ACT_ENTER:
		return EV_DECIDE;
	case ACT_CLICK:
		id = ui_hit_find(ui, k->y, k->x);
		return id == HIT_BUTTON ? EV_BACK : id == HIT_BUTTON + 1 ?
		    EV_DECIDE : EV_NONE;
	default:
		scroll_key(&detail, k);
		return EV_NONE;
	}
}

static void
decide_enter(struct ui *ui)
{
	(void)ui;
	edit_init(&note, 500, false);
	decision = 0;
	decide_focus = 0;
}

static void
decide_leave(struct ui *ui)
{
	(void)ui;
	edit_wipe(&note);
}

static void
decide_draw(struct ui *ui)
{
	char line[96];
	size_t i;

	draw_frame(ui, "Record a decision", "Staff", "Up/Down, 1-3: decision  "
	    "Tab: note / buttons  Enter: save  Esc: back");
	for (i = 0; i < 3; i++) {
		snprintf(line, sizeof line, "(%c) %zu. %s", decision == i ? '*' :
		    ' ', i + 1, decision_labels[i]);
		attrset(decide_focus == 0 && decision == i ? A_REVERSE : A_NORMAL);
		mvaddstr(4 + (int)i, 4, line);
		attrset(A_NORMAL);
		ui_hit_add(ui, 4 + (int)i, 4, COLS - 4, (int)i);
	}
	mvaddstr(8, 4, "Note (optional):");
	edit_draw(&note, 9, 4, COLS - 10, decide_focus == 1);
	ui_hit_add(ui, 9, 4, COLS - 6, 3);
	draw_button(ui, LINES - 2, 2, "Back", decide_focus == 2, HIT_BUTTON);
	draw_button(ui, LINES - 2, COLS - 12, "Save", decide_focus == 3,
	    HIT_BUTTON + 1);
}

static enum flow_event
decide_save(struct ui *ui)
{
	char *text = edit_get(&note), *cause = NULL, id[37];
	enum flow_event ev = EV_NEXT;

	if (staff_decide(ui->store, ui->flow.intake_id, decisions[decision],
	    text, staff_name(ui), (int64_t)time(NULL), id, &cause) != 0) {
		syslog(LOG_ERR, "decision on %s: %s", ui->flow.intake_id, cause);
		free(cause);
		ui_set_message(ui, "The decision could not be saved.");
		ev = EV_NONE;
	} else {
		syslog(LOG_INFO, "review %s of intake %s stored", id,
		    ui->flow.intake_id);
		sync_wake(ui->sync);
	}
	wipe_free(text);
	return ev;
}

static enum flow_event
decide_key(struct ui *ui, const struct key *k)
{
	int id;

	switch (k->act) {
	case ACT_ESC:
		return EV_BACK;
	case ACT_TAB:
		decide_focus = (decide_focus + 1) % 4;
		return EV_NONE;
	case ACT_BTAB:
		decide_focus = (decide_focus + 3) % 4;
		return EV_NONE;
	case ACT_ENTER:
		return decide_focus == 2 ? EV_BACK : decide_save(ui);
	case ACT_CLICK:
		id = ui_hit_find(ui, k->y, k->x);
		if (id >= 0 && id < 3) {
			decision = (size_t)id;
			decide_focus = 0;
		} else if (id == 3)
			decide_focus = 1;
		else if (id == HIT_BUTTON)
			return EV_BACK;
		else if (id == HIT_BUTTON + 1)
			return decide_save(ui);
		return EV_NONE;
	default:
		break;
	}
	if (decide_focus == 1) {
		edit_key(&note, k);
		return EV_NONE;
	}
	if (decide_focus == 0) {
		if (k->act == ACT_UP && decision > 0)
			decision--;
		else if (k->act == ACT_DOWN && decision < 2)
			decision++;
		else if (k->act == ACT_DIGIT && k->digit <= 3)
			decision = (size_t)k->digit - 1;
	}
	return EV_NONE;
}

static int sync_focus;	/* 0: Sync now, 1: Requeue parked */

static void
sync_page_enter(struct ui *ui)
{
	sync_focus = 0;
	home_load(ui);
}

/* "3 h 12 min" for a number of seconds. */
static void
sync_age(int64_t s, char *buf, size_t len)
{
	if (s < 3600)
		snprintf(buf, len, "%lld min", (long long)(s / 60));
	else if (s < 86400 * 2)
		snprintf(buf, len, "%lld h %lld min", (long long)(s / 3600),
		    (long long)(s % 3600 / 60));
	else
		snprintf(buf, len, "%lld days", (long long)(s / 86400));
}

/* A labelled value from the sync engine's notes; returns the next row. */
static int
sync_meta_line(struct ui *ui, const char *key, const char *label, int y)
{
	char *v = NULL, *cause = NULL;

	if (store_meta_get(ui->store, key, &v, &cause) != 0) {
		syslog(LOG_ERR, "status: %s", cause);
		free(cause);
		return y;
	}
	if (v != NULL) {
		attrset(A_BOLD);
		draw_text(++y, 4, COLS - 8, label);
		attrset(A_NORMAL);
		draw_text(++y, 6, COLS - 10, v);
		free(v);
	}
	return y;
}

static void
sync_page_draw(struct ui *ui)
{
	struct store_counts c;
	char *cause = NULL, line[160], age[32];
	int y = 4;

	draw_frame(ui, "Sync status", "Staff", "Tab: choose  Enter: do it  "
	    "Esc: back");
	if (!ui->cfg->has_server) {
		draw_text(y, 4, COLS - 8, "No clinic server is configured: "
		    "check-ins stay on this kiosk.");
	}
	if (store_counts(ui->store, &c, &cause) != 0) {
		syslog(LOG_ERR, "status: %s", cause);
		free(cause);
		return;
	}
	snprintf(line, sizeof line, "Check-ins: %ld sent, %ld waiting, %ld "
	    "parked, %ld purged", c.sent, c.pending, c.parked, c.purged);
	draw_text(++y, 4, COLS - 8, line);
	snprintf(line, sizeof line, "Decisions: %ld sent, %ld waiting, %ld "
	    "parked", c.review_sent, c.review_pending, c.review_parked);
	draw_text(++y, 4, COLS - 8, line);
	if (c.oldest_pending_at != 0) {
		sync_age((int64_t)time(NULL) - c.oldest_pending_at, age,
		    sizeof age);
		snprintf(line, sizeof line, "Oldest unsent check-in: %s ago", age);
		draw_text(++y, 4, COLS - 8, line);
	} else
		draw_text(++y, 4, COLS - 8, "Everything has reached the clinic "
		    "server.");
	y++;
	y = sync_meta_line(ui, "alert", "Needs attention:", y);
	y = sync_meta_line(ui, "last_error", "Last problem:", y);
	y = sync_meta_line(ui, "last_success_at", "Last delivery:", y);
	y = sync_meta_line(ui, "damaged", "Damaged on the kiosk:", y);
	if (c.review_blocked > 0) {
		snprintf(line, sizeof line, "%ld decision(s) wait for a parked "
		    "check-in", c.review_blocked);
		draw_text(++y, 4, COLS - 8, line);
	}
	y++;
	for (size_t r = 0; r < nrows && y < LINES - 4; r++) {
		if (strcmp(rows[r].sync, "parked") != 0)
			continue;
		snprintf(line, sizeof line, "Parked: %s %s (kept on the kiosk; "
		    "see `kiosk status`)", rows[r].receipt, rows[r].name);
		draw_text(++y, 4, COLS - 8, line);
	}
	draw_button(ui, LINES - 2, 2, "Back", false, HIT_BUTTON);
	draw_button(ui, LINES - 2, COLS - 36, "Requeue parked", sync_focus == 1,
	    HIT_BUTTON + 2);
	draw_button(ui, LINES - 2, COLS - 16, "Sync now", sync_focus == 0,
	    HIT_BUTTON + 1);
}

/* Put every parked record back in the queue (audited), then sync now. */
static enum flow_event
sync_page_requeue(struct ui *ui)
{
	char *cause = NULL, msg[64];
	long n = 0;

	if (staff_requeue(ui->store, NULL, staff_name(ui), (int64_t)time(NULL),
	    &n, &cause) != 0) {
		syslog(LOG_ERR, "requeue: %s", cause);
		free(cause);
		return EV_NONE;
	}
	home_load(ui);
	sync_now(ui->sync);
	snprintf(msg, sizeof msg, "%ld parked record(s) back in the queue.", n);
	ui_set_message(ui, msg);
	return EV_NONE;
}

static enum flow_event
sync_page_now(struct ui *ui)
{
	char *cause = NULL;

	if (!ui->cfg->has_server)
		return EV_NONE;
	if (store_due_now(ui->store, (int64_t)time(NULL), &cause) != 0) {
		syslog(LOG_ERR, "sync now: %s", cause);
		free(cause);
	}
	sync_now(ui->sync);
	ui_set_message(ui, "Sending now...");
	return EV_NONE;
}

static enum flow_event
sync_page_key(struct ui *ui, const struct key *k)
{
	int id;

	switch (k->act) {
	case ACT_ESC:
		return EV_BACK;
	case ACT_ENTER:
		return sync_focus == 1 ? sync_page_requeue(ui) :
		    sync_page_now(ui);
	case ACT_TAB:
	case ACT_BTAB:
	case ACT_LEFT:
	case ACT_RIGHT:
		sync_focus = !sync_focus;
		return EV_NONE;
	case ACT_CLICK:
		id = ui_hit_find(ui, k->y, k->x);
		if (id == HIT_BUTTON)
			return EV_BACK;
		if (id == HIT_BUTTON + 2)
			return sync_page_requeue(ui);
		return id == HIT_BUTTON + 1 ? sync_page_now(ui) : EV_NONE;
	default:
		return EV_NONE;
	}
}

static void
exit_enter(struct ui *ui)
{
	(void)ui;
	exit_focus = 0;
}

static void
staff_nothing(struct ui *ui)
{
	(void)ui;
}

static void
exit_draw(struct ui *ui)
{
	draw_frame(ui, "Exit the kiosk?", "Staff",
	    "Tab: switch  Enter: confirm  Esc: back");
	draw_text(5, 4, COLS - 8, "The kiosk stops until it is started again "
	    "(for maintenance).");
	draw_button(ui, LINES - 2, 2, "Cancel", exit_focus == 0, HIT_BUTTON);
	draw_button(ui, LINES - 2, COLS - 20, "Exit kiosk", exit_focus == 1,
	    HIT_BUTTON + 1);
}

static enum flow_event
exit_key(struct ui *ui, const struct key *k)
{
	int id = -1;

	switch (k->act) {
	case ACT_ESC:
		return EV_BACK;
	case ACT_TAB:
	case ACT_BTAB:
	case ACT_LEFT:
	case ACT_RIGHT:
		exit_focus = !exit_focus;
		return EV_NONE;
	case ACT_CLICK:
		id = ui_hit_find(ui, k->y, k->x);
		if (id == HIT_BUTTON)
			return EV_BACK;
		if (id != HIT_BUTTON + 1)
			return EV_NONE;
		break;
	case ACT_ENTER:
		if (!exit_focus)
			return EV_BACK;
		break;
	default:
		return EV_NONE;
	}
	staff_audit(ui, "exit", NULL);
	syslog(LOG_NOTICE, "kiosk exit requested by staff");
	return EV_NEXT;
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
	.leave = home_leave,
	.draw = sync_page_draw,
	.key = sync_page_key,
};

const struct screen screen_staff_exit = {
	.name = "staff-exit",
	.enter = exit_enter,
	.leave = staff_nothing,
	.draw = exit_draw,
	.key = exit_key,
};
