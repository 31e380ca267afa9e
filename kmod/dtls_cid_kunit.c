// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * KUnit tests of DTLS connection IDs (RFC 9146) in the record layer and
 * the session table: tls12_cid records made by another implementation
 * (tests/dtls-vectors.py) open, the kernel's sealed ones are byte for byte
 * python's, broken ones are refused, a record moves the peer only if it is
 * newer (§6), and a CID names one session only.
 */
#include <kunit/test.h>

#include "kunit_net.h"
#include "dtls.h"

/* Made by tests/dtls-vectors.py (python3-cryptography 38, OpenSSL 3.0). */
/* ccm8, tls12_cid: epoch 1, seq 9, real type 23, 11 bytes of plaintext, 8 of cid, 3 zeros */
static const u8 kt_cid_ccm8_get[] = {
	0x19, 0xfe, 0xfd, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09, 0xc1,
	0xd0, 0xc1, 0xd0, 0x00, 0x00, 0x00, 0x07, 0x00, 0x1f, 0x00, 0x01, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x09, 0x1e, 0x8c, 0x4a, 0x78, 0xba, 0x91, 0x78,
	0x12, 0xfc, 0x61, 0xb7, 0x30, 0x3c, 0x21, 0x77, 0xdd, 0x1f, 0x7a, 0x20,
	0x94, 0xd4, 0xe3, 0x0a,
};

/* gcm, tls12_cid: epoch 2, seq 3, real type 21, 2 bytes of plaintext, 8 of cid, 0 zeros */
static const u8 kt_cid_gcm128_close[] = {
	0x19, 0xfe, 0xfd, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xc1,
	0xd0, 0xc1, 0xd0, 0x00, 0x00, 0x00, 0x07, 0x00, 0x1b, 0x00, 0x02, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x03, 0xe3, 0xf3, 0x3d, 0x46, 0x06, 0x38, 0xab,
	0x1e, 0xad, 0x21, 0x4d, 0xc5, 0xba, 0xe1, 0xbe, 0xa3, 0x18, 0xa7, 0x0a,
};

/* ccm8, tls12_cid: epoch 1, seq 42, real type 23, 11 bytes of plaintext, 4 of cid, 0 zeros */
static const u8 kt_cid_ccm8_out[] = {
	0x19, 0xfe, 0xfd, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a, 0x0a,
	0x0b, 0x0c, 0x0d, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x2a, 0x78, 0x76, 0x77, 0x98, 0xe0, 0x17, 0xc8, 0xe3, 0x2a, 0x28, 0x71,
	0x49, 0x07, 0xde, 0x1c, 0x30, 0xc5, 0xbc, 0x70, 0x5e,
};

/* ccm, tls12_cid: epoch 1, seq 1, real type 23, 11 bytes of plaintext, 255 of cid, 0 zeros */
static const u8 kt_cid_ccm_out255[] = {
	0x19, 0xfe, 0xfd, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c,
	0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
	0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24,
	0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30,
	0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x3b, 0x3c,
	0x3d, 0x3e, 0x3f, 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48,
	0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f, 0x50, 0x51, 0x52, 0x53, 0x54,
	0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f, 0x60,
	0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c,
	0x6d, 0x6e, 0x6f, 0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78,
	0x79, 0x7a, 0x7b, 0x7c, 0x7d, 0x7e, 0x7f, 0x80, 0x81, 0x82, 0x83, 0x84,
	0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f, 0x90,
	0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b, 0x9c,
	0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8,
	0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0xb0, 0xb1, 0xb2, 0xb3, 0xb4,
	0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf, 0xc0,
	0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xcb, 0xcc,
	0xcd, 0xce, 0xcf, 0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8,
	0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xe0, 0xe1, 0xe2, 0xe3, 0xe4,
	0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xeb, 0xec, 0xed, 0xee, 0xef, 0xf0,
	0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc,
	0xfd, 0xfe, 0x00, 0x24, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0xe7, 0xb5, 0x41, 0x6d, 0x9f, 0xdb, 0xe6, 0xd4, 0xb1, 0xf2, 0xe5, 0xa1,
	0x18, 0x88, 0xb2, 0x89, 0xb2, 0x7e, 0x45, 0x86, 0x1f, 0x82, 0x36, 0x82,
	0xff, 0xb3, 0xa9, 0x82,
};

/* ccm8, tls12_cid: epoch 1, seq 10, 4 zero bytes as inner plaintext */
static const u8 kt_cid_ccm8_zeros[] = {
	0x19, 0xfe, 0xfd, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0xc1,
	0xd0, 0xc1, 0xd0, 0x00, 0x00, 0x00, 0x07, 0x00, 0x14, 0x00, 0x01, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x0a, 0x27, 0x0b, 0x01, 0xe8, 0xb9, 0xc2, 0xbc,
	0xa1, 0x1e, 0x0f, 0xb2, 0xa8,
};

static const u8 kt_cid[KCOAP_DTLS_CID_LEN] = {
	0xc1, 0xd0, 0xc1, 0xd0, 0x00, 0x00, 0x00, 0x07,
};

static const u8 kt_peer_cid[4] = { 0x0a, 0x0b, 0x0c, 0x0d };

static const u8 kt_key_ccm8[16] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
};

static const u8 kt_salt_ccm8[4] = { 0xa0, 0xa1, 0xa2, 0xa3 };
static const u8 kt_key_ccm[16] = {
	0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x96, 0x87,
	0x78, 0x69, 0x5a, 0x4b, 0x3c, 0x2d, 0x1e, 0x0f,
};

static const u8 kt_salt_ccm[4] = { 0x01, 0x02, 0x03, 0x04 };
static const u8 kt_key_gcm128[16] = {
	0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x22, 0x22,
	0x33, 0x33, 0x33, 0x33, 0x44, 0x44, 0x44, 0x44,
};

static const u8 kt_salt_gcm128[4] = { 0xde, 0xad, 0xbe, 0xef };
/* The CoAP GET of /temp the records carry. */
static const u8 kt_get[] = {
	0x44, 0x01, 0x12, 0x34, 0xab, 0xcd, 0xb4, 't', 'e', 'm', 'p',
};

static void kt_sess_free(void *p)
{
	struct kcoap_dtls_sess *s = p;

	kcoap_dtls_dir_free(&s->rx);
	kcoap_dtls_dir_free(&s->tx);
}

/*
 * A session with the keys given for both directions, which receives
 * @cid (@cid_len bytes, 0: none) and sends @peer_cid.
 */
static struct kcoap_dtls_sess *kt_sess(struct kunit *test, u8 suite, const u8 *key,
				       const u8 *salt, u16 epoch,
				       const u8 *cid, u8 cid_len,
				       const u8 *peer_cid, u8 peer_cid_len)
{
	struct kcoap_dtls_sess *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	int err;

	KUNIT_ASSERT_NOT_NULL(test, s);
	spin_lock_init(&s->lock);
	s->state = KCOAP_DTLS_ESTABLISHED;
	s->suite = suite;
	s->epoch = epoch;
	s->cid_len = cid_len;
	if (cid_len)
		memcpy(s->cid, cid, cid_len);
	s->peer_cid_len = peer_cid_len;
	s->peer_cid = (u8 *)peer_cid;
	err = kcoap_dtls_dir_init(&s->rx, suite, key, 16, salt, 0);
	if (err == -ENOENT)
		kunit_skip(test, "no AEAD for suite %u in this kernel", suite);
	KUNIT_ASSERT_EQ(test, err, 0);
	err = kcoap_dtls_dir_init(&s->tx, suite, key, 16, salt, 0);
	if (err)
		kcoap_dtls_dir_free(&s->rx);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kt_sess_free, s), 0);
	return s;
}

/* Open a copy of @rec from @from; the plaintext in *@plain. */
static int kt_open(struct kunit *test, struct kcoap_dtls_sess *s, const u8 *rec,
		   size_t len, const struct kcoap_peer *from, u8 *type,
		   const u8 **plain, size_t *plen, bool *moved)
{
	u8 *b = kunit_kmalloc(test, len ?: 1, GFP_KERNEL);
	int err;

	KUNIT_ASSERT_NOT_NULL(test, b);
	memcpy(b, rec, len);
	local_bh_disable();
	err = kcoap_dtls_open_cid(s, b, len, from, type, plen, moved);
	local_bh_enable();
	if (plain)
		*plain = b + KCOAP_DTLS_HDR_LEN + s->cid_len + 8;
	return err;
}

/* Records made by python3-cryptography open: padding gone, real type. */
static void kcoap_dtls_cid_open_foreign(struct kunit *test)
{
	struct kcoap_dtls_sess *s;
	const u8 *plain;
	size_t plen;
	u8 type;

	s = kt_sess(test, KCOAP_DTLS_AES_128_CCM_8, kt_key_ccm8, kt_salt_ccm8, 1,
		    kt_cid, sizeof(kt_cid), NULL, 0);
	KUNIT_ASSERT_EQ(test, kt_open(test, s, kt_cid_ccm8_get, sizeof(kt_cid_ccm8_get),
				      NULL, &type, &plain, &plen, NULL), 0);
	KUNIT_EXPECT_EQ(test, type, KCOAP_DTLS_CT_APPDATA);
	KUNIT_ASSERT_EQ(test, plen, sizeof(kt_get));
	KUNIT_EXPECT_MEMEQ(test, plain, kt_get, sizeof(kt_get));
	KUNIT_EXPECT_EQ(test, s->rx.seq, 10);

	s = kt_sess(test, KCOAP_DTLS_AES_128_GCM, kt_key_gcm128, kt_salt_gcm128, 2,
		    kt_cid, sizeof(kt_cid), NULL, 0);
	KUNIT_ASSERT_EQ(test, kt_open(test, s, kt_cid_gcm128_close,
				      sizeof(kt_cid_gcm128_close), NULL, &type,
				      &plain, &plen, NULL), 0);
	KUNIT_EXPECT_EQ(test, type, KCOAP_DTLS_CT_ALERT);
	KUNIT_ASSERT_EQ(test, plen, 2);
	KUNIT_EXPECT_EQ(test, plain[0], 1);
	KUNIT_EXPECT_EQ(test, plain[1], 0);
}

/*
 * Refused: another CID, a truncated record, a plaintext of zeros (no real
 * type), a changed byte, a session without CID, an RFC 6347 record, a
 * replay.
 */
static void kcoap_dtls_cid_open_bad(struct kunit *test)
{
	struct kcoap_dtls_sess *s, *plain_s;
	size_t len = sizeof(kt_cid_ccm8_get), plen;
	u8 rec[sizeof(kt_cid_ccm8_get)];
	unsigned int i;
	u8 type;

	s = kt_sess(test, KCOAP_DTLS_AES_128_CCM_8, kt_key_ccm8, kt_salt_ccm8, 1,
		    kt_cid, sizeof(kt_cid), NULL, 0);
	/* Each byte the record authenticates, its CID among them. */
	for (i = 0; i < len; i++) {
		memcpy(rec, kt_cid_ccm8_get, len);
		rec[i] ^= 0x40;
		KUNIT_EXPECT_EQ_MSG(test, kt_open(test, s, rec, len, NULL, &type,
						  NULL, &plen, NULL), -EBADMSG,
				    "byte %u", i);
	}
	KUNIT_EXPECT_EQ(test, kt_open(test, s, kt_cid_ccm8_get, len - 1, NULL, &type,
				      NULL, &plen, NULL), -EBADMSG);
	KUNIT_EXPECT_EQ(test, kt_open(test, s, kt_cid_ccm8_get, 20, NULL, &type,
				      NULL, &plen, NULL), -EBADMSG);
	KUNIT_EXPECT_EQ(test, kt_open(test, s, kt_cid_ccm8_zeros,
				      sizeof(kt_cid_ccm8_zeros), NULL, &type, NULL,
				      &plen, NULL), -EBADMSG);
	/* None of them moved the window; the real one opens, once. */
	KUNIT_EXPECT_EQ(test, s->rx.seq, 0);
	KUNIT_EXPECT_EQ(test, kt_open(test, s, kt_cid_ccm8_get, len, NULL, &type,
				      NULL, &plen, NULL), 0);
	KUNIT_EXPECT_EQ(test, kt_open(test, s, kt_cid_ccm8_get, len, NULL, &type,
				      NULL, &plen, NULL), -EALREADY);
	KUNIT_EXPECT_EQ(test, s->rx_replayed, 1);
	KUNIT_EXPECT_EQ(test, s->rx_records, 1);

	/* The same keys, no CID: a tls12_cid record is nothing to it. */
	plain_s = kt_sess(test, KCOAP_DTLS_AES_128_CCM_8, kt_key_ccm8, kt_salt_ccm8,
			  1, NULL, 0, NULL, 0);
	KUNIT_EXPECT_EQ(test, kt_open(test, plain_s, kt_cid_ccm8_get, len, NULL,
				      &type, NULL, &plen, NULL), -EBADMSG);
	KUNIT_EXPECT_EQ(test, plain_s->rx.seq, 0);
}

/*
 * The kernel's record to a client with a CID is python's, byte for byte:
 * a 4-byte CID, and one of 255 (the largest additional data), sealed from
 * another buffer and in place.
 */
static void kcoap_dtls_cid_seal_foreign(struct kunit *test)
{
	struct kcoap_dtls_sess *s;
	u8 *cid255 = kunit_kmalloc(test, 255, GFP_KERNEL);
	u8 *out = kunit_kzalloc(test, 512, GFP_KERNEL);
	unsigned int i;
	int n;

	KUNIT_ASSERT_NOT_NULL(test, cid255);
	KUNIT_ASSERT_NOT_NULL(test, out);
	s = kt_sess(test, KCOAP_DTLS_AES_128_CCM_8, kt_key_ccm8, kt_salt_ccm8, 1,
		    kt_cid, sizeof(kt_cid), kt_peer_cid, sizeof(kt_peer_cid));
	s->tx.seq = 42;
	KUNIT_EXPECT_EQ(test, kcoap_dtls_overhead(s),
			sizeof(kt_cid_ccm8_out) - sizeof(kt_get));
	local_bh_disable();
	n = kcoap_dtls_seal(s, KCOAP_DTLS_CT_APPDATA, kt_get, sizeof(kt_get), out, 512);
	local_bh_enable();
	KUNIT_ASSERT_EQ(test, n, sizeof(kt_cid_ccm8_out));
	KUNIT_EXPECT_MEMEQ(test, out, kt_cid_ccm8_out, n);
	/* No room: nothing, and no sequence number used. */
	local_bh_disable();
	n = kcoap_dtls_seal(s, KCOAP_DTLS_CT_APPDATA, kt_get, sizeof(kt_get), out,
			    sizeof(kt_cid_ccm8_out) - 1);
	local_bh_enable();
	KUNIT_EXPECT_EQ(test, n, -EMSGSIZE);
	KUNIT_EXPECT_EQ(test, s->tx.seq, 43);

	for (i = 0; i < 255; i++)
		cid255[i] = i;
	s = kt_sess(test, KCOAP_DTLS_AES_128_CCM, kt_key_ccm, kt_salt_ccm, 1,
		    NULL, 0, cid255, 255);
	s->tx.seq = 1;
	local_bh_disable();
	n = kcoap_dtls_seal(s, KCOAP_DTLS_CT_APPDATA, kt_get, sizeof(kt_get), out, 512);
	local_bh_enable();
	KUNIT_ASSERT_EQ(test, n, sizeof(kt_cid_ccm_out255));
	KUNIT_EXPECT_MEMEQ(test, out, kt_cid_ccm_out255, n);
	/* In place: the plaintext where an RFC 6347 record would have it. */
	s->tx.seq = 1;
	memset(out, 0, 512);
	memcpy(out + KCOAP_DTLS_HDR_LEN + 8, kt_get, sizeof(kt_get));
	local_bh_disable();
	n = kcoap_dtls_seal(s, KCOAP_DTLS_CT_APPDATA, out + KCOAP_DTLS_HDR_LEN + 8,
			    sizeof(kt_get), out, 512);
	local_bh_enable();
	KUNIT_ASSERT_EQ(test, n, sizeof(kt_cid_ccm_out255));
	KUNIT_EXPECT_MEMEQ(test, out, kt_cid_ccm_out255, n);
}

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

/* The client's record @seq to @s, sealed with the mirror session @cli. */
static int kt_cli_seal(struct kunit *test, struct kcoap_dtls_sess *cli, u64 seq,
		       u8 *rec, size_t size)
{
	int n;

	cli->tx.seq = seq;
	local_bh_disable();
	n = kcoap_dtls_seal(cli, KCOAP_DTLS_CT_APPDATA, kt_get, sizeof(kt_get), rec,
			    size);
	local_bh_enable();
	KUNIT_ASSERT_GT(test, n, 0);
	return n;
}

/*
 * RFC 9146 §6: the newest record that opens moves the peer; an older one
 * (reordered) opens but does not; a replay, from anywhere, does neither;
 * the same address, another local one: no move either.
 */
static void kcoap_dtls_cid_move(struct kunit *test)
{
	struct kcoap_peer home = kt_peer(1, 40000), nat = kt_peer(1, 40001);
	struct kcoap_peer other = kt_peer(9, 50000);
	struct kcoap_dtls_sess *s, *cli;
	u8 r5[64], r7[64], r6[64];
	int n5, n6, n7;
	bool moved;
	size_t plen;
	u8 type;

	s = kt_sess(test, KCOAP_DTLS_AES_128_CCM_8, kt_key_ccm8, kt_salt_ccm8, 1,
		    kt_cid, sizeof(kt_cid), kt_peer_cid, sizeof(kt_peer_cid));
	cli = kt_sess(test, KCOAP_DTLS_AES_128_CCM_8, kt_key_ccm8, kt_salt_ccm8, 1,
		      kt_peer_cid, sizeof(kt_peer_cid), kt_cid, sizeof(kt_cid));
	s->peer = home;
	n5 = kt_cli_seal(test, cli, 5, r5, sizeof(r5));
	n6 = kt_cli_seal(test, cli, 6, r6, sizeof(r6));
	n7 = kt_cli_seal(test, cli, 7, r7, sizeof(r7));

	KUNIT_EXPECT_EQ(test, kt_open(test, s, r5, n5, &home, &type, NULL, &plen,
				      &moved), 0);
	KUNIT_EXPECT_FALSE(test, moved);
	/* 7 from the NAT's new port: newest, it moves. */
	KUNIT_EXPECT_EQ(test, kt_open(test, s, r7, n7, &nat, &type, NULL, &plen,
				      &moved), 0);
	KUNIT_EXPECT_TRUE(test, moved);
	KUNIT_EXPECT_TRUE(test, s->peer.port == nat.port);
	/* 6, late, from the old port: valid, handed on, but no move back. */
	KUNIT_EXPECT_EQ(test, kt_open(test, s, r6, n6, &home, &type, NULL, &plen,
				      &moved), 0);
	KUNIT_EXPECT_FALSE(test, moved);
	KUNIT_EXPECT_TRUE(test, s->peer.port == nat.port);
	/* 7 replayed from elsewhere: neither opens nor moves. */
	KUNIT_EXPECT_EQ(test, kt_open(test, s, r7, n7, &other, &type, NULL, &plen,
				      &moved), -EALREADY);
	KUNIT_EXPECT_FALSE(test, moved);
	KUNIT_EXPECT_TRUE(test, s->peer.addr.v4 == nat.addr.v4);
	KUNIT_EXPECT_TRUE(test, s->peer.port == nat.port);
	/* A forgery of a newer one from elsewhere: neither. */
	n5 = kt_cli_seal(test, cli, 100, r5, sizeof(r5));
	r5[n5 - 1] ^= 1;
	KUNIT_EXPECT_EQ(test, kt_open(test, s, r5, n5, &other, &type, NULL, &plen,
				      &moved), -EBADMSG);
	KUNIT_EXPECT_FALSE(test, moved);
	KUNIT_EXPECT_TRUE(test, s->peer.port == nat.port);
	KUNIT_EXPECT_EQ(test, s->rx.seq, 8);
}

/* The table */

static void kt_dtls_exit(void *kn)
{
	kcoap_dtls_net_exit(kn);
}

static u32 kt_handshake(struct kcoap_net *kn, const struct kcoap_peer *p)
{
	struct kcoap_dtls_sess *s;
	u32 id = 0;

	rcu_read_lock();
	local_bh_disable();
	s = kcoap_dtls_handshake_new(kn, p);
	if (s)
		id = s->id;
	local_bh_enable();
	rcu_read_unlock();
	return id;
}

static int kt_establish(struct kcoap_net *kn, u32 id, const u8 *cid,
			const u8 *peer_cid, u8 peer_cid_len)
{
	struct kcoap_dtls_keys k = {
		.id = id,
		.suite = KCOAP_DTLS_AES_128_CCM_8,
		.epoch = 1,
		.keylen = 16,
		.cid = cid,
		.peer_cid = peer_cid,
		.peer_cid_len = peer_cid_len,
	};

	memcpy(k.rx_key, kt_key_ccm8, 16);
	memcpy(k.tx_key, kt_key_ccm8, 16);
	return kcoap_dtls_establish(kn, &k, NULL);
}

/* session-add with a cid: found by it; another session cannot take it. */
static void kcoap_dtls_cid_table(struct kunit *test)
{
	struct kcoap_net *kn = kt_net_new(test);
	struct kcoap_peer a = kt_peer(1, 40000), b = kt_peer(2, 40000);
	struct kcoap_peer c = kt_peer(3, 40000);
	static const u8 other[KCOAP_DTLS_CID_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct kcoap_dtls_sess *s, *t;
	u32 ia, ib, ic;
	int err;

	kn->cfg.dtls_max_sessions = 16;
	kn->cfg.dtls_max_handshakes = 16;
	kn->cfg.dtls_handshake_timeout = 60;
	kn->cfg.dtls_idle_timeout = 3600;
	KUNIT_ASSERT_EQ(test, kcoap_dtls_net_init(kn), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kt_dtls_exit, kn), 0);
	ia = kt_handshake(kn, &a);
	ib = kt_handshake(kn, &b);
	KUNIT_ASSERT_NE(test, ia, 0);
	KUNIT_ASSERT_NE(test, ib, 0);
	err = kt_establish(kn, ia, kt_cid, kt_peer_cid, sizeof(kt_peer_cid));
	if (err == -EOPNOTSUPP)
		kunit_skip(test, "no ccm(aes) in this kernel");
	KUNIT_ASSERT_EQ(test, err, 0);
	/* The same cid for b: refused, b still a handshake. */
	KUNIT_EXPECT_EQ(test, kt_establish(kn, ib, kt_cid, NULL, 0), -EEXIST);
	KUNIT_EXPECT_EQ(test, kcoap_dtls_count(kn, KCOAP_DTLS_HANDSHAKE), 1);
	KUNIT_EXPECT_EQ(test, kt_establish(kn, ib, other, NULL, 0), 0);
	ic = kt_handshake(kn, &c);
	KUNIT_ASSERT_NE(test, ic, 0);

	rcu_read_lock();
	s = kcoap_dtls_find_cid(kn, kt_cid);
	KUNIT_EXPECT_EQ(test, s ? s->id : 0, ia);
	if (s) {
		/*
		 * a moves (RFC 9146 §6) to c, where another client's handshake
		 * is: that one keeps the address, a is found by its cid only.
		 */
		spin_lock_bh(&s->lock);
		s->peer = c;
		spin_unlock_bh(&s->lock);
		kcoap_dtls_moved(kn, s);
		t = kcoap_dtls_find(kn, &c);
		KUNIT_EXPECT_EQ(test, t ? t->id : 0, ic);
		KUNIT_EXPECT_NULL(test, kcoap_dtls_find(kn, &a));
		KUNIT_EXPECT_PTR_EQ(test, kcoap_dtls_find_cid(kn, kt_cid), s);
		KUNIT_EXPECT_EQ(test, s->cid_len, KCOAP_DTLS_CID_LEN);
		KUNIT_EXPECT_EQ(test, s->peer_cid_len, sizeof(kt_peer_cid));
		KUNIT_EXPECT_MEMEQ(test, s->peer_cid, kt_peer_cid, sizeof(kt_peer_cid));
		KUNIT_EXPECT_TRUE(test, s->home.port == a.port);
		kcoap_dtls_del(kn, s);
	}
	s = kcoap_dtls_find_cid(kn, other);
	KUNIT_EXPECT_EQ(test, s ? s->id : 0, ib);
	KUNIT_EXPECT_EQ(test, s ? s->peer_cid_len : 0xff, 0);
	/* Deleted: its cid is free again. */
	KUNIT_EXPECT_NULL(test, kcoap_dtls_find_cid(kn, kt_cid));
	rcu_read_unlock();
}

static struct kunit_case kcoap_dtls_cid_cases[] = {
	KUNIT_CASE(kcoap_dtls_cid_open_foreign),
	KUNIT_CASE(kcoap_dtls_cid_open_bad),
	KUNIT_CASE(kcoap_dtls_cid_seal_foreign),
	KUNIT_CASE(kcoap_dtls_cid_move),
	KUNIT_CASE(kcoap_dtls_cid_table),
	{}
};

static struct kunit_suite kcoap_dtls_cid_suite = {
	.name = "kcoap_dtls_cid",
	.test_cases = kcoap_dtls_cid_cases,
};

kunit_test_suite(kcoap_dtls_cid_suite);
