/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The admin API, /admin/v1/... (docs/PROTOCOL.md §9).  Every request needs
 * the admin bearer token; every change writes an audit event.
 */
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "ct-hex.h"
#include "ct-limits.h"
#include "ct-secret.h"
#include "endpoints.h"
#include "kcrypto.h"
#include "password.h"
#include "policy.h"
#include "sid.h"
#include "strict-json.h"
#include "svc.h"
#include "totp.h"

#define ADMIN "admin"

/* Replies 401 unless the bearer is the admin token; 0 when authorised. */
static int admin_auth(struct ct_http_request *req, struct ct_http_response *resp)
{
	struct ct_worker *w = ct_svc_worker(req);
	const char *tok = ct_svc_bearer(req);
	uint8_t md[SHA256_DIGEST_LENGTH];

	if (tok != NULL) {
		SHA256((const uint8_t *)tok, strlen(tok), md);
		if (CRYPTO_memcmp(md, w->app->admin_token_hash, sizeof(md)) == 0)
			return 0;
	}
	{
		struct ct_audit_ev ev = {"anonymous", NULL, "admin.auth", "deny",
					 tok ? "wrong_admin_token" : "no_admin_token", req->path};

		ct_audit(req, &ev);
	}
	ct_http_oauth_error(resp, 401, "unauthorized", "the admin token is missing or wrong",
			    CT_CODE_UNAUTHORIZED);
	return CT_ERR_UNAUTHORIZED;
}

static void audit_change(struct ct_http_request *req, const char *action,
			 const char *device, const char *detail)
{
	struct ct_audit_ev ev = {ADMIN, device, action, "change", NULL, detail};

	ct_audit(req, &ev);
}

static int not_found(struct ct_http_response *resp, const char *what)
{
	return ct_http_oauth_error(resp, 404, "not_found", what, CT_CODE_NOT_FOUND);
}

/* Maps a store error to a reply: 404, 409, 400 or 500. */
static int store_error(struct ct_http_request *req, struct ct_http_response *resp,
		       int r, const struct ct_errinfo *ei, const char *what)
{
	if (r == CT_ERR_NOT_FOUND)
		return not_found(resp, what);
	/* The store's own words (SQL constraint names) stay in the log. */
	if (r == CT_ERR_CONFLICT)
		return ct_http_oauth_error(resp, 409, "conflict", what, CT_CODE_CONFLICT);
	if (r == CT_ERR_INVALID_ARG || r == CT_ERR_BAD_VALUE)
		return ct_svc_bad_request(resp, ei->msg[0] ? ei->msg : what);
	return ct_svc_internal(req, resp, ei);
}

/* ---- users ---- */

static json_t *onprem_json(const struct ct_store_onprem *o)
{
	if (o->sam_account_name == NULL && o->sid == NULL)
		return json_null();
	return json_pack("{s:s?, s:s?, s:s?, s:s?}", "sam_account_name", o->sam_account_name,
			 "domain_name", o->domain_name, "sid", o->sid, "upn", o->upn);
}

static json_t *user_json(struct ct_worker *w, struct ct_arena *a, const struct ct_store_user *u)
{
	struct ct_store_group *g = NULL;
	json_t *groups = json_array();
	size_t n = 0, i;

	if (ct_store_user_groups(w->store, a, u->id, &g, &n, NULL) == 0)
		for (i = 0; i < n; i++)
			json_array_append_new(groups, json_string(g[i].name));
	return json_pack("{s:I, s:s, s:s, s:b, s:b, s:o, s:o, s:I}", "id", (json_int_t)u->id,
			 "upn", u->upn, "display_name", u->display_name ? u->display_name : "",
			 "enabled", u->enabled, "mfa_enrolled", u->totp_secret.len > 0,
			 "onprem", onprem_json(&u->onprem), "groups", groups,
			 "created", (json_int_t)u->created);
}

/* Loads the user named by the path's capture; replies 404 if none. */
static int path_user(struct ct_http_request *req, struct ct_http_response *resp,
		     struct ct_store_user *u)
{
	struct ct_worker *w = ct_svc_worker(req);
	struct ct_errinfo ei = {0};
	int r = ct_store_user_get_by_upn(w->store, req->arena, req->capture, u, &ei);

	if (r != 0)
		store_error(req, resp, r, &ei, "no such user");
	return r;
}

static int reply_user(struct ct_http_request *req, struct ct_http_response *resp,
		      unsigned status, int64_t id)
{
	struct ct_worker *w = ct_svc_worker(req);
	struct ct_store_user u;
	struct ct_errinfo ei = {0};
	int r = ct_store_user_get(w->store, req->arena, id, &u, &ei);

	if (r != 0)
		return store_error(req, resp, r, &ei, "no such user");
	return ct_http_json(resp, status, user_json(w, req->arena, &u));
}

static int hash_password(const char *pw, char **out, struct ct_http_response *resp)
{
	if (pw == NULL || pw[0] == '\0')
		return ct_svc_bad_request(resp, "a password is required"), CT_ERR_INVALID_ARG;
	if (ct_password_hash(pw, strlen(pw), NULL, out) != 0)
		return ct_svc_bad_request(resp, "the password is not acceptable"), CT_ERR_INVALID_ARG;
	return 0;
}

static int users_add(struct ct_http_request *req, struct ct_http_response *resp)
{
	struct ct_worker *w = ct_svc_worker(req);
	struct ct_store_user u;
	struct ct_errinfo ei = {0};
	json_t *body = NULL;
	const char *pw = NULL;
	char *hash = NULL;
	int64_t id = 0;
	int r;

	if (ct_svc_json_body(req, resp, &body) != 0)
		return 0;
	memset(&u, 0, sizeof(u));
	if (ct_json_get_str(body, "upn", &u.upn, NULL) != 0 || strchr(u.upn, '@') == NULL) {
		r = ct_svc_bad_request(resp, "upn (name@domain) is required");
		goto out;
	}
	if (ct_json_get_str(body, "display_name", &u.display_name, NULL) != 0)
		u.display_name = u.upn;
	ct_json_get_str(body, "password", &pw, NULL);
	if (hash_password(pw, &hash, resp) != 0) {
		r = 0;
		goto out;
	}
	u.password_hash = hash;
	u.enabled = true;
	r = ct_store_user_add(w->store, &u, &id, &ei);
	if (r != 0) {
		r = store_error(req, resp, r, &ei, "a user with this UPN already exists");
		goto out;
	}
	audit_change(req, "user.add", NULL, u.upn);
	r = reply_user(req, resp, 201, id);
out:
	ct_erase_free_str(hash);
	json_decref(body);
	return r;
}

static int users_list(struct ct_http_request *req, struct ct_http_response *resp)
{
	struct ct_worker *w = ct_svc_worker(req);
	struct ct_store_user *us = NULL;
	struct ct_errinfo ei = {0};
	json_t *arr = json_array();
	size_t n = 0, i;
	int r = ct_store_user_list(w->store, req->arena, CT_STORE_MAX_LIST, 0, &us, &n, &ei);

	if (r != 0) {
		json_decref(arr);
		return store_error(req, resp, r, &ei, "cannot list users");
	}
	for (i = 0; i < n; i++)
		json_array_append_new(arr, user_json(w, req->arena, &us[i]));
	return ct_http_json(resp, 200, json_pack("{s:o}", "users", arr));
}

static int user_get(void *app, struct ct_http_request *req, struct ct_http_response *resp)
{
	struct ct_store_user u;

	(void)app;
	if (admin_auth(req, resp) != 0 || path_user(req, resp, &u) != 0)
		return 0;
	return ct_http_json(resp, 200, user_json(ct_svc_worker(req), req->arena, &u));
}

/* .../enable or .../disable: the last path segment says which. */
static bool path_enables(const struct ct_http_request *req)
{
	size_t n = strlen(req->path);

	return n >= 7 && strcmp(req->path + n - 7, "/enable") == 0;
}

static int user_set_enabled(void *app, struct ct_http_request *req, struct ct_http_response *resp)
{
	bool enabled = path_enables(req);
	struct ct_worker *w = ct_svc_worker(req);
	struct ct_store_user u;
	struct ct_errinfo ei = {0};
	int r;

	(void)app;
	if (admin_auth(req, resp) != 0 || path_user(req, resp, &u) != 0)
		return 0;
	r = ct_store_user_set_enabled(w->store, u.id, enabled, &ei);
	if (r != 0)
		return store_error(req, resp, r, &ei, "cannot change the user");
	audit_change(req, enabled ? "user.enable" : "user.disable", NULL, u.upn);
	return reply_user(req, resp, 200, u.id);
}

static int user_password(void *app, struct ct_http_request *req, struct ct_http_response *resp)
{
	struct ct_worker *w = ct_svc_worker(req);
	struct ct_store_user u;
	struct ct_errinfo ei = {0};
	json_t *body = NULL;
	const char *pw = NULL;
	char *hash = NULL;
	int r = 0;

	(void)app;
	if (admin_auth(req, resp) != 0 || path_user(req, resp, &u) != 0 ||
	    ct_svc_json_body(req, resp, &body) != 0)
		return 0;
	ct_json_get_str(body, "password", &pw, NULL);
	if (hash_password(pw, &hash, resp) == 0) {
		r = ct_store_user_set_password_hash(w->store, u.id, hash, &ei);
		if (r != 0)
			r = store_error(req, resp, r, &ei, "cannot set the password");
		else {
			audit_change(req, "user.password", NULL, u.upn);
			r = reply_user(req, resp, 200, u.id);
		}
	}
	ct_erase_free_str(hash);
	json_decref(body);
	return r;
}

static int user_onprem_put(void *app, struct ct_http_request *req, struct ct_http_response *resp)
{
	struct ct_worker *w = ct_svc_worker(req);
	struct ct_store_user u;
	struct ct_store_onprem op;
	struct ct_errinfo ei = {0};
	struct ct_sid sid;
	json_t *body = NULL;
	int r;

	(void)app;
	if (admin_auth(req, resp) != 0 || path_user(req, resp, &u) != 0 ||
	    ct_svc_json_body(req, resp, &body) != 0)
		return 0;
	memset(&op, 0, sizeof(op));
	if (ct_json_get_str(body, "sam_account_name", &op.sam_account_name, NULL) != 0 ||
	    ct_json_get_str(body, "domain_name", &op.domain_name, NULL) != 0 ||
	    ct_json_get_str(body, "sid", &op.sid, NULL) != 0 ||
	    ct_sid_parse(op.sid, &sid) != 0 || strchr(op.domain_name, '.') == NULL) {
		r = ct_svc_bad_request(resp, "sam_account_name, domain_name (DNS) and sid (S-1-5-21-...) are required");
		goto out;
	}
	ct_json_get_str(body, "upn", &op.upn, NULL);
	r = ct_store_user_set_onprem(w->store, u.id, &op, &ei);
	if (r != 0) {
		r = store_error(req, resp, r, &ei, "cannot set the on-prem identity");
		goto out;
	}
	audit_change(req, "user.set_onprem", NULL, u.upn);
	r = reply_user(req, resp, 200, u.id);
out:
	json_decref(body);
	return r;
}

static int user_onprem_delete(void *app, struct ct_http_request *req, struct ct_http_response *resp)
{
	struct ct_worker *w = ct_svc_worker(req);
	struct ct_store_user u;
	struct ct_store_onprem op;
	struct ct_errinfo ei = {0};
	int r;

	(void)app;
	if (admin_auth(req, resp) != 0 || path_user(req, resp, &u) != 0)
		return 0;
	memset(&op, 0, sizeof(op));
	r = ct_store_user_set_onprem(w->store, u.id, &op, &ei);
	if (r != 0)
		return store_error(req, resp, r, &ei, "cannot clear the on-prem identity");
	audit_change(req, "user.clear_onprem", NULL, u.upn);
	return reply_user(req, resp, 200, u.id);
}

static int user_mfa(void *app, struct ct_http_request *req, struct ct_http_response *resp)
{
	struct ct_worker *w = ct_svc_worker(req);
	struct ct_store_user u;
	struct ct_store_blob b;
	struct ct_errinfo ei = {0};
	struct ct_buf sealed;
	uint8_t secret[CT_TOTP_SECRET_LEN];
	char *uri = NULL;
	const char *q;
	int r;

	(void)app;
	if (admin_auth(req, resp) != 0 || path_user(req, resp, &u) != 0)
		return 0;
	ct_buf_init(&sealed, 256);
	r = ct_totp_secret_new(secret);
	if (r == 0)
		r = ct_seal(w->app->seal, CT_SEAL_PURPOSE_TOTP, secret, sizeof(secret), &sealed);
	if (r == 0) {
		b.data = sealed.data;
		b.len = sealed.len;
		r = ct_store_user_set_totp_secret(w->store, u.id, &b, &ei);
	}
	if (r == 0)
		r = ct_totp_uri(secret, sizeof(secret), w->app->tenant_name, u.upn, &uri);
	if (r != 0) {
		r = store_error(req, resp, r, &ei, "cannot enrol MFA");
		goto out;
	}
	audit_change(req, "user.mfa_enroll", NULL, u.upn);
	q = strstr(uri, "secret=");
	{
		char b32[64] = "";

		if (q != NULL)
			snprintf(b32, sizeof(b32), "%.*s", (int)strcspn(q + 7, "&"), q + 7);
		r = ct_http_json(resp, 200, json_pack("{s:s, s:s}", "otpauth_uri", uri, "secret", b32));
		ct_zap(b32, sizeof(b32));
	}
out:
	ct_zap(secret, sizeof(secret));
	ct_erase_free_str(uri);
	ct_buf_free(&sealed);
	return r;
}

static int users(void *app, struct ct_http_request *req, struct ct_http_response *resp)
{
	(void)app;
	if (admin_auth(req, resp) != 0)
		return 0;
	return strcmp(req->method, "POST") == 0 ? users_add(req, resp) : users_list(req, resp);
}

/* ---- groups ---- */

static json_t *group_json(struct ct_worker *w, struct ct_arena *a, const struct ct_store_group *g)
{
	int64_t *m = NULL;
	struct ct_store_user u;
	json_t *members = json_array();
	size_t n = 0, i;

	if (ct_store_group_members(w->store, a, g->id, CT_STORE_MAX_LIST, 0, &m, &n, NULL) == 0)
		for (i = 0; i < n; i++)
			if (ct_store_user_get(w->store, a, m[i], &u, NULL) == 0)
				json_array_append_new(members, json_string(u.upn));
	return json_pack("{s:I, s:s, s:o}", "id", (json_int_t)g->id, "name", g->name,
			 "members", members);
}

static int groups(void *app, struct ct_http_request *req, struct ct_http_response *resp)
{
	struct ct_worker *w = ct_svc_worker(req);
	struct ct_store_group *gs = NULL, g;
	struct ct_errinfo ei = {0};
	json_t *body = NULL, *arr;
	const char *name = NULL;
	size_t n = 0, i;
	int64_t id = 0;
	int r;

	(void)app;
	if (admin_auth(req, resp) != 0)
		return 0;
	if (strcmp(req->method, "GET") == 0) {
		r = ct_store_group_list(w->store, req->arena, CT_STORE_MAX_LIST, 0, &gs, &n, &ei);
		if (r != 0)
			return store_error(req, resp, r, &ei, "cannot list groups");
		arr = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(arr, group_json(w, req->arena, &gs[i]));
		return ct_http_json(resp, 200, json_pack("{s:o}", "groups", arr));
	}
	if (ct_svc_json_body(req, resp, &body) != 0)
		return 0;
	if (ct_json_get_str(body, "name", &name, NULL) != 0) {
		json_decref(body);
		return ct_svc_bad_request(resp, "name is required");
	}
	r = ct_store_group_add(w->store, name, &id, &ei);
	if (r == 0)
		r = ct_store_group_get(w->store, req->arena, id, &g, &ei);
	if (r == 0) {
		audit_change(req, "group.add", NULL, name);
		r = ct_http_json(resp, 201, group_json(w, req->arena, &g));
	} else {
		r = store_error(req, resp, r, &ei, "a group with this name already exists");
	}
	json_decref(body);
	return r;
}

static int group_member(struct ct_http_request *req, struct ct_http_response *resp, bool add)
{
	struct ct_worker *w = ct_svc_worker(req);
	struct ct_store_group g;
	struct ct_store_user u;
	struct ct_errinfo ei = {0};
	json_t *body = NULL;
	const char *upn = NULL;
	int r;

	if (admin_auth(req, resp) != 0)
		return 0;
	r = ct_store_group_get_by_name(w->store, req->arena, req->capture, &g, &ei);
	if (r != 0)
		return store_error(req, resp, r, &ei, "no such group");
	if (ct_svc_json_body(req, resp, &body) != 0)
		return 0;
	if (ct_json_get_str(body, "upn", &upn, NULL) != 0) {
		r = ct_svc_bad_request(resp, "upn is required");
		goto out;
	}
	r = ct_store_user_get_by_upn(w->store, req->arena, upn, &u, &ei);
	if (r == 0)
		r = add ? ct_store_group_member_add(w->store, g.id, u.id, &ei)
			: ct_store_group_member_remove(w->store, g.id, u.id, &ei);
	if (r != 0) {
		r = store_error(req, resp, r, &ei, "no such user, or the membership already is as asked");
		goto out;
	}
	audit_change(req, add ? "group.member_add" : "group.member_remove", NULL, upn);
	r = ct_http_json(resp, 200, group_json(w, req->arena, &g));
out:
	json_decref(body);
	return r;
}

static int group_member_add(void *app, struct ct_http_request *req, struct ct_http_response *resp)
{
	(void)app;
	return group_member(req, resp, true);
}

static int group_member_remove(void *app, struct ct_http_request *req, struct ct_http_response *resp)
{
	(void)app;
	return group_member(req, resp, false);
}

/* ---- devices ---- */

static json_t *device_json(struct ct_worker *w, struct ct_arena *a, const struct ct_store_device *d)
{
	struct ct_store_user u;
	const char *owner = NULL;

	if (d->owner_user_id != 0 && ct_store_user_get(w->store, a, d->owner_user_id, &u, NULL) == 0)
		owner = u.upn;
	return json_pack("{s:s, s:s, s:s?, s:b, s:i, s:s, s:s, s:I, s:I}", "id", d->id,
			 "display_name", d->display_name, "owner", owner, "enabled", d->enabled,
			 "join_type", (int)d->join_type, "thumbprint", d->cert_thumbprint,
			 "os_version", d->os_version ? d->os_version : "",
			 "created", (json_int_t)d->created, "last_seen", (json_int_t)d->last_seen);
}

static int devices(void *app, struct ct_http_request *req, struct ct_http_response *resp)
{
	struct ct_worker *w = ct_svc_worker(req);
	struct ct_store_device *ds = NULL;
	struct ct_errinfo ei = {0};
	json_t *arr;
	size_t n = 0, i;
	int r;

	(void)app;
	if (admin_auth(req, resp) != 0)
		return 0;
	r = ct_store_device_list(w->store, req->arena, CT_STORE_MAX_LIST, 0, &ds, &n, &ei);
	if (r != 0)
		return store_error(req, resp, r, &ei, "cannot list devices");
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, device_json(w, req->arena, &ds[i]));
	return ct_http_json(resp, 200, json_pack("{s:o}", "devices", arr));
}

static int device_reply(struct ct_http_request *req, struct ct_http_response *resp)
{
	struct ct_worker *w = ct_svc_worker(req);
	struct ct_store_device d;
	struct ct_errinfo ei = {0};
	int r = ct_store_device_get(w->store, req->arena, req->capture, &d, &ei);

	if (r != 0)
		return store_error(req, resp, r, &ei, "no such device");
	return ct_http_json(resp, 200, device_json(w, req->arena, &d));
}

static int device_get(void *app, struct ct_http_request *req, struct ct_http_response *resp)
{
	(void)app;
	if (admin_auth(req, resp) != 0)
		return 0;
	return device_reply(req, resp);
}

static int device_set_enabled(void *app, struct ct_http_request *req, struct ct_http_response *resp)
{
	bool enabled = path_enables(req);
	struct ct_worker *w = ct_svc_worker(req);
	struct ct_errinfo ei = {0};
	int r;

	(void)app;
	if (admin_auth(req, resp) != 0)
		return 0;
	r = ct_store_device_set_enabled(w->store, req->capture, enabled, &ei);
	if (r != 0)
		return store_error(req, resp, r, &ei, "no such device");
	audit_change(req, enabled ? "device.enable" : "device.disable", req->capture, NULL);
	return device_reply(req, resp);
}

static int device_remove(void *app, struct ct_http_request *req, struct ct_http_response *resp)
{
	struct ct_worker *w = ct_svc_worker(req);
	struct ct_errinfo ei = {0};
	int r;

	(void)app;
	if (admin_auth(req, resp) != 0)
		return 0;
	r = ct_store_device_remove(w->store, req->capture, &ei);
	if (r != 0)
		return store_error(req, resp, r, &ei, "no such device");
	audit_change(req, "device.remove", req->capture, NULL);
	return ct_http_text(resp, 204, "");
}

/* ---- policies ---- */

static int policies(void *app, struct ct_http_request *req, struct ct_http_response *resp)
{
	struct ct_worker *w = ct_svc_worker(req);
	struct ct_store_policy *ps = NULL;
	struct ct_errinfo ei = {0};
	json_t *arr;
	size_t n = 0, i;
	int r;

	(void)app;
	if (admin_auth(req, resp) != 0)
		return 0;
	if (strcmp(req->method, "PUT") == 0)
		return ct_policy_admin_set(req, resp, false);
	r = ct_store_policy_list(w->store, req->arena, &ps, &n, &ei);
	if (r != 0)
		return store_error(req, resp, r, &ei, "cannot list policies");
	arr = json_array();
	for (i = 0; i < n; i++) {
		struct ct_store_group g;
		const char *gname = NULL;

		if (ps[i].group_id != CT_STORE_SCOPE_ALL &&
		    ct_store_group_get(w->store, req->arena, ps[i].group_id, &g, NULL) == 0)
			gname = g.name;
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s?}", "node", ps[i].node,
						     "value", ps[i].value, "group", gname));
	}
	return ct_http_json(resp, 200, json_pack("{s:o}", "policies", arr));
}

static int policies_remove(void *app, struct ct_http_request *req, struct ct_http_response *resp)
{
	(void)app;
	if (admin_auth(req, resp) != 0)
		return 0;
	return ct_policy_admin_set(req, resp, true);
}

/* ---- Kerberos server objects ---- */

static json_t *krb_key_json(const struct ct_worker *w, const struct ct_store_krb_key *k)
{
	char fp[CT_SEAL_FINGERPRINT_LEN + 1] = "";
	struct ct_buf plain;

	ct_buf_init(&plain, CT_KRB_MAX_KEY);
	/* A fingerprint lets admins compare keys without anyone seeing one. */
	if (ct_unseal(w->app->seal, CT_SEAL_PURPOSE_KRB, k->sealed.data, k->sealed.len,
		      &plain, NULL) == 0)
		ct_seal_fingerprint(plain.data, plain.len, fp);
	ct_buf_free(&plain);
	return json_pack("{s:i, s:i, s:s}", "enctype", (int)k->enctype, "key_version",
			 (int)k->key_version, "fingerprint", fp);
}

static json_t *ks_json(const struct ct_worker *w, const struct ct_store_krb_server *ks)
{
	return json_pack("{s:s, s:s, s:i, s:s, s:o, s:o, s:I, s:s}", "domain", ks->domain,
			 "realm", ks->realm, "rodc_number", (int)ks->rodc_number,
			 "display_name", ks->display_name ? ks->display_name : "",
			 "primary", krb_key_json(w, &ks->primary),
			 "secondary", ks->has_secondary ? krb_key_json(w, &ks->secondary) : json_null(),
			 "key_updated_on", (json_int_t)ks->key_updated_on,
			 "key_updated_from", ks->key_updated_from ? ks->key_updated_from : "");
}

static int krb_servers(void *app, struct ct_http_request *req, struct ct_http_response *resp)
{
	struct ct_worker *w = ct_svc_worker(req);
	struct ct_store_krb_server *ks = NULL;
	struct ct_errinfo ei = {0};
	json_t *arr;
	size_t n = 0, i;
	int r;

	(void)app;
	if (admin_auth(req, resp) != 0)
		return 0;
	r = ct_store_krb_server_list(w->store, req->arena, &ks, &n, &ei);
	if (r != 0)
		return store_error(req, resp, r, &ei, "cannot list Kerberos server objects");
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, ks_json(w, &ks[i]));
	return ct_http_json(resp, 200, json_pack("{s:o}", "kerberos_servers", arr));
}

static int krb_server_get(void *app, struct ct_http_request *req, struct ct_http_response *resp)
{
	struct ct_worker *w = ct_svc_worker(req);
	struct ct_store_krb_server ks;
	struct ct_errinfo ei = {0};
	const char *domain = req->capture; /* the store ignores its case */
	int r;

	(void)app;
	if (admin_auth(req, resp) != 0)
		return 0;
	if (strcmp(req->method, "DELETE") == 0) {
		r = ct_store_krb_server_remove(w->store, domain, &ei);
		if (r != 0)
			return store_error(req, resp, r, &ei, "no Kerberos server object for that domain");
		audit_change(req, "kerberos_server.remove", NULL, domain);
		return ct_http_text(resp, 204, "");
	}
	r = ct_store_krb_server_get(w->store, req->arena, domain, &ks, &ei);
	if (r != 0)
		return store_error(req, resp, r, &ei, "no Kerberos server object for that domain");
	return ct_http_json(resp, 200, ks_json(w, &ks));
}

/* Parses and seals the key of a publish request into k; a description on error. */
static const char *publish_key(struct ct_worker *w, const json_t *body,
			       struct ct_store_krb_key *k, struct ct_buf *sealed)
{
	json_t *key = NULL;
	const char *hex = NULL;
	int64_t enctype = 0, ver = -1;
	uint8_t *raw = NULL;
	size_t rawlen = 0;
	const char *bad = NULL;

	if (ct_json_get_obj(body, "key", &key) != 0 ||
	    ct_json_get_int_lenient(key, "enctype", &enctype) != 0 ||
	    ct_json_get_int_lenient(key, "key_version", &ver) != 0 ||
	    ct_json_get_str(key, "key_hex", &hex, NULL) != 0)
		return "key {enctype, key_version, key_hex} is required";
	if (!ct_enctype_supported((int32_t)enctype))
		return "unsupported enctype (use 18, aes256-cts-hmac-sha1-96)";
	if (ver < 0 || ver > 65535)
		return "key_version must be 0..65535";
	if (ct_hex_decode(hex, &raw, &rawlen) != 0 || rawlen != ct_enctype_keylen((int32_t)enctype))
		bad = "key_hex does not hold a key of that enctype";
	else if (ct_seal(w->app->seal, CT_SEAL_PURPOSE_KRB, raw, rawlen, sealed) != 0)
		bad = "cannot seal the key";
	ct_erase_free(raw, rawlen);
	if (bad != NULL)
		return bad;
	k->sealed.data = sealed->data;
	k->sealed.len = sealed->len;
	k->enctype = (int32_t)enctype;
	k->key_version = (uint32_t)ver;
	return NULL;
}

static int krb_server_put(void *app, struct ct_http_request *req, struct ct_http_response *resp)
{
	struct ct_worker *w = ct_svc_worker(req);
	struct ct_store_krb_server ks, old;
	struct ct_errinfo ei = {0};
	struct ct_buf sealed;
	json_t *body = NULL;
	int64_t rodc = 0;
	const char *domain = req->capture; /* the store ignores its case */
	const char *bad;
	bool have_old, rotated;
	int r;

	(void)app;
	if (admin_auth(req, resp) != 0 || ct_svc_json_body(req, resp, &body) != 0)
		return 0;
	ct_buf_init(&sealed, 256);
	memset(&ks, 0, sizeof(ks));
	ks.domain = domain;
	bad = ct_json_get_str(body, "realm", &ks.realm, NULL) != 0
		      ? "realm is required"
	      : ct_json_get_int_lenient(body, "rodc_number", &rodc) != 0 || rodc < 1 || rodc > 65535
		      ? "rodc_number must be 1..65535"
		      : publish_key(w, body, &ks.primary, &sealed);
	if (bad != NULL) {
		r = ct_svc_bad_request(resp, bad);
		goto out;
	}
	ks.rodc_number = (uint32_t)rodc;
	if (ct_json_get_str(body, "display_name", &ks.display_name, NULL) != 0)
		ks.display_name = "AzureADKerberos";
	if (ct_json_get_str(body, "updated_from", &ks.key_updated_from, NULL) != 0)
		ks.key_updated_from = req->remote_addr;
	ks.key_updated_on = ct_app_now(w->app);
	have_old = ct_store_krb_server_get(w->store, req->arena, domain, &old, NULL) == 0;
	rotated = have_old && old.rodc_number == ks.rodc_number &&
		  old.primary.key_version != ks.primary.key_version;
	/* A new key version keeps the previous primary as secondary (zero downtime). */
	if (rotated)
		r = ct_store_krb_server_rotate(w->store, domain, &ks.primary, ks.key_updated_on,
					       ks.key_updated_from, &ei);
	else {
		if (have_old && old.rodc_number == ks.rodc_number && old.has_secondary) {
			ks.has_secondary = true;
			ks.secondary = old.secondary;
		}
		r = ct_store_krb_server_put(w->store, &ks, &ei);
	}
	if (r != 0) {
		r = store_error(req, resp, r, &ei, "cannot store the Kerberos server object");
		goto out;
	}
	audit_change(req, rotated ? "kerberos_server.rotate" : "kerberos_server.publish", NULL,
		     domain);
	r = ct_store_krb_server_get(w->store, req->arena, domain, &ks, &ei);
	r = r == 0 ? ct_http_json(resp, 200, ks_json(w, &ks)) : store_error(req, resp, r, &ei, domain);
out:
	ct_buf_free(&sealed);
	json_decref(body);
	return r;
}

/* ---- tenant and audit ---- */

static int tenant(void *app, struct ct_http_request *req, struct ct_http_response *resp)
{
	struct ct_worker *w = ct_svc_worker(req);
	struct ct_store_tenant t;
	struct ct_errinfo ei = {0};
	json_t *body = NULL, *doms;
	const char *d = NULL;
	bool created = false;
	size_t i;
	int r;

	(void)app;
	if (admin_auth(req, resp) != 0)
		return 0;
	if (strcmp(req->method, "POST") == 0) {
		if (ct_svc_json_body(req, resp, &body) != 0)
			return 0;
		r = ct_json_get_str(body, "domain", &d, NULL) != 0 ? CT_ERR_INVALID_ARG
			: ct_store_tenant_domain_add(w->store, d, &ei);
		if (r == 0)
			audit_change(req, "tenant.domain_add", NULL, d);
		json_decref(body);
		if (r != 0)
			return store_error(req, resp, r, &ei,
					   r == CT_ERR_CONFLICT ? "that domain is already verified"
								: "domain (a DNS name) is required");
		created = true;
	}
	r = ct_store_tenant_get(w->store, req->arena, &t, &ei);
	if (r != 0)
		return store_error(req, resp, r, &ei, "no tenant");
	doms = json_array();
	for (i = 0; i < t.ndomains; i++)
		json_array_append_new(doms, json_string(t.domains[i]));
	return ct_http_json(resp, created ? 201 : 200,
			    json_pack("{s:s, s:s, s:o, s:I}", "id", t.id, "name", t.name,
				      "domains", doms, "created", (json_int_t)t.created));
}

static int audit_show(void *app, struct ct_http_request *req, struct ct_http_response *resp)
{
	struct ct_worker *w = ct_svc_worker(req);
	struct ct_store_audit_filter f = {ct_http_query(req, "actor"), ct_http_query(req, "action")};
	struct ct_store_audit *ev = NULL;
	struct ct_errinfo ei = {0};
	const char *lim = ct_http_query(req, "limit");
	long limit = lim ? strtol(lim, NULL, 10) : 100;
	json_t *arr;
	size_t n = 0, i;
	int r;

	(void)app;
	if (admin_auth(req, resp) != 0)
		return 0;
	if (limit < 1 || limit > CT_STORE_MAX_LIST)
		return ct_svc_bad_request(resp, "limit out of range");
	r = ct_store_audit_list(w->store, req->arena, &f, (size_t)limit, 0, &ev, &n, &ei);
	if (r != 0)
		return store_error(req, resp, r, &ei, "cannot read the audit trail");
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:I, s:I, s:s, s:s?, s:s, s:s, s:s?, s:s?, s:s?}",
			"id", (json_int_t)ev[i].id, "at", (json_int_t)(ev[i].at_us / 1000000),
			"actor", ev[i].actor, "device", ev[i].device_id, "action", ev[i].action,
			"outcome", ev[i].outcome, "reason", ev[i].reason, "source", ev[i].source,
			"detail", ev[i].detail));
	return ct_http_json(resp, 200, json_pack("{s:o}", "events", arr));
}

const struct ct_http_route ct_admin_routes[] = {
	{"GET", "/admin/v1/tenant", tenant},
	{"POST", "/admin/v1/tenant/domains", tenant},
	{"GET", "/admin/v1/users", users},
	{"POST", "/admin/v1/users", users},
	{"GET", "/admin/v1/users/{upn}", user_get},
	{"POST", "/admin/v1/users/{upn}/disable", user_set_enabled},
	{"POST", "/admin/v1/users/{upn}/enable", user_set_enabled},
	{"POST", "/admin/v1/users/{upn}/password", user_password},
	{"PUT", "/admin/v1/users/{upn}/onprem", user_onprem_put},
	{"DELETE", "/admin/v1/users/{upn}/onprem", user_onprem_delete},
	{"POST", "/admin/v1/users/{upn}/mfa", user_mfa},
	{"GET", "/admin/v1/groups", groups},
	{"POST", "/admin/v1/groups", groups},
	{"POST", "/admin/v1/groups/{name}/members/add", group_member_add},
	{"POST", "/admin/v1/groups/{name}/members/remove", group_member_remove},
	{"GET", "/admin/v1/devices", devices},
	{"GET", "/admin/v1/devices/{id}", device_get},
	{"POST", "/admin/v1/devices/{id}/disable", device_set_enabled},
	{"POST", "/admin/v1/devices/{id}/enable", device_set_enabled},
	{"DELETE", "/admin/v1/devices/{id}", device_remove},
	{"GET", "/admin/v1/policies", policies},
	{"PUT", "/admin/v1/policies", policies},
	{"POST", "/admin/v1/policies/remove", policies_remove},
	{"GET", "/admin/v1/kerberos-servers", krb_servers},
	{"GET", "/admin/v1/kerberos-servers/{domain}", krb_server_get},
	{"PUT", "/admin/v1/kerberos-servers/{domain}", krb_server_put},
	{"DELETE", "/admin/v1/kerberos-servers/{domain}", krb_server_get},
	{"GET", "/admin/v1/audit", audit_show},
};
const size_t ct_admin_nroutes = sizeof(ct_admin_routes) / sizeof(ct_admin_routes[0]);
