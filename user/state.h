/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Policies on disk for the system service: the configured one
 * (/etc/xdpfw/IFACE.conf, else /etc/xdpfw/xdpfw.conf) and the last one that
 * went live on each interface (/var/lib/xdpfw/IFACE.conf), which a boot with
 * a broken configuration falls back to.
 */
#ifndef XDPFW_USER_STATE_H
#define XDPFW_USER_STATE_H

#include <limits.h>
#include <stdbool.h>

#include "policy.h"

#define XDPFW_STATE_DIR "/var/lib/xdpfw" /* the environment's XDPFW_STATE_DIR overrides it */

/* The configured policy file of iface under dir: dir/IFACE.conf if it exists, else dir/xdpfw.conf. */
void state_config_path(const char *dir, const char *iface, char path[PATH_MAX]);
/* Saves the policy that is now live on iface as its last good one; a warning when it cannot. */
void state_save_last_good(const char *iface, const struct policy *pol);
/*
 * The policy configured for iface under dir; when that file does not parse,
 * its error and, if there is one, the last good policy instead (*fallback
 * set). 0 with a policy to load, -errno after a message without one.
 */
int state_config_policy(const char *dir, const char *iface, struct policy *pol, bool *fallback);

#endif /* XDPFW_USER_STATE_H */
