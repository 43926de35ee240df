/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The service's pure parts: access tokens, sealed PRTs, policy node names,
 * the privileged-account rule.  The endpoints are tested end to end in the
 * server suite.
 */
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "keycache.h"
#include "keyblob.h"
#include "krbissue.h"
#include "pki.h"
#include "policy.h"
#include "tap.h"
#include "tokens.h"

static const char *TENANT = "0a1b2c3d-1111-4222-8333-444455556666";

static struct ct_app *test_app(void)
{
	struct ct_app *app = calloc(1, sizeof(*app));

	snprintf(app->tenant_id, sizeof(app->tenant_id), "%s", TENANT);
	app->issuer_url = strdup("https://cloud.example.test:8443");
	app->tenant_name = strdup("Contoso");
	app->token_key = EVP_EC_gen("P-256");
	snprintf(app->token_kid, sizeof(app->token_kid), "test-kid");
	RAND_bytes(app->prt_key, sizeof(app->prt_key));
	return app;
}

static void test_access_tokens(void)
{
	struct ct_app *app = test_app(), *other = test_app();
	struct ct_access_token t;
	struct ct_errinfo ei = {0};
	char *tok = NULL, *bad;

	CHECK_INT(ct_token_issue_access(app, 42, "alice@corp.example.test",
					"11111111-2222-4333-8444-555555555555", &tok, &ei), 0);
	CHECK_INT(ct_token_verify_access(app, tok, &t, &ei), 0);
	CHECK_INT(t.user_id, 42);
	CHECK_STR(t.upn, "alice@corp.example.test");
	CHECK(t.ngcmfa);
	CHECK_STR(t.device_id, "11111111-2222-4333-8444-555555555555");
	CHECK(t.exp - t.iat == CT_ACCESS_TOKEN_LIFETIME);
	/* Another tenant's key does not verify it. */
	CHECK_ERR(ct_token_verify_access(other, tok, &t, &ei), CT_ERR_UNAUTHORIZED);
	/* One changed character anywhere breaks it. */
	bad = strdup(tok);
	bad[strlen(bad) / 2] = bad[strlen(bad) / 2] == 'A' ? 'B' : 'A';
	CHECK_ERR(ct_token_verify_access(app, bad, &t, &ei), CT_ERR_UNAUTHORIZED);
	free(bad);
	/* Expired: the service clock moves past its lifetime. */
	app->time_offset = CT_ACCESS_TOKEN_LIFETIME + 1;
	CHECK_ERR(ct_token_verify_access(app, tok, &t, &ei), CT_ERR_UNAUTHORIZED);
	CHECK(strstr(ei.msg, "expired") != NULL);
	app->time_offset = 0;
	CHECK_ERR(ct_token_verify_access(app, "not.a.token", &t, &ei), CT_ERR_UNAUTHORIZED);
	free(tok);
	/* A token not bound to a device says so. */
	CHECK_INT(ct_token_issue_access(app, 7, "bob@corp.example.test", NULL, &tok, &ei), 0);
	CHECK_INT(ct_token_verify_access(app, tok, &t, &ei), 0);
	CHECK_STR(t.device_id, "");
	free(tok);
	ct_app_free(app);
	ct_app_free(other);
}

static void test_prt(void)
{
	struct ct_app *app = test_app(), *other = test_app();
	struct ct_prt p, back;
	struct ct_errinfo ei = {0};
	char *text = NULL;

	memset(&p, 0, sizeof(p));
	p.user_id = 9;
	snprintf(p.device_id, sizeof(p.device_id), "11111111-2222-4333-8444-555555555555");
	RAND_bytes(p.session_key, sizeof(p.session_key));
	p.iat = ct_app_now(app);
	p.exp = p.iat + 100;
	CHECK_INT(ct_prt_seal(app, &p, &text, &ei), 0);
	CHECK(strstr(text, "11111111") == NULL); /* opaque */
	CHECK_INT(ct_prt_open(app, text, &back, &ei), 0);
	CHECK_INT(back.user_id, 9);
	CHECK_STR(back.device_id, p.device_id);
	CHECK_MEM(back.session_key, sizeof(back.session_key), p.session_key, sizeof(p.session_key));
	CHECK_ERR(ct_prt_open(other, text, &back, &ei), CT_ERR_UNAUTHORIZED);
	text[10] = text[10] == 'A' ? 'B' : 'A';
	CHECK_ERR(ct_prt_open(app, text, &back, &ei), CT_ERR_UNAUTHORIZED);
	free(text);
	app->time_offset = 200;
	CHECK_INT(ct_prt_seal(app, &p, &text, &ei), 0);
	CHECK_ERR(ct_prt_open(app, text, &back, &ei), CT_ERR_UNAUTHORIZED);
	CHECK(strstr(ei.msg, "expired") != NULL);
	free(text);
	ct_app_free(app);
	ct_app_free(other);
}

static void test_policy_names(void)
{
	struct ct_errinfo ei = {0};
	char node[512], value[64], want[512];

	snprintf(want, sizeof(want), CT_POLICY_PREFIX "%s/Policies/UseCloudTrustForOnPremAuth", TENANT);
	CHECK_INT(ct_policy_normalise(TENANT, "UseCloudTrustForOnPremAuth", "TRUE", node,
				      sizeof(node), value, sizeof(value), &ei), 0);
	CHECK_STR(node, want);
	CHECK_STR(value, "true");
	CHECK_INT(ct_policy_normalise(TENANT,
		"./Device/Vendor/MSFT/PassportForWork/{TenantId}/Policies/UseCloudTrustForOnPremAuth",
		"0", node, sizeof(node), value, sizeof(value), &ei), 0);
	CHECK_STR(node, want);
	CHECK_STR(value, "false");
	CHECK_INT(ct_policy_normalise(TENANT, want, "1", node, sizeof(node), value, sizeof(value), &ei), 0);
	CHECK_INT(ct_policy_normalise(TENANT, "PINComplexity/MinimumPINLength", "6", node,
				      sizeof(node), value, sizeof(value), &ei), 0);
	CHECK_STR(value, "6");
	CHECK_ERR(ct_policy_normalise(TENANT, "PINComplexity/MinimumPINLength", "3", node,
				      sizeof(node), value, sizeof(value), &ei), CT_ERR_BAD_VALUE);
	CHECK(strstr(ei.msg, "4..127") != NULL);
	CHECK_ERR(ct_policy_normalise(TENANT, "PINComplexity/Digits", "3", node, sizeof(node),
				      value, sizeof(value), &ei), CT_ERR_BAD_VALUE);
	CHECK_ERR(ct_policy_normalise(TENANT, "UsePassportForWork", "maybe", node, sizeof(node),
				      value, sizeof(value), &ei), CT_ERR_BAD_VALUE);
	CHECK_ERR(ct_policy_normalise(TENANT, "NoSuchNode", "1", node, sizeof(node), value,
				      sizeof(value), &ei), CT_ERR_BAD_VALUE);
	/* Another tenant's node is not ours. */
	CHECK_ERR(ct_policy_normalise(TENANT,
		"./Device/Vendor/MSFT/PassportForWork/99999999-1111-4222-8333-444455556666/Policies/UsePassportForWork",
		"1", node, sizeof(node), value, sizeof(value), &ei), CT_ERR_BAD_VALUE);
}

static void test_denied_accounts(void)
{
	CHECK(ct_krbissue_denied_sid("S-1-5-21-1-2-3-500"));
	CHECK(ct_krbissue_denied_sid("S-1-5-21-1-2-3-502"));
	CHECK(!ct_krbissue_denied_sid("S-1-5-21-1-2-3-1103"));
	CHECK(ct_krbissue_denied_sid("garbage"));
}

/* A device certificate from ca for a fresh P-256 key (DER appended to out). */
static void device_cert(const struct ct_pki_ca *ca, const char *id, struct ct_buf *out)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509_REQ *req = X509_REQ_new();
	unsigned char *der = NULL;
	struct ct_pki_csr csr;
	int n;

	memset(&csr, 0, sizeof(csr));
	X509_REQ_set_version(req, 0);
	X509_REQ_set_pubkey(req, k);
	X509_REQ_sign(req, k, EVP_sha256());
	n = i2d_X509_REQ(req, &der);
	if (n <= 0 || ct_pki_csr_parse(der, (size_t)n, &csr, NULL) != 0 ||
	    ct_pki_device_cert_issue(ca, &csr, id, 1, out, NULL) != 0)
		abort();
	ct_pki_csr_free(&csr);
	OPENSSL_free(der);
	X509_REQ_free(req);
	EVP_PKEY_free(k);
}

static void test_keycache(void)
{
	struct ct_keycache *c = ct_keycache_new();
	struct ct_pki_ca *ca = NULL, *other = NULL;
	struct ct_errinfo ei = {0};
	struct ct_buf cert, foreign, spki;
	EVP_PKEY *k1 = NULL, *k2 = NULL, *s1 = NULL, *s2 = NULL;
	char id1[CT_PKI_GUID_LEN + 1] = "", id2[CT_PKI_GUID_LEN + 1] = "";
	const char *id = "11111111-2222-4333-8444-555555555555";
	time_t now = time(NULL);

	ct_buf_init(&cert, 16384);
	ct_buf_init(&foreign, 16384);
	ct_buf_init(&spki, 4096);
	CHECK_INT(ct_pki_ca_create("test device CA", &ca, &ei), 0);
	CHECK_INT(ct_pki_ca_create("another CA", &other, &ei), 0);
	device_cert(ca, id, &cert);
	device_cert(other, id, &foreign);
	/* A miss, then a hit: the same answer both times. */
	CHECK_INT(ct_keycache_device_cert(c, ca, cert.data, cert.len, now, id1, &k1, &ei), 0);
	CHECK_INT(ct_keycache_device_cert(c, ca, cert.data, cert.len, now, id2, &k2, &ei), 0);
	CHECK_STR(id1, id);
	CHECK_STR(id2, id);
	CHECK(k1 != NULL && k2 != NULL && EVP_PKEY_eq(k1, k2) == 1);
	/* A cached certificate still expires. */
	CHECK_ERR(ct_keycache_device_cert(c, ca, cert.data, cert.len, now + 3 * 86400, id2, &k2, &ei),
		  CT_ERR_CERT_EXPIRED);
	/* A certificate of another CA is refused, and stays refused. */
	CHECK_ERR(ct_keycache_device_cert(c, ca, foreign.data, foreign.len, now, id2, &k2, &ei),
		  CT_ERR_CERT_UNTRUSTED);
	CHECK_ERR(ct_keycache_device_cert(c, ca, foreign.data, foreign.len, now, id2, &k2, &ei),
		  CT_ERR_CERT_UNTRUSTED);
	/* SPKI: the cached key is the key. */
	CHECK_INT(ct_spki_export(k1, &spki), 0);
	CHECK_INT(ct_keycache_spki(c, spki.data, spki.len, &s1, &ei), 0);
	CHECK_INT(ct_keycache_spki(c, spki.data, spki.len, &s2, &ei), 0);
	CHECK(EVP_PKEY_eq(s1, k1) == 1 && EVP_PKEY_eq(s2, k1) == 1);
	spki.data[spki.len - 1] ^= 1;
	EVP_PKEY_free(s2);
	s2 = NULL;
	CHECK(ct_keycache_spki(c, spki.data, spki.len, &s2, &ei) != 0 || EVP_PKEY_eq(s2, k1) != 1);
	EVP_PKEY_free(k1);
	EVP_PKEY_free(k2);
	EVP_PKEY_free(s1);
	EVP_PKEY_free(s2);
	ct_pki_ca_free(ca);
	ct_pki_ca_free(other);
	ct_buf_free(&cert);
	ct_buf_free(&foreign);
	ct_buf_free(&spki);
	ct_keycache_free(c);
}

int main(void)
{
	test_keycache();
	test_access_tokens();
	test_prt();
	test_policy_names();
	test_denied_accounts();
	return tap_done();
}
