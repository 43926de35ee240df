/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Writes a PAC made by ct_pac_build for a fixed sample user to a file, for
 * pac-samba-check.py (an independent check with Samba's NDR parsers and
 * impacket's crypto) and for seeding the fuzz corpus.
 *
 *   pac-gen [--omit-requestor] [--omit-attributes] [--omit-upn-dns-info]
 *           [--rodc N] [--no-upn] [--extra-sids] [--no-groups]
 *           [--kdc-aes128] OUT
 *
 * The sample user and the keys are fixed; pac-samba-check.py holds the
 * same values.  Exit status 0 on success, 1 on a build error, 2 on usage.
 *
 *   pac-gen --dump FILE
 *
 * decodes FILE with ct_pac_decode and prints ct_pac_print's dump (exit 1
 * with the error name when it does not decode), so the check script can
 * feed our decoder PACs made by Samba's encoder.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct-arena.h"
#include "ct-buf.h"
#include "ct-error.h"
#include "kcrypto.h"
#include "pac.h"

/* Key bytes 0x00..0x1f (server/krbtgt_N key) and 0x20..0x3f (KDC key). */
static uint8_t server_key_bytes[32], kdc_key_bytes[32];

static int dump(const char *path)
{
	static uint8_t data[CT_PAC_MAX_SIZE + 1];
	struct ct_arena *a;
	struct ct_pac pac;
	size_t n;
	FILE *f;
	int r;

	f = fopen(path, "rb");
	if (f == NULL) {
		perror(path);
		return 1;
	}
	n = fread(data, 1, sizeof(data), f);
	fclose(f);
	a = ct_arena_new();
	if (a == NULL)
		return 1;
	r = ct_pac_decode(a, data, n, &pac);
	if (r == 0)
		ct_pac_print(stdout, &pac);
	else
		printf("error %s\n", ct_errname(r));
	ct_arena_free(a);
	return r == 0 ? 0 : 1;
}

static int usage(void)
{
	fputs("usage: pac-gen [--omit-requestor] [--omit-attributes] "
	      "[--omit-upn-dns-info] [--rodc N] [--no-upn] [--extra-sids] "
	      "[--no-groups] [--kdc-aes128] OUT\n",
	      stderr);
	return 2;
}

int main(int argc, char **argv)
{
	static const uint32_t groups[] = {1107, 571};
	struct ct_sid extra[2];
	struct ct_pac_user u;
	struct ct_pac_options opt;
	struct ct_krb_key skey, kkey;
	struct ct_kcrypto *kc = NULL;
	struct ct_buf out;
	const char *path = NULL;
	FILE *f;
	int i, r;

	if (argc == 3 && strcmp(argv[1], "--dump") == 0)
		return dump(argv[2]);
	memset(&u, 0, sizeof(u));
	memset(&opt, 0, sizeof(opt));
	for (i = 0; i < 32; i++) {
		server_key_bytes[i] = (uint8_t)i;
		kdc_key_bytes[i] = (uint8_t)(0x20 + i);
	}
	skey.enctype = CT_ENCTYPE_AES256_SHA1;
	skey.value.data = server_key_bytes;
	skey.value.len = 32;
	kkey.enctype = CT_ENCTYPE_AES256_SHA1;
	kkey.value.data = kdc_key_bytes;
	kkey.value.len = 32;

	u.account_name = "alice";
	u.full_name = "Alice Example";
	u.client_name = "alice";
	u.upn = "alice@corp.example.test";
	u.dns_domain = "CORP.EXAMPLE.TEST";
	u.netbios_domain = "CORP";
	if (ct_sid_parse("S-1-5-21-1111111111-2222222222-3333333333",
			 &u.domain_sid) != 0)
		return 1;
	u.rid = 1105;
	u.primary_group_rid = 513;
	u.group_rids = groups;
	u.ngroups = 2;
	u.authtime = 1700000000;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--omit-requestor") == 0) {
			opt.omit_requestor = true;
		} else if (strcmp(argv[i], "--omit-attributes") == 0) {
			opt.omit_attributes = true;
		} else if (strcmp(argv[i], "--omit-upn-dns-info") == 0) {
			opt.omit_upn_dns_info = true;
		} else if (strcmp(argv[i], "--rodc") == 0 && i + 1 < argc) {
			opt.has_rodc_id = true;
			opt.rodc_id = (uint16_t)strtoul(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "--no-upn") == 0) {
			u.upn = NULL;
		} else if (strcmp(argv[i], "--extra-sids") == 0) {
			if (ct_sid_parse("S-1-18-1", &extra[0]) != 0 ||
			    ct_sid_parse("S-1-5-21-4-5-6-1000", &extra[1]) != 0)
				return 1;
			u.extra_sids = extra;
			u.nextra_sids = 2;
		} else if (strcmp(argv[i], "--no-groups") == 0) {
			u.ngroups = 0;
		} else if (strcmp(argv[i], "--kdc-aes128") == 0) {
			kkey.enctype = CT_ENCTYPE_AES128_SHA1;
			kkey.value.len = 16;
		} else if (argv[i][0] == '-' || path != NULL) {
			return usage();
		} else {
			path = argv[i];
		}
	}
	if (path == NULL)
		return usage();

	if (ct_kcrypto_new(&kc) != 0)
		return 1;
	ct_buf_init(&out, CT_PAC_MAX_SIZE);
	r = ct_pac_build(kc, &u, &opt, &skey, &kkey, &out);
	ct_kcrypto_free(kc);
	if (r != 0) {
		fprintf(stderr, "pac-gen: %s\n", ct_strerror(r));
		ct_buf_free(&out);
		return 1;
	}
	f = fopen(path, "wb");
	if (f == NULL) {
		perror(path);
		ct_buf_free(&out);
		return 1;
	}
	r = fwrite(out.data, 1, out.len, f) == out.len ? 0 : 1;
	if (fclose(f) != 0 || r != 0) {
		perror(path);
		r = 1;
	}
	ct_buf_free(&out);
	return r;
}
