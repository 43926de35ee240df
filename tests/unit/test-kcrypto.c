/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Known-answer tests for the Kerberos crypto glue: RFC 3962 and RFC 8009
 * string-to-key vectors, RFC 8009 decryption and checksum vectors, MIT's
 * published aes256-cts-hmac-sha1-96 decryption vectors, plus round trips and
 * refusals.
 */
#include <stdlib.h>
#include <string.h>

#include "ct-error.h"
#include "ct-hex.h"
#include "kcrypto.h"
#include "tap.h"

static struct ct_kcrypto *kc;
static struct ct_arena *arena;

/* Decodes a hex literal into arena memory. */
static struct ct_bytes hex(const char *h)
{
	struct ct_bytes b = {0};
	uint8_t *p = NULL;
	size_t n = 0;

	if (ct_hex_decode(h, &p, &n) != 0)
		abort();
	b.data = ct_arena_memdup(arena, p, n, 0);
	b.len = n;
	free(p);
	return b;
}

static struct ct_krb_key key_hex(int32_t enctype, const char *h)
{
	struct ct_krb_key k = {.enctype = enctype, .value = hex(h)};

	return k;
}

static void check_s2k(int32_t enctype, const char *pw, const char *salt_hex,
		      uint32_t iter, const char *want_hex)
{
	struct ct_krb_key k = {0};
	struct ct_bytes salt = hex(salt_hex), want = hex(want_hex);
	uint8_t param[4] = {(uint8_t)(iter >> 24), (uint8_t)(iter >> 16),
			    (uint8_t)(iter >> 8), (uint8_t)iter};
	struct ct_bytes params = {param, 4};
	char *salt_str = ct_arena_memdup(arena, salt.data, salt.len, 1);

	CHECK_INT(ct_kcrypto_string_to_key(kc, arena, enctype, pw, salt_str,
					   &params, &k), 0);
	CHECK_MEM(k.value.data, k.value.len, want.data, want.len);
}

static void test_string_to_key(void)
{
	struct ct_krb_key k = {0};
	uint8_t one[4] = {0, 0, 0, 1};
	struct ct_bytes weak = {one, 4};

	/*
	 * RFC 3962's vectors use 1..1200 PBKDF2 rounds, which MIT rightly
	 * refuses without allow_weak_crypto; check that the refusal holds.
	 */
	CHECK_ERR(ct_kcrypto_string_to_key(kc, arena, CT_ENCTYPE_AES256_SHA1,
					   "password", "ATHENA.MIT.EDUraeburn",
					   &weak, &k), CT_ERR_CRYPTO);
	/*
	 * The same pass phrase and salt at 4096 rounds (MIT's floor); the
	 * value was computed independently with impacket's RFC 3962 code.
	 */
	check_s2k(CT_ENCTYPE_AES256_SHA1, "password",
		  "415448454e412e4d49542e4544557261656275726e", 4096,
		  "01b897121d933ab44b47eb5494db15e50eb74530dbdae9b634d65020ff5d88c1");
	/* RFC 8009 appendix A: 16 random bytes then the same salt, 32768 rounds. */
	check_s2k(CT_ENCTYPE_AES256_SHA384, "password",
		  "10df9dd783e5bc8acea1730e74355f61"
		  "415448454e412e4d49542e4544557261656275726e",
		  32768,
		  "45bd806dbf6a833a9cffc1c94589a222367a79bc21c413718906e9f578a78467");
	check_s2k(CT_ENCTYPE_AES128_SHA256, "password",
		  "10df9dd783e5bc8acea1730e74355f61"
		  "415448454e412e4d49542e4544557261656275726e",
		  32768, "089bca48b105ea6ea77ca5d2f39dc5e7");
}

static void check_decrypt(struct ct_krb_key k, int32_t usage,
			  const char *cipher_hex, const void *want,
			  size_t wantlen)
{
	struct ct_krb_enc_data enc = {.etype = k.enctype};
	struct ct_buf out;

	enc.cipher = hex(cipher_hex);
	ct_buf_init(&out, 4096);
	CHECK_INT(ct_kcrypto_decrypt(kc, &k, usage, &enc, &out), 0);
	CHECK_MEM(out.data, out.len, want, wantlen);
	/* One flipped bit anywhere must fail the integrity check. */
	enc.cipher.data[enc.cipher.len / 2] ^= 1;
	out.len = 0;
	CHECK_ERR(ct_kcrypto_decrypt(kc, &k, usage, &enc, &out), CT_ERR_INTEGRITY);
	enc.cipher.data[enc.cipher.len / 2] ^= 1;
	/* The wrong usage must fail too. */
	CHECK_ERR(ct_kcrypto_decrypt(kc, &k, usage + 1, &enc, &out), CT_ERR_INTEGRITY);
	ct_buf_free(&out);
}

static void test_decrypt_vectors(void)
{
	struct ct_krb_key k20 = key_hex(CT_ENCTYPE_AES256_SHA384,
		"6d404d37faf79f9df0d33568d320669800eb4836472ea8a026d16b7182460c52");

	/* RFC 8009 appendix A, aes256-cts-hmac-sha384-192, usage 2. */
	check_decrypt(k20, 2,
		      "41f53fa5bfe7026d91faf9be959195a058707273a96a40f0"
		      "a01960621ac612748b9bbfbe7eb4ce3c", "", 0);
	check_decrypt(k20, 2,
		      "4ed7b37c2bcac8f74f23c1cf07e62bc7b75fb3f637b9f559c7f664f69eab7b60"
		      "92237526ea0d1f61cb20d69d10f2",
		      "\x00\x01\x02\x03\x04\x05", 6);
	/* MIT krb5's t_decrypt vectors for aes256-cts-hmac-sha1-96. */
	check_decrypt(key_hex(CT_ENCTYPE_AES256_SHA1,
			      "e5a72be9b7926c1225bafef9c1872e7ba4cdb2b17893d84abd90acdd8764d966"),
		      3,
		      "d8f1aafeec84587cc3e700a774e56651a6d693e174ec4473b5e6d96f80297a65"
		      "3fb818ad893e719f96",
		      "13 bytes byte", 13);
	check_decrypt(key_hex(CT_ENCTYPE_AES256_SHA1,
			      "f1c795e9248a09338d82c3f8d5b567040b0110736845041347235b1404231398"),
		      4,
		      "d1137a4d634cfece924dbc3bf6790648bd5cff7de0e7b99460211d0daef3d79a"
		      "295c688858f3b34b9cbd6eebae81daf6b734d4d498b6714f1c1d",
		      "30 bytes bytes bytes bytes byt", 30);
}

static void test_checksum_vectors(void)
{
	struct ct_krb_key k20 = key_hex(CT_ENCTYPE_AES256_SHA384,
		"6d404d37faf79f9df0d33568d320669800eb4836472ea8a026d16b7182460c52");
	struct ct_bytes msg = hex("000102030405060708090a0b0c0d0e0f1011121314");
	struct ct_bytes want = hex("45ee791567eefca37f4ac1e0222de80d43c3bfa06699672a");
	struct ct_krb_checksum ck = {0};
	struct ct_buf out;
	int32_t type = 0;

	ct_buf_init(&out, 256);
	/* RFC 8009 appendix A: hmac-sha384-192-aes256, usage 2. */
	CHECK_INT(ct_kcrypto_checksum(kc, &k20, 2, 0, msg.data, msg.len, &out, &type), 0);
	CHECK_INT(type, 20);
	CHECK_MEM(out.data, out.len, want.data, want.len);
	ck.type = 20;
	ck.value = want;
	CHECK_INT(ct_kcrypto_verify_checksum(kc, &k20, 2, msg.data, msg.len, &ck), 0);
	msg.data[0] ^= 0x80;
	CHECK_ERR(ct_kcrypto_verify_checksum(kc, &k20, 2, msg.data, msg.len, &ck),
		  CT_ERR_INTEGRITY);
	ct_buf_free(&out);
	CHECK_INT(ct_cksumtype_len(kc, 16), 12);
	CHECK_INT(ct_cksumtype_len(kc, 20), 24);
}

static void test_round_trip(void)
{
	static const int32_t types[] = {CT_ENCTYPE_AES256_SHA1,
					CT_ENCTYPE_AES256_SHA384,
					CT_ENCTYPE_AES128_SHA1,
					CT_ENCTYPE_AES128_SHA256};
	static const char msg[] = "a partial TGT is only as safe as its key";
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		struct ct_krb_key k = {0}, other = {0};
		struct ct_krb_enc_data enc = {0};
		struct ct_buf out;

		CHECK_INT(ct_kcrypto_random_key(kc, arena, types[i], &k), 0);
		CHECK_INT(k.value.len, ct_enctype_keylen(types[i]));
		CHECK_INT(ct_kcrypto_encrypt(kc, arena, &k, 2, (const uint8_t *)msg,
					     sizeof(msg), &enc), 0);
		CHECK_INT(enc.etype, types[i]);
		ct_buf_init(&out, 4096);
		CHECK_INT(ct_kcrypto_decrypt(kc, &k, 2, &enc, &out), 0);
		CHECK_MEM(out.data, out.len, msg, sizeof(msg));
		CHECK_INT(ct_kcrypto_random_key(kc, arena, types[i], &other), 0);
		out.len = 0;
		CHECK_ERR(ct_kcrypto_decrypt(kc, &other, 2, &enc, &out), CT_ERR_INTEGRITY);
		ct_buf_free(&out);
	}
}

static void test_refusals(void)
{
	struct ct_krb_key rc4 = key_hex(23, "00112233445566778899aabbccddeeff");
	struct ct_krb_key shortkey = key_hex(CT_ENCTYPE_AES256_SHA1, "0011");
	struct ct_krb_enc_data enc = {0};
	struct ct_buf out;

	CHECK(!ct_enctype_supported(23));
	CHECK(!ct_enctype_supported(1));
	CHECK_STR(ct_enctype_name(18), "aes256-cts-hmac-sha1-96");
	CHECK_INT(ct_enctype_cksumtype(18), 16);
	CHECK_ERR(ct_kcrypto_encrypt(kc, arena, &rc4, 2, (const uint8_t *)"x", 1, &enc),
		  CT_ERR_UNSUPPORTED_ENCTYPE);
	CHECK_ERR(ct_kcrypto_encrypt(kc, arena, &shortkey, 2, (const uint8_t *)"x", 1, &enc),
		  CT_ERR_BAD_VALUE);
	CHECK_ERR(ct_kcrypto_random_key(kc, arena, 23, &rc4), CT_ERR_UNSUPPORTED_ENCTYPE);
	/* An enctype that differs from the key's is a mismatch, not a decrypt attempt. */
	enc.etype = 17;
	enc.cipher = hex("00112233445566778899aabbccddeeff00112233445566778899");
	ct_buf_init(&out, 4096);
	CHECK_ERR(ct_kcrypto_decrypt(kc, &(struct ct_krb_key){18, hex(
		"e5a72be9b7926c1225bafef9c1872e7ba4cdb2b17893d84abd90acdd8764d966")},
		2, &enc, &out), CT_ERR_MISMATCH);
	/* Ciphertext shorter than confounder + MAC is an integrity failure. */
	enc.etype = 18;
	enc.cipher = hex("0011");
	CHECK_ERR(ct_kcrypto_decrypt(kc, &(struct ct_krb_key){18, hex(
		"e5a72be9b7926c1225bafef9c1872e7ba4cdb2b17893d84abd90acdd8764d966")},
		2, &enc, &out), CT_ERR_INTEGRITY);
	ct_buf_free(&out);
}

int main(void)
{
	CHECK_INT(ct_kcrypto_new(&kc), 0);
	arena = ct_arena_new();
	test_string_to_key();
	test_decrypt_vectors();
	test_checksum_vectors();
	test_round_trip();
	test_refusals();
	ct_arena_free(arena);
	ct_kcrypto_free(kc);
	return tap_done();
}
