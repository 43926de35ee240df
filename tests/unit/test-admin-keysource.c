/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The kerberos-server key sources: lookup by name, the windows source's
 * refusal to read a key, and its derivation against a value computed
 * independently with impacket.  With --derive REALM ACCOUNT PASSWORD-FILE it
 * prints the derived AES-256 key in hex instead: the kerberos-server suite
 * compares that with the key Samba stored for a lab account whose password
 * it knows.
 */
#include <stdio.h>
#include <string.h>

#include "ct-hex.h"
#include "ct-secret.h"
#include "ks-keysource.h"
#include "tap.h"

/* impacket.krb5.crypto.string_to_key(18, PW, "CORP.EXAMPLE.TESTkrbtgt_54990") */
#define VEC_PW "Xy9-abcdefghijklmnopqrstuvwxyz0123456789"
static const char vec_key[] = "fe713346034bf08c3ff2ca88753e16da6128134cc88cba0f4e642c32d62c43f6";

static int derive_main(const char *realm, const char *account, const char *pwfile)
{
	char pw[512], hex[2 * KS_KEY_MAX + 1];
	struct ks_key k = {0};
	struct ct_errinfo ei = {0};
	FILE *f = fopen(pwfile, "r");
	size_t n;

	if (f == NULL || fgets(pw, sizeof(pw), f) == NULL) {
		fprintf(stderr, "cannot read %s\n", pwfile);
		return 2;
	}
	fclose(f);
	n = strcspn(pw, "\r\n");
	pw[n] = '\0';
	if (ks_windows_derive(realm, account, pw, 18, &k, &ei) != 0) {
		fprintf(stderr, "%s\n", ei.msg);
		return 1;
	}
	ct_hex_encode(k.key, k.len, hex);
	printf("%s\n", hex);
	ct_zap(pw, sizeof(pw));
	return 0;
}

int main(int argc, char **argv)
{
	struct ks_key_request req = {.account = "krbtgt_54990", .enctype = 18,
				     .realm = "CORP.EXAMPLE.TEST", .key_version = 7};
	struct ks_key_result res = {0};
	struct ct_errinfo ei = {0};
	char hex[2 * KS_KEY_MAX + 1];

	if (argc == 5 && strcmp(argv[1], "--derive") == 0)
		return derive_main(argv[2], argv[3], argv[4]);

	CHECK(ks_keysource_find(NULL) == &ks_keysource_samba);
	CHECK(ks_keysource_find("samba") == &ks_keysource_samba);
	CHECK(ks_keysource_find("windows") == &ks_keysource_windows);
	CHECK(ks_keysource_find("Windows") == NULL);
	CHECK(ks_keysource_find("") == NULL);

	CHECK_ERR(ks_keysource_windows.read_key(&req, &res, &ei), CT_ERR_NOT_SUPPORTED);
	CHECK(strstr(ei.msg, "never reveals") != NULL && strstr(ei.msg, "rotate") != NULL);

	CHECK_ERR(ks_keysource_windows.new_key(&req, VEC_PW, &res, &ei), 0);
	ct_hex_encode(res.keys.current.key, res.keys.current.len, hex);
	CHECK_STR(hex, vec_key);
	CHECK_INT(res.keys.current.enctype, 18);
	CHECK_INT(res.key_version, 7);
	CHECK(!res.keys.has_old);

	/* the salt is realm || account, case kept: a different case is a different key */
	req.account = "KRBTGT_54990";
	CHECK_ERR(ks_keysource_windows.new_key(&req, VEC_PW, &res, &ei), 0);
	ct_hex_encode(res.keys.current.key, res.keys.current.len, hex);
	CHECK(strcmp(hex, vec_key) != 0);

	/* without the LDAP key version the source refuses rather than guess */
	req.key_version = 0;
	memset(&res, 0, sizeof(res));
	CHECK_ERR(ks_keysource_windows.new_key(&req, VEC_PW, &res, &ei), CT_ERR_INTERNAL);
	CHECK_INT(res.key_version, 0);
	return tap_done();
}
