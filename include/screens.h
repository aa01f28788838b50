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

#endif
