/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small command line over src/jose for jose-oracle.py, which checks it
 * against python3-cryptography (an implementation that shares nothing with
 * ours).  Input on stdin, output on stdout; keys in files:
 *   private keys PKCS#8 DER, public keys SubjectPublicKeyInfo DER (read
 *   with ct_spki_import), secrets raw bytes.
 *
 *   jws-sign ALG KEY            payload -> compact JWS
 *   jws-verify ALG KEY          compact -> payload
 *   jwe-encrypt ALG KEY         plaintext -> compact JWE
 *   jwe-decrypt ALG KEY         compact -> plaintext
 *     ALG: RS256 ES256 HS256 / RSA-OAEP RSA-OAEP-256 dir session
 *   kdf KEYHEX LABELHEX CTXHEX LEN      -> hex
 *   blob-import BLOBFILE        -> "kid SPKI-HEX"
 *   blob-export SPKIFILE        -> RSA1 or ECS1 blob, hex
 * Errors print "ERR NAME: detail" on stderr and exit 1.
 */
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct-buf.h"
#include "ct-error.h"
#include "ct-hex.h"
#include "jwe.h"
#include "jws.h"
#include "kdf.h"
#include "keyblob.h"

#define MAX_IO (256 * 1024)

static struct ct_errinfo ei;

static int fail(int r)
{
	fprintf(stderr, "ERR %s: %s\n", ct_errname(r), ei.msg);
	return 1;
}

/* Reads a whole file ("-" for stdin) into b. */
static void slurp(const char *path, struct ct_buf *b)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char chunk[4096];
	size_t n;

	ct_buf_init(b, MAX_IO);
	if (f == NULL) {
		perror(path);
		exit(2);
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		ct_buf_put(b, chunk, n);
	if (f != stdin)
		fclose(f);
	ct_buf_put_u8(b, 0); /* a NUL after the data, not counted */
	b->len--;
	if (b->err != 0)
		exit(2);
}

/* A key for alg from a file: PKCS#8 private, or SPKI public. */
static EVP_PKEY *load_key(const char *path, bool private)
{
	struct ct_buf b;
	const unsigned char *p;
	EVP_PKEY *k = NULL;

	slurp(path, &b);
	p = b.data;
	if (private)
		k = d2i_AutoPrivateKey(NULL, &p, (long)b.len);
	else if (ct_spki_import(b.data, b.len, &k, &ei) != 0)
		exit(fail(ei.code));
	ct_buf_free(&b);
	if (k == NULL)
		exit(2);
	return k;
}

static int put_out(const void *p, size_t n)
{
	return fwrite(p, 1, n, stdout) == n ? 0 : 2;
}

static int jws_cmd(bool sign, const char *alg_name, const char *keyfile)
{
	enum ct_jose_alg alg = ct_jose_alg_from_name(alg_name);
	bool hmac = alg == CT_JOSE_HS256;
	struct ct_buf in, secret = {0};
	struct ct_jws *jws = NULL;
	EVP_PKEY *key = NULL;
	char *out = NULL;
	int r;

	slurp("-", &in);
	if (hmac)
		slurp(keyfile, &secret);
	else
		key = load_key(keyfile, sign);
	if (sign && hmac)
		r = ct_jws_sign_hmac(NULL, in.data, in.len, secret.data,
				     secret.len, &out, &ei);
	else if (sign)
		r = ct_jws_sign(alg, NULL, in.data, in.len, key, &out, &ei);
	else
		r = ct_jws_parse((char *)in.data, in.len, &jws, &ei);
	if (r == 0 && !sign)
		r = hmac ? ct_jws_verify_hmac(jws, secret.data, secret.len, &ei) :
			   ct_jws_verify(jws, alg, key, &ei);
	if (r == 0)
		r = sign ? put_out(out, strlen(out)) :
			   put_out(jws->payload.data, jws->payload.len);
	else
		fail(r);
	free(out);
	ct_jws_free(jws);
	EVP_PKEY_free(key);
	ct_buf_free(&secret);
	ct_buf_free(&in);
	return r == 0 ? 0 : 1;
}

static int jwe_decrypt(enum ct_jose_alg alg, const char *name,
		       const struct ct_buf *in, const char *keyfile,
		       struct ct_buf *plain)
{
	struct ct_jwe *jwe = NULL;
	struct ct_buf secret = {0};
	EVP_PKEY *key = NULL;
	int r;

	r = ct_jwe_parse((char *)in->data, in->len, &jwe, &ei);
	if (r != 0)
		return r;
	if (alg == CT_JOSE_RSA_OAEP || alg == CT_JOSE_RSA_OAEP_256) {
		key = load_key(keyfile, true);
		r = ct_jwe_decrypt_rsa(jwe, alg, key, plain, &ei);
	} else {
		slurp(keyfile, &secret);
		r = strcmp(name, "session") == 0 ?
			    ct_jwe_decrypt_session(jwe, secret.data, secret.len,
						   plain, &ei) :
			    ct_jwe_decrypt_dir(jwe, secret.data, secret.len,
					       plain, &ei);
	}
	ct_buf_free(&secret);
	EVP_PKEY_free(key);
	ct_jwe_free(jwe);
	return r;
}

static int jwe_encrypt(enum ct_jose_alg alg, const char *name,
		       const struct ct_buf *in, const char *keyfile,
		       char **out)
{
	struct ct_buf secret = {0};
	EVP_PKEY *key = NULL;
	int r;

	if (alg == CT_JOSE_RSA_OAEP || alg == CT_JOSE_RSA_OAEP_256) {
		key = load_key(keyfile, false);
		r = ct_jwe_encrypt_rsa(alg, NULL, in->data, in->len, key, out,
				       &ei);
	} else {
		slurp(keyfile, &secret);
		r = strcmp(name, "session") == 0 ?
			    ct_jwe_encrypt_session(in->data, in->len,
						   secret.data, secret.len, out,
						   &ei) :
			    ct_jwe_encrypt_dir(NULL, in->data, in->len,
					       secret.data, secret.len, out,
					       &ei);
	}
	ct_buf_free(&secret);
	EVP_PKEY_free(key);
	return r;
}

static int jwe_cmd(bool encrypt, const char *name, const char *keyfile)
{
	enum ct_jose_alg alg = strcmp(name, "session") == 0 ?
				       CT_JOSE_DIR :
				       ct_jose_alg_from_name(name);
	struct ct_buf in, plain;
	char *out = NULL;
	int r;

	slurp("-", &in);
	ct_buf_init(&plain, MAX_IO);
	if (encrypt)
		r = jwe_encrypt(alg, name, &in, keyfile, &out);
	else
		r = jwe_decrypt(alg, name, &in, keyfile, &plain);
	if (r == 0)
		r = encrypt ? put_out(out, strlen(out)) :
			      put_out(plain.data, plain.len);
	else
		fail(r);
	free(out);
	ct_buf_free(&plain);
	ct_buf_free(&in);
	return r == 0 ? 0 : 1;
}

static void print_hex(const uint8_t *p, size_t n)
{
	char *h = malloc(2 * n + 1);

	ct_hex_encode(p, n, h);
	printf("%s", h);
	free(h);
}

static uint8_t *unhex(const char *s, size_t *n)
{
	uint8_t *p = NULL;

	if (ct_hex_decode(s, &p, n) != 0)
		exit(2);
	return p;
}

static int kdf_cmd(char **argv)
{
	size_t klen, llen, clen, outlen = strtoul(argv[5], NULL, 10);
	uint8_t *k = unhex(argv[2], &klen), *l = unhex(argv[3], &llen);
	uint8_t *c = unhex(argv[4], &clen), *out = malloc(outlen + 1);
	int r;

	r = ct_kdf_sp800_108_hmac_sha256(k, klen, l, llen, c, clen, out,
					 outlen);
	if (r == 0)
		print_hex(out, outlen);
	else
		fail(r);
	free(k);
	free(l);
	free(c);
	free(out);
	return r == 0 ? 0 : 1;
}

static int blob_cmd(bool import, const char *file)
{
	char kid[CT_KID_BUFSIZE];
	struct ct_buf in, out;
	EVP_PKEY *key = NULL;
	int r;

	slurp(file, &in);
	ct_buf_init(&out, MAX_IO);
	if (import) {
		r = ct_key_blob_import(in.data, in.len, &key, &ei);
		if (r == 0)
			r = ct_key_blob_kid(in.data, in.len, kid);
		if (r == 0)
			r = ct_spki_export(key, &out);
		if (r == 0)
			printf("%s ", kid);
	} else {
		key = load_key(file, false);
		r = EVP_PKEY_is_a(key, "RSA") ? ct_rsa1_blob_export(key, &out) :
						ct_ecs1_blob_export(key, &out);
	}
	if (r == 0)
		print_hex(out.data, out.len);
	else
		fail(r);
	EVP_PKEY_free(key);
	ct_buf_free(&out);
	ct_buf_free(&in);
	return r == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (argc == 4 && strncmp(cmd, "jws-", 4) == 0)
		return jws_cmd(strcmp(cmd, "jws-sign") == 0, argv[2], argv[3]);
	if (argc == 4 && strncmp(cmd, "jwe-", 4) == 0)
		return jwe_cmd(strcmp(cmd, "jwe-encrypt") == 0, argv[2],
			       argv[3]);
	if (argc == 6 && strcmp(cmd, "kdf") == 0)
		return kdf_cmd(argv);
	if (argc == 3 && strncmp(cmd, "blob-", 5) == 0)
		return blob_cmd(strcmp(cmd, "blob-import") == 0, argv[2]);
	fprintf(stderr, "usage: see the comment at the top of test-jose-tool.c\n");
	return 2;
}
