/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One flat error vocabulary for the whole project.  Functions return 0 on
 * success or a negative CT_ERR_* value; the table below is the only place a
 * code and its message are written down.
 */
#ifndef CT_ERROR_H
#define CT_ERROR_H

#include <stdarg.h>
#include <stddef.h>

#define CT_ERRORS(X)                                                          \
	X(NOMEM, "out of memory")                                             \
	X(INVALID_ARG, "invalid argument")                                    \
	X(TOO_LARGE, "input exceeds a size limit")                            \
	X(TRUNCATED, "input is truncated")                                    \
	X(BAD_TAG, "unexpected DER tag")                                      \
	X(BAD_LENGTH, "invalid DER length")                                   \
	X(NON_MINIMAL, "non-minimal DER encoding")                            \
	X(TOO_DEEP, "DER nesting too deep")                                   \
	X(TRAILING, "trailing bytes after a value")                           \
	X(BAD_VALUE, "value out of range or malformed")                       \
	X(MISSING_FIELD, "a required field is missing")                       \
	X(BAD_MSG_TYPE, "unexpected Kerberos message type")                   \
	X(BAD_PVNO, "unsupported Kerberos protocol version")                  \
	X(UNSUPPORTED_ENCTYPE, "unsupported encryption type")                 \
	X(CRYPTO, "cryptographic operation failed")                           \
	X(INTEGRITY, "decryption failed: wrong key or modified data")         \
	X(BAD_PAC, "malformed PAC")                                           \
	X(PAC_SIGNATURE, "PAC signature does not verify")                     \
	X(MISMATCH, "reply does not match the request")                       \
	X(KDC_ERROR, "the KDC returned an error")                             \
	X(NETWORK, "network error")                                           \
	X(TIMEOUT, "timed out")                                               \
	X(IO, "I/O error")                                                    \
	X(CCACHE, "credential cache error")                                   \
	X(PERMISSION, "permission denied")                                    \
	X(NOT_FOUND, "not found")                                             \
	X(UNSAFE_PATH, "refusing a path another user controls")               \
	X(INTERNAL, "internal error")                                         \
	X(BAD_JSON, "malformed JSON")                                         \
	X(JSON_TYPE, "a JSON member has the wrong type")                      \
	X(BAD_BASE64, "malformed base64")                                     \
	X(BAD_JOSE, "malformed JOSE object")                                  \
	X(UNSUPPORTED_ALG, "JOSE algorithm or extension not accepted")        \
	X(BAD_KEY, "key type or size not acceptable")                         \
	X(SIGNATURE, "signature does not verify")                             \
	X(REPLAY, "already used: replay refused")                             \
	X(CERT_UNTRUSTED, "certificate does not chain to the trusted CA")     \
	X(CERT_EXPIRED, "certificate is expired or not yet valid")            \
	X(CONFLICT, "already exists (uniqueness conflict)")                   \
	X(BUSY, "the database is locked; retry")                              \
	X(STORE, "database error")                                            \
	X(SCHEMA, "database schema is newer than this program")               \
	X(NOT_SUPPORTED, "operation not supported by this backend")           \
	X(UNAUTHORIZED, "missing or invalid credentials")                     \
	X(DENIED, "access denied by policy")                                  \
	X(USAGE, "command-line usage error")                                  \
	X(REFUSED, "the server refused the request")                          \
	X(CANCELLED, "cancelled: not confirmed")                              \
	X(PIN_WRONG, "the PIN is not correct")                                \
	X(PIN_LOCKED, "the Hello key is locked after too many wrong PINs")    \
	X(PIN_POLICY, "the PIN does not meet the PIN policy")                 \
	X(KEYSTORE, "the key store is not available")                         \
	X(NOT_JOINED, "this device is not joined")                            \
	X(NOT_ENROLLED, "no Hello key is enrolled for this user")

enum ct_err {
	CT_OK = 0,
	CT_ERR_BASE_ = -1000,
#define CT_ERR_ENUM_(name, msg) CT_ERR_##name,
	CT_ERRORS(CT_ERR_ENUM_)
#undef CT_ERR_ENUM_
	CT_ERR_END_
};

/* Returns a static, human-readable message for a CT_ERR_* code (or "ok"). */
const char *ct_strerror(int err);

/* Returns the symbolic name without prefix ("NOMEM"), for logs and tests. */
const char *ct_errname(int err);

/*
 * Detail for a human, filled by library code next to the returned code.
 * Library code never logs; the caller that handles the error prints this.
 */
struct ct_errinfo {
	int code;
	char msg[512];
};

/* Records code and a formatted message in ei (which may be NULL); returns code. */
int ct_errinfo_set(struct ct_errinfo *ei, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Like ct_errinfo_set, but keeps an existing message and only fills an empty one. */
int ct_errinfo_default(struct ct_errinfo *ei, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
