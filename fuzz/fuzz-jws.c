/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes the JWS parser and verifiers: ct_jws_parse on arbitrary bytes,
 * then ct_jws_verify with fixed RSA and P-256 keys (every alg allowed) and
 * ct_jws_verify_hmac with a fixed secret.  The corpus (made by
 * tests/data/jose/make-fuzz-corpus.py) holds tokens those keys signed, so
 * the fuzzer starts past the signature check; what verifies has its
 * payload parsed as JSON too.  Checks an invariant: the signing input is
 * the input up to its last '.'.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "jws.h"
#include "keyblob.h"
#include "strict-json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Public halves of tests/data/jose/fuzz-rsa2048.pem and fuzz-p256.pem. */
static const char rsa_spki[] =
	"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA/HxTRQPdQ8sRgkV7L5IDLrBp"
	"o61ka1DbNwS5IW4jSc+9wpwo9M/PhMryyajh/knrvk2Sra/y/Swa3aJmvuyYEFktpwN9"
	"H0minnux5eSnnq/4QvNHPyb13CUMjfNxJ/cjnL0UlNxRK0Z6GdbaMO7NFiJRMbJfWcnz"
	"+5UtFLoDnhcs3NQGaEwym1QkzHSUF9sxBRXG8wF+SwTGsiG45Nnsjta3krT+ejweV1rI"
	"j/49wAMpZ8DQ3Fp42p5HAON/2iKc5QFqXo/a65nlam62E1sjvkHIsaQnPXZzhDzJSxDt"
	"0KwZiYeZ3aX4u027n4knBvUN/PqBFKbyhu96s5ULh+9SvQIDAQAB";
static const char p256_spki[] =
	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEKbB95Bs2JHG4zsQxK6UXnlDEbhS+ZBjq"
	"WexruU2sV1tc8Zc1wFgYexxiDan9a/ruYfkz7QgR4LN6zkjbnDv0Kg==";
/* The HS256 secret make-fuzz-corpus.py signs with. */
static const uint8_t hs_key[32] = "fuzz-jws HS256 secret, 32 bytes.";

static EVP_PKEY *load(const char *b64)
{
	struct ct_buf der;
	EVP_PKEY *k = NULL;

	ct_buf_init(&der, 4096);
	if (ct_b64_decode(&der, b64, strlen(b64)) != 0 ||
	    ct_spki_import(der.data, der.len, &k, NULL) != 0)
		abort();
	ct_buf_free(&der);
	return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static EVP_PKEY *rsa, *p256;
	struct ct_jws *jws = NULL;
	const uint8_t *dot;
	json_t *payload = NULL;
	int ok = 0;

	if (rsa == NULL) {
		rsa = load(rsa_spki);
		p256 = load(p256_spki);
	}
	if (ct_jws_parse((const char *)data, size, &jws, NULL) != 0)
		return 0;
	for (dot = data + size - 1; *dot != '.'; dot--)
		; /* a parsed JWS has two dots */
	if (jws->signing_input.len != (size_t)(dot - data) ||
	    memcmp(jws->signing_input.data, data, jws->signing_input.len) != 0)
		abort();
	ok |= ct_jws_verify(jws, ~0u, rsa, NULL) == 0;
	ok |= ct_jws_verify(jws, ~0u, p256, NULL) == 0;
	ok |= ct_jws_verify_hmac(jws, hs_key, sizeof(hs_key), NULL) == 0;
	if (ok && ct_json_parse(jws->payload.data, jws->payload.len, &payload,
				NULL) == 0)
		json_decref(payload);
	ct_jws_free(jws);
	return 0;
}
