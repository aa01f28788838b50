/*
 * jsonfile.h: read a JSON file (config, form) with cJSON and report
 * syntax errors the way editors and people read them: FILE:LINE:COL.
 * Knows nothing about what the JSON means.
 */
#ifndef KIOSK_JSONFILE_H
#define KIOSK_JSONFILE_H

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

#endif
