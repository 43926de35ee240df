/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTP layer on libmicrohttpd (see http.h).
 *
 * A request's state (struct ct_http_conn_) is made in MHD's URI log
 * callback, because that is the only place MHD shows the raw request
 * target: routing and the strict query parser work on the bytes the client
 * sent, not on MHD's lenient unescaping.  It is freed in the completion
 * callback, which also feeds the access hook.
 *
 * Worker-thread contexts live in a pthread key per server: created lazily by
 * thread_init on a thread's first request, released by the key's destructor
 * when MHD_stop_daemon ends the thread, so thread_fini runs in the thread
 * that owns the context (SQLite handles want that).
 */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "ct-buf.h"
#include "ct-limits.h"
#include "ct-secret.h"

#define THREADS_MAX 256

struct route_ {
	const char *method;
	const char *pattern;
	ct_http_handler handler;
	bool wildcard;
	size_t prefix_len; /* pattern bytes before '{' */
	const char *suffix; /* pattern after '}' */
	size_t suffix_len;
};

struct ct_http_server {
	struct MHD_Daemon *mhd;
	struct route_ *routes;
	size_t nroutes;
	void *app;
	struct ct_http_config cfg; /* its string pointers are not used after start */
	char *cert_pem, *key_pem, *ca_pem, *priorities;
	pthread_key_t tkey;
	bool tkey_ok;
	uint16_t port;
	pthread_t starter; /* MHD messages from it during start go to start_err */
	int starting;      /* atomic */
	char start_err[512];
};

struct thread_slot {
	struct ct_http_server *srv;
	void *ctx;
};

/* A reply body with its length in front, so MHD's free callback can wipe it. */
struct blob {
	size_t len;
	uint8_t data[];
};

struct ct_http_response {
	unsigned status;
	const char *content_type; /* static or in the arena */
	struct blob *body;
	struct {
		const char *name, *value;
	} headers[CT_HTTP_MAX_RESP_HEADERS];
	size_t nheaders;
	const char *trace_id;
	struct ct_arena *arena;
};

struct ct_http_conn_ {
	struct ct_http_server *srv;
	struct MHD_Connection *mhd;
	struct ct_http_request req;
	struct ct_http_response resp;
	char *raw_uri;
	const struct route_ *route;
	struct ct_buf body;
	bool started;
	bool queued;
	unsigned status;
	int handler_err;
	long long t0_us;
	char trace_id[37];
	char remote[INET6_ADDRSTRLEN];
};

/* ---- small helpers ---- */

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* A random (version 4) UUID; trace ids need to be unique, not secret. */
static void make_trace_id(char out[37])
{
	static unsigned long counter;
	uint8_t b[16];
	long long t;
	unsigned long k;

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b)) {
		/* Cannot happen after boot; stay unique anyway. */
		t = now_us();
		k = __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
		memcpy(b, &t, sizeof(t));
		memcpy(b + 8, &k, sizeof(k) < 8 ? sizeof(k) : 8);
	}
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10],
		 b[11], b[12], b[13], b[14], b[15]);
}

static bool is_unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
}

/* An HTTP token (RFC 9110 tchar), for method and header names. */
static bool is_token(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!is_unreserved((unsigned char)*s) && strchr("!#$%&'*+^`|", *s) == NULL)
			return false;
	return true;
}

static char *dup_or_null(const char *s, bool *failed)
{
	char *d;

	if (s == NULL)
		return NULL;
	d = strdup(s);
	if (d == NULL)
		*failed = true;
	return d;
}

/* ---- listen address ---- */

int ct_http_listen_parse(const char *text, struct sockaddr_storage *ss,
			 socklen_t *sslen, struct ct_errinfo *ei)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
	char host[INET6_ADDRSTRLEN];
	const char *colon, *port;
	size_t hlen;
	char *end;
	unsigned long p;
	bool is_v6 = text[0] == '[';

	if (is_v6) {
		colon = strchr(text, ']');
		if (colon == NULL || colon[1] != ':')
			goto bad;
		hlen = (size_t)(colon - text - 1);
		port = colon + 2;
	} else {
		colon = strrchr(text, ':');
		if (colon == NULL)
			goto bad;
		hlen = (size_t)(colon - text);
		port = colon + 1;
	}
	if (hlen == 0 || hlen >= sizeof(host) || port[0] < '0' || port[0] > '9')
		goto bad;
	memcpy(host, text + (is_v6 ? 1 : 0), hlen);
	host[hlen] = '\0';
	errno = 0;
	p = strtoul(port, &end, 10);
	if (*end != '\0' || errno != 0 || p > 65535 || strlen(port) > 5)
		goto bad;
	memset(ss, 0, sizeof(*ss));
	if (is_v6) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)p);
		if (inet_pton(AF_INET6, host, &v6->sin6_addr) != 1)
			goto bad;
		*sslen = sizeof(*v6);
	} else {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)p);
		if (inet_pton(AF_INET, host, &v4->sin_addr) != 1)
			goto bad;
		*sslen = sizeof(*v4);
	}
	return 0;
bad:
	return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
			      "invalid listen address \"%.64s\": want IPv4:PORT or [IPv6]:PORT",
			      text);
}

/* ---- routes ---- */

/* Checks a pattern and splits a wildcard one around its {segment}. */
static int route_compile(const struct ct_http_route *in, struct route_ *out,
			 struct ct_errinfo *ei)
{
	const char *p = in->pattern, *open, *close;

	if (in->method == NULL || !is_token(in->method) || p == NULL || p[0] != '/' ||
	    in->handler == NULL)
		goto bad;
	out->method = in->method;
	out->pattern = p;
	out->handler = in->handler;
	open = strchr(p, '{');
	close = strchr(p, '}');
	out->wildcard = open != NULL;
	if (open == NULL)
		return close == NULL ? 0 : ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
							  "route pattern %s has a stray '}'", p);
	if (close == NULL || close < open + 2 || open[-1] != '/' ||
	    (close[1] != '/' && close[1] != '\0') || strchr(open + 1, '{') != NULL ||
	    strchr(close + 1, '}') != NULL)
		goto bad;
	out->prefix_len = (size_t)(open - p);
	out->suffix = close + 1;
	out->suffix_len = strlen(close + 1);
	return 0;
bad:
	return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
			      "invalid route %s %s: want METHOD, /exact/path or one "
			      "/{name}/ segment, and a handler",
			      in->method ? in->method : "(null)", p ? p : "(null)");
}

/* Does path match r?  For a wildcard, the segment's span goes to *cap, *caplen. */
static bool route_matches(const struct route_ *r, const char *path, size_t plen,
			  const char **cap, size_t *caplen)
{
	size_t mid, i;

	if (!r->wildcard)
		return strcmp(r->pattern, path) == 0;
	if (plen < r->prefix_len + r->suffix_len + 1 ||
	    memcmp(path, r->pattern, r->prefix_len) != 0 ||
	    memcmp(path + plen - r->suffix_len, r->suffix, r->suffix_len) != 0)
		return false;
	mid = plen - r->prefix_len - r->suffix_len;
	if (mid > CT_HTTP_MAX_SEGMENT)
		return false;
	/* Unreserved characters, and '@' so a UPN can name a user. */
	for (i = 0; i < mid; i++)
		if (!is_unreserved((unsigned char)path[r->prefix_len + i]) &&
		    path[r->prefix_len + i] != '@')
			return false;
	*cap = path + r->prefix_len;
	*caplen = mid;
	return true;
}

/*
 * Finds the route for method and path: exact patterns first, then
 * wildcards, each in table order.  When only the method is wrong, returns
 * NULL with the Allow list in allow.
 */
static const struct route_ *route_find(const struct ct_http_server *s, const char *method,
				       const char *path, const char **cap, size_t *caplen,
				       char *allow, size_t allowlen)
{
	size_t plen = strlen(path), i, pass, alen = 0;
	const char *c = NULL;
	size_t clen = 0;

	allow[0] = '\0';
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < s->nroutes; i++) {
			const struct route_ *r = &s->routes[i];

			if (r->wildcard != (pass == 1) || !route_matches(r, path, plen, &c, &clen))
				continue;
			if (strcmp(r->method, method) == 0) {
				*cap = r->wildcard ? c : NULL;
				*caplen = clen;
				return r;
			}
			/* Each method once; a full list is cut, not overrun. */
			if (strstr(allow, r->method) == NULL && alen + strlen(r->method) + 3 < allowlen)
				alen += (size_t)snprintf(allow + alen, allowlen - alen, "%s%s",
							 alen ? ", " : "", r->method);
		}
	}
	return NULL;
}

/* ---- responses ---- */

/* Makes b (allocated, owned from here on) the reply body. */
static int put_blob(struct ct_http_response *resp, unsigned status,
		   const char *content_type, struct blob *b)
{
	if (status < 200 || status > 599 || content_type == NULL) {
		ct_erase_free(b, sizeof(*b) + b->len);
		return CT_ERR_INVALID_ARG;
	}
	if (resp->body != NULL)
		ct_erase_free(resp->body, sizeof(*resp->body) + resp->body->len);
	resp->body = b;
	resp->status = status;
	resp->content_type = content_type;
	return 0;
}

static int set_body(struct ct_http_response *resp, unsigned status,
		    const char *content_type, const void *data, size_t len)
{
	struct blob *b = malloc(sizeof(*b) + len);

	if (b == NULL)
		return CT_ERR_NOMEM;
	b->len = len;
	if (len > 0)
		memcpy(b->data, data, len);
	return put_blob(resp, status, content_type, b);
}

int ct_http_bytes(struct ct_http_response *resp, unsigned status,
		  const char *content_type, const void *data, size_t len)
{
	const char *ct;

	if (content_type == NULL || (data == NULL && len > 0))
		return CT_ERR_INVALID_ARG;
	ct = ct_arena_strdup(resp->arena, content_type);
	if (ct == NULL)
		return CT_ERR_NOMEM;
	return set_body(resp, status, ct, data, len);
}

int ct_http_text(struct ct_http_response *resp, unsigned status, const char *text)
{
	if (text == NULL)
		return CT_ERR_INVALID_ARG;
	return set_body(resp, status, "text/plain; charset=utf-8", text, strlen(text));
}

int ct_http_json(struct ct_http_response *resp, unsigned status, json_t *body)
{
	struct blob *b;
	size_t n;
	int r;

	if (body == NULL)
		return CT_ERR_NOMEM;
	/* Serialise straight into the blob, so no unwiped copy of a token is left. */
	n = json_dumpb(body, NULL, 0, JSON_COMPACT);
	b = n > 0 ? malloc(sizeof(*b) + n) : NULL;
	if (b == NULL) {
		r = n > 0 ? CT_ERR_NOMEM : CT_ERR_INVALID_ARG;
		goto out;
	}
	b->len = n;
	if (json_dumpb(body, (char *)b->data, n, JSON_COMPACT) != n) {
		ct_erase_free(b, sizeof(*b) + n);
		r = CT_ERR_INTERNAL;
		goto out;
	}
	r = put_blob(resp, status, "application/json", b);
out:
	json_decref(body);
	return r;
}

int ct_http_oauth_error(struct ct_http_response *resp, unsigned status,
			const char *error, const char *description, unsigned long code)
{
	char ts[32];
	struct tm tm;
	time_t now = time(NULL);
	json_t *o, *codes;

	if (error == NULL || status < 400 || status > 599)
		return CT_ERR_INVALID_ARG;
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%SZ", &tm);
	codes = code != 0 ? json_pack("[I]", (json_int_t)code) : json_array();
	o = json_pack("{s:s, s:o, s:s, s:s}", "error", error, "error_codes", codes,
		      "timestamp", ts, "trace_id", resp->trace_id);
	if (o != NULL && description != NULL &&
	    json_object_set_new(o, "error_description", json_string(description)) != 0) {
		json_decref(o);
		o = NULL;
	}
	return ct_http_json(resp, status, o);
}

int ct_http_add_header(struct ct_http_response *resp, const char *name, const char *value)
{
	const char *p;
	size_t i = resp->nheaders;

	if (name == NULL || value == NULL || !is_token(name))
		return CT_ERR_INVALID_ARG;
	for (p = value; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return CT_ERR_INVALID_ARG;
	if (i >= CT_HTTP_MAX_RESP_HEADERS)
		return CT_ERR_TOO_LARGE;
	resp->headers[i].name = ct_arena_strdup(resp->arena, name);
	resp->headers[i].value = ct_arena_strdup(resp->arena, value);
	if (resp->headers[i].name == NULL || resp->headers[i].value == NULL)
		return CT_ERR_NOMEM;
	resp->nheaders++;
	return 0;
}

static void blob_free(void *cls)
{
	struct blob *b = cls;

	ct_erase_free(b, sizeof(*b) + b->len);
}

/* Hands the reply to MHD with the security headers.  MHD_NO drops the connection. */
static enum MHD_Result queue(struct ct_http_conn_ *c)
{
	static const char *const fixed[][2] = {
		{"Cache-Control", "no-store"},
		{"Pragma", "no-cache"},
		{"X-Content-Type-Options", "nosniff"},
	};
	struct ct_http_response *resp = &c->resp;
	struct MHD_Response *m;
	enum MHD_Result ok = MHD_NO;
	size_t i;
	bool hdr_ok;

	if (resp->body == NULL)
		return MHD_NO;
	m = MHD_create_response_from_buffer_with_free_callback_cls(
		resp->body->len, resp->body->data, blob_free, resp->body);
	if (m == NULL)
		return MHD_NO;
	resp->body = NULL; /* MHD frees it now */
	hdr_ok = MHD_add_response_header(m, MHD_HTTP_HEADER_CONTENT_TYPE,
					 resp->content_type) == MHD_YES &&
		 MHD_add_response_header(m, "X-Trace-Id", c->trace_id) == MHD_YES;
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		hdr_ok = hdr_ok && MHD_add_response_header(m, fixed[i][0], fixed[i][1]) == MHD_YES;
	for (i = 0; i < resp->nheaders; i++)
		hdr_ok = hdr_ok && MHD_add_response_header(m, resp->headers[i].name,
							   resp->headers[i].value) == MHD_YES;
	if (hdr_ok)
		ok = MHD_queue_response(c->mhd, resp->status, m);
	MHD_destroy_response(m);
	if (ok == MHD_YES) {
		c->queued = true;
		c->status = resp->status;
	}
	return ok;
}

/* Replies with one of our own errors (routing, limits, a failed handler). */
static enum MHD_Result queue_error(struct ct_http_conn_ *c, unsigned status,
				   const char *error, const char *description)
{
	/* The stable codes of docs/PROTOCOL.md §10 for what the transport refuses. */
	unsigned long code = status == 400   ? 50000
			     : status == 404 ? 40400
			     : status == 405 ? 40500
			     : status == 413 ? 41300
					     : 50001;

	c->resp.nheaders = 0;
	if (ct_http_oauth_error(&c->resp, status, error, description, code) != 0)
		return MHD_NO;
	return queue(c);
}

/* ---- requests ---- */

const char *ct_http_header(const struct ct_http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn_->mhd, MHD_HEADER_KIND, name);
}

const char *ct_http_query(const struct ct_http_request *req, const char *name)
{
	return ct_form_get(&req->query, name);
}

bool ct_http_content_type_is(const struct ct_http_request *req, const char *type)
{
	const char *v = ct_http_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
	size_t n = strlen(type);

	if (v == NULL || strncasecmp(v, type, n) != 0)
		return false;
	v += n;
	while (*v == ' ' || *v == '\t')
		v++;
	return *v == '\0' || *v == ';';
}

int ct_http_form(struct ct_http_request *req, struct ct_form *out, struct ct_errinfo *ei)
{
	if (!ct_http_content_type_is(req, "application/x-www-form-urlencoded"))
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				      "the body must be application/x-www-form-urlencoded");
	return ct_form_parse(req->arena, (const char *)req->body, req->body_len, out, ei);
}

static void conn_free(struct ct_http_conn_ *c)
{
	if (c == NULL)
		return;
	if (c->resp.body != NULL)
		ct_erase_free(c->resp.body, sizeof(*c->resp.body) + c->resp.body->len);
	ct_buf_free(&c->body);
	ct_arena_free(c->req.arena);
	free(c->raw_uri);
	free(c);
}

/* MHD's URI log callback: the first sight of a request, with the raw target. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *mhd)
{
	struct ct_http_conn_ *c = calloc(1, sizeof(*c));
	const union MHD_ConnectionInfo *ci;
	const struct sockaddr *sa;

	if (c == NULL)
		return NULL;
	c->srv = cls;
	c->mhd = mhd;
	c->t0_us = now_us();
	c->raw_uri = strdup(uri);
	c->req.arena = ct_arena_new();
	if (c->raw_uri == NULL || c->req.arena == NULL) {
		conn_free(c);
		return NULL;
	}
	ct_buf_init(&c->body, CT_HTTP_MAX_BODY + 1);
	make_trace_id(c->trace_id);
	ci = MHD_get_connection_info(mhd, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	sa = ci != NULL ? ci->client_addr : NULL;
	if (sa == NULL ||
	    getnameinfo(sa, sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
						      : sizeof(struct sockaddr_in),
			c->remote, sizeof(c->remote), NULL, 0, NI_NUMERICHOST) != 0)
		snprintf(c->remote, sizeof(c->remote), "unknown");
	c->req.remote_addr = c->remote;
	c->req.trace_id = c->trace_id;
	c->req.conn_ = c;
	c->resp.trace_id = c->trace_id;
	c->resp.arena = c->req.arena;
	return c;
}

/*
 * First call for a request (headers read, body not yet): route it, parse
 * the query, refuse an oversized declared body.  MHD_YES without a queued
 * reply means "go on and read the body".
 */
static enum MHD_Result begin(struct ct_http_conn_ *c, const char *method)
{
	char allow[128], *q;
	const char *cap = NULL, *clen;
	size_t caplen = 0;
	unsigned long long declared;
	struct ct_errinfo ei = {0};
	char *end;

	c->started = true;
	c->req.method = method;
	q = strchr(c->raw_uri, '?');
	if (q != NULL)
		*q++ = '\0';
	c->req.path = c->raw_uri;
	c->route = route_find(c->srv, method, c->req.path, &cap, &caplen, allow, sizeof(allow));
	if (c->route == NULL && allow[0] == '\0')
		return queue_error(c, 404, "not_found", "no such endpoint");
	if (c->route == NULL) {
		if (ct_http_oauth_error(&c->resp, 405, "method_not_allowed",
					"method not allowed here", 0) != 0 ||
		    ct_http_add_header(&c->resp, MHD_HTTP_HEADER_ALLOW, allow) != 0)
			return MHD_NO;
		return queue(c);
	}
	if (cap != NULL) {
		c->req.capture = ct_arena_memdup(c->req.arena, cap, caplen, 1);
		if (c->req.capture == NULL)
			return MHD_NO;
	}
	if (q != NULL && ct_form_parse(c->req.arena, q, strlen(q), &c->req.query, &ei) != 0)
		return queue_error(c, 400, "invalid_request", ei.msg);
	clen = MHD_lookup_connection_value(c->mhd, MHD_HEADER_KIND,
					   MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (clen != NULL) {
		errno = 0;
		declared = strtoull(clen, &end, 10);
		if (errno != 0 || declared > CT_HTTP_MAX_BODY)
			return queue_error(c, 413, "request_too_large", "request body too large");
	}
	return MHD_YES;
}

/* The worker thread's app context, made on its first request. */
static int thread_ctx(struct ct_http_server *s, void **out)
{
	struct thread_slot *slot;

	*out = NULL;
	if (s->cfg.thread_init == NULL)
		return 0;
	slot = pthread_getspecific(s->tkey);
	if (slot != NULL) {
		*out = slot->ctx;
		return 0;
	}
	slot = calloc(1, sizeof(*slot));
	if (slot == NULL)
		return CT_ERR_NOMEM;
	slot->srv = s;
	slot->ctx = s->cfg.thread_init(s->app);
	if (slot->ctx == NULL || pthread_setspecific(s->tkey, slot) != 0) {
		if (slot->ctx != NULL && s->cfg.thread_fini != NULL)
			s->cfg.thread_fini(s->app, slot->ctx);
		free(slot);
		return CT_ERR_INTERNAL;
	}
	*out = slot->ctx;
	return 0;
}

static void thread_slot_free(void *p)
{
	struct thread_slot *slot = p;

	if (slot->srv->cfg.thread_fini != NULL)
		slot->srv->cfg.thread_fini(slot->srv->app, slot->ctx);
	free(slot);
}

/* The TLS client certificate, if there is one and it is not absurdly large. */
static void client_cert(struct ct_http_conn_ *c)
{
	const union MHD_ConnectionInfo *ci;
	const gnutls_datum_t *certs;
	unsigned n = 0;

	ci = MHD_get_connection_info(c->mhd, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (ci == NULL || ci->tls_session == NULL)
		return;
	certs = gnutls_certificate_get_peers((gnutls_session_t)ci->tls_session, &n);
	if (certs == NULL || n == 0 || certs[0].size == 0 ||
	    certs[0].size > CT_HTTP_MAX_CLIENT_CERT)
		return;
	c->req.client_cert = ct_arena_memdup(c->req.arena, certs[0].data, certs[0].size, 0);
	if (c->req.client_cert != NULL)
		c->req.client_cert_len = certs[0].size;
}

/* Last call: the body is complete; run the handler and send its reply. */
static enum MHD_Result finish(struct ct_http_conn_ *c)
{
	struct ct_http_server *s = c->srv;
	enum MHD_Result ok;
	int r;

	ct_buf_put_u8(&c->body, 0);
	if (c->body.err != 0)
		return queue_error(c, 500, "server_error", "internal error");
	c->req.body = c->body.data;
	c->req.body_len = c->body.len - 1;
	client_cert(c);
	if (thread_ctx(s, &c->req.thread_ctx) != 0)
		return queue_error(c, 503, "temporarily_unavailable",
				   "the service is temporarily unavailable");
	r = c->route->handler(s->app, &c->req, &c->resp);
	c->handler_err = r;
	if (c->resp.body == NULL)
		return queue_error(c, 500, "server_error", "internal error");
	ok = queue(c);
	/* A reply the handler built but MHD refused (bad header): say 500 instead. */
	if (ok != MHD_YES && !c->queued)
		ok = queue_error(c, 500, "server_error", "internal error");
	return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *mhd, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	struct ct_http_conn_ *c = *con_cls;
	enum MHD_Result ok;

	(void)cls;
	(void)url;
	(void)version;
	if (c == NULL)
		return MHD_NO;
	if (!c->started)
		return begin(c, method);
	if (*upload_data_size > 0) {
		if (c->queued) {
			*upload_data_size = 0;
			return MHD_YES;
		}
		ct_buf_put(&c->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		if (c->body.err == CT_ERR_TOO_LARGE || c->body.len > CT_HTTP_MAX_BODY) {
			/* Chunked and over the cap: reply if MHD lets us now, else drop. */
			ok = queue_error(c, 413, "request_too_large", "request body too large");
			return ok;
		}
		return c->body.err == 0 ? MHD_YES : MHD_NO;
	}
	if (c->queued)
		return MHD_YES;
	return finish(c);
}

static void on_completed(void *cls, struct MHD_Connection *mhd, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct ct_http_server *s = cls;
	struct ct_http_conn_ *c = *con_cls;
	struct ct_http_access a;

	(void)mhd;
	if (c == NULL)
		return;
	*con_cls = NULL;
	if (s->cfg.on_access != NULL) {
		memset(&a, 0, sizeof(a));
		a.method = c->req.method;
		/* Never the query string: clients put codes and tokens there. */
		if (c->req.path == NULL && strchr(c->raw_uri, '?') != NULL)
			*strchr(c->raw_uri, '?') = '\0';
		a.path = c->raw_uri;
		a.remote_addr = c->remote;
		a.trace_id = c->trace_id;
		a.status = c->status;
		a.handler_err = c->handler_err;
		a.body_len = c->body.len > 0 ? c->body.len - 1 : 0;
		a.duration_us = now_us() - c->t0_us;
		a.completed = toe == MHD_REQUEST_TERMINATED_COMPLETED_OK;
		s->cfg.on_access(s->app, &a);
	}
	conn_free(c);
}

__attribute__((format(printf, 2, 0)))
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct ct_http_server *s = cls;
	char msg[512];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	if (__atomic_load_n(&s->starting, __ATOMIC_ACQUIRE) &&
	    pthread_equal(pthread_self(), s->starter))
		snprintf(s->start_err, sizeof(s->start_err), "%s", msg);
	else if (s->cfg.on_diag != NULL)
		s->cfg.on_diag(s->app, msg);
}

/* ---- server ---- */

static unsigned default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		n = 1;
	return n * 2 > THREADS_MAX ? THREADS_MAX : (unsigned)(n * 2);
}

static void server_free(struct ct_http_server *s)
{
	if (s == NULL)
		return;
	if (s->tkey_ok)
		pthread_key_delete(s->tkey);
	free(s->routes);
	free(s->cert_pem);
	ct_erase_free_str(s->key_pem);
	free(s->ca_pem);
	free(s->priorities);
	free(s);
}

static int server_prepare(struct ct_http_server *s, const struct ct_http_config *cfg,
			  const struct ct_http_route *routes, size_t nroutes,
			  struct ct_errinfo *ei)
{
	bool failed = false;
	size_t i;
	int r;

	s->cfg = *cfg;
	if (s->cfg.threads == 0)
		s->cfg.threads = default_threads();
	if (s->cfg.max_connections == 0)
		s->cfg.max_connections = CT_HTTP_DEFAULT_CONNECTIONS;
	if (s->cfg.max_connections_per_ip == 0)
		s->cfg.max_connections_per_ip = CT_HTTP_DEFAULT_CONNECTIONS_PER_IP;
	if (s->cfg.timeout_s == 0)
		s->cfg.timeout_s = CT_HTTP_DEFAULT_TIMEOUT_S;
	if (s->cfg.threads > THREADS_MAX || s->cfg.max_connections < s->cfg.threads)
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				      "%u threads need at least as many connections (max %u)",
				      s->cfg.threads, s->cfg.max_connections);
	if (!cfg->insecure_http && (cfg->tls_cert_pem == NULL || cfg->tls_key_pem == NULL))
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				      "HTTPS needs a certificate and a key");
	if (nroutes == 0)
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG, "no routes");
	s->routes = calloc(nroutes, sizeof(*s->routes));
	if (s->routes == NULL)
		return ct_errinfo_set(ei, CT_ERR_NOMEM, "out of memory");
	s->nroutes = nroutes;
	for (i = 0; i < nroutes; i++) {
		r = route_compile(&routes[i], &s->routes[i], ei);
		if (r != 0)
			return r;
	}
	if (!cfg->insecure_http) {
		s->cert_pem = dup_or_null(cfg->tls_cert_pem, &failed);
		s->key_pem = dup_or_null(cfg->tls_key_pem, &failed);
		s->ca_pem = dup_or_null(cfg->tls_client_ca_pem, &failed);
		s->priorities = dup_or_null(cfg->tls_priorities != NULL ? cfg->tls_priorities
									 : CT_HTTP_TLS_PRIORITIES,
					    &failed);
	}
	if (failed)
		return ct_errinfo_set(ei, CT_ERR_NOMEM, "out of memory");
	if (pthread_key_create(&s->tkey, thread_slot_free) != 0)
		return ct_errinfo_set(ei, CT_ERR_NOMEM, "no thread-specific key left");
	s->tkey_ok = true;
	return 0;
}

/* MHD_OptionItem wants function pointers as intptr_t. */
#define OPT_FN(opt, fn, cls) ((struct MHD_OptionItem){(opt), (intptr_t)(fn), (cls)})
#define OPT_INT(opt, v) ((struct MHD_OptionItem){(opt), (intptr_t)(v), NULL})
#define OPT_PTR(opt, p) ((struct MHD_OptionItem){(opt), 0, (void *)(p)})

int ct_http_server_start(const struct ct_http_config *cfg,
			 const struct ct_http_route *routes, size_t nroutes,
			 void *app, struct ct_http_server **out,
			 struct ct_errinfo *ei)
{
	struct ct_http_server *s = NULL;
	struct MHD_OptionItem opts[24];
	struct sockaddr_storage ss;
	socklen_t sslen;
	const union MHD_DaemonInfo *di;
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
	size_t n = 0;
	int r;

	if (cfg == NULL || routes == NULL || out == NULL || cfg->listen == NULL)
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG, "missing HTTP configuration");
	r = ct_http_listen_parse(cfg->listen, &ss, &sslen, ei);
	if (r != 0)
		return r;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return ct_errinfo_set(ei, CT_ERR_NOMEM, "out of memory");
	s->app = app;
	r = server_prepare(s, cfg, routes, nroutes, ei);
	if (r != 0)
		goto out;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	opts[n++] = OPT_PTR(MHD_OPTION_SOCK_ADDR, &ss);
	opts[n++] = OPT_FN(MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, s);
	opts[n++] = OPT_FN(MHD_OPTION_URI_LOG_CALLBACK, on_uri, s);
	opts[n++] = OPT_FN(MHD_OPTION_NOTIFY_COMPLETED, on_completed, s);
	opts[n++] = OPT_INT(MHD_OPTION_CONNECTION_LIMIT, s->cfg.max_connections);
	opts[n++] = OPT_INT(MHD_OPTION_PER_IP_CONNECTION_LIMIT, s->cfg.max_connections_per_ip);
	opts[n++] = OPT_INT(MHD_OPTION_CONNECTION_TIMEOUT, s->cfg.timeout_s);
	opts[n++] = OPT_INT(MHD_OPTION_CONNECTION_MEMORY_LIMIT, CT_HTTP_MAX_HEADER_MEM);
	opts[n++] = OPT_INT(MHD_OPTION_STRICT_FOR_CLIENT, 1);
	if (s->cfg.threads > 1)
		opts[n++] = OPT_INT(MHD_OPTION_THREAD_POOL_SIZE, s->cfg.threads);
	if (!cfg->insecure_http) {
		flags |= MHD_USE_TLS;
		opts[n++] = OPT_PTR(MHD_OPTION_HTTPS_MEM_CERT, s->cert_pem);
		opts[n++] = OPT_PTR(MHD_OPTION_HTTPS_MEM_KEY, s->key_pem);
		opts[n++] = OPT_PTR(MHD_OPTION_HTTPS_PRIORITIES, s->priorities);
		if (s->ca_pem != NULL)
			opts[n++] = OPT_PTR(MHD_OPTION_HTTPS_MEM_TRUST, s->ca_pem);
	}
	opts[n++] = OPT_INT(MHD_OPTION_END, 0);

	s->starter = pthread_self();
	__atomic_store_n(&s->starting, 1, __ATOMIC_RELEASE);
	s->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
				  MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	__atomic_store_n(&s->starting, 0, __ATOMIC_RELEASE);
	if (s->mhd == NULL) {
		r = ct_errinfo_set(ei, CT_ERR_NETWORK, "cannot serve %s%s%s", cfg->listen,
				   s->start_err[0] ? ": " : "", s->start_err);
		goto out;
	}
	di = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di != NULL ? di->port : 0;
	*out = s;
	s = NULL;
	r = 0;
out:
	server_free(s);
	return r;
}

uint16_t ct_http_server_port(const struct ct_http_server *srv)
{
	return srv->port;
}

void ct_http_server_stop(struct ct_http_server *srv)
{
	if (srv == NULL)
		return;
	/* Joins the workers; their thread_slot destructors run as they exit. */
	MHD_stop_daemon(srv->mhd);
	server_free(srv);
}
