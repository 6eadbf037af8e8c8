/* devlog_drain.c — a stand-in for the syslog daemon in benchmarks: binds an AF_UNIX datagram
 * socket at PATH (run_fleet.sh uses /dev/log in a private /dev), writes "ready" to standard output,
 * receives and drops every message until SIGTERM or SIGINT, then prints how many it received and
 * how many began with PATTERN (default "sendsec: ") and removes the socket. The lines are not kept:
 * this measures what sending the audit line costs the login, as with a syslog daemon that keeps up.
 * usage: devlog_drain PATH [PATTERN] */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: recv() returns EINTR */
	const char *pattern = argc > 2 ? argv[2] : "sendsec: ";
	char buf[8192];
	unsigned long received = 0, matching = 0;
	int fd;

	if (argc < 2 || strlen(argv[1]) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "usage: devlog_drain PATH [PATTERN]\n");
		return 2;
	}
	strcpy(addr.sun_path, argv[1]);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0 ||
			bind(fd, (const struct sockaddr *)&addr, sizeof(addr)) != 0 || chmod(argv[1], 0666) != 0) {
		perror(argv[1]);
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	while (!stop) {
		ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("recv");
			break;
		}
		buf[n] = '\0';
		received++;
		/* glibc sends "<PRI>Mmm dd hh:mm:ss TAG: MESSAGE": look for the pattern after the header. */
		matching += strstr(buf, pattern) != NULL;
	}
	unlink(argv[1]);
	printf("received %lu messages, %lu with \"%s\"\n", received, matching, pattern);
	return 0;
}
