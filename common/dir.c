/* dir.c — the directory layer over libldap: connection with failover, TLS and service bind, and
 * the few operations the engine needs (search, read, modify, add, delete, bind check, password
 * modify), answered with enum sendsec_dir_status. Each operation that finds the server gone
 * reconnects once and retries; every other error is SENDSEC_DIR_FAILED. A URI that does not
 * answer is skipped for SENDSEC_DIR_RETRY_SECONDS, after which the earlier URIs are tried again
 * (DESIGN.md section 10). A search answered with a referral or search reference is FAILED and
 * never chased. A child of fork() opens its own connection. Values copied out of the directory
 * are wiped when freed. */
#include "dir.h"
#include "dir_ber.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <ldap.h>
#include <signal.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "escape.h"
#include "secret.h"
#include "tls.h"
#include "utf8.h"

struct sendsec_dir {
	const struct sendsec_settings *s;
	const struct sendsec_log *log;
	const struct sendsec_uri_list *uris; /* s->uri (providers), or s->read_uri for a replica handle */
	bool is_replica;                     /* no last try of URIs that did not answer: the caller asks uri */
	time_t (*now)(void *arg);            /* clock for the retry times (default: time(NULL)) */
	void *now_arg;
	LDAP *ld;                            /* NULL while disconnected */
	pid_t pid;                           /* the process that opened ld */
	size_t uri_index;                    /* the URI the current connection uses */
	time_t down_until[SENDSEC_MAX_URIS]; /* a URI that did not answer is skipped until then */
	time_t return_at;                    /* on a later URI: the earlier ones are tried again from then on */
	bool pinned;                         /* see sendsec_dir_pin */
	bool nosig;                          /* ld writes with MSG_NOSIGNAL (see nosig_install) */
	bool unreachable;                    /* the last operation failed because no URI answered */
	unsigned long searches;
	unsigned long connects;
	void *tls_ctx; /* libldap's TLS context shared by every connection; NULL: none could be built */
};

/* Drops one reference to a TLS context from LDAP_OPT_X_TLS_CTX (which takes one). Exported by
 * libldap 2.5 (and slapd's own use) but declared only in its private ldap_pvt.h. */
void ldap_pvt_tls_ctx_free(void *ctx);

static void load_tls(struct sendsec_dir *d);

enum sendsec_dir_status sendsec_dir_new(
		const struct sendsec_settings *s, const struct sendsec_log *log, struct sendsec_dir **out)
{
	struct sendsec_dir *d = calloc(1, sizeof(*d));

	*out = NULL;
	if (d == NULL)
		return SENDSEC_DIR_FAILED;
	d->s = s;
	d->log = log;
	d->uris = &s->uri;
	load_tls(d);
	*out = d;
	return SENDSEC_DIR_OK;
}

enum sendsec_dir_status sendsec_dir_new_replica(
		const struct sendsec_settings *s, const struct sendsec_log *log, struct sendsec_dir **out)
{
	enum sendsec_dir_status st = sendsec_dir_new(s, log, out);

	if (st == SENDSEC_DIR_OK) {
		(*out)->uris = &s->read_uri;
		(*out)->is_replica = true;
	}
	return st;
}

void sendsec_dir_set_clock(struct sendsec_dir *d, time_t (*now)(void *arg), void *arg)
{
	d->now = now;
	d->now_arg = arg;
}

static time_t dir_now(const struct sendsec_dir *d)
{
	return d->now != NULL ? d->now(d->now_arg) : time(NULL);
}

/* Drops a connection that a parent process opened, without a word to the server. libldap's
 * unbind (ldap_destroy too, in 2.5) sends an Unbind request, and a TLS session a close_notify,
 * over the socket: on a descriptor shared with the parent, the server would close the parent's
 * connection. So /dev/null is put in place of the descriptor first: whatever libldap writes
 * while it frees the handle goes nowhere, and only this process's descriptor is closed. If that
 * cannot be arranged, the handle is left allocated rather than risk the parent's connection. */
static void forget_inherited(struct sendsec_dir *d)
{
	int fd = -1, nul;

	if (ldap_get_option(d->ld, LDAP_OPT_DESC, &fd) != LDAP_OPT_SUCCESS)
		fd = -1;
	if (fd >= 0) {
		if ((nul = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0 || dup2(nul, fd) < 0) {
			if (nul >= 0)
				close(nul);
			d->ld = NULL;
			return;
		}
		close(nul);
	}
	ldap_unbind_ext_s(d->ld, NULL, NULL);
	d->ld = NULL;
}

/* libldap writes with write(2): on a connection the server has closed (a restart, a replica
 * stopped, the Unbind of a forked child), a second write raises SIGPIPE, whose default action ends
 * the process, and not every PAM application ignores it (su, login). The handle's own connection
 * gets a bottom I/O layer that sends with MSG_NOSIGNAL instead (nosig_install, no cost per
 * operation). Until it is in place (connect, bind, StartTLS) and on the short-lived connections of
 * user binds, the pipe guard applies: unless the process ignores SIGPIPE already (sshd, Postfix:
 * one system call then), it is blocked in this thread while libldap runs, and one that libldap
 * raised is taken off before the mask is restored. A thread that blocks SIGPIPE itself keeps what
 * is pending for it. */
struct pipe_guard {
	bool active;
	sigset_t old;
};

static void pipe_guard_begin(struct pipe_guard *g)
{
	struct sigaction sa;
	sigset_t set;

	g->active = !(sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN);
	if (!g->active)
		return;
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, &g->old);
}

static void pipe_guard_end(struct pipe_guard *g)
{
	sigset_t set;
	const struct timespec zero = {0, 0};

	if (!g->active)
		return;
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	if (sigismember(&g->old, SIGPIPE) != 1)
		while (sigtimedwait(&set, NULL, &zero) == SIGPIPE)
			;
	pthread_sigmask(SIG_SETMASK, &g->old, NULL);
}

/* The bottom of the I/O stack of the handle's connection, in place of libldap's own (read and
 * write(2) on the descriptor): the same, but writes never raise SIGPIPE. */
static int nosig_setup(Sockbuf_IO_Desc *sbiod, void *arg)
{
	sbiod->sbiod_pvt = arg;
	return 0;
}

static int nosig_ctrl(Sockbuf_IO_Desc *sbiod, int opt, void *arg)
{
	(void)sbiod;
	(void)opt;
	(void)arg;
	return 0; /* an end layer: nothing buffered here */
}

static ber_slen_t nosig_read(Sockbuf_IO_Desc *sbiod, void *buf, ber_len_t len)
{
	return read((int)(intptr_t)sbiod->sbiod_pvt, buf, len);
}

static ber_slen_t nosig_write(Sockbuf_IO_Desc *sbiod, void *buf, ber_len_t len)
{
	return send((int)(intptr_t)sbiod->sbiod_pvt, buf, len, MSG_NOSIGNAL);
}

static int nosig_close(Sockbuf_IO_Desc *sbiod)
{
	return close((int)(intptr_t)sbiod->sbiod_pvt);
}

static Sockbuf_IO nosig_io = {
		.sbi_setup = nosig_setup,
		.sbi_ctrl = nosig_ctrl,
		.sbi_read = nosig_read,
		.sbi_write = nosig_write,
		.sbi_close = nosig_close,
};

/* Puts nosig_io in place of libldap's TCP or local-socket layer of ld's connection (any TLS layer
 * above it now writes through it). False, with ld unchanged, when that cannot be done. */
static bool nosig_install(LDAP *ld)
{
	Sockbuf *sb = NULL;
	Sockbuf_IO *bottom;
	int fd = -1;

	if (ldap_get_option(ld, LDAP_OPT_SOCKBUF, &sb) != LDAP_OPT_SUCCESS || sb == NULL ||
			ber_sockbuf_ctrl(sb, LBER_SB_OPT_GET_FD, &fd) != 1 || fd < 0)
		return false;
	if (ber_sockbuf_ctrl(sb, LBER_SB_OPT_HAS_IO, &ber_sockbuf_io_tcp) == 1)
		bottom = &ber_sockbuf_io_tcp;
	else if (ber_sockbuf_ctrl(sb, LBER_SB_OPT_HAS_IO, &ber_sockbuf_io_fd) == 1)
		bottom = &ber_sockbuf_io_fd;
	else
		return false;
	if (ber_sockbuf_add_io(sb, &nosig_io, LBER_SBIOD_LEVEL_PROVIDER, (void *)(intptr_t)fd) != 0)
		return false;
	/* Added above libldap's layer at the same level: it now receives every read and write. The
	 * old layer below it is never reached; removing it changes nothing else (no remove hook). */
	return ber_sockbuf_remove_io(sb, bottom, LBER_SBIOD_LEVEL_PROVIDER) == 0;
}

static void disconnect_unguarded(struct sendsec_dir *d)
{
	if (d->ld != NULL && d->pid != getpid())
		forget_inherited(d);
	else if (d->ld != NULL)
		ldap_unbind_ext_s(d->ld, NULL, NULL);
	d->ld = NULL;
	d->nosig = false;
}

static void disconnect(struct sendsec_dir *d)
{
	struct pipe_guard g;

	pipe_guard_begin(&g);
	disconnect_unguarded(d);
	pipe_guard_end(&g);
}

void sendsec_dir_free(struct sendsec_dir *d)
{
	if (d == NULL)
		return;
	disconnect(d);
	if (d->tls_ctx != NULL)
		ldap_pvt_tls_ctx_free(d->tls_ctx);
	free(d);
}

unsigned long sendsec_dir_search_count(const struct sendsec_dir *d)
{
	return d->searches;
}

unsigned long sendsec_dir_connect_count(const struct sendsec_dir *d)
{
	return d->connects;
}

const char *sendsec_dir_current_uri(const struct sendsec_dir *d)
{
	return d->ld != NULL && d->pid == getpid() ? d->uris->items[d->uri_index] : NULL;
}

bool sendsec_dir_unreachable(const struct sendsec_dir *d)
{
	return d->unreachable;
}

void sendsec_dir_pin(struct sendsec_dir *d, bool pinned)
{
	d->pinned = pinned;
}

/* True for ldap:// URIs whose host is a loopback address or localhost. */
static bool is_loopback_uri(const char *uri)
{
	LDAPURLDesc *u = NULL;
	bool loop = false;
	unsigned char a6[16];
	struct in_addr a4;

	if (ldap_url_parse(uri, &u) != LDAP_URL_SUCCESS)
		return false;
	if (u->lud_host == NULL || u->lud_host[0] == '\0' || strcmp(u->lud_host, "localhost") == 0)
		loop = true;
	else if (inet_pton(AF_INET, u->lud_host, &a4) == 1)
		loop = (ntohl(a4.s_addr) >> 24) == 127;
	else if (inet_pton(AF_INET6, u->lud_host, a6) == 1)
		loop = memcmp(a6, in6addr_loopback.s6_addr, 16) == 0;
	ldap_free_urldesc(u);
	return loop;
}

static int reqcert_value(enum sendsec_reqcert r)
{
	switch (r) {
	case SENDSEC_REQCERT_NEVER: return LDAP_OPT_X_TLS_NEVER;
	case SENDSEC_REQCERT_ALLOW: return LDAP_OPT_X_TLS_ALLOW;
	case SENDSEC_REQCERT_TRY: return LDAP_OPT_X_TLS_TRY;
	case SENDSEC_REQCERT_DEMAND: return LDAP_OPT_X_TLS_DEMAND;
	}
	return LDAP_OPT_X_TLS_DEMAND;
}

/* Builds, now, the TLS context that every connection of this handle shares: the CA file, the
 * client certificate and key are read here and never again. The CA file is tls_cacert, else the
 * system bundle (tls.h): NEWCTX starts from nothing, not from libldap's defaults. The SASL
 * plugin creates its handles while the application is still root; Postfix's smtpd then runs as
 * postfix in a chroot where these files cannot be opened. libldap reads the files in LDAP_OPT_X_TLS_NEWCTX on a template
 * handle; LDAP_OPT_X_TLS_CTX hands the context out (one reference, released in
 * sendsec_dir_free) and sets it on each connection (one reference each, released by unbind).
 * Without a URI that needs TLS, nothing is built; on failure d->tls_ctx stays NULL and
 * open_uri refuses every URI that needs TLS. */
static void load_tls(struct sendsec_dir *d)
{
	const struct sendsec_settings *s = d->s;
	int reqcert = reqcert_value(s->tls_reqcert), zero = 0, rc;
	char err[512];
	LDAP *t = NULL;

	if (!sendsec_tls_is_needed(s))
		return;
	if (sendsec_tls_check_files(s, err, sizeof(err)) != SENDSEC_OK) {
		sendsec_logf(d->log, SENDSEC_LOG_ERROR, "%s", err);
		goto fail;
	}
	if ((rc = ldap_initialize(&t, NULL)) != LDAP_SUCCESS) {
		sendsec_logf(d->log, SENDSEC_LOG_ERROR, "cannot create a TLS template handle: %s", ldap_err2string(rc));
		goto fail;
	}
	if (ldap_set_option(t, LDAP_OPT_X_TLS_REQUIRE_CERT, &reqcert) != LDAP_OPT_SUCCESS ||
			ldap_set_option(t, LDAP_OPT_X_TLS_CACERTFILE, sendsec_tls_cacert(s)) != LDAP_OPT_SUCCESS ||
			(s->tls_cert != NULL &&
					ldap_set_option(t, LDAP_OPT_X_TLS_CERTFILE, s->tls_cert) != LDAP_OPT_SUCCESS) ||
			(s->tls_key != NULL &&
					ldap_set_option(t, LDAP_OPT_X_TLS_KEYFILE, s->tls_key) != LDAP_OPT_SUCCESS) ||
			ldap_set_option(t, LDAP_OPT_X_TLS_NEWCTX, &zero) != LDAP_OPT_SUCCESS ||
			ldap_get_option(t, LDAP_OPT_X_TLS_CTX, &d->tls_ctx) != LDAP_OPT_SUCCESS || d->tls_ctx == NULL) {
		sendsec_logf(d->log, SENDSEC_LOG_ERROR,
				"cannot build the TLS context from tls_cacert, tls_cert and tls_key (a file that is "
				"not PEM, or a key that does not match the certificate?)");
		goto fail;
	}
	ldap_unbind_ext_s(t, NULL, NULL);
	return;
fail:
	if (t != NULL)
		ldap_unbind_ext_s(t, NULL, NULL);
	sendsec_logf(d->log, SENDSEC_LOG_ERROR, "no TLS: connections to ldaps:// or with starttls will be refused");
}

/* Opens a connection to one URI with options and TLS but no bind. Returns the handle or NULL. */
static LDAP *open_uri(struct sendsec_dir *d, const char *uri)
{
	const struct sendsec_settings *s = d->s;
	LDAP *ld = NULL;
	int version = LDAP_VERSION3, reqcert = reqcert_value(s->tls_reqcert), rc;
	struct timeval tv = {.tv_sec = s->timeout, .tv_usec = 0};
	bool is_ldap = strncasecmp(uri, "ldap://", 7) == 0;

	if (is_ldap && !s->starttls && !is_loopback_uri(uri)) {
		sendsec_logf(d->log, SENDSEC_LOG_ERROR,
				"refusing %s: plain ldap:// to a non-loopback host needs 'starttls yes' (or use "
				"ldaps:// or ldapi://)",
				uri);
		return NULL;
	}
	if (sendsec_tls_uri_needs_tls(s, uri) && d->tls_ctx == NULL) {
		sendsec_logf(d->log, SENDSEC_LOG_ERROR, "refusing %s: no TLS context (see the error at load)", uri);
		return NULL;
	}
	if ((rc = ldap_initialize(&ld, uri)) != LDAP_SUCCESS) {
		sendsec_logf(d->log, SENDSEC_LOG_ERROR, "cannot use uri %s: %s", uri, ldap_err2string(rc));
		return NULL;
	}
	if (ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version) != LDAP_OPT_SUCCESS ||
			ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv) != LDAP_OPT_SUCCESS ||
			ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv) != LDAP_OPT_SUCCESS ||
			ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) != LDAP_OPT_SUCCESS ||
			ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &reqcert) != LDAP_OPT_SUCCESS ||
			(d->tls_ctx != NULL &&
					ldap_set_option(ld, LDAP_OPT_X_TLS_CTX, d->tls_ctx) != LDAP_OPT_SUCCESS)) {
		sendsec_logf(d->log, SENDSEC_LOG_ERROR, "cannot set LDAP options for %s", uri);
		goto fail;
	}
	if (is_ldap && s->starttls && (rc = ldap_start_tls_s(ld, NULL, NULL)) != LDAP_SUCCESS) {
		sendsec_logf(d->log, SENDSEC_LOG_ERROR, "StartTLS with %s failed: %s", uri, ldap_err2string(rc));
		goto fail;
	}
	return ld;
fail:
	ldap_unbind_ext_s(ld, NULL, NULL);
	return NULL;
}

static int service_bind(struct sendsec_dir *d, LDAP *ld)
{
	const struct sendsec_settings *s = d->s;
	static char empty[] = "";
	struct berval cred = {0, NULL};

	if (s->sasl_mech != NULL) {
		/* EXTERNAL is client-first: send an empty initial response (no authzid, use the derived
		 * identity). Without credentials slapd answers saslBindInProgress and waits for it. */
		cred.bv_val = empty;
		return ldap_sasl_bind_s(ld, NULL, s->sasl_mech, &cred, NULL, NULL, NULL);
	}
	if (s->binddn != NULL && s->bindpw != NULL) {
		cred.bv_val = s->bindpw;
		cred.bv_len = strlen(s->bindpw);
	}
	return ldap_sasl_bind_s(ld, s->binddn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL);
}

/* Opens uris[i] and binds as the service; the handle, or NULL (logged). */
static LDAP *open_bound(struct sendsec_dir *d, size_t i)
{
	LDAP *ld = open_uri(d, d->uris->items[i]);
	int rc;

	if (ld == NULL)
		return NULL;
	if ((rc = service_bind(d, ld)) != LDAP_SUCCESS) {
		sendsec_logf(d->log, SENDSEC_LOG_ERROR, "service bind to %s failed: %s", d->uris->items[i],
				ldap_err2string(rc));
		ldap_unbind_ext_s(ld, NULL, NULL);
		return NULL;
	}
	return ld;
}

/* True while uris[i] is to be skipped (it did not answer less than the retry time ago; a clock
 * that went back does not extend that). */
static bool is_down(const struct sendsec_dir *d, size_t i, time_t now)
{
	return d->down_until[i] > now && d->down_until[i] - now <= SENDSEC_DIR_RETRY_SECONDS;
}

static void mark_down(struct sendsec_dir *d, size_t i, time_t now)
{
	d->down_until[i] = now + SENDSEC_DIR_RETRY_SECONDS;
}

static void use(struct sendsec_dir *d, LDAP *ld, size_t i, time_t now)
{
	d->nosig = nosig_install(ld);
	d->ld = ld;
	d->pid = getpid();
	d->uri_index = i;
	d->down_until[i] = 0;
	d->return_at = now + SENDSEC_DIR_RETRY_SECONDS;
	d->connects++;
}

/* On a later URI than the first, once the retry time has come: tries the earlier URIs again, in
 * order, and moves to the first that answers, so that no host stays on a second provider. */
static void try_earlier(struct sendsec_dir *d, time_t now)
{
	size_t was = d->uri_index;

	for (size_t i = 0; i < was; i++) {
		LDAP *ld = open_bound(d, i);

		if (ld != NULL) {
			disconnect(d);
			use(d, ld, i, now);
			sendsec_logf(d->log, SENDSEC_LOG_INFO, "directory: back on %s (answers again), leaving %s",
					d->uris->items[i], d->uris->items[was]);
			return;
		}
		mark_down(d, i, now);
	}
	d->return_at = now + SENDSEC_DIR_RETRY_SECONDS;
}

static enum sendsec_dir_status connect_unguarded(struct sendsec_dir *d)
{
	bool was_down[SENDSEC_MAX_URIS];
	size_t tried = 0;
	time_t now;

	if (d->ld != NULL && d->pid != getpid()) {
		sendsec_logf(d->log, SENDSEC_LOG_DEBUG, "new process: opening a connection of its own");
		disconnect(d);
	}
	if (d->pinned)
		return d->ld != NULL ? SENDSEC_DIR_OK : SENDSEC_DIR_FAILED;
	now = dir_now(d);
	if (d->ld != NULL) {
		if (d->uri_index > 0 && (now >= d->return_at || d->return_at - now > SENDSEC_DIR_RETRY_SECONDS))
			try_earlier(d, now);
		return SENDSEC_DIR_OK;
	}
	/* In order, first the URIs that did not fail lately; then, unless the caller has other
	 * servers to ask (a replica handle), also those that did. */
	for (size_t i = 0; i < d->uris->n; i++)
		was_down[i] = is_down(d, i, now);
	for (int pass = 0; pass < (d->is_replica ? 1 : 2); pass++) {
		for (size_t i = 0; i < d->uris->n; i++) {
			LDAP *ld;

			if (was_down[i] != (pass == 1))
				continue;
			tried++;
			if ((ld = open_bound(d, i)) != NULL) {
				use(d, ld, i, now);
				sendsec_logf(d->log, i > 0 ? SENDSEC_LOG_INFO : SENDSEC_LOG_DEBUG, "connected to %s",
						d->uris->items[i]);
				return SENDSEC_DIR_OK;
			}
			mark_down(d, i, now);
		}
	}
	if (tried == 0)
		sendsec_logf(d->log, SENDSEC_LOG_DEBUG, "every replica is skipped: none answered in the last %d s",
				SENDSEC_DIR_RETRY_SECONDS);
	else
		sendsec_logf(d->log, SENDSEC_LOG_ERROR, "directory unavailable: none of %zu uri(s) answered%s",
				d->uris->n, d->is_replica ? " (replicas)" : "");
	return SENDSEC_DIR_FAILED;
}

/* True when the handle has its connection and nothing is to be done before using it. */
static bool is_ready(const struct sendsec_dir *d)
{
	time_t now;

	if (d->ld == NULL || d->pid != getpid())
		return false;
	if (d->pinned || d->uri_index == 0)
		return true;
	now = dir_now(d);
	return now < d->return_at && d->return_at - now <= SENDSEC_DIR_RETRY_SECONDS;
}

enum sendsec_dir_status sendsec_dir_connect(struct sendsec_dir *d)
{
	struct pipe_guard g;
	enum sendsec_dir_status st;

	if (is_ready(d))
		return SENDSEC_DIR_OK;
	pipe_guard_begin(&g);
	st = connect_unguarded(d);
	pipe_guard_end(&g);
	return st;
}

/* True when rc means the connection is gone and a reconnect may help. */
static bool is_gone(int rc)
{
	return rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR || rc == LDAP_UNAVAILABLE || rc == LDAP_BUSY;
}

static void log_op_error(struct sendsec_dir *d, const char *op, int rc)
{
	sendsec_logf(d->log, SENDSEC_LOG_ERROR, "directory %s failed: %s", op, ldap_err2string(rc));
}

void sendsec_entry_free(struct sendsec_entry *e)
{
	if (e != NULL)
		secret_free_n(e, e->alloc_size);
}

/* One attribute of an entry, read in place: name and values point into the result's buffer;
 * its values are vals[first .. first + n - 1] of copy_entry's value views. */
struct attr_view {
	struct berval name;
	size_t first, n;
};

/* Bytes of ber left to read (its end is the end of the attribute list, set by ldap_get_dn_ber). */
static ber_len_t ber_left(BerElement *ber)
{
	ber_len_t left = 0;

	return ber_get_option(ber, LBER_OPT_REMAINING_BYTES, &left) == LBER_OPT_SUCCESS ? left : 0;
}

/* Doubles an array of *cap elements of size bytes that starts out as stack (copied to the heap the
 * first time): returns the new array, or NULL without memory (arr is then still valid). */
static void *grow(void *arr, const void *stack, size_t *cap, size_t size)
{
	void *grown = arr == stack ? malloc(2 * *cap * size) : realloc(arr, 2 * *cap * size);

	if (grown == NULL)
		return NULL;
	if (arr == stack)
		memcpy(grown, stack, *cap * size);
	*cap *= 2;
	return grown;
}

/* Reads the next attribute of the entry (SEQUENCE { type, SET OF value }) in place, its values
 * appended to *vals (*n_vals of *cap, on the stack until it outgrows it). False on anything that
 * is not exactly that: a wrong tag, an element running past its SEQUENCE or SET, bytes left over
 * in either, or no memory. */
static bool read_attribute(BerElement *ber, struct attr_view *a, struct berval **vals, size_t *n_vals, size_t *cap,
		struct berval *stack_vals)
{
	ber_len_t len, seq_end, set_end, left;
	struct berval *grown;

	/* ber_skip_tag refuses a length past the end; seq_end and set_end are what is left after. */
	if (ber_skip_tag(ber, &len) != LBER_SEQUENCE)
		return false;
	seq_end = ber_left(ber) - len;
	if (ber_get_stringbv(ber, &a->name, LBER_BV_NOTERM) == LBER_DEFAULT || a->name.bv_len == 0 ||
			ber_skip_tag(ber, &len) != LBER_SET)
		return false;
	left = ber_left(ber);
	set_end = left - len;
	if (set_end != seq_end) /* the SET is the SEQUENCE's last element */
		return false;
	a->first = *n_vals;
	a->n = 0;
	for (; left > set_end; left = ber_left(ber)) {
		if (*n_vals == *cap) {
			if ((grown = grow(*vals, stack_vals, cap, sizeof(**vals))) == NULL)
				return false;
			*vals = grown;
		}
		if (ber_get_stringbv(ber, &(*vals)[*n_vals], LBER_BV_NOTERM) == LBER_DEFAULT)
			return false;
		(*n_vals)++;
		a->n++;
	}
	return left == set_end;
}

/* Copies len bytes from src to *text, NUL-terminated; returns where they went and moves *text past. */
static char *copy_text(char **text, const char *src, size_t len)
{
	char *at = *text;

	if (len > 0) /* an empty value may come without a pointer */
		memcpy(at, src, len);
	at[len] = '\0';
	*text = at + len + 1;
	return at;
}

struct sendsec_entry *sendsec_entry_from_ber(BerElement *ber, const struct berval *dn)
{
	struct attr_view stack_views[32], *views = stack_views, *grown;
	struct berval stack_vals[64], *bvals = stack_vals;
	size_t n_views = 0, cap = sizeof(stack_views) / sizeof(stack_views[0]), n_vals = 0,
	       vals_cap = sizeof(stack_vals) / sizeof(stack_vals[0]), bytes;
	struct sendsec_entry *e = NULL;
	struct sendsec_val *vals;
	char *text;

	if (dn == NULL || dn->bv_val == NULL)
		return NULL;
	bytes = dn->bv_len + 1;
	while (ber_left(ber) > 0) {
		if (n_views == cap) {
			if ((grown = grow(views, stack_views, &cap, sizeof(*views))) == NULL)
				goto out;
			views = grown;
		}
		if (!read_attribute(ber, &views[n_views], &bvals, &n_vals, &vals_cap, stack_vals))
			goto out;
		bytes += views[n_views].name.bv_len + 1;
		for (size_t j = 0; j < views[n_views].n; j++)
			bytes += bvals[views[n_views].first + j].bv_len + 1;
		n_views++;
	}
	bytes += sizeof(*e) + n_views * sizeof(*e->attrs) + n_vals * sizeof(*vals);
	if ((e = malloc(bytes)) == NULL)
		goto out;
	*e = (struct sendsec_entry){.attrs = (struct sendsec_attr *)(e + 1), .n_attrs = n_views, .alloc_size = bytes};
	vals = (struct sendsec_val *)(e->attrs + n_views);
	text = (char *)(vals + n_vals);
	e->dn = copy_text(&text, dn->bv_val, dn->bv_len);
	for (size_t i = 0; i < n_views; i++) {
		struct sendsec_attr *a = &e->attrs[i];

		*a = (struct sendsec_attr){.vals = vals, .n = views[i].n};
		a->name = copy_text(&text, views[i].name.bv_val, views[i].name.bv_len);
		for (size_t j = 0; j < a->n; j++) {
			const struct berval *v = &bvals[views[i].first + j];

			vals[j] = (struct sendsec_val){.ptr = copy_text(&text, v->bv_val, v->bv_len), .len = v->bv_len};
		}
		vals += a->n;
	}
out:
	if (views != stack_views)
		free(views);
	if (bvals != stack_vals)
		free(bvals);
	return e;
}

/* Copies one LDAPMessage entry into a single allocation of our own (sendsec_entry_from_ber), read
 * in place from libldap's parse of the result: nothing of libldap's leaks out, and the whole copy
 * is wiped and freed at once. */
static struct sendsec_entry *copy_entry(LDAP *ld, LDAPMessage *msg)
{
	struct berval dn = {0, NULL};
	BerElement *ber = NULL;
	struct sendsec_entry *e = NULL;

	if (ldap_get_dn_ber(ld, msg, &ber, &dn) == LDAP_SUCCESS)
		e = sendsec_entry_from_ber(ber, &dn);
	if (ber != NULL)
		ber_free(ber, 0);
	return e;
}

/* True when a URI other than the current one is not marked down. */
static bool other_up(const struct sendsec_dir *d, time_t now)
{
	for (size_t i = 0; i < d->uris->n; i++)
		if (i != d->uri_index && !is_down(d, i, now))
			return true;
	return false;
}

/* After an operation's LDAP result rc: true when the connection is gone and the operation may be
 * sent once more on a new one. A timeout leaves the URI marked down (a server that hangs is left
 * for the retry time); a read is then sent once more only when another URI is not marked down (so
 * it goes there, and waits for at most one more timeout), a write never: whether the hung server
 * applied it is unknown, and sending it elsewhere could apply a compare-and-swap twice. */
static bool drop_if_gone(struct sendsec_dir *d, int rc, bool is_read)
{
	if (rc == LDAP_TIMEOUT) {
		time_t now = dir_now(d);
		bool retry = is_read && !d->pinned && other_up(d, now);

		sendsec_logf(d->log, SENDSEC_LOG_ERROR, "directory %s did not answer within %d s; skipping it for %d s",
				d->uris->items[d->uri_index], d->s->timeout, SENDSEC_DIR_RETRY_SECONDS);
		mark_down(d, d->uri_index, now);
		disconnect(d);
		d->unreachable = true;
		return retry;
	}
	if (!is_gone(rc))
		return false;
	disconnect(d);
	d->unreachable = true;
	return !d->pinned;
}

/* One search with one retry after a reconnect. On LDAP_SUCCESS, *res_out holds the result. */
static int search_raw_unguarded(struct sendsec_dir *d, const char *base, int scope, const char *filter,
		const char *const *attrs, LDAPControl **sctrls, int sizelimit, LDAPMessage **res_out)
{
	struct timeval tv = {.tv_sec = d->s->timeout, .tv_usec = 0};
	int rc = LDAP_SERVER_DOWN;

	*res_out = NULL;
	d->unreachable = false;
	for (int attempt = 0; attempt < 2; attempt++) {
		if (sendsec_dir_connect(d) != SENDSEC_DIR_OK) {
			d->unreachable = true;
			return LDAP_SERVER_DOWN;
		}
		d->unreachable = false;
		d->searches++;
		rc = ldap_search_ext_s(
				d->ld, base, scope, filter, (char **)attrs, 0, sctrls, NULL, &tv, sizelimit, res_out);
		if (!is_gone(rc) && rc != LDAP_TIMEOUT)
			return rc;
		if (*res_out != NULL) {
			ldap_msgfree(*res_out);
			*res_out = NULL;
		}
		if (!drop_if_gone(d, rc, true))
			return rc;
	}
	return rc;
}

static int search_raw(struct sendsec_dir *d, const char *base, int scope, const char *filter, const char *const *attrs,
		LDAPControl **sctrls, int sizelimit, LDAPMessage **res_out)
{
	struct pipe_guard g;
	int rc;

	if (d->nosig)
		return search_raw_unguarded(d, base, scope, filter, attrs, sctrls, sizelimit, res_out);
	pipe_guard_begin(&g);
	rc = search_raw_unguarded(d, base, scope, filter, attrs, sctrls, sizelimit, res_out);
	pipe_guard_end(&g);
	return rc;
}

/* Appends the entries of res to *list (*n entries, *cap allocated). A search reference (a
 * referral object in scope) means the answer is not whole: FAILED, logged, never chased. */
static enum sendsec_dir_status collect(struct sendsec_dir *d, const char *base, LDAPMessage *res,
		struct sendsec_entry ***list, size_t *n, size_t *cap)
{
	int refs = ldap_count_references(d->ld, res), count = ldap_count_entries(d->ld, res);

	if (refs != 0) {
		sendsec_logf(d->log, SENDSEC_LOG_ERROR,
				"directory search under %s was answered with %d search reference(s) (a referral object "
				"in scope): the answer is not whole, so nothing is decided on it; referrals are never "
				"followed",
				base, refs);
		return SENDSEC_DIR_FAILED;
	}
	if (count < 0)
		return SENDSEC_DIR_FAILED;
	if (*n + (size_t)count + 1 > *cap) {
		size_t want = *n + (size_t)count + 1;
		struct sendsec_entry **grown = realloc(*list, want * sizeof(**list));

		if (grown == NULL)
			return SENDSEC_DIR_FAILED;
		*list = grown;
		*cap = want;
	}
	for (LDAPMessage *m = ldap_first_entry(d->ld, res); m != NULL; m = ldap_next_entry(d->ld, m)) {
		if (((*list)[*n] = copy_entry(d->ld, m)) == NULL)
			return SENDSEC_DIR_FAILED;
		(*n)++;
	}
	return SENDSEC_DIR_OK;
}

/* The status of a finished search result code (the entries come separately). */
static enum sendsec_dir_status search_status(struct sendsec_dir *d, const char *base, int lrc, int sizelimit)
{
	switch (lrc) {
	case LDAP_SUCCESS: return SENDSEC_DIR_OK;
	case LDAP_NO_SUCH_OBJECT: return SENDSEC_DIR_NO_ENTRY; /* the base is missing: no entries */
	case LDAP_SIZELIMIT_EXCEEDED:
		if (sizelimit > 0)
			sendsec_logf(d->log, SENDSEC_LOG_ERROR, "directory search returned more than %d entries",
					sizelimit);
		else
			sendsec_logf(d->log, SENDSEC_LOG_ERROR,
					"directory search under %s hit the server's size limit; let the service "
					"account "
					"page past it (OpenLDAP: limits dn.exact=\"<binddn>\" size.prtotal=unlimited)",
					base);
		return SENDSEC_DIR_FAILED;
	case LDAP_REFERRAL:
		sendsec_logf(d->log, SENDSEC_LOG_ERROR,
				"directory search of %s was answered with a referral; referrals are never followed",
				base);
		return SENDSEC_DIR_FAILED;
	default: log_op_error(d, "search", lrc); return SENDSEC_DIR_FAILED;
	}
}

static enum sendsec_dir_status search(struct sendsec_dir *d, const char *base, int scope, const char *filter,
		const char *const *attrs, int sizelimit, struct sendsec_entry ***entries_out, size_t *n_out)
{
	LDAPMessage *res = NULL;
	struct sendsec_entry **list = NULL;
	size_t n = 0, cap = 0;
	enum sendsec_dir_status rc = search_status(
			d, base, search_raw(d, base, scope, filter, attrs, NULL, sizelimit, &res), sizelimit);

	*entries_out = NULL;
	*n_out = 0;
	if (rc == SENDSEC_DIR_NO_ENTRY)
		rc = SENDSEC_DIR_OK;
	else if (rc == SENDSEC_DIR_OK)
		rc = collect(d, base, res, &list, &n, &cap);
	if (res != NULL)
		ldap_msgfree(res);
	if (rc != SENDSEC_DIR_OK) {
		sendsec_entries_free(list, n);
		return rc;
	}
	*entries_out = list;
	*n_out = n;
	return SENDSEC_DIR_OK;
}

static enum sendsec_dir_status search_single(struct sendsec_dir *d, const char *base, int scope, const char *filter,
		const char *const *attrs, struct sendsec_entry **entry_out)
{
	struct sendsec_entry **list = NULL;
	size_t n = 0;
	enum sendsec_dir_status rc = search(d, base, scope, filter, attrs, 2, &list, &n);

	*entry_out = NULL;
	if (rc != SENDSEC_DIR_OK)
		return rc;
	if (n == 0) {
		rc = SENDSEC_DIR_NO_ENTRY;
	} else if (n > 1) {
		sendsec_logf(d->log, SENDSEC_LOG_ERROR, "directory search matched %zu entries where one was expected",
				n);
		rc = SENDSEC_DIR_FAILED;
	} else {
		*entry_out = list[0];
		list[0] = NULL;
	}
	sendsec_entries_free(list, n);
	return rc;
}

enum sendsec_dir_status sendsec_dir_search_one(struct sendsec_dir *d, const char *base, const char *filter,
		const char *const *attrs, struct sendsec_entry **entry_out)
{
	return search_single(d, base, LDAP_SCOPE_SUBTREE, filter, attrs, entry_out);
}

enum sendsec_dir_status sendsec_dir_read(
		struct sendsec_dir *d, const char *dn, const char *const *attrs, struct sendsec_entry **entry_out)
{
	return search_single(d, dn, LDAP_SCOPE_BASE, "(objectClass=*)", attrs, entry_out);
}

/* Pages asked for by sendsec_dir_search_all: below slapd's default size limit (500). */
#define PAGE_SIZE 250

/* One page of a paged search (RFC 2696): the entries are appended to the list, *cookie is
 * replaced by the server's (empty after the last page). */
static enum sendsec_dir_status search_page(struct sendsec_dir *d, const char *base, const char *filter,
		const char *const *attrs, struct berval *cookie, struct sendsec_entry ***list, size_t *n, size_t *cap)
{
	LDAPControl *page = NULL, *sctrls[2] = {NULL, NULL}, **resp = NULL, *found;
	LDAPMessage *res = NULL;
	struct berval next = {0, NULL};
	ber_int_t estimate = 0;
	int err = LDAP_OTHER;
	enum sendsec_dir_status rc = SENDSEC_DIR_FAILED;

	if (sendsec_dir_connect(d) != SENDSEC_DIR_OK) {
		d->unreachable = true;
		return SENDSEC_DIR_FAILED;
	}
	/* Not critical: a server without paging answers as it would without the control. */
	if (ldap_create_page_control(d->ld, PAGE_SIZE, cookie, 0, &page) != LDAP_SUCCESS)
		goto out;
	sctrls[0] = page;
	rc = search_status(d, base, search_raw(d, base, LDAP_SCOPE_SUBTREE, filter, attrs, sctrls, 0, &res), 0);
	if (rc == SENDSEC_DIR_NO_ENTRY) {
		rc = SENDSEC_DIR_OK;
		ber_memfree(cookie->bv_val);
		*cookie = next;
		goto out;
	}
	if (rc != SENDSEC_DIR_OK || (rc = collect(d, base, res, list, n, cap)) != SENDSEC_DIR_OK)
		goto out;
	rc = SENDSEC_DIR_FAILED;
	if (ldap_parse_result(d->ld, res, &err, NULL, NULL, NULL, &resp, 0) != LDAP_SUCCESS || err != LDAP_SUCCESS)
		goto out;
	found = ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, resp, NULL);
	if (found != NULL && ldap_parse_pageresponse_control(d->ld, found, &estimate, &next) != LDAP_SUCCESS)
		goto out;
	ber_memfree(cookie->bv_val);
	*cookie = next; /* no control in the answer (paging ignored): the search is complete */
	rc = SENDSEC_DIR_OK;
out:
	ldap_controls_free(resp);
	ldap_control_free(page);
	if (res != NULL)
		ldap_msgfree(res);
	return rc;
}

enum sendsec_dir_status sendsec_dir_search_all(struct sendsec_dir *d, const char *base, const char *filter,
		const char *const *attrs, struct sendsec_entry ***entries_out, size_t *n_out)
{
	struct berval cookie = {0, NULL};
	struct sendsec_entry **list = NULL;
	size_t n = 0, cap = 0;
	bool was_pinned = d->pinned;
	enum sendsec_dir_status rc;

	*entries_out = NULL;
	*n_out = 0;
	/* The cookie belongs to the connection: after the first page, no reconnect or failover. */
	do {
		rc = search_page(d, base, filter, attrs, &cookie, &list, &n, &cap);
		d->pinned = true;
	} while (rc == SENDSEC_DIR_OK && cookie.bv_len > 0);
	d->pinned = was_pinned;
	ber_memfree(cookie.bv_val);
	if (rc != SENDSEC_DIR_OK) {
		sendsec_entries_free(list, n);
		return rc;
	}
	if (list == NULL && (list = calloc(1, sizeof(*list))) == NULL)
		return SENDSEC_DIR_FAILED;
	*entries_out = list;
	*n_out = n;
	return SENDSEC_DIR_OK;
}

/* A user name we are willing to put into a filter: 1..256 bytes of valid UTF-8, no controls. */
static bool is_sane_name(const char *user)
{
	size_t len = strlen(user);

	return len != 0 && len <= SENDSEC_DIR_NAME_MAX && sendsec_utf8_is_valid(user, len) &&
			!sendsec_utf8_has_control(user, len);
}

enum sendsec_dir_status sendsec_dir_find_user(
		struct sendsec_dir *d, const char *user, const char *const *attrs, struct sendsec_entry **entry_out)
{
	char filter[4096];

	*entry_out = NULL;
	if (user == NULL || !is_sane_name(user)) {
		sendsec_logf(d->log, SENDSEC_LOG_INFO,
				"user name refused before lookup (empty, too long, not UTF-8 or control characters)");
		return SENDSEC_DIR_NO_ENTRY;
	}
	if (sendsec_filter_expand(d->s->user_filter, user, strlen(user), filter, sizeof(filter)) != SENDSEC_OK) {
		sendsec_logf(d->log, SENDSEC_LOG_ERROR, "cannot build the user filter");
		return SENDSEC_DIR_FAILED;
	}
	return sendsec_dir_search_one(d, d->s->base, filter, attrs, entry_out);
}

/* Builds a NULL-terminated LDAPMod array from mods; free with free_mods. */
static LDAPMod **build_mods(const struct sendsec_mod *mods, size_t n, bool for_add)
{
	LDAPMod **list = calloc(n + 1, sizeof(*list));

	if (list == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		LDAPMod *m = calloc(1, sizeof(*m));
		struct berval **bv;

		if (m == NULL || (bv = calloc(mods[i].n + 1, sizeof(*bv))) == NULL) {
			free(m);
			goto fail;
		}
		list[i] = m;
		m->mod_op = LDAP_MOD_BVALUES |
				(for_add                                                           ? LDAP_MOD_ADD
								: mods[i].op == SENDSEC_MOD_ADD    ? LDAP_MOD_ADD
								: mods[i].op == SENDSEC_MOD_DELETE ? LDAP_MOD_DELETE
												   : LDAP_MOD_REPLACE);
		m->mod_type = (char *)mods[i].attr;
		m->mod_bvalues = bv;
		for (size_t j = 0; j < mods[i].n; j++) {
			if ((bv[j] = malloc(sizeof(**bv))) == NULL)
				goto fail;
			bv[j]->bv_val = (char *)mods[i].vals[j].ptr;
			bv[j]->bv_len = mods[i].vals[j].len;
		}
	}
	return list;
fail:
	for (size_t i = 0; i < n && list[i] != NULL; i++) {
		for (size_t j = 0; list[i]->mod_bvalues[j] != NULL; j++)
			free(list[i]->mod_bvalues[j]);
		free(list[i]->mod_bvalues);
		free(list[i]);
	}
	free(list);
	return NULL;
}

static void free_mods(LDAPMod **list)
{
	if (list == NULL)
		return;
	for (size_t i = 0; list[i] != NULL; i++) {
		for (size_t j = 0; list[i]->mod_bvalues[j] != NULL; j++)
			free(list[i]->mod_bvalues[j]);
		free(list[i]->mod_bvalues);
		free(list[i]);
	}
	free(list);
}

enum sendsec_op { OP_MODIFY, OP_ADD, OP_DELETE };

static enum sendsec_dir_status write_op_unguarded(
		struct sendsec_dir *d, enum sendsec_op op, const char *dn, const struct sendsec_mod *mods, size_t n)
{
	LDAPMod **list = NULL;
	int rc = LDAP_SERVER_DOWN;

	if (op != OP_DELETE && (list = build_mods(mods, n, op == OP_ADD)) == NULL)
		return SENDSEC_DIR_FAILED;
	d->unreachable = false;
	for (int attempt = 0; attempt < 2; attempt++) {
		if (sendsec_dir_connect(d) != SENDSEC_DIR_OK) {
			d->unreachable = true;
			break;
		}
		d->unreachable = false;
		rc = op == OP_MODIFY           ? ldap_modify_ext_s(d->ld, dn, list, NULL, NULL)
				: op == OP_ADD ? ldap_add_ext_s(d->ld, dn, list, NULL, NULL)
					       : ldap_delete_ext_s(d->ld, dn, NULL, NULL);
		if (!drop_if_gone(d, rc, false))
			break;
	}
	free_mods(list);
	switch (rc) {
	case LDAP_SUCCESS: return SENDSEC_DIR_OK;
	case LDAP_NO_SUCH_ATTRIBUTE:
	case LDAP_TYPE_OR_VALUE_EXISTS:
	case LDAP_CONSTRAINT_VIOLATION: /* e.g. a second value of a single-valued attribute */
	case LDAP_ALREADY_EXISTS: return SENDSEC_DIR_CONFLICT;
	case LDAP_NO_SUCH_OBJECT: return SENDSEC_DIR_NO_ENTRY;
	case LDAP_REFERRAL: /* a replica's update referral: never followed, the write did not happen */
		sendsec_logf(d->log, SENDSEC_LOG_ERROR,
				"directory %s answered a %s of %s with a referral (a read-only replica?); writes go to "
				"uri, and referrals are never followed",
				d->ld != NULL ? d->uris->items[d->uri_index] : "server",
				op == OP_MODIFY                ? "modify"
						: op == OP_ADD ? "add"
							       : "delete",
				dn);
		return SENDSEC_DIR_FAILED;
	default:
		log_op_error(d, op == OP_MODIFY ? "modify" : op == OP_ADD ? "add" : "delete", rc);
		return SENDSEC_DIR_FAILED;
	}
}

static enum sendsec_dir_status write_op(
		struct sendsec_dir *d, enum sendsec_op op, const char *dn, const struct sendsec_mod *mods, size_t n)
{
	struct pipe_guard g;
	enum sendsec_dir_status st;

	if (d->nosig)
		return write_op_unguarded(d, op, dn, mods, n);
	pipe_guard_begin(&g);
	st = write_op_unguarded(d, op, dn, mods, n);
	pipe_guard_end(&g);
	return st;
}

enum sendsec_dir_status sendsec_dir_modify(
		struct sendsec_dir *d, const char *dn, const struct sendsec_mod *mods, size_t n_mods)
{
	return write_op(d, OP_MODIFY, dn, mods, n_mods);
}

enum sendsec_dir_status sendsec_dir_add(
		struct sendsec_dir *d, const char *dn, const struct sendsec_mod *attrs, size_t n_attrs)
{
	return write_op(d, OP_ADD, dn, attrs, n_attrs);
}

enum sendsec_dir_status sendsec_dir_delete(struct sendsec_dir *d, const char *dn)
{
	return write_op(d, OP_DELETE, dn, NULL, 0);
}

/* Opens a fresh connection (same failover order) and binds as dn; *ld_out on LDAP_SUCCESS. */
static int user_bind(struct sendsec_dir *d, const char *dn, const char *password, LDAP **ld_out)
{
	struct berval cred = {.bv_val = (char *)password, .bv_len = strlen(password)};
	int rc = LDAP_SERVER_DOWN;

	*ld_out = NULL;
	for (size_t i = 0; i < d->uris->n; i++) {
		size_t k = (d->uri_index + i) % d->uris->n; /* start with the one that worked last */
		LDAP *ld = open_uri(d, d->uris->items[k]);

		if (ld == NULL)
			continue;
		rc = ldap_sasl_bind_s(ld, dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL);
		if (rc == LDAP_SUCCESS) {
			*ld_out = ld;
			return rc;
		}
		ldap_unbind_ext_s(ld, NULL, NULL);
		if (!is_gone(rc) && rc != LDAP_TIMEOUT)
			return rc;
	}
	return rc;
}

static enum sendsec_dir_status bind_status(struct sendsec_dir *d, int rc)
{
	if (rc == LDAP_SUCCESS)
		return SENDSEC_DIR_OK;
	if (rc == LDAP_INVALID_CREDENTIALS)
		return SENDSEC_DIR_BAD_CREDENTIALS;
	log_op_error(d, "user bind", rc);
	return SENDSEC_DIR_FAILED;
}

enum sendsec_dir_status sendsec_dir_check_bind(struct sendsec_dir *d, const char *dn, const char *password)
{
	LDAP *ld = NULL;
	struct pipe_guard g;
	int rc;

	if (password == NULL || password[0] == '\0')
		return SENDSEC_DIR_BAD_CREDENTIALS; /* an empty simple bind is an anonymous bind */
	pipe_guard_begin(&g);
	rc = user_bind(d, dn, password, &ld);
	if (ld != NULL)
		ldap_unbind_ext_s(ld, NULL, NULL);
	pipe_guard_end(&g);
	return bind_status(d, rc);
}

enum sendsec_dir_status sendsec_dir_passwd_modify(
		struct sendsec_dir *d, const char *dn, const char *old_password, const char *new_password)
{
	struct berval id = {.bv_val = (char *)dn, .bv_len = strlen(dn)};
	struct berval oldpw = {.bv_val = (char *)old_password, .bv_len = strlen(old_password)};
	struct berval newpw = {.bv_val = (char *)new_password, .bv_len = strlen(new_password)};
	struct berval gen = {0, NULL};
	struct pipe_guard g;
	LDAP *ld = NULL;
	int rc, bind_rc;

	if (old_password[0] == '\0')
		return SENDSEC_DIR_BAD_CREDENTIALS;
	if (new_password[0] == '\0')
		return SENDSEC_DIR_REFUSED;
	pipe_guard_begin(&g);
	rc = bind_rc = user_bind(d, dn, old_password, &ld);
	if (bind_rc == LDAP_SUCCESS) {
		rc = ldap_passwd_s(ld, &id, &oldpw, &newpw, &gen, NULL, NULL);
		ldap_unbind_ext_s(ld, NULL, NULL);
	}
	pipe_guard_end(&g);
	if (gen.bv_val != NULL) {
		sodium_memzero(gen.bv_val, gen.bv_len);
		ber_memfree(gen.bv_val);
	}
	if (bind_rc != LDAP_SUCCESS)
		return bind_status(d, bind_rc);
	if (rc == LDAP_SUCCESS)
		return SENDSEC_DIR_OK;
	log_op_error(d, "password modify", rc);
	return rc == LDAP_CONSTRAINT_VIOLATION || rc == LDAP_UNWILLING_TO_PERFORM ? SENDSEC_DIR_REFUSED
										  : SENDSEC_DIR_FAILED;
}
