/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libcurl as cloudtrust's clients of cloudtrustd use it (the client library
 * and cloudtrust-admin): one protocol, no redirects, no proxy from the
 * environment, no signals, a timeout and a cap on every reply, the CA file
 * as the only trust anchor, and one mapping of libcurl's failures to
 * CT_ERR_* codes.  Each program keeps its own handle, headers and reply.
 */
#ifndef CT_CURL_H
#define CT_CURL_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

#include "ct-buf.h"
#include "ct-error.h"

/* What the write callback fills during one request (CURLOPT_WRITEDATA). */
struct ct_curl_body {
	struct ct_buf *buf;  /* the reply body */
	size_t cap;          /* at most this many bytes */
	bool overflow;       /* set when the reply went over cap */
};

/* Options a handle keeps for all its requests. */
struct ct_curl_opts {
	bool https;                  /* false: plain http (tests only) */
	const char *cafile;          /* https: the only trust anchor (PEM) */
	long timeout_ms;             /* per request */
	size_t max_reply;            /* bytes; curl refuses a longer announced body */
	const char *user_agent;
	char *errbuf;                /* CURL_ERROR_SIZE bytes, kept by the caller */
	curl_write_callback on_header; /* gets CURLOPT_HEADERDATA */
};

/*
 * Sets o on curl, with ct_curl_on_body as the write callback.  Returns 0
 * or CT_ERR_INTERNAL ("libcurl refused an option").
 */
int ct_curl_setup(CURL *curl, const struct ct_curl_opts *o, struct ct_errinfo *ei);

/* The write callback: appends to a struct ct_curl_body, stops over its cap. */
size_t ct_curl_on_body(char *p, size_t size, size_t nmemb, void *arg);

/*
 * A header list of n lines (NULL when out of memory, or for n 0); the
 * caller frees it with curl_slist_free_all, after wiping lines that hold a
 * secret.
 */
struct curl_slist *ct_curl_headers(const char *const *lines, size_t n);

/*
 * For a header line of n bytes as libcurl hands it to the header callback:
 * when it is the header name (lower case with its colon, "x-trace-id:";
 * matched in any case), copies the value's printable ASCII, without spaces,
 * into out (cut to outlen - 1 bytes) and returns true; else false.
 */
bool ct_curl_header_value(const char *line, size_t n, const char *name, char *out,
			  size_t outlen);

/*
 * Sets the method of the next request: GET without a body; POST, or any
 * other method, sending len bytes of body (none when body is NULL).
 * Returns libcurl's code; the caller clears CURLOPT_POSTFIELDS afterwards
 * when body is secret.
 */
CURLcode ct_curl_method(CURL *curl, const char *method, const void *body, size_t len);

/*
 * Maps a failed request (c, or a body over its cap) to a CT_ERR_* code with
 * base and libcurl's words (errbuf, else its message for c) in ei:
 * CT_ERR_TOO_LARGE, CT_ERR_TIMEOUT, CT_ERR_CERT_UNTRUSTED, CT_ERR_IO (the CA
 * file), CT_ERR_NOMEM, else CT_ERR_NETWORK.
 */
int ct_curl_error(CURLcode c, const struct ct_curl_body *body, const char *base,
		  const char *errbuf, struct ct_errinfo *ei);

#endif
