#!/bin/bash
# /.well-known/core from the resource table (RFC 6690), its query filters,
# Block2 for a large table, and multicast discovery (RFC 7252 §8).
. "$(dirname "$0")/lib.sh"
trap netns_down EXIT
netns_up

kctl resource add /sensors/temp --value 21 --rt temperature --obs --title "Temp \"A\""
kctl resource add /sensors/hum --value 40 --rt "humidity sensor" --if core.s
kctl resource add /act/led --value off --rt light --ct application/json --methods get,put

wk=$(coap_get coap://$GW4/.well-known/core)
check_eq "all three resources are listed, with attributes" "$wk" \
'</sensors/temp>;rt="temperature";ct=0;obs;title="Temp \"A\"",</sensors/hum>;rt="humidity sensor";if="core.s";ct=0,</act/led>;rt="light";ct=50'
r=$(raw $GW4 5683 "CON GET 1 - /.well-known/core")
check "as application/link-format (40)" grep -q " o12=28 " <<<"$r"
check_eq "?rt=temperature" "$(coap_get "coap://$GW4/.well-known/core?rt=temperature")" \
	'</sensors/temp>;rt="temperature";ct=0;obs;title="Temp \"A\""'
check_eq "?rt=sensor matches one of several rt values" \
	"$(coap_get "coap://$GW4/.well-known/core?rt=sensor")" \
	'</sensors/hum>;rt="humidity sensor";if="core.s";ct=0'
check_eq "?href=/sensors/* is a prefix match" \
	"$(coap_get "coap://$GW4/.well-known/core?href=/sensors/*" | tr ',' '\n' | cut -d';' -f1 | tr '\n' ' ')" \
	"</sensors/temp> </sensors/hum> "
check_eq "?obs" "$(coap_get "coap://$GW4/.well-known/core?obs" | cut -d';' -f1)" "</sensors/temp>"
check_eq "?ct=50" "$(coap_get "coap://$GW4/.well-known/core?ct=50" | cut -d';' -f1)" "</act/led>"
r=$(raw $GW4 5683 "CON GET 2 - /.well-known/core ?rt=nothing")
check "no match over unicast: 2.05 with no payload" \
	grep -Eq "^ACK 2.05 mid=2 token= o4=[0-9a-f]{8} o12=28$" <<<"$r"
r=$(raw $GW4 5683 "CON PUT 3 - /.well-known/core")
check "PUT /.well-known/core gets 4.05" grep -q "^ACK 4.05 mid=3" <<<"$r"

# A table whose link document takes several blocks.
for i in $(seq 1 150); do echo "resource add /many/r$i --value $i --rt bulk"; done >"$KCOAP_TMP/batch"
kctl --batch "$KCOAP_TMP/batch"
n=$(coap_get "coap://$GW4/.well-known/core?rt=bulk" | tr ',' '\n' | grep -c '^</many/r')
check_eq "150 links arrive through Block2" "$n" 150
r=$(raw $GW4 5683 "CON GET 4 - /.well-known/core o23=#6")
# An unverified address (this veth peer) may get smaller blocks (RFC 7959
# §2.2) to stay within 3x its request (RFC 9175 §2.4): M set, any SZX.
check "block 0 of the document has M set" grep -qE " o23=0[89a-e] " <<<"$r"

# Multicast (§8): off by default.
ip -n cli route add 224.0.0.0/4 dev kc1
check_eq "no multicast answer while multicast is off" \
	"$(raw $GW4 5683 "NON GET 5 - /.well-known/core" >/dev/null; raw 224.0.1.187 5683 "NON GET 5 - /.well-known/core ?rt=light")" "-"
kctl config set multicast on
sleep 1
r=$(raw 224.0.1.187 5683 "NON GET 6 - /.well-known/core ?rt=light")
check "discovery over 224.0.1.187 answers from a unicast address" grep -q '^NON 2.05 .*payload=' <<<"$r"
r=$(raw "ff02::fd%kc1" 5683 "NON GET 7 - /.well-known/core ?rt=light")
check "and over ff02::fd" grep -q '^NON 2.05 .*payload=' <<<"$r"
check_eq "a query with no match is silent" \
	"$(raw 224.0.1.187 5683 "NON GET 8 - /.well-known/core ?rt=nothing")" "-"
check_eq "an error (4.04) is silent" "$(raw 224.0.1.187 5683 "NON GET 9 - /nowhere")" "-"
check_eq "a CON multicast request is not processed" \
	"$(raw 224.0.1.187 5683 "CON GET 10 - /.well-known/core")" "-"
check "multicast requests are counted" test "$(kstat rx-multicast)" -ge 5
kctl config set multicast off
sleep 1
check_eq "silent again after multicast off" \
	"$(raw 224.0.1.187 5683 "NON GET 11 - /.well-known/core")" "-"
t_done
