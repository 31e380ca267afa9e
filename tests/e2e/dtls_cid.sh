#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# DTLS Connection IDs (RFC 9146, docs/dtls.md): a session is found by its
# CID, so a client whose source port changes keeps its session and its
# observation. The client is kcoap's own coaps-cid (GnuTLS and
# userspace/lib/dtls_cid.c: no client packaged in Debian 12 offers CID).
# The CIDs are negotiated both ways (and not, when the client does not
# offer the extension or kcoapd has dtls-cid off); a cached GET over CID
# is the kernel's; a PUT goes through kcoapd and its response comes back
# sealed with the client's CID; an observer that moves to another port
# keeps getting its notifications there (dtls-cid-migrated), and without
# a CID it does not (the control); a record naming no session is counted
# (dtls-cid-unknown); a captured CID record replayed from another port
# does not move the session, and one without CID from the session's own
# address is dropped (dtls-cid-expected).
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
dpid="" opid="" rpid="" npid=""
cleanup() {
	for p in $opid $npid $rpid $dpid; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	netns_down
	rm -rf "$work"
}
trap cleanup EXIT
netns_up
KCOAPD=$KCOAP_TOP/build/userspace/kcoapd
COAPS_CID=$KCOAP_TOP/build/userspace/coaps-cid
PORT=$(kctl config --json | sed -n 's/.*"dtls-port":\([0-9]*\).*/\1/p')
PORT=${PORT:-5684}
delta() { echo $(($(kstat "$1") - $2)); }
# cid ARGS... URI: coaps-cid from the client namespace (-B 20: the first
# session waits for the kernel's ccm module, and a debug guest is slow).
# -v: each datagram's records on stderr (*.err), shown when a check failed.
cid() { "$COAPS_CID" --netns cli -u client_identity -k secretPSK -B 20 -v "$@"; }
# Its lines are "LPORT TYPE CODE OBSERVE PAYLOAD".
payload_of() { cut -d' ' -f5- <<<"$1"; }
code_of() { cut -d' ' -f3 <<<"$1"; }
# The CID kcoap chose for the session (from the client's "cid:" line): 16 hex digits.
kcoap_cid() { sed -n "s/.*cid: ours [0-9a-fnoe]*, peer's \([0-9a-f]\{16\}\)$/\1/p" "$1"; }

printf 'client_identity:secretPSK\n' >"$work/psk"
chmod 600 "$work/psk"
printf 'store read /store/#\nidentity client_identity\nstore readwrite /store/#\n' >"$work/acl"
cat >"$work/kcoapd.conf" <<EOF
prefix /store/
state-dir $work/state
acl-file $work/acl
dtls-psk-file $work/psk
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
check "kcoapd attaches with a PSK" daemon_start 1 -c "$work/kcoapd.conf"

# ---- negotiation; a cached GET is the kernel's ----
kctl resource add /k --value cached
up=$(kstat rx-handed-up)
out=$(cid "coaps://$GW4/k" 2>"$work/get.err")
check_eq "GET coaps:///k with a CID: the kernel's answer" "$(payload_of "$out")" cached
check_eq "nothing handed up" "$(delta rx-handed-up "$up")" 0
check "both CIDs negotiated: ours (4 random bytes), kcoap's (8)" \
	grep -qE "cid: ours [0-9a-f]{8}, peer's [0-9a-f]{16}$" "$work/get.err"
# The client drops records without its CID (RFC 9146 §3): the answer
# came in the tls12_cid format, and kcoapd's Finished before it.
check "every record to the client carried its CID (Finished and the answer)" \
	grep -qE "records in: ([2-9]|[1-9][0-9]+) with our cid, 0 without it dropped" "$work/get.err"

# ---- PUT through kcoapd, the response sealed with the client's CID ----
up=$(kstat rx-handed-up)
out=$(cid --cid 00112233445566778899aabbccddeeff -m put -e hello \
	"coaps://$GW4/store/a" 2>"$work/put.err")
check_eq "PUT coaps:///store/a with a 16-byte CID: 2.01" "$(code_of "$out")" 2.01
check "through kcoapd" test "$(delta rx-handed-up "$up")" -ge 1
check "the CID negotiated is the client's" grep -qE "cid: ours 00112233445566778899aabbccddeeff, peer's [0-9a-f]{16}$" "$work/put.err"
check "kcoapd's response came sealed with it (no record without it)" \
	grep -qE "records in: ([2-9]|[1-9][0-9]+) with our cid, 0 without it dropped" "$work/put.err"
check_eq "plain coap reads it back" "$(coap_get "coap://$GW4/store/a")" hello

# ---- an empty CID, and none ----
out=$(cid --cid-empty "coaps://$GW4/k" 2>"$work/empty.err")
check_eq "an empty CID (kcoap's records to us carry none): GET" "$(payload_of "$out")" cached
check "ours none, kcoap's 8 bytes" grep -qE "cid: ours none, peer's [0-9a-f]{16}$" "$work/empty.err"
out=$(cid --no-cid "coaps://$GW4/k" 2>"$work/nocid.err")
check_eq "a client without the extension: GET" "$(payload_of "$out")" cached
check "no CID" grep -q "cid: not offered" "$work/nocid.err"

# ---- an observer moves to another port ----
kctl resource add /obs --value v0 --obs
mig=$(kstat dtls-cid-migrated)
obs0=$(kstat observers)
cid -s 300 --rebind-after 2 "coaps://$GW4/obs" >"$work/obs.out" 2>"$work/obs.err" &
opid=$!
got() { grep -q " $2$" "$1"; }
check "an observer with a CID hears v0" wait_for 30 got "$work/obs.out" v0
kctl resource set /obs --value v1
check "and v1" wait_for 15 got "$work/obs.out" v1
moved() { grep -q "moved from port" "$work/obs.err"; }
check "after two, it moves to a new socket" wait_for 10 moved
old=$(sed -n 's/.*moved from port \([0-9]*\) to port \([0-9]*\)/\1/p' "$work/obs.err")
new=$(sed -n 's/.*moved from port \([0-9]*\) to port \([0-9]*\)/\2/p' "$work/obs.err")
check "on another port ($old -> $new)" test -n "$new" -a "$new" != "$old"
pinged() { grep -q "^$new RST 0.00 " "$work/obs.out"; }
check "its ping from the new port is answered there" wait_for 15 pinged
check_eq "dtls-cid-migrated: 1" "$(delta dtls-cid-migrated "$mig")" 1
kctl resource set /obs --value v2
check "v2 reaches it on the new port" wait_for 15 got "$work/obs.out" v2
kctl resource set /obs --value v3
wait_for 15 got "$work/obs.out" v3
check_eq "every value, in order" "$(grep -v RST "$work/obs.out" | cut -d' ' -f5 | tr '\n' ' ')" "v0 v1 v2 v3 "
check_eq "v0 v1 on the old port, v2 v3 on the new" \
	"$(grep -v RST "$work/obs.out" | cut -d' ' -f1 | tr '\n' ' ')" "$old $old $new $new "
check_eq "still one observer (the same one)" "$(kstat observers)" $((obs0 + 1))
kcid=$(kcoap_cid "$work/obs.err")
ccid=$(sed -n "s/.*cid: ours \([0-9a-f]\{8\}\), .*/\1/p" "$work/obs.err")
js=$(kctl session --json)
check "kcoapctl session --json: the session by its CID, at the new port, with the client's CID" \
	python3 -c 'import json, sys
s = [x for x in json.loads(sys.argv[1]) if x.get("cid") == sys.argv[2]]
sys.exit(not (len(s) == 1 and s[0]["port"] == int(sys.argv[3]) and
              s[0]["state"] == "established" and s[0].get("peer-cid") == sys.argv[4]))' \
	"$js" "$kcid" "$new" "$ccid"
check "kcoapctl session shows it" grep -q "${kcid:-no CID}" <<<"$(kctl session)"
check "coaps-cid sent no record without CID (dtls-cid-expected 0)" \
	test "$(kstat dtls-cid-expected)" = 0

# ---- a captured CID record replayed from another port; one without CID ----
# A second observer, through a relay in the client's namespace that
# replays the client's last CID record from a new socket, and sends a
# record without CID from the client's address.
ip netns exec cli python3 "$E2E_DIR/dtls_cid_relay.py" 15684 "$GW4" "$PORT" "$work" &
rpid=$!
relay_up() { [ -n "$(ip netns exec cli ss -Hlun 'sport = :15684')" ]; }
wait_for 10 relay_up
cid -s 300 "coaps://127.0.0.1:15684/obs" >"$work/relayed.out" 2>"$work/relayed.err" &
npid=$!
check "an observer through the relay hears v3" wait_for 30 got "$work/relayed.out" v3
mig=$(kstat dtls-cid-migrated) rp=$(kstat dtls-replayed)
touch "$work/replay.go"
check "the relay replayed its last CID record from another port" wait_for 10 test -s "$work/replay.done"
replayed() { [ "$(delta dtls-replayed "$rp")" -ge 1 ]; }
check "dropped as a replay (dtls-replayed)" wait_for 10 replayed
check_eq "and the session did not move (dtls-cid-migrated unchanged)" "$(delta dtls-cid-migrated "$mig")" 0
kctl resource set /obs --value v4
check "v4 still reaches the real client" wait_for 15 got "$work/relayed.out" v4
check "and the moved one" wait_for 15 got "$work/obs.out" v4
exp=$(kstat dtls-cid-expected)
touch "$work/plain.go"
check "the relay sent a record without CID from the client's address" wait_for 10 test -s "$work/plain.done"
expected() { [ "$(delta dtls-cid-expected "$exp")" = 1 ]; }
check "dropped: the session has a CID (dtls-cid-expected)" wait_for 10 expected
kctl resource set /obs --value v5
check "and the client still hears v5" wait_for 15 got "$work/relayed.out" v5
kill "$npid" "$rpid" 2>/dev/null
wait "$npid" "$rpid" 2>/dev/null
npid="" rpid=""

# ---- a record naming no session ----
unk=$(kstat dtls-cid-unknown)
# tls12_cid, DTLS 1.2, epoch 1, seq 99, an 8-byte CID nobody has, 24 bytes.
"$COAPRAW" --netns cli --wait 0.2 "$GW4" "$PORT" \
	"19fefd0001000000000063""0011223344556677""0018$(printf '%048d' 0)" >/dev/null
unknown() { [ "$(delta dtls-cid-unknown "$unk")" = 1 ]; }
check "a CID record for no session: dropped, counted in dtls-cid-unknown" wait_for 10 unknown

# ---- the control: the same move without a CID loses the notifications ----
kill "$opid" 2>/dev/null
wait "$opid" 2>/dev/null
opid=""
cid --no-cid -s 300 --rebind-after 2 "coaps://$GW4/obs" >"$work/nocid_obs.out" 2>"$work/nocid_obs.err" &
opid=$!
check "without a CID: an observer hears v5" wait_for 30 got "$work/nocid_obs.out" v5
kctl resource set /obs --value v6
check "and v6" wait_for 15 got "$work/nocid_obs.out" v6
plain_moved() { grep -q "moved from port" "$work/nocid_obs.err"; }
check "it moves to a new socket" wait_for 10 plain_moved
kctl resource set /obs --value v7
never() { ! wait_for "$@"; }
check "and hears nothing more there (5 s): not v7" never 5 got "$work/nocid_obs.out" v7
check "nor an answer to its ping" bash -c "! grep -q RST '$work/nocid_obs.out'"
kill "$opid" 2>/dev/null
wait "$opid" 2>/dev/null
opid=""

# ---- dtls-cid off ----
daemon_stop
echo "dtls-cid off" >>"$work/kcoapd.conf"
check "kcoapd again, with dtls-cid off" daemon_start 2 -c "$work/kcoapd.conf"
out=$(cid "coaps://$GW4/k" 2>"$work/off.err")
check_eq "a client offering a CID: GET" "$(payload_of "$out")" cached
check "no CID negotiated" grep -q "cid: not negotiated" "$work/off.err"

check "kcoapd is still running" kill -0 "$dpid"
if [ "$t_failed" != 0 ]; then
	for f in "$work"/*.err; do
		head -40 "$f" | sed "s/^/# ${f##*/}: /"
	done
	tail -30 "$work/kcoapd.log" | sed 's/^/# kcoapd: /'
fi
t_done
