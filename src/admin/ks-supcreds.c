/* SPDX-License-Identifier: Apache-2.0 */
/* supplementalCredentials → Primary:Kerberos-Newer-Keys → keys (MS-SAMR 2.2.10). */
#include <stdlib.h>
#include <string.h>

#include "ct-buf.h"
#include "ct-hex.h"
#include "ct-limits.h"
#include "ct-secret.h"
#include "kcrypto.h"
#include "ks-supcreds.h"

#define UP_RESERVED4_LEN 96      /* USER_PROPERTIES.Reserved4 */
#define UP_SIGNATURE 0x50        /* USER_PROPERTIES.PropertySignature */
#define KCN_REVISION 4           /* KERB_STORED_CREDENTIAL_NEW.Revision */
#define KCN_HEADER_LEN 24        /* its fixed part, before the key entries */
#define KCN_KEY_ENTRY_LEN 24     /* one KERB_KEY_DATA_NEW */

/* "Primary:Kerberos-Newer-Keys" as the UTF-16LE property name. */
static bool is_newer_keys(const uint8_t *name, size_t len)
{
	static const char want[] = "Primary:Kerberos-Newer-Keys";
	size_t i;

	if (len != 2 * (sizeof(want) - 1))
		return false;
	for (i = 0; i < sizeof(want) - 1; i++)
		if (name[2 * i] != (uint8_t)want[i] || name[2 * i + 1] != 0)
			return false;
	return true;
}

/* Reads one list of count key entries from c; keeps the key of enctype from
 * blob (offsets are relative to the blob; key data must lie after the
 * entries, which end at data_start). */
static int read_key_list(struct ct_cursor *c, unsigned count, const uint8_t *blob,
			 size_t blob_len, size_t data_start, int32_t enctype,
			 struct ks_key *key, bool *found)
{
	unsigned i;

	*found = false;
	for (i = 0; i < count; i++) {
		uint32_t type, len, off;

		ct_cursor_get(c, 12); /* Reserved1..3, IterationCount */
		type = ct_cursor_get_le32(c);
		len = ct_cursor_get_le32(c);
		off = ct_cursor_get_le32(c);
		if (c->err != 0)
			return c->err;
		if (off < data_start || off > blob_len || len > blob_len - off)
			return CT_ERR_BAD_VALUE;
		if ((int32_t)type != enctype)
			continue;
		if (*found || len != ct_enctype_keylen(enctype))
			return CT_ERR_BAD_VALUE;
		key->enctype = enctype;
		key->len = len;
		memcpy(key->key, blob + off, len);
		*found = true;
	}
	return 0;
}

/* Decodes the KERB_STORED_CREDENTIAL_NEW in blob into *out. */
static int decode_newer_keys(const uint8_t *blob, size_t len, int32_t enctype,
			     struct ks_keys *out, struct ct_errinfo *ei)
{
	struct ct_cursor c;
	unsigned n_cur, n_svc, n_old, n_older;
	uint16_t salt_len, salt_max;
	uint32_t salt_off;
	size_t data_start;
	bool found;
	int r;

	ct_cursor_init(&c, blob, len);
	if (ct_cursor_get_le16(&c) != KCN_REVISION && c.err == 0)
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				      "Kerberos-Newer-Keys: revision is not 4");
	ct_cursor_get_le16(&c); /* Flags */
	n_cur = ct_cursor_get_le16(&c);
	n_svc = ct_cursor_get_le16(&c);
	n_old = ct_cursor_get_le16(&c);
	n_older = ct_cursor_get_le16(&c);
	salt_len = ct_cursor_get_le16(&c);
	salt_max = ct_cursor_get_le16(&c);
	salt_off = ct_cursor_get_le32(&c);
	ct_cursor_get_le32(&c); /* DefaultIterationCount */
	if (c.err != 0)
		return ct_errinfo_set(ei, c.err, "Kerberos-Newer-Keys: header is truncated");
	if (n_cur > CT_KS_MAX_KRB_KEYS || n_svc != 0 || n_old > CT_KS_MAX_KRB_KEYS ||
	    n_older > CT_KS_MAX_KRB_KEYS)
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				      "Kerberos-Newer-Keys: implausible key counts");
	data_start = KCN_HEADER_LEN + (size_t)(n_cur + n_old + n_older) * KCN_KEY_ENTRY_LEN;
	if (salt_len > salt_max || salt_len % 2 != 0 ||
	    (salt_len > 0 && (salt_off < data_start || salt_off > len ||
			      salt_len > len - salt_off)))
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				      "Kerberos-Newer-Keys: salt lies outside the data");
	r = read_key_list(&c, n_cur, blob, len, data_start, enctype, &out->current, &found);
	if (r == 0 && !found)
		return ct_errinfo_set(ei, CT_ERR_NOT_FOUND,
				      "no current key of enctype %d (%s)", (int)enctype,
				      ct_enctype_name(enctype));
	if (r == 0)
		r = read_key_list(&c, n_old, blob, len, data_start, enctype, &out->old,
				  &out->has_old);
	if (r == 0) {
		struct ks_key older; /* validated, not kept */

		r = read_key_list(&c, n_older, blob, len, data_start, enctype, &older,
				  &found);
		ct_zap(&older, sizeof(older));
	}
	if (r != 0)
		return ct_errinfo_set(ei, r, "Kerberos-Newer-Keys: malformed key entry");
	return 0;
}

/* Hex text (the package's value) to bytes; *out is freed by the caller with
 * ct_erase_free(*out, *out_len). */
static int unhex(const uint8_t *p, size_t n, uint8_t **out, size_t *out_len)
{
	uint8_t *b;
	size_t i;

	if (n == 0 || n % 2 != 0)
		return CT_ERR_BAD_VALUE;
	b = malloc(n / 2);
	if (b == NULL)
		return CT_ERR_NOMEM;
	for (i = 0; i < n / 2; i++) {
		int hi = ct_hex_digit((char)p[2 * i]), lo = ct_hex_digit((char)p[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			ct_erase_free(b, n / 2);
			return CT_ERR_BAD_VALUE;
		}
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	*out = b;
	*out_len = n / 2;
	return 0;
}

int ks_supcreds_decode(const uint8_t *blob, size_t len, int32_t enctype,
		       struct ks_keys *out, struct ct_errinfo *ei)
{
	struct ct_cursor c, props;
	const uint8_t *pkg = NULL;
	uint16_t pkg_len = 0;
	struct ks_keys keys = {0};
	uint8_t *bin = NULL;
	size_t bin_len = 0;
	unsigned count, i;
	uint32_t sub_len;
	int r;

	if (len > CT_KS_MAX_SUPCREDS)
		return ct_errinfo_set(ei, CT_ERR_TOO_LARGE,
				      "supplementalCredentials: more than %d bytes",
				      CT_KS_MAX_SUPCREDS);
	if (ct_enctype_keylen(enctype) == 0 || ct_enctype_keylen(enctype) > KS_KEY_MAX)
		return ct_errinfo_set(ei, CT_ERR_UNSUPPORTED_ENCTYPE,
				      "enctype %d is not supported", (int)enctype);
	ct_cursor_init(&c, blob, len);
	ct_cursor_get_le32(&c); /* Reserved1 */
	sub_len = ct_cursor_get_le32(&c);
	ct_cursor_get_le32(&c); /* Reserved2, Reserved3 */
	if (c.err == 0 && sub_len > c.len)
		ct_cursor_fail(&c, CT_ERR_TRUNCATED);
	ct_cursor_sub(&c, sub_len, &props);
	ct_cursor_get(&props, UP_RESERVED4_LEN);
	if (props.err == 0 && ct_cursor_get_le16(&props) != UP_SIGNATURE && props.err == 0)
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				      "supplementalCredentials: bad property signature");
	count = ct_cursor_get_le16(&props);
	if (count > CT_KS_MAX_SUPCREDS_PACKAGES)
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				      "supplementalCredentials: %u packages", count);
	for (i = 0; i < count && props.err == 0; i++) {
		uint16_t name_len = ct_cursor_get_le16(&props);
		uint16_t value_len = ct_cursor_get_le16(&props);
		const uint8_t *name, *value;

		ct_cursor_get_le16(&props); /* Reserved */
		name = ct_cursor_get(&props, name_len);
		value = ct_cursor_get(&props, value_len);
		if (props.err != 0 || !is_newer_keys(name, name_len))
			continue;
		if (pkg != NULL)
			return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
					      "supplementalCredentials: two Kerberos-Newer-Keys packages");
		pkg = value;
		pkg_len = value_len;
	}
	/* Reserved5: one byte after the properties. */
	ct_cursor_get_u8(&c);
	r = props.err != 0 ? props.err : c.err;
	if (r == 0 && (!ct_cursor_empty(&props) || !ct_cursor_empty(&c)))
		r = CT_ERR_TRAILING;
	if (r != 0)
		return ct_errinfo_set(ei, r, "supplementalCredentials: %s", ct_strerror(r));
	if (pkg == NULL)
		return ct_errinfo_set(ei, CT_ERR_NOT_FOUND,
				      "supplementalCredentials has no Primary:Kerberos-Newer-Keys "
				      "package");
	r = unhex(pkg, pkg_len, &bin, &bin_len);
	if (r != 0)
		return ct_errinfo_set(ei, r, "Kerberos-Newer-Keys: value is not hex");
	r = decode_newer_keys(bin, bin_len, enctype, &keys, ei);
	if (r == 0)
		*out = keys;
	ct_erase_free(bin, bin_len);
	ct_zap(&keys, sizeof(keys));
	return r;
}
