/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Seeding: the host's open sockets become flows, at load (an idle session
 * must keep its replies) and when a reload closes their port (an open
 * connection outlives the removal of its port).
 */
#ifndef XDPFW_USER_SEED_H
#define XDPFW_USER_SEED_H

#include <stdbool.h>

#include "conntrack.h"
#include "policy.h"
#include "xdpfw.h"

/*
 * One line of /proc/net/{tcp,tcp6,udp,udp6}: 1 and the flow of a socket
 * worth tracking, 0 for a socket that is not (listening, time-wait, an
 * unconnected UDP socket, the header line), -EINVAL for a line that does
 * not parse.
 */
int seed_parse_proc_line(const char *line, int ipver, __u8 proto, struct xdpfw_ct_key *k,
			 __u8 *state);
/* Timeout of a flow in a state, per the policy, in seconds. */
__u32 seed_timeout(const struct policy *pol, __u8 proto, __u8 state);
/* The local ports worth seeding under pol: those its port check does not open. */
void seed_ports_closed(const struct policy *pol, struct xdpfw_ct_ports *out);
/* Ports open under `from` and closed under `to`: returns false when there are none. */
bool seed_ports_removed(const struct policy *from, const struct policy *to,
			struct xdpfw_ct_ports *out);
/*
 * Adds the host's connections whose local port is in `only` (NULL: every
 * port) to the flow table, with the policy's timeouts at hz jiffies a second.
 */
int seed_flows(const struct ct_maps *m, const struct policy *pol, __u32 hz, const char *proc_net,
	       const struct xdpfw_ct_ports *only, unsigned int *added);

#endif /* XDPFW_USER_SEED_H */
