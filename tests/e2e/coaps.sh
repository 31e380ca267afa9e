#!/bin/bash
# The coaps endpoint's datagram path (RFC 7252 §9, RFC 6347): sockets on
# dtls-port beside the coap ones; a ClientHello without a cookie gets a
# stateless HelloVerifyRequest (§4.2.1) from the kernel, the second one,
# with the cookie, goes up the ring to the daemon that runs the handshake;
# datagrams from peers with no handshake or session are dropped. Needs no
# handshake in kcoapd: libcoap's GnuTLS client gets as far as the cookie.
. "$(dirname "$0")/lib.sh"
dpid=""
trap '[ -n "$dpid" ] && kill -9 "$dpid" 2>/dev/null
	kctl config set dtls-port 5684 >/dev/null 2>&1; netns_down; rm -rf "$work"' EXIT
netns_up
work=$(mktemp -d)
KCOAPD=$KCOAP_TOP/build/userspace/kcoapd

bound() { [ -n "$(ss -Hlun "sport = :$1")" ]; }
unbound() { ! bound "$1"; }
delta() { echo $(($(kstat "$1") - $2)); }
at_least() { [ "$(kstat "$1")" -ge "$2" ]; }
# coap-client-gnutls with a PSK: no kcoapd answers the handshake yet,
# so it fails, after its ClientHellos.
coaps_get() {
	ip netns exec cli timeout 30 coap-client-gnutls -B 4 -u kpath -k secret \
		"$1" >/dev/null 2>&1
	true
}

check "coaps sockets on UDP 5684 beside coap's" bound 5684
check_eq "one IPv4 and one IPv6" "$(ss -Hlun 'sport = :5684' | wc -l)" 2

printf 'prefix /store/\nstate-dir %s\n' "$work/state" >"$work/kcoapd.conf"
"$KCOAPD" -c "$work/kcoapd.conf" >/dev/null 2>>"$work/kcoapd.log" &
dpid=$!
check "kcoapd attaches" wait_for 10 grep -q attached "$work/kcoapd.log"

hvr=$(kstat dtls-hello-verify) up=$(kstat dtls-handed-up)
bad=$(kstat dtls-cookie-bad) raw=$(kstat rx-handed-up)
coaps_get "coaps://$GW4/store/x"
check "a ClientHello without a cookie gets a HelloVerifyRequest" \
	test "$(delta dtls-hello-verify "$hvr")" -ge 1
check "the client's second ClientHello carries the cookie: up the ring" \
	test "$(delta dtls-handed-up "$up")" -ge 1
check_eq "and its cookie checked" "$(delta dtls-cookie-bad "$bad")" 0
check_eq "handshake datagrams are not CoAP requests" \
	"$(delta rx-handed-up "$raw")" 0

hvr=$(kstat dtls-hello-verify) up=$(kstat dtls-handed-up)
coaps_get "coaps://[$GW6]/store/x"
check "over IPv6 too: HelloVerifyRequest" test "$(delta dtls-hello-verify "$hvr")" -ge 1
check "and the cookie'd ClientHello goes up" test "$(delta dtls-handed-up "$up")" -ge 1

ns=$(kstat dtls-no-session) up=$(kstat dtls-handed-up)
send_udp cli $GW4 5684 3 "not a DTLS record at all"
check "datagrams from a peer with no session: dropped, counted" \
	wait_for 10 at_least dtls-no-session $((ns + 3))
check_eq "and not handed up" "$(delta dtls-handed-up "$up")" 0

# Hand-made ClientHellos (tests/e2e/dtls_hello.py): one whose cookie is
# not ours (a spoofed second flight) gets a fresh HelloVerifyRequest and
# makes no state; the cookie of a HelloVerifyRequest, sent back, is good.
hello() { ip netns exec cli python3 "$(dirname "$0")/dtls_hello.py" "$@"; }
hvr=$(kstat dtls-hello-verify) bad=$(kstat dtls-cookie-bad) up=$(kstat dtls-handed-up)
check "a bad cookie gets a HelloVerifyRequest laid out as RFC 6347 §4.2.1 has it" \
	hello $GW4 bad
check_eq "counted" "$(delta dtls-cookie-bad "$bad")" 1
check_eq "one HelloVerifyRequest" "$(delta dtls-hello-verify "$hvr")" 1
check_eq "and nothing up" "$(delta dtls-handed-up "$up")" 0
check "the cookie of a HelloVerifyRequest, sent back, is taken" hello $GW6 good
check_eq "and that ClientHello goes up" "$(delta dtls-handed-up "$up")" 1
check_eq "with no cookie counted bad" "$(delta dtls-cookie-bad "$bad")" 1
fr=$(kstat dtls-bad-record)
check "a fragment of a ClientHello gets no answer" hello $GW4 fragment
check_eq "counted as a bad record" "$(delta dtls-bad-record "$fr")" 1

# One host cannot take every handshake slot: dtls-max-handshakes-per-peer
# (its IPv4 address or IPv6 /64, whatever the ports).
r=$(kctl config show)
check "dtls-max-handshakes-per-peer: 64 by default" \
	grep -q "^dtls-max-handshakes-per-peer  *64$" <<<"$r"
kctl config set dtls-max-handshakes-per-peer 0
check "set to 0" grep -q "^dtls-max-handshakes-per-peer  *0$" <<<"$(kctl config show)"
pl=$(kstat dtls-handshake-peer-limit) up=$(kstat dtls-handed-up)
check "at 0, three cookie'd ClientHellos from three ports" hello $GW4 many 3
check "start no handshake: dtls-handshake-peer-limit 3" \
	wait_for 10 at_least dtls-handshake-peer-limit $((pl + 3))
check_eq "and go nowhere" "$(delta dtls-handed-up "$up")" 0
kctl config set dtls-max-handshakes-per-peer 64
check "at 64, three more" hello $GW4 many 3
check "each start one, up the ring" wait_for 10 at_least dtls-handed-up $((up + 3))
check_eq "none refused" "$(delta dtls-handshake-peer-limit "$pl")" 3

kctl config set dtls-port 5694
check "config set dtls-port moves the coaps sockets" bound 5694
check "off the old port" unbound 5684
check_eq "coap stays where it was" "$(ss -Hlun 'sport = :5683' | wc -l)" 2
kctl config set dtls-port 0
check "dtls-port 0 closes them" unbound 5694
kctl config set dtls-port 5684
check "and back" bound 5684

kctl resource add /plain --value 1
check_eq "plain coap is served all the while" "$(coap_get coap://$GW4/plain)" 1

# A resource served only over DTLS (RFC 7252 §9): plain coap gets 4.01.
kctl resource add /secret --value s3 --secure --obs
r=$(raw $GW4 5683 "CON GET 77 5e /secret")
check "a secure resource: a plain GET gets 4.01 Unauthorized" \
	grep -q "^ACK 4.01 mid=77 token=5e" <<<"$r"
check "without the value" bash -c "! grep -q payload <<<'$r'"
r=$(raw $GW4 5683 "CON GET 78 5f /secret o6=#0")
check "nor can a plain client observe it" grep -q "^ACK 4.01 mid=78 token=5f" <<<"$r"
check_eq "and no observer was made" "$(kstat observers)" 0
r=$(kctl resource show /secret)
check "kcoapctl resource show says so" grep -q "^secure  *yes" <<<"$r"
r=$(kctl resource show /secret --json)
check "and --json" grep -q '"secure":true' <<<"$r"
kctl resource set /secret --no-secure
r=$(raw $GW4 5683 "CON GET 79 60 /secret")
check "--no-secure serves it to plain coap again" grep -q "^ACK 2.05 mid=79 token=60" <<<"$r"

t_done
