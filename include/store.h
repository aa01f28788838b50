/*
 * store.h: the kiosk's durable state, one SQLite database in state_dir
 * (DESIGN.md "Store"). The only module that includes <sqlite3.h>.
 * An intake is frozen once put: its payload is never edited, only its
 * sync bookkeeping changes. Every call is one transaction.
 */
#ifndef KIOSK_STORE_H
#define KIOSK_STORE_H

#include <stddef.h>
#include <stdint.h>

#define STORE_FILE "kiosk.db"
#define STORE_SCHEMA_VERSION 1

struct store;

/* What the store keeps about an intake beside its frozen payload. */
struct store_intake {
	const char *id;		/* UUIDv4 */
	const char *receipt;	/* short code the client saw */
	const char *outcome;	/* "clear" | "review" | "exclude" */
	const char *consent;	/* "accepted" | "declined" */
	int64_t completed_at;	/* unix seconds */
	const char *payload;	/* wire-format JSON, UTF-8 */
};

/* Counts for `kiosk status`; no personal data. */
struct store_counts {
	long pending, sent, parked, purged;
	int64_t oldest_pending_at;	/* completed_at of the oldest unsent, 0 if none */
};

/*
 * Open (creating when missing) STATE_DIR/kiosk.db. Creates state_dir with
 * mode 0700 when missing and refuses one that is group/other accessible;
 * the database file (and its -wal/-shm) is 0600 and a file with wider
 * permissions is refused. Sets WAL, synchronous=FULL, secure_delete=ON,
 * foreign_keys=ON, busy_timeout; migrates forward via PRAGMA user_version
 * (refuses a database newer than this build); runs PRAGMA integrity_check.
 * On failure returns -1 with *cause (caller frees).
 */
int store_open(const char *state_dir, struct store **out, char **cause);
/* NULL is a no-op. */
void store_close(struct store *);

/*
 * Put a completed intake: stored with sync state "pending", attempts 0,
 * next attempt now, and the SHA-256 of the payload. Committed (fsynced)
 * when this returns 0. An id already stored is an error (-1).
 */
int store_put_intake(struct store *, const struct store_intake *, char **cause);

/*
 * Call fn for each stored intake's payload in completion order (oldest
 * first); purged intakes (no payload left) are skipped. Stops and returns
 * fn's value when it is non-zero; -1 with *cause on a database error.
 */
int store_each_payload(struct store *, int (*fn)(const char *payload, void *arg),
    void *arg, char **cause);

int store_counts(struct store *, struct store_counts *, char **cause);

/* Append to the audit log (ids only, never personal data). */
int store_audit(struct store *, const char *actor, const char *action,
    const char *subject, char **cause);

/*
 * The payload of the intake whose id or receipt is key (exact match; the
 * latest when receipts collide) in *payload (caller frees), or NULL when
 * none is stored or its payload has been purged.
 */
int store_find_payload(struct store *, const char *key, char **payload,
    char **cause);

/*
 * Read back the connection's settings (journal_mode, synchronous,
 * secure_delete, foreign_keys, trusted_schema, busy_timeout, user_version)
 * as "name=value ..." into *report (caller frees; report may be NULL).
 * 0 when all are what store_open sets, else -1 with *cause naming them.
 */
int store_pragma_check(struct store *, char **report, char **cause);

#endif
