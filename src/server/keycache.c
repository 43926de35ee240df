/* SPDX-License-Identifier: Apache-2.0 */
#include "keycache.h"

#include <openssl/sha.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "keyblob.h"

/* Enough for every device and key of a large tenant's active hour. */
#define SLOTS 4096

struct entry {
	uint8_t hash[SHA256_DIGEST_LENGTH];
	int kind; /* 0: empty */
	EVP_PKEY *key;
	char device_id[CT_PKI_GUID_LEN + 1];
	time_t not_before, not_after;
};

struct ct_keycache {
	pthread_mutex_t lock;
	struct entry slot[SLOTS];
};

struct ct_keycache *ct_keycache_new(void)
{
	struct ct_keycache *c = calloc(1, sizeof(*c));

	if (c != NULL && pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c);
		return NULL;
	}
	return c;
}

void ct_keycache_free(struct ct_keycache *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < SLOTS; i++)
		EVP_PKEY_free(c->slot[i].key);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/* The slot for a hash (direct-mapped: a newcomer replaces the occupant). */
static struct entry *slot_for(struct ct_keycache *c, const uint8_t *h)
{
	uint32_t i = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16;

	return &c->slot[i % SLOTS];
}

/* Copies a hit into *e (with a new key reference); 0 on a hit, -1 on a miss. */
static int lookup(struct ct_keycache *c, int kind, const uint8_t *h, struct entry *e)
{
	struct entry *s;
	int r = -1;

	pthread_mutex_lock(&c->lock);
	s = slot_for(c, h);
	if (s->kind == kind && memcmp(s->hash, h, sizeof(s->hash)) == 0 &&
	    EVP_PKEY_up_ref(s->key) == 1) {
		*e = *s;
		r = 0;
	}
	pthread_mutex_unlock(&c->lock);
	return r;
}

static void store(struct ct_keycache *c, int kind, const uint8_t *h, const struct entry *e)
{
	struct entry *s;

	if (EVP_PKEY_up_ref(e->key) != 1)
		return;
	pthread_mutex_lock(&c->lock);
	s = slot_for(c, h);
	EVP_PKEY_free(s->key);
	*s = *e;
	memcpy(s->hash, h, sizeof(s->hash));
	s->kind = kind;
	pthread_mutex_unlock(&c->lock);
}

static int asn1_time(const ASN1_TIME *t, time_t *out)
{
	struct tm tm;

	if (ASN1_TIME_to_tm(t, &tm) != 1)
		return -1;
	*out = timegm(&tm);
	return 0;
}

int ct_keycache_device_cert(struct ct_keycache *c, const struct ct_pki_ca *device_ca,
			    const uint8_t *der, size_t len, time_t now,
			    char device_id[CT_PKI_GUID_LEN + 1], EVP_PKEY **pubkey,
			    struct ct_errinfo *ei)
{
	uint8_t h[SHA256_DIGEST_LENGTH];
	const unsigned char *p = der;
	struct entry e;
	X509 *x = NULL;
	int r;

	SHA256(der, len, h);
	if (lookup(c, CT_KEYCACHE_DEVICE_CERT, h, &e) == 0) {
		/* The chain was checked once; the clock moves, so the dates are checked always. */
		if (now < e.not_before || now > e.not_after) {
			EVP_PKEY_free(e.key);
			return ct_errinfo_set(ei, CT_ERR_CERT_EXPIRED,
					      "the device certificate is expired or not yet valid");
		}
		memcpy(device_id, e.device_id, sizeof(e.device_id));
		*pubkey = e.key;
		return 0;
	}
	memset(&e, 0, sizeof(e));
	r = ct_pki_device_cert_verify(device_ca, der, len, now, e.device_id, &e.key, ei);
	if (r != 0)
		return r;
	x = d2i_X509(NULL, &p, (long)len);
	if (x != NULL && asn1_time(X509_get0_notBefore(x), &e.not_before) == 0 &&
	    asn1_time(X509_get0_notAfter(x), &e.not_after) == 0)
		store(c, CT_KEYCACHE_DEVICE_CERT, h, &e);
	X509_free(x);
	memcpy(device_id, e.device_id, sizeof(e.device_id));
	*pubkey = e.key;
	return 0;
}

/* The common path of the two key importers. */
static int cached_import(struct ct_keycache *c, int kind, const uint8_t *bytes, size_t len,
			 int (*import)(const uint8_t *, size_t, EVP_PKEY **, struct ct_errinfo *),
			 EVP_PKEY **out, struct ct_errinfo *ei)
{
	uint8_t h[SHA256_DIGEST_LENGTH];
	struct entry e;
	int r;

	SHA256(bytes, len, h);
	if (lookup(c, kind, h, &e) == 0) {
		*out = e.key;
		return 0;
	}
	memset(&e, 0, sizeof(e));
	r = import(bytes, len, &e.key, ei);
	if (r != 0)
		return r;
	store(c, kind, h, &e);
	*out = e.key;
	return 0;
}

int ct_keycache_spki(struct ct_keycache *c, const uint8_t *der, size_t len,
		     EVP_PKEY **out, struct ct_errinfo *ei)
{
	return cached_import(c, CT_KEYCACHE_SPKI, der, len, ct_spki_import, out, ei);
}

int ct_keycache_key_blob(struct ct_keycache *c, const uint8_t *blob, size_t len,
			 EVP_PKEY **out, struct ct_errinfo *ei)
{
	return cached_import(c, CT_KEYCACHE_KEY_BLOB, blob, len, ct_key_blob_import, out, ei);
}
