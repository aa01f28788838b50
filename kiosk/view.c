/*
 * view.c: the words the wire, the export and the logs use for the
 * view's codes (strings only at the edges).
 */
#include "view.h"

#include <string.h>

/* Wire words for the codes. */
static const char *const decision_words[] = {
	[DECISION_NONE] = "", [DECISION_CLEARED] = "cleared",
	[DECISION_DECLINED] = "declined", [DECISION_CONSULT] = "consult",
};
static const char *const sync_words[] = {
	[VSYNC_PENDING] = "pending", [VSYNC_SENT] = "sent",
	[VSYNC_PARKED] = "parked",
};

const char *
view_decision_word(enum view_decision d)
{
	return d <= DECISION_CONSULT ? decision_words[d] : "";
}

enum view_decision
view_decision_parse(const char *w)
{
	int d;

	for (d = DECISION_CLEARED; w != NULL && d <= DECISION_CONSULT; d++) {
		if (strcmp(w, decision_words[d]) == 0)
			return (enum view_decision)d;
	}
	return DECISION_NONE;
}

const char *
view_sync_word(enum view_sync v)
{
	return v <= VSYNC_PARKED ? sync_words[v] : "pending";
}

enum view_sync
view_sync_parse(const char *w)
{
	int v;

	for (v = VSYNC_PENDING; w != NULL && v <= VSYNC_PARKED; v++) {
		if (strcmp(w, sync_words[v]) == 0)
			return (enum view_sync)v;
	}
	return VSYNC_PENDING;
}
