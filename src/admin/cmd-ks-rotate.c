/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kerberos-server rotate: a new key for krbtgt_N, then the cloud's primary.
 *
 * Order matters for zero downtime.  The DC keeps one previous key of
 * krbtgt_N, so partial TGTs minted under the old key keep being exchanged
 * after AD changes; only then does cloudtrustd get the new key as primary
 * (the old one becomes its secondary).  The cloud therefore never holds a
 * primary key AD does not know.  A failure between the two steps leaves AD
 * one version ahead: sign-ins still work under the previous key, get says
 * so, and set republishes.
 *
 * Each rotation pushes the oldest key out of the DC's short key history
 * (Samba keeps two earlier keys), while partial TGTs issued under it may
 * still be waiting to be exchanged: a rotation within 24 hours of the last
 * key change is refused without --force.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "adm-api.h"
#include "adm-args.h"
#include "ct-hex.h"
#include "ct-secret.h"
#include "ct-limits.h"
#include "ks-ad.h"
#include "ks-state.h"

#define KS_ROTATE_MIN_AGE (24 * 3600)
/* A random password of printable ASCII (UTF-8 = its UTF-16 code units, so
 * string-to-key sees what the DC sees); one of each class for complexity. */
#define KS_PW_LEN 120

static const char pw_classes[4][27] = {
	"ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz", "0123456789",
	"!#%+-.:=?@_~",
};

static int random_password(char *pw, struct ct_errinfo *ei)
{
	uint8_t rnd[KS_PW_LEN];
	size_t i;

	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return ct_errinfo_set(ei, CT_ERR_CRYPTO, "no random bytes for the new password");
	for (i = 0; i < KS_PW_LEN; i++) {
		const char *cls = pw_classes[i < 4 ? i : rnd[i] % 4];

		pw[i] = cls[rnd[(i + 1) % KS_PW_LEN] % strlen(cls)];
	}
	pw[KS_PW_LEN] = '\0';
	ct_zap(rnd, sizeof(rnd));
	return 0;
}

/* unicodePwd: the quoted password as UTF-16LE (MS-ADTS 3.1.1.3.1.5.1). */
static int set_password(struct ks_state *s, const char *pw, struct ct_errinfo *ei)
{
	uint8_t utf16[2 * (KS_PW_LEN + 2)];
	struct berval bv = {0, (char *)utf16};
	struct berval *vals[] = {&bv, NULL};
	LDAPMod m = {LDAP_MOD_REPLACE | LDAP_MOD_BVALUES, "unicodePwd", {NULL}};
	LDAPMod *mods[] = {&m, NULL};
	size_t i, n = 0;
	char what[KS_MAX_DN + 128];
	int r;

	m.mod_vals.modv_bvals = vals;
	utf16[n++] = '"';
	utf16[n++] = 0;
	for (i = 0; pw[i] != '\0'; i++) {
		utf16[n++] = (uint8_t)pw[i];
		utf16[n++] = 0;
	}
	utf16[n++] = '"';
	utf16[n++] = 0;
	bv.bv_len = n;
	snprintf(what, sizeof(what), "setting a new password on %s (needs the Reset Password "
		 "right on that account)", s->krbtgt_dn);
	r = ad_ldap_modify(s->ldap, s->krbtgt_dn, mods, what, ei);
	ct_zap(utf16, sizeof(utf16));
	return r;
}

int ks_ad_key(struct ks_state *s, uint32_t *kv, time_t *set_on, struct ct_errinfo *ei)
{
	char *v = NULL, *pls = NULL, *end;
	unsigned long long t = 0;
	unsigned long k = 0;
	int r = ad_ldap_get_str(s->ldap, s->krbtgt_dn, "msDS-KeyVersionNumber", &v, ei);

	if (r == 0)
		r = ad_ldap_get_str(s->ldap, s->krbtgt_dn, "pwdLastSet", &pls, ei);
	if (r == 0 && (v == NULL || adm_parse_ulong(v, 1, UINT32_MAX, &k) != 0))
		r = ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "%s: msDS-KeyVersionNumber %s",
				   s->krbtgt_dn, v != NULL ? v : "(absent)");
	if (r == 0 && pls != NULL)
		t = strtoull(pls, &end, 10);
	*kv = (uint32_t)(k & 0xFFFF);
	/* 100 ns ticks since 1601 */
	*set_on = t / 10000000ULL > 11644473600ULL
			  ? (time_t)(t / 10000000ULL - 11644473600ULL) : 0;
	free(v);
	free(pls);
	return r;
}

int ks_cloud_key(struct ks_state *s, unsigned long *n, uint32_t *kv, time_t *on,
			  struct ct_errinfo *ei)
{
	char path[CT_ADMIN_MAX_URL];
	json_t *cur = NULL;
	int r = adm_path(path, sizeof(path), ei, "/admin/v1/kerberos-servers/%s", s->domain);

	if (r == 0)
		r = adm_call(s->c, "GET", path, NULL, &cur, ei);
	if (r == 0) {
		*n = (unsigned long)json_integer_value(json_object_get(cur, "rodc_number"));
		*kv = (uint32_t)json_integer_value(
			json_object_get(json_object_get(cur, "primary"), "key_version"));
		*on = (time_t)json_integer_value(json_object_get(cur, "key_updated_on"));
	}
	json_decref(cur);
	return r;
}

static void format_age(time_t age, char *buf, size_t n)
{
	if (age < 3600)
		snprintf(buf, n, "%ld minutes ago", (long)(age / 60));
	else
		snprintf(buf, n, "%ld hours ago", (long)(age / 3600));
}

/* Both sides name the same N and key version, and the last change is old
 * enough (unless force). */
static int check_before(struct ks_state *s, unsigned flags, uint32_t *kv_out,
			struct ct_errinfo *ei)
{
	bool force = (flags & KS_ROTATE_FORCE) != 0;
	unsigned long cn = 0;
	uint32_t kv = 0, ckv = 0;
	time_t ad_on = 0, cloud_on = 0, last, now = time(NULL);
	char age[64];
	int r = ks_ad_key(s, &kv, &ad_on, ei);

	if (r != 0)
		return r;
	*kv_out = kv;
	if (flags & KS_ROTATE_UNPUBLISHED)
		return 0;
	r = ks_cloud_key(s, &cn, &ckv, &cloud_on, ei);
	if (r == CT_ERR_NOT_FOUND)
		return ct_errinfo_set(ei, CT_ERR_CONFLICT,
				      "cloudtrustd has no Kerberos server object for %s: run "
				      "kerberos-server set first", s->domain);
	if (r != 0)
		return r;
	if (cn != s->rodc || ckv != kv)
		return ct_errinfo_set(ei, CT_ERR_CONFLICT,
				      "the two sides disagree (AD N=%lu key version %u, cloud "
				      "N=%lu key version %u): run kerberos-server set to repair "
				      "before rotating", s->rodc, kv, cn, ckv);
	last = ad_on > cloud_on ? ad_on : cloud_on;
	if (!force && last > now - KS_ROTATE_MIN_AGE) {
		format_age(now - last, age, sizeof(age));
		return ct_errinfo_set(ei, CT_ERR_DENIED,
				      "the key of %s was changed %s; rotating again within 24 "
				      "hours pushes keys out of the DC's key history while partial "
				      "TGTs issued under them may still be in use. Use --force to "
				      "rotate anyway", s->account, age);
	}
	return 0;
}

int ks_rotate(struct ks_state *s, const struct ks_keysource *src, const char *samba_conf,
	      unsigned flags, struct ct_errinfo *ei)
{
	char pw[KS_PW_LEN + 1], line[160], realm[CT_STORE_MAX_DOMAIN + 1];
	struct ks_key_request req = {.account = s->account, .samba_conf = samba_conf,
				     .enctype = 18, .realm = realm};
	struct ks_key_result key = {0};
	uint32_t before = 0, after = 0;
	time_t on;
	int r = check_before(s, flags, &before, ei);

	if (r != 0)
		return r;
	ks_realm(s->domain, realm, sizeof(realm));
	r = random_password(pw, ei);
	if (r == 0)
		r = set_password(s, pw, ei);
	if (r == 0)
		r = ks_ad_key(s, &after, &on, ei);
	if (r == 0 && after == before)
		r = ct_errinfo_set(ei, CT_ERR_MISMATCH, "the DC accepted the new password but "
				   "the key version of %s is still %u", s->account, after);
	if (r != 0)
		goto out;
	snprintf(line, sizeof(line), "%s key version %u -> %u", s->account, before, after);
	ks_say(s, "rotated", s->krbtgt_dn, line);
	req.key_version = after;
	r = src->new_key(&req, pw, &key, ei);
	if (r == 0 && key.key_version != after)
		r = ct_errinfo_set(ei, CT_ERR_MISMATCH, "%s: the %s key source read key version "
				   "%u, LDAP says %u", s->account, src->name,
				   (unsigned)key.key_version, after);
	if (r == 0)
		r = ks_ensure_cloud(s, &key, ei);
	if (r != 0) {
		/* AD is ahead: sign-ins keep working under the previous key. */
		size_t len = strlen(ei->msg);

		snprintf(ei->msg + len, sizeof(ei->msg) - len,
			 "; AD already has key version %u and cloudtrustd still %u: partial "
			 "TGTs keep working under the previous key until you run "
			 "kerberos-server set, which publishes the new one", after, before);
		goto out;
	}
	fprintf(s->say, "%s: key version %u is primary in cloudtrustd, %u kept as secondary\n",
		s->domain, after, before);
out:
	ct_zap(pw, sizeof(pw));
	ct_zap(&key, sizeof(key));
	return r;
}

int ks_run_rotate(struct adm_ctx *c, const struct adm_args *a, struct ct_errinfo *ei)
{
	const char *domain = adm_arg(a, "domain");
	const struct ks_keysource *src = ks_keysource_find(adm_arg(a, "key-source"));
	struct ks_state s = {.c = c, .say = c->g.json ? c->io->err : c->io->out};
	char *link = NULL;
	int r;

	if (domain == NULL)
		return ct_errinfo_set(ei, CT_ERR_USAGE, "kerberos-server rotate needs --domain");
	if (src == NULL)
		return ct_errinfo_set(ei, CT_ERR_USAGE, "--key-source: samba or windows");
	r = ks_open(&s, a, domain, ei);
	if (r == 0)
		r = ad_ldap_get_str(s.ldap, s.comp_dn, "msDS-KrbTgtLink", &link, ei);
	if (r == 0 && link == NULL)
		r = CT_ERR_NOT_FOUND;
	if (r == CT_ERR_NOT_FOUND) {
		r = ct_errinfo_set(ei, CT_ERR_NOT_FOUND, "no complete Kerberos server object %s "
				   "in AD: run kerberos-server set first", s.comp_dn);
		goto out;
	}
	if (r == 0 && strlen(link) < sizeof(s.krbtgt_dn))
		strcpy(s.krbtgt_dn, link);
	if (r == 0)
		r = ks_read_krbtgt(&s, ei);
	if (r == 0)
		r = ks_rotate(&s, src, adm_arg(a, "samba-conf"),
			      adm_arg_flag(a, "force") ? KS_ROTATE_FORCE : 0, ei);
out:
	free(link);
	ks_close(&s);
	return r;
}
