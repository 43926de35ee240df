/* SPDX-License-Identifier: Apache-2.0 */
/* audit show. */
#include <string.h>

#include "adm-api.h"
#include "adm-args.h"
#include "ct-limits.h"

/* Largest --limit; the server may return fewer. */
#define AUDIT_MAX_LIMIT 100000

static const struct adm_column event_cols[] = {
	{"At", "at", adm_cell_time},
	{"Actor", "actor", NULL},
	{"Action", "action", NULL},
	{"Outcome", "outcome", NULL},
	{"Reason", "reason", NULL},
	{"Device", "device", NULL},
	{"Source", "source", NULL},
	{"Detail", "detail", NULL},
};
static const struct adm_view event_view = ADM_VIEW("events", event_cols);

static int run_show(struct adm_ctx *c, const struct adm_args *a, struct ct_errinfo *ei)
{
	static const char *const params[] = {"limit", "actor", "action"};
	const char *args[ADM_PATH_MAX_ARGS];
	char fmt[128] = "/admin/v1/audit", path[CT_ADMIN_MAX_URL];
	unsigned long limit;
	size_t i, n = 0;
	int r;

	if (adm_arg(a, "limit") != NULL) {
		r = adm_arg_ulong(a, "limit", 1, AUDIT_MAX_LIMIT, &limit, ei);
		if (r != 0)
			return r;
	}
	for (i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
		const char *v = adm_arg(a, params[i]);

		if (v == NULL)
			continue;
		snprintf(fmt + strlen(fmt), sizeof(fmt) - strlen(fmt), "%c%s=%%s",
			 n == 0 ? '?' : '&', params[i]);
		args[n++] = v;
	}
	r = adm_path_args(path, sizeof(path), ei, fmt, args, n);
	if (r != 0)
		return r;
	return adm_call_show(c, "GET", path, NULL, &event_view, ei);
}

static const struct adm_opt show_opts[] = {
	{"limit", "N"}, {"actor", "UPN"}, {"action", "ACTION"}, {NULL, NULL},
};

const struct adm_command adm_cmds_audit[] = {
	{"audit show", 0, show_opts, "[--limit N] [--actor UPN] [--action ACTION]",
	 "show audit events, newest first", run_show, NULL},
	{NULL, 0, NULL, NULL, NULL, NULL, NULL},
};
