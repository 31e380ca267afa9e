# shellcheck shell=bash
# Sourced by every end-to-end test. They run inside the guest (qemu/vm), as
# root, with kcoap.ko loaded, and print TAP: one "ok"/"not ok" line per
# check. tests/check counts those lines.

KCOAP_TMP=${TMPDIR:-/tmp}
E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KCOAP_TOP=$(cd "$E2E_DIR/../.." && pwd)
KO=${KCOAP_VM_MODULE:-$KCOAP_TOP/kcoap.ko}
T_NAME=$(basename "$0" .sh)
t_count=0
t_failed=0

# KCOAP_E2E_TIMES=1: each result says when it came (seconds into the
# test), to see where a slow test spends its time.
t_when() { [ -z "${KCOAP_E2E_TIMES:-}" ] || echo " # at ${SECONDS}s"; }

ok() {
	t_count=$((t_count + 1))
	echo "ok $t_count - $T_NAME: $*$(t_when)"
}

not_ok() {
	t_count=$((t_count + 1))
	t_failed=$((t_failed + 1))
	echo "not ok $t_count - $T_NAME: $*$(t_when)"
}

# check DESCRIPTION COMMAND...: one case, passing when COMMAND succeeds.
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# check_eq DESCRIPTION GOT WANT
check_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		echo "#   got:  '$2'"
		echo "#   want: '$3'"
	fi
}

# wait_for SECONDS COMMAND...: until COMMAND succeeds, at most SECONDS.
# A loaded guest is slow: wait for what a check looks at, never sleep.
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -lt "$end" ] || return 1
		sleep 0.2
	done
}

# The exit status says whether every check passed.
t_done() {
	echo "1..$t_count"
	[ "$t_failed" = 0 ]
}

# kcoap's counter NAME in network namespace NS ("" for the initial one);
# nothing, and false, if there is none. The initial namespace's are read
# with bash alone: tests read counters often, and a process start is dear
# on the debug kernel.
stat() {
	if [ -n "$1" ]; then
		ip netns exec "$1" cat /proc/net/kcoap | counter_in "$2"
	else
		counter_in "$2" </proc/net/kcoap
	fi
}
# counter_in NAME: its value among the "NAME VALUE" lines on stdin.
counter_in() {
	local name value
	while read -r name value; do
		if [ "$name" = "$1" ]; then
			echo "$value"
			return 0
		fi
	done
	return 1
}

# A client namespace "cli" joined to the initial namespace by veth:
# the gateway is 192.0.2.1 / 2001:db8::1, the client 192.0.2.2 / 2001:db8::2.
GW4=192.0.2.1 GW6=2001:db8::1 CLI4=192.0.2.2 CLI6=2001:db8::2
# Two ip processes rather than nine: on the debug kernel under TCG each
# one costs a quarter of a second or more.
netns_up() {
	ip -batch - <<-EOF
		netns add cli
		link add kc0 type veth peer name kc1 netns cli
		addr add $GW4/24 dev kc0
		addr add $GW6/64 dev kc0 nodad
		link set kc0 up
	EOF
	ip -n cli -batch - <<-EOF
		addr add $CLI4/24 dev kc1
		addr add $CLI6/64 dev kc1 nodad
		link set kc1 up
		link set lo up
	EOF
}

netns_down() {
	ip link del kc0 2>/dev/null
	ip netns del cli 2>/dev/null
	true
}

# send_udp NS HOST PORT COUNT PAYLOAD: COUNT datagrams from namespace NS.
send_udp() {
	ip netns exec "$1" bash -c '
		exec 3>"/dev/udp/$1/$2" || exit 1
		for ((i = 0; i < $3; i++)); do printf %s "$4" >&3; done 2>/dev/null
		true' _ "$2" "$3" "$4" "$5"
}

KCOAPCTL=$KCOAP_TOP/build/userspace/kcoapctl
COAPRAW=$KCOAP_TOP/build/userspace/coapraw

# Run kcoapctl (from the initial namespace: the gateway's).
kctl() { "$KCOAPCTL" "$@"; }

# coap-client from the client namespace; extra args before the URI.
coap_get() { ip netns exec cli coap-client-notls -B 5 "$@"; }

# coapraw from the client namespace, decoded: one line per reply.
raw() { "$COAPRAW" --netns cli --decode "$@"; }

# A counter as `kcoapctl stats` names it ("tx-code 2.05" for a response
# code): the same numbers as /proc/net/kcoap, read by stat(); the gauges
# only kcoapctl shows come from it. ctl.sh tests kcoapctl stats itself.
kstat() {
	stat "" "${1// /-}" && return
	case $1 in
	dedup-entries | dedup-bytes | observers | resources | resource-bytes)
		kctl stats | awk -v k="$1" '{ v = $NF; $NF = ""; sub(/ +$/, "") }
			$0 == k { print v; found = 1 } END { if (!found) print 0 }' ;;
	*) echo 0 ;; # a response code not sent yet
	esac
}

# The bridge tests (authz, restart): a broker and a device.
# broker_start WORK [CONF-LINE...]: mosquitto on 127.0.0.1:1883, its files
# in WORK, the extra lines in its settings; sets bpid, fails if it is not
# up within 10 s.
broker_up() { mosquitto_sub -h 127.0.0.1 -p 1883 -t kcoap/probe -E -W 2 >/dev/null 2>&1; }
broker_start() {
	local work=$1
	shift
	printf '%s\n' "listener 1883 127.0.0.1" "allow_anonymous true" "$@" "user root" \
		"log_dest file $work/mosquitto.log" "log_type all" >"$work/mosquitto.conf"
	mosquitto -c "$work/mosquitto.conf" >>"$work/mosquitto.out" 2>&1 &
	bpid=$!
	wait_for 10 broker_up
}
# device_start FILE: device.py on $CLI4:5699 in the client namespace,
# writing what it gets to FILE; sets devpid, waits until it is bound.
device_start() {
	ip netns exec cli /usr/bin/python3 "$E2E_DIR/device.py" "$CLI4" "$1" &
	devpid=$!
	wait_for 20 device_bound
}
device_bound() { [ -n "$(ip netns exec cli ss -Hlun 'sport = :5699')" ]; }
