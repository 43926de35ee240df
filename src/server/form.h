/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A strict application/x-www-form-urlencoded parser, for request bodies and
 * query strings alike.  OAuth (RFC 6749 section 3.1) wants repeated
 * parameters refused, and a request that smuggles a second grant_type or a
 * NUL into a value is better refused than interpreted, so the parser
 * rejects: invalid percent escapes, NUL (raw or %00), raw control
 * characters, empty pairs ("a=1&&b=2", a trailing '&'), pairs without '=',
 * empty or non-printable names, duplicate names, and more than
 * CT_FORM_MAX_FIELDS fields, names longer than CT_FORM_MAX_NAME or values
 * longer than CT_FORM_MAX_VALUE (decoded).  '+' decodes to a space.
 */
#ifndef CT_FORM_H
#define CT_FORM_H

#include <stddef.h>

#include "ct-arena.h"
#include "ct-buf.h"
#include "ct-error.h"

struct ct_form_field {
	const char *name;  /* decoded, printable ASCII, NUL-terminated */
	const char *value; /* decoded, NUL-terminated (no NUL inside) */
	size_t value_len;
};

struct ct_form {
	const struct ct_form_field *fields; /* in input order; in the arena */
	size_t n;
};

/*
 * Parses len bytes of in (no terminator needed) into out; every string is
 * allocated from the arena a, which owns them.  Empty input is a form with
 * no fields.  Returns 0, CT_ERR_BAD_VALUE (syntax, NUL, duplicate),
 * CT_ERR_TOO_LARGE (a limit), CT_ERR_NOMEM; ei says which field and why.
 * out is only written on success.
 */
int ct_form_parse(struct ct_arena *a, const char *in, size_t len,
		  struct ct_form *out, struct ct_errinfo *ei);

/* Returns the value of the field called name (borrowed from the form), or NULL. */
const char *ct_form_get(const struct ct_form *f, const char *name);

/* Returns the field called name (borrowed from the form), or NULL. */
const struct ct_form_field *ct_form_find(const struct ct_form *f, const char *name);

/*
 * Appends "name=value" to b, with '&' first when b is not empty; both are
 * percent-encoded except for unreserved characters (RFC 3986), spaces as
 * '+'.  Errors latch in b->err.
 */
void ct_form_append(struct ct_buf *b, const char *name, const char *value,
		    size_t value_len);

#endif
