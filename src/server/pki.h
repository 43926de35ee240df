/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The service's certificates, on OpenSSL 3:
 *  - a CA (ECDSA P-256, SHA-256, self-signed, ten years) for the tenant's
 *    devices and one for the HTTPS server certificate;
 *  - the HTTPS server certificate (P-256 key, DNS and IP SANs, serverAuth)
 *    and the PEM files the TLS stack reads;
 *  - device certificates per MS-DVRJ: a strictly parsed PKCS#10 request
 *    (RSA 2048..4096 or EC P-256, self-signature checked) becomes a
 *    certificate whose subject CN is the device id (a GUID), and a device
 *    certificate presented later is checked against the device CA only.
 *
 * A struct ct_pki_ca is immutable once made, so threads may share it.
 */
#ifndef CT_PKI_H
#define CT_PKI_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ct-buf.h"
#include "ct-error.h"

/* A GUID in text form ("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"). */
#define CT_PKI_GUID_LEN 36
/* Thumbprints in hex: SHA-1 (Microsoft's "Thumbprint") and SHA-256. */
#define CT_PKI_THUMBPRINT_LEN 40
#define CT_PKI_THUMBPRINT256_LEN 64
/* CA lifetime, and the longest lifetime an issued certificate may ask for. */
#define CT_PKI_CA_DAYS 3650
#define CT_PKI_MAX_DAYS 3650
/* Certificates start this long before they are made, for clock skew. */
#define CT_PKI_BACKDATE_SECONDS 3600
/* Longest CA name (X.520 ub-common-name), most SAN entries on a server cert. */
#define CT_PKI_MAX_NAME 64
#define CT_PKI_MAX_SAN 32

struct ct_pki_ca;

enum ct_pki_key_type {
	CT_PKI_KEY_RSA = 1,
	CT_PKI_KEY_EC_P256 = 2,
};

/* A parsed, self-signature-checked PKCS#10 request. */
struct ct_pki_csr {
	EVP_PKEY *pubkey;	/* owned: the requested public key */
	uint8_t *spki;		/* owned: its SubjectPublicKeyInfo DER */
	size_t spki_len;
	enum ct_pki_key_type key_type;
	int key_bits;		/* RSA modulus bits, or 256 */
};

/*
 * Makes a new CA: fresh P-256 key, self-signed, subject CN=name (1 to
 * CT_PKI_MAX_NAME characters of UTF-8, no control characters), valid
 * CT_PKI_CA_DAYS days, basicConstraints CA:TRUE pathlen:0 (critical),
 * keyUsage keyCertSign|cRLSign (critical), subject key id.  *out is owned
 * by the caller (ct_pki_ca_free).  Returns 0, CT_ERR_INVALID_ARG,
 * CT_ERR_NOMEM, CT_ERR_CRYPTO.
 */
int ct_pki_ca_create(const char *name, struct ct_pki_ca **out,
		     struct ct_errinfo *ei);

/* Frees the CA (OpenSSL wipes the private key); NULL is a no-op. */
void ct_pki_ca_free(struct ct_pki_ca *ca);

/*
 * Appends the CA certificate (DER) to cert_der and, when key_der is not
 * NULL, its private key (PKCS#8 DER; the caller seals it) to key_der; both
 * or neither are appended.  Returns 0, CT_ERR_NOT_FOUND (key asked of a CA
 * loaded without one), CT_ERR_TOO_LARGE (a buffer's cap), CT_ERR_NOMEM,
 * CT_ERR_CRYPTO.
 */
int ct_pki_ca_export(const struct ct_pki_ca *ca, struct ct_buf *cert_der,
		     struct ct_buf *key_der);

/*
 * Loads a CA from its certificate (DER, or PEM starting "-----BEGIN") and
 * its PKCS#8 DER private key; key_der may be NULL for a CA that only
 * verifies.  The certificate must be a CA certificate with a P-256 key,
 * and the key must match it.  *out is owned by the caller.  Returns 0,
 * CT_ERR_TOO_LARGE, CT_ERR_BAD_VALUE (not a certificate or key, not a CA),
 * CT_ERR_BAD_KEY, CT_ERR_MISMATCH (key does not match), CT_ERR_NOMEM.
 */
int ct_pki_ca_load(const uint8_t *cert, size_t cert_len,
		   const uint8_t *key_der, size_t key_len,
		   struct ct_pki_ca **out, struct ct_errinfo *ei);

/*
 * Issues an HTTPS server certificate: fresh P-256 key, SANs from dns
 * (host names: LDH labels) and ips (IPv4 or IPv6 text), subject CN the
 * first DNS name (else the first IP), keyUsage digitalSignature,
 * extendedKeyUsage serverAuth, valid days (1..CT_PKI_MAX_DAYS).  Appends
 * the certificate DER to cert_der and the PKCS#8 DER key to key_der (both
 * or neither).  Returns 0, CT_ERR_INVALID_ARG (no names, a bad name or
 * address, too many, bad days, CA without key), CT_ERR_TOO_LARGE,
 * CT_ERR_NOMEM, CT_ERR_CRYPTO.
 */
int ct_pki_server_cert_issue(const struct ct_pki_ca *ca,
			     const char *const *dns, size_t ndns,
			     const char *const *ips, size_t nips,
			     unsigned days, struct ct_buf *cert_der,
			     struct ct_buf *key_der, struct ct_errinfo *ei);

/*
 * Appends the PEM form of der with the given label ("CERTIFICATE",
 * "PRIVATE KEY") to out, not NUL-terminated.  Returns 0, CT_ERR_TOO_LARGE,
 * CT_ERR_NOMEM.
 */
int ct_pki_pem_encode(const char *label, const uint8_t *der, size_t len,
		      struct ct_buf *out);

/*
 * Writes the TLS certificate (PEM, mode 0644) and key (PEM, mode 0600),
 * each through a fresh temporary file in the same directory that is synced
 * and renamed over the target, so a reader never sees half a file and a
 * symlink at the target is replaced, not followed.  Returns 0, CT_ERR_IO,
 * CT_ERR_PERMISSION, CT_ERR_NOMEM.
 */
int ct_pki_write_tls_files(const char *cert_path, const char *key_path,
			   const uint8_t *cert_der, size_t cert_len,
			   const uint8_t *key_der, size_t key_len,
			   struct ct_errinfo *ei);

/*
 * Parses a PKCS#10 request strictly: at most CT_CSR_MAX bytes, DER (the
 * request must re-encode to the same bytes; OpenSSL keeps the subject name
 * and attribute values as received, and we use neither), no trailing
 * bytes, version 1, a key that is RSA (2048..4096 bits, odd exponent
 * >= 65537) or EC on the named curve P-256, a SHA-2 signature algorithm
 * matching the key, and a signature that verifies with the request's own
 * key.  The subject is not used (Windows sends a placeholder).  Fills *out (release with
 * ct_pki_csr_free) only on success.  Returns 0, CT_ERR_TOO_LARGE,
 * CT_ERR_BAD_VALUE (not a request, bad version or algorithm),
 * CT_ERR_TRAILING, CT_ERR_NON_MINIMAL (BER, not DER), CT_ERR_BAD_KEY (key
 * type, curve or size), CT_ERR_SIGNATURE, CT_ERR_NOMEM.
 */
int ct_pki_csr_parse(const uint8_t *der, size_t len, struct ct_pki_csr *out,
		     struct ct_errinfo *ei) __attribute__((warn_unused_result));

/* Releases what a parsed request owns and clears it; safe on a zeroed struct. */
void ct_pki_csr_free(struct ct_pki_csr *csr);

/*
 * Issues a device certificate for the request's key: subject CN=device_id
 * (a lower-case GUID), random positive 16-byte serial, keyUsage
 * digitalSignature (critical), extendedKeyUsage clientAuth, authority and
 * subject key ids, CA:FALSE, SHA-256 by the device CA, valid days
 * (1..CT_PKI_MAX_DAYS).  Appends the DER to cert_der.  Returns 0,
 * CT_ERR_INVALID_ARG (device id, days, CA without key), CT_ERR_TOO_LARGE,
 * CT_ERR_NOMEM, CT_ERR_CRYPTO.
 */
int ct_pki_device_cert_issue(const struct ct_pki_ca *device_ca,
			     const struct ct_pki_csr *csr,
			     const char *device_id, unsigned days,
			     struct ct_buf *cert_der, struct ct_errinfo *ei);

/*
 * Checks a device certificate: at most CT_CERT_MAX bytes of DER, issued
 * directly by device_ca (a store holding only that CA), valid at now,
 * usable for clientAuth, not a CA, with a key accepted as in
 * ct_pki_csr_parse and a subject CN that is a GUID.  On success writes
 * the device id (NUL-terminated) and, if pubkey is not NULL, the
 * certificate's public key (owned by the caller: EVP_PKEY_free).
 * Returns 0, CT_ERR_TOO_LARGE, CT_ERR_BAD_VALUE (not a certificate, no
 * GUID CN), CT_ERR_TRAILING, CT_ERR_CERT_EXPIRED, CT_ERR_CERT_UNTRUSTED
 * (wrong issuer, bad signature, wrong purpose), CT_ERR_BAD_KEY,
 * CT_ERR_NOMEM.
 */
int ct_pki_device_cert_verify(const struct ct_pki_ca *device_ca,
			      const uint8_t *cert_der, size_t len, time_t now,
			      char device_id[CT_PKI_GUID_LEN + 1],
			      EVP_PKEY **pubkey, struct ct_errinfo *ei)
	__attribute__((warn_unused_result));

/*
 * Microsoft's certificate thumbprint: upper-case hex SHA-1 of the DER
 * bytes as given (CT_PKI_THUMBPRINT_LEN digits and a NUL).  Returns 0 or
 * CT_ERR_CRYPTO.
 */
int ct_pki_cert_thumbprint(const uint8_t *der, size_t len,
			   char out[CT_PKI_THUMBPRINT_LEN + 1]);
/* The same with SHA-256 (CT_PKI_THUMBPRINT256_LEN digits and a NUL). */
int ct_pki_cert_thumbprint_sha256(const uint8_t *der, size_t len,
				  char out[CT_PKI_THUMBPRINT256_LEN + 1]);

/* Writes a random (version 4) GUID, lower case, NUL-terminated.  Returns 0 or CT_ERR_CRYPTO. */
int ct_pki_guid_new(char out[CT_PKI_GUID_LEN + 1]);

/* True for exactly 8-4-4-4-12 lower-case hex digits (the form device ids take). */
bool ct_pki_guid_valid(const char *s);

#endif
