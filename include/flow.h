/*
 * flow.h: the one state machine that decides which page a client sees
 * next. Screens report what the person did (an event); only this module
 * picks the following page, from the event and the answers so far.
 * No terminal code: unit-tested on its own.
 */
#ifndef KIOSK_FLOW_H
#define KIOSK_FLOW_H

#include <stdbool.h>
#include <stddef.h>

#include "form.h"

enum flow_state {
	FLOW_WELCOME,
	FLOW_ABOUT,		/* the treatment, skippable */
	FLOW_PAGE,		/* a form page (flow.page) */
	FLOW_REVIEW,		/* all answers; pick one to change it */
	FLOW_CONSENT,		/* consent text, must be scrolled to the end */
	FLOW_CLAUSE,		/* clause flow.clause, accepted one by one */
	FLOW_SIGN,		/* typed signature */
	FLOW_DECLINE,		/* "are you sure you want to decline?" */
	FLOW_COMMIT,		/* the caller stores the intake now */
	FLOW_THANKS,
	FLOW_PIN,		/* staff PIN prompt */
	FLOW_STAFF_HOME,	/* today's intakes, flagged first */
	FLOW_STAFF_DETAIL,	/* one intake: answers, flags, consent, sync */
	FLOW_STAFF_DECIDE,	/* cleared / declined / consult with a note */
	FLOW_STAFF_SYNC,	/* sync status, parked records, "sync now" */
	FLOW_STAFF_AUDIT,	/* today's audit trail */
	FLOW_STAFF_EXIT,	/* "exit the kiosk?" */
	FLOW_QUIT,		/* the kiosk stops (maintenance) */
};

enum flow_event {
	EV_NONE,
	EV_NEXT,		/* continue (the page's own checks passed) */
	EV_BACK,		/* Esc */
	EV_EDIT,		/* from the review page: change item flow.edit_item */
	EV_DECLINE,		/* decline consent */
	EV_STORED,		/* the intake is committed */
	EV_TIMEOUT,		/* idle timeout ran out: wipe, back to welcome */
	EV_STAFF,		/* staff key on the welcome page */
	EV_DONE,		/* thank-you page finished / staff signed out */
	EV_SIGNED_IN,		/* a staff PIN was accepted */
	EV_OPEN,		/* staff: open intake flow.intake_id */
	EV_DECIDE,		/* staff: record a decision on it */
	EV_SYNC,		/* staff: the sync status page */
	EV_EXIT,		/* staff: exit the kiosk (asks first) */
	EV_AUDIT,		/* staff: the audit page */
};

struct flow {
	const struct form *form;
	const struct answers *answers;	/* NULL while on the welcome page */
	enum flow_state state;
	struct form_page page;	/* FLOW_PAGE */
	size_t clause;		/* FLOW_CLAUSE */
	size_t edit_item;	/* EV_EDIT: which item to change */
	bool editing;		/* a page opened from the review returns there */
	bool consent_read;	/* the consent text was scrolled to its end */
	enum flow_state before_decline;
	size_t staff;		/* signed-in staff member (config index) */
	char intake_id[37];	/* staff: the intake being looked at */
};

void flow_init(struct flow *, const struct form *);
/* A new client starts: answers is the intake's answer set. */
void flow_start(struct flow *, const struct answers *);
/*
 * Apply an event; returns the new state. Events that make no sense in the
 * current state leave it unchanged. EV_TIMEOUT and EV_DONE always lead
 * back to the welcome page (the caller wipes the intake).
 */
enum flow_state flow_event(struct flow *, enum flow_event);
/* Whether the state is one where a client is mid check-in (idle applies). */
bool flow_client_active(const struct flow *);
/* Whether staff mode is open, PIN prompt included (staff idle logout applies). */
bool flow_staff_active(const struct flow *);
const char *flow_state_name(enum flow_state);

#endif
