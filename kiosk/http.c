/*
 * http.c: the kiosk's HTTPS client, a thin layer over one libcurl easy
 * handle kept for the life of the sync loop so connections are reused.
 * It sends and reports; deciding what an answer means is sync.c's job.
 * Never logs a body: bodies hold health data.
 */
#include "http.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <openssl/ssl.h>

#include "util.h"

#define HTTP_MAX_TOKEN 4096
#define HTTP_CONNECT_TIMEOUT_S 10L
#define HTTP_LOW_SPEED_TIME_S 15L	/* abort below 1 byte/s for this long */

struct http {
	CURL *curl;
	struct curl_slist *base;	/* headers every request carries */
	char *auth;			/* "Authorization: Bearer ...", wiped */
	char *token_file;		/* re-read after a refusal */
	const volatile sig_atomic_t *stop;
	long connects;
	int has_cert;			/* a client certificate is configured */
	int cert_asked;			/* this request's server asked for one */
	char errbuf[CURL_ERROR_SIZE];
	/* The response being received. */
	char *body;
	size_t len;
	int too_big;
};

int
http_global_init(char **cause)
{
	CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);

	if (rc != CURLE_OK) {
		*cause = xasprintf("cannot start libcurl: %s",
		    curl_easy_strerror(rc));
		return -1;
	}
	return 0;
}

void
http_global_cleanup(void)
{
	curl_global_cleanup();
}

/* Read the bearer token (first line, at most HTTP_MAX_TOKEN bytes). */
static int
http_read_token(const char *path, char **out, char **cause)
{
	char buf[HTTP_MAX_TOKEN + 2];
	FILE *f;
	size_t n;

	*out = NULL;
	if ((f = fopen(path, "re")) == NULL) {
		*cause = xasprintf("server.token_file: cannot read %s: %s", path,
		    strerror(errno));
		return -1;
	}
	n = fread(buf, 1, sizeof buf - 1, f);
	if (ferror(f)) {
		*cause = xasprintf("server.token_file: cannot read %s", path);
		fclose(f);
		return -1;
	}
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (n > HTTP_MAX_TOKEN || buf[0] == '\0' || strpbrk(buf, " \t") != NULL ||
	    !utf8_valid_text(buf, strlen(buf))) {
		explicit_bzero(buf, sizeof buf);
		*cause = xasprintf("server.token_file: %s must hold one token "
		    "on one line", path);
		return -1;
	}
	*out = xasprintf("Authorization: Bearer %s", buf);
	explicit_bzero(buf, sizeof buf);
	return 0;
}

static size_t
http_on_body(char *data, size_t size, size_t n, void *arg)
{
	struct http *h = arg;
	size_t len = size * n;

	if (h->len + len > HTTP_MAX_BODY) {
		h->too_big = 1;
		return 0;	/* makes curl fail with CURLE_WRITE_ERROR */
	}
	h->body = xrealloc(h->body, h->len + len + 1);
	memcpy(h->body + h->len, data, len);
	h->len += len;
	h->body[h->len] = '\0';
	return len;
}

static int
http_on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	const struct http *h = arg;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return h->stop != NULL && *h->stop ? 1 : 0;
}

/* OpenSSL asks this when the server wants a certificate we lack. */
static int
http_on_cert_request(SSL *ssl, X509 **x509, EVP_PKEY **pkey)
{
	struct http *h = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));

	(void)x509;
	(void)pkey;
	if (h != NULL)
		h->cert_asked = 1;
	return 0;		/* continue without one */
}

/* libcurl (OpenSSL build) hands over each new TLS context here. */
static CURLcode
http_on_ssl_ctx(CURL *curl, void *ctx, void *arg)
{
	(void)curl;
	SSL_CTX_set_app_data((SSL_CTX *)ctx, arg);
	SSL_CTX_set_client_cert_cb((SSL_CTX *)ctx, http_on_cert_request);
	return CURLE_OK;
}

/* Set the options every request shares; -1 when curl refuses one. */
static int
http_setup(struct http *h, const struct http_opts *o, char **cause)
{
	CURL *c = h->curl;
	CURLcode rc = CURLE_OK;

#define SET(opt, val) do { if (rc == CURLE_OK) rc = curl_easy_setopt(c, opt, val); } while (0)
	SET(CURLOPT_ERRORBUFFER, h->errbuf);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_PROTOCOLS_STR, "https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	/*
	 * The clinic's CA alone: libcurl's compiled-in CA folder would
	 * otherwise still trust every public CA (and a TLS-inspecting proxy's).
	 */
	if (o->ca_file != NULL) {
		SET(CURLOPT_CAINFO, o->ca_file);
		SET(CURLOPT_CAPATH, NULL);
	}
	if (o->pinned_pubkey != NULL)
		SET(CURLOPT_PINNEDPUBLICKEY, o->pinned_pubkey);
	if (o->client_cert != NULL) {
		SET(CURLOPT_SSLCERT, o->client_cert);
		SET(CURLOPT_SSLKEY, o->client_key);
	}
	SET(CURLOPT_PROXY, o->proxy != NULL ? o->proxy : "");
	SET(CURLOPT_CONNECTTIMEOUT, o->timeout_s < HTTP_CONNECT_TIMEOUT_S ?
	    o->timeout_s : HTTP_CONNECT_TIMEOUT_S);
	SET(CURLOPT_TIMEOUT, o->timeout_s);
	SET(CURLOPT_LOW_SPEED_LIMIT, 1L);
	SET(CURLOPT_LOW_SPEED_TIME, o->timeout_s < HTTP_LOW_SPEED_TIME_S ?
	    o->timeout_s : HTTP_LOW_SPEED_TIME_S);
	SET(CURLOPT_TCP_KEEPALIVE, 1L);
	SET(CURLOPT_USERAGENT, "kiosk/" KIOSK_VERSION);
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)HTTP_MAX_BODY);
	SET(CURLOPT_WRITEFUNCTION, http_on_body);
	SET(CURLOPT_WRITEDATA, h);
	SET(CURLOPT_NOPROGRESS, 0L);
	SET(CURLOPT_XFERINFOFUNCTION, http_on_progress);
	SET(CURLOPT_XFERINFODATA, h);
	SET(CURLOPT_POST, 1L);
	if (o->client_cert == NULL) {
		SET(CURLOPT_SSL_CTX_FUNCTION, http_on_ssl_ctx);
		SET(CURLOPT_SSL_CTX_DATA, h);
	}
#undef SET
	if (rc != CURLE_OK) {
		*cause = xasprintf("libcurl refused an option: %s",
		    curl_easy_strerror(rc));
		return -1;
	}
	return 0;
}

int
http_new(const struct http_opts *o, struct http **out, char **cause)
{
	struct http *h = xcalloc(1, sizeof *h);
	const char *type = o->content_type != NULL ? o->content_type :
	    "application/json";
	char *headers[4];
	size_t i;

	*out = NULL;
	h->stop = o->stop;
	h->has_cert = o->client_cert != NULL;
	if ((h->curl = curl_easy_init()) == NULL) {
		*cause = xstrdup("cannot create a libcurl handle");
		goto fail;
	}
	if (o->token_file != NULL &&
	    http_read_token(o->token_file, &h->auth, cause) != 0)
		goto fail;
	if (o->token_file != NULL)
		h->token_file = xstrdup(o->token_file);
	headers[0] = xasprintf("Content-Type: %s", type);
	headers[1] = xasprintf("Accept: %s", type);
	headers[2] = xstrdup("Expect:");	/* send at once, no 100-continue */
	headers[3] = o->extra_header != NULL ? xstrdup(o->extra_header) : NULL;
	for (i = 0; i < sizeof headers / sizeof headers[0] &&
	    headers[i] != NULL; i++) {
		struct curl_slist *l = curl_slist_append(h->base, headers[i]);

		if (l == NULL)
			fatalx(EXIT_SOFTWARE, "out of memory");
		h->base = l;
		free(headers[i]);
	}
	if (http_setup(h, o, cause) != 0)
		goto fail;
	*out = h;
	return 0;
fail:
	http_free(h);
	return -1;
}

void
http_free(struct http *h)
{
	if (h == NULL)
		return;
	if (h->curl != NULL)
		curl_easy_cleanup(h->curl);
	curl_slist_free_all(h->base);
	wipe_free(h->auth);
	wipe_free(h->body);
	free(h->token_file);
	free(h);
}

int
http_reload_token(struct http *h, char **cause)
{
	struct stat sb;
	char *auth;

	if (h->token_file == NULL)
		return 0;
	if (stat(h->token_file, &sb) == 0 && (sb.st_mode & 077) != 0) {
		*cause = xasprintf("server.token_file: %s is accessible by "
		    "others; chmod 600 it", h->token_file);
		return -1;
	}
	if (http_read_token(h->token_file, &auth, cause) != 0)
		return -1;
	wipe_free(h->auth);
	h->auth = auth;
	return 0;
}

long
http_connects(const struct http *h)
{
	return h->connects;
}

/*
 * Sort a curl failure into what the retry policy needs to know. Under
 * TLS 1.3 a server that refuses the kiosk's certificate says so with an
 * alert after the handshake, which curl reports as a send or receive
 * error: its words tell it apart from a dropped connection.
 */
static enum http_fail
http_classify(CURLcode rc, int too_big, const char *words)
{
	switch (rc) {
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
		if (strstr(words, "alert") != NULL ||
		    strstr(words, "certificate") != NULL ||
		    strstr(words, "SSL routines") != NULL)
			return HTTP_TLS;
		return HTTP_DROPPED;
	case CURLE_OPERATION_TIMEDOUT:
		return HTTP_TIMEOUT;
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
		return HTTP_DROPPED;
	case CURLE_OK:
		return HTTP_OK;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		return HTTP_TLS;
	case CURLE_ABORTED_BY_CALLBACK:
		return HTTP_ABORTED;
	case CURLE_WRITE_ERROR:
		return too_big ? HTTP_PROTOCOL : HTTP_DROPPED;
	case CURLE_FILESIZE_EXCEEDED:
	case CURLE_OUT_OF_MEMORY:	/* libcurl's word for headers over its limit */
		return HTTP_PROTOCOL;
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_BAD_CONTENT_ENCODING:
	case CURLE_HTTP2:
		return HTTP_PROTOCOL;
	default:
		return HTTP_NETWORK;
	}
}

/* Say what happened where libcurl's own words mislead staff. */
static void
http_explain(struct http *h, CURLcode rc)
{
	if (rc == CURLE_OUT_OF_MEMORY)
		snprintf(h->errbuf, sizeof h->errbuf, "the server's answer "
		    "headers were larger than the kiosk accepts");
	else if (rc == CURLE_FILESIZE_EXCEEDED ||
	    (rc == CURLE_WRITE_ERROR && h->too_big))
		snprintf(h->errbuf, sizeof h->errbuf, "the server's answer was "
		    "larger than the kiosk accepts (%d bytes)", HTTP_MAX_BODY);
}

/* Free a request's headers, wiping the copy of the bearer token first. */
static void
http_free_headers(struct curl_slist *headers)
{
	struct curl_slist *p;

	for (p = headers; p != NULL; p = p->next) {
		if (strncmp(p->data, "Authorization:", 14) == 0)
			explicit_bzero(p->data, strlen(p->data));
	}
	curl_slist_free_all(headers);
}

int
http_post(struct http *h, const char *url, const char *key, const char *body,
    struct http_result *res, char **cause)
{
	struct curl_slist *headers = NULL, *l, *p;
	char *idem = xasprintf("Idempotency-Key: \"%s\"", key);
	curl_off_t retry = 0;
	long status = 0, connects = 0;
	CURLcode rc = CURLE_OK;
	int rv = -1;

	memset(res, 0, sizeof *res);
	res->retry_after_s = -1;
	h->len = 0;
	h->too_big = 0;
	h->cert_asked = 0;
	h->errbuf[0] = '\0';
	/* Per-request headers in front of the shared ones. */
	for (p = h->base; p != NULL; p = p->next) {
		if ((l = curl_slist_append(headers, p->data)) == NULL)
			fatalx(EXIT_SOFTWARE, "out of memory");
		headers = l;
	}
	if ((l = curl_slist_append(headers, idem)) == NULL ||
	    (h->auth != NULL && (l = curl_slist_append(l, h->auth)) == NULL))
		fatalx(EXIT_SOFTWARE, "out of memory");
	headers = l;
	if ((rc = curl_easy_setopt(h->curl, CURLOPT_URL, url)) != CURLE_OK ||
	    (rc = curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, headers)) !=
	    CURLE_OK ||
	    (rc = curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, body)) !=
	    CURLE_OK ||
	    (rc = curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)strlen(body))) != CURLE_OK) {
		*cause = xasprintf("libcurl refused the request for %s: %s", key,
		    curl_easy_strerror(rc));
		goto out;
	}
	rc = curl_easy_perform(h->curl);
	if (curl_easy_getinfo(h->curl, CURLINFO_NUM_CONNECTS, &connects) ==
	    CURLE_OK)
		h->connects += connects;
	res->fail = http_classify(rc, h->too_big, h->errbuf[0] != '\0' ?
	    h->errbuf : curl_easy_strerror(rc));
	http_explain(h, rc);
	/*
	 * The server asked for a client certificate we do not have, then
	 * dropped us: say that, not "the connection broke".
	 */
	if (res->fail == HTTP_DROPPED && h->cert_asked && !h->has_cert) {
		res->fail = HTTP_TLS;
		snprintf(h->errbuf, sizeof h->errbuf, "the server asks for a "
		    "client certificate and none is configured");
	}
	if (rc == CURLE_OK) {
		if (curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE,
		    &status) == CURLE_OK)
			res->status = status;
		if (curl_easy_getinfo(h->curl, CURLINFO_RETRY_AFTER, &retry) ==
		    CURLE_OK && retry > 0)
			res->retry_after_s = (long)retry;
	} else
		res->error = xstrdup(h->errbuf[0] != '\0' ? h->errbuf :
		    curl_easy_strerror(rc));
	res->body = h->len > 0 ? xstrndup(h->body, h->len) : xstrdup("");
	res->len = h->len;
	rv = 0;
out:
	/* The handle must not keep pointers to what is freed here. */
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, NULL);
	http_free_headers(headers);
	free(idem);
	if (h->body != NULL)
		explicit_bzero(h->body, h->len);
	h->len = 0;
	return rv;
}

void
http_result_free(struct http_result *res)
{
	wipe_free(res->body);
	free(res->error);
	memset(res, 0, sizeof *res);
}
