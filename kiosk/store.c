/*
 * store.c: the kiosk's durable state in one SQLite database
 * (docs/design.md "Store"): private files, WAL, forward migrations, the frozen intakes
 * and the append-only audit log. The only file that includes <sqlite3.h>.
 * Messages name files, ids and SQLite's reason; never a payload or a
 * person's name. Data only ever reaches SQL as bound parameters.
 */
#include "store.h"

#include <sys/resource.h>
#include <sys/stat.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "util.h"

#define STORE_BUSY_TIMEOUT_MS 5000
#define STORE_STR(x) #x
#define STORE_XSTR(x) STORE_STR(x)

#define STORE_MAX_CACHED 64

struct store {
	sqlite3	*db;
	char	*path;		/* STATE_DIR/kiosk.db, for messages */
	/* Statements prepared once per connection (store_cached). */
	struct {
		const char	*sql;
		sqlite3_stmt	*stmt;
	} cached[STORE_MAX_CACHED];
	int	ncached;
	bool	counted;	/* in store_opened */
	bool	bg_owner;	/* started the background check */
};

/*
 * Forward migrations: entry i takes user_version i to i + 1, in one
 * transaction together with the new user_version. Never edit a shipped
 * entry; append a new one and bump STORE_SCHEMA_VERSION.
 */
static const char *const store_migrations[] = {
	/* 1: intakes, reviews, audit, PIN failure counters. */
	"CREATE TABLE intakes ("
	" id TEXT PRIMARY KEY NOT NULL,"
	" receipt TEXT NOT NULL,"
	" outcome TEXT NOT NULL"
	"  CHECK (outcome IN ('clear', 'review', 'exclude')),"
	" consent TEXT NOT NULL CHECK (consent IN ('accepted', 'declined')),"
	" completed_at INTEGER NOT NULL,"
	" payload TEXT,"			/* NULL once purged */
	" payload_sha256 TEXT NOT NULL,"
	" sync_state TEXT NOT NULL DEFAULT 'pending'"
	"  CHECK (sync_state IN ('pending', 'sent', 'parked')),"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" next_attempt_at INTEGER NOT NULL,"
	" last_error TEXT,"
	" server_receipt TEXT,"
	" sent_at INTEGER,"
	" purged_at INTEGER);"
	"CREATE INDEX intakes_receipt ON intakes (receipt);"
	"CREATE INDEX intakes_due ON intakes (sync_state, next_attempt_at);"
	"CREATE TABLE reviews ("
	" id TEXT PRIMARY KEY NOT NULL,"
	" intake_id TEXT NOT NULL REFERENCES intakes (id),"
	" decision TEXT NOT NULL"
	"  CHECK (decision IN ('cleared', 'declined', 'consult')),"
	" note TEXT,"
	" staff TEXT NOT NULL,"
	" decided_at INTEGER NOT NULL,"
	" payload TEXT NOT NULL,"
	" sync_state TEXT NOT NULL DEFAULT 'pending'"
	"  CHECK (sync_state IN ('pending', 'sent', 'parked')),"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" next_attempt_at INTEGER NOT NULL,"
	" last_error TEXT,"
	" server_receipt TEXT,"
	" sent_at INTEGER);"
	"CREATE INDEX reviews_intake ON reviews (intake_id);"
	"CREATE INDEX reviews_due ON reviews (sync_state, next_attempt_at);"
	"CREATE TABLE audit ("
	" seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	" at INTEGER NOT NULL,"
	" actor TEXT NOT NULL,"
	" action TEXT NOT NULL,"
	" subject TEXT);"
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
	" BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
	" BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;"
	"CREATE TABLE pin_failures ("
	" staff TEXT PRIMARY KEY NOT NULL,"
	" count INTEGER NOT NULL,"
	" last_at INTEGER NOT NULL,"
	" locked_until INTEGER NOT NULL DEFAULT 0);"
	/* Frozen records: only sync bookkeeping changes, a payload may only
	 * be purged, nothing is deleted (docs/wire-format.md). */
	"CREATE TRIGGER intakes_frozen BEFORE UPDATE OF"
	" id, receipt, outcome, consent, completed_at, payload_sha256"
	" ON intakes"
	" BEGIN SELECT RAISE(ABORT, 'intakes are frozen once stored'); END;"
	"CREATE TRIGGER intakes_purge_only BEFORE UPDATE OF payload ON intakes"
	" WHEN NEW.payload IS NOT NULL"
	" BEGIN SELECT RAISE(ABORT, 'an intake payload can only be purged');"
	" END;"
	"CREATE TRIGGER intakes_kept BEFORE DELETE ON intakes"
	" BEGIN SELECT RAISE(ABORT, 'intakes are never deleted'); END;"
	"CREATE TRIGGER reviews_frozen BEFORE UPDATE OF"
	" id, intake_id, decision, note, staff, decided_at, payload"
	" ON reviews"
	" BEGIN SELECT RAISE(ABORT, 'reviews are frozen once stored'); END;"
	"CREATE TRIGGER reviews_kept BEFORE DELETE ON reviews"
	" BEGIN SELECT RAISE(ABORT, 'reviews are never deleted'); END;",
	/* 2: small named values: last sync result, staff alert. */
	"CREATE TABLE meta ("
	" key TEXT PRIMARY KEY NOT NULL,"
	" value TEXT);",
	/* 3: retention may purge a review's note and payload too. */
	"DROP TRIGGER reviews_frozen;"
	"CREATE TRIGGER reviews_frozen BEFORE UPDATE OF"
	" id, intake_id, decision, staff, decided_at ON reviews"
	" BEGIN SELECT RAISE(ABORT, 'reviews are frozen once stored'); END;"
	"CREATE TRIGGER reviews_purge_only BEFORE UPDATE OF note, payload"
	" ON reviews WHEN NEW.note IS NOT NULL AND NEW.note IS NOT OLD.note"
	" OR NEW.payload <> OLD.payload AND NEW.payload <> '{}'"
	" BEGIN SELECT RAISE(ABORT, 'a review can only be purged'); END;"
	"ALTER TABLE reviews ADD COLUMN purged_at INTEGER;",
	/* 4: completion time in milliseconds, so that two check-ins
	 * finished within one second keep their order; frozen too. */
	"ALTER TABLE intakes ADD COLUMN completed_ms INTEGER NOT NULL"
	" DEFAULT 0;"
	"UPDATE intakes SET completed_ms = completed_at * 1000;"
	"DROP TRIGGER intakes_frozen;"
	"CREATE TRIGGER intakes_frozen BEFORE UPDATE OF"
	" id, receipt, outcome, consent, completed_at, completed_ms,"
	" payload_sha256 ON intakes"
	" BEGIN SELECT RAISE(ABORT, 'intakes are frozen once stored'); END;"
	"CREATE INDEX intakes_completed ON intakes (completed_ms);",
	/* 5: the due queries walk one index in ORDER BY order (the rowid
	 * ends every index entry); when a record was parked. */
	"DROP INDEX intakes_due;"
	"CREATE INDEX intakes_due ON intakes"
	" (sync_state, next_attempt_at, completed_at);"
	"DROP INDEX reviews_due;"
	"CREATE INDEX reviews_due ON reviews"
	" (sync_state, next_attempt_at, decided_at);"
	"ALTER TABLE intakes ADD COLUMN parked_at INTEGER;"
	"ALTER TABLE reviews ADD COLUMN parked_at INTEGER;",
	/* 6: the audit rows chained by hash (tamper evidence); rows
	 * written before it stay unchained. */
	"ALTER TABLE audit ADD COLUMN hash TEXT;"
	"INSERT INTO meta (key, value) SELECT 'audit_chain_from',"
	" coalesce(max(seq), 0) + 1 FROM audit;",
};

_Static_assert(sizeof store_migrations / sizeof store_migrations[0] ==
    STORE_SCHEMA_VERSION, "one migration per schema version");

/* What store_open sets on every connection, as the PRAGMAs read it back. */
static const struct {
	const char	*name;
	const char	*want;
} store_settings[] = {
	{ "journal_mode", "wal" },
	{ "synchronous", "2" },			/* FULL */
	{ "secure_delete", "1" },
	{ "foreign_keys", "1" },
	{ "trusted_schema", "0" },
	{ "busy_timeout", STORE_XSTR(STORE_BUSY_TIMEOUT_MS) },
	{ "user_version", STORE_XSTR(STORE_SCHEMA_VERSION) },
	{ "journal_size_limit", "0" },
};

/* A message for the connection's last error while doing what. */
static char *
store_error(struct store *s, const char *what)
{
	return xasprintf("%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

/* Run SQL without parameters (schema, PRAGMAs, transaction control). */
static int
store_exec(struct store *s, const char *sql, const char *what, char **cause)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		*cause = store_error(s, what);
		return -1;
	}
	return 0;
}

/*
 * Bind one argument per character of types: 't' a text (NULL binds NULL),
 * 'i' an int64_t. Parameter i is types[i - 1].
 */
static int
store_bindv(struct store *s, sqlite3_stmt *stmt, char **cause,
    const char *types, va_list ap)
{
	const char *text;
	int i, rc = SQLITE_OK;

	if ((size_t)sqlite3_bind_parameter_count(stmt) != strlen(types)) {
		*cause = xasprintf("%s: statement takes %d parameters, given "
		    "%zu", s->path, sqlite3_bind_parameter_count(stmt),
		    strlen(types));
		return -1;
	}
	for (i = 0; types[i] != '\0' && rc == SQLITE_OK; i++) {
		switch (types[i]) {
		case 't':
			text = va_arg(ap, const char *);
			if (text == NULL)
				rc = sqlite3_bind_null(stmt, i + 1);
			else
				rc = sqlite3_bind_text(stmt, i + 1, text, -1,
				    SQLITE_STATIC);
			break;
		case 'i':
			rc = sqlite3_bind_int64(stmt, i + 1,
			    va_arg(ap, int64_t));
			break;
		default:
			rc = SQLITE_MISUSE;
			break;
		}
	}
	if (rc != SQLITE_OK) {
		*cause = xasprintf("%s: binding parameter %d: %s", s->path, i,
		    sqlite3_errstr(rc));
		return -1;
	}
	return 0;
}

/* Prepare sql and bind its arguments as store_bindv does. */
static int
store_prepare(struct store *s, sqlite3_stmt **out, char **cause,
    const char *sql, const char *types, ...)
{
	sqlite3_stmt *stmt = NULL;
	va_list ap;
	int rv;

	*out = NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		*cause = store_error(s, "preparing a statement");
		return -1;
	}
	va_start(ap, types);
	rv = store_bindv(s, stmt, cause, types, ap);
	va_end(ap);
	if (rv != 0) {
		(void)sqlite3_finalize(stmt);	/* never stepped: nothing to say */
		return -1;
	}
	*out = stmt;
	return 0;
}

/*
 * The statement for sql (a string constant: it is looked up by address),
 * prepared once per connection and kept until store_close, bound to its
 * arguments as store_bindv does. Give it back with store_release, never
 * store_finalize. For what runs once per record and on every sync pass.
 */
static int
store_cached(struct store *s, sqlite3_stmt **out, char **cause,
    const char *sql, const char *types, ...)
{
	sqlite3_stmt *stmt = NULL;
	va_list ap;
	int i, rv;

	*out = NULL;
	for (i = 0; i < s->ncached && stmt == NULL; i++) {
		if (s->cached[i].sql == sql)
			stmt = s->cached[i].stmt;
	}
	if (stmt == NULL) {
		if (s->ncached == STORE_MAX_CACHED)
			fatalx(EXIT_SOFTWARE, "store: statement cache full");
		if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
		    &stmt, NULL) != SQLITE_OK) {
			*cause = store_error(s, "preparing a statement");
			return -1;
		}
		s->cached[s->ncached].sql = sql;
		s->cached[s->ncached++].stmt = stmt;
	}
	va_start(ap, types);
	rv = store_bindv(s, stmt, cause, types, ap);
	va_end(ap);
	if (rv != 0) {
		(void)sqlite3_clear_bindings(stmt);
		return -1;
	}
	*out = stmt;
	return 0;
}

/*
 * Give back a cached statement (NULL is fine) and return rv: reset, so it
 * holds no read lock, and its bindings cleared, so it keeps no pointer
 * to the caller's strings. A failed step was reported by the caller.
 */
static int
store_release(struct store *s, sqlite3_stmt *stmt, int rv, char **cause)
{
	if (stmt == NULL)
		return rv;
	if (sqlite3_reset(stmt) != SQLITE_OK && rv == 0) {
		*cause = store_error(s, "finishing a statement");
		rv = -1;
	}
	(void)sqlite3_clear_bindings(stmt);
	return rv;
}

/*
 * One number from a query that returns one row (a count, a time, a
 * PRAGMA), through the statement cache; what names it in a failure.
 */
static int
store_scalar(struct store *s, const char *sql, const char *what,
    int64_t *out, char **cause)
{
	sqlite3_stmt *stmt = NULL;
	int rv = -1;

	*out = 0;
	if (store_cached(s, &stmt, cause, sql, "") != 0)
		return -1;
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		*cause = store_error(s, what);
		goto out;
	}
	*out = sqlite3_column_int64(stmt, 0);
	rv = 0;
out:
	return store_release(s, stmt, rv, cause);
}

/*
 * Finalize stmt (NULL is fine) and return rv. After a failed step,
 * sqlite3_finalize repeats that error, which the caller has reported;
 * a failure it alone sees turns a success into -1.
 */
static int
store_finalize(struct store *s, sqlite3_stmt *stmt, int rv, char **cause)
{
	if (sqlite3_finalize(stmt) != SQLITE_OK && rv == 0) {
		*cause = store_error(s, "finishing a statement");
		return -1;
	}
	return rv;
}

/* Undo the open transaction after an error already in *cause. */
static void
store_rollback(struct store *s, char **cause)
{
	char *old;

	if (sqlite3_get_autocommit(s->db))
		return;		/* SQLite already rolled it back */
	if (sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK) {
		old = *cause;
		*cause = xasprintf("%s (and rollback failed: %s)",
		    old != NULL ? old : "error", sqlite3_errmsg(s->db));
		free(old);
	}
}

/* Read one PRAGMA's value as text; *value is NULL when it gives no row. */
static int
store_pragma(struct store *s, const char *name, char **value, char **cause)
{
	sqlite3_stmt *stmt = NULL;
	const unsigned char *text;
	char *sql;
	int rv = -1, rc;

	*value = NULL;
	sql = xasprintf("PRAGMA %s", name);	/* names from our own tables */
	if (store_prepare(s, &stmt, cause, sql, "") != 0)
		goto out;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		text = sqlite3_column_text(stmt, 0);
		if (text == NULL &&
		    sqlite3_column_type(stmt, 0) != SQLITE_NULL) {
			*cause = store_error(s, name);
			goto out;
		}
		if (text != NULL)
			*value = xstrdup((const char *)text);
	} else if (rc != SQLITE_DONE) {
		*cause = store_error(s, name);
		goto out;
	}
	rv = 0;
out:
	free(sql);
	rv = store_finalize(s, stmt, rv, cause);
	if (rv != 0) {
		free(*value);
		*value = NULL;
	}
	return rv;
}

/* PRAGMA user_version as an int. */
static int
store_user_version(struct store *s, int *version, char **cause)
{
	char *value;

	if (store_pragma(s, "user_version", &value, cause) != 0)
		return -1;
	*version = value != NULL ? atoi(value) : 0;
	free(value);
	return 0;
}

/* Create dir and its missing parents with mode 0700, like mkdir -p. */
static int
store_make_dirs(const char *dir, char **cause)
{
	char *copy, *p;
	int rv = -1;

	copy = xstrdup(dir);
	for (p = copy + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0700) != 0 && errno != EEXIST) {
			*cause = xasprintf("cannot create %s: %s", copy,
			    strerror(errno));
			goto out;
		}
		*p = '/';
	}
	if (mkdir(copy, 0700) != 0 && errno != EEXIST) {
		*cause = xasprintf("cannot create state_dir %s: %s", dir,
		    strerror(errno));
		goto out;
	}
	rv = 0;
out:
	free(copy);
	return rv;
}

/* Make state_dir when missing; refuse one another user could reach. */
static int
store_check_dir(const char *dir, char **cause)
{
	struct stat sb;

	if (*dir == '\0') {
		*cause = xstrdup("state_dir is empty");
		return -1;
	}
	if (store_make_dirs(dir, cause) != 0)
		return -1;
	if (stat(dir, &sb) != 0) {
		*cause = xasprintf("state_dir %s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(sb.st_mode)) {
		*cause = xasprintf("state_dir %s is not a directory", dir);
		return -1;
	}
	if (sb.st_uid != geteuid()) {
		*cause = xasprintf("state_dir %s belongs to uid %lu, not to "
		    "this user (uid %lu)", dir, (unsigned long)sb.st_uid,
		    (unsigned long)geteuid());
		return -1;
	}
	if ((sb.st_mode & 077) != 0) {
		*cause = xasprintf("state_dir %s is accessible by others; "
		    "chmod 700 it", dir);
		return -1;
	}
	return 0;
}

/* Refuse a file that is not regular or that others could read. */
static int
store_check_mode(const char *path, const struct stat *sb, char **cause)
{
	if (!S_ISREG(sb->st_mode)) {
		*cause = xasprintf("%s is not a regular file", path);
		return -1;
	}
	if ((sb->st_mode & 077) != 0) {
		*cause = xasprintf("%s is accessible by others (mode %04o); "
		    "chmod 600 it", path, (unsigned int)(sb->st_mode & 07777));
		return -1;
	}
	return 0;
}

/*
 * Create the database file 0600 when missing (SQLite would honour the
 * umask) and check an existing one. SQLite gives -wal and -shm the mode
 * of the database file, so they are born 0600 too. An existing file is
 * only looked at, never opened: closing any descriptor of it would drop
 * the POSIX locks another connection of this process holds on it (the
 * UI's, when the sync thread opens its own), and another process could
 * then delete the WAL under it.
 */
static int
store_create_file(const char *path, char **cause)
{
	struct stat sb;
	int fd;

	if (lstat(path, &sb) == 0) {
		if (S_ISLNK(sb.st_mode)) {
			*cause = xasprintf("cannot open %s: it is a symbolic "
			    "link", path);
			return -1;
		}
		return store_check_mode(path, &sb, cause);
	}
	if (errno != ENOENT) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0) {
		*cause = xasprintf("cannot create %s: %s", path,
		    strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

/* Check the -wal and -shm files beside the database when they exist. */
static int
store_check_sidecars(const char *path, char **cause)
{
	static const char *const suffixes[] = { "-wal", "-shm" };
	struct stat sb;
	char *side;
	size_t i;
	int rv = 0;

	for (i = 0; i < sizeof suffixes / sizeof suffixes[0] && rv == 0; i++) {
		side = xasprintf("%s%s", path, suffixes[i]);
		if (lstat(side, &sb) != 0) {
			if (errno != ENOENT) {
				*cause = xasprintf("%s: %s", side,
				    strerror(errno));
				rv = -1;
			}
		} else
			rv = store_check_mode(side, &sb, cause);
		free(side);
	}
	return rv;
}

/* Per-connection settings, set before the file is read. */
static int
store_configure(struct store *s, char **cause)
{
	if (sqlite3_extended_result_codes(s->db, 1) != SQLITE_OK ||
	    sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS) != SQLITE_OK ||
	    sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1,
	    (int *)NULL) != SQLITE_OK) {
		*cause = store_error(s, "configuring the connection");
		return -1;
	}
	return store_exec(s, "PRAGMA foreign_keys = ON;"
	    "PRAGMA secure_delete = ON;"
	    "PRAGMA synchronous = FULL;"
	    "PRAGMA trusted_schema = OFF;"
	    "PRAGMA mmap_size = 268435456;"
	    /* A reset WAL shrinks to nothing: old pages do not linger. */
	    "PRAGMA journal_size_limit = 0;", "setting PRAGMAs", cause);
}

/* Refuse a database written by a newer kiosk before touching it. */
static int
store_check_version(struct store *s, char **cause)
{
	int version;

	if (store_user_version(s, &version, cause) != 0)
		return -1;
	if (version > STORE_SCHEMA_VERSION) {
		*cause = xasprintf("%s: database schema %d is newer than this "
		    "kiosk (%d); upgrade the kiosk", s->path, version,
		    STORE_SCHEMA_VERSION);
		return -1;
	}
	return 0;
}

/* PRAGMA quick_check or integrity_check must answer exactly "ok". */
static int
store_check_integrity(struct store *s, bool full, char **cause)
{
	sqlite3_stmt *stmt = NULL;
	const char *text;
	char *line;
	int rv = -1, rc;

	if (store_prepare(s, &stmt, cause, full ? "PRAGMA integrity_check" :
	    "PRAGMA quick_check", "") != 0)
		return -1;
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		*cause = xasprintf("%s is damaged (%s); keep the file for "
		    "recovery and move it aside to start afresh", s->path,
		    sqlite3_errmsg(s->db));
		goto out;
	}
	text = (const char *)sqlite3_column_text(stmt, 0);
	if (text == NULL || strcmp(text, "ok") != 0) {
		/* One line: drop the "*** in database main ***" preamble. */
		if (text != NULL && strncmp(text, "*** ", 4) == 0 &&
		    strchr(text, '\n') != NULL)
			text = strchr(text, '\n') + 1;
		line = xstrndup(text != NULL ? text : "no answer",
		    text != NULL ? strcspn(text, "\n") : 9);
		*cause = xasprintf("%s is damaged (integrity check: %s); keep "
		    "the file for recovery and move it aside to start afresh",
		    s->path, line);
		free(line);
		goto out;
	}
	rv = 0;
out:
	return store_finalize(s, stmt, rv, cause);
}

int
store_integrity_check(struct store *s, char **cause)
{
	return store_check_integrity(s, true, cause);
}

/*
 * Database files this process holds open, with how many connections:
 * the quick check runs when the first connection to a file opens (the
 * kiosk's UI), not again for the sync thread's own connection.
 */
static pthread_mutex_t store_open_lock = PTHREAD_MUTEX_INITIALIZER;
static struct store_opened {
	char	*path;
	int	 refs;
} store_opened[8];

/* Count a connection to path; true when it is the first in this process. */
static bool
store_opened_add(const char *path)
{
	size_t i, free_slot = SIZE_MAX;
	bool first = true;

	pthread_mutex_lock(&store_open_lock);
	for (i = 0; i < sizeof store_opened / sizeof store_opened[0]; i++) {
		if (store_opened[i].path == NULL) {
			if (free_slot == SIZE_MAX)
				free_slot = i;
		} else if (strcmp(store_opened[i].path, path) == 0) {
			store_opened[i].refs++;
			first = false;
			break;
		}
	}
	if (first && free_slot != SIZE_MAX) {
		store_opened[free_slot].path = xstrdup(path);
		store_opened[free_slot].refs = 1;
	}
	pthread_mutex_unlock(&store_open_lock);
	return first;
}

static void
store_opened_drop(const char *path)
{
	size_t i;

	pthread_mutex_lock(&store_open_lock);
	for (i = 0; i < sizeof store_opened / sizeof store_opened[0]; i++) {
		if (store_opened[i].path != NULL &&
		    strcmp(store_opened[i].path, path) == 0) {
			if (--store_opened[i].refs == 0) {
				free(store_opened[i].path);
				store_opened[i].path = NULL;
			}
			break;
		}
	}
	pthread_mutex_unlock(&store_open_lock);
}

/* Switch to WAL; the PRAGMA answers with the mode actually in force. */
static int
store_set_wal(struct store *s, char **cause)
{
	char *mode;
	int rv = 0;

	if (store_pragma(s, "journal_mode = WAL", &mode, cause) != 0)
		return -1;
	if (mode == NULL || strcmp(mode, "wal") != 0) {
		*cause = xasprintf("%s: cannot use WAL journal mode (got %s)",
		    s->path, mode != NULL ? mode : "nothing");
		rv = -1;
	}
	free(mode);
	return rv;
}

/* Apply migration index (version index to index + 1) unless done already. */
static int
store_migrate_one(struct store *s, int index, char **cause)
{
	char *what, *sql = NULL;
	int version, rv = -1;

	what = xasprintf("migrating to schema %d", index + 1);
	/* IMMEDIATE: a second connection opening now waits, then sees it done. */
	if (store_exec(s, "BEGIN IMMEDIATE", what, cause) != 0)
		goto out;
	if (store_user_version(s, &version, cause) != 0)
		goto out;
	if (version <= index) {
		sql = xasprintf("PRAGMA user_version = %d", index + 1);
		if (store_exec(s, store_migrations[index], what, cause) != 0 ||
		    store_exec(s, sql, what, cause) != 0)
			goto out;
	}
	if (store_exec(s, "COMMIT", what, cause) != 0)
		goto out;
	rv = 0;
out:
	if (rv != 0)
		store_rollback(s, cause);
	free(sql);
	free(what);
	return rv;
}

/* Bring the schema forward to STORE_SCHEMA_VERSION, one step at a time. */
static int
store_migrate(struct store *s, char **cause)
{
	int version, i;

	if (store_user_version(s, &version, cause) != 0)
		return -1;
	for (i = version; i < STORE_SCHEMA_VERSION; i++) {
		if (store_migrate_one(s, i, cause) != 0)
			return -1;
	}
	return 0;
}

/*
 * The start-up quick check of `kiosk run`, in a thread of its own so the
 * first screen does not wait for it: it reads the whole file, which
 * grows with the store. Its own read-only connection, without mmap and
 * with a small page cache, so that what it reads does not stay in the
 * kiosk's memory; at low priority, so the UI thread comes first. Storing an
 * intake waits for its verdict (a check-in takes a minute; the check a
 * fraction of a second) and a damaged file is never written to.
 */
static struct {
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	bool		 wanted;	/* store_check_in_background was called */
	int		 state;		/* 0 none, 1 running, 2 ok, 3 damaged */
	char		*path;
	char		*cause;
	pthread_t	 thread;
} store_bg = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false,
    0, NULL, NULL, 0 };

void
store_check_in_background(void)
{
	store_bg.wanted = true;
}

static void *
store_bg_main(void *arg)
{
	struct store s = { NULL, store_bg.path, { { NULL, NULL } }, 0, false,
	    false };
	char *cause = NULL;
	int rv = -1;

	(void)arg;
	/* Behind the UI thread for the CPU: nice 19, for this thread only. */
	(void)setpriority(PRIO_PROCESS, (id_t)gettid(), 19);
	if (sqlite3_open_v2(s.path, &s.db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_NOFOLLOW, NULL) != SQLITE_OK)
		cause = xasprintf("%s: %s", s.path, s.db != NULL ?
		    sqlite3_errmsg(s.db) : "out of memory");
	else if (sqlite3_busy_timeout(s.db, STORE_BUSY_TIMEOUT_MS) ==
	    SQLITE_OK && store_exec(&s, "PRAGMA mmap_size = 0;"
	    "PRAGMA cache_size = 16", "setting up the check", &cause) == 0)
		rv = store_check_integrity(&s, false, &cause);
	sqlite3_close(s.db);
	pthread_mutex_lock(&store_bg.lock);
	store_bg.state = rv == 0 ? 2 : 3;
	store_bg.cause = cause;
	pthread_cond_broadcast(&store_bg.cond);
	pthread_mutex_unlock(&store_bg.lock);
	return NULL;
}

/* Start the background check of path; -1 with *cause if it cannot. */
static int
store_bg_start(const char *path, char **cause)
{
	sigset_t all, old;
	int rc;

	pthread_mutex_lock(&store_bg.lock);
	store_bg.path = xstrdup(path);
	store_bg.state = 1;
	pthread_mutex_unlock(&store_bg.lock);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&store_bg.thread, NULL, store_bg_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		*cause = xasprintf("cannot start the database check: %s",
		    strerror(rc));
		pthread_mutex_lock(&store_bg.lock);
		store_bg.state = 0;
		pthread_mutex_unlock(&store_bg.lock);
		return -1;
	}
	return 0;
}

/* Wait for the background check's thread and forget it (store_close). */
static void
store_bg_join(const char *path)
{
	if (store_bg.state == 0 || store_bg.path == NULL ||
	    strcmp(store_bg.path, path) != 0)
		return;
	pthread_join(store_bg.thread, NULL);
	free(store_bg.path);
	free(store_bg.cause);
	store_bg.path = store_bg.cause = NULL;
	store_bg.state = 0;
}

int
store_check_wait(struct store *s, char **cause)
{
	int rv = 0;

	pthread_mutex_lock(&store_bg.lock);
	if (store_bg.path != NULL && strcmp(store_bg.path, s->path) == 0) {
		while (store_bg.state == 1)
			pthread_cond_wait(&store_bg.cond, &store_bg.lock);
		if (store_bg.state == 3) {
			*cause = xstrdup(store_bg.cause != NULL ?
			    store_bg.cause : "the database check failed");
			rv = -1;
		}
	}
	pthread_mutex_unlock(&store_bg.lock);
	return rv;
}

int
store_open(const char *state_dir, struct store **out, char **cause)
{
	struct store *s;
	bool first;
	int flags;

	*out = NULL;
	if (store_check_dir(state_dir, cause) != 0)
		return -1;
	s = xcalloc(1, sizeof *s);
	s->path = xasprintf("%s/%s", state_dir, STORE_FILE);
	if (store_create_file(s->path, cause) != 0 ||
	    store_check_sidecars(s->path, cause) != 0)
		goto fail;

	flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW |
	    SQLITE_OPEN_EXRESCODE;
	if (sqlite3_open_v2(s->path, &s->db, flags, NULL) != SQLITE_OK) {
		*cause = xasprintf("%s: %s", s->path, s->db != NULL ?
		    sqlite3_errmsg(s->db) : "out of memory");
		goto fail;
	}
	s->counted = true;
	first = store_opened_add(s->path);
	if (store_configure(s, cause) != 0 ||
	    store_check_version(s, cause) != 0 ||
	    (first && !store_bg.wanted &&
	    store_check_integrity(s, false, cause) != 0) ||
	    store_set_wal(s, cause) != 0 ||
	    store_migrate(s, cause) != 0 ||
	    store_pragma_check(s, NULL, cause) != 0 ||
	    store_check_sidecars(s->path, cause) != 0)
		goto fail;
	if (first && store_bg.wanted && store_bg_start(s->path, cause) != 0)
		goto fail;
	s->bg_owner = first && store_bg.wanted;
	*out = s;
	return 0;
fail:
	store_close(s);
	return -1;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	if (s->bg_owner)
		store_bg_join(s->path);
	while (s->ncached > 0)
		(void)sqlite3_finalize(s->cached[--s->ncached].stmt);
	/* Only an unfinalized statement makes this fail: a bug here. */
	if (sqlite3_close(s->db) != SQLITE_OK)
		fatalx(EXIT_SOFTWARE, "%s: closing: %s", s->path,
		    sqlite3_errmsg(s->db));
	if (s->counted)
		store_opened_drop(s->path);
	free(s->path);
	free(s);
}

/* Read back every setting store_open makes; compare with what it wants. */
int
store_pragma_check(struct store *s, char **report, char **cause)
{
	char *value, *text = xstrdup(""), *old;
	size_t i;
	int rv = 0;

	if (report != NULL)
		*report = NULL;
	for (i = 0; i < sizeof store_settings / sizeof store_settings[0]; i++) {
		if (store_pragma(s, store_settings[i].name, &value,
		    cause) != 0) {
			free(text);
			return -1;
		}
		if (value == NULL || strcmp(value, store_settings[i].want) != 0)
			rv = -1;
		old = text;
		text = xasprintf("%s%s%s=%s", old, i == 0 ? "" : " ",
		    store_settings[i].name, value != NULL ? value : "(none)");
		free(old);
		free(value);
	}
	if (rv != 0) {
		*cause = xasprintf("%s: settings not in force: %s", s->path,
		    text);
		free(text);
		return -1;
	}
	if (report != NULL)
		*report = text;
	else
		free(text);
	return 0;
}

int
store_put_intake(struct store *s, const struct store_intake *in,
    char **cause)
{
	sqlite3_stmt *stmt = NULL;
	char sha[65];
	int rv = -1, rc;

	if (in->id == NULL || in->receipt == NULL || in->outcome == NULL ||
	    in->consent == NULL || in->payload == NULL) {
		*cause = xasprintf("intake %s: a required field is missing",
		    in->id != NULL ? in->id : "(no id)");
		return -1;
	}
	if (utf8_chars(in->payload) < 0) {
		*cause = xasprintf("intake %s: payload is not valid UTF-8",
		    in->id);
		return -1;
	}
	sha256_hex(in->payload, strlen(in->payload), sha);
	if (store_check_wait(s, cause) != 0)
		return -1;

	if (store_exec(s, "BEGIN IMMEDIATE", "starting to store an intake",
	    cause) != 0)
		return -1;
	if (store_prepare(s, &stmt, cause, "INSERT INTO intakes (id, receipt,"
	    " outcome, consent, completed_at, completed_ms, payload,"
	    " payload_sha256, next_attempt_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5 / 1000, ?5, ?6, ?7, ?5 / 1000)",
	    "ttttitt", in->id, in->receipt, in->outcome, in->consent,
	    in->completed_ms, in->payload, sha) != 0)
		goto out;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
		*cause = xasprintf("intake %s is already stored", in->id);
		goto out;
	}
	if (rc != SQLITE_DONE) {
		/* SQLite's constraint messages name columns, never values. */
		*cause = xasprintf("%s: storing intake %s: %s", s->path, in->id,
		    sqlite3_errmsg(s->db));
		goto out;
	}
	rv = 0;
out:
	rv = store_finalize(s, stmt, rv, cause);
	if (rv == 0)
		rv = store_exec(s, "COMMIT", "committing an intake", cause);
	if (rv != 0)
		store_rollback(s, cause);
	return rv;
}

int
store_each_payload(struct store *s, int (*fn)(const char *, void *),
    void *arg, char **cause)
{
	sqlite3_stmt *stmt = NULL;
	const char *payload;
	int rv = -1, rc;

	if (store_prepare(s, &stmt, cause, "SELECT payload FROM intakes"
	    " WHERE payload IS NOT NULL ORDER BY completed_ms, rowid", "") != 0)
		return -1;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		payload = (const char *)sqlite3_column_text(stmt, 0);
		if (payload == NULL) {
			*cause = store_error(s, "reading a payload");
			rv = -1;
			goto out;
		}
		if ((rv = fn(payload, arg)) != 0)
			goto out;
	}
	if (rc != SQLITE_DONE) {
		*cause = store_error(s, "reading intakes");
		rv = -1;
		goto out;
	}
	rv = 0;
out:
	return store_finalize(s, stmt, rv, cause);
}

int
store_find_payload(struct store *s, const char *key, char **payload,
    char **cause)
{
	sqlite3_stmt *stmt = NULL;
	const unsigned char *text;
	int rv = -1, rc;

	*payload = NULL;
	if (store_prepare(s, &stmt, cause, "SELECT payload FROM intakes"
	    " WHERE id = ?1 OR receipt = ?1"
	    " ORDER BY completed_at DESC, rowid DESC LIMIT 1", "t", key) != 0)
		return -1;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		text = sqlite3_column_text(stmt, 0);
		if (text == NULL &&
		    sqlite3_column_type(stmt, 0) != SQLITE_NULL) {
			*cause = store_error(s, "reading a payload");
			goto out;
		}
		if (text != NULL)
			*payload = xstrdup((const char *)text);
	} else if (rc != SQLITE_DONE) {
		*cause = store_error(s, "looking up an intake");
		goto out;
	}
	rv = 0;
out:
	rv = store_finalize(s, stmt, rv, cause);
	if (rv != 0) {
		free(*payload);
		*payload = NULL;
	}
	return rv;
}

int
store_counts(struct store *s, struct store_counts *c, char **cause)
{
	sqlite3_stmt *stmt = NULL;
	int64_t blocked;
	int rv = -1;

	memset(c, 0, sizeof *c);
	if (store_cached(s, &stmt, cause, "SELECT"
	    " coalesce(sum(sync_state = 'pending'), 0),"
	    " coalesce(sum(sync_state = 'sent'), 0),"
	    " coalesce(sum(sync_state = 'parked'), 0),"
	    " coalesce(sum(payload IS NULL), 0),"
	    " coalesce(min(CASE WHEN sync_state <> 'sent'"
	    "  THEN completed_at END), 0)"
	    " FROM intakes", "") != 0)
		return -1;
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		*cause = store_error(s, "counting intakes");
		goto out;
	}
	c->pending = (long)sqlite3_column_int64(stmt, 0);
	c->sent = (long)sqlite3_column_int64(stmt, 1);
	c->parked = (long)sqlite3_column_int64(stmt, 2);
	c->purged = (long)sqlite3_column_int64(stmt, 3);
	c->oldest_pending_at = sqlite3_column_int64(stmt, 4);
	rv = store_release(s, stmt, 0, cause);
	stmt = NULL;
	if (rv != 0)
		return rv;
	rv = -1;
	if (store_cached(s, &stmt, cause, "SELECT"
	    " coalesce(sum(sync_state = 'pending'), 0),"
	    " coalesce(sum(sync_state = 'sent'), 0),"
	    " coalesce(sum(sync_state = 'parked'), 0)"
	    " FROM reviews", "") != 0)
		return -1;
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		*cause = store_error(s, "counting reviews");
		goto out;
	}
	c->review_pending = (long)sqlite3_column_int64(stmt, 0);
	c->review_sent = (long)sqlite3_column_int64(stmt, 1);
	c->review_parked = (long)sqlite3_column_int64(stmt, 2);
	rv = store_release(s, stmt, 0, cause);
	stmt = NULL;
	if (rv != 0)
		return rv;
	/* Decisions that cannot go before their parked check-in. */
	if (store_scalar(s, "SELECT count(*) FROM reviews r"
	    " JOIN intakes i ON i.id = r.intake_id"
	    " WHERE r.sync_state = 'pending' AND i.sync_state = 'parked'",
	    "counting reviews", &blocked, cause) != 0)
		return -1;
	c->review_blocked = (long)blocked;
	return 0;
out:
	return store_release(s, stmt, rv, cause);
}

int
store_pending_count(struct store *s, long *n, char **cause)
{
	int64_t v;
	int rv;

	rv = store_scalar(s, "SELECT"
	    " (SELECT count(*) FROM intakes WHERE sync_state = 'pending') +"
	    " (SELECT count(*) FROM reviews WHERE sync_state = 'pending')",
	    "counting pending records", &v, cause);
	*n = (long)v;
	return rv;
}

/*
 * The hash of an audit row: SHA-256 over the previous row's hash and this
 * row's fields, each length-prefixed so no two rows can encode alike.
 */
static void
store_audit_hash(const char *prev, int64_t seq, int64_t at, const char *actor,
    const char *action, const char *subject, char out[65])
{
	char *text;

	text = xasprintf("kiosk-audit-1|%zu:%s|%lld|%lld|%zu:%s|%zu:%s|%s%zu:%s",
	    strlen(prev), prev, (long long)seq, (long long)at, strlen(actor),
	    actor, strlen(action), action, subject == NULL ? "N" : "S",
	    subject == NULL ? (size_t)0 : strlen(subject),
	    subject == NULL ? "" : subject);
	sha256_hex(text, strlen(text), out);
	free(text);
}

/*
 * The highest seq ever given (AUTOINCREMENT's counter, which deleting the
 * last rows does not lower), 0 when none.
 */
static int
store_audit_sequence(struct store *s, int64_t *seq, char **cause)
{
	sqlite3_stmt *stmt = NULL;
	int rv = -1, rc;

	*seq = 0;
	if (store_prepare(s, &stmt, cause, "SELECT max(seq) FROM"
	    " (SELECT seq FROM sqlite_sequence WHERE name = 'audit'"
	    "  UNION ALL SELECT max(seq) FROM audit)", "") != 0)
		return -1;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*seq = sqlite3_column_int64(stmt, 0);
	else if (rc != SQLITE_DONE) {
		*cause = store_error(s, "reading the audit sequence");
		goto out;
	}
	rv = 0;
out:
	return store_finalize(s, stmt, rv, cause);
}

/* The last seq given and the last row's hash ("" when none or unchained). */
static int
store_audit_last(struct store *s, int64_t *seq, char prev[65], char **cause)
{
	sqlite3_stmt *stmt = NULL;
	const unsigned char *h;
	int rv = -1, rc;

	prev[0] = '\0';
	if (store_audit_sequence(s, seq, cause) != 0)
		return -1;
	if (store_prepare(s, &stmt, cause, "SELECT hash FROM audit"
	    " ORDER BY seq DESC LIMIT 1", "") != 0)
		return -1;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		h = sqlite3_column_text(stmt, 0);
		if (h != NULL)
			snprintf(prev, 65, "%s", (const char *)h);
	} else if (rc != SQLITE_DONE) {
		*cause = store_error(s, "reading the audit log");
		goto out;
	}
	rv = 0;
out:
	return store_finalize(s, stmt, rv, cause);
}

/* Append one chained row; the caller holds a write transaction. */
static int
store_audit_append(struct store *s, const char *actor, const char *action,
    const char *subject, char **cause)
{
	sqlite3_stmt *stmt = NULL;
	int64_t seq, at = (int64_t)time(NULL);
	char prev[65], hash[65];
	int rv = -1;

	if (store_audit_last(s, &seq, prev, cause) != 0)
		return -1;
	seq++;
	store_audit_hash(prev, seq, at, actor, action, subject, hash);
	if (store_prepare(s, &stmt, cause, "INSERT INTO audit (seq, at, actor,"
	    " action, subject, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", "iittt"
	    "t", seq, at, actor, action, subject, hash) != 0)
		return -1;
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		*cause = store_error(s, "appending to the audit log");
		goto out;
	}
	rv = 0;
out:
	return store_finalize(s, stmt, rv, cause);
}

int
store_audit(struct store *s, const char *actor, const char *action,
    const char *subject, char **cause)
{
	int rv;

	if (actor == NULL || action == NULL) {
		*cause = xstrdup("audit: actor and action are required");
		return -1;
	}
	/* Inside a caller's transaction: part of it. */
	if (!sqlite3_get_autocommit(s->db))
		return store_audit_append(s, actor, action, subject, cause);
	/* Alone: read the last hash and append under one write lock. */
	if (store_exec(s, "BEGIN IMMEDIATE", "starting an audit entry",
	    cause) != 0)
		return -1;
	rv = store_audit_append(s, actor, action, subject, cause);
	if (rv == 0)
		rv = store_exec(s, "COMMIT", "committing an audit entry", cause);
	if (rv != 0)
		store_rollback(s, cause);
	return rv;
}

int
store_each_audit(struct store *s, int64_t since,
    int (*fn)(const struct store_audit *, void *), void *arg, char **cause)
{
	sqlite3_stmt *stmt = NULL;
	struct store_audit a;
	int rv = 0, rc;

	if (store_prepare(s, &stmt, cause, "SELECT seq, at, actor, action,"
	    " subject, hash FROM audit WHERE at >= ?1 ORDER BY seq", "i",
	    since) != 0)
		return -1;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		memset(&a, 0, sizeof a);
		a.seq = sqlite3_column_int64(stmt, 0);
		a.at = sqlite3_column_int64(stmt, 1);
		a.actor = (const char *)sqlite3_column_text(stmt, 2);
		a.action = (const char *)sqlite3_column_text(stmt, 3);
		a.subject = (const char *)sqlite3_column_text(stmt, 4);
		a.hash = (const char *)sqlite3_column_text(stmt, 5);
		if (a.actor == NULL)
			a.actor = "";
		if (a.action == NULL)
			a.action = "";
		if ((rv = fn(&a, arg)) != 0)
			break;
	}
	if (rv == 0 && rc != SQLITE_DONE) {
		*cause = store_error(s, "reading the audit log");
		rv = -1;
	}
	return store_finalize(s, stmt, rv, cause);
}

/* Walking the chain for store_audit_verify. */
struct store_chain {
	struct store_audit_check *out;
	char prev[65];
	bool chained;		/* a hashed row has been seen */
	int64_t last_seq;
	int64_t from;		/* rows from here on must be chained */
};

/* Note the first broken link; returns 1 to stop the walk. */
static int
store_chain_broken(struct store_chain *c, int64_t seq, const char *why)
{
	c->out->broken_seq = seq;
	snprintf(c->out->reason, sizeof c->out->reason, "%s", why);
	return 1;
}

static int
store_chain_row(const struct store_audit *a, void *arg)
{
	struct store_chain *c = arg;
	char want[65];

	if (a->seq != c->last_seq + 1 && c->chained)
		return store_chain_broken(c, c->last_seq + 1, "row missing");
	c->last_seq = a->seq;
	if (a->hash == NULL) {
		if (c->chained || a->seq >= c->from)
			return store_chain_broken(c, a->seq, "hash removed");
		c->out->unchained++;
		return 0;
	}
	store_audit_hash(c->chained ? c->prev : "", a->seq, a->at, a->actor,
	    a->action, a->subject, want);
	if (strcmp(want, a->hash) != 0)
		return store_chain_broken(c, a->seq, "row or hash changed");
	c->chained = true;
	snprintf(c->prev, sizeof c->prev, "%s", a->hash);
	c->out->rows++;
	return 0;
}

int
store_audit_verify(struct store *s, struct store_audit_check *out,
    char **cause)
{
	struct store_chain c;
	int64_t last;
	char *from = NULL;
	int rv;

	memset(out, 0, sizeof *out);
	memset(&c, 0, sizeof c);
	c.out = out;
	/* Where the chain began (schema 6); missing, every row is chained. */
	if (store_meta_get(s, "audit_chain_from", &from, cause) != 0)
		return -1;
	c.from = from != NULL ? strtoll(from, NULL, 10) : 1;
	free(from);
	rv = store_each_audit(s, INT64_MIN, store_chain_row, &c, cause);
	if (rv < 0)
		return -1;
	/* Rows cut off the end leave no gap: the sequence counter knows. */
	if (out->broken_seq == 0) {
		if (store_audit_sequence(s, &last, cause) != 0)
			return -1;
		if (last > c.last_seq)
			store_chain_broken(&c, c.last_seq + 1, "row missing");
	}
	return 0;
}

int
store_data_version(struct store *s, int64_t *version, char **cause)
{
	return store_scalar(s, "PRAGMA data_version", "reading data_version",
	    version, cause);
}

/* Table of a record kind: a constant, never data, so safe inside SQL. */
static const char *
store_table(enum store_kind kind)
{
	return kind == STORE_REVIEW ? "reviews" : "intakes";
}

/* Copy column i as text, NULL for SQL NULL. */
static char *
store_column_dup(sqlite3_stmt *stmt, int i)
{
	const unsigned char *t = sqlite3_column_text(stmt, i);

	return t == NULL ? NULL : xstrdup((const char *)t);
}

/* Due records of one kind, oldest due first; the index covers the ORDER BY. */
static const char store_sql_due_intakes[] =
    "SELECT id, attempts, next_attempt_at, payload, payload_sha256"
    " FROM intakes WHERE sync_state = 'pending' AND next_attempt_at <= ?1"
    " AND payload IS NOT NULL"
    " ORDER BY next_attempt_at, completed_at, rowid LIMIT ?2";
static const char store_sql_due_reviews[] =
    "SELECT r.id, r.attempts, r.next_attempt_at, r.payload, NULL"
    " FROM reviews r JOIN intakes i ON i.id = r.intake_id"
    " WHERE r.sync_state = 'pending' AND r.next_attempt_at <= ?1"
    " AND i.sync_state = 'sent'"
    " ORDER BY r.next_attempt_at, r.decided_at, r.rowid LIMIT ?2";

/* Up to max due records of one kind appended to due[*n]. */
static int
store_due_kind(struct store *s, int64_t now, enum store_kind kind,
    struct store_due *due, size_t max, size_t *n, char **cause)
{
	sqlite3_stmt *stmt = NULL;
	struct store_due *d;
	int rv = -1, rc;

	if (store_cached(s, &stmt, cause, kind == STORE_INTAKE ?
	    store_sql_due_intakes : store_sql_due_reviews, "ii", now,
	    (int64_t)max) != 0)
		return -1;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		d = &due[(*n)++];
		memset(d, 0, sizeof *d);
		d->kind = kind;
		d->id = store_column_dup(stmt, 0);
		d->attempts = (long)sqlite3_column_int64(stmt, 1);
		d->due_at = sqlite3_column_int64(stmt, 2);
		d->payload = store_column_dup(stmt, 3);
		d->sha256 = store_column_dup(stmt, 4);
		if (d->id == NULL || d->payload == NULL) {
			*cause = store_error(s, "reading the next record");
			goto out;
		}
	}
	if (rc != SQLITE_DONE) {
		*cause = store_error(s, "finding the next record to send");
		goto out;
	}
	rv = 0;
out:
	return store_release(s, stmt, rv, cause);
}

int
store_due_batch(struct store *s, int64_t now, struct store_due *due,
    size_t max, size_t *n, char **cause)
{
	struct store_due *all = xcalloc(2 * max + 1, sizeof *all);
	size_t ni = 0, nr = 0, i = 0, r, k;
	int rv = -1;

	*n = 0;
	if (store_due_kind(s, now, STORE_INTAKE, all, max, &ni, cause) != 0)
		goto out;
	nr = ni;
	if (store_due_kind(s, now, STORE_REVIEW, all, max, &nr, cause) != 0)
		goto out;
	/* Merge by due time; an intake wins a tie. */
	for (r = ni, k = 0; k < max && (i < ni || r < nr); k++) {
		if (r == nr || (i < ni && all[i].due_at <= all[r].due_at))
			due[k] = all[i], memset(&all[i++], 0, sizeof *all);
		else
			due[k] = all[r], memset(&all[r++], 0, sizeof *all);
	}
	*n = k;
	rv = 0;
out:
	for (k = 0; k < 2 * max + 1; k++)
		store_due_free(&all[k]);
	free(all);
	return rv;
}

int
store_next_due(struct store *s, int64_t now, struct store_due *due,
    char **cause)
{
	size_t n;

	memset(due, 0, sizeof *due);
	if (store_due_batch(s, now, due, 1, &n, cause) != 0)
		return -1;
	return n == 1 ? 1 : 0;
}

void
store_due_free(struct store_due *due)
{
	free(due->id);
	free(due->sha256);
	wipe_free(due->payload);
	memset(due, 0, sizeof *due);
}

static const char store_sql_next_attempt[] =
    "SELECT coalesce(min(t), 0) FROM ("
    " SELECT min(next_attempt_at) AS t FROM intakes"
    "  WHERE sync_state = 'pending' AND payload IS NOT NULL"
    " UNION ALL SELECT min(r.next_attempt_at) FROM reviews r"
    "  JOIN intakes i ON i.id = r.intake_id"
    "  WHERE r.sync_state = 'pending' AND i.sync_state = 'sent')";

int
store_next_attempt_at(struct store *s, int64_t *at, char **cause)
{
	return store_scalar(s, store_sql_next_attempt,
	    "reading the next attempt time", at, cause);
}

/*
 * The record's state into *state (NULL: no such record); *state must
 * hold 8 bytes.
 */
static int
store_state_of(struct store *s, enum store_kind kind, const char *id,
    char state[8], bool *found, char **cause)
{
	sqlite3_stmt *stmt = NULL;
	const unsigned char *t;
	int rv = -1, rc;

	*found = false;
	if (store_cached(s, &stmt, cause, kind == STORE_INTAKE ?
	    "SELECT sync_state FROM intakes WHERE id = ?1" :
	    "SELECT sync_state FROM reviews WHERE id = ?1", "t", id) != 0)
		return -1;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		t = sqlite3_column_text(stmt, 0);
		snprintf(state, 8, "%s", t != NULL ? (const char *)t : "");
		*found = true;
	} else if (rc != SQLITE_DONE) {
		*cause = store_error(s, "reading a record's state");
		goto out;
	}
	rv = 0;
out:
	return store_release(s, stmt, rv, cause);
}

/*
 * Run one UPDATE on a pending record. Idempotent across senders: when the
 * record is no longer pending, another sender (the kiosk's sync thread,
 * `kiosk sync`, a staff console) recorded its own attempt first; that
 * stands and this is not an error. Only a record that does not exist is.
 */
static int
store_mark(struct store *s, enum store_kind kind, const char *sql,
    const char *id, char **cause, const char *types, const char *text,
    int64_t n)
{
	sqlite3_stmt *stmt = NULL;
	char state[8];
	bool found;
	int rv = -1, changes;

	/* types is "tti": the arguments are id, text, n. */
	if (store_cached(s, &stmt, cause, sql, types, id, text, n) != 0)
		return -1;
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		*cause = xasprintf("%s: recording an attempt for %s: %s",
		    s->path, id, sqlite3_errmsg(s->db));
		goto out;
	}
	changes = sqlite3_changes(s->db);
	rv = store_release(s, stmt, 0, cause);
	stmt = NULL;
	if (rv != 0 || changes == 1)
		goto out;
	rv = -1;
	if (store_state_of(s, kind, id, state, &found, cause) != 0)
		goto out;
	if (!found) {
		*cause = xasprintf("%s: no record %s", s->path, id);
		goto out;
	}
	rv = 0;		/* already sent or parked by another sender */
out:
	return store_release(s, stmt, rv, cause);
}

int
store_mark_sent(struct store *s, enum store_kind kind, const char *id,
    const char *server_receipt, int64_t now, char **cause)
{
	return store_mark(s, kind, kind == STORE_INTAKE ?
	    "UPDATE intakes SET sync_state = 'sent', attempts = attempts + 1,"
	    " server_receipt = ?2, last_error = NULL, sent_at = ?3"
	    " WHERE id = ?1 AND sync_state = 'pending'" :
	    "UPDATE reviews SET sync_state = 'sent', attempts = attempts + 1,"
	    " server_receipt = ?2, last_error = NULL, sent_at = ?3"
	    " WHERE id = ?1 AND sync_state = 'pending'", id, cause, "tti",
	    server_receipt, now);
}

int
store_mark_retry(struct store *s, enum store_kind kind, const char *id,
    int64_t next_attempt_at, const char *error, char **cause)
{
	return store_mark(s, kind, kind == STORE_INTAKE ?
	    "UPDATE intakes SET attempts = attempts + 1, last_error = ?2,"
	    " next_attempt_at = ?3 WHERE id = ?1 AND sync_state = 'pending'" :
	    "UPDATE reviews SET attempts = attempts + 1, last_error = ?2,"
	    " next_attempt_at = ?3 WHERE id = ?1 AND sync_state = 'pending'",
	    id, cause, "tti", error, next_attempt_at);
}

int
store_mark_parked(struct store *s, enum store_kind kind, const char *id,
    const char *error, char **cause)
{
	return store_mark(s, kind, kind == STORE_INTAKE ?
	    "UPDATE intakes SET sync_state = 'parked', attempts = attempts + 1,"
	    " last_error = ?2, parked_at = ?3"
	    " WHERE id = ?1 AND sync_state = 'pending'" :
	    "UPDATE reviews SET sync_state = 'parked', attempts = attempts + 1,"
	    " last_error = ?2, parked_at = ?3"
	    " WHERE id = ?1 AND sync_state = 'pending'", id, cause, "tti",
	    error, (int64_t)time(NULL));
}

/* Run a cached transaction-control statement. */
static int
store_tx(struct store *s, const char *sql, const char *what, char **cause)
{
	sqlite3_stmt *stmt = NULL;
	int rv = 0;

	if (store_cached(s, &stmt, cause, sql, "") != 0)
		return -1;
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		*cause = store_error(s, what);
		rv = -1;
	}
	return store_release(s, stmt, rv, cause);
}

int
store_tx_begin(struct store *s, char **cause)
{
	return store_tx(s, "BEGIN IMMEDIATE", "starting a transaction", cause);
}

int
store_tx_commit(struct store *s, char **cause)
{
	if (store_tx(s, "COMMIT", "committing", cause) != 0) {
		store_rollback(s, cause);
		return -1;
	}
	return 0;
}

void
store_tx_rollback(struct store *s)
{
	char *cause = NULL;

	store_rollback(s, &cause);
	free(cause);
}

int
store_due_not_after(struct store *s, int64_t now, int64_t limit, long *n,
    char **cause)
{
	static const char *const sql[] = {
		"UPDATE intakes SET next_attempt_at = ?1"
		" WHERE sync_state = 'pending' AND next_attempt_at > ?2",
		"UPDATE reviews SET next_attempt_at = ?1"
		" WHERE sync_state = 'pending' AND next_attempt_at > ?2",
	};
	sqlite3_stmt *stmt = NULL;
	size_t i;
	int rv = 0;

	*n = 0;
	for (i = 0; i < 2 && rv == 0; i++) {
		if (store_cached(s, &stmt, cause, sql[i], "ii", now, limit) != 0)
			return -1;
		if (sqlite3_step(stmt) != SQLITE_DONE) {
			*cause = store_error(s, "correcting due times");
			rv = -1;
		} else
			*n += sqlite3_changes(s->db);
		rv = store_release(s, stmt, rv, cause);
	}
	return rv;
}

static const char store_sql_parked[] =
    "SELECT 0, id, last_error, coalesce(parked_at, 0) FROM intakes"
    " WHERE sync_state = 'parked'"
    " UNION ALL SELECT 1, id, last_error, coalesce(parked_at, 0)"
    " FROM reviews WHERE sync_state = 'parked'"
    " ORDER BY 4, 2";

int
store_each_parked(struct store *s,
    int (*fn)(const struct store_parked *, void *), void *arg, char **cause)
{
	sqlite3_stmt *stmt = NULL;
	struct store_parked p;
	int rv = -1, rc;

	if (store_cached(s, &stmt, cause, store_sql_parked, "") != 0)
		return -1;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		p.kind = sqlite3_column_int(stmt, 0) == 1 ? STORE_REVIEW :
		    STORE_INTAKE;
		p.id = (const char *)sqlite3_column_text(stmt, 1);
		p.reason = (const char *)sqlite3_column_text(stmt, 2);
		p.parked_at = sqlite3_column_int64(stmt, 3);
		if (p.id == NULL) {
			*cause = store_error(s, "reading a parked record");
			goto out;
		}
		if ((rv = fn(&p, arg)) != 0)
			goto out;
	}
	if (rc != SQLITE_DONE) {
		*cause = store_error(s, "listing parked records");
		goto out;
	}
	rv = 0;
out:
	return store_release(s, stmt, rv, cause);
}

int
store_requeue(struct store *s, const char *id, const char *actor,
    int64_t now, long *n, char **cause)
{
	static const char *const sql[] = {
		"UPDATE intakes SET sync_state = 'pending', next_attempt_at = ?2,"
		" parked_at = NULL WHERE sync_state = 'parked'"
		" AND (?1 IS NULL OR id = ?1)",
		"UPDATE reviews SET sync_state = 'pending', next_attempt_at = ?2,"
		" parked_at = NULL WHERE sync_state = 'parked'"
		" AND (?1 IS NULL OR id = ?1)",
	};
	sqlite3_stmt *stmt = NULL;
	char *subject = NULL;
	size_t i;
	int rv = -1;

	*n = 0;
	if (store_tx_begin(s, cause) != 0)
		return -1;
	for (i = 0; i < 2; i++) {
		if (store_cached(s, &stmt, cause, sql[i], "ti", id, now) != 0)
			goto out;
		if (sqlite3_step(stmt) != SQLITE_DONE) {
			*cause = store_error(s, "putting parked records back");
			goto out;
		}
		*n += sqlite3_changes(s->db);
		if (store_release(s, stmt, 0, cause) != 0)
			goto out;
	}
	stmt = NULL;
	if (*n > 0) {
		subject = id != NULL ? xstrdup(id) :
		    xasprintf("%ld parked records", *n);
		if (store_audit(s, actor, "requeue", subject, cause) != 0)
			goto out;
		/* Staff have seen to it; a record still damaged says so again. */
		if (store_cached(s, &stmt, cause, "DELETE FROM meta"
		    " WHERE key = 'damaged'", "") != 0)
			goto out;
		if (sqlite3_step(stmt) != SQLITE_DONE) {
			*cause = store_error(s, "clearing the damage alert");
			goto out;
		}
		if (store_release(s, stmt, 0, cause) != 0)
			goto out;
		stmt = NULL;
	}
	rv = store_tx_commit(s, cause);
	stmt = NULL;
out:
	free(subject);
	rv = store_release(s, stmt, rv, cause);
	if (rv != 0)
		store_rollback(s, cause);
	return rv;
}

int
store_sync_info(struct store *s, enum store_kind kind, const char *id,
    struct store_sync_info *info, char **cause)
{
	sqlite3_stmt *stmt = NULL;
	char *sql;
	int rv = -1, rc;

	memset(info, 0, sizeof *info);
	sql = xasprintf("SELECT sync_state, attempts, next_attempt_at,"
	    " last_error, server_receipt, coalesce(sent_at, 0) FROM %s"
	    " WHERE id = ?1", store_table(kind));
	if (store_prepare(s, &stmt, cause, sql, "t", id) != 0)
		goto out;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		rv = 0;
		goto out;
	}
	if (rc != SQLITE_ROW) {
		*cause = store_error(s, "reading a record's sync history");
		goto out;
	}
	info->state = store_column_dup(stmt, 0);
	info->attempts = (long)sqlite3_column_int64(stmt, 1);
	info->next_attempt_at = sqlite3_column_int64(stmt, 2);
	info->last_error = store_column_dup(stmt, 3);
	info->server_receipt = store_column_dup(stmt, 4);
	info->sent_at = sqlite3_column_int64(stmt, 5);
	rv = 1;
out:
	free(sql);
	return store_finalize(s, stmt, rv, cause);
}

void
store_sync_info_free(struct store_sync_info *info)
{
	free(info->state);
	free(info->last_error);
	free(info->server_receipt);
	memset(info, 0, sizeof *info);
}

int
store_meta_set(struct store *s, const char *key, const char *value,
    char **cause)
{
	sqlite3_stmt *stmt = NULL;
	int rv = -1;

	if (store_cached(s, &stmt, cause, "INSERT INTO meta (key, value)"
	    " VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2",
	    "tt", key, value) != 0)
		return -1;
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		*cause = store_error(s, "saving the sync state");
		goto out;
	}
	rv = 0;
out:
	return store_release(s, stmt, rv, cause);
}

int
store_meta_get(struct store *s, const char *key, char **value, char **cause)
{
	sqlite3_stmt *stmt = NULL;
	int rv = -1, rc;

	*value = NULL;
	if (store_cached(s, &stmt, cause, "SELECT value FROM meta"
	    " WHERE key = ?1", "t", key) != 0)
		return -1;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*value = store_column_dup(stmt, 0);
	else if (rc != SQLITE_DONE) {
		*cause = store_error(s, "reading the sync state");
		goto out;
	}
	rv = 0;
out:
	return store_release(s, stmt, rv, cause);
}

int
store_each_intake(struct store *s, int64_t since,
    int (*fn)(const struct store_row *, void *), void *arg, char **cause)
{
	sqlite3_stmt *stmt = NULL;
	struct store_row row;
	int rv = -1, rc;

	if (store_prepare(s, &stmt, cause, "SELECT i.id, i.receipt, i.outcome,"
	    " i.consent, i.sync_state, i.payload, i.completed_at,"
	    " (SELECT r.decision FROM reviews r WHERE r.intake_id = i.id"
	    "  ORDER BY r.decided_at DESC, r.rowid DESC LIMIT 1)"
	    " FROM intakes i WHERE i.completed_ms >= ?1 * 1000"
	    " ORDER BY i.completed_ms DESC, i.rowid DESC", "i", since) != 0)
		return -1;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		row.id = (const char *)sqlite3_column_text(stmt, 0);
		row.receipt = (const char *)sqlite3_column_text(stmt, 1);
		row.outcome = (const char *)sqlite3_column_text(stmt, 2);
		row.consent = (const char *)sqlite3_column_text(stmt, 3);
		row.sync_state = (const char *)sqlite3_column_text(stmt, 4);
		row.payload = (const char *)sqlite3_column_text(stmt, 5);
		row.completed_at = sqlite3_column_int64(stmt, 6);
		row.decision = (const char *)sqlite3_column_text(stmt, 7);
		if (row.id == NULL || row.receipt == NULL || row.outcome == NULL ||
		    row.consent == NULL || row.sync_state == NULL) {
			*cause = store_error(s, "reading an intake");
			goto out;
		}
		if ((rv = fn(&row, arg)) != 0)
			goto out;
	}
	if (rc != SQLITE_DONE) {
		*cause = store_error(s, "listing intakes");
		rv = -1;
		goto out;
	}
	rv = 0;
out:
	return store_finalize(s, stmt, rv, cause);
}

int
store_put_review(struct store *s, const struct store_review *r, char **cause)
{
	sqlite3_stmt *stmt = NULL;
	int rv = -1;

	if (store_exec(s, "BEGIN IMMEDIATE", "starting to store a review",
	    cause) != 0)
		return -1;
	if (store_prepare(s, &stmt, cause, "INSERT INTO reviews (id, intake_id,"
	    " decision, note, staff, decided_at, payload, next_attempt_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?6)", "tttttit", r->id,
	    r->intake_id, r->decision, r->note, r->staff, r->decided_at,
	    r->payload) != 0)
		goto out;
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		*cause = xasprintf("%s: storing review %s: %s", s->path, r->id,
		    sqlite3_errmsg(s->db));
		goto out;
	}
	rv = store_finalize(s, stmt, 0, cause);
	stmt = NULL;
	if (rv == 0)
		rv = store_audit(s, r->staff, "review", r->id, cause);
	if (rv == 0)
		rv = store_exec(s, "COMMIT", "committing a review", cause);
out:
	rv = store_finalize(s, stmt, rv, cause);
	if (rv != 0)
		store_rollback(s, cause);
	return rv;
}

int
store_each_review(struct store *s, const char *intake_id,
    int (*fn)(const struct store_review *, void *), void *arg, char **cause)
{
	sqlite3_stmt *stmt = NULL;
	struct store_review r;
	int rv = -1, rc;

	if (store_prepare(s, &stmt, cause, "SELECT id, intake_id, decision,"
	    " note, staff, decided_at, payload, sync_state FROM reviews"
	    " WHERE intake_id = ?1 ORDER BY decided_at, rowid", "t",
	    intake_id) != 0)
		return -1;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		r.id = (const char *)sqlite3_column_text(stmt, 0);
		r.intake_id = (const char *)sqlite3_column_text(stmt, 1);
		r.decision = (const char *)sqlite3_column_text(stmt, 2);
		r.note = (const char *)sqlite3_column_text(stmt, 3);
		r.staff = (const char *)sqlite3_column_text(stmt, 4);
		r.decided_at = sqlite3_column_int64(stmt, 5);
		r.payload = (const char *)sqlite3_column_text(stmt, 6);
		r.sync_state = (const char *)sqlite3_column_text(stmt, 7);
		if ((rv = fn(&r, arg)) != 0)
			goto out;
	}
	if (rc != SQLITE_DONE) {
		*cause = store_error(s, "listing reviews");
		rv = -1;
		goto out;
	}
	rv = 0;
out:
	return store_finalize(s, stmt, rv, cause);
}

/* Run one parameterised statement to completion; *changes when wanted. */
static int
store_run(struct store *s, const char *what, long *changes, char **cause,
    const char *sql, const char *types, int64_t a, int64_t b)
{
	sqlite3_stmt *stmt = NULL;
	int rv = -1;

	if (store_prepare(s, &stmt, cause, sql, types, a, b) != 0)
		return -1;
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		*cause = store_error(s, what);
		goto out;
	}
	if (changes != NULL)
		*changes = (long)sqlite3_changes(s->db);
	rv = 0;
out:
	return store_finalize(s, stmt, rv, cause);
}

/*
 * Copy the WAL into the database and truncate it to nothing, so that the
 * page images with purged data (secure_delete zeroes them in the
 * database file only) do not stay in kiosk.db-wal while the kiosk runs.
 * A connection still reading an older snapshot makes it partial: that
 * is not an error, the next purge truncates it.
 */
static int
store_wal_truncate(struct store *s, char **cause)
{
	int rc;

	rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE,
	    NULL, NULL);
	if (rc != SQLITE_OK && rc != SQLITE_BUSY && rc != SQLITE_LOCKED) {
		*cause = store_error(s, "truncating the WAL after a purge");
		return -1;
	}
	return 0;
}

int
store_purge(struct store *s, int64_t cutoff, int64_t now, long *purged,
    char **cause)
{
	char *subject;
	int rv = -1;

	*purged = 0;
	if (store_exec(s, "BEGIN IMMEDIATE", "starting a purge", cause) != 0)
		return -1;
	if (store_run(s, "marking intakes to purge", NULL, cause,
	    "CREATE TEMP TABLE IF NOT EXISTS purge_ids (id TEXT PRIMARY KEY)",
	    "", 0, 0) != 0 ||
	    store_run(s, "marking intakes to purge", NULL, cause,
	    "DELETE FROM temp.purge_ids", "", 0, 0) != 0 ||
	    store_run(s, "marking intakes to purge", NULL, cause,
	    "INSERT INTO temp.purge_ids SELECT i.id FROM intakes i"
	    /* a decision comes after its intake: only intakes completed
	     * before the cutoff can qualify, found by their index (the
	     * unary + keeps the planner off the sync_state index), so
	     * start-up does not scan every stored intake */
	    " WHERE i.payload IS NOT NULL AND +i.sync_state = 'sent'"
	    " AND i.completed_ms < ?1 * 1000"
	    " AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.intake_id = i.id"
	    "  AND r.sync_state <> 'sent')"
	    " AND coalesce((SELECT max(r.decided_at) FROM reviews r"
	    "  WHERE r.intake_id = i.id), i.completed_at) < ?1", "i",
	    cutoff, 0) != 0 ||
	    store_run(s, "purging intakes", purged, cause,
	    "UPDATE intakes SET payload = NULL, purged_at = ?1"
	    " WHERE id IN (SELECT id FROM temp.purge_ids)", "i", now, 0) != 0 ||
	    store_run(s, "purging reviews", NULL, cause,
	    "UPDATE reviews SET note = NULL, payload = '{}', purged_at = ?1"
	    " WHERE intake_id IN (SELECT id FROM temp.purge_ids)"
	    " AND sync_state = 'sent'", "i", now, 0) != 0)
		goto out;
	if (*purged > 0) {
		subject = xasprintf("%ld intakes", *purged);
		rv = store_audit(s, "kiosk", "purge", subject, cause);
		free(subject);
		if (rv != 0)
			goto out;
	}
	rv = store_exec(s, "COMMIT", "committing a purge", cause);
out:
	if (rv != 0)
		store_rollback(s, cause);
	else if (*purged > 0)
		rv = store_wal_truncate(s, cause);
	return rv;
}

int
store_pin_get(struct store *s, const char *who, long *count, int64_t *last_at,
    int64_t *locked_until, char **cause)
{
	sqlite3_stmt *stmt = NULL;
	int rv = -1, rc;

	*count = 0;
	*last_at = *locked_until = 0;
	if (store_prepare(s, &stmt, cause, "SELECT count, last_at, locked_until"
	    " FROM pin_failures WHERE staff = ?1", "t", who) != 0)
		return -1;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		*count = (long)sqlite3_column_int64(stmt, 0);
		*last_at = sqlite3_column_int64(stmt, 1);
		*locked_until = sqlite3_column_int64(stmt, 2);
	} else if (rc != SQLITE_DONE) {
		*cause = store_error(s, "reading PIN failures");
		goto out;
	}
	rv = 0;
out:
	return store_finalize(s, stmt, rv, cause);
}

int
store_pin_failed(struct store *s, const char *who, int64_t now,
    int64_t locked_until, char **cause)
{
	sqlite3_stmt *stmt = NULL;
	int rv = -1;

	if (store_exec(s, "BEGIN IMMEDIATE", "recording a PIN failure",
	    cause) != 0)
		return -1;
	if (store_prepare(s, &stmt, cause, "INSERT INTO pin_failures (staff,"
	    " count, last_at, locked_until) VALUES (?1, 1, ?2, ?3)"
	    " ON CONFLICT (staff) DO UPDATE SET count = count + 1,"
	    " last_at = ?2, locked_until = ?3", "tii", who, now,
	    locked_until) != 0)
		goto out;
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		*cause = store_error(s, "recording a PIN failure");
		goto out;
	}
	rv = store_finalize(s, stmt, 0, cause);
	stmt = NULL;
	if (rv == 0)
		rv = store_audit(s, "unknown", "pin-failure", who, cause);
	if (rv == 0)
		rv = store_exec(s, "COMMIT", "committing a PIN failure", cause);
out:
	rv = store_finalize(s, stmt, rv, cause);
	if (rv != 0)
		store_rollback(s, cause);
	return rv;
}

int
store_pin_reset(struct store *s, const char *who, char **cause)
{
	sqlite3_stmt *stmt = NULL;
	int rv = -1;

	if (store_prepare(s, &stmt, cause, "DELETE FROM pin_failures"
	    " WHERE staff = ?1", "t", who) != 0)
		return -1;
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		*cause = store_error(s, "resetting PIN failures");
		goto out;
	}
	rv = 0;
out:
	return store_finalize(s, stmt, rv, cause);
}

int
store_due_now(struct store *s, int64_t now, char **cause)
{
	if (store_exec(s, "BEGIN IMMEDIATE", "starting sync now", cause) != 0)
		return -1;
	if (store_run(s, "making intakes due", NULL, cause, "UPDATE intakes"
	    " SET next_attempt_at = ?1 WHERE sync_state = 'pending'"
	    " AND next_attempt_at > ?1", "i", now, 0) != 0 ||
	    store_run(s, "making reviews due", NULL, cause, "UPDATE reviews"
	    " SET next_attempt_at = ?1 WHERE sync_state = 'pending'"
	    " AND next_attempt_at > ?1", "i", now, 0) != 0 ||
	    store_run(s, "lifting the pause", NULL, cause, "DELETE FROM meta"
	    " WHERE key IN ('paused_until', 'pause_reason')", "", 0, 0) != 0 ||
	    store_exec(s, "COMMIT", "committing sync now", cause) != 0) {
		store_rollback(s, cause);
		return -1;
	}
	return 0;
}
