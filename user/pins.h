/* SPDX-License-Identifier: GPL-2.0 */
/* The pin tree: XDPFW_PIN_ROOT/<interface>/<object>, on a bpffs we mount if needed. */
#ifndef XDPFW_USER_PINS_H
#define XDPFW_USER_PINS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include <linux/types.h>

/* Mounts bpffs on XDPFW_BPFFS when absent and creates XDPFW_PIN_ROOT. */
int pins_prepare(void);
/*
 * Refuses (-EPERM, with a message) a bpffs that no process outside this
 * command's mount namespace holds: pins there vanish with the command.
 */
int pins_check_lasting(void);
/* Serialises writers: pins_prepare(), then an exclusive flock on XDPFW_PIN_ROOT.
 * Returns the fd to close. */
int pins_lock(void);
/* iface NULL: an object shared by every interface, right under XDPFW_PIN_ROOT. */
void pins_path(char path[PATH_MAX], const char *iface, const char *name);
bool pins_exist(const char *iface, const char *name);
/* Unpins what xdpfw pinned for an interface, the link first, and removes its directory. */
int pins_remove(const char *iface);
/* Is XDPFW_PIN_ROOT/name the pin directory of an interface (holding any of our pins)? */
bool pins_is_iface(const char *name);
/* Interfaces with a pin directory. */
int pins_count_ifaces(void);
/* Unpins the flow table and its companions: when the last interface goes. */
void pins_remove_shared(void);
/* Opens a pinned map and checks it has the layout this build expects (max_entries 0: any). */
int pins_open_map(const char *iface, const char *name, __u32 value_size, __u32 max_entries);

#endif /* XDPFW_USER_PINS_H */
