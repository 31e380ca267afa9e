// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * KUnit suite "kcoap_exchange", included by exchange.c: requests handed
 * to a daemon whose side of the rings the test plays, with kcoap_send()
 * stubbed so every message is parsed back. Timers are run by hand.
 */
#include <kunit/static_stub.h>
#include <kunit/test.h>

#include "kunit_net.h"

#define KT_X_SENT 16

struct kt_xsent {
	u8 type, code, tkl;
	u16 mid;
	u8 token[COAP_MAX_TOKEN];
	s64 max_age;
	u16 len;
	u8 bytes[64];
};

struct kt_x {
	struct kcoap_net *kn;
	struct kcoap_daemon *d;
	struct kt_xsent sent[KT_X_SENT];
	int nsent;
	struct coap_msg m;
	u8 req[64];
	struct kcoap_peer peer;
};

static int kt_x_send(struct kcoap_net *kn, const struct kcoap_peer *p,
		     const void *buf, size_t len)
{
	struct kunit *test = kunit_get_current_test();
	struct kt_x *c = test->priv;
	struct kt_xsent *s;
	u32 v;

	if (c->nsent == KT_X_SENT || coap_parse(&c->m, buf, len)) {
		KUNIT_FAIL(test, "too many messages, or one that does not parse");
		return 0;
	}
	s = &c->sent[c->nsent++];
	s->type = c->m.type;
	s->code = c->m.code;
	s->mid = c->m.mid;
	s->tkl = c->m.tkl;
	memcpy(s->token, coap_token(&c->m), c->m.tkl);
	s->max_age = coap_opt_uint(&c->m, COAP_OPT_MAX_AGE, &v) ? -1 : (s64)v;
	s->len = min_t(size_t, len, sizeof(s->bytes));
	memcpy(s->bytes, buf, s->len);
	return 0;
}

static void kt_x_detach(void *p)
{
	struct kcoap_daemon *d = p;

	mutex_lock(&d->lock);
	kcoap_exchange_fail_all(d);
	mutex_unlock(&d->lock);
	rcu_barrier();
	kcoap_exchange_destroy(d);
	kcoap_ring_free(d->ring);
	kfree(d->buf);
	kfree(d->out);
	kfree(d->msg);
	kfree(d);
}

static int kt_x_init(struct kunit *test)
{
	struct kcoap_ring_size size = { 8, 8, 256 };
	struct kt_x *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	struct kcoap_daemon *d;

	KUNIT_ASSERT_NOT_NULL(test, c);
	test->priv = c;
	c->kn = kt_net_new(test);
	c->kn->cfg.piggyback_window = 200;
	c->kn->cfg.daemon_timeout = 30000;
	c->kn->cfg.ack_timeout = 60000;	/* no timer fires by itself */
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, d);
	d->size = size;
	d->ring = kcoap_ring_alloc(&size);
	d->buf = kmalloc(KCOAP_REPLY_MAX, GFP_KERNEL);	/* as daemon.c */
	d->out = kmalloc(KCOAP_REPLY_MAX, GFP_KERNEL);
	d->msg = kmalloc(sizeof(*d->msg), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, d->ring && d->buf && d->out && d->msg);
	KUNIT_ASSERT_EQ(test, kcoap_exchange_init(d), 0);
	mutex_init(&d->lock);
	d->max_inflight = 4;
	d->kn = c->kn;
	refcount_set(&d->ref, 1);
	c->d = d;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kt_x_detach, d), 0);
	rcu_assign_pointer(c->kn->daemon, d);
	c->peer.family = AF_INET;
	c->peer.addr.v4 = htonl(0xc0000202);
	c->peer.port = htons(40000);
	kunit_activate_static_stub(test, kcoap_send, kt_x_send);
	return 0;
}

/*
 * A request of @type, @code (with Observe=0 if @observe) with MID @mid and
 * token 0x7e for /store, handed up as receive.c does.
 */
static u8 kt_x_request_code(struct kunit *test, u8 type, u16 mid, u8 method,
			    bool observe)
{
	struct kt_x *c = test->priv;
	static const u8 tok = 0x7e;
	struct kcoap_dedup_key key;
	struct coap_builder b;
	u8 code;
	int n;

	coap_build_init(&b, c->req, sizeof(c->req), type, method, mid, &tok, 1);
	if (observe)
		coap_build_opt_uint(&b, COAP_OPT_OBSERVE, 0);
	coap_build_opt(&b, COAP_OPT_URI_PATH, "store", 5);
	n = coap_build_end(&b);
	KUNIT_ASSERT_GT(test, n, 0);
	KUNIT_ASSERT_EQ(test, coap_parse(&c->m, c->req, n), 0);
	kcoap_peer_key(&key, &c->peer, mid);
	local_bh_disable();
	rcu_read_lock();
	code = kcoap_exchange_start(c->kn, &c->peer, &c->m, &key);
	rcu_read_unlock();
	local_bh_enable();
	return code;
}

static u8 kt_x_request(struct kunit *test, u8 type, u16 mid)
{
	return kt_x_request_code(test, type, mid, COAP_CODE_PUT, false);
}

/* The daemon's side: the ID of the newest request on the ring. */
static u64 kt_x_taken(struct kunit *test)
{
	struct kt_x *c = test->priv;
	struct kcoap_ring *r = c->d->ring;
	u32 prod = *r->req_prod;

	KUNIT_ASSERT_NE(test, prod, *r->req_cons);
	/* As the daemon: done with everything up to here. */
	smp_store_release(r->req_cons, prod);
	return r->req_desc[(prod - 1) & (r->info.req_entries - 1)].id;
}

/* The daemon answers @id with @code, @flags and @len bytes, and kicks. */
static void kt_x_answer_flags(struct kunit *test, u64 id, u8 code, u8 flags,
			      const u8 *bytes, u32 len)
{
	struct kt_x *c = test->priv;
	struct kcoap_ring *r = c->d->ring;
	u32 i = *r->rsp_prod;
	struct kcoap_rsp_desc *d = &r->rsp_desc[i & (r->info.rsp_entries - 1)];

	memset(d, 0, sizeof(*d));
	d->id = id;
	d->code = code;
	d->flags = flags;
	d->data_off = (i & (r->info.rsp_entries - 1)) * r->info.slot_size;
	d->data_len = len;
	if (len)
		memcpy(r->rsp_data + d->data_off, bytes, len);
	/* The entry before the index that publishes it. */
	smp_store_release(r->rsp_prod, i + 1);
	mutex_lock(&c->d->lock);
	kcoap_exchange_responses(c->d);
	mutex_unlock(&c->d->lock);
}

static void kt_x_answer(struct kunit *test, u64 id, u8 code, const u8 *bytes, u32 len)
{
	kt_x_answer_flags(test, id, code, 0, bytes, len);
}

/* Run exchange @id's timer now, as if it had expired. */
static bool kt_x_fire(struct kunit *test, u64 id)
{
	struct kt_x *c = test->priv;
	struct kcoap_exchange *x;
	bool armed = false;

	rcu_read_lock();
	x = xa_load(&c->d->xa, id);
	if (x && refcount_inc_not_zero(&x->ref))
		armed = true;
	rcu_read_unlock();
	if (!armed)
		return false;
	if (timer_delete(&x->timer)) {
		local_bh_disable();
		kcoap_x_timer(&x->timer);	/* drops the timer's reference */
		local_bh_enable();
	} else {
		armed = false;
	}
	kcoap_x_put(x);
	return armed;
}

/* How many jiffies from now exchange @id's timer is due; -1: not armed. */
static long kt_x_due(struct kunit *test, u64 id)
{
	struct kt_x *c = test->priv;
	struct kcoap_exchange *x;
	long due = -1;

	rcu_read_lock();
	x = xa_load(&c->d->xa, id);
	if (x && timer_pending(&x->timer))
		due = (long)(READ_ONCE(x->timer.expires) - jiffies);
	rcu_read_unlock();
	return due;
}

static bool kt_x_ack(struct kunit *test, u16 mid)
{
	struct kt_x *c = test->priv;
	bool found;

	local_bh_disable();
	rcu_read_lock();
	found = kcoap_exchange_ack(c->kn, &c->peer, mid, false);
	rcu_read_unlock();
	local_bh_enable();
	return found;
}

/* The dedupe cache's reply for request @mid: the ACK a duplicate gets. */
static int kt_x_dedup(struct kunit *test, u16 mid, u8 *type)
{
	struct kt_x *c = test->priv;
	const struct kcoap_dedup_entry *e;
	struct kcoap_dedup_key key;
	int len = -1;

	kcoap_peer_key(&key, &c->peer, mid);
	rcu_read_lock();
	e = kcoap_dedup_lookup(&c->kn->dedup, &key, jiffies);
	if (e) {
		len = e->reply_len;
		*type = e->type;
		if (len >= COAP_HDR_LEN)
			KUNIT_EXPECT_EQ(test, e->reply[0] >> 4 & 3, COAP_TYPE_ACK);
	}
	rcu_read_unlock();
	return len;
}

static void kcoap_x_piggybacked(struct kunit *test)
{
	struct kt_x *c = test->priv;
	static const u8 rest[] = { 0xff, 'o', 'k' };
	u8 type = 0;
	u64 id;

	KUNIT_ASSERT_EQ(test, kt_x_request(test, COAP_TYPE_CON, 0x1001), 0);
	KUNIT_EXPECT_EQ(test, c->nsent, 0);	/* nothing until the answer */
	KUNIT_EXPECT_EQ(test, kt_x_dedup(test, 0x1001, &type), 0);
	KUNIT_EXPECT_EQ(test, type, COAP_TYPE_CON | KCOAP_DEDUP_PENDING);
	id = kt_x_taken(test);
	kt_x_answer(test, id, COAP_CODE_CHANGED, rest, sizeof(rest));
	KUNIT_ASSERT_EQ(test, c->nsent, 1);
	KUNIT_EXPECT_EQ(test, c->sent[0].type, COAP_TYPE_ACK);
	KUNIT_EXPECT_EQ(test, c->sent[0].mid, 0x1001);
	KUNIT_EXPECT_EQ(test, c->sent[0].code, COAP_CODE_CHANGED);
	KUNIT_EXPECT_EQ(test, c->sent[0].token[0], 0x7e);
	/* Duplicates get the very same bytes from now on. */
	KUNIT_EXPECT_EQ(test, kt_x_dedup(test, 0x1001, &type), c->sent[0].len);
	KUNIT_EXPECT_EQ(test, type, COAP_TYPE_CON);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->d->inflight), 0);
	/* A second answer for it is dropped. */
	kt_x_answer(test, id, COAP_CODE_CHANGED, rest, sizeof(rest));
	KUNIT_EXPECT_EQ(test, c->nsent, 1);
}

static void kcoap_x_separate(struct kunit *test)
{
	struct kt_x *c = test->priv;
	static const u8 rest[] = { 0xff, 'l', 'a', 't', 'e' };
	u64 id;
	int i;

	KUNIT_ASSERT_EQ(test, kt_x_request(test, COAP_TYPE_CON, 0x2002), 0);
	id = kt_x_taken(test);
	/*
	 * Due at the end of the piggyback window (200 ms), not in the past:
	 * deadlines once came from 32-bit jiffies, and every exchange timed
	 * out at once from five minutes after boot.
	 */
	KUNIT_EXPECT_GT(test, kt_x_due(test, id), 0);
	KUNIT_EXPECT_LE(test, kt_x_due(test, id), msecs_to_jiffies(200));
	/* The piggyback window passes: an empty ACK (§5.2.2). */
	KUNIT_ASSERT_TRUE(test, kt_x_fire(test, id));
	KUNIT_ASSERT_EQ(test, c->nsent, 1);
	/* Then daemon-timeout (30 s) from the request on. */
	KUNIT_EXPECT_GT(test, kt_x_due(test, id), msecs_to_jiffies(20000));
	KUNIT_EXPECT_LE(test, kt_x_due(test, id), msecs_to_jiffies(30000));
	KUNIT_EXPECT_EQ(test, c->sent[0].type, COAP_TYPE_ACK);
	KUNIT_EXPECT_EQ(test, c->sent[0].code, 0);
	KUNIT_EXPECT_EQ(test, c->sent[0].mid, 0x2002);
	kt_x_answer(test, id, COAP_CODE_CONTENT, rest, sizeof(rest));
	KUNIT_ASSERT_EQ(test, c->nsent, 2);
	KUNIT_EXPECT_EQ(test, c->sent[1].type, COAP_TYPE_CON);
	KUNIT_EXPECT_NE(test, c->sent[1].mid, 0x2002);
	KUNIT_EXPECT_EQ(test, c->sent[1].token[0], 0x7e);
	/* Unacknowledged: the same message again, then given up. */
	for (i = 0; i < 4; i++) {
		KUNIT_ASSERT_TRUE(test, kt_x_fire(test, id));
		KUNIT_ASSERT_EQ(test, c->nsent, 3 + i);
		KUNIT_EXPECT_MEMEQ(test, c->sent[2 + i].bytes, c->sent[1].bytes,
				   c->sent[1].len);
	}
	KUNIT_ASSERT_TRUE(test, kt_x_fire(test, id));
	KUNIT_EXPECT_EQ(test, c->nsent, 6);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->d->inflight), 0);

	/* Acknowledged, it ends at once. */
	KUNIT_ASSERT_EQ(test, kt_x_request(test, COAP_TYPE_CON, 0x2003), 0);
	id = kt_x_taken(test);
	KUNIT_ASSERT_TRUE(test, kt_x_fire(test, id));
	kt_x_answer(test, id, COAP_CODE_CONTENT, rest, sizeof(rest));
	KUNIT_ASSERT_EQ(test, c->nsent, 8);
	KUNIT_EXPECT_FALSE(test, kt_x_ack(test, c->sent[7].mid + 1));
	KUNIT_EXPECT_TRUE(test, kt_x_ack(test, c->sent[7].mid));
	KUNIT_EXPECT_FALSE(test, kt_x_fire(test, id));
	KUNIT_EXPECT_EQ(test, atomic_read(&c->d->inflight), 0);
}

static void kcoap_x_duplicate_waiting(struct kunit *test)
{
	struct kt_x *c = test->priv;
	bool acked;
	u64 id;

	KUNIT_ASSERT_EQ(test, kt_x_request(test, COAP_TYPE_CON, 0x3003), 0);
	id = kt_x_taken(test);
	local_bh_disable();
	rcu_read_lock();
	acked = kcoap_exchange_acked(c->kn, &c->peer, 0x3003);
	rcu_read_unlock();
	local_bh_enable();
	KUNIT_EXPECT_TRUE(test, acked);
	KUNIT_ASSERT_EQ(test, c->nsent, 1);
	KUNIT_EXPECT_EQ(test, c->sent[0].type, COAP_TYPE_ACK);
	/* The client has an empty ACK for that MID: the answer is separate. */
	kt_x_answer(test, id, COAP_CODE_CHANGED, NULL, 0);
	KUNIT_ASSERT_EQ(test, c->nsent, 2);
	KUNIT_EXPECT_EQ(test, c->sent[1].type, COAP_TYPE_CON);
}

static void kcoap_x_timeout_and_bad(struct kunit *test)
{
	struct kt_x *c = test->priv;
	static const u8 junk[] = { 0x0f, 0x01 };	/* a reserved option nibble */
	u64 id;

	/* No answer at all: 5.03 with Max-Age when daemon-timeout passes. */
	KUNIT_ASSERT_EQ(test, kt_x_request(test, COAP_TYPE_NON, 0x4004), 0);
	id = kt_x_taken(test);
	KUNIT_ASSERT_TRUE(test, kt_x_fire(test, id));
	KUNIT_ASSERT_EQ(test, c->nsent, 1);
	KUNIT_EXPECT_EQ(test, c->sent[0].type, COAP_TYPE_NON);
	KUNIT_EXPECT_EQ(test, c->sent[0].code, COAP_CODE_SERVICE_UNAVAILABLE);
	KUNIT_EXPECT_EQ(test, c->sent[0].max_age, c->kn->cfg.unavailable_max_age);
	/* Too late now: dropped. */
	kt_x_answer(test, id, COAP_CODE_CHANGED, NULL, 0);
	KUNIT_EXPECT_EQ(test, c->nsent, 1);

	/* An answer that does not parse: 5.00, counted. */
	KUNIT_ASSERT_EQ(test, kt_x_request(test, COAP_TYPE_CON, 0x4005), 0);
	id = kt_x_taken(test);
	kt_x_answer(test, id, COAP_CODE_CONTENT, junk, sizeof(junk));
	KUNIT_ASSERT_EQ(test, c->nsent, 2);
	KUNIT_EXPECT_EQ(test, c->sent[1].code, COAP_CODE_INTERNAL_ERROR);
	KUNIT_EXPECT_EQ(test, c->sent[1].type, COAP_TYPE_ACK);
	/* A bad descriptor for a known ID: 5.00 too. */
	KUNIT_ASSERT_EQ(test, kt_x_request(test, COAP_TYPE_CON, 0x4006), 0);
	id = kt_x_taken(test);
	kt_x_answer(test, id, COAP_CODE_GET, NULL, 0);
	KUNIT_ASSERT_EQ(test, c->nsent, 3);
	KUNIT_EXPECT_EQ(test, c->sent[2].code, COAP_CODE_INTERNAL_ERROR);
}

/*
 * KCOAP_RSP_F_SERVE: the daemon put the resource in the table; the kernel
 * answers the GET from there, and an Observe GET makes an observer.
 */
static void kcoap_x_serve_from_table(struct kunit *test)
{
	static const struct kt_res r = {
		.path = "/store", .max_age = 60, .obs = true, .nrepr = 1,
		.repr = { { COAP_CF_TEXT_PLAIN, "v1", 2 } },
	};
	struct kt_x *c = test->priv;
	u64 id;

	KUNIT_ASSERT_EQ(test, kt_x_request_code(test, COAP_TYPE_CON, 0x3001,
						COAP_CODE_GET, true), 0);
	id = kt_x_taken(test);
	kt_res_add(test, c->kn, &r);
	kt_x_answer_flags(test, id, COAP_CODE_NOT_FOUND, KCOAP_RSP_F_SERVE, NULL, 0);
	KUNIT_ASSERT_EQ(test, c->nsent, 1);
	KUNIT_EXPECT_EQ(test, c->sent[0].type, COAP_TYPE_ACK);
	KUNIT_EXPECT_EQ(test, c->sent[0].mid, 0x3001);
	KUNIT_EXPECT_EQ(test, c->sent[0].code, COAP_CODE_CONTENT);
	KUNIT_EXPECT_EQ(test, c->sent[0].token[0], 0x7e);
	KUNIT_EXPECT_EQ(test, c->sent[0].max_age, 60);
	KUNIT_EXPECT_EQ(test, c->kn->obs.count, 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->d->inflight), 0);

	/* Not a GET: nothing to serve, the daemon's fallback code alone. */
	KUNIT_ASSERT_EQ(test, kt_x_request(test, COAP_TYPE_CON, 0x3002), 0);
	id = kt_x_taken(test);
	kt_x_answer_flags(test, id, COAP_CODE_NOT_FOUND, KCOAP_RSP_F_SERVE, NULL, 0);
	KUNIT_ASSERT_EQ(test, c->nsent, 2);
	KUNIT_EXPECT_EQ(test, c->sent[1].code, COAP_CODE_NOT_FOUND);
	KUNIT_EXPECT_EQ(test, c->sent[1].max_age, -1);
	KUNIT_EXPECT_EQ(test, c->kn->obs.count, 1);
}

static void kcoap_x_limits_and_detach(struct kunit *test)
{
	struct kt_x *c = test->priv;
	int i;

	/* max_inflight 4: the fifth is refused at once. */
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, kt_x_request(test, COAP_TYPE_CON, 0x5000 + i), 0);
	KUNIT_EXPECT_EQ(test, kt_x_request(test, COAP_TYPE_CON, 0x5004),
			COAP_CODE_SERVICE_UNAVAILABLE);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->d->inflight), 4);
	/* The daemon goes: each waiting request gets 5.03. */
	mutex_lock(&c->d->lock);
	kcoap_exchange_fail_all(c->d);
	mutex_unlock(&c->d->lock);
	KUNIT_EXPECT_EQ(test, c->nsent, 4);
	for (i = 0; i < c->nsent; i++) {
		KUNIT_EXPECT_EQ(test, c->sent[i].code, COAP_CODE_SERVICE_UNAVAILABLE);
		KUNIT_EXPECT_EQ(test, c->sent[i].type, COAP_TYPE_ACK);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&c->d->inflight), 0);
}

/*
 * Towards an unverified peer, the request's 3x credit covers the empty
 * ACK, the answer and its retransmissions (RFC 9175 §2.4); an answer over
 * it becomes 4.01 with Echo; a verified peer gets it all.
 */
static void kcoap_x_amplification(struct kunit *test)
{
	struct kt_x *c = test->priv;
	static const u8 late[] = { 0xff, 'l', 'a', 't', 'e' };
	u8 big[41];
	u64 id;
	int i;

	big[0] = 0xff;
	memset(big + 1, 'x', sizeof(big) - 1);
	c->kn->cfg.amp_factor = 3;
	c->kn->cfg.verify_max = 16;
	c->kn->cfg.verify_lifetime = 60;

	/* 11 bytes earn 33: 46 bytes of answer become 15 of 4.01 + Echo. */
	KUNIT_ASSERT_EQ(test, kt_x_request(test, COAP_TYPE_CON, 0x5001), 0);
	kt_x_answer(test, kt_x_taken(test), COAP_CODE_CHANGED, big, sizeof(big));
	KUNIT_ASSERT_EQ(test, c->nsent, 1);
	KUNIT_EXPECT_EQ(test, c->sent[0].type, COAP_TYPE_ACK);
	KUNIT_EXPECT_EQ(test, c->sent[0].mid, 0x5001);
	KUNIT_EXPECT_EQ(test, c->sent[0].code, COAP_CODE_UNAUTHORIZED);
	KUNIT_EXPECT_EQ(test, c->sent[0].len, 4 + 1 + KCOAP_ECHO_OPT_LEN);
	KUNIT_EXPECT_EQ(test, c->sent[0].bytes[5], 0xd8);

	/* Empty ACK (4) and a 10-byte separate CON: one retransmission fits. */
	KUNIT_ASSERT_EQ(test, kt_x_request(test, COAP_TYPE_CON, 0x5002), 0);
	id = kt_x_taken(test);
	KUNIT_ASSERT_TRUE(test, kt_x_fire(test, id));
	kt_x_answer(test, id, COAP_CODE_CONTENT, late, sizeof(late));
	KUNIT_ASSERT_EQ(test, c->nsent, 3);
	KUNIT_EXPECT_EQ(test, c->sent[2].type, COAP_TYPE_CON);
	for (i = 0; i < 5; i++)
		kt_x_fire(test, id);
	KUNIT_EXPECT_EQ(test, c->nsent, 4);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->d->inflight), 0);

	/* Verified (an ACK, an Echo): the whole answer. */
	local_bh_disable();
	kcoap_peer_verify(c->kn, &c->peer, KCOAP_STAT_ACK_VERIFIED);
	local_bh_enable();
	KUNIT_ASSERT_EQ(test, kt_x_request(test, COAP_TYPE_CON, 0x5003), 0);
	kt_x_answer(test, kt_x_taken(test), COAP_CODE_CHANGED, big, sizeof(big));
	KUNIT_ASSERT_EQ(test, c->nsent, 5);
	KUNIT_EXPECT_EQ(test, c->sent[4].code, COAP_CODE_CHANGED);
	KUNIT_EXPECT_EQ(test, c->sent[4].len, 4 + 1 + sizeof(big));
}

static struct kunit_case kcoap_x_cases[] = {
	KUNIT_CASE(kcoap_x_piggybacked),
	KUNIT_CASE(kcoap_x_separate),
	KUNIT_CASE(kcoap_x_duplicate_waiting),
	KUNIT_CASE(kcoap_x_timeout_and_bad),
	KUNIT_CASE(kcoap_x_serve_from_table),
	KUNIT_CASE(kcoap_x_limits_and_detach),
	KUNIT_CASE(kcoap_x_amplification),
	{}
};

static struct kunit_suite kcoap_x_suite = {
	.name = "kcoap_exchange",
	.init = kt_x_init,
	.test_cases = kcoap_x_cases,
};

kunit_test_suite(kcoap_x_suite);
