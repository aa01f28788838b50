/*
 * view.h: what the session shows, read-only for screens. Everything here
 * is owned by the session and valid until the next session call. Codes,
 * not sentences, where the words are the UI's: screens choose the words.
 * Text that comes from data (names, the form's own text, an intake's
 * detail lines) is already cleaned of control characters.
 */
#ifndef KIOSK_VIEW_H
#define KIOSK_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"
#include "form.h"

/* A staff decision (wire: "cleared" | "declined" | "consult"). */
enum view_decision {
	DECISION_NONE = 0,
	DECISION_CLEARED,
	DECISION_DECLINED,
	DECISION_CONSULT,
};

/* Where a record is on its way to the clinic server. */
enum view_sync {
	VSYNC_PENDING = 0,
	VSYNC_SENT,
	VSYNC_PARKED,
};

/* The prompt's state. */
enum view_pin {
	VPIN_OPEN = 0,
	VPIN_WAIT,		/* a short delay after a wrong PIN */
	VPIN_LOCKED,		/* too many wrong PINs */
};

/* A one-line notice the session has for the person (screens word it). */
enum view_notice {
	NOTICE_NONE = 0,
	NOTICE_START_FAILED,	/* a check-in could not start */
	NOTICE_COMMIT_FAILED,	/* not stored; Enter tries again */
	NOTICE_PIN_FORMAT,	/* a PIN is 6 to 12 digits */
	NOTICE_PIN_WRONG,
	NOTICE_PIN_WAIT,	/* refused: the prompt is waiting or locked */
	NOTICE_STORE_FAILED,	/* staff data could not be read */
	NOTICE_CHOOSE_DECISION,	/* Enter on a decision page with none chosen */
	NOTICE_NOTE_REQUIRED,	/* clearing an exclusion needs a note */
	NOTICE_SAVE_FAILED,	/* the decision was not stored */
	NOTICE_SAVED,		/* the decision was stored */
	NOTICE_SYNC_DUE,	/* "sync now": everything is due */
	NOTICE_NO_SERVER,	/* "sync now" without a server */
	NOTICE_REQUEUED,	/* parked records are back in the queue */
	NOTICE_REQUEUE_FAILED,	/* they could not be put back */
};

/* One of today's intakes on the staff home page. */
struct view_row {
	char id[37];
	char receipt[10];
	int64_t completed_at;	/* unix seconds */
	enum flag_level outcome;
	enum view_decision decision;	/* the latest, DECISION_NONE if none */
	enum view_sync sync;
	bool consent_declined;
	bool fresh;		/* flagged and arrived while staff were signed in */
	char *name;		/* "Zoë N." */
};

/* One audit entry (no personal data). */
struct view_audit {
	int64_t at;		/* unix seconds */
	char *actor;
	char *action;
	char *subject;		/* "" when none */
};

/* The sync status page. */
struct view_sync_status {
	bool has_server;
	long pending, sent, parked, purged;
	long review_pending, review_sent, review_parked;
	int64_t oldest_pending_at;	/* unix seconds, 0: none */
	char *alert, *last_error, *last_success;	/* NULL when none */
	char *damaged;		/* a record that no longer matches its checksum */
	long review_blocked;	/* decisions waiting on a parked intake */
};

struct session_view {
	enum flow_state page;	/* which screen */
	unsigned serial;	/* grows at every move, even to the same page */
	bool console;		/* the staff console: no clients here */
	int64_t now;		/* wall clock, unix seconds, at the last event */
	enum view_notice notice;

	/* The client (answers NULL when nobody is checking in). */
	const struct form *form;
	const char *lang;	/* the client's language, one of form->languages */
	const struct answers *answers;
	struct form_page form_page;	/* FLOW_PAGE */
	size_t clause;		/* FLOW_CLAUSE */
	size_t edit_item;	/* the item being changed from the review */
	bool editing;		/* FLOW_PAGE opened from the review */
	bool consent_read;
	const char *given_name;	/* thank-you page */
	char receipt[10];	/* thank-you page */
	enum flag_level outcome;	/* thank-you page */
	bool declined;		/* thank-you page: consent declined */
	bool idle_warning;	/* "Are you still there?" */
	long idle_left_s;	/* its countdown */

	/* Staff. */
	const char *staff_lang;	/* staff.language: staff pages' language */
	bool high_contrast;	/* high_contrast: no colour, bold text */
	const char *staff_name;	/* NULL until signed in */
	enum view_pin pin;
	long pin_wait_s;
	int idle_logout_s;
	const struct view_row *rows;	/* today's intakes */
	size_t nrows;
	unsigned bells;		/* grows by one per new flagged intake */
	long found_row;		/* SE_FIND: the row whose receipt matched, or -1 */
	long open_row;		/* index of the open intake in rows, or -1 */
	char intake_id[37];	/* the open intake */
	char *const *detail;	/* its detail, lines of text */
	size_t ndetail;
	enum flag_level intake_outcome;
	const char *exclusion;	/* "CODE: reason; ..." when it is excluded */
	bool confirm_clear;	/* asking: clear an excluded client? */
	const struct view_sync_status *sync;
	const struct view_audit *audit;	/* today's, newest first */
	size_t naudit;
	unsigned generation;	/* grows whenever staff data was reloaded */
};

/* Wire and log words for the codes (strings only at the edges). */
const char *view_decision_word(enum view_decision);
enum view_decision view_decision_parse(const char *);
const char *view_sync_word(enum view_sync);
enum view_sync view_sync_parse(const char *);

#endif
