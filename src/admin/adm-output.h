/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Output for people and for scripts.  Scripts get the server's JSON,
 * pretty-printed with sorted keys, so the same reply prints the same bytes.
 * People get aligned tables (lists) and "Label:  value" records (single
 * objects) whose cells are picked from the JSON by column tables.
 *
 * Everything from the server is made safe for a terminal before it is
 * printed: control characters (C0, DEL, C1) become '?', so a display name
 * cannot carry escape sequences.  ANSI attributes (a bold header) only when
 * the caller says the output is a colour terminal.
 */
#ifndef CT_ADM_OUTPUT_H
#define CT_ADM_OUTPUT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "ct-error.h"

/* Formats a JSON value into buf (n bytes, n > 0) for a cell. */
typedef void (*adm_cell_fn)(const json_t *v, char *buf, size_t n);

/*
 * A column: its label ("Display name"; upper-cased as a list header), the
 * dotted path of its value in the object ("onprem.sid"), and an optional
 * formatter (NULL: adm_cell_auto).
 */
struct adm_column {
	const char *label;
	const char *path;
	adm_cell_fn fn;
};

/*
 * A view of a reply: a list (the array member list_key of the reply, one
 * row per element) or, when list_key is NULL, the reply as one record.
 */
#define ADM_OUTPUT_MAX_COLS 16
/* A view of a static column table: ADM_VIEW("users", user_cols). */
#define ADM_VIEW(list_key, cols) {list_key, cols, sizeof(cols) / sizeof((cols)[0])}

struct adm_view {
	const char *list_key;
	const struct adm_column *cols;
	size_t ncols;
};

/*
 * Default formatting: strings as they are, integers in decimal, booleans
 * as yes/no, null or missing as "-", arrays of scalars joined by ", ",
 * anything else as compact JSON.  Text longer than the buffer is cut and
 * ends in "...".
 */
void adm_cell_auto(const json_t *v, char *buf, size_t n);

/* Unix seconds as "2026-11-24T21:59:53Z"; other values as adm_cell_auto. */
void adm_cell_time(const json_t *v, char *buf, size_t n);

/*
 * The value at a dotted path in obj ("primary.key_version"), borrowed, or
 * NULL when a step is missing or not an object.
 */
const json_t *adm_json_path(const json_t *obj, const char *path);

/* Replaces C0 controls, DEL and C1 controls (U+0080..U+009F) in s with '?'. */
void adm_sanitize(char *s);

/* Display width of UTF-8 text: code points (one column each). */
size_t adm_text_width(const char *s);

/*
 * A table of text cells, each copied and sanitised on entry.  The first row
 * may be a header (printed bold on a colour terminal).
 */
struct adm_table {
	size_t ncols, nrows, alloc;
	char **cells; /* nrows * ncols */
};

void adm_table_init(struct adm_table *t, size_t ncols);
/* Appends a row of ncols cells (NULL prints as "-"); 0 or CT_ERR_NOMEM. */
int adm_table_add(struct adm_table *t, const char *const *cells);
/*
 * Prints the rows with columns two spaces apart, each as wide as its
 * widest cell, and no trailing blanks.  Returns 0 or CT_ERR_NOMEM.
 */
int adm_table_print(const struct adm_table *t, FILE *f, bool header, bool color);
void adm_table_free(struct adm_table *t);

/*
 * Prints reply through view: a list with a header row, or a record.
 * Returns 0, CT_ERR_BAD_JSON when the reply lacks the list (detail in ei)
 * or CT_ERR_NOMEM.
 */
int adm_print_view(FILE *f, bool color, const json_t *reply,
		   const struct adm_view *view, struct ct_errinfo *ei);

/*
 * Prints j as indented JSON with sorted keys and a final newline; C0, DEL
 * and C1 controls in strings are escaped (\u001b, \u007f, \u009b).
 * Returns 0 or CT_ERR_IO.
 */
int adm_print_json(FILE *f, const json_t *j, struct ct_errinfo *ei);

#endif
