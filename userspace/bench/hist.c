// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Latency histogram: values below 2^HIST_SUB_BITS ns each have a bucket;
 * above, every power of two is split into 2^HIST_SUB_BITS equal steps, so a
 * percentile is off by at most 1/32 (3 %) of its value.
 */
#include "bench.h"

static unsigned int bucket(uint64_t v)
{
	unsigned int msb;

	if (v < (1u << HIST_SUB_BITS))
		return (unsigned int)v;
	msb = 63 - (unsigned int)__builtin_clzll(v);
	return ((msb - HIST_SUB_BITS + 1) << HIST_SUB_BITS) +
	       (unsigned int)((v >> (msb - HIST_SUB_BITS)) & ((1u << HIST_SUB_BITS) - 1));
}

/* The middle of bucket @b. */
static uint64_t value(unsigned int b)
{
	unsigned int shift;
	uint64_t base;

	if (b < (1u << HIST_SUB_BITS))
		return b;
	shift = (b >> HIST_SUB_BITS) - 1;
	base = (uint64_t)((1u << HIST_SUB_BITS) | (b & ((1u << HIST_SUB_BITS) - 1))) << shift;
	return base + (((uint64_t)1 << shift) >> 1);
}

void hist_add(struct hist *h, uint64_t ns)
{
	unsigned int b = bucket(ns);

	if (b >= HIST_BUCKETS)
		b = HIST_BUCKETS - 1;
	h->count[b]++;
	h->n++;
	h->sum += ns;
	if (ns > h->max)
		h->max = ns;
}

uint64_t hist_pct(const struct hist *h, double pct)
{
	uint64_t want, seen = 0;
	unsigned int b;

	if (!h->n)
		return 0;
	want = (uint64_t)((double)h->n * pct / 100.0);
	if (want >= h->n)
		want = h->n - 1;
	for (b = 0; b < HIST_BUCKETS; b++) {
		seen += h->count[b];
		if (seen > want)
			return value(b) < h->max ? value(b) : h->max;
	}
	return h->max;
}
