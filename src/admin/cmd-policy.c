/* SPDX-License-Identifier: Apache-2.0 */
/* policy set, assign, get, list, remove. */
#include "cmd-policy.h"

#include <string.h>
#include <strings.h>

#include "adm-api.h"
#include "adm-args.h"
#include "ct-limits.h"

const char *adm_policy_node_relative(const char *node)
{
	static const char base[] = "Device/Vendor/MSFT/PassportForWork/";
	static const char policies[] = "/Policies/";
	const char *p = node;
	size_t tenant;

	if (strncmp(p, "./", 2) == 0)
		p += 2;
	if (strncasecmp(p, base, sizeof(base) - 1) != 0)
		return node;
	p += sizeof(base) - 1;
	tenant = strcspn(p, "/");
	if (tenant == 0 || strncasecmp(p + tenant, policies, sizeof(policies) - 1) != 0 ||
	    p[tenant + sizeof(policies) - 1] == '\0')
		return node;
	return p + tenant + sizeof(policies) - 1;
}

static void cell_node(const json_t *v, char *buf, size_t n)
{
	if (json_is_string(v))
		snprintf(buf, n, "%s", adm_policy_node_relative(json_string_value(v)));
	else
		adm_cell_auto(v, buf, n);
}

/* A value without a group applies to every device. */
static void cell_scope(const json_t *v, char *buf, size_t n)
{
	if (v == NULL || json_is_null(v))
		snprintf(buf, n, "(all devices)");
	else
		adm_cell_auto(v, buf, n);
}

static const struct adm_column policy_cols[] = {
	{"Node", "node", cell_node},
	{"Value", "value", NULL},
	{"Group", "group", cell_scope},
};
static const struct adm_view policy_view = ADM_VIEW(NULL, policy_cols);
static const struct adm_view policy_list_view = ADM_VIEW("policies", policy_cols);

/* policy set (group optional) and policy assign (group required). */
static int run_set(struct adm_ctx *c, const struct adm_args *a, struct ct_errinfo *ei)
{
	const char *group = adm_arg(a, "group");
	json_t *body;
	int r;

	if (group == NULL && a->cmd->data != NULL)
		return ct_errinfo_set(ei, CT_ERR_USAGE, "%s needs --group NAME",
				      a->cmd->words);
	body = adm_pack(ei, "{s:s, s:s, s:s*}", "node", a->pos[0], "value", a->pos[1],
			"group", group);
	if (body == NULL)
		return CT_ERR_USAGE;
	r = adm_call_show(c, "PUT", "/admin/v1/policies", body, &policy_view, ei);
	json_decref(body);
	return r;
}

/* The values set for one node, for every scope; none is "not found". */
static int run_get(struct adm_ctx *c, const struct adm_args *a, struct ct_errinfo *ei)
{
	const char *want = adm_policy_node_relative(a->pos[0]);
	json_t *reply = NULL, *match = NULL, *list, *e;
	size_t i;
	int r;

	r = adm_call(c, "GET", "/admin/v1/policies", NULL, &reply, ei);
	if (r != 0)
		goto out;
	list = json_object_get(reply, "policies");
	match = json_pack("{s:[]}", "policies");
	if (!json_is_array(list) || match == NULL) {
		r = ct_errinfo_set(ei, CT_ERR_BAD_JSON,
				   "the reply has no \"policies\" list");
		goto out;
	}
	json_array_foreach(list, i, e) {
		const char *node = json_string_value(json_object_get(e, "node"));

		if (node != NULL && strcasecmp(adm_policy_node_relative(node), want) == 0 &&
		    json_array_append(json_object_get(match, "policies"), e) != 0) {
			r = CT_ERR_NOMEM;
			goto out;
		}
	}
	if (json_array_size(json_object_get(match, "policies")) == 0) {
		r = ct_errinfo_set(ei, CT_ERR_NOT_FOUND,
				   "no value is set for %s (the device default applies)",
				   want);
		goto out;
	}
	if (c->g.json)
		r = adm_print_json(c->io->out, match, ei);
	else
		r = adm_print_view(c->io->out, c->io->color, match, &policy_list_view, ei);
out:
	json_decref(match);
	json_decref(reply);
	return r;
}

static int run_remove(struct adm_ctx *c, const struct adm_args *a, struct ct_errinfo *ei)
{
	const char *group = adm_arg(a, "group");
	json_t *body, *reply = NULL;
	int r;

	body = adm_pack(ei, "{s:s, s:s*}", "node", a->pos[0], "group", group);
	if (body == NULL)
		return CT_ERR_USAGE;
	r = adm_call(c, "POST", "/admin/v1/policies/remove", body, &reply, ei);
	if (r == 0 && !c->g.json)
		fprintf(c->io->out, "removed %s for %s%s\n", a->pos[0],
			group != NULL ? "group " : "all devices",
			group != NULL ? group : "");
	json_decref(reply);
	json_decref(body);
	return r;
}

static const struct adm_opt group_opts[] = {{"group", "NAME"}, {NULL, NULL}};
static const int assign = 1;

const struct adm_command adm_cmds_policy[] = {
	{"policy set", 2, group_opts, "NODE VALUE [--group NAME]",
	 "set a policy value for every device, or for a group's users", run_set, NULL},
	{"policy assign", 2, group_opts, "NODE VALUE --group NAME",
	 "set a policy value for a group's users", run_set, &assign},
	{"policy get", 1, NULL, "NODE", "show the values set for one node", run_get, NULL},
	{"policy list", 0, NULL, "", "list the policy values set",
	 ADM_SIMPLE("GET", "/admin/v1/policies", NULL, 0, &policy_list_view)},
	{"policy remove", 1, group_opts, "NODE [--group NAME]",
	 "remove a policy value (the device default applies again)", run_remove, NULL},
	{NULL, 0, NULL, NULL, NULL, NULL, NULL},
};
