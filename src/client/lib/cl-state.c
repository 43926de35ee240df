/* SPDX-License-Identifier: Apache-2.0 */
#include "cl-state.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "b64.h"
#include "cl-safefile.h"
#include "ct-buf.h"
#include "ct-secret.h"
#include "ct-utf8.h"
#include "strict-json.h"

/* ---- value checks ---- */

static bool all_chars(const char *s, const char *set)
{
	return strspn(s, set) == strlen(s);
}

bool cl_keystore_name_ok(const char *s)
{
	return strcmp(s, "tpm") == 0 || strcmp(s, "soft") == 0;
}

bool cl_upn_ok(const char *upn)
{
	size_t n = strlen(upn), i;
	const char *at = strchr(upn, '@');

	if (n < 3 || n > CT_CL_MAX_UPN || upn[0] == '.' || at == NULL || at == upn ||
	    at[1] == '\0' || strchr(at + 1, '@') != NULL)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)upn[i];

		if (c <= 0x20 || c >= 0x7f || c == '/' || c == '\\' || c == '"')
			return false;
	}
	return true;
}

bool cl_user_name_ok(const char *name)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				  "0123456789._@$-";
	size_t n = strlen(name);

	return n > 0 && n <= CT_CL_MAX_USER && name[0] != '-' && name[0] != '.' &&
	       all_chars(name, set);
}

static bool printable_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

static bool url_ok(const char *s)
{
	return strncmp(s, "https://", 8) == 0 && strlen(s) > 8 && printable_ascii(s) &&
	       strchr(s, ' ') == NULL;
}

bool cl_guid_ok(const char *s)
{
	size_t i;

	if (strlen(s) != 36)
		return false;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!isxdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

static bool thumbprint_ok(const char *s)
{
	return strlen(s) == 40 && all_chars(s, "0123456789ABCDEF");
}

/* Display names: any UTF-8 without control characters. */
static bool text_ok(const char *s)
{
	const char *p;

	if (!ct_utf8_valid(s, strlen(s)))
		return false;
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p == 0x7f)
			return false;
	return true;
}

static bool kid_ok(const char *s)
{
	return strlen(s) == 44 && s[43] == '=' &&
	       all_chars(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			    "0123456789+/=");
}

/* The PRT is opaque, but it is a token: base64 family and dots only. */
static bool prt_ok(const char *s)
{
	return s[0] != '\0' &&
	       all_chars(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			    "0123456789-_.+/=~");
}

/* Labels this library makes: "<upn>" or "<upn>#<digits>", lower case. */
static bool label_ok(const char *s)
{
	char upn[CT_CL_MAX_UPN + 1];
	size_t n = strcspn(s, "#");

	if (n == 0 || n > CT_CL_MAX_UPN)
		return false;
	memcpy(upn, s, n);
	upn[n] = '\0';
	if (!cl_upn_ok(upn) || strpbrk(upn, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != NULL)
		return false;
	return s[n] == '\0' || (s[n + 1] != '\0' && strlen(s + n + 1) <= 20 &&
				all_chars(s + n + 1, "0123456789"));
}

static bool ccache_ok(const char *s)
{
	return printable_ascii(s);
}

static bool tcti_ok(const char *s)
{
	return printable_ascii(s);
}

/* ---- a table-driven strict object decoder ---- */

enum field_type { F_STR, F_I64, F_U32, F_KEY32 };

struct field {
	const char *name;
	enum field_type type;
	bool required;
	size_t off;
	size_t size;            /* F_STR: the array size */
	bool (*valid)(const char *s);
	int64_t min, max;       /* F_I64, F_U32 */
};

#define STR(st, m, req, fn) {#m, F_STR, req, offsetof(st, m), sizeof(((st *)0)->m), fn, 0, 0}
#define I64(st, m, req, lo, hi) {#m, F_I64, req, offsetof(st, m), 0, NULL, lo, hi}

/* Unix times from 2000 to 2200: anything else is a corrupt file. */
#define T_MIN 946684800
#define T_MAX 7258118400

static const struct field device_fields[] = {
	STR(struct cl_device_state, server_url, true, url_ok),
	STR(struct cl_device_state, tenant_id, true, cl_guid_ok),
	STR(struct cl_device_state, device_id, true, cl_guid_ok),
	STR(struct cl_device_state, thumbprint, true, thumbprint_ok),
	STR(struct cl_device_state, joined_by, true, cl_upn_ok),
	STR(struct cl_device_state, display_name, true, text_ok),
	STR(struct cl_device_state, keystore, true, cl_keystore_name_ok),
	STR(struct cl_device_state, tcti, false, tcti_ok),
	I64(struct cl_device_state, join_time, true, T_MIN, T_MAX),
};

static const struct field user_fields[] = {
	STR(struct cl_user_state, user, true, cl_user_name_ok),
	{"uid", F_U32, true, offsetof(struct cl_user_state, uid), 0, NULL, 0, 0xfffffffe},
	STR(struct cl_user_state, upn, true, cl_upn_ok),
	STR(struct cl_user_state, kid, true, kid_ok),
	STR(struct cl_user_state, key_label, true, label_ok),
	STR(struct cl_user_state, keystore, true, cl_keystore_name_ok),
	I64(struct cl_user_state, enrolled, true, T_MIN, T_MAX),
	I64(struct cl_user_state, pin_set, true, T_MIN, T_MAX),
	STR(struct cl_user_state, prt, false, prt_ok),
	{"session_key", F_KEY32, false, offsetof(struct cl_user_state, session_key),
	 CT_CL_SESSION_KEY_LEN, NULL, 0, 0},
	I64(struct cl_user_state, prt_issued, false, T_MIN, T_MAX),
	I64(struct cl_user_state, prt_expiry, false, T_MIN, T_MAX),
	I64(struct cl_user_state, tgt_expiry, false, 0, T_MAX),
	STR(struct cl_user_state, ccache, false, ccache_ok),
};

#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))

static const struct field *find_field(const struct field *f, size_t n,
				      const char *name, size_t *idx)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(f[i].name, name) == 0) {
			*idx = i;
			return &f[i];
		}
	return NULL;
}

static int decode_field(const struct field *f, json_t *v, void *out,
			struct ct_errinfo *ei)
{
	uint8_t *dst = (uint8_t *)out + f->off;

	switch (f->type) {
	case F_STR: {
		const char *s;
		size_t len;

		if (!json_is_string(v))
			return ct_errinfo_set(ei, CT_ERR_JSON_TYPE,
					      "\"%s\" is not a string", f->name);
		s = json_string_value(v);
		len = json_string_length(v);
		if (len >= f->size)
			return ct_errinfo_set(ei, CT_ERR_TOO_LARGE,
					      "\"%s\" is longer than %zu bytes", f->name,
					      f->size - 1);
		if (strlen(s) != len || (f->valid != NULL && !f->valid(s)))
			return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
					      "\"%s\" is not a valid value", f->name);
		memcpy(dst, s, len + 1);
		return 0;
	}
	case F_I64:
	case F_U32: {
		int64_t x;

		if (!json_is_integer(v))
			return ct_errinfo_set(ei, CT_ERR_JSON_TYPE,
					      "\"%s\" is not an integer", f->name);
		x = (int64_t)json_integer_value(v);
		if (x < f->min || x > f->max)
			return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
					      "\"%s\" is out of range", f->name);
		if (f->type == F_U32) {
			uint32_t u = (uint32_t)x;

			memcpy(dst, &u, sizeof(u));
		} else {
			memcpy(dst, &x, sizeof(x));
		}
		return 0;
	}
	case F_KEY32: {
		struct ct_buf b;
		int r = 0;

		if (!json_is_string(v))
			return ct_errinfo_set(ei, CT_ERR_JSON_TYPE,
					      "\"%s\" is not a string", f->name);
		ct_buf_init(&b, f->size + 3);
		if (ct_b64_decode(&b, json_string_value(v), json_string_length(v)) != 0 ||
		    b.len != f->size)
			r = ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
					   "\"%s\" is not base64 of %zu bytes", f->name,
					   f->size);
		else
			memcpy(dst, b.data, f->size);
		ct_buf_free(&b);
		return r;
	}
	}
	return CT_ERR_INTERNAL;
}

/*
 * Decodes obj into out (of size outsize, zeroed first) by the table:
 * "version" must be CL_STATE_VERSION, every other member must be in the
 * table, every required one present.  seen[] marks what was there.
 */
static int decode_object(const void *p, size_t n, const struct field *fields,
			 size_t nfields, void *out, bool *seen,
			 struct ct_errinfo *ei)
{
	json_t *obj = NULL, *v;
	const char *key;
	const struct field *f;
	bool have_version = false;
	size_t i;
	int r;

	memset(seen, 0, nfields * sizeof(*seen));
	if (n > CT_CL_MAX_STATE_FILE)
		return ct_errinfo_set(ei, CT_ERR_TOO_LARGE, "state file over %d bytes",
				      CT_CL_MAX_STATE_FILE);
	r = ct_json_parse(p, n, &obj, ei);
	if (r != 0)
		return r;
	json_object_foreach(obj, key, v) {
		if (strcmp(key, "version") == 0) {
			if (!json_is_integer(v) || json_integer_value(v) != CL_STATE_VERSION) {
				r = ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
						   "\"version\" is not %d", CL_STATE_VERSION);
				goto out;
			}
			have_version = true;
			continue;
		}
		f = find_field(fields, nfields, key, &i);
		if (f == NULL) {
			r = ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "unknown member \"%.64s\"",
					   key);
			goto out;
		}
		r = decode_field(f, v, out, ei);
		if (r != 0)
			goto out;
		seen[i] = true;
	}
	if (!have_version) {
		r = ct_errinfo_set(ei, CT_ERR_MISSING_FIELD, "no \"version\"");
		goto out;
	}
	for (i = 0; i < nfields; i++)
		if (fields[i].required && !seen[i]) {
			r = ct_errinfo_set(ei, CT_ERR_MISSING_FIELD, "no \"%s\"",
					   fields[i].name);
			goto out;
		}
out:
	json_decref(obj);
	return r;
}

int cl_device_state_parse(const void *p, size_t n, struct cl_device_state *out,
			  struct ct_errinfo *ei)
{
	struct cl_device_state s;
	bool seen[NFIELDS(device_fields)];
	int r;

	memset(&s, 0, sizeof(s));
	r = decode_object(p, n, device_fields, NFIELDS(device_fields), &s, seen, ei);
	if (r == 0)
		*out = s;
	return r;
}

/* The PRT's members: in a file all together or not at all. */
static const char *const prt_members[] = {"prt", "session_key", "prt_issued", "prt_expiry"};

int cl_user_state_parse(const void *p, size_t n, struct cl_user_state *out,
			struct ct_errinfo *ei)
{
	struct cl_user_state *s = calloc(1, sizeof(*s));
	bool seen[NFIELDS(user_fields)];
	size_t i, k, count = 0;
	int r;

	if (s == NULL)
		return CT_ERR_NOMEM;
	r = decode_object(p, n, user_fields, NFIELDS(user_fields), s, seen, ei);
	if (r != 0)
		goto out;
	for (k = 0; k < NFIELDS(prt_members); k++)
		if (find_field(user_fields, NFIELDS(user_fields), prt_members[k], &i) != NULL &&
		    seen[i])
			count++;
	if (count != 0 && count != NFIELDS(prt_members)) {
		r = ct_errinfo_set(ei, CT_ERR_MISSING_FIELD,
				   "\"prt\", \"session_key\", \"prt_issued\" and "
				   "\"prt_expiry\" must come together");
		goto out;
	}
	s->has_prt = count == NFIELDS(prt_members);
	if (s->has_prt && s->prt_expiry < s->prt_issued) {
		r = ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "\"prt_expiry\" before \"prt_issued\"");
		goto out;
	}
	*out = *s;
out:
	cl_user_state_clear(s);
	free(s);
	return r;
}

/* ---- encoders ---- */

/* Dumps obj with a final newline into a new string; wipes jansson's copy. */
static int dump(json_t *obj, char **out)
{
	char *text = json_dumps(obj, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	size_t n;
	char *s;

	if (text == NULL)
		return CT_ERR_NOMEM;
	n = strlen(text);
	s = malloc(n + 2);
	if (s != NULL) {
		memcpy(s, text, n);
		s[n] = '\n';
		s[n + 1] = '\0';
	}
	ct_erase_free_str(text);
	if (s == NULL)
		return CT_ERR_NOMEM;
	*out = s;
	return 0;
}

static int set_str(json_t *obj, const char *k, const char *v)
{
	return json_object_set_new(obj, k, json_string(v)) == 0 ? 0 : CT_ERR_BAD_VALUE;
}

static int set_int(json_t *obj, const char *k, int64_t v)
{
	return json_object_set_new(obj, k, json_integer((json_int_t)v)) == 0
		       ? 0 : CT_ERR_NOMEM;
}

static int encode_field(json_t *obj, const struct field *f, const void *in)
{
	const uint8_t *src = (const uint8_t *)in + f->off;

	switch (f->type) {
	case F_STR:
		return set_str(obj, f->name, (const char *)src);
	case F_I64: {
		int64_t x;

		memcpy(&x, src, sizeof(x));
		return set_int(obj, f->name, x);
	}
	case F_U32: {
		uint32_t u;

		memcpy(&u, src, sizeof(u));
		return set_int(obj, f->name, u);
	}
	case F_KEY32: {
		struct ct_buf b;
		int r;

		ct_buf_init(&b, 64);
		r = ct_b64_encode(&b, src, f->size);
		ct_buf_put_u8(&b, 0);
		r |= b.err;
		if (r == 0)
			r = set_str(obj, f->name, (const char *)b.data);
		ct_buf_free(&b);
		return r;
	}
	}
	return CT_ERR_INTERNAL;
}

/* Whether an optional member is written: when it holds a value. */
static bool member_holds_value(const void *in, const struct field *f)
{
	const uint8_t *src = (const uint8_t *)in + f->off;
	int64_t x;

	if (f->type == F_STR)
		return src[0] != '\0';
	if (f->type != F_I64)
		return true;
	memcpy(&x, src, sizeof(x));
	return x != 0;
}

/* The PRT's members are written all together, when there is a PRT. */
static bool user_member_written(const void *in, const struct field *f)
{
	size_t k;

	for (k = 0; k < NFIELDS(prt_members); k++)
		if (strcmp(f->name, prt_members[k]) == 0)
			return ((const struct cl_user_state *)in)->has_prt;
	return member_holds_value(in, f);
}

/*
 * Encodes in by the table into a new string (*out): "version" first, then
 * the members in table order, the required ones always and the optional
 * ones when written() says so.  what ("user state") names it in messages.
 */
static int encode_object(const struct field *fields, size_t nfields, const void *in,
			 bool (*written)(const void *in, const struct field *f),
			 const char *what, char **out, struct ct_errinfo *ei)
{
	json_t *o = json_object();
	size_t i;
	int r = 0;

	if (o == NULL)
		return CT_ERR_NOMEM;
	r |= set_int(o, "version", CL_STATE_VERSION);
	for (i = 0; i < nfields; i++)
		if (fields[i].required || written(in, &fields[i]))
			r |= encode_field(o, &fields[i], in);
	r = r != 0 ? ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "%s has a bad field", what)
		   : dump(o, out);
	json_decref(o);
	return r;
}

int cl_device_state_format(const struct cl_device_state *s, char **out,
			   struct ct_errinfo *ei)
{
	struct cl_device_state back;
	char *text = NULL;
	int r;

	*out = NULL;
	r = encode_object(device_fields, NFIELDS(device_fields), s, member_holds_value,
			  "device state", &text, ei);
	/* What we write we can read. */
	if (r == 0)
		r = cl_device_state_parse(text, strlen(text), &back, ei);
	if (r != 0) {
		free(text);
		return r;
	}
	*out = text;
	return 0;
}

int cl_user_state_format(const struct cl_user_state *s, char **out,
			 struct ct_errinfo *ei)
{
	struct cl_user_state *back = NULL;
	char *text = NULL;
	int r;

	*out = NULL;
	r = encode_object(user_fields, NFIELDS(user_fields), s, user_member_written,
			  "user state", &text, ei);
	if (r == 0) {
		back = malloc(sizeof(*back));
		r = back == NULL ? CT_ERR_NOMEM
				 : cl_user_state_parse(text, strlen(text), back, ei);
		if (back != NULL)
			cl_user_state_clear(back);
		free(back);
	}
	if (r != 0) {
		ct_erase_free_str(text);
		return r;
	}
	*out = text;
	return 0;
}

void cl_user_state_clear(struct cl_user_state *s)
{
	if (s != NULL)
		ct_zap(s, sizeof(*s));
}

/* ---- files ---- */

int cl_user_state_path(const char *dir, const char *upn, char *out, size_t outlen)
{
	char name[CT_CL_MAX_UPN + 8];
	size_t i, n = strlen(upn);
	int len;

	if (!cl_upn_ok(upn))
		return CT_ERR_BAD_VALUE;
	for (i = 0; i < n; i++)
		name[i] = (char)tolower((unsigned char)upn[i]);
	memcpy(name + n, ".json", 6);
	len = snprintf(out, outlen, "%s/" CL_USERS_DIR "/%s", dir, name);
	return len < 0 || (size_t)len >= outlen ? CT_ERR_TOO_LARGE : 0;
}

/* Prefixes ei's message with the file it is about. */
static int about_file(struct ct_errinfo *ei, int r, const char *path)
{
	char msg[sizeof(ei->msg)];

	if (ei == NULL)
		return r;
	snprintf(msg, sizeof(msg), "%s", ei->msg);
	return ct_errinfo_set(ei, r, "%s: %s", path, msg[0] ? msg : ct_strerror(r));
}

int cl_device_state_load(const char *dir, struct cl_device_state *out,
			 struct ct_errinfo *ei)
{
	char path[4096];
	struct ct_buf b;
	int r;

	if (cl_path_join(path, sizeof(path), dir, CL_DEVICE_FILE) != 0)
		return ct_errinfo_set(ei, CT_ERR_TOO_LARGE, "state directory path too long");
	ct_buf_init(&b, CT_CL_MAX_STATE_FILE);
	r = cl_file_read(path, CT_CL_MAX_STATE_FILE, &b, ei);
	if (r == CT_ERR_NOT_FOUND)
		r = ct_errinfo_set(ei, CT_ERR_NOT_JOINED,
				   "this device is not joined (no %s)", path);
	else if (r == 0) {
		r = cl_device_state_parse(b.data, b.len, out, ei);
		if (r != 0)
			about_file(ei, r, path);
	}
	ct_buf_free(&b);
	return r;
}

int cl_device_state_save(const char *dir, const struct cl_device_state *s,
			 struct ct_errinfo *ei)
{
	char path[4096], *text = NULL;
	int r;

	if (cl_path_join(path, sizeof(path), dir, CL_DEVICE_FILE) != 0)
		return ct_errinfo_set(ei, CT_ERR_TOO_LARGE, "state directory path too long");
	r = cl_device_state_format(s, &text, ei);
	/* No secret in it: readable, so status works for every user. */
	if (r == 0)
		r = cl_file_write(path, text, strlen(text), 0644, ei);
	free(text);
	return r;
}

static int load_user_file(const char *path, struct cl_user_state *out,
			  struct ct_errinfo *ei)
{
	struct ct_buf b;
	int r;

	ct_buf_init(&b, CT_CL_MAX_STATE_FILE);
	r = cl_file_read(path, CT_CL_MAX_STATE_FILE, &b, ei);
	if (r == 0) {
		r = cl_user_state_parse(b.data, b.len, out, ei);
		if (r != 0)
			about_file(ei, r, path);
	}
	ct_buf_free(&b);
	return r;
}

int cl_user_state_load_upn(const char *dir, const char *upn,
			   struct cl_user_state *out, struct ct_errinfo *ei)
{
	char path[4096];
	int r;

	r = cl_user_state_path(dir, upn, path, sizeof(path));
	if (r != 0)
		return ct_errinfo_set(ei, r == CT_ERR_BAD_VALUE ? CT_ERR_INVALID_ARG : r,
				      "not a UPN this client accepts: %.300s", upn);
	r = load_user_file(path, out, ei);
	if (r == CT_ERR_NOT_FOUND)
		return ct_errinfo_set(ei, CT_ERR_NOT_ENROLLED,
				      "%s has no Hello key on this device", upn);
	if (r == 0 && strcasecmp(out->upn, upn) != 0) {
		cl_user_state_clear(out);
		return ct_errinfo_set(ei, CT_ERR_MISMATCH, "%s names another UPN", path);
	}
	return r;
}

static int dirent_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int json_file(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return e->d_name[0] != '.' && n > 5 && strcmp(e->d_name + n - 5, ".json") == 0;
}

int cl_user_state_foreach(const char *dir,
			  int (*fn)(const struct cl_user_state *s, void *arg),
			  void *arg, unsigned *bad, struct ct_errinfo *ei)
{
	char users[4096], path[4096];
	struct dirent **list = NULL;
	struct cl_user_state *s;
	int n, i, r = 0;

	if (bad != NULL)
		*bad = 0;
	if (cl_path_join(users, sizeof(users), dir, CL_USERS_DIR) != 0)
		return ct_errinfo_set(ei, CT_ERR_TOO_LARGE, "state directory path too long");
	r = cl_dir_check(users, ei);
	if (r == CT_ERR_NOT_FOUND)
		return 0;
	if (r != 0)
		return r;
	n = scandir(users, &list, json_file, dirent_cmp);
	if (n < 0)
		return ct_errinfo_set(ei, CT_ERR_IO, "cannot list %s: %s", users,
				      strerror(errno));
	s = malloc(sizeof(*s));
	if (s == NULL)
		r = CT_ERR_NOMEM;
	for (i = 0; i < n && r == 0 && i < CT_CL_MAX_USERS; i++) {
		if (cl_path_join(path, sizeof(path), users, list[i]->d_name) != 0 ||
		    load_user_file(path, s, NULL) != 0) {
			if (bad != NULL)
				(*bad)++;
			continue;
		}
		r = fn(s, arg);
		cl_user_state_clear(s);
	}
	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
	if (s != NULL)
		cl_user_state_clear(s);
	free(s);
	return r;
}

struct find_user {
	const char *user;
	struct cl_user_state *out;
	unsigned found;
	char first_upn[CT_CL_MAX_UPN + 1];
	char second_upn[CT_CL_MAX_UPN + 1];
};

static int match_user(const struct cl_user_state *s, void *arg)
{
	struct find_user *f = arg;

	if (strcmp(s->user, f->user) != 0)
		return 0;
	if (f->found++ == 0) {
		*f->out = *s;
		snprintf(f->first_upn, sizeof(f->first_upn), "%s", s->upn);
	} else {
		snprintf(f->second_upn, sizeof(f->second_upn), "%s", s->upn);
	}
	return 0;
}

int cl_user_state_load_user(const char *dir, const char *user,
			    struct cl_user_state *out, struct ct_errinfo *ei)
{
	struct find_user f = {.user = user};
	int r;

	if (!cl_user_name_ok(user))
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG, "not a user name: %.300s",
				      user);
	f.out = malloc(sizeof(*f.out));
	if (f.out == NULL)
		return CT_ERR_NOMEM;
	r = cl_user_state_foreach(dir, match_user, &f, NULL, ei);
	if (r == 0 && f.found == 0)
		r = ct_errinfo_set(ei, CT_ERR_NOT_ENROLLED,
				   "%s has no Hello key on this device", user);
	else if (r == 0 && f.found > 1)
		r = ct_errinfo_set(ei, CT_ERR_CONFLICT,
				   "local user %s is enrolled as both %s and %s; "
				   "remove one with cloudtrust pin reset or enroll",
				   user, f.first_upn, f.second_upn);
	if (r == 0)
		*out = *f.out;
	cl_user_state_clear(f.out);
	free(f.out);
	return r;
}

int cl_user_state_save(const char *dir, const struct cl_user_state *s,
		       struct ct_errinfo *ei)
{
	char users[4096], path[4096], *text = NULL;
	int r;

	if (cl_path_join(users, sizeof(users), dir, CL_USERS_DIR) != 0 ||
	    cl_user_state_path(dir, s->upn, path, sizeof(path)) != 0)
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "bad UPN or path for the user state");
	r = cl_dir_ensure(users, 0700, ei);
	if (r == 0)
		r = cl_user_state_format(s, &text, ei);
	if (r == 0)
		r = cl_file_write(path, text, strlen(text), 0600, ei);
	ct_erase_free_str(text);
	return r;
}

int cl_user_state_remove(const char *dir, const char *upn, struct ct_errinfo *ei)
{
	char path[4096];

	if (cl_user_state_path(dir, upn, path, sizeof(path)) != 0)
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG, "not a UPN: %.300s", upn);
	return cl_file_remove(path, true, ei);
}
