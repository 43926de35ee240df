/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The tpm key file: format, strict decoder and encoder, and the one key
 * template the store makes and accepts.
 *
 * After the common header (ks-file.h), little-endian lengths:
 *   2  length, then TPM2B_PUBLIC  (TPM marshalling, tss2-mu)
 *   2  length, then TPM2B_PRIVATE (the TPM-wrapped private key)
 * and nothing after.  Each length must be exactly what the structure
 * unmarshals to.
 *
 * The public area must be the Hello key template exactly: ECC P-256,
 * nameAlg SHA-256, ECDSA with SHA-256, no symmetric part, no KDF, an empty
 * authPolicy, and the attributes fixedTPM | fixedParent |
 * sensitiveDataOrigin | userWithAuth | sign.  In particular noDA is clear
 * (the TPM's dictionary-attack lockout guards the PIN) and there is no
 * policy that could stand in for the PIN; a file claiming anything else is
 * refused before it reaches the TPM.
 */
#ifndef CT_KS_TPM_FILE_H
#define CT_KS_TPM_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tss2/tss2_tpm2_types.h>

#include "ct-buf.h"

/* Attributes of the Hello key. */
#define CT_KS_TPM_KEY_ATTRS                                                 \
	(TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |                    \
	 TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |        \
	 TPMA_OBJECT_SIGN_ENCRYPT)

/* A decoded file; label points into the decoded bytes. */
struct ks_tpm_file {
	const uint8_t *label;
	size_t label_len;
	TPM2B_PUBLIC pub;
	TPM2B_PRIVATE priv;
};

/* The template a new Hello key is created from. */
void ks_tpm_key_template(TPM2B_PUBLIC *tmpl);

/* Is pub a Hello key made from that template (with a P-256 point)? */
bool ks_tpm_public_ok(const TPM2B_PUBLIC *pub);

/* Decodes p[0..n) strictly (CT_ERR_BAD_VALUE / TRUNCATED / TRAILING). */
int ks_tpm_file_decode(const uint8_t *p, size_t n, struct ks_tpm_file *f);

/* Encodes f to out. */
void ks_tpm_file_encode(const struct ks_tpm_file *f, struct ct_buf *out);

#endif
