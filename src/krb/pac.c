/* SPDX-License-Identifier: Apache-2.0 */
#include "pac.h"

#include <inttypes.h>
#include <string.h>

#include "ct-error.h"
#include "ndr.h"

#define PAC_HEADER_LEN 8u
#define PAC_INFO_LEN 16u
#define PAC_ALIGN 8u
/* MS-RPCE 2.2.6 type serialisation v1: common header (8) + private header (8). */
#define TYPESER_HDR_LEN 16u
#define CLIENT_INFO_FIXED 10u
#define UPN_FIXED 12u
#define UPN_FIXED_EX 20u
/* Longest checksum value we handle (hmac-sha384-192 is 24). */
#define SIG_VALUE_MAX 64u

#define NTTIME_EPOCH_DELTA INT64_C(11644473600) /* 1601-01-01 .. 1970-01-01 */
#define NTTIME_PER_SEC INT64_C(10000000)
#define NTTIME_NEVER UINT64_C(0x7fffffffffffffff)

static const uint8_t typeser_common_hdr[8] = {0x01, 0x10, 0x08, 0x00,
					      0xcc, 0xcc, 0xcc, 0xcc};

static size_t round8(size_t n)
{
	return (n + (PAC_ALIGN - 1)) & ~(size_t)(PAC_ALIGN - 1);
}

static uint16_t rd_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t rd_le64(const uint8_t *p)
{
	return (uint64_t)rd_le32(p) | (uint64_t)rd_le32(p + 4) << 32;
}

static void wr_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static int time_to_nttime(time_t t, uint64_t *out)
{
	int64_t v = (int64_t)t;

	if (v < -NTTIME_EPOCH_DELTA ||
	    v > INT64_MAX / NTTIME_PER_SEC - NTTIME_EPOCH_DELTA)
		return CT_ERR_INVALID_ARG;
	*out = (uint64_t)(v + NTTIME_EPOCH_DELTA) * (uint64_t)NTTIME_PER_SEC;
	return 0;
}

static time_t nttime_to_time(uint64_t nt)
{
	return (time_t)((int64_t)(nt / (uint64_t)NTTIME_PER_SEC) -
			NTTIME_EPOCH_DELTA);
}

/* Value length of the checksum types a PAC carries, 0 when unknown. */
static size_t cksum_value_len(uint32_t type)
{
	switch ((int32_t)type) {
	case 15: /* hmac-sha1-96-aes128 */
	case 16: /* hmac-sha1-96-aes256 */
		return 12;
	case 19: /* hmac-sha256-128-aes128 */
		return 16;
	case 20: /* hmac-sha384-192-aes256 */
		return 24;
	case -138: /* KERB_CHECKSUM_HMAC_MD5 (RC4) */
		return 16;
	default:
		return 0;
	}
}

static bool type_is_known(uint32_t type)
{
	return (type >= 1 && type <= 2) || (type >= 6 && type <= 7) ||
	       (type >= 10 && type <= 19);
}

const char *ct_pac_type_name(uint32_t type)
{
	switch (type) {
	case CT_PAC_LOGON_INFO: return "LOGON_INFO";
	case CT_PAC_CREDENTIALS_INFO: return "CREDENTIALS_INFO";
	case CT_PAC_SERVER_CHECKSUM: return "SERVER_CHECKSUM";
	case CT_PAC_PRIVSVR_CHECKSUM: return "PRIVSVR_CHECKSUM";
	case CT_PAC_CLIENT_INFO: return "CLIENT_INFO";
	case CT_PAC_DELEGATION_INFO: return "DELEGATION_INFO";
	case CT_PAC_UPN_DNS_INFO: return "UPN_DNS_INFO";
	case CT_PAC_CLIENT_CLAIMS_INFO: return "CLIENT_CLAIMS_INFO";
	case CT_PAC_DEVICE_INFO: return "DEVICE_INFO";
	case CT_PAC_DEVICE_CLAIMS_INFO: return "DEVICE_CLAIMS_INFO";
	case CT_PAC_TICKET_CHECKSUM: return "TICKET_CHECKSUM";
	case CT_PAC_ATTRIBUTES_INFO: return "ATTRIBUTES_INFO";
	case CT_PAC_REQUESTOR: return "REQUESTOR";
	case CT_PAC_FULL_CHECKSUM: return "FULL_CHECKSUM";
	default: return "unknown";
	}
}

/* ======================================================================
 * Builder
 * ====================================================================== */

/* A string converted to UTF-16LE, in its own buffer. */
struct u16str {
	struct ct_buf b;
	bool present;
};

static void u16_init(struct u16str *u)
{
	ct_buf_init(&u->b, 2 * CT_KRB_MAX_STRING);
	u->present = false;
}

/* s NULL leaves u absent.  The UTF-16 form is at most twice the UTF-8 length. */
static int u16_set(struct u16str *u, const char *s)
{
	if (s == NULL)
		return 0;
	if (strlen(s) > CT_KRB_MAX_STRING)
		return CT_ERR_TOO_LARGE;
	u->present = true;
	return ct_utf8_to_utf16le(s, &u->b);
}

static struct ct_ndr_str u16_view(const struct u16str *u)
{
	struct ct_ndr_str v;

	v.present = u->present;
	v.u16 = u->b.data;
	v.len = u->b.len;
	v.large = false;
	return v;
}

struct build_strs {
	struct u16str account, full, client, upn, dns, netbios;
	bool upn_constructed;
};

static void strs_free(struct build_strs *s)
{
	ct_buf_free(&s->account.b);
	ct_buf_free(&s->full.b);
	ct_buf_free(&s->client.b);
	ct_buf_free(&s->upn.b);
	ct_buf_free(&s->dns.b);
	ct_buf_free(&s->netbios.b);
}

/* UPN for a user without one: account@dns-domain in lower case, as DCs build it. */
static int constructed_upn(const struct ct_pac_user *u, struct u16str *out)
{
	struct ct_buf t;
	size_t i, n = strlen(u->dns_domain);
	int r;

	if (strlen(u->account_name) > CT_KRB_MAX_STRING || n > CT_KRB_MAX_STRING)
		return CT_ERR_TOO_LARGE;
	ct_buf_init(&t, 2 * CT_KRB_MAX_STRING + 2);
	ct_buf_put(&t, u->account_name, strlen(u->account_name));
	ct_buf_put_u8(&t, '@');
	for (i = 0; i < n; i++) {
		char c = u->dns_domain[i];

		ct_buf_put_u8(&t, (uint8_t)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
	}
	ct_buf_put_u8(&t, 0);
	r = t.err;
	if (r == 0) {
		out->present = true;
		r = ct_utf8_to_utf16le((const char *)t.data, &out->b);
	}
	ct_buf_free(&t);
	return r;
}

static int strs_prepare(const struct ct_pac_user *u, struct build_strs *s)
{
	int r;

	if ((r = u16_set(&s->account, u->account_name)) != 0 ||
	    (r = u16_set(&s->full, u->full_name)) != 0 ||
	    (r = u16_set(&s->client, u->client_name)) != 0 ||
	    (r = u16_set(&s->dns, u->dns_domain)) != 0 ||
	    (r = u16_set(&s->netbios, u->netbios_domain)) != 0)
		return r;
	if (u->upn != NULL && u->upn[0] != '\0')
		return u16_set(&s->upn, u->upn);
	s->upn_constructed = true;
	return constructed_upn(u, &s->upn);
}

static bool groups_have(const struct ct_pac_user *u, uint32_t rid)
{
	size_t i;

	for (i = 0; i < u->ngroups; i++)
		if (u->group_rids[i] == rid)
			return true;
	return false;
}

/* KERB_VALIDATION_INFO, type-serialised (MS-PAC 2.5, MS-RPCE 2.2.6). */
static int build_logon_info(const struct ct_pac_user *u,
			    const struct build_strs *s, struct ct_buf *out)
{
	static const struct ct_ndr_str none = {false, NULL, 0, false};
	struct ct_ndr_str account = u16_view(&s->account);
	struct ct_ndr_str full = u16_view(&s->full);
	struct ct_ndr_str netbios = u16_view(&s->netbios);
	bool add_primary = !groups_have(u, u->primary_group_rid);
	size_t ngroups = u->ngroups + (add_primary ? 1 : 0);
	uint32_t user_flags = u->nextra_sids > 0 ? CT_PAC_USER_EXTRA_SIDS : 0;
	struct ct_ndr_out w;
	struct ct_buf st;
	uint64_t logon;
	size_t i;
	int r;

	netbios.large = true; /* as Windows and Samba write LogonDomainName */
	if (ngroups > CT_PAC_MAX_GROUPS)
		return CT_ERR_TOO_LARGE;
	r = time_to_nttime(u->authtime, &logon);
	if (r != 0)
		return r;
	ct_buf_init(&st, CT_PAC_MAX_SIZE);
	ct_ndr_out_init(&w, &st);

	ct_ndr_put_ptr(&w, true); /* top-level unique pointer to the info */
	ct_ndr_put_nttime(&w, logon);        /* LogonTime */
	ct_ndr_put_nttime(&w, NTTIME_NEVER); /* LogoffTime */
	ct_ndr_put_nttime(&w, NTTIME_NEVER); /* KickOffTime */
	ct_ndr_put_nttime(&w, 0);            /* PasswordLastSet: unknown */
	ct_ndr_put_nttime(&w, 0);            /* PasswordCanChange: any time */
	ct_ndr_put_nttime(&w, NTTIME_NEVER); /* PasswordMustChange */
	ct_ndr_put_ustr_hdr(&w, &account);   /* EffectiveName */
	ct_ndr_put_ustr_hdr(&w, &full);      /* FullName */
	ct_ndr_put_ustr_hdr(&w, &none);      /* LogonScript */
	ct_ndr_put_ustr_hdr(&w, &none);      /* ProfilePath */
	ct_ndr_put_ustr_hdr(&w, &none);      /* HomeDirectory */
	ct_ndr_put_ustr_hdr(&w, &none);      /* HomeDirectoryDrive */
	ct_ndr_put_u16(&w, 0);               /* LogonCount */
	ct_ndr_put_u16(&w, 0);               /* BadPasswordCount */
	ct_ndr_put_u32(&w, u->rid);          /* UserId */
	ct_ndr_put_u32(&w, u->primary_group_rid);
	ct_ndr_put_u32(&w, (uint32_t)ngroups); /* GroupCount */
	ct_ndr_put_ptr(&w, ngroups > 0);     /* GroupIds */
	ct_ndr_put_u32(&w, user_flags);      /* UserFlags */
	ct_buf_put_zeros(&st, 16);           /* UserSessionKey */
	ct_ndr_put_ustr_hdr(&w, &none);      /* LogonServer */
	ct_ndr_put_ustr_hdr(&w, &netbios);   /* LogonDomainName */
	ct_ndr_put_ptr(&w, true);            /* LogonDomainId */
	ct_ndr_put_u32(&w, 0);               /* Reserved1[2] */
	ct_ndr_put_u32(&w, 0);
	ct_ndr_put_u32(&w, CT_PAC_UAC_NORMAL_ACCOUNT); /* UserAccountControl */
	ct_ndr_put_u32(&w, 0);               /* SubAuthStatus */
	ct_ndr_put_nttime(&w, 0);            /* LastSuccessfulILogon */
	ct_ndr_put_nttime(&w, 0);            /* LastFailedILogon */
	ct_ndr_put_u32(&w, 0);               /* FailedILogonCount */
	ct_ndr_put_u32(&w, 0);               /* Reserved3 */
	ct_ndr_put_u32(&w, (uint32_t)u->nextra_sids); /* SidCount */
	ct_ndr_put_ptr(&w, u->nextra_sids > 0);        /* ExtraSids */
	ct_ndr_put_ptr(&w, false);           /* ResourceGroupDomainSid */
	ct_ndr_put_u32(&w, 0);               /* ResourceGroupCount */
	ct_ndr_put_ptr(&w, false);           /* ResourceGroupIds */

	/* Deferred pointees, in the order of their pointers. */
	ct_ndr_put_ustr_body(&w, &account);
	ct_ndr_put_ustr_body(&w, &full);
	if (ngroups > 0) {
		ct_ndr_put_u32(&w, (uint32_t)ngroups);
		if (add_primary) {
			ct_ndr_put_u32(&w, u->primary_group_rid);
			ct_ndr_put_u32(&w, CT_PAC_GROUP_ATTRS);
		}
		for (i = 0; i < u->ngroups; i++) {
			ct_ndr_put_u32(&w, u->group_rids[i]);
			ct_ndr_put_u32(&w, CT_PAC_GROUP_ATTRS);
		}
	}
	ct_ndr_put_ustr_body(&w, &netbios);
	ct_ndr_put_sid2(&w, &u->domain_sid);
	if (u->nextra_sids > 0) {
		ct_ndr_put_u32(&w, (uint32_t)u->nextra_sids);
		for (i = 0; i < u->nextra_sids; i++) {
			ct_ndr_put_ptr(&w, true);
			ct_ndr_put_u32(&w, CT_PAC_GROUP_ATTRS);
		}
		for (i = 0; i < u->nextra_sids; i++)
			ct_ndr_put_sid2(&w, &u->extra_sids[i]);
	}
	/* Samba refuses an object buffer that is not a multiple of 8. */
	ct_ndr_put_align(&w, 8);
	r = st.err;
	if (r == 0) {
		ct_buf_put(out, typeser_common_hdr, sizeof(typeser_common_hdr));
		ct_buf_put_le32(out, (uint32_t)st.len); /* ObjectBufferLength */
		ct_buf_put_le32(out, 0);                 /* Filler */
		ct_buf_put(out, st.data, st.len);
		r = out->err;
	}
	ct_buf_free(&st);
	return r;
}

/* PAC_CLIENT_INFO (MS-PAC 2.7). */
static int build_client_info(const struct ct_pac_user *u,
			     const struct build_strs *s, struct ct_buf *out)
{
	uint64_t nt;
	int r = time_to_nttime(u->authtime, &nt);

	if (r != 0)
		return r;
	ct_buf_put_le64(out, nt);
	ct_buf_put_le16(out, (uint16_t)s->client.b.len);
	ct_buf_put(out, s->client.b.data, s->client.b.len);
	return out->err;
}

/* UPN_DNS_INFO with the SamName/Sid extension (MS-PAC 2.10). */
static int build_upn_dns_info(const struct ct_pac_user *u,
			      const struct build_strs *s,
			      const struct ct_sid *user_sid, struct ct_buf *out)
{
	size_t upn_off, dns_off, sam_off, sid_off, sid_len, end;
	uint32_t flags = CT_PAC_UPN_HAS_SAM_SID;

	if (s->upn_constructed)
		flags |= CT_PAC_UPN_CONSTRUCTED;
	sid_len = ct_sid_wire_len(user_sid);
	upn_off = round8(UPN_FIXED_EX);
	dns_off = round8(upn_off + s->upn.b.len);
	sam_off = round8(dns_off + s->dns.b.len);
	sid_off = round8(sam_off + s->account.b.len);
	/* Samba pads the buffer itself to 8 and counts the padding. */
	end = round8(sid_off + sid_len);
	if (end > UINT16_MAX)
		return CT_ERR_TOO_LARGE;
	ct_buf_put_le16(out, (uint16_t)s->upn.b.len);
	ct_buf_put_le16(out, (uint16_t)upn_off);
	ct_buf_put_le16(out, (uint16_t)s->dns.b.len);
	ct_buf_put_le16(out, (uint16_t)dns_off);
	ct_buf_put_le32(out, flags);
	ct_buf_put_le16(out, (uint16_t)s->account.b.len);
	ct_buf_put_le16(out, (uint16_t)sam_off);
	ct_buf_put_le16(out, (uint16_t)sid_len);
	ct_buf_put_le16(out, (uint16_t)sid_off);
	ct_buf_put_zeros(out, upn_off - UPN_FIXED_EX);
	ct_buf_put(out, s->upn.b.data, s->upn.b.len);
	ct_buf_put_zeros(out, dns_off - (upn_off + s->upn.b.len));
	ct_buf_put(out, s->dns.b.data, s->dns.b.len);
	ct_buf_put_zeros(out, sam_off - (dns_off + s->dns.b.len));
	ct_buf_put(out, s->account.b.data, s->account.b.len);
	ct_buf_put_zeros(out, sid_off - (sam_off + s->account.b.len));
	ct_sid_put(out, user_sid);
	ct_buf_put_zeros(out, end - (sid_off + sid_len));
	return out->err;
}

static bool sid_usable(const struct ct_sid *sid)
{
	return sid->revision == 1 && sid->nsub <= CT_SID_MAX_SUBAUTH;
}

static int check_user(const struct ct_pac_user *u)
{
	size_t i;

	if (u->account_name == NULL || u->account_name[0] == '\0' ||
	    u->client_name == NULL || u->client_name[0] == '\0' ||
	    u->dns_domain == NULL || u->dns_domain[0] == '\0')
		return CT_ERR_INVALID_ARG;
	/* The user SID (domain SID + RID) must fit in 15 sub-authorities. */
	if (!sid_usable(&u->domain_sid) ||
	    u->domain_sid.nsub >= CT_SID_MAX_SUBAUTH)
		return CT_ERR_INVALID_ARG;
	if (u->ngroups > CT_PAC_MAX_GROUPS || u->nextra_sids > CT_PAC_MAX_SIDS)
		return CT_ERR_TOO_LARGE;
	if ((u->ngroups > 0 && u->group_rids == NULL) ||
	    (u->nextra_sids > 0 && u->extra_sids == NULL))
		return CT_ERR_INVALID_ARG;
	for (i = 0; i < u->nextra_sids; i++)
		if (!sid_usable(&u->extra_sids[i]))
			return CT_ERR_INVALID_ARG;
	return 0;
}

/* A buffer of the PAC under construction. */
struct build_buf {
	uint32_t type;
	struct ct_buf data;
	size_t offset;
};

#define BUILD_MAX 7

int ct_pac_build(struct ct_kcrypto *kc, const struct ct_pac_user *user,
		 const struct ct_pac_options *opt,
		 const struct ct_krb_key *server_key,
		 const struct ct_krb_key *kdc_key, struct ct_buf *out)
{
	static const struct ct_pac_options defaults;
	struct build_buf bufs[BUILD_MAX];
	struct build_strs strs;
	struct ct_buf pac, ck;
	struct ct_sid user_sid;
	int32_t srv_type, kdc_type;
	size_t srv_len, kdc_len, nbufs = 0, i, pos;
	size_t srv_idx, kdc_idx;
	int r;

	if (user == NULL || server_key == NULL || kdc_key == NULL || kc == NULL)
		return CT_ERR_INVALID_ARG;
	if (opt == NULL)
		opt = &defaults;
	r = check_user(user);
	if (r != 0)
		return r;
	srv_type = ct_enctype_cksumtype(server_key->enctype);
	kdc_type = ct_enctype_cksumtype(kdc_key->enctype);
	if (srv_type == 0 || kdc_type == 0)
		return CT_ERR_UNSUPPORTED_ENCTYPE;
	srv_len = ct_cksumtype_len(kc, srv_type);
	kdc_len = ct_cksumtype_len(kc, kdc_type);
	if (srv_len == 0 || srv_len > SIG_VALUE_MAX || kdc_len == 0 ||
	    kdc_len > SIG_VALUE_MAX)
		return CT_ERR_CRYPTO;
	if (ct_sid_join(&user->domain_sid, user->rid, &user_sid) != 0)
		return CT_ERR_INVALID_ARG;

	memset(&strs, 0, sizeof(strs));
	u16_init(&strs.account);
	u16_init(&strs.full);
	u16_init(&strs.client);
	u16_init(&strs.upn);
	u16_init(&strs.dns);
	u16_init(&strs.netbios);
	for (i = 0; i < BUILD_MAX; i++)
		ct_buf_init(&bufs[i].data, CT_PAC_MAX_SIZE);
	ct_buf_init(&pac, CT_PAC_MAX_SIZE);
	ct_buf_init(&ck, SIG_VALUE_MAX);

	r = strs_prepare(user, &strs);
	if (r != 0)
		goto out;

	bufs[nbufs].type = CT_PAC_LOGON_INFO;
	r = build_logon_info(user, &strs, &bufs[nbufs++].data);
	if (r != 0)
		goto out;
	bufs[nbufs].type = CT_PAC_CLIENT_INFO;
	r = build_client_info(user, &strs, &bufs[nbufs++].data);
	if (r != 0)
		goto out;
	if (!opt->omit_upn_dns_info) {
		bufs[nbufs].type = CT_PAC_UPN_DNS_INFO;
		r = build_upn_dns_info(user, &strs, &user_sid,
				       &bufs[nbufs++].data);
		if (r != 0)
			goto out;
	}
	if (!opt->omit_attributes) {
		bufs[nbufs].type = CT_PAC_ATTRIBUTES_INFO;
		ct_buf_put_le32(&bufs[nbufs].data, 2); /* FlagsLength, in bits */
		ct_buf_put_le32(&bufs[nbufs].data, CT_PAC_WAS_REQUESTED);
		nbufs++;
	}
	if (!opt->omit_requestor) {
		bufs[nbufs].type = CT_PAC_REQUESTOR;
		ct_sid_put(&bufs[nbufs].data, &user_sid);
		nbufs++;
	}
	/* Signature buffers with zeroed values (and RODC id) for now. */
	srv_idx = nbufs;
	bufs[nbufs].type = CT_PAC_SERVER_CHECKSUM;
	ct_buf_put_le32(&bufs[nbufs].data, (uint32_t)srv_type);
	ct_buf_put_zeros(&bufs[nbufs].data, srv_len);
	nbufs++;
	kdc_idx = nbufs;
	bufs[nbufs].type = CT_PAC_PRIVSVR_CHECKSUM;
	ct_buf_put_le32(&bufs[nbufs].data, (uint32_t)kdc_type);
	ct_buf_put_zeros(&bufs[nbufs].data, kdc_len + (opt->has_rodc_id ? 2 : 0));
	nbufs++;

	/* Header, then each buffer 8-aligned and zero-padded. */
	pos = PAC_HEADER_LEN + PAC_INFO_LEN * nbufs;
	ct_buf_put_le32(&pac, (uint32_t)nbufs);
	ct_buf_put_le32(&pac, 0); /* Version */
	for (i = 0; i < nbufs; i++) {
		if (bufs[i].data.err != 0) {
			r = bufs[i].data.err;
			goto out;
		}
		if (bufs[i].data.len > UINT32_MAX || pos > CT_PAC_MAX_SIZE) {
			r = CT_ERR_TOO_LARGE;
			goto out;
		}
		bufs[i].offset = pos;
		ct_buf_put_le32(&pac, bufs[i].type);
		ct_buf_put_le32(&pac, (uint32_t)bufs[i].data.len);
		ct_buf_put_le64(&pac, pos);
		pos = round8(pos + bufs[i].data.len);
	}
	for (i = 0; i < nbufs; i++) {
		ct_buf_put(&pac, bufs[i].data.data, bufs[i].data.len);
		ct_buf_put_zeros(&pac, round8(pac.len) - pac.len);
	}
	if (pac.err != 0) {
		r = pac.err;
		goto out;
	}

	/* Server signature over the whole PAC with both values zeroed. */
	r = ct_kcrypto_checksum(kc, server_key, CT_KU_PAC_SIGNATURE, srv_type,
				pac.data, pac.len, &ck, NULL);
	if (r != 0)
		goto out;
	if (ck.len != srv_len) {
		r = CT_ERR_INTERNAL;
		goto out;
	}
	memcpy(pac.data + bufs[srv_idx].offset + 4, ck.data, srv_len);
	ct_buf_free(&ck);

	/* KDC signature over the server signature value. */
	r = ct_kcrypto_checksum(kc, kdc_key, CT_KU_PAC_SIGNATURE, kdc_type,
				pac.data + bufs[srv_idx].offset + 4, srv_len,
				&ck, NULL);
	if (r != 0)
		goto out;
	if (ck.len != kdc_len) {
		r = CT_ERR_INTERNAL;
		goto out;
	}
	memcpy(pac.data + bufs[kdc_idx].offset + 4, ck.data, kdc_len);
	if (opt->has_rodc_id)
		wr_le16(pac.data + bufs[kdc_idx].offset + 4 + kdc_len,
			opt->rodc_id);

	ct_buf_put(out, pac.data, pac.len);
	r = out->err;
out:
	for (i = 0; i < BUILD_MAX; i++)
		ct_buf_free(&bufs[i].data);
	ct_buf_free(&pac);
	ct_buf_free(&ck);
	strs_free(&strs);
	return r;
}

/* ======================================================================
 * Header parsing, shared by the decoder and the verifiers
 * ====================================================================== */

struct pac_entry {
	uint32_t type;
	uint32_t size;
	uint64_t off;
};

struct pac_hdr {
	size_t n;
	struct pac_entry e[CT_PAC_MAX_BUFFERS];
};

static int parse_header(const uint8_t *pac, size_t len, struct pac_hdr *h)
{
	uint32_t n, version;
	size_t i, j, hdr_end;

	if (len > CT_PAC_MAX_SIZE)
		return CT_ERR_TOO_LARGE;
	if (pac == NULL || len < PAC_HEADER_LEN)
		return CT_ERR_BAD_PAC;
	n = rd_le32(pac);
	version = rd_le32(pac + 4);
	if (n > CT_PAC_MAX_BUFFERS)
		return CT_ERR_TOO_LARGE;
	if (n == 0 || version != 0)
		return CT_ERR_BAD_PAC;
	hdr_end = PAC_HEADER_LEN + (size_t)n * PAC_INFO_LEN;
	if (hdr_end > len)
		return CT_ERR_BAD_PAC;
	for (i = 0; i < n; i++) {
		const uint8_t *p = pac + PAC_HEADER_LEN + i * PAC_INFO_LEN;
		struct pac_entry *e = &h->e[i];

		e->type = rd_le32(p);
		e->size = rd_le32(p + 4);
		e->off = rd_le64(p + 8);
		if (e->off % PAC_ALIGN != 0 || e->off < hdr_end ||
		    e->off > len || e->size > len - e->off)
			return CT_ERR_BAD_PAC;
		for (j = 0; j < i; j++) {
			const struct pac_entry *f = &h->e[j];

			if (type_is_known(e->type) && e->type == f->type)
				return CT_ERR_BAD_PAC;
			if (e->size > 0 && f->size > 0 &&
			    e->off < f->off + f->size && f->off < e->off + e->size)
				return CT_ERR_BAD_PAC;
		}
	}
	h->n = n;
	return 0;
}

static const struct pac_entry *hdr_find(const struct pac_hdr *h, uint32_t type)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (h->e[i].type == type)
			return &h->e[i];
	return NULL;
}

/*
 * PAC_SIGNATURE_DATA: SignatureType, Signature, and (KDC only) an optional
 * RODCIdentifier.  For a known type the value length must match exactly.
 */
static int parse_signature(const uint8_t *p, size_t size, bool allow_rodc,
			   struct ct_pac_signature *sig)
{
	size_t want, vlen;

	if (size < 4)
		return CT_ERR_BAD_PAC;
	memset(sig, 0, sizeof(*sig));
	sig->type = rd_le32(p);
	vlen = size - 4;
	want = cksum_value_len(sig->type);
	if (want != 0 && vlen != want) {
		if (!allow_rodc || vlen != want + 2)
			return CT_ERR_BAD_PAC;
		sig->has_rodc_id = true;
		sig->rodc_id = rd_le16(p + 4 + want);
		vlen = want;
	}
	sig->value.data = (uint8_t *)(uintptr_t)(p + 4);
	sig->value.len = vlen;
	return 0;
}

/* ======================================================================
 * Decoder
 * ====================================================================== */

/* Maps an NDR reader status onto the decoder's codes. */
static int ndr_status(const struct ct_ndr_in *r)
{
	switch (r->c.err) {
	case 0:
		return 0;
	case CT_ERR_NOMEM:
	case CT_ERR_TOO_LARGE:
		return r->c.err;
	default:
		return CT_ERR_BAD_PAC;
	}
}

/* A conformant array of GROUP_MEMBERSHIP {RelativeId, Attributes}. */
static void get_groups(struct ct_ndr_in *r, struct ct_arena *a, uint32_t count,
		       uint32_t **rids, uint32_t **attrs)
{
	uint32_t i;

	*rids = *attrs = NULL;
	ct_ndr_get_conformance(r, count, CT_PAC_MAX_GROUPS);
	if (r->c.err != 0 || count == 0)
		return;
	*rids = ct_arena_alloc(a, count * sizeof(uint32_t));
	*attrs = ct_arena_alloc(a, count * sizeof(uint32_t));
	if (*rids == NULL || *attrs == NULL) {
		ct_ndr_fail(r, CT_ERR_NOMEM);
		return;
	}
	for (i = 0; i < count; i++) {
		(*rids)[i] = ct_ndr_get_u32(r);
		(*attrs)[i] = ct_ndr_get_u32(r);
	}
}

static int decode_logon_info(struct ct_arena *a, const uint8_t *p, size_t size,
			     struct ct_pac_logon_info **out)
{
	struct ct_ndr_ustr_hdr h_eff, h_full, h_script, h_profile, h_home,
		h_drive, h_server, h_domain;
	uint32_t ref, gcount, gptr, sidptr, scount, sptr, rdomptr, rcount, rptr;
	struct ct_pac_logon_info *li;
	struct ct_ndr_in r;
	char *ignored;
	uint32_t objlen, i;

	if (size < TYPESER_HDR_LEN ||
	    memcmp(p, typeser_common_hdr, sizeof(typeser_common_hdr)) != 0)
		return CT_ERR_BAD_PAC;
	objlen = rd_le32(p + 8);
	/* Filler (p + 12) is not checked: nothing depends on it. */
	if (objlen % 8 != 0 || objlen > size - TYPESER_HDR_LEN ||
	    size - TYPESER_HDR_LEN - objlen >= 8)
		return CT_ERR_BAD_PAC;
	li = ct_arena_alloc(a, sizeof(*li));
	if (li == NULL)
		return CT_ERR_NOMEM;
	ct_ndr_in_init(&r, p + TYPESER_HDR_LEN, objlen);

	ref = ct_ndr_get_u32(&r);
	li->logon_time = nttime_to_time(ct_ndr_get_nttime(&r));
	(void)ct_ndr_get_nttime(&r); /* LogoffTime */
	(void)ct_ndr_get_nttime(&r); /* KickOffTime */
	(void)ct_ndr_get_nttime(&r); /* PasswordLastSet */
	(void)ct_ndr_get_nttime(&r); /* PasswordCanChange */
	(void)ct_ndr_get_nttime(&r); /* PasswordMustChange */
	ct_ndr_get_ustr_hdr(&r, &h_eff);
	ct_ndr_get_ustr_hdr(&r, &h_full);
	ct_ndr_get_ustr_hdr(&r, &h_script);
	ct_ndr_get_ustr_hdr(&r, &h_profile);
	ct_ndr_get_ustr_hdr(&r, &h_home);
	ct_ndr_get_ustr_hdr(&r, &h_drive);
	(void)ct_ndr_get_u16(&r); /* LogonCount */
	(void)ct_ndr_get_u16(&r); /* BadPasswordCount */
	li->user_rid = ct_ndr_get_u32(&r);
	li->primary_group_rid = ct_ndr_get_u32(&r);
	gcount = ct_ndr_get_u32(&r);
	gptr = ct_ndr_get_u32(&r);
	li->user_flags = ct_ndr_get_u32(&r);
	(void)ct_ndr_get_bytes(&r, 16); /* UserSessionKey */
	ct_ndr_get_ustr_hdr(&r, &h_server);
	ct_ndr_get_ustr_hdr(&r, &h_domain);
	sidptr = ct_ndr_get_u32(&r);
	(void)ct_ndr_get_u32(&r); /* Reserved1[2] */
	(void)ct_ndr_get_u32(&r);
	li->user_account_control = ct_ndr_get_u32(&r);
	(void)ct_ndr_get_u32(&r);    /* SubAuthStatus */
	(void)ct_ndr_get_nttime(&r); /* LastSuccessfulILogon */
	(void)ct_ndr_get_nttime(&r); /* LastFailedILogon */
	(void)ct_ndr_get_u32(&r);    /* FailedILogonCount */
	(void)ct_ndr_get_u32(&r);    /* Reserved3 */
	scount = ct_ndr_get_u32(&r);
	sptr = ct_ndr_get_u32(&r);
	rdomptr = ct_ndr_get_u32(&r);
	rcount = ct_ndr_get_u32(&r);
	rptr = ct_ndr_get_u32(&r);
	if (r.c.err != 0)
		return ndr_status(&r);
	if (ref == 0 || sidptr == 0 || (gptr == 0 && gcount != 0) ||
	    (sptr == 0 && scount != 0) || (rptr == 0 && rcount != 0) ||
	    (rdomptr == 0 && rcount != 0))
		return CT_ERR_BAD_PAC;
	if (gcount > CT_PAC_MAX_GROUPS || scount > CT_PAC_MAX_SIDS ||
	    rcount > CT_PAC_MAX_GROUPS)
		return CT_ERR_TOO_LARGE;

	/* Deferred pointees, in pointer order. */
	ct_ndr_get_ustr_body(&r, a, &h_eff, &li->effective_name);
	ct_ndr_get_ustr_body(&r, a, &h_full, &li->full_name);
	ct_ndr_get_ustr_body(&r, a, &h_script, &ignored);
	ct_ndr_get_ustr_body(&r, a, &h_profile, &ignored);
	ct_ndr_get_ustr_body(&r, a, &h_home, &ignored);
	ct_ndr_get_ustr_body(&r, a, &h_drive, &ignored);
	if (gptr != 0) {
		get_groups(&r, a, gcount, &li->group_rids, &li->group_attrs);
		li->ngroups = gcount;
	}
	ct_ndr_get_ustr_body(&r, a, &h_server, &ignored);
	ct_ndr_get_ustr_body(&r, a, &h_domain, &li->logon_domain_name);
	ct_ndr_get_sid2(&r, &li->logon_domain_sid);
	if (sptr != 0) {
		ct_ndr_get_conformance(&r, scount, CT_PAC_MAX_SIDS);
		if (r.c.err == 0 && scount > 0) {
			li->extra_sids = ct_arena_alloc(a, scount * sizeof(struct ct_sid));
			li->extra_sid_attrs = ct_arena_alloc(a, scount * sizeof(uint32_t));
			if (li->extra_sids == NULL || li->extra_sid_attrs == NULL)
				return CT_ERR_NOMEM;
		}
		for (i = 0; i < scount && r.c.err == 0; i++) {
			if (ct_ndr_get_u32(&r) == 0 && r.c.err == 0)
				ct_ndr_fail(&r, CT_ERR_BAD_VALUE);
			li->extra_sid_attrs[i] = ct_ndr_get_u32(&r);
		}
		for (i = 0; i < scount && r.c.err == 0; i++)
			ct_ndr_get_sid2(&r, &li->extra_sids[i]);
		li->nextra_sids = scount;
	}
	if (rdomptr != 0) {
		li->resource_domain_sid = ct_arena_alloc(a, sizeof(struct ct_sid));
		if (li->resource_domain_sid == NULL)
			return CT_ERR_NOMEM;
		ct_ndr_get_sid2(&r, li->resource_domain_sid);
	}
	if (rptr != 0) {
		get_groups(&r, a, rcount, &li->resource_group_rids,
			   &li->resource_group_attrs);
		li->nresource_groups = rcount;
	}
	if (r.c.err != 0)
		return ndr_status(&r);
	/* Only the padding to the multiple of 8 may follow. */
	if (ct_ndr_in_left(&r) >= 8)
		return CT_ERR_BAD_PAC;
	*out = li;
	return 0;
}

static int decode_client_info(struct ct_arena *a, const uint8_t *p, size_t size,
			      struct ct_pac_client_info **out)
{
	struct ct_pac_client_info *ci;
	uint16_t nlen;

	if (size < CLIENT_INFO_FIXED)
		return CT_ERR_BAD_PAC;
	nlen = rd_le16(p + 8);
	if (nlen % 2 != 0 || (size_t)CLIENT_INFO_FIXED + nlen != size)
		return CT_ERR_BAD_PAC;
	ci = ct_arena_alloc(a, sizeof(*ci));
	if (ci == NULL)
		return CT_ERR_NOMEM;
	ci->client_id = nttime_to_time(rd_le64(p));
	switch (ct_utf16le_to_utf8(a, p + CLIENT_INFO_FIXED, nlen, &ci->name)) {
	case 0:
		break;
	case CT_ERR_NOMEM:
		return CT_ERR_NOMEM;
	default:
		return CT_ERR_BAD_PAC;
	}
	*out = ci;
	return 0;
}

/* A string of UPN_DNS_INFO: (length, offset) relative to the buffer. */
static int upn_string(struct ct_arena *a, const uint8_t *p, size_t size,
		      size_t fixed, uint16_t len, uint16_t off, char **out)
{
	int r;

	if (len % 2 != 0)
		return CT_ERR_BAD_PAC;
	if (len == 0) {
		*out = ct_arena_strdup(a, "");
		return *out == NULL ? CT_ERR_NOMEM : 0;
	}
	if (off < fixed || (size_t)off + len > size)
		return CT_ERR_BAD_PAC;
	r = ct_utf16le_to_utf8(a, p + off, len, out);
	if (r != 0 && r != CT_ERR_NOMEM)
		r = CT_ERR_BAD_PAC;
	return r;
}

static int decode_upn_dns_info(struct ct_arena *a, const uint8_t *p,
			       size_t size, struct ct_pac_upn_dns_info **out)
{
	struct ct_pac_upn_dns_info *ui;
	size_t fixed;
	int r;

	if (size < UPN_FIXED)
		return CT_ERR_BAD_PAC;
	ui = ct_arena_alloc(a, sizeof(*ui));
	if (ui == NULL)
		return CT_ERR_NOMEM;
	ui->flags = rd_le32(p + 8);
	fixed = (ui->flags & CT_PAC_UPN_HAS_SAM_SID) ? UPN_FIXED_EX : UPN_FIXED;
	if (size < fixed)
		return CT_ERR_BAD_PAC;
	r = upn_string(a, p, size, fixed, rd_le16(p), rd_le16(p + 2), &ui->upn);
	if (r != 0)
		return r;
	r = upn_string(a, p, size, fixed, rd_le16(p + 4), rd_le16(p + 6),
		       &ui->dns_domain);
	if (r != 0)
		return r;
	if (ui->flags & CT_PAC_UPN_HAS_SAM_SID) {
		uint16_t sid_len = rd_le16(p + 16), sid_off = rd_le16(p + 18);

		r = upn_string(a, p, size, fixed, rd_le16(p + 12),
			       rd_le16(p + 14), &ui->sam_name);
		if (r != 0)
			return r;
		if (sid_len > 0) {
			struct ct_cursor c;

			if (sid_off < fixed || (size_t)sid_off + sid_len > size)
				return CT_ERR_BAD_PAC;
			ct_cursor_init(&c, p + sid_off, sid_len);
			if (ct_sid_get(&c, &ui->sid) != 0 || !ct_cursor_empty(&c))
				return CT_ERR_BAD_PAC;
			ui->has_sid = true;
		}
	}
	*out = ui;
	return 0;
}

static int decode_requestor(const uint8_t *p, size_t size, struct ct_sid *sid)
{
	struct ct_cursor c;

	ct_cursor_init(&c, p, size);
	if (ct_sid_get(&c, sid) != 0 || !ct_cursor_empty(&c))
		return CT_ERR_BAD_PAC;
	return 0;
}

/* PAC_ATTRIBUTES_INFO: FlagsLength (bits), then ceil(bits/32) u32 words. */
static int decode_attributes(const uint8_t *p, size_t size, uint32_t *flags)
{
	uint32_t bits;
	uint64_t words;

	if (size < 8)
		return CT_ERR_BAD_PAC;
	bits = rd_le32(p);
	words = ((uint64_t)bits + 31) / 32;
	if (bits == 0 || 4 + 4 * words != size)
		return CT_ERR_BAD_PAC;
	*flags = rd_le32(p + 4);
	return 0;
}

int ct_pac_decode(struct ct_arena *a, const uint8_t *pac, size_t len,
		  struct ct_pac *out)
{
	struct pac_hdr h;
	struct ct_pac res;
	uint8_t *copy;
	size_t i;
	int r;

	r = parse_header(pac, len, &h);
	if (r != 0)
		return r;
	memset(&res, 0, sizeof(res));
	copy = ct_arena_memdup(a, pac, len, 0);
	res.buffers = ct_arena_alloc(a, h.n * sizeof(*res.buffers));
	if (copy == NULL || res.buffers == NULL)
		return CT_ERR_NOMEM;
	res.nbuffers = h.n;
	for (i = 0; i < h.n; i++) {
		const struct pac_entry *e = &h.e[i];
		const uint8_t *p = copy + e->off;
		struct ct_pac_signature *sig;

		res.buffers[i].type = e->type;
		res.buffers[i].offset = e->off;
		res.buffers[i].data.data = copy + e->off;
		res.buffers[i].data.len = e->size;
		switch (e->type) {
		case CT_PAC_LOGON_INFO:
			r = decode_logon_info(a, p, e->size, &res.logon_info);
			break;
		case CT_PAC_CLIENT_INFO:
			r = decode_client_info(a, p, e->size, &res.client_info);
			break;
		case CT_PAC_UPN_DNS_INFO:
			r = decode_upn_dns_info(a, p, e->size, &res.upn_dns_info);
			break;
		case CT_PAC_REQUESTOR:
			r = decode_requestor(p, e->size, &res.requestor);
			res.has_requestor = r == 0;
			break;
		case CT_PAC_ATTRIBUTES_INFO:
			r = decode_attributes(p, e->size, &res.attributes_flags);
			res.has_attributes = r == 0;
			break;
		case CT_PAC_SERVER_CHECKSUM:
		case CT_PAC_PRIVSVR_CHECKSUM:
			sig = ct_arena_alloc(a, sizeof(*sig));
			if (sig == NULL)
				return CT_ERR_NOMEM;
			r = parse_signature(p, e->size,
					    e->type == CT_PAC_PRIVSVR_CHECKSUM, sig);
			if (e->type == CT_PAC_SERVER_CHECKSUM)
				res.server_sig = sig;
			else
				res.kdc_sig = sig;
			break;
		default:
			r = 0;
			break;
		}
		if (r != 0)
			return r;
	}
	*out = res;
	return 0;
}

/* ======================================================================
 * Verification
 * ====================================================================== */

struct sigs {
	const struct pac_entry *srv, *kdc;
	struct ct_pac_signature srv_sig, kdc_sig;
};

static int locate_sigs(const uint8_t *pac, size_t len, struct pac_hdr *h,
		       struct sigs *s)
{
	if (parse_header(pac, len, h) != 0)
		return CT_ERR_BAD_PAC;
	s->srv = hdr_find(h, CT_PAC_SERVER_CHECKSUM);
	s->kdc = hdr_find(h, CT_PAC_PRIVSVR_CHECKSUM);
	if (s->srv == NULL || s->kdc == NULL)
		return CT_ERR_BAD_PAC;
	if (parse_signature(pac + s->srv->off, s->srv->size, false,
			    &s->srv_sig) != 0 ||
	    parse_signature(pac + s->kdc->off, s->kdc->size, true,
			    &s->kdc_sig) != 0)
		return CT_ERR_BAD_PAC;
	return 0;
}

/*
 * Checks sig against key: the type must be the key's mandatory checksum
 * type (never an unkeyed one) and the value must verify over data.
 */
static int verify_sig(struct ct_kcrypto *kc, const struct ct_krb_key *key,
		      const struct ct_pac_signature *sig, const uint8_t *data,
		      size_t len)
{
	uint8_t value[SIG_VALUE_MAX];
	struct ct_krb_checksum ck;
	int32_t want = ct_enctype_cksumtype(key->enctype);
	int r;

	if (want == 0)
		return CT_ERR_UNSUPPORTED_ENCTYPE;
	if ((int32_t)sig->type != want)
		return CT_ERR_PAC_SIGNATURE;
	if (sig->value.len != cksum_value_len(sig->type) ||
	    sig->value.len > sizeof(value))
		return CT_ERR_BAD_PAC;
	memcpy(value, sig->value.data, sig->value.len);
	ck.type = want;
	ck.value.data = value;
	ck.value.len = sig->value.len;
	r = ct_kcrypto_verify_checksum(kc, key, CT_KU_PAC_SIGNATURE, data, len,
				       &ck);
	return r == CT_ERR_INTEGRITY ? CT_ERR_PAC_SIGNATURE : r;
}

int ct_pac_verify_server(struct ct_kcrypto *kc, const uint8_t *pac, size_t len,
			 const struct ct_krb_key *key)
{
	struct pac_hdr h;
	struct sigs s;
	struct ct_buf copy;
	int r;

	r = locate_sigs(pac, len, &h, &s);
	if (r != 0)
		return r;
	ct_buf_init(&copy, CT_PAC_MAX_SIZE);
	ct_buf_put(&copy, pac, len);
	if (copy.err != 0) {
		r = copy.err;
		goto out;
	}
	/* Zero everything after SignatureType in both buffers. */
	memset(copy.data + s.srv->off + 4, 0, s.srv->size - 4);
	memset(copy.data + s.kdc->off + 4, 0, s.kdc->size - 4);
	r = verify_sig(kc, key, &s.srv_sig, copy.data, copy.len);
out:
	ct_buf_free(&copy);
	return r;
}

int ct_pac_verify_kdc(struct ct_kcrypto *kc, const uint8_t *pac, size_t len,
		      const struct ct_krb_key *key)
{
	struct pac_hdr h;
	struct sigs s;
	int r;

	r = locate_sigs(pac, len, &h, &s);
	if (r != 0)
		return r;
	return verify_sig(kc, key, &s.kdc_sig, s.srv_sig.value.data,
			  s.srv_sig.value.len);
}

/* ======================================================================
 * Dump
 * ====================================================================== */

/* Prints s with control characters (C0, DEL, C1) and backslash escaped. */
static void print_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (s == NULL) {
		fputs("(null)", f);
		return;
	}
	fputc('"', f);
	for (; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f || *p == '\\' || *p == '"') {
			fprintf(f, "\\x%02x", *p);
		} else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			fprintf(f, "\\u%04x", p[1]);
			p++;
		} else {
			fputc(*p, f);
		}
	}
	fputc('"', f);
}

static void print_time(FILE *f, time_t t)
{
	struct tm tm;
	char buf[64];

	if (gmtime_r(&t, &tm) != NULL &&
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) > 0)
		fputs(buf, f);
	else
		fprintf(f, "%" PRId64, (int64_t)t);
}

static void print_sid(FILE *f, const struct ct_sid *sid)
{
	char buf[CT_SID_STRING_MAX];

	ct_sid_format(sid, buf, sizeof(buf));
	fputs(buf, f);
}

static void print_hex(FILE *f, const struct ct_bytes *b)
{
	size_t i;

	for (i = 0; i < b->len; i++)
		fprintf(f, "%02x", b->data[i]);
}

static void print_logon_info(FILE *f, const struct ct_pac_logon_info *li)
{
	size_t i;

	fputs("LOGON_INFO:\n  logon time:        ", f);
	print_time(f, li->logon_time);
	fputs("\n  effective name:    ", f);
	print_str(f, li->effective_name);
	fputs("\n  full name:         ", f);
	print_str(f, li->full_name);
	fputs("\n  logon domain name: ", f);
	print_str(f, li->logon_domain_name);
	fputs("\n  logon domain SID:  ", f);
	print_sid(f, &li->logon_domain_sid);
	fprintf(f, "\n  user RID:          %" PRIu32 "\n", li->user_rid);
	fprintf(f, "  primary group RID: %" PRIu32 "\n", li->primary_group_rid);
	fprintf(f, "  user flags:        0x%08" PRIx32 "\n", li->user_flags);
	fprintf(f, "  account control:   0x%08" PRIx32 "\n",
		li->user_account_control);
	fprintf(f, "  groups (%zu):\n", li->ngroups);
	for (i = 0; i < li->ngroups; i++)
		fprintf(f, "    %" PRIu32 " attributes 0x%" PRIx32 "\n",
			li->group_rids[i], li->group_attrs[i]);
	fprintf(f, "  extra SIDs (%zu):\n", li->nextra_sids);
	for (i = 0; i < li->nextra_sids; i++) {
		fputs("    ", f);
		print_sid(f, &li->extra_sids[i]);
		fprintf(f, " attributes 0x%" PRIx32 "\n", li->extra_sid_attrs[i]);
	}
	if (li->resource_domain_sid != NULL) {
		fputs("  resource group domain SID: ", f);
		print_sid(f, li->resource_domain_sid);
		fputc('\n', f);
	}
	if (li->nresource_groups > 0) {
		fprintf(f, "  resource groups (%zu):\n", li->nresource_groups);
		for (i = 0; i < li->nresource_groups; i++)
			fprintf(f, "    %" PRIu32 " attributes 0x%" PRIx32 "\n",
				li->resource_group_rids[i],
				li->resource_group_attrs[i]);
	}
}

static void print_sig(FILE *f, const char *label,
		      const struct ct_pac_signature *sig)
{
	fprintf(f, "%s:\n  type:  %" PRId32 "\n  value: ", label,
		(int32_t)sig->type);
	print_hex(f, &sig->value);
	fputc('\n', f);
	if (sig->has_rodc_id)
		fprintf(f, "  RODC identifier: %u\n", sig->rodc_id);
}

void ct_pac_print(FILE *f, const struct ct_pac *pac)
{
	size_t i;

	fprintf(f, "PAC: %zu buffers\n", pac->nbuffers);
	for (i = 0; i < pac->nbuffers; i++)
		fprintf(f, "  [%zu] type %2" PRIu32 " %-18s offset %6" PRIu64
			   " size %zu\n",
			i, pac->buffers[i].type,
			ct_pac_type_name(pac->buffers[i].type),
			pac->buffers[i].offset, pac->buffers[i].data.len);
	if (pac->logon_info != NULL)
		print_logon_info(f, pac->logon_info);
	if (pac->client_info != NULL) {
		fputs("CLIENT_INFO:\n  client id: ", f);
		print_time(f, pac->client_info->client_id);
		fputs("\n  name:      ", f);
		print_str(f, pac->client_info->name);
		fputc('\n', f);
	}
	if (pac->upn_dns_info != NULL) {
		const struct ct_pac_upn_dns_info *u = pac->upn_dns_info;

		fputs("UPN_DNS_INFO:\n  UPN:        ", f);
		print_str(f, u->upn);
		fputs("\n  DNS domain: ", f);
		print_str(f, u->dns_domain);
		fprintf(f, "\n  flags:      0x%" PRIx32 "%s%s\n", u->flags,
			(u->flags & CT_PAC_UPN_CONSTRUCTED) ? " U" : "",
			(u->flags & CT_PAC_UPN_HAS_SAM_SID) ? " S" : "");
		if (u->sam_name != NULL) {
			fputs("  SAM name:   ", f);
			print_str(f, u->sam_name);
			fputc('\n', f);
		}
		if (u->has_sid) {
			fputs("  SID:        ", f);
			print_sid(f, &u->sid);
			fputc('\n', f);
		}
	}
	if (pac->has_attributes)
		fprintf(f, "ATTRIBUTES_INFO:\n  flags: 0x%" PRIx32 "%s%s\n",
			pac->attributes_flags,
			(pac->attributes_flags & CT_PAC_WAS_REQUESTED)
				? " PAC_WAS_REQUESTED" : "",
			(pac->attributes_flags & CT_PAC_WAS_GIVEN_IMPLICITLY)
				? " PAC_WAS_GIVEN_IMPLICITLY" : "");
	if (pac->has_requestor) {
		fputs("REQUESTOR:\n  SID: ", f);
		print_sid(f, &pac->requestor);
		fputc('\n', f);
	}
	if (pac->server_sig != NULL)
		print_sig(f, "SERVER_CHECKSUM", pac->server_sig);
	if (pac->kdc_sig != NULL)
		print_sig(f, "PRIVSVR_CHECKSUM", pac->kdc_sig);
}
