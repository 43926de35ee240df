/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The tpm keystore against a real TPM: a swtpm this test starts on free
 * loopback ports with its own state directory, and kills (by PID) at the
 * end.  Covers signatures OpenSSL verifies, the TPM's dictionary-attack
 * lockout (wrong PIN, tries left, lockout even for the right PIN), the DA
 * limit set at open and kept when the TPM owner set a lockout password,
 * PIN change, delete, two labels, refused key files, and a key that still
 * works after the TPM restarts (the storage key is re-created).
 *
 * swtpm serves one connection at a time, so the store is closed whenever
 * the test talks to the TPM itself (DA reset, lockout password).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_tctildr.h>
#include <unistd.h>

#include "ct-buf.h"
#include "ct-error.h"
#include "keystore.h"
#include "ks-internal.h"
#include "ks-test.h"
#include "ks-tpm-file.h"
#include "tap.h"

static char *dir, *state_dir;
static char tcti[128];
static int port;
static pid_t swtpm_pid = -1;

static const uint8_t msg[] = "header.payload";

/* With KS_WRITE_CORPUS=dir, real key files are left there as fuzz seeds. */
static void save_corpus(const char *path, const char *name)
{
	const char *out = getenv("KS_WRITE_CORPUS");
	char dst[4096];
	uint8_t *p;
	size_t n;

	if (out == NULL)
		return;
	p = ks_test_read(path, &n);
	snprintf(dst, sizeof(dst), "%s/%s", out, name);
	if (p != NULL)
		ks_test_write(dst, p, n);
	free(p);
}

static bool port_free(int p)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok;

	sa.sin_port = htons((uint16_t)p);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

static bool port_answers(int p)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok;

	sa.sin_port = htons((uint16_t)p);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

static void swtpm_stop(void)
{
	int st;

	if (swtpm_pid <= 0)
		return;
	kill(swtpm_pid, SIGTERM);
	waitpid(swtpm_pid, &st, 0);
	swtpm_pid = -1;
}

/* Starts swtpm on port and port+1 (control) over state_dir. */
static bool swtpm_start(void)
{
	char server[96], ctrl[96], state[4200];
	int i;

	snprintf(server, sizeof(server), "type=tcp,port=%d,bindaddr=127.0.0.1", port);
	snprintf(ctrl, sizeof(ctrl), "type=tcp,port=%d,bindaddr=127.0.0.1", port + 1);
	snprintf(state, sizeof(state), "dir=%s", state_dir);
	fflush(stdout);
	swtpm_pid = fork();
	if (swtpm_pid == 0) {
		/* A test killed half-way must not leave its TPM behind. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() == 1)
			_exit(127);
		execlp("swtpm", "swtpm", "socket", "--tpm2", "--server", server,
		       "--ctrl", ctrl, "--tpmstate", state, "--flags",
		       "not-need-init,startup-clear", (char *)NULL);
		_exit(127);
	}
	if (swtpm_pid < 0)
		return false;
	for (i = 0; i < 500; i++) {
		int st;

		if (waitpid(swtpm_pid, &st, WNOHANG) == swtpm_pid) {
			swtpm_pid = -1;
			return false;
		}
		if (port_answers(port))
			return true;
		usleep(10000);
	}
	return false;
}

static bool pick_ports(void)
{
	int i;

	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	for (i = 0; i < 200; i++) {
		port = 20000 + rand() % 40000;
		if (port_free(port) && port_free(port + 1))
			return true;
	}
	return false;
}

/* A direct ESAPI connection for what the store must not do itself. */
static ESYS_CONTEXT *esys_open(TSS2_TCTI_CONTEXT **t)
{
	ESYS_CONTEXT *e = NULL;

	if (Tss2_TctiLdr_Initialize(tcti, t) != TSS2_RC_SUCCESS)
		return NULL;
	if (Esys_Initialize(&e, *t, NULL) != TSS2_RC_SUCCESS) {
		Tss2_TctiLdr_Finalize(t);
		return NULL;
	}
	return e;
}

static void esys_close(ESYS_CONTEXT *e, TSS2_TCTI_CONTEXT *t)
{
	Esys_Finalize(&e);
	Tss2_TctiLdr_Finalize(&t);
}

/* Clears the TPM's failure counter with the (empty) lockout auth. */
static bool da_reset(void)
{
	TSS2_TCTI_CONTEXT *t = NULL;
	ESYS_CONTEXT *e = esys_open(&t);
	TSS2_RC rc;

	if (e == NULL)
		return false;
	rc = Esys_DictionaryAttackLockReset(e, ESYS_TR_RH_LOCKOUT, ESYS_TR_PASSWORD,
					    ESYS_TR_NONE, ESYS_TR_NONE);
	esys_close(e, t);
	return rc == TSS2_RC_SUCCESS;
}

/* Changes the lockout hierarchy's password from `from` to `to`. */
static bool lockout_auth(const char *from, const char *to)
{
	TSS2_TCTI_CONTEXT *t = NULL;
	ESYS_CONTEXT *e = esys_open(&t);
	TPM2B_AUTH a = {0}, b = {0};
	TSS2_RC rc;

	if (e == NULL)
		return false;
	a.size = (UINT16)strlen(from);
	memcpy(a.buffer, from, a.size);
	b.size = (UINT16)strlen(to);
	memcpy(b.buffer, to, b.size);
	Esys_TR_SetAuth(e, ESYS_TR_RH_LOCKOUT, &a);
	rc = Esys_HierarchyChangeAuth(e, ESYS_TR_RH_LOCKOUT, ESYS_TR_PASSWORD,
				      ESYS_TR_NONE, ESYS_TR_NONE, &b);
	esys_close(e, t);
	return rc == TSS2_RC_SUCCESS;
}

static struct ct_keystore *open_tpm(unsigned max_attempts)
{
	struct ct_ks_options opt = {
		.kind = CT_KS_TPM,
		.dir = dir,
		.tcti = tcti,
		.max_attempts = max_attempts,
	};
	struct ct_errinfo ei = {0};
	struct ct_keystore *ks = NULL;

	CHECK_ERR(ct_ks_open(&opt, &ks, &ei), 0);
	if (ks == NULL)
		tap_diag("open: %s", ei.msg);
	return ks;
}

static const char *tpm_path(const char *label)
{
	return ks_test_key_path(dir, label, ".tpm");
}

static int sign_check(struct ct_keystore *ks, const char *label, const char *pin,
		      EVP_PKEY *pub, struct ct_errinfo *ei)
{
	struct ct_buf sig;
	int r;

	ct_buf_init(&sig, 1024);
	r = ct_ks_sign(ks, label, pin, msg, sizeof(msg) - 1, &sig, ei);
	if (r == 0) {
		CHECK_INT(sig.len, 64);
		if (pub != NULL)
			CHECK(ks_test_verify(pub, msg, sizeof(msg) - 1, sig.data, sig.len));
	}
	ct_buf_free(&sig);
	return r;
}

static struct ct_ks_status status_of(struct ct_keystore *ks, const char *label)
{
	struct ct_ks_status st;

	memset(&st, 0, sizeof(st));
	if (ct_ks_status(ks, label, &st, NULL) != 0)
		st.tries_left = 999;
	return st;
}

static void test_available(void)
{
	char closed[96];
	int p;

	CHECK(ct_ks_tpm_available(tcti));
	for (p = port + 2; !port_free(p); p++)
		;
	snprintf(closed, sizeof(closed), "swtpm:host=127.0.0.1,port=%d", p);
	CHECK(!ct_ks_tpm_available(closed));
	CHECK(!ct_ks_tpm_available("device:/nonexistent/tpmrm0"));
	{
		struct ct_ks_options opt = {.kind = CT_KS_TPM, .dir = dir, .tcti = closed};
		struct ct_keystore *ks = NULL;
		struct ct_errinfo ei = {0};

		CHECK_ERR(ct_ks_open(&opt, &ks, &ei), CT_ERR_KEYSTORE);
		CHECK(ks == NULL);
	}
}

static void test_create_sign(void)
{
	struct ct_keystore *ks = open_tpm(4);
	struct ct_errinfo ei = {0};
	struct ct_ks_status st;
	EVP_PKEY *pub = NULL, *pub2 = NULL;
	struct ct_buf sig;
	struct stat sb;

	if (ks == NULL)
		return;
	st = status_of(ks, "alice@example.com");
	CHECK(!st.present);
	CHECK_INT(st.kind, CT_KS_TPM);
	CHECK_INT(st.max_attempts, 4);     /* the open set the TPM's limit */
	CHECK(!st.tpm_limit_kept);
	CHECK_INT(st.tries_left, 4);
	CHECK(st.tpm_recovery_s > 0);
	CHECK_ERR(sign_check(ks, "alice@example.com", "1234", NULL, &ei), CT_ERR_NOT_ENROLLED);

	memset(&ei, 0, sizeof(ei));
	CHECK_ERR(ct_ks_create(ks, "alice@example.com", "1234", &pub, &ei), 0);
	if (ei.msg[0] != '\0')
		tap_diag("create: %s", ei.msg);
	CHECK(pub != NULL && EVP_PKEY_get_base_id(pub) == EVP_PKEY_EC &&
	      EVP_PKEY_get_bits(pub) == 256);
	CHECK_INT(lstat(tpm_path("alice@example.com"), &sb), 0);
	CHECK_INT(sb.st_mode & 07777, 0600);
	save_corpus(tpm_path("alice@example.com"), "fresh");
	CHECK_ERR(ct_ks_public(ks, "alice@example.com", &pub2, &ei), 0);
	CHECK(pub2 != NULL && EVP_PKEY_eq(pub, pub2) == 1);
	CHECK_ERR(sign_check(ks, "alice@example.com", "1234", pub, &ei), 0);
	/* ECDSA: two signatures of the same data differ, both verify. */
	ct_buf_init(&sig, 1024);
	CHECK_ERR(ct_ks_sign(ks, "alice@example.com", "1234", (const uint8_t *)"", 0,
			     &sig, &ei), 0);
	CHECK(ks_test_verify(pub, (const uint8_t *)"", 0, sig.data, sig.len));
	CHECK(!ks_test_verify(pub, msg, 3, sig.data, sig.len));
	ct_buf_free(&sig);
	st = status_of(ks, "alice@example.com");
	CHECK(st.present);
	CHECK(!st.locked);
	CHECK_INT(st.tries_left, 4);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(pub2);
	ct_ks_close(ks);
}

static void test_wrong_pin_and_lockout(void)
{
	struct ct_keystore *ks = open_tpm(4);
	struct ct_errinfo ei = {0};
	struct ct_ks_status st;

	if (ks == NULL)
		return;
	CHECK_ERR(sign_check(ks, "alice@example.com", "0000", NULL, &ei), CT_ERR_PIN_WRONG);
	CHECK(strstr(ei.msg, "3 tries left") != NULL);
	CHECK_INT(status_of(ks, "alice@example.com").tries_left, 3);
	CHECK_ERR(sign_check(ks, "alice@example.com", "1111", NULL, &ei), CT_ERR_PIN_WRONG);
	CHECK_INT(status_of(ks, "alice@example.com").tries_left, 2);
	/* A right PIN works but does not give tries back: the TPM's counter is
	 * shared by all keys and only time (or the lockout owner) lowers it. */
	CHECK_ERR(sign_check(ks, "alice@example.com", "1234", NULL, &ei), 0);
	CHECK_INT(status_of(ks, "alice@example.com").tries_left, 2);
	CHECK_ERR(sign_check(ks, "alice@example.com", "2222", NULL, &ei), CT_ERR_PIN_WRONG);
	CHECK_INT(status_of(ks, "alice@example.com").tries_left, 1);
	/* The last wrong PIN locks the TPM... */
	CHECK_ERR(sign_check(ks, "alice@example.com", "3333", NULL, &ei), CT_ERR_PIN_LOCKED);
	st = status_of(ks, "alice@example.com");
	CHECK(st.locked);
	CHECK(st.present);
	CHECK_INT(st.tries_left, 0);
	/* ...and then even the right PIN is refused. */
	CHECK_ERR(sign_check(ks, "alice@example.com", "1234", NULL, &ei), CT_ERR_PIN_LOCKED);
	CHECK(strstr(ei.msg, "locked") != NULL);
	CHECK_ERR(ct_ks_change_pin(ks, "alice@example.com", "1234", "5678", &ei),
		  CT_ERR_PIN_LOCKED);
	ct_ks_close(ks);
	/* The lockout owner can lift it. */
	CHECK(da_reset());
	ks = open_tpm(4);
	if (ks == NULL)
		return;
	CHECK_ERR(sign_check(ks, "alice@example.com", "1234", NULL, &ei), 0);
	CHECK_INT(status_of(ks, "alice@example.com").tries_left, 4);
	ct_ks_close(ks);
}

static void test_change_pin(void)
{
	struct ct_keystore *ks = open_tpm(4);
	struct ct_errinfo ei = {0};
	EVP_PKEY *pub = NULL, *pub2 = NULL;
	uint8_t *before, *after;
	size_t nbefore, nafter;

	if (ks == NULL)
		return;
	CHECK_ERR(ct_ks_public(ks, "alice@example.com", &pub, &ei), 0);
	before = ks_test_read(tpm_path("alice@example.com"), &nbefore);
	CHECK_ERR(ct_ks_change_pin(ks, "alice@example.com", "9999", "5678", &ei),
		  CT_ERR_PIN_WRONG);
	CHECK_ERR(ct_ks_change_pin(ks, "alice@example.com", "1234", "5678", &ei), 0);
	after = ks_test_read(tpm_path("alice@example.com"), &nafter);
	save_corpus(tpm_path("alice@example.com"), "pin-changed");
	CHECK(before != NULL && after != NULL &&
	      (nbefore != nafter || memcmp(before, after, nafter) != 0));
	CHECK_ERR(sign_check(ks, "alice@example.com", "1234", NULL, &ei), CT_ERR_PIN_WRONG);
	CHECK_ERR(sign_check(ks, "alice@example.com", "5678", pub, &ei), 0);
	CHECK_ERR(ct_ks_public(ks, "alice@example.com", &pub2, &ei), 0);
	CHECK(pub2 != NULL && EVP_PKEY_eq(pub, pub2) == 1);
	/* A long PIN is fine: the authValue is its SHA-256. */
	{
		char longpin[200];

		memset(longpin, '7', sizeof(longpin) - 1);
		longpin[sizeof(longpin) - 1] = '\0';
		CHECK_ERR(ct_ks_change_pin(ks, "alice@example.com", "5678", longpin, &ei), 0);
		CHECK_ERR(sign_check(ks, "alice@example.com", longpin, pub, &ei), 0);
		CHECK_ERR(ct_ks_change_pin(ks, "alice@example.com", longpin, "1234", &ei), 0);
	}
	free(before);
	free(after);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(pub2);
	ct_ks_close(ks);
	CHECK(da_reset());
}

static void test_two_labels(void)
{
	struct ct_keystore *ks = open_tpm(4);
	struct ct_errinfo ei = {0};
	EVP_PKEY *pa = NULL, *pb = NULL;

	if (ks == NULL)
		return;
	CHECK_ERR(ct_ks_public(ks, "alice@example.com", &pa, &ei), 0);
	CHECK_ERR(ct_ks_create(ks, "bob@example.com", "8080", &pb, &ei), 0);
	CHECK(pa != NULL && pb != NULL && EVP_PKEY_eq(pa, pb) != 1);
	CHECK_ERR(sign_check(ks, "bob@example.com", "8080", pb, &ei), 0);
	CHECK_ERR(sign_check(ks, "alice@example.com", "1234", pa, &ei), 0);
	/* Each key takes only its own PIN... */
	CHECK_ERR(sign_check(ks, "alice@example.com", "8080", NULL, &ei), CT_ERR_PIN_WRONG);
	/* ...and the TPM's counter is one for all keys. */
	CHECK_INT(status_of(ks, "bob@example.com").tries_left, 3);
	CHECK_ERR(ct_ks_delete(ks, "bob@example.com", &ei), 0);
	CHECK(!ks_test_exists(tpm_path("bob@example.com")));
	CHECK_ERR(sign_check(ks, "bob@example.com", "8080", NULL, &ei), CT_ERR_NOT_ENROLLED);
	CHECK(!status_of(ks, "bob@example.com").present);
	CHECK_ERR(ct_ks_delete(ks, "bob@example.com", &ei), 0);
	CHECK_ERR(sign_check(ks, "alice@example.com", "1234", pa, &ei), 0);
	EVP_PKEY_free(pa);
	EVP_PKEY_free(pb);
	ct_ks_close(ks);
	CHECK(da_reset());
}

/* Rewrites alice's file with its public area changed by edit. */
static int sign_with_public(struct ct_keystore *ks, const uint8_t *orig, size_t n,
			    void (*edit)(TPMT_PUBLIC *))
{
	struct ks_tpm_file f;
	struct ct_errinfo ei = {0};
	struct ct_buf b;
	uint8_t pub[sizeof(TPM2B_PUBLIC)], *file;
	size_t off = 0, lab;

	if (ks_tpm_file_decode(orig, n, &f) != 0)
		return 12345;
	edit(&f.pub.publicArea);
	/* Encode by hand: the encoder is right to refuse nothing, but the
	 * template check must catch it on the way in. */
	if (Tss2_MU_TPM2B_PUBLIC_Marshal(&f.pub, pub, sizeof(pub), &off) != TSS2_RC_SUCCESS)
		return 12346;
	lab = f.label_len;
	ct_buf_init(&b, 1 << 16);
	ct_buf_put(&b, orig, 8 + lab);
	ct_buf_put_le16(&b, (uint16_t)off);
	ct_buf_put(&b, pub, off);
	{
		size_t old_pub = (size_t)orig[8 + lab] | (size_t)orig[9 + lab] << 8;

		file = (uint8_t *)orig + 10 + lab + old_pub;
		ct_buf_put(&b, file, n - (10 + lab + old_pub));
	}
	ks_test_write(tpm_path("alice@example.com"), b.data, b.len);
	ct_buf_free(&b);
	return sign_check(ks, "alice@example.com", "1234", NULL, &ei);
}

static void set_noda(TPMT_PUBLIC *a)
{
	a->objectAttributes |= TPMA_OBJECT_NODA;
}

static void set_policy(TPMT_PUBLIC *a)
{
	a->authPolicy.size = 32;
	memset(a->authPolicy.buffer, 0x11, 32);
}

static void set_decrypt(TPMT_PUBLIC *a)
{
	a->objectAttributes |= TPMA_OBJECT_DECRYPT;
}

static void set_sha1(TPMT_PUBLIC *a)
{
	a->parameters.eccDetail.scheme.details.ecdsa.hashAlg = TPM2_ALG_SHA1;
}

static void set_nothing(TPMT_PUBLIC *a)
{
	(void)a;
}

static void test_bad_files(void)
{
	struct ct_keystore *ks = open_tpm(4);
	struct ct_errinfo ei = {0};
	uint8_t *orig, *copy;
	size_t n, i;
	unsigned refused = 0, signed_ok = 0;
	char path[4096];

	if (ks == NULL)
		return;
	snprintf(path, sizeof(path), "%s", tpm_path("alice@example.com"));
	orig = ks_test_read(path, &n);
	CHECK(orig != NULL && n > 100);
	if (orig == NULL) {
		ct_ks_close(ks);
		return;
	}
	/* A key whose attributes or policy would dodge the PIN or the lockout
	 * is refused before it reaches the TPM. */
	CHECK_ERR(sign_with_public(ks, orig, n, set_noda), CT_ERR_BAD_VALUE);
	CHECK_ERR(sign_with_public(ks, orig, n, set_policy), CT_ERR_BAD_VALUE);
	CHECK_ERR(sign_with_public(ks, orig, n, set_decrypt), CT_ERR_BAD_VALUE);
	CHECK_ERR(sign_with_public(ks, orig, n, set_sha1), CT_ERR_BAD_VALUE);
	CHECK_ERR(sign_with_public(ks, orig, n, set_nothing), 0);
	/* Every truncation is refused. */
	for (i = 0; i < n; i++) {
		ks_test_write(path, orig, i);
		if (sign_check(ks, "alice@example.com", "1234", NULL, &ei) == CT_ERR_BAD_VALUE)
			refused++;
	}
	CHECK_INT(refused, n);
	/* A flipped bit anywhere: refused by the decoder or by the TPM, never
	 * signed with (the TPM checks the private blob's integrity and binds it
	 * to the public area). */
	copy = malloc(n);
	for (i = 0; i < n; i += 3) {
		memcpy(copy, orig, n);
		copy[i] ^= 0x04;
		ks_test_write(path, copy, n);
		if (sign_check(ks, "alice@example.com", "1234", NULL, &ei) == 0)
			signed_ok++;
	}
	CHECK_INT(signed_ok, 0);
	free(copy);
	/* A file under another label's name. */
	ks_test_write(path, orig, n);
	CHECK_ERR(ct_ks_create(ks, "carol@example.com", "4321", NULL, &ei), 0);
	{
		size_t m;
		uint8_t *other = ks_test_read(tpm_path("carol@example.com"), &m);

		ks_test_write(path, other, m);
		CHECK_ERR(sign_check(ks, "alice@example.com", "4321", NULL, &ei),
			  CT_ERR_BAD_VALUE);
		CHECK(strstr(ei.msg, "another label") != NULL);
		free(other);
	}
	ks_test_write(path, orig, n);
	CHECK_ERR(ct_ks_delete(ks, "carol@example.com", &ei), 0);
	CHECK_ERR(sign_check(ks, "alice@example.com", "1234", NULL, &ei), 0);
	free(orig);
	ct_ks_close(ks);
	CHECK(da_reset());
}

/* With a lockout password set, open keeps the TPM owner's limit. */
static void test_limit_kept(void)
{
	struct ct_keystore *ks;
	struct ct_ks_status st;

	CHECK(lockout_auth("", "owner-secret"));
	ks = open_tpm(7);
	if (ks != NULL) {
		st = status_of(ks, "alice@example.com");
		CHECK(st.tpm_limit_kept);
		CHECK_INT(st.max_attempts, 4);
		CHECK_INT(st.tries_left, 4);
		ct_ks_close(ks);
	}
	CHECK(lockout_auth("owner-secret", ""));
	ks = open_tpm(6);
	if (ks != NULL) {
		st = status_of(ks, "alice@example.com");
		CHECK(!st.tpm_limit_kept);
		CHECK_INT(st.max_attempts, 6);
		ct_ks_close(ks);
	}
}

/* After a TPM restart the storage key comes back the same and the Hello
 * key loads under it. */
static void test_restart(void)
{
	struct ct_keystore *ks;
	struct ct_errinfo ei = {0};
	EVP_PKEY *pub = NULL;

	swtpm_stop();
	CHECK(swtpm_start());
	ks = open_tpm(4);
	if (ks == NULL)
		return;
	CHECK_ERR(ct_ks_public(ks, "alice@example.com", &pub, &ei), 0);
	CHECK_ERR(sign_check(ks, "alice@example.com", "1234", pub, &ei), 0);
	if (ei.msg[0] != '\0')
		tap_diag("%s", ei.msg);
	CHECK_ERR(ct_ks_delete(ks, "alice@example.com", &ei), 0);
	CHECK(!ks_test_exists(tpm_path("alice@example.com")));
	EVP_PKEY_free(pub);
	ct_ks_close(ks);
}

int main(void)
{
	dir = ks_test_mkdtemp();
	state_dir = ks_test_mkdtemp();
	CHECK(dir != NULL && state_dir != NULL);
	CHECK(pick_ports());
	snprintf(tcti, sizeof(tcti), "swtpm:host=127.0.0.1,port=%d", port);
	if (!swtpm_start()) {
		CHECK(!"swtpm started");
		goto out;
	}
	test_available();
	test_create_sign();
	test_wrong_pin_and_lockout();
	test_change_pin();
	test_two_labels();
	test_bad_files();
	test_limit_kept();
	test_restart();
out:
	swtpm_stop();
	if (dir != NULL)
		ks_test_rmdir(dir);
	if (state_dir != NULL)
		ks_test_rmdir(state_dir);
	free(dir);
	free(state_dir);
	return tap_done();
}
