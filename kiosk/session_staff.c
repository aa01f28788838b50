/*
 * session_staff.c: the session's staff side: PIN sign-in (wrong PINs and
 * locks to syslog, never the PIN), the pages' data loaded into the view
 * (today's intakes, one intake's detail, the audit, the sync status),
 * the live look for other processes' writes while signed in, decisions
 * (none by default; clearing an exclusion asks again and needs a note),
 * "sync now", and the audit of what staff do. Reads and writes the store
 * only on events and ticks.
 */
#include "session.h"
#include "session_int.h"

#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "pin.h"
#include "staff.h"
#include "store.h"
#include "sync.h"
#include "util.h"

/* The one place the UI's actions reach the audit log. */
void
session_audit(struct session *s, const char *action, const char *subject)
{
	const char *actor = s->v.staff_name != NULL ? s->v.staff_name : "kiosk";
	char *cause = NULL;

	if (store_audit(s->store, actor, action, subject, &cause) != 0) {
		syslog(LOG_ERR, "audit: %s", cause);
		free(cause);
	}
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
	free(s->sync_status.damaged);
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
void
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
	st->review_blocked = c.review_blocked;
	st->damaged = session_meta(s, "damaged");
	st->alert = session_meta(s, "alert");
	st->last_error = session_meta(s, "last_error");
	st->last_success = session_meta(s, "last_success_at");
	if (st->last_success != NULL) {
		char when[STAFF_WHEN_LEN];

		staff_when_rfc3339(st->last_success, when);
		free(st->last_success);
		st->last_success = xstrdup(when);
	}
	s->v.sync = st;
	session_load_rows(s);
}

/* Reload whatever the current staff page shows. */
void
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
void
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

/* A typed PIN. Wrong ones and locks go to syslog, never the PIN. */
void
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

/* Every parked record back in the queue (audited by the store), sent now. */
static void
session_requeue(struct session *s)
{
	char *cause = NULL;
	long n = 0;

	if (staff_requeue(s->store, NULL, s->v.staff_name, session_wall_s(s),
	    &n, &cause) != 0) {
		syslog(LOG_ERR, "requeue: %s", cause);
		free(cause);
		s->v.notice = NOTICE_REQUEUE_FAILED;
		return;
	}
	if (s->sync != NULL)
		sync_now(s->sync);
	s->v.notice = NOTICE_REQUEUED;
	session_load_sync(s);
}

/* Staff pages: open, decide, sign out, exit. */
void
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
	case SE_REQUEUE:
		if (s->flow.state == FLOW_STAFF_SYNC)
			session_requeue(s);
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

/* Signed in: once a second, reload when another process wrote. */
void
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
