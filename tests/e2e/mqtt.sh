#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# The CoAP <-> MQTT bridge in kcoapd (docs/mqtt.md), against a real
# Mosquitto and real clients: coap-client publishes and observes,
# mosquitto_pub/_sub on the other side, coap-server-notls plays a device
# that registers and gets commands, and mqtt_load.py sends N confirmable
# publishes (MQTT_LOAD_N; 10000, 1000 on the debug kernel) while the
# broker restarts: every one acknowledged with 2.04 must reach a
# persistent QoS 1 subscriber. Last, a command queued while kcoapd is
# away arrives when it comes back over TLS (mqtts://, client certificate),
# and a broker with a password file is spoken to in MQTT 3.1.1.
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
# 10000 publishes; 1000 on the debug kernel (about 20 a second there):
# the path under KASAN and lockdep, not the count, is what it checks.
N=${MQTT_LOAD_N:-$([ "${KCOAP_VM_KERNEL:-}" = debug ] && echo 1000 || echo 10000)}
MQ=(-h 127.0.0.1 -p 1883)

delta() { echo $(($(kstat "$1") - $2)); }
gone() { ! kill -0 "$1" 2>/dev/null; }
stop_daemon() { # SIGNAL: kcoapd must be gone within 10 s
	kill "-$1" "$dpid"
	wait_for 10 gone "$dpid" || kill -9 "$dpid"
	wait "$dpid" 2>/dev/null
	dpid=""
}
bg() { "$@" & pids+=($!); }

# The broker: persistent, $SYS every second, subscriptions in its log.
cat >"$work/mosquitto.conf" <<EOF
listener 1883 127.0.0.1
allow_anonymous true
persistence true
persistence_location $work/
sys_interval 1
user root
log_dest file $work/mosquitto.log
log_type error
log_type warning
log_type notice
log_type information
log_type subscribe
EOF
broker_up() { mosquitto_sub "${MQ[@]}" -t kcoap/probe -E -W 2 >/dev/null 2>&1; }
broker_start() {
	mosquitto -c "$work/mosquitto.conf" >>"$work/mosquitto.out" 2>&1 &
	bpid=$!
	wait_for 10 broker_up
}
broker_stop() { kill -TERM "$bpid" && wait "$bpid"; }
# A subscriber whose SUBSCRIBE the broker has logged ("ID QOS FILTER").
sub_ready() { grep -qE "^[0-9]+: $1 [0-2] " "$work/mosquitto.log"; }
sub() { # ID ARGS...: a background mosquitto_sub, ready when this returns
	local id=$1
	shift
	bg mosquitto_sub "${MQ[@]}" -i "$id" "$@"
	wait_for 10 sub_ready "$id"
}
# The retained message on TOPIC as "RETAIN-FLAG PAYLOAD", or nothing.
retained() { mosquitto_sub "${MQ[@]}" -t "$1" -C 1 -W 3 --retained-only -F '%r %p' 2>/dev/null; }
retained_is() { [ "$(retained "$1")" = "1 $2" ]; }
# coap-client in the client namespace, with the messages it exchanged
# (libcoap's "v:1 t:ACK c:2.04 ..." lines) in its output.
coap() { ip netns exec cli coap-client-notls -B 10 -v 6 "$@" 2>&1; }
# got CODE OUTPUT: a response (piggybacked, separate or NON) with CODE.
got() { grep -qE "t:(ACK|CON|NON) c:$1 " <<<"$2"; }
has() { grep -qF -- "$2" "$work/$1"; }
# lines FILE LINE...: FILE holds exactly these lines.
lines() {
	local f=$1
	shift
	[ "$(cat "$f")" = "$(printf '%s\n' "$@")" ]
}
both_heard() { grep -q "$1" "$work/obs1" && grep -q "$1" "$work/obs2"; }

: >"$work/mosquitto.log"
# (Only what the bridge does is a check: setup failures end the test.)
broker_start || { not_ok "mosquitto does not start"; t_done; exit 1; }
bg mosquitto_sub "${MQ[@]}" -i s_sys -t "\$SYS/broker/subscriptions/count" >"$work/sys"
# retained-wait: how long kcoapd waits for the broker's retained message
# after it subscribes; the default 300 ms is short for a loaded guest.
printf 'mqtt-reconnect-max 2\ncoap-ack-timeout 200\nretained-wait 2000\nstate-dir %s\n' \
	"$work/state" >"$work/kcoapd.conf"
attached() { grep -q attached "$work/kcoapd.log"; }
"$KCOAPD" -c "$work/kcoapd.conf" --mqtt mqtt://127.0.0.1:1883 -t gw/ >/dev/null 2>"$work/kcoapd.log" &
dpid=$!
check "kcoapd attaches with --mqtt" wait_for 10 attached
check "gw/status is retained 'online'" wait_for 10 retained_is gw/status online

# CoAP -> MQTT. A CON POST: 2.04 once the broker has it.
sub s_sensors -v -t 'gw/sensors/#' >"$work/sensors"
r=$(coap -m post -e 21.5 "coap://$GW4/ps/sensors/t1")
check "CON POST /ps/sensors/t1: the client gets 2.04" got 2.04 "$r"
check "and mosquitto_sub sees gw/sensors/t1 with the payload" wait_for 20 has sensors "gw/sensors/t1 21.5"
r=$(coap -N -m post -e n-1 "coap://$GW4/ps/sensors/t2")
check "a NON POST is published too" wait_for 20 has sensors "gw/sensors/t2 n-1"
r=$(coap -m put -e kept-1 "coap://$GW4/ps/sensors/kept?retain=true")
check "PUT ?retain=true: 2.04" got 2.04 "$r"
check "and a later subscriber gets it as retained" wait_for 20 retained_is gw/sensors/kept kept-1
check_eq "a plain GET of /ps/sensors/kept returns the retained value" \
	"$(coap_get "coap://$GW4/ps/sensors/kept")" kept-1
up=$(kstat rx-handed-up)
check_eq "a second GET too" "$(coap_get "coap://$GW4/ps/sensors/kept")" kept-1
check_eq "answered by the kernel: rx-handed-up did not grow" "$(delta rx-handed-up "$up")" 0
up=$(kstat rx-handed-up)
r=$(coap "coap://$GW4/ps/sensors/never")
check "a GET of a topic without a retained value: 4.04 from kcoapd" \
	test "$(($(delta rx-handed-up "$up") > 0)).$(got 4.04 "$r" && echo y)" = 1.y
r=$(coap -m post -e x "coap://$GW4/ps/sensors/+/t")
check "a publish to a topic with '+': 4.00" got 4.00 "$r"

# MQTT -> CoAP: two observers of /ps/alerts/+, one MQTT subscription.
sleep 2
subs0=$(tail -n 1 "$work/sys")
ip netns exec cli coap-client-notls -s 120 -B 125 "coap://$GW4/ps/alerts/+" >"$work/obs1" 2>&1 &
pids+=($!)
nobs() { [ "$(kstat observers)" -ge "$1" ]; }
check "an observer of /ps/alerts/+ registers" wait_for 30 nobs 1
# $SYS comes every second; a loaded guest may take longer to subscribe.
subs_over() { [ "$(tail -n 1 "$work/sys")" -gt "$subs0" ]; }
wait_for 20 subs_over
subs1=$(tail -n 1 "$work/sys")
ip netns exec cli coap-client-notls -s 120 -B 125 "coap://$GW4/ps/alerts/+" >"$work/obs2" 2>&1 &
pids+=($!)
check "a second one too" wait_for 30 nobs 2
sleep 2
subs2=$(tail -n 1 "$work/sys")
check_eq "the broker's subscription count: +1 for the first, +0 for the second" \
	"$((subs1 - subs0)) $((subs2 - subs1))" "1 0"
check_eq "the broker logged one SUBSCRIBE to gw/alerts/+" \
	"$(grep -cE '^[0-9]+: [^ ]+ [0-2] gw/alerts/\+$' "$work/mosquitto.log")" 1
n0=$(kstat tx-notify) c0=$(kstat tx-notify-con)
mosquitto_pub "${MQ[@]}" -q 0 -t gw/alerts/door -m alert-q0
check "both observers hear a QoS 0 message" wait_for 10 both_heard alert-q0
check_eq "as NON notifications" "$(delta tx-notify "$n0") $(delta tx-notify-con "$c0")" "2 0"
c0=$(kstat tx-notify-con)
mosquitto_pub "${MQ[@]}" -q 1 -t gw/alerts/fire -m alert-q1
check "and a QoS 1 message" wait_for 10 both_heard alert-q1
check_eq "as CON notifications (tx-notify-con +2)" "$(delta tx-notify-con "$c0")" 2

# MQTT -> CoAP commands to a registered device: coap-server-notls echoes
# the payload of a PUT to /example_data (-e), 2.01 the first time (it
# creates the value), 2.04 after, and answers GETs on it.
bg ip netns exec cli coap-server-notls -A "$CLI4" -p 5690 -e
sub s_dev1 -v -t gw/dev/dev1/status >"$work/dev1"
r=$(coap -m post -t 40 -e '</example_data>' "coap://$GW4/rd?ep=dev1&lt=60&base=coap://$CLI4:5690")
check "POST /rd?ep=dev1: 2.01 with Location-Path rd/ID" \
	grep -qE "t:(ACK|CON) c:2.01 .*Location-Path:rd, Location-Path:[^], ]+" <<<"$r"
rd_id=$(grep -oE 'Location-Path:rd, Location-Path:[^], ]+' <<<"$r" | head -n 1 | sed 's/.*Location-Path://')
check "gw/dev/dev1/status: retained online" wait_for 20 retained_is gw/dev/dev1/status online
sub s_rsp -V mqttv5 -t 'gw/rsp/#' -F '%t|%p|%D|%P' >"$work/rsp"
mosquitto_pub "${MQ[@]}" -V mqttv5 -q 1 -t gw/cmd/dev1/example_data -m on \
	-D publish correlation-data corr-1
rsp() { grep -qE "^$1\\|$2\\|$3\\|(.* )?code:$4( |\$)" "$work/rsp"; }
check "a command (PUT) reaches the device; its 2.01 comes back on gw/rsp/dev1/example_data with the correlation data" \
	wait_for 15 rsp gw/rsp/dev1/example_data on corr-1 2.01
mosquitto_pub "${MQ[@]}" -V mqttv5 -q 1 -t gw/cmd/dev1/example_data -n \
	-D publish user-property method GET -D publish correlation-data corr-2
check "user property method=GET: 2.05 with the device's value" \
	wait_for 15 rsp gw/rsp/dev1/example_data on corr-2 2.05
mosquitto_pub "${MQ[@]}" -q 1 -t 'gw/cmd/dev1/example_data?method=put&ct=0' -m off
check "a query suffix ?method=put&ct=0 (from an MQTT 3.1.1 client): 2.04, echoed" \
	wait_for 15 rsp gw/rsp/dev1/example_data off '' 2.04
mosquitto_pub "${MQ[@]}" -V mqttv5 -q 1 -t gw/cmd/nodev/x -m 1 -D publish correlation-data corr-4
check "a command to an unknown device: code 4.04" wait_for 15 rsp gw/rsp/nodev/x '' corr-4 4.04
r=$(coap -m delete "coap://$GW4/rd/$rd_id")
check "DELETE /rd/$rd_id: 2.02" got 2.02 "$r"
check "and gw/dev/dev1/status says online, then offline" \
	wait_for 20 lines "$work/dev1" "gw/dev/dev1/status online" "gw/dev/dev1/status offline"
# A device that never answers (a socket that counts what it gets): 5.04
# after the retransmissions (coap-ack-timeout 200 ms here: 6 to 9 s). The
# broker is away by then: kcoapd keeps the response until it is back, and
# a persistent subscriber gets it.
sub s_dead -c -q 1 -V mqttv5 -t 'gw/rsp/dead/#' -F '%t|%p|%D|%P' >"$work/dead"
bg ip netns exec cli /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 5699))
with open(sys.argv[2], "a", buffering=1) as f:
    while True:
        f.write("%d\n" % len(s.recv(2048)))' "$CLI4" "$work/dead.rx"
bound() { [ -n "$(ip netns exec cli ss -Hlun 'sport = :5699')" ]; }
wait_for 20 bound
coap -m post -e '</x>' "coap://$GW4/rd?ep=dead&lt=600&base=coap://$CLI4:5699" >/dev/null
mosquitto_pub "${MQ[@]}" -V mqttv5 -q 1 -t gw/cmd/dead/x -m 1 -D publish correlation-data corr-5
rx() { [ "$(cat "$work/dead.rx" 2>/dev/null | wc -l)" -ge "$1" ]; }
check "a command to a silent device is sent to it" wait_for 15 rx 1
broker_stop
check "and sent again 4 times (MAX_RETRANSMIT), the broker away meanwhile" wait_for 20 rx 5
check "kcoapd gives up on it" wait_for 20 grep -q 'cmd: no answer from dead' "$work/kcoapd.log"
broker_start || not_ok "mosquitto does not start again"
check "its 5.04 (from while the broker was away) reaches a persistent subscriber, with the correlation data" \
	wait_for 20 grep -qE '^gw/rsp/dead/x\|\|corr-5\|(.* )?code:5.04( |$)' "$work/dead"

# A registration that lapses (lt=2).
sub s_brief -v -t gw/dev/brief/status >"$work/brief"
r=$(coap -m post -e '</x>' "coap://$GW4/rd?ep=brief&lt=2")
check "a registration with lt=2: online, then offline when it lapses" \
	wait_for 15 lines "$work/brief" "gw/dev/brief/status online" "gw/dev/brief/status offline"
check "retained" wait_for 10 retained_is gw/dev/brief/status offline

# The load: N CON publishes from 64 sockets; the broker restarts when a
# third are acknowledged. Everything acknowledged must arrive.
sub s_load -c -q 1 -t 'gw/load/#' >"$work/arrivals"
ip netns exec cli /usr/bin/python3 "$E2E_DIR/mqtt_load.py" --host "$GW4" --path /ps/load/data \
	-n "$N" --acked "$work/acked" --progress "$work/progress" --deadline 400 >"$work/load.json" 2>&1 &
lpid=$!
# A timeline of the load every 5 s, shown if a check fails: seconds,
# answered and acknowledged (the client), arrivals (the broker's
# subscriber), the kernel's 2.04s and daemon timeouts.
timeline() {
	local t0=$SECONDS
	while kill -0 $lpid 2>/dev/null; do
		echo "$((SECONDS - t0))s $(cat "$work/progress" 2>/dev/null)" \
			"arrivals $(wc -l <"$work/arrivals")" \
			"$(kctl stats | awk '/^tx-code 2.04|^daemon-timeout|^rx-handed-up/ { printf "%s ", $0 }')"
		sleep 5
	done >"$work/timeline"
}
timeline &
pids+=($!)
acked_now() { local a=0; [ -s "$work/progress" ] && read -r _ a <"$work/progress"; echo "${a:-0}"; }
third() { [ "$(acked_now)" -ge $((N / 3)) ] || ! kill -0 $lpid 2>/dev/null; }
wait_for 400 third
at_restart=$(acked_now)
check "a third of $N CON publishes acknowledged ($at_restart)" test "$at_restart" -ge $((N / 3))
broker_stop
sleep 2
broker_start || not_ok "mosquitto does not start again"
check "kcoapd reconnects: gw/status online again" wait_for 40 retained_is gw/status online
wait $lpid
lrc=$?
kctl stats | grep -E 'handed-up|handup|daemon-timeout|tx-code 5.03|tx-separate ' | sed 's/^/# stats: /'
sed 's/^/# load: /' "$work/load.json"
acked=$(wc -l <"$work/acked" 2>/dev/null || echo 0)
check "every publish was answered; publishes acknowledged after the restart too ($at_restart -> $acked)" \
	test "$lrc.$((acked > at_restart))" = 0.1
missing() { comm -23 <(sort "$work/acked") <(sort -u "$work/arrivals") | wc -l; }
lost_none() { [ "$(missing)" = 0 ]; }
wait_for 30 lost_none
check_eq "every acknowledged publish ($acked) reached the subscriber" "$(missing)" 0
total=$(wc -l <"$work/arrivals") uniq=$(sort -u "$work/arrivals" | wc -l)
echo "# load: $acked acked, $(grep -o '"unavailable": [0-9]*' "$work/load.json") (5.03)," \
	"$total arrivals, $((total - uniq)) duplicates, $((uniq - acked)) arrived unacknowledged"

# The Last Will: SIGKILL leaves gw/status offline; SIGTERM says it itself.
stop_daemon KILL
check "after SIGKILL of kcoapd, gw/status is retained offline (Last Will)" \
	wait_for 10 retained_is gw/status offline
attached2() { [ "$(grep -c attached "$work/kcoapd.log")" -ge 2 ]; }
"$KCOAPD" -c "$work/kcoapd.conf" --mqtt mqtt://127.0.0.1:1883 -t gw/ >/dev/null 2>>"$work/kcoapd.log" &
dpid=$!
wait_for 10 attached2
check "a new kcoapd says online" wait_for 10 retained_is gw/status online
stop_daemon TERM
check "and offline on SIGTERM" wait_for 10 retained_is gw/status offline

# While kcoapd is away a command is queued in its persistent session; the
# next kcoapd comes back over TLS (mqtts://, the broker checks its client
# certificate: same client id, same session) and delivers it to dev2, a
# device known from the settings file.
tls_setup() {
	local d=$work/tls n
	mkdir -p "$d" || return 1
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj /CN=kcoap-test-ca -keyout "$d/ca.key" -out "$d/ca.crt" || return 1
	echo "subjectAltName=IP:127.0.0.1,DNS:localhost" >"$d/san"
	for n in server client; do
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-subj "/CN=$n" -keyout "$d/$n.key" -out "$d/$n.csr" &&
			openssl x509 -req -in "$d/$n.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" \
				-CAcreateserial -days 2 -extfile "$d/san" -out "$d/$n.crt" || return 1
	done
} >"$work/tls.log" 2>&1
if tls_setup; then
	cat >>"$work/mosquitto.conf" <<EOF
listener 8883 127.0.0.1
cafile $work/tls/ca.crt
certfile $work/tls/server.crt
keyfile $work/tls/server.key
require_certificate true
EOF
	# A new listener needs a restart (persistence keeps the sessions).
	broker_stop
	broker_start || not_ok "mosquitto does not start with the TLS listener"
	sub s_dev2 -V mqttv5 -t 'gw/rsp/dev2/#' -F '%t|%p|%D|%P' >"$work/rsp2"
	mosquitto_pub "${MQ[@]}" -V mqttv5 -q 1 -t gw/cmd/dev2/example_data -m queued \
		-D publish correlation-data corr-q
	cat >"$work/tls.conf" <<EOF
mqtt-url mqtts://127.0.0.1:8883
mqtt-ca-file $work/tls/ca.crt
mqtt-cert-file $work/tls/client.crt
mqtt-key-file $work/tls/client.key
mqtt-reconnect-max 2
device dev2 $CLI4:5690
state-dir $work/state
EOF
	"$KCOAPD" -c "$work/tls.conf" -t gw/ >/dev/null 2>>"$work/kcoapd.log" &
	dpid=$!
	resumed_tls() {
		grep -q ':8883 (TLS)' "$work/kcoapd.log" &&
			grep -q 'connected to 127.0.0.1:8883 (session resumed)' "$work/kcoapd.log"
	}
	check "kcoapd connects over mqtts:// with a client certificate, and its session is resumed" \
		wait_for 20 resumed_tls
	rsp2() { grep -qE "^gw/rsp/dev2/example_data\|queued\|corr-q\|(.* )?code:2\.0[14]( |\$)" "$work/rsp2"; }
	check "a command queued while it was away reaches dev2 (a device from the settings); its response comes back" \
		wait_for 20 rsp2
	r=$(coap -m post -e over-tls "coap://$GW4/ps/sensors/t3")
	check "a CON POST through the TLS connection: 2.04" got 2.04 "$r"
	check "and mosquitto_sub sees it" wait_for 20 has sensors "gw/sensors/t3 over-tls"
	stop_daemon TERM
else
	not_ok "test certificates could not be made"
	sed 's/^/# tls: /' "$work/tls.log"
fi
# A broker that wants a password, spoken to in MQTT 3.1.1: with a wrong
# password kcoapd says the broker refused it and CON publishes get 5.03;
# with the right one it connects as user gw at protocol level 4 (mosquitto
# logs "p2") and publishes.
mosquitto_passwd -b -c "$work/passwd" gw "s3/cr@t:1" >"$work/passwd.log" 2>&1
cat >"$work/auth-broker.conf" <<EOF
listener 1884 127.0.0.1
allow_anonymous false
password_file $work/passwd
user root
log_dest file $work/auth.log
log_type all
EOF
mosquitto -c "$work/auth-broker.conf" >>"$work/mosquitto.out" 2>&1 &
pids+=($!)
AQ=(-h 127.0.0.1 -p 1884 -u gw -P 's3/cr@t:1')
auth_up() { mosquitto_sub "${AQ[@]}" -t probe -E -W 2 >/dev/null 2>&1; }
auth_kcoapd() { # PASSWORD
	printf 'mqtt-url mqtt://gw:%s@127.0.0.1:1884\nmqtt-protocol 3.1.1\nmqtt-reconnect-max 2\nstate-dir %s\n' \
		"$1" "$work/state311" >"$work/auth.conf"
	: >"$work/auth.kcoapd.log"
	"$KCOAPD" -c "$work/auth.conf" -t gw311/ >/dev/null 2>"$work/auth.kcoapd.log" &
	dpid=$!
	wait_for 10 grep -q attached "$work/auth.kcoapd.log"
}
if wait_for 10 auth_up; then
	auth_kcoapd wrong
	refused_auth() {
		grep -qiE '127.0.0.1:1884 refused the connection: .*(authori[sz]ed|password)' \
			"$work/auth.kcoapd.log"
	}
	check "a wrong password: kcoapd says the broker refused it, and why" wait_for 20 refused_auth
	r=$(coap -m post -e x "coap://$GW4/ps/sensors/t4")
	check "a CON publish meanwhile gets 5.03" got 5.03 "$r"
	stop_daemon TERM
	# In the URL the '/' is %2F; the '@' and ':' may stay (url.c).
	auth_kcoapd 's3%2Fcr@t:1'
	check "the right password, written with a %-escape: connected" \
		wait_for 20 grep -q 'connected to 127.0.0.1:1884' "$work/auth.kcoapd.log"
	check "as user gw, in MQTT 3.1.1 (the broker's log says p2)" \
		grep -qE "\(p2, c[01], k[0-9]+, u'gw'\)" "$work/auth.log"
	bg mosquitto_sub "${AQ[@]}" -i s311 -v -t 'gw311/#' >"$work/auth.sub"
	wait_for 10 grep -qE '^[0-9]+: s311 [0-2] gw311/#' "$work/auth.log"
	r=$(coap -m post -e 22.5 "coap://$GW4/ps/sensors/t4")
	check "a CON POST through it: 2.04" got 2.04 "$r"
	check "and the password-protected subscriber sees it" wait_for 20 has auth.sub "gw311/sensors/t4 22.5"
	stop_daemon TERM
else
	not_ok "a mosquitto with a password file does not start"
	sed 's/^/# auth: /' "$work/passwd.log" "$work/mosquitto.out"
fi
if [ "$t_failed" != 0 ]; then
	for f in kcoapd.log rsp dead rsp2 timeline auth.kcoapd.log auth.log; do
		tail -n 60 "$work/$f" | sed "s/^/# $f: /"
	done
fi
t_done
