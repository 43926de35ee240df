/* SPDX-License-Identifier: Apache-2.0 */
#include "adm-http.h"

#include <curl/curl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ct-secret.h"

#ifndef CT_ADMIN_VERSION
#define CT_ADMIN_VERSION "unknown"
#endif

struct adm_http {
	CURL *curl;
	struct curl_slist *hdr_json;  /* requests with a JSON body */
	struct curl_slist *hdr_plain; /* requests without a body */
	char *base;                   /* base URL without trailing '/' */
	char *auth;                   /* "Authorization: Bearer ..." (secret) */
	size_t max_reply;
	char errbuf[CURL_ERROR_SIZE];
};

/* What the write and header callbacks fill during one request. */
struct sink {
	struct adm_http_reply *reply;
	size_t cap;
	bool overflow;
};

static bool has_prefix_ci(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

bool adm_url_is_plain_http(const char *url)
{
	return url != NULL && has_prefix_ci(url, "http://");
}

int adm_url_check(const char *url, struct ct_errinfo *ei)
{
	const char *rest, *p;
	size_t hostlen;

	if (url == NULL || strlen(url) > CT_ADMIN_MAX_URL)
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				      "server URL missing or too long");
	if (has_prefix_ci(url, "https://"))
		rest = url + 8;
	else if (has_prefix_ci(url, "http://"))
		rest = url + 7;
	else
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				      "server URL %s: must start with https:// "
				      "(or http:// for tests)", url);
	for (p = url; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '?' || *p == '#')
			return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
					      "server URL %s: no spaces, query or fragment",
					      url);
	hostlen = strcspn(rest, "/");
	if (hostlen == 0 || memchr(rest, '@', hostlen) != NULL)
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				      "server URL %s: needs a host and no user name", url);
	return 0;
}

/* The bearer token goes into a header: base64url (and padding) only. */
static bool token_ok(const char *t)
{
	size_t n = strlen(t);

	static const char b64url[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=";

	return n > 0 && n <= CT_ADMIN_MAX_TOKEN && strspn(t, b64url) == n;
}

static size_t on_body(char *p, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;
	struct ct_buf *b = &s->reply->body;
	size_t n = size * nmemb;

	if (n > s->cap - b->len) {
		s->overflow = true;
		return 0;
	}
	ct_buf_put(b, p, n);
	return b->err != 0 ? 0 : n;
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *arg)
{
	static const char name[] = "x-trace-id:";
	struct sink *s = arg;
	size_t n = size * nmemb, i, o = 0;
	char *id = s->reply->trace_id;

	if (n < sizeof(name) - 1 || strncasecmp(p, name, sizeof(name) - 1) != 0)
		return n;
	/* Keep printable ASCII only: the id is shown to people. */
	for (i = sizeof(name) - 1; i < n && o < CT_ADMIN_MAX_TRACE_ID; i++)
		if (p[i] > 0x20 && p[i] < 0x7f)
			id[o++] = p[i];
	id[o] = '\0';
	return n;
}

void adm_http_free(struct adm_http *h)
{
	if (h == NULL)
		return;
	if (h->curl != NULL)
		curl_easy_cleanup(h->curl);
	curl_slist_free_all(h->hdr_json);
	curl_slist_free_all(h->hdr_plain);
	free(h->base);
	ct_erase_free_str(h->auth);
	free(h);
}

/*
 * A header list: the token, Accept, no 100-continue, and content_type (an
 * empty "Content-Type:" stops curl from claiming a form for an empty POST).
 */
static struct curl_slist *header_list(const char *auth, const char *content_type)
{
	const char *lines[] = {auth, "Accept: application/json", "Expect:", content_type};
	struct curl_slist *l = NULL, *next;
	size_t i;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		next = curl_slist_append(l, lines[i]);
		if (next == NULL) {
			curl_slist_free_all(l);
			return NULL;
		}
		l = next;
	}
	return l;
}

int adm_http_new(const struct adm_http_config *cfg, struct adm_http **out,
		 struct ct_errinfo *ei)
{
	static const char bearer[] = "Authorization: Bearer ";
	struct adm_http *h = NULL;
	bool https;
	size_t n;
	CURLcode c = CURLE_OK;
	int r;

	*out = NULL;
	r = adm_url_check(cfg->base_url, ei);
	if (r != 0)
		return r;
	if (cfg->token == NULL || !token_ok(cfg->token))
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				      "the admin token is not base64url text");
	https = !adm_url_is_plain_http(cfg->base_url);
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return CT_ERR_NOMEM;
	h->max_reply = cfg->max_reply != 0 ? cfg->max_reply : CT_ADMIN_MAX_REPLY;
	h->base = strdup(cfg->base_url);
	n = sizeof(bearer) + strlen(cfg->token);
	h->auth = malloc(n);
	if (h->base == NULL || h->auth == NULL) {
		r = CT_ERR_NOMEM;
		goto out;
	}
	snprintf(h->auth, n, "%s%s", bearer, cfg->token);
	for (n = strlen(h->base); n > 0 && h->base[n - 1] == '/'; n--)
		h->base[n - 1] = '\0';
	h->hdr_json = header_list(h->auth, "Content-Type: application/json");
	h->hdr_plain = header_list(h->auth, "Content-Type:");
	if (h->hdr_json == NULL || h->hdr_plain == NULL) {
		r = CT_ERR_NOMEM;
		goto out;
	}
	h->curl = curl_easy_init();
	if (h->curl == NULL) {
		r = ct_errinfo_set(ei, CT_ERR_INTERNAL, "cannot initialise libcurl");
		goto out;
	}
	c |= curl_easy_setopt(h->curl, CURLOPT_ERRORBUFFER, h->errbuf);
	c |= curl_easy_setopt(h->curl, CURLOPT_NOSIGNAL, 1L);
	c |= curl_easy_setopt(h->curl, CURLOPT_PROTOCOLS_STR, https ? "https" : "http");
	c |= curl_easy_setopt(h->curl, CURLOPT_FOLLOWLOCATION, 0L);
	c |= curl_easy_setopt(h->curl, CURLOPT_PROXY, "");
	c |= curl_easy_setopt(h->curl, CURLOPT_TIMEOUT_MS, cfg->timeout_ms);
	c |= curl_easy_setopt(h->curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)h->max_reply);
	c |= curl_easy_setopt(h->curl, CURLOPT_USERAGENT,
			      "cloudtrust-admin/" CT_ADMIN_VERSION);
	c |= curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, on_body);
	c |= curl_easy_setopt(h->curl, CURLOPT_HEADERFUNCTION, on_header);
	if (https) {
		/* The CA file is the only trust anchor: no system store. */
		c |= curl_easy_setopt(h->curl, CURLOPT_CAINFO, cfg->cacert);
		c |= curl_easy_setopt(h->curl, CURLOPT_CAPATH, NULL);
		c |= curl_easy_setopt(h->curl, CURLOPT_SSL_VERIFYPEER, 1L);
		c |= curl_easy_setopt(h->curl, CURLOPT_SSL_VERIFYHOST, 2L);
		c |= curl_easy_setopt(h->curl, CURLOPT_SSLVERSION,
				      (long)CURL_SSLVERSION_TLSv1_2);
	}
	if (c != CURLE_OK) {
		r = ct_errinfo_set(ei, CT_ERR_INTERNAL, "libcurl refused an option");
		goto out;
	}
	*out = h;
	h = NULL;
out:
	adm_http_free(h);
	return r;
}

void adm_http_reply_free(struct adm_http_reply *r)
{
	ct_buf_free(&r->body);
	r->status = 0;
	r->trace_id[0] = '\0';
}

/* Maps a libcurl failure to a CT_ERR_* code. */
static int curl_error(const struct adm_http *h, CURLcode c, const struct sink *s,
		      struct ct_errinfo *ei)
{
	const char *what = h->errbuf[0] != '\0' ? h->errbuf : curl_easy_strerror(c);

	if (s->overflow || c == CURLE_FILESIZE_EXCEEDED)
		return ct_errinfo_set(ei, CT_ERR_TOO_LARGE,
				      "%s: the reply is larger than %zu bytes", h->base,
				      s->cap);
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

int adm_http_request(struct adm_http *h, const char *method, const char *path,
		     const void *body, size_t body_len,
		     struct adm_http_reply *reply, struct ct_errinfo *ei)
{
	struct sink s = {.reply = reply, .cap = h->max_reply};
	char url[CT_ADMIN_MAX_URL + 1];
	CURLcode c = CURLE_OK;
	int n;

	memset(reply, 0, sizeof(*reply));
	ct_buf_init(&reply->body, h->max_reply);
	if (path[0] != '/')
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				      "request path must start with '/'");
	n = snprintf(url, sizeof(url), "%s%s", h->base, path);
	if (n < 0 || (size_t)n >= sizeof(url))
		return ct_errinfo_set(ei, CT_ERR_TOO_LARGE, "request URL too long");
	h->errbuf[0] = '\0';
	c |= curl_easy_setopt(h->curl, CURLOPT_URL, url);
	c |= curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, &s);
	c |= curl_easy_setopt(h->curl, CURLOPT_HEADERDATA, &s);
	c |= curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER,
			      body != NULL ? h->hdr_json : h->hdr_plain);
	if (strcmp(method, "GET") == 0) {
		c |= curl_easy_setopt(h->curl, CURLOPT_HTTPGET, 1L);
		c |= curl_easy_setopt(h->curl, CURLOPT_CUSTOMREQUEST, NULL);
	} else {
		c |= curl_easy_setopt(h->curl, CURLOPT_POST, 1L);
		c |= curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS,
				      body != NULL ? body : "");
		c |= curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE,
				      (curl_off_t)(body != NULL ? body_len : 0));
		c |= curl_easy_setopt(h->curl, CURLOPT_CUSTOMREQUEST,
				      strcmp(method, "POST") == 0 ? NULL : method);
	}
	if (c == CURLE_OK)
		c = curl_easy_perform(h->curl);
	/* Do not keep a pointer to the caller's (secret) body in the handle. */
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, NULL);
	if (c == CURLE_OK)
		c = curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &reply->status);
	if (c != CURLE_OK || s.overflow) {
		adm_http_reply_free(reply);
		return curl_error(h, c, &s, ei);
	}
	return 0;
}
