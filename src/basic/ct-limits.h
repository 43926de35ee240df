/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Every size limit on attacker-controlled data, in one place.
 */
#ifndef CT_LIMITS_H
#define CT_LIMITS_H

/* Largest Kerberos message we accept from a KDC or a file. */
#define CT_KRB_MAX_MSG (64 * 1024)
/* Deepest DER nesting any message we speak needs is about 12. */
#define CT_DER_MAX_DEPTH 24
/* Components of a PrincipalName (krbtgt/REALM needs 2; allow some room). */
#define CT_KRB_MAX_NAME_COMPONENTS 8
/* Longest string (realm, name component, e-text) we accept. */
#define CT_KRB_MAX_STRING 1024
/* Elements of any SEQUENCE OF (padata, etypes, authdata, tickets...). */
#define CT_KRB_MAX_SEQ 64
/* Largest encryption key value (bytes). */
#define CT_KRB_MAX_KEY 64
/* Largest PAC accepted, and its buffer count. */
#define CT_PAC_MAX_SIZE (64 * 1024)
#define CT_PAC_MAX_BUFFERS 32
/* Groups and extra SIDs decoded from a LOGON_INFO. */
#define CT_PAC_MAX_GROUPS 1024
#define CT_PAC_MAX_SIDS 1024
/* SID sub-authorities (MS-DTYP caps them at 15). */
#define CT_SID_MAX_SUBAUTH 15
/* Memory one arena may hand out while decoding one message. */
#define CT_ARENA_MAX (4 * 1024 * 1024)
/* Largest buffer the default cap allows. */
#define CT_BUF_DEFAULT_CAP (1024 * 1024)

#endif
