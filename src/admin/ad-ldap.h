/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small libldap client for Active Directory (and Samba AD): LDAPS with
 * the certificate verified against a CA file, simple bind, and the few
 * operations kerberos-server set/get/remove need.  Every LDAP failure is
 * mapped to a CT_ERR_* code with a message naming the cause:
 *   CT_ERR_NETWORK        the DC cannot be reached
 *   CT_ERR_CERT_UNTRUSTED the TLS handshake failed (certificate, CA file)
 *   CT_ERR_UNAUTHORIZED   invalid bind DN or password
 *   CT_ERR_PERMISSION     insufficient access (the message says for what)
 *   CT_ERR_NOT_FOUND      no such object
 *   CT_ERR_CONFLICT       the object already exists
 *   CT_ERR_REFUSED        anything else the DC refused
 */
#ifndef CT_AD_LDAP_H
#define CT_AD_LDAP_H

#include <stdbool.h>

#include <ldap.h>

#include "ct-error.h"

/* The RODC_DCPROMO control (MS-ADTS 3.1.1.5.2.3 / 3.1.1.3.4.1.23): makes
 * the DC create a krbtgt_N account for a read-only DC. */
#define AD_OID_RODC_DCPROMO "1.2.840.113556.1.4.1341"
/* LDAP_SERVER_EXTENDED_DN_OID (MS-ADTS 3.1.1.3.4.1.5): DN values carry
 * <GUID=...>;<SID=...>. */
#define AD_OID_EXTENDED_DN "1.2.840.113556.1.4.529"

/* The step a failed bind names first in its message (adm_main keeps its
 * admin-token hint for the cloud side's 401s). */
#define AD_LDAP_BIND_STEP "binding to the DC"

struct ad_ldap;

struct ad_ldap_params {
	const char *host;     /* DC name or address; ldaps://HOST:636 */
	const char *cacert;   /* PEM CA file; NULL: the system's store */
	const char *bind_dn;
	const char *password; /* secret: copied into libldap for the bind only */
	long timeout_s;
	bool kerberos;        /* GSSAPI, sealed, on ldap://: the ticket in KRB5CCNAME */
};

/*
 * Connects and binds.  Returns 0 with *out (free with ad_ldap_close), or
 * one of the codes above.
 */
int ad_ldap_connect(const struct ad_ldap_params *p, struct ad_ldap **out,
		    struct ct_errinfo *ei);

/* Unbinds and frees; NULL is a no-op. */
void ad_ldap_close(struct ad_ldap *l);

/*
 * Reads attribute attr of the object dn: its values in *out (NULL-terminated;
 * the caller frees it with ber_bvecfree), or *out = NULL when the object has
 * no such attribute.  Returns 0, CT_ERR_NOT_FOUND (no object dn), or a code
 * above.
 */
int ad_ldap_get(struct ad_ldap *l, const char *dn, const char *attr,
		struct berval ***out, struct ct_errinfo *ei);

/* Like ad_ldap_get for a single-valued text attribute: a copy in *out (the
 * caller frees it; NULL when absent). */
/*
 * The SIDs of the objects a DN-valued attribute names ("S-1-5-32-544"; an
 * empty string for a value without a SID), NULL-terminated in *out (free
 * with ad_ldap_free_strv), an empty list when the attribute is absent.
 */
int ad_ldap_get_sids(struct ad_ldap *l, const char *dn, const char *attr, char ***out,
		     struct ct_errinfo *ei);
void ad_ldap_free_strv(char **v);

int ad_ldap_get_str(struct ad_ldap *l, const char *dn, const char *attr, char **out,
		    struct ct_errinfo *ei);

/*
 * Adds dn with mods (NULL-terminated, mod_op LDAP_MOD_ADD), with the
 * RODC_DCPROMO control when rodc_dcpromo.  what names the step for a
 * CT_ERR_PERMISSION message ("create ... : needs RIGHT").  Returns 0 or a
 * code above.
 */
int ad_ldap_add(struct ad_ldap *l, const char *dn, LDAPMod **mods, bool rodc_dcpromo,
		const char *what, struct ct_errinfo *ei);

/* Modifies dn with mods; errors as ad_ldap_add. */
int ad_ldap_modify(struct ad_ldap *l, const char *dn, LDAPMod **mods, const char *what,
		   struct ct_errinfo *ei);

/* Deletes dn; errors as ad_ldap_add. */
int ad_ldap_delete(struct ad_ldap *l, const char *dn, const char *what,
		   struct ct_errinfo *ei);

/*
 * Maps an LDAP result code (with libldap's diagnostic message diag, may be
 * NULL) for step what to a CT_ERR_* code and message in ei; returns the code.
 */
int ad_ldap_error(int rc, const char *diag, const char *what, struct ct_errinfo *ei);

#endif
