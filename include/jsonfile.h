/*
 * jsonfile.h: read a JSON file (config, form) with cJSON and report
 * syntax errors the way editors and people read them: FILE:LINE:COL.
 * Also the checking kit every loader shares: known keys given once, text
 * without control characters, names made harmless to print. Knows
 * nothing about what the JSON means.
 */
#ifndef KIOSK_JSONFILE_H
#define KIOSK_JSONFILE_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

/* Largest file accepted (config and forms are small). */
#define JSONFILE_MAX (1024 * 1024)

/*
 * Read and parse path. On success *out owns the tree (cJSON_Delete it).
 * On failure returns -1 and *cause is "PATH:LINE:COL: message" for syntax
 * errors and invalid UTF-8, "PATH: message" for I/O errors (missing,
 * unreadable, too large, empty). Caller frees *cause.
 */
int jsonfile_load(const char *path, cJSON **out, char **cause);

/* Line and column (1-based, columns count characters) of byte offset off. */
void jsonfile_position(const char *text, size_t off, int *line, int *col);

/* What jsonfile_check_keys found. */
enum jsonfile_keys {
	JSONFILE_KEYS_OK,
	JSONFILE_KEY_UNKNOWN,	/* a key not in the list */
	JSONFILE_KEY_TWICE,	/* a key given twice */
};

/*
 * Check that every member of the object obj is named in the
 * NULL-terminated list known, once. On a problem *bad is the first
 * offending member (its ->string may hold anything: print it through
 * jsonfile_printable).
 */
enum jsonfile_keys jsonfile_check_keys(const cJSON *obj,
    const char *const *known, const cJSON **bad);

/* Whether s is in the NULL-terminated list. */
bool jsonfile_in_list(const char *const *list, const char *s);

/*
 * Whether s is text for people: no control character (C0, DEL or C1, so
 * no terminal escape sequence); line breaks (LF) only when lines is true.
 * cJSON has already checked that the file is UTF-8.
 */
bool jsonfile_text_ok(const char *s, bool lines);

/*
 * s copied into buf (size bytes) so it is harmless on a terminal: control
 * characters and invalid UTF-8 as '?', cut with "..." to fit. Returns buf.
 */
const char *jsonfile_printable(const char *s, char *buf, size_t size);

#endif
