/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes the tpm key file decoder: arbitrary bytes must be refused or
 * decode into a Hello key of the one accepted template, which encodes
 * back to exactly the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ct-buf.h"
#include "ks-tpm-file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ks_tpm_file f;
	struct ct_buf again;

	if (ks_tpm_file_decode(data, size, &f) != 0)
		return 0;
	if (!ks_tpm_public_ok(&f.pub) ||
	    (f.pub.publicArea.objectAttributes & TPMA_OBJECT_NODA) != 0)
		abort();
	ct_buf_init(&again, 1 << 16);
	ks_tpm_file_encode(&f, &again);
	if (again.err != 0 || again.len != size || memcmp(again.data, data, size) != 0)
		abort();
	ct_buf_free(&again);
	return 0;
}
