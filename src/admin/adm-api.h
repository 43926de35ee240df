/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The admin API as the commands see it (PROTOCOL.md §9): JSON in, JSON
 * out, the server's OAuth-style errors turned into CT_ERR_* codes with the
 * server's error_description, and the "call then print" step most
 * commands are made of.
 */
#ifndef CT_ADM_API_H
#define CT_ADM_API_H

#include <jansson.h>
#include <stddef.h>

#include "adm.h"
#include "adm-output.h"

/* Most "%s" an adm_path format may hold. */
#define ADM_PATH_MAX_ARGS 4

/*
 * Builds a request path into out (n bytes): fmt is literal text in which
 * each "%s" takes the next of args, percent-encoded as one path segment or
 * query value (RFC 3986 unreserved characters and '@' stay as they are).
 * Returns 0, CT_ERR_USAGE for an argument that cannot name an object
 * (missing, empty, "." or ".."), CT_ERR_TOO_LARGE (detail in ei).
 */
int adm_path_args(char *out, size_t n, struct ct_errinfo *ei, const char *fmt,
		  const char *const *args, size_t nargs);

/* adm_path_args with the arguments after fmt (at most ADM_PATH_MAX_ARGS). */
int adm_path(char *out, size_t n, struct ct_errinfo *ei, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * json_pack for a request body.  Returns a new reference, or NULL with
 * CT_ERR_USAGE in ei (an argument that is not UTF-8).
 */
json_t *adm_pack(struct ct_errinfo *ei, const char *fmt, ...);

/*
 * Parses a reply body: one JSON object, no duplicate member names, valid
 * UTF-8 without NUL, at most CT_ADMIN_MAX_REPLY bytes.  The caller owns
 * *out (json_decref).  Returns 0 or CT_ERR_BAD_JSON (detail in ei).
 */
int adm_reply_parse(const void *p, size_t n, json_t **out, struct ct_errinfo *ei);

/*
 * The error for a reply with a status other than 2xx: CT_ERR_UNAUTHORIZED
 * (401), CT_ERR_NOT_FOUND (404), CT_ERR_CONFLICT (409), else
 * CT_ERR_REFUSED.  ei gets the server's error_description, error name,
 * code, the HTTP status and the trace id, made safe for a terminal.
 */
int adm_reply_error(long status, const void *body, size_t n,
		    const char *trace_id, struct ct_errinfo *ei);

/*
 * Sends method path with body (NULL: none) and returns the parsed reply in
 * *reply (the caller owns it; NULL for an empty 2xx reply, such as 204).
 * The first call reads the token file and connects.  Returns 0, the errors
 * of adm_token_read, adm_http_new, adm_http_request, adm_reply_parse, or
 * adm_reply_error's codes when the server refuses.
 */
int adm_call(struct adm_ctx *c, const char *method, const char *path,
	     const json_t *body, json_t **reply, struct ct_errinfo *ei);

/*
 * adm_call, then prints the reply: with --json as JSON, else through view.
 * An empty reply is CT_ERR_BAD_JSON.
 */
int adm_call_show(struct adm_ctx *c, const char *method, const char *path,
		  const json_t *body, const struct adm_view *view,
		  struct ct_errinfo *ei);

/*
 * A command that is one request: method on path (its "%s" take the
 * positional arguments in order), with the body {body_key: positional
 * body_pos} when body_key is set, printed through view.
 */
struct adm_simple {
	const char *method;
	const char *path;
	const char *body_key;
	unsigned body_pos;
	const struct adm_view *view;
};

/* Runs a command whose data is a struct adm_simple. */
int adm_run_simple(struct adm_ctx *c, const struct adm_args *a, struct ct_errinfo *ei);

/* The run and data members of a struct adm_command for a simple command. */
#define ADM_SIMPLE(method, path, body_key, body_pos, view) \
	adm_run_simple, &(const struct adm_simple){method, path, body_key, body_pos, view}

/*
 * A remove command: DELETE path (its "%s" takes the one positional
 * argument) after adm_confirm ("Remove WHAT ID ALSO?", unless --yes).
 */
struct adm_remove {
	const char *path;
	const char *what; /* "device" */
	const char *also; /* NULL, or words added to the question */
};

/* Runs a command whose data is a struct adm_remove (and that has a "yes" flag). */
int adm_run_remove(struct adm_ctx *c, const struct adm_args *a, struct ct_errinfo *ei);

/* The run and data members of a struct adm_command for a remove command. */
#define ADM_REMOVE(path, what, also) \
	adm_run_remove, &(const struct adm_remove){path, what, also}

/* Closes the connection and wipes the token copy; the context stays usable. */
void adm_ctx_close(struct adm_ctx *c);

#endif
