#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# xdpfw end to end: the built-in policy on one side of a veth pair, real traffic
# from the other. Counters are checked against an independent oracle: nftables
# counters on the client's output path (IP bytes; xdpfw counts frames, +14 each).
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/netns/lib.sh

REF_TCP="22 25 53 110 389 465 587 636 953 993 995 1023 3268 3269 5222 5269 5280 8080"
BLOCKED_TCP="9999 443"
ORACLE_TCP="$REF_TCP $BLOCKED_TCP"
ORACLE_UDP="53 5353"

need_root
setup_namespaces

bg in_p "$NETTOOL" serve --tcp "$(echo $ORACLE_TCP | tr ' ' ,)" --udp 53,5353 --seconds 170
sleep 0.5

echo "# before load: every listener answers, so a failure later is the filter's"
check_ok "tcp 9999 connects without xdpfw" in_c "$NETTOOL" tcp "$IP_P" 9999
check_ok "udp 5353 echoes without xdpfw" in_c "$NETTOOL" udp "$IP_P" 5353

echo "# load the built-in policy"
out=$(in_p "$XDPFW" load "$VETH_P" 2>&1)
serve_pid=$(ip netns pids "$NS_P" | head -1)
check_eq "load exits 0 and names each listener the policy drops, nothing else" "$?:$out" \
	"0:xdpfw: warning: $VETH_P: tcp/443 (nettool, pid $serve_pid) is listening and the policy drops it
xdpfw: warning: $VETH_P: tcp/9999 (nettool, pid $serve_pid) is listening and the policy drops it
xdpfw: warning: $VETH_P: udp/5353 (nettool, pid $serve_pid) is listening and the policy drops it"
status=$(in_p "$XDPFW" status --json)
check_eq "status: interface" "$(jq -r '.interfaces[0].interface' <<<"$status")" "$VETH_P"
check_eq "status: native mode (veth has native XDP)" \
	"$(jq -r '.interfaces[0].mode' <<<"$status")" native
check_eq "status: 18 TCP ports" "$(jq -r '.interfaces[0].tcp_ports' <<<"$status")" 18
check_eq "status: 2 UDP ports" "$(jq -r '.interfaces[0].udp_ports' <<<"$status")" 2
check_eq "status: default drop" "$(jq -r '.interfaces[0].default' <<<"$status")" drop
check_eq "pins: link and maps" "$(ls "$BPFFS/xdpfw/$VETH_P" | tr '\n' ' ')" \
	"closed_ports config counters drop_log frags limits link log_state policy slot_labels src4 src6 \
tc_egress "
check_eq "shared pins: the flow tables, their gate and services" \
	"$(ls -p "$BPFFS/xdpfw" | grep -v / | tr "\n" " ")" \
	"conntrack4 conntrack6 ct_port_exp ct_ports ct_service_next ct_services ct_stats "

settle
{
	echo "table inet oracle {"
	echo " chain out {"
	echo "  type filter hook output priority 0; policy accept;"
	for p in $ORACLE_TCP; do echo "  oifname \"$VETH_C\" tcp dport $p counter"; done
	for p in $ORACLE_UDP; do echo "  oifname \"$VETH_C\" udp dport $p counter"; done
	echo "  oifname \"$VETH_C\" meta l4proto { icmp, ipv6-icmp } counter"
	echo " }"
	echo "}"
} | in_c nft -f -

echo "# TCP: every reference port accepts, others do not"
for p in $REF_TCP; do
	check_ok "tcp $p connects" in_c "$NETTOOL" tcp "$IP_P" "$p"
done
for p in 22 993 8080; do
	check_ok "tcp [$IP6_P]:$p connects" in_c "$NETTOOL" tcp "$IP6_P" "$p"
done
for p in $BLOCKED_TCP; do
	check_fail "tcp $p is blocked" in_c "$NETTOOL" tcp "$IP_P" "$p" --timeout-ms 700
done
check_fail "tcp [$IP6_P]:9999 is blocked" in_c "$NETTOOL" tcp "$IP6_P" 9999 --timeout-ms 700

echo "# UDP and ICMP"
check_eq "udp 53: 5 of 5 echoed" "$(in_c "$NETTOOL" udp "$IP_P" 53 --count 5 --size 100)" 5
check_eq "udp [$IP6_P]:53: 3 of 3 echoed" "$(in_c "$NETTOOL" udp "$IP6_P" 53 --count 3)" 3
check_eq "udp 5353: 0 of 4 echoed" \
	"$(in_c "$NETTOOL" udp "$IP_P" 5353 --count 4 --timeout-ms 500)" 0
check_ok "ping passes" in_c ping -c 3 -i 0.2 -W 1 "$IP_P"
check_ok "ping6 passes" in_c ping -6 -c 2 -i 0.2 -W 1 "$IP6_P"

echo "# counters equal what the client sent"
sleep 0.5
stats=$WORK/stats.json
in_p "$XDPFW" stats "$VETH_P" --json >"$stats"
oracle=$(in_c nft list chain inet oracle out)
port_stat() { # proto port -> "passed_pkts passed_bytes dropped_pkts dropped_bytes"
	jq -r --arg p "$1" --argjson n "$2" '[.ports[] | select(.proto == $p and .port == $n)]
		| if length == 0 then "0 0 0 0" else .[0] |
		"\(.passed_packets) \(.passed_bytes) \(.dropped_packets) \(.dropped_bytes)" end' \
		"$stats"
}
oracle_stat() { # match -> "packets bytes"
	grep -F "$1 counter" <<<"$oracle" | sed -E 's/.*packets ([0-9]+) bytes ([0-9]+).*/\1 \2/'
}
check_port() { # proto port allowed?
	local pk by want
	read -r pk by <<<"$(oracle_stat "$1 dport $2")"
	if [ "$3" = yes ]; then want="$pk $((by + 14 * pk)) 0 0"; else want="0 0 $pk $((by + 14 * pk))"; fi
	check_eq "$1/$2 counters (oracle: $pk packets)" "$(port_stat "$1" "$2")" "$want"
	[ "$pk" -gt 0 ] || not_ok "$1/$2: the oracle saw no packet"
}
for p in $REF_TCP; do check_port tcp "$p" yes; done
for p in $BLOCKED_TCP; do check_port tcp "$p" no; done
check_port udp 53 yes
check_port udp 5353 no
check_eq "no port but the tested ones counted" "$(jq '.ports | length' "$stats")" \
	$(($(wc -w <<<"$ORACLE_TCP") + 2))
read -r icmp_pk _ <<<"$(oracle_stat 'meta l4proto { icmp, ipv6-icmp }')"
check_eq "reason passed-icmp equals ICMP sent" "$(jq '.reasons["passed-icmp"]' "$stats")" \
	"$icmp_pk"
check_eq "reason dropped-malformed is 0" "$(jq '.reasons["dropped-malformed"]' "$stats")" 0
passed_sum=$(jq '[.ports[].passed_packets] | add' "$stats")
# Replies to the server's own packets are established: together they are the passed sum.
check_eq "reasons passed-port + passed-established equal the per-port passed sum" \
	"$(jq '.reasons["passed-port"] + .reasons["passed-established"]' "$stats")" "$passed_sum"
dropped_sum=$(jq '[.ports[].dropped_packets] | add' "$stats")
check_eq "reason dropped-port equals the per-port dropped sum" \
	"$(jq '.reasons["dropped-port"]' "$stats")" "$dropped_sum"
first=$(jq -r '.ports[0] | .passed_packets + .dropped_packets' "$stats")
max=$(jq -r '[.ports[] | .passed_packets + .dropped_packets] | max' "$stats")
check_eq "stats sorted busiest first" "$first" "$max"
table=$(in_p "$XDPFW" stats "$VETH_P")
check_eq "stats table has a row per port" "$(grep -cE '^(in|out) +(tcp|udp|any) ' <<<"$table")" \
	"$(jq '.ports | length' "$stats")"

echo "# live policy changes: reload, allow, deny"
cat >"$WORK/no-ssh.conf" <<EOF
allow tcp 25,993
allow udp 53
EOF
check_ok "reload with a policy without 22" in_p "$XDPFW" reload "$VETH_P" --policy "$WORK/no-ssh.conf"
check_fail "tcp 22 now blocked" in_c "$NETTOOL" tcp "$IP_P" 22 --timeout-ms 700
check_ok "tcp 25 still connects" in_c "$NETTOOL" tcp "$IP_P" 25
check_ok "allow tcp 22" in_p "$XDPFW" allow "$VETH_P" tcp 22
check_ok "tcp 22 connects again" in_c "$NETTOOL" tcp "$IP_P" 22
check_ok "deny tcp 22,25" in_p "$XDPFW" deny "$VETH_P" tcp 22,25
check_fail "tcp 25 now blocked" in_c "$NETTOOL" tcp "$IP_P" 25 --timeout-ms 700
check_ok "tcp 993 still connects" in_c "$NETTOOL" tcp "$IP_P" 993
printf 'allow tcp 22\nallow tcp 99999\n' >"$WORK/bad.conf"
err=$(in_p "$XDPFW" reload "$VETH_P" --policy "$WORK/bad.conf" 2>&1)
check_eq "bad policy: exit 1, file:line:column" "$?:$err" \
	"1:xdpfw: $WORK/bad.conf:2:11: port 99999 out of range (1-65535)"
check_ok "bad policy left the live one: tcp 993 connects" in_c "$NETTOOL" tcp "$IP_P" 993
check_eq "bad policy left the live one: 1 TCP port" \
	"$(in_p "$XDPFW" status --json | jq '.interfaces[0].tcp_ports')" 1
err=$(in_p "$XDPFW" allow "$VETH_P" tcp 70000 2>&1)
check_eq "bad allow: exit 1" "$?:$err" \
	"1:xdpfw: port list, column 1: port 70000 out of range (1-65535)"
check_ok "back to the built-in policy" in_p "$XDPFW" reload "$VETH_P" \
	--policy docs/policies/outlook-proxy.conf

echo "# operator errors: one line on stderr, non-zero exit"
err=$(in_p "$XDPFW" load "$VETH_P" 2>&1)
check_eq "load twice" "$?:$err" \
	"1:xdpfw: $VETH_P: already loaded ('xdpfw reload' changes the policy, 'xdpfw unload' removes it)"
err=$(in_p "$XDPFW" unload nosuch0 2>&1)
check_eq "unload what is not loaded" "$?:$err" "1:xdpfw: nosuch0: not loaded"
err=$(in_p "$XDPFW" load nosuch0 2>&1)
check_eq "load a missing interface" "$?:$err" "1:xdpfw: nosuch0: no such interface"
err=$(in_p "$XDPFW" load lo 2>&1)
check_eq "load on lo refused" "$?:${err%%:*}" "1:xdpfw"
err=$(in_p "$XDPFW" load "$VETH_P" --mode turbo 2>&1)
check_eq "bad --mode is a usage error" "$?" 2
err=$(in_p setpriv --reuid=65534 --regid=65534 --clear-groups "$XDPFW" status 2>&1)
check_eq "not root" "$?:$err" \
	"1:xdpfw: must run as root (loading XDP programs needs CAP_BPF and CAP_NET_ADMIN)"
err=$(ip netns exec "$NS_P" unshare -m sh -c \
	'mount -t tmpfs none /sys/fs && exec "$0" status' "$XDPFW" 2>&1)
check_eq "bpffs cannot be mounted" "$?:$err" \
	"1:xdpfw: cannot mount bpffs on /sys/fs/bpf: No such file or directory"
err=$(ip netns exec "$NS_P" "$XDPFW" status 2>&1)
check_eq "bpffs absent: mounted, nothing loaded there" "$?:$err" \
	"0:xdpfw is not loaded on any interface"
err=$(in_p "$XDPFW" stats nosuch0 2>&1)
check_eq "stats of what is not loaded" "$?:$err" \
	"1:xdpfw: nosuch0: xdpfw is not loaded on this interface"
out=$(in_p "$XDPFW" stats nosuch0 --json 2>"$WORK/stderr")
check_eq "with --json the error is one object on stdout, nothing on stderr" \
	"$?:$out:$(cat "$WORK/stderr")" \
	'1:{"error":"nosuch0: xdpfw is not loaded on this interface"}:'
check_eq "check --json: 18 TCP ports in 17 ranges (3268-3269), the UDP ones" \
	"$("$XDPFW" check docs/policies/outlook-proxy.conf --json | jq -c '[(.tcp | length), .udp]')" \
	'[17,[[53,53],[953,953]]]'
check_eq "version --json" "$("$XDPFW" version --json | jq -r '.version | length > 0')" true

echo "# a device without native XDP (a bridge); the device deleted while loaded"
NOXDP=xfd$$
ip -n "$NS_P" link add "$NOXDP" up type bridge
# The bridge's loads warn about the same listeners (bound to every address): not repeated here.
unguarded() { "$@" 2>&1 | grep -v 'is listening and the policy drops it'; return "${PIPESTATUS[0]}"; }
err=$(unguarded in_p "$XDPFW" load "$NOXDP" --mode native)
check_eq "--mode native on a bridge (no native XDP) fails" "$?:$err" \
	"1:xdpfw: $NOXDP: cannot attach XDP program in native mode: Operation not supported"
check_eq "failed load leaves no pins" "$(ls "$BPFFS/xdpfw" | grep -c "$NOXDP")" 0
err=$(unguarded in_p "$XDPFW" load "$NOXDP")
check_eq "--mode auto falls back to skb, out loud" "$?:$err" "0:xdpfw: warning: $NOXDP: native \
XDP attach failed (Operation not supported); attaching in skb (generic) mode, which costs more \
per packet"
check_eq "status says skb" "$(in_p "$XDPFW" status --json |
	jq -r --arg d "$NOXDP" '.interfaces[] | select(.interface == $d) | .mode')" skb
ip -n "$NS_P" link del "$NOXDP"
check_eq "status says detached once the device is gone" "$(in_p "$XDPFW" status --json |
	jq -r --arg d "$NOXDP" '.interfaces[] | select(.interface == $d) | .mode')" detached
ip -n "$NS_P" link add "$NOXDP" up type bridge
err=$(unguarded in_p "$XDPFW" load "$NOXDP" --mode skb)
check_eq "load on the re-created device clears the stale pins" "$?:$err" \
	"0:xdpfw: warning: $NOXDP: removing stale pins (an interrupted load, or the interface was deleted)"
check_ok "unload the bridge" in_p "$XDPFW" unload "$NOXDP"

echo "# jumbo frames: multi-buffer XDP on a 9000-byte MTU"
if ip -n "$NS_P" link set "$VETH_P" mtu 9000 && ip -n "$NS_C" link set "$VETH_C" mtu 9000; then
	check_ok "ping with 8000 bytes, no fragmentation" \
		in_c ping -c 2 -i 0.2 -W 1 -M do -s 8000 "$IP_P"
	check_eq "udp 53 with 8000-byte datagrams echoed" \
		"$(in_c "$NETTOOL" udp "$IP_P" 53 --count 2 --size 8000)" 2
	check_fail "udp 5353 with 8000-byte datagrams blocked" \
		in_c "$NETTOOL" udp "$IP_P" 5353 --count 2 --size 8000 --timeout-ms 500
else
	not_ok "cannot set MTU 9000 with xdpfw attached"
fi

echo "# unload leaves nothing behind"
check_ok "unload" in_p "$XDPFW" unload "$VETH_P"
check_eq "no pins left" "$(ls -A "$BPFFS/xdpfw")" ""
check_eq "no XDP program on the interface" \
	"$(ip -n "$NS_P" -d link show "$VETH_P" | grep -c 'prog/xdp')" 0
check_ok "tcp 9999 connects again" in_c "$NETTOOL" tcp "$IP_P" 9999

summary
