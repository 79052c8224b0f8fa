/* SPDX-License-Identifier: GPL-2.0 */
/* What the read verbs print: a table for people, JSON (--json) for programs. */
#ifndef XDPFW_USER_OUTPUT_H
#define XDPFW_USER_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "conntrack.h"
#include "loader.h"
#include "policy.h"
#include "stats.h"

void output_status_table(const struct iface_status *st, size_t n, FILE *out);
void output_status_json(const struct iface_status *st, size_t n, FILE *out);
void output_stats_table(const struct stats *st, FILE *out);
void output_stats_json(const char *iface, const struct stats *st, FILE *out);
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
/* The policy file format itself is policy_format(); this is the same policy as JSON. */
void output_policy_json(const struct policy *pol, FILE *out);
void output_flushed_json(unsigned int n, FILE *out);
void output_version_json(const char *version, const char *libbpf, FILE *out);

#endif /* XDPFW_USER_OUTPUT_H */
