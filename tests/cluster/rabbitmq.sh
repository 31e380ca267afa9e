#!/bin/bash
# shellcheck shell=bash
# A RabbitMQ cluster of two nodes on this machine, for tests/cluster/run:
# Debian's rabbitmq-server run as root from a temporary directory, nothing
# of the system's (no service, no /var/lib/rabbitmq, epmd on a port of its
# own). Sourced; RMQ_DIR must be set.
#
#   node  name      MQTT   Erlang distribution
#   a     kcoap-a   18831  25681
#   b     kcoap-b   18832  25682
# and epmd on 43691. The nodes share an Erlang cookie in RMQ_DIR (HOME).

RMQ_BIN=/usr/lib/rabbitmq/bin
RMQ_EPMD_PORT=43691
rmq_mqtt_port() { case $1 in a) echo 18831 ;; b) echo 18832 ;; esac; }
rmq_dist_port() { case $1 in a) echo 25681 ;; b) echo 25682 ;; esac; }
rmq_name() { echo "kcoap-$1@localhost"; }

# rmq_vars NODE: node NODE's environment into RMQ_ENV (for env).
rmq_vars() {
	local n=$1
	RMQ_ENV=(HOME="$RMQ_DIR" ERL_EPMD_PORT="$RMQ_EPMD_PORT" \
		RABBITMQ_NODENAME="$(rmq_name "$n")" RABBITMQ_USE_LONGNAME=false \
		RABBITMQ_DIST_PORT="$(rmq_dist_port "$n")" \
		RABBITMQ_CONF_ENV_FILE="$RMQ_DIR/env.conf" \
		RABBITMQ_CONFIG_FILE="$RMQ_DIR/$n.conf" \
		RABBITMQ_ADVANCED_CONFIG_FILE="$RMQ_DIR/$n-advanced.config" \
		RABBITMQ_ENABLED_PLUGINS_FILE="$RMQ_DIR/enabled_plugins" \
		RABBITMQ_MNESIA_BASE="$RMQ_DIR/mnesia" RABBITMQ_LOG_BASE="$RMQ_DIR/log" \
		RABBITMQ_PLUGINS_EXPAND_DIR="$RMQ_DIR/plugins-$n" \
		RABBITMQ_PID_FILE="$RMQ_DIR/$n.pid" \
		RABBITMQ_CTL_DIST_PORT_MIN=25690 RABBITMQ_CTL_DIST_PORT_MAX=25699)
}
# rmq_env NODE COMMAND...: COMMAND with node NODE's environment.
rmq_env() {
	rmq_vars "$1"
	shift
	env "${RMQ_ENV[@]}" "$@"
}

# rmq_ctl NODE ARGS...: rabbitmqctl against NODE.
rmq_ctl() {
	local n=$1
	shift
	rmq_env "$n" timeout 120 "$RMQ_BIN/rabbitmqctl" -n "$(rmq_name "$n")" "$@"
}

# The files both nodes read.
rmq_setup() {
	mkdir -p "$RMQ_DIR/log"
	# The cookie: any secret both nodes (and rabbitmqctl) share.
	head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$RMQ_DIR/.erlang.cookie"
	chmod 400 "$RMQ_DIR/.erlang.cookie"
	: >"$RMQ_DIR/env.conf"
	echo '[rabbitmq_mqtt].' >"$RMQ_DIR/enabled_plugins"
	local n
	for n in a b; do
		cat >"$RMQ_DIR/$n.conf" <<-CONF
			listeners.tcp = none
			mqtt.listeners.tcp.1 = 127.0.0.1:$(rmq_mqtt_port "$n")
			mqtt.allow_anonymous = true
			loopback_users = none
			log.console = false
			log.file.level = info
			# Two nodes: a minority stops serving on a partition anyway.
			cluster_partition_handling = ignore
		CONF
		echo '[].' >"$RMQ_DIR/$n-advanced.config"
	done
}

# rmq_start NODE: in the background; rmq_up NODE says when it serves.
# Its pid (in NODE.shpid) leads a session and process group of its own.
rmq_start() {
	rmq_vars "$1"
	(exec env "${RMQ_ENV[@]}" setsid "$RMQ_BIN/rabbitmq-server") >>"$RMQ_DIR/log/$1.out" 2>&1 &
	echo $! >"$RMQ_DIR/$1.shpid"
}
rmq_up() { rmq_ctl "$1" await_startup --timeout 5 >/dev/null 2>&1; }
# rmq_mqtt_up NODE: its MQTT listener accepts a connection.
rmq_mqtt_up() {
	mosquitto_sub -h 127.0.0.1 -p "$(rmq_mqtt_port "$1")" -V mqttv311 -t kcoap/probe \
		-i "probe-$1-$$" -E -W 5 >/dev/null 2>&1
}
# rmq_kill NODE: SIGKILL, as a crash: its whole process group, at once.
rmq_kill() {
	local pid
	pid=$(cat "$RMQ_DIR/$1.shpid" 2>/dev/null) || return 1
	kill -KILL -- "-$pid" || return 1
	local end=$((SECONDS + 30))
	while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $end ]; do sleep 0.2; done
	rm -f "$RMQ_DIR/$1.shpid"
	! kill -0 "$pid" 2>/dev/null
}
# rmq_stop NODE: a clean stop (rabbitmqctl stop), then the process gone.
rmq_stop() {
	rmq_ctl "$1" stop >/dev/null 2>&1
	local pid
	pid=$(cat "$RMQ_DIR/$1.shpid" 2>/dev/null) || return 0
	local end=$((SECONDS + 60))
	while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $end ]; do sleep 0.2; done
	kill -0 "$pid" 2>/dev/null && kill -KILL -- "-$pid" 2>/dev/null
	rm -f "$RMQ_DIR/$1.shpid"
}

# rmq_cluster: both nodes up and joined, the MQTT subscription queues
# mirrored; false (having said why on stderr) if not within the time.
rmq_cluster() {
	local t0=$SECONDS
	rmq_setup
	rmq_start a
	rmq_start b
	rmq_wait 300 rmq_up a || { echo "# node a did not start: see $RMQ_DIR/log" >&2; return 1; }
	rmq_wait 300 rmq_up b || { echo "# node b did not start: see $RMQ_DIR/log" >&2; return 1; }
	if ! { rmq_ctl b stop_app && rmq_ctl b join_cluster "$(rmq_name a)" &&
		rmq_ctl b start_app; } >/dev/null; then
		echo "# node b did not join a" >&2
		return 1
	fi
	# The durable queues of clean-session-false subscriptions live on the
	# node their client was connected to; mirrored to the other, promoted
	# there when their node stops (classic queue mirroring: RabbitMQ 3.x).
	rmq_ctl a set_policy --apply-to queues mqtt-mirror '^mqtt-subscription-' \
		'{"ha-mode":"all","ha-sync-mode":"automatic","ha-promote-on-shutdown":"always","ha-promote-on-failure":"always"}' \
		>/dev/null || { echo "# the mirroring policy was refused" >&2; return 1; }
	if ! rmq_wait 120 rmq_mqtt_up a || ! rmq_wait 120 rmq_mqtt_up b; then
		echo "# the MQTT listeners do not answer" >&2
		return 1
	fi
	echo "# cluster of 2 nodes up in $((SECONDS - t0)) s" >&2
}

# rmq_wait SECONDS COMMAND...: until COMMAND succeeds, at most SECONDS.
rmq_wait() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -lt "$end" ] || return 1
		sleep 1
	done
}

# rmq_teardown: every node stopped, epmd too, the directory removed.
rmq_teardown() {
	local n
	for n in a b; do
		[ -f "$RMQ_DIR/$n.shpid" ] && rmq_stop "$n"
	done
	# Our epmd (its own port): nothing of ours registered with it now.
	ERL_EPMD_PORT=$RMQ_EPMD_PORT timeout 20 epmd -kill >/dev/null 2>&1
	rm -rf "$RMQ_DIR"
}

# Run as a command (tests/cluster/control.py does): rabbitmq.sh stop|start NODE.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -u
	: "${RMQ_DIR:?}"
	case ${1:-}:${2:-} in
	stop:a | stop:b) rmq_stop "$2" ;;
	kill:a | kill:b) rmq_kill "$2" ;;
	start:a | start:b) rmq_start "$2" && rmq_wait 300 rmq_up "$2" && rmq_wait 120 rmq_mqtt_up "$2" ;;
	*) echo "usage: rabbitmq.sh stop|kill|start a|b" >&2; exit 2 ;;
	esac
fi
