/*
 * keys.c: the key contract of DESIGN.md in one table. Raw curses keys
 * become logical actions here; screens never look at curses key codes.
 */
#include "ui.h"

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
	{ 27, 0, ACT_ESC },
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
keys_utf8(int byte, wint_t *wc)
{
	static mbstate_t st;
	char b = (char)byte;
	wchar_t out;
	size_t r;
	int tries;

	for (tries = 0; tries < 2; tries++) {
		r = mbrtowc(&out, &b, 1, &st);
		if (r == (size_t)-2)
			return false;
		if (r != (size_t)-1) {
			*wc = (wint_t)out;
			return true;
		}
		memset(&st, 0, sizeof st);
	}
	return false;
}

bool
keys_read(int c, struct key *k)
{
	wint_t wc;

	if (c >= KEY_MIN) {
		keys_map(KEY_CODE_YES, (wint_t)c, k);
		return true;
	}
	if (c < 0 || c > 0xff || !keys_utf8(c, &wc))
		return false;
	keys_map(OK, wc, k);
	return true;
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
