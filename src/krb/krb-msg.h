/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kerberos V5 messages (RFC 4120) as C structs, with a DER encoder and a
 * strict decoder for each.
 *
 * Ownership: a decoder fills *out with pointers into the arena it is given
 * (strings, byte fields, arrays); nothing in *out needs freeing except the
 * arena itself, and the arena wipes everything when freed.  Encoders only
 * read their input, which the caller owns, and append DER to a ct_buf.
 *
 * Optional fields: a pointer field is optional when NULL is allowed (noted
 * "opt"); scalar optional fields have a has_* flag.
 *
 * Decoders return 0 or a negative CT_ERR_* (BAD_TAG, BAD_LENGTH, NON_MINIMAL,
 * TOO_DEEP, TRAILING, TRUNCATED, BAD_VALUE, MISSING_FIELD, BAD_MSG_TYPE,
 * BAD_PVNO, TOO_LARGE, NOMEM); on error *out is left in an unspecified state
 * but everything it points to still belongs to the arena.
 */
#ifndef CT_KRB_MSG_H
#define CT_KRB_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ct-arena.h"
#include "ct-buf.h"
#include "ct-limits.h"

/* Message types (RFC 4120 §5.10 / application tags). */
enum {
	CT_KRB_MT_TICKET = 1,
	CT_KRB_MT_AUTHENTICATOR = 2,
	CT_KRB_MT_ENC_TICKET_PART = 3,
	CT_KRB_MT_AS_REQ = 10,
	CT_KRB_MT_AS_REP = 11,
	CT_KRB_MT_TGS_REQ = 12,
	CT_KRB_MT_TGS_REP = 13,
	CT_KRB_MT_AP_REQ = 14,
	CT_KRB_MT_AP_REP = 15,
	CT_KRB_MT_CRED = 22,
	CT_KRB_MT_ENC_AS_REP_PART = 25,
	CT_KRB_MT_ENC_TGS_REP_PART = 26,
	CT_KRB_MT_ENC_KRB_CRED_PART = 29,
	CT_KRB_MT_ERROR = 30,
};

/* Name types, padata and authdata types, flags we use. */
enum {
	CT_KRB_NT_PRINCIPAL = 1,
	CT_KRB_NT_SRV_INST = 2,
	CT_KRB_NT_SRV_HST = 3,
	CT_KRB_NT_ENTERPRISE = 10,
};
enum {
	CT_KRB_PA_TGS_REQ = 1,
	CT_KRB_PA_ETYPE_INFO2 = 19,
	CT_KRB_PA_PAC_REQUEST = 128,
	CT_KRB_PA_PAC_OPTIONS = 167,
};
enum {
	CT_KRB_AD_IF_RELEVANT = 1,
	CT_KRB_AD_WIN2K_PAC = 128,
};
/* TicketFlags / KDCOptions bit numbers (bit 0 is the most significant). */
enum {
	CT_KRB_FLAG_FORWARDABLE = 1,
	CT_KRB_FLAG_FORWARDED = 2,
	CT_KRB_FLAG_PROXIABLE = 3,
	CT_KRB_FLAG_RENEWABLE = 8,
	CT_KRB_FLAG_INITIAL = 9,
	CT_KRB_FLAG_PRE_AUTHENT = 10,
	CT_KRB_FLAG_CANONICALIZE = 15, /* KDCOptions only */
	CT_KRB_FLAG_ENC_PA_REP = 15,   /* TicketFlags only */
};
/* Converts a bit number into the uint32 representation used below. */
#define CT_KRB_FLAG(bit) (UINT32_C(1) << (31 - (bit)))

struct ct_bytes {
	uint8_t *data;
	size_t len;
};

struct ct_krb_principal {
	int32_t type;
	size_t ncomp;
	char *comp[CT_KRB_MAX_NAME_COMPONENTS];
};

struct ct_krb_key {
	int32_t enctype;
	struct ct_bytes value;
};

struct ct_krb_enc_data {
	int32_t etype;
	bool has_kvno;
	int32_t kvno; /* signed: an RODC kvno with N >= 32768 is negative */
	struct ct_bytes cipher;
};

struct ct_krb_padata {
	int32_t type;
	struct ct_bytes value;
};

struct ct_krb_authdata_elem {
	int32_t type;
	struct ct_bytes data;
};

struct ct_krb_authdata {
	size_t n;
	struct ct_krb_authdata_elem *elem;
};

struct ct_krb_checksum {
	int32_t type;
	struct ct_bytes value;
};

struct ct_krb_hostaddr {
	int32_t type;
	struct ct_bytes addr;
};

struct ct_krb_hostaddrs {
	size_t n;
	struct ct_krb_hostaddr *addr;
};

struct ct_krb_ticket {
	char *realm;
	struct ct_krb_principal sname;
	struct ct_krb_enc_data enc_part;
	/* Set by the decoder: the ticket's own DER bytes, for re-encoding verbatim. */
	struct ct_bytes der;
};

struct ct_krb_transited {
	int32_t type;
	struct ct_bytes contents;
};

struct ct_krb_enc_ticket_part {
	uint32_t flags;
	struct ct_krb_key key;
	char *crealm;
	struct ct_krb_principal cname;
	struct ct_krb_transited transited;
	time_t authtime;
	bool has_starttime;
	time_t starttime;
	time_t endtime;
	bool has_renew_till;
	time_t renew_till;
	struct ct_krb_hostaddrs *caddr;      /* opt */
	struct ct_krb_authdata *authdata;    /* opt */
};

struct ct_krb_padata_seq {
	size_t n;
	struct ct_krb_padata *pa;
};

/* AS-REP and TGS-REP (KDC-REP); msg_type says which. */
struct ct_krb_kdc_rep {
	int32_t msg_type;
	struct ct_krb_padata_seq *padata;    /* opt */
	char *crealm;
	struct ct_krb_principal cname;
	struct ct_krb_ticket ticket;
	struct ct_krb_enc_data enc_part;
};

struct ct_krb_last_req {
	int32_t type;
	time_t value;
};

/* EncASRepPart and EncTGSRepPart (EncKDCRepPart); msg_type says which tag. */
struct ct_krb_enc_kdc_rep_part {
	int32_t msg_type; /* CT_KRB_MT_ENC_AS_REP_PART or _ENC_TGS_REP_PART */
	struct ct_krb_key key;
	size_t nlast_req;
	struct ct_krb_last_req *last_req;
	uint32_t nonce;
	bool has_key_expiration;
	time_t key_expiration;
	uint32_t flags;
	time_t authtime;
	bool has_starttime;
	time_t starttime;
	time_t endtime;
	bool has_renew_till;
	time_t renew_till;
	char *srealm;
	struct ct_krb_principal sname;
	struct ct_krb_hostaddrs *caddr;          /* opt */
	struct ct_krb_padata_seq *enc_padata;    /* opt, [12] */
};

struct ct_krb_kdc_req_body {
	uint32_t kdc_options;
	struct ct_krb_principal *cname; /* opt */
	char *realm;
	struct ct_krb_principal *sname; /* opt */
	bool has_from;
	time_t from;
	time_t till;
	bool has_rtime;
	time_t rtime;
	uint32_t nonce;
	size_t netypes;
	int32_t *etypes;
	struct ct_krb_hostaddrs *addresses;          /* opt */
	struct ct_krb_enc_data *enc_authorization_data; /* opt */
	size_t nadditional_tickets;
	struct ct_krb_ticket *additional_tickets;
};

/* AS-REQ and TGS-REQ (KDC-REQ). */
struct ct_krb_kdc_req {
	int32_t msg_type;
	struct ct_krb_padata_seq *padata; /* opt */
	struct ct_krb_kdc_req_body body;
	/* Set by the decoder: DER of req-body exactly as received (checksummed). */
	struct ct_bytes body_der;
};

struct ct_krb_ap_req {
	uint32_t ap_options;
	struct ct_krb_ticket ticket;
	struct ct_krb_enc_data authenticator;
};

struct ct_krb_authenticator {
	char *crealm;
	struct ct_krb_principal cname;
	struct ct_krb_checksum *cksum; /* opt */
	int32_t cusec;
	time_t ctime;
	struct ct_krb_key *subkey;     /* opt */
	bool has_seq_number;
	uint32_t seq_number;
	struct ct_krb_authdata *authdata; /* opt */
};

struct ct_krb_error {
	bool has_ctime;
	time_t ctime;
	bool has_cusec;
	int32_t cusec;
	time_t stime;
	int32_t susec;
	int32_t error_code;
	char *crealm;                  /* opt */
	struct ct_krb_principal *cname; /* opt */
	char *realm;
	struct ct_krb_principal sname;
	char *e_text;                  /* opt */
	struct ct_bytes e_data;        /* opt: data == NULL when absent */
};

struct ct_krb_cred_info {
	struct ct_krb_key key;
	char *prealm;                   /* opt */
	struct ct_krb_principal *pname; /* opt */
	bool has_flags;
	uint32_t flags;
	bool has_authtime, has_starttime, has_endtime, has_renew_till;
	time_t authtime, starttime, endtime, renew_till;
	char *srealm;                   /* opt */
	struct ct_krb_principal *sname; /* opt */
	struct ct_krb_hostaddrs *caddr; /* opt */
};

struct ct_krb_enc_cred_part {
	size_t ninfo;
	struct ct_krb_cred_info *info;
	bool has_nonce;
	uint32_t nonce;
	bool has_timestamp;
	time_t timestamp;
	bool has_usec;
	int32_t usec;
	struct ct_krb_hostaddr *s_address; /* opt */
	struct ct_krb_hostaddr *r_address; /* opt */
};

struct ct_krb_cred {
	size_t ntickets;
	struct ct_krb_ticket *tickets;
	struct ct_krb_enc_data enc_part;
};

/*
 * Encoders: append the DER of the value to out.  They return 0 or the
 * error latched in out (CT_ERR_TOO_LARGE, CT_ERR_NOMEM) or CT_ERR_INVALID_ARG
 * for a value that cannot be encoded (e.g. a time outside 1970..9999, a
 * principal with more than CT_KRB_MAX_NAME_COMPONENTS components, a
 * string over CT_KRB_MAX_STRING, a key over CT_KRB_MAX_KEY, a SEQUENCE OF
 * over CT_KRB_MAX_SEQ, microseconds outside 0..999999, a msg_type that does
 * not belong to the message, a NULL required string); the error latches in
 * out, whose contents are then unusable.  Whatever an encoder accepts, the
 * matching decoder accepts back.  A ticket with der.data set is copied
 * verbatim.  The KDC-REQ-BODY additional-tickets field is omitted when
 * nadditional_tickets is 0.
 */
int ct_krb_encode_ticket(struct ct_buf *out, const struct ct_krb_ticket *t);
int ct_krb_encode_enc_ticket_part(struct ct_buf *out, const struct ct_krb_enc_ticket_part *e);
int ct_krb_encode_kdc_rep(struct ct_buf *out, const struct ct_krb_kdc_rep *r);
int ct_krb_encode_enc_kdc_rep_part(struct ct_buf *out, const struct ct_krb_enc_kdc_rep_part *e);
int ct_krb_encode_kdc_req_body(struct ct_buf *out, const struct ct_krb_kdc_req_body *b);
/* Encodes the body itself unless body_der.data is set, in which case it is used verbatim. */
int ct_krb_encode_kdc_req(struct ct_buf *out, const struct ct_krb_kdc_req *r);
int ct_krb_encode_ap_req(struct ct_buf *out, const struct ct_krb_ap_req *r);
int ct_krb_encode_authenticator(struct ct_buf *out, const struct ct_krb_authenticator *a);
int ct_krb_encode_error(struct ct_buf *out, const struct ct_krb_error *e);
int ct_krb_encode_cred(struct ct_buf *out, const struct ct_krb_cred *c);
int ct_krb_encode_enc_cred_part(struct ct_buf *out, const struct ct_krb_enc_cred_part *e);
/* AuthorizationData (SEQUENCE OF) and AD-IF-RELEVANT contents use the same encoding. */
int ct_krb_encode_authdata(struct ct_buf *out, const struct ct_krb_authdata *ad);
int ct_krb_encode_principal(struct ct_buf *out, const struct ct_krb_principal *p);
int ct_krb_encode_enc_data(struct ct_buf *out, const struct ct_krb_enc_data *e);
int ct_krb_encode_key(struct ct_buf *out, const struct ct_krb_key *k);
int ct_krb_encode_checksum(struct ct_buf *out, const struct ct_krb_checksum *c);
/* PA-DATA sequence, METHOD-DATA. */
int ct_krb_encode_padata_seq(struct ct_buf *out, const struct ct_krb_padata_seq *s);

/*
 * Decoders: the whole input must be exactly one value (CT_ERR_TRAILING
 * otherwise) of at most CT_KRB_MAX_MSG bytes (CT_ERR_TOO_LARGE); NULL
 * arguments give CT_ERR_INVALID_ARG.  *out is zeroed first.  Fields must
 * come in ascending tag order; an unknown, repeated or out-of-order field
 * is CT_ERR_BAD_TAG.  Tickets decoded anywhere (also inside KDC-REP,
 * AP-REQ, KRB-CRED, additional-tickets) get der set to their exact bytes.
 * Liberal where MIT is: nonces and sequence numbers sent as negative
 * INTEGERs are taken as their uint32 two's complement, and a kvno sent as
 * an unsigned value above INT32_MAX is taken as the negative int32.
 */
int ct_krb_decode_ticket(struct ct_arena *a, const uint8_t *der, size_t len, struct ct_krb_ticket *out);
int ct_krb_decode_enc_ticket_part(struct ct_arena *a, const uint8_t *der, size_t len, struct ct_krb_enc_ticket_part *out);
/* Accepts an AS-REP or TGS-REP; check out->msg_type. */
int ct_krb_decode_kdc_rep(struct ct_arena *a, const uint8_t *der, size_t len, struct ct_krb_kdc_rep *out);
/*
 * Accepts EncASRepPart [APPLICATION 25] and EncTGSRepPart [APPLICATION 26]
 * (RFC 4120 §3.1.5 notes some KDCs send 26 in AS replies); out->msg_type says which.
 */
int ct_krb_decode_enc_kdc_rep_part(struct ct_arena *a, const uint8_t *der, size_t len, struct ct_krb_enc_kdc_rep_part *out);
/* Accepts an AS-REQ or TGS-REQ. */
int ct_krb_decode_kdc_req(struct ct_arena *a, const uint8_t *der, size_t len, struct ct_krb_kdc_req *out);
int ct_krb_decode_ap_req(struct ct_arena *a, const uint8_t *der, size_t len, struct ct_krb_ap_req *out);
int ct_krb_decode_authenticator(struct ct_arena *a, const uint8_t *der, size_t len, struct ct_krb_authenticator *out);
int ct_krb_decode_error(struct ct_arena *a, const uint8_t *der, size_t len, struct ct_krb_error *out);
int ct_krb_decode_cred(struct ct_arena *a, const uint8_t *der, size_t len, struct ct_krb_cred *out);
int ct_krb_decode_enc_cred_part(struct ct_arena *a, const uint8_t *der, size_t len, struct ct_krb_enc_cred_part *out);
int ct_krb_decode_authdata(struct ct_arena *a, const uint8_t *der, size_t len, struct ct_krb_authdata *out);
int ct_krb_decode_padata_seq(struct ct_arena *a, const uint8_t *der, size_t len, struct ct_krb_padata_seq *out);
int ct_krb_decode_principal(struct ct_arena *a, const uint8_t *der, size_t len, struct ct_krb_principal *out);
int ct_krb_decode_kdc_req_body(struct ct_arena *a, const uint8_t *der, size_t len, struct ct_krb_kdc_req_body *out);
int ct_krb_decode_enc_data(struct ct_arena *a, const uint8_t *der, size_t len, struct ct_krb_enc_data *out);
int ct_krb_decode_key(struct ct_arena *a, const uint8_t *der, size_t len, struct ct_krb_key *out);
int ct_krb_decode_checksum(struct ct_arena *a, const uint8_t *der, size_t len, struct ct_krb_checksum *out);

/*
 * Returns the application tag number of a DER message (AS-REP = 11, KRB-ERROR = 30 ...)
 * without decoding it, or a negative CT_ERR_*: TRUNCATED for empty input,
 * BAD_TAG when the first byte is not an APPLICATION-class constructed tag.
 */
int ct_krb_peek_msg_type(const uint8_t *der, size_t len);

/*
 * Finds the PAC (AD-WIN2K-PAC inside AD-IF-RELEVANT) in decoded authorization
 * data, searching every top-level AD-IF-RELEVANT element.  Returns 0 and
 * points *pac into the arena, CT_ERR_NOT_FOUND, CT_ERR_BAD_PAC when there is
 * more than one PAC (MS-PAC allows one; a second could smuggle claims), or
 * a decoder error for a malformed AD-IF-RELEVANT container.
 */
int ct_krb_find_pac(struct ct_arena *a, const struct ct_krb_authdata *ad, struct ct_bytes *pac);

#endif
