/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TOTP (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps from the Unix
 * epoch) on liboath, with replay refusal: the caller stores the last step
 * it accepted for a user and passes it back, and a code from that step or
 * an earlier one is refused.
 */
#ifndef CT_TOTP_H
#define CT_TOTP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define CT_TOTP_SECRET_LEN 20	/* RFC 4226's recommended 160 bits */
#define CT_TOTP_DIGITS 6
#define CT_TOTP_PERIOD 30
/* Steps accepted either side of now by default, and at most. */
#define CT_TOTP_WINDOW 1
#define CT_TOTP_MAX_WINDOW 10
/* Secrets shorter than this are refused (RFC 4226 requires 128 bits). */
#define CT_TOTP_MIN_SECRET 16

/* Writes CT_TOTP_SECRET_LEN random bytes.  Returns 0 or CT_ERR_CRYPTO. */
int ct_totp_secret_new(uint8_t out[CT_TOTP_SECRET_LEN]);

/*
 * Makes the provisioning URI for authenticator apps:
 *   otpauth://totp/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER&algorithm=SHA1&digits=6&period=30
 * with issuer and account percent-encoded (1 to CT_TOTP_MAX_LABEL bytes
 * each) and the secret in unpadded base32.  *out is NUL-terminated and
 * owned by the caller; it holds the secret, so free it with
 * ct_erase_free_str.  Returns 0, CT_ERR_INVALID_ARG (secret length, empty
 * label), CT_ERR_TOO_LARGE, CT_ERR_NOMEM.
 */
int ct_totp_uri(const uint8_t *secret, size_t secret_len, const char *issuer,
		const char *account, char **out);

/*
 * Writes the digits-digit code (6, 7 or 8) for the step holding now (>= 0),
 * NUL-terminated, into out.  Returns 0, CT_ERR_INVALID_ARG, CT_ERR_CRYPTO.
 */
int ct_totp_generate(const uint8_t *secret, size_t secret_len, time_t now,
		     unsigned digits, char out[9]);

/*
 * Checks code (exactly 6 ASCII digits) against the steps within
 * window_steps (at most CT_TOTP_MAX_WINDOW) of now.  Every step in the
 * window is computed and compared in constant time.  A step at or before
 * last_used_step is refused (pass 0 when no code was used yet); on success
 * *matched_step is the step to store as the new last_used_step (the latest
 * fresh step that matched).  Returns 0, CT_ERR_INTEGRITY (no step
 * matches), CT_ERR_REPLAY (it matches only used steps), CT_ERR_BAD_VALUE
 * (not 6 digits), CT_ERR_INVALID_ARG (secret length, window, now),
 * CT_ERR_CRYPTO.
 */
int ct_totp_verify(const uint8_t *secret, size_t secret_len, const char *code,
		   time_t now, unsigned window_steps, int64_t last_used_step,
		   int64_t *matched_step) __attribute__((warn_unused_result));

#endif
