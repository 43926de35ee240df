/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The effective Hello policy: node table, name resolution, lenient value
 * forms with strict ranges, and the layer merge (see cl-policy.h).
 */
#include "cl-policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ct-file.h"
#include "ct-limits.h"
#include "strict-json.h"

enum node_type { NODE_BOOL, NODE_INT, NODE_CLASS };

static const struct node {
	const char *rel;
	enum node_type type;
	int min, max;
	int def;
} nodes[CT_POL_NODE_COUNT] = {
	[CT_POL_USE_PASSPORT_FOR_WORK] = {"UsePassportForWork", NODE_BOOL, 0, 1, 1},
	[CT_POL_USE_CLOUD_TRUST_FOR_ONPREM_AUTH] =
		{"UseCloudTrustForOnPremAuth", NODE_BOOL, 0, 1, 0},
	[CT_POL_REQUIRE_SECURITY_DEVICE] = {"RequireSecurityDevice", NODE_BOOL, 0, 1, 0},
	[CT_POL_MIN_PIN_LENGTH] = {"PINComplexity/MinimumPINLength", NODE_INT, 4, 127, 4},
	[CT_POL_MAX_PIN_LENGTH] = {"PINComplexity/MaximumPINLength", NODE_INT, 4, 127, 127},
	[CT_POL_DIGITS] = {"PINComplexity/Digits", NODE_CLASS, 0, 2, CT_PIN_CLASS_REQUIRE},
	[CT_POL_UPPERCASE_LETTERS] =
		{"PINComplexity/UppercaseLetters", NODE_CLASS, 0, 2, CT_PIN_CLASS_DISALLOW},
	[CT_POL_LOWERCASE_LETTERS] =
		{"PINComplexity/LowercaseLetters", NODE_CLASS, 0, 2, CT_PIN_CLASS_DISALLOW},
	[CT_POL_SPECIAL_CHARACTERS] =
		{"PINComplexity/SpecialCharacters", NODE_CLASS, 0, 2, CT_PIN_CLASS_DISALLOW},
	[CT_POL_HISTORY] = {"PINComplexity/History", NODE_INT, 0, 50, 0},
	[CT_POL_EXPIRATION] = {"PINComplexity/Expiration", NODE_INT, 0, 730, 0},
};

static const char *const class_names[] = {"allow", "require", "disallow"};

/* Puts "prefix: " before the message already in ei; returns code. */
static int errinfo_prefix(struct ct_errinfo *ei, int code, const char *prefix)
{
	char detail[sizeof(ei->msg)];

	if (ei == NULL)
		return code;
	memcpy(detail, ei->msg, sizeof(detail));
	return ct_errinfo_set(ei, code, "%s: %s", prefix, detail);
}

const char *ct_policy_node_name(enum ct_policy_node node)
{
	if ((unsigned)node >= CT_POL_NODE_COUNT)
		return NULL;
	return nodes[node].rel;
}

const char *ct_policy_source_name(enum ct_policy_source src)
{
	switch (src) {
	case CT_POLICY_CLOUD:
		return "cloud";
	case CT_POLICY_LOCAL:
		return "local";
	default:
		return "default";
	}
}

const char *ct_pin_class_rule_name(enum ct_pin_class_rule r)
{
	if ((unsigned)r > CT_PIN_CLASS_DISALLOW)
		return "unknown";
	return class_names[r];
}

static int node_get(const struct ct_policy *p, enum ct_policy_node n)
{
	switch (n) {
	case CT_POL_USE_PASSPORT_FOR_WORK:
		return p->use_passport_for_work;
	case CT_POL_USE_CLOUD_TRUST_FOR_ONPREM_AUTH:
		return p->use_cloud_trust_for_onprem_auth;
	case CT_POL_REQUIRE_SECURITY_DEVICE:
		return p->require_security_device;
	case CT_POL_MIN_PIN_LENGTH:
		return p->min_pin_length;
	case CT_POL_MAX_PIN_LENGTH:
		return p->max_pin_length;
	case CT_POL_DIGITS:
		return (int)p->digits;
	case CT_POL_UPPERCASE_LETTERS:
		return (int)p->uppercase_letters;
	case CT_POL_LOWERCASE_LETTERS:
		return (int)p->lowercase_letters;
	case CT_POL_SPECIAL_CHARACTERS:
		return (int)p->special_characters;
	case CT_POL_HISTORY:
		return p->history;
	case CT_POL_EXPIRATION:
		return p->expiration_days;
	default:
		return 0;
	}
}

/* v is already in the node's range. */
static void node_set(struct ct_policy *p, enum ct_policy_node n, int v,
		     enum ct_policy_source src)
{
	switch (n) {
	case CT_POL_USE_PASSPORT_FOR_WORK:
		p->use_passport_for_work = v != 0;
		break;
	case CT_POL_USE_CLOUD_TRUST_FOR_ONPREM_AUTH:
		p->use_cloud_trust_for_onprem_auth = v != 0;
		break;
	case CT_POL_REQUIRE_SECURITY_DEVICE:
		p->require_security_device = v != 0;
		break;
	case CT_POL_MIN_PIN_LENGTH:
		p->min_pin_length = v;
		break;
	case CT_POL_MAX_PIN_LENGTH:
		p->max_pin_length = v;
		break;
	case CT_POL_DIGITS:
		p->digits = (enum ct_pin_class_rule)v;
		break;
	case CT_POL_UPPERCASE_LETTERS:
		p->uppercase_letters = (enum ct_pin_class_rule)v;
		break;
	case CT_POL_LOWERCASE_LETTERS:
		p->lowercase_letters = (enum ct_pin_class_rule)v;
		break;
	case CT_POL_SPECIAL_CHARACTERS:
		p->special_characters = (enum ct_pin_class_rule)v;
		break;
	case CT_POL_HISTORY:
		p->history = v;
		break;
	case CT_POL_EXPIRATION:
		p->expiration_days = v;
		break;
	default:
		return;
	}
	p->source[n] = src;
}

static void node_reset(struct ct_policy *p, enum ct_policy_node n)
{
	node_set(p, n, nodes[n].def, CT_POLICY_DEFAULT);
}

void ct_policy_defaults(struct ct_policy *p)
{
	int n;

	memset(p, 0, sizeof(*p));
	for (n = 0; n < CT_POL_NODE_COUNT; n++)
		node_reset(p, (enum ct_policy_node)n);
}

/* What a node name refers to. */
enum resolved { RES_NODE, RES_UNKNOWN, RES_FOREIGN };

static enum resolved node_find(const char *rel, enum ct_policy_node *out)
{
	int n;

	for (n = 0; n < CT_POL_NODE_COUNT; n++)
		if (strcasecmp(nodes[n].rel, rel) == 0) {
			*out = (enum ct_policy_node)n;
			return RES_NODE;
		}
	return RES_UNKNOWN;
}

/*
 * Resolves a relative or full CSP name.  A full name's tenant segment must
 * be tenant_id or "{TenantId}" (tenant_id NULL: any); fixed parts ignore
 * case, like the server's.
 */
static enum resolved node_resolve(const char *name, const char *tenant_id,
				  enum ct_policy_node *out)
{
	static const char base[] = "Device/Vendor/MSFT/PassportForWork/";
	static const char policies[] = "Policies/";
	static const char placeholder[] = "{TenantId}";
	const char *p = name;
	size_t tl;

	if (strncmp(p, "./", 2) == 0)
		p += 2;
	if (strncasecmp(p, base, sizeof(base) - 1) != 0)
		return p == name ? node_find(name, out) : RES_UNKNOWN;
	p += sizeof(base) - 1;
	tl = strcspn(p, "/");
	if (tl == 0 || p[tl] != '/')
		return RES_UNKNOWN;
	if (tenant_id != NULL &&
	    !(tl == sizeof(placeholder) - 1 && strncasecmp(p, placeholder, tl) == 0) &&
	    !(tl == strlen(tenant_id) && strncasecmp(p, tenant_id, tl) == 0))
		return RES_FOREIGN;
	p += tl + 1;
	if (strncasecmp(p, policies, sizeof(policies) - 1) != 0)
		return RES_UNKNOWN;
	return node_find(p + sizeof(policies) - 1, out);
}

/* 1..9 decimal digits, nothing else. */
static bool parse_small_uint(const char *s, int *out)
{
	size_t n = strspn(s, "0123456789");

	if (n == 0 || n > 9 || s[n] != '\0')
		return false;
	*out = atoi(s);
	return true;
}

/*
 * A node's value in one of the harmless forms (cl-policy.h), checked
 * against its range.  Returns 0, 1 for null (not set), or CT_ERR_BAD_VALUE
 * with the node named in ei.
 */
static int value_parse(const struct node *nd, const json_t *v, int *out,
		       const char *origin, struct ct_errinfo *ei)
{
	const char *s;
	json_int_t j;
	int x = -1, i;
	bool ok = false;

	if (json_is_null(v))
		return 1;
	if (json_is_boolean(v) && nd->type == NODE_BOOL) {
		x = json_is_true(v);
		ok = true;
	} else if (json_is_integer(v)) {
		j = json_integer_value(v);
		if (j >= nd->min && j <= nd->max) {
			x = (int)j;
			ok = true;
		}
	} else if (json_is_string(v)) {
		s = json_string_value(v);
		if (nd->type == NODE_BOOL && strcasecmp(s, "true") == 0) {
			x = 1;
			ok = true;
		} else if (nd->type == NODE_BOOL && strcasecmp(s, "false") == 0) {
			x = 0;
			ok = true;
		} else if (parse_small_uint(s, &x)) {
			ok = x >= nd->min && x <= nd->max;
		} else if (nd->type == NODE_CLASS) {
			for (i = 0; i < 3; i++)
				if (strcasecmp(s, class_names[i]) == 0) {
					x = i;
					ok = true;
				}
		}
	}
	if (ok)
		*out = x;
	else if (nd->type == NODE_BOOL)
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "%s: %s takes true or false",
				      origin, nd->rel);
	else if (nd->type == NODE_CLASS)
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				      "%s: %s takes 0 (allow), 1 (require) or 2 (disallow)",
				      origin, nd->rel);
	else
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "%s: %s takes an integer %d..%d",
				      origin, nd->rel, nd->min, nd->max);
	return 0;
}

/*
 * Keeps MinimumPINLength <= MaximumPINLength: the value that does not come
 * from the local file falls back to its default (GPO wins; between two cloud
 * values both fall back, as Windows does).  Returns false when both are
 * local, which the caller refuses.
 */
static bool fix_pin_lengths(struct ct_policy *p)
{
	bool min_local = p->source[CT_POL_MIN_PIN_LENGTH] == CT_POLICY_LOCAL;
	bool max_local = p->source[CT_POL_MAX_PIN_LENGTH] == CT_POLICY_LOCAL;

	if (p->min_pin_length <= p->max_pin_length)
		return true;
	if (min_local && max_local)
		return false;
	if (!min_local)
		node_reset(p, CT_POL_MIN_PIN_LENGTH);
	if (!max_local)
		node_reset(p, CT_POL_MAX_PIN_LENGTH);
	return true;
}

int ct_policy_apply_cloud(struct ct_policy *p, const char *json, size_t len,
			  const char *tenant_id, struct ct_errinfo *ei)
{
	bool seen[CT_POL_NODE_COUNT] = {false};
	struct ct_policy q = *p;
	enum ct_policy_node n;
	json_t *doc = NULL, *pol = NULL, *v;
	const char *name;
	int r, x, i;

	r = ct_json_parse(json, len, &doc, ei);
	if (r != 0) {
		errinfo_prefix(ei, r, "policy reply");
		goto out;
	}
	r = ct_json_get_obj(doc, "policies", &pol);
	if (r != 0) {
		ct_errinfo_set(ei, r, "policy reply: \"policies\" is %s",
			       r == CT_ERR_MISSING_FIELD ? "missing" : "not an object");
		goto out;
	}
	json_object_foreach(pol, name, v) {
		switch (node_resolve(name, tenant_id, &n)) {
		case RES_FOREIGN:
			r = ct_errinfo_set(ei, CT_ERR_MISMATCH,
					   "policy reply: node \"%.200s\" is for another tenant",
					   name);
			goto out;
		case RES_UNKNOWN:
			/* A newer server may send nodes this client does not know. */
			continue;
		case RES_NODE:
			break;
		}
		if (seen[n]) {
			r = ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "policy reply: %s is given twice",
					   nodes[n].rel);
			goto out;
		}
		seen[n] = true;
		r = value_parse(&nodes[n], v, &x, "policy reply", ei);
		if (r < 0)
			goto out;
		if (r == 1 || q.source[n] == CT_POLICY_LOCAL)
			continue;
		node_set(&q, n, x, CT_POLICY_CLOUD);
	}
	/* The reply is the whole cloud layer: what it no longer sets is default. */
	for (i = 0; i < CT_POL_NODE_COUNT; i++)
		if (q.source[i] == CT_POLICY_CLOUD && !seen[i])
			node_reset(&q, (enum ct_policy_node)i);
	fix_pin_lengths(&q);
	*p = q;
	r = 0;
out:
	json_decref(doc);
	return r;
}

int ct_policy_apply_local(struct ct_policy *p, const char *json, size_t len,
			  const char *origin, struct ct_errinfo *ei)
{
	bool seen[CT_POL_NODE_COUNT] = {false};
	struct ct_policy q = *p;
	enum ct_policy_node n;
	json_t *doc = NULL, *v;
	const char *name;
	int r, x;

	r = ct_json_parse(json, len, &doc, ei);
	if (r != 0) {
		errinfo_prefix(ei, r, origin);
		goto out;
	}
	json_object_foreach(doc, name, v) {
		if (node_resolve(name, NULL, &n) != RES_NODE) {
			r = ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "%s: unknown policy node \"%.200s\"",
					   origin, name);
			goto out;
		}
		if (seen[n]) {
			r = ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "%s: %s is given twice", origin,
					   nodes[n].rel);
			goto out;
		}
		seen[n] = true;
		r = value_parse(&nodes[n], v, &x, origin, ei);
		if (r < 0)
			goto out;
		if (r == 0)
			node_set(&q, n, x, CT_POLICY_LOCAL);
	}
	if (!fix_pin_lengths(&q)) {
		r = ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				   "%s: PINComplexity/MinimumPINLength (%d) is above "
				   "PINComplexity/MaximumPINLength (%d)",
				   origin, q.min_pin_length, q.max_pin_length);
		goto out;
	}
	*p = q;
	r = 0;
out:
	json_decref(doc);
	return r;
}

int ct_policy_apply_local_file(struct ct_policy *p, const char *path,
			       struct ct_errinfo *ei)
{
	char *text = NULL;
	size_t len = 0;
	int r;

	r = ct_file_read(path, CT_JSON_MAX, &text, &len, ei);
	if (r == CT_ERR_NOT_FOUND) {
		/* No local policy file: nothing overrides the cloud. */
		if (ei != NULL)
			memset(ei, 0, sizeof(*ei));
		return 0;
	}
	if (r == CT_ERR_PERMISSION) {
		r = CT_ERR_IO;
		if (ei != NULL)
			ei->code = r;
	}
	if (r != 0)
		return r;
	r = ct_policy_apply_local(p, text, len, path, ei);
	free(text);
	return r;
}

static void value_text(const struct ct_policy *p, enum ct_policy_node n, char *out,
		       size_t len)
{
	int v = node_get(p, n);

	if (nodes[n].type == NODE_BOOL)
		snprintf(out, len, "%s", v ? "true" : "false");
	else
		snprintf(out, len, "%d", v);
}

bool ct_policy_item_get(const struct ct_policy *p, size_t i, struct ct_policy_item *item)
{
	enum ct_policy_node n = (enum ct_policy_node)i;

	if (i >= CT_POL_NODE_COUNT)
		return false;
	item->node = n;
	item->name = nodes[n].rel;
	value_text(p, n, item->value, sizeof(item->value));
	item->source = ct_policy_source_name(p->source[n]);
	return true;
}

json_t *ct_policy_to_json(const struct ct_policy *p)
{
	json_t *out = json_object(), *node, *val;
	int n, v;

	if (out == NULL)
		return NULL;
	for (n = 0; n < CT_POL_NODE_COUNT; n++) {
		v = node_get(p, (enum ct_policy_node)n);
		val = nodes[n].type == NODE_BOOL ? json_boolean(v) : json_integer(v);
		node = json_pack("{s:o, s:s}", "value", val, "source",
				 ct_policy_source_name(p->source[n]));
		if (node == NULL || json_object_set_new(out, nodes[n].rel, node) != 0) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}
