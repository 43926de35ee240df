/* SPDX-License-Identifier: Apache-2.0 */
#include "adm-http.h"

#include <curl/curl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ct-curl.h"
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

static size_t on_header(char *p, size_t size, size_t nmemb, void *arg)
{
	struct adm_http_reply *reply = arg;
	size_t n = size * nmemb;

	/* The id is shown to people: ct_curl_header_value keeps it printable. */
	ct_curl_header_value(p, n, "x-trace-id:", reply->trace_id, sizeof(reply->trace_id));
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

	return ct_curl_headers(lines, sizeof(lines) / sizeof(lines[0]));
}

int adm_http_new(const struct adm_http_config *cfg, struct adm_http **out,
		 struct ct_errinfo *ei)
{
	static const char bearer[] = "Authorization: Bearer ";
	struct ct_curl_opts opts = {
		.cafile = cfg->cacert,
		.timeout_ms = cfg->timeout_ms,
		.user_agent = "cloudtrust-admin/" CT_ADMIN_VERSION,
		.on_header = on_header,
	};
	struct adm_http *h = NULL;
	size_t n;
	int r;

	*out = NULL;
	r = adm_url_check(cfg->base_url, ei);
	if (r != 0)
		return r;
	if (cfg->token == NULL || !token_ok(cfg->token))
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				      "the admin token is not base64url text");
	opts.https = !adm_url_is_plain_http(cfg->base_url);
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
	opts.max_reply = h->max_reply;
	opts.errbuf = h->errbuf;
	r = ct_curl_setup(h->curl, &opts, ei);
	if (r != 0)
		goto out;
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

int adm_http_request(struct adm_http *h, const char *method, const char *path,
		     const void *body, size_t body_len,
		     struct adm_http_reply *reply, struct ct_errinfo *ei)
{
	struct ct_curl_body sink = {.buf = &reply->body, .cap = h->max_reply};
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
	c |= curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, &sink);
	c |= curl_easy_setopt(h->curl, CURLOPT_HEADERDATA, reply);
	c |= curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER,
			      body != NULL ? h->hdr_json : h->hdr_plain);
	c |= ct_curl_method(h->curl, method, body, body_len);
	if (c == CURLE_OK)
		c = curl_easy_perform(h->curl);
	/* Do not keep a pointer to the caller's (secret) body in the handle. */
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, NULL);
	if (c == CURLE_OK)
		c = curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &reply->status);
	if (c != CURLE_OK || sink.overflow) {
		adm_http_reply_free(reply);
		return ct_curl_error(c, &sink, h->base, h->errbuf, ei);
	}
	return 0;
}
