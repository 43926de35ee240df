/* SPDX-License-Identifier: Apache-2.0 */
/* The command's top level: defaults, parsing, dispatch, error reporting. */
#include "adm.h"

#include <string.h>

#include "ad-ldap.h"
#include "adm-api.h"
#include "adm-args.h"
#include "adm-http.h"

#ifndef CT_ADMIN_VERSION
#define CT_ADMIN_VERSION "unknown"
#endif

#define ADM_DEFAULT_SERVER "https://127.0.0.1:8443"
#define ADM_DEFAULT_TOKEN_FILE "/var/lib/cloudtrust/admin.token"
#define ADM_DEFAULT_CACERT "/var/lib/cloudtrust/tls/ca.pem"
#define ADM_DEFAULT_TIMEOUT_S 30

const struct adm_command *const adm_command_groups[] = {
	adm_cmds_tenant, adm_cmds_user, adm_cmds_group, adm_cmds_device,
	adm_cmds_policy, adm_cmds_kerberos, adm_cmds_audit, NULL,
};

int adm_exit_status(int err)
{
	switch (err) {
	case 0: return ADM_EXIT_OK;
	case CT_ERR_USAGE: return ADM_EXIT_USAGE;
	case CT_ERR_NOT_FOUND: return ADM_EXIT_NOT_FOUND;
	case CT_ERR_CONFLICT: return ADM_EXIT_CONFLICT;
	case CT_ERR_UNAUTHORIZED: return ADM_EXIT_UNAUTHORIZED;
	default: return ADM_EXIT_ERROR;
	}
}

static const char *env_or(const struct adm_io *io, const char *name, const char *def)
{
	const char *v = io->getenv != NULL ? io->getenv(name) : NULL;

	return v != NULL && v[0] != '\0' ? v : def;
}

/* Prints the error once; usage errors get the command's usage line. */
static int report(const struct adm_io *io, const struct adm_args *a, int r,
		  const struct ct_errinfo *ei)
{
	fprintf(io->err, "cloudtrust-admin: %s\n",
		ei->msg[0] != '\0' ? ei->msg : ct_strerror(r));
	if (r == CT_ERR_UNAUTHORIZED &&
	    strncmp(ei->msg, AD_LDAP_BIND_STEP, strlen(AD_LDAP_BIND_STEP)) != 0)
		fputs("cloudtrust-admin: is the token file the one this server made?\n",
		      io->err);
	if (r == CT_ERR_USAGE) {
		if (a->cmd != NULL || a->group != NULL)
			adm_usage(io->err, adm_command_groups, a->cmd, a->group);
		else
			fputs("run \"cloudtrust-admin --help\" for the commands\n",
			      io->err);
	}
	return adm_exit_status(r);
}

int adm_main(int argc, char **argv, const struct adm_io *io)
{
	struct ct_errinfo ei = {0};
	struct adm_ctx c = {.io = io};
	struct adm_args a;
	int r;

	c.g.server = env_or(io, "CLOUDTRUST_SERVER", ADM_DEFAULT_SERVER);
	c.g.token_file = env_or(io, "CLOUDTRUST_ADMIN_TOKEN_FILE", ADM_DEFAULT_TOKEN_FILE);
	c.g.cacert = env_or(io, "CLOUDTRUST_CACERT", ADM_DEFAULT_CACERT);
	c.g.timeout_s = ADM_DEFAULT_TIMEOUT_S;
	r = adm_args_parse(argc, argv, adm_command_groups, &c.g, &a, &ei);
	if (r != 0)
		return report(io, &a, r, &ei);
	if (c.g.help) {
		adm_usage(io->out, adm_command_groups, a.cmd, a.group);
		return ADM_EXIT_OK;
	}
	if (c.g.version) {
		fprintf(io->out, "cloudtrust-admin %s\n", CT_ADMIN_VERSION);
		return ADM_EXIT_OK;
	}
	if (adm_url_check(c.g.server, &ei) != 0)
		return report(io, &a, CT_ERR_USAGE, &ei);
	if (adm_url_is_plain_http(c.g.server))
		fprintf(io->err, "cloudtrust-admin: warning: %s is plain HTTP: the admin "
			"token and any secrets cross the network unencrypted (tests "
			"only)\n", c.g.server);
	r = a.cmd->run(&c, &a, &ei);
	adm_ctx_close(&c);
	if (fflush(io->out) != 0 && r == 0)
		r = ct_errinfo_set(&ei, CT_ERR_IO, "cannot write the output");
	return r != 0 ? report(io, &a, r, &ei) : ADM_EXIT_OK;
}
