/* config.h — sendsec.conf (DESIGN.md section 3): "key value" lines, '#' comments, optional
 * "[service NAME]" sections overriding the global keys for that service, and PAM "key=value"
 * arguments overriding both. One table of keys drives the file, the sections and the arguments.
 * Errors name the file (or "argument") and the line. No directory access happens here. */
#ifndef SENDSEC_CONFIG_H
#define SENDSEC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "cidr.h"
#include "result.h"

#define SENDSEC_DEFAULT_CONFIG "/etc/sendsec/sendsec.conf"
#define SENDSEC_MAX_URIS       8
#define SENDSEC_MAX_METHODS    8

enum sendsec_factor { SENDSEC_FACTOR_PASSWORD = 1, SENDSEC_FACTOR_TOTP = 2, SENDSEC_FACTOR_APIKEY = 4 };
enum sendsec_password_check { SENDSEC_CHECK_LOCAL = 0, SENDSEC_CHECK_BIND };
enum sendsec_otp_mode { SENDSEC_OTP_PROMPT = 0, SENDSEC_OTP_APPEND };
enum sendsec_reqcert { SENDSEC_REQCERT_NEVER = 0, SENDSEC_REQCERT_ALLOW, SENDSEC_REQCERT_TRY, SENDSEC_REQCERT_DEMAND };

/* A list of directory URIs, tried in order. */
struct sendsec_uri_list {
	char *items[SENDSEC_MAX_URIS];
	size_t n;
};

/* The effective settings for one service. Strings are owned by the struct. */
struct sendsec_settings {
	struct sendsec_uri_list uri;      /* the providers: reads of password logins and every write */
	struct sendsec_uri_list read_uri; /* replicas for API-key logins (section 10); empty: use uri */
	char *base;
	char *binddn;
	char *bindpw_file;
	char *bindpw; /* read from bindpw_file at load time; wiped on free */
	char *sasl_mech;
	bool starttls;
	char *tls_cacert, *tls_cert, *tls_key;
	enum sendsec_reqcert tls_reqcert;
	int timeout; /* seconds */
	char *user_filter;
	char *user_attr;
	enum sendsec_password_check password_check;
	bool rehash;
	unsigned long long argon2_opslimit;
	size_t argon2_memlimit_kib;
	unsigned methods[SENDSEC_MAX_METHODS]; /* each an OR of enum sendsec_factor */
	size_t n_methods;
	bool totp_unenrolled_allow;
	enum sendsec_otp_mode otp_mode;
	char *totp_key_file;
	unsigned char totp_key[32]; /* read from totp_key_file at load time; wiped on free */
	bool has_totp_key;
	char *apikey_username;
	char *apikey_prefix;
	struct sendsec_cidr_list allow_networks;                   /* empty: any */
	int lockout_threshold, lockout_interval, lockout_duration; /* threshold: per source */
	int lockout_account_threshold;                             /* all sources together */
	int lockout_source_prefix4, lockout_source_prefix6;        /* prefix lengths making one source */
	int hash_concurrency; /* most hash verifications at once on the host; -1: auto (CPUs online), 0: no limit */
	int apikey_max_idle;  /* days; 0: off */
	int apikey_touch_interval; /* seconds between two writes of a key's last use */
	int password_min_length;
	time_t password_reset_before; /* 0: not set */
	char *ppolicy_default;        /* DN of the ppolicy policy slapd applies by default; NULL: unknown */
	int log_level;                /* enum sendsec_log_level */
};

struct sendsec_config; /* the parsed file: global settings plus named sections */

/* Parses the file at path. With check_owner, refuses a file not owned by root or writable by
 * group/others, and secret files readable by others. Returns SENDSEC_OK and *cfg_out (free with
 * sendsec_config_free), or SENDSEC_UNAVAILABLE with a "file:line: message" in err. */
enum sendsec_result sendsec_config_load(const char *path, bool check_owner, struct sendsec_config **cfg_out, char *err,
		size_t errlen) SENDSEC_MUST_CHECK;

/* Same, from a buffer; name is used in messages. Secret files are still read from disk. */
enum sendsec_result sendsec_config_parse(const char *name, const char *text, size_t len, bool check_owner,
		struct sendsec_config **cfg_out, char *err, size_t errlen) SENDSEC_MUST_CHECK;

void sendsec_config_free(struct sendsec_config *cfg);

/* Resolves the settings for service (NULL: global only), then applies the "key=value" overrides
 * (PAM arguments). Returns SENDSEC_OK and *out (free with sendsec_settings_free), or
 * SENDSEC_UNAVAILABLE with "argument N: message" or a missing-required-key message in err. */
enum sendsec_result sendsec_settings_resolve(const struct sendsec_config *cfg, const char *service,
		const char *const *overrides, size_t n_overrides, struct sendsec_settings **out, char *err,
		size_t errlen) SENDSEC_MUST_CHECK;

void sendsec_settings_free(struct sendsec_settings *s);

/* Number of [service] sections and the name of the i-th, for check-config. */
size_t sendsec_config_n_services(const struct sendsec_config *cfg);
const char *sendsec_config_service_name(const struct sendsec_config *cfg, size_t i);

/* Writes the effective settings as "key value" lines (secrets shown as their file names only). */
void sendsec_settings_print(const struct sendsec_settings *s, void (*emit)(void *arg, const char *line), void *arg);

#endif
