/*
 * refclient.c: the reference the sync benchmark compares the kiosk with.
 * Posts every payload of a JSON-lines file over one reused libcurl easy
 * handle (one TLS connection), with the kiosk's headers, and checks that
 * each answer is a receipt naming the record, as the kiosk does. With
 * --durable DB it also records each receipt in a SQLite database in WAL
 * mode with synchronous=FULL, one commit per record: the honest floor for
 * a durable queue. Prints "records wall_s cpu_s".
 *
 * usage: refclient URL CA_FILE PAYLOADS [--durable DB]
 */
#include <sys/resource.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <sqlite3.h>

struct buf {
	char *p;
	size_t n;
};

static size_t
on_body(char *data, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;
	char *p = realloc(b->p, b->n + size * n + 1);

	if (p == NULL)
		return 0;
	b->p = p;
	memcpy(b->p + b->n, data, size * n);
	b->n += size * n;
	b->p[b->n] = '\0';
	return size * n;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* The "id" of a payload or a receipt, or NULL (caller frees). */
static char *
json_id(const char *text)
{
	cJSON *root = cJSON_Parse(text), *id;
	char *out = NULL;

	id = cJSON_GetObjectItemCaseSensitive(root, "id");
	if (cJSON_IsString(id))
		out = strdup(id->valuestring);
	cJSON_Delete(root);
	return out;
}

static void
die(const char *what)
{
	fprintf(stderr, "refclient: %s\n", what);
	exit(1);
}

/* Read every line of path into *lines. */
static size_t
read_lines(const char *path, char ***lines)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, n = 0, size = 0;
	ssize_t len;

	if (f == NULL)
		die("cannot read the payloads");
	*lines = NULL;
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		if (n == size) {
			size = size ? size * 2 : 1024;
			if ((*lines = realloc(*lines, size * sizeof **lines)) == NULL)
				die("out of memory");
		}
		(*lines)[n++] = strdup(line);
	}
	free(line);
	fclose(f);
	return n;
}

static sqlite3 *
open_db(const char *path, char **ids, size_t n)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	size_t i;

	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA journal_mode = WAL;"
	    "PRAGMA synchronous = FULL;"
	    "CREATE TABLE IF NOT EXISTS outbox (id TEXT PRIMARY KEY,"
	    " receipt TEXT, sent_at INTEGER);"
	    "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO outbox (id) VALUES (?1)", -1,
	    &st, NULL) != SQLITE_OK)
		die("cannot create the database");
	for (i = 0; i < n; i++) {
		sqlite3_bind_text(st, 1, ids[i], -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			die("cannot fill the database");
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		die("cannot fill the database");
	return db;
}

int
main(int argc, char **argv)
{
	struct curl_slist *base = NULL, *h;
	struct buf body = { NULL, 0 };
	sqlite3_stmt *mark = NULL;
	sqlite3 *db = NULL;
	char **lines, **ids, key[128], *rid;
	double t0, c0;
	size_t n, i, ok = 0;
	long status;
	CURL *c;

	if (argc != 4 && !(argc == 6 && strcmp(argv[4], "--durable") == 0))
		die("usage: refclient URL CA_FILE PAYLOADS [--durable DB]");
	n = read_lines(argv[3], &lines);
	if ((ids = calloc(n + 1, sizeof *ids)) == NULL)
		die("out of memory");
	for (i = 0; i < n; i++)
		if ((ids[i] = json_id(lines[i])) == NULL)
			die("a payload without an id");
	if (argc == 6) {
		db = open_db(argv[5], ids, n);
		if (sqlite3_prepare_v2(db, "UPDATE outbox SET receipt = ?2,"
		    " sent_at = ?3 WHERE id = ?1", -1, &mark, NULL) != SQLITE_OK)
			die("cannot prepare");
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if ((c = curl_easy_init()) == NULL)
		die("no curl handle");
	base = curl_slist_append(base, "Content-Type: application/json");
	base = curl_slist_append(base, "Accept: application/json");
	base = curl_slist_append(base, "Expect:");
	curl_easy_setopt(c, CURLOPT_URL, argv[1]);
	curl_easy_setopt(c, CURLOPT_CAINFO, argv[2]);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "kiosk/bench");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	t0 = now_s();
	c0 = cpu_s();
	for (i = 0; i < n; i++) {
		snprintf(key, sizeof key, "Idempotency-Key: \"%s\"", ids[i]);
		h = NULL;
		for (struct curl_slist *p = base; p != NULL; p = p->next)
			h = curl_slist_append(h, p->data);
		h = curl_slist_append(h, key);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, lines[i]);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)strlen(lines[i]));
		body.n = 0;
		if (curl_easy_perform(c) == CURLE_OK &&
		    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status) ==
		    CURLE_OK && status >= 200 && status < 300 && body.p != NULL &&
		    (rid = json_id(body.p)) != NULL) {
			if (strcmp(rid, ids[i]) == 0) {
				ok++;
				if (mark != NULL) {
					sqlite3_bind_text(mark, 1, ids[i], -1,
					    SQLITE_STATIC);
					sqlite3_bind_text(mark, 2, body.p, -1,
					    SQLITE_STATIC);
					sqlite3_bind_int64(mark, 3, (sqlite3_int64)
					    time(NULL));
					if (sqlite3_step(mark) != SQLITE_DONE)
						die("cannot record a receipt");
					sqlite3_reset(mark);
				}
			}
			free(rid);
		}
		curl_slist_free_all(h);
	}
	printf("%zu %.4f %.4f\n", ok, now_s() - t0, cpu_s() - c0);
	curl_easy_cleanup(c);
	curl_slist_free_all(base);
	sqlite3_finalize(mark);
	sqlite3_close(db);
	curl_global_cleanup();
	return ok == n ? 0 : 1;
}
