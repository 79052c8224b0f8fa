/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Address prefixes (CIDRs) and lists of them: blocklists and from-lists of a
 * policy. Pure: parsing, ordering, coverage, formatting.
 */
#ifndef XDPFW_USER_PREFIX_H
#define XDPFW_USER_PREFIX_H

#include <stdbool.h>
#include <stddef.h>

#include <linux/types.h>

struct prefix {
	__be32 addr[4]; /* network order; IPv4 in addr[0], the rest zero; host bits zero */
	__u8 family;	/* AF_INET, AF_INET6 */
	__u8 len;	/* 0-32, 0-128 */
};

struct prefix_list {
	struct prefix *v;
	size_t n, cap;
};

/* "198.18.0.0/24", "2001:db8::/32", a bare address (/32, /128): 0, or -EINVAL and *why. */
int prefix_parse(const char *s, size_t len, struct prefix *p, const char **why);
/* The text form: "198.18.0.0/24"; a host route without "/32" or "/128". */
void prefix_format(const struct prefix *p, char *buf, size_t size);
#define PREFIX_TEXT_MAX 44

/* Family, then address, then length: a covering prefix sorts before what it covers. */
int prefix_cmp(const struct prefix *a, const struct prefix *b);
/* Does outer cover inner (same family, shorter or equal, same leading bits)? */
bool prefix_covers(const struct prefix *outer, const struct prefix *inner);
/* The address (family's words as in struct prefix) is in p. */
bool prefix_has_addr(const struct prefix *p, int family, const __be32 addr[4]);

int prefix_list_add(struct prefix_list *l, const struct prefix *p);
/* Sorted, without duplicates or prefixes another one in the list covers. */
void prefix_list_canon(struct prefix_list *l);
/* The first prefix of a canonical list covering p; NULL when none. */
const struct prefix *prefix_list_cover(const struct prefix_list *l, const struct prefix *p);
bool prefix_list_has_addr(const struct prefix_list *l, int family, const __be32 addr[4]);
bool prefix_list_equal(const struct prefix_list *a, const struct prefix_list *b);
int prefix_list_copy(struct prefix_list *dst, const struct prefix_list *src);
void prefix_list_free(struct prefix_list *l);

#endif /* XDPFW_USER_PREFIX_H */
