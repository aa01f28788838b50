/*
 * scroll.c: scrolling text for the about page and the consent form.
 */
#include "scroll.h"

#include <curses.h>
#include <string.h>

void
scroll_set(struct scroll *s, const char *text, int width)
{
	if (s->lines != NULL && s->width == width && s->src == text)
		return;
	if (s->src != text) {
		s->top = 0;
		s->seen_end = false;
	}
	s->src = text;
	draw_wrap_free(s->lines, s->n);
	s->lines = draw_wrap(text, width, &s->n);
	s->width = width;
	if (s->top > s->n - 1)
		s->top = s->n > 0 ? s->n - 1 : 0;
}

void
scroll_free(struct scroll *s)
{
	draw_wrap_free(s->lines, s->n);
	memset(s, 0, sizeof *s);
}

static void
scroll_clamp(struct scroll *s)
{
	int max = s->n - s->height;

	if (max < 0)
		max = 0;
	if (s->top > max)
		s->top = max;
	if (s->top < 0)
		s->top = 0;
}

bool
scroll_key(struct scroll *s, const struct key *k)
{
	int page = s->height > 1 ? s->height - 1 : 1;

	switch (k->act) {
	case ACT_UP:
		s->top--;
		break;
	case ACT_DOWN:
		s->top++;
		break;
	case ACT_PGUP:
		s->top -= page;
		break;
	case ACT_PGDN:
	case ACT_SPACE:
		s->top += page;
		break;
	case ACT_HOME:
		s->top = 0;
		break;
	case ACT_END:
		s->top = s->n;
		break;
	default:
		return false;
	}
	scroll_clamp(s);
	return true;
}

void
scroll_draw(struct scroll *s, int y, int x, int height)
{
	int i;

	s->height = height;
	scroll_clamp(s);
	for (i = 0; i < height && s->top + i < s->n; i++)
		draw_text(y + i, x, s->width, s->lines[s->top + i]);
	if (s->top + height >= s->n)
		s->seen_end = true;
	if (y == 4 && height == LINES - 8) {
		draw_more(s->top > 0, s->top + height < s->n);
		return;
	}
	if (s->marks) {
		draw_more_at(y - 1, y + height, s->top > 0,
		    s->top + height < s->n);
		return;
	}
	if (s->top > 0)
		mvaddstr(y, x + s->width + 1, "^");
	if (s->top + height < s->n)
		mvaddstr(y + height - 1, x + s->width + 1, "v");
}
