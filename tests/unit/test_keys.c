/*
 * test_keys.c: the input decoder (screens/keys.c) without a terminal:
 * bytes and KEY_* codes in, key actions out. One row per kind of input:
 * plain keys, UTF-8, a lone Esc, and the escape sequences that must mean
 * nothing (an Alt+digit must not go back a page and answer there).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <curses.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "ui.h"
#include "keys.h"

#define E "\033"
#define W -2			/* in a row's input: "the Esc wait passed" (ERR) */

/* The actions the input makes, one letter each (see act_letter). */
static char
act_letter(const struct key *k)
{
	switch (k->act) {
	case ACT_ENTER: return 'E';
	case ACT_ESC: return 'X';
	case ACT_YES: return 'y';
	case ACT_NO: return 'n';
	case ACT_UP: return '^';
	case ACT_DOWN: return 'v';
	case ACT_DIGIT: return (char)('0' + k->digit);
	case ACT_SPACE: return '_';
	case ACT_TAB: return 'T';
	case ACT_CHAR: return k->ch < 0x80 ? (char)k->ch : 'U';
	case ACT_STAFF: return 'S';
	case ACT_BACKSPACE: return 'B';
	case ACT_IGNORE: return '.';
	default: return '?';
	}
}

/* Feed bytes (then ERR when wait); the letters of the keys made. */
static void
decode(const char *bytes, size_t len, const int *extra, char *out,
    size_t size)
{
	struct keys_decoder d;
	struct key k;
	size_t i, o = 0;

	memset(&d, 0, sizeof d);
	for (i = 0; i < len; i++) {
		if (keys_decode(&d, (unsigned char)bytes[i], &k) && o + 1 < size)
			out[o++] = act_letter(&k);
	}
	for (; extra != NULL && *extra != 0; extra++) {
		if (keys_decode(&d, *extra == W ? ERR : *extra, &k) &&
		    o + 1 < size)
			out[o++] = act_letter(&k);
	}
	/* The wait always passes in the end. */
	if (keys_decoder_pending(&d) && keys_decode(&d, ERR, &k) &&
	    o + 1 < size)
		out[o++] = act_letter(&k);
	out[o] = '\0';
	assert_false(keys_decoder_pending(&d));
}

static void
test_decode_table(void **state)
{
	static const struct {
		const char *in;
		const char *want;
	} rows[] = {
		{ "y", "y" },
		{ "n1 \r\t", "n1_ET" },
		{ "\xc3\xa9", "U" },			/* é */
		{ "\x01", "S" },			/* Ctrl-A */
		{ "\x7f", "B" },
		{ "\xff" "y", "y" },			/* invalid UTF-8 dropped */
		{ E, "X" },				/* a lone Esc: back */
		{ E "1", "" },				/* Alt+1: nothing */
		{ E "y", "" },				/* Alt+y */
		{ E E, "" },				/* Alt+Esc */
		{ E "[1J", "" },			/* pasted erase */
		{ E "[1J" "2", "2" },			/* then a real key */
		{ E "[?1049h", "" },
		{ E "[38;5;196m" "n", "n" },
		{ E "[200~" "1" E "[201~", "1" },	/* bracketed paste */
		{ E "OP", "" },				/* SS3 F1 */
		{ E "Oy", "" },
		{ E "]0;title\a" "y", "y" },		/* OSC, BEL */
		{ E "]8;;http://x" E "\\" "y", "y" },	/* OSC, ST */
		{ E "P1$r" E E "\\" "n", "n" },		/* DCS */
		{ E "_apc\xc2\x9c" "1", "1" },	/* APC, C1 ST (UTF-8) */
		{ "\xc2\x9b" "1J" "y", "y" },		/* C1 CSI (UTF-8) */
		{ E "[" "1", "" },			/* cut short: dropped */
		{ "y" E, "yX" },
	};
	char out[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		decode(rows[i].in, strlen(rows[i].in), NULL, out, sizeof out);
		if (strcmp(out, rows[i].want) != 0)
			fail_msg("row %zu: got \"%s\", want \"%s\"", i, out,
			    rows[i].want);
	}
}

/* A key ncurses decoded, and Esc before one (Alt+arrow). */
static void
test_decode_keycodes(void **state)
{
	static const int up[] = { KEY_UP, 0 };
	static const int esc_wait_up[] = { W, KEY_UP, 0 };
	char out[8];

	(void)state;
	decode("", 0, up, out, sizeof out);
	assert_string_equal(out, "^");
	decode(E, 1, up, out, sizeof out);
	assert_string_equal(out, "");
	/* A lone Esc whose wait passed, then an arrow: both keys. */
	decode(E, 1, esc_wait_up, out, sizeof out);
	assert_string_equal(out, "X^");
}

/* An endless sequence is dropped whole; a pause ends it, keys work. */
static void
test_decode_endless(void **state)
{
	static const int wait_y[] = { W, 'y', 0 };
	static char in[KEYS_SEQ_MAX * 3];
	char out[8];
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		memset(in, "x;1\033"[i], sizeof in);
		in[0] = '\033';
		in[1] = "][P]"[i];
		decode(in, sizeof in, wait_y, out, sizeof out);
		assert_string_equal(out, "y");
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_table),
		cmocka_unit_test(test_decode_keycodes),
		cmocka_unit_test(test_decode_endless),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
