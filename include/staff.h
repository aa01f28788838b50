/*
 * staff.h: what staff mode shows and records, without a terminal: today's
 * intakes in the order a receptionist needs them (exclusions, then
 * reviews, then clear; newest first within each), one intake's answers
 * with its flags and consent evidence as lines of text, staff decisions
 * as review records for the sync engine, and retention.
 */
#ifndef KIOSK_STAFF_H
#define KIOSK_STAFF_H

#include <stddef.h>
#include <stdint.h>

struct form;
struct store;

/* "2026-11-24 10:15:02 CET": local time with its zone (and the NUL). */
#define STAFF_WHEN_LEN 48
void staff_when(int64_t t, char out[STAFF_WHEN_LEN]);
/* The same for an RFC 3339 UTC time as stored ("?" or as is if unreadable). */
void staff_when_rfc3339(const char *rfc, char out[STAFF_WHEN_LEN]);

struct staff_row {
	char id[37];
	char receipt[10];
	int64_t completed_at;
	char outcome[8];	/* "clear" | "review" | "exclude" */
	char *name;		/* "Zoë N." (first name, last initial); "(purged)" */
	char *decision;		/* latest decision, "" when none */
	char sync[8];		/* "pending" | "sent" | "parked" */
	int consent_declined;
};

/*
 * Intakes completed since `since` (unix seconds), sorted exclude, review,
 * clear, newest first within each group. Caller frees with
 * staff_rows_free.
 */
int staff_list(struct store *, int64_t since, struct staff_row **rows,
    size_t *n, char **cause);
void staff_rows_free(struct staff_row *, size_t n);
/* Index of the row whose receipt (case and '-' aside) or id is key, or -1. */
long staff_find(const struct staff_row *, size_t n, const char *key);

/*
 * The detail of one intake as lines of UTF-8 text for the screen: client
 * details; every answer as given, flagged ones marked "[EXCLUDE CODE]
 * reason" / "[REVIEW CODE] reason"; the consent evidence (version, text
 * hash, each clause and when, signature and when, or "declined"); the
 * sync history (state, attempts, last error, server receipt); every staff
 * decision. Times are local, with the zone (staff_when). Caller frees with staff_lines_free.
 */
int staff_detail(struct store *, const struct form *form,
    const char *intake_id, char ***lines, size_t *n, char **cause);
/*
 * What excluded an intake, for the question before clearing it:
 * "PREGNANT (Pregnant: not treated in pregnancy); ..." in *text (caller
 * frees), NULL when it raised no exclusion or was purged.
 */
int staff_exclusions(struct store *, const char *intake_id, char **text,
    char **cause);
void staff_lines_free(char **, size_t n);

/*
 * Record a decision ("cleared" | "declined" | "consult", note may be
 * NULL or "") by staff member `staff`: a review record with its own UUID
 * and the wire payload {id, intake_id, decision, note, staff,
 * decided_at}, audited, pending for sync. *review_id (37 bytes) gets the
 * new id.
 */
int staff_decide(struct store *, const char *intake_id, const char *decision,
    const char *note, const char *staff, int64_t now, char review_id[37],
    char **cause);

/*
 * Staff put parked records back in the queue: the intake or review whose
 * id is id, or every parked record when id is NULL; audited with the
 * staff member's name. *n counts them.
 */
int staff_requeue(struct store *, const char *id, const char *staff,
    int64_t now, long *n, char **cause);

/* Retention: purge personal data older than days; *purged counts intakes. */
int staff_purge(struct store *, int days, int64_t now, long *purged,
    char **cause);

#endif
