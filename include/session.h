/*
 * session.h: one person at the terminal, as the core sees it. A session
 * owns the client's intake from start to commit (answers, consent and
 * clause decisions, signature, decline, wipe), staff sign-in and sign-out,
 * what staff open, decide, sync and leave, every deadline (idle warning,
 * countdown, thank-you page, staff sign-out, retention, live refresh) on
 * an injected clock, and every audit write the UI causes.
 *
 * Screens send typed events (struct session_event) and draw from a
 * read-only view (struct session_view, view.h); they never assign core
 * state and never touch the store. A redraw runs no SQL: the view is
 * refreshed by events and by session_tick when data changed.
 *
 * The view carries codes (enums), not sentences, wherever the words are
 * the UI's own (notices, outcomes, decisions, sync states): screens turn
 * them into words, so a translation sits in screens/ alone.
 */
#ifndef KIOSK_SESSION_H
#define KIOSK_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "view.h"

struct config;
struct form;
struct store;
struct sync;

/* What a person did, as a screen reports it. */
enum session_ev {
	SE_NONE,
	SE_NEXT,		/* continue / confirm (the page's own checks passed) */
	SE_BACK,		/* Esc, "Go back", "Cancel"; on staff home: sign out */
	SE_STAFF,		/* staff key on the welcome page */
	SE_DONE,		/* thank-you page finished */
	SE_DECLINE,		/* the client asks to decline the consent */
	SE_EDIT,		/* review page: change .item */
	SE_ANSWER,		/* .item's answer is .text (NULL clears it) */
	SE_CONSENT_READ,	/* the consent text was scrolled to its end */
	SE_SIGN,		/* the typed signature is .text */
	SE_PIN,			/* the typed PIN is .text (wiped by the caller) */
	SE_FIND,		/* staff: the receipt typed so far is .text */
	SE_OPEN,		/* staff: open .intake_id */
	SE_DECIDE,		/* staff: the decision page for the open intake */
	SE_SAVE,		/* staff: record .choice with note .text */
	SE_CONFIRM,		/* staff: yes to the clearance question, note .text */
	SE_CANCEL,		/* staff: no to it */
	SE_SYNC,		/* staff: the sync status page */
	SE_SYNC_NOW,		/* staff: make everything due, wake the sender */
	SE_REQUEUE,		/* staff: put every parked record back in the queue */
	SE_AUDIT,		/* staff: the audit page */
	SE_EXIT,		/* staff: exit (asks first) */
	SE_LANG,		/* the client's language is now .text ("es") */
};

struct session_event {
	enum session_ev type;
	size_t item;		/* SE_EDIT, SE_ANSWER */
	const char *text;	/* SE_ANSWER, SE_SIGN, SE_PIN, SE_SAVE, SE_CONFIRM,
				   SE_LANG */
	enum view_decision choice;	/* SE_SAVE */
	const char *intake_id;	/* SE_OPEN */
};

/*
 * Time, injected: monotonic milliseconds for deadlines, wall-clock unix
 * milliseconds for what is recorded. Tests pass a fake clock.
 */
struct session_clock {
	int64_t (*mono_ms)(void *arg);
	int64_t (*wall_ms)(void *arg);
	void *arg;
};

struct session_setup {
	const struct config *cfg;
	const struct form *form;
	struct store *store;
	struct sync *sync;	/* NULL: this process sends nothing */
	bool console;		/* `kiosk staff`: staff mode only, no clients */
	struct session_clock clock;	/* zero: the system clocks */
};

struct session;

struct session *session_new(const struct session_setup *);
/* Wipes whatever of a client or staff data it holds. NULL is a no-op. */
void session_free(struct session *);

/*
 * Apply an event. 0 when taken (the view may show a notice), -1 when a
 * client's answer or signature was refused: *msg (caller frees) says
 * why in words for the client. msg may be NULL.
 */
int session_handle(struct session *, const struct session_event *,
    char **msg);
/*
 * A key arrived (any key, before the screen sees it): the idle clocks
 * restart. True when the key only dismissed "Are you still there?".
 */
bool session_input(struct session *);
/* Time passed: deadlines, and new data from other processes. */
void session_tick(struct session *);
/* Milliseconds until session_tick has something to do; -1: nothing. */
long session_timeout_ms(const struct session *);

const struct session_view *session_view(const struct session *);

#endif
