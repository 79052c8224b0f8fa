/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pin tree, XDPFW_PIN_ROOT/<interface>/<object> and XDPFW_PIN_ROOT/<map>
 * for the shared maps, on a bpffs we mount if needed; the one table of the
 * maps xdpfw pins (include/xdpfw.h XDPFW_MAPS) and the one opener of pins.
 */
#ifndef XDPFW_USER_PINS_H
#define XDPFW_USER_PINS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include <bpf/libbpf.h>
#include <linux/types.h>

#include "xdpfw.h"

#define XDPFW_PIN_ID(id, name, shared, type, entries) PIN_##id,
enum pin_id { XDPFW_MAPS(XDPFW_PIN_ID) PIN_MAX };
#undef XDPFW_PIN_ID

struct pin_def {
	const char *name;
	bool shared;
	__u32 value_size;  /* per entry (per CPU for per-CPU maps) */
	__u32 max_entries; /* 0: sized at load, any */
};

extern const struct pin_def pin_defs[PIN_MAX];

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

/*
 * Opens the object pinned at path and reads its info (struct bpf_map_info,
 * bpf_link_info, ...) into info. Returns the fd, or -errno as the failing
 * call left it: nothing is printed, nothing closed before it is saved.
 */
int pins_get(const char *path, void *info, __u32 info_len);
/*
 * A pinned map of the table, checked against this build: the fd, or -errno
 * after one line naming what is wrong (not loaded, layout mismatch).
 */
int pins_open(const char *iface, enum pin_id id);

/* Pins the object's maps of the table, shared ones (iface ignored) or the interface's. */
int pins_pin_maps(struct bpf_object *obj, const char *iface, bool shared);
/*
 * Makes the object use the pinned shared maps. *created: there were none
 * (what an interrupted first load left is cleared) and the object's own
 * will be pinned, the flow table sized to ct_size.
 */
int pins_reuse_shared(struct bpf_object *obj, __u32 ct_size, bool *created);

/* Is XDPFW_PIN_ROOT/name the pin directory of an interface (holding any of our pins)? */
bool pins_is_iface(const char *name);
/* Interfaces with a pin directory. */
int pins_count_ifaces(void);
/* Unpins what xdpfw pinned for an interface, the link first, and removes its directory. */
int pins_remove(const char *iface);
/* Unpins the shared maps: when the last interface goes. */
void pins_remove_shared(void);

#endif /* XDPFW_USER_PINS_H */
