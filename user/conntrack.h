/* SPDX-License-Identifier: GPL-2.0 */
/* The shared flow table from userspace: seed it, list it, flush it, count it. */
#ifndef XDPFW_USER_CONNTRACK_H
#define XDPFW_USER_CONNTRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "policy.h"
#include "xdpfw.h"

struct ct_flow {
	struct xdpfw_ct_key k;
	struct xdpfw_ct_val v;
};

struct ct_counters {
	__u64 entries; /* live (unexpired) flows */
	__u64 counter[XDPFW_CT_COUNTER_MAX];
	__u64 evictions; /* entries the LRU pushed out to make room */
};

/* The shared maps, opened from their pins. */
struct ct_maps {
	int table_fd;
	int ports_fd;
	int stats_fd;
};

/*
 * One line of /proc/net/{tcp,tcp6,udp,udp6}: 1 and the flow of a socket
 * worth tracking, 0 for a socket that is not (listening, time-wait, an
 * unconnected UDP socket, the header line), -EINVAL for a line that does
 * not parse.
 */
int ct_parse_proc_line(const char *line, int l3, __u8 proto, struct xdpfw_ct_key *k,
		       __u8 *state);
/* Timeout of a flow in a state, per the policy, in seconds. */
__u32 ct_state_timeout(const struct policy *pol, __u8 proto, __u8 state);
const char *ct_state_name(__u8 state);
const char *ct_counter_name(enum xdpfw_ct_counter c);
const char *ct_proto_name(__u8 proto);

int ct_open(struct ct_maps *m);
void ct_close(struct ct_maps *m);
/*
 * Adds the host's existing connections whose local port is in `only` (NULL:
 * every port): an idle session must keep its replies.
 */
int ct_seed(const struct ct_maps *m, const struct policy *pol, const char *proc_net,
	    const struct xdpfw_ct_ports *only, unsigned int *added);
/* The local ports worth seeding under pol: those its port check does not open. */
void ct_ports_closed(const struct policy *pol, struct xdpfw_ct_ports *out);
/* Ports open under `from` and closed under `to`: returns false when there are none. */
bool ct_ports_removed(const struct policy *from, const struct policy *to,
		      struct xdpfw_ct_ports *out);
/* Live flows, oldest first; free() them. */
int ct_list(const struct ct_maps *m, struct ct_flow **flows, size_t *n);
int ct_flush(const struct ct_maps *m, unsigned int *deleted);
int ct_read_counters(const struct ct_maps *m, struct ct_counters *c);

/* now: jiffies; hz: the policy's, to turn them into seconds. */
void ct_print_table(const struct ct_flow *flows, size_t n, __u64 now, __u32 hz, FILE *out);
void ct_print_json(const char *iface, const struct ct_flow *flows, size_t n, __u64 now, __u32 hz,
		   FILE *out);

#endif /* XDPFW_USER_CONNTRACK_H */
