// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * KUnit tests of the DTLS record layer and session table: published AEAD
 * vectors through the transforms kcoap_dtls_dir_init() sets up, records
 * made by another implementation (tests/dtls-vectors.py) opened, records
 * broken by hand refused, seal and open in turn, and the table's limits,
 * session-add's work and expiry.
 */
#include <crypto/aead.h>
#include <kunit/test.h>
#include <linux/unaligned.h>
#include <linux/vmalloc.h>

#include "kunit_net.h"
#include "dtls.h"

static u64 kt_stat(struct kcoap_net *kn, enum kcoap_stat id)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(kn->stats, cpu)->cnt[id];
	return sum;
}

/* A transform set up, freed when the test ends. */
static void kt_dir_free(void *d)
{
	kcoap_dtls_dir_free(d);
}

static struct kcoap_dtls_dir *kt_dir(struct kunit *test, u8 suite, const u8 *key,
				     unsigned int keylen, const u8 *salt, u64 seq)
{
	struct kcoap_dtls_dir *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	int err;

	KUNIT_ASSERT_NOT_NULL(test, d);
	err = kcoap_dtls_dir_init(d, suite, key, keylen, salt, seq);
	if (err == -ENOENT)
		kunit_skip(test, "no %s in this kernel",
			   suite == KCOAP_DTLS_AES_128_CCM_8 ||
			   suite == KCOAP_DTLS_AES_128_CCM ? "ccm(aes)" : "gcm(aes)");
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kt_dir_free, d), 0);
	return d;
}

/*
 * NIST SP 800-38C, Appendix C, Example 3: a 12-byte nonce and an 8-byte
 * tag, the shape of TLS_PSK_WITH_AES_128_CCM_8 (the nonce is split as a
 * record's is: 4 bytes of salt, 8 explicit).
 */
static void kcoap_dtls_ccm_sp800_38c(struct kunit *test)
{
	static const u8 key[16] = {
		0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47,
		0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f,
	};
	static const u8 nonce[12] = {
		0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
		0x18, 0x19, 0x1a, 0x1b,
	};
	static const u8 aad[20] = {
		0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09,
		0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13,
	};
	static const u8 plain[24] = {
		0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27,
		0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f,
		0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37,
	};
	static const u8 cipher[32] = {
		0xe3, 0xb2, 0x01, 0xa9, 0xf5, 0xb7, 0x1a, 0x7a,
		0x9b, 0x1c, 0xea, 0xec, 0xcd, 0x97, 0xe7, 0x0b,
		0x61, 0x76, 0xaa, 0xd9, 0xa4, 0x42, 0x8a, 0xa5,
		0x48, 0x43, 0x92, 0xfb, 0xc1, 0xb0, 0x99, 0x51,
	};
	struct kcoap_dtls_dir *d = kt_dir(test, KCOAP_DTLS_AES_128_CCM_8, key, 16,
					  nonce, 0);
	u8 *buf = kunit_kzalloc(test, sizeof(cipher), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	memcpy(buf, plain, sizeof(plain));
	KUNIT_ASSERT_EQ(test, kcoap_dtls_aead(d, KCOAP_DTLS_AES_128_CCM_8, aad,
					      sizeof(aad), nonce + 4, buf,
					      sizeof(plain), true), 0);
	KUNIT_EXPECT_MEMEQ(test, buf, cipher, sizeof(cipher));
	kunit_info(test, "ccm(aes): %s\n", crypto_aead_driver_name(d->tfm));
	KUNIT_ASSERT_EQ(test, kcoap_dtls_aead(d, KCOAP_DTLS_AES_128_CCM_8, aad,
					      sizeof(aad), nonce + 4, buf,
					      sizeof(cipher), false), 0);
	KUNIT_EXPECT_MEMEQ(test, buf, plain, sizeof(plain));
	/* One bit of the additional data changed: refused. */
	memcpy(buf, cipher, sizeof(cipher));
	KUNIT_EXPECT_EQ(test, kcoap_dtls_aead(d, KCOAP_DTLS_AES_128_CCM_8,
					      plain, sizeof(aad), nonce + 4, buf,
					      sizeof(cipher), false), -EBADMSG);
}

/* McGrew and Viega, The Galois/Counter Mode of Operation, Test Case 4. */
static void kcoap_dtls_gcm_test_case_4(struct kunit *test)
{
	static const u8 key[16] = {
		0xfe, 0xff, 0xe9, 0x92, 0x86, 0x65, 0x73, 0x1c,
		0x6d, 0x6a, 0x8f, 0x94, 0x67, 0x30, 0x83, 0x08,
	};
	static const u8 iv[12] = {
		0xca, 0xfe, 0xba, 0xbe, 0xfa, 0xce, 0xdb, 0xad,
		0xde, 0xca, 0xf8, 0x88,
	};
	static const u8 aad[20] = {
		0xfe, 0xed, 0xfa, 0xce, 0xde, 0xad, 0xbe, 0xef, 0xfe, 0xed,
		0xfa, 0xce, 0xde, 0xad, 0xbe, 0xef, 0xab, 0xad, 0xda, 0xd2,
	};
	static const u8 plain[60] = {
		0xd9, 0x31, 0x32, 0x25, 0xf8, 0x84, 0x06, 0xe5, 0xa5, 0x59, 0x09, 0xc5,
		0xaf, 0xf5, 0x26, 0x9a, 0x86, 0xa7, 0xa9, 0x53, 0x15, 0x34, 0xf7, 0xda,
		0x2e, 0x4c, 0x30, 0x3d, 0x8a, 0x31, 0x8a, 0x72, 0x1c, 0x3c, 0x0c, 0x95,
		0x95, 0x68, 0x09, 0x53, 0x2f, 0xcf, 0x0e, 0x24, 0x49, 0xa6, 0xb5, 0x25,
		0xb1, 0x6a, 0xed, 0xf5, 0xaa, 0x0d, 0xe6, 0x57, 0xba, 0x63, 0x7b, 0x39,
	};
	static const u8 cipher[76] = {
		0x42, 0x83, 0x1e, 0xc2, 0x21, 0x77, 0x74, 0x24, 0x4b, 0x72, 0x21, 0xb7,
		0x84, 0xd0, 0xd4, 0x9c, 0xe3, 0xaa, 0x21, 0x2f, 0x2c, 0x02, 0xa4, 0xe0,
		0x35, 0xc1, 0x7e, 0x23, 0x29, 0xac, 0xa1, 0x2e, 0x21, 0xd5, 0x14, 0xb2,
		0x54, 0x66, 0x93, 0x1c, 0x7d, 0x8f, 0x6a, 0x5a, 0xac, 0x84, 0xaa, 0x05,
		0x1b, 0xa3, 0x0b, 0x39, 0x6a, 0x0a, 0xac, 0x97, 0x3d, 0x58, 0xe0, 0x91,
		/* the tag */
		0x5b, 0xc9, 0x4f, 0xbc, 0x32, 0x21, 0xa5, 0xdb,
		0x94, 0xfa, 0xe9, 0x5a, 0xe7, 0x12, 0x1a, 0x47,
	};
	struct kcoap_dtls_dir *d = kt_dir(test, KCOAP_DTLS_AES_128_GCM, key, 16, iv, 0);
	u8 *buf = kunit_kzalloc(test, sizeof(cipher), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	memcpy(buf, plain, sizeof(plain));
	KUNIT_ASSERT_EQ(test, kcoap_dtls_aead(d, KCOAP_DTLS_AES_128_GCM, aad,
					      sizeof(aad), iv + 4, buf,
					      sizeof(plain), true), 0);
	KUNIT_EXPECT_MEMEQ(test, buf, cipher, sizeof(cipher));
	kunit_info(test, "gcm(aes): %s\n", crypto_aead_driver_name(d->tfm));
	KUNIT_ASSERT_EQ(test, kcoap_dtls_aead(d, KCOAP_DTLS_AES_128_GCM, aad,
					      sizeof(aad), iv + 4, buf,
					      sizeof(cipher), false), 0);
	KUNIT_EXPECT_MEMEQ(test, buf, plain, sizeof(plain));
	memcpy(buf, cipher, sizeof(cipher));
	buf[sizeof(cipher) - 1] ^= 1;
	KUNIT_EXPECT_EQ(test, kcoap_dtls_aead(d, KCOAP_DTLS_AES_128_GCM, aad,
					      sizeof(aad), iv + 4, buf,
					      sizeof(cipher), false), -EBADMSG);
}

/* Made by tests/dtls-vectors.py (python3-cryptography 38, OpenSSL 3.0). */
/* ccm8: epoch 1, seq 5, type 23, 11 bytes of plaintext */
static const u8 kt_rec_ccm8[] = {
	0x17, 0xfe, 0xfd, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x00,
	0x1b, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x68, 0xfc, 0x1c,
	0x03, 0x04, 0x6b, 0x70, 0x47, 0x79, 0x5a, 0x27, 0xbb, 0xfb, 0x47, 0x4a,
	0x1d, 0x05, 0x6b, 0x8a,
};

/* ccm: epoch 1, seq 78187493530, type 23, 30 bytes of plaintext */
static const u8 kt_rec_ccm[] = {
	0x17, 0xfe, 0xfd, 0x00, 0x01, 0x00, 0x12, 0x34, 0x56, 0x78, 0x9a, 0x00,
	0x36, 0x00, 0x01, 0x00, 0x12, 0x34, 0x56, 0x78, 0x9a, 0x63, 0x8b, 0xae,
	0x9f, 0x8d, 0x70, 0x0f, 0x59, 0x62, 0xf3, 0xe6, 0x1f, 0xbc, 0xd1, 0x03,
	0x27, 0x07, 0xfe, 0x0c, 0xd0, 0x1f, 0xc8, 0xb1, 0x89, 0x8e, 0x01, 0xc8,
	0xb1, 0x1f, 0x14, 0x6b, 0xc9, 0x5e, 0xf2, 0x6b, 0xec, 0x8b, 0x73, 0x2f,
	0x6a, 0x28, 0x18, 0xfc, 0xb0, 0xa0, 0xe3,
};

/* gcm: epoch 2, seq 7, type 23, 11 bytes of plaintext */
static const u8 kt_rec_gcm128[] = {
	0x17, 0xfe, 0xfd, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x00,
	0x23, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x6f, 0xbe, 0x45,
	0xf2, 0x23, 0xae, 0xa1, 0x82, 0x96, 0x66, 0xf4, 0xad, 0x28, 0xa4, 0x61,
	0xe0, 0x21, 0xe4, 0x02, 0x70, 0x15, 0x2b, 0xab, 0x7f, 0xec, 0x25, 0x7a,
};

/* gcm: epoch 1, seq 1, type 21, 2 bytes of plaintext */
static const u8 kt_rec_gcm256[] = {
	0x15, 0xfe, 0xfd, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
	0x1a, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x57, 0xe5, 0x3f,
	0xb7, 0xe0, 0x09, 0x9b, 0x21, 0x00, 0xd1, 0xe4, 0xa3, 0xfd, 0x46, 0xc3,
	0x19, 0x84, 0xc6,
};

/* A session with the keys given for both directions (rx and tx alike). */
static void kt_sess_free(void *p)
{
	struct kcoap_dtls_sess *s = p;

	kcoap_dtls_dir_free(&s->rx);
	kcoap_dtls_dir_free(&s->tx);
}

static struct kcoap_dtls_sess *kt_sess(struct kunit *test, u8 suite, const u8 *key,
				       unsigned int keylen, const u8 *salt,
				       u16 epoch, u64 rx_seq)
{
	struct kcoap_dtls_sess *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	int err;

	KUNIT_ASSERT_NOT_NULL(test, s);
	spin_lock_init(&s->lock);
	s->state = KCOAP_DTLS_ESTABLISHED;
	s->suite = suite;
	s->epoch = epoch;
	err = kcoap_dtls_dir_init(&s->rx, suite, key, keylen, salt, rx_seq);
	if (err == -ENOENT)
		kunit_skip(test, "no AEAD for suite %u in this kernel", suite);
	KUNIT_ASSERT_EQ(test, err, 0);
	err = kcoap_dtls_dir_init(&s->tx, suite, key, keylen, salt, 0);
	if (err)
		kcoap_dtls_dir_free(&s->rx);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kt_sess_free, s), 0);
	return s;
}

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
static const u8 kt_key_gcm256[32] = {
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
	0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
	0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88,
	0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, 0x00,
};

static const u8 kt_salt_gcm256[4] = { 0xca, 0xfe, 0xf0, 0x0d };
/* The CoAP GET of /temp the records carry. */
static const u8 kt_get[] = {
	0x44, 0x01, 0x12, 0x34, 0xab, 0xcd, 0xb4, 't', 'e', 'm', 'p',
};

/* A copy of @rec to open in place (records are opened in place). */
static u8 *kt_copy(struct kunit *test, const u8 *rec, size_t len)
{
	u8 *b = kunit_kmalloc(test, len, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, b);
	memcpy(b, rec, len);
	return b;
}

/* Open a copy of @rec; the result, and the plaintext in *@plain. */
static int kt_open(struct kunit *test, struct kcoap_dtls_sess *s, const u8 *rec,
		   size_t len, u8 *type, const u8 **plain, size_t *plen)
{
	u8 *b = kt_copy(test, rec, len);
	int err = kcoap_dtls_open(s, b, len, type, plen);

	if (plain)
		*plain = b + KCOAP_DTLS_HDR_LEN + 8;
	return err;
}

/* Records of each suite, made by python3-cryptography, open. */
static void kcoap_dtls_open_foreign(struct kunit *test)
{
	static const struct {
		const u8 *rec;
		size_t len;
		u8 suite;
		const u8 *key, *salt;
		unsigned int keylen;
		u16 epoch;
		u8 type;
		const char *tail;
	} cases[] = {
		{ kt_rec_ccm8, sizeof(kt_rec_ccm8), KCOAP_DTLS_AES_128_CCM_8,
		  kt_key_ccm8, kt_salt_ccm8, 16, 1, 23, "" },
		{ kt_rec_ccm, sizeof(kt_rec_ccm), KCOAP_DTLS_AES_128_CCM,
		  kt_key_ccm, kt_salt_ccm, 16, 1, 23, " with a longer tail" },
		{ kt_rec_gcm128, sizeof(kt_rec_gcm128), KCOAP_DTLS_AES_128_GCM,
		  kt_key_gcm128, kt_salt_gcm128, 16, 2, 23, "" },
	};
	struct kcoap_dtls_sess *s;
	const u8 *plain;
	size_t plen;
	unsigned int i;
	u8 type;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t tl = strlen(cases[i].tail);

		s = kt_sess(test, cases[i].suite, cases[i].key, cases[i].keylen,
			    cases[i].salt, cases[i].epoch, 0);
		KUNIT_ASSERT_EQ_MSG(test, kt_open(test, s, cases[i].rec, cases[i].len,
						  &type, &plain, &plen), 0,
				    "suite %u", cases[i].suite);
		KUNIT_EXPECT_EQ(test, type, cases[i].type);
		KUNIT_ASSERT_EQ(test, plen, sizeof(kt_get) + tl);
		KUNIT_EXPECT_MEMEQ(test, plain, kt_get, sizeof(kt_get));
		KUNIT_EXPECT_MEMEQ(test, plain + sizeof(kt_get), cases[i].tail, tl);
		KUNIT_EXPECT_EQ(test, s->rx_records, 1);
		KUNIT_EXPECT_EQ(test, kcoap_dtls_overhead(s),
				cases[i].len - plen);
	}
	/* AES-256-GCM, carrying a close_notify alert (RFC 5246 §7.2.1). */
	s = kt_sess(test, KCOAP_DTLS_AES_256_GCM, kt_key_gcm256, 32, kt_salt_gcm256, 1, 0);
	KUNIT_ASSERT_EQ(test, kt_open(test, s, kt_rec_gcm256, sizeof(kt_rec_gcm256),
				      &type, &plain, &plen), 0);
	KUNIT_EXPECT_EQ(test, type, KCOAP_DTLS_CT_ALERT);
	KUNIT_ASSERT_EQ(test, plen, 2);
	KUNIT_EXPECT_EQ(test, plain[0], 1);
	KUNIT_EXPECT_EQ(test, plain[1], 0);
}

/* Each change of a byte the record authenticates, and of its tag. */
static void kcoap_dtls_open_tampered(struct kunit *test)
{
	struct kcoap_dtls_sess *s = kt_sess(test, KCOAP_DTLS_AES_128_CCM_8, kt_key_ccm8,
					    16, kt_salt_ccm8, 1, 0);
	size_t len = sizeof(kt_rec_ccm8), plen, i;
	u8 *b, type;

	/* Every byte but epoch (checked first) and length (the next test). */
	for (i = 0; i < len; i++) {
		if ((i >= 3 && i < 5) || i == 11 || i == 12)
			continue;
		b = kt_copy(test, kt_rec_ccm8, len);
		b[i] ^= 0x40;
		KUNIT_EXPECT_EQ_MSG(test, kcoap_dtls_open(s, b, len, &type, &plen),
				    -EBADMSG, "byte %zu changed", i);
	}
	/* None of them moved the window: the record itself still opens. */
	KUNIT_EXPECT_EQ(test, kt_open(test, s, kt_rec_ccm8, len, &type, NULL, &plen), 0);
	KUNIT_EXPECT_EQ(test, s->rx_records, 1);
	KUNIT_EXPECT_GE(test, s->rx_bad, len - 6);
}

/* Malformed records, refused before any crypto. */
static void kcoap_dtls_open_malformed(struct kunit *test)
{
	struct kcoap_dtls_sess *s = kt_sess(test, KCOAP_DTLS_AES_128_CCM_8, kt_key_ccm8,
					    16, kt_salt_ccm8, 1, 0);
	size_t len = sizeof(kt_rec_ccm8), plen;
	u8 *b, type;

	/* Truncated: shorter than a header, or than its length field says. */
	KUNIT_EXPECT_EQ(test, kt_open(test, s, kt_rec_ccm8, 12, &type, NULL, &plen),
			-EBADMSG);
	KUNIT_EXPECT_EQ(test, kt_open(test, s, kt_rec_ccm8, len - 1, &type, NULL, &plen),
			-EBADMSG);
	/* The length field lying, up or down. */
	b = kt_copy(test, kt_rec_ccm8, len);
	b[12]++;
	KUNIT_EXPECT_EQ(test, kcoap_dtls_open(s, b, len, &type, &plen), -EBADMSG);
	b = kt_copy(test, kt_rec_ccm8, len);
	b[12]--;
	KUNIT_EXPECT_EQ(test, kcoap_dtls_open(s, b, len, &type, &plen), -EBADMSG);
	/* Too short to hold the explicit nonce and the tag. */
	b = kt_copy(test, kt_rec_ccm8, len);
	b[11] = 0;
	b[12] = 15;
	KUNIT_EXPECT_EQ(test, kcoap_dtls_open(s, b, KCOAP_DTLS_HDR_LEN + 15, &type,
					      &plen), -EBADMSG);
	/* DTLS 1.0's version, and another epoch. */
	b = kt_copy(test, kt_rec_ccm8, len);
	b[2] = 0xff;
	KUNIT_EXPECT_EQ(test, kcoap_dtls_open(s, b, len, &type, &plen), -EBADMSG);
	b = kt_copy(test, kt_rec_ccm8, len);
	b[4] = 2;
	KUNIT_EXPECT_EQ(test, kcoap_dtls_open(s, b, len, &type, &plen), -EBADMSG);
	/* A session still in its handshake opens nothing. */
	s->state = KCOAP_DTLS_HANDSHAKE;
	KUNIT_EXPECT_EQ(test, kt_open(test, s, kt_rec_ccm8, len, &type, NULL, &plen),
			-EBADMSG);
	s->state = KCOAP_DTLS_ESTABLISHED;
	KUNIT_EXPECT_EQ(test, kt_open(test, s, kt_rec_ccm8, len, &type, NULL, &plen), 0);
}

/* RFC 6347 §4.1.2.6: replays and records left of the window are dropped. */
static void kcoap_dtls_open_replay(struct kunit *test)
{
	struct kcoap_dtls_sess *s = kt_sess(test, KCOAP_DTLS_AES_128_CCM_8, kt_key_ccm8,
					    16, kt_salt_ccm8, 1, 0);
	size_t len = sizeof(kt_rec_ccm8), plen;
	u8 type;

	KUNIT_EXPECT_EQ(test, kt_open(test, s, kt_rec_ccm8, len, &type, NULL, &plen), 0);
	KUNIT_EXPECT_EQ(test, kt_open(test, s, kt_rec_ccm8, len, &type, NULL, &plen),
			-EALREADY);
	KUNIT_EXPECT_EQ(test, s->rx_replayed, 1);

	/* Seq 5 after seq 60 (inside the 64 of the window): still new. */
	s = kt_sess(test, KCOAP_DTLS_AES_128_CCM_8, kt_key_ccm8, 16, kt_salt_ccm8, 1, 0);
	s->rx.seq = 61;
	s->rx.window = 1;		/* only 60 seen */
	KUNIT_EXPECT_EQ(test, kt_open(test, s, kt_rec_ccm8, len, &type, NULL, &plen), 0);
	KUNIT_EXPECT_EQ(test, s->rx.seq, 61);
	KUNIT_EXPECT_EQ(test, s->rx.window, 1ULL | 1ULL << 55);
	KUNIT_EXPECT_EQ(test, kt_open(test, s, kt_rec_ccm8, len, &type, NULL, &plen),
			-EALREADY);

	/* Seq 5 after seq 69: left of the window, dropped unseen. */
	s = kt_sess(test, KCOAP_DTLS_AES_128_CCM_8, kt_key_ccm8, 16, kt_salt_ccm8, 1, 0);
	s->rx.seq = 70;
	s->rx.window = 1;
	KUNIT_EXPECT_EQ(test, kt_open(test, s, kt_rec_ccm8, len, &type, NULL, &plen),
			-EALREADY);
	KUNIT_EXPECT_EQ(test, s->rx_bad, 0);

	/* session-add's rx-seq 6: the handshake used 0 to 5. */
	s = kt_sess(test, KCOAP_DTLS_AES_128_CCM_8, kt_key_ccm8, 16, kt_salt_ccm8, 1, 6);
	KUNIT_EXPECT_EQ(test, kt_open(test, s, kt_rec_ccm8, len, &type, NULL, &plen),
			-EALREADY);
	/* rx-seq 5: this is the first record. */
	s = kt_sess(test, KCOAP_DTLS_AES_128_CCM_8, kt_key_ccm8, 16, kt_salt_ccm8, 1, 5);
	KUNIT_EXPECT_EQ(test, kt_open(test, s, kt_rec_ccm8, len, &type, NULL, &plen), 0);
	KUNIT_EXPECT_EQ(test, s->rx.seq, 6);
}

/* Seal, then open with the same keys: every suite, in place and not. */
static void kcoap_dtls_seal_open(struct kunit *test)
{
	static const struct {
		u8 suite;
		const u8 *key;
		unsigned int keylen;
	} suites[] = {
		{ KCOAP_DTLS_AES_128_CCM_8, kt_key_ccm8, 16 },
		{ KCOAP_DTLS_AES_128_CCM, kt_key_ccm, 16 },
		{ KCOAP_DTLS_AES_128_GCM, kt_key_gcm128, 16 },
		{ KCOAP_DTLS_AES_256_GCM, kt_key_gcm256, 32 },
	};
	u8 *out = kunit_kzalloc(test, 1400, GFP_KERNEL);
	struct kcoap_dtls_sess *s;
	const u8 *plain;
	unsigned int i;
	size_t plen;
	u8 type;
	int n;

	KUNIT_ASSERT_NOT_NULL(test, out);
	for (i = 0; i < ARRAY_SIZE(suites); i++) {
		s = kt_sess(test, suites[i].suite, suites[i].key, suites[i].keylen,
			    kt_salt_ccm, 3, 0);
		s->tx.seq = 41;
		n = kcoap_dtls_seal(s, KCOAP_DTLS_CT_APPDATA, kt_get, sizeof(kt_get),
				    out, 1400);
		KUNIT_ASSERT_EQ(test, n, sizeof(kt_get) + kcoap_dtls_overhead(s));
		KUNIT_EXPECT_EQ(test, s->tx.seq, 42);
		KUNIT_EXPECT_EQ(test, s->tx_records, 1);
		/* Header: type, DTLS 1.2, epoch 3, seq 41; nonce = epoch||seq. */
		KUNIT_EXPECT_EQ(test, out[0], KCOAP_DTLS_CT_APPDATA);
		KUNIT_EXPECT_EQ(test, get_unaligned_be16(out + 1), 0xfefd);
		KUNIT_EXPECT_EQ(test, get_unaligned_be64(out + 3), 3ULL << 48 | 41);
		KUNIT_EXPECT_EQ(test, get_unaligned_be16(out + 11), n - 13);
		KUNIT_EXPECT_MEMEQ(test, out + 13, out + 3, 8);
		KUNIT_EXPECT_EQ(test, kt_open(test, s, out, n, &type, &plain, &plen), 0);
		KUNIT_EXPECT_EQ(test, type, KCOAP_DTLS_CT_APPDATA);
		KUNIT_ASSERT_EQ(test, plen, sizeof(kt_get));
		KUNIT_EXPECT_MEMEQ(test, plain, kt_get, sizeof(kt_get));
		/* In place: the plaintext already where the record puts it. */
		memcpy(out + 21, kt_get, sizeof(kt_get));
		n = kcoap_dtls_seal(s, KCOAP_DTLS_CT_APPDATA, out + 21, sizeof(kt_get),
				    out, 1400);
		KUNIT_ASSERT_GT(test, n, 0);
		KUNIT_EXPECT_EQ(test, kt_open(test, s, out, n, &type, &plain, &plen), 0);
		KUNIT_EXPECT_MEMEQ(test, plain, kt_get, sizeof(kt_get));
	}
	/* No room: nothing sent, no sequence number used. */
	KUNIT_EXPECT_EQ(test, kcoap_dtls_seal(s, KCOAP_DTLS_CT_APPDATA, kt_get,
					      sizeof(kt_get), out,
					      sizeof(kt_get) + kcoap_dtls_overhead(s) - 1),
			-EMSGSIZE);
	KUNIT_EXPECT_EQ(test, s->tx.seq, 43);
	/* The last sequence number is used once, then no more (§4.1). */
	s->tx.seq = (1ULL << 48) - 1;
	KUNIT_EXPECT_GT(test, kcoap_dtls_seal(s, KCOAP_DTLS_CT_APPDATA, kt_get,
					      sizeof(kt_get), out, 1400), 0);
	KUNIT_EXPECT_EQ(test, kcoap_dtls_seal(s, KCOAP_DTLS_CT_APPDATA, kt_get,
					      sizeof(kt_get), out, 1400), -EOVERFLOW);
}

/*
 * A record larger than a page, in vmalloc'ed memory (as per-CPU buffers
 * and stacks may be), crossing page boundaries.
 */
static void kcoap_dtls_seal_vmalloc(struct kunit *test)
{
	struct kcoap_dtls_sess *s = kt_sess(test, KCOAP_DTLS_AES_128_GCM, kt_key_gcm128,
					    16, kt_salt_gcm128, 1, 0);
	size_t len = 3 * PAGE_SIZE, plen, i;
	u8 *in = vmalloc(len), *out = vmalloc(len + 64), type;
	int n;

	if (!in || !out) {
		vfree(in);
		vfree(out);
		KUNIT_FAIL_AND_ABORT(test, "no memory");
	}
	for (i = 0; i < len; i++)
		in[i] = i * 7;
	/* Start the record mid-page. */
	n = kcoap_dtls_seal(s, KCOAP_DTLS_CT_APPDATA, in, len - 100, out + 50, len + 14);
	KUNIT_EXPECT_EQ(test, n, len - 100 + kcoap_dtls_overhead(s));
	if (n > 0) {
		KUNIT_EXPECT_EQ(test, kcoap_dtls_open(s, out + 50, n, &type, &plen), 0);
		KUNIT_EXPECT_EQ(test, plen, len - 100);
		KUNIT_EXPECT_MEMEQ(test, out + 50 + 21, in, len - 100);
	}
	vfree(in);
	vfree(out);
}

/* The table */

static void kt_dtls_exit(void *kn)
{
	kcoap_dtls_net_exit(kn);
}

static struct kcoap_net *kt_dtls_net(struct kunit *test)
{
	struct kcoap_net *kn = kt_net_new(test);

	kn->cfg.dtls_max_sessions = 4096;
	kn->cfg.dtls_max_handshakes = 256;
	kn->cfg.dtls_handshake_timeout = 60;
	kn->cfg.dtls_idle_timeout = 3600;
	KUNIT_ASSERT_EQ(test, kcoap_dtls_net_init(kn), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kt_dtls_exit, kn), 0);
	return kn;
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

/* A handshake entry as the receive path makes it: softirq, under RCU. */
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

static u8 kt_state(struct kcoap_net *kn, u32 id)
{
	struct kcoap_dtls_sess *s;
	u8 state = 0xff;

	rcu_read_lock();
	s = kcoap_dtls_get(kn, id);
	if (s)
		state = s->state;
	rcu_read_unlock();
	return state;
}

/* What session-add would install for handshake @id. */
static int kt_establish(struct kcoap_net *kn, u32 id)
{
	struct kcoap_dtls_keys k = {
		.id = id,
		.suite = KCOAP_DTLS_AES_128_CCM_8,
		.epoch = 1,
		.keylen = 16,
		.rx_seq = 1,
		.tx_seq = 1,
		.identity = "client_identity",
	};

	memcpy(k.rx_key, kt_key_ccm8, 16);
	memcpy(k.tx_key, kt_key_ccm8, 16);
	memcpy(k.rx_salt, kt_salt_ccm8, 4);
	memcpy(k.tx_salt, kt_salt_ccm8, 4);
	return kcoap_dtls_establish(kn, &k, NULL);
}

/* One entry per peer, at most dtls-max-handshakes of them. */
static void kcoap_dtls_handshake_limit(struct kunit *test)
{
	struct kcoap_net *kn = kt_dtls_net(test);
	struct kcoap_peer a = kt_peer(1, 40000), b = kt_peer(2, 40000);
	struct kcoap_peer c = kt_peer(1, 40001);
	struct kcoap_dtls_sess *s;
	u32 ia, ib;

	kn->cfg.dtls_max_handshakes = 2;
	ia = kt_handshake(kn, &a);
	KUNIT_ASSERT_NE(test, ia, 0);
	/* Its ClientHello again: the same entry. */
	KUNIT_EXPECT_EQ(test, kt_handshake(kn, &a), ia);
	ib = kt_handshake(kn, &b);
	KUNIT_ASSERT_NE(test, ib, 0);
	KUNIT_EXPECT_NE(test, ia, ib);
	KUNIT_EXPECT_EQ(test, kcoap_dtls_count(kn, KCOAP_DTLS_HANDSHAKE), 2);
	/* Another port is another peer: over the limit. */
	KUNIT_EXPECT_EQ(test, kt_handshake(kn, &c), 0);
	KUNIT_EXPECT_EQ(test, kt_stat(kn, KCOAP_STAT_DTLS_HANDSHAKE_FULL), 1);

	rcu_read_lock();
	s = kcoap_dtls_find(kn, &b);
	KUNIT_EXPECT_PTR_EQ(test, s, kcoap_dtls_get(kn, ib));
	KUNIT_EXPECT_NULL(test, kcoap_dtls_find(kn, &c));
	KUNIT_EXPECT_NULL(test, kcoap_dtls_get(kn, 0));
	if (s)
		kcoap_dtls_del(kn, s);
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, kcoap_dtls_count(kn, KCOAP_DTLS_HANDSHAKE), 1);
	KUNIT_EXPECT_NE(test, kt_handshake(kn, &c), 0);
	/* The config of 0: no handshakes at all. */
	kn->cfg.dtls_max_handshakes = 0;
	KUNIT_EXPECT_EQ(test, kt_handshake(kn, &b), 0);
}

static struct kcoap_peer kt_peer6(u16 last, u16 port)
{
	struct kcoap_peer p = {
		.family = AF_INET6,
		.port = htons(port),
		.ifindex = 2,
	};

	/* 2001:db8::last: the /64 is 2001:db8::/64 */
	p.addr.v6.s6_addr32[0] = htonl(0x20010db8);
	p.addr.v6.s6_addr16[7] = htons(last);
	return p;
}

/*
 * At most dtls-max-handshakes-per-peer from one peer (an IPv4 address, an
 * IPv6 /64), whatever its ports; one that becomes a session or goes makes
 * room.
 */
static void kcoap_dtls_handshake_peer_limit(struct kunit *test)
{
	struct kcoap_net *kn = kt_dtls_net(test);
	struct kcoap_peer a1 = kt_peer(1, 40000), a2 = kt_peer(1, 40001);
	struct kcoap_peer a3 = kt_peer(1, 40002), b = kt_peer(2, 40000);
	struct kcoap_peer v1 = kt_peer6(1, 5000), v2 = kt_peer6(2, 5000);
	struct kcoap_peer w = kt_peer6(1, 5000), c = kt_peer(3, 1);
	struct kcoap_dtls_sess *s;
	u32 ia1, ia2;
	int err;

	kn->cfg.dtls_max_hs_per_peer = 2;
	ia1 = kt_handshake(kn, &a1);
	ia2 = kt_handshake(kn, &a2);
	KUNIT_ASSERT_NE(test, ia1, 0);
	KUNIT_ASSERT_NE(test, ia2, 0);
	KUNIT_EXPECT_EQ(test, kt_handshake(kn, &a3), 0);
	KUNIT_EXPECT_EQ(test, kt_stat(kn, KCOAP_STAT_DTLS_HANDSHAKE_PEER_LIMIT), 1);
	KUNIT_EXPECT_EQ(test, kt_stat(kn, KCOAP_STAT_DTLS_HANDSHAKE_FULL), 0);
	/* A ClientHello again from a1: its entry, no second count. */
	KUNIT_EXPECT_EQ(test, kt_handshake(kn, &a1), ia1);
	/* Another address is another peer. */
	KUNIT_EXPECT_NE(test, kt_handshake(kn, &b), 0);
	/* a1 becomes a session: a3 may begin. */
	err = kt_establish(kn, ia1);
	if (err == -EOPNOTSUPP)
		kunit_skip(test, "no ccm(aes) in this kernel");
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_EXPECT_NE(test, kt_handshake(kn, &a3), 0);
	KUNIT_EXPECT_EQ(test, kt_handshake(kn, &a1), 0);
	/* a2 goes: room for one more. */
	rcu_read_lock();
	s = kcoap_dtls_get(kn, ia2);
	KUNIT_ASSERT_NOT_NULL(test, s);
	kcoap_dtls_del(kn, s);
	rcu_read_unlock();
	KUNIT_EXPECT_NE(test, kt_handshake(kn, &a2), 0);
	KUNIT_EXPECT_EQ(test, kt_stat(kn, KCOAP_STAT_DTLS_HANDSHAKE_PEER_LIMIT), 2);

	/* IPv6: the addresses of one /64 count together. */
	KUNIT_EXPECT_NE(test, kt_handshake(kn, &v1), 0);
	KUNIT_EXPECT_NE(test, kt_handshake(kn, &v2), 0);
	v2.port = htons(5001);
	KUNIT_EXPECT_EQ(test, kt_handshake(kn, &v2), 0);
	w.addr.v6.s6_addr32[1] = htonl(1);	/* 2001:db8:0:1::1, another /64 */
	KUNIT_EXPECT_NE(test, kt_handshake(kn, &w), 0);
	/* 0: no handshakes at all. */
	kn->cfg.dtls_max_hs_per_peer = 0;
	KUNIT_EXPECT_EQ(test, kt_handshake(kn, &c), 0);
	KUNIT_EXPECT_EQ(test, kt_stat(kn, KCOAP_STAT_DTLS_HANDSHAKE_PEER_LIMIT), 4);
}

/* session-add: keys for a handshake, limits, and the peer's older session. */
static void kcoap_dtls_session_add(struct kunit *test)
{
	struct kcoap_net *kn = kt_dtls_net(test);
	struct kcoap_peer a = kt_peer(1, 40000), b = kt_peer(2, 40000);
	struct kcoap_dtls_sess *s;
	u32 ia, ia2, ib;
	u8 type;
	size_t plen;
	int n;

	KUNIT_EXPECT_EQ(test, kt_establish(kn, 12345), -ENOENT);
	ia = kt_handshake(kn, &a);
	KUNIT_ASSERT_NE(test, ia, 0);
	n = kt_establish(kn, ia);
	if (n == -EOPNOTSUPP)
		kunit_skip(test, "no ccm(aes) in this kernel");
	KUNIT_ASSERT_EQ(test, n, 0);
	KUNIT_EXPECT_EQ(test, kt_state(kn, ia), KCOAP_DTLS_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, kt_establish(kn, ia), -EEXIST);
	KUNIT_EXPECT_EQ(test, kcoap_dtls_count(kn, KCOAP_DTLS_HANDSHAKE), 0);
	KUNIT_EXPECT_EQ(test, kcoap_dtls_count(kn, KCOAP_DTLS_ESTABLISHED), 1);

	/* The session seals and opens: its own record comes back. */
	rcu_read_lock();
	s = kcoap_dtls_get(kn, ia);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_EXPECT_STREQ(test, s->identity, "client_identity");
	{
		u8 rec[64];

		n = kcoap_dtls_seal(s, KCOAP_DTLS_CT_APPDATA, kt_get, sizeof(kt_get),
				    rec, sizeof(rec));
		KUNIT_EXPECT_GT(test, n, 0);
		if (n > 0)
			KUNIT_EXPECT_EQ(test, kcoap_dtls_open(s, rec, n, &type, &plen), 0);
	}
	rcu_read_unlock();

	/* dtls-max-sessions 1: b's handshake cannot become a session. */
	kn->cfg.dtls_max_sessions = 1;
	ib = kt_handshake(kn, &b);
	KUNIT_ASSERT_NE(test, ib, 0);
	KUNIT_EXPECT_EQ(test, kt_establish(kn, ib), -ENOSPC);
	KUNIT_EXPECT_EQ(test, kt_stat(kn, KCOAP_STAT_DTLS_SESSION_FULL), 1);
	KUNIT_EXPECT_EQ(test, kt_state(kn, ib), KCOAP_DTLS_HANDSHAKE);

	/*
	 * a handshakes again (RFC 6347 §4.2.8): its records go to the new
	 * entry; when that one is established, the old session goes, and
	 * the limit of 1 is not in the way.
	 */
	ia2 = kt_handshake(kn, &a);
	KUNIT_ASSERT_NE(test, ia2, 0);
	KUNIT_EXPECT_NE(test, ia2, ia);
	rcu_read_lock();
	s = kcoap_dtls_find(kn, &a);
	KUNIT_EXPECT_EQ(test, s ? s->id : 0, ia2);
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, kt_state(kn, ia), KCOAP_DTLS_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, kt_establish(kn, ia2), 0);
	KUNIT_EXPECT_EQ(test, kt_state(kn, ia), 0xff);
	KUNIT_EXPECT_EQ(test, kt_state(kn, ia2), KCOAP_DTLS_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, kcoap_dtls_count(kn, KCOAP_DTLS_ESTABLISHED), 1);
	KUNIT_EXPECT_EQ(test, kcoap_dtls_count(kn, KCOAP_DTLS_HANDSHAKE), 1);
}

/* Handshakes live dtls-handshake-timeout, sessions dtls-idle-timeout. */
static void kcoap_dtls_expiry(struct kunit *test)
{
	struct kcoap_net *kn = kt_dtls_net(test);
	struct kcoap_peer a = kt_peer(1, 40000), b = kt_peer(2, 40000);
	unsigned long now = jiffies;
	u32 ia, ib;
	int err;

	ia = kt_handshake(kn, &a);
	ib = kt_handshake(kn, &b);
	KUNIT_ASSERT_NE(test, ia, 0);
	KUNIT_ASSERT_NE(test, ib, 0);
	err = kt_establish(kn, ib);
	if (err == -EOPNOTSUPP)
		kunit_skip(test, "no ccm(aes) in this kernel");
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, kcoap_dtls_expire(kn, now + 59 * HZ), 0);
	KUNIT_EXPECT_EQ(test, kcoap_dtls_expire(kn, now + 61 * HZ), 1);
	KUNIT_EXPECT_EQ(test, kt_state(kn, ia), 0xff);
	KUNIT_EXPECT_EQ(test, kt_state(kn, ib), KCOAP_DTLS_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, kcoap_dtls_expire(kn, now + 3599 * HZ), 0);
	KUNIT_EXPECT_EQ(test, kcoap_dtls_expire(kn, now + 3601 * HZ), 1);
	KUNIT_EXPECT_EQ(test, kt_state(kn, ib), 0xff);
	KUNIT_EXPECT_EQ(test, kt_stat(kn, KCOAP_STAT_DTLS_EXPIRED), 2);
	KUNIT_EXPECT_EQ(test, kcoap_dtls_count(kn, KCOAP_DTLS_ESTABLISHED), 0);
	KUNIT_EXPECT_EQ(test, kcoap_dtls_count(kn, KCOAP_DTLS_HANDSHAKE), 0);
	kunit_info(test, "sizeof(struct kcoap_dtls_sess) %zu, slab %zu\n",
		   sizeof(struct kcoap_dtls_sess),
		   kmalloc_size_roundup(sizeof(struct kcoap_dtls_sess)));
}

static struct kunit_case kcoap_dtls_cases[] = {
	KUNIT_CASE_SLOW(kcoap_dtls_ccm_sp800_38c),
	KUNIT_CASE_SLOW(kcoap_dtls_gcm_test_case_4),
	KUNIT_CASE(kcoap_dtls_open_foreign),
	KUNIT_CASE(kcoap_dtls_open_tampered),
	KUNIT_CASE(kcoap_dtls_open_malformed),
	KUNIT_CASE(kcoap_dtls_open_replay),
	KUNIT_CASE(kcoap_dtls_seal_open),
	KUNIT_CASE(kcoap_dtls_seal_vmalloc),
	KUNIT_CASE(kcoap_dtls_handshake_limit),
	KUNIT_CASE(kcoap_dtls_handshake_peer_limit),
	KUNIT_CASE(kcoap_dtls_session_add),
	KUNIT_CASE(kcoap_dtls_expiry),
	{}
};

static struct kunit_suite kcoap_dtls_suite = {
	.name = "kcoap_dtls",
	.test_cases = kcoap_dtls_cases,
};

kunit_test_suite(kcoap_dtls_suite);
