/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * The request and response rings shared with the daemon (the layout is in
 * uapi/linux/kcoap_ring.h). This part knows only the memory: indices,
 * descriptors and data slots, and what may be trusted of them.
 */
#ifndef _KCOAP_RING_H
#define _KCOAP_RING_H

#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/kcoap_ring.h>

struct netlink_ext_ack;

struct kcoap_ring_size {
	u32 req_entries;
	u32 rsp_entries;
	u32 slot_size;
};

struct kcoap_ring {
	void *area;			/* vmalloc_user(), mapped by the daemon */
	struct kcoap_ring_info info;	/* our copy: never read back */
	u32 *req_prod, *req_cons, *req_flags;
	u32 *rsp_prod, *rsp_cons;
	struct kcoap_req_desc *req_desc;
	struct kcoap_rsp_desc *rsp_desc;
	u8 *req_data, *rsp_data;

	spinlock_t req_lock;		/* producers, from any CPU's softirq */
	u32 req_next;			/* our producer index */
	struct mutex rsp_lock;		/* one consumer at a time */
	u32 rsp_next;			/* our consumer index */
	wait_queue_head_t wait;		/* poll() */
};

/* Sizes the daemon may ask for; an extack message names the bad one. */
int kcoap_ring_check_size(const struct kcoap_ring_size *s,
			  struct netlink_ext_ack *extack);
struct kcoap_ring *kcoap_ring_alloc(const struct kcoap_ring_size *s);
void kcoap_ring_free(struct kcoap_ring *r);

/*
 * Softirq or process context: hand request @d with datagram @data up.
 * -ENOSPC if the ring is full, -EMSGSIZE if @len exceeds a slot, -EPROTO
 * if the daemon's consumer index is impossible (the ring is then full to
 * us until it is sane again).
 */
int kcoap_ring_put(struct kcoap_ring *r, struct kcoap_req_desc *d,
		   const void *data, u32 len);
/* Whether the daemon has requests to read (poll). */
bool kcoap_ring_readable(struct kcoap_ring *r);

/*
 * Process context, the ring's rsp_lock held: the next response, its
 * descriptor copied into @d and its bytes into @buf (@cap of them).
 * 1 if one was taken, 0 if none is waiting, -EPROTO if the daemon's
 * producer index is impossible (nothing taken), -EINVAL if the entry was
 * bad (it is consumed all the same). kcoap_ring_rsp_done() publishes the
 * consumer index after a batch.
 */
int kcoap_ring_get(struct kcoap_ring *r, struct kcoap_rsp_desc *d, u8 *buf,
		   u32 cap);
void kcoap_ring_rsp_done(struct kcoap_ring *r);

#endif /* _KCOAP_RING_H */
