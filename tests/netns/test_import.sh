#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `xdpfw import iptables` against the real thing. Twin namespaces: server A filters with
# iptables and ip6tables, server B with xdpfw; each has its own client with the same three
# addresses (198.18.0.2 trusted, .3 ordinary, .4 blocklisted; 2001:db8::2, ::3, ::4). Each
# ruleset is built with iptables commands in A, saved with iptables-save and ip6tables-save,
# imported, checked and loaded on B; then a full TCP scan (65535 ports) and UDP probes from
# every client address must reach exactly the same ports of A and of B. A port is reached
# when its SYN or datagram gets an answer (SYN-ACK, RST, ICMP port unreachable): no server
# listens, a passed packet is answered by the kernel, a dropped one times out.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/netns/lib.sh
PORTSCAN=$(realpath "${PORTSCAN:-build/tests/portscan}")

need_root
if ! command -v iptables-save >/dev/null || ! command -v ip6tables >/dev/null; then
	echo "iptables is missing: apt-get install iptables" >&2
	exit 1
fi

NS_A=$TAG-a
NS_CA=$TAG-ca
VETH_A=xfa$$
VETH_CA=xfca$$
SRCS=(198.18.0.2 198.18.0.3 198.18.0.4 2001:db8::2 2001:db8::3 2001:db8::4)
UDP_PORTS=53,54,123,161,162,953,1023,1024,40000,65535

cleanup_import() {
	local ns
	for ns in "$NS_A" "$NS_CA"; do
		ip netns list | grep -q "^$ns\b" && ip netns del "$ns"
	done
	cleanup
}

in_a() {
	ip netns exec "$NS_A" "$@"
}

# neigh NS DEV PEER_NS PEER_DEV ADDR...: in NS, the addresses are PEER_DEV's, for good.
neigh() {
	local ns=$1 dev=$2 mac a
	mac=$(ip -n "$3" -br link show "$4" | awk '{print $3}')
	shift 4
	for a in "$@"; do
		ip -n "$ns" neigh replace "$a" lladdr "$mac" dev "$dev" nud permanent
	done
}

# The A pair, as lib.sh makes the B pair (NS_P, NS_C); both clients get .3, .4, ::3, ::4.
setup_twins() {
	local ns a
	ip netns add "$NS_A"
	ip netns add "$NS_CA"
	for ns in "$NS_A" "$NS_CA"; do
		ip -n "$ns" link set lo up
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0 \
			net.ipv6.conf.all.router_solicitations=0 \
			net.ipv6.conf.default.router_solicitations=0
	done
	ip link add "$VETH_A" netns "$NS_A" type veth peer name "$VETH_CA" netns "$NS_CA"
	ip -n "$NS_A" addr add "$IP_P/24" dev "$VETH_A"
	ip -n "$NS_A" addr add "$IP6_P/64" dev "$VETH_A" nodad
	for a in 2 3 4; do
		ip -n "$NS_CA" addr add "198.18.0.$a/24" dev "$VETH_CA"
		ip -n "$NS_CA" addr add "2001:db8::$a/64" dev "$VETH_CA" nodad
		[ "$a" = 2 ] && continue
		ip -n "$NS_C" addr add "198.18.0.$a/24" dev "$VETH_C"
		ip -n "$NS_C" addr add "2001:db8::$a/64" dev "$VETH_C" nodad
	done
	ip -n "$NS_A" link set "$VETH_A" up
	ip -n "$NS_CA" link set "$VETH_CA" up
	# Static neighbours: a blocklisted source's neighbour solicitations never matter.
	neigh "$NS_CA" "$VETH_CA" "$NS_A" "$VETH_A" "$IP_P" "$IP6_P"
	neigh "$NS_P" "$VETH_P" "$NS_C" "$VETH_C" 198.18.0.3 198.18.0.4 2001:db8::3 2001:db8::4
	neigh "$NS_A" "$VETH_A" "$NS_CA" "$VETH_CA" 198.18.0.2 198.18.0.3 198.18.0.4 2001:db8::2 \
		2001:db8::3 2001:db8::4
	# Every closed UDP port answers: ICMP errors are not rate limited here.
	for ns in "$NS_A" "$NS_P"; do
		ip netns exec "$ns" sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 \
			net.ipv4.icmp_msgs_per_sec=100000 net.ipv4.icmp_msgs_burst=100000
	done
}

# Back to an empty ruleset in A: no rules, no user chains, every policy ACCEPT.
flush_a() {
	local t
	for t in iptables ip6tables; do
		in_a "$t" -F
		in_a "$t" -X
		in_a "$t" -P INPUT ACCEPT
		in_a "$t" -P FORWARD ACCEPT
	done
}

# The ports reached from one address: "tcp N" and "udp N" lines.
scan() {
	local ns=$1 src=$2 dst=$IP_P
	case $src in *:*) dst=$IP6_P ;; esac
	ip netns exec "$ns" "$PORTSCAN" "$dst" --from "$src" --tcp 1-65535 --udp "$UDP_PORTS" \
		--timeout-ms 300 --parallel 16384
}

# compare NAME WARNINGS COUNT...: iptables-save of A imported (saying WARNINGS on stderr) and
# loaded on B, then from each source (in SRCS' order) the ports of A and B scanned at once:
# the same, and COUNT of them.
compare() {
	local name=$1 warnings=$2 src a b t0
	shift 2
	{ in_a iptables-save; in_a ip6tables-save; } >"$WORK/$name.save"
	"$XDPFW" import iptables "$WORK/$name.save" >"$WORK/$name.conf" 2>"$WORK/$name.err"
	check_eq "$name: imported exactly" "$?:$(sed "s|$WORK/||" "$WORK/$name.err")" "0:$warnings"
	check_ok "$name: the policy checks" "$XDPFW" check "$WORK/$name.conf"
	check_ok "$name: load on B" in_p "$XDPFW" load "$VETH_P" --policy "$WORK/$name.conf" \
		--replace
	t0=$(date +%s%N)
	for src in "${SRCS[@]}"; do
		a=$WORK/$name.$src.a
		b=$WORK/$name.$src.b
		scan "$NS_CA" "$src" >"$a" &
		scan "$NS_C" "$src" >"$b" &
		wait
		check_eq "$name: from $src, xdpfw reaches what iptables does" \
			"$(diff "$a" "$b" | head -5 | tr '\n' ' ')" ""
		check_eq "$name: from $src, the ports reached" "$(wc -l <"$a")" "$1"
		shift
	done
	echo "# $name: 12 scans in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
}

setup_namespaces
trap cleanup_import EXIT
unset SSH_CONNECTION
setup_twins

# --- the reference ruleset, its commands as the document gives them, and IPv6 alike ---
grep '^iptables ' tests/import/reference.rules | while read -r _ args; do
	eval "in_a iptables $args"
	eval "in_a ip6tables ${args//-p icmp/-p ipv6-icmp}"
done
# 18 TCP ports and UDP 53, 953 of the probes, from every source.
compare reference "" 20 20 20 20 20 20
check_eq "reference: its import is the built-in policy" \
	"$(diff <("$XDPFW" check "$WORK/reference.conf") \
		<("$XDPFW" check docs/policies/outlook-proxy.conf))" ""

# --- sources: a blocklisted one, an exception, restricted ports ---
# sources TOOL PREFIX ICMP NET: .4 blocklisted, .3 not on 443, .2 alone on 5432, NET on 161.
sources() {
	in_a "$1" -P INPUT DROP
	in_a "$1" -A INPUT -s "${2}4" -j DROP
	in_a "$1" -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
	in_a "$1" -A INPUT -i lo -j ACCEPT
	in_a "$1" -A INPUT -p "$3" -j ACCEPT
	in_a "$1" -A INPUT -s "${2}3" -p tcp --dport 443 -j DROP
	in_a "$1" -A INPUT -p tcp -m multiport --dports 22,80,443,6000:6010 -j ACCEPT
	in_a "$1" -A INPUT -s "${2}2" -p tcp --dport 5432 -m comment --comment database -j ACCEPT
	in_a "$1" -A INPUT -s "$4" -p udp --dport 161 -j ACCEPT
	in_a "$1" -A INPUT -p udp --dport 53 -j ACCEPT
}
flush_a
sources iptables 198.18.0. icmp 198.18.0.0/30
sources ip6tables 2001:db8:: ipv6-icmp 2001:db8::/126
# .2: 14 TCP ports, 5432, UDP 161 and 53; .3: not 443 nor 5432; .4: nothing. ip6tables drops
# the neighbour solicitations of ::4, xdpfw never does: a warning.
compare sources "xdpfw: warning: sources.save:22: drops neighbour discovery/MLD from \
2001:db8::4, which xdpfw always passes" 17 15 0 17 15 0
check_eq "sources: a blocklist whose replies are dropped" \
	"$("$XDPFW" check "$WORK/sources.conf" | grep -c -e '^deny from 198.18.0.4, 2001:db8::4$' \
		-e '^blocklist-replies drop$')" 2

# --- a user chain with RETURN, a negated port range, IPv4 and IPv6 apart ---
flush_a
in_a iptables -P INPUT DROP
in_a iptables -N SVC
in_a iptables -A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT
in_a iptables -A INPUT -i lo -j ACCEPT
in_a iptables -A INPUT -p tcp -j SVC
in_a iptables -A INPUT -p udp -m udp ! --dport 1:1023 -j ACCEPT
in_a iptables -A SVC -s 198.18.0.3 -j RETURN
in_a iptables -A SVC -p tcp --dport 80 -j ACCEPT
in_a iptables -A SVC -p tcp --dport 20000:20100 -j ACCEPT
in_a ip6tables -P INPUT DROP
in_a ip6tables -A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT
in_a ip6tables -A INPUT -i lo -j ACCEPT
in_a ip6tables -A INPUT -p ipv6-icmp -j ACCEPT
in_a ip6tables -A INPUT -p tcp --dport 8080 -j ACCEPT
in_a ip6tables -A INPUT -s 2001:db8::4 -p tcp --dport 9000:9010 -j ACCEPT
# IPv4: 80, 20000-20100 and UDP 1024, 40000, 65535 but TCP for .3; IPv6: 8080, 9000-9010 for ::4.
compare chains "" 105 3 105 1 1 12

# --- what cannot be imported is said, and nothing is printed ---
flush_a
in_a iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
in_a iptables -A INPUT -i lo -j ACCEPT
in_a iptables -A INPUT -p tcp --dport 22 -m hashlimit --hashlimit-upto 5/min \
	--hashlimit-name ssh --hashlimit-mode srcip -j ACCEPT
in_a iptables -P INPUT DROP
in_a iptables-save >"$WORK/lossy.save"
"$XDPFW" import iptables "$WORK/lossy.save" >"$WORK/lossy.conf" 2>"$WORK/lossy.err"
check_eq "a hashlimit: exit status 1, nothing printed" "$?:$(wc -c <"$WORK/lossy.conf")" "1:0"
check_eq "the rule is named with its line" \
	"$(grep -c "lossy.save:[0-9]*: -m hashlimit: not expressible" "$WORK/lossy.err")" 1
check_ok "--lossy imports it" "$XDPFW" import iptables "$WORK/lossy.save" --lossy

summary
