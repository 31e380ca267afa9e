// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * KUnit suite "kcoap_resource": the resource table of resource.c, on a
 * struct kcoap_net of the test's own, written as netlink.c writes it (with
 * the namespace's mutex held) and read as the softirq path reads it,
 * including from other threads while it changes.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/netlink.h>
#include <linux/unaligned.h>

#include <linux/kcoap.h>

#include "kcoap.h"
#include "coap.h"

static void kt_res_table_destroy(void *p)
{
	struct kcoap_net *kn = p;

	kcoap_res_table_destroy(&kn->res);
}

/* A namespace with just what the resource table needs. */
static struct kcoap_net *kt_res_net(struct kunit *test)
{
	struct kcoap_net *kn = kunit_kzalloc(test, sizeof(*kn), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, kn);
	mutex_init(&kn->lock);
	kn->cfg.res_max_count = 64;
	kn->cfg.res_max_size = 1 << 16;
	KUNIT_ASSERT_EQ(test, kcoap_res_table_init(&kn->res), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kt_res_table_destroy, kn),
			0);
	return kn;
}

/* Generation @gen of a value: its size, and every byte is (u8)@gen. */
static u32 kt_gen_size(u32 gen)
{
	return 1 + (gen * 37) % 700;
}

/* One representation of kt_gen_size(@gen) bytes; Max-Age says @gen. */
static struct kcoap_res_state *kt_state(struct kcoap_net *kn, u32 gen)
{
	u32 size = kt_gen_size(gen);
	struct kcoap_res_state *st = kcoap_res_state_alloc(1, size);
	u8 *data;

	if (!st)
		return NULL;
	data = (u8 *)&st->repr[1];
	memset(data, (u8)gen, size);
	st->repr[0].data = data;
	st->repr[0].len = size;
	st->repr[0].ct = COAP_CF_OCTET_STREAM;
	kcoap_res_new_etag(&kn->res, &st->repr[0]);
	st->size = size;
	st->max_age = gen;
	st->methods = KCOAP_METHOD_GET;
	return st;
}

static int kt_add(struct kunit *test, struct kcoap_net *kn, const char *path,
		  u32 gen)
{
	struct kcoap_res_state *st = kt_state(kn, gen);
	int err;

	KUNIT_ASSERT_NOT_NULL(test, st);
	mutex_lock(&kn->lock);
	err = kcoap_res_add(kn, path, st, NULL);
	mutex_unlock(&kn->lock);
	return err;
}

/* Max-Age (the generation) of @path as the softirq path sees it, or -1. */
static s64 kt_read_gen(struct kcoap_net *kn, const char *path)
{
	struct kcoap_resource *res;
	s64 gen = -1;

	local_bh_disable();
	rcu_read_lock();
	res = kcoap_res_lookup(&kn->res, path, strlen(path));
	if (res)
		gen = rcu_dereference(res->state)->max_age;
	rcu_read_unlock();
	local_bh_enable();
	return gen;
}

static void kcoap_res_add_lookup(struct kunit *test)
{
	struct kcoap_net *kn = kt_res_net(test);
	struct kcoap_resource *a, *ab;

	KUNIT_ASSERT_EQ(test, kt_add(test, kn, "/a", 1), 0);
	KUNIT_ASSERT_EQ(test, kt_add(test, kn, "/a/b", 2), 0);
	KUNIT_ASSERT_EQ(test, kt_add(test, kn, "/", 3), 0);
	KUNIT_EXPECT_EQ(test, kn->res.count, 3);
	KUNIT_EXPECT_EQ(test, kn->res.bytes,
			kt_gen_size(1) + kt_gen_size(2) + kt_gen_size(3));

	mutex_lock(&kn->lock);
	a = kcoap_res_lookup(&kn->res, "/a", 2);
	ab = kcoap_res_lookup(&kn->res, "/a/b", 4);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, ab);
	KUNIT_EXPECT_STREQ(test, a->path, "/a");
	KUNIT_EXPECT_EQ(test, a->path_len, 2);
	KUNIT_EXPECT_EQ(test, kcoap_res_state_locked(a)->max_age, 1);
	KUNIT_EXPECT_EQ(test, kcoap_res_state_locked(ab)->max_age, 2);
	/* Ids are in creation order (the listing order). */
	KUNIT_EXPECT_LT(test, a->id, ab->id);
	KUNIT_EXPECT_PTR_EQ(test, xa_load(&kn->res.ids, a->id), (void *)a);
	/* The key is the length given, not the string's. */
	KUNIT_EXPECT_PTR_EQ(test, kcoap_res_lookup(&kn->res, "/a/b", 2), a);
	KUNIT_EXPECT_NULL(test, kcoap_res_lookup(&kn->res, "/a/", 3));
	KUNIT_EXPECT_NULL(test, kcoap_res_lookup(&kn->res, "/A", 2));
	KUNIT_EXPECT_NULL(test, kcoap_res_lookup(&kn->res, "/a/b/c", 6));
	KUNIT_EXPECT_NULL(test, kcoap_res_lookup(&kn->res, "", 0));
	mutex_unlock(&kn->lock);
	KUNIT_EXPECT_EQ(test, kt_read_gen(kn, "/"), 3);
	KUNIT_EXPECT_EQ(test, kt_read_gen(kn, "/a/b"), 2);

	/* A second resource with a path in use: refused, the table unchanged. */
	KUNIT_EXPECT_EQ(test, kt_add(test, kn, "/a", 9), -EEXIST);
	KUNIT_EXPECT_EQ(test, kn->res.count, 3);
	KUNIT_EXPECT_EQ(test, kt_read_gen(kn, "/a"), 1);
}

static void kcoap_res_replace_etag(struct kunit *test)
{
	struct kcoap_net *kn = kt_res_net(test);
	u8 etag1[KCOAP_ETAG_LEN], etag2[KCOAP_ETAG_LEN];
	struct kcoap_res_state *st, *old;
	struct kcoap_resource *res;

	KUNIT_ASSERT_EQ(test, kt_add(test, kn, "/v", 1), 0);
	mutex_lock(&kn->lock);
	res = kcoap_res_lookup(&kn->res, "/v", 2);
	KUNIT_ASSERT_NOT_NULL(test, res);
	old = kcoap_res_state_locked(res);
	memcpy(etag1, old->repr[0].etag, KCOAP_ETAG_LEN);
	st = kt_state(kn, 2);
	KUNIT_ASSERT_NOT_NULL(test, st);
	kcoap_res_replace(kn, res, st);
	KUNIT_EXPECT_PTR_EQ(test, kcoap_res_state_locked(res), st);
	KUNIT_EXPECT_PTR_EQ(test, kcoap_res_lookup(&kn->res, "/v", 2), res);
	memcpy(etag2, st->repr[0].etag, KCOAP_ETAG_LEN);
	mutex_unlock(&kn->lock);

	/* A new value has a new ETag: the next of the namespace's counter. */
	KUNIT_EXPECT_MEMNEQ(test, etag1, etag2, KCOAP_ETAG_LEN);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(etag2), get_unaligned_be32(etag1) + 1);
	KUNIT_EXPECT_EQ(test, kn->res.count, 1);
	KUNIT_EXPECT_EQ(test, kn->res.bytes, kt_gen_size(2));
	KUNIT_EXPECT_EQ(test, kt_read_gen(kn, "/v"), 2);

	/* The counter wraps. */
	kn->res.etag_next = 0xffffffff;
	st = kt_state(kn, 3);
	KUNIT_ASSERT_NOT_NULL(test, st);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(st->repr[0].etag), 0xffffffff);
	mutex_lock(&kn->lock);
	kcoap_res_replace(kn, res, st);
	st = kt_state(kn, 4);
	KUNIT_ASSERT_NOT_NULL(test, st);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(st->repr[0].etag), 0);
	kcoap_res_replace(kn, res, st);
	mutex_unlock(&kn->lock);
	KUNIT_EXPECT_EQ(test, kn->res.bytes, kt_gen_size(4));
}

static void kcoap_res_delete(struct kunit *test)
{
	struct kcoap_net *kn = kt_res_net(test);
	struct kcoap_resource *res;
	u32 id;

	KUNIT_ASSERT_EQ(test, kt_add(test, kn, "/d", 1), 0);
	KUNIT_ASSERT_EQ(test, kt_add(test, kn, "/keep", 2), 0);
	mutex_lock(&kn->lock);
	res = kcoap_res_lookup(&kn->res, "/d", 2);
	KUNIT_ASSERT_NOT_NULL(test, res);
	id = res->id;
	kcoap_res_del(kn, res);
	KUNIT_EXPECT_NULL(test, kcoap_res_lookup(&kn->res, "/d", 2));
	KUNIT_EXPECT_NULL(test, xa_load(&kn->res.ids, id));
	mutex_unlock(&kn->lock);
	KUNIT_EXPECT_EQ(test, kn->res.count, 1);
	KUNIT_EXPECT_EQ(test, kn->res.bytes, kt_gen_size(2));
	KUNIT_EXPECT_EQ(test, kt_read_gen(kn, "/d"), -1);
	KUNIT_EXPECT_EQ(test, kt_read_gen(kn, "/keep"), 2);

	/* The path can be used again. */
	KUNIT_ASSERT_EQ(test, kt_add(test, kn, "/d", 3), 0);
	KUNIT_EXPECT_EQ(test, kt_read_gen(kn, "/d"), 3);
	KUNIT_EXPECT_EQ(test, kn->res.count, 2);
}

/* config resource-max-count */
static void kcoap_res_limit(struct kunit *test)
{
	struct kcoap_net *kn = kt_res_net(test);
	struct netlink_ext_ack extack = {};
	struct kcoap_resource *res;
	char path[8];
	int i;

	kn->cfg.res_max_count = 3;
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "/r%d", i);
		KUNIT_ASSERT_EQ(test, kt_add(test, kn, path, i), 0);
	}
	mutex_lock(&kn->lock);
	KUNIT_EXPECT_EQ(test, kcoap_res_add(kn, "/r3", kt_state(kn, 3), &extack),
			-ENOSPC);
	mutex_unlock(&kn->lock);
	KUNIT_EXPECT_NOT_NULL(test, extack._msg);
	KUNIT_EXPECT_EQ(test, kn->res.count, 3);
	KUNIT_EXPECT_EQ(test, kt_read_gen(kn, "/r3"), -1);

	/* Room again once one goes. */
	mutex_lock(&kn->lock);
	res = kcoap_res_lookup(&kn->res, "/r1", 3);
	KUNIT_ASSERT_NOT_NULL(test, res);
	kcoap_res_del(kn, res);
	mutex_unlock(&kn->lock);
	KUNIT_EXPECT_EQ(test, kt_add(test, kn, "/r3", 3), 0);
	KUNIT_EXPECT_EQ(test, kt_add(test, kn, "/r4", 4), -ENOSPC);
	KUNIT_EXPECT_EQ(test, kn->res.count, 3);
}

static void kcoap_res_path_checks(struct kunit *test)
{
	static const char * const good[] = {
		"/", "/a", "/a/b", "/sensors/temp-1", "/.well-known",
		"/.well-known/core/x", "/.well-known/cor",
	};
	static const char * const bad[] = {
		"", "a", "a/b", "//", "/a//b", "/a/", "/a/b/",
	};
	struct netlink_ext_ack extack = {};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(good); i++)
		KUNIT_EXPECT_EQ_MSG(test, kcoap_res_path_check(good[i], NULL), 0,
				    "path \"%s\"", good[i]);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		extack._msg = NULL;
		KUNIT_EXPECT_EQ_MSG(test, kcoap_res_path_check(bad[i], &extack),
				    -EINVAL, "path \"%s\"", bad[i]);
		KUNIT_EXPECT_NOT_NULL(test, extack._msg);
	}
	/* Generated from the table, so not a resource of its own. */
	KUNIT_EXPECT_EQ(test, kcoap_res_path_check("/.well-known/core", &extack),
			-EEXIST);
}

/*
 * Concurrent update and read: reader threads look resources up as the
 * softirq path does while this thread replaces their states, and adds and
 * deletes others, under the namespace's mutex.
 */
#define KT_READERS	2
#define KT_CHURN	16
#define KT_GENS		800

struct kt_reader {
	struct kcoap_net *kn;
	struct task_struct *task;
	unsigned long reads, found, errors;
	u32 last_gen;
	char what[96];
};

struct kt_conc {
	struct kt_reader r[KT_READERS];
};

/* The problem with @st, or NULL if it is whole. */
static const char *kt_state_bad(const struct kcoap_res_state *st)
{
	u32 gen = st->max_age, i;

	if (st->nrepr != 1 || st->size != kt_gen_size(gen) ||
	    st->repr[0].len != st->size)
		return "size";
	if (st->repr[0].data != (const u8 *)&st->repr[1])
		return "data pointer";
	for (i = 0; i < st->size; i++)
		if (st->repr[0].data[i] != (u8)gen)
			return "data bytes";
	return NULL;
}

static int kt_reader_fn(void *arg)
{
	struct kt_reader *r = arg;
	const struct kcoap_res_state *st;
	struct kcoap_resource *res;
	char path[12] = "/x";
	const char *bad;
	u32 gen;

	while (!kthread_should_stop()) {
		/* Alternately the replaced resource and a churning one. */
		if (r->reads & 1)
			snprintf(path, sizeof(path), "/c%lu", (r->reads >> 1) % KT_CHURN);
		else
			strscpy(path, "/x", sizeof(path));
		local_bh_disable();
		rcu_read_lock();
		res = kcoap_res_lookup(&r->kn->res, path, strlen(path));
		if (res) {
			st = rcu_dereference(res->state);
			gen = st->max_age;
			bad = kt_state_bad(st);
			if (!bad && strcmp(res->path, path))
				bad = "path";
			/* Once a version is seen, no older one comes back. */
			if (!bad && !(r->reads & 1)) {
				if (gen < r->last_gen)
					bad = "older version";
				r->last_gen = gen;
			}
			if (bad && !r->errors++)
				snprintf(r->what, sizeof(r->what),
					 "%s: %s in generation %u", path, bad, gen);
			r->found++;
		}
		rcu_read_unlock();
		local_bh_enable();
		r->reads++;
		cond_resched();
	}
	return 0;
}

static void kt_conc_stop(void *p)
{
	struct kt_conc *c = p;
	int i;

	for (i = 0; i < KT_READERS; i++) {
		if (c->r[i].task)
			kthread_stop(c->r[i].task);
		c->r[i].task = NULL;
	}
}

static void kcoap_res_concurrent(struct kunit *test)
{
	struct kcoap_net *kn = kt_res_net(test);
	struct kcoap_res_state *st, *st2;
	struct kcoap_resource *res;
	unsigned long start, deadline;
	struct kt_conc *c;
	char path[12];
	int i, gen;

	c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_ASSERT_EQ(test, kt_add(test, kn, "/x", 1), 0);
	/* Stopped before the table goes (actions run in reverse). */
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kt_conc_stop, c), 0);
	for (i = 0; i < KT_READERS; i++) {
		struct task_struct *t;

		c->r[i].kn = kn;
		t = kthread_run(kt_reader_fn, &c->r[i], "kcoap-kt-read%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
		c->r[i].task = t;
	}
	/* Let every reader start before the writes. */
	deadline = jiffies + 5 * HZ;
	for (i = 0; i < KT_READERS; i++)
		while (!READ_ONCE(c->r[i].found) && time_before(jiffies, deadline))
			usleep_range(100, 200);

	start = jiffies;
	deadline = start + 3 * HZ / 2;
	for (gen = 2; gen <= KT_GENS && time_before(jiffies, deadline); gen++) {
		st = kt_state(kn, gen);
		st2 = kt_state(kn, gen);
		if (!st || !st2) {
			kcoap_res_state_free(st);
			kcoap_res_state_free(st2);
			KUNIT_FAIL(test, "out of memory");
			break;
		}
		snprintf(path, sizeof(path), "/c%d", gen % KT_CHURN);
		mutex_lock(&kn->lock);
		res = kcoap_res_lookup(&kn->res, "/x", 2);
		kcoap_res_replace(kn, res, st);
		/* Add or delete a neighbour: the hash table grows and shrinks. */
		res = kcoap_res_lookup(&kn->res, path, strlen(path));
		if (res) {
			kcoap_res_del(kn, res);
			kcoap_res_state_free(st2);
		} else {
			KUNIT_EXPECT_EQ(test, kcoap_res_add(kn, path, st2, NULL), 0);
		}
		mutex_unlock(&kn->lock);
		cond_resched();
	}
	mutex_lock(&kn->lock);
	res = kcoap_res_lookup(&kn->res, "/x", 2);
	kcoap_res_del(kn, res);
	mutex_unlock(&kn->lock);
	msleep(20);
	kt_conc_stop(c);

	kunit_info(test, "%d versions in %u ms; reads %lu/%lu, found %lu/%lu\n",
		   gen - 1, jiffies_to_msecs(jiffies - start), c->r[0].reads,
		   c->r[1].reads, c->r[0].found, c->r[1].found);
	for (i = 0; i < KT_READERS; i++) {
		KUNIT_EXPECT_EQ_MSG(test, c->r[i].errors, 0, "reader %d: %s", i,
				    c->r[i].what);
		KUNIT_EXPECT_GT(test, c->r[i].found, 0);
		/* The readers ran while versions changed. */
		KUNIT_EXPECT_GT(test, c->r[i].last_gen, 1);
	}
	KUNIT_EXPECT_GT(test, gen, 100);
	KUNIT_EXPECT_EQ(test, kt_read_gen(kn, "/x"), -1);
}

static struct kunit_case kcoap_res_cases[] = {
	KUNIT_CASE(kcoap_res_add_lookup),
	KUNIT_CASE(kcoap_res_replace_etag),
	KUNIT_CASE(kcoap_res_delete),
	KUNIT_CASE(kcoap_res_limit),
	KUNIT_CASE(kcoap_res_path_checks),
	KUNIT_CASE(kcoap_res_concurrent),
	{}
};

static struct kunit_suite kcoap_res_suite = {
	.name = "kcoap_resource",
	.test_cases = kcoap_res_cases,
};

kunit_test_suite(kcoap_res_suite);
