/* lockout_itest.c — see lockout_itest.h. */
#include "lockout_itest.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "hash.h"
#include "itest.h"
#include "timeutil.h"

int litest_values(const char *dn, const char *attr, char *out, size_t outlen)
{
	static char raw[262144];
	const char *const argv[] = {"ldapsearch", "-x", "-LLL", "-o", "ldif-wrap=no", "-H", itest_env("URI"), "-D",
			itest_env("ROOTDN"), "-y", itest_env("ROOTPW_FILE"), "-s", "base", "-b", dn, "(objectClass=*)",
			attr, NULL};
	size_t alen = strlen(attr), used = 0;
	int count = 0;

	if (outlen > 0)
		out[0] = '\0';
	if (itest_run(argv, NULL, raw, sizeof(raw)) != 0)
		return -1;
	for (char *line = raw; line != NULL && *line != '\0';) {
		char *nl = strchr(line, '\n');
		size_t len = nl != NULL ? (size_t)(nl - line) : strlen(line);

		if (strncasecmp(line, attr, alen) == 0 && line[alen] == ':' && line[alen + 1] == ' ') {
			int n = snprintf(out + used, outlen - used, "%.*s\n", (int)(len - alen - 2), line + alen + 2);

			if (n > 0 && (size_t)n < outlen - used)
				used += (size_t)n;
			count++;
		} else if (strncasecmp(line, attr, alen) == 0 && strncmp(line + alen, ":: ", 3) == 0) {
			/* base64 (ldapsearch writes userPassword so) */
			size_t bin_len = 0;

			if (outlen - used > 1 &&
					sodium_base642bin((unsigned char *)out + used, outlen - used - 1,
							line + alen + 3, len - alen - 3, NULL, &bin_len, NULL,
							sodium_base64_VARIANT_ORIGINAL) == 0) {
				used += bin_len;
				out[used++] = '\n';
				out[used] = '\0';
			}
			count++;
		}
		line = nl != NULL ? nl + 1 : NULL;
	}
	return count;
}

int litest_count_source(const char *dn, const char *src)
{
	static char vals[65536];
	int count = 0;
	size_t slen = strlen(src);

	if (litest_values(dn, "sendsecFailure", vals, sizeof(vals)) < 0)
		return -1;
	for (char *line = vals; *line != '\0';) {
		char *nl = strchr(line, '\n');
		const char *s = line + 23; /* after "YYYYMMDDHHMMSS.ffffffZ " */

		if (nl != NULL && nl - line > 23 && strncmp(s, src, slen) == 0 && (s[slen] == ' ' || s[slen] == '\n'))
			count++;
		line = nl != NULL ? nl + 1 : line + strlen(line);
	}
	return count;
}

int litest_add(const char *dn, const char *attr, const char *const *vals, size_t n)
{
	static char ldif[262144];
	size_t used = 0;
	int k = snprintf(ldif, sizeof(ldif), "dn: %s\nchangetype: modify\nadd: %s\n", dn, attr);

	if (k < 0)
		return -1;
	used = (size_t)k;
	for (size_t i = 0; i < n && used < sizeof(ldif); i++) {
		k = snprintf(ldif + used, sizeof(ldif) - used, "%s: %s\n", attr, vals[i]);
		if (k < 0 || (size_t)k >= sizeof(ldif) - used)
			return -1;
		used += (size_t)k;
	}
	return itest_ldapmodify(ldif);
}

void litest_value(char *buf, size_t len, time_t t, unsigned micro, const char *src, const char *tag)
{
	char stamp[32];

	sendsec_time_format_generalized(t, stamp, sizeof(stamp));
	snprintf(buf, len, "%.14s.%06uZ %s%s%s", stamp, micro, src, tag != NULL ? " " : "", tag != NULL ? tag : "");
}

const char *litest_wrong(int i)
{
	char name[32];

	snprintf(name, sizeof(name), "wrong%d", i);
	return itest_pw(name);
}

int litest_set_password(const char *name)
{
	char hash[SENDSEC_HASH_MAX], ldif[1024];

	if (sendsec_hash_make(itest_pw(name), 3, 4096, hash, sizeof(hash)) != SENDSEC_OK)
		return -1;
	snprintf(ldif, sizeof(ldif), "dn: %s\nchangetype: modify\nreplace: userPassword\nuserPassword: %s\n",
			itest_user_dn(name), hash);
	return itest_ldapmodify(ldif);
}
