/*
 * keys.c: the key contract (README "Keys") in one table. Raw curses keys
 * become logical actions here; screens never look at curses key codes.
 */
#include "ui.h"
#include "keys.h"

#include <curses.h>
#include <stdbool.h>
#include <string.h>
#include <wchar.h>

#define CTRL(c) ((c) & 0x1f)

/* Function keys and control characters; anything not listed is ignored. */
static const struct {
	int code;
	int is_keycode;		/* KEY_* from wget_wch's KEY_CODE_YES */
	enum action act;
} key_table[] = {
	{ '\r', 0, ACT_ENTER },
	{ '\n', 0, ACT_ENTER },
	{ KEY_ENTER, 1, ACT_ENTER },
	{ 27, 0, ACT_ESC },	/* only a lone Esc gets here (keys_decode) */
	{ '\t', 0, ACT_TAB },
	{ KEY_BTAB, 1, ACT_BTAB },
	{ KEY_UP, 1, ACT_UP },
	{ KEY_DOWN, 1, ACT_DOWN },
	{ KEY_LEFT, 1, ACT_LEFT },
	{ KEY_RIGHT, 1, ACT_RIGHT },
	{ KEY_HOME, 1, ACT_HOME },
	{ KEY_END, 1, ACT_END },
	{ KEY_PPAGE, 1, ACT_PGUP },
	{ KEY_NPAGE, 1, ACT_PGDN },
	{ KEY_BACKSPACE, 1, ACT_BACKSPACE },
	{ 127, 0, ACT_BACKSPACE },
	{ CTRL('H'), 0, ACT_BACKSPACE },
	{ KEY_DC, 1, ACT_DELETE },
	{ CTRL('A'), 0, ACT_STAFF },
	{ KEY_F(12), 1, ACT_STAFF },
	{ KEY_F(2), 1, ACT_LANG },
	/* Never leave the kiosk: raw() delivers these as plain keys. */
	{ CTRL('C'), 0, ACT_IGNORE },
	{ CTRL('Z'), 0, ACT_IGNORE },
	{ CTRL('\\'), 0, ACT_IGNORE },
};

/*
 * Input is read a byte at a time (wgetch) and decoded here, because
 * ncurses' get_wch stops answering after an invalid UTF-8 byte. Invalid
 * bytes are dropped; a byte that breaks a sequence starts a new one.
 */
static bool
keys_utf8(mbstate_t *st, int byte, wint_t *wc)
{
	char b = (char)byte;
	wchar_t out;
	size_t r;
	int tries;

	for (tries = 0; tries < 2; tries++) {
		r = mbrtowc(&out, &b, 1, st);
		if (r == (size_t)-2)
			return false;
		if (r != (size_t)-1) {
			*wc = (wint_t)out;
			return true;
		}
		memset(st, 0, sizeof *st);
	}
	return false;
}

/* Back to plain input; the sequence so far is dropped. */
static bool
keys_reset(struct keys_decoder *d)
{
	d->state = KEYS_GROUND;
	d->len = 0;
	return false;
}

/* The character after Esc: which sequence it starts, or Alt+key. */
static bool
keys_after_esc(struct keys_decoder *d, wint_t wc)
{
	switch (wc) {
	case L'[':
		d->state = KEYS_CSI;
		return false;
	case L'O':
		d->state = KEYS_SS3;
		return false;
	case L']':
	case L'P':
	case L'^':
	case L'_':
		d->state = KEYS_STRING;
		return false;
	default:
		/* Alt+key, Esc Esc, Esc and a control: nothing here. */
		return keys_reset(d);
	}
}

/* One character (UTF-8 decoded) inside or outside a sequence. */
static bool
keys_char(struct keys_decoder *d, wint_t wc, struct key *k)
{
	/*
	 * However long a sequence runs, it is dropped whole: it ends at its
	 * terminator or when the input pauses (ERR), never by turning its
	 * tail into keys.
	 */
	if (d->state != KEYS_GROUND && d->len < KEYS_SEQ_MAX)
		d->len++;
	switch (d->state) {
	case KEYS_GROUND:
		if (wc == 27) {
			d->state = KEYS_ESC;
			d->len = 0;
			return false;
		}
		if (wc == 0x9b) {	/* C1 CSI */
			d->state = KEYS_CSI;
			d->len = 0;
			return false;
		}
		keys_map(OK, wc, k);
		return true;
	case KEYS_ESC:
		return keys_after_esc(d, wc);
	case KEYS_CSI:
		/* Parameters 0x30-0x3f, intermediates 0x20-0x2f, then a final. */
		if (wc >= 0x20 && wc <= 0x3f)
			return false;
		return keys_reset(d);	/* the final, or a byte that aborts */
	case KEYS_SS3:
		return keys_reset(d);
	case KEYS_STRING:
		if (wc == 7 || wc == 0x9c)	/* BEL or C1 ST */
			return keys_reset(d);
		if (wc == 27)
			d->state = KEYS_STRING_ESC;
		return false;
	case KEYS_STRING_ESC:
		if (wc == L'\\')
			return keys_reset(d);
		d->state = wc == 27 ? KEYS_STRING_ESC : KEYS_STRING;
		return false;
	}
	return keys_reset(d);
}

bool
keys_decode(struct keys_decoder *d, int c, struct key *k)
{
	wint_t wc;

	memset(k, 0, sizeof *k);
	k->act = ACT_IGNORE;
	if (c == ERR) {
		/* Nothing more came: a lone Esc is the key, the rest drops. */
		if (d->state == KEYS_ESC) {
			keys_reset(d);
			k->act = ACT_ESC;
			return true;
		}
		memset(&d->mb, 0, sizeof d->mb);
		return keys_reset(d);
	}
	if (c >= KEY_MIN) {
		/* A key ncurses decoded; after an Esc it is Alt+key. */
		if (d->state != KEYS_GROUND)
			return keys_reset(d);
		keys_map(KEY_CODE_YES, (wint_t)c, k);
		return true;
	}
	if (c < 0 || c > 0xff || !keys_utf8(&d->mb, c, &wc))
		return false;
	return keys_char(d, wc, k);
}

bool
keys_decoder_pending(const struct keys_decoder *d)
{
	return d->state != KEYS_GROUND;
}

/* The UI's one terminal. */
static struct keys_decoder keys_tty;

bool
keys_read(int c, struct key *k)
{
	return keys_decode(&keys_tty, c, k);
}

bool
keys_waiting(void)
{
	return keys_decoder_pending(&keys_tty);
}

void
keys_map(int rc, wint_t wc, struct key *k)
{
	size_t i;
	int is_keycode = rc == KEY_CODE_YES;
	MEVENT ev;

	memset(k, 0, sizeof *k);
	k->act = ACT_IGNORE;
	if (is_keycode && wc == KEY_MOUSE) {
		/*
		 * A press (a touch) acts; the release that follows must not
		 * act again on whatever the press brought up.
		 */
		if (getmouse(&ev) == OK && (ev.bstate & (BUTTON1_PRESSED |
		    BUTTON1_CLICKED))) {
			k->act = ACT_CLICK;
			k->y = ev.y;
			k->x = ev.x;
		}
		return;
	}
	for (i = 0; i < sizeof key_table / sizeof key_table[0]; i++) {
		if (key_table[i].is_keycode == is_keycode &&
		    (wint_t)key_table[i].code == wc) {
			k->act = key_table[i].act;
			return;
		}
	}
	if (is_keycode || wc < 0x20 || wc == 0x7f || (wc >= 0x80 && wc < 0xa0))
		return;
	/* A printable character: fields take it; otherwise it may be a key. */
	k->ch = (wchar_t)wc;
	k->act = ACT_CHAR;
	if (wc == L' ')
		k->act = ACT_SPACE;
	else if (wc == L'y' || wc == L'Y')
		k->act = ACT_YES;
	else if (wc == L'n' || wc == L'N')
		k->act = ACT_NO;
	else if (wc >= L'1' && wc <= L'9') {
		k->act = ACT_DIGIT;
		k->digit = (int)(wc - L'0');
	}
}
