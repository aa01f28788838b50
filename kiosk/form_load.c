/*
 * form_load.c: the form loader. Reads a clinic-editable form
 * (docs/forms.md) and refuses anything it does not understand, so a typo
 * can never silently disable a rule. Every error names the file and the
 * place in it. What a loaded form does with answers is form.c's.
 */
#include "form.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "jsonfile.h"
#include "util.h"

#define FORM_LENGTH_DEFAULT	100
#define FORM_LENGTH_MAX		1000
#define FORM_DAYS_MAX		36600
#define FORM_YEARS_MAX		200
#define FORM_LOC_MAX		320
#define FORM_SUBLOC_MAX		(FORM_LOC_MAX + 40)	/* LOC: key[N] */

/* Where a test case's "today" falls when it names none. */
static const struct kdate form_case_today = { 2026, 1, 1 };

/* Loader state: the form being built and the first error. */
struct loader {
	struct form		*f;
	const cJSON		*sections;	/* raw: "later" or "missing"? */
	char			*cause;
};

enum pattern {
	PAT_ID,		/* [a-z0-9_]+ */
	PAT_FORM_ID,	/* [a-z0-9_-]+ */
	PAT_CODE,	/* [A-Z0-9_]+ */
};

static const char *const pattern_names[] = {
	[PAT_ID] = "[a-z0-9_]+",
	[PAT_FORM_ID] = "[a-z0-9_-]+",
	[PAT_CODE] = "[A-Z0-9_]+",
};

static const char *const type_names[] = {
	[ITEM_DISPLAY] = "display",
	[ITEM_STRING] = "string",
	[ITEM_DATE] = "date",
	[ITEM_BOOLEAN] = "boolean",
	[ITEM_CHOICE] = "choice",
	[ITEM_PHONE] = "phone",
	[ITEM_EMAIL] = "email",
};
#define NTYPES (sizeof type_names / sizeof type_names[0])

static const char *const client_names[] = {
	[CLIENT_NONE] = "",
	[CLIENT_GIVEN_NAME] = "given_name",
	[CLIENT_FAMILY_NAME] = "family_name",
	[CLIENT_BIRTH_DATE] = "birth_date",
	[CLIENT_PHONE] = "phone",
	[CLIENT_EMAIL] = "email",
};
#define NCLIENT (sizeof client_names / sizeof client_names[0])

/* The item type each client field needs. */
static const enum item_type client_types[] = {
	[CLIENT_NONE] = ITEM_DISPLAY,
	[CLIENT_GIVEN_NAME] = ITEM_STRING,
	[CLIENT_FAMILY_NAME] = ITEM_STRING,
	[CLIENT_BIRTH_DATE] = ITEM_DATE,
	[CLIENT_PHONE] = ITEM_PHONE,
	[CLIENT_EMAIL] = ITEM_EMAIL,
};

static const char *const top_keys[] = {
	"id", "version", "languages", "clinic", "title", "about_title",
	"about", "aftercare", "sections", "consent", "tests", "url", NULL
};
static const char *const section_keys[] = {
	"id", "title", "one_per_page", "items", NULL
};
static const char *const option_keys[] = { "code", "label", NULL };
static const char *const cond_keys[] = { "item", "equals", NULL };
static const char *const consent_keys[] = {
	"version", "title", "text", "clauses", "signature", NULL
};
static const char *const clause_keys[] = { "id", "text", NULL };
static const char *const case_keys[] = {
	"name", "today", "answers", "outcome", "flags", NULL
};

static const char *const item_keys_all[] = {
	"id", "type", "text", "help", "required", "client", "max_length",
	"past", "max_years_ago", "not_sure", "options", "multiple",
	"enable_when", "flag", NULL
};
static const char *const display_keys[] = {
	"id", "type", "text", "enable_when", NULL
};
static const char *const string_keys[] = {
	"id", "type", "text", "help", "required", "enable_when", "client",
	"max_length", NULL
};
static const char *const date_keys[] = {
	"id", "type", "text", "help", "required", "enable_when", "client",
	"past", "max_years_ago", "flag", NULL
};
static const char *const boolean_keys[] = {
	"id", "type", "text", "help", "required", "enable_when", "not_sure",
	"flag", NULL
};
static const char *const choice_keys[] = {
	"id", "type", "text", "help", "required", "enable_when", "options",
	"multiple", "flag", NULL
};
static const char *const *const item_keys[] = {
	[ITEM_DISPLAY] = display_keys,
	[ITEM_STRING] = string_keys,
	[ITEM_DATE] = date_keys,
	[ITEM_BOOLEAN] = boolean_keys,
	[ITEM_CHOICE] = choice_keys,
	[ITEM_PHONE] = string_keys,
	[ITEM_EMAIL] = string_keys,
};

static const char *const flag_keys_all[] = {
	"level", "code", "reason", "when", "within_days", "within_years", NULL
};
static const char *const flag_keys_answer[] = {
	"level", "code", "reason", "when", NULL
};
static const char *const flag_keys_date[] = {
	"level", "code", "reason", "within_days", "within_years", NULL
};

static int	load_error(struct loader *, const char *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* Record the first load error as "PATH: LOC: message"; returns -1. */
static int
load_error(struct loader *ld, const char *loc, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (ld->cause != NULL)
		return -1;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (loc == NULL || *loc == '\0')
		ld->cause = xasprintf("%s: %s", ld->f->path, msg);
	else
		ld->cause = xasprintf("%s: %s: %s", ld->f->path, loc, msg);
	free(msg);
	/* Keys and values quoted from the file: never an escape sequence. */
	utf8_printable(ld->cause);
	return -1;
}

/* Whether s is a non-empty string of the pattern's characters. */
static bool
pattern_ok(const char *s, enum pattern p)
{
	unsigned char c;

	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if ((c >= '0' && c <= '9') || c == '_')
			continue;
		if (p == PAT_CODE ? (c >= 'A' && c <= 'Z') :
		    (c >= 'a' && c <= 'z'))
			continue;
		if (p == PAT_FORM_ID && c == '-')
			continue;
		return false;
	}
	return true;
}

/* A language code: 2-3 lower-case letters, then "-" subtags ("pt-BR"). */
static bool
lang_ok(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz"), sub;

	if (n < 2 || n > 3)
		return false;
	for (s += n; *s == '-'; s += sub) {
		s++;
		sub = strspn(s, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
		if (sub < 1 || sub > 8)
			return false;
	}
	return *s == '\0';
}

/* The child of obj named key (exact case), NULL when absent. */
static const cJSON *
jget(const cJSON *obj, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(obj, key);
}

/*
 * Check that v is an object whose keys are all in allowed, each once.
 * A key in known but not allowed "does not apply to" what.
 */
static int
check_keys(struct loader *ld, const cJSON *v, const char *loc,
    const char *const *allowed, const char *const *known, const char *what)
{
	const cJSON *bad;

	if (!cJSON_IsObject(v))
		return load_error(ld, loc, "must be a JSON object");
	switch (jsonfile_check_keys(v, allowed, &bad)) {
	case JSONFILE_KEY_TWICE:
		return load_error(ld, loc, "duplicate key \"%s\"",
		    bad->string);
	case JSONFILE_KEY_UNKNOWN:
		if (known != NULL && bad->string != NULL &&
		    jsonfile_in_list(known, bad->string))
			return load_error(ld, loc,
			    "\"%s\" does not apply to %s", bad->string, what);
		return load_error(ld, loc, "unknown key \"%s\"",
		    bad->string != NULL ? bad->string : "?");
	case JSONFILE_KEYS_OK:
		break;
	}
	return 0;
}

/* Copy the string at key; absent is an error only when required. */
static int
get_string(struct loader *ld, const cJSON *obj, const char *key,
    const char *loc, bool required, char **out)
{
	const cJSON *v = jget(obj, key);

	if (v == NULL) {
		if (required)
			return load_error(ld, loc, "missing \"%s\"", key);
		return 0;
	}
	if (!cJSON_IsString(v) || v->valuestring == NULL)
		return load_error(ld, loc, "\"%s\" must be a string", key);
	if (v->valuestring[0] == '\0')
		return load_error(ld, loc, "\"%s\" must not be empty", key);
	if (!jsonfile_text_ok(v->valuestring, false))
		return load_error(ld, loc, "\"%s\" must not contain control "
		    "characters", key);
	*out = xstrdup(v->valuestring);
	return 0;
}

/* A required identifier of the given pattern. */
static int
get_id(struct loader *ld, const cJSON *obj, const char *key,
    const char *loc, enum pattern p, char **out)
{
	if (get_string(ld, obj, key, loc, true, out) != 0)
		return -1;
	if (!pattern_ok(*out, p))
		return load_error(ld, loc, "\"%s\" must match %s, not \"%s\"",
		    key, pattern_names[p], *out);
	return 0;
}

/* An optional boolean (default false). */
static int
get_bool(struct loader *ld, const cJSON *obj, const char *key,
    const char *loc, bool *out)
{
	const cJSON *v = jget(obj, key);

	*out = false;
	if (v == NULL)
		return 0;
	if (!cJSON_IsBool(v))
		return load_error(ld, loc, "\"%s\" must be true or false", key);
	*out = cJSON_IsTrue(v);
	return 0;
}

/* An optional whole number in [min, max]; *out untouched when absent. */
static int
get_int(struct loader *ld, const cJSON *obj, const char *key,
    const char *loc, int min, int max, int *out)
{
	const cJSON *v = jget(obj, key);
	double d;

	if (v == NULL)
		return 0;
	d = cJSON_IsNumber(v) ? v->valuedouble : min - 1.0;
	if (d < min || d > max || d != (double)(int)d)
		return load_error(ld, loc,
		    "\"%s\" must be a whole number from %d to %d", key, min,
		    max);
	*out = (int)d;
	return 0;
}

/* The array at key with at least min elements; NULL when absent and min 0. */
static int
get_array(struct loader *ld, const cJSON *obj, const char *key,
    const char *loc, int min, const cJSON **out)
{
	const cJSON *v = jget(obj, key);

	*out = NULL;
	if (v == NULL) {
		if (min > 0)
			return load_error(ld, loc, "missing \"%s\"", key);
		return 0;
	}
	if (!cJSON_IsArray(v))
		return load_error(ld, loc, "\"%s\" must be an array", key);
	if (cJSON_GetArraySize(v) < min)
		return load_error(ld, loc, "\"%s\" must not be empty", key);
	*out = v;
	return 0;
}

/*
 * A string or a non-empty array of distinct non-empty strings (the
 * values of "when" and "equals").
 */
static int
get_values(struct loader *ld, const cJSON *v, const char *key,
    const char *loc, char ***out, size_t *n)
{
	const cJSON *c;
	size_t i, j;

	if (cJSON_IsString(v) && v->valuestring[0] != '\0') {
		if (!jsonfile_text_ok(v->valuestring, false))
			return load_error(ld, loc, "\"%s\" must not contain "
			    "control characters", key);
		*out = xcalloc(1, sizeof **out);
		(*out)[0] = xstrdup(v->valuestring);
		*n = 1;
		return 0;
	}
	if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) < 1)
		return load_error(ld, loc,
		    "\"%s\" must be a string or a non-empty array of strings",
		    key);
	*out = xcalloc((size_t)cJSON_GetArraySize(v), sizeof **out);
	i = 0;
	cJSON_ArrayForEach(c, v) {
		if (!cJSON_IsString(c) || c->valuestring[0] == '\0')
			return load_error(ld, loc,
			    "\"%s\" must hold non-empty strings", key);
		if (!jsonfile_text_ok(c->valuestring, false))
			return load_error(ld, loc, "\"%s\" must not contain "
			    "control characters", key);
		for (j = 0; j < i; j++) {
			if (strcmp((*out)[j], c->valuestring) == 0)
				return load_error(ld, loc,
				    "\"%s\" lists \"%s\" twice", key,
				    c->valuestring);
		}
		(*out)[i++] = xstrdup(c->valuestring);
		*n = i;
	}
	return 0;
}

/* Index of a language in the form's list, or -1. */
static long
lang_index(const struct form *f, const char *lang)
{
	size_t i;

	for (i = 0; i < f->nlanguages; i++) {
		if (f->languages[i] != NULL &&
		    strcmp(f->languages[i], lang) == 0)
			return (long)i;
	}
	return -1;
}

/* Parse a language map: every form language, non-empty, no others. */
static int
parse_text(struct loader *ld, const cJSON *v, const char *loc,
    const char *key, struct form_text *t)
{
	const struct form *f = ld->f;
	const cJSON *c;
	size_t i;
	long li;

	if (!cJSON_IsObject(v))
		return load_error(ld, loc,
		    "\"%s\" must be a language map such as {\"%s\": \"...\"}",
		    key, f->languages[0]);
	t->lang = xcalloc(f->nlanguages, sizeof *t->lang);
	t->text = xcalloc(f->nlanguages, sizeof *t->text);
	t->n = f->nlanguages;
	for (i = 0; i < f->nlanguages; i++)
		t->lang[i] = xstrdup(f->languages[i]);
	cJSON_ArrayForEach(c, v) {
		if ((li = lang_index(f, c->string)) < 0)
			return load_error(ld, loc, "\"%s\": language \"%s\" is "
			    "not listed in \"languages\"", key, c->string);
		if (t->text[li] != NULL)
			return load_error(ld, loc,
			    "\"%s\": language \"%s\" appears twice", key,
			    c->string);
		if (!cJSON_IsString(c) || c->valuestring[0] == '\0')
			return load_error(ld, loc, "\"%s\": the \"%s\" text "
			    "must be a non-empty string", key, c->string);
		/* Shown on the kiosk and exported: line breaks, nothing else. */
		if (!jsonfile_text_ok(c->valuestring, true))
			return load_error(ld, loc, "\"%s\": the \"%s\" text "
			    "must not contain control characters (other than "
			    "line breaks)", key, c->string);
		t->text[li] = xstrdup(c->valuestring);
	}
	for (i = 0; i < f->nlanguages; i++) {
		if (t->text[i] == NULL)
			return load_error(ld, loc, "\"%s\": missing the \"%s\" "
			    "text", key, f->languages[i]);
	}
	return 0;
}

/* A language map at key; absent is an error only when required. */
static int
get_text(struct loader *ld, const cJSON *obj, const char *key,
    const char *loc, bool required, struct form_text *t)
{
	const cJSON *v = jget(obj, key);

	if (v == NULL) {
		if (required)
			return load_error(ld, loc, "missing \"%s\"", key);
		return 0;
	}
	return parse_text(ld, v, loc, key, t);
}


/* Location of item i for messages: sections[2].items[0] ("pregnant"). */
static void
item_loc(const struct form *f, size_t i, char *loc, size_t len)
{
	const struct form_item *it = &f->items[i];
	size_t k = i - f->sections[it->section].first_item;

	if (it->id == NULL)
		snprintf(loc, len, "sections[%zu].items[%zu]", it->section, k);
	else
		snprintf(loc, len, "sections[%zu].items[%zu] (\"%s\")",
		    it->section, k, it->id);
}

/* Whether an item in the raw JSON (possibly later) has this id. */
static bool
json_has_item(const cJSON *sections, const char *id)
{
	const cJSON *s, *it, *v;

	cJSON_ArrayForEach(s, sections) {
		cJSON_ArrayForEach(it, jget(s, "items")) {
			v = jget(it, "id");
			if (cJSON_IsString(v) &&
			    strcmp(v->valuestring, id) == 0)
				return true;
		}
	}
	return false;
}


/* The values an item's answers can take, for messages. */
static const char *
item_values_hint(const struct form_item *it)
{
	if (it->type == ITEM_BOOLEAN)
		return it->not_sure ? "yes, no or not_sure" : "yes or no";
	return "one of its option codes";
}

/* The item's "type": one of type_names. */
static int
parse_item_type(struct loader *ld, const cJSON *js, const char *loc,
    struct form_item *it)
{
	char *type = NULL;
	size_t t;

	if (get_string(ld, js, "type", loc, true, &type) != 0)
		return -1;
	for (t = 0; t < NTYPES; t++) {
		if (strcmp(type, type_names[t]) == 0) {
			it->type = (enum item_type)t;
			free(type);
			return 0;
		}
	}
	load_error(ld, loc, "unknown item type \"%s\" (display, string, "
	    "date, boolean, choice, phone or email)", type);
	free(type);
	return -1;
}

/* "client": which field of the wire format's client object it fills. */
static int
parse_item_client(struct loader *ld, const cJSON *js, const char *loc,
    size_t idx)
{
	struct form_item *it = &ld->f->items[idx];
	char *name = NULL, other[FORM_LOC_MAX];
	size_t c, i;

	if (get_string(ld, js, "client", loc, false, &name) != 0)
		return -1;
	if (name == NULL)
		return 0;
	for (c = 1; c < NCLIENT && strcmp(name, client_names[c]) != 0; c++)
		;
	free(name);
	if (c == NCLIENT)
		return load_error(ld, loc, "\"client\" must be given_name, "
		    "family_name, birth_date, phone or email");
	if (client_types[c] != it->type)
		return load_error(ld, loc, "\"client\": \"%s\" needs an item "
		    "of type %s", client_names[c],
		    type_names[client_types[c]]);
	for (i = 0; i < idx; i++) {
		if (ld->f->items[i].client == (enum client_field)c) {
			item_loc(ld->f, i, other, sizeof other);
			return load_error(ld, loc, "\"client\": \"%s\" is "
			    "already filled by %s", client_names[c], other);
		}
	}
	it->client = (enum client_field)c;
	return 0;
}

/* Options of a choice item: distinct codes, each with a label. */
static int
parse_options(struct loader *ld, const cJSON *js, const char *loc,
    struct form_item *it)
{
	const cJSON *arr, *o;
	char oloc[FORM_SUBLOC_MAX];
	size_t i = 0, j;

	if (get_array(ld, js, "options", loc, 1, &arr) != 0)
		return -1;
	it->options = xcalloc((size_t)cJSON_GetArraySize(arr),
	    sizeof *it->options);
	cJSON_ArrayForEach(o, arr) {
		it->noptions = i + 1;
		snprintf(oloc, sizeof oloc, "%s: options[%zu]", loc, i);
		if (check_keys(ld, o, oloc, option_keys, NULL, NULL) != 0 ||
		    get_id(ld, o, "code", oloc, PAT_ID, &it->options[i].code))
			return -1;
		for (j = 0; j < i; j++) {
			if (strcmp(it->options[j].code,
			    it->options[i].code) == 0)
				return load_error(ld, oloc, "duplicate option "
				    "code \"%s\"", it->options[i].code);
		}
		if (get_text(ld, o, "label", oloc, true,
		    &it->options[i].label) != 0)
			return -1;
		i++;
	}
	return 0;
}

/* Resolve enable_when's "item": an earlier boolean or choice item. */
static int
resolve_cond_item(struct loader *ld, const char *ref, const char *loc,
    size_t idx, size_t *out)
{
	const struct form *f = ld->f;
	const struct form_item *r;
	long i;

	if ((i = form_find_item(f, ref, idx)) < 0) {
		if (strcmp(ref, f->items[idx].id) == 0)
			return load_error(ld, loc, "refers to the item itself");
		if (json_has_item(ld->sections, ref))
			return load_error(ld, loc, "\"%s\" comes later in the "
			    "form; enable_when must refer to an earlier item",
			    ref);
		return load_error(ld, loc, "no item \"%s\"", ref);
	}
	r = &f->items[i];
	if (r->type != ITEM_BOOLEAN && r->type != ITEM_CHOICE)
		return load_error(ld, loc, "\"%s\" is a %s item; enable_when "
		    "needs a boolean or choice item", ref, type_names[r->type]);
	*out = (size_t)i;
	return 0;
}

/* enable_when: {"item": id, "equals": value or [values]}. */
static int
parse_enable_when(struct loader *ld, const cJSON *js, const char *loc,
    size_t idx)
{
	const cJSON *v = jget(js, "enable_when"), *eq;
	struct form_cond *c;
	const struct form_item *r;
	char wloc[FORM_SUBLOC_MAX], *ref = NULL;
	size_t i;
	int rc;

	if (v == NULL)
		return 0;
	snprintf(wloc, sizeof wloc, "%s: enable_when", loc);
	c = ld->f->items[idx].enable_when = xcalloc(1, sizeof *c);
	if (check_keys(ld, v, wloc, cond_keys, NULL, NULL) != 0 ||
	    get_string(ld, v, "item", wloc, true, &ref) != 0)
		return -1;
	rc = resolve_cond_item(ld, ref, wloc, idx, &c->item);
	free(ref);
	if (rc != 0)
		return -1;
	if ((eq = jget(v, "equals")) == NULL)
		return load_error(ld, wloc, "missing \"equals\"");
	if (get_values(ld, eq, "equals", wloc, &c->equals, &c->nequals) != 0)
		return -1;
	r = &ld->f->items[c->item];
	for (i = 0; i < c->nequals; i++) {
		if (!form_item_can_take(r, c->equals[i]))
			return load_error(ld, wloc, "\"%s\" can't be \"%s\" "
			    "(it takes %s)", r->id, c->equals[i],
			    item_values_hint(r));
	}
	return 0;
}

/* A flag's "when": boolean default ["yes"], choice required. */
static int
parse_flag_when(struct loader *ld, const cJSON *v, const char *loc,
    struct form_item *it)
{
	struct form_flag *fl = it->flag;
	const cJSON *w = jget(v, "when");
	size_t i;

	if (w == NULL) {
		if (it->type == ITEM_CHOICE)
			return load_error(ld, loc, "missing \"when\" (the "
			    "option codes that raise the flag)");
		fl->when = xcalloc(1, sizeof *fl->when);
		fl->when[0] = xstrdup("yes");
		fl->nwhen = 1;
		return 0;
	}
	if (get_values(ld, w, "when", loc, &fl->when, &fl->nwhen) != 0)
		return -1;
	for (i = 0; i < fl->nwhen; i++) {
		if (!form_item_can_take(it, fl->when[i]))
			return load_error(ld, loc, "\"when\": \"%s\" is not a "
			    "possible answer (%s)", fl->when[i],
			    item_values_hint(it));
	}
	return 0;
}

/* A date flag's window: exactly one of within_days / within_years. */
static int
parse_flag_window(struct loader *ld, const cJSON *v, const char *loc,
    struct form_flag *fl)
{
	if (get_int(ld, v, "within_days", loc, 1, FORM_DAYS_MAX,
	    &fl->within_days) != 0 ||
	    get_int(ld, v, "within_years", loc, 1, FORM_YEARS_MAX,
	    &fl->within_years) != 0)
		return -1;
	if ((fl->within_days > 0) == (fl->within_years > 0))
		return load_error(ld, loc, "a date flag needs exactly one of "
		    "\"within_days\" and \"within_years\"");
	return 0;
}

/* The item's flag: level, code, staff reason, and when it fires. */
static int
parse_flag(struct loader *ld, const cJSON *js, const char *loc,
    struct form_item *it)
{
	const cJSON *v = jget(js, "flag");
	struct form_flag *fl;
	char floc[FORM_SUBLOC_MAX], *level = NULL, what[32];
	bool date = it->type == ITEM_DATE;

	if (v == NULL)
		return 0;
	snprintf(floc, sizeof floc, "%s: flag", loc);
	snprintf(what, sizeof what, "%s flags", type_names[it->type]);
	fl = it->flag = xcalloc(1, sizeof *fl);
	if (check_keys(ld, v, floc, date ? flag_keys_date : flag_keys_answer,
	    flag_keys_all, what) != 0 ||
	    get_string(ld, v, "level", floc, true, &level) != 0)
		return -1;
	if (strcmp(level, "exclude") == 0)
		fl->level = LEVEL_EXCLUDE;
	else if (strcmp(level, "review") == 0)
		fl->level = LEVEL_REVIEW;
	free(level);
	if (fl->level == LEVEL_NONE)
		return load_error(ld, floc,
		    "\"level\" must be \"exclude\" or \"review\"");
	if (get_id(ld, v, "code", floc, PAT_CODE, &fl->code) != 0 ||
	    get_string(ld, v, "reason", floc, false, &fl->reason) != 0)
		return -1;
	if (fl->reason == NULL)
		fl->reason = xstrdup(form_text(&it->text, NULL));
	if (date)
		return parse_flag_window(ld, v, floc, fl);
	return parse_flag_when(ld, v, floc, it);
}

/* Text, help and the scalar settings of an item. */
static int
parse_item_settings(struct loader *ld, const cJSON *js, const char *loc,
    struct form_item *it)
{
	if (get_text(ld, js, "text", loc, true, &it->text) != 0 ||
	    get_text(ld, js, "help", loc, false, &it->help) != 0 ||
	    get_bool(ld, js, "required", loc, &it->required) != 0 ||
	    get_bool(ld, js, "not_sure", loc, &it->not_sure) != 0 ||
	    get_bool(ld, js, "multiple", loc, &it->multiple) != 0 ||
	    get_bool(ld, js, "past", loc, &it->past) != 0)
		return -1;
	if (it->type == ITEM_STRING || it->type == ITEM_PHONE ||
	    it->type == ITEM_EMAIL)
		it->max_length = FORM_LENGTH_DEFAULT;
	if (get_int(ld, js, "max_length", loc, 1, FORM_LENGTH_MAX,
	    &it->max_length) != 0 ||
	    get_int(ld, js, "max_years_ago", loc, 1, FORM_YEARS_MAX,
	    &it->max_years_ago) != 0)
		return -1;
	if (it->type == ITEM_CHOICE)
		return parse_options(ld, js, loc, it);
	return 0;
}

/* One item; appended to form.items before parsing so errors free it. */
static int
parse_item(struct loader *ld, const cJSON *js, size_t si)
{
	struct form *f = ld->f;
	struct form_item *it;
	char loc[FORM_LOC_MAX], what[32];
	size_t idx = f->nitems;

	f->items = xrealloc(f->items, (idx + 1) * sizeof *f->items);
	it = &f->items[idx];
	memset(it, 0, sizeof *it);
	it->section = si;
	f->nitems++;
	item_loc(f, idx, loc, sizeof loc);
	if (!cJSON_IsObject(js))
		return load_error(ld, loc, "must be a JSON object");
	if (get_id(ld, js, "id", loc, PAT_ID, &it->id) != 0)
		return -1;
	item_loc(f, idx, loc, sizeof loc);
	if (form_find_item(f, it->id, idx) >= 0)
		return load_error(ld, loc, "duplicate item id \"%s\"", it->id);
	if (parse_item_type(ld, js, loc, it) != 0)
		return -1;
	snprintf(what, sizeof what, "%s items", type_names[it->type]);
	if (check_keys(ld, js, loc, item_keys[it->type], item_keys_all,
	    what) != 0 ||
	    parse_item_settings(ld, js, loc, it) != 0 ||
	    parse_item_client(ld, js, loc, idx) != 0 ||
	    parse_enable_when(ld, js, loc, idx) != 0)
		return -1;
	return parse_flag(ld, js, loc, &f->items[idx]);
}

/* One section and its items. */
static int
parse_section(struct loader *ld, const cJSON *js, size_t si)
{
	struct form *f = ld->f;
	struct form_section *sec = &f->sections[si];
	const cJSON *items, *it;
	char loc[FORM_LOC_MAX];
	size_t i;

	snprintf(loc, sizeof loc, "sections[%zu]", si);
	sec->first_item = f->nitems;
	if (!cJSON_IsObject(js))
		return load_error(ld, loc, "must be a JSON object");
	if (get_id(ld, js, "id", loc, PAT_ID, &sec->id) != 0)
		return -1;
	snprintf(loc, sizeof loc, "sections[%zu] (\"%s\")", si, sec->id);
	for (i = 0; i < si; i++) {
		if (strcmp(f->sections[i].id, sec->id) == 0)
			return load_error(ld, loc, "duplicate section id "
			    "\"%s\"", sec->id);
	}
	if (check_keys(ld, js, loc, section_keys, NULL, NULL) != 0 ||
	    get_text(ld, js, "title", loc, true, &sec->title) != 0 ||
	    get_bool(ld, js, "one_per_page", loc, &sec->one_per_page) != 0 ||
	    get_array(ld, js, "items", loc, 1, &items) != 0)
		return -1;
	cJSON_ArrayForEach(it, items) {
		if (parse_item(ld, it, si) != 0)
			return -1;
		sec->nitems = f->nitems - sec->first_item;
	}
	return 0;
}

/* "sections": at least one; sections are allocated up front. */
static int
parse_sections(struct loader *ld, const cJSON *root)
{
	struct form *f = ld->f;
	const cJSON *arr, *s;
	size_t i = 0;

	if (get_array(ld, root, "sections", NULL, 1, &arr) != 0)
		return -1;
	ld->sections = arr;
	f->sections = xcalloc((size_t)cJSON_GetArraySize(arr),
	    sizeof *f->sections);
	cJSON_ArrayForEach(s, arr) {
		f->nsections = i + 1;
		if (parse_section(ld, s, i) != 0)
			return -1;
		i++;
	}
	return 0;
}

/* "languages": distinct language codes, the first the default. */
static int
parse_languages(struct loader *ld, const cJSON *root)
{
	struct form *f = ld->f;
	const cJSON *arr, *c;
	size_t i = 0;

	if (get_array(ld, root, "languages", NULL, 1, &arr) != 0)
		return -1;
	f->languages = xcalloc((size_t)cJSON_GetArraySize(arr),
	    sizeof *f->languages);
	cJSON_ArrayForEach(c, arr) {
		if (!cJSON_IsString(c) || !lang_ok(c->valuestring))
			return load_error(ld, "languages", "[%zu] must be a "
			    "language code such as \"en\" or \"pt-BR\"", i);
		if (lang_index(f, c->valuestring) >= 0)
			return load_error(ld, "languages", "\"%s\" is listed "
			    "twice", c->valuestring);
		f->languages[i++] = xstrdup(c->valuestring);
		f->nlanguages = i;
	}
	return 0;
}

/* Every form must name its client: given_name and family_name items. */
static int
check_client_names(struct loader *ld)
{
	const struct form *f = ld->f;
	enum client_field need[] = { CLIENT_GIVEN_NAME, CLIENT_FAMILY_NAME };
	size_t i, n;

	for (n = 0; n < sizeof need / sizeof need[0]; n++) {
		for (i = 0; i < f->nitems && f->items[i].client != need[n]; i++)
			;
		if (i == f->nitems)
			return load_error(ld, "sections", "no string item has "
			    "\"client\": \"%s\" (every form needs one)",
			    client_names[need[n]]);
	}
	return 0;
}


/* The codes item i can raise (flag and "Not sure"); returns how many. */
static size_t
item_codes(const struct form *f, size_t i, char *codes[2])
{
	const struct form_item *it = &f->items[i];
	size_t n = 0;

	if (it->flag != NULL)
		codes[n++] = xstrdup(it->flag->code);
	if (it->type == ITEM_BOOLEAN && it->not_sure)
		codes[n++] = form_unsure_code(it);
	return n;
}

/* Whether code is raised by an item before i; *by is that item. */
static bool
code_taken(const struct form *f, size_t i, const char *code, size_t *by)
{
	char *codes[2];
	size_t j, n, k;
	bool found = false;

	for (j = 0; j < i && !found; j++) {
		n = item_codes(f, j, codes);
		for (k = 0; k < n; k++) {
			if (strcmp(codes[k], code) == 0)
				found = true;
			free(codes[k]);
		}
		*by = j;
	}
	return found;
}

/* Flag codes, including generated "Not sure" codes, are unique. */
static int
check_codes(struct loader *ld)
{
	const struct form *f = ld->f;
	char *codes[2], loc[FORM_LOC_MAX], other[FORM_LOC_MAX];
	size_t i, n, k, by = 0;
	int rc = 0;

	for (i = 0; i < f->nitems && rc == 0; i++) {
		n = item_codes(f, i, codes);
		for (k = 0; k < n; k++) {
			if (rc == 0 && code_taken(f, i, codes[k], &by)) {
				item_loc(f, i, loc, sizeof loc);
				item_loc(f, by, other, sizeof other);
				rc = load_error(ld, loc, "flag code \"%s\" is "
				    "also raised by %s", codes[k], other);
			}
			free(codes[k]);
		}
	}
	return rc;
}

/* Whether the form can raise code (a flag or a "Not sure" code). */
static bool
form_has_code(const struct form *f, const char *code)
{
	size_t by;

	return code_taken(f, f->nitems, code, &by);
}

/* One consent clause. */
static int
parse_clause(struct loader *ld, const cJSON *js, size_t ci)
{
	struct form_consent *c = &ld->f->consent;
	struct form_clause *cl = &c->clauses[ci];
	char loc[FORM_LOC_MAX];
	size_t i;

	snprintf(loc, sizeof loc, "consent.clauses[%zu]", ci);
	if (!cJSON_IsObject(js))
		return load_error(ld, loc, "must be a JSON object");
	if (get_id(ld, js, "id", loc, PAT_ID, &cl->id) != 0)
		return -1;
	snprintf(loc, sizeof loc, "consent.clauses[%zu] (\"%s\")", ci, cl->id);
	for (i = 0; i < ci; i++) {
		if (strcmp(c->clauses[i].id, cl->id) == 0)
			return load_error(ld, loc, "duplicate clause id \"%s\"",
			    cl->id);
	}
	if (check_keys(ld, js, loc, clause_keys, NULL, NULL) != 0)
		return -1;
	return get_text(ld, js, "text", loc, true, &cl->text);
}

/* "consent": version, title, text, clauses, signature prompt. */
static int
parse_consent(struct loader *ld, const cJSON *root)
{
	struct form_consent *c = &ld->f->consent;
	const cJSON *v = jget(root, "consent"), *arr, *cl;
	size_t i = 0;

	if (v == NULL)
		return load_error(ld, NULL, "missing \"consent\"");
	if (check_keys(ld, v, "consent", consent_keys, NULL, NULL) != 0 ||
	    get_string(ld, v, "version", "consent", true, &c->version) != 0 ||
	    get_text(ld, v, "title", "consent", true, &c->title) != 0 ||
	    get_text(ld, v, "text", "consent", true, &c->text) != 0 ||
	    get_text(ld, v, "signature", "consent", true, &c->signature) != 0 ||
	    get_array(ld, v, "clauses", "consent", 1, &arr) != 0)
		return -1;
	c->clauses = xcalloc((size_t)cJSON_GetArraySize(arr),
	    sizeof *c->clauses);
	cJSON_ArrayForEach(cl, arr) {
		c->nclauses = i + 1;
		if (parse_clause(ld, cl, i) != 0)
			return -1;
		i++;
	}
	return 0;
}

/* A test case's answer value; a multiple choice may be an array. */
static int
parse_case_value(struct loader *ld, const cJSON *v, const char *loc,
    const struct form_item *it, char **out)
{
	const cJSON *c;
	char *joined = NULL, *next;

	if (cJSON_IsString(v)) {
		*out = xstrdup(v->valuestring);
		return 0;
	}
	if (!cJSON_IsArray(v) || it->type != ITEM_CHOICE || !it->multiple)
		return load_error(ld, loc, "answers: the answer for \"%s\" "
		    "must be a string%s", it->id, it->type == ITEM_CHOICE &&
		    it->multiple ? " or an array of option codes" : "");
	cJSON_ArrayForEach(c, v) {
		if (!cJSON_IsString(c)) {
			free(joined);
			return load_error(ld, loc, "answers: \"%s\" must hold "
			    "option codes (strings)", it->id);
		}
		next = joined == NULL ? xstrdup(c->valuestring) :
		    xasprintf("%s,%s", joined, c->valuestring);
		free(joined);
		joined = next;
	}
	*out = joined == NULL ? xstrdup("") : joined;
	return 0;
}

/* A test case's "answers": item id -> value, items that take answers. */
static int
parse_case_answers(struct loader *ld, const cJSON *js, const char *loc,
    struct form_case *c)
{
	const cJSON *v = jget(js, "answers"), *a;
	long i;
	size_t n = 0;

	if (v == NULL)
		return 0;
	if (!cJSON_IsObject(v))
		return load_error(ld, loc, "\"answers\" must be an object of "
		    "item id -> answer");
	c->item_ids = xcalloc((size_t)cJSON_GetArraySize(v),
	    sizeof *c->item_ids);
	c->values = xcalloc((size_t)cJSON_GetArraySize(v), sizeof *c->values);
	cJSON_ArrayForEach(a, v) {
		i = form_find_item(ld->f, a->string, ld->f->nitems);
		if (i < 0)
			return load_error(ld, loc, "answers: no item \"%s\"",
			    a->string);
		if (ld->f->items[i].type == ITEM_DISPLAY)
			return load_error(ld, loc, "answers: \"%s\" is a "
			    "display item and takes no answer", a->string);
		if (cJSON_GetObjectItemCaseSensitive(v, a->string) != a)
			return load_error(ld, loc, "answers: \"%s\" appears "
			    "twice", a->string);
		c->item_ids[n] = xstrdup(a->string);
		c->nanswers = ++n;
		if (parse_case_value(ld, a, loc, &ld->f->items[i],
		    &c->values[n - 1]) != 0)
			return -1;
	}
	return 0;
}

/* "clear", "review" or "exclude". */
static int
parse_level_name(const char *s, enum flag_level *out)
{
	enum flag_level l;

	for (l = LEVEL_NONE; l <= LEVEL_EXCLUDE; l++) {
		if (strcmp(s, form_level_name(l)) == 0) {
			*out = l;
			return 0;
		}
	}
	return -1;
}

/* A test case's expected outcome and exact set of flag codes. */
static int
parse_case_expect(struct loader *ld, const cJSON *js, const char *loc,
    struct form_case *c)
{
	const cJSON *arr, *v;
	char *outcome = NULL;
	size_t i, j;
	int rc;

	if (get_string(ld, js, "outcome", loc, true, &outcome) != 0)
		return -1;
	rc = parse_level_name(outcome, &c->outcome);
	free(outcome);
	if (rc != 0)
		return load_error(ld, loc, "\"outcome\" must be \"clear\", "
		    "\"review\" or \"exclude\"");
	if (get_array(ld, js, "flags", loc, 0, &arr) != 0)
		return -1;
	if (arr == NULL)
		return 0;
	c->flags = xcalloc((size_t)cJSON_GetArraySize(arr), sizeof *c->flags);
	i = 0;
	cJSON_ArrayForEach(v, arr) {
		if (!cJSON_IsString(v))
			return load_error(ld, loc, "flags[%zu] must be a "
			    "string", i);
		if (!form_has_code(ld->f, v->valuestring))
			return load_error(ld, loc, "flags[%zu] \"%s\" is not a "
			    "flag code of this form", i, v->valuestring);
		for (j = 0; j < i; j++) {
			if (strcmp(c->flags[j], v->valuestring) == 0)
				return load_error(ld, loc, "flags: \"%s\" "
				    "appears twice", v->valuestring);
		}
		c->flags[i++] = xstrdup(v->valuestring);
		c->nflags = i;
	}
	return 0;
}

/* One test case. */
static int
parse_case(struct loader *ld, const cJSON *js, size_t ci)
{
	struct form_case *c = &ld->f->cases[ci];
	const cJSON *today;
	char loc[FORM_LOC_MAX];
	size_t i;

	snprintf(loc, sizeof loc, "tests[%zu]", ci);
	c->today = form_case_today;
	if (!cJSON_IsObject(js))
		return load_error(ld, loc, "must be a JSON object");
	if (get_string(ld, js, "name", loc, true, &c->name) != 0)
		return -1;
	snprintf(loc, sizeof loc, "tests[%zu] (\"%s\")", ci, c->name);
	for (i = 0; i < ci; i++) {
		if (strcmp(ld->f->cases[i].name, c->name) == 0)
			return load_error(ld, loc, "duplicate test name");
	}
	if (check_keys(ld, js, loc, case_keys, NULL, NULL) != 0)
		return -1;
	today = jget(js, "today");
	if (today != NULL && (!cJSON_IsString(today) ||
	    date_parse(today->valuestring, &c->today) != 0))
		return load_error(ld, loc, "\"today\" must be a date that "
		    "exists, as YYYY-MM-DD");
	if (parse_case_answers(ld, js, loc, c) != 0)
		return -1;
	return parse_case_expect(ld, js, loc, c);
}

/* "tests": at least one case. */
static int
parse_cases(struct loader *ld, const cJSON *root)
{
	struct form *f = ld->f;
	const cJSON *arr, *c;
	size_t i = 0;

	if (get_array(ld, root, "tests", NULL, 1, &arr) != 0)
		return -1;
	f->cases = xcalloc((size_t)cJSON_GetArraySize(arr), sizeof *f->cases);
	cJSON_ArrayForEach(c, arr) {
		f->ncases = i + 1;
		if (parse_case(ld, c, i) != 0)
			return -1;
		i++;
	}
	return 0;
}

/* "url": the form's canonical URL (FHIR), optional, http(s) and no spaces. */
static int
parse_url(struct loader *ld, const cJSON *root)
{
	char *u;

	if (get_string(ld, root, "url", NULL, false, &ld->f->url) != 0)
		return -1;
	if ((u = ld->f->url) == NULL)
		return 0;
	if ((strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0) ||
	    strpbrk(u, " |#?\t\n") != NULL || u[strlen(u) - 1] == '/')
		return load_error(ld, NULL, "\"url\" must be an http(s) URL "
		    "without spaces, |, ?, # or a trailing /");
	return 0;
}

/* The top level, in dependency order: languages before any text. */
static int
parse_form(struct loader *ld, const cJSON *root)
{
	struct form *f = ld->f;

	if (!cJSON_IsObject(root))
		return load_error(ld, NULL, "a form must be a JSON object");
	if (check_keys(ld, root, NULL, top_keys, NULL, NULL) != 0 ||
	    get_id(ld, root, "id", NULL, PAT_FORM_ID, &f->id) != 0 ||
	    get_string(ld, root, "version", NULL, true, &f->version) != 0 ||
	    parse_url(ld, root) != 0 || parse_languages(ld, root) != 0)
		return -1;
	if (get_text(ld, root, "clinic", NULL, true, &f->clinic) != 0 ||
	    get_text(ld, root, "title", NULL, true, &f->title) != 0 ||
	    get_text(ld, root, "about_title", NULL, true,
	    &f->about_title) != 0 ||
	    get_text(ld, root, "about", NULL, true, &f->about) != 0 ||
	    get_text(ld, root, "aftercare", NULL, true, &f->aftercare) != 0)
		return -1;
	if (parse_sections(ld, root) != 0 || check_client_names(ld) != 0 ||
	    check_codes(ld) != 0 || parse_consent(ld, root) != 0)
		return -1;
	return parse_cases(ld, root);
}

int
form_load(const char *path, struct form **out, char **cause)
{
	struct loader ld = { NULL, NULL, NULL };
	cJSON *root = NULL;

	*out = NULL;
	*cause = NULL;
	if (jsonfile_load(path, &root, cause) != 0)
		return -1;
	ld.f = xcalloc(1, sizeof *ld.f);
	ld.f->path = xstrdup(path);
	if (parse_form(&ld, root) != 0) {
		*cause = ld.cause != NULL ? ld.cause :
		    xasprintf("%s: invalid form", path);
		form_free(ld.f);
		cJSON_Delete(root);
		return -1;
	}
	cJSON_Delete(root);
	*out = ld.f;
	return 0;
}

