/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Small whole-file reads and complete writes, for the config and state
 * files every program keeps.
 */
#ifndef CT_FILE_H
#define CT_FILE_H

#include <stddef.h>

#include "ct-error.h"

/*
 * Reads the regular file at path, at most cap bytes, into a new
 * NUL-terminated buffer (*out) of *outlen bytes, owned by the caller (free
 * it with ct_erase_free(*out, *outlen + 1) when it may hold a secret).
 * A file that grows while it is read is cut at the size it had when opened.
 * Returns 0, CT_ERR_NOT_FOUND (no such file), CT_ERR_PERMISSION, CT_ERR_IO
 * (not a regular file, read error), CT_ERR_TOO_LARGE, CT_ERR_NOMEM; ei names
 * path and says why (errno's text).
 */
int ct_file_read(const char *path, size_t cap, char **out, size_t *outlen,
		 struct ct_errinfo *ei);

/*
 * Writes all n bytes at p to fd, retrying interrupted and short writes.
 * Returns 0, or CT_ERR_IO with errno as write left it (unchanged when
 * write returned 0).
 */
int ct_write_all(int fd, const void *p, size_t n);

#endif
