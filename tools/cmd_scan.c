/* cmd_scan.c — sendsecctl scan [--revoke | --offline [--prefix P]] [PATH... | -]: finds this
 * fleet's API keys (check characters right) in files, directory trees (symbolic links are not
 * followed) and standard input, streamed through common/keyscan.c in 64 KiB reads, so a `git log
 * -p` of any size or a binary file is fine. For each key found it prints "PATH:LINE: key=ID
 * account=NAME state=STATE"; the secret part never leaves the scanner's buffers, which are wiped.
 * Each distinct key is looked up once (one search); with --revoke each live one is revoked and one
 * admin audit line is written for it. --offline (the pre-commit hook) never reads the config or
 * the directory. Exit 1 when a live key (offline: any key) was found, else 2 when a file could not
 * be read or a key could not be looked up, else 0. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "admin.h"
#include "audit.h"
#include "cli.h"
#include "keyscan.h"

#define READ_SIZE     (64 * 1024)
#define PATH_MAX_SCAN 4096

static int run_scan(struct cli *cli, const struct cli_args *a);

enum { SCAN_REVOKE, SCAN_OFFLINE, SCAN_PREFIX };

static const struct cli_option scan_options[] = {
		[SCAN_REVOKE] = {.name = "revoke", .kind = CLI_FLAG},
		[SCAN_OFFLINE] = {.name = "offline", .kind = CLI_FLAG},
		[SCAN_PREFIX] = {.name = "prefix", .kind = CLI_VALUE},
		{.name = NULL},
};

const struct cli_command cli_scan_commands[] = {
		{.name = "scan",
				.run = run_scan,
				.args = {"[PATH...]"},
				.options = scan_options,
				.usage = "[--revoke | --offline [--prefix P]] [PATH... | -]",
				.help = "find API keys of this fleet (check characters right) in files, directory "
					"trees or standard input ('-', the default) and print where, whose and whether "
					"live; --revoke revokes the live ones"},
		{.name = NULL},
};

/* A distinct key seen: its id and the hash of its secret (never the secret), and what is known. */
struct seen {
	char id[SENDSEC_KEY_ID_LEN + 1];
	unsigned char hash[SENDSEC_KEY_HASH_LEN];
	enum sendsec_key_state state;
	bool is_looked_up; /* false: the lookup failed (state unknown) */
	char account[SENDSEC_NAME_MAX + 1];
	const char *action; /* with --revoke: "revoked", "already revoked", "revoke failed", or NULL;
	                     * printed on the line of the hit that caused it, then NULL */
};

struct scan {
	struct cli *cli;
	struct sendsec_ctx *ctx; /* NULL when offline */
	bool do_revoke;
	const char *path;   /* being read; "-" for standard input */
	unsigned char *buf; /* READ_SIZE bytes, wiped after each file */
	struct seen *seen;
	size_t n_seen, cap_seen;
	unsigned long long n_hits;
	size_t n_live, n_failed_lookups, n_failed_revokes, n_unreadable;
	bool out_of_memory;
};

/* Copies text into out, control bytes replaced by '?' (a file name can hold anything). */
static void printable(const char *text, char *out, size_t outlen)
{
	size_t k = 0;

	for (const unsigned char *p = (const unsigned char *)text; *p != '\0' && k + 1 < outlen; p++)
		out[k++] = (*p < 0x20 || *p == 0x7f) ? '?' : (char)*p;
	out[k] = '\0';
}

/* The admin audit line for a key revoked because it leaked (DESIGN.md section 7). */
static void audit_leak_revoked(const struct scan *sc, const char *id)
{
	sendsec_audit_admin(sendsec_ctx_audit_sink(sc->ctx), "key_revoke", id, "leaked", sc->path);
}

/* Looks the key up (and revokes it when asked) the first time it is seen; returns its entry. */
static struct seen *look_up(struct scan *sc, const struct sendsec_apikey *key)
{
	unsigned char hash[SENDSEC_KEY_HASH_LEN];
	struct seen *s = NULL;
	enum sendsec_result r;

	sendsec_apikey_hash(key, hash);
	for (size_t i = 0; i < sc->n_seen && s == NULL; i++)
		if (strcmp(sc->seen[i].id, key->id) == 0 && sodium_memcmp(sc->seen[i].hash, hash, sizeof(hash)) == 0)
			s = &sc->seen[i];
	if (s != NULL)
		goto out;
	if (sc->n_seen == sc->cap_seen) {
		size_t cap = sc->cap_seen == 0 ? 16 : 2 * sc->cap_seen;
		struct seen *grown = realloc(sc->seen, cap * sizeof(*grown));

		if (grown == NULL) {
			sc->out_of_memory = true;
			goto out;
		}
		sc->seen = grown;
		sc->cap_seen = cap;
	}
	s = &sc->seen[sc->n_seen++];
	*s = (struct seen){.state = SENDSEC_KEY_UNKNOWN};
	memcpy(s->id, key->id, sizeof(s->id));
	memcpy(s->hash, hash, sizeof(hash));
	if (sc->ctx == NULL)
		goto out;
	r = sendsec_admin_key_state(sc->ctx, sc->cli->service, key, &s->state, s->account);
	s->is_looked_up = r == SENDSEC_OK;
	sc->n_failed_lookups += r != SENDSEC_OK;
	sc->n_live += s->state == SENDSEC_KEY_LIVE;
	if (!sc->do_revoke || s->state != SENDSEC_KEY_LIVE)
		goto out;
	r = sendsec_admin_key_revoke(sc->ctx, sc->cli->service, s->id);
	if (r == SENDSEC_OK) {
		s->action = "revoked";
		s->state = SENDSEC_KEY_REVOKED;
		audit_leak_revoked(sc, s->id);
	} else if (r == SENDSEC_UNKNOWN_USER) {
		s->action = "already_revoked";
		s->state = SENDSEC_KEY_REVOKED;
	} else {
		s->action = "revoke_failed";
		sc->n_failed_revokes++;
	}
out:
	sodium_memzero(hash, sizeof(hash));
	return s;
}

static void on_hit(void *arg, const struct sendsec_keyscan_hit *hit)
{
	struct scan *sc = arg;
	struct seen *s = look_up(sc, &hit->key);
	char path[PATH_MAX_SCAN], account[2 * SENDSEC_NAME_MAX];

	sc->n_hits++;
	printable(sc->path, path, sizeof(path));
	if (s == NULL) {
		printf("%s:%llu: key=%s account=- state=unknown (out of memory)\n", path, hit->line, hit->key.id);
		return;
	}
	printable(s->account[0] != '\0' ? s->account : "-", account, sizeof(account));
	/* A failed lookup reads "unknown" here; the reason is on stderr and in the exit status. The
	 * line of the hit that revoked the key says live and revoked; later ones say revoked. */
	printf("%s:%llu: key=%s account=%s state=%s%s%s\n", path, hit->line, s->id, account,
			sc->ctx == NULL                     ? "unchecked"
					: s->action != NULL ? sendsec_key_state_name(SENDSEC_KEY_LIVE)
							    : sendsec_key_state_name(s->state),
			s->action != NULL ? " action=" : "", s->action != NULL ? s->action : "");
	s->action = NULL;
	fflush(stdout);
}

/* Streams the open file fd through a fresh scanner, READ_SIZE bytes at a time into sc->buf. */
static void scan_fd(struct scan *sc, int fd, const char *prefix)
{
	unsigned char *buf = sc->buf;
	struct sendsec_keyscan ks;
	ssize_t n;

	if (!sendsec_keyscan_begin(&ks, prefix, on_hit, sc))
		return;
	while ((n = read(fd, buf, READ_SIZE)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			cli_error("%s: %s", sc->path, strerror(errno));
			sc->n_unreadable++;
			break;
		}
		sendsec_keyscan_feed(&ks, buf, (size_t)n);
	}
	(void)sendsec_keyscan_end(&ks);
	sodium_memzero(buf, READ_SIZE);
}

static int skip_dots(const struct dirent *d)
{
	return strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0;
}

/* Scans path: a regular file, or every regular file under a directory (in name order). Symbolic
 * links below the top are skipped (never followed), as are devices, sockets and pipes, also when
 * one replaces a file while the scan runs. */
static void scan_path(struct scan *sc, const char *path, const char *prefix, bool is_top)
{
	struct stat st;
	struct dirent **names = NULL;
	int n, fd;
	char child[PATH_MAX_SCAN];

	if ((is_top ? stat(path, &st) : lstat(path, &st)) != 0) {
		cli_error("%s: %s", path, strerror(errno));
		sc->n_unreadable++;
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		if ((n = scandir(path, &names, skip_dots, alphasort)) < 0) {
			cli_error("%s: %s", path, strerror(errno));
			sc->n_unreadable++;
			return;
		}
		for (int i = 0; i < n; i++) {
			if (snprintf(child, sizeof(child), "%s/%s", path, names[i]->d_name) >= (int)sizeof(child)) {
				cli_error("%s/%s: path too long", path, names[i]->d_name);
				sc->n_unreadable++;
			} else {
				scan_path(sc, child, prefix, false);
			}
			free(names[i]);
		}
		free(names);
		return;
	}
	if (!S_ISREG(st.st_mode) && !is_top)
		return;
	/* Below the top the file may have been swapped since the lstat (a FIFO would block the open
	 * and every read): opened without blocking, and skipped unless it is still a regular file. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | (is_top ? 0 : O_NOFOLLOW | O_NONBLOCK))) < 0) {
		cli_error("%s: %s", path, strerror(errno));
		sc->n_unreadable++;
		return;
	}
	if (!is_top && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
		close(fd);
		return;
	}
	sc->path = path;
	scan_fd(sc, fd, prefix);
	close(fd);
}

static int run_scan(struct cli *cli, const struct cli_args *a)
{
	struct scan sc = {.cli = cli, .do_revoke = a->opt[SCAN_REVOKE].n > 0};
	bool is_offline = a->opt[SCAN_OFFLINE].n > 0;
	const char *prefix = a->opt[SCAN_PREFIX].value, *stdin_only[] = {"-"};
	const char *const *paths = a->n_pos > 0 ? a->pos : stdin_only;
	size_t n_paths = a->n_pos > 0 ? a->n_pos : 1;
	char err[256];
	int rc;

	if (is_offline && sc.do_revoke)
		return cli_usage_error(a->cmd, "--revoke needs the directory: not with --offline");
	if (prefix != NULL && !is_offline)
		return cli_usage_error(
				a->cmd, "--prefix is for --offline; otherwise apikey_prefix of the config applies");
	if (prefix != NULL && (prefix[0] == '\0' || strlen(prefix) > SENDSEC_KEYSCAN_PREFIX_MAX))
		return cli_usage_error(a->cmd, "--prefix takes 1 to %d characters", SENDSEC_KEYSCAN_PREFIX_MAX);
	if (!is_offline) {
		const struct sendsec_settings *s;

		if ((sc.ctx = cli_ctx(cli)) == NULL)
			return CLI_USAGE;
		if ((s = sendsec_ctx_settings(sc.ctx, cli->service, err, sizeof(err))) == NULL) {
			cli_error("%s", err);
			return CLI_USAGE;
		}
		prefix = s->apikey_prefix;
	} else if (prefix == NULL) {
		prefix = "ssk_";
	}
	if ((sc.buf = malloc(READ_SIZE)) == NULL) {
		cli_error("out of memory");
		return CLI_USAGE;
	}
	for (size_t i = 0; i < n_paths; i++) {
		if (strcmp(paths[i], "-") == 0) {
			sc.path = "-";
			scan_fd(&sc, STDIN_FILENO, prefix);
		} else {
			scan_path(&sc, paths[i], prefix, true);
		}
	}
	fprintf(stderr, "sendsecctl: %llu key%s found (%zu distinct, %zu live)%s\n", sc.n_hits,
			sc.n_hits == 1 ? "" : "s", sc.n_seen, sc.n_live,
			is_offline ? " without looking them up (--offline)" : "");
	if (sc.out_of_memory)
		cli_error("out of memory: some keys were not looked up");
	if (sc.n_unreadable > 0)
		cli_error("%zu path%s could not be read: the scan is incomplete", sc.n_unreadable,
				sc.n_unreadable == 1 ? "" : "s");
	if (sc.n_failed_revokes > 0)
		cli_error("%zu live key%s could not be revoked (see the messages above)", sc.n_failed_revokes,
				sc.n_failed_revokes == 1 ? "" : "s");
	if (sc.n_failed_lookups > 0)
		cli_error("%zu key%s could not be looked up (see the messages above)", sc.n_failed_lookups,
				sc.n_failed_lookups == 1 ? "" : "s");
	if (sc.n_live > 0 || (is_offline && sc.n_hits > 0))
		rc = CLI_REFUSED;
	else if (sc.n_unreadable > 0 || sc.n_failed_lookups > 0 || sc.out_of_memory)
		rc = CLI_USAGE;
	else
		rc = CLI_OK;
	if (sc.seen != NULL)
		sodium_memzero(sc.seen, sc.cap_seen * sizeof(*sc.seen));
	free(sc.seen);
	free(sc.buf);
	return rc;
}
