/*
 * scroll.h: a block of wrapped text that scrolls with Up/Down/PgUp/PgDn
 * and knows whether its end has been seen (the consent rule).
 */
#ifndef KIOSK_SCROLL_H
#define KIOSK_SCROLL_H

#include <stdbool.h>

#include "ui.h"

struct scroll {
	char **lines;
	int n;
	int top;
	int height;		/* rows shown at the last draw */
	int width;		/* columns it was wrapped for */
	bool seen_end;		/* the last line has been on screen */
	const char *src;	/* the text it was wrapped from */
	bool marks;		/* "more" marks on the rows above and below */
};

/*
 * (Re)wrap text for width columns, keeping the position where it can;
 * other text (another language) starts again at the top, unread.
 */
void scroll_set(struct scroll *, const char *text, int width);
void scroll_free(struct scroll *);
/* true when the key scrolled (or was a scrolling key). */
bool scroll_key(struct scroll *, const struct key *);
/*
 * Draw height rows at y,x; marks seen_end when the end is visible. With
 * y 4 and height LINES-8 (a page body) the marks are draw_more's.
 */
void scroll_draw(struct scroll *, int y, int x, int height);

#endif
