/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal to the local layer: reading a small file whole.
 */
#ifndef CT_CL_FILE_H
#define CT_CL_FILE_H

#include <stddef.h>

#include "ct-error.h"

/*
 * Reads the regular file at path, at most cap bytes, into a new
 * NUL-terminated buffer (*out, free()) of *outlen bytes.  Returns 0,
 * CT_ERR_NOT_FOUND (no such file; ei still says so), CT_ERR_PERMISSION,
 * CT_ERR_IO, CT_ERR_TOO_LARGE, CT_ERR_NOMEM; detail in ei naming path.
 */
int ct_cl_read_file(const char *path, size_t cap, char **out, size_t *outlen,
		    struct ct_errinfo *ei);

#endif
