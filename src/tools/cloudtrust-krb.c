/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cloudtrust-krb: the developer tool over the Kerberos core.  It mints a
 * partial TGT, stores it in a credential cache, exchanges it at a DC, and
 * decodes what it sees.  The product uses the library, not this tool.
 *
 * Exit codes: 0 success, 1 error, 2 usage, 3 the DC refused (KRB-ERROR),
 * 4 the DC could not be reached.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "creds.h"
#include "ct-error.h"
#include "ct-hex.h"
#include "ct-limits.h"
#include "ct-secret.h"
#include "exchange.h"
#include "krb-msg.h"
#include "mint.h"
#include "pac.h"

#define EXIT_USAGE 2
#define EXIT_REFUSED 3
#define EXIT_UNREACHABLE 4

static const char *prog = "cloudtrust-krb";

struct options {
	struct ct_mint_request mint;
	const char *key_file, *asrep, *reply_key_file, *ccache, *kdc;
	const char *save_req, *save_rep, *owner;
	int64_t authtime_offset;
	int timeout_ms;
	bool quiet;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s COMMAND [OPTIONS]\n"
		"\n"
		"commands:\n"
		"  mint      mint a partial TGT (AS-REP) and its reply key\n"
		"  store     open an AS-REP with its reply key and write a credential cache\n"
		"  exchange  exchange the partial TGT in a cache for a full TGT at a DC\n"
		"  login     mint, store and exchange in one step\n"
		"  pac-dump  decrypt the TGT in a cache with a key file and print its PAC\n"
		"  decode    decode a DER Kerberos message file and print a summary\n"
		"\n"
		"mint/login options:\n"
		"  --realm REALM --user NAME --sid SID        the user's on-prem identity\n"
		"  --key-file FILE  the Kerberos server object's key ([ENCTYPE:]HEX)\n"
		"  --key-version V --rodc N                   kvno = N << 16 | V\n"
		"  [--upn UPN] [--netbios NAME] [--enctype E] [--lifetime S] [--renew S]\n"
		"  [--authtime-offset S] [--start-delay S] [--omit-requestor] [--omit-pac]\n"
		"  --out-asrep FILE --out-reply-key FILE      (mint only)\n"
		"store/exchange options:\n"
		"  --asrep FILE --reply-key-file FILE --ccache PATH [--owner USER]\n"
		"  [--kdc HOST[:PORT]] [--timeout MS] [--save-req FILE] [--save-rep FILE]\n"
		"\n"
		"exit status: 0 ok, 1 error, 2 usage, 3 the DC refused, 4 DC unreachable\n",
		prog);
}

static int die_usage(const char *msg)
{
	fprintf(stderr, "%s: %s\n", prog, msg);
	usage(stderr);
	return EXIT_USAGE;
}

static int fail(const struct ct_errinfo *ei, int r)
{
	fprintf(stderr, "%s: %s\n", prog, ei->msg[0] ? ei->msg : ct_strerror(r));
	if (r == CT_ERR_KDC_ERROR)
		return EXIT_REFUSED;
	if (r == CT_ERR_NETWORK || r == CT_ERR_TIMEOUT)
		return EXIT_UNREACHABLE;
	return 1;
}

/* Reads a whole file (at most max bytes) into a new buffer. */
static int read_file(const char *path, size_t max, uint8_t **out, size_t *outlen,
		     struct ct_errinfo *ei)
{
	struct ct_buf b;
	uint8_t chunk[4096];
	ssize_t n;
	int fd, r;

	ct_buf_init(&b, max);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ct_errinfo_set(ei, CT_ERR_IO, "cannot open %s: %s", path,
				      strerror(errno));
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		ct_buf_put(&b, chunk, (size_t)n);
	close(fd);
	ct_zap(chunk, sizeof(chunk));
	if (n < 0)
		ct_buf_free(&b);
	if (n < 0)
		return ct_errinfo_set(ei, CT_ERR_IO, "cannot read %s", path);
	r = ct_buf_steal(&b, out, outlen);
	ct_buf_free(&b);
	if (r != 0)
		return ct_errinfo_set(ei, r, "%s: %s", path, ct_strerror(r));
	return 0;
}

/* Writes bytes to path, mode 0600, replacing the file (never following a link). */
static int write_file(const char *path, const void *p, size_t n,
		      struct ct_errinfo *ei)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	ssize_t w;

	if (fd < 0)
		return ct_errinfo_set(ei, CT_ERR_IO, "cannot create %s: %s", path,
				      strerror(errno));
	if (fchmod(fd, 0600) != 0 || (w = write(fd, p, n)) < 0 || (size_t)w != n) {
		close(fd);
		return ct_errinfo_set(ei, CT_ERR_IO, "cannot write %s", path);
	}
	return close(fd) == 0 ? 0 : ct_errinfo_set(ei, CT_ERR_IO, "cannot write %s", path);
}

/* Key files hold "[ENCTYPE:]HEX"; the key never passes through argv. */
static int read_key(struct ct_arena *a, const char *path, int32_t default_enctype,
		    struct ct_krb_key *key, struct ct_errinfo *ei)
{
	uint8_t *raw = NULL, *val = NULL;
	size_t rawlen = 0, vallen = 0;
	char *text, *colon, *hex;
	int r;

	r = read_file(path, 4096, &raw, &rawlen, ei);
	if (r != 0)
		return r;
	text = ct_arena_memdup(a, raw, rawlen, 1);
	ct_erase_free(raw, rawlen);
	if (text == NULL)
		return CT_ERR_NOMEM;
	text[strcspn(text, "\r\n")] = '\0';
	key->enctype = default_enctype;
	hex = text;
	colon = strchr(text, ':');
	if (colon != NULL) {
		*colon = '\0';
		key->enctype = (int32_t)atoi(text);
		hex = colon + 1;
	}
	r = ct_hex_decode(hex, &val, &vallen);
	if (r != 0 || vallen != ct_enctype_keylen(key->enctype)) {
		ct_erase_free(val, vallen);
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				      "%s does not hold a %s key", path,
				      ct_enctype_name(key->enctype));
	}
	key->value.data = ct_arena_memdup(a, val, vallen, 0);
	key->value.len = vallen;
	ct_erase_free(val, vallen);
	return key->value.data ? 0 : CT_ERR_NOMEM;
}

static int write_key(const char *path, const struct ct_krb_key *k,
		     struct ct_errinfo *ei)
{
	char text[2 * CT_KRB_MAX_KEY + 16], hex[2 * CT_KRB_MAX_KEY + 1];
	int n, r;

	ct_hex_encode(k->value.data, k->value.len, hex);
	n = snprintf(text, sizeof(text), "%d:%s\n", (int)k->enctype, hex);
	r = write_file(path, text, (size_t)n, ei);
	ct_zap(text, sizeof(text));
	ct_zap(hex, sizeof(hex));
	return r;
}

static void print_creds(const char *what, const struct ct_krb_creds *c)
{
	char client[512], server[512], until[64];
	struct tm tm;

	ct_principal_unparse(&c->client, c->client_realm, client, sizeof(client));
	ct_principal_unparse(&c->server, c->server_realm, server, sizeof(server));
	strftime(until, sizeof(until), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&c->endtime, &tm));
	printf("%s: client=%s server=%s kvno=%d (N=%u, version=%u) enctype=%s "
	       "expires=%s\n",
	       what, client, server, (int)c->ticket_kvno,
	       (unsigned)((uint32_t)c->ticket_kvno >> 16),
	       (unsigned)((uint32_t)c->ticket_kvno & 0xffff),
	       ct_enctype_name(c->session_key.enctype), until);
}

static int resolve_owner(const char *owner, struct ct_ccache_target *t,
			 struct ct_errinfo *ei)
{
	struct passwd *pw;

	t->uid = geteuid();
	t->gid = getegid();
	if (owner == NULL)
		return 0;
	pw = getpwnam(owner);
	if (pw == NULL)
		return ct_errinfo_set(ei, CT_ERR_NOT_FOUND, "no such user %s", owner);
	t->uid = pw->pw_uid;
	t->gid = pw->pw_gid;
	return 0;
}

static int check_mint_opts(struct options *o, struct ct_arena *a,
			   struct ct_krb_key *key, struct ct_errinfo *ei)
{
	if (o->mint.realm == NULL || o->mint.account_name == NULL ||
	    o->mint.user_sid == NULL || o->key_file == NULL || o->mint.rodc_id == 0)
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				      "--realm, --user, --sid, --key-file, --key-version and --rodc are required");
	o->mint.authtime = time(NULL) + o->authtime_offset;
	o->mint.krbtgt_key = key;
	return read_key(a, o->key_file, CT_ENCTYPE_AES256_SHA1, key, ei);
}

static int cmd_mint(struct ct_kcrypto *kc, struct ct_arena *a, struct options *o,
		    struct ct_buf *asrep, struct ct_krb_key *reply,
		    struct ct_errinfo *ei)
{
	struct ct_krb_key *key = ct_arena_alloc(a, sizeof(*key));
	int r;

	if (key == NULL)
		return CT_ERR_NOMEM;
	r = check_mint_opts(o, a, key, ei);
	if (r == 0)
		r = ct_mint_partial_tgt(kc, a, &o->mint, asrep, reply, ei);
	return r;
}

static int store(struct ct_kcrypto *kc, struct ct_arena *a, struct options *o,
		 const uint8_t *asrep, size_t len, const struct ct_krb_key *reply,
		 struct ct_errinfo *ei)
{
	struct ct_ccache_target t = {.path = o->ccache};
	struct ct_krb_creds c;
	int r;

	memset(&c, 0, sizeof(c));
	r = resolve_owner(o->owner, &t, ei);
	if (r == 0)
		r = ct_creds_from_as_rep(kc, a, asrep, len, reply, time(NULL), &c, ei);
	if (r == 0)
		r = ct_ccache_write(&t, &c, ei);
	if (r == 0 && !o->quiet)
		print_creds("partial TGT stored", &c);
	return r;
}

static int save_opt(const char *path, const struct ct_buf *b, struct ct_errinfo *ei)
{
	if (path == NULL || b->len == 0)
		return 0;
	return write_file(path, b->data, b->len, ei);
}

static int exchange(struct ct_kcrypto *kc, struct ct_arena *a, struct options *o,
		    struct ct_errinfo *ei)
{
	struct ct_ccache_target t = {.path = o->ccache};
	struct ct_exchange_opts eo = {.kdc = o->kdc, .timeout_ms = o->timeout_ms};
	struct ct_krb_creds partial, full;
	struct ct_kdc_error kerr;
	struct ct_buf req, rep;
	int r, r2;

	memset(&partial, 0, sizeof(partial));
	memset(&full, 0, sizeof(full));
	ct_buf_init(&req, CT_KRB_MAX_MSG);
	ct_buf_init(&rep, CT_KRB_MAX_MSG);
	eo.req_out = &req;
	eo.rep_out = &rep;
	r = resolve_owner(o->owner, &t, ei);
	if (r == 0)
		r = ct_ccache_read_tgt(a, o->ccache, &partial, ei);
	if (r == 0)
		r = ct_exchange_partial_tgt(kc, a, &partial, &eo, &full, &kerr, ei);
	/* Saved even on refusal: the KRB-ERROR is what a test wants to look at. */
	r2 = save_opt(o->save_req, &req, ei);
	if (r2 == 0)
		r2 = save_opt(o->save_rep, &rep, ei);
	if (r == 0)
		r = r2;
	/* Only a full TGT replaces the partial one; a refusal leaves the cache as it was. */
	if (r == 0)
		r = ct_ccache_write(&t, &full, ei);
	if (r == 0 && !o->quiet)
		print_creds("full TGT stored", &full);
	ct_buf_free(&req);
	ct_buf_free(&rep);
	return r;
}

static int cmd_pac_dump(struct ct_kcrypto *kc, struct ct_arena *a,
			struct options *o, struct ct_errinfo *ei)
{
	struct ct_krb_creds c;
	struct ct_krb_ticket t;
	struct ct_krb_enc_ticket_part etp;
	struct ct_krb_key key;
	struct ct_bytes pacbytes;
	struct ct_pac pac;
	struct ct_buf plain;
	int r;

	ct_buf_init(&plain, CT_KRB_MAX_MSG);
	if (o->ccache == NULL || o->key_file == NULL)
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				      "pac-dump needs --ccache and --key-file");
	r = read_key(a, o->key_file, CT_ENCTYPE_AES256_SHA1, &key, ei);
	if (r == 0)
		r = ct_ccache_read_tgt(a, o->ccache, &c, ei);
	if (r == 0)
		r = ct_krb_decode_ticket(a, c.ticket.data, c.ticket.len, &t);
	if (r == 0)
		r = ct_kcrypto_decrypt(kc, &key, CT_KU_AS_REP_TICKET, &t.enc_part, &plain);
	if (r == 0)
		r = ct_krb_decode_enc_ticket_part(a, plain.data, plain.len, &etp);
	if (r == 0)
		r = etp.authdata ? ct_krb_find_pac(a, etp.authdata, &pacbytes) : CT_ERR_NOT_FOUND;
	if (r == 0)
		r = ct_pac_decode(a, pacbytes.data, pacbytes.len, &pac);
	if (r != 0) {
		ct_buf_free(&plain);
		return ct_errinfo_default(ei, r, "cannot read the PAC: %s", ct_strerror(r));
	}
	printf("ticket kvno: %d\n", (int)(t.enc_part.has_kvno ? t.enc_part.kvno : 0));
	ct_pac_print(stdout, &pac);
	printf("server signature: %s\n",
	       ct_pac_verify_server(kc, pacbytes.data, pacbytes.len, &key) == 0
		       ? "valid under the given key" : "NOT valid under the given key");
	ct_buf_free(&plain);
	return 0;
}

static int cmd_decode(struct ct_arena *a, const char *path, struct ct_errinfo *ei)
{
	uint8_t *der = NULL;
	size_t len = 0;
	int type, r;
	char name[512];

	r = read_file(path, CT_KRB_MAX_MSG, &der, &len, ei);
	if (r != 0)
		return r;
	type = ct_krb_peek_msg_type(der, len);
	if (type == CT_KRB_MT_AS_REP || type == CT_KRB_MT_TGS_REP) {
		struct ct_krb_kdc_rep rep;

		r = ct_krb_decode_kdc_rep(a, der, len, &rep);
		if (r == 0)
			printf("%s client=%s ticket-kvno=%d ticket-etype=%d\n",
			       type == CT_KRB_MT_AS_REP ? "AS-REP" : "TGS-REP",
			       ct_principal_unparse(&rep.cname, rep.crealm, name, sizeof(name)),
			       (int)rep.ticket.enc_part.kvno, (int)rep.ticket.enc_part.etype);
	} else if (type == CT_KRB_MT_AS_REQ || type == CT_KRB_MT_TGS_REQ) {
		struct ct_krb_kdc_req req;

		r = ct_krb_decode_kdc_req(a, der, len, &req);
		if (r == 0)
			printf("%s realm=%s nonce=%u\n",
			       type == CT_KRB_MT_AS_REQ ? "AS-REQ" : "TGS-REQ",
			       req.body.realm, (unsigned)req.body.nonce);
	} else if (type == CT_KRB_MT_ERROR) {
		struct ct_krb_error e;

		r = ct_krb_decode_error(a, der, len, &e);
		if (r == 0)
			printf("KRB-ERROR %d %s%s%s\n", (int)e.error_code,
			       ct_krb_error_name(e.error_code),
			       e.e_text ? " " : "", e.e_text ? e.e_text : "");
	} else {
		r = type < 0 ? type : CT_ERR_BAD_MSG_TYPE;
	}
	free(der);
	if (r != 0)
		return ct_errinfo_set(ei, r, "%s: %s", path, ct_strerror(r));
	return 0;
}

enum {
	OPT_REALM = 256, OPT_USER, OPT_SID, OPT_KEY_FILE, OPT_KEY_VERSION,
	OPT_RODC, OPT_UPN, OPT_NETBIOS, OPT_ENCTYPE, OPT_LIFETIME, OPT_RENEW,
	OPT_AUTHTIME_OFFSET, OPT_START_DELAY, OPT_OMIT_REQUESTOR, OPT_OMIT_PAC,
	OPT_OUT_ASREP, OPT_OUT_REPLY_KEY, OPT_ASREP, OPT_REPLY_KEY_FILE,
	OPT_CCACHE, OPT_KDC, OPT_TIMEOUT, OPT_SAVE_REQ, OPT_SAVE_REP, OPT_OWNER,
	OPT_QUIET, OPT_HELP,
};

static const struct option long_opts[] = {
	{"realm", required_argument, NULL, OPT_REALM},
	{"user", required_argument, NULL, OPT_USER},
	{"sid", required_argument, NULL, OPT_SID},
	{"key-file", required_argument, NULL, OPT_KEY_FILE},
	{"key-version", required_argument, NULL, OPT_KEY_VERSION},
	{"rodc", required_argument, NULL, OPT_RODC},
	{"upn", required_argument, NULL, OPT_UPN},
	{"netbios", required_argument, NULL, OPT_NETBIOS},
	{"enctype", required_argument, NULL, OPT_ENCTYPE},
	{"lifetime", required_argument, NULL, OPT_LIFETIME},
	{"renew", required_argument, NULL, OPT_RENEW},
	{"authtime-offset", required_argument, NULL, OPT_AUTHTIME_OFFSET},
	{"start-delay", required_argument, NULL, OPT_START_DELAY},
	{"omit-requestor", no_argument, NULL, OPT_OMIT_REQUESTOR},
	{"omit-pac", no_argument, NULL, OPT_OMIT_PAC},
	{"out-asrep", required_argument, NULL, OPT_OUT_ASREP},
	{"out-reply-key", required_argument, NULL, OPT_OUT_REPLY_KEY},
	{"asrep", required_argument, NULL, OPT_ASREP},
	{"reply-key-file", required_argument, NULL, OPT_REPLY_KEY_FILE},
	{"ccache", required_argument, NULL, OPT_CCACHE},
	{"kdc", required_argument, NULL, OPT_KDC},
	{"timeout", required_argument, NULL, OPT_TIMEOUT},
	{"save-req", required_argument, NULL, OPT_SAVE_REQ},
	{"save-rep", required_argument, NULL, OPT_SAVE_REP},
	{"owner", required_argument, NULL, OPT_OWNER},
	{"quiet", no_argument, NULL, OPT_QUIET},
	{"help", no_argument, NULL, OPT_HELP},
	{NULL, 0, NULL, 0},
};

/* Parses a decimal integer in [lo, hi]; false on junk or range. */
static bool parse_num(const char *s, long long lo, long long hi, long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static int parse_opts(int argc, char **argv, struct options *o)
{
	long long v;
	int c;

	while ((c = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_REALM: o->mint.realm = optarg; break;
		case OPT_USER: o->mint.account_name = optarg; break;
		case OPT_SID: o->mint.user_sid = optarg; break;
		case OPT_KEY_FILE: o->key_file = optarg; break;
		case OPT_UPN: o->mint.upn = optarg; break;
		case OPT_NETBIOS: o->mint.netbios_domain = optarg; break;
		case OPT_OMIT_REQUESTOR: o->mint.pac.omit_requestor = true; break;
		case OPT_OMIT_PAC: o->mint.omit_pac = true; break;
		case OPT_OUT_ASREP: case OPT_ASREP: o->asrep = optarg; break;
		case OPT_OUT_REPLY_KEY: case OPT_REPLY_KEY_FILE: o->reply_key_file = optarg; break;
		case OPT_CCACHE: o->ccache = optarg; break;
		case OPT_KDC: o->kdc = optarg; break;
		case OPT_SAVE_REQ: o->save_req = optarg; break;
		case OPT_SAVE_REP: o->save_rep = optarg; break;
		case OPT_OWNER: o->owner = optarg; break;
		case OPT_QUIET: o->quiet = true; break;
		case OPT_HELP: usage(stdout); exit(0);
		case OPT_KEY_VERSION:
			if (!parse_num(optarg, 0, 65535, &v))
				return die_usage("--key-version must be 0..65535");
			o->mint.key_version = (uint16_t)v;
			break;
		case OPT_RODC:
			if (!parse_num(optarg, 1, 65535, &v))
				return die_usage("--rodc must be 1..65535");
			o->mint.rodc_id = (uint16_t)v;
			break;
		case OPT_ENCTYPE:
			if (!parse_num(optarg, 1, 100, &v))
				return die_usage("--enctype must be a number (18 or 20)");
			o->mint.session_enctype = (int32_t)v;
			break;
		case OPT_LIFETIME:
			if (!parse_num(optarg, 1, CT_MINT_MAX_LIFETIME, &v))
				return die_usage("--lifetime out of range");
			o->mint.lifetime = v;
			break;
		case OPT_RENEW:
			if (!parse_num(optarg, 0, CT_MINT_MAX_LIFETIME, &v))
				return die_usage("--renew out of range");
			o->mint.renew_lifetime = v;
			break;
		case OPT_AUTHTIME_OFFSET:
			if (!parse_num(optarg, -CT_MINT_MAX_LIFETIME, CT_MINT_MAX_LIFETIME, &v))
				return die_usage("--authtime-offset out of range");
			o->authtime_offset = v;
			break;
		case OPT_START_DELAY:
			if (!parse_num(optarg, 0, CT_MINT_MAX_LIFETIME, &v))
				return die_usage("--start-delay out of range");
			o->mint.start_delay = v;
			break;
		case OPT_TIMEOUT:
			if (!parse_num(optarg, 1, 600000, &v))
				return die_usage("--timeout must be 1..600000 ms");
			o->timeout_ms = (int)v;
			break;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return die_usage("unexpected argument");
	return 0;
}

static int run(const char *cmd, struct options *o, const char *decode_path,
	       struct ct_kcrypto *kc, struct ct_arena *a, struct ct_errinfo *ei)
{
	struct ct_buf asrep;
	struct ct_krb_key reply;
	uint8_t *der = NULL;
	size_t len = 0;
	int r;

	ct_buf_init(&asrep, CT_KRB_MAX_MSG);
	if (strcmp(cmd, "mint") == 0) {
		if (o->asrep == NULL || o->reply_key_file == NULL)
			return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
					      "mint needs --out-asrep and --out-reply-key");
		r = cmd_mint(kc, a, o, &asrep, &reply, ei);
		if (r == 0)
			r = write_file(o->asrep, asrep.data, asrep.len, ei);
		if (r == 0)
			r = write_key(o->reply_key_file, &reply, ei);
		if (r == 0 && !o->quiet)
			printf("minted partial TGT for %s@%s: kvno=%d (N=%u, version=%u), %zu bytes\n",
			       o->mint.account_name, o->mint.realm,
			       (int)ct_rodc_kvno(o->mint.rodc_id, o->mint.key_version),
			       (unsigned)o->mint.rodc_id, (unsigned)o->mint.key_version,
			       asrep.len);
	} else if (strcmp(cmd, "store") == 0) {
		if (o->asrep == NULL || o->reply_key_file == NULL || o->ccache == NULL)
			return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
					      "store needs --asrep, --reply-key-file and --ccache");
		r = read_file(o->asrep, CT_KRB_MAX_MSG, &der, &len, ei);
		if (r == 0)
			r = read_key(a, o->reply_key_file, CT_ENCTYPE_AES256_SHA1, &reply, ei);
		if (r == 0)
			r = store(kc, a, o, der, len, &reply, ei);
	} else if (strcmp(cmd, "exchange") == 0) {
		if (o->ccache == NULL)
			return ct_errinfo_set(ei, CT_ERR_INVALID_ARG, "exchange needs --ccache");
		r = exchange(kc, a, o, ei);
	} else if (strcmp(cmd, "login") == 0) {
		if (o->ccache == NULL)
			return ct_errinfo_set(ei, CT_ERR_INVALID_ARG, "login needs --ccache");
		r = cmd_mint(kc, a, o, &asrep, &reply, ei);
		if (r == 0)
			r = store(kc, a, o, asrep.data, asrep.len, &reply, ei);
		if (r == 0)
			r = exchange(kc, a, o, ei);
	} else if (strcmp(cmd, "pac-dump") == 0) {
		r = cmd_pac_dump(kc, a, o, ei);
	} else if (strcmp(cmd, "decode") == 0) {
		r = cmd_decode(a, decode_path, ei);
	} else {
		r = ct_errinfo_set(ei, CT_ERR_INVALID_ARG, "unknown command \"%s\"", cmd);
	}
	free(der);
	ct_buf_free(&asrep);
	return r;
}

int main(int argc, char **argv)
{
	struct options o;
	struct ct_errinfo ei = {0};
	struct ct_kcrypto *kc = NULL;
	struct ct_arena *a = NULL;
	const char *cmd, *decode_path = NULL;
	int r;

	memset(&o, 0, sizeof(o));
	if (argc < 2)
		return die_usage("missing command");
	cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "decode") == 0) {
		if (argc != 3)
			return die_usage("decode takes one file");
		decode_path = argv[2];
	} else {
		r = parse_opts(argc - 1, argv + 1, &o);
		if (r != 0)
			return r;
	}
	a = ct_arena_new();
	if (a == NULL || ct_kcrypto_new(&kc) != 0) {
		fprintf(stderr, "%s: cannot initialise\n", prog);
		ct_arena_free(a);
		return 1;
	}
	r = run(cmd, &o, decode_path, kc, a, &ei);
	ct_kcrypto_free(kc);
	ct_arena_free(a);
	if (r == CT_ERR_INVALID_ARG)
		return die_usage(ei.msg);
	return r == 0 ? 0 : fail(&ei, r);
}
