#!/bin/bash
# Resource limits against one host that floods (issue 14, items 3, 4, 6):
# datagrams over max-message-size are dropped unread; the dedupe cache
# stays within its byte budgets (GET replies are not kept); one address
# gets at most max-observers-per-peer observers; registrations do not move
# other observers' sequence numbers; ICMP port unreachable ends an
# observation; notifications do not carry consecutive Message IDs.
. "$(dirname "$0")/lib.sh"
trap 'netns_down; rm -rf "$work"' EXIT
netns_up
work=$(mktemp -d)
# From the client namespace to HOST; limits_gw from the gateway's own
# (127.0.0.1), where the command it runs (kcoapctl) acts on the gateway.
lim() { ip netns exec cli /usr/bin/python3 "$E2E_DIR/limits.py" --host "$@"; }
limits_gw() { /usr/bin/python3 "$E2E_DIR/limits.py" "$@"; }
nobs() { kctl observers --json | grep -o '"token"' | wc -l; }
nobs_is() { [ "$(nobs)" = "$1" ]; }
cfg() { kctl config | awk -v k="$1" '$1 == k { print $2 }'; }
hex() { head -c "$1" /dev/zero | tr '\0' a | xxd -p | tr -d '\n'; }

# The floods here are about memory, not rate or reflection: the per-source
# token bucket and address validation (hostile.sh tests them) are off, so
# that every request gets through and every registration is answered at
# once, as from a verified client.
kctl config set ratelimit-rate 0 amp-factor 0
kctl resource add /big --value "$(head -c 1024 /dev/zero | tr '\0' k)"
kctl resource add /s --value s0 --obs

# RFC 7252 §4.6: the defaults, and a datagram over the maximum message
# size dropped before it is read (counted, no answer).
check_eq "max-message-size is 1152 by default" "$(cfg max-message-size)" 1152
check_eq "dedupe-max-bytes is 16 MiB" "$(cfg dedupe-max-bytes)" 16777216
check_eq "dedupe-max-peer-bytes is 1 MiB" "$(cfg dedupe-max-peer-bytes)" 1048576
check_eq "max-observers-per-peer is 256" "$(cfg max-observers-per-peer)" 256
big="CON GET 7 a7 /s payload=$(hex 1200)"
over=$(kstat rx-oversize) req=$(kstat rx-requests)
r=$(raw $GW4 5683 "$big")
check_eq "a 1200-byte datagram is not answered" "$r" "-"
check_eq "counted as rx-oversize" "$(($(kstat rx-oversize) - over))" 1
check_eq "and not parsed" "$(($(kstat rx-requests) - req))" 0
kctl config set max-message-size 1500
r=$(raw $GW4 5683 "$big")
check "with max-message-size 1500 it is answered" grep -q "^ACK 2.05 mid=7 " <<<"$r"
kctl config set max-message-size 1152

# A flood of CON GETs with fresh Message IDs from one host: answered, but
# the cache keeps no reply for a GET, and stays within dedupe-max-bytes.
kctl config set dedupe-max-bytes 65536
ev=$(kstat dedup-evicted) ex=$(kstat dedup-expired)
r=$(lim $GW4 flood 3000 /big)
check_eq "3000 CON GETs of a 1 KB resource are all answered" \
	"$(grep answered <<<"$r")" "answered: 3000/3000"
b=$(kstat dedup-bytes) n=$(kstat dedup-entries)
echo "# dedup-entries $n, dedup-bytes $b"
grep kcoap_dedup /proc/slabinfo | awk '$2 { print "# slab " $1 ": " $2 " objects of " $4 " bytes" }'
check "the cache holds at most dedupe-max-bytes (65536)" test "$b" -le 65536 -a "$b" -gt 0
check "in entries without replies (at most 64 bytes each)" test "$((b / n))" -le 64
gone=$(($(kstat dedup-evicted) - ev + $(kstat dedup-expired) - ex))
check "the oldest were evicted to make room" test "$gone" -ge $((3000 - n))

# dedupe-max-peer-bytes: that host's POSTs (not idempotent, their answers
# kept) are dropped at its share (which its GETs above already fill); its
# GETs are still served; another address's POSTs are answered.
kctl config set dedupe-max-bytes 1048576 dedupe-max-peer-bytes 4096
pl=$(kstat dedup-peer-limit)
r=$(lim $GW4 --timeout 20 flood 200 /s POST)
echo "# one host's POSTs: $r"
check "POSTs past the peer's share go unanswered" \
	bash -c "! grep -q 'answered: 200/' <<<'$r'"
check "and are counted as dedup-peer-limit" test "$(($(kstat dedup-peer-limit) - pl))" -gt 0
r=$(raw $GW4 5683 "CON GET 9001 b1 /s")
check "that host's GET is still served" grep -q "^ACK 2.05 mid=9001 " <<<"$r"
r=$(raw $GW6 5683 "CON POST 9002 b2 /s")
check "another address's POST is answered" grep -q "^ACK 4.05 mid=9002 " <<<"$r"
kctl config set dedupe-max-bytes 16777216 dedupe-max-peer-bytes 1048576

# max-observers-per-peer: the 4th registration from one address is
# refused (answered without Observe); another address still registers.
kctl config set max-observers-per-peer 3
for p in 41001 41002 41003 41004; do
	r=$(raw --sport $p $GW4 5683 "CON GET 1 c1 o6=#0 /s")
done
check "the 4th registration from one address is answered without Observe" \
	bash -c "grep -q '^ACK 2.05 mid=1 ' <<<'$r' && ! grep -q ' o6=' <<<'$r'"
check_eq "three observers kept" "$(nobs)" 3
check_eq "counted as observe-peer-limit" "$(kstat observe-peer-limit)" 1
r=$(raw --sport 41005 $GW6 5683 "CON GET 1 c1 o6=#0 /s")
check "another address registers" grep -q "^ACK 2.05 mid=1 .* o6=" <<<"$r"
check_eq "four observers" "$(nobs)" 4
kctl config set max-observers-per-peer 256

# ICMP port unreachable (RFC 7641 §4.5): the observers above have closed
# their sockets; the next notification draws ICMP errors from the client
# host, which end their observations (v4 and v6).
un=$(kstat observe-unreachable)
kctl resource set /s --value s1
check "ICMP port unreachable ends the closed observers" wait_for 15 nobs_is 0
check_eq "counted as observe-unreachable" "$(($(kstat observe-unreachable) - un))" 4

# A registration storm from another socket does not advance an observer's
# sequence numbers (RFC 7641 §3.4, §4.4): its next is its last + 1.
r=$(limits_gw seq 3000 /s "$KCOAPCTL" resource set /s --value s2)
echo "# $(tr '\n' ' ' <<<"$r")"
check_eq "3000 re-registrations are answered" \
	"$(grep 'storm answered' <<<"$r")" "storm answered: 3000/3000"
check_eq "the observer's next notification is its last value + 1" \
	"$(grep next <<<"$r")" "next: +1"
check_eq "fresh by RFC 7641 §3.4" "$(grep fresh <<<"$r")" "fresh: yes"

# Message IDs of NON notifications to three observers: not consecutive,
# so one client's do not tell another's (RFC 7252 §4.4, RFC 7641 §3.6).
r=$(limits_gw mids 3 /s "$KCOAPCTL" resource set /s --value s3)
echo "# $(grep mids <<<"$r")"
check_eq "three observers notified" "$(grep notified <<<"$r")" "notified: 3/3"
check_eq "their Message IDs are not consecutive" \
	"$(grep consecutive <<<"$r")" "consecutive: no"
t_done
