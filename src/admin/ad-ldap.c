/* SPDX-License-Identifier: Apache-2.0 */
/* LDAPS to an AD DC with libldap; error mapping in one place. */
#define _GNU_SOURCE /* memmem */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ad-ldap.h"
#include "ct-secret.h"

struct ad_ldap {
	LDAP *ld;
};

int ad_ldap_error(int rc, const char *diag, const char *what, struct ct_errinfo *ei)
{
	const char *d = diag != NULL && *diag != '\0' ? diag : ldap_err2string(rc);

	switch (rc) {
	case LDAP_SERVER_DOWN:
	case LDAP_CONNECT_ERROR:
		/* libldap leaves a diagnostic only when TLS failed after connecting. */
		if (diag != NULL && *diag != '\0')
			return ct_errinfo_set(ei, CT_ERR_CERT_UNTRUSTED,
					      "%s: TLS with the DC failed (check --dc-cacert and "
					      "the DC's name): %s", what, diag);
		return ct_errinfo_set(ei, CT_ERR_NETWORK, "%s: the DC cannot be reached (%s)",
				      what, d);
	case LDAP_TIMEOUT:
		return ct_errinfo_set(ei, CT_ERR_NETWORK, "%s: the DC did not answer in time",
				      what);
	case LDAP_INVALID_CREDENTIALS:
		return ct_errinfo_set(ei, CT_ERR_UNAUTHORIZED,
				      "%s: invalid bind DN or password (%s)", what, d);
	case LDAP_INSUFFICIENT_ACCESS:
	case LDAP_STRONG_AUTH_REQUIRED:
		return ct_errinfo_set(ei, CT_ERR_PERMISSION, "%s: insufficient access (%s)",
				      what, d);
	case LDAP_NO_SUCH_OBJECT:
		return ct_errinfo_set(ei, CT_ERR_NOT_FOUND, "%s: no such object (%s)", what, d);
	case LDAP_ALREADY_EXISTS:
		return ct_errinfo_set(ei, CT_ERR_CONFLICT, "%s: already exists (%s)", what, d);
	default:
		return ct_errinfo_set(ei, CT_ERR_REFUSED, "%s: the DC refused: %s (%s)", what,
				      ldap_err2string(rc), d);
	}
}

/* The session's diagnostic message for the last failure, for ad_ldap_error. */
static int session_error(LDAP *ld, int rc, const char *what, struct ct_errinfo *ei)
{
	char *diag = NULL;

	ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
	rc = ad_ldap_error(rc, diag, what, ei);
	ldap_memfree(diag);
	return rc;
}

/* GSSAPI asks no questions: every prompt keeps its default. */
static int sasl_quiet(LDAP *ld, unsigned flags, void *defaults, void *interact)
{
	(void)ld;
	(void)flags;
	(void)defaults;
	(void)interact;
	return LDAP_SUCCESS;
}

int ad_ldap_connect(const struct ad_ldap_params *p, struct ad_ldap **out,
		    struct ct_errinfo *ei)
{
	struct timeval tv = {p->timeout_s > 0 ? p->timeout_s : 30, 0};
	int version = LDAP_VERSION3, require = LDAP_OPT_X_TLS_HARD, zero = 0, rc;
	struct berval cred;
	struct ad_ldap *l;
	char url[512];
	LDAP *ld = NULL;

	if (snprintf(url, sizeof(url), "%s://%s", p->kerberos ? "ldap" : "ldaps",
		     p->host) >= (int)sizeof(url) ||
	    strpbrk(p->host, "/?# ") != NULL)
		return ct_errinfo_set(ei, CT_ERR_USAGE, "--dc: not a host name: %s", p->host);
	rc = ldap_initialize(&ld, url);
	if (rc != LDAP_SUCCESS)
		return ad_ldap_error(rc, NULL, "connecting to the DC", ei);
	ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version);
	ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
	ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv);
	ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv);
	if (p->kerberos) {
		/* Kerberos: GSSAPI with the caller's ticket (KRB5CCNAME) and a
		 * sealed SASL layer on plain LDAP, as AD tools do; AD and Samba
		 * refuse SASL sealing inside TLS.  ldap/<--dc as given>. */
		ldap_set_option(ld, LDAP_OPT_X_SASL_NOCANON, LDAP_OPT_ON);
		rc = ldap_set_option(ld, LDAP_OPT_X_SASL_SECPROPS, "minssf=56");
		if (rc == LDAP_SUCCESS)
			rc = ldap_sasl_interactive_bind_s(ld, NULL, "GSSAPI", NULL, NULL,
							  LDAP_SASL_QUIET, sasl_quiet, NULL);
		if (rc != LDAP_SUCCESS) {
			rc = session_error(ld, rc, AD_LDAP_BIND_STEP " with Kerberos (kinit first; "
					   "KRB5CCNAME names the ticket cache)", ei);
			goto out;
		}
	} else {
		ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &require);
		if (p->cacert != NULL)
			ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, p->cacert);
		/* A new TLS context, so the options above apply to this session. */
		rc = ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &zero);
		if (rc != LDAP_SUCCESS) {
			rc = session_error(ld, rc, "setting up TLS (--dc-cacert)", ei);
			goto out;
		}
		cred.bv_val = (char *)p->password;
		cred.bv_len = strlen(p->password);
		rc = ldap_sasl_bind_s(ld, p->bind_dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL);
	}
	if (rc != LDAP_SUCCESS) {
		rc = session_error(ld, rc, AD_LDAP_BIND_STEP, ei);
		goto out;
	}
	l = calloc(1, sizeof(*l));
	if (l == NULL) {
		rc = ct_errinfo_set(ei, CT_ERR_NOMEM, "out of memory");
		goto out;
	}
	l->ld = ld;
	ld = NULL;
	*out = l;
	rc = 0;
out:
	if (ld != NULL)
		ldap_unbind_ext_s(ld, NULL, NULL);
	return rc;
}

void ad_ldap_close(struct ad_ldap *l)
{
	if (l == NULL)
		return;
	ldap_unbind_ext_s(l->ld, NULL, NULL);
	free(l);
}

/* Reads attr of dn, with the extended-DN control when ext_dn. */
static int get_values(struct ad_ldap *l, const char *dn, const char *attr, bool ext_dn,
		      struct berval ***out, struct ct_errinfo *ei)
{
	/* ExtendedDNFormat 1: SEQUENCE { INTEGER 1 }, string form of SID/GUID */
	static char ext_val[] = {0x30, 0x03, 0x02, 0x01, 0x01};
	LDAPControl ctrl = {AD_OID_EXTENDED_DN, {sizeof(ext_val), ext_val}, 0};
	LDAPControl *ctrls[] = {&ctrl, NULL};
	char *attrs[] = {(char *)attr, NULL}, what[256];
	LDAPMessage *res = NULL, *e;
	int rc;

	snprintf(what, sizeof(what), "reading %s of %s", attr, dn);
	rc = ldap_search_ext_s(l->ld, dn, LDAP_SCOPE_BASE, "(objectClass=*)", attrs, 0,
			       ext_dn ? ctrls : NULL, NULL, NULL, 2, &res);
	if (rc != LDAP_SUCCESS) {
		rc = session_error(l->ld, rc, what, ei);
		goto out;
	}
	e = ldap_first_entry(l->ld, res);
	if (e == NULL) {
		rc = ct_errinfo_set(ei, CT_ERR_NOT_FOUND, "%s: no such object", what);
		goto out;
	}
	*out = ldap_get_values_len(l->ld, e, attr);
	rc = 0;
out:
	ldap_msgfree(res);
	return rc;
}

int ad_ldap_get(struct ad_ldap *l, const char *dn, const char *attr,
		struct berval ***out, struct ct_errinfo *ei)
{
	return get_values(l, dn, attr, false, out, ei);
}

int ad_ldap_get_sids(struct ad_ldap *l, const char *dn, const char *attr, char ***out,
		     struct ct_errinfo *ei)
{
	struct berval **v = NULL;
	char **sids;
	size_t i, n = 0;
	int r = get_values(l, dn, attr, true, &v, ei);

	if (r != 0)
		return r;
	while (v != NULL && v[n] != NULL)
		n++;
	sids = calloc(n + 1, sizeof(*sids));
	if (sids == NULL)
		r = ct_errinfo_set(ei, CT_ERR_NOMEM, "out of memory");
	for (i = 0; r == 0 && i < n; i++) {
		/* "<GUID=...>;<SID=S-1-...>;CN=..." */
		const char *p = memmem(v[i]->bv_val, v[i]->bv_len, "<SID=", 5);
		const char *end = p != NULL ? memchr(p, '>', v[i]->bv_len -
						     (size_t)(p - v[i]->bv_val)) : NULL;

		sids[i] = end != NULL ? strndup(p + 5, (size_t)(end - p - 5)) : strdup("");
		if (sids[i] == NULL)
			r = ct_errinfo_set(ei, CT_ERR_NOMEM, "out of memory");
	}
	ber_bvecfree(v);
	if (r == 0)
		*out = sids;
	else
		ad_ldap_free_strv(sids);
	return r;
}

void ad_ldap_free_strv(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

int ad_ldap_get_str(struct ad_ldap *l, const char *dn, const char *attr, char **out,
		    struct ct_errinfo *ei)
{
	struct berval **v = NULL;
	char *s = NULL;
	int r = ad_ldap_get(l, dn, attr, &v, ei);

	if (r != 0)
		return r;
	if (v != NULL && v[0] != NULL) {
		s = strndup(v[0]->bv_val, v[0]->bv_len);
		if (s == NULL)
			r = ct_errinfo_set(ei, CT_ERR_NOMEM, "out of memory");
	}
	ber_bvecfree(v);
	if (r == 0)
		*out = s;
	return r;
}

/* An operation's result: 0, or the mapped error for step what. */
static int op_result(struct ad_ldap *l, int rc, const char *what, struct ct_errinfo *ei)
{
	return rc == LDAP_SUCCESS ? 0 : session_error(l->ld, rc, what, ei);
}

int ad_ldap_add(struct ad_ldap *l, const char *dn, LDAPMod **mods, bool rodc_dcpromo,
		const char *what, struct ct_errinfo *ei)
{
	LDAPControl ctrl = {AD_OID_RODC_DCPROMO, {0, NULL}, 1};
	LDAPControl *ctrls[] = {&ctrl, NULL};

	return op_result(l, ldap_add_ext_s(l->ld, dn, mods, rodc_dcpromo ? ctrls : NULL, NULL),
			 what, ei);
}

int ad_ldap_modify(struct ad_ldap *l, const char *dn, LDAPMod **mods, const char *what,
		   struct ct_errinfo *ei)
{
	return op_result(l, ldap_modify_ext_s(l->ld, dn, mods, NULL, NULL), what, ei);
}

int ad_ldap_delete(struct ad_ldap *l, const char *dn, const char *what,
		   struct ct_errinfo *ei)
{
	return op_result(l, ldap_delete_ext_s(l->ld, dn, NULL, NULL), what, ei);
}
