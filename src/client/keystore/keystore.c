/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The keystore interface: options, label and PIN checks, and dispatch to
 * the soft and tpm kinds.
 */
#include "keystore.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ct-utf8.h"
#include "ks-internal.h"
#include "ks-soft-file.h"

const char *ct_ks_kind_name(enum ct_ks_kind kind)
{
	switch (kind) {
	case CT_KS_SOFT:
		return "soft";
	case CT_KS_TPM:
		return "tpm";
	}
	return "unknown";
}

enum ct_ks_kind ct_ks_kind_from_name(const char *name)
{
	if (name == NULL)
		return 0;
	if (strcmp(name, "soft") == 0)
		return CT_KS_SOFT;
	if (strcmp(name, "tpm") == 0)
		return CT_KS_TPM;
	return 0;
}

int ks_label_check(const char *label, struct ct_errinfo *ei)
{
	size_t i, n;

	if (label == NULL)
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG, "no key label given");
	n = strnlen(label, CT_KS_MAX_LABEL + 1);
	if (n == 0 || n > CT_KS_MAX_LABEL || !ct_utf8_valid(label, n))
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				      "a key label must be 1 to %d bytes of UTF-8",
				      CT_KS_MAX_LABEL);
	/* Files are named by a hash of the label, so nothing here could leave
	 * the store; path characters are still refused so a caller's mistake
	 * (a path where a UPN belongs) shows at once. */
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)label[i];

		if (ch < 0x20 || ch == 0x7f || ch == '/' || ch == '\\')
			return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
					      "a key label must not contain control "
					      "characters or path separators");
	}
	if (strcmp(label, ".") == 0 || strcmp(label, "..") == 0)
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				      "\"%s\" is not a key label", label);
	return 0;
}

int ks_pin_check(const char *pin, const char *what, struct ct_errinfo *ei)
{
	size_t n;

	if (pin == NULL)
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG, "no %s given", what);
	n = strnlen(pin, CT_KS_MAX_PIN + 1);
	if (n == 0 || n > CT_KS_MAX_PIN || !ct_utf8_valid(pin, n))
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				      "the %s must be 1 to %d bytes of UTF-8", what,
				      CT_KS_MAX_PIN);
	return 0;
}

/* The store directory must be ours and closed to everyone else. */
static int dir_check(const char *dir, struct ct_errinfo *ei)
{
	struct stat st;

	if (dir == NULL || dir[0] == '\0')
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG, "no key store directory given");
	if (stat(dir, &st) != 0)
		return ct_errinfo_set(ei, errno == ENOENT ? CT_ERR_NOT_FOUND : CT_ERR_IO,
				      "key store directory %s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG, "%s is not a directory", dir);
	if (st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		return ct_errinfo_set(ei, CT_ERR_UNSAFE_PATH,
				      "the key store directory %s must be owned by uid %u "
				      "and writable by no one else", dir,
				      (unsigned)geteuid());
	return 0;
}

int ct_ks_open(const struct ct_ks_options *opt, struct ct_keystore **out,
	       struct ct_errinfo *ei)
{
	struct ct_keystore *ks;
	int r;

	*out = NULL;
	if (opt == NULL || (opt->kind != CT_KS_SOFT && opt->kind != CT_KS_TPM))
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG, "unknown keystore kind");
	r = dir_check(opt->dir, ei);
	if (r != 0)
		return r;
	if (opt->max_attempts > CT_KS_MAX_ATTEMPTS)
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				      "max_attempts must be at most %d", CT_KS_MAX_ATTEMPTS);
	ks = calloc(1, sizeof(*ks));
	if (ks == NULL)
		return ct_errinfo_set(ei, CT_ERR_NOMEM, "out of memory");
	ks->kind = opt->kind;
	ks->max_attempts = opt->max_attempts != 0 ? opt->max_attempts
						  : CT_KS_DEFAULT_ATTEMPTS;
	ks->argon2_t = opt->argon2_t != 0 ? opt->argon2_t : CT_KS_SOFT_DEFAULT_T;
	ks->argon2_m_kib = opt->argon2_m_kib != 0 ? opt->argon2_m_kib
						  : CT_KS_SOFT_DEFAULT_M_KIB;
	ks->argon2_p = opt->argon2_p != 0 ? opt->argon2_p : CT_KS_SOFT_DEFAULT_P;
	ks->dir = strdup(opt->dir);
	if (ks->dir == NULL) {
		r = ct_errinfo_set(ei, CT_ERR_NOMEM, "out of memory");
		goto fail;
	}
	if (ks->kind == CT_KS_SOFT &&
	    !ks_soft_costs_ok(ks->argon2_t, ks->argon2_m_kib, ks->argon2_p)) {
		r = ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				   "Argon2id costs out of range (t 1..%d, m 8*p..%d KiB, p 1..%d)",
				   CT_KS_SOFT_MAX_T, CT_KS_SOFT_MAX_M_KIB, CT_KS_SOFT_MAX_P);
		goto fail;
	}
	if (ks->kind == CT_KS_TPM) {
		r = ks_tpm_open(ks, opt->tcti, ei);
		if (r != 0)
			goto fail;
	}
	*out = ks;
	return 0;
fail:
	ct_ks_close(ks);
	return r;
}

void ct_ks_close(struct ct_keystore *ks)
{
	if (ks == NULL)
		return;
	if (ks->kind == CT_KS_TPM)
		ks_tpm_close(ks);
	free(ks->dir);
	free(ks);
}

int ct_ks_create(struct ct_keystore *ks, const char *label, const char *pin,
		 EVP_PKEY **pub, struct ct_errinfo *ei)
{
	int r;

	if (pub != NULL)
		*pub = NULL;
	if (ks == NULL)
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG, "no keystore");
	r = ks_label_check(label, ei);
	if (r == 0)
		r = ks_pin_check(pin, "PIN", ei);
	if (r != 0)
		return r;
	return ks->kind == CT_KS_TPM ? ks_tpm_create(ks, label, pin, pub, ei)
				     : ks_soft_create(ks, label, pin, pub, ei);
}

int ct_ks_public(struct ct_keystore *ks, const char *label, EVP_PKEY **pub,
		 struct ct_errinfo *ei)
{
	int r;

	if (pub == NULL || ks == NULL)
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG, "no keystore or output");
	*pub = NULL;
	r = ks_label_check(label, ei);
	if (r != 0)
		return r;
	return ks->kind == CT_KS_TPM ? ks_tpm_public(ks, label, pub, ei)
				     : ks_soft_public(ks, label, pub, ei);
}

int ct_ks_sign(struct ct_keystore *ks, const char *label, const char *pin,
	       const uint8_t *data, size_t len, struct ct_buf *sig,
	       struct ct_errinfo *ei)
{
	int r;

	if (ks == NULL || sig == NULL || (data == NULL && len > 0))
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG, "no keystore, data or output");
	r = ks_label_check(label, ei);
	if (r == 0)
		r = ks_pin_check(pin, "PIN", ei);
	if (r != 0)
		return r;
	if (data == NULL)
		data = (const uint8_t *)"";
	return ks->kind == CT_KS_TPM ? ks_tpm_sign(ks, label, pin, data, len, sig, ei)
				     : ks_soft_sign(ks, label, pin, data, len, sig, ei);
}

int ct_ks_change_pin(struct ct_keystore *ks, const char *label,
		     const char *old_pin, const char *new_pin,
		     struct ct_errinfo *ei)
{
	int r;

	if (ks == NULL)
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG, "no keystore");
	r = ks_label_check(label, ei);
	if (r == 0)
		r = ks_pin_check(old_pin, "current PIN", ei);
	if (r == 0)
		r = ks_pin_check(new_pin, "new PIN", ei);
	if (r != 0)
		return r;
	return ks->kind == CT_KS_TPM
		       ? ks_tpm_change_pin(ks, label, old_pin, new_pin, ei)
		       : ks_soft_change_pin(ks, label, old_pin, new_pin, ei);
}

int ct_ks_delete(struct ct_keystore *ks, const char *label,
		 struct ct_errinfo *ei)
{
	int r;

	if (ks == NULL)
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG, "no keystore");
	r = ks_label_check(label, ei);
	if (r != 0)
		return r;
	return ks->kind == CT_KS_TPM ? ks_tpm_delete(ks, label, ei)
				     : ks_soft_delete(ks, label, ei);
}

int ct_ks_status(struct ct_keystore *ks, const char *label,
		 struct ct_ks_status *st, struct ct_errinfo *ei)
{
	int r;

	if (ks == NULL || st == NULL)
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG, "no keystore or output");
	r = ks_label_check(label, ei);
	if (r != 0)
		return r;
	return ks->kind == CT_KS_TPM ? ks_tpm_status(ks, label, st, ei)
				     : ks_soft_status(ks, label, st, ei);
}
