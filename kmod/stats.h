/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Per-CPU counters, one set per network namespace. The hot path only ever
 * increments its own CPU's copy; readers sum over all CPUs.
 */
#ifndef _KCOAP_STATS_H
#define _KCOAP_STATS_H

#include <linux/percpu.h>

/* Names for users are in stats.c, in the same order. */
enum kcoap_stat {
	KCOAP_STAT_RX_DATAGRAMS,
	KCOAP_STAT_RX_BYTES,
	KCOAP_STAT_RX_IPV4,
	KCOAP_STAT_RX_IPV6,
	KCOAP_STAT_COUNT
};

struct kcoap_pcpu_stats {
	u64 cnt[KCOAP_STAT_COUNT];
};

struct kcoap_net;

#define kcoap_stat_add(kn, id, n) this_cpu_add((kn)->stats->cnt[id], (n))
#define kcoap_stat_inc(kn, id) this_cpu_inc((kn)->stats->cnt[id])

void kcoap_stats_sum(const struct kcoap_net *kn, u64 *out);
const char *kcoap_stat_name(enum kcoap_stat id);
int kcoap_stats_proc_init(struct kcoap_net *kn);
void kcoap_stats_proc_exit(struct kcoap_net *kn);

#endif /* _KCOAP_STATS_H */
