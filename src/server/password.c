/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Argon2id password hashes.  libargon2 does the hashing, the encoding and
 * the constant-time comparison; this file refuses what should not reach
 * it: over-long or NUL-containing passwords, and stored encodings that are
 * not Argon2id v19 or that would make one check cost more than the caps.
 */
#include "password.h"

#include <argon2.h>
#include <openssl/rand.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ct-error.h"
#include "ct-limits.h"

const struct ct_password_params ct_password_default_params = {
	.t_cost = CT_PASSWORD_T_COST,
	.m_cost_kib = CT_PASSWORD_M_COST_KIB,
	.parallelism = CT_PASSWORD_PARALLELISM,
};

static int password_ok(const char *password, size_t len)
{
	if (password == NULL || len == 0)
		return CT_ERR_INVALID_ARG;
	if (len > CT_PASSWORD_MAX)
		return CT_ERR_TOO_LARGE;
	if (memchr(password, '\0', len) != NULL)
		return CT_ERR_INVALID_ARG;
	return 0;
}

/* Argon2 needs 8 KiB of memory per lane; the caps bound the cost of one check. */
static bool params_ok(const struct ct_password_params *p)
{
	return p->t_cost >= 1 && p->t_cost <= CT_PASSWORD_MAX_T &&
	       p->parallelism >= 1 && p->parallelism <= CT_PASSWORD_MAX_P &&
	       p->m_cost_kib >= 8 * p->parallelism &&
	       p->m_cost_kib <= CT_PASSWORD_MAX_M_KIB;
}

/* A decimal number without sign or leading zeros, then the character end. */
static bool parse_u32(const char **s, char end, uint32_t *out)
{
	const char *p = *s;
	uint64_t v = 0;

	if (*p < '0' || *p > '9' || (*p == '0' && p[1] != end))
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > UINT32_MAX)
			return false;
	}
	if (*p != end)
		return false;
	*out = (uint32_t)v;
	*s = p + 1;
	return true;
}

/* Reads the costs from "$argon2id$v=19$m=M,t=T,p=P$..." and checks them. */
static int parse_costs(const char *encoded)
{
	static const char prefix[] = "$argon2id$v=19$m=";
	struct ct_password_params p;
	const char *s = encoded;

	if (strnlen(encoded, CT_PASSWORD_MAX_ENCODED + 1) > CT_PASSWORD_MAX_ENCODED ||
	    strncmp(s, prefix, sizeof(prefix) - 1) != 0)
		return CT_ERR_BAD_VALUE;
	s += sizeof(prefix) - 1;
	if (!parse_u32(&s, ',', &p.m_cost_kib) || strncmp(s, "t=", 2) != 0)
		return CT_ERR_BAD_VALUE;
	s += 2;
	if (!parse_u32(&s, ',', &p.t_cost) || strncmp(s, "p=", 2) != 0)
		return CT_ERR_BAD_VALUE;
	s += 2;
	if (!parse_u32(&s, '$', &p.parallelism) || !params_ok(&p))
		return CT_ERR_BAD_VALUE;
	return 0;
}

int ct_password_hash(const char *password, size_t len,
		     const struct ct_password_params *params, char **out)
{
	uint8_t salt[CT_PASSWORD_SALT_LEN];
	size_t enclen;
	char *enc;
	int r;

	if (params == NULL)
		params = &ct_password_default_params;
	r = password_ok(password, len);
	if (r != 0)
		return r;
	if (!params_ok(params))
		return CT_ERR_INVALID_ARG;
	if (RAND_bytes(salt, sizeof(salt)) != 1)
		return CT_ERR_CRYPTO;
	enclen = argon2_encodedlen(params->t_cost, params->m_cost_kib,
				   params->parallelism, sizeof(salt),
				   CT_PASSWORD_HASH_LEN, Argon2_id);
	enc = malloc(enclen);
	if (enc == NULL)
		return CT_ERR_NOMEM;
	r = argon2id_hash_encoded(params->t_cost, params->m_cost_kib,
				  params->parallelism, password, len, salt,
				  sizeof(salt), CT_PASSWORD_HASH_LEN, enc, enclen);
	if (r != ARGON2_OK) {
		free(enc);
		return r == ARGON2_MEMORY_ALLOCATION_ERROR ? CT_ERR_NOMEM
							   : CT_ERR_CRYPTO;
	}
	*out = enc;
	return 0;
}

int ct_password_verify(const char *encoded, const char *password, size_t len)
{
	int r;

	r = password_ok(password, len);
	if (r != 0)
		return r;
	if (encoded == NULL)
		return CT_ERR_BAD_VALUE;
	r = parse_costs(encoded);
	if (r != 0)
		return r;
	switch (argon2id_verify(encoded, password, len)) {
	case ARGON2_OK:
		return 0;
	case ARGON2_VERIFY_MISMATCH:
		return CT_ERR_INTEGRITY;
	case ARGON2_MEMORY_ALLOCATION_ERROR:
		return CT_ERR_NOMEM;
	default:
		/* Decoding failures, salt or hash too short, and the like. */
		return CT_ERR_BAD_VALUE;
	}
}
