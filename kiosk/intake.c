/*
 * intake.c: a client's check-in from the first page to the frozen record.
 * Builds the wire-format payload with cJSON and hands it to the store; it
 * never talks to the terminal or the network. Personal data lives only in
 * the answers and the signature, and intake_free wipes both.
 */
#include "intake.h"

#include <iconv.h>
#include <stdio.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include <cjson/cJSON.h>

#include "store.h"
#include "i18n.h"
#include "util.h"

/* Crockford's base32: no I, L, O or U, so a receipt reads unambiguously. */
static const char receipt_alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

void
intake_receipt(const char *id, char out[10])
{
	unsigned long bits = 0;
	int i, o = 0;

	/* 30 bits of the id's first 32 (the version nibble comes later). */
	if (sscanf(id, "%8lx", &bits) != 1)
		bits = 0;
	bits >>= 2;
	for (i = 5; i >= 0; i--) {
		out[o++] = receipt_alphabet[(bits >> (5 * i)) & 31];
		if (i == 3)
			out[o++] = '-';
	}
	out[o] = '\0';
}

struct intake *
intake_new(const struct form *form, const char *language, int64_t now)
{
	struct intake *in = xcalloc(1, sizeof *in);
	size_t i;

	in->form = form;
	in->language = form->languages[0];
	for (i = 0; i < form->nlanguages; i++) {
		if (language != NULL && strcmp(form->languages[i], language) == 0)
			in->language = form->languages[i];
	}
	if (uuid_v4(in->id) != 0) {
		free(in);
		return NULL;
	}
	intake_receipt(in->id, in->receipt);
	in->started_at = now;
	in->answers = answers_new(form);
	in->clause_at = xcalloc(form->consent.nclauses + 1, sizeof *in->clause_at);
	return in;
}

void
intake_free(struct intake *in)
{
	if (in == NULL)
		return;
	answers_free(in->answers);
	wipe_free(in->signature);
	free(in->clause_at);
	explicit_bzero(in, sizeof *in);
	free(in);
}

/* The answer to the item that fills client field f, or "". */
static const char *
client_value(const struct intake *in, enum client_field f)
{
	const struct form *form = in->form;
	const char *v;
	size_t i;

	for (i = 0; i < form->nitems; i++) {
		if (form->items[i].client != f)
			continue;
		v = answers_get(in->answers, i);
		return v == NULL ? "" : v;
	}
	return "";
}

const char *
intake_given_name(const struct intake *in)
{
	return client_value(in, CLIENT_GIVEN_NAME);
}

const char *
intake_family_name(const struct intake *in)
{
	return client_value(in, CLIENT_FAMILY_NAME);
}

/* Append one code point of src, folded for comparison, to dst. */
static void
fold_char(iconv_t cd, const char *src, size_t len, char **dst, size_t *left)
{
	char buf[16], *ip = (char *)src, *op = buf;
	size_t il = len, ol = sizeof buf, n;

	if (len == 1) {
		n = 1;
		buf[0] = (char)towlower((unsigned char)src[0]);
	} else if (cd != (iconv_t)-1 &&
	    iconv(cd, &ip, &il, &op, &ol) != (size_t)-1 &&
	    memchr(buf, '?', (size_t)(op - buf)) == NULL) {
		n = (size_t)(op - buf);	/* transliterated: ë -> e */
		for (size_t i = 0; i < n; i++)
			buf[i] = (char)towlower((unsigned char)buf[i]);
	} else {
		n = len;		/* no Latin form (李): keep as is */
		memcpy(buf, src, len);
	}
	if (cd != (iconv_t)-1)
		iconv(cd, NULL, NULL, NULL, NULL);
	if (n < *left) {
		memcpy(*dst, buf, n);
		*dst += n;
		*left -= n;
	}
}

/*
 * Fold a name for comparison: lower case, accents removed (through
 * glibc's transliteration), runs of white space made one space, trimmed.
 */
static char *
fold_name(const char *s)
{
	size_t cap = strlen(s) * 4 + 8, left = cap - 1, len;
	char *out = xcalloc(1, cap), *o = out;
	locale_t loc, old = (locale_t)0;
	iconv_t cd;
	const unsigned char *p = (const unsigned char *)s;
	int space = 1;

	loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	if (loc != (locale_t)0)
		old = uselocale(loc);
	cd = iconv_open("ASCII//TRANSLIT", "UTF-8");
	while (*p != '\0') {
		if (*p == ' ' || *p == '\t') {
			if (!space && left > 1) {
				*o++ = ' ';
				left--;
			}
			space = 1;
			p++;
			continue;
		}
		len = 1;
		while ((p[len] & 0xc0) == 0x80)
			len++;
		/* A combining mark on its own folds to nothing. */
		if (!(len == 2 && p[0] == 0xcc) && !(len == 2 && p[0] == 0xcd &&
		    p[1] < 0xb0))
			fold_char(cd, (const char *)p, len, &o, &left);
		p += len;
		space = 0;
	}
	while (o > out && o[-1] == ' ')
		o--;
	*o = '\0';
	if (cd != (iconv_t)-1)
		iconv_close(cd);
	if (loc != (locale_t)0) {
		uselocale(old);
		freelocale(loc);
	}
	return out;
}

bool
intake_signature_matches(const struct intake *in, const char *signature)
{
	const char *given = intake_given_name(in);
	const char *family = intake_family_name(in);
	char *sig, *a, *b, *c, *d, *tmp;
	bool ok;

	if (*given == '\0' || *family == '\0')
		return false;
	sig = fold_name(signature);
	tmp = xasprintf("%s %s", given, family);
	a = fold_name(tmp);
	wipe_free(tmp);
	tmp = xasprintf("%s %s", family, given);
	b = fold_name(tmp);
	wipe_free(tmp);
	/* Names written without a space between them, as in 李小龍. */
	tmp = xasprintf("%s%s", family, given);
	c = fold_name(tmp);
	wipe_free(tmp);
	tmp = xasprintf("%s%s", given, family);
	d = fold_name(tmp);
	wipe_free(tmp);
	ok = strcmp(sig, a) == 0 || strcmp(sig, b) == 0 ||
	    strcmp(sig, c) == 0 || strcmp(sig, d) == 0;
	wipe_free(sig);
	wipe_free(a);
	wipe_free(b);
	wipe_free(c);
	wipe_free(d);
	return ok;
}

int
intake_sign(struct intake *in, const char *signature, int64_t now, char **msg)
{
	if (*signature == '\0') {
		*msg = xstrdup(_("Please type your first and last name to "
		    "sign."));
		return -1;
	}
	if (!utf8_valid_text(signature, strlen(signature)) ||
	    !intake_signature_matches(in, signature)) {
		*msg = xstrdup(_("Please type the name you entered on the "
		    "first page: your first and last name."));
		return -1;
	}
	wipe_free(in->signature);
	in->signature = xstrdup(signature);
	in->signed_at = now;
	return 0;
}

/* Add a string member, or null when s is NULL or empty. */
static void
add_str(cJSON *obj, const char *key, const char *s)
{
	if (s == NULL || *s == '\0')
		cJSON_AddNullToObject(obj, key);
	else
		cJSON_AddStringToObject(obj, key, s);
}

static void
add_time(cJSON *obj, const char *key, int64_t t)
{
	char buf[21];

	if (t == 0) {
		cJSON_AddNullToObject(obj, key);
		return;
	}
	time_rfc3339(t, buf);
	cJSON_AddStringToObject(obj, key, buf);
}

/* A time with milliseconds: the order of completions within a second. */
static void
add_time_ms(cJSON *obj, const char *key, int64_t ms)
{
	char buf[25];

	time_rfc3339_ms(ms, buf);
	cJSON_AddStringToObject(obj, key, buf);
}

/* An answer's wire value: the codes as an array for a multiple choice. */
static cJSON *
answer_value(const struct form_item *item, const char *v)
{
	cJSON *arr;
	const char *p, *comma;

	if (!(item->type == ITEM_CHOICE && item->multiple))
		return cJSON_CreateString(v);
	arr = cJSON_CreateArray();
	for (p = v; *p != '\0'; p = *comma ? comma + 1 : comma) {
		comma = strchr(p, ',');
		if (comma == NULL)
			comma = p + strlen(p);
		if (comma > p) {
			char *code = xstrndup(p, (size_t)(comma - p));

			cJSON_AddItemToArray(arr, cJSON_CreateString(code));
			free(code);
		}
	}
	return arr;
}

static cJSON *
payload_client(const struct intake *in)
{
	cJSON *c = cJSON_CreateObject();

	add_str(c, "given_name", client_value(in, CLIENT_GIVEN_NAME));
	add_str(c, "family_name", client_value(in, CLIENT_FAMILY_NAME));
	add_str(c, "birth_date", client_value(in, CLIENT_BIRTH_DATE));
	add_str(c, "phone", client_value(in, CLIENT_PHONE));
	add_str(c, "email", client_value(in, CLIENT_EMAIL));
	return c;
}

static cJSON *
payload_answers(const struct intake *in)
{
	const struct form *form = in->form;
	cJSON *arr = cJSON_CreateArray(), *a;
	const struct form_item *item;
	const char *v;
	size_t i;

	for (i = 0; i < form->nitems; i++) {
		item = &form->items[i];
		if (item->type == ITEM_DISPLAY || item->client != CLIENT_NONE ||
		    !form_item_enabled(form, in->answers, i))
			continue;
		if ((v = answers_get(in->answers, i)) == NULL)
			continue;
		a = cJSON_CreateObject();
		cJSON_AddStringToObject(a, "id", item->id);
		cJSON_AddStringToObject(a, "text",
		    form_text(&item->text, in->language));
		cJSON_AddItemToObject(a, "value", answer_value(item, v));
		cJSON_AddItemToArray(arr, a);
	}
	return arr;
}

static cJSON *
payload_flags(struct intake *in, struct kdate today)
{
	const struct form *form = in->form;
	cJSON *arr = cJSON_CreateArray(), *f;
	struct flag_hit *hits = NULL;
	size_t n, i;

	n = form_evaluate(form, in->answers, today, &hits, &in->outcome);
	for (i = 0; i < n; i++) {
		f = cJSON_CreateObject();
		cJSON_AddStringToObject(f, "code", hits[i].code);
		cJSON_AddStringToObject(f, "level",
		    form_level_name(hits[i].level));
		cJSON_AddStringToObject(f, "reason", hits[i].reason);
		cJSON_AddStringToObject(f, "item", form->items[hits[i].item].id);
		cJSON_AddItemToArray(arr, f);
	}
	flags_free(hits, n);
	return arr;
}

static cJSON *
payload_consent(const struct intake *in)
{
	const struct form_consent *fc = &in->form->consent;
	const char *lang = in->consent_language != NULL ?
	    in->consent_language : in->language;
	const char *text = form_text(&fc->text, lang);
	cJSON *c = cJSON_CreateObject(), *arr, *cl;
	char sha[65];
	size_t i;

	cJSON_AddStringToObject(c, "status",
	    in->consent == CONSENT_ACCEPTED ? "accepted" : "declined");
	cJSON_AddStringToObject(c, "version", fc->version);
	cJSON_AddStringToObject(c, "language", lang);
	cJSON_AddStringToObject(c, "text", text);
	sha256_hex(text, strlen(text), sha);
	cJSON_AddStringToObject(c, "text_sha256", sha);
	arr = cJSON_AddArrayToObject(c, "clauses");
	for (i = 0; i < fc->nclauses; i++) {
		if (in->clause_at[i] == 0)
			continue;
		cl = cJSON_CreateObject();
		cJSON_AddStringToObject(cl, "id", fc->clauses[i].id);
		add_time(cl, "accepted_at", in->clause_at[i]);
		cJSON_AddItemToArray(arr, cl);
	}
	add_str(c, "signature",
	    in->consent == CONSENT_ACCEPTED ? in->signature : NULL);
	add_time(c, "signed_at",
	    in->consent == CONSENT_ACCEPTED ? in->signed_at : 0);
	return c;
}

char *
intake_payload(struct intake *in, const char *kiosk_id, struct kdate today)
{
	cJSON *root = cJSON_CreateObject(), *f;
	char *json, *out;

	if (root == NULL)
		fatalx(EXIT_SOFTWARE, "out of memory");
	cJSON_AddStringToObject(root, "schema", "kiosk.intake/1");
	cJSON_AddStringToObject(root, "id", in->id);
	cJSON_AddStringToObject(root, "receipt", in->receipt);
	cJSON_AddStringToObject(root, "kiosk_id", kiosk_id);
	add_time(root, "started_at", in->started_at);
	add_time_ms(root, "completed_at", in->completed_ms);
	cJSON_AddStringToObject(root, "language", in->language);
	f = cJSON_AddObjectToObject(root, "form");
	cJSON_AddStringToObject(f, "id", in->form->id);
	cJSON_AddStringToObject(f, "version", in->form->version);
	cJSON_AddItemToObject(root, "client", payload_client(in));
	cJSON_AddItemToObject(root, "answers", payload_answers(in));
	cJSON_AddItemToObject(root, "flags", payload_flags(in, today));
	cJSON_AddStringToObject(root, "outcome", form_level_name(in->outcome));
	cJSON_AddItemToObject(root, "consent", payload_consent(in));
	json = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (json == NULL)
		fatalx(EXIT_SOFTWARE, "out of memory");
	/* cJSON's buffer is freed with cJSON_free; hand back a libc copy. */
	out = xstrdup(json);
	explicit_bzero(json, strlen(json));
	cJSON_free(json);
	return out;
}

int
intake_commit(struct intake *in, struct store *st, const char *kiosk_id,
    int64_t now_ms, struct kdate today, char **cause)
{
	struct store_intake rec;
	char *payload;
	int rc;

	if (in->consent == CONSENT_NONE) {
		*cause = xasprintf("intake %s: consent neither given nor "
		    "declined", in->id);
		return -1;
	}
	in->completed_ms = now_ms;
	payload = intake_payload(in, kiosk_id, today);
	rec.id = in->id;
	rec.receipt = in->receipt;
	rec.outcome = form_level_name(in->outcome);
	rec.consent = in->consent == CONSENT_ACCEPTED ? "accepted" : "declined";
	rec.completed_ms = now_ms;
	rec.payload = payload;
	rc = store_put_intake(st, &rec, cause);
	wipe_free(payload);
	return rc;
}
