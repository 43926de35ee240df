/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside the keystore library: the store handle, the limits on key files
 * (attacker-controlled bytes), and the per-kind operations keystore.c
 * dispatches to.  Callers outside src/client/keystore use keystore.h only.
 */
#ifndef CT_KS_INTERNAL_H
#define CT_KS_INTERNAL_H

#include <stdint.h>

#include "keystore.h"

/* A label (the UPN) in bytes of UTF-8; AD's userPrincipalName allows 1024. */
#define CT_KS_MAX_LABEL 1024
/* A PIN in bytes of UTF-8 (the PIN policy stops at 127 characters). */
#define CT_KS_MAX_PIN 1024
/* A whole key file of either kind. */
#define CT_KS_MAX_FILE 8192
/* Wrong PINs a key file or the options may allow before the lock. */
#define CT_KS_MAX_ATTEMPTS 100
/* Argon2id costs a soft key file may ask for: a hostile file must not make
 * one PIN check take gigabytes or minutes (the default is t=3, 64 MiB). */
#define CT_KS_SOFT_MAX_T 16
#define CT_KS_SOFT_MAX_M_KIB (256 * 1024)
#define CT_KS_SOFT_MAX_P 8
/* Public key (SubjectPublicKeyInfo DER; P-256 needs 91 bytes) and the sealed
 * private key (SEC1 DER of a P-256 key is about 121 bytes). */
#define CT_KS_SOFT_MAX_PUB 256
#define CT_KS_SOFT_MAX_SEALED 512

#define CT_KS_DEFAULT_ATTEMPTS 5
#define CT_KS_SOFT_DEFAULT_T 3
#define CT_KS_SOFT_DEFAULT_M_KIB (64 * 1024)
#define CT_KS_SOFT_DEFAULT_P 1

struct ks_tpm;

struct ct_keystore {
	enum ct_ks_kind kind;
	char *dir;
	unsigned max_attempts;
	uint32_t argon2_t, argon2_m_kib, argon2_p;
	struct ks_tpm *tpm;       /* tpm only */
};

/* Label and PIN checks shared by both kinds (ei gets the reason). */
int ks_label_check(const char *label, struct ct_errinfo *ei);
int ks_pin_check(const char *pin, const char *what, struct ct_errinfo *ei);

int ks_soft_create(struct ct_keystore *ks, const char *label, const char *pin,
		   EVP_PKEY **pub, struct ct_errinfo *ei);
int ks_soft_public(struct ct_keystore *ks, const char *label, EVP_PKEY **pub,
		   struct ct_errinfo *ei);
int ks_soft_sign(struct ct_keystore *ks, const char *label, const char *pin,
		 const uint8_t *data, size_t len, struct ct_buf *sig,
		 struct ct_errinfo *ei);
int ks_soft_change_pin(struct ct_keystore *ks, const char *label,
		       const char *old_pin, const char *new_pin,
		       struct ct_errinfo *ei);
int ks_soft_delete(struct ct_keystore *ks, const char *label,
		   struct ct_errinfo *ei);
int ks_soft_status(struct ct_keystore *ks, const char *label,
		   struct ct_ks_status *st, struct ct_errinfo *ei);

int ks_tpm_open(struct ct_keystore *ks, const char *tcti, struct ct_errinfo *ei);
void ks_tpm_close(struct ct_keystore *ks);
int ks_tpm_create(struct ct_keystore *ks, const char *label, const char *pin,
		  EVP_PKEY **pub, struct ct_errinfo *ei);
int ks_tpm_public(struct ct_keystore *ks, const char *label, EVP_PKEY **pub,
		  struct ct_errinfo *ei);
int ks_tpm_sign(struct ct_keystore *ks, const char *label, const char *pin,
		const uint8_t *data, size_t len, struct ct_buf *sig,
		struct ct_errinfo *ei);
int ks_tpm_change_pin(struct ct_keystore *ks, const char *label,
		      const char *old_pin, const char *new_pin,
		      struct ct_errinfo *ei);
int ks_tpm_delete(struct ct_keystore *ks, const char *label,
		  struct ct_errinfo *ei);
int ks_tpm_status(struct ct_keystore *ks, const char *label,
		  struct ct_ks_status *st, struct ct_errinfo *ei);

#endif
