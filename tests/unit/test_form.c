/*
 * test_form.c: the form engine (kiosk/form.c). A small two-language form
 * is built here; each load-error row edits one thing in it and checks the
 * message names the place. Flag rules, date windows, enable_when chains,
 * answer validation, pages and the form's own test cases are tables too.
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

#include "date.h"
#include "form.h"
#include "util.h"

/*
 * The base form, in single quotes for readability (q() turns them into
 * double quotes, so no text here may hold an apostrophe).
 *   section 0 about_you (one page): given_name family_name birth_date
 *                                   phone email                  items 0-4
 *   section 1 health (one per page): intro pregnant chemo chemo_date skin
 *                                   acne_where acne_open last_session 5-12
 *   section 2 goals (one page): goals notes                      13-14
 */
static const char base_form[] =
"{'id': 'test-form', 'version': '3', 'languages': ['en', 'es'],"
" 'clinic': {'en': 'Clinic', 'es': 'Clinica'},"
" 'title': {'en': 'Check-in', 'es': 'Registro'},"
" 'about_title': {'en': 'About', 'es': 'Acerca'},"
" 'about': {'en': 'About text', 'es': 'Texto'},"
" 'aftercare': {'en': 'Tip one\\nTip two', 'es': 'Uno\\nDos'},"
" 'sections': ["
"  {'id': 'about_you', 'title': {'en': 'You', 'es': 'Usted'}, 'items': ["
"   {'id': 'given_name', 'type': 'string', 'client': 'given_name',"
"    'required': true, 'text': {'en': 'Given name', 'es': 'Nombre'}},"
"   {'id': 'family_name', 'type': 'string', 'client': 'family_name',"
"    'required': true, 'text': {'en': 'Family name', 'es': 'Apellido'}},"
"   {'id': 'birth_date', 'type': 'date', 'client': 'birth_date',"
"    'required': true, 'past': true, 'max_years_ago': 120,"
"    'text': {'en': 'Date of birth', 'es': 'Nacimiento'},"
"    'flag': {'level': 'review', 'code': 'MINOR', 'reason': 'Under 18',"
"             'within_years': 18}},"
"   {'id': 'phone', 'type': 'phone', 'client': 'phone',"
"    'text': {'en': 'Phone', 'es': 'Telefono'}},"
"   {'id': 'email', 'type': 'email', 'client': 'email',"
"    'text': {'en': 'E-mail', 'es': 'Correo'}}]},"
"  {'id': 'health', 'one_per_page': true,"
"   'title': {'en': 'Health', 'es': 'Salud'}, 'items': ["
"   {'id': 'intro', 'type': 'display', 'text': {'en': 'A few questions',"
"    'es': 'Unas preguntas'}},"
"   {'id': 'pregnant', 'type': 'boolean', 'required': true,"
"    'not_sure': true, 'text': {'en': 'Pregnant?', 'es': 'Embarazada?'},"
"    'help': {'en': 'Or breastfeeding', 'es': 'O lactancia'},"
"    'flag': {'level': 'exclude', 'code': 'PREGNANT',"
"             'reason': 'Pregnant or breastfeeding'}},"
"   {'id': 'chemo', 'type': 'boolean', 'not_sure': true,"
"    'text': {'en': 'Chemotherapy?', 'es': 'Quimioterapia?'}},"
"   {'id': 'chemo_date', 'type': 'date',"
"    'enable_when': {'item': 'chemo', 'equals': 'yes'},"
"    'text': {'en': 'Last chemotherapy', 'es': 'Ultima'},"
"    'flag': {'level': 'exclude', 'code': 'CHEMO_RECENT',"
"             'reason': 'Chemotherapy in the last 6 months',"
"             'within_days': 180}},"
"   {'id': 'skin', 'type': 'choice', 'multiple': true,"
"    'text': {'en': 'Skin conditions', 'es': 'Piel'},"
"    'options': ["
"     {'code': 'psoriasis', 'label': {'en': 'Psoriasis', 'es': 'Psoriasis'}},"
"     {'code': 'eczema', 'label': {'en': 'Eczema', 'es': 'Eccema'}},"
"     {'code': 'acne', 'label': {'en': 'Acne', 'es': 'Acne'}},"
"     {'code': 'none', 'label': {'en': 'None', 'es': 'Ninguna'}}],"
"    'flag': {'level': 'exclude', 'code': 'INFLAMED',"
"             'reason': 'Inflamed skin', 'when': ['psoriasis', 'eczema']}},"
"   {'id': 'acne_where', 'type': 'choice',"
"    'enable_when': {'item': 'skin', 'equals': ['acne']},"
"    'text': {'en': 'Where?', 'es': 'Donde?'},"
"    'options': ["
"     {'code': 'face', 'label': {'en': 'Face', 'es': 'Cara'}},"
"     {'code': 'back', 'label': {'en': 'Back', 'es': 'Espalda'}}],"
"    'flag': {'level': 'review', 'code': 'ACNE_FACE',"
"             'reason': 'Acne on the face', 'when': ['face']}},"
"   {'id': 'acne_open', 'type': 'boolean',"
"    'enable_when': {'item': 'acne_where', 'equals': ['face', 'back']},"
"    'text': {'en': 'Open spots?', 'es': 'Abiertas?'},"
"    'flag': {'level': 'exclude', 'code': 'OPEN_WOUNDS',"
"             'reason': 'Open wounds or active acne'}},"
"   {'id': 'last_session', 'type': 'date', 'past': true,"
"    'text': {'en': 'Last session', 'es': 'Ultima sesion'},"
"    'flag': {'level': 'review', 'code': 'SESSION_SPACING',"
"             'reason': 'Less than 3 weeks since the last session',"
"             'within_days': 21}}]},"
"  {'id': 'goals', 'title': {'en': 'Goals', 'es': 'Metas'}, 'items': ["
"   {'id': 'goals', 'type': 'choice', 'multiple': true, 'required': true,"
"    'text': {'en': 'Your goals', 'es': 'Sus metas'}, 'options': ["
"     {'code': 'lines', 'label': {'en': 'Fine lines', 'es': 'Lineas'}},"
"     {'code': 'scars', 'label': {'en': 'Scars', 'es': 'Cicatrices'}},"
"     {'code': 'texture', 'label': {'en': 'Texture', 'es': 'Textura'}}]},"
"   {'id': 'notes', 'type': 'string',"
"    'text': {'en': 'Anything else?', 'es': 'Algo mas?'}}]}],"
" 'consent': {'version': 'c-1',"
"  'title': {'en': 'Consent', 'es': 'Consentimiento'},"
"  'text': {'en': 'I agree.', 'es': 'Acepto.'},"
"  'clauses': [{'id': 'downtime', 'text': {'en': 'Redness', 'es': 'Rojez'}}],"
"  'signature': {'en': 'Type your full name', 'es': 'Nombre completo'}},"
" 'tests': ["
"  {'name': 'clear client', 'today': '2026-06-01',"
"   'answers': {'given_name': 'Ana', 'family_name': 'Silva',"
"    'birth_date': '1990-05-01', 'pregnant': 'no', 'chemo': 'no',"
"    'skin': ['none'], 'goals': ['lines', 'scars']},"
"   'outcome': 'clear', 'flags': []},"
"  {'name': 'pregnant client', 'today': '2026-06-01',"
"   'answers': {'pregnant': 'yes', 'goals': ['lines']},"
"   'outcome': 'exclude', 'flags': ['PREGNANT']}]}";

/* Item indices in the base form. */
enum {
	GIVEN, FAMILY, BIRTH, PHONE, EMAIL,
	INTRO, PREGNANT, CHEMO, CHEMO_DATE, SKIN, ACNE_WHERE, ACNE_OPEN,
	LAST_SESSION,
	GOALS, NOTES,
	NITEMS
};

static const struct kdate june1 = { 2026, 6, 1 };

/* Copy of s with single quotes turned into double quotes. */
static char *
q(const char *s)
{
	char *out = strdup(s), *p;

	assert_non_null(out);
	for (p = out; *p != '\0'; p++) {
		if (*p == '\'')
			*p = '"';
	}
	return out;
}

/* Write text to a new temporary file; returns its path (caller frees). */
static char *
write_temp(const char *text)
{
	char *path = strdup("/tmp/test_form_XXXXXX.json");
	FILE *f;
	int fd;

	assert_non_null(path);
	fd = mkstemps(path, 5);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* Load the form in JSON text s (single quotes); returns 0 or -1. */
static int
load_text(const char *s, struct form **f, char **cause, char **pathp)
{
	char *json = q(s), *path = write_temp(json);
	int rc;

	rc = form_load(path, f, cause);
	unlink(path);
	free(json);
	if (pathp != NULL)
		*pathp = path;
	else
		free(path);
	return rc;
}

/* The base form, loaded; the test fails when it does not load. */
static struct form *
load_base(void)
{
	struct form *f = NULL;
	char *cause = NULL;

	if (load_text(base_form, &f, &cause, NULL) != 0)
		fail_msg("base form: %s", cause);
	return f;
}

/* The child at one path segment: an array index or an object key. */
static cJSON *
child(cJSON *v, const char *seg)
{
	if (cJSON_IsArray(v))
		return cJSON_GetArrayItem(v, atoi(seg));
	return cJSON_GetObjectItemCaseSensitive(v, seg);
}

/*
 * Edit the tree: path "sections.1.items.2.flag.level" is set to json
 * (single quotes), or deleted when json is NULL. A last segment "+" appends
 * to an array; "+key" adds key to an object even when it is already there.
 */
static void
edit(cJSON *root, const char *path, const char *json)
{
	char *p = strdup(path), *seg, *dot, *text;
	cJSON *v = root, *nv = NULL;

	assert_non_null(p);
	for (seg = p; (dot = strchr(seg, '.')) != NULL; seg = dot + 1) {
		*dot = '\0';
		if ((v = child(v, seg)) == NULL)
			fail_msg("edit: no \"%s\" in %s", seg, path);
	}
	if (json != NULL) {
		text = q(json);
		nv = cJSON_Parse(text);
		free(text);
		if (nv == NULL)
			fail_msg("edit: bad JSON %s", json);
	}
	if (cJSON_IsArray(v)) {
		if (nv == NULL)
			cJSON_DeleteItemFromArray(v, atoi(seg));
		else if (strcmp(seg, "+") == 0)
			cJSON_AddItemToArray(v, nv);
		else
			cJSON_ReplaceItemInArray(v, atoi(seg), nv);
	} else if (nv == NULL)
		cJSON_DeleteItemFromObjectCaseSensitive(v, seg);
	else if (seg[0] == '+')
		cJSON_AddItemToObject(v, seg + 1, nv);
	else if (cJSON_GetObjectItemCaseSensitive(v, seg) != NULL)
		cJSON_ReplaceItemInObjectCaseSensitive(v, seg, nv);
	else
		cJSON_AddItemToObject(v, seg, nv);
	free(p);
}

/* One edit: a path and the JSON to put there (NULL deletes). */
struct form_edit {
	const char *path;
	const char *json;
};

#define MAX_EDITS 3

/* The base form with edits applied, as JSON text (caller frees). */
static char *
edited_base(const struct form_edit *edits)
{
	char *json = q(base_form), *out;
	cJSON *root = cJSON_Parse(json);
	size_t i;

	free(json);
	assert_non_null(root);
	for (i = 0; i < MAX_EDITS && edits[i].path != NULL; i++)
		edit(root, edits[i].path, edits[i].json);
	out = cJSON_Print(root);
	cJSON_Delete(root);
	assert_non_null(out);
	return out;
}

/* Load the base form with edits; returns 0 or -1. */
static int
load_edited(const struct form_edit *edits, struct form **f, char **cause,
    char **pathp)
{
	char *json = edited_base(edits);
	int rc;

	rc = load_text(json, f, cause, pathp);
	free(json);
	return rc;
}

/* A load-error row: what to break, where the message points, what it says. */
struct load_row {
	const char *name;
	struct form_edit edits[MAX_EDITS];
	const char *where;
	const char *what;
};

#define I(s, k) "sections." #s ".items." #k
#define PREG "sections[1].items[1] (\"pregnant\")"
#define CDATE "sections[1].items[3] (\"chemo_date\")"
#define SKINL "sections[1].items[4] (\"skin\")"
#define AOPEN "sections[1].items[6] (\"acne_open\")"
#define GIVENL "sections[0].items[0] (\"given_name\")"

static const struct load_row load_rows[] = {
	{ "unknown top-level key", { { "colour", "'red'" } },
	  "", "unknown key \"colour\"" },
	/* Control characters: refused, and never echoed raw. */
	{ "escape in a key name", { { "col\033[2Jour", "'red'" } },
	  "", "unknown key \"col?[2Jour\"" },
	{ "escape in a text", { { "title.en", "'Check\\u001b[2Jin'" } },
	  "", "\"title\": the \"en\" text must not contain control "
	  "characters (other than line breaks)" },
	{ "C1 control in a text", { { "about.es", "'Hola\\u009b31m'" } },
	  "", "\"about\": the \"es\" text must not contain control" },
	{ "tab in a text", { { "sections.2.title.en", "'Goals\\tand'" } },
	  "sections[2] (\"goals\")", "\"title\": the \"en\" text must not "
	  "contain control" },
	{ "escape in a flag reason",
	  { { I(1, 1) ".flag.reason", "'Pregnant\\u001b]0;x\\u0007'" } },
	  PREG, "\"reason\" must not contain control characters" },
	{ "line break in a version", { { "version", "'3\\n4'" } },
	  "", "\"version\" must not contain control characters" },
	{ "escape in an id", { { I(1, 1) ".id", "'a\\u001bb'" } },
	  "sections[1].items[1]", "\"id\" must not contain control" },
	{ "escape in a language code, echoed",
	  { { "about.e\033s", "'x'" } },
	  "", "\"about\": language \"e?s\" is not listed" },
	{ "duplicate top-level key", { { "+version", "'4'" } },
	  "", "duplicate key \"version\"" },
	{ "bad form id", { { "id", "'Test Form'" } },
	  "", "\"id\" must match [a-z0-9_-]+" },
	{ "missing version", { { "version", NULL } },
	  "", "missing \"version\"" },
	{ "missing languages", { { "languages", NULL } },
	  "", "missing \"languages\"" },
	{ "empty languages", { { "languages", "[]" } },
	  "", "\"languages\" must not be empty" },
	{ "bad language code", { { "languages.1", "'Spanish'" } },
	  "languages", "[1] must be a language code" },
	{ "duplicate language", { { "languages.+", "'en'" } },
	  "languages", "\"en\" is listed twice" },
	{ "top-level text missing a language", { { "about.es", NULL } },
	  "", "\"about\": missing the \"es\" text" },
	{ "missing aftercare", { { "aftercare", NULL } },
	  "", "missing \"aftercare\"" },
	{ "text not a map", { { "title", "'Check-in'" } },
	  "", "\"title\" must be a language map" },
	{ "missing sections", { { "sections", NULL } },
	  "", "missing \"sections\"" },
	{ "empty sections", { { "sections", "[]" } },
	  "", "\"sections\" must not be empty" },
	{ "section unknown key", { { "sections.2.one_page", "true" } },
	  "sections[2] (\"goals\")", "unknown key \"one_page\"" },
	{ "duplicate section id", { { "sections.2.id", "'health'" } },
	  "sections[2] (\"health\")", "duplicate section id" },
	{ "section without items", { { "sections.2.items", "[]" } },
	  "sections[2] (\"goals\")", "\"items\" must not be empty" },
	{ "section without title", { { "sections.2.title", NULL } },
	  "sections[2] (\"goals\")", "missing \"title\"" },
	{ "one_per_page not a boolean",
	  { { "sections.1.one_per_page", "'yes'" } },
	  "sections[1] (\"health\")",
	  "\"one_per_page\" must be true or false" },
	{ "item not an object", { { I(1, 1), "'pregnant'" } },
	  "sections[1].items[1]", "must be a JSON object" },
	{ "item without id", { { I(1, 1) ".id", NULL } },
	  "sections[1].items[1]", "missing \"id\"" },
	{ "item id pattern", { { I(1, 1) ".id", "'Pregnant'" } },
	  "sections[1].items[1]", "\"id\" must match [a-z0-9_]+, not "
	  "\"Pregnant\"" },
	{ "unknown item key", { { I(1, 1) ".requird", "true" } },
	  PREG, "unknown key \"requird\"" },
	{ "duplicate item key", { { I(1, 1) ".+required", "false" } },
	  PREG, "duplicate key \"required\"" },
	{ "key for another type", { { I(0, 0) ".not_sure", "true" } },
	  GIVENL, "\"not_sure\" does not apply to string items" },
	{ "required on display", { { I(1, 0) ".required", "true" } },
	  "sections[1].items[0] (\"intro\")",
	  "\"required\" does not apply to display items" },
	{ "help on display", { { I(1, 0) ".help", "{'en': 'a', 'es': 'b'}" } },
	  "sections[1].items[0] (\"intro\")",
	  "\"help\" does not apply to display items" },
	{ "unknown item type", { { I(1, 1) ".type", "'yesno'" } },
	  PREG, "unknown item type \"yesno\"" },
	{ "missing item type", { { I(1, 1) ".type", NULL } },
	  PREG, "missing \"type\"" },
	{ "duplicate item id", { { I(1, 2) ".id", "'pregnant'" } },
	  "sections[1].items[2] (\"pregnant\")", "duplicate item id" },
	{ "duplicate id across sections", { { I(2, 1) ".id", "'phone'" } },
	  "sections[2].items[1] (\"phone\")", "duplicate item id" },
	{ "item text missing", { { I(1, 1) ".text", NULL } },
	  PREG, "missing \"text\"" },
	{ "item text missing a language", { { I(1, 1) ".text.es", NULL } },
	  PREG, "\"text\": missing the \"es\" text" },
	{ "item text extra language", { { I(1, 1) ".text.fr", "'Enceinte?'" } },
	  PREG, "language \"fr\" is not listed" },
	{ "item text empty", { { I(1, 1) ".text.es", "''" } },
	  PREG, "the \"es\" text must be a non-empty string" },
	{ "help missing a language", { { I(1, 1) ".help.en", NULL } },
	  PREG, "\"help\": missing the \"en\" text" },
	{ "option label extra language",
	  { { I(1, 4) ".options.0.label.de", "'Schuppenflechte'" } },
	  SKINL, "options[0]: \"label\": language \"de\"" },
	{ "required not a boolean", { { I(1, 1) ".required", "1" } },
	  PREG, "\"required\" must be true or false" },
	{ "max_length too big", { { I(2, 1) ".max_length", "1001" } },
	  "sections[2].items[1] (\"notes\")",
	  "\"max_length\" must be a whole number from 1 to 1000" },
	{ "max_length not whole", { { I(2, 1) ".max_length", "10.5" } },
	  "sections[2].items[1] (\"notes\")", "\"max_length\" must be" },
	{ "max_years_ago zero", { { I(0, 2) ".max_years_ago", "0" } },
	  "sections[0].items[2] (\"birth_date\")",
	  "\"max_years_ago\" must be" },
	{ "enable_when unknown item",
	  { { I(1, 3) ".enable_when.item", "'chemotherapy'" } },
	  CDATE, "enable_when: no item \"chemotherapy\"" },
	{ "enable_when later item",
	  { { I(1, 1) ".enable_when", "{'item': 'chemo', 'equals': 'yes'}" } },
	  PREG, "\"chemo\" comes later in the form" },
	{ "enable_when later section",
	  { { I(0, 3) ".enable_when",
	      "{'item': 'goals', 'equals': 'lines'}" } },
	  "sections[0].items[3] (\"phone\")", "\"goals\" comes later" },
	{ "enable_when itself",
	  { { I(1, 3) ".enable_when.item", "'chemo_date'" } },
	  CDATE, "enable_when: refers to the item itself" },
	{ "enable_when on a string item",
	  { { I(1, 3) ".enable_when.item", "'given_name'" } },
	  CDATE, "\"given_name\" is a string item" },
	{ "enable_when on a date item",
	  { { I(1, 4) ".enable_when",
	      "{'item': 'chemo_date', 'equals': 'x'}" } },
	  SKINL, "\"chemo_date\" is a date item" },
	{ "enable_when impossible boolean value",
	  { { I(1, 3) ".enable_when.equals", "'maybe'" } },
	  CDATE, "\"chemo\" can't be \"maybe\"" },
	{ "enable_when not_sure not offered",
	  { { I(1, 7) ".enable_when", "{'item': 'acne_open', "
	      "'equals': 'not_sure'}" } },
	  "sections[1].items[7] (\"last_session\")",
	  "\"acne_open\" can't be \"not_sure\"" },
	{ "enable_when impossible option",
	  { { I(1, 5) ".enable_when.equals", "['acne', 'rosacea']" } },
	  "sections[1].items[5] (\"acne_where\")",
	  "\"skin\" can't be \"rosacea\"" },
	{ "enable_when without equals",
	  { { I(1, 3) ".enable_when.equals", NULL } },
	  CDATE, "enable_when: missing \"equals\"" },
	{ "enable_when empty equals",
	  { { I(1, 3) ".enable_when.equals", "[]" } },
	  CDATE, "\"equals\" must be a string or a non-empty array" },
	{ "enable_when unknown key", { { I(1, 3) ".enable_when.is", "'yes'" } },
	  CDATE, "enable_when: unknown key \"is\"" },
	{ "flag without level", { { I(1, 1) ".flag.level", NULL } },
	  PREG, "flag: missing \"level\"" },
	{ "flag without code", { { I(1, 1) ".flag.code", NULL } },
	  PREG, "flag: missing \"code\"" },
	{ "flag bad level", { { I(1, 1) ".flag.level", "'severe'" } },
	  PREG, "\"level\" must be \"exclude\" or \"review\"" },
	{ "flag code pattern", { { I(1, 1) ".flag.code", "'pregnant'" } },
	  PREG, "\"code\" must match [A-Z0-9_]+" },
	{ "flag unknown key", { { I(1, 1) ".flag.lvl", "'review'" } },
	  PREG, "flag: unknown key \"lvl\"" },
	{ "duplicate flag code", { { I(1, 6) ".flag.code", "'PREGNANT'" } },
	  AOPEN, "\"PREGNANT\" is also raised by " PREG },
	{ "flag code equal to a Not sure code",
	  { { I(1, 6) ".flag.code", "'CHEMO_UNSURE'" } },
	  AOPEN, "\"CHEMO_UNSURE\" is also raised by "
	  "sections[1].items[2] (\"chemo\")" },
	{ "flag on a string item",
	  { { I(0, 0) ".flag", "{'level': 'review', 'code': 'X'}" } },
	  GIVENL, "\"flag\" does not apply to string items" },
	{ "flag on a display item",
	  { { I(1, 0) ".flag", "{'level': 'review', 'code': 'X'}" } },
	  "sections[1].items[0] (\"intro\")",
	  "\"flag\" does not apply to display items" },
	{ "date flag without window",
	  { { I(1, 3) ".flag.within_days", NULL } },
	  CDATE, "exactly one of \"within_days\" and \"within_years\"" },
	{ "date flag with both windows",
	  { { I(1, 3) ".flag.within_years", "1" } },
	  CDATE, "exactly one of \"within_days\" and \"within_years\"" },
	{ "date flag with when", { { I(1, 3) ".flag.when", "['yes']" } },
	  CDATE, "\"when\" does not apply to date flags" },
	{ "date window zero", { { I(1, 3) ".flag.within_days", "0" } },
	  CDATE, "\"within_days\" must be a whole number from 1" },
	{ "window on a boolean flag",
	  { { I(1, 1) ".flag.within_days", "30" } },
	  PREG, "\"within_days\" does not apply to boolean flags" },
	{ "choice without options", { { I(1, 4) ".options", NULL } },
	  SKINL, "missing \"options\"" },
	{ "choice with empty options", { { I(1, 4) ".options", "[]" } },
	  SKINL, "\"options\" must not be empty" },
	{ "duplicate option code",
	  { { I(1, 4) ".options.1.code", "'psoriasis'" } },
	  SKINL, "options[1]: duplicate option code \"psoriasis\"" },
	{ "option code pattern", { { I(1, 4) ".options.1.code", "'Eczema'" } },
	  SKINL, "options[1]: \"code\" must match" },
	{ "option without label", { { I(1, 4) ".options.1.label", NULL } },
	  SKINL, "options[1]: missing \"label\"" },
	{ "choice flag without when", { { I(1, 4) ".flag.when", NULL } },
	  SKINL, "flag: missing \"when\"" },
	{ "choice when not an option",
	  { { I(1, 4) ".flag.when", "['psoriasis', 'rosacea']" } },
	  SKINL, "\"rosacea\" is not a possible answer" },
	{ "choice when listed twice",
	  { { I(1, 4) ".flag.when", "['eczema', 'eczema']" } },
	  SKINL, "\"when\" lists \"eczema\" twice" },
	{ "boolean when impossible", { { I(1, 6) ".flag.when", "['maybe']" } },
	  AOPEN, "\"maybe\" is not a possible answer (yes or no)" },
	{ "boolean when not_sure not offered",
	  { { I(1, 6) ".flag.when", "['not_sure']" } },
	  AOPEN, "\"not_sure\" is not a possible answer" },
	{ "not_sure on a choice", { { I(1, 4) ".not_sure", "true" } },
	  SKINL, "\"not_sure\" does not apply to choice items" },
	{ "options on a boolean", { { I(1, 6) ".options", "[]" } },
	  AOPEN, "\"options\" does not apply to boolean items" },
	{ "unknown client field", { { I(0, 0) ".client", "'nickname'" } },
	  GIVENL, "\"client\" must be given_name" },
	{ "client field on the wrong type",
	  { { I(0, 3) ".client", "'email'" } },
	  "sections[0].items[3] (\"phone\")",
	  "\"email\" needs an item of type email" },
	{ "client on a boolean", { { I(1, 1) ".client", "'phone'" } },
	  PREG, "\"client\" does not apply to boolean items" },
	{ "duplicate client field", { { I(0, 1) ".client", "'given_name'" } },
	  "sections[0].items[1] (\"family_name\")",
	  "\"given_name\" is already filled by " GIVENL },
	{ "no given_name item", { { I(0, 0) ".client", NULL } },
	  "sections", "\"client\": \"given_name\"" },
	{ "no family_name item", { { I(0, 1) ".client", NULL } },
	  "sections", "\"client\": \"family_name\"" },
	{ "missing consent", { { "consent", NULL } },
	  "", "missing \"consent\"" },
	{ "consent unknown key", { { "consent.versoin", "'2'" } },
	  "consent", "unknown key \"versoin\"" },
	{ "consent without version", { { "consent.version", NULL } },
	  "consent", "missing \"version\"" },
	{ "consent without clauses", { { "consent.clauses", "[]" } },
	  "consent", "\"clauses\" must not be empty" },
	{ "consent text missing a language", { { "consent.text.es", NULL } },
	  "consent", "\"text\": missing the \"es\" text" },
	{ "duplicate clause id",
	  { { "consent.clauses.+", "{'id': 'downtime', "
	      "'text': {'en': 'a', 'es': 'b'}}" } },
	  "consent.clauses[1] (\"downtime\")", "duplicate clause id" },
	{ "clause unknown key",
	  { { "consent.clauses.0.label", "'x'" } },
	  "consent.clauses[0] (\"downtime\")", "unknown key \"label\"" },
	{ "missing tests", { { "tests", NULL } }, "", "missing \"tests\"" },
	{ "no tests", { { "tests", "[]" } },
	  "", "\"tests\" must not be empty" },
	{ "test without name", { { "tests.0.name", NULL } },
	  "tests[0]", "missing \"name\"" },
	{ "duplicate test name", { { "tests.1.name", "'clear client'" } },
	  "tests[1] (\"clear client\")", "duplicate test name" },
	{ "test unknown key", { { "tests.0.expect", "'clear'" } },
	  "tests[0] (\"clear client\")", "unknown key \"expect\"" },
	{ "test naming an unknown item",
	  { { "tests.1.answers.pregnancy", "'yes'" } },
	  "tests[1] (\"pregnant client\")", "answers: no item \"pregnancy\"" },
	{ "test answering a display item",
	  { { "tests.1.answers.intro", "'yes'" } },
	  "tests[1] (\"pregnant client\")", "\"intro\" is a display item" },
	{ "test answering an item twice",
	  { { "tests.1.answers.+pregnant", "'no'" } },
	  "tests[1] (\"pregnant client\")",
	  "answers: \"pregnant\" appears twice" },
	{ "test array for a single answer",
	  { { "tests.1.answers.pregnant", "['yes']" } },
	  "tests[1] (\"pregnant client\")",
	  "the answer for \"pregnant\" must be a string" },
	{ "test array of non-strings",
	  { { "tests.1.answers.goals", "[1, 2]" } },
	  "tests[1] (\"pregnant client\")",
	  "\"goals\" must hold option codes" },
	{ "test bad expected outcome", { { "tests.1.outcome", "'excluded'" } },
	  "tests[1] (\"pregnant client\")",
	  "\"outcome\" must be \"clear\", \"review\" or \"exclude\"" },
	{ "test without outcome", { { "tests.1.outcome", NULL } },
	  "tests[1] (\"pregnant client\")", "missing \"outcome\"" },
	{ "test unknown flag code", { { "tests.1.flags", "['PREGANT']" } },
	  "tests[1] (\"pregnant client\")",
	  "flags[0] \"PREGANT\" is not a flag code" },
	{ "test flag listed twice",
	  { { "tests.1.flags", "['PREGNANT', 'PREGNANT']" } },
	  "tests[1] (\"pregnant client\")", "\"PREGNANT\" appears twice" },
	{ "test date that does not exist",
	  { { "tests.1.today", "'2026-02-29'" } },
	  "tests[1] (\"pregnant client\")", "\"today\" must be a date" },
	{ "test answers not an object", { { "tests.1.answers", "['yes']" } },
	  "tests[1] (\"pregnant client\")", "\"answers\" must be an object" },
};

/* Each load-error row: load fails, *f stays NULL, cause names the place. */
static void
test_load_error_row(void **state)
{
	const struct load_row *row = *state;
	struct form *f = (struct form *)1;
	char *cause = NULL, *path = NULL, *prefix = NULL;

	assert_int_equal(load_edited(row->edits, &f, &cause, &path), -1);
	assert_null(f);
	assert_non_null(cause);
	if (row->where[0] != '\0')
		assert_true(asprintf(&prefix, "%s: %s: ", path,
		    row->where) > 0);
	else
		assert_true(asprintf(&prefix, "%s: ", path) > 0);
	if (strncmp(cause, prefix, strlen(prefix)) != 0)
		fail_msg("%s: cause \"%s\" does not start with \"%s\"",
		    row->name, cause, prefix);
	if (strstr(cause, row->what) == NULL)
		fail_msg("%s: cause \"%s\" lacks \"%s\"", row->name, cause,
		    row->what);
	/* Every message is safe to print on a terminal. */
	if (!utf8_valid_text(cause, strlen(cause)))
		fail_msg("%s: cause holds control characters", row->name);
	free(prefix);
	free(cause);
	free(path);
}

/* The base form loads and the loader keeps what it says. */
static void
test_load_base(void **state)
{
	struct form *f = load_base();
	const struct form_item *it;

	assert_string_equal(f->id, "test-form");
	assert_string_equal(f->version, "3");
	assert_int_equal(f->nlanguages, 2);
	assert_int_equal(f->nsections, 3);
	assert_int_equal(f->nitems, NITEMS);
	assert_int_equal(f->sections[1].first_item, INTRO);
	assert_int_equal(f->sections[1].nitems, 8);
	assert_true(f->sections[1].one_per_page);
	assert_false(f->sections[0].one_per_page);
	assert_int_equal(f->items[GIVEN].client, CLIENT_GIVEN_NAME);
	assert_int_equal(f->items[BIRTH].client, CLIENT_BIRTH_DATE);
	assert_int_equal(f->items[EMAIL].client, CLIENT_EMAIL);
	assert_int_equal(f->items[NOTES].max_length, 100);
	assert_int_equal(f->items[BIRTH].max_years_ago, 120);
	assert_int_equal(f->items[BIRTH].flag->within_years, 18);
	it = &f->items[PREGNANT];
	assert_int_equal(it->type, ITEM_BOOLEAN);
	assert_true(it->not_sure && it->required);
	assert_int_equal(it->flag->level, LEVEL_EXCLUDE);
	assert_int_equal(it->flag->nwhen, 1);
	assert_string_equal(it->flag->when[0], "yes");	/* the default */
	assert_string_equal(form_text(&it->help, "es"), "O lactancia");
	it = &f->items[ACNE_OPEN];
	assert_non_null(it->enable_when);
	assert_int_equal(it->enable_when->item, ACNE_WHERE);
	assert_int_equal(it->enable_when->nequals, 2);
	assert_int_equal(f->items[SKIN].noptions, 4);
	assert_int_equal(f->items[CHEMO_DATE].flag->within_days, 180);
	assert_string_equal(f->consent.version, "c-1");
	assert_int_equal(f->consent.nclauses, 1);
	assert_int_equal(f->ncases, 2);
	assert_int_equal(f->cases[0].today.d, 1);
	assert_string_equal(f->cases[0].values[5], "none");
	assert_string_equal(f->cases[0].values[6], "lines,scars");
	assert_int_equal(f->cases[1].outcome, LEVEL_EXCLUDE);
	form_free(f);
	form_free(NULL);
}

/* Text lookup falls back to the default language; helpers by id. */
static void
test_text_and_lookup(void **state)
{
	struct form *f = load_base();

	assert_string_equal(form_text(&f->title, "es"), "Registro");
	assert_string_equal(form_text(&f->title, "en"), "Check-in");
	assert_string_equal(form_text(&f->title, "fr"), "Check-in");
	assert_string_equal(form_text(&f->title, NULL), "Check-in");
	assert_string_equal(form_text(&f->items[NOTES].help, "en"), "");
	assert_string_equal(form_text(&f->aftercare, "en"),
	    "Tip one\nTip two");
	assert_int_equal(form_item_index(f, "skin"), SKIN);
	assert_int_equal(form_item_index(f, "given_name"), GIVEN);
	assert_int_equal(form_item_index(f, "nope"), -1);
	assert_string_equal(form_level_name(LEVEL_NONE), "clear");
	assert_string_equal(form_level_name(LEVEL_REVIEW), "review");
	assert_string_equal(form_level_name(LEVEL_EXCLUDE), "exclude");
	form_free(f);
}

/* Syntax errors come back as PATH:LINE:COL; a missing file names it. */
static void
test_load_syntax_and_io(void **state)
{
	struct form *f = (struct form *)1;
	char *cause = NULL, *path = NULL, *want;

	assert_int_equal(load_text("{'id': 'x',\n  'version': }", &f, &cause,
	    &path), -1);
	assert_null(f);
	want = NULL;
	assert_true(asprintf(&want, "%s:2:", path) > 0);
	if (strncmp(cause, want, strlen(want)) != 0)
		fail_msg("cause \"%s\" lacks \"%s\"", cause, want);
	free(want);
	free(cause);
	free(path);

	f = (struct form *)1;
	assert_int_equal(form_load("/nonexistent/form.json", &f, &cause), -1);
	assert_null(f);
	assert_non_null(strstr(cause, "/nonexistent/form.json"));
	free(cause);

	f = (struct form *)1;
	assert_int_equal(load_text("['a form', 'is an object']", &f, &cause,
	    NULL), -1);
	assert_null(f);
	assert_non_null(strstr(cause, "must be a JSON object"));
	free(cause);
}

/* An answer-validation row: item, value, and the message or stored value. */
struct set_row {
	size_t item;
	const char *value;
	const char *msg;	/* NULL: accepted */
	const char *stored;	/* NULL: stored as given; "": cleared */
};

static const struct set_row set_rows[] = {
	{ BIRTH, "2026-02-29", "Please enter a date that exists.", NULL },
	{ BIRTH, "2026-04-31", "Please enter a date that exists.", NULL },
	{ BIRTH, "2024-02-29", NULL, NULL },
	{ BIRTH, "2026-06-02", "The date can't be in the future.", NULL },
	{ BIRTH, "2026-06-01", NULL, NULL },			/* today */
	{ BIRTH, "1906-06-01", NULL, NULL },			/* 120 years */
	{ BIRTH, "1906-05-31", "The date can't be more than 120 years ago.",
	  NULL },
	{ BIRTH, "31/05/1990", "Please enter the date as day, month and year.",
	  NULL },
	{ BIRTH, "1990-5-31", "Please enter the date as day, month and year.",
	  NULL },
	{ BIRTH, "1990-05-311", "Please enter the date as day, month and "
	  "year.", NULL },
	{ CHEMO_DATE, "2027-01-01", NULL, NULL },	/* no "past" */
	{ PREGNANT, "yes", NULL, NULL },
	{ PREGNANT, "no", NULL, NULL },
	{ PREGNANT, "not_sure", NULL, NULL },
	{ PREGNANT, "maybe", "Please answer yes, no or not sure.", NULL },
	{ PREGNANT, "Yes", "Please answer yes, no or not sure.", NULL },
	{ ACNE_OPEN, "not_sure", "Please answer yes or no.", NULL },
	{ SKIN, "eczema,psoriasis", NULL, "psoriasis,eczema" },
	{ SKIN, "none", NULL, NULL },
	{ SKIN, "acne,acne", "Please choose from the options.", NULL },
	{ SKIN, "rosacea", "Please choose from the options.", NULL },
	{ SKIN, "acne,", "Please choose from the options.", NULL },
	{ SKIN, ",acne", "Please choose from the options.", NULL },
	{ SKIN, "acn", "Please choose from the options.", NULL },
	{ ACNE_WHERE, "face", NULL, NULL },
	{ ACNE_WHERE, "face,back", "Please choose one of the options.", NULL },
	{ ACNE_WHERE, "fac", "Please choose one of the options.", NULL },
	{ PHONE, "+1 (555) 123-4567", NULL, NULL },
	{ PHONE, "+44 20 7946 0958", NULL, NULL },
	{ PHONE, "555.1234", NULL, NULL },			/* 7 digits */
	{ PHONE, "555 123", "Please check the phone number.", NULL },	/* 6 */
	{ PHONE, "+123456789012345", NULL, NULL },		/* 15 */
	{ PHONE, "1234567890123456", "Please check the phone number.", NULL },
	{ PHONE, "555-CALL-NOW", "Please check the phone number.", NULL },
	{ PHONE, "++15551234567", "Please check the phone number.", NULL },
	{ PHONE, "5551234567+", "Please check the phone number.", NULL },
	{ PHONE, "-5551234567", "Please check the phone number.", NULL },
	{ PHONE, "+", "Please check the phone number.", NULL },
	{ PHONE, "  555 1234  ", NULL, "555 1234" },
	{ EMAIL, "ana@example.com", NULL, NULL },
	{ EMAIL, "ana.silva+spa@mail.example.pt", NULL, NULL },
	{ EMAIL, "ana@example", "Please check the e-mail address.", NULL },
	{ EMAIL, "ana@@example.com", "Please check the e-mail address.", NULL },
	{ EMAIL, "ana@x@example.com", "Please check the e-mail address.",
	  NULL },
	{ EMAIL, "@example.com", "Please check the e-mail address.", NULL },
	{ EMAIL, "ana silva@example.com", "Please check the e-mail address.",
	  NULL },
	{ EMAIL, "ana@.com", "Please check the e-mail address.", NULL },
	{ EMAIL, "ana@example.com.", "Please check the e-mail address.", NULL },
	{ EMAIL, "anaexample.com", "Please check the e-mail address.", NULL },
	{ GIVEN, "  Ana  ", NULL, "Ana" },
	{ GIVEN, "Zoë", NULL, NULL },
	{ GIVEN, "   ", NULL, "" },
	{ GIVEN, "", NULL, "" },
	{ GIVEN, NULL, NULL, "" },
	{ NOTES, "line\nbreak", "The text contains characters that can't be "
	  "used.", NULL },
	{ NOTES, "tab\there", "The text contains characters that can't be "
	  "used.", NULL },
	{ NOTES, "bell\a", "The text contains characters that can't be used.",
	  NULL },
	{ NOTES, "bad \xff byte", "The text contains characters that can't be "
	  "used.", NULL },
	{ NOTES, "C1 \xc2\x85 control", "The text contains characters that "
	  "can't be used.", NULL },
	{ INTRO, "yes", "This page takes no answer.", NULL },
};

/* Each row on a fresh answer set, so an old value can't hide a result. */
static void
test_answers_set_rows(void **state)
{
	struct form *f = load_base();
	struct answers *a;
	const struct set_row *r;
	const char *want;
	char *msg;
	size_t i;
	int rc;

	for (i = 0; i < sizeof set_rows / sizeof set_rows[0]; i++) {
		r = &set_rows[i];
		a = answers_new(f);
		msg = (char *)1;
		rc = answers_set(a, r->item, r->value, june1, &msg);
		if (r->msg != NULL) {
			if (rc != -1 || msg == NULL ||
			    strcmp(msg, r->msg) != 0)
				fail_msg("row %zu (\"%s\"): got %d \"%s\", "
				    "want \"%s\"", i, r->value, rc,
				    rc == 0 ? "" : msg, r->msg);
			assert_null(answers_get(a, r->item));
			free(msg);
		} else {
			if (rc != 0)
				fail_msg("row %zu (\"%s\") refused: %s", i,
				    r->value, msg);
			assert_null(msg);
			want = r->stored != NULL ? r->stored : r->value;
			if (want[0] == '\0')
				assert_null(answers_get(a, r->item));
			else
				assert_string_equal(answers_get(a, r->item),
				    want);
		}
		answers_free(a);
	}
	form_free(f);
}

/* On 29 February, 120 years back is 28 February 1900 (not a leap year). */
static void
test_answers_leap_today(void **state)
{
	static const struct {
		const char *value, *msg;
	} rows[] = {
		{ "1900-02-28", NULL },
		{ "1900-02-27", "The date can't be more than 120 years ago." },
		{ "2020-02-29", NULL },
		{ "2020-03-01", "The date can't be in the future." },
	};
	const struct kdate leap = { 2020, 2, 29 };
	struct form *f = load_base();
	struct answers *a = answers_new(f);
	char *msg;
	size_t i;
	int rc;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		rc = answers_set(a, BIRTH, rows[i].value, leap, &msg);
		if (rows[i].msg == NULL && rc != 0)
			fail_msg("%s refused: %s", rows[i].value, msg);
		if (rows[i].msg != NULL && (rc != -1 ||
		    strcmp(msg, rows[i].msg) != 0))
			fail_msg("%s: got %d", rows[i].value, rc);
		free(msg);
	}
	answers_free(a);
	form_free(f);
}

/* Length is in characters: 100 x "ë" (200 bytes) fits, 101 does not. */
static void
test_answers_length(void **state)
{
	struct form *f = load_base();
	struct answers *a = answers_new(f);
	char buf[2 * 102 + 1], *msg;
	int i;

	buf[0] = '\0';
	for (i = 0; i < 100; i++)
		memcpy(buf + 2 * i, "\xc3\xab", 3);
	assert_int_equal(answers_set(a, NOTES, buf, june1, &msg), 0);
	assert_string_equal(answers_get(a, NOTES), buf);
	memcpy(buf + 200, "\xc3\xab", 3);
	assert_int_equal(answers_set(a, NOTES, buf, june1, &msg), -1);
	assert_string_equal(msg, "Please use at most 100 characters.");
	free(msg);
	/* The refused value left the earlier answer in place. */
	assert_int_equal(strlen(answers_get(a, NOTES)), 200);
	memset(buf, 'a', 101);
	buf[101] = '\0';
	assert_int_equal(answers_set(a, GIVEN, buf, june1, &msg), -1);
	assert_string_equal(msg, "Please use at most 100 characters.");
	free(msg);
	buf[100] = '\0';
	assert_int_equal(answers_set(a, GIVEN, buf, june1, &msg), 0);
	assert_int_equal(answers_set(a, NITEMS, "x", june1, &msg), -1);
	assert_non_null(msg);
	free(msg);
	answers_free(a);
	answers_free(NULL);
	form_free(f);
}

/* A smaller max_length is honoured. */
static void
test_answers_max_length(void **state)
{
	static const struct form_edit edits[] = {
		{ I(2, 1) ".max_length", "3" }, { NULL, NULL }
	};
	struct form *f = NULL;
	struct answers *a;
	char *cause = NULL, *msg;

	if (load_edited(edits, &f, &cause, NULL) != 0)
		fail_msg("%s", cause);
	a = answers_new(f);
	assert_int_equal(answers_set(a, NOTES, "ëëë", june1, &msg), 0);
	assert_int_equal(answers_set(a, NOTES, "ëëëë", june1, &msg), -1);
	assert_string_equal(msg, "Please use at most 3 characters.");
	free(msg);
	answers_free(a);
	form_free(f);
}

/* Clearing: NULL and "" remove the answer (required or not). */
static void
test_answers_clear(void **state)
{
	struct form *f = load_base();
	struct answers *a = answers_new(f);
	char *msg;
	size_t i;

	assert_int_equal(answers_set(a, PREGNANT, "yes", june1, &msg), 0);
	assert_string_equal(answers_get(a, PREGNANT), "yes");
	assert_int_equal(answers_set(a, PREGNANT, NULL, june1, &msg), 0);
	assert_null(answers_get(a, PREGNANT));
	assert_int_equal(answers_set(a, GIVEN, "Ana", june1, &msg), 0);
	assert_int_equal(answers_set(a, GIVEN, "", june1, &msg), 0);
	assert_null(answers_get(a, GIVEN));
	assert_int_equal(answers_set(a, GIVEN, "Ana", june1, &msg), 0);
	assert_int_equal(answers_set(a, SKIN, "acne,none", june1, &msg), 0);
	assert_true(answers_has(a, SKIN, "acne"));
	assert_true(answers_has(a, SKIN, "none"));
	assert_false(answers_has(a, SKIN, "acn"));
	assert_false(answers_has(a, SKIN, "eczema"));
	assert_false(answers_has(a, CHEMO, "yes"));
	answers_clear_all(a);
	for (i = 0; i < NITEMS; i++)
		assert_null(answers_get(a, i));
	assert_null(answers_get(a, NITEMS));
	answers_free(a);
	form_free(f);
}

/* A flag row: answers ("id=value;..."), today, outcome, exact codes. */
struct flag_row {
	const char *name;
	const char *answers;
	struct kdate today;
	enum flag_level outcome;
	const char *codes;	/* "A,B" in item order */
};

#define JUNE1 { 2026, 6, 1 }

static const struct flag_row flag_rows[] = {
	{ "nothing answered", "", JUNE1, LEVEL_NONE, "" },
	{ "boolean yes", "pregnant=yes", JUNE1, LEVEL_EXCLUDE, "PREGNANT" },
	{ "boolean no", "pregnant=no", JUNE1, LEVEL_NONE, "" },
	{ "not sure with a flag", "pregnant=not_sure", JUNE1, LEVEL_REVIEW,
	  "PREGNANT_UNSURE" },
	{ "not sure without a flag", "chemo=not_sure", JUNE1, LEVEL_REVIEW,
	  "CHEMO_UNSURE" },
	{ "exclude beats review", "pregnant=yes;chemo=not_sure", JUNE1,
	  LEVEL_EXCLUDE, "PREGNANT,CHEMO_UNSURE" },
	{ "not sure and an exclusion", "pregnant=not_sure;skin=psoriasis",
	  JUNE1, LEVEL_EXCLUDE, "PREGNANT_UNSURE,INFLAMED" },
	{ "within_days: today", "chemo=yes;chemo_date=2026-06-01", JUNE1,
	  LEVEL_EXCLUDE, "CHEMO_RECENT" },
	{ "within_days: day N inside", "chemo=yes;chemo_date=2025-12-03",
	  JUNE1, LEVEL_EXCLUDE, "CHEMO_RECENT" },
	{ "within_days: day N+1 outside", "chemo=yes;chemo_date=2025-12-02",
	  JUNE1, LEVEL_NONE, "" },
	{ "within_days: future counts", "chemo=yes;chemo_date=2026-09-01",
	  JUNE1, LEVEL_EXCLUDE, "CHEMO_RECENT" },
	{ "within_days 21: day 21", "last_session=2026-05-11", JUNE1,
	  LEVEL_REVIEW, "SESSION_SPACING" },
	{ "within_days 21: day 22", "last_session=2026-05-10", JUNE1,
	  LEVEL_NONE, "" },
	{ "within_days across a leap day", "last_session=2024-02-08",
	  { 2024, 2, 29 }, LEVEL_REVIEW, "SESSION_SPACING" },
	{ "within_days across a leap day, day 22", "last_session=2024-02-07",
	  { 2024, 2, 29 }, LEVEL_NONE, "" },
	{ "disabled item ignored", "chemo=no;chemo_date=2026-05-01", JUNE1,
	  LEVEL_NONE, "" },
	{ "within_years: 18th birthday today", "birth_date=2008-06-01",
	  JUNE1, LEVEL_NONE, "" },
	{ "within_years: 18th birthday tomorrow", "birth_date=2008-06-02",
	  JUNE1, LEVEL_REVIEW, "MINOR" },
	{ "within_years: adult", "birth_date=1990-01-01", JUNE1, LEVEL_NONE,
	  "" },
	{ "within_years: born today", "birth_date=2026-06-01", JUNE1,
	  LEVEL_REVIEW, "MINOR" },
	{ "29 Feb birth, 28 Feb of year 18", "birth_date=2008-02-29",
	  { 2026, 2, 28 }, LEVEL_REVIEW, "MINOR" },
	{ "29 Feb birth, 1 Mar of year 18", "birth_date=2008-02-29",
	  { 2026, 3, 1 }, LEVEL_NONE, "" },
	{ "29 Feb today, born 28 Feb", "birth_date=2010-02-28",
	  { 2028, 2, 29 }, LEVEL_NONE, "" },
	{ "29 Feb today, born 1 Mar", "birth_date=2010-03-01",
	  { 2028, 2, 29 }, LEVEL_REVIEW, "MINOR" },
	{ "1 Mar birth, 1 Mar of year 18", "birth_date=2008-03-01",
	  { 2026, 3, 1 }, LEVEL_NONE, "" },
	{ "multiple choice: one match", "skin=psoriasis", JUNE1,
	  LEVEL_EXCLUDE, "INFLAMED" },
	{ "multiple choice: two matches, one flag", "skin=eczema,psoriasis",
	  JUNE1, LEVEL_EXCLUDE, "INFLAMED" },
	{ "multiple choice: match among others", "skin=acne,eczema", JUNE1,
	  LEVEL_EXCLUDE, "INFLAMED" },
	{ "multiple choice: no match", "skin=acne,none", JUNE1, LEVEL_NONE,
	  "" },
	{ "single choice when", "skin=acne;acne_where=face", JUNE1,
	  LEVEL_REVIEW, "ACNE_FACE" },
	{ "single choice not in when", "skin=acne;acne_where=back", JUNE1,
	  LEVEL_NONE, "" },
	{ "chain: A enables B enables C", "skin=acne;acne_where=back;"
	  "acne_open=yes", JUNE1, LEVEL_EXCLUDE, "OPEN_WOUNDS" },
	{ "chain: A off hides B and C", "skin=none;acne_where=face;"
	  "acne_open=yes", JUNE1, LEVEL_NONE, "" },
	{ "chain: B cleared hides C", "skin=acne;acne_open=yes", JUNE1,
	  LEVEL_NONE, "" },
	{ "everything", "birth_date=2010-01-01;pregnant=not_sure;"
	  "chemo=yes;chemo_date=2026-01-01;skin=acne,psoriasis;"
	  "acne_where=face;acne_open=no;last_session=2026-05-31", JUNE1,
	  LEVEL_EXCLUDE, "MINOR,PREGNANT_UNSURE,CHEMO_RECENT,INFLAMED,"
	  "ACNE_FACE,SESSION_SPACING" },
};

/* Set "id=value;id=value" answers; the test fails on a refused one. */
static void
set_answers(struct form *f, struct answers *a, const char *spec,
    struct kdate today)
{
	char *copy = strdup(spec), *p, *eq, *tok, *save = NULL, *msg;
	long i;

	assert_non_null(copy);
	for (p = copy; (tok = strtok_r(p, ";", &save)) != NULL; p = NULL) {
		eq = strchr(tok, '=');
		assert_non_null(eq);
		*eq = '\0';
		if ((i = form_item_index(f, tok)) < 0)
			fail_msg("no item %s", tok);
		if (answers_set(a, (size_t)i, eq + 1, today, &msg) != 0)
			fail_msg("%s=%s refused: %s", tok, eq + 1, msg);
	}
	free(copy);
}

/* The hits' codes joined by ','. */
static char *
hit_codes(const struct flag_hit *h, size_t n)
{
	char *s = calloc(1, 1), *next;
	size_t i;

	assert_non_null(s);
	for (i = 0; i < n; i++) {
		next = NULL;
		assert_true(asprintf(&next, "%s%s%s", s, i > 0 ? "," : "",
		    h[i].code) > 0);
		free(s);
		s = next;
	}
	return s;
}

/* Each flag row: the outcome and the exact codes, in item order. */
static void
test_flag_rows(void **state)
{
	struct form *f = load_base();
	const struct flag_row *r;
	struct answers *a;
	struct flag_hit *h;
	enum flag_level outcome;
	char *codes;
	size_t i, n;

	for (i = 0; i < sizeof flag_rows / sizeof flag_rows[0]; i++) {
		r = &flag_rows[i];
		a = answers_new(f);
		set_answers(f, a, r->answers, r->today);
		n = form_evaluate(f, a, r->today, &h, &outcome);
		codes = hit_codes(h, n);
		if (outcome != r->outcome || strcmp(codes, r->codes) != 0)
			fail_msg("%s: got %s [%s], want %s [%s]", r->name,
			    form_level_name(outcome), codes,
			    form_level_name(r->outcome), r->codes);
		free(codes);
		flags_free(h, n);
		answers_free(a);
	}
	form_free(f);
}

/* Hits carry the item, level and staff reason; "Not sure" builds its own. */
static void
test_flag_hit_details(void **state)
{
	struct form *f = load_base();
	struct answers *a = answers_new(f);
	struct flag_hit *h;
	enum flag_level outcome;
	size_t n;

	set_answers(f, a, "pregnant=not_sure;chemo=not_sure;skin=eczema",
	    june1);
	n = form_evaluate(f, a, june1, &h, &outcome);
	assert_int_equal(n, 3);
	assert_int_equal(h[0].item, PREGNANT);
	assert_int_equal(h[0].level, LEVEL_REVIEW);
	assert_string_equal(h[0].code, "PREGNANT_UNSURE");
	assert_string_equal(h[0].reason, "Not sure: Pregnant or breastfeeding");
	assert_int_equal(h[1].item, CHEMO);
	assert_string_equal(h[1].code, "CHEMO_UNSURE");
	assert_string_equal(h[1].reason, "Not sure: Chemotherapy?");
	assert_int_equal(h[2].item, SKIN);
	assert_int_equal(h[2].level, LEVEL_EXCLUDE);
	assert_string_equal(h[2].code, "INFLAMED");
	assert_string_equal(h[2].reason, "Inflamed skin");
	assert_null(h[2].owned);
	assert_int_equal(outcome, LEVEL_EXCLUDE);
	flags_free(h, n);
	flags_free(NULL, 0);
	answers_free(a);
	form_free(f);
}

/* Changing A re-evaluates the chain: C's flag comes and goes. */
static void
test_enable_chain(void **state)
{
	struct form *f = load_base();
	struct answers *a = answers_new(f);
	struct flag_hit *h;
	enum flag_level outcome;
	size_t n;

	set_answers(f, a, "skin=acne;acne_where=face;acne_open=yes", june1);
	assert_true(form_item_enabled(f, a, ACNE_WHERE));
	assert_true(form_item_enabled(f, a, ACNE_OPEN));
	n = form_evaluate(f, a, june1, &h, &outcome);
	assert_int_equal(n, 2);
	assert_int_equal(outcome, LEVEL_EXCLUDE);
	flags_free(h, n);

	set_answers(f, a, "skin=eczema", june1);
	assert_false(form_item_enabled(f, a, ACNE_WHERE));
	assert_false(form_item_enabled(f, a, ACNE_OPEN));
	assert_string_equal(answers_get(a, ACNE_OPEN), "yes");	/* kept */
	n = form_evaluate(f, a, june1, &h, &outcome);
	assert_int_equal(n, 1);
	assert_string_equal(h[0].code, "INFLAMED");
	flags_free(h, n);

	set_answers(f, a, "skin=none", june1);
	n = form_evaluate(f, a, june1, &h, &outcome);
	assert_int_equal(n, 0);
	assert_null(h);
	assert_int_equal(outcome, LEVEL_NONE);
	flags_free(h, n);

	set_answers(f, a, "skin=acne,none", june1);	/* back again */
	assert_true(form_item_enabled(f, a, ACNE_OPEN));
	n = form_evaluate(f, a, june1, &h, &outcome);
	assert_int_equal(n, 2);
	flags_free(h, n);
	assert_true(form_item_enabled(f, a, GIVEN));
	answers_free(a);
	form_free(f);
}

/* A form for paging: a grouped section that can be wholly disabled. */
static const char pages_form[] =
"{'id': 'pages', 'version': '1', 'languages': ['en'],"
" 'clinic': {'en': 'C'}, 'title': {'en': 'T'}, 'about_title': {'en': 'A'},"
" 'about': {'en': 'A'}, 'aftercare': {'en': 'A'},"
" 'sections': ["
"  {'id': 'names', 'title': {'en': 'N'}, 'items': ["
"   {'id': 'given', 'type': 'string', 'client': 'given_name',"
"    'required': true, 'text': {'en': 'G'}},"
"   {'id': 'family', 'type': 'string', 'client': 'family_name',"
"    'required': true, 'text': {'en': 'F'}},"
"   {'id': 'q', 'type': 'boolean', 'text': {'en': 'Q'}}]},"
"  {'id': 'extra', 'title': {'en': 'E'}, 'items': ["
"   {'id': 'e1', 'type': 'string', 'required': true, 'text': {'en': 'E1'},"
"    'enable_when': {'item': 'q', 'equals': 'yes'}},"
"   {'id': 'e2', 'type': 'boolean', 'text': {'en': 'E2'},"
"    'enable_when': {'item': 'q', 'equals': 'yes'}}]},"
"  {'id': 'qs', 'one_per_page': true, 'title': {'en': 'Q'}, 'items': ["
"   {'id': 'intro', 'type': 'display', 'text': {'en': 'I'}},"
"   {'id': 'a', 'type': 'boolean', 'required': true, 'text': {'en': 'A'}},"
"   {'id': 'b', 'type': 'boolean', 'required': true, 'text': {'en': 'B'},"
"    'enable_when': {'item': 'a', 'equals': 'yes'}},"
"   {'id': 'mid', 'type': 'display', 'text': {'en': 'M'}},"
"   {'id': 'c', 'type': 'boolean', 'text': {'en': 'C'},"
"    'enable_when': {'item': 'b', 'equals': 'yes'}},"
"   {'id': 'd', 'type': 'boolean', 'text': {'en': 'D'}}]},"
"  {'id': 'end', 'title': {'en': 'E'}, 'items': ["
"   {'id': 'last', 'type': 'string', 'text': {'en': 'L'}}]}],"
" 'consent': {'version': '1', 'title': {'en': 'C'}, 'text': {'en': 'C'},"
"  'clauses': [{'id': 'c1', 'text': {'en': 'C'}}], 'signature': {'en': 'S'}},"
" 'tests': [{'name': 'empty', 'answers': {}, 'outcome': 'clear'}]}";

enum { P_GIVEN, P_FAMILY, P_Q, P_E1, P_E2, P_INTRO, P_A, P_B, P_MID, P_C,
	P_D, P_LAST, P_N };

/* The first item of each page, walking forward, as "0,5,6,...". */
static char *
walk_forward(const struct form *f, const struct answers *a)
{
	struct form_page p;
	char *s = calloc(1, 1), *next;
	size_t at = (size_t)-1;

	assert_non_null(s);
	while (form_page_next(f, a, at, &p) == 0) {
		next = NULL;
		assert_true(asprintf(&next, "%s%s%zu", s, *s ? "," : "",
		    p.first) > 0);
		free(s);
		s = next;
		at = p.first;
	}
	return s;
}

/* The same walk backwards from the end. */
static char *
walk_back(const struct form *f, const struct answers *a)
{
	struct form_page p;
	char *s = calloc(1, 1), *next;
	size_t at = f->nitems;

	assert_non_null(s);
	while (form_page_prev(f, a, at, &p) == 0) {
		next = NULL;
		assert_true(asprintf(&next, "%s%s%zu", s, *s ? "," : "",
		    p.first) > 0);
		free(s);
		s = next;
		at = p.first;
	}
	return s;
}

/* next/prev skip disabled pages; grouped pages hold the whole section. */
static void
test_pages_walk(void **state)
{
	static const struct {
		const char *answers;
		const char *fwd, *back;
	} rows[] = {
		{ "", "0,5,6,8,10,11", "11,10,8,6,5,0" },
		{ "q=no", "0,5,6,8,10,11", "11,10,8,6,5,0" },
		{ "q=yes", "0,3,5,6,8,10,11", "11,10,8,6,5,3,0" },
		{ "a=yes", "0,5,6,7,8,10,11", "11,10,8,7,6,5,0" },
		{ "a=yes;b=yes", "0,5,6,7,8,9,10,11", "11,10,9,8,7,6,5,0" },
		{ "a=no;b=yes", "0,5,6,8,10,11", "11,10,8,6,5,0" },
	};
	struct form *f = NULL;
	struct answers *a;
	struct form_page p;
	char *cause = NULL, *fwd, *back;
	size_t i;

	if (load_text(pages_form, &f, &cause, NULL) != 0)
		fail_msg("%s", cause);
	assert_int_equal(f->nitems, P_N);
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		a = answers_new(f);
		set_answers(f, a, rows[i].answers, june1);
		fwd = walk_forward(f, a);
		back = walk_back(f, a);
		if (strcmp(fwd, rows[i].fwd) != 0 ||
		    strcmp(back, rows[i].back) != 0)
			fail_msg("\"%s\": forward %s back %s, want %s / %s",
			    rows[i].answers, fwd, back, rows[i].fwd,
			    rows[i].back);
		free(fwd);
		free(back);
		answers_free(a);
	}
	a = answers_new(f);
	assert_int_equal(form_page_next(f, a, (size_t)-1, &p), 0);
	assert_int_equal(p.section, 0);
	assert_int_equal(p.first, 0);
	assert_int_equal(p.count, 3);
	assert_int_equal(form_page_next(f, a, P_Q, &p), 0);	/* mid-group */
	assert_int_equal(p.first, P_INTRO);
	assert_int_equal(p.count, 1);
	assert_int_equal(p.section, 2);
	assert_int_equal(form_page_next(f, a, P_LAST, &p), -1);
	assert_int_equal(form_page_next(f, a, P_N, &p), -1);
	assert_int_equal(form_page_prev(f, a, 0, &p), -1);
	assert_int_equal(form_page_prev(f, a, P_N + 5, &p), 0);
	assert_int_equal(p.first, P_LAST);
	answers_free(a);
	form_free(f);
}

/*
 * "Question k of n": answerable items of the section that the answers so
 * far can still reach.
 */
static void
test_pages_progress(void **state)
{
	static const struct {
		const char *answers;
		size_t page, k, n;
	} rows[] = {
		/* Unanswered a and b may still lead to b and c: counted. */
		{ "", P_INTRO, 0, 4 },		/* display: no number */
		{ "", P_A, 1, 4 },
		{ "", P_MID, 0, 4 },
		{ "", P_D, 4, 4 },
		{ "a=yes", P_B, 2, 4 },
		{ "a=yes", P_D, 4, 4 },
		{ "a=yes;b=yes", P_C, 3, 4 },
		{ "a=yes;b=yes", P_D, 4, 4 },
		{ "a=yes;b=no", P_D, 3, 3 },	/* c ruled out by b */
		{ "a=no", P_D, 2, 2 },		/* b and c ruled out by a */
		{ "a=no;b=yes", P_D, 2, 2 },	/* c hidden via b */
		{ "", P_GIVEN, 0, 0 },		/* grouped: no counter */
	};
	struct form *f = NULL;
	struct answers *a;
	struct form_page p;
	char *cause = NULL;
	size_t i, k, n;

	if (load_text(pages_form, &f, &cause, NULL) != 0)
		fail_msg("%s", cause);
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		a = answers_new(f);
		set_answers(f, a, rows[i].answers, june1);
		p.section = f->items[rows[i].page].section;
		p.first = rows[i].page;
		p.count = 1;
		if (!f->sections[p.section].one_per_page) {
			p.first = f->sections[p.section].first_item;
			p.count = f->sections[p.section].nitems;
		}
		k = n = 99;
		form_page_progress(f, a, &p, &k, &n);
		if (k != rows[i].k || n != rows[i].n)
			fail_msg("row %zu: %zu of %zu, want %zu of %zu", i, k,
			    n, rows[i].k, rows[i].n);
		answers_free(a);
	}
	form_free(f);
}

/* A page is complete when its enabled required items are answered. */
static void
test_pages_complete(void **state)
{
	struct form *f = NULL;
	struct answers *a;
	struct form_page p;
	char *cause = NULL, *msg;
	size_t item = 99;

	if (load_text(pages_form, &f, &cause, NULL) != 0)
		fail_msg("%s", cause);
	a = answers_new(f);
	assert_int_equal(form_page_next(f, a, (size_t)-1, &p), 0);
	assert_false(form_page_complete(f, a, &p, &item));
	assert_int_equal(item, P_GIVEN);
	assert_int_equal(answers_set(a, P_GIVEN, "Ana", june1, &msg), 0);
	assert_false(form_page_complete(f, a, &p, &item));
	assert_int_equal(item, P_FAMILY);
	assert_int_equal(answers_set(a, P_FAMILY, "Silva", june1, &msg), 0);
	assert_true(form_page_complete(f, a, &p, NULL));	/* q optional */

	/* The extra page's required e1 only counts while it is shown. */
	p.section = 1;
	p.first = P_E1;
	p.count = 2;
	assert_true(form_page_complete(f, a, &p, &item));
	assert_int_equal(answers_set(a, P_Q, "yes", june1, &msg), 0);
	assert_false(form_page_complete(f, a, &p, &item));
	assert_int_equal(item, P_E1);

	p.section = 2;
	p.first = P_INTRO;
	p.count = 1;
	assert_true(form_page_complete(f, a, &p, &item));	/* display */
	p.first = P_B;
	assert_true(form_page_complete(f, a, &p, &item));	/* hidden */
	assert_int_equal(answers_set(a, P_A, "yes", june1, &msg), 0);
	assert_false(form_page_complete(f, a, &p, &item));
	assert_int_equal(item, P_B);
	answers_free(a);
	form_free(f);
}

/* Extra test cases for form_run_cases: two pass, three fail. */
static const struct form_edit case_edits[] = {
	{ "tests.+", "{'name': 'default today, 18 tomorrow',"
	  " 'answers': {'birth_date': '2008-01-02'},"
	  " 'outcome': 'review', 'flags': ['MINOR']}" },
	{ "tests.+", "{'name': 'wrong outcome',"
	  " 'answers': {'pregnant': 'yes', 'chemo': 'not_sure'},"
	  " 'outcome': 'clear', 'flags': []}" },
	{ "tests.+", "{'name': 'bad date',"
	  " 'answers': {'birth_date': '2026-02-30', 'pregnant': 'yes'},"
	  " 'outcome': 'exclude', 'flags': ['PREGNANT']}" },
};
static const struct form_edit case_edits2[] = {
	{ "tests.+", "{'name': 'missing flag', 'today': '2026-06-01',"
	  " 'answers': {'skin': ['eczema', 'acne'], 'acne_where': 'face'},"
	  " 'outcome': 'exclude', 'flags': ['INFLAMED']}" },
	{ "tests.+", "{'name': 'disabled answers are ignored',"
	  " 'today': '2026-06-01', 'answers': {'chemo': 'no',"
	  " 'chemo_date': '2026-05-30', 'skin': 'acne,none'},"
	  " 'outcome': 'clear'}" },
};

/* The base form's own cases pass. */
static void
test_cases_pass(void **state)
{
	struct form *f = load_base();
	char *cause = (char *)1;

	assert_int_equal(form_run_cases(f, &cause), 0);
	assert_null(cause);
	assert_int_equal(form_run_cases(f, NULL), 0);
	form_free(f);
}

/* Failing cases are counted and each is explained; passing ones are not. */
static void
test_cases_fail(void **state)
{
	struct form *f = NULL;
	char *json, *json2, *cause = NULL;
	cJSON *root;
	size_t i;

	json = edited_base(case_edits);
	root = cJSON_Parse(json);
	free(json);
	for (i = 0; i < sizeof case_edits2 / sizeof case_edits2[0]; i++)
		edit(root, case_edits2[i].path, case_edits2[i].json);
	json2 = cJSON_Print(root);
	cJSON_Delete(root);
	if (load_text(json2, &f, &cause, NULL) != 0)
		fail_msg("%s", cause);
	free(json2);
	assert_int_equal(f->ncases, 7);
	assert_int_equal(form_run_cases(f, &cause), 3);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "case \"wrong outcome\": expected clear "
	    "[], got exclude [PREGNANT, CHEMO_UNSURE]"));
	assert_non_null(strstr(cause, "case \"bad date\": answer "
	    "\"2026-02-30\" for \"birth_date\" is refused: Please enter a "
	    "date that exists."));
	assert_non_null(strstr(cause, "case \"missing flag\": expected "
	    "exclude [INFLAMED], got exclude [INFLAMED, ACNE_FACE]"));
	assert_null(strstr(cause, "18 tomorrow"));
	assert_null(strstr(cause, "disabled answers"));
	assert_null(strstr(cause, "clear client"));
	assert_non_null(strchr(cause, '\n'));	/* one line per case */
	free(cause);
	assert_int_equal(form_run_cases(f, NULL), 3);
	form_free(f);
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_load_base),
		cmocka_unit_test(test_text_and_lookup),
		cmocka_unit_test(test_load_syntax_and_io),
		cmocka_unit_test(test_answers_set_rows),
		cmocka_unit_test(test_answers_leap_today),
		cmocka_unit_test(test_answers_length),
		cmocka_unit_test(test_answers_max_length),
		cmocka_unit_test(test_answers_clear),
		cmocka_unit_test(test_flag_rows),
		cmocka_unit_test(test_flag_hit_details),
		cmocka_unit_test(test_enable_chain),
		cmocka_unit_test(test_pages_walk),
		cmocka_unit_test(test_pages_progress),
		cmocka_unit_test(test_pages_complete),
		cmocka_unit_test(test_cases_pass),
		cmocka_unit_test(test_cases_fail),
	};
	enum { NFIXED = sizeof fixed / sizeof fixed[0],
	    NROWS = sizeof load_rows / sizeof load_rows[0] };
	struct CMUnitTest tests[NFIXED + NROWS];
	size_t i;

	memcpy(tests, fixed, sizeof fixed);
	/* One test per load-error row, named after the row. */
	for (i = 0; i < NROWS; i++) {
		memset(&tests[NFIXED + i], 0, sizeof tests[0]);
		tests[NFIXED + i].name = load_rows[i].name;
		tests[NFIXED + i].test_func = test_load_error_row;
		tests[NFIXED + i].initial_state = (void *)&load_rows[i];
	}
	return _cmocka_run_group_tests("test_form", tests, NFIXED + NROWS,
	    NULL, NULL);
}
