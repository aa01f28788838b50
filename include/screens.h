/*
 * screens.h: the one entry point of the terminal UI (screens/), declared
 * without curses so main.c can start it without knowing the terminal.
 */
#ifndef KIOSK_SCREENS_H
#define KIOSK_SCREENS_H

struct session;

/*
 * Run the session (the kiosk, or the staff console) on this terminal
 * until it quits or SIGTERM/SIGHUP; 0 on a clean exit.
 */
int ui_run(struct session *);

/*
 * The kiosk cannot start: show "out of order, please check in at
 * reception" full-screen (no reason: that goes to the log) until a staff
 * key (Ctrl-A, F12), wait_s seconds, SIGTERM/SIGHUP or a hang-up, then
 * restore the terminal. -1 when stdin or stdout is not a terminal.
 */
int ui_out_of_order(int wait_s);

#endif
