/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Message deduplication (RFC 7252 §4.5): which (peer, Message ID) pairs
 * were seen recently, and for CON requests the reply to send again.
 */
#ifndef _KCOAP_DEDUP_H
#define _KCOAP_DEDUP_H

#include <linux/rhashtable-types.h>
#include <linux/workqueue.h>
#include <linux/in6.h>

/*
 * Two peers using the same Message ID are different exchanges, so the key
 * is address, port and ID. IPv4 peers are stored as v4-mapped addresses;
 * the IPv6 socket is V6ONLY, so the two never collide. A message that came
 * in a DTLS session has its session's id too: nobody can send one in its
 * name from the plain endpoint, or from an earlier session of that address.
 */
struct kcoap_dedup_key {
	struct in6_addr addr;
	__be16 port;
	u16 mid;
	u32 session;			/* 0: plain coap */
};

/*
 * Bookkeeping is 56 bytes before the reply: an entry without a reply is a
 * 56-byte slab object, plus about 4 bytes of bucket array at the entry
 * limit (docs/endpoint.md has the measurement). The peer's byte counter is
 * found again from the key's address when the entry is freed.
 * The FIFO link is only used while the entry is alive and the rcu_head
 * only after it is unlinked, so they share space.
 */
struct kcoap_dedup_entry {
	struct rhash_head node;
	union {
		struct kcoap_dedup_entry *next;	/* per-CPU FIFO, oldest first */
		struct rcu_head rcu;
	};
	struct kcoap_dedup_key key;
	u32 expires;			/* jiffies */
	u16 reply_len;
	u8 type;			/* COAP_TYPE_CON or _NON, | PENDING */
	u8 cache;			/* index of the kmem_cache it came from */
	u8 reply[];
};

struct kcoap_dedup_table;
struct kcoap_pcpu_stats;

struct kcoap_dedup {
	struct kcoap_dedup_table __rcu *tbl;
	/* Where evictions and expiries are counted (may be NULL). */
	struct kcoap_pcpu_stats __percpu *stats;
	/* Byte budgets, in slab object sizes (kcoap_dedup_set_limits()). */
	u32 max_bytes;
	u32 max_peer_bytes;
};

/*
 * In struct kcoap_dedup_entry.type: handed to the daemon, not answered
 * yet. A duplicate CON gets an empty ACK meanwhile (RFC 7252 §5.2.2).
 */
#define KCOAP_DEDUP_PENDING	0x80
/* Out of the table, waiting in its FIFO to be freed. */
#define KCOAP_DEDUP_GONE	0x40

enum kcoap_dedup_result {
	KCOAP_DEDUP_INSERTED,
	KCOAP_DEDUP_RACED,		/* another CPU inserted it first */
	KCOAP_DEDUP_NOMEM,
	KCOAP_DEDUP_PEER_LIMIT,		/* the peer holds max_peer_bytes */
};

/* One entry as kcoap_dedup_snapshot() reports it. */
struct kcoap_dedup_info {
	struct kcoap_dedup_key key;
	u32 expires_ms;
	u16 reply_len;
	u8 type;
};

int kcoap_dedup_global_init(void);
void kcoap_dedup_global_exit(void);

int kcoap_dedup_init(struct kcoap_dedup *d, u32 max_entries);
/*
 * The cache holds at most @max_bytes, entries with their replies counted
 * as the slab objects they take; one peer (an IPv4 address, an IPv6 /64)
 * at most @max_peer_bytes. Any context.
 */
void kcoap_dedup_set_limits(struct kcoap_dedup *d, u32 max_bytes,
			    u32 max_peer_bytes);
void kcoap_dedup_destroy(struct kcoap_dedup *d);
/* Process context: drop every entry and size the table for @max_entries. */
int kcoap_dedup_resize(struct kcoap_dedup *d, u32 max_entries);

/*
 * Softirq, under RCU. An entry that expired by @now is not found. The
 * result stays valid until the caller leaves the RCU read-side section.
 */
const struct kcoap_dedup_entry *
kcoap_dedup_lookup(struct kcoap_dedup *d, const struct kcoap_dedup_key *key,
		   u32 now);

/*
 * Softirq, under RCU: is the peer of @key at its max_peer_bytes, with no
 * room for even an entry without a reply? Peers
 * are counted in 1024 buckets by a keyed hash: a peer shares its budget
 * with the few others that fall in its bucket, and nobody can choose them.
 */
bool kcoap_dedup_peer_full(struct kcoap_dedup *d, const struct kcoap_dedup_key *key);

/*
 * Softirq. Remember @key for @lifetime jiffies with @reply (may be empty).
 * At the entry or byte limit the oldest entries go first (RFC 7252 leaves
 * the memory bound to the implementation); at the peer's byte limit
 * nothing is remembered (KCOAP_DEDUP_PEER_LIMIT).
 */
enum kcoap_dedup_result
kcoap_dedup_insert(struct kcoap_dedup *d, const struct kcoap_dedup_key *key,
		   u8 type, u32 now, u32 lifetime, const void *reply,
		   u16 reply_len);

/*
 * Softirq or BH off, under RCU: the reply to the pending request @key is
 * @reply; duplicates get it from now on, for the time the entry had left.
 */
void kcoap_dedup_complete(struct kcoap_dedup *d, const struct kcoap_dedup_key *key,
			  u32 now, const void *reply, u16 reply_len);

/* Free the entries expired by @now; returns how many. */
unsigned int kcoap_dedup_expire(struct kcoap_dedup *d, u32 now);

/* Entries, and the bytes they take, until they are freed. */
u64 kcoap_dedup_count(struct kcoap_dedup *d);
u64 kcoap_dedup_bytes(struct kcoap_dedup *d);

/* Process context: up to @max live entries, oldest first per CPU. */
unsigned int kcoap_dedup_snapshot(struct kcoap_dedup *d, u32 now,
				  struct kcoap_dedup_info *out,
				  unsigned int max);

#endif /* _KCOAP_DEDUP_H */
