// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * KUnit tests for the per-CPU counters.
 */
#include <kunit/test.h>

#include "kcoap.h"

static void kcoap_stats_names(struct kunit *test)
{
	int i, j;

	for (i = 0; i < KCOAP_STAT_COUNT; i++) {
		KUNIT_ASSERT_NOT_NULL(test, kcoap_stat_name(i));
		KUNIT_EXPECT_GT(test, strlen(kcoap_stat_name(i)), 0);
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_STRNEQ(test, kcoap_stat_name(i), kcoap_stat_name(j));
	}
}

static void kcoap_stats_sum_over_cpus(struct kunit *test)
{
	struct kcoap_net kn = {};
	u64 sum[KCOAP_STAT_COUNT];
	u64 want = 0;
	int cpu;

	kn.stats = alloc_percpu(struct kcoap_pcpu_stats);
	KUNIT_ASSERT_NOT_NULL(test, kn.stats);
	for_each_possible_cpu(cpu) {
		per_cpu_ptr(kn.stats, cpu)->cnt[KCOAP_STAT_RX_BYTES] = cpu + 100;
		want += cpu + 100;
	}
	kcoap_stat_add(&kn, KCOAP_STAT_RX_DATAGRAMS, 3);
	kcoap_stat_inc(&kn, KCOAP_STAT_RX_DATAGRAMS);
	kcoap_stats_sum(&kn, sum);
	KUNIT_EXPECT_EQ(test, sum[KCOAP_STAT_RX_BYTES], want);
	KUNIT_EXPECT_EQ(test, sum[KCOAP_STAT_RX_DATAGRAMS], 4);
	KUNIT_EXPECT_EQ(test, sum[KCOAP_STAT_RX_IPV6], 0);
	free_percpu(kn.stats);
}

static struct kunit_case kcoap_stats_cases[] = {
	KUNIT_CASE(kcoap_stats_names),
	KUNIT_CASE(kcoap_stats_sum_over_cpus),
	{}
};

static struct kunit_suite kcoap_stats_suite = {
	.name = "kcoap_stats",
	.test_cases = kcoap_stats_cases,
};

kunit_test_suite(kcoap_stats_suite);
