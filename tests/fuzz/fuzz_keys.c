/*
 * fuzz_keys.c: libFuzzer target for the terminal input decoder
 * (screens/keys.c). The input picks a kind of escape sequence and its
 * body; the invariant is that no sequence the key table does not know
 * produces a key event, and that the decoder is back to plain keys
 * afterwards. The raw input is then fed as it is: it must never crash,
 * and after a pause (ERR) a 'y' is always the Yes key.
 * Build and run: make fuzz (FUZZ_SECONDS=60 for longer).
 */
#include <curses.h>
#include <locale.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ui.h"
#include "keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int LLVMFuzzerInitialize(int *, char ***);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setlocale(LC_ALL, "C.UTF-8");
	return 0;
}

/* Feed one byte; abort when it makes a key (the invariant). */
static void
feed_silent(struct keys_decoder *d, int c)
{
	struct key k;

	if (keys_decode(d, c, &k))
		abort();
}

/* Esc + an unknown sequence of the kind data[0] picks, body from data. */
static void
unknown_sequence(const uint8_t *data, size_t len)
{
	struct keys_decoder d;
	size_t i;
	int kind = data[0] % 5, c;

	memset(&d, 0, sizeof d);
	feed_silent(&d, 27);
	switch (kind) {
	case 0:		/* CSI: parameters and intermediates, then a final */
		feed_silent(&d, '[');
		for (i = 1; i + 1 < len; i++)
			feed_silent(&d, 0x20 + data[i] % 0x20);
		feed_silent(&d, 0x40 + (len > 1 ? data[len - 1] : 0) % 0x3f);
		break;
	case 1:		/* SS3 and one character */
		feed_silent(&d, 'O');
		feed_silent(&d, 0x20 + (len > 1 ? data[1] : 0) % 0x5f);
		break;
	case 2:		/* OSC, DCS, PM, APC: printable body, BEL or ST */
		feed_silent(&d, "]P^_"[len > 1 ? data[1] % 4 : 0]);
		for (i = 2; i < len; i++)
			feed_silent(&d, 0x20 + data[i] % 0x5f);
		if (data[0] & 0x80)
			feed_silent(&d, 7);
		else {
			feed_silent(&d, 27);
			feed_silent(&d, '\\');
		}
		break;
	case 3:		/* Alt + a printable ASCII key (not one that opens a sequence) */
		c = 0x20 + (len > 1 ? data[1] : 0) % 0x5f;
		feed_silent(&d, strchr("[O]P^_", c) != NULL ? 'a' : c);
		break;
	default:	/* an incomplete CSI cut short by a pause */
		feed_silent(&d, '[');
		for (i = 1; i < len; i++)
			feed_silent(&d, 0x30 + data[i] % 0x10);
		feed_silent(&d, ERR);
		break;
	}
	if (keys_decoder_pending(&d))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct keys_decoder d;
	struct key k;
	size_t i;

	if (len == 0)
		return 0;
	unknown_sequence(data, len);
	/* Anything at all, then a pause: a 'y' is the Yes key again. */
	memset(&d, 0, sizeof d);
	for (i = 0; i < len; i++)
		(void)keys_decode(&d, data[i], &k);
	(void)keys_decode(&d, ERR, &k);
	if (keys_decoder_pending(&d) || !keys_decode(&d, 'y', &k) ||
	    k.act != ACT_YES)
		abort();
	return 0;
}
