// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Counter names, sums over CPUs, and /proc/net/kcoap: one "name value" line
 * per counter for the reading network namespace, like /proc/vmstat.
 */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/seq_file_net.h>
#include <net/netns/generic.h>

#include "kcoap.h"

static const char * const kcoap_stat_names[] = {
	[KCOAP_STAT_RX_DATAGRAMS] = "rx_datagrams",
	[KCOAP_STAT_RX_BYTES] = "rx_bytes",
	[KCOAP_STAT_RX_IPV4] = "rx_ipv4",
	[KCOAP_STAT_RX_IPV6] = "rx_ipv6",
};

static_assert(ARRAY_SIZE(kcoap_stat_names) == KCOAP_STAT_COUNT);

const char *kcoap_stat_name(enum kcoap_stat id)
{
	return kcoap_stat_names[id];
}

void kcoap_stats_sum(const struct kcoap_net *kn, u64 *out)
{
	int cpu, i;

	memset(out, 0, sizeof(u64) * KCOAP_STAT_COUNT);
	for_each_possible_cpu(cpu) {
		const struct kcoap_pcpu_stats *s = per_cpu_ptr(kn->stats, cpu);

		for (i = 0; i < KCOAP_STAT_COUNT; i++)
			out[i] += READ_ONCE(s->cnt[i]);
	}
}

static int kcoap_stats_show(struct seq_file *seq, void *v)
{
	struct kcoap_net *kn = net_generic(seq_file_single_net(seq), kcoap_net_id);
	u64 sum[KCOAP_STAT_COUNT];
	int i;

	kcoap_stats_sum(kn, sum);
	for (i = 0; i < KCOAP_STAT_COUNT; i++)
		seq_printf(seq, "%s %llu\n", kcoap_stat_names[i], sum[i]);
	return 0;
}

int kcoap_stats_proc_init(struct kcoap_net *kn)
{
	if (!proc_create_net_single("kcoap", 0444, kn->net->proc_net,
				    kcoap_stats_show, NULL))
		return -ENOMEM;
	return 0;
}

void kcoap_stats_proc_exit(struct kcoap_net *kn)
{
	remove_proc_entry("kcoap", kn->net->proc_net);
}
