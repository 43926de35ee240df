/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The effective Windows Hello for Business policy on this device: the
 * PassportForWork CSP nodes (docs/PROTOCOL.md §8) from three layers, each
 * node taken from the highest one that sets it:
 *
 *   default  <  cloud (the policy fetch reply, Intune's role)
 *            <  local (the policy file, /etc/cloudtrust/policy.json:
 *                      Group Policy's role; GPO wins over Intune)
 *
 * A local value is never replaced by a cloud one, whatever the order of the
 * calls.  Both inputs are untrusted bytes: parsed strictly, values checked
 * against the node's range, and applied all or nothing (a bad input leaves
 * the policy as it was).
 *
 * MinimumPINLength above MaximumPINLength: within the local file it is
 * refused; between a local and a cloud value the cloud one falls back to its
 * default (the local file wins); between two cloud values both fall back to
 * their defaults, as Windows does.
 *
 * Apply each layer once, on a fresh ct_policy_defaults(): the cloud reply
 * is the whole cloud layer (a node a new reply no longer sets goes back to
 * its default), while local values stay until the struct is rebuilt.
 */
#ifndef CT_CL_POLICY_H
#define CT_CL_POLICY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "ct-error.h"

#define CT_POLICY_CSP_PREFIX "./Device/Vendor/MSFT/PassportForWork/"

/* The nodes, in the order status prints them. */
enum ct_policy_node {
	CT_POL_USE_PASSPORT_FOR_WORK = 0,
	CT_POL_USE_CLOUD_TRUST_FOR_ONPREM_AUTH,
	CT_POL_REQUIRE_SECURITY_DEVICE,
	CT_POL_MIN_PIN_LENGTH,
	CT_POL_MAX_PIN_LENGTH,
	CT_POL_DIGITS,
	CT_POL_UPPERCASE_LETTERS,
	CT_POL_LOWERCASE_LETTERS,
	CT_POL_SPECIAL_CHARACTERS,
	CT_POL_HISTORY,
	CT_POL_EXPIRATION,
	CT_POL_NODE_COUNT
};

enum ct_policy_source {
	CT_POLICY_DEFAULT = 0,
	CT_POLICY_CLOUD,
	CT_POLICY_LOCAL,
};

/* PINComplexity character-class values (the CSP's 0, 1, 2). */
enum ct_pin_class_rule {
	CT_PIN_CLASS_ALLOW = 0,
	CT_PIN_CLASS_REQUIRE = 1,
	CT_PIN_CLASS_DISALLOW = 2,
};

struct ct_policy {
	bool use_passport_for_work;            /* default true */
	bool use_cloud_trust_for_onprem_auth;  /* default false */
	bool require_security_device;          /* default false */
	int min_pin_length;                    /* 4..127, default 4 */
	int max_pin_length;                    /* 4..127, default 127 */
	enum ct_pin_class_rule digits;         /* default require */
	enum ct_pin_class_rule uppercase_letters; /* default disallow */
	enum ct_pin_class_rule lowercase_letters; /* default disallow */
	enum ct_pin_class_rule special_characters; /* default disallow */
	int history;                           /* 0..50, default 0 */
	int expiration_days;                   /* 0..730, default 0 (never) */
	enum ct_policy_source source[CT_POL_NODE_COUNT];
};

/* Fills p with the CSP defaults, every source CT_POLICY_DEFAULT. */
void ct_policy_defaults(struct ct_policy *p);

/*
 * Applies a policy fetch reply, {"policies": {"<node>": "<value>", ...}}.
 * Nodes are full CSP names under CT_POLICY_CSP_PREFIX with tenant_id (or
 * the literal "{TenantId}"; tenant_id NULL accepts any) as the tenant
 * segment; names relative to
 * Policies/ are accepted too.  Values are strings as the server sends
 * them; JSON booleans and integers are accepted too.  Node names ignore
 * case.
 *   - a node for another tenant: the whole reply is refused (CT_ERR_MISMATCH):
 *     the reply was not meant for this device;
 *   - an unknown node of this tenant (a newer server) or outside
 *     PassportForWork: ignored;
 *   - a known node with a bad value or type: refused (CT_ERR_BAD_VALUE,
 *     the node named in ei).
 * Nodes whose source is CT_POLICY_LOCAL keep their value.  Returns 0,
 * CT_ERR_BAD_JSON, CT_ERR_JSON_TYPE, CT_ERR_MISSING_FIELD ("policies"),
 * CT_ERR_TOO_LARGE, CT_ERR_MISMATCH, CT_ERR_BAD_VALUE, CT_ERR_NOMEM;
 * on any error p is unchanged.
 */
int ct_policy_apply_cloud(struct ct_policy *p, const char *json, size_t len,
			  const char *tenant_id, struct ct_errinfo *ei);

/*
 * Applies the local policy file: a JSON object of node -> value, node names
 * relative to Policies/ ("PINComplexity/MinimumPINLength") or full CSP
 * names with any tenant segment; case ignored.  Values: true/false, 0/1,
 * "true"/"false"/"1"/"0" for booleans; integers or decimal strings for
 * numbers; for the character classes also "allow", "require", "disallow";
 * null means "not set here".  Unknown nodes, a node given twice, values
 * out of range, and MinimumPINLength above MaximumPINLength are refused,
 * naming the node.  A missing file means no local overrides (returns 0).
 * Returns 0, CT_ERR_IO (unreadable), CT_ERR_TOO_LARGE, CT_ERR_BAD_JSON,
 * CT_ERR_JSON_TYPE, CT_ERR_BAD_VALUE, CT_ERR_NOMEM; detail in ei with the
 * path; on any error p is unchanged.
 */
int ct_policy_apply_local_file(struct ct_policy *p, const char *path,
			       struct ct_errinfo *ei);

/* ct_policy_apply_local_file on bytes in memory; origin names them in ei. */
int ct_policy_apply_local(struct ct_policy *p, const char *json, size_t len,
			  const char *origin, struct ct_errinfo *ei);

/*
 * The policy as {"<node>": {"value": <bool or int>, "source":
 * "default"|"cloud"|"local"}, ...} with node names relative to Policies/.
 * Returns a new reference (json_decref) or NULL when out of memory.
 */
json_t *ct_policy_to_json(const struct ct_policy *p);

/* One node for text output. */
struct ct_policy_item {
	enum ct_policy_node node;
	const char *name;    /* relative to Policies/, static */
	char value[16];      /* "true", "false", "6" */
	const char *source;  /* "default", "cloud", "local", static */
};

/*
 * Fills item with node number i (0 .. CT_POL_NODE_COUNT-1); returns false
 * past the last node, so `for (i = 0; ct_policy_item_get(p, i, &it); i++)`
 * walks them all.
 */
bool ct_policy_item_get(const struct ct_policy *p, size_t i,
			struct ct_policy_item *item);

/* Name of a node relative to Policies/ (static), or NULL out of range. */
const char *ct_policy_node_name(enum ct_policy_node node);
/* "default", "cloud", "local". */
const char *ct_policy_source_name(enum ct_policy_source src);
/* "allow", "require", "disallow". */
const char *ct_pin_class_rule_name(enum ct_pin_class_rule r);

#endif
