/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Finding and talking to a KDC: krb5.conf lookup through MIT's public
 * profile API, and RFC 4120 TCP framing with a deadline.
 */
#include <errno.h>
#include <krb5/krb5.h>
#include <netdb.h>
#include <poll.h>
#include <profile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ct-limits.h"
#include "exchange.h"

/* Splits "host", "host:port" or "[v6]:port" into out. */
static int parse_hostport(const char *s, struct ct_kdc_addr *out)
{
	const char *host = s, *colon, *end;
	size_t hlen;

	snprintf(out->port, sizeof(out->port), "88");
	if (s[0] == '[') {
		end = strchr(s, ']');
		if (end == NULL)
			return CT_ERR_INVALID_ARG;
		host = s + 1;
		hlen = (size_t)(end - host);
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] != '\0' && colon == NULL)
			return CT_ERR_INVALID_ARG;
	} else {
		colon = strrchr(s, ':');
		if (colon != NULL && strchr(s, ':') != colon)
			colon = NULL; /* bare IPv6 address */
		hlen = colon ? (size_t)(colon - s) : strlen(s);
	}
	if (hlen == 0 || hlen >= sizeof(out->host))
		return CT_ERR_INVALID_ARG;
	memcpy(out->host, host, hlen);
	out->host[hlen] = '\0';
	if (colon != NULL) {
		char *e;
		long p = strtol(colon + 1, &e, 10);

		if (*e != '\0' || p <= 0 || p > 65535)
			return CT_ERR_INVALID_ARG;
		snprintf(out->port, sizeof(out->port), "%ld", p);
	}
	return 0;
}

int ct_kdc_locate(const char *realm, const char *explicit_kdc,
		  struct ct_kdc_addr *out, struct ct_errinfo *ei)
{
	krb5_context ctx = NULL;
	profile_t prof = NULL;
	const char *names[] = {"realms", realm, "kdc", NULL};
	char **values = NULL;
	int r;

	if (explicit_kdc != NULL) {
		r = parse_hostport(explicit_kdc, out);
		return r == 0 ? 0
			      : ct_errinfo_set(ei, r, "invalid KDC address \"%s\"",
					       explicit_kdc);
	}
	if (krb5_init_context(&ctx) != 0)
		return ct_errinfo_set(ei, CT_ERR_NOT_FOUND,
				      "cannot read krb5.conf to find a DC for %s", realm);
	if (krb5_get_profile(ctx, &prof) != 0 ||
	    profile_get_values(prof, names, &values) != 0 || values[0] == NULL) {
		r = ct_errinfo_set(ei, CT_ERR_NOT_FOUND,
				   "no domain controller configured for %s: add "
				   "\"kdc = HOST\" under [realms] %s in krb5.conf "
				   "or pass --kdc", realm, realm);
		goto out;
	}
	r = parse_hostport(values[0], out);
	if (r != 0)
		ct_errinfo_set(ei, r, "invalid kdc \"%s\" for %s in krb5.conf",
			       values[0], realm);
out:
	if (values != NULL)
		profile_free_list(values);
	if (prof != NULL)
		profile_release(prof);
	krb5_free_context(ctx);
	return r;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for events on fd until the deadline; 0, CT_ERR_TIMEOUT, CT_ERR_NETWORK. */
static int wait_fd(int fd, short events, long long deadline)
{
	struct pollfd p = {.fd = fd, .events = events};
	long long left;
	int n;

	for (;;) {
		left = deadline - now_ms();
		if (left <= 0)
			return CT_ERR_TIMEOUT;
		n = poll(&p, 1, (int)left);
		if (n > 0)
			return 0;
		if (n == 0)
			return CT_ERR_TIMEOUT;
		if (errno != EINTR)
			return CT_ERR_NETWORK;
	}
}

static int io_full(int fd, void *buf, size_t len, bool writing,
		   long long deadline)
{
	uint8_t *p = buf;
	ssize_t n;
	int r;

	while (len > 0) {
		r = wait_fd(fd, writing ? POLLOUT : POLLIN, deadline);
		if (r != 0)
			return r;
		n = writing ? send(fd, p, len, MSG_NOSIGNAL) : recv(fd, p, len, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return CT_ERR_NETWORK;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int connect_deadline(const struct ct_kdc_addr *kdc, long long deadline,
			    int *fd_out, struct ct_errinfo *ei)
{
	struct addrinfo hints = {0}, *res = NULL, *ai;
	int fd = -1, r = CT_ERR_NETWORK, gai, err = 0;
	socklen_t elen = sizeof(err);

	hints.ai_socktype = SOCK_STREAM;
	gai = getaddrinfo(kdc->host, kdc->port, &hints, &res);
	if (gai != 0)
		return ct_errinfo_set(ei, CT_ERR_NETWORK,
				      "cannot resolve domain controller %s: %s",
				      kdc->host, gai_strerror(gai));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ||
		    (errno == EINPROGRESS &&
		     (r = wait_fd(fd, POLLOUT, deadline)) == 0 &&
		     getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) == 0 &&
		     err == 0)) {
			r = 0;
			break;
		}
		if (r != CT_ERR_TIMEOUT)
			r = CT_ERR_NETWORK;
		if (err == 0)
			err = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return ct_errinfo_set(ei, r,
				      "cannot reach domain controller %s port %s: %s",
				      kdc->host, kdc->port,
				      r == CT_ERR_TIMEOUT ? "timed out" : strerror(err));
	*fd_out = fd;
	return 0;
}

int ct_kdc_sendto(const struct ct_kdc_addr *kdc, const uint8_t *msg,
		  size_t len, int timeout_ms, struct ct_buf *reply,
		  struct ct_errinfo *ei)
{
	long long deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 10000);
	uint8_t hdr[4];
	uint32_t rlen;
	int fd = -1, r;

	if (len > CT_KRB_MAX_MSG)
		return CT_ERR_TOO_LARGE;
	r = connect_deadline(kdc, deadline, &fd, ei);
	if (r != 0)
		return r;
	hdr[0] = (uint8_t)(len >> 24);
	hdr[1] = (uint8_t)(len >> 16);
	hdr[2] = (uint8_t)(len >> 8);
	hdr[3] = (uint8_t)len;
	r = io_full(fd, hdr, 4, true, deadline);
	if (r == 0)
		r = io_full(fd, (void *)msg, len, true, deadline);
	if (r == 0)
		r = io_full(fd, hdr, 4, false, deadline);
	if (r != 0) {
		ct_errinfo_set(ei, r, "talking to domain controller %s: %s",
			       kdc->host, r == CT_ERR_TIMEOUT ? "timed out"
							      : "connection failed");
		goto out;
	}
	rlen = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 |
	       (uint32_t)hdr[2] << 8 | hdr[3];
	/* The high bit is reserved for extensions we do not speak. */
	if (rlen > CT_KRB_MAX_MSG) {
		r = ct_errinfo_set(ei, CT_ERR_TOO_LARGE,
				   "domain controller %s sent a %u-byte reply",
				   kdc->host, (unsigned)rlen);
		goto out;
	}
	r = ct_buf_reserve(reply, rlen);
	/* An empty reply reads nothing (and has no buffer to point into). */
	if (r == 0 && rlen > 0)
		r = io_full(fd, reply->data + reply->len, rlen, false, deadline);
	if (r != 0) {
		ct_errinfo_set(ei, r, "reading the reply of %s: %s", kdc->host,
			       ct_strerror(r));
		goto out;
	}
	reply->len += rlen;
out:
	close(fd);
	return r;
}
