/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The secrets cloudtrust-admin handles, read from files or standard input
 * and never from argv: the admin token, user passwords and Kerberos server
 * keys.  Every result is a new string the caller wipes and frees with
 * ct_erase_free_str (or adm_key_clear).
 *
 * The token file and key files must be regular files that neither group
 * nor others may access: a token or krbtgt key that others can read is
 * already lost, so the command refuses to use it.
 */
#ifndef CT_ADM_SECRET_H
#define CT_ADM_SECRET_H

#include <stdint.h>

#include "adm.h"
#include "ct-error.h"

/*
 * Reads the admin token (base64url text, surrounding white space ignored).
 * Returns 0, CT_ERR_IO (cannot open or read), CT_ERR_UNSAFE_PATH (not a
 * regular file, or group or others have access), CT_ERR_TOO_LARGE,
 * CT_ERR_BAD_VALUE (empty, or characters outside base64url), CT_ERR_NOMEM.
 */
int adm_token_read(const char *path, char **out, struct ct_errinfo *ei);

/*
 * Reads a password from a file (any readable file, pipes included): the
 * whole content less one final newline.  Returns 0, CT_ERR_IO,
 * CT_ERR_TOO_LARGE (over CT_PASSWORD_MAX), CT_ERR_BAD_VALUE (empty, or a
 * NUL byte), CT_ERR_NOMEM.
 */
int adm_password_read_file(const char *path, char **out, struct ct_errinfo *ei);

/*
 * Reads a password from io->in: on a terminal, asked twice with echo off
 * ("Password for WHO: "); otherwise the whole input less one final
 * newline.  Errors as adm_password_read_file, and CT_ERR_BAD_VALUE when
 * the two entries differ.
 */
int adm_password_read_stream(const struct adm_io *io, const char *who,
			     char **out, struct ct_errinfo *ei);

/* A Kerberos key as sent to the server. */
struct adm_key {
	int32_t enctype;
	char *hex; /* lower-case hex (secret) */
};

/*
 * Reads a key file holding "[ENCTYPE:]HEX" (as cloudtrust-krb writes it).
 * enctype is what --enctype said, or 0 when it was not given; the default
 * is 18 (aes256-cts-hmac-sha1-96).  Returns 0, the errors of
 * adm_token_read for the file, CT_ERR_UNSUPPORTED_ENCTYPE, or
 * CT_ERR_BAD_VALUE (not hex, a length that does not fit the enctype, or an
 * ENCTYPE prefix that contradicts --enctype).  On success the caller
 * clears *out with adm_key_clear.
 */
int adm_key_read(const char *path, int32_t enctype, struct adm_key *out,
		 struct ct_errinfo *ei);

/* Wipes and frees the key; a zeroed struct is a no-op. */
void adm_key_clear(struct adm_key *k);

#endif
