// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * The rings' memory (uapi/linux/kcoap_ring.h). Like AF_XDP's queues: each
 * side publishes its index with a release store and reads the other's
 * with an acquire load, and the kernel keeps its own indices privately.
 * The daemon can write anything anywhere in the mapping at any time, so
 * everything read from it is read once, into kernel memory, and checked
 * there: the other side's index against what it could possibly be, a
 * response descriptor field by field, a response's bytes after the copy.
 */
#include <linux/bitops.h>
#include <linux/cache.h>
#include <linux/netlink.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "coap.h"
#include "ring.h"

/* Page 0: the info block, then each index on its own cache line. */
#define KCOAP_RING_LINE		64
#define KCOAP_RING_REQ_PROD	(2 * KCOAP_RING_LINE)
#define KCOAP_RING_REQ_CONS	(3 * KCOAP_RING_LINE)
#define KCOAP_RING_REQ_FLAGS	(4 * KCOAP_RING_LINE)
#define KCOAP_RING_RSP_PROD	(5 * KCOAP_RING_LINE)
#define KCOAP_RING_RSP_CONS	(6 * KCOAP_RING_LINE)
#define KCOAP_RING_RSP_FLAGS	(7 * KCOAP_RING_LINE)
#define KCOAP_RING_DESC		(8 * KCOAP_RING_LINE)

static bool kcoap_ring_entries_ok(u32 n)
{
	return n >= KCOAP_RING_ENTRIES_MIN && n <= KCOAP_RING_ENTRIES_MAX &&
	       is_power_of_2(n);
}

/* The layout for @s; false if it does not fit KCOAP_RING_BYTES_MAX. */
static bool kcoap_ring_layout(const struct kcoap_ring_size *s,
			      struct kcoap_ring_info *info)
{
	u64 off;

	BUILD_BUG_ON(sizeof(*info) > KCOAP_RING_REQ_PROD);
	memset(info, 0, sizeof(*info));
	info->version = KCOAP_RING_VERSION;
	info->req_entries = s->req_entries;
	info->rsp_entries = s->rsp_entries;
	info->slot_size = s->slot_size;
	info->req.producer = KCOAP_RING_REQ_PROD;
	info->req.consumer = KCOAP_RING_REQ_CONS;
	info->req.flags = KCOAP_RING_REQ_FLAGS;
	info->rsp.producer = KCOAP_RING_RSP_PROD;
	info->rsp.consumer = KCOAP_RING_RSP_CONS;
	info->rsp.flags = KCOAP_RING_RSP_FLAGS;
	off = KCOAP_RING_DESC;
	info->req.desc = off;
	off += (u64)s->req_entries * sizeof(struct kcoap_req_desc);
	off = ALIGN(off, KCOAP_RING_LINE);
	info->rsp.desc = off;
	off += (u64)s->rsp_entries * sizeof(struct kcoap_rsp_desc);
	off = PAGE_ALIGN(off);
	info->req_data = off;
	off += (u64)s->req_entries * s->slot_size;
	info->rsp_data = off;
	off += (u64)s->rsp_entries * s->slot_size;
	info->size = PAGE_ALIGN(off);
	return info->size <= KCOAP_RING_BYTES_MAX;
}

int kcoap_ring_check_size(const struct kcoap_ring_size *s,
			  struct netlink_ext_ack *extack)
{
	struct kcoap_ring_info info;

	if (!kcoap_ring_entries_ok(s->req_entries)) {
		NL_SET_ERR_MSG(extack, "request ring entries: a power of two from 2 to 16384");
		return -EINVAL;
	}
	if (!kcoap_ring_entries_ok(s->rsp_entries)) {
		NL_SET_ERR_MSG(extack, "response ring entries: a power of two from 2 to 16384");
		return -EINVAL;
	}
	if (s->slot_size < KCOAP_RING_SLOT_MIN || s->slot_size > KCOAP_RING_SLOT_MAX ||
	    s->slot_size % KCOAP_RING_LINE) {
		NL_SET_ERR_MSG(extack, "slot size: a multiple of 64 from 256 to 65536 bytes");
		return -EINVAL;
	}
	if (!kcoap_ring_layout(s, &info)) {
		NL_SET_ERR_MSG(extack, "the rings would exceed 64 MiB");
		return -E2BIG;
	}
	return 0;
}

struct kcoap_ring *kcoap_ring_alloc(const struct kcoap_ring_size *s)
{
	struct kcoap_ring *r;
	u8 *a;

	if (kcoap_ring_check_size(s, NULL))
		return NULL;
	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return NULL;
	kcoap_ring_layout(s, &r->info);
	/* Zeroed, and fit for remap_vmalloc_range(). */
	r->area = vmalloc_user(r->info.size);
	if (!r->area) {
		kfree(r);
		return NULL;
	}
	a = r->area;
	memcpy(a, &r->info, sizeof(r->info));
	r->req_prod = (u32 *)(a + r->info.req.producer);
	r->req_cons = (u32 *)(a + r->info.req.consumer);
	r->req_flags = (u32 *)(a + r->info.req.flags);
	r->rsp_prod = (u32 *)(a + r->info.rsp.producer);
	r->rsp_cons = (u32 *)(a + r->info.rsp.consumer);
	r->req_desc = (struct kcoap_req_desc *)(a + r->info.req.desc);
	r->rsp_desc = (struct kcoap_rsp_desc *)(a + r->info.rsp.desc);
	r->req_data = a + r->info.req_data;
	r->rsp_data = a + r->info.rsp_data;
	spin_lock_init(&r->req_lock);
	mutex_init(&r->rsp_lock);
	init_waitqueue_head(&r->wait);
	return r;
}

void kcoap_ring_free(struct kcoap_ring *r)
{
	if (!r)
		return;
	vfree(r->area);
	kfree(r);
}

int kcoap_ring_put(struct kcoap_ring *r, struct kcoap_req_desc *d,
		   const void *data, u32 len)
{
	u32 n = r->info.req_entries, cons, used, slot, prev;
	unsigned long flags;

	if (len > r->info.slot_size)
		return -EMSGSIZE;
	spin_lock_irqsave(&r->req_lock, flags);
	/* Pairs with the daemon's release: it is done with those slots. */
	cons = smp_load_acquire(r->req_cons);
	used = r->req_next - cons;
	if (used > n) {
		/* The daemon's index is not one it could have: trust nothing. */
		spin_unlock_irqrestore(&r->req_lock, flags);
		return -EPROTO;
	}
	if (used == n) {
		spin_unlock_irqrestore(&r->req_lock, flags);
		return -ENOSPC;
	}
	slot = r->req_next & (n - 1);
	d->data_off = slot * r->info.slot_size;
	d->data_len = len;
	memcpy(r->req_data + d->data_off, data, len);
	memcpy(&r->req_desc[slot], d, sizeof(*d));
	prev = r->req_next++;
	/* The entry and its data before the index that makes them visible. */
	smp_store_release(r->req_prod, r->req_next);
	spin_unlock_irqrestore(&r->req_lock, flags);
	/*
	 * One wake-up when the daemon may have found the ring empty, i.e. it
	 * had consumed everything before this entry. The consumer index must
	 * be read after ours is published, with a full barrier between: the
	 * daemon publishes its index and, after a full barrier, reads ours
	 * once more before it sleeps, so one of the two sees the other's
	 * store. Reading it before publishing (as a "was empty" test under
	 * the lock would) loses the wake-up when the daemon drains the ring
	 * in between, and it sleeps on a ring that only fills up.
	 */
	smp_mb();
	if (READ_ONCE(*r->req_cons) == prev ||
	    (READ_ONCE(*r->req_flags) & KCOAP_RING_F_NEED_WAKEUP))
		wake_up_interruptible(&r->wait);
	return 0;
}

bool kcoap_ring_readable(struct kcoap_ring *r)
{
	/* Pairs with the daemon's release of its consumer index. */
	return READ_ONCE(r->req_next) != smp_load_acquire(r->req_cons);
}

/* A response descriptor, already copied out of the mapping, checked. */
static bool kcoap_rsp_desc_ok(const struct kcoap_ring *r,
			      const struct kcoap_rsp_desc *d, u32 cap)
{
	u64 area = (u64)r->info.rsp_entries * r->info.slot_size;
	bool ok;

	if (d->flags & KCOAP_RSP_F_DTLS)	/* for handshake or session @id */
		ok = d->flags == KCOAP_RSP_F_DTLS && d->id && d->id <= U32_MAX &&
		     !d->code && d->data_len;
	else if (d->flags & KCOAP_RSP_F_UPDATE)	/* no ID, no code */
		ok = !d->id && !d->code &&
		     !(d->flags & ~(KCOAP_RSP_F_UPDATE | KCOAP_RSP_F_CON));
	else					/* an answer to request @id */
		ok = d->id && !(d->flags & ~KCOAP_RSP_F_SERVE) &&
		     COAP_CODE_CLASS(d->code) >= 2 && COAP_CODE_CLASS(d->code) <= 5;
	if (!ok)
		return false;
	return !d->reserved && !d->reserved2 &&
	       d->data_len <= cap && d->data_len <= r->info.slot_size &&
	       (u64)d->data_off + d->data_len <= area;
}

int kcoap_ring_get(struct kcoap_ring *r, struct kcoap_rsp_desc *d, u8 *buf,
		   u32 cap)
{
	u32 n = r->info.rsp_entries, prod;

	lockdep_assert_held(&r->rsp_lock);
	/* Pairs with the daemon's release: its entries are written. */
	prod = smp_load_acquire(r->rsp_prod);
	if (prod - r->rsp_next > n)
		return -EPROTO;
	if (prod == r->rsp_next)
		return 0;
	/* Once, into our memory: the daemon may rewrite it meanwhile. */
	memcpy(d, &r->rsp_desc[r->rsp_next & (n - 1)], sizeof(*d));
	r->rsp_next++;
	if (!kcoap_rsp_desc_ok(r, d, cap))
		return -EINVAL;
	memcpy(buf, r->rsp_data + d->data_off, d->data_len);
	return 1;
}

void kcoap_ring_rsp_done(struct kcoap_ring *r)
{
	lockdep_assert_held(&r->rsp_lock);
	/* The entries were copied: the daemon may reuse them. */
	smp_store_release(r->rsp_cons, r->rsp_next);
}
