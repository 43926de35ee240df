/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The supplementalCredentials decoder and the samba-tool output parser
 * against real data from the lab DC (tests/data/ks, fuzz corpus): the keys
 * must be the ones labkeys.py (Samba's own NDR parser) read at the same time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct-hex.h"
#include "ct-limits.h"
#include "ks-keysource.h"
#include "tap.h"

/* krbtgt_54990 of the lab, as labkeys.py printed them when the data was taken. */
static const char lab_key[] = "1d50dbf1c819e63683cc28d767d4253a8d3be32443404a5c758e5a14e037d73c";
static const char lab_old_key[] = "3ecaeb63d89c4a847ad7c103f8e65794dde80359a7042d4d8f6dbb039baaa5b0";

static uint8_t *slurp(const char *dir, const char *name, size_t *len)
{
	char path[1024];
	uint8_t *p = NULL;
	long n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
		p = malloc((size_t)n + 1);
		if (p != NULL && fread(p, 1, (size_t)n, f) != (size_t)n) {
			free(p);
			p = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return p;
}

static void check_key(const struct ks_key *k, const char *hex)
{
	uint8_t *want = NULL;
	size_t wlen = 0;

	CHECK_INT(ct_hex_decode(hex, &want, &wlen), 0);
	CHECK_MEM(k->key, k->len, want, wlen);
	free(want);
}

static void test_parse_ldif(void)
{
	struct ks_key_result res = {0};
	struct ct_errinfo ei = {0};
	size_t len = 0;
	char *text = (char *)slurp(CT_KS_TESTDATA, "getpassword-krbtgt.ldif", &len);

	CHECK(text != NULL);
	if (text == NULL)
		return;
	CHECK_INT(ks_samba_parse(text, len, 18, &res, &ei), 0);
	CHECK_INT((int)res.key_version, 2);
	CHECK_INT(res.keys.current.enctype, 18);
	check_key(&res.keys.current, lab_key);
	CHECK(res.keys.has_old);
	check_key(&res.keys.old, lab_old_key);

	/* The attribute missing, or its base64 damaged. */
	memset(&res, 0, sizeof(res));
	text[len - 1] = '\0';
	strstr(text, "supplementalCredentials")[0] = 'S';
	CHECK_ERR(ks_samba_parse(text, len, 18, &res, &ei), CT_ERR_MISSING_FIELD);
	strstr(text, "SupplementalCredentials")[0] = 's';
	strstr(text, ":: ")[3] = '*';
	CHECK_ERR(ks_samba_parse(text, len, 18, &res, &ei), CT_ERR_BAD_BASE64);
	CHECK_INT((int)res.key_version, 0); /* outputs only on success */
	free(text);
}

static void test_decode(void)
{
	struct ks_keys k = {0};
	struct ct_errinfo ei = {0};
	size_t len = 0, i;
	uint8_t *blob = slurp(CT_KS_CORPUS, "lab-krbtgt", &len), *big;
	int fails = 0;

	CHECK(blob != NULL && len > 200);
	if (blob == NULL)
		return;
	CHECK_INT(ks_supcreds_decode(blob, len, 18, &k, &ei), 0);
	check_key(&k.current, lab_key);
	CHECK_INT(ks_supcreds_decode(blob, len, 17, &k, &ei), 0);
	CHECK_INT((int)k.current.len, 16);
	CHECK_ERR(ks_supcreds_decode(blob, len, 99, &k, &ei), CT_ERR_UNSUPPORTED_ENCTYPE);
	CHECK_ERR(ks_supcreds_decode(blob, len, 23, &k, &ei), CT_ERR_UNSUPPORTED_ENCTYPE); /* RC4 */
	CHECK_ERR(ks_supcreds_decode(blob, len, 20, &k, &ei), CT_ERR_NOT_FOUND);

	/* Every truncation is refused. */
	for (i = 0; i < len; i++)
		fails += ks_supcreds_decode(blob, i, 18, &k, &ei) != 0;
	CHECK_INT(fails, (int)len);

	big = calloc(1, CT_KS_MAX_SUPCREDS + 2);
	CHECK(big != NULL);
	if (big != NULL) {
		memcpy(big, blob, len);
		CHECK_ERR(ks_supcreds_decode(big, len + 1, 18, &k, &ei), CT_ERR_TRAILING);
		CHECK_ERR(ks_supcreds_decode(big, CT_KS_MAX_SUPCREDS + 1, 18, &k, &ei),
			  CT_ERR_TOO_LARGE);
		free(big);
	}

	blob[12 + 96] ^= 1; /* PropertySignature */
	CHECK_ERR(ks_supcreds_decode(blob, len, 18, &k, &ei), CT_ERR_BAD_VALUE);
	blob[12 + 96] ^= 1;
	blob[12 + 96 + 4 + 6] ^= 0x20; /* 'P' of the first package name */
	CHECK_ERR(ks_supcreds_decode(blob, len, 18, &k, &ei), CT_ERR_NOT_FOUND);
	free(blob);

	/* A user's credentials (alice) decode the same way. */
	blob = slurp(CT_KS_CORPUS, "lab-user", &len);
	CHECK(blob != NULL);
	if (blob != NULL) {
		CHECK_INT(ks_supcreds_decode(blob, len, 18, &k, &ei), 0);
		CHECK_INT((int)k.current.len, 32);
	}
	free(blob);
}

int main(void)
{
	test_parse_ldif();
	test_decode();
	return tap_done();
}
