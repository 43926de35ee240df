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

/* JSON from the network: whole document, nesting depth. */
#define CT_JSON_MAX (64 * 1024)
#define CT_JSON_MAX_DEPTH 16
/* JOSE compact serialisation (a JWS payload may carry a JSON document of
 * CT_JSON_MAX bytes, base64url-encoded, plus a header with certificates). */
#define CT_JOSE_MAX_COMPACT (128 * 1024)
/* Decoded protected header; JWS payload and JWE plaintext. */
#define CT_JOSE_MAX_HEADER (16 * 1024)
#define CT_JOSE_MAX_PAYLOAD (64 * 1024)
/* Certificates in an x5c header, and the DER size of each. */
#define CT_JOSE_MAX_X5C 8
#define CT_JOSE_MAX_CERT (8 * 1024)
/* Signature or RSA-encrypted key: an RSA-4096 block. */
#define CT_JOSE_MAX_SIG 512
/* JWE IV and tag as received (A256GCM needs exactly 12 and 16). */
#define CT_JOSE_MAX_IV 64
/* Decoded "ctx" of a session-key JWE (clients send 24 bytes). */
#define CT_JOSE_MAX_CTX 64
/* RSA public keys we accept (bits of the modulus). */
#define CT_RSA_MIN_BITS 2048
#define CT_RSA_MAX_BITS 4096
/* A DER SubjectPublicKeyInfo (an RSA-4096 one is about 550 bytes). */
#define CT_SPKI_MAX 2048
/* SP800-108 KDF output and key input. */
#define CT_KDF_MAX_OUT 1024
#define CT_KDF_MAX_KEY 1024

/* A PKCS#10 request and a device certificate (an RSA-4096 CSR is about 1.7 KB). */
#define CT_CSR_MAX (16 * 1024)
#define CT_CERT_MAX (16 * 1024)
/* Sealed secrets: plaintext size and purpose label length. */
#define CT_SEAL_MAX_PLAIN (64 * 1024)
#define CT_SEAL_MAX_PURPOSE 64
/* Passwords (bytes) and stored Argon2id encodings. */
#define CT_PASSWORD_MAX 1024
#define CT_PASSWORD_MAX_ENCODED 512
/* Argon2id costs a stored encoding may ask for (a corrupt row must not
 * make one verify take gigabytes or minutes). */
#define CT_PASSWORD_MAX_M_KIB (1024 * 1024)
#define CT_PASSWORD_MAX_T 16
#define CT_PASSWORD_MAX_P 16
/* TOTP secret (bytes) and issuer or account name in an otpauth URI. */
#define CT_TOTP_MAX_SECRET 64
#define CT_TOTP_MAX_LABEL 256

/* HTTP requests: body (over it: 413 without reading on), header memory per
 * connection (MHD answers 431 beyond it), a wildcard path segment, a TLS
 * client certificate (DER), headers a handler may add to a response. */
#define CT_HTTP_MAX_BODY (64 * 1024)
#define CT_HTTP_MAX_HEADER_MEM (32 * 1024)
#define CT_HTTP_MAX_SEGMENT 128
#define CT_HTTP_MAX_CLIENT_CERT CT_CERT_MAX
#define CT_HTTP_MAX_RESP_HEADERS 8
/* HTTP connections: total, per client address, idle seconds (defaults of
 * the config keys max_connections, max_connections_per_ip,
 * connection_timeout). */
#define CT_HTTP_DEFAULT_CONNECTIONS 1024
#define CT_HTTP_DEFAULT_CONNECTIONS_PER_IP 64
#define CT_HTTP_DEFAULT_TIMEOUT_S 30
/* application/x-www-form-urlencoded (bodies and query strings): fields,
 * decoded name and value lengths. */
#define CT_FORM_MAX_FIELDS 64
#define CT_FORM_MAX_NAME 64
#define CT_FORM_MAX_VALUE CT_HTTP_MAX_BODY
/* "key = value" config text (cloudtrustd.conf, client.conf): whole file, one line. */
#define CT_CONFIG_MAX_FILE (64 * 1024)
#define CT_CONFIG_MAX_LINE 4096
/* PEM files the daemon reads (certificate chain, private key). */
#define CT_PEM_MAX_FILE (256 * 1024)
/* Log lines (longer ones are cut), and one audit value. */
#define CT_LOG_MAX_LINE 2048
#define CT_LOG_MAX_AUDIT_VALUE 256

/* Storage (src/store): every text field a client or admin can set, in
 * bytes of UTF-8.  Short names and labels; UPNs (AD's userPrincipalName
 * allows 1024); DNS names (RFC 1035); ids (GUIDs, base64 kids); SIDs (15
 * sub-authorities); Argon2id encoded hashes; free text (audit detail, policy
 * values); policy node paths; throttling keys; the store URL. */
#define CT_STORE_MAX_NAME 256
#define CT_STORE_MAX_UPN 1024
#define CT_STORE_MAX_DOMAIN 253
#define CT_STORE_MAX_ID 128
#define CT_STORE_MAX_SID 192
#define CT_STORE_MAX_PASSWORD_HASH 512
#define CT_STORE_MAX_TEXT 4096
#define CT_STORE_MAX_POLICY_NODE 1024
#define CT_STORE_MAX_FAILURE_KEY 512
#define CT_STORE_MAX_URL 4096
/* Any blob (certificates, SPKI keys, key blobs, sealed secrets). */
#define CT_STORE_MAX_BLOB (64 * 1024)
/* Rows one list call returns (bounds the arena a listing fills). */
#define CT_STORE_MAX_LIST 500
/* Milliseconds a statement waits for another writer before CT_ERR_BUSY. */
#define CT_STORE_BUSY_TIMEOUT_MS 5000

/* cloudtrust-admin: a reply body from the admin API (lists of users,
 * devices, audit events), the admin token file, a key file, an X-Trace-Id
 * value kept for messages, a request URL, and the text of one table cell
 * (longer cells are cut; --json shows everything). */
#define CT_ADMIN_MAX_REPLY (8 * 1024 * 1024)
#define CT_ADMIN_MAX_TOKEN 512
#define CT_ADMIN_MAX_KEY_FILE 4096
#define CT_ADMIN_MAX_TRACE_ID 128
#define CT_ADMIN_MAX_URL 8192
#define CT_ADMIN_MAX_CELL 1024

/* Kerberos server key source (cloudtrust-admin kerberos-server set): an
 * account's supplementalCredentials attribute, the packages it holds, the
 * keys of one credential list, and what samba-tool prints for one account
 * (LDIF with the base64 attribute). */
#define CT_KS_MAX_SUPCREDS (64 * 1024)
#define CT_KS_MAX_SUPCREDS_PACKAGES 32
#define CT_KS_MAX_KRB_KEYS 16
#define CT_KS_MAX_TOOL_OUTPUT (256 * 1024)

#endif
