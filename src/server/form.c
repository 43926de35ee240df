/* SPDX-License-Identifier: Apache-2.0 */
/*
 * application/x-www-form-urlencoded: strict parser and encoder (see form.h).
 */
#include "form.h"

#include <stdio.h>
#include <string.h>

#include "ct-hex.h"
#include "ct-limits.h"
#include "ct-utf8.h"

/*
 * Decodes n raw bytes into a new NUL-terminated arena string of at most max
 * bytes.  what names the part for messages ("name of field 3").  Names must
 * decode to printable ASCII, because they end up in error messages and logs.
 */
static int decode(struct ct_arena *a, const char *p, size_t n, size_t max,
		  int is_name, const char *what, char **out, size_t *outlen,
		  struct ct_errinfo *ei)
{
	size_t i, o = 0;
	char *s;
	int hi, lo;
	unsigned char c;

	/* Each decoded byte takes at most 3 raw ones. */
	if (n / 3 > max)
		return ct_errinfo_set(ei, CT_ERR_TOO_LARGE, "%s is too long", what);
	s = ct_arena_alloc(a, n + 1);
	if (s == NULL)
		return ct_errinfo_set(ei, CT_ERR_NOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		c = (unsigned char)p[i];
		if (c == '%') {
			hi = i + 2 < n ? ct_hex_digit(p[i + 1]) : -1;
			lo = hi >= 0 ? ct_hex_digit(p[i + 2]) : -1;
			if (lo < 0)
				return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
						      "%s has an invalid percent escape", what);
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
			if (c == 0)
				return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
						      "%s contains NUL", what);
		} else if (c == '+') {
			c = ' ';
		} else if (c < 0x20 || c >= 0x7f) {
			/* The form encoding is ASCII: anything else must be escaped. */
			return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
					      "%s contains a raw control or non-ASCII byte", what);
		}
		if (is_name && (c <= 0x20 || c >= 0x7f))
			return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
					      "%s is not printable ASCII", what);
		s[o++] = (char)c;
	}
	if (o > max)
		return ct_errinfo_set(ei, CT_ERR_TOO_LARGE, "%s is too long", what);
	if (is_name && o == 0)
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "%s is empty", what);
	if (!ct_utf8_valid(s, o))
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "%s is not valid UTF-8", what);
	s[o] = '\0';
	*out = s;
	*outlen = o;
	return 0;
}

int ct_form_parse(struct ct_arena *a, const char *in, size_t len,
		  struct ct_form *out, struct ct_errinfo *ei)
{
	struct ct_form_field *fields;
	const char *p = in, *end, *amp, *eq;
	size_t n = 1, i, j, nlen;
	char what[48], *name, *value;
	int r;

	/* An empty form may come as (NULL, 0): no pointer arithmetic on it. */
	if (len == 0) {
		out->fields = NULL;
		out->n = 0;
		return 0;
	}
	end = in + len;
	for (i = 0; i < len; i++)
		n += in[i] == '&';
	if (n > CT_FORM_MAX_FIELDS)
		return ct_errinfo_set(ei, CT_ERR_TOO_LARGE,
				      "more than %d form fields", CT_FORM_MAX_FIELDS);
	fields = ct_arena_alloc(a, n * sizeof(*fields));
	if (fields == NULL)
		return ct_errinfo_set(ei, CT_ERR_NOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		eq = memchr(p, '=', (size_t)(amp - p));
		if (amp == p)
			return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
					      "form field %zu is empty", i + 1);
		if (eq == NULL)
			return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
					      "form field %zu has no '='", i + 1);
		snprintf(what, sizeof(what), "name of form field %zu", i + 1);
		r = decode(a, p, (size_t)(eq - p), CT_FORM_MAX_NAME, 1, what,
			   &name, &nlen, ei);
		if (r != 0)
			return r;
		/* The name is printable ASCII now, safe to quote. */
		snprintf(what, sizeof(what), "value of \"%.24s\"", name);
		r = decode(a, eq + 1, (size_t)(amp - eq - 1), CT_FORM_MAX_VALUE, 0,
			   what, &value, &fields[i].value_len, ei);
		if (r != 0)
			return r;
		for (j = 0; j < i; j++)
			if (strcmp(fields[j].name, name) == 0)
				return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
						      "form field \"%.24s\" is repeated", name);
		fields[i].name = name;
		fields[i].value = value;
		p = amp + 1;
	}
	out->fields = fields;
	out->n = n;
	return 0;
}

const struct ct_form_field *ct_form_find(const struct ct_form *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->fields[i].name, name) == 0)
			return &f->fields[i];
	return NULL;
}

const char *ct_form_get(const struct ct_form *f, const char *name)
{
	const struct ct_form_field *field = ct_form_find(f, name);

	return field != NULL ? field->value : NULL;
}

static void encode(struct ct_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char c;
	size_t i;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || (c != 0 && strchr("-._~", c) != NULL)) {
			ct_buf_put_u8(b, c);
		} else if (c == ' ') {
			ct_buf_put_u8(b, '+');
		} else {
			ct_buf_put_u8(b, '%');
			ct_buf_put_u8(b, (uint8_t)hex[c >> 4]);
			ct_buf_put_u8(b, (uint8_t)hex[c & 15]);
		}
	}
}

void ct_form_append(struct ct_buf *b, const char *name, const char *value,
		    size_t value_len)
{
	if (b->len > 0)
		ct_buf_put_u8(b, '&');
	encode(b, name, strlen(name));
	ct_buf_put_u8(b, '=');
	encode(b, value, value_len);
}
