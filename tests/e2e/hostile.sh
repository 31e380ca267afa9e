#!/bin/bash
# Hostile networks (issue 14): spoofed sources get at most 3x what they
# sent (RFC 9175 §2.4) on every path, one flooding host is held to its
# token bucket, and well-behaved clients keep being answered; clients with
# and without Echo (libcoap's coap-client, the npm coap package) still
# discover, transfer Block2 and observe from addresses never seen before.
#
# The spoofed sources are 198.51.100.0/24, routed to the client namespace,
# which drops what comes back; a raw capture on its end of the veth counts
# the UDP payload bytes each way.
. "$(dirname "$0")/lib.sh"
SPOOF=198.51.100.
CAP=$KCOAP_TMP/hostile.cap
HOSTILE=$E2E_DIR/hostile.py
cleanup() {
	[ -n "${cap_pid:-}" ] && kill "$cap_pid" 2>/dev/null
	[ -n "${good_pid:-}" ] && kill "$good_pid" 2>/dev/null
	netns_down
}
trap cleanup EXIT
netns_up
# Well-behaved .3, npm coap .4, coap-client .5, the flooder is .2.
ip -n cli addr add 192.0.2.3/24 dev kc1
ip -n cli addr add 192.0.2.4/24 dev kc1
ip -n cli addr add 192.0.2.5/24 dev kc1
ip route add ${SPOOF}0/24 via $CLI4

kctl config set ratelimit-rate 300 ratelimit-burst 600 ack-timeout 500 max-retransmit 2
kctl resource add /temp --value 21 --obs
kctl resource add /big --value "$(head -c 1024 /dev/zero | tr '\0' x)"
# A link document of more than 4 KB: long rt= values.
rt=urn:example:sensor-type:environmental-temperature-and-humidity-probe
for i in $(seq 1 60); do echo "resource add /r/$i --value $i --rt $rt-$i"; done >"$KCOAP_TMP/batch"
kctl --batch "$KCOAP_TMP/batch"

# start_capture: counting from now on.
start_capture() {
	rm -f "$CAP" "$CAP.ready"
	ip netns exec cli python3 "$HOSTILE" capture kc1 "$SPOOF" "$CAP" &
	cap_pid=$!
	wait_for 30 test -e "$CAP.ready"
}
# stop_capture: sets rx and tx (UDP payload bytes from and to the spoofed
# sources). Not in a subshell: only this shell can wait for the capture,
# which writes its totals on the way out.
stop_capture() {
	kill "$cap_pid"
	wait "$cap_pid"
	cap_pid=
	wait_for 10 test -s "$CAP"
	read -r rx tx < <(awk '$1 == "rx" { rx = $2 } $1 == "tx" { tx = $2 } END { print rx + 0, tx + 0 }' "$CAP")
}
observers_at_most() { test "$(kstat observers)" -le "$1"; }
gauge() { kctl stats | awk -v k="$1" '$1 == k { print $2 }'; }

# The control: with the limit off, the same capture sees amplification.
kctl config set amp-factor 0
start_capture
ip netns exec cli python3 "$HOSTILE" spoof $GW4 $SPOOF 200 >/dev/null
sleep 1
stop_capture
echo "# amp-factor 0: $rx bytes from spoofed sources, $tx to them"
grep -E '^(rx|tx)-' "$CAP" | paste - - | sed 's/^/# amp-factor 0: /'
check "with amp-factor 0 the capture sees more than 3x (the check can fail)" \
	test "$tx" -gt $((3 * rx))
kctl config set amp-factor 3
kctl resource del /temp
kctl resource add /temp --value 21 --obs
wait_for 30 observers_at_most 0

start_capture
ip netns exec cli python3 "$HOSTILE" good $GW4 192.0.2.3 40 >"$KCOAP_TMP/good" &
good_pid=$!
ip netns exec cli python3 "$HOSTILE" flood $GW4 $CLI4 15 >"$KCOAP_TMP/flood" &
flood_pid=$!
rl=$(kstat ratelimited)
echo "# spoofed: $(ip netns exec cli python3 "$HOSTILE" spoof $GW4 $SPOOF 3000)"
echo "# observers after the registration storm: $(kstat observers)"
# Changes reach the spoofed observers: CON (unverified), never ACKed.
for v in 22 23 24; do
	kctl resource set /temp --value $v
	sleep 1
done

# Meanwhile, clients from fresh addresses: libcoap (with Echo) and npm coap
# (without), the whole link document (Block2) and an observation.
wk=$(ip netns exec cli coap-client-notls -B 30 -a 192.0.2.5 "coap://$GW4/.well-known/core")
echo "# coap-client: /.well-known/core of ${#wk} bytes"
check "coap-client: the whole link document (>= 4 KB, 60 long links)" \
	test "${#wk}" -ge 4096 -a "$(tr ',' '\n' <<<"$wk" | grep -c '^</r/')" = 60
export NODE_PATH=$KCOAP_TOP/build/node/node_modules
NODE=${KCOAP_NODE:-node}
[ -d "$NODE_PATH/coap" ] ||
	echo "# npm coap is not installed: run tests/e2e/node/install on the host"
nwk=$(ip netns exec cli "$NODE" "$E2E_DIR/node/client.js" get 192.0.2.4 $GW4 /.well-known/core)
echo "# npm coap: /.well-known/core of ${#nwk} bytes"
check_eq "npm coap: the same link document" "$nwk" "$wk"

ip netns exec cli coap-client-notls -s 12 -B 12 -a 192.0.2.5 "coap://$GW4/temp" \
	>"$KCOAP_TMP/obs-libcoap" 2>&1 &
lc_pid=$!
ip netns exec cli "$NODE" "$E2E_DIR/node/client.js" observe 192.0.2.4 $GW4 /temp 12 \
	>"$KCOAP_TMP/obs-npm" 2>"$KCOAP_TMP/obs-npm.err" &
npm_pid=$!
sleep 4
kctl resource set /temp --value 31
sleep 2
kctl resource set /temp --value 32
wait "$lc_pid" "$npm_pid"
# coap-client prints the values with no separator: the last must be 32.
check "coap-client: observed the changes" grep -q '32$' "$KCOAP_TMP/obs-libcoap"
check "npm coap: observed the changes" grep -qx 32 "$KCOAP_TMP/obs-npm"
sed 's/^/# coap-client observe: /' "$KCOAP_TMP/obs-libcoap" | head -5
sed 's/^/# npm observe: /' "$KCOAP_TMP/obs-npm" "$KCOAP_TMP/obs-npm.err" | head -5

wait "$flood_pid"
flood=$(cat "$KCOAP_TMP/flood")
echo "# flood: $flood CON GETs of /big from $CLI4 in 15 s"
# Python on the debug kernel under TCG may not even reach the budget
# (600 + 300/s): then there is nothing to hold back.
if [ "${flood:-0}" -gt $((600 + 300 * 15)) ]; then
	check "the flooding host was held to its bucket" test "$(kstat ratelimited)" -gt "$rl"
else
	ok "the flooding host was held to its bucket # SKIP it sent only $flood"
fi
wait "$good_pid"
good_pid=
read -r _ sent _ answered _ gap <"$KCOAP_TMP/good"
echo "# well-behaved client: $(cat "$KCOAP_TMP/good")"
check "the well-behaved client was answered throughout (>= 90%)" \
	test $((answered * 10)) -ge $((sent * 9))
check "with no gap over 3 s" awk -v g="$gap" 'BEGIN { exit !(g <= 3) }'

# The spoofed observers never acknowledge: gone after the retransmissions
# (the two clients may still be observing).
no_spoofed_observer() { ! kctl observers | grep -q "$SPOOF"; }
wait_for 60 no_spoofed_observer
check "spoofed observers were dropped" no_spoofed_observer
echo "# observers left: $(kstat observers)"
stop_capture
echo "# spoofed sources: $rx bytes received from them, $tx sent to them"
check "something was sent to spoofed sources (the capture works)" test "$tx" -gt 0
check "bytes to spoofed sources <= 3x bytes from them" test "$tx" -le $((3 * rx))
# Path by path: the sources of each kind of datagram are apart (hostile.py).
for k in wk big dup late obs obs_non garbage min non_big echo; do
	read -r krx ktx < <(awk -v k="$k" '$1 == "rx-" k { rx = $2 }
		$1 == "tx-" k { tx = $2 } END { print rx + 0, tx + 0 }' "$CAP")
	echo "# $k: $krx bytes from the spoofed sources, $ktx to them"
	check "$k: bytes to spoofed sources <= 3x bytes from them" test "$ktx" -le $((3 * krx))
done

for c in amp-limited tx-echo echo-bad ack-verified echo-verified ratelimited \
	ratelimit-full verify-full verified-peers ratelimit-sources; do
	echo "# $c $(gauge $c)"
done
check "4.01 with Echo went out" test "$(kstat tx-echo)" -gt 0
check "forged Echo values were refused" test "$(kstat echo-bad)" -gt 0
v=$(gauge verified-peers)
s=$(gauge ratelimit-sources)
check "the tables stay within their limits" test "$v" -le 16384 -a "$s" -le 8192
check "no spoofed address was verified (only the two clients)" test "$v" -le 2
t_done
