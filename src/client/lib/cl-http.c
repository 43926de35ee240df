/* SPDX-License-Identifier: Apache-2.0 */
#include "cl-http.h"

#include <curl/curl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ct-secret.h"

#ifndef CT_CLIENT_VERSION
#define CT_CLIENT_VERSION "unknown"
#endif

struct cl_http {
	CURL *curl;
	char *base;
	char errbuf[CURL_ERROR_SIZE];
};

/* What the callbacks fill during one request. */
struct sink {
	struct cl_http_reply *reply;
	bool overflow;
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

static size_t on_body(char *p, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;
	struct ct_buf *b = &s->reply->body;
	size_t n = size * nmemb;

	if (n > CT_CL_MAX_REPLY - b->len) {
		s->overflow = true;
		return 0;
	}
	ct_buf_put(b, p, n);
	return b->err != 0 ? 0 : n;
}

/* Copies a header value's printable ASCII (no spaces) into out. */
static void header_value(const char *p, size_t n, char *out, size_t outlen)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 1 < outlen; i++)
		if (p[i] > 0x20 && p[i] < 0x7f)
			out[o++] = p[i];
	out[o] = '\0';
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *arg)
{
	static const char trace[] = "x-trace-id:", date[] = "date:";
	struct sink *s = arg;
	size_t n = size * nmemb;

	if (n >= sizeof(trace) - 1 && strncasecmp(p, trace, sizeof(trace) - 1) == 0) {
		header_value(p + sizeof(trace) - 1, n - (sizeof(trace) - 1),
			     s->reply->trace_id, sizeof(s->reply->trace_id));
	} else if (n >= sizeof(date) - 1 && n < 128 &&
		   strncasecmp(p, date, sizeof(date) - 1) == 0) {
		char text[128];
		time_t t;

		/* Keep the spaces of "Tue, 25 Nov 2025 10:00:00 GMT". */
		memcpy(text, p + sizeof(date) - 1, n - (sizeof(date) - 1));
		text[n - (sizeof(date) - 1)] = '\0';
		text[strcspn(text, "\r\n")] = '\0';
		t = curl_getdate(text, NULL);
		s->reply->date = t > 0 ? t : 0;
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
	struct cl_http *h;
	CURLcode c = CURLE_OK;
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
	c |= curl_easy_setopt(h->curl, CURLOPT_ERRORBUFFER, h->errbuf);
	c |= curl_easy_setopt(h->curl, CURLOPT_NOSIGNAL, 1L);
	c |= curl_easy_setopt(h->curl, CURLOPT_PROTOCOLS_STR, "https");
	c |= curl_easy_setopt(h->curl, CURLOPT_FOLLOWLOCATION, 0L);
	c |= curl_easy_setopt(h->curl, CURLOPT_PROXY, "");
	c |= curl_easy_setopt(h->curl, CURLOPT_TIMEOUT_MS,
			      timeout_ms > 0 ? timeout_ms : (long)CT_CL_HTTP_TIMEOUT_MS);
	c |= curl_easy_setopt(h->curl, CURLOPT_MAXFILESIZE_LARGE,
			      (curl_off_t)CT_CL_MAX_REPLY);
	c |= curl_easy_setopt(h->curl, CURLOPT_USERAGENT, "cloudtrust/" CT_CLIENT_VERSION);
	c |= curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, on_body);
	c |= curl_easy_setopt(h->curl, CURLOPT_HEADERFUNCTION, on_header);
	/* The CA file is the only trust anchor: no system store. */
	c |= curl_easy_setopt(h->curl, CURLOPT_CAINFO, cafile);
	c |= curl_easy_setopt(h->curl, CURLOPT_CAPATH, NULL);
	c |= curl_easy_setopt(h->curl, CURLOPT_SSL_VERIFYPEER, 1L);
	c |= curl_easy_setopt(h->curl, CURLOPT_SSL_VERIFYHOST, 2L);
	c |= curl_easy_setopt(h->curl, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (c != CURLE_OK) {
		cl_http_free(h);
		return ct_errinfo_set(ei, CT_ERR_INTERNAL, "libcurl refused an option");
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

static int curl_error(const struct cl_http *h, CURLcode c, const struct sink *s,
		      struct ct_errinfo *ei)
{
	const char *what = h->errbuf[0] != '\0' ? h->errbuf : curl_easy_strerror(c);

	if (s->overflow || c == CURLE_FILESIZE_EXCEEDED)
		return ct_errinfo_set(ei, CT_ERR_TOO_LARGE,
				      "%s: the reply is larger than %d bytes", h->base,
				      CT_CL_MAX_REPLY);
	switch (c) {
	case CURLE_OPERATION_TIMEDOUT:
		return ct_errinfo_set(ei, CT_ERR_TIMEOUT, "%s: %s", h->base, what);
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_ISSUER_ERROR:
		return ct_errinfo_set(ei, CT_ERR_CERT_UNTRUSTED,
				      "%s: the server's certificate does not verify: %s",
				      h->base, what);
	case CURLE_SSL_CACERT_BADFILE:
		return ct_errinfo_set(ei, CT_ERR_IO, "cannot use the CA file: %s", what);
	case CURLE_OUT_OF_MEMORY:
		return ct_errinfo_set(ei, CT_ERR_NOMEM, "%s", what);
	default:
		return ct_errinfo_set(ei, CT_ERR_NETWORK, "%s: %s", h->base, what);
	}
}

/* Header lines of one request; the bearer line is wiped by the caller. */
static struct curl_slist *headers(enum cl_http_body kind, const char *auth)
{
	const char *lines[4];
	struct curl_slist *l = NULL, *next;
	size_t i, n = 0;

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
	for (i = 0; i < n; i++) {
		next = curl_slist_append(l, lines[i]);
		if (next == NULL) {
			curl_slist_free_all(l);
			return NULL;
		}
		l = next;
	}
	return l;
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
	struct sink s = {.reply = reply};
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
	c |= curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, &s);
	c |= curl_easy_setopt(h->curl, CURLOPT_HEADERDATA, &s);
	c |= curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, hdrs);
	if (strcmp(method, "GET") == 0) {
		c |= curl_easy_setopt(h->curl, CURLOPT_HTTPGET, 1L);
		c |= curl_easy_setopt(h->curl, CURLOPT_CUSTOMREQUEST, NULL);
	} else {
		c |= curl_easy_setopt(h->curl, CURLOPT_POST, 1L);
		c |= curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, body != NULL ? body : "");
		c |= curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE,
				      (curl_off_t)(body != NULL ? body_len : 0));
		c |= curl_easy_setopt(h->curl, CURLOPT_CUSTOMREQUEST,
				      strcmp(method, "POST") == 0 ? NULL : method);
	}
	if (c == CURLE_OK)
		c = curl_easy_perform(h->curl);
	/* Keep no pointer to the caller's (secret) body or our headers. */
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, NULL);
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, NULL);
	headers_free(hdrs);
	if (c == CURLE_OK)
		c = curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &reply->status);
	if (c != CURLE_OK || s.overflow) {
		r = curl_error(h, c, &s, ei);
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
