/* SPDX-License-Identifier: Apache-2.0 */
/* user add, show, list, disable, enable, password, set-onprem, clear-onprem, mfa enroll. */
#include <string.h>

#include "adm-api.h"
#include "adm-args.h"
#include "adm-secret.h"
#include "ct-limits.h"
#include "ct-secret.h"

static const struct adm_column user_cols[] = {
	{"UPN", "upn", NULL},
	{"Display name", "display_name", NULL},
	{"ID", "id", NULL},
	{"Enabled", "enabled", NULL},
	{"MFA enrolled", "mfa_enrolled", NULL},
	{"Groups", "groups", NULL},
	{"On-prem account", "onprem.sam_account_name", NULL},
	{"On-prem domain", "onprem.domain_name", NULL},
	{"On-prem SID", "onprem.sid", NULL},
	{"On-prem UPN", "onprem.upn", NULL},
	{"Created", "created", adm_cell_time},
};
static const struct adm_view user_view = ADM_VIEW(NULL, user_cols);

static const struct adm_column user_list_cols[] = {
	{"UPN", "upn", NULL},
	{"Display name", "display_name", NULL},
	{"Enabled", "enabled", NULL},
	{"MFA", "mfa_enrolled", NULL},
	{"On-prem account", "onprem.sam_account_name", NULL},
	{"On-prem domain", "onprem.domain_name", NULL},
	{"Groups", "groups", NULL},
};
static const struct adm_view user_list_view = ADM_VIEW("users", user_list_cols);

/* The password from exactly one of --password-file and --password-stdin. */
static int read_password(struct adm_ctx *c, const struct adm_args *a,
			 char **out, struct ct_errinfo *ei)
{
	const char *file = adm_arg(a, "password-file");

	if ((file != NULL) == adm_arg_flag(a, "password-stdin"))
		return ct_errinfo_set(ei, CT_ERR_USAGE,
				      "%s: give one of --password-file FILE and "
				      "--password-stdin", a->cmd->words);
	if (file != NULL)
		return adm_password_read_file(file, out, ei);
	return adm_password_read_stream(c->io, a->pos[0], out, ei);
}

/* Adds the password to body (which it consumes), posts it to path, prints the user. */
static int post_with_password(struct adm_ctx *c, const struct adm_args *a,
			      const char *path, json_t *body, struct ct_errinfo *ei)
{
	char *password = NULL;
	int r;

	r = read_password(c, a, &password, ei);
	if (r == 0 && json_object_set_new(body, "password", json_string(password)) != 0)
		r = ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "the password must be UTF-8 text");
	if (r == 0)
		r = adm_call_show(c, "POST", path, body, &user_view, ei);
	json_decref(body);
	ct_erase_free_str(password);
	return r;
}

static int run_add(struct adm_ctx *c, const struct adm_args *a, struct ct_errinfo *ei)
{
	json_t *body = adm_pack(ei, "{s:s, s:s*}", "upn", a->pos[0], "display_name",
				adm_arg(a, "display-name"));

	if (body == NULL)
		return CT_ERR_USAGE;
	return post_with_password(c, a, "/admin/v1/users", body, ei);
}

static int run_password(struct adm_ctx *c, const struct adm_args *a, struct ct_errinfo *ei)
{
	char path[CT_ADMIN_MAX_URL];
	json_t *body;
	int r;

	r = adm_path(path, sizeof(path), ei, "/admin/v1/users/%s/password", a->pos[0]);
	if (r != 0)
		return r;
	body = json_object();
	if (body == NULL)
		return CT_ERR_NOMEM;
	return post_with_password(c, a, path, body, ei);
}

static int run_set_onprem(struct adm_ctx *c, const struct adm_args *a,
			  struct ct_errinfo *ei)
{
	const char *sam = adm_arg(a, "sam"), *domain = adm_arg(a, "domain");
	const char *sid = adm_arg(a, "sid");
	char path[CT_ADMIN_MAX_URL];
	json_t *body;
	int r;

	if (sam == NULL || domain == NULL || sid == NULL)
		return ct_errinfo_set(ei, CT_ERR_USAGE,
				      "user set-onprem needs --sam, --domain and --sid");
	r = adm_path(path, sizeof(path), ei, "/admin/v1/users/%s/onprem", a->pos[0]);
	if (r != 0)
		return r;
	body = adm_pack(ei, "{s:s, s:s, s:s, s:s*}", "sam_account_name", sam,
			"domain_name", domain, "sid", sid, "upn", adm_arg(a, "onprem-upn"));
	if (body == NULL)
		return CT_ERR_USAGE;
	r = adm_call_show(c, "PUT", path, body, &user_view, ei);
	json_decref(body);
	return r;
}

/* Prints the otpauth:// URI (the secret is in it: shown this once). */
static int run_mfa_enroll(struct adm_ctx *c, const struct adm_args *a,
			  struct ct_errinfo *ei)
{
	char path[CT_ADMIN_MAX_URL], *uri = NULL;
	json_t *reply = NULL;
	const char *s;
	int r;

	r = adm_path(path, sizeof(path), ei, "/admin/v1/users/%s/mfa", a->pos[0]);
	if (r == 0)
		r = adm_call(c, "POST", path, NULL, &reply, ei);
	if (r != 0)
		goto out;
	if (c->g.json) {
		r = adm_print_json(c->io->out, reply, ei);
		goto out;
	}
	s = json_string_value(json_object_get(reply, "otpauth_uri"));
	if (s == NULL || strncmp(s, "otpauth://", 10) != 0) {
		r = ct_errinfo_set(ei, CT_ERR_BAD_JSON, "the reply has no otpauth:// URI");
		goto out;
	}
	uri = strdup(s);
	if (uri == NULL) {
		r = CT_ERR_NOMEM;
		goto out;
	}
	adm_sanitize(uri);
	fprintf(c->io->out, "%s\n", uri);
	fputs("Give this URI (or a QR code of it) to the user's authenticator app; "
	      "it holds the TOTP secret and is not shown again.\n", c->io->err);
out:
	ct_erase_free_str(uri);
	json_decref(reply);
	return r;
}

static const struct adm_opt add_opts[] = {
	{"display-name", "NAME"}, {"password-file", "FILE"}, {"password-stdin", NULL},
	{NULL, NULL},
};
static const struct adm_opt password_opts[] = {
	{"password-file", "FILE"}, {"password-stdin", NULL}, {NULL, NULL},
};
static const struct adm_opt onprem_opts[] = {
	{"sam", "NAME"}, {"domain", "DNS"}, {"sid", "SID"}, {"onprem-upn", "UPN"},
	{NULL, NULL},
};

const struct adm_command adm_cmds_user[] = {
	{"user add", 1, add_opts,
	 "UPN [--display-name NAME] (--password-file FILE | --password-stdin)",
	 "create a user", run_add, NULL},
	{"user show", 1, NULL, "UPN", "show a user",
	 ADM_SIMPLE("GET", "/admin/v1/users/%s", NULL, 0, &user_view)},
	{"user list", 0, NULL, "", "list the users",
	 ADM_SIMPLE("GET", "/admin/v1/users", NULL, 0, &user_list_view)},
	{"user disable", 1, NULL, "UPN", "disable a user: no sign-in, no new tickets",
	 ADM_SIMPLE("POST", "/admin/v1/users/%s/disable", NULL, 0, &user_view)},
	{"user enable", 1, NULL, "UPN", "enable a user again",
	 ADM_SIMPLE("POST", "/admin/v1/users/%s/enable", NULL, 0, &user_view)},
	{"user password", 1, password_opts, "UPN (--password-file FILE | --password-stdin)",
	 "set a user's password", run_password, NULL},
	{"user set-onprem", 1, onprem_opts,
	 "UPN --sam NAME --domain DNS --sid SID [--onprem-upn UPN]",
	 "link a user to an Active Directory account (needed for partial TGTs)",
	 run_set_onprem, NULL},
	{"user clear-onprem", 1, NULL, "UPN", "remove a user's Active Directory link",
	 ADM_SIMPLE("DELETE", "/admin/v1/users/%s/onprem", NULL, 0, &user_view)},
	{"user mfa enroll", 1, NULL, "UPN",
	 "make a new TOTP secret for a user and print its otpauth:// URI",
	 run_mfa_enroll, NULL},
	{NULL, 0, NULL, NULL, NULL, NULL, NULL},
};
