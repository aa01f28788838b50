/*
 * jsonfile.c: read one small JSON file (config, form) into a cJSON tree.
 * Owns the reading (size limits), the UTF-8 check and turning cJSON's
 * error pointer into PATH:LINE:COL with a short excerpt, and the checking
 * kit the config and form loaders share (keys, text, printable names).
 * Knows nothing about what the JSON means.
 */
#include "jsonfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

#define JSONFILE_EXCERPT 24	/* bytes of text quoted in a syntax error */
#define JSONFILE_BOM "\xef\xbb\xbf"

void
jsonfile_position(const char *text, size_t off, int *line, int *col)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off && p[i] != '\0'; i++) {
		if (p[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if ((p[i] & 0xc0) != 0x80)
			(*col)++;	/* a character starts here */
	}
}

/*
 * Read all of path into a NUL-terminated buffer. The loop (rather than
 * trusting st_size) also copes with a file that grows while we read it.
 */
static int
jsonfile_read(const char *path, char **out, size_t *outlen, char **cause)
{
	struct stat st;
	FILE *f;
	char *buf = NULL;
	size_t len = 0, cap, got;
	int rv = -1;

	if ((f = fopen(path, "r")) == NULL) {
		*cause = xasprintf("%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) != 0) {
		*cause = xasprintf("%s: cannot stat: %s", path, strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		*cause = xasprintf("%s: is a directory", path);
		goto out;
	}
	if (st.st_size > JSONFILE_MAX)
		goto toolarge;
	cap = st.st_size > 0 ? (size_t)st.st_size + 2 : 4096;
	buf = xmalloc(cap);
	for (;;) {
		if (len > JSONFILE_MAX)
			goto toolarge;
		if (len == cap - 1) {
			cap = cap > JSONFILE_MAX / 2 ? JSONFILE_MAX + 2 : cap * 2;
			buf = xrealloc(buf, cap);
		}
		if ((got = fread(buf + len, 1, cap - 1 - len, f)) == 0)
			break;
		len += got;
	}
	if (ferror(f)) {
		*cause = xasprintf("%s: cannot read: %s", path, strerror(errno));
		goto out;
	}
	if (len == 0) {
		*cause = xasprintf("%s: file is empty", path);
		goto out;
	}
	buf[len] = '\0';
	rv = 0;
	goto out;

toolarge:
	*cause = xasprintf("%s: file is too large (more than %d bytes)", path,
	    JSONFILE_MAX);
out:
	if (fclose(f) != 0 && rv == 0) {
		*cause = xasprintf("%s: cannot read: %s", path, strerror(errno));
		rv = -1;
	}
	if (rv == 0) {
		*out = buf;
		*outlen = len;
	} else
		free(buf);
	return rv;
}

/*
 * Offset of the first byte that is not valid UTF-8 or is a control
 * character JSON does not allow raw (all but tab, LF and CR: strings must
 * escape them), len if none. cJSON itself would skip such bytes as blanks,
 * and a NUL would end the text early.
 */
static size_t
jsonfile_text_check(const char *text, size_t len)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t off = 0, n;

	while (off < len) {
		if (p[off] < 0x20 && p[off] != '\t' && p[off] != '\n' &&
		    p[off] != '\r')
			return off;
		if ((n = utf8_seq(p + off, len - off)) == 0)
			return off;
		off += n;
	}
	return len;
}

/* Copy a short, printable excerpt of text at off into buf (one line). */
static void
jsonfile_excerpt(const char *text, size_t len, size_t off, char *buf,
    size_t size)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t i = off, o = 0, n;

	while (i < len && p[i] != '\n' && p[i] != '\r') {
		n = utf8_seq(p + i, len - i);
		if (n == 0 || o + n >= size || i - off + n > JSONFILE_EXCERPT)
			break;
		if (n == 1 && (p[i] < 0x20 || p[i] == 0x7f))
			buf[o] = p[i] == '\t' ? ' ' : '?';
		else
			memcpy(buf + o, p + i, n);
		o += n;
		i += n;
	}
	buf[o] = '\0';
}

/* Whitespace as JSON (and cJSON) skips it. */
static int
jsonfile_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Describe a cJSON failure at offset off. cJSON stops at or just after the
 * mistake; when that is past the last token (a truncated file, a trailing
 * comma before the final brace) point at the last token instead of at
 * nothing.
 */
static char *
jsonfile_syntax(const char *path, const char *text, size_t len, size_t off)
{
	char excerpt[JSONFILE_EXCERPT + 8];
	const char *where = "";
	size_t end = len;
	int line, col;

	if (off > len)
		off = len;
	while (off < len && jsonfile_space(text[off]))
		off++;
	if (off == len) {
		while (end > 0 && jsonfile_space(text[end - 1]))
			end--;
		if (end == 0)
			return xasprintf("%s:1:1: JSON syntax error: no value",
			    path);
		off = end - 1;
		while (off > 0 && ((unsigned char)text[off] & 0xc0) == 0x80)
			off--;
		where = " at end of file";
	}
	jsonfile_position(text, off, &line, &col);
	jsonfile_excerpt(text, len, off, excerpt, sizeof excerpt);
	return xasprintf("%s:%d:%d: JSON syntax error near '%s'%s", path, line,
	    col, excerpt, where);
}

int
jsonfile_load(const char *path, cJSON **out, char **cause)
{
	const char *text, *end = NULL;
	char *buf = NULL;
	size_t len, bad;
	cJSON *json;
	int line, col;
	int rv = -1;

	*out = NULL;
	*cause = NULL;
	if (jsonfile_read(path, &buf, &len, cause) != 0)
		return -1;

	/* Editors on some systems start UTF-8 files with a BOM; skip it. */
	text = buf;
	if (len >= 3 && memcmp(text, JSONFILE_BOM, 3) == 0) {
		text += 3;
		len -= 3;
	}

	if ((bad = jsonfile_text_check(text, len)) != len) {
		jsonfile_position(text, bad, &line, &col);
		if ((unsigned char)text[bad] < 0x20) {
			*cause = xasprintf("%s:%d:%d: control character U+%04X",
			    path, line, col, (unsigned)text[bad]);
		} else
			*cause = xasprintf("%s:%d:%d: invalid UTF-8", path,
			    line, col);
		goto out;
	}

	/*
	 * Pass the terminating NUL in the length: cJSON 1.7's
	 * require_null_terminated check looks for it inside the buffer.
	 */
	json = cJSON_ParseWithLengthOpts(text, len + 1, &end, 1);
	if (json == NULL) {
		if (end == NULL)
			end = cJSON_GetErrorPtr();
		if (end == NULL || end < text || end > text + len)
			*cause = xasprintf("%s: JSON syntax error", path);
		else
			*cause = jsonfile_syntax(path, text, len,
			    (size_t)(end - text));
		goto out;
	}
	*out = json;
	rv = 0;
out:
	free(buf);
	return rv;
}

bool
jsonfile_in_list(const char *const *list, const char *s)
{
	for (; *list != NULL; list++) {
		if (strcmp(*list, s) == 0)
			return true;
	}
	return false;
}

enum jsonfile_keys
jsonfile_check_keys(const cJSON *obj, const char *const *known,
    const cJSON **bad)
{
	const cJSON *item, *prev;

	*bad = NULL;
	for (item = obj->child; item != NULL; item = item->next) {
		*bad = item;
		if (item->string == NULL || !jsonfile_in_list(known, item->string))
			return JSONFILE_KEY_UNKNOWN;
		for (prev = obj->child; prev != item; prev = prev->next) {
			if (strcmp(prev->string, item->string) == 0)
				return JSONFILE_KEY_TWICE;
		}
	}
	*bad = NULL;
	return JSONFILE_KEYS_OK;
}

bool
jsonfile_text_ok(const char *s, bool lines)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s), n;

	while (left > 0) {
		if ((n = utf8_seq(p, left)) == 0)
			return false;
		if (n == 1 && (p[0] == 0x7f || (p[0] < 0x20 &&
		    !(lines && p[0] == '\n'))))
			return false;
		if (n == 2 && p[0] == 0xc2 && p[1] < 0xa0)
			return false;	/* C1, U+0080-U+009F */
		p += n;
		left -= n;
	}
	return true;
}

const char *
jsonfile_printable(const char *s, char *buf, size_t size)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0, n, left = s != NULL ? strlen(s) : 0;

	if (size < 4) {
		if (size > 0)
			buf[0] = '\0';
		return buf;
	}
	while (left > 0) {
		n = utf8_seq(p, left);
		if (o + (n == 0 ? 1 : n) + 4 > size) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (n == 0 || (n == 1 && (p[0] < 0x20 || p[0] == 0x7f)) ||
		    (n == 2 && p[0] == 0xc2 && p[1] < 0xa0)) {
			buf[o++] = '?';
			n = n == 0 ? 1 : n;
		} else {
			memcpy(buf + o, p, n);
			o += n;
		}
		p += n;
		left -= n;
	}
	buf[o] = '\0';
	return buf;
}
