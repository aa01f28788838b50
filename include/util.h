/*
 * util.h: small helpers every module shares. Out-of-memory is fatal
 * (xmalloc and friends never return NULL); fatal() restores the terminal
 * through a hook the UI installs before it prints.
 */
#ifndef KIOSK_UTIL_H
#define KIOSK_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define KIOSK_VERSION "0.1.0"

/* sysexits.h codes used by the command line. */
#define EXIT_USAGE 64
#define EXIT_DATAERR 65
#define EXIT_SOFTWARE 70
#define EXIT_CANTCREAT 73
#define EXIT_TEMPFAIL 75
#define EXIT_CONFIG 78

void *xmalloc(size_t);
void *xcalloc(size_t, size_t);
void *xrealloc(void *, size_t);
char *xstrdup(const char *);
char *xstrndup(const char *, size_t);
/* Allocate a formatted string; never NULL. */
char *xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *, va_list) __attribute__((format(printf, 1, 0)));

/* Print "kiosk: message" to stderr (after the fatal hook) and exit(status). */
void fatalx(int status, const char *, ...)
    __attribute__((format(printf, 2, 3), noreturn));
/* Called by fatalx before it prints: the UI sets it to end curses. */
extern void (*fatal_hook)(void);

/* Wipe and free a string; NULL is a no-op. */
void wipe_free(char *);

/* Fill buf with n random bytes from getrandom(2); -1 on failure. */
int random_bytes(void *buf, size_t n);
/* A random UUIDv4 in lower-case text form (36 chars + NUL). */
int uuid_v4(char out[37]);
/* SHA-256 of len bytes as 64 lower-case hex chars + NUL. */
void sha256_hex(const void *data, size_t len, char out[65]);

/* UTC time as RFC 3339 "2026-11-24T09:15:02Z" (21 chars incl. NUL). */
void time_rfc3339(int64_t t, char out[21]);
/* The same with milliseconds, "2026-11-24T09:15:02.123Z" (25 with NUL). */
void time_rfc3339_ms(int64_t ms, char out[25]);
/* Wall-clock time in unix milliseconds. */
int64_t time_now_ms(void);

/*
 * Length (1-4) of the UTF-8 sequence at s, with left bytes available;
 * 0 when it is invalid (overlong, surrogate, beyond U+10FFFF, truncated).
 */
size_t utf8_seq(const unsigned char *s, size_t left);
/* Number of UTF-8 characters (code points) in s; -1 when s is invalid. */
long utf8_chars(const char *s);
/* 1 when s is valid UTF-8 without control characters, else 0. */
int utf8_valid_text(const char *s, size_t len);
/*
 * Replace, in place, every control character (C0, DEL, C1) and invalid
 * UTF-8 byte of s with '?', so it can be printed on a terminal. Returns s.
 */
char *utf8_printable(char *s);

#endif
