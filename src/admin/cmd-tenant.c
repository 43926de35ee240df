/* SPDX-License-Identifier: Apache-2.0 */
/* tenant show, tenant domain add. */
#include "adm-api.h"

static const struct adm_column tenant_cols[] = {
	{"ID", "id", NULL},
	{"Name", "name", NULL},
	{"Domains", "domains", NULL},
	{"Created", "created", adm_cell_time},
};
static const struct adm_view tenant_view = ADM_VIEW(NULL, tenant_cols);

const struct adm_command adm_cmds_tenant[] = {
	{"tenant show", 0, NULL, "", "show the tenant: id, name, DNS domains",
	 ADM_SIMPLE("GET", "/admin/v1/tenant", NULL, 0, &tenant_view)},
	{"tenant domain add", 1, NULL, "DNS", "add a DNS domain (UPN suffix) to the tenant",
	 ADM_SIMPLE("POST", "/admin/v1/tenant/domains", "domain", 0, &tenant_view)},
	{NULL, 0, NULL, NULL, NULL, NULL, NULL},
};
