/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Strict decoder of an AD account's supplementalCredentials attribute
 * (MS-SAMR 2.2.10.1 USER_PROPERTIES), as far as the Kerberos keys: the
 * package "Primary:Kerberos-Newer-Keys" (hex text) holds a
 * KERB_STORED_CREDENTIAL_NEW (MS-SAMR 2.2.10.6, revision 4) whose current
 * and previous key lists carry one key per enctype.
 */
#ifndef CT_KS_SUPCREDS_H
#define CT_KS_SUPCREDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ct-error.h"

/* The largest key any supported enctype has (aes256-cts-hmac-sha1-96). */
#define KS_KEY_MAX 32

struct ks_key {
	int32_t enctype;
	size_t len;
	uint8_t key[KS_KEY_MAX];
};

/* The keys of one enctype: the current one and, when the DC keeps it, the
 * previous one (the "old" credentials, one key version earlier). */
struct ks_keys {
	struct ks_key current;
	bool has_old;
	struct ks_key old;
};

/*
 * Decodes blob (the attribute's raw bytes, len at most
 * CT_KS_MAX_SUPCREDS) and returns in *out the keys of enctype.  Every
 * length, count and offset is checked against the data; trailing or
 * overlapping garbage is refused.  Returns 0, CT_ERR_TOO_LONG,
 * CT_ERR_BAD_VALUE / CT_ERR_TRUNCATED / CT_ERR_TRAILING (malformed),
 * CT_ERR_NOT_FOUND (no Kerberos-Newer-Keys package, or no key of enctype).
 * *out is written only on success; the caller wipes it (ct_zap).
 */
int ks_supcreds_decode(const uint8_t *blob, size_t len, int32_t enctype,
		       struct ks_keys *out, struct ct_errinfo *ei);

#endif
