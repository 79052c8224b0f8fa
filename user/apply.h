/* SPDX-License-Identifier: GPL-2.0 */
/*
 * apply: a policy that rolls back unless confirmed, as iptables-apply does,
 * for the admin who may cut the session that would confirm it.
 */
#ifndef XDPFW_USER_APPLY_H
#define XDPFW_USER_APPLY_H

#include "policy.h"

#define APPLY_CONFIRM_DEFAULT 30 /* seconds */

/*
 * Makes pol live on iface; unless 'xdpfw confirm' comes within seconds, a
 * detached process switches back to the previous policy. That process is
 * started before the switch and leaves this one's session, so neither a
 * failure here nor the death of the shell or SSH session that ran the
 * command stops the rollback.
 */
int xdpfw_apply(const char *iface, const struct policy *pol, unsigned int seconds,
		unsigned int flags);

#endif /* XDPFW_USER_APPLY_H */
