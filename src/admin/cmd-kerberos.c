/* SPDX-License-Identifier: Apache-2.0 */
/* kerberos-server publish, get, list, remove. */
#include <limits.h>
#include <unistd.h>

#include "adm-api.h"
#include "adm-args.h"
#include "adm-secret.h"
#include "ct-limits.h"

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

static int run_publish(struct adm_ctx *c, const struct adm_args *a, struct ct_errinfo *ei)
{
	const char *domain = adm_arg(a, "domain"), *realm = adm_arg(a, "realm");
	const char *key_file = adm_arg(a, "key-file"), *from = adm_arg(a, "updated-from");
	unsigned long rodc, kvno, enctype = 0;
	char path[CT_ADMIN_MAX_URL], host[HOST_NAME_MAX + 1];
	struct adm_key key = {0};
	json_t *body = NULL;
	int r;

	if (domain == NULL || realm == NULL || key_file == NULL)
		return ct_errinfo_set(ei, CT_ERR_USAGE,
				      "kerberos-server publish needs --domain, --realm, "
				      "--rodc, --key-file and --key-version");
	r = adm_arg_ulong(a, "rodc", 1, KS_MAX_RODC, &rodc, ei);
	if (r == 0)
		r = adm_arg_ulong(a, "key-version", 1, KS_MAX_KEY_VERSION, &kvno, ei);
	if (r == 0 && adm_arg(a, "enctype") != NULL)
		r = adm_arg_ulong(a, "enctype", 1, INT32_MAX, &enctype, ei);
	if (r == 0)
		r = adm_path(path, sizeof(path), ei, "/admin/v1/kerberos-servers/%s",
			     domain);
	if (r != 0)
		return r;
	if (from == NULL && gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = '\0';
		from = host;
	}
	r = adm_key_read(key_file, (int32_t)enctype, &key, ei);
	if (r != 0)
		return r;
	body = adm_pack(ei, "{s:s, s:I, s:s*, s:s*, s:{s:i, s:I, s:s}}",
			"realm", realm, "rodc_number", (json_int_t)rodc,
			"display_name", adm_arg(a, "display-name"), "updated_from", from,
			"key", "enctype", (int)key.enctype, "key_version", (json_int_t)kvno,
			"key_hex", key.hex);
	r = body != NULL ? adm_call_show(c, "PUT", path, body, &ks_view, ei) : CT_ERR_USAGE;
	json_decref(body);
	adm_key_clear(&key);
	return r;
}

static const struct adm_opt publish_opts[] = {
	{"domain", "DNS"}, {"realm", "REALM"}, {"rodc", "N"}, {"key-file", "FILE"},
	{"key-version", "V"}, {"enctype", "ENCTYPE"}, {"display-name", "NAME"},
	{"updated-from", "HOST"}, {NULL, NULL},
};
static const struct adm_opt remove_opts[] = {{"yes", NULL}, {NULL, NULL}};

const struct adm_command adm_cmds_kerberos[] = {
	{"kerberos-server publish", 0, publish_opts,
	 "--domain DNS --realm REALM --rodc N --key-file FILE --key-version V\n"
	 "        [--enctype 18] [--display-name NAME] [--updated-from HOST]",
	 "publish an AD domain's Kerberos server object and its key (a new key version "
	 "keeps the previous key as the secondary)", run_publish, NULL},
	{"kerberos-server get", 1, NULL, "DOMAIN",
	 "show a Kerberos server object (never the key)",
	 ADM_SIMPLE("GET", "/admin/v1/kerberos-servers/%s", NULL, 0, &ks_view)},
	{"kerberos-server list", 0, NULL, "", "list the Kerberos server objects",
	 ADM_SIMPLE("GET", "/admin/v1/kerberos-servers", NULL, 0, &ks_list_view)},
	{"kerberos-server remove", 1, remove_opts, "DOMAIN [--yes]",
	 "remove a Kerberos server object and its keys (asks first unless --yes)",
	 ADM_REMOVE("/admin/v1/kerberos-servers/%s", "the Kerberos server object of",
		    NULL)},
	{NULL, 0, NULL, NULL, NULL, NULL, NULL},
};
