/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The tpm key file's strict decoder and its encoder (format in
 * ks-tpm-file.h).  tss2-mu does the TPM marshalling; this file bounds the
 * lengths around it and checks the key template.
 */
#include "ks-tpm-file.h"

#include <string.h>
#include <tss2/tss2_mu.h>

#include "ct-error.h"
#include "ks-file.h"
#include "ks-internal.h"

void ks_tpm_key_template(TPM2B_PUBLIC *tmpl)
{
	memset(tmpl, 0, sizeof(*tmpl));
	tmpl->publicArea.type = TPM2_ALG_ECC;
	tmpl->publicArea.nameAlg = TPM2_ALG_SHA256;
	tmpl->publicArea.objectAttributes = CT_KS_TPM_KEY_ATTRS;
	tmpl->publicArea.parameters.eccDetail.symmetric.algorithm = TPM2_ALG_NULL;
	tmpl->publicArea.parameters.eccDetail.scheme.scheme = TPM2_ALG_ECDSA;
	tmpl->publicArea.parameters.eccDetail.scheme.details.ecdsa.hashAlg =
		TPM2_ALG_SHA256;
	tmpl->publicArea.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
	tmpl->publicArea.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
}

bool ks_tpm_public_ok(const TPM2B_PUBLIC *pub)
{
	const TPMT_PUBLIC *a = &pub->publicArea;
	const TPMS_ECC_PARMS *e = &a->parameters.eccDetail;

	return a->type == TPM2_ALG_ECC && a->nameAlg == TPM2_ALG_SHA256 &&
	       a->objectAttributes == CT_KS_TPM_KEY_ATTRS &&
	       a->authPolicy.size == 0 &&
	       e->symmetric.algorithm == TPM2_ALG_NULL &&
	       e->scheme.scheme == TPM2_ALG_ECDSA &&
	       e->scheme.details.ecdsa.hashAlg == TPM2_ALG_SHA256 &&
	       e->curveID == TPM2_ECC_NIST_P256 && e->kdf.scheme == TPM2_ALG_NULL &&
	       a->unique.ecc.x.size > 0 && a->unique.ecc.x.size <= 32 &&
	       a->unique.ecc.y.size > 0 && a->unique.ecc.y.size <= 32;
}

/* A 16-bit length and that many bytes, handed to an unmarshaller that must
 * consume exactly them. */
static const uint8_t *get_blob(struct ct_cursor *c, size_t *len)
{
	uint16_t n = ct_cursor_get_le16(c);

	if (c->err != 0)
		return NULL;
	if (n == 0 || n > CT_KS_MAX_FILE) {
		ct_cursor_fail(c, CT_ERR_BAD_VALUE);
		return NULL;
	}
	*len = n;
	return ct_cursor_get(c, n);
}

/* Marshals obj into tmp (sizeof(tmp) bytes); returns the length or 0. */
static size_t marshal(const void *obj, bool is_pub, uint8_t *tmp, size_t cap)
{
	size_t off = 0;
	TSS2_RC rc;

	rc = is_pub ? Tss2_MU_TPM2B_PUBLIC_Marshal(obj, tmp, cap, &off)
		    : Tss2_MU_TPM2B_PRIVATE_Marshal(obj, tmp, cap, &off);
	return rc == TSS2_RC_SUCCESS ? off : 0;
}

/* tss2-mu does not check a TPM2B's inner size against what its structure
 * takes, so an accepted blob must marshal back to the very same bytes. */
static bool canonical(const void *obj, bool is_pub, const uint8_t *p, size_t n)
{
	uint8_t tmp[sizeof(TPM2B_PUBLIC) + sizeof(TPM2B_PRIVATE)];
	size_t m = marshal(obj, is_pub, tmp, sizeof(tmp));

	return m == n && memcmp(tmp, p, n) == 0;
}

int ks_tpm_file_decode(const uint8_t *p, size_t n, struct ks_tpm_file *f)
{
	const uint8_t *pub, *priv;
	size_t pub_len = 0, priv_len = 0, off;
	struct ct_cursor c;
	int r;

	memset(f, 0, sizeof(*f));
	ct_cursor_init(&c, p, n);
	r = ks_header_get(&c, CT_KS_TPM, &f->label, &f->label_len);
	if (r != 0)
		return r;
	pub = get_blob(&c, &pub_len);
	priv = get_blob(&c, &priv_len);
	if (c.err != 0)
		return c.err;
	if (!ct_cursor_empty(&c))
		return CT_ERR_TRAILING;
	off = 0;
	if (Tss2_MU_TPM2B_PUBLIC_Unmarshal(pub, pub_len, &off, &f->pub) != TSS2_RC_SUCCESS ||
	    off != pub_len || !ks_tpm_public_ok(&f->pub) ||
	    !canonical(&f->pub, true, pub, pub_len))
		return CT_ERR_BAD_VALUE;
	off = 0;
	if (Tss2_MU_TPM2B_PRIVATE_Unmarshal(priv, priv_len, &off, &f->priv) != TSS2_RC_SUCCESS ||
	    off != priv_len || f->priv.size == 0 ||
	    !canonical(&f->priv, false, priv, priv_len))
		return CT_ERR_BAD_VALUE;
	return 0;
}

/* Marshals obj, then appends its 16-bit length and bytes. */
static void put_marshalled(struct ct_buf *out, const void *obj, bool is_pub)
{
	uint8_t tmp[sizeof(TPM2B_PUBLIC) + sizeof(TPM2B_PRIVATE)];
	size_t off = marshal(obj, is_pub, tmp, sizeof(tmp));

	if (off == 0 || off > UINT16_MAX) {
		out->err = out->err != 0 ? out->err : CT_ERR_INVALID_ARG;
		return;
	}
	ct_buf_put_le16(out, (uint16_t)off);
	ct_buf_put(out, tmp, off);
}

void ks_tpm_file_encode(const struct ks_tpm_file *f, struct ct_buf *out)
{
	ks_header_put(out, CT_KS_TPM, f->label, f->label_len);
	put_marshalled(out, &f->pub, true);
	put_marshalled(out, &f->priv, false);
}
