/* SPDX-License-Identifier: GPL-2.0 */
/* Reading maps from userspace: whole maps a batch at a time, per-CPU values summed. */
#ifndef XDPFW_USER_MAPS_H
#define XDPFW_USER_MAPS_H

#include <stdbool.h>
#include <stddef.h>

#include <linux/types.h>

/* Entries per batch syscall: large enough to amortise it, small enough for any value size. */
#define MAP_BATCH 4096

typedef int (*map_batch_fn)(const void *keys, const void *values, __u32 n, void *arg);

/*
 * Calls fn on the map's entries, MAP_BATCH at a time, deleting them as it
 * goes when `delete`. value_size is per entry as the syscall returns it (for
 * a per-CPU map: the value size times the possible CPUs). A non-zero return
 * of fn stops the walk and is returned.
 */
int map_batch_each(int fd, size_t key_size, size_t value_size, bool delete, map_batch_fn fn,
		   void *arg);

/* Counter structs are __u64 fields only: per-CPU sums go field by field. */
#define U64_FIELDS(type) (sizeof(type) / sizeof(__u64))

/*
 * Per-CPU values of structs of __u64 fields: vals holds ncpu copies of one
 * value, n_fields wide; sum gets their field-wise total.
 */
void percpu_sum(const __u64 *vals, int ncpu, size_t n_fields, __u64 *sum);
/* Looks up key in a per-CPU map of such values and sums it across CPUs. */
int map_percpu_read(int fd, __u32 key, size_t n_fields, __u64 *sum);
/* Adds n to a __u64 counter only userspace writes: kept in CPU 0's copy. */
int map_percpu_add(int fd, __u32 key, __u64 n);

#endif /* XDPFW_USER_MAPS_H */
