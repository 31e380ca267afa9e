// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * KUnit tests for the per-CPU counters.
 */
#include <kunit/test.h>

#include "kcoap.h"
#include "coap.h"

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
	struct kcoap_net *kn = kunit_kzalloc(test, sizeof(*kn), GFP_KERNEL);
	struct kcoap_stats_sum *sum = kunit_kzalloc(test, sizeof(*sum), GFP_KERNEL);
	u64 want = 0;
	int cpu;

	KUNIT_ASSERT_NOT_NULL(test, kn);
	KUNIT_ASSERT_NOT_NULL(test, sum);
	mutex_init(&kn->lock);
	kn->stats = alloc_percpu(struct kcoap_pcpu_stats);
	kn->stats_base = kunit_kzalloc(test, sizeof(*kn->stats_base), GFP_KERNEL);
	/* (not KUNIT_ASSERT_NOT_NULL: sparse objects to its __percpu cast) */
	KUNIT_ASSERT_TRUE(test, kn->stats);
	KUNIT_ASSERT_NOT_NULL(test, kn->stats_base);
	for_each_possible_cpu(cpu) {
		per_cpu_ptr(kn->stats, cpu)->cnt[KCOAP_STAT_RX_BYTES] = cpu + 100;
		want += cpu + 100;
	}
	kcoap_stat_add(kn, KCOAP_STAT_RX_DATAGRAMS, 3);
	kcoap_stat_inc(kn, KCOAP_STAT_RX_DATAGRAMS);
	kcoap_stat_code(kn, COAP_CODE_CONTENT);
	kcoap_stat_code(kn, COAP_CODE_EMPTY);	/* not a response: ignored */
	kcoap_stats_read(kn, sum);
	KUNIT_EXPECT_EQ(test, sum->cnt[KCOAP_STAT_RX_BYTES], want);
	KUNIT_EXPECT_EQ(test, sum->cnt[KCOAP_STAT_RX_DATAGRAMS], 4);
	KUNIT_EXPECT_EQ(test, sum->cnt[KCOAP_STAT_RX_IPV6], 0);
	KUNIT_EXPECT_EQ(test, sum->code[kcoap_code_slot(COAP_CODE_CONTENT)], 1);

	/* A reset zeroes what readers see; later increments count again. */
	kcoap_stats_reset(kn);
	kcoap_stat_inc(kn, KCOAP_STAT_RX_DATAGRAMS);
	kcoap_stats_read(kn, sum);
	KUNIT_EXPECT_EQ(test, sum->cnt[KCOAP_STAT_RX_BYTES], 0);
	KUNIT_EXPECT_EQ(test, sum->cnt[KCOAP_STAT_RX_DATAGRAMS], 1);
	KUNIT_EXPECT_EQ(test, sum->code[kcoap_code_slot(COAP_CODE_CONTENT)], 0);
	free_percpu(kn->stats);
}

static void kcoap_stats_code_slots(struct kunit *test)
{
	int slot;

	KUNIT_EXPECT_EQ(test, kcoap_code_slot(COAP_CODE_GET), -1);
	KUNIT_EXPECT_EQ(test, kcoap_code_slot(COAP_CODE(3, 1)), -1);
	for (slot = 0; slot < KCOAP_CODE_SLOTS; slot++)
		KUNIT_EXPECT_EQ(test, kcoap_code_slot(kcoap_slot_code(slot)), slot);
}

static struct kunit_case kcoap_stats_cases[] = {
	KUNIT_CASE(kcoap_stats_names),
	KUNIT_CASE(kcoap_stats_sum_over_cpus),
	KUNIT_CASE(kcoap_stats_code_slots),
	{}
};

static struct kunit_suite kcoap_stats_suite = {
	.name = "kcoap_stats",
	.test_cases = kcoap_stats_cases,
};

kunit_test_suite(kcoap_stats_suite);
