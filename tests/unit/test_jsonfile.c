/*
 * test_jsonfile.c: jsonfile_load on real files in a temporary folder:
 * what it accepts, and that every refusal says where (FILE:LINE:COL,
 * columns in characters) and why.
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
#include <sys/wait.h>
#include <unistd.h>

#include "jsonfile.h"
#include "util.h"

static char tmpdir[] = "/tmp/test_jsonfile.XXXXXX";

/* Write len bytes to tmpdir/name; returns the path (caller frees). */
static char *
write_file(const char *name, const char *data, size_t len)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* Load data from a file; returns the cause (or NULL on success). */
static char *
load_text(const char *data, size_t len, cJSON **out)
{
	char *path = write_file("t.json", data, len);
	char *cause = NULL;
	cJSON *json = NULL;
	int rv;

	rv = jsonfile_load(path, &json, &cause);
	if (rv == 0) {
		assert_null(cause);
		assert_non_null(json);
	} else {
		assert_int_equal(rv, -1);
		assert_null(json);
		assert_non_null(cause);
	}
	free(path);
	if (out != NULL)
		*out = json;
	else
		cJSON_Delete(json);
	return cause;
}

/* Assert cause is exactly tmpdir/t.json followed by want. */
static void
assert_cause(char *cause, const char *want)
{
	char *full = xasprintf("%s/t.json%s", tmpdir, want);

	if (cause == NULL || strcmp(cause, full) != 0) {
		print_error("want: %s\n got: %s\n", full, cause ? cause : "(ok)");
		free(full);
		free(cause);
		fail();
	}
	free(full);
	free(cause);
}

static int
setup(void **state)
{
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	int rv = system(cmd);

	free(cmd);
	return rv == 0 ? 0 : -1;
}

static void
test_valid(void **state)
{
	const char text[] = "{\n\t\"name\": \"Zoë\",\n\t\"n\": [1, 2]\n}\n";
	cJSON *json = NULL, *name;
	char *cause;

	cause = load_text(text, sizeof text - 1, &json);
	assert_null(cause);
	name = cJSON_GetObjectItemCaseSensitive(json, "name");
	assert_true(cJSON_IsString(name));
	assert_string_equal(name->valuestring, "Zoë");
	cJSON_Delete(json);
}

/* Not an object is the caller's business, not ours. */
static void
test_top_level_any_value(void **state)
{
	cJSON *json = NULL;

	assert_null(load_text("[1, 2]", 6, &json));
	assert_true(cJSON_IsArray(json));
	cJSON_Delete(json);
}

static void
test_bom_skipped(void **state)
{
	const char text[] = "\xef\xbb\xbf{\"a\": 1}";
	const char bad[] = "\xef\xbb\xbf{\"a\" 1}";

	assert_null(load_text(text, sizeof text - 1, NULL));
	/* Columns on line 1 count from after the BOM, as editors show it. */
	assert_cause(load_text(bad, sizeof bad - 1, NULL),
	    ":1:6: JSON syntax error near '1}'");
}

/* One row: file contents and the exact message after the path. */
struct error_row {
	const char *text;
	size_t len;		/* 0: strlen(text) */
	const char *want;
};

static const struct error_row error_rows[] = {
	/* Missing comma: cJSON stops at the "2" on line 3, column 7. */
	{ "{\n  \"a\": 1,\n  \"b\" 2\n}\n", 0,
	    ":3:7: JSON syntax error near '2'" },
	/* Columns count characters: "é" is two bytes but one column. */
	{ "{\"éé\": 1 \"b\": 2}", 0,
	    ":1:10: JSON syntax error near '\"b\": 2}'" },
	{ "{\"a\": tru}", 0, ":1:7: JSON syntax error near 'tru}'" },
	{ "{} x", 0, ":1:4: JSON syntax error near 'x'" },
	/* Excerpts stop at the end of the line. */
	{ "{\"a\": nope\n}", 0, ":1:7: JSON syntax error near 'nope'" },
	/* Excerpts are short. */
	{ "[1, x23456789012345678901234567890]", 0,
	    ":1:5: JSON syntax error near 'x23456789012345678901234'" },
	/* Trailing comma before the last brace: point at the brace. */
	{ "{\n  \"a\": 1,\n}\n", 0,
	    ":3:1: JSON syntax error near '}' at end of file" },
	/* Truncated file. */
	{ "{\n  \"a\": [1,\n", 0,
	    ":2:10: JSON syntax error near ',' at end of file" },
	{ "  \n\t\n", 0, ":1:1: JSON syntax error: no value" },
	/*
	 * Raw control characters are never valid JSON (strings must escape
	 * them), though cJSON would skip them as blanks.
	 */
	{ "{\"a\": \x01x}", 0, ":1:7: control character U+0001" },
	{ "{\"a\": \"x\x1by\"}", 0, ":1:9: control character U+001B" },
	/* Invalid UTF-8: a Latin-1 "é" after "caf" is at line 2, column 15. */
	{ "{\n  \"name\": \"caf\xe9\"\n}\n", 0, ":2:15: invalid UTF-8" },
	/* Columns count the valid characters before it. */
	{ "{\"ñañ\xff\": 1}", 0, ":1:6: invalid UTF-8" },
	{ "{\"a\": \"\xc0\xaf\"}", 0, ":1:8: invalid UTF-8" },	/* overlong */
	{ "{\"a\": \"\xe0\x80\xaf\"}", 0, ":1:8: invalid UTF-8" },
	{ "{\"a\": \"\xf4\x90\x80\x80\"}", 0, ":1:8: invalid UTF-8" }, /* > U+10FFFF */
	{ "{\"a\": \"\xed\xa0\x80\"}", 0, ":1:8: invalid UTF-8" }, /* surrogate */
	{ "{\"a\": \"\xe2\x82", 0, ":1:8: invalid UTF-8" },	/* cut short */
	{ "\n\n{\"a\": \"\x80\"}", 0, ":3:8: invalid UTF-8" },
	{ "{\"a\": 1}\0{\"b\": 2}", 17, ":1:9: control character U+0000" },
	{ "", 0, ": file is empty" },
};

static void
test_errors(void **state)
{
	const struct error_row *row;
	size_t i, len;

	for (i = 0; i < sizeof error_rows / sizeof error_rows[0]; i++) {
		row = &error_rows[i];
		len = row->len != 0 ? row->len : strlen(row->text);
		print_message("row %zu: %s\n", i, row->want);
		assert_cause(load_text(row->text, len, NULL), row->want);
	}
}

static void
test_missing_file(void **state)
{
	char *path = xasprintf("%s/nope.json", tmpdir);
	char *want = xasprintf("%s: cannot open: No such file or directory",
	    path);
	char *cause = NULL;
	cJSON *json = NULL;

	assert_int_equal(jsonfile_load(path, &json, &cause), -1);
	assert_null(json);
	assert_non_null(cause);
	assert_string_equal(cause, want);
	free(cause);
	free(want);
	free(path);
}

static void
test_directory(void **state)
{
	char *cause = NULL;
	cJSON *json = NULL;

	assert_int_equal(jsonfile_load(tmpdir, &json, &cause), -1);
	assert_null(json);
	assert_non_null(cause);
	assert_non_null(strstr(cause, ": is a directory"));
	free(cause);
}

/* Exactly JSONFILE_MAX bytes loads; one more is refused. */
static void
test_size_limit(void **state)
{
	char *text = xmalloc(JSONFILE_MAX + 2);
	char *want = xasprintf(": file is too large (more than %d bytes)",
	    JSONFILE_MAX);
	cJSON *json = NULL;

	memset(text, 'x', JSONFILE_MAX + 1);
	memcpy(text, "{\"a\": \"", 7);
	memcpy(text + JSONFILE_MAX - 2, "\"}", 2);
	assert_null(load_text(text, JSONFILE_MAX, &json));
	assert_int_equal(strlen(cJSON_GetObjectItem(json, "a")->valuestring),
	    JSONFILE_MAX - 9);
	cJSON_Delete(json);

	memcpy(text + JSONFILE_MAX - 2, "  \"}", 4);
	assert_cause(load_text(text, JSONFILE_MAX + 1, NULL), want);
	free(want);
	free(text);
}

/* A pipe has no size up front: the read loop must still stop at the limit. */
static void
test_size_limit_pipe(void **state)
{
	char *text = xmalloc(JSONFILE_MAX + 2);
	char *fifo = xasprintf("%s/fifo", tmpdir);
	char *cause = NULL;
	cJSON *json = NULL;
	FILE *f;
	pid_t pid;

	memset(text, ' ', JSONFILE_MAX + 1);
	text[0] = '1';
	assert_int_equal(mkfifo(fifo, 0600), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		f = fopen(fifo, "w");
		/* fclose, not just _exit: stdio must flush the tail. */
		if (f != NULL) {
			fwrite(text, 1, JSONFILE_MAX + 1, f);
			fclose(f);
		}
		_exit(0);
	}
	assert_int_equal(jsonfile_load(fifo, &json, &cause), -1);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	assert_null(json);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "too large"));
	free(cause);
	free(fifo);
	free(text);
}

struct position_row {
	const char *text;
	size_t off;
	int line;
	int col;
};

static void
test_position(void **state)
{
	static const struct position_row rows[] = {
		{ "abc", 0, 1, 1 },
		{ "abc", 2, 1, 3 },
		{ "abc", 3, 1, 4 },
		{ "a\nb", 1, 1, 2 },
		{ "a\nb", 2, 2, 1 },
		{ "a\n\nbc", 5, 3, 3 },
		{ "\t\tx", 2, 1, 3 },
		{ "é", 2, 1, 2 },	/* two bytes, one character */
		{ "日本x", 6, 1, 3 },
		{ "ab", 99, 1, 3 },	/* stops at the NUL */
	};
	size_t i;
	int line, col;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		jsonfile_position(rows[i].text, rows[i].off, &line, &col);
		print_message("row %zu\n", i);
		assert_int_equal(line, rows[i].line);
		assert_int_equal(col, rows[i].col);
	}
}

/* The checking kit: text, printable names, keys. */
static void
test_kit_text(void **state)
{
	static const struct {
		const char *s;
		bool line, lines;	/* ok on one line, ok with lines */
	} rows[] = {
		{ "Zoë Núñez 李小龍", true, true },
		{ "", true, true },
		{ "one\ntwo", false, true },
		{ "tab\there", false, false },
		{ "cr\r", false, false },
		{ "esc\033[2J", false, false },
		{ "bel\a", false, false },
		{ "del\x7f", false, false },
		{ "c1 \xc2\x9b" "31m", false, false },
		{ "c1 \xc2\x80", false, false },
		{ "nbsp \xc2\xa0 ok", true, true },
		{ "bad \xff", false, false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		if (jsonfile_text_ok(rows[i].s, false) != rows[i].line ||
		    jsonfile_text_ok(rows[i].s, true) != rows[i].lines)
			fail_msg("row %zu: \"%s\"", i, rows[i].s);
	}
}

static void
test_kit_printable(void **state)
{
	static const struct {
		const char *s;
		size_t size;
		const char *want;
	} rows[] = {
		{ "colour", 64, "colour" },
		{ "col\033[2Jour", 64, "col?[2Jour" },
		{ "a\xc2\x9b" "b\x7f\n", 64, "a?b??" },
		{ "\xff\xfe", 64, "??" },
		{ "Zoë", 64, "Zoë" },
		{ "abcdefghij", 8, "abcd..." },
		{ "ëëëëë", 8, "ëë..." },
		{ "ëëëëë", 7, "ë..." },
		{ "x", 3, "" },
	};
	char buf[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		jsonfile_printable(rows[i].s, buf, rows[i].size);
		if (strcmp(buf, rows[i].want) != 0)
			fail_msg("row %zu: got \"%s\", want \"%s\"", i, buf,
			    rows[i].want);
	}
}

static void
test_kit_keys(void **state)
{
	static const char *const known[] = { "a", "b", NULL };
	static const struct {
		const char *json;
		enum jsonfile_keys want;
		const char *bad;
	} rows[] = {
		{ "{}", JSONFILE_KEYS_OK, NULL },
		{ "{\"a\":1,\"b\":2}", JSONFILE_KEYS_OK, NULL },
		{ "{\"a\":1,\"c\":2}", JSONFILE_KEY_UNKNOWN, "c" },
		{ "{\"a\":1,\"b\":2,\"a\":3}", JSONFILE_KEY_TWICE, "a" },
		{ "{\"A\":1}", JSONFILE_KEY_UNKNOWN, "A" },
	};
	const cJSON *bad;
	cJSON *obj;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		obj = cJSON_Parse(rows[i].json);
		assert_non_null(obj);
		assert_int_equal(jsonfile_check_keys(obj, known, &bad),
		    rows[i].want);
		if (rows[i].bad == NULL)
			assert_null(bad);
		else
			assert_string_equal(bad->string, rows[i].bad);
		cJSON_Delete(obj);
	}
	assert_true(jsonfile_in_list(known, "b"));
	assert_false(jsonfile_in_list(known, "c"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_top_level_any_value),
		cmocka_unit_test(test_bom_skipped),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_directory),
		cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_size_limit_pipe),
		cmocka_unit_test(test_position),
		cmocka_unit_test(test_kit_text),
		cmocka_unit_test(test_kit_printable),
		cmocka_unit_test(test_kit_keys),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
