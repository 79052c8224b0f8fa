/* SPDX-License-Identifier: GPL-2.0 */
/* The drop log read live: records from the interfaces' ring buffers as they come. */
#ifndef XDPFW_USER_DROPLOG_H
#define XDPFW_USER_DROPLOG_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "xdpfw.h"

struct droplog_opts {
	bool json;
	unsigned long count; /* stop after this many records; 0: never */
	double seconds;	     /* stop after this long; 0: never */
	volatile sig_atomic_t *stop; /* set by a signal handler: stop */
	FILE *out;
};

/* What a run saw, an interface at a time (the summary). */
struct droplog_summary {
	char iface[16];
	__u64 records;		/* printed */
	__u64 log[XDPFW_LOG_COUNTER_MAX]; /* the interface's log counters: increase during the run */
};

/*
 * Prints the records of the named interfaces until a stop condition, then
 * the summary (records, and the drops suppressed by the budget or lost to a
 * full ring meanwhile). Records older than the call are skipped: the ring
 * keeps what no one read. 0, or -errno after a message.
 */
int droplog_follow(const char *const *ifaces, size_t n, const struct droplog_opts *o);

#endif /* XDPFW_USER_DROPLOG_H */
