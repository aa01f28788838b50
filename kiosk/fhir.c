/*
 * fhir.c: the kiosk's records as FHIR R4 resources (docs/fhir.md). A
 * stored payload stays the frozen record; the Bundle is built from it at
 * send time with the loaded form for item types and the consent text.
 * Every id inside a Bundle is derived from the record's id (UUIDv5), so
 * the same record always makes the same Bundle. Knows nothing of HTTP.
 */
#include "fhir.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "form.h"
#include "util.h"

#define URI_SYSTEM	"urn:ietf:rfc:3986"
#define SYS_YESNO	"http://terminology.hl7.org/CodeSystem/v2-0136"
#define SYS_ABSENT	"http://terminology.hl7.org/CodeSystem/data-absent-reason"
#define SYS_SCOPE	"http://terminology.hl7.org/CodeSystem/consentscope"
#define SYS_LOINC	"http://loinc.org"
#define SYS_FLAG_CAT	"http://terminology.hl7.org/CodeSystem/flag-category"
#define SYS_PRIORITY	"http://terminology.hl7.org/CodeSystem/flagPriorityCodes"
#define SYS_TASK_CODE	"http://hl7.org/fhir/CodeSystem/task-code"
#define SYS_SIG_TYPE	"urn:iso-astm:E1762-95:2013"
#define SYS_LANG	"urn:ietf:bcp:47"
#define EXT_PRIORITY	"http://hl7.org/fhir/StructureDefinition/flag-priority"
#define EXT_DETAIL	"http://hl7.org/fhir/StructureDefinition/flag-detail"

/* How a kiosk answer value becomes an answer Coding, per boolean value. */
static const struct {
	const char *value;	/* the kiosk's wire value */
	const char *system;
	const char *code;
	const char *display;
} fhir_yesno[] = {
	{ "yes", SYS_YESNO, "Y", "Yes" },
	{ "no", SYS_YESNO, "N", "No" },
	{ "not_sure", SYS_ABSENT, "asked-unknown", "Don't know" },
};
#define NYESNO (sizeof fhir_yesno / sizeof fhir_yesno[0])

/* Flag level names as the payload has them, and what they become. */
static const struct {
	const char *level;
	const char *display;
	const char *priority;
	const char *priority_display;
} fhir_levels[] = {
	{ "exclude", "Exclude: do not treat today", "PH", "High priority" },
	{ "review", "Review: a practitioner looks first", "PM",
	    "Medium priority" },
};
#define NLEVELS (sizeof fhir_levels / sizeof fhir_levels[0])

static const struct {
	const char *code;
	const char *display;
} fhir_decisions[] = {
	{ "cleared", "Cleared for treatment" },
	{ "declined", "Treatment declined" },
	{ "consult", "Consultation needed first" },
};
#define NDECISIONS (sizeof fhir_decisions / sizeof fhir_decisions[0])

/* Parsed payload and the Bundle being built. */
struct fhir_ctx {
	const struct form *form;
	cJSON *p;		/* the payload */
	const char *id;		/* the record's id */
	char patient[46];	/* "urn:uuid:..." identifier of the Patient */
	char qr[46];		/* ... of the QuestionnaireResponse */
	char patient_ref[46];	/* their fullUrls in the Bundle */
	char qr_ref[46];
	cJSON *entries;
};

/* The string at obj[key], or NULL. */
static const char *
jstr(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) && v->valuestring[0] != '\0' ?
	    v->valuestring : NULL;
}

static cJSON *
add_obj(cJSON *to, const char *key)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL)
		fatalx(EXIT_SOFTWARE, "out of memory");
	if (key == NULL)
		cJSON_AddItemToArray(to, o);
	else
		cJSON_AddItemToObject(to, key, o);
	return o;
}

static cJSON *
add_arr(cJSON *to, const char *key)
{
	cJSON *a = cJSON_CreateArray();

	if (a == NULL)
		fatalx(EXIT_SOFTWARE, "out of memory");
	cJSON_AddItemToObject(to, key, a);
	return a;
}

static void
add_s(cJSON *to, const char *key, const char *s)
{
	if (s != NULL && cJSON_AddStringToObject(to, key, s) == NULL)
		fatalx(EXIT_SOFTWARE, "out of memory");
}

static void
add_str_item(cJSON *arr, const char *s)
{
	cJSON *v = cJSON_CreateString(s);

	if (v == NULL)
		fatalx(EXIT_SOFTWARE, "out of memory");
	cJSON_AddItemToArray(arr, v);
}

/* {"system": s, "code": c, "display": d} into array or object. */
static cJSON *
add_coding(cJSON *to, const char *key, const char *sys, const char *code,
    const char *display)
{
	cJSON *c = add_obj(to, key);

	add_s(c, "system", sys);
	add_s(c, "code", code);
	add_s(c, "display", display);
	return c;
}

/* A CodeableConcept with one coding. */
static cJSON *
add_concept(cJSON *to, const char *key, const char *sys, const char *code,
    const char *display, const char *text)
{
	cJSON *cc = add_obj(to, key);

	add_coding(add_arr(cc, "coding"), NULL, sys, code, display);
	add_s(cc, "text", text);
	return cc;
}

/* A reference to an entry of the Bundle; the type tells validators what. */
static void
add_ref(cJSON *to, const char *key, const char *ref, const char *type)
{
	cJSON *r = add_obj(to, key);

	add_s(r, "reference", ref);
	add_s(r, "type", type);
}

/* The value of a hex digit, or -1. */
static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A name-based UUID (version 5, SHA-1) of name within namespace ns. */
static int
uuid_v5(const char *ns, const char *name, char out[37])
{
	unsigned char bin[16], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx;
	size_t i, j;
	int ok, hi, lo;

	if (strlen(ns) != 36)
		return -1;
	for (i = j = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (ns[i] != '-')
				return -1;
			continue;
		}
		if ((hi = hexval(ns[i])) < 0 || (lo = hexval(ns[i + 1])) < 0)
			return -1;
		bin[j++] = (unsigned char)(hi << 4 | lo);
		i++;
	}
	if (j != 16 || (ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	ok = EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, bin, sizeof bin) == 1 &&
	    EVP_DigestUpdate(ctx, name, strlen(name)) == 1 &&
	    EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen >= 16;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return -1;
	md[6] = (unsigned char)((md[6] & 0x0f) | 0x50);
	md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", md[0], md[1], md[2], md[3], md[4],
	    md[5], md[6], md[7], md[8], md[9], md[10], md[11], md[12], md[13],
	    md[14], md[15]);
	return 0;
}

/* "urn:uuid:<v5(id, name)>" into out. */
static int
fhir_urn(const char *id, const char *name, char out[46])
{
	char u[37];

	if (uuid_v5(id, name, u) != 0)
		return -1;
	snprintf(out, 46, "urn:uuid:%s", u);
	return 0;
}

/* Base64 of len bytes (caller frees). */
static char *
fhir_base64(const void *data, size_t len)
{
	char *out = xmalloc(4 * ((len + 2) / 3) + 1);

	EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	return out;
}

/* Base64 of the SHA-1 of s, as FHIR's Attachment.hash (caller frees). */
static char *
fhir_sha1_b64(const char *s)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (EVP_Digest(s, strlen(s), md, &n, EVP_sha1(), NULL) != 1)
		return NULL;
	return fhir_base64(md, n);
}

/* "<form url>/<kind>/<name>": code systems and definitions of the form. */
static char *
fhir_form_uri(const struct form *f, const char *kind, const char *name)
{
	return xasprintf("%s/%s/%s", f->url, kind, name);
}

static int
fhir_need_url(const struct form *f, char **cause)
{
	if (f->url != NULL)
		return 0;
	*cause = xasprintf("%s: url: the form needs its canonical URL for "
	    "FHIR (server.format \"fhir\", form --fhir, export --fhir)",
	    f->path);
	return -1;
}

int
fhir_form_check(const struct form *f, char **cause)
{
	return fhir_need_url(f, cause);
}

/* The identifier {system: urn:ietf:rfc:3986, value: urn} of a resource. */
static void
add_identifier(cJSON *res, bool array, const char *urn)
{
	cJSON *id = array ? add_obj(add_arr(res, "identifier"), NULL) :
	    add_obj(res, "identifier");

	add_s(id, "system", URI_SYSTEM);
	add_s(id, "value", urn);
}

/*
 * A Bundle entry: conditional create of a resource whose identifier is
 * urn. Its fullUrl is another name-based UUID (*full when not NULL):
 * servers rewrite every occurrence of a fullUrl in the Bundle into the
 * new resource's reference, and the identifier must survive as sent.
 */
static cJSON *
fhir_entry(cJSON *entries, const char *urn, const char *type, char *full)
{
	cJSON *e = add_obj(entries, NULL), *res, *req;
	char *cond, buf[46];

	if (fhir_urn(urn + 9, "fullUrl", full != NULL ? full : buf) != 0)
		fatalx(EXIT_SOFTWARE, "cannot derive a fullUrl");
	add_s(e, "fullUrl", full != NULL ? full : buf);
	res = add_obj(e, "resource");
	add_s(res, "resourceType", type);
	req = add_obj(e, "request");
	add_s(req, "method", "POST");
	add_s(req, "url", type);
	cond = xasprintf("identifier=%s|%s", URI_SYSTEM, urn);
	add_s(req, "ifNoneExist", cond);
	free(cond);
	return res;
}

static cJSON *
fhir_bundle(const char *id, cJSON **entries)
{
	cJSON *b = cJSON_CreateObject();
	char *urn = xasprintf("urn:uuid:%s", id);

	if (b == NULL)
		fatalx(EXIT_SOFTWARE, "out of memory");
	add_s(b, "resourceType", "Bundle");
	add_identifier(b, false, urn);
	add_s(b, "type", "transaction");
	*entries = add_arr(b, "entry");
	free(urn);
	return b;
}

/* ---- Questionnaire ---- */

/* The answer Coding of a choice option. */
static void
add_option_coding(cJSON *to, const char *key, const struct form *f,
    const struct form_item *it, const struct form_option *o,
    const char *lang)
{
	char *sys = fhir_form_uri(f, "CodeSystem", it->id);

	add_coding(to, key, sys, o->code, form_text(&o->label, lang));
	free(sys);
}

static const struct form_option *
find_option(const struct form_item *it, const char *code)
{
	size_t i;

	for (i = 0; i < it->noptions; i++)
		if (strcmp(it->options[i].code, code) == 0)
			return &it->options[i];
	return NULL;
}

static size_t
yesno_index(const char *value)
{
	size_t i;

	for (i = 0; i < NYESNO; i++)
		if (strcmp(fhir_yesno[i].value, value) == 0)
			return i;
	return NYESNO;
}

/* answerOption of a boolean (Y, N, maybe "Don't know") or a choice. */
static void
fhir_q_options(cJSON *qi, const struct form *f, const struct form_item *it)
{
	cJSON *opts = add_arr(qi, "answerOption");
	size_t i;

	if (it->type == ITEM_BOOLEAN) {
		for (i = 0; i < NYESNO; i++) {
			if (i == 2 && !it->not_sure)
				break;
			add_coding(add_obj(opts, NULL), "valueCoding",
			    fhir_yesno[i].system, fhir_yesno[i].code,
			    fhir_yesno[i].display);
		}
		return;
	}
	for (i = 0; i < it->noptions; i++)
		add_option_coding(add_obj(opts, NULL), "valueCoding", f, it,
		    &it->options[i], f->languages[0]);
}

/* enableWhen: any of the condition's values (enableBehavior "any"). */
static void
fhir_q_enable(cJSON *qi, const struct form *f, const struct form_cond *c)
{
	const struct form_item *src = &f->items[c->item];
	const struct form_option *o;
	cJSON *arr = add_arr(qi, "enableWhen"), *ew;
	size_t i, k;

	for (i = 0; i < c->nequals; i++) {
		ew = add_obj(arr, NULL);
		add_s(ew, "question", src->id);
		add_s(ew, "operator", "=");
		if (src->type == ITEM_BOOLEAN &&
		    (k = yesno_index(c->equals[i])) < NYESNO)
			add_coding(ew, "answerCoding", fhir_yesno[k].system,
			    fhir_yesno[k].code, fhir_yesno[k].display);
		else if (src->type == ITEM_CHOICE &&
		    (o = find_option(src, c->equals[i])) != NULL)
			add_option_coding(ew, "answerCoding", f, src, o,
			    f->languages[0]);
		else
			add_s(ew, "answerString", c->equals[i]);
	}
	if (c->nequals > 1)
		add_s(qi, "enableBehavior", "any");
}

static const char *
fhir_q_type(const struct form_item *it)
{
	switch (it->type) {
	case ITEM_DISPLAY:
		return "display";
	case ITEM_DATE:
		return "date";
	case ITEM_BOOLEAN:
	case ITEM_CHOICE:
		return "choice";
	case ITEM_STRING:
	case ITEM_PHONE:
	case ITEM_EMAIL:
	default:
		return "string";
	}
}

static void
fhir_q_item(cJSON *items, const struct form *f, const struct form_item *it)
{
	cJSON *qi = add_obj(items, NULL);

	add_s(qi, "linkId", it->id);
	add_s(qi, "text", form_text(&it->text, f->languages[0]));
	add_s(qi, "type", fhir_q_type(it));
	if (it->enable_when != NULL)
		fhir_q_enable(qi, f, it->enable_when);
	if (it->type == ITEM_DISPLAY)
		return;
	cJSON_AddBoolToObject(qi, "required", it->required);
	if (it->multiple)
		cJSON_AddBoolToObject(qi, "repeats", true);
	if (it->type == ITEM_STRING || it->type == ITEM_PHONE ||
	    it->type == ITEM_EMAIL)
		cJSON_AddNumberToObject(qi, "maxLength", it->max_length);
	if (it->type == ITEM_BOOLEAN || it->type == ITEM_CHOICE)
		fhir_q_options(qi, f, it);
}

/* The consent text and each clause as display items. */
static void
fhir_q_consent(cJSON *items, const struct form *f)
{
	const struct form_consent *c = &f->consent;
	cJSON *qi;
	char *link;
	size_t i;

	qi = add_obj(items, NULL);
	add_s(qi, "linkId", "consent-text");
	add_s(qi, "text", form_text(&c->text, f->languages[0]));
	add_s(qi, "type", "display");
	for (i = 0; i < c->nclauses; i++) {
		qi = add_obj(items, NULL);
		link = xasprintf("consent-%s", c->clauses[i].id);
		add_s(qi, "linkId", link);
		free(link);
		add_s(qi, "text", form_text(&c->clauses[i].text,
		    f->languages[0]));
		add_s(qi, "type", "display");
	}
}

cJSON *
fhir_questionnaire(const struct form *f, char **cause)
{
	cJSON *q, *items;
	size_t i;

	if (fhir_need_url(f, cause) != 0)
		return NULL;
	if ((q = cJSON_CreateObject()) == NULL)
		fatalx(EXIT_SOFTWARE, "out of memory");
	add_s(q, "resourceType", "Questionnaire");
	add_s(q, "language", f->languages[0]);
	add_s(q, "url", f->url);
	add_s(q, "version", f->version);
	add_s(q, "title", form_text(&f->title, f->languages[0]));
	add_s(q, "status", "active");
	add_str_item(add_arr(q, "subjectType"), "Patient");
	add_s(q, "publisher", form_text(&f->clinic, f->languages[0]));
	add_s(q, "description", form_text(&f->about, f->languages[0]));
	items = add_arr(q, "item");
	for (i = 0; i < f->nitems; i++)
		fhir_q_item(items, f, &f->items[i]);
	fhir_q_consent(items, f);
	return q;
}

/* ---- Intake: Patient, QuestionnaireResponse, Consent, Flags ---- */

static int
fhir_ctx_init(struct fhir_ctx *c, const struct form *f, const char *payload,
    const char *schema, char **cause)
{
	const char *s;

	memset(c, 0, sizeof *c);
	c->form = f;
	if (fhir_need_url(f, cause) != 0)
		return -1;
	if ((c->p = cJSON_Parse(payload)) == NULL || !cJSON_IsObject(c->p) ||
	    (c->id = jstr(c->p, "id")) == NULL ||
	    fhir_urn(c->id, "Patient", c->patient) != 0) {
		*cause = xstrdup("the stored record is not a kiosk record");
		return -1;
	}
	if (schema != NULL && ((s = jstr(c->p, "schema")) == NULL ||
	    strcmp(s, schema) != 0)) {
		*cause = xasprintf("record %s is not a %s record", c->id, schema);
		return -1;
	}
	snprintf(c->qr, sizeof c->qr, "urn:uuid:%s", c->id);
	return 0;
}

static void
fhir_ctx_free(struct fhir_ctx *c)
{
	fhir_free(c->p);
	c->p = NULL;
}

static void
fhir_patient(struct fhir_ctx *c)
{
	const cJSON *cl = cJSON_GetObjectItemCaseSensitive(c->p, "client");
	const char *given = jstr(cl, "given_name"), *family =
	    jstr(cl, "family_name"), *lang = jstr(c->p, "language");
	cJSON *res = fhir_entry(c->entries, c->patient, "Patient",
	    c->patient_ref), *name, *tel;
	char *text;

	add_identifier(res, true, c->patient);
	if (given != NULL || family != NULL) {
		name = add_obj(add_arr(res, "name"), NULL);
		text = xasprintf("%s%s%s", given != NULL ? given : "",
		    given != NULL && family != NULL ? " " : "",
		    family != NULL ? family : "");
		add_s(name, "text", text);
		wipe_free(text);
		add_s(name, "family", family);
		if (given != NULL)
			add_str_item(add_arr(name, "given"), given);
	}
	add_s(res, "birthDate", jstr(cl, "birth_date"));
	if (jstr(cl, "phone") != NULL || jstr(cl, "email") != NULL) {
		tel = add_arr(res, "telecom");
		if (jstr(cl, "phone") != NULL) {
			cJSON *t = add_obj(tel, NULL);

			add_s(t, "system", "phone");
			add_s(t, "value", jstr(cl, "phone"));
			add_s(t, "use", "mobile");
		}
		if (jstr(cl, "email") != NULL) {
			cJSON *t = add_obj(tel, NULL);

			add_s(t, "system", "email");
			add_s(t, "value", jstr(cl, "email"));
		}
	}
	if (lang != NULL) {
		cJSON *com = add_obj(add_arr(res, "communication"), NULL);

		add_concept(com, "language", SYS_LANG, lang, NULL, NULL);
		cJSON_AddBoolToObject(com, "preferred", true);
	}
}

/* One answer value (a string) of item it (NULL: not in the form). */
static void
fhir_qr_value(cJSON *answers, const struct fhir_ctx *c,
    const struct form_item *it, const char *v)
{
	cJSON *a = add_obj(answers, NULL);
	const struct form_option *o;
	char *sys;
	size_t k;

	if (it != NULL && it->type == ITEM_BOOLEAN &&
	    (k = yesno_index(v)) < NYESNO) {
		add_coding(a, "valueCoding", fhir_yesno[k].system,
		    fhir_yesno[k].code, fhir_yesno[k].display);
	} else if (it != NULL && it->type == ITEM_CHOICE) {
		if ((o = find_option(it, v)) != NULL)
			add_option_coding(a, "valueCoding", c->form, it, o,
			    c->form->languages[0]);
		else {
			sys = fhir_form_uri(c->form, "CodeSystem", it->id);
			add_coding(a, "valueCoding", sys, v, NULL);
			free(sys);
		}
	} else if (it != NULL && it->type == ITEM_DATE)
		add_s(a, "valueDate", v);
	else
		add_s(a, "valueString", v);
}

/* A QuestionnaireResponse item for an answer (a string or an array). */
static void
fhir_qr_item(cJSON *items, const struct fhir_ctx *c, const char *link,
    const struct form_item *it, const char *text, const cJSON *value)
{
	cJSON *qi, *answers;
	const cJSON *v;

	if (!cJSON_IsString(value) && !cJSON_IsArray(value))
		return;
	if (cJSON_IsArray(value) && cJSON_GetArraySize(value) == 0)
		return;
	qi = add_obj(items, NULL);
	add_s(qi, "linkId", link);
	add_s(qi, "text", text);
	answers = add_arr(qi, "answer");
	if (cJSON_IsString(value)) {
		fhir_qr_value(answers, c, it, value->valuestring);
		return;
	}
	cJSON_ArrayForEach(v, value) {
		if (cJSON_IsString(v))
			fhir_qr_value(answers, c, it, v->valuestring);
	}
}

static const char *const fhir_client_keys[] = {
	[CLIENT_NONE] = NULL,
	[CLIENT_GIVEN_NAME] = "given_name",
	[CLIENT_FAMILY_NAME] = "family_name",
	[CLIENT_BIRTH_DATE] = "birth_date",
	[CLIENT_PHONE] = "phone",
	[CLIENT_EMAIL] = "email",
};

/* The answer with this id in the payload's answers, or NULL. */
static const cJSON *
fhir_find_answer(const cJSON *answers, const char *id)
{
	const cJSON *a;
	const char *aid;

	cJSON_ArrayForEach(a, answers) {
		if ((aid = jstr(a, "id")) != NULL && strcmp(aid, id) == 0)
			return a;
	}
	return NULL;
}

/* Items in the form's order, then any answer the form no longer has. */
static void
fhir_qr_items(cJSON *res, const struct fhir_ctx *c)
{
	const struct form *f = c->form;
	const cJSON *cl = cJSON_GetObjectItemCaseSensitive(c->p, "client");
	const cJSON *answers = cJSON_GetObjectItemCaseSensitive(c->p, "answers");
	const char *lang = jstr(c->p, "language");
	const struct form_item *it;
	const cJSON *a;
	cJSON *items = add_arr(res, "item");
	size_t i;

	for (i = 0; i < f->nitems; i++) {
		it = &f->items[i];
		if (it->client != CLIENT_NONE)
			fhir_qr_item(items, c, it->id, it, form_text(&it->text,
			    lang), cJSON_GetObjectItemCaseSensitive(cl,
			    fhir_client_keys[it->client]));
		else if ((a = fhir_find_answer(answers, it->id)) != NULL)
			fhir_qr_item(items, c, it->id, it, jstr(a, "text"),
			    cJSON_GetObjectItemCaseSensitive(a, "value"));
	}
	cJSON_ArrayForEach(a, answers) {
		if (jstr(a, "id") != NULL && form_item_index(f, jstr(a, "id")) < 0)
			fhir_qr_item(items, c, jstr(a, "id"), NULL,
			    jstr(a, "text"), cJSON_GetObjectItemCaseSensitive(a,
			    "value"));
	}
	if (cJSON_GetArraySize(items) == 0)
		cJSON_DeleteItemFromObject(res, "item");
}

static int
fhir_qr(struct fhir_ctx *c, char **cause)
{
	const cJSON *form = cJSON_GetObjectItemCaseSensitive(c->p, "form");
	const char *fid = jstr(form, "id"), *fver = jstr(form, "version");
	cJSON *res;
	char *canon;

	if (fid == NULL || fver == NULL || strcmp(fid, c->form->id) != 0) {
		*cause = xasprintf("intake %s was made with form \"%s\", not "
		    "the loaded form \"%s\"", c->id, fid != NULL ? fid : "?",
		    c->form->id);
		return -1;
	}
	res = fhir_entry(c->entries, c->qr, "QuestionnaireResponse",
	    c->qr_ref);
	add_s(res, "language", jstr(c->p, "language"));
	add_identifier(res, false, c->qr);
	canon = xasprintf("%s|%s", c->form->url, fver);
	add_s(res, "questionnaire", canon);
	free(canon);
	add_s(res, "status", "completed");
	add_ref(res, "subject", c->patient_ref, "Patient");
	add_s(res, "authored", jstr(c->p, "completed_at"));
	add_ref(res, "source", c->patient_ref, "Patient");
	fhir_qr_items(res, c);
	return 0;
}

/*
 * sourceAttachment: the consent text shown (the payload's consent.text,
 * or for older intakes the form's), only when its SHA-256 is the one
 * stored with the intake; without a match, the hash alone.
 */
static void
fhir_consent_attachment(cJSON *res, const struct fhir_ctx *c,
    const cJSON *pc)
{
	const struct form_consent *fc = &c->form->consent;
	const char *lang = jstr(pc, "language"), *sha = jstr(pc, "text_sha256");
	const char *text = jstr(pc, "text"), *ver = jstr(pc, "version");
	cJSON *att = add_obj(res, "sourceAttachment"), *ext;
	char hex[65], *s;

	if (text == NULL && ver != NULL && strcmp(ver, fc->version) == 0)
		text = form_text(&fc->text, lang);
	/* Whichever text it is, it must be the one whose hash was kept. */
	if (text != NULL) {
		sha256_hex(text, strlen(text), hex);
		if (sha == NULL || strcmp(hex, sha) != 0)
			text = NULL;
	}
	add_s(att, "contentType", "text/plain; charset=utf-8");
	add_s(att, "language", lang);
	if (text != NULL) {
		s = fhir_base64(text, strlen(text));
		add_s(att, "data", s);
		free(s);
		if ((s = fhir_sha1_b64(text)) != NULL)
			add_s(att, "hash", s);
		free(s);
	}
	s = xasprintf("%s (version %s)", form_text(&fc->title, lang),
	    ver != NULL ? ver : "?");
	add_s(att, "title", s);
	free(s);
	if (sha != NULL) {
		ext = add_obj(add_arr(att, "extension"), NULL);
		s = fhir_form_uri(c->form, "StructureDefinition",
		    "consent-text-sha256");
		add_s(ext, "url", s);
		free(s);
		add_s(ext, "valueString", sha);
	}
}

/* The typed signature: verification and a Signature extension. */
static void
fhir_consent_signature(cJSON *res, const struct fhir_ctx *c, const cJSON *pc)
{
	const char *sig = jstr(pc, "signature"), *at = jstr(pc, "signed_at");
	cJSON *v, *ext, *vs;
	char *s;

	if (sig == NULL || at == NULL)
		return;
	v = add_obj(add_arr(res, "verification"), NULL);
	cJSON_AddBoolToObject(v, "verified", true);
	add_ref(v, "verifiedWith", c->patient_ref, "Patient");
	add_s(v, "verificationDate", at);
	ext = add_obj(add_arr(res, "extension"), NULL);
	s = fhir_form_uri(c->form, "StructureDefinition", "consent-signature");
	add_s(ext, "url", s);
	free(s);
	vs = add_obj(ext, "valueSignature");
	add_coding(add_arr(vs, "type"), NULL, SYS_SIG_TYPE,
	    "1.2.840.10065.1.12.1.7", "Consent Signature");
	add_s(vs, "when", at);
	add_ref(vs, "who", c->patient_ref, "Patient");
	add_s(vs, "sigFormat", "text/plain");
	s = fhir_base64(sig, strlen(sig));
	add_s(vs, "data", s);
	wipe_free(s);
}

/* The text of a clause of the form's consent, or NULL. */
static const char *
fhir_clause_text(const struct form *f, const char *id, const char *lang)
{
	size_t i;

	for (i = 0; i < f->consent.nclauses; i++)
		if (strcmp(f->consent.clauses[i].id, id) == 0)
			return form_text(&f->consent.clauses[i].text, lang);
	return NULL;
}

/* provision: permit (accepted) or deny; one nested permit per clause. */
static void
fhir_consent_provision(cJSON *res, const struct fhir_ctx *c,
    const cJSON *pc, bool accepted)
{
	const cJSON *clauses = cJSON_GetObjectItemCaseSensitive(pc, "clauses");
	const char *lang = jstr(pc, "language");
	cJSON *prov = add_obj(res, "provision"), *d, *sub = NULL, *np;
	const cJSON *cl;
	char *sys = fhir_form_uri(c->form, "CodeSystem", "consent-clauses");

	add_s(prov, "type", accepted ? "permit" : "deny");
	d = add_obj(add_arr(prov, "data"), NULL);
	add_s(d, "meaning", "related");
	add_ref(d, "reference", c->qr_ref, "QuestionnaireResponse");
	cJSON_ArrayForEach(cl, clauses) {
		if (jstr(cl, "id") == NULL || jstr(cl, "accepted_at") == NULL)
			continue;
		if (sub == NULL)
			sub = add_arr(prov, "provision");
		np = add_obj(sub, NULL);
		add_s(np, "type", "permit");
		add_s(add_obj(np, "period"), "start", jstr(cl, "accepted_at"));
		add_concept(add_arr(np, "code"), NULL, sys, jstr(cl, "id"),
		    fhir_clause_text(c->form, jstr(cl, "id"), lang), NULL);
	}
	free(sys);
}

static void
fhir_consent(struct fhir_ctx *c, char urn[46])
{
	const cJSON *pc = cJSON_GetObjectItemCaseSensitive(c->p, "consent");
	const char *st = jstr(pc, "status"), *when = jstr(pc, "signed_at");
	bool accepted = st != NULL && strcmp(st, "accepted") == 0;
	cJSON *res = fhir_entry(c->entries, urn, "Consent", NULL);
	char *rule;

	add_identifier(res, true, urn);
	add_s(res, "status", accepted ? "active" : "rejected");
	add_concept(res, "scope", SYS_SCOPE, "treatment", "Treatment", NULL);
	add_concept(add_arr(res, "category"), NULL, SYS_LOINC, "59284-0",
	    "Patient Consent", NULL);
	add_ref(res, "patient", c->patient_ref, "Patient");
	add_s(res, "dateTime", when != NULL ? when :
	    jstr(c->p, "completed_at"));
	add_ref(add_arr(res, "performer"), NULL, c->patient_ref, "Patient");
	fhir_consent_attachment(res, c, pc);
	rule = xasprintf("%s, version %s", form_text(&c->form->consent.title,
	    jstr(pc, "language")), jstr(pc, "version") != NULL ?
	    jstr(pc, "version") : "?");
	add_s(add_obj(res, "policyRule"), "text", rule);
	free(rule);
	if (accepted)
		fhir_consent_signature(res, c, pc);
	fhir_consent_provision(res, c, pc, accepted);
}

static size_t
level_index(const char *level)
{
	size_t i;

	for (i = 0; level != NULL && i < NLEVELS; i++)
		if (strcmp(fhir_levels[i].level, level) == 0)
			return i;
	return NLEVELS;
}

static int
fhir_flag(struct fhir_ctx *c, const cJSON *fl, char **cause)
{
	const char *code = jstr(fl, "code"), *reason = jstr(fl, "reason");
	size_t lv = level_index(jstr(fl, "level"));
	char urn[46], *name, *sys, *who;
	cJSON *res, *cat, *ext;

	if (code == NULL || lv == NLEVELS) {
		*cause = xasprintf("intake %s: a flag without a code or level",
		    c->id);
		return -1;
	}
	name = xasprintf("Flag/%s", code);
	if (fhir_urn(c->id, name, urn) != 0) {
		free(name);
		*cause = xstrdup("cannot derive a flag id");
		return -1;
	}
	free(name);
	res = fhir_entry(c->entries, urn, "Flag", NULL);
	add_identifier(res, true, urn);
	ext = add_arr(res, "extension");
	cat = add_obj(ext, NULL);
	add_s(cat, "url", EXT_PRIORITY);
	add_concept(cat, "valueCodeableConcept", SYS_PRIORITY,
	    fhir_levels[lv].priority, fhir_levels[lv].priority_display, NULL);
	cat = add_obj(ext, NULL);
	add_s(cat, "url", EXT_DETAIL);
	add_ref(cat, "valueReference", c->qr_ref, "QuestionnaireResponse");
	add_s(res, "status", "active");
	cat = add_arr(res, "category");
	add_concept(cat, NULL, SYS_FLAG_CAT, "clinical", "Clinical", NULL);
	sys = fhir_form_uri(c->form, "CodeSystem", "flag-levels");
	add_concept(cat, NULL, sys, fhir_levels[lv].level,
	    fhir_levels[lv].display, NULL);
	free(sys);
	sys = fhir_form_uri(c->form, "CodeSystem", "flags");
	add_concept(res, "code", sys, code, reason, reason);
	free(sys);
	add_ref(res, "subject", c->patient_ref, "Patient");
	add_s(add_obj(res, "period"), "start", jstr(c->p, "completed_at"));
	who = xasprintf("Check-in kiosk %s", jstr(c->p, "kiosk_id") != NULL ?
	    jstr(c->p, "kiosk_id") : "?");
	add_s(add_obj(res, "author"), "display", who);
	free(who);
	return 0;
}

cJSON *
fhir_intake_bundle(const struct form *f, const char *payload, char **cause)
{
	struct fhir_ctx c;
	const cJSON *fl;
	cJSON *b = NULL;
	char consent[46];

	if (fhir_ctx_init(&c, f, payload, "kiosk.intake/1", cause) != 0)
		goto fail;
	b = fhir_bundle(c.id, &c.entries);
	fhir_patient(&c);
	if (fhir_qr(&c, cause) != 0 || fhir_urn(c.id, "Consent", consent) != 0)
		goto fail;
	fhir_consent(&c, consent);
	cJSON_ArrayForEach(fl, cJSON_GetObjectItemCaseSensitive(c.p, "flags")) {
		if (fhir_flag(&c, fl, cause) != 0)
			goto fail;
	}
	fhir_ctx_free(&c);
	return b;
fail:
	if (*cause == NULL)
		*cause = xstrdup("cannot build the FHIR Bundle");
	fhir_free(b);
	fhir_ctx_free(&c);
	return NULL;
}

/* ---- Review: a Task ---- */

cJSON *
fhir_review_bundle(const struct form *f, const char *payload, char **cause)
{
	struct fhir_ctx c;
	const char *intake, *dec, *note, *staff, *at;
	cJSON *b = NULL, *res, *r, *n;
	char urn[46], qr[46], patient[46], *sys;
	size_t k;

	if (fhir_ctx_init(&c, f, payload, NULL, cause) != 0)
		goto fail;
	intake = jstr(c.p, "intake_id");
	dec = jstr(c.p, "decision");
	note = jstr(c.p, "note");
	staff = jstr(c.p, "staff");
	at = jstr(c.p, "decided_at");
	for (k = 0; dec != NULL && k < NDECISIONS; k++)
		if (strcmp(fhir_decisions[k].code, dec) == 0)
			break;
	if (intake == NULL || dec == NULL || k == NDECISIONS || at == NULL ||
	    fhir_urn(intake, "Patient", patient) != 0) {
		*cause = xasprintf("review %s is not a kiosk review", c.id);
		goto fail;
	}
	snprintf(urn, sizeof urn, "urn:uuid:%s", c.id);
	snprintf(qr, sizeof qr, "urn:uuid:%s", intake);
	b = fhir_bundle(c.id, &c.entries);
	res = fhir_entry(c.entries, urn, "Task", NULL);
	add_identifier(res, true, urn);
	add_s(res, "status", "completed");
	sys = fhir_form_uri(f, "CodeSystem", "review-decisions");
	add_concept(res, "businessStatus", sys, dec, fhir_decisions[k].display,
	    NULL);
	free(sys);
	add_s(res, "intent", "order");
	add_concept(res, "code", SYS_TASK_CODE, "approve",
	    "Activate/approve the focal resource",
	    "Practitioner review of a check-in");
	r = add_obj(res, "focus");
	add_s(r, "type", "QuestionnaireResponse");
	n = add_obj(r, "identifier");
	add_s(n, "system", URI_SYSTEM);
	add_s(n, "value", qr);
	r = add_obj(res, "for");
	add_s(r, "type", "Patient");
	n = add_obj(r, "identifier");
	add_s(n, "system", URI_SYSTEM);
	add_s(n, "value", patient);
	add_s(res, "authoredOn", at);
	add_s(res, "lastModified", at);
	if (staff != NULL)
		add_s(add_obj(res, "owner"), "display", staff);
	if (note != NULL) {
		n = add_obj(add_arr(res, "note"), NULL);
		add_s(n, "authorString", staff);
		add_s(n, "time", at);
		add_s(n, "text", note);
	}
	fhir_ctx_free(&c);
	return b;
fail:
	fhir_free(b);
	fhir_ctx_free(&c);
	return NULL;
}

/* ---- Printing, freeing, reading answers ---- */

char *
fhir_print(const cJSON *tree)
{
	char *json = cJSON_PrintUnformatted(tree), *out;

	if (json == NULL)
		fatalx(EXIT_SOFTWARE, "out of memory");
	out = xstrdup(json);
	explicit_bzero(json, strlen(json));
	cJSON_free(json);
	return out;
}

static void
fhir_wipe(cJSON *node)
{
	cJSON *c;

	for (c = node; c != NULL; c = c->next) {
		if (cJSON_IsString(c) && c->valuestring != NULL)
			explicit_bzero(c->valuestring, strlen(c->valuestring));
		if (c->child != NULL)
			fhir_wipe(c->child);
	}
}

void
fhir_free(cJSON *tree)
{
	if (tree == NULL)
		return;
	fhir_wipe(tree);
	cJSON_Delete(tree);
}

size_t
fhir_bundle_entries(const cJSON *b)
{
	const char *t = jstr(b, "resourceType");

	if (t == NULL || strcmp(t, "Bundle") != 0)
		return 0;
	return (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(b,
	    "entry"));
}

/* "201 Created" or "200": a 2xx status line of a response entry. */
static bool
fhir_status_2xx(const char *s)
{
	return s != NULL && s[0] == '2' && s[1] >= '0' && s[1] <= '9' &&
	    s[2] >= '0' && s[2] <= '9' && (s[3] == '\0' || s[3] == ' ');
}

char *
fhir_receipt(const char *body, size_t entries, size_t max)
{
	cJSON *root = cJSON_Parse(body);
	const cJSON *e, *r;
	const char *t, *loc;
	char *out = NULL, *next;
	size_t n = 0;

	if (root == NULL)
		return NULL;
	if ((t = jstr(root, "resourceType")) == NULL ||
	    strcmp(t, "Bundle") != 0 || (t = jstr(root, "type")) == NULL ||
	    strcmp(t, "transaction-response") != 0)
		goto none;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(root, "entry")) {
		r = cJSON_GetObjectItemCaseSensitive(e, "response");
		if (!fhir_status_2xx(jstr(r, "status")) ||
		    (loc = jstr(r, "location")) == NULL)
			goto none;
		next = xasprintf("%s%s%s", out != NULL ? out : "",
		    out != NULL ? " " : "", loc);
		free(out);
		out = next;
		n++;
	}
	if (n == 0 || n != entries)
		goto none;
	if (strlen(out) > max)
		out[max] = '\0';
	cJSON_Delete(root);
	return out;
none:
	free(out);
	cJSON_Delete(root);
	return NULL;
}

char *
fhir_outcome_text(const char *body, size_t max)
{
	cJSON *root = cJSON_Parse(body);
	const cJSON *is;
	const char *t;
	char *out = NULL, *next;

	if (root == NULL)
		return NULL;
	if ((t = jstr(root, "resourceType")) != NULL &&
	    strcmp(t, "OperationOutcome") == 0) {
		cJSON_ArrayForEach(is, cJSON_GetObjectItemCaseSensitive(root,
		    "issue")) {
			t = jstr(cJSON_GetObjectItemCaseSensitive(is, "details"),
			    "text");
			if (t == NULL)
				t = jstr(is, "diagnostics");
			if (t == NULL)
				t = jstr(is, "code");
			if (t == NULL)
				continue;
			next = xasprintf("%s%s%s", out != NULL ? out : "",
			    out != NULL ? "; " : "", t);
			free(out);
			out = next;
		}
	}
	cJSON_Delete(root);
	if (out == NULL)
		return NULL;
	if (strlen(out) > max)
		out[max] = '\0';
	/* The server's words reach logs and terminals: no control bytes. */
	for (next = out; *next != '\0'; next++)
		if ((unsigned char)*next < 0x20 || *next == 0x7f)
			*next = ' ';
	return out;
}
