// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Observe fan-out (RFC 7641): every endpoint registers on the resource
 * with a CON GET carrying Observe 0, then for each of --updates the
 * --trigger command changes the resource, and we time the notifications:
 * from starting the command to the first and the last one, and from the
 * first to the last (the fan-out itself). CON notifications are ACKed.
 */
#define _GNU_SOURCE	/* recvmmsg() */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "coap.h"
#include "endpoint.h"

extern char **environ;

struct obs {
	const struct bench_opts *o;
	struct bench_result *r;
	struct endpoint *ep;
	struct txbatch *tx;
	struct tmpl tmpl;
	int epfd;
	uint32_t update;	/* current update number, 0 while registering */
	unsigned int notified;	/* endpoints notified of the current update */
	uint64_t t_first, t_last;
};

static bool has_observe(const struct reply *rp)
{
	struct coap_msg m;

	return !coap_parse(&m, rp->data, rp->len) && coap_opt_find(&m, COAP_OPT_OBSERVE);
}

static void obs_receive(struct obs *b, struct endpoint *ep, uint64_t now)
{
	static uint8_t buf[BENCH_BATCH][BENCH_MAX_MSG];
	struct mmsghdr mm[BENCH_BATCH];
	struct iovec iov[BENCH_BATCH];
	int i, n;

	for (i = 0; i < BENCH_BATCH; i++) {
		iov[i].iov_base = buf[i];
		iov[i].iov_len = sizeof(buf[i]);
		memset(&mm[i].msg_hdr, 0, sizeof(mm[i].msg_hdr));
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	n = recvmmsg(ep->fd, mm, BENCH_BATCH, MSG_DONTWAIT, NULL);
	for (i = 0; i < n; i++) {
		struct reply rp;

		if (!reply_parse(buf[i], mm[i].msg_len, &rp) || rp.tkl != BENCH_TOKEN_LEN ||
		    rp.slot != 0 || rp.gen != ep->slots[0].gen) {
			b->r->stray++;
			continue;
		}
		if (rp.type == COAP_TYPE_CON)
			tx_empty_ack(b->tx, ep, rp.mid);
		if (COAP_CODE_CLASS(rp.code) != 2 || !has_observe(&rp)) {
			b->r->errors++;
			continue;
		}
		if (!ep->registered) {
			ep->registered = true;
			b->r->registered++;
			continue;
		}
		if (!b->update || ep->notified == b->update)
			continue;	/* a retransmission, or a late one */
		ep->notified = b->update;
		if (!b->notified++)
			b->t_first = now;
		b->t_last = now;
	}
	tx_flush(b->tx);
}

/* Wait for events until @done says so or @deadline passes. */
static void obs_loop(struct obs *b, uint64_t deadline, bool (*done)(const struct obs *))
{
	struct epoll_event ev[256];
	uint64_t now = now_ns(), resend = now + 2000000000u;

	while (!done(b) && now < deadline) {
		int i, n = epoll_wait(b->epfd, ev, 256, 10);

		now = now_ns();
		for (i = 0; i < n; i++)
			obs_receive(b, &b->ep[ev[i].data.u32], now);
		if (!b->update && now >= resend) {
			/* Registrations lost on the way: send them again. */
			unsigned int k;

			for (k = 0; k < b->o->endpoints; k++)
				if (!b->ep[k].registered)
					tx_request(b->tx, &b->ep[k], &b->tmpl, b->ep[k].slots[0].mid,
						   0, b->ep[k].slots[0].gen);
			tx_flush(b->tx);
			resend = now + 2000000000u;
		}
	}
}

static bool all_registered(const struct obs *b)
{
	return b->r->registered == b->o->endpoints;
}

static bool all_notified(const struct obs *b)
{
	return b->notified == b->r->registered;
}

static bool never(const struct obs *b)
{
	(void)b;
	return false;
}

static pid_t trigger(const char *cmd, uint32_t update)
{
	char *argv[] = { "sh", "-c", (char *)cmd, NULL };
	char num[16];
	pid_t pid;

	snprintf(num, sizeof(num), "%u", update);
	setenv("BENCH_UPDATE", num, 1);
	if (posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, environ)) {
		perror("kcoap-bench: cannot run the trigger");
		return -1;
	}
	return pid;
}

int bench_observe(const struct bench_opts *o, struct bench_result *r)
{
	struct obs b = { .o = o, .r = r };
	uint32_t rng = (uint32_t)now_ns() | 1;
	unsigned int i, u;
	int ret = -1;

	if (tmpl_build(&b.tmpl, o, true))
		return -1;
	b.ep = calloc(o->endpoints, sizeof(*b.ep));
	b.tx = calloc(1, sizeof(*b.tx));
	b.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (!b.ep || !b.tx || b.epfd < 0)
		goto out;
	for (i = 0; i < o->endpoints; i++) {
		b.ep[i].slots = calloc(1, sizeof(struct slot));
		if (!b.ep[i].slots)
			goto out;
	}
	if (endpoints_open(o, b.ep, o->endpoints, b.epfd, &rng))
		goto out;

	for (i = 0; i < o->endpoints; i++) {
		struct slot *s = b.ep[i].slots;

		s->mid = b.ep[i].mid++;
		s->gen = b.ep[i].gen++;
		tx_request(b.tx, &b.ep[i], &b.tmpl, s->mid, 0, s->gen);
		tx_flush(b.tx);
	}
	obs_loop(&b, now_ns() + (uint64_t)(o->observe_timeout * 1e9), all_registered);
	if (o->progress)
		fprintf(stderr, "kcoap-bench: %u of %u observers registered\n",
			r->registered, o->endpoints);
	if (!r->registered) {
		fprintf(stderr, "kcoap-bench: no observer could register\n");
		goto out;
	}
	r->notified_min = r->registered;
	for (u = 1; u <= o->updates && u <= 64; u++) {
		uint64_t t0;
		pid_t pid;
		int st;

		b.update = u;
		b.notified = 0;
		b.t_first = b.t_last = 0;
		cpu_sample(o, &r->cpu0);
		t0 = now_ns();
		pid = trigger(o->trigger, u);
		if (pid < 0)
			goto out;
		obs_loop(&b, t0 + (uint64_t)(o->observe_timeout * 1e9), all_notified);
		cpu_sample(o, &r->cpu1);
		waitpid(pid, &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			fprintf(stderr, "kcoap-bench: the trigger failed (status %d)\n", st);
		if (b.notified < r->notified_min)
			r->notified_min = b.notified;
		r->trig_first_ms[u - 1] = b.notified ? (double)(b.t_first - t0) / 1e6 : 0;
		r->trig_last_ms[u - 1] = b.notified ? (double)(b.t_last - t0) / 1e6 : 0;
		r->spread_ms[u - 1] = b.notified ? (double)(b.t_last - b.t_first) / 1e6 : 0;
		r->nupdates = u;
		r->window_s = (double)((b.t_last ? b.t_last : now_ns()) - t0) / 1e9;
		if (o->progress)
			fprintf(stderr, "kcoap-bench: update %u: %u notified, last after %.1f ms\n",
				u, b.notified, r->trig_last_ms[u - 1]);
		/* Let stragglers and retransmissions settle before the next one. */
		obs_loop(&b, now_ns() + 200000000u, never);
	}
	ret = 0;
out:
	if (b.ep) {
		endpoints_close(b.ep, o->endpoints);
		for (i = 0; i < o->endpoints; i++)
			free(b.ep[i].slots);
	}
	free(b.ep);
	free(b.tx);
	if (b.epfd >= 0)
		close(b.epfd);
	return ret;
}
