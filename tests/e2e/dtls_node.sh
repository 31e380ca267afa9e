#!/bin/bash
# coaps:// with a client kcoap did not write and libcoap did not either:
# the npm node-coap-client (DTLS on node-dtls-client, PSK,
# TLS_PSK_WITH_AES_128_CCM_8). Its GET of a cached resource is answered by
# the kernel from the session's records, with nothing handed up to kcoapd;
# its close_notify ends the session; a wrong key gets no session and no
# answer. kcoapd does the handshakes (docs/dtls.md).
#
# node-dtls-client knows no ServerKeyExchange: a server that sends a PSK
# identity hint (libcoap's do, "CoAP" by default) fails its handshake.
# kcoapd sends none; this test would show it if it started to.
. "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
dpid=""
trap '[ -n "$dpid" ] && kill "$dpid" 2>/dev/null; wait 2>/dev/null
	kctl resource del /node 2>/dev/null; netns_down; rm -rf "$work"' EXIT
netns_up
KCOAPD=$KCOAP_TOP/build/userspace/kcoapd
export NODE_PATH=$KCOAP_TOP/build/node/node_modules
NODE=${KCOAP_NODE:-node}
ID=node-e2e KEY=node-e2e-secret
# node dtls_client.js from the client namespace: GET PATH with KEY.
node_get() {
	ip netns exec cli "$NODE" "$E2E_DIR/node/dtls_client.js" get "coaps://$GW4$1" "$ID" "$2"
}

if [ ! -d "$NODE_PATH/node-coap-client" ]; then
	not_ok "node-coap-client is installed (run tests/e2e/node/install on the host)"
	t_done
	exit
fi
if ! kctl config show | grep -q "^dtls-port"; then
	not_ok "this kcoap has DTLS (dtls-port in kcoapctl config)"
	t_done
	exit
fi

printf '%s:%s\n' "$ID" "$KEY" >"$work/psk"
chmod 600 "$work/psk"
printf 'dtls-psk-file %s\n' "$work/psk" >"$work/kcoapd.conf"
: >"$work/kcoapd.log"
"$KCOAPD" -c "$work/kcoapd.conf" -M >/dev/null 2>>"$work/kcoapd.log" &
dpid=$!
check "kcoapd attaches with a PSK file" wait_for 20 grep -q attached "$work/kcoapd.log"
kctl resource add /node --value from-the-kernel --ct text/plain

up0=$(kstat rx-handed-up) rx0=$(kstat dtls-rx-records) tx0=$(kstat dtls-tx-records)
cn0=$(kstat dtls-close-notify)
v=$(node_get /node "$KEY" 2>"$work/node.err")
rc=$?
check_eq "node-coap-client: GET over coaps:// with the PSK (exit $rc; $(head -c 200 "$work/node.err"))" \
	"$v" from-the-kernel
check "the request came in a record and the answer went out in one" \
	test "$(($(kstat dtls-rx-records) - rx0))" -ge 1 -a "$(($(kstat dtls-tx-records) - tx0))" -ge 1
check_eq "answered by the kernel: nothing handed up to kcoapd" "$(($(kstat rx-handed-up) - up0))" 0
# The client ends with close_notify on its way out: the kernel deletes
# the session then. Wait for it: the datagram may still be on its way.
ended() { [ "$(kstat dtls-close-notify)" -gt "$cn0" ]; }
check "its close_notify ended the session (dtls-close-notify)" wait_for 10 ended

v=$(node_get /node wrong-key 2>"$work/node.err")
rc=$?
check "node-coap-client with a wrong key: no answer, its handshake fails (exit $rc; $(head -c 120 "$work/node.err"))" \
	bash -c "[ $rc != 0 ] && [ -z '$v' ] && grep -Eq '^(handshake|timeout)' '$work/node.err'"
check "kcoapd is still running" kill -0 "$dpid"
t_done
