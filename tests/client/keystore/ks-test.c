/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE  /* asprintf */
#include "ks-test.h"

#include <dirent.h>
#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *ks_test_mkdtemp(void)
{
	const char *tmp = getenv("TMPDIR");
	char *dir;

	if (tmp == NULL || tmp[0] == '\0')
		tmp = "/tmp";
	if (asprintf(&dir, "%s/ct-ks-test-XXXXXX", tmp) < 0)
		return NULL;
	if (mkdtemp(dir) == NULL) {
		free(dir);
		return NULL;
	}
	return dir;
}

void ks_test_rmdir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

const char *ks_test_key_path(const char *dir, const char *label, const char *suffix)
{
	static char buf[2][4096];
	static int which;
	unsigned char md[32];
	unsigned int mdlen = 0;
	char hex[65];
	int i;

	EVP_Digest(label, strlen(label), md, &mdlen, EVP_sha256(), NULL);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	which ^= 1;
	snprintf(buf[which], sizeof(buf[which]), "%s/%s%s", dir, hex, suffix);
	return buf[which];
}

uint8_t *ks_test_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p;

	*len = 0;
	if (f == NULL)
		return NULL;
	p = malloc(65536);
	if (p != NULL)
		*len = fread(p, 1, 65536, f);
	fclose(f);
	return p;
}

bool ks_test_write(const char *path, const void *p, size_t n)
{
	int fd;
	ssize_t w;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return false;
	w = n > 0 ? write(fd, p, n) : 0;
	close(fd);
	return w == (ssize_t)n;
}

bool ks_test_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

bool ks_test_verify(EVP_PKEY *pub, const uint8_t *data, size_t len,
		    const uint8_t *sig, size_t siglen)
{
	ECDSA_SIG *es = NULL;
	unsigned char *der = NULL;
	EVP_MD_CTX *md = NULL;
	BIGNUM *r = NULL, *s = NULL;
	int derlen;
	bool ok = false;

	if (pub == NULL || siglen != 64)
		return false;
	r = BN_bin2bn(sig, 32, NULL);
	s = BN_bin2bn(sig + 32, 32, NULL);
	es = ECDSA_SIG_new();
	if (r == NULL || s == NULL || es == NULL || ECDSA_SIG_set0(es, r, s) != 1)
		goto out;
	r = s = NULL;
	derlen = i2d_ECDSA_SIG(es, &der);
	md = EVP_MD_CTX_new();
	if (derlen <= 0 || md == NULL ||
	    EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pub) != 1)
		goto out;
	ok = EVP_DigestVerify(md, der, (size_t)derlen, data, len) == 1;
out:
	EVP_MD_CTX_free(md);
	OPENSSL_free(der);
	ECDSA_SIG_free(es);
	BN_free(r);
	BN_free(s);
	return ok;
}
