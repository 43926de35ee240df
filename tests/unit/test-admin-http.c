/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cloudtrust-admin against a FAKE HTTP server on loopback, written here: it
 * records the request it gets and sends a canned reply (or nothing), so the
 * tests see exactly what goes on the wire (method, path, token header,
 * body) and how the command treats each kind of reply: size cap, timeout,
 * redirects, error bodies and the exit status of each.  The real
 * cloudtrustd is tested end to end in tests/server.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "adm-http.h"
#include "adm.h"
#include "ct-error.h"
#include "tap.h"

#define ARGC(v) ((int)(sizeof(v) / sizeof((v)[0])))

/* Reply after the request, say nothing, or reply at once (to a TLS client). */
enum fake_mode { FAKE_REPLY, FAKE_SILENT, FAKE_BLURT };

struct fake {
	int lfd;
	uint16_t port;
	char url[64];
	enum fake_mode mode;
	char reply[16384];
	pthread_t thread;
	char req[65536];
	size_t reqlen;
	const char *body; /* into req, after the headers */
};

/* Reads the request: headers, then Content-Length bytes of body. */
static void read_request(struct fake *f, int fd)
{
	const char *end = NULL, *cl;
	size_t want = 0;
	ssize_t n;

	while (f->reqlen < sizeof(f->req) - 1) {
		n = read(fd, f->req + f->reqlen, sizeof(f->req) - 1 - f->reqlen);
		if (n <= 0)
			break;
		f->reqlen += (size_t)n;
		f->req[f->reqlen] = '\0';
		if (end == NULL && (end = strstr(f->req, "\r\n\r\n")) != NULL) {
			cl = strstr(f->req, "Content-Length: ");
			want = (size_t)(end - f->req) + 4;
			if (cl != NULL && cl < end)
				want += strtoul(cl + 16, NULL, 10);
		}
		if (end != NULL && f->reqlen >= want)
			break;
	}
	f->body = end != NULL ? strstr(f->req, "\r\n\r\n") + 4 : "";
}

static void *fake_main(void *arg)
{
	struct fake *f = arg;
	struct pollfd p;
	char sink[256];
	int fd = accept(f->lfd, NULL, NULL);

	if (fd < 0)
		return NULL;
	if (f->mode == FAKE_BLURT && send(fd, f->reply, strlen(f->reply), MSG_NOSIGNAL) < 0)
		perror("fake send");
	read_request(f, fd);
	if (f->mode == FAKE_REPLY) {
		/* The client may be gone (TLS to a plain server): no SIGPIPE. */
		if (send(fd, f->reply, strlen(f->reply), MSG_NOSIGNAL) < 0)
			perror("fake send");
	} else {
		/* Say nothing until the client gives up. */
		p.fd = fd;
		p.events = POLLIN;
		while (poll(&p, 1, 5000) > 0 && read(fd, sink, sizeof(sink)) > 0)
			;
	}
	shutdown(fd, SHUT_RDWR);
	close(fd);
	return NULL;
}

static struct fake *fake_start(enum fake_mode mode, const char *reply)
{
	struct fake *f = calloc(1, sizeof(*f));
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	f->mode = mode;
	snprintf(f->reply, sizeof(f->reply), "%s", reply != NULL ? reply : "");
	f->lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (f->lfd < 0 || bind(f->lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(f->lfd, 4) != 0 || getsockname(f->lfd, (struct sockaddr *)&sa, &len) != 0)
		perror("fake listen");
	f->port = ntohs(sa.sin_port);
	snprintf(f->url, sizeof(f->url), "http://127.0.0.1:%u", (unsigned)f->port);
	pthread_create(&f->thread, NULL, fake_main, f);
	return f;
}

/*
 * Joins the server thread once the client is done (the request is then
 * complete) and keeps f.  A client that never connected leaves the server
 * in accept(): one empty connection wakes it.
 */
static void fake_join(struct fake *f)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(f->port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		perror("fake wake");
	close(fd);
	pthread_join(f->thread, NULL);
	close(f->lfd);
}

/* A whole HTTP/1.1 reply with a JSON body (or none for 204). */
static const char *reply_json(int status, const char *headers, const char *body)
{
	static char buf[16384];

	snprintf(buf, sizeof(buf),
		 "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
		 "Connection: close\r\nX-Trace-Id: trace-%d\r\n%s\r\n%s",
		 status, strlen(body), status, headers, body);
	return buf;
}

static const char token[] = "q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJ-_A";

static int request(struct fake *f, const char *method, const char *path, const char *body,
		   size_t max_reply, long timeout_ms, struct adm_http_reply *rep,
		   struct ct_errinfo *ei)
{
	struct adm_http_config cfg = {
		.base_url = f->url, .token = token, .timeout_ms = timeout_ms,
		.max_reply = max_reply,
	};
	struct adm_http *h = NULL;
	int r;

	memset(ei, 0, sizeof(*ei));
	r = adm_http_new(&cfg, &h, ei);
	if (r == 0)
		r = adm_http_request(h, method, path, body, body != NULL ? strlen(body) : 0, rep, ei);
	adm_http_free(h);
	fake_join(f);
	return r;
}

static void test_wire(void)
{
	struct adm_http_reply rep;
	struct ct_errinfo ei;
	struct fake *f;

	f = fake_start(FAKE_REPLY, reply_json(200, "", "{\"users\": []}"));
	CHECK_ERR(request(f, "GET", "/admin/v1/users", NULL, 0, 5000, &rep, &ei), 0);
	CHECK(strncmp(f->req, "GET /admin/v1/users HTTP/1.1\r\n", 30) == 0);
	CHECK(strstr(f->req, "\r\nAuthorization: Bearer "
			     "q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJ-_A\r\n") != NULL);
	CHECK(strstr(f->req, "\r\nAccept: application/json\r\n") != NULL);
	CHECK(strstr(f->req, "Content-Type") == NULL);
	CHECK(strstr(f->req, "User-Agent: cloudtrust-admin/") != NULL);
	CHECK_INT(rep.status, 200);
	CHECK_MEM(rep.body.data, rep.body.len, "{\"users\": []}", 13);
	CHECK_STR(rep.trace_id, "trace-200");
	adm_http_reply_free(&rep);
	free(f);

	f = fake_start(FAKE_REPLY, reply_json(201, "", "{}"));
	CHECK_ERR(request(f, "POST", "/admin/v1/groups", "{\"name\":\"staff\"}", 0, 5000, &rep, &ei), 0);
	CHECK(strncmp(f->req, "POST /admin/v1/groups HTTP/1.1\r\n", 32) == 0);
	CHECK(strstr(f->req, "\r\nContent-Type: application/json\r\n") != NULL);
	CHECK(strstr(f->req, "\r\nContent-Length: 16\r\n") != NULL);
	CHECK(strstr(f->req, "Expect:") == NULL);
	CHECK_STR(f->body, "{\"name\":\"staff\"}");
	CHECK_INT(rep.status, 201);
	adm_http_reply_free(&rep);
	free(f);

	/* A POST without a body claims no form. */
	f = fake_start(FAKE_REPLY, reply_json(200, "", "{}"));
	CHECK_ERR(request(f, "POST", "/admin/v1/users/a@b/disable", NULL, 0, 5000, &rep, &ei), 0);
	CHECK(strncmp(f->req, "POST /admin/v1/users/a@b/disable HTTP/1.1\r\n", 43) == 0);
	CHECK(strstr(f->req, "\r\nContent-Length: 0\r\n") != NULL);
	CHECK(strstr(f->req, "Content-Type") == NULL);
	adm_http_reply_free(&rep);
	free(f);

	f = fake_start(FAKE_REPLY, reply_json(200, "", "{}"));
	CHECK_ERR(request(f, "PUT", "/admin/v1/policies", "{}", 0, 5000, &rep, &ei), 0);
	CHECK(strncmp(f->req, "PUT /admin/v1/policies HTTP/1.1\r\n", 33) == 0);
	adm_http_reply_free(&rep);
	free(f);

	f = fake_start(FAKE_REPLY, "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
	CHECK_ERR(request(f, "DELETE", "/admin/v1/devices/D-1", NULL, 0, 5000, &rep, &ei), 0);
	CHECK(strncmp(f->req, "DELETE /admin/v1/devices/D-1 HTTP/1.1\r\n", 39) == 0);
	CHECK_INT(rep.status, 204);
	CHECK_INT(rep.body.len, 0);
	CHECK_STR(rep.trace_id, "");
	adm_http_reply_free(&rep);
	free(f);

	/* Redirects are answers, not directions: the token goes nowhere else. */
	f = fake_start(FAKE_REPLY, "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/steal\r\n"
			 "Content-Length: 0\r\nConnection: close\r\n\r\n");
	CHECK_ERR(request(f, "GET", "/admin/v1/tenant", NULL, 0, 5000, &rep, &ei), 0);
	CHECK_INT(rep.status, 302);
	adm_http_reply_free(&rep);
	free(f);

	/* Only printable ASCII of a trace id is kept. */
	f = fake_start(FAKE_REPLY, "HTTP/1.1 200 OK\r\nx-trace-id:  \033[2Jab c\r\n"
			 "Content-Length: 2\r\nConnection: close\r\n\r\n{}");
	CHECK_ERR(request(f, "GET", "/admin/v1/tenant", NULL, 0, 5000, &rep, &ei), 0);
	CHECK_STR(rep.trace_id, "[2Jabc");
	adm_http_reply_free(&rep);
	free(f);
}

static void test_limits(void)
{
	struct adm_http_reply rep;
	struct ct_errinfo ei;
	char big[600], reply[1024];
	struct fake *f;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	/* Over the cap, announced by Content-Length. */
	f = fake_start(FAKE_REPLY, reply_json(200, "", big));
	CHECK_ERR(request(f, "GET", "/x", NULL, 512, 5000, &rep, &ei), CT_ERR_TOO_LARGE);
	CHECK_INT(rep.body.len, 0);
	free(f);
	/* Over the cap, without a length (the body ends when the connection does). */
	snprintf(reply, sizeof(reply), "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n%s", big);
	f = fake_start(FAKE_REPLY, reply);
	CHECK_ERR(request(f, "GET", "/x", NULL, 512, 5000, &rep, &ei), CT_ERR_TOO_LARGE);
	CHECK(strstr(ei.msg, "512") != NULL);
	free(f);
	/* At the cap: fine. */
	big[512] = '\0';
	f = fake_start(FAKE_REPLY, reply_json(200, "", big));
	CHECK_ERR(request(f, "GET", "/x", NULL, 512, 5000, &rep, &ei), 0);
	CHECK_INT(rep.body.len, 512);
	adm_http_reply_free(&rep);
	free(f);

	f = fake_start(FAKE_SILENT, NULL);
	CHECK_ERR(request(f, "GET", "/x", NULL, 0, 300, &rep, &ei), CT_ERR_TIMEOUT);
	free(f);
}

static void test_refusals(void)
{
	struct adm_http_config cfg = {.base_url = "http://127.0.0.1:1", .token = token,
				      .timeout_ms = 2000};
	struct adm_http_reply rep;
	struct ct_errinfo ei = {0};
	struct adm_http *h = NULL;
	struct fake *f;

	CHECK_ERR(adm_url_check("https://cloud.example.test:8443", &ei), 0);
	CHECK_ERR(adm_url_check("HTTPS://cloud.example.test/prefix/", &ei), 0);
	CHECK_ERR(adm_url_check("http://[::1]:8080", &ei), 0);
	CHECK_ERR(adm_url_check("ftp://x", &ei), CT_ERR_BAD_VALUE);
	CHECK_ERR(adm_url_check("cloud.example.test", &ei), CT_ERR_BAD_VALUE);
	CHECK_ERR(adm_url_check("https://", &ei), CT_ERR_BAD_VALUE);
	CHECK_ERR(adm_url_check("https:///x", &ei), CT_ERR_BAD_VALUE);
	CHECK_ERR(adm_url_check("https://user@x", &ei), CT_ERR_BAD_VALUE);
	CHECK_ERR(adm_url_check("https://x/?a=1", &ei), CT_ERR_BAD_VALUE);
	CHECK_ERR(adm_url_check("https://x/#f", &ei), CT_ERR_BAD_VALUE);
	CHECK_ERR(adm_url_check("https://x y", &ei), CT_ERR_BAD_VALUE);
	CHECK_ERR(adm_url_check("https://x\r\n", &ei), CT_ERR_BAD_VALUE);
	CHECK_ERR(adm_url_check(NULL, &ei), CT_ERR_BAD_VALUE);
	CHECK(adm_url_is_plain_http("HTTP://x"));
	CHECK(!adm_url_is_plain_http("https://x"));

	cfg.token = "abc\r\nX-Evil: 1";
	CHECK_ERR(adm_http_new(&cfg, &h, &ei), CT_ERR_BAD_VALUE);
	CHECK(h == NULL);
	cfg.token = "";
	CHECK_ERR(adm_http_new(&cfg, &h, &ei), CT_ERR_BAD_VALUE);
	cfg.token = token;
	cfg.base_url = "gopher://x";
	CHECK_ERR(adm_http_new(&cfg, &h, &ei), CT_ERR_BAD_VALUE);

	/* Nothing listens: unreachable. */
	{
		char url[64];
		struct sockaddr_in sa = {.sin_family = AF_INET};
		socklen_t len = sizeof(sa);
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
		    getsockname(fd, (struct sockaddr *)&sa, &len) != 0)
			perror("bind");
		snprintf(url, sizeof(url), "http://127.0.0.1:%u", (unsigned)ntohs(sa.sin_port));
		close(fd);
		cfg.base_url = url;
		CHECK_ERR(adm_http_new(&cfg, &h, &ei), 0);
		CHECK_ERR(adm_http_request(h, "GET", "/x", NULL, 0, &rep, &ei), CT_ERR_NETWORK);
		CHECK(strstr(ei.msg, url) != NULL);
		adm_http_free(h);
		h = NULL;
	}

	/* https: a CA file that cannot be used stops the request before any byte is sent. */
	f = fake_start(FAKE_REPLY, reply_json(200, "", "{}"));
	snprintf(f->url, sizeof(f->url), "https://127.0.0.1:%u", (unsigned)f->port);
	cfg.base_url = f->url;
	cfg.cacert = "/nonexistent/ca.pem";
	CHECK_ERR(adm_http_new(&cfg, &h, &ei), 0);
	CHECK_ERR(adm_http_request(h, "GET", "/x", NULL, 0, &rep, &ei), CT_ERR_IO);
	adm_http_free(h);
	fake_join(f);
	CHECK(strstr(f->req, "Authorization") == NULL);
	free(f);
	/* A server that answers in plain HTTP is a failed handshake, not a reply. */
	f = fake_start(FAKE_BLURT, reply_json(200, "", "{}"));
	snprintf(f->url, sizeof(f->url), "https://127.0.0.1:%u", (unsigned)f->port);
	cfg.base_url = f->url;
	cfg.cacert = "/etc/ssl/certs/ca-certificates.crt";
	CHECK_ERR(adm_http_new(&cfg, &h, &ei), 0);
	CHECK_ERR(adm_http_request(h, "GET", "/x", NULL, 0, &rep, &ei), CT_ERR_NETWORK);
	adm_http_free(h);
	fake_join(f);
	CHECK(strstr(f->req, "Authorization") == NULL);
	free(f);
}

/* ---- the whole command against the fake server ---- */

static char tokdir[] = "/tmp/ct-admin-http-XXXXXX";
static char tokfile[300], keyfile[300];

struct run {
	char *out, *err;
	int status;
};

static const char *no_env(const char *name)
{
	(void)name;
	return NULL;
}

/*
 * Runs "cloudtrust-admin --server URL --token-file T args..." with input
 * on stdin (not a terminal) against a fake server sending reply.
 */
static struct fake *run(const char *reply, const char *input, struct run *r, int argc,
			char **argv)
{
	struct fake *f = fake_start(FAKE_REPLY, reply);
	char *full[24] = {"cloudtrust-admin", "--server", f->url, "--token-file", tokfile};
	size_t olen, elen;
	FILE *in = input[0] != '\0' ? fmemopen((void *)input, strlen(input), "r")
				    : fopen("/dev/null", "r");
	struct adm_io io = {.in = in, .getenv = no_env};
	int i, n = 5;

	for (i = 0; i < argc && n < 23; i++)
		full[n++] = argv[i];
	io.out = open_memstream(&r->out, &olen);
	io.err = open_memstream(&r->err, &elen);
	r->status = adm_main(n, full, &io);
	fclose(io.out);
	fclose(io.err);
	fclose(in);
	fake_join(f);
	return f;
}

static void done(struct fake *f, struct run *r)
{
	free(f);
	free(r->out);
	free(r->err);
}

static const char user_json[] =
	"{\"id\": 3, \"upn\": \"alice@corp.example.test\", \"display_name\": \"Alice\","
	" \"enabled\": true, \"mfa_enrolled\": false, \"onprem\": null, \"groups\": [],"
	" \"created\": 1764020000}";

static void test_main_users(void)
{
	char *show[] = {"user", "show", "alice@corp.example.test"};
	char *json[] = {"--json", "user", "show", "alice@corp.example.test"};
	char *add[] = {"user", "add", "alice@corp.example.test", "--display-name", "Alice",
		       "--password-stdin"};
	char *mfa[] = {"user", "mfa", "enroll", "alice@corp.example.test"};
	struct fake *f;
	struct run r;

	f = run(reply_json(200, "", user_json), "", &r, ARGC(show), show);
	CHECK_INT(r.status, 0);
	CHECK(strncmp(f->req, "GET /admin/v1/users/alice@corp.example.test HTTP/1.1", 51) == 0);
	CHECK(strstr(r.out, "UPN:              alice@corp.example.test\n") != NULL);
	CHECK(strstr(r.out, "MFA enrolled:     no\n") != NULL);
	CHECK(strstr(r.out, "Created:          2025-11-24T21:33:20Z\n") != NULL);
	CHECK(strstr(r.err, "warning:") != NULL && strstr(r.err, "plain HTTP") != NULL);
	done(f, &r);

	f = run(reply_json(200, "", user_json), "", &r, ARGC(json), json);
	CHECK_INT(r.status, 0);
	CHECK(strncmp(r.out, "{\n  \"created\": 1764020000,\n  \"display_name\": \"Alice\",\n", 54) == 0);
	done(f, &r);

	/* The password goes in the body, never to the output. */
	f = run(reply_json(201, "", user_json), "correct horse\n", &r, ARGC(add), add);
	CHECK_INT(r.status, 0);
	CHECK(strncmp(f->req, "POST /admin/v1/users HTTP/1.1", 29) == 0);
	CHECK_STR(f->body, "{\"upn\":\"alice@corp.example.test\",\"display_name\":\"Alice\","
		  "\"password\":\"correct horse\"}");
	CHECK(strstr(r.out, "correct horse") == NULL && strstr(r.err, "correct horse") == NULL);
	done(f, &r);

	f = run(reply_json(200, "", "{\"otpauth_uri\": \"otpauth://totp/cloudtrust:alice?"
			   "secret=JBSWY3DPEHPK3PXP&issuer=cloudtrust\", \"secret\": \"JBSWY3DPEHPK3PXP\"}"),
		"", &r, ARGC(mfa), mfa);
	CHECK_INT(r.status, 0);
	CHECK(strncmp(f->req, "POST /admin/v1/users/alice@corp.example.test/mfa HTTP/1.1", 57) == 0);
	CHECK_STR(r.out, "otpauth://totp/cloudtrust:alice?secret=JBSWY3DPEHPK3PXP&issuer=cloudtrust\n");
	done(f, &r);
}

static void test_main_errors(void)
{
	char *show[] = {"user", "show", "nobody@corp.example.test"};
	char *add[] = {"group", "add", "staff"};
	struct fake *f;
	struct run r;

	f = run(reply_json(404, "", "{\"error\": \"not_found\", \"error_description\": \"no such user\","
			   " \"error_codes\": [40400]}"), "", &r, ARGC(show), show);
	CHECK_INT(r.status, ADM_EXIT_NOT_FOUND);
	CHECK_STR(r.out, "");
	CHECK(strstr(r.err, "cloudtrust-admin: no such user (not_found 40400, HTTP 404, "
			    "trace trace-404)\n") != NULL);
	done(f, &r);

	f = run(reply_json(409, "", "{\"error\": \"conflict\", \"error_codes\": [40900]}"), "", &r,
		ARGC(add), add);
	CHECK_INT(r.status, ADM_EXIT_CONFLICT);
	CHECK_STR(f->body, "{\"name\":\"staff\"}");
	done(f, &r);

	f = run(reply_json(401, "", "{\"error\": \"unauthorized\", \"error_codes\": [40101]}"), "",
		&r, ARGC(show), show);
	CHECK_INT(r.status, ADM_EXIT_UNAUTHORIZED);
	CHECK(strstr(r.err, "token file") != NULL);
	done(f, &r);

	f = run(reply_json(400, "", "{\"error\": \"invalid_request\", \"error_codes\": [50000]}"),
		"", &r, ARGC(show), show);
	CHECK_INT(r.status, ADM_EXIT_ERROR);
	done(f, &r);

	f = run(reply_json(500, "", "{}"), "", &r, ARGC(show), show);
	CHECK_INT(r.status, ADM_EXIT_ERROR);
	done(f, &r);

	/* A 200 that is not JSON is an error, not an empty success. */
	f = run(reply_json(200, "", "<html>"), "", &r, ARGC(show), show);
	CHECK_INT(r.status, ADM_EXIT_ERROR);
	CHECK(strstr(r.err, "not valid JSON") != NULL);
	done(f, &r);

	/* The token file is checked before anything is sent. */
	chmod(tokfile, 0644);
	f = run(reply_json(200, "", user_json), "", &r, ARGC(show), show);
	CHECK_INT(r.status, ADM_EXIT_ERROR);
	CHECK(strstr(r.err, "chmod 600") != NULL);
	CHECK_INT(f->reqlen, 0);
	chmod(tokfile, 0600);
	done(f, &r);
}

static void test_main_commands(void)
{
	char *remove[] = {"device", "remove", "D-1", "--yes"};
	char *member[] = {"group", "member", "remove", "staff", "bob@corp.example.test"};
	char *audit[] = {"audit", "show", "--limit", "5", "--actor", "a b@c", "--action", "user.add"};
	char *onprem[] = {"user", "set-onprem", "a@b", "--sam", "alice", "--domain", "corp.test",
			  "--sid", "S-1-5-21-1-2-3-1103"};
	char *publish[] = {"kerberos-server", "publish", "--domain", "corp.example.test",
			   "--realm", "CORP.EXAMPLE.TEST", "--rodc", "12345", "--key-file", keyfile,
			   "--key-version", "2", "--updated-from", "dc1"};
	char *ks_remove[] = {"--json", "kerberos-server", "remove", "corp.example.test", "--yes"};
	struct fake *f;
	struct run r;

	f = run("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n", "", &r, ARGC(remove), remove);
	CHECK_INT(r.status, 0);
	CHECK(strncmp(f->req, "DELETE /admin/v1/devices/D-1 HTTP/1.1", 37) == 0);
	CHECK_STR(r.out, "removed device D-1\n");
	done(f, &r);

	f = run("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n", "", &r, ARGC(ks_remove),
		ks_remove);
	CHECK_INT(r.status, 0);
	CHECK(strncmp(f->req, "DELETE /admin/v1/kerberos-servers/corp.example.test HTTP", 56) == 0);
	CHECK_STR(r.out, "");
	done(f, &r);

	f = run(reply_json(200, "", "{\"id\": 1, \"name\": \"staff\", \"members\": []}"), "", &r,
		ARGC(member), member);
	CHECK_INT(r.status, 0);
	CHECK(strncmp(f->req, "POST /admin/v1/groups/staff/members/remove HTTP", 47) == 0);
	CHECK_STR(f->body, "{\"upn\":\"bob@corp.example.test\"}");
	CHECK(strstr(r.out, "Members:  -\n") != NULL);
	done(f, &r);

	f = run(reply_json(200, "", "{\"events\": [{\"id\": 9, \"at\": 1764020000, \"actor\": \"admin\","
			   " \"device\": null, \"action\": \"user.add\", \"outcome\": \"success\","
			   " \"reason\": null, \"source\": \"127.0.0.1\", \"detail\": \"a@b\"}]}"),
		"", &r, ARGC(audit), audit);
	CHECK_INT(r.status, 0);
	CHECK(strncmp(f->req, "GET /admin/v1/audit?limit=5&actor=a%20b@c&action=user.add HTTP", 62) == 0);
	CHECK_STR(r.out, "AT                    ACTOR  ACTION    OUTCOME  REASON  DEVICE  SOURCE     DETAIL\n"
			 "2025-11-24T21:33:20Z  admin  user.add  success  -       -       127.0.0.1  a@b\n");
	done(f, &r);

	f = run(reply_json(200, "", user_json), "", &r, ARGC(onprem), onprem);
	CHECK_INT(r.status, 0);
	CHECK(strncmp(f->req, "PUT /admin/v1/users/a@b/onprem HTTP", 35) == 0);
	CHECK_STR(f->body, "{\"sam_account_name\":\"alice\",\"domain_name\":\"corp.test\","
		  "\"sid\":\"S-1-5-21-1-2-3-1103\"}");
	done(f, &r);

	/* The key travels in the body and nowhere else. */
	f = run(reply_json(200, "", "{\"domain\": \"corp.example.test\", \"realm\": \"CORP.EXAMPLE.TEST\","
			   " \"rodc_number\": 12345, \"primary\": {\"enctype\": 18, \"key_version\": 2,"
			   " \"fingerprint\": \"ab12\"}, \"secondary\": null}"),
		"", &r, ARGC(publish), publish);
	CHECK_INT(r.status, 0);
	CHECK(strncmp(f->req, "PUT /admin/v1/kerberos-servers/corp.example.test HTTP", 53) == 0);
	CHECK_STR(f->body, "{\"realm\":\"CORP.EXAMPLE.TEST\",\"rodc_number\":12345,"
		  "\"updated_from\":\"dc1\",\"key\":{\"enctype\":18,\"key_version\":2,\"key_hex\":"
		  "\"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\"}}");
	CHECK(strstr(r.out, "0a0b0c") == NULL && strstr(r.err, "0a0b0c") == NULL);
	CHECK(strstr(r.out, "Key version:           2\n") != NULL);
	CHECK(strstr(r.out, "Previous key version:  -\n") != NULL);
	done(f, &r);
}

/* The full form of a policy node, as the server stores it. */
#define PFW "./Device/Vendor/MSFT/PassportForWork/t-1/Policies/"

static void test_main_policy(void)
{
	static const char list[] =
		"{\"policies\": ["
		"{\"node\": \"" PFW "UseCloudTrustForOnPremAuth\", \"value\": \"true\","
		" \"group\": null},"
		"{\"node\": \"" PFW "PINComplexity/MinimumPINLength\", \"value\": \"6\","
		" \"group\": null},"
		"{\"node\": \"" PFW "UseCloudTrustForOnPremAuth\", \"value\": \"false\","
		" \"group\": \"kiosk\"}]}";
	char *get[] = {"policy", "get", "UseCloudTrustForOnPremAuth"};
	char full_node[] = "./Device/Vendor/MSFT/PassportForWork/{TenantId}/Policies/"
			   "PINComplexity/MinimumPINLength";
	char *get_full[] = {"--json", "policy", "get", full_node};
	char *get_none[] = {"policy", "get", "RequireSecurityDevice"};
	char *set[] = {"policy", "set", "UsePassportForWork", "true", "--group", "staff"};
	char *remove[] = {"policy", "remove", "UsePassportForWork"};
	struct fake *f;
	struct run r;

	f = run(reply_json(200, "", list), "", &r, ARGC(get), get);
	CHECK_INT(r.status, 0);
	CHECK_STR(r.out, "NODE                        VALUE  GROUP\n"
			 "UseCloudTrustForOnPremAuth  true   (all devices)\n"
			 "UseCloudTrustForOnPremAuth  false  kiosk\n");
	done(f, &r);

	f = run(reply_json(200, "", list), "", &r, ARGC(get_full), get_full);
	CHECK_INT(r.status, 0);
	CHECK(strstr(r.out, "\"value\": \"6\"") != NULL);
	CHECK(strstr(r.out, "UseCloudTrust") == NULL);
	done(f, &r);

	f = run(reply_json(200, "", list), "", &r, ARGC(get_none), get_none);
	CHECK_INT(r.status, ADM_EXIT_NOT_FOUND);
	CHECK(strstr(r.err, "no value is set for RequireSecurityDevice") != NULL);
	done(f, &r);

	f = run(reply_json(200, "", "{\"node\": \"" PFW "UsePassportForWork\", "
			   "\"value\": \"true\", \"group\": \"staff\"}"),
		"", &r, ARGC(set), set);
	CHECK_INT(r.status, 0);
	CHECK(strncmp(f->req, "PUT /admin/v1/policies HTTP", 27) == 0);
	CHECK_STR(f->body, "{\"node\":\"UsePassportForWork\",\"value\":\"true\",\"group\":\"staff\"}");
	CHECK_STR(r.out, "Node:   UsePassportForWork\nValue:  true\nGroup:  staff\n");
	done(f, &r);

	f = run("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n", "", &r, ARGC(remove), remove);
	CHECK_INT(r.status, 0);
	CHECK_STR(f->body, "{\"node\":\"UsePassportForWork\"}");
	CHECK_STR(r.out, "removed UsePassportForWork for all devices\n");
	done(f, &r);
}

int main(void)
{
	static const char key[] =
		"18:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n";
	char cmd[400];
	FILE *f;

	if (mkdtemp(tokdir) == NULL)
		return 1;
	snprintf(tokfile, sizeof(tokfile), "%s/admin.token", tokdir);
	snprintf(keyfile, sizeof(keyfile), "%s/krbtgt.key", tokdir);
	f = fopen(tokfile, "w");
	fprintf(f, "%s\n", token);
	fclose(f);
	chmod(tokfile, 0600);
	f = fopen(keyfile, "w");
	fputs(key, f);
	fclose(f);
	chmod(keyfile, 0600);

	test_wire();
	test_limits();
	test_refusals();
	test_main_users();
	test_main_errors();
	test_main_commands();
	test_main_policy();

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tokdir);
	if (system(cmd) != 0)
		tap_diag("cannot remove %s", tokdir);
	return tap_done();
}
