#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Source rules with real traffic from two client addresses (198.18.0.2 and .3,
# 2001:db8::2 and ::3): a from-list, a 100,000-prefix blocklist from a file
# (loaded and reloaded against the clock), the runtime blocklist of
# `xdpfw block`, and a new-connection limit with exact counts.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/netns/lib.sh

need_root
setup_namespaces
unset SSH_CONNECTION
IP_C2=198.18.0.3
IP6_C2=2001:db8::3
ip -n "$NS_C" addr add "$IP_C2/24" dev "$VETH_C"
ip -n "$NS_C" addr add "$IP6_C2/64" dev "$VETH_C" nodad
mac_c=$(ip -n "$NS_C" -br link show "$VETH_C" | awk '{print $3}')
ip -n "$NS_P" neigh replace "$IP_C2" lladdr "$mac_c" dev "$VETH_P" nud permanent
ip -n "$NS_P" neigh replace "$IP6_C2" lladdr "$mac_c" dev "$VETH_P" nud permanent

bg in_p "$NETTOOL" serve --tcp 22,25,2222 --seconds 150
sleep 0.5

# tcp FROM ADDR PORT: a connection from the client's address FROM; 0 when answered.
tcp() {
	local to=$2 from=$1
	case $to in *:*) to="[$to]" from="[$from]" ;; esac
	in_c socat -T 1 - "TCP:$to:$3,bind=$from,connect-timeout=0.3" <<<ping 2>/dev/null |
		grep -q ok
}
reason() {
	in_p "$XDPFW" stats "$VETH_P" --json | jq ".reasons[\"$1\"] // 0"
}

# 100,000 prefixes from 10.0.0.0 up, /32s, and the second client's address.
python3 - "$WORK/block.netset" <<-'EOF'
	import sys
	with open(sys.argv[1], "w") as f:
	    f.write("# a netset: one prefix a line\n")
	    for i in range(100000):
	        f.write("10.%d.%d.%d\n" % (i >> 16, (i >> 8) & 255, i & 255))
	    f.write("198.18.0.3\n2001:db8::3\n")
EOF
cat >"$WORK/rules.conf" <<EOF
allow tcp 22 from $IP_C, $IP6_C
allow tcp 25
allow tcp 2222
limit tcp 2222 60/minute burst 3
EOF
{
	cat "$WORK/rules.conf"
	echo "deny from @block.netset"
} >"$WORK/blocked.conf"

check_ok "load" in_p "$XDPFW" load "$VETH_P" --policy "$WORK/rules.conf"
echo "# from-list: tcp/22 from .2 and ::2 only"
check_ok "tcp/22 from $IP_C" tcp "$IP_C" "$IP_P" 22
check_fail "tcp/22 from $IP_C2" tcp "$IP_C2" "$IP_P" 22
check_ok "tcp/22 from $IP6_C" tcp "$IP6_C" "$IP6_P" 22
check_fail "tcp/22 from $IP6_C2" tcp "$IP6_C2" "$IP6_P" 22
check_ok "tcp/25 from $IP_C2 (no from-list)" tcp "$IP_C2" "$IP_P" 25
check_eq "dropped-source: the two SYNs" "$(reason dropped-source)" 2

echo "# a 100,000-prefix blocklist"
t0=$(date +%s%N)
check_ok "reload with deny from @block.netset" \
	in_p "$XDPFW" reload "$VETH_P" --policy "$WORK/blocked.conf"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms" -lt 2000 ] && ok "100,002 prefixes live in $ms ms (< 2000)" ||
	not_ok "100,002 prefixes took $ms ms (>= 2000)"
check_fail "tcp/25 from $IP_C2: blocked" tcp "$IP_C2" "$IP_P" 25
check_fail "tcp/25 from $IP6_C2: blocked" tcp "$IP6_C2" "$IP6_P" 25
check_ok "tcp/25 from $IP_C: passes" tcp "$IP_C" "$IP_P" 25
check_ok "tcp/22 from $IP_C: passes" tcp "$IP_C" "$IP_P" 22
check_eq "dropped-blocklist: the two SYNs" "$(reason dropped-blocklist)" 2
t0=$(date +%s%N)
check_ok "allow tcp 8443 (a live edit keeps the blocklist)" in_p "$XDPFW" allow "$VETH_P" tcp 8443
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms" -lt 2000 ] && ok "edit with the blocklist in $ms ms (< 2000)" ||
	not_ok "edit with the blocklist took $ms ms"
check_fail "tcp/25 from $IP_C2: still blocked" tcp "$IP_C2" "$IP_P" 25
check_ok "reload without it" in_p "$XDPFW" reload "$VETH_P" --policy "$WORK/rules.conf"
check_ok "tcp/25 from $IP_C2: passes again" tcp "$IP_C2" "$IP_P" 25

echo "# xdpfw block: live, no reload"
check_ok "block add $IP_C 2001:db8::/64" in_p "$XDPFW" block "$VETH_P" add "$IP_C" 2001:db8::/64
check_fail "tcp/25 from $IP_C: blocked" tcp "$IP_C" "$IP_P" 25
check_fail "ping from $IP_C: blocked" in_c ping -c 1 -W 1 -I "$IP_C" "$IP_P"
check_fail "tcp/25 from $IP6_C2 (in the /64): blocked" tcp "$IP6_C2" "$IP6_P" 25
check_ok "tcp/25 from $IP_C2: passes" tcp "$IP_C2" "$IP_P" 25
check_eq "block list" "$(in_p "$XDPFW" block "$VETH_P" list | tr '\n' ' ')" "198.18.0.2 2001:db8::/64 "
check_eq "block list --json" "$(in_p "$XDPFW" block "$VETH_P" list --json | jq -c .)" \
	"{\"interface\":\"$VETH_P\",\"prefixes\":[\"198.18.0.2\",\"2001:db8::/64\"]}"
check_ok "a reload keeps it" in_p "$XDPFW" reload "$VETH_P" --policy "$WORK/rules.conf"
check_fail "tcp/25 from $IP_C: still blocked" tcp "$IP_C" "$IP_P" 25
check_ok "block del" in_p "$XDPFW" block "$VETH_P" del "$IP_C" 2001:db8::/64
check_ok "tcp/25 from $IP_C: passes again" tcp "$IP_C" "$IP_P" 25
check_eq "block list: empty" "$(in_p "$XDPFW" block "$VETH_P" list | wc -l)" 0
in_p "$XDPFW" block "$VETH_P" add 198.18.0.0/33 2>"$WORK/err"
check_eq "a bad prefix: usage error, named" "$?:$(grep -c "198.18.0.0/33" "$WORK/err")" 2:1

echo "# limit tcp 2222 60/minute burst 3: 5 connections at once, 3 get in"
before=$(reason dropped-limit)
got=0
for _ in 1 2 3 4 5; do tcp "$IP_C" "$IP_P" 2222 && got=$((got + 1)); done
check_eq "connections answered" "$got" 3
check_eq "dropped-limit: the 2 SYNs over the burst" "$(( $(reason dropped-limit) - before ))" 2
check_ok "another source has its own budget" tcp "$IP_C2" "$IP_P" 2222
sleep 1.1
check_ok "a second later, one more token" tcp "$IP_C" "$IP_P" 2222
check_fail "and only one" tcp "$IP_C" "$IP_P" 2222
check_ok "unload" in_p "$XDPFW" unload "$VETH_P"

summary
