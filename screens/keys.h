/*
 * keys.h: the terminal input decoder, a pure function over what wgetch
 * returns (bytes, KEY_* codes, ERR for "nothing more came"), so it can be
 * tested and fuzzed without a terminal. Escape sequences are decoded
 * whole: a complete CSI, SS3, OSC (and DCS, PM, APC) sequence, or Esc and
 * one character (Alt+key). Those ncurses did not turn into a KEY_* code
 * mean nothing here and are dropped; only a lone Esc is the Esc key.
 */
#ifndef KIOSK_KEYS_H
#define KIOSK_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

struct key;

/*
 * How long an Esc waits for the rest of a sequence before it is a key.
 * ncurses has already waited ESCDELAY (25 ms) for a sequence it knows and
 * hands over what it read with the Esc, so this only catches a sequence
 * whose bytes straggle in.
 */
#define KEYS_ESC_WAIT_MS 10
#define KEYS_SEQ_MAX 4096	/* counted up to; a longer one is still dropped */

enum keys_state {
	KEYS_GROUND,
	KEYS_ESC,		/* Esc seen */
	KEYS_CSI,		/* Esc [ or U+009B: parameters until a final */
	KEYS_SS3,		/* Esc O: one more character */
	KEYS_STRING,		/* OSC, DCS, PM, APC: until BEL or ST */
	KEYS_STRING_ESC,	/* Esc inside a string: ST if a backslash */
};

struct keys_decoder {
	enum keys_state state;
	size_t len;		/* characters in the current sequence */
	mbstate_t mb;		/* a UTF-8 character in progress */
};

/*
 * Feed one wgetch result c: a byte, a KEY_* code, or ERR when nothing came
 * within KEYS_ESC_WAIT_MS of a pending Esc or sequence. True with *k set
 * when a key is complete; false while a sequence is incomplete or when
 * what came was dropped (invalid UTF-8, an unknown sequence).
 */
bool keys_decode(struct keys_decoder *, int c, struct key *k);
/* An Esc or a sequence is incomplete: wait KEYS_ESC_WAIT_MS, then feed ERR. */
bool keys_decoder_pending(const struct keys_decoder *);

/* keys_read's decoder (the UI's one terminal) is pending. */
bool keys_waiting(void);

#endif
