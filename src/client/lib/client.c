/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The handle, and the pieces every flow shares: HTTP to the server with its
 * refusals mapped to CT_ERR_* codes, nonces, discovery, sign-in with
 * password + TOTP, the policy fetch and cache, the device keys, the
 * keystore.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cl-events.h"
#include "cl-internal.h"
#include "cl-safefile.h"
#include "ct-secret.h"

time_t cl_now(void)
{
	return time(NULL);
}

void cl_copy(char *dst, size_t n, const char *src)
{
	size_t len = strnlen(src, n - 1);

	memcpy(dst, src, len);
	dst[len] = '\0';
}

int cl_prefix(struct ct_errinfo *ei, int r, const char *what)
{
	char msg[sizeof(ei->msg)];

	if (ei == NULL)
		return r;
	snprintf(msg, sizeof(msg), "%s", ei->msg[0] ? ei->msg : ct_strerror(r));
	return ct_errinfo_set(ei, r, "%s: %s", what, msg);
}

int cl_state_path(const struct ct_client *c, const char *name, char *out)
{
	return cl_path_join(out, PATH_MAX, c->cfg.state_dir, name);
}

const char *cl_ca_file(const struct ct_client *c, char *buf)
{
	if (c->cfg.ca_file != NULL)
		return c->cfg.ca_file;
	if (cl_state_path(c, CL_SERVER_CA_FILE, buf) != 0)
		return NULL;
	return buf;
}

const char *cl_server_url(const struct ct_client *c)
{
	if (c->cfg.server_url != NULL)
		return c->cfg.server_url;
	return c->joined ? c->dev.server_url : NULL;
}

bool ct_client_joined(const struct ct_client *c)
{
	return c->joined;
}

const char *ct_client_state_dir(const struct ct_client *c)
{
	return c->cfg.state_dir;
}

int cl_need_joined(const struct ct_client *c, struct ct_errinfo *ei)
{
	if (!c->joined)
		return ct_errinfo_set(ei, CT_ERR_NOT_JOINED,
				      "this device is not joined: run cloudtrust join first");
	return 0;
}

int ct_client_open(const char *config_path, struct ct_client **out,
		   struct ct_errinfo *ei)
{
	struct ct_client *c;
	int r;

	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return CT_ERR_NOMEM;
	r = ct_client_config_load(config_path, &c->cfg, ei);
	if (r != 0) {
		free(c);
		return r;
	}
	/* A state directory someone else can change is refused outright. */
	r = cl_dir_check(c->cfg.state_dir, ei);
	if (r == CT_ERR_NOT_FOUND) {
		r = 0;
	} else if (r == 0) {
		r = cl_device_state_load(c->cfg.state_dir, &c->dev, ei);
		c->joined = r == 0;
		if (r == CT_ERR_NOT_JOINED || r == CT_ERR_PERMISSION)
			r = 0;
	}
	if (r != 0) {
		ct_client_close(c);
		return r;
	}
	ct_policy_defaults(&c->local_only);
	{
		struct ct_errinfo pei = {0};

		c->local_policy_ok =
			ct_policy_apply_local_file(&c->local_only, c->cfg.policy_file, &pei) == 0;
		if (!c->local_policy_ok)
			cl_copy(c->local_policy_error, sizeof(c->local_policy_error), pei.msg);
	}
	if (ei != NULL)
		memset(ei, 0, sizeof(*ei));
	*out = c;
	return 0;
}

void ct_client_close(struct ct_client *c)
{
	if (c == NULL)
		return;
	cl_http_free(c->http);
	cl_device_keys_free(&c->keys);
	ct_client_config_free(&c->cfg);
	ct_zap(c, sizeof(*c));
	free(c);
}

int cl_http_open(struct ct_client *c, const char *url, const char *ca,
		 struct ct_errinfo *ei)
{
	char cabuf[PATH_MAX];

	if (c->http != NULL)
		return 0;
	if (url == NULL)
		url = cl_server_url(c);
	if (ca == NULL)
		ca = cl_ca_file(c, cabuf);
	if (url == NULL)
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				      "no server URL: give --server or set server_url");
	if (ca == NULL)
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG, "no CA file for the server");
	return cl_http_new(url, ca, (long)c->cfg.timeout * 1000, &c->http, ei);
}

int cl_need_keys(struct ct_client *c, struct ct_errinfo *ei)
{
	int r;

	if (c->keys_loaded)
		return 0;
	r = cl_need_joined(c, ei);
	if (r == 0)
		r = cl_device_keys_load(c->cfg.state_dir, &c->keys, ei);
	if (r == 0)
		c->keys_loaded = true;
	return r;
}

int cl_keystore_open(struct ct_client *c, const char *kind,
		     struct ct_keystore **out, struct ct_errinfo *ei)
{
	char dir[PATH_MAX];
	struct ct_ks_options o;
	int r;

	memset(&o, 0, sizeof(o));
	o.kind = ct_ks_kind_from_name(kind);
	if (o.kind == 0)
		return ct_errinfo_set(ei, CT_ERR_KEYSTORE, "unknown keystore kind %s", kind);
	if (cl_state_path(c, CL_HELLO_DIR, dir) != 0)
		return ct_errinfo_set(ei, CT_ERR_TOO_LARGE, "state directory path too long");
	r = cl_dir_ensure(dir, 0700, ei);
	if (r != 0)
		return r;
	o.dir = dir;
	o.tcti = c->dev.tcti[0] != '\0' ? c->dev.tcti : c->cfg.tcti;
	o.max_attempts = c->cfg.pin_max_attempts;
	o.argon2_t = c->cfg.argon2_t;
	o.argon2_m_kib = c->cfg.argon2_m_kib;
	o.argon2_p = c->cfg.argon2_p;
	return ct_ks_open(&o, out, ei);
}

/* Maps a refusal to a code and a sentence. */
static int refusal(const char *what, const struct cl_http_reply *rep,
		   struct ct_errinfo *ei)
{
	struct cl_oauth_error e;
	char trace[CT_CL_MAX_TRACE_ID + 16] = "";
	const char *why;
	int code = CT_ERR_REFUSED;

	cl_reply_error(rep->status, rep->body.data, rep->body.len, &e);
	if (rep->trace_id[0] != '\0')
		snprintf(trace, sizeof(trace), " (trace %s)", rep->trace_id);
	if (strcmp(e.error, "too_many_requests") == 0 || rep->status == 429)
		why = "too many failed attempts: wait 15 minutes before trying again";
	else if (e.code == 50072)
		why = "the MFA sign-in is older than 10 minutes: give the password and a new code again";
	else if (e.code == 50155)
		why = "the token is not bound to a joined, enabled device";
	else if (strcmp(e.error, "invalid_grant") == 0)
		why = "sign-in failed: wrong password or code, unknown key, or the user "
		      "or this device is disabled";
	else if (strcmp(e.error, "invalid_tenant") == 0) {
		why = "the server does not know this tenant";
		code = CT_ERR_NOT_FOUND;
	} else if (strcmp(e.error, "unauthorized") == 0)
		why = "the server does not accept this device: it was removed or disabled";
	else if (strcmp(e.error, "conflict") == 0) {
		why = "already registered";
		code = CT_ERR_CONFLICT;
	} else
		why = NULL;
	if (why != NULL)
		return ct_errinfo_set(ei, code, "%s: the server refused: %s%s", what, why, trace);
	return ct_errinfo_set(ei, code, "%s: the server answered HTTP %ld %s%s%s%s", what,
			      rep->status, e.error, e.description[0] ? ": " : "",
			      e.description, trace);
}

int cl_call(struct ct_client *c, const char *what, const char *method,
	    const char *path, enum cl_http_body kind, const void *body,
	    size_t len, const char *bearer, struct cl_http_reply *reply,
	    struct ct_errinfo *ei)
{
	int r;

	r = cl_http_open(c, NULL, NULL, ei);
	if (r != 0)
		return r;
	r = cl_http_request(c->http, method, path, kind, body, len, bearer, reply, ei);
	if (r != 0)
		return cl_prefix(ei, r, what);
	if (reply->date != 0)
		c->server_date = reply->date;
	if (reply->status < 200 || reply->status > 299) {
		r = refusal(what, reply, ei);
		cl_http_reply_free(reply);
	}
	return r;
}

int cl_token_path(const struct ct_client *c, const char *tenant, char *out,
		  size_t outlen)
{
	return cl_path_token(out, outlen, tenant != NULL ? tenant : c->dev.tenant_id);
}

static int get_nonce_for(struct ct_client *c, const char *tenant, char *out,
			 size_t outlen, struct ct_errinfo *ei)
{
	struct cl_http_reply rep;
	struct ct_buf form;
	char path[256];
	int r;

	ct_buf_init(&form, 256);
	if (cl_token_path(c, tenant, path, sizeof(path)) != 0)
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "tenant id too long");
	r = cl_form_nonce(&form);
	if (r == 0)
		r = cl_call(c, "nonce", "POST", path, CL_BODY_FORM, form.data, form.len, NULL,
			    &rep, ei);
	if (r == 0) {
		r = cl_reply_nonce(rep.body.data, rep.body.len, out, outlen, ei);
		cl_http_reply_free(&rep);
	}
	ct_buf_free(&form);
	return r;
}

int cl_get_nonce(struct ct_client *c, char *out, size_t outlen, struct ct_errinfo *ei)
{
	return get_nonce_for(c, NULL, out, outlen, ei);
}

int cl_get_discovery(struct ct_client *c, const char *tenant, struct ct_errinfo *ei)
{
	struct cl_http_reply rep;
	char path[256];
	int r;

	if (c->have_disco)
		return 0;
	if (cl_path_discovery(path, sizeof(path), tenant) != 0)
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "tenant id too long");
	r = cl_call(c, "discovery", "GET", path, CL_BODY_NONE, NULL, 0, NULL, &rep, ei);
	if (r != 0)
		return r;
	r = cl_reply_discovery(rep.body.data, rep.body.len, &c->disco, ei);
	cl_http_reply_free(&rep);
	if (r != 0)
		return cl_prefix(ei, r, "discovery");
	if (strcasecmp(c->disco.tenant_id, tenant) != 0)
		return ct_errinfo_set(ei, CT_ERR_MISMATCH,
				      "discovery: the server answered for tenant %s, not %s",
				      c->disco.tenant_id, tenant);
	c->have_disco = true;
	return 0;
}

int cl_sign_in(struct ct_client *c, const char *upn, const char *password,
	       const char *otp, bool bind, struct cl_token_reply *tok,
	       struct ct_errinfo *ei)
{
	const char *tenant = c->joined ? c->dev.tenant_id : c->disco.tenant_id;
	struct cl_http_reply rep;
	struct ct_buf form;
	char path[256], nonce[64], *assertion = NULL;
	int r;

	ct_buf_init(&form, CT_CL_MAX_REPLY);
	memset(&rep, 0, sizeof(rep));
	r = cl_get_discovery(c, tenant, ei);
	if (r == 0 && bind) {
		r = cl_need_keys(c, ei);
		if (r == 0)
			r = cl_get_nonce(c, nonce, sizeof(nonce), ei);
		if (r == 0)
			r = cl_device_assertion(c->keys.device_key, c->keys.cert_der,
						c->keys.cert_len, nonce, c->disco.token_endpoint,
						cl_now(), &assertion, ei);
	}
	if (r != 0)
		goto out;
	if (cl_token_path(c, tenant, path, sizeof(path)) != 0 ||
	    cl_form_password_otp(&form, upn, password, otp, assertion) != 0) {
		r = ct_errinfo_set(ei, CT_ERR_TOO_LARGE, "sign-in: the request is too large");
		goto out;
	}
	r = cl_call(c, "sign-in with password and code", "POST", path, CL_BODY_FORM,
		    form.data, form.len, NULL, &rep, ei);
	if (r != 0)
		goto out;
	r = cl_reply_token(rep.body.data, rep.body.len, tok, ei);
	if (r != 0) {
		r = cl_prefix(ei, r, "sign-in");
		goto out;
	}
	if (bind && (tok->deviceid == NULL || strcasecmp(tok->deviceid, c->dev.device_id) != 0)) {
		cl_token_reply_free(tok);
		r = ct_errinfo_set(ei, CT_ERR_MISMATCH,
				   "sign-in: the token is not bound to this device");
	}
out:
	cl_http_reply_free(&rep);
	ct_buf_free(&form);
	free(assertion);
	return r;
}

void cl_new_key_label(const char *upn, char *out, size_t outlen)
{
	size_t i, n;

	snprintf(out, outlen, "%s#%lld", upn, (long long)cl_now());
	n = strcspn(out, "#");
	for (i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)out[i]);
}

/* ---- policy ---- */

/* defaults + cloud reply (may be NULL) + the local file. */
static int effective_policy(struct ct_client *c, const char *cloud, size_t len,
			    struct ct_policy *out, struct ct_errinfo *ei)
{
	struct ct_policy p;
	int r;

	if (!c->local_policy_ok)
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "the local policy file: %s",
				      c->local_policy_error);
	ct_policy_defaults(&p);
	if (cloud != NULL) {
		r = ct_policy_apply_cloud(&p, cloud, len, c->dev.tenant_id, ei);
		if (r != 0)
			return cl_prefix(ei, r, "the cloud policy");
	}
	r = ct_policy_apply_local_file(&p, c->cfg.policy_file, ei);
	if (r != 0)
		return r;
	*out = p;
	return 0;
}

int cl_policy_cached(struct ct_client *c, struct ct_policy *out, struct ct_errinfo *ei)
{
	char path[PATH_MAX];
	struct ct_buf b;
	int r;

	ct_buf_init(&b, CT_CL_MAX_STATE_FILE);
	if (!c->joined || cl_state_path(c, CL_POLICY_CACHE_FILE, path) != 0)
		return effective_policy(c, NULL, 0, out, ei);
	r = cl_file_read(path, CT_CL_MAX_STATE_FILE, &b, ei);
	if (r == CT_ERR_NOT_FOUND || r == CT_ERR_PERMISSION)
		r = effective_policy(c, NULL, 0, out, ei);
	else if (r == 0)
		r = effective_policy(c, (const char *)b.data, b.len, out, ei);
	ct_buf_free(&b);
	return r;
}

int cl_policy_fetch(struct ct_client *c, const char *upn, struct ct_policy *out,
		    struct ct_errinfo *ei)
{
	struct cl_http_reply rep;
	struct ct_buf form;
	char nonce[64], path[PATH_MAX], *req = NULL;
	int r;

	ct_buf_init(&form, CT_CL_MAX_REPLY);
	memset(&rep, 0, sizeof(rep));
	r = cl_need_keys(c, ei);
	if (r == 0)
		r = cl_get_nonce(c, nonce, sizeof(nonce), ei);
	if (r == 0)
		r = cl_policy_request(c->keys.device_key, c->keys.cert_der, c->keys.cert_len,
				      nonce, cl_now(), upn, &req, ei);
	if (r == 0 && cl_form_add(&form, "request", req) != 0)
		r = CT_ERR_TOO_LARGE;
	if (r == 0)
		r = cl_call(c, "policy", "POST", CL_PATH_POLICY, CL_BODY_FORM, form.data,
			    form.len, NULL, &rep, ei);
	/* Checked before it is kept: a cache we cannot read is no cache. */
	if (r == 0)
		r = effective_policy(c, (const char *)rep.body.data, rep.body.len, out, ei);
	if (r == 0 && cl_state_path(c, CL_POLICY_CACHE_FILE, path) == 0)
		r = cl_file_write(path, rep.body.data, rep.body.len, 0644, ei);
	if (r == 0)
		ct_event_emit(c->cfg.state_dir, CT_EVENT_POLICY_FETCHED, upn, 0,
			      "policy fetched%s%s", upn ? " for " : "", upn ? upn : "");
	cl_http_reply_free(&rep);
	ct_buf_free(&form);
	free(req);
	return r;
}

int ct_client_policy(struct ct_client *c, const char *upn, bool fetch,
		     struct ct_policy *out, struct ct_errinfo *ei)
{
	if (fetch) {
		int r = cl_need_joined(c, ei);

		return r != 0 ? r : cl_policy_fetch(c, upn, out, ei);
	}
	return cl_policy_cached(c, out, ei);
}
