// SPDX-License-Identifier: GPL-2.0
/*
 * How many entries a hash map holds, from the kernel's own per-map count
 * (bpf_map_sum_elem_count, Linux 6.6+), without walking the map: a map
 * iterator writes (id, count) for the maps userspace names by id.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

/* The fields used, relocated against the kernel's BTF (CO-RE). */
struct bpf_map {
	__u32 id;
} __attribute__((preserve_access_index));

struct bpf_iter_meta {
	struct seq_file *seq;
} __attribute__((preserve_access_index));

struct bpf_iter__bpf_map {
	struct bpf_iter_meta *meta;
	struct bpf_map *map;
} __attribute__((preserve_access_index));

extern __s64 bpf_map_sum_elem_count(const struct bpf_map *map) __ksym;

#define COUNT_IDS 2
const volatile __u32 map_ids[COUNT_IDS];

SEC("iter/bpf_map")
int count_entries(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	__s64 out[2];
	int i;

	if (!map)
		return 0;
	for (i = 0; i < COUNT_IDS; i++) {
		if (map->id != map_ids[i])
			continue;
		out[0] = map->id;
		out[1] = bpf_map_sum_elem_count(map);
		bpf_seq_write(ctx->meta->seq, out, sizeof(out));
	}
	return 0;
}
