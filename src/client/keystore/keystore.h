/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hello key stores: where a user's Hello key lives and how the PIN guards it.
 *
 * Two kinds sit behind one interface:
 *   - tpm:  the key is made inside a TPM 2.0 with the PIN as its
 *           authorisation value, so the TPM's dictionary-attack lockout
 *           limits guessing; only the TPM-wrapped blobs touch the disk.
 *   - soft: the private key is sealed under an Argon2id key derived from the
 *           PIN, with a failure counter in the file that wipes the key after
 *           the limit.  Weaker: whoever can copy the file can guess offline.
 *
 * The Hello key is always ECDSA P-256 (ES256).  Keys are named by a label
 * (the user's UPN, lower-cased); a store keeps its files under one
 * directory, which the caller owns (root, mode 0700).
 *
 * Errors: CT_ERR_PIN_WRONG (ks_status says how many tries are left),
 * CT_ERR_PIN_LOCKED, CT_ERR_NOT_ENROLLED (no key under that label),
 * CT_ERR_KEYSTORE (TPM absent or broken), CT_ERR_BAD_VALUE (a key file that
 * is malformed: refused, never "repaired"), CT_ERR_IO; detail in ei.
 * Nothing here logs, and no PIN or private key byte outlives a call.
 */
#ifndef CT_KEYSTORE_H
#define CT_KEYSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "ct-buf.h"
#include "ct-error.h"

enum ct_ks_kind {
	CT_KS_SOFT = 1,
	CT_KS_TPM = 2,
};

struct ct_ks_options {
	enum ct_ks_kind kind;
	const char *dir;          /* key files live here (root-owned, 0700) */
	const char *tcti;         /* tpm only: "swtpm:host=127.0.0.1,port=2321",
	                           * "device:/dev/tpmrm0"; NULL or "" =
	                           * "device:/dev/tpmrm0" */
	unsigned max_attempts;    /* wrong PINs before lock (soft: wipe); 0 = 5,
	                           * at most 100.  tpm: set as the TPM's
	                           * dictionary-attack limit at open, unless the
	                           * TPM's lockout auth is set (then the TPM's
	                           * own limit stands; see tpm_limit_kept) */
	/* soft only: Argon2id cost; 0 = defaults (t=3, m=64 MiB, p=1).  Tests
	 * lower them; a key file records the cost it was made with. */
	uint32_t argon2_t, argon2_m_kib, argon2_p;
};

/* A store handle; use it from one thread at a time. */
struct ct_keystore;

struct ct_ks_status {
	enum ct_ks_kind kind;
	bool present;             /* a key exists under the label */
	bool locked;              /* soft: wiped after too many wrong PINs;
	                           * tpm: the TPM is in dictionary-attack lockout */
	unsigned tries_left;      /* before lock (soft) or TPM lockout */
	unsigned max_attempts;    /* tpm: the TPM's value (see tpm_limit_kept) */
	/* tpm only: the TPM's lockout auth is set, so its own limit stands
	 * instead of opt->max_attempts; and the seconds after which the TPM
	 * forgets one wrong PIN. */
	bool tpm_limit_kept;
	unsigned tpm_recovery_s;
};

/* "tpm" / "soft"; and the reverse (0 when unknown). */
const char *ct_ks_kind_name(enum ct_ks_kind kind);
enum ct_ks_kind ct_ks_kind_from_name(const char *name);

/*
 * Opens a store over opt->dir, which must exist, be a directory owned by the
 * effective uid and writable by no one else (CT_ERR_UNSAFE_PATH).  For tpm,
 * connects to the TPM, checks it answers and sets its lockout limit
 * (CT_ERR_KEYSTORE when there is no TPM).  Close with ct_ks_close.
 */
int ct_ks_open(const struct ct_ks_options *opt, struct ct_keystore **out,
	       struct ct_errinfo *ei);
void ct_ks_close(struct ct_keystore *ks);

/* Is a TPM reachable with this TCTI (NULL = default)?  For "auto" choice.
 * A swtpm serves one client at a time: ask before opening a store. */
bool ct_ks_tpm_available(const char *tcti);

/*
 * Makes a new Hello key under label, guarded by pin (UTF-8, already checked
 * against the PIN policy by the caller), replacing any key under that label
 * only once the new one is safely on disk (this also lifts a soft lock: it
 * is the PIN reset).  *pub (may be NULL) receives the public key, which the
 * caller frees.  Labels are 1..1024 bytes of UTF-8 without control
 * characters, '/' or '\' (CT_ERR_INVALID_ARG).
 */
int ct_ks_create(struct ct_keystore *ks, const char *label, const char *pin,
		 EVP_PKEY **pub, struct ct_errinfo *ei);

/* The public key of the key under label (no PIN needed); the caller frees
 * *pub.  CT_ERR_NOT_ENROLLED, or CT_ERR_PIN_LOCKED for a wiped soft key. */
int ct_ks_public(struct ct_keystore *ks, const char *label, EVP_PKEY **pub,
		 struct ct_errinfo *ei);

/*
 * Signs data with ES256 using the key under label unlocked by pin; the
 * 64-byte JOSE form (R || S) is appended to sig (pass an empty buffer with
 * a cap of at least 64).  A wrong PIN costs one attempt: CT_ERR_PIN_WRONG,
 * or CT_ERR_PIN_LOCKED when it was the last one.
 *   soft: the attempt is counted on disk before the PIN is tried, a right
 *         PIN resets the count, the last wrong one erases the key.
 *   tpm:  the TPM counts; its counter is shared by all keys of the TPM and
 *         a right PIN does not lower it (time does: one failure is forgotten
 *         every tpm_recovery_s), so one user's right PIN cannot buy guesses
 *         at another user's key.  In lockout even the right PIN is refused.
 */
int ct_ks_sign(struct ct_keystore *ks, const char *label, const char *pin,
	       const uint8_t *data, size_t len, struct ct_buf *sig,
	       struct ct_errinfo *ei);

/* Re-guards the key under a new PIN; the old PIN must be right (a wrong
 * one costs an attempt, as in ct_ks_sign).  tpm: an old copy of the key
 * file would still open with the old PIN; the store keeps no copy. */
int ct_ks_change_pin(struct ct_keystore *ks, const char *label,
		     const char *old_pin, const char *new_pin,
		     struct ct_errinfo *ei);

/* Deletes the key under label (overwriting the file first) and any soft
 * lock marker; deleting what is not there is not an error. */
int ct_ks_delete(struct ct_keystore *ks, const char *label,
		 struct ct_errinfo *ei);

/* Fills st for label; no key is not an error (st->present false).  A
 * malformed key file is CT_ERR_BAD_VALUE. */
int ct_ks_status(struct ct_keystore *ks, const char *label,
		 struct ct_ks_status *st, struct ct_errinfo *ei);

#endif
