// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prefix.h"

static unsigned int max_len(int family)
{
	return family == AF_INET ? 32 : 128;
}

/* The mask of word w (0-3) for a prefix of len bits, network order. */
static __be32 word_mask(unsigned int len, unsigned int w)
{
	unsigned int bits = len > w * 32 ? len - w * 32 : 0;

	if (bits >= 32)
		return 0xffffffff;
	return bits ? htonl(~0U << (32 - bits)) : 0;
}

int prefix_parse(const char *s, size_t len, struct prefix *p, const char **why)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned long bits;
	unsigned int w;

	if (!len || len >= sizeof(buf)) {
		*why = "expected an address or a prefix (198.18.0.0/24, 2001:db8::/32)";
		return -EINVAL;
	}
	memcpy(buf, s, len);
	buf[len] = 0;
	memset(p, 0, sizeof(*p));
	slash = strchr(buf, '/');
	if (slash)
		*slash = 0;
	if (inet_pton(AF_INET, buf, p->addr) == 1) {
		p->family = AF_INET;
	} else if (inet_pton(AF_INET6, buf, p->addr) == 1) {
		p->family = AF_INET6;
	} else {
		*why = "expected an address or a prefix (198.18.0.0/24, 2001:db8::/32)";
		return -EINVAL;
	}
	bits = max_len(p->family);
	if (slash) {
		if (slash[1] < '0' || slash[1] > '9' || strlen(slash + 1) > 3) {
			*why = "expected a prefix length after '/'";
			return -EINVAL;
		}
		bits = strtoul(slash + 1, &end, 10);
		if (*end || bits > max_len(p->family)) {
			*why = p->family == AF_INET ? "prefix length out of range (0-32)"
						    : "prefix length out of range (0-128)";
			return -EINVAL;
		}
	}
	p->len = bits;
	for (w = 0; w < 4; w++)
		if (p->addr[w] & ~word_mask(p->len, w)) {
			*why = "host bits set after the prefix length (198.18.0.0/24, not "
			       "198.18.0.1/24)";
			return -EINVAL;
		}
	return 0;
}

void prefix_format(const struct prefix *p, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(p->family, p->addr, a, sizeof(a));
	if (p->len == max_len(p->family))
		snprintf(buf, size, "%s", a);
	else
		snprintf(buf, size, "%s/%u", a, p->len);
}

int prefix_cmp(const struct prefix *a, const struct prefix *b)
{
	int c;

	if (a->family != b->family)
		return a->family - b->family;
	c = memcmp(a->addr, b->addr, sizeof(a->addr));
	if (c)
		return c;
	return a->len - b->len;
}

static bool same_bits(const __be32 *a, const __be32 *b, unsigned int len)
{
	unsigned int w;

	for (w = 0; w < 4; w++)
		if ((a[w] ^ b[w]) & word_mask(len, w))
			return false;
	return true;
}

bool prefix_covers(const struct prefix *outer, const struct prefix *inner)
{
	return outer->family == inner->family && outer->len <= inner->len &&
	       same_bits(outer->addr, inner->addr, outer->len);
}

bool prefix_has_addr(const struct prefix *p, int family, const __be32 addr[4])
{
	return p->family == family && same_bits(p->addr, addr, p->len);
}

int prefix_list_add(struct prefix_list *l, const struct prefix *p)
{
	struct prefix *v;
	size_t cap;

	if (l->n == l->cap) {
		cap = l->cap ? l->cap * 2 : 16;
		v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *p;
	return 0;
}

static int cmp_qsort(const void *a, const void *b)
{
	return prefix_cmp(a, b);
}

void prefix_list_canon(struct prefix_list *l)
{
	size_t i, out = 0;

	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), cmp_qsort);
	/* Sorted, a prefix follows the one that covers it: keep what the last kept does not cover. */
	for (i = 0; i < l->n; i++)
		if (!out || !prefix_covers(&l->v[out - 1], &l->v[i]))
			l->v[out++] = l->v[i];
	l->n = out;
}

const struct prefix *prefix_list_cover(const struct prefix_list *l, const struct prefix *p)
{
	size_t lo = 0, hi = l->n, mid;

	/* The last entry at or before p: in a canonical list, the only one that may cover it. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (prefix_cmp(&l->v[mid], p) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && prefix_covers(&l->v[lo - 1], p) ? &l->v[lo - 1] : NULL;
}

bool prefix_list_has_addr(const struct prefix_list *l, int family, const __be32 addr[4])
{
	struct prefix host = { .family = family, .len = max_len(family) };

	memcpy(host.addr, addr, sizeof(host.addr));
	return prefix_list_cover(l, &host);
}

bool prefix_list_equal(const struct prefix_list *a, const struct prefix_list *b)
{
	return a->n == b->n && (!a->n || !memcmp(a->v, b->v, a->n * sizeof(*a->v)));
}

int prefix_list_copy(struct prefix_list *dst, const struct prefix_list *src)
{
	memset(dst, 0, sizeof(*dst));
	if (!src->n)
		return 0;
	dst->v = malloc(src->n * sizeof(*dst->v));
	if (!dst->v)
		return -ENOMEM;
	memcpy(dst->v, src->v, src->n * sizeof(*dst->v));
	dst->n = dst->cap = src->n;
	return 0;
}

void prefix_list_free(struct prefix_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}
