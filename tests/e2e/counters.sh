#!/bin/bash
# The module's sockets exist in the initial network namespace, on the port
# given as a module parameter, in others once asked for (kcoapctl endpoint
# add), and count what arrives over IPv4 and IPv6. netns.sh tests more.
. "$(dirname "$0")/lib.sh"
trap netns_down EXIT
netns_up

check "IPv4 and IPv6 sockets listen on UDP 5683" \
	test "$(ss -Hlun 'sport = :5683' | wc -l)" = 2
check "a new namespace gets no socket unasked" \
	test "$(ip netns exec cli ss -Hlun 'sport = :5683' | wc -l)" = 0

before=$(stat "" rx-datagrams)
bytes_before=$(stat "" rx-bytes)
send_udp cli $GW4 5683 10 "hello"
send_udp cli $GW6 5683 7 "hi"
check_eq "17 datagrams counted" $(($(stat "" rx-datagrams) - before)) 17
check_eq "payload bytes counted" $(($(stat "" rx-bytes) - bytes_before)) $((10 * 5 + 7 * 2))
check_eq "10 counted as IPv4" "$(stat "" rx-ipv4)" 10
check_eq "7 counted as IPv6" "$(stat "" rx-ipv6)" 7
check "the sending namespace has no kcoap state" \
	ip netns exec cli test ! -e /proc/net/kcoap

# (5684 is the coaps endpoint's, counted too: another port is 5690.)
before=$(stat "" rx-datagrams)
send_udp cli $GW4 5690 5 "other port"
check_eq "datagrams to another port are not counted" "$(stat "" rx-datagrams)" "$before"

# The port parameter moves the endpoint.
rmmod kcoap
insmod "$KO" port=5685
send_udp cli $GW4 5685 3 "x"
send_udp cli $GW4 5683 3 "x"
check_eq "port=5685 counts datagrams to 5685 only" "$(stat "" rx-datagrams)" 3
rmmod kcoap
insmod "$KO" port=0
check "port=0 loads without an endpoint" \
	test "$(ss -Hlun 'sport = :5683' | wc -l)" = 0
rmmod kcoap
insmod "$KO"

# Unloading while datagrams keep arriving from both families.
flood() { ip netns exec cli bash -c "exec 3>/dev/udp/$1/5683; while :; do printf flood >&3; done 2>/dev/null" & }
flood $GW4
f4=$!
flood $GW6
f6=$!
counting() { [ "$(stat "" rx-datagrams)" -gt 0 ] 2>/dev/null; }
check "datagrams arrive during the flood" wait_for 20 counting
check "rmmod succeeds under load" rmmod kcoap
check "the counters are gone with the module" test ! -e /proc/net/kcoap
check "insmod succeeds under load" insmod "$KO"
check "counting resumes after reload" wait_for 20 counting
check "rmmod succeeds under load again" rmmod kcoap
kill $f4 $f6
wait $f4 $f6 2>/dev/null
insmod "$KO"

# Namespaces come and go while the module is loaded.
for i in 1 2 3; do
	ip netns add tmp$i
	ip -n tmp$i link set lo up
	ip netns exec tmp$i "$KCOAPCTL" endpoint add
	send_udp tmp$i 127.0.0.1 5683 2 "x"
done
check_eq "a namespace counts its own loopback traffic" "$(stat tmp2 rx-datagrams)" 2
for i in 1 2 3; do ip netns del tmp$i; done
t_done
