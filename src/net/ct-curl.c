/* SPDX-License-Identifier: Apache-2.0 */
#include "ct-curl.h"

#include <string.h>
#include <strings.h>

int ct_curl_setup(CURL *curl, const struct ct_curl_opts *o, struct ct_errinfo *ei)
{
	CURLcode c = CURLE_OK;

	c |= curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, o->errbuf);
	c |= curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	c |= curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, o->https ? "https" : "http");
	c |= curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	c |= curl_easy_setopt(curl, CURLOPT_PROXY, "");
	c |= curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, o->timeout_ms);
	c |= curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_reply);
	c |= curl_easy_setopt(curl, CURLOPT_USERAGENT, o->user_agent);
	c |= curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, ct_curl_on_body);
	c |= curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, o->on_header);
	if (o->https) {
		/* The CA file is the only trust anchor: no system store. */
		c |= curl_easy_setopt(curl, CURLOPT_CAINFO, o->cafile);
		c |= curl_easy_setopt(curl, CURLOPT_CAPATH, NULL);
		c |= curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
		c |= curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
		c |= curl_easy_setopt(curl, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	}
	if (c != CURLE_OK)
		return ct_errinfo_set(ei, CT_ERR_INTERNAL, "libcurl refused an option");
	return 0;
}

size_t ct_curl_on_body(char *p, size_t size, size_t nmemb, void *arg)
{
	struct ct_curl_body *s = arg;
	size_t n = size * nmemb;

	if (n > s->cap - s->buf->len) {
		s->overflow = true;
		return 0;
	}
	ct_buf_put(s->buf, p, n);
	return s->buf->err != 0 ? 0 : n;
}

struct curl_slist *ct_curl_headers(const char *const *lines, size_t n)
{
	struct curl_slist *l = NULL, *next;
	size_t i;

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

bool ct_curl_header_value(const char *line, size_t n, const char *name, char *out,
			  size_t outlen)
{
	size_t i, o = 0, len = strlen(name);

	if (n < len || strncasecmp(line, name, len) != 0)
		return false;
	/* Printable only: these values end up in messages to people. */
	for (i = len; i < n && o + 1 < outlen; i++)
		if (line[i] > 0x20 && line[i] < 0x7f)
			out[o++] = line[i];
	out[o] = '\0';
	return true;
}

CURLcode ct_curl_method(CURL *curl, const char *method, const void *body, size_t len)
{
	CURLcode c = CURLE_OK;

	if (strcmp(method, "GET") == 0) {
		c |= curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
		c |= curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, NULL);
		return c;
	}
	c |= curl_easy_setopt(curl, CURLOPT_POST, 1L);
	c |= curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body != NULL ? body : "");
	c |= curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
			      (curl_off_t)(body != NULL ? len : 0));
	c |= curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST,
			      strcmp(method, "POST") == 0 ? NULL : method);
	return c;
}

int ct_curl_error(CURLcode c, const struct ct_curl_body *body, const char *base,
		  const char *errbuf, struct ct_errinfo *ei)
{
	const char *what = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(c);

	if (body->overflow || c == CURLE_FILESIZE_EXCEEDED)
		return ct_errinfo_set(ei, CT_ERR_TOO_LARGE,
				      "%s: the reply is larger than %zu bytes", base, body->cap);
	switch (c) {
	case CURLE_OPERATION_TIMEDOUT:
		return ct_errinfo_set(ei, CT_ERR_TIMEOUT, "%s: %s", base, what);
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_ISSUER_ERROR:
		return ct_errinfo_set(ei, CT_ERR_CERT_UNTRUSTED,
				      "%s: the server's certificate does not verify: %s",
				      base, what);
	case CURLE_SSL_CACERT_BADFILE:
		return ct_errinfo_set(ei, CT_ERR_IO, "cannot use the CA file: %s", what);
	case CURLE_OUT_OF_MEMORY:
		return ct_errinfo_set(ei, CT_ERR_NOMEM, "%s", what);
	default:
		return ct_errinfo_set(ei, CT_ERR_NETWORK, "%s: %s", base, what);
	}
}
