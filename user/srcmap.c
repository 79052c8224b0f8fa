// SPDX-License-Identifier: GPL-2.0
/*
 * The source tries are rewritten from a model: every entry is read, the
 * wanted bits set on it (new prefixes added), each entry's effective bits
 * computed from its own and those of the prefixes covering it, and only
 * what changed is written; prefixes no list holds any more are deleted
 * last. A lookup between two writes finds, for the live slot, what it found
 * before: a new prefix arrives with its covering prefix's answer, and a
 * deleted one had nothing of its own for the live slot.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "srcmap.h"
#include "util.h"

struct entry {
	struct prefix pfx;
	struct xdpfw_src v;   /* as it will be */
	struct xdpfw_src was; /* as the map has it, when present */
	bool present;
};

struct model {
	struct entry *e;
	size_t n, cap;
	int fd, family;
};

/* Keys: struct xdpfw_src4_key or xdpfw_src6_key, the same layout but for the address size. */
union src_key {
	struct xdpfw_src4_key k4;
	struct xdpfw_src6_key k6;
};

static void key_of(const struct prefix *p, union src_key *k)
{
	memset(k, 0, sizeof(*k));
	k->k6.prefixlen = p->len;
	memcpy(k->k6.addr, p->addr, p->family == AF_INET ? 4 : 16);
}

static struct entry *push(struct model *m)
{
	struct entry *e;
	size_t cap;

	if (m->n == m->cap) {
		cap = m->cap ? m->cap * 2 : 1024;
		e = realloc(m->e, cap * sizeof(*e));
		if (!e)
			return NULL;
		m->e = e;
		m->cap = cap;
	}
	e = &m->e[m->n++];
	memset(e, 0, sizeof(*e));
	return e;
}

static int cmp_entry(const void *a, const void *b)
{
	return prefix_cmp(&((const struct entry *)a)->pfx, &((const struct entry *)b)->pfx);
}

static int model_read(struct model *m)
{
	union src_key key, next;
	struct entry *e;
	bool first = true;

	while (!bpf_map_get_next_key(m->fd, first ? NULL : &key, &next)) {
		e = push(m);
		if (!e)
			return -ENOMEM;
		e->pfx.family = m->family;
		e->pfx.len = next.k6.prefixlen;
		memcpy(e->pfx.addr, next.k6.addr, m->family == AF_INET ? 4 : 16);
		if (bpf_map_lookup_elem(m->fd, &next, &e->was))
			return -errno;
		e->v = e->was;
		e->present = true;
		key = next;
		first = false;
	}
	if (errno != ENOENT)
		return -errno;
	return 0;
}

/* Sorted, one entry a prefix: added ones merged into what the map had. */
static void model_settle(struct model *m)
{
	struct entry *a, *b;
	size_t i, out = 0;
	int s;

	if (m->n > 1)
		qsort(m->e, m->n, sizeof(*m->e), cmp_entry);
	for (i = 0; i < m->n; i++) {
		b = &m->e[i];
		a = out ? &m->e[out - 1] : NULL;
		if (!a || prefix_cmp(&a->pfx, &b->pfx)) {
			m->e[out++] = *b;
			continue;
		}
		for (s = 0; s < XDPFW_POLICY_SLOTS; s++)
			a->v.own[s] |= b->v.own[s];
		a->v.own_blocked |= b->v.own_blocked;
		if (b->present) {
			a->present = true;
			a->was = b->was;
		}
	}
	m->n = out;
}

/* Effective bits: own ones and the covering prefixes'; sorted, a cover comes first. */
static void model_resolve(struct model *m)
{
	size_t stack[129], sp = 0, i;
	struct entry *e, *up;
	int s;

	for (i = 0; i < m->n; i++) {
		e = &m->e[i];
		while (sp && !prefix_covers(&m->e[stack[sp - 1]].pfx, &e->pfx))
			sp--;
		up = sp ? &m->e[stack[sp - 1]] : NULL;
		for (s = 0; s < XDPFW_POLICY_SLOTS; s++)
			e->v.lists[s] = e->v.own[s] | (up ? up->v.lists[s] : 0);
		e->v.blocked = e->v.own_blocked || (up && up->v.blocked);
		stack[sp++] = i;
	}
}

static bool wanted(const struct entry *e)
{
	return e->v.own[0] || e->v.own[1] || e->v.own_blocked;
}

static int model_write(struct model *m)
{
	union src_key key;
	struct entry *e;
	size_t i;

	model_resolve(m);
	for (i = 0; i < m->n; i++) {
		e = &m->e[i];
		if (!wanted(e) || (e->present && !memcmp(&e->v, &e->was, sizeof(e->v))))
			continue;
		key_of(&e->pfx, &key);
		if (bpf_map_update_elem(m->fd, &key, &e->v, BPF_ANY))
			return -errno;
	}
	for (i = 0; i < m->n; i++) {
		e = &m->e[i];
		if (wanted(e) || !e->present)
			continue;
		key_of(&e->pfx, &key);
		if (bpf_map_delete_elem(m->fd, &key) && errno != ENOENT)
			return -errno;
	}
	return 0;
}

static int model_open(struct model *m, const struct src_maps *maps, int family)
{
	int err;

	memset(m, 0, sizeof(*m));
	m->family = family;
	m->fd = family == AF_INET ? maps->fd4 : maps->fd6;
	err = model_read(m);
	if (!err)
		model_settle(m);
	return err;
}

static int write_family(const struct src_maps *maps, int family, __u32 slot,
			const struct policy *pol)
{
	struct model m;
	struct entry *e;
	size_t i, j;
	int err = model_open(&m, maps, family);

	for (i = 0; i < m.n; i++)
		m.e[i].v.own[slot] = 0;
	for (i = 0; i < XDPFW_LISTS && !err; i++)
		for (j = 0; j < pol->lists[i].n && !err; j++) {
			if (pol->lists[i].v[j].family != family)
				continue;
			e = push(&m);
			if (!e) {
				err = -ENOMEM;
				break;
			}
			e->pfx = pol->lists[i].v[j];
			e->v.own[slot] = 1ULL << i;
		}
	if (!err) {
		model_settle(&m);
		err = model_write(&m);
	}
	free(m.e);
	return err;
}

int src_write_slot(const struct src_maps *m, __u32 slot, const struct policy *pol)
{
	int err = write_family(m, AF_INET, slot, pol);

	return err ?: write_family(m, AF_INET6, slot, pol);
}

static int read_family(const struct src_maps *maps, int family, __u32 slot, struct policy *pol)
{
	struct model m;
	size_t i;
	int err = model_open(&m, maps, family), l;

	for (i = 0; i < m.n && !err; i++)
		for (l = 0; l < XDPFW_LISTS && !err; l++)
			if (m.e[i].v.own[slot] & (1ULL << l))
				err = prefix_list_add(&pol->lists[l], &m.e[i].pfx);
	free(m.e);
	return err;
}

int src_read_slot(const struct src_maps *m, __u32 slot, struct policy *pol)
{
	int err = read_family(m, AF_INET, slot, pol), l;

	if (!err)
		err = read_family(m, AF_INET6, slot, pol);
	for (l = 0; l < XDPFW_LISTS; l++)
		prefix_list_canon(&pol->lists[l]);
	return err;
}

static int block_family(const struct src_maps *maps, int family, const struct prefix_list *l,
			bool add, __u32 *count)
{
	struct model m;
	struct entry *e, key;
	size_t i;
	int err = model_open(&m, maps, family);

	for (i = 0; i < l->n && !err && add; i++) {
		if (l->v[i].family != family)
			continue;
		e = push(&m);
		if (!e) {
			err = -ENOMEM;
			break;
		}
		e->pfx = l->v[i];
		e->v.own_blocked = 1;
	}
	if (!err)
		model_settle(&m);
	for (i = 0; i < l->n && !err && !add; i++) {
		if (l->v[i].family != family)
			continue;
		key.pfx = l->v[i];
		e = bsearch(&key, m.e, m.n, sizeof(*m.e), cmp_entry);
		if (e)
			e->v.own_blocked = 0;
	}
	if (!err)
		err = model_write(&m);
	for (i = 0; i < m.n; i++)
		*count += !!m.e[i].v.own_blocked;
	free(m.e);
	return err;
}

int src_block(const struct src_maps *m, const struct prefix_list *l, bool add, __u32 *count)
{
	int err;

	*count = 0;
	err = block_family(m, AF_INET, l, add, count);
	return err ?: block_family(m, AF_INET6, l, add, count);
}

static int listed_family(const struct src_maps *maps, int family, struct prefix_list *out)
{
	struct model m;
	size_t i;
	int err = model_open(&m, maps, family);

	for (i = 0; i < m.n && !err; i++)
		if (m.e[i].v.own_blocked)
			err = prefix_list_add(out, &m.e[i].pfx);
	free(m.e);
	return err;
}

int src_block_list(const struct src_maps *m, struct prefix_list *out)
{
	int err = listed_family(m, AF_INET, out);

	return err ?: listed_family(m, AF_INET6, out);
}
