/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Strict JSON input on jansson, and typed getters for the members the
 * protocol reads.
 *
 * Parsing refuses documents over CT_JSON_MAX bytes or nested deeper than
 * CT_JSON_MAX_DEPTH, duplicate member names (so two readers cannot see two
 * different "alg"s), invalid UTF-8, NUL bytes (raw or as \u0000), trailing
 * bytes, and top-level values that are not objects.
 *
 * Getters borrow from the object: the returned pointers live as long as the
 * object does.  Each gives CT_ERR_MISSING_FIELD when the member is absent
 * or null (clients send null for "not set") and CT_ERR_JSON_TYPE when it has
 * another type, so a caller can tell a client's omission from its mistake.
 *
 * The _lenient getters follow DESIGN.md §8 ("be liberal in what is
 * harmless"): Windows and other clients send some booleans and numbers as
 * JSON strings ("true", "1", "300").  Use them only for such members, never
 * for anything a signature or an identity depends on.
 */
#ifndef CT_JOSE_STRICT_JSON_H
#define CT_JOSE_STRICT_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ct-error.h"

/*
 * Parses p[0..n) into a new JSON object (the caller owns the reference:
 * json_decref).  Returns 0, CT_ERR_TOO_LARGE, CT_ERR_BAD_JSON (syntax,
 * depth, duplicates, encoding; detail in ei) or CT_ERR_JSON_TYPE when the
 * document is valid JSON but not an object.
 */
int ct_json_parse(const void *p, size_t n, json_t **out,
		  struct ct_errinfo *ei);

/* A string member (NUL-terminated UTF-8, no NUL inside); *len may be NULL. */
int ct_json_get_str(const json_t *obj, const char *key, const char **out,
		    size_t *len);

/* An integer member.  A JSON real is CT_ERR_JSON_TYPE. */
int ct_json_get_int(const json_t *obj, const char *key, int64_t *out);

/* A boolean member (true or false only). */
int ct_json_get_bool(const json_t *obj, const char *key, bool *out);

/* An object or array member, borrowed. */
int ct_json_get_obj(const json_t *obj, const char *key, json_t **out);
int ct_json_get_array(const json_t *obj, const char *key, json_t **out);

/*
 * An integer sent as a JSON integer or as a string of decimal digits with
 * an optional leading '-' ("300", "-5"; no spaces, '+', fraction or
 * exponent).  A string that is not such a number, or one out of int64_t
 * range, is CT_ERR_BAD_VALUE.
 */
int ct_json_get_int_lenient(const json_t *obj, const char *key, int64_t *out);

/*
 * A boolean sent as true/false, as the integer 0 or 1, or as one of the
 * strings "true", "false" (any case), "1", "0".  Anything else of those
 * types is CT_ERR_BAD_VALUE.
 */
int ct_json_get_bool_lenient(const json_t *obj, const char *key, bool *out);

/*
 * An object member that may also arrive as a JSON string holding a JSON
 * object (tgt_ad and tgt_cloud do, from some clients).  The string is
 * parsed with ct_json_parse's rules.  Returns a new reference the caller
 * must json_decref, or CT_ERR_MISSING_FIELD, CT_ERR_JSON_TYPE, and the
 * parse errors (detail in ei).
 */
int ct_json_get_obj_lenient(const json_t *obj, const char *key, json_t **out,
			    struct ct_errinfo *ei);

#endif
