/* SPDX-License-Identifier: GPL-2.0 */
/* Policy files: parse, validate, normalise. Pure: no BPF, no I/O but reading a file. */
#ifndef XDPFW_USER_POLICY_H
#define XDPFW_USER_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "prefix.h"
#include "xdpfw.h"

/* Policy files larger than this are refused before parsing. */
#define POLICY_MAX_BYTES (1024 * 1024)

#define POLICY_CT_SIZE_MIN	1024
#define POLICY_CT_SIZE_MAX	(1U << 24)
#define POLICY_TIMEOUT_MAX	(365U * 86400)
#define POLICY_LOG_RATE_MAX	100000
#define POLICY_LIST_FILE_MAX	(64 * 1024 * 1024) /* deny from @FILE */
#define POLICY_LIMIT_RATE_MAX	10000		   /* new connections a second a source */
#define POLICY_LIMIT_BURST_MAX	10000
#define POLICY_LIMIT_BURST_DEFAULT 5

/*
 * A policy. The prefix lists are the caller's to free (policy_free); parsing
 * and copying overwrite the destination without freeing it.
 */
struct policy {
	struct xdpfw_policy bpf; /* bitmaps, flags, timeouts exactly as the BPF programs read them */
	__u32 ct_size;		 /* entries of the shared flow table, when load creates it */
	/* [XDPFW_LIST_BLOCK]: the blocklist (deny from); [i]: the from-list bpf.rules[].list == i */
	struct prefix_list lists[XDPFW_LISTS];
};

/* The single-valued settings, in file order; those after POLICY_ICMP6 print only when set. */
enum policy_setting {
	POLICY_DEFAULT,
	POLICY_ICMP,
	POLICY_ICMP6,
	POLICY_BLOCK_REPLIES,
	POLICY_SETTINGS
};

/* "file:line:column: what was expected" for the first error found. */
struct policy_error {
	char msg[256];
};

/* The built-in policy: docs/policies/outlook-proxy.conf, compiled in. */
extern const char xdpfw_default_policy[];

void policy_init(struct policy *pol);
void policy_free(struct policy *pol);
int policy_copy(struct policy *dst, const struct policy *src);
bool policy_equal(const struct policy *a, const struct policy *b);
int policy_parse(struct policy *pol, const char *text, size_t len, const char *name,
		 struct policy_error *err);
/*
 * The same, and what `xdpfw check` warns about on warn (when not NULL), one
 * "name:line: ..." a line: rules another one makes redundant or shadows,
 * from-list entries inside the blocklist, limits on closed ports.
 */
int policy_parse_checked(struct policy *pol, const char *text, size_t len, const char *name,
			 struct policy_error *err, FILE *warn);
int policy_parse_file(struct policy *pol, const char *path, struct policy_error *err);
int policy_parse_file_checked(struct policy *pol, const char *path, struct policy_error *err,
			      FILE *warn);
int policy_parse_default(struct policy *pol);
void policy_format(const struct policy *pol, FILE *out);
/*
 * The drop log's budget as the program reads it: log_rate shared by ncpu
 * CPUs, each refilling its share every jiffy (hz a second) up to a
 * second's worth, at least one record.
 */
void policy_log_budget(struct xdpfw_policy *p, __u32 hz, long ncpu);

/* Port lists as in a policy file ("22,25,6000-6010"), for allow/deny on the command line. */
int policy_set_ports(struct policy *pol, enum xdpfw_l4 l4, const char *list, bool allow,
		     struct policy_error *err);
int policy_l4_from_name(const char *name);
const char *policy_timeout_name(enum xdpfw_ct_timeout t);
const char *policy_l4_name(enum xdpfw_l4 l4);

bool policy_port_allowed(const struct policy *pol, enum xdpfw_l4 l4, unsigned int port);
/* The from-list of an allowed port: NULL when it is open to every source. */
const struct prefix_list *policy_port_from(const struct policy *pol, enum xdpfw_l4 l4,
					   unsigned int port);
/* Does pol pass new traffic from (family, addr) to l4/port? The blocklist and from-lists. */
bool policy_passes(const struct policy *pol, enum xdpfw_l4 l4, unsigned int port, int family,
		   const __be32 addr[4]);
/* A limit's budget as the program reads it: nano-tokens a jiffy at hz. */
void policy_limit_budget(struct xdpfw_policy *p, __u32 hz);
unsigned int policy_port_count(const struct policy *pol, enum xdpfw_l4 l4);
/* The next range [lo, hi] of allowed ports at or after *next (start at 1); false at the end. */
bool policy_next_range(const struct policy *pol, enum xdpfw_l4 l4, unsigned int *next,
		       unsigned int *lo, unsigned int *hi);
/* A setting's word ("default") and its value in pol ("drop"), as a policy file says them. */
const char *policy_setting_name(enum policy_setting s);
const char *policy_setting_value(const struct policy *pol, enum policy_setting s);

#endif /* XDPFW_USER_POLICY_H */
