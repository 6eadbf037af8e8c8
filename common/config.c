/* config.c — sendsec.conf. One table of keys (name, type, field, range, default) drives parsing,
 * load-time validation, defaults, resolution and printing. Grammar: "key value" (the value is the
 * rest of the line, outer blanks trimmed), "#" starts a comment only as the first non-blank
 * character of a line (a '#' inside a value is part of it), blank lines, "[service NAME]" sections.
 * Secret files (bindpw_file, totp_key_file) are read when the settings are resolved; tls_key
 * gets their checks then too (libldap reads it later). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "secret.h"
#include "timeutil.h"
#include "utf8.h"

#define MAX_LINE         4096
#define MAX_FILE         (1024 * 1024)
#define MAX_SECTIONS     1024
#define MAX_SERVICE_NAME 255
#define MAX_BINDPW       1024
#define WHY_LEN          256

#define OPSLIMIT_LO (crypto_pwhash_OPSLIMIT_MIN > 1 ? (long long)crypto_pwhash_OPSLIMIT_MIN : 1)
#define MEMLIMIT_LO (crypto_pwhash_MEMLIMIT_MIN / 1024 > 8 ? (long long)crypto_pwhash_MEMLIMIT_MIN / 1024 : 8)

_Static_assert(sizeof(enum sendsec_reqcert) == sizeof(int), "enum fields are stored as int");
_Static_assert(sizeof(enum sendsec_password_check) == sizeof(int), "enum fields are stored as int");
_Static_assert(sizeof(enum sendsec_otp_mode) == sizeof(int), "enum fields are stored as int");

struct key;

/* How one kind of value is set (validated, replacing the old value), tested, printed and freed. */
struct type {
	bool (*set)(const struct key *k, struct sendsec_settings *s, const char *value, char *why, size_t whylen);
	bool (*is_set)(const struct key *k, const struct sendsec_settings *s);
	void (*print)(const struct key *k, const struct sendsec_settings *s, FILE *f);
	void (*clear)(const struct key *k, struct sendsec_settings *s);
};

struct key {
	const char *name;
	const struct type *type;
	size_t offset;            /* of the field in struct sendsec_settings, where the type uses one */
	long long lo, hi;         /* numbers */
	const char *const *names; /* enums: value i is names[i]; strings: the allowed values */
	const char *def;          /* applied through type->set; NULL: unset */
	bool is_required;
};

#define FIELD(s, k, t)  ((t *)(void *)((char *)(s) + (k)->offset))
#define CFIELD(s, k, t) ((const t *)(const void *)((const char *)(s) + (k)->offset))

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static void fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int find_name(const char *const *names, const char *value)
{
	for (int i = 0; names[i] != NULL; i++)
		if (strcmp(names[i], value) == 0)
			return i;
	return -1;
}

/* "expected a, b or c" */
static void expected_names(const char *const *names, char *why, size_t whylen)
{
	size_t used;

	snprintf(why, whylen, "expected %s", names[0]);
	for (int i = 1; names[i] != NULL; i++) {
		used = strlen(why);
		snprintf(why + used, whylen - used, "%s%s", names[i + 1] == NULL ? " or " : ", ", names[i]);
	}
}

/* ---- strings ---- */

static bool store_string(const struct key *k, struct sendsec_settings *s, const char *value, char *why, size_t whylen)
{
	char **field = FIELD(s, k, char *);
	char *copy = strdup(value);

	if (copy == NULL) {
		snprintf(why, whylen, "out of memory");
		return false;
	}
	free(*field);
	*field = copy;
	return true;
}

static bool set_string(const struct key *k, struct sendsec_settings *s, const char *value, char *why, size_t whylen)
{
	if (k->names != NULL && find_name(k->names, value) < 0) {
		expected_names(k->names, why, whylen);
		return false;
	}
	return store_string(k, s, value, why, whylen);
}

static bool set_filter(const struct key *k, struct sendsec_settings *s, const char *value, char *why, size_t whylen)
{
	if (value[0] != '(' || strstr(value, "%u") == NULL) {
		snprintf(why, whylen, "expected an LDAP filter in parentheses containing %%u");
		return false;
	}
	return store_string(k, s, value, why, whylen);
}

static bool set_prefix(const struct key *k, struct sendsec_settings *s, const char *value, char *why, size_t whylen)
{
	size_t len = strlen(value);

	if (len < 1 || len > 16 ||
			strspn(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") != len) {
		snprintf(why, whylen, "expected 1 to 16 characters of A-Z a-z 0-9 _");
		return false;
	}
	return store_string(k, s, value, why, whylen);
}

static bool string_is_set(const struct key *k, const struct sendsec_settings *s)
{
	return *CFIELD(s, k, char *) != NULL;
}

static void print_string(const struct key *k, const struct sendsec_settings *s, FILE *f)
{
	fputs(*CFIELD(s, k, char *), f);
}

static void clear_string(const struct key *k, struct sendsec_settings *s)
{
	char **field = FIELD(s, k, char *);

	free(*field);
	*field = NULL;
}

/* ---- numbers, booleans, enums ---- */

static bool always_set(const struct key *k, const struct sendsec_settings *s)
{
	(void)k;
	(void)s;
	return true;
}

static bool parse_range(const struct key *k, const char *value, long long *out, char *why, size_t whylen)
{
	long long v = 0;
	const char *p;

	for (p = value; *p >= '0' && *p <= '9' && v <= k->hi; p++)
		v = v * 10 + (*p - '0');
	if (p == value || *p != '\0' || v < k->lo || v > k->hi) {
		snprintf(why, whylen, "expected %lld..%lld", k->lo, k->hi);
		return false;
	}
	*out = v;
	return true;
}

static bool set_int(const struct key *k, struct sendsec_settings *s, const char *value, char *why, size_t whylen)
{
	long long v;

	if (!parse_range(k, value, &v, why, whylen))
		return false;
	*FIELD(s, k, int) = (int)v;
	return true;
}

static void print_int(const struct key *k, const struct sendsec_settings *s, FILE *f)
{
	fprintf(f, "%d", *CFIELD(s, k, int));
}

static bool set_ull(const struct key *k, struct sendsec_settings *s, const char *value, char *why, size_t whylen)
{
	long long v;

	if (!parse_range(k, value, &v, why, whylen))
		return false;
	*FIELD(s, k, unsigned long long) = (unsigned long long)v;
	return true;
}

static void print_ull(const struct key *k, const struct sendsec_settings *s, FILE *f)
{
	fprintf(f, "%llu", *CFIELD(s, k, unsigned long long));
}

static bool set_size(const struct key *k, struct sendsec_settings *s, const char *value, char *why, size_t whylen)
{
	long long v;

	if (!parse_range(k, value, &v, why, whylen))
		return false;
	*FIELD(s, k, size_t) = (size_t)v;
	return true;
}

static void print_size(const struct key *k, const struct sendsec_settings *s, FILE *f)
{
	fprintf(f, "%zu", *CFIELD(s, k, size_t));
}

static bool set_bool(const struct key *k, struct sendsec_settings *s, const char *value, char *why, size_t whylen)
{
	bool *field = FIELD(s, k, bool);

	if (strcmp(value, "yes") == 0 || strcmp(value, "true") == 0) {
		*field = true;
	} else if (strcmp(value, "no") == 0 || strcmp(value, "false") == 0) {
		*field = false;
	} else {
		snprintf(why, whylen, "expected yes or no");
		return false;
	}
	return true;
}

static void print_bool(const struct key *k, const struct sendsec_settings *s, FILE *f)
{
	fputs(*CFIELD(s, k, bool) ? "yes" : "no", f);
}

/* An enum field (stored as int) whose value i is spelled names[i]. */
static bool set_enum(const struct key *k, struct sendsec_settings *s, const char *value, char *why, size_t whylen)
{
	int i = find_name(k->names, value);

	if (i < 0) {
		expected_names(k->names, why, whylen);
		return false;
	}
	*FIELD(s, k, int) = i;
	return true;
}

static void print_enum(const struct key *k, const struct sendsec_settings *s, FILE *f)
{
	fputs(k->names[*CFIELD(s, k, int)], f);
}

/* A two-valued enum stored as bool: names[0] is false, names[1] is true. */
static bool set_enum_bool(const struct key *k, struct sendsec_settings *s, const char *value, char *why, size_t whylen)
{
	int i = find_name(k->names, value);

	if (i < 0) {
		expected_names(k->names, why, whylen);
		return false;
	}
	*FIELD(s, k, bool) = i == 1;
	return true;
}

static void print_enum_bool(const struct key *k, const struct sendsec_settings *s, FILE *f)
{
	fputs(k->names[*CFIELD(s, k, bool) ? 1 : 0], f);
}

static void clear_nothing(const struct key *k, struct sendsec_settings *s)
{
	(void)k;
	(void)s;
}

/* ---- lists: uri, methods, allow_networks; times ---- */

/* Returns the next blank-separated word of *p (length in *len) and advances *p, or NULL at the end. */
static const char *next_word(const char **p, size_t *len)
{
	const char *start = *p;

	while (is_blank(*start))
		start++;
	if (*start == '\0')
		return NULL;
	*len = strcspn(start, " \t");
	*p = start + *len;
	return start;
}

static bool set_uris(const struct key *k, struct sendsec_settings *s, const char *value, char *why, size_t whylen)
{
	static const char *const schemes[] = {"ldap://", "ldaps://", "ldapi://"};
	struct sendsec_uri_list *list = FIELD(s, k, struct sendsec_uri_list);
	char *uris[SENDSEC_MAX_URIS] = {NULL};
	size_t n = 0, len;
	const char *p = value, *word;
	bool ok = false;

	while ((word = next_word(&p, &len)) != NULL) {
		bool is_known = false;

		for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
			if (len >= strlen(schemes[i]) && strncasecmp(word, schemes[i], strlen(schemes[i])) == 0)
				is_known = true;
		if (!is_known) {
			snprintf(why, whylen, "expected ldap://, ldaps:// or ldapi:// URIs");
			goto out;
		}
		if (n == SENDSEC_MAX_URIS) {
			snprintf(why, whylen, "at most %d URIs", SENDSEC_MAX_URIS);
			goto out;
		}
		if ((uris[n++] = strndup(word, len)) == NULL) {
			snprintf(why, whylen, "out of memory");
			goto out;
		}
	}
	if (n == 0) {
		snprintf(why, whylen, "expected at least one URI");
		goto out;
	}
	for (size_t i = 0; i < list->n; i++)
		free(list->items[i]);
	memcpy(list->items, uris, sizeof(uris));
	list->n = n;
	n = 0;
	ok = true;
out:
	for (size_t i = 0; i < n; i++)
		free(uris[i]);
	return ok;
}

static bool uris_are_set(const struct key *k, const struct sendsec_settings *s)
{
	return CFIELD(s, k, struct sendsec_uri_list)->n > 0;
}

static void print_uris(const struct key *k, const struct sendsec_settings *s, FILE *f)
{
	const struct sendsec_uri_list *list = CFIELD(s, k, struct sendsec_uri_list);

	for (size_t i = 0; i < list->n; i++)
		fprintf(f, "%s%s", i > 0 ? " " : "", list->items[i]);
}

static void clear_uris(const struct key *k, struct sendsec_settings *s)
{
	struct sendsec_uri_list *list = FIELD(s, k, struct sendsec_uri_list);

	for (size_t i = 0; i < list->n; i++) {
		free(list->items[i]);
		list->items[i] = NULL;
	}
	list->n = 0;
}

/* Two prefix lengths, IPv4 then IPv6 ("24 56"); stored in lockout_source_prefix4 and 6. */
static bool set_source_prefix(
		const struct key *k, struct sendsec_settings *s, const char *value, char *why, size_t whylen)
{
	unsigned v4, v6;
	int used = 0;

	(void)k;
	if (sscanf(value, "%3u %3u%n", &v4, &v6, &used) != 2 || value[used] != '\0' || v4 > 32 || v6 > 128 ||
			strspn(value, "0123456789 \t") != strlen(value)) {
		snprintf(why, whylen, "expected two prefix lengths, IPv4 (0..32) then IPv6 (0..128), such as 24 56");
		return false;
	}
	s->lockout_source_prefix4 = (int)v4;
	s->lockout_source_prefix6 = (int)v6;
	return true;
}

static void print_source_prefix(const struct key *k, const struct sendsec_settings *s, FILE *f)
{
	(void)k;
	fprintf(f, "%d %d", s->lockout_source_prefix4, s->lockout_source_prefix6);
}

/* "auto" (stored as -1, resolved by the user of the value) or a number in lo..hi. */
static bool set_auto_int(const struct key *k, struct sendsec_settings *s, const char *value, char *why, size_t whylen)
{
	if (strcmp(value, "auto") == 0) {
		*FIELD(s, k, int) = -1;
		return true;
	}
	if (set_int(k, s, value, why, whylen))
		return true;
	snprintf(why, whylen, "expected auto or %lld..%lld", k->lo, k->hi);
	return false;
}

static void print_auto_int(const struct key *k, const struct sendsec_settings *s, FILE *f)
{
	if (*CFIELD(s, k, int) < 0)
		fputs("auto", f);
	else
		print_int(k, s, f);
}

static const struct {
	const char *name;
	unsigned bit;
} factors[] = {
		{"password", SENDSEC_FACTOR_PASSWORD},
		{"totp", SENDSEC_FACTOR_TOTP},
		{"apikey", SENDSEC_FACTOR_APIKEY},
};

/* Parses one alternative such as "password+totp" into a bit set; 0 on error with why set. */
static unsigned parse_alternative(const char *word, size_t len, char *why, size_t whylen)
{
	unsigned set = 0;
	size_t pos = 0;

	while (pos <= len) {
		size_t flen = 0, i;

		while (pos + flen < len && word[pos + flen] != '+')
			flen++;
		for (i = 0; i < sizeof(factors) / sizeof(factors[0]); i++)
			if (strlen(factors[i].name) == flen && memcmp(word + pos, factors[i].name, flen) == 0)
				break;
		if (i == sizeof(factors) / sizeof(factors[0])) {
			snprintf(why, whylen, "expected alternatives of password, totp, apikey joined by '+'");
			return 0;
		}
		if (set & factors[i].bit) {
			snprintf(why, whylen, "factor '%s' repeated in one alternative", factors[i].name);
			return 0;
		}
		set |= factors[i].bit;
		pos += flen + 1;
	}
	if ((set & SENDSEC_FACTOR_APIKEY) && set != SENDSEC_FACTOR_APIKEY) {
		snprintf(why, whylen, "apikey must be an alternative on its own");
		return 0;
	}
	return set;
}

static bool set_methods(const struct key *k, struct sendsec_settings *s, const char *value, char *why, size_t whylen)
{
	unsigned methods[SENDSEC_MAX_METHODS];
	size_t n = 0, len;
	const char *p = value, *word;

	(void)k;
	while ((word = next_word(&p, &len)) != NULL) {
		if (n == SENDSEC_MAX_METHODS) {
			snprintf(why, whylen, "at most %d alternatives", SENDSEC_MAX_METHODS);
			return false;
		}
		if ((methods[n++] = parse_alternative(word, len, why, whylen)) == 0)
			return false;
	}
	if (n == 0) {
		snprintf(why, whylen, "expected at least one alternative");
		return false;
	}
	memcpy(s->methods, methods, n * sizeof(methods[0]));
	s->n_methods = n;
	return true;
}

static void print_methods(const struct key *k, const struct sendsec_settings *s, FILE *f)
{
	(void)k;
	for (size_t m = 0; m < s->n_methods; m++) {
		const char *sep = m > 0 ? " " : "";

		for (size_t i = 0; i < sizeof(factors) / sizeof(factors[0]); i++) {
			if (s->methods[m] & factors[i].bit) {
				fprintf(f, "%s%s", sep, factors[i].name);
				sep = "+";
			}
		}
	}
}

/* "any" (the default) empties the list; anything else replaces it. */
static bool set_networks(const struct key *k, struct sendsec_settings *s, const char *value, char *why, size_t whylen)
{
	struct sendsec_cidr_list list = {NULL, 0};

	(void)k;
	if (strcmp(value, "any") != 0) {
		if (sendsec_cidr_list_add(&list, value, why, whylen) != SENDSEC_OK) {
			sendsec_cidr_list_clear(&list);
			return false;
		}
		if (list.n == 0) {
			snprintf(why, whylen, "expected CIDR networks or any");
			sendsec_cidr_list_clear(&list);
			return false;
		}
	}
	sendsec_cidr_list_clear(&s->allow_networks);
	s->allow_networks = list;
	return true;
}

static void print_networks(const struct key *k, const struct sendsec_settings *s, FILE *f)
{
	char buf[64];

	(void)k;
	if (s->allow_networks.n == 0)
		fputs("any", f);
	for (size_t i = 0; i < s->allow_networks.n; i++) {
		sendsec_cidr_format(&s->allow_networks.items[i], buf, sizeof(buf));
		fprintf(f, "%s%s", i > 0 ? " " : "", buf);
	}
}

static void clear_networks(const struct key *k, struct sendsec_settings *s)
{
	(void)k;
	sendsec_cidr_list_clear(&s->allow_networks);
}

static bool set_time(const struct key *k, struct sendsec_settings *s, const char *value, char *why, size_t whylen)
{
	time_t t;

	if (!sendsec_time_parse_rfc3339(value, strlen(value), &t) || t <= 0) {
		snprintf(why, whylen, "expected an RFC 3339 time such as 2026-01-31T00:00:00Z");
		return false;
	}
	*FIELD(s, k, time_t) = t;
	return true;
}

static bool time_is_set(const struct key *k, const struct sendsec_settings *s)
{
	return *CFIELD(s, k, time_t) != 0;
}

static void print_time(const struct key *k, const struct sendsec_settings *s, FILE *f)
{
	char buf[32];

	sendsec_time_format_rfc3339(*CFIELD(s, k, time_t), buf, sizeof(buf));
	fputs(buf, f);
}

static void clear_time(const struct key *k, struct sendsec_settings *s)
{
	*FIELD(s, k, time_t) = 0;
}

/* ---- the table ---- */

static const struct type t_string = {set_string, string_is_set, print_string, clear_string};
static const struct type t_filter = {set_filter, string_is_set, print_string, clear_string};
static const struct type t_prefix = {set_prefix, string_is_set, print_string, clear_string};
static const struct type t_int = {set_int, always_set, print_int, clear_nothing};
static const struct type t_ull = {set_ull, always_set, print_ull, clear_nothing};
static const struct type t_size = {set_size, always_set, print_size, clear_nothing};
static const struct type t_bool = {set_bool, always_set, print_bool, clear_nothing};
static const struct type t_enum = {set_enum, always_set, print_enum, clear_nothing};
static const struct type t_enum_bool = {set_enum_bool, always_set, print_enum_bool, clear_nothing};
static const struct type t_uris = {set_uris, uris_are_set, print_uris, clear_uris};
static const struct type t_source_prefix = {set_source_prefix, always_set, print_source_prefix, clear_nothing};
static const struct type t_auto_int = {set_auto_int, always_set, print_auto_int, clear_nothing};
static const struct type t_methods = {set_methods, always_set, print_methods, clear_nothing};
static const struct type t_networks = {set_networks, always_set, print_networks, clear_networks};
static const struct type t_time = {set_time, time_is_set, print_time, clear_time};

static const char *const mech_names[] = {"EXTERNAL", NULL};
static const char *const reqcert_names[] = {"never", "allow", "try", "demand", NULL};
static const char *const check_names[] = {"local", "bind", NULL};
static const char *const unenrolled_names[] = {"deny", "allow", NULL};
static const char *const otp_mode_names[] = {"prompt", "append", NULL};
static const char *const log_level_names[] = {"error", "info", "debug", NULL};

#define OFF(f) offsetof(struct sendsec_settings, f)

/* In the order of DESIGN.md section 3; sendsec_settings_print follows it. */
static const struct key keys[] = {
		{.name = "uri", .type = &t_uris, .offset = OFF(uri), .is_required = true},
		{.name = "base", .type = &t_string, .offset = OFF(base), .is_required = true},
		{.name = "binddn", .type = &t_string, .offset = OFF(binddn)},
		{.name = "bindpw_file", .type = &t_string, .offset = OFF(bindpw_file)},
		{.name = "sasl_mech", .type = &t_string, .offset = OFF(sasl_mech), .names = mech_names},
		{.name = "starttls", .type = &t_bool, .offset = OFF(starttls), .def = "no"},
		{.name = "tls_cacert", .type = &t_string, .offset = OFF(tls_cacert)},
		{.name = "tls_cert", .type = &t_string, .offset = OFF(tls_cert)},
		{.name = "tls_key", .type = &t_string, .offset = OFF(tls_key)},
		{.name = "tls_reqcert",
				.type = &t_enum,
				.offset = OFF(tls_reqcert),
				.names = reqcert_names,
				.def = "demand"},
		{.name = "timeout", .type = &t_int, .offset = OFF(timeout), .lo = 1, .hi = 300, .def = "5"},
		{.name = "user_filter",
				.type = &t_filter,
				.offset = OFF(user_filter),
				.def = "(&(objectClass=posixAccount)(uid=%u))"},
		{.name = "user_attr", .type = &t_string, .offset = OFF(user_attr), .def = "uid"},
		{.name = "password_check",
				.type = &t_enum,
				.offset = OFF(password_check),
				.names = check_names,
				.def = "local"},
		{.name = "rehash", .type = &t_bool, .offset = OFF(rehash), .def = "yes"},
		{.name = "argon2_opslimit",
				.type = &t_ull,
				.offset = OFF(argon2_opslimit),
				.lo = OPSLIMIT_LO,
				.hi = 20,
				.def = "2"},
		{.name = "argon2_memlimit",
				.type = &t_size,
				.offset = OFF(argon2_memlimit_kib),
				.lo = MEMLIMIT_LO,
				.hi = 4 << 20,
				.def = "65536"},
		{.name = "methods", .type = &t_methods, .def = "password+totp"},
		{.name = "totp_unenrolled",
				.type = &t_enum_bool,
				.offset = OFF(totp_unenrolled_allow),
				.names = unenrolled_names,
				.def = "deny"},
		{.name = "otp_mode",
				.type = &t_enum,
				.offset = OFF(otp_mode),
				.names = otp_mode_names,
				.def = "prompt"},
		{.name = "totp_key_file", .type = &t_string, .offset = OFF(totp_key_file)},
		{.name = "apikey_username", .type = &t_string, .offset = OFF(apikey_username), .def = "apikey"},
		{.name = "apikey_prefix", .type = &t_prefix, .offset = OFF(apikey_prefix), .def = "ssk_"},
		{.name = "allow_networks", .type = &t_networks, .def = "any"},
		{.name = "lockout_threshold",
				.type = &t_int,
				.offset = OFF(lockout_threshold),
				.lo = 0,
				.hi = 1 << 30,
				.def = "5"},
		{.name = "lockout_interval",
				.type = &t_int,
				.offset = OFF(lockout_interval),
				.lo = 0,
				.hi = 1 << 30,
				.def = "900"},
		{.name = "lockout_duration",
				.type = &t_int,
				.offset = OFF(lockout_duration),
				.lo = 0,
				.hi = 1 << 30,
				.def = "900"},
		{.name = "password_min_length",
				.type = &t_int,
				.offset = OFF(password_min_length),
				.lo = 1,
				.hi = 1024,
				.def = "12"},
		{.name = "password_reset_before", .type = &t_time, .offset = OFF(password_reset_before)},
		{.name = "log_level",
				.type = &t_enum,
				.offset = OFF(log_level),
				.names = log_level_names,
				.def = "info"},
		{.name = "read_uri", .type = &t_uris, .offset = OFF(read_uri)},
		{.name = "lockout_account_threshold",
				.type = &t_int,
				.offset = OFF(lockout_account_threshold),
				.lo = 0,
				.hi = 1 << 30,
				.def = "50"},
		{.name = "lockout_source_prefix", .type = &t_source_prefix, .def = "24 56"},
		{.name = "hash_concurrency",
				.type = &t_auto_int,
				.offset = OFF(hash_concurrency),
				.lo = 0,
				.hi = 4096,
				.def = "auto"},
		{.name = "apikey_max_idle",
				.type = &t_int,
				.offset = OFF(apikey_max_idle),
				.lo = 0,
				.hi = 36500,
				.def = "0"},
		{.name = "apikey_touch_interval",
				.type = &t_int,
				.offset = OFF(apikey_touch_interval),
				.lo = 0,
				.hi = 1 << 30,
				.def = "3600"},
		{.name = "ppolicy_default", .type = &t_string, .offset = OFF(ppolicy_default)},
};

#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

static const struct key *find_key(const char *name, size_t len)
{
	for (size_t i = 0; i < N_KEYS; i++)
		if (strlen(keys[i].name) == len && memcmp(keys[i].name, name, len) == 0)
			return &keys[i];
	return NULL;
}

/* ---- the parsed file ---- */

struct assignment {
	const struct key *key;
	char *value;
	unsigned line;
};

struct section {
	char *name; /* NULL for the global part */
	unsigned line;
	struct assignment items[N_KEYS]; /* each key at most once */
	size_t n;
};

struct sendsec_config {
	char *name;
	bool check_owner;
	struct section global;
	struct section *services; /* in file order */
	size_t n_services;
};

static void settings_clear(struct sendsec_settings *s)
{
	for (size_t i = 0; i < N_KEYS; i++)
		keys[i].type->clear(&keys[i], s);
	secret_free(s->bindpw);
	s->bindpw = NULL;
	sodium_memzero(s->totp_key, sizeof(s->totp_key));
	s->has_totp_key = false;
}

void sendsec_settings_free(struct sendsec_settings *s)
{
	if (s == NULL)
		return;
	settings_clear(s);
	free(s);
}

static void section_clear(struct section *sec)
{
	for (size_t i = 0; i < sec->n; i++)
		free(sec->items[i].value);
	free(sec->name);
}

void sendsec_config_free(struct sendsec_config *cfg)
{
	if (cfg == NULL)
		return;
	section_clear(&cfg->global);
	for (size_t i = 0; i < cfg->n_services; i++)
		section_clear(&cfg->services[i]);
	free(cfg->services);
	free(cfg->name);
	free(cfg);
}

size_t sendsec_config_n_services(const struct sendsec_config *cfg)
{
	return cfg == NULL ? 0 : cfg->n_services;
}

const char *sendsec_config_service_name(const struct sendsec_config *cfg, size_t i)
{
	return (cfg == NULL || i >= cfg->n_services) ? NULL : cfg->services[i].name;
}

/* Checks one line of text (file line or argument): length, NUL, control characters, UTF-8. */
static bool text_is_valid(const char *p, size_t n, char *why, size_t whylen)
{
	if (n > MAX_LINE) {
		snprintf(why, whylen, "line longer than %d bytes", MAX_LINE);
		return false;
	}
	if (memchr(p, '\0', n) != NULL) {
		snprintf(why, whylen, "NUL byte");
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			snprintf(why, whylen, "control character 0x%02x", c);
			return false;
		}
	}
	if (!sendsec_utf8_is_valid(p, n)) {
		snprintf(why, whylen, "invalid UTF-8");
		return false;
	}
	return true;
}

static struct section *find_section(const struct sendsec_config *cfg, const char *name)
{
	for (size_t i = 0; name != NULL && i < cfg->n_services; i++)
		if (strcmp(cfg->services[i].name, name) == 0)
			return &cfg->services[i];
	return NULL;
}

/* Handles "[service NAME]" (line is trimmed and starts with '['); *cur_out becomes the new section. */
static bool parse_header(struct sendsec_config *cfg, char *line, unsigned lineno, struct section **cur_out, char *err,
		size_t errlen)
{
	size_t len = strlen(line), name_len;
	char *name = line + 1;
	struct section *sec, *grown;

	if (len < 2 || line[len - 1] != ']' || strncmp(name, "service", 7) != 0 || !is_blank(name[7])) {
		fail(err, errlen, "%s:%u: unknown section '%s': expected [service NAME]", cfg->name, lineno, line);
		return false;
	}
	line[len - 1] = '\0';
	name += 7;
	while (is_blank(*name))
		name++;
	name_len = strlen(name);
	while (name_len > 0 && is_blank(name[name_len - 1]))
		name[--name_len] = '\0';
	if (name_len == 0 || name_len > MAX_SERVICE_NAME ||
			strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") != name_len) {
		fail(err, errlen, "%s:%u: bad service name '%s': expected 1 to %d characters of A-Z a-z 0-9 . _ -",
				cfg->name, lineno, name, MAX_SERVICE_NAME);
		return false;
	}
	if ((sec = find_section(cfg, name)) != NULL) {
		fail(err, errlen, "%s:%u: duplicate section '[service %s]' (first on line %u)", cfg->name, lineno, name,
				sec->line);
		return false;
	}
	if (cfg->n_services == MAX_SECTIONS) {
		fail(err, errlen, "%s:%u: more than %d sections", cfg->name, lineno, MAX_SECTIONS);
		return false;
	}
	grown = realloc(cfg->services, (cfg->n_services + 1) * sizeof(*grown));
	if (grown == NULL) {
		fail(err, errlen, "%s:%u: out of memory", cfg->name, lineno);
		return false;
	}
	cfg->services = grown;
	sec = &grown[cfg->n_services];
	memset(sec, 0, sizeof(*sec));
	if ((sec->name = strdup(name)) == NULL) {
		fail(err, errlen, "%s:%u: out of memory", cfg->name, lineno);
		return false;
	}
	sec->line = lineno;
	cfg->n_services++;
	*cur_out = sec;
	return true;
}

/* Handles "key value": known key, not yet set in this section, value valid (checked by running the
 * setter on scratch). */
static bool parse_assignment(struct sendsec_config *cfg, struct section *cur, const char *line, unsigned lineno,
		struct sendsec_settings *scratch, char *err, size_t errlen)
{
	size_t key_len = strcspn(line, " \t");
	const char *value = line + key_len;
	const struct key *k = find_key(line, key_len);
	char why[WHY_LEN];

	if (k == NULL) {
		fail(err, errlen, "%s:%u: unknown key '%.*s'", cfg->name, lineno, (int)key_len, line);
		return false;
	}
	while (is_blank(*value))
		value++;
	if (*value == '\0') {
		fail(err, errlen, "%s:%u: missing value for '%s'", cfg->name, lineno, k->name);
		return false;
	}
	for (size_t i = 0; i < cur->n; i++) {
		if (cur->items[i].key == k) {
			fail(err, errlen, "%s:%u: duplicate key '%s' (already set on line %u)", cfg->name, lineno,
					k->name, cur->items[i].line);
			return false;
		}
	}
	if (!k->type->set(k, scratch, value, why, sizeof(why))) {
		fail(err, errlen, "%s:%u: bad value for '%s': %s", cfg->name, lineno, k->name, why);
		return false;
	}
	if ((cur->items[cur->n].value = strdup(value)) == NULL) {
		fail(err, errlen, "%s:%u: out of memory", cfg->name, lineno);
		return false;
	}
	cur->items[cur->n].key = k;
	cur->items[cur->n].line = lineno;
	cur->n++;
	return true;
}

enum sendsec_result sendsec_config_parse(const char *name, const char *text, size_t len, bool check_owner,
		struct sendsec_config **cfg_out, char *err, size_t errlen)
{
	struct sendsec_config *cfg = NULL;
	struct sendsec_settings scratch;
	struct section *cur;
	char line[MAX_LINE + 1], why[WHY_LEN];
	const char *p, *end;
	unsigned lineno = 0;
	enum sendsec_result rc = SENDSEC_UNAVAILABLE;

	memset(&scratch, 0, sizeof(scratch));
	*cfg_out = NULL;
	if (sodium_init() < 0) {
		fail(err, errlen, "cannot initialise libsodium");
		goto out;
	}
	if (name == NULL)
		name = "(config)";
	if (text == NULL)
		text = "", len = 0;
	p = text;
	end = text + len;
	if (len > MAX_FILE) {
		fail(err, errlen, "%s: larger than %d bytes", name, MAX_FILE);
		goto out;
	}
	if ((cfg = calloc(1, sizeof(*cfg))) == NULL || (cfg->name = strdup(name)) == NULL) {
		fail(err, errlen, "%s: out of memory", name);
		goto out;
	}
	cfg->check_owner = check_owner;
	cur = &cfg->global;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl != NULL ? nl : end) - p), start = 0;

		lineno++;
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (!text_is_valid(p, n, why, sizeof(why))) {
			fail(err, errlen, "%s:%u: %s", name, lineno, why);
			goto out;
		}
		while (n > 0 && is_blank(p[n - 1]))
			n--;
		while (start < n && is_blank(p[start]))
			start++;
		memcpy(line, p + start, n - start);
		line[n - start] = '\0';
		p = nl != NULL ? nl + 1 : end;
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if (line[0] == '[') {
			if (!parse_header(cfg, line, lineno, &cur, err, errlen))
				goto out;
		} else if (!parse_assignment(cfg, cur, line, lineno, &scratch, err, errlen)) {
			goto out;
		}
	}
	*cfg_out = cfg;
	cfg = NULL;
	rc = SENDSEC_OK;
out:
	settings_clear(&scratch);
	sendsec_config_free(cfg);
	return rc;
}

/* Opens path for reading (following symlinks; the checks apply to the target) and checks it is a
 * regular file and, with check_owner, owned by root and not writable by group or others; a secret
 * file must not be readable by others either. Returns the descriptor, or -1 with err set. */
static int open_checked(const char *path, bool check_owner, bool is_secret, char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	bool ok = false;

	if (fd < 0) {
		fail(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) != 0)
		fail(err, errlen, "%s: cannot stat: %s", path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		fail(err, errlen, "%s: is not a regular file", path);
	else if (check_owner && st.st_uid != 0)
		fail(err, errlen, "%s: is owned by uid %u, not root; chown root", path, (unsigned)st.st_uid);
	else if (check_owner && (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		fail(err, errlen, "%s: is writable by group or others; chmod go-w", path);
	else if (check_owner && is_secret && (st.st_mode & S_IROTH) != 0)
		fail(err, errlen, "%s: is readable by others; chmod o-rwx", path);
	else
		ok = true;
out:
	if (!ok && fd >= 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* Reads up to cap bytes; returns the count, or -1 on a read error. */
static ssize_t read_upto(int fd, void *buf, size_t cap)
{
	size_t n = 0;

	while (n < cap) {
		ssize_t r = read(fd, (char *)buf + n, cap - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	return (ssize_t)n;
}

enum sendsec_result sendsec_config_load(
		const char *path, bool check_owner, struct sendsec_config **cfg_out, char *err, size_t errlen)
{
	char *buf = NULL;
	ssize_t n;
	int fd;
	enum sendsec_result rc = SENDSEC_UNAVAILABLE;

	*cfg_out = NULL;
	if ((fd = open_checked(path, check_owner, false, err, errlen)) < 0)
		goto out;
	if ((buf = malloc(MAX_FILE + 1)) == NULL) {
		fail(err, errlen, "%s: out of memory", path);
		goto out;
	}
	if ((n = read_upto(fd, buf, MAX_FILE + 1)) < 0) {
		fail(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		goto out;
	}
	if (n > MAX_FILE) {
		fail(err, errlen, "%s: larger than %d bytes", path, MAX_FILE);
		goto out;
	}
	rc = sendsec_config_parse(path, buf, (size_t)n, check_owner, cfg_out, err, errlen);
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return rc;
}

/* Password = first line of the file, without its "\n" or "\r\n"; 1..1024 bytes, no NUL. */
static bool read_bindpw(struct sendsec_settings *s, bool check_owner, char *err, size_t errlen)
{
	char buf[MAX_BINDPW + 3];
	const char *path = s->bindpw_file;
	ssize_t n;
	size_t len;
	char *nl;
	bool ok = false;
	int fd;

	if ((fd = open_checked(path, check_owner, true, err, errlen)) < 0)
		goto out;
	if ((n = read_upto(fd, buf, sizeof(buf))) < 0) {
		fail(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		goto out;
	}
	nl = memchr(buf, '\n', (size_t)n);
	len = nl != NULL ? (size_t)(nl - buf) : (size_t)n;
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	if (len == 0) {
		fail(err, errlen, "%s: the password (first line) is empty", path);
	} else if (len > MAX_BINDPW) {
		fail(err, errlen, "%s: the password (first line) is longer than %d bytes", path, MAX_BINDPW);
	} else if (memchr(buf, '\0', len) != NULL) {
		fail(err, errlen, "%s: the password contains a NUL byte", path);
	} else if ((s->bindpw = secret_strndup(buf, len)) == NULL) {
		fail(err, errlen, "%s: out of memory", path);
	} else {
		ok = true;
	}
out:
	sodium_memzero(buf, sizeof(buf));
	if (fd >= 0)
		close(fd);
	return ok;
}

/* Key = exactly 32 raw bytes, or 64 hex digits optionally followed by one "\n". */
/* The TLS client key is read by libldap when the connection's TLS context is built (dir.c); here
 * it only gets the secret files' checks (root's, not readable or writable by others: the
 * ssl-cert group may read it). */
static bool check_tls_key(const char *path, bool check_owner, char *err, size_t errlen)
{
	int fd = open_checked(path, check_owner, true, err, errlen);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static bool read_totp_key(struct sendsec_settings *s, bool check_owner, char *err, size_t errlen)
{
	unsigned char buf[67];
	const char *path = s->totp_key_file;
	size_t bin_len = 0;
	const char *hex_end = NULL;
	ssize_t n;
	bool ok = false;
	int fd;

	if ((fd = open_checked(path, check_owner, true, err, errlen)) < 0)
		goto out;
	if ((n = read_upto(fd, buf, sizeof(buf))) < 0) {
		fail(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		goto out;
	}
	if (n == 32) {
		memcpy(s->totp_key, buf, 32);
		ok = true;
	} else if ((n == 64 || (n == 65 && buf[64] == '\n')) &&
			sodium_hex2bin(s->totp_key, sizeof(s->totp_key), (const char *)buf, 64, NULL, &bin_len,
					&hex_end) == 0 &&
			bin_len == 32 && hex_end == (const char *)buf + 64) {
		ok = true;
	} else {
		sodium_memzero(s->totp_key, sizeof(s->totp_key));
		fail(err, errlen, "%s: expected exactly 32 bytes or 64 hex digits", path);
	}
	s->has_totp_key = ok;
out:
	sodium_memzero(buf, sizeof(buf));
	if (fd >= 0)
		close(fd);
	return ok;
}

static bool apply_section(const struct sendsec_config *cfg, const struct section *sec, struct sendsec_settings *s,
		char *err, size_t errlen)
{
	char why[WHY_LEN];

	for (size_t i = 0; i < sec->n; i++) {
		const struct assignment *a = &sec->items[i];

		if (!a->key->type->set(a->key, s, a->value, why, sizeof(why))) {
			fail(err, errlen, "%s:%u: bad value for '%s': %s", cfg->name, a->line, a->key->name, why);
			return false;
		}
	}
	return true;
}

/* Applies "key=value" argument number argno (counted from 1). */
static bool apply_override(const char *arg, size_t argno, struct sendsec_settings *s, char *err, size_t errlen)
{
	const char *eq = strchr(arg, '=');
	const struct key *k;
	char why[WHY_LEN];

	if (!text_is_valid(arg, strlen(arg), why, sizeof(why))) {
		fail(err, errlen, "argument %zu: %s", argno, why);
		return false;
	}
	if (eq == NULL) {
		fail(err, errlen, "argument %zu: expected key=value", argno);
		return false;
	}
	if ((k = find_key(arg, (size_t)(eq - arg))) == NULL) {
		fail(err, errlen, "argument %zu: unknown key '%.*s'", argno, (int)(eq - arg), arg);
		return false;
	}
	if (eq[1] == '\0') {
		fail(err, errlen, "argument %zu: missing value for '%s'", argno, k->name);
		return false;
	}
	if (!k->type->set(k, s, eq + 1, why, sizeof(why))) {
		fail(err, errlen, "argument %zu: bad value for '%s': %s", argno, k->name, why);
		return false;
	}
	return true;
}

/* Where key's effective value was set: argument *argno_out (counted from 1), else 0 and the
 * line in the service's section or the global part (0 when not set at all) is returned. */
static unsigned key_origin(const struct sendsec_config *cfg, const struct section *sec, const char *const *overrides,
		size_t n_overrides, const char *key, size_t *argno_out)
{
	size_t key_len = strlen(key);
	const struct section *layers[2] = {sec, &cfg->global};

	*argno_out = 0;
	for (size_t i = n_overrides; i-- > 0;) {
		if (strncmp(overrides[i], key, key_len) == 0 && overrides[i][key_len] == '=') {
			*argno_out = i + 1;
			return 0;
		}
	}
	for (size_t l = 0; l < 2; l++)
		for (size_t i = 0; layers[l] != NULL && i < layers[l]->n; i++)
			if (strcmp(layers[l]->items[i].key->name, key) == 0)
				return layers[l]->items[i].line;
	return 0;
}

enum sendsec_result sendsec_settings_resolve(const struct sendsec_config *cfg, const char *service,
		const char *const *overrides, size_t n_overrides, struct sendsec_settings **out, char *err,
		size_t errlen)
{
	struct sendsec_settings *s = NULL;
	const struct section *sec;
	char why[WHY_LEN];
	size_t argno;
	unsigned line;
	enum sendsec_result rc = SENDSEC_UNAVAILABLE;

	*out = NULL;
	if (cfg == NULL) {
		fail(err, errlen, "no configuration");
		goto out;
	}
	if (sodium_init() < 0) {
		fail(err, errlen, "%s: cannot initialise libsodium", cfg->name);
		goto out;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		fail(err, errlen, "%s: out of memory", cfg->name);
		goto out;
	}
	for (size_t i = 0; i < N_KEYS; i++) {
		if (keys[i].def != NULL && !keys[i].type->set(&keys[i], s, keys[i].def, why, sizeof(why))) {
			fail(err, errlen, "default for '%s': %s", keys[i].name, why);
			goto out;
		}
	}
	if (!apply_section(cfg, &cfg->global, s, err, errlen))
		goto out;
	if ((sec = find_section(cfg, service)) != NULL && !apply_section(cfg, sec, s, err, errlen))
		goto out;
	for (size_t i = 0; i < n_overrides; i++)
		if (!apply_override(overrides[i], i + 1, s, err, errlen))
			goto out;
	for (size_t i = 0; i < N_KEYS; i++) {
		if (keys[i].is_required && !keys[i].type->is_set(&keys[i], s)) {
			fail(err, errlen, "%s: missing required key '%s' (service %s)", cfg->name, keys[i].name,
					service != NULL ? service : "(none)");
			goto out;
		}
	}
	/* binddn alone would be a simple bind with an empty password: an unauthenticated bind. */
	if (s->binddn != NULL && s->bindpw_file == NULL) {
		line = key_origin(cfg, sec, overrides, n_overrides, "binddn", &argno);
		if (argno > 0)
			fail(err, errlen, "argument %zu: 'binddn' is set without 'bindpw_file' (service %s)", argno,
					service != NULL ? service : "(none)");
		else
			fail(err, errlen, "%s:%u: 'binddn' is set without 'bindpw_file' (service %s)", cfg->name, line,
					service != NULL ? service : "(none)");
		goto out;
	}
	if (s->bindpw_file != NULL && !read_bindpw(s, cfg->check_owner, err, errlen))
		goto out;
	if (s->totp_key_file != NULL && !read_totp_key(s, cfg->check_owner, err, errlen))
		goto out;
	if (s->tls_key != NULL && !check_tls_key(s->tls_key, cfg->check_owner, err, errlen))
		goto out;
	*out = s;
	s = NULL;
	rc = SENDSEC_OK;
out:
	sendsec_settings_free(s);
	return rc;
}

void sendsec_settings_print(const struct sendsec_settings *s, void (*emit)(void *arg, const char *line), void *arg)
{
	for (size_t i = 0; i < N_KEYS; i++) {
		const struct key *k = &keys[i];
		char *line = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&line, &len);

		if (f == NULL) {
			emit(arg, "# out of memory");
			continue;
		}
		if (k->type->is_set(k, s)) {
			fprintf(f, "%s ", k->name);
			k->type->print(k, s, f);
		} else {
			fprintf(f, "# %s (not set)", k->name);
		}
		if (fclose(f) == 0 && line != NULL)
			emit(arg, line);
		else
			emit(arg, "# out of memory");
		free(line);
	}
}
