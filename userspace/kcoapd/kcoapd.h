/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * kcoapd: serves the requests kcoap.ko hands up through the rings.
 */
#ifndef KCOAPD_H
#define KCOAPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/kcoap_ring.h>

#include "coap.h"

#define KCOAPD_MAX_PREFIXES 16

struct kcoapd_config {
	const char *prefixes[KCOAPD_MAX_PREFIXES];
	size_t n_prefixes;
	uint32_t req_entries, rsp_entries, slot_size;
	size_t store_max;		/* resources in the store */
	size_t value_max;		/* bytes of one value */
	bool syslog;
	bool verbose;
	bool no_push;			/* keep the store out of the kernel */
	bool push_ring;			/* push through the ring, not netlink */
};

/* config.c: KEY VALUE lines of @path into @c; an error names the line. */
int kcoapd_config_load(struct kcoapd_config *c, const char *path);
void kcoapd_config_defaults(struct kcoapd_config *c);

/* log.c */
void kcoapd_log_init(bool syslog, bool verbose);
void kcoapd_log(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * An answer: the code and the bytes after the token. Handlers build it
 * with a struct coap_builder into buf and call answer_end().
 */
struct answer {
	uint8_t code;
	uint8_t buf[2048];
	size_t len;
	uint32_t delay_ms;		/* answer this much later (diagnostics) */
};

/* store.c: the dynamic resource store, and the /echo diagnostic. */
void store_init(const struct kcoapd_config *c);
void store_handle(const struct kcoap_req_desc *d, const struct coap_msg *req,
		  struct answer *a);

/* kernel.c: the store's resources in the kernel's table (netlink). */
struct kcoap_nl;
struct kcoap_ring_user;
void kernel_push_init(struct kcoap_nl *nl, struct kcoap_ring_user *ring);
void kernel_push(const char *path, uint16_t ct, const uint8_t *value, size_t len);
void kernel_drop(const char *path);

/* upload.c: Block1 reassembly (RFC 7959 §2.5). */
struct upload_body {
	const uint8_t *data;
	size_t len;
	void *handle;
};

/*
 * Block @blk of a PUT or POST to @path from the client of @d. 0: the body
 * is complete in @body (apply it, answer with Block1 echoed, then
 * upload_done()); 1: a 2.31 Continue is in @a; -1: an error is in @a.
 */
int upload_block(const struct kcoap_req_desc *d, const char *path,
		 const struct coap_msg *req, const struct coap_block *blk,
		 size_t max, struct answer *a, struct upload_body *body);
void upload_done(struct upload_body *body);

/* Build helpers: an answer with @code, options added by the caller. */
void answer_begin(struct answer *a, struct coap_builder *b, uint8_t code);
void answer_end(struct answer *a, struct coap_builder *b);

#endif /* KCOAPD_H */
