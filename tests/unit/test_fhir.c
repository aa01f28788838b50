/*
 * test_fhir.c: the FHIR R4 mapping on the shipped form. Every test case
 * of the form becomes a real intake (answers, consent, signature) whose
 * payload turns into a transaction Bundle: its entries, identifiers,
 * conditional creates, flags, the consent evidence, and each
 * QuestionnaireResponse item checked against the form's own Questionnaire
 * (linkId and answer type). Then reviews as Tasks, the reading of a FHIR
 * server's answers (receipt, 412, captive portal) and server.format.
 *
 * With FHIR_CASES_OUT=FILE it also writes the Bundle of every case and
 * of a review as JSON lines there, for the external validators
 * (tests/fhir).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "config.h"
#include "fhir.h"
#include "form.h"
#include "http.h"
#include "intake.h"
#include "sync.h"
#include "util.h"

#define FORM_PATH "etc/forms/microneedling.json"
#define T0 1780300800		/* 2026-06-01T08:00:00Z */

static struct form *form;
static cJSON *questionnaire;

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
	if ((questionnaire = fhir_questionnaire(form, &cause)) == NULL) {
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
	cJSON_Delete(questionnaire);
	form_free(form);
	return 0;
}

static const char *
case_value(const struct form_case *c, const char *id)
{
	size_t i;

	for (i = 0; i < c->nanswers; i++)
		if (strcmp(c->item_ids[i], id) == 0)
			return c->values[i];
	return NULL;
}

static void
set(struct intake *in, const char *id, const char *value, struct kdate day)
{
	long i = form_item_index(form, id);
	char *msg = NULL;

	assert_true(i >= 0);
	if (answers_set(in->answers, (size_t)i, value, day, &msg) != 0) {
		print_error("%s = %s: %s\n", id, value, msg);
		free(msg);
		fail();
	}
}

/*
 * A form test case as a completed intake: the case's answers, the
 * details a client must give (when the case leaves them out), every
 * clause accepted and the name typed as the signature.
 */
static const cJSON *
get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static const char *
str(const cJSON *o, const char *k)
{
	const cJSON *v = get(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static char *
case_payload_id(const struct form_case *c, bool accept, const char *id)
{
	static const char *const details[][2] = {
		{ "given_name", "Ana" }, { "family_name", "García" },
		{ "birth_date", "1990-04-12" }, { "phone", "+44 7700 900123" },
	};
	struct intake *in = intake_new(form, "en", T0);
	const char *v;
	char *msg = NULL, *sig, *payload;
	size_t i;

	assert_non_null(in);
	for (i = 0; i < sizeof details / sizeof details[0]; i++)
		if (case_value(c, details[i][0]) == NULL)
			set(in, details[i][0], details[i][1], c->today);
	for (i = 0; i < form->nitems; i++)
		if ((v = case_value(c, form->items[i].id)) != NULL)
			set(in, form->items[i].id, v, c->today);
	if (accept) {
		for (i = 0; i < form->consent.nclauses; i++)
			in->clause_at[i] = T0 + 60 + (int64_t)i;
		sig = xasprintf("%s %s", intake_given_name(in),
		    intake_family_name(in));
		assert_int_equal(intake_sign(in, sig, T0 + 120, &msg), 0);
		free(sig);
		in->consent = CONSENT_ACCEPTED;
	} else {
		in->clause_at[0] = T0 + 60;
		in->consent = CONSENT_DECLINED;
	}
	in->completed_ms = (T0 + 130) * 1000LL;
	if (id != NULL) {
		snprintf(in->id, sizeof in->id, "%s", id);
		intake_receipt(in->id, in->receipt);
	}
	payload = intake_payload(in, "front-desk-1", c->today);
	intake_free(in);
	return payload;
}

static char *
case_payload(const struct form_case *c, bool accept)
{
	return case_payload_id(c, accept, NULL);
}

/*
 * FHIR_EXAMPLE_OUT=FILE: the Bundle of the form's "pregnant" case with a
 * fixed intake id, the example in docs/fhir.md (tests/fhir/example.sh).
 */
static void
test_example(void **state)
{
	const char *path = getenv("FHIR_EXAMPLE_OUT");
	char *payload, *cause = NULL, *json;
	cJSON *b;
	FILE *f;
	size_t i;

	(void)state;
	for (i = 0; i < form->ncases; i++)
		if (strstr(form->cases[i].name, "pregnant") != NULL)
			break;
	assert_true(i < form->ncases);
	payload = case_payload_id(&form->cases[i], true,
	    "0dfcf1ea-cc6c-4c44-8120-912f7763a157");
	assert_non_null(b = fhir_intake_bundle(form, payload, &cause));
	/* RFC 9562 UUIDv5 of the intake id and "Patient" (as Python's uuid5). */
	assert_string_equal(str(cJSON_GetArrayItem(get(get(cJSON_GetArrayItem(
	    get(b, "entry"), 0), "resource"), "identifier"), 0), "value"),
	    "urn:uuid:ea0d9e63-cc51-5989-b472-24737c529bf7");
	if (path != NULL) {
		assert_non_null(f = fopen(path, "we"));
		json = fhir_print(b);
		assert_true(fprintf(f, "%s\n", json) > 0);
		assert_int_equal(fclose(f), 0);
		wipe_free(json);
	}
	fhir_free(b);
	wipe_free(payload);
}

/* The entries' resources of this type, in order. */
static size_t
resources(const cJSON *bundle, const char *type, const cJSON **out,
    size_t max)
{
	const cJSON *e, *r;
	size_t n = 0;

	cJSON_ArrayForEach(e, get(bundle, "entry")) {
		r = get(e, "resource");
		if (strcmp(str(r, "resourceType"), type) == 0 && n < max)
			out[n++] = r;
	}
	return n;
}

/* The Questionnaire item with this linkId, or NULL. */
static const cJSON *
q_item(const char *link)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, get(questionnaire, "item")) {
		if (strcmp(str(it, "linkId"), link) == 0)
			return it;
	}
	return NULL;
}

/* Each QuestionnaireResponse item names a question and has its type. */
static void
check_response_items(const cJSON *qr, const char *name)
{
	static const struct {
		const char *type, *value;
	} types[] = {
		{ "choice", "valueCoding" }, { "date", "valueDate" },
		{ "string", "valueString" },
	};
	const cJSON *it, *a, *def, *opt, *c, *oc;
	const char *type, *want;
	size_t k;
	bool found;

	cJSON_ArrayForEach(it, get(qr, "item")) {
		def = q_item(str(it, "linkId"));
		if (def == NULL) {
			print_error("%s: linkId %s not in the Questionnaire\n",
			    name, str(it, "linkId"));
			fail();
		}
		type = str(def, "type");
		for (k = 0, want = NULL; k < sizeof types / sizeof types[0]; k++)
			if (strcmp(types[k].type, type) == 0)
				want = types[k].value;
		assert_non_null(want);
		if (cJSON_GetArraySize(get(it, "answer")) > 1)
			assert_true(cJSON_IsTrue(get(def, "repeats")));
		cJSON_ArrayForEach(a, get(it, "answer")) {
			if (get(a, want) == NULL || a->child->next != NULL) {
				print_error("%s: %s: answer is not one %s\n", name,
				    str(it, "linkId"), want);
				fail();
			}
			if (strcmp(want, "valueCoding") != 0)
				continue;
			c = get(a, "valueCoding");
			found = false;
			cJSON_ArrayForEach(opt, get(def, "answerOption")) {
				oc = get(opt, "valueCoding");
				found |= strcmp(str(oc, "system"), str(c, "system")) ==
				    0 && strcmp(str(oc, "code"), str(c, "code")) == 0;
			}
			if (!found) {
				print_error("%s: %s: %s is not an answer option\n",
				    name, str(it, "linkId"), str(c, "code"));
				fail();
			}
		}
	}
}

/* Every entry: a conditional create on its own identifier. */
static void
check_entries(const cJSON *b)
{
	const cJSON *e, *r, *id;
	char *want;

	assert_string_equal(str(b, "type"), "transaction");
	cJSON_ArrayForEach(e, get(b, "entry")) {
		r = get(e, "resource");
		id = get(r, "identifier");
		if (cJSON_IsArray(id))
			id = cJSON_GetArrayItem(id, 0);
		assert_string_equal(str(id, "system"), "urn:ietf:rfc:3986");
		want = xasprintf("identifier=urn:ietf:rfc:3986|%s",
		    str(id, "value"));
		assert_string_equal(str(get(e, "request"), "ifNoneExist"), want);
		free(want);
		assert_string_equal(str(get(e, "request"), "method"), "POST");
		assert_string_equal(str(get(e, "request"), "url"),
		    str(r, "resourceType"));
		/* The fullUrl is not the identifier (servers rewrite it). */
		assert_string_not_equal(str(e, "fullUrl"), str(id, "value"));
	}
}

/* Every case of the form: entries, flags, response items. */
static void
test_form_cases(void **state)
{
	const char *out_path = getenv("FHIR_CASES_OUT");
	FILE *out = NULL;
	const cJSON *qr[2], *consent[2], *flags[40], *code;
	char *payload, *cause = NULL, *json, *want;
	cJSON *b, *p;
	size_t i, j, k, nflags;

	(void)state;
	if (out_path != NULL)
		assert_non_null(out = fopen(out_path, "we"));
	assert_true(form->ncases >= 20);
	for (i = 0; i < form->ncases; i++) {
		const struct form_case *c = &form->cases[i];

		payload = case_payload(c, true);
		b = fhir_intake_bundle(form, payload, &cause);
		if (b == NULL) {
			print_error("case \"%s\": %s\n", c->name, cause);
			fail();
		}
		check_entries(b);
		assert_int_equal(fhir_bundle_entries(b), 3 + c->nflags);
		assert_int_equal(resources(b, "QuestionnaireResponse", qr, 2), 1);
		assert_int_equal(resources(b, "Consent", consent, 2), 1);
		nflags = resources(b, "Flag", flags, 40);
		assert_int_equal(nflags, c->nflags);
		for (j = 0; j < c->nflags; j++) {
			for (k = 0; k < nflags; k++) {
				code = cJSON_GetArrayItem(get(get(flags[k], "code"),
				    "coding"), 0);
				if (strcmp(str(code, "code"), c->flags[j]) == 0)
					break;
			}
			if (k == nflags) {
				print_error("case \"%s\": no Flag %s\n", c->name,
				    c->flags[j]);
				fail();
			}
		}
		p = cJSON_Parse(payload);
		want = xasprintf("urn:uuid:%s", str(p, "id"));
		assert_string_equal(str(get(qr[0], "identifier"), "value"), want);
		free(want);
		cJSON_Delete(p);
		assert_string_equal(str(qr[0], "status"), "completed");
		assert_string_equal(str(consent[0], "status"), "active");
		check_response_items(qr[0], c->name);
		if (out != NULL) {
			json = fhir_print(b);
			assert_true(fprintf(out, "%s\n", json) > 0);
			wipe_free(json);
		}
		fhir_free(b);
		wipe_free(payload);
	}
	if (out != NULL)
		assert_int_equal(fclose(out), 0);
}

/* The same record always makes the same Bundle, byte for byte. */
static void
test_deterministic(void **state)
{
	char *payload = case_payload(&form->cases[1], true), *cause = NULL;
	cJSON *a = fhir_intake_bundle(form, payload, &cause);
	cJSON *b = fhir_intake_bundle(form, payload, &cause);
	char *ja = fhir_print(a), *jb = fhir_print(b);

	(void)state;
	assert_string_equal(ja, jb);
	wipe_free(ja);
	wipe_free(jb);
	fhir_free(a);
	fhir_free(b);
	wipe_free(payload);
}

static char *
b64_decode(const char *s)
{
	size_t len = strlen(s);
	unsigned char *out = xmalloc(len + 1);
	int n = EVP_DecodeBlock(out, (const unsigned char *)s, (int)len);

	assert_true(n >= 0);
	while (len > 0 && s[len - 1] == '=') {	/* padding decodes as zeros */
		n--;
		len--;
	}
	out[n] = '\0';
	return (char *)out;
}

/*
 * The consent: the exact text shown (base64), FHIR's SHA-1 hash, the
 * stored SHA-256, each clause with its time, the typed signature.
 */
static void
test_consent_evidence(void **state)
{
	char *payload = case_payload(&form->cases[0], true), *cause = NULL;
	cJSON *b = fhir_intake_bundle(form, payload, &cause);
	const cJSON *consent[1], *att, *prov, *ext;
	const char *text = form_text(&form->consent.text, "en");
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char *data, *sig, hex[65], b64[64];

	(void)state;
	assert_int_equal(resources(b, "Consent", consent, 1), 1);
	att = get(consent[0], "sourceAttachment");
	assert_string_equal(str(att, "contentType"), "text/plain; charset=utf-8");
	assert_string_equal(str(att, "language"), "en");
	data = b64_decode(str(att, "data"));
	assert_string_equal(data, text);
	free(data);
	assert_int_equal(EVP_Digest(text, strlen(text), md, &mdlen, EVP_sha1(),
	    NULL), 1);
	EVP_EncodeBlock((unsigned char *)b64, md, (int)mdlen);
	assert_string_equal(str(att, "hash"), b64);
	sha256_hex(text, strlen(text), hex);
	ext = cJSON_GetArrayItem(get(att, "extension"), 0);
	assert_string_equal(str(ext, "valueString"), hex);
	prov = get(consent[0], "provision");
	assert_string_equal(str(prov, "type"), "permit");
	assert_int_equal(cJSON_GetArraySize(get(prov, "provision")),
	    form->consent.nclauses);
	assert_string_equal(str(get(cJSON_GetArrayItem(get(prov, "provision"),
	    0), "period"), "start"), "2026-06-01T08:01:00Z");
	ext = cJSON_GetArrayItem(get(consent[0], "extension"), 0);
	sig = b64_decode(str(get(ext, "valueSignature"), "data"));
	assert_string_equal(sig, "Ana García");
	free(sig);
	assert_string_equal(str(get(ext, "valueSignature"), "when"),
	    "2026-06-01T08:02:00Z");
	fhir_free(b);
	wipe_free(payload);
}

/* A hash that does not match the form's text: no text is claimed. */
static void
test_consent_text_changed(void **state)
{
	char *payload = case_payload(&form->cases[0], true), *cause = NULL;
	cJSON *p = cJSON_Parse(payload), *b;
	const cJSON *consent[1], *att;
	char *changed;

	(void)state;
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(p, "consent"),
	    "text_sha256", cJSON_CreateString("00"));
	changed = fhir_print(p);
	b = fhir_intake_bundle(form, changed, &cause);
	assert_non_null(b);
	assert_int_equal(resources(b, "Consent", consent, 1), 1);
	att = get(consent[0], "sourceAttachment");
	assert_null(get(att, "data"));
	assert_null(get(att, "hash"));
	assert_string_equal(str(cJSON_GetArrayItem(get(att, "extension"), 0),
	    "valueString"), "00");
	fhir_free(b);
	fhir_free(p);
	wipe_free(changed);
	wipe_free(payload);
}

/* Declined: Consent rejected, provision deny, no signature. */
static void
test_consent_declined(void **state)
{
	char *payload = case_payload(&form->cases[0], false), *cause = NULL;
	cJSON *b = fhir_intake_bundle(form, payload, &cause);
	const cJSON *consent[1];

	(void)state;
	assert_non_null(b);
	assert_int_equal(resources(b, "Consent", consent, 1), 1);
	assert_string_equal(str(consent[0], "status"), "rejected");
	assert_string_equal(str(get(consent[0], "provision"), "type"), "deny");
	assert_null(get(consent[0], "verification"));
	assert_null(get(consent[0], "extension"));
	fhir_free(b);
	wipe_free(payload);
}

/* Records that cannot be mapped say why. */
static void
test_refused(void **state)
{
	static const struct {
		const char *payload, *want;
	} rows[] = {
		{ "not json", "not a kiosk record" },
		{ "{\"schema\":\"kiosk.intake/1\"}", "not a kiosk record" },
		{ "{\"schema\":\"x\",\"id\":\"0dfcf1ea-cc6c-4c44-8120-912f7763a157\"}",
		    "is not a kiosk.intake/1 record" },
		{ "{\"schema\":\"kiosk.intake/1\",\"id\":\"0dfcf1ea-cc6c-4c44-"
		    "8120-912f7763a157\",\"form\":{\"id\":\"other\",\"version\":"
		    "\"1\"}}", "made with form \"other\"" },
	};
	char *cause, *url;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		cause = NULL;
		assert_null(fhir_intake_bundle(form, rows[i].payload, &cause));
		if (cause == NULL || strstr(cause, rows[i].want) == NULL) {
			print_error("row %zu: %s\n", i, cause);
			fail();
		}
		free(cause);
	}
	url = form->url;
	form->url = NULL;
	cause = NULL;
	assert_null(fhir_questionnaire(form, &cause));
	assert_non_null(strstr(cause, "url: the form needs its canonical URL"));
	free(cause);
	cause = NULL;
	assert_int_equal(fhir_form_check(form, &cause), -1);
	assert_non_null(strstr(cause, "url:"));
	free(cause);
	form->url = url;
}

/* The Questionnaire: one item per form item and the consent, typed. */
static void
test_questionnaire(void **state)
{
	const cJSON *it, *preg, *end;

	(void)state;
	assert_string_equal(str(questionnaire, "url"), form->url);
	assert_string_equal(str(questionnaire, "version"), form->version);
	assert_int_equal(cJSON_GetArraySize(get(questionnaire, "item")),
	    form->nitems + 1 + form->consent.nclauses);
	preg = q_item("pregnant");
	assert_string_equal(str(preg, "type"), "choice");
	assert_true(cJSON_IsTrue(get(preg, "required")));
	assert_int_equal(cJSON_GetArraySize(get(preg, "answerOption")), 3);
	end = q_item("chemo_end");
	assert_string_equal(str(end, "type"), "date");
	it = cJSON_GetArrayItem(get(end, "enableWhen"), 0);
	assert_string_equal(str(it, "question"), "chemo_ever");
	assert_string_equal(str(get(it, "answerCoding"), "code"), "Y");
	assert_true(cJSON_IsTrue(get(q_item("goals"), "repeats")));
	assert_string_equal(str(q_item("consent-text"), "text"),
	    form_text(&form->consent.text, "en"));
}

/* Add a Bundle to FHIR_CASES_OUT (written by test_form_cases), if set. */
static void
append_out(const cJSON *b)
{
	const char *path = getenv("FHIR_CASES_OUT");
	char *json;
	FILE *f;

	if (path == NULL)
		return;
	assert_non_null(f = fopen(path, "ae"));
	json = fhir_print(b);
	assert_true(fprintf(f, "%s\n", json) > 0);
	assert_int_equal(fclose(f), 0);
	wipe_free(json);
}

/* A staff decision: one Task on the intake's QuestionnaireResponse. */
static void
test_review(void **state)
{
	static const char review[] = "{\"id\":\"5b0c8f7e-3d2a-4c1b-9e8f-"
	    "7a6b5c4d3e2f\",\"intake_id\":\"0dfcf1ea-cc6c-4c44-8120-"
	    "912f7763a157\",\"decision\":\"cleared\",\"note\":\"checked with "
	    "GP\",\"staff\":\"Ana\",\"decided_at\":\"2026-06-01T09:00:00Z\"}";
	char *cause = NULL;
	cJSON *b = fhir_review_bundle(form, review, &cause);
	const cJSON *task[2];

	(void)state;
	assert_non_null(b);
	check_entries(b);
	assert_int_equal(resources(b, "Task", task, 2), 1);
	assert_string_equal(str(task[0], "status"), "completed");
	assert_string_equal(str(cJSON_GetArrayItem(get(get(task[0],
	    "businessStatus"), "coding"), 0), "code"), "cleared");
	assert_string_equal(str(get(get(task[0], "focus"), "identifier"),
	    "value"), "urn:uuid:0dfcf1ea-cc6c-4c44-8120-912f7763a157");
	assert_string_equal(str(get(task[0], "owner"), "display"), "Ana");
	assert_string_equal(str(cJSON_GetArrayItem(get(task[0], "note"), 0),
	    "text"), "checked with GP");
	append_out(b);
	fhir_free(b);
	cause = NULL;
	assert_null(fhir_review_bundle(form, "{\"id\":\"5b0c8f7e-3d2a-4c1b-"
	    "9e8f-7a6b5c4d3e2f\",\"intake_id\":\"0dfcf1ea-cc6c-4c44-8120-"
	    "912f7763a157\",\"decision\":\"maybe\",\"decided_at\":\"x\"}",
	    &cause));
	free(cause);
}

#define LOC "{\"response\":{\"status\":\"201 Created\",\"location\":\"Flag/1\"}}"

/* Which bodies are a receipt for a transaction of two entries. */
static void
test_receipt(void **state)
{
	static const struct {
		const char *body;
		const char *want;	/* NULL: not a receipt */
	} rows[] = {
		{ "{\"resourceType\":\"Bundle\",\"type\":\"transaction-response\","
		    "\"entry\":[{\"response\":{\"status\":\"201\",\"location\":"
		    "\"Patient/a/_history/1\"}}," LOC "]}",
		    "Patient/a/_history/1 Flag/1" },
		{ "{\"resourceType\":\"Bundle\",\"type\":\"transaction-response\","
		    "\"entry\":[{\"response\":{\"status\":\"200 OK\",\"location\":"
		    "\"Patient/a\"}}," LOC "]}", "Patient/a Flag/1" },
		/* One entry without a location, one too few, a failed one. */
		{ "{\"resourceType\":\"Bundle\",\"type\":\"transaction-response\","
		    "\"entry\":[{\"response\":{\"status\":\"201\"}}," LOC "]}",
		    NULL },
		{ "{\"resourceType\":\"Bundle\",\"type\":\"transaction-response\","
		    "\"entry\":[" LOC "]}", NULL },
		{ "{\"resourceType\":\"Bundle\",\"type\":\"transaction-response\","
		    "\"entry\":[{\"response\":{\"status\":\"400\",\"location\":"
		    "\"x/1\"}}," LOC "]}", NULL },
		{ "{\"resourceType\":\"Bundle\",\"type\":\"batch-response\","
		    "\"entry\":[" LOC "," LOC "]}", NULL },
		{ "{\"resourceType\":\"Bundle\",\"type\":\"searchset\"}", NULL },
		{ "<html><body>Welcome to the guest Wi-Fi</body></html>", NULL },
		{ "", NULL },
		{ "{\"id\":\"x\"}", NULL },
	};
	char *got;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		got = fhir_receipt(rows[i].body, 2, 1000);
		if ((got == NULL) != (rows[i].want == NULL) ||
		    (got != NULL && strcmp(got, rows[i].want) != 0)) {
			print_error("row %zu: got %s\n", i, got ? got : "NULL");
			fail();
		}
		free(got);
	}
}

/* What an answer means in FHIR mode. */
static void
test_classify(void **state)
{
	static const char receipt[] = "{\"resourceType\":\"Bundle\",\"type\":"
	    "\"transaction-response\",\"entry\":[" LOC "," LOC "]}";
	static const char outcome[] = "{\"resourceType\":\"OperationOutcome\","
	    "\"issue\":[{\"severity\":\"error\",\"code\":\"multiple-matches\","
	    "\"details\":{\"text\":\"Multiple resources found matching "
	    "condition\"}}]}";
	static const struct {
		enum http_fail fail;
		long status;
		const char *body;
		enum sync_verdict verdict;
		bool stop_pass, alert;
		const char *words;
	} rows[] = {
		{ HTTP_OK, 200, receipt, SYNC_SENT, false, false, "delivered" },
		{ HTTP_OK, 201, receipt, SYNC_SENT, false, false, "delivered" },
		{ HTTP_OK, 202, receipt, SYNC_RETRY, true, false, "not a FHIR" },
		{ HTTP_OK, 200, "<html>portal</html>", SYNC_RETRY, true, false,
		    "captive portal" },
		{ HTTP_OK, 200, "{\"id\":\"x\"}", SYNC_RETRY, true, false,
		    "not a FHIR" },
		{ HTTP_OK, 412, outcome, SYNC_PARK, false, false,
		    "Multiple resources found matching condition" },
		{ HTTP_OK, 412, "", SYNC_PARK, false, false, "HTTP 412" },
		/* The server's words never carry control bytes to a terminal. */
		{ HTTP_OK, 412, "{\"resourceType\":\"OperationOutcome\",\"issue\":"
		    "[{\"diagnostics\":\"two\\u001b[2Jmatches\"}]}", SYNC_PARK,
		    false, false, "two [2Jmatches" },
		{ HTTP_OK, 422, outcome, SYNC_PARK, false, false, "HTTP 422" },
		{ HTTP_OK, 409, "", SYNC_RETRY, false, false, "409" },
		{ HTTP_OK, 503, "", SYNC_RETRY, true, false, "HTTP 503" },
		{ HTTP_OK, 401, "", SYNC_RETRY, true, true, "credentials" },
		{ HTTP_OK, 302, "", SYNC_RETRY, true, false, "HTTP 302" },
		{ HTTP_NETWORK, 0, "", SYNC_RETRY, true, false, "no network" },
		{ HTTP_TLS, 0, "", SYNC_RETRY, true, true, "secure connection" },
	};
	struct http_result r;
	struct sync_outcome o;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		memset(&r, 0, sizeof r);
		r.fail = rows[i].fail;
		r.status = rows[i].status;
		r.body = (char *)rows[i].body;
		r.len = strlen(rows[i].body);
		r.retry_after_s = -1;
		sync_classify_fhir(&r, 2, &o);
		if (o.verdict != rows[i].verdict ||
		    o.stop_pass != rows[i].stop_pass ||
		    o.alert != rows[i].alert || o.words == NULL ||
		    strstr(o.words, rows[i].words) == NULL ||
		    (o.verdict == SYNC_SENT) != (o.receipt != NULL)) {
			print_error("row %zu: verdict %d stop %d alert %d: %s\n",
			    i, o.verdict, o.stop_pass, o.alert, o.words);
			fail();
		}
		sync_outcome_free(&o);
	}
}

/* The form's "url": optional; when given, an http(s) URL to build on. */
static void
test_form_url(void **state)
{
	static const struct {
		const char *url;	/* JSON value, NULL: key removed */
		const char *error;	/* NULL: loads */
	} rows[] = {
		{ NULL, NULL },
		{ "\"https://forms.example/Questionnaire/x\"", NULL },
		{ "\"http://forms.example/q\"", NULL },
		{ "\"ftp://forms.example/q\"", "\"url\" must be an http(s) URL" },
		{ "\"https://forms.example/q/\"", "\"url\" must be an http(s) URL" },
		{ "\"https://forms.example/q|1\"", "\"url\" must be an http(s) URL" },
		{ "\"https://forms.example/a b\"", "\"url\" must be an http(s) URL" },
		{ "\"\"", "\"url\" must not be empty" },
		{ "7", "\"url\" must be a string" },
	};
	char path[] = "/tmp/test_fhir_form.XXXXXX", *text, *cause;
	struct form *f;
	cJSON *root;
	FILE *fp;
	size_t i;
	int fd;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		assert_non_null(fp = fopen(FORM_PATH, "re"));
		text = xmalloc(1 << 20);
		text[fread(text, 1, (1 << 20) - 1, fp)] = '\0';
		fclose(fp);
		root = cJSON_Parse(text);
		free(text);
		assert_non_null(root);
		cJSON_DeleteItemFromObject(root, "url");
		if (rows[i].url != NULL)
			cJSON_AddItemToObject(root, "url", cJSON_Parse(rows[i].url));
		text = cJSON_Print(root);
		cJSON_Delete(root);
		memcpy(path + strlen(path) - 6, "XXXXXX", 6);
		assert_true((fd = mkstemp(path)) >= 0);
		assert_true(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
		close(fd);
		cJSON_free(text);
		f = NULL;
		cause = NULL;
		if (form_load(path, &f, &cause) == 0) {
			assert_null(rows[i].error);
			if (rows[i].url == NULL)
				assert_int_equal(fhir_form_check(f, &cause), -1);
			else
				assert_int_equal(fhir_form_check(f, &cause), 0);
		} else if (rows[i].error == NULL ||
		    strstr(cause, rows[i].error) == NULL) {
			print_error("row %zu: %s\n", i, cause);
			fail();
		}
		free(cause);
		form_free(f);
		unlink(path);
	}
}

/* server.format: "kiosk" by default, "fhir", anything else named. */
static void
test_config_format(void **state)
{
	static const struct {
		const char *format;	/* NULL: key absent */
		int ok;
		enum config_format want;
	} rows[] = {
		{ NULL, 1, CONFIG_FORMAT_KIOSK },
		{ "\"kiosk\"", 1, CONFIG_FORMAT_KIOSK },
		{ "\"fhir\"", 1, CONFIG_FORMAT_FHIR },
		{ "\"FHIR\"", 0, 0 },
		{ "\"xml\"", 0, 0 },
		{ "\"\"", 0, 0 },
		{ "1", 0, 0 },
	};
	char dir[] = "/tmp/test_fhir.XXXXXX", *path, *text, *cause, *cmd;
	struct config *cfg;
	FILE *f;
	size_t i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/kiosk.json", dir);
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		text = xasprintf("{\"kiosk_id\":\"k\",\"state_dir\":\"s\","
		    "\"form\":\"%s\",\"server\":{\"url\":\"https://h/fhir\"%s%s}}",
		    path, rows[i].format ? ",\"format\":" : "",
		    rows[i].format ? rows[i].format : "");
		assert_non_null(f = fopen(path, "we"));
		assert_true(fputs(text, f) >= 0);
		assert_int_equal(fclose(f), 0);
		free(text);
		cfg = NULL;
		cause = NULL;
		if (config_load(path, &cfg, &cause) == 0) {
			assert_true(rows[i].ok);
			assert_int_equal(cfg->server_format, rows[i].want);
		} else if (!rows[i].ok) {
			assert_non_null(strstr(cause, "server.format: "));
		} else {
			print_error("row %zu: %s\n", i, cause);
			fail();
		}
		free(cause);
		config_free(cfg);
	}
	cmd = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_form_cases),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_consent_evidence),
		cmocka_unit_test(test_consent_text_changed),
		cmocka_unit_test(test_consent_declined),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_questionnaire),
		cmocka_unit_test(test_review),
		cmocka_unit_test(test_receipt),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_config_format),
		cmocka_unit_test(test_form_url),
		cmocka_unit_test(test_example),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
