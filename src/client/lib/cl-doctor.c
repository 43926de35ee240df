/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cloudtrust doctor`: every prerequisite of a PIN sign-in with a full
 * TGT, checked in order, stopping at the first that fails with what to do.
 *
 * The user checks renew the user's PRT (no PIN needed: the session key
 * signs) and exchange the fresh partial TGT at the DC without writing any
 * cache; the exchange runs before the clock and policy checks are
 * reported, because its answer is what they are judged by.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cl-internal.h"
#include "cl-kdc.h"
#include "cl-logon.h"
#include "creds.h"
#include "exchange.h"
#include "strict-json.h"

/* Kerberos' and the service's tolerance (RFC 4120 default, PROTOCOL.md §6). */
#define MAX_SKEW 300

static const char *const check_names[CT_DOCTOR_CHECK_COUNT] = {
	"server reachable",
	"TLS certificate valid",
	"device known and enabled",
	"user has an on-premises identity",
	"domain has a Kerberos server object",
	"domain controller reachable",
	"clock skew under 5 minutes",
	"UseCloudTrustForOnPremAuth on",
	"exchange at the domain controller",
};

struct doctor {
	ct_doctor_cb cb;
	void *arg;
	struct ct_doctor_check chk;
	int failed;                 /* the id of the failed check + 1, or 0 */
};

/* Reports one check; returns its outcome. */
static bool __attribute__((format(printf, 5, 6)))
report(struct doctor *d, enum ct_doctor_check_id id, bool ok, const char *hint,
       const char *fmt, ...)
{
	va_list ap;

	memset(&d->chk, 0, sizeof(d->chk));
	d->chk.id = id;
	d->chk.name = check_names[id];
	d->chk.ok = ok;
	va_start(ap, fmt);
	vsnprintf(d->chk.detail, sizeof(d->chk.detail), fmt, ap);
	va_end(ap);
	if (!ok && hint != NULL)
		cl_copy(d->chk.hint, sizeof(d->chk.hint), hint);
	if (d->cb != NULL)
		d->cb(&d->chk, d->arg);
	if (!ok)
		d->failed = (int)id + 1;
	return ok;
}

/* Splits https://host[:port]/... into host and port ("443" by default). */
static int url_host_port(const char *url, char *host, size_t hostlen, char *port,
			 size_t portlen)
{
	const char *h = strstr(url, "://"), *end, *colon;
	size_t n;

	if (h == NULL)
		return CT_ERR_BAD_VALUE;
	h += 3;
	end = h + strcspn(h, "/");
	if (*h == '[') {
		const char *rb = memchr(h, ']', (size_t)(end - h));

		if (rb == NULL)
			return CT_ERR_BAD_VALUE;
		n = (size_t)(rb - h - 1);
		colon = rb[1] == ':' ? rb + 1 : NULL;
		h++;
	} else {
		colon = memchr(h, ':', (size_t)(end - h));
		n = (size_t)((colon != NULL ? colon : end) - h);
	}
	if (n == 0 || n >= hostlen)
		return CT_ERR_BAD_VALUE;
	memcpy(host, h, n);
	host[n] = '\0';
	if (colon != NULL && (size_t)(end - colon - 1) > 0 &&
	    (size_t)(end - colon - 1) < portlen) {
		memcpy(port, colon + 1, (size_t)(end - colon - 1));
		port[end - colon - 1] = '\0';
	} else {
		snprintf(port, portlen, "443");
	}
	return 0;
}

/* A TCP connection to host:port within timeout_ms; 0 or -errno-ish. */
static int tcp_probe(const char *host, const char *port, int timeout_ms, char *why,
		     size_t whylen)
{
	struct addrinfo hints, *res = NULL, *ai;
	int fd, r, err = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	r = getaddrinfo(host, port, &hints, &res);
	if (r != 0) {
		snprintf(why, whylen, "cannot resolve %s: %s", host, gai_strerror(r));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		struct pollfd pfd;
		socklen_t sl = sizeof(err);

		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd < 0)
			continue;
		r = connect(fd, ai->ai_addr, ai->ai_addrlen);
		if (r != 0 && errno == EINPROGRESS) {
			pfd.fd = fd;
			pfd.events = POLLOUT;
			r = poll(&pfd, 1, timeout_ms);
			if (r == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl) == 0 &&
			    err == 0)
				r = 0;
			else
				r = -1;
			if (err == 0 && r != 0)
				err = ETIMEDOUT;
		} else if (r != 0) {
			err = errno;
		}
		close(fd);
		if (r == 0) {
			freeaddrinfo(res);
			return 0;
		}
	}
	freeaddrinfo(res);
	snprintf(why, whylen, "cannot connect to %s port %s: %s", host, port,
		 strerror(err != 0 ? err : ECONNREFUSED));
	return -1;
}

static long long absll(long long v)
{
	return v < 0 ? -v : v;
}

/* The server's clock: the iat of the renewal's id_token, else its Date. */
static time_t server_time(const struct ct_client *c, const struct cl_prt_reply *p)
{
	json_t *claims = NULL;
	int64_t iat = 0;

	if (p != NULL && p->id_token != NULL &&
	    cl_jws_peek_claims(p->id_token, &claims, NULL) == 0 &&
	    ct_json_get_int(claims, "iat", &iat) == 0 && iat > 0) {
		json_decref(claims);
		return (time_t)iat;
	}
	json_decref(claims);
	return c->server_date;
}

/* Checks 1-3: the server and this device. */
static bool device_checks(struct ct_client *c, struct doctor *d, struct ct_policy *pol)
{
	struct cl_http_reply rep;
	struct ct_errinfo ei = {0};
	char host[256], port[16], why[512], cabuf[PATH_MAX];
	const char *url = cl_server_url(c);
	int r;

	if (url_host_port(url, host, sizeof(host), port, sizeof(port)) != 0)
		return report(d, CT_DOCTOR_SERVER_REACHABLE, false,
			      "fix server_url in the client config", "bad server URL %s", url);
	if (tcp_probe(host, port, (int)c->cfg.timeout * 1000, why, sizeof(why)) != 0)
		return report(d, CT_DOCTOR_SERVER_REACHABLE, false,
			      "check the network path to the server and that cloudtrustd runs "
			      "(server_url in the client config, or the URL saved at join)",
			      "%s", why);
	report(d, CT_DOCTOR_SERVER_REACHABLE, true, NULL, "%s port %s answers", host, port);

	r = cl_http_open(c, NULL, NULL, &ei);
	if (r == 0) {
		char path[256];

		cl_path_discovery(path, sizeof(path), c->dev.tenant_id);
		r = cl_http_request(c->http, "GET", path, CL_BODY_NONE, NULL, 0, NULL, &rep, &ei);
		if (r == 0) {
			if (rep.date != 0)
				c->server_date = rep.date;
			if (rep.status != 200)
				r = ct_errinfo_set(&ei, CT_ERR_REFUSED,
						   "discovery answered HTTP %ld (tenant %s unknown?)",
						   rep.status, c->dev.tenant_id);
			cl_http_reply_free(&rep);
		}
	}
	if (r != 0)
		return report(d, CT_DOCTOR_TLS, false,
			      r == CT_ERR_CERT_UNTRUSTED
				      ? "the server's certificate does not chain to the CA this "
					"device trusts: set ca_file to the right CA, or join again"
				      : "the server does not speak HTTPS as expected: check "
					"server_url and the server's TLS setup",
			      "%s", ei.msg);
	report(d, CT_DOCTOR_TLS, true, NULL, "verified against %s", cl_ca_file(c, cabuf));

	if (geteuid() != 0)
		return report(d, CT_DOCTOR_DEVICE, false, "run cloudtrust doctor as root",
			      "the device key is root's");
	r = cl_policy_fetch(c, NULL, pol, &ei);
	if (r != 0)
		return report(d, CT_DOCTOR_DEVICE, false,
			      "an administrator checks the device (cloudtrust-admin device show "
			      "ID) and enables it, or the device joins again",
			      "device %s: %s", c->dev.device_id, ei.msg);
	return report(d, CT_DOCTOR_DEVICE, true, NULL, "device %s signs requests the server "
		      "accepts", c->dev.device_id);
}

/* Checks 4-5 judge the renewal's tgt_ad. */
static bool tgt_checks(struct doctor *d, const struct cl_user_state *st,
		       const struct cl_tgt_ad *t)
{
	const char *e = t->state == CL_TGT_ERROR ? t->error : "";

	if (strcmp(e, "no_onprem_identity") == 0)
		return report(d, CT_DOCTOR_ONPREM_IDENTITY, false,
			      "an administrator links the user to their AD account: "
			      "cloudtrust-admin user set-onprem UPN --sam NAME --domain DNS --sid SID",
			      "%s has no on-premises identity in the cloud directory", st->upn);
	if (strcmp(e, "denied_account") == 0)
		return report(d, CT_DOCTOR_ONPREM_IDENTITY, false,
			      "privileged accounts (Domain Admins and the like) never get a "
			      "partial TGT: use an ordinary account",
			      "%s is a privileged account the service refuses", st->upn);
	if (t->state == CL_TGT_ABSENT)
		return report(d, CT_DOCTOR_ONPREM_IDENTITY, false,
			      "the server sent no tgt_ad at all: upgrade or check the server",
			      "no tgt_ad in the renewal reply");
	report(d, CT_DOCTOR_ONPREM_IDENTITY, true, NULL, "%s has an on-premises identity",
	       st->upn);
	if (strcmp(e, "no_kerberos_server") == 0 || strcmp(e, "no_key") == 0)
		return report(d, CT_DOCTOR_KERBEROS_SERVER, false,
			      "an administrator creates and publishes the Kerberos server object "
			      "for the user's domain: cloudtrust-admin kerberos-server set",
			      "%s: %s", e,
			      t->error_description[0] ? t->error_description
						      : "no Kerberos server object with a key");
	if (t->state == CL_TGT_ERROR)
		return report(d, CT_DOCTOR_KERBEROS_SERVER, false,
			      "see the server's audit log for tgt_ad.issue",
			      "the server sent no partial TGT: %s", e);
	return report(d, CT_DOCTOR_KERBEROS_SERVER, true, NULL,
		      "partial TGT for %s issued for realm %s", t->cn, t->realm);
}

/* Checks 6-9: DC, clocks, policy, exchange. */
static bool dc_checks(struct ct_client *c, struct doctor *d, const struct cl_user_state *st,
		      const struct cl_prt_reply *p, const struct ct_policy *pol)
{
	struct ct_exchange_opts eo;
	struct ct_krb_creds partial, full;
	struct ct_kdc_error kerr;
	struct ct_kdc_addr kdc;
	struct ct_kcrypto *kc = NULL;
	struct ct_arena *a = ct_arena_new();
	struct ct_errinfo ei = {0}, xei = {0};
	char why[512], kdcname[300];
	time_t now, srv;
	long long skew_srv = 0, skew_dc = 0;
	bool have_dc_time = false, ok = false;
	int r, xr;

	memset(&partial, 0, sizeof(partial));
	memset(&full, 0, sizeof(full));
	memset(&kerr, 0, sizeof(kerr));
	r = cl_kdc_find(p->tgt_ad.realm, c->cfg.kdc, kdcname, sizeof(kdcname), &ei);
	if (r == 0)
		r = ct_kdc_locate(p->tgt_ad.realm, kdcname, &kdc, &ei);
	if (r != 0) {
		report(d, CT_DOCTOR_DC_REACHABLE, false,
		       "name a writable DC: kdc = HOST in the client config, the realm's kdc "
		       "in krb5.conf, or DNS SRV records for the realm",
		       "%s", ei.msg);
		goto out;
	}
	if (tcp_probe(kdc.host, kdc.port, (int)c->cfg.timeout * 1000, why, sizeof(why)) != 0) {
		report(d, CT_DOCTOR_DC_REACHABLE, false,
		       "the device needs line of sight to a writable DC on TCP port 88", "%s",
		       why);
		goto out;
	}
	report(d, CT_DOCTOR_DC_REACHABLE, true, NULL, "%s port %s answers for %s", kdc.host,
	       kdc.port, p->tgt_ad.realm);

	now = cl_now();
	srv = server_time(c, p);
	if (srv != 0)
		skew_srv = (long long)srv - (long long)now;
	if (srv != 0 && absll(skew_srv) >= MAX_SKEW) {
		report(d, CT_DOCTOR_CLOCK, false,
		       "set the clocks right (NTP: timedatectl set-ntp true) on this device "
		       "and the server",
		       "this device's clock is %lld s %s the server's", absll(skew_srv),
		       skew_srv > 0 ? "behind" : "ahead of");
		goto out;
	}
	/* The exchange, judged below by the clock, policy and exchange checks. */
	xr = a == NULL ? CT_ERR_NOMEM : ct_kcrypto_new(&kc);
	if (xr == 0)
		xr = cl_open_partial_tgt(kc, a, &p->tgt_ad, st->session_key,
					 sizeof(st->session_key), &partial, &xei);
	if (xr == 0) {
		memset(&eo, 0, sizeof(eo));
		eo.kdc = kdcname;
		eo.timeout_ms = (int)c->cfg.timeout * 1000;
		xr = ct_exchange_partial_tgt(kc, a, &partial, &eo, &full, &kerr, &xei);
	}
	if (xr == 0 && full.starttime != 0) {
		have_dc_time = true;
		skew_dc = (long long)full.starttime - (long long)cl_now();
	}
	if (kerr.code == 37 || (have_dc_time && absll(skew_dc) >= MAX_SKEW)) {
		report(d, CT_DOCTOR_CLOCK, false,
		       "set the clocks right (NTP) on this device and the domain controller",
		       "this device's clock differs from the domain controller's by more than "
		       "5 minutes");
		goto out;
	}
	report(d, CT_DOCTOR_CLOCK, true, NULL, "server %+lld s%s%s", skew_srv,
	       have_dc_time ? ", domain controller " : "",
	       have_dc_time ? (absll(skew_dc) < 60 ? "within a minute" : "within 5 minutes")
			    : "");

	if (!pol->use_cloud_trust_for_onprem_auth) {
		report(d, CT_DOCTOR_POLICY, false,
		       pol->source[CT_POL_USE_CLOUD_TRUST_FOR_ONPREM_AUTH] == CT_POLICY_LOCAL
			       ? "the local policy file turns it off: set "
				 "UseCloudTrustForOnPremAuth to true there"
			       : "an administrator turns it on: cloudtrust-admin policy set "
				 "UseCloudTrustForOnPremAuth true",
		       "UseCloudTrustForOnPremAuth is false (%s policy)",
		       ct_policy_source_name(pol->source[CT_POL_USE_CLOUD_TRUST_FOR_ONPREM_AUTH]));
		goto out;
	}
	report(d, CT_DOCTOR_POLICY, true, NULL, "UseCloudTrustForOnPremAuth is true (%s policy)",
	       ct_policy_source_name(pol->source[CT_POL_USE_CLOUD_TRUST_FOR_ONPREM_AUTH]));

	if (xr != 0) {
		report(d, CT_DOCTOR_EXCHANGE, false,
		       xr == CT_ERR_KDC_ERROR
			       ? "the domain controller refused: check the Kerberos server "
				 "object's key and the password replication policy for the user"
			       : "the domain controller could not be used: see the detail",
		       "%s", xei.msg);
		goto out;
	}
	{
		char client[512];

		ct_principal_unparse(&full.client, full.client_realm, client, sizeof(client));
		ok = report(d, CT_DOCTOR_EXCHANGE, true, NULL,
			    "full TGT for %s from %s (not stored)", client, kdc.host);
	}
out:
	ct_kcrypto_free(kc);
	ct_arena_free(a);
	return ok;
}

int ct_client_doctor(struct ct_client *c, const char *user, ct_doctor_cb cb, void *arg,
		     struct ct_errinfo *ei)
{
	struct doctor d = {.cb = cb, .arg = arg};
	struct cl_user_state *st = NULL;
	struct cl_prt_reply p;
	struct ct_logon_result res;
	struct ct_policy pol;
	struct ct_errinfo uei = {0};
	int r;

	memset(&p, 0, sizeof(p));
	r = cl_need_joined(c, ei);
	if (r != 0)
		return r;
	if (!device_checks(c, &d, &pol))
		goto out;
	if (user == NULL) {
		if (c->server_date != 0 && absll((long long)c->server_date - cl_now()) >= MAX_SKEW)
			report(&d, CT_DOCTOR_CLOCK, false, "set the clocks right (NTP)",
			       "this device's clock differs from the server's Date by %lld s",
			       absll((long long)c->server_date - cl_now()));
		goto out;
	}
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return CT_ERR_NOMEM;
	r = cl_user_state_load_user(c->cfg.state_dir, user, st, &uei);
	if (r == 0)
		r = cl_renew_prt(c, st, true, &p, &res, &uei);
	if (r != 0) {
		report(&d, CT_DOCTOR_ONPREM_IDENTITY, false,
		       r == CT_ERR_NOT_ENROLLED ? "enroll first: cloudtrust enroll"
		       : r == CT_ERR_NOT_FOUND  ? "sign in once with the PIN: cloudtrust logon"
						: "the server refused the user's PRT: the user may be "
						  "disabled; sign in again with the PIN",
		       "%s", uei.msg);
		goto out;
	}
	/* The user's own policy (group values) judges the policy check. */
	if (cl_policy_fetch(c, st->upn, &pol, &uei) != 0 && cl_policy_cached(c, &pol, &uei) != 0)
		ct_policy_defaults(&pol);
	if (tgt_checks(&d, st, &p.tgt_ad))
		dc_checks(c, &d, st, &p, &pol);
out:
	cl_prt_reply_free(&p);
	if (st != NULL)
		cl_user_state_clear(st);
	free(st);
	if (d.failed != 0)
		return ct_errinfo_set(ei, CT_ERR_DENIED, "doctor: \"%s\" failed",
				      check_names[d.failed - 1]);
	return 0;
}
