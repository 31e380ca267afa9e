// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * kcoapd: attach to kcoap.ko as the namespace's daemon and serve what it
 * hands up. One epoll loop: the ring's file (requests), a timerfd (answers
 * that are late on purpose) and a signalfd (SIGINT, SIGTERM, SIGHUP to read
 * the settings again); with the MQTT
 * bridge also the broker thread's eventfd, the socket commands go to
 * devices from, and a tick for the bridge's timers; with http-port the
 * HTTP server's epoll fd and the proxy's CoAP socket (http.c). Answers are batched:
 * one kick of the kernel per turn of the loop.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "kcoap_nl.h"
#include "kcoap_ring.h"
#include "dtls.h"
#include "kcoapd.h"

#define DEFAULT_CONFIG "/etc/kcoap/kcoapd.conf"
#define MAX_LATE 1024

struct late {
	uint64_t id;
	uint64_t due_ms;
	struct answer a;
};

static struct late *late;
static size_t n_late;
static struct kcoap_ring_user ring;
static bool dirty;		/* responses written, not kicked yet */

uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: kcoapd [-c FILE] [-p PREFIX]... [-m URL | -M] [-t TOPIC] [-n] [-s] [-v]\n"
		"              [--dtls-psk-file FILE | --no-dtls]\n"
		"Serve the CoAP requests kcoap.ko hands up, and bridge CoAP and MQTT\n"
		"(kcoapd(8)).\n\n"
		"  -c, --config FILE        settings (default " DEFAULT_CONFIG " if it exists);\n"
		"                           the options below win over the file\n"
		"  -p, --prefix PATH        a path to serve: /a alone, /a/ and all below it\n"
		"                           (default /store/, and /echo with \"echo on\")\n"
		"  -m, --mqtt URL           the broker: mqtt[s]://[user[:password]@]host[:port]\n"
		"                           (default mqtt://localhost); serves /ps/ and /rd;\n"
		"                           again for each node of a cluster, tried in turn\n"
		"  -M, --no-mqtt            no MQTT bridge\n"
		"  -t, --topic-prefix TOPIC the gateway's topics start so (default\n"
		"                           kcoap/HOSTNAME/)\n"
		"  -s, --syslog             log to syslog, not stderr\n"
		"  -n, --no-push            keep the store's resources out of the kernel's\n"
		"                           table (every GET then comes up to kcoapd)\n"
		"  -v, --verbose            log every request\n"
		"      --dtls-psk-file FILE coaps:// with the pre-shared keys in FILE\n"
		"                           (\"IDENTITY:KEY\" lines; chmod 600)\n"
		"      --no-dtls            no DTLS handshakes, whatever the settings say\n"
		"  -h, --help               this help\n");
}

static void respond(struct kcoap_ring_user *r, uint64_t id, const struct answer *a)
{
	int err = kcoap_ring_respond(r, id, a->code, a->buf, a->len);

	if (err == -ENOSPC) {
		/* Let the kernel empty the ring, then try once more. */
		kcoap_ring_kick(r);
		err = kcoap_ring_respond(r, id, a->code, a->buf, a->len);
	}
	if (err)
		kcoapd_log(LOG_WARNING, "response to %llu dropped: %s",
			   (unsigned long long)id, strerror(-err));
	dirty = true;
}

void reply(uint64_t id, const struct answer *a)
{
	respond(&ring, id, a);
}

void reply_code(uint64_t id, uint8_t code)
{
	struct answer a;

	answer_code(&a, code);
	respond(&ring, id, &a);
}

void kick_later(void)
{
	dirty = true;
}

void reply_serve(uint64_t id, uint8_t fallback)
{
	int err = kcoap_ring_serve(&ring, id, fallback);

	if (err == -ENOSPC) {
		kcoap_ring_kick(&ring);
		err = kcoap_ring_serve(&ring, id, fallback);
	}
	if (err)
		kcoapd_log(LOG_WARNING, "response to %llu dropped: %s",
			   (unsigned long long)id, strerror(-err));
	dirty = true;
}

static bool bridge, echo_on, http_on;

/* What the ACL calls a request with method @code. */
static int perm_of(uint8_t code)
{
	return code == COAP_CODE_GET || code == COAP_CODE_FETCH ? ACL_READ : ACL_WRITE;
}

/* Which part of kcoapd answers: true if @a is the answer now. */
static bool handle(const struct kcoap_req_desc *d, const struct coap_msg *m,
		   struct answer *a)
{
	char path[300];
	/* The HTTP proxy checked its client already (http.c). */
	bool proxied = http_on && http_from_proxy(d);

	a->delay_ms = 0;
	if (!req_path(m, path, sizeof(path))) {
		answer_code(a, COAP_CODE_BAD_REQUEST);
		return true;
	}
	if (bridge && !strncmp(path, "/ps/", 4)) {
		/* RFC 7252 §5.9.2.4: 4.03 Forbidden, no publish, no subscribe. */
		if (!proxied &&
		    !acl_check(d->addr, req_identity(d), ACL_TOPIC, perm_of(m->code), path + 4)) {
			answer_code(a, COAP_CODE_FORBIDDEN);
			return true;
		}
		return pubsub_handle(d->id, m, path, a);
	}
	if (bridge && (!strcmp(path, "/rd") || !strncmp(path, "/rd/", 4))) {
		rd_handle(d, m, path, a);
		return true;
	}
	/* The store's paths (/echo, a test aid, when it is on: for anyone). */
	if ((!echo_on || strcmp(path, "/echo")) && !proxied &&
	    !acl_check(d->addr, req_identity(d), ACL_STORE, perm_of(m->code), path)) {
		answer_code(a, COAP_CODE_FORBIDDEN);
		return true;
	}
	store_handle(d, m, a);
	return true;
}

static void arm(int tfd)
{
	struct itimerspec its = { 0 };
	uint64_t first = UINT64_MAX, now = now_ms(), in;
	size_t i;

	for (i = 0; i < n_late; i++)
		if (late[i].due_ms < first)
			first = late[i].due_ms;
	if (first != UINT64_MAX) {
		in = first > now ? first - now : 1;
		its.it_value.tv_sec = (time_t)(in / 1000);
		its.it_value.tv_nsec = (long)(in % 1000) * 1000000;
	}
	timerfd_settime(tfd, 0, &its, NULL);
}

static void serve_requests(struct kcoap_ring_user *r, int tfd)
{
	const struct kcoap_req_desc *d;
	const uint8_t *data;
	struct coap_msg m;
	struct answer a;
	int err;

	while ((d = kcoap_ring_peek(r, &data))) {
		uint64_t id = d->id;

		if (d->flags & KCOAP_REQ_F_DTLS) {
			/* A handshake's datagram, not a request (dtls.c). */
			dtls_datagram(d->session ? d->session : (uint32_t)id, data,
				      d->data_len, now_ms());
			kcoap_ring_consume(r);
			continue;
		}

		err = coap_parse(&m, data, d->data_len);
		if (err) {
			/* The kernel checked it already; answer anyway. */
			a.code = COAP_CODE_BAD_REQUEST;
			a.len = 0;
			a.delay_ms = 0;
		} else if (!handle(d, &m, &a)) {
			/* Answered later (the broker's PUBACK, say). */
			kcoapd_log(LOG_DEBUG, "request %llu: %u.%02u -> later",
				   (unsigned long long)id, m.code >> 5, m.code & 31);
			kcoap_ring_consume(r);
			continue;
		}
		kcoapd_log(LOG_DEBUG, "request %llu: %u.%02u -> %u.%02u%s",
			   (unsigned long long)id, m.code >> 5, m.code & 31,
			   a.code >> 5, a.code & 31, a.delay_ms ? " (later)" : "");
		if (a.delay_ms && n_late < MAX_LATE) {
			late[n_late].id = id;
			late[n_late].due_ms = now_ms() + a.delay_ms;
			late[n_late].a = a;
			n_late++;
			arm(tfd);
		} else {
			respond(r, id, &a);
		}
		/* The datagram was read: its slot can go back. */
		kcoap_ring_consume(r);
	}
	/* On disk before the answers go out. */
	state_flush();
	kcoap_ring_kick(r);
	dirty = false;
}

static void serve_late(struct kcoap_ring_user *r, int tfd)
{
	uint64_t now = now_ms(), ticks;
	size_t i = 0;

	if (read(tfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		kcoapd_log(LOG_WARNING, "timerfd: %s", strerror(errno));
	while (i < n_late) {
		if (late[i].due_ms <= now) {
			respond(r, late[i].id, &late[i].a);
			late[i] = late[--n_late];
		} else {
			i++;
		}
	}
	kcoap_ring_kick(r);
	arm(tfd);
}

/* The command line: applied over the settings file, at start and on SIGHUP. */
struct cli {
	const char *config, *topic_prefix, *dtls_psk_file;
	const char *mqtt_urls[KCOAPD_MAX_BROKERS];
	size_t n_mqtt_urls;
	const char *prefixes[KCOAPD_MAX_PREFIXES];
	size_t n_prefixes;
	bool syslog, verbose, no_push, no_mqtt, no_dtls;
};

static void apply_cli(struct kcoapd_config *c, const struct cli *cli)
{
	size_t i;

	if (cli->n_prefixes) {
		c->n_prefixes = cli->n_prefixes;
		for (i = 0; i < cli->n_prefixes; i++)
			c->prefixes[i] = cli->prefixes[i];
	}
	if (cli->n_mqtt_urls) {
		/* The command line's nodes replace the file's. */
		c->mqtt_urls_default = true;
		for (i = 0; i < cli->n_mqtt_urls; i++)
			kcoapd_config_url(c, cli->mqtt_urls[i], "--mqtt");
	}
	if (cli->no_mqtt) {
		c->mqtt_url = NULL;
		c->n_mqtt_urls = 0;
	}
	if (cli->topic_prefix)
		c->topic_prefix = cli->topic_prefix;
	if (cli->syslog)
		c->syslog = true;
	if (cli->verbose)
		c->log_level = LOG_DEBUG;
	if (cli->no_push)
		c->no_push = true;
	if (cli->dtls_psk_file)
		c->dtls_psk_file = cli->dtls_psk_file;
	if (cli->no_dtls)
		c->dtls = 0;
}

/* The settings file (if any), then the command line over it. */
static int settings(struct kcoapd_config *c, const struct cli *cli)
{
	kcoapd_config_defaults(c);
	if (cli->config && kcoapd_config_load(c, cli->config))
		return -EINVAL;
	apply_cli(c, cli);
	return 0;
}

static struct acl *load_acl(const struct kcoapd_config *c)
{
	struct acl *acl = c->acl_file ? acl_load(c->acl_file) : acl_builtin();

	if (!acl && !c->acl_file)
		fprintf(stderr, "kcoapd: out of memory for the ACL\n");
	return acl;
}

/*
 * SIGHUP: read the settings again and apply what can change while running
 * (kcoapd(8) lists it); the state, the rings, the broker connection and the
 * observers stay. A bad file changes nothing.
 */
static void reload(const struct cli *cli)
{
	static struct kcoapd_config now, prev;
	static bool have;
	struct kcoapd_config c;
	struct dtls_creds *cr;
	struct acl *acl;

	if (settings(&c, cli)) {
		kcoapd_log(LOG_ERR, "SIGHUP: the settings have errors (above): nothing changed");
		kcoapd_config_free(&c);
		return;
	}
	acl = load_acl(&c);
	if (!acl) {
		kcoapd_log(LOG_ERR, "SIGHUP: acl-file %s has errors: nothing changed",
			   c.acl_file ? c.acl_file : "");
		kcoapd_config_free(&c);
		return;
	}
	if (dtls_creds_load(&c, &cr)) {
		kcoapd_log(LOG_ERR, "SIGHUP: the DTLS settings have errors (above): nothing changed");
		acl_free(acl);
		kcoapd_config_free(&c);
		return;
	}
	acl_use(acl);
	/* New handshakes use these; those in flight and the sessions keep theirs. */
	dtls_use(cr);
	kcoapd_log_level(c.log_level);
	if (bridge)
		command_settings(&c);
	if (http_on)
		http_settings(&c);
	status_settings(&c);
	/* The strings of the last reload may still be in use until now. */
	if (have)
		kcoapd_config_free(&prev);
	prev = now;
	now = c;
	have = true;
	kcoapd_log(LOG_NOTICE, "SIGHUP: settings read again: log-level %d, acl-file %s, command-max-age %u, coap-ack-timeout %u, coap-max-retransmit %u, stats-interval %u, dtls %s",
		   c.log_level, c.acl_file ? c.acl_file : "(built-in rules)", c.command_max_age,
		   c.ack_timeout, c.max_retransmit, c.stats_interval, dtls_creds_describe(cr));
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "prefix", required_argument, NULL, 'p' },
		{ "syslog", no_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "no-push", no_argument, NULL, 'n' },
		{ "mqtt", required_argument, NULL, 'm' },
		{ "no-mqtt", no_argument, NULL, 'M' },
		{ "topic-prefix", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "dtls-psk-file", required_argument, NULL, 'P' },
		{ "no-dtls", no_argument, NULL, 'D' },
		{ 0 }
	};
	struct cli cli = { 0 };
	static struct mqtt_url urls[KCOAPD_MAX_BROKERS];
	struct kcoapd_config c;
	struct kcoap_ring_params p = { 0 };
	struct epoll_event ev, evs[8];
	struct kcoap_nl nl;
	struct dtls_creds *dtls_cr;
	struct acl *acl;
	sigset_t sigs;
	int o, err, ep, sfd, tfd, n, i, mfd = -1, cfd = -1, tick = -1, wdog;
	int hfd = -1, hsock = -1;
	int status = 0;
	bool running = true;

	while ((o = getopt_long(argc, argv, "c:p:svnm:Mt:h", opts, NULL)) != -1) {
		switch (o) {
		case 'm':
			if (cli.n_mqtt_urls == KCOAPD_MAX_BROKERS) {
				fprintf(stderr, "kcoapd: --mqtt '%s': at most %d broker addresses\n",
					optarg, KCOAPD_MAX_BROKERS);
				return 2;
			}
			cli.mqtt_urls[cli.n_mqtt_urls++] = optarg;
			break;
		case 'M':
			cli.no_mqtt = true;
			break;
		case 't':
			cli.topic_prefix = optarg;
			break;
		case 'c':
			cli.config = optarg;
			break;
		case 'p':
			if (cli.n_prefixes == KCOAPD_MAX_PREFIXES || optarg[0] != '/') {
				fprintf(stderr, "kcoapd: --prefix '%s': a path starting with '/', at most %d\n",
					optarg, KCOAPD_MAX_PREFIXES);
				return 2;
			}
			cli.prefixes[cli.n_prefixes++] = optarg;
			break;
		case 's':
			cli.syslog = true;
			break;
		case 'v':
			cli.verbose = true;
			break;
		case 'n':
			cli.no_push = true;
			break;
		case 'P':
			cli.dtls_psk_file = optarg;
			break;
		case 'D':
			cli.no_dtls = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "kcoapd: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (!cli.config && access(DEFAULT_CONFIG, R_OK) == 0)
		cli.config = DEFAULT_CONFIG;
	/* The file first, then the command line: flags win. */
	if (settings(&c, &cli))
		return 2;
	echo_on = c.echo;
	if (!c.n_prefixes) {
		c.prefixes[c.n_prefixes++] = "/store/";
		if (echo_on)
			c.prefixes[c.n_prefixes++] = "/echo";
	}
	bridge = c.mqtt_url;
	if (bridge && mqtt_urls_parse(c.mqtt_urls, c.n_mqtt_urls, urls))
		return 2;
	if (bridge) {
		if (c.n_prefixes + 3 > KCOAPD_MAX_PREFIXES) {
			fprintf(stderr, "kcoapd: at most %d prefixes with the MQTT bridge\n",
				KCOAPD_MAX_PREFIXES - 3);
			return 2;
		}
		c.prefixes[c.n_prefixes++] = "/ps/";
		c.prefixes[c.n_prefixes++] = "/rd";
		c.prefixes[c.n_prefixes++] = "/rd/";
	}
	acl = load_acl(&c);
	if (!acl)
		return 2;
	acl_use(acl);
	/* Secrets first: a key file others can read stops kcoapd here. */
	if (dtls_creds_load(&c, &dtls_cr))
		return 2;
	kcoapd_log_init(c.syslog, false);
	kcoapd_log_level(c.log_level);
	store_init(&c);
	if (bridge && (pubsub_init(&c) || rd_init(&c)))
		return 2;
	state_init(&c);
	{
		FILE *f = state_open("store");

		if (f) {
			store_load(f);
			fclose(f);
		}
		f = bridge ? state_open("devices") : NULL;
		if (f) {
			rd_load(f);
			fclose(f);
		}
	}
	late = calloc(MAX_LATE, sizeof(*late));
	if (!late)
		return 1;

	err = kcoap_nl_open(&nl);
	if (err) {
		kcoapd_log(LOG_ERR, "cannot reach kcoap over netlink: %s%s", strerror(-err),
			   err == -ENOENT ? " (is the kcoap module loaded?)" : "");
		return 1;
	}
	p.req_entries = c.req_entries;
	p.rsp_entries = c.rsp_entries;
	p.slot_size = c.slot_size;
	p.prefixes = c.prefixes;
	p.n_prefixes = c.n_prefixes;
	err = kcoap_ring_attach(&nl, &ring, &p);
	if (err) {
		kcoapd_log(LOG_ERR, "cannot attach to kcoap: %s%s%s", strerror(-err),
			   nl.extack[0] ? ": " : "", nl.extack);
		return 1;
	}
	kernel_init(&nl, &ring);
	if (dtls_kernel_init(&nl, &ring, &c))
		return 1;
	dtls_use(dtls_cr);
	if (dtls_cr)
		kcoapd_log(LOG_INFO, "dtls: %s; at most %u handshakes at once",
			   dtls_creds_describe(dtls_cr), c.dtls_handshakes_max);
	if (!c.no_push)
		kernel_push_init(&nl, c.push_ring ? &ring : NULL);
	/* What a previous kcoapd left in the table: ours again, or gone. */
	kernel_reconcile(c.prefixes, c.n_prefixes, bridge);
	store_push_all();
	kcoapd_log(LOG_INFO, "attached: %u requests, %u responses, %u-byte slots; serving %s%s%s",
		   ring.info.req_entries, ring.info.rsp_entries, ring.info.slot_size,
		   c.prefixes[0], c.n_prefixes > 1 ? " " : "",
		   c.n_prefixes > 1 ? c.prefixes[1] : "");

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	sfd = signalfd(-1, &sigs, SFD_CLOEXEC);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (sfd < 0 || tfd < 0 || ep < 0) {
		kcoapd_log(LOG_ERR, "epoll setup: %s", strerror(errno));
		return 1;
	}
	ev.events = EPOLLIN;
	ev.data.fd = ring.fd;
	epoll_ctl(ep, EPOLL_CTL_ADD, ring.fd, &ev);
	ev.data.fd = sfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);
	ev.data.fd = tfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
	{
		/* 100 ms: retained-wait, retransmissions, lifetimes, status. */
		struct itimerspec its = { { 0, 100000000 }, { 0, 100000000 } };

		tick = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
		if (tick < 0)
			return 1;
		timerfd_settime(tick, 0, &its, NULL);
		ev.data.fd = tick;
		epoll_ctl(ep, EPOLL_CTL_ADD, tick, &ev);
	}
	if (bridge) {
		cfd = command_init(&c);
		mfd = mqtt_start(&c, urls, c.n_mqtt_urls);
		if (cfd < 0 || mfd < 0)
			return 1;
		ev.data.fd = mfd;
		epoll_ctl(ep, EPOLL_CTL_ADD, mfd, &ev);
		ev.data.fd = cfd;
		epoll_ctl(ep, EPOLL_CTL_ADD, cfd, &ev);
	}
	if (c.http_port) {
		hfd = http_start(&c, bridge, &hsock);
		if (hfd < 0)
			return 1;
		http_on = true;
		ev.data.fd = hfd;
		epoll_ctl(ep, EPOLL_CTL_ADD, hfd, &ev);
		ev.data.fd = hsock;
		epoll_ctl(ep, EPOLL_CTL_ADD, hsock, &ev);
	}
	status_init(&c, bridge);
	wdog = notify_watchdog_fd();
	if (wdog >= 0) {
		ev.data.fd = wdog;
		epoll_ctl(ep, EPOLL_CTL_ADD, wdog, &ev);
	}
	notify_ready();

	/* Requests may have come between attach and now. */
	serve_requests(&ring, tfd);
	while (running) {
		n = epoll_wait(ep, evs, 8, -1);
		if (n < 0 && errno == EINTR)
			continue;
		for (i = 0; i < n; i++) {
			int fd = evs[i].data.fd;

			if (fd == sfd) {
				struct signalfd_siginfo si;

				if (read(sfd, &si, sizeof(si)) == sizeof(si) && si.ssi_signo == SIGHUP)
					reload(&cli);
				else
					running = false;
			} else if (fd == wdog) {
				notify_watchdog(wdog);
			} else if (fd == tfd) {
				serve_late(&ring, tfd);
			} else if (fd == mfd) {
				mqtt_events();
			} else if (fd == cfd) {
				command_readable();
			} else if (fd == hfd) {
				http_run();
			} else if (fd == hsock) {
				http_coap_readable();
			} else if (fd == tick) {
				uint64_t ticks, now = now_ms();

				if (read(tick, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
					kcoapd_log(LOG_WARNING, "timerfd: %s", strerror(errno));
				if (bridge) {
					pubsub_tick(now);
					rd_tick(now);
					command_tick(now);
				}
				if (http_on)
					http_tick(now);
				/* Retransmissions: GnuTLS's timers are 1 s and up. */
				dtls_tick(now);
				status_tick(now);
			} else if (evs[i].events & (EPOLLHUP | EPOLLERR)) {
				/* Not asked to stop: a failure, for Restart=. */
				kcoapd_log(LOG_ERR, "detached by the kernel");
				running = false;
				status = 1;
			} else {
				serve_requests(&ring, tfd);
			}
		}
		state_flush();
		if (dirty) {
			kcoap_ring_kick(&ring);
			dirty = false;
		}
	}
	notify_stopping();
	state_flush();
	status_end();
	if (http_on)
		http_stop();
	if (bridge)
		mqtt_stop();
	kcoapd_log(LOG_INFO, "detaching");
	dtls_end();
	kcoap_ring_detach(&ring);
	kcoap_nl_close(&nl);
	return status;
}
