/* SPDX-License-Identifier: GPL-2.0 */
/* Reading whole maps from userspace. */
#ifndef XDPFW_USER_MAPS_H
#define XDPFW_USER_MAPS_H

#include <stdbool.h>
#include <stddef.h>

#include <linux/types.h>

typedef int (*map_batch_fn)(const void *keys, const void *values, __u32 n, void *arg);

/*
 * Calls fn on the map's entries, batch at a time, deleting them as it goes
 * when `delete`. value_size is per entry as the syscall returns it (for a
 * per-CPU map: the value size times the possible CPUs). A non-zero return of
 * fn stops the walk and is returned.
 */
int map_batch_each(int fd, size_t key_size, size_t value_size, __u32 batch, bool delete,
		   map_batch_fn fn, void *arg);

#endif /* XDPFW_USER_MAPS_H */
