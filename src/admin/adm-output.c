/* SPDX-License-Identifier: Apache-2.0 */
#include "adm-output.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ct-limits.h"

/* An appender into a fixed buffer that cuts and marks overflow with "...". */
struct cell {
	char *p;
	size_t n, len;
	bool cut;
};

static void cell_put(struct cell *c, const char *s, size_t len)
{
	size_t room;

	if (c->cut)
		return;
	room = c->n - 1 - c->len;
	if (len > room) {
		len = room;
		c->cut = true;
	}
	memcpy(c->p + c->len, s, len);
	c->len += len;
	c->p[c->len] = '\0';
	if (c->cut && c->n > 4) {
		/* Step back to a UTF-8 boundary, so the mark never splits a character. */
		size_t end = c->n - 4;

		while (end > 0 && ((unsigned char)c->p[end] & 0xc0) == 0x80)
			end--;
		memcpy(c->p + end, "...", 4);
		c->len = end + 3;
	}
}

static void cell_puts(struct cell *c, const char *s)
{
	cell_put(c, s, strlen(s));
}

static int dump_to_cell(const char *buf, size_t size, void *arg)
{
	cell_put(arg, buf, size);
	return 0;
}

static void cell_scalar(struct cell *c, const json_t *v)
{
	char num[32];

	switch (json_typeof(v)) {
	case JSON_STRING:
		cell_put(c, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		cell_puts(c, num);
		break;
	case JSON_TRUE:
		cell_puts(c, "yes");
		break;
	case JSON_FALSE:
		cell_puts(c, "no");
		break;
	case JSON_NULL:
		cell_puts(c, "-");
		break;
	default:
		json_dump_callback(v, dump_to_cell, c, JSON_COMPACT | JSON_SORT_KEYS |
				   JSON_ENCODE_ANY);
		break;
	}
}

void adm_cell_auto(const json_t *v, char *buf, size_t n)
{
	struct cell c = {.p = buf, .n = n};
	const json_t *e;
	size_t i;

	buf[0] = '\0';
	if (v == NULL) {
		cell_puts(&c, "-");
		return;
	}
	if (!json_is_array(v)) {
		cell_scalar(&c, v);
		return;
	}
	if (json_array_size(v) == 0)
		cell_puts(&c, "-");
	json_array_foreach(v, i, e) {
		if (i > 0)
			cell_puts(&c, ", ");
		cell_scalar(&c, e);
	}
}

void adm_cell_time(const json_t *v, char *buf, size_t n)
{
	struct tm tm;
	time_t t;

	if (!json_is_integer(v) || json_integer_value(v) <= 0) {
		adm_cell_auto(v, buf, n);
		return;
	}
	t = (time_t)json_integer_value(v);
	if (gmtime_r(&t, &tm) == NULL || strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		adm_cell_auto(v, buf, n);
}

const json_t *adm_json_path(const json_t *obj, const char *path)
{
	char key[128];

	while (obj != NULL) {
		size_t len = strcspn(path, ".");

		if (!json_is_object(obj) || len >= sizeof(key))
			return NULL;
		memcpy(key, path, len);
		key[len] = '\0';
		obj = json_object_get(obj, key);
		if (path[len] == '\0')
			return obj;
		path += len + 1;
	}
	return NULL;
}

void adm_sanitize(char *s)
{
	unsigned char *p = (unsigned char *)s;

	for (; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			*p = '?';
		} else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			/* A C1 control (two bytes in UTF-8) becomes one '?'. */
			memmove(p + 1, p + 2, strlen((char *)p + 2) + 1);
			*p = '?';
		}
	}
}

size_t adm_text_width(const char *s)
{
	size_t w = 0;

	for (; *s != '\0'; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

void adm_table_init(struct adm_table *t, size_t ncols)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
}

int adm_table_add(struct adm_table *t, const char *const *cells)
{
	size_t i, base;

	if (t->nrows == t->alloc) {
		size_t alloc = t->alloc != 0 ? 2 * t->alloc : 16;
		char **grown = reallocarray(t->cells, alloc * t->ncols, sizeof(*grown));

		if (grown == NULL)
			return CT_ERR_NOMEM;
		t->cells = grown;
		t->alloc = alloc;
	}
	base = t->nrows * t->ncols;
	for (i = 0; i < t->ncols; i++) {
		t->cells[base + i] = strdup(cells[i] != NULL ? cells[i] : "-");
		if (t->cells[base + i] == NULL) {
			while (i-- > 0)
				free(t->cells[base + i]);
			return CT_ERR_NOMEM;
		}
		adm_sanitize(t->cells[base + i]);
	}
	t->nrows++;
	return 0;
}

int adm_table_print(const struct adm_table *t, FILE *f, bool header, bool color)
{
	size_t r, i, w, *width = calloc(t->ncols ? t->ncols : 1, sizeof(*width));

	if (width == NULL)
		return CT_ERR_NOMEM;
	for (r = 0; r < t->nrows; r++)
		for (i = 0; i < t->ncols; i++) {
			w = adm_text_width(t->cells[r * t->ncols + i]);
			if (w > width[i])
				width[i] = w;
		}
	for (r = 0; r < t->nrows; r++) {
		bool bold = header && color && r == 0;
		size_t last = t->ncols;

		/* Trailing empty columns would only print blanks. */
		while (last > 1 && t->cells[r * t->ncols + last - 1][0] == '\0')
			last--;
		if (bold)
			fputs("\033[1m", f);
		for (i = 0; i < last; i++) {
			const char *s = t->cells[r * t->ncols + i];

			fputs(s, f);
			if (i + 1 < last)
				fprintf(f, "%*s", (int)(width[i] - adm_text_width(s) + 2),
					"");
		}
		fputs(bold ? "\033[0m\n" : "\n", f);
	}
	free(width);
	return 0;
}

void adm_table_free(struct adm_table *t)
{
	size_t i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	adm_table_init(t, t->ncols);
}

/* Formats column col of obj into buf (CT_ADMIN_MAX_CELL bytes). */
static void format_cell(const json_t *obj, const struct adm_column *col, char *buf)
{
	adm_cell_fn fn = col->fn != NULL ? col->fn : adm_cell_auto;

	fn(adm_json_path(obj, col->path), buf, CT_ADMIN_MAX_CELL);
}

/* Adds the header row of a list: the labels in capitals. */
static int add_header(struct adm_table *t, const struct adm_view *view, char *bufs)
{
	const char *row[ADM_OUTPUT_MAX_COLS];
	size_t i, k;

	for (i = 0; i < view->ncols; i++) {
		char *b = bufs + i * CT_ADMIN_MAX_CELL;

		snprintf(b, CT_ADMIN_MAX_CELL, "%s", view->cols[i].label);
		for (k = 0; b[k] != '\0'; k++)
			b[k] = (char)toupper((unsigned char)b[k]);
		row[i] = b;
	}
	return adm_table_add(t, row);
}

static int add_list(struct adm_table *t, const json_t *list,
		    const struct adm_view *view, char *bufs)
{
	const char *row[ADM_OUTPUT_MAX_COLS];
	const json_t *e;
	size_t i, k;
	int r;

	json_array_foreach(list, i, e) {
		for (k = 0; k < view->ncols; k++) {
			row[k] = bufs + k * CT_ADMIN_MAX_CELL;
			format_cell(e, &view->cols[k], bufs + k * CT_ADMIN_MAX_CELL);
		}
		r = adm_table_add(t, row);
		if (r != 0)
			return r;
	}
	return 0;
}

/* One "Label:" and value row per column. */
static int add_record(struct adm_table *t, const json_t *obj,
		     const struct adm_view *view, char *bufs)
{
	const char *row[2] = {bufs, bufs + CT_ADMIN_MAX_CELL};
	size_t k;
	int r;

	for (k = 0; k < view->ncols; k++) {
		snprintf(bufs, CT_ADMIN_MAX_CELL, "%s:", view->cols[k].label);
		format_cell(obj, &view->cols[k], bufs + CT_ADMIN_MAX_CELL);
		r = adm_table_add(t, row);
		if (r != 0)
			return r;
	}
	return 0;
}

int adm_print_view(FILE *f, bool color, const json_t *reply,
		   const struct adm_view *view, struct ct_errinfo *ei)
{
	const json_t *list = NULL;
	struct adm_table t;
	char *bufs = NULL;
	int r;

	if (view->ncols == 0 || view->ncols > ADM_OUTPUT_MAX_COLS)
		return ct_errinfo_set(ei, CT_ERR_INTERNAL, "bad column table");
	if (!json_is_object(reply))
		return ct_errinfo_set(ei, CT_ERR_BAD_JSON,
				      "the reply is not a JSON object");
	if (view->list_key != NULL) {
		list = json_object_get(reply, view->list_key);
		if (!json_is_array(list))
			return ct_errinfo_set(ei, CT_ERR_BAD_JSON,
					      "the reply has no \"%s\" list",
					      view->list_key);
	}
	adm_table_init(&t, list != NULL ? view->ncols : 2);
	/* One buffer per column; a record needs two (label and value). */
	bufs = malloc((view->ncols < 2 ? 2 : view->ncols) * CT_ADMIN_MAX_CELL);
	if (bufs == NULL)
		return CT_ERR_NOMEM;
	if (list != NULL) {
		r = add_header(&t, view, bufs);
		if (r == 0)
			r = add_list(&t, list, view, bufs);
	} else {
		r = add_record(&t, reply, view, bufs);
	}
	if (r == 0)
		r = adm_table_print(&t, f, list != NULL, color);
	adm_table_free(&t);
	free(bufs);
	return r;
}

/* Where adm_print_json writes, and a 0xc2 byte waiting for the next one. */
struct json_out {
	FILE *f;
	bool c2;
};

/*
 * Writes JSON text, escaping DEL and the C1 controls (UTF-8 c2 80..c2 9f),
 * which jansson leaves raw: some terminals act on them.  In jansson's
 * output they can only be inside strings, where "\u007f" and
 * "\u0080".."\u009f" mean the same.
 */
static int dump_to_file(const char *buf, size_t size, void *arg)
{
	struct json_out *o = arg;
	size_t i;

	for (i = 0; i < size; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (o->c2) {
			o->c2 = false;
			if (c >= 0x80 && c <= 0x9f) {
				fprintf(o->f, "\\u%04x", c);
				continue;
			}
			putc(0xc2, o->f);
		}
		if (c == 0xc2)
			o->c2 = true;
		else if (c == 0x7f)
			fputs("\\u007f", o->f);
		else
			putc(c, o->f);
	}
	return ferror(o->f) ? -1 : 0;
}

int adm_print_json(FILE *f, const json_t *j, struct ct_errinfo *ei)
{
	struct json_out o = {.f = f};

	if (json_dump_callback(j, dump_to_file, &o, JSON_INDENT(2) | JSON_SORT_KEYS |
			       JSON_ENCODE_ANY) != 0 || (o.c2 && putc(0xc2, f) == EOF) ||
	    putc('\n', f) == EOF)
		return ct_errinfo_set(ei, CT_ERR_IO, "cannot write the output");
	return 0;
}
