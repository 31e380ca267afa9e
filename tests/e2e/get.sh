#!/bin/bash
# GETs answered by the kernel (RFC 7252 §5.8.1, §5.10; RFC 7959 Block2),
# with libcoap's client and raw datagrams, over IPv4 and IPv6.
. "$(dirname "$0")/lib.sh"
trap 'netns_down; rm -rf "$work"' EXIT
netns_up
work=$(mktemp -d)

kctl resource add /sensors/temp --value 21.5 --ct text/plain --max-age 30 \
	--rt temperature --obs
check_eq "coap-client GETs a kcoapctl resource over IPv4" \
	"$(coap_get coap://$GW4/sensors/temp)" "21.5"
check_eq "and over IPv6" "$(coap_get "coap://[$GW6]/sensors/temp")" "21.5"

# A CON GET gets a piggybacked 2.05 in the ACK: same MID and token, ETag,
# Content-Format, Max-Age and the value.
r=$(raw $GW4 5683 "CON GET 4660 a1b2 /sensors/temp")
check "2.05 piggybacked in the ACK with MID and token echoed" \
	grep -q "^ACK 2.05 mid=4660 token=a1b2 " <<<"$r"
check "Max-Age is the resource's 30 s" grep -q " o14=1e " <<<"$r"
check "Content-Format text/plain (0)" grep -q " o12= " <<<"$r"
check_eq "payload is the value" "$(grep -o 'payload=[0-9a-f]*' <<<"$r")" \
	"payload=$(printf 21.5 | xxd -p)"
etag=$(grep -o ' o4=[0-9a-f]*' <<<"$r" | cut -d= -f2)
check "an ETag is given" test -n "$etag"

r=$(raw $GW4 5683 "NON GET 4661 c3 /sensors/temp")
check "a NON GET gets a NON 2.05 with the token" grep -q "^NON 2.05 mid=[0-9]* token=c3 " <<<"$r"
check "with a Message ID of the server's own" bash -c "! grep -q 'mid=4661 ' <<<'$r'"

# ETag validation (§5.10.6.2): a current ETag gets 2.03 and no payload.
r=$(raw $GW4 5683 "CON GET 4662 01 /sensors/temp o4=$etag")
check "a matching ETag gets 2.03 Valid" grep -q "^ACK 2.03 mid=4662 token=01 o4=$etag o14=1e$" <<<"$r"
kctl resource set /sensors/temp --value 22.0
r=$(raw $GW4 5683 "CON GET 4663 02 /sensors/temp o4=$etag")
check "after resource set the old ETag gets 2.05 with the new value" \
	grep -q "^ACK 2.05 .*payload=$(printf 22.0 | xxd -p)$" <<<"$r"
etag2=$(grep -o ' o4=[0-9a-f]*' <<<"$r" | cut -d= -f2)
check "and a new ETag" test -n "$etag2" -a "$etag2" != "$etag"

# Accept (§5.10.4): one representation per Content-Format.
printf '\xa1\x61\x74\xf9\x4d\x80' >"$work/v.cbor"
kctl resource add /multi --ct text/plain --value 21.5 --ct application/cbor --value-file "$work/v.cbor"
check_eq "without Accept the first representation" "$(coap_get coap://$GW4/multi)" "21.5"
check_eq "Accept application/cbor gets the CBOR one" \
	"$(coap_get -A application/cbor -o - coap://$GW4/multi | xxd -p)" "$(xxd -p "$work/v.cbor")"
r=$(raw $GW4 5683 "CON GET 4664 - /multi o17=#50")
check "Accept application/json gets 4.06" grep -q "^ACK 4.06 mid=4664" <<<"$r"

# Block2 (RFC 7959): a 100 KB resource, reassembled by libcoap.
head -c 100000 /dev/urandom >"$work/big"
kctl resource add /big --ct application/octet-stream --value-file "$work/big"
# -B bounds the whole transfer: a busy debug guest needs more than 5 s.
coap_get -B 60 -o "$work/got" coap://$GW4/big >/dev/null
check "a 100 KB resource reassembles from 1024-byte blocks" cmp -s "$work/big" "$work/got"
coap_get -B 400 -b 64 -o "$work/got64" "coap://[$GW6]/big" >/dev/null
check "and from 64-byte blocks over IPv6" cmp -s "$work/big" "$work/got64"
r=$(raw $GW4 5683 "CON GET 4665 - /big o28=#0")
check "block 0 has M set, SZX 6 and 1024 bytes" grep -q " o23=0e .*payload=" <<<"$r"
check "Size2 when asked" grep -q " o28=0186a0 " <<<"$r"
r=$(raw $GW4 5683 "CON GET 4666 - /big o23=#$(((97 << 4) | 6))")
check_eq "the last block (97) has M clear and 672 bytes" \
	"$(grep -o ' o23=[0-9a-f]*' <<<"$r") $(($(grep -o 'payload=[0-9a-f]*' <<<"$r" | wc -c) / 2 - 4))" \
	" o23=0616 672"
r=$(raw $GW4 5683 "CON GET 4667 - /big o23=#$(((98 << 4) | 6))")
check "a block past the end gets 4.02" grep -q "^ACK 4.02 mid=4667" <<<"$r"
r=$(raw $GW4 5683 "CON GET 4668 - /big o23=#7")
check "Block2 SZX 7 gets 4.00 (RFC 7959 §2.2)" grep -q "^ACK 4.00 mid=4668" <<<"$r"

# What the kernel does not serve.
r=$(raw $GW4 5683 "CON GET 4669 - /nowhere")
check "an unknown path gets 4.04" grep -q "^ACK 4.04 mid=4669" <<<"$r"
r=$(raw $GW4 5683 "CON PUT 4670 - /sensors/temp payload=3232")
check "PUT on a GET-only resource gets 4.05" grep -q "^ACK 4.05 mid=4670" <<<"$r"
kctl resource add /actuator --value off --methods get,put
r=$(raw $GW4 5683 "CON PUT 4671 - /actuator payload=6f6e")
check "PUT the daemon would serve gets 5.03 with Max-Age" grep -q "^ACK 5.03 mid=4671 token= o14=1e$" <<<"$r"
r=$(raw $GW4 5683 "CON GET 4672 - o35=$(printf coap://example.org/ | xxd -p)")
check "a Proxy-Uri request gets 5.05" grep -q "^ACK 5.05 mid=4672" <<<"$r"

# Ping (§4.3).
check_eq "an empty CON (ping) gets RST" "$(raw $GW4 5683 40004242)" "RST 0.00 mid=16962 token="

check "the 2.05s were counted by response code" test "$(kstat "tx-code 2.05")" -ge 100
t_done
