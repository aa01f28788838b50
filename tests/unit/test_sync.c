/*
 * test_sync.c: the sync engine's decisions without a network: every row of
 * docs/wire-format.md's answer table, backoff bounds with Retry-After, and the
 * store's outbox (what is due, in which order, how attempts are recorded,
 * reviews waiting for their intake). Real HTTPS is tested end to end
 * against tests/server/.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "http.h"
#include "staff.h"
#include "store.h"
#include "sync.h"
#include "util.h"

#define ID "3f1c2d4e-0000-4000-8000-00000000abcd"

static void
test_classify_table(void **state)
{
	static const struct {
		enum http_fail fail;
		long status;
		const char *body;
		enum sync_verdict verdict;
		bool stop_pass, alert;
		const char *words;
	} rows[] = {
		{ HTTP_OK, 201, "{\"id\":\"" ID "\",\"receipt\":\"srv-1\"}",
		    SYNC_SENT, false, false, "delivered" },
		{ HTTP_OK, 200, "{\"id\":\"" ID "\"}", SYNC_SENT, false, false,
		    "delivered" },
		{ HTTP_OK, 202, "{\"id\":\"" ID "\"}", SYNC_SENT, false, false,
		    "delivered" },
		/* 2xx without a receipt naming this intake. */
		{ HTTP_OK, 200, "<html>Welcome to the hotel wifi</html>",
		    SYNC_RETRY, true, false, "captive portal" },
		/* A receipt for another record is named as such. */
		{ HTTP_OK, 201, "{\"id\":\"someone-else\"}", SYNC_RETRY, true,
		    false, "names another record" },
		{ HTTP_OK, 201, "[\"" ID "\"]", SYNC_RETRY, true, false,
		    "not a receipt" },
		{ HTTP_OK, 204, "", SYNC_RETRY, true, false, "HTTP 204" },
		{ HTTP_OK, 409, "", SYNC_RETRY, false, false, "HTTP 409" },
		{ HTTP_OK, 408, "", SYNC_RETRY, true, false, "HTTP 408" },
		{ HTTP_OK, 425, "", SYNC_RETRY, true, false, "HTTP 425" },
		{ HTTP_OK, 429, "", SYNC_RETRY, true, false, "slow down" },
		{ HTTP_OK, 500, "", SYNC_RETRY, true, false, "HTTP 500" },
		{ HTTP_OK, 503, "", SYNC_RETRY, true, false, "HTTP 503" },
		{ HTTP_OK, 401, "", SYNC_RETRY, true, true, "credentials" },
		{ HTTP_OK, 403, "", SYNC_RETRY, true, true, "credentials" },
		{ HTTP_OK, 422, "", SYNC_PARK, false, false, "HTTP 422" },
		{ HTTP_OK, 400, "", SYNC_PARK, false, false, "HTTP 400" },
		{ HTTP_OK, 404, "", SYNC_PARK, false, false, "HTTP 404" },
		{ HTTP_OK, 302, "", SYNC_RETRY, true, false, "HTTP 302" },
		{ HTTP_NETWORK, 0, "", SYNC_RETRY, true, false, "no network" },
		{ HTTP_TIMEOUT, 0, "", SYNC_RETRY, true, false, "in time" },
		{ HTTP_DROPPED, 0, "", SYNC_RETRY, true, false, "broke" },
		{ HTTP_TLS, 0, "", SYNC_RETRY, true, true, "certificate" },
		{ HTTP_PROTOCOL, 0, "", SYNC_RETRY, true, false, "understood" },
	};
	struct http_result r;
	struct sync_outcome o;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		memset(&r, 0, sizeof r);
		r.fail = rows[i].fail;
		r.status = rows[i].status;
		r.body = (char *)rows[i].body;
		r.retry_after_s = -1;
		sync_classify(&r, ID, &o);
		if (o.verdict != rows[i].verdict ||
		    o.stop_pass != rows[i].stop_pass ||
		    o.alert != rows[i].alert ||
		    strstr(o.words, rows[i].words) == NULL)
			fail_msg("row %zu (HTTP %ld): verdict %d stop %d alert %d "
			    "\"%s\"", i, rows[i].status, o.verdict, o.stop_pass,
			    o.alert, o.words);
		if (o.verdict == SYNC_SENT)
			assert_non_null(o.receipt);
		else
			assert_null(o.receipt);
		sync_outcome_free(&o);
	}
}

static void
test_receipt_kept(void **state)
{
	struct http_result r;
	struct sync_outcome o;

	(void)state;
	memset(&r, 0, sizeof r);
	r.status = 201;
	r.body = (char *)"{\"id\":\"" ID "\",\"receipt\":\"srv-42\"}";
	sync_classify(&r, ID, &o);
	assert_string_equal(o.receipt, "srv-42");
	sync_outcome_free(&o);
	/* No "receipt" field: the whole echo is the receipt. */
	r.body = (char *)"{\"id\":\"" ID "\"}";
	sync_classify(&r, ID, &o);
	assert_string_equal(o.receipt, r.body);
	sync_outcome_free(&o);
	/* Escape bytes in a receipt never reach a staff screen. */
	r.body = (char *)"{\"id\":\"" ID "\",\"receipt\":"
	    "\"r\\u001b[2J\\u0007\\u009b1m\\u00e9\"}";
	sync_classify(&r, ID, &o);
	assert_string_equal(o.receipt, "r?[2J??1m\xc3\xa9");
	sync_outcome_free(&o);
}

static void
test_backoff_bounds(void **state)
{
	uint32_t rnd;
	long a, d;

	(void)state;
	for (a = 1; a <= 30; a++) {
		for (rnd = 0; rnd < 5000; rnd += 7) {
			d = sync_backoff(a, 900, -1, false, rnd * 2654435761u);
			assert_true(d >= 1);
			assert_true(d <= (a < 10 ? (1L << a) : 900));
		}
	}
	/* Full jitter reaches the cap. */
	assert_int_equal(sync_backoff(3, 900, -1, false, 7), 8);
	assert_int_equal(sync_backoff(3, 900, -1, false, 0), 1);
	/* Capped by backoff_max_s. */
	assert_int_equal(sync_backoff(20, 900, -1, false, 899), 900);
	assert_int_equal(sync_backoff(20, 900, -1, false, 900), 1);
	/* Retry-After is a floor, up to the cap. */
	assert_int_equal(sync_backoff(1, 900, 30, false, 0), 30);
	assert_int_equal(sync_backoff(1, 10, 30, false, 0), 10);
	/* A hostile Retry-After parks nothing for years, and cannot overflow. */
	assert_int_equal(sync_backoff(1, 900, 99999999999L, false, 0), 900);
	assert_int_equal(sync_backoff(1, 86400, LONG_MAX, false, 0), 86400);
	assert_int_equal(sync_backoff(1, 900, LONG_MAX, true, 5), 900);
	assert_int_equal(sync_backoff(5, 900, 2, false, 31), 32);
	/* Alerts retry slowly, but never beyond the cap. */
	assert_int_equal(sync_backoff(1, 900, -1, true, 0), 60);
	assert_int_equal(sync_backoff(1, 20, -1, true, 0), 20);
}

struct outbox {
	char dir[64];
	struct store *st;
};

static int
outbox_setup(void **state)
{
	struct outbox *o = xcalloc(1, sizeof *o);
	char *cause = NULL;
	char *sub;

	snprintf(o->dir, sizeof o->dir, "/tmp/kiosk-sync-XXXXXX");
	if (mkdtemp(o->dir) == NULL)
		return -1;
	sub = xasprintf("%s/state", o->dir);
	if (store_open(sub, &o->st, &cause) != 0) {
		print_error("%s\n", cause);
		return -1;
	}
	free(sub);
	*state = o;
	return 0;
}

static int
outbox_teardown(void **state)
{
	struct outbox *o = *state;
	char *cmd = xasprintf("rm -rf '%s'", o->dir);

	store_close(o->st);
	if (system(cmd) != 0)
		return -1;
	free(cmd);
	free(o);
	return 0;
}

static void
put(struct store *st, const char *id, int64_t at)
{
	struct store_intake in = { id, "AAA-AAA", "clear", "accepted", at * 1000,
	    "{\"id\":\"x\"}" };
	char *cause = NULL;

	if (store_put_intake(st, &in, &cause) != 0)
		fail_msg("%s", cause);
}

/* The id of the record due at now, or "" when none. */
static char *
due_id(struct store *st, int64_t now, enum store_kind *kind, long *attempts)
{
	struct store_due d;
	char *cause = NULL, *id;
	int rc = store_next_due(st, now, &d, &cause);

	if (rc < 0)
		fail_msg("%s", cause);
	if (rc == 0)
		return xstrdup("");
	id = xstrdup(d.id);
	if (kind != NULL)
		*kind = d.kind;
	if (attempts != NULL)
		*attempts = d.attempts;
	store_due_free(&d);
	return id;
}

static void
test_outbox_order_and_attempts(void **state)
{
	struct outbox *o = *state;
	struct store_counts c;
	struct store_sync_info info;
	char *cause = NULL, *id;
	int64_t at;
	long attempts = -1;

	put(o->st, "b", 200);
	put(o->st, "a", 100);
	id = due_id(o->st, 50, NULL, NULL);
	assert_string_equal(id, "");	/* not due before completion */
	free(id);
	id = due_id(o->st, 300, NULL, &attempts);
	assert_string_equal(id, "a");	/* oldest first */
	assert_int_equal(attempts, 0);
	free(id);
	/* A retry pushes it back and counts the attempt. */
	assert_int_equal(store_mark_retry(o->st, STORE_INTAKE, "a", 1000,
	    "the server had a problem (HTTP 503)", &cause), 0);
	id = due_id(o->st, 300, NULL, NULL);
	assert_string_equal(id, "b");
	free(id);
	assert_int_equal(store_next_attempt_at(o->st, &at, &cause), 0);
	assert_int_equal(at, 200);
	assert_int_equal(store_mark_sent(o->st, STORE_INTAKE, "b", "srv-1", 301,
	    &cause), 0);
	/* Sent twice (a second sender): no error, the first mark stands. */
	assert_int_equal(store_mark_sent(o->st, STORE_INTAKE, "b", "srv-2", 302,
	    &cause), 0);
	/* An unknown id is still an error. */
	assert_int_equal(store_mark_sent(o->st, STORE_INTAKE, "nope", "srv-1",
	    301, &cause), -1);
	free(cause);
	cause = NULL;
	assert_int_equal(store_next_attempt_at(o->st, &at, &cause), 0);
	assert_int_equal(at, 1000);
	id = due_id(o->st, 1000, NULL, &attempts);
	assert_string_equal(id, "a");
	assert_int_equal(attempts, 1);
	free(id);
	assert_int_equal(store_mark_parked(o->st, STORE_INTAKE, "a",
	    "the server refused this record (HTTP 422)", &cause), 0);
	id = due_id(o->st, 5000, NULL, NULL);
	assert_string_equal(id, "");	/* parked is never retried */
	free(id);
	assert_int_equal(store_counts(o->st, &c, &cause), 0);
	assert_int_equal(c.pending, 0);
	assert_int_equal(c.sent, 1);
	assert_int_equal(c.parked, 1);
	assert_int_equal(c.oldest_pending_at, 100);	/* parked is unsent */
	assert_int_equal(store_sync_info(o->st, STORE_INTAKE, "a", &info,
	    &cause), 1);
	assert_string_equal(info.state, "parked");
	assert_int_equal(info.attempts, 2);
	assert_non_null(strstr(info.last_error, "422"));
	store_sync_info_free(&info);
	assert_int_equal(store_sync_info(o->st, STORE_INTAKE, "b", &info,
	    &cause), 1);
	assert_string_equal(info.server_receipt, "srv-1");
	assert_int_equal(info.sent_at, 301);
	assert_null(info.last_error);
	store_sync_info_free(&info);
	assert_int_equal(store_sync_info(o->st, STORE_INTAKE, "zz", &info,
	    &cause), 0);
}

static void
test_review_waits_for_its_intake(void **state)
{
	struct outbox *o = *state;
	char *cause = NULL, *id, *path;
	enum store_kind kind = STORE_INTAKE;
	sqlite3 *db;

	put(o->st, "i1", 100);
	path = xasprintf("%s/state/kiosk.db", o->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO reviews (id, intake_id,"
	    " decision, staff, decided_at, payload, next_attempt_at) VALUES"
	    " ('r1', 'i1', 'declined', 'Ana', 50, '{}', 50)", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	free(path);
	id = due_id(o->st, 500, &kind, NULL);
	assert_string_equal(id, "i1");
	assert_int_equal(kind, STORE_INTAKE);
	free(id);
	assert_int_equal(store_mark_sent(o->st, STORE_INTAKE, "i1", "r", 501,
	    &cause), 0);
	id = due_id(o->st, 502, &kind, NULL);
	assert_string_equal(id, "r1");
	assert_int_equal(kind, STORE_REVIEW);
	free(id);
	assert_int_equal(store_mark_sent(o->st, STORE_REVIEW, "r1", "r", 503,
	    &cause), 0);
}

static void
test_meta_roundtrip(void **state)
{
	struct outbox *o = *state;
	char *cause = NULL, *v;

	assert_int_equal(store_meta_get(o->st, "alert", &v, &cause), 0);
	assert_null(v);
	assert_int_equal(store_meta_set(o->st, "alert", "credentials", &cause),
	    0);
	assert_int_equal(store_meta_get(o->st, "alert", &v, &cause), 0);
	assert_string_equal(v, "credentials");
	free(v);
	assert_int_equal(store_meta_set(o->st, "alert", NULL, &cause), 0);
	assert_int_equal(store_meta_get(o->st, "alert", &v, &cause), 0);
	assert_null(v);
}


/* A raw connection to the outbox's database, for what the API hides. */
static sqlite3 *
raw(struct outbox *o)
{
	char *path = xasprintf("%s/state/kiosk.db", o->dir);
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	free(path);
	return db;
}

/* Does the plan of sql mention what? */
static bool
plan_has(sqlite3 *db, const char *sql, const char *what)
{
	char *q = xasprintf("EXPLAIN QUERY PLAN %s", sql);
	sqlite3_stmt *st;
	bool found = false;
	const char *d;

	assert_int_equal(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		d = (const char *)sqlite3_column_text(st, 3);
		if (d != NULL && strstr(d, what) != NULL)
			found = true;
	}
	sqlite3_finalize(st);
	free(q);
	return found;
}

/*
 * The due queries (as store.c runs them) read one index in ORDER BY
 * order: no sort of every pending row that shares a due time, which made
 * draining a queue quadratic.
 */
static void
test_due_query_uses_index_order(void **state)
{
	struct outbox *o = *state;
	sqlite3 *db = raw(o);

	assert_false(plan_has(db, "SELECT id, attempts, next_attempt_at,"
	    " payload, payload_sha256 FROM intakes WHERE sync_state = 'pending'"
	    " AND next_attempt_at <= 5 AND payload IS NOT NULL"
	    " ORDER BY next_attempt_at, completed_at, rowid LIMIT 64",
	    "TEMP B-TREE"));
	assert_true(plan_has(db, "SELECT id FROM intakes WHERE"
	    " sync_state = 'pending' AND next_attempt_at <= 5"
	    " ORDER BY next_attempt_at, completed_at, rowid LIMIT 64",
	    "intakes_due"));
	assert_false(plan_has(db, "SELECT r.id, r.attempts, r.next_attempt_at,"
	    " r.payload, NULL FROM reviews r JOIN intakes i ON i.id = r.intake_id"
	    " WHERE r.sync_state = 'pending' AND r.next_attempt_at <= 5"
	    " AND i.sync_state = 'sent'"
	    " ORDER BY r.next_attempt_at, r.decided_at, r.rowid LIMIT 64",
	    "TEMP B-TREE"));
	sqlite3_close(db);
}

/* Records sharing one due time come in stored order, in batches. */
static void
test_due_batch_same_time(void **state)
{
	struct outbox *o = *state;
	static const char *const ids[] = { "e", "d", "c", "b", "a" };
	struct store_due due[3];
	char *cause = NULL;
	size_t n, i;

	for (i = 0; i < 5; i++)
		put(o->st, ids[i], 100);
	assert_int_equal(store_due_batch(o->st, 100, due, 3, &n, &cause), 0);
	assert_int_equal(n, 3);
	for (i = 0; i < n; i++) {
		assert_string_equal(due[i].id, ids[i]);
		assert_int_equal(due[i].due_at, 100);
		assert_non_null(due[i].sha256);
		assert_string_equal(due[i].payload, "{\"id\":\"x\"}");
		assert_int_equal(store_mark_sent(o->st, STORE_INTAKE, due[i].id,
		    "r", 101, &cause), 0);
		store_due_free(&due[i]);
	}
	assert_int_equal(store_due_batch(o->st, 100, due, 3, &n, &cause), 0);
	assert_int_equal(n, 2);
	assert_string_equal(due[0].id, "b");
	assert_string_equal(due[1].id, "a");
	store_due_free(&due[0]);
	store_due_free(&due[1]);
}

/*
 * Two senders on one store (two connections: the kiosk's sync thread and
 * `kiosk sync --once`): whoever records second gets no error, and the
 * first outcome stands.
 */
static void
test_two_senders_mark(void **state)
{
	struct outbox *o = *state;
	struct store_sync_info info;
	struct store *other;
	char *cause = NULL, *sub = xasprintf("%s/state", o->dir);

	assert_int_equal(store_open(sub, &other, &cause), 0);
	free(sub);
	put(o->st, "a", 100);
	put(o->st, "b", 100);
	assert_int_equal(store_mark_sent(o->st, STORE_INTAKE, "a", "first", 101,
	    &cause), 0);
	assert_int_equal(store_mark_sent(other, STORE_INTAKE, "a", "second",
	    102, &cause), 0);
	assert_int_equal(store_mark_retry(other, STORE_INTAKE, "a", 500,
	    "the server had a problem (HTTP 503)", &cause), 0);
	assert_int_equal(store_mark_parked(other, STORE_INTAKE, "a",
	    "the server refused this record (HTTP 422)", &cause), 0);
	assert_int_equal(store_sync_info(o->st, STORE_INTAKE, "a", &info,
	    &cause), 1);
	assert_string_equal(info.state, "sent");
	assert_string_equal(info.server_receipt, "first");
	assert_int_equal(info.attempts, 1);
	assert_null(info.last_error);
	store_sync_info_free(&info);
	/* Several marks in one transaction. */
	assert_int_equal(store_tx_begin(other, &cause), 0);
	assert_int_equal(store_mark_sent(other, STORE_INTAKE, "b", "r", 103,
	    &cause), 0);
	assert_int_equal(store_meta_set(other, "last_success_at", "x", &cause),
	    0);
	assert_int_equal(store_tx_commit(other, &cause), 0);
	assert_int_equal(store_sync_info(o->st, STORE_INTAKE, "b", &info,
	    &cause), 1);
	assert_string_equal(info.state, "sent");
	store_sync_info_free(&info);
	store_close(other);
}

struct parked_seen {
	int n;
	char id[16];
	char reason[128];
	int64_t at;
};

static int
parked_cb(const struct store_parked *p, void *arg)
{
	struct parked_seen *seen = arg;

	seen->n++;
	snprintf(seen->id, sizeof seen->id, "%s", p->id);
	snprintf(seen->reason, sizeof seen->reason, "%s",
	    p->reason != NULL ? p->reason : "");
	seen->at = p->parked_at;
	return 0;
}

/* How many audit rows say action with subject. */
static int
audit_count(struct outbox *o, const char *actor, const char *subject)
{
	sqlite3 *db = raw(o);
	sqlite3_stmt *st;
	int n;

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM audit"
	    " WHERE action = 'requeue' AND actor = ?1 AND subject = ?2", -1,
	    &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, subject, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

/*
 * A parked record keeps its own reason and time (a later success of
 * another record does not wipe it), and staff or IT put it back in the
 * queue, audited.
 */
static void
test_parked_listed_and_requeued(void **state)
{
	struct outbox *o = *state;
	struct parked_seen seen;
	char *cause = NULL, *id;
	long n = -1;

	put(o->st, "a", 100);
	put(o->st, "b", 100);
	assert_int_equal(store_mark_parked(o->st, STORE_INTAKE, "a",
	    "the server refused this record (HTTP 422)", &cause), 0);
	assert_int_equal(store_mark_sent(o->st, STORE_INTAKE, "b", "r", 101,
	    &cause), 0);
	memset(&seen, 0, sizeof seen);
	assert_int_equal(store_each_parked(o->st, parked_cb, &seen, &cause), 0);
	assert_int_equal(seen.n, 1);
	assert_string_equal(seen.id, "a");
	assert_non_null(strstr(seen.reason, "HTTP 422"));
	assert_true(seen.at > 1000000000);
	/* Not parked: nothing to do, nothing audited. */
	assert_int_equal(staff_requeue(o->st, "b", "Ana", 200, &n, &cause), 0);
	assert_int_equal(n, 0);
	assert_int_equal(audit_count(o, "Ana", "b"), 0);
	assert_int_equal(staff_requeue(o->st, "a", "", 200, &n, &cause), -1);
	free(cause);
	cause = NULL;
	assert_int_equal(staff_requeue(o->st, "a", "Ana", 200, &n, &cause), 0);
	assert_int_equal(n, 1);
	assert_int_equal(audit_count(o, "Ana", "a"), 1);
	id = due_id(o->st, 200, NULL, NULL);
	assert_string_equal(id, "a");
	free(id);
	memset(&seen, 0, sizeof seen);
	assert_int_equal(store_each_parked(o->st, parked_cb, &seen, &cause), 0);
	assert_int_equal(seen.n, 0);
	/* All at once. */
	put(o->st, "c", 100);
	assert_int_equal(store_mark_parked(o->st, STORE_INTAKE, "a", "x",
	    &cause), 0);
	assert_int_equal(store_mark_parked(o->st, STORE_INTAKE, "c", "y",
	    &cause), 0);
	assert_int_equal(store_requeue(o->st, NULL, "it", 300, &n, &cause), 0);
	assert_int_equal(n, 2);
	assert_int_equal(audit_count(o, "it", "2 parked records"), 1);
}

/* A decision on a parked intake says it waits on it, in counts and detail. */
static void
test_review_waits_on_parked(void **state)
{
	struct outbox *o = *state;
	struct store_intake in = { "i1", "AAA-AAA", "review", "accepted",
	    100000, "{\"id\":\"i1\",\"client\":{\"given_name\":\"Zoë\","
	    "\"family_name\":\"N\"},\"answers\":[],\"flags\":[],"
	    "\"consent\":{\"status\":\"accepted\"}}" };
	struct store_counts c;
	char *cause = NULL, **lines = NULL, review[37];
	size_t n = 0, i;
	bool waiting = false;

	if (store_put_intake(o->st, &in, &cause) != 0)
		fail_msg("%s", cause);
	assert_int_equal(staff_decide(o->st, "i1", "cleared", NULL, "Ana", 200,
	    review, &cause), 0);
	assert_int_equal(store_mark_parked(o->st, STORE_INTAKE, "i1",
	    "the server refused this record (HTTP 422)", &cause), 0);
	assert_int_equal(store_counts(o->st, &c, &cause), 0);
	assert_int_equal(c.review_pending, 1);
	assert_int_equal(c.review_blocked, 1);
	if (staff_detail(o->st, NULL, "i1", &lines, &n, &cause) != 0)
		fail_msg("%s", cause);
	for (i = 0; i < n; i++)
		if (strstr(lines[i], "Ana: cleared") != NULL &&
		    strstr(lines[i], "waiting: the check-in is parked") != NULL)
			waiting = true;
	staff_lines_free(lines, n);
	assert_true(waiting);
}

/*
 * An intake stored while the clock was ahead (or a retry computed then)
 * is not held back once the clock is corrected.
 */
static void
test_clock_ahead_not_held_back(void **state)
{
	struct outbox *o = *state;
	char *cause = NULL, *id;
	long n = -1;

	put(o->st, "future", 1000 + 86400);
	put(o->st, "soon", 1000 + 30);
	id = due_id(o->st, 1000, NULL, NULL);
	assert_string_equal(id, "");
	free(id);
	assert_int_equal(store_due_not_after(o->st, 1000, 1000 + 62, &n,
	    &cause), 0);
	assert_int_equal(n, 1);	/* a backoff's 30 s is left alone */
	id = due_id(o->st, 1000, NULL, NULL);
	assert_string_equal(id, "future");
	free(id);
}

/*
 * `kiosk run` checks the file in the background (the first screen does
 * not wait for it): a damaged file still opens, and storing an intake
 * waits for the verdict and refuses. Runs last: the mode is per process.
 */
static void
test_background_check_refuses_damaged(void **state)
{
	struct outbox *o = *state;
	struct store_intake in = { "late", "AAA-AAA", "clear", "accepted", 1000,
	    "{\"id\":\"late\"}" };
	char *cause = NULL, *sub = xasprintf("%s/state", o->dir);
	char *path = xasprintf("%s/kiosk.db", sub), id[16], payload[1100];
	char junk[4096];
	struct store *st;
	struct stat sb;
	unsigned int x = 99;
	size_t i;
	int n, fd;

	for (n = 0; n < 60; n++) {
		snprintf(id, sizeof id, "id-%02d", n);
		memset(payload, 'a' + n % 26, sizeof payload - 1);
		payload[0] = '"';
		payload[sizeof payload - 2] = '"';
		payload[sizeof payload - 1] = '\0';
		struct store_intake big = { id, "R", "clear", "accepted",
		    n * 1000, payload };
		if (store_put_intake(o->st, &big, &cause) != 0)
			fail_msg("%s", cause);
	}
	store_close(o->st);
	o->st = NULL;
	assert_int_equal(stat(path, &sb), 0);
	for (i = 0; i < sizeof junk; i++) {
		x = x * 1103515245u + 12345u;
		junk[i] = (char)(x >> 16);
	}
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, junk, sizeof junk,
	    (sb.st_size / 2 / 4096) * 4096), (ssize_t)sizeof junk);
	assert_int_equal(close(fd), 0);

	store_check_in_background();
	assert_int_equal(store_open(sub, &st, &cause), 0);
	assert_int_equal(store_put_intake(st, &in, &cause), -1);
	assert_non_null(strstr(cause, "damaged"));
	free(cause);
	cause = NULL;
	assert_int_equal(store_check_wait(st, &cause), -1);
	free(cause);
	store_close(st);
	free(sub);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify_table),
		cmocka_unit_test(test_receipt_kept),
		cmocka_unit_test(test_backoff_bounds),
		cmocka_unit_test_setup_teardown(test_outbox_order_and_attempts,
		    outbox_setup, outbox_teardown),
		cmocka_unit_test_setup_teardown(test_review_waits_for_its_intake,
		    outbox_setup, outbox_teardown),
		cmocka_unit_test_setup_teardown(test_meta_roundtrip,
		    outbox_setup, outbox_teardown),
		cmocka_unit_test_setup_teardown(test_due_query_uses_index_order,
		    outbox_setup, outbox_teardown),
		cmocka_unit_test_setup_teardown(test_due_batch_same_time,
		    outbox_setup, outbox_teardown),
		cmocka_unit_test_setup_teardown(test_two_senders_mark,
		    outbox_setup, outbox_teardown),
		cmocka_unit_test_setup_teardown(test_parked_listed_and_requeued,
		    outbox_setup, outbox_teardown),
		cmocka_unit_test_setup_teardown(test_review_waits_on_parked,
		    outbox_setup, outbox_teardown),
		cmocka_unit_test_setup_teardown(test_clock_ahead_not_held_back,
		    outbox_setup, outbox_teardown),
		/* Last: it switches the process to background checks. */
		cmocka_unit_test_setup_teardown(
		    test_background_check_refuses_damaged, outbox_setup,
		    outbox_teardown),
	};

	return cmocka_run_group_tests_name("sync", tests, NULL, NULL);
}
