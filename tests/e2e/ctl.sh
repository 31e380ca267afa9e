#!/bin/bash
# kcoapctl against the kernel: resources added, changed and deleted with it
# are served to a real CoAP client; monitor sees the events; unprivileged
# users may read but not write; bad values are refused with a message and
# the documented exit status; a batch of 1000 resources comes back whole
# in one dump.
. "$(dirname "$0")/lib.sh"
K=$KCOAP_TOP/build/userspace/kcoapctl
T=$(mktemp -d)
mon=""
cleanup() {
	[ -n "$mon" ] && kill "$mon" 2>/dev/null
	rm -rf "$T"
	netns_down
}
trap cleanup EXIT
netns_up

# get PATH [ARGS...]: coap-client's output for a GET from the client side.
get() {
	local path=$1
	shift
	ip netns exec cli timeout 20 coap-client-notls -m get "$@" "coap://$GW4$path" 2>&1
}

# etag_of PATH: the ETag kcoapctl reports for the first representation.
etag_of() {
	"$K" resource show "$1" --json | sed -n 's/.*"etag":"\([0-9a-f]*\)".*/\1/p'
}

# status WANT COMMAND...: COMMAND exits with status WANT. Its output is
# kept in $T/out and its errors in $T/err for the checks that follow.
status() {
	local want=$1 rc
	shift
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	[ "$rc" = "$want" ] && return 0
	echo "#   $*: exit status $rc, want $want: $(head -c 300 "$T/err")"
	return 1
}

# err_has TEXT / out_has REGEX: about the last command run by status.
err_has() { grep -qF -- "$1" "$T/err" || { echo "#   stderr: $(head -c 300 "$T/err")"; return 1; }; }
out_has() { grep -Eq -- "$1" "$T/out" || { echo "#   stdout: $(head -c 300 "$T/out")"; return 1; }; }

nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

check "kcoapctl is built" test -x "$K"
check "kcoapctl --version" status 0 "$K" --version

# Add, serve, replace, delete.
check "resource add exits 0" status 0 "$K" resource add /sensors/temp \
	--value 21.5 --ct text/plain --max-age 30 --rt temperature --obs
check_eq "the resource is served to coap-client" "$(get /sensors/temp)" "21.5"
add_again() { status 1 "$K" resource add /sensors/temp --value 1 && err_has "File exists"; }
check "the same path again: exit 1, File exists" add_again
show_json() {
	status 0 "$K" resource show /sensors/temp --json && out_has '"value":"21.5"' &&
		out_has '"max-age":30,' && out_has '"rt":"temperature"' && out_has '"obs":true'
}
check "resource show --json has the value, max-age, rt and obs" show_json
etag1=$(etag_of /sensors/temp)
coap_etag=$(get /sensors/temp -v 9 | grep -o 'ETag:0x[0-9a-f]*' | head -n 1)
check_eq "coap-client sees the ETag kcoapctl shows" "$coap_etag" "ETag:0x$etag1"
show_table() {
	status 0 "$K" resource show &&
		out_has "^/sensors/temp +text/plain +4 +$etag1 +30 +yes +0 +temperature\$"
}
check "resource show lists it in the table" show_table

check "resource set replaces the value" status 0 "$K" resource set /sensors/temp --value 22.5
check_eq "the new value is served" "$(get /sensors/temp)" "22.5"
etag2=$(etag_of /sensors/temp)
check "a new value has a new ETag" test -n "$etag2" -a "$etag2" != "$etag1"
set_max_age() {
	status 0 "$K" resource set /sensors/temp --max-age 5 &&
		[ "$(etag_of /sensors/temp)" = "$etag2" ] && [ "$(get /sensors/temp)" = 22.5 ] &&
		status 0 "$K" resource show /sensors/temp --json && out_has '"max-age":5,'
}
check "resource set --max-age alone keeps the value and its ETag" set_max_age
two_reprs() {
	printf '\xa1\x61\x74\x18\x16' >"$T/reading.cbor"
	status 0 "$K" resource set /sensors/temp --value-file "$T/reading.cbor" \
		--ct application/cbor --ct text/plain --value 22 &&
		status 0 "$K" resource show /sensors/temp --json &&
		out_has '"content-format":60,.*"value-hex":"a161741816".*"content-format":0,.*"value":"22"'
}
check "two representations, CBOR from a file" two_reprs
check_eq "the client gets the representation it accepts" "$(get /sensors/temp -A text/plain)" "22"

check "resource del exits 0" status 0 "$K" resource del /sensors/temp
check "a deleted resource gets 4.04" grep -q "^4.04" <<<"$(get /sensors/temp)"
show_deleted() { status 1 "$K" resource show /sensors/temp && err_has "No such file or directory: "; }
check "resource show of a deleted path: exit 1 with the kernel's message" show_deleted
check "resource del again: exit 1" status 1 "$K" resource del /sensors/temp

# A value larger than one netlink attribute.
head -c 102400 /dev/urandom >"$T/big.bin"
check "a 100 KiB value is added" status 0 "$K" resource add /big --value-file "$T/big.bin" \
	--ct application/octet-stream
show_big() {
	status 0 "$K" resource show /big --json && out_has '"data-omitted":true,.*"size":102400'
}
check "its size is 102400 and the value is omitted from the reply" show_big

# Events. monitor_start FILE ARGS...: the monitor has joined the group
# once it reports a probe resource.
monitor_start() {
	local out=$1
	shift
	"$K" monitor "$@" >"$out" 2>&1 &
	mon=$!
	for _ in $(seq 50); do
		"$K" resource add /probe --value 1 2>/dev/null
		"$K" resource del /probe 2>/dev/null
		grep -q 'deleted.*/probe' "$out" && return
		sleep 0.2
	done
}
monitor_stop() {
	kill "$mon"
	wait "$mon"
	mon_rc=$?
	mon=""
}
monitor_start "$T/monitor"
"$K" resource add /ev --value 1 && "$K" resource set /ev --value 2 && "$K" resource del /ev
for _ in $(seq 50); do
	grep -q "resource deleted /ev" "$T/monitor" && break
	sleep 0.2
done
monitor_stop
check_eq "monitor prints add, set and del as they happen" \
	"$(grep ' /ev$' "$T/monitor" | tr '\n' ';')" \
	"resource added /ev;resource changed /ev;resource deleted /ev;"
check_eq "monitor exits 0 when terminated" "$mon_rc" 0
monitor_start "$T/monitor.json" --json
monitor_stop
check "monitor --json: one object per line" \
	grep -qx '{"type":"resource","event":"deleted","path":"/probe"}' "$T/monitor.json"

# Privileges: writing needs CAP_NET_ADMIN, reading does not.
nobody_add() {
	status 1 nobody "$K" resource add /u --value 1 &&
		err_has "Operation not permitted" && err_has CAP_NET_ADMIN
}
check "nobody: resource add fails with EPERM, exit 1" nobody_add
check "nobody: config set fails with exit 1" status 1 nobody "$K" config set dedupe-lifetime 100
check "nobody: stats --reset fails with exit 1" status 1 nobody "$K" stats --reset
nobody_show() { status 0 nobody "$K" resource show && out_has "^/big "; }
check "nobody: resource show works" nobody_show
check "nobody: stats works" status 0 nobody "$K" stats
check "nobody: config works" status 0 nobody "$K" config
check "nobody's resource was not added" status 1 "$K" resource show /u

# Bad values: refused with a message naming them.
bad_lifetime() { status 2 "$K" config set dedupe-lifetime 0 && err_has "dedupe-lifetime"; }
check "config set dedupe-lifetime 0: exit 2, naming the key" bad_lifetime
bad_key() { status 2 "$K" config set dedupe-lifetme 10 && err_has "dedupe-lifetme"; }
check "config set with an unknown key: exit 2, naming it" bad_key
check "config set block-size 100: exit 2" status 2 "$K" config set block-size 100
check_eq "refused settings change nothing" \
	"$("$K" config | awk '$1 == "dedupe-lifetime" { print $2 }')" 247
config_several() {
	status 0 "$K" config set dedupe-lifetime 100 block-size 256 multicast off &&
		status 0 "$K" config --json && out_has '"dedupe-lifetime":100,.*"block-size":256'
}
check "config set changes several settings" config_several
long=/$(head -c 300 /dev/zero | tr '\0' a)
long_path() { status 1 "$K" resource add "$long" --value 1 && err_has "(attribute path)"; }
check "a 300-byte path: exit 1, the kernel names the attribute" long_path
long_rt() { status 1 "$K" resource add /x --rt "${long:1:200}" --value 1 && err_has "(attribute rt)"; }
check "an rt over 127 bytes: exit 1, the kernel names the attribute" long_rt
too_large() {
	head -c 2000 /dev/zero >"$T/2k"
	status 0 "$K" config set max-resource-size 1000 &&
		status 1 "$K" resource add /toolarge --value-file "$T/2k" &&
		err_has "File too large: " && err_has "max-resource-size"
}
check "a value over max-resource-size: exit 1 with the kernel's message" too_large
"$K" config set max-resource-size 1048576
usage_errors() {
	status 2 "$K" resource add /x --max-age soon && err_has "soon" &&
		status 2 "$K" resource add /x --ct text/nonsense --value 1 && err_has "text/nonsense" &&
		status 2 "$K" resource add /x --ct 60 && err_has "--ct 60 has no value" &&
		status 2 "$K" resource frobnicate && err_has frobnicate
}
check "usage errors exit 2 and name the argument" usage_errors
all_help() {
	local c
	for c in "resource add" "resource set" "resource del" "resource show" stats \
		"config show" "config set" observers peers monitor daemon; do
		# shellcheck disable=SC2086 # the command's words
		"$K" $c --help | grep -q "^Usage: kcoapctl $c" || { echo "#   $c --help"; return 1; }
	done
}
check "every command has --help" all_help

# Batch: 1000 resources on one socket, one dump returns them all.
for i in $(seq 1000); do
	echo "resource add /batch/$i --value v$i --max-age $i"
done >"$T/batch"
start=$(date +%s)
check "--batch adds 1000 resources" status 0 "$K" --batch "$T/batch"
echo "# 1000 resources added in $(($(date +%s) - start)) s"
check_eq "one resource show --json dump returns all 1000" \
	"$("$K" resource show --json | python3 -c '
import json, sys
print(sum(1 for r in json.load(sys.stdin) if r["path"].startswith("/batch/")))')" 1000
check_eq "the resources have their values" "$(get /batch/777)" "v777"
printf 'resource del /batch/1\nresource del /nope\nresource del /batch/2\n' >"$T/batch2"
batch_stops() {
	status 1 "$K" -b "$T/batch2" && err_has "line 2: resource del /nope" &&
		status 1 "$K" resource show /batch/1 && status 0 "$K" resource show /batch/2
}
check "a batch stops at the first failure and names its line" batch_stops
batch_stdin() {
	printf 'resource del /batch/3\n' | status 0 "$K" -b - &&
		status 1 "$K" resource show /batch/3
}
check "a batch from stdin" batch_stdin

stats_codes() { status 0 "$K" stats && out_has "^tx-code 2\.05 +[1-9]"; }
check "stats counts the 2.05 responses" stats_codes
stats_reset() {
	status 0 "$K" stats --reset && status 0 "$K" stats --json && out_has '"rx-datagrams":0,'
}
check "stats --reset zeroes the counters" stats_reset

# Without the module the family is gone: exit 3.
rmmod kcoap
no_module() { status 3 "$K" stats && err_has "is the kcoap module loaded?"; }
check "without kcoap.ko: exit 3 and a hint" no_module
insmod "$KO"
check "with kcoap.ko again: exit 0" status 0 "$K" resource show
t_done
