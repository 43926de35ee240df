/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The soft keystore: a P-256 key whose SEC1 DER is sealed with AES-256-GCM
 * under Argon2id(PIN, salt), in one file per label (format in
 * ks-soft-file.h), with a failure counter that wipes the key at the limit.
 *
 * Every try runs under the store lock: read the file, count the try on disk
 * (fsync), derive and open; a right PIN sets the count back to 0, a wrong
 * one leaves it, and the last allowed wrong one wipes the key file and
 * leaves a "<hex>.soft-locked" marker, so the label reads as locked until a
 * new key is made or the label is deleted.
 */
#include <argon2.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "ct-secret.h"
#include "ks-ec.h"
#include "ks-file.h"
#include "ks-internal.h"
#include "ks-soft-file.h"

#define SOFT_KEY_LEN 32

struct soft_paths {
	char *key;    /* the key file */
	char *mark;   /* present once the key was wiped after too many wrong PINs */
};

static void soft_paths_free(struct soft_paths *sp)
{
	free(sp->key);
	free(sp->mark);
	sp->key = sp->mark = NULL;
}

static int soft_paths_get(struct ct_keystore *ks, const char *label,
			  struct soft_paths *sp, struct ct_errinfo *ei)
{
	int r;

	sp->key = sp->mark = NULL;
	r = ks_file_path(ks->dir, label, ".soft", &sp->key, ei);
	if (r == 0)
		r = ks_file_path(ks->dir, label, ".soft-locked", &sp->mark, ei);
	if (r != 0)
		soft_paths_free(sp);
	return r;
}

static int derive_key(const char *pin, const struct ks_soft_file *f,
		      uint8_t key[SOFT_KEY_LEN], struct ct_errinfo *ei)
{
	int r = argon2id_hash_raw(f->t, f->m_kib, f->p, pin, strlen(pin), f->salt,
				  sizeof(f->salt), key, SOFT_KEY_LEN);

	if (r == ARGON2_OK)
		return 0;
	if (r == ARGON2_MEMORY_ALLOCATION_ERROR)
		return ct_errinfo_set(ei, CT_ERR_NOMEM,
				      "not enough memory for Argon2id (m=%u KiB)", f->m_kib);
	return ct_errinfo_set(ei, CT_ERR_CRYPTO, "Argon2id failed: %s",
			      argon2_error_message(r));
}

/*
 * AES-256-GCM with f's nonce and f's header as additional data.  Sealing
 * writes n bytes of ciphertext to out and sets f->tag; opening writes n
 * bytes of plaintext and returns CT_ERR_INTEGRITY when the tag is wrong.
 */
static int gcm(bool seal, const uint8_t key[SOFT_KEY_LEN], struct ks_soft_file *f,
	       const uint8_t *in, size_t n, uint8_t *out)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	struct ct_buf aad;
	int len = 0, r = CT_ERR_CRYPTO;

	ct_buf_init(&aad, CT_KS_MAX_FILE);
	ks_soft_file_encode(f, true, &aad);
	if (ctx == NULL || aad.err != 0 || n > CT_KS_SOFT_MAX_SEALED)
		goto out;
	if (EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL, seal) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, sizeof(f->nonce), NULL) != 1 ||
	    EVP_CipherInit_ex(ctx, NULL, NULL, key, f->nonce, seal) != 1 ||
	    EVP_CipherUpdate(ctx, NULL, &len, aad.data, (int)aad.len) != 1 ||
	    EVP_CipherUpdate(ctx, out, &len, in, (int)n) != 1 || (size_t)len != n)
		goto out;
	if (!seal && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, sizeof(f->tag),
					 f->tag) != 1)
		goto out;
	if (EVP_CipherFinal_ex(ctx, out + n, &len) != 1) {
		r = seal ? CT_ERR_CRYPTO : CT_ERR_INTEGRITY;
		goto out;
	}
	if (seal && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, sizeof(f->tag),
					f->tag) != 1)
		goto out;
	r = 0;
out:
	if (r != 0 && !seal)
		ct_zap(out, n);
	EVP_CIPHER_CTX_free(ctx);
	ct_buf_free(&aad);
	return r;
}

static int write_soft_file(const char *path, const struct ks_soft_file *f,
			   struct ct_errinfo *ei)
{
	struct ct_buf b;
	int r;

	ct_buf_init(&b, CT_KS_MAX_FILE);
	ks_soft_file_encode(f, false, &b);
	if (b.err != 0)
		r = ct_errinfo_set(ei, b.err, "cannot encode the key file");
	else
		r = ks_file_write(path, b.data, b.len, ei);
	ct_buf_free(&b);
	return r;
}

/*
 * Fills f (label, costs and limit from ks, fresh salt and nonce, pub) and
 * seals priv under pin into sealed (CT_KS_SOFT_MAX_SEALED bytes).
 */
static int seal_key(struct ct_keystore *ks, const char *label, const char *pin,
		    EVP_PKEY *priv, const struct ct_buf *pub,
		    struct ks_soft_file *f, uint8_t *sealed, struct ct_errinfo *ei)
{
	uint8_t key[SOFT_KEY_LEN];
	unsigned char *der = NULL;
	int n, r;

	memset(f, 0, sizeof(*f));
	f->label = (const uint8_t *)label;
	f->label_len = strlen(label);
	f->t = ks->argon2_t;
	f->m_kib = ks->argon2_m_kib;
	f->p = ks->argon2_p;
	f->max_attempts = ks->max_attempts;
	f->pub = pub->data;
	f->pub_len = pub->len;
	if (RAND_bytes(f->salt, sizeof(f->salt)) != 1 ||
	    RAND_bytes(f->nonce, sizeof(f->nonce)) != 1)
		return ct_errinfo_set(ei, CT_ERR_CRYPTO, "no randomness for the key file");
	n = i2d_PrivateKey(priv, &der);
	if (n <= 0 || (size_t)n > CT_KS_SOFT_MAX_SEALED) {
		r = ct_errinfo_set(ei, CT_ERR_CRYPTO, "cannot encode the private key");
		goto out;
	}
	r = derive_key(pin, f, key, ei);
	if (r != 0)
		goto out;
	r = gcm(true, key, f, der, (size_t)n, sealed);
	ct_zap(key, sizeof(key));
	if (r != 0) {
		ct_errinfo_set(ei, r, "cannot seal the private key");
		goto out;
	}
	f->sealed = sealed;
	f->sealed_len = (size_t)n;
out:
	if (der != NULL)
		OPENSSL_clear_free(der, (size_t)(n > 0 ? n : 0));
	return r;
}

/* The last allowed wrong PIN: leave the marker, then destroy the key. */
static int lock_out(const struct soft_paths *sp, struct ct_errinfo *ei)
{
	struct ct_errinfo tmp = {0};
	int r = ks_file_mark(sp->mark, &tmp);

	if (r == 0)
		r = ks_file_wipe(sp->key, &tmp);
	if (r != 0)
		return ct_errinfo_set(ei, CT_ERR_PIN_LOCKED,
				      "too many wrong PINs: the Hello key is locked, "
				      "but wiping it failed (%s)", tmp.msg);
	return ct_errinfo_set(ei, CT_ERR_PIN_LOCKED,
			      "too many wrong PINs: the Hello key was erased; "
			      "set up a new PIN (pin reset)");
}

/* Reads and decodes the key file of label; NOT_ENROLLED or PIN_LOCKED when
 * there is none.  f points into file, which the caller frees. */
static int load_soft_file(const struct soft_paths *sp, const char *label,
			  struct ct_buf *file, struct ks_soft_file *f,
			  struct ct_errinfo *ei)
{
	int r = ks_file_read(sp->key, file, ei);

	if (r == CT_ERR_NOT_FOUND) {
		if (ks_file_exists(sp->mark))
			return ct_errinfo_set(ei, CT_ERR_PIN_LOCKED,
					      "the Hello key for %s was erased after too many "
					      "wrong PINs; set up a new PIN", label);
		return ct_errinfo_set(ei, CT_ERR_NOT_ENROLLED,
				      "no Hello key for %s", label);
	}
	if (r != 0)
		return r;
	r = ks_soft_file_decode(file->data, file->len, f);
	if (r != 0)
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				      "the key file %s is malformed (%s)", sp->key,
				      ct_errname(r));
	if (!ks_label_is(f->label, f->label_len, label))
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				      "the key file %s belongs to another label", sp->key);
	return 0;
}

/*
 * Checks pin against the key file under the store lock and hands out the
 * private key.  The try is counted on disk before the PIN is tried.
 */
static int soft_unlock(const struct soft_paths *sp, const char *label,
		       const char *pin, EVP_PKEY **priv, struct ct_errinfo *ei)
{
	uint8_t key[SOFT_KEY_LEN], plain[CT_KS_SOFT_MAX_SEALED];
	struct ks_soft_file f;
	struct ct_buf file;
	const unsigned char *p;
	EVP_PKEY *pkey = NULL, *pub = NULL;
	int r;

	ct_buf_init(&file, CT_KS_MAX_FILE);
	r = load_soft_file(sp, label, &file, &f, ei);
	if (r != 0)
		goto out;
	if (f.failures >= f.max_attempts) {
		/* A try that was counted but never finished (killed process). */
		r = lock_out(sp, ei);
		goto out;
	}
	f.failures++;
	r = write_soft_file(sp->key, &f, ei);
	if (r != 0)
		goto out;
	r = derive_key(pin, &f, key, ei);
	if (r != 0)
		goto out;
	r = gcm(false, key, &f, f.sealed, f.sealed_len, plain);
	ct_zap(key, sizeof(key));
	if (r == CT_ERR_INTEGRITY) {
		if (f.failures >= f.max_attempts) {
			r = lock_out(sp, ei);
		} else {
			unsigned left = f.max_attempts - f.failures;

			r = ct_errinfo_set(ei, CT_ERR_PIN_WRONG,
					   "the PIN is not correct; %u %s left", left,
					   left == 1 ? "try" : "tries");
		}
		goto out;
	}
	if (r != 0) {
		ct_errinfo_set(ei, r, "cannot open the sealed key");
		goto out;
	}
	f.failures = 0;
	r = write_soft_file(sp->key, &f, ei);
	if (r != 0)
		goto out;
	p = plain;
	pkey = d2i_PrivateKey(EVP_PKEY_EC, NULL, &p, (long)f.sealed_len);
	if (pkey == NULL || p != plain + f.sealed_len || !ks_ec_is_p256(pkey) ||
	    ks_ec_pub_from_spki(f.pub, f.pub_len, &pub) != 0 ||
	    EVP_PKEY_eq(pkey, pub) != 1) {
		r = ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				   "the key file %s holds an unusable key", sp->key);
		goto out;
	}
	*priv = pkey;
	pkey = NULL;
out:
	ct_zap(plain, sizeof(plain));
	EVP_PKEY_free(pkey);
	EVP_PKEY_free(pub);
	ct_buf_free(&file);
	return r;
}

int ks_soft_create(struct ct_keystore *ks, const char *label, const char *pin,
		   EVP_PKEY **pub_out, struct ct_errinfo *ei)
{
	uint8_t sealed[CT_KS_SOFT_MAX_SEALED];
	struct soft_paths sp = {0};
	struct ks_soft_file f;
	struct ct_buf pubder;
	EVP_PKEY *priv = NULL, *pub = NULL;
	int lock = -1, r;

	ct_buf_init(&pubder, CT_KS_SOFT_MAX_PUB);
	r = soft_paths_get(ks, label, &sp, ei);
	if (r != 0)
		goto out;
	priv = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (priv == NULL || ks_ec_pub_to_spki(priv, &pubder) != 0 ||
	    ks_ec_pub_from_spki(pubder.data, pubder.len, &pub) != 0) {
		r = ct_errinfo_set(ei, CT_ERR_CRYPTO, "cannot make a P-256 key");
		goto out;
	}
	r = seal_key(ks, label, pin, priv, &pubder, &f, sealed, ei);
	if (r != 0)
		goto out;
	r = ks_lock(ks->dir, &lock, ei);
	if (r != 0)
		goto out;
	/* The new key replaces the old one by rename; then the marker goes. */
	r = write_soft_file(sp.key, &f, ei);
	if (r == 0)
		r = ks_file_wipe(sp.mark, ei);
	if (r != 0)
		goto out;
	if (pub_out != NULL) {
		*pub_out = pub;
		pub = NULL;
	}
out:
	ks_unlock(lock);
	ct_zap(sealed, sizeof(sealed));
	EVP_PKEY_free(priv);
	EVP_PKEY_free(pub);
	ct_buf_free(&pubder);
	soft_paths_free(&sp);
	return r;
}

int ks_soft_public(struct ct_keystore *ks, const char *label, EVP_PKEY **pub,
		   struct ct_errinfo *ei)
{
	struct soft_paths sp = {0};
	struct ks_soft_file f;
	struct ct_buf file;
	int r;

	ct_buf_init(&file, CT_KS_MAX_FILE);
	r = soft_paths_get(ks, label, &sp, ei);
	if (r == 0)
		r = load_soft_file(&sp, label, &file, &f, ei);
	if (r == 0 && ks_ec_pub_from_spki(f.pub, f.pub_len, pub) != 0)
		r = ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				   "the key file %s holds no P-256 public key", sp.key);
	ct_buf_free(&file);
	soft_paths_free(&sp);
	return r;
}

int ks_soft_sign(struct ct_keystore *ks, const char *label, const char *pin,
		 const uint8_t *data, size_t len, struct ct_buf *sig,
		 struct ct_errinfo *ei)
{
	struct soft_paths sp = {0};
	EVP_MD_CTX *md = NULL;
	EVP_PKEY *priv = NULL;
	uint8_t der[80];
	size_t derlen = sizeof(der);
	int lock = -1, r;

	r = soft_paths_get(ks, label, &sp, ei);
	if (r == 0)
		r = ks_lock(ks->dir, &lock, ei);
	if (r == 0)
		r = soft_unlock(&sp, label, pin, &priv, ei);
	ks_unlock(lock);
	if (r != 0)
		goto out;
	md = EVP_MD_CTX_new();
	if (md == NULL ||
	    EVP_DigestSignInit_ex(md, NULL, "SHA256", NULL, NULL, priv, NULL) != 1 ||
	    EVP_DigestSign(md, der, &derlen, data, len) != 1 ||
	    ks_ec_sig_from_der(der, derlen, sig) != 0) {
		r = ct_errinfo_set(ei, CT_ERR_CRYPTO, "ES256 signing failed");
		goto out;
	}
out:
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(priv);
	soft_paths_free(&sp);
	return r;
}

int ks_soft_change_pin(struct ct_keystore *ks, const char *label,
		       const char *old_pin, const char *new_pin,
		       struct ct_errinfo *ei)
{
	uint8_t sealed[CT_KS_SOFT_MAX_SEALED];
	struct soft_paths sp = {0};
	struct ks_soft_file f;
	struct ct_buf pubder;
	EVP_PKEY *priv = NULL;
	int lock = -1, r;

	ct_buf_init(&pubder, CT_KS_SOFT_MAX_PUB);
	r = soft_paths_get(ks, label, &sp, ei);
	if (r == 0)
		r = ks_lock(ks->dir, &lock, ei);
	if (r == 0)
		r = soft_unlock(&sp, label, old_pin, &priv, ei);
	if (r != 0)
		goto out;
	/* Re-sealed with the store's current costs and limit. */
	if (ks_ec_pub_to_spki(priv, &pubder) != 0) {
		r = ct_errinfo_set(ei, CT_ERR_CRYPTO, "cannot encode the public key");
		goto out;
	}
	r = seal_key(ks, label, new_pin, priv, &pubder, &f, sealed, ei);
	if (r == 0)
		r = write_soft_file(sp.key, &f, ei);
out:
	ks_unlock(lock);
	ct_zap(sealed, sizeof(sealed));
	EVP_PKEY_free(priv);
	ct_buf_free(&pubder);
	soft_paths_free(&sp);
	return r;
}

int ks_soft_delete(struct ct_keystore *ks, const char *label,
		   struct ct_errinfo *ei)
{
	struct soft_paths sp = {0};
	int lock = -1, r;

	r = soft_paths_get(ks, label, &sp, ei);
	if (r == 0)
		r = ks_lock(ks->dir, &lock, ei);
	if (r == 0)
		r = ks_file_wipe(sp.key, ei);
	if (r == 0)
		r = ks_file_wipe(sp.mark, ei);
	ks_unlock(lock);
	soft_paths_free(&sp);
	return r;
}

int ks_soft_status(struct ct_keystore *ks, const char *label,
		   struct ct_ks_status *st, struct ct_errinfo *ei)
{
	struct soft_paths sp = {0};
	struct ks_soft_file f;
	struct ct_buf file;
	int r;

	ct_buf_init(&file, CT_KS_MAX_FILE);
	memset(st, 0, sizeof(*st));
	st->kind = CT_KS_SOFT;
	st->max_attempts = ks->max_attempts;
	r = soft_paths_get(ks, label, &sp, ei);
	if (r == 0)
		r = load_soft_file(&sp, label, &file, &f, ei);
	if (r == CT_ERR_NOT_ENROLLED || r == CT_ERR_PIN_LOCKED) {
		st->locked = r == CT_ERR_PIN_LOCKED;
		r = 0;
		if (ei != NULL)
			memset(ei, 0, sizeof(*ei));
	} else if (r == 0) {
		st->present = true;
		st->max_attempts = f.max_attempts;
		st->locked = f.failures >= f.max_attempts;
		st->tries_left = f.max_attempts - f.failures;
	}
	ct_buf_free(&file);
	soft_paths_free(&sp);
	return r;
}
