#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Who may do what (kcoapd(8), ACL FILE), with real clients: out of the
# box CoAP clients cannot reach the gateway's own topics (cmd/, rsp/,
# status, dev/: 4.03, and no command reaches the device), a device name
# registered from one address cannot be taken from another, a retained
# command is never executed (not live, not after a reconnect), a command
# older than command-max-age is dropped; an ACL file grants one host the
# command topics, and SIGHUP swaps the file in place.
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
# A second client address (an attacker on the same segment).
CLI4B=192.0.2.3
ip -n cli addr add $CLI4B/24 dev kc1
KCOAPD=$KCOAP_TOP/build/userspace/kcoapd
MQ=(-h 127.0.0.1 -p 1883)
bg() { "$@" & pids+=($!); }
gone() { ! kill -0 "$1" 2>/dev/null; }

broker_start "$work" || { not_ok "mosquitto does not start"; t_done; exit 1; }

# The device: writes down every request's payload, answers CONs 2.04
# (a command is executed when it gets here).
device_start "$work/dev.rx"
pids+=("$devpid")
got_cmd() { grep -qx -- "$1" "$work/dev.rx" 2>/dev/null; }

# device lamp: known from the settings, so the restart below keeps it.
cat >"$work/kcoapd.conf" <<EOF
mqtt-reconnect-max 2
coap-ack-timeout 200
retained-wait 2000
command-max-age 60
device lamp $CLI4:5699
state-dir $work/state
EOF
: >"$work/kcoapd.log"
attached() { [ "$(grep -c attached "$work/kcoapd.log")" -ge "$1" ]; }
connected() { [ "$(grep -c 'mqtt: connected' "$work/kcoapd.log")" -ge "$1" ]; }
subscribed() { [ "$(grep -cE 'gw/cmd/#' "$work/mosquitto.log")" -ge "$1" ]; }
daemon_start() { # N: the Nth attach
	"$KCOAPD" -c "$work/kcoapd.conf" --mqtt mqtt://127.0.0.1:1883 -t gw/ >/dev/null \
		2>>"$work/kcoapd.log" &
	dpid=$!
	wait_for 10 attached "$1" && wait_for 10 connected "$1" && wait_for 10 subscribed "$1"
}
coap() { ip netns exec cli coap-client-notls -B 10 -v 6 "$@" 2>&1; }
got() { grep -qE "t:(ACK|CON|NON) c:$1 " <<<"$2"; }
check "kcoapd attaches (no acl-file: the built-in rules)" daemon_start 1

# The gateway's own topics, from CoAP: 4.03 (RFC 7252 §5.9.2.4).
r=$(coap -m post -e on "coap://$GW4/ps/cmd/lamp/light")
check "POST /ps/cmd/lamp/light: 4.03" got 4.03 "$r"
r=$(coap -N -m post -e on2 "coap://$GW4/ps/cmd/lamp/light")
check "a NON one too" got 4.03 "$r"
mosquitto_pub "${MQ[@]}" -q 1 -t gw/cmd/lamp/light -m from-mqtt
check "a command from MQTT reaches the device" wait_for 15 got_cmd from-mqtt
check "none sent from CoAP did" bash -c "! grep -q '^on' '$work/dev.rx'"
r=$(coap -m post -e offline "coap://$GW4/ps/status?retain=true")
check "POST /ps/status (overwrite the gateway's status): 4.03" got 4.03 "$r"
r=$(coap -m put -e offline "coap://$GW4/ps/dev/lamp/status")
check "PUT /ps/dev/lamp/status: 4.03" got 4.03 "$r"
r=$(coap -s 2 "coap://$GW4/ps/rsp/%23")
check "observe /ps/rsp/#: 4.03" got 4.03 "$r"
r=$(coap -s 2 "coap://$GW4/ps/%23")
check "observe /ps/# (it would reach cmd/): 4.03" got 4.03 "$r"
r=$(coap -m post -e 21 "coap://$GW4/ps/sensors/t1")
check "other topics are still anyone's: POST /ps/sensors/t1 2.04" got 2.04 "$r"

# A registered name belongs to the address that registered it.
r=$(coap -m post -e '</x>' "coap://$GW4/rd?ep=door&lt=600&base=coap://$CLI4:5699")
check "POST /rd?ep=door from $CLI4: 2.01" got 2.01 "$r"
rd_id=$(grep -oE 'Location-Path:rd, Location-Path:[^], ]+' <<<"$r" | head -n 1 | sed 's/.*Location-Path://')
r=$(coap -a $CLI4B -m post -e '</x>' "coap://$GW4/rd?ep=door&lt=600")
check "the same name from $CLI4B: 4.03" got 4.03 "$r"
r=$(coap -a $CLI4B -m delete "coap://$GW4/rd/$rd_id")
check "DELETE of its registration from $CLI4B: 4.03" got 4.03 "$r"
r=$(coap -a $CLI4B -m post "coap://$GW4/rd/$rd_id?lt=1")
check "a refresh from $CLI4B: 4.03" got 4.03 "$r"
mosquitto_pub "${MQ[@]}" -q 1 -t gw/cmd/door/open -m door-cmd
check "commands to door still reach the device that registered it" wait_for 15 got_cmd door-cmd
r=$(coap -m post -e '</x>' "coap://$GW4/rd?ep=door&lt=600&base=coap://$CLI4:5699")
check "a new registration from its owner's address: 2.01" got 2.01 "$r"
r=$(coap -m post -e '</x>' "coap://$GW4/rd?ep=lamp&lt=600")
check "a name from the settings cannot be registered: 4.03" got 4.03 "$r"
r=$(coap -m post -e '</x>' "coap://$GW4/rd?ep=x1&base=coap://localhost:5683")
check "base= with a host name (no lookups in the event loop): 4.00" got 4.00 "$r"

# Retained commands are never executed.
mosquitto_pub "${MQ[@]}" -q 1 -r -t gw/cmd/lamp/light -m retained-cmd
mosquitto_pub "${MQ[@]}" -q 1 -t gw/cmd/lamp/light -m after-retained
check "a live command after a retained one is executed" wait_for 15 got_cmd after-retained
check "the retained one was not (MQTT 5 retain as published)" \
	bash -c "! grep -q retained-cmd '$work/dev.rx'"
check "kcoapd says it dropped it" \
	grep -q "retained message on gw/cmd/lamp/light: not executed" "$work/kcoapd.log"
kill -TERM "$dpid"
wait_for 10 gone "$dpid"
dpid=""
check "after a restart (a new subscription)" daemon_start 2
mosquitto_pub "${MQ[@]}" -q 1 -t gw/cmd/lamp/light -m after-restart
check "a live command is executed" wait_for 15 got_cmd after-restart
check "the retained one still was not" bash -c "! grep -q retained-cmd '$work/dev.rx'"
mosquitto_pub "${MQ[@]}" -q 1 -r -t gw/cmd/lamp/light -n

# command-max-age 60: a command stamped sent-at two minutes ago is dropped.
mosquitto_pub "${MQ[@]}" -V mqttv5 -q 1 -t gw/cmd/lamp/light -m stale \
	-D publish user-property sent-at $(($(date +%s) - 120))
mosquitto_pub "${MQ[@]}" -V mqttv5 -q 1 -t gw/cmd/lamp/light -m fresh \
	-D publish user-property sent-at "$(date +%s)"
check "a command stamped now is executed" wait_for 15 got_cmd fresh
check "one sent 120 s ago (command-max-age 60) is not" bash -c "! grep -q stale '$work/dev.rx'"
check "kcoapd says why" \
	grep -q "sent 1[0-9][0-9] s ago, over command-max-age 60: dropped" "$work/kcoapd.log"

# An ACL file, read again on SIGHUP: $CLI4B may then command the lamp.
cat >"$work/acl" <<EOF
# Everyone: sensors; nobody else's topics.
topic deny cmd/#
topic deny rsp/#
topic readwrite sensors/#
rd register *
EOF
echo "acl-file $work/acl" >>"$work/kcoapd.conf"
kill -HUP "$dpid"
check "SIGHUP: kcoapd reads its settings again" \
	wait_for 10 grep -q "SIGHUP: settings read again.*acl-file $work/acl" "$work/kcoapd.log"
check "still the same process" kill -0 "$dpid"
r=$(coap -m post -e 22 "coap://$GW4/ps/alerts/a1")
check "the new rules apply: alerts/ is now refused (4.03)" got 4.03 "$r"
r=$(coap -m post -e 23 "coap://$GW4/ps/sensors/t1")
check "sensors/ allowed (2.04)" got 2.04 "$r"
printf 'address %s/32\ntopic write cmd/lamp/#\n' $CLI4B >>"$work/acl"
kill -HUP "$dpid"
hup2() { [ "$(grep -c 'SIGHUP: settings read again' "$work/kcoapd.log")" -ge 2 ]; }
check "a second SIGHUP" wait_for 10 hup2
r=$(coap -a $CLI4B -m post -e acl-cmd "coap://$GW4/ps/cmd/lamp/light")
check "$CLI4B may now POST /ps/cmd/lamp/light: 2.04" got 2.04 "$r"
check "and the command reaches the lamp" wait_for 15 got_cmd acl-cmd
r=$(coap -m post -e acl-cmd2 "coap://$GW4/ps/cmd/lamp/light")
check "$CLI4 still may not: 4.03" got 4.03 "$r"
echo "topic bogus x" >>"$work/acl"
kill -HUP "$dpid"
check "a broken ACL file on SIGHUP: an error naming the line, nothing changed" \
	wait_for 10 grep -q "acl:8: topic 'bogus'" "$work/kcoapd.log"
r=$(coap -a $CLI4B -m post -e acl-cmd3 "coap://$GW4/ps/cmd/lamp/light")
check "the rules in force stay: 2.04" got 2.04 "$r"
check "kcoapd is still running" kill -0 "$dpid"
if [ "$t_failed" != 0 ]; then
	tail -n 60 "$work/kcoapd.log" | sed "s/^/# kcoapd.log: /"
	sed "s/^/# dev.rx: /" "$work/dev.rx"
fi
t_done
