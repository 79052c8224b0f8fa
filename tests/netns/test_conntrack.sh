#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Established-state tracking end to end: the protected side opens connections
# to ports its policy does not allow and gets the replies; the other side cannot
# open the same ports; an idle session opened before the load survives it;
# UDP replies die with their timeout; ICMP errors about tracked flows pass.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/netns/lib.sh

need_root
setup_namespaces

port_field() { # direction proto port field -> value (0 when the port has no row)
	in_p "$XDPFW" stats "$VETH_P" --json |
		jq --arg d "$1" --arg p "$2" --argjson n "$3" --arg f "$4" \
			'[.ports[] | select(.direction == $d and .proto == $p and .port == $n)
			  | .[$f]] | add // 0'
}
reason() {
	in_p "$XDPFW" stats "$VETH_P" --json | jq --arg r "$1" '.reasons[$r]'
}
ct_field() {
	in_p "$XDPFW" stats "$VETH_P" --json | jq --arg f "$1" '.conntrack[$f]'
}

# Both sides serve the same ports; the policy opens none of them.
bg in_c "$NETTOOL" serve --tcp 9999 --udp 5353 --seconds 100
bg in_p "$NETTOOL" serve --tcp 9999 --udp 5353 --seconds 100
# An idle session, opened before the load: the far side speaks only after it.
bg in_c timeout 30 "$NETTOOL" talk 7777 --delay-ms 3000 --seconds 20
sleep 0.3
in_p timeout 20 "$NETTOOL" hold "$IP_C" 7777 --seconds 15 &
hold_pid=$!
BG_PIDS+=("$hold_pid")
sleep 0.5

{
	cat docs/policies/outlook-proxy.conf
	echo "allow tcp 2222"
	echo "timeout udp 2s"
} >"$WORK/policy.conf"

echo "# load: the host's open connection is seeded"
check_ok "load" in_p "$XDPFW" load "$VETH_P" --policy "$WORK/policy.conf"
flows=$(in_p "$XDPFW" conntrack "$VETH_P" --json)
check_eq "the idle session is tracked" \
	"$(jq -r '.flows[] | select(.remote_port == 7777) | "\(.proto) \(.local) \(.remote) \(.state)"' \
		<<<"$flows")" "tcp $IP_P $IP_C established"
check_eq "seeded: exactly that one socket" "$(ct_field seeded)" 1
wait "$hold_pid"
check_eq "the idle session gets data sent after the load" "$?" 0

echo "# TCP: out to a port the policy does not allow works, in does not"
check_ok "tcp out to 9999, data both ways" in_p "$NETTOOL" tcp "$IP_C" 9999
check_ok "tcp out to [$IP6_C]:9999" in_p "$NETTOOL" tcp "$IP6_C" 9999
check_fail "tcp in to 9999 blocked" in_c "$NETTOOL" tcp "$IP_P" 9999 --timeout-ms 700
check_fail "tcp in to [$IP6_P]:9999 blocked" in_c "$NETTOOL" tcp "$IP6_P" 9999 --timeout-ms 700
flows=$(in_p "$XDPFW" conntrack "$VETH_P" --json)
check_eq "conntrack lists the flows to 9999 (v4 and v6)" \
	"$(jq '[.flows[] | select(.remote_port == 9999 and .proto == "tcp")] | length' <<<"$flows")" 2
check_eq "conntrack table names them" \
	"$(in_p "$XDPFW" conntrack "$VETH_P" | grep -c "$IP_C:9999 ")" 1

echo "# UDP: a query out gets its answer, the same query in gets nothing"
check_eq "udp out to 5353: 3 of 3 answered" "$(in_p "$NETTOOL" udp "$IP_C" 5353 --count 3)" 3
check_eq "udp in to 5353: 0 of 2 answered" \
	"$(in_c "$NETTOOL" udp "$IP_P" 5353 --count 2 --timeout-ms 500)" 0

echo "# UDP timeout (2 s): a late reply is dropped"
in_p "$NETTOOL" udp "$IP_C" 7002 --sport 40500 --timeout-ms 100 >/dev/null
in_c "$NETTOOL" udp "$IP_P" 40500 --sport 7002 --timeout-ms 100 >/dev/null
check_eq "a reply within the timeout passes, counted under its service" \
	"$(port_field out udp 7002 passed_packets)" 1
sleep 2.5
in_c "$NETTOOL" udp "$IP_P" 40500 --sport 7002 --timeout-ms 100 >/dev/null
check_eq "a reply after the timeout is dropped, at the closed port" \
	"$(port_field in udp 40500 dropped_packets)" 1

echo "# ICMP dropped by policy: echo replies and errors about our flows still pass"
sed -e 's/^icmp pass/icmp drop/' -e 's/^icmp6 pass/icmp6 drop/' "$WORK/policy.conf" \
	>"$WORK/noicmp.conf"
check_ok "reload with icmp drop" in_p "$XDPFW" reload "$VETH_P" --policy "$WORK/noicmp.conf"
check_ok "ping out works" in_p ping -c 2 -i 0.2 -W 1 "$IP_C"
check_ok "ping6 out works" in_p ping -6 -c 2 -i 0.2 -W 1 "$IP6_C"
check_fail "ping in is dropped" in_c ping -c 1 -W 1 "$IP_P"
related=$(reason passed-related)
in_p "$NETTOOL" udp "$IP_C" 7003 --timeout-ms 300 >/dev/null
check_eq "port unreachable about our UDP datagram passes as related" \
	"$(reason passed-related)" $((related + 1))

echo "# an inbound connection outlives the removal of its port (as with iptables)"
bg in_p "$NETTOOL" talk 2222 --delay-ms 1500 --seconds 10
sleep 0.3
in_c timeout 10 "$NETTOOL" hold "$IP_P" 2222 --seconds 5 &
hold_pid=$!
BG_PIDS+=("$hold_pid")
sleep 0.5
check_ok "deny tcp 2222 while the connection is open" in_p "$XDPFW" deny "$VETH_P" tcp 2222
wait "$hold_pid"
check_eq "the open connection completes" "$?" 0
sleep 0.3
check_eq "none of its packets to 2222 dropped" "$(port_field in tcp 2222 dropped_packets)" 0
check_fail "a new connection to 2222 is refused" in_c "$NETTOOL" tcp "$IP_P" 2222 --timeout-ms 700

echo "# asymmetric routing: out through one interface, the answer in through another"
VETH_P2=xfq$$
VETH_C2=xfr$$
ip link add "$VETH_P2" netns "$NS_P" type veth peer name "$VETH_C2" netns "$NS_C"
ip -n "$NS_P" link set "$VETH_P2" up
ip -n "$NS_C" link set "$VETH_C2" up
ip netns exec "$NS_P" sysctl -qw net.ipv4.conf.all.rp_filter=0 "net.ipv4.conf.$VETH_P2.rp_filter=0"
# The client answers 198.18.0.1 through the second link; nothing else changes.
mac_p2=$(ip -n "$NS_P" -br link show "$VETH_P2" | awk '{print $3}')
ip -n "$NS_C" route add "$IP_P/32" dev "$VETH_C2"
ip -n "$NS_C" neigh replace "$IP_P" lladdr "$mac_p2" dev "$VETH_C2" nud permanent
check_ok "load on the second interface" in_p "$XDPFW" load "$VETH_P2" --policy "$WORK/policy.conf"
check_ok "tcp out via $VETH_P, answered via $VETH_P2" in_p "$NETTOOL" tcp "$IP_C" 9999
check_eq "the answers came in through $VETH_P2 as established" \
	"$(in_p "$XDPFW" stats "$VETH_P2" --json | jq '.reasons["passed-established"] > 0')" true
check_fail "tcp in via $VETH_P2 to 9999 still blocked" in_c "$NETTOOL" tcp "$IP_P" 9999 --timeout-ms 700
check_ok "unload the second interface" in_p "$XDPFW" unload "$VETH_P2"
check_eq "the shared table stays while $VETH_P is loaded" \
	"$(ls "$BPFFS/xdpfw" | grep -c "^conntrack[46]$")" 2
ip -n "$NS_C" route del "$IP_P/32" dev "$VETH_C2"
ip -n "$NS_C" neigh replace "$IP_P" lladdr "$(ip -n "$NS_P" -br link show "$VETH_P" | awk '{print $3}')" \
	dev "$VETH_C" nud permanent

echo "# counters and flush"
check_eq "no evictions" "$(ct_field evictions)" 0
inserts=$(ct_field inserts)
[ "$inserts" -ge 6 ] && ok "inserts counted ($inserts)" || not_ok "inserts: $inserts"
out=$(in_p "$XDPFW" conntrack "$VETH_P" flush)
deleted=${out%% *}
check_eq "flush says how many" "$out" "$deleted flows flushed"
check_eq "deletes counted" "$(ct_field deletes)" "$deleted"
check_eq "nothing left" "$(in_p "$XDPFW" conntrack "$VETH_P" --json | jq '.flows | length')" 0
check_fail "flushed: a reply to the old UDP flow is dropped" \
	in_c "$NETTOOL" udp "$IP_P" 40500 --sport 5353 --timeout-ms 100
err=$(in_p "$XDPFW" conntrack "$VETH_P" purge 2>&1)
check_eq "conntrack with a bad word" "$?:$err" \
	"2:xdpfw: conntrack: expected 'flush' or nothing after the interface, got 'purge'"

echo "# unload removes the egress program and the qdisc it added"
check_ok "unload" in_p "$XDPFW" unload "$VETH_P"
check_eq "no clsact qdisc left" "$(tc -n "$NS_P" qdisc show dev "$VETH_P" | grep -c clsact)" 0
check_eq "no pins left" "$(ls -A "$BPFFS/xdpfw")" ""

summary
