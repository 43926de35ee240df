/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Secrets at rest.  One master key (a file of its own, mode 0600) seals
 * every other secret the service stores: Kerberos server keys, TOTP secrets,
 * CA keys.  A sealed blob is AES-256-GCM under the master key with a random
 * IV; the associated data binds the blob format version, the master key id
 * and a purpose label, so a blob sealed as "totp" cannot be opened as
 * "ca-key", and a blob from another master key is refused by its key id.
 *
 * Key file (CT_SEAL_KEYFILE_LEN bytes):
 *   "CTMK" | version (1) | key id (4, big-endian) | key (32)
 * Blob:
 *   version (1) | key id (4, big-endian) | IV (12) | ciphertext | tag (16)
 * AAD: version | key id | purpose label bytes (no NUL).
 *
 * A struct ct_seal is immutable once loaded, so threads may share it.
 */
#ifndef CT_SEAL_H
#define CT_SEAL_H

#include <stddef.h>
#include <stdint.h>

#include "ct-buf.h"
#include "ct-error.h"

#define CT_SEAL_VERSION 1
#define CT_SEAL_KEY_LEN 32
#define CT_SEAL_IV_LEN 12
#define CT_SEAL_TAG_LEN 16
/* Bytes a sealed blob adds to its plaintext. */
#define CT_SEAL_OVERHEAD (1 + 4 + CT_SEAL_IV_LEN + CT_SEAL_TAG_LEN)
#define CT_SEAL_KEYFILE_LEN (4 + 1 + 4 + CT_SEAL_KEY_LEN)
/* A fingerprint is this many hex digits (the first 8 bytes of SHA-256). */
#define CT_SEAL_FINGERPRINT_LEN 16

struct ct_seal;

/*
 * Creates a new master key file at path: random key, random key id, mode
 * 0600, never over an existing file or through a symlink (O_EXCL |
 * O_NOFOLLOW), synced to disk with its directory.  Returns 0,
 * CT_ERR_UNSAFE_PATH (path exists or is a symlink), CT_ERR_PERMISSION,
 * CT_ERR_IO, CT_ERR_CRYPTO (no randomness).
 */
int ct_seal_keyfile_create(const char *path, struct ct_errinfo *ei);

/*
 * Loads a master key file into a new context owned by the caller (free with
 * ct_seal_free).  The file must be a regular file (not a symlink) owned by
 * the effective uid or root with no group or other permission bits.
 * Returns 0, CT_ERR_UNSAFE_PATH (symlink, not a regular file, wrong owner),
 * CT_ERR_PERMISSION (mode allows group/other, or open refused),
 * CT_ERR_NOT_FOUND, CT_ERR_BAD_VALUE (not a key file), CT_ERR_IO,
 * CT_ERR_NOMEM.
 */
int ct_seal_keyfile_load(const char *path, struct ct_seal **out,
			 struct ct_errinfo *ei);

/*
 * Makes a context from raw key bytes and a key id (tests, and keys that
 * arrive by other means).  The key is copied.  Returns 0 or CT_ERR_NOMEM.
 */
int ct_seal_from_key(const uint8_t key[CT_SEAL_KEY_LEN], uint32_t key_id,
		     struct ct_seal **out);

/* Wipes the key and frees the context; NULL is a no-op. */
void ct_seal_free(struct ct_seal *s);

/* The master key id (safe to log). */
uint32_t ct_seal_key_id(const struct ct_seal *s);

/*
 * Seals plain (at most CT_SEAL_MAX_PLAIN bytes) for purpose (1 to
 * CT_SEAL_MAX_PURPOSE printable ASCII characters, no spaces) and appends
 * the blob to out; out's contents are unchanged on failure (a failed
 * reserve latches out->err, as every ct_buf does).  Returns 0, CT_ERR_INVALID_ARG (bad
 * purpose), CT_ERR_TOO_LARGE (plaintext, or out's cap), CT_ERR_NOMEM,
 * CT_ERR_CRYPTO.
 */
int ct_seal(const struct ct_seal *s, const char *purpose,
	    const uint8_t *plain, size_t len, struct ct_buf *out);

/*
 * Opens a blob sealed for purpose and appends the plaintext to out (a
 * ct_buf wipes itself when freed); out's contents are unchanged on failure
 * (unauthenticated plaintext is wiped before returning).  Returns 0,
 * CT_ERR_INTEGRITY (any modification, wrong purpose, wrong master key,
 * truncated or unknown version: ei says which), CT_ERR_INVALID_ARG (bad
 * purpose), CT_ERR_TOO_LARGE, CT_ERR_NOMEM, CT_ERR_CRYPTO.
 */
int ct_unseal(const struct ct_seal *s, const char *purpose,
	      const uint8_t *blob, size_t len, struct ct_buf *out,
	      struct ct_errinfo *ei) __attribute__((warn_unused_result));

/*
 * Writes CT_SEAL_FINGERPRINT_LEN lower-case hex digits and a NUL: the
 * first 8 bytes of SHA-256 over key, so logs can tell keys apart without
 * showing them.  Returns 0 or CT_ERR_CRYPTO.
 */
int ct_seal_fingerprint(const uint8_t *key, size_t len,
			char out[CT_SEAL_FINGERPRINT_LEN + 1]);

/* The fingerprint of the master key itself.  Returns 0 or CT_ERR_CRYPTO. */
int ct_seal_master_fingerprint(const struct ct_seal *s,
			       char out[CT_SEAL_FINGERPRINT_LEN + 1]);

#endif
