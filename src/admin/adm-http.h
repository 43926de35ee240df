/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The admin command's HTTP client, on libcurl: one connection reused for
 * every request, a timeout on each, a cap on the reply body, the bearer
 * token on every request, and TLS verification against one CA file that
 * cannot be turned off.  Plain http:// URLs work (test servers run with
 * insecure_http); the caller warns about them (adm_url_is_plain_http).
 *
 * No redirects are followed and proxy environment variables are ignored:
 * the token goes to the URL the administrator named and nowhere else.
 */
#ifndef CT_ADM_HTTP_H
#define CT_ADM_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "ct-buf.h"
#include "ct-error.h"
#include "ct-limits.h"

struct adm_http;

struct adm_http_config {
	const char *base_url; /* https://host:port or http://..., optional path prefix */
	const char *cacert;   /* PEM CAs to trust; the only trust anchors (https) */
	const char *token;    /* bearer token (secret; copied, wiped on free) */
	long timeout_ms;      /* whole request, connection included */
	size_t max_reply;     /* 0: CT_ADMIN_MAX_REPLY */
};

struct adm_http_reply {
	long status;
	struct ct_buf body; /* wiped on free: replies may hold secrets */
	char trace_id[CT_ADMIN_MAX_TRACE_ID + 1]; /* X-Trace-Id, printable ASCII, or "" */
};

/*
 * Checks a base URL: http:// or https://, a host, no user info, query or
 * fragment, no spaces or control characters, at most CT_ADMIN_MAX_URL bytes.
 * Returns 0 or CT_ERR_BAD_VALUE (detail in ei).
 */
int adm_url_check(const char *url, struct ct_errinfo *ei);

/* True when url is plain http:// (no TLS: the caller must warn). */
bool adm_url_is_plain_http(const char *url);

/*
 * Creates a client (the caller frees it with adm_http_free).  Returns 0,
 * CT_ERR_BAD_VALUE (URL, token with characters outside base64url),
 * CT_ERR_NOMEM or CT_ERR_INTERNAL (libcurl setup).
 */
int adm_http_new(const struct adm_http_config *cfg, struct adm_http **out,
		 struct ct_errinfo *ei);

/* Frees the client and wipes its copy of the token; NULL is a no-op. */
void adm_http_free(struct adm_http *h);

/*
 * Sends method path (appended to the base URL; already percent-encoded),
 * with body as application/json when body is not NULL (body_len may be 0).
 * On any HTTP status the reply is filled (the caller frees it with
 * adm_http_reply_free) and 0 returned.  Errors: CT_ERR_NETWORK (cannot
 * connect, connection lost), CT_ERR_TIMEOUT, CT_ERR_CERT_UNTRUSTED (the
 * server's certificate does not verify against the CA file or name),
 * CT_ERR_IO (the CA file cannot be used), CT_ERR_TOO_LARGE (reply over the
 * cap), CT_ERR_NOMEM; curl's description in ei.  On error *reply is empty.
 */
int adm_http_request(struct adm_http *h, const char *method, const char *path,
		     const void *body, size_t body_len,
		     struct adm_http_reply *reply, struct ct_errinfo *ei);

/* Wipes and frees the reply body; the struct may be reused. */
void adm_http_reply_free(struct adm_http_reply *r);

#endif
