/*
 * form.c: the form engine at work. Holds a client's answers and
 * validates each one, decides which pages are shown, computes flags and
 * the outcome, and runs the form's own test cases; frees forms. Loading
 * is form_load.c's. No terminal, store or network code here.
 */
#include "form.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "util.h"

/* Index of the item with this id among the first n items, or -1. */
long
form_find_item(const struct form *f, const char *id, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < f->nitems; i++) {
		if (f->items[i].id != NULL && strcmp(f->items[i].id, id) == 0)
			return (long)i;
	}
	return -1;
}

/* Whether an answer to item can be value (booleans and choices). */
bool
form_item_can_take(const struct form_item *it, const char *value)
{
	size_t i;

	if (it->type == ITEM_BOOLEAN) {
		return strcmp(value, "yes") == 0 || strcmp(value, "no") == 0 ||
		    (it->not_sure && strcmp(value, "not_sure") == 0);
	}
	for (i = 0; i < it->noptions; i++) {
		if (strcmp(it->options[i].code, value) == 0)
			return true;
	}
	return false;
}

/* The "Not sure" code of a boolean item: <CODE>_UNSURE or <ID>_UNSURE. */
char *
form_unsure_code(const struct form_item *it)
{
	char *code, *p;

	if (it->flag != NULL)
		return xasprintf("%s_UNSURE", it->flag->code);
	code = xasprintf("%s_UNSURE", it->id);
	for (p = code; *p != '\0'; p++) {
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	}
	return code;
}

/* Free a language map's strings. */
static void
text_free(struct form_text *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->lang[i]);
		free(t->text[i]);
	}
	free(t->lang);
	free(t->text);
}

/* Free n strings and the array. */
static void
strings_free(char **s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(s[i]);
	free(s);
}

/* Free what an item owns (not the item itself). */
static void
item_free(struct form_item *it)
{
	size_t i;

	free(it->id);
	text_free(&it->text);
	text_free(&it->help);
	for (i = 0; i < it->noptions; i++) {
		free(it->options[i].code);
		text_free(&it->options[i].label);
	}
	free(it->options);
	if (it->enable_when != NULL) {
		strings_free(it->enable_when->equals, it->enable_when->nequals);
		free(it->enable_when);
	}
	if (it->flag != NULL) {
		free(it->flag->code);
		free(it->flag->reason);
		strings_free(it->flag->when, it->flag->nwhen);
		free(it->flag);
	}
}

/* Free the consent's strings and clauses. */
static void
consent_free(struct form_consent *c)
{
	size_t i;

	free(c->version);
	text_free(&c->title);
	text_free(&c->text);
	text_free(&c->signature);
	for (i = 0; i < c->nclauses; i++) {
		free(c->clauses[i].id);
		text_free(&c->clauses[i].text);
	}
	free(c->clauses);
}

/* Free the test cases. */
static void
cases_free(struct form_case *cases, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(cases[i].name);
		strings_free(cases[i].item_ids, cases[i].nanswers);
		strings_free(cases[i].values, cases[i].nanswers);
		strings_free(cases[i].flags, cases[i].nflags);
	}
	free(cases);
}

void
form_free(struct form *f)
{
	size_t i;

	if (f == NULL)
		return;
	free(f->path);
	free(f->id);
	free(f->version);
	free(f->url);
	strings_free(f->languages, f->nlanguages);
	text_free(&f->clinic);
	text_free(&f->title);
	text_free(&f->about_title);
	text_free(&f->about);
	text_free(&f->aftercare);
	for (i = 0; i < f->nsections; i++) {
		free(f->sections[i].id);
		text_free(&f->sections[i].title);
	}
	free(f->sections);
	for (i = 0; i < f->nitems; i++)
		item_free(&f->items[i]);
	free(f->items);
	consent_free(&f->consent);
	cases_free(f->cases, f->ncases);
	free(f);
}

const char *
form_text(const struct form_text *t, const char *lang)
{
	size_t i;

	if (t == NULL || t->n == 0)
		return "";
	for (i = 0; lang != NULL && i < t->n; i++) {
		if (t->lang[i] != NULL && t->text[i] != NULL &&
		    strcmp(t->lang[i], lang) == 0)
			return t->text[i];
	}
	return t->text[0] != NULL ? t->text[0] : "";
}

const char *
form_level_name(enum flag_level l)
{
	switch (l) {
	case LEVEL_EXCLUDE:
		return "exclude";
	case LEVEL_REVIEW:
		return "review";
	default:
		return "clear";
	}
}

long
form_item_index(const struct form *f, const char *id)
{
	return form_find_item(f, id, f->nitems);
}

struct answers *
answers_new(const struct form *f)
{
	struct answers *a = xcalloc(1, sizeof *a);

	a->form = f;
	a->values = xcalloc(f->nitems, sizeof *a->values);
	return a;
}

void
answers_clear_all(struct answers *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->form->nitems; i++) {
		wipe_free(a->values[i]);
		a->values[i] = NULL;
	}
}

void
answers_free(struct answers *a)
{
	if (a == NULL)
		return;
	answers_clear_all(a);
	free(a->values);
	free(a);
}

/* Copy of v without leading and trailing spaces. */
static char *
trim_copy(const char *v)
{
	size_t len;

	while (*v == ' ')
		v++;
	len = strlen(v);
	while (len > 0 && v[len - 1] == ' ')
		len--;
	return xstrndup(v, len);
}

/* Client-facing problem with a text answer, or NULL. */
static char *
check_text(const struct form_item *it, const char *v)
{
	if (!utf8_valid_text(v, strlen(v)))
		return xstrdup(_("The text contains characters that can't be "
		    "used."));
	if (utf8_chars(v) > it->max_length)
		return xasprintf(_("Please use at most %d characters."),
		    it->max_length);
	return NULL;
}

/* 7-15 digits, an optional leading '+', separators " -()." between. */
static bool
phone_ok(const char *v)
{
	const char *p = v;
	size_t len;
	int digits = 0;

	if (*p == '+')
		p++;
	if (*p != '(' && (*p < '0' || *p > '9'))
		return false;
	for (; *p != '\0'; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (strchr(" -().", *p) == NULL)
			return false;
	}
	len = strlen(v);
	if (v[len - 1] != ')' && (v[len - 1] < '0' || v[len - 1] > '9'))
		return false;
	return digits >= 7 && digits <= 15;
}

/* One '@', a non-empty local part, a dotted domain, no spaces. */
static bool
email_ok(const char *v)
{
	const char *at = strchr(v, '@'), *dom;
	size_t len;

	if (at == NULL || at == v || strchr(at + 1, '@') != NULL ||
	    strchr(v, ' ') != NULL)
		return false;
	dom = at + 1;
	len = strlen(dom);
	if (len < 3 || strchr(dom, '.') == NULL || dom[0] == '.' ||
	    dom[len - 1] == '.' || strstr(dom, "..") != NULL)
		return false;
	return true;
}

/* The date n calendar years before d (29 February becomes the 28th). */
static struct kdate
years_before(struct kdate d, int n)
{
	struct kdate r = { d.y - n, d.m, d.d };

	if (r.m == 2 && r.d == 29 && !date_valid(r.y, 2, 29))
		r.d = 28;
	return r;
}

/* Client-facing problem with a date answer, or NULL. */
static char *
check_date(const struct form_item *it, const char *v, struct kdate today)
{
	struct kdate d;
	size_t i;

	if (date_parse(v, &d) != 0) {
		for (i = 0; v[i] != '\0' && i < 11; i++) {
			if ((i == 4 || i == 7) != (v[i] == '-') ||
			    (i != 4 && i != 7 && (v[i] < '0' || v[i] > '9')))
				break;
		}
		if (i == 10 && v[i] == '\0')
			return xstrdup(_("Please enter a date that exists."));
		return xstrdup(_("Please enter the date as day, month and year."));
	}
	if (it->past && date_days(d) > date_days(today))
		return xstrdup(_("The date can't be in the future."));
	if (it->max_years_ago > 0 &&
	    date_days(d) < date_days(years_before(today, it->max_years_ago)))
		return xasprintf(_("The date can't be more than %d years ago."),
		    it->max_years_ago);
	return NULL;
}

/* Index of the option whose code is the n bytes at s, or -1. */
static long
option_index(const struct form_item *it, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < it->noptions; i++) {
		if (strncmp(it->options[i].code, s, n) == 0 &&
		    it->options[i].code[n] == '\0')
			return (long)i;
	}
	return -1;
}

/* Multiple choice "a,b": known codes, each once; kept in option order. */
static char *
check_multiple(const struct form_item *it, char **v)
{
	bool *picked = xcalloc(it->noptions, sizeof *picked);
	const char *p = *v;
	char *out = NULL, *next;
	size_t i, n;
	long o;

	for (;;) {
		n = strcspn(p, ",");
		o = option_index(it, p, n);
		if (n == 0 || o < 0 || picked[o]) {
			free(picked);
			return xstrdup("Please choose from the options.");
		}
		picked[o] = true;
		if (p[n] == '\0')
			break;
		p += n + 1;
	}
	for (i = 0; i < it->noptions; i++) {
		if (!picked[i])
			continue;
		next = out == NULL ? xstrdup(it->options[i].code) :
		    xasprintf("%s,%s", out, it->options[i].code);
		wipe_free(out);
		out = next;
	}
	free(picked);
	wipe_free(*v);
	*v = out;
	return NULL;
}

/*
 * Client-facing problem with value *v for item, or NULL; *v may be
 * replaced by its normal form (a multiple choice in option order).
 */
static char *
check_answer(const struct form_item *it, char **v, struct kdate today)
{
	char *msg;

	switch (it->type) {
	case ITEM_BOOLEAN:
		if (form_item_can_take(it, *v))
			return NULL;
		return xstrdup(it->not_sure ? _("Please answer yes, no or not "
		    "sure.") : _("Please answer yes or no."));
	case ITEM_CHOICE:
		if (it->multiple)
			return check_multiple(it, v);
		if (option_index(it, *v, strlen(*v)) >= 0)
			return NULL;
		return xstrdup(_("Please choose one of the options."));
	case ITEM_DATE:
		return check_date(it, *v, today);
	case ITEM_DISPLAY:
		return xstrdup(_("This page takes no answer."));
	default:
		break;
	}
	if ((msg = check_text(it, *v)) != NULL)
		return msg;
	if (it->type == ITEM_PHONE && !phone_ok(*v))
		return xstrdup(_("Please check the phone number."));
	if (it->type == ITEM_EMAIL && !email_ok(*v))
		return xstrdup(_("Please check the e-mail address."));
	return NULL;
}

int
answers_set(struct answers *a, size_t item, const char *value,
    struct kdate today, char **msg)
{
	const struct form_item *it;
	char *v, *err;

	*msg = NULL;
	if (item >= a->form->nitems) {
		*msg = xstrdup(_("This question does not exist."));
		return -1;
	}
	it = &a->form->items[item];
	if (it->type == ITEM_STRING || it->type == ITEM_PHONE ||
	    it->type == ITEM_EMAIL)
		v = trim_copy(value == NULL ? "" : value);
	else
		v = xstrdup(value == NULL ? "" : value);
	if (*v == '\0' && it->type != ITEM_DISPLAY) {
		free(v);
		wipe_free(a->values[item]);
		a->values[item] = NULL;
		return 0;
	}
	if ((err = check_answer(it, &v, today)) != NULL) {
		wipe_free(v);
		*msg = err;
		return -1;
	}
	wipe_free(a->values[item]);
	a->values[item] = v;
	return 0;
}

const char *
answers_get(const struct answers *a, size_t item)
{
	if (a == NULL || item >= a->form->nitems)
		return NULL;
	return a->values[item];
}

/* Whether stored value v of item is, or (multiple) includes, code. */
static bool
value_has(const struct form_item *it, const char *v, const char *code)
{
	size_t n = strlen(code), len;

	if (it->type != ITEM_CHOICE || !it->multiple)
		return strcmp(v, code) == 0;
	for (;;) {
		len = strcspn(v, ",");
		if (len == n && strncmp(v, code, n) == 0)
			return true;
		if (v[len] == '\0')
			return false;
		v += len + 1;
	}
}

bool
answers_has(const struct answers *a, size_t item, const char *code)
{
	const char *v = answers_get(a, item);

	return v != NULL && value_has(&a->form->items[item], v, code);
}

bool
form_item_enabled(const struct form *f, const struct answers *a,
    size_t item)
{
	const struct form_cond *c;
	size_t i;
	bool holds;

	/* References point to earlier items, so this walk ends. */
	while ((c = f->items[item].enable_when) != NULL) {
		holds = false;
		for (i = 0; i < c->nequals && !holds; i++)
			holds = answers_has(a, c->item, c->equals[i]);
		if (!holds)
			return false;
		item = c->item;
	}
	return true;
}

void
form_page_of(const struct form *f, size_t i, struct form_page *p)
{
	const struct form_section *s = &f->sections[f->items[i].section];

	p->section = f->items[i].section;
	if (s->one_per_page) {
		p->first = i;
		p->count = 1;
	} else {
		p->first = s->first_item;
		p->count = s->nitems;
	}
}

/* Whether any item on the page is enabled. */
static bool
page_enabled(const struct form *f, const struct answers *a,
    const struct form_page *p)
{
	size_t i;

	for (i = p->first; i < p->first + p->count; i++) {
		if (form_item_enabled(f, a, i))
			return true;
	}
	return false;
}

int
form_page_next(const struct form *f, const struct answers *a, size_t after,
    struct form_page *page)
{
	struct form_page p;
	size_t i;

	if (after == (size_t)-1)
		i = 0;
	else if (after >= f->nitems)
		return -1;
	else {
		form_page_of(f, after, &p);
		i = p.first + p.count;
	}
	while (i < f->nitems) {
		form_page_of(f, i, &p);
		if (page_enabled(f, a, &p)) {
			*page = p;
			return 0;
		}
		i = p.first + p.count;
	}
	return -1;
}

int
form_page_prev(const struct form *f, const struct answers *a, size_t before,
    struct form_page *page)
{
	struct form_page p;
	size_t i = before > f->nitems ? f->nitems : before;

	while (i > 0) {
		form_page_of(f, i - 1, &p);
		if (page_enabled(f, a, &p)) {
			*page = p;
			return 0;
		}
		i = p.first;
	}
	return -1;
}

/*
 * Whether item i takes an answer and the current answers can still reach
 * it: every condition on its way either holds or waits on a question not
 * answered yet. So a total only grows when an answer changes.
 */
static bool
item_counts(const struct form *f, const struct answers *a, size_t i)
{
	const struct form_cond *c;
	size_t j;
	bool holds;

	if (f->items[i].type == ITEM_DISPLAY)
		return false;
	while ((c = f->items[i].enable_when) != NULL) {
		holds = answers_get(a, c->item) == NULL;
		for (j = 0; j < c->nequals && !holds; j++)
			holds = answers_has(a, c->item, c->equals[j]);
		if (!holds)
			return false;
		i = c->item;
	}
	return true;
}

void
form_page_progress(const struct form *f, const struct answers *a,
    const struct form_page *page, size_t *k, size_t *n)
{
	const struct form_section *s = &f->sections[page->section];
	size_t i;

	*k = 0;
	*n = 0;
	if (!s->one_per_page)
		return;
	for (i = s->first_item; i < s->first_item + s->nitems; i++) {
		if (item_counts(f, a, i)) {
			(*n)++;
			if (i <= page->first)
				(*k)++;
		}
	}
	if (!item_counts(f, a, page->first))
		*k = 0;
}

bool
form_page_complete(const struct form *f, const struct answers *a,
    const struct form_page *page, size_t *item)
{
	const struct form_item *it;
	size_t i;

	for (i = page->first; i < page->first + page->count; i++) {
		it = &f->items[i];
		if (it->type == ITEM_DISPLAY || !it->required ||
		    answers_get(a, i) != NULL || !form_item_enabled(f, a, i))
			continue;
		if (item != NULL)
			*item = i;
		return false;
	}
	return true;
}

/* Whether item's own flag fires for stored value v. */
static bool
flag_fires(const struct form_item *it, const char *v, struct kdate today)
{
	const struct form_flag *fl = it->flag;
	struct kdate d;
	size_t i;

	if (it->type == ITEM_DATE) {
		if (date_parse(v, &d) != 0)
			return false;
		if (fl->within_days > 0)
			return date_days(d) >= date_days(today) -
			    fl->within_days;
		return date_years_between(d, today) < fl->within_years;
	}
	for (i = 0; i < fl->nwhen; i++) {
		if (value_has(it, v, fl->when[i]))
			return true;
	}
	return false;
}

/* Append a hit. */
static void
hit_add(struct flag_hit **h, size_t *n, const struct flag_hit *hit)
{
	*h = xrealloc(*h, (*n + 1) * sizeof **h);
	(*h)[(*n)++] = *hit;
}

/* Append the "Not sure" review of item i; code and reason are owned. */
static void
hit_add_unsure(struct flag_hit **h, size_t *n, const struct form *f,
    size_t i)
{
	const struct form_item *it = &f->items[i];
	struct flag_hit hit;
	char *code = form_unsure_code(it);
	size_t clen = strlen(code);

	/* One allocation: "CODE\nNot sure: reason", the \n becomes NUL. */
	hit.owned = xasprintf("%s\nNot sure: %s", code, it->flag != NULL ?
	    it->flag->reason : form_text(&it->text, NULL));
	hit.owned[clen] = '\0';
	free(code);
	hit.item = i;
	hit.level = LEVEL_REVIEW;
	hit.code = hit.owned;
	hit.reason = hit.owned + clen + 1;
	hit_add(h, n, &hit);
}

size_t
form_evaluate(const struct form *f, const struct answers *a,
    struct kdate today, struct flag_hit **hits, enum flag_level *outcome)
{
	const struct form_item *it;
	struct flag_hit hit, *h = NULL;
	const char *v;
	size_t i, n = 0;

	*outcome = LEVEL_NONE;
	for (i = 0; i < f->nitems; i++) {
		it = &f->items[i];
		if ((v = answers_get(a, i)) == NULL ||
		    !form_item_enabled(f, a, i))
			continue;
		if (it->flag != NULL && flag_fires(it, v, today)) {
			hit.item = i;
			hit.level = it->flag->level;
			hit.code = it->flag->code;
			hit.reason = it->flag->reason;
			hit.owned = NULL;
			hit_add(&h, &n, &hit);
		}
		if (it->type == ITEM_BOOLEAN && strcmp(v, "not_sure") == 0)
			hit_add_unsure(&h, &n, f, i);
	}
	for (i = 0; i < n; i++) {
		if (h[i].level > *outcome)
			*outcome = h[i].level;
	}
	*hits = h;
	return n;
}

void
flags_free(struct flag_hit *hits, size_t n)
{
	size_t i;

	if (hits == NULL)
		return;
	for (i = 0; i < n; i++)
		free(hits[i].owned);
	free(hits);
}

/* Append s to *list, separated by sep. */
static void
list_append(char **list, const char *sep, const char *s)
{
	char *next;

	if (*list == NULL) {
		*list = xstrdup(s);
		return;
	}
	next = xasprintf("%s%s%s", *list, sep, s);
	free(*list);
	*list = next;
}

/* The case's value for item id, or NULL. */
static const char *
case_value(const struct form_case *c, const char *id)
{
	size_t i;

	for (i = 0; i < c->nanswers; i++) {
		if (strcmp(c->item_ids[i], id) == 0)
			return c->values[i];
	}
	return NULL;
}

/* Set the case's answers in form order; a refused one fails the case. */
static char *
case_fill(const struct form *f, const struct form_case *c,
    struct answers *a)
{
	const char *v;
	char *msg, *why;
	size_t i;

	for (i = 0; i < f->nitems; i++) {
		if ((v = case_value(c, f->items[i].id)) == NULL)
			continue;
		if (answers_set(a, i, v, c->today, &msg) != 0) {
			why = xasprintf("case \"%s\": answer \"%s\" for \"%s\" "
			    "is refused: %s", c->name, v, f->items[i].id, msg);
			free(msg);
			return why;
		}
	}
	return NULL;
}

/* Whether the hits are exactly the case's expected codes. */
static bool
case_flags_match(const struct form_case *c, const struct flag_hit *h,
    size_t n)
{
	size_t i, j;

	if (n != c->nflags)
		return false;
	for (i = 0; i < c->nflags; i++) {
		for (j = 0; j < n && strcmp(h[j].code, c->flags[i]) != 0; j++)
			;
		if (j == n)
			return false;
	}
	return true;
}

/* Compare the evaluation with the case's expectation; NULL when it holds. */
static char *
case_compare(const struct form *f, const struct form_case *c,
    const struct answers *a)
{
	struct flag_hit *h;
	enum flag_level outcome;
	char *want = NULL, *got = NULL, *why = NULL;
	size_t i, n;

	n = form_evaluate(f, a, c->today, &h, &outcome);
	if (outcome != c->outcome || !case_flags_match(c, h, n)) {
		for (i = 0; i < c->nflags; i++)
			list_append(&want, ", ", c->flags[i]);
		for (i = 0; i < n; i++)
			list_append(&got, ", ", h[i].code);
		why = xasprintf("case \"%s\": expected %s [%s], got %s [%s]",
		    c->name, form_level_name(c->outcome),
		    want != NULL ? want : "", form_level_name(outcome),
		    got != NULL ? got : "");
		free(want);
		free(got);
	}
	flags_free(h, n);
	return why;
}

int
form_run_cases(const struct form *f, char **cause)
{
	struct answers *a;
	char *why, *all = NULL;
	size_t i;
	int failed = 0;

	for (i = 0; i < f->ncases; i++) {
		a = answers_new(f);
		if ((why = case_fill(f, &f->cases[i], a)) == NULL)
			why = case_compare(f, &f->cases[i], a);
		answers_free(a);
		if (why == NULL)
			continue;
		failed++;
		list_append(&all, "\n", why);
		free(why);
	}
	if (cause != NULL)
		*cause = all;
	else
		free(all);
	return failed;
}
