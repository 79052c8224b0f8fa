/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `xdpfw import`: an iptables or nftables ruleset in, an xdpfw policy out. Pure: no BPF, no
 * network, no file but the two streams given.
 *
 * The policy printed gives every new packet (source address, protocol, destination port) the
 * verdict the ruleset's INPUT gives it, or each difference is named on err with the rule it
 * comes from ("rules.v4:12: ..."). Without lossy, a difference fails the import: nothing is
 * printed on out and -EINVAL returned after every difference is listed. With lossy, they are
 * listed as warnings, also kept as comments in the policy, and the closest policy is printed.
 * Input that cannot be read at all (a line that is no rule) fails in both modes.
 * docs/import.md says what is exact and what is not.
 */
#ifndef XDPFW_USER_IMPORT_H
#define XDPFW_USER_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Inputs larger than this are refused (as policy files: 1 MiB would do, rulesets run longer). */
#define IMPORT_MAX_BYTES (16 * 1024 * 1024)

/*
 * iptables-save and ip6tables-save output (both may be concatenated), or iptables/ip6tables
 * command lines (-A, -I, -P, -N, -F, -X), with '#' and C comments; name is for messages.
 */
int import_iptables(const char *text, size_t len, const char *name, bool lossy, FILE *out,
		    FILE *err);
/* `nft -j list ruleset` output: tables of family ip, ip6 and inet. */
int import_nft(const char *text, size_t len, const char *name, bool lossy, FILE *out, FILE *err);

#endif /* XDPFW_USER_IMPORT_H */
