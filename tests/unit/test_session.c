/*
 * test_session.c: the session's policy, on a fake clock, against a real
 * store in a temp dir and a small form under tests/data (never the
 * shipped one): idle warning and wipe, any key resuming, the decline
 * path, commit failure and "Enter tries again", the thank-you page, staff
 * sign-in, idle sign-out, lockout shared by two sessions, decisions (no
 * default; clearing an exclusion asks again and needs a note), and the
 * console seeing a kiosk's intake within a second. Each scenario is a
 * row: a list of steps, each an event, a clock move or an expectation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "config.h"
#include "form.h"
#include "pin.h"
#include "session.h"
#include "store.h"
#include "util.h"

#define FORM_PATH "tests/data/session_form.json"
#define GOOD_PIN "246810"
#define WALL0 1780300800000LL	/* 2026-06-01T08:00:00Z */
#define IDLE_S 30
#define WARN_S 10
#define LOGOUT_S 60
#define LOCK_S 300
#define MAX_STEPS 48

/* Items of tests/data/session_form.json. */
enum { GIVEN, FAMILY, PREGNANT, SKIN };

enum op {
	END,
	EV,		/* send .ev (.item, .text, .choice) to session .who */
	EV_FAILS,	/* the same, refused (-1 with a message) */
	INPUT,		/* a key arrived at session .who */
	WAIT,		/* the clock moves .n ms; then both sessions tick */
	PAGE,		/* session .who shows page .n */
	NOTICE,		/* ... with notice .n */
	IDLE_WARNING,	/* ... "Are you still there?" is (.n) up */
	NO_CLIENT,	/* ... holds no answers */
	PIN_STATE,	/* ... the prompt is in state .n */
	STORED,		/* the store holds .n intakes */
	DECLINED,	/* the last stored intake's consent is "declined" */
	REVIEWS,	/* the store holds .n decisions */
	AUDITS,		/* the audit has .n entries with action .text */
	ROWS,		/* session .who lists .n intakes */
	BELLS,		/* session .who has rung .n times */
	CONFIRMING,	/* session .who asks to confirm a clearance (.n) */
	TIMEOUT_NONE,	/* session .who waits for nothing (-1) */
	TIMEOUT_MAX,	/* session .who wakes within .n ms */
	OPEN_FIRST,	/* session .who opens its first listed intake */
	BREAK_STORE,	/* intakes cannot be stored (.n 1) or can again (0) */
	AUDIT_PAGE,	/* session .who's audit page lists at least .n entries */
	STAFF_GONE,	/* session .who holds no staff data */
	LANG,		/* session .who shows the client language .text */
	ANSWERED,	/* session .who holds answer .text for .item */
	CONSENT_LANG,	/* the last stored consent is in .text, its text
			   and hash exactly the form's in that language */
};

struct step {
	enum op op;
	int who;
	enum session_ev ev;
	size_t item;
	const char *text;
	enum view_decision choice;
	long n;
};

struct scenario {
	const char *name;
	bool console1;		/* session 1 is a staff console */
	struct step steps[MAX_STEPS];
};

#define E(e) { EV, 0, (e), 0, NULL, 0, 0 }
#define E1(e) { EV, 1, (e), 0, NULL, 0, 0 }
#define ANSWER(i, t) { EV, 0, SE_ANSWER, (i), (t), 0, 0 }
#define PIN(w, t) { EV, (w), SE_PIN, 0, (t), 0, 0 }
#define SAVE(w, d, t) { EV, (w), SE_SAVE, 0, (t), (d), 0 }
#define CONSENT_LANG(t) { CONSENT_LANG, 0, 0, 0, (t), 0, 0 }
#define CONFIRM(w, t) { EV, (w), SE_CONFIRM, 0, (t), 0, 0 }
#define X(o, w, v) { (o), (w), 0, 0, NULL, 0, (v) }
#define WAIT_MS(ms) { WAIT, 0, 0, 0, NULL, 0, (ms) }
#define AUDIT(t, v) { AUDITS, 0, 0, 0, (t), 0, (v) }
#define SET_LANG(t) { EV, 0, SE_LANG, 0, (t), 0, 0 }
#define IS_LANG(t) { LANG, 0, 0, 0, (t), 0, 0 }
#define HOLDS(i, t) { ANSWERED, 0, 0, (i), (t), 0, 0 }

/* A client from the welcome page to the signature page. */
#define TO_SIGN(preg) \
	E(SE_NEXT), X(PAGE, 0, FLOW_ABOUT), E(SE_NEXT), \
	ANSWER(GIVEN, "Ana"), ANSWER(FAMILY, "Lee"), E(SE_NEXT), \
	ANSWER(PREGNANT, (preg)), E(SE_NEXT), ANSWER(SKIN, "oily"), \
	E(SE_NEXT), X(PAGE, 0, FLOW_REVIEW), E(SE_NEXT), \
	X(PAGE, 0, FLOW_CONSENT), E(SE_CONSENT_READ), E(SE_NEXT), \
	X(PAGE, 0, FLOW_CLAUSE), E(SE_NEXT), X(PAGE, 0, FLOW_SIGN)
#define SIGN { EV, 0, SE_SIGN, 0, "ana lee", 0, 0 }
/* Session w signs in and opens the first listed intake. */
#define STAFF_OPEN(w) \
	{ EV, (w), SE_STAFF, 0, NULL, 0, 0 }, PIN((w), GOOD_PIN), \
	X(PAGE, (w), FLOW_STAFF_HOME), X(OPEN_FIRST, (w), 0), \
	X(PAGE, (w), FLOW_STAFF_DETAIL), { EV, (w), SE_DECIDE, 0, NULL, 0, 0 }, \
	X(PAGE, (w), FLOW_STAFF_DECIDE)

static const struct scenario scenarios[] = {
	{ "idle: warning, then every answer wiped, nothing stored", false, {
		E(SE_NEXT), E(SE_NEXT), ANSWER(GIVEN, "Ana"),
		X(TIMEOUT_MAX, 0, IDLE_S * 1000),
		WAIT_MS(IDLE_S * 1000 - 1), X(IDLE_WARNING, 0, 0),
		WAIT_MS(1), X(IDLE_WARNING, 0, 1), X(PAGE, 0, FLOW_PAGE),
		X(TIMEOUT_MAX, 0, 1000),
		WAIT_MS(WARN_S * 1000), X(PAGE, 0, FLOW_WELCOME),
		X(NO_CLIENT, 0, 0), X(IDLE_WARNING, 0, 0), X(STORED, 0, 0),
	} },
	{ "idle: a key during the countdown resumes with the answers", false, {
		E(SE_NEXT), E(SE_NEXT), ANSWER(GIVEN, "Ana"),
		WAIT_MS(IDLE_S * 1000 + 5000), X(IDLE_WARNING, 0, 1),
		X(INPUT, 0, 0), X(IDLE_WARNING, 0, 0),
		WAIT_MS(IDLE_S * 1000 - 1), X(PAGE, 0, FLOW_PAGE),
		X(IDLE_WARNING, 0, 0),
	} },
	{ "client: signed, stored, thank-you page for 20 s", false, {
		TO_SIGN("no"), { EV_FAILS, 0, SE_SIGN, 0, "Bob Smith", 0, 0 },
		X(PAGE, 0, FLOW_SIGN), X(STORED, 0, 0), SIGN,
		X(PAGE, 0, FLOW_THANKS), X(STORED, 0, 1),
		WAIT_MS(19999), X(PAGE, 0, FLOW_THANKS),
		WAIT_MS(1), X(PAGE, 0, FLOW_WELCOME), X(NO_CLIENT, 0, 0),
	} },
	{ "decline: asks first, Go back returns, then stored declined", false, {
		TO_SIGN("no"), E(SE_DECLINE), X(PAGE, 0, FLOW_DECLINE),
		E(SE_BACK), X(PAGE, 0, FLOW_SIGN), X(STORED, 0, 0),
		E(SE_DECLINE), E(SE_NEXT), X(PAGE, 0, FLOW_THANKS),
		X(STORED, 0, 1), X(DECLINED, 0, 0),
	} },
	{ "commit fails: stays, answers kept; Enter tries again", false, {
		TO_SIGN("no"), X(BREAK_STORE, 0, 1), SIGN,
		X(PAGE, 0, FLOW_COMMIT), X(NOTICE, 0, NOTICE_COMMIT_FAILED),
		X(STORED, 0, 0), E(SE_NEXT), X(PAGE, 0, FLOW_COMMIT),
		X(BREAK_STORE, 0, 0), E(SE_NEXT), X(PAGE, 0, FLOW_THANKS),
		X(STORED, 0, 1),
	} },
	{ "staff: sign-in, idle sign-out audited, welcome again", false, {
		E(SE_STAFF), X(PAGE, 0, FLOW_PIN), PIN(0, "12"),
		X(NOTICE, 0, NOTICE_PIN_FORMAT), PIN(0, GOOD_PIN),
		X(PAGE, 0, FLOW_STAFF_HOME), AUDIT("sign-in", 1),
		X(TIMEOUT_MAX, 0, 1000),
		WAIT_MS(LOGOUT_S * 1000 - 1), X(INPUT, 0, 0),
		WAIT_MS(LOGOUT_S * 1000 - 1), X(PAGE, 0, FLOW_STAFF_HOME),
		WAIT_MS(1), X(PAGE, 0, FLOW_WELCOME), AUDIT("sign-out", 1),
		E(SE_BACK), X(PAGE, 0, FLOW_WELCOME),
	} },
	{ "staff: Esc on home signs out, audited; nothing of staff mode kept", false, {
		TO_SIGN("yes"), SIGN, E(SE_DONE), E(SE_STAFF), PIN(0, GOOD_PIN),
		X(ROWS, 0, 1), E(SE_AUDIT), X(PAGE, 0, FLOW_STAFF_AUDIT),
		X(AUDIT_PAGE, 0, 1), E(SE_BACK), X(PAGE, 0, FLOW_STAFF_HOME),
		E(SE_SYNC), X(PAGE, 0, FLOW_STAFF_SYNC), E(SE_SYNC_NOW),
		X(NOTICE, 0, NOTICE_NO_SERVER), E(SE_BACK),
		E(SE_BACK), X(PAGE, 0, FLOW_WELCOME), AUDIT("sign-out", 1),
		X(STAFF_GONE, 0, 0), X(TIMEOUT_MAX, 0, 24 * 3600 * 1000),
	} },
	{ "staff: exit asks first; Cancel returns home; Exit quits, audited", false, {
		E(SE_STAFF), PIN(0, GOOD_PIN), E(SE_EXIT),
		X(PAGE, 0, FLOW_STAFF_EXIT), E(SE_BACK),
		X(PAGE, 0, FLOW_STAFF_HOME), AUDIT("exit", 0), E(SE_EXIT),
		E(SE_NEXT), X(PAGE, 0, FLOW_QUIT), AUDIT("exit", 1),
		X(STAFF_GONE, 0, 0),
	} },
	{ "lockout: five wrong PINs at the console lock the kiosk too", true, {
		E1(SE_NEXT), X(PAGE, 1, FLOW_PIN), X(NO_CLIENT, 1, 0),
		PIN(1, "111111"), X(NOTICE, 1, NOTICE_PIN_WRONG),
		X(PIN_STATE, 1, VPIN_WAIT), WAIT_MS(1000),
		X(PIN_STATE, 1, VPIN_OPEN), PIN(1, "111112"), WAIT_MS(2000),
		PIN(1, "111113"), WAIT_MS(4000), PIN(1, "111114"),
		WAIT_MS(8000), PIN(1, "111115"),
		X(PIN_STATE, 1, VPIN_LOCKED), AUDIT("pin-failure", 5),
		E(SE_STAFF), X(PIN_STATE, 0, VPIN_LOCKED), PIN(0, GOOD_PIN),
		X(PAGE, 0, FLOW_PIN), X(NOTICE, 0, NOTICE_PIN_WAIT),
		WAIT_MS(LOCK_S * 1000 - 16000), E(SE_BACK), E(SE_STAFF),
		X(PIN_STATE, 0, VPIN_LOCKED), WAIT_MS(16000),
		X(PIN_STATE, 0, VPIN_OPEN), PIN(0, GOOD_PIN),
		X(PAGE, 0, FLOW_STAFF_HOME),
	} },
	{ "decision: Enter on an untouched page records nothing", false, {
		TO_SIGN("no"), SIGN, E(SE_DONE), STAFF_OPEN(0),
		SAVE(0, DECISION_NONE, NULL), X(PAGE, 0, FLOW_STAFF_DECIDE),
		X(NOTICE, 0, NOTICE_CHOOSE_DECISION), X(REVIEWS, 0, 0),
		SAVE(0, DECISION_CONSULT, ""), X(PAGE, 0, FLOW_STAFF_DETAIL),
		X(REVIEWS, 0, 1), AUDIT("review", 1), AUDIT("open", 1),
	} },
	{ "decision: clearing an exclusion asks again and needs a note", false, {
		TO_SIGN("yes"), SIGN, E(SE_DONE), STAFF_OPEN(0),
		SAVE(0, DECISION_CLEARED, ""), X(CONFIRMING, 0, 1),
		X(REVIEWS, 0, 0), E(SE_CANCEL), X(CONFIRMING, 0, 0),
		X(REVIEWS, 0, 0), SAVE(0, DECISION_CLEARED, ""),
		CONFIRM(0, "  "), X(CONFIRMING, 0, 0),
		X(NOTICE, 0, NOTICE_NOTE_REQUIRED), X(REVIEWS, 0, 0),
		X(PAGE, 0, FLOW_STAFF_DECIDE), CONFIRM(0, "seen by Dr Lee"),
		X(REVIEWS, 0, 0), SAVE(0, DECISION_CLEARED, "seen by Dr Lee"),
		X(CONFIRMING, 0, 1), CONFIRM(0, "seen by Dr Lee"),
		X(REVIEWS, 0, 1), X(PAGE, 0, FLOW_STAFF_DETAIL),
	} },
	{ "decision: declining an exclusion needs no second question", false, {
		TO_SIGN("yes"), SIGN, E(SE_DONE), STAFF_OPEN(0),
		SAVE(0, DECISION_DECLINED, "pregnant"), X(CONFIRMING, 0, 0),
		X(REVIEWS, 0, 1), X(PAGE, 0, FLOW_STAFF_DETAIL),
	} },
	{ "language: a switch keeps every answer; consent read again", false, {
		E(SE_NEXT), IS_LANG("en"), SET_LANG("es"), IS_LANG("es"),
		SET_LANG("fr"), IS_LANG("es"), E(SE_NEXT),
		ANSWER(GIVEN, "María José"), ANSWER(FAMILY, "García Núñez"),
		E(SE_NEXT), ANSWER(PREGNANT, "no"), SET_LANG("en"),
		X(PAGE, 0, FLOW_PAGE), HOLDS(GIVEN, "María José"),
		HOLDS(PREGNANT, "no"), E(SE_NEXT), ANSWER(SKIN, "oily"),
		E(SE_NEXT), X(PAGE, 0, FLOW_REVIEW), E(SE_NEXT),
		X(PAGE, 0, FLOW_CONSENT), E(SE_CONSENT_READ), E(SE_NEXT),
		X(PAGE, 0, FLOW_CLAUSE), SET_LANG("es"),
		X(PAGE, 0, FLOW_CONSENT), E(SE_NEXT), X(PAGE, 0, FLOW_CONSENT),
		E(SE_CONSENT_READ), E(SE_NEXT), X(PAGE, 0, FLOW_CLAUSE),
		E(SE_NEXT), X(PAGE, 0, FLOW_SIGN), HOLDS(FAMILY, "García Núñez"),
		{ EV, 0, SE_SIGN, 0, "maria jose garcia nunez", 0, 0 },
		X(PAGE, 0, FLOW_THANKS), X(STORED, 0, 1), CONSENT_LANG("es"),
		E(SE_DONE), X(PAGE, 0, FLOW_WELCOME), IS_LANG("en"),
	} },
	{ "language: consent read in one, signed after a switch back", false, {
		TO_SIGN("no"), SET_LANG("es"), X(PAGE, 0, FLOW_CONSENT),
		SET_LANG("en"), X(PAGE, 0, FLOW_CONSENT), E(SE_CONSENT_READ),
		E(SE_NEXT), E(SE_NEXT), SIGN, X(STORED, 0, 1),
		CONSENT_LANG("en"),
	} },
	{ "console: a kiosk's flagged intake listed within 1 s, one bell", true, {
		E1(SE_NEXT), PIN(1, GOOD_PIN), X(PAGE, 1, FLOW_STAFF_HOME),
		X(ROWS, 1, 0), X(TIMEOUT_MAX, 1, 1000),
		TO_SIGN("yes"), SIGN, X(STORED, 0, 1), X(ROWS, 1, 0),
		WAIT_MS(1000), X(ROWS, 1, 1), X(BELLS, 1, 1),
		WAIT_MS(1000), X(BELLS, 1, 1),
		E1(SE_BACK), X(PAGE, 1, FLOW_WELCOME), X(TIMEOUT_NONE, 1, 0),
	} },
};

struct clock {
	int64_t mono, wall;
};

struct fixture {
	char dir[64];
	char *state;
	struct store *st[2];
	struct config cfg;
	struct config_staff member;
	struct form *form;
	struct clock clock;
	struct session *s[2];
};

static int64_t
fake_mono(void *arg)
{
	return ((struct clock *)arg)->mono;
}

static int64_t
fake_wall(void *arg)
{
	return ((struct clock *)arg)->wall;
}

/* The PIN lockout measures waits on a monotonic clock: the fake one. */
static const struct clock *pin_clock;

static int64_t
fake_pin_mono(void)
{
	return pin_clock->mono / 1000;
}

static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	char *cause = NULL;

	snprintf(f->dir, sizeof f->dir, "/tmp/test_session.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->state = xasprintf("%s/state", f->dir);
	if (form_load(FORM_PATH, &f->form, &cause) != 0)
		fail_msg("%s", cause);
	assert_int_equal(store_open(f->state, &f->st[0], &cause), 0);
	assert_int_equal(store_open(f->state, &f->st[1], &cause), 0);
	assert_int_equal(pin_hash(GOOD_PIN, &f->member.pin_hash, &cause), 0);
	f->member.name = xstrdup("Ana");
	f->cfg.kiosk_id = xstrdup("test-kiosk");
	f->cfg.idle_timeout_s = IDLE_S;
	f->cfg.idle_warning_s = WARN_S;
	f->cfg.staff = &f->member;
	f->cfg.nstaff = 1;
	f->cfg.staff_idle_logout_s = LOGOUT_S;
	f->cfg.staff_max_attempts = 5;
	f->cfg.staff_lockout_s = LOCK_S;
	f->cfg.retention_days = 7;
	f->clock.mono = 1000000;
	f->clock.wall = WALL0;
	pin_clock = &f->clock;
	pin_monotonic = fake_pin_mono;
	pin_clock_reset();
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char *cmd = xasprintf("rm -rf '%s'", f->dir);

	session_free(f->s[0]);
	session_free(f->s[1]);
	store_close(f->st[0]);
	store_close(f->st[1]);
	form_free(f->form);
	free(f->member.name);
	free(f->member.pin_hash);
	free(f->cfg.kiosk_id);
	free(f->state);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(f);
	return 0;
}

static struct session *
make_session(struct fixture *f, int who, bool console)
{
	struct session_setup setup = {
		.cfg = &f->cfg, .form = f->form, .store = f->st[who],
		.sync = NULL, .console = console,
		.clock = { fake_mono, fake_wall, &f->clock },
	};

	return session_new(&setup);
}

static int
count_row(const struct store_row *row, void *arg)
{
	(void)row;
	(*(long *)arg)++;
	return 0;
}

static long
stored(struct store *st)
{
	char *cause = NULL;
	long n = 0;

	if (store_each_intake(st, INT64_MIN, count_row, &n, &cause) != 0)
		fail_msg("%s", cause);
	return n;
}

static int
count_review(const struct store_review *r, void *arg)
{
	(void)r;
	(*(long *)arg)++;
	return 0;
}

/* store_each_intake callback: count every intake's decisions. */
struct review_count {
	struct store *st;
	char **ids;
	size_t n;
};

static int
gather_id(const struct store_row *row, void *arg)
{
	struct review_count *rc = arg;

	rc->ids = xrealloc(rc->ids, (rc->n + 1) * sizeof *rc->ids);
	rc->ids[rc->n++] = xstrdup(row->id);
	return 0;
}

static long
reviews(struct store *st)
{
	struct review_count rc = { st, NULL, 0 };
	char *cause = NULL;
	long n = 0;
	size_t i;

	assert_int_equal(store_each_intake(st, INT64_MIN, gather_id, &rc,
	    &cause), 0);
	for (i = 0; i < rc.n; i++) {
		assert_int_equal(store_each_review(st, rc.ids[i], count_review,
		    &n, &cause), 0);
		free(rc.ids[i]);
	}
	free(rc.ids);
	return n;
}

struct audit_count {
	const char *action;
	long n;
};

static int
count_audit(const struct store_audit *a, void *arg)
{
	struct audit_count *c = arg;

	if (strcmp(a->action, c->action) == 0)
		c->n++;
	return 0;
}

static int
last_payload(const char *payload, void *arg)
{
	free(*(char **)arg);
	*(char **)arg = xstrdup(payload);
	return 0;
}

/* The stored intake's consent status is "declined". */
static void
expect_declined(struct store *st)
{
	char *payload = NULL, *cause = NULL;
	cJSON *root;
	const cJSON *status;

	assert_int_equal(store_each_payload(st, last_payload, &payload,
	    &cause), 0);
	assert_non_null(payload);
	root = cJSON_Parse(payload);
	status = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(root, "consent"), "status");
	assert_true(cJSON_IsString(status));
	assert_string_equal(status->valuestring, "declined");
	cJSON_Delete(root);
	wipe_free(payload);
}

/*
 * The stored consent is in lang: "language", the exact "text" shown and
 * "text_sha256" of that text.
 */
static void
expect_consent(struct fixture *f, const char *lang)
{
	char *payload = NULL, *cause = NULL, sha[65];
	const char *want = form_text(&f->form->consent.text, lang);
	const cJSON *c, *l, *t, *h;
	cJSON *root;

	assert_int_equal(store_each_payload(f->st[0], last_payload, &payload,
	    &cause), 0);
	assert_non_null(payload);
	root = cJSON_Parse(payload);
	c = cJSON_GetObjectItemCaseSensitive(root, "consent");
	l = cJSON_GetObjectItemCaseSensitive(c, "language");
	t = cJSON_GetObjectItemCaseSensitive(c, "text");
	h = cJSON_GetObjectItemCaseSensitive(c, "text_sha256");
	assert_true(cJSON_IsString(l) && cJSON_IsString(t) &&
	    cJSON_IsString(h));
	assert_string_equal(l->valuestring, lang);
	assert_string_equal(t->valuestring, want);
	sha256_hex(want, strlen(want), sha);
	assert_string_equal(h->valuestring, sha);
	assert_string_not_equal(form_text(&f->form->consent.text, "en"),
	    form_text(&f->form->consent.text, "es"));
	cJSON_Delete(root);
	wipe_free(payload);
}

/* A trigger on a connection of the test's own makes every put fail. */
static void
break_store(struct fixture *f, bool broken)
{
	char *path = xasprintf("%s/%s", f->state, STORE_FILE);
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	assert_int_equal(sqlite3_exec(db, broken ?
	    "CREATE TRIGGER test_broken BEFORE INSERT ON intakes BEGIN"
	    " SELECT RAISE(ABORT, 'disk full (test)'); END;" :
	    "DROP TRIGGER test_broken;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	free(path);
}

static void
run_step(struct fixture *f, const struct step *st, size_t k)
{
	struct session *s = f->s[st->who];
	const struct session_view *v = session_view(s);
	struct session_event ev = { st->ev, st->item, st->text, st->choice,
	    NULL };
	struct audit_count ac = { st->text, 0 };
	char *msg = NULL, *cause = NULL;
	int rc;

	switch (st->op) {
	case EV:
	case EV_FAILS:
		session_input(s);	/* every event comes from a key */
		rc = session_handle(s, &ev, &msg);
		if (st->op == EV && rc != 0)
			fail_msg("step %zu: refused: %s", k, msg);
		if (st->op == EV_FAILS) {
			assert_int_equal(rc, -1);
			assert_non_null(msg);
		}
		free(msg);
		break;
	case INPUT:
		session_input(s);
		break;
	case WAIT:
		f->clock.mono += st->n;
		f->clock.wall += st->n;
		session_tick(f->s[0]);
		if (f->s[1] != NULL)
			session_tick(f->s[1]);
		break;
	case PAGE:
		if ((long)v->page != st->n)
			fail_msg("step %zu: page %s, expected %s", k,
			    flow_state_name(v->page),
			    flow_state_name((enum flow_state)st->n));
		break;
	case NOTICE:
		assert_int_equal(v->notice, st->n);
		break;
	case IDLE_WARNING:
		assert_int_equal(v->idle_warning, st->n);
		break;
	case NO_CLIENT:
		assert_null(v->answers);
		break;
	case PIN_STATE:
		assert_int_equal(v->pin, st->n);
		break;
	case STORED:
		assert_int_equal(stored(f->st[0]), st->n);
		break;
	case DECLINED:
		expect_declined(f->st[0]);
		break;
	case REVIEWS:
		assert_int_equal(reviews(f->st[0]), st->n);
		break;
	case AUDITS:
		assert_int_equal(store_each_audit(f->st[0], 0, count_audit, &ac,
		    &cause), 0);
		if (ac.n != st->n)
			fail_msg("step %zu: %ld \"%s\" audited, expected %ld",
			    k, ac.n, st->text, st->n);
		break;
	case ROWS:
		assert_int_equal(v->nrows, st->n);
		break;
	case BELLS:
		assert_int_equal(v->bells, st->n);
		break;
	case CONFIRMING:
		assert_int_equal(v->confirm_clear, st->n);
		break;
	case TIMEOUT_NONE:
		assert_int_equal(session_timeout_ms(s), -1);
		break;
	case TIMEOUT_MAX:
		assert_true(session_timeout_ms(s) >= 0);
		assert_true(session_timeout_ms(s) <= st->n);
		break;
	case OPEN_FIRST:
		assert_true(v->nrows > 0);
		ev.type = SE_OPEN;
		ev.intake_id = v->rows[0].id;
		assert_int_equal(session_handle(s, &ev, NULL), 0);
		break;
	case BREAK_STORE:
		break_store(f, st->n != 0);
		break;
	case AUDIT_PAGE:
		assert_true((long)v->naudit >= st->n);
		assert_non_null(v->audit);
		break;
	case STAFF_GONE:
		assert_null(v->staff_name);
		assert_int_equal(v->nrows, 0);
		assert_int_equal(v->ndetail, 0);
		assert_int_equal(v->naudit, 0);
		break;
	case LANG:
		assert_string_equal(v->lang, st->text);
		break;
	case ANSWERED:
		assert_non_null(v->answers);
		assert_string_equal(answers_get(v->answers, st->item),
		    st->text);
		break;
	case CONSENT_LANG:
		expect_consent(f, st->text);
		break;
	case END:
		break;
	}
}

static void
test_scenarios(void **state)
{
	struct fixture *f;
	size_t i, k;

	for (i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++) {
		print_message("# %s\n", scenarios[i].name);
		assert_int_equal(setup(state), 0);
		f = *state;
		f->s[0] = make_session(f, 0, false);
		if (scenarios[i].console1)
			f->s[1] = make_session(f, 1, true);
		for (k = 0; k < MAX_STEPS && scenarios[i].steps[k].op != END;
		    k++)
			run_step(f, &scenarios[i].steps[k], k);
		assert_int_equal(teardown(state), 0);
	}
}

/* The codes' words are the wire's, and parse back. */
static void
test_words(void **state)
{
	static const struct {
		enum view_decision d;
		const char *word;
	} decisions[] = {
		{ DECISION_CLEARED, "cleared" },
		{ DECISION_DECLINED, "declined" },
		{ DECISION_CONSULT, "consult" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof decisions / sizeof decisions[0]; i++) {
		assert_string_equal(view_decision_word(decisions[i].d),
		    decisions[i].word);
		assert_int_equal(view_decision_parse(decisions[i].word),
		    decisions[i].d);
	}
	assert_int_equal(view_decision_parse("approve"), DECISION_NONE);
	assert_int_equal(view_decision_parse(NULL), DECISION_NONE);
	assert_string_equal(view_sync_word(VSYNC_PARKED), "parked");
	assert_int_equal(view_sync_parse("sent"), VSYNC_SENT);
	assert_int_equal(view_sync_parse("?"), VSYNC_PENDING);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scenarios),
		cmocka_unit_test(test_words),
	};

	setenv("TZ", "UTC", 1);
	return cmocka_run_group_tests_name("session", tests, NULL, NULL);
}
