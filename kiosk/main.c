/*
 * main.c: the command line (kiosk(8), docs/man/kiosk.8). Loads and checks
 * the config and the form before anything starts, so a broken setup exits
 * 78 with the key named instead of half-starting a kiosk.
 */
#include <crypt.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "fhir.h"
#include "form.h"
#include "screens.h"
#include "http.h"
#include "session.h"
#include "pin.h"
#include "store.h"
#include "sync.h"
#include "util.h"

static void
usage(FILE *f)
{
	fputs("usage: kiosk [--config FILE] [run]     start the kiosk\n"
	    "       kiosk [--config FILE] check     validate config and form\n"
	    "       kiosk [--config FILE] sync [--once]  send stored records to "
	    "the server\n"
	    "       kiosk [--config FILE] status    queue counts, no personal data\n"
	    "       kiosk [--config FILE] staff     staff mode alone on this "
	    "terminal\n"
	    "       kiosk [--config FILE] export [--reviews|--fhir]  intakes as "
	    "JSON lines\n"
	    "                                   (--reviews: staff decisions; "
	    "--fhir: FHIR R4 Bundles)\n"
	    "       kiosk [--config FILE] form --fhir  the form as a FHIR "
	    "Questionnaire\n"
	    "       kiosk [--config FILE] requeue ID|--parked  put parked "
	    "records back in the queue\n"
	    "       kiosk [--config FILE] audit [--since DATE] [--verify]\n"
	    "                                       the audit trail, no personal data\n"
	    "       kiosk hash-pin                  read a PIN, print its hash\n"
	    "       kiosk --help | --version\n"
	    "The config is FILE, else $KIOSK_CONFIG, else " CONFIG_DEFAULT_PATH
	    ".\n", f);
}

/* Whether start-up errors also go to syslog (kiosk run: the screen is
 * the client's, and a service's stderr may be nobody's). */
static bool report_syslog;

/* A reason the command cannot go on: stderr, and syslog for run. */
static void
report(const char *cause)
{
	fprintf(stderr, "kiosk: %s\n", cause);
	if (report_syslog)
		syslog(LOG_ERR, "cannot start: %s", cause);
}

/* Seconds the out-of-order notice stays up: KIOSK_OUT_OF_ORDER_S or 60. */
static int
out_of_order_wait(void)
{
	const char *v = getenv("KIOSK_OUT_OF_ORDER_S");
	char *end;
	long s;

	if (v == NULL || *v == '\0')
		return 60;
	errno = 0;
	s = strtol(v, &end, 10);
	if (errno != 0 || *end != '\0' || s < 1 || s > 86400)
		return 60;
	return (int)s;
}

/*
 * kiosk run cannot start: the terminal says "out of order" instead of
 * going blank (the reason is already logged), then exit with code; the
 * wait keeps a service manager from restarting it in a tight loop.
 */
static int
run_out_of_order(int code)
{
	syslog(LOG_ERR, "out of order (exit %d)", code);
	(void)ui_out_of_order(out_of_order_wait());
	return code;
}

/* Config and form, both valid and the form's own cases passing. */
static int
load_setup(const char *arg, struct config **cfg, struct form **form)
{
	char *cause = NULL;
	const char *path = config_path(arg);

	*cfg = NULL;
	*form = NULL;
	if (config_load(path, cfg, &cause) != 0)
		goto fail;
	if (form_load((*cfg)->form, form, &cause) != 0)
		goto fail;
	if (form_run_cases(*form, &cause) != 0)
		goto fail;
	if ((*cfg)->server_format == CONFIG_FORMAT_FHIR &&
	    fhir_form_check(*form, &cause) != 0)
		goto fail;
	return 0;
fail:
	report(cause);
	free(cause);
	form_free(*form);
	config_free(*cfg);
	*cfg = NULL;
	*form = NULL;
	return -1;
}

static int
open_store(const struct config *cfg, struct store **st)
{
	char *cause = NULL;

	if (store_open(cfg->state_dir, st, &cause) != 0) {
		report(cause);
		free(cause);
		return -1;
	}
	return 0;
}

/* Config and store for the read-only commands; 0 or an exit code. */
static int
open_config_store(const char *arg, struct config **cfg, struct store **st)
{
	char *cause = NULL;

	if (config_load(config_path(arg), cfg, &cause) != 0) {
		fprintf(stderr, "kiosk: %s\n", cause);
		free(cause);
		return EXIT_CONFIG;
	}
	if (open_store(*cfg, st) != 0) {
		config_free(*cfg);
		return EXIT_CANTCREAT;
	}
	return 0;
}

static int
cmd_check(const char *arg)
{
	struct config *cfg;
	struct form *form;

	if (load_setup(arg, &cfg, &form) != 0)
		return EXIT_CONFIG;
	printf("%s: ok\n%s: ok (form %s version %s, %zu questions, %zu test "
	    "cases passed)\n", cfg->path, cfg->form, form->id, form->version,
	    form->nitems, form->ncases);
	form_free(form);
	config_free(cfg);
	return 0;
}

/* The sync thread for the kiosk UI, or NULL when there is no server. */
static int
start_sync(const struct config *cfg, struct sync **sync)
{
	char *cause = NULL;

	*sync = NULL;
	if (!cfg->has_server)
		return 0;
	if (sync_new(cfg, sync, &cause) != 0 || sync_start(*sync, &cause) != 0) {
		report(cause);
		free(cause);
		sync_free(*sync);
		*sync = NULL;
		return -1;
	}
	return 0;
}

/* The UI over one session; an exit code. */
static int
run_session(struct config *cfg, struct form *form, struct store *st,
    struct sync *sync, bool console)
{
	struct session_setup setup;
	struct session *session;
	int rc;

	memset(&setup, 0, sizeof setup);
	setup.cfg = cfg;
	setup.form = form;
	setup.store = st;
	setup.sync = sync;
	setup.console = console;
	session = session_new(&setup);
	rc = ui_run(session) == 0 ? 0 : EXIT_SOFTWARE;
	session_free(session);
	return rc;
}

/*
 * The staff console: staff mode alone, on another terminal, sharing the
 * store with a running kiosk. It sends nothing itself: the kiosk's sync
 * thread (or `kiosk sync`) sends what is decided here, so no record ever
 * has two senders.
 */
static int
cmd_staff(const char *arg)
{
	struct config *cfg;
	struct form *form;
	struct store *st = NULL;
	int rc;

	if (load_setup(arg, &cfg, &form) != 0)
		return EXIT_CONFIG;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "kiosk: staff needs a terminal\n");
		rc = EXIT_USAGE;
		goto out;
	}
	if (cfg->nstaff == 0) {
		fprintf(stderr, "kiosk: %s: staff.members: no staff member "
		    "can sign in\n", cfg->path);
		rc = EXIT_CONFIG;
		goto out;
	}
	if (open_store(cfg, &st) != 0) {
		rc = EXIT_CANTCREAT;
		goto out;
	}
	syslog(LOG_INFO, "staff console for %s started", cfg->kiosk_id);
	rc = run_session(cfg, form, st, NULL, true);
	syslog(LOG_INFO, "staff console for %s stopped", cfg->kiosk_id);
out:
	store_close(st);
	form_free(form);
	config_free(cfg);
	return rc;
}

static int
cmd_run(const char *arg)
{
	struct config *cfg;
	struct form *form;
	struct store *st = NULL;
	struct sync *sync = NULL;
	int rc;

	report_syslog = true;
	if (load_setup(arg, &cfg, &form) != 0)
		return run_out_of_order(EXIT_CONFIG);
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "kiosk: run needs a terminal\n");
		rc = EXIT_USAGE;
		goto out;
	}
	store_check_in_background();	/* the first screen does not wait */
	if (open_store(cfg, &st) != 0) {
		rc = run_out_of_order(EXIT_CANTCREAT);
		goto out;
	}
	if (start_sync(cfg, &sync) != 0) {
		rc = run_out_of_order(EXIT_CONFIG);
		goto out;
	}
	syslog(LOG_INFO, "kiosk %s started, form %s %s", cfg->kiosk_id,
	    form->id, form->version);
	rc = run_session(cfg, form, st, sync, false);
	syslog(LOG_INFO, "kiosk %s stopped", cfg->kiosk_id);
out:
	sync_stop(sync);
	sync_free(sync);
	store_close(st);
	form_free(form);
	config_free(cfg);
	return rc;
}

/* One pass; 75 with one line on what is still pending and why. */
static int
sync_once(struct sync *sync)
{
	char *cause = NULL, *words = NULL;
	long left = 0;

	if (sync_pass(sync, (int64_t)time(NULL), &left, &cause) != 0) {
		fprintf(stderr, "kiosk: %s\n", cause);
		free(cause);
		return EXIT_SOFTWARE;
	}
	if (left == 0)
		return 0;
	if (sync_pending_words(sync, (int64_t)time(NULL), &words,
	    &cause) != 0) {
		fprintf(stderr, "kiosk: %s\n", cause);
		free(cause);
		return EXIT_TEMPFAIL;
	}
	fprintf(stderr, "kiosk: %s\n", words);
	free(words);
	return EXIT_TEMPFAIL;
}

/* Headless sync: one pass (--once), or the loop until a signal. */
static int
cmd_sync(const char *arg, bool once)
{
	struct config *cfg;
	struct sync *sync = NULL;
	char *cause = NULL;
	sigset_t set;
	int rc = 0, sig;

	if (config_load(config_path(arg), &cfg, &cause) != 0 ||
	    (rc = sync_new(cfg, &sync, &cause)) != 0) {
		fprintf(stderr, "kiosk: %s\n", cause);
		free(cause);
		config_free(cfg);
		return rc == SYNC_NO_STORE ? EXIT_CANTCREAT : EXIT_CONFIG;
	}
	if (once) {
		rc = sync_once(sync);
		goto out;
	}
	/* The loop runs in a thread; this one waits for the signal to stop. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (sync_start(sync, &cause) != 0) {
		fprintf(stderr, "kiosk: %s\n", cause);
		free(cause);
		rc = EXIT_SOFTWARE;
		goto out;
	}
	syslog(LOG_INFO, "sync for %s started", cfg->kiosk_id);
	while (sigwait(&set, &sig) != 0)
		;
	syslog(LOG_INFO, "sync for %s stopping (signal %d)", cfg->kiosk_id,
	    sig);
	sync_stop(sync);
out:
	sync_free(sync);
	config_free(cfg);
	return rc;
}

/* store_each_parked callback: one line per parked record. */
static int
print_parked_one(const struct store_parked *p, void *arg)
{
	char when[21] = "unknown";

	(void)arg;
	if (p->parked_at != 0)
		time_rfc3339(p->parked_at, when);
	printf("parked %s %s at %s: %s\n", p->kind == STORE_REVIEW ? "review" :
	    "intake", p->id, when, p->reason != NULL ? p->reason : "no reason "
	    "kept");
	return 0;
}

/* Every parked record with why and when; ids only. */
static int
print_parked(struct store *st)
{
	char *cause = NULL;

	if (store_each_parked(st, print_parked_one, NULL, &cause) != 0) {
		fprintf(stderr, "kiosk: %s\n", cause);
		free(cause);
		return EXIT_SOFTWARE;
	}
	return 0;
}

/* The last sync result, as the sync engine recorded it. */
static int
print_sync_meta(struct store *st)
{
	static const char *const keys[] = { "last_attempt_at",
	    "last_success_at", "last_error", "alert", "damaged",
	    "paused_until", "pause_reason" };
	char *value, *cause = NULL;
	size_t i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if (store_meta_get(st, keys[i], &value, &cause) != 0) {
			fprintf(stderr, "kiosk: %s\n", cause);
			free(cause);
			return EXIT_SOFTWARE;
		}
		if (value != NULL)
			printf("%s: %s\n", keys[i], value);
		free(value);
	}
	return 0;
}

static int
cmd_status(const char *arg)
{
	struct config *cfg;
	struct store *st;
	struct store_counts c;
	char *cause = NULL, when[21];
	int rc = 0;

	if ((rc = open_config_store(arg, &cfg, &st)) != 0)
		return rc;
	if (store_counts(st, &c, &cause) != 0) {
		fprintf(stderr, "kiosk: %s\n", cause);
		free(cause);
		rc = EXIT_SOFTWARE;
	} else {
		printf("kiosk: %s\npending: %ld\nsent: %ld\nparked: %ld\n"
		    "purged: %ld\n", cfg->kiosk_id, c.pending, c.sent, c.parked,
		    c.purged);
		if (c.oldest_pending_at != 0) {
			time_rfc3339(c.oldest_pending_at, when);
			printf("oldest pending: %s (%lld minutes ago)\n", when,
			    (long long)((time(NULL) - c.oldest_pending_at) / 60));
		}
		printf("reviews pending: %ld\nreviews sent: %ld\n"
		    "reviews parked: %ld\n", c.review_pending, c.review_sent,
		    c.review_parked);
		if (c.review_blocked > 0)
			printf("reviews waiting on a parked intake: %ld\n",
			    c.review_blocked);
		if (!cfg->has_server)
			printf("server: none configured (intakes stay on this "
			    "kiosk)\n");
		rc = print_sync_meta(st);
		if (rc == 0)
			rc = print_parked(st);
	}
	store_close(st);
	config_free(cfg);
	return rc;
}

static int
export_one(const char *payload, void *arg)
{
	(void)arg;
	if (puts(payload) == EOF)
		return -1;
	return 0;
}

/* Intake ids gathered for export --reviews. */
struct export_ids {
	char **id;
	size_t n;
};

static int
export_gather(const struct store_row *row, void *arg)
{
	struct export_ids *ids = arg;

	ids->id = xrealloc(ids->id, (ids->n + 1) * sizeof *ids->id);
	ids->id[ids->n++] = xstrdup(row->id);
	return 0;
}

/* One decision: its wire payload (note removed once purged). */
static int
export_review(const struct store_review *r, void *arg)
{
	(void)arg;
	if (r->payload == NULL)
		return 0;
	return puts(r->payload) == EOF ? -1 : 0;
}

/* Every staff decision, oldest intake first, in decision order. */
static int
export_reviews(struct store *st, char **cause)
{
	struct export_ids ids = { NULL, 0 };
	size_t i;
	int rc;

	rc = store_each_intake(st, INT64_MIN, export_gather, &ids, cause);
	for (i = ids.n; rc == 0 && i > 0; i--)
		rc = store_each_review(st, ids.id[i - 1], export_review, NULL,
		    cause);
	for (i = 0; i < ids.n; i++)
		free(ids.id[i]);
	free(ids.id);
	return rc;
}

static int
cmd_export(const char *arg, bool reviews)
{
	struct config *cfg;
	struct store *st;
	char *cause = NULL;
	int rc = 0;

	if ((rc = open_config_store(arg, &cfg, &st)) != 0)
		return rc;
	if (reviews)
		rc = export_reviews(st, &cause);
	else
		rc = store_each_payload(st, export_one, NULL, &cause);
	if (rc < 0 && cause != NULL) {
		fprintf(stderr, "kiosk: %s\n", cause);
		free(cause);
	}
	if (rc != 0 || fflush(stdout) != 0) {
		if (rc == 0)
			fprintf(stderr, "kiosk: export: cannot write\n");
		rc = EXIT_SOFTWARE;
	}
	store_close(st);
	config_free(cfg);
	return rc;
}

/* export --fhir: the form for item types, and how many could not be built. */
struct export_fhir {
	const struct form *form;
	long failed;
};

static int
export_fhir_one(const char *payload, void *arg)
{
	struct export_fhir *x = arg;
	char *cause = NULL, *json;
	cJSON *b;
	int rc;

	if ((b = fhir_intake_bundle(x->form, payload, &cause)) == NULL) {
		fprintf(stderr, "kiosk: export: %s\n", cause);
		free(cause);
		x->failed++;
		return 0;
	}
	json = fhir_print(b);
	fhir_free(b);
	rc = puts(json) == EOF ? -1 : 0;
	wipe_free(json);
	return rc;
}

/* Every stored intake as a FHIR transaction Bundle, one per line. */
static int
cmd_export_fhir(const char *arg)
{
	struct export_fhir x = { NULL, 0 };
	struct config *cfg;
	struct form *form = NULL;
	struct store *st;
	char *cause = NULL;
	int rc;

	if ((rc = open_config_store(arg, &cfg, &st)) != 0)
		return rc;
	if (form_load(cfg->form, &form, &cause) != 0) {
		fprintf(stderr, "kiosk: %s\n", cause);
		free(cause);
		rc = EXIT_CONFIG;
		goto out;
	}
	x.form = form;
	rc = store_each_payload(st, export_fhir_one, &x, &cause);
	if (rc < 0 && cause != NULL) {
		fprintf(stderr, "kiosk: %s\n", cause);
		free(cause);
	}
	if (rc != 0 || fflush(stdout) != 0) {
		if (rc == 0)
			fprintf(stderr, "kiosk: export: cannot write\n");
		rc = EXIT_SOFTWARE;
	} else if (x.failed > 0)
		rc = EXIT_DATAERR;
out:
	form_free(form);
	store_close(st);
	config_free(cfg);
	return rc;
}

/* The form as a FHIR Questionnaire (the definition responses point at). */
static int
cmd_form_fhir(const char *arg)
{
	struct config *cfg;
	struct form *form;
	char *cause = NULL, *json;
	cJSON *q;
	int rc = 0;

	if (load_setup(arg, &cfg, &form) != 0)
		return EXIT_CONFIG;
	if ((q = fhir_questionnaire(form, &cause)) == NULL) {
		fprintf(stderr, "kiosk: %s\n", cause);
		free(cause);
		rc = EXIT_CONFIG;
	} else {
		json = fhir_print(q);
		cJSON_Delete(q);
		if (puts(json) == EOF || fflush(stdout) != 0) {
			fprintf(stderr, "kiosk: form: cannot write\n");
			rc = EXIT_SOFTWARE;
		}
		free(json);
	}
	form_free(form);
	config_free(cfg);
	return rc;
}

/* Put one parked record (id) or all (NULL) back in the queue; audited. */
static int
cmd_requeue(const char *arg, const char *id)
{
	struct config *cfg;
	struct store *st;
	char *cause = NULL, *actor;
	long n = 0;
	int rc;

	if ((rc = open_config_store(arg, &cfg, &st)) != 0)
		return rc;
	actor = xasprintf("command line (uid %lu)", (unsigned long)getuid());
	if (store_requeue(st, id, actor, (int64_t)time(NULL), &n,
	    &cause) != 0) {
		fprintf(stderr, "kiosk: %s\n", cause);
		free(cause);
		rc = EXIT_SOFTWARE;
	} else if (n == 0 && id != NULL) {
		fprintf(stderr, "kiosk: no parked record %s\n", id);
		rc = EXIT_DATAERR;
	} else
		printf("requeued: %ld\n", n);
	free(actor);
	store_close(st);
	config_free(cfg);
	return rc;
}

/* One audit row as a line: time, seq, actor, action, subject. */
static int
audit_one(const struct store_audit *a, void *arg)
{
	char when[21], *actor, *subject;
	int rc;

	(void)arg;
	time_rfc3339(a->at, when);
	/* Written by the kiosk, but the file may not be: no escapes out. */
	actor = utf8_printable(xstrdup(a->actor));
	subject = a->subject != NULL ? utf8_printable(xstrdup(a->subject)) :
	    NULL;
	rc = printf("%s %lld %s %s%s%s\n", when, (long long)a->seq, actor,
	    a->action, subject != NULL ? " " : "", subject != NULL ? subject :
	    "") < 0 ? -1 : 0;
	free(actor);
	free(subject);
	return rc;
}

/* "2026-11-24" (midnight UTC) or "2026-11-24T09:15:02Z" as unix seconds. */
static int
parse_since(const char *text, int64_t *out)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof tm);
	end = strptime(text, "%Y-%m-%d", &tm);
	if (end != NULL && *end == 'T')
		end = strptime(end, "T%H:%M:%SZ", &tm);
	if (end == NULL || *end != '\0')
		return -1;
	*out = (int64_t)timegm(&tm);
	return 0;
}

/* The audit trail (ids and staff names only), or --verify its chain. */
static int
cmd_audit(const char *arg, const char *since_text, bool verify)
{
	struct config *cfg;
	struct store *st;
	struct store_audit_check chk;
	int64_t since = INT64_MIN;
	char *cause = NULL;
	int rc;

	if (since_text != NULL && parse_since(since_text, &since) != 0) {
		fprintf(stderr, "kiosk: audit --since: %s is not a date such as "
		    "2026-11-24\n", since_text);
		return EXIT_USAGE;
	}
	if ((rc = open_config_store(arg, &cfg, &st)) != 0)
		return rc;
	if (verify)
		rc = store_audit_verify(st, &chk, &cause);
	else
		rc = store_each_audit(st, since, audit_one, NULL, &cause);
	if (rc < 0) {
		fprintf(stderr, "kiosk: %s\n", cause != NULL ? cause :
		    "cannot read the audit log");
		free(cause);
		rc = EXIT_SOFTWARE;
	} else if (rc > 0 || fflush(stdout) != 0) {
		fprintf(stderr, "kiosk: audit: cannot write\n");
		rc = EXIT_SOFTWARE;
	} else if (verify && chk.broken_seq != 0) {
		printf("audit chain broken at seq %lld: %s (%ld rows verified "
		    "before it)\n", (long long)chk.broken_seq, chk.reason,
		    chk.rows);
		rc = EXIT_DATAERR;
	} else if (verify) {
		printf("audit chain ok: %ld rows verified", chk.rows);
		if (chk.unchained > 0)
			printf(", %ld older rows from before the chain",
			    chk.unchained);
		printf("\n");
	}
	store_close(st);
	config_free(cfg);
	return rc;
}

/* Read one line of at most len-1 chars, without echo on a terminal. */
static int
read_pin(const char *prompt, char *buf, size_t len)
{
	struct termios old, quiet;
	int tty = isatty(STDIN_FILENO), ok;
	size_t n;

	if (tty) {
		fputs(prompt, stderr);
		if (tcgetattr(STDIN_FILENO, &old) != 0)
			return -1;
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) != 0)
			return -1;
	}
	ok = fgets(buf, (int)len, stdin) != NULL;
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (!ok)
		return -1;
	n = strcspn(buf, "\r\n");
	buf[n] = '\0';
	return 0;
}

static int
cmd_hash_pin(void)
{
	char pin[64], again[64];
	char *hash = NULL, *cause = NULL;
	int rc = EXIT_DATAERR;

	again[0] = '\0';
	if (read_pin("PIN (6-12 digits): ", pin, sizeof pin) != 0) {
		fprintf(stderr, "kiosk: no PIN on standard input\n");
		return EXIT_DATAERR;
	}
	if (!pin_valid(pin)) {
		fprintf(stderr, "kiosk: a PIN is %d to %d digits\n", PIN_MIN,
		    PIN_MAX);
		goto out;
	}
	if (isatty(STDIN_FILENO)) {
		if (read_pin("Again: ", again, sizeof again) != 0 ||
		    strcmp(pin, again) != 0) {
			fprintf(stderr, "kiosk: the PINs do not match\n");
			goto out;
		}
	}
	if (pin_hash(pin, &hash, &cause) != 0) {
		fprintf(stderr, "kiosk: cannot hash the PIN: %s\n", cause);
		free(cause);
		rc = EXIT_SOFTWARE;
		goto out;
	}
	puts(hash);
	free(hash);
	rc = 0;
out:
	explicit_bzero(pin, sizeof pin);
	explicit_bzero(again, sizeof again);
	return rc;
}

/*
 * No core files: a crash on a client page would write the typed name and
 * answers to disk. A developer who needs one starts the kiosk with
 * KIOSK_CORE=1 (and `ulimit -c unlimited`).
 */
static void
no_core_dumps(void)
{
	const struct rlimit none = { 0, 0 };
	const char *dev = getenv("KIOSK_CORE");

	if (dev != NULL && strcmp(dev, "1") == 0)
		return;
	if (setrlimit(RLIMIT_CORE, &none) != 0 ||
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		fatalx(EXIT_SOFTWARE, "cannot turn off core dumps: %s",
		    strerror(errno));
}

/* What the command line asked for. */
struct args {
	const char *config;	/* --config, or NULL for the default */
	const char *cmd;
	bool once, reviews, fhir, verify;
	const char *since;	/* audit --since */
	const char *id;		/* requeue ID; NULL with --parked */
};

/* The commands: name, long options (NULL: none), operands, runner. */
struct command {
	const char *name;
	const struct option *opts;
	int operands;		/* how many plain arguments (0 or 1) */
	int (*run)(const struct args *);
};

enum { OPT_ONCE = 1, OPT_REVIEWS, OPT_FHIR, OPT_VERIFY, OPT_SINCE,
    OPT_PARKED };

static const struct option sync_opts[] = {
	{ "once", no_argument, NULL, OPT_ONCE }, { NULL, 0, NULL, 0 } };
static const struct option export_opts[] = {
	{ "reviews", no_argument, NULL, OPT_REVIEWS },
	{ "fhir", no_argument, NULL, OPT_FHIR }, { NULL, 0, NULL, 0 } };
static const struct option form_opts[] = {
	{ "fhir", no_argument, NULL, OPT_FHIR }, { NULL, 0, NULL, 0 } };
static const struct option audit_opts[] = {
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "verify", no_argument, NULL, OPT_VERIFY }, { NULL, 0, NULL, 0 } };
static const struct option requeue_opts[] = {
	{ "parked", no_argument, NULL, OPT_PARKED }, { NULL, 0, NULL, 0 } };

/* Commands that log to syslog and need libcurl set up. */
static int
with_logs(const struct args *a, bool http, int (*fn)(const struct args *))
{
	char *cause = NULL;
	int rc;

	openlog("kiosk", LOG_PID | LOG_NDELAY, LOG_USER);
	if (http && http_global_init(&cause) != 0) {
		fprintf(stderr, "kiosk: %s\n", cause);
		free(cause);
		closelog();
		return EXIT_SOFTWARE;
	}
	rc = fn(a);
	if (http)
		http_global_cleanup();
	closelog();
	return rc;
}

static int
run_run(const struct args *a)
{
	return cmd_run(a->config);
}

static int
run_sync(const struct args *a)
{
	return cmd_sync(a->config, a->once);
}

static int
run_staff(const struct args *a)
{
	return cmd_staff(a->config);
}

static int
main_run(const struct args *a)
{
	return with_logs(a, true, run_run);
}

static int
main_sync(const struct args *a)
{
	return with_logs(a, true, run_sync);
}

static int
main_staff(const struct args *a)
{
	return with_logs(a, false, run_staff);
}

static int
main_check(const struct args *a)
{
	return cmd_check(a->config);
}

static int
main_status(const struct args *a)
{
	return cmd_status(a->config);
}

static int
main_hash_pin(const struct args *a)
{
	(void)a;
	return cmd_hash_pin();
}

static int
main_export(const struct args *a)
{
	return a->fhir ? cmd_export_fhir(a->config) :
	    cmd_export(a->config, a->reviews);
}

static int
main_form(const struct args *a)
{
	return cmd_form_fhir(a->config);
}

static int
main_requeue(const struct args *a)
{
	return cmd_requeue(a->config, a->id);
}

static int
main_audit(const struct args *a)
{
	return cmd_audit(a->config, a->since, a->verify);
}

static const struct command commands[] = {
	{ "run", NULL, 0, main_run },
	{ "check", NULL, 0, main_check },
	{ "sync", sync_opts, 0, main_sync },
	{ "status", NULL, 0, main_status },
	{ "staff", NULL, 0, main_staff },
	{ "export", export_opts, 0, main_export },
	{ "form", form_opts, 0, main_form },
	{ "requeue", requeue_opts, 1, main_requeue },
	{ "audit", audit_opts, 0, main_audit },
	{ "hash-pin", NULL, 0, main_hash_pin },
};

/* A usage error: what was wrong, and where to read more. */
static int
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("kiosk: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'kiosk --help'.\n", stderr);
	return EXIT_USAGE;
}

/* One option of cmd into a; 0, or a usage error's exit code. */
static int
command_option(const struct command *cmd, int ch, bool *parked,
    struct args *a)
{
	switch (ch) {
	case OPT_ONCE:
		a->once = true;
		return 0;
	case OPT_REVIEWS:
		a->reviews = true;
		return 0;
	case OPT_FHIR:
		a->fhir = true;
		return 0;
	case OPT_VERIFY:
		a->verify = true;
		return 0;
	case OPT_SINCE:
		a->since = optarg;
		return 0;
	case OPT_PARKED:
		*parked = true;
		return 0;
	default:
		return usage_error("%s: unknown option", cmd->name);
	}
}

/*
 * The command's own options and operands (argv[0] is the command's name):
 * 0, or a usage error's exit code with the reason said.
 */
static int
command_args(const struct command *cmd, int argc, char **argv,
    struct args *a)
{
	static const struct option none[] = { { NULL, 0, NULL, 0 } };
	bool parked = false;
	int ch, rc;

	optind = 0;		/* glibc: start over on this argv */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:", cmd->opts != NULL ?
	    cmd->opts : none, NULL)) != -1) {
		if (ch == '?')
			return usage_error("%s: unknown option %s", cmd->name,
			    argv[optind - 1]);
		if (ch == ':')
			return usage_error("%s: %s needs a value", cmd->name,
			    argv[optind - 1]);
		if ((rc = command_option(cmd, ch, &parked, a)) != 0)
			return rc;
	}
	if (argc - optind > cmd->operands)
		return usage_error("%s: unexpected argument %s", cmd->name,
		    argv[optind + cmd->operands]);
	if (a->reviews && a->fhir)
		return usage_error("export: --reviews and --fhir do not go "
		    "together");
	if (strcmp(cmd->name, "form") == 0 && !a->fhir)
		return usage_error("form: say which format: form --fhir");
	if (strcmp(cmd->name, "requeue") == 0) {
		if (parked == (argc - optind == 1))
			return usage_error("requeue: give one record id, or "
			    "--parked for every parked record");
		a->id = parked ? NULL : argv[optind];
		if (a->id != NULL && *a->id == '\0')
			return usage_error("requeue: the record id is empty");
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct args a;
	const struct command *cmd = NULL;
	size_t i;
	int ch, rc;

	no_core_dumps();
	memset(&a, 0, sizeof a);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:c:hV", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			a.config = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("kiosk %s\nCopyright (c) 2026 The kiosk authors.\n"
			    "MIT License: free to use, copy, modify and "
			    "distribute, without warranty.\n", KIOSK_VERSION);
			return 0;
		case ':':
			return usage_error("%s needs a value", argv[optind - 1]);
		default:
			return usage_error("unknown option %s", argv[optind - 1]);
		}
	}
	a.cmd = optind < argc ? argv[optind] : "run";
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(commands[i].name, a.cmd) == 0)
			cmd = &commands[i];
	if (cmd == NULL)
		return usage_error("unknown command %s", a.cmd);
	if (optind < argc &&
	    (rc = command_args(cmd, argc - optind, argv + optind, &a)) != 0)
		return rc;
	return cmd->run(&a);
}
