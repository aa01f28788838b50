/*
 * ui.c: the kiosk's one event loop. It owns the terminal (start, resize,
 * restore), blocks in wget_wch with a timeout taken from the nearest
 * deadline (idle warning, countdown, thank-you page), turns keys into
 * actions, hands them to the current screen, and feeds the screen's event
 * to the flow, which alone decides the next page. It also wipes a
 * client's data when they leave, finish or walk away.
 */
#include "ui.h"

#include <curses.h>
#include <poll.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "date.h"
#include "keys.h"
#include "staff.h"
#include "store.h"
#include "sync.h"
#include "util.h"

static volatile sig_atomic_t ui_quit;
static int saved_stderr = -1;

static const struct screen *const screens[] = {
	[FLOW_WELCOME] = &screen_welcome,
	[FLOW_ABOUT] = &screen_about,
	[FLOW_PAGE] = &screen_page,
	[FLOW_REVIEW] = &screen_review,
	[FLOW_CONSENT] = &screen_consent,
	[FLOW_CLAUSE] = &screen_clause,
	[FLOW_SIGN] = &screen_sign,
	[FLOW_DECLINE] = &screen_decline,
	[FLOW_COMMIT] = &screen_commit,
	[FLOW_THANKS] = &screen_thanks,
	[FLOW_PIN] = &screen_pin,
	[FLOW_STAFF_HOME] = &screen_staff_home,
	[FLOW_STAFF_DETAIL] = &screen_staff_detail,
	[FLOW_STAFF_DECIDE] = &screen_staff_decide,
	[FLOW_STAFF_SYNC] = &screen_staff_sync,
	[FLOW_STAFF_EXIT] = &screen_staff_exit,
	[FLOW_QUIT] = &screen_welcome,
};

int64_t
ui_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
ui_set_message(struct ui *ui, const char *msg)
{
	free(ui->message);
	ui->message = msg == NULL ? NULL : xstrdup(msg);
}

void
ui_hit_add(struct ui *ui, int y, int x0, int x1, int id)
{
	if (ui->nhits >= UI_MAX_HITS)
		return;
	ui->hits[ui->nhits++] = (struct ui_hit){ y, x0, x1, id };
}

int
ui_hit_find(const struct ui *ui, int y, int x)
{
	int i;

	for (i = 0; i < ui->nhits; i++) {
		if (ui->hits[i].y == y && x >= ui->hits[i].x0 &&
		    x < ui->hits[i].x1)
			return ui->hits[i].id;
	}
	return -1;
}

static void
ui_on_signal(int sig)
{
	(void)sig;
	ui_quit = 1;
}

/* End curses and give stderr back, so a fatal message can be read. */
static void
ui_restore(void)
{
	if (!isendwin())
		endwin();
	if (saved_stderr != -1) {
		dup2(saved_stderr, STDERR_FILENO);
		close(saved_stderr);
		saved_stderr = -1;
	}
}

/*
 * Signals: Ctrl-C, Ctrl-Z and Ctrl-\ arrive as keys in raw mode and are
 * ignored; their signals are ignored too in case they come from elsewhere.
 * SIGTERM and SIGHUP end the loop (no SA_RESTART, so a blocked read
 * returns) and the terminal is restored.
 */
static int
ui_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGINT, &sa, NULL) != 0 ||
	    sigaction(SIGQUIT, &sa, NULL) != 0 ||
	    sigaction(SIGTSTP, &sa, NULL) != 0 ||
	    sigaction(SIGPIPE, &sa, NULL) != 0)
		return -1;
	sa.sa_handler = ui_on_signal;
	if (sigaction(SIGTERM, &sa, NULL) != 0 ||
	    sigaction(SIGHUP, &sa, NULL) != 0)
		return -1;
	return 0;
}

/* Make sure wide characters decode as UTF-8 whatever the environment says. */
static void
ui_locale(void)
{
	const char *cs;

	setlocale(LC_ALL, "");
	cs = setlocale(LC_CTYPE, NULL);
	if (cs == NULL || (strstr(cs, "UTF-8") == NULL &&
	    strstr(cs, "utf8") == NULL))
		setlocale(LC_CTYPE, "C.UTF-8");
}

static int
ui_start(struct ui *ui)
{
	int devnull;

	ui_locale();
	if (getenv("ESCDELAY") == NULL)
		set_escdelay(25);
	if (initscr() == NULL)
		return -1;
	fatal_hook = ui_restore;
	/* Nothing may write over the screen: stderr goes nowhere meanwhile. */
	saved_stderr = dup(STDERR_FILENO);
	devnull = open("/dev/null", O_WRONLY);
	if (devnull != -1) {
		dup2(devnull, STDERR_FILENO);
		close(devnull);
	}
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(getenv("ESCDELAY") == NULL ? 25 : ESCDELAY);
	mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED, NULL);
	mouseinterval(0);
	if (has_colors() && start_color() == OK) {
		use_default_colors();
		init_pair(1, COLOR_WHITE, COLOR_BLUE);
		ui->has_color = 1;
	}
	curs_set(0);
	return 0;
}

/* Forget the client entirely: answers wiped, screen cleared. */
static void
ui_wipe(struct ui *ui)
{
	intake_free(ui->intake);
	ui->intake = NULL;
	ui_set_message(ui, NULL);
	ui->idle_warning = false;
	clearok(curscr, TRUE);
}

static const struct screen *
ui_screen(const struct ui *ui)
{
	return screens[ui->flow.state];
}

/* Move from the current screen to whatever the flow says now. */
static void
ui_switch(struct ui *ui, const struct screen *from)
{
	from->leave(ui);
	ui_set_message(ui, NULL);
	ui->entered_ms = ui_now_ms();
	ui->tick_until_ms = 0;
	if (ui->flow.state == FLOW_WELCOME)
		ui_wipe(ui);
	ui_screen(ui)->enter(ui);
}

/* Store the intake; on failure stay on the commit page with a notice. */
static void
ui_commit(struct ui *ui)
{
	char *cause = NULL;
	struct kdate today = date_today();

	if (intake_commit(ui->intake, ui->store, ui->cfg->kiosk_id,
	    time_now_ms(), today, &cause) != 0) {
		syslog(LOG_ERR, "intake %s not stored: %s", ui->intake->id,
		    cause);
		free(cause);
		ui_set_message(ui, "We could not save your check-in. Please "
		    "tell a member of staff. (Enter tries again)");
		return;
	}
	syslog(LOG_INFO, "intake %s stored, outcome %s", ui->intake->id,
	    form_level_name(ui->intake->outcome));
	sync_wake(ui->sync);
	flow_event(&ui->flow, EV_STORED);
	ui_switch(ui, &screen_commit);
}

static void
ui_dispatch(struct ui *ui, enum flow_event ev)
{
	const struct screen *from = ui_screen(ui);

	if (ev == EV_NONE)
		return;
	if (ui->flow.state == FLOW_WELCOME && ev == EV_NEXT) {
		ui->intake = intake_new(ui->form, ui->lang, (int64_t)time(NULL));
		if (ui->intake == NULL) {
			ui_set_message(ui, "Sorry, the kiosk cannot start a "
			    "check-in. Please ask at the desk.");
			return;
		}
		flow_start(&ui->flow, ui->intake->answers);
	} else if (ui->flow.state == FLOW_COMMIT && ev == EV_NEXT) {
		ui_commit(ui);
		return;
	} else
		flow_event(&ui->flow, ev);
	ui_switch(ui, from);
	if (ui->flow.state == FLOW_COMMIT)
		ui_commit(ui);
}

/* Milliseconds until the next thing happens by itself, or -1 for none. */
static int
ui_next_deadline(const struct ui *ui, int64_t now)
{
	int64_t idle = (int64_t)ui->cfg->idle_timeout_s * 1000;
	int64_t warn = (int64_t)ui->cfg->idle_warning_s * 1000;
	int64_t at;

	if (ui->flow.state == FLOW_THANKS)
		at = ui->entered_ms + UI_THANKS_S * 1000;
	else if (flow_staff_active(&ui->flow))
		at = ui->last_input_ms + ui->cfg->staff_idle_logout_s * 1000LL;
	else if (!flow_client_active(&ui->flow))
		at = ui->purge_at_ms;
	else if (!ui->idle_warning)
		at = ui->last_input_ms + idle;
	else {
		/* Tick every second for the countdown. */
		at = ui->last_input_ms + idle + warn;
		if (at - now > 1000)
			at = now + 1000 - (now - ui->last_input_ms) % 1000;
	}
	if (ui->purge_at_ms < at)
		at = ui->purge_at_ms;
	/* Countdowns on screen (a PIN lockout) tick every second. */
	if (ui->tick_until_ms > now && at - now > 1000)
		at = now + 1000;
	if (at <= now)
		return 0;
	if (at - now > 24 * 3600 * 1000LL)
		return 24 * 3600 * 1000;
	return (int)(at - now);
}

static void
ui_audit(struct ui *ui, const char *actor, const char *action,
    const char *subject)
{
	char *cause = NULL;

	if (store_audit(ui->store, actor, action, subject, &cause) != 0) {
		syslog(LOG_ERR, "audit: %s", cause);
		free(cause);
	}
}

/* Retention: at start-up and then once a day. */
static void
ui_purge(struct ui *ui, int64_t now)
{
	char *cause = NULL;
	long purged = 0;

	ui->purge_at_ms = now + 24 * 3600 * 1000LL;
	if (staff_purge(ui->store, ui->cfg->retention_days, (int64_t)time(NULL),
	    &purged, &cause) != 0) {
		syslog(LOG_ERR, "retention: %s", cause);
		free(cause);
		return;
	}
	if (purged > 0)
		syslog(LOG_INFO, "retention: personal data of %ld intakes "
		    "removed", purged);
}

static void
ui_deadlines(struct ui *ui, int64_t now)
{
	int64_t idle = (int64_t)ui->cfg->idle_timeout_s * 1000;
	int64_t warn = (int64_t)ui->cfg->idle_warning_s * 1000;
	const struct screen *from = ui_screen(ui);

	if (ui->flow.state == FLOW_THANKS &&
	    now >= ui->entered_ms + UI_THANKS_S * 1000) {
		flow_event(&ui->flow, EV_DONE);
		ui_switch(ui, from);
		return;
	}
	if (now >= ui->purge_at_ms)
		ui_purge(ui, now);
	if (flow_staff_active(&ui->flow) && now >= ui->last_input_ms +
	    ui->cfg->staff_idle_logout_s * 1000LL) {
		syslog(LOG_INFO, "staff signed out after idle timeout");
		if (ui->flow.state != FLOW_PIN && ui->flow.staff <
		    ui->cfg->nstaff)
			ui_audit(ui, ui->cfg->staff[ui->flow.staff].name,
			    "sign-out", "idle");
		flow_event(&ui->flow, EV_TIMEOUT);
		ui_switch(ui, from);
		return;
	}
	if (!flow_client_active(&ui->flow))
		return;
	if (now >= ui->last_input_ms + idle + warn) {
		syslog(LOG_INFO, "intake %s abandoned after idle timeout",
		    ui->intake != NULL ? ui->intake->id : "-");
		flow_event(&ui->flow, EV_TIMEOUT);
		ui_switch(ui, from);
	} else if (now >= ui->last_input_ms + idle)
		ui->idle_warning = true;
}

static void
ui_draw_small(void)
{
	erase();
	attrset(A_BOLD);
	mvaddnstr(LINES / 2 - (LINES > 1), 0, "Please enlarge", COLS);
	mvaddnstr(LINES / 2 + (LINES > 1 ? 0 : 1), 0, "this window", COLS);
	attrset(A_NORMAL);
}

static void
ui_draw_idle(struct ui *ui, int64_t now)
{
	int64_t left = ui->last_input_ms + (ui->cfg->idle_timeout_s +
	    ui->cfg->idle_warning_s) * 1000LL - now;
	int y = LINES / 2 - 3, x = (COLS - 50) / 2, i;
	char buf[80];

	if (left < 0)
		left = 0;
	attrset(A_REVERSE);
	for (i = 0; i < 6; i++)
		mvhline(y + i, x, ' ', 50);
	attrset(A_REVERSE | A_BOLD);
	mvaddstr(y + 1, x + 3, "Are you still there?");
	attrset(A_REVERSE);
	left = (left + 999) / 1000;
	snprintf(buf, sizeof buf, "Starting over in %lld second%s.",
	    (long long)left, left == 1 ? "" : "s");
	mvaddstr(y + 3, x + 3, buf);
	mvaddstr(y + 4, x + 3, "Press any key to continue.");
	attrset(A_NORMAL);
	draw_cursor(-1, -1);
}

static void
ui_draw(struct ui *ui, int64_t now)
{
	int cy, cx;

	ui->too_small = LINES < UI_MIN_LINES || COLS < UI_MIN_COLS;
	if (ui->too_small) {
		ui_draw_small();
		curs_set(0);
		refresh();
		return;
	}
	ui_screen(ui)->draw(ui);
	if (ui->idle_warning)
		ui_draw_idle(ui, now);
	draw_cursor_get(&cy, &cx);
	if (cy >= 0) {
		curs_set(1);
		move(cy, cx);
	} else
		curs_set(0);
	refresh();
}

/* One key: wakes an idle warning, else goes to the screen. */
static void
ui_key(struct ui *ui, const struct key *k, int64_t now)
{
	ui->last_input_ms = now;
	if (ui->idle_warning) {
		ui->idle_warning = false;
		return;
	}
	if (ui->too_small || k->act == ACT_IGNORE)
		return;
	ui_dispatch(ui, ui_screen(ui)->key(ui, k));
}

/*
 * Whether the terminal has gone (a serial line dropped, the emulator
 * closed without a SIGHUP reaching a kiosk started with setsid): wgetch
 * then returns ERR at once for ever. Asked only after an ERR.
 */
static bool
ui_hung_up(void)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	unsigned char b;
	ssize_t n;

	if (poll(&p, 1, 0) != 1)
		return false;
	if (p.revents & (POLLHUP | POLLERR | POLLNVAL))
		return true;
	if (!(p.revents & POLLIN))
		return false;
	/* Readable, yet wgetch had nothing: end of file, or a byte to keep. */
	n = read(STDIN_FILENO, &b, 1);
	if (n == 1) {
		ungetch(b);
		return false;
	}
	return n == 0 || (errno != EINTR && errno != EAGAIN);
}

/* Wait for a key until the next deadline, or briefly inside a sequence. */
static int
ui_getch(struct ui *ui, int64_t now)
{
	timeout(keys_waiting() ? KEYS_ESC_WAIT_MS : ui_next_deadline(ui, now));
	return getch();
}

int
ui_run(struct config *cfg, struct form *form, struct store *store,
    struct sync *sync)
{
	struct ui ui;
	struct key k;
	int64_t now;
	int c;

	memset(&ui, 0, sizeof ui);
	ui.cfg = cfg;
	ui.form = form;
	ui.store = store;
	ui.sync = sync;
	ui.lang = form->languages[0];
	flow_init(&ui.flow, form);
	if (ui_signals() != 0 || ui_start(&ui) != 0)
		return -1;
	ui.last_input_ms = ui.entered_ms = ui_now_ms();
	ui_purge(&ui, ui.last_input_ms);
	ui_screen(&ui)->enter(&ui);
	while (!ui_quit && ui.flow.state != FLOW_QUIT) {
		now = ui_now_ms();
		ui_draw(&ui, now);
		c = ui_getch(&ui, now);
		now = ui_now_ms();
		if (c == ERR && keys_waiting()) {
			if (keys_read(ERR, &k))	/* a lone Esc */
				ui_key(&ui, &k, now);
			continue;
		}
		if (c == ERR) {
			if (ui_hung_up()) {
				syslog(LOG_NOTICE, "terminal hung up: exiting");
				break;
			}
			ui_deadlines(&ui, now);
			continue;
		}
		if (c == KEY_RESIZE)
			continue;	/* the next draw re-reads the size */
		if (keys_read(c, &k))
			ui_key(&ui, &k, now);
	}
	ui_screen(&ui)->leave(&ui);
	ui_wipe(&ui);
	erase();
	refresh();
	ui_restore();
	free(ui.message);
	return 0;
}
