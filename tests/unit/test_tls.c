/* test_tls.c — the TLS rules of the directory connection (common/tls.c): which URIs need TLS,
 * the CA file in effect (tls_cacert, else the system bundle), and the file checks that make
 * check-config and the engine refuse a CA, certificate or key that cannot be read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "tls.h"

static char ldaps[] = "ldaps://ldap.example.test", ldap[] = "ldap://ldap.example.test",
	    ldapi[] = "ldapi://%2Frun%2Fslapd%2Fldapi", upper[] = "LDAPS://ldap.example.test";

static void test_which_uris_need_tls(void)
{
	struct sendsec_settings s = {.starttls = false};

	CHECK(sendsec_tls_uri_needs_tls(&s, ldaps));
	CHECK(sendsec_tls_uri_needs_tls(&s, upper));
	CHECK(!sendsec_tls_uri_needs_tls(&s, ldap));
	CHECK(!sendsec_tls_uri_needs_tls(&s, ldapi));
	s.starttls = true;
	CHECK(sendsec_tls_uri_needs_tls(&s, ldap));
	CHECK(!sendsec_tls_uri_needs_tls(&s, ldapi)); /* StartTLS is for ldap:// only */

	s = (struct sendsec_settings){.uri = {.items = {ldapi, ldap}, .n = 2}};
	CHECK(!sendsec_tls_is_needed(&s));
	s.uri.items[1] = ldaps; /* the second URI of the failover list */
	CHECK(sendsec_tls_is_needed(&s));
}

static void test_cacert_default(void)
{
	char mine[] = "/etc/sendsec/ca.pem";
	struct sendsec_settings s = {.tls_cacert = NULL};

	CHECK_STR(sendsec_tls_cacert(&s), "/etc/ssl/certs/ca-certificates.crt");
	CHECK_STR(sendsec_tls_cacert(&s), SENDSEC_SYSTEM_CA_BUNDLE);
	s.tls_cacert = mine;
	CHECK_STR(sendsec_tls_cacert(&s), mine);
}

static void test_file_checks(void)
{
	char file[] = "/tmp/sendsec-test-tls.XXXXXX", missing[] = "/nonexistent/sendsec/ca.pem", dir[] = "/";
	struct sendsec_settings s = {.uri = {.items = {ldap}, .n = 1}, .tls_cacert = missing};
	char err[512] = "";
	int fd = mkstemp(file);

	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
	/* No URI needs TLS: nothing is checked. */
	CHECK(sendsec_tls_check_files(&s, err, sizeof(err)) == SENDSEC_OK);

	s.uri.items[0] = ldaps;
	CHECK(sendsec_tls_check_files(&s, err, sizeof(err)) == SENDSEC_UNAVAILABLE);
	CHECK(strstr(err, "tls_cacert /nonexistent/sendsec/ca.pem: No such file or directory") != NULL);
	printf("missing CA: %s\n", err);
	s.tls_cacert = dir;
	CHECK(sendsec_tls_check_files(&s, err, sizeof(err)) == SENDSEC_UNAVAILABLE);
	CHECK(strstr(err, "tls_cacert /: not a regular file") != NULL);
	s.tls_cacert = file;
	CHECK(sendsec_tls_check_files(&s, err, sizeof(err)) == SENDSEC_OK);

	s.tls_cert = file;
	s.tls_key = missing;
	CHECK(sendsec_tls_check_files(&s, err, sizeof(err)) == SENDSEC_UNAVAILABLE);
	CHECK(strstr(err, "tls_key /nonexistent/sendsec/ca.pem") != NULL);
	s.tls_cert = missing;
	s.tls_key = file;
	CHECK(sendsec_tls_check_files(&s, err, sizeof(err)) == SENDSEC_UNAVAILABLE);
	CHECK(strstr(err, "tls_cert /nonexistent/sendsec/ca.pem") != NULL);
	s.tls_cert = file;
	CHECK(sendsec_tls_check_files(&s, err, sizeof(err)) == SENDSEC_OK);
	unlink(file);
}

int main(int argc, char **argv)
{
	(void)argc;
	test_which_uris_need_tls();
	test_cacert_default();
	test_file_checks();
	return check_report(argv[0]);
}
