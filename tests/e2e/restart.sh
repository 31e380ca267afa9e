#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# State that survives a restart (kcoapd(8), state-dir): kcoapd is killed
# with SIGKILL in the middle of a load, then started again. The store's
# values and the registrations are back, a PUT on an existing path is
# 2.04, a DELETE removes the value from the kernel's table too, a value
# only the kernel still had is not served any more, observers of a /ps/
# topic hear the broker's next message, and commands reach the registered
# device again.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
pids=()
dpid="" bpid=""
cleanup() {
	[ -n "$dpid" ] && kill -9 "$dpid" 2>/dev/null
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	[ -n "$bpid" ] && kill "$bpid" 2>/dev/null
	wait 2>/dev/null
	netns_down
	rm -rf "$work"
}
trap cleanup EXIT
netns_up
KCOAPD=$KCOAP_TOP/build/userspace/kcoapd
MQ=(-h 127.0.0.1 -p 1883)
bg() { "$@" & pids+=($!); }

broker_start "$work" "persistence true" "persistence_location $work/" || { not_ok "mosquitto does not start"; t_done; exit 1; }

# The device: writes down every request's payload, answers CONs 2.04
# (a command is executed when it gets here).
device_start "$work/dev.rx"
pids+=("$devpid")
got_cmd() { grep -qx -- "$1" "$work/dev.rx" 2>/dev/null; }

printf 'mqtt-reconnect-max 2\ncoap-ack-timeout 200\nretained-wait 2000\nstate-dir %s\nstats-interval 1\nstatus-dir %s\n' \
	"$work/state" "$work/run" >"$work/kcoapd.conf"
export KCOAP_STATUS_DIR=$work/run
: >"$work/kcoapd.log"
attached() { [ "$(grep -c attached "$work/kcoapd.log")" -ge "$1" ]; }
connected() { [ "$(grep -c 'mqtt: connected' "$work/kcoapd.log")" -ge "$1" ]; }
daemon_start() { # N: the Nth attach
	"$KCOAPD" -c "$work/kcoapd.conf" --mqtt mqtt://127.0.0.1:1883 -t gw/ >/dev/null \
		2>>"$work/kcoapd.log" &
	dpid=$!
	wait_for 10 attached "$1" && wait_for 10 connected "$1"
}
coap() { ip netns exec cli coap-client-notls -B 10 -v 6 "$@" 2>&1; }
got() { grep -qE "t:(ACK|CON|NON) c:$1 " <<<"$2"; }
check "kcoapd attaches" daemon_start 1

r=$(coap -m put -e one "coap://$GW4/store/a")
check "PUT /store/a: 2.01" got 2.01 "$r"
coap -m put -e bee "coap://$GW4/store/b" >/dev/null
r=$(coap -m post -e item "coap://$GW4/store/list")
check "POST /store/list: 2.01 (child 1)" grep -q "Location-Path:1" <<<"$r"
r=$(coap -m post -e '</x>' "coap://$GW4/rd?ep=lamp&lt=600&base=coap://$CLI4:5699")
check "lamp registers: 2.01" got 2.01 "$r"
mosquitto_pub "${MQ[@]}" -q 1 -r -t gw/sensors/t -m m1
ip netns exec cli coap-client-notls -s 900 -B 905 "coap://$GW4/ps/sensors/t" >"$work/obs" 2>&1 &
pids+=($!)
heard() { grep -q "$1" "$work/obs"; }
check "an observer of /ps/sensors/t hears the retained m1" wait_for 20 heard m1
mosquitto_pub "${MQ[@]}" -q 1 -t gw/sensors/t -m m2
check "and m2" wait_for 20 heard m2

# Load: PUTs to the store and publishes; SIGKILL once some are handed up.
up=$(kstat rx-handed-up)
(
	for i in $(seq 40); do
		ip netns exec cli coap-client-notls -B 5 -v 6 -m put -e "v$i" \
			"coap://$GW4/store/l$i" >"$work/put.$i" 2>&1 &
		ip netns exec cli coap-client-notls -B 5 -m post -e "p$i" "coap://$GW4/ps/load/x" \
			>/dev/null 2>&1 &
	done
	wait
) &
lpid=$!
busy() { [ "$(kstat rx-handed-up)" -ge $((up + 20)) ]; }
wait_for 60 busy
kill -9 "$dpid"
wait "$dpid" 2>/dev/null
dpid=""
wait $lpid
# While it is away: a message for the observers, queued in kcoapd's
# session; a value that only the kernel has (as if kcoapd had pushed it
# and died before it was on disk).
mosquitto_pub "${MQ[@]}" -q 1 -t gw/sensors/t -m m3-while-away
kctl resource add /store/ghost --value ghost
check_eq "(the kernel serves the ghost meanwhile)" "$(coap_get "coap://$GW4/store/ghost")" ghost

check "kcoapd starts again" daemon_start 2
only_ours() { [ "$(ls "$work/run")" = "kcoapd.$dpid.status" ]; }
check "its status file is the only one: the killed kcoapd's was swept" wait_for 10 only_ours
check_eq "GET /store/a: the value from before" "$(coap_get "coap://$GW4/store/a")" one
r=$(coap -m put -e two "coap://$GW4/store/a")
check "PUT /store/a after the restart: 2.04, not 2.01" got 2.04 "$r"
check_eq "and GET sees it" "$(coap_get "coap://$GW4/store/a")" two
r=$(coap -m delete "coap://$GW4/store/b")
check "DELETE /store/b: 2.02" got 2.02 "$r"
r=$(coap "coap://$GW4/store/b")
check "and it is gone from the kernel's table too: 4.04" got 4.04 "$r"
r=$(coap "coap://$GW4/store/ghost")
check "a value kcoapd did not have is not served any more: 4.04" got 4.04 "$r"
r=$(coap -m post -e item2 "coap://$GW4/store/list")
check "POST numbering goes on: child 2" grep -q "Location-Path:2" <<<"$r"
# Every PUT answered 2.01 before the kill is on disk: kcoapd wrote it
# before it answered, and pushed it into the table again at the start.
acked=$(grep -l "c:2.01 " "$work"/put.* 2>/dev/null | sed 's/.*put\.//' | sort -n)
kctl resource show >"$work/table"
lost=0
for i in $acked; do grep -q "^/store/l$i " "$work/table" || lost=$((lost + 1)); done
echo "# $(wc -w <<<"$acked") of the 40 PUTs under load were answered 2.01 before the kill"
check_eq "each of them is back after the restart" "$lost" 0
check "the observer hears what came while kcoapd was away" wait_for 20 heard m3-while-away
mosquitto_pub "${MQ[@]}" -q 1 -t gw/sensors/t -m m4-after
check "and the broker's next message" wait_for 20 heard m4-after
check_eq "a plain GET of /ps/sensors/t is the newest value" \
	"$(coap_get "coap://$GW4/ps/sensors/t")" m4-after
mosquitto_pub "${MQ[@]}" -q 1 -t gw/cmd/lamp/light -m after-restart
check "the registration is back: a command reaches lamp" wait_for 15 got_cmd after-restart
r=$(coap -m post -e '</x>' "coap://$GW4/rd?ep=lamp&lt=600&base=coap://$CLI4:5699")
check "lamp registers again from its address: 2.01" got 2.01 "$r"
check "kcoapd said what it read back" \
	grep -q "state: 1 registrations read back" "$work/kcoapd.log"
# What kcoapd is doing: kcoapctl daemon (from kcoapd's status file) and
# the {prefix}stats message.
coap -m post -e '</x>' "coap://$GW4/rd?ep=mute&lt=600&base=coap://$CLI4:5698" >/dev/null
mosquitto_pub "${MQ[@]}" -q 1 -t gw/cmd/mute/x -m 1
in_flight() { kctl daemon >"$work/daemon.txt" && grep -qE "^command +mute/x [0-9]+ [0-9]+$" "$work/daemon.txt"; }
check "kcoapctl daemon: a command in flight to mute" wait_for 5 in_flight
daemon_has() { grep -qE "$1" "$work/daemon.txt"; }
check "the broker, connected" daemon_has "^broker  *127.0.0.1:1883 connected$"
check "the subscription to sensors/t" daemon_has "^subscription  *sensors/t 0$"
check "the registered devices, with address, port and lifetime left" \
	daemon_has "^device  *lamp $CLI4 5699 [0-9]+$"
check "queue depths" daemon_has "^publishes-awaiting-puback  *[0-9]+ 10000$"
kctl daemon --json >"$work/daemon.json"
json_ok() {
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["kcoapd"]
assert d["broker"]["state"] == "connected", d["broker"]
assert {x["name"] for x in d["device-list"]} == {"lamp", "mute"}, d["device-list"]
assert d["devices"] == 2 and d["store"] >= 2, d
assert [x["filter"] for x in d["subscription-list"]] == ["sensors/t"], d
' "$work/daemon.json"
}
check "kcoapctl daemon --json: the same, as JSON" json_ok
stats=$(mosquitto_sub "${MQ[@]}" -t gw/stats -C 1 -W 10)
check "kcoapd publishes gw/stats (stats-interval 1)" \
	grep -q '^{"connected":true,"subscriptions":1,"devices":2,' <<<"$stats"
echo "# gw/stats: $stats"
kill "$bpid"
wait "$bpid" 2>/dev/null
bpid=""
lost() { kctl daemon >"$work/daemon.txt" && grep -q "disconnected" "$work/daemon.txt"; }
check "the broker gone: kcoapctl daemon says disconnected" wait_for 10 lost
# The last error: the lost connection, or (once kcoapd has tried again,
# issue 19's failover loop) the refused reconnection.
check "and its last error" daemon_has "^broker-error  *[0-9]+ (connection lost|.*cannot connect)"

# A path with an escape sequence (from the network) reaches the
# operator's terminal escaped.
coap -m put -e red "coap://$GW4/store/%1B%5B31mred" >/dev/null
kctl resource show >"$work/table"
check "kcoapctl resource show writes an ESC in a path as \\x1b" grep -qF '/store/\x1b[31mred' "$work/table"
check "and no raw ESC byte" bash -c "! grep -q $'\\x1b' '$work/table'"
kctl resource show /store/$'\x1b'[31mred >"$work/one"
check "nor does resource show PATH" grep -qF 'path              /store/\x1b[31mred' "$work/one"
if [ "$t_failed" != 0 ]; then
	tail -n 40 "$work/kcoapd.log" | sed "s/^/# kcoapd.log: /"
	sed "s/^/# obs: /" "$work/obs"
	kctl resource show | sed "s/^/# kernel: /"
fi
t_done
