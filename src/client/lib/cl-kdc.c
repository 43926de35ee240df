/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Where the exchange goes: the config's kdc, else krb5.conf's kdc for the
 * realm (src/krb), else the DNS SRV records _kerberos._tcp.REALM, as a
 * Windows device finds a writable DC through the domain's DNS.  The SRV
 * answer is parsed by libresolv's ns_* parser; names that do not expand,
 * a "." target (the service is not offered) and port 0 are skipped.
 */
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <string.h>

#include "cl-kdc.h"
#include "exchange.h"

#define SRV_ANSWER_MAX 4096

int cl_kdc_srv(const char *realm, char *out, size_t outlen, struct ct_errinfo *ei)
{
	unsigned char answer[SRV_ANSWER_MAX];
	char qname[300], target[NS_MAXDNAME], best[NS_MAXDNAME + 8];
	struct __res_state rs;
	ns_msg msg;
	ns_rr rr;
	int n, i, count, best_prio = 65536, best_weight = -1;

	best[0] = '\0';
	if (snprintf(qname, sizeof(qname), "_kerberos._tcp.%s", realm) >= (int)sizeof(qname))
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG, "realm name too long");
	memset(&rs, 0, sizeof(rs));
	if (res_ninit(&rs) != 0)
		return ct_errinfo_set(ei, CT_ERR_NOT_FOUND, "no DNS resolver configured");
	n = res_nquery(&rs, qname, ns_c_in, ns_t_srv, answer, sizeof(answer));
	res_nclose(&rs);
	if (n < 0 || ns_initparse(answer, n, &msg) != 0)
		return ct_errinfo_set(ei, CT_ERR_NOT_FOUND, "no DNS SRV record %s", qname);
	count = ns_msg_count(msg, ns_s_an);
	for (i = 0; i < count; i++) {
		const unsigned char *rd;
		int prio, weight, port;

		if (ns_parserr(&msg, ns_s_an, i, &rr) != 0 || ns_rr_type(rr) != ns_t_srv ||
		    ns_rr_rdlen(rr) < 7)
			continue;
		rd = ns_rr_rdata(rr);
		prio = ns_get16(rd);
		weight = ns_get16(rd + 2);
		port = ns_get16(rd + 4);
		if (port == 0 ||
		    dn_expand(ns_msg_base(msg), ns_msg_end(msg), rd + 6, target, sizeof(target)) < 0 ||
		    target[0] == '\0' || strcmp(target, ".") == 0)
			continue;
		if (prio < best_prio || (prio == best_prio && weight > best_weight)) {
			best_prio = prio;
			best_weight = weight;
			snprintf(best, sizeof(best), "%.*s:%d", NS_MAXDNAME - 1, target, port);
		}
	}
	if (best[0] == '\0')
		return ct_errinfo_set(ei, CT_ERR_NOT_FOUND, "no usable DNS SRV record %s", qname);
	if (strlen(best) >= outlen)
		return ct_errinfo_set(ei, CT_ERR_TOO_LARGE, "KDC name too long");
	memcpy(out, best, strlen(best) + 1);
	return 0;
}

int cl_kdc_find(const char *realm, const char *configured, char *out, size_t outlen,
		struct ct_errinfo *ei)
{
	struct ct_kdc_addr a;
	int r;

	if (configured != NULL) {
		if (strlen(configured) >= outlen)
			return ct_errinfo_set(ei, CT_ERR_TOO_LARGE, "KDC name too long");
		memcpy(out, configured, strlen(configured) + 1);
		return 0;
	}
	r = ct_kdc_locate(realm, NULL, &a, NULL);
	if (r == 0) {
		if ((size_t)snprintf(out, outlen, "%s:%s", a.host, a.port) >= outlen)
			return ct_errinfo_set(ei, CT_ERR_TOO_LARGE, "KDC name too long");
		return 0;
	}
	r = cl_kdc_srv(realm, out, outlen, NULL);
	if (r != 0)
		return ct_errinfo_set(ei, CT_ERR_NOT_FOUND,
				      "no domain controller for %s: none in the client config "
				      "(kdc), none in krb5.conf, no DNS SRV record "
				      "_kerberos._tcp.%s", realm, realm);
	return 0;
}
