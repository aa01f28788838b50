/*
 * session_int.h: the session's state and what its two files
 * (session.c: the client, deadlines, events; session_staff.c: staff
 * sign-in, pages and decisions) share. Core only: screens never include
 * it.
 */
#ifndef KIOSK_SESSION_INT_H
#define KIOSK_SESSION_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "flow.h"
#include "form.h"
#include "intake.h"
#include "session.h"

#define SESSION_LIVE_MS 1000		/* new data is looked for once a second */

struct staff_row;

struct session {
	const struct config *cfg;
	const struct form *form;
	struct store *store;
	struct sync *sync;
	struct session_clock clock;
	struct flow flow;
	struct intake *intake;		/* NULL when nobody is checking in */
	bool signed_in;
	int64_t last_input_ms;
	int64_t entered_ms;		/* when the current page began */
	int64_t purge_at_ms;		/* kiosk: next retention run */
	int64_t live_at_ms;		/* next look for new data */
	int64_t pin_until_ms;		/* the prompt waits until then */
	int64_t data_version;
	bool confirmed;			/* clearing an exclusion was confirmed */
	bool quiet;			/* signing in: what is listed is not new */
	char **seen;			/* ids of flagged intakes already listed */
	size_t nseen;
	struct view_row *rows;
	struct staff_row *list;		/* the same intakes, as staff.c lists them */
	struct view_audit *audit;
	char **detail;
	struct view_sync_status sync_status;
	char *exclusion;
	struct session_view v;
};

/* session.c */
int64_t session_mono(const struct session *);
int64_t session_wall_s(const struct session *);
/* Apply a flow event, then whatever the new page needs. */
void session_move(struct session *, enum flow_event);
/* A store error: logged (no personal data in causes), shown as a notice. */
void session_store_failed(struct session *, const char *what, char *cause);

/* session_staff.c */
void session_audit(struct session *, const char *action, const char *subject);
void session_staff_wipe(struct session *);
void session_reload(struct session *);
void session_load_pin(struct session *);
void session_pin(struct session *, const char *pin);
void session_staff_event(struct session *, const struct session_event *);
void session_live(struct session *, int64_t now);

#endif
