/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Privilege Attribute Certificate (MS-PAC): a builder that makes the PAC
 * of a partial TGT (what a Samba 4.17 / Windows writable DC accepts, see
 * PROTOCOL-NOTES §4), a strict decoder, signature verification and a dump.
 *
 * Layout (MS-PAC 2.3/2.4): PACTYPE {cBuffers, Version = 0, Buffers[]
 * {ulType, cbBufferSize, Offset (u64)}}, then each buffer at an 8-aligned
 * offset, zero-padded to a multiple of 8 (the last one too).
 *
 * Signatures (MS-PAC 2.8): the server signature (type 6) is a keyed checksum
 * (usage 17) over the whole PAC with everything after SignatureType in both
 * signature buffers zeroed -- the Signature bytes and, in the KDC buffer,
 * the RODCIdentifier too, as Samba/Heimdal do when verifying.  The KDC
 * signature (type 7) is a keyed checksum over the server Signature bytes.
 * The checksum type is always the key's mandatory type; a verifier refuses
 * any other (an unkeyed type would let anyone forge the PAC).
 */
#ifndef CT_PAC_H
#define CT_PAC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "ct-arena.h"
#include "ct-buf.h"
#include "ct-limits.h"
#include "kcrypto.h"
#include "krb-msg.h"
#include "sid.h"

/* PAC_INFO_BUFFER ulType values (MS-PAC 2.4). */
enum {
	CT_PAC_LOGON_INFO = 1,
	CT_PAC_CREDENTIALS_INFO = 2,
	CT_PAC_SERVER_CHECKSUM = 6,
	CT_PAC_PRIVSVR_CHECKSUM = 7,
	CT_PAC_CLIENT_INFO = 10,
	CT_PAC_DELEGATION_INFO = 11,
	CT_PAC_UPN_DNS_INFO = 12,
	CT_PAC_CLIENT_CLAIMS_INFO = 13,
	CT_PAC_DEVICE_INFO = 14,
	CT_PAC_DEVICE_CLAIMS_INFO = 15,
	CT_PAC_TICKET_CHECKSUM = 16,
	CT_PAC_ATTRIBUTES_INFO = 17,
	CT_PAC_REQUESTOR = 18,
	CT_PAC_FULL_CHECKSUM = 19,
};

/* Flags and attributes we write or interpret. */
enum {
	CT_PAC_UPN_CONSTRUCTED = 0x1,     /* UPN_DNS_INFO U: no explicit UPN */
	CT_PAC_UPN_HAS_SAM_SID = 0x2,     /* UPN_DNS_INFO S: SamName and Sid follow */
	CT_PAC_WAS_REQUESTED = 0x1,       /* PAC_ATTRIBUTES_INFO */
	CT_PAC_WAS_GIVEN_IMPLICITLY = 0x2,
	CT_PAC_USER_EXTRA_SIDS = 0x20,    /* KERB_VALIDATION_INFO UserFlags */
	CT_PAC_USER_RESOURCE_GROUPS = 0x200,
	CT_PAC_GROUP_ATTRS = 0x7,         /* mandatory, enabled by default, enabled */
	CT_PAC_UAC_NORMAL_ACCOUNT = 0x10, /* USER_NORMAL_ACCOUNT */
};

struct ct_pac_user {
	const char *account_name;   /* sAMAccountName: LOGON_INFO EffectiveName, UPN_DNS_INFO SamName */
	const char *full_name;      /* opt: LOGON_INFO FullName */
	const char *client_name;    /* PAC_CLIENT_INFO name: the ticket's cname as text, e.g. "alice" */
	const char *upn;            /* opt: UPN; when NULL, account@dns-domain (lower case) is
	                               written with the U ("constructed") flag, as DCs do */
	const char *dns_domain;     /* UPN_DNS_INFO DnsDomainName, e.g. "CORP.EXAMPLE.TEST" */
	const char *netbios_domain; /* opt: LOGON_INFO LogonDomainName, e.g. "CORP" */
	struct ct_sid domain_sid;
	uint32_t rid;
	uint32_t primary_group_rid; /* 513 normally */
	/*
	 * Domain-relative groups, attributes 7.  GroupIds is the primary group
	 * first (unless it is already in this list), then these in order.
	 */
	const uint32_t *group_rids;
	size_t ngroups;
	time_t authtime;            /* LOGON_INFO LogonTime and CLIENT_INFO ClientId */
	/* opt: ExtraSids (attributes 7); sets UserFlags EXTRA_SIDS (0x20). */
	const struct ct_sid *extra_sids;
	size_t nextra_sids;
};

struct ct_pac_options {
	bool omit_requestor;        /* tests: leave out PAC_REQUESTOR (type 18) */
	bool omit_attributes;       /* leave out PAC_ATTRIBUTES_INFO (type 17) */
	bool omit_upn_dns_info;
	bool has_rodc_id;           /* append RODCIdentifier (N) to the KDC signature */
	uint16_t rodc_id;
};

/*
 * Builds and signs the PAC for user and appends it to out.  Buffers, in
 * order: LOGON_INFO (1), CLIENT_INFO (10), UPN_DNS_INFO (12),
 * PAC_ATTRIBUTES_INFO (17, flags PAC_WAS_REQUESTED), PAC_REQUESTOR (18, the
 * user's SID), SERVER_CHECKSUM (6, keyed with server_key), PRIVSVR_CHECKSUM
 * (7, keyed with kdc_key, + RODCIdentifier when opt->has_rodc_id).  opt may
 * be NULL (all buffers, no RODC id).  LOGON_INFO is an NDR type-serialised
 * KERB_VALIDATION_INFO with the minimal field set (times, EffectiveName,
 * FullName, UserId, PrimaryGroupId, GroupIds, LogonDomainName,
 * LogonDomainId, ExtraSids; NULL pointers for the rest).
 *
 * Returns 0; CT_ERR_INVALID_ARG (missing name/domain, a domain SID that is
 * not revision 1 or has 15 sub-authorities, authtime before 1601, an
 * unusable key), CT_ERR_BAD_VALUE (a string that is not valid UTF-8),
 * CT_ERR_TOO_LARGE (a string over CT_KRB_MAX_STRING, too many groups/SIDs,
 * or the PAC over CT_PAC_MAX_SIZE), CT_ERR_UNSUPPORTED_ENCTYPE,
 * CT_ERR_CRYPTO, CT_ERR_NOMEM, or the error latched in out.  On error
 * nothing is appended to out.
 */
int ct_pac_build(struct ct_kcrypto *kc, const struct ct_pac_user *user,
		 const struct ct_pac_options *opt,
		 const struct ct_krb_key *server_key,
		 const struct ct_krb_key *kdc_key, struct ct_buf *out);

/* ---- decoded view: every pointer points into the arena ---- */

struct ct_pac_buffer {
	uint32_t type;
	struct ct_bytes data; /* cbBufferSize bytes, padding not included */
	uint64_t offset;
};

struct ct_pac_logon_info {
	time_t logon_time;
	char *effective_name;     /* NULL when the NDR pointer is NULL */
	char *full_name;          /* NULL when the NDR pointer is NULL */
	char *logon_domain_name;  /* NULL when the NDR pointer is NULL */
	uint32_t user_rid, primary_group_rid;
	size_t ngroups;
	uint32_t *group_rids;
	uint32_t *group_attrs;
	uint32_t user_flags;
	uint32_t user_account_control;
	struct ct_sid logon_domain_sid;
	size_t nextra_sids;
	struct ct_sid *extra_sids;
	uint32_t *extra_sid_attrs;
	/* Resource groups (UserFlags 0x200); resource_domain_sid NULL when absent. */
	struct ct_sid *resource_domain_sid;
	size_t nresource_groups;
	uint32_t *resource_group_rids;
	uint32_t *resource_group_attrs;
};

struct ct_pac_client_info {
	time_t client_id;
	char *name;
};

struct ct_pac_upn_dns_info {
	char *upn;          /* "" when UpnLength is 0 */
	char *dns_domain;   /* "" when DnsDomainNameLength is 0 */
	uint32_t flags;
	char *sam_name;     /* NULL without flag S; "" when its length is 0 */
	bool has_sid;
	struct ct_sid sid;
};

struct ct_pac_signature {
	uint32_t type;         /* checksum type, as a u32 (HMAC-MD5 is 0xffffff76) */
	struct ct_bytes value; /* the Signature bytes (RODCIdentifier excluded) */
	bool has_rodc_id;
	uint16_t rodc_id;
};

struct ct_pac {
	size_t nbuffers;
	struct ct_pac_buffer *buffers;
	struct ct_pac_logon_info *logon_info;      /* NULL when absent */
	struct ct_pac_client_info *client_info;    /* NULL when absent */
	struct ct_pac_upn_dns_info *upn_dns_info;  /* NULL when absent */
	bool has_requestor;
	struct ct_sid requestor;
	bool has_attributes;
	uint32_t attributes_flags;                 /* first 32 flag bits */
	struct ct_pac_signature *server_sig, *kdc_sig; /* NULL when absent */
};

/*
 * Strict decoder.  Checks: total size <= CT_PAC_MAX_SIZE and buffer count
 * 1..CT_PAC_MAX_BUFFERS (else CT_ERR_TOO_LARGE), Version 0, every offset
 * 8-aligned, after the header and with the buffer inside the PAC, no two
 * buffers overlapping, no known type twice; for the decoded buffers every
 * NDR header, referent, length and conformance, counts against
 * CT_PAC_MAX_GROUPS / CT_PAC_MAX_SIDS (CT_ERR_TOO_LARGE), SIDs (revision 1,
 * at most 15 sub-authorities) and strings (UTF-16LE, no unpaired surrogate,
 * no U+0000; converted to UTF-8).  Unknown buffer types are kept in
 * buffers[] but not decoded.  The PAC is copied into a; *out points into
 * the copy and is written only on success.
 *
 * Returns 0, CT_ERR_BAD_PAC, CT_ERR_TOO_LARGE, CT_ERR_NOMEM.
 */
int ct_pac_decode(struct ct_arena *a, const uint8_t *pac, size_t len,
		  struct ct_pac *out);

/*
 * Verifies the server signature with key (the service's key; for a TGT the
 * krbtgt key), zeroing both signature buffers as when signing.  The
 * checksum type must be key's mandatory type.  Returns 0,
 * CT_ERR_PAC_SIGNATURE (wrong key, modified PAC, other checksum type),
 * CT_ERR_BAD_PAC (malformed header, a signature buffer missing or of the
 * wrong length), CT_ERR_NOMEM, or a key error (CT_ERR_UNSUPPORTED_ENCTYPE,
 * CT_ERR_BAD_VALUE).
 */
int ct_pac_verify_server(struct ct_kcrypto *kc, const uint8_t *pac, size_t len,
			 const struct ct_krb_key *key)
	__attribute__((warn_unused_result));

/* The same for the KDC signature, which covers the server Signature bytes. */
int ct_pac_verify_kdc(struct ct_kcrypto *kc, const uint8_t *pac, size_t len,
		      const struct ct_krb_key *key)
	__attribute__((warn_unused_result));

/* Short name of a buffer type ("LOGON_INFO"), or "unknown". */
const char *ct_pac_type_name(uint32_t type);

/*
 * Writes a human-readable multi-line dump to f (control characters in
 * strings are escaped).  Never prints key material; signature values are
 * printed in hex (they are public).
 */
void ct_pac_print(FILE *f, const struct ct_pac *pac);

#endif
