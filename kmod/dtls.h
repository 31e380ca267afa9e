/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * DTLS 1.2 (RFC 6347) on the coaps endpoint: the handshake is kcoapd's
 * (GnuTLS), the records are the kernel's, as kTLS splits TLS.
 *
 *   dtls_session.c  the table: handshakes in flight and sessions, by id and
 *                   by peer address; limits, expiry; netlink session-*
 *   dtls_record.c   one record: AEAD open (with the RFC 6347 §4.1.2.6
 *                   replay window) and seal, with the kernel crypto API
 *   dtls_cookie.c   stateless HelloVerifyRequest cookies (RFC 6347 §4.2.1)
 *   dtls_receive.c  a datagram on the coaps socket: split into records,
 *                   cookie exchange, handshake records up the ring,
 *                   application data opened and given to receive.c
 *   dtls_cid.c      records with a connection ID (RFC 9146): found by
 *                   it, from whatever address, which then becomes the
 *                   session's (§6)
 *
 * A handshake entry is made only for a ClientHello whose cookie checked,
 * i.e. from an address that can receive: every later record of that
 * handshake goes up the ring with the entry's id, and kcoapd's flights come
 * down with the same id, so the daemon can only send to that peer. The
 * session kcoapd installs (session-add, with the keys from
 * gnutls_record_get_state()) takes over the entry and its id.
 */
#ifndef _KCOAP_DTLS_H
#define _KCOAP_DTLS_H

#include <linux/types.h>
#include <linux/llist.h>
#include <linux/rhashtable-types.h>
#include <linux/spinlock.h>
#include <net/genetlink.h>

#include <linux/kcoap.h>

/* Before peer.h, whose prototypes name it. */
struct kcoap_net;

#include "peer.h"

struct crypto_aead;

/* RFC 6347 §4.1: the record header, 13 bytes. */
#define KCOAP_DTLS_HDR_LEN	13
#define KCOAP_DTLS_VERSION_12	0xfefd
#define KCOAP_DTLS_VERSION_10	0xfeff	/* in a ClientHello's record */

/* RFC 5246 §6.2.1 content types; RFC 9146 §4 adds tls12_cid. */
#define KCOAP_DTLS_CT_CCS	20
#define KCOAP_DTLS_CT_ALERT	21
#define KCOAP_DTLS_CT_HANDSHAKE	22
#define KCOAP_DTLS_CT_APPDATA	23
#define KCOAP_DTLS_CT_CID	25

/* The AEAD record protections of the suites kcoap accepts (uapi enum). */
enum kcoap_dtls_suite {
	KCOAP_DTLS_AES_128_CCM_8 = 1,	/* RFC 7252 §9: PSK and ECDSA suites */
	KCOAP_DTLS_AES_128_CCM = 2,
	KCOAP_DTLS_AES_128_GCM = 3,
	KCOAP_DTLS_AES_256_GCM = 4,
};

/* One direction's keys (RFC 5246 §6.3, AEAD: no MAC key). */
struct kcoap_dtls_dir {
	struct crypto_aead *tfm;
	u8 salt[4];			/* the implicit part of the nonce */
	/* 48 bits: next to send; received: one past the highest seen */
	u64 seq;
	u64 window;			/* received: bit i is seq - 1 - i seen */
};

enum kcoap_dtls_state {
	KCOAP_DTLS_HANDSHAKE,		/* records go up to kcoapd */
	KCOAP_DTLS_ESTABLISHED,		/* the kernel opens and seals */
};

struct kcoap_dtls_sess {
	struct rhash_head by_id;
	struct rhash_head by_addr;
	struct rhash_head by_cid;	/* only with a cid */
	struct kcoap_dedup_key addr;	/* rhashtable key: addr, port; mid 0 */
	u32 id;				/* never 0; the ring's handshake id */
	u8 state;			/* enum kcoap_dtls_state */
	u8 suite;			/* enum kcoap_dtls_suite */
	u16 epoch;
	/*
	 * RFC 9146: what the peer puts in its records to us (the table's
	 * sessions: 0 or KCOAP_DTLS_CID_LEN bytes, the by_cid key), and what
	 * we put in ours (0: records without CID). Set before the session is
	 * established, not changed after.
	 */
	u8 cid_len, peer_cid_len;
	u8 cid[KCOAP_DTLS_CID_LEN];
	u8 *peer_cid;
	/*
	 * Where to send: the latest address, under lock once established
	 * (§6 moves it). home: where the handshake came from, what CoAP
	 * state (dedup, observers, exchanges) keeps calling the peer, so a
	 * client that moved is still the same client.
	 */
	struct kcoap_peer peer, home;
	spinlock_t lock;		/* rx window, tx seq, peer */
	struct kcoap_dtls_dir rx, tx;
	unsigned long created, last_rx;	/* jiffies */
	u64 rx_records, tx_records, rx_bad, rx_replayed;
	char identity[129];		/* PSK identity or key fingerprint */
	/* dtls_session.c's: under the table's lock. */
	bool unlinked;			/* out of the tables, to be freed */
	u32 replaces;			/* an older session of this peer */
	struct llist_node dead;		/* freed after a grace period */
};

/* dtls_session.c: the per-namespace tables (kn->dtls). */
int kcoap_dtls_net_init(struct kcoap_net *kn);
void kcoap_dtls_net_exit(struct kcoap_net *kn);
/*
 * All under rcu_read_lock(); NULL if none. An entry found stays valid
 * until rcu_read_unlock(), even if it is deleted meanwhile.
 */
struct kcoap_dtls_sess *kcoap_dtls_find(struct kcoap_net *kn,
					const struct kcoap_peer *p);
struct kcoap_dtls_sess *kcoap_dtls_get(struct kcoap_net *kn, u32 id);
/*
 * A cookie-checked ClientHello: a handshake entry, or NULL (full, counted
 * in dtls-handshake-full; or no memory). If @p has a handshake entry
 * already, that one; if it has a session, the new entry takes its place
 * in kcoap_dtls_find() and session-add removes it (RFC 6347 §4.2.8).
 */
struct kcoap_dtls_sess *kcoap_dtls_handshake_new(struct kcoap_net *kn,
						 const struct kcoap_peer *p);
/* Any context; freed after a grace period, by the table's work. */
void kcoap_dtls_del(struct kcoap_net *kn, struct kcoap_dtls_sess *s);

/* Not for the receive path: session-add's work, and expiry (KUnit). */
struct kcoap_dtls_keys {
	u32 id;
	u8 suite;
	u16 epoch;
	u8 rx_key[32], tx_key[32];
	u8 keylen;
	u8 rx_salt[4], tx_salt[4];
	u64 rx_seq, tx_seq;
	const char *identity;
	const u8 *cid;			/* KCOAP_DTLS_CID_LEN bytes, or NULL */
	const u8 *peer_cid;		/* peer_cid_len bytes */
	u8 peer_cid_len;
};

int kcoap_dtls_establish(struct kcoap_net *kn, const struct kcoap_dtls_keys *k,
			 struct netlink_ext_ack *extack);
unsigned int kcoap_dtls_expire(struct kcoap_net *kn, unsigned long now);
/* Under RCU: the session whose cid is the KCOAP_DTLS_CID_LEN bytes at @cid. */
struct kcoap_dtls_sess *kcoap_dtls_find_cid(struct kcoap_net *kn, const u8 *cid);
/*
 * After kcoap_dtls_open_cid() moved @s->peer (RFC 9146 §6): the address
 * table follows, counted in dtls-cid-migrated. Softirq or BH off.
 */
void kcoap_dtls_moved(struct kcoap_net *kn, struct kcoap_dtls_sess *s);
u32 kcoap_dtls_count(struct kcoap_net *kn, enum kcoap_dtls_state state);

/* dtls_session.c: the netlink commands (netlink.c's table). */
extern const struct nla_policy kcoap_session_policy[];
int kcoap_nl_session_add(struct sk_buff *skb, struct genl_info *info);
int kcoap_nl_session_del(struct sk_buff *skb, struct genl_info *info);
int kcoap_nl_session_get(struct sk_buff *skb, struct genl_info *info);
int kcoap_nl_session_dump(struct sk_buff *skb, struct netlink_callback *cb);
int kcoap_nl_session_done(struct netlink_callback *cb);

/* dtls_record.c, softirq-safe (synchronous AEADs only). */
int kcoap_dtls_dir_init(struct kcoap_dtls_dir *d, u8 suite, const u8 *key,
			unsigned int keylen, const u8 *salt, u64 seq);
void kcoap_dtls_dir_free(struct kcoap_dtls_dir *d);
/*
 * Open the record at @rec (header included, @len bytes) in place: on 0,
 * *@type and the plaintext at @rec + KCOAP_DTLS_HDR_LEN + 8 for *@plen
 * bytes. -EBADMSG: malformed (length field not @len - 13, version not
 * DTLS 1.2, too short), not of the session's epoch, not established, or
 * it did not authenticate; -EALREADY: replayed or older than the window
 * (RFC 6347 §4.1.2.6); -ENOMEM. Counted in the session's rx_bad and
 * rx_replayed, not in the namespace's counters (the caller's).
 */
int kcoap_dtls_open(struct kcoap_dtls_sess *s, u8 *rec, size_t len,
		    u8 *type, size_t *plen);
/*
 * The same for a tls12_cid record (RFC 9146 §4) carrying @s->cid, from
 * @from: *@type is the real type, the plaintext (padding stripped) at
 * @rec + KCOAP_DTLS_HDR_LEN + @s->cid_len + 8. A record that opened and is
 * newer than any before (§6) from another address or port than @s->peer
 * makes @from the session's peer: *@moved (and @from may be NULL: never).
 * -EBADMSG also for a wrong CID and a plaintext of zeros only.
 */
int kcoap_dtls_open_cid(struct kcoap_dtls_sess *s, u8 *rec, size_t len,
			const struct kcoap_peer *from, u8 *type, size_t *plen,
			bool *moved);
/*
 * Encrypt again, in place, a tls12_cid record kcoap_dtls_open_cid()
 * opened: the bytes it had (the AEAD is deterministic), to hand it up as
 * received.
 */
int kcoap_dtls_reclose(struct kcoap_dtls_sess *s, u8 *rec, size_t len);
/*
 * Seal @len bytes as one record of @type into @out; returns its length
 * (@len + kcoap_dtls_overhead()), or -EMSGSIZE (@out_size too small),
 * -ENOTCONN (not established), -EOVERFLOW (sequence numbers used up),
 * -ENOMEM. @in may be @out + KCOAP_DTLS_HDR_LEN + 8. With a peer CID, a
 * tls12_cid record (RFC 9146 §4: content, real type, no padding).
 */
int kcoap_dtls_seal(struct kcoap_dtls_sess *s, u8 type, const void *in,
		    size_t len, u8 *out, size_t out_size);
/* The same, and where to send it (@s->peer, read with the sequence number). */
int kcoap_dtls_seal_to(struct kcoap_dtls_sess *s, u8 type, const void *in,
		       size_t len, u8 *out, size_t out_size,
		       struct kcoap_peer *to);
/*
 * Header, explicit nonce and tag, and the peer CID and real type byte:
 * what a record adds to its plaintext.
 */
unsigned int kcoap_dtls_overhead(const struct kcoap_dtls_sess *s);
/*
 * The AEAD of a record, for it and for KUnit's published vectors: in place
 * on @data (@len bytes of ciphertext and tag to decrypt; of plaintext,
 * with room for the tag after it, to encrypt), nonce = @d's salt and the
 * 8 bytes at @explicit, @aad_len (at most KCOAP_DTLS_AAD_MAX) bytes of
 * additional data. -EBADMSG if it does not authenticate.
 */
/* RFC 9146 §5.3: 8 + 1 + 1 + 1 + 2 + 2 + 6 + cid + 2 at most. */
#define KCOAP_DTLS_AAD_MAX	(23 + KCOAP_DTLS_CID_MAX)
int kcoap_dtls_aead(const struct kcoap_dtls_dir *d, u8 suite, const u8 *aad,
		    unsigned int aad_len, const u8 *explicit, u8 *data,
		    unsigned int len, bool enc);

#endif /* _KCOAP_DTLS_H */
