/*
 * pin.h: staff sign-in. Each staff member has a PIN (6-12 digits) kept
 * only as a yescrypt hash in the config. A wrong PIN costs a growing
 * delay; max_attempts in a row lock the prompt for lockout_s. The
 * counters live in the store, so a restart does not reset a lockout.
 * PIN buffers are the caller's: wipe them after pin_check.
 */
#ifndef KIOSK_PIN_H
#define KIOSK_PIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config;
struct store;

#define PIN_MIN 6
#define PIN_MAX 12
#define PIN_WHO "prompt"	/* the pin_failures row of the kiosk's prompt */

/* Whether pin is 6-12 ASCII digits. */
bool pin_valid(const char *pin);
/*
 * Whether hash is a complete yescrypt ($y$) or bcrypt ($2b$) string, as
 * crypt(3) makes them: a placeholder such as "$y$j9T$..." is not.
 */
bool pin_hash_valid(const char *hash);
/* Hash a PIN with a fresh "$y$" salt (crypt_gensalt_rn + crypt_r). */
int pin_hash(const char *pin, char **hash, char **cause);
/* Whether pin matches hash ($y$ or $2b$), comparing in constant time. */
bool pin_matches(const char *hash, const char *pin);

enum pin_result {
	PIN_OK,			/* *who is the staff member's index */
	PIN_WRONG,		/* counted; *wait_s until the next try */
	PIN_LOCKED,		/* *wait_s until the lock ends */
	PIN_WAIT,		/* too soon after a failure: *wait_s */
};

/*
 * Waits are measured on a monotonic clock (pin_monotonic) once this
 * process has seen the stored counters; `now` (wall-clock seconds, what
 * the store keeps) only dates new failures and, for counters written
 * before this process started, gives the time left, capped at lockout_s
 * for a lock and 30 s for a wait. So neither a clock stepped back (a
 * year-long lock) nor one stepped forward (a lock ended early) counts.
 */
extern int64_t (*pin_monotonic)(void);	/* seconds; tests may replace it */
/* Forget what this process measured, as a restart does (for tests). */
void pin_clock_reset(void);

/*
 * The prompt's state now: PIN_LOCKED or PIN_WAIT with *wait_s, or PIN_OK
 * when a PIN may be typed.
 */
int pin_state(struct store *, const struct config *, int64_t now,
    enum pin_result *state, long *wait_s, char **cause);

/*
 * Check a typed PIN against every staff member (every hash is tried, so
 * the time taken does not tell who matched). Records the failure or the
 * sign-in (audit: staff name or "unknown"; never the PIN) in the store.
 * After failure k the next try waits min(2^(k-1), 30) s; failure number
 * max_attempts locks for lockout_s. -1 with *cause on a store error.
 */
int pin_check(struct store *, const struct config *, const char *pin,
    int64_t now, enum pin_result *result, size_t *who, long *wait_s,
    char **cause);

#endif
