#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Running as a service: the lockout guard (listeners the policy drops are named,
# this command's SSH session is not cut without --force), apply with rollback
# unless confirmed (also when apply's whole process group dies), and load
# --config with its fallback to the last good policy.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/netns/lib.sh

need_root
setup_namespaces
unset SSH_CONNECTION

# Default policy minus ssh; the built-in one opens 18 TCP ports.
NOSSH=$WORK/nossh.conf
{
	cat docs/policies/outlook-proxy.conf
	echo "deny tcp 22"
} >"$NOSSH"
bg in_p "$NETTOOL" serve --tcp 22,443 --udp 53 --seconds 120
sleep 0.5
serve_pid=$(ip netns pids "$NS_P" | head -1)

tcp22() { in_c "$NETTOOL" tcp "$IP_P" 22 --timeout-ms 300; }
tcp_ports() { in_p "$XDPFW" status --json | jq '.interfaces[0].tcp_ports'; }
deadline() { in_p "$XDPFW" status --json | jq '.interfaces[0].apply_deadline'; }

# --- the lockout guard ---
in_p "$XDPFW" load "$VETH_P" 2>"$WORK/err"
check_eq "load with a listener the policy drops succeeds" "$?" 0
check_eq "the warning names the listener, its process and pid" "$(cat "$WORK/err")" \
	"xdpfw: warning: $VETH_P: tcp/443 (nettool, pid $serve_pid) is listening and the policy drops it"
check_eq "last good policy saved at load" "$(grep -c "^allow tcp 22,25,53," "$XDPFW_STATE_DIR/$VETH_P.conf")" 1

SSH_CONNECTION="$IP_C 50022 $IP_P 22" in_p "$XDPFW" reload "$VETH_P" --policy "$NOSSH" \
	2>"$WORK/err"
check_eq "reload cutting this SSH session's port: refused" "$?" 1
check_eq "refusal says why" "$(grep -c "drops tcp/22 from this SSH session's client" "$WORK/err")" 1
check_eq "refused: the policy is unchanged" "$(tcp_ports)" 18
check_ok "refused: tcp/22 still answers" tcp22
SSH_CONNECTION="$IP_C 50022 $IP_P 22" check_fail "deny cutting this SSH session: refused" \
	in_p "$XDPFW" deny "$VETH_P" tcp 22
SSH_CONNECTION="$IP_C 50022 $IP_P 8080" check_ok "a session on a port it keeps open: not refused" \
	in_p "$XDPFW" reload "$VETH_P" --policy "$NOSSH"
check_ok "reload back" in_p "$XDPFW" reload "$VETH_P" --policy docs/policies/outlook-proxy.conf
SSH_CONNECTION="198.19.0.9 50022 198.19.0.1 22" check_ok \
	"a session to an address on another interface: not refused" \
	in_p "$XDPFW" reload "$VETH_P" --policy "$NOSSH"
check_ok "reload back" in_p "$XDPFW" reload "$VETH_P" --policy docs/policies/outlook-proxy.conf
SSH_CONNECTION="$IP_C 50022 $IP_P 22" in_p "$XDPFW" reload "$VETH_P" --policy "$NOSSH" \
	--force 2>"$WORK/err"
check_eq "--force applies it, with a warning" "$?:$(grep -c 'no new session' "$WORK/err")" 0:1
check_fail "tcp/22 closed" tcp22
check_ok "reload back" in_p "$XDPFW" reload "$VETH_P" --policy docs/policies/outlook-proxy.conf
echo "allow tcp 22 from 198.19.0.0/16" | cat "$NOSSH" - >"$WORK/other-admins.conf"
SSH_CONNECTION="$IP_C 50022 $IP_P 22" check_fail \
	"a from-list on the SSH port without this client: refused" \
	in_p "$XDPFW" reload "$VETH_P" --policy "$WORK/other-admins.conf"
echo "allow tcp 22 from $IP_C/32" | cat "$NOSSH" - >"$WORK/this-admin.conf"
SSH_CONNECTION="$IP_C 50022 $IP_P 22" check_ok "a from-list with this client: not refused" \
	in_p "$XDPFW" reload "$VETH_P" --policy "$WORK/this-admin.conf"
SSH_CONNECTION="$IP_C 50022 $IP_P 22" check_fail "blocking this client at run time: refused" \
	in_p "$XDPFW" block "$VETH_P" add "$IP_C"
check_ok "reload back" in_p "$XDPFW" reload "$VETH_P" --policy docs/policies/outlook-proxy.conf

# --- apply without confirm rolls back ---
SSH_CONNECTION="$IP_C 50022 $IP_P 22" check_fail "apply cutting this SSH session: refused" \
	in_p "$XDPFW" apply "$VETH_P" --policy "$NOSSH" --confirm 2
check_eq "apply refused: no apply pending" "$(deadline)" null
check_ok "apply --confirm 2" in_p "$XDPFW" apply "$VETH_P" --policy "$NOSSH" --confirm 2
t0=$(date +%s%N)
check_fail "applied: tcp/22 closed" tcp22
check_eq "status shows the pending apply" "$(deadline | grep -c '^[0-9]\+$')" 1
check_fail "other changes refused while an apply is pending" \
	in_p "$XDPFW" allow "$VETH_P" tcp 8443
back=
while [ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 5000 ]; do
	if tcp22; then back=$(( ($(date +%s%N) - t0) / 1000000 )); break; fi
	sleep 0.1
done
[ -n "$back" ] && [ "$back" -le 3000 ] && [ "$back" -ge 1500 ] &&
	ok "not confirmed: tcp/22 answers again after $back ms (rollback at 2 s)" ||
	not_ok "not confirmed: tcp/22 back after '${back:-never}' ms, want 1500-3000"
check_eq "rolled back: the previous policy" "$(tcp_ports)" 18
check_eq "rolled back: nothing pending" "$(deadline)" null
check_eq "the last good policy is still the previous one" \
	"$(grep -c '^allow tcp 22,' "$XDPFW_STATE_DIR/$VETH_P.conf")" 1

# --- apply, then confirm: it stays ---
check_ok "apply --confirm 2" in_p "$XDPFW" apply "$VETH_P" --policy "$NOSSH" --confirm 2
check_ok "confirm" in_p "$XDPFW" confirm "$VETH_P"
check_fail "a second confirm: nothing pending" in_p "$XDPFW" confirm "$VETH_P"
sleep 3
check_fail "confirmed: tcp/22 stays closed past the deadline" tcp22
check_eq "confirmed: 17 tcp ports" "$(tcp_ports)" 17
check_eq "confirmed: it is the last good policy" \
	"$(grep -c '^allow tcp 25,' "$XDPFW_STATE_DIR/$VETH_P.conf")" 1
check_ok "reload back" in_p "$XDPFW" reload "$VETH_P" --policy docs/policies/outlook-proxy.conf

# --- the shell that ran apply dies: the rollback still comes ---
setsid bash -c 'echo $$ >"$1/pg"; "$2" "${@:3}" >"$1/applied" 2>&1; sleep 60' _ "$WORK" \
	ip netns exec "$NS_P" sh -c 'mount --bind "$0" /sys/fs/bpf && exec "$@"' "$BPFFS" \
	"$XDPFW" apply "$VETH_P" --policy "$NOSSH" --confirm 2 &
for _ in $(seq 50); do grep -q applied "$WORK/applied" 2>/dev/null && break; sleep 0.1; done
t0=$(date +%s%N)
kill -KILL -- -"$(cat "$WORK/pg")"
check_fail "applied, its process group killed: tcp/22 closed" tcp22
back=
while [ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 5000 ]; do
	if tcp22; then back=$(( ($(date +%s%N) - t0) / 1000000 )); break; fi
	sleep 0.1
done
[ -n "$back" ] && [ "$back" -le 3000 ] &&
	ok "process group killed: tcp/22 answers again after $back ms" ||
	not_ok "process group killed: tcp/22 back after '${back:-never}' ms, want <= 3000"

# --- load --config: the interface's file, else xdpfw.conf; else the last good ---
check_ok "unload" in_p "$XDPFW" unload "$VETH_P"
mkdir -p "$WORK/etc"
cp docs/policies/outlook-proxy.conf "$WORK/etc/xdpfw.conf"
cp "$NOSSH" "$WORK/etc/$VETH_P.conf"
check_ok "load --config: the interface's own file" in_p "$XDPFW" load "$VETH_P" --config "$WORK/etc"
check_eq "IFACE.conf, not xdpfw.conf" "$(tcp_ports)" 17
rm "$WORK/etc/$VETH_P.conf"
check_ok "load --config --replace when loaded: a reload" \
	in_p "$XDPFW" load "$VETH_P" --config "$WORK/etc" --replace
check_eq "xdpfw.conf now" "$(tcp_ports)" 18
check_fail "load when loaded, without --replace: refused" in_p "$XDPFW" load "$VETH_P"
echo "allow tcp 99999" >>"$WORK/etc/xdpfw.conf"
check_fail "reload --config of a broken file: refused" \
	in_p "$XDPFW" reload "$VETH_P" --config "$WORK/etc"
check_ok "unload" in_p "$XDPFW" unload "$VETH_P"
in_p "$XDPFW" load "$VETH_P" --config "$WORK/etc" 2>"$WORK/err"
check_eq "broken config at boot: exit status 3" "$?" 3
check_eq "the error names the line" "$(grep -c 'xdpfw.conf:[0-9]*:[0-9]*: port 99999' "$WORK/err")" 1
check_eq "the last good policy is loaded" "$(tcp_ports)" 18
check_ok "unload" in_p "$XDPFW" unload "$VETH_P"
rm "$XDPFW_STATE_DIR/$VETH_P.conf"
in_p "$XDPFW" load "$VETH_P" --config "$WORK/etc" 2>"$WORK/err"
check_eq "broken config, no last good: exit status 1" "$?" 1
check_eq "nothing loaded" "$(in_p "$XDPFW" status --json | jq '.interfaces | length')" 0
check_eq "it says so" "$(grep -c 'no last good policy' "$WORK/err")" 1

summary
