/*
 * sync.c: at-least-once delivery of stored intakes and reviews to the
 * clinic server; the Idempotency-Key (the record's id) lets the server
 * make it exactly-once. A record is marked sent only on a receipt that
 * names it. Outcomes are committed in batches (SYNC_BATCH) together
 * with the notes for `kiosk status`; marking is idempotent, so several
 * senders may share one store.
 * Logs name record ids and attempt results, never anything personal.
 */
#include "sync.h"

#include <sys/stat.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "fhir.h"
#include "form.h"
#include "http.h"
#include "store.h"
#include "util.h"

#define SYNC_SLOW_MIN_S 60L
#define SYNC_MAX_RECEIPT 1000
/*
 * Outcomes are committed together: up to SYNC_BATCH records or
 * SYNC_BATCH_MS, whichever comes first, in one transaction. A crash
 * loses at most those marks; the records are sent again with the same
 * Idempotency-Key and the server replays its receipts.
 */
#define SYNC_BATCH 256
#define SYNC_BATCH_MS 500
#define SYNC_INTEGRITY_S 86400	/* the full integrity check, daily */

/* An attempt's outcome waiting for the next commit. */
struct sync_note {
	enum store_kind kind;
	char *id;
	enum sync_verdict verdict;
	char *receipt;		/* SYNC_SENT */
	char *words;		/* otherwise */
	int64_t at;		/* sent or parked at, or the next attempt */
};

struct sync;

/*
 * What differs between the wire formats (server.format): where a record
 * goes, the body sent for it, and which answer is a receipt.
 */
struct sync_format {
	const char *intakes;	/* appended to server.url */
	const char *reviews;
	const char *content_type;
	const char *extra_header;
	/* The body for a due record (caller wipes and frees); *n for classify. */
	int (*body)(struct sync *, const struct store_due *, char **body,
	    size_t *n, char **cause);
	void (*classify)(const struct http_result *, const char *id, size_t n,
	    struct sync_outcome *);
};

struct sync {
	const struct sync_format *format;
	struct form *form;	/* FHIR: item types and consent text */
	struct store *store;
	struct http *http;
	char *url_intakes;
	char *url_reviews;
	long interval_s;
	long backoff_max_s;
	int64_t not_before;	/* a failing server: no pass before this */
	long fail_streak;	/* passes in a row that stopped early */
	volatile sig_atomic_t stop;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool woken;
	bool running;
	pthread_t thread;
	/* Notes for `kiosk status`, written with each batch of outcomes. */
	bool error_noted;	/* last_error or alert is set in the store */
	int64_t attempted_at;	/* this batch: last attempt, last success */
	int64_t succeeded_at;
	struct sync_note notes[SYNC_BATCH];
	size_t nnotes;
	int64_t first_note_ms;	/* when the oldest uncommitted note came */
	char *error_words;	/* last_error to write (error_dirty) */
	char *alert_words;	/* alert to write (alert_dirty) */
	bool error_dirty, alert_dirty;
	int64_t pause_until;	/* a server-wide pause to keep (pause_dirty) */
	char *pause_words;
	bool pause_dirty, pause_noted;
	char settings[65];	/* what a pause was decided under */
	char *damaged_words;	/* the "damaged" alert (damaged_dirty) */
	bool damaged_dirty;
	bool reload_token;	/* the server refused the credentials */
	long n_sent, n_retried, n_parked;	/* this pass, for syslog */
	int64_t integrity_at;	/* last full integrity check */
};

static void sync_notes_clear(struct sync *);

void
sync_outcome_free(struct sync_outcome *o)
{
	free(o->words);
	free(o->receipt);
	memset(o, 0, sizeof *o);
}

/* The receipt in a 2xx body: a JSON object whose "id" is ours. */
static char *
sync_receipt(const char *body, const char *id)
{
	cJSON *root = cJSON_Parse(body), *rid, *rc;
	char *out = NULL;

	if (root == NULL)
		return NULL;
	rid = cJSON_GetObjectItemCaseSensitive(root, "id");
	if (cJSON_IsObject(root) && cJSON_IsString(rid) &&
	    strcmp(rid->valuestring, id) == 0) {
		rc = cJSON_GetObjectItemCaseSensitive(root, "receipt");
		if (cJSON_IsString(rc) && *rc->valuestring != '\0')
			out = xstrndup(rc->valuestring, SYNC_MAX_RECEIPT);
		else
			out = xstrndup(body, SYNC_MAX_RECEIPT);
		/* Staff screens and `kiosk status` print it: no escapes. */
		utf8_printable(out);
	}
	cJSON_Delete(root);
	return out;
}

/* A JSON receipt whose "id" is a string: a receipt, for another record. */
static bool
sync_receipt_other(const char *body)
{
	cJSON *root = cJSON_Parse(body);
	bool other;

	other = cJSON_IsObject(root) && cJSON_IsString(
	    cJSON_GetObjectItemCaseSensitive(root, "id"));
	cJSON_Delete(root);
	return other;
}

static void
sync_retry(struct sync_outcome *o, bool stop_pass, char *words)
{
	o->verdict = SYNC_RETRY;
	o->stop_pass = stop_pass;
	o->words = words;
}

/* An HTTP status (the request reached a server). */
static void
sync_classify_status(const struct http_result *r, const char *id,
    struct sync_outcome *o)
{
	long st = r->status;

	if (st == 200 || st == 201 || st == 202) {
		if ((o->receipt = sync_receipt(r->body, id)) != NULL) {
			o->verdict = SYNC_SENT;
			o->words = xasprintf("delivered (HTTP %ld)", st);
			return;
		}
		if (sync_receipt_other(r->body)) {
			sync_retry(o, true, xasprintf("the server's receipt "
			    "(HTTP %ld) names another record, not %s; not "
			    "marked sent", st, id));
			return;
		}
		sync_retry(o, true, xasprintf("the answer (HTTP %ld) was not "
		    "a receipt from the clinic server; a captive portal or "
		    "proxy may be in the way", st));
		return;
	}
	if (st == 409) {
		sync_retry(o, false, xstrdup("the server is still processing "
		    "an earlier copy (HTTP 409)"));
		return;
	}
	if (st == 401 || st == 403) {
		sync_retry(o, true, xasprintf("the server refused the kiosk's "
		    "credentials (HTTP %ld)", st));
		o->alert = o->slow = true;
		return;
	}
	if (st == 408 || st == 425 || st == 429 || st >= 500) {
		sync_retry(o, true, st == 429 ?
		    xstrdup("the server asked the kiosk to slow down (HTTP 429)") :
		    xasprintf("the server had a problem (HTTP %ld)", st));
		return;
	}
	if (st >= 400) {
		o->verdict = SYNC_PARK;
		o->words = xasprintf("the server refused this record (HTTP %ld); "
		    "it is kept on the kiosk", st);
		return;
	}
	/* 1xx, 3xx (redirects are not followed), other 2xx. */
	sync_retry(o, true, xasprintf("unexpected answer from the server "
	    "(HTTP %ld)", st));
}

void
sync_classify(const struct http_result *r, const char *id,
    struct sync_outcome *o)
{
	memset(o, 0, sizeof *o);
	o->retry_after_s = r->retry_after_s;
	switch (r->fail) {
	case HTTP_OK:
		sync_classify_status(r, id, o);
		return;
	case HTTP_TLS:
		sync_retry(o, true, xasprintf("secure connection refused: the "
		    "server's certificate could not be verified or the kiosk's "
		    "was not accepted (%s)", r->error != NULL ? r->error : "TLS"));
		o->alert = o->slow = true;
		return;
	case HTTP_PROTOCOL:
		sync_retry(o, true, xasprintf("the server's answer was not "
		    "understood (%s)", r->error != NULL ? r->error : "protocol"));
		return;
	case HTTP_ABORTED:
		sync_retry(o, true, xstrdup("stopped while sending"));
		return;
	case HTTP_TIMEOUT:
		sync_retry(o, true, xasprintf("the clinic server did not answer "
		    "in time (%s)", r->error != NULL ? r->error : "timeout"));
		return;
	case HTTP_DROPPED:
		sync_retry(o, true, xasprintf("the connection to the clinic "
		    "server broke (%s)", r->error != NULL ? r->error : "reset"));
		return;
	case HTTP_NETWORK:
	default:
		sync_retry(o, true, xasprintf("no network: the clinic server "
		    "cannot be reached (%s)", r->error != NULL ? r->error :
		    "network"));
		return;
	}
}

/* Kiosk format: the stored payload is the body. */
static int
sync_body_kiosk(struct sync *s, const struct store_due *due, char **body,
    size_t *n, char **cause)
{
	(void)s;
	(void)cause;
	*body = xstrdup(due->payload);
	*n = 0;
	return 0;
}

static void
sync_classify_kiosk(const struct http_result *r, const char *id, size_t n,
    struct sync_outcome *o)
{
	(void)n;
	sync_classify(r, id, o);
}

/* FHIR: a transaction Bundle built from the frozen payload now. */
static int
sync_body_fhir(struct sync *s, const struct store_due *due, char **body,
    size_t *n, char **cause)
{
	cJSON *b = due->kind == STORE_REVIEW ?
	    fhir_review_bundle(s->form, due->payload, cause) :
	    fhir_intake_bundle(s->form, due->payload, cause);

	if (b == NULL)
		return -1;
	*n = fhir_bundle_entries(b);
	*body = fhir_print(b);
	fhir_free(b);
	return 0;
}

void
sync_classify_fhir(const struct http_result *r, size_t entries,
    struct sync_outcome *o)
{
	long st = r->status;

	if (r->fail != HTTP_OK || (st != 412 && (st < 200 || st > 299))) {
		sync_classify(r, "", o);
		return;
	}
	memset(o, 0, sizeof *o);
	o->retry_after_s = r->retry_after_s;
	if (st == 412) {
		char *why = fhir_outcome_text(r->body, 300);

		o->verdict = SYNC_PARK;
		o->words = xasprintf("the FHIR server found more than one "
		    "match for a record's identifier (HTTP 412): %s; it is kept "
		    "on the kiosk", why != NULL ? why : "no OperationOutcome");
		free(why);
		return;
	}
	if ((st == 200 || st == 201) && (o->receipt = fhir_receipt(r->body,
	    entries, SYNC_MAX_RECEIPT)) != NULL) {
		o->verdict = SYNC_SENT;
		o->words = xasprintf("delivered (HTTP %ld)", st);
		return;
	}
	sync_retry(o, true, xasprintf("the answer (HTTP %ld) was not a FHIR "
	    "transaction-response; a captive portal or proxy may be in the "
	    "way", st));
}

static void
sync_classify_fhir_id(const struct http_result *r, const char *id, size_t n,
    struct sync_outcome *o)
{
	(void)id;
	sync_classify_fhir(r, n, o);
}

static const struct sync_format sync_formats[] = {
	[CONFIG_FORMAT_KIOSK] = { "/intakes", "/reviews", NULL, NULL,
	    sync_body_kiosk, sync_classify_kiosk },
	/* Only the locations are read: ask for no resources back. */
	[CONFIG_FORMAT_FHIR] = { "", "", FHIR_CONTENT_TYPE,
	    "Prefer: return=minimal", sync_body_fhir, sync_classify_fhir_id },
};

long
sync_backoff(long attempts, long max_s, long retry_after_s, bool slow,
    uint32_t rnd)
{
	long cap = 1, delay;

	if (max_s < 1)
		max_s = 1;
	/* A server's Retry-After never parks a record past backoff_max_s. */
	if (retry_after_s > max_s)
		retry_after_s = max_s;
	while (attempts-- > 0 && cap < max_s)
		cap *= 2;
	if (cap > max_s)
		cap = max_s;
	delay = 1 + (long)(rnd % (uint32_t)cap);
	if (slow && delay < (max_s < SYNC_SLOW_MIN_S ? max_s : SYNC_SLOW_MIN_S))
		delay = max_s < SYNC_SLOW_MIN_S ? max_s : SYNC_SLOW_MIN_S;
	if (retry_after_s > delay)
		delay = retry_after_s;
	return delay;
}

/*
 * A fingerprint of the server settings, files included (their size and
 * times): a server-wide pause kept in the store is honoured only while
 * they stay the same, so a fixed CA, pinned key, certificate or token
 * is tried at once by the next run.
 */
static void
sync_settings_print(const struct config *cfg, char out[65])
{
	const char *files[] = { cfg->server_ca_file, cfg->server_client_cert,
	    cfg->server_client_key, cfg->server_token_file };
	char *text, *more;
	struct stat st;
	size_t i;

	text = xasprintf("%s|%d|%s|%s|%s", cfg->server_url != NULL ?
	    cfg->server_url : "", (int)cfg->server_format,
	    cfg->server_pinned_pubkey != NULL ? cfg->server_pinned_pubkey : "",
	    cfg->server_proxy != NULL ? cfg->server_proxy : "",
	    cfg->server_token_file != NULL ? cfg->server_token_file : "");
	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		if (files[i] == NULL || stat(files[i], &st) != 0)
			more = xasprintf("%s|-", text);
		else
			more = xasprintf("%s|%s:%lld:%lld.%09ld", text, files[i],
			    (long long)st.st_size, (long long)st.st_mtim.tv_sec,
			    st.st_mtim.tv_nsec);
		free(text);
		text = more;
	}
	sha256_hex(text, strlen(text), out);
	free(text);
}

int
sync_new(const struct config *cfg, struct sync **out, char **cause)
{
	struct sync *s = xcalloc(1, sizeof *s);
	struct http_opts o;

	*out = NULL;
	if (!cfg->has_server) {
		*cause = xstrdup("no server in the config: nothing to sync to");
		free(s);
		return -1;
	}
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	sync_settings_print(cfg, s->settings);
	s->format = &sync_formats[cfg->server_format];
	s->url_intakes = xasprintf("%s%s", cfg->server_url, s->format->intakes);
	s->url_reviews = xasprintf("%s%s", cfg->server_url, s->format->reviews);
	s->interval_s = cfg->sync_interval_s;
	s->backoff_max_s = cfg->sync_backoff_max_s;
	memset(&o, 0, sizeof o);
	o.ca_file = cfg->server_ca_file;
	o.pinned_pubkey = cfg->server_pinned_pubkey;
	o.client_cert = cfg->server_client_cert;
	o.client_key = cfg->server_client_key;
	o.token_file = cfg->server_token_file;
	o.proxy = cfg->server_proxy;
	o.timeout_s = cfg->server_timeout_s;
	o.stop = &s->stop;
	o.content_type = s->format->content_type;
	o.extra_header = s->format->extra_header;
	if (cfg->server_format == CONFIG_FORMAT_FHIR &&
	    (form_load(cfg->form, &s->form, cause) != 0 ||
	    fhir_form_check(s->form, cause) != 0)) {
		sync_free(s);
		return -1;
	}
	if (store_open(cfg->state_dir, &s->store, cause) != 0) {
		sync_free(s);
		return SYNC_NO_STORE;
	}
	if (http_new(&o, &s->http, cause) != 0) {
		sync_free(s);
		return -1;
	}
	s->error_noted = true;	/* an old error may be noted: clear it once */
	*out = s;
	return 0;
}

void
sync_free(struct sync *s)
{
	if (s == NULL)
		return;
	sync_notes_clear(s);
	free(s->error_words);
	free(s->alert_words);
	free(s->pause_words);
	free(s->damaged_words);
	http_free(s->http);
	store_close(s->store);
	form_free(s->form);
	free(s->url_intakes);
	free(s->url_reviews);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cond);
	free(s);
}

long
sync_connects(const struct sync *s)
{
	return http_connects(s->http);
}

static const char *
kind_name(enum store_kind k)
{
	return k == STORE_REVIEW ? "review" : "intake";
}

/* Milliseconds on the monotonic clock, for the batch window. */
static int64_t
sync_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The furthest ahead a due time or a pause can legitimately be: the
 * longest backoff (Retry-After is clamped to it) or the slow retry.
 * Anything later was computed while the clock was ahead.
 */
static int64_t
sync_horizon(const struct sync *s)
{
	return (s->backoff_max_s > SYNC_SLOW_MIN_S ? s->backoff_max_s :
	    SYNC_SLOW_MIN_S) + 2;
}

static void
sync_set_words(char **slot, bool *dirty, const char *words)
{
	free(*slot);
	*slot = words != NULL ? xstrdup(words) : NULL;
	*dirty = true;
}

/* Write the notes' meta changes; inside the batch's transaction. */
static int
sync_flush_meta(struct sync *s, char **cause)
{
	char when[21], *until;
	int rv = 0;

	if (s->error_dirty && store_meta_set(s->store, "last_error",
	    s->error_words, cause) != 0)
		return -1;
	if (s->alert_dirty && store_meta_set(s->store, "alert",
	    s->alert_words, cause) != 0)
		return -1;
	if (s->damaged_dirty && store_meta_set(s->store, "damaged",
	    s->damaged_words, cause) != 0)
		return -1;
	if (s->attempted_at != 0) {
		time_rfc3339(s->attempted_at, when);
		if (store_meta_set(s->store, "last_attempt_at", when, cause) != 0)
			return -1;
	}
	if (s->succeeded_at != 0) {
		time_rfc3339(s->succeeded_at, when);
		if (store_meta_set(s->store, "last_success_at", when, cause) != 0)
			return -1;
	}
	if (s->pause_dirty) {
		until = s->pause_words != NULL ?
		    xasprintf("%lld", (long long)s->pause_until) : NULL;
		rv = store_meta_set(s->store, "paused_until", until, cause);
		if (rv == 0)
			rv = store_meta_set(s->store, "pause_reason",
			    s->pause_words, cause);
		if (rv == 0)
			rv = store_meta_set(s->store, "pause_settings",
			    s->pause_words != NULL ? s->settings : NULL, cause);
		free(until);
	}
	return rv;
}

static void
sync_notes_clear(struct sync *s)
{
	size_t i;

	for (i = 0; i < s->nnotes; i++) {
		free(s->notes[i].id);
		free(s->notes[i].receipt);
		free(s->notes[i].words);
	}
	s->nnotes = 0;
	s->error_dirty = s->alert_dirty = s->pause_dirty = false;
	s->damaged_dirty = false;
	s->attempted_at = s->succeeded_at = 0;
}

/* Commit every waiting outcome and the notes for status in one transaction. */
static int
sync_flush(struct sync *s, char **cause)
{
	const struct sync_note *n;
	size_t i;
	int rc = 0;

	if (s->nnotes == 0 && !s->error_dirty && !s->alert_dirty &&
	    !s->pause_dirty && !s->damaged_dirty && s->attempted_at == 0)
		return 0;
	if (store_tx_begin(s->store, cause) != 0)
		goto out;
	for (i = 0; i < s->nnotes && rc == 0; i++) {
		n = &s->notes[i];
		if (n->verdict == SYNC_SENT)
			rc = store_mark_sent(s->store, n->kind, n->id,
			    n->receipt, n->at, cause);
		else if (n->verdict == SYNC_PARK)
			rc = store_mark_parked(s->store, n->kind, n->id,
			    n->words, cause);
		else
			rc = store_mark_retry(s->store, n->kind, n->id, n->at,
			    n->words, cause);
	}
	if (rc != 0 || sync_flush_meta(s, cause) != 0) {
		store_tx_rollback(s->store);
		goto out;
	}
	if (store_tx_commit(s->store, cause) != 0)
		goto out;
	sync_notes_clear(s);
	return 0;
out:
	sync_notes_clear(s);
	return -1;
}

/* Keep an outcome for the next commit. */
static void
sync_note(struct sync *s, const struct store_due *due,
    enum sync_verdict verdict, const struct sync_outcome *o, int64_t at)
{
	struct sync_note *n = &s->notes[s->nnotes++];

	if (s->nnotes == 1)
		s->first_note_ms = sync_mono_ms();
	n->kind = due->kind;
	n->id = xstrdup(due->id);
	n->verdict = verdict;
	n->receipt = o->receipt != NULL ? xstrdup(o->receipt) : NULL;
	n->words = o->words != NULL ? xstrdup(o->words) : NULL;
	n->at = at;
}

/* A failure for `kiosk status` and staff: last_error, alert, pause. */
static void
sync_note_failure(struct sync *s, const struct sync_outcome *o,
    int64_t next)
{
	sync_set_words(&s->error_words, &s->error_dirty, o->words);
	if (o->alert)
		sync_set_words(&s->alert_words, &s->alert_dirty, o->words);
	s->error_noted = true;
	/*
	 * The server asked everyone to wait (429/503 with Retry-After), or
	 * refused the kiosk's credentials or certificate: no record will
	 * fare better before `next`. Kept in the store so that another
	 * `kiosk sync --once` or a restarted kiosk waits too.
	 */
	if (o->verdict == SYNC_RETRY && o->stop_pass &&
	    (o->alert || o->retry_after_s > 0)) {
		s->pause_until = next;
		sync_set_words(&s->pause_words, &s->pause_dirty, o->words);
		s->pause_noted = true;
	}
}

/*
 * Note the outcome of one attempt made at `now` (after the answer came):
 * returns when the record is next due (0 when sent or parked).
 */
static int64_t
sync_record(struct sync *s, const struct store_due *due,
    const struct sync_outcome *o, int64_t now)
{
	uint32_t rnd = 0;
	long delay;

	s->attempted_at = now;
	if (o->verdict == SYNC_SENT) {
		s->succeeded_at = now;
		s->n_sent++;
		sync_note(s, due, SYNC_SENT, o, now);
		if (s->error_noted) {
			sync_set_words(&s->error_words, &s->error_dirty, NULL);
			sync_set_words(&s->alert_words, &s->alert_dirty, NULL);
			s->error_noted = false;
		}
		if (s->pause_noted) {
			sync_set_words(&s->pause_words, &s->pause_dirty, NULL);
			s->pause_noted = false;
		}
		return 0;
	}
	if (o->verdict == SYNC_PARK) {
		syslog(LOG_WARNING, "%s %s parked: %s", kind_name(due->kind),
		    due->id, o->words);
		s->n_parked++;
		sync_note(s, due, SYNC_PARK, o, now);
		sync_note_failure(s, o, 0);
		return 0;
	}
	if (random_bytes(&rnd, sizeof rnd) != 0)
		rnd = (uint32_t)now;
	delay = sync_backoff(due->attempts + 1, s->backoff_max_s,
	    o->retry_after_s, o->slow, rnd);
	syslog(LOG_NOTICE, "%s %s not delivered (attempt %ld), retry in %ld s: "
	    "%s", kind_name(due->kind), due->id, due->attempts + 1, delay,
	    o->words);
	s->n_retried++;
	/* now is truncated to the second: round up so Retry-After holds. */
	sync_note(s, due, SYNC_RETRY, o, now + delay + 1);
	sync_note_failure(s, o, now + delay + 1);
	return now + delay + 1;
}

/* A stored payload that no longer matches its SHA-256 is never sent. */
static bool
sync_damaged(const struct store_due *due)
{
	char sha[65];

	if (due->sha256 == NULL)
		return false;
	sha256_hex(due->payload, strlen(due->payload), sha);
	return strcmp(sha, due->sha256) != 0;
}

static void
sync_park_damaged(struct sync *s, const struct store_due *due, int64_t now)
{
	struct sync_outcome o;

	memset(&o, 0, sizeof o);
	o.verdict = SYNC_PARK;
	o.words = xasprintf("%s %s is damaged on the kiosk (its stored "
	    "check-in no longer matches its checksum): not sent, kept for "
	    "clinic IT", kind_name(due->kind), due->id);
	syslog(LOG_ERR, "%s %s damaged: payload does not match its SHA-256; "
	    "parked, not sent", kind_name(due->kind), due->id);
	sync_record(s, due, &o, now);
	/* A staff alert that a later delivery does not clear. */
	sync_set_words(&s->damaged_words, &s->damaged_dirty, o.words);
	sync_outcome_free(&o);
}

/* Before the next attempt after a refusal, read the token file again. */
static void
sync_reload_token(struct sync *s)
{
	char *cause = NULL;

	if (!s->reload_token)
		return;
	s->reload_token = false;
	if (http_reload_token(s->http, &cause) != 0) {
		syslog(LOG_WARNING, "sync: %s", cause);
		free(cause);
	}
}

/* Post one record and note what came of it; *next as sync_record's. */
static int
sync_one(struct sync *s, const struct store_due *due, bool *stop_pass,
    int64_t *next, char **cause)
{
	struct http_result res;
	struct sync_outcome o;
	char *body = NULL, *why = NULL;
	size_t n = 0;
	int rc;

	*stop_pass = false;
	if (sync_damaged(due)) {
		sync_park_damaged(s, due, (int64_t)time(NULL));
		*next = 0;
		return 0;
	}
	if (s->format->body(s, due, &body, &n, &why) != 0) {
		/* This record cannot be put in the format: keep it, say why. */
		memset(&o, 0, sizeof o);
		o.verdict = SYNC_PARK;
		o.retry_after_s = -1;
		o.words = why;
		goto record;
	}
	sync_reload_token(s);
	rc = http_post(s->http, due->kind == STORE_REVIEW ? s->url_reviews :
	    s->url_intakes, due->id, body, &res, cause);
	wipe_free(body);
	if (rc != 0)
		return -1;
	s->format->classify(&res, due->id, n, &o);
	if (res.fail == HTTP_OK && (res.status == 401 || res.status == 403))
		s->reload_token = true;
	http_result_free(&res);
	if (s->stop && o.verdict != SYNC_SENT) {
		/* Interrupted by a shutdown: not a real attempt. */
		sync_outcome_free(&o);
		*stop_pass = true;
		return 0;
	}
record:
	*next = sync_record(s, due, &o, (int64_t)time(NULL));
	*stop_pass = o.stop_pass;
	sync_outcome_free(&o);
	return 0;
}

/*
 * The server-wide pause kept in the store, when it still holds at now
 * (a pause further ahead than any the engine sets is a clock that was
 * ahead: ignored). 0 when none.
 */
static int
sync_stored_pause(struct sync *s, int64_t now, int64_t *until, char **cause)
{
	char *v = NULL, *end, *under = NULL;
	long long t;

	*until = 0;
	if (store_meta_get(s->store, "paused_until", &v, cause) != 0 ||
	    store_meta_get(s->store, "pause_settings", &under, cause) != 0) {
		free(v);
		return -1;
	}
	/* Decided under other server settings (a fixed CA, key or token). */
	if (v != NULL && under != NULL && strcmp(under, s->settings) != 0) {
		free(v);
		v = NULL;
		s->pause_noted = true;
	}
	free(under);
	if (v != NULL) {
		errno = 0;
		t = strtoll(v, &end, 10);
		if (errno == 0 && *end == '\0' && t > now &&
		    t <= now + sync_horizon(s))
			*until = t;
		s->pause_noted = true;
	}
	free(v);
	return 0;
}

/* Send every due record, batch by batch; *stop_pass when told to pause. */
static int
sync_drain(struct sync *s, int64_t now, bool *stop_pass, int64_t *next,
    char **cause)
{
	struct store_due due[SYNC_BATCH];
	size_t n = 0, i;
	int rv = 0;

	while (!s->stop && !*stop_pass && rv == 0) {
		if (store_due_batch(s->store, now, due, SYNC_BATCH, &n,
		    cause) != 0)
			return -1;
		if (n == 0)
			break;
		for (i = 0; i < n && !s->stop && !*stop_pass && rv == 0; i++) {
			rv = sync_one(s, &due[i], stop_pass, next, cause);
			if (rv == 0 && (s->nnotes == SYNC_BATCH ||
			    sync_mono_ms() - s->first_note_ms >= SYNC_BATCH_MS))
				rv = sync_flush(s, cause);
		}
		for (i = 0; i < n; i++)
			store_due_free(&due[i]);
		if (rv == 0)
			rv = sync_flush(s, cause);
		now = (int64_t)time(NULL);
	}
	return rv;
}

int
sync_pass(struct sync *s, int64_t now, long *left, char **cause)
{
	bool stop_pass = false;
	int64_t next = 0, paused;
	long fixed = 0;
	int rv;

	s->n_sent = s->n_retried = s->n_parked = 0;
	if (store_check_wait(s->store, cause) != 0)
		return -1;
	if (store_due_not_after(s->store, now, now + sync_horizon(s), &fixed,
	    cause) != 0 || sync_stored_pause(s, now, &paused, cause) != 0)
		return -1;
	if (fixed > 0)
		syslog(LOG_NOTICE, "sync: %ld records were due in the future "
		    "(the clock was ahead): due now", fixed);
	if (paused != 0) {
		pthread_mutex_lock(&s->lock);
		s->not_before = paused;
		pthread_mutex_unlock(&s->lock);
		return store_pending_count(s->store, left, cause);
	}
	rv = sync_drain(s, now, &stop_pass, &next, cause);
	if (rv == 0)
		rv = sync_flush(s, cause);
	else
		sync_notes_clear(s);
	if (s->n_sent + s->n_retried + s->n_parked > 0)
		syslog(LOG_INFO, "sync pass: %ld sent, %ld to retry, %ld parked",
		    s->n_sent, s->n_retried, s->n_parked);
	if (rv != 0)
		return -1;
	now = (int64_t)time(NULL);
	pthread_mutex_lock(&s->lock);
	if (stop_pass && !s->stop) {
		s->fail_streak++;
		s->not_before = next > now ? next : now + 1;
	} else if (!stop_pass)
		s->fail_streak = 0;
	pthread_mutex_unlock(&s->lock);
	return store_pending_count(s->store, left, cause);
}

int
sync_pending_words(struct sync *s, int64_t now, char **words, char **cause)
{
	struct store_counts c;
	int64_t next = 0, paused = 0;
	char *why = NULL, *when, *blocked;

	*words = NULL;
	if (store_counts(s->store, &c, cause) != 0 ||
	    store_next_attempt_at(s->store, &next, cause) != 0 ||
	    sync_stored_pause(s, now, &paused, cause) != 0)
		return -1;
	if (paused != 0) {
		if (store_meta_get(s->store, "pause_reason", &why, cause) != 0)
			return -1;
		next = paused;
	} else if (store_meta_get(s->store, "last_error", &why, cause) != 0)
		return -1;
	when = next == 0 ? xstrdup("none due (waiting on parked check-ins)") :
	    next <= now ? xstrdup("now") :
	    xasprintf("in %lld s", (long long)(next - now));
	blocked = c.review_blocked > 0 ? xasprintf(" (%ld wait on a parked "
	    "check-in)", c.review_blocked) : xstrdup("");
	*words = xasprintf("%ld intakes and %ld reviews%s still pending; "
	    "%snext attempt %s: %s", c.pending, c.review_pending, blocked,
	    paused != 0 ? "the server asked for a pause; " : "", when,
	    why != NULL ? why : "waiting out a retry delay");
	free(when);
	free(blocked);
	free(why);
	return 0;
}

/* Seconds until the next pass should start. */
static long
sync_wait_s(struct sync *s, int64_t now)
{
	int64_t next = 0, pause;
	long wait = s->interval_s;
	char *cause = NULL;

	pthread_mutex_lock(&s->lock);
	pause = s->not_before;
	pthread_mutex_unlock(&s->lock);
	if (pause > now)
		return (long)(pause - now);
	if (store_next_attempt_at(s->store, &next, &cause) != 0) {
		syslog(LOG_ERR, "sync: %s", cause);
		free(cause);
		return wait;
	}
	if (next != 0 && next - now < wait)
		wait = next <= now ? 0 : (long)(next - now);
	return wait;
}

/*
 * The full integrity check, daily, from the sync thread so that start-up
 * does not wait for it (start-up runs the quick check). A damaged file
 * raises a staff alert.
 */
static void
sync_integrity(struct sync *s, int64_t now)
{
	char *cause = NULL, *v = NULL;

	if (s->integrity_at == 0) {
		if (store_meta_get(s->store, "integrity_checked_at", &v,
		    &cause) != 0)
			goto out;
		s->integrity_at = v != NULL ? strtoll(v, NULL, 10) : 0;
		free(v);
		v = NULL;
		if (s->integrity_at == 0) {
			/* First run: the quick check just passed; a day from now. */
			s->integrity_at = now;
			v = xasprintf("%lld", (long long)now);
			(void)store_meta_set(s->store, "integrity_checked_at", v,
			    &cause);
			goto out;
		}
	}
	if (now >= s->integrity_at && now - s->integrity_at < SYNC_INTEGRITY_S)
		return;
	s->integrity_at = now;
	if (store_integrity_check(s->store, &cause) != 0) {
		syslog(LOG_CRIT, "store: %s", cause);
		(void)store_meta_set(s->store, "alert", "the kiosk's database "
		    "failed its integrity check: call clinic IT", &v);
		goto out;
	}
	v = xasprintf("%lld", (long long)now);
	(void)store_meta_set(s->store, "integrity_checked_at", v, &cause);
out:
	if (cause != NULL)
		syslog(LOG_ERR, "store: %s", cause);
	free(cause);
	free(v);
}

void
sync_loop(struct sync *s)
{
	struct timespec until;
	char *cause = NULL;
	long left, wait;
	int64_t now;

	bool due;

	while (!s->stop) {
		now = (int64_t)time(NULL);
		pthread_mutex_lock(&s->lock);
		due = now >= s->not_before;
		pthread_mutex_unlock(&s->lock);
		if (due && sync_pass(s, now, &left, &cause) != 0) {
			syslog(LOG_ERR, "sync: %s", cause);
			free(cause);
			cause = NULL;
			pthread_mutex_lock(&s->lock);
			s->not_before = now + s->interval_s;
			pthread_mutex_unlock(&s->lock);
		}
		if (!s->stop)
			sync_integrity(s, (int64_t)time(NULL));
		wait = sync_wait_s(s, (int64_t)time(NULL));
		pthread_mutex_lock(&s->lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += wait;
		while (!s->woken && !s->stop && wait > 0 &&
		    pthread_cond_timedwait(&s->cond, &s->lock, &until) == 0)
			;
		s->woken = false;
		pthread_mutex_unlock(&s->lock);
	}
}

static void *
sync_main(void *arg)
{
	sync_loop(arg);
	return NULL;
}

int
sync_start(struct sync *s, char **cause)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&s->thread, NULL, sync_main, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		*cause = xasprintf("cannot start the sync thread: %s",
		    strerror(rc));
		return -1;
	}
	s->running = true;
	return 0;
}

void
sync_wake(struct sync *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	s->woken = true;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

void
sync_now(struct sync *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	s->not_before = 0;
	s->woken = true;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

void
sync_stop(struct sync *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = 1;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
	if (s->running) {
		pthread_join(s->thread, NULL);
		s->running = false;
	}
}
