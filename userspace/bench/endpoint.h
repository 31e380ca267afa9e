/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * What the load and observe loops share: the simulated endpoints (one
 * connected UDP socket each), the request template, batched sends and a
 * quick look at an answer's header.
 */
#ifndef KCOAP_BENCH_ENDPOINT_H
#define KCOAP_BENCH_ENDPOINT_H

#include <sys/socket.h>
#include <sys/uio.h>

#include "bench.h"

/* One request in flight. */
struct slot {
	uint64_t first_ns;	/* first transmission: latency starts here */
	uint64_t next_ns;	/* next retransmission, or when to give up */
	uint64_t timeout_ns;	/* current retransmission timeout */
	uint16_t mid, gen;
	uint8_t tries;		/* transmissions so far */
	bool busy, measured, acked;
};

struct endpoint {
	int fd;
	uint16_t mid;		/* next Message ID */
	uint16_t gen;		/* next token generation */
	uint16_t busy;		/* slots in flight */
	uint32_t sent;		/* requests started (for Message ID reuse) */
	struct slot *slots;	/* --window of them */
	/* observe */
	bool registered;
	uint32_t notified;	/* update number of the last notification */
	/* coaps:// (dtls.c): the GnuTLS session, its handshake */
	void *tls;
	uint64_t hs_start_ns, hs_next_ns;
	bool hs_done;
};

/* The request as built once; each send patches Message ID and token. */
struct tmpl {
	uint8_t buf[BENCH_MAX_MSG];
	size_t len;
};

/* Datagrams queued for one sendmmsg() on one socket. */
struct txbatch {
	int fd;
	unsigned int n;
	uint64_t datagrams, errors;
	struct mmsghdr mm[BENCH_BATCH];
	struct iovec iov[BENCH_BATCH];
	uint8_t buf[BENCH_BATCH][BENCH_MAX_MSG];
};

struct reply {
	uint8_t type, code, tkl;
	uint16_t mid, slot, gen;
	const uint8_t *data;
	size_t len;
};

int tmpl_build(struct tmpl *t, const struct bench_opts *o, bool observe);
int endpoint_socket(const struct bench_opts *o, struct endpoint *ep, unsigned int i, int epfd);
int endpoints_open(const struct bench_opts *o, struct endpoint *ep,
		   unsigned int n, int epfd, uint32_t *rng);
void endpoints_close(struct endpoint *ep, unsigned int n);

/* Requests and empty ACKs, sealed first when the endpoint has a session. */
void tx_request(struct txbatch *tx, struct endpoint *ep, const struct tmpl *t,
		uint16_t mid, uint16_t slot, uint16_t gen);
void tx_empty_ack(struct txbatch *tx, struct endpoint *ep, uint16_t mid);
uint8_t *tx_slot(struct txbatch *tx, int fd, size_t len);
void tx_flush(struct txbatch *tx);

/*
 * The CoAP message in a datagram @d of @len bytes that @ep received: @d
 * itself, or for coaps:// the record opened into @plain. NULL when there
 * is none (a handshake retransmission, an alert, a record that failed).
 */
const uint8_t *rx_open(struct endpoint *ep, const uint8_t *d, size_t *len,
		       uint8_t *plain, size_t size);

bool reply_parse(const uint8_t *d, size_t len, struct reply *r);
uint32_t rng_next(uint32_t *s);
void raise_nofile(unsigned int need);

#endif
