/*
 * config.h: the kiosk's JSON config (kiosk.json(5), docs/man/kiosk.json.5), loaded and
 * validated in one go. A config that loads is complete: every path is
 * resolved against the config file's folder, every default filled in.
 * Never half-loaded: on any mistake config_load fails with a message
 * naming the key.
 */
#ifndef KIOSK_CONFIG_H
#define KIOSK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define CONFIG_DEFAULT_PATH "/etc/kiosk/kiosk.json"

struct config_staff {
	char *name;
	char *pin_hash;		/* "$y$..." or "$2b$..." */
};

enum config_format {
	CONFIG_FORMAT_KIOSK = 0,	/* the kiosk's own JSON (default) */
	CONFIG_FORMAT_FHIR,		/* FHIR R4 transaction Bundles */
};

struct config {
	char *path;		/* the config file as given */
	char *kiosk_id;
	char *state_dir;	/* absolute or relative to the config's folder, resolved */
	char *form;		/* resolved path of the form file */
	int idle_timeout_s;	/* default 90 */
	int idle_warning_s;	/* default 20 */
	bool high_contrast;	/* default false: bold, no colour */

	struct config_staff *staff;	/* may be 0 members */
	size_t nstaff;
	int staff_idle_logout_s;	/* default 120 */
	int staff_max_attempts;		/* default 5 */
	int staff_lockout_s;		/* default 300 */
	char *staff_language;		/* default "en" */

	int has_server;		/* 0 when "server" is absent: nothing is sent */
	char *server_url;	/* https:// only, no trailing slash */
	char *server_ca_file;	/* resolved, NULL = system bundle; else the only CA */
	char *server_pinned_pubkey;	/* "sha256//..." or NULL */
	char *server_client_cert;	/* resolved or NULL */
	char *server_client_key;	/* resolved or NULL */
	char *server_token_file;	/* resolved or NULL */
	char *server_proxy;	/* NULL = none */
	int server_timeout_s;	/* default 30 */
	enum config_format server_format;	/* server.format, default kiosk */

	int sync_interval_s;	/* default 30 */
	int sync_backoff_max_s;	/* default 900 */
	int retention_days;	/* default 7 */
};

/* Which path to use: the --config argument, else $KIOSK_CONFIG, else the default. */
const char *config_path(const char *arg);

/*
 * Load and validate. On failure returns -1 and *cause (caller frees) is
 * "PATH:LINE:COL: message" for JSON syntax or "PATH: key: message" for
 * everything else, e.g. "kiosk.json: server.url: must start with https://".
 */
int config_load(const char *path, struct config **out, char **cause);
/* NULL is a no-op. */
void config_free(struct config *);

#endif
