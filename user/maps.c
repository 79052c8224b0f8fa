// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>

#include <bpf/bpf.h>

#include "maps.h"

int map_batch_each(int fd, size_t key_size, size_t value_size, __u32 batch, bool delete,
		   map_batch_fn fn, void *arg)
{
	void *keys = calloc(batch, key_size), *vals = calloc(batch, value_size);
	__u64 in, out; /* the kernel's cursor: 4 bytes for arrays and hashes */
	void *cursor = NULL;
	__u32 count;
	int err, ret;

	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		count = batch;
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
