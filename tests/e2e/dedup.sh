#!/bin/bash
# Deduplication (RFC 7252 §4.5): per peer, port and Message ID; duplicate
# CONs get the very same reply (a GET or FETCH is served again: it is
# idempotent, and its reply is not kept), duplicate NONs nothing;
# lifetimes and the entry limit are settable.
. "$(dirname "$0")/lib.sh"
trap netns_down EXIT
netns_up

kctl resource add /v --value one

# Lifetimes: after EXCHANGE_LIFETIME the same ID is a new message.
# (5 s: the two copies sent after it must fall inside one lifetime even
# on a guest that stalls a second or two between them.)
kctl config set dedupe-lifetime 5
req=$(kstat rx-requests)
r=$(raw --sport 40000 $GW4 5683 "CON GET 99 ee /v")
sleep 6
r=$(raw --sport 40000 --repeat 2 $GW4 5683 "CON GET 99 ee /v")
check_eq "after the lifetime the same ID is processed again, once" \
	"$(($(kstat rx-requests) - req))" 2
check "the expired entry was counted" test "$(kstat dedup-expired)" -ge 1
kctl config set dedupe-lifetime 247
req=$(kstat rx-requests)
dups=$(kstat rx-duplicate)
r=$(raw --repeat 3 $GW4 5683 "CON GET 100 aa /v")
check_eq "three copies of a CON get three answers" "$(wc -l <<<"$r")" 3
check_eq "byte-identical answers" "$(sort -u <<<"$r" | wc -l)" 1
check_eq "processed once" "$(($(kstat rx-requests) - req))" 1
check_eq "two counted as duplicates" "$(($(kstat rx-duplicate) - dups))" 2

# A duplicate GET after a change is served afresh: GET is idempotent
# (§4.5 lets it be processed again), so its reply is not kept.
raw --sport 40001 $GW4 5683 "CON GET 101 bb /v" >/dev/null
kctl resource set /v --value two
req=$(kstat rx-requests)
r=$(raw --sport 40001 $GW4 5683 "CON GET 101 bb /v")
check "a duplicate GET after a change is served the new value" \
	grep -q "^ACK 2.05 mid=101 .*payload=$(printf two | xxd -p)$" <<<"$r"
check_eq "and is counted as a duplicate, not a request" "$(($(kstat rx-requests) - req))" 0
# A request that is not idempotent gets the very same bytes again.
r=$(raw --sport 40001 --repeat 2 $GW4 5683 "CON POST 102 bb /v payload=31")
check "a duplicate POST gets the kept answer" grep -q "^ACK 4.05 mid=102 " <<<"$r"
check_eq "byte for byte" "$(sort -u <<<"$r" | wc -l)" 1

# Two peers (two source ports here) using one Message ID: two exchanges.
req=$(kstat rx-requests)
raw $GW4 5683 "CON GET 103 cc /v" >/dev/null
raw $GW4 5683 "CON GET 103 cc /v" >/dev/null
check_eq "one Message ID from two ports is two requests" "$(($(kstat rx-requests) - req))" 2
req=$(kstat rx-requests)
raw $GW6 5683 "CON GET 103 cc /v" >/dev/null
check_eq "and from IPv6 a third" "$(($(kstat rx-requests) - req))" 1

r=$(raw --repeat 2 $GW4 5683 "NON GET 104 dd /v")
check "a NON is answered once" grep -q "^NON 2.05" <<<"$(head -n1 <<<"$r")"
check_eq "its duplicate is silently dropped" "$(tail -n1 <<<"$r")" "-"

check "kcoapctl peers lists the entries" test "$(kctl peers --json | grep -o '"mid"' | wc -l)" -ge 5

# The entry limit: oldest first out (of the CPU that makes room).
kctl config set dedupe-max-entries 16
msgs=()
for i in $(seq 200 239); do msgs+=("NON GET $i - /v"); done
# One CPU: each keeps its own oldest-first list, and a sender that moved
# between CPUs would leave #200 on the list of the one it left.
taskset -c 0 "$COAPRAW" --netns cli --sport 40002 --wait 0.3 $GW4 5683 "${msgs[@]}" >/dev/null
check "entries stay at the limit of 16" test "$(kstat dedup-entries)" -le 16
check "evictions are counted" test "$(kstat dedup-evicted)" -ge 24
r=$(raw --sport 40002 $GW4 5683 "NON GET 239 - /v")
check_eq "the newest entry is still there (its duplicate dropped)" "$r" "-"
r=$(raw --sport 40002 $GW4 5683 "NON GET 200 - /v")
check "the oldest was evicted (answered as new)" grep -q "^NON 2.05" <<<"$r"
t_done
