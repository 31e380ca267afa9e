#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# coaps:// (DTLS 1.2, docs/dtls.md) with clients kcoap did not write:
# libcoap's coap-client-gnutls and coap-client-openssl. kcoapd does the
# handshakes, the kernel the records: a PSK GET of a resource in the
# kernel's table is answered without anything handed up; PUT and POST go
# through kcoapd with the session's identity in the ACL; Observe gets its
# notifications sealed; Block2; certificates checked against a CA and raw
# public keys, each client known by the sha256 of its certificate or key;
# a wrong PSK and an untrusted certificate get no session; a replayed and
# an altered record are dropped and counted; kcoapctl session lists and
# ends sessions; a PSK file others can read stops kcoapd.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
dpid="" opid="" rpid=""
cleanup() {
	for p in $opid $rpid $dpid; do kill "$p" 2>/dev/null; done
	pkill -f "coaps://$GW4/obs" 2>/dev/null
	wait 2>/dev/null
	netns_down
	rm -rf "$work"
}
trap cleanup EXIT
netns_up
KCOAPD=$KCOAP_TOP/build/userspace/kcoapd
PORT=$(kctl config --json | sed -n 's/.*"dtls-port":\([0-9]*\).*/\1/p')
PORT=${PORT:-5684}
PSK=(-u client_identity -k secretPSK)
delta() { echo $(($(kstat "$1") - $2)); }
# coaps CLIENT ARGS... URI: one request from the client namespace (-B:
# give up after 20 s: the first session waits for the kernel's ccm module,
# and a loaded debug guest is slow).
# libcoap logs on stdout too ("Dec 07 00:31:17.704 WARN ..."): those lines
# go to client.log; -w ends the payload with a newline, so it is a line.
coaps() {
	local c=$1
	shift
	ip netns exec cli "coap-client-$c" -B 20 -w "$@" 2>>"$work/client.log" | payload
}
payload() {
	local l
	while IFS= read -r l; do
		if [[ $l =~ ^[A-Z][a-z][a-z]\ [0-9]+\ [0-9:.]+\ [A-Z]+\  ]]; then
			echo "$l" >>"$work/client.log"
		else
			echo "$l"
		fi
	done
}
# coaps_code CLIENT ARGS... URI: the response's code, from libcoap's log.
coaps_code() {
	local c=$1
	shift
	ip netns exec cli "coap-client-$c" -B 20 -v 6 "$@" 2>&1 |
		sed -n 's/.* t:\(ACK\|CON\|NON\) c:\([0-9]\.[0-9][0-9]\) .*/\2/p' | tail -1
}
established() { grep -c "established, " "$work/kcoapd.log"; }

# ---- keys and certificates, made now (ECDSA P-256: the CCM-8 suite) ----
mk_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; chmod 600 "$1"; }
mk_ca() { # NAME
	mk_key "$work/$1.key"
	openssl req -x509 -new -key "$work/$1.key" -subj "/CN=kcoap test $1" -days 2 \
		-out "$work/$1.pem" 2>/dev/null
}
mk_cert() { # NAME CA CN [SAN]
	mk_key "$work/$1.key"
	openssl req -new -key "$work/$1.key" -subj "/CN=$3" -out "$work/$1.csr" 2>/dev/null
	openssl x509 -req -in "$work/$1.csr" -CA "$work/$2.pem" -CAkey "$work/$2.key" \
		-CAcreateserial -days 2 -out "$work/$1.pem" \
		${4:+-extfile <(printf 'subjectAltName=%s\n' "$4")} 2>/dev/null
}
mk_ca ca
mk_ca rogue
mk_cert server ca "$GW4" "IP:$GW4"
mk_cert sensor ca sensor7
mk_cert intruder rogue sensor7
# libcoap's -M wants an "EC PRIVATE KEY" (SEC 1) file.
openssl ecparam -name prime256v1 -genkey -noout -out "$work/rpk.pem" 2>/dev/null
chmod 600 "$work/rpk.pem"
check "test certificates made" test -s "$work/server.pem" -a -s "$work/sensor.pem" -a -s "$work/intruder.pem"
sensor_id=sha256:$(openssl x509 -in "$work/sensor.pem" -outform DER | sha256sum | cut -d' ' -f1)
rpk_id=sha256:$(openssl pkey -in "$work/rpk.pem" -pubout -outform DER 2>/dev/null | sha256sum | cut -d' ' -f1)

printf '# test identities\nclient_identity:secretPSK\nhexdev:0x00112233445566778899aabbccddeeff\n' >"$work/psk"
chmod 600 "$work/psk"
# PSK clients may write the store; everyone else only read it.
cat >"$work/acl" <<EOF
store read /store/#
identity client_identity "$sensor_id"
store readwrite /store/#
EOF
cat >"$work/kcoapd.conf" <<EOF
prefix /store/
state-dir $work/state
acl-file $work/acl
dtls-psk-file $work/psk
dtls-cert-file $work/server.pem
dtls-key-file $work/server.key
dtls-ca-file $work/ca.pem
EOF
: >"$work/kcoapd.log"
attached() { [ "$(grep -c attached "$work/kcoapd.log")" -ge "$1" ]; }
daemon_start() { # N [ARGS...]: the Nth attach
	local n=$1
	shift
	"$KCOAPD" -M "$@" >/dev/null 2>>"$work/kcoapd.log" &
	dpid=$!
	wait_for 20 attached "$n"
}
daemon_stop() { kill "$dpid" 2>/dev/null; wait "$dpid" 2>/dev/null; dpid=""; }

# A secret file others can read: kcoapd does not start, and says why.
chmod 644 "$work/psk"
"$KCOAPD" -M -c "$work/kcoapd.conf" >/dev/null 2>"$work/mode.err"
rc=$?
chmod 600 "$work/psk"
check "a PSK file others can read: kcoapd refuses to start (exit 2)" test "$rc" = 2
check "naming the file and its mode" grep -q "dtls-psk-file '$work/psk' is readable by group or others (mode 644)" "$work/mode.err"
check "and no secret in the message" bash -c "! grep -q secretPSK '$work/mode.err'"

check "kcoapd attaches with DTLS credentials" daemon_start 1 -c "$work/kcoapd.conf"
check "it says what it loaded (and no key)" \
	bash -c "grep -q 'dtls: 2 PSK identities, a certificate' '$work/kcoapd.log' && ! grep -q secretPSK '$work/kcoapd.log'"

# ---- PSK: a cached GET is the kernel's ----
kctl resource add /k --value cached
for c in gnutls openssl; do
	up=$(kstat rx-handed-up)
	check_eq "$c, PSK: GET coaps:///k" "$(coaps $c "${PSK[@]}" "coaps://$GW4/k")" cached
	check_eq "$c: answered by the kernel, nothing handed up" "$(delta rx-handed-up "$up")" 0
done
check "the handshakes went up to kcoapd" grep -q "established, .*identity 'client_identity'" "$work/kcoapd.log"
check "with AES-128-CCM-8 (RFC 7252 §9.1.3.1)" grep -q "PSK-AES-128-CCM-8\|PSK_AES_128_CCM_8" "$work/kcoapd.log"
# IPv6 by name: libcoap sends an address literal as its SNI server name,
# which RFC 6066 §3 does not allow and GnuTLS refuses (IPv4's dotted quad
# passes for a host name). The name comes from a hosts file of our own.
echo "$GW6 gw6.test" >"$work/hosts"
by_name() { ip netns exec cli unshare -m sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' "$work/hosts" "$@"; }
for c in gnutls openssl; do
	check_eq "$c: IPv6 too" "$(by_name "coap-client-$c" -B 20 -w "${PSK[@]}" coaps://gw6.test/k 2>>"$work/client.log" | payload)" cached
done

# ---- PUT and POST through kcoapd, the identity in the ACL ----
check_eq "PUT coaps:///store/a as client_identity: 2.01" \
	"$(coaps_code gnutls "${PSK[@]}" -m put -e hello "coaps://$GW4/store/a")" 2.01
check_eq "GET reads it back over coaps" "$(coaps openssl "${PSK[@]}" "coaps://$GW4/store/a")" hello
check_eq "and over plain coap (the ACL lets everyone read)" "$(coap_get "coap://$GW4/store/a")" hello
r=$(ip netns exec cli coap-client-notls -B 5 -v 6 -m put -e evil "coap://$GW4/store/a" 2>&1)
check "a plain PUT of it: 4.03 (only the identity may write)" grep -qE "t:(ACK|CON|NON) c:4.03 " <<<"$r"
check_eq "POST coaps:///store/list (openssl): 2.01" \
	"$(coaps_code openssl "${PSK[@]}" -m post -e item "coaps://$GW4/store/list")" 2.01
check_eq "its child reads back" "$(coaps gnutls "${PSK[@]}" "coaps://$GW4/store/list/1")" item

# ---- Observe: notifications sealed for the observer; kcoapctl session ----
kctl resource add /obs --value v0 --obs
# Long enough to outlast this section on a loaded machine (killed below):
# an observer that left on its own would make "session del" fail.
coaps gnutls "${PSK[@]}" -s 300 -B 305 "coaps://$GW4/obs" >"$work/obs.out" &
opid=$!
observing() { [ "$(kstat observers)" -ge 1 ]; }
check "an observer over coaps" wait_for 20 observing
got_v() { grep -qx "$1" "$work/obs.out"; }
wait_for 10 got_v v0
for v in v1 v2 v3; do
	kctl resource set /obs --value "$v"
	wait_for 10 got_v "$v"
done
check_eq "it hears every value" "$(tr '\n' ' ' <"$work/obs.out")" "v0 v1 v2 v3 "
js=$(kctl session --json)
check "kcoapctl session lists the observer's session" grep -q '"identity":"client_identity"' <<<"$js"
check "established, with its suite and records counted" \
	bash -c "grep -q '\"state\":\"established\"' <<<'$js' && grep -q '\"suite\":\"aes-128-ccm-8\"' <<<'$js' && grep -q '\"tx-records\":[1-9]' <<<'$js'"
check "no keys in it" bash -c "! grep -qi key <<<'$js'"
# The observer's: established, with the notifications sent.
sid=$(python3 -c 'import json, sys
s = [x for x in json.load(sys.stdin) if x["state"] == "established" and x["tx-records"] >= 4]
print(s[0]["id"] if s else 0)' <<<"$js")
check "kcoapctl session del $sid" kctl session del "$sid"
check "it is gone" bash -c "! $KCOAPCTL session --json | grep -q '\"id\":$sid,'"
kctl resource set /obs --value v4
never() { ! wait_for "$@"; }
check "and its observer hears nothing more (3 s)" never 3 got_v v4
# The job is the pipeline's subshell: coap-client itself goes by name.
kill "$opid" 2>/dev/null
pkill -f "coaps://$GW4/obs" 2>/dev/null
wait "$opid" 2>/dev/null
opid=""
r=$(kctl session del 4000000000 2>&1)
check "session del of no session: an error naming it" grep -q "no session 4000000000" <<<"$r"

# ---- Block2 ----
head -c 3000 /dev/zero | tr '\0' 'b' >"$work/big"
kctl resource add /big --value-file "$work/big"
coaps openssl "${PSK[@]}" -b 64 "coaps://$GW4/big" >"$work/big.out"
check "Block2: 3000 bytes in 64-byte blocks over coaps" cmp -s <(tr -d '\n' <"$work/big.out") "$work/big"

# ---- failures: no session ----
# (libcoap logs its errors on stdout: an answer is a line "cached".)
answered() { grep -qx cached <<<"$1"; }
unanswered() { ! answered "$1"; }
est=$(established)
out=$(ip netns exec cli coap-client-gnutls -B 6 -u client_identity -k wrongPSK "coaps://$GW4/k" 2>/dev/null)
check "a wrong PSK (gnutls): no answer" unanswered "$out"
out=$(ip netns exec cli coap-client-openssl -B 6 -u nobody -k secretPSK "coaps://$GW4/k" 2>/dev/null)
check "an unknown identity (openssl): no answer" unanswered "$out"
check_eq "and no session for either" "$(established)" "$est"

# ---- replayed and altered records (a relay in the client's namespace) ----
rp=$(kstat dtls-replayed) bad=$(kstat dtls-bad-record)
ip netns exec cli python3 "$E2E_DIR/dtls_relay.py" 15684 "$GW4" "$PORT" "$work/relay.done" &
rpid=$!
relay_up() { [ -n "$(ip netns exec cli ss -Hlun 'sport = :15684')" ]; }
wait_for 10 relay_up
out=$(coaps gnutls "${PSK[@]}" "coaps://127.0.0.1:15684/k")
check_eq "through a relay that replays and alters a record: still answered" "$out" cached
check "the relay did both" test -s "$work/relay.done"
check "the replayed record was dropped and counted (dtls-replayed)" test "$(delta dtls-replayed "$rp")" -ge 1
check "the altered one too (dtls-bad-record)" test "$(delta dtls-bad-record "$bad")" -ge 1
kill "$rpid" 2>/dev/null
wait "$rpid" 2>/dev/null
rpid=""

# ---- certificates ----
for c in gnutls openssl; do
	check_eq "$c, certificate from the trusted CA: GET /k" \
		"$(coaps $c -c "$work/sensor.pem" -j "$work/sensor.key" -C "$work/ca.pem" "coaps://$GW4/k")" cached
done
check "its identity is the certificate's sha256" grep -q "identity '$sensor_id'" "$work/kcoapd.log"
check_eq "which the ACL's identity section lets write: PUT 2.01" \
	"$(coaps_code gnutls -c "$work/sensor.pem" -j "$work/sensor.key" -C "$work/ca.pem" -m put -e fromcert "coaps://$GW4/store/c")" 2.01
for c in gnutls openssl; do
	out=$(ip netns exec cli coap-client-$c -B 6 -c "$work/intruder.pem" -j "$work/intruder.key" \
		-C "$work/ca.pem" "coaps://$GW4/k" 2>/dev/null)
	check "$c, a certificate of another CA: no answer" unanswered "$out"
done

# ---- raw public keys (RFC 7250), and SIGHUP ----
daemon_stop
sed -i '/dtls-ca-file/d' "$work/kcoapd.conf"
echo "dtls-rpk on" >>"$work/kcoapd.conf"
check "kcoapd again, with raw public keys" daemon_start 2 -c "$work/kcoapd.conf"
check_eq "gnutls with a raw public key: GET /k" \
	"$(coaps gnutls -M "$work/rpk.pem" "coaps://$GW4/k")" cached
check "its identity is the key's sha256" grep -q "identity '$rpk_id'" "$work/kcoapd.log"
printf 'client_identity:newPSK\n' >"$work/psk"
kill -HUP "$dpid"
reloaded() { grep -q "SIGHUP: settings read again.*dtls" "$work/kcoapd.log"; }
check "SIGHUP reads the PSK file again" wait_for 10 reloaded
check_eq "the new key works" "$(coaps gnutls -u client_identity -k newPSK "coaps://$GW4/k")" cached
check "the old one no longer" unanswered "$(ip netns exec cli coap-client-gnutls -B 5 "${PSK[@]}" "coaps://$GW4/k" 2>/dev/null)"

# node-coap-client, the third client: tests/e2e/dtls_node.sh.

check "kcoapd is still running" kill -0 "$dpid"
[ "$t_failed" = 0 ] || tail -40 "$work/kcoapd.log" | sed 's/^/# kcoapd: /'
t_done
