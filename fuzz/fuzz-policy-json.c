/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes the policy decoders (src/client/local/cl-policy.c) with the same
 * bytes as a cloud policy reply and as a local policy file.  After each:
 * on error the policy is unchanged; on success every node is in its range,
 * MinimumPINLength <= MaximumPINLength, and the JSON view builds.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cl-policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TENANT "6f3a2c1e-0b4d-4a59-9c3e-2d7f1a8b5e40"

static bool same(const struct ct_policy *a, const struct ct_policy *b)
{
	struct ct_policy_item x, y;
	size_t i;

	for (i = 0; ct_policy_item_get(a, i, &x) && ct_policy_item_get(b, i, &y); i++)
		if (strcmp(x.value, y.value) != 0 || a->source[i] != b->source[i])
			return false;
	return true;
}

static void check_ranges(const struct ct_policy *p)
{
	struct ct_policy_item it;
	json_t *j;
	size_t i;

	if (p->min_pin_length < 4 || p->min_pin_length > 127 || p->max_pin_length < 4 ||
	    p->max_pin_length > 127 || p->min_pin_length > p->max_pin_length ||
	    (unsigned)p->digits > 2 || (unsigned)p->uppercase_letters > 2 ||
	    (unsigned)p->lowercase_letters > 2 || (unsigned)p->special_characters > 2 ||
	    p->history < 0 || p->history > 50 || p->expiration_days < 0 ||
	    p->expiration_days > 730)
		abort();
	for (i = 0; ct_policy_item_get(p, i, &it); i++)
		if ((unsigned)p->source[i] > CT_POLICY_LOCAL)
			abort();
	j = ct_policy_to_json(p);
	if (j == NULL)
		abort();
	json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ct_policy p, before;

	ct_policy_defaults(&p);
	before = p;
	if (ct_policy_apply_cloud(&p, (const char *)data, size, TENANT, NULL) != 0 &&
	    !same(&p, &before))
		abort();
	check_ranges(&p);
	before = p;
	if (ct_policy_apply_local(&p, (const char *)data, size, "fuzz", NULL) != 0 &&
	    !same(&p, &before))
		abort();
	check_ranges(&p);
	/* A cloud reply after local values: local ones stay. */
	before = p;
	if (ct_policy_apply_cloud(&p, (const char *)data, size, TENANT, NULL) == 0) {
		for (int i = 0; i < CT_POL_NODE_COUNT; i++)
			if (before.source[i] == CT_POLICY_LOCAL && p.source[i] != CT_POLICY_LOCAL)
				abort();
	} else if (!same(&p, &before)) {
		abort();
	}
	check_ranges(&p);
	return 0;
}
