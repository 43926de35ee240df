/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers the keystore tests share: files, signature checks with OpenSSL. */
#ifndef CT_KS_TEST_H
#define CT_KS_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <openssl/evp.h>

/* A fresh 0700 directory under $TMPDIR (or /tmp); removed by ks_test_rmdir. */
char *ks_test_mkdtemp(void);
/* Removes dir and the files in it (one level). */
void ks_test_rmdir(const char *dir);
/* "<dir>/<sha256 hex of label><suffix>" in a static buffer (two rotate). */
const char *ks_test_key_path(const char *dir, const char *label, const char *suffix);
/* Reads a whole file into a new buffer; NULL when missing. */
uint8_t *ks_test_read(const char *path, size_t *len);
/* Replaces path with p[0..n), mode 0600. */
bool ks_test_write(const char *path, const void *p, size_t n);
bool ks_test_exists(const char *path);
/* Does the 64-byte R || S sig verify over data with pub (ES256)? */
bool ks_test_verify(EVP_PKEY *pub, const uint8_t *data, size_t len,
		    const uint8_t *sig, size_t siglen);

#endif
