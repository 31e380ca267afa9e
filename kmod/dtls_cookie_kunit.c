// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * KUnit tests of the DTLS cookie exchange (RFC 6347 §4.2.1): ClientHellos
 * parsed with every length checked, cookies good for their address, port,
 * parameters and two epochs only, the HelloVerifyRequest's bytes.
 */
#include <kunit/test.h>

#include "kunit_net.h"
#include "dtls.h"
#include "dtls_path.h"

static struct kcoap_peer kt_peer(u8 last, u16 port)
{
	struct kcoap_peer p = {
		.family = AF_INET,
		.addr.v4 = htonl(0xc6336400 | last),	/* 198.51.100.last */
		.port = htons(port),
		.ifindex = 2,
	};

	return p;
}

/*
 * A ClientHello record with @cookie (@clen bytes) into @buf; its length.
 * Record sequence 0x0102030405, message_seq 0, one suite, no extensions
 * unless @ext.
 */
static size_t kt_hello(u8 *buf, const u8 *cookie, u8 clen, bool ext)
{
	u8 *hs = buf + KCOAP_DTLS_HDR_LEN, *b = hs + KCOAP_DTLS_HS_HDR_LEN;
	size_t n = 0, i;

	b[n++] = 0xfe;
	b[n++] = 0xfd;
	for (i = 0; i < 32; i++)
		b[n++] = i;			/* random */
	b[n++] = 4;				/* session_id */
	memcpy(b + n, "sess", 4);
	n += 4;
	b[n++] = clen;
	memcpy(b + n, cookie, clen);
	n += clen;
	b[n++] = 0;
	b[n++] = 4;				/* two suites */
	b[n++] = 0xc0;
	b[n++] = 0xa8;
	b[n++] = 0xc0;
	b[n++] = 0xae;
	b[n++] = 1;				/* compression: null */
	b[n++] = 0;
	if (ext) {
		b[n++] = 0;
		b[n++] = 4;
		memcpy(b + n, "\xff\x01\x00\x00", 4);	/* renegotiation_info */
		n += 4;
	}
	hs[0] = KCOAP_DTLS_HS_CLIENT_HELLO;
	kcoap_put_be24(n, hs + 1);
	kcoap_put_be16(0, hs + 4);
	kcoap_put_be24(0, hs + 6);
	kcoap_put_be24(n, hs + 9);
	buf[0] = KCOAP_DTLS_CT_HANDSHAKE;
	kcoap_put_be16(KCOAP_DTLS_VERSION_10, buf + 1);
	kcoap_put_be16(0, buf + 3);
	kcoap_put_be48(0x0102030405ULL, buf + 5);
	kcoap_put_be16(KCOAP_DTLS_HS_HDR_LEN + n, buf + 11);
	return KCOAP_DTLS_HDR_LEN + KCOAP_DTLS_HS_HDR_LEN + n;
}

static void kcoap_dtls_hello_fields(struct kunit *test)
{
	static const u8 c[20] = { 1, 2, 3 };
	struct kcoap_dtls_hello h;
	u8 buf[256];
	size_t n = kt_hello(buf, c, sizeof(c), true);

	KUNIT_ASSERT_EQ(test, kcoap_dtls_hello_parse(buf, n, &h), 0);
	KUNIT_EXPECT_EQ(test, h.rec_seq, 0x0102030405ULL);
	KUNIT_EXPECT_EQ(test, h.msg_seq, 0);
	KUNIT_EXPECT_EQ(test, h.cookie_len, sizeof(c));
	KUNIT_EXPECT_MEMEQ(test, h.cookie, c, sizeof(c));
	KUNIT_EXPECT_PTR_EQ(test, h.pre, buf + 25);
	KUNIT_EXPECT_EQ(test, h.pre_len, 2 + 32 + 1 + 4);
	KUNIT_EXPECT_EQ(test, h.post_len, 2 + 4 + 2);	/* not the extensions */
	/* A datagram may hold more records after it. */
	KUNIT_EXPECT_EQ(test, kcoap_dtls_hello_parse(buf, n + 13, &h), 0);
}

/* Every length one too long or too short, and other ways to be wrong. */
static void kcoap_dtls_hello_malformed(struct kunit *test)
{
	u8 buf[256], bad[256];
	struct kcoap_dtls_hello h;
	size_t n = kt_hello(buf, NULL, 0, false), i;
	struct {
		size_t off;
		u8 val;
		int err;
	} cases[] = {
		{ 0, KCOAP_DTLS_CT_APPDATA, -ENOENT },	/* not a handshake */
		{ 4, 1, -ENOENT },			/* epoch 1 */
		{ 13, 2, -ENOENT },			/* a ServerHello */
		{ 1, 0x03, -EBADMSG },			/* TLS, not DTLS */
		{ 12, n - 13 + 1, -EBADMSG },		/* record past the datagram */
		{ 12, 11, -EBADMSG },			/* no room for the header */
		{ 24, n - 25 + 1, -EBADMSG },		/* fragment past the record */
		{ 16, 1, -EBADMSG },			/* message shorter than fragment */
		{ 25, 0x03, -EBADMSG },			/* client_version TLS */
		{ 59, 33, -EBADMSG },			/* session_id > 32 */
		{ 59, 30, -EBADMSG },			/* session_id past the end */
		{ 64, 1, -EBADMSG },			/* cookie eats the suites */
		{ 66, 3, -EBADMSG },			/* odd suites length */
		{ 66, 0, -EBADMSG },			/* no suites */
		{ 66, 6, -EBADMSG },			/* suites past the end */
		{ 71, 0, -EBADMSG },			/* no compression method */
		{ 71, 2, -EBADMSG },			/* methods past the end */
	};

	KUNIT_ASSERT_EQ(test, n, 73);
	KUNIT_ASSERT_EQ(test, kcoap_dtls_hello_parse(buf, n, &h), 0);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		memcpy(bad, buf, n);
		bad[cases[i].off] = cases[i].val;
		KUNIT_EXPECT_EQ_MSG(test, kcoap_dtls_hello_parse(bad, n, &h),
				    cases[i].err, "case %zu", i);
	}
	/* Truncated anywhere. */
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_LT_MSG(test, kcoap_dtls_hello_parse(buf, i, &h), 0,
				    "%zu bytes", i);
	/* A fragment (§4.2.3): not reassembled, told apart from garbage. */
	memcpy(bad, buf, n);
	kcoap_put_be24(20, bad + 22);			/* fragment_length */
	KUNIT_EXPECT_EQ(test, kcoap_dtls_hello_parse(bad, n, &h), -EMSGSIZE);
	kcoap_put_be24(20, bad + 19);			/* fragment_offset */
	KUNIT_EXPECT_EQ(test, kcoap_dtls_hello_parse(bad, n, &h), -EMSGSIZE);
}

/* Good for the address, port and parameters it was made for, two epochs. */
static void kcoap_dtls_cookie_checks(struct kunit *test)
{
	struct kcoap_net *kn = kt_net_new(test);
	struct kcoap_peer p = kt_peer(7, 40000), q;
	u64 t = 1000 * KCOAP_DTLS_COOKIE_EPOCH + 5;
	u8 c[KCOAP_DTLS_COOKIE_LEN], buf[256];
	struct kcoap_dtls_hello h;
	size_t n;

	n = kt_hello(buf, NULL, 0, false);
	KUNIT_ASSERT_EQ(test, kcoap_dtls_hello_parse(buf, n, &h), 0);
	KUNIT_EXPECT_FALSE(test, kcoap_dtls_cookie_ok(kn, &p, &h, t));	/* none */
	kcoap_dtls_cookie(kn, &p, &h, t / KCOAP_DTLS_COOKIE_EPOCH, c);

	n = kt_hello(buf, c, sizeof(c), true);	/* the second ClientHello */
	KUNIT_ASSERT_EQ(test, kcoap_dtls_hello_parse(buf, n, &h), 0);
	KUNIT_EXPECT_TRUE(test, kcoap_dtls_cookie_ok(kn, &p, &h, t));
	KUNIT_EXPECT_TRUE(test, kcoap_dtls_cookie_ok(kn, &p, &h,
						     t + KCOAP_DTLS_COOKIE_EPOCH));
	/* Stale: two epochs on. */
	KUNIT_EXPECT_FALSE(test, kcoap_dtls_cookie_ok(kn, &p, &h,
						      t + 2 * KCOAP_DTLS_COOKIE_EPOCH));
	KUNIT_EXPECT_FALSE(test, kcoap_dtls_cookie_ok(kn, &p, &h,
						      t - KCOAP_DTLS_COOKIE_EPOCH));
	/* Another address, another port, an IPv6 address. */
	q = kt_peer(8, 40000);
	KUNIT_EXPECT_FALSE(test, kcoap_dtls_cookie_ok(kn, &q, &h, t));
	q = kt_peer(7, 40001);
	KUNIT_EXPECT_FALSE(test, kcoap_dtls_cookie_ok(kn, &q, &h, t));
	q.family = AF_INET6;
	q.port = p.port;
	ipv6_addr_set_v4mapped(p.addr.v4, &q.addr.v6);
	q.addr.v6.s6_addr16[5] = 0;
	KUNIT_EXPECT_FALSE(test, kcoap_dtls_cookie_ok(kn, &q, &h, t));
	/* Other parameters: the random, a suite. */
	buf[30] ^= 1;
	KUNIT_ASSERT_EQ(test, kcoap_dtls_hello_parse(buf, n, &h), 0);
	KUNIT_EXPECT_FALSE(test, kcoap_dtls_cookie_ok(kn, &p, &h, t));
	buf[30] ^= 1;
	buf[n - 8 - 2] ^= 1;			/* the second suite */
	KUNIT_ASSERT_EQ(test, kcoap_dtls_hello_parse(buf, n, &h), 0);
	KUNIT_EXPECT_FALSE(test, kcoap_dtls_cookie_ok(kn, &p, &h, t));
	buf[n - 8 - 2] ^= 1;
	/* One bit of the cookie, or a cookie of another length. */
	c[15] ^= 0x80;
	n = kt_hello(buf, c, sizeof(c), false);
	KUNIT_ASSERT_EQ(test, kcoap_dtls_hello_parse(buf, n, &h), 0);
	KUNIT_EXPECT_FALSE(test, kcoap_dtls_cookie_ok(kn, &p, &h, t));
	c[15] ^= 0x80;
	n = kt_hello(buf, c, sizeof(c) - 1, false);
	KUNIT_ASSERT_EQ(test, kcoap_dtls_hello_parse(buf, n, &h), 0);
	KUNIT_EXPECT_FALSE(test, kcoap_dtls_cookie_ok(kn, &p, &h, t));
	/* Extensions are not the cookie's business. */
	n = kt_hello(buf, c, sizeof(c), false);
	KUNIT_ASSERT_EQ(test, kcoap_dtls_hello_parse(buf, n, &h), 0);
	KUNIT_EXPECT_TRUE(test, kcoap_dtls_cookie_ok(kn, &p, &h, t));
	/* Another namespace's secret. */
	KUNIT_EXPECT_FALSE(test, kcoap_dtls_cookie_ok(kt_net_new(test), &p, &h, t));
}

/* RFC 6347 §4.2.1 and §4.2.2, byte by byte. */
static void kcoap_dtls_hvr_layout(struct kunit *test)
{
	struct kcoap_net *kn = kt_net_new(test);
	struct kcoap_peer p = kt_peer(9, 5000);
	u64 t = 77 * KCOAP_DTLS_COOKIE_EPOCH;
	static const u8 head[] = {
		KCOAP_DTLS_CT_HANDSHAKE, 0xfe, 0xff,	/* DTLS 1.0 record */
		0, 0, 0, 0x01, 0x02, 0x03, 0x04, 0x05,	/* epoch 0, the CH's seq */
		0, 31,
		KCOAP_DTLS_HS_HELLO_VERIFY, 0, 0, 19,	/* length */
		0, 0,					/* message_seq 0 */
		0, 0, 0, 0, 0, 19,			/* one whole fragment */
		0xfe, 0xff, KCOAP_DTLS_COOKIE_LEN,	/* server_version, cookie */
	};
	u8 buf[256], hvr[KCOAP_DTLS_HVR_LEN + 1], c[KCOAP_DTLS_COOKIE_LEN];
	struct kcoap_dtls_hello h;
	size_t n = kt_hello(buf, NULL, 0, false);

	BUILD_BUG_ON(sizeof(head) + KCOAP_DTLS_COOKIE_LEN != KCOAP_DTLS_HVR_LEN);
	KUNIT_ASSERT_EQ(test, kcoap_dtls_hello_parse(buf, n, &h), 0);
	memset(hvr, 0xaa, sizeof(hvr));
	kcoap_dtls_hvr(kn, &p, &h, t, hvr);
	KUNIT_EXPECT_MEMEQ(test, hvr, head, sizeof(head));
	kcoap_dtls_cookie(kn, &p, &h, t / KCOAP_DTLS_COOKIE_EPOCH, c);
	KUNIT_EXPECT_MEMEQ(test, hvr + sizeof(head), c, sizeof(c));
	KUNIT_EXPECT_EQ(test, hvr[KCOAP_DTLS_HVR_LEN], 0xaa);	/* no more */
	/* Smaller than the smallest ClientHello: no amplification. */
	KUNIT_EXPECT_LT(test, KCOAP_DTLS_HVR_LEN, n);
	/* And the client's echo of it checks. */
	n = kt_hello(buf, c, sizeof(c), false);
	KUNIT_ASSERT_EQ(test, kcoap_dtls_hello_parse(buf, n, &h), 0);
	KUNIT_EXPECT_TRUE(test, kcoap_dtls_cookie_ok(kn, &p, &h, t));
}

static struct kunit_case kcoap_dtls_cookie_cases[] = {
	KUNIT_CASE(kcoap_dtls_hello_fields),
	KUNIT_CASE(kcoap_dtls_hello_malformed),
	KUNIT_CASE(kcoap_dtls_cookie_checks),
	KUNIT_CASE(kcoap_dtls_hvr_layout),
	{}
};

static struct kunit_suite kcoap_dtls_cookie_suite = {
	.name = "kcoap_dtls_cookie",
	.test_cases = kcoap_dtls_cookie_cases,
};

kunit_test_suite(kcoap_dtls_cookie_suite);
