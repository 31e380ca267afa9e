/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Address validation against reflection and amplification (RFC 9175 §2.4,
 * RFC 7252 §11.3), and the per-source token buckets (ratelimit.c).
 *
 * The credit rule: whatever the kernel sends because of one datagram from
 * a peer whose address is not verified stays within amp-factor (3) times
 * that datagram's length. A request earns credit for its answer, a
 * duplicate for its replay; an exchange handed to the daemon carries its
 * request's credit through the empty ACK, the answer and every
 * retransmission of a separate response; an observer carries what its
 * registration left over through its notifications and their
 * retransmissions. Past the credit a request gets 4.01 Unauthorized with
 * an Echo option (RFC 9175 §2.3), a large GET gets smaller Block2 blocks
 * (RFC 7959 §2.2) instead, and the rest is not sent.
 *
 * A peer is verified by a request carrying an Echo value the kernel made
 * for its address within the last two epochs, or by acknowledging a CON
 * message the kernel sent it. Peers that came in over the loopback device
 * are verified by construction: no one outside the host can send those.
 */
#ifndef _KCOAP_VALIDATE_H
#define _KCOAP_VALIDATE_H

#include <linux/netdevice.h>
#include <net/flow.h>

#include "peertab.h"
#include "peer.h"

/* Seconds one Echo epoch lasts; a value is good for this to twice this. */
#define KCOAP_ECHO_EPOCH	30
#define KCOAP_ECHO_LEN		8
/* The Echo option's bytes: delta 252 (13 + 239), length 8, the value. */
#define KCOAP_ECHO_OPT_LEN	(2 + KCOAP_ECHO_LEN)

struct kcoap_net;
struct coap_msg;

struct kcoap_validate {
	siphash_key_t echo_key;
	siphash_key_t cookie_key[2];	/* DTLS cookies (dtls_cookie.c) */
	struct kcoap_peertab verified;
	struct kcoap_peertab buckets;	/* ratelimit.c */
};

int kcoap_validate_init(struct kcoap_net *kn);
void kcoap_validate_destroy(struct kcoap_net *kn);

/* The bytes a datagram of @len earns towards an unverified peer. */
u32 kcoap_amp_credit(struct kcoap_net *kn, u32 len);

/*
 * Came in over the loopback device: cannot be spoofed from outside. Nor
 * can a DTLS session's peer: its handshake began with a cookie exchange
 * (RFC 6347 §4.2.1), and every record of it authenticates.
 */
static inline bool kcoap_peer_local(const struct kcoap_peer *p)
{
	return p->ifindex == LOOPBACK_IFINDEX || p->session;
}

/* Under RCU: is @p's address verified (one lookup)? */
bool kcoap_peer_verified(struct kcoap_net *kn, const struct kcoap_peer *p);
/* Under RCU: does what goes to @p need credit (amp-factor on, not verified)? */
bool kcoap_peer_unverified(struct kcoap_net *kn, const struct kcoap_peer *p);
/* Softirq or BH off: remember @p's address as verified (@why counted). */
void kcoap_peer_verify(struct kcoap_net *kn, const struct kcoap_peer *p,
		       int why);

/*
 * May @len bytes go to @p on @credit bytes of credit? Costs nothing when
 * they fit or the amp-factor is 0, one lookup otherwise.
 */
static inline bool kcoap_amp_ok(struct kcoap_net *kn, const struct kcoap_peer *p,
				u32 len, u32 credit)
{
	return len <= credit || kcoap_peer_local(p) || kcoap_peer_verified(kn, p);
}

/* The Echo option (KCOAP_ECHO_OPT_LEN bytes) for @p, now, into @out. */
void kcoap_echo_opt(struct kcoap_net *kn, const struct kcoap_peer *p, u8 *out);
/* A request with an Echo option: verifies @p if the value is ours and fresh. */
void kcoap_echo_check(struct kcoap_net *kn, const struct kcoap_peer *p,
		      const struct coap_msg *req);

/* ratelimit.c, softirq: may a datagram from @p be processed? */
bool kcoap_ratelimit(struct kcoap_net *kn, const struct kcoap_peer *p);

/* For the KUnit suite. */
u64 kcoap_echo_mac(struct kcoap_net *kn, const struct in6_addr *addr, u64 epoch);
bool kcoap_echo_valid(struct kcoap_net *kn, const struct in6_addr *addr,
		      const u8 *val, u32 len, u64 now_s);

#endif /* _KCOAP_VALIDATE_H */
