// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * KUnit suite "kcoap_ring": sizes and layout, the request ring's indices
 * (full, wrap-around, impossible consumer indices), and what the kernel
 * takes from a response ring written by a daemon that lies: every field
 * of a descriptor out of range, impossible producer indices, and random
 * bytes everywhere.
 */
#include <kunit/test.h>
#include <linux/random.h>
#include <linux/socket.h>
#include <linux/vmalloc.h>
#include <net/netlink.h>

#include "coap.h"
#include "ring.h"

KUNIT_DEFINE_ACTION_WRAPPER(kt_ring_free, kcoap_ring_free, struct kcoap_ring *);

static struct kcoap_ring *kt_ring(struct kunit *test, u32 req, u32 rsp, u32 slot)
{
	struct kcoap_ring_size s = { req, rsp, slot };
	struct kcoap_ring *r = kcoap_ring_alloc(&s);

	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kt_ring_free, r), 0);
	return r;
}

static void kcoap_ring_sizes(struct kunit *test)
{
	static const struct {
		struct kcoap_ring_size s;
		int err;
	} v[] = {
		{ { 256, 256, 2048 }, 0 },
		{ { 2, 2, 256 }, 0 },
		{ { 16384, 16384, 1024 }, 0 },
		{ { 1, 256, 2048 }, -EINVAL },
		{ { 256, 3, 2048 }, -EINVAL },
		{ { 32768, 256, 2048 }, -EINVAL },
		{ { 0, 256, 2048 }, -EINVAL },
		{ { 256, 256, 255 }, -EINVAL },
		{ { 256, 256, 1000 }, -EINVAL },	/* not a multiple of 64 */
		{ { 256, 256, 65600 }, -EINVAL },
		{ { 1024, 1024, 65536 }, -E2BIG },	/* 128 MiB of slots */
	};
	struct netlink_ext_ack extack = {};
	int i;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		extack._msg = NULL;
		KUNIT_EXPECT_EQ_MSG(test, kcoap_ring_check_size(&v[i].s, &extack),
				    v[i].err, "case %d", i);
		if (v[i].err)
			KUNIT_EXPECT_NOT_NULL(test, extack._msg);
	}
}

static void kcoap_ring_layout_checks(struct kunit *test)
{
	struct kcoap_ring *r = kt_ring(test, 64, 32, 1024);
	const struct kcoap_ring_info *i = r->area;
	u64 req_desc_end = i->req.desc + 64 * sizeof(struct kcoap_req_desc);
	u64 rsp_desc_end = i->rsp.desc + 32 * sizeof(struct kcoap_rsp_desc);

	/* What the daemon reads at offset 0 is what the kernel uses. */
	KUNIT_EXPECT_MEMEQ(test, i, &r->info, sizeof(*i));
	KUNIT_EXPECT_EQ(test, i->version, KCOAP_RING_VERSION);
	KUNIT_EXPECT_EQ(test, i->size % PAGE_SIZE, 0);
	/* Indices on cache lines of their own, after the info block. */
	KUNIT_EXPECT_GE(test, i->req.producer, sizeof(*i));
	KUNIT_EXPECT_EQ(test, i->req.consumer - i->req.producer, 64);
	KUNIT_EXPECT_EQ(test, i->rsp.producer % 64, 0);
	KUNIT_EXPECT_LE(test, i->rsp.flags + 4, i->req.desc);
	KUNIT_EXPECT_EQ(test, i->rsp.flags - i->req.producer, 5 * 64);
	/* Parts in order, apart, inside the mapping; data page-aligned. */
	KUNIT_EXPECT_LE(test, req_desc_end, i->rsp.desc);
	KUNIT_EXPECT_LE(test, rsp_desc_end, i->req_data);
	KUNIT_EXPECT_EQ(test, i->req_data % PAGE_SIZE, 0);
	KUNIT_EXPECT_EQ(test, i->rsp_data, i->req_data + 64 * 1024);
	KUNIT_EXPECT_LE(test, i->rsp_data + 32 * 1024, i->size);
	/* The descriptors are the sizes the uapi says. */
	KUNIT_EXPECT_EQ(test, sizeof(struct kcoap_req_desc), 64);
	KUNIT_EXPECT_EQ(test, offsetof(struct kcoap_req_desc, session), 56);
	KUNIT_EXPECT_EQ(test, sizeof(struct kcoap_rsp_desc), 24);
}

static int kt_put(struct kcoap_ring *r, u64 id, u8 fill, u32 len)
{
	struct kcoap_req_desc d = { .id = id, .family = AF_INET };
	u8 buf[300];

	memset(buf, fill, sizeof(buf));
	return kcoap_ring_put(r, &d, buf, len);
}

static void kcoap_ring_requests(struct kunit *test)
{
	struct kcoap_ring *r = kt_ring(test, 4, 2, 256);
	const struct kcoap_req_desc *d;
	int i;

	KUNIT_EXPECT_FALSE(test, kcoap_ring_readable(r));
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, kt_put(r, i + 1, 0xa0 + i, 10 + i), 0);
	KUNIT_EXPECT_TRUE(test, kcoap_ring_readable(r));
	KUNIT_EXPECT_EQ(test, *r->req_prod, 4);
	/* Full: the fifth waits for the daemon. */
	KUNIT_EXPECT_EQ(test, kt_put(r, 5, 0xa4, 10), -ENOSPC);
	d = &r->req_desc[2];
	KUNIT_EXPECT_EQ(test, d->id, 3);
	KUNIT_EXPECT_EQ(test, d->data_off, 2 * 256);
	KUNIT_EXPECT_EQ(test, d->data_len, 12);
	KUNIT_EXPECT_EQ(test, r->req_data[d->data_off], 0xa2);
	KUNIT_EXPECT_EQ(test, r->req_data[d->data_off + 11], 0xa2);
	/* The daemon took two: two more fit, in slots 0 and 1 again. */
	smp_store_release(r->req_cons, 2);
	KUNIT_EXPECT_EQ(test, kt_put(r, 5, 0xa4, 10), 0);
	KUNIT_EXPECT_EQ(test, kt_put(r, 6, 0xa5, 10), 0);
	KUNIT_EXPECT_EQ(test, kt_put(r, 7, 0xa6, 10), -ENOSPC);
	KUNIT_EXPECT_EQ(test, r->req_desc[1].id, 6);
	/* A datagram larger than a slot is refused (the caller answers 4.13). */
	smp_store_release(r->req_cons, 6);
	KUNIT_EXPECT_FALSE(test, kcoap_ring_readable(r));
	KUNIT_EXPECT_EQ(test, kt_put(r, 8, 0, 257), -EMSGSIZE);
	KUNIT_EXPECT_EQ(test, kt_put(r, 8, 0, 256), 0);
}

/* A wait queue entry that counts wake-ups instead of waking a task. */
struct kt_waiter {
	struct wait_queue_entry wq;
	struct kcoap_ring *r;
	int woken;
};

static int kt_wake(struct wait_queue_entry *wq, unsigned int mode, int sync, void *key)
{
	container_of(wq, struct kt_waiter, wq)->woken++;
	return 0;
}

static void kt_wait_remove(void *arg)
{
	struct kt_waiter *w = arg;

	remove_wait_queue(&w->r->wait, &w->wq);
}

/*
 * The daemon is woken for an entry that follows everything it consumed
 * (or for every entry if it asks), and only then. The race this rule
 * guards against (the daemon draining the ring while the kernel adds an
 * entry) needs two CPUs; tests/e2e/mqtt.sh's load found it.
 */
static void kcoap_ring_wakeups(struct kunit *test)
{
	struct kcoap_ring *r = kt_ring(test, 8, 2, 256);
	struct kt_waiter w = { .r = r, .woken = 0 };

	init_waitqueue_func_entry(&w.wq, kt_wake);
	add_wait_queue(&r->wait, &w.wq);

	KUNIT_EXPECT_EQ(test, kt_put(r, 1, 0, 10), 0);
	KUNIT_EXPECT_EQ(test, w.woken, 1);
	/* Not consumed yet: the daemon will find the next one itself. */
	KUNIT_EXPECT_EQ(test, kt_put(r, 2, 0, 10), 0);
	KUNIT_EXPECT_EQ(test, w.woken, 1);
	/* It took one of two: still busy, no wake-up. */
	smp_store_release(r->req_cons, 1);
	KUNIT_EXPECT_EQ(test, kt_put(r, 3, 0, 10), 0);
	KUNIT_EXPECT_EQ(test, w.woken, 1);
	/* It took all three and may sleep: wake it. */
	smp_store_release(r->req_cons, 3);
	KUNIT_EXPECT_EQ(test, kt_put(r, 4, 0, 10), 0);
	KUNIT_EXPECT_EQ(test, w.woken, 2);
	/* It asked for every wake-up. */
	WRITE_ONCE(*r->req_flags, KCOAP_RING_F_NEED_WAKEUP);
	KUNIT_EXPECT_EQ(test, kt_put(r, 5, 0, 10), 0);
	KUNIT_EXPECT_EQ(test, w.woken, 3);
	kt_wait_remove(&w);
}

/* The indices are free-running: past 2^32 nothing changes. */
static void kcoap_ring_wrap(struct kunit *test)
{
	struct kcoap_ring *r = kt_ring(test, 4, 2, 256);
	u32 start = U32_MAX - 5;
	int i;

	r->req_next = start;
	*r->req_cons = start;
	for (i = 0; i < 12; i++) {
		KUNIT_ASSERT_EQ(test, kt_put(r, i + 1, i, 8), 0);
		KUNIT_EXPECT_EQ(test, r->req_desc[(start + i) & 3].id, i + 1);
		/* As the daemon: done with the entry. */
		smp_store_release(r->req_cons, start + i + 1);
	}
	KUNIT_EXPECT_EQ(test, *r->req_prod, start + 12);
	KUNIT_EXPECT_LT(test, *r->req_prod, 10);	/* it did wrap */
}

/* A consumer index the daemon could not have: nothing is written. */
static void kcoap_ring_bad_consumer(struct kunit *test)
{
	struct kcoap_ring *r = kt_ring(test, 4, 2, 256);
	static const u32 bad[] = { 3, 100, 0x80000000, U32_MAX - 2 };
	int i;

	KUNIT_ASSERT_EQ(test, kt_put(r, 1, 1, 8), 0);
	KUNIT_ASSERT_EQ(test, kt_put(r, 2, 2, 8), 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		*r->req_cons = bad[i];	/* ahead of us, or too far behind */
		KUNIT_EXPECT_EQ_MSG(test, kt_put(r, 3, 3, 8), -EPROTO,
				    "consumer %u", bad[i]);
		KUNIT_EXPECT_EQ(test, *r->req_prod, 2);
	}
	*r->req_cons = 1;
	KUNIT_EXPECT_EQ(test, kt_put(r, 3, 3, 8), 0);
}

/* Write response @i as a daemon would, and publish it. */
static void kt_rsp(struct kcoap_ring *r, u32 i, const struct kcoap_rsp_desc *d,
		   const u8 *bytes)
{
	r->rsp_desc[i & (r->info.rsp_entries - 1)] = *d;
	if (bytes)
		memcpy(r->rsp_data + d->data_off, bytes, d->data_len);
	/* The entry before the index that publishes it. */
	smp_store_release(r->rsp_prod, i + 1);
}

static int kt_get(struct kcoap_ring *r, struct kcoap_rsp_desc *d, u8 *buf,
		  u32 cap)
{
	int ret;

	mutex_lock(&r->rsp_lock);
	ret = kcoap_ring_get(r, d, buf, cap);
	kcoap_ring_rsp_done(r);
	mutex_unlock(&r->rsp_lock);
	return ret;
}

static void kcoap_ring_responses(struct kunit *test)
{
	struct kcoap_ring *r = kt_ring(test, 4, 16, 256);
	u32 area = 16 * 256;
	const struct kcoap_rsp_desc good = {
		.id = 7, .data_off = 256, .data_len = 5, .code = COAP_CODE(2, 4),
	};
	struct kcoap_rsp_desc bad[] = {
		good, good, good, good, good, good, good, good, good, good,
	};
	static const u8 abcd[] = { 0xff, 'a', 'b', 'c', 'd' };
	static const u8 efgh[] = { 0xff, 'e', 'f', 'g', 'h' };
	struct kcoap_rsp_desc d;
	u8 buf[512];
	u32 i;

	KUNIT_EXPECT_EQ(test, kt_get(r, &d, buf, sizeof(buf)), 0);
	kt_rsp(r, 0, &good, abcd);
	KUNIT_EXPECT_EQ(test, kt_get(r, &d, buf, sizeof(buf)), 1);
	KUNIT_EXPECT_EQ(test, d.id, 7);
	KUNIT_EXPECT_EQ(test, d.code, COAP_CODE(2, 4));
	KUNIT_EXPECT_MEMEQ(test, buf, abcd, 5);
	KUNIT_EXPECT_EQ(test, *r->rsp_cons, 1);	/* published */
	KUNIT_EXPECT_EQ(test, kt_get(r, &d, buf, sizeof(buf)), 0);

	/* Each field out of range, one at a time. */
	bad[0].id = 0;
	bad[1].flags = KCOAP_RSP_F_UPDATE;		/* an update has no ID */
	bad[2].reserved = 1;
	bad[3].reserved2 = 1;
	bad[4].code = COAP_CODE_GET;			/* a request code */
	bad[5].code = COAP_CODE(6, 0);
	bad[6].data_off = area - 4;			/* runs past the end */
	bad[7].data_off = U32_MAX;			/* would wrap in 32 bits */
	bad[8].data_len = 257;				/* more than a slot */
	bad[9].data_len = 200;				/* more than the caller has */
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		kt_rsp(r, i + 1, &bad[i], NULL);
		KUNIT_EXPECT_EQ_MSG(test, kt_get(r, &d, buf, i == 9 ? 100 : sizeof(buf)),
				    -EINVAL, "bad response %u", i);
	}
	/* Consumed all the same: the next good one is taken. */
	KUNIT_EXPECT_EQ(test, *r->rsp_cons, 11);
	kt_rsp(r, 11, &good, efgh);
	KUNIT_EXPECT_EQ(test, kt_get(r, &d, buf, sizeof(buf)), 1);
	KUNIT_EXPECT_MEMEQ(test, buf, efgh, 5);
	/* An update: no ID and no code, or it is refused. */
	d = good;
	d.id = 0;
	d.code = 0;
	d.flags = KCOAP_RSP_F_UPDATE;
	kt_rsp(r, 12, &d, abcd);
	KUNIT_EXPECT_EQ(test, kt_get(r, &d, buf, sizeof(buf)), 1);
	KUNIT_EXPECT_EQ(test, d.flags, KCOAP_RSP_F_UPDATE);
	d.code = COAP_CODE(2, 5);
	kt_rsp(r, 13, &d, abcd);
	KUNIT_EXPECT_EQ(test, kt_get(r, &d, buf, sizeof(buf)), -EINVAL);
	/* CON goes with an update only, SERVE with an answer only. */
	d.code = 0;
	d.flags = KCOAP_RSP_F_UPDATE | KCOAP_RSP_F_CON;
	kt_rsp(r, 14, &d, abcd);
	KUNIT_EXPECT_EQ(test, kt_get(r, &d, buf, sizeof(buf)), 1);
	d.flags = KCOAP_RSP_F_UPDATE | KCOAP_RSP_F_SERVE;
	kt_rsp(r, 15, &d, abcd);
	KUNIT_EXPECT_EQ(test, kt_get(r, &d, buf, sizeof(buf)), -EINVAL);
	d = good;
	d.flags = KCOAP_RSP_F_SERVE;
	kt_rsp(r, 16, &d, abcd);
	KUNIT_EXPECT_EQ(test, kt_get(r, &d, buf, sizeof(buf)), 1);
	d.flags = KCOAP_RSP_F_CON;
	kt_rsp(r, 17, &d, abcd);
	KUNIT_EXPECT_EQ(test, kt_get(r, &d, buf, sizeof(buf)), -EINVAL);
}

/* KCOAP_RSP_F_DTLS: a datagram for a 32-bit handshake id, no code. */
static void kcoap_ring_dtls_responses(struct kunit *test)
{
	struct kcoap_ring *r = kt_ring(test, 4, 16, 256);
	const struct kcoap_rsp_desc good = {
		.id = 9, .data_off = 0, .data_len = 5, .flags = KCOAP_RSP_F_DTLS,
	};
	struct kcoap_rsp_desc bad[] = { good, good, good, good, good, good };
	static const u8 rec[] = { 22, 0xfe, 0xfd, 0, 0 };
	struct kcoap_rsp_desc d;
	u8 buf[256];
	u32 i;

	kt_rsp(r, 0, &good, rec);
	KUNIT_EXPECT_EQ(test, kt_get(r, &d, buf, sizeof(buf)), 1);
	KUNIT_EXPECT_EQ(test, d.id, 9);
	KUNIT_EXPECT_EQ(test, d.flags, KCOAP_RSP_F_DTLS);
	KUNIT_EXPECT_MEMEQ(test, buf, rec, sizeof(rec));
	bad[0].id = 0;
	bad[1].id = (u64)U32_MAX + 1;		/* handshake ids are 32-bit */
	bad[2].code = COAP_CODE(2, 5);		/* not an answer */
	bad[3].flags |= KCOAP_RSP_F_SERVE;
	bad[4].flags |= KCOAP_RSP_F_UPDATE;
	bad[5].data_len = 0;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		kt_rsp(r, i + 1, &bad[i], NULL);
		KUNIT_EXPECT_EQ_MSG(test, kt_get(r, &d, buf, sizeof(buf)), -EINVAL,
				    "bad DTLS response %u", i);
	}
}

static void kcoap_ring_bad_producer(struct kunit *test)
{
	struct kcoap_ring *r = kt_ring(test, 4, 4, 256);
	static const u32 bad[] = { 5, 1000, U32_MAX };
	struct kcoap_rsp_desc d;
	u8 buf[256];
	int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		*r->rsp_prod = bad[i];	/* more than the ring holds, or behind */
		KUNIT_EXPECT_EQ_MSG(test, kt_get(r, &d, buf, sizeof(buf)), -EPROTO,
				    "producer %u", bad[i]);
		KUNIT_EXPECT_EQ(test, *r->rsp_cons, 0);
	}
}

/* Random bytes in every descriptor, data slot and index: no crash, no hang. */
static void kcoap_ring_garbage(struct kunit *test)
{
	struct kcoap_ring *r = kt_ring(test, 8, 8, 256);
	u8 *buf = kunit_kmalloc(test, 256, GFP_KERNEL);
	struct kcoap_rsp_desc d;
	int round, n, ret, taken = 0;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (round = 0; round < 200; round++) {
		get_random_bytes(r->rsp_desc, 8 * sizeof(*r->rsp_desc));
		get_random_bytes(r->rsp_data, 8 * 256);
		/* Every other round, only the offsets and lengths are wild. */
		for (n = 0; n < 8 && round % 4 < 2; n++) {
			r->rsp_desc[n].flags = 0;
			r->rsp_desc[n].reserved = 0;
			r->rsp_desc[n].reserved2 = 0;
			r->rsp_desc[n].code = COAP_CODE(2, 5);
			r->rsp_desc[n].data_off %= 8 * 256 + 64;
			r->rsp_desc[n].data_len %= 300;
		}
		/* Half the time a sane producer, so the entries are read. */
		*r->rsp_prod = round % 2 ? get_random_u32() :
			       r->rsp_next + get_random_u32_below(9);
		get_random_bytes(r->req_cons, sizeof(u32));
		ret = kt_put(r, 1, 0, 8);
		KUNIT_EXPECT_TRUE(test, ret == 0 || ret == -ENOSPC || ret == -EPROTO);
		for (n = 0; n <= 8; n++) {
			ret = kt_get(r, &d, buf, 256);
			if (ret <= 0 && ret != -EINVAL)
				break;
			if (ret == 1) {
				taken++;
				KUNIT_EXPECT_LE(test, (u64)d.data_off + d.data_len,
						8 * 256);
			}
		}
		KUNIT_EXPECT_LE(test, n, 8);	/* never more than the ring holds */
	}
	/* Some got through the checks, and only within the area. */
	KUNIT_EXPECT_GT(test, taken, 0);
}

static struct kunit_case kcoap_ring_cases[] = {
	KUNIT_CASE(kcoap_ring_sizes),
	KUNIT_CASE(kcoap_ring_layout_checks),
	KUNIT_CASE(kcoap_ring_requests),
	KUNIT_CASE(kcoap_ring_wrap),
	KUNIT_CASE(kcoap_ring_wakeups),
	KUNIT_CASE(kcoap_ring_bad_consumer),
	KUNIT_CASE(kcoap_ring_responses),
	KUNIT_CASE(kcoap_ring_dtls_responses),
	KUNIT_CASE(kcoap_ring_bad_producer),
	KUNIT_CASE(kcoap_ring_garbage),
	{}
};

static struct kunit_suite kcoap_ring_suite = {
	.name = "kcoap_ring",
	.test_cases = kcoap_ring_cases,
};

kunit_test_suite(kcoap_ring_suite);
