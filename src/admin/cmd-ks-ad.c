/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kerberos-server set: the AD side of the Kerberos server object (the
 * RODC-like computer and its krbtgt_N account, PROTOCOL-NOTES §3) over
 * LDAPS, the key from a key source, then the cloud side through the admin
 * API.  Idempotent: every step first looks at what is there.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ad-ldap.h"
#include "adm-api.h"
#include "adm-args.h"
#include "adm-secret.h"
#include "ct-buf.h"
#include "ct-hex.h"
#include "ct-secret.h"
#include "ct-limits.h"
#include "ks-ad.h"
#include "ks-keysource.h"
#include "ks-state.h"
#include "sid.h"

/* WORKSTATION_TRUST_ACCOUNT | ACCOUNTDISABLE | TRUSTED_TO_AUTH_FOR_DELEGATION
 * | PARTIAL_SECRETS_ACCOUNT; without the delegation bit when that is refused. */
#define KS_UAC_PREFERRED "83890178"  /* 0x5001002 */
#define KS_UAC_FALLBACK "67112962"   /* 0x4001002 */
#define KS_UAC_KRBTGT "514"          /* NORMAL_ACCOUNT | ACCOUNTDISABLE */
#define KS_RID_RODC_ALLOW 571
#define KS_RID_RODC_DENY 572

/* "corp.example.test" → "DC=corp,DC=example,DC=test". */
static int domain_base_dn(const char *domain, char *out, size_t n, struct ct_errinfo *ei)
{
	struct ct_buf b;
	const char *p;
	int r = 0;

	ct_buf_init(&b, n - 1);
	ct_buf_put(&b, "DC=", 3);
	for (p = domain; *p != '\0'; p++) {
		if (*p == '.' && p != domain && p[1] != '\0' && p[1] != '.')
			ct_buf_put(&b, ",DC=", 4);
		else if (isalnum((unsigned char)*p) || (*p == '-' && p != domain))
			ct_buf_put_u8(&b, (uint8_t)*p);
		else
			r = CT_ERR_USAGE;
	}
	if (r == 0 && b.err == 0 && p != domain) {
		memcpy(out, b.data, b.len);
		out[b.len] = '\0';
	} else {
		r = ct_errinfo_set(ei, CT_ERR_USAGE, "--domain: not a DNS domain name: %s", domain);
	}
	ct_buf_free(&b);
	return r;
}

static bool valid_name(const char *s)
{
	size_t i, n = strlen(s);

	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return false;
	return n > 0 && n <= KS_MAX_NAME;
}

/* The domain SID from the objectSid of the domain root (binary, MS-DTYP 2.4.2.2). */
static int read_domain_sid(struct ks_state *s, struct ct_errinfo *ei)
{
	struct berval **v = NULL;
	struct ct_cursor cur;
	struct ct_sid sid = {0};
	const uint8_t *auth;
	unsigned i;
	int r = ad_ldap_get(s->ldap, s->base, "objectSid", &v, ei);

	if (r == CT_ERR_NOT_FOUND)
		return ct_errinfo_set(ei, r, "domain not found: no object %s on the DC", s->base);
	if (r != 0)
		return r;
	if (v == NULL || v[0] == NULL) {
		ber_bvecfree(v);
		return ct_errinfo_set(ei, CT_ERR_MISSING_FIELD, "%s has no objectSid", s->base);
	}
	ct_cursor_init(&cur, v[0]->bv_val, v[0]->bv_len);
	sid.revision = ct_cursor_get_u8(&cur);
	sid.nsub = ct_cursor_get_u8(&cur);
	auth = ct_cursor_get(&cur, 6);
	if (auth != NULL)
		memcpy(sid.authority, auth, 6);
	for (i = 0; i < sid.nsub && i < CT_SID_MAX_SUBAUTH; i++)
		sid.sub[i] = ct_cursor_get_le32(&cur);
	if (cur.err != 0 || !ct_cursor_empty(&cur) || sid.nsub > CT_SID_MAX_SUBAUTH)
		r = ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "%s: malformed objectSid", s->base);
	else
		ct_sid_format(&sid, s->sid, sizeof(s->sid));
	ber_bvecfree(v);
	return r;
}

void ks_say(struct ks_state *s, const char *verb, const char *what, const char *detail)
{
	fprintf(s->say, "%s %s (%s)\n", verb, what, detail);
	s->changed = true;
}

/* Whether the SIDs of attr on the computer are exactly want (any order). */
static int groups_match(struct ks_state *s, const char *attr, char *const *want, bool *match,
			struct ct_errinfo *ei)
{
	char **have = NULL;
	size_t i, j, nh = 0, nw = 0;
	int r = ad_ldap_get_sids(s->ldap, s->comp_dn, attr, &have, ei);

	if (r != 0)
		return r;
	while (have[nh] != NULL)
		nh++;
	while (want[nw] != NULL)
		nw++;
	*match = nh == nw;
	for (i = 0; *match && i < nw; i++) {
		bool found = false;

		for (j = 0; j < nh && !found; j++)
			/* want is "<SID=...>" */
			found = strncmp(want[i] + 5, have[j], strlen(have[j])) == 0 &&
				want[i][5 + strlen(have[j])] == '>';
		*match = found;
	}
	ad_ldap_free_strv(have);
	return 0;
}

/* The password replication policy on an existing computer object: put back
 * when someone changed it (allowed: group 571; never: 572 and the built-in
 * admin groups). */
static int ensure_reveal_groups(struct ks_state *s, struct ct_errinfo *ei)
{
	char allow[CT_SID_STRING_MAX + 16], deny[CT_SID_STRING_MAX + 16];
	char *allowv[] = {allow, NULL};
	char *denyv[] = {deny, "<SID=S-1-5-32-544>", "<SID=S-1-5-32-548>",
			 "<SID=S-1-5-32-549>", "<SID=S-1-5-32-551>", NULL};
	LDAPMod m[] = {
		{LDAP_MOD_REPLACE, "msDS-RevealOnDemandGroup", {allowv}},
		{LDAP_MOD_REPLACE, "msDS-NeverRevealGroup", {denyv}},
	};
	LDAPMod *mods[] = {&m[0], &m[1], NULL};
	bool ok_allow = false, ok_deny = false;
	int r;

	snprintf(allow, sizeof(allow), "<SID=%s-%d>", s->sid, KS_RID_RODC_ALLOW);
	snprintf(deny, sizeof(deny), "<SID=%s-%d>", s->sid, KS_RID_RODC_DENY);
	r = groups_match(s, "msDS-RevealOnDemandGroup", allowv, &ok_allow, ei);
	if (r == 0)
		r = groups_match(s, "msDS-NeverRevealGroup", denyv, &ok_deny, ei);
	if (r != 0 || (ok_allow && ok_deny))
		return r;
	r = ad_ldap_modify(s->ldap, s->comp_dn, mods,
			   "restoring the password replication policy", ei);
	if (r == 0)
		ks_say(s, "repaired", s->comp_dn,
		       "password replication policy: allowed 571; never 572 and the "
		       "built-in admin groups");
	return r;
}

/* The computer object: created when missing, with the preferred
 * userAccountControl or, when that is refused, the fallback. */
static int ensure_computer(struct ks_state *s, struct ct_errinfo *ei)
{
	char sam[KS_MAX_NAME + 2], allow[CT_SID_STRING_MAX + 16], deny[CT_SID_STRING_MAX + 16];
	char *uac = NULL, *oc[] = {"computer", NULL}, *samv[] = {sam, NULL};
	char *uacv[] = {KS_UAC_PREFERRED, NULL}, *allowv[] = {allow, NULL};
	char *denyv[] = {deny, "<SID=S-1-5-32-544>", "<SID=S-1-5-32-548>",
			 "<SID=S-1-5-32-549>", "<SID=S-1-5-32-551>", NULL};
	LDAPMod m[] = {
		{LDAP_MOD_ADD, "objectClass", {oc}},
		{LDAP_MOD_ADD, "sAMAccountName", {samv}},
		{LDAP_MOD_ADD, "userAccountControl", {uacv}},
		{LDAP_MOD_ADD, "msDS-RevealOnDemandGroup", {allowv}},
		{LDAP_MOD_ADD, "msDS-NeverRevealGroup", {denyv}},
	};
	LDAPMod *mods[] = {&m[0], &m[1], &m[2], &m[3], &m[4], NULL};
	int r = ad_ldap_get_str(s->ldap, s->comp_dn, "userAccountControl", &uac, ei);

	free(uac);
	if (r == 0)
		return ensure_reveal_groups(s, ei);
	if (r != CT_ERR_NOT_FOUND)
		return r;
	snprintf(sam, sizeof(sam), "%.15s$", s->name);
	snprintf(allow, sizeof(allow), "<SID=%s-%d>", s->sid, KS_RID_RODC_ALLOW);
	snprintf(deny, sizeof(deny), "<SID=%s-%d>", s->sid, KS_RID_RODC_DENY);
	r = ad_ldap_add(s->ldap, s->comp_dn, mods, false, "creating the computer object", ei);
	if (r == CT_ERR_PERMISSION) {
		uacv[0] = KS_UAC_FALLBACK;
		r = ad_ldap_add(s->ldap, s->comp_dn, mods, false,
				"creating the computer object (needs Create Computer objects on "
				"OU=Domain Controllers and DS-Install-Replica on the domain)", ei);
	}
	if (r == 0)
		ks_say(s, "created", s->comp_dn,
		    strcmp(uacv[0], KS_UAC_FALLBACK) == 0 ? "userAccountControl 0x4001002"
							   : "userAccountControl 0x5001002");
	return r;
}

int ks_read_krbtgt(struct ks_state *s, struct ct_errinfo *ei)
{
	char *num = NULL;
	int r = ad_ldap_get_str(s->ldap, s->krbtgt_dn, "msDS-SecondaryKrbTgtNumber", &num, ei);

	if (r == 0 && num == NULL)
		r = ct_errinfo_set(ei, CT_ERR_MISSING_FIELD,
				   "%s has no msDS-SecondaryKrbTgtNumber (not created with the "
				   "RODC_DCPROMO control); remove it and run set again",
				   s->krbtgt_dn);
	if (r == 0 && adm_parse_ulong(num, 1, 65535, &s->rodc) != 0)
		r = ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "%s: msDS-SecondaryKrbTgtNumber %s",
				   s->krbtgt_dn, num);
	if (r == 0)
		r = ad_ldap_get_str(s->ldap, s->krbtgt_dn, "sAMAccountName", &s->account, ei);
	if (r == 0 && s->account == NULL)
		r = ct_errinfo_set(ei, CT_ERR_MISSING_FIELD, "%s has no sAMAccountName",
				   s->krbtgt_dn);
	free(num);
	return r;
}

/* The krbtgt_N account (made by the DC under the RODC_DCPROMO control) and
 * the computer's msDS-KrbTgtLink to it. */
static int ensure_krbtgt(struct ks_state *s, struct ct_errinfo *ei)
{
	char *link = NULL, *oc[] = {"user", NULL}, *uacv[] = {KS_UAC_KRBTGT, NULL};
	char *adv[] = {"TRUE", NULL}, *linkv[] = {s->krbtgt_dn, NULL};
	LDAPMod m[] = {
		{LDAP_MOD_ADD, "objectClass", {oc}},
		{LDAP_MOD_ADD, "userAccountControl", {uacv}},
		{LDAP_MOD_ADD, "showInAdvancedViewOnly", {adv}},
	};
	LDAPMod *mods[] = {&m[0], &m[1], &m[2], NULL};
	LDAPMod lm = {LDAP_MOD_REPLACE, "msDS-KrbTgtLink", {linkv}};
	LDAPMod *lmods[] = {&lm, NULL};
	int r = ad_ldap_get_str(s->ldap, s->comp_dn, "msDS-KrbTgtLink", &link, ei);

	if (r != 0)
		return r;
	if (link != NULL && strlen(link) < sizeof(s->krbtgt_dn))
		strcpy(s->krbtgt_dn, link);
	r = ks_read_krbtgt(s, ei);
	if (r == CT_ERR_NOT_FOUND) {
		r = ad_ldap_add(s->ldap, s->krbtgt_dn, mods, true,
				"creating the krbtgt account with the RODC_DCPROMO control "
				"(needs the DS-Install-Replica right on the domain root)", ei);
		if (r == 0)
			r = ks_read_krbtgt(s, ei);
		if (r == 0)
			ks_say(s, "created", s->krbtgt_dn, s->account);
	}
	if (r == 0 && (link == NULL || strcasecmp(link, s->krbtgt_dn) != 0)) {
		r = ad_ldap_modify(s->ldap, s->comp_dn, lmods, "setting msDS-KrbTgtLink", ei);
		if (r == 0)
			ks_say(s, "linked", s->comp_dn, s->krbtgt_dn);
	}
	free(link);
	return r;
}

void ks_realm(const char *domain, char *out, size_t n)
{
	size_t i;

	for (i = 0; domain[i] != '\0' && i < n - 1; i++)
		out[i] = (char)toupper((unsigned char)domain[i]);
	out[i] = '\0';
}

int ks_ensure_cloud(struct ks_state *s, const struct ks_key_result *k,
			struct ct_errinfo *ei)
{
	const char *domain = s->domain;
	char realm[CT_STORE_MAX_DOMAIN + 1], hex[2 * KS_KEY_MAX + 1];
	unsigned long n = 0;
	uint32_t kv = 0;
	time_t on;
	int r = ks_cloud_key(s, &n, &kv, &on, ei);

	if (r == 0 && n == s->rodc && kv == k->key_version)
		return 0;
	if (r != 0 && r != CT_ERR_NOT_FOUND)
		return r;
	ei->msg[0] = '\0'; /* a 404 here only means "not published yet" */
	ks_realm(domain, realm, sizeof(realm));
	ct_hex_encode(k->keys.current.key, k->keys.current.len, hex);
	r = ks_publish(s->c, &(struct ks_pub){
		.domain = domain, .realm = realm, .rodc = s->rodc,
		.key_version = k->key_version, .enctype = k->keys.current.enctype,
		.key_hex = hex, .display_name = s->name,
	}, ei);
	ct_zap(hex, sizeof(hex));
	if (r == 0)
		ks_say(s, "published to cloudtrustd:", domain, s->account);
	return r;
}

/* Binds to the DC with the options every AD-side command takes. */
static int ks_bind(struct adm_ctx *c, const struct adm_args *a, struct ad_ldap **out,
		   struct ct_errinfo *ei)
{
	struct ad_ldap_params p = {
		.host = adm_arg(a, "dc"), .cacert = adm_arg(a, "dc-cacert"),
		.bind_dn = adm_arg(a, "bind-dn"), .timeout_s = c->g.timeout_s,
	};
	const char *pwfile = adm_arg(a, "bind-password-file");
	char *pw = NULL;
	int r;

	p.kerberos = adm_arg_flag(a, "kerberos");
	if (p.host != NULL && p.kerberos && p.bind_dn == NULL && pwfile == NULL &&
	    !adm_arg_flag(a, "bind-password-stdin"))
		return ad_ldap_connect(&p, out, ei);
	if (p.host == NULL || p.bind_dn == NULL || p.kerberos ||
	    (pwfile == NULL) == !adm_arg_flag(a, "bind-password-stdin"))
		return ct_errinfo_set(ei, CT_ERR_USAGE,
				      "the AD side needs --dc and either --kerberos (a ticket "
				      "in KRB5CCNAME) or --bind-dn with one of "
				      "--bind-password-file or --bind-password-stdin");
	r = pwfile != NULL ? adm_password_read_file(pwfile, &pw, ei)
			   : adm_password_read_stream(c->io, p.bind_dn, &pw, ei);
	if (r != 0)
		return r;
	p.password = pw;
	r = ad_ldap_connect(&p, out, ei);
	ct_erase_free_str(pw);
	return r;
}

int ks_open(struct ks_state *s, const struct adm_args *a, const char *domain,
		   struct ct_errinfo *ei)
{
	const char *name = adm_arg(a, "name");
	int r;

	if (name == NULL)
		name = KS_DEFAULT_NAME;
	if (!valid_name(name))
		return ct_errinfo_set(ei, CT_ERR_USAGE,
				      "--name: 1 to 15 letters, digits or '-': %s", name);
	s->domain = domain;
	s->name = name;
	r = domain_base_dn(domain, s->base, sizeof(s->base), ei);
	if (r != 0)
		return r;
	snprintf(s->comp_dn, sizeof(s->comp_dn), "CN=%.15s,OU=Domain Controllers,%s", name,
		 s->base);
	/* Microsoft's cmdlet names the default account krbtgt_AzureAD. */
	snprintf(s->krbtgt_dn, sizeof(s->krbtgt_dn), "CN=krbtgt_%.15s,CN=Users,%s",
		 strcmp(name, KS_DEFAULT_NAME) == 0 ? "AzureAD" : name, s->base);
	r = ks_bind(s->c, a, &s->ldap, ei);
	if (r == 0)
		r = read_domain_sid(s, ei);
	return r;
}

void ks_close(struct ks_state *s)
{
	free(s->account);
	ad_ldap_close(s->ldap);
}

/* With the windows source the key can only be known by making it: a new
 * object, or one whose cloud key is not AD's, is rotated once. */
static int set_key_windows(struct ks_state *s, const struct ks_keysource *src,
			   struct ct_errinfo *ei)
{
	unsigned long n = 0;
	uint32_t ckv = 0, kv = 0;
	time_t on;
	int r = ks_cloud_key(s, &n, &ckv, &on, ei);
	bool published = r == 0;

	if (r == CT_ERR_NOT_FOUND) {
		ei->msg[0] = '\0';
		r = 0;
	}
	if (r == 0)
		r = ks_ad_key(s, &kv, &on, ei);
	if (r == 0 && !(published && n == s->rodc && ckv == kv))
		r = ks_rotate(s, src, NULL, KS_ROTATE_FORCE | KS_ROTATE_UNPUBLISHED, ei);
	return r;
}

int ks_run_set(struct adm_ctx *c, const struct adm_args *a, struct ct_errinfo *ei)
{
	const char *domain = adm_arg(a, "domain");
	const struct ks_keysource *src = ks_keysource_find(adm_arg(a, "key-source"));
	struct ks_state s = {.c = c, .say = c->g.json ? c->io->err : c->io->out};
	struct ks_key_result key = {0};
	struct ks_key_request req = {.samba_conf = adm_arg(a, "samba-conf"), .enctype = 18};
	int r;

	if (domain == NULL)
		return ct_errinfo_set(ei, CT_ERR_USAGE, "kerberos-server set needs --domain");
	if (src == NULL)
		return ct_errinfo_set(ei, CT_ERR_USAGE, "--key-source: samba or windows");
	r = ks_open(&s, a, domain, ei);
	if (r == 0)
		r = ensure_computer(&s, ei);
	if (r == 0)
		r = ensure_krbtgt(&s, ei);
	req.account = s.account;
	if (r == 0 && src == &ks_keysource_windows) {
		r = set_key_windows(&s, src, ei);
	} else if (r == 0) {
		r = src->read_key(&req, &key, ei);
		if (r == 0)
			r = ks_ensure_cloud(&s, &key, ei);
	}
	if (r == 0 && adm_arg_flag(a, "rotate-key"))
		r = ks_rotate(&s, src, req.samba_conf,
			      adm_arg_flag(a, "force") ? KS_ROTATE_FORCE : 0, ei);
	if (r == 0 && !s.changed && key.key_version != 0)
		fprintf(s.say, "%s: complete (%s, N=%lu, key version %u); nothing changed\n",
			s.comp_dn, s.account, s.rodc, (unsigned)key.key_version);
	else if (r == 0 && !s.changed)
		fprintf(s.say, "%s: complete (%s, N=%lu); nothing changed\n", s.comp_dn,
			s.account, s.rodc);
	ct_zap(&key, sizeof(key));
	ks_close(&s);
	return r;
}

/* Deletes dn when it exists (a NOT_FOUND is not an error: already gone). */
static int delete_if_there(struct ks_state *s, const char *dn, const char *what,
			   struct ct_errinfo *ei)
{
	int r = ad_ldap_delete(s->ldap, dn, what, ei);

	if (r == 0)
		ks_say(s, "deleted", dn, what);
	if (r == CT_ERR_NOT_FOUND) {
		ei->msg[0] = '\0';
		r = 0;
	}
	return r;
}

int ks_run_remove(struct adm_ctx *c, const struct adm_args *a, struct ct_errinfo *ei)
{
	struct ks_state s = {.c = c, .say = c->g.json ? c->io->err : c->io->out};
	char *link = NULL;
	int r;

	if (adm_arg(a, "dc") == NULL)
		return adm_run_remove(c, a, ei);
	r = ks_open(&s, a, a->pos[0], ei);
	if (r != 0)
		goto out;
	/* Asks, then removes the cloud side first: it stops new partial TGTs. */
	r = adm_run_remove(c, a, ei);
	if (r == CT_ERR_NOT_FOUND) {
		fprintf(s.say, "no cloud object for %s\n", a->pos[0]);
		ei->msg[0] = '\0';
		r = 0;
	}
	if (r == 0)
		r = ad_ldap_get_str(s.ldap, s.comp_dn, "msDS-KrbTgtLink", &link, ei);
	if (r == CT_ERR_NOT_FOUND) {
		ei->msg[0] = '\0';
		r = 0;
	}
	if (r == 0)
		r = delete_if_there(&s, s.comp_dn, "computer object", ei);
	if (r == 0)
		r = delete_if_there(&s, link != NULL ? link : s.krbtgt_dn, "krbtgt account", ei);
out:
	free(link);
	ks_close(&s);
	return r;
}

/* pwdLastSet (100 ns since 1601) as Unix time; 0 when absent or unset. */
static json_int_t nt_time_to_unix(const char *v)
{
	unsigned long long t;
	char *end;

	if (v == NULL)
		return 0;
	t = strtoull(v, &end, 10);
	if (*end != '\0' || t / 10000000ULL < 11644473600ULL)
		return 0;
	return (json_int_t)(t / 10000000ULL - 11644473600ULL);
}

static const struct adm_column ks_ad_cols[] = {
	{"Id", "id", NULL},
	{"CloudId", "cloud_id", NULL},
	{"DisplayName", "display_name", NULL},
	{"DomainDnsName", "domain_dns_name", NULL},
	{"CloudDomainDnsName", "cloud_domain_dns_name", NULL},
	{"KeyVersion", "key_version", NULL},
	{"CloudKeyVersion", "cloud_key_version", NULL},
	{"KeyUpdatedOn", "key_updated_on", adm_cell_time},
	{"CloudKeyUpdatedOn", "cloud_key_updated_on", adm_cell_time},
	{"KeyUpdatedFrom", "key_updated_from", NULL},
	{"Status", "status", NULL},
};
static const struct adm_view ks_ad_view = ADM_VIEW(NULL, ks_ad_cols);

/* The AD side: N, key version and key time of the object's krbtgt account
 * into j; leaves j as it is when the computer object does not exist. */
static int ad_side(struct ks_state *s, json_t *j, struct ct_errinfo *ei)
{
	char *link = NULL, *kv = NULL, *pls = NULL;
	unsigned long kvno = 0;
	int r = ad_ldap_get_str(s->ldap, s->comp_dn, "msDS-KrbTgtLink", &link, ei);

	if (r == CT_ERR_NOT_FOUND) {
		ei->msg[0] = '\0';
		return 0;
	}
	if (r == 0 && link != NULL && strlen(link) < sizeof(s->krbtgt_dn))
		strcpy(s->krbtgt_dn, link);
	if (r == 0 && link != NULL)
		r = ks_read_krbtgt(s, ei);
	if (r == 0 && link != NULL)
		r = ad_ldap_get_str(s->ldap, s->krbtgt_dn, "msDS-KeyVersionNumber", &kv, ei);
	if (r == 0 && link != NULL)
		r = ad_ldap_get_str(s->ldap, s->krbtgt_dn, "pwdLastSet", &pls, ei);
	if (r == 0 && kv != NULL && adm_parse_ulong(kv, 0, UINT32_MAX, &kvno) != 0)
		r = ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "%s: msDS-KeyVersionNumber %s",
				   s->krbtgt_dn, kv);
	if (r == 0) {
		json_object_set_new(j, "domain_dns_name", json_string(s->domain));
		if (link != NULL) {
			json_object_set_new(j, "id", json_integer((json_int_t)s->rodc));
			json_object_set_new(j, "key_version", json_integer((json_int_t)(kvno & 0xFFFF)));
			json_object_set_new(j, "key_updated_on", json_integer(nt_time_to_unix(pls)));
		}
	}
	free(link);
	free(kv);
	free(pls);
	return r;
}

/* The cloud side's fields into j; nothing when cloudtrustd has no object. */
static int cloud_side(struct ks_state *s, json_t *j, struct ct_errinfo *ei)
{
	char path[CT_ADMIN_MAX_URL];
	json_t *cur = NULL;
	int r = adm_path(path, sizeof(path), ei, "/admin/v1/kerberos-servers/%s", s->domain);

	if (r == 0)
		r = adm_call(s->c, "GET", path, NULL, &cur, ei);
	if (r == CT_ERR_NOT_FOUND) {
		ei->msg[0] = '\0';
		return 0;
	}
	if (r == 0) {
		json_object_set(j, "cloud_id", json_object_get(cur, "rodc_number"));
		json_object_set(j, "cloud_domain_dns_name", json_object_get(cur, "domain"));
		json_object_set(j, "cloud_key_version",
				json_object_get(json_object_get(cur, "primary"), "key_version"));
		json_object_set(j, "cloud_key_updated_on", json_object_get(cur, "key_updated_on"));
		json_object_set(j, "key_updated_from", json_object_get(cur, "key_updated_from"));
	}
	json_decref(cur);
	return r;
}

/* Says plainly whether the two sides agree, and what a disagreement breaks. */
static void compare_sides(json_t *j, char *buf, size_t n)
{
	json_int_t id = json_integer_value(json_object_get(j, "id"));
	json_int_t cid = json_integer_value(json_object_get(j, "cloud_id"));
	json_int_t kv = json_integer_value(json_object_get(j, "key_version"));
	json_int_t ckv = json_integer_value(json_object_get(j, "cloud_key_version"));

	if (json_object_get(j, "id") == NULL && json_object_get(j, "cloud_id") == NULL)
		snprintf(buf, n, "no Kerberos server object on either side: run kerberos-server set");
	else if (json_object_get(j, "id") == NULL)
		snprintf(buf, n, "AD has no (complete) object: the DC refuses the partial TGTs "
			 "cloudtrustd mints; run kerberos-server set");
	else if (json_object_get(j, "cloud_id") == NULL)
		snprintf(buf, n, "cloudtrustd has no object: sign-ins get no partial TGT "
			 "(no_kerberos_server); run kerberos-server set");
	else if (id != cid)
		snprintf(buf, n, "AD N=%lld, cloud N=%lld: partial TGTs name a krbtgt account the "
			 "DC does not use for this object; run kerberos-server set",
			 (long long)id, (long long)cid);
	else if (kv != ckv)
		snprintf(buf, n, "AD key version %lld, cloud %lld: partial TGTs minted now are "
			 "refused by the DC (KRB_AP_ERR_BADKEYVER or BAD_INTEGRITY); run "
			 "kerberos-server set to republish", (long long)kv, (long long)ckv);
	else
		snprintf(buf, n, "in sync");
}

int ks_run_get(struct adm_ctx *c, const struct adm_args *a, struct ct_errinfo *ei)
{
	struct ks_state s = {.c = c, .say = c->io->err, .domain = a->pos[0]};
	char status[CT_ADMIN_MAX_CELL];
	json_t *j;
	int r;

	if (adm_arg(a, "dc") == NULL)
		return adm_run_simple(c, a, ei);
	j = json_object();
	if (j == NULL)
		return ct_errinfo_set(ei, CT_ERR_NOMEM, "out of memory");
	r = ks_open(&s, a, s.domain, ei);
	if (r == 0)
		json_object_set_new(j, "display_name", json_string(s.name));
	if (r == 0)
		r = ad_side(&s, j, ei);
	if (r == 0)
		r = cloud_side(&s, j, ei);
	if (r == 0) {
		compare_sides(j, status, sizeof(status));
		json_object_set_new(j, "status", json_string(status));
		r = c->g.json ? adm_print_json(c->io->out, j, ei)
			      : adm_print_view(c->io->out, c->io->color, j, &ks_ad_view, ei);
	}
	json_decref(j);
	ks_close(&s);
	return r;
}
