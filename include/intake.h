/*
 * intake.h: one client's check-in while it is in progress, and the frozen
 * record it becomes: ids and receipt, answers, consent evidence, the
 * signature, and the wire-format payload (docs/wire-format.md).
 * Everything personal is wiped from memory by intake_free.
 */
#ifndef KIOSK_INTAKE_H
#define KIOSK_INTAKE_H

#include <stdbool.h>
#include <stdint.h>

#include "date.h"
#include "form.h"

struct store;

enum consent_status {
	CONSENT_NONE = 0,
	CONSENT_ACCEPTED,
	CONSENT_DECLINED,
};

struct intake {
	const struct form *form;
	char id[37];		/* UUIDv4, minted when the client starts */
	char receipt[10];	/* "K7Q-2MX": 6 Crockford base32 chars from the id */
	const char *language;	/* points into form->languages */
	const char *consent_language;	/* the consent as read; NULL: not yet */
	int64_t started_at;
	int64_t completed_ms;	/* unix milliseconds, set by intake_commit */
	struct answers *answers;
	enum consent_status consent;
	int64_t *clause_at;	/* per consent clause: when accepted, 0 = not yet */
	char *signature;	/* typed full name, NULL until signed */
	int64_t signed_at;
	enum flag_level outcome;	/* set by intake_payload */
};

/* Start a check-in: mints the id and receipt. NULL if no randomness. */
struct intake *intake_new(const struct form *, const char *language,
    int64_t now);
/* Wipe every answer, the signature and the ids, then free. NULL is a no-op. */
void intake_free(struct intake *);

/* Given and family name as entered ("" when not yet). */
const char *intake_given_name(const struct intake *);
const char *intake_family_name(const struct intake *);

/*
 * Whether signature is the client's full name as entered, case and
 * accents aside, white space folded; either name order is accepted.
 */
bool intake_signature_matches(const struct intake *, const char *signature);
/* Record the signature; -1 with a client-facing *msg when it does not match. */
int intake_sign(struct intake *, const char *signature, int64_t now,
    char **msg);

/*
 * The wire-format JSON of a completed intake (consent accepted with
 * every clause and a signature, or declined). Sets intake->outcome.
 * Caller frees (wipe_free: it holds personal data).
 */
char *intake_payload(struct intake *, const char *kiosk_id, struct kdate today);

/*
 * Freeze and store the intake, completed at now_ms (unix milliseconds:
 * two check-ins finished within one second keep their order). 0 when it
 * is committed; -1 with *cause (no personal data in it).
 */
int intake_commit(struct intake *, struct store *, const char *kiosk_id,
    int64_t now_ms, struct kdate today, char **cause);

/* Receipt code for an intake id, e.g. "K7Q-2MX" (8 chars + NUL). */
void intake_receipt(const char *id, char out[10]);

#endif
