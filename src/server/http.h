/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cloudtrustd's HTTP layer on libmicrohttpd: HTTPS (GnuTLS inside MHD, TLS
 * 1.2 and 1.3 only) on one listen address, a thread pool, connection
 * limits and timeouts, a route table, bounded request bodies, and JSON
 * replies that always carry the security headers and a trace id.
 *
 * Requests: the route is chosen from the raw request path before the body
 * is read.  Unknown path: 404; known path, other method: 405 with Allow; a
 * malformed query string: 400; a declared body over CT_HTTP_MAX_BODY: 413
 * without reading it (a chunked body that grows past it: 413 or the
 * connection is closed).  Then the handler runs with the whole body.
 *
 * Every reply has Cache-Control: no-store, Pragma: no-cache,
 * X-Content-Type-Options: nosniff and X-Trace-Id (a random UUID, also in
 * OAuth error bodies as trace_id, so a client's report finds the log line).
 *
 * Like every library here this one does not log: MHD's messages and one
 * record per finished request go to hooks in the config.
 */
#ifndef CT_HTTP_H
#define CT_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "ct-arena.h"
#include "ct-error.h"
#include "form.h"

/* TLS 1.3 and 1.2 only, GnuTLS syntax; the server picks the cipher. */
#define CT_HTTP_TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:%SERVER_PRECEDENCE"

struct ct_http_server;
struct ct_http_response;
struct ct_http_conn_;

/* One request, as a handler sees it.  Everything is borrowed for the call. */
struct ct_http_request {
	const char *method;      /* "GET", "POST", ... */
	const char *path;        /* raw path, without the query string */
	const char *capture;     /* the {segment} of a wildcard route, else NULL */
	struct ct_form query;    /* the query string, parsed strictly */
	const uint8_t *body;     /* NUL-terminated for convenience; may hold secrets */
	size_t body_len;
	const char *remote_addr; /* numeric client address */
	/* The TLS client certificate (DER) if the client sent one: NOT verified;
	 * the handler checks it against the CA it trusts. */
	const uint8_t *client_cert;
	size_t client_cert_len;
	const char *trace_id;
	struct ct_arena *arena;  /* for the handler's allocations; wiped after the reply */
	void *thread_ctx;        /* what thread_init returned for this worker thread */
	struct ct_http_conn_ *conn_; /* private */
};

/*
 * A handler writes a reply with one of the ct_http_* response functions
 * and returns 0, or returns a negative CT_ERR_* code.  A handler that
 * returns without a reply, or with an error and no reply, gets a generic
 * 500 server_error (the code goes to the access hook, never to the client).
 */
typedef int (*ct_http_handler)(void *app, struct ct_http_request *req,
			       struct ct_http_response *resp);

/*
 * method is matched exactly ("POST").  pattern is an exact path, or has one
 * whole wildcard segment: "/{tenant}/oauth2/token" matches "/x/oauth2/token"
 * with capture "x" ([A-Za-z0-9._~-], 1..CT_HTTP_MAX_SEGMENT bytes).  Exact
 * patterns win over wildcard ones, then table order.  Strings are borrowed
 * for the server's lifetime.
 */
struct ct_http_route {
	const char *method;
	const char *pattern;
	ct_http_handler handler;
};

/* What the access hook gets when a request is over. */
struct ct_http_access {
	const char *method;      /* may be NULL if the request never got that far */
	const char *path;
	const char *remote_addr;
	const char *trace_id;
	unsigned status;         /* 0: no reply was sent (connection dropped) */
	int handler_err;         /* what the handler returned, else 0 */
	size_t body_len;
	long long duration_us;
	bool completed;          /* false: timeout, client or server abort */
};

struct ct_http_config {
	const char *listen;            /* "ADDRESS:PORT" (ct_http_listen_parse); port 0: any */
	bool insecure_http;            /* plain HTTP, INSECURE: tests only */
	const char *tls_cert_pem;      /* certificate chain, PEM (copied) */
	const char *tls_key_pem;       /* private key, PEM (copied, wiped on stop) */
	const char *tls_client_ca_pem; /* NULL, or ask clients for a certificate (PEM CAs) */
	const char *tls_priorities;    /* NULL: CT_HTTP_TLS_PRIORITIES */
	unsigned threads;              /* 0: twice the online CPUs */
	unsigned max_connections;      /* 0: CT_HTTP_DEFAULT_CONNECTIONS */
	unsigned max_connections_per_ip; /* 0: CT_HTTP_DEFAULT_CONNECTIONS_PER_IP */
	unsigned timeout_s;            /* 0: CT_HTTP_DEFAULT_TIMEOUT_S */
	/* Called in each worker thread before its first request (the app keeps a
	 * store handle per thread); NULL from it makes that request a 503. */
	void *(*thread_init)(void *app);
	/* Called in the worker thread as it exits (on stop) with what init returned. */
	void (*thread_fini)(void *app, void *thread_ctx);
	/* Optional: one call per finished request, from a worker thread. */
	void (*on_access)(void *app, const struct ct_http_access *access);
	/* Optional: MHD's diagnostics (TLS handshake failures and the like). */
	void (*on_diag)(void *app, const char *msg);
};

/*
 * Parses a numeric listen address: "IPv4:PORT" or "[IPv6]:PORT", port
 * 0..65535.  Returns 0 or CT_ERR_BAD_VALUE.  No name lookups.
 */
int ct_http_listen_parse(const char *text, struct sockaddr_storage *ss,
			 socklen_t *sslen, struct ct_errinfo *ei);

/*
 * Starts serving routes (copied; their strings borrowed) with app passed to
 * every handler and hook.  HTTPS unless cfg->insecure_http.  Returns 0 and
 * the server in *out (stop it with ct_http_server_stop), or
 * CT_ERR_INVALID_ARG (config, route pattern), CT_ERR_BAD_VALUE (listen
 * address), CT_ERR_NETWORK (cannot listen, TLS setup failed: MHD's reason
 * in ei), CT_ERR_NOMEM.
 */
int ct_http_server_start(const struct ct_http_config *cfg,
			 const struct ct_http_route *routes, size_t nroutes,
			 void *app, struct ct_http_server **out,
			 struct ct_errinfo *ei);
/* Returns the bound port (the real one when the config asked for port 0). */
uint16_t ct_http_server_port(const struct ct_http_server *srv);
/*
 * Stops accepting, finishes or drops open connections, joins the worker
 * threads (running thread_fini in each), wipes the key and frees srv.
 * NULL is a no-op.
 */
void ct_http_server_stop(struct ct_http_server *srv);

/* Returns the value of a request header (case-insensitive name), or NULL. */
const char *ct_http_header(const struct ct_http_request *req, const char *name);
/* Returns the value of a query parameter, or NULL. */
const char *ct_http_query(const struct ct_http_request *req, const char *name);
/*
 * True when Content-Type's media type is type (case-insensitive; parameters
 * such as charset ignored).
 */
bool ct_http_content_type_is(const struct ct_http_request *req, const char *type);
/*
 * Parses the body as application/x-www-form-urlencoded into *out (strings
 * in req->arena).  Returns 0, CT_ERR_BAD_VALUE (other content type; syntax:
 * see form.h), CT_ERR_TOO_LARGE, CT_ERR_NOMEM; ei says why (no values).
 */
int ct_http_form(struct ct_http_request *req, struct ct_form *out, struct ct_errinfo *ei);

/*
 * The reply.  Each function replaces a reply written before.  status is
 * 200..599.  The body may carry secrets: it is wiped when sent.
 */

/*
 * Replies with body serialised compactly as application/json.  Takes the
 * reference to body (also on error), so json_pack() can go straight in;
 * NULL body gives CT_ERR_NOMEM.  Returns 0, CT_ERR_INVALID_ARG, CT_ERR_NOMEM.
 */
int ct_http_json(struct ct_http_response *resp, unsigned status, json_t *body);
/*
 * Replies with an OAuth-style error as Entra writes them:
 * {"error", "error_description", "error_codes": [code], "timestamp",
 * "trace_id"}; description may be NULL (left out), code 0 gives [].
 * The description goes to the client: no secrets, no internals.
 * Returns 0, CT_ERR_INVALID_ARG, CT_ERR_NOMEM.
 */
int ct_http_oauth_error(struct ct_http_response *resp, unsigned status,
			const char *error, const char *description, unsigned long code);
/* Replies with text as text/plain; charset=utf-8.  Returns 0, CT_ERR_INVALID_ARG, CT_ERR_NOMEM. */
int ct_http_text(struct ct_http_response *resp, unsigned status, const char *text);
/* Replies with len bytes of content_type (copied).  Returns 0, CT_ERR_INVALID_ARG, CT_ERR_NOMEM. */
int ct_http_bytes(struct ct_http_response *resp, unsigned status,
		  const char *content_type, const void *data, size_t len);
/*
 * Adds a header to the reply (e.g. WWW-Authenticate, Location).  name must
 * be a token, value printable without CR/LF; at most CT_HTTP_MAX_RESP_HEADERS.
 * Returns 0, CT_ERR_INVALID_ARG, CT_ERR_TOO_LARGE, CT_ERR_NOMEM.
 */
int ct_http_add_header(struct ct_http_response *resp, const char *name, const char *value);

#endif
