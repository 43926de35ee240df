/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ct-error.h"
#include "ct-limits.h"
#include "ct-secret.h"
#include "totp.h"
#include "tap.h"

/* RFC 6238 appendix B: the SHA-1 rows (secret "12345678901234567890"). */
static const uint8_t rfc_secret[] = "12345678901234567890";
#define RFC_LEN 20

static const struct {
	time_t t;
	const char *code8;
} rfc[] = {
	{59, "94287082"},
	{1111111109, "07081804"},
	{1111111111, "14050471"},
	{1234567890, "89005924"},
	{2000000000, "69279037"},
	{20000000000, "65353130"},
};

static void test_rfc6238(void)
{
	char code[9];
	size_t i;

	for (i = 0; i < sizeof(rfc) / sizeof(rfc[0]); i++) {
		CHECK_ERR(ct_totp_generate(rfc_secret, RFC_LEN, rfc[i].t, 8, code), 0);
		CHECK_STR(code, rfc[i].code8);
		/* The 6-digit code is the same value mod 10^6. */
		CHECK_ERR(ct_totp_generate(rfc_secret, RFC_LEN, rfc[i].t, 6, code), 0);
		CHECK_STR(code, rfc[i].code8 + 2);
	}
	CHECK_ERR(ct_totp_generate(rfc_secret, RFC_LEN, 59, 5, code), CT_ERR_INVALID_ARG);
	CHECK_ERR(ct_totp_generate(rfc_secret, RFC_LEN, 59, 9, code), CT_ERR_INVALID_ARG);
	CHECK_ERR(ct_totp_generate(rfc_secret, RFC_LEN, -1, 6, code), CT_ERR_INVALID_ARG);
	CHECK_ERR(ct_totp_generate(rfc_secret, 15, 59, 6, code), CT_ERR_INVALID_ARG);
}

static void test_verify_window(void)
{
	const time_t now = 1234567890;	/* step 41152263 */
	const int64_t step = now / 30;
	char prev[9], cur[9], next[9], old[9];
	int64_t m = -1;

	CHECK_ERR(ct_totp_generate(rfc_secret, RFC_LEN, now - 30, 6, prev), 0);
	CHECK_ERR(ct_totp_generate(rfc_secret, RFC_LEN, now, 6, cur), 0);
	CHECK_ERR(ct_totp_generate(rfc_secret, RFC_LEN, now + 30, 6, next), 0);
	CHECK_ERR(ct_totp_generate(rfc_secret, RFC_LEN, now - 60, 6, old), 0);
	CHECK_STR(cur, "005924");

	CHECK_ERR(ct_totp_verify(rfc_secret, RFC_LEN, cur, now, CT_TOTP_WINDOW, 0, &m), 0);
	CHECK_INT(m, step);
	CHECK_ERR(ct_totp_verify(rfc_secret, RFC_LEN, prev, now, CT_TOTP_WINDOW, 0, &m), 0);
	CHECK_INT(m, step - 1);
	CHECK_ERR(ct_totp_verify(rfc_secret, RFC_LEN, next, now, CT_TOTP_WINDOW, 0, &m), 0);
	CHECK_INT(m, step + 1);
	/* Outside the window, or with no window. */
	m = -1;
	CHECK_ERR(ct_totp_verify(rfc_secret, RFC_LEN, old, now, CT_TOTP_WINDOW, 0, &m), CT_ERR_INTEGRITY);
	CHECK_ERR(ct_totp_verify(rfc_secret, RFC_LEN, prev, now, 0, 0, &m), CT_ERR_INTEGRITY);
	CHECK_ERR(ct_totp_verify(rfc_secret, RFC_LEN, old, now, 2, 0, &m), 0);
	CHECK_INT(m, step - 2);
	/* Another code altogether (one digit off). */
	m = -1;
	CHECK_ERR(ct_totp_verify(rfc_secret, RFC_LEN, "005925", now, CT_TOTP_WINDOW, 0, &m), CT_ERR_INTEGRITY);
	CHECK_INT(m, -1);
	/* The last second of a step and the first of the next. */
	CHECK_ERR(ct_totp_verify(rfc_secret, RFC_LEN, cur, step * 30 + 29, 0, 0, &m), 0);
	CHECK_ERR(ct_totp_verify(rfc_secret, RFC_LEN, cur, step * 30 + 30, 0, 0, &m), CT_ERR_INTEGRITY);
	/* Near the epoch the window does not go below step 0. */
	CHECK_ERR(ct_totp_verify(rfc_secret, RFC_LEN, "287082", 59, CT_TOTP_WINDOW, 0, &m), 0);
	CHECK_INT(m, 1);
}

static void test_replay(void)
{
	const time_t now = 1111111111;
	char cur[9], prev[9];
	int64_t m = -1, used;

	CHECK_ERR(ct_totp_generate(rfc_secret, RFC_LEN, now, 6, cur), 0);
	CHECK_ERR(ct_totp_generate(rfc_secret, RFC_LEN, now - 30, 6, prev), 0);
	CHECK_ERR(ct_totp_verify(rfc_secret, RFC_LEN, cur, now, 1, 0, &m), 0);
	used = m;
	/* The same code again, even a second later: a replay. */
	CHECK_ERR(ct_totp_verify(rfc_secret, RFC_LEN, cur, now + 1, 1, used, &m), CT_ERR_REPLAY);
	/* An older code after a newer one was used: also refused as a replay. */
	CHECK_ERR(ct_totp_verify(rfc_secret, RFC_LEN, prev, now, 1, used, &m), CT_ERR_REPLAY);
	/* The next step's code is fresh. */
	CHECK_ERR(ct_totp_generate(rfc_secret, RFC_LEN, now + 30, 6, cur), 0);
	CHECK_ERR(ct_totp_verify(rfc_secret, RFC_LEN, cur, now + 30, 1, used, &m), 0);
	CHECK_INT(m, used + 1);
	/* A wrong code is wrong, not a replay. */
	CHECK_ERR(ct_totp_verify(rfc_secret, RFC_LEN, "000000", now, 1, used, &m), CT_ERR_INTEGRITY);
}

static void test_bad_input(void)
{
	static const char *const bad[] = {
		"", "12345", "1234567", "12345a", " 12345", "12345 ", "+12345",
		"-12345", "١٢٣٤٥٦", ("12\x00" "456"),
	};
	uint8_t big[CT_TOTP_MAX_SECRET + 1] = {0};
	int64_t m = 77;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_ERR(ct_totp_verify(rfc_secret, RFC_LEN, bad[i], 59, 1, 0, &m), CT_ERR_BAD_VALUE);
	CHECK_ERR(ct_totp_verify(rfc_secret, RFC_LEN, NULL, 59, 1, 0, &m), CT_ERR_BAD_VALUE);
	CHECK_ERR(ct_totp_verify(rfc_secret, RFC_LEN, "287082", 59, CT_TOTP_MAX_WINDOW + 1, 0, &m),
		  CT_ERR_INVALID_ARG);
	CHECK_ERR(ct_totp_verify(rfc_secret, CT_TOTP_MIN_SECRET - 1, "287082", 59, 1, 0, &m),
		  CT_ERR_INVALID_ARG);
	CHECK_ERR(ct_totp_verify(big, sizeof(big), "287082", 59, 1, 0, &m), CT_ERR_INVALID_ARG);
	CHECK_ERR(ct_totp_verify(rfc_secret, RFC_LEN, "287082", -30, 1, 0, &m), CT_ERR_INVALID_ARG);
	CHECK_INT(m, 77);
}

static void test_uri(void)
{
	char *uri = NULL;
	char label[CT_TOTP_MAX_LABEL + 2];

	CHECK_ERR(ct_totp_uri(rfc_secret, RFC_LEN, "Cloud Trust", "alice@example.com", &uri), 0);
	CHECK_STR(uri, "otpauth://totp/Cloud%20Trust:alice%40example.com"
		       "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Cloud%20Trust"
		       "&algorithm=SHA1&digits=6&period=30");
	ct_erase_free_str(uri);
	uri = NULL;
	/* Separators and non-ASCII in labels are encoded; base32 stays unpadded. */
	CHECK_ERR(ct_totp_uri(rfc_secret, 16, "a:b&c=d?", "J\xc3\xbcrgen/x~y", &uri), 0);
	CHECK_STR(uri, "otpauth://totp/a%3Ab%26c%3Dd%3F:J%C3%BCrgen%2Fx~y"
		       "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY&issuer=a%3Ab%26c%3Dd%3F"
		       "&algorithm=SHA1&digits=6&period=30");
	ct_erase_free_str(uri);
	uri = NULL;
	CHECK_ERR(ct_totp_uri(rfc_secret, RFC_LEN, "", "alice", &uri), CT_ERR_INVALID_ARG);
	CHECK_ERR(ct_totp_uri(rfc_secret, RFC_LEN, "x", NULL, &uri), CT_ERR_INVALID_ARG);
	CHECK_ERR(ct_totp_uri(rfc_secret, 8, "x", "alice", &uri), CT_ERR_INVALID_ARG);
	memset(label, 'a', sizeof(label) - 1);
	label[sizeof(label) - 1] = '\0';
	CHECK_ERR(ct_totp_uri(rfc_secret, RFC_LEN, label, "alice", &uri), CT_ERR_INVALID_ARG);
	/* The longest labels, all bytes encoded, fit the output cap. */
	memset(label, '%', CT_TOTP_MAX_LABEL);
	label[CT_TOTP_MAX_LABEL] = '\0';
	CHECK_ERR(ct_totp_uri(rfc_secret, RFC_LEN, label, label, &uri), 0);
	CHECK(uri != NULL && strlen(uri) > 9 * CT_TOTP_MAX_LABEL);
	ct_erase_free_str(uri);
}

/*
 * oathtool as an oracle: a fresh random secret goes through our URI (so
 * our base32 is checked too), and oathtool's codes at several times must
 * equal ours.  oathtool missing or failing fails the test.
 */
static void test_oathtool(void)
{
	const time_t times[] = {0, 59, 1111111109, 1700000000, 2000000000, time(NULL)};
	uint8_t secret[CT_TOTP_SECRET_LEN], zero[CT_TOTP_SECRET_LEN] = {0};
	char *uri = NULL, b32[64] = "", *p;
	unsigned agree = 0;
	size_t i;

	CHECK_ERR(ct_totp_secret_new(secret), 0);
	CHECK(!ct_memeq_secret(secret, zero, sizeof(secret)));
	CHECK_ERR(ct_totp_uri(secret, sizeof(secret), "ct", "t", &uri), 0);
	p = uri != NULL ? strstr(uri, "secret=") : NULL;
	CHECK(p != NULL);
	if (p != NULL)
		snprintf(b32, sizeof(b32), "%.*s", (int)strcspn(p + 7, "&"), p + 7);
	CHECK_INT(strlen(b32), 32);
	for (i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		char cmd[160], theirs[32] = "", ours[9];
		FILE *f;

		snprintf(cmd, sizeof(cmd), "oathtool --totp -b -d 6 -N @%lld %s",
			 (long long)times[i], b32);
		f = popen(cmd, "r");
		if (f == NULL)
			break;
		if (fgets(theirs, sizeof(theirs), f) == NULL)
			theirs[0] = '\0';
		theirs[strcspn(theirs, "\n")] = '\0';
		if (pclose(f) != 0)
			tap_diag("oathtool failed: %s", cmd);
		if (ct_totp_generate(secret, sizeof(secret), times[i], 6, ours) == 0 &&
		    strcmp(ours, theirs) == 0)
			agree++;
		else
			tap_diag("t=%lld ours %s oathtool \"%s\"", (long long)times[i], ours, theirs);
	}
	CHECK_INT(agree, sizeof(times) / sizeof(times[0]));
	ct_erase_free_str(uri);
}

int main(void)
{
	test_rfc6238();
	test_verify_window();
	test_replay();
	test_bad_input();
	test_uri();
	test_oathtool();
	return tap_done();
}
