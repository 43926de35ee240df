/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CA, server and device certificates on OpenSSL 3.  OpenSSL errors are
 * translated here, in ossl_fail(), and the thread's OpenSSL error queue is
 * left empty.
 */
#include "pki.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ct-hex.h"
#include "ct-limits.h"
#include "ct-secret.h"

struct ct_pki_ca {
	X509 *cert;
	EVP_PKEY *key;		/* NULL for a CA that only verifies */
	X509_STORE *store;	/* holds only cert; built once, shared by verifies */
};

/* An extension in OpenSSL's configuration syntax (fixed strings only). */
struct ext {
	int nid;
	const char *value;
};

static const struct ext ca_exts[] = {
	{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
	{NID_key_usage, "critical,keyCertSign,cRLSign"},
	{NID_subject_key_identifier, "hash"},
};

static int ossl_fail(struct ct_errinfo *ei, int code, const char *what)
{
	unsigned long e = ERR_peek_last_error();
	char buf[256] = "no detail";

	if (e != 0)
		ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return ct_errinfo_set(ei, code, "%s: %s", what, buf);
}

static void hex_upper(const uint8_t *p, size_t n, char *out)
{
	size_t i;

	ct_hex_encode(p, n, out);
	for (i = 0; i < 2 * n; i++)
		out[i] = (char)toupper((unsigned char)out[i]);
}

bool ct_pki_guid_valid(const char *s)
{
	size_t i;

	if (s == NULL || strnlen(s, CT_PKI_GUID_LEN + 1) != CT_PKI_GUID_LEN)
		return false;
	for (i = 0; i < CT_PKI_GUID_LEN; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-'
			 : !((s[i] >= '0' && s[i] <= '9') ||
			     (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	}
	return true;
}

int ct_pki_guid_new(char out[CT_PKI_GUID_LEN + 1])
{
	uint8_t b[16];
	char hex[33];

	if (RAND_bytes(b, sizeof(b)) != 1)
		return CT_ERR_CRYPTO;
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);	/* version 4 */
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);	/* RFC 4122 variant */
	ct_hex_encode(b, sizeof(b), hex);
	snprintf(out, CT_PKI_GUID_LEN + 1, "%.8s-%.4s-%.4s-%.4s-%.12s", hex,
		 hex + 8, hex + 12, hex + 16, hex + 20);
	return 0;
}

static int thumbprint(const EVP_MD *md, const uint8_t *der, size_t len,
		      char *out)
{
	uint8_t h[EVP_MAX_MD_SIZE];
	unsigned int n;

	if (EVP_Digest(der, len, h, &n, md, NULL) != 1) {
		ERR_clear_error();
		return CT_ERR_CRYPTO;
	}
	hex_upper(h, n, out);
	return 0;
}

int ct_pki_cert_thumbprint(const uint8_t *der, size_t len,
			   char out[CT_PKI_THUMBPRINT_LEN + 1])
{
	return thumbprint(EVP_sha1(), der, len, out);
}

int ct_pki_cert_thumbprint_sha256(const uint8_t *der, size_t len,
				  char out[CT_PKI_THUMBPRINT256_LEN + 1])
{
	return thumbprint(EVP_sha256(), der, len, out);
}

/* Appends one or two OpenSSL-allocated DER blobs, all or nothing, and frees them wiped. */
static int put_ders(struct ct_buf *a, uint8_t *da, int na, struct ct_buf *b,
		    uint8_t *db, int nb)
{
	int r = 0;

	if (da == NULL || na <= 0 || (b != NULL && (db == NULL || nb <= 0)))
		r = CT_ERR_CRYPTO;
	if (r == 0)
		r = ct_buf_reserve(a, (size_t)na);
	if (r == 0 && b != NULL)
		r = ct_buf_reserve(b, (size_t)nb);
	if (r == 0) {
		ct_buf_put(a, da, (size_t)na);
		if (b != NULL)
			ct_buf_put(b, db, (size_t)nb);
	}
	OPENSSL_clear_free(da, na > 0 ? (size_t)na : 0);
	OPENSSL_clear_free(db, nb > 0 ? (size_t)nb : 0);
	ERR_clear_error();
	return r;
}

/* PKCS#8 DER of a private key, in memory OpenSSL wipes on free. */
static int pkcs8_der(EVP_PKEY *key, uint8_t **der)
{
	PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(key);
	int n;

	*der = NULL;
	if (p8 == NULL)
		return -1;
	n = i2d_PKCS8_PRIV_KEY_INFO(p8, der);
	PKCS8_PRIV_KEY_INFO_free(p8);
	return n;
}

static int cert_and_key_out(X509 *x, EVP_PKEY *key, struct ct_buf *cert_der,
			    struct ct_buf *key_der)
{
	uint8_t *dc = NULL, *dk = NULL;
	int nc, nk = 0;

	nc = i2d_X509(x, &dc);
	if (key_der != NULL)
		nk = pkcs8_der(key, &dk);
	return put_ders(cert_der, dc, nc, key_der, dk, nk);
}

/*
 * Starts a certificate for pub: version 3, random positive 16-byte serial
 * (top bits 01, so the DER INTEGER is always 16 bytes), subject CN=cn,
 * valid from CT_PKI_BACKDATE_SECONDS ago for days.
 */
static int cert_new(const char *cn, EVP_PKEY *pub, unsigned days, X509 **out,
		    struct ct_errinfo *ei)
{
	X509 *x = X509_new();
	uint8_t serial[16];
	BIGNUM *bn = NULL;
	int r = 0;

	if (x == NULL)
		return ct_errinfo_set(ei, CT_ERR_NOMEM, "out of memory");
	if (RAND_bytes(serial, sizeof(serial)) != 1)
		goto fail;
	serial[0] = (uint8_t)((serial[0] & 0x3f) | 0x40);
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	if (bn == NULL || X509_set_version(x, X509_VERSION_3) != 1 ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL ||
	    X509_NAME_add_entry_by_NID(X509_get_subject_name(x),
				       NID_commonName, MBSTRING_UTF8,
				       (const unsigned char *)cn, -1, -1, 0) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -CT_PKI_BACKDATE_SECONDS) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), (int)days, 0, NULL) == NULL ||
	    X509_set_pubkey(x, pub) != 1)
		goto fail;
	*out = x;
	x = NULL;
	goto out;
fail:
	r = ossl_fail(ei, CT_ERR_CRYPTO, "cannot build a certificate");
out:
	BN_free(bn);
	X509_free(x);
	return r;
}

/* Adds exts (issuer NULL: self-signed), the issuer name and signs with SHA-256. */
static int cert_sign(X509 *x, X509 *issuer, EVP_PKEY *signer,
		     const struct ext *exts, size_t n, struct ct_errinfo *ei)
{
	X509V3_CTX v3;
	size_t i;

	if (X509_set_issuer_name(x, X509_get_subject_name(issuer != NULL ? issuer : x)) != 1)
		return ossl_fail(ei, CT_ERR_CRYPTO, "cannot set the issuer");
	X509V3_set_ctx(&v3, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
	for (i = 0; i < n; i++) {
		X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &v3, exts[i].nid,
							exts[i].value);
		int ok = e != NULL && X509_add_ext(x, e, -1) == 1;

		X509_EXTENSION_free(e);
		if (!ok)
			return ossl_fail(ei, CT_ERR_CRYPTO, "cannot add an extension");
	}
	/* Self-signed: the authority key id is our own, so it comes after the SKI. */
	if (issuer == NULL) {
		X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &v3,
							NID_authority_key_identifier,
							"keyid:always");
		int ok = e != NULL && X509_add_ext(x, e, -1) == 1;

		X509_EXTENSION_free(e);
		if (!ok)
			return ossl_fail(ei, CT_ERR_CRYPTO, "cannot add the authority key id");
	}
	if (X509_sign(x, signer, EVP_sha256()) <= 0)
		return ossl_fail(ei, CT_ERR_CRYPTO, "cannot sign the certificate");
	return 0;
}

/* Adds the extensions every issued end-entity certificate carries. */
static int leaf_sign(const struct ct_pki_ca *ca, X509 *x, const char *eku,
		     struct ct_errinfo *ei)
{
	const struct ext exts[] = {
		{NID_basic_constraints, "critical,CA:FALSE"},
		{NID_key_usage, "critical,digitalSignature"},
		{NID_ext_key_usage, eku},
		{NID_subject_key_identifier, "hash"},
		{NID_authority_key_identifier, "keyid:always"},
	};

	return cert_sign(x, ca->cert, ca->key, exts,
			 sizeof(exts) / sizeof(exts[0]), ei);
}

/* Takes ownership of cert and key (also on failure). */
static int ca_new(X509 *cert, EVP_PKEY *key, struct ct_pki_ca **out,
		  struct ct_errinfo *ei)
{
	struct ct_pki_ca *ca = calloc(1, sizeof(*ca));

	if (ca == NULL) {
		X509_free(cert);
		EVP_PKEY_free(key);
		return ct_errinfo_set(ei, CT_ERR_NOMEM, "out of memory");
	}
	ca->cert = cert;
	ca->key = key;
	ca->store = X509_STORE_new();
	if (ca->store == NULL || X509_STORE_add_cert(ca->store, cert) != 1) {
		ct_pki_ca_free(ca);
		return ossl_fail(ei, CT_ERR_NOMEM, "cannot make a certificate store");
	}
	*out = ca;
	return 0;
}

void ct_pki_ca_free(struct ct_pki_ca *ca)
{
	if (ca == NULL)
		return;
	X509_STORE_free(ca->store);
	X509_free(ca->cert);
	EVP_PKEY_free(ca->key);
	free(ca);
}

static bool ca_name_ok(const char *name)
{
	size_t i, n;

	if (name == NULL)
		return false;
	n = strnlen(name, CT_PKI_MAX_NAME + 1);
	if (n == 0 || n > CT_PKI_MAX_NAME)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return false;
	return true;
}

static EVP_PKEY *p256_new(struct ct_errinfo *ei)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");

	if (k == NULL)
		ossl_fail(ei, CT_ERR_CRYPTO, "cannot make a P-256 key");
	return k;
}

int ct_pki_ca_create(const char *name, struct ct_pki_ca **out,
		     struct ct_errinfo *ei)
{
	EVP_PKEY *key;
	X509 *x = NULL;
	int r;

	if (!ca_name_ok(name))
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				      "a CA name is 1 to %d characters without control characters",
				      CT_PKI_MAX_NAME);
	key = p256_new(ei);
	if (key == NULL)
		return CT_ERR_CRYPTO;
	r = cert_new(name, key, CT_PKI_CA_DAYS, &x, ei);
	if (r == 0)
		r = cert_sign(x, NULL, key, ca_exts,
			      sizeof(ca_exts) / sizeof(ca_exts[0]), ei);
	if (r != 0) {
		X509_free(x);
		EVP_PKEY_free(key);
		return r;
	}
	return ca_new(x, key, out, ei);
}

int ct_pki_ca_export(const struct ct_pki_ca *ca, struct ct_buf *cert_der,
		     struct ct_buf *key_der)
{
	if (key_der != NULL && ca->key == NULL)
		return CT_ERR_NOT_FOUND;
	return cert_and_key_out(ca->cert, ca->key, cert_der, key_der);
}

/*
 * The key checks shared by requests, device certificates and CAs: RSA
 * (rsaEncryption with NULL parameters, CT_RSA_MIN_BITS..CT_RSA_MAX_BITS,
 * odd exponent of 17..256 bits, i.e. at least 65537) or EC on the named
 * curve P-256 (an OID, never explicit parameters).
 */
static int check_pubkey(X509_PUBKEY *xpk, enum ct_pki_key_type *type,
			int *bits, struct ct_errinfo *ei)
{
	ASN1_OBJECT *oid = NULL;
	X509_ALGOR *alg = NULL;
	const ASN1_OBJECT *curve;
	const void *pval;
	EVP_PKEY *pk;
	BIGNUM *e = NULL;
	int ptype, nid, r = 0;

	if (xpk == NULL || X509_PUBKEY_get0_param(&oid, NULL, NULL, &alg, xpk) != 1)
		return ossl_fail(ei, CT_ERR_BAD_KEY, "no public key");
	X509_ALGOR_get0(NULL, &ptype, &pval, alg);
	nid = OBJ_obj2nid(oid);
	pk = X509_PUBKEY_get0(xpk);
	if (nid != NID_rsaEncryption && nid != NID_X9_62_id_ecPublicKey) {
		char name[80];

		OBJ_obj2txt(name, sizeof(name), oid, 0);
		ERR_clear_error();
		return ct_errinfo_set(ei, CT_ERR_BAD_KEY,
				      "%s keys are not accepted (RSA 2048-4096 or EC P-256 only)",
				      name);
	}
	if (pk == NULL)
		return ossl_fail(ei, CT_ERR_BAD_KEY, "the public key does not decode");
	if (nid == NID_X9_62_id_ecPublicKey) {
		curve = pval;
		if (ptype != V_ASN1_OBJECT ||
		    OBJ_obj2nid(curve) != NID_X9_62_prime256v1) {
			ERR_clear_error();
			return ct_errinfo_set(ei, CT_ERR_BAD_KEY,
					      "EC keys must be on the named curve P-256");
		}
		*type = CT_PKI_KEY_EC_P256;
		*bits = 256;
		return 0;
	}
	*bits = EVP_PKEY_get_bits(pk);
	if (ptype != V_ASN1_NULL)
		r = ct_errinfo_set(ei, CT_ERR_BAD_KEY,
				   "RSA key algorithm parameters must be NULL");
	else if (*bits < CT_RSA_MIN_BITS || *bits > CT_RSA_MAX_BITS)
		r = ct_errinfo_set(ei, CT_ERR_BAD_KEY,
				   "RSA-%d keys are not accepted (%d to %d bits)",
				   *bits, CT_RSA_MIN_BITS, CT_RSA_MAX_BITS);
	else if (EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_E, &e) != 1 ||
		 !BN_is_odd(e) || BN_num_bits(e) < 17 || BN_num_bits(e) > 256)
		r = ct_errinfo_set(ei, CT_ERR_BAD_KEY,
				   "RSA public exponent must be odd and at least 65537");
	BN_free(e);
	ERR_clear_error();
	*type = CT_PKI_KEY_RSA;
	return r;
}

/* Reads a certificate from exactly len bytes of DER. */
static int cert_from_der(const uint8_t *der, size_t len, X509 **out,
			 struct ct_errinfo *ei)
{
	const unsigned char *p = der;
	X509 *x;

	if (len > CT_CERT_MAX)
		return ct_errinfo_set(ei, CT_ERR_TOO_LARGE,
				      "certificate of %zu bytes (limit %d)",
				      len, CT_CERT_MAX);
	x = d2i_X509(NULL, &p, (long)len);
	if (x == NULL)
		return ossl_fail(ei, CT_ERR_BAD_VALUE, "not a DER certificate");
	if (p != der + len) {
		X509_free(x);
		return ct_errinfo_set(ei, CT_ERR_TRAILING,
				      "%zu bytes after the certificate",
				      (size_t)(der + len - p));
	}
	*out = x;
	return 0;
}

static int cert_from_pem(const uint8_t *pem, size_t len, X509 **out,
			 struct ct_errinfo *ei)
{
	BIO *bio;
	X509 *x;

	if (len > CT_CERT_MAX * 2)
		return ct_errinfo_set(ei, CT_ERR_TOO_LARGE, "certificate PEM too large");
	bio = BIO_new_mem_buf(pem, (int)len);
	if (bio == NULL)
		return ossl_fail(ei, CT_ERR_NOMEM, "out of memory");
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (x == NULL)
		return ossl_fail(ei, CT_ERR_BAD_VALUE, "not a PEM certificate");
	*out = x;
	return 0;
}

static int key_from_pkcs8(const uint8_t *der, size_t len, EVP_PKEY **out,
			  struct ct_errinfo *ei)
{
	const unsigned char *p = der;
	PKCS8_PRIV_KEY_INFO *p8;
	EVP_PKEY *k = NULL;

	if (len > CT_CERT_MAX)
		return ct_errinfo_set(ei, CT_ERR_TOO_LARGE, "private key too large");
	p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)len);
	if (p8 != NULL && p == der + len)
		k = EVP_PKCS82PKEY(p8);
	PKCS8_PRIV_KEY_INFO_free(p8);
	if (k == NULL)
		return ossl_fail(ei, CT_ERR_BAD_VALUE, "not a PKCS#8 DER private key");
	*out = k;
	return 0;
}

int ct_pki_ca_load(const uint8_t *cert, size_t cert_len,
		   const uint8_t *key_der, size_t key_len,
		   struct ct_pki_ca **out, struct ct_errinfo *ei)
{
	static const char pem_start[] = "-----BEGIN";
	enum ct_pki_key_type type;
	EVP_PKEY *key = NULL;
	X509 *x = NULL;
	int bits, r;

	if (cert_len >= sizeof(pem_start) - 1 &&
	    memcmp(cert, pem_start, sizeof(pem_start) - 1) == 0)
		r = cert_from_pem(cert, cert_len, &x, ei);
	else
		r = cert_from_der(cert, cert_len, &x, ei);
	if (r != 0)
		return r;
	if (X509_check_ca(x) == 0) {
		r = ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "not a CA certificate");
		goto out;
	}
	r = check_pubkey(X509_get_X509_PUBKEY(x), &type, &bits, ei);
	if (r == 0 && type != CT_PKI_KEY_EC_P256)
		r = ct_errinfo_set(ei, CT_ERR_BAD_KEY, "a CA key must be EC P-256");
	if (r == 0 && key_der != NULL)
		r = key_from_pkcs8(key_der, key_len, &key, ei);
	if (r == 0 && key != NULL && X509_check_private_key(x, key) != 1)
		r = ossl_fail(ei, CT_ERR_MISMATCH,
			      "the private key does not belong to the CA certificate");
	if (r == 0) {
		r = ca_new(x, key, out, ei);
		x = NULL;
		key = NULL;
	}
out:
	X509_free(x);
	EVP_PKEY_free(key);
	return r;
}

/* Host names: dot-separated LDH labels of 1..63, at most 253 in all. */
static bool dns_name_ok(const char *s)
{
	size_t n = strnlen(s, 254), label = 0, i;

	if (n == 0 || n > 253)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-'))
			return false;
		if ((c == '-' && label == 0) || ++label > 63)
			return false;
	}
	return label > 0 && s[n - 1] != '-';
}

static int add_san(GENERAL_NAMES *gens, int type, const void *data, int len)
{
	GENERAL_NAME *g = GENERAL_NAME_new();
	ASN1_STRING *s = ASN1_STRING_type_new(type == GEN_DNS ? V_ASN1_IA5STRING
							      : V_ASN1_OCTET_STRING);

	if (g == NULL || s == NULL || ASN1_STRING_set(s, data, len) != 1) {
		GENERAL_NAME_free(g);
		ASN1_STRING_free(s);
		return CT_ERR_NOMEM;
	}
	GENERAL_NAME_set0_value(g, type, s);
	if (sk_GENERAL_NAME_push(gens, g) <= 0) {
		GENERAL_NAME_free(g);
		return CT_ERR_NOMEM;
	}
	return 0;
}

/* Builds the subjectAltName from checked names and addresses (never from config text). */
static int san_build(const char *const *dns, size_t ndns,
		     const char *const *ips, size_t nips, GENERAL_NAMES **out,
		     struct ct_errinfo *ei)
{
	GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
	size_t i;
	int r = 0;

	if (gens == NULL)
		return CT_ERR_NOMEM;
	for (i = 0; r == 0 && i < ndns; i++) {
		if (!dns_name_ok(dns[i]))
			r = ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
					   "\"%s\" is not a valid DNS name", dns[i]);
		else
			r = add_san(gens, GEN_DNS, dns[i], (int)strlen(dns[i]));
	}
	for (i = 0; r == 0 && i < nips; i++) {
		uint8_t a[16];

		if (inet_pton(AF_INET, ips[i], a) == 1)
			r = add_san(gens, GEN_IPADD, a, 4);
		else if (inet_pton(AF_INET6, ips[i], a) == 1)
			r = add_san(gens, GEN_IPADD, a, 16);
		else
			r = ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
					   "\"%s\" is not an IPv4 or IPv6 address", ips[i]);
	}
	if (r != 0) {
		GENERAL_NAMES_free(gens);
		return r;
	}
	*out = gens;
	return 0;
}

static int issue_args_ok(const struct ct_pki_ca *ca, unsigned days,
			 struct ct_errinfo *ei)
{
	if (ca->key == NULL)
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				      "the CA was loaded without its private key");
	if (days < 1 || days > CT_PKI_MAX_DAYS)
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				      "validity of %u days (1 to %d)", days,
				      CT_PKI_MAX_DAYS);
	return 0;
}

int ct_pki_server_cert_issue(const struct ct_pki_ca *ca,
			     const char *const *dns, size_t ndns,
			     const char *const *ips, size_t nips,
			     unsigned days, struct ct_buf *cert_der,
			     struct ct_buf *key_der, struct ct_errinfo *ei)
{
	GENERAL_NAMES *gens = NULL;
	EVP_PKEY *key = NULL;
	X509 *x = NULL;
	int r;

	r = issue_args_ok(ca, days, ei);
	if (r != 0)
		return r;
	if (ndns + nips == 0 || ndns > CT_PKI_MAX_SAN || nips > CT_PKI_MAX_SAN ||
	    ndns + nips > CT_PKI_MAX_SAN)
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				      "a server certificate needs 1 to %d names",
				      CT_PKI_MAX_SAN);
	r = san_build(dns, ndns, ips, nips, &gens, ei);
	if (r != 0)
		return r;
	key = p256_new(ei);
	if (key == NULL) {
		r = CT_ERR_CRYPTO;
		goto out;
	}
	r = cert_new(ndns > 0 ? dns[0] : ips[0], key, days, &x, ei);
	if (r != 0)
		goto out;
	if (X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0,
			      X509V3_ADD_DEFAULT) != 1) {
		r = ossl_fail(ei, CT_ERR_CRYPTO, "cannot add the subjectAltName");
		goto out;
	}
	r = leaf_sign(ca, x, "serverAuth", ei);
	if (r == 0)
		r = cert_and_key_out(x, key, cert_der, key_der);
out:
	GENERAL_NAMES_free(gens);
	X509_free(x);
	EVP_PKEY_free(key);
	return r;
}

int ct_pki_pem_encode(const char *label, const uint8_t *der, size_t len,
		      struct ct_buf *out)
{
	size_t lines = (len + 47) / 48, llen = strlen(label), off;
	size_t total = 11 + llen + 6 + 4 * ((len + 2) / 3) + lines + 9 + llen + 6;
	unsigned char line[65];
	int r;

	r = ct_buf_reserve(out, total);
	if (r != 0)
		return r;
	/* Reserved, so none of these puts can fail half-way. */
	ct_buf_put(out, "-----BEGIN ", 11);
	ct_buf_put(out, label, llen);
	ct_buf_put(out, "-----\n", 6);
	for (off = 0; off < len; off += 48) {
		int chunk = (int)(len - off < 48 ? len - off : 48);
		int n = EVP_EncodeBlock(line, der + off, chunk);

		ct_buf_put(out, line, (size_t)n);
		ct_buf_put_u8(out, '\n');
	}
	ct_zap(line, sizeof(line));
	ct_buf_put(out, "-----END ", 9);
	ct_buf_put(out, label, llen);
	ct_buf_put(out, "-----\n", 6);
	return 0;
}

/* Replaces path with the PEM of der: temporary file, fsync, rename. */
static int write_pem_file(const char *path, const char *label,
			  const uint8_t *der, size_t len, mode_t mode,
			  struct ct_errinfo *ei)
{
	struct ct_buf pem;
	char tmp[PATH_MAX];
	bool made = false;
	FILE *f = NULL;
	int fd = -1, r;

	ct_buf_init(&pem, CT_BUF_DEFAULT_CAP);
	r = ct_pki_pem_encode(label, der, len, &pem);
	if (r != 0)
		goto out;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.ct-XXXXXX", path) >= sizeof(tmp)) {
		r = ct_errinfo_set(ei, CT_ERR_INVALID_ARG, "path too long: %s", path);
		goto out;
	}
	/* mkstemp: O_EXCL and mode 0600 from the start, so a key is never readable by others. */
	fd = mkstemp(tmp);
	if (fd < 0)
		goto io_error;
	made = true;
	f = fdopen(fd, "w");
	if (f == NULL || fchmod(fd, mode) != 0 ||
	    fwrite(pem.data, 1, pem.len, f) != pem.len || fflush(f) != 0 ||
	    fsync(fd) != 0)
		goto io_error;
	r = fclose(f);
	f = NULL;
	fd = -1;
	if (r != 0 || rename(tmp, path) != 0)
		goto io_error;
	r = 0;
	goto out;
io_error:
	r = ct_errinfo_set(ei, errno == EACCES ? CT_ERR_PERMISSION : CT_ERR_IO,
			   "writing %s: %s", path, strerror(errno));
out:
	if (f != NULL)
		fclose(f);
	else if (fd >= 0)
		close(fd);
	if (r != 0 && made)
		unlink(tmp);
	ct_buf_free(&pem);
	return r;
}

int ct_pki_write_tls_files(const char *cert_path, const char *key_path,
			   const uint8_t *cert_der, size_t cert_len,
			   const uint8_t *key_der, size_t key_len,
			   struct ct_errinfo *ei)
{
	int r;

	/* Key first: a reader that sees the new certificate finds its key. */
	r = write_pem_file(key_path, "PRIVATE KEY", key_der, key_len,
			   S_IRUSR | S_IWUSR, ei);
	if (r == 0)
		r = write_pem_file(cert_path, "CERTIFICATE", cert_der, cert_len,
				   S_IRUSR | S_IWUSR | S_IRGRP | S_IROTH, ei);
	return r;
}

/* SHA-2 signatures only, and of the family the key belongs to. */
static int check_sig_alg(const X509_ALGOR *alg, enum ct_pki_key_type type,
			 struct ct_errinfo *ei)
{
	const ASN1_OBJECT *oid;
	int nid;

	X509_ALGOR_get0(&oid, NULL, NULL, alg);
	nid = OBJ_obj2nid(oid);
	switch (nid) {
	case NID_sha256WithRSAEncryption:
	case NID_sha384WithRSAEncryption:
	case NID_sha512WithRSAEncryption:
	case NID_rsassaPss:
		if (type == CT_PKI_KEY_RSA)
			return 0;
		break;
	case NID_ecdsa_with_SHA256:
	case NID_ecdsa_with_SHA384:
	case NID_ecdsa_with_SHA512:
		if (type == CT_PKI_KEY_EC_P256)
			return 0;
		break;
	default:
		break;
	}
	return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
			      "signature algorithm %s is not accepted for this key",
			      nid == NID_undef ? "(unknown)" : OBJ_nid2sn(nid));
}

/* The request must be DER: OpenSSL's encoding of what it parsed is the input itself. */
static int check_der(X509_REQ *req, const uint8_t *der, size_t len,
		     struct ct_errinfo *ei)
{
	uint8_t *re = NULL;
	int n, r = 0;

	/* Drops the cached encoding of the request info, so i2d re-encodes all. */
	if (i2d_re_X509_REQ_tbs(req, NULL) <= 0)
		return ossl_fail(ei, CT_ERR_BAD_VALUE, "cannot re-encode the request");
	n = i2d_X509_REQ(req, &re);
	if (n <= 0)
		r = ossl_fail(ei, CT_ERR_BAD_VALUE, "cannot re-encode the request");
	else if ((size_t)n != len || memcmp(re, der, len) != 0)
		r = ct_errinfo_set(ei, CT_ERR_NON_MINIMAL,
				   "the request is not DER-encoded");
	OPENSSL_free(re);
	return r;
}

int ct_pki_csr_parse(const uint8_t *der, size_t len, struct ct_pki_csr *out,
		     struct ct_errinfo *ei)
{
	const unsigned char *p = der;
	struct ct_pki_csr c = {0};
	const X509_ALGOR *alg;
	X509_REQ *req;
	int n, r;

	if (len > CT_CSR_MAX)
		return ct_errinfo_set(ei, CT_ERR_TOO_LARGE,
				      "request of %zu bytes (limit %d)", len,
				      CT_CSR_MAX);
	req = d2i_X509_REQ(NULL, &p, (long)len);
	if (req == NULL)
		return ossl_fail(ei, CT_ERR_BAD_VALUE, "not a PKCS#10 request");
	if (p != der + len) {
		r = ct_errinfo_set(ei, CT_ERR_TRAILING,
				   "%zu bytes after the request",
				   (size_t)(der + len - p));
		goto out;
	}
	r = check_der(req, der, len, ei);
	if (r != 0)
		goto out;
	if (X509_REQ_get_version(req) != X509_REQ_VERSION_1) {
		r = ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				   "request version %ld, only version 1 exists",
				   X509_REQ_get_version(req) + 1);
		goto out;
	}
	r = check_pubkey(X509_REQ_get_X509_PUBKEY(req), &c.key_type,
			 &c.key_bits, ei);
	if (r != 0)
		goto out;
	X509_REQ_get0_signature(req, NULL, &alg);
	r = check_sig_alg(alg, c.key_type, ei);
	if (r != 0)
		goto out;
	c.pubkey = X509_REQ_get_pubkey(req);
	if (c.pubkey == NULL || X509_REQ_verify(req, c.pubkey) != 1) {
		r = ossl_fail(ei, CT_ERR_SIGNATURE,
			      "the request's signature does not verify with its own key");
		goto out;
	}
	n = i2d_PUBKEY(c.pubkey, &c.spki);
	if (n <= 0) {
		r = ossl_fail(ei, CT_ERR_NOMEM, "cannot encode the public key");
		goto out;
	}
	c.spki_len = (size_t)n;
	*out = c;
	memset(&c, 0, sizeof(c));
out:
	ct_pki_csr_free(&c);
	X509_REQ_free(req);
	ERR_clear_error();
	return r;
}

void ct_pki_csr_free(struct ct_pki_csr *csr)
{
	EVP_PKEY_free(csr->pubkey);
	OPENSSL_free(csr->spki);
	memset(csr, 0, sizeof(*csr));
}

int ct_pki_device_cert_issue(const struct ct_pki_ca *device_ca,
			     const struct ct_pki_csr *csr,
			     const char *device_id, unsigned days,
			     struct ct_buf *cert_der, struct ct_errinfo *ei)
{
	X509 *x = NULL;
	int r;

	r = issue_args_ok(device_ca, days, ei);
	if (r != 0)
		return r;
	if (!ct_pki_guid_valid(device_id))
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				      "device id is not a lower-case GUID");
	if (csr->pubkey == NULL)
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG, "no request key");
	r = cert_new(device_id, csr->pubkey, days, &x, ei);
	if (r == 0)
		r = leaf_sign(device_ca, x, "clientAuth", ei);
	if (r == 0)
		r = cert_and_key_out(x, NULL, cert_der, NULL);
	X509_free(x);
	return r;
}

/* The subject's one CN, which must be a GUID. */
static int device_id_of(X509 *x, char out[CT_PKI_GUID_LEN + 1],
			struct ct_errinfo *ei)
{
	const X509_NAME *nm = X509_get_subject_name(x);
	int i = X509_NAME_get_index_by_NID(nm, NID_commonName, -1);
	const ASN1_STRING *s;

	if (i < 0 || X509_NAME_get_index_by_NID(nm, NID_commonName, i) >= 0)
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				      "a device certificate has exactly one CN");
	s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(nm, i));
	if (ASN1_STRING_length(s) != CT_PKI_GUID_LEN)
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				      "the device certificate's CN is not a device id");
	memcpy(out, ASN1_STRING_get0_data(s), CT_PKI_GUID_LEN);
	out[CT_PKI_GUID_LEN] = '\0';
	if (!ct_pki_guid_valid(out))
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				      "the device certificate's CN is not a device id");
	return 0;
}

static int chain_check(const struct ct_pki_ca *ca, X509 *x, time_t now,
		       struct ct_errinfo *ei)
{
	X509_STORE_CTX *vc = X509_STORE_CTX_new();
	int r = 0, err;

	if (vc == NULL || X509_STORE_CTX_init(vc, ca->store, x, NULL) != 1) {
		X509_STORE_CTX_free(vc);
		return ossl_fail(ei, CT_ERR_NOMEM, "cannot set up verification");
	}
	X509_STORE_CTX_set_purpose(vc, X509_PURPOSE_SSL_CLIENT);
	X509_STORE_CTX_set_time(vc, 0, now);
	X509_VERIFY_PARAM_set_flags(X509_STORE_CTX_get0_param(vc),
				    X509_V_FLAG_X509_STRICT);
	if (X509_verify_cert(vc) != 1) {
		err = X509_STORE_CTX_get_error(vc);
		r = ct_errinfo_set(ei, err == X509_V_ERR_CERT_HAS_EXPIRED ||
				       err == X509_V_ERR_CERT_NOT_YET_VALID
				       ? CT_ERR_CERT_EXPIRED : CT_ERR_CERT_UNTRUSTED,
				   "device certificate: %s (depth %d)",
				   X509_verify_cert_error_string(err),
				   X509_STORE_CTX_get_error_depth(vc));
	} else if (sk_X509_num(X509_STORE_CTX_get0_chain(vc)) != 2 ||
		   X509_check_ca(x) != 0) {
		/* Only a leaf issued by the CA itself, never the CA certificate. */
		r = ct_errinfo_set(ei, CT_ERR_CERT_UNTRUSTED,
				   "not an end-entity certificate issued by the device CA");
	}
	X509_STORE_CTX_free(vc);
	ERR_clear_error();
	return r;
}

int ct_pki_device_cert_verify(const struct ct_pki_ca *device_ca,
			      const uint8_t *cert_der, size_t len, time_t now,
			      char device_id[CT_PKI_GUID_LEN + 1],
			      EVP_PKEY **pubkey, struct ct_errinfo *ei)
{
	char id[CT_PKI_GUID_LEN + 1];
	enum ct_pki_key_type type;
	EVP_PKEY *pk = NULL;
	X509 *x = NULL;
	int bits, r;

	r = cert_from_der(cert_der, len, &x, ei);
	if (r != 0)
		return r;
	r = chain_check(device_ca, x, now, ei);
	if (r == 0)
		r = check_pubkey(X509_get_X509_PUBKEY(x), &type, &bits, ei);
	if (r == 0)
		r = device_id_of(x, id, ei);
	if (r == 0 && pubkey != NULL) {
		pk = X509_get_pubkey(x);
		if (pk == NULL)
			r = ossl_fail(ei, CT_ERR_NOMEM, "cannot take the public key");
	}
	if (r == 0) {
		memcpy(device_id, id, sizeof(id));
		if (pubkey != NULL)
			*pubkey = pk;
	}
	X509_free(x);
	return r;
}
