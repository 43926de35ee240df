/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Files of the client's state directory: every read and write of it goes
 * through here, so the rules are in one place.
 *
 *   - The state directory and every directory above it must be impossible
 *     for another user to change: owned by root or by us, and not writable
 *     by group or others (unless sticky, like /tmp).  Otherwise someone
 *     could swap a file we trust for one of theirs.
 *   - Reads refuse symlinks, non-regular files, files owned by another
 *     user, files others can write, and files over a size cap.
 *   - Writes go to a new file beside the target (O_EXCL, the final mode
 *     from the start), are fsync'd and renamed over the target, so a reader
 *     sees the old file or the new one, never a mixture.
 */
#ifndef CT_CL_SAFEFILE_H
#define CT_CL_SAFEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "ct-buf.h"
#include "ct-error.h"

/*
 * Checks that path is a directory (not a symlink) that no other user can
 * change, nor any directory above it.  Returns 0, CT_ERR_NOT_FOUND (no such
 * directory), CT_ERR_UNSAFE_PATH (detail names the culprit), CT_ERR_IO.
 */
int cl_dir_check(const char *path, struct ct_errinfo *ei);

/*
 * Creates path with mode (0700) when missing (its parent must exist), then
 * checks it as cl_dir_check does and that it has no group or other access
 * bits beyond mode.  Errors as cl_dir_check, plus CT_ERR_PERMISSION.
 */
int cl_dir_ensure(const char *path, mode_t mode, struct ct_errinfo *ei);

/*
 * Reads the whole regular file at path (at most max bytes) into out, which
 * the caller has initialised (its contents are replaced).  Returns 0,
 * CT_ERR_NOT_FOUND, CT_ERR_UNSAFE_PATH (symlink, not a regular file, owned
 * by another user, writable by others), CT_ERR_TOO_LARGE, CT_ERR_IO.
 */
int cl_file_read(const char *path, size_t max, struct ct_buf *out,
		 struct ct_errinfo *ei);

/*
 * Replaces the file at path with p[0..n), mode as given (0600 or 0644),
 * atomically (temporary file, fsync, rename, fsync of the directory).
 * Returns 0, CT_ERR_IO, CT_ERR_PERMISSION; on failure the old file stays.
 */
int cl_file_write(const char *path, const void *p, size_t n, mode_t mode,
		  struct ct_errinfo *ei);

/*
 * Removes path; a missing file is not an error.  With wipe, a regular file
 * is overwritten with zeros first (key files).  Returns 0 or CT_ERR_IO.
 */
int cl_file_remove(const char *path, bool wipe, struct ct_errinfo *ei);

/* True when path exists (as anything, symlinks not followed). */
bool cl_file_exists(const char *path);

/*
 * Joins dir and name with one '/' into out (size outlen).  Returns 0 or
 * CT_ERR_TOO_LARGE.
 */
int cl_path_join(char *out, size_t outlen, const char *dir, const char *name);

#endif
