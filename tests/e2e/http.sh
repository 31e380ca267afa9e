#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# kcoapd's HTTP -> CoAP proxy (docs/http.md, RFC 8075) with curl: each
# method on the gateway's own resources (/hc/coap://localhost/...) and on
# a device (coap-server-notls in the client namespace, a "device" line),
# the code mapping (2.01 201, 2.04 204, 2.05 200, 2.03 304, 4.04 404, 4.05
# 400), Content-Type, ETag and Cache-Control, the ACL (a client outside
# the granted prefix gets 403), the limits (413, 415, 501), an observed
# resource as a Server-Sent Events stream that receives a CoAP PUT's
# notification, and a device that does not answer as 504.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
pids=()
dpid="" bpid=""
cleanup() {
	[ -n "$dpid" ] && kill "$dpid" 2>/dev/null
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	[ -n "$bpid" ] && kill "$bpid" 2>/dev/null
	wait 2>/dev/null
	netns_down
	rm -rf "$work"
}
trap cleanup EXIT
netns_up
KCOAPD=$KCOAP_TOP/build/userspace/kcoapd
H=http://127.0.0.1:8080
bg() { "$@" & pids+=($!); }

# curl_code ARGS...: the status code only; curl_full: headers and body.
curl_code() { curl -s -o /dev/null -w '%{http_code}' -m 30 "$@"; }
curl_full() { curl -s -i -m 30 "$@" | tr -d '\r'; }
header() { sed -n "s/^$1: //Ip" <<<"$2" | head -n 1; }
body() { sed '1,/^$/d' <<<"$1"; }
status() { sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p' <<<"$1"; }

broker_start "$work" || { not_ok "mosquitto does not start"; t_done; exit 1; }
# 127.0.0.1 (curl here) may command devices and use the store; the
# client namespace only what the built-in rules give everyone.
cat >"$work/acl" <<EOF
address 127.0.0.1 ::1
topic readwrite cmd/#
store readwrite #
default
topic deny cmd/#
topic deny rsp/#
topic readwrite #
store readwrite #
rd register *
EOF
# Short CoAP timeouts: the device that does not answer gives up in about
# 0.3 + 0.6 s rather than the default 93 s.
cat >"$work/kcoapd.conf" <<EOF
http-port 8080
http-body-max 1024
acl-file $work/acl
coap-ack-timeout 300
coap-max-retransmit 1
state-dir $work/state
device dev1 $CLI4:5690
device ghost 192.0.2.77:5683
EOF
attached() { grep -q attached "$work/kcoapd.log"; }
"$KCOAPD" -c "$work/kcoapd.conf" --mqtt mqtt://127.0.0.1:1883 -t gw/ >/dev/null \
	2>"$work/kcoapd.log" &
dpid=$!
wait_for 20 attached || { not_ok "kcoapd attaches"; cat "$work/kcoapd.log"; t_done; exit 1; }
listening() { [ -n "$(ss -Hltn 'sport = :8080')" ]; }
check "kcoapd listens on http-port 8080" wait_for 10 listening

# The gateway's own resources: the store through kcoap.ko and kcoapd.
r=$(curl_full -X PUT -H 'Content-Type: text/plain' --data-binary 21.5 "$H/hc/coap://localhost/store/t")
check_eq "PUT of a new store path: 2.01 as 201" "$(status "$r")" 201
r=$(curl_full -X PUT -H 'Content-Type: text/plain' --data-binary 21.7 "$H/hc/coap://localhost/store/t")
check_eq "PUT again: 2.04 Changed without a body as 204" "$(status "$r")" 204
r=$(curl_full "$H/hc/coap://localhost/store/t")
check_eq "GET: 2.05 as 200 with the value" "$(status "$r") $(body "$r")" "200 21.7"
check_eq "Content-Format 0 as Content-Type text/plain;charset=utf-8" \
	"$(header Content-Type "$r")" "text/plain;charset=utf-8"
etag=$(header ETag "$r")
check "the ETag as a quoted strong validator" grep -qE '^"[0-9a-f]{2,16}"$' <<<"$etag"
check_eq "Max-Age as Cache-Control" "$(header Cache-Control "$r")" "max-age=60"
check_eq "the short form /coap/PATH reaches the same resource" \
	"$(curl -s -m 30 "$H/coap/store/t")" 21.7
check_eq "If-None-Match with the current ETag: 2.03 Valid as 304" \
	"$(curl_code -H "If-None-Match: $etag" "$H/hc/coap://localhost/store/t")" 304
r=$(curl_full -X POST -H 'Content-Type: application/json' --data-binary '{"a":1}' \
	"$H/hc/coap://localhost/store/")
check_eq "POST to /store/: 2.01 as 201" "$(status "$r")" 201
loc=$(header Location "$r")
check "with Location-Path as a Location through the proxy" grep -qE '^/hc/coap://localhost/store/[0-9]+$' <<<"$loc"
r=$(curl_full "$H$loc")
check_eq "which reads back as application/json" \
	"$(status "$r") $(header Content-Type "$r") $(body "$r")" '200 application/json {"a":1}'
check_eq "DELETE: 2.02 Deleted without a body as 204" \
	"$(curl_code -X DELETE "$H$loc")" 204
check_eq "GET of what is gone: 4.04 as 404" "$(curl_code "$H$loc")" 404
check_eq "a path nothing serves: 4.04 as 404" \
	"$(curl_code "$H/hc/coap://localhost/no/such/thing")" 404
check_eq "a Content-Type with no Content-Format: 415" \
	"$(curl_code -X PUT -H 'Content-Type: text/x-nonsense' --data-binary x "$H/hc/coap://localhost/store/t")" 415
check_eq "a body over http-body-max (1024): 413" \
	"$(head -c 2000 /dev/zero | curl_code -X PUT --data-binary @- "$H/hc/coap://localhost/store/big")" 413
check_eq "a method CoAP has not (OPTIONS): 501" \
	"$(curl_code -X OPTIONS "$H/hc/coap://localhost/store/t")" 501
check_eq "an unknown device: 404" "$(curl_code "$H/hc/coap://nosuch/x")" 404

# A device: coap-server-notls, known by a "device" line.
bg ip netns exec cli coap-server-notls -A "$CLI4" -p 5690 -e
device_up() { [ -n "$(ip netns exec cli ss -Hlun 'sport = :5690')" ]; }
wait_for 20 device_up || not_ok "coap-server-notls listens"
check_eq "PUT to a device: its 2.01 as 201" \
	"$(curl_code -X PUT -H 'Content-Type: text/plain' --data-binary on "$H/hc/coap://dev1/example_data")" 201
r=$(curl_full "$H/hc/coap://dev1/example_data")
check_eq "GET from the device: 200 with what the PUT stored" "$(status "$r") $(body "$r")" "200 on"
check_eq "POST to a resource that does not allow it: 4.05 as 400" \
	"$(curl_code -X POST -H 'Content-Type: text/plain' --data-binary x "$H/hc/coap://dev1/example_data")" 400
check_eq "the device from an address the ACL does not grant cmd/#: 403" \
	"$(ip netns exec cli curl -s -o /dev/null -w '%{http_code}' -m 30 "http://$GW4:8080/hc/coap://dev1/example_data")" 403
check_eq "the store from there: allowed (the built-in-like default rules)" \
	"$(ip netns exec cli curl -s -m 30 "http://$GW4:8080/hc/coap://localhost/store/t")" 21.7

# A device that does not answer: 504 once the retransmissions are over.
t0=$SECONDS
check_eq "a device that does not answer: 504" "$(curl_code "$H/hc/coap://ghost/x")" 504
check "within the CoAP retransmission time (under 20 s)" test $((SECONDS - t0)) -lt 20

# An observed resource as Server-Sent Events.
curl -s -N -m 60 -H 'Accept: text/event-stream' "$H/hc/coap://localhost/store/t" >"$work/sse" &
spid=$!
pids+=($spid)
first() { grep -qx 'data: 21.7' "$work/sse"; }
check "an event stream starts with the current value" wait_for 20 first
observing() { [ "$(kstat observers)" -ge 1 ]; }
check "the proxy is an observer in the kernel" wait_for 10 observing
ip netns exec cli coap-client-notls -B 10 -m put -e 23.25 "coap://$GW4/store/t" >/dev/null
second() { grep -qx 'data: 23.25' "$work/sse"; }
check "a CoAP PUT's notification arrives as the next event" wait_for 20 second
check "each event carries the Observe number as its id" grep -qE '^id: [0-9]+$' "$work/sse"
kill "$spid" 2>/dev/null
wait "$spid" 2>/dev/null
# The stream's end is seen at the next write: a notification or the
# 15 s comment; either deregisters the observation (RFC 7641 §3.6).
ip netns exec cli coap-client-notls -B 10 -m put -e 24 "coap://$GW4/store/t" >/dev/null
no_observer() { [ "$(kstat observers)" = 0 ]; }
check "a client that goes away deregisters the observation" wait_for 40 no_observer
check "the status file counts the proxy's requests" \
	grep -q '^http-requests [1-9]' /run/kcoap/kcoapd.$dpid.status

check "kcoapd is still running" kill -0 "$dpid"
t_done
