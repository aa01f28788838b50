/*
 * test_intake.c: a check-in on the shipped form turned into its frozen
 * record: the wire-format payload field by field, the signature rule
 * (case and accents aside, either name order), receipts, and the commit
 * into a real SQLite store that `kiosk export` reads back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "form.h"
#include "intake.h"
#include "store.h"
#include "util.h"

/* A frozen copy of the shipped form: a clinic's edit must not break these. */
#define FORM_PATH "tests/data/clinic_form.json"
#define T0 1780300800		/* 2026-06-01T08:00:00Z */

static struct form *form;
static const struct kdate today = { 2026, 6, 1 };

static int
group_setup(void **state)
{
	char *cause = NULL;

	(void)state;
	if (form_load(FORM_PATH, &form, &cause) != 0) {
		print_error("%s\n", cause);
		free(cause);
		return -1;
	}
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	form_free(form);
	return 0;
}

static void
set(struct intake *in, const char *id, const char *value)
{
	long i = form_item_index(form, id);
	char *msg = NULL;

	assert_true(i >= 0);
	if (answers_set(in->answers, (size_t)i, value, today, &msg) != 0) {
		print_error("%s: %s\n", id, msg);
		free(msg);
		fail();
	}
}

/* A client who answered everything, optionally pregnant. */
static struct intake *
filled(const char *given, const char *family, const char *pregnant)
{
	struct intake *in = intake_new(form, "en", T0);
	size_t i;

	assert_non_null(in);
	set(in, "given_name", given);
	set(in, "family_name", family);
	set(in, "birth_date", "1990-04-12");
	set(in, "phone", "+44 7700 900123");
	set(in, "goals", "lines,pores");
	set(in, "area", "face");
	for (i = 0; i < form->nitems; i++) {
		if (form->items[i].type == ITEM_BOOLEAN &&
		    form->sections[form->items[i].section].one_per_page)
			set(in, form->items[i].id, "no");
	}
	set(in, "pregnant", pregnant);
	return in;
}

static void
accept_all(struct intake *in)
{
	char *msg = NULL;
	size_t i;

	for (i = 0; i < form->consent.nclauses; i++)
		in->clause_at[i] = T0 + 60 + (int64_t)i;
	assert_int_equal(intake_sign(in, "zoe nunez-o'brien", T0 + 120, &msg),
	    0);
	in->consent = CONSENT_ACCEPTED;
}

static void
test_signature_rules(void **state)
{
	static const struct {
		const char *given, *family, *typed;
		bool ok;
	} rows[] = {
		{ "Zoë", "Núñez-O'Brien", "Zoë Núñez-O'Brien", true },
		{ "Zoë", "Núñez-O'Brien", "zoe nunez-o'brien", true },
		{ "Zoë", "Núñez-O'Brien", "  ZOË   NÚÑEZ-O'BRIEN ", true },
		{ "Zoë", "Núñez-O'Brien", "Nunez-O'Brien Zoe", true },
		{ "Zoë", "Núñez-O'Brien", "Zoe Nunez", false },
		{ "Zoë", "Núñez-O'Brien", "Zoë", false },
		{ "Zoë", "Núñez-O'Brien", "", false },
		/* Two given names, two surnames: as written or unaccented. */
		{ "María José", "García Núñez", "María José García Núñez", true },
		{ "María José", "García Núñez", "maria jose garcia nunez", true },
		{ "María José", "García Núñez", "MARÍA JOSÉ GARCÍA NÚÑEZ", true },
		{ "María José", "García Núñez", "García Núñez María José", true },
		{ "María José", "García Núñez", "María García", false },
		{ "María José", "García Núñez", "María José García", false },
		/* A combining diaeresis typed after a plain e. */
		{ "Zoe\xcc\x88", "Smith", "Zoë Smith", true },
		{ "小龍", "李", "李小龍", true },
		{ "小龍", "李", "李 小龍", true },
		{ "小龍", "李", "李小虎", false },
		{ "Ana", "García", "Ana Garcia", true },
		{ "Ana", "García", "Ana Garcia Lopez", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct intake *in = intake_new(form, "en", T0);

		set(in, "given_name", rows[i].given);
		set(in, "family_name", rows[i].family);
		if (intake_signature_matches(in, rows[i].typed) != rows[i].ok) {
			print_error("row %zu: \"%s\" for %s %s\n", i,
			    rows[i].typed, rows[i].given, rows[i].family);
			fail();
		}
		intake_free(in);
	}
}

static void
test_receipt_from_id(void **state)
{
	char r[10];

	(void)state;
	intake_receipt("00000000-0000-4000-8000-000000000000", r);
	assert_string_equal(r, "000-000");
	intake_receipt("ffffffff-0000-4000-8000-000000000000", r);
	assert_string_equal(r, "ZZZ-ZZZ");
	intake_receipt("12345678-0000-4000-8000-000000000000", r);
	/* 0x12345678 >> 2 = 0x48d159e: base32 digits 2 8 26 5 12 30 */
	assert_string_equal(r, "28T-5CY");
}

static const char *
str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	assert_true(cJSON_IsString(v));
	return v->valuestring;
}

static void
test_payload_clear_client(void **state)
{
	struct intake *in = filled("Zoë", "Núñez-O'Brien", "no");
	cJSON *root, *client, *consent, *answers, *a, *goals;
	char *json, sha[65];
	const char *text = form_text(&form->consent.text, "en");
	bool saw_goals = false, saw_name = false;

	(void)state;
	accept_all(in);
	in->completed_ms = (T0 + 130) * INT64_C(1000) + 250;
	json = intake_payload(in, "front-desk-1", today);
	root = cJSON_Parse(json);
	assert_non_null(root);
	assert_string_equal(str(root, "schema"), "kiosk.intake/1");
	assert_string_equal(str(root, "id"), in->id);
	assert_int_equal(strlen(in->id), 36);
	assert_int_equal(in->id[14], '4');
	assert_string_equal(str(root, "receipt"), in->receipt);
	assert_string_equal(str(root, "kiosk_id"), "front-desk-1");
	assert_string_equal(str(root, "started_at"), "2026-06-01T08:00:00Z");
	assert_string_equal(str(root, "completed_at"), "2026-06-01T08:02:10.250Z");
	assert_string_equal(str(root, "language"), "en");
	assert_string_equal(str(cJSON_GetObjectItem(root, "form"), "id"),
	    "microneedling");
	assert_string_equal(str(root, "outcome"), "clear");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(root, "flags")),
	    0);
	client = cJSON_GetObjectItem(root, "client");
	assert_string_equal(str(client, "given_name"), "Zoë");
	assert_string_equal(str(client, "family_name"), "Núñez-O'Brien");
	assert_string_equal(str(client, "birth_date"), "1990-04-12");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(client, "email")));
	answers = cJSON_GetObjectItem(root, "answers");
	cJSON_ArrayForEach(a, answers) {
		if (strcmp(str(a, "id"), "goals") == 0) {
			goals = cJSON_GetObjectItem(a, "value");
			assert_true(cJSON_IsArray(goals));
			assert_int_equal(cJSON_GetArraySize(goals), 2);
			assert_string_equal(cJSON_GetArrayItem(goals, 1)->valuestring,
			    "pores");
			saw_goals = true;
		}
		if (strcmp(str(a, "id"), "pregnant") == 0)
			assert_string_equal(str(a, "value"), "no");
		if (strcmp(str(a, "id"), "given_name") == 0)
			saw_name = true;
		/* Follow-ups that were never shown are not sent. */
		assert_string_not_equal(str(a, "id"), "chemo_end");
		assert_true(strlen(str(a, "text")) > 0);
	}
	assert_true(saw_goals);
	assert_false(saw_name);
	consent = cJSON_GetObjectItem(root, "consent");
	assert_string_equal(str(consent, "status"), "accepted");
	assert_string_equal(str(consent, "version"), form->consent.version);
	sha256_hex(text, strlen(text), sha);
	assert_string_equal(str(consent, "text_sha256"), sha);
	/* The exact text shown travels with it: the record stands alone. */
	assert_string_equal(str(consent, "text"), text);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(consent,
	    "clauses")), (int)form->consent.nclauses);
	assert_string_equal(str(consent, "signature"), "zoe nunez-o'brien");
	assert_string_equal(str(consent, "signed_at"), "2026-06-01T08:02:00Z");
	cJSON_Delete(root);
	wipe_free(json);
	intake_free(in);
}

static void
test_payload_flagged_and_declined(void **state)
{
	struct intake *in = filled("Ana", "García", "yes");
	cJSON *root, *flag, *consent;
	char *json;

	(void)state;
	in->clause_at[0] = T0 + 10;
	in->consent = CONSENT_DECLINED;
	json = intake_payload(in, "k1", today);
	root = cJSON_Parse(json);
	assert_string_equal(str(root, "outcome"), "exclude");
	flag = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "flags"), 0);
	assert_string_equal(str(flag, "code"), "PREGNANT");
	assert_string_equal(str(flag, "level"), "exclude");
	assert_string_equal(str(flag, "item"), "pregnant");
	assert_true(strlen(str(flag, "reason")) > 0);
	consent = cJSON_GetObjectItem(root, "consent");
	assert_string_equal(str(consent, "status"), "declined");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(consent, "signature")));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(consent,
	    "clauses")), 1);
	cJSON_Delete(root);
	wipe_free(json);
	intake_free(in);
}

static int
collect(const char *payload, void *arg)
{
	char **out = arg;

	free(*out);
	*out = xstrdup(payload);
	return 0;
}

static void
test_commit_then_export(void **state)
{
	char dir[] = "/tmp/kiosk-intake-XXXXXX", *cause = NULL, *got = NULL;
	char *sub, *cmd;
	struct store *st;
	struct intake *in = filled("Zoë", "Núñez-O'Brien", "not_sure");
	cJSON *root;

	(void)state;
	assert_non_null(mkdtemp(dir));
	sub = xasprintf("%s/state", dir);
	assert_int_equal(store_open(sub, &st, &cause), 0);
	/* No consent yet: refused, nothing stored. */
	assert_int_equal(intake_commit(in, st, "k1", (T0 + 200) * INT64_C(1000), today, &cause),
	    -1);
	assert_non_null(strstr(cause, in->id));
	assert_null(strstr(cause, "Zo"));
	free(cause);
	cause = NULL;
	accept_all(in);
	assert_int_equal(intake_commit(in, st, "k1", (T0 + 200) * INT64_C(1000), today, &cause),
	    0);
	assert_int_equal(in->outcome, LEVEL_REVIEW);
	store_close(st);
	assert_int_equal(store_open(sub, &st, &cause), 0);
	assert_int_equal(store_each_payload(st, collect, &got, &cause), 0);
	root = cJSON_Parse(got);
	assert_string_equal(str(root, "id"), in->id);
	assert_string_equal(str(root, "outcome"), "review");
	assert_string_equal(str(cJSON_GetArrayItem(cJSON_GetObjectItem(root,
	    "flags"), 0), "code"), "PREGNANT_UNSURE");
	assert_string_equal(str(cJSON_GetObjectItem(root, "client"),
	    "family_name"), "Núñez-O'Brien");
	cJSON_Delete(root);
	free(got);
	store_close(st);
	intake_free(in);
	cmd = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(sub);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signature_rules),
		cmocka_unit_test(test_receipt_from_id),
		cmocka_unit_test(test_payload_clear_client),
		cmocka_unit_test(test_payload_flagged_and_declined),
		cmocka_unit_test(test_commit_then_export),
	};

	return cmocka_run_group_tests_name("intake", tests, group_setup,
	    group_teardown);
}
