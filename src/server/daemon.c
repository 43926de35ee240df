/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Signals, detaching, pidfile, sd_notify (see daemon.h).
 */
#define _GNU_SOURCE /* pipe2 */
#include "daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

int ct_daemon_signals(int *fd_out, struct ct_errinfo *ei)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
		return ct_errinfo_set(ei, CT_ERR_IO, "cannot block signals");
	fd = signalfd(-1, &set, SFD_CLOEXEC);
	if (fd < 0)
		return ct_errinfo_set(ei, CT_ERR_IO, "signalfd: %s", strerror(errno));
	signal(SIGPIPE, SIG_IGN);
	*fd_out = fd;
	return 0;
}

int ct_daemon_next_signal(int fd)
{
	struct signalfd_siginfo si;
	ssize_t n;

	for (;;) {
		n = read(fd, &si, sizeof(si));
		if (n == (ssize_t)sizeof(si))
			return (int)si.ssi_signo;
		if (n < 0 && errno == EINTR)
			continue;
		return CT_ERR_IO;
	}
}

static int null_stdio(void)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	int i, r = 0;

	if (fd < 0)
		return -1;
	for (i = 0; i < 3; i++)
		if (dup2(fd, i) < 0)
			r = -1;
	if (fd > 2)
		close(fd);
	return r;
}

int ct_daemon_detach(int *ready_fd, struct ct_errinfo *ei)
{
	int p[2], status = 0;
	unsigned char code;
	pid_t pid;
	ssize_t n;

	if (pipe2(p, O_CLOEXEC) != 0)
		return ct_errinfo_set(ei, CT_ERR_IO, "pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return ct_errinfo_set(ei, CT_ERR_IO, "fork: %s", strerror(errno));
	}
	if (pid > 0) {
		/* The original process: wait for the daemon's verdict. */
		close(p[1]);
		do
			n = read(p[0], &code, 1);
		while (n < 0 && errno == EINTR);
		waitpid(pid, &status, 0);
		_exit(n == 1 ? code : 1);
	}
	close(p[0]);
	if (setsid() < 0)
		_exit(1);
	pid = fork();
	if (pid < 0)
		_exit(1);
	if (pid > 0)
		_exit(0); /* the session leader goes; the daemon can never get a tty */
	if (chdir("/") != 0 || null_stdio() != 0)
		_exit(1);
	*ready_fd = p[1];
	return 0;
}

void ct_daemon_ready(int fd, int status)
{
	unsigned char code = (unsigned char)status;
	ssize_t n;

	if (fd < 0)
		return;
	do
		n = write(fd, &code, 1);
	while (n < 0 && errno == EINTR);
	close(fd);
}

/* Returns the pid in an existing pidfile, or 0 if it is unreadable or malformed. */
static pid_t pidfile_read(const char *path)
{
	char buf[32], *end;
	ssize_t n;
	long v;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	v = strtol(buf, &end, 10);
	if (v <= 0 || v > 0x3fffffff || (*end != '\n' && *end != '\0'))
		return 0;
	return (pid_t)v;
}

int ct_daemon_pidfile_create(const char *path, struct ct_errinfo *ei)
{
	char buf[32];
	pid_t other;
	int fd, attempt, n;

	for (attempt = 0; attempt < 2; attempt++) {
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (fd >= 0 || errno != EEXIST)
			break;
		other = pidfile_read(path);
		if (other > 0 && (kill(other, 0) == 0 || errno == EPERM))
			return ct_errinfo_set(ei, CT_ERR_PERMISSION,
					      "%s: cloudtrustd already runs as pid %ld",
					      path, (long)other);
		/* Stale: its process is gone (or the file is garbage). */
		if (unlink(path) != 0 && errno != ENOENT)
			return ct_errinfo_set(ei, CT_ERR_IO, "cannot remove stale %s: %s",
					      path, strerror(errno));
	}
	if (fd < 0)
		return ct_errinfo_set(ei, CT_ERR_IO, "cannot create %s: %s", path,
				      strerror(errno));
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	/* Readable by all whatever the umask: tools look daemons up here. */
	if (fchmod(fd, 0644) != 0 || write(fd, buf, (size_t)n) != n) {
		n = errno;
		close(fd);
		unlink(path);
		return ct_errinfo_set(ei, CT_ERR_IO, "cannot write %s: %s", path, strerror(n));
	}
	close(fd);
	return 0;
}

void ct_daemon_pidfile_remove(const char *path)
{
	if (path != NULL && pidfile_read(path) == getpid())
		unlink(path);
}

int ct_daemon_notify(const char *state)
{
	const char *e = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t n;
	socklen_t len;
	ssize_t sent;
	int fd;

	if (e == NULL || e[0] == '\0')
		return 0;
	n = strlen(e);
	if ((e[0] != '/' && e[0] != '@') || n >= sizeof(sa.sun_path))
		return CT_ERR_IO;
	memcpy(sa.sun_path, e, n);
	if (e[0] == '@')
		sa.sun_path[0] = '\0'; /* abstract namespace */
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return CT_ERR_IO;
	sent = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa, len);
	close(fd);
	return sent == (ssize_t)strlen(state) ? 0 : CT_ERR_IO;
}
