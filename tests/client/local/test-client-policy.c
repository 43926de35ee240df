/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The effective Hello policy: defaults, the cloud reply (every node type,
 * bad values, another tenant, unknown nodes), the local file winning node by
 * node with the right source, and bad inputs leaving the policy unchanged.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cl-policy.h"
#include "tap.h"

#define TENANT "6f3a2c1e-0b4d-4a59-9c3e-2d7f1a8b5e40"
#define FULL(rel) "./Device/Vendor/MSFT/PassportForWork/" TENANT "/Policies/" rel

static char tmpdir[] = "/tmp/ct-client-policy-XXXXXX";

static int cloud(struct ct_policy *p, const char *json, struct ct_errinfo *ei)
{
	memset(ei, 0, sizeof(*ei));
	return ct_policy_apply_cloud(p, json, strlen(json), TENANT, ei);
}

static int local(struct ct_policy *p, const char *json, struct ct_errinfo *ei)
{
	memset(ei, 0, sizeof(*ei));
	return ct_policy_apply_local(p, json, strlen(json), "policy.json", ei);
}

static bool same(const struct ct_policy *a, const struct ct_policy *b)
{
	struct ct_policy_item x, y;
	size_t i;

	for (i = 0; ct_policy_item_get(a, i, &x) && ct_policy_item_get(b, i, &y); i++)
		if (strcmp(x.value, y.value) != 0 || a->source[i] != b->source[i])
			return false;
	return true;
}

static void test_defaults(void)
{
	struct ct_policy p;
	struct ct_policy_item it;
	size_t i;

	memset(&p, 0x5a, sizeof(p));
	ct_policy_defaults(&p);
	CHECK(p.use_passport_for_work);
	CHECK(!p.use_cloud_trust_for_onprem_auth);
	CHECK(!p.require_security_device);
	CHECK_INT(p.min_pin_length, 4);
	CHECK_INT(p.max_pin_length, 127);
	CHECK_INT(p.digits, CT_PIN_CLASS_REQUIRE);
	CHECK_INT(p.uppercase_letters, CT_PIN_CLASS_DISALLOW);
	CHECK_INT(p.lowercase_letters, CT_PIN_CLASS_DISALLOW);
	CHECK_INT(p.special_characters, CT_PIN_CLASS_DISALLOW);
	CHECK_INT(p.history, 0);
	CHECK_INT(p.expiration_days, 0);
	for (i = 0; i < CT_POL_NODE_COUNT; i++)
		CHECK_INT(p.source[i], CT_POLICY_DEFAULT);
	for (i = 0; ct_policy_item_get(&p, i, &it); i++)
		CHECK_STR(it.source, "default");
	CHECK_INT(i, CT_POL_NODE_COUNT);
	CHECK(ct_policy_item_get(&p, 0, &it));
	CHECK_STR(it.name, "UsePassportForWork");
	CHECK_STR(it.value, "true");
	CHECK(ct_policy_item_get(&p, CT_POL_MIN_PIN_LENGTH, &it));
	CHECK_STR(it.name, "PINComplexity/MinimumPINLength");
	CHECK_STR(it.value, "4");
	CHECK(ct_policy_node_name(CT_POL_NODE_COUNT) == NULL);
	CHECK_STR(ct_pin_class_rule_name(CT_PIN_CLASS_DISALLOW), "disallow");
}

static void test_cloud_all_nodes(void)
{
	static const char reply[] =
		"{\"policies\": {"
		"\"" FULL("UsePassportForWork") "\": \"false\","
		"\"" FULL("UseCloudTrustForOnPremAuth") "\": \"true\","
		"\"" FULL("RequireSecurityDevice") "\": \"TRUE\","
		"\"" FULL("PINComplexity/MinimumPINLength") "\": \"6\","
		"\"" FULL("PINComplexity/MaximumPINLength") "\": \"12\","
		"\"" FULL("PINComplexity/Digits") "\": \"0\","
		"\"" FULL("PINComplexity/UppercaseLetters") "\": \"1\","
		"\"" FULL("PINComplexity/LowercaseLetters") "\": \"0\","
		"\"" FULL("PINComplexity/SpecialCharacters") "\": \"1\","
		"\"" FULL("PINComplexity/History") "\": \"50\","
		"\"" FULL("PINComplexity/Expiration") "\": \"730\"},"
		"\"extra\": 1}";
	struct ct_policy p;
	struct ct_errinfo ei;
	size_t i;

	ct_policy_defaults(&p);
	CHECK_ERR(cloud(&p, reply, &ei), 0);
	CHECK(!p.use_passport_for_work);
	CHECK(p.use_cloud_trust_for_onprem_auth);
	CHECK(p.require_security_device);
	CHECK_INT(p.min_pin_length, 6);
	CHECK_INT(p.max_pin_length, 12);
	CHECK_INT(p.digits, CT_PIN_CLASS_ALLOW);
	CHECK_INT(p.uppercase_letters, CT_PIN_CLASS_REQUIRE);
	CHECK_INT(p.lowercase_letters, CT_PIN_CLASS_ALLOW);
	CHECK_INT(p.special_characters, CT_PIN_CLASS_REQUIRE);
	CHECK_INT(p.history, 50);
	CHECK_INT(p.expiration_days, 730);
	for (i = 0; i < CT_POL_NODE_COUNT; i++)
		CHECK_INT(p.source[i], CT_POLICY_CLOUD);
}

static void test_cloud_forms(void)
{
	struct ct_policy p;
	struct ct_errinfo ei;

	/* {TenantId}, relative names, any case, JSON bools and integers, null. */
	ct_policy_defaults(&p);
	CHECK_ERR(cloud(&p,
			"{\"policies\": {"
			"\"./Device/Vendor/MSFT/PassportForWork/{TenantId}/Policies/"
			"UseCloudTrustForOnPremAuth\": true,"
			"\"device/vendor/msft/passportforwork/" TENANT "/policies/"
			"pincomplexity/minimumpinlength\": 8,"
			"\"PINComplexity/Digits\": 2,"
			"\"PINComplexity/History\": null}}",
			&ei),
		  0);
	CHECK(p.use_cloud_trust_for_onprem_auth);
	CHECK_INT(p.source[CT_POL_USE_CLOUD_TRUST_FOR_ONPREM_AUTH], CT_POLICY_CLOUD);
	CHECK_INT(p.min_pin_length, 8);
	CHECK_INT(p.digits, CT_PIN_CLASS_DISALLOW);
	CHECK_INT(p.source[CT_POL_HISTORY], CT_POLICY_DEFAULT);

	/* Unknown nodes are ignored: of this tenant, and outside PassportForWork. */
	ct_policy_defaults(&p);
	CHECK_ERR(cloud(&p,
			"{\"policies\": {"
			"\"" FULL("UseHelloCertificatesAsSmartCardCertificates") "\": \"true\","
			"\"./Device/Vendor/MSFT/Policy/Config/Foo\": \"1\","
			"\"" FULL("UsePassportForWork") "\": \"false\"}}",
			&ei),
		  0);
	CHECK(!p.use_passport_for_work);

	/* Empty policies: every node stays default. */
	ct_policy_defaults(&p);
	CHECK_ERR(cloud(&p, "{\"policies\": {}}", &ei), 0);
	CHECK_INT(p.source[CT_POL_USE_PASSPORT_FOR_WORK], CT_POLICY_DEFAULT);
}

struct bad_reply {
	const char *json;
	int err;
	const char *msg;
};

static void test_cloud_bad(void)
{
	static const struct bad_reply cases[] = {
		{"{\"policies\": {\"" FULL("UsePassportForWork") "\": \"yes\"}}",
		 CT_ERR_BAD_VALUE, "policy reply: UsePassportForWork takes true or false"},
		{"{\"policies\": {\"" FULL("UsePassportForWork") "\": 2}}",
		 CT_ERR_BAD_VALUE, "policy reply: UsePassportForWork takes true or false"},
		{"{\"policies\": {\"" FULL("PINComplexity/MinimumPINLength") "\": \"3\"}}",
		 CT_ERR_BAD_VALUE,
		 "policy reply: PINComplexity/MinimumPINLength takes an integer 4..127"},
		{"{\"policies\": {\"" FULL("PINComplexity/MaximumPINLength") "\": \"128\"}}",
		 CT_ERR_BAD_VALUE,
		 "policy reply: PINComplexity/MaximumPINLength takes an integer 4..127"},
		{"{\"policies\": {\"" FULL("PINComplexity/MinimumPINLength") "\": \" 6\"}}",
		 CT_ERR_BAD_VALUE,
		 "policy reply: PINComplexity/MinimumPINLength takes an integer 4..127"},
		{"{\"policies\": {\"" FULL("PINComplexity/MinimumPINLength") "\": 6.0}}",
		 CT_ERR_BAD_VALUE,
		 "policy reply: PINComplexity/MinimumPINLength takes an integer 4..127"},
		{"{\"policies\": {\"" FULL("PINComplexity/MinimumPINLength") "\": true}}",
		 CT_ERR_BAD_VALUE,
		 "policy reply: PINComplexity/MinimumPINLength takes an integer 4..127"},
		{"{\"policies\": {\"" FULL("PINComplexity/Digits") "\": \"3\"}}",
		 CT_ERR_BAD_VALUE,
		 "policy reply: PINComplexity/Digits takes 0 (allow), 1 (require) or 2 (disallow)"},
		{"{\"policies\": {\"" FULL("PINComplexity/Expiration") "\": \"731\"}}",
		 CT_ERR_BAD_VALUE, "policy reply: PINComplexity/Expiration takes an integer 0..730"},
		{"{\"policies\": {\"" FULL("PINComplexity/History") "\": -1}}",
		 CT_ERR_BAD_VALUE, "policy reply: PINComplexity/History takes an integer 0..50"},
		{"{\"policies\": {\"" FULL("UsePassportForWork") "\": \"true\","
		 "\"UsePassportForWork\": \"true\"}}",
		 CT_ERR_BAD_VALUE, "policy reply: UsePassportForWork is given twice"},
		{"{\"policies\": {\"./Device/Vendor/MSFT/PassportForWork/other-tenant/Policies/"
		 "UsePassportForWork\": \"true\"}}",
		 CT_ERR_MISMATCH,
		 "policy reply: node \"./Device/Vendor/MSFT/PassportForWork/other-tenant/"
		 "Policies/UsePassportForWork\" is for another tenant"},
		{"{\"nopolicies\": {}}", CT_ERR_MISSING_FIELD,
		 "policy reply: \"policies\" is missing"},
		{"{\"policies\": [1]}", CT_ERR_JSON_TYPE,
		 "policy reply: \"policies\" is not an object"},
		{"[1]", CT_ERR_JSON_TYPE, "policy reply: JSON document is not an object"},
		{"{\"policies\": {}, \"policies\": {}}", CT_ERR_BAD_JSON, NULL},
		{"{\"policies\": {", CT_ERR_BAD_JSON, NULL},
		{"", CT_ERR_BAD_JSON, NULL},
	};
	struct ct_policy p, before;
	struct ct_errinfo ei;
	size_t i;

	ct_policy_defaults(&p);
	CHECK_ERR(cloud(&p, "{\"policies\": {\"" FULL("PINComplexity/MinimumPINLength")
			"\": \"9\"}}", &ei), 0);
	before = p;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_ERR(cloud(&p, cases[i].json, &ei), cases[i].err);
		if (cases[i].msg != NULL)
			CHECK_STR(ei.msg, cases[i].msg);
		else
			CHECK(strncmp(ei.msg, "policy reply: ", 14) == 0);
		CHECK(same(&p, &before));
	}
	/* A bad value after good ones: nothing of the reply is applied. */
	CHECK_ERR(cloud(&p, "{\"policies\": {\"" FULL("UseCloudTrustForOnPremAuth")
			"\": \"true\", \"" FULL("PINComplexity/Digits") "\": \"x\"}}", &ei),
		  CT_ERR_BAD_VALUE);
	CHECK(!p.use_cloud_trust_for_onprem_auth);
	CHECK(same(&p, &before));
}

static void test_cloud_replaces_layer(void)
{
	struct ct_policy p;
	struct ct_errinfo ei;

	ct_policy_defaults(&p);
	CHECK_ERR(cloud(&p, "{\"policies\": {\"" FULL("UseCloudTrustForOnPremAuth")
			"\": \"true\", \"" FULL("PINComplexity/History") "\": \"5\"}}", &ei), 0);
	CHECK_INT(p.history, 5);
	/* The next reply no longer sets History: back to its default. */
	CHECK_ERR(cloud(&p, "{\"policies\": {\"" FULL("UseCloudTrustForOnPremAuth")
			"\": \"true\"}}", &ei), 0);
	CHECK_INT(p.history, 0);
	CHECK_INT(p.source[CT_POL_HISTORY], CT_POLICY_DEFAULT);
	CHECK_INT(p.source[CT_POL_USE_CLOUD_TRUST_FOR_ONPREM_AUTH], CT_POLICY_CLOUD);

	/* Two cloud values in conflict both fall back, as Windows does. */
	CHECK_ERR(cloud(&p, "{\"policies\": {\"" FULL("PINComplexity/MinimumPINLength")
			"\": \"10\", \"" FULL("PINComplexity/MaximumPINLength") "\": \"8\"}}",
			&ei), 0);
	CHECK_INT(p.min_pin_length, 4);
	CHECK_INT(p.max_pin_length, 127);
	CHECK_INT(p.source[CT_POL_MIN_PIN_LENGTH], CT_POLICY_DEFAULT);
	CHECK_INT(p.source[CT_POL_MAX_PIN_LENGTH], CT_POLICY_DEFAULT);
}

static void test_local_override(void)
{
	struct ct_policy p;
	struct ct_errinfo ei;
	struct ct_policy_item it;
	json_t *j;

	ct_policy_defaults(&p);
	CHECK_ERR(cloud(&p,
			"{\"policies\": {"
			"\"" FULL("UseCloudTrustForOnPremAuth") "\": \"false\","
			"\"" FULL("PINComplexity/MinimumPINLength") "\": \"8\","
			"\"" FULL("PINComplexity/UppercaseLetters") "\": \"1\"}}",
			&ei),
		  0);
	CHECK_ERR(local(&p,
			"{\"UseCloudTrustForOnPremAuth\": true,"
			" \"PINComplexity/MinimumPINLength\": \"6\","
			" \"pincomplexity/specialcharacters\": \"allow\","
			" \"Device/Vendor/MSFT/PassportForWork/any-tenant/Policies/"
			"PINComplexity/History\": 3,"
			" \"RequireSecurityDevice\": 1,"
			" \"PINComplexity/Expiration\": null}",
			&ei),
		  0);
	/* Local wins where it speaks... */
	CHECK(p.use_cloud_trust_for_onprem_auth);
	CHECK_INT(p.source[CT_POL_USE_CLOUD_TRUST_FOR_ONPREM_AUTH], CT_POLICY_LOCAL);
	CHECK_INT(p.min_pin_length, 6);
	CHECK_INT(p.source[CT_POL_MIN_PIN_LENGTH], CT_POLICY_LOCAL);
	CHECK_INT(p.special_characters, CT_PIN_CLASS_ALLOW);
	CHECK_INT(p.source[CT_POL_SPECIAL_CHARACTERS], CT_POLICY_LOCAL);
	CHECK_INT(p.history, 3);
	CHECK(p.require_security_device);
	/* ...the cloud keeps the rest, and defaults fill the gaps. */
	CHECK_INT(p.uppercase_letters, CT_PIN_CLASS_REQUIRE);
	CHECK_INT(p.source[CT_POL_UPPERCASE_LETTERS], CT_POLICY_CLOUD);
	CHECK_INT(p.source[CT_POL_EXPIRATION], CT_POLICY_DEFAULT);
	CHECK_INT(p.source[CT_POL_USE_PASSPORT_FOR_WORK], CT_POLICY_DEFAULT);

	/* A later cloud reply does not override a local value (GPO wins). */
	CHECK_ERR(cloud(&p, "{\"policies\": {\"" FULL("UseCloudTrustForOnPremAuth")
			"\": \"false\", \"" FULL("PINComplexity/UppercaseLetters") "\": \"2\"}}",
			&ei), 0);
	CHECK(p.use_cloud_trust_for_onprem_auth);
	CHECK_INT(p.source[CT_POL_USE_CLOUD_TRUST_FOR_ONPREM_AUTH], CT_POLICY_LOCAL);
	CHECK_INT(p.uppercase_letters, CT_PIN_CLASS_DISALLOW);
	CHECK_INT(p.min_pin_length, 6);

	CHECK(ct_policy_item_get(&p, CT_POL_USE_CLOUD_TRUST_FOR_ONPREM_AUTH, &it));
	CHECK_STR(it.name, "UseCloudTrustForOnPremAuth");
	CHECK_STR(it.value, "true");
	CHECK_STR(it.source, "local");
	CHECK(ct_policy_item_get(&p, CT_POL_UPPERCASE_LETTERS, &it));
	CHECK_STR(it.value, "2");
	CHECK_STR(it.source, "cloud");

	j = ct_policy_to_json(&p);
	CHECK(j != NULL);
	CHECK_INT(json_object_size(j), CT_POL_NODE_COUNT);
	CHECK(json_is_true(json_object_get(json_object_get(j, "UseCloudTrustForOnPremAuth"),
					   "value")));
	CHECK_STR(json_string_value(json_object_get(json_object_get(j,
		"UseCloudTrustForOnPremAuth"), "source")), "local");
	CHECK_INT(json_integer_value(json_object_get(json_object_get(j,
		"PINComplexity/MinimumPINLength"), "value")), 6);
	CHECK_STR(json_string_value(json_object_get(json_object_get(j,
		"PINComplexity/Expiration"), "source")), "default");
	json_decref(j);
}

static void test_local_pin_length_conflicts(void)
{
	struct ct_policy p;
	struct ct_errinfo ei;

	/* Local minimum above the cloud maximum: the cloud value gives way. */
	ct_policy_defaults(&p);
	CHECK_ERR(cloud(&p, "{\"policies\": {\"" FULL("PINComplexity/MaximumPINLength")
			"\": \"8\"}}", &ei), 0);
	CHECK_ERR(local(&p, "{\"PINComplexity/MinimumPINLength\": 10}", &ei), 0);
	CHECK_INT(p.min_pin_length, 10);
	CHECK_INT(p.max_pin_length, 127);
	CHECK_INT(p.source[CT_POL_MAX_PIN_LENGTH], CT_POLICY_DEFAULT);

	/* And the other way round. */
	ct_policy_defaults(&p);
	CHECK_ERR(cloud(&p, "{\"policies\": {\"" FULL("PINComplexity/MinimumPINLength")
			"\": \"10\"}}", &ei), 0);
	CHECK_ERR(local(&p, "{\"PINComplexity/MaximumPINLength\": 8}", &ei), 0);
	CHECK_INT(p.min_pin_length, 4);
	CHECK_INT(p.max_pin_length, 8);

	/* Both local and in conflict: refused. */
	ct_policy_defaults(&p);
	CHECK_ERR(local(&p, "{\"PINComplexity/MinimumPINLength\": 10,"
			" \"PINComplexity/MaximumPINLength\": 8}", &ei),
		  CT_ERR_BAD_VALUE);
	CHECK_STR(ei.msg, "policy.json: PINComplexity/MinimumPINLength (10) is above "
		  "PINComplexity/MaximumPINLength (8)");
	CHECK_INT(p.source[CT_POL_MIN_PIN_LENGTH], CT_POLICY_DEFAULT);
}

static void test_local_bad(void)
{
	static const struct bad_reply cases[] = {
		{"{\"UseCloudTrust\": true}", CT_ERR_BAD_VALUE,
		 "policy.json: unknown policy node \"UseCloudTrust\""},
		{"{\"Policies/UsePassportForWork\": true}", CT_ERR_BAD_VALUE,
		 "policy.json: unknown policy node \"Policies/UsePassportForWork\""},
		{"{\"./Device/Vendor/MSFT/Policy/Config/UsePassportForWork\": true}",
		 CT_ERR_BAD_VALUE,
		 "policy.json: unknown policy node "
		 "\"./Device/Vendor/MSFT/Policy/Config/UsePassportForWork\""},
		{"{\"UsePassportForWork\": \"on\"}", CT_ERR_BAD_VALUE,
		 "policy.json: UsePassportForWork takes true or false"},
		{"{\"PINComplexity/MinimumPINLength\": 200}", CT_ERR_BAD_VALUE,
		 "policy.json: PINComplexity/MinimumPINLength takes an integer 4..127"},
		{"{\"PINComplexity/Digits\": \"forbid\"}", CT_ERR_BAD_VALUE,
		 "policy.json: PINComplexity/Digits takes 0 (allow), 1 (require) or 2 (disallow)"},
		{"{\"PINComplexity/Digits\": {}}", CT_ERR_BAD_VALUE,
		 "policy.json: PINComplexity/Digits takes 0 (allow), 1 (require) or 2 (disallow)"},
		{"{\"UsePassportForWork\": true, \"usepassportforwork\": true}", CT_ERR_BAD_VALUE,
		 "policy.json: UsePassportForWork is given twice"},
		{"{\"UsePassportForWork\": true,}", CT_ERR_BAD_JSON, NULL},
		{"[]", CT_ERR_JSON_TYPE, "policy.json: JSON document is not an object"},
	};
	struct ct_policy p, before;
	struct ct_errinfo ei;
	size_t i;

	ct_policy_defaults(&p);
	CHECK_ERR(local(&p, "{\"PINComplexity/MinimumPINLength\": 7}", &ei), 0);
	before = p;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_ERR(local(&p, cases[i].json, &ei), cases[i].err);
		if (cases[i].msg != NULL)
			CHECK_STR(ei.msg, cases[i].msg);
		else
			CHECK(strncmp(ei.msg, "policy.json: ", 13) == 0);
		CHECK(same(&p, &before));
	}
}

static void test_local_file(void)
{
	char path[PATH_MAX];
	struct ct_policy p, before;
	struct ct_errinfo ei = {0};
	FILE *f;

	ct_policy_defaults(&p);
	before = p;
	snprintf(path, sizeof(path), "%s/policy.json", tmpdir);

	/* Missing: no overrides, not an error. */
	CHECK_ERR(ct_policy_apply_local_file(&p, path, &ei), 0);
	CHECK(same(&p, &before));
	CHECK_INT(ei.code, 0);

	f = fopen(path, "w");
	fputs("{\n  \"UseCloudTrustForOnPremAuth\": true,\n"
	      "  \"PINComplexity/MinimumPINLength\": 6\n}\n", f);
	fclose(f);
	CHECK_ERR(ct_policy_apply_local_file(&p, path, &ei), 0);
	CHECK(p.use_cloud_trust_for_onprem_auth);
	CHECK_INT(p.min_pin_length, 6);
	CHECK_INT(p.source[CT_POL_MIN_PIN_LENGTH], CT_POLICY_LOCAL);

	/* Malformed: an error naming the file, p unchanged. */
	before = p;
	f = fopen(path, "w");
	fputs("{\"UsePassportForWork\": false, \"PINComplexity/Digits\": 7}", f);
	fclose(f);
	CHECK_ERR(ct_policy_apply_local_file(&p, path, &ei), CT_ERR_BAD_VALUE);
	CHECK(strstr(ei.msg, "policy.json: PINComplexity/Digits takes") != NULL);
	CHECK(same(&p, &before));

	f = fopen(path, "w");
	fputs("{\"UsePassportForWork\": fals", f);
	fclose(f);
	CHECK_ERR(ct_policy_apply_local_file(&p, path, &ei), CT_ERR_BAD_JSON);
	CHECK(same(&p, &before));

	/* Unreadable (a directory): an error, p unchanged. */
	CHECK_ERR(ct_policy_apply_local_file(&p, tmpdir, &ei), CT_ERR_IO);
	CHECK(same(&p, &before));

	/* Unreadable by permission (only meaningful when not root). */
	if (geteuid() != 0) {
		chmod(path, 0);
		CHECK_ERR(ct_policy_apply_local_file(&p, path, &ei), CT_ERR_IO);
		CHECK(same(&p, &before));
	}

	/* Too large. */
	f = fopen(path, "w");
	fputc('{', f);
	for (int i = 0; i < 70000; i++)
		fputc(' ', f);
	fputc('}', f);
	fclose(f);
	CHECK_ERR(ct_policy_apply_local_file(&p, path, &ei), CT_ERR_TOO_LARGE);
	CHECK(same(&p, &before));
	unlink(path);
}

int main(void)
{
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	test_defaults();
	test_cloud_all_nodes();
	test_cloud_forms();
	test_cloud_bad();
	test_cloud_replaces_layer();
	test_local_override();
	test_local_pin_length_conflicts();
	test_local_bad();
	test_local_file();
	rmdir(tmpdir);
	return tap_done();
}
