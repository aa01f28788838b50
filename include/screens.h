/*
 * screens.h: the one entry point of the terminal UI (screens/), declared
 * without curses so main.c can start it without knowing the terminal.
 */
#ifndef KIOSK_SCREENS_H
#define KIOSK_SCREENS_H

struct config;
struct form;
struct store;
struct sync;

/*
 * Run the kiosk on this terminal until SIGTERM/SIGHUP; 0 on a clean exit.
 * sync (NULL when no server is configured) is woken after each commit.
 */
int ui_run(struct config *, struct form *, struct store *, struct sync *);

#endif
