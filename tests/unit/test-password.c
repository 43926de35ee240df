/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct-error.h"
#include "ct-limits.h"
#include "password.h"
#include "tap.h"

/* Cheap costs so the tests run fast; the defaults get one test of their own. */
static const struct ct_password_params cheap = {
	.t_cost = 1, .m_cost_kib = 64, .parallelism = 1,
};

#define PW(s) (s), strlen(s)

/*
 * Argon2id v19 known answers from the reference implementation's test
 * suite (phc-winner-argon2 src/test.c: password "password", salt
 * "somesalt"); the raw tags there are given in hex and appear here in the
 * encoded form (unpadded base64).  The argon2 CLI is not installed here,
 * so no locally made vector is used.
 */
static const char *const reference[] = {
	/* t=2, m=2^16 KiB, p=1: 09316115d5cf24ed5a15a31a3ba326e5... */
	"$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
	/* t=2, m=2^8, p=1: 9dfeb910e80bad0311fee20f9c0e2b12... */
	"$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
	/* t=2, m=2^8, p=2: 6d093c501fd5999645e0ea3bf620d7b8... */
	"$argon2id$v=19$m=256,t=2,p=2$c29tZXNhbHQ$bQk8UB/VmZZF4Oo79iDXuL5/0ttZwg2f/5U52iv1cDc",
};

static void test_reference_vectors(void)
{
	size_t i;

	for (i = 0; i < sizeof(reference) / sizeof(reference[0]); i++) {
		CHECK_ERR(ct_password_verify(reference[i], PW("password")), 0);
		CHECK_ERR(ct_password_verify(reference[i], PW("passwore")), CT_ERR_INTEGRITY);
		CHECK_ERR(ct_password_verify(reference[i], PW("password ")), CT_ERR_INTEGRITY);
	}
}

static void test_hash_and_verify(void)
{
	char *a = NULL, *b = NULL;

	CHECK_ERR(ct_password_hash(PW("correct horse"), &cheap, &a), 0);
	CHECK_ERR(ct_password_hash(PW("correct horse"), &cheap, &b), 0);
	if (a == NULL || b == NULL)
		goto out;
	CHECK(strncmp(a, "$argon2id$v=19$m=64,t=1,p=1$", 28) == 0);
	/* Random salts: the same password hashes differently. */
	CHECK(strcmp(a, b) != 0);
	CHECK_ERR(ct_password_verify(a, PW("correct horse")), 0);
	CHECK_ERR(ct_password_verify(b, PW("correct horse")), 0);
	CHECK_ERR(ct_password_verify(a, PW("correct horsf")), CT_ERR_INTEGRITY);
	CHECK_ERR(ct_password_verify(a, PW("Correct horse")), CT_ERR_INTEGRITY);
out:
	free(a);
	free(b);
}

static void test_default_params(void)
{
	char *enc = NULL;

	CHECK_INT(ct_password_default_params.t_cost, 3);
	CHECK_INT(ct_password_default_params.m_cost_kib, 65536);
	CHECK_INT(ct_password_default_params.parallelism, 1);
	CHECK_ERR(ct_password_hash(PW("hunter2"), NULL, &enc), 0);
	if (enc == NULL)
		return;
	CHECK(strncmp(enc, "$argon2id$v=19$m=65536,t=3,p=1$", 31) == 0);
	/* 16-byte salt and 32-byte hash: 22 and 43 base64 characters. */
	CHECK_INT(strlen(enc), 31 + 22 + 1 + 43);
	CHECK_ERR(ct_password_verify(enc, PW("hunter2")), 0);
	CHECK_ERR(ct_password_verify(enc, PW("hunter3")), CT_ERR_INTEGRITY);
	free(enc);
}

static void test_password_limits(void)
{
	char *big = malloc(CT_PASSWORD_MAX + 2), *enc = NULL;

	CHECK_ERR(ct_password_hash("", 0, &cheap, &enc), CT_ERR_INVALID_ARG);
	CHECK_ERR(ct_password_hash(NULL, 3, &cheap, &enc), CT_ERR_INVALID_ARG);
	CHECK_ERR(ct_password_hash("ab\0cd", 5, &cheap, &enc), CT_ERR_INVALID_ARG);
	CHECK(enc == NULL);
	memset(big, 'x', CT_PASSWORD_MAX + 1);
	big[CT_PASSWORD_MAX + 1] = '\0';
	CHECK_ERR(ct_password_hash(big, CT_PASSWORD_MAX + 1, &cheap, &enc), CT_ERR_TOO_LARGE);
	CHECK_ERR(ct_password_verify(reference[1], big, CT_PASSWORD_MAX + 1), CT_ERR_TOO_LARGE);
	CHECK_ERR(ct_password_hash(big, CT_PASSWORD_MAX, &cheap, &enc), 0);
	if (enc != NULL)
		CHECK_ERR(ct_password_verify(enc, big, CT_PASSWORD_MAX), 0);
	/* A NUL cannot smuggle a prefix match: "password\0..." is refused outright. */
	CHECK_ERR(ct_password_verify(reference[1], "password\0x", 10), CT_ERR_INVALID_ARG);
	CHECK_ERR(ct_password_verify(reference[1], "", 0), CT_ERR_INVALID_ARG);
	free(enc);
	free(big);
}

static void test_bad_params(void)
{
	static const struct ct_password_params bad[] = {
		{.t_cost = 0, .m_cost_kib = 64, .parallelism = 1},
		{.t_cost = 1, .m_cost_kib = 64, .parallelism = 0},
		{.t_cost = 1, .m_cost_kib = 15, .parallelism = 2},
		{.t_cost = 1, .m_cost_kib = CT_PASSWORD_MAX_M_KIB + 1, .parallelism = 1},
		{.t_cost = CT_PASSWORD_MAX_T + 1, .m_cost_kib = 64, .parallelism = 1},
		{.t_cost = 1, .m_cost_kib = 1024, .parallelism = CT_PASSWORD_MAX_P + 1},
	};
	char *enc = NULL;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_ERR(ct_password_hash(PW("pw"), &bad[i], &enc), CT_ERR_INVALID_ARG);
	CHECK(enc == NULL);
}

static void test_malformed(void)
{
	static const char *const bad[] = {
		"",
		"password",
		/* Other Argon2 variants and the old version. */
		"$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$wWKIMhR9lyDFvRz9YTZweHKfbftvj+qf+YFY4NeBbtA",
		"$argon2d$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
		"$argon2id$v=16$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
		"$argon2id$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
		/* Missing separators. */
		"$argon2id$v=19$m=256,t=2,p=1c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
		"$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQnf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
		"$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$",
		"$argon2id$v=19$m=256,t=2,p=1$$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
		/* Parameter order, signs, leading zeros, overflow. */
		"$argon2id$v=19$t=2,m=256,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
		"$argon2id$v=19$m=+256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
		"$argon2id$v=19$m=0256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
		"$argon2id$v=19$m=99999999999,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
		/* Costs over the caps: a corrupt row must not cost 4 GiB or hours. */
		"$argon2id$v=19$m=4194304,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
		"$argon2id$v=19$m=256,t=1000,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
		"$argon2id$v=19$m=256,t=2,p=0$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
		/* Base64 that is not, and a salt under 8 bytes. */
		"$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR*uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
		"$argon2id$v=19$m=256,t=2,p=1$c29tZQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
		/* Trailing junk. */
		"$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4$",
	};
	char longenc[CT_PASSWORD_MAX_ENCODED + 64];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = ct_password_verify(bad[i], PW("password"));

		CHECK_ERR(r, CT_ERR_BAD_VALUE);
		if (r != CT_ERR_BAD_VALUE)
			tap_diag("accepted or misread: %s", bad[i]);
	}
	CHECK_ERR(ct_password_verify(NULL, PW("password")), CT_ERR_BAD_VALUE);
	/* Over the length cap, however well-formed the start. */
	snprintf(longenc, sizeof(longenc), "%s", reference[1]);
	memset(longenc + strlen(longenc), 'A', sizeof(longenc) - strlen(longenc) - 1);
	longenc[sizeof(longenc) - 1] = '\0';
	CHECK_ERR(ct_password_verify(longenc, PW("password")), CT_ERR_BAD_VALUE);
}

int main(void)
{
	test_reference_vectors();
	test_hash_and_verify();
	test_default_params();
	test_password_limits();
	test_bad_params();
	test_malformed();
	return tap_done();
}
