/* SPDX-License-Identifier: Apache-2.0 */
#include "strict-json.h"

#include <string.h>
#include <strings.h>

#include "ct-limits.h"
#include "jose-internal.h"

/*
 * Refuses NUL bytes and nesting deeper than CT_JSON_MAX_DEPTH before
 * jansson sees the input, so a deep document costs no allocations.
 * Brackets inside strings do not count; invalid JSON is left to jansson.
 */
static int prescan(const unsigned char *p, size_t n, struct ct_errinfo *ei)
{
	bool in_str = false, esc = false;
	unsigned depth = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == '\0')
			return ct_errinfo_set(ei, CT_ERR_BAD_JSON,
					      "NUL byte at offset %zu", i);
		if (in_str) {
			if (esc)
				esc = false;
			else if (p[i] == '\\')
				esc = true;
			else if (p[i] == '"')
				in_str = false;
		} else if (p[i] == '"') {
			in_str = true;
		} else if (p[i] == '{' || p[i] == '[') {
			if (++depth > CT_JSON_MAX_DEPTH)
				return ct_errinfo_set(ei, CT_ERR_BAD_JSON,
						      "JSON nested deeper than %d",
						      CT_JSON_MAX_DEPTH);
		} else if ((p[i] == '}' || p[i] == ']') && depth > 0) {
			depth--;
		}
	}
	return 0;
}

int ct_json_parse(const void *p, size_t n, json_t **out,
		  struct ct_errinfo *ei)
{
	json_error_t jerr;
	json_t *v;
	char text[sizeof(jerr.text)];
	int r;

	*out = NULL;
	if (n > CT_JSON_MAX)
		return ct_errinfo_set(ei, CT_ERR_TOO_LARGE,
				      "JSON document of %zu bytes (limit %d)",
				      n, CT_JSON_MAX);
	r = prescan(p, n, ei);
	if (r != 0)
		return r;
	v = json_loadb(p, n, JSON_REJECT_DUPLICATES, &jerr);
	if (v == NULL) {
		/* jansson quotes input near the error: keep logs printable. */
		return ct_errinfo_set(ei, CT_ERR_BAD_JSON,
				      "invalid JSON at offset %d: %s",
				      jerr.position,
				      ct_jose_printable(jerr.text, text,
							sizeof(text)));
	}
	if (!json_is_object(v)) {
		json_decref(v);
		return ct_errinfo_set(ei, CT_ERR_JSON_TYPE,
				      "JSON document is not an object");
	}
	*out = v;
	return 0;
}

/* Looks a member up; absent and null are both "missing". */
static int member(const json_t *obj, const char *key, json_t **v)
{
	*v = json_object_get(obj, key);
	if (*v == NULL || json_is_null(*v))
		return CT_ERR_MISSING_FIELD;
	return 0;
}

int ct_json_get_str(const json_t *obj, const char *key, const char **out,
		    size_t *len)
{
	json_t *v;
	int r = member(obj, key, &v);

	if (r != 0)
		return r;
	if (!json_is_string(v))
		return CT_ERR_JSON_TYPE;
	*out = json_string_value(v);
	if (len != NULL)
		*len = json_string_length(v);
	return 0;
}

int ct_json_get_int(const json_t *obj, const char *key, int64_t *out)
{
	json_t *v;
	int r = member(obj, key, &v);

	if (r != 0)
		return r;
	if (!json_is_integer(v))
		return CT_ERR_JSON_TYPE;
	*out = (int64_t)json_integer_value(v);
	return 0;
}

int ct_json_get_bool(const json_t *obj, const char *key, bool *out)
{
	json_t *v;
	int r = member(obj, key, &v);

	if (r != 0)
		return r;
	if (!json_is_boolean(v))
		return CT_ERR_JSON_TYPE;
	*out = json_is_true(v);
	return 0;
}

static int get_typed(const json_t *obj, const char *key, json_type type,
		     json_t **out)
{
	json_t *v;
	int r = member(obj, key, &v);

	if (r != 0)
		return r;
	if (json_typeof(v) != type)
		return CT_ERR_JSON_TYPE;
	*out = v;
	return 0;
}

int ct_json_get_obj(const json_t *obj, const char *key, json_t **out)
{
	return get_typed(obj, key, JSON_OBJECT, out);
}

int ct_json_get_array(const json_t *obj, const char *key, json_t **out)
{
	return get_typed(obj, key, JSON_ARRAY, out);
}

/* Strict decimal: optional '-', 1..19 digits, within int64_t. */
static int parse_decimal(const char *s, size_t len, int64_t *out)
{
	bool neg = len > 0 && s[0] == '-';
	uint64_t v = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : INT64_MAX;
	size_t i = neg ? 1 : 0;

	if (i == len)
		return CT_ERR_BAD_VALUE;
	for (; i < len; i++) {
		unsigned d = (unsigned char)s[i] - '0';

		if (d > 9 || v > (limit - d) / 10)
			return CT_ERR_BAD_VALUE;
		v = v * 10 + d;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

int ct_json_get_int_lenient(const json_t *obj, const char *key, int64_t *out)
{
	json_t *v;
	int r = member(obj, key, &v);

	if (r != 0)
		return r;
	if (json_is_integer(v)) {
		*out = (int64_t)json_integer_value(v);
		return 0;
	}
	if (!json_is_string(v))
		return CT_ERR_JSON_TYPE;
	return parse_decimal(json_string_value(v), json_string_length(v), out);
}

int ct_json_get_bool_lenient(const json_t *obj, const char *key, bool *out)
{
	const char *s;
	json_t *v;
	int r = member(obj, key, &v);

	if (r != 0)
		return r;
	if (json_is_boolean(v)) {
		*out = json_is_true(v);
		return 0;
	}
	if (json_is_integer(v)) {
		if (json_integer_value(v) != 0 && json_integer_value(v) != 1)
			return CT_ERR_BAD_VALUE;
		*out = json_integer_value(v) == 1;
		return 0;
	}
	if (!json_is_string(v))
		return CT_ERR_JSON_TYPE;
	s = json_string_value(v);
	if (strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0)
		*out = true;
	else if (strcasecmp(s, "false") == 0 || strcmp(s, "0") == 0)
		*out = false;
	else
		return CT_ERR_BAD_VALUE;
	return 0;
}

int ct_json_get_obj_lenient(const json_t *obj, const char *key, json_t **out,
			    struct ct_errinfo *ei)
{
	json_t *v;
	int r = member(obj, key, &v);

	if (r != 0)
		return r;
	if (json_is_object(v)) {
		*out = json_incref(v);
		return 0;
	}
	if (!json_is_string(v))
		return CT_ERR_JSON_TYPE;
	return ct_json_parse(json_string_value(v), json_string_length(v), out,
			     ei);
}
