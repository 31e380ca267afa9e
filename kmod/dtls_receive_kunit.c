// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * KUnit tests of the coaps datagram path: kcoap_dtls_receive() on built
 * skbs, with the namespace's real handshake and session table and record
 * layer, and what it would send (kcoap_xmit()) and hand up
 * (kcoap_dtls_hand_up()) caught. A "client" session with the mirror keys
 * seals what the client sends and opens what the kernel answers.
 */
#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <net/ip.h>

#include "kunit_net.h"
#include "coap.h"
#include "daemon.h"
#include "dtls.h"
#include "dtls_path.h"

#define KT_CLI4	htonl(0xc0000202)	/* 192.0.2.2 */
#define KT_GW4	htonl(0xc0000201)	/* 192.0.2.1 */
#define KT_SPORT	40000

struct kt_dtls {
	struct kcoap_net *kn;
	struct kcoap_peer peer;		/* the client, as an skb gives it */
	u16 sport;			/* its source port: KT_SPORT, or moved */
	/* What went out (kcoap_xmit) and up (kcoap_dtls_hand_up). */
	unsigned int sent, up;
	bool sent_dtls;
	u32 up_id;
	struct kcoap_peer to;
	u8 out[2048];
	size_t out_len;
	struct kcoap_dtls_sess *cli;	/* the client's side of the session */
};

static int kt_xmit(struct kcoap_net *kn, const struct kcoap_peer *p,
		   const void *buf, size_t len, bool dtls)
{
	struct kt_dtls *c = kunit_get_current_test()->priv;

	c->sent++;
	c->sent_dtls = dtls;
	c->to = *p;
	c->out_len = min(len, sizeof(c->out));
	memcpy(c->out, buf, c->out_len);
	return 0;
}

static int kt_hand_up(struct kcoap_net *kn, const struct kcoap_peer *p,
		      u32 id, const void *data, u32 len)
{
	struct kt_dtls *c = kunit_get_current_test()->priv;

	c->up++;
	c->up_id = id;
	c->out_len = min_t(size_t, len, sizeof(c->out));
	memcpy(c->out, data, c->out_len);
	return 0;
}

static void kt_dtls_exit(void *p)
{
	kcoap_dtls_net_exit(p);
}

static int kt_dtls_init(struct kunit *test)
{
	struct kt_dtls *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	struct kcoap_net *kn;

	if (!c)
		return -ENOMEM;
	test->priv = c;
	kn = kt_net_new(test);
	c->kn = kn;
	kn->cfg.dtls_port = 5684;
	kn->cfg.dtls_max_sessions = 16;
	kn->cfg.dtls_max_handshakes = 16;
	kn->cfg.dtls_handshake_timeout = 60;
	kn->cfg.dtls_idle_timeout = 3600;
	if (!kn->dtls) {
		KUNIT_ASSERT_EQ(test, kcoap_dtls_net_init(kn), 0);
		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kt_dtls_exit, kn), 0);
	}
	c->peer.family = AF_INET;
	c->peer.addr.v4 = KT_CLI4;
	c->peer.local.v4 = KT_GW4;
	c->peer.port = htons(KT_SPORT);
	c->peer.local_port = htons(5684);
	c->sport = KT_SPORT;
	kunit_activate_static_stub(test, kcoap_xmit, kt_xmit);
	kunit_activate_static_stub(test, kcoap_dtls_hand_up, kt_hand_up);
	return 0;
}

/* @len bytes from the client to the coaps socket, as encap_rcv gets them. */
static void kt_rx(struct kunit *test, const void *data, size_t len)
{
	struct kt_dtls *c = test->priv;
	size_t nh = sizeof(struct iphdr);
	struct sk_buff *skb = alloc_skb(LL_MAX_HEADER + nh + sizeof(struct udphdr) +
					len, GFP_KERNEL);
	struct udphdr *uh;
	struct iphdr *iph;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, LL_MAX_HEADER);
	skb_reset_network_header(skb);
	iph = skb_put_zero(skb, nh);
	iph->version = 4;
	iph->ihl = 5;
	iph->tot_len = htons(nh + sizeof(*uh) + len);
	iph->ttl = 64;
	iph->protocol = IPPROTO_UDP;
	iph->saddr = KT_CLI4;
	iph->daddr = KT_GW4;
	skb->protocol = htons(ETH_P_IP);
	skb_set_transport_header(skb, nh);
	uh = skb_put_zero(skb, sizeof(*uh));
	uh->source = htons(c->sport);
	uh->dest = htons(5684);
	uh->len = htons(sizeof(*uh) + len);
	skb_put_data(skb, data, len);
	skb_pull(skb, nh);
	c->sent = 0;
	c->up = 0;
	local_bh_disable();
	rcu_read_lock();
	kcoap_dtls_receive(c->kn, skb);
	rcu_read_unlock();
	local_bh_enable();
}

static u64 kt_stat(struct kunit *test, enum kcoap_stat id)
{
	struct kt_dtls *c = test->priv;
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(c->kn->stats, cpu)->cnt[id];
	return sum;
}

/* A minimal ClientHello (RFC 6347 §4.2.2) with @cookie; its length. */
static size_t kt_hello(u8 *buf, const u8 *cookie, u8 clen)
{
	u8 *b = buf + KCOAP_DTLS_HDR_LEN + KCOAP_DTLS_HS_HDR_LEN;
	size_t n = 0;

	b[n++] = 0xfe;
	b[n++] = 0xfd;
	memset(b + n, 0x5a, 32);
	n += 32;
	b[n++] = 0;				/* no session_id */
	b[n++] = clen;
	memcpy(b + n, cookie, clen);
	n += clen;
	memcpy(b + n, "\x00\x02\xc0\xa8\x01\x00", 6);
	n += 6;
	buf[KCOAP_DTLS_HDR_LEN] = KCOAP_DTLS_HS_CLIENT_HELLO;
	kcoap_put_be24(n, buf + KCOAP_DTLS_HDR_LEN + 1);
	kcoap_put_be16(clen ? 1 : 0, buf + KCOAP_DTLS_HDR_LEN + 4);
	kcoap_put_be24(0, buf + KCOAP_DTLS_HDR_LEN + 6);
	kcoap_put_be24(n, buf + KCOAP_DTLS_HDR_LEN + 9);
	buf[0] = KCOAP_DTLS_CT_HANDSHAKE;
	kcoap_put_be16(KCOAP_DTLS_VERSION_10, buf + 1);
	kcoap_put_be16(0, buf + 3);
	kcoap_put_be48(clen ? 1 : 0, buf + 5);
	kcoap_put_be16(KCOAP_DTLS_HS_HDR_LEN + n, buf + 11);
	return KCOAP_DTLS_HDR_LEN + KCOAP_DTLS_HS_HDR_LEN + n;
}

/* The cookie exchange, up to the handshake entry; returns it. */
static struct kcoap_dtls_sess *kt_handshake(struct kunit *test)
{
	struct kt_dtls *c = test->priv;
	u8 buf[256], cookie[KCOAP_DTLS_COOKIE_LEN];
	struct kcoap_dtls_sess *s;
	size_t n;

	n = kt_hello(buf, NULL, 0);
	kt_rx(test, buf, n);
	KUNIT_ASSERT_EQ(test, c->sent, 1);
	KUNIT_ASSERT_EQ(test, c->out_len, KCOAP_DTLS_HVR_LEN);
	memcpy(cookie, c->out + KCOAP_DTLS_HVR_LEN - sizeof(cookie), sizeof(cookie));
	n = kt_hello(buf, cookie, sizeof(cookie));
	kt_rx(test, buf, n);
	KUNIT_ASSERT_EQ(test, c->up, 1);
	rcu_read_lock();
	s = kcoap_dtls_find(c->kn, &c->peer);
	rcu_read_unlock();
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_EQ(test, c->up_id, s->id);
	return s;
}

/* No state: a HelloVerifyRequest and nothing else (RFC 6347 §4.2.1). */
static void kcoap_dtls_rx_hello(struct kunit *test)
{
	struct kt_dtls *c = test->priv;
	struct kcoap_dtls_sess *s;
	u8 buf[256];
	size_t n = kt_hello(buf, NULL, 0);

	kt_rx(test, buf, n);
	KUNIT_EXPECT_EQ(test, c->sent, 1);
	KUNIT_EXPECT_TRUE(test, c->sent_dtls);
	KUNIT_EXPECT_TRUE(test, c->to.addr.v4 == KT_CLI4);
	KUNIT_EXPECT_TRUE(test, c->to.port == htons(KT_SPORT));
	KUNIT_EXPECT_EQ(test, c->out[0], KCOAP_DTLS_CT_HANDSHAKE);
	KUNIT_EXPECT_EQ(test, c->out[13], KCOAP_DTLS_HS_HELLO_VERIFY);
	KUNIT_EXPECT_EQ(test, c->up, 0);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_DTLS_HELLO_VERIFY), 1);
	rcu_read_lock();
	s = kcoap_dtls_find(c->kn, &c->peer);
	rcu_read_unlock();
	KUNIT_EXPECT_NULL(test, s);
	/* A wrong cookie: another HelloVerifyRequest, counted. */
	n = kt_hello(buf, (const u8 *)"0123456789abcdef", 16);
	kt_rx(test, buf, n);
	KUNIT_EXPECT_EQ(test, c->sent, 1);
	KUNIT_EXPECT_EQ(test, c->up, 0);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_DTLS_COOKIE_BAD), 1);
	/* Not a ClientHello, from nobody: dropped. */
	buf[0] = KCOAP_DTLS_CT_APPDATA;
	kt_rx(test, buf, n);
	KUNIT_EXPECT_EQ(test, c->sent + c->up, 0);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_DTLS_NO_SESSION), 1);
}

/* The cookie'd ClientHello and every later datagram of it go up. */
static void kcoap_dtls_rx_handshake(struct kunit *test)
{
	struct kt_dtls *c = test->priv;
	struct kcoap_dtls_sess *s = kt_handshake(test);
	static const u8 ccs[] = {
		KCOAP_DTLS_CT_CCS, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 3, 0, 1, 1,
	};

	KUNIT_EXPECT_EQ(test, s->state, KCOAP_DTLS_HANDSHAKE);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_DTLS_HANDED_UP), 1);
	KUNIT_EXPECT_EQ(test, c->out[0], KCOAP_DTLS_CT_HANDSHAKE);
	kt_rx(test, ccs, sizeof(ccs));
	KUNIT_EXPECT_EQ(test, c->up, 1);
	KUNIT_EXPECT_EQ(test, c->up_id, s->id);
	KUNIT_EXPECT_MEMEQ(test, c->out, ccs, sizeof(ccs));
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_DTLS_HANDED_UP), 2);
	/* The daemon's flight goes to that peer, and only to a known id. */
	c->sent = 0;
	rcu_read_lock();
	kcoap_dtls_send_raw(c->kn, s->id, ccs, sizeof(ccs));
	kcoap_dtls_send_raw(c->kn, s->id + 1, ccs, sizeof(ccs));
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, c->sent, 1);
	KUNIT_EXPECT_TRUE(test, c->to.addr.v4 == KT_CLI4);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_DTLS_RAW_REFUSED), 1);
}

static const u8 kt_key_c2s[16] = "client to serv.";
static const u8 kt_key_s2c[16] = "server to clien";

/* Connection IDs (RFC 9146): ours, and the client's. */
static const u8 kt_cid[KCOAP_DTLS_CID_LEN] = "kunitci";
static const u8 kt_cli_cid[3] = { 0xc0, 0xff, 0xee };

/*
 * The handshake done: keys in, as session-add puts them; the client's.
 * With @cid, the session has our CID and the client's, and the client
 * seals tls12_cid records.
 */
static struct kcoap_dtls_sess *kt_established_cid(struct kunit *test, bool cid)
{
	struct kt_dtls *c = test->priv;
	struct kcoap_dtls_sess *s = kt_handshake(test);
	struct kcoap_dtls_keys k = {
		.id = s->id, .suite = KCOAP_DTLS_AES_128_CCM_8, .epoch = 1,
		.keylen = 16, .rx_salt = "c2s", .tx_salt = "s2c",
		.identity = "kunit",
	};
	struct kcoap_dtls_sess *cli;

	if (cid) {
		k.cid = kt_cid;
		k.peer_cid = kt_cli_cid;
		k.peer_cid_len = sizeof(kt_cli_cid);
	}
	memcpy(k.rx_key, kt_key_c2s, 16);
	memcpy(k.tx_key, kt_key_s2c, 16);
	KUNIT_ASSERT_EQ(test, kcoap_dtls_establish(c->kn, &k, NULL), 0);
	cli = kunit_kzalloc(test, sizeof(*cli), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cli);
	spin_lock_init(&cli->lock);
	cli->state = KCOAP_DTLS_ESTABLISHED;
	cli->suite = KCOAP_DTLS_AES_128_CCM_8;
	cli->epoch = 1;
	KUNIT_ASSERT_EQ(test, kcoap_dtls_dir_init(&cli->tx, cli->suite, kt_key_c2s,
						  16, (const u8 *)"c2s", 0), 0);
	KUNIT_ASSERT_EQ(test, kcoap_dtls_dir_init(&cli->rx, cli->suite, kt_key_s2c,
						  16, (const u8 *)"s2c", 0), 0);
	if (cid) {
		cli->cid_len = sizeof(kt_cli_cid);
		memcpy(cli->cid, kt_cli_cid, sizeof(kt_cli_cid));
		cli->peer_cid = (u8 *)kt_cid;
		cli->peer_cid_len = sizeof(kt_cid);
	}
	c->cli = cli;
	return s;
}

static struct kcoap_dtls_sess *kt_established(struct kunit *test)
{
	return kt_established_cid(test, false);
}

static void kt_cli_free(struct kunit *test)
{
	struct kt_dtls *c = test->priv;

	kcoap_dtls_dir_free(&c->cli->tx);
	kcoap_dtls_dir_free(&c->cli->rx);
}

/* The client seals @len bytes of @type: the record into @rec; its length. */
static int kt_seal(struct kunit *test, u8 type, const void *in, size_t len,
		   u8 *rec, size_t size)
{
	struct kt_dtls *c = test->priv;
	int n;

	local_bh_disable();
	n = kcoap_dtls_seal(c->cli, type, in, len, rec, size);
	local_bh_enable();
	KUNIT_ASSERT_GT(test, n, 0);
	return n;
}

/*
 * A GET of a kernel resource in the session: opened, served, answered in
 * a record the client opens; a replay and a forgery dropped and counted.
 */
static void kcoap_dtls_rx_session(struct kunit *test)
{
	struct kt_dtls *c = test->priv;
	static const struct kt_res r = {
		.path = "/k", .nrepr = 1, .repr = { { 0, "kv", 2 } },
	};
	static const u8 get[] = {
		0x41, COAP_CODE_GET, 0x12, 0x34, 0xab, 0xb1, 'k',
	};
	struct kcoap_dtls_sess *s = kt_established(test);
	struct coap_msg m;
	u8 rec[256], copy[256];
	size_t plen;
	u8 type;
	int n;

	kt_res_add(test, c->kn, &r);
	n = kt_seal(test, KCOAP_DTLS_CT_APPDATA, get, sizeof(get), rec, sizeof(rec));
	memcpy(copy, rec, n);
	kt_rx(test, rec, n);
	KUNIT_EXPECT_EQ(test, c->up, 0);
	KUNIT_ASSERT_EQ(test, c->sent, 1);
	KUNIT_EXPECT_TRUE(test, c->sent_dtls);
	KUNIT_EXPECT_EQ(test, c->out[0], KCOAP_DTLS_CT_APPDATA);
	local_bh_disable();
	KUNIT_ASSERT_EQ(test, kcoap_dtls_open(c->cli, c->out, c->out_len, &type, &plen), 0);
	local_bh_enable();
	KUNIT_ASSERT_EQ(test, coap_parse(&m, c->out + KCOAP_DTLS_HDR_LEN + 8, plen), 0);
	KUNIT_EXPECT_EQ(test, m.type, COAP_TYPE_ACK);
	KUNIT_EXPECT_EQ(test, m.code, COAP_CODE_CONTENT);
	KUNIT_EXPECT_EQ(test, m.mid, 0x1234);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_DTLS_RX_RECORDS), 3);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_DTLS_TX_RECORDS), 1);
	/* The same record again: the replay window drops it (§4.1.2.6). */
	kt_rx(test, copy, n);
	KUNIT_EXPECT_EQ(test, c->sent, 0);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_DTLS_REPLAYED), 1);
	/* One byte changed: it does not authenticate. */
	n = kt_seal(test, KCOAP_DTLS_CT_APPDATA, get, sizeof(get), rec, sizeof(rec));
	rec[n - 1] ^= 1;
	kt_rx(test, rec, n);
	KUNIT_EXPECT_EQ(test, c->sent, 0);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_DTLS_BAD_RECORD), 1);
	/* A handshake record of the session (renegotiation): up, as it is. */
	n = kt_seal(test, KCOAP_DTLS_CT_HANDSHAKE, "\x00\x00", 2, rec, sizeof(rec));
	kt_rx(test, rec, n);
	KUNIT_EXPECT_EQ(test, c->up, 1);
	KUNIT_EXPECT_EQ(test, c->up_id, s->id);
	KUNIT_EXPECT_MEMEQ(test, c->out, rec, n);
	kt_cli_free(test);
}

/* Two records in one datagram; then close_notify ends the session. */
static void kcoap_dtls_rx_close(struct kunit *test)
{
	struct kt_dtls *c = test->priv;
	static const u8 ping[] = { 0x40, 0, 0x00, 0x07 };	/* CON empty */
	struct kcoap_dtls_sess *s = kt_established(test);
	u32 id = s->id;
	u8 rec[256];
	int n;

	n = kt_seal(test, KCOAP_DTLS_CT_APPDATA, ping, sizeof(ping), rec, sizeof(rec));
	n += kt_seal(test, KCOAP_DTLS_CT_ALERT, "\x02\x0a", 2, rec + n, sizeof(rec) - n);
	kt_rx(test, rec, n);
	/* The ping's RST, sealed; the alert (not close_notify) up. */
	KUNIT_EXPECT_EQ(test, c->sent, 1);
	KUNIT_EXPECT_EQ(test, c->up, 1);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_RX_PING), 1);
	n = kt_seal(test, KCOAP_DTLS_CT_ALERT, "\x01\x00", 2, rec, sizeof(rec));
	kt_rx(test, rec, n);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_DTLS_CLOSE_NOTIFY), 1);
	rcu_read_lock();
	KUNIT_EXPECT_NULL(test, kcoap_dtls_get(c->kn, id));
	rcu_read_unlock();
	/* Nothing is sent in a session that is gone. */
	c->sent = 0;
	c->peer.session = id;
	local_bh_disable();
	KUNIT_EXPECT_EQ(test, kcoap_send(c->kn, &c->peer, ping, sizeof(ping)), -ENOTCONN);
	local_bh_enable();
	KUNIT_EXPECT_EQ(test, c->sent, 0);
	kt_cli_free(test);
}

/* A secure resource: 4.01 to plain coap, 2.05 in a session. */
static void kcoap_dtls_secure_resource(struct kunit *test)
{
	struct kt_dtls *c = test->priv;
	static const struct kt_res r = {
		.path = "/k", .secure = true, .nrepr = 1, .repr = { { 0, "kv", 2 } },
	};
	static const u8 get[] = {
		0x41, COAP_CODE_GET, 0x12, 0x35, 0xab, 0xb1, 'k',
	};
	struct coap_msg m;

	kt_res_add(test, c->kn, &r);
	c->peer.session = 0;
	local_bh_disable();
	rcu_read_lock();
	kcoap_receive_msg(c->kn, &c->peer, get, sizeof(get));
	rcu_read_unlock();
	local_bh_enable();
	KUNIT_ASSERT_EQ(test, c->sent, 1);
	KUNIT_EXPECT_FALSE(test, c->sent_dtls);
	KUNIT_ASSERT_EQ(test, coap_parse(&m, c->out, c->out_len), 0);
	KUNIT_EXPECT_EQ(test, m.code, COAP_CODE_UNAUTHORIZED);
}

/* The client opens what the kernel sent it: a tls12_cid record with its CID. */
static void kt_cli_open_cid(struct kunit *test, struct coap_msg *m)
{
	struct kt_dtls *c = test->priv;
	bool moved;
	size_t plen;
	u8 type;

	KUNIT_ASSERT_EQ(test, c->out[0], KCOAP_DTLS_CT_CID);
	KUNIT_EXPECT_MEMEQ(test, c->out + 11, kt_cli_cid, sizeof(kt_cli_cid));
	local_bh_disable();
	KUNIT_ASSERT_EQ(test, kcoap_dtls_open_cid(c->cli, c->out, c->out_len, NULL,
						  &type, &plen, &moved), 0);
	local_bh_enable();
	KUNIT_EXPECT_EQ(test, type, KCOAP_DTLS_CT_APPDATA);
	KUNIT_ASSERT_EQ(test, coap_parse(m, c->out + KCOAP_DTLS_HDR_LEN +
					 sizeof(kt_cli_cid) + 8, plen), 0);
}

/*
 * RFC 9146: a GET in a tls12_cid record is answered in one, to the
 * client's CID; from a new port it is the same session, which moves
 * there (§6, dtls-cid-migrated), and the same CoAP client: a retransmitted
 * CON is a duplicate still. A replay from a third port moves nothing.
 */
static void kcoap_dtls_rx_cid(struct kunit *test)
{
	struct kt_dtls *c = test->priv;
	static const struct kt_res r = {
		.path = "/k", .nrepr = 1, .repr = { { 0, "kv", 2 } },
	};
	static const u8 get[] = {
		0x41, COAP_CODE_GET, 0x12, 0x36, 0xab, 0xb1, 'k',
	};
	struct kcoap_dtls_sess *s = kt_established_cid(test, true);
	struct kcoap_peer moved = c->peer;
	struct coap_msg m;
	u8 rec[256], first[256];
	int n, n1;

	kt_res_add(test, c->kn, &r);
	n1 = kt_seal(test, KCOAP_DTLS_CT_APPDATA, get, sizeof(get), first,
		     sizeof(first));
	KUNIT_ASSERT_EQ(test, first[0], KCOAP_DTLS_CT_CID);
	memcpy(rec, first, n1);
	kt_rx(test, rec, n1);
	KUNIT_EXPECT_EQ(test, c->up, 0);
	KUNIT_ASSERT_EQ(test, c->sent, 1);
	KUNIT_EXPECT_TRUE(test, c->to.port == htons(KT_SPORT));
	kt_cli_open_cid(test, &m);
	KUNIT_EXPECT_EQ(test, m.code, COAP_CODE_CONTENT);
	KUNIT_EXPECT_EQ(test, m.mid, 0x1236);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_DTLS_CID_MIGRATED), 0);

	/* The NAT gives the client another port: the same CON, sent again. */
	c->sport = KT_SPORT + 1;
	moved.port = htons(c->sport);
	n = kt_seal(test, KCOAP_DTLS_CT_APPDATA, get, sizeof(get), rec, sizeof(rec));
	kt_rx(test, rec, n);
	KUNIT_ASSERT_EQ(test, c->sent, 1);
	KUNIT_EXPECT_TRUE(test, c->to.port == htons(KT_SPORT + 1));
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_DTLS_CID_MIGRATED), 1);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_RX_DUPLICATE), 1);
	kt_cli_open_cid(test, &m);
	KUNIT_EXPECT_EQ(test, m.mid, 0x1236);
	rcu_read_lock();
	KUNIT_EXPECT_PTR_EQ(test, kcoap_dtls_find(c->kn, &moved), s);
	KUNIT_EXPECT_NULL(test, kcoap_dtls_find(c->kn, &c->peer));
	rcu_read_unlock();

	/* The first record, captured and replayed from a third port. */
	c->sport = KT_SPORT + 2;
	kt_rx(test, first, n1);
	KUNIT_EXPECT_EQ(test, c->sent, 0);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_DTLS_REPLAYED), 1);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_DTLS_CID_MIGRATED), 1);
	/* The session still sends to the client's new port. */
	local_bh_disable();
	rcu_read_lock();
	moved.session = s->id;
	KUNIT_EXPECT_EQ(test, kcoap_send(c->kn, &moved, get, 4), 0);
	rcu_read_unlock();
	local_bh_enable();
	KUNIT_EXPECT_TRUE(test, c->to.port == htons(KT_SPORT + 1));
	kt_cli_free(test);
}

/*
 * Dropped and counted: a record without the CID from the session's address
 * (§3), a CID no session has, a CID record to a session without CID; a
 * retransmitted epoch 0 flight still goes up; a CID record from an address
 * whose handshake is still kcoapd's (the client's Finished) goes up too.
 */
static void kcoap_dtls_rx_cid_refused(struct kunit *test)
{
	struct kt_dtls *c = test->priv;
	static const u8 ping[] = { 0x40, 0, 0x00, 0x08 };
	static const u8 ccs[] = {
		KCOAP_DTLS_CT_CCS, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 3, 0, 1, 1,
	};
	struct kcoap_dtls_sess *s = kt_established_cid(test, true);
	u8 rec[256];
	int n;

	/* The client forgets the CID. */
	c->cli->peer_cid_len = 0;
	n = kt_seal(test, KCOAP_DTLS_CT_APPDATA, ping, sizeof(ping), rec, sizeof(rec));
	kt_rx(test, rec, n);
	KUNIT_EXPECT_EQ(test, c->sent + c->up, 0);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_DTLS_CID_EXPECTED), 1);
	kt_rx(test, ccs, sizeof(ccs));
	KUNIT_EXPECT_EQ(test, c->up, 1);
	KUNIT_EXPECT_EQ(test, c->up_id, s->id);

	/* A CID nobody has. */
	c->cli->peer_cid_len = sizeof(kt_cid);
	n = kt_seal(test, KCOAP_DTLS_CT_APPDATA, ping, sizeof(ping), rec, sizeof(rec));
	rec[11] ^= 1;
	kt_rx(test, rec, n);
	KUNIT_EXPECT_EQ(test, c->sent + c->up, 0);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_DTLS_CID_UNKNOWN), 1);
	/* Too short to hold one. */
	kt_rx(test, rec, 12);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_DTLS_CID_UNKNOWN), 2);
	/* Ours, but cut short: a bad record. */
	n = kt_seal(test, KCOAP_DTLS_CT_APPDATA, ping, sizeof(ping), rec, sizeof(rec));
	kt_rx(test, rec, n - 1);
	KUNIT_EXPECT_EQ(test, c->sent + c->up, 0);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_DTLS_BAD_RECORD), 1);
	kt_cli_free(test);
}

/*
 * In tls12_cid records: a handshake record goes up as it came (the kernel
 * opened it to learn its type, and closed it again); close_notify ends the
 * session.
 */
static void kcoap_dtls_rx_cid_close(struct kunit *test)
{
	struct kt_dtls *c = test->priv;
	struct kcoap_dtls_sess *s = kt_established_cid(test, true);
	u32 id = s->id;
	u8 rec[256];
	int n;

	n = kt_seal(test, KCOAP_DTLS_CT_HANDSHAKE, "\x14\x00\x00\x0c", 4, rec,
		    sizeof(rec));
	kt_rx(test, rec, n);
	KUNIT_ASSERT_EQ(test, c->up, 1);
	KUNIT_EXPECT_EQ(test, c->up_id, id);
	KUNIT_ASSERT_EQ(test, c->out_len, n);
	KUNIT_EXPECT_MEMEQ(test, c->out, rec, n);
	KUNIT_EXPECT_EQ(test, s->rx_records, 1);
	/* A warning alert goes up the same way. */
	n = kt_seal(test, KCOAP_DTLS_CT_ALERT, "\x01\x0a", 2, rec, sizeof(rec));
	kt_rx(test, rec, n);
	KUNIT_ASSERT_EQ(test, c->up, 1);
	KUNIT_EXPECT_MEMEQ(test, c->out, rec, n);
	n = kt_seal(test, KCOAP_DTLS_CT_ALERT, "\x01\x00", 2, rec, sizeof(rec));
	kt_rx(test, rec, n);
	KUNIT_EXPECT_EQ(test, c->up, 0);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_DTLS_CLOSE_NOTIFY), 1);
	rcu_read_lock();
	KUNIT_EXPECT_NULL(test, kcoap_dtls_get(c->kn, id));
	KUNIT_EXPECT_NULL(test, kcoap_dtls_find_cid(c->kn, kt_cid));
	rcu_read_unlock();
	kt_cli_free(test);
}

/* A session without CID gets a tls12_cid record: nothing it knows. */
static void kcoap_dtls_rx_cid_none(struct kunit *test)
{
	struct kt_dtls *c = test->priv;
	static const u8 ping[] = { 0x40, 0, 0x00, 0x09 };
	struct kcoap_dtls_sess *s = kt_established(test);
	u8 rec[256];
	int n;

	c->cli->peer_cid = (u8 *)kt_cid;
	c->cli->peer_cid_len = sizeof(kt_cid);
	n = kt_seal(test, KCOAP_DTLS_CT_APPDATA, ping, sizeof(ping), rec, sizeof(rec));
	kt_rx(test, rec, n);
	KUNIT_EXPECT_EQ(test, c->sent + c->up, 0);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_DTLS_CID_UNKNOWN), 1);
	KUNIT_EXPECT_EQ(test, s->rx_records, 0);
	kt_cli_free(test);
}

/* The client's Finished with our CID, before session-add: up, as received. */
static void kcoap_dtls_rx_cid_finished(struct kunit *test)
{
	struct kt_dtls *c = test->priv;
	struct kcoap_dtls_sess *s = kt_handshake(test);
	u8 fin[40] = { KCOAP_DTLS_CT_CID, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 0 };

	memcpy(fin + 11, kt_cid, sizeof(kt_cid));
	kcoap_put_be16(sizeof(fin) - KCOAP_DTLS_HDR_LEN - sizeof(kt_cid), fin + 19);
	kt_rx(test, fin, sizeof(fin));
	KUNIT_EXPECT_EQ(test, c->up, 1);
	KUNIT_EXPECT_EQ(test, c->up_id, s->id);
	KUNIT_EXPECT_MEMEQ(test, c->out, fin, sizeof(fin));
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_DTLS_CID_UNKNOWN), 0);
	/* From another port, which has no handshake: unknown. */
	c->sport = KT_SPORT + 1;
	kt_rx(test, fin, sizeof(fin));
	KUNIT_EXPECT_EQ(test, c->up, 0);
	KUNIT_EXPECT_EQ(test, kt_stat(test, KCOAP_STAT_DTLS_CID_UNKNOWN), 1);
}

static struct kunit_case kcoap_dtls_receive_cases[] = {
	KUNIT_CASE(kcoap_dtls_rx_hello),
	KUNIT_CASE(kcoap_dtls_rx_handshake),
	KUNIT_CASE(kcoap_dtls_rx_session),
	KUNIT_CASE(kcoap_dtls_rx_close),
	KUNIT_CASE(kcoap_dtls_secure_resource),
	KUNIT_CASE(kcoap_dtls_rx_cid),
	KUNIT_CASE(kcoap_dtls_rx_cid_refused),
	KUNIT_CASE(kcoap_dtls_rx_cid_close),
	KUNIT_CASE(kcoap_dtls_rx_cid_none),
	KUNIT_CASE(kcoap_dtls_rx_cid_finished),
	{}
};

static struct kunit_suite kcoap_dtls_receive_suite = {
	.name = "kcoap_dtls_receive",
	.init = kt_dtls_init,
	.test_cases = kcoap_dtls_receive_cases,
};

kunit_test_suite(kcoap_dtls_receive_suite);
