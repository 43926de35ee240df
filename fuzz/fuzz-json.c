/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes the strict JSON parser, its getters and the key-blob imports.
 *
 * The input is parsed as JSON and every getter is tried on the members the
 * protocol reads; kngc and TransportKey strings are decoded and imported
 * as key blobs.  The raw input is also fed to the base64 decoders and to
 * the RSA1/ECS1 and SPKI imports.  Invariants (abort when broken): the
 * strict decoders accept one spelling per value, so what decodes
 * re-encodes to the input; and what imports re-exports to the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "keyblob.h"
#include "strict-json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {
	"kngc", "TransportKey", "tgt_ad", "tgt_cloud", "messageBuffer",
	"keyType", "exp", "iat", "tgt", "client_info", "JoinType", "x5c",
	"Nonce", "UsePassportForWork", "MinimumPINLength",
};

/* Decodes s with one alphabet; what decodes must encode back to s. */
static void b64_roundtrip(const char *s, size_t n, bool url)
{
	struct ct_buf dec, enc;

	ct_buf_init(&dec, 64 * 1024);
	ct_buf_init(&enc, 128 * 1024);
	if ((url ? ct_b64url_decode(&dec, s, n) : ct_b64_decode(&dec, s, n)) == 0) {
		if ((url ? ct_b64url_encode(&enc, dec.data, dec.len) :
			   ct_b64_encode(&enc, dec.data, dec.len)) != 0 ||
		    enc.len != n || (n > 0 && memcmp(enc.data, s, n) != 0))
			abort();
	}
	ct_buf_free(&enc);
	ct_buf_free(&dec);
}

/* Imports a blob; what imports must export to the same bytes. */
static void blob_roundtrip(const uint8_t *p, size_t n)
{
	char kid[CT_KID_BUFSIZE];
	struct ct_buf out;
	EVP_PKEY *k = NULL;
	int r;

	if (ct_key_blob_import(p, n, &k, NULL) != 0)
		return;
	ct_buf_init(&out, 4096);
	r = EVP_PKEY_is_a(k, "RSA") ? ct_rsa1_blob_export(k, &out) :
				      ct_ecs1_blob_export(k, &out);
	if (r != 0 || out.len != n || memcmp(out.data, p, n) != 0 ||
	    ct_key_blob_kid(p, n, kid) != 0 || strlen(kid) != CT_KID_LEN)
		abort();
	ct_buf_free(&out);
	EVP_PKEY_free(k);
}

static void spki_roundtrip(const uint8_t *p, size_t n)
{
	struct ct_buf out;
	EVP_PKEY *k = NULL;

	if (ct_spki_import(p, n, &k, NULL) != 0)
		return;
	ct_buf_init(&out, 4096);
	if (ct_spki_export(k, &out) != 0 || out.len != n ||
	    memcmp(out.data, p, n) != 0)
		abort();
	ct_buf_free(&out);
	EVP_PKEY_free(k);
}

static void getters(const json_t *v, const char *key)
{
	const char *s;
	size_t len;
	int64_t i;
	bool b;
	json_t *o = NULL;
	struct ct_buf blob;

	(void)ct_json_get_int(v, key, &i);
	(void)ct_json_get_bool(v, key, &b);
	(void)ct_json_get_int_lenient(v, key, &i);
	(void)ct_json_get_bool_lenient(v, key, &b);
	(void)ct_json_get_obj(v, key, &o);
	(void)ct_json_get_array(v, key, &o);
	if (ct_json_get_obj_lenient(v, key, &o, NULL) == 0)
		json_decref(o);
	if (ct_json_get_str(v, key, &s, &len) != 0)
		return;
	ct_buf_init(&blob, 8192);
	if (ct_b64_decode(&blob, s, len) == 0)
		blob_roundtrip(blob.data, blob.len);
	ct_buf_free(&blob);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *v = NULL;
	size_t i;

	if (ct_json_parse(data, size, &v, NULL) == 0) {
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			getters(v, names[i]);
		json_decref(v);
	}
	b64_roundtrip((const char *)data, size, false);
	b64_roundtrip((const char *)data, size, true);
	blob_roundtrip(data, size);
	spki_roundtrip(data, size);
	return 0;
}
