/* tls.c — see tls.h. */
#include "tls.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

bool sendsec_tls_uri_needs_tls(const struct sendsec_settings *s, const char *uri)
{
	return strncasecmp(uri, "ldaps://", 8) == 0 || (s->starttls && strncasecmp(uri, "ldap://", 7) == 0);
}

bool sendsec_tls_is_needed(const struct sendsec_settings *s)
{
	for (size_t i = 0; i < s->uri.n; i++)
		if (sendsec_tls_uri_needs_tls(s, s->uri.items[i]))
			return true;
	for (size_t i = 0; i < s->read_uri.n; i++)
		if (sendsec_tls_uri_needs_tls(s, s->read_uri.items[i]))
			return true;
	return false;
}

const char *sendsec_tls_cacert(const struct sendsec_settings *s)
{
	return s->tls_cacert != NULL ? s->tls_cacert : SENDSEC_SYSTEM_CA_BUNDLE;
}

/* Empty string when path is a regular file this process can open, else the reason. */
static const char *unreadable(const char *path)
{
	struct stat st;
	const char *why = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0)
		return strerror(errno);
	if (fstat(fd, &st) != 0)
		why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		why = "not a regular file";
	close(fd);
	return why;
}

enum sendsec_result sendsec_tls_check_files(const struct sendsec_settings *s, char *err, size_t errlen)
{
	const char *why;

	if (!sendsec_tls_is_needed(s))
		return SENDSEC_OK;
	if ((why = unreadable(sendsec_tls_cacert(s)))[0] != '\0') {
		if (s->tls_cacert != NULL)
			snprintf(err, errlen, "tls_cacert %s: %s", s->tls_cacert, why);
		else
			snprintf(err, errlen,
					"tls_cacert is not set and the system CA bundle %s cannot be used (%s): "
					"install ca-certificates or set tls_cacert",
					SENDSEC_SYSTEM_CA_BUNDLE, why);
		return SENDSEC_UNAVAILABLE;
	}
	if (s->tls_cert != NULL && (why = unreadable(s->tls_cert))[0] != '\0') {
		snprintf(err, errlen, "tls_cert %s: %s", s->tls_cert, why);
		return SENDSEC_UNAVAILABLE;
	}
	if (s->tls_key != NULL && (why = unreadable(s->tls_key))[0] != '\0') {
		snprintf(err, errlen, "tls_key %s: %s", s->tls_key, why);
		return SENDSEC_UNAVAILABLE;
	}
	return SENDSEC_OK;
}
