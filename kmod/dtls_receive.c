// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * A datagram on a coaps socket (softirq), by what its sender has:
 *
 *   nothing          a ClientHello without our cookie gets a
 *                    HelloVerifyRequest (dtls_cookie.c); with it, a
 *                    handshake entry is made and the datagram goes up the
 *                    ring (KCOAP_REQ_F_DTLS). Anything else is dropped.
 *   a handshake      every datagram goes up, as received, to the daemon
 *                    that runs the handshake.
 *   a session        its records one by one (RFC 6347 §4.1: a datagram
 *                    may hold several): application data is opened and
 *                    its CoAP message takes the plain path (receive.c)
 *                    as a message of that session; close_notify ends the
 *                    session; other alerts, handshake records (no
 *                    renegotiation here: the daemon refuses it) and
 *                    ChangeCipherSpec go up, as received.
 *
 * A ClientHello of epoch 0 from an established session's address is a
 * client that lost its state (RFC 6347 §4.2.8): it takes the cookie path
 * too, and the new session replaces the old one once its handshake is done.
 * A datagram that starts with a tls12_cid record (RFC 9146) is found by its
 * connection ID instead, not by its address (dtls_cid.c).
 */
#include <linux/ktime.h>
#include <linux/udp.h>

#include "kcoap.h"
#include "daemon.h"
#include "dtls.h"
#include "dtls_path.h"
#include "peer.h"
#include "validate.h"

/*
 * Bytes a coaps datagram may have beyond max-message-size: a record's
 * header, explicit nonce and tag (37 with a 16-byte tag), and room for the
 * handshake flights of a client whose MTU guess is a little larger.
 */
#define KCOAP_DTLS_SLACK	256
/* An alert record, sealed: header, nonce, level and description, tag. */
#define KCOAP_DTLS_ALERT_MAX	(KCOAP_DTLS_HDR_LEN + 8 + 2 + 16)

void kcoap_dtls_up(struct kcoap_net *kn, const struct kcoap_peer *p, u32 id,
		   const u8 *data, unsigned int len)
{
	if (!kcoap_dtls_hand_up(kn, p, id, data, len))
		kcoap_stat_inc(kn, KCOAP_STAT_DTLS_HANDED_UP);
}

/* A datagram that may start with a ClientHello (§4.2.1); false if not. */
static bool kcoap_dtls_hello(struct kcoap_net *kn, const struct kcoap_peer *p,
			     const u8 *data, unsigned int len)
{
	u8 hvr[KCOAP_DTLS_HVR_LEN];
	struct kcoap_dtls_hello h;
	struct kcoap_dtls_sess *s;
	u64 now;

	switch (kcoap_dtls_hello_parse(data, len, &h)) {
	case 0:
		break;
	case -ENOENT:
		return false;
	default:		/* malformed, or a fragment */
		kcoap_stat_inc(kn, KCOAP_STAT_DTLS_BAD_RECORD);
		return true;
	}
	kcoap_stat_inc(kn, KCOAP_STAT_DTLS_RX_RECORDS);
	now = ktime_get_boottime_seconds();
	if (kcoap_dtls_cookie_ok(kn, p, &h, now)) {
		/* The sender receives at its address: a handshake may begin. */
		s = kcoap_dtls_handshake_new(kn, p);
		if (s)
			kcoap_dtls_up(kn, p, s->id, data, len);
		return true;
	}
	if (h.cookie_len)
		kcoap_stat_inc(kn, KCOAP_STAT_DTLS_COOKIE_BAD);
	kcoap_dtls_hvr(kn, p, &h, now, hvr);
	if (!kcoap_xmit(kn, p, hvr, sizeof(hvr), true))
		kcoap_stat_inc(kn, KCOAP_STAT_DTLS_HELLO_VERIFY);
	return true;
}

/*
 * An alert of @s: close_notify ends the session (true); any other goes up
 * as received, so it is opened in a copy.
 */
static bool kcoap_dtls_alert(struct kcoap_net *kn, const struct kcoap_peer *p,
			     struct kcoap_dtls_sess *s, const u8 *rec,
			     unsigned int len)
{
	u8 copy[KCOAP_DTLS_ALERT_MAX];
	size_t plen;
	u8 type;
	int err;

	if (len > sizeof(copy)) {
		kcoap_stat_inc(kn, KCOAP_STAT_DTLS_BAD_RECORD);
		return false;
	}
	memcpy(copy, rec, len);
	err = kcoap_dtls_open(s, copy, len, &type, &plen);
	if (err) {
		kcoap_stat_inc(kn, err == -EALREADY ? KCOAP_STAT_DTLS_REPLAYED :
						      KCOAP_STAT_DTLS_BAD_RECORD);
		return false;
	}
	/* RFC 5246 §7.2.1: the peer closes; no need to answer in kind. */
	if (plen == 2 && copy[KCOAP_DTLS_HDR_LEN + 8 + 1] ==
			 KCOAP_DTLS_ALERT_CLOSE_NOTIFY) {
		kcoap_stat_inc(kn, KCOAP_STAT_DTLS_CLOSE_NOTIFY);
		kcoap_dtls_del(kn, s);
		return true;
	}
	kcoap_dtls_up(kn, p, s->id, rec, len);
	return false;
}

/* The records of a datagram from established session @s. */
static void kcoap_dtls_records(struct kcoap_net *kn, const struct kcoap_peer *p,
			       struct kcoap_dtls_sess *s, u8 *data,
			       unsigned int len)
{
	struct kcoap_peer sp = *p;
	unsigned int rlen;
	size_t plen;
	u8 type;
	int err;

	sp.session = s->id;
	while (len) {
		rlen = len < KCOAP_DTLS_HDR_LEN ? U32_MAX :
		       KCOAP_DTLS_HDR_LEN + kcoap_get_be16(data + 11);
		if (rlen > len) {
			/* §4.1.2.7: an invalid record is dropped, silently. */
			kcoap_stat_inc(kn, KCOAP_STAT_DTLS_BAD_RECORD);
			return;
		}
		kcoap_stat_inc(kn, KCOAP_STAT_DTLS_RX_RECORDS);
		if (kcoap_get_be16(data + 3) != s->epoch) {
			/* An older epoch's: a handshake retransmission, say. */
			kcoap_dtls_up(kn, p, s->id, data, rlen);
		} else if (data[0] == KCOAP_DTLS_CT_APPDATA) {
			err = kcoap_dtls_open(s, data, rlen, &type, &plen);
			if (!err)
				kcoap_receive_msg(kn, &sp, data + KCOAP_DTLS_HDR_LEN + 8,
						  plen);
			else if (err == -EALREADY)
				kcoap_stat_inc(kn, KCOAP_STAT_DTLS_REPLAYED);
			else
				kcoap_stat_inc(kn, KCOAP_STAT_DTLS_BAD_RECORD);
		} else if (data[0] == KCOAP_DTLS_CT_ALERT) {
			if (kcoap_dtls_alert(kn, p, s, data, rlen))
				return;		/* the session is gone */
		} else {
			/* Handshake, ChangeCipherSpec, what we do not know. */
			kcoap_dtls_up(kn, p, s->id, data, rlen);
		}
		data += rlen;
		len -= rlen;
	}
}

void kcoap_dtls_receive(struct kcoap_net *kn, struct sk_buff *skb)
{
	struct kcoap_dtls_sess *s;
	struct kcoap_peer peer;
	unsigned int len;
	u8 *data;

	kcoap_stat_inc(kn, KCOAP_STAT_RX_DATAGRAMS);
	if (skb->protocol == htons(ETH_P_IPV6))
		kcoap_stat_inc(kn, KCOAP_STAT_RX_IPV6);
	else
		kcoap_stat_inc(kn, KCOAP_STAT_RX_IPV4);
	len = skb->len - sizeof(struct udphdr);
	kcoap_stat_add(kn, KCOAP_STAT_RX_BYTES, len);
	if (unlikely(len > READ_ONCE(kn->cfg.max_msg_size) + KCOAP_DTLS_SLACK)) {
		kcoap_stat_inc(kn, KCOAP_STAT_RX_OVERSIZE);
		goto drop;
	}
	kcoap_peer_from_skb(&peer, skb);
	/* DTLS is between two unicast addresses. */
	if (unlikely(peer.multicast)) {
		kcoap_stat_inc(kn, KCOAP_STAT_RX_DROPPED);
		goto drop;
	}
	if (!kcoap_ratelimit(kn, &peer))
		goto drop;
	/* Records are opened in place: linear, and ours alone (not a tap's). */
	if (unlikely(skb_ensure_writable(skb, skb->len)))
		goto drop;
	data = skb->data + sizeof(struct udphdr);
	if (unlikely(len && data[0] == KCOAP_DTLS_CT_CID)) {
		kcoap_dtls_cid_receive(kn, &peer, data, len);
		goto drop;
	}

	s = kcoap_dtls_find(kn, &peer);
	if (!s) {
		if (!kcoap_dtls_hello(kn, &peer, data, len))
			kcoap_stat_inc(kn, KCOAP_STAT_DTLS_NO_SESSION);
	} else if (READ_ONCE(s->state) == KCOAP_DTLS_HANDSHAKE) {
		kcoap_dtls_up(kn, &peer, s->id, data, len);
	} else if (kcoap_dtls_hello(kn, &peer, data, len)) {
		/* A new ClientHello (§4.2.8): taken. */
	} else if (likely(!s->cid_len)) {
		/* The session's records. */
		kcoap_dtls_records(kn, &peer, s, data, len);
	} else {
		/* Without the CID its peer asked for (RFC 9146 §3). */
		kcoap_dtls_cid_expected(kn, &peer, s, data, len);
	}
drop:
	consume_skb(skb);
}
