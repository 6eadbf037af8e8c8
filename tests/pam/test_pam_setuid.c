/* test_pam_setuid.c — a set-user-ID program (su, sudo, passwd) takes no hash slot: the user who
 * starts one may stop it (SIGSTOP) at any moment, and a stopped holder would keep its slot from
 * smtpd and sshd. Run as root under tests/fixtures/with-slapd.sh, in a private mount namespace
 * whose /run/sendsec is an empty tmpfs (a set-user-ID program ignores SENDSEC_RUN_DIR). A copy of
 * this program, owned by root and mode 4755, logs alice in through libpam with the host's only
 * slot held by another process: run by nobody (AT_SECURE) it must succeed; run by root (no
 * credential change, so no AT_SECURE) it must be answered busy, as every other login is. A copy
 * with a file capability (cap_dac_override, as a daemon may be given one to read its files) run
 * by nobody gets AT_SECURE too, without a change of user: it is a service, not a user's program
 * (as smtpd under an SELinux domain transition), and it must be answered busy as well. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <security/pam_appl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <linux/capability.h>
#include <unistd.h>

#include "check.h"
#include "itest.h"
#include "pam_itest.h"

#define SLOT_DIR "/run/sendsec"
#define NOBODY   65534

/* Answers every prompt with the password read from standard input. */
static int converse(int n, const struct pam_message **msg, struct pam_response **resp, void *arg)
{
	struct pam_response *r = calloc((size_t)n, sizeof(*r));

	if (r == NULL)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++)
		if (msg[i]->msg_style == PAM_PROMPT_ECHO_OFF && (r[i].resp = strdup(arg)) == NULL)
			return PAM_BUF_ERR; /* a test: the few bytes leaked do not matter */
	*resp = r;
	return PAM_SUCCESS;
}

/* The copy's job: pam_authenticate of user through confdir/service; exits with its code. */
static int login_mode(const char *confdir, const char *service, const char *user)
{
	char password[256];
	struct pam_conv conv = {converse, password};
	pam_handle_t *h = NULL;
	int rc;

	if (fgets(password, sizeof(password), stdin) == NULL)
		return 100;
	password[strcspn(password, "\n")] = '\0';
	if (pam_start_confdir(service, user, &conv, confdir, &h) != PAM_SUCCESS)
		return 101;
	rc = pam_authenticate(h, 0);
	pam_end(h, rc);
	explicit_bzero(password, sizeof(password));
	return rc;
}

/* Runs the copy at path as uid (NOBODY or 0) with alice's password on its standard input;
 * returns its exit code (the PAM code), or -1 when it did not exit. */
static int run_copy(const char *path, const char *confdir, uid_t uid)
{
	int in[2], status;
	const char *pw = itest_pw("alice");
	pid_t pid;

	if (pipe(in) != 0 || (pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		dup2(in[0], 0);
		close(in[0]);
		close(in[1]);
		if (uid != 0 &&
				(setgroups(0, NULL) != 0 || setresgid(uid, uid, uid) != 0 ||
						setresuid(uid, uid, uid) != 0))
			_exit(102);
		execl(path, path, "--login", confdir, "busy", "alice", (char *)NULL);
		_exit(103);
	}
	close(in[0]);
	if (write(in[1], pw, strlen(pw)) < 0 || write(in[1], "\n", 1) != 1)
		fprintf(stderr, "writing the password: %s\n", strerror(errno));
	close(in[1]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* A private namespace with an empty tmpfs on /run/sendsec: the host's slot file is not touched. */
static void private_slot_dir(void)
{
	if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
			(mkdir(SLOT_DIR, 0755) != 0 && errno != EEXIST) ||
			mount("sendsec-test", SLOT_DIR, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0) {
		perror("a private " SLOT_DIR);
		exit(1);
	}
}

/* Copies this program to dir/name, root:root with mode, and with the file capabilities cap when
 * not NULL. Exits 1 on a failure. */
static void copy_self(
		const char *dir, const char *name, mode_t mode, const struct vfs_cap_data *cap, char *path, size_t len)
{
	char buf[65536];
	ssize_t n = 0;
	int in = -1, out = -1;

	if ((size_t)snprintf(path, len, "%s/%s", dir, name) >= len ||
			(in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC)) < 0 ||
			(out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0700)) < 0)
		goto fail;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			goto fail;
	if (n < 0 || fchown(out, 0, 0) != 0 || fchmod(out, mode) != 0 ||
			(cap != NULL && fsetxattr(out, "security.capability", cap, sizeof(*cap), 0) != 0) ||
			close(out) != 0)
		goto fail;
	close(in);
	return;
fail:
	perror(path);
	exit(1);
}

/* In a new 0755 directory in /tmp (whose path nobody can search): a root:root mode 4755 copy of
 * this program, and a root:root 0755 one with the file capability cap_dac_override in its
 * permitted and effective sets (setcap cap_dac_override+ep). */
static void make_copies(char *dir, size_t dirlen, char *setuid, char *filecap, size_t len)
{
	static const struct vfs_cap_data cap = {
			.magic_etc = VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE,
			.data = {{.permitted = 1u << CAP_DAC_OVERRIDE, .inheritable = 0}, {0, 0}},
	};

	if ((size_t)snprintf(dir, dirlen, "/tmp/sendsec-setuid.XXXXXX") >= dirlen || mkdtemp(dir) == NULL ||
			chmod(dir, 0755) != 0) {
		perror("a directory for the copies");
		exit(1);
	}
	copy_self(dir, "test_pam_setuid", 04755, NULL, setuid, len);
	copy_self(dir, "test_pam_filecap", 0755, &cap, filecap, len);
}

int main(int argc, char **argv)
{
	char copy[PATH_MAX], capcopy[PATH_MAX], dir[PATH_MAX], args[PATH_MAX + 128];
	const char *confdir;
	const char *conf = getenv("SENDSEC_TEST_CONF");
	pid_t holder;
	int status;

	if (argc == 5 && strcmp(argv[1], "--login") == 0)
		return login_mode(argv[2], argv[3], argv[4]);
	if (argc != 2 || conf == NULL || getenv("SENDSEC_TEST_DIR") == NULL) {
		fprintf(stderr, "usage: with-slapd.sh %s PATH/pam_sendsec.so\n", argv[0]);
		return 2;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "%s: needs root (a set-user-ID copy and a mount namespace)\n", argv[0]);
		return 1;
	}
	private_slot_dir();
	unsetenv("SENDSEC_RUN_DIR"); /* the root-run copy too uses /run/sendsec, as nobody's must */
	/* The confdir is read by the copy as root, and its path is searched by nobody's exec. */
	pam_itest_init(argv[1], false);
	snprintf(args, sizeof(args), "config=%s methods=password hash_concurrency=1 timeout=1", conf);
	pam_itest_write_service("busy", args, NULL);
	confdir = pam_itest_confdir();
	make_copies(dir, sizeof(dir), copy, capcopy, sizeof(copy));

	CHECK_EQ_INT(run_copy(copy, confdir, NOBODY), PAM_SUCCESS); /* no slot held: works */
	CHECK_EQ_INT(run_copy(capcopy, confdir, NOBODY), PAM_SUCCESS);
	CHECK_EQ_INT(run_copy(copy, confdir, 0), PAM_SUCCESS);
	holder = itest_slot_holder(SLOT_DIR);
	/* The only slot is held: an ordinary program is answered busy ... */
	CHECK_EQ_INT(run_copy(copy, confdir, 0), PAM_AUTHINFO_UNAVAIL);
	/* ... and the set-user-ID one, started by nobody, takes no slot and logs alice in. */
	CHECK_EQ_INT(run_copy(copy, confdir, NOBODY), PAM_SUCCESS);
	/* A service with a file capability (AT_SECURE, run by its own user) waits its turn. */
	CHECK_EQ_INT(run_copy(capcopy, confdir, NOBODY), PAM_AUTHINFO_UNAVAIL);
	CHECK(kill(holder, SIGKILL) == 0 && waitpid(holder, &status, 0) == holder);
	CHECK_EQ_INT(run_copy(copy, confdir, 0), PAM_SUCCESS);

	unlink(copy);
	unlink(capcopy);
	rmdir(dir);
	pam_itest_done();
	return check_report(argv[0]);
}
