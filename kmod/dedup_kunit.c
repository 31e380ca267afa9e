// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * KUnit suite "kcoap_dedup": the deduplication cache of dedup.c. Its API
 * takes the time explicitly, so the tests drive it with their own clock.
 *
 * Suites in a module run from the module notifier at MODULE_STATE_LIVE,
 * that is after kcoap_init() returned (kernel/module/main.c,
 * do_init_module(); lib/kunit/test.c, kunit_module_notify()), so the
 * entry caches of kcoap_dedup_global_init() exist.
 *
 * The table's expiry work runs once a second with the real jiffies. The
 * tests' clock starts ahead of the real one, so that work never frees an
 * entry a test still expects to find.
 */
#include <kunit/test.h>
#include <linux/jiffies.h>
#include <net/ipv6.h>

#include "kcoap.h"
#include "coap.h"
#include "serve.h"

#define KT_LIFETIME	100
/* Far enough ahead of the real clock for any test to finish before it. */
#define KT_AHEAD	(100 * HZ)

struct kt_dedup {
	struct kcoap_dedup d;
	struct kcoap_pcpu_stats __percpu *stats;
};

KUNIT_DEFINE_ACTION_WRAPPER(kt_dedup_destroy, kcoap_dedup_destroy,
			    struct kcoap_dedup *);

static void kt_free_stats(void *p)
{
	struct kt_dedup *k = p;

	free_percpu(k->stats);
}

/* A cache of @max entries counting into its own statistics. */
static struct kcoap_dedup *kt_dedup_new(struct kunit *test, u32 max)
{
	struct kt_dedup *k = kunit_kzalloc(test, sizeof(*k), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, k);
	k->stats = alloc_percpu(struct kcoap_pcpu_stats);
	/* Not KUNIT_ASSERT_NOT_NULL(): sparse minds the __percpu. */
	if (!k->stats)
		KUNIT_FAIL_AND_ABORT(test, "no memory for the counters");
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kt_free_stats, k), 0);
	k->d.stats = k->stats;
	/* Byte budgets out of the way; the tests that want them set them. */
	kcoap_dedup_set_limits(&k->d, 1 << 30, 1 << 30);
	KUNIT_ASSERT_EQ(test, kcoap_dedup_init(&k->d, max), 0);
	/* Runs before kt_free_stats: the expiry work counts into them. */
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kt_dedup_destroy, &k->d), 0);
	return &k->d;
}

static u64 kt_stat(struct kcoap_dedup *d, enum kcoap_stat id)
{
	u64 n = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		n += READ_ONCE(per_cpu_ptr(d->stats, cpu)->cnt[id]);
	return n;
}

/* A start for the test clock, ahead of the real one. */
static u32 kt_now(void)
{
	return (u32)jiffies + KT_AHEAD;
}

/* Peer 192.0.2.@host (v4-mapped, as receive.c stores it), @port, @mid. */
static struct kcoap_dedup_key kt_key(u8 host, u16 port, u16 mid)
{
	struct kcoap_dedup_key k;

	memset(&k, 0, sizeof(k));
	ipv6_addr_set_v4mapped(htonl(0xc0000200 | host), &k.addr);
	k.port = htons(port);
	k.mid = mid;
	return k;
}

/* The softirq side, called as receive.c is: BH off, under RCU. */
static enum kcoap_dedup_result kt_insert(struct kcoap_dedup *d,
					 const struct kcoap_dedup_key *k,
					 u32 now, u32 lifetime,
					 const void *reply, u16 len)
{
	enum kcoap_dedup_result r;

	local_bh_disable();
	rcu_read_lock();
	r = kcoap_dedup_insert(d, k, COAP_TYPE_CON, now, lifetime, reply, len);
	rcu_read_unlock();
	local_bh_enable();
	return r;
}

/*
 * Look @k up at @now: the length of its reply, copied to @reply (which
 * may be NULL), or -1 if there is no entry.
 */
static int kt_lookup(struct kcoap_dedup *d, const struct kcoap_dedup_key *k,
		     u32 now, void *reply, size_t cap)
{
	const struct kcoap_dedup_entry *e;
	int len = -1;

	local_bh_disable();
	rcu_read_lock();
	e = kcoap_dedup_lookup(d, k, now);
	if (e) {
		len = e->reply_len;
		if (reply)
			memcpy(reply, e->reply, min_t(size_t, len, cap));
	}
	rcu_read_unlock();
	local_bh_enable();
	return len;
}

static bool kt_found(struct kcoap_dedup *d, const struct kcoap_dedup_key *k,
		     u32 now)
{
	return kt_lookup(d, k, now, NULL, 0) >= 0;
}

static void kt_fill(u8 *p, size_t len, u8 seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = seed + i * 7;
}

static void kcoap_dedup_hit(struct kunit *test)
{
	struct kcoap_dedup *d = kt_dedup_new(test, 64);
	struct kcoap_dedup_key k = kt_key(1, 5683, 0x1234);
	const struct kcoap_dedup_entry *e;
	u8 reply[40], got[40];
	u32 now = kt_now();

	kt_fill(reply, sizeof(reply), 3);
	KUNIT_ASSERT_EQ(test, kt_insert(d, &k, now, KT_LIFETIME, reply, sizeof(reply)),
			KCOAP_DEDUP_INSERTED);
	KUNIT_EXPECT_EQ(test, kcoap_dedup_count(d), 1);
	memset(got, 0, sizeof(got));
	KUNIT_ASSERT_EQ(test, kt_lookup(d, &k, now, got, sizeof(got)), sizeof(reply));
	KUNIT_EXPECT_MEMEQ(test, got, reply, sizeof(reply));
	/* Still there one tick before it expires. */
	KUNIT_EXPECT_EQ(test, kt_lookup(d, &k, now + KT_LIFETIME - 1, NULL, 0),
			sizeof(reply));

	/* A NON is remembered without a reply, with its type. */
	k.mid++;
	local_bh_disable();
	rcu_read_lock();
	KUNIT_EXPECT_EQ(test, kcoap_dedup_insert(d, &k, COAP_TYPE_NON, now,
						 KT_LIFETIME, NULL, 0),
			KCOAP_DEDUP_INSERTED);
	e = kcoap_dedup_lookup(d, &k, now);
	KUNIT_EXPECT_NOT_NULL(test, e);
	if (e) {
		KUNIT_EXPECT_EQ(test, e->reply_len, 0);
		KUNIT_EXPECT_EQ(test, e->type, COAP_TYPE_NON);
		KUNIT_EXPECT_EQ(test, e->key.mid, 0x1235);
	}
	rcu_read_unlock();
	local_bh_enable();
	KUNIT_EXPECT_EQ(test, kcoap_dedup_count(d), 2);
}

/* The key is address, port and Message ID: each part tells entries apart. */
static void kcoap_dedup_key_parts(struct kunit *test)
{
	struct kcoap_dedup *d = kt_dedup_new(test, 64);
	struct kcoap_dedup_key k = kt_key(1, 5683, 7);
	struct kcoap_dedup_key other;
	u8 a[8] = "peer-a", b[8] = "peer-b", got[8];
	u32 now = kt_now();

	KUNIT_ASSERT_EQ(test, kt_insert(d, &k, now, KT_LIFETIME, a, sizeof(a)),
			KCOAP_DEDUP_INSERTED);
	other = kt_key(1, 5684, 7);
	KUNIT_EXPECT_FALSE(test, kt_found(d, &other, now));
	other = kt_key(2, 5683, 7);
	KUNIT_EXPECT_FALSE(test, kt_found(d, &other, now));
	other = kt_key(1, 5683, 8);
	KUNIT_EXPECT_FALSE(test, kt_found(d, &other, now));
	/* The same bytes as an IPv6 address are another peer. */
	other = k;
	other.addr.s6_addr32[2] = 0;
	KUNIT_EXPECT_FALSE(test, kt_found(d, &other, now));
	KUNIT_EXPECT_TRUE(test, kt_found(d, &k, now));

	/* The same Message ID from a second peer is a second exchange. */
	other = kt_key(2, 5683, 7);
	KUNIT_EXPECT_EQ(test, kt_insert(d, &other, now, KT_LIFETIME, b, sizeof(b)),
			KCOAP_DEDUP_INSERTED);
	KUNIT_EXPECT_EQ(test, kcoap_dedup_count(d), 2);
	KUNIT_ASSERT_EQ(test, kt_lookup(d, &k, now, got, sizeof(got)), sizeof(a));
	KUNIT_EXPECT_MEMEQ(test, got, a, sizeof(a));
	KUNIT_ASSERT_EQ(test, kt_lookup(d, &other, now, got, sizeof(got)), sizeof(b));
	KUNIT_EXPECT_MEMEQ(test, got, b, sizeof(b));
	/* And from the same address on another port. */
	other = kt_key(1, 40000, 7);
	KUNIT_EXPECT_EQ(test, kt_insert(d, &other, now, KT_LIFETIME, b, 1),
			KCOAP_DEDUP_INSERTED);
	KUNIT_EXPECT_EQ(test, kt_lookup(d, &other, now, NULL, 0), 1);
	KUNIT_EXPECT_EQ(test, kt_lookup(d, &k, now, NULL, 0), sizeof(a));
	KUNIT_EXPECT_EQ(test, kcoap_dedup_count(d), 3);
}

static void kcoap_dedup_expiry(struct kunit *test)
{
	struct kcoap_dedup *d = kt_dedup_new(test, 64);
	struct kcoap_dedup_key k[4];
	u32 now = kt_now();
	int i;

	/* Three short-lived entries, then a longer one (FIFO = expiry order). */
	for (i = 0; i < 4; i++) {
		k[i] = kt_key(1, 5683, i);
		KUNIT_ASSERT_EQ(test, kt_insert(d, &k[i], now + i,
						i < 3 ? KT_LIFETIME : 3 * KT_LIFETIME,
						"x", 1),
				KCOAP_DEDUP_INSERTED);
	}
	KUNIT_EXPECT_TRUE(test, kt_found(d, &k[0], now + KT_LIFETIME - 1));
	/* Expired entries are not found, though not freed yet. */
	KUNIT_EXPECT_FALSE(test, kt_found(d, &k[0], now + KT_LIFETIME));
	KUNIT_EXPECT_TRUE(test, kt_found(d, &k[1], now + KT_LIFETIME));
	KUNIT_EXPECT_FALSE(test, kt_found(d, &k[2], now + KT_LIFETIME + 2));
	KUNIT_EXPECT_TRUE(test, kt_found(d, &k[3], now + KT_LIFETIME + 2));
	KUNIT_EXPECT_EQ(test, kcoap_dedup_count(d), 4);

	KUNIT_EXPECT_EQ(test, kcoap_dedup_expire(d, now + KT_LIFETIME - 1), 0);
	KUNIT_EXPECT_EQ(test, kcoap_dedup_expire(d, now + KT_LIFETIME + 1), 2);
	KUNIT_EXPECT_EQ(test, kcoap_dedup_count(d), 2);
	KUNIT_EXPECT_EQ(test, kcoap_dedup_expire(d, now + KT_LIFETIME + 2), 1);
	KUNIT_EXPECT_EQ(test, kcoap_dedup_count(d), 1);
	KUNIT_EXPECT_EQ(test, kt_stat(d, KCOAP_STAT_DEDUP_EXPIRED), 3);
	KUNIT_EXPECT_TRUE(test, kt_found(d, &k[3], now + KT_LIFETIME + 2));

	KUNIT_EXPECT_EQ(test, kcoap_dedup_expire(d, now + 10 * KT_LIFETIME), 1);
	KUNIT_EXPECT_EQ(test, kcoap_dedup_count(d), 0);
}

/* An insert first frees what expired on its CPU. */
static void kcoap_dedup_insert_expires(struct kunit *test)
{
	struct kcoap_dedup *d = kt_dedup_new(test, 64);
	struct kcoap_dedup_key a = kt_key(2, 5683, 1), b = kt_key(2, 5683, 2);
	enum kcoap_dedup_result ra, rb;
	u32 now = kt_now();

	/* One section, so both inserts use the same CPU's FIFO. */
	local_bh_disable();
	rcu_read_lock();
	ra = kcoap_dedup_insert(d, &a, COAP_TYPE_CON, now, 10, "a", 1);
	rb = kcoap_dedup_insert(d, &b, COAP_TYPE_CON, now + 10, 10, "b", 1);
	rcu_read_unlock();
	local_bh_enable();
	KUNIT_EXPECT_EQ(test, ra, KCOAP_DEDUP_INSERTED);
	KUNIT_EXPECT_EQ(test, rb, KCOAP_DEDUP_INSERTED);
	KUNIT_EXPECT_EQ(test, kcoap_dedup_count(d), 1);
	KUNIT_EXPECT_EQ(test, kt_stat(d, KCOAP_STAT_DEDUP_EXPIRED), 1);
	KUNIT_EXPECT_FALSE(test, kt_found(d, &a, now));
	KUNIT_EXPECT_TRUE(test, kt_found(d, &b, now + 10));
}

/* jiffies wrap: lifetimes that run across 0xffffffff. */
static void kcoap_dedup_expiry_wrap(struct kunit *test)
{
	const u32 t0 = 0xffffff80;
	struct kcoap_dedup *d;
	struct kcoap_dedup_key k[3];
	int i;

	/* The expiry work compares with the real jiffies: keep ahead of it. */
	if ((s32)(t0 - (u32)jiffies) <= 0)
		kunit_skip(test, "the real jiffies are past 0xffffff80");
	d = kt_dedup_new(test, 64);
	for (i = 0; i < 3; i++)
		k[i] = kt_key(3, 5683, i);
	/* Expires at 0xfffffff8, before the wrap. */
	KUNIT_ASSERT_EQ(test, kt_insert(d, &k[0], t0, 0x78, "a", 1),
			KCOAP_DEDUP_INSERTED);
	/* Expires at 0x80, after it. */
	KUNIT_ASSERT_EQ(test, kt_insert(d, &k[1], t0 + 0x10, 0xf0, "b", 1),
			KCOAP_DEDUP_INSERTED);

	KUNIT_EXPECT_TRUE(test, kt_found(d, &k[0], 0xfffffff7));
	KUNIT_EXPECT_FALSE(test, kt_found(d, &k[0], 0xfffffff8));
	KUNIT_EXPECT_FALSE(test, kt_found(d, &k[0], 0x5));
	KUNIT_EXPECT_TRUE(test, kt_found(d, &k[1], 0xffffffff));
	KUNIT_EXPECT_TRUE(test, kt_found(d, &k[1], 0));
	KUNIT_EXPECT_TRUE(test, kt_found(d, &k[1], 0x7f));
	KUNIT_EXPECT_FALSE(test, kt_found(d, &k[1], 0x80));

	KUNIT_EXPECT_EQ(test, kcoap_dedup_expire(d, 0xfffffff0), 0);
	KUNIT_EXPECT_EQ(test, kcoap_dedup_expire(d, 0x0), 1);
	KUNIT_EXPECT_EQ(test, kcoap_dedup_count(d), 1);
	/* Inserted after the wrap, expires at 0x110. */
	KUNIT_ASSERT_EQ(test, kt_insert(d, &k[2], 0x10, 0x100, "c", 1),
			KCOAP_DEDUP_INSERTED);
	KUNIT_EXPECT_TRUE(test, kt_found(d, &k[2], 0x80));
	KUNIT_EXPECT_EQ(test, kcoap_dedup_expire(d, 0x7f), 0);
	KUNIT_EXPECT_EQ(test, kcoap_dedup_expire(d, 0x80), 1);
	KUNIT_EXPECT_EQ(test, kcoap_dedup_count(d), 1);
	KUNIT_EXPECT_TRUE(test, kt_found(d, &k[2], 0x10f));
	KUNIT_EXPECT_FALSE(test, kt_found(d, &k[2], 0x110));
	KUNIT_EXPECT_EQ(test, kcoap_dedup_expire(d, 0x110), 1);
	KUNIT_EXPECT_EQ(test, kcoap_dedup_count(d), 0);
}

#define KT_CAP 16

static void kcoap_dedup_evict_at_cap(struct kunit *test)
{
	struct kcoap_dedup *d = kt_dedup_new(test, KT_CAP);
	enum kcoap_dedup_result r[KT_CAP + 4];
	struct kcoap_dedup_key k;
	u32 now = kt_now();
	int i;

	/*
	 * In one softirq-like section: eviction takes the oldest entry of
	 * the CPU that inserts, so all of them must come from one CPU.
	 */
	local_bh_disable();
	rcu_read_lock();
	for (i = 0; i < KT_CAP + 4; i++) {
		k = kt_key(4, 5683, 100 + i);
		r[i] = kcoap_dedup_insert(d, &k, COAP_TYPE_CON, now + i,
					  10 * KT_LIFETIME, &i, sizeof(i));
	}
	rcu_read_unlock();
	local_bh_enable();

	for (i = 0; i < KT_CAP + 4; i++)
		KUNIT_EXPECT_EQ_MSG(test, r[i], KCOAP_DEDUP_INSERTED, "insert %d", i);
	KUNIT_EXPECT_EQ(test, kcoap_dedup_count(d), KT_CAP);
	KUNIT_EXPECT_EQ(test, kt_stat(d, KCOAP_STAT_DEDUP_EVICTED), 4);
	KUNIT_EXPECT_EQ(test, kt_stat(d, KCOAP_STAT_DEDUP_EXPIRED), 0);
	for (i = 0; i < KT_CAP + 4; i++) {
		int got = -1;

		k = kt_key(4, 5683, 100 + i);
		if (i < 4) {
			KUNIT_EXPECT_FALSE_MSG(test, kt_found(d, &k, now + 20),
					       "entry %d should be evicted", i);
			continue;
		}
		KUNIT_EXPECT_EQ_MSG(test, kt_lookup(d, &k, now + 20, &got, sizeof(got)),
				    sizeof(got), "entry %d", i);
		KUNIT_EXPECT_EQ(test, got, i);
	}
	KUNIT_EXPECT_EQ(test, kcoap_dedup_expire(d, now + 20 * KT_LIFETIME), KT_CAP);
}

/* Two CPUs inserting the same key: the first reply stays. */
static void kcoap_dedup_raced(struct kunit *test)
{
	struct kcoap_dedup *d = kt_dedup_new(test, 64);
	struct kcoap_dedup_key k = kt_key(5, 5683, 9);
	u8 got[6];
	u32 now = kt_now();

	KUNIT_ASSERT_EQ(test, kt_insert(d, &k, now, KT_LIFETIME, "first", 6),
			KCOAP_DEDUP_INSERTED);
	KUNIT_EXPECT_EQ(test, kt_insert(d, &k, now + 1, KT_LIFETIME, "other", 6),
			KCOAP_DEDUP_RACED);
	KUNIT_EXPECT_EQ(test, kcoap_dedup_count(d), 1);
	KUNIT_ASSERT_EQ(test, kt_lookup(d, &k, now + 1, got, sizeof(got)), 6);
	KUNIT_EXPECT_MEMEQ(test, got, "first", 6);
}

/* An entry expired but still queued behind a live one is replaced. */
static void kcoap_dedup_replace_expired(struct kunit *test)
{
	struct kcoap_dedup *d = kt_dedup_new(test, 64);
	struct kcoap_dedup_key live = kt_key(6, 5683, 1);
	struct kcoap_dedup_key k = kt_key(6, 5683, 2);
	enum kcoap_dedup_result r[3];
	u32 now = kt_now();
	bool gone;
	u8 got[3];

	/* One section, so all three use the same CPU's FIFO. */
	local_bh_disable();
	rcu_read_lock();
	r[0] = kcoap_dedup_insert(d, &live, COAP_TYPE_CON, now, 10 * KT_LIFETIME,
				  "L", 1);
	r[1] = kcoap_dedup_insert(d, &k, COAP_TYPE_CON, now, 10, "old", 3);
	gone = !kcoap_dedup_lookup(d, &k, now + 20);
	/* Its expiry stops at the live head: the old k is not freed. */
	r[2] = kcoap_dedup_insert(d, &k, COAP_TYPE_CON, now + 20, KT_LIFETIME,
				  "new", 3);
	rcu_read_unlock();
	local_bh_enable();
	KUNIT_EXPECT_EQ(test, r[0], KCOAP_DEDUP_INSERTED);
	KUNIT_EXPECT_EQ(test, r[1], KCOAP_DEDUP_INSERTED);
	KUNIT_EXPECT_TRUE(test, gone);
	KUNIT_EXPECT_EQ(test, r[2], KCOAP_DEDUP_INSERTED);
	KUNIT_ASSERT_EQ(test, kt_lookup(d, &k, now + 20, got, sizeof(got)), 3);
	KUNIT_EXPECT_MEMEQ(test, got, "new", 3);
	KUNIT_EXPECT_TRUE(test, kt_found(d, &live, now + 20));
	/* The replaced entry waits in its FIFO, and counts: it takes memory. */
	KUNIT_EXPECT_EQ(test, kcoap_dedup_count(d), 3);
	KUNIT_EXPECT_EQ(test, kcoap_dedup_expire(d, now + KT_LIFETIME + 20), 0);
	KUNIT_EXPECT_EQ(test, kcoap_dedup_expire(d, now + 10 * KT_LIFETIME), 3);
	KUNIT_EXPECT_EQ(test, kcoap_dedup_count(d), 0);
	KUNIT_EXPECT_FALSE(test, kt_found(d, &k, now + 10 * KT_LIFETIME));
}

/* A request handed to the daemon: pending, then completed with its answer. */
static void kcoap_dedup_pending(struct kunit *test)
{
	struct kcoap_dedup *d = kt_dedup_new(test, 64);
	struct kcoap_dedup_key k = kt_key(7, 5683, 9);
	const struct kcoap_dedup_entry *e;
	u32 now = kt_now();
	u8 type = 0, got[8];

	local_bh_disable();
	rcu_read_lock();
	kcoap_dedup_insert(d, &k, COAP_TYPE_CON | KCOAP_DEDUP_PENDING, now,
			   KT_LIFETIME, NULL, 0);
	e = kcoap_dedup_lookup(d, &k, now + 1);
	if (e)
		type = e->type;
	kcoap_dedup_complete(d, &k, now + 2, "answer", 6);
	/* Only a pending entry is completed: a second answer changes nothing. */
	kcoap_dedup_complete(d, &k, now + 3, "second", 6);
	rcu_read_unlock();
	local_bh_enable();
	KUNIT_EXPECT_EQ(test, type, COAP_TYPE_CON | KCOAP_DEDUP_PENDING);
	KUNIT_ASSERT_EQ(test, kt_lookup(d, &k, now + 4, got, sizeof(got)), 6);
	KUNIT_EXPECT_MEMEQ(test, got, "answer", 6);
	/* The pending entry counts until its FIFO frees it. */
	KUNIT_EXPECT_EQ(test, kcoap_dedup_count(d), 2);
	/* Within the lifetime the first one had: both entries go then. */
	KUNIT_EXPECT_EQ(test, kcoap_dedup_expire(d, now + KT_LIFETIME), 2);
	KUNIT_EXPECT_EQ(test, kcoap_dedup_count(d), 0);
}

/* Replies around the largest cached size and beyond (kmalloc). */
static void kcoap_dedup_large_reply(struct kunit *test)
{
	const u16 hdr = offsetof(struct kcoap_dedup_entry, reply);
	const u16 sizes[] = { 0, 1, 255 - hdr, 256 - hdr, 257 - hdr, 300,
			      1024, KCOAP_REPLY_MAX };
	struct kcoap_dedup *d = kt_dedup_new(test, 64);
	u8 *reply = kunit_kmalloc(test, KCOAP_REPLY_MAX, GFP_KERNEL);
	u8 *got = kunit_kmalloc(test, KCOAP_REPLY_MAX, GFP_KERNEL);
	struct kcoap_dedup_key k;
	u32 now = kt_now();
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, reply);
	KUNIT_ASSERT_NOT_NULL(test, got);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		kt_fill(reply, sizes[i], i);
		k = kt_key(7, 5683, i);
		KUNIT_ASSERT_EQ(test, kt_insert(d, &k, now, KT_LIFETIME, reply, sizes[i]),
				KCOAP_DEDUP_INSERTED);
	}
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		kt_fill(reply, sizes[i], i);
		k = kt_key(7, 5683, i);
		KUNIT_ASSERT_EQ_MSG(test, kt_lookup(d, &k, now, got, KCOAP_REPLY_MAX),
				    sizes[i], "size %u", sizes[i]);
		KUNIT_EXPECT_MEMEQ_MSG(test, got, reply, sizes[i], "size %u", sizes[i]);
	}
	/* Each goes back where it came from (KASAN checks the frees). */
	KUNIT_EXPECT_EQ(test, kcoap_dedup_expire(d, now + KT_LIFETIME),
			ARRAY_SIZE(sizes));
}

static void kcoap_dedup_resize_empties(struct kunit *test)
{
	struct kcoap_dedup *d = kt_dedup_new(test, 64);
	struct kcoap_dedup_key k;
	u32 now = kt_now();
	int i;

	for (i = 0; i < 5; i++) {
		k = kt_key(8, 5683, i);
		KUNIT_ASSERT_EQ(test, kt_insert(d, &k, now, KT_LIFETIME, NULL, 0),
				KCOAP_DEDUP_INSERTED);
	}
	KUNIT_EXPECT_EQ(test, kcoap_dedup_count(d), 5);
	KUNIT_ASSERT_EQ(test, kcoap_dedup_resize(d, KT_CAP), 0);
	KUNIT_EXPECT_EQ(test, kcoap_dedup_count(d), 0);
	for (i = 0; i < 5; i++) {
		k = kt_key(8, 5683, i);
		KUNIT_EXPECT_FALSE(test, kt_found(d, &k, now));
	}
	/* The new table works, with the new limit. */
	for (i = 0; i < KT_CAP + 2; i++) {
		k = kt_key(8, 5683, i);
		local_bh_disable();
		rcu_read_lock();
		KUNIT_EXPECT_EQ(test, kcoap_dedup_insert(d, &k, COAP_TYPE_NON, now,
							 KT_LIFETIME, NULL, 0),
				KCOAP_DEDUP_INSERTED);
		rcu_read_unlock();
		local_bh_enable();
	}
	KUNIT_EXPECT_EQ(test, kcoap_dedup_count(d), KT_CAP);
	k = kt_key(8, 5683, KT_CAP + 1);
	KUNIT_EXPECT_TRUE(test, kt_found(d, &k, now));
}

static void kcoap_dedup_snapshot_live(struct kunit *test)
{
	struct kcoap_dedup *d = kt_dedup_new(test, 64);
	enum kcoap_dedup_result r[5];
	struct kcoap_dedup_info *out;
	struct kcoap_dedup_key k;
	u32 now = kt_now();
	unsigned int n, i;

	out = kunit_kcalloc(test, 8, sizeof(*out), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, out);
	/*
	 * Three that expire at now + 100, then two at now + 1000, from one
	 * CPU so that they are reported in this order.
	 */
	local_bh_disable();
	rcu_read_lock();
	for (i = 0; i < 5; i++) {
		k = kt_key(9, 5683, i);
		r[i] = kcoap_dedup_insert(d, &k, COAP_TYPE_CON, now,
					  i < 3 ? KT_LIFETIME : 10 * KT_LIFETIME,
					  "reply", 5 + i);
	}
	rcu_read_unlock();
	local_bh_enable();
	for (i = 0; i < 5; i++)
		KUNIT_EXPECT_EQ(test, r[i], KCOAP_DEDUP_INSERTED);
	KUNIT_EXPECT_EQ(test, kcoap_dedup_snapshot(d, now, out, 8), 5);
	KUNIT_EXPECT_EQ(test, kcoap_dedup_snapshot(d, now, out, 2), 2);

	/* Expired but not freed: counted, not reported. */
	n = kcoap_dedup_snapshot(d, now + KT_LIFETIME, out, 8);
	KUNIT_EXPECT_EQ(test, kcoap_dedup_count(d), 5);
	KUNIT_ASSERT_EQ(test, n, 2);
	for (i = 0; i < n; i++) {
		k = kt_key(9, 5683, 3 + i);
		KUNIT_EXPECT_MEMEQ(test, &out[i].key, &k, sizeof(k));
		KUNIT_EXPECT_EQ(test, out[i].reply_len, 8 + i);
		KUNIT_EXPECT_EQ(test, out[i].type, COAP_TYPE_CON);
		KUNIT_EXPECT_EQ(test, out[i].expires_ms,
				jiffies_to_msecs(9 * KT_LIFETIME));
	}
	KUNIT_EXPECT_EQ(test, kcoap_dedup_snapshot(d, now + 10 * KT_LIFETIME, out, 8), 0);
}

/*
 * The byte budget holds whatever the replies: entries with 1152-byte
 * replies (kmalloc-2k objects) evict the oldest ones to stay under it.
 */
static void kcoap_dedup_byte_budget(struct kunit *test)
{
	const u32 budget = 16 * 1024;
	const size_t obj = kmalloc_size_roundup(offsetof(struct kcoap_dedup_entry, reply) +
						KCOAP_REPLY_MAX);
	struct kcoap_dedup *d = kt_dedup_new(test, 1024);
	u8 *reply = kunit_kzalloc(test, KCOAP_REPLY_MAX, GFP_KERNEL);
	struct kcoap_dedup_key k;
	u32 now = kt_now();
	u64 peak = 0, n;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, reply);
	kcoap_dedup_set_limits(d, budget, budget);
	for (i = 0; i < 64; i++) {
		k = kt_key(10 + i % 8, 5683, i);
		KUNIT_ASSERT_EQ_MSG(test, kt_insert(d, &k, now, KT_LIFETIME, reply,
						    KCOAP_REPLY_MAX),
				    KCOAP_DEDUP_INSERTED, "entry %d", i);
		peak = max(peak, kcoap_dedup_bytes(d));
	}
	KUNIT_EXPECT_LE(test, peak, budget);
	KUNIT_EXPECT_GE(test, kcoap_dedup_bytes(d), (u64)budget / 2);
	/* Each is a 2 KiB object on x86-64: 8 fit, the rest were evicted. */
	KUNIT_EXPECT_EQ(test, kcoap_dedup_count(d) * obj, kcoap_dedup_bytes(d));
	KUNIT_EXPECT_EQ(test, kt_stat(d, KCOAP_STAT_DEDUP_EVICTED),
			64 - kcoap_dedup_count(d));
	k = kt_key(10 + 63 % 8, 5683, 63);
	KUNIT_EXPECT_TRUE(test, kt_found(d, &k, now));
	k = kt_key(10, 5683, 0);
	KUNIT_EXPECT_FALSE(test, kt_found(d, &k, now));
	/* Entries without a reply are small: 56-byte objects. */
	k = kt_key(30, 5683, 1);
	KUNIT_EXPECT_EQ(test, kt_insert(d, &k, now, KT_LIFETIME, NULL, 0),
			KCOAP_DEDUP_INSERTED);
	n = kcoap_dedup_count(d);
	KUNIT_EXPECT_EQ(test, kcoap_dedup_expire(d, now + KT_LIFETIME), n);
	KUNIT_EXPECT_EQ(test, kcoap_dedup_bytes(d), 0);
}

/* One peer at its share gets nothing more; another still does. */
static void kcoap_dedup_peer_budget(struct kunit *test)
{
	struct kcoap_dedup *d = kt_dedup_new(test, 1024);
	struct kcoap_dedup_key k, other;
	enum kcoap_dedup_result r;
	u32 now = kt_now();
	bool full = false;
	int i, host;

	kcoap_dedup_set_limits(d, 1 << 20, 1024);
	/* 56-byte entries: 18 fit in 1024 bytes, the 19th does not. */
	for (i = 0; i < 19; i++) {
		k = kt_key(40, 5683 + i, i);
		r = kt_insert(d, &k, now, KT_LIFETIME, NULL, 0);
		KUNIT_EXPECT_EQ_MSG(test, r, i < 18 ? KCOAP_DEDUP_INSERTED :
				    KCOAP_DEDUP_PEER_LIMIT, "entry %d", i);
	}
	KUNIT_EXPECT_EQ(test, kcoap_dedup_count(d), 18);
	rcu_read_lock();
	full = kcoap_dedup_peer_full(d, &k);
	rcu_read_unlock();
	KUNIT_EXPECT_TRUE(test, full);
	KUNIT_EXPECT_EQ(test, kcoap_dedup_bytes(d), 18 * 56);
	/*
	 * Another address: in another bucket of the keyed hash but with
	 * probability 1/1024, so look for one that is.
	 */
	for (host = 41; host < 60; host++) {
		other = kt_key(host, 5683, 1);
		rcu_read_lock();
		full = kcoap_dedup_peer_full(d, &other);
		rcu_read_unlock();
		if (!full)
			break;
	}
	KUNIT_ASSERT_FALSE(test, full);
	KUNIT_EXPECT_EQ(test, kt_insert(d, &other, now, KT_LIFETIME, NULL, 0),
			KCOAP_DEDUP_INSERTED);
	/* Once its entries are gone, the first peer is welcome again. */
	KUNIT_EXPECT_EQ(test, kcoap_dedup_expire(d, now + KT_LIFETIME), 19);
	KUNIT_EXPECT_EQ(test, kt_insert(d, &k, now + KT_LIFETIME, KT_LIFETIME,
					NULL, 0), KCOAP_DEDUP_INSERTED);
}

static struct kunit_case kcoap_dedup_cases[] = {
	KUNIT_CASE(kcoap_dedup_hit),
	KUNIT_CASE(kcoap_dedup_key_parts),
	KUNIT_CASE(kcoap_dedup_expiry),
	KUNIT_CASE(kcoap_dedup_insert_expires),
	KUNIT_CASE(kcoap_dedup_expiry_wrap),
	KUNIT_CASE(kcoap_dedup_evict_at_cap),
	KUNIT_CASE(kcoap_dedup_raced),
	KUNIT_CASE(kcoap_dedup_replace_expired),
	KUNIT_CASE(kcoap_dedup_pending),
	KUNIT_CASE(kcoap_dedup_large_reply),
	KUNIT_CASE(kcoap_dedup_resize_empties),
	KUNIT_CASE(kcoap_dedup_snapshot_live),
	KUNIT_CASE(kcoap_dedup_byte_budget),
	KUNIT_CASE(kcoap_dedup_peer_budget),
	{}
};

static struct kunit_suite kcoap_dedup_suite = {
	.name = "kcoap_dedup",
	.test_cases = kcoap_dedup_cases,
};

kunit_test_suite(kcoap_dedup_suite);
