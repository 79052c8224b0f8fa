/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counters for capacity planning: an interface's slot x reason counters,
 * summed over CPUs into rows (a service, an open port or range, a closed
 * port, a catch-all) and per-reason totals, with the drop log's and the
 * flow tables' counters and the epoch they count from.
 */
#ifndef XDPFW_USER_STATS_H
#define XDPFW_USER_STATS_H

#include <net/if.h>
#include <stddef.h>

#include "conntrack.h"
#include "xdpfw.h"

enum row_kind {
	ROW_POLICY,  /* an open port or range of the policy (in) */
	ROW_SERVICE, /* the service side of tracked flows (in or out) */
	ROW_BUCKET,  /* a port without a slot, from its closed-port bucket (in) */
	ROW_OTHER,   /* what no row above holds: buckets taken, slots run out */
};

struct stats_row {
	enum row_kind kind;
	__u8 dir;   /* enum xdpfw_dir */
	__u8 proto; /* IPPROTO_TCP, IPPROTO_UDP; 0: any (ROW_OTHER out) */
	__u16 lo, hi;
	struct xdpfw_counter passed;
	struct xdpfw_counter dropped;
};

struct stats {
	char iface[IF_NAMESIZE];
	struct xdpfw_config cfg;   /* the epoch: loaded_at, reset_at */
	__u64 taken_ns;		   /* CLOCK_MONOTONIC when read: for rates */
	double secs;		   /* > 0: a delta (stats_delta) over this many seconds */
	struct xdpfw_counter reasons[XDPFW_REASON_MAX];
	struct xdpfw_counter passed, dropped; /* the interface's totals */
	struct stats_row *rows;	   /* every row with traffic, busiest first */
	size_t n_rows, cap_rows;
	__u64 log[XDPFW_LOG_COUNTER_MAX];
	struct ct_counters ct;	   /* the shared flow tables */
};

const char *reason_name(enum xdpfw_reason r);
const char *row_kind_name(enum row_kind k);
const char *log_counter_name(enum xdpfw_log_counter c);
const char *dir_name(__u8 dir);

int stats_read(const char *iface, struct stats *st);
/* The drop log's counters of an interface, summed over CPUs. */
int stats_read_log(const char *iface, __u64 log[XDPFW_LOG_COUNTER_MAX]);
/* Zeroes the interface's counters, closed-port buckets and log counters; the epoch restarts. */
int stats_reset(const char *iface);

/* Appends a row; stats_merge() then folds rows of the same key. 0, or -ENOMEM. */
int stats_add_row(struct stats *st, const struct stats_row *r);
/*
 * One row a key (direction, protocol, ports; catch-alls apart), empty rows
 * dropped, busiest first. A port counted both as a policy port and as a
 * service is one row, of the first kind of enum row_kind.
 */
void stats_merge(struct stats *st);
/* Busiest first: packets, then bytes, then the key. */
void stats_sort(struct stats *st);
/*
 * What happened between two readings of the same interface: counts of `to`
 * minus `from`, row by row, and the seconds between them (d->secs). A reset
 * in between counts as a fresh start, never as negative. 0, or -ENOMEM.
 */
int stats_delta(const struct stats *from, const struct stats *to, struct stats *d);
void stats_free(struct stats *st);

#endif /* XDPFW_USER_STATS_H */
