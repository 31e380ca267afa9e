// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Full DTLS handshakes per second (--handshakes): each endpoint, closed
 * loop, opens a new socket (a new source port: a new peer to the server),
 * does a whole PSK handshake with a new GnuTLS session (no resumption:
 * the cookie exchange of RFC 6347 §4.2.1, then the full flights), sends
 * close_notify so that the server can forget it, and starts over. A
 * handshake counts in the measured window if it finished there; latency
 * is from the first ClientHello to the server's Finished. One that fails
 * or times out (--handshake-timeout) counts as lost.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dtls.h"
#include "endpoint.h"

enum phase { PH_WARMUP, PH_MEASURE, PH_DRAIN, PH_DONE };

struct hs {
	const struct bench_opts *o;
	struct bench_result *r;
	struct endpoint *ep;
	int epfd;
	enum phase phase;
	uint64_t t0, t_measure, t_drain;
	unsigned int busy;		/* handshakes in flight */
	uint64_t window_done;		/* finished in the measured window */
};

static bool starting(const struct hs *h)
{
	return h->phase == PH_WARMUP || h->phase == PH_MEASURE;
}

/* A new socket and session for endpoint @i, and its first flight. */
static void hs_start(struct hs *h, unsigned int i, uint64_t now);

static void hs_end(struct hs *h, unsigned int i, int result, uint64_t now)
{
	struct endpoint *ep = &h->ep[i];

	h->busy--;
	if (result > 0) {
		if (h->phase == PH_MEASURE) {
			h->window_done++;
			h->r->replies++;
			hist_add(&h->r->lat, now - ep->hs_start_ns);
		}
		bench_dtls_close(ep);
	} else if (h->phase == PH_MEASURE || h->phase == PH_DRAIN) {
		h->r->lost++;
	}
	bench_dtls_free(ep);
	close(ep->fd);
	ep->fd = -1;
	if (starting(h))
		hs_start(h, i, now);
}

static void hs_start(struct hs *h, unsigned int i, uint64_t now)
{
	struct endpoint *ep = &h->ep[i];
	int r;

	if (endpoint_socket(h->o, ep, i, h->epfd) || bench_dtls_session(ep)) {
		h->r->errors++;
		if (ep->fd >= 0)
			close(ep->fd);
		ep->fd = -1;
		return;
	}
	h->busy++;
	if (h->phase == PH_MEASURE)
		h->r->sent++;
	ep->hs_start_ns = now;
	r = bench_dtls_handshake(ep, NULL, 0, now, false);
	if (r)
		hs_end(h, i, r, now);
}

static void hs_receive(struct hs *h, unsigned int i, uint64_t now)
{
	static uint8_t buf[BENCH_MAX_MSG];
	struct endpoint *ep = &h->ep[i];
	ssize_t len;

	while (ep->fd >= 0 && (len = recv(ep->fd, buf, sizeof(buf), MSG_DONTWAIT)) >= 0) {
		int r = bench_dtls_handshake(ep, buf, (size_t)len, now, false);

		if (r)
			hs_end(h, i, r, now);	/* closes ep->fd: the loop ends */
	}
}

static void hs_timers(struct hs *h, uint64_t now)
{
	unsigned int i;

	for (i = 0; i < h->o->endpoints; i++) {
		struct endpoint *ep = &h->ep[i];
		int r;

		if (ep->fd < 0 || !ep->tls || now < ep->hs_next_ns)
			continue;
		r = bench_dtls_handshake(ep, NULL, 0, now, false);
		if (r)
			hs_end(h, i, r, now);
	}
}

static void hs_advance(struct hs *h, uint64_t now)
{
	if (h->phase == PH_WARMUP && now >= h->t0 + (uint64_t)(h->o->warmup * 1e9)) {
		h->phase = PH_MEASURE;
		h->t_measure = now;
		cpu_sample(h->o, &h->r->cpu0);
	}
	if (h->phase == PH_MEASURE && now >= h->t_measure + (uint64_t)(h->o->duration * 1e9)) {
		cpu_sample(h->o, &h->r->cpu1);
		h->r->window_s = (double)(now - h->t_measure) / 1e9;
		h->phase = PH_DRAIN;
		h->t_drain = now;
	}
	if (h->phase == PH_DRAIN &&
	    (!h->busy || now >= h->t_drain + (uint64_t)(h->o->drain * 1e9)))
		h->phase = PH_DONE;
}

int bench_handshakes(const struct bench_opts *o, struct bench_result *r)
{
	struct epoll_event ev[256];
	struct hs h = { .o = o, .r = r };
	uint64_t now, last, last_done = 0;
	unsigned int i;
	int ret = -1;

	h.ep = calloc(o->endpoints, sizeof(*h.ep));
	h.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (!h.ep || h.epfd < 0)
		goto out;
	raise_nofile(o->endpoints + 64);
	for (i = 0; i < o->endpoints; i++)
		h.ep[i].fd = -1;
	now = last = h.t0 = now_ns();
	h.phase = PH_WARMUP;
	hs_advance(&h, now);
	for (i = 0; i < o->endpoints; i++)
		hs_start(&h, i, now);
	if (!h.busy) {
		fprintf(stderr, "kcoap-bench: no handshake could start\n");
		goto out;
	}
	while (h.phase != PH_DONE) {
		int n = epoll_wait(h.epfd, ev, 256, 10);

		if (n < 0 && errno != EINTR) {
			perror("kcoap-bench: epoll_wait");
			goto out;
		}
		now = now_ns();
		for (i = 0; n > 0 && i < (unsigned int)n; i++)
			hs_receive(&h, ev[i].data.u32, now);
		hs_timers(&h, now);
		hs_advance(&h, now);
		if (o->progress && now - last >= 1000000000u) {
			fprintf(stderr, "kcoap-bench: %5.1fs  %6.0f handshakes/s  in flight %u  lost %lu\n",
				(double)(now - h.t0) / 1e9,
				(double)(h.window_done - last_done) * 1e9 / (double)(now - last),
				h.busy, (unsigned long)r->lost);
			last = now;
			last_done = h.window_done;
		}
	}
	/* Still in flight at the end of the drain: lost too. */
	r->lost += h.busy;
	ret = 0;
out:
	if (h.ep)
		endpoints_close(h.ep, o->endpoints);
	free(h.ep);
	if (h.epfd >= 0)
		close(h.epfd);
	return ret;
}
