// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * KUnit tests for address validation and the per-source token buckets:
 * the Echo MAC and its epochs, the credit rule, the bounded tables.
 */
#include <kunit/test.h>

#include "kunit_net.h"
#include "validate.h"

static struct kcoap_peer kt_peer4(u8 last)
{
	struct kcoap_peer p = {
		.family = AF_INET,
		.addr.v4 = htonl(0xc6336400 | last),	/* 198.51.100.last */
		.port = htons(40000),
		.ifindex = 2,
	};

	return p;
}

static struct kcoap_peer kt_peer6(u16 net, u8 host)
{
	struct kcoap_peer p = { .family = AF_INET6, .port = htons(40000), .ifindex = 2 };

	p.addr.v6.s6_addr16[0] = htons(0x2001);
	p.addr.v6.s6_addr16[1] = htons(0xdb8);
	p.addr.v6.s6_addr16[3] = htons(net);
	p.addr.v6.s6_addr[15] = host;
	return p;
}

static u64 kt_stat(struct kcoap_net *kn, enum kcoap_stat id)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(kn->stats, cpu)->cnt[id];
	return sum;
}

/* A value is good in its epoch and the next, for its address only. */
static void kcoap_echo_epochs(struct kunit *test)
{
	struct kcoap_net *kn = kt_net_new(test);
	struct in6_addr a = {}, b = {};
	u64 t = 1000 * KCOAP_ECHO_EPOCH + 3;
	__le64 v;

	a.s6_addr[15] = 1;
	b.s6_addr[15] = 2;
	v = cpu_to_le64(kcoap_echo_mac(kn, &a, t / KCOAP_ECHO_EPOCH));
	KUNIT_EXPECT_TRUE(test, kcoap_echo_valid(kn, &a, (u8 *)&v, 8, t));
	KUNIT_EXPECT_TRUE(test, kcoap_echo_valid(kn, &a, (u8 *)&v, 8,
						 t + KCOAP_ECHO_EPOCH));
	KUNIT_EXPECT_FALSE(test, kcoap_echo_valid(kn, &a, (u8 *)&v, 8,
						  t + 2 * KCOAP_ECHO_EPOCH));
	KUNIT_EXPECT_FALSE(test, kcoap_echo_valid(kn, &a, (u8 *)&v, 8,
						  t - KCOAP_ECHO_EPOCH));
	KUNIT_EXPECT_FALSE(test, kcoap_echo_valid(kn, &b, (u8 *)&v, 8, t));
	KUNIT_EXPECT_FALSE(test, kcoap_echo_valid(kn, &a, (u8 *)&v, 7, t));
	v ^= cpu_to_le64(1);
	KUNIT_EXPECT_FALSE(test, kcoap_echo_valid(kn, &a, (u8 *)&v, 8, t));
	/* Another namespace has another key. */
	KUNIT_EXPECT_NE(test, kcoap_echo_mac(kn, &a, 5),
			kcoap_echo_mac(kt_net_new(test), &a, 5));
}

/* The option bytes: delta 252 from 0, length 8, the value of now. */
static void kcoap_echo_option(struct kunit *test)
{
	struct kcoap_net *kn = kt_net_new(test);
	struct kcoap_peer p = kt_peer4(9);
	u8 opt[KCOAP_ECHO_OPT_LEN];
	struct in6_addr a;

	kcoap_echo_opt(kn, &p, opt);
	KUNIT_EXPECT_EQ(test, opt[0], 0xd8);
	KUNIT_EXPECT_EQ(test, opt[1], 252 - 13);
	ipv6_addr_set_v4mapped(p.addr.v4, &a);
	KUNIT_EXPECT_TRUE(test, kcoap_echo_valid(kn, &a, opt + 2, 8,
						 ktime_get_boottime_seconds()));
}

/* 3x the datagram unverified; anything once verified or local; 0 is off. */
static void kcoap_credit_rule(struct kunit *test)
{
	struct kcoap_net *kn = kt_net_new(test);
	struct kcoap_peer p = kt_peer4(1), lo = kt_peer4(2);

	kn->cfg.amp_factor = 3;
	kn->cfg.verify_max = 16;
	kn->cfg.verify_lifetime = 60;
	lo.ifindex = LOOPBACK_IFINDEX;
	KUNIT_EXPECT_EQ(test, kcoap_amp_credit(kn, 21), 63);
	rcu_read_lock();
	KUNIT_EXPECT_TRUE(test, kcoap_amp_ok(kn, &p, 63, 63));
	KUNIT_EXPECT_FALSE(test, kcoap_amp_ok(kn, &p, 64, 63));
	KUNIT_EXPECT_TRUE(test, kcoap_amp_ok(kn, &lo, 1000, 63));
	KUNIT_EXPECT_TRUE(test, kcoap_peer_unverified(kn, &p));
	KUNIT_EXPECT_FALSE(test, kcoap_peer_unverified(kn, &lo));
	rcu_read_unlock();

	local_bh_disable();
	kcoap_peer_verify(kn, &p, KCOAP_STAT_ACK_VERIFIED);
	local_bh_enable();
	rcu_read_lock();
	KUNIT_EXPECT_TRUE(test, kcoap_amp_ok(kn, &p, 1000, 63));
	KUNIT_EXPECT_FALSE(test, kcoap_peer_unverified(kn, &p));
	/* Verified is per address, whatever the port. */
	p.port = htons(1);
	KUNIT_EXPECT_TRUE(test, kcoap_peer_verified(kn, &p));
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, kt_stat(kn, KCOAP_STAT_ACK_VERIFIED), 1);

	kn->cfg.amp_factor = 0;
	KUNIT_EXPECT_EQ(test, kcoap_amp_credit(kn, 21), U32_MAX);
	rcu_read_lock();
	KUNIT_EXPECT_FALSE(test, kcoap_peer_unverified(kn, &lo));
	rcu_read_unlock();
}

/* At most verify-max; an entry past its time is not found, then freed. */
static void kcoap_verified_bounded(struct kunit *test)
{
	struct kcoap_net *kn = kt_net_new(test);
	struct kcoap_peerent *e;
	struct kcoap_peer p;
	struct in6_addr a;
	int i;

	kn->cfg.verify_max = 4;
	kn->cfg.verify_lifetime = 60;
	local_bh_disable();
	for (i = 1; i <= 6; i++) {
		p = kt_peer4(i);
		kcoap_peer_verify(kn, &p, KCOAP_STAT_ECHO_VERIFIED);
	}
	local_bh_enable();
	KUNIT_EXPECT_EQ(test, kcoap_peertab_count(&kn->val.verified), 4);
	KUNIT_EXPECT_EQ(test, kt_stat(kn, KCOAP_STAT_VERIFY_FULL), 2);

	p = kt_peer4(1);
	ipv6_addr_set_v4mapped(p.addr.v4, &a);
	rcu_read_lock();
	e = kcoap_peertab_lookup(&kn->val.verified, &a);
	KUNIT_ASSERT_NOT_NULL(test, e);
	WRITE_ONCE(e->expires, jiffies - 1);
	KUNIT_EXPECT_FALSE(test, kcoap_peer_verified(kn, &p));
	rcu_read_unlock();
	kcoap_peertab_collect(&kn->val.verified);
	KUNIT_EXPECT_EQ(test, kcoap_peertab_count(&kn->val.verified), 3);
	/* Room again. */
	local_bh_disable();
	p = kt_peer4(6);
	kcoap_peer_verify(kn, &p, KCOAP_STAT_ECHO_VERIFIED);
	local_bh_enable();
	rcu_read_lock();
	KUNIT_EXPECT_TRUE(test, kcoap_peer_verified(kn, &p));
	rcu_read_unlock();
}

static bool kt_rl(struct kcoap_net *kn, const struct kcoap_peer *p)
{
	bool ok;

	local_bh_disable();
	rcu_read_lock();
	ok = kcoap_ratelimit(kn, p);
	rcu_read_unlock();
	local_bh_enable();
	return ok;
}

/* A burst, then drops; per IPv6 /64; loopback and rate 0 unlimited. */
static void kcoap_ratelimit_bucket(struct kunit *test)
{
	struct kcoap_net *kn = kt_net_new(test);
	struct kcoap_peer p = kt_peer4(1), q = kt_peer4(2);
	struct kcoap_peer a = kt_peer6(1, 1), b = kt_peer6(1, 2), c = kt_peer6(2, 1);
	int i, n = 0;

	kn->cfg.rl_rate = 1;		/* one a second: no refill in the test */
	kn->cfg.rl_burst = 5;
	kn->cfg.rl_max = 16;
	for (i = 0; i < 8; i++)
		n += kt_rl(kn, &p);
	KUNIT_EXPECT_EQ(test, n, 5);
	KUNIT_EXPECT_EQ(test, kt_stat(kn, KCOAP_STAT_RATELIMITED), 3);
	KUNIT_EXPECT_TRUE(test, kt_rl(kn, &q));		/* another source */

	for (i = 0; i < 5; i++)
		KUNIT_EXPECT_TRUE(test, kt_rl(kn, &a));
	KUNIT_EXPECT_FALSE(test, kt_rl(kn, &b));	/* the same /64 */
	KUNIT_EXPECT_TRUE(test, kt_rl(kn, &c));		/* another /64 */

	p.ifindex = LOOPBACK_IFINDEX;
	KUNIT_EXPECT_TRUE(test, kt_rl(kn, &p));
	kn->cfg.rl_rate = 0;
	p.ifindex = 2;
	KUNIT_EXPECT_TRUE(test, kt_rl(kn, &p));
}

/* A full table drops new sources, but not verified ones. */
static void kcoap_ratelimit_full(struct kunit *test)
{
	struct kcoap_net *kn = kt_net_new(test);
	struct kcoap_peer p;
	int i;

	kn->cfg.rl_rate = 100;
	kn->cfg.rl_burst = 10;
	kn->cfg.rl_max = 16;
	kn->cfg.verify_max = 16;
	kn->cfg.verify_lifetime = 60;
	for (i = 1; i <= 16; i++) {
		p = kt_peer4(i);
		KUNIT_EXPECT_TRUE(test, kt_rl(kn, &p));
	}
	KUNIT_EXPECT_EQ(test, kcoap_peertab_count(&kn->val.buckets), 16);
	p = kt_peer4(100);
	KUNIT_EXPECT_FALSE(test, kt_rl(kn, &p));
	KUNIT_EXPECT_EQ(test, kt_stat(kn, KCOAP_STAT_RATELIMIT_FULL), 1);
	local_bh_disable();
	kcoap_peer_verify(kn, &p, KCOAP_STAT_ECHO_VERIFIED);
	local_bh_enable();
	KUNIT_EXPECT_TRUE(test, kt_rl(kn, &p));
}

static struct kunit_case kcoap_validate_cases[] = {
	KUNIT_CASE(kcoap_echo_epochs),
	KUNIT_CASE(kcoap_echo_option),
	KUNIT_CASE(kcoap_credit_rule),
	KUNIT_CASE(kcoap_verified_bounded),
	KUNIT_CASE(kcoap_ratelimit_bucket),
	KUNIT_CASE(kcoap_ratelimit_full),
	{}
};

static struct kunit_suite kcoap_validate_suite = {
	.name = "kcoap_validate",
	.test_cases = kcoap_validate_cases,
};

kunit_test_suite(kcoap_validate_suite);
