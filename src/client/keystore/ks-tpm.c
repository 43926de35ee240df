/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The tpm keystore, on tpm2-tss ESAPI.
 *
 * The Hello key is an ECC P-256 signing key (ECDSA/SHA-256) made by the TPM
 * as a child of the owner hierarchy's standard ECC storage root key (the
 * TCG template, re-created on each use: same seed, same key).  Its
 * authValue is SHA-256 of the UTF-8 PIN, so any PIN length fits; the key
 * has userWithAuth and not noDA, so every wrong PIN counts against the
 * TPM's dictionary-attack lockout.  Only the TPM-wrapped blobs reach the
 * disk (format in ks-tpm-file.h).
 *
 * All PIN-authorised commands run in an HMAC session salted with the
 * storage key, so the authValue never crosses the bus in the clear, and
 * the commands that carry a new authValue encrypt it (decrypt attribute).
 *
 * The lockout counter belongs to the whole TPM, not to one key: wrong PINs
 * for one label use up tries for all, and a right PIN does not reset the
 * counter (resetting it would let one user's right PIN buy unlimited
 * guesses at another user's key); the TPM forgets one failure every
 * recovery interval.
 */
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

#include "ct-secret.h"
#include "ks-ec.h"
#include "ks-file.h"
#include "ks-internal.h"
#include "ks-tpm-file.h"

/* The TCTI when none is configured: the kernel's resource manager. */
#define KS_TPM_DEFAULT_TCTI "device:/dev/tpmrm0"
/* Recovery interval set when the TPM has none (0 disables DA protection). */
#define KS_TPM_DEFAULT_RECOVERY_S 600

struct ks_tpm {
	TSS2_TCTI_CONTEXT *tcti;
	ESYS_CONTEXT *esys;
	bool limit_kept;
};

/* The TPM's dictionary-attack state. */
struct da_info {
	bool in_lockout, lockout_auth_set;
	uint32_t counter, max, interval, recovery;
};

/* One operation's handles: storage key, session, loaded Hello key. */
struct tpm_op {
	ESYS_CONTEXT *e;
	ESYS_TR primary, session, key;
};

/* A TPM response code without the layer (resource managers add one) and
 * without the handle, session or parameter number. */
static TSS2_RC rc_base(TSS2_RC rc)
{
	TSS2_RC layer = rc & TSS2_RC_LAYER_MASK;

	if (layer != TSS2_TPM_RC_LAYER && layer != TSS2_RESMGR_TPM_RC_LAYER)
		return rc;
	rc &= ~TSS2_RC_LAYER_MASK;
	if ((rc & TPM2_RC_FMT1) != 0)
		return rc & (TPM2_RC_FMT1 | 0x3f);
	return rc;
}

static int tpm_fail(TSS2_RC rc, const char *what, struct ct_errinfo *ei)
{
	return ct_errinfo_set(ei, CT_ERR_KEYSTORE, "TPM: %s failed: %s", what,
			      Tss2_RC_Decode(rc));
}

static int da_read(ESYS_CONTEXT *e, struct da_info *d, struct ct_errinfo *ei)
{
	enum { PERM = 1, COUNTER = 2, MAX = 4, INTERVAL = 8, RECOVERY = 16, ALL = 31 };
	TPM2_PT prop = TPM2_PT_PERMANENT;
	unsigned seen = 0, rounds;
	TPMI_YES_NO more = TPM2_YES;

	memset(d, 0, sizeof(*d));
	for (rounds = 0; more == TPM2_YES && prop <= TPM2_PT_LOCKOUT_RECOVERY &&
			 rounds < 32; rounds++) {
		TPMS_CAPABILITY_DATA *cap = NULL;
		TPML_TAGGED_TPM_PROPERTY *l;
		TSS2_RC rc;
		uint32_t i;

		rc = Esys_GetCapability(e, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
					TPM2_CAP_TPM_PROPERTIES, prop,
					TPM2_PT_LOCKOUT_RECOVERY - prop + 1, &more, &cap);
		if (rc != TSS2_RC_SUCCESS)
			return tpm_fail(rc, "reading the lockout state", ei);
		l = &cap->data.tpmProperties;
		for (i = 0; i < l->count && i < TPM2_MAX_TPM_PROPERTIES; i++) {
			uint32_t v = l->tpmProperty[i].value;

			switch (l->tpmProperty[i].property) {
			case TPM2_PT_PERMANENT:
				d->lockout_auth_set = (v & TPMA_PERMANENT_LOCKOUTAUTHSET) != 0;
				d->in_lockout = (v & TPMA_PERMANENT_INLOCKOUT) != 0;
				seen |= PERM;
				break;
			case TPM2_PT_LOCKOUT_COUNTER:
				d->counter = v;
				seen |= COUNTER;
				break;
			case TPM2_PT_MAX_AUTH_FAIL:
				d->max = v;
				seen |= MAX;
				break;
			case TPM2_PT_LOCKOUT_INTERVAL:
				d->interval = v;
				seen |= INTERVAL;
				break;
			case TPM2_PT_LOCKOUT_RECOVERY:
				d->recovery = v;
				seen |= RECOVERY;
				break;
			}
			prop = l->tpmProperty[i].property + 1;
		}
		if (l->count == 0)
			more = TPM2_NO;
		Esys_Free(cap);
	}
	if (seen != ALL)
		return ct_errinfo_set(ei, CT_ERR_KEYSTORE,
				      "TPM: the lockout state is incomplete");
	return 0;
}

static unsigned da_tries_left(const struct da_info *d)
{
	if (d->in_lockout || d->counter >= d->max)
		return 0;
	return d->max - d->counter;
}

/* What a refused authorisation means for the user. */
static int auth_fail(struct ct_keystore *ks, TSS2_RC rc, const char *what,
		     struct ct_errinfo *ei)
{
	TSS2_RC base = rc_base(rc);
	struct da_info d;

	if (base == TPM2_RC_AUTH_FAIL || base == TPM2_RC_BAD_AUTH) {
		if (da_read(ks->tpm->esys, &d, NULL) != 0)
			return ct_errinfo_set(ei, CT_ERR_PIN_WRONG, "the PIN is not correct");
		if (da_tries_left(&d) == 0)
			return ct_errinfo_set(ei, CT_ERR_PIN_LOCKED,
					      "the PIN is not correct, and the TPM is now "
					      "locked; it forgets one wrong PIN every %u seconds",
					      d.interval);
		return ct_errinfo_set(ei, CT_ERR_PIN_WRONG,
				      "the PIN is not correct; %u %s left before the TPM locks",
				      da_tries_left(&d), da_tries_left(&d) == 1 ? "try" : "tries");
	}
	if (base == TPM2_RC_LOCKOUT) {
		if (da_read(ks->tpm->esys, &d, NULL) != 0)
			d.interval = 0;
		return ct_errinfo_set(ei, CT_ERR_PIN_LOCKED,
				      "the TPM is locked after too many wrong PINs; it "
				      "forgets one every %u seconds", d.interval);
	}
	return tpm_fail(rc, what, ei);
}

static int tpm_connect(const char *tcti, TSS2_TCTI_CONTEXT **tctx,
		       ESYS_CONTEXT **esys, struct ct_errinfo *ei)
{
	const char *conf = tcti != NULL && tcti[0] != '\0' ? tcti : KS_TPM_DEFAULT_TCTI;
	TSS2_RC rc;

	*tctx = NULL;
	*esys = NULL;
	rc = Tss2_TctiLdr_Initialize(conf, tctx);
	if (rc != TSS2_RC_SUCCESS)
		return ct_errinfo_set(ei, CT_ERR_KEYSTORE, "no TPM at %s: %s", conf,
				      Tss2_RC_Decode(rc));
	rc = Esys_Initialize(esys, *tctx, NULL);
	if (rc != TSS2_RC_SUCCESS) {
		Tss2_TctiLdr_Finalize(tctx);
		return ct_errinfo_set(ei, CT_ERR_KEYSTORE, "the TPM at %s does not answer: %s",
				      conf, Tss2_RC_Decode(rc));
	}
	return 0;
}

static void tpm_disconnect(TSS2_TCTI_CONTEXT **tctx, ESYS_CONTEXT **esys)
{
	if (*esys != NULL)
		Esys_Finalize(esys);
	if (*tctx != NULL)
		Tss2_TctiLdr_Finalize(tctx);
}

bool ct_ks_tpm_available(const char *tcti)
{
	TSS2_TCTI_CONTEXT *tctx;
	ESYS_CONTEXT *esys;
	struct da_info d;
	bool ok;

	if (tpm_connect(tcti, &tctx, &esys, NULL) != 0)
		return false;
	ok = da_read(esys, &d, NULL) == 0;
	tpm_disconnect(&tctx, &esys);
	return ok;
}

/* Makes the TPM's limit the configured one, when the TPM lets us. */
static int da_configure(struct ct_keystore *ks, struct ct_errinfo *ei)
{
	struct ks_tpm *t = ks->tpm;
	struct da_info d;
	TSS2_RC rc, base;
	int r;

	r = da_read(t->esys, &d, ei);
	if (r != 0)
		return r;
	if (d.max == ks->max_attempts && d.interval != 0)
		return 0;     /* nothing to change: spare the TPM's NV */
	if (d.lockout_auth_set) {
		/* Trying the empty lockout auth would cost a lockout-hierarchy
		 * failure; the TPM owner's limits stand. */
		t->limit_kept = true;
		return 0;
	}
	rc = Esys_DictionaryAttackParameters(t->esys, ESYS_TR_RH_LOCKOUT,
					     ESYS_TR_PASSWORD, ESYS_TR_NONE,
					     ESYS_TR_NONE, ks->max_attempts,
					     d.interval != 0 ? d.interval
							     : KS_TPM_DEFAULT_RECOVERY_S,
					     d.recovery);
	base = rc_base(rc);
	if (rc == TSS2_RC_SUCCESS)
		return 0;
	if (base == TPM2_RC_BAD_AUTH || base == TPM2_RC_AUTH_FAIL ||
	    base == TPM2_RC_LOCKOUT) {
		t->limit_kept = true;
		return 0;
	}
	return tpm_fail(rc, "setting the lockout limit", ei);
}

int ks_tpm_open(struct ct_keystore *ks, const char *tcti, struct ct_errinfo *ei)
{
	struct ks_tpm *t = calloc(1, sizeof(*t));
	int r;

	if (t == NULL)
		return ct_errinfo_set(ei, CT_ERR_NOMEM, "out of memory");
	r = tpm_connect(tcti, &t->tcti, &t->esys, ei);
	if (r != 0) {
		free(t);
		return r;
	}
	ks->tpm = t;
	r = da_configure(ks, ei);
	if (r != 0) {
		ks_tpm_close(ks);
		return r;
	}
	return 0;
}

void ks_tpm_close(struct ct_keystore *ks)
{
	if (ks->tpm == NULL)
		return;
	tpm_disconnect(&ks->tpm->tcti, &ks->tpm->esys);
	free(ks->tpm);
	ks->tpm = NULL;
}

/* The TCG's standard ECC P-256 storage root key template. */
static void srk_template(TPM2B_PUBLIC *tmpl)
{
	TPMT_PUBLIC *a = &tmpl->publicArea;

	memset(tmpl, 0, sizeof(*tmpl));
	a->type = TPM2_ALG_ECC;
	a->nameAlg = TPM2_ALG_SHA256;
	a->objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
			      TPMA_OBJECT_SENSITIVEDATAORIGIN |
			      TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_NODA |
			      TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT;
	a->parameters.eccDetail.symmetric.algorithm = TPM2_ALG_AES;
	a->parameters.eccDetail.symmetric.keyBits.aes = 128;
	a->parameters.eccDetail.symmetric.mode.aes = TPM2_ALG_CFB;
	a->parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
	a->parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
	a->parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
	a->unique.ecc.x.size = 32;
	a->unique.ecc.y.size = 32;
}

static void op_end(struct tpm_op *op)
{
	/* Flushing may fail for a session the TPM already closed; no matter. */
	if (op->key != ESYS_TR_NONE)
		Esys_FlushContext(op->e, op->key);
	if (op->session != ESYS_TR_NONE)
		Esys_FlushContext(op->e, op->session);
	if (op->primary != ESYS_TR_NONE)
		Esys_FlushContext(op->e, op->primary);
	op->key = op->session = op->primary = ESYS_TR_NONE;
}

/* Re-creates the storage key and starts a session salted with it. */
static int op_begin(struct ct_keystore *ks, struct tpm_op *op,
		    struct ct_errinfo *ei)
{
	TPMT_SYM_DEF sym = {
		.algorithm = TPM2_ALG_AES,
		.keyBits.aes = 128,
		.mode.aes = TPM2_ALG_CFB,
	};
	TPM2B_SENSITIVE_CREATE sens = {0};
	TPM2B_DATA outside = {0};
	TPML_PCR_SELECTION pcrs = {0};
	TPM2B_PUBLIC tmpl, *opub = NULL;
	TPM2B_CREATION_DATA *cdata = NULL;
	TPM2B_DIGEST *chash = NULL;
	TPMT_TK_CREATION *ticket = NULL;
	TSS2_RC rc;

	op->e = ks->tpm->esys;
	op->primary = op->session = op->key = ESYS_TR_NONE;
	srk_template(&tmpl);
	rc = Esys_CreatePrimary(op->e, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD,
				ESYS_TR_NONE, ESYS_TR_NONE, &sens, &tmpl, &outside,
				&pcrs, &op->primary, &opub, &cdata, &chash, &ticket);
	Esys_Free(opub);
	Esys_Free(cdata);
	Esys_Free(chash);
	Esys_Free(ticket);
	if (rc != TSS2_RC_SUCCESS) {
		op->primary = ESYS_TR_NONE;
		if (rc_base(rc) == TPM2_RC_BAD_AUTH || rc_base(rc) == TPM2_RC_AUTH_FAIL)
			return ct_errinfo_set(ei, CT_ERR_KEYSTORE,
					      "TPM: the owner hierarchy has a password; "
					      "cannot make the storage key");
		return tpm_fail(rc, "making the storage key", ei);
	}
	rc = Esys_StartAuthSession(op->e, op->primary, ESYS_TR_NONE, ESYS_TR_NONE,
				   ESYS_TR_NONE, ESYS_TR_NONE, NULL, TPM2_SE_HMAC,
				   &sym, TPM2_ALG_SHA256, &op->session);
	if (rc != TSS2_RC_SUCCESS) {
		op->session = ESYS_TR_NONE;
		op_end(op);
		return tpm_fail(rc, "starting a session", ei);
	}
	return 0;
}

/* Session attributes for the next command: encrypt its first parameter
 * (a new authValue) or not. */
static int op_encrypt_param(struct tpm_op *op, bool on, struct ct_errinfo *ei)
{
	TPMA_SESSION a = TPMA_SESSION_CONTINUESESSION |
			 (on ? TPMA_SESSION_DECRYPT : 0);
	TSS2_RC rc = Esys_TRSess_SetAttributes(op->e, op->session, a, 0xff);

	return rc == TSS2_RC_SUCCESS ? 0 : tpm_fail(rc, "setting session attributes", ei);
}

static int op_load(struct tpm_op *op, const struct ks_tpm_file *f,
		   struct ct_errinfo *ei)
{
	TSS2_RC rc;
	int r = op_encrypt_param(op, false, ei);

	if (r != 0)
		return r;
	rc = Esys_Load(op->e, op->primary, op->session, ESYS_TR_NONE, ESYS_TR_NONE,
		       &f->priv, &f->pub, &op->key);
	if (rc != TSS2_RC_SUCCESS) {
		op->key = ESYS_TR_NONE;
		return ct_errinfo_set(ei, CT_ERR_KEYSTORE,
				      "TPM: the Hello key does not load (made by another "
				      "TPM, or the TPM was cleared?): %s", Tss2_RC_Decode(rc));
	}
	return 0;
}

/* The authValue for a PIN: SHA-256 of its UTF-8 bytes. */
static void pin_auth(const char *pin, TPM2B_AUTH *auth)
{
	unsigned int n = 0;

	memset(auth, 0, sizeof(*auth));
	EVP_Digest(pin, strlen(pin), auth->buffer, &n, EVP_sha256(), NULL);
	auth->size = (UINT16)n;
}

static int op_set_pin(struct tpm_op *op, const char *pin, struct ct_errinfo *ei)
{
	TPM2B_AUTH auth;
	TSS2_RC rc;

	pin_auth(pin, &auth);
	if (auth.size != 32) {
		ct_zap(&auth, sizeof(auth));
		return ct_errinfo_set(ei, CT_ERR_CRYPTO, "cannot hash the PIN");
	}
	rc = Esys_TR_SetAuth(op->e, op->key, &auth);
	ct_zap(&auth, sizeof(auth));
	return rc == TSS2_RC_SUCCESS ? 0 : tpm_fail(rc, "setting the PIN", ei);
}

static int tpm_pub(const TPM2B_PUBLIC *pub, EVP_PKEY **out)
{
	const TPMS_ECC_POINT *q = &pub->publicArea.unique.ecc;

	return ks_ec_pub_from_xy(q->x.buffer, q->x.size, q->y.buffer, q->y.size, out);
}

/* Reads and decodes label's key file; f->label points into file. */
static int load_tpm_file(const char *path, const char *label, struct ct_buf *file,
			 struct ks_tpm_file *f, struct ct_errinfo *ei)
{
	int r = ks_file_read(path, file, ei);

	if (r == CT_ERR_NOT_FOUND)
		return ct_errinfo_set(ei, CT_ERR_NOT_ENROLLED, "no Hello key for %s", label);
	if (r != 0)
		return r;
	r = ks_tpm_file_decode(file->data, file->len, f);
	if (r != 0)
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "the key file %s is malformed (%s)",
				      path, ct_errname(r));
	if (!ks_label_is(f->label, f->label_len, label))
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				      "the key file %s belongs to another label", path);
	return 0;
}

static int write_tpm_file(const char *path, const struct ks_tpm_file *f,
			  struct ct_errinfo *ei)
{
	struct ct_buf b;
	int r;

	ct_buf_init(&b, CT_KS_MAX_FILE);
	ks_tpm_file_encode(f, &b);
	r = b.err != 0 ? ct_errinfo_set(ei, b.err, "cannot encode the key file")
		       : ks_file_write(path, b.data, b.len, ei);
	ct_buf_free(&b);
	return r;
}

int ks_tpm_create(struct ct_keystore *ks, const char *label, const char *pin,
		  EVP_PKEY **pub_out, struct ct_errinfo *ei)
{
	struct tpm_op op = {.primary = ESYS_TR_NONE, .session = ESYS_TR_NONE,
			    .key = ESYS_TR_NONE};
	TPM2B_SENSITIVE_CREATE sens = {0};
	TPM2B_DATA outside = {0};
	TPML_PCR_SELECTION pcrs = {0};
	TPM2B_PUBLIC tmpl, *opub = NULL;
	TPM2B_PRIVATE *opriv = NULL;
	TPM2B_CREATION_DATA *cdata = NULL;
	TPM2B_DIGEST *chash = NULL;
	TPMT_TK_CREATION *ticket = NULL;
	struct ks_tpm_file f;
	EVP_PKEY *pub = NULL;
	char *path = NULL;
	int lock = -1, r;
	TSS2_RC rc;

	r = ks_file_path(ks->dir, label, ".tpm", &path, ei);
	if (r == 0)
		r = op_begin(ks, &op, ei);
	if (r == 0)
		r = op_encrypt_param(&op, true, ei);
	if (r != 0)
		goto out;
	pin_auth(pin, &sens.sensitive.userAuth);
	ks_tpm_key_template(&tmpl);
	rc = Esys_Create(op.e, op.primary, op.session, ESYS_TR_NONE, ESYS_TR_NONE,
			 &sens, &tmpl, &outside, &pcrs, &opriv, &opub, &cdata,
			 &chash, &ticket);
	ct_zap(&sens, sizeof(sens));
	if (rc != TSS2_RC_SUCCESS) {
		r = tpm_fail(rc, "making the Hello key", ei);
		goto out;
	}
	if (!ks_tpm_public_ok(opub) || tpm_pub(opub, &pub) != 0) {
		r = ct_errinfo_set(ei, CT_ERR_KEYSTORE, "TPM: the new key is not the one asked for");
		goto out;
	}
	memset(&f, 0, sizeof(f));
	f.label = (const uint8_t *)label;
	f.label_len = strlen(label);
	f.pub = *opub;
	f.priv = *opriv;
	r = ks_lock(ks->dir, &lock, ei);
	if (r == 0)
		r = write_tpm_file(path, &f, ei);
	if (r != 0)
		goto out;
	if (pub_out != NULL) {
		*pub_out = pub;
		pub = NULL;
	}
out:
	ks_unlock(lock);
	op_end(&op);
	Esys_Free(opub);
	Esys_Free(opriv);
	Esys_Free(cdata);
	Esys_Free(chash);
	Esys_Free(ticket);
	EVP_PKEY_free(pub);
	free(path);
	return r;
}

int ks_tpm_public(struct ct_keystore *ks, const char *label, EVP_PKEY **pub,
		  struct ct_errinfo *ei)
{
	struct ks_tpm_file f;
	struct ct_buf file;
	char *path = NULL;
	int r;

	ct_buf_init(&file, CT_KS_MAX_FILE);
	r = ks_file_path(ks->dir, label, ".tpm", &path, ei);
	if (r == 0)
		r = load_tpm_file(path, label, &file, &f, ei);
	if (r == 0 && tpm_pub(&f.pub, pub) != 0)
		r = ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				   "the key file %s holds no P-256 public key", path);
	ct_buf_free(&file);
	free(path);
	return r;
}

int ks_tpm_sign(struct ct_keystore *ks, const char *label, const char *pin,
		const uint8_t *data, size_t len, struct ct_buf *sig,
		struct ct_errinfo *ei)
{
	struct tpm_op op = {.primary = ESYS_TR_NONE, .session = ESYS_TR_NONE,
			    .key = ESYS_TR_NONE};
	TPMT_SIG_SCHEME scheme = {
		.scheme = TPM2_ALG_ECDSA,
		.details.ecdsa.hashAlg = TPM2_ALG_SHA256,
	};
	TPMT_TK_HASHCHECK check = {.tag = TPM2_ST_HASHCHECK, .hierarchy = TPM2_RH_NULL};
	TPMT_SIGNATURE *tsig = NULL;
	TPM2B_DIGEST digest = {0};
	struct ks_tpm_file f;
	struct ct_buf file;
	unsigned int dlen = 0;
	char *path = NULL;
	TSS2_RC rc;
	int r;

	ct_buf_init(&file, CT_KS_MAX_FILE);
	r = ks_file_path(ks->dir, label, ".tpm", &path, ei);
	if (r == 0)
		r = load_tpm_file(path, label, &file, &f, ei);
	if (r == 0 && (EVP_Digest(data, len, digest.buffer, &dlen, EVP_sha256(), NULL) != 1 ||
		       dlen != 32))
		r = ct_errinfo_set(ei, CT_ERR_CRYPTO, "cannot hash the data");
	if (r != 0)
		goto out;
	digest.size = (UINT16)dlen;
	r = op_begin(ks, &op, ei);
	if (r == 0)
		r = op_load(&op, &f, ei);
	if (r == 0)
		r = op_set_pin(&op, pin, ei);
	if (r != 0)
		goto out;
	rc = Esys_Sign(op.e, op.key, op.session, ESYS_TR_NONE, ESYS_TR_NONE, &digest,
		       &scheme, &check, &tsig);
	if (rc != TSS2_RC_SUCCESS) {
		r = auth_fail(ks, rc, "signing", ei);
		goto out;
	}
	if (tsig->sigAlg != TPM2_ALG_ECDSA ||
	    ks_ec_sig_put_rs(sig, tsig->signature.ecdsa.signatureR.buffer,
			     tsig->signature.ecdsa.signatureR.size,
			     tsig->signature.ecdsa.signatureS.buffer,
			     tsig->signature.ecdsa.signatureS.size) != 0)
		r = ct_errinfo_set(ei, CT_ERR_KEYSTORE, "TPM: unexpected signature");
out:
	op_end(&op);
	Esys_Free(tsig);
	ct_buf_free(&file);
	free(path);
	return r;
}

int ks_tpm_change_pin(struct ct_keystore *ks, const char *label,
		      const char *old_pin, const char *new_pin,
		      struct ct_errinfo *ei)
{
	struct tpm_op op = {.primary = ESYS_TR_NONE, .session = ESYS_TR_NONE,
			    .key = ESYS_TR_NONE};
	TPM2B_PRIVATE *npriv = NULL;
	TPM2B_AUTH nauth;
	struct ks_tpm_file f;
	struct ct_buf file;
	char *path = NULL;
	int lock = -1, r;
	TSS2_RC rc;

	ct_buf_init(&file, CT_KS_MAX_FILE);
	pin_auth(new_pin, &nauth);
	r = ks_file_path(ks->dir, label, ".tpm", &path, ei);
	if (r == 0)
		r = ks_lock(ks->dir, &lock, ei);
	if (r == 0)
		r = load_tpm_file(path, label, &file, &f, ei);
	if (r == 0)
		r = op_begin(ks, &op, ei);
	if (r == 0)
		r = op_load(&op, &f, ei);
	if (r == 0)
		r = op_set_pin(&op, old_pin, ei);
	if (r == 0)
		r = op_encrypt_param(&op, true, ei);
	if (r != 0)
		goto out;
	rc = Esys_ObjectChangeAuth(op.e, op.key, op.primary, op.session, ESYS_TR_NONE,
				   ESYS_TR_NONE, &nauth, &npriv);
	if (rc != TSS2_RC_SUCCESS) {
		r = auth_fail(ks, rc, "changing the PIN", ei);
		goto out;
	}
	/* The old blob still opens with the old PIN; only the new one is kept. */
	f.priv = *npriv;
	r = write_tpm_file(path, &f, ei);
out:
	ks_unlock(lock);
	op_end(&op);
	ct_zap(&nauth, sizeof(nauth));
	Esys_Free(npriv);
	ct_buf_free(&file);
	free(path);
	return r;
}

int ks_tpm_delete(struct ct_keystore *ks, const char *label,
		  struct ct_errinfo *ei)
{
	char *path = NULL;
	int lock = -1, r;

	r = ks_file_path(ks->dir, label, ".tpm", &path, ei);
	if (r == 0)
		r = ks_lock(ks->dir, &lock, ei);
	if (r == 0)
		r = ks_file_wipe(path, ei);
	ks_unlock(lock);
	free(path);
	return r;
}

int ks_tpm_status(struct ct_keystore *ks, const char *label,
		  struct ct_ks_status *st, struct ct_errinfo *ei)
{
	struct ks_tpm_file f;
	struct ct_buf file;
	struct da_info d;
	char *path = NULL;
	int r;

	memset(st, 0, sizeof(*st));
	st->kind = CT_KS_TPM;
	ct_buf_init(&file, CT_KS_MAX_FILE);
	r = ks_file_path(ks->dir, label, ".tpm", &path, ei);
	if (r == 0)
		r = load_tpm_file(path, label, &file, &f, ei);
	if (r == CT_ERR_NOT_ENROLLED) {
		r = 0;
		if (ei != NULL)
			memset(ei, 0, sizeof(*ei));
	} else if (r == 0) {
		st->present = true;
	}
	if (r == 0)
		r = da_read(ks->tpm->esys, &d, ei);
	if (r == 0) {
		st->locked = d.in_lockout || d.counter >= d.max;
		st->tries_left = da_tries_left(&d);
		st->max_attempts = d.max;
		st->tpm_limit_kept = ks->tpm->limit_kept;
		st->tpm_recovery_s = d.interval;
	}
	ct_buf_free(&file);
	free(path);
	return r;
}
