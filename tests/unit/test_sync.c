/*
 * test_sync.c: the sync engine's decisions without a network: every row of
 * DESIGN.md's answer table, backoff bounds with Retry-After, and the
 * store's outbox (what is due, in which order, how attempts are recorded,
 * reviews waiting for their intake). Real HTTPS is tested end to end
 * against tests/server/.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "http.h"
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
		{ HTTP_OK, 201, "{\"id\":\"someone-else\"}", SYNC_RETRY, true,
		    false, "not a receipt" },
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
	/* Sent twice is refused: it is no longer pending. */
	assert_int_equal(store_mark_sent(o->st, STORE_INTAKE, "b", "srv-1", 301,
	    &cause), -1);
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
	};

	return cmocka_run_group_tests_name("sync", tests, NULL, NULL);
}
