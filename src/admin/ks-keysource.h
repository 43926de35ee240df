/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Where kerberos-server gets the key of the krbtgt_N account.
 *
 *   samba:   reads the key on the DC from the local database (samba-tool, as
 *            root).  Samba replaces any password set on a krbtgt account
 *            with a random one, so after a rotation it reads the key again.
 *   windows: a Windows DC never reveals a key, so the only key it can know
 *            is one it made: rotate sets a random password over LDAPS and
 *            derives the key with the account's salt (MS-KILE: the upper-case
 *            realm followed by the sAMAccountName).  It cannot read an
 *            existing key; set on a new object rotates to learn one.
 */
#ifndef CT_KS_KEYSOURCE_H
#define CT_KS_KEYSOURCE_H

#include <stdint.h>

#include "ks-supcreds.h"

struct ks_key_request {
	const char *account;    /* sAMAccountName, "krbtgt_N" */
	const char *samba_conf; /* smb.conf of the DC, or NULL for samba's default */
	int32_t enctype;        /* 18 */
	const char *realm;      /* upper-case realm (the salt's first half) */
	uint32_t key_version;   /* after a rotation: msDS-KeyVersionNumber as LDAP reads it */
};

struct ks_key_result {
	struct ks_keys keys;
	uint32_t key_version; /* msDS-KeyVersionNumber, low 16 bits */
};

struct ks_keysource {
	const char *name;
	/* Fills *out (the caller wipes it with ct_zap); returns 0 or CT_ERR_*. */
	int (*read_key)(const struct ks_key_request *req, struct ks_key_result *out,
			struct ct_errinfo *ei);
	/* After password (the random one rotate set over LDAPS) was accepted:
	 * the key it produced.  Same contract as read_key. */
	int (*new_key)(const struct ks_key_request *req, const char *password,
		       struct ks_key_result *out, struct ct_errinfo *ei);
};

/* Reads the key with `samba-tool user getpassword` on this host (root). */
extern const struct ks_keysource ks_keysource_samba;
/* Derives the key from the password rotate set (string-to-key, salt). */
extern const struct ks_keysource ks_keysource_windows;

/* The source named name ("samba", "windows"), or NULL. */
const struct ks_keysource *ks_keysource_find(const char *name);

/*
 * The windows source's derivation, for tests against Samba's stored keys:
 * string-to-key of password with salt realm || account, enctype.
 */
int ks_windows_derive(const char *realm, const char *account, const char *password,
		      int32_t enctype, struct ks_key *out, struct ct_errinfo *ei);

/*
 * Parses what `samba-tool user getpassword ACCOUNT
 * --attributes=msDS-KeyVersionNumber,supplementalCredentials` prints (LDIF,
 * folded lines, base64 attribute) into *out.  Returns 0, CT_ERR_TOO_LARGE,
 * CT_ERR_MISSING_FIELD (an attribute is absent: no password set, or not
 * readable), CT_ERR_BAD_BASE64, CT_ERR_BAD_VALUE, or ks_supcreds_decode's
 * errors.  *out is written only on success.
 */
int ks_samba_parse(const char *text, size_t len, int32_t enctype, struct ks_key_result *out,
		   struct ct_errinfo *ei);

#endif
