/*
 * test_config.c: config_load on real files in a temporary folder. A good
 * config comes back complete (defaults, resolved paths); every mistake is
 * refused with the exact message naming its key, and nothing leaks (run
 * under ASan).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "jsonfile.h"
#include "util.h"

/* The three required keys; relative paths, so they test resolution too. */
#define BASE "\"kiosk_id\": \"k1\", \"state_dir\": \"state\", " \
	"\"form\": \"form.json\""
#define MEMBER(name, hash) \
	"{\"name\": \"" name "\", \"pin_hash\": \"" hash "\"}"
#define YESCRYPT "$y$j9T$abcdefghijklmnopqrstu.$" \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefg"
#define BCRYPT "$2b$05$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234"

#define PUBKEY "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="

static char tmpdir[] = "/tmp/test_config.XXXXXX";

/* Write text to tmpdir/name with mode; returns the path (caller frees). */
static char *
write_file(const char *name, const char *text, size_t len, mode_t mode)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

/* Replace each "@" in s with tmpdir (caller frees). */
static char *
with_dir(const char *s)
{
	char *out = xstrdup(""), *next;
	const char *at;

	while ((at = strchr(s, '@')) != NULL) {
		next = xasprintf("%s%.*s%s", out, (int)(at - s), s, tmpdir);
		free(out);
		out = next;
		s = at + 1;
	}
	next = xasprintf("%s%s", out, s);
	free(out);
	return next;
}

/* Write text as tmpdir/kiosk.json and load it; returns the cause or NULL. */
static char *
load(const char *text, struct config **out)
{
	char *path = write_file("kiosk.json", text, strlen(text), 0600);
	struct config *cfg = NULL;
	char *cause = NULL;
	int rv;

	rv = config_load(path, &cfg, &cause);
	if (rv == 0) {
		assert_null(cause);
		assert_non_null(cfg);
		assert_string_equal(cfg->path, path);
	} else {
		assert_int_equal(rv, -1);
		assert_null(cfg);
		assert_non_null(cause);
	}
	free(path);
	if (out != NULL)
		*out = cfg;
	else
		config_free(cfg);
	return cause;
}

/* Fail unless cause is exactly "tmpdir/kiosk.json: " + want (@ = tmpdir). */
static void
assert_cause(size_t row, char *cause, const char *want)
{
	char *tail = with_dir(want);
	char *full = xasprintf("%s/kiosk.json: %s", tmpdir, tail);
	int ok = cause != NULL && strcmp(cause, full) == 0;

	if (!ok)
		print_error("row %zu\nwant: %s\n got: %s\n", row, full,
		    cause != NULL ? cause : "(loaded)");
	free(tail);
	free(full);
	free(cause);
	if (!ok)
		fail();
}

static int
setup(void **state)
{
	static const struct {
		const char *name;
		mode_t mode;
	} files[] = {
		{ "form.json", 0644 },
		{ "ca.pem", 0644 },
		{ "kiosk.crt", 0644 },
		{ "kiosk.key", 0600 },
		{ "token", 0600 },
		{ "token644", 0644 },
	};
	size_t i;

	if (mkdtemp(tmpdir) == NULL)
		return -1;
	for (i = 0; i < sizeof files / sizeof files[0]; i++)
		free(write_file(files[i].name, "x\n", 2, files[i].mode));
	return 0;
}

static int
teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	int rv = system(cmd);

	free(cmd);
	return rv == 0 ? 0 : -1;
}

/* The least a config can say: everything else is a default. */
static void
test_defaults(void **state)
{
	struct config *cfg = NULL;
	char *dir;

	assert_null(load("{" BASE "}", &cfg));
	assert_string_equal(cfg->kiosk_id, "k1");
	dir = xasprintf("%s/state", tmpdir);
	assert_string_equal(cfg->state_dir, dir);
	free(dir);
	dir = xasprintf("%s/form.json", tmpdir);
	assert_string_equal(cfg->form, dir);
	free(dir);
	assert_int_equal(cfg->idle_timeout_s, 90);
	assert_int_equal(cfg->idle_warning_s, 20);
	assert_int_equal(cfg->nstaff, 0);
	assert_int_equal(cfg->staff_idle_logout_s, 120);
	assert_int_equal(cfg->staff_max_attempts, 5);
	assert_int_equal(cfg->staff_lockout_s, 300);
	assert_string_equal(cfg->staff_language, "en");
	assert_false(cfg->high_contrast);
	assert_int_equal(cfg->has_server, 0);
	assert_null(cfg->server_url);
	assert_null(cfg->server_ca_file);
	assert_null(cfg->server_client_cert);
	assert_null(cfg->server_client_key);
	assert_null(cfg->server_token_file);
	assert_null(cfg->server_proxy);
	assert_int_equal(cfg->server_timeout_s, 30);
	assert_int_equal(cfg->sync_interval_s, 30);
	assert_int_equal(cfg->sync_backoff_max_s, 900);
	assert_int_equal(cfg->retention_days, 7);
	config_free(cfg);
}

/* Every key set; absolute paths kept, relative ones resolved. */
static void
test_full(void **state)
{
	struct config *cfg = NULL;
	char *text, *want;

	text = xasprintf("{"
	    "\"kiosk_id\": \"front-desk_1.a\","
	    "\"state_dir\": \"/var/lib/kiosk\","
	    "\"form\": \"./form.json\","
	    "\"idle_timeout_s\": 60, \"idle_warning_s\": 10,"
	    "\"staff\": {\"members\": [" MEMBER("Ana", YESCRYPT) ","
	    MEMBER("Zoë", BCRYPT) "], \"idle_logout_s\": 30,"
	    "\"max_attempts\": 3, \"lockout_s\": 600, \"language\": \"es\"},"
	    "\"high_contrast\": true,"
	    "\"server\": {\"url\": \"https://clinic.example/api/kiosk/v1//\","
	    "\"ca_file\": \"%s/ca.pem\", \"client_cert\": \"kiosk.crt\","
	    "\"client_key\": \"kiosk.key\", \"token_file\": \"token\","
	    "\"proxy\": \"http://proxy.local:3128\", \"timeout_s\": 10,"
	    "\"pinned_pubkey\": \"sha256//" PUBKEY ";sha256//" PUBKEY "\"},"
	    "\"sync\": {\"interval_s\": 5, \"backoff_max_s\": 60},"
	    "\"retention_days\": 30}", tmpdir);
	assert_null(load(text, &cfg));
	free(text);

	assert_string_equal(cfg->kiosk_id, "front-desk_1.a");
	assert_string_equal(cfg->state_dir, "/var/lib/kiosk");
	want = xasprintf("%s/./form.json", tmpdir);
	assert_string_equal(cfg->form, want);
	free(want);
	assert_int_equal(cfg->idle_timeout_s, 60);
	assert_int_equal(cfg->idle_warning_s, 10);
	assert_int_equal(cfg->nstaff, 2);
	assert_string_equal(cfg->staff[0].name, "Ana");
	assert_string_equal(cfg->staff[0].pin_hash, YESCRYPT);
	assert_string_equal(cfg->staff[1].name, "Zoë");
	assert_string_equal(cfg->staff[1].pin_hash, BCRYPT);
	assert_int_equal(cfg->staff_idle_logout_s, 30);
	assert_int_equal(cfg->staff_max_attempts, 3);
	assert_int_equal(cfg->staff_lockout_s, 600);
	assert_string_equal(cfg->staff_language, "es");
	assert_true(cfg->high_contrast);
	assert_int_equal(cfg->has_server, 1);
	assert_string_equal(cfg->server_url,
	    "https://clinic.example/api/kiosk/v1");
	want = xasprintf("%s/ca.pem", tmpdir);
	assert_string_equal(cfg->server_ca_file, want);
	free(want);
	want = xasprintf("%s/kiosk.crt", tmpdir);
	assert_string_equal(cfg->server_client_cert, want);
	free(want);
	want = xasprintf("%s/kiosk.key", tmpdir);
	assert_string_equal(cfg->server_client_key, want);
	free(want);
	want = xasprintf("%s/token", tmpdir);
	assert_string_equal(cfg->server_token_file, want);
	free(want);
	assert_string_equal(cfg->server_proxy, "http://proxy.local:3128");
	assert_string_equal(cfg->server_pinned_pubkey, "sha256//" PUBKEY
	    ";sha256//" PUBKEY);
	assert_int_equal(cfg->server_timeout_s, 10);
	assert_int_equal(cfg->sync_interval_s, 5);
	assert_int_equal(cfg->sync_backoff_max_s, 60);
	assert_int_equal(cfg->retention_days, 30);
	config_free(cfg);
}

/* A server block with just a url: nothing else is required. */
static void
test_server_minimal(void **state)
{
	struct config *cfg = NULL;

	assert_null(load("{" BASE ", \"server\": {\"url\": \"https://h/\"}}",
	    &cfg));
	assert_int_equal(cfg->has_server, 1);
	assert_string_equal(cfg->server_url, "https://h");
	assert_null(cfg->server_ca_file);
	assert_null(cfg->server_token_file);
	assert_int_equal(cfg->server_timeout_s, 30);
	config_free(cfg);
}

/* Accepted edge values: one row per bound. */
static void
test_bounds_accepted(void **state)
{
	static const struct {
		const char *json;
		size_t off;
		int want;
	} rows[] = {
#define ROW(json, field, want) { json, offsetof(struct config, field), want }
		ROW("\"idle_timeout_s\": 5", idle_timeout_s, 5),
		ROW("\"idle_timeout_s\": 86400", idle_timeout_s, 86400),
		ROW("\"idle_timeout_s\": 90.0", idle_timeout_s, 90),
		ROW("\"idle_warning_s\": 1", idle_warning_s, 1),
		ROW("\"idle_warning_s\": 600", idle_warning_s, 600),
		ROW("\"retention_days\": 1", retention_days, 1),
		ROW("\"retention_days\": 3650", retention_days, 3650),
		ROW("\"staff\": {\"max_attempts\": 1}", staff_max_attempts, 1),
		ROW("\"staff\": {\"members\": []}", nstaff, 0),
		ROW("\"sync\": {\"backoff_max_s\": 86400}", sync_backoff_max_s,
		    86400),
		ROW("\"server\": {\"url\": \"https://h\", \"timeout_s\": 600}",
		    server_timeout_s, 600),
#undef ROW
	};
	struct config *cfg;
	char *text, *cause;
	size_t i;
	int got;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		text = xasprintf("{" BASE ", %s}", rows[i].json);
		cfg = NULL;
		cause = load(text, &cfg);
		free(text);
		if (cause != NULL) {
			print_error("row %zu: %s\n", i, cause);
			free(cause);
			fail();
		}
		if (rows[i].off == offsetof(struct config, nstaff))
			got = (int)cfg->nstaff;
		else
			memcpy(&got, (char *)cfg + rows[i].off, sizeof got);
		config_free(cfg);
		assert_int_equal(got, rows[i].want);
	}
}

/* kiosk_id may be exactly 64 characters, not 65. */
static void
test_kiosk_id_length(void **state)
{
	char id[66], *text;

	memset(id, 'a', 65);
	id[64] = '\0';
	text = xasprintf("{\"kiosk_id\": \"%s\", \"state_dir\": \"s\", "
	    "\"form\": \"form.json\"}", id);
	assert_null(load(text, NULL));
	free(text);
	id[64] = 'a';
	id[65] = '\0';
	text = xasprintf("{\"kiosk_id\": \"%s\", \"state_dir\": \"s\", "
	    "\"form\": \"form.json\"}", id);
	assert_cause(0, load(text, NULL), "kiosk_id: must be 1 to 64 "
	    "characters from A-Z a-z 0-9 . _ -");
	free(text);
}

/* One row: a config text and the exact message after "PATH: ". */
struct error_row {
	const char *text;
	const char *want;
};

#define SECONDS(key, lo, hi) \
	key ": must be a whole number of seconds between " #lo " and " #hi
#define A10 "aaaaaaaaaa"
#define PIN_MSG "must be a complete crypt(3) hash starting with $y$ or $2b$ " \
	"(make one with: kiosk hash-pin)"

#define PUBKEY_MSG "must be sha256// and the base64 SHA-256 of the " \
	"server's public key (several joined by ;)"

static const struct error_row error_rows[] = {
	/* Unknown keys, at the top and nested; names are case-sensitive. */
	{ "{" BASE ", \"bogus\": 1}", "bogus: unknown key" },
	{ "{" BASE ", \"Kiosk_id\": \"x\"}", "Kiosk_id: unknown key" },
	{ "{" BASE ", \"staff\": {\"membrs\": []}}",
	    "staff.membrs: unknown key" },
	{ "{" BASE ", \"staff\": {\"members\": [{\"name\": \"A\", "
	    "\"pin_hash\": \"" YESCRYPT "\", \"pin\": \"1234\"}]}}",
	    "staff.members[0].pin: unknown key" },
	{ "{" BASE ", \"server\": {\"url\": \"https://h\", \"tls\": false}}",
	    "server.tls: unknown key" },
	{ "{" BASE ", \"sync\": {\"every\": 5}}", "sync.every: unknown key" },
	{ "{" BASE ", \"staff\": {\"language\": \"Spanish\"}}",
	    "staff.language: must be a language code such as \"en\" or \"es\"" },
	{ "{" BASE ", \"staff\": {\"language\": 1}}",
	    "staff.language: must be a non-empty string" },
	{ "{" BASE ", \"high_contrast\": \"yes\"}",
	    "high_contrast: must be true or false" },
	/* A key name from the file never sends escapes to the terminal. */
	{ "{" BASE ", \"\\u001b[2J\": 1}", "?[2J: unknown key" },
	/* ... and a long one is cut short: 60 characters and "...". */
	{ "{" BASE ", \"" A10 A10 A10 A10 A10 A10 A10 "\": 1}",
	    A10 A10 A10 A10 A10 A10 "...: unknown key" },
	{ "{" BASE ", \"idle_timeout_s\": 60, \"idle_timeout_s\": 61}",
	    "idle_timeout_s: given twice" },

	/* Required keys. */
	{ "{\"state_dir\": \"s\", \"form\": \"form.json\"}",
	    "kiosk_id: is required" },
	{ "{\"kiosk_id\": \"k\", \"form\": \"form.json\"}",
	    "state_dir: is required" },
	{ "{\"kiosk_id\": \"k\", \"state_dir\": \"s\"}", "form: is required" },

	/* Wrong types and values. */
	{ "[]", "the top level must be a JSON object" },
	{ "null", "the top level must be a JSON object" },
	{ "{\"kiosk_id\": 12, \"state_dir\": \"s\", \"form\": \"form.json\"}",
	    "kiosk_id: must be a non-empty string" },
	{ "{\"kiosk_id\": \"\", \"state_dir\": \"s\", \"form\": \"form.json\"}",
	    "kiosk_id: must be a non-empty string" },
	{ "{\"kiosk_id\": \"front desk\", \"state_dir\": \"s\", "
	    "\"form\": \"form.json\"}",
	    "kiosk_id: must be 1 to 64 characters from A-Z a-z 0-9 . _ -" },
	{ "{\"kiosk_id\": \"a\\nb\", \"state_dir\": \"s\", "
	    "\"form\": \"form.json\"}",
	    "kiosk_id: must not contain control characters" },
	{ "{\"kiosk_id\": \"k\", \"state_dir\": [], \"form\": \"form.json\"}",
	    "state_dir: must be a non-empty string" },
	{ "{" BASE ", \"idle_timeout_s\": \"90\"}",
	    SECONDS("idle_timeout_s", 5, 86400) },
	{ "{" BASE ", \"idle_timeout_s\": 4}",
	    SECONDS("idle_timeout_s", 5, 86400) },
	{ "{" BASE ", \"idle_timeout_s\": 86401}",
	    SECONDS("idle_timeout_s", 5, 86400) },
	{ "{" BASE ", \"idle_timeout_s\": 90.5}",
	    SECONDS("idle_timeout_s", 5, 86400) },
	{ "{" BASE ", \"idle_timeout_s\": true}",
	    SECONDS("idle_timeout_s", 5, 86400) },
	{ "{" BASE ", \"idle_timeout_s\": null}",
	    SECONDS("idle_timeout_s", 5, 86400) },
	{ "{" BASE ", \"idle_timeout_s\": 1e400}",
	    SECONDS("idle_timeout_s", 5, 86400) },
	{ "{" BASE ", \"idle_warning_s\": 0}",
	    SECONDS("idle_warning_s", 1, 600) },
	{ "{" BASE ", \"idle_warning_s\": 601}",
	    SECONDS("idle_warning_s", 1, 600) },
	{ "{" BASE ", \"retention_days\": 0}",
	    "retention_days: must be a whole number of days between 1 and "
	    "3650" },
	{ "{" BASE ", \"retention_days\": 3651}",
	    "retention_days: must be a whole number of days between 1 and "
	    "3650" },
	{ "{" BASE ", \"staff\": {\"max_attempts\": 0}}",
	    "staff.max_attempts: must be a whole number between 1 and 100" },
	{ "{" BASE ", \"staff\": {\"lockout_s\": \"300\"}}",
	    SECONDS("staff.lockout_s", 1, 86400) },
	{ "{" BASE ", \"staff\": {\"idle_logout_s\": 1e9}}",
	    SECONDS("staff.idle_logout_s", 10, 86400) },
	{ "{" BASE ", \"sync\": {\"interval_s\": 0}}",
	    SECONDS("sync.interval_s", 1, 86400) },
	{ "{" BASE ", \"sync\": {\"backoff_max_s\": -1}}",
	    SECONDS("sync.backoff_max_s", 1, 86400) },
	{ "{" BASE ", \"server\": {\"url\": \"https://h\", \"timeout_s\": 0}}",
	    SECONDS("server.timeout_s", 1, 600) },
	{ "{" BASE ", \"sync\": []}", "sync: must be an object" },

	/* Staff. */
	{ "{" BASE ", \"staff\": 5}", "staff: must be an object" },
	{ "{" BASE ", \"staff\": {\"members\": {}}}",
	    "staff.members: must be an array" },
	{ "{" BASE ", \"staff\": {\"members\": [1]}}",
	    "staff.members[0]: must be an object" },
	{ "{" BASE ", \"staff\": {\"members\": [{\"pin_hash\": \"" YESCRYPT
	    "\"}]}}", "staff.members[0].name: is required" },
	{ "{" BASE ", \"staff\": {\"members\": [" MEMBER("", YESCRYPT) "]}}",
	    "staff.members[0].name: must be a non-empty string" },
	{ "{" BASE ", \"staff\": {\"members\": [{\"name\": \"A\"}]}}",
	    "staff.members[0].pin_hash: is required" },
	{ "{" BASE ", \"staff\": {\"members\": [" MEMBER("Ana", YESCRYPT) ","
	    MEMBER("Bo", "$1$abc$def") "]}}",
	    "staff.members[1].pin_hash: " PIN_MSG },
	{ "{" BASE ", \"staff\": {\"members\": [" MEMBER("Ana",
	    "$2a$05$abcdefghijklmnopqrstuu") "]}}",
	    "staff.members[0].pin_hash: " PIN_MSG },
	{ "{" BASE ", \"staff\": {\"members\": [" MEMBER("Ana", "1234") "]}}",
	    "staff.members[0].pin_hash: " PIN_MSG },
	/* Placeholders and cut-off hashes are not hashes. */
	{ "{" BASE ", \"staff\": {\"members\": [" MEMBER("Ana", "$y$j9T$...")
	    "]}}", "staff.members[0].pin_hash: " PIN_MSG },
	{ "{" BASE ", \"staff\": {\"members\": [" MEMBER("Ana",
	    "$y$j9T$abcdefghijklmnopqrstu.$ABCDEFGHIJ") "]}}",
	    "staff.members[0].pin_hash: " PIN_MSG },
	{ "{" BASE ", \"staff\": {\"members\": [" MEMBER("Ana", YESCRYPT "x")
	    "]}}", "staff.members[0].pin_hash: " PIN_MSG },
	{ "{" BASE ", \"staff\": {\"members\": [" MEMBER("Ana",
	    "$y$$abcdefghijklmnopqrstu.$ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefg")
	    "]}}", "staff.members[0].pin_hash: " PIN_MSG },
	{ "{" BASE ", \"staff\": {\"members\": [" MEMBER("Ana",
	    "$2b$05$abcdefghijklmnopqrstuuABCDEF") "]}}",
	    "staff.members[0].pin_hash: " PIN_MSG },
	{ "{" BASE ", \"staff\": {\"members\": [" MEMBER("Ana",
	    "$2b$99$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234") "]}}",
	    "staff.members[0].pin_hash: " PIN_MSG },
	{ "{" BASE ", \"staff\": {\"members\": [" MEMBER("Ana", "$y$a b")
	    "]}}", "staff.members[0].pin_hash: " PIN_MSG },
	{ "{" BASE ", \"staff\": {\"members\": [" MEMBER("Ana", YESCRYPT) ","
	    MEMBER("Bo", BCRYPT) "," MEMBER("ana", BCRYPT) "]}}",
	    "staff.members[2].name: \"ana\" is already used by "
	    "staff.members[0]" },
	{ "{" BASE ", \"staff\": {\"members\": [" MEMBER("Ana", YESCRYPT) ","
	    MEMBER("Ana", YESCRYPT) "]}}",
	    "staff.members[1].name: \"Ana\" is already used by "
	    "staff.members[0]" },
	{ "{" BASE ", \"staff\": {\"members\": [" MEMBER("12345678901234567890"
	    "123456789012345678901234567890123456789012345", YESCRYPT) "]}}",
	    "staff.members[0].name: must be at most 64 characters" },

	/* Server. */
	{ "{" BASE ", \"server\": \"https://h\"}", "server: must be an object" },
	{ "{" BASE ", \"server\": {}}", "server.url: is required" },
	{ "{" BASE ", \"server\": {\"url\": \"http://clinic.example/api\"}}",
	    "server.url: must start with https://" },
	{ "{" BASE ", \"server\": {\"url\": \"HTTP://h\"}}",
	    "server.url: must start with https://" },
	{ "{" BASE ", \"server\": {\"url\": \"https://\"}}",
	    "server.url: must name a server after https://" },
	{ "{" BASE ", \"server\": {\"url\": \"https:///api\"}}",
	    "server.url: must name a server after https://" },
	{ "{" BASE ", \"server\": {\"url\": \"https://h/api?x=1\"}}",
	    "server.url: must not contain spaces, ? or #" },
	{ "{" BASE ", \"server\": {\"url\": 443}}",
	    "server.url: must be a non-empty string" },
	{ "{" BASE ", \"server\": {\"url\": \"https://h\", \"proxy\": 5}}",
	    "server.proxy: must be a non-empty string" },
	{ "{" BASE ", \"server\": {\"url\": \"https://h\", \"pinned_pubkey\": "
	    "\"sha256//abc=\"}}", "server.pinned_pubkey: " PUBKEY_MSG },
	{ "{" BASE ", \"server\": {\"url\": \"https://h\", \"pinned_pubkey\": "
	    "\"/etc/key.pem\"}}", "server.pinned_pubkey: " PUBKEY_MSG },
	{ "{" BASE ", \"server\": {\"url\": \"https://h\", \"pinned_pubkey\": "
	    "\"sha256//" PUBKEY ";\"}}", "server.pinned_pubkey: " PUBKEY_MSG },
	{ "{" BASE ", \"server\": {\"url\": \"https://h\", "
	    "\"client_cert\": \"kiosk.crt\"}}",
	    "server.client_key: is required when server.client_cert is set" },
	{ "{" BASE ", \"server\": {\"url\": \"https://h\", "
	    "\"client_key\": \"kiosk.key\"}}",
	    "server.client_cert: is required when server.client_key is set" },

	/* Files that must be there. */
	{ "{\"kiosk_id\": \"k\", \"state_dir\": \"s\", \"form\": \"nope.json\"}",
	    "form: cannot read @/nope.json: No such file or directory" },
	{ "{\"kiosk_id\": \"k\", \"state_dir\": \"s\", \"form\": \".\"}",
	    "form: @/. is not a regular file" },
	{ "{" BASE ", \"server\": {\"url\": \"https://h\", "
	    "\"ca_file\": \"nope.pem\"}}",
	    "server.ca_file: cannot read @/nope.pem: No such file or "
	    "directory" },
	{ "{" BASE ", \"server\": {\"url\": \"https://h\", "
	    "\"token_file\": \"/nonexistent/token\"}}",
	    "server.token_file: cannot read /nonexistent/token: No such file "
	    "or directory" },
	{ "{" BASE ", \"server\": {\"url\": \"https://h\", "
	    "\"token_file\": \"token644\"}}",
	    "server.token_file: @/token644 is readable by others; chmod 600 "
	    "it" },
};

static void
test_errors(void **state)
{
	size_t i;

	for (i = 0; i < sizeof error_rows / sizeof error_rows[0]; i++)
		assert_cause(i, load(error_rows[i].text, NULL),
		    error_rows[i].want);
}

/* Secrets: only the owner may have any access, as ssh insists. */
static void
test_secret_modes(void **state)
{
	static const struct {
		const char *key;
		mode_t mode;
		const char *how;	/* NULL: accepted */
	} rows[] = {
		{ "token_file", 0600, NULL },
		{ "token_file", 0400, NULL },
		{ "token_file", 0644, "readable" },
		{ "token_file", 0640, "readable" },
		{ "token_file", 0604, "readable" },
		{ "token_file", 0620, "writable" },
		{ "token_file", 0602, "writable" },
		{ "token_file", 0610, "accessible" },
		{ "client_key", 0600, NULL },
		{ "client_key", 0644, "readable" },
		{ "client_key", 0660, "readable" },
	};
	char *path, *text, *want, *cause;
	size_t i;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		path = write_file("secret", "s3cret\n", 7, rows[i].mode);
		text = xasprintf("{" BASE ", \"server\": {\"url\": \"https://h\", "
		    "\"client_cert\": \"kiosk.crt\", \"%s\": \"secret\"%s}}",
		    rows[i].key, strcmp(rows[i].key, "client_key") == 0 ? "" :
		    ", \"client_key\": \"kiosk.key\"");
		cause = load(text, NULL);
		free(text);
		if (rows[i].how == NULL) {
			if (cause != NULL)
				print_error("row %zu: %s\n", i, cause);
			assert_null(cause);
		} else {
			want = xasprintf("server.%s: @/secret is %s by others; "
			    "chmod 600 it", rows[i].key, rows[i].how);
			assert_cause(i, cause, want);
			free(want);
		}
		assert_int_equal(unlink(path), 0);
		free(path);
	}
}

/* JSON syntax errors come through as PATH:LINE:COL. */
static void
test_syntax_error(void **state)
{
	char *cause = load("{\n  \"kiosk_id\": \"k1\",\n  \"form\" \"f\"\n}\n",
	    NULL);
	char *want = xasprintf("%s/kiosk.json:3:10: JSON syntax error near "
	    "'\"f\"'", tmpdir);

	assert_string_equal(cause, want);
	free(want);
	free(cause);
}

static void
test_invalid_utf8(void **state)
{
	char *cause = load("{\n\"kiosk_id\": \"caf\xe9\"}", NULL);
	char *want = xasprintf("%s/kiosk.json:2:17: invalid UTF-8", tmpdir);

	assert_string_equal(cause, want);
	free(want);
	free(cause);
}

static void
test_empty_file(void **state)
{
	char *cause = load("", NULL);
	char *want = xasprintf("%s/kiosk.json: file is empty", tmpdir);

	assert_string_equal(cause, want);
	free(want);
	free(cause);
}

static void
test_too_large(void **state)
{
	char *text = xmalloc(JSONFILE_MAX + 2);
	char *cause, *want;

	memset(text, ' ', JSONFILE_MAX + 1);
	memcpy(text, "{" BASE "}", sizeof("{" BASE "}") - 1);
	text[JSONFILE_MAX + 1] = '\0';
	cause = load(text, NULL);
	want = xasprintf("%s/kiosk.json: file is too large (more than %d "
	    "bytes)", tmpdir, JSONFILE_MAX);
	assert_string_equal(cause, want);
	free(want);
	free(cause);
	free(text);
}

static void
test_missing_config(void **state)
{
	struct config *cfg = NULL;
	char *path = xasprintf("%s/absent.json", tmpdir);
	char *cause = NULL;

	assert_int_equal(config_load(path, &cfg, &cause), -1);
	assert_null(cfg);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "No such file or directory"));
	assert_true(strncmp(cause, path, strlen(path)) == 0);
	free(cause);
	free(path);
}

/* A relative config path still yields absolute paths (a chdir is harmless). */
static void
test_relative_config_path(void **state)
{
	char cwd[PATH_MAX], real[PATH_MAX];
	struct config *cfg = NULL;
	const char *text = "{\"kiosk_id\": \"k\", \"state_dir\": \"s\", "
	    "\"form\": \"../form.json\"}";
	char *path, *cause = NULL, *want;
	int rv;

	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_non_null(realpath(tmpdir, real));
	path = xasprintf("%s/etc", tmpdir);
	assert_int_equal(mkdir(path, 0700), 0);
	free(path);
	path = write_file("etc/kiosk.json", text, strlen(text), 0644);
	free(path);

	assert_int_equal(chdir(tmpdir), 0);
	rv = config_load("etc/kiosk.json", &cfg, &cause);
	assert_int_equal(chdir(cwd), 0);
	if (rv != 0)
		print_error("%s\n", cause);
	assert_int_equal(rv, 0);
	assert_string_equal(cfg->path, "etc/kiosk.json");
	want = xasprintf("%s/etc/../form.json", real);
	assert_string_equal(cfg->form, want);
	free(want);
	want = xasprintf("%s/etc/s", real);
	assert_string_equal(cfg->state_dir, want);
	free(want);
	config_free(cfg);
}

/*
 * The shipped example loads once the files it names exist (run from the
 * top of the repository, as tests/run.sh does).
 */
static void
test_example(void **state)
{
	static const char *const files[] = {
		"forms/microneedling.json", "ca.pem", "kiosk.crt"
	};
	static const char *const secrets[] = { "kiosk.key", "token" };
	char *dir, *path, *cause = NULL, *text, *hole, *hashed, *want;
	struct config *cfg = NULL;
	FILE *f;
	long len;
	size_t i;

	f = fopen("etc/kiosk.json.example", "r");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	assert_true((len = ftell(f)) > 0);
	rewind(f);
	text = xmalloc((size_t)len + 1);
	assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
	text[len] = '\0';
	assert_int_equal(fclose(f), 0);

	dir = xasprintf("%s/example", tmpdir);
	assert_int_equal(mkdir(dir, 0700), 0);
	path = xasprintf("%s/forms", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	free(path);
	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		path = xasprintf("example/%s", files[i]);
		free(write_file(path, "x\n", 2, 0644));
		free(path);
	}
	for (i = 0; i < sizeof secrets / sizeof secrets[0]; i++) {
		path = xasprintf("example/%s", secrets[i]);
		free(write_file(path, "x\n", 2, 0600));
		free(path);
	}
	/* As shipped: private, and its placeholders are not hashes. */
	path = write_file("example/kiosk.json", text, (size_t)len, 0600);
	assert_int_equal(config_load(path, &cfg, &cause), -1);
	assert_non_null(strstr(cause, "staff.members[0].pin_hash: must be a "
	    "complete crypt(3) hash"));
	free(cause);
	free(path);
	/* With real hashes it loads, but only while nobody else can read it. */
	while ((hole = strstr(text, "$y$j9T$...")) != NULL) {
		hashed = xasprintf("%.*s%s%s", (int)(hole - text), text, YESCRYPT,
		    hole + strlen("$y$j9T$..."));
		free(text);
		text = hashed;
	}
	path = write_file("example/kiosk.json", text, strlen(text), 0644);
	assert_int_equal(config_load(path, &cfg, &cause), -1);
	want = xasprintf("%s: staff.members: PIN hashes in a config readable by "
	    "others; chmod 600 %s", path, path);
	assert_string_equal(cause, want);
	free(want);
	free(cause);
	cause = NULL;
	assert_int_equal(chmod(path, 0600), 0);
	free(text);

	if (config_load(path, &cfg, &cause) != 0) {
		print_error("%s\n", cause);
		free(cause);
		fail();
	}
	assert_string_equal(cfg->kiosk_id, "front-desk-1");
	assert_int_equal(cfg->has_server, 1);
	assert_true(cfg->nstaff >= 1);
	text = xasprintf("%s/forms/microneedling.json", dir);
	assert_string_equal(cfg->form, text);
	free(text);
	config_free(cfg);
	free(path);
	free(dir);
}

static void
test_config_path(void **state)
{
	assert_int_equal(unsetenv("KIOSK_CONFIG"), 0);
	assert_string_equal(config_path(NULL), CONFIG_DEFAULT_PATH);
	assert_string_equal(config_path(NULL), "/etc/kiosk/kiosk.json");
	assert_string_equal(config_path("my.json"), "my.json");

	assert_int_equal(setenv("KIOSK_CONFIG", "/srv/k.json", 1), 0);
	assert_string_equal(config_path(NULL), "/srv/k.json");
	/* --config wins over the environment. */
	assert_string_equal(config_path("my.json"), "my.json");

	/* An empty variable is as good as unset. */
	assert_int_equal(setenv("KIOSK_CONFIG", "", 1), 0);
	assert_string_equal(config_path(NULL), CONFIG_DEFAULT_PATH);
	assert_int_equal(unsetenv("KIOSK_CONFIG"), 0);
}

static void
test_free_null(void **state)
{
	config_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_server_minimal),
		cmocka_unit_test(test_bounds_accepted),
		cmocka_unit_test(test_kiosk_id_length),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_secret_modes),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_missing_config),
		cmocka_unit_test(test_relative_config_path),
		cmocka_unit_test(test_example),
		cmocka_unit_test(test_config_path),
		cmocka_unit_test(test_free_null),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
