// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "apply.h"
#include "loader.h"
#include "util.h"

/* A token no other apply on this interface is likely to have; never 0 (none pending). */
static __u32 new_token(void)
{
	__u32 t = 0;

	while (!t)
		if (getrandom(&t, sizeof(t), 0) != sizeof(t))
			t = (__u32)time(NULL) ^ (__u32)getpid() << 16;
	return t;
}

static void sleep_for(unsigned int seconds)
{
	struct timespec at;

	clock_gettime(CLOCK_MONOTONIC, &at);
	at.tv_sec += seconds;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL) == EINTR)
		;
}

/*
 * The rollback process: its own session (no SIGHUP when the terminal goes),
 * no inherited descriptors (it holds no lock, pipe or terminal open), the
 * journal for its words. The apply's token tells it whether the policy it
 * would undo is still the pending one.
 */
static void __attribute__((noreturn)) rollback_after(const char *iface, __u32 token,
						       unsigned int seconds)
{
	struct edit_req req = { .kind = EDIT_ROLLBACK, .token = token };
	int fd, ret;

	setsid();
	signal(SIGHUP, SIG_IGN);
	if (chdir("/"))
		_exit(1);
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
	}
	close_range(STDERR_FILENO + 1, ~0U, 0);
	openlog("xdpfw", LOG_PID, LOG_DAEMON);
	sleep_for(seconds);
	ret = xdpfw_edit(iface, &req);
	if (ret == 1)
		syslog(LOG_WARNING, "%s: apply not confirmed within %u s: previous policy restored",
		       iface, seconds);
	else if (ret < 0)
		syslog(LOG_ERR, "%s: apply not confirmed within %u s and the rollback failed: %s",
		       iface, seconds, strerror(-ret));
	/* _exit: the parent's atexit handlers and buffers are not this process's to run. */
	_exit(ret < 0);
}

int xdpfw_apply(const char *iface, const struct policy *pol, unsigned int seconds,
		unsigned int flags)
{
	struct edit_req req = { .kind = EDIT_APPLY, .edit = edit_replace, .arg = (void *)pol,
				.flags = flags, .token = new_token() };
	char at[16];
	struct tm tm;
	time_t when;
	pid_t pid;
	int err;

	req.deadline = time(NULL) + seconds;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		err = -errno;
		pr_err("%s: cannot start the rollback process: %s", iface, strerror(-err));
		return err;
	}
	if (!pid)
		rollback_after(iface, req.token, seconds);
	fault_point("rollback-started");
	err = xdpfw_edit(iface, &req);
	if (err) {
		/* Nothing to undo: the rollback would find no pending apply of its own. */
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return err;
	}
	when = req.deadline;
	strftime(at, sizeof(at), "%H:%M:%S", localtime_r(&when, &tm));
	printf("%s: applied; rolls back at %s (in %u s) unless 'xdpfw confirm %s'\n", iface, at,
	       seconds, iface);
	return 0;
}
