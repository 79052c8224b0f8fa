/* SPDX-License-Identifier: GPL-2.0 */
/* The shared flow tables from userspace: list them, flush them, count them. */
#ifndef XDPFW_USER_CONNTRACK_H
#define XDPFW_USER_CONNTRACK_H

#include <stdbool.h>
#include <stddef.h>

#include "xdpfw.h"

/* A flow's tuple whichever table holds it; in the host's orientation, like the keys. */
struct ct_tuple {
	__u32 local[4]; /* IPv4 in the first word */
	__u32 remote[4];
	__be16 lport;
	__be16 rport;
	__u8 proto;
	__u8 ipver; /* 4 or 6: the table */
};

struct ct_flow {
	struct ct_tuple k;
	struct xdpfw_ct_val v;
};

struct ct_counters {
	__u64 entries; /* flows in the tables, expired ones included until their slot is reused */
	__u64 counter[XDPFW_CT_COUNTER_MAX];
	__u64 evictions; /* entries the LRU pushed out to make room */
	__u64 limit;	 /* entries each table holds */
};

/* The shared maps, opened from their pins (or the loader's fresh ones). */
struct ct_maps {
	int table4_fd;
	int table6_fd;
	int ports_fd;
	int exp_fd;
	int stats_fd;
	int services_fd;     /* ct_services: the counter slot of each service */
	int service_next_fd; /* ct_service_next: the next slot to hand out */
};

const char *ct_state_name(__u8 state);
const char *ct_counter_name(enum xdpfw_ct_counter c);
const char *ct_proto_name(__u8 proto);

/* The key of t in its table (key4 or key6, as t->ipver says); the size written. */
size_t ct_tuple_key(const struct ct_tuple *t, void *key);

/* Opens the pinned shared maps; -errno after a message when they are not there. */
int ct_open(struct ct_maps *m);
void ct_close(struct ct_maps *m);

/*
 * Adds the flows whose keys are not there already (egress knows better) and
 * opens their ports' gates until they expire; *added: how many.
 */
int ct_add(const struct ct_maps *m, const struct ct_flow *flows, size_t n, unsigned int *added);

/*
 * The counter slot of a service (include/xdpfw.h), handed out as the egress
 * program does: the one it has, else the next free one, else the catch-all.
 */
int ct_service_slot(const struct ct_maps *m, const struct xdpfw_service *svc, __u8 *slot);

typedef int (*ct_flow_fn)(const struct ct_flow *f, void *arg);
/*
 * Calls fn on every live flow, a batch at a time, in table order: memory
 * stays the same for a thousand flows or millions. A non-zero return stops.
 */
int ct_each(const struct ct_maps *m, __u64 now, ct_flow_fn fn, void *arg);
/* Deletes every flow and closes every gate. */
int ct_flush(const struct ct_maps *m, unsigned int *deleted);
/* The counters, and the entries from the kernel's own count (no walk where it can). */
int ct_read_counters(const struct ct_maps *m, struct ct_counters *c);

#endif /* XDPFW_USER_CONNTRACK_H */
