/* SPDX-License-Identifier: Apache-2.0 */
#include "ct-error.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	const char *msg;
} err_table[] = {
#define CT_ERR_ROW_(name, msg) {#name, msg},
	CT_ERRORS(CT_ERR_ROW_)
#undef CT_ERR_ROW_
};

#define ERR_COUNT (sizeof(err_table) / sizeof(err_table[0]))

static int err_index(int err)
{
	int i = err - CT_ERR_BASE_ - 1;

	if (i < 0 || (size_t)i >= ERR_COUNT)
		return -1;
	return i;
}

const char *ct_strerror(int err)
{
	int i;

	if (err == 0)
		return "ok";
	i = err_index(err);
	return i < 0 ? "unknown error" : err_table[i].msg;
}

const char *ct_errname(int err)
{
	int i;

	if (err == 0)
		return "OK";
	i = err_index(err);
	return i < 0 ? "UNKNOWN" : err_table[i].name;
}

__attribute__((format(printf, 3, 0)))
static int errinfo_vset(struct ct_errinfo *ei, int code, const char *fmt,
			va_list ap)
{
	if (ei == NULL)
		return code;
	ei->code = code;
	vsnprintf(ei->msg, sizeof(ei->msg), fmt, ap);
	return code;
}

int ct_errinfo_set(struct ct_errinfo *ei, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	errinfo_vset(ei, code, fmt, ap);
	va_end(ap);
	return code;
}

int ct_errinfo_default(struct ct_errinfo *ei, int code, const char *fmt, ...)
{
	va_list ap;

	if (ei != NULL && ei->msg[0] != '\0') {
		ei->code = code;
		return code;
	}
	va_start(ap, fmt);
	errinfo_vset(ei, code, fmt, ap);
	va_end(ap);
	return code;
}
