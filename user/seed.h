/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Seeding: the host's open sockets become flows, at load (an idle session
 * must keep its replies) and when a reload closes their port (an open
 * connection outlives the removal of its port).
 */
#ifndef XDPFW_USER_SEED_H
#define XDPFW_USER_SEED_H

#include <stdbool.h>
#include <stddef.h>

#include <linux/inet_diag.h>

#include "conntrack.h"
#include "policy.h"
#include "xdpfw.h"

/* The sockets one seeding found, as flows without times yet. */
struct seed_set {
	struct ct_flow *flows;
	size_t n, cap;
	const struct xdpfw_ct_ports *only; /* local ports to keep; NULL: all */
	__u8 proto;			   /* of the dump being read (seed_collect) */
	struct xdpfw_ct_ports listening;   /* TCP ports a socket listens on: services */
};

/*
 * One sock_diag answer: 1 and the tuple and state of a socket worth a flow,
 * 0 for one that is not (listening, time-wait, unconnected, loopback),
 * -EINVAL for a family that is neither IPv4 nor IPv6.
 */
int seed_parse_diag(const struct inet_diag_msg *m, __u8 proto, struct ct_tuple *t, __u8 *state);
/*
 * A buffer of netlink messages of a dump (seq and portid 0: not checked)
 * into set: 1 more to come, 0 done (NLMSG_DONE), -errno on an error the
 * kernel sent or a message that does not hold together.
 */
int seed_collect(const void *buf, size_t len, __u32 seq, __u32 portid, struct seed_set *set);
/*
 * The service side of a seeded flow: the local port of a TCP connection to
 * a port the host listens on (in), else the remote port (out).
 */
struct xdpfw_service seed_service(const struct seed_set *set, const struct ct_tuple *t);
/* Timeout of a flow in a state, per the policy, in seconds. */
__u32 seed_timeout(const struct policy *pol, __u8 proto, __u8 state);
/* The local ports worth seeding under pol: those its port check does not open. */
void seed_ports_closed(const struct policy *pol, struct xdpfw_ct_ports *out);
/* Ports open under `from` and closed under `to`: returns false when there are none. */
bool seed_ports_removed(const struct policy *from, const struct policy *to,
			struct xdpfw_ct_ports *out);
/*
 * Adds the host's TCP, connected UDP and UDP-lite sockets whose local port
 * is in `only` (NULL: every port) to the flow tables, with the policy's
 * timeouts at hz jiffies a second.
 */
int seed_flows(const struct ct_maps *m, const struct policy *pol, __u32 hz,
	       const struct xdpfw_ct_ports *only, unsigned int *added);

#endif /* XDPFW_USER_SEED_H */
