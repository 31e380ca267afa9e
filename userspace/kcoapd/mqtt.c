// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * The broker connection, through libmosquitto. A thread of its own
 * connects (blocking in DNS, TCP and TLS is fine there), runs the client's
 * network loop and reconnects with exponential backoff; the session is
 * persistent (clean start off, MQTT 5 session expiry), so subscriptions
 * and QoS 1 messages survive a reconnect. The Last Will is a retained
 * "offline" on {prefix}status; every connect publishes a retained "online"
 * there.
 *
 * Several mqtt-url lines are the nodes of one cluster: a lost connection
 * goes to the next node (failover.c says which, and when). It is the same
 * client, so the client id, the session settings, the Will, the TLS setup
 * and the QoS 1 and 2 messages not acknowledged yet go with it:
 * libmosquitto sends those again (DUP set) after the next CONNACK,
 * whichever node sends it, and their CoAP clients get their 2.04 when
 * that node's PUBACK comes.
 *
 * Callbacks run on that thread: they only queue events, and an eventfd
 * wakes the daemon's loop, which handles them (mqtt_events()). Publishing
 * and subscribing from the loop is safe: libmosquitto locks for threaded
 * clients.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>
#include <mqtt_protocol.h>

#include "kcoapd.h"

enum ev_type { EV_CONNECTED, EV_DISCONNECTED, EV_PUBACK, EV_MESSAGE };

struct ev {
	struct ev *next;
	enum ev_type type;
	int mid, rc, qos;
	bool retain;
	char *topic;
	void *payload;
	size_t len;
	mosquitto_property *props;
};

static struct mosquitto *mosq;
static pthread_t thread;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static struct ev *head, **tail = &head;
static int efd = -1;
static atomic_bool connected, stopping;
static atomic_uint_fast64_t next_try_ms;
static const struct kcoapd_config *cfg;
static struct mqtt_url urls[KCOAPD_MAX_BROKERS];
static struct failover fo;		/* the thread's; read under lock */
static atomic_bool came_up;		/* on_connect succeeded this attempt */
static atomic_bool refused;		/* a CONNACK refused this attempt */
static char status_topic[512];
static char last_error[256];		/* under lock */
static uint64_t last_error_at;		/* Unix seconds */
static unsigned long n_retained_cmds;
static unsigned long n_resent;		/* publishes in flight at losses */

/* What went wrong last, for kcoapctl daemon (status.c). */
static void set_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void set_error(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&lock);
	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	last_error_at = (uint64_t)time(NULL);
	pthread_mutex_unlock(&lock);
}

/* The node in use or being tried: the thread's, or under lock. */
#define CUR (&urls[fo.cur])

void mqtt_status(FILE *f)
{
	if (!mosq) {
		fprintf(f, "broker off\n");
		return;
	}
	pthread_mutex_lock(&lock);
	fprintf(f, "broker %s%s%s:%d %s\n", strchr(CUR->host, ':') ? "[" : "", CUR->host,
		strchr(CUR->host, ':') ? "]" : "", CUR->port,
		connected ? "connected" : "disconnected");
	fprintf(f, "broker-node %zu\nbroker-nodes %zu\n", fo.cur + 1, fo.n);
	fprintf(f, "broker-failovers %lu\nbroker-connects %lu\nbroker-outage-ms %llu\n",
		fo.failovers, fo.connects, (unsigned long long)fo.outage_ms);
	if (last_error[0])
		fprintf(f, "broker-error %llu %s\n", (unsigned long long)last_error_at, last_error);
	pthread_mutex_unlock(&lock);
	fprintf(f, "commands-retained-dropped %lu\n", n_retained_cmds);
	fprintf(f, "broker-inflight-at-loss %lu\n", n_resent);
}

static void post(struct ev *e)
{
	uint64_t one = 1;

	pthread_mutex_lock(&lock);
	*tail = e;
	tail = &e->next;
	pthread_mutex_unlock(&lock);
	if (write(efd, &one, sizeof(one)) < 0)
		kcoapd_log(LOG_WARNING, "mqtt: eventfd: %s", strerror(errno));
}

static void post_simple(enum ev_type type, int mid, int rc)
{
	struct ev *e = calloc(1, sizeof(*e));

	if (!e)
		return;
	e->type = type;
	e->mid = mid;
	e->rc = rc;
	post(e);
}

static void on_connect(struct mosquitto *m, void *obj, int rc, int flags,
		       const mosquitto_property *props)
{
	(void)obj;
	(void)props;
	if (rc) {
		const char *why = cfg->protocol == 5 ? mosquitto_reason_string(rc) :
				  mosquitto_connack_string(rc);

		kcoapd_log(LOG_WARNING, "mqtt: %s:%d refused the connection: %s", CUR->host,
			   CUR->port, why);
		set_error("%s:%d refused the connection: %s", CUR->host, CUR->port, why);
		refused = true;
		return;
	}
	kcoapd_log(LOG_INFO, "mqtt: connected to %s:%d%s", CUR->host, CUR->port,
		   flags & 1 ? " (session resumed)" : "");
	pthread_mutex_lock(&lock);
	failover_connected(&fo, now_ms());
	if (fo.failovers && fo.outage_ms)
		kcoapd_log(LOG_NOTICE, "mqtt: on node %zu of %zu after %llu ms without a broker (failovers: %lu)",
			   fo.cur + 1, fo.n, (unsigned long long)fo.outage_ms, fo.failovers);
	pthread_mutex_unlock(&lock);
	came_up = true;
	connected = true;
	mosquitto_publish(m, NULL, status_topic, 6, "online", 1, true);
	post_simple(EV_CONNECTED, 0, flags);
}

static void on_disconnect(struct mosquitto *m, void *obj, int rc,
			  const mosquitto_property *props)
{
	(void)m;
	(void)obj;
	(void)props;
	if (connected) {
		kcoapd_log(LOG_WARNING, "mqtt: connection to %s:%d lost (%s)", CUR->host,
			   CUR->port, mosquitto_strerror(rc));
		set_error("connection lost: %s", mosquitto_strerror(rc));
		connected = false;
		/* (mid 1: a connection was lost, not an attempt that failed) */
		post_simple(EV_DISCONNECTED, 1, rc);
	}
}

static void on_publish(struct mosquitto *m, void *obj, int mid, int reason,
		       const mosquitto_property *props)
{
	(void)m;
	(void)obj;
	(void)props;
	post_simple(EV_PUBACK, mid, reason);
}

static void on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg,
		       const mosquitto_property *props)
{
	struct ev *e = calloc(1, sizeof(*e));

	(void)m;
	(void)obj;
	if (!e)
		return;
	e->type = EV_MESSAGE;
	e->qos = msg->qos;
	e->retain = msg->retain;
	e->topic = strdup(msg->topic);
	e->len = msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0;
	e->payload = malloc(e->len + 1);
	if (!e->topic || !e->payload || (props && mosquitto_property_copy_all(&e->props, props))) {
		free(e->topic);
		free(e->payload);
		free(e);
		kcoapd_log(LOG_WARNING, "mqtt: out of memory, a message on %s dropped", msg->topic);
		return;
	}
	if (e->len)
		memcpy(e->payload, msg->payload, e->len);
	((char *)e->payload)[e->len] = 0;
	post(e);
}

static int connect_once(const struct mqtt_url *u)
{
	mosquitto_property *props = NULL;
	int rc;

	/* The settings win over the URL; a node's URL may name its own user. */
	if (cfg->user)
		mosquitto_username_pw_set(mosq, cfg->user, cfg->password);
	else if (u->has_user)
		mosquitto_username_pw_set(mosq, u->user,
					  u->has_password ? u->password : cfg->password);
	else
		mosquitto_username_pw_set(mosq, NULL, NULL);
	came_up = false;
	refused = false;
	if (cfg->protocol != 5)
		return mosquitto_connect(mosq, u->host, u->port, (int)cfg->keepalive);
	/* Clean start is off: keep the session for this long after we go. */
	mosquitto_property_add_int32(&props, MQTT_PROP_SESSION_EXPIRY_INTERVAL,
				     cfg->session_expiry);
	rc = mosquitto_connect_bind_v5(mosq, u->host, u->port, (int)cfg->keepalive, NULL, props);
	mosquitto_property_free_all(&props);
	return rc;
}

/* Sleep @secs, or until mqtt_stop(). */
static void pause_for(unsigned int secs)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += secs;
	pthread_mutex_lock(&lock);
	while (!stopping && pthread_cond_timedwait(&wake, &lock, &until) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&lock);
}

/*
 * One attempt on the current node: connect, then run the network loop
 * until the connection ends. No CONNACK within connect_timeout (a node
 * that takes the TCP connection but cannot serve it) ends it too. True if
 * the connection came up. Each node's failures are logged once per kind,
 * not at every retry.
 */
#define FAIL_NO_CONNACK		-2
#define FAIL_CLOSED		-3
static int said[KCOAPD_MAX_BROKERS];

static void failed(int kind, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void failed(int kind, const char *fmt, ...)
{
	char why[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (said[fo.cur] != kind)
		kcoapd_log(LOG_WARNING, "mqtt: %s:%d: %s; retrying%s", CUR->host, CUR->port, why,
			   fo.n > 1 ? " (and the other nodes)" : "");
	said[fo.cur] = kind;
	set_error("%s:%d: %s", CUR->host, CUR->port, why);
}

static bool attempt(void)
{
	uint64_t start = now_ms();
	int rc = connect_once(CUR);

	if (rc != MOSQ_ERR_SUCCESS) {
		failed(rc, "cannot connect: %s",
		       rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
		return false;
	}
	while (!stopping && (rc = mosquitto_loop(mosq, 1000, 1)) == MOSQ_ERR_SUCCESS) {
		if (!came_up && now_ms() - start > cfg->connect_timeout * 1000ULL) {
			failed(FAIL_NO_CONNACK, "no CONNACK within %u s", cfg->connect_timeout);
			return false;
		}
	}
	if (connected) {
		/* The loop failed without a disconnect callback. */
		connected = false;
		post_simple(EV_DISCONNECTED, 1, rc);
	}
	if (came_up) {
		said[fo.cur] = 0;
	} else if (!stopping && !atomic_exchange(&refused, false)) {
		/*
		 * Closed with no CONNACK at all: a broker that does not speak
		 * the protocol version (RabbitMQ before 3.13 and MQTT 5), or
		 * a node that cannot take clients now.
		 */
		failed(FAIL_CLOSED, "closed the connection before its CONNACK%s",
		       cfg->protocol == 5 ?
		       " (a broker that speaks only MQTT 3.1.1? see mqtt-protocol)" : "");
	}
	return came_up;
}

static void *run(void *arg)
{
	uint32_t wait;
	bool up;

	(void)arg;
	while (!stopping) {
		up = attempt();
		if (stopping)
			break;
		pthread_mutex_lock(&lock);
		wait = up ? failover_lost(&fo, now_ms()) : failover_failed(&fo);
		pthread_mutex_unlock(&lock);
		next_try_ms = now_ms() + wait * 1000ULL;
		if (wait)
			pause_for(wait);
	}
	return NULL;
}

int mqtt_start(const struct kcoapd_config *c, const struct mqtt_url *u, size_t n)
{
	int v = c->protocol == 5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311;
	int rc;

	cfg = c;
	mosquitto_lib_init();
	/* A persistent session needs a stable client id: clean_session false. */
	mosq = mosquitto_new(c->client_id, false, NULL);
	if (!mosq) {
		fprintf(stderr, "kcoapd: mqtt-client-id '%s': %s\n", c->client_id, strerror(errno));
		return -1;
	}
	mosquitto_int_option(mosq, MOSQ_OPT_PROTOCOL_VERSION, v);
	if (!n || n > KCOAPD_MAX_BROKERS)
		return -1;
	memcpy(urls, u, n * sizeof(*u));
	failover_init(&fo, n, c->reconnect_max);
	if (strlen(c->topic_prefix) > 128 || strpbrk(c->topic_prefix, "+#")) {
		fprintf(stderr, "kcoapd: topic-prefix '%s': at most 128 bytes, no '+' or '#'\n",
			c->topic_prefix);
		return -1;
	}
	/* The user and password: at each connect (connect_once()). */
	if (urls[0].tls || c->ca_file) {
		rc = mosquitto_tls_set(mosq, c->ca_file, c->ca_file ? NULL : "/etc/ssl/certs",
				       c->cert_file, c->key_file, NULL);
		if (rc) {
			fprintf(stderr, "kcoapd: TLS settings (mqtt-ca-file '%s', mqtt-cert-file '%s', mqtt-key-file '%s'): %s\n",
				c->ca_file ? c->ca_file : "", c->cert_file ? c->cert_file : "",
				c->key_file ? c->key_file : "", mosquitto_strerror(rc));
			return -1;
		}
	}
	snprintf(status_topic, sizeof(status_topic), "%sstatus", c->topic_prefix);
	rc = mosquitto_will_set(mosq, status_topic, 7, "offline", 1, true);
	if (rc) {
		fprintf(stderr, "kcoapd: topic-prefix '%s': %s\n", c->topic_prefix,
			mosquitto_strerror(rc));
		return -1;
	}
	mosquitto_threaded_set(mosq, true);
	mosquitto_connect_v5_callback_set(mosq, on_connect);
	mosquitto_disconnect_v5_callback_set(mosq, on_disconnect);
	mosquitto_publish_v5_callback_set(mosq, on_publish);
	mosquitto_message_v5_callback_set(mosq, on_message);
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0 || pthread_create(&thread, NULL, run, NULL)) {
		fprintf(stderr, "kcoapd: mqtt thread: %s\n", strerror(errno));
		return -1;
	}
	kcoapd_log(LOG_INFO, "mqtt: broker %s:%d%s%s, MQTT %s, client id %s, topics %s...",
		   urls[0].host, urls[0].port, n > 1 ? " and other nodes" : "",
		   urls[0].tls ? " (TLS)" : "", c->protocol == 5 ? "5" : "3.1.1",
		   c->client_id, c->topic_prefix);
	return efd;
}

void mqtt_stop(void)
{
	int i;

	if (!mosq)
		return;
	if (connected) {
		/* A clean exit sends no Will: say it ourselves. */
		int mid = 0;

		mosquitto_publish(mosq, &mid, status_topic, 7, "offline", 1, true);
		for (i = 0; i < 20 && connected && mosquitto_want_write(mosq); i++)
			usleep(50000);
		mosquitto_disconnect(mosq);
	}
	pthread_mutex_lock(&lock);
	stopping = true;
	pthread_cond_broadcast(&wake);
	pthread_mutex_unlock(&lock);
	pthread_join(thread, NULL);
	mosquitto_destroy(mosq);
	mosq = NULL;
	mosquitto_lib_cleanup();
}

bool mqtt_connected(void)
{
	return connected;
}

bool mqtt_v5(void)
{
	return cfg->protocol == 5;
}

uint32_t mqtt_retry_in(void)
{
	uint64_t next = next_try_ms, now = now_ms();

	return next > now + 1000 ? (uint32_t)((next - now + 999) / 1000) : 1;
}

const char *mqtt_topic(const char *rest, char *buf, size_t cap)
{
	/* Too long: an empty topic, which every publish refuses. */
	if ((size_t)snprintf(buf, cap, "%s%s", cfg->topic_prefix, rest) >= cap)
		buf[0] = 0;
	return buf;
}

int mqtt_publish(const char *topic, const void *payload, size_t len, int qos,
		 bool retain, const mosquitto_property *props, int *mid, bool keep)
{
	int rc;

	if (!connected && !(keep && qos > 0))
		return -ENOTCONN;
	if (!*topic)
		return -EINVAL;
	if (len > 268435455)
		return -EMSGSIZE;
	if (cfg->protocol == 5)
		rc = mosquitto_publish_v5(mosq, mid, topic, (int)len, payload, qos, retain, props);
	else
		rc = mosquitto_publish(mosq, mid, topic, (int)len, payload, qos, retain);
	switch (rc) {
	case MOSQ_ERR_SUCCESS:
		return 0;
	case MOSQ_ERR_NO_CONN:
	case MOSQ_ERR_CONN_LOST:
		/* QoS 1 and 2: queued all the same, sent after the reconnect. */
		return qos > 0 ? 0 : -ENOTCONN;
	case MOSQ_ERR_NOMEM:
		return -ENOMEM;
	case MOSQ_ERR_PAYLOAD_SIZE:
	case MOSQ_ERR_OVERSIZE_PACKET:
		return -EMSGSIZE;
	default:
		return -EINVAL;
	}
}

int mqtt_subscribe(const char *topic)
{
	return mosquitto_subscribe(mosq, NULL, topic, 1) ? -EIO : 0;
}

int mqtt_resubscribe(const char *topic)
{
	/* MQTT 5 retain handling 1: the retained message only if the broker
	 * lost the subscription (a retained copy would be older than what
	 * the session queued meanwhile).
	 */
	if (cfg->protocol != 5)
		return mqtt_subscribe(topic);
	return mosquitto_subscribe_v5(mosq, NULL, topic, 1, MQTT_SUB_OPT_SEND_RETAIN_NEW,
				      NULL) ? -EIO : 0;
}

/*
 * The command topics: under MQTT 5 with retain handling 2 (no retained
 * message at subscribe time) and retain as published (a command that was
 * published retained still says so), MQTT 5 §3.8.3.1. Retained commands
 * are never executed either way (mqtt_events()).
 */
static int subscribe_commands(void)
{
	char t[512];

	mqtt_topic("cmd/#", t, sizeof(t));
	if (cfg->protocol != 5)
		return mqtt_subscribe(t);
	return mosquitto_subscribe_v5(mosq, NULL, t, 1, MQTT_SUB_OPT_SEND_RETAIN_NEVER |
				      MQTT_SUB_OPT_RETAIN_AS_PUBLISHED, NULL) ? -EIO : 0;
}

int mqtt_unsubscribe(const char *topic)
{
	return mosquitto_unsubscribe(mosq, NULL, topic) ? -EIO : 0;
}

void mqtt_events(void)
{
	size_t plen = strlen(cfg->topic_prefix);
	struct ev *e, *next;
	uint64_t n;

	if (read(efd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		kcoapd_log(LOG_WARNING, "mqtt: eventfd: %s", strerror(errno));
	pthread_mutex_lock(&lock);
	e = head;
	head = NULL;
	tail = &head;
	pthread_mutex_unlock(&lock);
	for (; e; e = next) {
		next = e->next;
		switch (e->type) {
		case EV_CONNECTED:
			if (subscribe_commands())
				kcoapd_log(LOG_WARNING, "mqtt: cannot subscribe to %scmd/#",
					   cfg->topic_prefix);
			pubsub_connected();
			rd_connected();
			break;
		case EV_DISCONNECTED:
			/* libmosquitto sends them again after the next CONNACK. */
			if (e->mid && pubsub_pending()) {
				kcoapd_log(LOG_NOTICE, "mqtt: %u publishes await their PUBACK: sent again after the reconnect",
					   pubsub_pending());
				n_resent += pubsub_pending();
			}
			break;
		case EV_PUBACK:
			pubsub_puback(e->mid, e->rc);
			break;
		case EV_MESSAGE:
			if (strncmp(e->topic, cfg->topic_prefix, plen))
				break;
			if (!strncmp(e->topic + plen, "cmd/", 4) && e->retain) {
				/* A retained command would run at every reconnect. */
				kcoapd_log(LOG_WARNING, "cmd: a retained message on %s: not executed",
					   e->topic);
				n_retained_cmds++;
			} else if (!strncmp(e->topic + plen, "cmd/", 4)) {
				command_message(e->topic + plen + 4, e->payload, e->len, e->props);
			} else {
				pubsub_message(e->topic + plen, e->payload, e->len, e->qos, e->props);
			}
			break;
		}
		free(e->topic);
		free(e->payload);
		mosquitto_property_free_all(&e->props);
		free(e);
	}
}
