#!/bin/bash
# Namespaces, local users and discovery cost (issue 14, items 5, 7, 8):
# loading the module opens the endpoint in the initial namespace only, and
# a port that something else holds does not stop it; other namespaces get
# one with `kcoapctl endpoint add`; creating namespaces never depends on
# kcoap; unprivileged users cannot list other clients or join the events
# group, and what they make in a namespace of their own is charged to
# their memory cgroup; /.well-known/core is rendered per table change, not
# per request.
. "$(dirname "$0")/lib.sh"
holder=""
cleanup() {
	[ -n "$holder" ] && kill "$holder" 2>/dev/null
	ip netns del hold 2>/dev/null
	rmdir /sys/fs/cgroup/kcoap-netns 2>/dev/null
	netns_down
}
trap cleanup EXIT
netns_up

nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
# hold NS: a UDP socket on 5683 in NS ("" for the initial namespace).
hold() {
	local run=()
	[ -n "$1" ] && run=(ip netns exec "$1")
	"${run[@]}" python3 -c 'import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 5683))
time.sleep(600)' &
	holder=$!
}
held() { [ -n "$("${@}" ss -Hlunp 'sport = :5683' | grep python3)" ]; }
served() { [ "$(coap_get "coap://$GW4/here")" = "$1" ]; }

# A namespace holding 5683 before the module loads does not stop it.
rmmod kcoap
ip netns add hold
hold hold
check "a namespace holds UDP 5683" wait_for 60 held ip netns exec hold
check "insmod succeeds" insmod "$KO"
kctl resource add /here --value init
check "the initial namespace is served" served init
check "the other namespace keeps its socket" held ip netns exec hold
out=$(ip netns exec hold "$KCOAPCTL" endpoint add 2>&1)
check_eq "endpoint add there fails: the port is in use" "$?:$(grep -c 'in use' <<<"$out")" "1:1"
kill "$holder"
wait "$holder" 2>/dev/null
holder=""
ip netns del hold

# The initial namespace's port held: the module loads with no socket.
rmmod kcoap
hold ""
check "the initial namespace holds UDP 5683" wait_for 60 held
check "insmod succeeds with the port held" insmod "$KO"
check_eq "the failure is counted" "$(stat "" endpoint-errors)" 1
check "endpoint show says there is none" bash -c "'$KCOAPCTL' endpoint | grep -q '^none'"
kill "$holder"
wait "$holder" 2>/dev/null
holder=""
check "endpoint add succeeds once the port is free" kctl endpoint add
check "and shows it" bash -c "'$KCOAPCTL' endpoint show | grep -q '^open on UDP port 5683'"
kctl resource add /here --value again
check "the initial namespace is served" served again
check "a second endpoint add fails" bash -c "! '$KCOAPCTL' endpoint add 2>/dev/null"

# Other namespaces: nothing until asked, then on the port asked for.
nothing() { [ "$("$COAPRAW" --netns cli --decode 127.0.0.1 "$1" "CON GET 1 - /here")" = - ]; }
check "a new namespace has no endpoint" nothing 5683
check "nor kcoap state" ip netns exec cli test ! -e /proc/net/kcoap
ip netns exec cli "$KCOAPCTL" endpoint add --port 5685
ip netns exec cli "$KCOAPCTL" resource add /here --value cli
r=$(ip netns exec cli coap-client-notls -B 5 coap://127.0.0.1:5685/here)
check_eq "endpoint add --port 5685 serves there" "$r" cli
check "and not on 5683" nothing 5683
ip netns exec cli "$KCOAPCTL" endpoint del
check "endpoint del closes it" nothing 5685
check "the initial namespace is still served" served again

# Namespaces come and go without kcoap in the way.
mk_ns() { local i; for i in 1 2 3 4 5; do unshare -n true || return 1; done; }
check "unshare -n works" mk_ns

# Unprivileged users: read, but not other clients' addresses or events.
denied() {
	local out
	out=$(nobody timeout 10 "$KCOAPCTL" "$@" 2>&1)
	[ $? = 1 ] && grep -q "Operation not permitted" <<<"$out" &&
		grep -q CAP_NET_ADMIN <<<"$out"
}
check "nobody: observers is refused, naming CAP_NET_ADMIN" denied observers
check "nobody: peers is refused" denied peers
check "nobody: monitor cannot join the events group" denied monitor
quiet() { "$@" >/dev/null; }
check "nobody: stats works" quiet nobody "$KCOAPCTL" stats
check "nobody: resource show works" quiet nobody "$KCOAPCTL" resource show /here
check "root: observers works" quiet kctl observers

# In a user and network namespace of one's own, resources can be made;
# their memory is charged to the maker's memory cgroup.
big=$(head -c 60000 /dev/zero | tr '\0' x)
# own [FILE]: 30 values of 60 kB (1.8 MB); FILE's content before and
# after them, once the namespace's own state is made (so the namespaces'
# and the processes' memory is not in the difference).
own() {
	nobody unshare -Urn sh -c '
		"$1" config set max-resources 100 || exit 1
		[ -z "$3" ] || cat "$3"
		i=0
		while [ $i -lt 30 ]; do
			i=$((i + 1))
			"$1" resource add /m$i --value "$2" || exit 1
		done
		"$1" resource show /m30 >/dev/null || exit 1
		[ -z "$3" ] || cat "$3"' _ "$KCOAPCTL" "$big" "${1:-}"
}
if ! nobody unshare -Urn true 2>/dev/null; then
	ok "# SKIP unprivileged user namespaces are disabled"
	ok "# SKIP no memory cgroup"
else
	check "nobody in unshare -Urn can add resources" own
	cg=/sys/fs/cgroup/kcoap-netns
	# The guest may not have mounted cgroup2.
	[ -f /sys/fs/cgroup/cgroup.controllers ] ||
		mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
	if grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null &&
		{ grep -qw memory /sys/fs/cgroup/cgroup.subtree_control ||
		  echo +memory >/sys/fs/cgroup/cgroup.subtree_control; } 2>/dev/null &&
		mkdir -p $cg; then
		# This shell moves into the cgroup, and nobody's commands with it.
		echo $BASHPID >$cg/cgroup.procs
		read -r before after < <(own $cg/memory.current | tr '\n' ' ')
		echo $BASHPID >/sys/fs/cgroup/cgroup.procs
		echo "# memory.current of the cgroup: $before -> $after"
		check "1.8 MB of values are charged to the maker's cgroup" \
			test "$((after - before))" -ge 1200000
	else
		ok "# SKIP no memory cgroup v2 in this guest"
	fi
fi

# /.well-known/core: rendered on table changes, not requests.
for i in $(seq 1 150); do echo "resource add /wk/r$i --value $i --rt type-$i"; done >"$KCOAP_TMP/wk"
renders=$(stat "" wellknown-renders)
kctl --batch "$KCOAP_TMP/wk"
check_eq "150 resources added: 150 renders" "$(($(stat "" wellknown-renders) - renders))" 150
renders=$(stat "" wellknown-renders)
req=$(stat "" rx-requests)
doc=$(ip netns exec cli coap-client-notls -B 120 -b 16 "coap://$GW4/.well-known/core")
check_eq "the document arrives whole in 16-byte blocks" \
	"$(tr ',' '\n' <<<"$doc" | grep -c '^</wk/r')" 150
blocks=$(($(stat "" rx-requests) - req))
echo "# ${#doc} bytes in $blocks requests"
check "that took one request per block" test "$blocks" -ge $((${#doc} / 16))
check_eq "and no render" "$(stat "" wellknown-renders)" "$renders"
r=$(raw $GW4 5683 "CON GET 2 - /.well-known/core o23=#$(((0xfffff << 4) | 0))")
check "block 1048575 of 16 bytes: 4.02" grep -q "^ACK 4.02 mid=2" <<<"$r"
r=$(raw $GW4 5683 "CON GET 3 - /.well-known/core ?rt=type-1* o23=#$((1000 << 4))")
check "a filtered block past the end: 4.02" grep -q "^ACK 4.02 mid=3" <<<"$r"
check_eq "still no render" "$(stat "" wellknown-renders)" "$renders"
kctl resource set /wk/r1 --value 42
check_eq "a new value of the same size renders nothing" \
	"$(stat "" wellknown-renders)" "$renders"
kctl resource add "/odd,path;x" --value 1
r=$(coap_get "coap://$GW4/.well-known/core?href=/odd*")
check_eq "a path with , and ; is percent-encoded" "$r" "</odd%2Cpath%3Bx>;ct=0"
t_done
