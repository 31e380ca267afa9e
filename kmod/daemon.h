/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * The daemon (kcoapd): one per network namespace, attached through a file
 * of /dev/kcoap whose mapping holds the rings. Requests on the paths it
 * serves are handed up as exchanges, which end with its response, or
 * with 5.03 when it is gone or too slow.
 */
#ifndef _KCOAP_DAEMON_H
#define _KCOAP_DAEMON_H

#include <linux/rhashtable-types.h>
#include <linux/xarray.h>

#include "ring.h"

struct genl_info;
struct sk_buff;
struct kcoap_net;
struct kcoap_peer;
struct coap_msg;
struct kcoap_dedup_key;

/* The paths the daemon serves: "/rd" alone, "/ps/" and all below it. */
struct kcoap_prefixes {
	struct rcu_head rcu;
	u32 n;
	struct {
		u16 len;
		bool subtree;
		char *path;
	} p[];
};

struct kcoap_daemon {
	struct kcoap_net *kn;		/* NULL once detached */
	struct kcoap_ring *ring;
	refcount_t ref;			/* the file's, and a detacher's */
	pid_t pid;
	struct kcoap_ring_size size;

	struct mutex lock;		/* attach state; one response reader */
	struct net *net;		/* held while attached */
	struct xarray xa;		/* exchange ID -> exchange */
	u32 xa_next;
	struct rhashtable by_key;	/* peer and request MID -> exchange */
	struct rhashtable by_mid;	/* separate CON responses out */
	u32 max_inflight;
	atomic_t inflight;
	/* A response's bytes, or an answer served from the table. */
	u8 *buf;			/* max(slot_size, KCOAP_REPLY_MAX) */
	u8 *out;			/* the message built from them */
	struct coap_msg *msg;		/* and parsed, to check it */
};

/* Module init and exit: the /dev/kcoap device. */
int kcoap_daemon_init(void);
void kcoap_daemon_exit(void);
/* Namespace exit: detach, answering what is left with 5.03. */
void kcoap_daemon_net_exit(struct kcoap_net *kn);

/* Netlink handlers (netlink.c dispatches). */
int kcoap_nl_daemon_attach(struct sk_buff *skb, struct genl_info *info);
int kcoap_nl_daemon_detach(struct sk_buff *skb, struct genl_info *info);
int kcoap_nl_daemon_get(struct sk_buff *skb, struct genl_info *info);

/* Softirq, RCU: is @path (of @len bytes) one the daemon serves? */
bool kcoap_daemon_serves(struct kcoap_net *kn, const char *path, u32 len);

/*
 * Softirq: hand request @req from @p up. 0 if it went up (the caller
 * sends nothing now), else the code to answer with: 5.03, or 4.13 if it
 * is larger than a ring slot.
 */
u8 kcoap_exchange_start(struct kcoap_net *kn, const struct kcoap_peer *p,
			const struct coap_msg *req,
			const struct kcoap_dedup_key *key);
/*
 * Softirq: one DTLS datagram from @p up the ring (KCOAP_REQ_F_DTLS) for
 * handshake or session @id. 0, or why not (counted handup-refused).
 */
int kcoap_dtls_hand_up(struct kcoap_net *kn, const struct kcoap_peer *p,
		       u32 id, const void *data, u32 len);
/*
 * Softirq: a duplicate CON of a pending request. False if its exchange
 * is over (its answer is in the dedupe cache now); else it got an empty
 * ACK and will be answered separately.
 */
bool kcoap_exchange_acked(struct kcoap_net *kn, const struct kcoap_peer *p,
			  u16 mid);
/* Softirq: an empty ACK or RST; true if it was for a separate response. */
bool kcoap_exchange_ack(struct kcoap_net *kn, const struct kcoap_peer *p,
			u16 mid, bool rst);

/*
 * Process context, @d->lock held: a resource update from the ring; @con:
 * its observers are told in a CON.
 */
int kcoap_daemon_update(struct kcoap_daemon *d, const u8 *buf, u32 len, bool con);

/* For daemon.c: read the response ring; fail every exchange (detach). */
void kcoap_exchange_responses(struct kcoap_daemon *d);
void kcoap_exchange_fail_all(struct kcoap_daemon *d);
int kcoap_exchange_init(struct kcoap_daemon *d);
void kcoap_exchange_destroy(struct kcoap_daemon *d);

#endif /* _KCOAP_DAEMON_H */
