#!/bin/bash
# Observe (RFC 7641) in the kernel: libcoap's client sees every change,
# RST and Observe 1 cancel, 1000 observers on their own sockets all get
# every update, a CON nobody acknowledges is retransmitted with backoff
# and then the observer is dropped, and deleting the resource or unloading
# the module ends every observation with a 4.04.
. "$(dirname "$0")/lib.sh"
cpid=""
trap '[ -n "$cpid" ] && kill "$cpid" 2>/dev/null; netns_down; rm -rf "$work"' EXIT
netns_up
work=$(mktemp -d)
observer() { /usr/bin/python3 "$E2E_DIR/observer.py" "$@"; }
nobs() { kctl observers --json | grep -o '"token"' | wc -l; }
nobs_is() { [ "$(nobs)" = "$1" ]; }

kctl resource add /sensors/temp --value 20.0 --ct text/plain --max-age 60 \
	--rt temperature --obs

# libcoap's client observing for 30 s: the value, then every change.
ip netns exec cli coap-client-notls -s 30 -B 40 \
	"coap://$GW4/sensors/temp" >"$work/client" 2>&1 &
cpid=$!
check "coap-client-notls -s 30 gets the value on registration" \
	wait_for 15 grep -q '^20\.0' "$work/client"
r=$(kctl observers)
check "kcoapctl observers lists it with its address and path" \
	grep -q "^/sensors/temp  *$CLI4 " <<<"$r"
seen=20.0
for v in 21.5 22.0 19.75; do
	kctl resource set /sensors/temp --value $v
	seen+=$v
	wait_for 10 grep -q "^$seen" "$work/client"
done
check_eq "and sees each kcoapctl resource set, in order" \
	"$(tr -d '\n' <"$work/client")" "$seen"
kill -INT $cpid
wait $cpid
cpid=""
check "when it quits it deregisters" wait_for 5 nobs_is 0

# Observe 1 cancels (§3.6), answered without Observe; so does a RST.
r=$(raw --sport 40001 $GW4 5683 "CON GET 1 a1 o6=#0 /sensors/temp")
check "Observe 0 gets 2.05 with an Observe sequence number" \
	grep -q "^ACK 2.05 mid=1 token=a1 .*o6=[0-9a-f]" <<<"$r"
check_eq "one observer" "$(nobs)" 1
r=$(raw --sport 40001 $GW4 5683 "CON GET 2 a1 o6=#0 /sensors/temp")
check_eq "the same peer and token again replaces it" "$(nobs)" 1
r=$(raw --sport 40001 $GW4 5683 "CON GET 3 a1 o6=#1 /sensors/temp")
check "Observe 1 is answered without Observe" \
	bash -c "grep -q '^ACK 2.05 mid=3 token=a1 ' <<<'$r' && ! grep -q ' o6=' <<<'$r'"
check_eq "and removes the observer" "$(nobs)" 0
r=$(observer rst /sensors/temp "$KCOAPCTL" resource set /sensors/temp --value {})
check_eq "an observer gets the notification" "$(grep notified <<<"$r")" "notified: 1"
check_eq "and after its RST no more (§3.6)" "$(grep 'after rst' <<<"$r")" "after rst: 0"
check_eq "nor is it listed" "$(nobs)" 0

# A resource that is not observable answers without Observe.
kctl resource add /plain --value x
r=$(raw $GW4 5683 "CON GET 4 b2 o6=#0 /plain")
check "a non-observable resource answers 2.05 without Observe" \
	bash -c "grep -q '^ACK 2.05 mid=4 ' <<<'$r' && ! grep -q ' o6=' <<<'$r'"
check_eq "and adds no observer" "$(nobs)" 0

# 1000 observers, each on its own socket, get every one of 3 updates.
# They all share one address: lift max-observers-per-peer (256) for them.
kctl config set max-observers-per-peer 1000
kctl resource add /fan --value v0 --obs
sent=$(kstat tx-notify) nf=$(kstat "tx-code 4.04")
r=$(observer --updates 3 many 1000 /fan "$KCOAPCTL" resource set /fan --value {})
check_eq "1000 observers register" "$(grep registered <<<"$r")" "registered: 1000/1000"
check_eq "all of them get update 1" "$(grep 'update 1' <<<"$r")" "update 1: 1000/1000"
check_eq "update 2" "$(grep 'update 2' <<<"$r")" "update 2: 1000/1000"
check_eq "update 3" "$(grep 'update 3' <<<"$r")" "update 3: 1000/1000"
check_eq "with rising sequence numbers" "$(grep sequence <<<"$r")" "sequence numbers rise: yes"
check_eq "and no notification twice" "$(grep duplicates <<<"$r")" "duplicates: 0"
check_eq "kcoapctl stats counts the observers" "$(kstat observers)" 1000
check_eq "and 3000 notifications sent" "$(($(kstat tx-notify) - sent))" 3000
kctl resource del /fan
check_eq "deleting the resource sends each a 4.04" "$(($(kstat "tx-code 4.04") - nf))" 1000
check_eq "and ends every observation" "$(kstat observers)" 0
kctl config set max-observers-per-peer 256

# The limits are the operator's: the 3rd observer of a resource is refused.
kctl config set max-observers-per-resource 2
for p in 40011 40012 40013; do
	raw --sport $p $GW4 5683 "CON GET 5 c3 o6=#0 /sensors/temp" >/dev/null
done
check_eq "max-observers-per-resource 2 keeps two" "$(nobs)" 2
check_eq "and counts the refusal" "$(kstat observe-refused)" 1
kctl config set max-observers-per-resource 1024

# A CON notification nobody acknowledges (RFC 7252 §4.2): sent again
# after 500-750 ms (ack-timeout 500), then twice and four times as long;
# after the 3rd retransmission the observer is dropped (RFC 7641 §4.5).
kctl resource del /sensors/temp
kctl resource add /sensors/temp --value 20.0 --obs
kctl config set ack-timeout 500 max-retransmit 3 observe-con-every 1
r=$(observer --timeout 9 noack /sensors/temp "$KCOAPCTL" resource set /sensors/temp --value {})
check_eq "a CON notification is sent 1 + MAX_RETRANSMIT times" "$(grep copies <<<"$r")" "copies: 4"
check_eq "always as CON" "$(grep types <<<"$r")" "types: CON CON CON CON"
check_eq "with the same Message ID" "$(grep 'message ids' <<<"$r")" "message ids: 1"
g1=0 g2=0 g3=0
read -r g1 g2 g3 <<<"$(grep 'gaps ms' <<<"$r" | cut -d: -f2)"
echo "# gaps between copies: $g1 $g2 $g3 ms"
# The gaps are between the kernel's arrival stamps at the client; the
# margins are for a timer that fires late on a loaded guest.
check "the first wait is about ACK_TIMEOUT to 1.5 times that" \
	test "$g1" -ge 450 -a "$g1" -le 1000
check "and each one after about twice the one before" \
	test "$g1" -gt 0 -a "$g2" -ge $((g1 * 3 / 2)) -a "$g3" -ge $((g2 * 3 / 2))
check "then the observer is gone" wait_for 15 nobs_is 0
check_eq "counted as observe-timeout" "$(kstat observe-timeout)" 1
check_eq "after 3 retransmissions" "$(kstat tx-retransmit)" 3

# Unloading the module ends every observation with 4.04, while a CON
# notification is being retransmitted, and leaves no timer behind (a
# timer firing after the unload would oops, and the run would fail).
kctl config set ack-timeout 100 max-retransmit 10
# One observer that never acknowledges: its timer is armed at the unload.
observer --timeout 4 noack /sensors/temp true >/dev/null &
opid=$!
wait_for 10 nobs_is 1
observer --timeout 10 final /sensors/temp bash -c \
	"$KCOAPCTL resource set /sensors/temp --value {}; sleep 0.5; rmmod kcoap" \
	>"$work/final"
wait $opid
check_eq "unloading the module sends a final 4.04 without Observe" \
	"$(cat "$work/final")" "$(printf 'registered: 1/1\nfinal: 4.04 observe=no')"
check "the module is gone" test ! -d /sys/module/kcoap
sleep 2
check "and no timer fired after it" bash -c "! dmesg | grep -q 'BUG\|Oops'"
insmod "$KO" ${KCOAP_VM_MODPARAMS:-}
t_done
