/* SPDX-License-Identifier: Apache-2.0 */
/*
 * signin-bench: a load generator for cloudtrustd's full sign-in with the
 * Hello key (docs/PROTOCOL.md §2 and §6), the figure DESIGN.md §8 sets a
 * target for.
 *
 * It loads the identities bench/signin-setup.py wrote (device certificate,
 * device key, Hello key, kid, UPN, tenant), then runs N client threads, each
 * with its own libcurl handle and kept-alive TLS connection (verified
 * against one CA file; loopback only).  One sign-in is:
 *   POST /{tenant}/oauth2/token grant_type=srv_challenge  -> Nonce
 *   POST /{tenant}/oauth2/token jwt-bearer, tgt=true, request = a JWS signed
 *        by the device key (x5c) carrying the Hello assertion (kid, use=ngc)
 * and it counts only when the reply holds refresh_token, session_key_jwe and
 * a tgt_ad whose messageBuffer is a base64 AS-REP.  Latency is the wall time
 * of the whole sign-in as the device sees it: both round trips and the
 * client's two signatures.
 *
 * Output: name=value lines on stdout (see usage).  Exit status 0 when at
 * least one sign-in completed and none failed, 1 otherwise, 2 for usage
 * and setup errors (the reason on stderr).
 */
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "b64.h"
#include "ct-buf.h"
#include "ct-error.h"
#include "ct-limits.h"
#include "ct-secret.h"
#include "jws.h"
#include "strict-json.h"

#define EXIT_BAD_RUN 1
#define EXIT_USAGE 2

/* cloudtrustd keeps at most 64 connections per client address by default. */
#define BENCH_MAX_CLIENTS 64
#define BENCH_MAX_SECONDS 3600
#define BENCH_MAX_IDENTITIES 4096
/* Latency samples kept per client (an hour at a few thousand per second). */
#define BENCH_MAX_SAMPLES (1u << 24)
#define BENCH_REQUEST_TIMEOUT_MS 30000L
/* After a transport failure, so a dead server is not spun against. */
#define BENCH_FAILURE_PAUSE_NS 10000000L
/* Failures described on stderr, so a broken run says why without flooding. */
#define BENCH_FAILURES_SHOWN 5
#define BENCH_MAX_URL 256
/* Inner assertion lifetime; the service allows at most 10 minutes. */
#define BENCH_ASSERTION_LIFE 300
/* An AS-REP is [APPLICATION 11]: DER tag 0x6b. */
#define ASREP_TAG 0x6b

#define NS_PER_S 1000000000ull

/* The Windows broker's client id, as Windows and ROADtools send it. */
static const char broker_client_id[] = "38aa3b87-a06d-4817-b275-7a316988d93b";
static const char prt_scope[] = "openid aza ugs";
static const char grant_jwt_bearer[] = "urn:ietf:params:oauth:grant-type:jwt-bearer";
static const char nonce_form[] = "grant_type=srv_challenge";
/* The §6 form up to the request JWS, percent-encoded. */
static const char prt_form_head[] =
	"grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"
	"&client_info=1&tgt=true&windows_api_version=2.0&request=";
static const char prog[] = "signin-bench";

/* One user on one device, as signin-setup.py wrote it. */
struct identity {
	char *upn;
	char *kid;
	char *x5c;	/* device certificate, standard base64 DER */
	EVP_PKEY *device_key;
	EVP_PKEY *hello_key;
	enum ct_jose_alg device_alg, hello_alg;
};

struct options {
	const char *url;
	const char *cacert;
	const char *dir;
	const char *keys;	/* "rsa" or "ec": the file prefix and kind */
	unsigned clients;
	unsigned seconds;
	uint64_t count;		/* attempts; 0: bounded by time only */
};

/* What every client thread shares. */
struct run {
	const struct options *opt;
	struct identity *ids;
	size_t nids;
	char *tenant;
	char token_url[BENCH_MAX_URL];
	char healthz_url[BENCH_MAX_URL];
	/* Start line: clients connect, say they are ready, wait for go. */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned ready;
	bool go;
	uint64_t deadline_ns;	/* set before go; 0: do not run */
	atomic_uint_fast64_t attempts;
	atomic_uint shown;
};

struct client {
	struct run *run;
	unsigned index;
	CURL *curl;
	struct curl_slist *headers;
	struct ct_buf reply;	/* wiped between requests: replies carry PRTs */
	bool overflow;
	long status;
	char errbuf[CURL_ERROR_SIZE];
	uint64_t *lat_ns;
	size_t nlat, alloc;
	uint64_t signins, failures;
	int setup_err;
	struct ct_errinfo ei;
	pthread_t thread;
};

/* Puts "what: " before the detail already in ei (code err); returns err. */
static int err_prefix(struct ct_errinfo *ei, int err, const char *what)
{
	char detail[sizeof(ei->msg)];

	snprintf(detail, sizeof(detail), "%s", ei->msg[0] ? ei->msg : ct_strerror(err));
	return ct_errinfo_set(ei, err, "%s: %s", what, detail);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s --url https://127.0.0.1:PORT --cacert FILE --identities DIR\n"
		"                    [--keys rsa|ec] [--clients N] [--seconds S] [--count C]\n"
		"  --url URL          cloudtrustd's base URL (loopback only)\n"
		"  --cacert FILE      the CA to verify it with (STATE/tls/ca.pem)\n"
		"  --identities DIR   what signin-setup.py wrote (KIND-I.json)\n"
		"  --keys KIND        rsa (RS256 device and Hello keys, default) or ec (ES256)\n"
		"  --clients N        concurrent clients, 1..%d (default 1)\n"
		"  --seconds S        run for S seconds, 1..%d (default 10)\n"
		"  --count C          stop after C sign-in attempts in all (default: time only)\n"
		"prints: signins= failures= duration_s= signins_per_s= p50_ms= p90_ms=\n"
		"        p99_ms= max_ms= clients= keys= identities= client_cpu_us_per_signin=\n"
		"exit status: 0 sign-ins and no failures, 1 a failure or no sign-in,\n"
		"             2 usage or setup error (no identities, server unreachable)\n",
		prog, BENCH_MAX_CLIENTS, BENCH_MAX_SECONDS);
}

/* ---- identities ---- */

static void identity_clear(struct identity *id)
{
	free(id->upn);
	free(id->kid);
	free(id->x5c);
	EVP_PKEY_free(id->device_key);
	EVP_PKEY_free(id->hello_key);
	memset(id, 0, sizeof(*id));
}

/* Reads a whole file of at most cap bytes into b (wiped when b is freed). */
static int read_file(const char *path, size_t cap, struct ct_buf *b,
		     struct ct_errinfo *ei)
{
	FILE *f = fopen(path, "rb");
	uint8_t chunk[4096];
	size_t n;
	int r = 0;

	if (f == NULL)
		return ct_errinfo_set(ei, CT_ERR_IO, "%s: %s", path, strerror(errno));
	ct_buf_init(b, cap);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		ct_buf_put(b, chunk, n);
	if (ferror(f))
		r = ct_errinfo_set(ei, CT_ERR_IO, "%s: read error", path);
	else if (b->err != 0)
		r = ct_errinfo_set(ei, b->err, "%s: larger than %zu bytes", path, cap);
	fclose(f);
	ct_zap(chunk, sizeof(chunk));
	if (r != 0)
		ct_buf_free(b);
	return r;
}

/* The JWS alg a key signs with; CT_JOSE_ALG_UNKNOWN for other key types. */
static enum ct_jose_alg key_alg(EVP_PKEY *key)
{
	switch (EVP_PKEY_get_base_id(key)) {
	case EVP_PKEY_RSA:
		return CT_JOSE_RS256;
	case EVP_PKEY_EC:
		return CT_JOSE_ES256;
	default:
		return CT_JOSE_ALG_UNKNOWN;
	}
}

/* jansson owns member strings and frees them unwiped: clear a key's text. */
static void zap_member(json_t *obj, const char *name)
{
	const char *text = NULL;
	size_t len = 0;

	if (obj != NULL && ct_json_get_str(obj, name, &text, &len) == 0)
		ct_zap((char *)text, len);
}

/* A PEM private key member of obj (the caller wipes its text). */
static int pem_member(json_t *obj, const char *name, EVP_PKEY **out,
		      enum ct_jose_alg *alg)
{
	const char *text = NULL;
	size_t len = 0;
	EVP_PKEY *key = NULL;
	BIO *bio;
	int r;

	r = ct_json_get_str(obj, name, &text, &len);
	if (r != 0)
		return r;
	bio = BIO_new_mem_buf(text, (int)len);
	if (bio != NULL)
		key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (key == NULL)
		return CT_ERR_BAD_KEY;
	*alg = key_alg(key);
	if (*alg == CT_JOSE_ALG_UNKNOWN) {
		EVP_PKEY_free(key);
		return CT_ERR_BAD_KEY;
	}
	*out = key;
	return 0;
}

static int str_member(json_t *obj, const char *name, char **out)
{
	const char *s = NULL;
	int r = ct_json_get_str(obj, name, &s, NULL);

	if (r != 0)
		return r;
	*out = strdup(s);
	return *out != NULL ? 0 : CT_ERR_NOMEM;
}

/*
 * Loads one identity file of kind keys.  Its tenant goes to *tenant when
 * that is still NULL, else must match it.  Returns 0 or a CT_ERR_* code
 * with detail in ei; on error *id is empty.
 */
static int identity_load(const char *path, const char *keys, char **tenant,
			 struct identity *id, struct ct_errinfo *ei)
{
	struct ct_buf file;
	json_t *obj = NULL;
	const char *kind = NULL, *t = NULL;
	int r;

	memset(id, 0, sizeof(*id));
	r = read_file(path, CT_JSON_MAX, &file, ei);
	if (r != 0)
		return r;
	r = ct_json_parse(file.data, file.len, &obj, ei);
	ct_buf_free(&file);
	if (r != 0) {
		err_prefix(ei, r, path);
		goto out;
	}
	r = ct_json_get_str(obj, "kind", &kind, NULL);
	if (r == 0)
		r = ct_json_get_str(obj, "tenant", &t, NULL);
	if (r == 0)
		r = str_member(obj, "upn", &id->upn);
	if (r == 0)
		r = str_member(obj, "kid", &id->kid);
	if (r == 0)
		r = str_member(obj, "device_cert_der_b64", &id->x5c);
	if (r == 0)
		r = pem_member(obj, "device_key_pem", &id->device_key, &id->device_alg);
	if (r == 0)
		r = pem_member(obj, "hello_key_pem", &id->hello_key, &id->hello_alg);
	if (r != 0) {
		ct_errinfo_set(ei, r, "%s: %s (it needs kind, tenant, upn, kid, "
			       "device_cert_der_b64 and PEM device_key_pem, hello_key_pem)",
			       path, ct_strerror(r));
		goto out;
	}
	if (strcmp(kind, keys) != 0 ||
	    id->device_alg != id->hello_alg ||
	    id->device_alg != (strcmp(keys, "rsa") == 0 ? CT_JOSE_RS256 : CT_JOSE_ES256)) {
		r = ct_errinfo_set(ei, CT_ERR_BAD_KEY, "%s: kind %s with %s/%s keys, want %s",
				   path, kind, ct_jose_alg_name(id->device_alg),
				   ct_jose_alg_name(id->hello_alg), keys);
		goto out;
	}
	/* The tenant id goes into the URL path: a GUID or a plain name only. */
	if (t[0] == '\0' || strlen(t) > CT_HTTP_MAX_SEGMENT ||
	    t[strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		     "0123456789-._")] != '\0') {
		r = ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "%s: tenant id %s is not a plain name",
				   path, t);
	} else if (*tenant == NULL) {
		*tenant = strdup(t);
		if (*tenant == NULL)
			r = CT_ERR_NOMEM;
	} else if (strcmp(*tenant, t) != 0) {
		r = ct_errinfo_set(ei, CT_ERR_MISMATCH, "%s: tenant %s, the others have %s",
				   path, t, *tenant);
	}
out:
	zap_member(obj, "device_key_pem");
	zap_member(obj, "hello_key_pem");
	zap_member(obj, "transport_key_pem");
	json_decref(obj);
	if (r != 0)
		identity_clear(id);
	return r;
}

/* scandir's filter takes no argument: the kind it selects (KIND-*.json). */
static const char *identity_kind;

static int identity_file(const struct dirent *d)
{
	size_t n = strlen(d->d_name), k = strlen(identity_kind);

	return n > k + 6 && strncmp(d->d_name, identity_kind, k) == 0 &&
	       d->d_name[k] == '-' && strcmp(d->d_name + n - 5, ".json") == 0;
}

/*
 * Loads every identity of kind opt->keys from opt->dir into run.  Returns 0,
 * CT_ERR_NOT_FOUND (none), CT_ERR_TOO_LARGE (over BENCH_MAX_IDENTITIES) or
 * identity_load's errors; detail in ei.
 */
static int identities_load(struct run *run, struct ct_errinfo *ei)
{
	const struct options *opt = run->opt;
	struct dirent **names = NULL;
	char path[4096];
	int n, i, r = 0;

	identity_kind = opt->keys;
	/* Sorted, so runs use the identities in the same order. */
	n = scandir(opt->dir, &names, identity_file, alphasort);
	if (n < 0)
		return ct_errinfo_set(ei, CT_ERR_IO, "%s: %s", opt->dir, strerror(errno));
	if (n == 0)
		r = ct_errinfo_set(ei, CT_ERR_NOT_FOUND, "%s: no %s-*.json identities",
				   opt->dir, opt->keys);
	else if (n > BENCH_MAX_IDENTITIES)
		r = ct_errinfo_set(ei, CT_ERR_TOO_LARGE, "%s: more than %d identities",
				   opt->dir, BENCH_MAX_IDENTITIES);
	else if ((run->ids = calloc((size_t)n, sizeof(*run->ids))) == NULL)
		r = CT_ERR_NOMEM;
	for (i = 0; r == 0 && i < n; i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", opt->dir,
				     names[i]->d_name) >= sizeof(path)) {
			r = ct_errinfo_set(ei, CT_ERR_TOO_LARGE, "%s: path too long", opt->dir);
			break;
		}
		r = identity_load(path, opt->keys, &run->tenant, &run->ids[i], ei);
		if (r == 0)
			run->nids++;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

/* ---- HTTP ---- */

static size_t on_body(char *p, size_t size, size_t nmemb, void *arg)
{
	struct client *c = arg;
	size_t n = size * nmemb;

	if (n > c->reply.cap - c->reply.len) {
		c->overflow = true;
		return 0;
	}
	ct_buf_put(&c->reply, p, n);
	return c->reply.err != 0 ? 0 : n;
}

/* One kept-alive HTTPS connection to loopback, verified against the CA file. */
static int client_open(struct client *c, struct ct_errinfo *ei)
{
	const struct options *opt = c->run->opt;
	CURLcode e = CURLE_OK;

	ct_buf_init(&c->reply, CT_JSON_MAX);
	c->headers = curl_slist_append(NULL, "Accept: application/json");
	if (c->headers != NULL)
		c->headers = curl_slist_append(c->headers, "Expect:");
	c->curl = curl_easy_init();
	if (c->headers == NULL || c->curl == NULL)
		return ct_errinfo_set(ei, CT_ERR_NOMEM, "cannot set up libcurl");
	e |= curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, c->errbuf);
	e |= curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	e |= curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "https");
	e |= curl_easy_setopt(c->curl, CURLOPT_FOLLOWLOCATION, 0L);
	e |= curl_easy_setopt(c->curl, CURLOPT_PROXY, "");
	e |= curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, BENCH_REQUEST_TIMEOUT_MS);
	e |= curl_easy_setopt(c->curl, CURLOPT_TCP_NODELAY, 1L);
	e |= curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, c->headers);
	e |= curl_easy_setopt(c->curl, CURLOPT_USERAGENT, prog);
	e |= curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_body);
	e |= curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, c);
	e |= curl_easy_setopt(c->curl, CURLOPT_CAINFO, opt->cacert);
	e |= curl_easy_setopt(c->curl, CURLOPT_CAPATH, NULL);
	e |= curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYPEER, 1L);
	e |= curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYHOST, 2L);
	if (e != CURLE_OK)
		return ct_errinfo_set(ei, CT_ERR_INTERNAL, "libcurl refused an option");
	return 0;
}

static void client_close(struct client *c)
{
	if (c->curl != NULL)
		curl_easy_cleanup(c->curl);
	curl_slist_free_all(c->headers);
	ct_buf_free(&c->reply);
	free(c->lat_ns);
	c->curl = NULL;
	c->headers = NULL;
	c->lat_ns = NULL;
}

/*
 * GET (body NULL) or POST a form to url; the reply body lands in c->reply
 * and its status in c->status.  Returns 0 for any HTTP status,
 * CT_ERR_NETWORK / CT_ERR_TIMEOUT / CT_ERR_TOO_LARGE otherwise (curl's
 * words in ei).
 */
static int client_request(struct client *c, const char *url, const char *body,
			  size_t len, struct ct_errinfo *ei)
{
	CURLcode e = CURLE_OK;

	ct_buf_free(&c->reply);
	ct_buf_init(&c->reply, CT_JSON_MAX);
	c->overflow = false;
	c->status = 0;
	c->errbuf[0] = '\0';
	e |= curl_easy_setopt(c->curl, CURLOPT_URL, url);
	if (body == NULL) {
		e |= curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L);
	} else {
		e |= curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
		e |= curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	if (e == CURLE_OK)
		e = curl_easy_perform(c->curl);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, NULL);
	if (c->overflow)
		return ct_errinfo_set(ei, CT_ERR_TOO_LARGE, "%s: reply over %zu bytes", url,
				      c->reply.cap);
	if (e == CURLE_OK)
		e = curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &c->status);
	if (e != CURLE_OK)
		return ct_errinfo_set(ei, e == CURLE_OPERATION_TIMEDOUT ? CT_ERR_TIMEOUT
				      : CT_ERR_NETWORK, "%s: %s", url,
				      c->errbuf[0] ? c->errbuf : curl_easy_strerror(e));
	return 0;
}

/* A JSON object reply with status 200, or CT_ERR_REFUSED showing the body. */
static int client_json_reply(struct client *c, json_t **out, struct ct_errinfo *ei)
{
	int r;

	if (c->status != 200)
		return ct_errinfo_set(ei, CT_ERR_REFUSED, "HTTP %ld: %.*s", c->status,
				      (int)(c->reply.len < 300 ? c->reply.len : 300),
				      c->reply.len ? (const char *)c->reply.data : "");
	r = ct_json_parse(c->reply.data, c->reply.len, out, ei);
	return r != 0 ? err_prefix(ei, r, "reply") : 0;
}

/* ---- one sign-in ---- */

/* A compact JWS of claims (stolen reference) under header (stolen too). */
static int sign(enum ct_jose_alg alg, json_t *header, json_t *claims, EVP_PKEY *key,
		char **out, struct ct_errinfo *ei)
{
	char *payload = NULL;
	int r = CT_ERR_NOMEM;

	if (header != NULL && claims != NULL)
		payload = json_dumps(claims, JSON_COMPACT);
	if (payload != NULL)
		r = ct_jws_sign(alg, header, payload, strlen(payload), key, out, ei);
	free(payload);
	json_decref(header);
	json_decref(claims);
	return r;
}

/*
 * The §6 form for identity id and nonce: the Hello assertion inside the
 * device-signed request.  *out is a malloc'd form body.
 */
static int prt_form(struct client *c, const struct identity *id, const char *nonce,
		    char **out, struct ct_errinfo *ei)
{
	time_t now = time(NULL);
	char *assertion = NULL, *request = NULL, *esc = NULL;
	struct ct_buf form;
	uint8_t *data = NULL;
	size_t len = 0;
	int r;

	r = sign(id->hello_alg,
		 json_pack("{s:s, s:s, s:s}", "typ", "JWT", "kid", id->kid, "use", "ngc"),
		 json_pack("{s:s, s:s, s:I, s:I, s:s, s:s}", "iss", id->upn,
			   "aud", c->run->tenant, "iat", (json_int_t)now,
			   "exp", (json_int_t)(now + BENCH_ASSERTION_LIFE),
			   "request_nonce", nonce, "scope", prt_scope),
		 id->hello_key, &assertion, ei);
	if (r == 0)
		r = sign(id->device_alg,
			 json_pack("{s:s, s:[s]}", "typ", "JWT", "x5c", id->x5c),
			 json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}",
				   "client_id", broker_client_id, "request_nonce", nonce,
				   "scope", prt_scope, "grant_type", grant_jwt_bearer,
				   "username", id->upn, "assertion", assertion),
			 id->device_key, &request, ei);
	if (r != 0)
		goto out;
	esc = curl_easy_escape(c->curl, request, 0);
	if (esc == NULL) {
		r = CT_ERR_NOMEM;
		goto out;
	}
	ct_buf_init(&form, CT_HTTP_MAX_BODY);
	ct_buf_put(&form, prt_form_head, sizeof(prt_form_head) - 1);
	ct_buf_put(&form, esc, strlen(esc));
	ct_buf_put_u8(&form, 0);
	r = ct_buf_steal(&form, &data, &len);
	ct_buf_free(&form);
	if (r == 0)
		*out = (char *)data;
out:
	curl_free(esc);
	free(assertion);
	free(request);
	return r;
}

/*
 * Checks a §6 reply: refresh_token and session_key_jwe present, tgt_ad an
 * object (or a string holding one) whose messageBuffer is base64 of an
 * AS-REP.  Returns 0, CT_ERR_MISSING_FIELD, CT_ERR_JSON_TYPE, CT_ERR_BAD_VALUE.
 */
static int check_prt_reply(json_t *reply, struct ct_errinfo *ei)
{
	const char *prt = NULL, *skjwe = NULL, *mb = NULL;
	size_t prtlen = 0, sklen = 0, mblen = 0;
	json_t *tgt = NULL;
	struct ct_buf asrep;
	int r;

	ct_buf_init(&asrep, CT_KRB_MAX_MSG);
	r = ct_json_get_str(reply, "refresh_token", &prt, &prtlen);
	if (r == 0)
		r = ct_json_get_str(reply, "session_key_jwe", &skjwe, &sklen);
	if (r != 0 || prtlen == 0 || sklen == 0) {
		r = ct_errinfo_set(ei, r ? r : CT_ERR_BAD_VALUE,
				   "no refresh_token or session_key_jwe");
		goto out;
	}
	r = ct_json_get_obj_lenient(reply, "tgt_ad", &tgt, ei);
	if (r == 0)
		r = ct_json_get_str(tgt, "messageBuffer", &mb, &mblen);
	if (r != 0) {
		char *t = json_dumps(json_object_get(reply, "tgt_ad"), JSON_COMPACT);

		ct_errinfo_set(ei, r, "tgt_ad without messageBuffer: %.200s", t ? t : "?");
		free(t);
		goto out;
	}
	r = ct_b64_decode(&asrep, mb, mblen);
	if (r == 0 && (asrep.len == 0 || asrep.data[0] != ASREP_TAG))
		r = CT_ERR_BAD_VALUE;
	if (r != 0)
		ct_errinfo_set(ei, r, "tgt_ad.messageBuffer is not a base64 AS-REP");
out:
	json_decref(tgt);
	ct_buf_free(&asrep);
	return r;
}

/* One full sign-in (nonce, then the PRT request) with identity id. */
static int signin(struct client *c, const struct identity *id, struct ct_errinfo *ei)
{
	json_t *reply = NULL;
	const char *nonce = NULL;
	char *form = NULL;
	int r;

	r = client_request(c, c->run->token_url, nonce_form, sizeof(nonce_form) - 1, ei);
	if (r == 0)
		r = client_json_reply(c, &reply, ei);
	if (r == 0 && ct_json_get_str(reply, "Nonce", &nonce, NULL) != 0)
		r = ct_errinfo_set(ei, CT_ERR_MISSING_FIELD, "srv_challenge reply without Nonce");
	if (r == 0)
		r = prt_form(c, id, nonce, &form, ei);
	json_decref(reply);
	reply = NULL;
	if (r == 0)
		r = client_request(c, c->run->token_url, form, strlen(form), ei);
	if (r == 0)
		r = client_json_reply(c, &reply, ei);
	if (r == 0)
		r = check_prt_reply(reply, ei);
	json_decref(reply);
	free(form);
	return r;
}

static void record_latency(struct client *c, uint64_t ns)
{
	uint64_t *p;
	size_t n;

	if (c->nlat == c->alloc) {
		if (c->alloc >= BENCH_MAX_SAMPLES)
			return;
		n = c->alloc ? 2 * c->alloc : 1024;
		p = realloc(c->lat_ns, n * sizeof(*p));
		if (p == NULL)
			return;
		c->lat_ns = p;
		c->alloc = n;
	}
	c->lat_ns[c->nlat++] = ns;
}

/* True while the run may start another sign-in: time and count bounds. */
static bool may_start(struct run *run)
{
	if (now_ns() >= run->deadline_ns)
		return false;
	return run->opt->count == 0 ||
	       atomic_fetch_add(&run->attempts, 1) < run->opt->count;
}

static void *client_main(void *arg)
{
	struct client *c = arg;
	struct run *run = c->run;
	struct ct_errinfo ei;
	uint64_t t0, i;
	int r;

	/* Connect (TLS handshake) before the clock starts. */
	c->setup_err = client_open(c, &c->ei);
	if (c->setup_err == 0)
		c->setup_err = client_request(c, run->healthz_url, NULL, 0, &c->ei);
	if (c->setup_err == 0 && c->status != 200)
		c->setup_err = ct_errinfo_set(&c->ei, CT_ERR_REFUSED, "%s: HTTP %ld",
					      run->healthz_url, c->status);
	pthread_mutex_lock(&run->mu);
	run->ready++;
	pthread_cond_broadcast(&run->cv);
	while (!run->go)
		pthread_cond_wait(&run->cv, &run->mu);
	pthread_mutex_unlock(&run->mu);
	if (c->setup_err != 0 || run->deadline_ns == 0)
		return NULL;
	/* Client k starts at identity k, so clients differ when there are enough. */
	for (i = c->index; may_start(run); i++) {
		memset(&ei, 0, sizeof(ei));
		t0 = now_ns();
		r = signin(c, &run->ids[i % run->nids], &ei);
		if (r == 0) {
			c->signins++;
			record_latency(c, now_ns() - t0);
			continue;
		}
		c->failures++;
		if (atomic_fetch_add(&run->shown, 1) < BENCH_FAILURES_SHOWN)
			fprintf(stderr, "%s: client %u: sign-in failed (%s): %s\n", prog,
				c->index, ct_errname(r), ei.msg);
		if (r == CT_ERR_NETWORK || r == CT_ERR_TIMEOUT)
			nanosleep(&(struct timespec){0, BENCH_FAILURE_PAUSE_NS}, NULL);
	}
	return NULL;
}

/* ---- statistics and output ---- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile p (0..100] of n sorted samples, in milliseconds. */
static double percentile_ms(const uint64_t *v, size_t n, unsigned p)
{
	size_t rank;

	if (n == 0)
		return 0.0;
	rank = ((size_t)p * n + 99) / 100;
	return (double)v[(rank ? rank : 1) - 1] / 1e6;
}

static uint64_t cpu_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)ru.ru_utime.tv_sec * 1000000 + (uint64_t)ru.ru_utime.tv_usec +
	       (uint64_t)ru.ru_stime.tv_sec * 1000000 + (uint64_t)ru.ru_stime.tv_usec;
}

/* Merges the clients' samples (the caller frees *out). */
static int merge_samples(struct client *cl, unsigned n, uint64_t **out, size_t *count)
{
	size_t total = 0, k = 0;
	uint64_t *all;
	unsigned i;

	for (i = 0; i < n; i++)
		total += cl[i].nlat;
	all = malloc((total ? total : 1) * sizeof(*all));
	if (all == NULL)
		return CT_ERR_NOMEM;
	for (i = 0; i < n; i++) {
		if (cl[i].nlat == 0)
			continue; /* lat_ns may be NULL */
		memcpy(all + k, cl[i].lat_ns, cl[i].nlat * sizeof(*all));
		k += cl[i].nlat;
	}
	qsort(all, total, sizeof(*all), cmp_u64);
	*out = all;
	*count = total;
	return 0;
}

static void print_results(const struct run *run, struct client *cl, uint64_t elapsed_ns,
			  uint64_t cpu)
{
	const struct options *opt = run->opt;
	uint64_t signins = 0, failures = 0, *all = NULL;
	double secs = (double)elapsed_ns / 1e9;
	size_t n = 0;
	unsigned i;

	for (i = 0; i < opt->clients; i++) {
		signins += cl[i].signins;
		failures += cl[i].failures;
	}
	if (merge_samples(cl, opt->clients, &all, &n) != 0)
		n = 0;
	printf("signins=%" PRIu64 "\n", signins);
	printf("failures=%" PRIu64 "\n", failures);
	printf("duration_s=%.3f\n", secs);
	printf("signins_per_s=%.1f\n", secs > 0 ? (double)signins / secs : 0.0);
	printf("p50_ms=%.3f\n", percentile_ms(all, n, 50));
	printf("p90_ms=%.3f\n", percentile_ms(all, n, 90));
	printf("p99_ms=%.3f\n", percentile_ms(all, n, 99));
	printf("max_ms=%.3f\n", n ? (double)all[n - 1] / 1e6 : 0.0);
	printf("clients=%u\n", opt->clients);
	printf("keys=%s\n", opt->keys);
	printf("identities=%zu\n", run->nids);
	printf("client_cpu_us_per_signin=%.1f\n",
	       signins ? (double)cpu / (double)signins : 0.0);
	free(all);
}

/* ---- main ---- */

static int parse_uint(const char *s, unsigned long long min, unsigned long long max,
		      unsigned long long *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (s[0] < '0' || s[0] > '9')
		return CT_ERR_USAGE;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return CT_ERR_USAGE;
	*out = v;
	return 0;
}

/* Only https://127.0.0.1:PORT with an optional '/': the bench stays on loopback. */
static int check_url(const char *url)
{
	static const char prefix[] = "https://127.0.0.1:";
	unsigned long long port;
	char digits[8];
	size_t n;

	if (strncmp(url, prefix, sizeof(prefix) - 1) != 0)
		return CT_ERR_USAGE;
	url += sizeof(prefix) - 1;
	n = strspn(url, "0123456789");
	if (n == 0 || n >= sizeof(digits) || (url[n] != '\0' && strcmp(url + n, "/") != 0))
		return CT_ERR_USAGE;
	memcpy(digits, url, n);
	digits[n] = '\0';
	return parse_uint(digits, 1, 65535, &port);
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{"url", required_argument, NULL, 'u'},
		{"cacert", required_argument, NULL, 'a'},
		{"identities", required_argument, NULL, 'i'},
		{"keys", required_argument, NULL, 'k'},
		{"clients", required_argument, NULL, 'c'},
		{"seconds", required_argument, NULL, 's'},
		{"count", required_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	unsigned long long v;
	int ch, r = 0;

	*o = (struct options){.keys = "rsa", .clients = 1, .seconds = 10};
	while (r == 0 && (ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'u':
			o->url = optarg;
			r = check_url(optarg);
			break;
		case 'a':
			o->cacert = optarg;
			break;
		case 'i':
			o->dir = optarg;
			break;
		case 'k':
			o->keys = optarg;
			if (strcmp(optarg, "rsa") != 0 && strcmp(optarg, "ec") != 0)
				r = CT_ERR_USAGE;
			break;
		case 'c':
			r = parse_uint(optarg, 1, BENCH_MAX_CLIENTS, &v);
			o->clients = (unsigned)v;
			break;
		case 's':
			r = parse_uint(optarg, 1, BENCH_MAX_SECONDS, &v);
			o->seconds = (unsigned)v;
			break;
		case 'n':
			r = parse_uint(optarg, 1, UINT64_MAX, &v);
			o->count = v;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			r = CT_ERR_USAGE;
		}
	}
	if (r == 0 && (optind != argc || o->url == NULL || o->cacert == NULL || o->dir == NULL))
		r = CT_ERR_USAGE;
	return r;
}

/* Lets the clients go once the started ones are connected; returns how many failed. */
static unsigned start_line(struct run *run, struct client *cl, unsigned started,
			   uint64_t *start, uint64_t *cpu)
{
	unsigned i, failed = started < run->opt->clients;

	pthread_mutex_lock(&run->mu);
	while (run->ready < started)
		pthread_cond_wait(&run->cv, &run->mu);
	for (i = 0; i < started; i++)
		if (cl[i].setup_err != 0 && failed++ == 0)
			fprintf(stderr, "%s: client %u: %s\n", prog, i, cl[i].ei.msg);
	*cpu = cpu_us();
	*start = now_ns();
	run->deadline_ns = failed ? 0 : *start + (uint64_t)run->opt->seconds * NS_PER_S;
	run->go = true;
	pthread_cond_broadcast(&run->cv);
	pthread_mutex_unlock(&run->mu);
	return failed;
}

int main(int argc, char **argv)
{
	struct options opt;
	struct run run = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
	struct client *cl = NULL;
	struct ct_errinfo ei = {0};
	uint64_t start = 0, cpu0 = 0, total = 0, failures = 0;
	unsigned i, started = 0;
	int status = EXIT_USAGE, r;

	if (parse_options(argc, argv, &opt) != 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	run.opt = &opt;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "%s: cannot initialise libcurl\n", prog);
		return EXIT_USAGE;
	}
	r = identities_load(&run, &ei);
	if (r != 0) {
		fprintf(stderr, "%s: %s\n", prog, ei.msg[0] ? ei.msg : ct_strerror(r));
		goto out;
	}
	/* The origin is "https://" and the host:port check_url allowed. */
	i = (unsigned)strcspn(opt.url + 8, "/") + 8;
	snprintf(run.healthz_url, sizeof(run.healthz_url), "%.*s/healthz", (int)i, opt.url);
	if ((size_t)snprintf(run.token_url, sizeof(run.token_url), "%.*s/%s/oauth2/token",
			     (int)i, opt.url, run.tenant) >= sizeof(run.token_url)) {
		fprintf(stderr, "%s: tenant id too long\n", prog);
		goto out;
	}
	cl = calloc(opt.clients, sizeof(*cl));
	if (cl == NULL) {
		fprintf(stderr, "%s: out of memory\n", prog);
		goto out;
	}
	for (started = 0; started < opt.clients; started++) {
		cl[started].run = &run;
		cl[started].index = started;
		if (pthread_create(&cl[started].thread, NULL, client_main, &cl[started]) != 0) {
			fprintf(stderr, "%s: cannot start client thread %u\n", prog, started);
			break;
		}
	}
	r = (int)start_line(&run, cl, started, &start, &cpu0);
	for (i = 0; i < started; i++)
		pthread_join(cl[i].thread, NULL);
	if (r != 0)
		goto out;
	print_results(&run, cl, now_ns() - start, cpu_us() - cpu0);
	for (i = 0; i < opt.clients; i++) {
		total += cl[i].signins;
		failures += cl[i].failures;
	}
	status = total > 0 && failures == 0 ? 0 : EXIT_BAD_RUN;
out:
	for (i = 0; cl != NULL && i < opt.clients; i++)
		client_close(&cl[i]);
	free(cl);
	for (i = 0; i < run.nids; i++)
		identity_clear(&run.ids[i]);
	free(run.ids);
	free(run.tenant);
	curl_global_cleanup();
	return status;
}
