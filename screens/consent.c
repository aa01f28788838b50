/*
 * consent.c: the consent form (read to the end), its clauses (accepted one
 * by one, each time-stamped), the typed signature, and the decline
 * confirmation. A declined consent is stored too, never dropped.
 */
#include "edit.h"
#include "scroll.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "util.h"

#define HIT_DECLINE 9000
#define HIT_NEXT 9001

static struct scroll consent_text;
static struct edit signature;
static bool focus_decline;	/* decline page: 1 when "Decline" is focused */
/*
 * Consent, clause and signature pages: what Tab has focused. 0 is the
 * page's own action (Continue, I agree, the signature field), 1 Decline,
 * 2 the Sign button (signature page only).
 */
static int focus;

/* Tab / Shift-Tab over n stops. */
static bool
focus_key(const struct key *k, int n)
{
	if (k->act == ACT_TAB)
		focus = (focus + 1) % n;
	else if (k->act == ACT_BTAB)
		focus = (focus + n - 1) % n;
	else
		return false;
	return true;
}

static enum session_ev
button_hit(struct ui *ui, const struct key *k, enum session_ev on_next)
{
	switch (ui_hit_find(ui, k->y, k->x)) {
	case HIT_DECLINE:
		return SE_DECLINE;
	case HIT_NEXT:
		return on_next;
	default:
		return SE_NONE;
	}
}

static void
consent_enter(struct ui *ui)
{
	(void)ui;
	scroll_free(&consent_text);
	focus = 0;
}

static void
consent_leave(struct ui *ui)
{
	(void)ui;
	scroll_free(&consent_text);
}

static void
consent_draw(struct ui *ui)
{
	const struct form_consent *c = &ui->form->consent;
	char progress[64];

	snprintf(progress, sizeof progress, _("Consent version %s"),
	    c->version);
	draw_frame(ui, form_text(&c->title, ui->lang), progress,
	    consent_text.seen_end ?
	    _("Enter: continue  PgUp/PgDn, Home/End: read  Esc: back") :
	    _("Enter: read on  PgUp/PgDn, Home/End: read  Esc: back"));
	scroll_set(&consent_text, form_text(&c->text, ui->lang), COLS - 6);
	scroll_draw(&consent_text, 4, 2, LINES - 8);
	if (!consent_text.seen_end) {
		draw_text(LINES - 2, 16, COLS - 32,
		    _("(read to the end to continue)"));
		if (focus == 0)
			draw_cursor(4, 2);	/* on the text being read */
	}
	draw_button(ui, LINES - 2, 2, _("Decline"), focus == 1, HIT_DECLINE);
	if (consent_text.seen_end)
		draw_button(ui, LINES - 2, COLS - 16, _("Continue"), focus == 0,
		    HIT_NEXT);
}

static enum session_ev
consent_key(struct ui *ui, const struct key *k)
{
	struct key page = { .act = ACT_PGDN };

	if (consent_text.seen_end && !ui->v->consent_read)
		ui_send(ui, &(struct session_event){ .type = SE_CONSENT_READ },
		    NULL);
	if (focus_key(k, 2))
		return SE_NONE;
	switch (k->act) {
	case ACT_ENTER:
		if (focus == 1)
			return SE_DECLINE;
		if (consent_text.seen_end)
			return SE_NEXT;
		scroll_key(&consent_text, &page);
		return SE_NONE;
	case ACT_ESC:
		return SE_BACK;
	case ACT_CLICK:
		return button_hit(ui, k, consent_text.seen_end ? SE_NEXT :
		    SE_NONE);
	default:
		scroll_key(&consent_text, k);
		return SE_NONE;
	}
}

static void
clause_nothing(struct ui *ui)
{
	(void)ui;
}

static void
clause_enter(struct ui *ui)
{
	(void)ui;
	focus = 0;
}

static void
clause_draw(struct ui *ui)
{
	const struct form_consent *c = &ui->form->consent;
	size_t i = ui->v->clause;
	char progress[64], **lines;
	int n, l;

	snprintf(progress, sizeof progress, _("Agreement %zu of %zu"), i + 1,
	    c->nclauses);
	draw_frame(ui, form_text(&c->title, ui->lang), progress,
	    _("Enter or y: I agree  Tab: switch button  Esc: back"));
	lines = draw_wrap(form_text(&c->clauses[i].text, ui->lang), COLS - 8,
	    &n);
	attrset(A_BOLD);
	for (l = 0; l < n && 5 + l < LINES - 4; l++)
		draw_text(5 + l, 4, COLS - 8, lines[l]);
	attrset(A_NORMAL);
	draw_wrap_free(lines, n);
	draw_button(ui, LINES - 2, 2, _("Decline"), focus == 1, HIT_DECLINE);
	draw_button(ui, LINES - 2, COLS - 4 - draw_width(_("I agree")) - 4,
	    _("I agree"), focus == 0, HIT_NEXT);
}

static enum session_ev
clause_key(struct ui *ui, const struct key *k)
{
	enum session_ev ev = SE_NONE;

	if (focus_key(k, 2))
		return SE_NONE;
	if (k->act == ACT_ENTER && focus == 1)
		ev = SE_DECLINE;
	else if (k->act == ACT_ENTER || k->act == ACT_YES ||
	    key_is_yes(k))
		ev = SE_NEXT;
	else if (k->act == ACT_ESC)
		ev = SE_BACK;
	else if (k->act == ACT_CLICK)
		ev = button_hit(ui, k, SE_NEXT);
	return ev;	/* the session time-stamps the clause on SE_NEXT */
}

static void
sign_enter(struct ui *ui)
{
	(void)ui;
	edit_init(&signature, 130, false);
	focus = 0;
}

static void
sign_leave(struct ui *ui)
{
	(void)ui;
	edit_wipe(&signature);
}

static void
sign_draw(struct ui *ui)
{
	const struct form_consent *c = &ui->form->consent;

	char **lines;
	int n, l, y = 5;

	draw_frame(ui, form_text(&c->title, ui->lang), NULL,
	    _("Enter: sign  Tab: buttons  Esc: back"));
	lines = draw_wrap(form_text(&c->signature, ui->lang), COLS - 8, &n);
	for (l = 0; l < n && y < LINES - 8; l++)
		draw_text(y++, 4, COLS - 8, lines[l]);
	draw_wrap_free(lines, n);
	y++;
	edit_draw(&signature, y, 4, COLS - 12 < 60 ? COLS - 12 : 60,
	    focus == 0);
	y += 2;
	lines = draw_wrap(_("By signing you agree to the consent form and "
	    "each point you accepted."), COLS - 8, &n);
	for (l = 0; l < n && y < LINES - 3; l++)
		draw_text(y++, 4, COLS - 8, lines[l]);
	draw_wrap_free(lines, n);
	draw_button(ui, LINES - 2, 2, _("Decline"), focus == 1, HIT_DECLINE);
	draw_button(ui, LINES - 2, COLS - 16, _("Sign"), focus != 1, HIT_NEXT);
}

static enum session_ev
sign_submit(struct ui *ui)
{
	char *typed = edit_get(&signature), *msg = NULL;

	if (ui_send(ui, &(struct session_event){ .type = SE_SIGN,
	    .text = typed }, &msg) != 0) {
		ui_set_message(ui, msg);
		free(msg);
	}
	wipe_free(typed);
	return SE_NONE;
}

static enum session_ev
sign_key(struct ui *ui, const struct key *k)
{
	enum session_ev ev;

	if (focus_key(k, 3))
		return SE_NONE;
	switch (k->act) {
	case ACT_ENTER:
		return focus == 1 ? SE_DECLINE : sign_submit(ui);
	case ACT_ESC:
		return SE_BACK;
	case ACT_CLICK:
		ev = button_hit(ui, k, SE_NEXT);
		return ev == SE_NEXT ? sign_submit(ui) : ev;
	default:
		if (focus == 0)
			edit_key(&signature, k);
		return SE_NONE;
	}
}

static void
decline_enter(struct ui *ui)
{
	(void)ui;
	focus_decline = false;
}

static void
decline_draw(struct ui *ui)
{
	const char *lines[2];

	lines[0] = _("If you do not consent, we will not treat you today.");
	lines[1] = _("Your answers are kept and a member of our team will "
	    "talk with you.");
	draw_confirm(ui, _("Decline the consent?"), lines, 2, _("Go back"),
	    _("Decline consent"), focus_decline);
}

/* The session records the decline on SE_NEXT from this page. */
static enum session_ev
decline_key(struct ui *ui, const struct key *k)
{
	bool yes = focus_decline;
	int r = confirm_key(ui, k, &yes);

	focus_decline = yes;
	return r == 1 ? SE_NEXT : r == 0 ? SE_BACK : SE_NONE;
}

const struct screen screen_consent = {
	.name = "consent",
	.enter = consent_enter,
	.leave = consent_leave,
	.draw = consent_draw,
	.key = consent_key,
};

const struct screen screen_clause = {
	.name = "clause",
	.enter = clause_enter,
	.leave = clause_nothing,
	.draw = clause_draw,
	.key = clause_key,
};

const struct screen screen_sign = {
	.name = "sign",
	.enter = sign_enter,
	.leave = sign_leave,
	.draw = sign_draw,
	.key = sign_key,
};

const struct screen screen_decline = {
	.name = "decline",
	.enter = decline_enter,
	.leave = clause_nothing,
	.draw = decline_draw,
	.key = decline_key,
};
