// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * A socketless namespace for the KUnit suites: kcoap_send() fails there
 * with -ENOTCONN (and counts tx-errors) unless a suite stubs it.
 */
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "kunit_net.h"

KUNIT_DEFINE_ACTION_WRAPPER(kt_dedup_destroy, kcoap_dedup_destroy,
			    struct kcoap_dedup *);

KUNIT_DEFINE_ACTION_WRAPPER(kt_mid_exit, kcoap_mid_exit, struct kcoap_net *);

static void kt_stats_free(void *p)
{
	struct kcoap_net *kn = p;

	free_percpu(kn->stats);
}

static void kt_res_free(void *p)
{
	struct kcoap_net *kn = p;

	kcoap_res_table_destroy(&kn->res);
}

static void kt_validate_free(void *p)
{
	kcoap_validate_destroy(p);
}

static void kt_obs_free(void *p)
{
	struct kcoap_net *kn = p;
	struct kcoap_resource *res;
	unsigned long id;

	/* As the namespace's exit does: end what is left, then wait. */
	mutex_lock(&kn->lock);
	xa_for_each(&kn->res.ids, id, res)
		kcoap_obs_end(kn, res, true);
	mutex_unlock(&kn->lock);
	kcoap_obs_destroy(kn);
}

struct kcoap_net *kt_net_new(struct kunit *test)
{
	struct kcoap_net *kn = kunit_kzalloc(test, sizeof(*kn), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, kn);
	kn->stats_base = kunit_kzalloc(test, sizeof(*kn->stats_base), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, kn->stats_base);

	kn->net = &init_net;
	mutex_init(&kn->lock);
	kn->cfg.port = KCOAP_DEFAULT_PORT;
	kn->cfg.block_szx = 6;
	kn->cfg.dedup_con_lifetime = 247;
	kn->cfg.dedup_non_lifetime = 145;
	kn->cfg.dedup_max_entries = 64;
	kn->cfg.res_max_count = 1024;
	kn->cfg.res_max_size = 1 << 20;
	kn->cfg.obs_max_per_res = 1024;
	kn->cfg.obs_max_total = 4096;
	kn->cfg.unavailable_max_age = 17;
	kn->cfg.ack_timeout = 2000;
	kn->cfg.max_retransmit = 4;
	kn->cfg.wk_max_size = 65536;
	kn->cfg.max_msg_size = 1152;
	kn->cfg.dedup_max_bytes = 16 << 20;
	kn->cfg.dedup_max_peer_bytes = 1 << 20;
	kn->cfg.obs_max_per_peer = 256;
	kn->cfg.dtls_max_hs_per_peer = 64;
	kn->stats = alloc_percpu(struct kcoap_pcpu_stats);
	/* Not KUNIT_ASSERT_NOT_NULL(): sparse minds the __percpu. */
	if (!kn->stats)
		KUNIT_FAIL_AND_ABORT(test, "no memory for the counters");
	/* Actions run in reverse: observers go first, the counters last. */
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kt_stats_free, kn), 0);
	KUNIT_ASSERT_EQ(test, kcoap_mid_init(kn), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kt_mid_exit, kn), 0);
	KUNIT_ASSERT_EQ(test, kcoap_res_table_init(&kn->res), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kt_res_free, kn), 0);
	kn->dedup.stats = kn->stats;
	kcoap_dedup_set_limits(&kn->dedup, kn->cfg.dedup_max_bytes,
			       kn->cfg.dedup_max_peer_bytes);
	KUNIT_ASSERT_EQ(test, kcoap_dedup_init(&kn->dedup, kn->cfg.dedup_max_entries), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kt_dedup_destroy,
							&kn->dedup), 0);
	KUNIT_ASSERT_EQ(test, kcoap_validate_init(kn), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kt_validate_free, kn), 0);
	KUNIT_ASSERT_EQ(test, kcoap_obs_init(kn), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kt_obs_free, kn), 0);
	kn->ready = true;		/* as kcoap_net_setup() leaves it */
	return kn;
}

struct kcoap_res_state *kt_res_state(struct kunit *test, struct kcoap_net *kn,
				     const struct kt_res *r)
{
	size_t extra = 0;
	struct kcoap_res_state *st;
	const char **strs[3];
	const char *src[3] = { r->rt, r->ifd, r->title };
	char *d;
	int i;

	for (i = 0; i < r->nrepr; i++)
		extra += r->repr[i].len;
	for (i = 0; i < 3; i++)
		extra += src[i] ? strlen(src[i]) + 1 : 0;
	st = kcoap_res_state_alloc(r->nrepr, extra);
	KUNIT_ASSERT_NOT_NULL(test, st);
	d = (char *)&st->repr[r->nrepr];
	for (i = 0; i < r->nrepr; i++) {
		st->repr[i].ct = r->repr[i].ct;
		st->repr[i].len = r->repr[i].len;
		st->repr[i].data = (u8 *)d;
		memcpy(d, r->repr[i].data, r->repr[i].len);
		d += r->repr[i].len;
		st->size += r->repr[i].len;
		kcoap_res_new_etag(&kn->res, &st->repr[i]);
	}
	strs[0] = &st->rt;
	strs[1] = &st->ifd;
	strs[2] = &st->title;
	for (i = 0; i < 3; i++) {
		if (!src[i])
			continue;
		memcpy(d, src[i], strlen(src[i]) + 1);
		*strs[i] = d;
		d += strlen(src[i]) + 1;
	}
	st->max_age = r->max_age;
	st->methods = r->methods ?: KCOAP_METHOD_GET;
	st->obs = r->obs;
	st->secure = r->secure;
	return st;
}

const struct kcoap_res_state *kt_res_add(struct kunit *test,
					 struct kcoap_net *kn,
					 const struct kt_res *r)
{
	struct kcoap_res_state *st = kt_res_state(test, kn, r);
	int err;

	mutex_lock(&kn->lock);
	err = kcoap_res_add(kn, r->path, st, NULL);
	mutex_unlock(&kn->lock);
	KUNIT_ASSERT_EQ_MSG(test, err, 0, "adding %s", r->path);
	return st;
}
