/* SPDX-License-Identifier: Apache-2.0 */
#include "policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "strict-json.h"
#include "svc.h"

enum node_type { NODE_BOOL, NODE_INT };

static const struct node {
	const char *rel;
	enum node_type type;
	long min, max;
	const char *def;
} nodes[] = {
	{"UsePassportForWork", NODE_BOOL, 0, 1, "true"},
	{"UseCloudTrustForOnPremAuth", NODE_BOOL, 0, 1, "false"},
	{"RequireSecurityDevice", NODE_BOOL, 0, 1, "false"},
	{"PINComplexity/MinimumPINLength", NODE_INT, 4, 127, "4"},
	{"PINComplexity/MaximumPINLength", NODE_INT, 4, 127, "127"},
	{"PINComplexity/Digits", NODE_INT, 0, 2, "1"},
	{"PINComplexity/UppercaseLetters", NODE_INT, 0, 2, "2"},
	{"PINComplexity/LowercaseLetters", NODE_INT, 0, 2, "2"},
	{"PINComplexity/SpecialCharacters", NODE_INT, 0, 2, "2"},
	{"PINComplexity/History", NODE_INT, 0, 50, "0"},
	{"PINComplexity/Expiration", NODE_INT, 0, 730, "0"},
};

#define NNODES (sizeof(nodes) / sizeof(nodes[0]))

static const struct node *node_find(const char *rel)
{
	size_t i;

	for (i = 0; i < NNODES; i++)
		if (strcasecmp(nodes[i].rel, rel) == 0)
			return &nodes[i];
	return NULL;
}

/* Strips the full-path prefix, checking the tenant segment; NULL if foreign. */
static const char *relative(const char *tenant_id, const char *node)
{
	const char *p = node, *slash;
	size_t tl;

	if (strncasecmp(p, CT_POLICY_PREFIX, strlen(CT_POLICY_PREFIX)) != 0)
		return p;
	p += strlen(CT_POLICY_PREFIX);
	slash = strchr(p, '/');
	if (slash == NULL)
		return NULL;
	tl = (size_t)(slash - p);
	if (!(tl == strlen("{TenantId}") && strncasecmp(p, "{TenantId}", tl) == 0) &&
	    !(tl == strlen(tenant_id) && strncasecmp(p, tenant_id, tl) == 0))
		return NULL;
	p = slash + 1;
	if (strncasecmp(p, "Policies/", 9) != 0)
		return NULL;
	return p + 9;
}

static int canon_value(const struct node *n, const char *v, char *out, size_t len)
{
	char *end;
	long x;

	if (n->type == NODE_BOOL) {
		if (strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0)
			snprintf(out, len, "true");
		else if (strcasecmp(v, "false") == 0 || strcmp(v, "0") == 0)
			snprintf(out, len, "false");
		else
			return CT_ERR_BAD_VALUE;
		return 0;
	}
	x = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || x < n->min || x > n->max)
		return CT_ERR_BAD_VALUE;
	snprintf(out, len, "%ld", x);
	return 0;
}

int ct_policy_normalise(const char *tenant_id, const char *node, const char *value,
			char *node_out, size_t node_len, char *value_out,
			size_t value_len, struct ct_errinfo *ei)
{
	const char *rel = relative(tenant_id, node);
	const struct node *n = rel ? node_find(rel) : NULL;

	if (n == NULL)
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "unknown policy node \"%s\"", node);
	snprintf(node_out, node_len, CT_POLICY_PREFIX "%s/Policies/%s", tenant_id, n->rel);
	if (value == NULL)
		return 0;
	if (canon_value(n, value, value_out, value_len) != 0) {
		if (n->type == NODE_BOOL)
			return ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "%s takes true or false", n->rel);
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "%s takes an integer %ld..%ld",
				      n->rel, n->min, n->max);
	}
	return 0;
}

json_t *ct_policy_effective(struct ct_worker *w, struct ct_arena *a, int64_t user_id)
{
	struct ct_store_policy *ps = NULL;
	size_t n = 0, i;
	json_t *out = json_object();
	char full[512];
	const char *minv, *maxv;
	int r;

	if (out == NULL)
		return NULL;
	for (i = 0; i < NNODES; i++) {
		snprintf(full, sizeof(full), CT_POLICY_PREFIX "%s/Policies/%s", w->app->tenant_id,
			 nodes[i].rel);
		json_object_set_new(out, full, json_string(nodes[i].def));
	}
	r = user_id != 0 ? ct_store_policy_effective_for_user(w->store, a, user_id, &ps, &n, NULL)
			 : ct_store_policy_list(w->store, a, &ps, &n, NULL);
	if (r != 0) {
		json_decref(out);
		return NULL;
	}
	for (i = 0; i < n; i++)
		if (user_id != 0 || ps[i].group_id == CT_STORE_SCOPE_ALL)
			json_object_set_new(out, ps[i].node, json_string(ps[i].value));
	/* MS: an invalid min/max pair falls back to the defaults. */
	snprintf(full, sizeof(full), CT_POLICY_PREFIX "%s/Policies/", w->app->tenant_id);
	{
		char kmin[600], kmax[600];

		snprintf(kmin, sizeof(kmin), "%sPINComplexity/MinimumPINLength", full);
		snprintf(kmax, sizeof(kmax), "%sPINComplexity/MaximumPINLength", full);
		minv = json_string_value(json_object_get(out, kmin));
		maxv = json_string_value(json_object_get(out, kmax));
		if (minv && maxv && atol(minv) > atol(maxv)) {
			json_object_set_new(out, kmin, json_string("4"));
			json_object_set_new(out, kmax, json_string("127"));
		}
	}
	return out;
}

int ct_policy_admin_set(struct ct_http_request *req, struct ct_http_response *resp,
			bool remove)
{
	struct ct_worker *w = ct_svc_worker(req);
	struct ct_errinfo ei = {0};
	struct ct_store_group g;
	json_t *body = NULL;
	const char *node = NULL, *value = NULL, *group = NULL;
	char full[512], canon[64];
	int64_t gid = CT_STORE_SCOPE_ALL;
	int r;

	if (ct_svc_json_body(req, resp, &body) != 0)
		return 0;
	if (ct_json_get_str(body, "node", &node, NULL) != 0 ||
	    (!remove && ct_json_get_str(body, "value", &value, NULL) != 0)) {
		r = ct_svc_bad_request(resp, remove ? "node is required" : "node and value are required");
		goto out;
	}
	if (ct_policy_normalise(w->app->tenant_id, node, value, full, sizeof(full), canon,
				sizeof(canon), &ei) != 0) {
		r = ct_svc_bad_request(resp, ei.msg);
		goto out;
	}
	if (ct_json_get_str(body, "group", &group, NULL) == 0) {
		if (ct_store_group_get_by_name(w->store, req->arena, group, &g, &ei) != 0) {
			r = ct_http_oauth_error(resp, 404, "not_found", "no such group", CT_CODE_NOT_FOUND);
			goto out;
		}
		gid = g.id;
	}
	r = remove ? ct_store_policy_remove(w->store, full, gid, &ei)
		   : ct_store_policy_set(w->store, full, canon, gid, &ei);
	if (r == CT_ERR_NOT_FOUND) {
		r = ct_http_oauth_error(resp, 404, "not_found", "no such policy value", CT_CODE_NOT_FOUND);
		goto out;
	}
	if (r != 0) {
		r = ct_svc_internal(req, resp, &ei);
		goto out;
	}
	{
		struct ct_audit_ev ev = {"admin", NULL, remove ? "policy.remove" : "policy.set",
					 "change", group, full};

		ct_audit(req, &ev);
	}
	r = remove ? ct_http_text(resp, 204, "")
		   : ct_http_json(resp, 200, json_pack("{s:s, s:s, s:s?}", "node", full,
						       "value", canon, "group", group));
out:
	json_decref(body);
	return r;
}
