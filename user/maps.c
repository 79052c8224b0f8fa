// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "maps.h"

int map_batch_each(int fd, size_t key_size, size_t value_size, bool delete, map_batch_fn fn,
		   void *arg)
{
	void *keys = calloc(MAP_BATCH, key_size), *vals = calloc(MAP_BATCH, value_size);
	__u64 in, out; /* the kernel's cursor: 4 bytes for arrays and hashes */
	void *cursor = NULL;
	__u32 count;
	int err, ret;

	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		count = MAP_BATCH;
		if (delete)
			err = bpf_map_lookup_and_delete_batch(fd, cursor, &out, keys, vals, &count,
							      NULL);
		else
			err = bpf_map_lookup_batch(fd, cursor, &out, keys, vals, &count, NULL);
		if (err && err != -ENOENT)
			break;
		ret = count ? fn(keys, vals, count, arg) : 0;
		if (ret) {
			err = ret;
			break;
		}
		if (err == -ENOENT) { /* that was the last batch */
			err = 0;
			break;
		}
		in = out;
		cursor = &in;
	}
out:
	free(keys);
	free(vals);
	return err;
}

void percpu_sum(const __u64 *vals, int ncpu, size_t n_fields, __u64 *sum)
{
	size_t f;
	int c;

	memset(sum, 0, n_fields * sizeof(*sum));
	for (c = 0; c < ncpu; c++)
		for (f = 0; f < n_fields; f++)
			sum[f] += vals[(size_t)c * n_fields + f];
}

/* A buffer for one per-CPU value of n_fields __u64s, and the number of CPUs. */
static __u64 *percpu_buf(size_t n_fields, int *ncpu)
{
	*ncpu = libbpf_num_possible_cpus();
	if (*ncpu < 0) {
		errno = -*ncpu;
		return NULL;
	}
	return calloc((size_t)*ncpu * n_fields, sizeof(__u64));
}

int map_percpu_read(int fd, __u32 key, size_t n_fields, __u64 *sum)
{
	int ncpu, err = 0;
	__u64 *v = percpu_buf(n_fields, &ncpu);

	if (!v)
		return -errno;
	if (bpf_map_lookup_elem(fd, &key, v))
		err = -errno;
	else
		percpu_sum(v, ncpu, n_fields, sum);
	free(v);
	return err;
}

int map_percpu_add(int fd, __u32 key, __u64 n)
{
	int ncpu, err = 0;
	__u64 *v = percpu_buf(1, &ncpu);

	if (!v)
		return -errno;
	if (bpf_map_lookup_elem(fd, &key, v))
		err = -errno;
	v[0] += n;
	if (!err && bpf_map_update_elem(fd, &key, v, BPF_ANY))
		err = -errno;
	free(v);
	return err;
}
