/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes the decoders of the client's state files (cl-state.h): the first
 * byte picks device.json ('d') or users/<upn>.json (anything else), the rest
 * is the file.  What decodes must encode again and decode to the same
 * state ("what we write we can read"), and the encoding must be stable.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cl-state.h"
#include "ct-secret.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void device(const uint8_t *p, size_t n)
{
	struct cl_device_state a, b;
	char *t1 = NULL, *t2 = NULL;

	if (cl_device_state_parse(p, n, &a, NULL) != 0)
		return;
	if (cl_device_state_format(&a, &t1, NULL) != 0 ||
	    cl_device_state_parse(t1, strlen(t1), &b, NULL) != 0 ||
	    memcmp(&a, &b, sizeof(a)) != 0 || cl_device_state_format(&b, &t2, NULL) != 0 ||
	    strcmp(t1, t2) != 0)
		abort();
	free(t1);
	free(t2);
}

static void user(const uint8_t *p, size_t n)
{
	static struct cl_user_state a, b;
	char *t1 = NULL, *t2 = NULL;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	if (cl_user_state_parse(p, n, &a, NULL) != 0)
		return;
	if (cl_user_state_format(&a, &t1, NULL) != 0 ||
	    cl_user_state_parse(t1, strlen(t1), &b, NULL) != 0 ||
	    memcmp(&a, &b, sizeof(a)) != 0 || cl_user_state_format(&b, &t2, NULL) != 0 ||
	    strcmp(t1, t2) != 0)
		abort();
	ct_erase_free_str(t1);
	ct_erase_free_str(t2);
	cl_user_state_clear(&a);
	cl_user_state_clear(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] == 'd')
		device(data + 1, size - 1);
	else
		user(data + 1, size - 1);
	return 0;
}
