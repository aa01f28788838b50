/*
 * form.h: the form engine. Loads and validates a clinic-editable JSON form
 * (docs/forms.md), holds a client's answers, decides which page comes next,
 * validates each answer, computes flags and the outcome, and runs the
 * form's own test cases. Pure C: no terminal, no store, no network.
 */
#ifndef KIOSK_FORM_H
#define KIOSK_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include "date.h"

enum item_type {
	ITEM_DISPLAY,	/* text only, no answer */
	ITEM_STRING,
	ITEM_DATE,	/* "YYYY-MM-DD", entered as day / month / year */
	ITEM_BOOLEAN,	/* "yes" | "no" | "not_sure" (when not_sure is set) */
	ITEM_CHOICE,	/* an option code; multiple: codes joined by ',' */
	ITEM_PHONE,
	ITEM_EMAIL,
};

enum flag_level {
	LEVEL_NONE = 0,		/* outcome "clear" */
	LEVEL_REVIEW = 1,
	LEVEL_EXCLUDE = 2,
};

/* Which field of the wire format's "client" object an item fills. */
enum client_field {
	CLIENT_NONE = 0,
	CLIENT_GIVEN_NAME,
	CLIENT_FAMILY_NAME,
	CLIENT_BIRTH_DATE,
	CLIENT_PHONE,
	CLIENT_EMAIL,
};

/* A language map: {"en": "...", "es": "..."}. */
struct form_text {
	char **lang;
	char **text;
	size_t n;
};

struct form_option {
	char *code;		/* [a-z0-9_]+ */
	struct form_text label;
};

struct form_flag {
	enum flag_level level;	/* REVIEW or EXCLUDE */
	char *code;		/* stable, [A-Z0-9_]+ */
	char *reason;		/* staff-facing, never shown to a client */
	char **when;		/* answer values that raise it; boolean default {"yes"} */
	size_t nwhen;
	int within_days;	/* date items: flag only when the date is within N days before today (0 = unset) */
	int within_years;	/* date items: ... within N calendar years before today (0 = unset) */
};

struct form_cond {
	size_t item;		/* index into form.items, always an earlier item */
	char **equals;		/* any of these values (for multiple choice: any selected) */
	size_t nequals;
};

struct form_item {
	char *id;		/* [a-z0-9_]+, unique in the form */
	enum item_type type;
	size_t section;		/* index into form.sections */
	struct form_text text;	/* the question or the displayed text */
	struct form_text help;	/* optional, n == 0 when absent */
	bool required;
	bool not_sure;		/* boolean: offer "Not sure" (always raises a review) */
	bool multiple;		/* choice: several options */
	int max_length;		/* string, phone, email: characters (default 100) */
	bool past;		/* date: not after today */
	int max_years_ago;	/* date: not more than N years before today (0 = unset) */
	enum client_field client;
	struct form_option *options;
	size_t noptions;
	struct form_cond *enable_when;	/* NULL: always shown */
	struct form_flag *flag;		/* NULL: never flags (but not_sure still reviews) */
};

struct form_section {
	char *id;
	struct form_text title;
	bool one_per_page;	/* each item its own page ("Question 4 of 16") */
	size_t first_item;	/* items [first_item, first_item + nitems) */
	size_t nitems;
};

struct form_clause {
	char *id;
	struct form_text text;
};

struct form_consent {
	char *version;
	struct form_text title;
	struct form_text text;		/* must be scrolled to the end */
	struct form_clause *clauses;	/* accepted one by one */
	size_t nclauses;
	struct form_text signature;	/* the signature prompt */
};

/* One test case: answers in, the outcome and flag codes that must come out. */
struct form_case {
	char *name;
	struct kdate today;
	char **item_ids;	/* answers, as item id -> value */
	char **values;
	size_t nanswers;
	enum flag_level outcome;
	char **flags;		/* expected codes, any order, exactly this set */
	size_t nflags;
};

struct form {
	char *path;
	char *id;
	char *version;
	char *url;		/* canonical URL for FHIR, NULL when absent */
	char **languages;	/* languages[0] is the default */
	size_t nlanguages;
	struct form_text clinic;	/* clinic name for the welcome page */
	struct form_text title;		/* e.g. "Microneedling check-in" */
	struct form_text about_title;	/* the skippable treatment page */
	struct form_text about;
	struct form_text aftercare;	/* thank-you page tips */
	struct form_section *sections;
	size_t nsections;
	struct form_item *items;	/* all items, in order */
	size_t nitems;
	struct form_consent consent;
	struct form_case *cases;
	size_t ncases;
};

/* A page of the form: one item, or all enabled items of a section. */
struct form_page {
	size_t section;
	size_t first;		/* first item index of the page */
	size_t count;		/* 1 in a one_per_page section, else section.nitems */
};

/* A client's answers, one slot per item; NULL = unanswered. */
struct answers {
	const struct form *form;
	char **values;
};

/* A raised flag. Pointers point into the form. */
struct flag_hit {
	size_t item;
	enum flag_level level;
	const char *code;	/* flag code, or "<CODE>_UNSURE" for "Not sure" */
	const char *reason;	/* staff-facing */
	char *owned;		/* storage for built codes/reasons; freed by flags_free */
};

/*
 * Load and validate a form. Every mistake fails the load with *cause
 * (caller frees): "PATH:LINE:COL: message" for JSON syntax, else
 * "PATH: sections[2].items[0] (\"pregnant\"): message". Does not run the
 * test cases (form_run_cases does).
 */
int form_load(const char *path, struct form **out, char **cause);
void form_free(struct form *);	/* NULL is a no-op */

/* Text in lang, falling back to the form's default language; never NULL. */
const char *form_text(const struct form_text *, const char *lang);
/* Outcome name: "clear", "review", "exclude". */
const char *form_level_name(enum flag_level);
/* Index of the item with this id, or -1. */
long form_item_index(const struct form *, const char *id);

struct answers *answers_new(const struct form *);
/* Wipes every value (explicit_bzero) before freeing; NULL is a no-op. */
void answers_free(struct answers *);
/* Wipe every value but keep the object. */
void answers_clear_all(struct answers *);
/*
 * Validate value for item (against today) and store a copy. On a bad
 * value returns -1 and *msg is a short client-facing message (caller
 * frees), e.g. "Please enter a date that exists." NULL or "" (or only
 * spaces for text) clears the answer, required or not: form_page_complete
 * reports a missing required one. Text is stored trimmed of spaces, a
 * multiple choice in option order.
 */
int answers_set(struct answers *, size_t item, const char *value,
    struct kdate today, char **msg);
const char *answers_get(const struct answers *, size_t item);
/* Whether a multiple-choice answer includes code. */
bool answers_has(const struct answers *, size_t item, const char *code);

/* Whether item is shown given the answers so far (its enable_when holds). */
bool form_item_enabled(const struct form *, const struct answers *, size_t item);
/* The page item i is on (its section, or the item alone). */
void form_page_of(const struct form *, size_t item, struct form_page *);
/*
 * The first page after the one starting at item index `after` (pass
 * (size_t)-1 for the first page) with at least one enabled item. 0 and
 * *page on success, -1 when there is none (the form is done).
 */
int form_page_next(const struct form *, const struct answers *, size_t after,
    struct form_page *page);
/* The last enabled page before item index `before`; -1 when none. */
int form_page_prev(const struct form *, const struct answers *, size_t before,
    struct form_page *page);
/*
 * In a one_per_page section: this page is question *k of *n, counting
 * items that take an answer and that the answers so far can still reach
 * (a follow-up whose question is not answered yet counts), so the total
 * never grows unless an answer changes (display pages are not counted and
 * get *k = 0). Outside one_per_page sections *k = *n = 0.
 */
void form_page_progress(const struct form *, const struct answers *,
    const struct form_page *, size_t *k, size_t *n);
/*
 * Whether every enabled required item on the page is answered. When not,
 * *item is the first missing one.
 */
bool form_page_complete(const struct form *, const struct answers *,
    const struct form_page *, size_t *item);

/*
 * Compute the flags raised by the enabled answers, in item order, and the
 * outcome (the highest level; LEVEL_NONE = "clear"). "Not sure" on a
 * boolean always raises at least a review. Returns the number of hits;
 * *hits is owned by the caller (flags_free).
 */
size_t form_evaluate(const struct form *, const struct answers *,
    struct kdate today, struct flag_hit **hits, enum flag_level *outcome);
void flags_free(struct flag_hit *, size_t n);

/* Shared by the loader (form_load.c) and the engine (form.c). */
/* Index of the item with this id among the first n items, or -1. */
long form_find_item(const struct form *, const char *id, size_t n);
/* Whether a boolean or choice item can take this value. */
bool form_item_can_take(const struct form_item *, const char *value);
/* The code "Not sure" raises for an item (caller frees). */
char *form_unsure_code(const struct form_item *);

/*
 * Run the form's own test cases. Returns the number that failed; when any
 * did, *cause (caller frees) lists each: "case \"pregnant\": expected
 * exclude [PREGNANT], got clear []".
 */
int form_run_cases(const struct form *, char **cause);

#endif
