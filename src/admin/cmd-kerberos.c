/* SPDX-License-Identifier: Apache-2.0 */
/* kerberos-server publish, get, list, remove. */
#include <limits.h>
#include <unistd.h>

#include "adm-api.h"
#include "adm-args.h"
#include "adm-secret.h"
#include "ct-limits.h"
#include "ks-ad.h"
#include "ks-state.h"

static const struct adm_column ks_cols[] = {
	{"Domain", "domain", NULL},
	{"Realm", "realm", NULL},
	{"RODC number", "rodc_number", NULL},
	{"Display name", "display_name", NULL},
	{"Key version", "primary.key_version", NULL},
	{"Enctype", "primary.enctype", NULL},
	{"Fingerprint", "primary.fingerprint", NULL},
	{"Previous key version", "secondary.key_version", NULL},
	{"Previous fingerprint", "secondary.fingerprint", NULL},
	{"Key updated", "key_updated_on", adm_cell_time},
	{"Key updated from", "key_updated_from", NULL},
};
static const struct adm_view ks_view = ADM_VIEW(NULL, ks_cols);

static const struct adm_column ks_list_cols[] = {
	{"Domain", "domain", NULL},
	{"Realm", "realm", NULL},
	{"RODC", "rodc_number", NULL},
	{"Key version", "primary.key_version", NULL},
	{"Enctype", "primary.enctype", NULL},
	{"Previous", "secondary.key_version", NULL},
	{"Key updated", "key_updated_on", adm_cell_time},
};
static const struct adm_view ks_list_view = ADM_VIEW("kerberos_servers", ks_list_cols);

/* msDS-SecondaryKrbTgtNumber and the key version are 16-bit (kvno = N << 16 | V). */
#define KS_MAX_RODC 65535
#define KS_MAX_KEY_VERSION 65535

int ks_publish(struct adm_ctx *c, const struct ks_pub *p, struct ct_errinfo *ei)
{
	char path[CT_ADMIN_MAX_URL], host[HOST_NAME_MAX + 1];
	const char *from = p->updated_from;
	json_t *body;
	int r;

	r = adm_path(path, sizeof(path), ei, "/admin/v1/kerberos-servers/%s", p->domain);
	if (r != 0)
		return r;
	if (from == NULL && gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = '\0';
		from = host;
	}
	body = adm_pack(ei, "{s:s, s:I, s:s*, s:s*, s:{s:i, s:I, s:s}}",
			"realm", p->realm, "rodc_number", (json_int_t)p->rodc,
			"display_name", p->display_name, "updated_from", from,
			"key", "enctype", (int)p->enctype, "key_version",
			(json_int_t)p->key_version, "key_hex", p->key_hex);
	r = body != NULL ? adm_call_show(c, "PUT", path, body, &ks_view, ei) : CT_ERR_USAGE;
	json_decref(body);
	return r;
}

static int run_publish(struct adm_ctx *c, const struct adm_args *a, struct ct_errinfo *ei)
{
	struct ks_pub p = {
		.domain = adm_arg(a, "domain"), .realm = adm_arg(a, "realm"),
		.display_name = adm_arg(a, "display-name"),
		.updated_from = adm_arg(a, "updated-from"),
	};
	const char *key_file = adm_arg(a, "key-file");
	unsigned long enctype = 0;
	struct adm_key key = {0};
	int r;

	if (p.domain == NULL || p.realm == NULL || key_file == NULL)
		return ct_errinfo_set(ei, CT_ERR_USAGE,
				      "kerberos-server publish needs --domain, --realm, "
				      "--rodc, --key-file and --key-version");
	r = adm_arg_ulong(a, "rodc", 1, KS_MAX_RODC, &p.rodc, ei);
	if (r == 0)
		r = adm_arg_ulong(a, "key-version", 1, KS_MAX_KEY_VERSION, &p.key_version, ei);
	if (r == 0 && adm_arg(a, "enctype") != NULL)
		r = adm_arg_ulong(a, "enctype", 1, INT32_MAX, &enctype, ei);
	if (r == 0)
		r = adm_key_read(key_file, (int32_t)enctype, &key, ei);
	if (r != 0)
		return r;
	p.enctype = key.enctype;
	p.key_hex = key.hex;
	r = ks_publish(c, &p, ei);
	adm_key_clear(&key);
	return r;
}

static const struct adm_opt publish_opts[] = {
	{"domain", "DNS"}, {"realm", "REALM"}, {"rodc", "N"}, {"key-file", "FILE"},
	{"key-version", "V"}, {"enctype", "ENCTYPE"}, {"display-name", "NAME"},
	{"updated-from", "HOST"}, {NULL, NULL},
};
static const struct adm_opt ad_opts[] = {
	{"dc", "HOST"}, {"dc-cacert", "FILE"}, {"bind-dn", "DN"},
	{"bind-password-file", "FILE"}, {"bind-password-stdin", NULL}, {"kerberos", NULL},
	{"name", "NAME"},
	{NULL, NULL},
};
static const struct adm_opt remove_opts[] = {
	{"yes", NULL}, {"dc", "HOST"}, {"dc-cacert", "FILE"}, {"bind-dn", "DN"},
	{"bind-password-file", "FILE"}, {"bind-password-stdin", NULL}, {"kerberos", NULL},
	{"name", "NAME"},
	{NULL, NULL},
};
static const struct adm_opt set_opts[] = {
	{"domain", "DNS"}, {"dc", "HOST"}, {"dc-cacert", "FILE"}, {"bind-dn", "DN"},
	{"bind-password-file", "FILE"}, {"bind-password-stdin", NULL}, {"kerberos", NULL},
	{"name", "NAME"},
	{"samba-conf", "FILE"}, {"key-source", "SOURCE"}, {"rotate-key", NULL},
	{"force", NULL}, {NULL, NULL},
};
static const struct adm_opt rotate_opts[] = {
	{"domain", "DNS"}, {"dc", "HOST"}, {"dc-cacert", "FILE"}, {"bind-dn", "DN"},
	{"bind-password-file", "FILE"}, {"bind-password-stdin", NULL}, {"kerberos", NULL},
	{"name", "NAME"},
	{"samba-conf", "FILE"}, {"key-source", "SOURCE"}, {"force", NULL}, {NULL, NULL},
};

const struct adm_command adm_cmds_kerberos[] = {
	{"kerberos-server publish", 0, publish_opts,
	 "--domain DNS --realm REALM --rodc N --key-file FILE --key-version V\n"
	 "        [--enctype 18] [--display-name NAME] [--updated-from HOST]",
	 "publish an AD domain's Kerberos server object and its key (a new key version "
	 "keeps the previous key as the secondary)", run_publish, NULL},
	{"kerberos-server set", 0, set_opts,
	 "--domain DNS --dc HOST [--dc-cacert FILE] --bind-dn DN\n"
	 "        (--bind-password-file FILE | --bind-password-stdin | --kerberos) [--name NAME]\n"
	 "        [--samba-conf FILE] [--key-source samba|windows] [--rotate-key [--force]]",
	 "create or complete the AD Kerberos server object over LDAPS, learn its key "
	 "and publish it (changes only what is missing); --rotate-key rotates after",
	 ks_run_set, NULL},
	{"kerberos-server rotate", 0, rotate_opts,
	 "--domain DNS --dc HOST [--dc-cacert FILE] --bind-dn DN\n"
	 "        (--bind-password-file FILE | --bind-password-stdin | --kerberos) [--name NAME]\n"
	 "        [--samba-conf FILE] [--key-source samba|windows] [--force]",
	 "give krbtgt_N a new key in AD, then publish it as the cloud's primary (the "
	 "previous key stays as secondary); refused within 24 hours unless --force",
	 ks_run_rotate, NULL},
	{"kerberos-server get", 1, ad_opts,
	 "DOMAIN [--dc HOST [--dc-cacert FILE] --bind-dn DN\n"
	 "        (--bind-password-file FILE | --bind-password-stdin | --kerberos) [--name NAME]]",
	 "show a Kerberos server object (never the key); with --dc the AD side next to "
	 "the cloud side, and whether they agree",
	 ks_run_get, &(const struct adm_simple){"GET", "/admin/v1/kerberos-servers/%s", NULL, 0,
						 &ks_view}},
	{"kerberos-server list", 0, NULL, "", "list the Kerberos server objects",
	 ADM_SIMPLE("GET", "/admin/v1/kerberos-servers", NULL, 0, &ks_list_view)},
	{"kerberos-server remove", 1, remove_opts,
	 "DOMAIN [--yes] [--dc HOST [--dc-cacert FILE] --bind-dn DN\n"
	 "        (--bind-password-file FILE | --bind-password-stdin | --kerberos) [--name NAME]]",
	 "remove a Kerberos server object and its keys, with --dc its AD objects too "
	 "(asks first unless --yes)",
	 ks_run_remove, &(const struct adm_remove){"/admin/v1/kerberos-servers/%s",
		"the Kerberos server object of", NULL}},
	{NULL, 0, NULL, NULL, NULL, NULL, NULL},
};
