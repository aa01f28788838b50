/*
 * test_staff.c: staff mode without a terminal, against a real store. The
 * list's order and names (UTF-8: "Zoë N.", "小龍 李."), finding an intake
 * by a receipt typed any old way, the detail's flags and consent
 * evidence, decisions as review records, and retention: what is purged,
 * what never is, and that the audit log says so.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "staff.h"
#include "store.h"
#include "util.h"

#define T0 1780300800		/* 2026-06-01T08:00:00Z */
#define DAY 86400

struct fixture {
	char dir[64];
	char *state_dir;
	struct store *st;
};

static int
fixture_setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	char *cause = NULL;

	snprintf(f->dir, sizeof f->dir, "/tmp/kiosk-staff-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	f->state_dir = xasprintf("%s/state", f->dir);
	if (store_open(f->state_dir, &f->st, &cause) != 0) {
		print_error("%s\n", cause);
		free(cause);
		return -1;
	}
	*state = f;
	return 0;
}

static int
fixture_teardown(void **state)
{
	struct fixture *f = *state;
	char *cmd = xasprintf("rm -rf '%s'", f->dir);
	int rc;

	store_close(f->st);
	rc = system(cmd);
	free(cmd);
	free(f->state_dir);
	free(f);
	return rc == 0 ? 0 : -1;
}

/* What a test intake looks like; the payload is built from it. */
struct spec {
	const char *id;
	const char *receipt;
	const char *outcome;
	int declined;
	int64_t at;
	const char *given, *family;
};

static void
add_time(cJSON *obj, const char *key, int64_t t)
{
	char buf[21];

	time_rfc3339(t, buf);
	cJSON_AddStringToObject(obj, key, buf);
}

static cJSON *
answer(const char *id, const char *text, const char *value)
{
	cJSON *a = cJSON_CreateObject();

	cJSON_AddStringToObject(a, "id", id);
	cJSON_AddStringToObject(a, "text", text);
	cJSON_AddStringToObject(a, "value", value);
	return a;
}

static cJSON *
flag(const char *code, const char *level, const char *reason,
    const char *item)
{
	cJSON *f = cJSON_CreateObject();

	cJSON_AddStringToObject(f, "code", code);
	cJSON_AddStringToObject(f, "level", level);
	cJSON_AddStringToObject(f, "reason", reason);
	cJSON_AddStringToObject(f, "item", item);
	return f;
}

/* A wire-format intake (docs/wire-format.md) for sp, as intake.c would send it. */
static char *
payload(const struct spec *sp)
{
	cJSON *root = cJSON_CreateObject(), *o, *arr, *goals;
	int exclude = strcmp(sp->outcome, "exclude") == 0;
	int review = strcmp(sp->outcome, "review") == 0;
	char *json;

	cJSON_AddStringToObject(root, "schema", "kiosk.intake/1");
	cJSON_AddStringToObject(root, "id", sp->id);
	cJSON_AddStringToObject(root, "receipt", sp->receipt);
	cJSON_AddStringToObject(root, "kiosk_id", "front-desk-1");
	add_time(root, "started_at", sp->at - 300);
	add_time(root, "completed_at", sp->at);
	cJSON_AddStringToObject(root, "language", "en");
	o = cJSON_AddObjectToObject(root, "form");
	cJSON_AddStringToObject(o, "id", "microneedling");
	cJSON_AddStringToObject(o, "version", "3");
	o = cJSON_AddObjectToObject(root, "client");
	cJSON_AddStringToObject(o, "given_name", sp->given);
	cJSON_AddStringToObject(o, "family_name", sp->family);
	cJSON_AddStringToObject(o, "birth_date", review ? "2010-02-03" :
	    "1990-04-12");
	cJSON_AddStringToObject(o, "phone", "+44 7700 900123");
	cJSON_AddNullToObject(o, "email");
	arr = cJSON_AddArrayToObject(root, "answers");
	goals = cJSON_CreateObject();
	cJSON_AddStringToObject(goals, "id", "goals");
	cJSON_AddStringToObject(goals, "text", "Your skin goals");
	o = cJSON_AddArrayToObject(goals, "value");
	cJSON_AddItemToArray(o, cJSON_CreateString("lines"));
	cJSON_AddItemToArray(o, cJSON_CreateString("pores"));
	cJSON_AddItemToArray(arr, goals);
	cJSON_AddItemToArray(arr, answer("pregnant", "Are you pregnant?",
	    exclude ? "yes" : "no"));
	cJSON_AddItemToArray(arr, answer("eczema", "Do you have eczema or "
	    "psoriasis in the area?", review ? "not_sure" : "no"));
	arr = cJSON_AddArrayToObject(root, "flags");
	if (exclude)
		cJSON_AddItemToArray(arr, flag("PREGNANT", "exclude",
		    "Pregnant: not treated in pregnancy", "pregnant"));
	if (review) {
		cJSON_AddItemToArray(arr, flag("UNDER_18", "review",
		    "Under 18: needs a guardian's consent", "birth_date"));
		cJSON_AddItemToArray(arr, flag("ECZEMA_NOT_SURE", "review",
		    "Unsure about eczema: look at the skin first", "eczema"));
		cJSON_AddItemToArray(arr, flag("ON_NO_ITEM", "review",
		    "A flag on an item not listed", "gone"));
	}
	cJSON_AddStringToObject(root, "outcome", sp->outcome);
	o = cJSON_AddObjectToObject(root, "consent");
	cJSON_AddStringToObject(o, "status", sp->declined ? "declined" :
	    "accepted");
	cJSON_AddStringToObject(o, "version", "2026-05");
	cJSON_AddStringToObject(o, "language", "en");
	cJSON_AddStringToObject(o, "text_sha256", "5f2b7c0d9e8a"
	    "1b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8");
	arr = cJSON_AddArrayToObject(o, "clauses");
	if (!sp->declined) {
		goals = cJSON_CreateObject();
		cJSON_AddStringToObject(goals, "id", "no_makeup_24h");
		add_time(goals, "accepted_at", sp->at - 60);
		cJSON_AddItemToArray(arr, goals);
		goals = cJSON_CreateObject();
		cJSON_AddStringToObject(goals, "id", "downtime");
		add_time(goals, "accepted_at", sp->at - 50);
		cJSON_AddItemToArray(arr, goals);
		json = xasprintf("%s %s", sp->given, sp->family);
		cJSON_AddStringToObject(o, "signature", json);
		free(json);
		add_time(o, "signed_at", sp->at - 10);
	} else {
		cJSON_AddNullToObject(o, "signature");
		cJSON_AddNullToObject(o, "signed_at");
	}
	json = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return json;
}

static void
put(struct store *st, const struct spec *sp)
{
	struct store_intake in;
	char *cause = NULL, *json = payload(sp);

	in.id = sp->id;
	in.receipt = sp->receipt;
	in.outcome = sp->outcome;
	in.consent = sp->declined ? "declined" : "accepted";
	in.completed_ms = sp->at * 1000;
	in.payload = json;
	if (store_put_intake(st, &in, &cause) != 0)
		fail_msg("%s", cause);
	free(json);
}

#define ID(n) "3f1c2d4e-0000-4000-8000-0000000000" n

static const struct spec zoe = { ID("01"), "NWN-Y3D", "exclude", 0,
    T0 + 20, "Zoë", "Núñez-O'Brien" };
static const struct spec lee = { ID("02"), "K0P-1QR", "review", 0,
    T0 + 30, "小龍", "李" };
static const struct spec sam = { ID("03"), "AAA-111", "clear", 1,
    T0 + 10, "Sam", "Okafor" };

static void
test_list_order_and_names(void **state)
{
	static const struct spec more[] = {
		{ ID("11"), "BBB-001", "clear", 0, T0 + 1, "Cleo", "Adams" },
		{ ID("12"), "BBB-002", "exclude", 0, T0 + 2, "Eve", "Brown" },
		{ ID("13"), "BBB-003", "review", 0, T0 + 3, "Rae", "Cole" },
		{ ID("14"), "BBB-004", "clear", 0, T0 + 4, "Cy", "Dunn" },
		/* Before `since`: not listed. */
		{ ID("15"), "BBB-005", "exclude", 0, T0 - 1, "Old", "One" },
	};
	static const char *const order[] = {
		ID("01"), ID("12"),		/* exclude, newest first */
		ID("02"), ID("13"),		/* review */
		ID("03"), ID("14"), ID("11"),	/* clear */
	};
	struct fixture *f = *state;
	struct staff_row *rows;
	char *cause = NULL;
	size_t n, i;

	put(f->st, &zoe);
	put(f->st, &lee);
	put(f->st, &sam);
	for (i = 0; i < sizeof more / sizeof more[0]; i++)
		put(f->st, &more[i]);
	assert_int_equal(staff_list(f->st, T0, &rows, &n, &cause), 0);
	assert_int_equal(n, sizeof order / sizeof order[0]);
	for (i = 0; i < n; i++) {
		if (strcmp(rows[i].id, order[i]) != 0)
			fail_msg("row %zu is %s, not %s", i, rows[i].id,
			    order[i]);
	}
	assert_string_equal(rows[0].name, "Zoë N.");
	assert_string_equal(rows[0].receipt, "NWN-Y3D");
	assert_string_equal(rows[0].outcome, "exclude");
	assert_string_equal(rows[0].sync, "pending");
	assert_string_equal(rows[0].decision, "");
	assert_int_equal(rows[0].completed_at, T0 + 20);
	assert_int_equal(rows[0].consent_declined, 0);
	assert_string_equal(rows[2].name, "小龍 李.");
	assert_string_equal(rows[4].name, "Sam O.");
	assert_int_equal(rows[4].consent_declined, 1);
	staff_rows_free(rows, n);

	/* Nothing since: an empty list, still freeable. */
	assert_int_equal(staff_list(f->st, T0 + 100, &rows, &n, &cause), 0);
	assert_int_equal(n, 0);
	staff_rows_free(rows, n);
}

static void
test_find_by_receipt(void **state)
{
	struct fixture *f = *state;
	struct staff_row *rows;
	char *cause = NULL;
	size_t n;
	long zi, li;

	put(f->st, &zoe);
	put(f->st, &lee);
	put(f->st, &sam);
	assert_int_equal(staff_list(f->st, 0, &rows, &n, &cause), 0);
	zi = staff_find(rows, n, "NWN-Y3D");
	assert_true(zi >= 0);
	assert_string_equal(rows[zi].id, zoe.id);
	assert_int_equal(staff_find(rows, n, "nwny3d"), zi);
	assert_int_equal(staff_find(rows, n, "nwn-y3d"), zi);
	assert_int_equal(staff_find(rows, n, " NWN Y3D"), zi);
	assert_int_equal(staff_find(rows, n, zoe.id), zi);
	/* O, I and L are not in the alphabet: read as 0 and 1. */
	li = staff_find(rows, n, "K0P-1QR");
	assert_true(li >= 0);
	assert_string_equal(rows[li].id, lee.id);
	assert_int_equal(staff_find(rows, n, "kopiqr"), li);
	assert_int_equal(staff_find(rows, n, "kop-lqr"), li);
	assert_int_equal(staff_find(rows, n, "NWN-Y3E"), -1);
	assert_int_equal(staff_find(rows, n, "NWN-Y3"), -1);
	assert_int_equal(staff_find(rows, n, ""), -1);
	assert_int_equal(staff_find(rows, n, "-"), -1);
	assert_int_equal(staff_find(rows, n, NULL), -1);
	staff_rows_free(rows, n);
}

/* Index of the first line containing needle, or -1. */
static long
find_line(char **lines, size_t n, const char *needle)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strstr(lines[i], needle) != NULL)
			return (long)i;
	}
	return -1;
}

/* Fail, printing the detail, unless some line contains needle. */
static long
must_have(char **lines, size_t n, const char *needle)
{
	long i = find_line(lines, n, needle);
	size_t j;

	if (i < 0) {
		for (j = 0; j < n; j++)
			print_message("| %s\n", lines[j]);
		fail_msg("no line with \"%s\"", needle);
	}
	return i;
}

static void
test_detail_flags_and_consent(void **state)
{
	struct fixture *f = *state;
	char **lines, *cause = NULL, rid[37];
	size_t n, j;
	long i;

	put(f->st, &zoe);
	put(f->st, &lee);
	put(f->st, &sam);

	assert_int_equal(staff_detail(f->st, NULL, zoe.id, &lines, &n, &cause), 0);
	must_have(lines, n, "Given name: Zoë");
	must_have(lines, n, "Family name: Núñez-O'Brien");
	assert_true(find_line(lines, n, "Given name") <
	    find_line(lines, n, "Answers:"));
	must_have(lines, n, "Your skin goals: lines, pores");
	i = must_have(lines, n, "Are you pregnant? yes");
	assert_true((size_t)i + 1 < n);
	assert_string_equal(lines[i + 1],
	    "    [EXCLUDE PREGNANT] Pregnant: not treated in pregnancy");
	must_have(lines, n, "Consent: accepted, version 2026-05");
	must_have(lines, n, "text SHA-256 5f2b7c0d9e8a");
	must_have(lines, n, "  no_makeup_24h accepted 2026-06-01 07:59:20 UTC");
	must_have(lines, n, "  downtime accepted 2026-06-01 07:59:30 UTC");
	must_have(lines, n, "Signature: Zoë Núñez-O'Brien at "
	    "2026-06-01 08:00:10 UTC");
	must_have(lines, n, "Sync: pending, 0 attempts");
	must_have(lines, n, "Decisions:");
	staff_lines_free(lines, n);

	/* Sent, with a decision: both histories show. */
	assert_int_equal(store_mark_sent(f->st, STORE_INTAKE, zoe.id, "srv-1",
	    T0 + 60, &cause), 0);
	assert_int_equal(staff_decide(f->st, zoe.id, "declined", "pregnant, "
	    "come back after", "Ana", T0 + 120, rid, &cause), 0);
	assert_int_equal(staff_detail(f->st, NULL, zoe.id, &lines, &n, &cause), 0);
	must_have(lines, n, "Sync: sent, 1 attempt, receipt srv-1");
	i = must_have(lines, n, "Decisions:");
	assert_string_equal(lines[i + 1], "  2026-06-01 08:02:00 UTC  Ana: "
	    "declined — pregnant, come back after (sync: pending)");
	staff_lines_free(lines, n);

	/* Flags on a client field and on an answer; one on neither. */
	assert_int_equal(staff_detail(f->st, NULL, lee.id, &lines, &n, &cause), 0);
	i = must_have(lines, n, "Birth date: 2010-02-03");
	assert_string_equal(lines[i + 1],
	    "    [REVIEW UNDER_18] Under 18: needs a guardian's consent");
	i = must_have(lines, n, "in the area? not_sure");
	assert_string_equal(lines[i + 1], "    [REVIEW ECZEMA_NOT_SURE] "
	    "Unsure about eczema: look at the skin first");
	must_have(lines, n, "[REVIEW ON_NO_ITEM] A flag on an item not listed");
	must_have(lines, n, "Given name: 小龍");
	staff_lines_free(lines, n);

	/* Declined: said so, and no signature. */
	assert_int_equal(staff_detail(f->st, NULL, sam.id, &lines, &n, &cause), 0);
	i = must_have(lines, n, "Consent: declined");
	assert_int_equal(i, find_line(lines, n, "Consent: "));
	assert_int_equal(find_line(lines, n, "Signature:"), -1);
	assert_int_equal(find_line(lines, n, "no_makeup_24h"), -1);
	for (j = 0; j < n; j++)
		assert_null(strchr(lines[j], '\n'));
	staff_lines_free(lines, n);

	assert_int_equal(staff_detail(f->st, NULL, ID("99"), &lines, &n, &cause), -1);
	assert_non_null(cause);
	assert_null(lines);
	free(cause);
}

/* The name staff_list shows for id. */
static char *
listed_name(struct fixture *f, const char *id)
{
	struct staff_row *rows;
	char *cause = NULL, *name;
	size_t n;
	long i;

	assert_int_equal(staff_list(f->st, 0, &rows, &n, &cause), 0);
	i = staff_find(rows, n, id);
	assert_true(i >= 0);
	name = xstrdup(rows[i].name);
	staff_rows_free(rows, n);
	return name;
}

static void
assert_name(struct fixture *f, const char *id, const char *want)
{
	char *name = listed_name(f, id);

	if (strcmp(name, want) != 0)
		fail_msg("%s is listed as \"%s\", not \"%s\"", id, name, want);
	free(name);
}

static void
test_detail_has_no_control_characters(void **state)
{
	static const struct spec evil = { ID("04"), "EEE-EEE", "clear", 0,
	    T0, "Ev\x1b[2Jil", "Na\x1b]0;owned\x07me" };
	struct fixture *f = *state;
	char **lines, *cause = NULL;
	const unsigned char *p;
	size_t n, j;

	put(f->st, &evil);
	assert_name(f, evil.id, "Ev [2Jil N.");
	assert_int_equal(staff_detail(f->st, NULL, evil.id, &lines, &n, &cause), 0);
	for (j = 0; j < n; j++) {
		for (p = (const unsigned char *)lines[j]; *p != '\0'; p++) {
			if (*p < 0x20 || *p == 0x7f)
				fail_msg("line %zu has byte %#x", j, *p);
		}
	}
	staff_lines_free(lines, n);
}

struct reviews {
	int n;
	char last_decision[16];
	char *payload;
};

static int
count_review(const struct store_review *r, void *arg)
{
	struct reviews *rv = arg;

	rv->n++;
	snprintf(rv->last_decision, sizeof rv->last_decision, "%s",
	    r->decision);
	free(rv->payload);
	rv->payload = xstrdup(r->payload);
	return 0;
}

/* Rows of the audit log with this action. */
static int
audit_count(struct fixture *f, const char *action, const char *actor)
{
	sqlite3 *db;
	sqlite3_stmt *stmt;
	char *path = xasprintf("%s/%s", f->state_dir, STORE_FILE);
	int n = -1;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM audit"
	    " WHERE action = ?1 AND (?2 IS NULL OR actor = ?2)", -1, &stmt,
	    NULL), SQLITE_OK);
	sqlite3_bind_text(stmt, 1, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, actor, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		n = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	free(path);
	return n;
}

static void
test_decisions(void **state)
{
	struct fixture *f = *state;
	struct staff_row *rows;
	struct reviews rv = { 0, "", NULL };
	char *cause = NULL, r1[37], r2[37], r3[37] = "";
	const cJSON *item;
	cJSON *root;
	size_t n;

	put(f->st, &lee);
	assert_int_equal(staff_decide(f->st, lee.id, "consult", "",
	    "Ana", T0 + 100, r1, &cause), 0);
	assert_int_equal(strlen(r1), 36);
	assert_int_equal(staff_list(f->st, 0, &rows, &n, &cause), 0);
	assert_string_equal(rows[0].decision, "consult");
	staff_rows_free(rows, n);

	/* A later decision supersedes; both are kept. */
	assert_int_equal(staff_decide(f->st, lee.id, "cleared", NULL, "Ben",
	    T0 + 200, r2, &cause), 0);
	assert_string_not_equal(r1, r2);
	assert_int_equal(staff_list(f->st, 0, &rows, &n, &cause), 0);
	assert_string_equal(rows[0].decision, "cleared");
	staff_rows_free(rows, n);
	assert_int_equal(store_each_review(f->st, lee.id, count_review, &rv,
	    &cause), 0);
	assert_int_equal(rv.n, 2);
	assert_string_equal(rv.last_decision, "cleared");
	assert_int_equal(audit_count(f, "review", "Ana"), 1);
	assert_int_equal(audit_count(f, "review", "Ben"), 1);

	/* The wire payload (docs/wire-format.md, POST /reviews). */
	root = cJSON_Parse(rv.payload);
	assert_non_null(root);
	item = cJSON_GetObjectItemCaseSensitive(root, "id");
	assert_string_equal(item->valuestring, r2);
	item = cJSON_GetObjectItemCaseSensitive(root, "intake_id");
	assert_string_equal(item->valuestring, lee.id);
	item = cJSON_GetObjectItemCaseSensitive(root, "decision");
	assert_string_equal(item->valuestring, "cleared");
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(root,
	    "note")));
	item = cJSON_GetObjectItemCaseSensitive(root, "staff");
	assert_string_equal(item->valuestring, "Ben");
	item = cJSON_GetObjectItemCaseSensitive(root, "decided_at");
	assert_string_equal(item->valuestring, "2026-06-01T08:03:20Z");
	assert_int_equal(cJSON_GetArraySize(root), 6);
	cJSON_Delete(root);
	free(rv.payload);

	/* Refused: an unknown word, an unknown intake, no staff name. */
	assert_int_equal(staff_decide(f->st, lee.id, "maybe", NULL, "Ana",
	    T0 + 300, r3, &cause), -1);
	assert_non_null(strstr(cause, "maybe"));
	free(cause);
	cause = NULL;
	assert_int_equal(staff_decide(f->st, ID("99"), "cleared", NULL, "Ana",
	    T0 + 300, r3, &cause), -1);
	assert_non_null(strstr(cause, ID("99")));
	free(cause);
	cause = NULL;
	assert_int_equal(staff_decide(f->st, lee.id, "cleared", NULL, "",
	    T0 + 300, r3, &cause), -1);
	free(cause);
	cause = NULL;
	assert_string_equal(r3, "");
	rv.n = 0;
	rv.payload = NULL;
	assert_int_equal(store_each_review(f->st, lee.id, count_review, &rv,
	    &cause), 0);
	assert_int_equal(rv.n, 2);
	free(rv.payload);
}

static int
count_payload(const char *payload, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

static int
review_note(const struct store_review *r, void *arg)
{
	*(char **)arg = r->note != NULL ? xstrdup(r->note) : NULL;
	return 0;
}

static void
test_retention(void **state)
{
	static const int64_t now = T0 + 30 * DAY;
	static const struct spec specs[] = {
		/* sent, reviewed 10 days ago: purged */
		{ ID("21"), "RRR-001", "review", 0, now - 12 * DAY, "Ada", "A" },
		/* sent, never reviewed, 10 days old: purged */
		{ ID("22"), "RRR-002", "clear", 0, now - 10 * DAY, "Bo", "B" },
		/* sent 12 days ago but reviewed yesterday: kept */
		{ ID("23"), "RRR-003", "review", 0, now - 12 * DAY, "Cy", "C" },
		/* never sent, a month old: kept */
		{ ID("24"), "RRR-004", "clear", 0, now - 29 * DAY, "Di", "D" },
		/* parked, a month old: kept */
		{ ID("25"), "RRR-005", "clear", 0, now - 29 * DAY, "Ed", "E" },
		/* sent yesterday: kept */
		{ ID("26"), "RRR-006", "clear", 0, now - DAY, "Flo", "F" },
	};
	struct fixture *f = *state;
	char *cause = NULL, *note = NULL, rid[37], rid_ben[37], **lines;
	long purged = -1;
	size_t i, n;
	int count = 0;

	for (i = 0; i < sizeof specs / sizeof specs[0]; i++)
		put(f->st, &specs[i]);
	for (i = 0; i < 6; i++) {
		if (i == 3 || i == 4)
			continue;
		assert_int_equal(store_mark_sent(f->st, STORE_INTAKE,
		    specs[i].id, "srv", specs[i].at + 60, &cause), 0);
	}
	assert_int_equal(store_mark_parked(f->st, STORE_INTAKE, specs[4].id,
	    "the server refused this record (HTTP 422)", &cause), 0);
	assert_int_equal(staff_decide(f->st, specs[0].id, "declined",
	    "call her back", "Ana", now - 10 * DAY, rid, &cause), 0);
	assert_int_equal(store_mark_sent(f->st, STORE_REVIEW, rid, "srv",
	    now - 10 * DAY, &cause), 0);
	assert_int_equal(staff_decide(f->st, specs[2].id, "cleared", "fine",
	    "Ben", now - DAY, rid_ben, &cause), 0);

	assert_int_equal(staff_purge(f->st, 7, now, &purged, &cause), 0);
	assert_int_equal(purged, 2);
	assert_name(f, specs[0].id, "(purged)");
	assert_name(f, specs[1].id, "(purged)");
	assert_name(f, specs[2].id, "Cy C.");
	assert_name(f, specs[3].id, "Di D.");
	assert_name(f, specs[4].id, "Ed E.");
	assert_name(f, specs[5].id, "Flo F.");
	/* Export skips the purged ones. */
	assert_int_equal(store_each_payload(f->st, count_payload, &count,
	    &cause), 0);
	assert_int_equal(count, 4);
	/* The review's note went with its intake; the other's stays. */
	assert_int_equal(store_each_review(f->st, specs[0].id, review_note,
	    &note, &cause), 0);
	assert_null(note);
	assert_int_equal(store_each_review(f->st, specs[2].id, review_note,
	    &note, &cause), 0);
	assert_string_equal(note, "fine");
	free(note);
	assert_int_equal(audit_count(f, "purge", NULL), 1);

	/* The detail of a purged intake still shows its history. */
	assert_int_equal(staff_detail(f->st, NULL, specs[0].id, &lines, &n, &cause),
	    0);
	must_have(lines, n, "purged");
	must_have(lines, n, "Sync: sent");
	must_have(lines, n, "Ana: declined (sync: sent)");
	assert_int_equal(find_line(lines, n, "Ada"), -1);
	assert_int_equal(find_line(lines, n, "call her back"), -1);
	staff_lines_free(lines, n);
	/* No new decision on a purged intake: its note would never go. */
	assert_int_equal(staff_decide(f->st, specs[0].id, "cleared", "x",
	    "Ana", now, rid, &cause), -1);
	free(cause);
	cause = NULL;

	/* Unsent and parked intakes stay whatever their age. */
	assert_int_equal(staff_purge(f->st, 0, now + 365 * DAY, &purged,
	    &cause), 0);
	assert_int_equal(purged, 1);	/* sent, no decision waiting */
	assert_name(f, specs[3].id, "Di D.");
	assert_name(f, specs[4].id, "Ed E.");
	/* A decision not yet sent keeps its intake (and note) until it is. */
	assert_name(f, specs[2].id, "Cy C.");
	assert_int_equal(store_mark_sent(f->st, STORE_REVIEW, rid_ben, "srv",
	    now, &cause), 0);
	assert_int_equal(staff_purge(f->st, 0, now + 365 * DAY, &purged,
	    &cause), 0);
	assert_int_equal(purged, 1);
	assert_name(f, specs[2].id, "(purged)");
	assert_int_equal(store_each_review(f->st, specs[2].id, review_note,
	    &note, &cause), 0);
	assert_null(note);
	assert_int_equal(audit_count(f, "purge", NULL), 3);
	/* Nothing left to purge: no audit row for nothing. */
	assert_int_equal(staff_purge(f->st, 0, now + 365 * DAY, &purged,
	    &cause), 0);
	assert_int_equal(purged, 0);
	assert_int_equal(audit_count(f, "purge", NULL), 3);

	assert_int_equal(staff_purge(f->st, -1, now, &purged, &cause), -1);
	free(cause);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, \
    fixture_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_list_order_and_names),
		T(test_find_by_receipt),
		T(test_detail_flags_and_consent),
		T(test_detail_has_no_control_characters),
		T(test_decisions),
		T(test_retention),
	};

	/* Detail times are local with the zone: test them in UTC. */
	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests_name("staff", tests, NULL, NULL);
}
