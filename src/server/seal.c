/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Secrets at rest: AES-256-GCM under a master key read from a file that
 * only its owner can read.  See seal.h for the formats.
 */
#include "seal.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ct-hex.h"
#include "ct-limits.h"
#include "ct-secret.h"

static const uint8_t keyfile_magic[4] = {'C', 'T', 'M', 'K'};

struct ct_seal {
	uint8_t key[CT_SEAL_KEY_LEN];
	uint32_t key_id;
};

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Purpose labels are short printable ASCII without spaces. */
static bool purpose_ok(const char *purpose)
{
	size_t i, n;

	if (purpose == NULL)
		return false;
	n = strnlen(purpose, CT_SEAL_MAX_PURPOSE + 1);
	if (n == 0 || n > CT_SEAL_MAX_PURPOSE)
		return false;
	for (i = 0; i < n; i++)
		if (purpose[i] <= ' ' || purpose[i] > '~')
			return false;
	return true;
}

/* open(2) failures on the key file, in the words an administrator needs. */
static int open_error(const char *path, int e, struct ct_errinfo *ei)
{
	switch (e) {
	case ELOOP:
		return ct_errinfo_set(ei, CT_ERR_UNSAFE_PATH,
				      "%s is a symbolic link; the master key must be a regular file",
				      path);
	case EEXIST:
		return ct_errinfo_set(ei, CT_ERR_UNSAFE_PATH,
				      "%s already exists; refusing to replace a master key",
				      path);
	case ENOENT:
		return ct_errinfo_set(ei, CT_ERR_NOT_FOUND, "%s: %s", path,
				      strerror(e));
	case EACCES:
	case EPERM:
		return ct_errinfo_set(ei, CT_ERR_PERMISSION, "%s: %s", path,
				      strerror(e));
	default:
		return ct_errinfo_set(ei, CT_ERR_IO, "%s: %s", path,
				      strerror(e));
	}
}

/* fsync the directory holding path, so a new file's name is durable too. */
static int sync_parent(const char *path, struct ct_errinfo *ei)
{
	char *copy = strdup(path);
	int fd, r = 0;

	if (copy == NULL)
		return CT_ERR_NOMEM;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0)
		r = ct_errinfo_set(ei, CT_ERR_IO, "cannot sync the directory of %s: %s",
				   path, strerror(errno));
	if (fd >= 0)
		close(fd);
	free(copy);
	return r;
}

int ct_seal_keyfile_create(const char *path, struct ct_errinfo *ei)
{
	uint8_t key[CT_SEAL_KEY_LEN], id[4];
	struct ct_buf file;
	size_t done = 0;
	bool created = false;
	int fd = -1, r;

	ct_buf_init(&file, CT_SEAL_KEYFILE_LEN);
	if (RAND_bytes(id, sizeof(id)) != 1 || RAND_priv_bytes(key, sizeof(key)) != 1) {
		r = ct_errinfo_set(ei, CT_ERR_CRYPTO, "no randomness for a master key");
		goto out;
	}
	ct_buf_put(&file, keyfile_magic, sizeof(keyfile_magic));
	ct_buf_put_u8(&file, CT_SEAL_VERSION);
	ct_buf_put(&file, id, sizeof(id));
	ct_buf_put(&file, key, sizeof(key));
	if (file.err != 0) {
		r = file.err;
		goto out;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  S_IRUSR | S_IWUSR);
	if (fd < 0) {
		r = open_error(path, errno, ei);
		goto out;
	}
	created = true;
	/* Exactly 0600 whatever the umask. */
	if (fchmod(fd, S_IRUSR | S_IWUSR) != 0)
		goto io_error;
	while (done < file.len) {
		ssize_t n = write(fd, file.data + done, file.len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto io_error;
		done += (size_t)n;
	}
	if (fsync(fd) != 0)
		goto io_error;
	r = close(fd);
	fd = -1;
	if (r != 0)
		goto io_error;
	r = sync_parent(path, ei);
	goto out;
io_error:
	r = ct_errinfo_set(ei, CT_ERR_IO, "writing %s: %s", path,
			   strerror(errno));
out:
	ct_zap(key, sizeof(key));
	ct_buf_free(&file);
	if (fd >= 0)
		close(fd);
	if (r != 0 && created)
		unlink(path);
	return r;
}

/* The checks a master key file must pass before we read a byte of it. */
static int check_keyfile(const char *path, const struct stat *st,
			 struct ct_errinfo *ei)
{
	uid_t euid = geteuid();

	if (!S_ISREG(st->st_mode))
		return ct_errinfo_set(ei, CT_ERR_UNSAFE_PATH,
				      "%s is not a regular file", path);
	if (st->st_uid != euid && st->st_uid != 0)
		return ct_errinfo_set(ei, CT_ERR_UNSAFE_PATH,
				      "%s belongs to uid %u, not to root or uid %u",
				      path, (unsigned)st->st_uid, (unsigned)euid);
	if ((st->st_mode & (S_IRWXG | S_IRWXO)) != 0)
		return ct_errinfo_set(ei, CT_ERR_PERMISSION,
				      "%s has mode %04o; a master key must not be accessible to group or others (chmod 600)",
				      path, (unsigned)(st->st_mode & 07777));
	if (st->st_size != CT_SEAL_KEYFILE_LEN)
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				      "%s is %lld bytes, a master key file is %d",
				      path, (long long)st->st_size,
				      CT_SEAL_KEYFILE_LEN);
	return 0;
}

int ct_seal_keyfile_load(const char *path, struct ct_seal **out,
			 struct ct_errinfo *ei)
{
	uint8_t file[CT_SEAL_KEYFILE_LEN];
	const uint8_t *magic, *key;
	struct ct_cursor cur;
	uint32_t key_id;
	uint8_t version;
	struct stat st;
	size_t done = 0;
	int fd, r;

	/* O_NONBLOCK: a FIFO planted at the path must not hang us before fstat. */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return open_error(path, errno, ei);
	if (fstat(fd, &st) != 0) {
		r = ct_errinfo_set(ei, CT_ERR_IO, "cannot stat %s: %s", path,
				   strerror(errno));
		goto out;
	}
	r = check_keyfile(path, &st, ei);
	if (r != 0)
		goto out;
	while (done < sizeof(file)) {
		ssize_t n = read(fd, file + done, sizeof(file) - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = ct_errinfo_set(ei, CT_ERR_IO, "reading %s: %s", path,
					   n == 0 ? "short file" : strerror(errno));
			goto out;
		}
		done += (size_t)n;
	}
	ct_cursor_init(&cur, file, sizeof(file));
	magic = ct_cursor_get(&cur, sizeof(keyfile_magic));
	version = ct_cursor_get_u8(&cur);
	key_id = ct_cursor_get_be32(&cur);
	key = ct_cursor_get(&cur, CT_SEAL_KEY_LEN);
	if (cur.err != 0 || memcmp(magic, keyfile_magic, sizeof(keyfile_magic)) != 0 ||
	    version != CT_SEAL_VERSION) {
		r = ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				   "%s is not a version %d cloudtrust master key file",
				   path, CT_SEAL_VERSION);
		goto out;
	}
	r = ct_seal_from_key(key, key_id, out);
out:
	ct_zap(file, sizeof(file));
	close(fd);
	return r;
}

int ct_seal_from_key(const uint8_t key[CT_SEAL_KEY_LEN], uint32_t key_id,
		     struct ct_seal **out)
{
	struct ct_seal *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return CT_ERR_NOMEM;
	memcpy(s->key, key, CT_SEAL_KEY_LEN);
	s->key_id = key_id;
	*out = s;
	return 0;
}

void ct_seal_free(struct ct_seal *s)
{
	ct_erase_free(s, sizeof(*s));
}

uint32_t ct_seal_key_id(const struct ct_seal *s)
{
	return s->key_id;
}

/*
 * One AES-256-GCM pass for both directions.  hdr is the blob header (the
 * first half of the AAD), the purpose the second.  Encrypting writes the
 * tag to tag; decrypting checks it and returns CT_ERR_INTEGRITY.
 */
static int gcm(const struct ct_seal *s, int enc, const uint8_t *hdr,
	       const char *purpose, const uint8_t *iv, const uint8_t *in,
	       size_t len, uint8_t *outp, uint8_t *tag)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n, r = CT_ERR_CRYPTO;

	if (c == NULL)
		return CT_ERR_NOMEM;
	if (EVP_CipherInit_ex2(c, EVP_aes_256_gcm(), s->key, iv, enc, NULL) != 1 ||
	    EVP_CipherUpdate(c, NULL, &n, hdr, 5) != 1 ||
	    EVP_CipherUpdate(c, NULL, &n, (const uint8_t *)purpose,
			     (int)strlen(purpose)) != 1 ||
	    (len > 0 && EVP_CipherUpdate(c, outp, &n, in, (int)len) != 1))
		goto out;
	if (!enc && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG,
					CT_SEAL_TAG_LEN, tag) != 1)
		goto out;
	if (EVP_CipherFinal_ex(c, outp + len, &n) != 1) {
		r = enc ? CT_ERR_CRYPTO : CT_ERR_INTEGRITY;
		goto out;
	}
	if (enc && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG,
				       CT_SEAL_TAG_LEN, tag) != 1)
		goto out;
	r = 0;
out:
	EVP_CIPHER_CTX_free(c);
	return r;
}

int ct_seal(const struct ct_seal *s, const char *purpose,
	    const uint8_t *plain, size_t len, struct ct_buf *out)
{
	size_t total = CT_SEAL_OVERHEAD + len;
	uint8_t *p;
	int r;

	if (!purpose_ok(purpose))
		return CT_ERR_INVALID_ARG;
	if (len > CT_SEAL_MAX_PLAIN)
		return CT_ERR_TOO_LARGE;
	r = ct_buf_reserve(out, total);
	if (r != 0)
		return r;
	/* Built in place past out->len; the length moves only on success. */
	p = out->data + out->len;
	p[0] = CT_SEAL_VERSION;
	put_be32(p + 1, s->key_id);
	if (RAND_bytes(p + 5, CT_SEAL_IV_LEN) != 1)
		return CT_ERR_CRYPTO;
	r = gcm(s, 1, p, purpose, p + 5, plain, len, p + 5 + CT_SEAL_IV_LEN,
		p + total - CT_SEAL_TAG_LEN);
	if (r != 0) {
		ct_zap(p, total);
		return r;
	}
	out->len += total;
	return 0;
}

int ct_unseal(const struct ct_seal *s, const char *purpose,
	      const uint8_t *blob, size_t len, struct ct_buf *out,
	      struct ct_errinfo *ei)
{
	const uint8_t *iv, *ct, *tag;
	uint8_t want[CT_SEAL_TAG_LEN];
	struct ct_cursor cur;
	uint32_t key_id;
	uint8_t version;
	size_t plen;
	uint8_t *p;
	int r;

	if (!purpose_ok(purpose))
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				      "invalid seal purpose label");
	if (len < CT_SEAL_OVERHEAD)
		return ct_errinfo_set(ei, CT_ERR_INTEGRITY,
				      "sealed blob truncated: %zu bytes, at least %d needed",
				      len, CT_SEAL_OVERHEAD);
	plen = len - CT_SEAL_OVERHEAD;
	if (plen > CT_SEAL_MAX_PLAIN)
		return ct_errinfo_set(ei, CT_ERR_TOO_LARGE,
				      "sealed blob of %zu bytes is over the limit", len);
	ct_cursor_init(&cur, blob, len);
	version = ct_cursor_get_u8(&cur);
	key_id = ct_cursor_get_be32(&cur);
	iv = ct_cursor_get(&cur, CT_SEAL_IV_LEN);
	ct = ct_cursor_get(&cur, plen);
	tag = ct_cursor_get(&cur, CT_SEAL_TAG_LEN);
	if (cur.err != 0 || !ct_cursor_empty(&cur))
		return ct_errinfo_set(ei, CT_ERR_INTERNAL, "sealed blob layout");
	if (version != CT_SEAL_VERSION)
		return ct_errinfo_set(ei, CT_ERR_INTEGRITY,
				      "unknown sealed blob version %u", version);
	if (key_id != s->key_id)
		return ct_errinfo_set(ei, CT_ERR_INTEGRITY,
				      "blob was sealed under master key %08x, the loaded key is %08x",
				      key_id, s->key_id);
	r = ct_buf_reserve(out, plen);
	if (r != 0)
		return ct_errinfo_set(ei, r, "no room for the unsealed secret");
	/* An empty plaintext may leave out->data NULL: no arithmetic on that. */
	p = plen > 0 ? out->data + out->len : want;
	memcpy(want, tag, sizeof(want));
	/* The header bytes as received are the first half of the AAD. */
	r = gcm(s, 0, blob, purpose, iv, ct, plen, p, want);
	if (r != 0) {
		/* GCM wrote unauthenticated plaintext before the tag check. */
		ct_zap(p, plen);
		return ct_errinfo_set(ei, r, r == CT_ERR_INTEGRITY
					     ? "sealed blob was modified or sealed for another purpose than \"%s\""
					     : "cannot unseal a \"%s\" blob",
				      purpose);
	}
	out->len += plen;
	return 0;
}

int ct_seal_fingerprint(const uint8_t *key, size_t len,
			char out[CT_SEAL_FINGERPRINT_LEN + 1])
{
	uint8_t md[EVP_MAX_MD_SIZE];

	if (EVP_Digest(key, len, md, NULL, EVP_sha256(), NULL) != 1)
		return CT_ERR_CRYPTO;
	ct_hex_encode(md, CT_SEAL_FINGERPRINT_LEN / 2, out);
	return 0;
}

int ct_seal_master_fingerprint(const struct ct_seal *s,
			       char out[CT_SEAL_FINGERPRINT_LEN + 1])
{
	return ct_seal_fingerprint(s->key, sizeof(s->key), out);
}
