/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The client's HTTPS to cloudtrustd, on libcurl: one connection reused for
 * every request of a flow, a timeout on each, a cap on the reply body, and
 * TLS verified against one CA file (the one saved at join, or --ca), which
 * is the only trust anchor and cannot be turned off.  https:// only: the
 * client sends passwords, tokens and PRTs.  No redirects are followed and
 * proxy environment variables are ignored.
 */
#ifndef CT_CL_HTTP_H
#define CT_CL_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "cl-limits.h"
#include "ct-buf.h"
#include "ct-error.h"

struct cl_http;

struct cl_http_reply {
	long status;
	struct ct_buf body;     /* wiped on free: replies hold tokens */
	time_t date;            /* the Date header, 0 when absent or malformed */
	char trace_id[CT_CL_MAX_TRACE_ID + 1]; /* X-Trace-Id, printable, or "" */
};

/*
 * Checks a server URL: https://, a host, no user info, query, fragment,
 * spaces or control characters, at most CT_CL_MAX_URL bytes.  Returns 0 or
 * CT_ERR_BAD_VALUE (detail in ei).
 */
int cl_url_check(const char *url, struct ct_errinfo *ei);

/*
 * A client for base_url trusting only the PEM CAs in cafile.  timeout_ms 0
 * means CT_CL_HTTP_TIMEOUT_MS.  Returns 0, CT_ERR_BAD_VALUE (URL),
 * CT_ERR_NOMEM, CT_ERR_INTERNAL (libcurl setup).  Free with cl_http_free.
 */
int cl_http_new(const char *base_url, const char *cafile, long timeout_ms,
		struct cl_http **out, struct ct_errinfo *ei);
void cl_http_free(struct cl_http *h);

/* The base URL without a trailing '/'. */
const char *cl_http_base(const struct cl_http *h);

enum cl_http_body {
	CL_BODY_NONE = 0,
	CL_BODY_FORM,   /* application/x-www-form-urlencoded */
	CL_BODY_JSON,   /* application/json */
};

/*
 * Sends method path (appended to the base URL, already percent-encoded)
 * with an optional body of the given kind and an optional bearer token
 * (secret: never kept after the call).  Any HTTP status fills *reply (free
 * with cl_http_reply_free) and returns 0.  Errors: CT_ERR_NETWORK (cannot
 * resolve or connect, connection lost), CT_ERR_TIMEOUT, CT_ERR_CERT_UNTRUSTED
 * (the server's certificate does not verify against the CA file or name),
 * CT_ERR_IO (the CA file cannot be used), CT_ERR_TOO_LARGE (reply over
 * CT_CL_MAX_REPLY), CT_ERR_NOMEM; curl's description in ei.  On error
 * *reply is empty.
 */
int cl_http_request(struct cl_http *h, const char *method, const char *path,
		    enum cl_http_body kind, const void *body, size_t body_len,
		    const char *bearer, struct cl_http_reply *reply,
		    struct ct_errinfo *ei);

void cl_http_reply_free(struct cl_http_reply *r);

/*
 * Appends "name=value" (with '&' before it unless b is empty), both
 * percent-encoded for application/x-www-form-urlencoded.  Returns 0 or the
 * buffer's error.
 */
int cl_form_add(struct ct_buf *b, const char *name, const char *value);

#endif
