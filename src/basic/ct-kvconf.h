/* SPDX-License-Identifier: Apache-2.0 */
/*
 * "key = value" configuration text, the grammar cloudtrustd.conf and the
 * client's client.conf share: one key per line, blanks around key and value
 * dropped, '#' starts a comment line, blank lines and CRLF line ends
 * accepted, no sections, each key at most once per text.
 *
 * Each program keeps its own schema table (names, types, ranges, defaults,
 * messages); this module splits the text, refuses what no schema allows
 * (long lines, NUL bytes, lines without '=', unknown and repeated keys)
 * with "ORIGIN:LINE: ..." messages, and offers the value checks the
 * schemas have in common.  Every limit is in ct-limits.h
 * (CT_CONFIG_MAX_FILE, CT_CONFIG_MAX_LINE).
 */
#ifndef CT_KVCONF_H
#define CT_KVCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "ct-error.h"

/* Upper bound on the keys of one schema (ct_kvconf_parse's bookkeeping). */
#define CT_KVCONF_MAX_KEYS 64

/* A caller's schema, seen through its key lookup and its typed setter. */
struct ct_kvconf_schema {
	size_t nkeys; /* at most CT_KVCONF_MAX_KEYS */
	/* Returns the index (below nkeys) of the key called name, or -1. */
	int (*find)(const char *name);
	/*
	 * Checks value and stores it for key index in obj; what ("FILE:LINE")
	 * prefixes messages.  Returns 0 or a CT_ERR_* code with ei filled.
	 */
	int (*set)(void *obj, size_t index, const char *value, const char *what,
		   struct ct_errinfo *ei);
};

/*
 * Parses len bytes of text (NUL bytes are refused, not ends) into obj
 * through schema, stopping at the first bad line; origin (a file name)
 * prefixes messages as "origin:LINE: ...".  Returns 0, CT_ERR_TOO_LARGE
 * (text or a line too long), CT_ERR_BAD_VALUE (syntax, unknown or repeated
 * key), CT_ERR_INVALID_ARG (schema too large), or what schema->set returns.
 * Keys before the bad line stay stored.
 */
int ct_kvconf_parse(const struct ct_kvconf_schema *schema, void *obj,
		    const char *text, size_t len, const char *origin,
		    struct ct_errinfo *ei);

/* true, yes, on, 1 / false, no, off, 0 (any case).  0 or CT_ERR_BAD_VALUE. */
int ct_kvconf_bool(const char *v, bool *out);

/*
 * The whole of v as a decimal integer (strtol's syntax: an optional sign,
 * then digits) in [min, max].  Returns 0 or CT_ERR_BAD_VALUE.
 */
int ct_kvconf_long(const char *v, long min, long max, long *out);

/* An absolute path shorter than PATH_MAX. */
bool ct_kvconf_abs_path(const char *v);

/*
 * https://HOST[:PORT][/PATH] or the http:// form, at most maxlen bytes,
 * without userinfo, query, fragment, spaces or backslashes.
 */
bool ct_kvconf_url(const char *v, size_t maxlen);

/*
 * Replaces the string *field (freed) with a copy of v; a URL (url true)
 * is kept without trailing slashes, so paths append cleanly.  Returns 0 or
 * CT_ERR_NOMEM (*field unchanged).
 */
int ct_kvconf_set_str(char **field, const char *v, bool url, struct ct_errinfo *ei);

/* Writes one line that ct_kvconf_parse reads back: "name = value", or the
 * comment "# name is not set" when value is NULL. */
void ct_kvconf_print(FILE *f, const char *name, const char *value);

#endif
