/*
 * test_store.c: the store against real SQLite files in a fresh temporary
 * directory per test. What store.c promises is checked from outside too:
 * file modes with stat(2), the schema and triggers through a second, raw
 * SQLite connection (tests may include <sqlite3.h>; kiosk/ may not).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store.h"

#define STORE_VSTR(x) #x
#define STORE_XVERSION_(x) STORE_VSTR(x)
#define STORE_XVERSION STORE_XVERSION_(STORE_SCHEMA_VERSION)
#include "util.h"

#define NAME_PAYLOAD "{\"client\":{\"given_name\":\"Zoë\"," \
	"\"family_name\":\"Núñez-O'Brien 李小龍\"}}"

/* Per-test temporary directory; state is STATE_DIR below it. */
struct fixture {
	char	 tmp[64];
	char	*state_dir;
	char	*db;
};

static int
fixture_setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);

	snprintf(f->tmp, sizeof f->tmp, "/tmp/test_store.XXXXXX");
	if (mkdtemp(f->tmp) == NULL)
		return -1;
	f->state_dir = xasprintf("%s/state", f->tmp);
	f->db = xasprintf("%s/%s", f->state_dir, STORE_FILE);
	*state = f;
	return 0;
}

static int
remove_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	return remove(path);
}

static int
fixture_teardown(void **state)
{
	struct fixture *f = *state;
	int rc;

	rc = nftw(f->tmp, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f->state_dir);
	free(f->db);
	free(f);
	return rc;
}

/* Open the fixture's store; the test fails with the cause if it cannot. */
static struct store *
open_ok(struct fixture *f)
{
	struct store *s = NULL;
	char *cause = NULL;

	if (store_open(f->state_dir, &s, &cause) != 0)
		fail_msg("store_open: %s", cause);
	assert_non_null(s);
	assert_null(cause);
	return s;
}

/* store_open must refuse; returns the cause (caller frees). */
static char *
open_refused(const char *state_dir)
{
	struct store *s = NULL;
	char *cause = NULL;

	assert_int_equal(store_open(state_dir, &s, &cause), -1);
	assert_null(s);
	assert_non_null(cause);
	return cause;
}

static void
assert_contains(const char *haystack, const char *needle)
{
	if (strstr(haystack, needle) == NULL)
		fail_msg("\"%s\" does not contain \"%s\"", haystack, needle);
}

static void
put_ok(struct store *s, const char *id, const char *receipt,
    int64_t completed_at, const char *payload)
{
	struct store_intake in = {
		.id = id, .receipt = receipt, .outcome = "clear",
		.consent = "accepted", .completed_ms = completed_at * 1000,
		.payload = payload,
	};
	char *cause = NULL;

	if (store_put_intake(s, &in, &cause) != 0)
		fail_msg("store_put_intake %s: %s", id, cause);
}

/* A second connection that bypasses the store, as an intruder would. */
static sqlite3 *
raw_open(const char *path)
{
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		fail_msg("raw open %s: %s", path, sqlite3_errmsg(db));
	assert_int_equal(sqlite3_busy_timeout(db, 5000), SQLITE_OK);
	return db;
}

static void
raw_close(sqlite3 *db)
{
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

/* Run sql; returns SQLite's result code (SQLITE_OK or an error). */
static int
raw_exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

/* The first column of the first row of sql as text (caller frees). */
static char *
raw_text(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	const unsigned char *t;
	char *out;

	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		fail_msg("prepare %s: %s", sql, sqlite3_errmsg(db));
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	t = sqlite3_column_text(stmt, 0);
	out = xstrdup(t != NULL ? (const char *)t : "(null)");
	assert_int_equal(sqlite3_finalize(stmt), SQLITE_OK);
	return out;
}

static void
assert_raw_text(sqlite3 *db, const char *sql, const char *want)
{
	char *got = raw_text(db, sql);

	if (strcmp(got, want) != 0)
		fail_msg("%s: got \"%s\", want \"%s\"", sql, got, want);
	free(got);
}

/* Create an empty database file 0600 in a 0700 state_dir, raw. */
static sqlite3 *
raw_create(struct fixture *f)
{
	int fd;

	assert_int_equal(mkdir(f->state_dir, 0700), 0);
	fd = open(f->db, O_RDWR | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	close(fd);
	return raw_open(f->db);
}

static void
assert_mode(const char *path, mode_t want)
{
	struct stat sb;

	if (stat(path, &sb) != 0)
		fail_msg("stat %s: %s", path, strerror(errno));
	if ((sb.st_mode & 07777) != want)
		fail_msg("%s: mode %04o, want %04o", path,
		    (unsigned int)(sb.st_mode & 07777), (unsigned int)want);
}

/* Collects payloads from store_each_payload. */
struct collect {
	char	*seen[8];
	int	 n;
	int	 stop_with;
};

static int
collect_fn(const char *payload, void *arg)
{
	struct collect *c = arg;

	if (c->n < 8)
		c->seen[c->n] = xstrdup(payload);
	c->n++;
	return c->stop_with;
}

static void
collect_free(struct collect *c)
{
	int i;

	for (i = 0; i < c->n && i < 8; i++)
		free(c->seen[i]);
}

/* Even with umask 0, missing parents, the dir and every file are private. */
static void
test_open_creates_private_files(void **state)
{
	struct fixture *f = *state;
	struct store *s;
	char *deep, *wal, *shm, *cause = NULL;
	mode_t old;

	free(f->state_dir);
	free(f->db);
	f->state_dir = xasprintf("%s/a/b/state", f->tmp);
	f->db = xasprintf("%s/%s", f->state_dir, STORE_FILE);
	old = umask(0);
	s = open_ok(f);
	put_ok(s, "id-1", "R1", 100, "{}");
	assert_int_equal(store_audit(s, "test", "open", NULL, &cause), 0);
	umask(old);

	deep = xasprintf("%s/a", f->tmp);
	assert_mode(deep, 0700);
	free(deep);
	assert_mode(f->state_dir, 0700);
	assert_mode(f->db, 0600);
	wal = xasprintf("%s-wal", f->db);
	shm = xasprintf("%s-shm", f->db);
	assert_mode(wal, 0600);		/* open while the store is */
	assert_mode(shm, 0600);
	store_close(s);
	free(wal);
	free(shm);
}

/* The settings are read back from the store's own connection. */
static void
test_pragmas_in_force(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f);
	char *report = NULL, *cause = NULL;
	sqlite3 *db;

	if (store_pragma_check(s, &report, &cause) != 0)
		fail_msg("store_pragma_check: %s", cause);
	assert_string_equal(report, "journal_mode=wal synchronous=2 "
	    "secure_delete=1 foreign_keys=1 trusted_schema=0 "
	    "busy_timeout=5000 user_version=" STORE_XVERSION
	    " journal_size_limit=0");
	free(report);
	assert_int_equal(store_pragma_check(s, NULL, &cause), 0);

	/* Persistent ones are visible to any other connection too. */
	db = raw_open(f->db);
	assert_raw_text(db, "PRAGMA journal_mode", "wal");
	assert_raw_text(db, "PRAGMA user_version", STORE_XVERSION);
	assert_raw_text(db, "SELECT group_concat(name, ',') FROM (SELECT name"
	    " FROM sqlite_schema WHERE type = 'table' ORDER BY name)",
	    "audit,intakes,meta,pin_failures,reviews,sqlite_sequence");
	raw_close(db);
	store_close(s);
}

/* A setting that drifts after open is reported, not silently accepted. */
static void
test_pragma_drift_reported(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f);
	char *report = NULL, *cause = NULL;
	sqlite3 *db;

	/* user_version lives in the file: another connection can change it. */
	db = raw_open(f->db);
	assert_int_equal(raw_exec(db, "PRAGMA user_version = 0"), SQLITE_OK);
	raw_close(db);
	assert_int_equal(store_pragma_check(s, &report, &cause), -1);
	assert_null(report);
	assert_non_null(cause);
	assert_contains(cause, "user_version=0");
	assert_contains(cause, "journal_mode=wal");
	free(cause);
	store_close(s);
}

/* A UTF-8 payload survives close and reopen byte for byte. */
static void
test_put_reopen_roundtrip(void **state)
{
	struct fixture *f = *state;
	struct collect c = { .stop_with = 0 };
	struct store *s;
	char sha[65], *sql, *cause = NULL;
	sqlite3 *db;

	s = open_ok(f);
	put_ok(s, "0b7d2c1e-1111-4aaa-8bbb-123456789abc", "K7P2Q", 1764000000,
	    NAME_PAYLOAD);
	store_close(s);

	s = open_ok(f);
	assert_int_equal(store_each_payload(s, collect_fn, &c, &cause), 0);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.seen[0], NAME_PAYLOAD);
	assert_memory_equal(c.seen[0], NAME_PAYLOAD, sizeof NAME_PAYLOAD);
	collect_free(&c);
	store_close(s);

	/* The bookkeeping put_intake promises, seen from outside. */
	sha256_hex(NAME_PAYLOAD, strlen(NAME_PAYLOAD), sha);
	db = raw_open(f->db);
	sql = xasprintf("SELECT payload_sha256 = '%s' AND sync_state = "
	    "'pending' AND attempts = 0 AND next_attempt_at = completed_at "
	    "AND completed_at = 1764000000 AND receipt = 'K7P2Q' AND "
	    "last_error IS NULL AND sent_at IS NULL FROM intakes", sha);
	assert_raw_text(db, sql, "1");
	free(sql);
	raw_close(db);
}

static void
test_duplicate_id_refused(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f);
	struct store_intake in = {
		.id = "dup-1", .receipt = "R2", .outcome = "review",
		.consent = "accepted", .completed_ms = 20000,
		.payload = NAME_PAYLOAD,
	};
	struct store_counts c;
	char *cause = NULL;

	put_ok(s, "dup-1", "R1", 10, "{\"first\":true}");
	assert_int_equal(store_put_intake(s, &in, &cause), -1);
	assert_non_null(cause);
	assert_contains(cause, "dup-1");
	assert_null(strstr(cause, "Zoë"));
	free(cause);
	cause = NULL;

	/* The transaction was rolled back and the store still works. */
	assert_int_equal(store_counts(s, &c, &cause), 0);
	assert_int_equal(c.pending, 1);
	put_ok(s, "dup-2", "R2", 30, "{}");
	store_close(s);
}

/* Bad fields are refused by the store or the schema, without PHI. */
static void
test_bad_fields_refused(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f);
	struct store_intake in = {
		.id = "bad-1", .receipt = "R", .outcome = "maybe",
		.consent = "accepted", .completed_ms = 1000,
		.payload = NAME_PAYLOAD,
	};
	struct store_counts c;
	char *cause = NULL;

	assert_int_equal(store_put_intake(s, &in, &cause), -1);
	assert_contains(cause, "CHECK constraint failed");
	assert_null(strstr(cause, "Zoë"));
	free(cause);

	in.outcome = "clear";
	in.consent = "yes";
	assert_int_equal(store_put_intake(s, &in, &cause), -1);
	assert_contains(cause, "bad-1");
	free(cause);

	in.consent = "declined";
	in.payload = NULL;
	assert_int_equal(store_put_intake(s, &in, &cause), -1);
	assert_contains(cause, "missing");
	free(cause);

	in.payload = "{\"x\":\"\xff\xfe\"}";
	assert_int_equal(store_put_intake(s, &in, &cause), -1);
	assert_contains(cause, "UTF-8");
	free(cause);
	cause = NULL;

	assert_int_equal(store_counts(s, &c, &cause), 0);
	assert_int_equal(c.pending, 0);
	store_close(s);
}

static void
test_counts_and_order(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f);
	struct collect c = { .stop_with = 0 };
	struct store_counts n;
	char *cause = NULL;
	sqlite3 *db;

	assert_int_equal(store_counts(s, &n, &cause), 0);
	assert_int_equal(n.pending + n.sent + n.parked + n.purged, 0);
	assert_int_equal(n.oldest_pending_at, 0);

	put_ok(s, "c", "RC", 300, "{\"n\":3}");
	put_ok(s, "a", "RA", 100, "{\"n\":1}");
	put_ok(s, "b", "RB", 200, "{\"n\":2}");
	put_ok(s, "d", "RD", 400, "{\"n\":4}");

	/* As the sync and purge code will: a is sent and purged, c parked. */
	db = raw_open(f->db);
	assert_int_equal(raw_exec(db, "UPDATE intakes SET sync_state = 'sent',"
	    " sent_at = 500, payload = NULL, purged_at = 600 WHERE id = 'a'"),
	    SQLITE_OK);
	assert_int_equal(raw_exec(db, "UPDATE intakes SET sync_state = "
	    "'parked', last_error = 'HTTP 422' WHERE id = 'c'"), SQLITE_OK);
	raw_close(db);

	assert_int_equal(store_counts(s, &n, &cause), 0);
	assert_int_equal(n.pending, 2);
	assert_int_equal(n.sent, 1);
	assert_int_equal(n.parked, 1);
	assert_int_equal(n.purged, 1);
	assert_int_equal(n.oldest_pending_at, 200);

	assert_int_equal(store_each_payload(s, collect_fn, &c, &cause), 0);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.seen[0], "{\"n\":2}");
	assert_string_equal(c.seen[1], "{\"n\":3}");
	assert_string_equal(c.seen[2], "{\"n\":4}");
	collect_free(&c);
	store_close(s);
}

/* Collects ids from store_each_intake, newest first. */
static int
collect_row_fn(const struct store_row *row, void *arg)
{
	return collect_fn(row->id, arg);
}

/*
 * Check-ins completed within one second list by their milliseconds, and
 * within one millisecond the later stored first: the order never depends
 * on which second the clock happened to be in.
 */
static void
test_same_second_order(void **state)
{
	static const struct {
		const char	*id;
		int64_t		 ms;
	} puts[] = {
		{ "early", 999999 },	/* the second before */
		{ "late-in-second", 1000900 },
		{ "early-in-second", 1000100 },
		{ "same-ms-stored-later", 1000100 },
		{ "next-second", 1001000 },
	};
	static const char *const want[] = {
		"next-second", "late-in-second", "same-ms-stored-later",
		"early-in-second", "early",
	};
	struct fixture *f = *state;
	struct store *s = open_ok(f);
	struct collect c = { .stop_with = 0 };
	char *cause = NULL;
	size_t i;

	for (i = 0; i < sizeof puts / sizeof puts[0]; i++) {
		struct store_intake in = {
			.id = puts[i].id, .receipt = "R", .outcome = "clear",
			.consent = "accepted", .completed_ms = puts[i].ms,
			.payload = "{}",
		};

		if (store_put_intake(s, &in, &cause) != 0)
			fail_msg("store_put_intake %s: %s", puts[i].id, cause);
	}
	assert_int_equal(store_each_intake(s, 0, collect_row_fn, &c, &cause),
	    0);
	assert_int_equal(c.n, 5);
	for (i = 0; i < 5; i++)
		assert_string_equal(c.seen[i], want[i]);
	collect_free(&c);

	/* `since` is in seconds and includes the whole second. */
	c = (struct collect){ .stop_with = 0 };
	assert_int_equal(store_each_intake(s, 1000, collect_row_fn, &c,
	    &cause), 0);
	assert_int_equal(c.n, 4);
	assert_string_equal(c.seen[3], "early-in-second");
	collect_free(&c);
	store_close(s);
}

/* A non-zero callback value stops the walk and is returned. */
static void
test_each_payload_stops(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f);
	struct collect c = { .stop_with = 7 };
	char *cause = NULL;

	put_ok(s, "a", "RA", 1, "{\"n\":1}");
	put_ok(s, "b", "RB", 2, "{\"n\":2}");
	assert_int_equal(store_each_payload(s, collect_fn, &c, &cause), 7);
	assert_null(cause);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.seen[0], "{\"n\":1}");
	collect_free(&c);
	store_close(s);
}

static void
test_find_payload(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f);
	char *p = NULL, *cause = NULL;

	put_ok(s, "id-old", "SAME", 1, "{\"n\":1}");
	put_ok(s, "id-new", "SAME", 2, "{\"n\":2}");
	assert_int_equal(store_find_payload(s, "id-old", &p, &cause), 0);
	assert_string_equal(p, "{\"n\":1}");
	free(p);
	assert_int_equal(store_find_payload(s, "SAME", &p, &cause), 0);
	assert_string_equal(p, "{\"n\":2}");
	free(p);
	assert_int_equal(store_find_payload(s, "nope", &p, &cause), 0);
	assert_null(p);
	assert_int_equal(store_find_payload(s, "' OR 1=1 --", &p, &cause), 0);
	assert_null(p);
	store_close(s);
}

/* Audit rows go in; nothing can change or remove them afterwards. */
static void
test_audit_append_only(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f);
	char *cause = NULL;
	sqlite3 *db;

	assert_int_equal(store_audit(s, "Ana", "review", "id-1", &cause), 0);
	assert_int_equal(store_audit(s, "kiosk", "purge", NULL, &cause), 0);
	assert_int_equal(store_audit(s, NULL, "x", NULL, &cause), -1);
	free(cause);

	db = raw_open(f->db);
	assert_raw_text(db, "SELECT count(*) FROM audit", "2");
	assert_raw_text(db, "SELECT actor || '/' || action || '/' ||"
	    " coalesce(subject, '-') FROM audit ORDER BY seq",
	    "Ana/review/id-1");
	assert_int_equal(raw_exec(db, "UPDATE audit SET actor = 'Eve'"),
	    SQLITE_CONSTRAINT);
	assert_contains(sqlite3_errmsg(db), "append-only");
	assert_int_equal(raw_exec(db, "DELETE FROM audit"), SQLITE_CONSTRAINT);
	assert_contains(sqlite3_errmsg(db), "append-only");
	assert_int_equal(raw_exec(db, "DELETE FROM audit WHERE seq = 2"),
	    SQLITE_CONSTRAINT);
	assert_raw_text(db, "SELECT count(*) FROM audit", "2");
	assert_raw_text(db, "SELECT group_concat(actor) FROM audit",
	    "Ana,kiosk");
	raw_close(db);
	store_close(s);
}

/* store_audit_verify on s; returns the first broken seq (0: intact). */
static int64_t
verify_broken(struct store *s, long *rows, long *unchained)
{
	struct store_audit_check chk;
	char *cause = NULL;

	if (store_audit_verify(s, &chk, &cause) != 0)
		fail_msg("store_audit_verify: %s", cause);
	if (rows != NULL)
		*rows = chk.rows;
	if (unchained != NULL)
		*unchained = chk.unchained;
	return chk.broken_seq;
}

/* Audit rows with five entries, seq 1-5, and the raw db open on it. */
static struct store *
audit_five(struct fixture *f, sqlite3 **db)
{
	static const char *const rows[][3] = {
		{ "Ana", "sign-in", NULL }, { "Ana", "review", "id-1" },
		{ "unknown", "pin-failure", "prompt" }, { "kiosk", "purge",
		"1 intakes" }, { "Ben", "exit", NULL },
	};
	struct store *s = open_ok(f);
	char *cause = NULL;
	size_t i;

	for (i = 0; i < 5; i++) {
		if (store_audit(s, rows[i][0], rows[i][1], rows[i][2],
		    &cause) != 0)
			fail_msg("store_audit: %s", cause);
	}
	*db = raw_open(f->db);
	/* What someone with the file does first: lift the triggers. */
	assert_int_equal(raw_exec(*db, "DROP TRIGGER audit_no_update;"
	    "DROP TRIGGER audit_no_delete;"), SQLITE_OK);
	return s;
}

/* The chain: intact, then each way around the triggers is caught. */
static void
test_audit_chain(void **state)
{
	static const struct {
		const char *sql;	/* the tampering */
		int64_t broken;		/* first broken seq */
	} rows[] = {
		{ "SELECT 1", 0 },
		{ "UPDATE audit SET actor = 'Eve' WHERE seq = 3", 3 },
		{ "UPDATE audit SET subject = NULL WHERE seq = 2", 2 },
		{ "UPDATE audit SET at = at + 1 WHERE seq = 5", 5 },
		{ "UPDATE audit SET hash = NULL WHERE seq = 4", 4 },
		{ "UPDATE audit SET hash = NULL", 1 },
		{ "UPDATE audit SET hash = NULL; DELETE FROM meta", 1 },
		{ "DELETE FROM audit WHERE seq = 2", 2 },
		{ "DELETE FROM audit WHERE seq = 5", 5 },
		{ "DELETE FROM audit WHERE seq >= 4", 4 },
		{ "UPDATE audit SET seq = seq + 10 WHERE seq = 5", 5 },
	};
	struct fixture *f = *state;
	struct store *s;
	char *cause = NULL;
	sqlite3 *db;
	long n, old;
	size_t i;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		s = audit_five(f, &db);
		assert_int_equal(raw_exec(db, rows[i].sql), SQLITE_OK);
		raw_close(db);
		if (verify_broken(s, &n, NULL) != rows[i].broken)
			fail_msg("row %zu (%s): broken at %lld, want %lld", i,
			    rows[i].sql, (long long)verify_broken(s, NULL,
			    NULL), (long long)rows[i].broken);
		if (rows[i].broken == 0)
			assert_int_equal(n, 5);
		store_close(s);
		fixture_teardown(state);
		fixture_setup(state);
		f = *state;
	}
	/* Rows from before the chain are counted, and the chain goes on. */
	s = audit_five(f, &db);
	assert_int_equal(raw_exec(db, "UPDATE audit SET hash = NULL;"
	    "UPDATE meta SET value = '6' WHERE key = 'audit_chain_from'"),
	    SQLITE_OK);
	raw_close(db);
	assert_int_equal(verify_broken(s, &n, &old), 0);
	assert_int_equal(n, 0);
	assert_int_equal(old, 5);
	assert_int_equal(store_audit(s, "Ana", "sign-in", NULL, &cause), 0);
	assert_int_equal(verify_broken(s, &n, &old), 0);
	assert_int_equal(n, 1);
	store_close(s);
}

/* A stored intake's content is frozen; only bookkeeping and purge move. */
static void
test_intake_frozen(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f);
	sqlite3 *db;

	put_ok(s, "fz", "RF", 1, "{\"n\":1}");
	db = raw_open(f->db);
	assert_int_equal(raw_exec(db, "UPDATE intakes SET payload = '{}'"),
	    SQLITE_CONSTRAINT);
	assert_int_equal(raw_exec(db, "UPDATE intakes SET outcome = 'clear',"
	    " receipt = 'X'"), SQLITE_CONSTRAINT);
	assert_int_equal(raw_exec(db, "DELETE FROM intakes"),
	    SQLITE_CONSTRAINT);
	assert_int_equal(raw_exec(db, "UPDATE intakes SET attempts = 3,"
	    " next_attempt_at = 99, last_error = 'HTTP 503'"), SQLITE_OK);
	assert_int_equal(raw_exec(db, "UPDATE intakes SET payload = NULL,"
	    " purged_at = 100"), SQLITE_OK);
	assert_raw_text(db, "SELECT count(*) FROM intakes WHERE payload IS NULL"
	    " AND length(payload_sha256) = 64", "1");
	raw_close(db);
	store_close(s);
}

/* An empty database at user_version 0 is brought up to date. */
static void
test_migrates_from_zero(void **state)
{
	struct fixture *f = *state;
	struct store *s;
	sqlite3 *db;

	db = raw_create(f);
	assert_raw_text(db, "PRAGMA user_version", "0");
	assert_raw_text(db, "SELECT count(*) FROM sqlite_schema", "0");
	raw_close(db);

	s = open_ok(f);
	put_ok(s, "m1", "RM", 5, "{}");
	store_close(s);

	db = raw_open(f->db);
	assert_raw_text(db, "PRAGMA user_version", STORE_XVERSION);
	assert_raw_text(db, "SELECT group_concat(name, ',') FROM (SELECT name"
	    " FROM sqlite_schema WHERE type = 'trigger' ORDER BY name)",
	    "audit_no_delete,audit_no_update,intakes_frozen,intakes_kept,"
	    "intakes_purge_only,reviews_frozen,reviews_kept,"
	    "reviews_purge_only");
	assert_raw_text(db, "SELECT group_concat(name, ',') FROM (SELECT name"
	    " FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL"
	    " ORDER BY name)",
	    "intakes_completed,intakes_due,intakes_receipt,reviews_due,"
	    "reviews_intake");
	assert_raw_text(db, "SELECT completed_at || ' ' || completed_ms"
	    " FROM intakes", "5 5000");
	assert_raw_text(db, "SELECT count(*) FROM intakes", "1");
	/* The reviews foreign key is real. */
	assert_int_equal(raw_exec(db, "PRAGMA foreign_keys = ON"), SQLITE_OK);
	assert_int_equal(raw_exec(db, "INSERT INTO reviews (id, intake_id,"
	    " decision, staff, decided_at, payload, next_attempt_at) VALUES"
	    " ('r1', 'no-such-intake', 'cleared', 'Ana', 1, '{}', 1)"),
	    SQLITE_CONSTRAINT);
	assert_int_equal(raw_exec(db, "INSERT INTO reviews (id, intake_id,"
	    " decision, staff, decided_at, payload, next_attempt_at) VALUES"
	    " ('r1', 'm1', 'cleared', 'Ana', 1, '{}', 1)"), SQLITE_OK);
	raw_close(db);

	/* Opening again migrates nothing and loses nothing. */
	s = open_ok(f);
	store_close(s);
	db = raw_open(f->db);
	assert_raw_text(db, "SELECT count(*) FROM reviews", "1");
	raw_close(db);
}

/* A database from a newer kiosk is left untouched. */
static void
test_newer_schema_refused(void **state)
{
	struct fixture *f = *state;
	char *cause;
	sqlite3 *db;

	db = raw_create(f);
	assert_int_equal(raw_exec(db, "PRAGMA user_version = 99"), SQLITE_OK);
	raw_close(db);

	cause = open_refused(f->state_dir);
	assert_contains(cause, "database schema 99 is newer than this kiosk "
	    "(" STORE_XVERSION "); upgrade the kiosk");
	free(cause);

	db = raw_open(f->db);
	assert_raw_text(db, "PRAGMA user_version", "99");
	assert_raw_text(db, "PRAGMA journal_mode", "delete");
	raw_close(db);
}

/* Garbage over pages in the middle of the file is caught at open. */
static void
test_corrupt_refused(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f);
	char id[32], payload[1200], junk[4096], *wal, *cause;
	struct stat sb;
	unsigned int x = 12345;
	size_t i;
	off_t at;
	int fd, n;

	for (n = 0; n < 60; n++) {
		snprintf(id, sizeof id, "id-%02d", n);
		memset(payload, 0, sizeof payload);
		snprintf(payload, sizeof payload, "{\"who\":\"Zoë\",\"pad\":\"");
		memset(payload + strlen(payload), 'a' + n % 26, 1000);
		memcpy(payload + strlen(payload), "\"}", 3);
		put_ok(s, id, "R", n, payload);
	}
	store_close(s);
	wal = xasprintf("%s-wal", f->db);
	assert_int_equal(access(wal, F_OK), -1);	/* checkpointed */
	free(wal);

	assert_int_equal(stat(f->db, &sb), 0);
	assert_true(sb.st_size >= 16 * 4096);
	for (i = 0; i < sizeof junk; i++) {
		x = x * 1103515245u + 12345u;
		junk[i] = (char)(x >> 16);
	}
	at = (sb.st_size / 2 / 4096) * 4096;
	fd = open(f->db, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, junk, sizeof junk, at), (ssize_t)sizeof junk);
	assert_int_equal(close(fd), 0);

	cause = open_refused(f->state_dir);
	assert_contains(cause, "is damaged");
	assert_null(strstr(cause, "Zoë"));
	free(cause);
}

/* A file that is not SQLite at all is refused too. */
static void
test_not_a_database_refused(void **state)
{
	struct fixture *f = *state;
	static const char text[] = "this is not a database, just text\n";
	char page[8192], *cause;
	size_t i;
	int fd;

	assert_int_equal(mkdir(f->state_dir, 0700), 0);
	fd = open(f->db, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	for (i = 0; i < sizeof page; i++)
		page[i] = text[i % (sizeof text - 1)];
	assert_int_equal(write(fd, page, sizeof page), (ssize_t)sizeof page);
	assert_int_equal(close(fd), 0);

	cause = open_refused(f->state_dir);
	assert_contains(cause, "not a database");
	free(cause);
}

static void
test_open_state_dir_refused(void **state)
{
	static const mode_t modes[] = { 0755, 0750, 0701, 0710, 0707 };
	struct fixture *f = *state;
	char *cause;
	size_t i;

	assert_int_equal(mkdir(f->state_dir, 0700), 0);
	for (i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		assert_int_equal(chmod(f->state_dir, modes[i]), 0);
		cause = open_refused(f->state_dir);
		assert_contains(cause, "is accessible by others; chmod 700 it");
		assert_contains(cause, f->state_dir);
		free(cause);
	}
	/* Nothing was created inside the refused directory. */
	assert_int_equal(access(f->db, F_OK), -1);
	assert_int_equal(chmod(f->state_dir, 0700), 0);
	store_close(open_ok(f));
}

static void
test_state_dir_not_a_directory(void **state)
{
	struct fixture *f = *state;
	char *cause;
	int fd;

	fd = open(f->state_dir, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	close(fd);
	cause = open_refused(f->state_dir);
	assert_contains(cause, "not a directory");
	free(cause);
	cause = open_refused("");
	free(cause);
}

static void
test_db_mode_refused(void **state)
{
	static const mode_t modes[] = { 0644, 0640, 0604, 0660 };
	struct fixture *f = *state;
	char *cause;
	size_t i;

	store_close(open_ok(f));
	for (i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		assert_int_equal(chmod(f->db, modes[i]), 0);
		cause = open_refused(f->state_dir);
		assert_contains(cause, "is accessible by others");
		assert_contains(cause, "chmod 600");
		assert_contains(cause, STORE_FILE);
		free(cause);
	}
	assert_mode(f->db, 0660);	/* refused, not "fixed" behind our back */
	assert_int_equal(chmod(f->db, 0600), 0);
	store_close(open_ok(f));
}

/* A leftover -wal or -shm readable by others is refused as well. */
static void
test_sidecar_mode_refused(void **state)
{
	static const char *const suffixes[] = { "-wal", "-shm" };
	struct fixture *f = *state;
	char *side, *cause;
	size_t i;
	int fd;

	store_close(open_ok(f));
	for (i = 0; i < 2; i++) {
		side = xasprintf("%s%s", f->db, suffixes[i]);
		fd = open(side, O_WRONLY | O_CREAT | O_EXCL, 0644);
		assert_true(fd >= 0);
		close(fd);
		assert_int_equal(chmod(side, 0644), 0);
		cause = open_refused(f->state_dir);
		assert_contains(cause, suffixes[i]);
		assert_contains(cause, "chmod 600");
		free(cause);
		assert_int_equal(unlink(side), 0);
		free(side);
	}
	store_close(open_ok(f));
}

/* A symlink in place of the database is not followed. */
static void
test_db_symlink_refused(void **state)
{
	struct fixture *f = *state;
	char *target, *cause;

	assert_int_equal(mkdir(f->state_dir, 0700), 0);
	target = xasprintf("%s/elsewhere.db", f->tmp);
	assert_int_equal(symlink(target, f->db), 0);
	cause = open_refused(f->state_dir);
	assert_contains(cause, "symbolic link");
	free(cause);
	assert_int_equal(access(target, F_OK), -1);
	free(target);
}

/* Two connections (the UI and the sync worker) share one database. */
static void
test_two_connections(void **state)
{
	struct fixture *f = *state;
	struct store *a = open_ok(f), *b = open_ok(f);
	struct store_counts n;
	char *cause = NULL;

	put_ok(a, "x1", "R1", 1, "{}");
	put_ok(b, "x2", "R2", 2, "{}");
	assert_int_equal(store_counts(a, &n, &cause), 0);
	assert_int_equal(n.pending, 2);
	store_close(b);
	store_close(a);
	store_close(NULL);
}

/* Whether any file in dir holds needle (read whole, byte for byte). */
static bool
dir_holds(const char *dir, const char *needle, char **where)
{
	static const char *const names[] = { STORE_FILE, STORE_FILE "-wal",
	    STORE_FILE "-shm", STORE_FILE "-journal" };
	char *path, *buf;
	struct stat sb;
	bool found = false;
	size_t i;
	FILE *fp;

	for (i = 0; i < sizeof names / sizeof names[0] && !found; i++) {
		path = xasprintf("%s/%s", dir, names[i]);
		if (stat(path, &sb) == 0 && sb.st_size > 0) {
			buf = xmalloc((size_t)sb.st_size);
			assert_non_null(fp = fopen(path, "rb"));
			assert_int_equal(fread(buf, 1, (size_t)sb.st_size, fp),
			    (size_t)sb.st_size);
			fclose(fp);
			found = memmem(buf, (size_t)sb.st_size, needle,
			    strlen(needle)) != NULL;
			free(buf);
		}
		if (found)
			*where = path;
		else
			free(path);
	}
	return found;
}

/*
 * After retention purges an intake, its personal data is in no file of
 * the state dir (the WAL included) while the kiosk keeps running.
 */
static void
test_purge_leaves_no_trace(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f), *sync = open_ok(f);
	char *cause = NULL, *where = NULL, *payload;
	long purged = 0;
	int i;

	payload = xstrdup("{\"name\":\"");
	for (i = 0; i < 200; i++) {
		char *more = xasprintf("%sPURGE-ME-%03d ", payload, i);

		free(payload);
		payload = more;
	}
	put_ok(s, "p1", "P1", 10, payload);
	free(payload);
	put_ok(s, "p2", "P2", 10, "{\"name\":\"kept\"}");
	assert_true(dir_holds(f->state_dir, "PURGE-ME-", &where));
	free(where);
	assert_int_equal(store_mark_sent(sync, STORE_INTAKE, "p1", "srv-1", 20,
	    &cause), 0);
	assert_int_equal(store_purge(s, 1000, 2000, &purged, &cause), 0);
	assert_int_equal(purged, 1);
	if (dir_holds(f->state_dir, "PURGE-ME-", &where))
		fail_msg("purged data is still in %s", where);
	/* The rest is still there. */
	store_close(sync);
	store_close(s);
	s = open_ok(f);
	payload = NULL;
	assert_int_equal(store_find_payload(s, "p2", &payload, &cause), 0);
	assert_string_equal(payload, "{\"name\":\"kept\"}");
	free(payload);
	store_close(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, \
	fixture_teardown)
		T(test_open_creates_private_files),
		T(test_pragmas_in_force),
		T(test_pragma_drift_reported),
		T(test_put_reopen_roundtrip),
		T(test_duplicate_id_refused),
		T(test_bad_fields_refused),
		T(test_counts_and_order),
		T(test_same_second_order),
		T(test_each_payload_stops),
		T(test_find_payload),
		T(test_audit_append_only),
		T(test_intake_frozen),
		T(test_migrates_from_zero),
		T(test_newer_schema_refused),
		T(test_corrupt_refused),
		T(test_not_a_database_refused),
		T(test_open_state_dir_refused),
		T(test_state_dir_not_a_directory),
		T(test_db_mode_refused),
		T(test_sidecar_mode_refused),
		T(test_db_symlink_refused),
		T(test_two_connections),
		T(test_purge_leaves_no_trace),
		T(test_audit_chain),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
