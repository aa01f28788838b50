/*
 * session.c: the person at the terminal, decided in the core. Screens
 * send events; this module moves the flow (flow.c picks pages), keeps the
 * intake and the staff data, enforces every deadline on an injected
 * clock, and writes the audit. It reads and writes the store only on
 * events and ticks, never while a screen draws. No terminal code here.
 *
 * Console mode (`kiosk staff`): the welcome page is a sign-in page, no
 * client is ever served, nothing is sent from here (the kiosk's sync
 * thread or `kiosk sync` sends what staff decide), and no timer runs
 * while nobody is signed in.
 */
#include "session.h"

#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "config.h"
#include "date.h"
#include "flow.h"
#include "form.h"
#include "intake.h"
#include "pin.h"
#include "staff.h"
#include "store.h"
#include "sync.h"
#include "util.h"

#define SESSION_THANKS_MS 20000		/* thank-you page, then welcome */
#define SESSION_PURGE_MS (24 * 3600 * 1000LL)	/* retention runs daily */
#define SESSION_LIVE_MS 1000		/* new data is looked for once a second */
#define SESSION_DAY_S 86400

struct session {
	const struct config *cfg;
	const struct form *form;
	struct store *store;
	struct sync *sync;
	struct session_clock clock;
	struct flow flow;
	struct intake *intake;		/* NULL when nobody is checking in */
	bool signed_in;
	int64_t last_input_ms;
	int64_t entered_ms;		/* when the current page began */
	int64_t purge_at_ms;		/* kiosk: next retention run */
	int64_t live_at_ms;		/* next look for new data */
	int64_t pin_until_ms;		/* the prompt waits until then */
	int64_t data_version;
	bool confirmed;			/* clearing an exclusion was confirmed */
	bool quiet;			/* signing in: what is listed is not new */
	char **seen;			/* ids of flagged intakes already listed */
	size_t nseen;
	struct view_row *rows;
	struct staff_row *list;		/* the same intakes, as staff.c lists them */
	struct view_audit *audit;
	char **detail;
	struct view_sync_status sync_status;
	char *exclusion;
	struct session_view v;
};

static int64_t
session_sys_mono(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t
session_sys_wall(void *arg)
{
	(void)arg;
	return time_now_ms();
}

static int64_t
session_mono(const struct session *s)
{
	return s->clock.mono_ms(s->clock.arg);
}

static int64_t
session_wall_s(const struct session *s)
{
	return s->clock.wall_ms(s->clock.arg) / 1000;
}

/* Wire words for the codes. */
static const char *const decision_words[] = {
	[DECISION_NONE] = "", [DECISION_CLEARED] = "cleared",
	[DECISION_DECLINED] = "declined", [DECISION_CONSULT] = "consult",
};
static const char *const sync_words[] = {
	[VSYNC_PENDING] = "pending", [VSYNC_SENT] = "sent",
	[VSYNC_PARKED] = "parked",
};

const char *
view_decision_word(enum view_decision d)
{
	return d <= DECISION_CONSULT ? decision_words[d] : "";
}

enum view_decision
view_decision_parse(const char *w)
{
	int d;

	for (d = DECISION_CLEARED; w != NULL && d <= DECISION_CONSULT; d++) {
		if (strcmp(w, decision_words[d]) == 0)
			return (enum view_decision)d;
	}
	return DECISION_NONE;
}

const char *
view_sync_word(enum view_sync v)
{
	return v <= VSYNC_PARKED ? sync_words[v] : "pending";
}

enum view_sync
view_sync_parse(const char *w)
{
	int v;

	for (v = VSYNC_PENDING; w != NULL && v <= VSYNC_PARKED; v++) {
		if (strcmp(w, sync_words[v]) == 0)
			return (enum view_sync)v;
	}
	return VSYNC_PENDING;
}

/* The one place the UI's actions reach the audit log. */
static void
session_audit(struct session *s, const char *action, const char *subject)
{
	const char *actor = s->v.staff_name != NULL ? s->v.staff_name : "kiosk";
	char *cause = NULL;

	if (store_audit(s->store, actor, action, subject, &cause) != 0) {
		syslog(LOG_ERR, "audit: %s", cause);
		free(cause);
	}
}

/* A store error: logged (no personal data in causes), shown as a notice. */
static void
session_store_failed(struct session *s, const char *what, char *cause)
{
	syslog(LOG_ERR, "%s: %s", what, cause != NULL ? cause : "?");
	free(cause);
	s->v.notice = NOTICE_STORE_FAILED;
}

static void
session_rows_free(struct session *s)
{
	size_t i;

	for (i = 0; s->rows != NULL && i < s->v.nrows; i++)
		wipe_free(s->rows[i].name);
	free(s->rows);
	staff_rows_free(s->list, s->v.nrows);
	s->list = NULL;
	s->rows = NULL;
	s->v.rows = NULL;
	s->v.nrows = 0;
	s->v.open_row = -1;
}

static void
session_detail_free(struct session *s)
{
	staff_lines_free(s->detail, s->v.ndetail);
	s->detail = NULL;
	s->v.detail = NULL;
	s->v.ndetail = 0;
	free(s->exclusion);
	s->exclusion = NULL;
	s->v.exclusion = NULL;
}

static void
session_audit_free(struct session *s)
{
	size_t i;

	for (i = 0; s->audit != NULL && i < s->v.naudit; i++) {
		free(s->audit[i].actor);
		free(s->audit[i].action);
		free(s->audit[i].subject);
	}
	free(s->audit);
	s->audit = NULL;
	s->v.audit = NULL;
	s->v.naudit = 0;
}

static void
session_sync_free(struct session *s)
{
	free(s->sync_status.alert);
	free(s->sync_status.last_error);
	free(s->sync_status.last_success);
	memset(&s->sync_status, 0, sizeof s->sync_status);
	s->v.sync = NULL;
}

static void
session_seen_free(struct session *s)
{
	size_t i;

	for (i = 0; i < s->nseen; i++)
		free(s->seen[i]);
	free(s->seen);
	s->seen = NULL;
	s->nseen = 0;
}

/* Drop every piece of staff data (sign-out, exit). */
static void
session_staff_wipe(struct session *s)
{
	session_rows_free(s);
	session_detail_free(s);
	session_audit_free(s);
	session_sync_free(s);
	session_seen_free(s);
	s->signed_in = false;
	s->confirmed = false;
	s->v.staff_name = NULL;
	s->v.confirm_clear = false;
	s->v.intake_id[0] = '\0';
	s->v.bells = 0;
}

/* Local midnight today, for "today's intakes". */
static int64_t
session_today(const struct session *s)
{
	time_t now = (time_t)session_wall_s(s);
	struct tm tm;

	localtime_r(&now, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

/* Whether a flagged intake's id was listed before (and remember it). */
static bool
session_seen(struct session *s, const char *id)
{
	size_t i;

	for (i = 0; i < s->nseen; i++) {
		if (strcmp(s->seen[i], id) == 0)
			return true;
	}
	s->seen = xrealloc(s->seen, (s->nseen + 1) * sizeof *s->seen);
	s->seen[s->nseen++] = xstrdup(id);
	return false;
}

static enum flag_level
session_level(const char *outcome)
{
	if (strcmp(outcome, "exclude") == 0)
		return LEVEL_EXCLUDE;
	if (strcmp(outcome, "review") == 0)
		return LEVEL_REVIEW;
	return LEVEL_NONE;
}

/* One listed intake as the view shows it; a new flagged one rings. */
static void
session_row(struct session *s, struct view_row *r, const struct staff_row *in,
    bool first)
{
	memcpy(r->id, in->id, sizeof r->id);
	memcpy(r->receipt, in->receipt, sizeof r->receipt);
	r->completed_at = in->completed_at;
	r->outcome = session_level(in->outcome);
	r->decision = view_decision_parse(in->decision);
	r->sync = view_sync_parse(in->sync);
	r->consent_declined = in->consent_declined != 0;
	r->name = xstrdup(in->name);
	r->fresh = false;
	if (r->outcome != LEVEL_NONE && !session_seen(s, in->id) && !first) {
		r->fresh = true;
		s->v.bells++;
		syslog(LOG_INFO, "staff: new %s intake %s listed",
		    form_level_name(r->outcome), in->id);
	}
}

/* Today's intakes into the view; at sign-in nothing rings. */
static void
session_load_rows(struct session *s)
{
	bool first = s->quiet;
	struct staff_row *in = NULL;
	char *cause = NULL, open[37];
	bool fresh;
	size_t n = 0, i, j;

	memcpy(open, s->v.intake_id, sizeof open);
	if (staff_list(s->store, session_today(s), &in, &n, &cause) != 0) {
		session_store_failed(s, "staff list", cause);
		return;
	}
	/* A row still new since the last look stays highlighted. */
	struct view_row *old = s->rows;
	size_t nold = s->v.nrows;

	s->rows = xcalloc(n + 1, sizeof *s->rows);
	for (i = 0; i < n; i++) {
		session_row(s, &s->rows[i], &in[i], first);
		for (j = 0, fresh = false; j < nold && !fresh; j++)
			fresh = old[j].fresh && strcmp(old[j].id, in[i].id) == 0;
		s->rows[i].fresh = s->rows[i].fresh || fresh;
	}
	for (j = 0; j < nold; j++)
		wipe_free(old[j].name);
	free(old);
	staff_rows_free(s->list, nold);
	s->list = in;
	s->v.rows = s->rows;
	s->v.nrows = n;
	s->v.open_row = -1;
	for (i = 0; i < n; i++) {
		if (strcmp(s->rows[i].id, open) == 0)
			s->v.open_row = (long)i;
	}
	s->v.generation++;
}

/* The open intake's detail (and what excluded it). */
static void
session_load_detail(struct session *s)
{
	char **lines = NULL, *cause = NULL;
	size_t n = 0;

	session_detail_free(s);
	if (staff_detail(s->store, s->form, s->v.intake_id, &lines, &n,
	    &cause) != 0) {
		session_store_failed(s, "staff detail", cause);
		return;
	}
	s->detail = lines;
	s->v.detail = lines;
	s->v.ndetail = n;
	if (staff_exclusions(s->store, s->v.intake_id, &s->exclusion,
	    &cause) != 0) {
		session_store_failed(s, "staff exclusions", cause);
		return;
	}
	s->v.exclusion = s->exclusion;
	s->v.intake_outcome = s->exclusion != NULL ? LEVEL_EXCLUDE : LEVEL_NONE;
	s->v.generation++;
}

/* store_each_audit callback: prepend, so the newest comes first. */
static int
session_audit_row(const struct store_audit *a, void *arg)
{
	struct session *s = arg;
	struct view_audit *e;

	s->audit = xrealloc(s->audit, (s->v.naudit + 1) * sizeof *s->audit);
	memmove(s->audit + 1, s->audit, s->v.naudit * sizeof *s->audit);
	e = &s->audit[0];
	e->at = a->at;
	e->actor = xstrdup(a->actor != NULL ? a->actor : "?");
	e->action = xstrdup(a->action != NULL ? a->action : "?");
	e->subject = xstrdup(a->subject != NULL ? a->subject : "");
	s->v.naudit++;
	return 0;
}

static void
session_load_audit(struct session *s)
{
	char *cause = NULL;

	session_audit_free(s);
	if (store_each_audit(s->store, session_today(s), session_audit_row, s,
	    &cause) != 0)
		session_store_failed(s, "audit", cause);
	s->v.audit = s->audit;
	s->v.generation++;
}

/* A meta value from the sync engine, or NULL. */
static char *
session_meta(struct session *s, const char *key)
{
	char *v = NULL, *cause = NULL;

	if (store_meta_get(s->store, key, &v, &cause) != 0) {
		session_store_failed(s, "status", cause);
		return NULL;
	}
	return v;
}

static void
session_load_sync(struct session *s)
{
	struct view_sync_status *st = &s->sync_status;
	struct store_counts c;
	char *cause = NULL;

	session_sync_free(s);
	st->has_server = s->cfg->has_server != 0;
	if (store_counts(s->store, &c, &cause) != 0) {
		session_store_failed(s, "status", cause);
		return;
	}
	st->pending = c.pending;
	st->sent = c.sent;
	st->parked = c.parked;
	st->purged = c.purged;
	st->review_pending = c.review_pending;
	st->review_sent = c.review_sent;
	st->review_parked = c.review_parked;
	st->oldest_pending_at = c.oldest_pending_at;
	st->alert = session_meta(s, "alert");
	st->last_error = session_meta(s, "last_error");
	st->last_success = session_meta(s, "last_success_at");
	s->v.sync = st;
	session_load_rows(s);
}

/* Reload whatever the current staff page shows. */
static void
session_reload(struct session *s)
{
	switch (s->flow.state) {
	case FLOW_STAFF_HOME:
		session_load_rows(s);
		break;
	case FLOW_STAFF_DETAIL:
		session_load_rows(s);
		session_load_detail(s);
		break;
	case FLOW_STAFF_SYNC:
		session_load_sync(s);
		break;
	case FLOW_STAFF_AUDIT:
		session_load_audit(s);
		break;
	default:
		break;
	}
}

/* The prompt's lock or delay, read from the store (shared counters). */
static void
session_load_pin(struct session *s)
{
	enum pin_result state;
	char *cause = NULL;
	long wait = 0;

	if (pin_state(s->store, s->cfg, session_wall_s(s), &state, &wait,
	    &cause) != 0) {
		session_store_failed(s, "pin", cause);
		state = PIN_OK;
	}
	s->pin_until_ms = state == PIN_OK ? 0 : session_mono(s) + wait * 1000;
	s->v.pin = state == PIN_LOCKED ? VPIN_LOCKED : state == PIN_WAIT ?
	    VPIN_WAIT : VPIN_OPEN;
}

/* Derived numbers the view shows (countdowns). */
static void
session_refresh_view(struct session *s)
{
	int64_t now = session_mono(s), left;
	const struct config *c = s->cfg;

	s->v.page = s->flow.state;
	s->v.now = session_wall_s(s);
	s->v.answers = s->intake != NULL ? s->intake->answers : NULL;
	s->v.form_page = s->flow.page;
	s->v.clause = s->flow.clause;
	s->v.edit_item = s->flow.edit_item;
	s->v.editing = s->flow.editing;
	s->v.consent_read = s->flow.consent_read;
	if (s->intake != NULL) {
		s->v.given_name = intake_given_name(s->intake);
		memcpy(s->v.receipt, s->intake->receipt, sizeof s->v.receipt);
		s->v.outcome = s->intake->outcome;
		s->v.declined = s->intake->consent == CONSENT_DECLINED;
	} else {
		s->v.given_name = "";
		s->v.receipt[0] = '\0';
	}
	left = s->last_input_ms + (c->idle_timeout_s + c->idle_warning_s) *
	    1000LL - now;
	s->v.idle_left_s = left > 0 ? (long)((left + 999) / 1000) : 0;
	s->v.pin_wait_s = 0;
	if (s->pin_until_ms > now)
		s->v.pin_wait_s = (long)((s->pin_until_ms - now + 999) / 1000);
	else if (s->v.pin != VPIN_OPEN)
		s->v.pin = VPIN_OPEN;
}

/* Forget the client entirely. */
static void
session_wipe_client(struct session *s)
{
	intake_free(s->intake);
	s->intake = NULL;
	s->v.idle_warning = false;
	s->v.given_name = "";
}

/* The page changed: reset its clocks, load what it shows. */
static void
session_entered(struct session *s, enum flow_state from)
{
	if (s->flow.state == from)
		return;
	s->entered_ms = session_mono(s);
	s->v.notice = NOTICE_NONE;
	s->v.confirm_clear = false;
	s->confirmed = false;
	switch (s->flow.state) {
	case FLOW_WELCOME:
		session_wipe_client(s);
		session_staff_wipe(s);
		break;
	case FLOW_PIN:
		session_load_pin(s);
		break;
	case FLOW_QUIT:
		session_wipe_client(s);
		session_staff_wipe(s);
		break;
	default:
		session_reload(s);
		break;
	}
}

static void session_move(struct session *, enum flow_event);

/* Today in local time, on the session's clock. */
static struct kdate
session_kdate(const struct session *s)
{
	time_t t = (time_t)session_wall_s(s);
	struct tm tm;
	struct kdate d;

	localtime_r(&t, &tm);
	d.y = tm.tm_year + 1900;
	d.m = tm.tm_mon + 1;
	d.d = tm.tm_mday;
	return d;
}

/* Store the intake; on failure stay on the commit page with a notice. */
static void
session_commit(struct session *s)
{
	char *cause = NULL;

	if (intake_commit(s->intake, s->store, s->cfg->kiosk_id,
	    s->clock.wall_ms(s->clock.arg), session_kdate(s), &cause) != 0) {
		syslog(LOG_ERR, "intake %s not stored: %s", s->intake->id,
		    cause);
		free(cause);
		s->v.notice = NOTICE_COMMIT_FAILED;
		return;
	}
	syslog(LOG_INFO, "intake %s stored, outcome %s", s->intake->id,
	    form_level_name(s->intake->outcome));
	sync_wake(s->sync);
	session_move(s, EV_STORED);
}

/* Apply a flow event, then whatever the new page needs. */
static void
session_move(struct session *s, enum flow_event ev)
{
	enum flow_state from = s->flow.state;

	s->v.serial++;
	flow_event(&s->flow, ev);
	session_entered(s, from);
	if (s->flow.state == FLOW_COMMIT && from != FLOW_COMMIT)
		session_commit(s);
}

/* Enter on the welcome page: a check-in starts (console: sign-in). */
static void
session_start(struct session *s)
{
	if (s->v.console) {
		session_move(s, EV_STAFF);
		return;
	}
	s->intake = intake_new(s->form, s->v.lang, session_wall_s(s));
	if (s->intake == NULL) {
		s->v.notice = NOTICE_START_FAILED;
		return;
	}
	flow_start(&s->flow, s->intake->answers);
	s->v.serial++;
	s->entered_ms = session_mono(s);
	s->v.notice = NOTICE_NONE;
}

/* A typed PIN. Wrong ones and locks go to syslog, never the PIN. */
static void
session_pin(struct session *s, const char *pin)
{
	enum pin_result res;
	char *cause = NULL;
	size_t who = 0;
	long wait = 0;

	if (pin == NULL || !pin_valid(pin)) {
		s->v.notice = NOTICE_PIN_FORMAT;
		return;
	}
	if (pin_check(s->store, s->cfg, pin, session_wall_s(s), &res, &who,
	    &wait, &cause) != 0) {
		session_store_failed(s, "pin", cause);
		return;
	}
	switch (res) {
	case PIN_OK:
		s->signed_in = true;
		s->v.staff_name = s->cfg->staff[who].name;
		syslog(LOG_INFO, "staff sign-in%s", s->v.console ?
		    " at the console" : "");
		if (store_data_version(s->store, &s->data_version,
		    &cause) != 0)
			session_store_failed(s, "data version", cause);
		s->quiet = true;
		session_move(s, EV_SIGNED_IN);
		s->quiet = false;
		s->live_at_ms = session_mono(s) + SESSION_LIVE_MS;
		return;
	case PIN_WRONG:
		syslog(LOG_WARNING, "staff PIN wrong; next try in %ld s", wait);
		s->v.notice = NOTICE_PIN_WRONG;
		break;
	case PIN_LOCKED:
		syslog(LOG_WARNING, "staff PIN prompt locked for %ld s after "
		    "too many wrong PINs", wait);
		s->v.notice = NOTICE_PIN_WAIT;
		break;
	default:
		s->v.notice = NOTICE_PIN_WAIT;
		break;
	}
	session_load_pin(s);
}

/* Record a decision on the open intake. */
static void
session_save(struct session *s, enum view_decision d, const char *note)
{
	char *cause = NULL, id[37];

	if (d == DECISION_NONE) {
		s->v.notice = NOTICE_CHOOSE_DECISION;
		return;
	}
	if (d == DECISION_CLEARED && s->v.intake_outcome == LEVEL_EXCLUDE) {
		if (!s->confirmed) {
			s->v.confirm_clear = true;
			s->v.notice = NOTICE_NONE;
			return;
		}
		if (note == NULL || note[strspn(note, " ")] == '\0') {
			s->confirmed = false;
			s->v.notice = NOTICE_NOTE_REQUIRED;
			return;
		}
	}
	if (staff_decide(s->store, s->v.intake_id, view_decision_word(d), note,
	    s->v.staff_name, session_wall_s(s), id, &cause) != 0) {
		syslog(LOG_ERR, "decision on %s: %s", s->v.intake_id, cause);
		free(cause);
		s->v.notice = NOTICE_SAVE_FAILED;
		return;
	}
	syslog(LOG_INFO, "review %s of intake %s stored", id, s->v.intake_id);
	sync_wake(s->sync);
	session_move(s, EV_NEXT);
	s->v.notice = NOTICE_SAVED;
}

/* The clearance question answered yes: note required, then saved. */
static void
session_confirm(struct session *s, const char *note)
{
	if (!s->v.confirm_clear || s->flow.state != FLOW_STAFF_DECIDE)
		return;		/* only an answer to the question asked */
	s->v.confirm_clear = false;
	s->confirmed = true;
	session_save(s, DECISION_CLEARED, note);
}

static void
session_sync_now(struct session *s)
{
	char *cause = NULL;

	if (!s->cfg->has_server) {
		s->v.notice = NOTICE_NO_SERVER;
		return;
	}
	if (store_due_now(s->store, session_wall_s(s), &cause) != 0) {
		session_store_failed(s, "sync now", cause);
		return;
	}
	session_audit(s, "sync-now", NULL);
	sync_now(s->sync);
	s->v.notice = NOTICE_SYNC_DUE;
	session_load_sync(s);
}

/* Staff pages: open, decide, sign out, exit. */
static void
session_staff_event(struct session *s, const struct session_event *e)
{
	switch (e->type) {
	case SE_FIND:
		s->v.found_row = staff_find(s->list, s->v.nrows, e->text);
		break;
	case SE_OPEN:
		if (e->intake_id == NULL || strlen(e->intake_id) >= 37)
			return;
		memcpy(s->v.intake_id, e->intake_id, strlen(e->intake_id) + 1);
		session_audit(s, "open", s->v.intake_id);
		session_move(s, EV_OPEN);
		break;
	case SE_DECIDE:
		session_move(s, EV_DECIDE);
		break;
	case SE_SAVE:
		if (s->flow.state == FLOW_STAFF_DECIDE)
			session_save(s, e->choice, e->text);
		break;
	case SE_CONFIRM:
		session_confirm(s, e->text);
		break;
	case SE_CANCEL:
		s->v.confirm_clear = false;
		s->confirmed = false;
		break;
	case SE_SYNC:
		session_move(s, EV_SYNC);
		break;
	case SE_SYNC_NOW:
		if (s->flow.state == FLOW_STAFF_SYNC)
			session_sync_now(s);
		break;
	case SE_AUDIT:
		session_move(s, EV_AUDIT);
		break;
	case SE_EXIT:
		session_move(s, EV_EXIT);
		break;
	default:
		break;
	}
}

/* Next / Back and the like, with what each page adds to them. */
static void
session_nav(struct session *s, enum session_ev type)
{
	switch (s->flow.state) {
	case FLOW_WELCOME:
		if (type == SE_NEXT)
			session_start(s);
		else if (type == SE_STAFF)
			session_move(s, EV_STAFF);
		return;
	case FLOW_COMMIT:
		if (type == SE_NEXT)
			session_commit(s);	/* Enter tries again */
		return;
	case FLOW_CLAUSE:
		if (type == SE_NEXT && s->intake != NULL &&
		    s->flow.clause < s->form->consent.nclauses)
			s->intake->clause_at[s->flow.clause] = session_wall_s(s);
		break;
	case FLOW_DECLINE:
		if (type == SE_NEXT && s->intake != NULL)
			s->intake->consent = CONSENT_DECLINED;
		break;
	case FLOW_SIGN:
		if (type == SE_NEXT)
			return;		/* only SE_SIGN signs */
		break;
	case FLOW_STAFF_HOME:
		if (type == SE_BACK)
			session_audit(s, "sign-out", NULL);
		break;
	case FLOW_STAFF_EXIT:
		if (type == SE_NEXT) {
			session_audit(s, "exit", s->v.console ? "console" :
			    NULL);
			syslog(LOG_NOTICE, "%s exit requested by staff",
			    s->v.console ? "console" : "kiosk");
		}
		break;
	case FLOW_STAFF_DECIDE:
		if (type == SE_NEXT)
			return;		/* only SE_SAVE saves */
		break;
	default:
		break;
	}
	session_move(s, type == SE_NEXT ? EV_NEXT : type == SE_BACK ? EV_BACK :
	    type == SE_DECLINE ? EV_DECLINE : type == SE_DONE ? EV_DONE :
	    EV_NONE);
}

int
session_handle(struct session *s, const struct session_event *e, char **msg)
{
	if (msg != NULL)
		*msg = NULL;
	if (e->type != SE_NONE)
		s->v.notice = NOTICE_NONE;
	switch (e->type) {
	case SE_NONE:
		return 0;
	case SE_NEXT:
	case SE_BACK:
	case SE_STAFF:
	case SE_DONE:
	case SE_DECLINE:
		session_nav(s, e->type);
		break;
	case SE_EDIT:
		s->flow.edit_item = e->item;
		session_move(s, EV_EDIT);
		break;
	case SE_ANSWER:
		if (s->intake == NULL || s->flow.state != FLOW_PAGE)
			return 0;
		if (answers_set(s->intake->answers, e->item, e->text,
		    session_kdate(s), msg) != 0)
			return -1;
		break;
	case SE_CONSENT_READ:
		if (s->flow.state == FLOW_CONSENT)
			s->flow.consent_read = true;
		break;
	case SE_SIGN:
		if (s->intake == NULL || s->flow.state != FLOW_SIGN)
			return 0;
		if (intake_sign(s->intake, e->text != NULL ? e->text : "",
		    session_wall_s(s), msg) != 0)
			return -1;
		s->intake->consent = CONSENT_ACCEPTED;
		session_move(s, EV_NEXT);
		break;
	case SE_PIN:
		if (s->flow.state == FLOW_PIN && s->pin_until_ms <=
		    session_mono(s))
			session_pin(s, e->text);
		else if (s->flow.state == FLOW_PIN)
			s->v.notice = NOTICE_PIN_WAIT;
		break;
	default:
		if (s->signed_in)
			session_staff_event(s, e);
		break;
	}
	session_refresh_view(s);
	return 0;
}

bool
session_input(struct session *s)
{
	s->last_input_ms = session_mono(s);
	if (s->v.idle_warning) {
		s->v.idle_warning = false;
		session_refresh_view(s);
		return true;
	}
	return false;
}

/* Retention: at start-up and then once a day (the kiosk only). */
static void
session_purge(struct session *s)
{
	char *cause = NULL;
	long purged = 0;

	s->purge_at_ms = session_mono(s) + SESSION_PURGE_MS;
	if (staff_purge(s->store, s->cfg->retention_days, session_wall_s(s),
	    &purged, &cause) != 0) {
		syslog(LOG_ERR, "retention: %s", cause);
		free(cause);
		return;
	}
	if (purged > 0)
		syslog(LOG_INFO, "retention: personal data of %ld intakes "
		    "removed", purged);
}

/* Signed in: once a second, reload when another process wrote. */
static void
session_live(struct session *s, int64_t now)
{
	char *cause = NULL;
	int64_t version;

	if (!s->signed_in || now < s->live_at_ms)
		return;
	s->live_at_ms = now + SESSION_LIVE_MS;
	if (store_data_version(s->store, &version, &cause) != 0) {
		session_store_failed(s, "data version", cause);
		return;
	}
	if (version == s->data_version)
		return;
	s->data_version = version;
	session_reload(s);
}

/* Whether staff have been idle too long (prompt or signed in). */
static bool
session_staff_idle(const struct session *s, int64_t now)
{
	return flow_staff_active(&s->flow) && now >= s->last_input_ms +
	    s->cfg->staff_idle_logout_s * 1000LL;
}

void
session_tick(struct session *s)
{
	const struct config *c = s->cfg;
	int64_t now = session_mono(s);
	int64_t idle = c->idle_timeout_s * 1000LL;
	int64_t warn = c->idle_warning_s * 1000LL;

	if (!s->v.console && now >= s->purge_at_ms)
		session_purge(s);
	if (s->flow.state == FLOW_THANKS &&
	    now >= s->entered_ms + SESSION_THANKS_MS)
		session_move(s, EV_DONE);
	else if (session_staff_idle(s, now)) {
		syslog(LOG_INFO, "staff signed out after idle timeout");
		if (s->signed_in)
			session_audit(s, "sign-out", "idle");
		session_move(s, EV_TIMEOUT);
	} else if (flow_client_active(&s->flow)) {
		if (now >= s->last_input_ms + idle + warn) {
			syslog(LOG_INFO, "intake %s abandoned after idle "
			    "timeout", s->intake != NULL ? s->intake->id : "-");
			session_move(s, EV_TIMEOUT);
		} else if (now >= s->last_input_ms + idle)
			s->v.idle_warning = true;
	}
	session_live(s, now);
	session_refresh_view(s);
}

/* The earliest of the deadlines that apply now. */
static int64_t
session_deadline(const struct session *s, int64_t now)
{
	const struct config *c = s->cfg;
	int64_t at = s->v.console ? INT64_MAX : s->purge_at_ms, d;

	if (s->flow.state == FLOW_THANKS)
		d = s->entered_ms + SESSION_THANKS_MS;
	else if (flow_staff_active(&s->flow))
		d = s->last_input_ms + c->staff_idle_logout_s * 1000LL;
	else if (!flow_client_active(&s->flow))
		d = INT64_MAX;
	else if (!s->v.idle_warning)
		d = s->last_input_ms + c->idle_timeout_s * 1000LL;
	else {
		/* The countdown ticks every second. */
		d = s->last_input_ms + (c->idle_timeout_s +
		    c->idle_warning_s) * 1000LL;
		if (d - now > 1000)
			d = now + 1000 - (now - s->last_input_ms) % 1000;
	}
	if (d < at)
		at = d;
	if (s->signed_in && s->live_at_ms < at)
		at = s->live_at_ms;
	/* A lock or delay on the prompt counts down every second. */
	if (s->flow.state == FLOW_PIN && s->pin_until_ms > now &&
	    now + 1000 < at)
		at = now + 1000;
	return at;
}

long
session_timeout_ms(const struct session *s)
{
	int64_t now = session_mono(s), at = session_deadline(s, now);

	if (at == INT64_MAX)
		return -1;
	if (at <= now)
		return 0;
	if (at - now > SESSION_DAY_S * 1000LL)
		return SESSION_DAY_S * 1000L;
	return (long)(at - now);
}

const struct session_view *
session_view(const struct session *s)
{
	return &s->v;
}

struct session *
session_new(const struct session_setup *setup)
{
	struct session *s = xcalloc(1, sizeof *s);

	s->cfg = setup->cfg;
	s->form = setup->form;
	s->store = setup->store;
	s->sync = setup->sync;
	s->clock = setup->clock;
	if (s->clock.mono_ms == NULL)
		s->clock.mono_ms = session_sys_mono;
	if (s->clock.wall_ms == NULL)
		s->clock.wall_ms = session_sys_wall;
	flow_init(&s->flow, s->form);
	s->v.console = setup->console;
	s->v.form = s->form;
	s->v.lang = s->form->nlanguages > 0 ? s->form->languages[0] : NULL;
	s->v.idle_logout_s = s->cfg->staff_idle_logout_s;
	s->v.open_row = -1;
	s->v.found_row = -1;
	s->v.given_name = "";
	s->last_input_ms = s->entered_ms = session_mono(s);
	if (!s->v.console)
		session_purge(s);
	session_refresh_view(s);
	return s;
}

void
session_free(struct session *s)
{
	if (s == NULL)
		return;
	session_wipe_client(s);
	session_staff_wipe(s);
	free(s);
}
