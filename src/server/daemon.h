/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Process plumbing for cloudtrustd: signals through a signalfd, detaching
 * with a readiness pipe (so the starting shell sees whether startup worked),
 * an exclusive pidfile, and systemd's readiness notification (sd_notify's
 * protocol, without linking libsystemd).
 */
#ifndef CT_DAEMON_H
#define CT_DAEMON_H

#include "ct-error.h"

/*
 * Blocks SIGTERM, SIGINT and SIGHUP in the calling thread, so threads
 * started afterwards (the HTTP workers) inherit the mask and the signals
 * reach only the returned signalfd; ignores SIGPIPE.  Call it before
 * starting threads.  Returns 0 and the fd in *fd_out, or CT_ERR_IO.
 */
int ct_daemon_signals(int *fd_out, struct ct_errinfo *ei);
/* Waits for the next signal on fd; returns its number, or CT_ERR_IO. */
int ct_daemon_next_signal(int fd);

/*
 * Forks into the background (double fork, setsid, chdir /, stdio on
 * /dev/null).  The original process waits until the daemon calls
 * ct_daemon_ready() and exits with the status it sends (1 if the daemon
 * died first).  Returns 0 in the daemon with the pipe in *ready_fd, or
 * CT_ERR_IO (still in the original process).  Call it before any thread
 * is started.
 */
int ct_daemon_detach(int *ready_fd, struct ct_errinfo *ei);
/* Reports the startup result (exit status 0..255) to the waiting parent and closes fd; -1 is a no-op. */
void ct_daemon_ready(int fd, int status);

/*
 * Creates path exclusively (O_EXCL, no symlinks) holding our pid, mode 0644.
 * A pidfile whose process is gone is replaced.  Returns 0, CT_ERR_IO,
 * CT_ERR_PERMISSION (another instance runs: its pid in ei).
 */
int ct_daemon_pidfile_create(const char *path, struct ct_errinfo *ei);
/* Removes the pidfile if it still holds our pid. */
void ct_daemon_pidfile_remove(const char *path);

/*
 * Sends state (e.g. "READY=1") to systemd when NOTIFY_SOCKET is set.
 * Returns 0 (also when not under systemd) or CT_ERR_IO.
 */
int ct_daemon_notify(const char *state);

#endif
