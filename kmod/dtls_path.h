/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * The coaps endpoint's datagram path (dtls.h has the map): the cookie
 * exchange of RFC 6347 §4.2.1 (dtls_cookie.c), the dispatch of a received
 * datagram (dtls_receive.c), and what leaves through a session
 * (dtls_send.c).
 */
#ifndef _KCOAP_DTLS_PATH_H
#define _KCOAP_DTLS_PATH_H

#include <linux/types.h>

struct kcoap_net;
struct kcoap_peer;
struct sk_buff;

/* RFC 6347 §4.2.2: the handshake header, 12 bytes. */
#define KCOAP_DTLS_HS_HDR_LEN		12
#define KCOAP_DTLS_HS_CLIENT_HELLO	1
#define KCOAP_DTLS_HS_HELLO_VERIFY	3
/* RFC 5246 §7.2: an alert is level, description. */
#define KCOAP_DTLS_ALERT_CLOSE_NOTIFY	0

/*
 * Big-endian fields of records and handshake messages, by hand: Linux
 * 6.12 moved the unaligned helpers from asm/ to linux/unaligned.h.
 */
static inline u16 kcoap_get_be16(const u8 *p)
{
	return p[0] << 8 | p[1];
}

static inline u32 kcoap_get_be24(const u8 *p)
{
	return p[0] << 16 | p[1] << 8 | p[2];
}

static inline u64 kcoap_get_be48(const u8 *p)
{
	return (u64)kcoap_get_be16(p) << 32 | (u32)kcoap_get_be24(p + 2) << 8 | p[5];
}

static inline void kcoap_put_be16(u16 v, u8 *p)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static inline void kcoap_put_be24(u32 v, u8 *p)
{
	p[0] = (v >> 16) & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = v & 0xff;
}

static inline void kcoap_put_be48(u64 v, u8 *p)
{
	kcoap_put_be16(v >> 32, p);
	kcoap_put_be24(v >> 8, p + 2);
	p[5] = v & 0xff;
}

/* Our cookies: two SipHash-2-4 values (RFC 6347 §4.2.1 allows 0..255). */
#define KCOAP_DTLS_COOKIE_LEN		16
/* A cookie is good for one to two epochs of this many seconds. */
#define KCOAP_DTLS_COOKIE_EPOCH		30
/* Record and handshake headers, server_version, cookie length, cookie. */
#define KCOAP_DTLS_HVR_LEN		(13 + KCOAP_DTLS_HS_HDR_LEN + 3 + \
					 KCOAP_DTLS_COOKIE_LEN)

/*
 * A ClientHello (RFC 6347 §4.2.2, RFC 5246 §7.4.1.2), found in a record
 * of epoch 0: pointers into the datagram, every length checked.
 */
struct kcoap_dtls_hello {
	u64 rec_seq;		/* the record's 48-bit sequence number */
	u16 msg_seq;		/* the handshake message_seq */
	u8 cookie_len;
	u8 pre_len;		/* client_version, random, session_id */
	u16 post_len;		/* cipher_suites, compression_methods */
	const u8 *pre;
	const u8 *cookie;
	const u8 *post;
};

/*
 * dtls_cookie.c. Parse the record at @rec (@len bytes left in the
 * datagram): 0 for a whole ClientHello, -EMSGSIZE for a fragment of one
 * (not reassembled: kcoap's cookies need all of it), -EBADMSG if it is a
 * malformed one, -ENOENT if it is not one (no handshake of epoch 0 that
 * starts with a ClientHello).
 */
int kcoap_dtls_hello_parse(const u8 *rec, size_t len,
			   struct kcoap_dtls_hello *h);
/* The cookie of @h from @p in epoch @epoch (seconds / COOKIE_EPOCH). */
void kcoap_dtls_cookie(struct kcoap_net *kn, const struct kcoap_peer *p,
		       const struct kcoap_dtls_hello *h, u64 epoch, u8 *out);
/* Does @h carry the cookie of this or the previous epoch for @p? */
bool kcoap_dtls_cookie_ok(struct kcoap_net *kn, const struct kcoap_peer *p,
			  const struct kcoap_dtls_hello *h, u64 now_s);
/* The HelloVerifyRequest for @h: KCOAP_DTLS_HVR_LEN bytes into @out. */
void kcoap_dtls_hvr(struct kcoap_net *kn, const struct kcoap_peer *p,
		    const struct kcoap_dtls_hello *h, u64 now_s, u8 *out);

/* dtls_receive.c: a datagram on a coaps socket (softirq; consumes @skb). */
void kcoap_dtls_receive(struct kcoap_net *kn, struct sk_buff *skb);
/* Hand @len bytes from @p up as received, for handshake or session @id. */
void kcoap_dtls_up(struct kcoap_net *kn, const struct kcoap_peer *p, u32 id,
		   const u8 *data, unsigned int len);

struct kcoap_dtls_sess;
/*
 * dtls_cid.c (RFC 9146). A datagram whose first byte is tls12_cid, from
 * @p; and one without CID from the address of session @s, which has one.
 */
void kcoap_dtls_cid_receive(struct kcoap_net *kn, const struct kcoap_peer *p,
			    u8 *data, unsigned int len);
void kcoap_dtls_cid_expected(struct kcoap_net *kn, const struct kcoap_peer *p,
			     struct kcoap_dtls_sess *s, const u8 *data,
			     unsigned int len);

/*
 * dtls_send.c. Send the plaintext CoAP message @buf through session
 * @p->session: sealed, to the session's current address. Softirq or BH
 * off, under RCU.
 */
int kcoap_dtls_send(struct kcoap_net *kn, const struct kcoap_peer *p,
		    const void *buf, size_t len);
/* KCOAP_RSP_F_DTLS: the daemon's datagram for handshake or session @id. */
void kcoap_dtls_send_raw(struct kcoap_net *kn, u32 id, const u8 *buf,
			 size_t len);

#endif /* _KCOAP_DTLS_PATH_H */
