/*
 * outoforder.c: the calm full-screen notice shown when the kiosk cannot
 * start (config or form error, a failed form self-test, a store that
 * cannot be opened). It says only that the terminal is out of order and
 * where to check in instead, in every language it knows; the reason goes
 * to the log, never to the screen a client reads. It blocks in poll(2)
 * (no CPU while it waits), ends on a staff key (Ctrl-A or F12), after
 * the delay, on SIGTERM/SIGHUP or when the terminal hangs up, and always
 * restores the terminal.
 */
#include "screens.h"

#include <curses.h>
#include <errno.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "util.h"

/* The notice, one paragraph per language, each a heading and a line. */
static const char *const ooo_text[][2] = {
	{ "This check-in terminal is out of order.",
	  "Please check in at reception. We are sorry for the wait." },
	{ "Este terminal de registro está fuera de servicio.",
	  "Por favor, regístrese en la recepción. Disculpe las molestias." },
};

static volatile sig_atomic_t ooo_quit;

static void
ooo_signal(int sig)
{
	(void)sig;
	ooo_quit = 1;
}

/* Display width of the wide string s[0..n). */
static int
ooo_width(const wchar_t *s, size_t n)
{
	int w = 0, cw;
	size_t i;

	for (i = 0; i < n; i++) {
		cw = wcwidth(s[i]);
		w += cw > 0 ? cw : 0;
	}
	return w;
}

/*
 * Draw text centred from row *y, wrapped at spaces to the screen width
 * (a word wider than the screen is cut); rows past the bottom are left
 * out. Advances *y past what it drew.
 */
static void
ooo_paragraph(const char *text, int *y, attr_t attr)
{
	wchar_t ws[256];
	size_t n, start = 0, end, brk;
	int cols = COLS, w;

	if (mbstowcs(ws, text, 255) == (size_t)-1)
		return;
	ws[255] = L'\0';
	n = wcslen(ws);
	while (start < n && *y < LINES) {
		/* The longest run from start that fits, ending at a space. */
		end = start;
		brk = 0;
		while (end < n && ooo_width(ws + start, end - start + 1) <= cols) {
			if (ws[end] == L' ')
				brk = end;
			end++;
		}
		if (end < n && brk > start)
			end = brk;
		w = ooo_width(ws + start, end - start);
		attron(attr);
		mvaddnwstr(*y, (cols - w) / 2, ws + start, (int)(end - start));
		attroff(attr);
		(*y)++;
		start = end;
		while (start < n && ws[start] == L' ')
			start++;
	}
}

/* The whole notice, centred vertically when it fits. */
static void
ooo_draw(void)
{
	size_t i, nlang = sizeof ooo_text / sizeof ooo_text[0];
	int y, need = (int)(nlang * 3) - 1;

	erase();
	y = LINES > need ? (LINES - need) / 2 : 0;
	for (i = 0; i < nlang && y < LINES; i++) {
		ooo_paragraph(ooo_text[i][0], &y, A_BOLD);
		ooo_paragraph(ooo_text[i][1], &y, A_NORMAL);
		y++;
	}
	refresh();
}

/* Milliseconds on the monotonic clock. */
static int64_t
ooo_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read what the terminal sent; 1 when it holds a staff key. */
static int
ooo_staff_key(void)
{
	int ch, staff = 0;

	while ((ch = getch()) != ERR) {
		if (ch == 1 || ch == KEY_F(12))		/* Ctrl-A, F12 */
			staff = 1;
		else if (ch == KEY_RESIZE)
			ooo_draw();
	}
	return staff;
}

int
ui_out_of_order(int wait_s)
{
	struct sigaction sa;
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	int64_t until;
	int left, rc;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return -1;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = ooo_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) != 0 ||
	    sigaction(SIGHUP, &sa, NULL) != 0)
		return -1;
	sa.sa_handler = SIG_IGN;
	/* Nobody leaves it with Ctrl-C or Ctrl-Z either. */
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGQUIT, &sa, NULL);
	(void)sigaction(SIGTSTP, &sa, NULL);

	setlocale(LC_ALL, "");
	if (strstr(setlocale(LC_CTYPE, NULL), "UTF-8") == NULL &&
	    strstr(setlocale(LC_CTYPE, NULL), "utf8") == NULL)
		setlocale(LC_CTYPE, "C.UTF-8");
	if (initscr() == NULL)
		return -1;
	raw();
	noecho();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	ooo_draw();

	until = ooo_now_ms() + (int64_t)wait_s * 1000;
	while (!ooo_quit) {
		left = (int)(until - ooo_now_ms());
		if (left <= 0)
			break;
		rc = poll(&pfd, 1, left);
		if (rc == -1 && errno == EINTR) {
			(void)ooo_staff_key();	/* a resize arrives this way */
			continue;
		}
		if (rc == -1)
			break;
		if (rc == 1 && (pfd.revents & (POLLHUP | POLLERR | POLLNVAL)))
			break;		/* the terminal went away */
		if (rc == 1 && ooo_staff_key())
			break;
	}
	erase();
	refresh();
	endwin();
	return 0;
}
