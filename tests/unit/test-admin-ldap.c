/* SPDX-License-Identifier: Apache-2.0 */
/* ad-ldap.h without a DC: the error mapping, and a connection nobody answers. */
#include <string.h>

#include "ad-ldap.h"
#include "tap.h"

static void test_mapping(void)
{
	static const struct {
		int rc;
		const char *diag;
		int want;
	} cases[] = {
		{LDAP_SERVER_DOWN, NULL, CT_ERR_NETWORK},
		{LDAP_SERVER_DOWN, "error:0A000086:SSL routines::certificate verify failed",
		 CT_ERR_CERT_UNTRUSTED},
		{LDAP_CONNECT_ERROR, "", CT_ERR_NETWORK},
		{LDAP_TIMEOUT, NULL, CT_ERR_NETWORK},
		{LDAP_INVALID_CREDENTIALS, "data 52e", CT_ERR_UNAUTHORIZED},
		{LDAP_INSUFFICIENT_ACCESS, NULL, CT_ERR_PERMISSION},
		{LDAP_NO_SUCH_OBJECT, NULL, CT_ERR_NOT_FOUND},
		{LDAP_ALREADY_EXISTS, NULL, CT_ERR_CONFLICT},
		{LDAP_CONSTRAINT_VIOLATION, NULL, CT_ERR_REFUSED},
	};
	struct ct_errinfo ei;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ei.msg[0] = '\0';
		CHECK_ERR(ad_ldap_error(cases[i].rc, cases[i].diag, "step", &ei), cases[i].want);
		CHECK(strncmp(ei.msg, "step: ", 6) == 0);
	}
	/* The step names the missing right; the message keeps it. */
	ad_ldap_error(LDAP_INSUFFICIENT_ACCESS, NULL,
		      "creating the krbtgt account (needs the DS-Install-Replica right)", &ei);
	CHECK(strstr(ei.msg, "DS-Install-Replica") != NULL);
	CHECK(strstr(ei.msg, "insufficient access") != NULL);
}

static void test_connect(void)
{
	struct ad_ldap_params p = {"127.0.0.1:1", NULL, "CN=x", "pw", 5, false};
	struct ad_ldap *l = NULL;
	struct ct_errinfo ei = {0};

	CHECK_ERR(ad_ldap_connect(&p, &l, &ei), CT_ERR_NETWORK);
	CHECK(strstr(ei.msg, "cannot be reached") != NULL);
	CHECK(l == NULL);
	p.host = "evil/x?y";
	CHECK_ERR(ad_ldap_connect(&p, &l, &ei), CT_ERR_USAGE);
	ad_ldap_close(NULL);
}

int main(void)
{
	test_mapping();
	test_connect();
	return tap_done();
}
