/*
 * pin.c: staff sign-in with per-member PINs kept only as crypt(3) hashes.
 * The failure counter and the lock live in the store (one row, PIN_WHO,
 * for the kiosk's prompt), so neither a restart nor a second staff name
 * resets them. No PIN ever reaches the store, a message or the audit log;
 * every crypt work area is wiped before it is freed.
 */
#include "pin.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <crypt.h>
#include <openssl/crypto.h>

#include "config.h"
#include "store.h"
#include "util.h"

#define PIN_WAIT_MAX 30		/* seconds: the longest delay between tries */

bool
pin_valid(const char *pin)
{
	size_t len;

	if (pin == NULL)
		return false;
	len = strspn(pin, "0123456789");
	return pin[len] == '\0' && len >= PIN_MIN && len <= PIN_MAX;
}

#define PIN_B64 "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

/* yescrypt: $y$PARAMS$SALT$HASH, the hash 43 characters of crypt base64. */
static bool
pin_yescrypt_valid(const char *h)
{
	size_t n;

	h += 3;
	if ((n = strspn(h, PIN_B64)) == 0 || h[n] != '$')
		return false;
	h += n + 1;
	if ((n = strspn(h, PIN_B64)) == 0 || h[n] != '$')
		return false;
	h += n + 1;
	return strspn(h, PIN_B64) == 43 && h[43] == '\0';
}

/* bcrypt: $2b$NN$ (cost 04-31) and 53 characters (salt and hash). */
static bool
pin_bcrypt_valid(const char *h)
{
	int cost;

	if (strspn(h + 4, "0123456789") != 2 || h[6] != '$')
		return false;
	cost = (h[4] - '0') * 10 + (h[5] - '0');
	return cost >= 4 && cost <= 31 && strspn(h + 7, PIN_B64) == 53 &&
	    h[60] == '\0';
}

bool
pin_hash_valid(const char *hash)
{
	if (hash == NULL)
		return false;
	if (strncmp(hash, "$y$", 3) == 0) {
		if (!pin_yescrypt_valid(hash))
			return false;
	} else if (strncmp(hash, "$2b$", 4) == 0) {
		if (!pin_bcrypt_valid(hash))
			return false;
	} else
		return false;
	/* libxcrypt's own check of the setting (cost parameters). */
	return crypt_checksalt(hash) == CRYPT_SALT_OK;
}

/* libxcrypt fails with NULL or a "*0"/"*1" token, never a valid hash. */
static bool
pin_crypt_failed(const char *out)
{
	return out == NULL || out[0] == '*';
}

int
pin_hash(const char *pin, char **hash, char **cause)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd;
	const char *out;
	int rv = -1;

	*hash = NULL;
	if (!pin_valid(pin)) {
		*cause = xasprintf("a PIN is %d to %d digits", PIN_MIN, PIN_MAX);
		return -1;
	}
	cd = xcalloc(1, sizeof *cd);
	/* NULL entropy: libxcrypt reads the salt from the system's RNG. */
	if (crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof salt) == NULL) {
		*cause = xstrdup("cannot make a yescrypt salt");
		goto out;
	}
	out = crypt_r(pin, salt, cd);
	if (pin_crypt_failed(out)) {
		*cause = xstrdup("yescrypt hashing failed");
		goto out;
	}
	*hash = xstrdup(out);
	rv = 0;
out:
	explicit_bzero(cd, sizeof *cd);
	free(cd);
	explicit_bzero(salt, sizeof salt);
	return rv;
}

/* Hash pin with hash's setting in cd and compare in constant time. */
static bool
pin_matches_with(struct crypt_data *cd, const char *hash, const char *pin)
{
	const char *out;
	size_t len;

	if (hash == NULL || pin == NULL)
		return false;
	out = crypt_r(pin, hash, cd);
	if (pin_crypt_failed(out))
		return false;
	len = strlen(hash);
	/* The length of a hash is public; its bytes are compared blind. */
	return strlen(out) == len && CRYPTO_memcmp(out, hash, len) == 0;
}

bool
pin_matches(const char *hash, const char *pin)
{
	struct crypt_data *cd = xcalloc(1, sizeof *cd);
	bool ok;

	ok = pin_matches_with(cd, hash, pin);
	explicit_bzero(cd, sizeof *cd);
	free(cd);
	return ok;
}

/* The wait after failure k: 1, 2, 4, 8, 16, then 30 s. */
static long
pin_delay(long k)
{
	if (k < 1)
		return 0;
	if (k > 5)		/* 2^5 = 32 is past the cap */
		return PIN_WAIT_MAX;
	return 1L << (k - 1);
}

/* Seconds on CLOCK_MONOTONIC: wall-clock steps do not move it. */
static int64_t
pin_monotonic_default(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec;
}

int64_t (*pin_monotonic)(void) = pin_monotonic_default;

/*
 * What this process measured of the stored row: when, on the monotonic
 * clock, its wait and its lock end. The wall-clock times in the store
 * only matter when a row is first seen (after a restart, or written by
 * another process), and then no wait is longer than it can be.
 */
static struct {
	bool known;
	long count;
	int64_t last_at, locked_until;	/* the row as last seen */
	int64_t wait_end, lock_end;	/* monotonic seconds */
} pin_seen;

void
pin_clock_reset(void)
{
	memset(&pin_seen, 0, sizeof pin_seen);
}

/* x clamped to [0, max]. */
static int64_t
pin_clamp(int64_t x, int64_t max)
{
	return x < 0 ? 0 : x > max ? max : x;
}

/* Remember the row and when (monotonic) its wait and lock end. */
static void
pin_remember(long count, int64_t last_at, int64_t locked_until,
    int64_t wait_s, int64_t lock_s)
{
	int64_t mono = pin_monotonic();

	pin_seen.known = true;
	pin_seen.count = count;
	pin_seen.last_at = last_at;
	pin_seen.locked_until = locked_until;
	pin_seen.wait_end = mono + wait_s;
	pin_seen.lock_end = mono + lock_s;
}

/*
 * The state a stored row means at wall-clock now (the body of
 * pin_state). A row not seen before is read from the wall clock with
 * every wait capped (lockout_s for a lock, the growing delay for a
 * wait): a clock stepped back cannot lock staff out for a year. A row
 * already seen is measured on the monotonic clock: a clock stepped
 * forward cannot end a lock early.
 */
static void
pin_state_of(const struct config *cfg, long count, int64_t last_at,
    int64_t locked_until, int64_t now, enum pin_result *state, long *wait_s)
{
	int64_t mono = pin_monotonic(), lock_left, wait_left;

	if (!pin_seen.known || pin_seen.count != count ||
	    pin_seen.last_at != last_at ||
	    pin_seen.locked_until != locked_until) {
		pin_remember(count, last_at, locked_until,
		    count > 0 ? pin_clamp(last_at + pin_delay(count) - now,
		    pin_delay(count)) : 0, locked_until != 0 ?
		    pin_clamp(locked_until - now, cfg->staff_lockout_s) : 0);
	}
	lock_left = pin_clamp(pin_seen.lock_end - mono, cfg->staff_lockout_s);
	wait_left = pin_clamp(pin_seen.wait_end - mono, PIN_WAIT_MAX);
	*state = PIN_OK;
	*wait_s = 0;
	if (locked_until != 0) {
		/* An expired lock: the next failure counts from 1 again. */
		if (lock_left > 0) {
			*state = PIN_LOCKED;
			*wait_s = (long)lock_left;
		}
		return;
	}
	if (count > 0 && wait_left > 0) {
		*state = PIN_WAIT;
		*wait_s = (long)wait_left;
	}
}

int
pin_state(struct store *s, const struct config *cfg, int64_t now,
    enum pin_result *state, long *wait_s, char **cause)
{
	int64_t last_at, locked_until;
	long count;

	*state = PIN_OK;
	*wait_s = 0;
	if (store_pin_get(s, PIN_WHO, &count, &last_at, &locked_until,
	    cause) != 0)
		return -1;
	pin_state_of(cfg, count, last_at, locked_until, now, state, wait_s);
	return 0;
}

/*
 * The index of the member whose hash pin matches, or -1. Every hash is
 * tried even after a match, so the time taken names nobody.
 */
static long
pin_who(const struct config *cfg, const char *pin)
{
	struct crypt_data *cd;
	long found = -1;
	size_t i;

	if (!pin_valid(pin))
		return -1;
	cd = xcalloc(1, sizeof *cd);
	for (i = 0; i < cfg->nstaff; i++) {
		if (pin_matches_with(cd, cfg->staff[i].pin_hash, pin) &&
		    found < 0)
			found = (long)i;
	}
	explicit_bzero(cd, sizeof *cd);
	free(cd);
	return found;
}

/* Count a failure; the one that reaches max_attempts starts the lock. */
static int
pin_failed(struct store *s, const struct config *cfg, int64_t now,
    enum pin_result *result, long *wait_s, char **cause)
{
	int64_t last_at, locked_until, lock = 0;
	long count;

	if (store_pin_get(s, PIN_WHO, &count, &last_at, &locked_until,
	    cause) != 0)
		return -1;
	/* Only called when pin_state said OK: a lock in the row has ended. */
	if (locked_until != 0) {
		if (store_pin_reset(s, PIN_WHO, cause) != 0)
			return -1;
		count = 0;
	}
	count++;
	if (count >= cfg->staff_max_attempts)
		lock = now + cfg->staff_lockout_s;
	if (store_pin_failed(s, PIN_WHO, now, lock, cause) != 0)
		return -1;
	pin_remember(count, now, lock, pin_delay(count), lock != 0 ?
	    cfg->staff_lockout_s : 0);
	if (lock != 0) {
		*result = PIN_LOCKED;
		*wait_s = cfg->staff_lockout_s;
	} else {
		*result = PIN_WRONG;
		*wait_s = pin_delay(count);
	}
	return 0;
}

int
pin_check(struct store *s, const struct config *cfg, const char *pin,
    int64_t now, enum pin_result *result, size_t *who, long *wait_s,
    char **cause)
{
	enum pin_result state;
	long found;

	*result = PIN_WRONG;
	*who = 0;
	*wait_s = 0;
	if (pin_state(s, cfg, now, &state, wait_s, cause) != 0)
		return -1;
	if (state != PIN_OK) {
		*result = state;	/* refused without looking at the PIN */
		return 0;
	}
	found = pin_who(cfg, pin);
	if (found < 0)
		return pin_failed(s, cfg, now, result, wait_s, cause);
	if (store_pin_reset(s, PIN_WHO, cause) != 0 ||
	    store_audit(s, cfg->staff[found].name, "sign-in", NULL, cause) != 0)
		return -1;
	*result = PIN_OK;
	*who = (size_t)found;
	return 0;
}
