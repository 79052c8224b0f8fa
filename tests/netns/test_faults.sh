#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Operating faults, each with an exact expected outcome: the CLI killed with
# SIGKILL in the middle of load and reload (XDPFW_FAULT kills it at a named
# point, as a crash there would), and policy files that are huge, binary or
# unreadable. Afterwards the interface runs either the old or the new policy,
# and load/unload still work.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/netns/lib.sh

need_root
setup_namespaces
bg in_p "$NETTOOL" serve --tcp 22,25,9999 --seconds 60
sleep 0.3

xdp_on() { ip -n "$NS_P" -d link show "$VETH_P" | grep -c 'prog/xdp'; }
tc_filters() { tc -n "$NS_P" filter show dev "$VETH_P" egress 2>/dev/null | grep -c 'xdpfw_egress'; }
tcp_ports() { in_p "$XDPFW" status --json | jq '.interfaces[0].tcp_ports'; }

echo "# killed during load, after the egress filter and before the XDP link"
in_p env XDPFW_FAULT=tc-attached "$XDPFW" load "$VETH_P" 2>/dev/null
check_eq "the CLI died by SIGKILL" "$?" 137
check_eq "no XDP program runs" "$(xdp_on)" 0
check_ok "traffic is not filtered" in_c "$NETTOOL" tcp "$IP_P" 9999
err=$(in_p "$XDPFW" load "$VETH_P" 2>&1)
check_eq "the next load clears what was left and loads" "$?:$err" \
	"0:xdpfw: warning: $VETH_P: removing stale pins (an interrupted load, or the interface was deleted)
xdpfw: warning: $VETH_P: tcp/9999 (nettool, pid $(ip netns pids "$NS_P" | head -1)) is listening \
and the policy drops it"
check_eq "exactly one egress filter" "$(tc_filters)" 1
check_fail "filtered now: 9999 blocked" in_c "$NETTOOL" tcp "$IP_P" 9999 --timeout-ms 500
check_ok "unload" in_p "$XDPFW" unload "$VETH_P"
check_eq "no egress filter left" "$(tc_filters)" 0
check_eq "no pins left" "$(ls -A "$BPFFS/xdpfw")" ""

echo "# killed during load, right after the link was pinned: loaded"
in_p env XDPFW_FAULT=link-pinned "$XDPFW" load "$VETH_P" 2>/dev/null
check_eq "the CLI died by SIGKILL" "$?" 137
check_eq "the XDP program runs" "$(xdp_on)" 1
check_eq "status: the built-in policy" "$(tcp_ports)" 18
check_fail "filtered: 9999 blocked" in_c "$NETTOOL" tcp "$IP_P" 9999 --timeout-ms 500

echo "# killed during reload, between writing the new policy and switching to it"
printf 'allow tcp 25\n' >"$WORK/only25.conf"
in_p env XDPFW_FAULT=slot-written "$XDPFW" reload "$VETH_P" --policy "$WORK/only25.conf" \
	2>/dev/null
check_eq "the CLI died by SIGKILL" "$?" 137
check_eq "the old policy still runs" "$(tcp_ports)" 18
check_ok "tcp 22 still connects" in_c "$NETTOOL" tcp "$IP_P" 22
check_ok "the same reload, uninterrupted" in_p "$XDPFW" reload "$VETH_P" --policy "$WORK/only25.conf"
check_eq "the new policy runs" "$(tcp_ports)" 1
check_fail "tcp 22 blocked" in_c "$NETTOOL" tcp "$IP_P" 22 --timeout-ms 500
check_ok "tcp 25 connects" in_c "$NETTOOL" tcp "$IP_P" 25

echo "# policy files that cannot be a policy: refused, the live one stays"
head -c 1048577 /dev/zero | tr '\0' '#' >"$WORK/huge.conf"
err=$(in_p "$XDPFW" reload "$VETH_P" --policy "$WORK/huge.conf" 2>&1)
check_eq "huge" "$?:$err" "1:xdpfw: $WORK/huge.conf: too large (1048577 bytes, limit 1048576)"
printf 'allow tcp 22\n\177ELF\0\1\2' >"$WORK/binary.conf"
err=$(in_p "$XDPFW" reload "$VETH_P" --policy "$WORK/binary.conf" 2>&1)
check_eq "binary" "$?:$err" "1:xdpfw: $WORK/binary.conf:2:1: unexpected control character 0x7f"
printf 'allow tcp 22\n\0' >"$WORK/nul.conf"
err=$(in_p "$XDPFW" reload "$VETH_P" --policy "$WORK/nul.conf" 2>&1)
check_eq "NUL byte" "$?:$err" "1:xdpfw: $WORK/nul.conf:2:1: unexpected NUL byte (binary file?)"
err=$(in_p "$XDPFW" reload "$VETH_P" --policy "$WORK" 2>&1)
check_eq "a directory" "$?:$err" "1:xdpfw: $WORK: not a regular file"
printf 'allow tcp 22\n' >"$WORK/secret.conf"
chmod 600 "$WORK/secret.conf"
chmod 755 "$WORK"
err=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$XDPFW" check "$WORK/secret.conf" 2>&1)
check_eq "unreadable" "$?:$err" "1:xdpfw: $WORK/secret.conf: Permission denied"
check_eq "after all that, the live policy is the last good one" "$(tcp_ports)" 1

check_ok "unload" in_p "$XDPFW" unload "$VETH_P"
check_eq "no XDP program left" "$(xdp_on)" 0
check_eq "no pins left" "$(ls -A "$BPFFS/xdpfw")" ""

summary
