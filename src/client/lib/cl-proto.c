/* SPDX-License-Identifier: Apache-2.0 */
#include "cl-proto.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "b64.h"
#include "cl-http.h"
#include "cl-state.h"
#include "ct-hex.h"
#include "ct-secret.h"
#include "jwe.h"
#include "kdf.h"
#include "keyblob.h"
#include "strict-json.h"

#define B64URL_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
#define NONCE_LEN 32
#define RENEW_CTX_LEN 24

int cl_path_token(char *out, size_t outlen, const char *tenant)
{
	int n = snprintf(out, outlen, "/%s/oauth2/token", tenant);

	return n < 0 || (size_t)n >= outlen ? CT_ERR_TOO_LARGE : 0;
}

int cl_path_discovery(char *out, size_t outlen, const char *tenant)
{
	int n = snprintf(out, outlen, "/%s/.well-known/openid-configuration", tenant);

	return n < 0 || (size_t)n >= outlen ? CT_ERR_TOO_LARGE : 0;
}

/* ---- small checks ---- */

static bool chars_in(const char *s, size_t n, const char *set)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '\0' || strchr(set, s[i]) == NULL)
			return false;
	return true;
}

/* Printable ASCII (a URL, a realm, a name). */
static bool printable(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

/* A compact JOSE object: base64url parts and dots only. */
static bool compact_form(const char *s, size_t n)
{
	return n > 0 && chars_in(s, n, B64URL_CHARS ".");
}

/* Copies text into out dropping control characters, cut to outlen. */
static void copy_shown(char *out, size_t outlen, const char *s)
{
	size_t o = 0;

	for (; *s != '\0' && o + 1 < outlen; s++)
		if ((unsigned char)*s >= 0x20 && (unsigned char)*s != 0x7f)
			out[o++] = *s;
	out[o] = '\0';
}

/* A string member with a length bound and a form check. */
static int get_str(const json_t *o, const char *key, size_t max,
		   bool (*form)(const char *s, size_t n), const char **out,
		   struct ct_errinfo *ei)
{
	const char *s;
	size_t n;
	int r;

	r = ct_json_get_str(o, key, &s, &n);
	if (r == CT_ERR_MISSING_FIELD)
		return ct_errinfo_set(ei, r, "the reply has no \"%s\"", key);
	if (r != 0)
		return ct_errinfo_set(ei, r, "\"%s\" in the reply is not a string", key);
	if (n == 0 || n > max)
		return ct_errinfo_set(ei, n == 0 ? CT_ERR_BAD_VALUE : CT_ERR_TOO_LARGE,
				      "\"%s\" in the reply is empty or longer than %zu",
				      key, max);
	if (form != NULL && !form(s, n))
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				      "\"%s\" in the reply is malformed", key);
	*out = s;
	return 0;
}

static int parse_body(const void *body, size_t len, json_t **out,
		      struct ct_errinfo *ei)
{
	int r = ct_json_parse(body, len, out, ei);

	if (r != 0 && ei != NULL) {
		char msg[sizeof(ei->msg)];

		snprintf(msg, sizeof(msg), "%s", ei->msg);
		ct_errinfo_set(ei, r, "the server's reply is not a JSON object: %s", msg);
	}
	return r;
}

/* ---- errors ---- */

void cl_reply_error(long status, const void *body, size_t len,
		    struct cl_oauth_error *out)
{
	json_t *o = NULL, *codes, *c0;
	const char *s;

	memset(out, 0, sizeof(*out));
	out->status = status;
	if (ct_json_parse(body, len, &o, NULL) != 0)
		return;
	if (ct_json_get_str(o, "error", &s, NULL) == 0)
		copy_shown(out->error, sizeof(out->error), s);
	if (ct_json_get_str(o, "error_description", &s, NULL) == 0)
		copy_shown(out->description, sizeof(out->description), s);
	if (ct_json_get_array(o, "error_codes", &codes) == 0 &&
	    (c0 = json_array_get(codes, 0)) != NULL && json_is_integer(c0))
		out->code = (int64_t)json_integer_value(c0);
	json_decref(o);
}

/* ---- §1 ---- */

static bool url_form(const char *s, size_t n)
{
	return printable(s, n) && strncmp(s, "https://", 8) == 0 && strchr(s, ' ') == NULL;
}

static bool guid_form_n(const char *s, size_t n)
{
	return n == 36 && cl_guid_ok(s);
}

int cl_reply_discovery(const void *body, size_t len, struct cl_discovery *out,
		       struct ct_errinfo *ei)
{
	struct cl_discovery d;
	json_t *o = NULL, *algs, *v;
	const char *tid, *te, *iss;
	size_t i;
	int r;

	memset(&d, 0, sizeof(d));
	r = parse_body(body, len, &o, ei);
	if (r != 0)
		return r;
	r = get_str(o, "tenant_id", CT_CL_MAX_ID, guid_form_n, &tid, ei);
	if (r == 0)
		r = get_str(o, "token_endpoint", CT_CL_MAX_URL, url_form, &te, ei);
	if (r == 0)
		r = get_str(o, "issuer", CT_CL_MAX_URL, url_form, &iss, ei);
	if (r != 0)
		goto out;
	snprintf(d.tenant_id, sizeof(d.tenant_id), "%s", tid);
	snprintf(d.token_endpoint, sizeof(d.token_endpoint), "%s", te);
	snprintf(d.issuer, sizeof(d.issuer), "%s", iss);
	if (ct_json_get_array(o, "request_object_signing_alg_values_supported", &algs) == 0)
		json_array_foreach(algs, i, v)
			if (json_is_string(v) && strcmp(json_string_value(v), "ES256") == 0)
				d.es256_requests = true;
	*out = d;
out:
	json_decref(o);
	return r;
}

/* ---- §2 ---- */

int cl_form_nonce(struct ct_buf *form)
{
	return cl_form_add(form, "grant_type", CL_GRANT_NONCE);
}

static bool nonce_form(const char *s, size_t n)
{
	return n == 43 && chars_in(s, n, B64URL_CHARS);
}

int cl_reply_nonce(const void *body, size_t len, char *out, size_t outlen,
		   struct ct_errinfo *ei)
{
	json_t *o = NULL;
	const char *s;
	struct ct_buf raw;
	int r;

	ct_buf_init(&raw, NONCE_LEN);
	r = parse_body(body, len, &o, ei);
	if (r == 0)
		r = get_str(o, "Nonce", 43, nonce_form, &s, ei);
	if (r == 0 && ct_b64url_decode(&raw, s, strlen(s)) != 0)
		r = ct_errinfo_set(ei, CT_ERR_BAD_BASE64,
				   "the nonce is not base64url of 32 bytes");
	if (r == 0 && outlen < 44)
		r = CT_ERR_INVALID_ARG;
	if (r == 0)
		memcpy(out, s, 44);
	ct_buf_free(&raw);
	json_decref(o);
	return r;
}

/* ---- §3 ---- */

int cl_form_password_otp(struct ct_buf *form, const char *upn,
			 const char *password, const char *otp,
			 const char *device_assertion)
{
	cl_form_add(form, "grant_type", CL_GRANT_PASSWORD_OTP);
	cl_form_add(form, "username", upn);
	cl_form_add(form, "password", password);
	cl_form_add(form, "otp", otp);
	if (device_assertion != NULL)
		cl_form_add(form, "device_assertion", device_assertion);
	return form->err;
}

static bool token_form(const char *s, size_t n)
{
	return compact_form(s, n);
}

void cl_token_reply_free(struct cl_token_reply *t)
{
	if (t == NULL)
		return;
	ct_arena_free(t->arena);
	memset(t, 0, sizeof(*t));
}

int cl_jws_peek_claims(const char *jws, json_t **claims, struct ct_errinfo *ei)
{
	struct ct_jws *j = NULL;
	int r;

	*claims = NULL;
	r = ct_jws_parse(jws, strlen(jws), &j, ei);
	if (r == 0)
		r = ct_json_parse(j->payload.data, j->payload.len, claims, ei);
	ct_jws_free(j);
	return r;
}

int cl_reply_token(const void *body, size_t len, struct cl_token_reply *out,
		   struct ct_errinfo *ei)
{
	struct cl_token_reply t;
	json_t *o = NULL, *claims = NULL;
	const char *s, *type;
	int r;

	memset(&t, 0, sizeof(t));
	r = parse_body(body, len, &o, ei);
	if (r != 0)
		return r;
	r = get_str(o, "token_type", 32, NULL, &type, ei);
	if (r == 0 && strcasecmp(type, "Bearer") != 0)
		r = ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "token_type is not Bearer");
	if (r == 0)
		r = get_str(o, "access_token", CT_CL_MAX_TOKEN, token_form, &s, ei);
	if (r == 0 && (ct_json_get_int_lenient(o, "expires_in", &t.expires_in) != 0 ||
		       t.expires_in <= 0))
		r = ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "expires_in is missing or not positive");
	/* A token that is not a JWS with a JSON payload is no token of ours. */
	if (r == 0)
		r = cl_jws_peek_claims(s, &claims, ei);
	if (r != 0)
		goto out;
	t.arena = ct_arena_new();
	if (t.arena == NULL || (t.access_token = ct_arena_strdup(t.arena, s)) == NULL) {
		r = CT_ERR_NOMEM;
		goto out;
	}
	{
		const char *dev;

		if (ct_json_get_str(claims, "deviceid", &dev, NULL) == 0) {
			if (!cl_guid_ok(dev)) {
				r = ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
						   "the token's deviceid is not a GUID");
				goto out;
			}
			t.deviceid = ct_arena_strdup(t.arena, dev);
			if (t.deviceid == NULL) {
				r = CT_ERR_NOMEM;
				goto out;
			}
		}
		if (ct_json_get_int(claims, "iat", &t.iat) != 0)
			t.iat = 0;
	}
	*out = t;
	t.arena = NULL;
out:
	ct_arena_free(t.arena);
	json_decref(claims);
	json_decref(o);
	return r;
}

/* The JWS alg a device key signs with. */
static enum ct_jose_alg key_alg(EVP_PKEY *key)
{
	return EVP_PKEY_get_base_id(key) == EVP_PKEY_EC ? CT_JOSE_ES256 : CT_JOSE_RS256;
}

/* {"x5c": [b64(cert)]} */
static json_t *x5c_header(const uint8_t *cert, size_t len)
{
	struct ct_buf b;
	json_t *h = NULL;

	ct_buf_init(&b, 2 * CT_CERT_MAX);
	if (ct_b64_encode(&b, cert, len) == 0) {
		ct_buf_put_u8(&b, 0);
		if (b.err == 0)
			h = json_pack("{s:[s]}", "x5c", (const char *)b.data);
	}
	ct_buf_free(&b);
	return h;
}

/* Signs claims with the device key under an x5c header. */
static int sign_device(EVP_PKEY *key, const uint8_t *cert, size_t certlen,
		       json_t *claims, char **out, struct ct_errinfo *ei)
{
	json_t *hdr = NULL;
	char *payload = NULL;
	int r;

	*out = NULL;
	if (claims == NULL)
		return CT_ERR_NOMEM;
	hdr = x5c_header(cert, certlen);
	payload = json_dumps(claims, JSON_COMPACT);
	if (hdr == NULL || payload == NULL)
		r = CT_ERR_NOMEM;
	else
		r = ct_jws_sign(key_alg(key), hdr, payload, strlen(payload), key, out, ei);
	ct_erase_free_str(payload);
	json_decref(hdr);
	json_decref(claims);
	return r;
}

int cl_device_assertion(EVP_PKEY *device_key, const uint8_t *cert_der,
			size_t cert_len, const char *nonce, const char *aud,
			time_t iat, char **out, struct ct_errinfo *ei)
{
	return sign_device(device_key, cert_der, cert_len,
			   json_pack("{s:s, s:s, s:I}", "request_nonce", nonce, "aud", aud,
				     "iat", (json_int_t)iat),
			   out, ei);
}

/* ---- §4 ---- */

static char *b64_string(const uint8_t *p, size_t n)
{
	struct ct_buf b;
	uint8_t *s = NULL;
	size_t slen;

	ct_buf_init(&b, ct_b64_encoded_len(n) + 1);
	ct_b64_encode(&b, p, n);
	ct_buf_put_u8(&b, 0);
	if (ct_buf_steal(&b, &s, &slen) != 0)
		s = NULL;
	ct_buf_free(&b);
	return (char *)s;
}

int cl_join_body(const struct cl_join_request *req, char **out,
		 struct ct_errinfo *ei)
{
	char *csr = b64_string(req->csr_der, req->csr_len);
	char *tk = b64_string(req->transport_blob, req->transport_len);
	json_t *o = NULL;
	int r = 0;

	*out = NULL;
	if (csr != NULL && tk != NULL)
		o = json_pack("{s:{s:s, s:s}, s:s, s:s, s:s, s:s, s:s, s:i, s:{s:s}}",
			      "CertificateRequest", "Type", "pkcs10", "Data", csr,
			      "TransportKey", tk, "TargetDomain", req->target_domain,
			      "DeviceType", "Linux", "OSVersion", req->os_version,
			      "DeviceDisplayName", req->display_name,
			      "JoinType", req->join_type, "Attributes", "ReuseDevice", "true");
	if (o == NULL)
		r = ct_errinfo_set(ei, CT_ERR_NOMEM, "cannot build the join request");
	else if ((*out = json_dumps(o, JSON_COMPACT)) == NULL)
		r = CT_ERR_NOMEM;
	json_decref(o);
	free(csr);
	free(tk);
	return r;
}

void cl_join_reply_free(struct cl_join_reply *j)
{
	if (j == NULL)
		return;
	ct_arena_free(j->arena);
	memset(j, 0, sizeof(*j));
}

static bool thumb_form(const char *s, size_t n)
{
	return n == 40 && chars_in(s, n, "0123456789ABCDEF");
}

/* The certificate's CN equals the device id (case ignored). */
static bool cert_names_device(const uint8_t *der, size_t len, const char *device_id)
{
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	char cn[128];
	bool ok = false;

	if (x != NULL && p == der + len &&
	    X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn,
				      sizeof(cn)) == 36)
		ok = strcasecmp(cn, device_id) == 0;
	X509_free(x);
	return ok;
}

int cl_reply_join(const void *body, size_t len, struct cl_join_reply *out,
		  struct ct_errinfo *ei)
{
	struct cl_join_reply j;
	json_t *o = NULL, *cert = NULL, *user = NULL;
	const char *raw, *thumb, *id, *upn;
	uint8_t sha1[SHA_DIGEST_LENGTH];
	char want[41];
	size_t i, n;
	int r;

	memset(&j, 0, sizeof(j));
	r = parse_body(body, len, &o, ei);
	if (r != 0)
		return r;
	if (ct_json_get_obj(o, "Certificate", &cert) != 0) {
		r = ct_errinfo_set(ei, CT_ERR_MISSING_FIELD, "the reply has no \"Certificate\"");
		goto out;
	}
	r = get_str(cert, "RawBody", ct_b64_encoded_len(CT_CERT_MAX), NULL, &raw, ei);
	if (r == 0)
		r = get_str(cert, "Thumbprint", 40, thumb_form, &thumb, ei);
	if (r == 0)
		r = get_str(o, "DeviceId", 36, guid_form_n, &id, ei);
	if (r != 0)
		goto out;
	j.arena = ct_arena_new();
	if (j.arena == NULL) {
		r = CT_ERR_NOMEM;
		goto out;
	}
	r = ct_b64_decode_arena(j.arena, raw, strlen(raw), (uint8_t **)&j.cert_der, &n);
	if (r != 0) {
		r = ct_errinfo_set(ei, r, "Certificate.RawBody is not base64");
		goto out;
	}
	j.cert_len = n;
	SHA1(j.cert_der, j.cert_len, sha1);
	for (i = 0; i < sizeof(sha1); i++)
		snprintf(want + 2 * i, 3, "%02X", sha1[i]);
	if (strcmp(want, thumb) != 0) {
		r = ct_errinfo_set(ei, CT_ERR_MISMATCH,
				   "the thumbprint is not the certificate's SHA-1");
		goto out;
	}
	if (!cert_names_device(j.cert_der, j.cert_len, id)) {
		r = ct_errinfo_set(ei, CT_ERR_MISMATCH,
				   "the certificate is not a device certificate for %s", id);
		goto out;
	}
	memcpy(j.thumbprint, thumb, 41);
	memcpy(j.device_id, id, 37);
	if (ct_json_get_obj(o, "User", &user) == 0 &&
	    ct_json_get_str(user, "Upn", &upn, &n) == 0 && n > 0 && n <= CT_CL_MAX_UPN &&
	    printable(upn, n))
		j.upn = ct_arena_strdup(j.arena, upn);
	*out = j;
	j.arena = NULL;
out:
	ct_arena_free(j.arena);
	json_decref(o);
	return r;
}

/* ---- §5 ---- */

int cl_kpp_body(const uint8_t *blob, size_t len, char **out)
{
	char *b = b64_string(blob, len);
	json_t *o = b != NULL ? json_pack("{s:s}", "kngc", b) : NULL;

	*out = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	free(b);
	return *out != NULL ? 0 : CT_ERR_NOMEM;
}

static bool kid_form(const char *s, size_t n)
{
	return n == CT_KID_LEN && s[n - 1] == '=' &&
	       chars_in(s, n - 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				  "0123456789+/");
}

int cl_reply_kpp(const void *body, size_t len, char *kid, size_t kidlen,
		 struct ct_errinfo *ei)
{
	json_t *o = NULL;
	const char *s;
	int r;

	r = parse_body(body, len, &o, ei);
	if (r == 0)
		r = get_str(o, "kid", CT_KID_LEN, kid_form, &s, ei);
	if (r == 0 && kidlen < CT_KID_BUFSIZE)
		r = CT_ERR_INVALID_ARG;
	if (r == 0)
		memcpy(kid, s, CT_KID_BUFSIZE);
	json_decref(o);
	return r;
}

/* ---- §6, §7 ---- */

int cl_prt_inner(const char *upn, const char *tenant, const char *nonce,
		 const char *kid, time_t now, json_t **claims, json_t **header)
{
	*claims = json_pack("{s:s, s:s, s:I, s:I, s:s, s:s}", "iss", upn, "aud", tenant,
			    "iat", (json_int_t)now,
			    "exp", (json_int_t)(now + CL_ASSERTION_LIFETIME),
			    "request_nonce", nonce, "scope", CL_PRT_SCOPE);
	*header = json_pack("{s:s, s:s}", "kid", kid, "use", "ngc");
	if (*claims == NULL || *header == NULL) {
		json_decref(*claims);
		json_decref(*header);
		*claims = *header = NULL;
		return CT_ERR_NOMEM;
	}
	return 0;
}

int cl_prt_outer(EVP_PKEY *device_key, const uint8_t *cert_der, size_t cert_len,
		 const char *upn, const char *nonce, const char *assertion,
		 char **out, struct ct_errinfo *ei)
{
	return sign_device(device_key, cert_der, cert_len,
			   json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}",
				     "client_id", CL_BROKER_CLIENT_ID, "request_nonce", nonce,
				     "scope", CL_PRT_SCOPE, "grant_type", CL_GRANT_JWT_BEARER,
				     "username", upn, "assertion", assertion),
			   out, ei);
}

int cl_form_prt(struct ct_buf *form, const char *request, bool tgt, bool oaep256)
{
	cl_form_add(form, "grant_type", CL_GRANT_JWT_BEARER);
	cl_form_add(form, "request", request);
	cl_form_add(form, "client_info", "1");
	cl_form_add(form, "windows_api_version", "2.0");
	if (tgt)
		cl_form_add(form, "tgt", "true");
	if (oaep256)
		cl_form_add(form, "session_key_alg", "RSA-OAEP-256");
	return form->err;
}

int cl_renew_request(const uint8_t *session_key, size_t sklen, const char *prt,
		     const char *nonce, time_t iat, bool tgt, char **out,
		     struct ct_errinfo *ei)
{
	uint8_t ctx[RENEW_CTX_LEN], key[32];
	char *ctx64 = NULL, *payload = NULL;
	json_t *hdr = NULL, *claims = NULL;
	int r;

	*out = NULL;
	if (RAND_bytes(ctx, sizeof(ctx)) != 1)
		return ct_errinfo_set(ei, CT_ERR_CRYPTO, "no random bytes for ctx");
	r = ct_kdf_sp800_108_hmac_sha256(session_key, sklen,
					 (const uint8_t *)CT_JWE_KDF_LABEL,
					 strlen(CT_JWE_KDF_LABEL), ctx, sizeof(ctx), key,
					 sizeof(key));
	if (r != 0) {
		r = ct_errinfo_set(ei, r, "cannot derive the renewal key");
		goto out;
	}
	ctx64 = b64_string(ctx, sizeof(ctx));
	hdr = ctx64 != NULL ? json_pack("{s:s}", "ctx", ctx64) : NULL;
	claims = json_pack("{s:s, s:s, s:s, s:I, s:b}", "grant_type", CL_GRANT_REFRESH,
			   "refresh_token", prt, "request_nonce", nonce,
			   "iat", (json_int_t)iat, "tgt", tgt);
	payload = claims != NULL ? json_dumps(claims, JSON_COMPACT) : NULL;
	if (hdr == NULL || payload == NULL) {
		r = CT_ERR_NOMEM;
		goto out;
	}
	r = ct_jws_sign_hmac(hdr, payload, strlen(payload), key, sizeof(key), out, ei);
out:
	ct_zap(key, sizeof(key));
	ct_erase_free_str(payload);
	json_decref(claims);
	json_decref(hdr);
	free(ctx64);
	return r;
}

int cl_form_renew(struct ct_buf *form, const char *request, bool tgt)
{
	cl_form_add(form, "grant_type", CL_GRANT_JWT_BEARER);
	cl_form_add(form, "request", request);
	if (tgt)
		cl_form_add(form, "tgt", "true");
	return form->err;
}

void cl_prt_reply_free(struct cl_prt_reply *p)
{
	if (p == NULL)
		return;
	ct_arena_free(p->arena);
	memset(p, 0, sizeof(*p));
}

static bool prt_form(const char *s, size_t n)
{
	return chars_in(s, n, B64URL_CHARS ".+/=~");
}

static bool error_form(const char *s, size_t n)
{
	return chars_in(s, n, "abcdefghijklmnopqrstuvwxyz0123456789_");
}

static bool realm_form(const char *s, size_t n)
{
	return printable(s, n);
}

/* An int32 member, sent as a number or (other servers) a string. */
static int get_i32(const json_t *o, const char *key, int32_t min, int32_t max,
		   int32_t *out, struct ct_errinfo *ei)
{
	int64_t v;

	if (ct_json_get_int_lenient(o, key, &v) != 0 || v < min || v > max)
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				      "tgt_ad.%s is missing or out of range", key);
	*out = (int32_t)v;
	return 0;
}

/* Copies a string member into the arena. */
static int dup_str(struct ct_arena *a, const char *s, const char **out)
{
	*out = ct_arena_strdup(a, s);
	return *out != NULL ? 0 : CT_ERR_NOMEM;
}

static int parse_tgt_ad(struct ct_arena *a, json_t *t, struct cl_tgt_ad *out,
			struct ct_errinfo *ei)
{
	const char *s, *ck, *mb, *realm, *sn, *cn;
	size_t n;
	int r;

	if (ct_json_get_str(t, "error", &s, &n) == 0) {
		if (n == 0 || n >= sizeof(out->error) || !error_form(s, n))
			return ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "tgt_ad.error is malformed");
		out->state = CL_TGT_ERROR;
		memcpy(out->error, s, n + 1);
		if (ct_json_get_str(t, "error_description", &s, NULL) == 0)
			copy_shown(out->error_description, sizeof(out->error_description), s);
		return 0;
	}
	r = get_str(t, "clientKey", CT_JOSE_MAX_COMPACT, compact_form, &ck, ei);
	if (r == 0)
		r = get_str(t, "messageBuffer", ct_b64_encoded_len(CT_KRB_MAX_MSG), NULL, &mb, ei);
	if (r == 0)
		r = get_str(t, "realm", CT_KRB_MAX_STRING, realm_form, &realm, ei);
	if (r == 0)
		r = get_str(t, "sn", CT_KRB_MAX_STRING, realm_form, &sn, ei);
	if (r == 0)
		r = get_str(t, "cn", CT_KRB_MAX_STRING, realm_form, &cn, ei);
	if (r == 0)
		r = get_i32(t, "keyType", 1, 0xffff, &out->key_type, ei);
	if (r == 0)
		r = get_i32(t, "sessionKeyType", 1, 0xffff, &out->session_key_type, ei);
	if (r == 0 && ct_json_get_int_lenient(t, "accountType", &(int64_t){0}) == 0)
		r = get_i32(t, "accountType", 0, 0xffff, &out->account_type, ei);
	if (r != 0)
		return r;
	r = ct_b64_decode_arena(a, mb, strlen(mb), (uint8_t **)&out->as_rep, &n);
	if (r != 0)
		return ct_errinfo_set(ei, r, "tgt_ad.messageBuffer is not base64");
	out->as_rep_len = n;
	if (dup_str(a, ck, &out->client_key) != 0 || dup_str(a, realm, &out->realm) != 0 ||
	    dup_str(a, sn, &out->sn) != 0 || dup_str(a, cn, &out->cn) != 0)
		return CT_ERR_NOMEM;
	out->state = CL_TGT_ISSUED;
	return 0;
}

int cl_reply_prt(const void *body, size_t len, struct cl_prt_reply *out,
		 struct ct_errinfo *ei)
{
	struct cl_prt_reply p;
	json_t *o = NULL, *tgt = NULL;
	const char *type, *prt, *skjwe, *idt;
	int r;

	memset(&p, 0, sizeof(p));
	r = parse_body(body, len, &o, ei);
	if (r != 0)
		return r;
	r = get_str(o, "token_type", 32, NULL, &type, ei);
	if (r == 0 && strcasecmp(type, "pop") != 0)
		r = ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "token_type is not pop");
	if (r == 0)
		r = get_str(o, "refresh_token", CT_CL_MAX_PRT, prt_form, &prt, ei);
	if (r == 0)
		r = get_str(o, "session_key_jwe", CT_JOSE_MAX_COMPACT, compact_form, &skjwe, ei);
	if (r == 0 && (ct_json_get_int_lenient(o, "refresh_token_expires_in",
					       &p.prt_expires_in) != 0 ||
		       p.prt_expires_in <= 0 || p.prt_expires_in > 10 * 365 * 86400))
		r = ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				   "refresh_token_expires_in is missing or out of range");
	if (r != 0)
		goto out;
	p.arena = ct_arena_new();
	if (p.arena == NULL || dup_str(p.arena, prt, &p.prt) != 0 ||
	    dup_str(p.arena, skjwe, &p.session_key_jwe) != 0) {
		r = CT_ERR_NOMEM;
		goto out;
	}
	if (ct_json_get_str(o, "id_token", &idt, NULL) == 0 && compact_form(idt, strlen(idt)) &&
	    dup_str(p.arena, idt, &p.id_token) != 0) {
		r = CT_ERR_NOMEM;
		goto out;
	}
	r = ct_json_get_obj_lenient(o, "tgt_ad", &tgt, ei);
	if (r == CT_ERR_MISSING_FIELD) {
		r = 0;
	} else if (r != 0) {
		r = ct_errinfo_set(ei, r, "tgt_ad is not an object");
		goto out;
	} else {
		r = parse_tgt_ad(p.arena, tgt, &p.tgt_ad, ei);
		if (r != 0)
			goto out;
	}
	*out = p;
	p.arena = NULL;
out:
	ct_arena_free(p.arena);
	json_decref(tgt);
	json_decref(o);
	return r;
}

int cl_open_session_key(const char *jwe, EVP_PKEY *transport_key,
			uint8_t sk[CT_CL_SESSION_KEY_LEN], struct ct_errinfo *ei)
{
	struct ct_jwe *j = NULL;
	struct ct_buf plain;
	int r;

	ct_buf_init(&plain, 64);
	r = ct_jwe_parse(jwe, strlen(jwe), &j, ei);
	if (r == 0)
		r = ct_jwe_decrypt_rsa(j, CT_JOSE_RSA_OAEP | CT_JOSE_RSA_OAEP_256, transport_key,
				       &plain, ei);
	if (r == 0 && plain.len != CT_CL_SESSION_KEY_LEN)
		r = ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "the session key is %zu bytes, not 32",
				   plain.len);
	if (r == 0)
		memcpy(sk, plain.data, CT_CL_SESSION_KEY_LEN);
	ct_buf_free(&plain);
	ct_jwe_free(j);
	return r;
}

int cl_open_client_key(const char *jwe, const uint8_t *sk, size_t sklen,
		       struct ct_buf *key, struct ct_errinfo *ei)
{
	struct ct_jwe *j = NULL;
	int r;

	r = ct_jwe_parse(jwe, strlen(jwe), &j, ei);
	if (r == 0 && j->alg != CT_JOSE_DIR)
		r = ct_errinfo_set(ei, CT_ERR_UNSUPPORTED_ALG, "clientKey is not a dir JWE");
	if (r == 0)
		r = ct_jwe_decrypt_session(j, sk, sklen, key, ei);
	ct_jwe_free(j);
	return r;
}

/* ---- §8 ---- */

int cl_policy_request(EVP_PKEY *device_key, const uint8_t *cert_der,
		      size_t cert_len, const char *nonce, time_t iat,
		      const char *upn, char **out, struct ct_errinfo *ei)
{
	json_t *c = json_pack("{s:s, s:I}", "request_nonce", nonce, "iat", (json_int_t)iat);

	if (c != NULL && upn != NULL && json_object_set_new(c, "upn", json_string(upn)) != 0) {
		json_decref(c);
		c = NULL;
	}
	return sign_device(device_key, cert_der, cert_len, c, out, ei);
}

int cl_leave_request(EVP_PKEY *device_key, const uint8_t *cert_der, size_t cert_len,
		     const char *nonce, time_t iat, char **out, struct ct_errinfo *ei)
{
	json_t *c = json_pack("{s:s, s:I, s:s}", "request_nonce", nonce, "iat",
			      (json_int_t)iat, "purpose", "leave");

	return sign_device(device_key, cert_der, cert_len, c, out, ei);
}
