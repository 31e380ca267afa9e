/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * The resource table: resources answered in the kernel, keyed by path.
 */
#ifndef _KCOAP_RESOURCE_H
#define _KCOAP_RESOURCE_H

#include <linux/rhashtable-types.h>
#include <linux/xarray.h>
#include <linux/kcoap.h>

#include "observe.h"

/* Representations per resource: one per Content-Format. */
#define KCOAP_MAX_REPRS KCOAP_REPR_MAX
#define KCOAP_ETAG_LEN 4

struct kcoap_repr {
	const u8 *data;
	u32 len;
	u16 ct;
	u8 etag[KCOAP_ETAG_LEN];
};

/*
 * One version of a resource. Never changed once published: an update
 * builds a new one and swaps the pointer (RCU), so a reader in softirq sees
 * either the old or the new version whole and never blocks.
 */
struct kcoap_res_state {
	struct rcu_head rcu;
	const char *rt;			/* NULL if none; strings and data */
	const char *ifd;		/* live in this allocation */
	const char *title;
	u32 max_age;
	u32 methods;			/* BIT(code) of allowed methods */
	u32 size;			/* bytes of all values */
	bool obs;
	bool con;			/* observers hear of it in a CON */
	bool secure;			/* served only over DTLS */
	u8 nrepr;
	struct kcoap_repr repr[];
};

struct kcoap_resource {
	struct rhash_head node;
	struct rcu_head rcu;
	struct kcoap_res_state __rcu *state;
	struct kcoap_res_obs obs;	/* under kcoap_observe.lock */
	u32 id;
	u16 path_len;
	char path[];			/* "/a/b", NUL-terminated */
};

struct kcoap_res_table {
	struct rhashtable ht;		/* by path */
	struct xarray ids;		/* by id: creation order for listing */
	u32 count;			/* writers hold kcoap_net.lock */
	u64 bytes;
	u32 etag_next;
	/* /.well-known/core, rendered by the writers (wellknown.c). */
	struct kcoap_wk_doc __rcu *wk;	/* NULL: no resource, or no memory */
	bool wk_failed;			/* the last render had no memory */
};

/* What a request names: the joined Uri-Path, for lookups. */
struct kcoap_path_key {
	const char *s;
	u32 len;
};

struct kcoap_net;
struct netlink_ext_ack;

int kcoap_res_table_init(struct kcoap_res_table *t);
void kcoap_res_table_destroy(struct kcoap_res_table *t);

/* In softirq (RCU), or with kcoap_net.lock held to keep the result. */
struct kcoap_resource *kcoap_res_lookup(struct kcoap_res_table *t,
					const char *path, u32 len);

int kcoap_res_path_check(const char *path, struct netlink_ext_ack *extack);

struct kcoap_res_state *kcoap_res_state_alloc(u8 nrepr, size_t extra);
void kcoap_res_state_free(struct kcoap_res_state *st);
void kcoap_res_new_etag(struct kcoap_res_table *t, struct kcoap_repr *r);

/* Writers: the caller holds kcoap_net.lock. They take ownership of @st. */
int kcoap_res_add(struct kcoap_net *kn, const char *path,
		  struct kcoap_res_state *st, struct netlink_ext_ack *extack);
void kcoap_res_replace(struct kcoap_net *kn, struct kcoap_resource *res,
		       struct kcoap_res_state *st);
void kcoap_res_del(struct kcoap_net *kn, struct kcoap_resource *res);

/* wellknown.c: the /.well-known/core document, for the writers above. */
void kcoap_wk_render(struct kcoap_net *kn);
void kcoap_wk_free(struct kcoap_res_table *t);
bool kcoap_wk_same_link(struct kcoap_net *kn, const struct kcoap_resource *res,
			const struct kcoap_res_state *a,
			const struct kcoap_res_state *b);

static inline struct kcoap_res_state *
kcoap_res_state_locked(const struct kcoap_resource *res)
{
	return rcu_dereference_protected(res->state, true);
}

#endif /* _KCOAP_RESOURCE_H */
