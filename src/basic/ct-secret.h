/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Handling of secret bytes: wipe before free, compare in constant time,
 * fingerprint for logs instead of printing.
 */
#ifndef CT_SECRET_H
#define CT_SECRET_H

#include <stdbool.h>
#include <stddef.h>

/* Overwrites n bytes at p in a way the compiler may not elide. */
void ct_zap(void *p, size_t n);
/* Wipes n bytes at p then frees p; NULL is a no-op. */
void ct_erase_free(void *p, size_t n);
/* Wipes a NUL-terminated string then frees it; NULL is a no-op. */
void ct_erase_free_str(char *s);
/* Constant-time equality of two n-byte regions. */
bool ct_memeq_secret(const void *a, const void *b, size_t n)
	__attribute__((warn_unused_result));

#endif
