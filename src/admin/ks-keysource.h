/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Where kerberos-server set gets the key of the krbtgt_N account.  Only the
 * Samba source exists: it reads the key on the DC from the local database
 * (samba-tool, as root).  A Windows DC source (set a random password over
 * LDAPS, derive the keys with the account's salt) is meant to sit beside it
 * behind the same interface; it is not written yet.
 */
#ifndef CT_KS_KEYSOURCE_H
#define CT_KS_KEYSOURCE_H

#include <stdint.h>

#include "ks-supcreds.h"

struct ks_key_request {
	const char *account;    /* sAMAccountName, "krbtgt_N" */
	const char *samba_conf; /* smb.conf of the DC, or NULL for samba's default */
	int32_t enctype;        /* 18 */
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
};

/* Reads the key with `samba-tool user getpassword` on this host (root). */
extern const struct ks_keysource ks_keysource_samba;

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
