/*
 * store.h: the kiosk's durable state, one SQLite database in state_dir
 * (docs/design.md "Store"). The only module that includes <sqlite3.h>.
 * An intake is frozen once put: its payload is never edited, only its
 * sync bookkeeping changes. Every call is one transaction.
 */
#ifndef KIOSK_STORE_H
#define KIOSK_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STORE_FILE "kiosk.db"
#define STORE_SCHEMA_VERSION 6

struct store;

/* What the store keeps about an intake beside its frozen payload. */
struct store_intake {
	const char *id;		/* UUIDv4 */
	const char *receipt;	/* short code the client saw */
	const char *outcome;	/* "clear" | "review" | "exclude" */
	const char *consent;	/* "accepted" | "declined" */
	int64_t completed_ms;	/* unix milliseconds */
	const char *payload;	/* wire-format JSON, UTF-8 */
};

/* Counts for `kiosk status`; no personal data. */
struct store_counts {
	long pending, sent, parked, purged;
	int64_t oldest_pending_at;	/* completed_at of the oldest unsent, 0 if none */
	long review_pending, review_sent, review_parked;
	long review_blocked;	/* pending decisions on a parked intake */
};

/* The two kinds of record the sync engine sends. */
enum store_kind {
	STORE_INTAKE,
	STORE_REVIEW,
};

/* A record due for sending (store_next_due); free with store_due_free. */
struct store_due {
	enum store_kind kind;
	char *id;
	char *payload;
	char *sha256;		/* the payload's SHA-256 as stored (intakes), or NULL */
	long attempts;		/* attempts made so far */
	int64_t due_at;		/* its next attempt time */
};

/*
 * Open (creating when missing) STATE_DIR/kiosk.db. Creates state_dir with
 * mode 0700 when missing and refuses one that is group/other accessible;
 * the database file (and its -wal/-shm) is 0600 and a file with wider
 * permissions is refused. Sets WAL, synchronous=FULL, secure_delete=ON,
 * foreign_keys=ON, busy_timeout; migrates forward via PRAGMA user_version
 * (refuses a database newer than this build). The first connection this
 * process opens to the file runs PRAGMA quick_check (not every one: the
 * sync thread's own connection skips it); store_integrity_check is the
 * full check, for a daily run in the background.
 * On failure returns -1 with *cause (caller frees).
 */
int store_open(const char *state_dir, struct store **out, char **cause);
/* NULL is a no-op. */
void store_close(struct store *);
/*
 * For `kiosk run`: the start-up quick check runs in a background thread
 * instead of inside store_open, so the first screen does not wait for a
 * check whose cost grows with the store. Call before the first open.
 */
void store_check_in_background(void);
/*
 * Wait for that check of this store's file (at once when none runs): 0
 * when it passed, -1 with *cause when the file is damaged. Storing an
 * intake calls it, so nothing is written to a damaged file.
 */
int store_check_wait(struct store *, char **cause);

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

/*
 * Append to the audit log (ids only, never personal data). Each row is
 * chained to the one before: its hash is SHA-256 of the previous row's
 * hash and this row's fields. Part of the caller's transaction if one is
 * open, else its own.
 */
int store_audit(struct store *, const char *actor, const char *action,
    const char *subject, char **cause);

/* An audit row. Pointers live during the callback. */
struct store_audit {
	int64_t seq;
	int64_t at;		/* unix seconds */
	const char *actor;
	const char *action;
	const char *subject;	/* may be NULL */
	const char *hash;	/* NULL for rows from before the chain */
};
/*
 * Call fn for each audit row at or after since (unix seconds), oldest
 * first. Stops and returns fn's value when it is non-zero.
 */
int store_each_audit(struct store *, int64_t since,
    int (*fn)(const struct store_audit *, void *), void *arg, char **cause);

/*
 * SQLite's PRAGMA data_version: changes when another connection (another
 * process: the kiosk, a staff console, `kiosk sync`) commits. Cheap; for
 * noticing new data without re-reading it.
 */
int store_data_version(struct store *, int64_t *version, char **cause);

/* What store_audit_verify found. */
struct store_audit_check {
	long rows;		/* chained rows verified */
	long unchained;		/* rows from before the chain */
	int64_t broken_seq;	/* the first broken link, 0 when none */
	char reason[64];	/* what is wrong there */
};
/*
 * Walk the whole chain: a changed row or hash, a removed row (also at the
 * end) or a removed hash breaks it. 0 with *out filled (broken or not),
 * -1 with *cause on a database error.
 */
int store_audit_verify(struct store *, struct store_audit_check *out,
    char **cause);

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

/*
 * The outbox. A record is "pending" until the server gives a receipt
 * ("sent") or refuses it for good ("parked": kept, never deleted).
 */

/*
 * The pending record whose next attempt is due at `now`, oldest first;
 * a review waits until its intake is sent. 1 with *due filled, 0 when
 * nothing is due, -1 on error.
 */
int store_next_due(struct store *, int64_t now, struct store_due *due,
    char **cause);
/*
 * Up to max records due at now, in store_next_due's order, into due[0..*n)
 * (free each with store_due_free). A review whose intake is not yet
 * recorded as sent comes in a later batch.
 */
int store_due_batch(struct store *, int64_t now, struct store_due *due,
    size_t max, size_t *n, char **cause);
void store_due_free(struct store_due *);
/*
 * Pending records due after limit became due so while the clock was
 * ahead (no backoff or pause reaches that far): due at now. *n counts them.
 */
int store_due_not_after(struct store *, int64_t now, int64_t limit, long *n,
    char **cause);
/* Pending intakes plus pending reviews (an index count, cheap). */
int store_pending_count(struct store *, long *n, char **cause);
/* Staff's "sync now": every pending record becomes due at now, and a
 * server-wide pause the sync engine kept (paused_until) is lifted. */
int store_due_now(struct store *, int64_t now, char **cause);
/* Earliest next attempt among pending records in *at (0: none pending). */
int store_next_attempt_at(struct store *, int64_t *at, char **cause);
/*
 * One attempt ended: each counts the attempt on a pending record. They are
 * idempotent across senders: on a record another sender has already
 * marked sent or parked they change nothing and return 0; only an unknown
 * id is an error. Several may share one transaction (store_tx_begin).
 */
int store_mark_sent(struct store *, enum store_kind, const char *id,
    const char *server_receipt, int64_t now, char **cause);
int store_mark_retry(struct store *, enum store_kind, const char *id,
    int64_t next_attempt_at, const char *error, char **cause);
/* Parked now (the parking time is the clock's, for `kiosk status`). */
int store_mark_parked(struct store *, enum store_kind, const char *id,
    const char *error, char **cause);

/* One write transaction around several calls (BEGIN IMMEDIATE). */
int store_tx_begin(struct store *, char **cause);
/* Commit; on failure it is rolled back and -1 returned with *cause. */
int store_tx_commit(struct store *, char **cause);
void store_tx_rollback(struct store *);

/* A parked record for `kiosk status` and staff. Pointers live during fn. */
struct store_parked {
	enum store_kind kind;
	const char *id;
	const char *reason;	/* the refusal that parked it; may be NULL */
	int64_t parked_at;	/* 0 when parked before this was kept */
};
/* Call fn for each parked record, the longest parked first. */
int store_each_parked(struct store *,
    int (*fn)(const struct store_parked *, void *), void *arg, char **cause);
/*
 * Put parked records back in the queue, due at now: the intake or review
 * whose id is id, or every parked record when id is NULL. Audited as
 * actor's "requeue" in the same transaction. *n counts them (0: nothing
 * parked matched; nothing is written then).
 */
int store_requeue(struct store *, const char *id, const char *actor,
    int64_t now, long *n, char **cause);

/* The full PRAGMA integrity_check: 0 when "ok", else -1 with *cause. */
int store_integrity_check(struct store *, char **cause);

/* Sync history of one record for staff: attempts, last error, receipt. */
struct store_sync_info {
	char *state;		/* "pending" | "sent" | "parked" */
	long attempts;
	int64_t next_attempt_at;
	char *last_error;	/* NULL when none */
	char *server_receipt;	/* NULL until sent */
	int64_t sent_at;
};
/* 1 found, 0 no such record, -1 error. Free with store_sync_info_free. */
int store_sync_info(struct store *, enum store_kind, const char *id,
    struct store_sync_info *, char **cause);
void store_sync_info_free(struct store_sync_info *);

/* Small named values that outlive a restart (last sync result, alert). */
int store_meta_set(struct store *, const char *key, const char *value,
    char **cause);
/* *value is NULL when the key is unset (caller frees). */
int store_meta_get(struct store *, const char *key, char **value,
    char **cause);

/* An intake as staff mode lists it. Pointers live during the callback. */
struct store_row {
	const char *id;
	const char *receipt;
	const char *outcome;
	const char *consent;
	const char *sync_state;
	const char *payload;	/* NULL once purged */
	const char *decision;	/* the latest staff decision, or NULL */
	int64_t completed_at;
};

/*
 * Call fn for each intake completed at or after since (unix seconds),
 * newest first: by completion time in milliseconds, then the later
 * stored first, so two check-ins finished in the same second (or
 * millisecond) always list in the same order. Stops and returns fn's
 * value when it is non-zero.
 */
int store_each_intake(struct store *, int64_t since,
    int (*fn)(const struct store_row *, void *), void *arg, char **cause);

/* A staff decision on an intake, frozen once stored like an intake. */
struct store_review {
	const char *id;
	const char *intake_id;
	const char *decision;	/* "cleared" | "declined" | "consult" */
	const char *note;	/* may be NULL */
	const char *staff;
	int64_t decided_at;
	const char *payload;	/* wire format (docs/wire-format.md, POST /reviews) */
	const char *sync_state;	/* filled by store_each_review */
};
/* Store a review, pending for sync, and audit it, in one transaction. */
int store_put_review(struct store *, const struct store_review *,
    char **cause);
/* Each review of an intake, oldest first (a later one supersedes). */
int store_each_review(struct store *, const char *intake_id,
    int (*fn)(const struct store_review *, void *), void *arg, char **cause);

/*
 * Retention: remove the personal data (payload; review notes) of intakes
 * that are sent and either reviewed before `cutoff` or completed before
 * it without a review. Never touches unsent or parked intakes, nor an
 * intake with a decision not yet sent (its note would outlive it). Audited.
 */
int store_purge(struct store *, int64_t cutoff, int64_t now, long *purged,
    char **cause);

/* Staff PIN failure counters, kept so a restart does not reset a lockout. */
int store_pin_get(struct store *, const char *who, long *count,
    int64_t *last_at, int64_t *locked_until, char **cause);
int store_pin_failed(struct store *, const char *who, int64_t now,
    int64_t locked_until, char **cause);
int store_pin_reset(struct store *, const char *who, char **cause);

#endif
