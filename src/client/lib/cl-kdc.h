/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal to the client library: finding a writable DC for the exchange.
 */
#ifndef CT_CL_KDC_H
#define CT_CL_KDC_H

#include <stddef.h>

#include "ct-error.h"

/*
 * "host:port" of a KDC for realm into out: configured when not NULL, else
 * the realm's kdc in krb5.conf (KRB5_CONFIG honoured), else the best DNS
 * SRV record _kerberos._tcp.REALM (lowest priority, then highest weight).
 * Returns 0, CT_ERR_NOT_FOUND (none anywhere), CT_ERR_TOO_LARGE.
 */
int cl_kdc_find(const char *realm, const char *configured, char *out,
		size_t outlen, struct ct_errinfo *ei);

/* The DNS SRV step alone; same results. */
int cl_kdc_srv(const char *realm, char *out, size_t outlen,
	       struct ct_errinfo *ei);

#endif
