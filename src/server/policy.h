/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hello for Business policy nodes (PassportForWork CSP names, docs/PROTOCOL.md
 * §8): validation, defaults, and the effective set for a user.
 */
#ifndef CT_POLICY_H
#define CT_POLICY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "app.h"
#include "http.h"

#define CT_POLICY_PREFIX "./Device/Vendor/MSFT/PassportForWork/"

/*
 * Normalises a node name (full path with {TenantId} or the tenant id, or
 * relative to Policies/) and its value: writes the full node for tenant_id
 * into node_out and the canonical value ("true"/"false", decimal) into
 * value_out (value may be NULL to check only the node).  Returns 0 or
 * CT_ERR_BAD_VALUE with a description in ei.
 */
int ct_policy_normalise(const char *tenant_id, const char *node, const char *value,
			char *node_out, size_t node_len, char *value_out,
			size_t value_len, struct ct_errinfo *ei);

/*
 * The effective policy for a user (0: all-devices values only) as a JSON
 * object full-node → value, defaults included; an invalid min/max PIN
 * length pair falls back to the defaults.  Returns a new object or NULL.
 */
json_t *ct_policy_effective(struct ct_worker *w, struct ct_arena *a, int64_t user_id);

/* Admin API: PUT /admin/v1/policies (remove=false) and POST .../remove. */
int ct_policy_admin_set(struct ct_http_request *req, struct ct_http_response *resp,
			bool remove);

#endif
