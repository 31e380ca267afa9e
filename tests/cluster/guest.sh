#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# The guest half of tests/cluster/run (issue 19): two gateways, each a
# network namespace with its own kcoap endpoint and kcoapd, report to a
# two-node RabbitMQ cluster on the host (node a 10.0.2.2:18831, node b
# 10.0.2.2:18832, through QEMU's user network: eth0 for gateway 1, the
# initial namespace; eth1 for gateway 2, namespace gw2). Gateway 1 is on
# node a, gateway 2 on node b; a consumer subscribed through node b counts
# what arrives. CoAP clients publish CON and NON traffic to both while
# node a is stopped (gateway 1 fails over to node b) and started again;
# gateway 1's packets to node a are held 1 s (netem), so publishes always
# await node a's PUBACK when it goes, and must be sent again to node b;
# commands go to a device behind each gateway before, during and after.
# The host's control.py stops and starts nodes (10.0.2.2:18839). The
# argument says how node a goes: stop (rabbitmqctl stop, the default) or
# kill (SIGKILL, a crash).
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/../e2e/lib.sh"
T_NAME=cluster
how=${1:-stop}
HOST=10.0.2.2
PORT_A=18831 PORT_B=18832 PORT_CTL=18839
KCOAPD=$KCOAP_TOP/build/userspace/kcoapd
work=$(mktemp -d)
pids=()
gwpid=() loadpids=() # kcoapd of gateway 1, 2; the traffic
cleanup() {
	rm -f "$work/run"
	for p in "${gwpid[@]}" "${pids[@]}" "${loadpids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	ip netns del gw2 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
bg() { "$@" & pids+=($!); }
# ingw GW COMMAND...: COMMAND in gateway GW's namespace (1: the initial one).
ingw() {
	local gw=$1
	shift
	if [ "$gw" = 1 ]; then "$@"; else ip netns exec gw2 "$@"; fi
}
# ctl WORDS: ask the host to stop or start a node; its answer is printed.
ctl() {
	local answer
	exec 5<>"/dev/tcp/$HOST/$PORT_CTL" || return 1
	echo "$*" >&5
	read -r -t 600 answer <&5
	exec 5>&-
	echo "$answer"
	[ "${answer%% *}" = ok ]
}
# dstat GW KEY: a member of gateway GW's `kcoapctl daemon --json` (kcoapd's
# part; "broker.state" for a nested one).
dstat() {
	ingw "$1" "$KCOAPCTL" daemon --json 2>/dev/null | /usr/bin/python3 -c '
import json, sys
v = json.load(sys.stdin).get("kcoapd") or {}
for k in sys.argv[1].split("."):
    v = v.get(k, "") if isinstance(v, dict) else ""
print(v)' "$2" 2>/dev/null
}
# status GW KEY: KEY's value in gateway GW's kcoapd status file (what
# kcoapctl daemon shows), read with bash alone: a loaded guest takes
# seconds to start kcoapctl and python, too coarse to time a failover.
status() {
	local k v f=/run/kcoap/kcoapd.${gwpid[$1 - 1]}.status
	[ -f "$f" ] || return 1
	while read -r k v; do
		[ "$k" = "$2" ] && echo "$v" && return 0
	done <"$f"
	return 1
}
on_node() { [[ "$(status "$1" broker)" == *" connected" ]] && [ "$(status "$1" broker-node)" = "$2" ]; }
MQ_B=(-h "$HOST" -p "$PORT_B" -V mqttv311)

# Gateway 2's namespace: eth1, a QEMU user network of its own.
ip netns add gw2
wait_for 20 test -d /sys/class/net/eth1 || { not_ok "the guest has no eth1 (qemu/vm --user-net)"; t_done; exit 1; }
ip link set eth1 netns gw2
ip -n gw2 -batch - <<EOF
link set lo up
addr add 10.0.2.15/24 dev eth1
link set eth1 up
route add default via $HOST
EOF
ip netns exec gw2 "$KCOAPCTL" endpoint add
check "gateway 2's namespace has its own kcoap endpoint" \
	bash -c "ip netns exec gw2 '$KCOAPCTL' endpoint show | grep -q '^open on UDP port 5683'"

# The consumer, through node b: everything the gateways publish.
bg mosquitto_sub "${MQ_B[@]}" -i consumer -c -q 1 -v -t 'gw1/#' -t 'gw2/#' >"$work/arrivals"
consumer_has() { grep -qx "$1" "$work/arrivals"; }
probe() { mosquitto_pub "${MQ_B[@]}" -t gw1/probe -m "$1" -q 1; consumer_has "gw1/probe $1"; }
check "the consumer is subscribed through node b" wait_for 60 probe ready

# MQTT 5 against RabbitMQ 3.10: refused, and kcoapd says why.
printf 'state-dir %s\nstatus-dir %s\nmqtt-reconnect-max 2\n' "$work/v5" "$work/v5" >"$work/v5.conf"
ip netns exec gw2 "$KCOAPD" -c "$work/v5.conf" -m "mqtt://$HOST:$PORT_B" -t gw2/ \
	2>"$work/v5.log" &
v5=$!
check "kcoapd in MQTT 5 against RabbitMQ 3.10: it says to set mqtt-protocol 3.1.1" \
	wait_for 60 grep -q 'before its CONNACK (a broker that speaks only MQTT 3.1.1' "$work/v5.log"
kill "$v5"
wait "$v5" 2>/dev/null

# Gateway 1's path to node a is slow: every packet it sends there is held
# 1 s (netem on eth0, TCP to node a's port only; the consumer, the commands
# and node b are not delayed). With publishes paced at 5 a second, some 5
# are always on their way or awaiting their PUBACK when node a goes: the
# failover has publishes to send again, every run, not by luck.
check "gateway 1's packets to node a are delayed by 1 s (tc netem)" bash -c "
	tc qdisc add dev eth0 root handle 1: prio bands 4 &&
	tc qdisc add dev eth0 parent 1:4 handle 40: netem delay 1000ms &&
	tc filter add dev eth0 parent 1: protocol ip prio 1 u32 match ip protocol 6 0xff \
		match ip dport $PORT_A 0xffff flowid 1:4"

# The gateways: MQTT 3.1.1, gateway 1 on a then b, gateway 2 on b then a;
# each with a device (device.py on 127.0.0.1:5699 in its namespace).
for gw in 1 2; do
	cat >"$work/gw$gw.conf" <<-EOF
		mqtt-protocol 3.1.1
		mqtt-client-id kcoap-cluster-gw$gw
		mqtt-reconnect-max 2
		mqtt-connect-timeout 10
		retained-wait 2000
		coap-ack-timeout 500
		stats-interval 0
		state-dir $work/state$gw
		device lamp 127.0.0.1:5699
	EOF
	ingw $gw /usr/bin/python3 "$E2E_DIR/device.py" 127.0.0.1 "$work/dev$gw" &
	pids+=($!)
done
first=("mqtt://$HOST:$PORT_A" "mqtt://$HOST:$PORT_B")
"$KCOAPD" -c "$work/gw1.conf" -m "${first[0]}" -m "${first[1]}" -t gw1/ 2>"$work/gw1.log" &
gwpid+=($!)
ip netns exec gw2 "$KCOAPD" -c "$work/gw2.conf" -m "${first[1]}" -m "${first[0]}" -t gw2/ \
	2>"$work/gw2.log" &
gwpid+=($!)
check "gateway 1's kcoapd is on node 1 of 2 (a)" wait_for 60 on_node 1 1
check "gateway 2's kcoapd is on node 1 of 2 (b)" wait_for 60 on_node 2 1
check_eq "kcoapctl daemon --json: on node 1 of 2, connected, no failover yet" \
	"$(dstat 1 broker-node) $(dstat 1 broker-nodes) $(dstat 1 broker.state) $(dstat 1 broker-failovers)" \
	"1 2 connected 0"

# send_cmd GW TAG: a command to gateway GW's lamp, through node b.
send_cmd() { mosquitto_pub "${MQ_B[@]}" -q 1 -t "gw$1/cmd/lamp/light" -m "$2"; }
got_cmd() { grep -qx "$2" "$work/dev$1"; }
send_cmd 1 before-1
send_cmd 2 before-2
check "a command reaches gateway 1's device" wait_for 60 got_cmd 1 before-1
check "a command reaches gateway 2's device" wait_for 60 got_cmd 2 before-2

# The traffic, from when this file exists until it is removed: per
# gateway, one unbroken stream of CON publishes, 5 a second (mqtt_load.py,
# 4 sockets, up to 4 outstanding each) on gwN/load/data (payload: its
# sequence number; "ANSWERED ACKED" in progressN, the sequence numbers
# answered 2.04 in ackedN at the end), and a NON publish every 20 ms on
# gwN/non/data (payload: its sequence number; the count sent in nonN).
touch "$work/run"
con_load() { # GW
	ingw "$1" /usr/bin/python3 "$E2E_DIR/mqtt_load.py" --host 127.0.0.1 \
		--path /ps/load/data -n 1000000 --sockets 4 --window 4 --rate 5 \
		--while "$work/run" --deadline 1100 --acked "$work/acked$1.seq" \
		--progress "$work/progress$1" >"$work/load$1.json" 2>&1
	sed "s|^|gw$1/load/data |" "$work/acked$1.seq" >"$work/acked$1"
}
non_load() { # GW
	ingw "$1" /usr/bin/python3 - "$work/run" "$work/non$1" <<-'EOF'
		import os, socket, struct, sys, time
		s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		s.setblocking(False)
		n = 0
		while os.path.exists(sys.argv[1]):
		    # NON POST, Uri-Path ps/non/data, the payload n
		    s.sendto(struct.pack("!BBH", 0x50, 0x02, n & 0xffff) + b"\xb2ps\x03non\x04data\xff"
		             + str(n).encode(), ("127.0.0.1", 5683))
		    n += 1
		    with open(sys.argv[2], "w") as f:
		        f.write(f"{n}\n")
		    try:
		        while s.recv(2048):
		            pass
		    except BlockingIOError:
		        pass
		    time.sleep(0.02)
	EOF
}
loadpids=()
for gw in 1 2; do
	con_load $gw &
	loadpids+=($!)
	non_load $gw &
	loadpids+=($!)
done
acked() { # GW: how many of its CON publishes were answered 2.04 so far
	local a=0
	[ -s "$work/progress$1" ] && read -r _ a <"$work/progress$1"
	echo "${a:-0}"
}
some_acked() { [ "$(acked 1)" -ge "$1" ] && [ "$(acked 2)" -ge "$1" ]; }
check "both gateways' CON publishes are acknowledged (2.04)" wait_for 120 some_acked 50

# Node a stops while gateway 1 is on it, with publishes awaiting its PUBACK.
awaiting() { local v; v=$(status 1 publishes-awaiting-puback) && [ "${v%% *}" -gt 0 ]; }
check "gateway 1 has publishes awaiting node a's PUBACK" wait_for 60 awaiting
at_stop=$(status 1 publishes-awaiting-puback)
t0=$EPOCHREALTIME
before=$(acked 1)
ctl "$how" a >"$work/stop" &
stopper=$!
check "gateway 1's kcoapd fails over to node 2 of 2 (b)" wait_for 120 on_node 1 2
took=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
wait $stopper
answer=$(cat "$work/stop")
check "node a stopped ($how: $answer s)" test "${answer%% *}" = ok
send_cmd 1 during-1
send_cmd 2 during-2
outage=$(status 1 broker-outage-ms)
resent() { [ "$(status 1 broker-inflight-at-loss)" -gt 0 ] 2>/dev/null; }
check "publishes awaited node a's PUBACK when its connection was lost: sent again to node b" \
	wait_for 10 resent
check_eq "kcoapctl daemon --json counts the failover, and shows node 2 of 2" \
	"$(dstat 1 broker-failovers) $(dstat 1 broker-node)" "1 2"
echo "# failover: kcoapd on node b ${took} s after node a's stop was asked for (polled every" \
	"0.2 s, the status file is rewritten every 1 s); ${outage} ms from the lost connection to" \
	"node b's CONNACK (broker-outage-ms); $(status 1 broker-inflight-at-loss) publishes awaited" \
	"their PUBACK when the connection was lost (${at_stop%% *} when the stop was asked for)"
on_b_again() { [ "$(acked 1)" -ge $((before + 50)) ]; }
check "gateway 1's CON publishes are acknowledged through node b" wait_for 120 on_b_again
check_eq "gateway 2 stayed on node b: no failover" "$(status 2 broker-node) $(status 2 broker-failovers)" "1 0"
check "a command sent while node a was down reaches gateway 1's device" wait_for 60 got_cmd 1 during-1
check "and gateway 2's" wait_for 60 got_cmd 2 during-2
non_at=$(cat "$work/non1")

# Node a comes back; the traffic goes on.
answer=$(ctl start a)
check "node a starts again ($answer s)" test "${answer%% *}" = ok
check "gateway 1 stays on node b (no fail-back)" on_node 1 2
send_cmd 1 after-1
send_cmd 2 after-2
check "a command after node a is back reaches gateway 1's device" wait_for 60 got_cmd 1 after-1
check "and gateway 2's" wait_for 60 got_cmd 2 after-2
more=$(acked 1)
grown() { [ "$(acked 1)" -ge $((more + 50)) ] && [ "$(acked 2)" -ge $((more + 50)) ]; }
wait_for 120 grown
rm "$work/run"
wait "${loadpids[@]}" 2>/dev/null
ended() { grep -q '"unsent": 0' "$work/load1.json" && grep -q '"unsent": 0' "$work/load2.json"; }
check "both gateways' CON streams ran unbroken until the end" ended

# Zero loss among acknowledged CON publishes; duplicates counted.
loads() { grep "^gw$1/load/data " "$work/arrivals"; }
missing() { comm -23 <(sort -u "$work/acked$1") <(loads "$1" | sort -u) | wc -l; }
unasked() { comm -13 <(sort -u "$work/acked$1") <(loads "$1" | sort -u) | wc -l; }
drained() { [ "$(missing 1)" = 0 ] && [ "$(missing 2)" = 0 ]; }
wait_for 60 drained
for gw in 1 2; do
	total=$(loads $gw | wc -l) uniq=$(loads $gw | sort -u | wc -l)
	check_eq "gateway $gw: every CON publish answered 2.04 ($(acked $gw)) reached the consumer" \
		"$(missing $gw)" 0
	nons=$(grep -c "^gw$gw/non/data " "$work/arrivals")
	echo "# gateway $gw: $(acked $gw) CON acknowledged, $total arrived, $((total - uniq)) duplicates," \
		"$(missing $gw) acknowledged missing, $(unasked $gw) arrived unacknowledged (5.03 or no answer: $(grep -o '"unavailable": [0-9]*' \
		"$work/load$gw.json" | awk '{ s += $2 } END { print s + 0 }') 5.03s); NON: $(cat "$work/non$gw") sent," \
		"$nons arrived"
done
non_after() { grep "^gw1/non/data " "$work/arrivals" | awk -v n="$non_at" '$2 > n { f = 1 } END { exit !f }'; }
check "gateway 1's NON publishes after the failover arrive" non_after
rsp() { [ "$(grep -c "^gw$1/rsp/lamp/light 2.04" "$work/arrivals")" -ge 3 ]; }
check "the consumer has the 2.04 responses of all 3 commands from gateway 1" wait_for 30 rsp 1
check "and from gateway 2" wait_for 30 rsp 2
if [ "$t_failed" != 0 ]; then
	for gw in 1 2; do sed "s/^/# gw$gw: /" "$work/gw$gw.log" | tail -n 30; done
	tail -n 5 "$work/load1.json" | sed 's/^/# load1: /'
fi
t_done
