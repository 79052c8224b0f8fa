#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Counters for capacity planning, end to end, against an nftables oracle on the
# other side of the link (IP bytes; xdpfw counts frames, +14 each):
#   - the proxy pattern: a forwarding proxy (socat) on the protected side takes
#     clients on 8080 and fetches from an origin on 80; its own DNS queries go
#     upstream to 53. Replies count under the origin's port (out/tcp/80) and the
#     resolver's (out/udp/53), never under the proxy's ephemeral ports;
#   - totals, --top, every interface at once, --interval rates, --reset, counters
#     that survive reload, Prometheus text through promtool and written for the
#     textfile collector with --output;
#   - the drop log: K blocked packets give K records; a flood gives at most the
#     budget, and records + suppressed + lost equal the drops;
#   - suggest: what the counters saw in audit mode becomes a policy.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/netns/lib.sh

PROMTOOL=$(realpath "${PROMTOOL:-build/promtool}")
N=40 # requests through the proxy
M=25 # DNS queries of the proxy

need_root
[ -x "$PROMTOOL" ] || { echo "promtool missing: $PROMTOOL (make $PROMTOOL)" >&2; exit 1; }
setup_namespaces

stats() { in_p "$XDPFW" stats "$@"; }
row() { # direction proto port field [IFACE] -> value, 0 without such a row
	stats "${5:-$VETH_P}" --json | jq --arg d "$1" --arg p "$2" --argjson n "$3" --arg f "$4" \
		'[.ports[] | select(.direction == $d and .proto == $p and .port == $n) | .[$f]]
		 | add // 0'
}
oracle() { # counter name -> "packets bytes"
	in_c nft list counter inet oracle "$1" | sed -nE 's/.*packets ([0-9]+) bytes ([0-9]+).*/\1 \2/p'
}

cat >"$WORK/proxy.conf" <<EOF
allow tcp 8080
EOF
bg in_c "$NETTOOL" serve --tcp 80 --udp 53 --seconds 150
check_ok "load: the proxy's policy" in_p "$XDPFW" load "$VETH_P" --policy "$WORK/proxy.conf"
bg in_p socat -T 5 TCP-LISTEN:8080,fork,reuseaddr "TCP:$IP_C:80"
settle
# The oracle: what the client side sends to the proxy, by what xdpfw should call it.
in_c nft -f - <<EOF
table inet oracle {
	counter to_proxy {}
	counter from_origin {}
	counter from_resolver {}
	counter everything {}
	chain out {
		type filter hook output priority 0; policy accept;
		oifname "$VETH_C" counter name everything
		oifname "$VETH_C" tcp dport 8080 counter name to_proxy
		oifname "$VETH_C" tcp sport 80 counter name from_origin
		oifname "$VETH_C" udp sport 53 counter name from_resolver
	}
}
EOF

echo "# the proxy pattern: $N requests through the proxy, $M queries upstream"
ok_requests=0
for i in $(seq "$N"); do
	in_c "$NETTOOL" tcp "$IP_P" 8080 >/dev/null 2>&1 && ok_requests=$((ok_requests + 1))
done
check_eq "every request through the proxy answered" "$ok_requests" "$N"
answers=0
for i in $(seq "$M"); do # a new socket each: a new ephemeral port each
	answers=$((answers + $(in_p "$NETTOOL" udp "$IP_C" 53 --timeout-ms 1000)))
done
check_eq "every query answered" "$answers" "$M"
sleep 0.5
json=$WORK/stats.json
stats "$VETH_P" --json >"$json"
check_eq "three rows: the proxy's port, the origin's, the resolver's" \
	"$(jq -c '[.ports[] | [.direction, .proto, .port, .kind]] | sort' "$json")" \
	'[["in","tcp",8080,"policy"],["out","tcp",80,"service"],["out","udp",53,"service"]]'
check_eq "no row for any ephemeral port" \
	"$(jq '[.ports[] | select(.port > 1023 and .port != 8080)] | length' "$json")" 0
for c in to_proxy:in:tcp:8080 from_origin:out:tcp:80 from_resolver:out:udp:53; do
	IFS=: read -r name dir proto port <<<"$c"
	read -r pk by <<<"$(oracle "$name")"
	check_eq "$dir/$proto/$port: what the oracle saw ($pk packets)" \
		"$(jq -r --arg d "$dir" --arg p "$proto" --argjson n "$port" \
			'.ports[] | select(.direction == $d and .proto == $p and .port == $n)
			 | "\(.passed_packets) \(.passed_bytes) \(.dropped_packets)"' "$json")" \
		"$pk $((by + 14 * pk)) 0"
done
pk80=$(row out tcp 80 passed_packets)
[ "$pk80" -ge $((3 * N)) ] && [ "$pk80" -le $((10 * N)) ] &&
	ok "out/tcp/80 grows with the requests: $pk80 packets for $N" ||
	not_ok "out/tcp/80: $pk80 packets for $N requests"
check_eq "out/udp/53: one answer a query" "$(row out udp 53 passed_packets)" "$M"
read -r pk by <<<"$(oracle everything)"
check_eq "totals: everything the other side sent, passed" \
	"$(jq -r '.totals | "\(.passed_packets) \(.passed_bytes) \(.dropped_packets)"' "$json")" \
	"$pk $((by + 14 * pk)) 0"
check_eq "the totals are the sum of the reasons" \
	"$(jq '[.reasons[]] | add' "$json")" "$(jq '.totals.passed_packets + .totals.dropped_packets' "$json")"
check_eq "the epoch: loaded now, never reset" \
	"$(jq --argjson now "$(date +%s)" '(.loaded_at > $now - 300) and .reset_at == null and .since == .loaded_at' "$json")" true
check_eq "--top 1: the busiest row and a count of the rest" \
	"$(stats "$VETH_P" --json --top 1 | jq -c '[(.ports | length), .more_ports, .ports[0].port]')" \
	"[1,2,$(jq '.ports[0].port' "$json")]"
table=$(stats "$VETH_P")
check_eq "the table: a line a row" "$(grep -cE '^(in|out) +(tcp|udp|any) ' <<<"$table")" 3
grep -qE "^out +tcp +80 +service +$pk80 " <<<"$table" && ok "the table shows out/tcp/80" ||
	not_ok "the table lacks out/tcp/80: $table"

echo "# counters survive a reload"
before=$(row in tcp 8080 passed_packets)
printf 'allow tcp 8080,25\n' >"$WORK/proxy2.conf"
check_ok "reload with one port more" in_p "$XDPFW" reload "$VETH_P" --policy "$WORK/proxy2.conf"
check_eq "in/tcp/8080 kept its count" "$(row in tcp 8080 passed_packets)" "$before"
check_eq "out/tcp/80 kept its count" "$(row out tcp 80 passed_packets)" "$pk80"

# Every slot taken (94 rows): a port that leaves gives its slot to the next new one,
# which counts from zero, not on top of the port that had it.
printf 'allow tcp 8080,25,%s\n' "$(seq 100 2 282 | paste -sd,)" >"$WORK/full.conf"
check_ok "reload with 94 open ports" in_p "$XDPFW" reload "$VETH_P" --policy "$WORK/full.conf"
for i in 1 2 3; do in_c "$NETTOOL" tcp "$IP_P" 100 --timeout-ms 300 >/dev/null; done
check_eq "in/tcp/100: three SYNs" "$(row in tcp 100 passed_packets)" 3
sed 's/,100,/,301,/' "$WORK/full.conf" >"$WORK/full2.conf"
check_ok "reload: 100 out, 301 in" in_p "$XDPFW" reload "$VETH_P" --policy "$WORK/full2.conf"
in_c "$NETTOOL" tcp "$IP_P" 301 --timeout-ms 300 >/dev/null
check_eq "in/tcp/301 took 100's slot and counts from zero" "$(row in tcp 301 passed_packets)" 1
check_eq "in/tcp/100 is gone with its slot" "$(row in tcp 100 passed_packets)" 0
check_eq "in/tcp/8080 still kept its count" "$(row in tcp 8080 passed_packets)" "$before"
check_ok "back to the proxy's policy" in_p "$XDPFW" reload "$VETH_P" --policy "$WORK/proxy.conf"

echo "# Prometheus: promtool accepts it, the numbers are the oracle's"
prom=$WORK/xdpfw.prom
stats --prometheus >"$prom"
check_ok "promtool check metrics" sh -c "'$PROMTOOL' check metrics <'$prom'"
sample() { grep -F "$1" "$prom" | awk '{print $2}'; }
check_eq "xdpfw_port_packets_total out/tcp/80" \
	"$(sample "xdpfw_port_packets_total{interface=\"$VETH_P\",proto=\"tcp\",port=\"80\",direction=\"out\",verdict=\"pass\"}")" \
	"$pk80"
read -r pk by <<<"$(oracle from_resolver)"
check_eq "xdpfw_port_bytes_total out/udp/53" \
	"$(sample "xdpfw_port_bytes_total{interface=\"$VETH_P\",proto=\"udp\",port=\"53\",direction=\"out\",verdict=\"pass\"}")" \
	"$((by + 14 * pk))"
check_eq "xdpfw_packets_total passed-established: the replies" \
	"$(sample "xdpfw_packets_total{interface=\"$VETH_P\",verdict=\"pass\",reason=\"passed-established\"}")" \
	"$((pk80 + M))"
check_eq "xdpfw_info names the interface and its program" \
	"$(grep -c "^xdpfw_info{interface=\"$VETH_P\",mode=\"native\",prog_id=\"[1-9][0-9]*\"} 1$" "$prom")" 1
check_eq "no zero port series" "$(grep '^xdpfw_port_' "$prom" | grep -c ' 0$')" 0
check_eq "the flow tables: entries and their limit" \
	"$(grep -cE '^xdpfw_conntrack_entries(_limit)? [0-9]+$' "$prom")" 2
mkdir -p "$WORK/textfile"
check_ok "--output writes the file for the textfile collector" \
	in_p "$XDPFW" stats --prometheus --output "$WORK/textfile/xdpfw.prom"
check_eq "only the file, no temporary one left" "$(ls "$WORK/textfile")" xdpfw.prom
check_eq "readable by the collector's user" "$(stat -c %a "$WORK/textfile/xdpfw.prom")" 644
check_ok "and promtool accepts it" sh -c "'$PROMTOOL' check metrics <'$WORK/textfile/xdpfw.prom'"
err=$(in_p "$XDPFW" stats --prometheus --output "$WORK/nodir/xdpfw.prom" 2>&1)
check_eq "--output into a missing directory: a clear error" "$?:$err" \
	"1:xdpfw: cannot write $WORK/nodir/xdpfw.prom: No such file or directory"

echo "# the systemd unit's command line works as written"
unit_cmd=$(sed -n 's/^ExecStart=//p' packaging/systemd/xdpfw-prometheus.service)
unit_cmd=${unit_cmd//\/var\/lib\/prometheus\/node-exporter/$WORK\/textfile}
unit_cmd=${unit_cmd//@SBINDIR@\/xdpfw/$XDPFW}
rm -f "$WORK/textfile/xdpfw.prom"
check_ok "ExecStart ($unit_cmd)" in_p $unit_cmd
check_ok "it wrote what promtool accepts" sh -c "'$PROMTOOL' check metrics <'$WORK/textfile/xdpfw.prom'"

echo "# every interface at once"
VETH_P2=xfq$$
VETH_C2=xfr$$
ip link add "$VETH_P2" netns "$NS_P" type veth peer name "$VETH_C2" netns "$NS_C"
ip -n "$NS_P" link set "$VETH_P2" up
ip -n "$NS_C" link set "$VETH_C2" up
check_ok "load a second interface" in_p "$XDPFW" load "$VETH_P2"
check_eq "stats --json: both, by name" \
	"$(stats --json | jq -c '[.interfaces[].interface] | sort')" \
	"$(jq -nc --arg a "$VETH_P" --arg b "$VETH_P2" '[$a, $b] | sort')"
check_eq "stats: a block each" "$(stats | grep -c ': counting since ')" 2
stats --prometheus >"$prom"
check_eq "Prometheus: both interfaces" "$(grep -c '^xdpfw_info{' "$prom")" 2
check_ok "promtool still accepts it" sh -c "'$PROMTOOL' check metrics <'$prom'"
check_ok "unload the second" in_p "$XDPFW" unload "$VETH_P2"

echo "# --interval: rates between samples, as JSON lines"
bg in_p "$XDPFW" stats "$VETH_P" --json --interval 1 --count 2 >"$WORK/rates.jsonl"
rates_pid=${BG_PIDS[-1]}
sleep 0.3
for i in $(seq 10); do in_p "$NETTOOL" udp "$IP_C" 53 --timeout-ms 1000 >/dev/null; done
wait "$rates_pid"
check_eq "two samples, one line each" "$(wc -l <"$WORK/rates.jsonl")" 2
check_eq "each about a second" \
	"$(jq -s 'map(.interval_s > 0.9 and .interval_s < 1.5) | all' "$WORK/rates.jsonl")" true
check_eq "the 10 answers, once, in the samples" \
	"$(jq -s '[.[].ports[] | select(.direction == "out" and .port == 53) | .passed_packets] | add' \
		"$WORK/rates.jsonl")" 10
check_eq "packets/s beside the counts: count / interval" \
	"$(jq -s '[.[] | .interval_s as $s | .totals | (.passed_pps - .passed_packets / $s) | . * . < 0.0001] | all' \
		"$WORK/rates.jsonl")" true

echo "# --reset: printed, then zeroed; the epoch moves"
check_ok "stats --reset" in_p "$XDPFW" stats "$VETH_P" --reset
stats "$VETH_P" --json >"$json"
check_eq "no rows after the reset" "$(jq '.ports | length' "$json")" 0
check_eq "totals zero" "$(jq '.totals.passed_packets + .totals.dropped_packets' "$json")" 0
check_eq "since is the reset" "$(jq '.reset_at != null and .since == .reset_at and .reset_at >= .loaded_at' "$json")" true

echo "# the drop log: K blocked packets, K records"
K=7
bg in_p "$XDPFW" log "$VETH_P" --json --count "$K" --seconds 20 >"$WORK/log.jsonl"
log_pid=${BG_PIDS[-1]}
sleep 0.5
in_c "$NETTOOL" udp "$IP_P" 5353 --count "$K" --timeout-ms 100 >/dev/null
wait "$log_pid"
check_eq "$K records and a summary" "$(wc -l <"$WORK/log.jsonl")" $((K + 1))
check_eq "each: udp $IP_C -> $IP_P:5353, dropped-port" \
	"$(jq -s -c '[.[] | select(.type == "drop") | [.interface, .reason, .proto, .src, .dst, .dport]] | unique' "$WORK/log.jsonl")" \
	"[[\"$VETH_P\",\"dropped-port\",\"udp\",\"$IP_C\",\"$IP_P\",5353]]"
check_eq "the summary: $K records, nothing suppressed or lost" \
	"$(jq -c 'select(.type == "summary") | [.records, .suppressed, .lost]' "$WORK/log.jsonl")" "[$K,0,0]"
bg in_p "$XDPFW" log "$VETH_P" --count 1 --seconds 20 >"$WORK/log.txt"
log_pid=${BG_PIDS[-1]}
sleep 0.5
in_c "$NETTOOL" tcp "$IP_P" 9999 --timeout-ms 100 >/dev/null
wait "$log_pid"
grep -qE "^[0-9-]+ [0-9:.]+ $VETH_P dropped-port tcp $IP_C:[0-9]+ -> $IP_P:9999 flags S len [0-9]+$" \
	"$WORK/log.txt" && ok "a line: time, interface, reason, addresses, flags" ||
	not_ok "log line: $(head -1 "$WORK/log.txt")"

echo "# a flood: at most the budget, and every drop accounted for"
printf 'allow tcp 8080\nlog-rate 10\n' >"$WORK/flood.conf"
check_ok "reload with log-rate 10" in_p "$XDPFW" reload "$VETH_P" --policy "$WORK/flood.conf"
F=3000
dropped0=$(stats "$VETH_P" --json | jq '.totals.dropped_packets')
bg in_p "$XDPFW" log "$VETH_P" --json --seconds 4 >"$WORK/flood.jsonl"
log_pid=${BG_PIDS[-1]}
sleep 0.5
t0=$(date +%s.%N)
in_c "$NETTOOL" spoof "$IP_P" 5353 --from 198.19.0.1 --count "$F" --repeat 1
t1=$(date +%s.%N)
wait "$log_pid"
dropped=$(($(stats "$VETH_P" --json | jq '.totals.dropped_packets') - dropped0))
check_eq "every spoofed datagram dropped" "$dropped" "$F"
read -r records suppressed lost <<<"$(jq -r 'select(.type == "summary") | "\(.records) \(.suppressed) \(.lost)"' "$WORK/flood.jsonl")"
check_eq "records + suppressed + lost = drops" "$((records + suppressed + lost))" "$dropped"
# Each CPU's bucket holds a second of its share; it refills at the rate.
budget=$(awk -v a="$t0" -v b="$t1" -v n="$(nproc)" 'BEGIN { printf "%d", 10 * (b - a + 1) + n }')
[ "$records" -ge 1 ] && [ "$records" -le "$budget" ] &&
	ok "records within the budget ($records of at most $budget)" ||
	not_ok "records $records, budget $budget"
check_eq "stats shows the same suppressed count" \
	"$(stats "$VETH_P" --json | jq '.log.suppressed >= '"$suppressed")" true

echo "# suggest: audit mode, then the policy the traffic asks for"
printf 'default pass\nallow tcp 8080\n' >"$WORK/audit.conf"
check_ok "reload in audit mode" in_p "$XDPFW" reload "$VETH_P" --policy "$WORK/audit.conf"
check_ok "stats --reset" in_p "$XDPFW" stats "$VETH_P" --reset
for i in 1 2 3 4 5 6; do in_c "$NETTOOL" udp "$IP_P" 5353 --timeout-ms 50 >/dev/null; done
in_c "$NETTOOL" tcp "$IP_P" 25 --timeout-ms 300 >/dev/null
in_p "$XDPFW" suggest "$VETH_P" >"$WORK/suggested.conf"
check_eq "busiest first: udp 5353, then tcp 25" \
	"$(grep -oE '^allow (tcp|udp) [0-9]+' "$WORK/suggested.conf" | tr '\n' ,)" \
	"allow udp 5353,allow tcp 25,"
grep -qE '^allow udp 5353 +# 6 packets' "$WORK/suggested.conf" && ok "counts in comments" ||
	not_ok "suggested: $(cat "$WORK/suggested.conf")"
check_eq "default drop" "$(grep -c '^default drop$' "$WORK/suggested.conf")" 1
check_ok "xdpfw check accepts it" "$XDPFW" check "$WORK/suggested.conf"
check_ok "reload takes it" in_p "$XDPFW" reload "$VETH_P" --policy "$WORK/suggested.conf"

echo "# usage errors: exit 2, nothing read"
for args in "--count 2" "--json --prometheus" "--interval 0" "--interval 1e9" "--interval x" \
	"--top 0" "--top -1" "--prometheus --interval 1" "--reset --interval 1" \
	"--output f --interval 1" "--seconds 1"; do
	in_p "$XDPFW" stats $args >/dev/null 2>&1
	check_eq "stats $args" "$?" 2
done
for args in "--seconds 0" "--count 0" "--interval 1" "$VETH_P extra"; do
	in_p "$XDPFW" log $args >/dev/null 2>&1
	check_eq "log $args" "$?" 2
done
check_eq "suggest needs an interface" "$(in_p "$XDPFW" suggest >/dev/null 2>&1; echo $?)" 2
err=$(in_p "$XDPFW" log nosuch0 --seconds 1 2>&1)
check_eq "log of what is not loaded" "$?:$err" \
	"1:xdpfw: nosuch0: xdpfw is not loaded on this interface"

summary
