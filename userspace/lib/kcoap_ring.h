/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * The daemon's side of the rings (uapi/linux/kcoap_ring.h): attach a file
 * of /dev/kcoap over netlink, map it, take requests, put responses.
 */
#ifndef KCOAP_RING_USER_H
#define KCOAP_RING_USER_H

#include <stddef.h>
#include <stdint.h>

#include <linux/kcoap_ring.h>

#include "kcoap_nl.h"

struct kcoap_ring_user {
	int fd;
	void *map;
	size_t size;
	struct kcoap_ring_info info;	/* read once at attach */
	uint32_t *req_prod, *req_cons, *rsp_prod, *rsp_cons;
	struct kcoap_req_desc *req;
	struct kcoap_rsp_desc *rsp;
	uint8_t *req_data, *rsp_data;
	uint32_t req_next;		/* our consumer index */
	uint32_t rsp_next;		/* our producer index */
	uint32_t rsp_pending;		/* written, not yet kicked */
};

struct kcoap_ring_params {
	uint32_t req_entries, rsp_entries, slot_size;	/* 0: the kernel's default */
	const char *const *prefixes;
	size_t n_prefixes;
};

/*
 * Open /dev/kcoap, attach it as this namespace's daemon and map the rings.
 * A negative errno on failure; nl->extack then says what the kernel said.
 */
int kcoap_ring_attach(struct kcoap_nl *nl, struct kcoap_ring_user *r,
		      const struct kcoap_ring_params *p);
void kcoap_ring_detach(struct kcoap_ring_user *r);

/* The next request, or NULL; its datagram is at *data for *len bytes. */
const struct kcoap_req_desc *kcoap_ring_peek(struct kcoap_ring_user *r,
					     const uint8_t **data);
/* Done with the request kcoap_ring_peek() returned: its slot is free. */
void kcoap_ring_consume(struct kcoap_ring_user *r);

/*
 * Queue a response to request @id: @code, then @rest (the bytes after the
 * token: options, 0xff, payload). -ENOSPC if the ring is full (kick and
 * retry), -EMSGSIZE if @len exceeds a slot.
 */
int kcoap_ring_respond(struct kcoap_ring_user *r, uint64_t id, uint8_t code,
		       const uint8_t *rest, size_t len);
/*
 * Answer request @id (a GET) from the kernel's table instead, as if it had
 * never come up (KCOAP_RSP_F_SERVE): after an update of its resource, a
 * GET with Observe makes the client an observer there. @fallback is the
 * code the client gets if the table has no answer.
 */
int kcoap_ring_serve(struct kcoap_ring_user *r, uint64_t id, uint8_t fallback);
/*
 * Queue a resource update: @path gets @value as Content-Format @cf in the
 * kernel's table (KCOAP_RSP_F_UPDATE); @con: observers hear of it in a CON
 * notification. -ENOSPC and -EMSGSIZE as above.
 */
int kcoap_ring_update(struct kcoap_ring_user *r, const char *path, uint16_t cf, bool con,
		      uint32_t max_age, const uint8_t *value, size_t len);

/*
 * Queue one DTLS datagram (records the daemon's TLS library wrote) for the
 * peer of handshake or session @id, the id of its KCOAP_REQ_F_DTLS entries
 * (KCOAP_RSP_F_DTLS). -ENOSPC and -EMSGSIZE as above; -EINVAL for an
 * empty datagram or an id wider than 32 bits.
 */
int kcoap_ring_dtls_send(struct kcoap_ring_user *r, uint64_t id,
			 const uint8_t *dgram, size_t len);

/* Tell the kernel about the queued responses: one ioctl for the batch. */
int kcoap_ring_kick(struct kcoap_ring_user *r);

#endif /* KCOAP_RING_USER_H */
