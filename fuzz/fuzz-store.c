/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes the storage interface as a whole: the input is a program of store
 * operations with fuzzer-chosen arguments (over-long, invalid UTF-8, control
 * characters, colliding ids and names) run against an in-memory SQLite
 * store.  Each input runs inside a transaction that is rolled back, so
 * inputs are independent.  Besides crashes and sanitizer reports it checks
 * invariants and aborts when one breaks: every result is 0 or a known
 * CT_ERR_*, an added user is found by its upn, a consumed nonce cannot be
 * consumed again, an accepted TOTP step cannot be accepted again.
 *
 * Program: repeated [op byte][arguments].  A string is a length byte (255:
 * a little-endian 16-bit length follows) and its bytes; an integer is a
 * signed 16-bit little-endian value; a blob is a length byte and bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "ct-buf.h"
#include "store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_STR 5000
#define MAX_OPS 64

struct prog {
	struct ct_cursor cur;
	struct ct_arena *a;
	struct ct_store *s;
	char str[8][MAX_STR + 1]; /* the last eight strings read */
	unsigned next;
};

static const char *get_str(struct prog *p)
{
	size_t n = ct_cursor_get_u8(&p->cur);
	const uint8_t *b;
	char *out = p->str[p->next++ % 8];

	if (n == 255)
		n = ct_cursor_get_le16(&p->cur) % (MAX_STR + 1);
	if (n == 0)
		return NULL; /* a missing value */
	b = ct_cursor_get(&p->cur, n);
	if (b == NULL)
		return "";
	memcpy(out, b, n);
	out[n] = '\0'; /* an embedded NUL just ends the string early */
	return out;
}

static int64_t get_int(struct prog *p)
{
	return (int16_t)ct_cursor_get_le16(&p->cur);
}

static struct ct_store_blob get_blob(struct prog *p)
{
	struct ct_store_blob b = {NULL, ct_cursor_get_u8(&p->cur)};

	b.data = ct_cursor_get(&p->cur, b.len);
	if (b.data == NULL)
		b.len = 0;
	return b;
}

static int check(int r)
{
	if (r > 0 || strcmp(ct_errname(r), "UNKNOWN") == 0)
		abort();
	return r;
}

static void must(bool ok)
{
	if (!ok)
		abort();
}

static void op_user(struct prog *p, unsigned op)
{
	struct ct_store_user u = {0}, got;
	struct ct_store_onprem opm = {0};
	struct ct_store_blob b;
	int64_t id = 0, step;

	switch (op) {
	case 0:
		u.upn = get_str(p);
		u.display_name = get_str(p);
		u.password_hash = get_str(p);
		u.totp_secret = get_blob(p);
		u.enabled = ct_cursor_get_u8(&p->cur) & 1;
		if (check(ct_store_user_add(p->s, &u, &id, NULL)) == 0) {
			must(check(ct_store_user_get_by_upn(p->s, p->a, u.upn,
							    &got, NULL)) == 0);
			must(got.id == id && strcmp(got.upn, u.upn) == 0);
		}
		break;
	case 1:
		check(ct_store_user_get(p->s, p->a, get_int(p), &got, NULL));
		break;
	case 2:
		id = get_int(p);
		check(ct_store_user_set_enabled(p->s, id, id & 1, NULL));
		check(ct_store_user_set_password_hash(p->s, id, get_str(p),
						      NULL));
		b = get_blob(p);
		check(ct_store_user_set_totp_secret(p->s, id, &b, NULL));
		break;
	case 3:
		id = get_int(p);
		opm.sam_account_name = get_str(p);
		opm.sid = get_str(p);
		check(ct_store_user_set_onprem(p->s, id, &opm, NULL));
		break;
	case 4:
		id = get_int(p);
		step = get_int(p);
		if (check(ct_store_user_totp_advance(p->s, id, step, NULL)) == 0)
			must(ct_store_user_totp_advance(p->s, id, step, NULL) ==
			     CT_ERR_REPLAY);
		break;
	}
}

static void op_group(struct prog *p, unsigned op)
{
	struct ct_store_group g, *gl;
	int64_t id = 0, *ml;
	size_t n;

	switch (op) {
	case 0:
		check(ct_store_group_add(p->s, get_str(p), &id, NULL));
		break;
	case 1:
		id = get_int(p);
		check(ct_store_group_member_add(p->s, id, get_int(p), NULL));
		break;
	case 2:
		id = get_int(p);
		check(ct_store_group_member_remove(p->s, id, get_int(p), NULL));
		break;
	case 3:
		check(ct_store_group_remove(p->s, get_int(p), NULL));
		break;
	case 4:
		check(ct_store_user_groups(p->s, p->a, get_int(p), &gl, &n,
					   NULL));
		check(ct_store_group_get_by_name(p->s, p->a, get_str(p), &g,
						 NULL));
		id = get_int(p);
		check(ct_store_group_members(p->s, p->a, id, (size_t)get_int(p),
					     0, &ml, &n, NULL));
		break;
	}
}

static void op_device(struct prog *p, unsigned op)
{
	struct ct_store_device d = {0}, got;
	struct ct_store_hello_key k = {0}, *kl;
	size_t n;

	switch (op) {
	case 0:
		d.id = get_str(p);
		d.display_name = get_str(p);
		d.os_version = get_str(p);
		d.device_type = get_str(p);
		d.owner_user_id = get_int(p);
		d.cert_thumbprint = get_str(p);
		d.cert_der = get_blob(p);
		d.transport_key = d.cert_der;
		d.device_key = d.cert_der;
		check(ct_store_device_add(p->s, &d, NULL));
		break;
	case 1:
		check(ct_store_device_get(p->s, p->a, get_str(p), &got, NULL));
		check(ct_store_device_get_by_thumbprint(p->s, p->a, get_str(p),
							&got, NULL));
		break;
	case 2:
		check(ct_store_device_remove(p->s, get_str(p), NULL));
		break;
	case 3:
		k.kid = get_str(p);
		k.user_id = get_int(p);
		k.device_id = get_str(p);
		k.key_type = get_str(p);
		k.public_key = get_blob(p);
		check(ct_store_hello_key_add(p->s, &k, NULL));
		break;
	case 4:
		check(ct_store_hello_key_list_by_user(p->s, p->a, get_int(p),
						      &kl, &n, NULL));
		break;
	}
}

static void op_krb(struct prog *p, unsigned op)
{
	struct ct_store_krb_server ks = {0}, got;
	struct ct_store_krb_key k;

	switch (op) {
	case 0:
		ks.domain = get_str(p);
		ks.realm = get_str(p);
		ks.display_name = "x";
		ks.key_updated_from = get_str(p);
		ks.rodc_number = (uint32_t)get_int(p);
		ks.primary.sealed = get_blob(p);
		ks.primary.enctype = (int32_t)get_int(p);
		ks.primary.key_version = (uint32_t)get_int(p);
		check(ct_store_krb_server_put(p->s, &ks, NULL));
		break;
	case 1:
		k.sealed = get_blob(p);
		k.enctype = 18;
		k.key_version = (uint32_t)get_int(p);
		check(ct_store_krb_server_rotate(p->s, get_str(p), &k, 1, "f",
						 NULL));
		break;
	case 2:
		check(ct_store_krb_server_get(p->s, p->a, get_str(p), &got,
					      NULL));
		break;
	}
}

static void op_state(struct prog *p, unsigned op)
{
	struct ct_store_policy *pl;
	struct ct_store_audit ev = {0}, *el;
	struct ct_store_audit_filter f = {0};
	const char *node, *value;
	struct ct_store_blob b;
	uint8_t h[CT_STORE_NONCE_HASH_LEN] = {0};
	int64_t t, gid;
	uint64_t c;
	size_t n;

	switch (op) {
	case 0:
		t = get_int(p);
		gid = get_int(p);
		node = get_str(p);
		value = get_str(p);
		check(ct_store_policy_set(p->s, node, value, gid, NULL));
		check(ct_store_policy_effective_for_user(p->s, p->a, t, &pl, &n,
							 NULL));
		break;
	case 1:
		h[0] = ct_cursor_get_u8(&p->cur);
		t = get_int(p);
		if (check(ct_store_nonce_put(p->s, h, t, NULL)) == 0) {
			must(ct_store_nonce_consume(p->s, h, t, NULL) == 0);
			must(ct_store_nonce_consume(p->s, h, t - 1, NULL) ==
			     CT_ERR_NOT_FOUND);
		}
		check(ct_store_nonce_purge(p->s, get_int(p), &n, NULL));
		break;
	case 2:
		f.actor = get_str(p);
		check(ct_store_failure_record(p->s, f.actor, get_int(p), NULL));
		check(ct_store_failure_count(p->s, f.actor, get_int(p), &c,
					     NULL));
		break;
	case 3:
		ev.actor = get_str(p);
		ev.action = get_str(p);
		ev.outcome = get_str(p);
		ev.detail = get_str(p);
		ev.at_us = get_int(p);
		check(ct_store_audit_append(p->s, &ev, NULL, NULL));
		f.actor = ev.actor;
		check(ct_store_audit_list(p->s, p->a, &f, (size_t)get_int(p),
					  0, &el, &n, NULL));
		break;
	case 4:
		b = get_blob(p);
		check(ct_store_secret_put(p->s, get_str(p), &b, NULL));
		check(ct_store_secret_get(p->s, p->a, get_str(p), &b, NULL));
		check(ct_store_tenant_domain_add(p->s, get_str(p), NULL));
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ct_store *s;
	static struct prog p;
	struct ct_store_tenant t = {.id = "tenant", .name = "Fuzz"};
	unsigned op, i;

	if (s == NULL) {
		if (ct_store_open("sqlite::memory:", &s, NULL) < 0 ||
		    ct_store_tenant_add(s, &t, NULL) < 0)
			abort();
	}
	p.s = s;
	p.next = 0;
	p.a = ct_arena_new();
	if (p.a == NULL)
		return 0;
	ct_cursor_init(&p.cur, data, size);
	must(ct_store_begin(s, NULL) == 0);
	for (i = 0; i < MAX_OPS && !ct_cursor_empty(&p.cur); i++) {
		op = ct_cursor_get_u8(&p.cur);
		switch (op % 5) {
		case 0:
			op_user(&p, op / 5 % 5);
			break;
		case 1:
			op_group(&p, op / 5 % 5);
			break;
		case 2:
			op_device(&p, op / 5 % 5);
			break;
		case 3:
			op_krb(&p, op / 5 % 3);
			break;
		case 4:
			op_state(&p, op / 5 % 5);
			break;
		}
	}
	must(ct_store_rollback(s, NULL) == 0);
	ct_arena_free(p.a);
	return 0;
}
