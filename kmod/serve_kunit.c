// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * KUnit suite "kcoap_serve": the answers of serve.c and wellknown.c to
 * requests built with the codec, checked by parsing the reply bytes back;
 * then kcoap_receive() itself on skbs built as the encap hook gets them.
 *
 * The test namespace has no socket, so every kcoap_send() fails with
 * -ENOTCONN and counts tx-errors: the receive tests see what was decided
 * through the counters and through the dedupe cache, which keeps the
 * exact reply to a CON request.
 */
#include <kunit/test.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/ipv6.h>

#include <linux/kcoap.h>

#include "kcoap.h"
#include "coap.h"
#include "kunit_net.h"
#include "serve.h"

#define KT_BUF		2048
#define KT_TEMP		"21.5"

static const u8 kt_token[] = { 0xde, 0xad, 0x07 };

struct kt_serve {
	struct kcoap_net *kn;
	struct coap_builder b;
	u8 *buf;			/* the request being built */
	struct coap_msg *req;
	u8 *reply;			/* exactly KCOAP_REPLY_MAX bytes */
	struct coap_msg *rep;
	struct kcoap_answer ans;
	struct kcoap_stats_sum *sum;
};

/* The namespace and its buffers; its state goes with the test. */
static int kt_serve_init(struct kunit *test)
{
	struct kt_serve *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->kn = kt_net_new(test);
	c->buf = kunit_kzalloc(test, KT_BUF, GFP_KERNEL);
	c->req = kunit_kzalloc(test, sizeof(*c->req), GFP_KERNEL);
	c->reply = kunit_kzalloc(test, KCOAP_REPLY_MAX, GFP_KERNEL);
	c->rep = kunit_kzalloc(test, sizeof(*c->rep), GFP_KERNEL);
	c->sum = kunit_kzalloc(test, sizeof(*c->sum), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c->buf);
	KUNIT_ASSERT_NOT_NULL(test, c->req);
	KUNIT_ASSERT_NOT_NULL(test, c->reply);
	KUNIT_ASSERT_NOT_NULL(test, c->rep);
	KUNIT_ASSERT_NOT_NULL(test, c->sum);
	test->priv = c;
	return 0;
}

static const struct kcoap_res_state *kt_add(struct kunit *test,
					    const struct kt_res *r)
{
	struct kt_serve *c = test->priv;

	return kt_res_add(test, c->kn, r);
}

/* "/temp": "21.5" as text/plain, Max-Age 30. */
static const struct kcoap_res_state *kt_add_temp(struct kunit *test)
{
	const struct kt_res r = {
		.path = "/temp", .rt = "temperature-c", .max_age = 30,
		.obs = true, .nrepr = 1,
		.repr = { { COAP_CF_TEXT_PLAIN, KT_TEMP, 4 } },
	};

	return kt_add(test, &r);
}

/* Bytes of a large value: no two neighbouring blocks look alike. */
static u8 *kt_big(struct kunit *test, u32 len)
{
	u8 *p = kunit_kmalloc(test, len, GFP_KERNEL);
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, p);
	for (i = 0; i < len; i++)
		p[i] = (u8)(i ^ (i >> 8) * 31);
	return p;
}

/* Requests */

static void kt_req(struct kt_serve *c, u8 type, u8 code, u16 mid)
{
	coap_build_init(&c->b, c->buf, KT_BUF, type, code, mid, kt_token,
			sizeof(kt_token));
}

/* Uri-Path options for "/a/b" ("/" adds none). */
static void kt_path(struct kt_serve *c, const char *path)
{
	const char *seg = path + 1, *end;

	while (*seg) {
		end = strchrnul(seg, '/');
		coap_build_opt(&c->b, COAP_OPT_URI_PATH, seg, end - seg);
		seg = *end ? end + 1 : end;
	}
}

static void kt_get(struct kt_serve *c, const char *path)
{
	kt_req(c, COAP_TYPE_CON, COAP_CODE_GET, 0x1234);
	kt_path(c, path);
}

static void kt_block2(struct kt_serve *c, u32 num, u8 szx)
{
	u32 v = (num << 4) | szx;

	coap_build_opt_uint(&c->b, COAP_OPT_BLOCK2, v);
}

/* The built request in an allocation of its exact size, parsed. */
static void kt_parse_req(struct kunit *test, struct kt_serve *c)
{
	int len = coap_build_end(&c->b);
	u8 *req;

	KUNIT_ASSERT_GT_MSG(test, len, 0, "request: %s", coap_strerror(len));
	req = kunit_kmalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, req);
	memcpy(req, c->buf, len);
	KUNIT_ASSERT_EQ(test, coap_parse(c->req, req, len), 0);
}

/*
 * Serve the request as receive.c does (BH off, under RCU) with @mid for a
 * NON response; parse the reply, which must echo the token and be a
 * piggybacked ACK to a CON, a NON response with @mid to a NON.
 */
static void kt_serve_mc(struct kunit *test, bool multicast)
{
	struct kt_serve *c = test->priv;
	const u16 mid = 0xbeef;

	kt_parse_req(test, c);
	memset(c->reply, 0x5a, KCOAP_REPLY_MAX);
	local_bh_disable();
	rcu_read_lock();
	kcoap_serve(c->kn, c->req, NULL, multicast, mid, c->reply, &c->ans);
	rcu_read_unlock();
	local_bh_enable();
	if (multicast && !c->ans.len)
		return;
	KUNIT_ASSERT_GT(test, c->ans.len, 0);
	KUNIT_ASSERT_LE(test, c->ans.len, KCOAP_REPLY_MAX);
	KUNIT_ASSERT_EQ(test, coap_parse(c->rep, c->reply, c->ans.len), 0);
	KUNIT_EXPECT_EQ(test, c->rep->code, c->ans.code);
	KUNIT_ASSERT_EQ(test, c->rep->tkl, sizeof(kt_token));
	KUNIT_EXPECT_MEMEQ(test, coap_token(c->rep), kt_token, sizeof(kt_token));
	if (c->req->type == COAP_TYPE_CON) {
		KUNIT_EXPECT_EQ(test, c->rep->type, COAP_TYPE_ACK);
		KUNIT_EXPECT_EQ(test, c->rep->mid, c->req->mid);
	} else {
		KUNIT_EXPECT_EQ(test, c->rep->type, COAP_TYPE_NON);
		KUNIT_EXPECT_EQ(test, c->rep->mid, mid);
	}
}

static void kt_serve(struct kunit *test)
{
	kt_serve_mc(test, false);
}

/* Serve and expect @code; returns the reply. */
static const struct coap_msg *kt_expect(struct kunit *test, u8 code)
{
	struct kt_serve *c = test->priv;

	kt_serve(test);
	KUNIT_ASSERT_EQ_MSG(test, c->ans.code, code, "got %u.%02u",
			    COAP_CODE_CLASS(c->ans.code),
			    COAP_CODE_DETAIL(c->ans.code));
	return c->rep;
}

/* Value of uint option @num of @m, which must be there. */
static u32 kt_uint(struct kunit *test, const struct coap_msg *m, u16 num)
{
	u32 v = 0;

	KUNIT_ASSERT_EQ_MSG(test, coap_opt_uint(m, num, &v), 0, "option %u", num);
	return v;
}

static bool kt_has(const struct coap_msg *m, u16 num)
{
	return coap_opt_find(m, num);
}

static void kt_expect_payload(struct kunit *test, const struct coap_msg *m,
			      const void *data, size_t len)
{
	KUNIT_ASSERT_EQ(test, m->payload_len, len);
	if (len)
		KUNIT_EXPECT_MEMEQ(test, m->payload, data, len);
}

static void kt_expect_etag(struct kunit *test, const struct coap_msg *m,
			   const struct kcoap_repr *r)
{
	const struct coap_opt *o = coap_opt_find(m, COAP_OPT_ETAG);

	KUNIT_ASSERT_NOT_NULL(test, o);
	KUNIT_ASSERT_EQ(test, o->len, KCOAP_ETAG_LEN);
	KUNIT_EXPECT_MEMEQ(test, coap_opt_value(m, o), r->etag, KCOAP_ETAG_LEN);
}

/* GET */

static void kcoap_serve_con_piggybacked(struct kunit *test)
{
	const struct kcoap_res_state *st = kt_add_temp(test);
	struct kt_serve *c = test->priv;
	const struct coap_msg *m;

	kt_get(c, "/temp");
	m = kt_expect(test, COAP_CODE_CONTENT);
	KUNIT_EXPECT_EQ(test, m->type, COAP_TYPE_ACK);
	KUNIT_EXPECT_EQ(test, m->mid, 0x1234);
	KUNIT_EXPECT_FALSE(test, c->ans.unhandled);
	kt_expect_payload(test, m, KT_TEMP, 4);
	KUNIT_EXPECT_EQ(test, kt_uint(test, m, COAP_OPT_CONTENT_FORMAT),
			COAP_CF_TEXT_PLAIN);
	KUNIT_EXPECT_EQ(test, kt_uint(test, m, COAP_OPT_MAX_AGE), 30);
	kt_expect_etag(test, m, &st->repr[0]);
	/* One block is all there is: no Block2, no Size2 unasked. */
	KUNIT_EXPECT_FALSE(test, kt_has(m, COAP_OPT_BLOCK2));
	KUNIT_EXPECT_FALSE(test, kt_has(m, COAP_OPT_SIZE2));
}

static void kcoap_serve_non_response(struct kunit *test)
{
	struct kt_serve *c = test->priv;
	const struct coap_msg *m;

	kt_add_temp(test);
	kt_req(c, COAP_TYPE_NON, COAP_CODE_GET, 0x1111);
	kt_path(c, "/temp");
	m = kt_expect(test, COAP_CODE_CONTENT);
	/* A fresh Message ID, the one the caller gave (kt_serve checks it). */
	KUNIT_EXPECT_EQ(test, m->type, COAP_TYPE_NON);
	KUNIT_EXPECT_NE(test, m->mid, 0x1111);
	kt_expect_payload(test, m, KT_TEMP, 4);
}

static void kcoap_serve_max_age(struct kunit *test)
{
	const struct kt_res r0 = {
		.path = "/nocache", .max_age = 0, .nrepr = 1,
		.repr = { { COAP_CF_TEXT_PLAIN, "x", 1 } },
	};
	const struct kt_res r60 = {
		.path = "/default", .max_age = 60, .nrepr = 1,
		.repr = { { COAP_CF_TEXT_PLAIN, "y", 1 } },
	};
	struct kt_serve *c = test->priv;
	const struct coap_msg *m;

	kt_add(test, &r0);
	kt_add(test, &r60);
	/* Max-Age 0 must be sent: its absence would mean 60 s. */
	kt_get(c, "/nocache");
	m = kt_expect(test, COAP_CODE_CONTENT);
	KUNIT_EXPECT_TRUE(test, kt_has(m, COAP_OPT_MAX_AGE));
	KUNIT_EXPECT_EQ(test, kt_uint(test, m, COAP_OPT_MAX_AGE), 0);
	kt_get(c, "/default");
	m = kt_expect(test, COAP_CODE_CONTENT);
	if (kt_has(m, COAP_OPT_MAX_AGE))
		KUNIT_EXPECT_EQ(test, kt_uint(test, m, COAP_OPT_MAX_AGE), 60);
	kt_expect_payload(test, m, "y", 1);
}

static void kcoap_serve_accept(struct kunit *test)
{
	const struct kt_res r = {
		.path = "/multi", .max_age = 5, .nrepr = 2,
		.repr = { { COAP_CF_TEXT_PLAIN, "21", 2 },
			  { COAP_CF_JSON, "{\"t\":21}", 8 } },
	};
	const struct kcoap_res_state *st = kt_add(test, &r);
	struct kt_serve *c = test->priv;
	const struct coap_msg *m;

	/* Without Accept: the first representation. */
	kt_get(c, "/multi");
	m = kt_expect(test, COAP_CODE_CONTENT);
	kt_expect_payload(test, m, "21", 2);

	kt_get(c, "/multi");
	coap_build_opt_uint(&c->b, COAP_OPT_ACCEPT, COAP_CF_JSON);
	m = kt_expect(test, COAP_CODE_CONTENT);
	KUNIT_EXPECT_EQ(test, kt_uint(test, m, COAP_OPT_CONTENT_FORMAT), COAP_CF_JSON);
	kt_expect_etag(test, m, &st->repr[1]);
	kt_expect_payload(test, m, "{\"t\":21}", 8);

	kt_get(c, "/multi");
	coap_build_opt_uint(&c->b, COAP_OPT_ACCEPT, COAP_CF_TEXT_PLAIN);
	m = kt_expect(test, COAP_CODE_CONTENT);
	kt_expect_etag(test, m, &st->repr[0]);
	kt_expect_payload(test, m, "21", 2);

	/* None in CBOR: 4.06, and no payload. */
	kt_get(c, "/multi");
	coap_build_opt_uint(&c->b, COAP_OPT_ACCEPT, COAP_CF_CBOR);
	m = kt_expect(test, COAP_CODE_NOT_ACCEPTABLE);
	KUNIT_EXPECT_EQ(test, m->payload_len, 0);
	KUNIT_EXPECT_FALSE(test, kt_has(m, COAP_OPT_ETAG));
}

static void kcoap_serve_etag_valid(struct kunit *test)
{
	const struct kcoap_res_state *st = kt_add_temp(test);
	const u8 *etag = st->repr[0].etag;
	struct kt_serve *c = test->priv;
	const struct coap_msg *m;
	u8 stale[KCOAP_ETAG_LEN];

	memcpy(stale, etag, sizeof(stale));
	stale[3] ^= 0x80;

	kt_req(c, COAP_TYPE_CON, COAP_CODE_GET, 0x2000);
	coap_build_opt(&c->b, COAP_OPT_ETAG, etag, KCOAP_ETAG_LEN);
	kt_path(c, "/temp");
	m = kt_expect(test, COAP_CODE_VALID);
	KUNIT_EXPECT_EQ(test, m->payload_len, 0);
	kt_expect_etag(test, m, &st->repr[0]);
	KUNIT_EXPECT_EQ(test, kt_uint(test, m, COAP_OPT_MAX_AGE), 30);

	/* Several ETags, one of them current (§5.10.6.2). */
	kt_req(c, COAP_TYPE_CON, COAP_CODE_GET, 0x2001);
	coap_build_opt(&c->b, COAP_OPT_ETAG, stale, KCOAP_ETAG_LEN);
	coap_build_opt(&c->b, COAP_OPT_ETAG, etag, KCOAP_ETAG_LEN);
	kt_path(c, "/temp");
	kt_expect(test, COAP_CODE_VALID);

	/* A stale one, or one of another length: the value. */
	kt_req(c, COAP_TYPE_CON, COAP_CODE_GET, 0x2002);
	coap_build_opt(&c->b, COAP_OPT_ETAG, stale, KCOAP_ETAG_LEN);
	coap_build_opt(&c->b, COAP_OPT_ETAG, etag, KCOAP_ETAG_LEN - 1);
	kt_path(c, "/temp");
	m = kt_expect(test, COAP_CODE_CONTENT);
	kt_expect_payload(test, m, KT_TEMP, 4);
	kt_expect_etag(test, m, &st->repr[0]);
}

#define KT_BIG	3000

static void kcoap_serve_block2(struct kunit *test)
{
	u8 *big = kt_big(test, KT_BIG);
	const struct kt_res r = {
		.path = "/big", .max_age = 60, .nrepr = 1,
		.repr = { { COAP_CF_OCTET_STREAM, big, KT_BIG } },
	};
	const struct kcoap_res_state *st = kt_add(test, &r);
	struct kt_serve *c = test->priv;
	const struct coap_msg *m;
	struct coap_block blk;

	/* No Block2 asked: the server starts with block 0 of 1024 bytes. */
	kt_get(c, "/big");
	m = kt_expect(test, COAP_CODE_CONTENT);
	KUNIT_ASSERT_EQ(test, coap_block_get(m, COAP_OPT_BLOCK2, &blk), 0);
	KUNIT_EXPECT_EQ(test, blk.num, 0);
	KUNIT_EXPECT_TRUE(test, blk.more);
	KUNIT_EXPECT_EQ(test, blk.szx, 6);
	kt_expect_payload(test, m, big, 1024);
	kt_expect_etag(test, m, &st->repr[0]);
	KUNIT_EXPECT_FALSE(test, kt_has(m, COAP_OPT_SIZE2));

	kt_get(c, "/big");
	kt_block2(c, 1, 6);
	m = kt_expect(test, COAP_CODE_CONTENT);
	KUNIT_ASSERT_EQ(test, coap_block_get(m, COAP_OPT_BLOCK2, &blk), 0);
	KUNIT_EXPECT_EQ(test, blk.num, 1);
	KUNIT_EXPECT_TRUE(test, blk.more);
	kt_expect_payload(test, m, big + 1024, 1024);

	/* The last block: 952 bytes, M=0; Size2 when asked (RFC 7959 §4). */
	kt_get(c, "/big");
	kt_block2(c, 2, 6);
	coap_build_opt_uint(&c->b, COAP_OPT_SIZE2, 0);
	m = kt_expect(test, COAP_CODE_CONTENT);
	KUNIT_ASSERT_EQ(test, coap_block_get(m, COAP_OPT_BLOCK2, &blk), 0);
	KUNIT_EXPECT_EQ(test, blk.num, 2);
	KUNIT_EXPECT_FALSE(test, blk.more);
	KUNIT_EXPECT_EQ(test, blk.szx, 6);
	kt_expect_payload(test, m, big + 2048, KT_BIG - 2048);
	KUNIT_EXPECT_EQ(test, kt_uint(test, m, COAP_OPT_SIZE2), KT_BIG);

	/* Smaller blocks than the server's, as the client asks. */
	kt_get(c, "/big");
	kt_block2(c, 5, 2);
	m = kt_expect(test, COAP_CODE_CONTENT);
	KUNIT_ASSERT_EQ(test, coap_block_get(m, COAP_OPT_BLOCK2, &blk), 0);
	KUNIT_EXPECT_EQ(test, blk.num, 5);
	KUNIT_EXPECT_EQ(test, blk.szx, 2);
	KUNIT_EXPECT_TRUE(test, blk.more);
	kt_expect_payload(test, m, big + 5 * 64, 64);

	/* Larger than the server's: its size, at the same offset (§2.4). */
	c->kn->cfg.block_szx = 4;
	kt_get(c, "/big");
	kt_block2(c, 1, 6);
	m = kt_expect(test, COAP_CODE_CONTENT);
	KUNIT_ASSERT_EQ(test, coap_block_get(m, COAP_OPT_BLOCK2, &blk), 0);
	KUNIT_EXPECT_EQ(test, blk.num, 4);
	KUNIT_EXPECT_EQ(test, blk.szx, 4);
	kt_expect_payload(test, m, big + 1024, 256);
	c->kn->cfg.block_szx = 6;

	/* Past the end. */
	kt_get(c, "/big");
	kt_block2(c, 3, 6);
	m = kt_expect(test, COAP_CODE_BAD_OPTION);
	KUNIT_EXPECT_EQ(test, m->payload_len, 0);

	/* SZX 7 is reserved: 4.00 Bad Request (RFC 7959 §2.2). */
	kt_get(c, "/big");
	kt_block2(c, 0, 7);
	m = kt_expect(test, COAP_CODE_BAD_REQUEST);
	KUNIT_EXPECT_EQ(test, m->payload_len, 0);
}

/* Reassemble /big from its blocks as a client would. */
static void kcoap_serve_block2_reassemble(struct kunit *test)
{
	u8 *big = kt_big(test, KT_BIG);
	const struct kt_res r = {
		.path = "/a/big", .max_age = 60, .nrepr = 1,
		.repr = { { COAP_CF_OCTET_STREAM, big, KT_BIG } },
	};
	u8 *got = kunit_kzalloc(test, KT_BIG, GFP_KERNEL);
	struct kt_serve *c = test->priv;
	const struct coap_msg *m;
	struct coap_block blk = { .szx = 5 };
	u32 off = 0;

	KUNIT_ASSERT_NOT_NULL(test, got);
	kt_add(test, &r);
	do {
		kt_req(c, COAP_TYPE_NON, COAP_CODE_GET, (u16)blk.num);
		kt_path(c, r.path);
		kt_block2(c, blk.num, blk.szx);
		m = kt_expect(test, COAP_CODE_CONTENT);
		KUNIT_ASSERT_EQ(test, coap_block_get(m, COAP_OPT_BLOCK2, &blk), 0);
		KUNIT_ASSERT_EQ(test, coap_block_offset(&blk), off);
		KUNIT_ASSERT_LE(test, off + m->payload_len, KT_BIG);
		if (blk.more)
			KUNIT_EXPECT_EQ(test, m->payload_len, 512);
		memcpy(got + off, m->payload, m->payload_len);
		off += m->payload_len;
		blk.num++;
	} while (blk.more);
	KUNIT_EXPECT_EQ(test, off, KT_BIG);
	KUNIT_EXPECT_MEMEQ(test, got, big, KT_BIG);
}

/* Errors */

static void kcoap_serve_not_found(struct kunit *test)
{
	struct kt_serve *c = test->priv;
	const struct coap_msg *m;
	char *seg;

	kt_add_temp(test);
	kt_get(c, "/nothere");
	m = kt_expect(test, COAP_CODE_NOT_FOUND);
	KUNIT_EXPECT_EQ(test, m->payload_len, 0);
	KUNIT_EXPECT_FALSE(test, kt_has(m, COAP_OPT_MAX_AGE));
	/* A prefix or an extension of a path is another path. */
	kt_get(c, "/temp/x");
	kt_expect(test, COAP_CODE_NOT_FOUND);
	kt_get(c, "/");
	kt_expect(test, COAP_CODE_NOT_FOUND);
	/* An empty segment, or a '/' inside one, is no table path. */
	kt_get(c, "/temp");
	coap_build_opt(&c->b, COAP_OPT_URI_PATH, "", 0);
	kt_expect(test, COAP_CODE_NOT_FOUND);
	kt_req(c, COAP_TYPE_CON, COAP_CODE_GET, 1);
	coap_build_opt_str(&c->b, COAP_OPT_URI_PATH, "temp/x");
	kt_expect(test, COAP_CODE_NOT_FOUND);
	/* Longer than any table path. */
	seg = kunit_kmalloc(test, 200, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, seg);
	memset(seg, 'a', 200);
	kt_req(c, COAP_TYPE_CON, COAP_CODE_GET, 2);
	coap_build_opt(&c->b, COAP_OPT_URI_PATH, seg, 200);
	coap_build_opt(&c->b, COAP_OPT_URI_PATH, seg, 200);
	kt_expect(test, COAP_CODE_NOT_FOUND);
}

static void kcoap_serve_method_not_allowed(struct kunit *test)
{
	static const u8 methods[] = {
		COAP_CODE_POST, COAP_CODE_PUT, COAP_CODE_DELETE, COAP_CODE_FETCH,
		COAP_CODE_PATCH, COAP_CODE_IPATCH,
	};
	struct kt_serve *c = test->priv;
	const struct coap_msg *m;
	unsigned int i;

	kt_add_temp(test);
	for (i = 0; i < ARRAY_SIZE(methods); i++) {
		kt_req(c, COAP_TYPE_CON, methods[i], 0x3000 + i);
		kt_path(c, "/temp");
		coap_build_payload(&c->b, "22", 2);
		m = kt_expect(test, COAP_CODE_METHOD_NOT_ALLOWED);
		KUNIT_EXPECT_EQ(test, m->payload_len, 0);
		KUNIT_EXPECT_FALSE(test, c->ans.unhandled);
	}
	/* /.well-known/core is GET only too. */
	kt_req(c, COAP_TYPE_CON, COAP_CODE_POST, 0x3100);
	kt_path(c, "/.well-known/core");
	kt_expect(test, COAP_CODE_METHOD_NOT_ALLOWED);
}

/* Allowed, but only the daemon serves it: 5.03 with the configured Max-Age. */
static void kcoap_serve_unavailable(struct kunit *test)
{
	const struct kt_res r = {
		.path = "/actuator", .max_age = 60, .nrepr = 1,
		.methods = KCOAP_METHOD_GET | KCOAP_METHOD_PUT,
		.repr = { { COAP_CF_TEXT_PLAIN, "off", 3 } },
	};
	struct kt_serve *c = test->priv;
	const struct coap_msg *m;

	kt_add(test, &r);
	kt_req(c, COAP_TYPE_CON, COAP_CODE_PUT, 0x4000);
	kt_path(c, "/actuator");
	coap_build_payload(&c->b, "on", 2);
	m = kt_expect(test, COAP_CODE_SERVICE_UNAVAILABLE);
	KUNIT_EXPECT_TRUE(test, c->ans.unhandled);
	KUNIT_EXPECT_EQ(test, kt_uint(test, m, COAP_OPT_MAX_AGE), 17);
	KUNIT_EXPECT_EQ(test, m->payload_len, 0);

	/* 60 s is what no Max-Age means: none is sent. */
	c->kn->cfg.unavailable_max_age = 60;
	kt_req(c, COAP_TYPE_NON, COAP_CODE_PUT, 0x4001);
	kt_path(c, "/actuator");
	m = kt_expect(test, COAP_CODE_SERVICE_UNAVAILABLE);
	KUNIT_EXPECT_TRUE(test, c->ans.unhandled);
	KUNIT_EXPECT_FALSE(test, kt_has(m, COAP_OPT_MAX_AGE));

	/* GET is still answered here. */
	kt_get(c, "/actuator");
	m = kt_expect(test, COAP_CODE_CONTENT);
	KUNIT_EXPECT_FALSE(test, c->ans.unhandled);
	kt_expect_payload(test, m, "off", 3);
}

static void kcoap_serve_proxy(struct kunit *test)
{
	struct kt_serve *c = test->priv;

	kt_add_temp(test);
	kt_get(c, "/temp");
	coap_build_opt_str(&c->b, COAP_OPT_PROXY_URI, "coap://192.0.2.9/temp");
	kt_expect(test, COAP_CODE_PROXYING_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, c->rep->payload_len, 0);

	kt_get(c, "/temp");
	coap_build_opt_str(&c->b, COAP_OPT_PROXY_SCHEME, "http");
	kt_expect(test, COAP_CODE_PROXYING_NOT_SUPPORTED);
}

/* /.well-known/core */

#define KT_LINK_TEMP	"</temp>;rt=\"temperature-c\";ct=0;obs"
#define KT_LINK_LIGHT	"</light>;rt=\"light-lux sensor\";if=\"core.s\";ct=50;title=\"Light \\\"A\\\"\""
#define KT_LINK_CFG	"</cfg>"
#define KT_LINK_BIG	"</big>;ct=42;sz=3000"

static void kt_add_links(struct kunit *test)
{
	const struct kt_res light = {
		.path = "/light", .rt = "light-lux sensor", .ifd = "core.s",
		.title = "Light \"A\"", .max_age = 60, .nrepr = 1,
		.repr = { { COAP_CF_JSON, "{}", 2 } },
	};
	const struct kt_res cfg = { .path = "/cfg", .max_age = 60 };
	const struct kt_res big = {
		.path = "/big", .max_age = 60, .nrepr = 1,
		.repr = { { COAP_CF_OCTET_STREAM, kt_big(test, KT_BIG), KT_BIG } },
	};

	kt_add_temp(test);
	kt_add(test, &light);
	kt_add(test, &cfg);
	kt_add(test, &big);
}

static void kt_wk(struct kt_serve *c, const char *query)
{
	kt_req(c, COAP_TYPE_CON, COAP_CODE_GET, 0x5000);
	kt_path(c, "/.well-known/core");
	if (query)
		coap_build_opt_str(&c->b, COAP_OPT_URI_QUERY, query);
}

static void kt_expect_links(struct kunit *test, const char *query,
			    const char *doc)
{
	struct kt_serve *c = test->priv;
	const struct coap_msg *m;

	kt_wk(c, query);
	m = kt_expect(test, COAP_CODE_CONTENT);
	KUNIT_EXPECT_EQ(test, kt_uint(test, m, COAP_OPT_CONTENT_FORMAT),
			COAP_CF_LINK_FORMAT);
	KUNIT_EXPECT_FALSE(test, kt_has(m, COAP_OPT_BLOCK2));
	KUNIT_EXPECT_EQ_MSG(test, m->payload_len, strlen(doc), "query %s", query);
	if (*doc && m->payload_len == strlen(doc))
		KUNIT_EXPECT_MEMEQ_MSG(test, m->payload, doc, strlen(doc),
				       "query %s", query);
}

static void kcoap_serve_wellknown_links(struct kunit *test)
{
	kt_add_links(test);
	kt_expect_links(test, NULL, KT_LINK_TEMP "," KT_LINK_LIGHT "," KT_LINK_CFG
			"," KT_LINK_BIG);
	kt_expect_links(test, "rt=light-lux", KT_LINK_LIGHT);
	kt_expect_links(test, "rt=sensor", KT_LINK_LIGHT);
	kt_expect_links(test, "rt=temp*", KT_LINK_TEMP);
	kt_expect_links(test, "rt=*", KT_LINK_TEMP "," KT_LINK_LIGHT);
	kt_expect_links(test, "href=/*", KT_LINK_TEMP "," KT_LINK_LIGHT ","
			KT_LINK_CFG "," KT_LINK_BIG);
	kt_expect_links(test, "href=/c*", KT_LINK_CFG);
	kt_expect_links(test, "ct=50", KT_LINK_LIGHT);
	kt_expect_links(test, "if=core.s", KT_LINK_LIGHT);
	kt_expect_links(test, "obs", KT_LINK_TEMP);
	kt_expect_links(test, "sz=3000", KT_LINK_BIG);
	/* No match: an empty document to a unicast request. */
	kt_expect_links(test, "rt=humidity", "");
}

/* RFC 7252 §8.2.1, RFC 6690 §4.1: a multicast query with no match is silent. */
static void kcoap_serve_wellknown_multicast(struct kunit *test)
{
	struct kt_serve *c = test->priv;

	kt_add_links(test);
	kt_req(c, COAP_TYPE_NON, COAP_CODE_GET, 0x5100);
	kt_path(c, "/.well-known/core");
	coap_build_opt_str(&c->b, COAP_OPT_URI_QUERY, "rt=humidity");
	kt_serve_mc(test, true);
	KUNIT_EXPECT_EQ(test, c->ans.code, 0);
	KUNIT_EXPECT_EQ(test, c->ans.len, 0);

	kt_req(c, COAP_TYPE_NON, COAP_CODE_GET, 0x5101);
	kt_path(c, "/.well-known/core");
	coap_build_opt_str(&c->b, COAP_OPT_URI_QUERY, "rt=temp*");
	kt_serve_mc(test, true);
	KUNIT_EXPECT_EQ(test, c->ans.code, COAP_CODE_CONTENT);
	kt_expect_payload(test, c->rep, KT_LINK_TEMP, strlen(KT_LINK_TEMP));
}

#define KT_NLINKS	80

/* A document of several blocks reassembles to the whole. */
static void kcoap_serve_wellknown_block2(struct kunit *test)
{
	char *doc = kunit_kzalloc(test, KT_NLINKS * 64, GFP_KERNEL);
	u8 *got = kunit_kzalloc(test, KT_NLINKS * 64, GFP_KERNEL);
	struct kt_serve *c = test->priv;
	char path[16], rt[40];
	const struct coap_msg *m;
	struct coap_block blk;
	size_t total = 0, off = 0;
	u32 num;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, doc);
	KUNIT_ASSERT_NOT_NULL(test, got);
	for (i = 0; i < KT_NLINKS; i++) {
		struct kt_res r = {
			.path = path, .rt = rt, .max_age = 60, .nrepr = 1,
			.repr = { { COAP_CF_TEXT_PLAIN, "1", 1 } },
		};

		snprintf(path, sizeof(path), "/sensor/%02d", i);
		snprintf(rt, sizeof(rt), "a-long-resource-type-%02d", i);
		kt_add(test, &r);
		total += scnprintf(doc + total, KT_NLINKS * 64 - total,
				   "%s<%s>;rt=\"%s\";ct=0", i ? "," : "", path, rt);
	}
	KUNIT_ASSERT_GT(test, total, 3 * 1024);

	for (num = 0; ; num++) {
		kt_wk(c, NULL);
		/* Block 0 unasked (the server starts block-wise), Size2 asked. */
		if (num)
			kt_block2(c, num, 6);
		else
			coap_build_opt_uint(&c->b, COAP_OPT_SIZE2, 0);
		m = kt_expect(test, COAP_CODE_CONTENT);
		KUNIT_EXPECT_EQ(test, kt_uint(test, m, COAP_OPT_CONTENT_FORMAT),
				COAP_CF_LINK_FORMAT);
		if (!num)
			KUNIT_EXPECT_EQ(test, kt_uint(test, m, COAP_OPT_SIZE2), total);
		KUNIT_ASSERT_EQ(test, coap_block_get(m, COAP_OPT_BLOCK2, &blk), 0);
		KUNIT_ASSERT_EQ(test, blk.num, num);
		KUNIT_ASSERT_EQ(test, blk.szx, 6);
		KUNIT_ASSERT_LE(test, off + m->payload_len, total);
		if (blk.more)
			KUNIT_EXPECT_EQ(test, m->payload_len, 1024);
		memcpy(got + off, m->payload, m->payload_len);
		off += m->payload_len;
		if (!blk.more)
			break;
		KUNIT_ASSERT_LT(test, num, 10);
	}
	KUNIT_EXPECT_EQ(test, off, total);
	KUNIT_EXPECT_MEMEQ(test, got, doc, total);

	/* A small block from the middle. */
	kt_wk(c, NULL);
	kt_block2(c, 33, 1);
	m = kt_expect(test, COAP_CODE_CONTENT);
	KUNIT_ASSERT_EQ(test, coap_block_get(m, COAP_OPT_BLOCK2, &blk), 0);
	KUNIT_EXPECT_EQ(test, blk.num, 33);
	KUNIT_EXPECT_TRUE(test, blk.more);
	kt_expect_payload(test, m, doc + 33 * 32, 32);

	/* Larger than the server's blocks: its size, same offset. */
	c->kn->cfg.block_szx = 4;
	kt_wk(c, NULL);
	kt_block2(c, 1, 6);
	m = kt_expect(test, COAP_CODE_CONTENT);
	KUNIT_ASSERT_EQ(test, coap_block_get(m, COAP_OPT_BLOCK2, &blk), 0);
	KUNIT_EXPECT_EQ(test, blk.num, 4);
	KUNIT_EXPECT_EQ(test, blk.szx, 4);
	kt_expect_payload(test, m, doc + 1024, 256);
	c->kn->cfg.block_szx = 6;

	/* Past the end. */
	kt_wk(c, NULL);
	kt_block2(c, num + 1, 6);
	kt_expect(test, COAP_CODE_BAD_OPTION);
	/* SZX 7 is reserved: 4.00 Bad Request (RFC 7959 §2.2). */
	kt_wk(c, NULL);
	kt_block2(c, 0, 7);
	kt_expect(test, COAP_CODE_BAD_REQUEST);
}

/* kcoap_receive() on built skbs */

#define KT_PEER4	htonl(0xc0000202)	/* 192.0.2.2 */
#define KT_HOST4	htonl(0xc0000201)	/* 192.0.2.1 */

static const struct in6_addr kt_peer6 = {
	{ { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 } }
};

static const struct in6_addr kt_host6 = {
	{ { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } }
};

/*
 * A datagram as the encap hook gets it: network header before
 * skb->data, skb->data at the UDP header.
 */
static struct sk_buff *kt_skb(struct kunit *test, bool v6, __be32 daddr4,
			      u16 sport, const void *msg, size_t len)
{
	size_t nh = v6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr);
	struct sk_buff *skb = alloc_skb(LL_MAX_HEADER + nh + sizeof(struct udphdr) +
					len, GFP_KERNEL);
	struct udphdr *uh;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, LL_MAX_HEADER);
	skb_reset_network_header(skb);
	if (v6) {
		struct ipv6hdr *ip6 = skb_put_zero(skb, nh);

		ip6->version = 6;
		ip6->payload_len = htons(sizeof(*uh) + len);
		ip6->nexthdr = IPPROTO_UDP;
		ip6->hop_limit = 64;
		ip6->saddr = kt_peer6;
		ip6->daddr = kt_host6;
		skb->protocol = htons(ETH_P_IPV6);
	} else {
		struct iphdr *iph = skb_put_zero(skb, nh);

		iph->version = 4;
		iph->ihl = 5;
		iph->tot_len = htons(nh + sizeof(*uh) + len);
		iph->ttl = 64;
		iph->protocol = IPPROTO_UDP;
		iph->saddr = KT_PEER4;
		iph->daddr = daddr4;
		skb->protocol = htons(ETH_P_IP);
	}
	skb_set_transport_header(skb, nh);
	uh = skb_put_zero(skb, sizeof(*uh));
	uh->source = htons(sport);
	uh->dest = htons(KCOAP_DEFAULT_PORT);
	uh->len = htons(sizeof(*uh) + len);
	skb_put_data(skb, msg, len);
	skb_pull(skb, nh);
	return skb;
}

/* Hand @msg to kcoap_receive() as a datagram from 192.0.2.2:@sport. */
static void kt_rx(struct kunit *test, const void *msg, size_t len, u16 sport)
{
	struct kt_serve *c = test->priv;
	struct sk_buff *skb = kt_skb(test, false, KT_HOST4, sport, msg, len);

	local_bh_disable();
	rcu_read_lock();
	kcoap_receive(c->kn, skb);
	rcu_read_unlock();
	local_bh_enable();
}

/* The request being built, received from port 40000. */
static void kt_rx_req(struct kunit *test)
{
	struct kt_serve *c = test->priv;
	int len = coap_build_end(&c->b);

	KUNIT_ASSERT_GT(test, len, 0);
	kt_rx(test, c->buf, len, 40000);
}

static u64 kt_stat(struct kunit *test, enum kcoap_stat id)
{
	struct kt_serve *c = test->priv;

	kcoap_stats_read(c->kn, c->sum);
	return c->sum->cnt[id];
}

/*
 * The reply the dedupe cache keeps for (@addr, @sport, @mid), parsed into
 * c->rep; its length, or -1 if there is no entry.
 */
static int kt_cached(struct kunit *test, const struct in6_addr *addr,
		     u16 sport, u16 mid)
{
	struct kt_serve *c = test->priv;
	const struct kcoap_dedup_entry *e;
	struct kcoap_dedup_key key = {
		.addr = *addr, .port = htons(sport), .mid = mid,
	};
	int len = -1;

	local_bh_disable();
	rcu_read_lock();
	e = kcoap_dedup_lookup(&c->kn->dedup, &key, jiffies);
	if (e) {
		len = e->reply_len;
		memcpy(c->reply, e->reply, min_t(int, len, KCOAP_REPLY_MAX));
	}
	rcu_read_unlock();
	local_bh_enable();
	if (len > 0)
		KUNIT_EXPECT_EQ(test, coap_parse(c->rep, c->reply, len), 0);
	return len;
}

static int kt_cached4(struct kunit *test, u16 sport, u16 mid)
{
	struct in6_addr a;

	ipv6_addr_set_v4mapped(KT_PEER4, &a);
	return kt_cached(test, &a, sport, mid);
}

static void kcoap_receive_get(struct kunit *test)
{
	struct kt_serve *c = test->priv;
	int len;

	kt_add_temp(test);
	kt_get(c, "/temp");
	len = coap_build_end(&c->b);
	kt_rx_req(test);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_RX_DATAGRAMS), 1);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_RX_IPV4), 1);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_RX_BYTES), len);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_RX_REQUESTS), 1);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_RX_DUPLICATE), 0);
	/* No socket: the reply could not go out. */
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_TX_ERRORS), 1);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_TX_DATAGRAMS), 0);

	/*
	 * A GET is remembered, but its reply is not kept: it may be served
	 * again (RFC 7252 §4.5), and a cache of replies costs memory.
	 */
	KUNIT_EXPECT_EQ(test, kt_cached4(test, 40000, 0x1234), 0);

	/* The same datagram again: a duplicate, answered afresh. */
	kt_rx_req(test);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_RX_DUPLICATE), 1);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_RX_REQUESTS), 1);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_TX_ERRORS), 2);
	KUNIT_EXPECT_EQ(test, kcoap_dedup_count(&c->kn->dedup), 1);
	/* The same Message ID from another port: another request. */
	kt_rx(test, c->buf, len, 40001);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_RX_REQUESTS), 2);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_RX_DUPLICATE), 1);
	KUNIT_EXPECT_EQ(test, kcoap_dedup_count(&c->kn->dedup), 2);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_RX_DATAGRAMS), 3);

	/* The answer to a POST is kept: a duplicate must not act twice. */
	kt_req(c, COAP_TYPE_CON, COAP_CODE_POST, 0x1235);
	kt_path(c, "/temp");
	kt_rx_req(test);
	KUNIT_ASSERT_GT(test, kt_cached4(test, 40000, 0x1235), 0);
	KUNIT_EXPECT_EQ(test, c->rep->type, COAP_TYPE_ACK);
	KUNIT_EXPECT_EQ(test, c->rep->code, COAP_CODE_METHOD_NOT_ALLOWED);
	KUNIT_EXPECT_EQ(test, c->rep->mid, 0x1235);
	KUNIT_EXPECT_MEMEQ(test, coap_token(c->rep), kt_token, sizeof(kt_token));
}

/* RFC 7252 §4.6: larger than max-message-size is dropped, unread. */
static void kcoap_receive_oversize(struct kunit *test)
{
	struct kt_serve *c = test->priv;
	u8 *big = kunit_kzalloc(test, 2000, GFP_KERNEL);
	int len;

	KUNIT_ASSERT_NOT_NULL(test, big);
	kt_add_temp(test);
	kt_get(c, "/temp");
	len = coap_build_end(&c->b);
	memcpy(big, c->buf, len);
	big[len] = 0xff;			/* a payload up to the size */
	kt_rx(test, big, c->kn->cfg.max_msg_size + 1, 40000);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_RX_OVERSIZE), 1);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_RX_REQUESTS), 0);
	kt_rx(test, big, c->kn->cfg.max_msg_size, 40000);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_RX_OVERSIZE), 1);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_RX_REQUESTS), 1);
}

/*
 * Message IDs: consecutive towards one peer (no repeat before 65536), from
 * counters that other peers do not share but by a keyed-hash chance.
 */
static void kcoap_mid_per_peer(struct kunit *test)
{
	struct kt_serve *c = test->priv;
	struct kcoap_peer p = {
		.family = AF_INET, .addr.v4 = KT_PEER4, .port = htons(40000),
	};
	int i, next = 0;
	u16 a, b;

	a = kcoap_new_mid(c->kn, &p);
	b = kcoap_new_mid(c->kn, &p);
	KUNIT_EXPECT_EQ(test, (u16)(a + 1), b);
	/* 64 other ports: about 64/1024 of them share its counter. */
	for (i = 1; i <= 64; i++) {
		p.port = htons(40000 + i);
		if (kcoap_new_mid(c->kn, &p) == (u16)(b + 1 + next))
			next++;
	}
	KUNIT_EXPECT_LT(test, next, 4);
}

static void kcoap_receive_non(struct kunit *test)
{
	struct kt_serve *c = test->priv;

	kt_add_temp(test);
	kt_req(c, COAP_TYPE_NON, COAP_CODE_GET, 0x0042);
	kt_path(c, "/temp");
	kt_rx_req(test);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_RX_REQUESTS), 1);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_TX_ERRORS), 1);
	/* Remembered without a reply; a repeat is dropped unanswered. */
	KUNIT_EXPECT_EQ(test, kt_cached4(test, 40000, 0x0042), 0);
	kt_rx_req(test);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_RX_DUPLICATE), 1);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_TX_ERRORS), 1);

	/* RFC 7967 No-Response for 2.xx: nothing is sent. */
	kt_req(c, COAP_TYPE_NON, COAP_CODE_GET, 0x0043);
	kt_path(c, "/temp");
	coap_build_opt_uint(&c->b, COAP_OPT_NO_RESPONSE, 2);
	kt_rx_req(test);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_RX_REQUESTS), 2);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_TX_ERRORS), 1);
	/* A CON is acknowledged all the same, with an empty ACK. */
	kt_req(c, COAP_TYPE_CON, COAP_CODE_GET, 0x0044);
	kt_path(c, "/temp");
	coap_build_opt_uint(&c->b, COAP_OPT_NO_RESPONSE, 2);
	kt_rx_req(test);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_TX_ERRORS), 2);
	/* Remembered; as for any GET, the ACK is not kept but made again. */
	KUNIT_EXPECT_EQ(test, kt_cached4(test, 40000, 0x0044), 0);
	kt_rx_req(test);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_RX_DUPLICATE), 2);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_TX_ERRORS), 3);
}

/* Pings, malformed datagrams, stray ACKs and responses. */
static void kcoap_receive_not_requests(struct kunit *test)
{
	static const u8 ping[] = { 0x40, 0x00, 0x12, 0x34 };
	static const u8 ack[] = { 0x60, 0x00, 0x12, 0x34 };
	static const u8 con_response[] = { 0x40, 0x45, 0x12, 0x35 };
	static const u8 version2[] = { 0x80, 0x01, 0x00, 0x01 };
	static const u8 tkl9[] = { 0x49, 0x01, 0x00, 0x02, 1, 2, 3, 4, 5, 6,
				   7, 8, 9 };
	static const u8 non_truncated[] = { 0x54, 0x01, 0x00, 0x03, 1 };
	/* GET with critical option 9, which nobody defined. */
	static const u8 unknown_crit[] = { 0x40, 0x01, 0x00, 0x04, 0x91, 'x' };
	struct kt_serve *c = test->priv;
	int i;

	kt_rx(test, ping, sizeof(ping), 40000);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_RX_PING), 1);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_TX_ERRORS), 1);	/* RST */

	kt_rx(test, ack, sizeof(ack), 40000);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_RX_STRAY), 1);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_TX_ERRORS), 1);
	kt_rx(test, con_response, sizeof(con_response), 40000);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_RX_STRAY), 2);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_TX_ERRORS), 2);	/* RST */

	kt_rx(test, version2, sizeof(version2), 40000);
	kt_rx(test, ping, 3, 40000);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_RX_DROPPED), 2);

	kt_rx(test, tkl9, sizeof(tkl9), 40000);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_RX_FORMAT_ERROR), 1);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_TX_ERRORS), 3);	/* RST */
	kt_rx(test, non_truncated, sizeof(non_truncated), 40000);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_RX_FORMAT_ERROR), 2);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_TX_ERRORS), 3);

	kt_rx(test, unknown_crit, sizeof(unknown_crit), 40000);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_RX_BAD_OPTION), 1);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_TX_ERRORS), 4);	/* 4.02 */

	/* More options than the codec keeps. */
	kt_req(c, COAP_TYPE_CON, COAP_CODE_GET, 0x0005);
	for (i = 0; i <= COAP_MAX_OPTS; i++)
		coap_build_opt(&c->b, COAP_OPT_URI_PATH, "p", 1);
	kt_rx_req(test);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_RX_TOO_MANY_OPTIONS), 1);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_TX_ERRORS), 5);	/* 4.00 */

	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_RX_DATAGRAMS), 9);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_RX_REQUESTS), 0);
	KUNIT_EXPECT_EQ(test, kcoap_dedup_count(&c->kn->dedup), 0);
}

static void kcoap_receive_ipv6(struct kunit *test)
{
	struct kt_serve *c = test->priv;
	struct sk_buff *skb;
	int len;

	kt_add_temp(test);
	kt_get(c, "/temp");
	len = coap_build_end(&c->b);
	KUNIT_ASSERT_GT(test, len, 0);
	skb = kt_skb(test, true, 0, 50000, c->buf, len);
	local_bh_disable();
	rcu_read_lock();
	kcoap_receive(c->kn, skb);
	rcu_read_unlock();
	local_bh_enable();
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_RX_IPV6), 1);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_RX_IPV4), 0);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_RX_REQUESTS), 1);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_TX_ERRORS), 1);
	/* Keyed by the IPv6 source address, not a v4-mapped one; a GET: no reply. */
	KUNIT_EXPECT_EQ(test, kt_cached(test, &kt_peer6, 50000, 0x1234), 0);
	KUNIT_EXPECT_EQ(test, kt_cached4(test, 50000, 0x1234), -1);
}

static void kcoap_receive_unhandled(struct kunit *test)
{
	const struct kt_res r = {
		.path = "/actuator", .max_age = 60, .nrepr = 1,
		.methods = KCOAP_METHOD_GET | KCOAP_METHOD_PUT,
		.repr = { { COAP_CF_TEXT_PLAIN, "off", 3 } },
	};
	struct kt_serve *c = test->priv;

	kt_add(test, &r);
	kt_req(c, COAP_TYPE_CON, COAP_CODE_PUT, 0x0100);
	kt_path(c, "/actuator");
	coap_build_payload(&c->b, "on", 2);
	kt_rx_req(test);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_RX_REQUESTS), 1);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_RX_UNHANDLED), 1);
	KUNIT_ASSERT_GT(test, kt_cached4(test, 40000, 0x0100), 0);
	KUNIT_EXPECT_EQ(test, c->rep->code, COAP_CODE_SERVICE_UNAVAILABLE);
}

/* RFC 7252 §8.1: to a group, only NON requests, and only when enabled. */
static void kcoap_receive_multicast(struct kunit *test)
{
	struct kt_serve *c = test->priv;
	__be32 group = htonl(0xe00001bb);	/* 224.0.1.187, All CoAP Nodes */
	struct sk_buff *skb;
	int len, i;

	kt_add_temp(test);
	for (i = 0; i < 4; i++) {
		c->kn->cfg.multicast = i >= 2;
		kt_req(c, i & 1 ? COAP_TYPE_CON : COAP_TYPE_NON, COAP_CODE_GET,
		       0x0200 + i);
		kt_path(c, "/temp");
		len = coap_build_end(&c->b);
		KUNIT_ASSERT_GT(test, len, 0);
		skb = kt_skb(test, false, group, 40000, c->buf, len);
		local_bh_disable();
		rcu_read_lock();
		kcoap_receive(c->kn, skb);
		rcu_read_unlock();
		local_bh_enable();
	}
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_RX_MULTICAST), 4);
	/* Only the NON with multicast enabled was served. */
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_RX_REQUESTS), 1);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_TX_ERRORS), 1);
	KUNIT_EXPECT_EQ(test, kt_cached4(test, 40000, 0x0202), 0);
	KUNIT_EXPECT_EQ(test, kt_cached4(test, 40000, 0x0203), -1);
}

/* The ETag of a /.well-known/core answer, which must have one. */
static u32 kt_wk_etag(struct kunit *test, const struct coap_msg *m)
{
	const struct coap_opt *o = coap_opt_find(m, COAP_OPT_ETAG);
	const u8 *v;

	KUNIT_ASSERT_NOT_NULL(test, o);
	KUNIT_ASSERT_EQ(test, o->len, KCOAP_ETAG_LEN);
	v = coap_opt_value(m, o);
	return (u32)v[0] << 24 | (u32)v[1] << 16 | (u32)v[2] << 8 | v[3];
}

/* Replace @path's state with @r's, as resource-set does. */
static void kt_replace(struct kunit *test, const struct kt_res *r)
{
	struct kt_serve *c = test->priv;
	struct kcoap_res_state *st = kt_res_state(test, c->kn, r);
	struct kcoap_resource *res;

	mutex_lock(&c->kn->lock);
	res = kcoap_res_lookup(&c->kn->res, r->path, strlen(r->path));
	if (res)
		kcoap_res_replace(c->kn, res, st);
	else
		kcoap_res_state_free(st);
	mutex_unlock(&c->kn->lock);
	KUNIT_ASSERT_NOT_NULL(test, res);
}

/*
 * The link document is rendered once per change of the table that
 * changes a link, never per request: not for blocks, filters, or a block
 * past the end; and its ETag changes with it (RFC 7959 §2.4).
 */
static void kcoap_serve_wellknown_cached(struct kunit *test)
{
	const char *doc = KT_LINK_TEMP "," KT_LINK_LIGHT "," KT_LINK_CFG ","
			  KT_LINK_BIG;
	const struct kt_res temp2 = {
		.path = "/temp", .rt = "temperature-c", .max_age = 30,
		.obs = true, .nrepr = 1,
		.repr = { { COAP_CF_TEXT_PLAIN, "22.0", 4 } },
	};
	const struct kt_res temp3 = {
		.path = "/temp", .rt = "temperature-k", .max_age = 30,
		.obs = true, .nrepr = 1,
		.repr = { { COAP_CF_TEXT_PLAIN, "295.1", 5 } },
	};
	struct kt_serve *c = test->priv;
	struct kcoap_resource *res;
	const struct coap_msg *m;
	struct coap_block blk;
	u8 got[256];
	size_t off = 0;
	u64 renders;
	u32 etag, num;

	KUNIT_ASSERT_LT(test, strlen(doc), sizeof(got));
	kt_add_links(test);
	renders = kt_stat(test, KCOAP_STAT_WK_RENDERS);
	KUNIT_EXPECT_EQ(test, renders, 4);

	/* The whole document in 16-byte blocks, each with the same ETag. */
	kt_wk(c, NULL);
	m = kt_expect(test, COAP_CODE_CONTENT);
	etag = kt_wk_etag(test, m);
	for (num = 0; ; num++) {
		kt_wk(c, NULL);
		kt_block2(c, num, 0);
		m = kt_expect(test, COAP_CODE_CONTENT);
		KUNIT_EXPECT_EQ(test, kt_wk_etag(test, m), etag);
		KUNIT_ASSERT_EQ(test, coap_block_get(m, COAP_OPT_BLOCK2, &blk), 0);
		KUNIT_ASSERT_LE(test, off + m->payload_len, strlen(doc));
		memcpy(got + off, m->payload, m->payload_len);
		off += m->payload_len;
		if (!blk.more)
			break;
	}
	KUNIT_EXPECT_EQ(test, off, strlen(doc));
	KUNIT_EXPECT_MEMEQ(test, got, doc, strlen(doc));
	/* Filtered, in blocks too: the matching links only. */
	kt_wk(c, "rt=*");
	kt_block2(c, 1, 0);
	m = kt_expect(test, COAP_CODE_CONTENT);
	kt_expect_payload(test, m, (KT_LINK_TEMP "," KT_LINK_LIGHT) + 16, 16);
	/* Past the end, and at the largest NUM: 4.02, and nothing rendered. */
	kt_wk(c, NULL);
	kt_block2(c, num + 1, 0);
	kt_expect(test, COAP_CODE_BAD_OPTION);
	kt_wk(c, NULL);
	kt_block2(c, COAP_BLOCK_MAX_NUM, 0);
	kt_expect(test, COAP_CODE_BAD_OPTION);
	kt_wk(c, "rt=*");
	kt_block2(c, COAP_BLOCK_MAX_NUM, 0);
	kt_expect(test, COAP_CODE_BAD_OPTION);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_WK_RENDERS), renders);

	/* A new value that leaves the link as it is: nothing to render. */
	kt_replace(test, &temp2);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_WK_RENDERS), renders);
	kt_wk(c, NULL);
	KUNIT_EXPECT_EQ(test, kt_wk_etag(test, kt_expect(test, COAP_CODE_CONTENT)),
			etag);
	/* A new resource type: a new document with a new ETag. */
	kt_replace(test, &temp3);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_WK_RENDERS), renders + 1);
	kt_wk(c, "rt=temperature-k");
	m = kt_expect(test, COAP_CODE_CONTENT);
	KUNIT_EXPECT_NE(test, kt_wk_etag(test, m), etag);
	kt_expect_payload(test, m, "</temp>;rt=\"temperature-k\";ct=0;obs",
			  strlen("</temp>;rt=\"temperature-k\";ct=0;obs"));
	/* A deletion too. */
	mutex_lock(&c->kn->lock);
	res = kcoap_res_lookup(&c->kn->res, "/temp", 5);
	if (res)
		kcoap_res_del(c->kn, res);
	mutex_unlock(&c->kn->lock);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_WK_RENDERS), renders + 2);
	kt_expect_links(test, NULL, KT_LINK_LIGHT "," KT_LINK_CFG "," KT_LINK_BIG);
}

/* wellknown-max-size: whole links up to it, the rest left out and counted. */
static void kcoap_serve_wellknown_truncated(struct kunit *test)
{
	const struct kt_res odd = { .path = "/a,b;c>d", .max_age = 60 };
	struct kt_serve *c = test->priv;

	kt_add_links(test);
	/* Paths that would end a link are percent-encoded (RFC 6690 §2). */
	kt_add(test, &odd);
	kt_expect_links(test, "href=/a,b*", "</a%2Cb%3Bc%3Ed>");
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_WK_TRUNCATED), 0);

	mutex_lock(&c->kn->lock);
	c->kn->cfg.wk_max_size = strlen(KT_LINK_TEMP "," KT_LINK_LIGHT) + 3;
	kcoap_wk_render(c->kn);
	mutex_unlock(&c->kn->lock);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_WK_TRUNCATED), 1);
	kt_expect_links(test, NULL, KT_LINK_TEMP "," KT_LINK_LIGHT);
	kt_expect_links(test, "ct=42", "");
}

static struct kunit_case kcoap_serve_cases[] = {
	KUNIT_CASE(kcoap_serve_con_piggybacked),
	KUNIT_CASE(kcoap_serve_non_response),
	KUNIT_CASE(kcoap_serve_max_age),
	KUNIT_CASE(kcoap_serve_accept),
	KUNIT_CASE(kcoap_serve_etag_valid),
	KUNIT_CASE(kcoap_serve_block2),
	KUNIT_CASE(kcoap_serve_block2_reassemble),
	KUNIT_CASE(kcoap_serve_not_found),
	KUNIT_CASE(kcoap_serve_method_not_allowed),
	KUNIT_CASE(kcoap_serve_unavailable),
	KUNIT_CASE(kcoap_serve_proxy),
	KUNIT_CASE(kcoap_serve_wellknown_links),
	KUNIT_CASE(kcoap_serve_wellknown_multicast),
	KUNIT_CASE(kcoap_serve_wellknown_block2),
	KUNIT_CASE(kcoap_serve_wellknown_cached),
	KUNIT_CASE(kcoap_serve_wellknown_truncated),
	KUNIT_CASE(kcoap_receive_get),
	KUNIT_CASE(kcoap_receive_oversize),
	KUNIT_CASE(kcoap_mid_per_peer),
	KUNIT_CASE(kcoap_receive_non),
	KUNIT_CASE(kcoap_receive_not_requests),
	KUNIT_CASE(kcoap_receive_ipv6),
	KUNIT_CASE(kcoap_receive_unhandled),
	KUNIT_CASE(kcoap_receive_multicast),
	{}
};

static struct kunit_suite kcoap_serve_suite = {
	.name = "kcoap_serve",
	.init = kt_serve_init,
	.test_cases = kcoap_serve_cases,
};

kunit_test_suite(kcoap_serve_suite);
