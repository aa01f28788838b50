/*
 * http.h: one long-lived HTTPS client for the clinic server. The only
 * module that includes <curl/curl.h>. HTTPS only, peer and host always
 * verified, TLS 1.2 or later, no redirects, bodies sent from memory.
 */
#ifndef KIOSK_HTTP_H
#define KIOSK_HTTP_H

#include <signal.h>
#include <stddef.h>

#define HTTP_MAX_BODY (64 * 1024)	/* a receipt is small; more is refused */

struct http_opts {
	const char *ca_file;	/* the only CA trusted; NULL: the system's */
	const char *pinned_pubkey;	/* "sha256//..." or NULL: no key pinning */
	const char *client_cert;	/* NULL: none */
	const char *client_key;
	const char *token_file;	/* NULL: no Authorization header */
	const char *proxy;	/* NULL: none (environment proxies ignored) */
	long timeout_s;		/* whole request */
	const char *content_type;	/* NULL: application/json */
	const char *extra_header;	/* one more "Name: value", or NULL */
	const volatile sig_atomic_t *stop;	/* non-zero aborts a request */
};

/* What kind of failure a request met, for retry policy and staff words. */
enum http_fail {
	HTTP_OK = 0,		/* an HTTP answer arrived (any status) */
	HTTP_NETWORK,		/* no connection: no route, refused, no name */
	HTTP_TIMEOUT,		/* connected, but no answer in time */
	HTTP_DROPPED,		/* the connection broke (reset, closed) */
	HTTP_TLS,		/* certificate or TLS handshake refused */
	HTTP_PROTOCOL,		/* not HTTP, or a body too large */
	HTTP_ABORTED,		/* stop was set */
};

struct http_result {
	enum http_fail fail;
	long status;		/* HTTP status, 0 when none */
	char *body;		/* NUL-terminated, may be empty */
	size_t len;
	long retry_after_s;	/* from Retry-After, -1 when absent */
	char *error;		/* curl's words when fail != HTTP_OK */
};

struct http;

/* Process-wide setup (curl_global_init); once, before any thread. */
int http_global_init(char **cause);
void http_global_cleanup(void);

/* A client; reads the token file now. -1 with *cause on a bad setup. */
int http_new(const struct http_opts *, struct http **, char **cause);
void http_free(struct http *);	/* NULL is a no-op */
/*
 * Read the token file again (after the server refused the kiosk's
 * credentials, so a fixed token works without a restart). On -1 the
 * token in use is kept; no token file configured is 0.
 */
int http_reload_token(struct http *, char **cause);

/*
 * POST body (JSON) to url with Idempotency-Key: "key". Returns 0 when the
 * request ran (look at res->fail and res->status), -1 only when it could
 * not be attempted at all (*cause).
 */
int http_post(struct http *, const char *url, const char *key,
    const char *body, struct http_result *res, char **cause);
void http_result_free(struct http_result *);

/* TLS handshakes made so far by this client (new connections). */
long http_connects(const struct http *);

#endif
