#!/bin/bash
# Bad datagrams get RST or silence as RFC 7252 §4.2, §4.3 and §5.4.1 say,
# never a crash; a flood of random bytes leaves the module sane.
. "$(dirname "$0")/lib.sh"
trap netns_down EXIT
netns_up
kctl resource add /v --value ok

# expect DESCRIPTION MSG WANT: the decoded answer (or "-") begins with WANT.
expect() {
	local r
	r=$(raw --wait 0.3 $GW4 5683 "$2")
	if [[ "$r" == "$3"* ]]; then ok "$1"; else not_ok "$1"; echo "#   got: $r"; fi
}

expect "CON with token length 9 gets RST" 49010007000102030405060708 "RST 0.00 mid=7"
expect "CON with a reserved option nibble gets RST" 40010008f0 "RST 0.00 mid=8"
expect "CON with a payload marker and no payload gets RST" 40010009ff "RST 0.00 mid=9"
expect "CON with an option running past the end gets RST" 4001000ab4616263 "RST 0.00 mid=10"
expect "CON with a reserved code class (1.00) gets RST" 4020000b "RST 0.00 mid=11"
expect "NON with a format error is ignored" 5901000c "-"
expect "an empty message with a token is a format error: RST" 4100000d01 "RST 0.00 mid=13"
expect "version 2 is silently ignored" 8001000e "-"
expect "a 3-byte datagram is ignored" 400100 "-"
expect "an empty ACK matching nothing is dropped" 6000000f "-"
expect "an RST matching nothing is dropped" 70000010 "-"
expect "an unexpected CON response gets RST" "CON 2.05 17 aa" "RST 0.00 mid=17"
expect "an unexpected NON response is dropped" "NON 2.05 18 aa" "-"
expect "an unknown critical option in a CON request gets 4.02" \
	"CON GET 19 ab /v o2049=00" "ACK 4.02 mid=19 token=ab"
expect "a repeated critical non-repeatable option gets 4.02" \
	"CON GET 20 ab /v o3=61 o3=62" "ACK 4.02 mid=20 token=ab"
expect "an unknown critical option in a NON request is ignored" "NON GET 21 ab /v o2049=00" "-"
expect "an unknown elective option is ignored: 2.05" "CON GET 22 ab /v o2050=00" "ACK 2.05 mid=22"
many=$(for i in $(seq 1 40); do printf '?q%d ' "$i"; done)
expect "more options than the parser keeps gets 4.00" "CON GET 23 ab /v $many" "ACK 4.00 mid=23"
check "the reasons are counted" test "$(kstat rx-format-error)" -ge 7 -a \
	"$(kstat rx-bad-option)" -ge 3 -a "$(kstat rx-too-many-options)" -ge 1 -a \
	"$(kstat rx-dropped)" -ge 2 -a "$(kstat rx-stray)" -ge 4

# Random datagrams from both families: nothing breaks, all are counted.
before=$(kstat rx-datagrams)
ip netns exec cli python3 - $GW4 $GW6 <<'PY'
import os, random, socket, sys
random.seed(7252)
s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
for i in range(3000):
    n = random.choice([0, 1, 3, 4, 5, 8, 16, 64, 300, 1400])
    data = bytearray(os.urandom(n))
    if n >= 4 and i % 2:
        data[0] = 0x40 | (data[0] & 0x3F)   # version 1: deeper into the parser
    (s4.sendto(data, (sys.argv[1], 5683)) if i % 3 else
     s6.sendto(data, (sys.argv[2], 5683)))
PY
# (Softirq may still be at the backlog when python exits.)
all_counted() { [ $(($(kstat rx-datagrams) - before)) -ge 3000 ]; }
wait_for 20 all_counted
check_eq "3000 random datagrams counted" "$(($(kstat rx-datagrams) - before))" 3000
check_eq "the endpoint still answers" "$(coap_get coap://$GW4/v)" "ok"
t_done
