/* SPDX-License-Identifier: Apache-2.0 */
/* group add, list, member add, member remove. */
#include "adm-api.h"

static const struct adm_column group_cols[] = {
	{"Name", "name", NULL},
	{"ID", "id", NULL},
	{"Members", "members", NULL},
};
static const struct adm_view group_view = ADM_VIEW(NULL, group_cols);
static const struct adm_view group_list_view = ADM_VIEW("groups", group_cols);

const struct adm_command adm_cmds_group[] = {
	{"group add", 1, NULL, "NAME", "create a group",
	 ADM_SIMPLE("POST", "/admin/v1/groups", "name", 0, &group_view)},
	{"group list", 0, NULL, "", "list the groups and their members",
	 ADM_SIMPLE("GET", "/admin/v1/groups", NULL, 0, &group_list_view)},
	{"group member add", 2, NULL, "NAME UPN", "add a user to a group",
	 ADM_SIMPLE("POST", "/admin/v1/groups/%s/members/add", "upn", 1, &group_view)},
	{"group member remove", 2, NULL, "NAME UPN", "remove a user from a group",
	 ADM_SIMPLE("POST", "/admin/v1/groups/%s/members/remove", "upn", 1, &group_view)},
	{NULL, 0, NULL, NULL, NULL, NULL, NULL},
};
