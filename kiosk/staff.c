/*
 * staff.c: what staff mode shows and records, as data and text for a
 * screen to draw: the intake list, one intake's detail, decisions and
 * retention. It reads frozen payloads through the store and never edits
 * them; no terminal or network code here. Names and answers appear only
 * in what it returns to the screen, never in a cause or the audit log.
 */
#include "staff.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "form.h"
#include "store.h"
#include "i18n.h"
#include "util.h"

#define STAFF_DAY_S 86400

/* The form, to show answers as the client saw them, in their language. */
struct staff_form {
	const struct form *form;	/* NULL: values as stored */
	const char *lang;
};

/* Lines of text being built for staff_detail. */
struct staff_lines {
	char **v;
	size_t n, cap;
	int intake_parked;	/* staff_detail: its decisions wait on it */
};

/* What staff_lookup copies out of the store's row for one intake. */
struct staff_intake {
	char id[37];
	char receipt[10];
	char outcome[8];
	char consent[9];
	int64_t completed_at;
	char *payload;		/* NULL once purged */
};

/* Intakes gathered for staff_list, in the store's newest-first order. */
struct staff_gather {
	struct staff_row *rows;
	size_t n, cap;
};

/* Copy src into a fixed field, cut short if it ever were too long. */
static void
staff_copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src != NULL ? src : "");
}

void
staff_when(int64_t t, char out[STAFF_WHEN_LEN])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL ||
	    strftime(out, STAFF_WHEN_LEN, "%Y-%m-%d %H:%M:%S %Z", &tm) == 0)
		snprintf(out, STAFF_WHEN_LEN, "%lld", (long long)t);
}

void
staff_when_rfc3339(const char *rfc, char out[STAFF_WHEN_LEN])
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof tm);
	if (rfc == NULL ||
	    (end = strptime(rfc, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL) {
		snprintf(out, STAFF_WHEN_LEN, "%s", rfc != NULL ? rfc : "?");
		return;
	}
	staff_when((int64_t)timegm(&tm), out);
}

/* The string member key of obj, or NULL when absent or not a string. */
static const char *
staff_json_str(const cJSON *obj, const char *key)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(item) ? item->valuestring : NULL;
}

/* Bytes of the first character of s with any combining accents after it. */
static size_t
staff_first_char(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n, i;

	if (p[0] < 0x80)
		n = 1;
	else if (p[0] >= 0xc0 && p[0] < 0xe0)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] < 0xf0)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] < 0xf8)
		n = 4;
	else
		return 1;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 1;
	}
	/* U+0300-U+036F: a decomposed "Ñ" keeps its tilde. */
	while ((p[n] == 0xcc && (p[n + 1] & 0xc0) == 0x80) ||
	    (p[n] == 0xcd && p[n + 1] >= 0x80 && p[n + 1] <= 0xaf))
		n += 2;
	return n;
}

/*
 * Turn control characters into spaces in place: text from a payload must
 * not move the cursor or talk to the terminal.
 */
static char *
staff_clean(char *s)
{
	unsigned char *p;

	for (p = (unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			*p = ' ';
		else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			p[0] = ' ';	/* C1 controls, CSI among them */
			p[1] = ' ';
		}
	}
	return s;
}

/* "Zoë N." from a payload's client; "(purged)" when the payload is gone. */
static char *
staff_name(const char *payload)
{
	const char *given, *family;
	cJSON *root, *client;
	char *name;
	size_t n;

	if (payload == NULL)
		return xstrdup("(purged)");
	if ((root = cJSON_Parse(payload)) == NULL)
		return xstrdup("(unreadable)");
	client = cJSON_GetObjectItemCaseSensitive(root, "client");
	if ((given = staff_json_str(client, "given_name")) == NULL)
		given = "";
	if ((family = staff_json_str(client, "family_name")) == NULL)
		family = "";
	family += strspn(family, " ");
	n = staff_first_char(family);
	if (*family == '\0' && *given == '\0')
		name = xstrdup("(no name)");
	else if (*family == '\0')
		name = xstrdup(given);
	else
		name = xasprintf("%s%s%.*s.", given, *given != '\0' ? " " : "",
		    (int)n, family);
	cJSON_Delete(root);
	return staff_clean(name);
}

/* One store row as a staff_row, appended to the gather. */
static int
staff_gather_row(const struct store_row *row, void *arg)
{
	struct staff_gather *g = arg;
	struct staff_row *r;

	if (g->n == g->cap) {
		g->cap = g->cap == 0 ? 16 : g->cap * 2;
		g->rows = xrealloc(g->rows, g->cap * sizeof *g->rows);
	}
	r = &g->rows[g->n++];
	memset(r, 0, sizeof *r);
	staff_copy(r->id, sizeof r->id, row->id);
	staff_copy(r->receipt, sizeof r->receipt, row->receipt);
	staff_copy(r->outcome, sizeof r->outcome, row->outcome);
	staff_copy(r->sync, sizeof r->sync, row->sync_state);
	r->completed_at = row->completed_at;
	r->name = staff_name(row->payload);
	r->decision = xstrdup(row->decision != NULL ? row->decision : "");
	r->consent_declined = strcmp(row->consent, "declined") == 0;
	return 0;
}

/* The list position of an outcome: exclusions first, then reviews. */
static int
staff_group(const char *outcome)
{
	if (strcmp(outcome, "exclude") == 0)
		return 0;
	if (strcmp(outcome, "review") == 0)
		return 1;
	if (strcmp(outcome, "clear") == 0)
		return 2;
	return 3;
}

int
staff_list(struct store *s, int64_t since, struct staff_row **rows, size_t *n,
    char **cause)
{
	struct staff_gather g = { NULL, 0, 0 };
	struct staff_row *out;
	size_t i, o = 0;
	int group;

	*rows = NULL;
	*n = 0;
	if (store_each_intake(s, since, staff_gather_row, &g, cause) != 0) {
		staff_rows_free(g.rows, g.n);
		return -1;
	}
	/* One pass per group keeps the store's newest-first order within. */
	out = xcalloc(g.n, sizeof *out);
	for (group = 0; group <= 3; group++) {
		for (i = 0; i < g.n; i++) {
			if (staff_group(g.rows[i].outcome) == group)
				out[o++] = g.rows[i];
		}
	}
	free(g.rows);
	*rows = out;
	*n = o;
	return 0;
}

void
staff_rows_free(struct staff_row *rows, size_t n)
{
	size_t i;

	if (rows == NULL)
		return;
	for (i = 0; i < n; i++) {
		wipe_free(rows[i].name);
		free(rows[i].decision);
	}
	free(rows);
}

/*
 * A typed receipt as stored: upper case, no '-' or spaces, and the
 * letters Crockford's alphabet leaves out read as the digits they look
 * like (O as 0, I and L as 1). NULL when key cannot be a receipt.
 */
static char *
staff_receipt_key(const char *key)
{
	char *out = xcalloc(1, strlen(key) + 1), *o = out, c;

	for (; *key != '\0'; key++) {
		c = *key;
		if (c == '-' || c == ' ')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c == 'O')
			c = '0';
		else if (c == 'I' || c == 'L')
			c = '1';
		*o++ = c;
	}
	if (o == out) {
		free(out);
		return NULL;
	}
	return out;
}

long
staff_find(const struct staff_row *rows, size_t n, const char *key)
{
	char *want, *have;
	long found = -1;
	size_t i;

	if (key == NULL || (want = staff_receipt_key(key)) == NULL)
		return -1;
	for (i = 0; i < n && found < 0; i++) {
		if (strcasecmp(rows[i].id, key) == 0)
			found = (long)i;
		else if ((have = staff_receipt_key(rows[i].receipt)) != NULL) {
			if (strcmp(have, want) == 0)
				found = (long)i;
			free(have);
		}
	}
	free(want);
	return found;
}

/* store_each_intake callback: copy the row whose id is arg's. */
static int
staff_lookup_row(const struct store_row *row, void *arg)
{
	struct staff_intake *in = arg;

	if (strcmp(row->id, in->id) != 0)
		return 0;
	staff_copy(in->receipt, sizeof in->receipt, row->receipt);
	staff_copy(in->outcome, sizeof in->outcome, row->outcome);
	staff_copy(in->consent, sizeof in->consent, row->consent);
	in->completed_at = row->completed_at;
	in->payload = row->payload != NULL ? xstrdup(row->payload) : NULL;
	return 1;
}

/*
 * Find the intake whose id is id: 1 found (free in->payload with
 * wipe_free), 0 none, -1 on a store error.
 */
static int
staff_lookup(struct store *s, const char *id, struct staff_intake *in,
    char **cause)
{
	memset(in, 0, sizeof *in);
	if (strlen(id) >= sizeof in->id)
		return 0;
	staff_copy(in->id, sizeof in->id, id);
	return store_each_intake(s, INT64_MIN, staff_lookup_row, in, cause);
}

/* Append a formatted line, made safe for the screen by staff_clean. */
static void
staff_add(struct staff_lines *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
staff_add(struct staff_lines *l, const char *fmt, ...)
{
	va_list ap;
	char *line;

	va_start(ap, fmt);
	line = xvasprintf(fmt, ap);
	va_end(ap);
	staff_clean(line);
	if (l->n == l->cap) {
		l->cap = l->cap == 0 ? 32 : l->cap * 2;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n++] = line;
}

/*
 * One value as the client saw it: a choice's option label (yes/no
 * questions' too) in the intake's language, else the value itself.
 */
static const char *
staff_label(const struct staff_form *sf, const char *id, const char *code)
{
	const struct form_item *it;
	long i;
	size_t o;

	if (sf == NULL || sf->form == NULL || id == NULL ||
	    (i = form_item_index(sf->form, id)) < 0)
		return code;
	it = &sf->form->items[i];
	for (o = 0; o < it->noptions; o++) {
		if (strcmp(it->options[o].code, code) == 0)
			return form_text(&it->options[o].label, sf->lang);
	}
	if (it->type == ITEM_BOOLEAN)
		return strcmp(code, "yes") == 0 ? _("Yes") : strcmp(code, "no") ==
		    0 ? _("No") : strcmp(code, "not_sure") == 0 ? _("Not sure") :
		    code;
	return code;
}

/* An answer's value as text: a multiple choice's labels joined by ", ". */
static char *
staff_value(const struct staff_form *sf, const char *id, const cJSON *v)
{
	const cJSON *e;
	char *out, *old;

	if (cJSON_IsString(v))
		return xstrdup(staff_label(sf, id, v->valuestring));
	if (cJSON_IsBool(v))
		return xstrdup(cJSON_IsTrue(v) ? "yes" : "no");
	if (cJSON_IsNumber(v))
		return xasprintf("%g", v->valuedouble);
	if (!cJSON_IsArray(v))
		return xstrdup(_("(no answer)"));
	out = xstrdup("");
	cJSON_ArrayForEach(e, v) {
		old = out;
		out = xasprintf("%s%s%s", old, *old != '\0' ? ", " : "",
		    cJSON_IsString(e) ? staff_label(sf, id, e->valuestring) :
		    "?");
		wipe_free(old);
	}
	return out;
}

/* "[EXCLUDE CODE] reason" lines, indented, for the flags on item. */
static void
staff_add_flags(struct staff_lines *l, const cJSON *flags, char *shown,
    const char *item)
{
	const cJSON *f;
	const char *level, *code, *reason, *on;
	char upper[16];
	size_t i = 0, j;

	cJSON_ArrayForEach(f, flags) {
		on = staff_json_str(f, "item");
		if (!shown[i] && (item == NULL || (on != NULL &&
		    strcmp(on, item) == 0))) {
			shown[i] = 1;
			if ((level = staff_json_str(f, "level")) == NULL)
				level = "flag";
			for (j = 0; level[j] != '\0' && j < sizeof upper - 1;
			    j++)
				upper[j] = (level[j] >= 'a' && level[j] <= 'z') ?
				    (char)(level[j] - 'a' + 'A') : level[j];
			upper[j] = '\0';
			code = staff_json_str(f, "code");
			reason = staff_json_str(f, "reason");
			staff_add(l, "    [%s %s] %s", upper,
			    code != NULL ? code : "?",
			    reason != NULL ? reason : "");
		}
		i++;
	}
}

/* Client details first, each with the flags raised on it. */
static void
staff_detail_client(struct staff_lines *l, const cJSON *root,
    const cJSON *flags, char *shown)
{
	static const struct {
		const char *key, *label;
	} fields[] = {
		{ "given_name", N_("Given name") },
		{ "family_name", N_("Family name") },
		{ "birth_date", N_("Birth date") },
		{ "phone", N_("Phone") },
		{ "email", N_("Email") },
	};
	const cJSON *client = cJSON_GetObjectItemCaseSensitive(root, "client");
	const char *v;
	size_t i;

	for (i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		v = staff_json_str(client, fields[i].key);
		staff_add(l, "%s: %s", _(fields[i].label), v != NULL ? v : "-");
		staff_add_flags(l, flags, shown, fields[i].key);
	}
}

/* Every answer as given, question text first, flags on the next line. */
static void
staff_detail_answers(struct staff_lines *l, const struct staff_form *sf,
    const cJSON *root, const cJSON *flags, char *shown)
{
	const cJSON *answers, *a;
	const char *text, *id;
	char *value;
	size_t len, i;

	answers = cJSON_GetObjectItemCaseSensitive(root, "answers");
	staff_add(l, "%s", _("Answers:"));
	cJSON_ArrayForEach(a, answers) {
		id = staff_json_str(a, "id");
		if ((text = staff_json_str(a, "text")) == NULL)
			text = id != NULL ? id : "?";
		value = staff_value(sf, id, cJSON_GetObjectItemCaseSensitive(a,
		    "value"));
		len = strlen(text);
		/* "Are you pregnant? yes", "Skin type: oily". */
		staff_add(l, "  %s%s %s", text, len > 0 &&
		    (text[len - 1] == '?' || text[len - 1] == ':') ? "" : ":",
		    value);
		wipe_free(value);
		if (id != NULL)
			staff_add_flags(l, flags, shown, id);
	}
	/* A flag on no listed answer must still reach staff. */
	for (i = 0; i < (size_t)cJSON_GetArraySize(flags); i++) {
		if (!shown[i]) {
			staff_add(l, "%s", _("Other flags:"));
			staff_add_flags(l, flags, shown, NULL);
			break;
		}
	}
}

/* The consent evidence: status, text, each clause, the signature. */
static void
staff_detail_consent(struct staff_lines *l, const cJSON *root,
    const char *status)
{
	const cJSON *consent, *clauses, *c;
	const char *v, *ver, *lang, *sha, *id;
	char when[STAFF_WHEN_LEN];

	consent = cJSON_GetObjectItemCaseSensitive(root, "consent");
	if ((v = staff_json_str(consent, "status")) != NULL)
		status = v;
	ver = staff_json_str(consent, "version");
	lang = staff_json_str(consent, "language");
	sha = staff_json_str(consent, "text_sha256");
	staff_add(l, _("Consent: %s, version %s, language %s, text SHA-256 %s"),
	    status, ver != NULL ? ver : "?", lang != NULL ? lang : "?",
	    sha != NULL ? sha : "?");
	clauses = cJSON_GetObjectItemCaseSensitive(consent, "clauses");
	cJSON_ArrayForEach(c, clauses) {
		id = staff_json_str(c, "id");
		staff_when_rfc3339(staff_json_str(c, "accepted_at"), when);
		staff_add(l, _("  %s accepted %s"), id != NULL ? id : "?", when);
	}
	if (strcmp(status, "accepted") == 0) {
		v = staff_json_str(consent, "signature");
		staff_when_rfc3339(staff_json_str(consent, "signed_at"), when);
		staff_add(l, _("Signature: %s at %s"), v != NULL ? v : _("(none)"),
		    when);
	}
}

/* The payload's part of the detail: client, answers, consent. */
static void
staff_detail_payload(struct staff_lines *l, const struct form *form,
    const struct staff_intake *in)
{
	struct staff_form form_lang = { form, NULL }, *sf = &form_lang;
	const cJSON *flags;
	cJSON *root;
	char *shown;
	char when[STAFF_WHEN_LEN];

	staff_when(in->completed_at, when);
	if (in->payload == NULL) {
		staff_add(l, _("Receipt %s, completed %s, outcome %s"), in->receipt,
		    when, in->outcome);
		staff_add(l, "%s", _("Personal data removed after the retention "
		    "period (purged)."));
		return;
	}
	if ((root = cJSON_Parse(in->payload)) == NULL) {
		staff_add(l, _("Receipt %s, completed %s, outcome %s"), in->receipt,
		    when, in->outcome);
		staff_add(l, "%s", _("The stored record cannot be read."));
		return;
	}
	if ((form_lang.lang = staff_json_str(root, "language")) == NULL &&
	    form != NULL && form->nlanguages > 0)
		form_lang.lang = form->languages[0];
	flags = cJSON_GetObjectItemCaseSensitive(root, "flags");
	shown = xcalloc((size_t)cJSON_GetArraySize(flags) + 1, 1);
	staff_detail_client(l, root, flags, shown);
	staff_add(l, _("Receipt %s, completed %s, outcome %s"), in->receipt, when,
	    in->outcome);
	staff_add(l, "%s", "");
	staff_detail_answers(l, sf, root, flags, shown);
	staff_add(l, "%s", "");
	staff_detail_consent(l, root, in->consent);
	free(shown);
	cJSON_Delete(root);
}

/* "sent, 3 attempts, receipt srv-1" and the like. */
static char *
staff_sync_text(const struct store_sync_info *info)
{
	char *text, *old;
	char when[STAFF_WHEN_LEN];

	text = xasprintf("%s, %ld attempt%s", info->state, info->attempts,
	    info->attempts == 1 ? "" : "s");
	if (info->server_receipt != NULL) {
		old = text;
		text = xasprintf("%s, receipt %s", old, info->server_receipt);
		free(old);
	}
	if (strcmp(info->state, "pending") == 0 && info->attempts > 0) {
		staff_when(info->next_attempt_at, when);
		old = text;
		text = xasprintf("%s, next try %s", old, when);
		free(old);
	}
	if (info->last_error != NULL) {
		old = text;
		text = xasprintf("%s, last error: %s", old, info->last_error);
		free(old);
	}
	return text;
}

/* The intake's own sync history. */
static int
staff_detail_sync(struct staff_lines *l, struct store *s, const char *id,
    char **cause)
{
	struct store_sync_info info;
	char *text;
	int rc;

	if ((rc = store_sync_info(s, STORE_INTAKE, id, &info, cause)) < 0)
		return -1;
	if (rc == 0) {
		staff_add(l, "Sync: unknown");
		return 0;
	}
	text = staff_sync_text(&info);
	staff_add(l, "Sync: %s", text);
	free(text);
	l->intake_parked = strcmp(info.state, "parked") == 0;
	store_sync_info_free(&info);
	return 0;
}

/* store_each_review callback: one decision line with its sync state. */
static int
staff_decision_line(const struct store_review *r, void *arg)
{
	struct staff_lines *l = arg;
	char when[STAFF_WHEN_LEN];

	staff_when(r->decided_at, when);
	/* A decision cannot go before its intake: say so when that is parked. */
	staff_add(l, "  %s  %s: %s%s%s (sync: %s)", when, r->staff, r->decision,
	    r->note != NULL && *r->note != '\0' ? " — " : "",
	    r->note != NULL ? r->note : "",
	    r->sync_state == NULL ? "?" : l->intake_parked &&
	    strcmp(r->sync_state, "pending") == 0 ? "waiting: the check-in "
	    "is parked; requeue it to send both" : r->sync_state);
	return 0;
}

int
staff_requeue(struct store *s, const char *id, const char *staff,
    int64_t now, long *n, char **cause)
{
	if (staff == NULL || *staff == '\0') {
		*cause = xstrdup("requeue: no staff member signed in");
		return -1;
	}
	return store_requeue(s, id, staff, now, n, cause);
}

int
staff_detail(struct store *s, const struct form *form, const char *intake_id,
    char ***lines, size_t *n, char **cause)
{
	struct staff_lines l = { NULL, 0, 0, 0 };
	struct staff_intake in;
	size_t before;
	int rc, rv = -1;

	*lines = NULL;
	*n = 0;
	if ((rc = staff_lookup(s, intake_id, &in, cause)) < 0)
		goto out;
	if (rc == 0) {
		*cause = xasprintf("no intake %s", intake_id);
		goto out;
	}
	staff_detail_payload(&l, form, &in);
	staff_add(&l, "%s", "");
	if (staff_detail_sync(&l, s, in.id, cause) != 0)
		goto out;
	staff_add(&l, "Decisions:");
	before = l.n;
	if (store_each_review(s, in.id, staff_decision_line, &l, cause) != 0)
		goto out;
	if (l.n == before)
		staff_add(&l, "  none yet");
	rv = 0;
out:
	wipe_free(in.payload);
	if (rv != 0) {
		staff_lines_free(l.v, l.n);
		return -1;
	}
	*lines = l.v;
	*n = l.n;
	return 0;
}

int
staff_exclusions(struct store *s, const char *intake_id, char **text,
    char **cause)
{
	struct staff_intake in;
	const cJSON *f, *flags;
	const char *level, *code, *reason;
	cJSON *root;
	char *old;
	int rc;

	*text = NULL;
	if ((rc = staff_lookup(s, intake_id, &in, cause)) <= 0)
		return rc;
	if (in.payload == NULL || (root = cJSON_Parse(in.payload)) == NULL) {
		wipe_free(in.payload);
		return 0;
	}
	flags = cJSON_GetObjectItemCaseSensitive(root, "flags");
	cJSON_ArrayForEach(f, flags) {
		level = staff_json_str(f, "level");
		if (level == NULL || strcmp(level, "exclude") != 0)
			continue;
		code = staff_json_str(f, "code");
		reason = staff_json_str(f, "reason");
		old = *text;
		*text = xasprintf("%s%s%s (%s)", old != NULL ? old : "",
		    old != NULL ? "; " : "", code != NULL ? code : "?",
		    reason != NULL ? reason : "");
		free(old);
	}
	if (*text != NULL)
		staff_clean(*text);
	cJSON_Delete(root);
	wipe_free(in.payload);
	return 0;
}

void
staff_lines_free(char **lines, size_t n)
{
	size_t i;

	if (lines == NULL)
		return;
	for (i = 0; i < n; i++)
		wipe_free(lines[i]);
	free(lines);
}

/* Whether word is one of the decisions the wire format knows. */
static int
staff_decision_known(const char *word)
{
	return word != NULL && (strcmp(word, "cleared") == 0 ||
	    strcmp(word, "declined") == 0 || strcmp(word, "consult") == 0);
}

/* The POST /reviews body (docs/wire-format.md). */
static char *
staff_review_payload(const struct store_review *r)
{
	cJSON *root = cJSON_CreateObject();
	char when[21], *json;

	if (root == NULL)
		fatalx(EXIT_SOFTWARE, "out of memory");
	time_rfc3339(r->decided_at, when);
	cJSON_AddStringToObject(root, "id", r->id);
	cJSON_AddStringToObject(root, "intake_id", r->intake_id);
	cJSON_AddStringToObject(root, "decision", r->decision);
	if (r->note == NULL)
		cJSON_AddNullToObject(root, "note");
	else
		cJSON_AddStringToObject(root, "note", r->note);
	cJSON_AddStringToObject(root, "staff", r->staff);
	cJSON_AddStringToObject(root, "decided_at", when);
	json = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (json == NULL)
		fatalx(EXIT_SOFTWARE, "out of memory");
	return json;
}

int
staff_decide(struct store *s, const char *intake_id, const char *decision,
    const char *note, const char *staff, int64_t now, char review_id[37],
    char **cause)
{
	struct store_review r;
	struct staff_intake in;
	char id[37], *json = NULL;
	int rc, rv = -1;

	memset(&in, 0, sizeof in);
	if (!staff_decision_known(decision)) {
		*cause = xasprintf("unknown decision \"%s\" (cleared, declined "
		    "or consult)", decision != NULL ? decision : "");
		goto out;
	}
	if (staff == NULL || *staff == '\0') {
		*cause = xstrdup("a decision needs the staff member's name");
		goto out;
	}
	if (note != NULL && !utf8_valid_text(note, strlen(note))) {
		*cause = xstrdup("the note holds characters that are not text");
		goto out;
	}
	if ((rc = staff_lookup(s, intake_id, &in, cause)) < 0)
		goto out;
	if (rc == 0) {
		*cause = xasprintf("no intake %s", intake_id);
		goto out;
	}
	/* Retention already ran: a note now would outlive its intake's. */
	if (in.payload == NULL) {
		*cause = xasprintf("intake %s was purged; no decision can be "
		    "recorded", intake_id);
		goto out;
	}
	if (uuid_v4(id) != 0) {
		*cause = xstrdup("cannot make a review id: no randomness");
		goto out;
	}
	memset(&r, 0, sizeof r);
	r.id = id;
	r.intake_id = in.id;
	r.decision = decision;
	r.note = note != NULL && *note != '\0' ? note : NULL;
	r.staff = staff;
	r.decided_at = now;
	json = staff_review_payload(&r);
	r.payload = json;
	if (store_put_review(s, &r, cause) != 0)
		goto out;
	memcpy(review_id, id, sizeof id);
	rv = 0;
out:
	wipe_free(in.payload);
	wipe_free(json);
	return rv;
}

int
staff_purge(struct store *s, int days, int64_t now, long *purged,
    char **cause)
{
	*purged = 0;
	if (days < 0) {
		*cause = xasprintf("retention of %d days: must not be negative",
		    days);
		return -1;
	}
	return store_purge(s, now - (int64_t)days * STAFF_DAY_S, now, purged,
	    cause);
}
