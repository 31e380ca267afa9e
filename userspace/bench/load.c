// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * The load loop: warm-up, a measured window, then a drain that waits for
 * the answers still due. Closed loop (every answer frees a slot that is
 * refilled at once) or open loop (requests started at --rate, round robin
 * over the endpoints, skipped when an endpoint's window is full). CON
 * requests are retransmitted as RFC 7252 §4.2 says; an answer matches its
 * request by token (slot and generation) and, in an ACK, Message ID.
 */
#define _GNU_SOURCE	/* recvmmsg() */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "coap.h"
#include "dtls.h"
#include "endpoint.h"

enum phase { PH_WARMUP, PH_MEASURE, PH_DRAIN, PH_DONE };

struct load {
	const struct bench_opts *o;
	struct bench_result *r;
	struct endpoint *ep;
	struct tmpl tmpl;
	struct txbatch *tx;
	enum phase phase;
	uint64_t t0, t_measure, t_drain, t_last_reply;
	uint64_t issued;		/* requests started since t0 */
	uint64_t issued_measured;
	uint64_t outstanding;		/* measured requests in flight */
	uint64_t window_replies;	/* answers received in the window */
	uint64_t timeout_ns;
	unsigned int rr;
	uint32_t rng;
};

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static bool sending(const struct load *l)
{
	if (l->phase == PH_WARMUP)
		return true;
	if (l->phase != PH_MEASURE)
		return false;
	return !l->o->requests || l->issued_measured < l->o->requests;
}

/* RFC 7252 §4.8: ACK_TIMEOUT times a random factor in [1, 1.5]. */
static uint64_t first_timeout(struct load *l)
{
	return l->timeout_ns + l->timeout_ns / 2 * (rng_next(&l->rng) % 1024) / 1024;
}

static void start(struct load *l, struct endpoint *ep, unsigned int k, uint64_t now)
{
	struct slot *s = &ep->slots[k];

	s->busy = true;
	s->acked = false;
	s->measured = l->phase == PH_MEASURE;
	s->mid = ep->mid++;
	s->gen = ep->gen++;
	s->tries = 1;
	s->first_ns = now;
	s->timeout_ns = l->o->con ? first_timeout(l) : l->timeout_ns;
	s->next_ns = now + s->timeout_ns;
	ep->busy++;
	if (++ep->sent == 65537)
		l->r->mid_wraps++;
	l->issued++;
	if (s->measured) {
		l->issued_measured++;
		l->outstanding++;
		l->r->sent++;
	}
	tx_request(l->tx, ep, &l->tmpl, s->mid, (uint16_t)k, s->gen);
}

static int free_slot(const struct load *l, const struct endpoint *ep)
{
	unsigned int k;

	if (ep->busy >= l->o->window)
		return -1;
	for (k = 0; k < l->o->window; k++)
		if (!ep->slots[k].busy)
			return (int)k;
	return -1;
}

/* A slot is done: answered, rejected or given up. Closed loop refills it. */
static void finish(struct load *l, struct endpoint *ep, unsigned int k, uint64_t now)
{
	struct slot *s = &ep->slots[k];

	if (s->measured)
		l->outstanding--;
	s->busy = false;
	ep->busy--;
	if (l->o->rate == 0 && sending(l))
		start(l, ep, k, now);
}

static void answered(struct load *l, struct endpoint *ep, unsigned int k,
		     uint8_t code, uint64_t now)
{
	struct slot *s = &ep->slots[k];

	if (l->phase == PH_MEASURE) {
		l->window_replies++;
		hist_add(&l->r->lat, now - s->first_ns);
	}
	if (s->measured) {
		l->r->replies++;
		if (COAP_CODE_CLASS(code) >= 4)
			l->r->errors++;
		l->t_last_reply = now;
	}
	finish(l, ep, k, now);
}

static int slot_by_mid(const struct load *l, const struct endpoint *ep, uint16_t mid)
{
	unsigned int k;

	for (k = 0; k < l->o->window; k++)
		if (ep->slots[k].busy && ep->slots[k].mid == mid)
			return (int)k;
	return -1;
}

static void receive(struct load *l, struct endpoint *ep, uint64_t now)
{
	static uint8_t buf[BENCH_BATCH][BENCH_MAX_MSG], plain[BENCH_MAX_MSG];
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
		size_t len = mm[i].msg_len;
		const uint8_t *d = rx_open(ep, buf[i], &len, plain, sizeof(plain));
		struct reply rp;
		struct slot *s;
		int k;

		if (!d || !reply_parse(d, len, &rp)) {
			l->r->stray++;
			continue;
		}
		if (rp.type == COAP_TYPE_RST || (rp.type == COAP_TYPE_ACK && !rp.code)) {
			k = slot_by_mid(l, ep, rp.mid);
			if (k < 0) {
				l->r->stray++;
			} else if (rp.type == COAP_TYPE_RST) {
				if (ep->slots[k].measured)
					l->r->rst++;
				finish(l, ep, (unsigned int)k, now);
			} else {
				/* Empty ACK: the answer comes separately (§5.2.2). */
				s = &ep->slots[k];
				s->acked = true;
				s->next_ns = now + 8 * l->timeout_ns;
			}
			continue;
		}
		s = rp.tkl == BENCH_TOKEN_LEN && rp.slot < l->o->window ? &ep->slots[rp.slot] : NULL;
		if (!s || !s->busy || s->gen != rp.gen ||
		    (rp.type == COAP_TYPE_ACK && rp.mid != s->mid)) {
			/* Late answers to a retransmitted request land here too. */
			l->r->stray++;
			continue;
		}
		/* A separate CON response is acknowledged; an echoed request is not. */
		if (rp.type == COAP_TYPE_CON && COAP_CODE_CLASS(rp.code) >= 2)
			tx_empty_ack(l->tx, ep, rp.mid);
		answered(l, ep, rp.slot, rp.code, now);
	}
	tx_flush(l->tx);
}

/* Retransmit CONs whose timeout passed (§4.2); give up on the others. */
static void expire(struct load *l, uint64_t now)
{
	unsigned int i, k;

	for (i = 0; i < l->o->endpoints; i++) {
		struct endpoint *ep = &l->ep[i];

		if (!ep->busy)
			continue;
		for (k = 0; k < l->o->window; k++) {
			struct slot *s = &ep->slots[k];

			if (!s->busy || now < s->next_ns)
				continue;
			if (l->o->con && !s->acked && s->tries <= l->o->max_retransmit) {
				s->tries++;
				s->timeout_ns *= 2;
				s->next_ns = now + s->timeout_ns;
				if (s->measured)
					l->r->retransmissions++;
				tx_request(l->tx, ep, &l->tmpl, s->mid, (uint16_t)k, s->gen);
				continue;
			}
			if (s->measured)
				l->r->lost++;
			finish(l, ep, k, now);
		}
		tx_flush(l->tx);
	}
}

/* Open loop: start what --rate says is due by now. */
static void pace(struct load *l, uint64_t now)
{
	uint64_t due = (uint64_t)((double)(now - l->t0) * l->o->rate / 1e9);
	unsigned int budget = 4096;

	while (l->issued < due && budget-- && sending(l)) {
		struct endpoint *ep = &l->ep[l->rr];
		int k;

		l->rr = (l->rr + 1) % l->o->endpoints;
		k = free_slot(l, ep);
		if (k < 0) {
			/* Window full: this request is not sent at all. */
			l->issued++;
			if (l->phase == PH_MEASURE)
				l->r->skipped++;
			continue;
		}
		start(l, ep, (unsigned int)k, now);
	}
	tx_flush(l->tx);
}

static void progress(struct load *l, uint64_t now, uint64_t *last, uint64_t *last_replies)
{
	static const char *const names[] = { "warm-up", "measure", "drain", "done" };
	double dt;

	if (!l->o->progress || now - *last < 1000000000u)
		return;
	dt = (double)(now - *last) / 1e9;
	fprintf(stderr, "kcoap-bench: %-7s %5.1fs  %8.0f answers/s  sent %lu  lost %lu  retransmitted %lu\n",
		names[l->phase], (double)(now - l->t0) / 1e9,
		(double)(l->window_replies - *last_replies) / dt,
		(unsigned long)l->r->sent, (unsigned long)l->r->lost,
		(unsigned long)l->r->retransmissions);
	*last = now;
	*last_replies = l->window_replies;
}

static void begin_measure(struct load *l, uint64_t now)
{
	l->phase = PH_MEASURE;
	l->t_measure = now;
	cpu_sample(l->o, &l->r->cpu0);
}

static void end_measure(struct load *l, uint64_t now)
{
	cpu_sample(l->o, &l->r->cpu1);
	l->r->window_s = (double)(now - l->t_measure) / 1e9;
}

static void advance(struct load *l, uint64_t now)
{
	if (l->phase == PH_WARMUP && now >= l->t0 + (uint64_t)(l->o->warmup * 1e9))
		begin_measure(l, now);
	if (l->phase == PH_MEASURE) {
		if (l->o->requests ? l->issued_measured >= l->o->requests :
		    now >= l->t_measure + (uint64_t)(l->o->duration * 1e9)) {
			if (!l->o->requests)
				end_measure(l, now);
			l->phase = PH_DRAIN;
			l->t_drain = now;
		}
	}
	if (l->phase == PH_DRAIN &&
	    (!l->outstanding || now >= l->t_drain + (uint64_t)(l->o->drain * 1e9))) {
		if (l->o->requests) {
			/* The window is the whole run: first send to last answer. */
			uint64_t end = l->t_last_reply ? l->t_last_reply : now;

			end_measure(l, end);
			l->r->elapsed_s = l->r->window_s;
		}
		l->r->lost += l->outstanding;	/* unanswered at the end */
		l->outstanding = 0;
		l->phase = PH_DONE;
	}
}

int bench_run(const struct bench_opts *o, struct bench_result *r)
{
	struct epoll_event ev[256];
	struct load l = { .o = o, .r = r, .timeout_ns = (uint64_t)o->ack_timeout_ms * 1000000u };
	uint64_t now, next_scan, last_progress, last_replies = 0;
	unsigned int i, k;
	int epfd, ret = -1;

	l.rng = (uint32_t)now_ns() | 1;
	if (tmpl_build(&l.tmpl, o, false)) {
		fprintf(stderr, "kcoap-bench: the request does not fit in %d bytes\n", BENCH_MAX_MSG);
		return -1;
	}
	l.ep = calloc(o->endpoints, sizeof(*l.ep));
	l.tx = calloc(1, sizeof(*l.tx));
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (!l.ep || !l.tx || epfd < 0)
		goto out;
	for (i = 0; i < o->endpoints; i++) {
		l.ep[i].slots = calloc(o->window, sizeof(struct slot));
		if (!l.ep[i].slots)
			goto out;
	}
	if (endpoints_open(o, l.ep, o->endpoints, epfd, &l.rng))
		goto out;
	/* coaps://: every session up before the clock starts. */
	if (o->dtls && bench_dtls_connect_all(o, l.ep, o->endpoints, epfd))
		goto out;

	now = l.t0 = now_ns();
	l.phase = PH_WARMUP;
	if (o->warmup <= 0)
		begin_measure(&l, now);
	last_progress = now;
	next_scan = now + 10000000u;
	if (o->rate == 0) {
		/* Closed loop: every endpoint fills its window now. */
		for (i = 0; i < o->endpoints && sending(&l); i++) {
			for (k = 0; k < o->window && sending(&l); k++)
				start(&l, &l.ep[i], k, now);
			tx_flush(l.tx);
		}
	}
	while (l.phase != PH_DONE) {
		int n = epoll_wait(epfd, ev, 256, o->rate ? 1 : 10);

		if (n < 0 && errno != EINTR) {
			perror("kcoap-bench: epoll_wait");
			goto out;
		}
		now = now_ns();
		for (i = 0; n > 0 && i < (unsigned int)n; i++)
			receive(&l, &l.ep[ev[i].data.u32], now);
		if (now >= next_scan) {
			expire(&l, now);
			next_scan = now + 10000000u;
		}
		if (o->rate)
			pace(&l, now);
		advance(&l, now);
		progress(&l, now, &last_progress, &last_replies);
	}
	if (!o->requests)
		r->replies = l.window_replies;
	if (l.tx->errors)
		fprintf(stderr, "kcoap-bench: %lu datagrams could not be sent\n",
			(unsigned long)l.tx->errors);
	ret = 0;
out:
	if (l.ep) {
		endpoints_close(l.ep, o->endpoints);
		for (i = 0; i < o->endpoints; i++)
			free(l.ep[i].slots);
	}
	free(l.ep);
	free(l.tx);
	if (epfd >= 0)
		close(epfd);
	return ret;
}
