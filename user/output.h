/* SPDX-License-Identifier: GPL-2.0 */
/* What the read verbs print: a table for people, JSON (--json) for programs. */
#ifndef XDPFW_USER_OUTPUT_H
#define XDPFW_USER_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "conntrack.h"
#include "droplog.h"
#include "loader.h"
#include "policy.h"
#include "stats.h"

void output_status_table(const struct iface_status *st, size_t n, FILE *out);
void output_status_json(const struct iface_status *st, size_t n, FILE *out);
/* How stats are shown; stats with secs > 0 (deltas) show rates too. */
struct stats_view {
	size_t top;  /* rows shown; 0: every row */
	bool one;    /* an interface was named: JSON is its object, not a list */
	bool lines;  /* JSON on one line a sample (JSON lines) */
};

void output_stats_table(const struct stats *st, size_t n, const struct stats_view *v, FILE *out);
void output_stats_json(const struct stats *st, size_t n, const struct stats_view *v, FILE *out);
/* Every interface's stats in the Prometheus text format; info[i] is st[i]'s interface. */
void output_stats_prometheus(const struct stats *st, const struct iface_status *info, size_t n,
			     FILE *out);
/*
 * Flows streamed as a walk finds them: begin, output_flow() for each (a
 * ct_flow_fn), end. now: jiffies; hz: the programs' (the config map's), to
 * turn them into seconds.
 */
struct flow_printer {
	FILE *out;
	bool json;
	__u64 now;
	__u32 hz;
	size_t n;
};

void output_flows_begin(struct flow_printer *p, const char *iface);
int output_flow(const struct ct_flow *f, void *printer);
void output_flows_end(struct flow_printer *p);
/* The same for flows in an array. */
void output_flows_table(const struct ct_flow *flows, size_t n, __u64 now, __u32 hz, FILE *out);
void output_flows_json(const char *iface, const struct ct_flow *flows, size_t n, __u64 now,
		       __u32 hz, FILE *out);
/* A drop log record (wall_ns: its time, ns since the epoch): a line, or a JSON line. */
void output_log_record(const char *iface, const struct xdpfw_log_record *r, __u64 wall_ns,
		       bool json, FILE *out);
void output_log_summary(const struct droplog_summary *sum, size_t n, bool json, FILE *out);
/*
 * A policy file from what the counters saw (stats of one interface): the
 * live policy's settings with default drop, then an allow line per port or
 * range that received traffic, busiest first, counts in comments.
 */
void output_suggest(const struct stats *st, const struct policy *live, FILE *out);
/* The policy file format itself is policy_format(); this is the same policy as JSON. */
void output_policy_json(const struct policy *pol, FILE *out);
void output_flushed_json(unsigned int n, FILE *out);
/* The runtime blocklist: a prefix a line, or {"interface", "prefixes": [...]}. */
void output_prefixes(const char *iface, const struct prefix_list *l, bool json, FILE *out);
void output_version_json(const char *version, const char *libbpf, FILE *out);

#endif /* XDPFW_USER_OUTPUT_H */
