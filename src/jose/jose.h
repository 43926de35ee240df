/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Types shared by the JWS and JWE modules: the algorithms this project
 * speaks and a borrowed byte range.
 *
 * Algorithms are bits, so a caller states what it accepts as a mask
 * (CT_JOSE_RS256 | CT_JOSE_ES256).  "none" and every name not listed here
 * map to CT_JOSE_ALG_UNKNOWN, which no mask can allow.
 */
#ifndef CT_JOSE_H
#define CT_JOSE_H

#include <stddef.h>
#include <stdint.h>

enum ct_jose_alg {
	CT_JOSE_ALG_UNKNOWN = 0,
	/* JWS */
	CT_JOSE_RS256 = 1u << 0,
	CT_JOSE_ES256 = 1u << 1,
	CT_JOSE_HS256 = 1u << 2,
	/* JWE key management */
	CT_JOSE_RSA_OAEP = 1u << 3,     /* SHA-1: what clients use */
	CT_JOSE_RSA_OAEP_256 = 1u << 4, /* SHA-256: the stronger form */
	CT_JOSE_DIR = 1u << 5,
};

/* The only content encryption: AES-256-GCM, 12-byte IV, 16-byte tag. */
#define CT_JOSE_ENC_A256GCM "A256GCM"
#define CT_JOSE_GCM_KEY_LEN 32
#define CT_JOSE_GCM_IV_LEN 12
#define CT_JOSE_GCM_TAG_LEN 16

/* Bytes borrowed from an object that owns them. */
struct ct_jose_blob {
	const uint8_t *data;
	size_t len;
};

/* Maps an "alg" value to its bit; CT_JOSE_ALG_UNKNOWN when not ours. */
enum ct_jose_alg ct_jose_alg_from_name(const char *name);

/* The "alg" value of a bit ("RS256"), or "unknown". */
const char *ct_jose_alg_name(enum ct_jose_alg alg);

#endif
