#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# State at appliance scale: 50k connected UDP sockets opened before the load are
# seeded by it, every one tracked and alive after it; 300k flows listed by the
# streaming CLI with exact counts and bounded memory; stats counts from counters.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/netns/lib.sh

CTFILL=$(realpath "${CTFILL:-build/tests/ctfill}")
SOCKETS=50000

need_root
setup_namespaces

stat_ct() {
	in_p "$XDPFW" stats "$VETH_P" --json | jq --arg f "$1" '.conntrack[$f]'
}

echo "# $SOCKETS connected UDP sockets, then load"
# 50k local ports: more than the default ephemeral range holds.
ip netns exec "$NS_P" sysctl -qw net.ipv4.ip_local_port_range="1024 65535"
# Four holders: a process may not have 50k descriptors (RLIMIT_NOFILE, no CAP_SYS_RESOURCE).
for i in 1 2 3 4; do
	in_p "$CTFILL" sockets $((SOCKETS / 4)) "$IP_C" 9 --seconds 120 >"$WORK/sockets.$i" &
	BG_PIDS+=($!)
done
for _ in $(seq 1 300); do
	[ "$(cat "$WORK"/sockets.* | grep -c ready)" = 4 ] && break
	sleep 0.1
done
check_eq "the sockets are open" "$(cat "$WORK"/sockets.* | grep -c ready)" 4
t0=$(date +%s%N)
check_ok "load" in_p "$XDPFW" load "$VETH_P"
t1=$(date +%s%N)
echo "# load with $SOCKETS sockets: $(((t1 - t0) / 1000000)) ms"
check_eq "seeded: every socket" "$(stat_ct seeded)" "$SOCKETS"
check_eq "entries: every socket, counted by the kernel" "$(stat_ct entries)" "$SOCKETS"
flows=$(in_p "$XDPFW" conntrack "$VETH_P" --json)
check_eq "every one listed, live, as udp to $IP_C:9" \
	"$(jq '[.flows[] | select(.proto == "udp" and .remote == "'"$IP_C"'" and .remote_port == 9
		and .expires_in_s > 0)] | length' <<<"$flows")" "$SOCKETS"

echo "# 300k flows: the CLI streams them"
check_eq "200000 IPv4 flows added through the pins" "$(in_p "$CTFILL" 200000)" 200000
check_eq "50000 IPv6 flows added" "$(in_p "$CTFILL" 50000 --ipv6)" 50000
total=$((SOCKETS + 250000))
check_eq "stats: entries from the kernel's count" "$(stat_ct entries)" "$total"
check_eq "stats: no evictions" "$(stat_ct evictions)" 0
in_p /usr/bin/time -f "%e %M" -o "$WORK/time" "$XDPFW" conntrack "$VETH_P" --json \
	>"$WORK/flows.json"
read -r secs kib <"$WORK/time"
echo "# conntrack --json with $total flows: $secs s, $((kib / 1024)) MiB RSS"
check_eq "conntrack --json lists every flow" "$(jq '.flows | length' "$WORK/flows.json")" "$total"
check_eq "of them IPv6" \
	"$(jq '[.flows[] | select(.local == "2001:db8::1")] | length' "$WORK/flows.json")" 50000
[ "$kib" -lt 102400 ] && ok "conntrack --json stays under 100 MiB ($((kib / 1024)) MiB)" ||
	not_ok "conntrack --json took $((kib / 1024)) MiB"
in_p /usr/bin/time -f "%e %M" -o "$WORK/time" "$XDPFW" conntrack "$VETH_P" >"$WORK/flows.txt"
check_eq "the table has a line per flow and a header" "$(wc -l <"$WORK/flows.txt")" $((total + 1))
in_p /usr/bin/time -f "%e %M" -o "$WORK/time" "$XDPFW" stats "$VETH_P" --json >/dev/null
read -r secs kib <"$WORK/time"
echo "# stats --json with $total flows: $secs s, $((kib / 1024)) MiB RSS"
[ "$kib" -lt 20480 ] && ok "stats copies no flow table ($((kib / 1024)) MiB)" ||
	not_ok "stats took $((kib / 1024)) MiB"
check_eq "flush says how many" "$(in_p "$XDPFW" conntrack "$VETH_P" flush)" "$total flows flushed"
check_eq "entries after the flush" "$(stat_ct entries)" 0
check_ok "unload" in_p "$XDPFW" unload "$VETH_P"

summary
