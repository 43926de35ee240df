/* SPDX-License-Identifier: Apache-2.0 */
#include "cl-device.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cl-limits.h"
#include "cl-proto.h"
#include "cl-safefile.h"
#include "cl-state.h"
#include "ct-secret.h"

void cl_device_keys_free(struct cl_device_keys *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->device_key);
	EVP_PKEY_free(k->transport_key);
	free(k->cert_der);
	memset(k, 0, sizeof(*k));
}

int cl_device_keys_generate(struct cl_device_keys *k, struct ct_errinfo *ei)
{
	EVP_PKEY *dev = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY *tk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);

	if (dev == NULL || tk == NULL) {
		EVP_PKEY_free(dev);
		EVP_PKEY_free(tk);
		return ct_errinfo_set(ei, CT_ERR_CRYPTO, "cannot generate the device keys");
	}
	k->device_key = dev;
	k->transport_key = tk;
	return 0;
}

int cl_device_csr(EVP_PKEY *key, struct ct_buf *der, struct ct_errinfo *ei)
{
	X509_REQ *req = X509_REQ_new();
	X509_NAME *name = NULL;
	unsigned char *p = NULL;
	int n, r = CT_ERR_CRYPTO;

	if (req == NULL || (name = X509_NAME_new()) == NULL ||
	    X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_ASC,
				       (const unsigned char *)CL_CSR_PLACEHOLDER_CN, -1, -1,
				       0) != 1 ||
	    X509_REQ_set_version(req, 0) != 1 || X509_REQ_set_subject_name(req, name) != 1 ||
	    X509_REQ_set_pubkey(req, key) != 1 || X509_REQ_sign(req, key, EVP_sha256()) <= 0)
		goto out;
	n = i2d_X509_REQ(req, &p);
	if (n <= 0)
		goto out;
	ct_buf_put(der, p, (size_t)n);
	r = der->err;
out:
	if (r == CT_ERR_CRYPTO)
		ct_errinfo_set(ei, r, "cannot make the certificate request");
	OPENSSL_free(p);
	X509_NAME_free(name);
	X509_REQ_free(req);
	return r;
}

bool cl_cert_matches_key(const uint8_t *der, size_t len, EVP_PKEY *key)
{
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	EVP_PKEY *pub = x != NULL && p == der + len ? X509_get0_pubkey(x) : NULL;
	bool ok = pub != NULL && EVP_PKEY_eq(pub, key) == 1;

	X509_free(x);
	return ok;
}

int cl_device_keys_set_cert(struct cl_device_keys *k, const uint8_t *der, size_t len)
{
	uint8_t *c = malloc(len);

	if (c == NULL)
		return CT_ERR_NOMEM;
	memcpy(c, der, len);
	free(k->cert_der);
	k->cert_der = c;
	k->cert_len = len;
	return 0;
}

/* Writes what a memory BIO holds to path, then wipes the BIO's memory. */
static int bio_to_file(BIO *b, const char *path, mode_t mode, struct ct_errinfo *ei)
{
	char *data = NULL;
	long n = BIO_get_mem_data(b, &data);
	int r;

	if (n <= 0)
		return ct_errinfo_set(ei, CT_ERR_CRYPTO, "cannot encode %s", path);
	r = cl_file_write(path, data, (size_t)n, mode, ei);
	OPENSSL_cleanse(data, (size_t)n);
	return r;
}

static int save_key(const char *dir, const char *name, EVP_PKEY *key,
		    struct ct_errinfo *ei)
{
	char path[4096];
	BIO *b = BIO_new(BIO_s_mem());
	int r;

	if (b == NULL)
		return CT_ERR_NOMEM;
	if (cl_path_join(path, sizeof(path), dir, name) != 0)
		r = ct_errinfo_set(ei, CT_ERR_TOO_LARGE, "path too long");
	else if (PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL) != 1)
		r = ct_errinfo_set(ei, CT_ERR_CRYPTO, "cannot encode %s", name);
	else
		r = bio_to_file(b, path, 0600, ei);
	BIO_free(b);
	return r;
}

int cl_device_keys_save(const char *dir, const struct cl_device_keys *k,
			struct ct_errinfo *ei)
{
	const unsigned char *p = k->cert_der;
	char path[4096];
	X509 *x = NULL;
	BIO *b = NULL;
	int r;

	r = save_key(dir, CL_DEVICE_KEY_FILE, k->device_key, ei);
	if (r == 0)
		r = save_key(dir, CL_TRANSPORT_KEY_FILE, k->transport_key, ei);
	if (r != 0)
		return r;
	if (k->cert_der == NULL)
		return 0;
	x = d2i_X509(NULL, &p, (long)k->cert_len);
	b = BIO_new(BIO_s_mem());
	if (x == NULL || b == NULL || PEM_write_bio_X509(b, x) != 1)
		r = ct_errinfo_set(ei, CT_ERR_CRYPTO, "cannot encode the device certificate");
	else if (cl_path_join(path, sizeof(path), dir, CL_DEVICE_CERT_FILE) != 0)
		r = ct_errinfo_set(ei, CT_ERR_TOO_LARGE, "path too long");
	else
		r = bio_to_file(b, path, 0644, ei);
	BIO_free(b);
	X509_free(x);
	return r;
}

/* Reads a PEM file of the state directory into a memory BIO. */
static int read_pem(const char *dir, const char *name, struct ct_buf *buf, BIO **out,
		    struct ct_errinfo *ei)
{
	char path[4096];
	int r;

	*out = NULL;
	if (cl_path_join(path, sizeof(path), dir, name) != 0)
		return ct_errinfo_set(ei, CT_ERR_TOO_LARGE, "path too long");
	r = cl_file_read(path, CT_CL_MAX_PEM_FILE, buf, ei);
	if (r != 0)
		return r;
	*out = BIO_new_mem_buf(buf->data, (int)buf->len);
	return *out != NULL ? 0 : CT_ERR_NOMEM;
}

static int load_key(const char *dir, const char *name, int want_type, EVP_PKEY **out,
		    struct ct_errinfo *ei)
{
	struct ct_buf buf;
	EVP_PKEY *k = NULL;
	BIO *b = NULL;
	int r;

	ct_buf_init(&buf, CT_CL_MAX_PEM_FILE);
	r = read_pem(dir, name, &buf, &b, ei);
	if (r == 0) {
		k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
		if (k == NULL)
			r = ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "%s/%s is not a PEM private key",
					   dir, name);
		else if (EVP_PKEY_get_base_id(k) != want_type ||
			 (want_type == EVP_PKEY_RSA && EVP_PKEY_get_bits(k) < 2048))
			r = ct_errinfo_set(ei, CT_ERR_BAD_KEY, "%s/%s holds the wrong kind of key",
					   dir, name);
	}
	BIO_free(b);
	ct_buf_free(&buf);
	if (r != 0) {
		EVP_PKEY_free(k);
		return r;
	}
	*out = k;
	return 0;
}

int cl_device_keys_load(const char *dir, struct cl_device_keys *k,
			struct ct_errinfo *ei)
{
	struct cl_device_keys t;
	struct ct_buf buf;
	unsigned char *der = NULL;
	X509 *x = NULL;
	BIO *b = NULL;
	int n, r;

	memset(&t, 0, sizeof(t));
	ct_buf_init(&buf, CT_CL_MAX_PEM_FILE);
	r = load_key(dir, CL_DEVICE_KEY_FILE, EVP_PKEY_EC, &t.device_key, ei);
	if (r == 0)
		r = load_key(dir, CL_TRANSPORT_KEY_FILE, EVP_PKEY_RSA, &t.transport_key, ei);
	if (r == 0)
		r = read_pem(dir, CL_DEVICE_CERT_FILE, &buf, &b, ei);
	if (r != 0)
		goto out;
	x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	n = x != NULL ? i2d_X509(x, &der) : -1;
	if (n <= 0 || n > CT_CERT_MAX) {
		r = ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "%s/%s is not a PEM certificate", dir,
				   CL_DEVICE_CERT_FILE);
		goto out;
	}
	r = cl_device_keys_set_cert(&t, der, (size_t)n);
	if (r == 0 && !cl_cert_matches_key(t.cert_der, t.cert_len, t.device_key))
		r = ct_errinfo_set(ei, CT_ERR_MISMATCH,
				   "the device certificate does not belong to the device key");
	if (r == 0) {
		*k = t;
		memset(&t, 0, sizeof(t));
	}
out:
	OPENSSL_free(der);
	X509_free(x);
	BIO_free(b);
	ct_buf_free(&buf);
	cl_device_keys_free(&t);
	return r;
}

int cl_device_keys_remove(const char *dir, struct ct_errinfo *ei)
{
	static const char *const names[] = {CL_DEVICE_KEY_FILE, CL_TRANSPORT_KEY_FILE,
					    CL_DEVICE_CERT_FILE};
	char path[4096];
	size_t i;
	int r = 0, r2;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (cl_path_join(path, sizeof(path), dir, names[i]) != 0)
			return CT_ERR_TOO_LARGE;
		r2 = cl_file_remove(path, i < 2, ei);
		if (r == 0)
			r = r2;
	}
	return r;
}

int cl_copy_ca_file(const char *src, const char *path, struct ct_errinfo *ei)
{
	struct ct_buf buf;
	uint8_t chunk[4096];
	X509 *x = NULL;
	BIO *b = NULL;
	ssize_t n;
	int fd, r = 0;

	ct_buf_init(&buf, CT_CL_MAX_PEM_FILE);
	fd = open(src, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return ct_errinfo_set(ei, errno == ENOENT ? CT_ERR_NOT_FOUND : CT_ERR_IO,
				      "cannot open the CA file %s: %s", src, strerror(errno));
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		ct_buf_put(&buf, chunk, (size_t)n);
	close(fd);
	if (n < 0 || buf.err != 0) {
		r = ct_errinfo_set(ei, buf.err == CT_ERR_TOO_LARGE ? CT_ERR_TOO_LARGE : CT_ERR_IO,
				   "cannot read the CA file %s", src);
		goto out;
	}
	b = BIO_new_mem_buf(buf.data, (int)buf.len);
	x = b != NULL ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	if (x == NULL) {
		r = ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "%s holds no PEM certificate", src);
		goto out;
	}
	r = cl_file_write(path, buf.data, buf.len, 0644, ei);
out:
	X509_free(x);
	BIO_free(b);
	ct_buf_free(&buf);
	return r;
}
