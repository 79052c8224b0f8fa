#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Safe on a real appliance: a load that cannot last is refused; every verb checks
# its interface name and touches only xdpfw's own pins; unload leaves other
# tools' tc filters; spoofed queries to an open port cannot evict the host's
# flows; path-MTU errors about the host's services pass under `icmp drop`; and
# what dropping out-of-order fragments costs, measured.
#
# A third namespace sits behind the client, which routes for it:
#   far (NS_F, veth VETH_F): 198.18.1.2/24, 2001:db8:1::2/64, link MTU 1280 at the router
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/netns/lib.sh

NS_F=$TAG-f
VETH_F=xfh$$
VETH_CF=xfg$$
IP_F=198.18.1.2
IP6_F=2001:db8:1::2
SPOOF_FROM=198.19.0.1

need_root
setup_namespaces
trap 'ip netns del "$NS_F" 2>/dev/null; cleanup' EXIT

in_f() {
	ip netns exec "$NS_F" "$@"
}
stats_json() {
	in_p "$XDPFW" stats "$VETH_P" --json
}
ct_field() {
	stats_json | jq --arg f "$1" '.conntrack[$f]'
}
reason() {
	stats_json | jq --arg r "$1" '.reasons[$r]'
}
port_field() { # proto port field
	stats_json | jq --arg p "$1" --argjson n "$2" --arg f "$3" \
		'[.ports[] | select(.proto == $p and .port == $n) | .[$f]] | add // 0'
}
no_xdp() {
	ip -n "$NS_P" -d link show "$VETH_P" | grep -c 'prog/xdp'
}

cat >"$WORK/policy.conf" <<EOF
allow tcp 22,2222
allow udp 53
conntrack-size 1024
EOF

echo "# a load that cannot last is refused"
err=$(ip netns exec "$NS_P" "$XDPFW" load "$VETH_P" --policy "$WORK/policy.conf" 2>&1)
check_eq "load in ip netns exec's own mount namespace fails" "$?" 1
check_eq "it says how to do it right" "$(grep -c 'nsenter --net=/run/netns/NAME' <<<"$err")" 1
check_eq "no XDP program left attached" "$(no_xdp)" 0
check_eq "no clsact qdisc left" "$(tc -n "$NS_P" qdisc show dev "$VETH_P" | grep -c clsact)" 0
check_ok "with a bpffs that outlives the command, load works" \
	in_p "$XDPFW" load "$VETH_P" --policy "$WORK/policy.conf"

echo "# every verb checks its interface name; nothing outside xdpfw's pins is touched"
mkdir "$WORK/victim"
touch "$WORK/victim/precious"
up=../../../..$WORK/victim
for args in "unload $up" "unload ." "unload .." "stats ." "stats $up" "conntrack ../x" \
	"conntrack . flush" "reload . --policy $WORK/policy.conf" "allow . tcp 22" \
	"deny a/b tcp 22" "load ../x" "unload has:colon"; do
	# shellcheck disable=SC2086
	in_p "$XDPFW" $args >/dev/null 2>&1
	check_eq "xdpfw $args: usage error" "$?" 2
done
in_p "$XDPFW" unload "has space" >/dev/null 2>&1
check_eq "xdpfw unload 'has space': usage error" "$?" 2
check_eq "the directory named by ../ is untouched" "$(ls "$WORK/victim")" precious
check_eq "the shared flow table is still pinned" "$(ls "$BPFFS/xdpfw" | grep -c '^conntrack[46]$')" 2
check_ok "stats still reads the shared counters" in_p "$XDPFW" stats "$VETH_P"
err=$(in_p "$XDPFW" unload . 2>&1)
check_eq "the message names the verb and the name" "$err" \
	"xdpfw: unload: '.' is not a valid interface name (usage: xdpfw unload IFACE)"

echo "# outsiders cannot evict the host's flows (a 1024-entry table)"
# Answers to the spoofed sources leave through the client, which drops them.
ip -n "$NS_P" route add 198.19.0.0/16 via "$IP_C"
ip -n "$NS_C" route add blackhole 198.19.0.0/16
bg in_p "$NETTOOL" serve --udp 53 --seconds 60
bg in_c "$NETTOOL" talk 7777 --delay-ms 4000 --seconds 30
sleep 0.3
in_p timeout 20 "$NETTOOL" hold "$IP_C" 7777 --seconds 15 &
hold_pid=$!
BG_PIDS+=("$hold_pid")
sleep 0.5
inserts=$(ct_field inserts)
check_eq "the host's idle connection is tracked" \
	"$(in_p "$XDPFW" conntrack "$VETH_P" --json | jq '[.flows[] | select(.remote_port == 7777)] | length')" 1
# 3000 spoofed sources, each asking twice: three times the table, each answered.
check_ok "3000 spoofed sources x 2 queries to udp/53" \
	in_c "$NETTOOL" spoof "$IP_P" 53 --from "$SPOOF_FROM" --count 3000 --repeat 2
sleep 0.5
check_eq "every query reached the service" "$(port_field udp 53 passed_packets)" 6000
check_eq "its 6000 answers created no flow" "$(ct_field inserts)" "$inserts"
check_eq "nothing evicted" "$(ct_field evictions)" 0
wait "$hold_pid"
check_eq "the idle connection gets its late data" "$?" 0

echo "# path-MTU errors about the host's own services pass under icmp drop"
ip netns add "$NS_F"
ip link add "$VETH_CF" netns "$NS_C" type veth peer name "$VETH_F" netns "$NS_F"
ip -n "$NS_F" link set lo up
ip -n "$NS_C" addr add 198.18.1.1/24 dev "$VETH_CF"
ip -n "$NS_C" addr add 2001:db8:1::1/64 dev "$VETH_CF" nodad
ip -n "$NS_F" addr add "$IP_F/24" dev "$VETH_F"
ip -n "$NS_F" addr add "$IP6_F/64" dev "$VETH_F" nodad
ip -n "$NS_C" link set "$VETH_CF" mtu 1280 up
ip -n "$NS_F" link set "$VETH_F" up
ip netns exec "$NS_C" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
ip -n "$NS_F" route add default via 198.18.1.1
ip -n "$NS_F" -6 route add default via 2001:db8:1::1
ip -n "$NS_P" route add 198.18.1.0/24 via "$IP_C"
ip -n "$NS_P" -6 route add 2001:db8:1::/64 via "$IP6_C"
sed 's/^conntrack-size.*//' "$WORK/policy.conf" >"$WORK/noicmp.conf"
printf 'icmp drop\nicmp6 drop\n' >>"$WORK/noicmp.conf"
check_ok "reload with icmp drop" in_p "$XDPFW" reload "$VETH_P" --policy "$WORK/noicmp.conf"
related=$(reason passed-related)
dropped=$(reason dropped-icmp)
for addr in "$IP_F" "$IP6_F"; do
	bg in_p "$NETTOOL" bulk-send 2222 --bytes 300000 --seconds 10
	sleep 0.3
	dst=$IP_P
	[ "$addr" = "$IP6_F" ] && dst=$IP6_P
	check_eq "300000 bytes from tcp/2222 reach $addr over a 1280-byte hop" \
		"$(in_f "$NETTOOL" bulk-recv "$dst" 2222 --bytes 300000 --timeout-ms 8000)" 300000
done
[ "$(reason passed-related)" -gt "$related" ] && ok "the router's errors passed as related" ||
	not_ok "no error passed as related"
check_eq "no ICMP error was dropped" "$(reason dropped-icmp)" "$dropped"

echo "# out-of-order fragments: dropped by choice; what the choice costs"
check_ok "reload with the test policy" in_p "$XDPFW" reload "$VETH_P" --policy "$WORK/policy.conf"
sockstat_frag() {
	ip netns exec "$NS_P" awk '/^FRAG:/ { print $5 }' /proc/net/sockstat
}
fwd=$(in_c "$NETTOOL" frag "$IP_P" 53 --size 3000 --count 50 --order forward)
rev=$(in_c "$NETTOOL" frag "$IP_P" 53 --size 3000 --count 50 --order reverse)
# Each reversed datagram's first fragment passed and waits 30 s for the rest.
rev_mem=$(sockstat_frag)
in_c "$NETTOOL" frag "$IP_P" 53 --size 3000 --count 300 --order orphans >/dev/null
orphan_mem=$(($(sockstat_frag) - rev_mem))
check_eq "in order: 50 of 50 datagrams echoed" "$fwd" 50
check_eq "last fragment first: 0 of 50 (later fragments before their first are dropped)" \
	"$rev" 0
check_eq "300 datagrams without their first fragment hold no reassembly memory" "$orphan_mem" 0
check_ok "unload" in_p "$XDPFW" unload "$VETH_P"
ip netns exec "$NS_P" nft -f tests/bench/reference.nft
rev_nft=$(in_c "$NETTOOL" frag "$IP_P" 53 --size 3000 --count 50 --order reverse)
mem=$(sockstat_frag)
in_c "$NETTOOL" frag "$IP_P" 53 --size 3000 --count 300 --order orphans >/dev/null
orphan_nft=$(($(sockstat_frag) - mem))
check_eq "the reference ruleset in nftables reassembles first: 50 of 50" "$rev_nft" 50
[ "$orphan_nft" -gt 0 ] && ok "there, orphans hold $orphan_nft bytes for 30 s" ||
	not_ok "orphans held no memory under nftables"
echo "# measured: xdpfw in order $fwd/50, reversed $rev/50 (their first fragments hold" \
	"$rev_mem B), 300 orphans hold $orphan_mem B; nftables reversed $rev_nft/50," \
	"300 orphans hold $orphan_nft B"
ip netns exec "$NS_P" nft flush ruleset

echo "# unload removes only xdpfw's pins and leaves other tools' tc filters"
check_ok "load again" in_p "$XDPFW" load "$VETH_P" --policy "$WORK/policy.conf"
check_eq "load created the clsact qdisc" \
	"$(tc -n "$NS_P" qdisc show dev "$VETH_P" | grep -c clsact)" 1
tc -n "$NS_P" filter add dev "$VETH_P" ingress prio 7 u32 match u32 0 0
tc -n "$NS_P" filter add dev "$VETH_P" egress prio 8 u32 match u32 0 0
mkdir "$BPFFS/xdpfw/$VETH_P/foreign" "$BPFFS/xdpfw/notours"
check_eq "status lists xdpfw's interfaces only" \
	"$(in_p "$XDPFW" status --json | jq -r '[.interfaces[].interface] | join(" ")')" "$VETH_P"
err=$(in_p "$XDPFW" unload "$VETH_P" 2>&1)
check_eq "unload succeeds" "$?" 0
check_eq "and says what it left" "$(grep -c 'left' <<<"$err")" 2
check_eq "no XDP program" "$(no_xdp)" 0
check_eq "xdpfw's egress filter is gone" \
	"$(tc -n "$NS_P" filter show dev "$VETH_P" egress | grep -c bpf)" 0
check_eq "the other tool's ingress filter stays" \
	"$(tc -n "$NS_P" filter show dev "$VETH_P" ingress | grep -c 'pref 7 u32 .* order ')" 1
check_eq "the other tool's egress filter stays" \
	"$(tc -n "$NS_P" filter show dev "$VETH_P" egress | grep -c 'pref 8 u32 .* order ')" 1
check_eq "so does the clsact qdisc" "$(tc -n "$NS_P" qdisc show dev "$VETH_P" | grep -c clsact)" 1
check_eq "xdpfw's pins are gone, a foreign directory stays" \
	"$(ls -A "$BPFFS/xdpfw/$VETH_P")" foreign
check_eq "the shared maps went with the last interface; the foreign directory stays" \
	"$(ls -A "$BPFFS/xdpfw" | sort | tr '\n' ' ')" "$(printf '%s\n' notours "$VETH_P" | sort | tr '\n' ' ')"
rmdir "$BPFFS/xdpfw/$VETH_P/foreign" "$BPFFS/xdpfw/$VETH_P" "$BPFFS/xdpfw/notours"
tc -n "$NS_P" qdisc del dev "$VETH_P" clsact

summary
