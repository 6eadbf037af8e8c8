/* capture_syslog.h — include in one file of a test program that wants to see what reaches syslog:
 * it defines syslog() and glibc's fortified __syslog_chk(), which the linker prefers to libc's,
 * and hands each formatted message with its priority to captured_syslog(), which the including
 * file defines. Do not include <syslog.h> alongside (its fortified inline syslog would clash). */
#ifndef SENDSEC_CAPTURE_SYSLOG_H
#define SENDSEC_CAPTURE_SYSLOG_H

#include <stdarg.h>
#include <stdio.h>

#define CAPTURE_AUTHPRIV_INFO ((10 << 3) | 6) /* LOG_AUTHPRIV | LOG_INFO: "<86>" on the wire */

static void captured_syslog(int pri, const char *line);

void syslog(int pri, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void __syslog_chk(int pri, int flag, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void capture_vsyslog(int pri, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static void capture_vsyslog(int pri, const char *fmt, va_list ap)
{
	char line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	captured_syslog(pri, line);
}

void syslog(int pri, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	capture_vsyslog(pri, fmt, ap);
	va_end(ap);
}

void __syslog_chk(int pri, int flag, const char *fmt, ...)
{
	va_list ap;

	(void)flag;
	va_start(ap, fmt);
	capture_vsyslog(pri, fmt, ap);
	va_end(ap);
}

#endif
