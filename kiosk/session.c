/*
 * session.c: the person at the terminal, decided in the core. Screens
 * send events; this module moves the flow (flow.c picks pages), keeps the
 * intake and the staff data, enforces every deadline on an injected
 * clock, and writes the audit. It reads and writes the store only on
 * events and ticks, never while a screen draws. No terminal code here.
 *
 * Staff pages, sign-in and decisions are in session_staff.c.
 *
 * Console mode (`kiosk staff`): the welcome page is a sign-in page, no
 * client is ever served, nothing is sent from here (the kiosk's sync
 * thread or `kiosk sync` sends what staff decide), and no timer runs
 * while nobody is signed in.
 */
#include "session.h"
#include "session_int.h"

#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "config.h"
#include "date.h"
#include "flow.h"
#include "form.h"
#include "intake.h"
#include "staff.h"
#include "sync.h"
#include "util.h"

#define SESSION_THANKS_MS 20000		/* thank-you page, then welcome */
#define SESSION_PURGE_MS (24 * 3600 * 1000LL)	/* retention runs daily */
#define SESSION_DAY_S 86400

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

int64_t
session_mono(const struct session *s)
{
	return s->clock.mono_ms(s->clock.arg);
}

int64_t
session_wall_s(const struct session *s)
{
	return s->clock.wall_ms(s->clock.arg) / 1000;
}

/* A store error: logged (no personal data in causes), shown as a notice. */
void
session_store_failed(struct session *s, const char *what, char *cause)
{
	syslog(LOG_ERR, "%s: %s", what, cause != NULL ? cause : "?");
	free(cause);
	s->v.notice = NOTICE_STORE_FAILED;
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
	/* The next client starts in the form's first language. */
	s->v.lang = s->form->nlanguages > 0 ? s->form->languages[0] : NULL;
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
void
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

/*
 * The client switches language (the welcome page, or any client page):
 * every answer stays. The consent is in the language it was shown in;
 * when that changes, it is shown again (from the top) before signing.
 */
static void
session_language(struct session *s, const char *lang)
{
	size_t i;

	if (s->v.console || lang == NULL || s->flow.state >= FLOW_COMMIT)
		return;
	for (i = 0; i < s->form->nlanguages; i++) {
		if (strcmp(s->form->languages[i], lang) == 0)
			break;
	}
	if (i == s->form->nlanguages || strcmp(s->v.lang, lang) == 0)
		return;
	s->v.lang = s->form->languages[i];
	if (s->intake == NULL)
		return;
	s->intake->language = s->v.lang;
	if (s->flow.state == FLOW_CONSENT) {
		s->flow.consent_read = false;
		s->v.serial++;		/* the page starts again */
	} else if (s->flow.state == FLOW_CLAUSE ||
	    s->flow.state == FLOW_SIGN || (s->flow.state == FLOW_DECLINE &&
	    s->flow.before_decline != FLOW_CONSENT)) {
		s->flow.consent_read = false;
		s->flow.state = FLOW_CONSENT;
		s->v.serial++;
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
		if (s->flow.state != FLOW_REVIEW)
			return 0;
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
		if (s->flow.state == FLOW_CONSENT) {
			s->flow.consent_read = true;
			if (s->intake != NULL)
				s->intake->consent_language = s->v.lang;
		}
		break;
	case SE_LANG:
		session_language(s, e->text);
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
	s->v.staff_lang = s->cfg->staff_language != NULL ?
	    s->cfg->staff_language : "en";
	s->v.high_contrast = s->cfg->high_contrast;
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
