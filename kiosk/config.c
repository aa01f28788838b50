/*
 * config.c: load the kiosk's JSON config and check all of it before
 * anything starts (kiosk.json(5), docs/man/kiosk.json.5). Owns the list of keys, their
 * types, ranges and defaults, resolving paths against the config file's
 * folder, and checking the files it names (readable; secrets private to
 * their owner). Stops at the first mistake with a message naming the key
 * as a path ("staff.members[1].pin_hash"; indexes count from 0, as in jq)
 * and never hands back a half-filled config.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsonfile.h"
#include "pin.h"
#include "util.h"

#define CONFIG_ID_MAX 64	/* kiosk_id, bytes */
#define CONFIG_NAME_MAX 64	/* staff name, characters */

/* One load in progress: the file, its folder and the first mistake. */
struct config_ctx {
	const char *path;	/* as given, for messages */
	char *dir;		/* absolute folder of the config file */
	char *cause;		/* first error, NULL while none */
};

/* A whole-number key: range, default, unit for the message, field. */
struct config_int {
	const char *name;
	int lo;
	int hi;
	int def;
	const char *unit;	/* "seconds", "days" or NULL */
	size_t off;		/* offsetof(struct config, ...) */
};

/* What a file named by the config must be. */
enum config_need {
	CONFIG_NEED_NOTHING,	/* state_dir: the store creates it */
	CONFIG_NEED_READABLE,	/* a readable regular file */
	CONFIG_NEED_SECRET,	/* readable and private to its owner */
};

#define CONFIG_INT(name, lo, hi, def, unit, field) \
	{ name, lo, hi, def, unit, offsetof(struct config, field) }

static const char *const config_top_keys[] = {
	"kiosk_id", "state_dir", "form", "idle_timeout_s", "idle_warning_s",
	"staff", "server", "sync", "retention_days", "high_contrast", NULL
};
static const struct config_int config_top_ints[] = {
	CONFIG_INT("idle_timeout_s", 5, 86400, 90, "seconds", idle_timeout_s),
	CONFIG_INT("idle_warning_s", 1, 600, 20, "seconds", idle_warning_s),
	CONFIG_INT("retention_days", 1, 3650, 7, "days", retention_days),
	{ NULL, 0, 0, 0, NULL, 0 }
};

static const char *const config_staff_keys[] = {
	"members", "idle_logout_s", "max_attempts", "lockout_s", "language",
	NULL
};
static const struct config_int config_staff_ints[] = {
	CONFIG_INT("idle_logout_s", 10, 86400, 120, "seconds",
	    staff_idle_logout_s),
	CONFIG_INT("max_attempts", 1, 100, 5, NULL, staff_max_attempts),
	CONFIG_INT("lockout_s", 1, 86400, 300, "seconds", staff_lockout_s),
	{ NULL, 0, 0, 0, NULL, 0 }
};
static const char *const config_member_keys[] = { "name", "pin_hash", NULL };

static const char *const config_server_keys[] = {
	"url", "ca_file", "client_cert", "client_key", "token_file", "proxy",
	"timeout_s", "format", "pinned_pubkey", NULL
};
static const struct config_int config_server_ints[] = {
	CONFIG_INT("timeout_s", 1, 600, 30, "seconds", server_timeout_s),
	{ NULL, 0, 0, 0, NULL, 0 }
};

static const char *const config_sync_keys[] = {
	"interval_s", "backoff_max_s", NULL
};
static const struct config_int config_sync_ints[] = {
	CONFIG_INT("interval_s", 1, 86400, 30, "seconds", sync_interval_s),
	CONFIG_INT("backoff_max_s", 1, 86400, 900, "seconds",
	    sync_backoff_max_s),
	{ NULL, 0, 0, 0, NULL, 0 }
};

static int config_error(struct config_ctx *, const char *, const char *,
    const char *, ...) __attribute__((format(printf, 4, 5)));

const char *
config_path(const char *arg)
{
	const char *env;

	if (arg != NULL)
		return arg;
	env = getenv("KIOSK_CONFIG");
	if (env != NULL && *env != '\0')
		return env;
	return CONFIG_DEFAULT_PATH;
}

void
config_free(struct config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	free(cfg->path);
	free(cfg->kiosk_id);
	free(cfg->state_dir);
	free(cfg->form);
	for (i = 0; i < cfg->nstaff; i++) {
		free(cfg->staff[i].name);
		free(cfg->staff[i].pin_hash);
	}
	free(cfg->staff);
	free(cfg->staff_language);
	free(cfg->server_url);
	free(cfg->server_ca_file);
	free(cfg->server_pinned_pubkey);
	free(cfg->server_client_cert);
	free(cfg->server_client_key);
	free(cfg->server_token_file);
	free(cfg->server_proxy);
	free(cfg);
}

/* Record the first mistake as "PATH: prefix.name: message"; returns -1. */
static int
config_error(struct config_ctx *ctx, const char *prefix, const char *name,
    const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (ctx->cause != NULL)
		return -1;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	ctx->cause = xasprintf("%s: %s%s%s: %s", ctx->path, prefix,
	    *prefix != '\0' ? "." : "", name, msg);
	free(msg);
	/* Whatever the file held, the message is safe on a terminal. */
	utf8_printable(ctx->cause);
	return -1;
}

/* Refuse keys the kiosk does not know, and a key given twice. */
static int
config_keys(struct config_ctx *ctx, const cJSON *obj, const char *prefix,
    const char *const *known)
{
	const cJSON *bad;
	char buf[64];

	switch (jsonfile_check_keys(obj, known, &bad)) {
	case JSONFILE_KEY_UNKNOWN:
		return config_error(ctx, prefix, jsonfile_printable(bad->string,
		    buf, sizeof buf), "unknown key");
	case JSONFILE_KEY_TWICE:
		return config_error(ctx, prefix, jsonfile_printable(bad->string,
		    buf, sizeof buf), "given twice");
	case JSONFILE_KEYS_OK:
		break;
	}
	return 0;
}

/*
 * The object at obj[name] with its keys checked: *out is NULL when the key
 * is absent (defaults apply).
 */
static int
config_section(struct config_ctx *ctx, const cJSON *obj, const char *name,
    const char *const *known, const cJSON **out)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);

	*out = NULL;
	if (item == NULL)
		return 0;
	if (!cJSON_IsObject(item))
		return config_error(ctx, "", name, "must be an object");
	if (config_keys(ctx, item, name, known) != 0)
		return -1;
	*out = item;
	return 0;
}

/* Fill the whole-number keys of one object (NULL: all defaults). */
static int
config_ints(struct config_ctx *ctx, const cJSON *obj, const char *prefix,
    const struct config_int *ci, struct config *cfg)
{
	const cJSON *item;
	double v;
	int *field;

	for (; ci->name != NULL; ci++) {
		field = (int *)(void *)((char *)cfg + ci->off);
		item = cJSON_GetObjectItemCaseSensitive(obj, ci->name);
		if (item == NULL) {
			*field = ci->def;
			continue;
		}
		v = item->valuedouble;
		/* Written so that NaN fails too. */
		if (!cJSON_IsNumber(item) || !(v >= ci->lo && v <= ci->hi) ||
		    v != (double)(int)v) {
			return config_error(ctx, prefix, ci->name,
			    "must be a whole number%s%s between %d and %d",
			    ci->unit != NULL ? " of " : "",
			    ci->unit != NULL ? ci->unit : "", ci->lo, ci->hi);
		}
		*field = (int)v;
	}
	return 0;
}

/* A string key: *out stays NULL when absent and not required. */
static int
config_string(struct config_ctx *ctx, const cJSON *obj, const char *prefix,
    const char *name, int required, char **out)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
	const char *s;

	if (item == NULL) {
		if (required)
			return config_error(ctx, prefix, name, "is required");
		return 0;
	}
	if (!cJSON_IsString(item) || item->valuestring == NULL ||
	    item->valuestring[0] == '\0')
		return config_error(ctx, prefix, name,
		    "must be a non-empty string");
	s = item->valuestring;
	if (!jsonfile_text_ok(s, false))
		return config_error(ctx, prefix, name,
		    "must not contain control characters");
	*out = xstrdup(s);
	return 0;
}

/* Check that file is a readable regular file and, if secret, private. */
static int
config_check_file(struct config_ctx *ctx, const char *prefix,
    const char *name, const char *file, enum config_need need)
{
	struct stat st;
	const char *how;
	int fd, rv = -1;

	if (need == CONFIG_NEED_NOTHING)
		return 0;
	/* O_NONBLOCK: a FIFO put there by mistake must not hang the kiosk. */
	fd = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd == -1) {
		return config_error(ctx, prefix, name, "cannot read %s: %s",
		    file, strerror(errno));
	}
	if (fstat(fd, &st) != 0) {
		config_error(ctx, prefix, name, "cannot read %s: %s", file,
		    strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		config_error(ctx, prefix, name, "%s is not a regular file",
		    file);
		goto out;
	}
	/* Like ssh with a private key: any access by group or other. */
	if (need == CONFIG_NEED_SECRET && (st.st_mode & 077) != 0) {
		if (st.st_mode & 044)
			how = "readable";
		else if (st.st_mode & 022)
			how = "writable";
		else
			how = "accessible";
		config_error(ctx, prefix, name, "%s is %s by others; chmod 600 "
		    "it", file, how);
		goto out;
	}
	rv = 0;
out:
	if (close(fd) != 0 && rv == 0) {
		rv = config_error(ctx, prefix, name, "cannot read %s: %s",
		    file, strerror(errno));
	}
	return rv;
}

/* A path key, resolved against the config file's folder, then checked. */
static int
config_file_key(struct config_ctx *ctx, const cJSON *obj, const char *prefix,
    const char *name, int required, enum config_need need, char **out)
{
	char *s = NULL;

	if (config_string(ctx, obj, prefix, name, required, &s) != 0)
		return -1;
	if (s == NULL)
		return 0;
	if (s[0] == '/')
		*out = s;
	else {
		*out = xasprintf("%s/%s", ctx->dir, s);
		free(s);
	}
	return config_check_file(ctx, prefix, name, *out, need);
}

/* The config file's folder, made absolute so a later chdir breaks nothing. */
static int
config_dir(struct config_ctx *ctx)
{
	const char *slash = strrchr(ctx->path, '/');
	char *cwd, *rel;

	if (slash == ctx->path) {
		ctx->dir = xstrdup("");	/* "/kiosk.json": "" + "/" + name */
		return 0;
	}
	rel = slash == NULL ? NULL : xstrndup(ctx->path,
	    (size_t)(slash - ctx->path));
	if (rel != NULL && rel[0] == '/') {
		ctx->dir = rel;
		return 0;
	}
	if ((cwd = getcwd(NULL, 0)) == NULL) {
		ctx->cause = xasprintf("%s: cannot find the current folder: %s",
		    ctx->path, strerror(errno));
		free(rel);
		return -1;
	}
	if (rel == NULL)
		ctx->dir = cwd;
	else {
		ctx->dir = xasprintf("%s%s%s", cwd, strcmp(cwd, "/") == 0 ?
		    "" : "/", rel);
		free(cwd);
		free(rel);
	}
	return 0;
}

/* kiosk_id: short and safe in file names, logs and HTTP headers. */
static int
config_kiosk_id(struct config_ctx *ctx, const cJSON *root, struct config *cfg)
{
	const char *p;

	if (config_string(ctx, root, "", "kiosk_id", 1, &cfg->kiosk_id) != 0)
		return -1;
	for (p = cfg->kiosk_id; *p != '\0'; p++) {
		if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789._-", *p) == NULL)
			break;
	}
	if (*p != '\0' || p - cfg->kiosk_id > CONFIG_ID_MAX) {
		return config_error(ctx, "", "kiosk_id", "must be 1 to %d "
		    "characters from A-Z a-z 0-9 . _ -", CONFIG_ID_MAX);
	}
	return 0;
}

/* One staff member: a name people recognise and a crypt(3) hash. */
static int
config_member(struct config_ctx *ctx, const cJSON *item, size_t i,
    struct config_staff *m)
{
	char prefix[48];
	snprintf(prefix, sizeof prefix, "staff.members[%zu]", i);
	if (!cJSON_IsObject(item))
		return config_error(ctx, "", prefix, "must be an object");
	if (config_keys(ctx, item, prefix, config_member_keys) != 0 ||
	    config_string(ctx, item, prefix, "name", 1, &m->name) != 0 ||
	    config_string(ctx, item, prefix, "pin_hash", 1, &m->pin_hash) != 0)
		return -1;
	if (utf8_chars(m->name) > CONFIG_NAME_MAX) {
		return config_error(ctx, prefix, "name", "must be at most %d "
		    "characters", CONFIG_NAME_MAX);
	}
	if (!pin_hash_valid(m->pin_hash)) {
		return config_error(ctx, prefix, "pin_hash", "must be a complete "
		    "crypt(3) hash starting with $y$ or $2b$ (make one with: "
		    "kiosk hash-pin)");
	}
	return 0;
}

/*
 * PIN hashes fall to an offline search of every 6-digit PIN: a config
 * that holds them must be as private as a token file.
 */
static int
config_private(struct config_ctx *ctx)
{
	struct stat st;

	if (stat(ctx->path, &st) != 0)
		return config_error(ctx, "staff", "members", "cannot stat %s: "
		    "%s", ctx->path, strerror(errno));
	if ((st.st_mode & 077) != 0)
		return config_error(ctx, "staff", "members", "PIN hashes in a "
		    "config %s by others; chmod 600 %s", (st.st_mode & 044) ?
		    "readable" : "accessible", ctx->path);
	return 0;
}

/* staff.language: the staff screens' language, a code such as "en". */
static int
config_staff_language(struct config_ctx *ctx, const cJSON *staff,
    struct config *cfg)
{
	const char *p;

	if (config_string(ctx, staff, "staff", "language", 0,
	    &cfg->staff_language) != 0)
		return -1;
	if (cfg->staff_language == NULL) {
		cfg->staff_language = xstrdup("en");
		return 0;
	}
	for (p = cfg->staff_language; *p >= 'a' && *p <= 'z'; p++)
		;
	if (p - cfg->staff_language < 2 || p - cfg->staff_language > 3 ||
	    (*p != '\0' && (*p != '_' || strlen(p) != 3)))
		return config_error(ctx, "staff", "language", "must be a "
		    "language code such as \"en\" or \"es\"");
	return 0;
}

/* high_contrast: true or false (default false). */
static int
config_high_contrast(struct config_ctx *ctx, const cJSON *root,
    struct config *cfg)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root,
	    "high_contrast");

	if (v == NULL)
		return 0;
	if (!cJSON_IsBool(v))
		return config_error(ctx, "", "high_contrast",
		    "must be true or false");
	cfg->high_contrast = cJSON_IsTrue(v);
	return 0;
}

/* The staff block: members (unique names) and the PIN lockout policy. */
static int
config_staff(struct config_ctx *ctx, const cJSON *root, struct config *cfg)
{
	const cJSON *staff, *members, *item;
	size_t i, j;

	if (config_section(ctx, root, "staff", config_staff_keys, &staff) != 0 ||
	    config_ints(ctx, staff, "staff", config_staff_ints, cfg) != 0 ||
	    config_staff_language(ctx, staff, cfg) != 0)
		return -1;
	members = cJSON_GetObjectItemCaseSensitive(staff, "members");
	if (members == NULL)
		return 0;
	if (!cJSON_IsArray(members))
		return config_error(ctx, "staff", "members", "must be an array");
	if (cJSON_GetArraySize(members) > 0 && config_private(ctx) != 0)
		return -1;

	/* nstaff first, so config_free sees every member filled so far. */
	cfg->nstaff = (size_t)cJSON_GetArraySize(members);
	cfg->staff = xcalloc(cfg->nstaff, sizeof *cfg->staff);
	i = 0;
	cJSON_ArrayForEach(item, members) {
		if (config_member(ctx, item, i, &cfg->staff[i]) != 0)
			return -1;
		/* Case-blind: "Ana" and "ana" in an audit log is a trap. */
		for (j = 0; j < i; j++) {
			if (strcasecmp(cfg->staff[j].name,
			    cfg->staff[i].name) == 0)
				break;
		}
		if (j < i) {
			char prefix[48];

			snprintf(prefix, sizeof prefix, "staff.members[%zu]", i);
			return config_error(ctx, prefix, "name", "\"%s\" is "
			    "already used by staff.members[%zu]",
			    cfg->staff[i].name, j);
		}
		i++;
	}
	return 0;
}

/* server.url: https only, a host, and no trailing slash. */
static int
config_url(struct config_ctx *ctx, const cJSON *server, struct config *cfg)
{
	char *u;
	size_t len;

	if (config_string(ctx, server, "server", "url", 1,
	    &cfg->server_url) != 0)
		return -1;
	u = cfg->server_url;
	if (strncmp(u, "https://", 8) != 0)
		return config_error(ctx, "server", "url",
		    "must start with https://");
	if (u[8] == '\0' || u[8] == '/')
		return config_error(ctx, "server", "url",
		    "must name a server after https://");
	/* "{url}/intakes" is built by appending: no query, no fragment. */
	if (strpbrk(u, " ?#") != NULL)
		return config_error(ctx, "server", "url",
		    "must not contain spaces, ? or #");
	len = strlen(u);
	while (len > 9 && u[len - 1] == '/')
		u[--len] = '\0';
	return 0;
}

/* server.format: "kiosk" (the default) or "fhir". */
static int
config_format(struct config_ctx *ctx, const cJSON *server, struct config *cfg)
{
	char *f = NULL;

	if (config_string(ctx, server, "server", "format", 0, &f) != 0)
		return -1;
	cfg->server_format = CONFIG_FORMAT_KIOSK;
	if (f != NULL && strcmp(f, "fhir") == 0)
		cfg->server_format = CONFIG_FORMAT_FHIR;
	else if (f != NULL && strcmp(f, "kiosk") != 0) {
		free(f);
		return config_error(ctx, "server", "format",
		    "must be \"kiosk\" or \"fhir\"");
	}
	free(f);
	return 0;
}

/*
 * server.pinned_pubkey: libcurl's "sha256//BASE64" (one or more, joined by
 * ';'), each a SHA-256 of the server's public key in base64.
 */
static int
config_pinned_pubkey(struct config_ctx *ctx, const cJSON *server,
    struct config *cfg)
{
	const char *p;
	size_t n;

	if (config_string(ctx, server, "server", "pinned_pubkey", 0,
	    &cfg->server_pinned_pubkey) != 0)
		return -1;
	if ((p = cfg->server_pinned_pubkey) == NULL)
		return 0;
	for (;;) {
		if (strncmp(p, "sha256//", 8) != 0)
			break;
		p += 8;
		n = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789+/");
		if (n != 43 || (strcmp(p + n, "=") != 0 &&
		    strncmp(p + n, "=;", 2) != 0))
			break;
		p += n + 1;
		if (*p == '\0')
			return 0;
		p++;
	}
	return config_error(ctx, "server", "pinned_pubkey", "must be "
	    "sha256// and the base64 SHA-256 of the server's public key "
	    "(several joined by ;)");
}

/* The server block; absent means the kiosk keeps everything local. */
static int
config_server(struct config_ctx *ctx, const cJSON *root, struct config *cfg)
{
	const cJSON *server;

	if (config_section(ctx, root, "server", config_server_keys,
	    &server) != 0 ||
	    config_ints(ctx, server, "server", config_server_ints, cfg) != 0)
		return -1;
	if (server == NULL)
		return 0;
	cfg->has_server = 1;
	if (config_url(ctx, server, cfg) != 0 ||
	    config_file_key(ctx, server, "server", "ca_file", 0, CONFIG_NEED_READABLE,
	    &cfg->server_ca_file) != 0 ||
	    config_file_key(ctx, server, "server", "client_cert", 0,
	    CONFIG_NEED_READABLE, &cfg->server_client_cert) != 0 ||
	    config_file_key(ctx, server, "server", "client_key", 0,
	    CONFIG_NEED_SECRET, &cfg->server_client_key) != 0 ||
	    config_file_key(ctx, server, "server", "token_file", 0,
	    CONFIG_NEED_SECRET, &cfg->server_token_file) != 0 ||
	    config_string(ctx, server, "server", "proxy", 0,
	    &cfg->server_proxy) != 0 ||
	    config_format(ctx, server, cfg) != 0 ||
	    config_pinned_pubkey(ctx, server, cfg) != 0)
		return -1;
	if (cfg->server_client_cert != NULL && cfg->server_client_key == NULL)
		return config_error(ctx, "server", "client_key",
		    "is required when server.client_cert is set");
	if (cfg->server_client_key != NULL && cfg->server_client_cert == NULL)
		return config_error(ctx, "server", "client_cert",
		    "is required when server.client_key is set");
	return 0;
}

/* Check the whole tree into cfg; stops at the first mistake. */
static int
config_root(struct config_ctx *ctx, const cJSON *root, struct config *cfg)
{
	const cJSON *sync;

	if (!cJSON_IsObject(root)) {
		ctx->cause = xasprintf("%s: the top level must be a JSON object",
		    ctx->path);
		return -1;
	}
	if (config_keys(ctx, root, "", config_top_keys) != 0 ||
	    config_kiosk_id(ctx, root, cfg) != 0 ||
	    config_file_key(ctx, root, "", "state_dir", 1, CONFIG_NEED_NOTHING,
	    &cfg->state_dir) != 0 ||
	    config_file_key(ctx, root, "", "form", 1, CONFIG_NEED_READABLE,
	    &cfg->form) != 0 ||
	    config_ints(ctx, root, "", config_top_ints, cfg) != 0 ||
	    config_high_contrast(ctx, root, cfg) != 0 ||
	    config_staff(ctx, root, cfg) != 0 ||
	    config_server(ctx, root, cfg) != 0 ||
	    config_section(ctx, root, "sync", config_sync_keys, &sync) != 0 ||
	    config_ints(ctx, sync, "sync", config_sync_ints, cfg) != 0)
		return -1;
	return 0;
}

int
config_load(const char *path, struct config **out, char **cause)
{
	struct config_ctx ctx = { .path = path };
	struct config *cfg = NULL;
	cJSON *root = NULL;
	int rv = -1;

	*out = NULL;
	*cause = NULL;
	if (jsonfile_load(path, &root, cause) != 0)
		return -1;
	cfg = xcalloc(1, sizeof *cfg);
	cfg->path = xstrdup(path);
	if (config_dir(&ctx) != 0 || config_root(&ctx, root, cfg) != 0)
		goto out;
	*out = cfg;
	cfg = NULL;
	rv = 0;
out:
	if (rv != 0)
		*cause = ctx.cause != NULL ? ctx.cause :
		    xasprintf("%s: invalid config", path);
	else
		free(ctx.cause);
	config_free(cfg);
	cJSON_Delete(root);
	free(ctx.dir);
	return rv;
}
