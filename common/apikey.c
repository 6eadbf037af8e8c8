/* apikey.c — API keys (DESIGN.md section 5): the presented key text, its CRC32 check characters,
 * minting, and the stored sendsecApiKey value. No directory access and no logging happen here; the
 * secret part of a key is wiped from every buffer this file fills, on every path.
 *
 * KEY TEXT
 *
 *   key    = prefix id "_" secret check
 *   id     = 12base62                  ; names the key; public (audit lines, sendsecKeyId)
 *   secret = 43base62                  ; 43 * log2(62) > 256 random bits
 *   check  = 6base62                   ; CRC32 (IEEE 802.3, as zlib) of prefix id "_" secret,
 *                                      ; as a 6-digit base62 number, most significant digit first
 *   base62 = "0"-"9" / "A"-"Z" / "a"-"z" (digit values 0..61 in that order)
 *
 * A key longer than SENDSEC_KEY_MAX characters, or one that differs from this grammar anywhere, is
 * refused (SENDSEC_DENIED) before any directory lookup. sendsec_apikey_looks_like() only checks
 * the prefix and that the length is within 4 characters of a real key's, so that a key with a
 * typo still takes the key path (and is refused there) instead of becoming a password attempt.
 *
 * STORED VALUE (sendsecApiKey, one value per key; this grammar is copied into sendsecctl(8))
 *
 *   value    = "v1" 8( ";" field ) [ ";" used ]
 *                                      ; each of the 8 fields exactly once and "used" at most
 *                                      ; once, in any order; written in the order below
 *   field    = "id=" id
 *            / "hash=" b64hash         ; BLAKE2b-256 (unkeyed) of the 43 secret characters,
 *                                      ; standard base64 with padding: exactly 44 characters
 *            / "scopes=" scope *( "," scope )
 *            / "expires=" ( gtime / "-" )            ; "-": never expires
 *            / "created=" gtime
 *            / "networks=" ( cidr *( "," cidr ) / "-" ) ; "-": from any address
 *            / "disabled=" ( "0" / "1" )
 *            / "desc=" *( dchar / pct )              ; may be empty
 *   used     = "used=" gtime "," ( addr / "-" )      ; last use and its client address
 *                                      ; ("-": none given); absent: never used. Written only
 *                                      ; by the touch (factor_apikey.c), after "created"
 *   scope    = 1*( ALPHA / DIGIT / "." / "_" / "-" ) / "*"   ; a service name, "*": every service
 *   gtime    = GeneralizedTime (RFC 4517), e.g. 20261128020000Z; written in UTC with "Z"
 *   cidr     = IPv4 or IPv6 address with an optional "/" prefix length
 *   addr     = IPv4 or IPv6 address (no prefix length); written as inet_ntop writes it, an
 *              IPv4-mapped IPv6 address as plain IPv4
 *   dchar    = %x20-7E except ";" / "=" / "%"
 *   pct      = "%" HEXDIG HEXDIG       ; any other byte; written in upper case, read in either
 *
 * The description is UTF-8 text chosen by a person: every byte of it outside dchar (";", "=", "%",
 * control characters, non-ASCII) is percent-encoded, so it can never end its field or look like
 * another field, and the whole value stays printable ASCII, which ldapsearch shows as it is.
 * %00 is refused. A value longer than 8192 bytes is refused. Example (one line):
 *
 *   v1;id=4Fq9xK2bT0aZ;hash=q0tBx0SYTFZ0ZX4fQj3mhWGr1fd2pI8h6c0uYb7ZpXk=;scopes=smtp,submission;
 *   expires=20261128020000Z;created=20250301120000Z;networks=192.0.2.0/24,2001:db8::/32;
 *   disabled=0;desc=CRM sender %E2%80%94 Jane%3B laptop
 *
 * Values written before "used" existed (8 fields) parse as never used. A host running a version
 * without "used" refuses a value that has it (unknown field): upgrade every host that reads keys
 * before any host writes last use.
 *
 * Anything else (unknown version, unknown, missing or repeated field, bad hash length, bad time,
 * bad scope or network) is malformed stored data: SENDSEC_UNAVAILABLE, with err naming the field
 * (never its value). An expiry at or before the epoch is refused, as 0 would read as "never";
 * so is a last use at or before it. */
#include "apikey.h"

#include <endian.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timeutil.h"

#define KEY_BODY_LEN     (SENDSEC_KEY_ID_LEN + 1 + SENDSEC_KEY_SECRET_LEN + SENDSEC_KEY_CHECK_LEN)
#define LOOKS_LIKE_SLACK 4
#define VALUE_MAX        8192
#define HASH_B64_LEN     44 /* base64 of 32 bytes, padded */

enum field {
	F_ID,
	F_HASH,
	F_SCOPES,
	F_EXPIRES,
	F_CREATED,
	F_NETWORKS,
	F_DISABLED,
	F_DESC,
	F_USED, /* optional: the only field that may be missing */
	F_COUNT,
};

static const struct {
	const char *name;
	size_t len;
} field_names[F_COUNT] = {
#define FIELD(name)                                                                                                    \
	{                                                                                                              \
		name, sizeof(name) - 1                                                                                 \
	}
		FIELD("id"),
		FIELD("hash"),
		FIELD("scopes"),
		FIELD("expires"),
		FIELD("created"),
		FIELD("networks"),
		FIELD("disabled"),
		FIELD("desc"),
		FIELD("used"),
#undef FIELD
};

/* ---- eight bytes at a time ----
 *
 * The presented key's alphabet, the stored hash's base64 and the stored value's printable check
 * run on every key login; read eight bytes per step they cost about 4k instructions less per
 * login than a byte at a time and libsodium's decoder (BENCHMARKS.md, key logins on a fleet).
 * Byte-wise compares on a 64-bit word whose bytes are below 0x80 (x) or have their top bit set
 * (xh = w | 0x80...), with a constant c below 0x80: each gives the top bit of every byte for which
 * it holds, without a branch or a lookup and without a borrow between bytes, so that no character
 * of a key or a stored hash decides a branch or an address. test_apikey checks each use on every
 * byte value at every position. */
#define SWAR_ONES      0x0101010101010101u
#define SWAR_HIGHS     0x8080808080808080u
#define SWAR_GE(xh, c) (((xh) - (c)*SWAR_ONES) & SWAR_HIGHS)               /* byte >= c */
#define SWAR_LE(x, c)  ((((c)*SWAR_ONES | SWAR_HIGHS) - (x)) & SWAR_HIGHS) /* byte <= c */
#define SWAR_BYTES(t)  (((t) - ((t) >> 7)) | (t))                          /* top bit to the whole byte */

/* Eight bytes from p, byte i of p in bits 8i..8i+7 whatever the host's byte order. */
static uint64_t load8(const void *p)
{
	uint64_t w;

	memcpy(&w, p, sizeof(w));
	return le64toh(w);
}

/* The top bit of every byte of w that is a base62 character. */
static uint64_t base62_bytes(uint64_t w)
{
	uint64_t x = w & ~SWAR_HIGHS, xh = w | SWAR_HIGHS;

	return ((SWAR_GE(xh, '0') & SWAR_LE(x, '9')) | (SWAR_GE(xh, 'A') & SWAR_LE(x, 'Z')) |
			       (SWAR_GE(xh, 'a') & SWAR_LE(x, 'z'))) &
			~w; /* a byte above 0x7F is none */
}

/* ---- base62 and CRC32 ---- */

static bool is_base62(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* Digit value 0..61 to its character. Arithmetic instead of a table lookup, so that a secret
 * digit never selects a memory address. */
static char base62_char(unsigned v)
{
	unsigned c = '0' + v;

	c += ((9u - v) >> 31) * ('A' - '9' - 1);  /* v >= 10 */
	c += ((35u - v) >> 31) * ('a' - 'Z' - 1); /* v >= 36 */
	return (char)c;
}

/* CRC-32/IEEE (reflected polynomial 0xEDB88320, initial and final value 0xFFFFFFFF), a byte at a
 * time without a table, so that no secret byte ever selects a memory address: the step of one byte
 * is linear over GF(2), crc' = (crc >> 8) ^ XOR of K[i] for each set bit i of the low byte, where
 * K[i] is the CRC step of bit i alone (entry 1 << i of the usual 256-entry table). Each term is a
 * mask made from its bit, with no branch, and the eight are independent of each other. */
#define CRC_TERM(c, i, k) ((0u - (((c) >> (i)) & 1u)) & (k))

uint32_t sendsec_apikey_crc32(const char *data, size_t len)
{
	uint32_t crc = 0xFFFFFFFFu;

	for (size_t i = 0; i < len; i++) {
		uint32_t c = crc ^ (unsigned char)data[i];

		crc = (c >> 8) ^ CRC_TERM(c, 0, 0x77073096u) ^ CRC_TERM(c, 1, 0xEE0E612Cu) ^
				CRC_TERM(c, 2, 0x076DC419u) ^ CRC_TERM(c, 3, 0x0EDB8832u) ^
				CRC_TERM(c, 4, 0x1DB71064u) ^ CRC_TERM(c, 5, 0x3B6E20C8u) ^
				CRC_TERM(c, 6, 0x76DC4190u) ^ CRC_TERM(c, 7, 0xEDB88320u);
	}
	return crc ^ 0xFFFFFFFFu;
}

/* Writes the check characters (not NUL-terminated) for the len bytes of text. */
static void check_chars(const char *text, size_t len, char out[SENDSEC_KEY_CHECK_LEN])
{
	uint32_t v = sendsec_apikey_crc32(text, len);

	for (int i = SENDSEC_KEY_CHECK_LEN - 1; i >= 0; i--) {
		out[i] = base62_char(v % 62);
		v /= 62;
	}
}

/* ---- presented keys ---- */

_Static_assert(KEY_BODY_LEN == 62 && SENDSEC_KEY_ID_LEN == 12, "sendsec_apikey_parse's words cover the body");
#define UNDERSCORE_BYTE ((uint64_t)0x80 << 8 * (SENDSEC_KEY_ID_LEN - 8)) /* of the word at 8 */

/* The top bit of every byte of w that is "_". */
static uint64_t underscore_bytes(uint64_t w)
{
	uint64_t x = w & ~SWAR_HIGHS, xh = w | SWAR_HIGHS;

	return SWAR_GE(xh, '_') & SWAR_LE(x, '_') & ~w;
}

bool sendsec_apikey_looks_like(const char *text, const char *prefix)
{
	size_t plen, len;

	if (text == NULL || prefix == NULL)
		return false;
	plen = strlen(prefix);
	if (strncmp(text, prefix, plen) != 0)
		return false;
	len = strnlen(text, SENDSEC_KEY_MAX + 1);
	return len <= SENDSEC_KEY_MAX && len >= plen + KEY_BODY_LEN - LOOKS_LIKE_SLACK &&
			len <= plen + KEY_BODY_LEN + LOOKS_LIKE_SLACK;
}

enum sendsec_result sendsec_apikey_parse(const char *text, const char *prefix, struct sendsec_apikey *out)
{
	enum sendsec_result rc = SENDSEC_DENIED;
	char check[SENDSEC_KEY_CHECK_LEN];
	const char *body;
	size_t plen, len;
	unsigned bad = 0;
	uint64_t w = 0, ok = SWAR_HIGHS;

	sodium_memzero(out, sizeof(*out));
	if (text == NULL || prefix == NULL || sodium_init() < 0)
		goto out;
	plen = strlen(prefix);
	len = strnlen(text, SENDSEC_KEY_MAX + 1);
	if (len > SENDSEC_KEY_MAX || len != plen + KEY_BODY_LEN || memcmp(text, prefix, plen) != 0)
		goto out;
	body = text + plen;
	/* Every character is looked at, eight at a time and without a branch, whatever the first bad
	 * one, so timing says nothing about where or what: the words at 0, 8, ..., 48 and the last
	 * eight bytes (54..61, overlapping); byte 4 of the word at 8 is the "_" after the id. */
	for (size_t i = 0; i < 56; i += 8)
		if (i != 8)
			ok &= base62_bytes(load8(body + i));
	w = load8(body + 8);
	ok &= (base62_bytes(w) & ~UNDERSCORE_BYTE) | (underscore_bytes(w) & UNDERSCORE_BYTE);
	ok &= base62_bytes(load8(body + KEY_BODY_LEN - 8));
	bad |= ok != SWAR_HIGHS;
	check_chars(text, len - SENDSEC_KEY_CHECK_LEN, check);
	bad |= sodium_memcmp(check, text + len - SENDSEC_KEY_CHECK_LEN, SENDSEC_KEY_CHECK_LEN) != 0;
	if (bad)
		goto out;
	memcpy(out->id, body, SENDSEC_KEY_ID_LEN);
	memcpy(out->secret, body + SENDSEC_KEY_ID_LEN + 1, SENDSEC_KEY_SECRET_LEN);
	rc = SENDSEC_OK;
out:
	sodium_memzero(check, sizeof(check));
	sodium_memzero(&w, sizeof(w)); /* eight characters of the key */
	return rc;
}

void sendsec_apikey_clear(struct sendsec_apikey *k)
{
	if (k != NULL)
		sodium_memzero(k, sizeof(*k));
}

/* Fills out with n uniformly distributed base62 characters: random bytes below 248 (= 4 * 62)
 * are kept and taken modulo 62, the rest are drawn again. */
static void random_base62(char *out, size_t n)
{
	unsigned char pool[64];
	size_t used = sizeof(pool);

	for (size_t i = 0; i < n;) {
		if (used == sizeof(pool)) {
			randombytes_buf(pool, sizeof(pool));
			used = 0;
		}
		unsigned char b = pool[used++];
		if (b < 248)
			out[i++] = base62_char(b % 62u);
	}
	sodium_memzero(pool, sizeof(pool));
}

enum sendsec_result sendsec_apikey_mint(
		const char *prefix, char *key_out, size_t keylen, struct sendsec_apikey *parts_out)
{
	enum sendsec_result rc = SENDSEC_UNAVAILABLE;
	size_t plen, total;
	char *p;

	if (parts_out != NULL)
		sodium_memzero(parts_out, sizeof(*parts_out));
	if (key_out == NULL || keylen == 0)
		return SENDSEC_UNAVAILABLE;
	sodium_memzero(key_out, keylen);
	if (prefix == NULL || parts_out == NULL || sodium_init() < 0)
		goto out;
	plen = strlen(prefix);
	total = plen + KEY_BODY_LEN;
	if (total > SENDSEC_KEY_MAX || keylen < total + 1)
		goto out;
	memcpy(key_out, prefix, plen);
	p = key_out + plen;
	random_base62(p, SENDSEC_KEY_ID_LEN);
	p[SENDSEC_KEY_ID_LEN] = '_';
	random_base62(p + SENDSEC_KEY_ID_LEN + 1, SENDSEC_KEY_SECRET_LEN);
	check_chars(key_out, total - SENDSEC_KEY_CHECK_LEN, key_out + total - SENDSEC_KEY_CHECK_LEN);
	key_out[total] = '\0';
	memcpy(parts_out->id, p, SENDSEC_KEY_ID_LEN);
	memcpy(parts_out->secret, p + SENDSEC_KEY_ID_LEN + 1, SENDSEC_KEY_SECRET_LEN);
	rc = SENDSEC_OK;
out:
	if (rc != SENDSEC_OK) {
		sodium_memzero(key_out, keylen);
		if (parts_out != NULL)
			sodium_memzero(parts_out, sizeof(*parts_out));
	}
	return rc;
}

void sendsec_apikey_hash(const struct sendsec_apikey *key, unsigned char hash_out[SENDSEC_KEY_HASH_LEN])
{
	crypto_generichash(hash_out, SENDSEC_KEY_HASH_LEN, (const unsigned char *)key->secret,
			strnlen(key->secret, SENDSEC_KEY_SECRET_LEN), NULL, 0);
}

bool sendsec_apikey_matches(const struct sendsec_apikey *key, const struct sendsec_keyrec *rec)
{
	unsigned char hash[SENDSEC_KEY_HASH_LEN];
	int id_diff, hash_diff;

	if (key == NULL || rec == NULL || sodium_init() < 0)
		return false;
	sendsec_apikey_hash(key, hash);
	id_diff = sodium_memcmp(key->id, rec->id, SENDSEC_KEY_ID_LEN);
	hash_diff = sodium_memcmp(hash, rec->hash, SENDSEC_KEY_HASH_LEN);
	sodium_memzero(hash, sizeof(hash));
	return (id_diff | hash_diff) == 0;
}

bool sendsec_keyrec_in_scope(const struct sendsec_keyrec *rec, const char *service)
{
	if (rec == NULL || rec->scopes == NULL || service == NULL)
		return false;
	for (char **s = rec->scopes; *s != NULL; s++) {
		if (strcmp(*s, "*") == 0 || strcmp(*s, service) == 0)
			return true;
	}
	return false;
}

/* ---- stored values: parsing ---- */

__attribute__((format(printf, 3, 4))) static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static bool is_scope_char(unsigned char c)
{
	return is_base62(c) || c == '.' || c == '_' || c == '-';
}

static bool is_dchar(unsigned char c)
{
	return c >= 0x20 && c <= 0x7e && c != ';' && c != '=' && c != '%';
}

static int hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* id = 12base62 */
static bool is_id(const char *v, size_t n)
{
	if (n != SENDSEC_KEY_ID_LEN)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!is_base62((unsigned char)v[i]))
			return false;
	}
	return true;
}

bool sendsec_apikey_is_id(const char *id)
{
	return id != NULL && is_id(id, strnlen(id, SENDSEC_KEY_ID_LEN + 1));
}

static bool parse_id(const char *v, size_t n, char id_out[SENDSEC_KEY_ID_LEN + 1])
{
	if (!is_id(v, n))
		return false;
	memcpy(id_out, v, n);
	id_out[n] = '\0';
	return true;
}

/* scope = 1*( ALPHA / DIGIT / "." / "_" / "-" ) / "*" */
static bool is_scope(const char *v, size_t n)
{
	if (n == 1 && v[0] == '*')
		return true;
	for (size_t i = 0; i < n; i++) {
		if (!is_scope_char((unsigned char)v[i]))
			return false;
	}
	return n > 0;
}

bool sendsec_apikey_is_scope(const char *scope)
{
	return scope != NULL && is_scope(scope, strlen(scope));
}

bool sendsec_keyrec_value_id(const char *value, size_t len, char id_out[SENDSEC_KEY_ID_LEN + 1])
{
	size_t start = 0;

	if (value == NULL)
		return false;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && value[i] != ';')
			continue;
		if (i - start >= 3 && memcmp(value + start, "id=", 3) == 0)
			return parse_id(value + start + 3, i - start - 3, id_out);
		start = i + 1;
	}
	return false;
}

/* All ones when lo <= c <= hi, else 0, without a branch (c is a byte value, lo <= hi <= 255). */
static uint32_t in_range(uint32_t c, uint32_t lo, uint32_t hi)
{
	return 0u - ((((c - lo) | (hi - c)) >> 31) ^ 1u);
}

/* The value 0..63 of a character of the standard base64 alphabet; sets *bad when it is not one.
 * Arithmetic only, as libsodium's decoder: no character of the hash selects a branch or an address. */
static uint32_t b64_value(unsigned char ch, uint32_t *bad)
{
	uint32_t c = ch;
	uint32_t upper = in_range(c, 'A', 'Z'), lower = in_range(c, 'a', 'z'), digit = in_range(c, '0', '9');
	uint32_t plus = in_range(c, '+', '+'), slash = in_range(c, '/', '/');

	*bad |= ~(upper | lower | digit | plus | slash) & 1u;
	return (upper & (c - 'A')) | (lower & (c - 'a' + 26)) | (digit & (c - '0' + 52)) | (plus & 62u) | (slash & 63u);
}

/* Eight base64 characters at once (w, loaded little-endian: character i in byte i), without a
 * branch or a lookup: SWAR compares of every byte with the alphabet's ranges, each byte moved to
 * its value by the offset of its range, then the eight 6-bit values packed into 6 bytes. Sets *bad
 * when any byte is not in the alphabet. */
static void b64_decode8(uint64_t w, unsigned char out[6], uint64_t *bad)
{
	uint64_t x = w & ~SWAR_HIGHS, xh = w | SWAR_HIGHS, upper, lower, digit, plus, slash, off, v, p, q;

	upper = SWAR_GE(xh, 'A') & SWAR_LE(x, 'Z');
	lower = SWAR_GE(xh, 'a') & SWAR_LE(x, 'z');
	digit = SWAR_GE(xh, '0') & SWAR_LE(x, '9');
	plus = SWAR_GE(xh, '+') & SWAR_LE(x, '+');
	slash = SWAR_GE(xh, '/') & SWAR_LE(x, '/');
	*bad |= (w & SWAR_HIGHS) | ((upper | lower | digit | plus | slash) ^ SWAR_HIGHS);
	/* 'A' -> 0, 'a' -> 26, '0' -> 52, '+' -> 62, '/' -> 63: adding 256 - 65, 256 - 71, 4, 19, 16. */
	off = (SWAR_BYTES(upper) & (0xBFu * SWAR_ONES)) | (SWAR_BYTES(lower) & (0xB9u * SWAR_ONES)) |
			(SWAR_BYTES(digit) & (0x04u * SWAR_ONES)) | (SWAR_BYTES(plus) & (0x13u * SWAR_ONES)) |
			(SWAR_BYTES(slash) & (0x10u * SWAR_ONES));
	v = (x + (off & ~SWAR_HIGHS)) ^ (off & SWAR_HIGHS); /* bytewise sum, no carry between bytes */
	p = ((v & 0x00FF00FF00FF00FFu) << 6) | ((v >> 8) & 0x00FF00FF00FF00FFu);   /* 12 bits per 16 */
	q = ((p & 0x0000FFFF0000FFFFu) << 12) | ((p >> 16) & 0x0000FFFF0000FFFFu); /* 24 bits per 32 */
	out[0] = (unsigned char)(q >> 16);
	out[1] = (unsigned char)(q >> 8);
	out[2] = (unsigned char)q;
	out[3] = (unsigned char)(q >> 48);
	out[4] = (unsigned char)(q >> 40);
	out[5] = (unsigned char)(q >> 32);
}

/* b64hash: exactly the canonical padded base64 of 32 bytes (what sodium_bin2base64 writes): 42
 * characters of 6 bits, one of 4 bits followed by two zero bits, and "=". Anything else, a
 * non-zero padding bit included, is refused, as sodium_base642bin refuses it. */
static bool parse_hash(const char *v, size_t n, unsigned char hash_out[SENDSEC_KEY_HASH_LEN])
{
	const unsigned char *in = (const unsigned char *)v;
	uint64_t bad = 0;
	uint32_t tail_bad = 0, acc;

	if (n != HASH_B64_LEN)
		return false;
	for (size_t i = 0; i < 5; i++) { /* characters 0..39: bytes 0..29 */
		b64_decode8(load8(in + 8 * i), hash_out + 6 * i, &bad);
	}
	acc = b64_value(in[40], &tail_bad) << 12 | b64_value(in[41], &tail_bad) << 6 | b64_value(in[42], &tail_bad);
	hash_out[30] = (unsigned char)(acc >> 10);
	hash_out[31] = (unsigned char)(acc >> 2);
	tail_bad |= (acc & 3u) != 0;
	tail_bad |= in[43] != '=';
	return (bad | tail_bad) == 0;
}

/* Splits "a,b,c" into a NULL-terminated array of malloc'd strings. */
static bool parse_scopes(const char *v, size_t n, char ***scopes_out)
{
	size_t count = 1, k = 0, start = 0;
	char **scopes;

	for (size_t i = 0; i < n; i++)
		count += v[i] == ',';
	if ((scopes = calloc(count + 1, sizeof(*scopes))) == NULL)
		return false;
	*scopes_out = scopes; /* owned by the record from here on, even if incomplete */
	for (size_t i = 0; i <= n; i++) {
		if (i < n && v[i] != ',')
			continue;
		size_t len = i - start;
		if (!is_scope(v + start, len) || (scopes[k] = strndup(v + start, len)) == NULL)
			return false;
		k++;
		start = i + 1;
	}
	return true;
}

static bool parse_time(const char *v, size_t n, time_t *out)
{
	return n > 0 && sendsec_time_parse_generalized(v, n, out);
}

static bool parse_networks(const char *v, size_t n, struct sendsec_cidr_list *list)
{
	char cidr_err[128];
	char *copy;
	bool ok = false;

	if (n == 1 && v[0] == '-')
		return true;
	/* Commas only, no empty entries: the list form is stricter here than in the config file. */
	if (n == 0 || v[0] == ',' || v[n - 1] == ',')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		if (!(hex_value(c) >= 0 || c == '.' || c == ':' || c == '/' || c == ','))
			return false;
		if (c == ',' && i + 1 < n && v[i + 1] == ',')
			return false;
	}
	if ((copy = strndup(v, n)) == NULL)
		return false;
	ok = sendsec_cidr_list_add(list, copy, cidr_err, sizeof(cidr_err)) == SENDSEC_OK && list->n > 0;
	free(copy);
	return ok;
}

/* "gtime,addr" or "gtime,-": the last use and its client address. */
static bool parse_used(const char *v, size_t n, struct sendsec_keyrec *rec)
{
	const char *comma = memchr(v, ',', n);
	char addr[64];
	size_t alen;

	if (comma == NULL || !parse_time(v, (size_t)(comma - v), &rec->used) || rec->used <= 0)
		return false;
	alen = n - (size_t)(comma - v) - 1;
	if (alen == 1 && comma[1] == '-')
		return true;
	if (alen == 0 || alen >= sizeof(addr))
		return false;
	for (size_t i = 0; i < alen; i++) {
		unsigned char c = (unsigned char)comma[1 + i];
		if (!(hex_value(c) >= 0 || c == '.' || c == ':'))
			return false;
	}
	memcpy(addr, comma + 1, alen);
	addr[alen] = '\0';
	rec->used_has_addr = sendsec_addr_parse(addr, rec->used_addr);
	return rec->used_has_addr;
}

static bool parse_desc(const char *v, size_t n, char **desc_out)
{
	char *d;
	size_t k = 0;

	if ((d = malloc(n + 1)) == NULL)
		return false;
	*desc_out = d;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c == '%') {
			if (i + 2 >= n)
				return false;
			int hi = hex_value((unsigned char)v[i + 1]);
			int lo = hex_value((unsigned char)v[i + 2]);
			if (hi < 0 || lo < 0 || (hi | lo) == 0)
				return false;
			d[k++] = (char)(hi << 4 | lo);
			i += 2;
		} else if (is_dchar(c)) {
			d[k++] = (char)c;
		} else {
			return false;
		}
	}
	d[k] = '\0';
	return true;
}

/* True when every byte of v is printable ASCII (0x20..0x7E): eight bytes at a time, a byte below
 * 0x20 found as (w - 0x20...) & ~w & 0x80... and one above 0x7E as ((w + 0x01...) | w) & 0x80...
 * (exact as a whole: a borrow or carry between bytes only follows a byte that is out of range). */
static bool is_printable(const char *v, size_t n)
{
	uint64_t bad = 0, w;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		w = load8(v + i);
		bad |= ((w - 0x20 * SWAR_ONES) & ~w & SWAR_HIGHS) |
				(((w + (0x7F - 0x7E) * SWAR_ONES) | w) & SWAR_HIGHS);
	}
	for (; i < n; i++)
		bad |= (unsigned char)((unsigned char)v[i] - 0x20) > 0x7E - 0x20;
	return bad == 0;
}

/* Parses one "name=value" field into rec; *seen records which fields were present. */
static enum sendsec_result parse_field(
		const char *f, size_t n, struct sendsec_keyrec *rec, unsigned *seen, char *err, size_t errlen)
{
	const char *eq = memchr(f, '=', n);
	const char *v;
	size_t name_len, vlen;
	int which = -1;
	bool ok = false;

	if (eq == NULL) {
		set_err(err, errlen, "sendsecApiKey: field without '='");
		return SENDSEC_UNAVAILABLE;
	}
	name_len = (size_t)(eq - f);
	v = eq + 1;
	vlen = n - name_len - 1;
	for (int i = 0; i < F_COUNT && which < 0; i++) {
		if (field_names[i].len == name_len && memcmp(f, field_names[i].name, name_len) == 0)
			which = i;
	}
	if (which < 0) {
		/* The value is printable ASCII by now; a name is never a secret, the value may be. */
		set_err(err, errlen, "sendsecApiKey: unknown field '%.*s'", (int)(name_len < 32 ? name_len : 32), f);
		return SENDSEC_UNAVAILABLE;
	}
	if (*seen & (1u << which)) {
		set_err(err, errlen, "sendsecApiKey: field '%s' appears twice", field_names[which].name);
		return SENDSEC_UNAVAILABLE;
	}
	*seen |= 1u << which;
	switch ((enum field)which) {
	case F_ID: ok = parse_id(v, vlen, rec->id); break;
	case F_HASH: ok = parse_hash(v, vlen, rec->hash); break;
	case F_SCOPES: ok = parse_scopes(v, vlen, &rec->scopes); break;
	case F_EXPIRES:
		if (vlen == 1 && v[0] == '-') {
			rec->expires = 0;
			ok = true;
		} else {
			ok = parse_time(v, vlen, &rec->expires) && rec->expires > 0;
		}
		break;
	case F_CREATED: ok = parse_time(v, vlen, &rec->created); break;
	case F_NETWORKS: ok = parse_networks(v, vlen, &rec->networks); break;
	case F_DISABLED:
		ok = vlen == 1 && (v[0] == '0' || v[0] == '1');
		rec->disabled = ok && v[0] == '1';
		break;
	case F_DESC: ok = parse_desc(v, vlen, &rec->description); break;
	case F_USED: ok = parse_used(v, vlen, rec); break;
	case F_COUNT: break;
	}
	if (!ok) {
		set_err(err, errlen, "sendsecApiKey: malformed field '%s'", field_names[which].name);
		return SENDSEC_UNAVAILABLE;
	}
	return SENDSEC_OK;
}

enum sendsec_result sendsec_keyrec_parse(
		const char *value, size_t len, struct sendsec_keyrec *out, char *err, size_t errlen)
{
	enum sendsec_result rc = SENDSEC_UNAVAILABLE;
	unsigned seen = 0;

	memset(out, 0, sizeof(*out));
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (value == NULL || len > VALUE_MAX) {
		set_err(err, errlen, "sendsecApiKey: value missing or too long");
		goto out;
	}
	if (!is_printable(value, len)) {
		set_err(err, errlen, "sendsecApiKey: non-printable character in value");
		goto out;
	}
	if (len < 2 || memcmp(value, "v1", 2) != 0 || (len > 2 && value[2] != ';')) {
		set_err(err, errlen, "sendsecApiKey: unsupported version");
		goto out;
	}
	for (size_t start = 3; len > 2 && start <= len;) {
		const char *semi = memchr(value + start, ';', len - start);
		size_t end = semi != NULL ? (size_t)(semi - value) : len;

		if (parse_field(value + start, end - start, out, &seen, err, errlen) != SENDSEC_OK)
			goto out;
		start = end + 1;
	}
	for (int i = 0; i < F_COUNT; i++) {
		if (i != F_USED && !(seen & (1u << i))) {
			set_err(err, errlen, "sendsecApiKey: missing field '%s'", field_names[i].name);
			goto out;
		}
	}
	rc = SENDSEC_OK;
out:
	if (rc != SENDSEC_OK)
		sendsec_keyrec_clear(out);
	return rc;
}

void sendsec_keyrec_clear(struct sendsec_keyrec *rec)
{
	if (rec == NULL)
		return;
	if (rec->scopes != NULL) {
		for (char **s = rec->scopes; *s != NULL; s++)
			free(*s);
		free(rec->scopes);
	}
	sendsec_cidr_list_clear(&rec->networks);
	free(rec->description);
	memset(rec, 0, sizeof(*rec));
}

/* ---- stored values: formatting ---- */

struct buf {
	char *data;
	size_t len, cap;
	bool failed;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > VALUE_MAX + 1) {
		b->failed = true;
		return;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap == 0 ? 256 : b->cap;
		char *grown;
		while (cap < b->len + n + 1)
			cap *= 2;
		if ((grown = realloc(b->data, cap)) == NULL) {
			b->failed = true;
			return;
		}
		b->data = grown;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

enum sendsec_result sendsec_keyrec_format(const struct sendsec_keyrec *rec, char **value_out)
{
	enum sendsec_result rc = SENDSEC_UNAVAILABLE;
	struct buf b = {0};
	char tmp[128];
	char b64[HASH_B64_LEN + 1];

	*value_out = NULL;
	if (rec == NULL || rec->scopes == NULL || rec->scopes[0] == NULL || rec->expires < 0 || rec->created < 0 ||
			rec->used < 0 || !parse_id(rec->id, strnlen(rec->id, sizeof(rec->id)), tmp))
		goto out;
	puts_(&b, "v1;id=");
	puts_(&b, rec->id);
	sodium_bin2base64(b64, sizeof(b64), rec->hash, SENDSEC_KEY_HASH_LEN, sodium_base64_VARIANT_ORIGINAL);
	puts_(&b, ";hash=");
	puts_(&b, b64);
	puts_(&b, ";scopes=");
	for (char **s = rec->scopes; *s != NULL; s++) {
		if (!sendsec_apikey_is_scope(*s))
			goto out;
		if (s != rec->scopes)
			puts_(&b, ",");
		puts_(&b, *s);
	}
	puts_(&b, ";expires=");
	if (rec->expires == 0) {
		puts_(&b, "-");
	} else {
		sendsec_time_format_generalized(rec->expires, tmp, sizeof(tmp));
		puts_(&b, tmp);
	}
	puts_(&b, ";created=");
	sendsec_time_format_generalized(rec->created, tmp, sizeof(tmp));
	puts_(&b, tmp);
	if (rec->used > 0) {
		puts_(&b, ";used=");
		sendsec_time_format_generalized(rec->used, tmp, sizeof(tmp));
		puts_(&b, tmp);
		puts_(&b, ",");
		if (rec->used_has_addr) {
			struct sendsec_cidr host = {.prefix = 128};
			memcpy(host.addr, rec->used_addr, sizeof(host.addr));
			sendsec_cidr_format(&host, tmp, sizeof(tmp));
			puts_(&b, tmp);
		} else {
			puts_(&b, "-");
		}
	}
	puts_(&b, ";networks=");
	if (rec->networks.n == 0)
		puts_(&b, "-");
	for (size_t i = 0; i < rec->networks.n; i++) {
		if (i > 0)
			puts_(&b, ",");
		sendsec_cidr_format(&rec->networks.items[i], tmp, sizeof(tmp));
		puts_(&b, tmp);
	}
	puts_(&b, rec->disabled ? ";disabled=1" : ";disabled=0");
	puts_(&b, ";desc=");
	for (const char *d = rec->description; d != NULL && *d != '\0'; d++) {
		unsigned char c = (unsigned char)*d;
		if (is_dchar(c)) {
			put(&b, (const char *)&c, 1);
		} else {
			snprintf(tmp, sizeof(tmp), "%%%02X", c);
			put(&b, tmp, 3);
		}
	}
	if (b.failed || b.data == NULL)
		goto out;
	*value_out = b.data;
	b.data = NULL;
	rc = SENDSEC_OK;
out:
	free(b.data);
	return rc;
}

/* ---- lifecycle ---- */

time_t sendsec_keyrec_idle_seconds(const struct sendsec_keyrec *rec, time_t now)
{
	time_t since = rec->used > 0 ? rec->used : rec->created;

	return now > since ? now - since : 0;
}

bool sendsec_keyrec_is_idle(const struct sendsec_keyrec *rec, time_t now, int max_idle_days)
{
	return max_idle_days > 0 && sendsec_keyrec_idle_seconds(rec, now) > (time_t)max_idle_days * 86400;
}

bool sendsec_keyrec_touch_due(const struct sendsec_keyrec *rec, time_t now, int interval)
{
	/* A last use in the future (a host with a clock ahead) is rewritten once the interval has
	 * passed on this host's clock too, never before. */
	return rec->used <= 0 || now - rec->used >= (time_t)interval;
}
