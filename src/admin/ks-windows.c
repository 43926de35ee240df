/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Windows DC key source: the key of krbtgt_N is the string-to-key of the
 * random password rotate set over LDAPS, with the salt a Windows DC uses
 * for an account that is not a computer (MS-KILE 3.1.1.2: the upper-case
 * realm, then the sAMAccountName, case kept).  Nothing is read back: a
 * Windows DC does not reveal keys.
 */
#include <stdio.h>
#include <string.h>

#include "ct-arena.h"
#include "ct-secret.h"
#include "kcrypto.h"
#include "ks-keysource.h"

int ks_windows_derive(const char *realm, const char *account, const char *password,
		      int32_t enctype, struct ks_key *out, struct ct_errinfo *ei)
{
	struct ct_kcrypto *kc = NULL;
	struct ct_arena *a = ct_arena_new();
	struct ct_krb_key k = {0};
	char salt[512];
	int r;

	if (a == NULL)
		return ct_errinfo_set(ei, CT_ERR_NOMEM, "out of memory");
	if (snprintf(salt, sizeof(salt), "%s%s", realm, account) >= (int)sizeof(salt)) {
		ct_arena_free(a);
		return ct_errinfo_set(ei, CT_ERR_TOO_LARGE, "realm and account name too long");
	}
	r = ct_kcrypto_new(&kc);
	if (r == 0)
		r = ct_kcrypto_string_to_key(kc, a, enctype, password, salt, NULL, &k);
	if (r == 0 && k.value.len > sizeof(out->key))
		r = CT_ERR_UNSUPPORTED_ENCTYPE;
	if (r == 0) {
		out->enctype = k.enctype;
		out->len = k.value.len;
		memcpy(out->key, k.value.data, k.value.len);
	} else {
		ct_errinfo_default(ei, r, "deriving the %s key of %s: %s", "new", account,
				   ct_strerror(r));
	}
	ct_kcrypto_free(kc);
	ct_arena_free(a); /* wipes the derived key */
	return r;
}

static int windows_read_key(const struct ks_key_request *req, struct ks_key_result *out,
			    struct ct_errinfo *ei)
{
	(void)out;
	return ct_errinfo_set(ei, CT_ERR_NOT_SUPPORTED,
			      "the windows key source cannot read the key of %s (a Windows DC "
			      "never reveals it): run kerberos-server rotate to give it a key "
			      "this tool knows", req->account);
}

static int windows_new_key(const struct ks_key_request *req, const char *password,
			   struct ks_key_result *out, struct ct_errinfo *ei)
{
	struct ks_key_result res = {0};
	int r;

	if (req->realm == NULL || req->key_version == 0)
		return ct_errinfo_set(ei, CT_ERR_INTERNAL, "windows key source: no realm or "
				      "key version");
	r = ks_windows_derive(req->realm, req->account, password, req->enctype,
			      &res.keys.current, ei);
	if (r == 0) {
		res.key_version = req->key_version;
		*out = res;
	}
	ct_zap(&res, sizeof(res));
	return r;
}

const struct ks_keysource ks_keysource_windows = {"windows", windows_read_key, windows_new_key};

const struct ks_keysource *ks_keysource_find(const char *name)
{
	if (name == NULL || strcmp(name, "samba") == 0)
		return &ks_keysource_samba;
	if (strcmp(name, "windows") == 0)
		return &ks_keysource_windows;
	return NULL;
}
