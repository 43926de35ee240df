/* SPDX-License-Identifier: Apache-2.0 */
/*
 * src/net's libcurl helpers without a network: the body sink and its cap,
 * header lists, the method options on a real handle, and the mapping of
 * libcurl's failures to CT_ERR_* codes and messages.  Requests over the
 * wire are tested through their users (test-admin-http, the client e2e).
 */
#include <string.h>

#include "ct-curl.h"
#include "tap.h"

static void test_body(void)
{
	struct ct_buf b;
	struct ct_curl_body s = {.buf = &b, .cap = 8};
	char text[] = "abcdefghij";

	ct_buf_init(&b, 8);
	CHECK_INT(ct_curl_on_body(text, 1, 5, &s), 5);
	CHECK_INT(ct_curl_on_body(text, 3, 1, &s), 3);  /* exactly at the cap */
	CHECK(!s.overflow);
	CHECK_MEM(b.data, b.len, "abcdeabc", 8);
	CHECK_INT(ct_curl_on_body(text, 1, 1, &s), 0);  /* one byte over: stop */
	CHECK(s.overflow);
	CHECK_INT(b.len, 8);
	ct_buf_free(&b);
}

static void test_headers(void)
{
	const char *lines[] = {"Accept: application/json", "Expect:", "X-A: 1"};
	struct curl_slist *l = ct_curl_headers(lines, 3), *p;
	size_t n = 0;

	CHECK(l != NULL);
	for (p = l; p != NULL; p = p->next, n++)
		CHECK_STR(p->data, lines[n]);
	CHECK_INT(n, 3);
	curl_slist_free_all(l);
	CHECK(ct_curl_headers(lines, 0) == NULL);
}

static void test_header_value(void)
{
	static const char line[] = "X-Trace-ID: ab c\x01\x7f\xc3\xa4" "d\r\n";
	char out[8] = "unset";

	CHECK(!ct_curl_header_value(line, sizeof(line) - 1, "date:", out, sizeof(out)));
	CHECK_STR(out, "unset");
	CHECK(!ct_curl_header_value(line, 5, "x-trace-id:", out, sizeof(out)));
	CHECK(ct_curl_header_value(line, sizeof(line) - 1, "x-trace-id:", out, sizeof(out)));
	CHECK_STR(out, "abcd");
	CHECK(ct_curl_header_value(line, sizeof(line) - 1, "x-trace-id:", out, 3));
	CHECK_STR(out, "ab");
	CHECK(ct_curl_header_value("x-trace-id:\r\n", 13, "x-trace-id:", out, sizeof(out)));
	CHECK_STR(out, "");
}

static size_t ignore_header(char *p, size_t size, size_t nmemb, void *arg)
{
	return size * nmemb;
}

static void test_setup_and_method(void)
{
	char errbuf[CURL_ERROR_SIZE];
	struct ct_curl_opts o = {.https = true, .cafile = "/nonexistent/ca.pem",
				 .timeout_ms = 1000, .max_reply = 64, .user_agent = "test",
				 .errbuf = errbuf, .on_header = ignore_header};
	struct ct_errinfo ei = {0};
	CURL *curl = curl_easy_init();

	CHECK(curl != NULL);
	if (curl == NULL)
		return;
	CHECK_ERR(ct_curl_setup(curl, &o, &ei), 0);
	o.https = false;
	CHECK_ERR(ct_curl_setup(curl, &o, &ei), 0);
	CHECK_INT(ct_curl_method(curl, "GET", NULL, 0), CURLE_OK);
	CHECK_INT(ct_curl_method(curl, "POST", "{}", 2), CURLE_OK);
	CHECK_INT(ct_curl_method(curl, "DELETE", NULL, 0), CURLE_OK);
	curl_easy_cleanup(curl);
}

static void test_errors(void)
{
	static const struct {
		CURLcode c;
		const char *errbuf;
		int err;
		const char *msg;
	} cases[] = {
		{CURLE_OPERATION_TIMEDOUT, "timed out after 5 ms", CT_ERR_TIMEOUT,
		 "https://h: timed out after 5 ms"},
		{CURLE_PEER_FAILED_VERIFICATION, "bad name", CT_ERR_CERT_UNTRUSTED,
		 "https://h: the server's certificate does not verify: bad name"},
		{CURLE_SSL_ISSUER_ERROR, "x", CT_ERR_CERT_UNTRUSTED,
		 "https://h: the server's certificate does not verify: x"},
		{CURLE_SSL_CACERT_BADFILE, "no file", CT_ERR_IO, "cannot use the CA file: no file"},
		{CURLE_OUT_OF_MEMORY, "oom", CT_ERR_NOMEM, "oom"},
		{CURLE_COULDNT_CONNECT, "refused", CT_ERR_NETWORK, "https://h: refused"},
		{CURLE_FILESIZE_EXCEEDED, "", CT_ERR_TOO_LARGE,
		 "https://h: the reply is larger than 512 bytes"},
	};
	struct ct_curl_body body = {.cap = 512};
	struct ct_errinfo ei;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&ei, 0, sizeof(ei));
		CHECK_ERR(ct_curl_error(cases[i].c, &body, "https://h", cases[i].errbuf, &ei),
			  cases[i].err);
		CHECK_STR(ei.msg, cases[i].msg);
	}
	/* An empty error buffer falls back to libcurl's words for the code. */
	CHECK_ERR(ct_curl_error(CURLE_COULDNT_RESOLVE_HOST, &body, "https://h", "", &ei),
		  CT_ERR_NETWORK);
	CHECK(strstr(ei.msg, curl_easy_strerror(CURLE_COULDNT_RESOLVE_HOST)) != NULL);
	/* A body over its cap wins over whatever curl said. */
	body.overflow = true;
	CHECK_ERR(ct_curl_error(CURLE_WRITE_ERROR, &body, "https://h", "write", &ei),
		  CT_ERR_TOO_LARGE);
	CHECK_STR(ei.msg, "https://h: the reply is larger than 512 bytes");
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	test_body();
	test_headers();
	test_header_value();
	test_setup_and_method();
	test_errors();
	curl_global_cleanup();
	return tap_done();
}
