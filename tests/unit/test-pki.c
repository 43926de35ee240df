/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PKI tests.  Requests come from three makers: `openssl req` and
 * python3-cryptography at run time, and the committed seed corpus
 * (fuzz/corpus/csr, for the kinds that are slow to make, like DSA).
 * Certificates we issue are inspected with OpenSSL's API and checked by
 * `openssl verify` as an independent verifier.  The tests run in a fresh
 * temporary directory.
 */
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ct-buf.h"
#include "ct-error.h"
#include "ct-limits.h"
#include "pki.h"
#include "tap.h"

#define PLACEHOLDER_SUBJ "/CN=7E980AD9-B86D-4306-9425-9AC066FB014A"

static struct ct_pki_ca *dev_ca;	/* the device CA most tests use */

/* Runs a shell command (built like printf); returns its exit status. */
__attribute__((format(printf, 1, 2)))
static int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return st == -1 ? -1 : WEXITSTATUS(st);
}

/* Reads a whole (small) file into b; returns 0 or -1. */
static int slurp(const char *path, struct ct_buf *b)
{
	uint8_t chunk[4096];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		ct_buf_put(b, chunk, n);
	fclose(f);
	return b->err == 0 ? 0 : -1;
}

static int spill(const char *path, const uint8_t *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	size_t w;

	if (f == NULL)
		return -1;
	w = fwrite(p, 1, n, f);
	return fclose(f) == 0 && w == n ? 0 : -1;
}

/* Writes a DER certificate as PEM, for `openssl verify`. */
static int spill_pem(const char *path, const struct ct_buf *der)
{
	struct ct_buf pem;
	int r;

	ct_buf_init(&pem, 64 * 1024);
	r = ct_pki_pem_encode("CERTIFICATE", der->data, der->len, &pem);
	if (r == 0)
		r = spill(path, pem.data, pem.len);
	ct_buf_free(&pem);
	return r;
}

static X509 *x509_of(const struct ct_buf *b)
{
	const unsigned char *p = b->data;

	return d2i_X509(NULL, &p, (long)b->len);
}

static int ext_critical(X509 *x, int nid)
{
	int i = X509_get_ext_by_NID(x, nid, -1);

	return i < 0 ? -1 : X509_EXTENSION_get_critical(X509_get_ext(x, i));
}

static int days_left(X509 *x)
{
	int d = -1, s = 0;

	ASN1_TIME_diff(&d, &s, NULL, X509_get0_notAfter(x));
	return d;
}

static void cn_of(X509 *x, char *out, size_t n)
{
	out[0] = '\0';
	X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, out, (int)n);
}

static void test_guid(void)
{
	char g[CT_PKI_GUID_LEN + 1], h[CT_PKI_GUID_LEN + 1];

	CHECK_ERR(ct_pki_guid_new(g), 0);
	CHECK_ERR(ct_pki_guid_new(h), 0);
	CHECK(ct_pki_guid_valid(g));
	CHECK(strcmp(g, h) != 0);
	CHECK_INT(g[14], '4');
	CHECK(strchr("89ab", g[19]) != NULL);
	CHECK(ct_pki_guid_valid("6f2c1e4a-0b5d-4c3e-9a8f-1d2e3f405162"));
	CHECK(!ct_pki_guid_valid("6F2C1E4A-0B5D-4C3E-9A8F-1D2E3F405162"));
	CHECK(!ct_pki_guid_valid("6f2c1e4a-0b5d-4c3e-9a8f-1d2e3f40516"));
	CHECK(!ct_pki_guid_valid("6f2c1e4a-0b5d-4c3e-9a8f-1d2e3f4051620"));
	CHECK(!ct_pki_guid_valid("6f2c1e4a0-b5d-4c3e-9a8f-1d2e3f405162"));
	CHECK(!ct_pki_guid_valid("6f2c1e4a-0b5d-4c3e-9a8f-1d2e3f40516g"));
	CHECK(!ct_pki_guid_valid("{6f2c1e4a-0b5d-4c3e-9a8f-1d2e3f4051}"));
	CHECK(!ct_pki_guid_valid(""));
	CHECK(!ct_pki_guid_valid(NULL));
}

static void check_ca_cert(X509 *x, const char *name)
{
	BASIC_CONSTRAINTS *bc;
	char cn[128];
	int crit = -1;

	cn_of(x, cn, sizeof(cn));
	CHECK_STR(cn, name);
	CHECK_INT(X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)), 0);
	CHECK_INT(X509_self_signed(x, 1), 1);
	CHECK_INT(X509_get_version(x), X509_VERSION_3);
	CHECK_INT(X509_get_signature_nid(x), NID_ecdsa_with_SHA256);
	CHECK_STR(EVP_PKEY_get0_type_name(X509_get0_pubkey(x)), "EC");
	bc = X509_get_ext_d2i(x, NID_basic_constraints, &crit, NULL);
	CHECK(bc != NULL && bc->ca);
	CHECK(bc != NULL && bc->pathlen != NULL && ASN1_INTEGER_get(bc->pathlen) == 0);
	CHECK_INT(crit, 1);
	BASIC_CONSTRAINTS_free(bc);
	CHECK_INT(X509_get_key_usage(x), KU_KEY_CERT_SIGN | KU_CRL_SIGN);
	CHECK_INT(ext_critical(x, NID_key_usage), 1);
	CHECK(X509_get0_subject_key_id(x) != NULL);
	/* Ten years, give or take the backdating. */
	CHECK(days_left(x) >= CT_PKI_CA_DAYS - 1 && days_left(x) <= CT_PKI_CA_DAYS);
}

static void test_ca(void)
{
	struct ct_buf cert, key, cert2, pem, key2;
	struct ct_errinfo ei = {0};
	struct ct_pki_ca *ca = NULL, *other = NULL, *vonly = NULL;
	X509 *x;

	CHECK_ERR(ct_pki_ca_create("", &ca, &ei), CT_ERR_INVALID_ARG);
	CHECK_ERR(ct_pki_ca_create("a\nb", &ca, &ei), CT_ERR_INVALID_ARG);
	CHECK_ERR(ct_pki_ca_create("0123456789012345678901234567890123456789012345678901234567890123X",
				   &ca, &ei), CT_ERR_INVALID_ARG);
	CHECK(ca == NULL);
	CHECK_ERR(ct_pki_ca_create("cloudtrust devices", &dev_ca, &ei), 0);
	if (dev_ca == NULL)
		return;
	ct_buf_init(&cert, 64 * 1024);
	ct_buf_init(&key, 64 * 1024);
	ct_buf_init(&cert2, 64 * 1024);
	ct_buf_init(&key2, 64 * 1024);
	ct_buf_init(&pem, 64 * 1024);
	CHECK_ERR(ct_pki_ca_export(dev_ca, &cert, &key), 0);
	x = x509_of(&cert);
	CHECK(x != NULL);
	if (x != NULL)
		check_ca_cert(x, "cloudtrust devices");
	X509_free(x);
	CHECK_INT(spill_pem("ca.pem", &cert), 0);
	/* OpenSSL's strict RFC 5280 checks accept it as a trust anchor. */
	CHECK_INT(sh("openssl verify -x509_strict -CAfile ca.pem ca.pem >/dev/null 2>&1"), 0);

	/* Round trip: DER and PEM load back to the same certificate and key. */
	CHECK_ERR(ct_pki_ca_load(cert.data, cert.len, key.data, key.len, &ca, &ei), 0);
	if (ca != NULL) {
		CHECK_ERR(ct_pki_ca_export(ca, &cert2, &key2), 0);
		CHECK_MEM(cert2.data, cert2.len, cert.data, cert.len);
		CHECK_MEM(key2.data, key2.len, key.data, key.len);
		ct_pki_ca_free(ca);
		ca = NULL;
	}
	CHECK_ERR(ct_pki_pem_encode("CERTIFICATE", cert.data, cert.len, &pem), 0);
	CHECK(pem.len > 27 && memcmp(pem.data, "-----BEGIN CERTIFICATE-----\n", 28) == 0);
	CHECK_ERR(ct_pki_ca_load(pem.data, pem.len, key.data, key.len, &ca, &ei), 0);
	ct_pki_ca_free(ca);
	ca = NULL;

	/* A CA that only verifies has no key to export or sign with. */
	CHECK_ERR(ct_pki_ca_load(cert.data, cert.len, NULL, 0, &vonly, &ei), 0);
	if (vonly != NULL) {
		ct_buf_free(&cert2);
		ct_buf_free(&key2);
		CHECK_ERR(ct_pki_ca_export(vonly, &cert2, &key2), CT_ERR_NOT_FOUND);
		CHECK_ERR(ct_pki_ca_export(vonly, &cert2, NULL), 0);
		CHECK_MEM(cert2.data, cert2.len, cert.data, cert.len);
		CHECK_INT(key2.len, 0);
		ct_pki_ca_free(vonly);
	}

	/* Another CA's key does not go with this certificate. */
	CHECK_ERR(ct_pki_ca_create("cloudtrust devices", &other, &ei), 0);
	if (other != NULL) {
		ct_buf_free(&key2);
		ct_buf_free(&cert2);
		CHECK_ERR(ct_pki_ca_export(other, &cert2, &key2), 0);
		CHECK_ERR(ct_pki_ca_load(cert.data, cert.len, key2.data, key2.len, &ca, &ei),
			  CT_ERR_MISMATCH);
		ct_pki_ca_free(other);
	}
	CHECK_ERR(ct_pki_ca_load((const uint8_t *)"garbage", 7, NULL, 0, &ca, &ei), CT_ERR_BAD_VALUE);
	CHECK_ERR(ct_pki_ca_load(cert.data, cert.len, (const uint8_t *)"garbage", 7, &ca, &ei),
		  CT_ERR_BAD_VALUE);
	ct_buf_put_u8(&cert, 0);
	CHECK_ERR(ct_pki_ca_load(cert.data, cert.len, NULL, 0, &ca, &ei), CT_ERR_TRAILING);
	CHECK(ca == NULL);
	ct_buf_free(&cert);
	ct_buf_free(&key);
	ct_buf_free(&cert2);
	ct_buf_free(&key2);
	ct_buf_free(&pem);
}

static void check_server_cert(X509 *x, const struct ct_buf *key)
{
	const unsigned char *p = key->data;
	PKCS8_PRIV_KEY_INFO *p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)key->len);
	EVP_PKEY *k = p8 != NULL ? EVP_PKCS82PKEY(p8) : NULL;
	GENERAL_NAMES *gens;
	GENERAL_NAME *g;
	char cn[128], group[32] = "";
	int crit = -1;

	cn_of(x, cn, sizeof(cn));
	CHECK_STR(cn, "cloudtrust.example.com");
	CHECK(k != NULL && X509_check_private_key(x, k) == 1);
	CHECK(k != NULL && EVP_PKEY_get_group_name(k, group, sizeof(group), NULL) == 1);
	CHECK_STR(group, "prime256v1");
	CHECK_INT(X509_get_extended_key_usage(x), XKU_SSL_SERVER);
	CHECK_INT(X509_get_key_usage(x), KU_DIGITAL_SIGNATURE);
	CHECK_INT(X509_check_ca(x), 0);
	gens = X509_get_ext_d2i(x, NID_subject_alt_name, &crit, NULL);
	CHECK_INT(crit, 0);
	CHECK_INT(gens != NULL ? sk_GENERAL_NAME_num(gens) : -1, 4);
	if (gens != NULL && sk_GENERAL_NAME_num(gens) == 4) {
		g = sk_GENERAL_NAME_value(gens, 0);
		CHECK(g->type == GEN_DNS &&
		      strcmp((const char *)ASN1_STRING_get0_data(g->d.dNSName), "cloudtrust.example.com") == 0);
		g = sk_GENERAL_NAME_value(gens, 1);
		CHECK(g->type == GEN_DNS &&
		      strcmp((const char *)ASN1_STRING_get0_data(g->d.dNSName), "localhost") == 0);
		g = sk_GENERAL_NAME_value(gens, 2);
		CHECK(g->type == GEN_IPADD && ASN1_STRING_length(g->d.iPAddress) == 4 &&
		      memcmp(ASN1_STRING_get0_data(g->d.iPAddress), "\x7f\0\0\x01", 4) == 0);
		g = sk_GENERAL_NAME_value(gens, 3);
		CHECK(g->type == GEN_IPADD && ASN1_STRING_length(g->d.iPAddress) == 16 &&
		      memcmp(ASN1_STRING_get0_data(g->d.iPAddress),
			     "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16) == 0);
	}
	GENERAL_NAMES_free(gens);
	CHECK(days_left(x) >= 89 && days_left(x) <= 90);
	EVP_PKEY_free(k);
	PKCS8_PRIV_KEY_INFO_free(p8);
}

static void test_server_cert(void)
{
	static const char *const dns[] = {"cloudtrust.example.com", "localhost"};
	static const char *const ips[] = {"127.0.0.1", "::1"};
	struct ct_errinfo ei = {0};
	struct ct_pki_ca *tls_ca = NULL;
	struct ct_buf cert, key, ca_der, victim;
	struct stat st;
	X509 *x;

	CHECK_ERR(ct_pki_ca_create("cloudtrust TLS", &tls_ca, &ei), 0);
	if (tls_ca == NULL)
		return;
	ct_buf_init(&cert, 64 * 1024);
	ct_buf_init(&key, 64 * 1024);
	ct_buf_init(&ca_der, 64 * 1024);
	ct_buf_init(&victim, 64);
	CHECK_ERR(ct_pki_server_cert_issue(tls_ca, dns, 2, ips, 2, 90, &cert, &key, &ei), 0);
	x = x509_of(&cert);
	CHECK(x != NULL);
	if (x != NULL)
		check_server_cert(x, &key);
	X509_free(x);

	/* openssl verify agrees on chain, purpose and names. */
	CHECK_ERR(ct_pki_ca_export(tls_ca, &ca_der, NULL), 0);
	CHECK_INT(spill_pem("tls-ca.pem", &ca_der), 0);
	CHECK_ERR(ct_pki_write_tls_files("tls.crt", "tls.key", cert.data, cert.len,
					 key.data, key.len, &ei), 0);
	CHECK_INT(sh("openssl verify -x509_strict -purpose sslserver -verify_hostname cloudtrust.example.com "
		     "-CAfile tls-ca.pem tls.crt >/dev/null 2>&1"), 0);
	CHECK_INT(sh("openssl verify -purpose sslserver -verify_ip ::1 -CAfile tls-ca.pem tls.crt >/dev/null 2>&1"), 0);
	CHECK_INT(sh("openssl verify -purpose sslserver -verify_ip 127.0.0.1 -CAfile tls-ca.pem tls.crt >/dev/null 2>&1"), 0);
	CHECK(sh("openssl verify -purpose sslserver -verify_hostname other.example -CAfile tls-ca.pem tls.crt >/dev/null 2>&1") != 0);
	CHECK(sh("openssl verify -purpose sslclient -CAfile tls-ca.pem tls.crt >/dev/null 2>&1") != 0);
	/* The key file is a PKCS#8 PEM that matches the certificate. */
	CHECK_INT(sh("test \"$(openssl pkey -in tls.key -pubout)\" = \"$(openssl x509 -in tls.crt -noout -pubkey)\""), 0);
	CHECK_INT(stat("tls.key", &st), 0);
	CHECK_INT(st.st_mode & 07777, 0600);
	CHECK_INT(stat("tls.crt", &st), 0);
	CHECK_INT(st.st_mode & 07777, 0644);

	/* A symlink at the target is replaced, and what it pointed to is untouched. */
	CHECK_INT(spill("victim", (const uint8_t *)"victim", 6), 0);
	CHECK_INT(symlink("victim", "tls2.key"), 0);
	CHECK_ERR(ct_pki_write_tls_files("tls2.crt", "tls2.key", cert.data, cert.len,
					 key.data, key.len, &ei), 0);
	CHECK_INT(lstat("tls2.key", &st), 0);
	CHECK(S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0600);
	CHECK_INT(slurp("victim", &victim), 0);
	CHECK_MEM(victim.data, victim.len, "victim", 6);
	CHECK_ERR(ct_pki_write_tls_files("nodir/a.crt", "nodir/a.key", cert.data, cert.len,
					 key.data, key.len, &ei), CT_ERR_IO);
	CHECK_INT(sh("ls nodir* 2>/dev/null | grep -q ."), 1);

	/* Refusals. */
	ct_buf_free(&cert);
	ct_buf_free(&key);
	{
		static const char *const bad_dns[] = {
			"-bad.example", "bad-.example", "a..b", "exa mple.com", ".example",
			"example.", "ex_ample.com", "*.example.com",
			"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com",
		};
		static const char *const bad_ip[] = {"1.2.3", "1.2.3.4.5", "::g", "1.2.3.4 ", ""};
		size_t i;

		for (i = 0; i < sizeof(bad_dns) / sizeof(bad_dns[0]); i++)
			CHECK_ERR(ct_pki_server_cert_issue(tls_ca, &bad_dns[i], 1, NULL, 0, 90,
							   &cert, &key, &ei), CT_ERR_INVALID_ARG);
		for (i = 0; i < sizeof(bad_ip) / sizeof(bad_ip[0]); i++)
			CHECK_ERR(ct_pki_server_cert_issue(tls_ca, NULL, 0, &bad_ip[i], 1, 90,
							   &cert, &key, &ei), CT_ERR_INVALID_ARG);
	}
	CHECK_ERR(ct_pki_server_cert_issue(tls_ca, NULL, 0, NULL, 0, 90, &cert, &key, &ei),
		  CT_ERR_INVALID_ARG);
	CHECK_ERR(ct_pki_server_cert_issue(tls_ca, dns, 1, NULL, 0, 0, &cert, &key, &ei),
		  CT_ERR_INVALID_ARG);
	CHECK_ERR(ct_pki_server_cert_issue(tls_ca, dns, 1, NULL, 0, CT_PKI_MAX_DAYS + 1, &cert,
					   &key, &ei), CT_ERR_INVALID_ARG);
	CHECK_INT(cert.len + key.len, 0);
	/* An IP-only certificate takes its CN from the address. */
	CHECK_ERR(ct_pki_server_cert_issue(tls_ca, NULL, 0, ips, 1, 1, &cert, &key, &ei), 0);
	x = x509_of(&cert);
	if (x != NULL) {
		char cn[64];

		cn_of(x, cn, sizeof(cn));
		CHECK_STR(cn, "127.0.0.1");
	}
	X509_free(x);
	ct_buf_free(&cert);
	ct_buf_free(&key);
	ct_buf_free(&ca_der);
	ct_buf_free(&victim);
	ct_pki_ca_free(tls_ca);
}

static int parse_file(const char *path, struct ct_pki_csr *csr, struct ct_errinfo *ei)
{
	struct ct_buf b;
	int r = -1;

	ct_buf_init(&b, 64 * 1024);
	if (slurp(path, &b) == 0)
		r = ct_pki_csr_parse(b.data, b.len, csr, ei);
	else
		tap_diag("cannot read %s", path);
	ct_buf_free(&b);
	return r;
}

/* Parses a request and compares its SPKI with what `openssl req -pubkey` extracts. */
static void check_live_csr(const char *file, enum ct_pki_key_type type, int bits)
{
	struct ct_errinfo ei = {0};
	struct ct_pki_csr csr = {0};
	struct ct_buf spki;

	ct_buf_init(&spki, 64 * 1024);
	CHECK_ERR(parse_file(file, &csr, &ei), 0);
	if (ei.msg[0] != '\0')
		tap_diag("%s: %s", file, ei.msg);
	CHECK_INT(csr.key_type, type);
	CHECK_INT(csr.key_bits, bits);
	CHECK_INT(sh("openssl req -inform DER -in %s -noout -pubkey | "
		     "openssl pkey -pubin -outform DER -out %s.spki", file, file), 0);
	{
		char p[256];

		snprintf(p, sizeof(p), "%s.spki", file);
		CHECK_INT(slurp(p, &spki), 0);
	}
	CHECK_MEM(csr.spki, csr.spki_len, spki.data, spki.len);
	ct_pki_csr_free(&csr);
	CHECK(csr.pubkey == NULL && csr.spki == NULL);
	ct_buf_free(&spki);
}

static const char py_csr[] =
	"import sys\n"
	"from cryptography import x509\n"
	"from cryptography.x509.oid import NameOID\n"
	"from cryptography.hazmat.primitives import hashes, serialization\n"
	"from cryptography.hazmat.primitives.asymmetric import rsa, ec\n"
	"n = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, '7E980AD9-B86D-4306-9425-9AC066FB014A')])\n"
	"for f, k in (('py-rsa.der', rsa.generate_private_key(65537, 2048)),\n"
	"             ('py-p256.der', ec.generate_private_key(ec.SECP256R1()))):\n"
	"    c = x509.CertificateSigningRequestBuilder().subject_name(n).sign(k, hashes.SHA256())\n"
	"    open(f, 'wb').write(c.public_bytes(serialization.Encoding.DER))\n";

static void test_csr_live(void)
{
	CHECK_INT(sh("openssl req -new -nodes -newkey rsa:2048 -subj " PLACEHOLDER_SUBJ
		     " -keyout /dev/null -outform DER -out live-rsa.der 2>/dev/null"), 0);
	CHECK_INT(sh("openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj "
		     PLACEHOLDER_SUBJ " -keyout /dev/null -outform DER -out live-p256.der 2>/dev/null"), 0);
	CHECK_INT(spill("mkcsr.py", (const uint8_t *)py_csr, sizeof(py_csr) - 1), 0);
	CHECK_INT(sh("/usr/bin/python3 mkcsr.py"), 0);
	check_live_csr("live-rsa.der", CT_PKI_KEY_RSA, 2048);
	check_live_csr("live-p256.der", CT_PKI_KEY_EC_P256, 256);
	check_live_csr("py-rsa.der", CT_PKI_KEY_RSA, 2048);
	check_live_csr("py-p256.der", CT_PKI_KEY_EC_P256, 256);
}

static void test_csr_corpus(void)
{
	static const struct {
		const char *file;
		int err;
		const char *why;	/* in the message */
	} cases[] = {
		{"rsa2048.der", 0, ""},
		{"rsa2048-ext.der", 0, ""},
		{"rsa3072.der", 0, ""},
		{"rsa4096.der", 0, ""},
		{"p256.der", 0, ""},
		{"p256-sha384.der", 0, ""},
		{"py-rsa2048.der", 0, ""},
		{"py-p256.der", 0, ""},
		{"rsa1024.der", CT_ERR_BAD_KEY, "RSA-1024"},
		{"rsa4608.der", CT_ERR_BAD_KEY, "RSA-4608"},
		{"dsa2048.der", CT_ERR_BAD_KEY, "dsaEncryption"},
		{"ed25519.der", CT_ERR_BAD_KEY, "ED25519"},
		{"rsa-pss.der", CT_ERR_BAD_KEY, "rsassaPss"},
		{"p384.der", CT_ERR_BAD_KEY, "P-256"},
		{"p256-explicit.der", CT_ERR_BAD_KEY, "named curve"},
		{"rsa2048-sha1.der", CT_ERR_BAD_VALUE, "RSA-SHA1"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ct_errinfo ei = {0};
		struct ct_pki_csr csr = {0};
		char path[512];
		int r;

		snprintf(path, sizeof(path), "%s/%s", CT_CSR_CORPUS, cases[i].file);
		r = parse_file(path, &csr, &ei);
		CHECK_ERR(r, cases[i].err);
		CHECK(strstr(ei.msg, cases[i].why) != NULL);
		if (r != cases[i].err || strstr(ei.msg, cases[i].why) == NULL)
			tap_diag("%s: %s: %s", cases[i].file, ct_errname(r), ei.msg);
		if (r == 0)
			ct_pki_csr_free(&csr);
		else
			CHECK(csr.pubkey == NULL);
	}
}

static void test_csr_malformed(void)
{
	struct ct_errinfo ei = {0};
	struct ct_pki_csr csr = {0};
	struct ct_buf good, b;
	uint8_t *big;

	ct_buf_init(&good, 64 * 1024);
	ct_buf_init(&b, 64 * 1024);
	CHECK_INT(slurp("live-rsa.der", &good), 0);
	if (good.len < 16)
		return;

	CHECK_ERR(ct_pki_csr_parse((const uint8_t *)"", 0, &csr, &ei), CT_ERR_BAD_VALUE);
	CHECK_ERR(ct_pki_csr_parse((const uint8_t *)"\x30\x03\x02\x01\x00", 5, &csr, &ei),
		  CT_ERR_BAD_VALUE);
	CHECK_ERR(ct_pki_csr_parse((const uint8_t *)"not a request at all", 20, &csr, &ei),
		  CT_ERR_BAD_VALUE);
	/* Truncated. */
	CHECK_ERR(ct_pki_csr_parse(good.data, good.len - 1, &csr, &ei), CT_ERR_BAD_VALUE);
	/* Trailing bytes. */
	ct_buf_put(&b, good.data, good.len);
	ct_buf_put_u8(&b, 0);
	CHECK_ERR(ct_pki_csr_parse(b.data, b.len, &csr, &ei), CT_ERR_TRAILING);
	/* A non-minimal (BER) outer length that OpenSSL's parser tolerates. */
	ct_buf_free(&b);
	ct_buf_put(&b, "\x30\x83\x00", 3);
	ct_buf_put(&b, good.data + 2, good.len - 2);
	CHECK_ERR(ct_pki_csr_parse(b.data, b.len, &csr, &ei), CT_ERR_NON_MINIMAL);
	/* A signature that does not verify. */
	good.data[good.len - 1] ^= 1;
	CHECK_ERR(ct_pki_csr_parse(good.data, good.len, &csr, &ei), CT_ERR_SIGNATURE);
	good.data[good.len - 1] ^= 1;
	/* A changed public key bit breaks the self-signature too (or the key). */
	good.data[good.len / 2] ^= 0x10;
	CHECK(ct_pki_csr_parse(good.data, good.len, &csr, &ei) != 0);
	good.data[good.len / 2] ^= 0x10;
	/* Over the size cap, before any parsing. */
	big = calloc(1, CT_CSR_MAX + 1);
	if (big != NULL) {
		memcpy(big, good.data, good.len);
		CHECK_ERR(ct_pki_csr_parse(big, CT_CSR_MAX + 1, &csr, &ei), CT_ERR_TOO_LARGE);
	}
	free(big);
	CHECK(csr.pubkey == NULL && csr.spki == NULL);
	CHECK_ERR(ct_pki_csr_parse(good.data, good.len, &csr, &ei), 0);
	ct_pki_csr_free(&csr);
	ct_buf_free(&good);
	ct_buf_free(&b);
}

static void check_device_cert(X509 *x, const char *id, const struct ct_pki_csr *csr)
{
	struct ct_buf ca_der;
	const ASN1_INTEGER *serial = X509_get0_serialNumber(x);
	X509 *cax;
	char cn[128];

	ct_buf_init(&ca_der, 64 * 1024);
	CHECK_ERR(ct_pki_ca_export(dev_ca, &ca_der, NULL), 0);
	cax = x509_of(&ca_der);
	cn_of(x, cn, sizeof(cn));
	CHECK_STR(cn, id);
	CHECK_INT(X509_NAME_entry_count(X509_get_subject_name(x)), 1);
	CHECK(cax != NULL && X509_NAME_cmp(X509_get_issuer_name(x), X509_get_subject_name(cax)) == 0);
	/* Random, positive, 16 bytes. */
	CHECK_INT(ASN1_STRING_length(serial), 16);
	CHECK_INT(ASN1_STRING_type(serial), V_ASN1_INTEGER);
	CHECK_INT(X509_get_key_usage(x), KU_DIGITAL_SIGNATURE);
	CHECK_INT(ext_critical(x, NID_key_usage), 1);
	CHECK_INT(X509_get_extended_key_usage(x), XKU_SSL_CLIENT);
	CHECK_INT(X509_check_ca(x), 0);
	CHECK(cax != NULL && X509_get0_authority_key_id(x) != NULL &&
	      ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(x),
				    X509_get0_subject_key_id(cax)) == 0);
	CHECK_INT(EVP_PKEY_eq(X509_get0_pubkey(x), csr->pubkey), 1);
	CHECK_INT(X509_get_signature_nid(x), NID_ecdsa_with_SHA256);
	CHECK(days_left(x) >= 364 && days_left(x) <= 365);
	X509_free(cax);
	ct_buf_free(&ca_der);
}

/* Issues a device certificate for a request file; returns 0 and fills cert. */
static int issue_for(struct ct_pki_ca *ca, const char *csr_file, const char *id,
		     struct ct_pki_csr *csr, struct ct_buf *cert)
{
	struct ct_errinfo ei = {0};
	int r = parse_file(csr_file, csr, &ei);

	if (r == 0)
		r = ct_pki_device_cert_issue(ca, csr, id, 365, cert, &ei);
	if (r != 0)
		tap_diag("issuing for %s: %s", csr_file, ei.msg);
	return r;
}

/* A certificate for key signed by the device CA's key, but with our own subject. */
static int forge_with_ca_key(const char *cn, EVP_PKEY *pub, struct ct_buf *out)
{
	struct ct_buf cd, kd;
	const unsigned char *p;
	PKCS8_PRIV_KEY_INFO *p8 = NULL;
	EVP_PKEY *cakey = NULL;
	X509 *ca = NULL, *x = X509_new();
	X509V3_CTX v3;
	X509_EXTENSION *e;
	uint8_t *der = NULL;
	int n = -1;

	ct_buf_init(&cd, 64 * 1024);
	ct_buf_init(&kd, 64 * 1024);
	if (ct_pki_ca_export(dev_ca, &cd, &kd) != 0)
		goto out;
	ca = x509_of(&cd);
	p = kd.data;
	p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)kd.len);
	cakey = p8 != NULL ? EVP_PKCS82PKEY(p8) : NULL;
	if (ca == NULL || cakey == NULL || x == NULL)
		goto out;
	X509_set_version(x, X509_VERSION_3);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1234);
	X509_NAME_add_entry_by_NID(X509_get_subject_name(x), NID_commonName, MBSTRING_UTF8,
				   (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(ca));
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, pub);
	X509V3_set_ctx(&v3, ca, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &v3, NID_authority_key_identifier, "keyid:always");
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	e = X509V3_EXT_conf_nid(NULL, &v3, NID_ext_key_usage, "clientAuth");
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	if (X509_sign(x, cakey, EVP_sha256()) <= 0)
		goto out;
	n = i2d_X509(x, &der);
	if (n > 0)
		ct_buf_put(out, der, (size_t)n);
out:
	OPENSSL_free(der);
	X509_free(x);
	X509_free(ca);
	EVP_PKEY_free(cakey);
	PKCS8_PRIV_KEY_INFO_free(p8);
	ct_buf_free(&cd);
	ct_buf_free(&kd);
	return n > 0 ? 0 : -1;
}

static void test_device_cert(void)
{
	char id[CT_PKI_GUID_LEN + 1], got[CT_PKI_GUID_LEN + 1] = "";
	struct ct_errinfo ei = {0};
	struct ct_pki_csr rsa = {0}, p256 = {0};
	struct ct_pki_ca *other = NULL, *same_name = NULL, *vonly = NULL;
	struct ct_buf c1, c2, c3, ca_der, srv, srvkey;
	const time_t now = time(NULL);
	EVP_PKEY *pk = NULL;
	X509 *x;

	if (dev_ca == NULL)
		return;
	ct_buf_init(&c1, 64 * 1024);
	ct_buf_init(&c2, 64 * 1024);
	ct_buf_init(&c3, 64 * 1024);
	ct_buf_init(&ca_der, 64 * 1024);
	ct_buf_init(&srv, 64 * 1024);
	ct_buf_init(&srvkey, 64 * 1024);
	CHECK_ERR(ct_pki_guid_new(id), 0);

	/* From an RSA request made by openssl and a P-256 one made by python. */
	CHECK_ERR(issue_for(dev_ca, "live-rsa.der", id, &rsa, &c1), 0);
	CHECK_ERR(issue_for(dev_ca, "py-p256.der", id, &p256, &c2), 0);
	x = x509_of(&c1);
	CHECK(x != NULL);
	if (x != NULL)
		check_device_cert(x, id, &rsa);
	X509_free(x);
	x = x509_of(&c2);
	if (x != NULL)
		check_device_cert(x, id, &p256);
	X509_free(x);

	/* It chains, for us and for openssl verify (clientAuth, strict). */
	CHECK_ERR(ct_pki_device_cert_verify(dev_ca, c1.data, c1.len, now, got, &pk, &ei), 0);
	CHECK_STR(got, id);
	CHECK(pk != NULL && EVP_PKEY_eq(pk, rsa.pubkey) == 1);
	EVP_PKEY_free(pk);
	pk = NULL;
	CHECK_ERR(ct_pki_device_cert_verify(dev_ca, c2.data, c2.len, now, got, NULL, &ei), 0);
	CHECK_INT(spill_pem("dev.pem", &c1), 0);
	CHECK_INT(sh("openssl verify -x509_strict -purpose sslclient -CAfile ca.pem dev.pem >/dev/null 2>&1"), 0);
	CHECK(sh("openssl verify -purpose sslserver -CAfile ca.pem dev.pem >/dev/null 2>&1") != 0);
	/* A CA loaded without its key verifies just the same. */
	CHECK_ERR(ct_pki_ca_export(dev_ca, &ca_der, NULL), 0);
	CHECK_ERR(ct_pki_ca_load(ca_der.data, ca_der.len, NULL, 0, &vonly, &ei), 0);
	if (vonly != NULL) {
		CHECK_ERR(ct_pki_device_cert_verify(vonly, c1.data, c1.len, now, got, NULL, &ei), 0);
		CHECK_ERR(ct_pki_device_cert_issue(vonly, &rsa, id, 365, &c3, &ei), CT_ERR_INVALID_ARG);
	}

	/* Time: after the end, and before the start. */
	memset(got, 0, sizeof(got));
	CHECK_ERR(ct_pki_device_cert_verify(dev_ca, c1.data, c1.len, now + 366 * 86400, got, &pk, &ei),
		  CT_ERR_CERT_EXPIRED);
	CHECK(strstr(ei.msg, "expired") != NULL);
	CHECK_ERR(ct_pki_device_cert_verify(dev_ca, c1.data, c1.len, now - 2 * 86400, got, &pk, &ei),
		  CT_ERR_CERT_EXPIRED);
	CHECK(strstr(ei.msg, "not yet valid") != NULL);
	CHECK(pk == NULL && got[0] == '\0');

	/* Another CA, even one with the same name, is not the device CA. */
	CHECK_ERR(ct_pki_ca_create("other", &other, &ei), 0);
	CHECK_ERR(ct_pki_ca_create("cloudtrust devices", &same_name, &ei), 0);
	if (other != NULL && same_name != NULL) {
		ct_buf_free(&c3);
		CHECK_ERR(ct_pki_device_cert_issue(other, &rsa, id, 365, &c3, &ei), 0);
		CHECK_ERR(ct_pki_device_cert_verify(dev_ca, c3.data, c3.len, now, got, &pk, &ei),
			  CT_ERR_CERT_UNTRUSTED);
		ct_buf_free(&c3);
		CHECK_ERR(ct_pki_device_cert_issue(same_name, &rsa, id, 365, &c3, &ei), 0);
		CHECK_ERR(ct_pki_device_cert_verify(dev_ca, c3.data, c3.len, now, got, &pk, &ei),
			  CT_ERR_CERT_UNTRUSTED);
		CHECK(strstr(ei.msg, "issuer") != NULL);
	}
	/* A server certificate from the same CA has the wrong purpose. */
	{
		static const char *const dns[] = {"host.example"};

		CHECK_ERR(ct_pki_server_cert_issue(dev_ca, dns, 1, NULL, 0, 30, &srv, &srvkey, &ei), 0);
		CHECK_ERR(ct_pki_device_cert_verify(dev_ca, srv.data, srv.len, now, got, &pk, &ei),
			  CT_ERR_CERT_UNTRUSTED);
		CHECK(strstr(ei.msg, "purpose") != NULL);
	}
	/* The CA certificate itself is no device certificate. */
	CHECK_ERR(ct_pki_device_cert_verify(dev_ca, ca_der.data, ca_der.len, now, got, &pk, &ei),
		  CT_ERR_CERT_UNTRUSTED);
	/* A valid chain whose CN is not a device id. */
	ct_buf_free(&c3);
	CHECK_INT(forge_with_ca_key("not-a-device-id", rsa.pubkey, &c3), 0);
	CHECK_ERR(ct_pki_device_cert_verify(dev_ca, c3.data, c3.len, now, got, &pk, &ei),
		  CT_ERR_BAD_VALUE);
	ct_buf_free(&c3);
	CHECK_INT(forge_with_ca_key(id, rsa.pubkey, &c3), 0);
	CHECK_ERR(ct_pki_device_cert_verify(dev_ca, c3.data, c3.len, now, got, NULL, &ei), 0);
	/* Tampered, garbage, trailing, oversized. */
	c1.data[c1.len - 1] ^= 1;
	CHECK_ERR(ct_pki_device_cert_verify(dev_ca, c1.data, c1.len, now, got, &pk, &ei),
		  CT_ERR_CERT_UNTRUSTED);
	CHECK(strstr(ei.msg, "signature") != NULL);
	c1.data[c1.len - 1] ^= 1;
	CHECK_ERR(ct_pki_device_cert_verify(dev_ca, (const uint8_t *)"junk", 4, now, got, &pk, &ei),
		  CT_ERR_BAD_VALUE);
	ct_buf_put_u8(&c1, 0);
	CHECK_ERR(ct_pki_device_cert_verify(dev_ca, c1.data, c1.len, now, got, &pk, &ei),
		  CT_ERR_TRAILING);
	CHECK_ERR(ct_pki_device_cert_verify(dev_ca, c1.data, CT_CERT_MAX + 1, now, got, &pk, &ei),
		  CT_ERR_TOO_LARGE);
	CHECK(pk == NULL);

	/* Issuing refuses ids that are not lower-case GUIDs, and odd lifetimes. */
	ct_buf_free(&c3);
	CHECK_ERR(ct_pki_device_cert_issue(dev_ca, &rsa, "6F2C1E4A-0B5D-4C3E-9A8F-1D2E3F405162",
					   365, &c3, &ei), CT_ERR_INVALID_ARG);
	CHECK_ERR(ct_pki_device_cert_issue(dev_ca, &rsa, "CN=evil", 365, &c3, &ei), CT_ERR_INVALID_ARG);
	CHECK_ERR(ct_pki_device_cert_issue(dev_ca, &rsa, id, 0, &c3, &ei), CT_ERR_INVALID_ARG);
	CHECK_INT(c3.len, 0);

	ct_pki_ca_free(other);
	ct_pki_ca_free(same_name);
	ct_pki_ca_free(vonly);
	ct_pki_csr_free(&rsa);
	ct_pki_csr_free(&p256);
	ct_buf_free(&c1);
	ct_buf_free(&c2);
	ct_buf_free(&c3);
	ct_buf_free(&ca_der);
	ct_buf_free(&srv);
	ct_buf_free(&srvkey);
}

/* A fixed certificate and the fingerprints `openssl x509 -fingerprint` printed for it. */
static const char fixed_pem[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIBojCCAUegAwIBAgIUWcyfpLZDatA8wE5VYtjgLALlZ4owCgYIKoZIzj0EAwIw\n"
	"JTEjMCEGA1UEAwwaY2xvdWR0cnVzdCB0aHVtYnByaW50IHRlc3QwIBcNMjYxMTI0\n"
	"MjIwMzM3WhgPMjEyNjEwMzEyMjAzMzdaMCUxIzAhBgNVBAMMGmNsb3VkdHJ1c3Qg\n"
	"dGh1bWJwcmludCB0ZXN0MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE6HeLk1lv\n"
	"fPujFvOrEaZmny6FNLE6c2huQhKhPE/bDB5a9uH9kZpctIHnW2+4+wIWxmuJpWf1\n"
	"pf8xhFxzzv1BaqNTMFEwHQYDVR0OBBYEFL2uXqi+IiKkkQxu00kSS6+fuqZVMB8G\n"
	"A1UdIwQYMBaAFL2uXqi+IiKkkQxu00kSS6+fuqZVMA8GA1UdEwEB/wQFMAMBAf8w\n"
	"CgYIKoZIzj0EAwIDSQAwRgIhAKDScR1ph0jjXdb+ITazB1fQv13s1mHs2uz4aiav\n"
	"cmTRAiEAsrkF8r1KHCqDxoO0zkoua6keUzSKeywcu6OJvT6nkXc=\n"
	"-----END CERTIFICATE-----\n";
/* sha1 Fingerprint=0C:83:7D:E2:F7:6F:B2:6E:BE:C3:5B:4A:9C:EE:51:3F:22:B6:CC:96 */
static const char fixed_sha1[] = "0C837DE2F76FB26EBEC35B4A9CEE513F22B6CC96";
/* sha256 Fingerprint=C7:E4:96:56:A6:95:8D:DC:C7:5A:8F:E8:EA:03:8A:22:32:CE:F8:61:7B:F6:DD:EF:B7:FF:95:6C:80:1D:0B:EC */
static const char fixed_sha256[] =
	"C7E49656A6958DDCC75A8FE8EA038A2232CEF8617BF6DDEFB7FF956C801D0BEC";

/* Runs `openssl x509 -fingerprint -<md>` on a DER file and strips the colons. */
static void openssl_fingerprint(const char *der_file, const char *md, char *out, size_t n)
{
	char cmd[256], line[256] = "", *p;
	size_t o = 0;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "openssl x509 -inform DER -in %s -noout -fingerprint -%s",
		 der_file, md);
	f = popen(cmd, "r");
	if (f != NULL) {
		if (fgets(line, sizeof(line), f) == NULL)
			line[0] = '\0';
		pclose(f);
	}
	p = strchr(line, '=');
	for (p = p != NULL ? p + 1 : line + strlen(line); *p != '\0' && *p != '\n' && o + 1 < n; p++)
		if (*p != ':')
			out[o++] = *p;
	out[o] = '\0';
}

static void test_thumbprint(void)
{
	char tp[CT_PKI_THUMBPRINT_LEN + 1], tp256[CT_PKI_THUMBPRINT256_LEN + 1];
	char theirs[128];
	BIO *bio = BIO_new_mem_buf(fixed_pem, (int)sizeof(fixed_pem) - 1);
	X509 *x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	uint8_t *der = NULL;
	struct ct_buf dev;
	struct ct_pki_csr csr = {0};
	char id[CT_PKI_GUID_LEN + 1];
	int n = x != NULL ? i2d_X509(x, &der) : -1;

	CHECK(n > 0);
	if (n > 0) {
		CHECK_ERR(ct_pki_cert_thumbprint(der, (size_t)n, tp), 0);
		CHECK_STR(tp, fixed_sha1);
		CHECK_ERR(ct_pki_cert_thumbprint_sha256(der, (size_t)n, tp256), 0);
		CHECK_STR(tp256, fixed_sha256);
	}
	OPENSSL_free(der);
	X509_free(x);
	BIO_free(bio);

	/* And for a certificate we just issued, against openssl itself. */
	ct_buf_init(&dev, 64 * 1024);
	CHECK_ERR(ct_pki_guid_new(id), 0);
	if (dev_ca != NULL && issue_for(dev_ca, "live-p256.der", id, &csr, &dev) == 0) {
		CHECK_INT(spill("dev-tp.der", dev.data, dev.len), 0);
		CHECK_ERR(ct_pki_cert_thumbprint(dev.data, dev.len, tp), 0);
		openssl_fingerprint("dev-tp.der", "sha1", theirs, sizeof(theirs));
		CHECK_STR(tp, theirs);
		CHECK_ERR(ct_pki_cert_thumbprint_sha256(dev.data, dev.len, tp256), 0);
		openssl_fingerprint("dev-tp.der", "sha256", theirs, sizeof(theirs));
		CHECK_STR(tp256, theirs);
	} else {
		CHECK(!"could not issue a certificate for the thumbprint test");
	}
	ct_pki_csr_free(&csr);
	ct_buf_free(&dev);
}

int main(void)
{
	char dir[] = "/tmp/ct-test-pki-XXXXXX";
	int rc;

	if (mkdtemp(dir) == NULL || chdir(dir) != 0) {
		perror(dir);
		return 1;
	}
	test_guid();
	test_ca();
	test_server_cert();
	test_csr_live();
	test_csr_corpus();
	test_csr_malformed();
	test_device_cert();
	test_thumbprint();
	ct_pki_ca_free(dev_ca);
	rc = tap_done();
	if (chdir("/") != 0 || sh("rm -rf '%s'", dir) != 0)
		tap_diag("could not remove %s", dir);
	return rc;
}
