/*
 * test_pin.c: staff PINs. Hashing and verifying ($y$ and $2b$), what a
 * PIN may look like, and the prompt's policy against a real store: the
 * growing waits, the lock after max_attempts and that it survives a
 * restart, a fresh count once the lock ends, a right PIN refused while
 * locked, and that no typed PIN ever reaches the database file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <crypt.h>
#include <sqlite3.h>

#include "config.h"
#include "pin.h"
#include "store.h"
#include "util.h"

#define T0 1780300800		/* 2026-06-01T08:00:00Z */
#define ANA_PIN "24681012"
#define BEN_PIN "135790"
#define WRONG_PIN "97531864"	/* distinctive: it is searched for in the file */

static void
test_hash_then_verify(void **state)
{
	char *hash = NULL, *again = NULL, *cause = NULL;

	(void)state;
	assert_int_equal(pin_hash(BEN_PIN, &hash, &cause), 0);
	assert_non_null(hash);
	assert_memory_equal(hash, "$y$", 3);
	assert_true(pin_matches(hash, BEN_PIN));
	assert_false(pin_matches(hash, "135791"));
	assert_false(pin_matches(hash, "1357900"));
	assert_false(pin_matches(hash, ""));
	/* A fresh salt each time. */
	assert_int_equal(pin_hash(BEN_PIN, &again, &cause), 0);
	assert_string_not_equal(hash, again);
	assert_true(pin_matches(again, BEN_PIN));
	/* Nonsense in place of a hash never matches. */
	assert_false(pin_matches("$y$", BEN_PIN));
	assert_false(pin_matches("*0", BEN_PIN));
	assert_false(pin_matches("", BEN_PIN));
	assert_false(pin_matches(NULL, BEN_PIN));
	free(hash);
	free(again);
}

static void
test_bcrypt_hash(void **state)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd = calloc(1, sizeof *cd);
	const char *out;

	(void)state;
	assert_non_null(cd);
	assert_non_null(crypt_gensalt_rn("$2b$", 4, NULL, 0, salt,
	    sizeof salt));
	out = crypt_r(ANA_PIN, salt, cd);
	assert_non_null(out);
	assert_memory_equal(out, "$2b$", 4);
	assert_true(pin_matches(out, ANA_PIN));
	assert_false(pin_matches(out, BEN_PIN));
	free(cd);
}

static void
test_pin_valid(void **state)
{
	static const struct {
		const char *pin;
		bool valid;
	} rows[] = {
		{ "123456", true },		/* PIN_MIN */
		{ "123456789012", true },	/* PIN_MAX */
		{ "000000", true },
		{ "12345", false },		/* one short */
		{ "1234567890123", false },	/* one long */
		{ "", false },
		{ "abcdef", false },
		{ "12345a", false },
		{ "a123456", false },
		{ " 123456", false },
		{ "123456\n", false },
		{ "-123456", false },
		{ "\xef\xbc\x91\xef\xbc\x92\xef\xbc\x93\xef\xbc\x94\xef\xbc\x95"
		    "\xef\xbc\x96", false },	/* full-width digits */
	};
	char *hash = NULL, *cause = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		if (pin_valid(rows[i].pin) != rows[i].valid)
			fail_msg("row %zu: \"%s\"", i, rows[i].pin);
	}
	assert_false(pin_valid(NULL));
	/* An invalid PIN is not hashed. */
	assert_int_equal(pin_hash("12345", &hash, &cause), -1);
	assert_null(hash);
	assert_non_null(strstr(cause, "digits"));
	free(cause);
	cause = NULL;
	assert_int_equal(pin_hash("1234567890123", &hash, &cause), -1);
	free(cause);
	cause = NULL;
	assert_int_equal(pin_hash("abcdef", &hash, &cause), -1);
	free(cause);
}

/* A kiosk prompt: a real store in a temporary folder, two staff members. */
struct prompt {
	char dir[64];
	char *state_dir;
	struct store *st;
	struct config cfg;
	struct config_staff members[2];
};

/* Hashes are made once: yescrypt is slow on purpose. */
static char *ana_hash, *ben_hash;

static int
group_setup(void **state)
{
	char *cause = NULL;

	(void)state;
	if (pin_hash(ANA_PIN, &ana_hash, &cause) != 0 ||
	    pin_hash(BEN_PIN, &ben_hash, &cause) != 0) {
		print_error("%s\n", cause);
		free(cause);
		return -1;
	}
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	free(ana_hash);
	free(ben_hash);
	return 0;
}

/*
 * The monotonic clock the prompt measures waits on. It follows the wall
 * clock the tests pass (mono_offset 0) unless a test steps the wall
 * clock: then only `now` moves, by mono_offset.
 */
static int64_t test_mono;
static int64_t mono_offset;

static int64_t
test_clock(void)
{
	return test_mono;
}

/* The wall clock says now: the monotonic clock says now - mono_offset. */
static void
clock_at(int64_t now)
{
	test_mono = now - mono_offset;
}

static int
prompt_setup(void **state)
{
	struct prompt *p = xcalloc(1, sizeof *p);
	char *cause = NULL;

	pin_monotonic = test_clock;
	pin_clock_reset();
	mono_offset = 0;

	snprintf(p->dir, sizeof p->dir, "/tmp/kiosk-pin-XXXXXX");
	if (mkdtemp(p->dir) == NULL)
		return -1;
	p->state_dir = xasprintf("%s/state", p->dir);
	if (store_open(p->state_dir, &p->st, &cause) != 0) {
		print_error("%s\n", cause);
		free(cause);
		return -1;
	}
	p->members[0].name = (char *)"Ana";
	p->members[0].pin_hash = ana_hash;
	p->members[1].name = (char *)"Ben";
	p->members[1].pin_hash = ben_hash;
	p->cfg.staff = p->members;
	p->cfg.nstaff = 2;
	p->cfg.staff_max_attempts = 5;
	p->cfg.staff_lockout_s = 300;
	*state = p;
	return 0;
}

static int
prompt_teardown(void **state)
{
	struct prompt *p = *state;
	char *cmd = xasprintf("rm -rf '%s'", p->dir);
	int rc;

	store_close(p->st);
	rc = system(cmd);
	free(cmd);
	free(p->state_dir);
	free(p);
	return rc == 0 ? 0 : -1;
}

/* pin_check that must not fail on the store; returns the result. */
static enum pin_result
check(struct prompt *p, const char *pin, int64_t now, size_t *who,
    long *wait_s)
{
	enum pin_result r;
	char *cause = NULL;
	size_t w;
	long ws;

	clock_at(now);
	if (pin_check(p->st, &p->cfg, pin, now, &r, &w, &ws, &cause) != 0)
		fail_msg("pin_check: %s", cause);
	if (who != NULL)
		*who = w;
	if (wait_s != NULL)
		*wait_s = ws;
	return r;
}

static enum pin_result
state_at(struct prompt *p, int64_t now, long *wait_s)
{
	enum pin_result r;
	char *cause = NULL;

	clock_at(now);
	if (pin_state(p->st, &p->cfg, now, &r, wait_s, &cause) != 0)
		fail_msg("pin_state: %s", cause);
	return r;
}

static long
failures(struct prompt *p)
{
	int64_t last_at, locked_until;
	char *cause = NULL;
	long count;

	if (store_pin_get(p->st, PIN_WHO, &count, &last_at, &locked_until,
	    &cause) != 0)
		fail_msg("%s", cause);
	return count;
}

/* Audit rows with this actor and action (actor NULL: any). */
static int
audit_count(struct prompt *p, const char *actor, const char *action)
{
	sqlite3 *db;
	sqlite3_stmt *stmt;
	char *path = xasprintf("%s/%s", p->state_dir, STORE_FILE);
	int n = -1;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM audit"
	    " WHERE (?1 IS NULL OR actor = ?1) AND action = ?2", -1, &stmt,
	    NULL), SQLITE_OK);
	sqlite3_bind_text(stmt, 1, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, action, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		n = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	free(path);
	return n;
}

static void
test_right_pin_signs_in(void **state)
{
	struct prompt *p = *state;
	size_t who = 99;
	long wait_s = -1;

	assert_int_equal(check(p, BEN_PIN, T0, &who, &wait_s), PIN_OK);
	assert_int_equal(who, 1);
	assert_int_equal(wait_s, 0);
	assert_int_equal(audit_count(p, "Ben", "sign-in"), 1);
	assert_int_equal(check(p, ANA_PIN, T0 + 1, &who, NULL), PIN_OK);
	assert_int_equal(who, 0);
	assert_int_equal(audit_count(p, "Ana", "sign-in"), 1);
	assert_int_equal(audit_count(p, NULL, "pin-failure"), 0);
}

static void
test_waits_grow_then_lock(void **state)
{
	struct prompt *p = *state;
	static const long waits[] = { 1, 2, 4, 8 };
	int64_t now = T0;
	long wait_s;
	size_t i;

	for (i = 0; i < 4; i++) {
		assert_int_equal(check(p, WRONG_PIN, now, NULL, &wait_s),
		    PIN_WRONG);
		assert_int_equal(wait_s, waits[i]);
		assert_int_equal(failures(p), (long)i + 1);
		/* Too soon: refused, and not counted. */
		assert_int_equal(state_at(p, now, &wait_s), PIN_WAIT);
		assert_int_equal(wait_s, waits[i]);
		if (waits[i] > 1) {
			assert_int_equal(state_at(p, now + waits[i] - 1,
			    &wait_s), PIN_WAIT);
			assert_int_equal(wait_s, 1);
		}
		assert_int_equal(check(p, ANA_PIN, now, NULL, &wait_s),
		    PIN_WAIT);
		assert_int_equal(wait_s, waits[i]);
		assert_int_equal(failures(p), (long)i + 1);
		now += waits[i];
		assert_int_equal(state_at(p, now, &wait_s), PIN_OK);
		assert_int_equal(wait_s, 0);
	}
	/* Failure max_attempts locks for lockout_s. */
	assert_int_equal(check(p, WRONG_PIN, now, NULL, &wait_s), PIN_LOCKED);
	assert_int_equal(wait_s, 300);
	assert_int_equal(state_at(p, now + 100, &wait_s), PIN_LOCKED);
	assert_int_equal(wait_s, 200);
	assert_int_equal(audit_count(p, "unknown", "pin-failure"), 5);
	assert_int_equal(audit_count(p, NULL, "sign-in"), 0);
}

/* Five failures spaced so none waits: the prompt is then locked. */
static int64_t
lock_prompt(struct prompt *p, int64_t now)
{
	long wait_s;
	int i;

	for (i = 0; i < 5; i++) {
		assert_int_equal(check(p, WRONG_PIN, now, NULL, &wait_s),
		    i < 4 ? PIN_WRONG : PIN_LOCKED);
		now += wait_s;
	}
	return now;	/* when the lock ends */
}

static void
test_lock_survives_restart(void **state)
{
	struct prompt *p = *state;
	char *cause = NULL;
	int64_t until;
	long wait_s;

	until = lock_prompt(p, T0);
	store_close(p->st);
	p->st = NULL;
	pin_clock_reset();
	if (store_open(p->state_dir, &p->st, &cause) != 0)
		fail_msg("%s", cause);
	assert_int_equal(state_at(p, until - 1, &wait_s), PIN_LOCKED);
	assert_int_equal(wait_s, 1);
	assert_int_equal(check(p, BEN_PIN, until - 60, NULL, &wait_s),
	    PIN_LOCKED);
	assert_int_equal(wait_s, 60);
}

static void
test_right_pin_refused_while_locked(void **state)
{
	struct prompt *p = *state;
	int64_t until;
	long wait_s, before;

	until = lock_prompt(p, T0);
	before = failures(p);
	assert_int_equal(check(p, ANA_PIN, until - 10, NULL, &wait_s),
	    PIN_LOCKED);
	assert_int_equal(wait_s, 10);
	assert_int_equal(check(p, WRONG_PIN, until - 5, NULL, &wait_s),
	    PIN_LOCKED);
	/* Neither attempt was looked at or counted. */
	assert_int_equal(failures(p), before);
	assert_int_equal(audit_count(p, NULL, "sign-in"), 0);
	assert_int_equal(audit_count(p, NULL, "pin-failure"), 5);
}

static void
test_after_lock_counts_afresh(void **state)
{
	struct prompt *p = *state;
	int64_t until;
	size_t who;
	long wait_s;

	until = lock_prompt(p, T0);
	assert_int_equal(state_at(p, until, &wait_s), PIN_OK);
	assert_int_equal(wait_s, 0);
	/* The first failure after the lock is failure 1 again. */
	assert_int_equal(check(p, WRONG_PIN, until, NULL, &wait_s), PIN_WRONG);
	assert_int_equal(wait_s, 1);
	assert_int_equal(failures(p), 1);
	assert_int_equal(check(p, ANA_PIN, until + 1, &who, &wait_s), PIN_OK);
	assert_int_equal(who, 0);
	assert_int_equal(failures(p), 0);
	/* A lock that ended also lets a right PIN straight in. */
	until = lock_prompt(p, until + 2);
	assert_int_equal(check(p, BEN_PIN, until + 3600, &who, NULL), PIN_OK);
	assert_int_equal(who, 1);
}

/*
 * The wall clock stepped back a year while locked: the lock still ends
 * lockout_s after it began, Exit kiosk included. Stepped forward a year:
 * the lock does not end early. A wait likewise.
 */
static void
test_clock_steps(void **state)
{
	static const int64_t steps[] = { -365 * 86400, 365 * 86400, -1,
	    3600 };
	struct prompt *p = *state;
	int64_t until, start;
	long wait_s;
	size_t i, who;

	for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		start = T0 + (int64_t)i * 10000;
		mono_offset = 0;
		until = lock_prompt(p, start);	/* locked at until - 300 */
		/* Ten seconds into the lock (300 s) the wall clock jumps. */
		mono_offset = steps[i];
		assert_int_equal(state_at(p, until - 290 + steps[i], &wait_s),
		    PIN_LOCKED);
		assert_int_equal(wait_s, 290);
		assert_int_equal(state_at(p, until - 1 + steps[i], &wait_s),
		    PIN_LOCKED);
		assert_int_equal(wait_s, 1);
		assert_int_equal(check(p, ANA_PIN, until + steps[i], &who,
		    &wait_s), PIN_OK);
		/* A growing wait measured the same way. */
		assert_int_equal(check(p, WRONG_PIN, until + steps[i], NULL,
		    &wait_s), PIN_WRONG);
		mono_offset += steps[i];
		assert_int_equal(state_at(p, until + 2 * steps[i], &wait_s),
		    PIN_WAIT);
		assert_int_equal(wait_s, 1);
		assert_int_equal(check(p, ANA_PIN, until + 2 * steps[i] + 1,
		    &who, &wait_s), PIN_OK);
	}
}

/*
 * Counters from before a restart, written under a wrong clock: a lock
 * never lasts more than lockout_s from now, a wait never more than 30 s.
 */
static void
test_restart_caps_waits(void **state)
{
	struct prompt *p = *state;
	char *cause = NULL;
	long wait_s;

	/* Locked "until next year", as a clock a year ahead would store. */
	assert_int_equal(store_pin_failed(p->st, PIN_WHO, T0, T0 + 365 * 86400,
	    &cause), 0);
	pin_clock_reset();
	assert_int_equal(state_at(p, T0, &wait_s), PIN_LOCKED);
	assert_int_equal(wait_s, p->cfg.staff_lockout_s);
	assert_int_equal(state_at(p, T0 + p->cfg.staff_lockout_s, &wait_s),
	    PIN_OK);
	/* A failure dated a year ahead: the wait is at most 30 s. */
	assert_int_equal(store_pin_reset(p->st, PIN_WHO, &cause), 0);
	assert_int_equal(store_pin_failed(p->st, PIN_WHO, T0 + 365 * 86400, 0,
	    &cause), 0);
	assert_int_equal(store_pin_failed(p->st, PIN_WHO, T0 + 365 * 86400, 0,
	    &cause), 0);
	pin_clock_reset();
	assert_int_equal(state_at(p, T0, &wait_s), PIN_WAIT);
	assert_true(wait_s <= 30);
	assert_int_equal(state_at(p, T0 + 30, &wait_s), PIN_OK);
}

static void
test_malformed_pin_counts(void **state)
{
	struct prompt *p = *state;
	long wait_s;

	assert_int_equal(check(p, "12", T0, NULL, &wait_s), PIN_WRONG);
	assert_int_equal(wait_s, 1);
	assert_int_equal(check(p, "", T0 + 1, NULL, &wait_s), PIN_WRONG);
	assert_int_equal(wait_s, 2);
	assert_int_equal(failures(p), 2);
	/* No staff configured: nothing signs in. */
	p->cfg.nstaff = 0;
	assert_int_equal(check(p, ANA_PIN, T0 + 3, NULL, &wait_s), PIN_WRONG);
	assert_int_equal(failures(p), 3);
}

/* Whether needle occurs in the file at path (a missing file: no). */
static bool
file_contains(const char *path, const char *needle)
{
	size_t len = strlen(needle), n = 0, cap = 0;
	char *buf = NULL, chunk[4096];
	bool found = false;
	size_t got, i;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL)
		return false;
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (n + got > cap) {
			cap = (n + got) * 2;
			buf = xrealloc(buf, cap);
		}
		memcpy(buf + n, chunk, got);
		n += got;
	}
	fclose(f);
	for (i = 0; i + len <= n && !found; i++)
		found = memcmp(buf + i, needle, len) == 0;
	free(buf);
	return found;
}

static void
test_no_pin_in_database(void **state)
{
	static const char *const suffixes[] = { "", "-wal", "-shm" };
	static const char *const pins[] = { ANA_PIN, BEN_PIN, WRONG_PIN };
	struct prompt *p = *state;
	char *path, *wal;
	size_t i, j;
	int64_t until;

	until = lock_prompt(p, T0);
	assert_int_equal(check(p, BEN_PIN, until, NULL, NULL), PIN_OK);
	assert_int_equal(check(p, ANA_PIN, until + 1, NULL, NULL), PIN_OK);
	assert_true(audit_count(p, NULL, "pin-failure") > 0);
	for (i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		path = xasprintf("%s/%s%s", p->state_dir, STORE_FILE,
		    suffixes[i]);
		for (j = 0; j < sizeof pins / sizeof pins[0]; j++) {
			if (file_contains(path, pins[j]))
				fail_msg("%s holds PIN %s", path, pins[j]);
		}
		free(path);
	}
	/* The search itself works: the audit's words are there. */
	path = xasprintf("%s/%s", p->state_dir, STORE_FILE);
	wal = xasprintf("%s-wal", path);
	assert_true(file_contains(path, "sign-in") ||
	    file_contains(wal, "sign-in"));
	free(wal);
	free(path);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, prompt_setup, \
    prompt_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_then_verify),
		cmocka_unit_test(test_bcrypt_hash),
		cmocka_unit_test(test_pin_valid),
		T(test_right_pin_signs_in),
		T(test_waits_grow_then_lock),
		T(test_lock_survives_restart),
		T(test_right_pin_refused_while_locked),
		T(test_after_lock_counts_afresh),
		T(test_malformed_pin_counts),
		T(test_no_pin_in_database),
		T(test_clock_steps),
		T(test_restart_caps_waits),
	};

	return cmocka_run_group_tests_name("pin", tests, group_setup,
	    group_teardown);
}
