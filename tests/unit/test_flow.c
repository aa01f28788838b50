/*
 * test_flow.c: the client's path through the shipped form, decided by the
 * core alone: pages in order, enable_when follow-ups appearing and
 * vanishing, Esc going back with answers kept, changes from the review,
 * consent that must be read, decline, and timeouts that reset.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "form.h"
#include "util.h"

/* A frozen copy of the shipped form: a clinic's edit must not break these. */
#define FORM_PATH "tests/data/clinic_form.json"

struct fixture {
	struct form *form;
	struct answers *answers;
	struct flow flow;
	struct kdate today;
};

static int
setup(void **state)
{
	struct fixture *fx = xcalloc(1, sizeof *fx);
	char *cause = NULL;

	if (form_load(FORM_PATH, &fx->form, &cause) != 0) {
		print_error("%s\n", cause);
		free(cause);
		free(fx);
		return -1;
	}
	fx->answers = answers_new(fx->form);
	fx->today = (struct kdate){ 2026, 6, 1 };
	flow_init(&fx->flow, fx->form);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	answers_free(fx->answers);
	form_free(fx->form);
	free(fx);
	return 0;
}

static void
set(struct fixture *fx, const char *id, const char *value)
{
	long i = form_item_index(fx->form, id);
	char *msg = NULL;

	assert_true(i >= 0);
	if (answers_set(fx->answers, (size_t)i, value, fx->today, &msg) != 0) {
		print_error("%s=%s: %s\n", id, value, msg);
		free(msg);
		fail();
	}
}

/* The id of the first item on the current page. */
static const char *
page_id(const struct fixture *fx)
{
	assert_int_equal(fx->flow.state, FLOW_PAGE);
	return fx->form->items[fx->flow.page.first].id;
}

static void
fill_details(struct fixture *fx)
{
	set(fx, "given_name", "Zoë");
	set(fx, "family_name", "Núñez-O'Brien");
	set(fx, "birth_date", "1990-04-12");
	set(fx, "phone", "+44 7700 900123");
	set(fx, "goals", "lines,pores");
	set(fx, "area", "face");
}

static void
test_start_and_details(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(fx->flow.state, FLOW_WELCOME);
	flow_start(&fx->flow, fx->answers);
	assert_int_equal(fx->flow.state, FLOW_ABOUT);
	assert_int_equal(flow_event(&fx->flow, EV_NEXT), FLOW_PAGE);
	assert_string_equal(page_id(fx), "given_name");
	assert_int_equal(fx->flow.page.count, 5);
	/* Required answers missing: Continue does not move on. */
	assert_int_equal(flow_event(&fx->flow, EV_NEXT), FLOW_PAGE);
	assert_string_equal(page_id(fx), "given_name");
	fill_details(fx);
	flow_event(&fx->flow, EV_NEXT);
	assert_string_equal(page_id(fx), "goals");
	flow_event(&fx->flow, EV_NEXT);
	assert_string_equal(page_id(fx), "pregnant");
	/* Esc goes back a page; the answers stay. */
	flow_event(&fx->flow, EV_BACK);
	assert_string_equal(page_id(fx), "goals");
	assert_string_equal(answers_get(fx->answers, (size_t)form_item_index(
	    fx->form, "goals")), "lines,pores");
	flow_event(&fx->flow, EV_BACK);
	assert_string_equal(page_id(fx), "given_name");
	assert_int_equal(flow_event(&fx->flow, EV_BACK), FLOW_ABOUT);
	assert_int_equal(flow_event(&fx->flow, EV_BACK), FLOW_WELCOME);
}

/* Answer every health question "no" from the current page to the review. */
static int
answer_all_no(struct fixture *fx)
{
	int pages = 0;

	while (fx->flow.state == FLOW_PAGE) {
		const struct form_item *it = &fx->form->items[fx->flow.page.first];

		if (it->type == ITEM_BOOLEAN)
			set(fx, it->id, "no");
		flow_event(&fx->flow, EV_NEXT);
		pages++;
		if (pages > 100)
			fail();
	}
	return pages;
}

static void
test_follow_up_appears_only_on_yes(void **state)
{
	struct fixture *fx = *state;
	size_t k, n;

	flow_start(&fx->flow, fx->answers);
	flow_event(&fx->flow, EV_NEXT);
	fill_details(fx);
	flow_event(&fx->flow, EV_NEXT);
	flow_event(&fx->flow, EV_NEXT);
	set(fx, "pregnant", "no");
	flow_event(&fx->flow, EV_NEXT);
	set(fx, "keloid", "no");
	flow_event(&fx->flow, EV_NEXT);
	assert_string_equal(page_id(fx), "chemo_ever");
	form_page_progress(fx->form, fx->answers, &fx->flow.page, &k, &n);
	assert_int_equal(k, 3);
	set(fx, "chemo_ever", "yes");
	flow_event(&fx->flow, EV_NEXT);
	assert_string_equal(page_id(fx), "chemo_end");
	flow_event(&fx->flow, EV_BACK);
	set(fx, "chemo_ever", "no");
	flow_event(&fx->flow, EV_NEXT);
	assert_string_equal(page_id(fx), "inflamed_skin");
	/* Going all the way: "no" everywhere reaches the review. */
	assert_true(answer_all_no(fx) >= 10);
	assert_int_equal(fx->flow.state, FLOW_REVIEW);
}

/*
 * The question counter is stable: walking forward, each answer can only
 * rule questions out, so the total never grows, and the last question is
 * "n of n". Patterns: every health answer "no", "yes", alternating, and
 * "not sure".
 */
static void
test_counter_never_grows(void **state)
{
	static const char *const patterns[][2] = {
		{ "no", "no" }, { "yes", "yes" }, { "yes", "no" },
		{ "no", "yes" }, { "not_sure", "no" },
	};
	struct fixture *fx = *state;
	size_t p, k, n, last_n, last_k, step;

	for (p = 0; p < sizeof patterns / sizeof patterns[0]; p++) {
		answers_clear_all(fx->answers);
		flow_init(&fx->flow, fx->form);
		flow_start(&fx->flow, fx->answers);
		flow_event(&fx->flow, EV_NEXT);
		fill_details(fx);
		flow_event(&fx->flow, EV_NEXT);
		flow_event(&fx->flow, EV_NEXT);
		last_n = (size_t)-1;
		last_k = 0;
		for (step = 0; fx->flow.state == FLOW_PAGE; step++) {
			const struct form_item *it =
			    &fx->form->items[fx->flow.page.first];

			assert_true(step < 100);
			form_page_progress(fx->form, fx->answers,
			    &fx->flow.page, &k, &n);
			if (n > last_n)
				fail_msg("pattern %zu: %s: \"of %zu\" after "
				    "\"of %zu\"", p, it->id, n, last_n);
			assert_int_equal(k, last_k + 1);
			last_n = n;
			last_k = k;
			if (it->type == ITEM_BOOLEAN)
				set(fx, it->id, patterns[p][step % 2]);
			else if (it->type == ITEM_DATE)
				set(fx, it->id, "2025-01-01");
			form_page_progress(fx->form, fx->answers,
			    &fx->flow.page, &k, &n);
			assert_true(n <= last_n);
			last_n = n;
			flow_event(&fx->flow, EV_NEXT);
		}
		assert_int_equal(fx->flow.state, FLOW_REVIEW);
		assert_int_equal(last_k, last_n);
	}
}

static void
test_review_edit_returns_to_review(void **state)
{
	struct fixture *fx = *state;

	flow_start(&fx->flow, fx->answers);
	flow_event(&fx->flow, EV_NEXT);
	fill_details(fx);
	flow_event(&fx->flow, EV_NEXT);
	flow_event(&fx->flow, EV_NEXT);
	answer_all_no(fx);
	assert_int_equal(fx->flow.state, FLOW_REVIEW);
	/* Change the chemotherapy answer: its follow-up is asked, then back. */
	fx->flow.edit_item = (size_t)form_item_index(fx->form, "chemo_ever");
	assert_int_equal(flow_event(&fx->flow, EV_EDIT), FLOW_PAGE);
	assert_string_equal(page_id(fx), "chemo_ever");
	set(fx, "chemo_ever", "yes");
	flow_event(&fx->flow, EV_NEXT);
	assert_string_equal(page_id(fx), "chemo_end");
	set(fx, "chemo_end", "2026-05-01");
	assert_int_equal(flow_event(&fx->flow, EV_NEXT), FLOW_REVIEW);
	/* An edit of the name page returns straight to the review. */
	fx->flow.edit_item = (size_t)form_item_index(fx->form, "phone");
	flow_event(&fx->flow, EV_EDIT);
	assert_string_equal(page_id(fx), "given_name");
	assert_int_equal(flow_event(&fx->flow, EV_NEXT), FLOW_REVIEW);
	/* Esc from an edit also returns to the review. */
	flow_event(&fx->flow, EV_EDIT);
	assert_int_equal(flow_event(&fx->flow, EV_BACK), FLOW_REVIEW);
}

static void
test_consent_clauses_sign_and_decline(void **state)
{
	struct fixture *fx = *state;
	size_t i;

	flow_start(&fx->flow, fx->answers);
	fx->flow.state = FLOW_REVIEW;
	assert_int_equal(flow_event(&fx->flow, EV_NEXT), FLOW_CONSENT);
	/* Not read to the end: Continue does nothing. */
	assert_int_equal(flow_event(&fx->flow, EV_NEXT), FLOW_CONSENT);
	fx->flow.consent_read = true;
	assert_int_equal(flow_event(&fx->flow, EV_NEXT), FLOW_CLAUSE);
	for (i = 1; i < fx->form->consent.nclauses; i++) {
		assert_int_equal(flow_event(&fx->flow, EV_NEXT), FLOW_CLAUSE);
		assert_int_equal(fx->flow.clause, i);
	}
	assert_int_equal(flow_event(&fx->flow, EV_NEXT), FLOW_SIGN);
	assert_int_equal(flow_event(&fx->flow, EV_BACK), FLOW_CLAUSE);
	assert_int_equal(fx->flow.clause, fx->form->consent.nclauses - 1);
	/* Decline, change one's mind, decline for real. */
	assert_int_equal(flow_event(&fx->flow, EV_DECLINE), FLOW_DECLINE);
	assert_int_equal(flow_event(&fx->flow, EV_BACK), FLOW_CLAUSE);
	assert_int_equal(flow_event(&fx->flow, EV_DECLINE), FLOW_DECLINE);
	assert_int_equal(flow_event(&fx->flow, EV_NEXT), FLOW_COMMIT);
	/* Nothing but "stored" leaves the commit state... */
	assert_int_equal(flow_event(&fx->flow, EV_BACK), FLOW_COMMIT);
	assert_int_equal(flow_event(&fx->flow, EV_STORED), FLOW_THANKS);
	assert_int_equal(flow_event(&fx->flow, EV_DONE), FLOW_WELCOME);
	assert_null(fx->flow.answers);
}

static void
test_timeout_resets_from_every_client_state(void **state)
{
	struct fixture *fx = *state;
	static const enum flow_state states[] = { FLOW_ABOUT, FLOW_PAGE,
	    FLOW_REVIEW, FLOW_CONSENT, FLOW_CLAUSE, FLOW_SIGN, FLOW_DECLINE };
	size_t i;

	for (i = 0; i < sizeof states / sizeof states[0]; i++) {
		flow_start(&fx->flow, fx->answers);
		fx->flow.state = states[i];
		assert_true(flow_client_active(&fx->flow));
		assert_int_equal(flow_event(&fx->flow, EV_TIMEOUT),
		    FLOW_WELCOME);
		assert_false(flow_client_active(&fx->flow));
	}
}

static void
test_staff_moves(void **state)
{
	struct fixture *fx = *state;
	static const struct {
		enum flow_event ev;
		enum flow_state want;
	} steps[] = {
		{ EV_NEXT, FLOW_WELCOME },	/* only flow_start starts a client */
		{ EV_STAFF, FLOW_PIN },
		{ EV_NEXT, FLOW_PIN },		/* no way past the PIN but a sign-in */
		{ EV_OPEN, FLOW_PIN },
		{ EV_SIGNED_IN, FLOW_STAFF_HOME },
		{ EV_OPEN, FLOW_STAFF_DETAIL },
		{ EV_DECIDE, FLOW_STAFF_DECIDE },
		{ EV_NEXT, FLOW_STAFF_DETAIL },
		{ EV_BACK, FLOW_STAFF_HOME },
		{ EV_SYNC, FLOW_STAFF_SYNC },
		{ EV_BACK, FLOW_STAFF_HOME },
		{ EV_EXIT, FLOW_STAFF_EXIT },
		{ EV_BACK, FLOW_STAFF_HOME },
		{ EV_TIMEOUT, FLOW_WELCOME },	/* idle logout */
		{ EV_STAFF, FLOW_PIN },
		{ EV_BACK, FLOW_WELCOME },
		{ EV_STAFF, FLOW_PIN },
		{ EV_SIGNED_IN, FLOW_STAFF_HOME },
		{ EV_BACK, FLOW_WELCOME },	/* Esc on home signs out */
		{ EV_STAFF, FLOW_PIN },
		{ EV_SIGNED_IN, FLOW_STAFF_HOME },
		{ EV_EXIT, FLOW_STAFF_EXIT },
		{ EV_NEXT, FLOW_QUIT },
		{ EV_BACK, FLOW_QUIT },
	};
	size_t i;

	for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		enum flow_state got = flow_event(&fx->flow, steps[i].ev);

		if (got != steps[i].want)
			fail_msg("step %zu: got %s, want %s", i,
			    flow_state_name(got), flow_state_name(steps[i].want));
		assert_false(flow_client_active(&fx->flow));
		assert_int_equal(flow_staff_active(&fx->flow),
		    got >= FLOW_PIN && got <= FLOW_STAFF_EXIT);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_counter_never_grows,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_and_details, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_follow_up_appears_only_on_yes, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_review_edit_returns_to_review, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_consent_clauses_sign_and_decline, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_timeout_resets_from_every_client_state, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_staff_moves, setup,
		    teardown),
	};

	return cmocka_run_group_tests_name("flow", tests, NULL, NULL);
}
