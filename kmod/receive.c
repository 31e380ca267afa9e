// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * The receive path, called from the encap hook in softirq for every
 * datagram: parse, reject what is malformed (RFC 7252 §4.2, §4.3),
 * deduplicate (§4.5), answer. Read it top to bottom.
 */
#include <linux/percpu.h>
#include <linux/random.h>
#include <linux/udp.h>

#include "kcoap.h"
#include "coap.h"
#include "daemon.h"
#include "peer.h"
#include "observe.h"
#include "serve.h"
#include "validate.h"

/*
 * The reply being built; softirqs do not nest on a CPU. Allocated at load
 * rather than static: the static per-CPU area of modules is 8 KiB in all.
 */
struct kcoap_reply_buf {
	u8 b[KCOAP_REPLY_MAX];
};

static struct kcoap_reply_buf __percpu *kcoap_reply_buf __read_mostly;

int __init kcoap_receive_bufs_init(void)
{
	kcoap_reply_buf = alloc_percpu(struct kcoap_reply_buf);
	return kcoap_reply_buf ? 0 : -ENOMEM;
}

void kcoap_receive_bufs_exit(void)
{
	free_percpu(kcoap_reply_buf);
}

/* An empty ACK or RST echoing @mid. */
void kcoap_send_empty(struct kcoap_net *kn, const struct kcoap_peer *p,
		      u8 type, u16 mid)
{
	u8 msg[COAP_HDR_LEN];

	coap_build_empty(msg, sizeof(msg), type, mid);
	if (!kcoap_send(kn, p, msg, sizeof(msg)))
		kcoap_stat_inc(kn, type == COAP_TYPE_RST ? KCOAP_STAT_TX_RST :
						    KCOAP_STAT_TX_ACK);
}

/*
 * RFC 7967 No-Response: the client does not want answers of this class.
 * Bits: 2 for 2.xx, 8 for 4.xx, 16 for 5.xx.
 */
static bool kcoap_no_response(const struct coap_msg *req, u8 code)
{
	u32 v;

	if (coap_opt_uint(req, COAP_OPT_NO_RESPONSE, &v))
		return false;
	return v & BIT(COAP_CODE_CLASS(code) - 1);
}

static u32 kcoap_lifetime(struct kcoap_net *kn, u8 type)
{
	u32 s = type == COAP_TYPE_CON ? READ_ONCE(kn->cfg.dedup_con_lifetime) :
					READ_ONCE(kn->cfg.dedup_non_lifetime);

	return s * HZ;
}

static void kcoap_remember(struct kcoap_net *kn, const struct kcoap_dedup_key *key,
			   u8 type, u32 now, const u8 *reply, int len)
{
	switch (kcoap_dedup_insert(&kn->dedup, key, type, now, kcoap_lifetime(kn, type),
				   reply, len > 0 ? len : 0)) {
	case KCOAP_DEDUP_NOMEM:
		kcoap_stat_inc(kn, KCOAP_STAT_DEDUP_NOMEM);
		break;
	case KCOAP_DEDUP_PEER_LIMIT:
		kcoap_stat_inc(kn, KCOAP_STAT_DEDUP_PEER_LIMIT);
		break;
	default:
		break;
	}
}

/*
 * GET and FETCH are safe and idempotent (RFC 7252 §5.1, RFC 8132 §2): a
 * duplicate may be processed again (§4.5), so their answers are not kept.
 */
static bool kcoap_idempotent(const struct coap_msg *req)
{
	return req->code == COAP_CODE_GET || req->code == COAP_CODE_FETCH;
}

/*
 * @ans is over @credit towards @p, whose address is not verified
 * (validate.h): a GET the table answered gets smaller Block2 blocks (RFC
 * 7959 §2.2); anything else 4.01 with an Echo option (RFC 9175 §2.3); and
 * if even that is too much, nothing.
 */
static void kcoap_amp_limit(struct kcoap_net *kn, const struct kcoap_peer *p,
			    const struct coap_msg *req, u16 mid, u32 credit,
			    u8 *buf, struct kcoap_answer *ans)
{
	u8 echo[KCOAP_ECHO_OPT_LEN];
	struct coap_builder b;
	int szx;

	kcoap_stat_inc(kn, KCOAP_STAT_AMP_LIMITED);
	if (ans->code == COAP_CODE_CONTENT && !ans->unhandled) {
		for (szx = READ_ONCE(kn->cfg.block_szx) - 1; szx >= 0; szx--) {
			kcoap_serve_szx(kn, req, p, p->multicast, mid, buf, ans, szx);
			if (ans->len <= credit && ans->code == COAP_CODE_CONTENT)
				return;
		}
	}
	ans->len = 0;
	ans->code = 0;
	if (p->multicast)
		return;		/* §8.2: no error answers to multicast */
	kcoap_echo_opt(kn, p, echo);
	coap_build_reply(&b, buf, KCOAP_REPLY_MAX, req, COAP_CODE_UNAUTHORIZED, mid);
	coap_build_opt(&b, COAP_OPT_ECHO, echo + 2, KCOAP_ECHO_LEN);
	ans->len = coap_build_end(&b);
	if (ans->len > 0 && ans->len <= credit) {
		ans->code = COAP_CODE_UNAUTHORIZED;
		kcoap_stat_inc(kn, KCOAP_STAT_TX_ECHO);
	} else {
		ans->len = 0;	/* a CON still gets its empty ACK */
	}
}

static void kcoap_request(struct kcoap_net *kn, const struct kcoap_peer *p,
			  const struct coap_msg *req)
{
	u8 *buf = this_cpu_ptr(kcoap_reply_buf)->b;
	const struct kcoap_dedup_entry *dup;
	struct kcoap_answer ans;
	struct kcoap_dedup_key key;
	u32 credit, now = jiffies;
	bool first = false, remember = true;
	u16 mid;

	/* §8.1: multicast requests are NON; a CON one is not processed. */
	if (p->multicast) {
		kcoap_stat_inc(kn, KCOAP_STAT_RX_MULTICAST);
		if (req->type != COAP_TYPE_NON || !READ_ONCE(kn->cfg.multicast))
			return;
	}

	kcoap_echo_check(kn, p, req);
	credit = kcoap_amp_credit(kn, req->len);
	kcoap_peer_key(&key, p, req->mid);
	dup = kcoap_dedup_lookup(&kn->dedup, &key, now);
	if (dup) {
		/* Answer a duplicate CON with the very same bytes; drop a NON. */
		kcoap_stat_inc(kn, KCOAP_STAT_RX_DUPLICATE);
		if (req->type != COAP_TYPE_CON)
			return;
		/* With the daemon: acknowledged, answered later (§5.2.2). */
		if ((dup->type & KCOAP_DEDUP_PENDING) &&
		    kcoap_exchange_acked(kn, p, req->mid))
			return;
		/* Answered meanwhile: the entry has the answer now. */
		if (dup->type & KCOAP_DEDUP_PENDING)
			dup = kcoap_dedup_lookup(&kn->dedup, &key, now);
		if (!dup || (dup->type & KCOAP_DEDUP_PENDING))
			return;
		if (dup->reply_len) {
			/* The replay is paid by this datagram, not the first one. */
			if (kcoap_amp_ok(kn, p, dup->reply_len, credit))
				kcoap_send(kn, p, dup->reply, dup->reply_len);
			else
				kcoap_stat_inc(kn, KCOAP_STAT_AMP_LIMITED);
			return;
		}
		/* No answer kept: a GET or FETCH is answered afresh. */
		if (!kcoap_idempotent(req))
			return;
		remember = false;
	} else {
		kcoap_stat_inc(kn, KCOAP_STAT_RX_REQUESTS);
		/*
		 * The peer holds its share of the cache: a GET or FETCH is
		 * served without an entry (a duplicate is served again); any
		 * other request is dropped, since a duplicate of it must not
		 * act twice. The client retransmits once entries expire.
		 */
		if (kcoap_dedup_peer_full(&kn->dedup, &key)) {
			kcoap_stat_inc(kn, KCOAP_STAT_DEDUP_PEER_LIMIT);
			if (!kcoap_idempotent(req))
				return;
			remember = false;
		}
	}

	/* A CON is answered piggybacked, with its own Message ID. */
	mid = req->type == COAP_TYPE_CON ? req->mid : kcoap_new_mid(kn, p);
	kcoap_serve(kn, req, p, p->multicast, mid, buf, &ans);
	if (ans.unhandled) {
		u8 code = kcoap_exchange_start(kn, p, req, &key);

		if (!code)
			return;		/* the daemon answers */
		kcoap_stat_inc(kn, KCOAP_STAT_RX_UNHANDLED);
		if (code != COAP_CODE_SERVICE_UNAVAILABLE)
			kcoap_answer_code(req, req->type == COAP_TYPE_CON ? req->mid :
					  kcoap_new_mid(kn, p), code, 60, buf, &ans);
	}
	if (ans.len < 0) {
		/* Cannot happen with a KCOAP_REPLY_MAX buffer; be safe anyway. */
		WARN_ONCE(1, "reply did not fit: %d\n", ans.len);
		ans.len = 0;
	}
	if (unlikely(ans.registered) && kcoap_peer_unverified(kn, p)) {
		/* An unverified observer: a CON notification instead (observe.c). */
		first = true;
		ans.len = 0;
	} else if (!kcoap_amp_ok(kn, p, ans.len, credit)) {
		kcoap_amp_limit(kn, p, req, mid, credit, buf, &ans);
	}
	if (ans.code && COAP_CODE_CLASS(ans.code) != 2 && p->multicast)
		ans.len = 0;	/* §8.2: no error answers to multicast */
	if (ans.len && kcoap_no_response(req, ans.code))
		ans.len = 0;
	if (!ans.len && req->type == COAP_TYPE_CON) {
		/* Nothing to piggyback, but a CON is still acknowledged. */
		coap_build_ack(buf, KCOAP_REPLY_MAX, req->mid);
		ans.len = COAP_HDR_LEN;
		ans.code = 0;
	}

	if (remember)
		kcoap_remember(kn, &key, req->type, now, buf,
			       req->type == COAP_TYPE_CON && !kcoap_idempotent(req) ?
			       ans.len : 0);
	if (ans.len && !kcoap_send(kn, p, buf, ans.len)) {
		if (ans.code)
			kcoap_stat_code(kn, ans.code);
		else
			kcoap_stat_inc(kn, KCOAP_STAT_TX_ACK);
	}
	if (first)
		kcoap_obs_first(kn, p, req);
}

/* A request with an unrecognized critical option: 4.02 (§5.4.1). */
static void kcoap_bad_option(struct kcoap_net *kn, const struct kcoap_peer *p,
			     const struct coap_msg *req, u8 code)
{
	u8 *buf = this_cpu_ptr(kcoap_reply_buf)->b;
	struct kcoap_answer ans;

	kcoap_answer_code(req, req->type == COAP_TYPE_CON ? req->mid :
			  kcoap_new_mid(kn, p), code, 60, buf, &ans);
	if (!p->multicast && ans.len > 0 && !kcoap_send(kn, p, buf, ans.len))
		kcoap_stat_code(kn, code);
}

/*
 * One CoAP message from @peer, @len bytes at @data: from a coap datagram,
 * or opened from a record of a DTLS session (@peer->session set).
 */
void kcoap_receive_msg(struct kcoap_net *kn, const struct kcoap_peer *peer,
		       const u8 *data, unsigned int len)
{
	struct coap_msg msg;
	int err;

	err = coap_parse(&msg, data, len);
	switch (coap_err_class(err)) {
	case COAP_ERRC_NONE:
		break;
	case COAP_ERRC_FORMAT:
		/* §4.2: reject a malformed CON with RST; ignore the rest (§4.3). */
		kcoap_stat_inc(kn, KCOAP_STAT_RX_FORMAT_ERROR);
		if (msg.type == COAP_TYPE_CON && !peer->multicast)
			kcoap_send_empty(kn, peer, COAP_TYPE_RST, msg.mid);
		return;
	case COAP_ERRC_OPTION:
		/* §5.4.1: 4.02 for a CON request, reject anything else. */
		kcoap_stat_inc(kn, KCOAP_STAT_RX_BAD_OPTION);
		if (msg.type == COAP_TYPE_CON && coap_is_request(&msg))
			kcoap_bad_option(kn, peer, &msg, COAP_CODE_BAD_OPTION);
		else if (msg.type == COAP_TYPE_CON && !peer->multicast)
			kcoap_send_empty(kn, peer, COAP_TYPE_RST, msg.mid);
		return;
	case COAP_ERRC_LIMIT:
		/* More options than we keep: a local limit, so 4.00 not 4.02. */
		kcoap_stat_inc(kn, KCOAP_STAT_RX_TOO_MANY_OPTIONS);
		if (msg.type == COAP_TYPE_CON && coap_is_request(&msg))
			kcoap_bad_option(kn, peer, &msg, COAP_CODE_BAD_REQUEST);
		return;
	default:
		/* Too short, wrong version, too big: silently ignored (§3). */
		kcoap_stat_inc(kn, KCOAP_STAT_RX_DROPPED);
		return;
	}

	if (msg.code == COAP_CODE_EMPTY) {
		if (msg.type == COAP_TYPE_CON) {
			/* A ping (§4.3): "CoAP ping" is answered with RST. */
			kcoap_stat_inc(kn, KCOAP_STAT_RX_PING);
			if (!peer->multicast)
				kcoap_send_empty(kn, peer, COAP_TYPE_RST, msg.mid);
		} else if (msg.type == COAP_TYPE_ACK) {
			/* It gets what we send: verified (RFC 9175 §2.4). */
			if (kcoap_obs_ack(kn, peer, msg.mid) ||
			    kcoap_exchange_ack(kn, peer, msg.mid, false))
				kcoap_peer_verify(kn, peer, KCOAP_STAT_ACK_VERIFIED);
			else
				kcoap_stat_inc(kn, KCOAP_STAT_RX_STRAY);
		} else if (!kcoap_obs_rst(kn, peer, msg.mid) &&
			   !kcoap_exchange_ack(kn, peer, msg.mid, true)) {
			/* Matches nothing of ours: dropped. */
			kcoap_stat_inc(kn, KCOAP_STAT_RX_STRAY);
		}
		return;
	}
	if (coap_is_request(&msg)) {
		kcoap_request(kn, peer, &msg);
		return;
	}
	/* A response to a request the kernel did not send (§5.3.2): reject. */
	kcoap_stat_inc(kn, KCOAP_STAT_RX_STRAY);
	if (msg.type == COAP_TYPE_CON && !peer->multicast)
		kcoap_send_empty(kn, peer, COAP_TYPE_RST, msg.mid);
}

void kcoap_receive(struct kcoap_net *kn, struct sk_buff *skb)
{
	struct kcoap_peer peer;
	unsigned int len;

	kcoap_stat_inc(kn, KCOAP_STAT_RX_DATAGRAMS);
	if (skb->protocol == htons(ETH_P_IPV6))
		kcoap_stat_inc(kn, KCOAP_STAT_RX_IPV6);
	else
		kcoap_stat_inc(kn, KCOAP_STAT_RX_IPV4);
	len = skb->len - sizeof(struct udphdr);
	kcoap_stat_add(kn, KCOAP_STAT_RX_BYTES, len);
	/*
	 * §4.6: a message fits one IP packet. Anything larger (reassembled
	 * fragments, up to 64 KB) is dropped before it costs a copy.
	 */
	if (unlikely(len > READ_ONCE(kn->cfg.max_msg_size))) {
		kcoap_stat_inc(kn, KCOAP_STAT_RX_OVERSIZE);
		goto drop;
	}
	/* The headers are in the linear part already. */
	kcoap_peer_from_skb(&peer, skb);
	if (!kcoap_ratelimit(kn, &peer))
		goto drop;
	/* The codec reads the datagram in place: it must be linear. */
	if (unlikely(skb_linearize(skb)))
		goto drop;
	kcoap_receive_msg(kn, &peer, skb->data + sizeof(struct udphdr), len);
drop:
	consume_skb(skb);
}
