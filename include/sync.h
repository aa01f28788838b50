/*
 * sync.h: the sync engine. Drains the store's outbox (intakes, then staff
 * reviews once their intake is sent) to the clinic server over HTTPS and
 * decides, from each answer, whether a record is delivered, to be retried
 * later, or parked (docs/wire-format.md). It runs
 * as a thread inside the kiosk and headless as `kiosk sync`; both use its
 * own store connection and one long-lived HTTP client.
 */
#ifndef KIOSK_SYNC_H
#define KIOSK_SYNC_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

struct config;
struct http_result;

enum sync_verdict {
	SYNC_SENT,		/* a receipt came back */
	SYNC_RETRY,		/* not delivered: try again later */
	SYNC_PARK,		/* refused for good: keep it, show staff */
};

/* What one answer means. */
struct sync_outcome {
	enum sync_verdict verdict;
	bool stop_pass;		/* the failure would hit every record: pause */
	bool alert;		/* staff must act (credentials, certificates) */
	bool slow;		/* retry slowly (alerts) */
	long retry_after_s;	/* server's Retry-After, -1 when none */
	char *words;		/* staff-facing, no personal data (caller frees) */
	char *receipt;		/* SYNC_SENT: the server's receipt (caller frees) */
};

/* Classify an HTTP result for the record with this id. Pure. */
void sync_classify(const struct http_result *, const char *id,
    struct sync_outcome *);
void sync_outcome_free(struct sync_outcome *);
/*
 * The same for server.format "fhir", after a transaction of `entries`
 * entries: 200/201 with a transaction-response whose entries all have a
 * location is a receipt; 412 parks with the OperationOutcome's words;
 * other 2xx are not delivered; the rest as sync_classify. Pure.
 */
void sync_classify_fhir(const struct http_result *, size_t entries,
    struct sync_outcome *);

/*
 * Seconds to wait before attempt number `attempts` + 1: full jitter over
 * [1, min(max_s, 2^attempts)] from rnd, never less than retry_after_s,
 * and at least min(60, max_s) when slow.
 */
long sync_backoff(long attempts, long max_s, long retry_after_s, bool slow,
    uint32_t rnd);

struct sync;

/*
 * Open the store and the HTTP client: 0, or -1 with *cause on a bad setup,
 * or SYNC_NO_STORE with *cause when the store cannot be opened.
 */
#define SYNC_NO_STORE (-2)
int sync_new(const struct config *, struct sync **, char **cause);
void sync_free(struct sync *);	/* NULL is a no-op */

/*
 * Send every record due at `now`. Stops early when an answer says the
 * server or the network is unwell; does not start while a server-wide
 * pause kept in the store holds. Outcomes are committed in batches (up
 * to SYNC_BATCH records or SYNC_BATCH_MS each). A record whose payload no
 * longer matches its stored SHA-256 is parked as damaged, never sent.
 * *left is what stays pending. 0, or -1 with *cause when the store failed.
 */
int sync_pass(struct sync *, int64_t now, long *left, char **cause);
/*
 * One line for people: what is still pending and why (the pause or the
 * last problem, and when the next attempt is due). Caller frees *words.
 */
int sync_pending_words(struct sync *, int64_t now, char **words,
    char **cause);

/* Run passes until sync_stop: waits between them, woken by sync_wake. */
void sync_loop(struct sync *);
/* The loop in its own thread (all signals blocked there). */
int sync_start(struct sync *, char **cause);
/* A record was just stored: send it soon. Safe from any thread. */
void sync_wake(struct sync *);
/* Staff asked for "sync now": forget any pause, then wake the loop. */
void sync_now(struct sync *);
/* Stop the loop (aborting a request in flight) and join its thread. */
void sync_stop(struct sync *);
/* TLS connections made so far (for the benchmark and tests). */
long sync_connects(const struct sync *);

#endif
