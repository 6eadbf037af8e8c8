/* hash.c — the password scheme registry: a static table maps a case-insensitive prefix of the
 * stored value to its verifier (argon2 through libsodium, {CRYPT} through libxcrypt's crypt_rn,
 * {SSHA*} through nettle). The stored value is (ptr, len) and is never read past len; copies
 * handed to C-string APIs are bounded, NUL-terminated and wiped. Malformed input is UNAVAILABLE, and
 * so is a cost above the caps below, refused before anything is computed. */
#include "hash.h"

#include "secret.h"

#include <crypt.h>
#include <errno.h>
#include <nettle/nettle-meta.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>

#define STORED_MAX    1024 /* longest stored value we look at */
#define PASSWORD_MAX  4096 /* longer passwords are refused (DENIED) */
#define ARGON2_PREFIX "{ARGON2}"

/* Caps on the cost a stored value may ask for. Whoever may write a userPassword could otherwise
 * plant a hash that ties up a login worker for minutes or exhausts its memory. Documented in
 * sendsec.conf(5) and the README; each is above what the usual tools write by default. */
#define MEMORY_CAP_FLOOR_KIB 262144u  /* argon2 m, yescrypt 128*r*N: max(4 x argon2_memlimit, this) */
#define ARGON2_T_CAP_FLOOR   10u      /* argon2 t: max(argon2_opslimit, this) */
#define ARGON2_P_CAP         16u      /* argon2 p (lanes) */
#define SHACRYPT_ROUNDS_CAP  1000000u /* sha512-crypt rounds= (default 5000) */
#define BCRYPT_COST_CAP      14u      /* bcrypt log2 cost */

/* A fixed salt and hash for sendsec_hash_dummy_verify; the cost is filled in per call so the
 * dummy costs what a real hash at the configured cost does. Nobody knows a password for it. */
#define DUMMY_SALT_HASH "$VW4xSVFZVTkrWjJsZDJzVA$tLDq0Qn97ZWNHRwLa86HOBVu+cJMhmvuXfYwAGC82EY"

struct scheme;

/* What a verifier gets: the hash text after the scheme prefix (or including it for bare PHC). */
struct verify_args {
	const char *hash;
	size_t hash_len;
	const char *password;
	size_t password_len;
	unsigned long long opslimit;
	size_t memlimit_kib;
	bool needs_rehash;                  /* set by the verifier; only meaningful on OK */
	struct sendsec_hash_digest *digest; /* NULL, or filled by the verifier (hash.h) */
};

struct scheme {
	const char *prefix;               /* matched case-insensitively at the start */
	bool keep_prefix;                 /* the prefix belongs to the hash text (bare PHC) */
	const char *name;                 /* for *scheme_out and the log line */
	const struct nettle_hash *digest; /* {SSHA*} family only */
	enum sendsec_result (*verify)(const struct scheme *s, struct verify_args *a);
};

/* Parsed "$argon2id$v=19$m=M,t=T,p=P$salt$hash" (or argon2i), checked for shape only. */
struct phc {
	bool is_argon2id;
	unsigned long m, t, p;
};

/* Sets a->digest (when wanted) to BLAKE2b-256 of what the verifier computed. */
static void set_digest(struct verify_args *a, const void *computed, size_t len)
{
	if (a->digest == NULL)
		return;
	crypto_generichash(a->digest->bytes, sizeof(a->digest->bytes), computed, len, NULL, 0);
	a->digest->is_set = true;
}

static enum sendsec_result verify_argon2(const struct scheme *s, struct verify_args *a);
static enum sendsec_result verify_crypt(const struct scheme *s, struct verify_args *a);
static enum sendsec_result verify_ssha(const struct scheme *s, struct verify_args *a);

static const struct scheme schemes[] = {
		{.prefix = ARGON2_PREFIX, .name = "ARGON2", .verify = verify_argon2},
		{.prefix = "$argon2", .keep_prefix = true, .name = "ARGON2", .verify = verify_argon2},
		{.prefix = "{CRYPT}", .name = "CRYPT", .verify = verify_crypt},
		{.prefix = "{SSHA}", .name = "SSHA", .digest = &nettle_sha1, .verify = verify_ssha},
		{.prefix = "{SSHA256}", .name = "SSHA256", .digest = &nettle_sha256, .verify = verify_ssha},
		{.prefix = "{SSHA512}", .name = "SSHA512", .digest = &nettle_sha512, .verify = verify_ssha},
};

static bool yescrypt_cost_ok(const char *params, const struct verify_args *a);
static bool shacrypt_cost_ok(const char *params, const struct verify_args *a);
static bool bcrypt_cost_ok(const char *params, const struct verify_args *a);

/* The crypt methods we accept, each with the check of its cost parameters (the text after the
 * prefix) against the caps; everything else (DES, MD5, sha256-crypt, ...) is unavailable. */
struct crypt_method {
	const char *prefix;
	bool (*cost_ok)(const char *params, const struct verify_args *a);
};

static const struct crypt_method crypt_methods[] = {
		{.prefix = "$y$", .cost_ok = yescrypt_cost_ok},
		{.prefix = "$6$", .cost_ok = shacrypt_cost_ok},
		{.prefix = "$2b$", .cost_ok = bcrypt_cost_ok},
		{.prefix = "$2y$", .cost_ok = bcrypt_cost_ok},
};

static bool has_prefix(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && strncasecmp(s, prefix, n) == 0;
}

static const struct scheme *find_scheme(const char *stored, size_t len)
{
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		if (has_prefix(stored, len, schemes[i].prefix))
			return &schemes[i];
	}
	return NULL;
}

/* Reads a decimal number of at most 10 digits that fits 32 bits; advances *p. */
static bool parse_u32(const char **p, unsigned long *out)
{
	const char *s = *p;
	unsigned long v = 0;
	int digits = 0;

	while (*s >= '0' && *s <= '9' && digits < 11) {
		v = v * 10 + (unsigned long)(*s - '0');
		s++;
		digits++;
	}
	if (digits == 0 || digits > 10 || v > UINT32_MAX)
		return false;
	*p = s;
	*out = v;
	return true;
}

static bool eat(const char **p, const char *lit)
{
	size_t n = strlen(lit);

	if (strncmp(*p, lit, n) != 0)
		return false;
	*p += n;
	return true;
}

/* Advances over one or more characters of unpadded standard base64. */
static bool eat_b64(const char **p)
{
	const char *s = *p;

	while ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '+' ||
			*s == '/')
		s++;
	if (s == *p)
		return false;
	*p = s;
	return true;
}

/* Checks the shape of a NUL-terminated PHC argon2 string and reads its parameters. */
static bool parse_phc(const char *s, struct phc *out)
{
	if (eat(&s, "$argon2id$"))
		out->is_argon2id = true;
	else if (eat(&s, "$argon2i$"))
		out->is_argon2id = false;
	else
		return false;
	return eat(&s, "v=19$m=") && parse_u32(&s, &out->m) && eat(&s, ",t=") && parse_u32(&s, &out->t) &&
			eat(&s, ",p=") && parse_u32(&s, &out->p) && eat(&s, "$") && eat_b64(&s) && eat(&s, "$") &&
			eat_b64(&s) && *s == '\0';
}

/* The most memory in KiB that a stored argon2 or yescrypt value may ask for. */
static uint64_t memory_cap_kib(const struct verify_args *a)
{
	uint64_t scaled = a->memlimit_kib > UINT64_MAX / 4 ? UINT64_MAX : (uint64_t)a->memlimit_kib * 4;

	return scaled > MEMORY_CAP_FLOOR_KIB ? scaled : MEMORY_CAP_FLOOR_KIB;
}

static bool argon2_cost_ok(const struct phc *phc, const struct verify_args *a)
{
	unsigned long long t_cap = a->opslimit > ARGON2_T_CAP_FLOOR ? a->opslimit : ARGON2_T_CAP_FLOOR;

	return phc->m <= memory_cap_kib(a) && phc->t <= t_cap && phc->p <= ARGON2_P_CAP;
}

/* True when m KiB of anonymous memory (and a little for libsodium's own buffers) can be mapped
 * now, the way libsodium is about to map them. */
static bool argon2_memory_available(unsigned long m)
{
	size_t bytes;
	void *p;

	if (m > (SIZE_MAX - 65536) / 1024)
		return false;
	bytes = (size_t)m * 1024 + 65536;
	if ((p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0)) == MAP_FAILED)
		return false;
	munmap(p, bytes);
	return true;
}

/* Decodes the unpadded base64 field that ends at end (exclusive) and starts after the '$' before
 * it, into out (outlen bytes at most). False when it does not fit or is not base64. */
static bool decode_field(const char *buf, const char *end, unsigned char *out, size_t outlen, size_t *len_out)
{
	const char *start = end;

	while (start > buf && start[-1] != '$')
		start--;
	return start > buf &&
			sodium_base642bin(out, outlen, start, (size_t)(end - start), NULL, len_out, NULL,
					sodium_base64_VARIANT_ORIGINAL_NO_PADDING) == 0;
}

/* Verifies a PHC string (checked by parse_phc) by computing the raw argon2 output with libsodium
 * and comparing it in constant time, so that the output can key the failure tag. UNAVAILABLE when
 * libsodium's raw interface cannot compute this string (p > 1, a salt not of 16 bytes, a cost or
 * length it refuses): the caller then verifies the string as usual. */
static enum sendsec_result verify_argon2_raw(const char *buf, const struct phc *phc, struct verify_args *a)
{
	unsigned char salt[crypto_pwhash_SALTBYTES + 1], stored[65], computed[64];
	const char *hash_sep = strrchr(buf, '$');
	size_t salt_len = 0, hash_len = 0;
	unsigned long long t_min =
			phc->is_argon2id ? crypto_pwhash_argon2id_OPSLIMIT_MIN : crypto_pwhash_argon2i_OPSLIMIT_MIN;
	unsigned long long mem = (unsigned long long)phc->m * 1024;
	enum sendsec_result rc = SENDSEC_UNAVAILABLE;
	int ret;

	if (phc->p != 1 || phc->t < t_min || mem < crypto_pwhash_argon2id_MEMLIMIT_MIN || mem > SIZE_MAX)
		goto out;
	if (!decode_field(buf, buf + strlen(buf), stored, sizeof(stored), &hash_len) ||
			!decode_field(buf, hash_sep, salt, sizeof(salt), &salt_len))
		goto out;
	if (salt_len != crypto_pwhash_SALTBYTES || hash_len < crypto_pwhash_BYTES_MIN || hash_len > sizeof(computed))
		goto out;
	if (phc->is_argon2id)
		ret = crypto_pwhash_argon2id(computed, hash_len, a->password, a->password_len, salt, phc->t,
				(size_t)mem, crypto_pwhash_argon2id_ALG_ARGON2ID13);
	else
		ret = crypto_pwhash_argon2i(computed, hash_len, a->password, a->password_len, salt, phc->t, (size_t)mem,
				crypto_pwhash_argon2i_ALG_ARGON2I13);
	if (ret != 0)
		goto out; /* out of memory: the string verifier will say so too */
	rc = sodium_memcmp(computed, stored, hash_len) == 0 ? SENDSEC_OK : SENDSEC_DENIED;
	if (rc == SENDSEC_OK)
		a->needs_rehash = !phc->is_argon2id || phc->t < a->opslimit || phc->m < a->memlimit_kib;
	set_digest(a, computed, hash_len);
out:
	sodium_memzero(computed, sizeof(computed));
	sodium_memzero(stored, sizeof(stored));
	return rc;
}

static enum sendsec_result verify_argon2(const struct scheme *s, struct verify_args *a)
{
	/* At least crypto_pwhash_STRBYTES: libsodium declares its argument as char[128]. */
	char buf[STORED_MAX + 1];
	struct phc phc;
	enum sendsec_result rc = SENDSEC_UNAVAILABLE;
	int ret;

	(void)s;
	memcpy(buf, a->hash, a->hash_len);
	buf[a->hash_len] = '\0';
	if (!parse_phc(buf, &phc) || !argon2_cost_ok(&phc, a))
		goto out;
	/* libsodium 1.0.18 (Debian 12) reports a failure to get the m KiB as a mismatch (upstream
	 * 3de0b3cd, released in 1.0.19, fixed that). So first map the same amount ourselves: when
	 * that fails, the answer is unavailable, not a wrong password that counts toward lockout.
	 * Left open: another thread of the host taking the memory between this check and libsodium. */
	if (!argon2_memory_available(phc.m))
		goto out;
	if (a->digest != NULL && (rc = verify_argon2_raw(buf, &phc, a)) != SENDSEC_UNAVAILABLE)
		goto out;
	rc = SENDSEC_UNAVAILABLE;
	/* libsodium answers -1 both for a mismatch and for a string it cannot use; only a
	 * mismatch sets errno to EINVAL, anything else (bad salt length, m < 8p, ...) is bad data. */
	errno = 0;
	if (phc.is_argon2id)
		ret = crypto_pwhash_str_verify(buf, a->password, a->password_len);
	else
		ret = crypto_pwhash_argon2i_str_verify(buf, a->password, a->password_len);
	if (ret == 0) {
		/* At least the wanted cost: a stronger stored hash is left alone. */
		a->needs_rehash = !phc.is_argon2id || phc.t < a->opslimit || phc.m < a->memlimit_kib;
		rc = SENDSEC_OK;
	} else if (errno == EINVAL) {
		rc = SENDSEC_DENIED;
	}
out:
	sodium_memzero(buf, sizeof(buf));
	return rc;
}

/* The value of one character of crypt's base64 alphabet "./0-9A-Za-z", or 64 for any other. */
static unsigned crypt_b64_value(char c)
{
	if (c == '.' || c == '/')
		return (unsigned)(c - '.');
	if (c >= '0' && c <= '9')
		return (unsigned)(c - '0') + 2;
	if (c >= 'A' && c <= 'Z')
		return (unsigned)(c - 'A') + 12;
	if (c >= 'a' && c <= 'z')
		return (unsigned)(c - 'a') + 38;
	return 64;
}

/* "$y$" parameters as libxcrypt writes them: flavor, log2(N) - 1 and r - 1 in one character each
 * (values up to 47, as in libxcrypt's decode64_uint32), then '$'. The longer forms (fields of
 * several characters, or p, t, g and ROM) are refused. Memory is 128 * r * N bytes. */
static bool yescrypt_cost_ok(const char *params, const struct verify_args *a)
{
	uint64_t n_log2, r;

	if (crypt_b64_value(params[0]) > 47 || crypt_b64_value(params[1]) > 47 || crypt_b64_value(params[2]) > 47 ||
			params[3] != '$')
		return false;
	n_log2 = 1 + crypt_b64_value(params[1]);
	r = 1 + crypt_b64_value(params[2]);
	/* at most 128 * 48 * 2^48 bytes: no overflow */
	return ((128 * r) << n_log2) / 1024 <= memory_cap_kib(a);
}

/* "$6$" parameters: an optional "rounds=N$" (libxcrypt: no leading zero, then '$'), else 5000. */
static bool shacrypt_cost_ok(const char *params, const struct verify_args *a)
{
	const char *p = params + strlen("rounds=");
	unsigned long rounds = 0;

	(void)a;
	if (strncmp(params, "rounds=", strlen("rounds=")) != 0)
		return true;
	if (*p < '1' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		rounds = rounds * 10 + (unsigned long)(*p - '0');
		if (rounds > SHACRYPT_ROUNDS_CAP)
			return false;
	}
	return *p == '$';
}

/* "$2b$"/"$2y$" parameters: a two-digit log2 cost, then '$'. */
static bool bcrypt_cost_ok(const char *params, const struct verify_args *a)
{
	(void)a;
	if (params[0] < '0' || params[0] > '9' || params[1] < '0' || params[1] > '9' || params[2] != '$')
		return false;
	return (unsigned)(params[0] - '0') * 10 + (unsigned)(params[1] - '0') <= BCRYPT_COST_CAP;
}

/* The accepted method that setting (NUL-terminated, len bytes) uses, or NULL. */
static const struct crypt_method *find_crypt_method(const char *setting, size_t len)
{
	for (size_t i = 0; i < sizeof(crypt_methods) / sizeof(crypt_methods[0]); i++) {
		size_t n = strlen(crypt_methods[i].prefix);

		if (len > n && memcmp(setting, crypt_methods[i].prefix, n) == 0)
			return &crypt_methods[i];
	}
	return NULL;
}

static enum sendsec_result verify_crypt(const struct scheme *s, struct verify_args *a)
{
	char setting[STORED_MAX + 1];
	const struct crypt_method *method;
	char *phrase = NULL;
	struct crypt_data *data = NULL;
	const char *result;
	enum sendsec_result rc = SENDSEC_UNAVAILABLE;

	(void)s;
	memcpy(setting, a->hash, a->hash_len);
	setting[a->hash_len] = '\0';
	method = find_crypt_method(setting, a->hash_len);
	if (method == NULL || !method->cost_ok(setting + strlen(method->prefix), a))
		goto out;
	/* crypt_data is about 32 KiB: keep it off the stack of whatever thread calls us. */
	if ((phrase = secret_strndup(a->password, a->password_len)) == NULL)
		goto out;
	if ((data = calloc(1, sizeof(*data))) == NULL)
		goto out;
	result = crypt_rn(phrase, setting, data, (int)sizeof(*data));
	/* A failure token ("*0", "*1"), or an answer of another length than the stored value: then
	 * the stored value was a bare setting, carried extra bytes or had parameters crypt changed. */
	if (result == NULL || result[0] == '*' || strlen(result) != a->hash_len)
		goto out;
	rc = sodium_memcmp(result, setting, a->hash_len) == 0 ? SENDSEC_OK : SENDSEC_DENIED;
	a->needs_rehash = true;
	set_digest(a, result, a->hash_len);
out:
	secret_free_n(data, sizeof(*data));
	secret_free_n(phrase, a->password_len);
	sodium_memzero(setting, sizeof(setting));
	return rc;
}

static enum sendsec_result verify_ssha(const struct scheme *s, struct verify_args *a)
{
	const struct nettle_hash *d = s->digest;
	unsigned char bin[STORED_MAX];
	unsigned char digest[SHA512_DIGEST_SIZE];
	union {
		struct sha1_ctx sha1;
		struct sha256_ctx sha256;
		struct sha512_ctx sha512;
	} ctx;
	size_t bin_len = 0;
	const char *b64_end = NULL;
	enum sendsec_result rc = SENDSEC_UNAVAILABLE;

	if (sodium_base642bin(bin, sizeof(bin), a->hash, a->hash_len, NULL, &bin_len, &b64_end,
			    sodium_base64_VARIANT_ORIGINAL) != 0 ||
			b64_end != a->hash + a->hash_len)
		goto out;
	/* digest || salt, with a salt of at least one byte */
	if (bin_len <= d->digest_size)
		goto out;
	d->init(&ctx);
	d->update(&ctx, a->password_len, (const uint8_t *)a->password);
	d->update(&ctx, bin_len - d->digest_size, bin + d->digest_size);
	d->digest(&ctx, d->digest_size, digest);
	rc = sodium_memcmp(digest, bin, d->digest_size) == 0 ? SENDSEC_OK : SENDSEC_DENIED;
	a->needs_rehash = true;
	set_digest(a, digest, d->digest_size);
out:
	sodium_memzero(&ctx, sizeof(ctx));
	sodium_memzero(digest, sizeof(digest));
	sodium_memzero(bin, sizeof(bin));
	return rc;
}

enum sendsec_result sendsec_hash_verify(const char *stored, size_t len, const char *password,
		unsigned long long opslimit, size_t memlimit_kib, const char **scheme_out, bool *needs_rehash_out)
{
	return sendsec_hash_verify_digest(
			stored, len, password, opslimit, memlimit_kib, scheme_out, needs_rehash_out, NULL);
}

enum sendsec_result sendsec_hash_verify_digest(const char *stored, size_t len, const char *password,
		unsigned long long opslimit, size_t memlimit_kib, const char **scheme_out, bool *needs_rehash_out,
		struct sendsec_hash_digest *digest_out)
{
	const struct scheme *s = NULL;
	struct verify_args a = {0};
	enum sendsec_result rc = SENDSEC_UNAVAILABLE;
	size_t skip;

	if (needs_rehash_out != NULL)
		*needs_rehash_out = false;
	if (digest_out != NULL)
		sodium_memzero(digest_out, sizeof(*digest_out));
	if (stored == NULL || password == NULL || sodium_init() < 0)
		goto out;
	if ((s = find_scheme(stored, len)) == NULL)
		goto out;
	/* Shape checks that hold for every scheme: bounded, no NUL inside, something after the prefix. */
	skip = s->keep_prefix ? 0 : strlen(s->prefix);
	if (len > STORED_MAX || len <= skip || memchr(stored, '\0', len) != NULL)
		goto out;
	a.password_len = strnlen(password, PASSWORD_MAX + 1);
	if (a.password_len > PASSWORD_MAX) {
		rc = SENDSEC_DENIED;
		goto out;
	}
	a.hash = stored + skip;
	a.hash_len = len - skip;
	a.password = password;
	a.opslimit = opslimit;
	a.memlimit_kib = memlimit_kib;
	a.digest = digest_out;
	rc = s->verify(s, &a);
	if (rc == SENDSEC_UNAVAILABLE && digest_out != NULL)
		sodium_memzero(digest_out, sizeof(*digest_out));
	if (rc == SENDSEC_OK && needs_rehash_out != NULL)
		*needs_rehash_out = a.needs_rehash;
out:
	if (scheme_out != NULL)
		*scheme_out = s != NULL ? s->name : "unknown";
	return rc;
}

enum sendsec_result sendsec_hash_make(
		const char *password, unsigned long long opslimit, size_t memlimit_kib, char *out, size_t outlen)
{
	char phc[crypto_pwhash_STRBYTES];
	size_t password_len;
	enum sendsec_result rc = SENDSEC_UNAVAILABLE;
	int n;

	if (out == NULL || outlen == 0)
		return SENDSEC_UNAVAILABLE;
	out[0] = '\0';
	if (password == NULL || sodium_init() < 0 || memlimit_kib > SIZE_MAX / 1024)
		goto out;
	password_len = strnlen(password, PASSWORD_MAX + 1);
	if (password_len > PASSWORD_MAX)
		goto out;
	if (crypto_pwhash_str(phc, password, password_len, opslimit, memlimit_kib * 1024) != 0)
		goto out;
	n = snprintf(out, outlen, "%s%s", ARGON2_PREFIX, phc);
	if (n < 0 || (size_t)n >= outlen) {
		sodium_memzero(out, outlen);
		goto out;
	}
	rc = SENDSEC_OK;
out:
	sodium_memzero(phc, sizeof(phc));
	return rc;
}

void sendsec_hash_dummy_verify(const char *password, unsigned long long opslimit, size_t memlimit_kib)
{
	char dummy[crypto_pwhash_STRBYTES];
	size_t password_len;
	int n, ret;

	if (password == NULL || sodium_init() < 0)
		return;
	/* Same early refusal as sendsec_hash_verify, so a long password costs the same there too. */
	password_len = strnlen(password, PASSWORD_MAX + 1);
	if (password_len > PASSWORD_MAX)
		return;
	if (opslimit < 1)
		opslimit = 1;
	if (opslimit > UINT32_MAX)
		opslimit = UINT32_MAX;
	if (memlimit_kib < 8)
		memlimit_kib = 8;
	if (memlimit_kib > UINT32_MAX)
		memlimit_kib = UINT32_MAX;
	n = snprintf(dummy, sizeof(dummy), "$argon2id$v=19$m=%zu,t=%llu,p=1" DUMMY_SALT_HASH, memlimit_kib, opslimit);
	if (n < 0 || (size_t)n >= sizeof(dummy))
		return;
	ret = crypto_pwhash_str_verify(dummy, password, password_len);
	(void)ret;
}
