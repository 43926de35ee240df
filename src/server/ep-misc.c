/* SPDX-License-Identifier: Apache-2.0 */
/* Discovery (§1), policy fetch (§8), health, and the route table. */
#include <string.h>

#include "endpoints.h"
#include "policy.h"
#include "strict-json.h"
#include "svc.h"

#ifndef CT_VERSION
#define CT_VERSION "unknown"
#endif

int ct_ep_healthz(void *app, struct ct_http_request *req, struct ct_http_response *resp)
{
	(void)app;
	(void)req;
	return ct_http_json(resp, 200, json_pack("{s:s}", "status", "ok"));
}

int ct_ep_discovery(void *app, struct ct_http_request *req, struct ct_http_response *resp)
{
	struct ct_worker *w = ct_svc_worker(req);
	const char *u = w->app->issuer_url, *t = w->app->tenant_id;
	char iss[1024], tok[1024], dev[1024], key[1024], pol[1024];

	(void)app;
	if (!ct_svc_tenant_ok(req))
		return ct_http_oauth_error(resp, 404, "invalid_tenant", "unknown tenant",
					   CT_CODE_INVALID_TENANT);
	snprintf(iss, sizeof(iss), "%s/%s", u, t);
	snprintf(tok, sizeof(tok), "%s/%s/oauth2/token", u, t);
	snprintf(dev, sizeof(dev), "%s/EnrollmentServer/device/", u);
	snprintf(key, sizeof(key), "%s/EnrollmentServer/key/", u);
	snprintf(pol, sizeof(pol), "%s/EnrollmentServer/policy/", u);
	return ct_http_json(resp, 200, json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:s, s:[s], s:[s,s,s,s], s:[s], s:[s,s], s:s}",
		"issuer", iss, "token_endpoint", tok, "device_registration_endpoint", dev,
		"key_registration_endpoint", key, "policy_endpoint", pol, "tenant_id", t,
		"token_endpoint_auth_methods_supported", "none",
		"grant_types_supported", "srv_challenge",
		"urn:ietf:params:oauth:grant-type:jwt-bearer", "refresh_token",
		"urn:cloudtrust:grant-type:password-otp",
		"id_token_signing_alg_values_supported", "ES256",
		"request_object_signing_alg_values_supported", "RS256", "ES256",
		"cloudtrust_version", CT_VERSION));
}

int ct_ep_policy(void *app, struct ct_http_request *req, struct ct_http_response *resp)
{
	struct ct_worker *w = ct_svc_worker(req);
	struct ct_device_proof p;
	struct ct_form f;
	struct ct_errinfo ei = {0};
	struct ct_store_user u;
	const char *why = NULL, *nonce = NULL, *upn = NULL;
	int64_t uid = 0;
	json_t *pol;
	int r;

	(void)app;
	if (ct_http_form(req, &f, &ei) != 0)
		return ct_svc_bad_request(resp, ei.msg[0] ? ei.msg : "malformed form body");
	if (ct_svc_device_jws(w, req->arena, ct_form_get(&f, "request"), &p, &why) != 0)
		goto deny;
	why = "bad_nonce";
	if (ct_json_get_str(p.claims, "request_nonce", &nonce, NULL) != 0 ||
	    ct_svc_nonce_consume(w, nonce, NULL) != 0)
		goto deny_free;
	/* A user's group policies, for any user of the tenant: any of them may
	 * sign in on a joined device. */
	if (ct_json_get_str(p.claims, "upn", &upn, NULL) == 0) {
		why = "unknown_user";
		if (ct_store_user_get_by_upn(w->store, req->arena, upn, &u, NULL) != 0)
			goto deny_free;
		uid = u.id;
	}
	pol = ct_policy_effective(w, req->arena, uid);
	if (pol == NULL) {
		ct_device_proof_free(&p);
		return ct_svc_internal(req, resp, NULL);
	}
	{
		struct ct_audit_ev ev = {upn ? upn : "device", p.device.id, "policy.fetch", "grant", NULL, NULL};

		ct_audit(req, &ev);
	}
	ct_device_proof_free(&p);
	return ct_http_json(resp, 200, json_pack("{s:o}", "policies", pol));
deny_free:
	ct_device_proof_free(&p);
deny:
	{
		struct ct_audit_ev ev = {upn, NULL, "policy.fetch", "deny", why, NULL};

		ct_audit(req, &ev);
	}
	r = ct_http_oauth_error(resp, 401, "unauthorized",
				"the request must be signed by a joined, enabled device",
				CT_CODE_UNAUTHORIZED);
	return r;
}

/*
 * A device leaves [ours]: a request signed by the device key with a fresh
 * nonce and purpose "leave" removes the device and every Hello key on it.
 * The purpose claim keeps a device-signed request made for another call
 * from being spent here.
 */
int ct_ep_leave(void *app, struct ct_http_request *req, struct ct_http_response *resp)
{
	struct ct_worker *w = ct_svc_worker(req);
	struct ct_device_proof p;
	struct ct_errinfo ei = {0};
	struct ct_form f;
	const char *why = NULL, *nonce = NULL, *purpose = NULL;
	int r;

	(void)app;
	if (ct_http_form(req, &f, &ei) != 0)
		return ct_svc_bad_request(resp, ei.msg[0] ? ei.msg : "malformed form body");
	if (ct_svc_device_jws(w, req->arena, ct_form_get(&f, "request"), &p, &why) != 0)
		goto deny;
	why = "bad_nonce";
	if (ct_json_get_str(p.claims, "request_nonce", &nonce, NULL) != 0 ||
	    ct_svc_nonce_consume(w, nonce, NULL) != 0)
		goto deny_free;
	why = "bad_purpose";
	if (ct_json_get_str(p.claims, "purpose", &purpose, NULL) != 0 ||
	    strcmp(purpose, "leave") != 0)
		goto deny_free;
	r = ct_store_device_remove(w->store, p.device.id, &ei);
	if (r != 0) {
		ct_device_proof_free(&p);
		return ct_svc_internal(req, resp, &ei);
	}
	{
		struct ct_audit_ev ev = {"device", p.device.id, "device.leave", "change", NULL, NULL};

		ct_audit(req, &ev);
	}
	ct_device_proof_free(&p);
	return ct_http_text(resp, 204, "");
deny_free:
	ct_device_proof_free(&p);
deny:
	{
		struct ct_audit_ev ev = {NULL, NULL, "device.leave", "deny", why, NULL};

		ct_audit(req, &ev);
	}
	return ct_http_oauth_error(resp, 401, "unauthorized",
				   "the request must be signed by a joined, enabled device",
				   CT_CODE_UNAUTHORIZED);
}

static const struct ct_http_route protocol_routes[] = {
	{"GET", "/healthz", ct_ep_healthz},
	{"GET", "/{tenant}/.well-known/openid-configuration", ct_ep_discovery},
	{"POST", "/{tenant}/oauth2/token", ct_ep_token},
	{"POST", "/EnrollmentServer/device/", ct_ep_join},
	{"POST", "/EnrollmentServer/key/", ct_ep_key},
	{"POST", "/EnrollmentServer/policy/", ct_ep_policy},
	{"POST", "/EnrollmentServer/device/leave/", ct_ep_leave},
};

size_t ct_service_routes(struct ct_http_route *out, size_t max)
{
	size_t np = sizeof(protocol_routes) / sizeof(protocol_routes[0]);

	if (np + ct_admin_nroutes > max)
		return 0;
	memcpy(out, protocol_routes, sizeof(protocol_routes));
	memcpy(out + np, ct_admin_routes, ct_admin_nroutes * sizeof(*out));
	return np + ct_admin_nroutes;
}
