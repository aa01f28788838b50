/*
 * ui.c: the kiosk's one event loop. It owns the terminal (start, resize,
 * restore), blocks in wget_wch with a timeout the session gives (the
 * nearest deadline; none at all when nothing is due), turns keys into
 * actions, hands them to the current screen, and passes the screen's
 * event to the session, which alone decides what happens and which page
 * comes next. When the session's page moves, the old screen is left
 * (wiping what it held) and the new one entered.
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

#include "keys.h"
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
	[FLOW_STAFF_AUDIT] = &screen_staff_audit,
	[FLOW_STAFF_EXIT] = &screen_staff_exit,
	[FLOW_QUIT] = &screen_welcome,
};

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
	lang_init();
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
	if (!ui->v->high_contrast && has_colors() && start_color() == OK) {
		use_default_colors();
		init_pair(1, COLOR_WHITE, COLOR_BLUE);
		ui->has_color = 1;
	}
	curs_set(0);
	return 0;
}

static const struct screen *
ui_screen(const struct ui *ui)
{
	return screens[ui->v->page];
}

/* The session moved: leave the screen that was up, enter the new one. */
static void
ui_follow(struct ui *ui, const struct screen *from)
{
	if (ui->v->serial == ui->serial && ui_screen(ui) == from)
		return;
	from->leave(ui);
	ui_set_message(ui, NULL);
	ui->serial = ui->v->serial;
	if (ui->v->page == FLOW_WELCOME)
		clearok(curscr, TRUE);
	ui_screen(ui)->enter(ui);
}

int
ui_send(struct ui *ui, const struct session_event *ev, char **msg)
{
	const struct screen *from = ui_screen(ui);
	int rc = session_handle(ui->session, ev, msg);

	ui_follow(ui, from);
	return rc;
}

const char *
ui_notice_text(enum view_notice n)
{
	static const char *const words[] = {
		[NOTICE_NONE] = "",
		[NOTICE_START_FAILED] = N_("Sorry, the kiosk cannot start a "
		    "check-in. Please ask at the desk."),
		[NOTICE_COMMIT_FAILED] = N_("We could not save your check-in. "
		    "Please tell a member of staff. (Enter tries again)"),
		[NOTICE_PIN_FORMAT] = N_("A PIN is 6 to 12 digits."),
		[NOTICE_PIN_WRONG] = N_("Wrong PIN."),
		[NOTICE_PIN_WAIT] = N_("Not now: the prompt is waiting."),
		[NOTICE_STORE_FAILED] = N_("The data could not be read."),
		[NOTICE_CHOOSE_DECISION] = N_("Choose a decision (1, 2 or 3) "
		    "first."),
		[NOTICE_NOTE_REQUIRED] = N_("Clearing an excluded client needs "
		    "a note: write why, then Save again."),
		[NOTICE_SAVE_FAILED] = N_("The decision could not be saved."),
		[NOTICE_SAVED] = N_("Decision saved."),
		[NOTICE_SYNC_DUE] = N_("Sending now..."),
		[NOTICE_NO_SERVER] = N_("No clinic server is configured."),
		[NOTICE_REQUEUED] = N_("Parked records are back in the "
		    "queue."),
		[NOTICE_REQUEUE_FAILED] = N_("The parked records could not be "
		    "put back in the queue."),
	};

	return n > NOTICE_NONE && n <= NOTICE_REQUEUE_FAILED ?
	    _(words[n]) : "";
}

/* Time passed: the session checks its deadlines and new data. */
static void
ui_tick(struct ui *ui)
{
	const struct screen *from = ui_screen(ui);

	session_tick(ui->session);
	ui_follow(ui, from);
	if (ui->v->bells < ui->bells)
		ui->bells = ui->v->bells;	/* signed in anew */
	if (ui->v->bells > ui->bells) {
		ui->bells = ui->v->bells;
		beep();
	}
}

static void
ui_draw_small(void)
{
	erase();
	attrset(A_BOLD);
	mvaddnstr(LINES / 2 - (LINES > 1), 0, _("Please enlarge"), COLS);
	mvaddnstr(LINES / 2 + (LINES > 1 ? 0 : 1), 0, _("this window"), COLS);
	attrset(A_NORMAL);
}

/* "Are you still there?" over a cleared page: no fragments beside it. */
static void
ui_draw_idle(struct ui *ui)
{
	long left = ui->v->idle_left_s;
	int y = LINES / 2 - 3, x = (COLS - 56) / 2, i;
	char buf[160];

	erase();
	attrset(A_REVERSE);
	for (i = 0; i < 7; i++)
		mvhline(y + i, x, ' ', 56);
	attrset(A_REVERSE | A_BOLD);
	draw_text(y + 1, x + 3, 50, _("Are you still there?"));
	attrset(A_REVERSE);
	snprintf(buf, sizeof buf, ngettext("Starting over in %ld second.",
	    "Starting over in %ld seconds.", (unsigned long)left), left);
	draw_text(y + 3, x + 3, 50, buf);
	draw_text(y + 5, x + 3, 50, _("Press any key to continue."));
	attrset(A_NORMAL);
	draw_cursor(y + 5, x + 3);
}

static void
ui_draw(struct ui *ui)
{
	int cy, cx;

	ui->too_small = LINES < UI_MIN_LINES || COLS < UI_MIN_COLS;
	if (ui->too_small) {
		ui_draw_small();
		curs_set(0);
		refresh();
		return;
	}
	ui->lang = ui->v->lang;
	lang_use(lang_for(ui->v));
	ui_screen(ui)->draw(ui);
	if (ui->v->idle_warning)
		ui_draw_idle(ui);
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
ui_key(struct ui *ui, const struct key *k)
{
	if (session_input(ui->session))
		return;
	if (ui->too_small || k->act == ACT_IGNORE)
		return;
	ui->lang = ui->v->lang;
	lang_use(lang_for(ui->v));
	if (k->act == ACT_LANG || (k->act == ACT_CLICK &&
	    ui_hit_find(ui, k->y, k->x) == HIT_LANG)) {
		if (lang_next(ui) != NULL)
			ui_send(ui, &(struct session_event){ .type = SE_LANG,
			    .text = lang_next(ui) }, NULL);
		return;
	}
	ui_send(ui, &(struct session_event){
	    .type = ui_screen(ui)->key(ui, k) }, NULL);
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

int
ui_run(struct session *session)
{
	struct ui ui;
	struct key k;
	int c;

	memset(&ui, 0, sizeof ui);
	ui.session = session;
	ui.v = session_view(session);
	ui.form = ui.v->form;
	ui.lang = ui.v->lang;
	ui.serial = ui.v->serial;
	if (ui_signals() != 0 || ui_start(&ui) != 0)
		return -1;
	ui_screen(&ui)->enter(&ui);
	while (!ui_quit && ui.v->page != FLOW_QUIT) {
		ui_draw(&ui);
		/* Inside an escape sequence, wait only for the rest of it. */
		timeout(keys_waiting() ? KEYS_ESC_WAIT_MS :
		    (int)session_timeout_ms(session));
		c = getch();
		if (c == ERR && keys_waiting()) {
			if (keys_read(ERR, &k))	/* a lone Esc */
				ui_key(&ui, &k);
			continue;
		}
		if (c == ERR) {
			if (ui_hung_up()) {
				syslog(LOG_NOTICE, "terminal hung up: exiting");
				break;
			}
			ui_tick(&ui);
			continue;
		}
		if (c == KEY_RESIZE)
			continue;	/* the next draw re-reads the size */
		if (keys_read(c, &k))
			ui_key(&ui, &k);
		if (session_timeout_ms(session) == 0)
			ui_tick(&ui);	/* a deadline passed while typing */
	}
	ui_screen(&ui)->leave(&ui);
	erase();
	refresh();
	ui_restore();
	free(ui.message);
	return 0;
}
