/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes the PKCS#10 parser: ct_pki_csr_parse on arbitrary bytes, and when
 * a request is accepted, its thumbprint and a device certificate issued for
 * it (so the issuing path sees every key shape the parser lets through).
 *
 * Seed corpus (fuzz/corpus/csr): requests made with `openssl req -new
 * -newkey rsa:2048|rsa:3072|rsa:4096|ec:P-256 -outform DER` and with
 * python3-cryptography, and the kinds the parser must refuse (RSA-1024,
 * RSA-4608, DSA, Ed25519, P-384, explicit-curve P-256, RSA-PSS keys,
 * SHA-1 signatures).  Subjects use Windows' placeholder CN.
 */
#include <stddef.h>
#include <stdint.h>

#include "ct-buf.h"
#include "ct-limits.h"
#include "pki.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ct_pki_ca *ca;
	char tp[CT_PKI_THUMBPRINT_LEN + 1];
	struct ct_pki_csr csr;
	struct ct_buf cert;

	if (ca == NULL && ct_pki_ca_create("fuzz device CA", &ca, NULL) != 0)
		return 0;
	if (ct_pki_csr_parse(data, size, &csr, NULL) != 0)
		return 0;
	ct_buf_init(&cert, CT_CERT_MAX);
	if (ct_pki_device_cert_issue(ca, &csr, "6f2c1e4a-0b5d-4c3e-9a8f-1d2e3f405162",
				     1, &cert, NULL) == 0)
		(void)ct_pki_cert_thumbprint(cert.data, cert.len, tp);
	ct_buf_free(&cert);
	ct_pki_csr_free(&csr);
	return 0;
}
