// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * KUnit suite "kcoap_observe", included by observe.c so that it can look
 * at an observer's timer and transmission state. Registrations go through
 * kcoap_serve() as a GET would; kcoap_send() is stubbed, so every
 * notification is parsed back and kept in the order it went out. The
 * retransmission timer is never left to the clock: a test deletes it and
 * runs its callback itself, which is the injected clock of these tests.
 */
#include <kunit/static_stub.h>
#include <kunit/test.h>

#include "kunit_net.h"

#define KT_SENT_MAX	32
#define KT_PAYLOAD_MAX	1100

struct kt_sent {
	u8 type, code, tkl;
	u16 mid;
	u8 token[COAP_MAX_TOKEN];
	s64 observe;			/* -1: none */
	s64 max_age;			/* -1: none */
	int szx;			/* Block2 SZX, -1: none */
	__be16 port;
	u16 payload_len;
	u8 payload[KT_PAYLOAD_MAX];
};

struct kt_obs {
	struct kcoap_net *kn;
	struct kcoap_resource *res;	/* "/temp" */
	struct kt_sent *sent;
	int nsent;
	struct coap_builder b;
	u8 buf[256];
	struct coap_msg *m;
	u8 reply[KCOAP_REPLY_MAX];
	struct kcoap_answer ans;
	struct kcoap_stats_sum sum;
};

/*
 * Parse what was sent into @s. EXPECT, not ASSERT: the stub runs with an
 * observer's lock held, which an aborted test thread would never release.
 */
static bool kt_keep(struct kunit *test, struct kt_sent *s, const u8 *buf,
		    size_t len)
{
	struct kt_obs *c = test->priv;
	struct coap_block blk;
	u32 v;

	if (coap_parse(c->m, buf, len)) {
		KUNIT_FAIL(test, "sent an unparsable message");
		return false;
	}
	s->type = c->m->type;
	s->code = c->m->code;
	s->mid = c->m->mid;
	s->tkl = c->m->tkl;
	memcpy(s->token, coap_token(c->m), c->m->tkl);
	s->observe = coap_opt_uint(c->m, COAP_OPT_OBSERVE, &v) ? -1 : (s64)v;
	s->max_age = coap_opt_uint(c->m, COAP_OPT_MAX_AGE, &v) ? -1 : (s64)v;
	s->szx = coap_block_get(c->m, COAP_OPT_BLOCK2, &blk) ? -1 : blk.szx;
	s->payload_len = min_t(u16, c->m->payload_len, KT_PAYLOAD_MAX);
	if (s->payload_len)
		memcpy(s->payload, c->m->payload, s->payload_len);
	return true;
}

/* In place of kcoap_send(): keep what would have gone out. */
static int kt_send_stub(struct kcoap_net *kn, const struct kcoap_peer *p,
			const void *buf, size_t len)
{
	struct kunit *test = kunit_get_current_test();
	struct kt_obs *c = test->priv;
	struct kt_sent *s;

	if (c->nsent == KT_SENT_MAX) {
		KUNIT_FAIL(test, "more than %d messages sent", KT_SENT_MAX);
		return 0;
	}
	s = &c->sent[c->nsent++];
	s->port = p->port;
	kt_keep(test, s, buf, len);
	kcoap_stat_inc(kn, KCOAP_STAT_TX_DATAGRAMS);
	return 0;
}

static u64 kt_stat(struct kunit *test, enum kcoap_stat id)
{
	struct kt_obs *c = test->priv;

	kcoap_stats_read(c->kn, &c->sum);
	return c->sum.cnt[id];
}

static const struct kt_res kt_temp = {
	.path = "/temp", .max_age = 30, .obs = true, .nrepr = 1,
	.repr = { { COAP_CF_TEXT_PLAIN, "21.5", 4 } },
};

static int kt_obs_init(struct kunit *test)
{
	struct kt_obs *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->sent = kunit_kcalloc(test, KT_SENT_MAX, sizeof(*c->sent), GFP_KERNEL);
	c->m = kunit_kzalloc(test, sizeof(*c->m), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c->sent);
	KUNIT_ASSERT_NOT_NULL(test, c->m);
	test->priv = c;
	c->kn = kt_net_new(test);
	/* No real timer fires during a test: each one runs them by hand. */
	c->kn->cfg.ack_timeout = 60000;
	kt_res_add(test, c->kn, &kt_temp);
	c->res = kcoap_res_lookup(&c->kn->res, "/temp", 5);
	KUNIT_ASSERT_NOT_NULL(test, c->res);
	kunit_activate_static_stub(test, kcoap_send, kt_send_stub);
	return 0;
}

/* Client @n: 192.0.2.@n, port 40000 + @n. */
static struct kcoap_peer kt_peer(int n)
{
	struct kcoap_peer p = {
		.family = AF_INET,
		.addr.v4 = htonl(0xc0000200 + n),
		.port = htons(40000 + n),
	};

	return p;
}

/*
 * GET @path from @peer with token @tok (one byte), Observe @obs, Block2 SZX
 * @szx and Accept @accept (-1: none), served as receive.c serves it.
 * Returns the Observe value of the answer, -1 if it has none.
 */
static s64 kt_get_accept(struct kunit *test, const char *path, int peer,
			 u8 tok, int obs, int szx, int accept)
{
	struct kt_obs *c = test->priv;
	struct kcoap_peer p = kt_peer(peer);
	struct kt_sent *a;
	int len;
	s64 ret;

	coap_build_init(&c->b, c->buf, sizeof(c->buf), COAP_TYPE_CON,
			COAP_CODE_GET, 0x100 + tok, &tok, 1);
	if (obs >= 0)
		coap_build_opt_uint(&c->b, COAP_OPT_OBSERVE, obs);
	coap_build_opt(&c->b, COAP_OPT_URI_PATH, path + 1, strlen(path + 1));
	if (accept >= 0)
		coap_build_opt_uint(&c->b, COAP_OPT_ACCEPT, accept);
	if (szx >= 0)
		coap_build_opt_uint(&c->b, COAP_OPT_BLOCK2, szx);
	len = coap_build_end(&c->b);
	KUNIT_ASSERT_GT(test, len, 0);
	KUNIT_ASSERT_EQ(test, coap_parse(c->m, c->buf, len), 0);
	local_bh_disable();
	rcu_read_lock();
	kcoap_serve(c->kn, c->m, &p, false, 0x7777, c->reply, &c->ans);
	rcu_read_unlock();
	local_bh_enable();
	KUNIT_ASSERT_GT(test, c->ans.len, 0);
	a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_TRUE(test, kt_keep(test, a, c->reply, c->ans.len));
	KUNIT_EXPECT_EQ(test, a->code, COAP_CODE_CONTENT);
	ret = a->observe;
	kunit_kfree(test, a);
	return ret;
}

static s64 kt_get(struct kunit *test, const char *path, int peer, u8 tok,
		  int obs, int szx)
{
	return kt_get_accept(test, path, peer, tok, obs, szx, -1);
}

/* `kcoapctl resource set /temp --value @value --ct @ct`, as netlink.c does. */
static void kt_set_ct(struct kunit *test, const char *value, u16 ct)
{
	struct kt_obs *c = test->priv;
	struct kt_res r = kt_temp;
	struct kcoap_res_state *st;

	r.repr[0].ct = ct;
	r.repr[0].data = value;
	r.repr[0].len = strlen(value);
	st = kt_res_state(test, c->kn, &r);
	mutex_lock(&c->kn->lock);
	kcoap_res_replace(c->kn, c->res, st);
	kcoap_obs_notify(c->kn, c->res);
	mutex_unlock(&c->kn->lock);
}

static void kt_set(struct kunit *test, const char *value)
{
	kt_set_ct(test, value, COAP_CF_TEXT_PLAIN);
}

/* A new value the daemon asks observers to confirm (KCOAP_RSP_F_CON). */
static void kt_set_con(struct kunit *test, const char *value)
{
	struct kt_obs *c = test->priv;
	struct kt_res r = kt_temp;
	struct kcoap_res_state *st;

	r.repr[0].data = value;
	r.repr[0].len = strlen(value);
	st = kt_res_state(test, c->kn, &r);
	st->con = true;
	mutex_lock(&c->kn->lock);
	kcoap_res_replace(c->kn, c->res, st);
	kcoap_obs_notify(c->kn, c->res);
	mutex_unlock(&c->kn->lock);
}

KUNIT_DEFINE_ACTION_WRAPPER(kt_obs_put, kcoap_obs_put, struct kcoap_observer *);

/* The first observer of /temp, with a reference until the test ends. */
static struct kcoap_observer *kt_first(struct kunit *test)
{
	struct kt_obs *c = test->priv;
	struct kcoap_observer *o = NULL;

	spin_lock_bh(&c->kn->obs.lock);
	if (!list_empty(&c->res->obs.list)) {
		o = list_first_entry(&c->res->obs.list, struct kcoap_observer, list);
		refcount_inc(&o->ref);
	}
	spin_unlock_bh(&c->kn->obs.lock);
	KUNIT_ASSERT_NOT_NULL(test, o);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kt_obs_put, o), 0);
	return o;
}

/* The timer's deadline has come: run it now. False if it was not armed. */
static bool kt_fire(struct kcoap_observer *o)
{
	if (!timer_delete(&o->timer))
		return false;
	/* The timer's reference passes to the callback, which drops it. */
	local_bh_disable();
	kcoap_obs_timer(&o->timer);
	local_bh_enable();
	return true;
}

static bool kt_ack(struct kunit *test, int peer, u16 mid, bool rst)
{
	struct kt_obs *c = test->priv;
	struct kcoap_peer p = kt_peer(peer);
	bool found;

	local_bh_disable();
	rcu_read_lock();
	found = rst ? kcoap_obs_rst(c->kn, &p, mid) : kcoap_obs_ack(c->kn, &p, mid);
	rcu_read_unlock();
	local_bh_enable();
	return found;
}

/* RFC 7641 §4.4: is Observe value @v2 fresher than @v1? */
static bool kt_fresher(u32 v1, u32 v2)
{
	return (v1 < v2 && v2 - v1 < (1 << 23)) ||
	       (v1 > v2 && v1 - v2 > (1 << 23));
}

static void kcoap_obs_seq_wrap(struct kunit *test)
{
	struct kt_obs *c = test->priv;
	static const u32 want[] = { 0xfffffd, 0xfffffe, 0xffffff, 0 };
	s64 prev;
	int i;

	KUNIT_EXPECT_EQ(test, kcoap_obs_value(0xffffff), 0xffffff);
	KUNIT_EXPECT_EQ(test, kcoap_obs_value(0x1000000), 0);
	KUNIT_EXPECT_EQ(test, kcoap_obs_value(0x1000005), 5);

	spin_lock_bh(&c->kn->obs.lock);
	c->res->obs.seq = 0xfffffc;
	spin_unlock_bh(&c->kn->obs.lock);
	prev = kt_get(test, "/temp", 1, 0xa1, 0, -1);
	KUNIT_ASSERT_EQ(test, prev, 0xfffffc);
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		kt_set(test, "22");
		KUNIT_ASSERT_EQ(test, c->nsent, i + 1);
		KUNIT_EXPECT_EQ(test, c->sent[i].observe, want[i]);
		KUNIT_EXPECT_TRUE_MSG(test, kt_fresher(prev, c->sent[i].observe),
				      "%lld after %lld", c->sent[i].observe, prev);
		prev = c->sent[i].observe;
	}
}

static void kcoap_obs_add_replace_remove(struct kunit *test)
{
	struct kt_obs *c = test->priv;
	const struct kt_res plain = {
		.path = "/plain", .max_age = 60, .nrepr = 1,
		.repr = { { COAP_CF_TEXT_PLAIN, "x", 1 } },
	};
	s64 first;

	/* §4.1: Observe 0 registers; the answer carries a sequence number. */
	first = kt_get(test, "/temp", 1, 0xa1, 0, -1);
	KUNIT_EXPECT_GE(test, first, 0);
	KUNIT_EXPECT_EQ(test, c->res->obs.count, 1);
	/* The same peer and token again: the entry is replaced, not added. */
	KUNIT_EXPECT_GT(test, kt_get(test, "/temp", 1, 0xa1, 0, -1), first);
	KUNIT_EXPECT_EQ(test, c->res->obs.count, 1);
	/* Another token of the same peer is another observation. */
	KUNIT_EXPECT_GE(test, kt_get(test, "/temp", 1, 0xb2, 0, -1), 0);
	KUNIT_EXPECT_EQ(test, c->res->obs.count, 2);
	KUNIT_EXPECT_EQ(test, c->kn->obs.count, 2);

	/* §3.6: Observe 1 deregisters, and is answered without Observe. */
	KUNIT_EXPECT_EQ(test, kt_get(test, "/temp", 1, 0xa1, 1, -1), -1);
	KUNIT_EXPECT_EQ(test, c->res->obs.count, 1);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_OBSERVE_CANCEL), 1);

	kt_set(test, "22");
	KUNIT_ASSERT_EQ(test, c->nsent, 1);
	KUNIT_EXPECT_EQ(test, c->sent[0].token[0], 0xb2);
	KUNIT_EXPECT_EQ(test, c->sent[0].type, COAP_TYPE_NON);
	KUNIT_EXPECT_EQ(test, c->sent[0].code, COAP_CODE_CONTENT);
	KUNIT_EXPECT_EQ(test, c->sent[0].max_age, 30);	/* bounds freshness */
	KUNIT_EXPECT_EQ(test, c->sent[0].payload_len, 2);
	KUNIT_EXPECT_MEMEQ(test, c->sent[0].payload, "22", 2);

	/* §3.6: a RST to a notification ends the observation too. */
	KUNIT_EXPECT_FALSE(test, kt_ack(test, 2, c->sent[0].mid, true));
	KUNIT_EXPECT_TRUE(test, kt_ack(test, 1, c->sent[0].mid, true));
	KUNIT_EXPECT_EQ(test, c->res->obs.count, 0);
	KUNIT_EXPECT_EQ(test, c->kn->obs.count, 0);
	kt_set(test, "23");
	KUNIT_EXPECT_EQ(test, c->nsent, 1);

	/* Not observable: served, but without Observe and nobody added. */
	kt_res_add(test, c->kn, &plain);
	KUNIT_EXPECT_EQ(test, kt_get(test, "/plain", 1, 0xc3, 0, -1), -1);
	KUNIT_EXPECT_EQ(test, c->kn->obs.count, 0);

	/* At the limit: served without Observe, and counted. */
	c->kn->cfg.obs_max_per_res = 1;
	KUNIT_EXPECT_GE(test, kt_get(test, "/temp", 1, 0xa1, 0, -1), 0);
	KUNIT_EXPECT_EQ(test, kt_get(test, "/temp", 2, 0xa1, 0, -1), -1);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_OBSERVE_REFUSED), 1);
	KUNIT_EXPECT_EQ(test, c->res->obs.count, 1);
}

/* A state marked CON goes out as CON whatever observe-con-every says. */
static void kcoap_obs_con_state(struct kunit *test)
{
	struct kt_obs *c = test->priv;

	c->kn->cfg.observe_con_every = 0;
	KUNIT_EXPECT_GE(test, kt_get(test, "/temp", 1, 0xa1, 0, -1), 0);
	kt_set(test, "1");
	kt_set_con(test, "2");
	KUNIT_ASSERT_EQ(test, c->nsent, 2);
	KUNIT_EXPECT_EQ(test, c->sent[0].type, COAP_TYPE_NON);
	KUNIT_EXPECT_EQ(test, c->sent[1].type, COAP_TYPE_CON);
	KUNIT_EXPECT_MEMEQ(test, c->sent[1].payload, "2", 1);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_TX_NOTIFY_CON), 1);
	/* Acknowledged, the next plain state is NON again. */
	KUNIT_EXPECT_TRUE(test, kt_ack(test, 1, c->sent[1].mid, false));
	kt_set(test, "3");
	KUNIT_ASSERT_EQ(test, c->nsent, 3);
	KUNIT_EXPECT_EQ(test, c->sent[2].type, COAP_TYPE_NON);
}

/*
 * The backoff alone, with injected dice and a clock in milliseconds:
 * RFC 7252 §4.8.2 derives MAX_TRANSMIT_SPAN (45 s) and MAX_TRANSMIT_WAIT
 * (93 s) from the defaults at the largest random factor.
 */
static void kcoap_obs_backoff(struct kunit *test)
{
	static const u32 at_least[] = { 2000, 6000, 14000, 30000 };
	struct kcoap_retx r;
	u32 now = 0, sent[5];
	int n = 0;

	kcoap_retx_start(&r, 2000, 0);
	KUNIT_EXPECT_EQ(test, r.timeout, 2000);
	for (;;) {
		now += r.timeout;
		if (!kcoap_retx_next(&r, 4))
			break;
		KUNIT_ASSERT_LT(test, n, 4);
		sent[n++] = now;
	}
	KUNIT_EXPECT_EQ(test, n, 4);
	KUNIT_EXPECT_MEMEQ(test, sent, at_least, sizeof(at_least));
	KUNIT_EXPECT_EQ(test, now, 62000);	/* given up */

	kcoap_retx_start(&r, 2000, U32_MAX);
	KUNIT_EXPECT_EQ(test, r.timeout, 2999);	/* just under 1.5 times */
	now = 0;
	n = 0;
	for (;;) {
		now += r.timeout;
		if (!kcoap_retx_next(&r, 4))
			break;
		sent[n++] = now;
	}
	KUNIT_EXPECT_LE(test, sent[3], 45000);	/* MAX_TRANSMIT_SPAN */
	KUNIT_EXPECT_GT(test, sent[3], 44900);
	KUNIT_EXPECT_LE(test, now, 93000);	/* MAX_TRANSMIT_WAIT */
	KUNIT_EXPECT_GT(test, now, 92900);

	kcoap_retx_start(&r, 2000, U32_MAX / 2);
	KUNIT_EXPECT_EQ(test, r.timeout, 2499);
	kcoap_retx_start(&r, 100, 0);
	KUNIT_EXPECT_FALSE(test, kcoap_retx_next(&r, 0));
}

/* A CON notification that nobody acknowledges, timed out step by step. */
static void kcoap_obs_retransmit(struct kunit *test)
{
	struct kt_obs *c = test->priv;
	unsigned long ack_timeout = msecs_to_jiffies(c->kn->cfg.ack_timeout);
	unsigned long before;
	struct kcoap_observer *o;
	u32 first;
	int i;

	c->kn->cfg.observe_con_every = 1;
	kt_get(test, "/temp", 1, 0xa1, 0, -1);
	o = kt_first(test);
	before = jiffies;
	kt_set(test, "22");
	KUNIT_ASSERT_EQ(test, c->nsent, 1);
	KUNIT_EXPECT_EQ(test, c->sent[0].type, COAP_TYPE_CON);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_TX_NOTIFY_CON), 1);
	KUNIT_EXPECT_TRUE(test, o->con_out);
	KUNIT_EXPECT_TRUE(test, timer_pending(&o->timer));
	/* ACK_TIMEOUT times a random factor between 1 and 1.5 (§4.8). */
	first = o->retx.timeout;
	KUNIT_EXPECT_GE(test, first, ack_timeout);
	KUNIT_EXPECT_LT(test, first, ack_timeout * 3 / 2 + 1);
	KUNIT_EXPECT_TRUE(test,
			  time_in_range(o->timer.expires, before + first,
					jiffies + first));

	/* Four times the same message, waiting twice as long each time. */
	for (i = 1; i <= 4; i++) {
		KUNIT_ASSERT_TRUE(test, kt_fire(o));
		KUNIT_ASSERT_EQ(test, c->nsent, i + 1);
		KUNIT_EXPECT_EQ(test, c->sent[i].type, COAP_TYPE_CON);
		KUNIT_EXPECT_EQ(test, c->sent[i].mid, c->sent[0].mid);
		KUNIT_EXPECT_EQ(test, c->sent[i].observe, c->sent[0].observe);
		KUNIT_EXPECT_EQ(test, o->retx.timeout, first << i);
		KUNIT_EXPECT_TRUE(test, timer_pending(&o->timer));
	}
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_TX_RETRANSMIT), 4);
	/* MAX_RETRANSMIT reached: the observer is gone (RFC 7641 §4.5). */
	KUNIT_ASSERT_TRUE(test, kt_fire(o));
	KUNIT_EXPECT_EQ(test, c->nsent, 5);
	KUNIT_EXPECT_FALSE(test, timer_pending(&o->timer));
	KUNIT_EXPECT_TRUE(test, o->dead);
	KUNIT_EXPECT_EQ(test, c->res->obs.count, 0);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_OBSERVE_TIMEOUT), 1);
	kt_set(test, "23");
	KUNIT_EXPECT_EQ(test, c->nsent, 5);

	/* An ACK stops the timer; the next notification is NON again. */
	c->kn->cfg.observe_con_every = 2;
	kt_get(test, "/temp", 1, 0xa1, 0, -1);
	o = kt_first(test);
	kt_set(test, "24");
	kt_set(test, "25");
	KUNIT_ASSERT_EQ(test, c->nsent, 7);
	KUNIT_EXPECT_EQ(test, c->sent[5].type, COAP_TYPE_NON);
	KUNIT_EXPECT_EQ(test, c->sent[6].type, COAP_TYPE_CON);
	KUNIT_EXPECT_FALSE(test, kt_ack(test, 1, c->sent[5].mid, false));
	KUNIT_EXPECT_FALSE(test, kt_ack(test, 2, c->sent[6].mid, false));
	KUNIT_EXPECT_TRUE(test, kt_ack(test, 1, c->sent[6].mid, false));
	KUNIT_EXPECT_FALSE(test, timer_pending(&o->timer));
	KUNIT_EXPECT_FALSE(test, o->con_out);
	KUNIT_EXPECT_FALSE(test, kt_fire(o));
	KUNIT_EXPECT_FALSE(test, kt_ack(test, 1, c->sent[6].mid, false));
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_RX_ACK), 1);
	kt_set(test, "26");
	KUNIT_ASSERT_EQ(test, c->nsent, 8);
	KUNIT_EXPECT_EQ(test, c->sent[7].type, COAP_TYPE_NON);
	KUNIT_EXPECT_EQ(test, c->res->obs.count, 1);
}

/* §4.5.2: with a CON outstanding, newer states replace each other. */
static void kcoap_obs_queued_state(struct kunit *test)
{
	struct kt_obs *c = test->priv;
	struct kcoap_observer *o;
	u32 timeout;

	c->kn->cfg.observe_con_every = 1;
	kt_get(test, "/temp", 1, 0xa1, 0, -1);
	o = kt_first(test);
	kt_set(test, "1");
	KUNIT_ASSERT_EQ(test, c->nsent, 1);
	timeout = o->retx.timeout;
	kt_set(test, "2");
	kt_set(test, "3");
	KUNIT_EXPECT_EQ(test, c->nsent, 1);	/* nothing queued up */
	KUNIT_EXPECT_TRUE(test, o->pending);

	/* The retransmission carries the newest state, as a new message. */
	KUNIT_ASSERT_TRUE(test, kt_fire(o));
	KUNIT_ASSERT_EQ(test, c->nsent, 2);
	KUNIT_EXPECT_EQ(test, c->sent[1].type, COAP_TYPE_CON);
	KUNIT_EXPECT_NE(test, c->sent[1].mid, c->sent[0].mid);
	KUNIT_EXPECT_MEMEQ(test, c->sent[1].payload, "3", 1);
	KUNIT_EXPECT_TRUE(test, kt_fresher(c->sent[0].observe,
					   c->sent[1].observe));
	/* It keeps the retransmission counter and the timeout (§4.5.2). */
	KUNIT_EXPECT_EQ(test, o->retx.count, 1);
	KUNIT_EXPECT_EQ(test, o->retx.timeout, timeout * 2);
	KUNIT_EXPECT_FALSE(test, o->pending);
	/* The old message's ACK is for nothing outstanding any more. */
	KUNIT_EXPECT_FALSE(test, kt_ack(test, 1, c->sent[0].mid, false));
	KUNIT_EXPECT_TRUE(test, kt_ack(test, 1, c->sent[1].mid, false));

	/* A state waiting when the ACK comes goes out at once. */
	kt_set(test, "4");
	kt_set(test, "5");
	KUNIT_ASSERT_EQ(test, c->nsent, 3);
	KUNIT_EXPECT_MEMEQ(test, c->sent[2].payload, "4", 1);
	KUNIT_EXPECT_TRUE(test, kt_ack(test, 1, c->sent[2].mid, false));
	KUNIT_ASSERT_EQ(test, c->nsent, 4);
	KUNIT_EXPECT_MEMEQ(test, c->sent[3].payload, "5", 1);
	KUNIT_EXPECT_TRUE(test, kt_fresher(c->sent[2].observe,
					   c->sent[3].observe));
	KUNIT_EXPECT_TRUE(test, o->con_out);
	KUNIT_EXPECT_EQ(test, o->retx.count, 0);	/* a fresh exchange */
}

/*
 * The state changes while a CON is out, and the timer fires before the
 * fan-out reaches the observer: a retransmission must be the same message
 * (RFC 7252 §4.2), so the new state goes out as a new one instead.
 */
static void kcoap_obs_changed_under_retransmit(struct kunit *test)
{
	struct kt_obs *c = test->priv;
	struct kt_res r = kt_temp;
	struct kcoap_observer *o;

	c->kn->cfg.observe_con_every = 1;
	kt_get(test, "/temp", 1, 0xa1, 0, -1);
	o = kt_first(test);
	kt_set(test, "1");
	KUNIT_ASSERT_EQ(test, c->nsent, 1);
	r.repr[0].data = "2";
	r.repr[0].len = 1;
	mutex_lock(&c->kn->lock);
	kcoap_res_replace(c->kn, c->res, kt_res_state(test, c->kn, &r));
	mutex_unlock(&c->kn->lock);
	KUNIT_ASSERT_TRUE(test, kt_fire(o));
	KUNIT_ASSERT_EQ(test, c->nsent, 2);
	KUNIT_EXPECT_NE(test, c->sent[1].mid, c->sent[0].mid);
	KUNIT_EXPECT_MEMEQ(test, c->sent[1].payload, "2", 1);
	KUNIT_EXPECT_TRUE(test, kt_fresher(c->sent[0].observe,
					   c->sent[1].observe));
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_TX_RETRANSMIT), 0);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_TX_NOTIFY), 2);
	/* Unchanged since: the next one is a true retransmission. */
	KUNIT_ASSERT_TRUE(test, kt_fire(o));
	KUNIT_ASSERT_EQ(test, c->nsent, 3);
	KUNIT_EXPECT_EQ(test, c->sent[2].mid, c->sent[1].mid);
	KUNIT_EXPECT_EQ(test, c->sent[2].observe, c->sent[1].observe);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_TX_RETRANSMIT), 1);
}

/* One template per format and block size; each observer its own size. */
static void kcoap_obs_block_size(struct kunit *test)
{
	struct kt_obs *c = test->priv;
	char *big = kunit_kzalloc(test, 301, GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, big);
	memset(big, 'v', 300);
	kt_get(test, "/temp", 1, 0xa1, 0, 2);	/* blocks of 64 bytes */
	kt_get(test, "/temp", 2, 0xa2, 0, -1);	/* the server's size */
	kt_get(test, "/temp", 3, 0xa3, 0, 2);
	kt_set(test, big);
	KUNIT_ASSERT_EQ(test, c->nsent, 3);
	for (i = 0; i < 3; i++) {
		bool small = c->sent[i].token[0] != 0xa2;

		KUNIT_EXPECT_EQ(test, c->sent[i].szx, small ? 2 : -1);
		KUNIT_EXPECT_EQ(test, c->sent[i].payload_len, small ? 64 : 300);
		KUNIT_EXPECT_EQ(test, c->sent[i].observe, c->sent[0].observe);
	}
	/* The server's size shrinks below the observer's: it wins. */
	c->kn->cfg.block_szx = 1;
	kt_set(test, big);
	KUNIT_ASSERT_EQ(test, c->nsent, 6);
	for (i = 3; i < 6; i++) {
		KUNIT_EXPECT_EQ(test, c->sent[i].szx, 1);
		KUNIT_EXPECT_EQ(test, c->sent[i].payload_len, 32);
	}
}

/* An observer's format is gone: 4.06 ends its observation (§4.2). */
static void kcoap_obs_format_gone(struct kunit *test)
{
	struct kt_obs *c = test->priv;

	kt_get_accept(test, "/temp", 1, 0xa1, 0, -1, COAP_CF_TEXT_PLAIN);
	kt_get(test, "/temp", 2, 0xa2, 0, -1);
	kt_set_ct(test, "{}", COAP_CF_JSON);
	KUNIT_ASSERT_EQ(test, c->nsent, 2);
	KUNIT_EXPECT_EQ(test, c->sent[0].code, COAP_CODE_NOT_ACCEPTABLE);
	KUNIT_EXPECT_EQ(test, c->sent[0].token[0], 0xa1);
	KUNIT_EXPECT_EQ(test, c->sent[0].observe, -1);
	KUNIT_EXPECT_EQ(test, c->sent[0].payload_len, 0);
	KUNIT_EXPECT_EQ(test, c->sent[1].code, COAP_CODE_CONTENT);
	KUNIT_EXPECT_EQ(test, c->sent[1].token[0], 0xa2);
	KUNIT_EXPECT_GE(test, c->sent[1].observe, 0);
	KUNIT_EXPECT_EQ(test, c->res->obs.count, 1);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_OBSERVE_CANCEL), 1);
	kt_set_ct(test, "21", COAP_CF_TEXT_PLAIN);
	KUNIT_EXPECT_EQ(test, c->nsent, 3);
	KUNIT_EXPECT_EQ(test, c->sent[2].token[0], 0xa2);
}

/* Deleting the resource: a final 4.04 each, no timer left (§4.2). */
static void kcoap_obs_end_on_delete(struct kunit *test)
{
	struct kt_obs *c = test->priv;
	struct kcoap_observer *o;
	int i;

	c->kn->cfg.observe_con_every = 1;
	kt_get(test, "/temp", 1, 0xa1, 0, -1);
	o = kt_first(test);
	kt_set(test, "22");			/* a CON outstanding */
	kt_get(test, "/temp", 2, 0xa2, 0, -1);
	KUNIT_EXPECT_TRUE(test, timer_pending(&o->timer));

	mutex_lock(&c->kn->lock);
	kcoap_obs_end(c->kn, c->res, true);
	mutex_unlock(&c->kn->lock);
	KUNIT_ASSERT_EQ(test, c->nsent, 3);
	for (i = 1; i < 3; i++) {
		KUNIT_EXPECT_EQ(test, c->sent[i].code, COAP_CODE_NOT_FOUND);
		KUNIT_EXPECT_EQ(test, c->sent[i].observe, -1);
		KUNIT_EXPECT_EQ(test, c->sent[i].token[0], 0xa0 + i);
	}
	KUNIT_EXPECT_FALSE(test, timer_pending(&o->timer));
	KUNIT_EXPECT_FALSE(test, kt_fire(o));
	KUNIT_EXPECT_EQ(test, c->kn->obs.count, 0);
	/* Nobody may register on what is being deleted. */
	KUNIT_EXPECT_EQ(test, kt_get(test, "/temp", 3, 0xa3, 0, -1), -1);
	KUNIT_EXPECT_EQ(test, c->kn->obs.count, 0);
	kunit_release_action(test, kt_obs_put, o);

	/* Only the test's reference and RCU's grace period were left. */
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&c->kn->obs.live), 0);
}

/* observer-max-per-peer: one address is refused, another is not. */
static void kcoap_obs_peer_cap(struct kunit *test)
{
	struct kt_obs *c = test->priv;

	c->kn->cfg.obs_max_per_peer = 2;
	KUNIT_EXPECT_GE(test, kt_get(test, "/temp", 1, 0xa1, 0, -1), 0);
	KUNIT_EXPECT_GE(test, kt_get(test, "/temp", 1, 0xa2, 0, -1), 0);
	/* The third from that address: served, but not registered. */
	KUNIT_EXPECT_EQ(test, kt_get(test, "/temp", 1, 0xa3, 0, -1), -1);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_OBSERVE_PEER_LIMIT), 1);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_OBSERVE_REFUSED), 1);
	/* A renewal replaces its own entry: still welcome. */
	KUNIT_EXPECT_GE(test, kt_get(test, "/temp", 1, 0xa1, 0, -1), 0);
	/* Another address registers. */
	KUNIT_EXPECT_GE(test, kt_get(test, "/temp", 2, 0xa3, 0, -1), 0);
	KUNIT_EXPECT_EQ(test, c->kn->obs.count, 3);
	/* Once one of the first address's ends, it may register again. */
	KUNIT_EXPECT_EQ(test, kt_get(test, "/temp", 1, 0xa2, 1, -1), -1);
	KUNIT_EXPECT_GE(test, kt_get(test, "/temp", 1, 0xa3, 0, -1), 0);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_OBSERVE_PEER_LIMIT), 1);
}

/*
 * RFC 7641 §3.4, §4.4: a storm of registrations by others leaves an
 * observer's next notification fresh (one past its last value).
 */
static void kcoap_obs_seq_own(struct kunit *test)
{
	struct kt_obs *c = test->priv;
	s64 first;
	int i;

	first = kt_get(test, "/temp", 1, 0xa1, 0, -1);
	KUNIT_ASSERT_GE(test, first, 0);
	for (i = 0; i < 300; i++)
		kt_get(test, "/temp", 2, 0xb0 + i % 4, 0, -1);
	kt_set(test, "22");
	KUNIT_ASSERT_EQ(test, c->nsent, 5);
	for (i = 0; i < c->nsent; i++) {
		if (c->sent[i].token[0] != 0xa1)
			continue;
		KUNIT_EXPECT_EQ(test, c->sent[i].observe, first + 1);
	}
	/* The renewed ones go on past what they were last told. */
	for (i = 0; i < c->nsent; i++)
		KUNIT_EXPECT_TRUE(test, kt_fresher(first, c->sent[i].observe) ||
				  c->sent[i].token[0] != 0xa1);
}

/* An ICMP unreachable that quotes a notification ends that peer's. */
static void kcoap_obs_icmp_unreachable(struct kunit *test)
{
	struct kt_obs *c = test->priv;
	struct kcoap_peer p1 = kt_peer(1);
	struct in6_addr a1;
	u16 mid = 0;
	int i;

	kt_get(test, "/temp", 1, 0xa1, 0, -1);
	kt_get(test, "/temp", 1, 0xa2, 0, -1);
	kt_get(test, "/temp", 2, 0xa3, 0, -1);
	kt_set(test, "22");
	KUNIT_ASSERT_EQ(test, c->nsent, 3);
	for (i = 0; i < 3; i++)
		if (c->sent[i].token[0] == 0xa1)
			mid = c->sent[i].mid;
	ipv6_addr_set_v4mapped(p1.addr.v4, &a1);

	local_bh_disable();
	rcu_read_lock();
	/* Made up: it does not quote what we sent. */
	kcoap_obs_unreachable(c->kn, &a1, p1.port, mid + 1000);
	/* Another port of that host. */
	kcoap_obs_unreachable(c->kn, &a1, htons(1), mid);
	rcu_read_unlock();
	local_bh_enable();
	KUNIT_EXPECT_EQ(test, c->kn->obs.count, 3);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_OBSERVE_UNREACHABLE), 0);

	local_bh_disable();
	rcu_read_lock();
	kcoap_obs_unreachable(c->kn, &a1, p1.port, mid);
	rcu_read_unlock();
	local_bh_enable();
	/* That observation ends; the others stay until their own errors. */
	KUNIT_EXPECT_EQ(test, c->kn->obs.count, 2);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_OBSERVE_UNREACHABLE), 1);
	kt_set(test, "23");
	KUNIT_ASSERT_EQ(test, c->nsent, 5);
	for (i = 3; i < 5; i++) {
		KUNIT_EXPECT_NE(test, c->sent[i].token[0], 0xa1);
		if (c->sent[i].token[0] == 0xa2)
			mid = c->sent[i].mid;
	}
	local_bh_disable();
	rcu_read_lock();
	kcoap_obs_unreachable(c->kn, &a1, p1.port, mid);
	rcu_read_unlock();
	local_bh_enable();
	KUNIT_EXPECT_EQ(test, c->kn->obs.count, 1);
	/* The peer's entry went with its last observer: it may come back. */
	KUNIT_EXPECT_GE(test, kt_get(test, "/temp", 1, 0xa1, 0, -1), 0);
}

static struct kunit_case kcoap_obs_cases[] = {
	KUNIT_CASE(kcoap_obs_seq_wrap),
	KUNIT_CASE(kcoap_obs_add_replace_remove),
	KUNIT_CASE(kcoap_obs_con_state),
	KUNIT_CASE(kcoap_obs_backoff),
	KUNIT_CASE(kcoap_obs_retransmit),
	KUNIT_CASE(kcoap_obs_queued_state),
	KUNIT_CASE(kcoap_obs_changed_under_retransmit),
	KUNIT_CASE(kcoap_obs_block_size),
	KUNIT_CASE(kcoap_obs_format_gone),
	KUNIT_CASE(kcoap_obs_end_on_delete),
	KUNIT_CASE(kcoap_obs_peer_cap),
	KUNIT_CASE(kcoap_obs_seq_own),
	KUNIT_CASE(kcoap_obs_icmp_unreachable),
	{}
};

static struct kunit_suite kcoap_obs_suite = {
	.name = "kcoap_observe",
	.init = kt_obs_init,
	.test_cases = kcoap_obs_cases,
};

kunit_test_suite(kcoap_obs_suite);
