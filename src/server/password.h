/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Password hashing with Argon2id (libargon2), stored in the standard
 * encoded form "$argon2id$v=19$m=...,t=...,p=...$salt$hash".
 */
#ifndef CT_PASSWORD_H
#define CT_PASSWORD_H

#include <stddef.h>
#include <stdint.h>

/* Default costs (RFC 9106's second recommended option): 3 passes over 64 MiB, one lane. */
#define CT_PASSWORD_T_COST 3
#define CT_PASSWORD_M_COST_KIB (64 * 1024)
#define CT_PASSWORD_PARALLELISM 1
#define CT_PASSWORD_SALT_LEN 16
#define CT_PASSWORD_HASH_LEN 32

struct ct_password_params {
	uint32_t t_cost;	/* passes */
	uint32_t m_cost_kib;	/* memory in KiB */
	uint32_t parallelism;	/* lanes (and threads) */
};

/* The defaults above. */
extern const struct ct_password_params ct_password_default_params;

/*
 * Hashes password (len bytes: 1 to CT_PASSWORD_MAX, no NUL) with a random
 * 16-byte salt under params (NULL: the defaults; costs above the caps in
 * ct-limits.h are refused) and returns the encoded string in *out, owned
 * by the caller (free()).  Returns 0, CT_ERR_INVALID_ARG (empty, NUL,
 * bad params), CT_ERR_TOO_LARGE, CT_ERR_NOMEM, CT_ERR_CRYPTO.
 */
int ct_password_hash(const char *password, size_t len,
		     const struct ct_password_params *params, char **out);

/*
 * Checks password against an encoded Argon2id hash in constant time (the
 * comparison is libargon2's).  Returns 0 on a match, CT_ERR_INTEGRITY on a
 * mismatch, CT_ERR_BAD_VALUE for an encoding that is malformed, not
 * Argon2id version 19, or asks for more than the caps in ct-limits.h,
 * CT_ERR_INVALID_ARG / CT_ERR_TOO_LARGE for a password refused as in
 * ct_password_hash, CT_ERR_NOMEM.
 */
int ct_password_verify(const char *encoded, const char *password, size_t len)
	__attribute__((warn_unused_result));

#endif
