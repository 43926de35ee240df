/* SPDX-License-Identifier: Apache-2.0 */
#include "cl-http.h"

#include <curl/curl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ct-curl.h"
#include "ct-secret.h"

#ifndef CT_CLIENT_VERSION
#define CT_CLIENT_VERSION "unknown"
#endif

struct cl_http {
	CURL *curl;
	char *base;
	char errbuf[CURL_ERROR_SIZE];
};

int cl_url_check(const char *url, struct ct_errinfo *ei)
{
	const char *rest, *p;
	size_t hostlen;

	if (url == NULL || strlen(url) > CT_CL_MAX_URL)
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "server URL missing or too long");
	if (strncasecmp(url, "https://", 8) != 0)
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				      "server URL %.300s: must start with https://", url);
	rest = url + 8;
	for (p = url; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || *p == '?' ||
		    *p == '#')
			return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
					      "server URL %.300s: no spaces, query or fragment",
					      url);
	hostlen = strcspn(rest, "/");
	if (hostlen == 0 || memchr(rest, '@', hostlen) != NULL)
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				      "server URL %.300s: needs a host and no user name", url);
	return 0;
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *arg)
{
	static const char date[] = "date:";
	struct cl_http_reply *reply = arg;
	size_t n = size * nmemb;

	if (ct_curl_header_value(p, n, "x-trace-id:", reply->trace_id,
				 sizeof(reply->trace_id)))
		return n;
	if (n >= sizeof(date) - 1 && n < 128 && strncasecmp(p, date, sizeof(date) - 1) == 0) {
		char text[128];
		time_t t;

		/* Keep the spaces of "Tue, 25 Nov 2025 10:00:00 GMT". */
		memcpy(text, p + sizeof(date) - 1, n - (sizeof(date) - 1));
		text[n - (sizeof(date) - 1)] = '\0';
		text[strcspn(text, "\r\n")] = '\0';
		t = curl_getdate(text, NULL);
		reply->date = t > 0 ? t : 0;
	}
	return n;
}

void cl_http_free(struct cl_http *h)
{
	if (h == NULL)
		return;
	if (h->curl != NULL)
		curl_easy_cleanup(h->curl);
	free(h->base);
	free(h);
}

const char *cl_http_base(const struct cl_http *h)
{
	return h->base;
}

int cl_http_new(const char *base_url, const char *cafile, long timeout_ms,
		struct cl_http **out, struct ct_errinfo *ei)
{
	struct ct_curl_opts opts = {
		.https = true,
		.cafile = cafile,
		.timeout_ms = timeout_ms > 0 ? timeout_ms : (long)CT_CL_HTTP_TIMEOUT_MS,
		.max_reply = CT_CL_MAX_REPLY,
		.user_agent = "cloudtrust/" CT_CLIENT_VERSION,
		.on_header = on_header,
	};
	struct cl_http *h;
	size_t n;
	int r;

	*out = NULL;
	r = cl_url_check(base_url, ei);
	if (r != 0)
		return r;
	if (cafile == NULL)
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				      "no CA file to verify the server with");
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return CT_ERR_NOMEM;
	h->base = strdup(base_url);
	if (h->base == NULL) {
		cl_http_free(h);
		return CT_ERR_NOMEM;
	}
	for (n = strlen(h->base); n > 0 && h->base[n - 1] == '/'; n--)
		h->base[n - 1] = '\0';
	h->curl = curl_easy_init();
	if (h->curl == NULL) {
		cl_http_free(h);
		return ct_errinfo_set(ei, CT_ERR_INTERNAL, "cannot initialise libcurl");
	}
	opts.errbuf = h->errbuf;
	r = ct_curl_setup(h->curl, &opts, ei);
	if (r != 0) {
		cl_http_free(h);
		return r;
	}
	*out = h;
	return 0;
}

void cl_http_reply_free(struct cl_http_reply *r)
{
	ct_buf_free(&r->body);
	r->status = 0;
	r->date = 0;
	r->trace_id[0] = '\0';
}

/* Header lines of one request; the bearer line is wiped by the caller. */
static struct curl_slist *headers(enum cl_http_body kind, const char *auth)
{
	const char *lines[4];
	size_t n = 0;

	lines[n++] = "Accept: application/json";
	lines[n++] = "Expect:";
	if (kind == CL_BODY_FORM)
		lines[n++] = "Content-Type: application/x-www-form-urlencoded";
	else if (kind == CL_BODY_JSON)
		lines[n++] = "Content-Type: application/json";
	else
		lines[n++] = "Content-Type:";
	if (auth != NULL)
		lines[n++] = auth;
	return ct_curl_headers(lines, n);
}

/* Frees a header list, wiping each line (one may hold a token). */
static void headers_free(struct curl_slist *l)
{
	struct curl_slist *p;

	for (p = l; p != NULL; p = p->next)
		ct_zap(p->data, strlen(p->data));
	curl_slist_free_all(l);
}

int cl_http_request(struct cl_http *h, const char *method, const char *path,
		    enum cl_http_body kind, const void *body, size_t body_len,
		    const char *bearer, struct cl_http_reply *reply,
		    struct ct_errinfo *ei)
{
	struct ct_curl_body sink = {.buf = &reply->body, .cap = CT_CL_MAX_REPLY};
	struct curl_slist *hdrs = NULL;
	char url[CT_CL_MAX_URL + 512], *auth = NULL;
	CURLcode c = CURLE_OK;
	size_t alen;
	int n, r;

	memset(reply, 0, sizeof(*reply));
	ct_buf_init(&reply->body, CT_CL_MAX_REPLY);
	if (path[0] != '/')
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG, "request path must start with '/'");
	n = snprintf(url, sizeof(url), "%s%s", h->base, path);
	if (n < 0 || (size_t)n >= sizeof(url))
		return ct_errinfo_set(ei, CT_ERR_TOO_LARGE, "request URL too long");
	if (bearer != NULL) {
		alen = strlen("Authorization: Bearer ") + strlen(bearer) + 1;
		auth = malloc(alen);
		if (auth == NULL)
			return CT_ERR_NOMEM;
		snprintf(auth, alen, "Authorization: Bearer %s", bearer);
	}
	hdrs = headers(kind, auth);
	ct_erase_free_str(auth);
	if (hdrs == NULL)
		return CT_ERR_NOMEM;
	h->errbuf[0] = '\0';
	c |= curl_easy_setopt(h->curl, CURLOPT_URL, url);
	c |= curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, &sink);
	c |= curl_easy_setopt(h->curl, CURLOPT_HEADERDATA, reply);
	c |= curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, hdrs);
	c |= ct_curl_method(h->curl, method, body, body_len);
	if (c == CURLE_OK)
		c = curl_easy_perform(h->curl);
	/* Keep no pointer to the caller's (secret) body or our headers. */
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, NULL);
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, NULL);
	headers_free(hdrs);
	if (c == CURLE_OK)
		c = curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &reply->status);
	if (c != CURLE_OK || sink.overflow) {
		r = ct_curl_error(c, &sink, h->base, h->errbuf, ei);
		cl_http_reply_free(reply);
		return r;
	}
	return 0;
}

/* Percent-encodes s for a form: unreserved characters as they are. */
static void form_escape(struct ct_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char e[3];

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
			ct_buf_put_u8(b, c);
		} else {
			e[0] = '%';
			e[1] = hex[c >> 4];
			e[2] = hex[c & 15];
			ct_buf_put(b, e, 3);
		}
	}
}

int cl_form_add(struct ct_buf *b, const char *name, const char *value)
{
	if (b->len > 0)
		ct_buf_put_u8(b, '&');
	form_escape(b, name);
	ct_buf_put_u8(b, '=');
	form_escape(b, value);
	return b->err;
}
