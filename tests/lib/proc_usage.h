/* proc_usage.h — what a long-running test process holds, from /proc/self: its resident set and
 * its open descriptors (glibc's syslog socket aside: it comes and goes with /dev/log, which other
 * tests bind for a while). For the soak tests of the PAM module and the SASL plugin; libc only
 * (test_pam_memory links nothing else). Header only: included by one file of each test. */
#ifndef SENDSEC_PROC_USAGE_H
#define SENDSEC_PROC_USAGE_H

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

/* Resident set size in KiB (VmRSS of /proc/self/status), or -1. */
static inline long proc_rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* True when fd is a Unix datagram socket: syslog's connection to /dev/log. */
static inline bool proc_is_syslog_socket(int fd)
{
	int domain = 0, type = 0;
	socklen_t len = sizeof(domain);

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0)
		return false;
	len = sizeof(type);
	return getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && domain == AF_UNIX && type == SOCK_DGRAM;
}

/* Number of open descriptors (entries of /proc/self/fd, less the one opendir holds and any
 * syslog socket), or -1. */
static inline int proc_open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		int fd = atoi(e->d_name);

		if (e->d_name[0] != '.' && fd != dirfd(d) && !proc_is_syslog_socket(fd))
			n++;
	}
	closedir(d);
	return n;
}

#endif
