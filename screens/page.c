/*
 * page.c: one generic screen for every form page. Question types are
 * data: each enabled item on the page becomes a field (text, date as day /
 * month / year, yes / no / not sure, single or multiple choice) drawn and
 * edited here; whether an answer is valid and what comes next is the
 * form engine's and the flow's business. Field buffers hold client data
 * and are wiped when the page is left.
 */
#include "edit.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "date.h"
#include "util.h"

#define HIT_BACK 9000
#define HIT_NEXT 9001
#define HIT_OPTION(f, o) ((f) * 100 + (o))
#define HIT_EDIT(f, s) ((f) * 100 + 90 + (s))

struct field {
	size_t item;
	struct edit text;	/* string, phone, email */
	struct edit date[3];	/* day, month, year */
	int sub;		/* focused part of a date */
	size_t cursor;		/* option under the cursor */
	bool moved;		/* the client moved the cursor (Enter then picks) */
	char *error;		/* client-facing, or NULL */
	int row, height;	/* layout: first row (virtual) and rows */
};

static struct field *fields;
static size_t nfields;
static size_t focus;		/* 0..nfields-1 a field, nfields Back, nfields+1 Continue */
static int top;			/* first virtual row shown */

static const char *const bool_codes[] = { "yes", "no", "not_sure" };
static const char *const bool_labels[] = { N_("Yes"), N_("No"),
	N_("Not sure") };

static const struct form_item *
field_item(const struct ui *ui, const struct field *f)
{
	return &ui->form->items[f->item];
}

static bool
field_enabled(const struct ui *ui, const struct field *f)
{
	return form_item_enabled(ui->form, ui->v->answers, f->item);
}

static bool
field_is_text(const struct form_item *it)
{
	return it->type == ITEM_STRING || it->type == ITEM_PHONE ||
	    it->type == ITEM_EMAIL;
}

static size_t
field_noptions(const struct form_item *it)
{
	if (it->type == ITEM_BOOLEAN)
		return it->not_sure ? 3 : 2;
	if (it->type == ITEM_CHOICE)
		return it->noptions;
	return 0;
}

static const char *
option_code(const struct form_item *it, size_t o)
{
	return it->type == ITEM_BOOLEAN ? bool_codes[o] : it->options[o].code;
}

static const char *
option_label(const struct ui *ui, const struct form_item *it, size_t o)
{
	if (it->type == ITEM_BOOLEAN)
		return _(bool_labels[o]);
	return form_text(&it->options[o].label, ui->lang);
}

static bool
option_selected(const struct ui *ui, const struct form_item *it, size_t i,
    size_t o)
{
	const char *v = answers_get(ui->v->answers, i);

	if (v == NULL)
		return false;
	if (it->type == ITEM_CHOICE && it->multiple)
		return answers_has(ui->v->answers, i, option_code(it, o));
	return strcmp(v, option_code(it, o)) == 0;
}

/* Load a field's edit buffers from the answer kept so far. */
static void
field_load(struct ui *ui, struct field *f)
{
	const struct form_item *it = field_item(ui, f);
	const char *v = answers_get(ui->v->answers, f->item);
	struct kdate d;
	char buf[8];

	edit_init(&f->text, (size_t)(it->max_length > 0 ? it->max_length : 100),
	    false);
	edit_init(&f->date[0], 2, true);
	edit_init(&f->date[1], 2, true);
	edit_init(&f->date[2], 4, true);
	if (field_is_text(it))
		edit_set(&f->text, v);
	if (it->type == ITEM_DATE && v != NULL && date_parse(v, &d) == 0) {
		snprintf(buf, sizeof buf, "%02d", d.d);
		edit_set(&f->date[0], buf);
		snprintf(buf, sizeof buf, "%02d", d.m);
		edit_set(&f->date[1], buf);
		snprintf(buf, sizeof buf, "%04d", d.y);
		edit_set(&f->date[2], buf);
	}
	f->cursor = 0;
	for (size_t o = 0; o < field_noptions(it); o++) {
		if (option_selected(ui, it, f->item, o)) {
			f->cursor = o;
			break;
		}
	}
}

static void
page_wipe(void)
{
	size_t i;

	for (i = 0; i < nfields; i++) {
		edit_wipe(&fields[i].text);
		edit_wipe(&fields[i].date[0]);
		edit_wipe(&fields[i].date[1]);
		edit_wipe(&fields[i].date[2]);
		free(fields[i].error);
	}
	if (fields != NULL)
		explicit_bzero(fields, nfields * sizeof *fields);
	free(fields);
	fields = NULL;
	nfields = 0;
}

/* First enabled field at or after i (nfields when none). */
static size_t
focus_from(struct ui *ui, size_t i)
{
	while (i < nfields && !field_enabled(ui, &fields[i]))
		i++;
	return i;
}

static void
page_enter(struct ui *ui)
{
	const struct form_page *p = &ui->v->form_page;
	size_t i;

	page_wipe();
	nfields = p->count;
	fields = xcalloc(nfields, sizeof *fields);
	for (i = 0; i < nfields; i++) {
		fields[i].item = p->first + i;
		field_load(ui, &fields[i]);
	}
	top = 0;
	focus = focus_from(ui, 0);
	/* Opened from the review to change one answer: start on it. */
	if (ui->v->editing && ui->v->edit_item >= p->first &&
	    ui->v->edit_item < p->first + p->count)
		focus = ui->v->edit_item - p->first;
	if (focus == nfields)
		focus = nfields + 1;
}

static void
page_leave(struct ui *ui)
{
	(void)ui;
	page_wipe();
}

/* The field's text as typed, trimmed of surrounding spaces (wipe_free). */
static char *
field_text(struct field *f)
{
	char *s = edit_get(&f->text), *start = s, *end;

	while (*start == ' ')
		start++;
	end = start + strlen(start);
	while (end > start && end[-1] == ' ')
		end--;
	*end = '\0';
	memmove(s, start, (size_t)(end - start) + 1);
	return s;
}

/* Compose "YYYY-MM-DD" from the three parts; NULL when all are empty. */
static char *
field_date(struct field *f, char **msg)
{
	char *d = edit_get(&f->date[0]), *m = edit_get(&f->date[1]);
	char *y = edit_get(&f->date[2]), *out = NULL;

	*msg = NULL;
	if (*d == '\0' && *m == '\0' && *y == '\0')
		goto done;
	if (*d == '\0' || *m == '\0' || strlen(y) != 4) {
		*msg = xstrdup(_("Please enter the day, the month and the "
		    "year (4 digits)."));
		goto done;
	}
	out = xasprintf("%s-%02d-%02d", y, atoi(m), atoi(d));
done:
	wipe_free(d);
	wipe_free(m);
	wipe_free(y);
	return out;
}

/* Store a field's typed value in the answers; its error is kept. */
static int
field_commit(struct ui *ui, struct field *f)
{
	const struct form_item *it = field_item(ui, f);
	char *v = NULL, *msg = NULL;
	int rc = 0;

	free(f->error);
	f->error = NULL;
	if (field_is_text(it))
		v = field_text(f);
	else if (it->type == ITEM_DATE) {
		v = field_date(f, &msg);
		if (msg != NULL) {
			f->error = msg;
			return -1;
		}
	} else
		return 0;	/* choices are stored as they are picked */
	if (ui_send(ui, &(struct session_event){ .type = SE_ANSWER,
	    .item = f->item, .text = v }, &msg) != 0) {
		f->error = msg;
		rc = -1;
	}
	wipe_free(v);
	return rc;
}

/* A required field left empty (after its commit) gets its mark. */
static bool
field_missing(struct ui *ui, struct field *f)
{
	const struct form_item *it = field_item(ui, f);

	if (f->error != NULL || it->type == ITEM_DISPLAY || !it->required ||
	    answers_get(ui->v->answers, f->item) != NULL)
		return false;
	f->error = xstrdup(field_noptions(it) > 0 ?
	    _("Please choose an answer.") : _("Please fill this in."));
	return true;
}

/*
 * Commit every enabled field; every problem is marked beside its field
 * at once, the first is focused, and the message line (below the fields)
 * says how many are marked above. 0 when all is fine.
 */
static int
page_commit(struct ui *ui)
{
	size_t i, nbad = 0;
	int bad = -1;
	char msg[160];

	for (i = 0; i < nfields; i++) {
		if (!field_enabled(ui, &fields[i]))
			continue;
		if (field_commit(ui, &fields[i]) != 0 ||
		    field_missing(ui, &fields[i])) {
			nbad++;
			if (bad < 0)
				bad = (int)i;
		}
	}
	if (bad < 0) {
		ui_set_message(ui, NULL);
		return 0;
	}
	focus = (size_t)bad;
	snprintf(msg, sizeof msg, ngettext("Please check the answer marked "
	    "above.", "Please check the %zu answers marked above.", nbad),
	    nbad);
	ui_set_message(ui, msg);
	return -1;
}

/* Pick option o of field f (toggle in a multiple choice). */
static void
field_pick(struct ui *ui, struct field *f, size_t o)
{
	const struct form_item *it = field_item(ui, f);
	char *msg = NULL, *v;
	size_t j, len = 0;

	if (o >= field_noptions(it))
		return;
	f->cursor = o;
	free(f->error);
	f->error = NULL;
	if (!(it->type == ITEM_CHOICE && it->multiple)) {
		if (ui_send(ui, &(struct session_event){ .type = SE_ANSWER,
		    .item = f->item, .text = option_code(it, o) }, &msg) != 0)
			f->error = msg;
		return;
	}
	v = xcalloc(1, 1);
	for (j = 0; j < it->noptions; j++) {
		bool on = option_selected(ui, it, f->item, j);

		if (j == o)
			on = !on;
		if (!on)
			continue;
		v = xrealloc(v, len + strlen(it->options[j].code) + 2);
		len += (size_t)snprintf(v + len, strlen(it->options[j].code) + 2,
		    "%s%s", len > 0 ? "," : "", it->options[j].code);
	}
	if (ui_send(ui, &(struct session_event){ .type = SE_ANSWER,
	    .item = f->item, .text = len > 0 ? v : NULL }, &msg) != 0)
		f->error = msg;
	free(v);
}

/* Rows text takes wrapped at width columns. */
static int
wrap_rows(const char *text, int width)
{
	int n;
	char **lines = draw_wrap(text, width, &n);

	draw_wrap_free(lines, n);
	return n;
}

/* The option mark "(*) 1. " for option o. */
static void
option_mark(const struct form_item *it, size_t o, bool sel, char *mark,
    size_t size)
{
	bool multi = it->type == ITEM_CHOICE && it->multiple;

	snprintf(mark, size, multi ? "[%c] %zu. " : "(%c) %zu. ",
	    sel ? (multi ? 'x' : '*') : ' ', o + 1);
}

/* Columns an option's label wraps at, after its mark at column 4. */
static int
option_width(const struct form_item *it, size_t o, int width)
{
	char mark[16];

	option_mark(it, o, false, mark, sizeof mark);
	return width - 2 - (int)strlen(mark);
}

/* Draw text wrapped at width from row y (virtual rows outside the page
 * body are skipped); returns the row after it. */
static int
draw_lines(int y, int x, int width, const char *text)
{
	int n, i;
	char **lines = draw_wrap(text, width, &n);

	for (i = 0; i < n; i++, y++)
		if (y >= 4 && y < LINES - 4)
			draw_text(y, x, width, lines[i]);
	draw_wrap_free(lines, n);
	return y;
}

/* Layout: rows each field takes; returns the total. */
static int
page_layout(struct ui *ui, int width)
{
	int row = 0, i;

	for (i = 0; i < (int)nfields; i++) {
		struct field *f = &fields[i];
		const struct form_item *it = field_item(ui, f);

		f->row = row;
		f->height = 0;
		if (!field_enabled(ui, f))
			continue;
		f->height = wrap_rows(form_text(&it->text, ui->lang), width) +
		    1;
		if (it->help.n > 0)
			f->height += wrap_rows(form_text(&it->help, ui->lang),
			    width - 2);
		if (f->error != NULL)
			f->height += wrap_rows(f->error, width - 4);
		if (field_noptions(it) > 0) {
			for (size_t o = 0; o < field_noptions(it); o++)
				f->height += wrap_rows(option_label(ui, it, o),
				    option_width(it, o, width));
		} else if (it->type != ITEM_DISPLAY)
			f->height++;
		row += f->height;
	}
	return row;
}

/* Returns the row after the options. */
static int
draw_options(struct ui *ui, struct field *f, size_t fi, int y, bool focused,
    int width)
{
	const struct form_item *it = field_item(ui, f);
	char mark[16];
	size_t o;
	int n, i, mw;
	char **lines;

	for (o = 0; o < field_noptions(it); o++) {
		bool sel = option_selected(ui, it, f->item, o);
		bool here = focused && f->cursor == o;

		option_mark(it, o, sel, mark, sizeof mark);
		mw = (int)strlen(mark);
		lines = draw_wrap(option_label(ui, it, o),
		    option_width(it, o, width), &n);
		for (i = 0; i < n; i++, y++) {
			if (y < 4 || y >= LINES - 4)
				continue;
			attrset(here ? A_REVERSE | A_BOLD : A_NORMAL);
			if (sel)
				attron(A_BOLD);
			if (i == 0)
				mvaddstr(y, 4, mark);
			draw_text(y, 4 + mw, width - 2 - mw, lines[i]);
			attrset(A_NORMAL);
			if (here && i == 0) {
				mvaddstr(y, 2, ">");
				draw_cursor(y, 5);
			}
			ui_hit_add(ui, y, 4, COLS - 4,
			    HIT_OPTION((int)fi, (int)o));
		}
		draw_wrap_free(lines, n);
	}
	return y;
}

static void
draw_date(struct ui *ui, struct field *f, size_t fi, int y, bool focused)
{
	const char *labels[3];
	static const int widths[] = { 3, 3, 5 };
	int x = 4, s;

	labels[0] = _("Day");
	labels[1] = _("Month");
	labels[2] = _("Year");
	for (s = 0; s < 3; s++) {
		x += draw_text(y, x, COLS - x, labels[s]) + 1;
		edit_draw(&f->date[s], y, x, widths[s], focused && f->sub == s);
		ui_hit_add(ui, y, x, x + widths[s], HIT_EDIT((int)fi, s));
		x += widths[s] + 3;
	}
}

static void
draw_field(struct ui *ui, size_t fi, int width)
{
	struct field *f = &fields[fi];
	const struct form_item *it = field_item(ui, f);
	int y = 4 + f->row - top;
	bool focused = focus == fi;

	attrset(it->type == ITEM_DISPLAY ? A_NORMAL : A_BOLD);
	y = draw_lines(y, 2, width, form_text(&it->text, ui->lang));
	attrset(A_NORMAL);
	if (it->help.n > 0)
		y = draw_lines(y, 4, width - 2, form_text(&it->help, ui->lang));
	if (y >= 4 && y < LINES - 4) {
		if (field_is_text(it)) {
			edit_draw(&f->text, y, 4, COLS - 12 < 60 ? COLS - 12 : 60,
			    focused);
			ui_hit_add(ui, y, 4, 64, HIT_EDIT((int)fi, 0));
		} else if (it->type == ITEM_DATE)
			draw_date(ui, f, fi, y, focused);
		if (focused && (field_is_text(it) || it->type == ITEM_DATE))
			mvaddstr(y, 2, ">");
	}
	if (field_noptions(it) > 0)
		y = draw_options(ui, f, fi, y, focused, width);
	else if (it->type != ITEM_DISPLAY)
		y++;
	if (f->error != NULL) {
		attrset(A_BOLD);
		if (y >= 4 && y < LINES - 4)
			mvaddstr(y, 4, "! ");
		draw_lines(y, 6, width - 4, f->error);
		attrset(A_NORMAL);
	}
}

static void
page_draw(struct ui *ui)
{
	const struct form_section *sec = &ui->form->sections[ui->v->form_page.section];
	int width = COLS - 6, total, view = LINES - 8;
	char progress[64] = "";
	size_t k, n, i;

	if (sec->one_per_page) {
		form_page_progress(ui->form, ui->v->answers,
		    &ui->v->form_page, &k, &n);
		if (n > 0 && k > 0)
			snprintf(progress, sizeof progress, _("Question %zu of %zu"),
			    k, n);
	}
	draw_frame(ui, form_text(&sec->title, ui->lang), progress,
	    _("Enter: next  Esc: back  Tab: field  1-9, Space: choose"));
	total = page_layout(ui, width);
	/* Keep the focused field in view. */
	if (focus < nfields) {
		struct field *f = &fields[focus];

		if (f->row + f->height > top + view)
			top = f->row + f->height - view;
		if (f->row < top)
			top = f->row;
	}
	if (top > total - view)
		top = total - view > 0 ? total - view : 0;
	for (i = 0; i < nfields; i++)
		if (field_enabled(ui, &fields[i]))
			draw_field(ui, i, width);
	draw_more(top > 0, top + view < total);
	draw_button(ui, LINES - 2, 2, _("Back"), focus == nfields, HIT_BACK);
	draw_button(ui, LINES - 2, COLS - 16, _("Continue"), focus == nfields + 1,
	    HIT_NEXT);
}

/* Move focus to the next (dir 1) or previous (dir -1) stop. */
static void
page_tab(struct ui *ui, int dir)
{
	struct field *f = focus < nfields ? &fields[focus] : NULL;
	size_t stops = nfields + 2, i;

	if (f != NULL && field_item(ui, f)->type == ITEM_DATE &&
	    f->sub + dir >= 0 && f->sub + dir <= 2) {
		f->sub += dir;
		return;
	}
	for (i = 0; i < stops; i++) {
		focus = (focus + stops + (size_t)(dir > 0 ? 1 : stops - 1)) %
		    stops;
		if (focus >= nfields || field_enabled(ui, &fields[focus]))
			break;
	}
	if (focus < nfields)
		fields[focus].sub = dir > 0 ? 0 : 2;
}

/* Save what is valid without complaint (for Esc: answers are kept). */
static void
page_save_quietly(struct ui *ui)
{
	size_t i;

	for (i = 0; i < nfields; i++) {
		if (!field_enabled(ui, &fields[i]))
			continue;
		field_commit(ui, &fields[i]);
		free(fields[i].error);
		fields[i].error = NULL;
	}
}

static enum session_ev
page_continue(struct ui *ui)
{
	struct field *f = focus < nfields ? &fields[focus] : NULL;
	const struct form_item *it = f != NULL ? field_item(ui, f) : NULL;

	/*
	 * Enter on an unanswered single choice picks what the client moved
	 * the cursor to; never a default (Enter alone must not mean "Yes").
	 */
	if (it != NULL && field_noptions(it) > 0 && !it->multiple &&
	    f->moved && answers_get(ui->v->answers, f->item) == NULL)
		field_pick(ui, f, f->cursor);
	/*
	 * Enter on a field before the last moves on; the last submits (and
	 * so does any, on a page opened from the review to change one).
	 */
	if (f != NULL && !ui->v->editing && focus_from(ui, focus + 1) < nfields) {
		f->sub = 2;
		page_tab(ui, 1);
		return SE_NONE;
	}
	return page_commit(ui) == 0 ? SE_NEXT : SE_NONE;
}

static enum session_ev
page_click(struct ui *ui, const struct key *k)
{
	int id = ui_hit_find(ui, k->y, k->x);

	if (id == HIT_BACK) {
		page_save_quietly(ui);
		return SE_BACK;
	}
	if (id == HIT_NEXT)
		return page_commit(ui) == 0 ? SE_NEXT : SE_NONE;
	if (id < 0 || (size_t)(id / 100) >= nfields)
		return SE_NONE;
	focus = (size_t)(id / 100);
	if (id % 100 >= 90)
		fields[focus].sub = id % 100 - 90;
	else
		field_pick(ui, &fields[focus], (size_t)(id % 100));
	return SE_NONE;
}

/* Keys for a yes / no / not sure or choice field. */
static bool
options_key(struct ui *ui, struct field *f, const struct key *k)
{
	const struct form_item *it = field_item(ui, f);
	size_t n = field_noptions(it);

	switch (k->act) {
	case ACT_UP:
		if (f->cursor == 0)
			return false;
		f->cursor--;
		f->moved = true;
		return true;
	case ACT_DOWN:
		if (f->cursor + 1 >= n)
			return false;
		f->cursor++;
		f->moved = true;
		return true;
	case ACT_SPACE:
		field_pick(ui, f, f->cursor);
		return true;
	case ACT_DIGIT:
		if ((size_t)k->digit <= n)
			field_pick(ui, f, (size_t)k->digit - 1);
		return true;
	case ACT_YES:
	case ACT_NO:
		if (it->type == ITEM_BOOLEAN)
			field_pick(ui, f, k->act == ACT_YES ? 0 : 1);
		return true;
	default:
		return false;
	}
}

/* Keys for a text or date field; date parts move on when full. */
static bool
text_key(struct ui *ui, struct field *f, const struct key *k)
{
	const struct form_item *it = field_item(ui, f);
	struct edit *e = it->type == ITEM_DATE ? &f->date[f->sub] : &f->text;
	size_t before = e->len;

	if (it->type == ITEM_DATE && k->act == ACT_BACKSPACE && e->cur == 0 &&
	    f->sub > 0) {
		f->sub--;
		return true;
	}
	if (!edit_key(e, k))
		return false;
	if (it->type == ITEM_DATE && e->len == e->max && before < e->max &&
	    f->sub < 2)
		f->sub++;
	return true;
}

/*
 * On a yes / no question the first letters of the words on screen answer
 * it too ("s" for "Sí"); y and n always do.
 */
static struct key
yes_no_key(const struct form_item *it, const struct key *k)
{
	struct key out = *k;
	wint_t c = towlower((wint_t)k->ch);
	wchar_t yes[4] = L"", no[4] = L"";

	if (it == NULL || it->type != ITEM_BOOLEAN || k->act != ACT_CHAR)
		return out;
	if (mbstowcs(yes, _("Yes"), 3) == (size_t)-1 ||
	    mbstowcs(no, _("No"), 3) == (size_t)-1)
		return out;
	if (c == towlower((wint_t)yes[0]))
		out.act = ACT_YES;
	else if (c == towlower((wint_t)no[0]))
		out.act = ACT_NO;
	return out;
}

static enum session_ev
page_key(struct ui *ui, const struct key *key)
{
	struct field *f = focus < nfields ? &fields[focus] : NULL;
	const struct form_item *it = f != NULL ? field_item(ui, f) : NULL;
	struct key yn = yes_no_key(it != NULL ? it : nfields == 1 ?
	    field_item(ui, &fields[0]) : NULL, key);
	const struct key *k = &yn;

	switch (k->act) {
	case ACT_ESC:
		page_save_quietly(ui);
		return SE_BACK;
	case ACT_ENTER:
		if (focus == nfields) {
			page_save_quietly(ui);
			return SE_BACK;
		}
		return page_continue(ui);
	case ACT_CLICK:
		return page_click(ui, k);
	case ACT_TAB:
		page_tab(ui, 1);
		return SE_NONE;
	case ACT_BTAB:
		page_tab(ui, -1);
		return SE_NONE;
	default:
		break;
	}
	if (it != NULL && field_noptions(it) > 0 && options_key(ui, f, k))
		return SE_NONE;
	if (it != NULL && (field_is_text(it) || it->type == ITEM_DATE) &&
	    text_key(ui, f, k)) {
		free(f->error);		/* typing answers the mark */
		f->error = NULL;
		return SE_NONE;
	}
	if (k->act == ACT_DOWN || k->act == ACT_UP) {
		if (f != NULL)
			f->sub = k->act == ACT_DOWN ? 2 : 0;	/* leave the date */
		page_tab(ui, k->act == ACT_DOWN ? 1 : -1);
	}
	/* On a page with one yes/no question, y and n answer it anywhere. */
	if ((k->act == ACT_YES || k->act == ACT_NO) && nfields == 1 &&
	    field_item(ui, &fields[0])->type == ITEM_BOOLEAN) {
		focus = 0;
		options_key(ui, &fields[0], k);
	}
	return SE_NONE;
}

const struct screen screen_page = {
	.name = "page",
	.enter = page_enter,
	.leave = page_leave,
	.draw = page_draw,
	.key = page_key,
};
