// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * The order and pace of connection attempts over the broker's nodes
 * (several mqtt-url lines: the nodes of one cluster). mqtt.c's thread
 * asks; this file only counts, so the host tests can drive it.
 *
 * A lost connection goes to the next node at once: the node that dropped
 * us is the one most likely down. Failed attempts go round the nodes, and
 * after each full round (every node failed once since the last
 * connection) comes a pause that doubles from 1 s up to
 * mqtt-reconnect-max, as with one broker.
 */
#include "kcoapd.h"

void failover_init(struct failover *f, size_t n, uint32_t max)
{
	f->n = n ? n : 1;
	f->cur = 0;
	f->failed = 0;
	f->backoff = 1;
	f->max = max ? max : 1;
	f->last = -1;
	f->failovers = 0;
	f->connects = 0;
	f->lost_ms = 0;
	f->outage_ms = 0;
}

static uint32_t take_backoff(struct failover *f)
{
	uint32_t b = f->backoff;

	f->backoff = f->backoff * 2 > f->max ? f->max : f->backoff * 2;
	return b;
}

void failover_connected(struct failover *f, uint64_t now)
{
	if (f->last >= 0 && (size_t)f->last != f->cur)
		f->failovers++;
	f->last = (long)f->cur;
	f->connects++;
	f->failed = 0;
	f->backoff = 1;
	if (f->lost_ms) {
		f->outage_ms = now > f->lost_ms ? now - f->lost_ms : 0;
		f->lost_ms = 0;
	}
}

uint32_t failover_lost(struct failover *f, uint64_t now)
{
	f->lost_ms = now ? now : 1;
	f->failed = 0;
	if (f->n == 1)
		return take_backoff(f);
	f->cur = (f->cur + 1) % f->n;
	return 0;
}

uint32_t failover_failed(struct failover *f)
{
	f->failed++;
	f->cur = (f->cur + 1) % f->n;
	if (f->failed % f->n)
		return 0;
	return take_backoff(f);
}
