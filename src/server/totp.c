/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TOTP on liboath.  liboath generates the codes; the comparison is ours,
 * because oath_totp_validate compares with strcmp and stops at the first
 * match, and we need constant-time compares and replay refusal.
 */
#include "totp.h"

#include <liboath/oath.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "ct-buf.h"
#include "ct-error.h"
#include "ct-limits.h"
#include "ct-secret.h"

_Static_assert(CT_TOTP_DIGITS == 6 && CT_TOTP_PERIOD == 30,
	       "ct_totp_uri spells out digits=6&period=30");

static pthread_once_t oath_once = PTHREAD_ONCE_INIT;
static int oath_status = -1;

static void oath_setup(void)
{
	oath_status = oath_init();
}

/* liboath wants one oath_init before use; pthread_once makes that thread-safe. */
static int oath_ready(void)
{
	pthread_once(&oath_once, oath_setup);
	return oath_status == OATH_OK ? 0 : CT_ERR_CRYPTO;
}

static bool secret_ok(const uint8_t *secret, size_t len)
{
	return secret != NULL && len >= CT_TOTP_MIN_SECRET &&
	       len <= CT_TOTP_MAX_SECRET;
}

int ct_totp_secret_new(uint8_t out[CT_TOTP_SECRET_LEN])
{
	return RAND_priv_bytes(out, CT_TOTP_SECRET_LEN) == 1 ? 0 : CT_ERR_CRYPTO;
}

/* The code of one time step (step * period is the step's first second). */
static int code_at(const uint8_t *secret, size_t len, int64_t step,
		   unsigned digits, char out[9])
{
	int r = oath_ready();

	if (r != 0)
		return r;
	if (oath_totp_generate((const char *)secret, len,
			       (time_t)(step * CT_TOTP_PERIOD), CT_TOTP_PERIOD,
			       OATH_TOTP_DEFAULT_START_TIME, digits, out) != OATH_OK)
		return CT_ERR_CRYPTO;
	return 0;
}

int ct_totp_generate(const uint8_t *secret, size_t secret_len, time_t now,
		     unsigned digits, char out[9])
{
	if (!secret_ok(secret, secret_len) || now < 0 || digits < 6 ||
	    digits > 8)
		return CT_ERR_INVALID_ARG;
	return code_at(secret, secret_len, (int64_t)now / CT_TOTP_PERIOD,
		       digits, out);
}

static bool code_syntax_ok(const char *code)
{
	size_t i;

	if (code == NULL || strnlen(code, CT_TOTP_DIGITS + 1) != CT_TOTP_DIGITS)
		return false;
	for (i = 0; i < CT_TOTP_DIGITS; i++)
		if (code[i] < '0' || code[i] > '9')
			return false;
	return true;
}

int ct_totp_verify(const uint8_t *secret, size_t secret_len, const char *code,
		   time_t now, unsigned window_steps, int64_t last_used_step,
		   int64_t *matched_step)
{
	int64_t now_step, step, best = -1;
	bool replayed = false;
	char want[9];
	int r = 0;

	if (!secret_ok(secret, secret_len) || now < 0 ||
	    window_steps > CT_TOTP_MAX_WINDOW)
		return CT_ERR_INVALID_ARG;
	if (!code_syntax_ok(code))
		return CT_ERR_BAD_VALUE;
	now_step = (int64_t)now / CT_TOTP_PERIOD;
	/* Every step is computed and compared, match or not. */
	for (step = now_step - window_steps; step <= now_step + window_steps; step++) {
		bool match;

		if (step < 0)
			continue;
		r = code_at(secret, secret_len, step, CT_TOTP_DIGITS, want);
		if (r != 0)
			break;
		match = CRYPTO_memcmp(want, code, CT_TOTP_DIGITS) == 0;
		/* Ascending steps: best ends as the latest fresh match. */
		if (match && step > last_used_step)
			best = step;
		else if (match)
			replayed = true;
	}
	ct_zap(want, sizeof(want));
	if (r != 0)
		return r;
	if (best < 0)
		return replayed ? CT_ERR_REPLAY : CT_ERR_INTEGRITY;
	*matched_step = best;
	return 0;
}

/* RFC 3986 unreserved characters pass; everything else becomes %XX. */
static void put_percent(struct ct_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
		    c == '~') {
			ct_buf_put_u8(b, c);
		} else {
			uint8_t e[3] = {'%', (uint8_t)hex[c >> 4], (uint8_t)hex[c & 15]};

			ct_buf_put(b, e, sizeof(e));
		}
	}
}

static bool label_ok(const char *s)
{
	size_t n;

	if (s == NULL)
		return false;
	n = strnlen(s, CT_TOTP_MAX_LABEL + 1);
	return n > 0 && n <= CT_TOTP_MAX_LABEL;
}

int ct_totp_uri(const uint8_t *secret, size_t secret_len, const char *issuer,
		const char *account, char **out)
{
	static const char tail[] = "&algorithm=SHA1&digits=6&period=30";
	struct ct_buf b;
	char *b32 = NULL;
	size_t b32len = 0;
	uint8_t *s;
	size_t slen;
	int r;

	if (!secret_ok(secret, secret_len) || !label_ok(issuer) ||
	    !label_ok(account))
		return CT_ERR_INVALID_ARG;
	r = oath_ready();
	if (r != 0)
		return r;
	if (oath_base32_encode((const char *)secret, secret_len, &b32,
			       &b32len) != OATH_OK)
		return CT_ERR_NOMEM;
	/* Every label byte may triple; the rest is the secret and fixed text. */
	ct_buf_init(&b, 9 * CT_TOTP_MAX_LABEL + 2 * CT_TOTP_MAX_SECRET + 128);
	ct_buf_put(&b, "otpauth://totp/", 15);
	put_percent(&b, issuer);
	ct_buf_put_u8(&b, ':');
	put_percent(&b, account);
	ct_buf_put(&b, "?secret=", 8);
	/* Unpadded base32, as authenticator apps expect. */
	ct_buf_put(&b, b32, strcspn(b32, "="));
	ct_buf_put(&b, "&issuer=", 8);
	put_percent(&b, issuer);
	ct_buf_put(&b, tail, sizeof(tail) - 1);
	ct_buf_put_u8(&b, '\0');
	ct_erase_free(b32, b32len);
	r = ct_buf_steal(&b, &s, &slen);
	ct_buf_free(&b);
	if (r != 0)
		return r;
	*out = (char *)s;
	return 0;
}
