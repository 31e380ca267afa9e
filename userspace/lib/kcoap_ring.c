// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * The daemon's side of the rings. Indices are published with release
 * stores and read with acquire loads, as the kernel does on its side.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include <linux/kcoap.h>

#include "kcoap_ring.h"

static uint32_t load_acquire(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void store_release(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

int kcoap_ring_attach(struct kcoap_nl *nl, struct kcoap_ring_user *r,
		      const struct kcoap_ring_params *p)
{
	struct kcoap_ring_info info;
	struct nl_msg *msg;
	uint8_t *m;
	size_t i;
	int err;

	memset(r, 0, sizeof(*r));
	r->fd = open(KCOAP_RING_DEVICE, O_RDWR | O_CLOEXEC);
	if (r->fd < 0)
		return -errno;
	msg = kcoap_nl_msg(nl, KCOAP_CMD_DAEMON_ATTACH, 0, 512);
	if (!msg) {
		err = -ENOMEM;
		goto fail;
	}
	if (nla_put_u32(msg, KCOAP_A_DAEMON_FD, (uint32_t)r->fd) ||
	    (p->req_entries && nla_put_u32(msg, KCOAP_A_DAEMON_REQ_ENTRIES, p->req_entries)) ||
	    (p->rsp_entries && nla_put_u32(msg, KCOAP_A_DAEMON_RSP_ENTRIES, p->rsp_entries)) ||
	    (p->slot_size && nla_put_u32(msg, KCOAP_A_DAEMON_SLOT_SIZE, p->slot_size))) {
		nlmsg_free(msg);
		err = -EMSGSIZE;
		goto fail;
	}
	for (i = 0; i < p->n_prefixes; i++) {
		if (nla_put_string(msg, KCOAP_A_DAEMON_PREFIX, p->prefixes[i])) {
			nlmsg_free(msg);
			err = -EMSGSIZE;
			goto fail;
		}
	}
	err = kcoap_nl_request(nl, msg, NULL, NULL);
	if (err)
		goto fail;
	/* The info block first, for the size of the whole mapping. */
	m = mmap(NULL, sizeof(info), PROT_READ, MAP_SHARED, r->fd, 0);
	if (m == MAP_FAILED) {
		err = -errno;
		goto fail;
	}
	memcpy(&info, m, sizeof(info));
	munmap(m, sizeof(info));
	if (info.version != KCOAP_RING_VERSION) {
		err = -EPROTO;
		goto fail;
	}
	m = mmap(NULL, info.size, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
	if (m == MAP_FAILED) {
		err = -errno;
		goto fail;
	}
	r->map = m;
	r->size = info.size;
	r->info = info;
	r->req_prod = (uint32_t *)(m + info.req.producer);
	r->req_cons = (uint32_t *)(m + info.req.consumer);
	r->rsp_prod = (uint32_t *)(m + info.rsp.producer);
	r->rsp_cons = (uint32_t *)(m + info.rsp.consumer);
	r->req = (struct kcoap_req_desc *)(m + info.req.desc);
	r->rsp = (struct kcoap_rsp_desc *)(m + info.rsp.desc);
	r->req_data = m + info.req_data;
	r->rsp_data = m + info.rsp_data;
	r->req_next = load_acquire(r->req_cons);
	r->rsp_next = load_acquire(r->rsp_prod);
	return 0;
fail:
	close(r->fd);
	r->fd = -1;
	return err;
}

void kcoap_ring_detach(struct kcoap_ring_user *r)
{
	if (r->map)
		munmap(r->map, r->size);
	if (r->fd >= 0)
		close(r->fd);	/* the kernel detaches us */
	r->map = NULL;
	r->fd = -1;
}

const struct kcoap_req_desc *kcoap_ring_peek(struct kcoap_ring_user *r,
					     const uint8_t **data)
{
	const struct kcoap_req_desc *d;

	if (load_acquire(r->req_prod) == r->req_next) {
		/*
		 * Empty, and the caller may go to sleep now. Our consumer index
		 * must be visible before we look at the producer's once more,
		 * the kernel's mirror image of this (docs/ring.md): else each
		 * side can miss the other's store, and the kernel does not wake
		 * us for an entry we did not see.
		 */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (load_acquire(r->req_prod) == r->req_next)
			return NULL;
	}
	d = &r->req[r->req_next & (r->info.req_entries - 1)];
	if (d->data_len > r->info.slot_size ||
	    d->data_off > (uint64_t)r->info.req_entries * r->info.slot_size - d->data_len)
		return NULL;	/* cannot happen with a sane kernel */
	*data = r->req_data + d->data_off;
	return d;
}

void kcoap_ring_consume(struct kcoap_ring_user *r)
{
	store_release(r->req_cons, ++r->req_next);
}

/*
 * The next free response descriptor, cleared, with its slot for @len
 * bytes; NULL with *err set if the ring is full or @len exceeds a slot.
 */
static struct kcoap_rsp_desc *rsp_next(struct kcoap_ring_user *r, size_t len,
				       int *err)
{
	uint32_t n = r->info.rsp_entries, slot = r->rsp_next & (n - 1);
	struct kcoap_rsp_desc *d = &r->rsp[slot];

	*err = len > r->info.slot_size ? -EMSGSIZE :
	       r->rsp_next - load_acquire(r->rsp_cons) >= n ? -ENOSPC : 0;
	if (*err)
		return NULL;
	memset(d, 0, sizeof(*d));
	d->data_off = slot * r->info.slot_size;
	d->data_len = (uint32_t)len;
	return d;
}

/* Publish the descriptor rsp_next() gave: written, then the index. */
static void rsp_publish(struct kcoap_ring_user *r)
{
	store_release(r->rsp_prod, ++r->rsp_next);
	r->rsp_pending++;
}

int kcoap_ring_respond(struct kcoap_ring_user *r, uint64_t id, uint8_t code,
		       const uint8_t *rest, size_t len)
{
	struct kcoap_rsp_desc *d;
	int err;

	d = rsp_next(r, len, &err);
	if (!d)
		return err;
	d->id = id;
	d->code = code;
	if (len)
		memcpy(r->rsp_data + d->data_off, rest, len);
	rsp_publish(r);
	return 0;
}

int kcoap_ring_serve(struct kcoap_ring_user *r, uint64_t id, uint8_t fallback)
{
	struct kcoap_rsp_desc *d;
	int err;

	d = rsp_next(r, 0, &err);
	if (!d)
		return err;
	d->id = id;
	d->code = fallback;
	d->flags = KCOAP_RSP_F_SERVE;
	rsp_publish(r);
	return 0;
}

int kcoap_ring_update(struct kcoap_ring_user *r, const char *path, uint16_t cf, bool con,
		      uint32_t max_age, const uint8_t *value, size_t len)
{
	struct kcoap_ring_update h = { 0 };
	size_t plen = strlen(path);
	struct kcoap_rsp_desc *d;
	uint8_t *p;
	int err;

	if (plen > 0xffff)
		return -EMSGSIZE;
	d = rsp_next(r, sizeof(h) + plen + len, &err);
	if (!d)
		return err;
	d->flags = KCOAP_RSP_F_UPDATE | (con ? KCOAP_RSP_F_CON : 0);
	h.path_len = (uint16_t)plen;
	h.content_format = cf;
	h.max_age = max_age;
	p = r->rsp_data + d->data_off;
	memcpy(p, &h, sizeof(h));
	memcpy(p + sizeof(h), path, plen);
	if (len)
		memcpy(p + sizeof(h) + plen, value, len);
	rsp_publish(r);
	return 0;
}

int kcoap_ring_dtls_send(struct kcoap_ring_user *r, uint64_t id,
			 const uint8_t *dgram, size_t len)
{
	struct kcoap_rsp_desc *d;
	int err;

	if (!id || id > UINT32_MAX || !len)
		return -EINVAL;
	d = rsp_next(r, len, &err);
	if (!d)
		return err;
	d->id = id;
	d->flags = KCOAP_RSP_F_DTLS;
	memcpy(r->rsp_data + d->data_off, dgram, len);
	rsp_publish(r);
	return 0;
}

int kcoap_ring_kick(struct kcoap_ring_user *r)
{
	if (!r->rsp_pending)
		return 0;
	r->rsp_pending = 0;
	return ioctl(r->fd, KCOAP_RING_KICK) ? -errno : 0;
}
