/* SPDX-License-Identifier: Apache-2.0 */
/* tenant init (local), tenant show, tenant domain add. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "adm-api.h"
#include "adm-args.h"

static const struct adm_column tenant_cols[] = {
	{"ID", "id", NULL},
	{"Name", "name", NULL},
	{"Domains", "domains", NULL},
	{"Created", "created", adm_cell_time},
};
static const struct adm_view tenant_view = ADM_VIEW(NULL, tenant_cols);

static const struct adm_opt init_opts[] = {
	{"state-dir", "DIR"},
	{"tenant-name", "NAME"},
	{"domain", "DNS"},
	{"listen", "ADDR:PORT"},
	{"issuer-url", "URL"},
	{NULL, NULL},
};

/*
 * A tenant is born on the service's own machine, with its master key: this
 * runs `cloudtrustd init` there ($CLOUDTRUSTD or cloudtrustd from PATH) and
 * passes its exit status on.
 */
static int run_init(struct adm_ctx *c, const struct adm_args *a, struct ct_errinfo *ei)
{
	static const char *const keys[] = {"state-dir", "tenant-name", "domain", "listen",
					   "issuer-url"};
	const char *argv[2 + 2 * 5 + 1], *prog = getenv("CLOUDTRUSTD");
	size_t i, n = 0;
	pid_t pid;
	int st;

	(void)c;
	if (adm_arg(a, "state-dir") == NULL || adm_arg(a, "tenant-name") == NULL)
		return ct_errinfo_set(ei, CT_ERR_USAGE,
				      "tenant init needs --state-dir and --tenant-name");
	prog = prog != NULL ? prog : "cloudtrustd";
	argv[n++] = prog;
	argv[n++] = "init";
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		static char opt[5][16];
		const char *v = adm_arg(a, keys[i]);

		if (v == NULL)
			continue;
		snprintf(opt[i], sizeof(opt[i]), "--%s", keys[i]);
		argv[n++] = opt[i];
		argv[n++] = v;
	}
	argv[n] = NULL;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return ct_errinfo_set(ei, CT_ERR_IO, "cannot start %s: %s", prog, strerror(errno));
	if (pid == 0) {
		execvp(prog, (char *const *)argv);
		fprintf(stderr, "cloudtrust-admin: cannot run %s: %s\n", prog, strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return ct_errinfo_set(ei, CT_ERR_REFUSED, "%s init failed (see above)", prog);
	return 0;
}

const struct adm_command adm_cmds_tenant[] = {
	{"tenant init", 0, init_opts,
	 "--state-dir DIR --tenant-name NAME [--domain DNS] [--listen ADDR:PORT] [--issuer-url URL]",
	 "on the service's machine: create a tenant (runs cloudtrustd init)", run_init, NULL},
	{"tenant show", 0, NULL, "", "show the tenant: id, name, DNS domains",
	 ADM_SIMPLE("GET", "/admin/v1/tenant", NULL, 0, &tenant_view)},
	{"tenant domain add", 1, NULL, "DNS", "add a DNS domain (UPN suffix) to the tenant",
	 ADM_SIMPLE("POST", "/admin/v1/tenant/domains", "domain", 0, &tenant_view)},
	{NULL, 0, NULL, NULL, NULL, NULL, NULL},
};
