/*
 * sync.c: at-least-once delivery of stored intakes and reviews to the
 * clinic server; the Idempotency-Key (the record's id) lets the server
 * make it exactly-once. A record is marked sent only on a receipt that
 * names it; every attempt is recorded in the store in one statement.
 * Logs name record ids and attempt results, never anything personal.
 */
#include "sync.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "http.h"
#include "store.h"
#include "util.h"

#define SYNC_SLOW_MIN_S 60L
#define SYNC_MAX_RECEIPT 1000

struct sync {
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
	/* Notes for `kiosk status`, written once a pass, not once a record. */
	bool error_noted;	/* last_error or alert is set in the store */
	int64_t attempted_at;	/* this pass: last attempt, last success */
	int64_t succeeded_at;
};

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
	s->url_intakes = xasprintf("%s/intakes", cfg->server_url);
	s->url_reviews = xasprintf("%s/reviews", cfg->server_url);
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
	if (store_open(cfg->state_dir, &s->store, cause) != 0 ||
	    http_new(&o, &s->http, cause) != 0) {
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
	http_free(s->http);
	store_close(s->store);
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

/*
 * Record the outcome of one attempt made at `now` (after the answer came):
 * returns when the record is next due (0 when sent or parked), or -1.
 */
static int64_t
sync_record(struct sync *s, const struct store_due *due,
    const struct sync_outcome *o, int64_t now, char **cause)
{
	uint32_t rnd = 0;
	long delay;

	s->attempted_at = now;
	if (o->verdict == SYNC_SENT) {
		syslog(LOG_INFO, "%s %s sent", kind_name(due->kind), due->id);
		s->succeeded_at = now;
		if (store_mark_sent(s->store, due->kind, due->id, o->receipt,
		    now, cause) != 0)
			return -1;
		if (s->error_noted &&
		    (store_meta_set(s->store, "last_error", NULL, cause) != 0 ||
		    store_meta_set(s->store, "alert", NULL, cause) != 0))
			return -1;
		s->error_noted = false;
		return 0;
	}
	if (store_meta_set(s->store, "last_error", o->words, cause) != 0 ||
	    (o->alert && store_meta_set(s->store, "alert", o->words,
	    cause) != 0))
		return -1;
	s->error_noted = true;
	if (o->verdict == SYNC_PARK) {
		syslog(LOG_WARNING, "%s %s parked: %s", kind_name(due->kind),
		    due->id, o->words);
		return store_mark_parked(s->store, due->kind, due->id, o->words,
		    cause) == 0 ? 0 : -1;
	}
	if (random_bytes(&rnd, sizeof rnd) != 0)
		rnd = (uint32_t)now;
	delay = sync_backoff(due->attempts + 1, s->backoff_max_s,
	    o->retry_after_s, o->slow, rnd);
	syslog(LOG_NOTICE, "%s %s not delivered (attempt %ld), retry in %ld s: "
	    "%s", kind_name(due->kind), due->id, due->attempts + 1, delay,
	    o->words);
	/* now is truncated to the second: round up so Retry-After holds. */
	if (store_mark_retry(s->store, due->kind, due->id, now + delay + 1,
	    o->words, cause) != 0)
		return -1;
	return now + delay + 1;
}

/* Save when this pass last tried and last delivered, for `kiosk status`. */
static int
sync_note_times(struct sync *s, char **cause)
{
	char when[21];

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
	s->attempted_at = s->succeeded_at = 0;
	return 0;
}

/* Post one record and record what came of it; *next as sync_record's. */
static int
sync_one(struct sync *s, const struct store_due *due, bool *stop_pass,
    int64_t *next, char **cause)
{
	struct http_result res;
	struct sync_outcome o;

	if (http_post(s->http, due->kind == STORE_REVIEW ? s->url_reviews :
	    s->url_intakes, due->id, due->payload, &res, cause) != 0)
		return -1;
	sync_classify(&res, due->id, &o);
	http_result_free(&res);
	if (s->stop && o.verdict != SYNC_SENT) {
		/* Interrupted by a shutdown: not a real attempt. */
		sync_outcome_free(&o);
		*stop_pass = true;
		return 0;
	}
	*next = sync_record(s, due, &o, (int64_t)time(NULL), cause);
	*stop_pass = o.stop_pass;
	sync_outcome_free(&o);
	return *next < 0 ? -1 : 0;
}

/* Count what is still pending (intakes and reviews). */
static int
sync_left(struct sync *s, long *left, char **cause)
{
	struct store_counts c;

	if (store_counts(s->store, &c, cause) != 0)
		return -1;
	*left = c.pending + c.review_pending;
	return 0;
}

int
sync_pass(struct sync *s, int64_t now, long *left, char **cause)
{
	struct store_due due;
	bool stop_pass = false;
	int64_t next = 0;
	int rc;

	while (!s->stop && !stop_pass) {
		rc = store_next_due(s->store, now, &due, cause);
		if (rc < 0)
			return -1;
		if (rc == 0)
			break;
		rc = sync_one(s, &due, &stop_pass, &next, cause);
		store_due_free(&due);
		if (rc != 0)
			return -1;
		now = (int64_t)time(NULL);
	}
	if (sync_note_times(s, cause) != 0)
		return -1;
	pthread_mutex_lock(&s->lock);
	if (stop_pass && !s->stop) {
		s->fail_streak++;
		s->not_before = next > now ? next : now + 1;
	} else if (!stop_pass)
		s->fail_streak = 0;
	pthread_mutex_unlock(&s->lock);
	return sync_left(s, left, cause);
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
