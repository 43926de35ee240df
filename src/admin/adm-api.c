/* SPDX-License-Identifier: Apache-2.0 */
#include "adm-api.h"

#include <stdarg.h>
#include <string.h>

#include "adm-args.h"
#include "adm-http.h"
#include "adm-prompt.h"
#include "adm-secret.h"
#include "ct-buf.h"
#include "ct-limits.h"
#include "ct-secret.h"

/* Appends s percent-encoded as one segment or query value. */
static void put_encoded(struct ct_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s;

	for (; *p != '\0'; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~@", *p) != NULL) {
			ct_buf_put_u8(b, *p);
		} else {
			ct_buf_put_u8(b, '%');
			ct_buf_put_u8(b, (uint8_t)hex[*p >> 4]);
			ct_buf_put_u8(b, (uint8_t)hex[*p & 15]);
		}
	}
}

int adm_path_args(char *out, size_t n, struct ct_errinfo *ei, const char *fmt,
		  const char *const *args, size_t nargs)
{
	struct ct_buf b;
	const char *p, *arg;
	size_t k = 0;
	int r = 0;

	ct_buf_init(&b, n);
	for (p = fmt; *p != '\0' && r == 0; p++) {
		if (p[0] != '%' || p[1] != 's') {
			ct_buf_put_u8(&b, (uint8_t)*p);
			continue;
		}
		p++;
		arg = k < nargs ? args[k++] : NULL;
		/* curl and servers would read these as path steps, not names. */
		if (arg == NULL || arg[0] == '\0' || strcmp(arg, ".") == 0 ||
		    strcmp(arg, "..") == 0)
			r = ct_errinfo_set(ei, CT_ERR_USAGE, "\"%s\" cannot name an object",
					   arg != NULL ? arg : "");
		else
			put_encoded(&b, arg);
	}
	ct_buf_put_u8(&b, 0);
	if (r == 0 && b.err != 0)
		r = ct_errinfo_set(ei, CT_ERR_TOO_LARGE, "request path too long");
	if (r == 0)
		memcpy(out, b.data, b.len);
	ct_buf_free(&b);
	return r;
}

int adm_path(char *out, size_t n, struct ct_errinfo *ei, const char *fmt, ...)
{
	const char *args[ADM_PATH_MAX_ARGS];
	const char *p;
	size_t k = 0;
	va_list ap;

	va_start(ap, fmt);
	for (p = fmt; (p = strstr(p, "%s")) != NULL && k < ADM_PATH_MAX_ARGS; p += 2)
		args[k++] = va_arg(ap, const char *);
	va_end(ap);
	return adm_path_args(out, n, ei, fmt, args, k);
}

json_t *adm_pack(struct ct_errinfo *ei, const char *fmt, ...)
{
	json_error_t err;
	json_t *j;
	va_list ap;

	va_start(ap, fmt);
	j = json_vpack_ex(&err, 0, fmt, ap);
	va_end(ap);
	if (j == NULL)
		ct_errinfo_set(ei, CT_ERR_USAGE, "cannot make the request: %s "
			       "(arguments must be UTF-8 text)", err.text);
	return j;
}

int adm_reply_parse(const void *p, size_t n, json_t **out, struct ct_errinfo *ei)
{
	json_error_t err;
	json_t *j;

	*out = NULL;
	if (n > CT_ADMIN_MAX_REPLY)
		return ct_errinfo_set(ei, CT_ERR_BAD_JSON, "the reply is too large");
	j = json_loadb(p, n, JSON_REJECT_DUPLICATES, &err);
	if (j == NULL)
		return ct_errinfo_set(ei, CT_ERR_BAD_JSON,
				      "the server's reply is not valid JSON: %s", err.text);
	if (!json_is_object(j)) {
		json_decref(j);
		return ct_errinfo_set(ei, CT_ERR_BAD_JSON,
				      "the server's reply is not a JSON object");
	}
	*out = j;
	return 0;
}

/* Copies a string member of obj, sanitised, into buf; "" when absent. */
static void member_text(const json_t *obj, const char *key, char *buf, size_t n)
{
	const char *s = json_string_value(json_object_get(obj, key));

	snprintf(buf, n, "%s", s != NULL ? s : "");
	adm_sanitize(buf);
}

int adm_reply_error(long status, const void *body, size_t n,
		    const char *trace_id, struct ct_errinfo *ei)
{
	char desc[256], error[64], code[32] = "", trace[CT_ADMIN_MAX_TRACE_ID + 1];
	const json_t *codes;
	json_t *j = NULL;
	int err;

	switch (status) {
	case 401: err = CT_ERR_UNAUTHORIZED; break;
	case 404: err = CT_ERR_NOT_FOUND; break;
	case 409: err = CT_ERR_CONFLICT; break;
	default: err = CT_ERR_REFUSED; break;
	}
	/* The server's words if it sent its JSON error, else the status alone. */
	if (n > 0 && adm_reply_parse(body, n, &j, NULL) != 0)
		j = NULL;
	member_text(j, "error_description", desc, sizeof(desc));
	member_text(j, "error", error, sizeof(error));
	codes = json_object_get(j, "error_codes");
	if (json_is_integer(json_array_get(codes, 0)))
		snprintf(code, sizeof(code), " %" JSON_INTEGER_FORMAT,
			 json_integer_value(json_array_get(codes, 0)));
	snprintf(trace, sizeof(trace), "%s", trace_id != NULL ? trace_id : "");
	if (trace[0] == '\0')
		member_text(j, "trace_id", trace, sizeof(trace));
	adm_sanitize(trace);
	json_decref(j);
	if (desc[0] == '\0')
		snprintf(desc, sizeof(desc), "%s", status == 401 ? "not authorised" :
			 "the server refused the request");
	return ct_errinfo_set(ei, err, "%s (%s%s%sHTTP %ld%s%s)", desc, error, code,
			      error[0] != '\0' || code[0] != '\0' ? ", " : "", status,
			      trace[0] != '\0' ? ", trace " : "", trace);
}

/* The first request reads the token and sets up the connection. */
static int connect_once(struct adm_ctx *c, struct ct_errinfo *ei)
{
	struct adm_http_config cfg = {
		.base_url = c->g.server,
		.cacert = c->g.cacert,
		.timeout_ms = c->g.timeout_s * 1000,
	};
	char *token = NULL;
	int r;

	if (c->http != NULL)
		return 0;
	r = adm_token_read(c->g.token_file, &token, ei);
	if (r != 0)
		return r;
	cfg.token = token;
	r = adm_http_new(&cfg, &c->http, ei);
	ct_erase_free_str(token);
	return r;
}

static int dump_to_buf(const char *p, size_t n, void *arg)
{
	struct ct_buf *b = arg;

	ct_buf_put(b, p, n);
	return b->err != 0 ? -1 : 0;
}

int adm_call(struct adm_ctx *c, const char *method, const char *path,
	     const json_t *body, json_t **reply, struct ct_errinfo *ei)
{
	struct adm_http_reply rep = {0};
	struct ct_buf req;
	int r;

	*reply = NULL;
	/* The body may hold a password or key: it lives in a wiped buffer. */
	ct_buf_init(&req, CT_HTTP_MAX_BODY);
	r = connect_once(c, ei);
	if (r != 0)
		goto out;
	if (body != NULL &&
	    json_dump_callback(body, dump_to_buf, &req, JSON_COMPACT) != 0) {
		r = ct_errinfo_set(ei, CT_ERR_TOO_LARGE, "the request is too large");
		goto out;
	}
	r = adm_http_request(c->http, method, path, body != NULL ? req.data : NULL,
			     req.len, &rep, ei);
	if (r != 0)
		goto out;
	if (rep.status < 200 || rep.status > 299)
		r = adm_reply_error(rep.status, rep.body.data, rep.body.len, rep.trace_id,
				    ei);
	else if (rep.body.len > 0)
		r = adm_reply_parse(rep.body.data, rep.body.len, reply, ei);
out:
	adm_http_reply_free(&rep);
	ct_buf_free(&req);
	return r;
}

int adm_call_show(struct adm_ctx *c, const char *method, const char *path,
		  const json_t *body, const struct adm_view *view,
		  struct ct_errinfo *ei)
{
	json_t *reply = NULL;
	int r;

	r = adm_call(c, method, path, body, &reply, ei);
	if (r == 0 && reply == NULL)
		r = ct_errinfo_set(ei, CT_ERR_BAD_JSON, "the server sent an empty reply");
	if (r == 0 && c->g.json)
		r = adm_print_json(c->io->out, reply, ei);
	else if (r == 0)
		r = adm_print_view(c->io->out, c->io->color, reply, view, ei);
	json_decref(reply);
	return r;
}

void adm_ctx_close(struct adm_ctx *c)
{
	adm_http_free(c->http);
	c->http = NULL;
}

int adm_run_simple(struct adm_ctx *c, const struct adm_args *a, struct ct_errinfo *ei)
{
	const struct adm_simple *s = a->cmd->data;
	char path[CT_ADMIN_MAX_URL];
	json_t *body = NULL;
	int r;

	r = adm_path_args(path, sizeof(path), ei, s->path, a->pos, a->cmd->npos);
	if (r != 0)
		return r;
	if (s->body_key != NULL) {
		body = adm_pack(ei, "{s:s}", s->body_key, a->pos[s->body_pos]);
		if (body == NULL)
			return CT_ERR_USAGE;
	}
	r = adm_call_show(c, s->method, path, body, s->view, ei);
	json_decref(body);
	return r;
}

int adm_run_remove(struct adm_ctx *c, const struct adm_args *a, struct ct_errinfo *ei)
{
	const struct adm_remove *s = a->cmd->data;
	char path[CT_ADMIN_MAX_URL], question[CT_ADMIN_MAX_CELL];
	json_t *reply = NULL;
	int r;

	r = adm_path_args(path, sizeof(path), ei, s->path, a->pos, 1);
	if (r != 0)
		return r;
	snprintf(question, sizeof(question), "Remove %s %s%s?", s->what, a->pos[0],
		 s->also != NULL ? s->also : "");
	adm_sanitize(question);
	r = adm_confirm(c->io, adm_arg_flag(a, "yes"), question, ei);
	if (r == 0)
		r = adm_call(c, "DELETE", path, NULL, &reply, ei);
	json_decref(reply);
	if (r == 0 && !c->g.json)
		fprintf(c->io->out, "removed %s %s\n", s->what, a->pos[0]);
	return r;
}
