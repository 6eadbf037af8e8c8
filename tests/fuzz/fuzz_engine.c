/* fuzz_engine.c — libFuzzer target for the engine's decisions (issue 16 item 7): the input chooses
 * a config (methods, otp_mode, totp_unenrolled, password_check, networks, lockout, reset date), an
 * account entry with its token and params entries (standin_dir.c, linked only here in place of
 * dir.c), a request (user, password, code, ask callback, client address), a schedule of directory
 * operations that answer FAILED / CONFLICT / NO_ENTRY / ... instead, and an allocation to fail
 * (malloc, calloc, realloc, strdup, strndup are wrapped with -Wl,--wrap, as pam-u2f's fuzz/ does).
 * It calls sendsec_authenticate, sendsec_account_check or sendsec_change_password and aborts when
 * the decision breaks an invariant (see check_*). Leaks are ASan's (LSan) to find. The stored
 * hashes, recovery codes and keys are made once, at the cheapest argon2 cost, and a password
 * either is one of two known ones or not. Randomness (salts, failure stamps) is a fixed stream
 * reset per input, so every run is reproducible. Behaviour itself is proven against slapd in
 * tests/integration; this target only explores the decision table. The input format is described
 * at struct input and written out by engine_seeds.py, which makes the seed corpus. */
#include <errno.h>
#include <liboath/oath.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <crypt.h>
#include <nettle/sha1.h>

#include "apikey.h"
#include "audit.h"
#include "cidr.h"
#include "engine.h"
#include "hash.h"
#include "hotp.h"
#include "recovery.h"
#include "standin_dir.h"
#include "timeutil.h"
#include "totp.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- allocation failure injection ---- */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

/* Only while armed (inside one engine call) and only on the thread that armed it are allocations
 * counted and failed: libFuzzer's own allocations are wrapped too when it is linked in, and the
 * engine may run a dummy hash verification on a thread of its own (its order is not ours). */
static struct {
	bool armed;
	pthread_t thread;
	unsigned long count;   /* allocations seen while armed */
	unsigned long fail_at; /* 0: none; else the fail_at-th allocation fails */
	bool fail_after;       /* and every one after it */
	unsigned long failed;  /* how many were failed */
} alloc;

static bool alloc_fails(void)
{
	if (!alloc.armed || !pthread_equal(pthread_self(), alloc.thread))
		return false;
	alloc.count++;
	if (alloc.fail_at == 0)
		return false;
	if (alloc.count == alloc.fail_at || (alloc.fail_after && alloc.count > alloc.fail_at)) {
		alloc.failed++;
		errno = ENOMEM;
		return true;
	}
	return false;
}

void *__wrap_malloc(size_t n)
{
	return alloc_fails() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t m)
{
	return alloc_fails() ? NULL : __real_calloc(n, m);
}

void *__wrap_realloc(void *p, size_t n)
{
	return alloc_fails() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
	return alloc_fails() ? NULL : __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
	return alloc_fails() ? NULL : __real_strndup(s, n);
}

/* ---- a reproducible random stream for libsodium (salts, failure stamps, key minting) ---- */

static uint64_t rng_state;

static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static const char *rng_name(void)
{
	return "fuzz_engine";
}

static uint32_t rng_random(void)
{
	return (uint32_t)rng_next();
}

static void rng_buf(void *buf, size_t n)
{
	unsigned char *p = buf;

	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)rng_next();
}

static struct randombytes_implementation rng_impl = {
		.implementation_name = rng_name,
		.random = rng_random,
		.buf = rng_buf,
};

/* ---- what is known: passwords, codes, keys, made once ---- */

#define BASE_TIME   1750000000 /* 2025-06-15T15:06:40Z; now = BASE_TIME + input clock */
#define RESET_TIME  1747353600 /* 2025-05-16T00:00:00Z, password_reset_before when set */
#define OPSLIMIT    1
#define MEMLIMIT    8 /* KiB: argon2's minimum, so that a hash costs microseconds */
#define SERVICE_DIR "dc=example,dc=org"
#define ACCOUNT_DN  "uid=alice,ou=people,dc=example,dc=org"
#define DUP_DN      "uid=alice2,ou=people,dc=example,dc=org"
#define TOKEN_DN    "cn=phone,ou=tokens,dc=example,dc=org"
#define PARAMS_DN   "cn=params,ou=tokens,dc=example,dc=org"
#define TOKEN2_DN   "cn=spare,ou=tokens,dc=example,dc=org"
#define SHARED_DN   "uid=newsletter,ou=people,dc=example,dc=org"

static const char *const known_pw[2] = {"correct horse 0", "battery staple 1"};
static const char wrong_pw[] = "correct horse 9";
static const char new_pw_long[] = "new password 123";
static const char *const recovery_printed[3] = {"abcd-efgh-ijkl-mnop", "qrst-uvwx-yz23-4567", "zzzz-zzzz-zzzz-zzzz"};
static const char *const recovery_norm[3] = {"abcdefghijklmnop", "qrstuvwxyz234567", "zzzzzzzzzzzzzzzz"};
static const unsigned char totp_secret[20] = "12345678901234567890";
static const unsigned char spare_secret[20] = "abcdefghij0123456789";
#define HOTP_BASE 1000 /* the HOTP counter tok[1] is relative to */

static struct {
	bool ready;
	char dir[64], conf[96], key_file[96];
	unsigned char key[32], other_key[32];
	char argon2id[2][SENDSEC_HASH_MAX]; /* of known_pw[0], known_pw[1] */
	char argon2i[SENDSEC_HASH_MAX];     /* of known_pw[0] */
	char ssha[128];                     /* of known_pw[0] */
	char shacrypt[160];                 /* of known_pw[0] */
	char recovery[2][SENDSEC_RECOVERY_STORED_MAX];
	char *sealed, *sealed_other;
	char key_text[2][SENDSEC_KEY_MAX];
	struct sendsec_apikey key_parts[2];
	char *rec[9]; /* sendsecApiKey values, made in setup() */
} k;

static void die(const char *what)
{
	fprintf(stderr, "fuzz_engine: %s\n", what);
	abort();
}

static void cleanup(void)
{
	unlink(k.conf);
	unlink(k.key_file);
	rmdir(k.dir);
}

#define KEY_CREATED (BASE_TIME - 86400)

static char *format_record(const struct sendsec_apikey *key, const char *scope, time_t expires, bool disabled,
		const char *networks, const struct sendsec_apikey *hash_of, time_t used)
{
	char *scopes[2] = {(char *)scope, NULL}, err[128], *value = NULL;
	struct sendsec_keyrec rec = {.scopes = scopes,
			.expires = expires,
			.created = KEY_CREATED,
			.disabled = disabled,
			.used = used};

	snprintf(rec.id, sizeof(rec.id), "%s", key->id);
	sendsec_apikey_hash(hash_of, rec.hash);
	if (networks != NULL && sendsec_cidr_list_add(&rec.networks, networks, err, sizeof(err)) != SENDSEC_OK)
		die("cannot parse a record's networks");
	if (sendsec_keyrec_format(&rec, &value) != SENDSEC_OK)
		die("cannot format a key record");
	sendsec_cidr_list_clear(&rec.networks);
	return value;
}

static void make_ssha(const char *pw, char *out, size_t outlen)
{
	static const unsigned char salt[8] = "saltsalt";
	unsigned char buf[SHA1_DIGEST_SIZE + sizeof(salt)];
	struct sha1_ctx c;

	sha1_init(&c);
	sha1_update(&c, strlen(pw), (const uint8_t *)pw);
	sha1_update(&c, sizeof(salt), salt);
	sha1_digest(&c, SHA1_DIGEST_SIZE, buf);
	memcpy(buf + SHA1_DIGEST_SIZE, salt, sizeof(salt));
	memcpy(out, "{SSHA}", 6);
	sodium_bin2base64(out + 6, outlen - 6, buf, sizeof(buf), sodium_base64_VARIANT_ORIGINAL);
}

static struct {
	char text[2048];
	size_t len;
} last_config; /* what k.conf holds */

/* (Re)makes the temporary directory with the TOTP key file; the config is written per input. A
 * directory someone else cleaned out of /tmp during a long run is made again. */
static void write_files(void)
{
	FILE *f;

	if (mkdir(k.dir, 0700) != 0 && errno != EEXIST)
		die("cannot make the temporary directory");
	if ((f = fopen(k.key_file, "wb")) == NULL || fwrite(k.key, 1, 32, f) != 32 || fclose(f) != 0)
		die("cannot write the TOTP key file");
	chmod(k.key_file, 0600);
	last_config.len = 0;
}

static void setup(void)
{
	struct crypt_data cd = {0};
	char argon2i[crypto_pwhash_argon2i_STRBYTES];
	const char *c;

	randombytes_set_implementation(&rng_impl);
	if (sodium_init() < 0)
		die("libsodium failed to initialise");
	rng_state = 1;
	snprintf(k.dir, sizeof(k.dir), "/tmp/fuzz_engine.XXXXXX");
	if (mkdtemp(k.dir) == NULL)
		die("mkdtemp");
	snprintf(k.conf, sizeof(k.conf), "%s/sendsec.conf", k.dir);
	snprintf(k.key_file, sizeof(k.key_file), "%s/totp.key", k.dir);
	atexit(cleanup);
	for (unsigned i = 0; i < 32; i++) {
		k.key[i] = (unsigned char)i;
		k.other_key[i] = (unsigned char)(0xa0 + i);
	}
	write_files();
	for (int i = 0; i < 2; i++)
		if (sendsec_hash_make(known_pw[i], OPSLIMIT, MEMLIMIT, k.argon2id[i], sizeof(k.argon2id[i])) !=
				SENDSEC_OK)
			die("cannot hash");
	if (crypto_pwhash_argon2i_str(argon2i, known_pw[0], strlen(known_pw[0]), 3, 8192) != 0)
		die("cannot hash with argon2i");
	snprintf(k.argon2i, sizeof(k.argon2i), "{ARGON2}%s", argon2i);
	make_ssha(known_pw[0], k.ssha, sizeof(k.ssha));
	if ((c = crypt_r(known_pw[0], "$6$rounds=1000$saltsaltsalt$", &cd)) == NULL || c[0] != '$')
		die("cannot crypt");
	snprintf(k.shacrypt, sizeof(k.shacrypt), "{CRYPT}%s", c);
	for (int i = 0; i < 2; i++)
		if (sendsec_recovery_store(recovery_norm[i], OPSLIMIT, MEMLIMIT, k.recovery[i],
				    sizeof(k.recovery[i])) != SENDSEC_OK)
			die("cannot store a recovery code");
	if (sendsec_totp_seal(k.key, totp_secret, sizeof(totp_secret), &k.sealed) != SENDSEC_OK ||
			sendsec_totp_seal(k.other_key, totp_secret, sizeof(totp_secret), &k.sealed_other) != SENDSEC_OK)
		die("cannot seal");
	for (int i = 0; i < 2; i++)
		if (sendsec_apikey_mint("ssk_", k.key_text[i], sizeof(k.key_text[i]), &k.key_parts[i]) != SENDSEC_OK)
			die("cannot mint a key");
	k.rec[0] = format_record(&k.key_parts[0], "*", 0, false, NULL, &k.key_parts[0], 0);
	k.rec[1] = format_record(&k.key_parts[0], "smtp", 0, false, NULL, &k.key_parts[0], 0);
	k.rec[2] = format_record(&k.key_parts[0], "*", BASE_TIME - 86400, false, NULL, &k.key_parts[0], 0);
	k.rec[3] = format_record(&k.key_parts[0], "*", 0, true, NULL, &k.key_parts[0], 0);
	k.rec[4] = format_record(&k.key_parts[0], "*", 0, false, "10.0.0.0/8", &k.key_parts[0], 0);
	k.rec[5] = format_record(&k.key_parts[0], "*", BASE_TIME + 2 * 86400, false, NULL, &k.key_parts[0], 0);
	k.rec[6] = format_record(&k.key_parts[1], "*", 0, false, NULL, &k.key_parts[0], 0); /* KEY1, wrong hash */
	k.rec[7] = format_record(&k.key_parts[0], "*", 0, false, NULL, &k.key_parts[0], BASE_TIME - 3600);
	k.rec[8] = format_record(&k.key_parts[0], "*", 0, false, NULL, &k.key_parts[0], BASE_TIME - 40 * 86400);
	k.ready = true;
}

/* ---- the input ----
 * A fixed header of bytes, then up to N_RAW strings (one length byte, then the bytes), each used
 * where a choice says "raw". Missing bytes read as 0. Every choice is taken modulo its table. */
enum {
	R_PW_HASH,
	R_NET,
	R_USER,
	R_PASSWORD,
	R_CODE,
	R_RHOST,
	R_SECRET,
	R_LAST,
	R_KEYREC,
	R_NEWPW,
	R_FAILTIME,
	R_MISC,
	N_RAW
};
#define RAW_MAX 96

struct input {
	uint8_t op;      /* 0 authenticate, 1 account_check, 2 change_password */
	uint8_t cfg[4];  /* see write_config */
	uint16_t clock;  /* now = BASE_TIME + clock */
	uint8_t acct[8]; /* see build_account */
	uint8_t tok[4];  /* see build_token */
	uint8_t req[6];  /* see build_request */
	/* sched[i], the i-th directory operation: bits 0-2 0..3 answer normally, 4 FAILED (with bit 7:
	 * no server answered), 5 CONFLICT (with bit 7: another login made the same write first,
	 * applied), 6 NO_ENTRY, 7 BAD_CREDENTIALS (with bit 7: REFUSED) */
	uint8_t sched[8];
	uint16_t alloc_at;  /* 0: no allocation fails; else the alloc_at-th while armed */
	uint8_t alloc_mode; /* bit 0: every allocation after it fails too; bit 1: in sendsec_ctx_new */
	char raw[N_RAW][RAW_MAX + 1];
};

struct reader {
	const uint8_t *p;
	size_t n;
};

static uint8_t take(struct reader *r)
{
	if (r->n == 0)
		return 0;
	r->n--;
	return *r->p++;
}

static void parse_input(const uint8_t *data, size_t size, struct input *in)
{
	struct reader r = {data, size};

	memset(in, 0, sizeof(*in));
	in->op = take(&r);
	for (int i = 0; i < 4; i++)
		in->cfg[i] = take(&r);
	in->clock = (uint16_t)(take(&r) << 8);
	in->clock |= take(&r);
	for (int i = 0; i < 8; i++)
		in->acct[i] = take(&r);
	for (int i = 0; i < 4; i++)
		in->tok[i] = take(&r);
	for (int i = 0; i < 6; i++)
		in->req[i] = take(&r);
	for (int i = 0; i < 8; i++)
		in->sched[i] = take(&r);
	in->alloc_at = (uint16_t)(take(&r) << 8);
	in->alloc_at |= take(&r);
	in->alloc_mode = take(&r);
	for (int i = 0; i < N_RAW; i++) {
		size_t len = take(&r), j;

		for (j = 0; j < len && j < RAW_MAX && r.n > 0; j++)
			in->raw[i][j] = (char)take(&r);
		in->raw[i][j] = '\0'; /* a NUL inside ends the string there */
	}
}

/* ---- the model: what the input means ---- */

enum { F_P = SENDSEC_FACTOR_PASSWORD, F_T = SENDSEC_FACTOR_TOTP, F_A = SENDSEC_FACTOR_APIKEY };

/* Each methods value with what the model needs of it: the factors that are an alternative on their
 * own (password alone, a key) and the factors that appear in any alternative. */
static const struct {
	const char *text;
	unsigned alone, anywhere;
} methods_table[] = {
		{"password", F_P, F_P},
		{"password+totp", 0, F_P | F_T},
		{"password+totp apikey", F_A, F_P | F_T | F_A},
		{"password password+totp", F_P, F_P | F_T},
		{"apikey", F_A, F_A},
		{"totp", F_T, F_T},
		{"password apikey", F_P | F_A, F_P | F_A},
		{"totp+password", 0, F_P | F_T},
		{"totp password+totp", F_T, F_P | F_T},
		{"apikey password+totp password", F_A | F_P, F_A | F_P | F_T},
};
#define N_METHODS (sizeof(methods_table) / sizeof(methods_table[0]))

static const char *const service_networks[4] = {NULL, "10.0.0.0/8", "192.0.2.0/24 2001:db8::/32", "0.0.0.0/0 ::/0"};
static const int thresholds[4] = {0, 1, 3, 5};
static const int intervals[4][2] = {{900, 900}, {60, 60}, {3600, 100}, {0, 900}};

/* One token as the input made it. */
struct token_model {
	bool is_linked, exists, is_hotp;
	bool is_usable; /* linked, exists, one secret this config can read, params and state well-formed */
	const char *dn;
	unsigned char secret[RAW_MAX];
	size_t secret_len;
	unsigned digits, period, window, lookahead;
	int alg_flags; /* liboath flags */
	bool has_last;
	uint64_t last; /* the step (TOTP) or counter (HOTP) used last */
};

struct model {
	/* config */
	const char *service_cfg;  /* the service the settings were written for ("sshd") or NULL: global */
	bool broken_smtp;         /* [service smtp] cannot be resolved */
	bool broken_override;     /* a PAM argument no service can resolve */
	const char *override;     /* one "key=value" PAM argument, or NULL */
	unsigned alone, anywhere; /* methods_table's, for the service asked for */
	bool otp_append, unenrolled_allow, bind_check, rehash, has_key, user_attr_cn, reset_set;
	const char *allow_networks; /* NULL: any */
	int threshold, account_threshold, interval, duration, min_len;
	time_t now;
	/* the request */
	int op;
	const char *service, *user, *password, *rhost, *code, *old_pw, *new_pw, *authzid;
	int ask_mode; /* 0 none, 1 answers code, 2 refuses, 3 OK without an answer */
	char password_buf[2 * RAW_MAX + 64], code_buf[RAW_MAX + 16];
	/* the account */
	bool exists, dup, has_link, has_spare;
	const char *name;         /* the user_attr value, or NULL */
	const char *uid;          /* NULL: none */
	const char *pw_values[3]; /* known passwords the userPassword values hold (NULL: not one of them) */
	size_t n_pw_values;
	bool pw_first_known;
	/* the tokens: [0] linked by oathTOTPToken or oathHOTPToken (has_link), [1] by sendsecToken
	 * (has_spare): a TOTP token with the defaults */
	struct token_model t[2];
	/* key records: which key (0, 1) has a usable record, with its rules */
	int key_kind;
	time_t key_used;     /* key 0's last use, 0: never */
	size_t n_key_values; /* sendsecApiKey values of the account */
	int max_idle, touch_interval;
	bool has_read_uri;
};

/* True when factor f is an alternative on its own (has) or part of any alternative (any). */
static bool has_alt(const struct model *m, unsigned f)
{
	return (m->alone & f) != 0;
}

static bool any_alt_with(const struct model *m, unsigned f)
{
	return (m->anywhere & f) != 0;
}

/* Writes the config file for the input (cfg[0..3]):
 *   cfg[0] methods: methods_table
 *   cfg[1] bits: 0 otp_mode append, 1 totp_unenrolled allow, 2 password_check bind, 3 rehash no,
 *          4 totp_key_file, 5 user_attr cn, 6 password_reset_before, 7 methods for sshd only
 *          (the other services take keys only)
 *   cfg[2] bits 0-1 allow_networks, 2-3 lockout_threshold 0/1/3/5, 4-5 interval and duration,
 *          6 password_min_length 4, 7 a [service smtp] that cannot be resolved
 *   cfg[3] bits 0-1 a PAM argument: none, otp_mode=append, totp_unenrolled=allow, an unknown key;
 *          bits 2-3 apikey_max_idle 0/1/30/0 days; bits 4-5 apikey_touch_interval 3600/0/2^30/60;
 *          bit 6 read_uri (a replica handle, as up to date as the providers); bit 7
 *          lockout_account_threshold 3 (else 50) */
static void write_config(const struct input *in, struct model *m)
{
	char text[2048];
	size_t len = 0;
	const char *methods = methods_table[in->cfg[0] % N_METHODS].text;
	FILE *f;

#define PUT(...) (len += (size_t)snprintf(text + len, sizeof(text) - len, __VA_ARGS__))
	m->alone = methods_table[in->cfg[0] % N_METHODS].alone;
	m->anywhere = methods_table[in->cfg[0] % N_METHODS].anywhere;
	m->otp_append = (in->cfg[1] & 1) || (in->cfg[3] & 3) == 1;
	m->unenrolled_allow = (in->cfg[1] & 2) || (in->cfg[3] & 3) == 2;
	m->bind_check = in->cfg[1] & 4;
	m->rehash = !(in->cfg[1] & 8);
	m->has_key = in->cfg[1] & 16;
	m->user_attr_cn = in->cfg[1] & 32;
	m->reset_set = in->cfg[1] & 64;
	m->service_cfg = (in->cfg[1] & 128) ? "sshd" : NULL;
	m->allow_networks = service_networks[in->cfg[2] & 3];
	m->threshold = thresholds[(in->cfg[2] >> 2) & 3];
	m->account_threshold = (in->cfg[3] & 128) ? 3 : 50;
	m->interval = intervals[(in->cfg[2] >> 4) & 3][0];
	m->duration = intervals[(in->cfg[2] >> 4) & 3][1];
	m->min_len = (in->cfg[2] & 64) ? 4 : 12;
	m->broken_smtp = in->cfg[2] & 128;
	m->has_read_uri = in->cfg[3] & 64;
	m->max_idle = (const int[]){0, 1, 30, 0}[(in->cfg[3] >> 2) & 3];
	m->touch_interval = (const int[]){3600, 0, 1 << 30, 60}[(in->cfg[3] >> 4) & 3];
	/* cfg[3] bits 0-1: a PAM argument applied on top of every section */
	switch (in->cfg[3] & 3) {
	case 1: m->override = "otp_mode=append"; break;
	case 2: m->override = "totp_unenrolled=allow"; break;
	case 3: m->override = "no_such_key=1", m->broken_override = true; break;
	default: m->override = NULL; break;
	}

	PUT("uri ldap://127.0.0.1:9/\nbase " SERVICE_DIR "\nargon2_opslimit %d\nargon2_memlimit %d\n", OPSLIMIT,
			MEMLIMIT);
	PUT("hash_concurrency 0\nlog_level debug\ntimeout 1\n");
	PUT("otp_mode %s\ntotp_unenrolled %s\npassword_check %s\nrehash %s\n", m->otp_append ? "append" : "prompt",
			m->unenrolled_allow ? "allow" : "deny", m->bind_check ? "bind" : "local",
			m->rehash ? "yes" : "no");
	if (m->has_key)
		PUT("totp_key_file %s\n", k.key_file);
	if (m->user_attr_cn)
		PUT("user_attr cn\n");
	if (m->reset_set)
		PUT("password_reset_before 2025-05-16T00:00:00Z\n");
	if (m->allow_networks != NULL)
		PUT("allow_networks %s\n", m->allow_networks);
	PUT("lockout_threshold %d\nlockout_interval %d\nlockout_duration %d\npassword_min_length %d\n", m->threshold,
			m->interval, m->duration, m->min_len);
	PUT("lockout_account_threshold %d\n", m->account_threshold);
	PUT("apikey_max_idle %d\napikey_touch_interval %d\n", m->max_idle, m->touch_interval);
	if (m->has_read_uri)
		PUT("read_uri ldap://127.0.0.1:10/\n");
	/* methods for every service, or for sshd only (the others then take keys only) */
	if (m->service_cfg != NULL)
		PUT("methods apikey\n[service %s]\n", m->service_cfg);
	PUT("methods %s\n", methods);
	if (m->broken_smtp)
		PUT("[service smtp]\ntotp_key_file %s/missing.key\n", k.dir);
#undef PUT
	if (len >= sizeof(text))
		die("config too long");
	/* the same config as the last input's is on disk already */
	if (access(k.key_file, R_OK) != 0)
		write_files();
	if (len == last_config.len && memcmp(text, last_config.text, len) == 0)
		return;
	if ((f = fopen(k.conf, "w")) == NULL || fwrite(text, 1, len, f) != len || fclose(f) != 0)
		die("cannot write the config");
	memcpy(last_config.text, text, len);
	last_config.len = len;
}

static void add(struct sendsec_entry *e, const char *attr, const char *val)
{
	standin_entry_add(e, attr, val, strlen(val));
}

static void add_time(struct sendsec_entry *e, const char *attr, time_t t, bool fraction)
{
	char buf[40];

	sendsec_time_format_generalized(t, buf, sizeof(buf));
	if (fraction)
		snprintf(buf + 14, sizeof(buf) - 14, ".%06uZ", (unsigned)(t % 1000000));
	add(e, attr, buf);
}

/* The account (acct[0..7]):
 *   acct[0] bits: 0 exists, 1 a second entry with the same uid, 2 sendsecDisabled TRUE, 3 FALSE,
 *           4 pwdAccountLockedTime, 5 sendsecResetRequired TRUE, 6 pwdReset TRUE, 7 oathTOTPToken
 *   acct[1] userPassword: 0 none, 1 argon2id pw0, 2 argon2id pw1, 3 SSHA pw0, 4 sha512-crypt pw0,
 *           5 raw, 6 argon2id pw1 then pw0, 7 argon2i pw0; bit 3: an argon2id pw0 value appended
 *   acct[2] sendsecAllowedNetwork: 0 none, 1 10/8, 2 192.0.2/24, 3 2001:db8::/32, 4 10/8 and
 *           2001:db8::/32, 5 raw, 6 "garbage", 7 "10.0.0.0/8 192.0.2.0/24" in one value
 *   acct[3] sendsecFailureTime: bits 0-2 count, 3-4 spacing, 5-6 age of the newest, 7 a raw value
 *   acct[4] password changed: 0 none, 1 old, 2 recent, 3 pwdChangedTime old, 4 pwdChangedTime
 *           recent, 5 raw, 6 old + pwdChangedTime recent, 7 recent + pwdChangedTime old
 *   acct[5] recovery codes, bits: 0 code 0, 1 code 1, 2 a raw value, 3 a malformed value of
 *           code 0's index; a shared account "newsletter" (delegation), bits: 4 it exists, 5 it
 *           names this account in sendsecDelegate, 6 it is disabled, 7 ppolicy locked it
 *   acct[6] keys: bits 0-2: 0 none, 1 key 0 scope *, 2 scope smtp, 3 expired, 4 disabled,
 *           5 networks 10/8, 6 raw record, 7 scope * and scope smtp (two records); bit 3: no
 *           sendsecKeyId; bit 4: a record of key 1 holding key 0's hash; bit 5: expires later;
 *           bits 6-7 (scope *): last used never, an hour before BASE_TIME, 40 days before
 *   acct[7] bits 0-1 uid: 0 alice, 1 Alice, 2 none, 3 raw; bit 2: cn "Alice Smith"; bit 4: a
 *           second token linked by sendsecToken (TOTP, plain secret, defaults); bit 3:
 *           pwdAccountLockedTime a minute ago (ppolicy's lock after failed binds) unless bit 4 of
 *           acct[0] sets the administrator's lock */
static const char *const account_networks[8] = {
		NULL, "10.0.0.0/8", "192.0.2.0/24", "2001:db8::/32", NULL, NULL, "garbage", "10.0.0.0/8 192.0.2.0/24"};

/* False for inputs whose raw hash strings could ask for a costly hash (a '$' in a userPassword, a
 * second '$' in a recovery value): malformed and foreign values are this target's business, costs
 * are fuzz_hash's. */
static bool is_cheap(const struct input *in)
{
	const char *dollar = strchr(in->raw[R_MISC], '$');

	if ((in->acct[1] & 7) == 5 && strchr(in->raw[R_PW_HASH], '$') != NULL)
		return false;
	return !(in->acct[5] & 4) || dollar == NULL || strchr(dollar + 1, '$') == NULL;
}

static void build_account(const struct input *in, struct model *m)
{
	uint8_t f = in->acct[0];
	struct sendsec_entry *e;
	static const int spacing[4] = {1, 60, 400, 1000}, age[4] = {0, 100, 1000, 100000};

	m->exists = f & 1;
	m->dup = (f & 3) == 3; /* a second account with the same uid, only beside the first */
	m->has_link = f & 128;
	m->has_spare = in->acct[7] & 16;
	switch (in->acct[7] & 3) {
	case 0: m->uid = "alice"; break;
	case 1: m->uid = "Alice"; break;
	case 2: m->uid = NULL; break;
	default: m->uid = in->raw[R_MISC]; break;
	}
	m->name = m->user_attr_cn ? ((in->acct[7] & 4) ? "Alice Smith" : NULL) : m->uid;
	if (m->uid == NULL)
		m->dup = false;
	if (m->dup) {
		e = standin_entry_new(DUP_DN);
		add(e, "objectClass", "posixAccount");
		add(e, "uid", m->uid);
		add(e, "userPassword", k.argon2id[0]);
		standin_put(e);
	}
	if (!m->exists)
		return;
	e = standin_entry_new(ACCOUNT_DN);
	add(e, "objectClass", "posixAccount");
	add(e, "objectClass", "sendsecAccount");
	if (m->uid != NULL)
		add(e, "uid", m->uid);
	if (in->acct[7] & 4)
		add(e, "cn", "Alice Smith");
	if (f & 4)
		add(e, "sendsecDisabled", "TRUE");
	else if (f & 8)
		add(e, "sendsecDisabled", "FALSE");
	if (f & 16)
		add(e, "pwdAccountLockedTime", "000001010000Z"); /* ppolicy: locked by an administrator */
	else if (in->acct[7] & 8)
		add_time(e, "pwdAccountLockedTime", m->now - 60, false); /* ppolicy: locked after failed binds */
	if (f & 32)
		add(e, "sendsecResetRequired", "TRUE");
	if (f & 64)
		add(e, "pwdReset", "TRUE");
	if (m->has_link) {
		bool is_hotp = in->tok[0] & 128;

		add(e, "objectClass", is_hotp ? "oathHOTPUser" : "oathTOTPUser");
		add(e, is_hotp ? "oathHOTPToken" : "oathTOTPToken", TOKEN_DN);
	}
	if (m->has_spare)
		add(e, "sendsecToken", TOKEN2_DN);
	/* userPassword */
	switch (in->acct[1] & 7) {
	case 0: break;
	case 1: add(e, "userPassword", k.argon2id[0]), m->pw_values[m->n_pw_values++] = known_pw[0]; break;
	case 2: add(e, "userPassword", k.argon2id[1]), m->pw_values[m->n_pw_values++] = known_pw[1]; break;
	case 3: add(e, "userPassword", k.ssha), m->pw_values[m->n_pw_values++] = known_pw[0]; break;
	case 4: add(e, "userPassword", k.shacrypt), m->pw_values[m->n_pw_values++] = known_pw[0]; break;
	case 5:
		add(e, "userPassword", in->raw[R_PW_HASH]);
		m->pw_values[m->n_pw_values++] = NULL;
		break;
	case 6:
		add(e, "userPassword", k.argon2id[1]);
		add(e, "userPassword", k.argon2id[0]);
		m->pw_values[m->n_pw_values++] = known_pw[1];
		m->pw_values[m->n_pw_values++] = known_pw[0];
		break;
	default: add(e, "userPassword", k.argon2i), m->pw_values[m->n_pw_values++] = known_pw[0]; break;
	}
	if (in->acct[1] & 8) {
		add(e, "userPassword", k.argon2id[0]);
		m->pw_values[m->n_pw_values++] = known_pw[0];
	}
	m->pw_first_known = m->n_pw_values > 0 && m->pw_values[0] != NULL;
	/* networks */
	switch (in->acct[2] & 7) {
	case 4:
		add(e, "sendsecAllowedNetwork", "10.0.0.0/8");
		add(e, "sendsecAllowedNetwork", "2001:db8::/32");
		break;
	case 5: add(e, "sendsecAllowedNetwork", in->raw[R_NET]); break;
	default:
		if (account_networks[in->acct[2] & 7] != NULL)
			add(e, "sendsecAllowedNetwork", account_networks[in->acct[2] & 7]);
	}
	/* the failure record */
	for (int i = 0; i < (in->acct[3] & 7); i++)
		add_time(e, "sendsecFailureTime",
				m->now - age[(in->acct[3] >> 5) & 3] - (time_t)i * spacing[(in->acct[3] >> 3) & 3],
				i & 1);
	if (in->acct[3] & 128)
		add(e, "sendsecFailureTime", in->raw[R_FAILTIME]);
	/* password changed */
	switch (in->acct[4] & 7) {
	case 1: add(e, "sendsecPasswordChanged", "20250101000000Z"); break;
	case 2: add_time(e, "sendsecPasswordChanged", m->now - 3600, false); break;
	case 3: add(e, "pwdChangedTime", "20250101000000Z"); break;
	case 4: add_time(e, "pwdChangedTime", m->now - 3600, false); break;
	case 5: add(e, "sendsecPasswordChanged", in->raw[R_MISC]); break;
	case 6:
		add(e, "sendsecPasswordChanged", "20250101000000Z");
		add_time(e, "pwdChangedTime", m->now - 3600, false);
		break;
	case 7:
		add_time(e, "sendsecPasswordChanged", m->now - 3600, false);
		add(e, "pwdChangedTime", "20250101000000Z");
		break;
	default: break;
	}
	/* recovery codes */
	if (in->acct[5] & 1)
		add(e, "sendsecRecoveryCode", k.recovery[0]);
	if (in->acct[5] & 2)
		add(e, "sendsecRecoveryCode", k.recovery[1]);
	if (in->acct[5] & 4)
		add(e, "sendsecRecoveryCode", in->raw[R_MISC]);
	if (in->acct[5] & 8)
		add(e, "sendsecRecoveryCode", "abcd${SSHA}AAAA");
	if (in->acct[5] & 16) {
		struct sendsec_entry *shared = standin_entry_new(SHARED_DN);

		add(shared, "objectClass", "posixAccount");
		add(shared, "uid", "newsletter");
		if (m->user_attr_cn)
			add(shared, "cn", "Newsletter Sender");
		if (in->acct[5] & 32)
			add(shared, "sendsecDelegate", ACCOUNT_DN);
		if (in->acct[5] & 64)
			add(shared, "sendsecDisabled", "TRUE");
		if (in->acct[5] & 128)
			add(shared, "pwdAccountLockedTime", "000001010000Z");
		standin_put(shared);
	}
	/* keys */
	m->key_kind = in->acct[6] & 7;
	if (m->key_kind != 0) {
		static const int rec_of[8] = {-1, 0, 1, 2, 3, 4, -1, 0};

		static const time_t used[4] = {0, BASE_TIME - 3600, BASE_TIME - 40 * 86400, 0};
		int r = rec_of[m->key_kind];

		if (m->key_kind == 1 && (in->acct[6] & 32))
			r = 5;
		else if (m->key_kind == 1 && used[in->acct[6] >> 6] != 0)
			r = (in->acct[6] >> 6) == 1 ? 7 : 8, m->key_used = used[in->acct[6] >> 6];
		if (m->key_kind == 6)
			add(e, "sendsecApiKey", in->raw[R_KEYREC]);
		else
			add(e, "sendsecApiKey", k.rec[r]);
		if (m->key_kind == 7)
			add(e, "sendsecApiKey", k.rec[1]);
		if (!(in->acct[6] & 8))
			add(e, "sendsecKeyId", k.key_parts[0].id);
	}
	if (in->acct[6] & 16) {
		add(e, "sendsecApiKey", k.rec[6]);
		add(e, "sendsecKeyId", k.key_parts[1].id);
	}
	sendsec_entry_values(e, "sendsecApiKey", &m->n_key_values);
	standin_put(e);
}

/* Strict decimal: 1..20 digits, no overflow. */
static bool parse_decimal(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t len = strlen(s);

	if (len == 0 || len > 20)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

/* The first token (tok[0..3]), linked by oathTOTPToken, or by oathHOTPToken when bit 7 of tok[0]:
 *   tok[0] bit 0: the token entry exists; bits 1-3 oathSecret: 0 plain, 1 sealed with the
 *          configured key, 2 sealed with another key, 3 none, 4 two values, 5 raw, 6 "{SEALED2}…",
 *          7 plain; bit 4: params link; bit 5: the params entry exists; bit 7: HOTP
 *   tok[1] state (oathTOTPLastTimeStep: the current step + tok[1] - 128; oathHOTPCounter:
 *          HOTP_BASE + tok[1] - 128): 0 none, 255 raw
 *   tok[2] bits 0-2 oathOTPLength: none, 6, 8, 7, 5, 9, "x", two values; bits 3-5
 *          oathHMACAlgorithm: none, SHA1, SHA256, SHA512, 1.2.3, MD5
 *   tok[3] bits 0-2 period (TOTP): none, 30, 60, 0, 3601, 15; bits 3-5 window (TOTP) or look-ahead
 *          (HOTP): none, 0, 1, 3, 11, -1
 * Values are read as token.h's ABNF says: a malformed one makes the token unusable. */
static void build_token(const struct input *in, struct model *m)
{
	static const char *const digits_v[8] = {NULL, "6", "8", "7", "5", "9", "x", NULL};
	static const char *const alg_v[8] = {NULL, "1.2.840.113549.2.7", "1.2.840.113549.2.9", "1.2.840.113549.2.11",
			"1.2.3", "1.2.840.113549.2.5", NULL, NULL};
	static const char *const period_v[8] = {NULL, "30", "60", "0", "3601", "15", NULL, NULL};
	static const char *const window_v[8] = {NULL, "0", "1", "3", "11", "-1", NULL, NULL};
	struct token_model *t = &m->t[0];
	uint8_t f = in->tok[0], a = in->tok[2], b = in->tok[3];
	bool secret_ok = false, params_ok = true, last_ok = true;
	struct sendsec_entry *e;
	uint64_t v;

	*t = (struct token_model){.is_linked = m->has_link,
			.exists = f & 1,
			.is_hotp = f & 128,
			.dn = TOKEN_DN,
			.digits = 6,
			.period = 30,
			.window = 1,
			.lookahead = SENDSEC_HOTP_LOOKAHEAD_DEFAULT};
	if (!t->exists)
		return;
	e = standin_entry_new(TOKEN_DN);
	add(e, "objectClass", t->is_hotp ? "oathHOTPToken" : "oathTOTPToken");
	switch ((f >> 1) & 7) {
	case 1:
		add(e, "oathSecret", k.sealed);
		secret_ok = m->has_key;
		break;
	case 2: add(e, "oathSecret", k.sealed_other); break;
	case 3: break;
	case 4:
		standin_entry_add(e, "oathSecret", (const char *)totp_secret, sizeof(totp_secret));
		add(e, "oathSecret", "another");
		break;
	case 5:
		add(e, "oathSecret", in->raw[R_SECRET]);
		secret_ok = in->raw[R_SECRET][0] != '\0' && strncmp(in->raw[R_SECRET], "{SEALED", 7) != 0;
		if (secret_ok) {
			t->secret_len = strlen(in->raw[R_SECRET]);
			memcpy(t->secret, in->raw[R_SECRET], t->secret_len);
		}
		break;
	case 6: add(e, "oathSecret", "{SEALED2}AAAA"); break;
	default:
		standin_entry_add(e, "oathSecret", (const char *)totp_secret, sizeof(totp_secret));
		secret_ok = true;
		break;
	}
	/* with totp_key_file set, only sealed secrets are read (a plain one is refused) */
	if (m->has_key && ((f >> 1) & 7) != 1 && ((f >> 1) & 7) != 2)
		secret_ok = false;
	if (secret_ok && ((f >> 1) & 7) != 5) {
		memcpy(t->secret, totp_secret, sizeof(totp_secret));
		t->secret_len = sizeof(totp_secret);
	}
	if (f & 16) {
		add(e, t->is_hotp ? "oathHOTPParams" : "oathTOTPParams", PARAMS_DN);
		params_ok = f & 32;
	}
	if (f & 32) {
		struct sendsec_entry *p = standin_entry_new(PARAMS_DN);
		const char *window = window_v[(b >> 3) & 7];

		add(p, "objectClass", t->is_hotp ? "oathHOTPParams" : "oathTOTPParams");
		if ((a & 7) == 7) {
			add(p, "oathOTPLength", "6");
			add(p, "oathOTPLength", "8");
		} else if (digits_v[a & 7] != NULL) {
			add(p, "oathOTPLength", digits_v[a & 7]);
		}
		if (alg_v[(a >> 3) & 7] != NULL)
			add(p, "oathHMACAlgorithm", alg_v[(a >> 3) & 7]);
		if (!t->is_hotp && period_v[b & 7] != NULL)
			add(p, "oathTOTPTimeStepPeriod", period_v[b & 7]);
		if (window != NULL)
			add(p, t->is_hotp ? "oathHOTPLookAhead" : "oathTOTPTimeStepWindow", window);
		standin_put(p);
		if (f & 16) {
			/* what a reader of OATH-LDAP params must make of them */
			if ((a & 7) == 7 ||
					(digits_v[a & 7] != NULL && (!parse_decimal(digits_v[a & 7], 8, &v) || v < 6)))
				params_ok = false;
			else if (digits_v[a & 7] != NULL)
				t->digits = (unsigned)v;
			switch ((a >> 3) & 7) {
			case 2: /* HOTP: SHA1 only */
				t->alg_flags = OATH_TOTP_HMAC_SHA256, params_ok = params_ok && !t->is_hotp;
				break;
			case 3: t->alg_flags = OATH_TOTP_HMAC_SHA512, params_ok = params_ok && !t->is_hotp; break;
			case 4:
			case 5: params_ok = false; break;
			default: break;
			}
			if (!t->is_hotp && period_v[b & 7] != NULL &&
					(!parse_decimal(period_v[b & 7], 3600, &v) || v < 1))
				params_ok = false;
			else if (!t->is_hotp && period_v[b & 7] != NULL)
				t->period = (unsigned)v;
			if (window != NULL && !parse_decimal(window, t->is_hotp ? SENDSEC_HOTP_LOOKAHEAD_MAX : 10, &v))
				params_ok = false;
			else if (window != NULL && t->is_hotp)
				t->lookahead = (unsigned)v;
			else if (window != NULL)
				t->window = (unsigned)v;
		}
	}
	if (in->tok[1] == 255) {
		add(e, t->is_hotp ? "oathHOTPCounter" : "oathTOTPLastTimeStep", in->raw[R_LAST]);
		t->has_last = true;
		last_ok = parse_decimal(in->raw[R_LAST], (uint64_t)INT64_MAX, &t->last) &&
				strlen(in->raw[R_LAST]) <= 19;
	} else if (in->tok[1] != 0) {
		char buf[24];
		int64_t base = t->is_hotp ? HOTP_BASE : (int64_t)(m->now / (params_ok ? t->period : 30));
		int64_t last = base + in->tok[1] - 128;

		t->has_last = true;
		t->last = last > 0 ? (uint64_t)last : 0;
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)t->last);
		add(e, t->is_hotp ? "oathHOTPCounter" : "oathTOTPLastTimeStep", buf);
	}
	standin_put(e);
	/* hotp.c refuses a counter whose whole look-ahead window does not fit below 2^63-1 */
	if (t->is_hotp && t->has_last && t->last >= (uint64_t)INT64_MAX - t->lookahead - 1)
		last_ok = false;
	t->is_usable = t->is_linked && secret_ok && params_ok && last_ok;
}

/* The second token (acct[7] bit 4): TOTP, linked by sendsecToken, plain secret, the defaults. */
static void build_spare(struct model *m)
{
	struct token_model *t = &m->t[1];
	struct sendsec_entry *e;

	*t = (struct token_model){.is_linked = m->has_spare,
			.exists = m->has_spare,
			.dn = TOKEN2_DN,
			.digits = 6,
			.period = 30,
			.window = 1,
			.lookahead = SENDSEC_HOTP_LOOKAHEAD_DEFAULT,
			.secret_len = sizeof(spare_secret)};
	memcpy(t->secret, spare_secret, sizeof(spare_secret));
	t->is_usable = m->has_spare && !m->has_key; /* a plain secret: refused with totp_key_file */
	if (!m->has_spare)
		return;
	e = standin_entry_new(TOKEN2_DN);
	add(e, "objectClass", "oathTOTPToken");
	add(e, "cn", "spare");
	standin_entry_add(e, "oathSecret", (const char *)spare_secret, sizeof(spare_secret));
	standin_put(e);
}

/* The code of token t at n, a TOTP step or an HOTP counter; "" when there is none. */
static void code_at(const struct token_model *t, int64_t n, char *out, size_t len)
{
	char code[16];
	int rc;

	out[0] = '\0';
	if (n < 0 || t->secret_len == 0)
		return;
	/* totp.c and hotp.c pair their own oath_init and oath_done; so does this */
	if (oath_init() != OATH_OK)
		die("liboath failed to initialise");
	if (t->is_hotp)
		rc = oath_hotp_generate((const char *)t->secret, t->secret_len, (uint64_t)n, t->digits, false,
				OATH_HOTP_DYNAMIC_TRUNCATION, code);
	else
		rc = oath_totp_generate2((const char *)t->secret, t->secret_len, (time_t)n * t->period, t->period, 0,
				t->digits, t->alg_flags, code);
	oath_done();
	if (rc == OATH_OK)
		snprintf(out, len, "%s", code);
}

/* Where t's codes start: the current step (TOTP), the counter after the last one used (HOTP; -1
 * when the counter cannot move further). */
static int64_t code_base(const struct model *m, const struct token_model *t)
{
	if (t->is_hotp && t->has_last && t->last >= (uint64_t)INT64_MAX)
		return -1;
	if (t->is_hotp)
		return t->has_last ? (int64_t)t->last + 1 : 0;
	return (int64_t)(m->now / t->period);
}

/* The request (req[0..5]):
 *   req[0] bits 0-2 user: alice, ALICE, apikey, bob, raw, "", NULL, alice; bits 3-4 service:
 *          sshd, smtp, other, raw
 *   req[1] bits 0-3 password: pw0, pw1, pw0+code, pw1+code, wrong, wrong+code, "", NULL, key 0,
 *          key 1, raw, pw0+raw, raw+code, pw0+recovery 0, a prefix of pw0, pw0+code+"x"
 *   req[2] bits 0-3 code: the code at n, n-1, n+1, n-2, n+2, n-5 (n: TOTP the current step, HOTP
 *          the counter after the last), "000000", recovery 0, recovery 1, recovery 0 upper case
 *          without dashes, raw, "", recovery 2 (not stored), the code at n cut by one digit, with a
 *          digit more, with SHA1 whatever the params say; bit 4: of the second token
 *   req[3] bits 0-1 ask: none, answers the code, refuses, answers OK without a code
 *   req[4] bits 0-2 rhost: NULL, 10.1.2.3, 192.0.2.7, 2001:db8::5, 198.51.100.1, raw,
 *          ::ffff:10.1.2.3, not-an-ip
 *   req[5] change_password: bits 0-1 old: NULL (admin), pw0, pw1, wrong; bits 2-3 new: long,
 *          "short", raw, NULL; bits 4-6 the SASL authzid: NULL, newsletter, "", the user as
 *          typed, nobody, apikey, raw, Newsletter */
static void build_request(const struct input *in, struct model *m)
{
	static const char *const users[8] = {"alice", "ALICE", "apikey", "bob", NULL, "", NULL, "alice"};
	static const char *const services[4] = {"sshd", "smtp", "other", NULL};
	static const char *const rhosts[8] = {NULL, "10.1.2.3", "192.0.2.7", "2001:db8::5", "198.51.100.1", NULL,
			"::ffff:10.1.2.3", "not-an-ip"};
	static const char *const olds[4] = {NULL, "correct horse 0", "battery staple 1", "correct horse 9"};
	const struct token_model *t = &m->t[(in->req[2] & 16) ? 1 : 0];
	int64_t step = code_base(m, t);
	const char *c = m->code_buf;

	m->op = in->op % 3;
	m->service = ((in->req[0] >> 3) & 3) == 3 ? in->raw[R_MISC] : services[(in->req[0] >> 3) & 3];
	if (m->service_cfg != NULL && (m->service == NULL || strcmp(m->service, m->service_cfg) != 0)) {
		m->alone = F_A;
		m->anywhere = F_A;
	}
	m->user = (in->req[0] & 7) == 4 ? in->raw[R_USER] : users[in->req[0] & 7];
	m->rhost = (in->req[4] & 7) == 5 ? in->raw[R_RHOST] : rhosts[in->req[4] & 7];
	m->ask_mode = in->req[3] & 3;
	switch (in->req[2] & 15) {
	case 0: code_at(t, step, m->code_buf, sizeof(m->code_buf)); break;
	case 1: code_at(t, step - 1, m->code_buf, sizeof(m->code_buf)); break;
	case 2: code_at(t, step < INT64_MAX - 1 ? step + 1 : -1, m->code_buf, sizeof(m->code_buf)); break;
	case 3: code_at(t, step - 2, m->code_buf, sizeof(m->code_buf)); break;
	case 4: code_at(t, step < INT64_MAX - 2 ? step + 2 : -1, m->code_buf, sizeof(m->code_buf)); break;
	case 5: code_at(t, step - 5, m->code_buf, sizeof(m->code_buf)); break;
	case 6: c = "000000"; break;
	case 7: c = recovery_printed[0]; break;
	case 8: c = recovery_printed[1]; break;
	case 9: c = "ABCDEFGHIJKLMNOP"; break;
	case 10: c = in->raw[R_CODE]; break;
	case 11: c = ""; break;
	case 12: c = recovery_printed[2]; break;
	case 13:
		code_at(t, step, m->code_buf, sizeof(m->code_buf));
		if (m->code_buf[0] != '\0')
			m->code_buf[strlen(m->code_buf) - 1] = '\0';
		break;
	case 14:
		code_at(t, step, m->code_buf, sizeof(m->code_buf));
		if (m->code_buf[0] != '\0')
			strcat(m->code_buf, "0");
		break;
	default: {
		struct token_model sha1 = *t;

		sha1.alg_flags = 0;
		code_at(&sha1, step, m->code_buf, sizeof(m->code_buf));
		break;
	}
	}
	m->code = c;
	m->password = m->password_buf;
	switch (in->req[1] & 15) {
	case 0: m->password = known_pw[0]; break;
	case 1: m->password = known_pw[1]; break;
	case 2: snprintf(m->password_buf, sizeof(m->password_buf), "%s%s", known_pw[0], c); break;
	case 3: snprintf(m->password_buf, sizeof(m->password_buf), "%s%s", known_pw[1], c); break;
	case 4: m->password = wrong_pw; break;
	case 5: snprintf(m->password_buf, sizeof(m->password_buf), "%s%s", wrong_pw, c); break;
	case 6: m->password = ""; break;
	case 7: m->password = NULL; break;
	case 8: m->password = k.key_text[0]; break;
	case 9: m->password = k.key_text[1]; break;
	case 10: m->password = in->raw[R_PASSWORD]; break;
	case 11: snprintf(m->password_buf, sizeof(m->password_buf), "%s%s", known_pw[0], in->raw[R_PASSWORD]); break;
	case 12: snprintf(m->password_buf, sizeof(m->password_buf), "%s%s", in->raw[R_PASSWORD], c); break;
	case 13: snprintf(m->password_buf, sizeof(m->password_buf), "%s%s", known_pw[0], recovery_printed[0]); break;
	case 14: m->password = "correct horse "; break;
	default: snprintf(m->password_buf, sizeof(m->password_buf), "%s%sx", known_pw[0], c); break;
	}
	m->old_pw = olds[in->req[5] & 3];
	switch ((in->req[5] >> 4) & 7) {
	case 1: m->authzid = "newsletter"; break;
	case 2: m->authzid = ""; break;
	case 3: m->authzid = m->user; break;
	case 4: m->authzid = "nobody"; break;
	case 5: m->authzid = "apikey"; break;
	case 6: m->authzid = in->raw[R_MISC]; break;
	case 7: m->authzid = "Newsletter"; break;
	default: m->authzid = NULL; break;
	}
	switch ((in->req[5] >> 2) & 3) {
	case 0: m->new_pw = new_pw_long; break;
	case 1: m->new_pw = "short"; break;
	case 2: m->new_pw = in->raw[R_NEWPW]; break;
	default: m->new_pw = NULL; break;
	}
}

/* ---- what the engine said ---- */

static struct {
	int n_audit;
	char audit[1024];
	int n_ask;
	const char *const *secrets; /* NULL-terminated: must appear in no line */
	const char *const *public;  /* NULL-terminated: what a line may show */
	const struct model *m;
} seen;

static const char vocabulary[] = "sendsec: service= user= rhost= method=password+totp recovery apikey account "
				 "chauthtok key= result=success failure reason=bad_password bad_totp totp_replayed "
				 "locked network scope expired disabled unknown_user unavailable reset_required "
				 "password_too_short password_refused source_locked busy idle token= authz=";

static void report(const char *what, const char *detail);

/* True when s occurs in one of the public strings (then a line may show it without a leak). */
static bool is_public(const char *s)
{
	if (strstr(vocabulary, s) != NULL)
		return true;
	for (size_t i = 0; seen.public != NULL && seen.public[i] != NULL; i++)
		if (strstr(seen.public[i], s) != NULL)
			return true;
	return false;
}

static void check_no_secret(const char *line, const char *where)
{
	for (size_t i = 0; seen.secrets[i] != NULL; i++) {
		const char *s = seen.secrets[i];

		if (strlen(s) < 6 || is_public(s))
			continue;
		if (strstr(line, s) != NULL)
			report(where, line);
	}
}

static void log_sink(void *arg, enum sendsec_log_level level, const char *line)
{
	(void)arg;
	(void)level;
	check_no_secret(line, "a secret in a log line");
}

/* Strict UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF), written here rather
 * than taken from common/utf8.c so that the audit line is checked by a second implementation. */
static bool is_utf8(const unsigned char *s)
{
	while (*s != '\0') {
		uint32_t cp;
		int n;

		if (s[0] < 0x80) {
			s++;
			continue;
		}
		if (s[0] >= 0xc2 && s[0] <= 0xdf)
			n = 1, cp = s[0] & 0x1f;
		else if (s[0] >= 0xe0 && s[0] <= 0xef)
			n = 2, cp = s[0] & 0x0f;
		else if (s[0] >= 0xf0 && s[0] <= 0xf4)
			n = 3, cp = s[0] & 0x07;
		else
			return false;
		for (int i = 1; i <= n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i] & 0x3f);
		}
		if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
				(n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return false;
		s += n + 1;
	}
	return true;
}

static void audit_sink(void *arg, const char *line)
{
	(void)arg;
	seen.n_audit++;
	snprintf(seen.audit, sizeof(seen.audit), "%s", line);
	if (strncmp(line, "sendsec: ", 9) != 0)
		report("the audit line does not start with 'sendsec: '", line);
	for (const char *p = line; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			report("a control character in the audit line", line);
	if (!is_utf8((const unsigned char *)line))
		report("the audit line is not valid UTF-8", line);
	check_no_secret(line, "a secret in the audit line");
}

static enum sendsec_result ask(void *arg, const char *prompt, char **answer_out)
{
	const struct model *m = arg;

	(void)prompt;
	seen.n_ask++;
	*answer_out = NULL;
	switch (m->ask_mode) {
	case 1:
		/* a front end's own allocation: not one the engine must survive */
		if ((*answer_out = __real_strdup(m->code)) == NULL)
			die("out of memory");
		return SENDSEC_OK;
	case 2: return SENDSEC_DENIED;
	default: return SENDSEC_OK;
	}
}

static time_t fixed_now(void *arg)
{
	return *(const time_t *)arg;
}

/* ---- the invariants ---- */

static struct {
	const struct input *in;
	const uint8_t *data;
	size_t size;
	enum sendsec_result rc;
	const struct sendsec_outcome *out;
} ctx_report;

static void report(const char *what, const char *detail)
{
	const struct model *m = seen.m;

	fprintf(stderr, "\nfuzz_engine: INVARIANT BROKEN: %s\n", what);
	if (detail != NULL)
		fprintf(stderr, "  detail: %s\n", detail);
	if (m != NULL)
		fprintf(stderr, "  op=%d service=%s user=%s rhost=%s methods=%s otp_mode=%s unenrolled=%s check=%s\n",
				m->op, m->service ? m->service : "(null)", m->user ? m->user : "(null)",
				m->rhost ? m->rhost : "(null)", methods_table[ctx_report.in->cfg[0] % N_METHODS].text,
				m->otp_append ? "append" : "prompt", m->unenrolled_allow ? "allow" : "deny",
				m->bind_check ? "bind" : "local");
	if (ctx_report.out != NULL)
		fprintf(stderr, "  result=%s reason=%s method=%s account=%s\n",
				sendsec_result_name(ctx_report.out->result),
				sendsec_reason_name(ctx_report.out->reason),
				ctx_report.out->method ? ctx_report.out->method : "(null)", ctx_report.out->account);
	for (size_t i = 0; i < standin_n_ops(); i++) {
		const struct standin_op *op = standin_op_at(i);

		fprintf(stderr, "  op %zu: kind=%d target=%s attr=%s status=%s%s\n", i, (int)op->kind, op->target,
				op->attr, sendsec_dir_status_name(op->status), op->injected ? " (injected)" : "");
	}
	fprintf(stderr, "  allocations: %lu seen, %lu failed (fail_at %lu%s)\n", alloc.count, alloc.failed,
			alloc.fail_at, alloc.fail_after ? " and after" : "");
	/* FUZZ_ENGINE_SURVEY=1: report every broken invariant of a corpus instead of stopping at the first */
	if (getenv("FUZZ_ENGINE_SURVEY") == NULL)
		abort();
	fprintf(stderr, "  input:");
	for (size_t i = 0; i < ctx_report.size; i++)
		fprintf(stderr, "%02x", ctx_report.data[i]);
	fprintf(stderr, "\n");
}

static bool network_ok(const char *list_text, const char *rhost)
{
	struct sendsec_cidr_list list = {NULL, 0};
	unsigned char addr[16];
	char err[128];
	bool ok;

	if (list_text == NULL)
		return true;
	ok = sendsec_cidr_list_add(&list, list_text, err, sizeof(err)) == SENDSEC_OK && rhost != NULL &&
			sendsec_addr_parse(rhost, addr) && sendsec_cidr_list_match(&list, addr);
	sendsec_cidr_list_clear(&list);
	return ok;
}

/* The account's networks as they were given (before the call). */
static bool account_network_ok(const struct input *in, const struct model *m)
{
	switch (in->acct[2] & 7) {
	case 0: return true;
	case 4: return network_ok("10.0.0.0/8", m->rhost) || network_ok("2001:db8::/32", m->rhost);
	case 5: return network_ok(in->raw[R_NET], m->rhost);
	default: return network_ok(account_networks[in->acct[2] & 7], m->rhost);
	}
}

static bool parse_time(const char *s, time_t *t)
{
	return sendsec_time_parse_generalized(s, strlen(s), t);
}

static int cmp_time(const void *a, const void *b)
{
	time_t x = *(const time_t *)a, y = *(const time_t *)b;

	return x < y ? -1 : x > y;
}

/* Locked: ppolicy's lock, or threshold failures within interval, the last under duration ago. */
/* threshold failures among the n times t (sorted here) within interval, the last under duration
 * ago (policy.c's rule, DESIGN.md section 11). */
static bool run_holds(time_t *t, size_t n, int threshold, const struct model *m)
{
	if (threshold <= 0 || m->duration <= 0 || n < (size_t)threshold)
		return false;
	qsort(t, n, sizeof(t[0]), cmp_time);
	for (size_t i = 0; i + (size_t)threshold <= n; i++) {
		time_t last = t[i + (size_t)threshold - 1];

		if (last - t[i] <= m->interval && m->now < last + m->duration)
			return true;
	}
	return false;
}

/* Locked: ppolicy's lock (any pwdAccountLockedTime), the account's lock (lockout_account_threshold
 * failures from all sources), or this source's (lockout_threshold failures from it). The record
 * the input writes holds older values only (sendsecFailureTime): they count as failures of the
 * source "-", a login without a client address. */
static bool is_locked(const struct input *in, const struct model *m)
{
	static const int spacing[4] = {1, 60, 400, 1000}, age[4] = {0, 100, 1000, 100000};
	time_t t[9];
	size_t n = 0;
	unsigned char addr[16];
	bool has_addr = m->rhost != NULL && sendsec_addr_parse(m->rhost, addr);

	if (in->acct[0] & 16 || in->acct[7] & 8)
		return true;
	for (int i = 0; i < (in->acct[3] & 7); i++)
		t[n++] = m->now - age[(in->acct[3] >> 5) & 3] - (time_t)i * spacing[(in->acct[3] >> 3) & 3];
	if ((in->acct[3] & 128) && parse_time(in->raw[R_FAILTIME], &t[n]))
		n++;
	return run_holds(t, n, m->account_threshold, m) || (!has_addr && run_holds(t, n, m->threshold, m));
}

static bool reset_required(const struct input *in, const struct model *m)
{
	const char *changed = NULL;
	char recent[20];
	time_t when;

	if (in->acct[0] & (32 | 64))
		return true;
	if (!m->reset_set)
		return false;
	sendsec_time_format_generalized(m->now - 3600, recent, sizeof(recent));
	switch (in->acct[4] & 7) {
	case 1:
	case 3:
	case 6: changed = "20250101000000Z"; break;
	case 2:
	case 4:
	case 7: changed = recent; break;
	case 5: changed = in->raw[R_MISC]; break;
	default: break;
	}
	return changed == NULL || !parse_time(changed, &when) || when < RESET_TIME;
}

static bool pw_matches(const struct model *m, const char *pw, size_t len)
{
	/* local: the first value is checked; bind: slapd tries every value */
	size_t n = m->bind_check ? m->n_pw_values : (m->n_pw_values > 0 ? 1 : 0);

	for (size_t i = 0; pw != NULL && i < n; i++)
		if (m->pw_values[i] != NULL && strlen(m->pw_values[i]) == len && memcmp(m->pw_values[i], pw, len) == 0)
			return true;
	return false;
}

/* True when code is a valid, unused code of token t: *n_out the step or counter it matches. */
static bool token_code_valid(const struct model *m, const struct token_model *t, const char *code, uint64_t *n_out)
{
	int64_t base = code_base(m, t), lo;
	uint64_t count;
	char want[16];

	if (!t->is_usable || code == NULL || strlen(code) != t->digits || base < 0)
		return false;
	/* HOTP: base .. base + lookahead (never past 2^63-1); TOTP: base - window .. base + window */
	lo = t->is_hotp ? base : base - (int64_t)t->window;
	count = t->is_hotp ? (uint64_t)t->lookahead + 1 : 2 * (uint64_t)t->window + 1;
	if (t->is_hotp && (uint64_t)(INT64_MAX - base) < t->lookahead)
		count = (uint64_t)(INT64_MAX - base) + 1;
	for (uint64_t i = 0; i < count; i++) {
		int64_t n = lo + (int64_t)i;

		if (n < 0 || (!t->is_hotp && t->has_last && (uint64_t)n <= t->last))
			continue;
		code_at(t, n, want, sizeof(want));
		if (want[0] != '\0' && strcmp(want, code) == 0) {
			*n_out = (uint64_t)n;
			return true;
		}
	}
	return false;
}

/* True when code is a valid, unused code of one of the account's tokens. */
static bool code_valid(const struct model *m, const char *code)
{
	uint64_t n;

	return token_code_valid(m, &m->t[0], code, &n) || token_code_valid(m, &m->t[1], code, &n);
}

/* True when every token the account links is usable (else a code cannot be decided). */
static bool tokens_usable(const struct model *m)
{
	return (!m->t[0].is_linked || m->t[0].is_usable) && (!m->t[1].is_linked || m->t[1].is_usable) &&
			(m->t[0].is_linked || m->t[1].is_linked);
}

/* True when t's state moved to a step or counter whose code is code, within what was valid. */
static bool token_advanced_by(const struct model *m, const struct token_model *t, const char *code)
{
	const char *after = sendsec_entry_first(
			standin_get(t->dn), t->is_hotp ? "oathHOTPCounter" : "oathTOTPLastTimeStep");
	uint64_t stored = 0, n = 0;
	char want[16];

	if (after == NULL || !parse_decimal(after, UINT64_MAX, &stored) || (t->has_last && stored == t->last))
		return false;
	code_at(t, (int64_t)stored, want, sizeof(want));
	return token_code_valid(m, t, code, &n) && stored == n && strcmp(want, code) == 0;
}

/* The index of the stored recovery code that code names (printed or not), or -1. */
static int recovery_valid(const struct input *in, const char *code)
{
	char norm[SENDSEC_RECOVERY_NORM_LEN + 1];
	int found = -1;

	if (code == NULL || !sendsec_recovery_normalize(code, norm))
		return -1;
	for (int i = 0; i < 2; i++)
		if ((in->acct[5] & (1 << i)) && strcmp(norm, recovery_norm[i]) == 0)
			found = i;
	/* a malformed value of code 0's index stored first makes code 0 unusable */
	if (found == 0 && !(in->acct[5] & 1))
		found = -1;
	return found;
}

static bool has_value(const struct sendsec_entry *e, const char *attr, const char *val)
{
	size_t n;
	const struct sendsec_val *v = sendsec_entry_values(e, attr, &n);

	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].ptr, val) == 0)
			return true;
	return false;
}

/* What the directory answered, by role. */
struct ops_seen {
	int find;          /* the account lookup, -1: none */
	int delegate_find; /* the lookup of the account an authzid names, -1: none */
	int key_search;    /* last key search status, -1: none */
	int token_read; /* worst token/params read (or re-read after a lost swap): -1 none, else the first non-OK or OK */
	int last_swap; /* last compare-and-swap status, -1: none */
	bool any_swap_ok;
	int bind;            /* last bind status, -1: none */
	int passwd_modify;   /* -1: none */
	int final_write;     /* change_password's write of sendsecPasswordChanged, -1: none */
	int touch;           /* a key's last-use write, -1: none */
	bool touch_twin;     /* and another login made that same write first */
	bool injected_other; /* an injected status other than FAILED */
	bool injected_any;
};

static void collect_ops(struct ops_seen *o)
{
	bool swap_lost = false; /* the last compare-and-swap so far was lost */

	*o = (struct ops_seen){.find = -1,
			.delegate_find = -1,
			.key_search = -1,
			.token_read = -1,
			.last_swap = -1,
			.bind = -1,
			.passwd_modify = -1,
			.final_write = -1,
			.touch = -1};
	for (size_t i = 0; i < standin_n_ops(); i++) {
		const struct standin_op *op = standin_op_at(i);
		int s = (int)op->status;

		if (op->injected) {
			o->injected_any = true;
			if (op->status != SENDSEC_DIR_FAILED)
				o->injected_other = true;
		}
		switch (op->kind) {
		case STANDIN_FIND_USER:
			/* the first is the account's; a second the shared account an authzid names */
			if (o->find == -1)
				o->find = s;
			else
				o->delegate_find = s;
			break;
		case STANDIN_SEARCH_ONE:
			if (strncmp(op->target, "(sendsecKeyId=", 14) == 0)
				o->key_search = s;
			break;
		case STANDIN_READ:
			/* a token or its params, or the re-read after a lost compare-and-swap (the
			 * lockout record's read-back is judged by the outcome alone) */
			if ((strcasecmp(op->target, TOKEN_DN) == 0 || strcasecmp(op->target, TOKEN2_DN) == 0 ||
					    strcasecmp(op->target, PARAMS_DN) == 0 || swap_lost) &&
					(o->token_read == -1 || o->token_read == SENDSEC_DIR_OK))
				o->token_read = s;
			break;
		case STANDIN_MODIFY:
			if (strcasecmp(op->attr, "oathTOTPLastTimeStep") == 0 ||
					strcasecmp(op->attr, "oathHOTPCounter") == 0 ||
					(strcasecmp(op->attr, "sendsecRecoveryCode") == 0 &&
							op->mod_op == SENDSEC_MOD_DELETE)) {
				o->last_swap = s;
				o->any_swap_ok |= s == SENDSEC_DIR_OK;
				swap_lost = s == SENDSEC_DIR_CONFLICT;
			}
			if (strcasecmp(op->attr, "sendsecPasswordChanged") == 0)
				o->final_write = s;
			if (strcasecmp(op->attr, "sendsecApiKey") == 0) {
				o->touch = s;
				o->touch_twin = op->twin;
			}
			break;
		case STANDIN_CHECK_BIND:
			/* the account's bind, not the stand-in bind of a refused login */
			if (strcasecmp(op->target, ACCOUNT_DN) == 0 || strcasecmp(op->target, DUP_DN) == 0)
				o->bind = s;
			break;
		case STANDIN_PASSWD_MODIFY: o->passwd_modify = s; break;
		default: break;
		}
	}
}

#define REQUIRE(cond, what)                                                                                            \
	do {                                                                                                           \
		if (!(cond))                                                                                           \
			report(what, #cond);                                                                           \
	} while (0)

/* True when the user names the account: a name dir.c would look up (1..256 bytes of UTF-8
 * without controls) that equals its uid without regard to case. */
static bool user_is_account(const struct model *m)
{
	size_t len = m->user != NULL ? strlen(m->user) : 0;

	return len > 0 && len <= SENDSEC_DIR_NAME_MAX && sendsec_utf8_is_valid(m->user, len) &&
			!sendsec_utf8_has_control(m->user, len) && m->uid != NULL && strcasecmp(m->user, m->uid) == 0;
}

/* The key's values after a key success: as many as before, key 0's record still there once, and
 * its last use written (now) when the write was due and went through, else unchanged. */
static void check_key_after(const struct model *m, const struct ops_seen *o, const struct sendsec_entry *after)
{
	time_t since = m->now - (m->key_used != 0 ? m->key_used : KEY_CREATED);
	bool due = m->key_used == 0 || m->now - m->key_used >= m->touch_interval;
	size_t n, found = 0;
	const struct sendsec_val *v = sendsec_entry_values(after, "sendsecApiKey", &n);
	struct sendsec_keyrec rec = {0};
	char id[SENDSEC_KEY_ID_LEN + 1], err[128];

	REQUIRE(m->max_idle == 0 || since <= (time_t)m->max_idle * 86400, "an idle key never succeeds");
	REQUIRE(n == m->n_key_values, "a last-use write replaces the value, never adds or drops one");
	for (size_t i = 0; i < n; i++) {
		if (!sendsec_keyrec_value_id(v[i].ptr, v[i].len, id) || strcmp(id, k.key_parts[0].id) != 0)
			continue;
		found++;
		sendsec_keyrec_clear(&rec);
		if (sendsec_keyrec_parse(v[i].ptr, v[i].len, &rec, err, sizeof(err)) != SENDSEC_OK)
			report("key 0's record no longer parses", err);
	}
	REQUIRE(found == 1, "key 0 keeps exactly one record");
	if (o->touch == SENDSEC_DIR_OK || o->touch_twin)
		REQUIRE(rec.used == m->now, "a last-use write stores now");
	else
		REQUIRE(rec.used == m->key_used, "no write, no change");
	if (due && !o->injected_any && alloc.failed == 0)
		REQUIRE(o->touch == SENDSEC_DIR_OK, "a due last use is written");
	if (!due)
		REQUIRE(o->touch == -1, "a last use is written at most once per interval");
	sendsec_keyrec_clear(&rec);
}

/* True when an operation before the i-th wrote to dn. */
static bool written_before(size_t i, const char *dn)
{
	for (size_t j = 0; j < i; j++) {
		const struct standin_op *op = standin_op_at(j);

		if (op->kind == STANDIN_MODIFY && strcasecmp(op->target, dn) == 0)
			return true;
	}
	return false;
}

/* Which handle each operation went to (DESIGN.md section 10): replicas serve the key search only,
 * and only when read_uri is set; a replica's answer is final unless no replica answered; the
 * re-read after a lost compare-and-swap (and the write that follows it) goes to the provider
 * written to (pinned), and nothing else is sent pinned. */
static void check_handles(const struct model *m)
{
	bool after_conflict = false, replica_answered = false;

	for (size_t i = 0; i < standin_n_ops(); i++) {
		const struct standin_op *op = standin_op_at(i);
		bool is_key_search = op->kind == STANDIN_SEARCH_ONE && strncmp(op->target, "(sendsecKeyId=", 14) == 0;
		bool is_swap = op->kind == STANDIN_MODIFY &&
				(strcasecmp(op->attr, "oathTOTPLastTimeStep") == 0 ||
						strcasecmp(op->attr, "oathHOTPCounter") == 0 ||
						(strcasecmp(op->attr, "sendsecRecoveryCode") == 0 &&
								op->mod_op == SENDSEC_MOD_DELETE));

		if (op->on_replica) {
			REQUIRE(m->has_read_uri, "no replica handle without read_uri");
			REQUIRE(is_key_search, "a replica serves the key search only");
			replica_answered = !op->unreachable;
		} else if (is_key_search && m->has_read_uri) {
			REQUIRE(!replica_answered, "a replica's answer is final");
		}
		/* pinned: the read back after a write (the lockout record, a lost compare-and-swap) and the
		 * write that follows a lost compare-and-swap */
		if (op->pinned)
			REQUIRE(!op->on_replica &&
							((op->kind == STANDIN_READ && written_before(i, op->target)) ||
									(is_swap && after_conflict)),
					"only a read back after a write, and the write after a lost compare-and-swap, "
					"are "
					"pinned, on the provider");
		if (op->kind == STANDIN_READ && after_conflict)
			REQUIRE(op->pinned, "the re-read after a lost compare-and-swap is pinned to the provider");
		if (is_swap)
			after_conflict = op->status == SENDSEC_DIR_CONFLICT;
	}
}

/* True when the request asks to act as another account (SASL authzid). */
static bool wants_delegation(const struct model *m)
{
	return m->authzid != NULL && m->authzid[0] != '\0' && m->user != NULL && strcmp(m->authzid, m->user) != 0;
}

/* The identity a success reports: the account's user_attr value; with an authzid naming another
 * account (SASL delegation), the shared account's, and only when it names this account a delegate
 * and is neither disabled nor locked by ppolicy (an API key acts only as its own account). */
static void check_identity(const struct input *in, const struct model *m, const struct sendsec_outcome *out)
{
	const char *shared_name = m->user_attr_cn ? "Newsletter Sender" : "newsletter";
	bool wants = wants_delegation(m);
	bool is_key = out->method != NULL && strcmp(out->method, "apikey") == 0;
	bool as_self = m->name != NULL && strcmp(out->account, m->name) == 0;

	if (!wants || out->result == SENDSEC_CHANGE_REQUIRED) {
		/* (the person must change their own password before anything is delegated) */
		REQUIRE(as_self, "a success names the account's user_attr");
		return;
	}
	if (as_self) {
		REQUIRE(is_key ? strcmp(m->authzid, m->name) == 0
			       : m->uid != NULL && strcasecmp(m->authzid, m->uid) == 0,
				"an authzid naming another account never reports the person's own");
		return;
	}
	REQUIRE(!is_key, "an API key acts only as its own account");
	REQUIRE(strcmp(out->account, shared_name) == 0 && strcasecmp(m->authzid, "newsletter") == 0,
			"a delegated success names the account the authzid names");
	REQUIRE((in->acct[5] & 16) && (in->acct[5] & 32), "only a delegate acts as a shared account");
	REQUIRE(!(in->acct[5] & 64) && !(in->acct[5] & 128), "nobody acts as a disabled or locked shared account");
}

/* Checks one authenticate decision. */
static void check_authenticate(const struct input *in, const struct model *m, const struct sendsec_outcome *out)
{
	struct ops_seen o;
	bool is_key_route, needs_code, has_token, locked = is_locked(in, m), reset = reset_required(in, m);
	bool prompt = !m->otp_append && m->ask_mode != 0;
	bool service_net = network_ok(m->allow_networks, m->rhost), account_net = account_network_ok(in, m);
	const struct sendsec_entry *account_after = standin_get(ACCOUNT_DN);

	collect_ops(&o);
	check_handles(m);
	is_key_route = m->user != NULL && m->password != NULL &&
			(strcmp(m->user, "apikey") == 0 ||
					(has_alt(m, F_A) && sendsec_apikey_looks_like(m->password, "ssk_")));
	has_token = m->has_link || m->has_spare;
	needs_code = any_alt_with(m, F_T) && (has_token || !has_alt(m, F_P));

	/* What the directory said decides, and nothing it failed to say may turn into a yes. */
	if (o.find != -1 && o.find != SENDSEC_DIR_OK && o.find != SENDSEC_DIR_NO_ENTRY)
		REQUIRE(out->result == SENDSEC_UNAVAILABLE, "a failed account lookup must give unavailable");
	if (o.find == SENDSEC_DIR_NO_ENTRY)
		REQUIRE(out->result == SENDSEC_UNKNOWN_USER, "no account must give unknown_user");
	if (o.delegate_find != -1 && o.delegate_find != SENDSEC_DIR_OK && o.delegate_find != SENDSEC_DIR_NO_ENTRY)
		REQUIRE(out->result == SENDSEC_UNAVAILABLE,
				"a failed lookup of the authzid's account must give unavailable");
	if (o.key_search != -1 && o.key_search != SENDSEC_DIR_OK && o.key_search != SENDSEC_DIR_NO_ENTRY)
		REQUIRE(out->result == SENDSEC_UNAVAILABLE, "a failed key search must give unavailable");
	if (o.token_read != -1 && o.token_read != SENDSEC_DIR_OK)
		REQUIRE(out->result == SENDSEC_UNAVAILABLE, "a failed token or params read must give unavailable");
	if (o.bind != -1 && o.bind != SENDSEC_DIR_OK && o.bind != SENDSEC_DIR_BAD_CREDENTIALS &&
			o.bind != SENDSEC_DIR_REFUSED)
		REQUIRE(out->result == SENDSEC_UNAVAILABLE, "a failed bind must give unavailable");
	if (o.last_swap == SENDSEC_DIR_CONFLICT && (o.token_read == -1 || o.token_read == SENDSEC_DIR_OK)) {
		/* (a failed re-read after it is unavailable, above) */
		REQUIRE(out->result == SENDSEC_DENIED && out->reason == SENDSEC_REASON_TOTP_REPLAYED,
				"a lost compare-and-swap must give totp_replayed");
	} else if (o.last_swap != -1 && o.last_swap != SENDSEC_DIR_OK) {
		REQUIRE(out->result == SENDSEC_UNAVAILABLE, "a failed compare-and-swap must give unavailable");
	}

	/* The prompts say nothing (issue 11): a refused password login where a code would be asked
	 * for is asked for it, whatever the reason. */
	if (prompt && any_alt_with(m, F_T) && any_alt_with(m, F_P) && !is_key_route && !wants_delegation(m) &&
			m->user != NULL && m->user[0] != '\0' && m->password != NULL && m->password[0] != '\0' &&
			service_net && (out->result == SENDSEC_DENIED || out->result == SENDSEC_UNKNOWN_USER) &&
			alloc.failed == 0)
		REQUIRE(seen.n_ask == 1, "a refused password login is asked for the code as an enrolled one is");
	if (out->result != SENDSEC_OK && out->result != SENDSEC_CHANGE_REQUIRED)
		goto liveness;

	/* A yes (change_required is one too: PAM's authenticate answers PAM_SUCCESS and leaves the
	 * change to acct_mgmt): everything it stands on must hold. */
	REQUIRE(out->account[0] != '\0', "a success names the account");
	check_identity(in, m, out);
	REQUIRE(m->exists, "a success needs the account");
	REQUIRE(!(in->acct[0] & 4), "a disabled account never succeeds");
	REQUIRE(service_net, "a refused network never succeeds");
	REQUIRE(account_net, "an account's refused network never succeeds");
	REQUIRE(m->password != NULL && m->password[0] != '\0' && m->user != NULL && m->user[0] != '\0',
			"an empty password or user never succeeds");
	if (out->method != NULL && strcmp(out->method, "apikey") == 0) {
		int key = strcmp(m->password, k.key_text[0]) == 0         ? 0
				: strcmp(m->password, k.key_text[1]) == 0 ? 1
									  : -1;

		REQUIRE(is_key_route && has_alt(m, F_A), "a key succeeds only where apikey is a method");
		REQUIRE(out->result == SENDSEC_OK, "a key login is a plain success or a no");
		REQUIRE(key == 0, "only key 0 has a record with its hash");
		REQUIRE(!(in->acct[6] & 8), "a key is found by its sendsecKeyId");
		REQUIRE(m->key_kind != 0 && m->key_kind != 3 && m->key_kind != 4 && m->key_kind != 6 &&
						m->key_kind != 7,
				"only a well-formed, unexpired, enabled single record lets a key in");
		REQUIRE(m->key_kind != 2 || (m->service != NULL && strcmp(m->service, "smtp") == 0),
				"a key works only in its scope");
		REQUIRE(m->key_kind != 5 || network_ok("10.0.0.0/8", m->rhost), "a key works only from its networks");
		REQUIRE(strcmp(m->user, "apikey") == 0 || user_is_account(m), "a key works for its own account");
		REQUIRE(!(in->acct[0] & 16), "no key opens an account locked by an administrator");
		REQUIRE(strcmp(out->key_id, k.key_parts[0].id) == 0, "a key success names the key");
		REQUIRE(o.key_search == SENDSEC_DIR_OK, "a key success needs the search");
		check_key_after(m, &o, account_after);
		return;
	}
	REQUIRE(!is_key_route, "a key-shaped login never succeeds as a password");
	REQUIRE(!m->dup, "a password success needs exactly one account of that name");
	REQUIRE(any_alt_with(m, F_P), "a password login needs a method with password");
	REQUIRE(o.find == SENDSEC_DIR_OK, "a success needs the account lookup");
	REQUIRE(user_is_account(m), "the account is the user's");
	REQUIRE(!locked, "a locked account never succeeds");
	REQUIRE(reset == (out->result == SENDSEC_CHANGE_REQUIRED),
			"an account that must change its password gets change_required, never a plain success");
	REQUIRE(out->method != NULL, "a success names its method");
	if (strcmp(out->method, "password") == 0) {
		REQUIRE(pw_matches(m, m->password, strlen(m->password)), "a password success needs the password");
		REQUIRE(!needs_code || (!has_token && m->unenrolled_allow),
				"the code is required unless totp_unenrolled allow and no token");
		REQUIRE(o.last_swap == -1, "a password success does not use a code");
	} else if (strcmp(out->method, "password+totp") == 0 || strcmp(out->method, "recovery") == 0) {
		bool recovery = strcmp(out->method, "recovery") == 0;
		const char *code = NULL, *pw = m->password;
		size_t pw_len = strlen(pw);

		REQUIRE(needs_code && has_token, "a code is used only where one is required");
		REQUIRE(o.last_swap == SENDSEC_DIR_OK, "a code success needs its compare-and-swap");
		if (prompt) {
			code = m->code;
			REQUIRE(m->ask_mode == 1, "a code was given");
			REQUIRE(pw_matches(m, pw, pw_len), "a code success needs the password too");
		} else {
			/* the code is the tail of the password, of the length of a recovery code or of a token's codes */
			size_t lengths[3] = {SENDSEC_RECOVERY_PRINTED_LEN, m->t[0].digits, m->t[1].digits}, n = 0;

			for (size_t i = recovery ? 0 : 1; i < (recovery ? 1 : 3) && code == NULL; i++) {
				if (pw_len > lengths[i] && pw_matches(m, pw, pw_len - lengths[i]) &&
						(recovery ? recovery_valid(in, pw + pw_len - lengths[i]) >= 0
							  : code_valid(m, pw + pw_len - lengths[i])))
					n = lengths[i], code = pw + pw_len - n;
			}
			REQUIRE(code != NULL, "a code success needs the password and a valid code appended");
			if (code == NULL)
				return;
		}
		if (recovery) {
			int r = recovery_valid(in, code);

			REQUIRE(r >= 0, "a recovery success needs a stored recovery code");
			REQUIRE(r < 0 || !has_value(account_after, "sendsecRecoveryCode", k.recovery[r]),
					"a recovery code is used once");
		} else {
			REQUIRE(code_valid(m, code), "a code success needs a valid unused code");
			REQUIRE(token_advanced_by(m, &m->t[0], code) || token_advanced_by(m, &m->t[1], code),
					"a code success stores the step or counter of the code on its token");
		}
	} else {
		report("unexpected method on success", out->method);
	}
	return;

liveness:
	/* A no where everything is right must come from a failure that was injected. */
	if (m->op != 0 || is_key_route || !m->exists || m->dup || !user_is_account(m) || m->name == NULL ||
			(in->acct[0] & 4) || !service_net || !account_net || locked || !any_alt_with(m, F_P) ||
			m->password == NULL || m->password[0] == '\0' || o.injected_other)
		return;
	if ((m->service != NULL && strcmp(m->service, "smtp") == 0 && m->broken_smtp) || m->broken_override)
		return;
	if (wants_delegation(m))
		return; /* delegation: whether the shared account lets the person in is its own matter */
	if (!needs_code || (!has_token && m->unenrolled_allow)) {
		if (!pw_matches(m, m->password, strlen(m->password)) || (needs_code && has_token))
			return;
	} else {
		size_t pw_len = strlen(m->password);
		bool is_right = false;

		if (!has_token || !tokens_usable(m))
			return;
		if (prompt) {
			is_right = m->ask_mode == 1 && pw_matches(m, m->password, pw_len) &&
					(code_valid(m, m->code) || recovery_valid(in, m->code) >= 0);
		} else if (sendsec_recovery_tail(m->password) != 0) {
			size_t n = SENDSEC_RECOVERY_PRINTED_LEN;

			is_right = pw_len > n && pw_matches(m, m->password, pw_len - n) &&
					recovery_valid(in, m->password + pw_len - n) >= 0;
		} else {
			for (size_t i = 0; i < 2 && !is_right; i++) {
				size_t n = m->t[i].digits;

				is_right = m->t[i].is_linked && pw_len > n && pw_matches(m, m->password, pw_len - n) &&
						code_valid(m, m->password + pw_len - n);
			}
		}
		if (!is_right)
			return;
	}
	if (!o.injected_any && alloc.failed == 0) {
		if (reset)
			REQUIRE(out->result == SENDSEC_CHANGE_REQUIRED,
					"right credentials on an account that must change its password give "
					"change_required");
		else
			report("right credentials and nothing failed, yet no success", NULL);
	} else if (alloc.failed == 0) {
		REQUIRE(out->result == SENDSEC_OK || out->result == SENDSEC_CHANGE_REQUIRED ||
						out->result == SENDSEC_UNAVAILABLE,
				"right credentials and a directory failure give unavailable, never a no");
	} else {
		/* Out of memory, a check may fail closed with its own reason (a network list or the
		 * failure record that cannot be read); it is never blamed on the credentials. */
		REQUIRE(out->result != SENDSEC_DENIED ||
						(out->reason != SENDSEC_REASON_BAD_PASSWORD &&
								out->reason != SENDSEC_REASON_BAD_TOTP &&
								out->reason != SENDSEC_REASON_TOTP_REPLAYED),
				"right credentials and an allocation failure are never a wrong credential");
	}
}

static void check_account(const struct input *in, const struct model *m, const struct sendsec_outcome *out)
{
	struct ops_seen o;

	collect_ops(&o);
	if (o.find != -1 && o.find != SENDSEC_DIR_OK && o.find != SENDSEC_DIR_NO_ENTRY)
		REQUIRE(out->result == SENDSEC_UNAVAILABLE, "a failed account lookup must give unavailable");
	if (out->result != SENDSEC_OK && out->result != SENDSEC_CHANGE_REQUIRED)
		return;
	REQUIRE(o.find == SENDSEC_DIR_OK && m->exists && !m->dup && user_is_account(m), "the account was found");
	REQUIRE(!(in->acct[0] & 4), "a disabled account is refused");
	REQUIRE(!(in->acct[0] & 16), "an account locked by an administrator is refused");
	REQUIRE(network_ok(m->allow_networks, m->rhost) && account_network_ok(in, m), "a refused network is refused");
	if (out->result == SENDSEC_OK) {
		REQUIRE(!reset_required(in, m), "an account that must change its password is told so");
		REQUIRE(m->name != NULL && strcmp(out->account, m->name) == 0, "the outcome names the account");
	}
}

static void check_change(const struct input *in, const struct model *m, const struct sendsec_outcome *out)
{
	struct ops_seen o;
	const struct sendsec_entry *after = standin_get(ACCOUNT_DN);
	size_t n;
	const struct sendsec_val *v;
	bool verified = false;

	collect_ops(&o);
	if (o.find != -1 && o.find != SENDSEC_DIR_OK && o.find != SENDSEC_DIR_NO_ENTRY)
		REQUIRE(out->result == SENDSEC_UNAVAILABLE, "a failed account lookup must give unavailable");
	if (o.final_write != -1 && o.final_write != SENDSEC_DIR_OK)
		REQUIRE(out->result == SENDSEC_UNAVAILABLE, "a failed write must give unavailable");
	if (out->result != SENDSEC_OK)
		return;
	REQUIRE(o.find == SENDSEC_DIR_OK && m->exists && !m->dup && user_is_account(m), "the account was found");
	REQUIRE(m->new_pw != NULL && strlen(m->new_pw) >= (size_t)m->min_len, "the new password is long enough");
	if (m->old_pw != NULL) {
		REQUIRE(!is_locked(in, m), "a locked account cannot change its password with the old one");
		REQUIRE(pw_matches(m, m->old_pw, strlen(m->old_pw)), "the old password is checked");
	}
	REQUIRE(o.final_write == SENDSEC_DIR_OK, "the change was written");
	REQUIRE(!sendsec_entry_is_true(after, "sendsecResetRequired"), "the reset flag is cleared");
	v = sendsec_entry_values(after, "userPassword", &n);
	for (size_t i = 0; i < n && !verified; i++)
		verified = sendsec_hash_verify(v[i].ptr, v[i].len, m->new_pw, OPSLIMIT, MEMLIMIT, NULL, NULL) ==
				SENDSEC_OK;
	REQUIRE(verified, "the new password is the one stored");
}

/* Checks that hold for every decision. */
static void check_common(const struct model *m, enum sendsec_result rc, const struct sendsec_outcome *out)
{
	REQUIRE(rc == out->result, "the result returned is the outcome's");
	REQUIRE(rc >= SENDSEC_OK && rc <= SENDSEC_UNAVAILABLE, "a known result");
	REQUIRE((rc == SENDSEC_OK) == (out->reason == SENDSEC_REASON_NONE), "a reason exactly when not a success");
	REQUIRE((rc == SENDSEC_UNAVAILABLE) == (out->reason == SENDSEC_REASON_UNAVAILABLE),
			"unavailable is reported as unavailable");
	REQUIRE(memchr(out->account, '\0', sizeof(out->account)) != NULL, "the account is a string");
	REQUIRE(seen.n_audit == 1, "one audit line per decision");
	REQUIRE(seen.n_ask <= 1, "the code is asked for at most once");
	REQUIRE(seen.n_ask == 0 || (m->op == 0 && m->ask_mode != 0 && !m->otp_append), "asked only when it may ask");
	REQUIRE(strstr(seen.audit, rc == SENDSEC_OK ? "result=success" : "result=failure") != NULL,
			"the audit line says the result");
	if (rc != SENDSEC_OK)
		REQUIRE(strstr(seen.audit, sendsec_reason_name(out->reason)) != NULL, "the audit line says why");
	if ((m->broken_smtp && m->service != NULL && strcmp(m->service, "smtp") == 0) || m->broken_override)
		REQUIRE(rc == SENDSEC_UNAVAILABLE, "a service whose settings are broken is unavailable");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct input in;
	static struct model m;
	struct sendsec_ctx *ctx = NULL;
	struct sendsec_outcome out;
	struct sendsec_log log = {.emit = log_sink, .max_level = SENDSEC_LOG_DEBUG};
	struct sendsec_audit_sink sink = {.emit = audit_sink};
	struct sendsec_request req;
	int schedule[8];
	char err[256];
	const char *secrets[24], *public[16];
	size_t ns = 0, np = 0;
	enum sendsec_result rc;

	if (!k.ready)
		setup();
	rng_state = 1;
	parse_input(data, size, &in);
	memset(&m, 0, sizeof(m));
	m.now = BASE_TIME + in.clock;
	standin_reset();
	write_config(&in, &m);
	if (!is_cheap(&in))
		goto out;
	build_account(&in, &m);
	build_token(&in, &m);
	build_spare(&m);
	build_request(&in, &m);
	for (int i = 0; i < 8; i++) {
		static const int statuses[8] = {STANDIN_NONE, STANDIN_NONE, STANDIN_NONE, STANDIN_NONE,
				SENDSEC_DIR_FAILED, SENDSEC_DIR_CONFLICT, SENDSEC_DIR_NO_ENTRY,
				SENDSEC_DIR_BAD_CREDENTIALS};

		schedule[i] = statuses[in.sched[i] & 7];
		if ((in.sched[i] & 0x87) == 0x87)
			schedule[i] = SENDSEC_DIR_REFUSED;
		if ((in.sched[i] & 0x87) == 0x85)
			schedule[i] = STANDIN_TWIN;
		if ((in.sched[i] & 0x87) == 0x84)
			schedule[i] = STANDIN_UNREACHABLE;
	}
	standin_set_schedule(schedule, 8);

	/* No password, code or key given may reach a line; names and addresses may. */
	secrets[ns++] = known_pw[0];
	secrets[ns++] = known_pw[1];
	secrets[ns++] = wrong_pw;
	secrets[ns++] = new_pw_long;
	for (int i = 0; i < 3; i++) {
		secrets[ns++] = recovery_printed[i];
		secrets[ns++] = recovery_norm[i];
	}
	secrets[ns++] = k.key_parts[0].secret;
	secrets[ns++] = k.key_parts[1].secret;
	if (m.password != NULL && strpbrk(m.password, " =?") == NULL && strlen(m.password) >= 8)
		secrets[ns++] = m.password;
	if (m.new_pw != NULL && strpbrk(m.new_pw, " =?") == NULL && strlen(m.new_pw) >= 8)
		secrets[ns++] = m.new_pw;
	if (m.code != NULL && strpbrk(m.code, " =?") == NULL && strlen(m.code) >= 6)
		secrets[ns++] = m.code;
	secrets[ns] = NULL;
	public[np++] = m.user != NULL ? m.user : "";
	public[np++] = m.service != NULL ? m.service : "";
	public[np++] = m.rhost != NULL ? m.rhost : "";
	public[np++] = in.raw[R_MISC];
	public[np++] = in.raw[R_NET];
	public[np++] = in.raw[R_FAILTIME];
	public[np++] = ACCOUNT_DN " " DUP_DN " " TOKEN_DN " " PARAMS_DN " " TOKEN2_DN " Alice Smith";
	public[np++] = k.key_parts[0].id;
	public[np++] = k.key_parts[1].id;
	public[np] = NULL;
	memset(&seen, 0, sizeof(seen));
	seen.secrets = secrets;
	seen.public = public;
	seen.m = &m;
	ctx_report.in = &in;
	ctx_report.data = data;
	ctx_report.size = size;
	ctx_report.out = NULL;

	/* alloc_mode bit 1: the allocation to fail is one of sendsec_ctx_new's, else one of the
	 * decision's (counted from its start) */
	memset(&alloc, 0, sizeof(alloc));
	alloc.thread = pthread_self();
	alloc.fail_at = in.alloc_at;
	alloc.fail_after = in.alloc_mode & 1;
	alloc.armed = in.alloc_mode & 2;
	rc = sendsec_ctx_new(k.conf, false, &m.override, m.override != NULL ? 1 : 0, &log, &ctx, err, sizeof(err));
	if (getenv("FUZZ_ENGINE_VERBOSE") != NULL)
		fprintf(stderr, "context: %s after %lu allocations (%lu failed)\n", sendsec_result_name(rc),
				alloc.count, alloc.failed);
	if (rc != SENDSEC_OK) {
		alloc.armed = false;
		REQUIRE(ctx == NULL, "a refused context is not handed out");
		if (alloc.failed == 0)
			report("the fuzz config was refused", err);
		goto out;
	}
	sendsec_ctx_set_clock(ctx, fixed_now, &m.now);
	sendsec_ctx_set_audit_sink(ctx, &sink);
	memset(&out, 0, sizeof(out));
	ctx_report.out = &out;
	alloc.armed = !(in.alloc_mode & 2);
	switch (m.op) {
	case 0:
		req = (struct sendsec_request){.service = m.service,
				.user = m.user,
				.password = m.password,
				.rhost = m.rhost,
				.ask = m.ask_mode != 0 ? ask : NULL,
				.ask_arg = &m,
				.authzid = m.authzid};
		rc = sendsec_authenticate(ctx, &req, &out);
		break;
	case 1: rc = sendsec_account_check(ctx, m.service, m.user, m.rhost, &out); break;
	default: rc = sendsec_change_password(ctx, m.service, m.user, m.old_pw, m.new_pw, &out); break;
	}
	alloc.armed = false;
	ctx_report.rc = rc;
	if (getenv("FUZZ_ENGINE_VERBOSE") != NULL)
		fprintf(stderr, "result=%s reason=%s method=%s ops=%zu allocs=%lu failed=%lu audit: %s\n",
				sendsec_result_name(rc), sendsec_reason_name(out.reason), out.method ? out.method : "-",
				standin_n_ops(), alloc.count, alloc.failed, seen.audit);
	check_common(&m, rc, &out);
	switch (m.op) {
	case 0: check_authenticate(&in, &m, &out); break;
	case 1: check_account(&in, &m, &out); break;
	default: check_change(&in, &m, &out); break;
	}
	sendsec_ctx_free(ctx);
out:
	alloc.armed = false;
	standin_reset();
	return 0;
}
