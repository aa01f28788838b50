/*
 * flow.c: the client's path through the kiosk as a pure state machine.
 * welcome -> about -> form pages -> review -> consent -> clauses ->
 * signature -> commit -> thank you -> welcome, with Esc going back one
 * page and a decline leading to a stored "declined" intake.
 */
#include "flow.h"

#include <string.h>

static const char *const state_names[] = {
	[FLOW_WELCOME] = "welcome", [FLOW_ABOUT] = "about",
	[FLOW_PAGE] = "page", [FLOW_REVIEW] = "review",
	[FLOW_CONSENT] = "consent", [FLOW_CLAUSE] = "clause",
	[FLOW_SIGN] = "sign", [FLOW_DECLINE] = "decline",
	[FLOW_COMMIT] = "commit", [FLOW_THANKS] = "thanks",
	[FLOW_PIN] = "pin", [FLOW_STAFF_HOME] = "staff-home",
	[FLOW_STAFF_DETAIL] = "staff-detail",
	[FLOW_STAFF_DECIDE] = "staff-decide", [FLOW_STAFF_SYNC] = "staff-sync",
	[FLOW_STAFF_AUDIT] = "staff-audit",
	[FLOW_STAFF_EXIT] = "staff-exit", [FLOW_QUIT] = "quit",
};

const char *
flow_state_name(enum flow_state s)
{
	return state_names[s];
}

void
flow_init(struct flow *f, const struct form *form)
{
	memset(f, 0, sizeof *f);
	f->form = form;
	f->state = FLOW_WELCOME;
}

void
flow_start(struct flow *f, const struct answers *answers)
{
	flow_init(f, f->form);
	f->answers = answers;
	f->state = FLOW_ABOUT;
}

static enum flow_state flow_reset(struct flow *);

bool
flow_client_active(const struct flow *f)
{
	return f->state >= FLOW_ABOUT && f->state <= FLOW_DECLINE;
}

bool
flow_staff_active(const struct flow *f)
{
	return f->state >= FLOW_PIN && f->state <= FLOW_STAFF_EXIT;
}

/* Staff mode: PIN prompt, home and the pages under it. */
static enum flow_state
flow_on_staff(struct flow *f, enum flow_event ev)
{
	static const struct {
		enum flow_state from;
		enum flow_event ev;
		enum flow_state to;
	} moves[] = {
		{ FLOW_PIN, EV_SIGNED_IN, FLOW_STAFF_HOME },
		{ FLOW_PIN, EV_BACK, FLOW_WELCOME },
		{ FLOW_STAFF_HOME, EV_OPEN, FLOW_STAFF_DETAIL },
		{ FLOW_STAFF_HOME, EV_SYNC, FLOW_STAFF_SYNC },
		{ FLOW_STAFF_HOME, EV_EXIT, FLOW_STAFF_EXIT },
		{ FLOW_STAFF_HOME, EV_AUDIT, FLOW_STAFF_AUDIT },
		{ FLOW_STAFF_HOME, EV_BACK, FLOW_WELCOME },
		{ FLOW_STAFF_DETAIL, EV_DECIDE, FLOW_STAFF_DECIDE },
		{ FLOW_STAFF_DETAIL, EV_BACK, FLOW_STAFF_HOME },
		{ FLOW_STAFF_DECIDE, EV_NEXT, FLOW_STAFF_DETAIL },
		{ FLOW_STAFF_DECIDE, EV_BACK, FLOW_STAFF_DETAIL },
		{ FLOW_STAFF_SYNC, EV_BACK, FLOW_STAFF_HOME },
		{ FLOW_STAFF_AUDIT, EV_BACK, FLOW_STAFF_HOME },
		{ FLOW_STAFF_EXIT, EV_BACK, FLOW_STAFF_HOME },
		{ FLOW_STAFF_EXIT, EV_NEXT, FLOW_QUIT },
	};
	size_t i;

	for (i = 0; i < sizeof moves / sizeof moves[0]; i++) {
		if (moves[i].from != f->state || moves[i].ev != ev)
			continue;
		if (moves[i].to == FLOW_WELCOME)
			return flow_reset(f);
		return f->state = moves[i].to;
	}
	return f->state;
}

/* Back to the welcome page with nothing of the client left. */
static enum flow_state
flow_reset(struct flow *f)
{
	flow_init(f, f->form);
	return f->state;
}

/* The first form page after item index `after`, or the review. */
static enum flow_state
flow_forward(struct flow *f, size_t after)
{
	if (form_page_next(f->form, f->answers, after, &f->page) == 0)
		return f->state = FLOW_PAGE;
	return f->state = FLOW_REVIEW;
}

static enum flow_state
flow_on_page(struct flow *f, enum flow_event ev)
{
	size_t last = f->page.first + f->page.count - 1;

	if (ev == EV_NEXT) {
		if (!form_page_complete(f->form, f->answers, &f->page, NULL))
			return f->state;
		/*
		 * After a change from the review, carry on through any page
		 * the change newly enabled, then return to the review.
		 */
		if (f->editing && form_page_next(f->form, f->answers, last,
		    &f->page) == 0 && !form_page_complete(f->form, f->answers,
		    &f->page, NULL))
			return f->state = FLOW_PAGE;
		if (f->editing) {
			f->editing = false;
			return f->state = FLOW_REVIEW;
		}
		return flow_forward(f, last);
	}
	if (ev == EV_BACK) {
		if (f->editing) {
			f->editing = false;
			return f->state = FLOW_REVIEW;
		}
		if (form_page_prev(f->form, f->answers, f->page.first,
		    &f->page) == 0)
			return f->state;
		return f->state = FLOW_ABOUT;
	}
	return f->state;
}

static enum flow_state
flow_on_review(struct flow *f, enum flow_event ev)
{
	switch (ev) {
	case EV_NEXT:
		f->consent_read = false;
		return f->state = FLOW_CONSENT;
	case EV_EDIT:
		if (f->edit_item >= f->form->nitems)
			return f->state;
		form_page_of(f->form, f->edit_item, &f->page);
		f->editing = true;
		return f->state = FLOW_PAGE;
	case EV_BACK:
		if (form_page_prev(f->form, f->answers, f->form->nitems,
		    &f->page) == 0)
			return f->state = FLOW_PAGE;
		return f->state = FLOW_ABOUT;
	default:
		return f->state;
	}
}

static enum flow_state
flow_on_consent(struct flow *f, enum flow_event ev)
{
	switch (ev) {
	case EV_NEXT:
		if (!f->consent_read)
			return f->state;
		f->clause = 0;
		return f->state = f->form->consent.nclauses > 0 ?
		    FLOW_CLAUSE : FLOW_SIGN;
	case EV_BACK:
		return f->state = FLOW_REVIEW;
	case EV_DECLINE:
		f->before_decline = f->state;
		return f->state = FLOW_DECLINE;
	default:
		return f->state;
	}
}

static enum flow_state
flow_on_clause(struct flow *f, enum flow_event ev)
{
	switch (ev) {
	case EV_NEXT:
		if (++f->clause < f->form->consent.nclauses)
			return f->state;
		return f->state = FLOW_SIGN;
	case EV_BACK:
		if (f->clause == 0)
			return f->state = FLOW_CONSENT;
		f->clause--;
		return f->state;
	case EV_DECLINE:
		f->before_decline = f->state;
		return f->state = FLOW_DECLINE;
	default:
		return f->state;
	}
}

static enum flow_state
flow_on_sign(struct flow *f, enum flow_event ev)
{
	switch (ev) {
	case EV_NEXT:
		return f->state = FLOW_COMMIT;
	case EV_BACK:
		if (f->form->consent.nclauses == 0)
			return f->state = FLOW_CONSENT;
		f->clause = f->form->consent.nclauses - 1;
		return f->state = FLOW_CLAUSE;
	case EV_DECLINE:
		f->before_decline = f->state;
		return f->state = FLOW_DECLINE;
	default:
		return f->state;
	}
}

enum flow_state
flow_event(struct flow *f, enum flow_event ev)
{
	if (ev == EV_TIMEOUT || ev == EV_DONE)
		return flow_reset(f);
	switch (f->state) {
	case FLOW_WELCOME:
		if (ev == EV_STAFF)
			return f->state = FLOW_PIN;
		return f->state;	/* flow_start begins a check-in */
	case FLOW_ABOUT:
		if (ev == EV_NEXT)
			return flow_forward(f, (size_t)-1);
		if (ev == EV_BACK)
			return flow_reset(f);
		return f->state;
	case FLOW_PAGE:
		return flow_on_page(f, ev);
	case FLOW_REVIEW:
		return flow_on_review(f, ev);
	case FLOW_CONSENT:
		return flow_on_consent(f, ev);
	case FLOW_CLAUSE:
		return flow_on_clause(f, ev);
	case FLOW_SIGN:
		return flow_on_sign(f, ev);
	case FLOW_DECLINE:
		if (ev == EV_NEXT)
			return f->state = FLOW_COMMIT;
		if (ev == EV_BACK)
			return f->state = f->before_decline;
		return f->state;
	case FLOW_COMMIT:
		if (ev == EV_STORED)
			return f->state = FLOW_THANKS;
		return f->state;
	case FLOW_THANKS:
	case FLOW_QUIT:
		return f->state;
	default:
		return flow_on_staff(f, ev);
	}
	return f->state;
}
