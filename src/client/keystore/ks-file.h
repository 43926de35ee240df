/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Key files on disk, for both kinds: where a label's file lives, the store
 * lock, bounded reads, atomic replacement, wiping; and the common header
 * every key file starts with.
 *
 * A file is named by the SHA-256 of its label in hex plus a suffix per kind
 * ("<hex>.soft", "<hex>.tpm"), so no label can name a path outside the
 * store; the label itself is inside the file and checked on every read.
 *
 * Common header (all integers little-endian):
 *   4  magic "CTHK"
 *   1  format version (1)
 *   1  kind (1 soft, 2 tpm)
 *   2  label length L (1..CT_KS_MAX_LABEL)
 *   L  label, UTF-8 without NUL
 */
#ifndef CT_KS_FILE_H
#define CT_KS_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ct-buf.h"
#include "ct-error.h"
#include "keystore.h"

#define CT_KS_FILE_VERSION 1

/* "<dir>/<sha256(label) hex><suffix>" in a new string the caller frees. */
int ks_file_path(const char *dir, const char *label, const char *suffix,
		 char **out, struct ct_errinfo *ei);

/* Takes the store's exclusive lock (a "keystore.lock" file in dir), so two
 * processes never race on one failure counter; *fd gets the lock. */
int ks_lock(const char *dir, int *fd, struct ct_errinfo *ei);
/* Releases the lock; -1 is a no-op. */
void ks_unlock(int fd);

/*
 * Reads the regular file at path (not through a symlink, at most
 * CT_KS_MAX_FILE bytes) into out (initialised here).  CT_ERR_NOT_FOUND when
 * there is no file, CT_ERR_BAD_VALUE when it is too large or not a regular
 * file, CT_ERR_IO otherwise.
 */
int ks_file_read(const char *path, struct ct_buf *out, struct ct_errinfo *ei);

/* Does a file exist at path (lstat)? */
bool ks_file_exists(const char *path);

/*
 * Replaces path with p[0..n) atomically: a temporary file in the same
 * directory (0600), fsync, rename, fsync of the directory.  The file it
 * replaces is then overwritten with zeros through a descriptor kept open,
 * so old sealed copies do not linger in freed blocks longer than needed.
 */
int ks_file_write(const char *path, const uint8_t *p, size_t n,
		  struct ct_errinfo *ei);

/* Overwrites the file at path with zeros, syncs, and removes it; a missing
 * file is fine. */
int ks_file_wipe(const char *path, struct ct_errinfo *ei);

/* Creates an empty marker file (0600) at path, durably. */
int ks_file_mark(const char *path, struct ct_errinfo *ei);

/* Appends the common header. */
void ks_header_put(struct ct_buf *b, enum ct_ks_kind kind,
		   const uint8_t *label, size_t label_len);

/*
 * Reads the common header and checks magic, version and kind; *label
 * points into the input (not NUL-terminated), *label_len is its length.
 * Returns 0 or CT_ERR_BAD_VALUE / CT_ERR_TRUNCATED.
 */
int ks_header_get(struct ct_cursor *c, enum ct_ks_kind kind,
		  const uint8_t **label, size_t *label_len);

/* Is the label in the file the one asked for? */
bool ks_label_is(const uint8_t *got, size_t got_len, const char *want);

#endif
