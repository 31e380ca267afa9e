// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * The fast path for the store: a resource the daemon holds is pushed into
 * the kernel's table over netlink (resource-set, or resource-add the first
 * time), observable and with PUT, POST and DELETE still coming up to the
 * daemon. Later GETs, Block2 reads and Observe notifications are then the
 * kernel's: each push is also the update its observers are told about.
 * With "push ring" the updates go down the response ring instead, in the
 * same batch (and kick) as the answers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <linux/kcoap.h>

#include "kcoap_nl.h"
#include "kcoap_resource.h"
#include "kcoap_ring.h"
#include "kcoapd.h"

static struct kcoap_nl *push_nl, *the_nl;
static struct kcoap_ring_user *push_ring, *the_ring;

void kernel_init(struct kcoap_nl *nl, struct kcoap_ring_user *ring)
{
	the_nl = nl;
	the_ring = ring;
}

void kernel_push_init(struct kcoap_nl *nl, struct kcoap_ring_user *ring)
{
	push_nl = nl;
	push_ring = ring;
}

static int request(struct kcoap_nl *nl, uint8_t cmd, const struct kcoap_resource *res)
{
	struct nl_msg *msg = kcoap_nl_msg(nl, cmd, 0, kcoap_resource_msg_size(res));
	int err;

	if (!msg)
		return -ENOMEM;
	err = kcoap_resource_put(msg, res);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return kcoap_nl_request(nl, msg, NULL, NULL);
}

/* Over netlink: any size, applied before this returns. */
static void push_netlink(struct kcoap_nl *nl, const char *path, uint16_t ct,
			 const uint8_t *value, size_t len)
{
	struct kcoap_resource res = { 0 };
	int err;

	res.path = (char *)path;
	res.obs = true;
	res.max_age = 60;
	res.methods = KCOAP_METHOD_GET | KCOAP_METHOD_PUT | KCOAP_METHOD_POST |
		      KCOAP_METHOD_DELETE;
	res.has = KCOAP_RES_OBS | KCOAP_RES_MAX_AGE | KCOAP_RES_METHODS;
	if (kcoap_resource_add_repr(&res, ct, value, len)) {
		kcoapd_log(LOG_WARNING, "%s: no memory to push it to the kernel", path);
		return;
	}
	err = request(nl, KCOAP_CMD_RESOURCE_SET, &res);
	if (err == -ENOENT)
		err = request(nl, KCOAP_CMD_RESOURCE_ADD, &res);
	if (err)
		kcoapd_log(LOG_WARNING, "%s: not pushed to the kernel: %s%s%s", path,
			   strerror(-err), nl->extack[0] ? ": " : "", nl->extack);
	res.path = NULL;	/* not ours */
	kcoap_resource_free(&res);
}

/* Down the ring, ordered with the answers; false if it does not fit a slot. */
static bool push_ring_update(struct kcoap_ring_user *r, const char *path, uint16_t ct,
			     bool con, const uint8_t *value, size_t len)
{
	int err = kcoap_ring_update(r, path, ct, con, 60, value, len);

	if (err == -ENOSPC) {
		kcoap_ring_kick(r);
		err = kcoap_ring_update(r, path, ct, con, 60, value, len);
	}
	return !err;
}

void kernel_push(const char *path, uint16_t ct, const uint8_t *value, size_t len)
{
	if (!push_nl)
		return;
	if (push_ring && push_ring_update(push_ring, path, ct, false, value, len))
		return;
	push_netlink(push_nl, path, ct, value, len);
}

void kernel_update(const char *path, uint16_t ct, bool con,
		   const uint8_t *value, size_t len)
{
	if (push_ring_update(the_ring, path, ct, con, value, len)) {
		kick_later();
		return;
	}
	/* Too large for a slot: netlink takes any size (without the CON). */
	push_netlink(the_nl, path, ct, value, len);
}

static int observers_of(struct nlmsghdr *nlh, void *arg)
{
	struct kcoap_resource res = { 0 };
	int err = kcoap_resource_parse(nlh, &res);

	if (!err)
		*(int *)arg = (int)res.observers;
	kcoap_resource_free(&res);
	return err;
}

int kernel_observers(const char *path)
{
	struct nl_msg *msg = kcoap_nl_msg(the_nl, KCOAP_CMD_RESOURCE_GET, 0, strlen(path) + 8);
	int n = -ENOENT, err;

	if (!msg)
		return -ENOMEM;
	if (nla_put_string(msg, KCOAP_A_RESOURCE_PATH, path)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	err = kcoap_nl_request(the_nl, msg, observers_of, &n);
	return err ? err : n;
}

void kernel_delete(const char *path)
{
	struct kcoap_resource res = { .path = (char *)path };
	int err = request(the_nl, KCOAP_CMD_RESOURCE_DEL, &res);

	if (err && err != -ENOENT)
		kcoapd_log(LOG_WARNING, "%s: not deleted from the kernel: %s", path,
			   strerror(-err));
}

void kernel_drop(const char *path)
{
	struct kcoap_resource res = { .path = (char *)path };
	int err;

	if (!push_nl)
		return;
	err = request(push_nl, KCOAP_CMD_RESOURCE_DEL, &res);
	if (err && err != -ENOENT)
		kcoapd_log(LOG_WARNING, "%s: not deleted from the kernel: %s", path,
			   strerror(-err));
}

struct each {
	int (*fn)(const struct kcoap_resource *res, void *arg);
	void *arg;
};

static int each_one(struct nlmsghdr *nlh, void *arg)
{
	struct kcoap_resource res = { 0 };
	struct each *e = arg;
	int err = kcoap_resource_parse(nlh, &res);

	if (!err && res.path)
		err = e->fn(&res, e->arg);
	kcoap_resource_free(&res);
	return err;
}

int kernel_each(int (*fn)(const struct kcoap_resource *res, void *arg), void *arg)
{
	struct nl_msg *msg = kcoap_nl_msg(the_nl, KCOAP_CMD_RESOURCE_GET, NLM_F_DUMP, 0);
	struct each e = { fn, arg };

	if (!msg)
		return -ENOMEM;
	return kcoap_nl_request(the_nl, msg, each_one, &e);
}

struct paths {
	char **v;
	size_t n, cap;
};

static int collect_path(struct nlmsghdr *nlh, void *arg)
{
	struct kcoap_resource res = { 0 };
	struct paths *p = arg;
	int err = kcoap_resource_parse(nlh, &res);

	if (!err && res.path) {
		if (p->n == p->cap) {
			size_t cap = p->cap ? p->cap * 2 : 64;
			char **v = realloc(p->v, cap * sizeof(*v));

			if (!v) {
				kcoap_resource_free(&res);
				return -ENOMEM;
			}
			p->v = v;
			p->cap = cap;
		}
		p->v[p->n++] = res.path;
		res.path = NULL;
	}
	kcoap_resource_free(&res);
	return err;
}

/* "/a/" holds "/a" and all below it; "/a" only itself. */
static bool under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	if (n && prefix[n - 1] == '/')
		return !strncmp(path, prefix, n) ||
		       (strlen(path) == n - 1 && !strncmp(path, prefix, n - 1));
	return !strcmp(path, prefix);
}

void kernel_reconcile(const char *const *prefixes, size_t n, bool bridge)
{
	struct nl_msg *msg = kcoap_nl_msg(the_nl, KCOAP_CMD_RESOURCE_GET, NLM_F_DUMP, 0);
	struct paths p = { 0 };
	size_t i, j, dropped = 0, adopted = 0;
	int err;

	if (!msg)
		return;
	err = kcoap_nl_request(the_nl, msg, collect_path, &p);
	if (err)
		kcoapd_log(LOG_ERR, "state: the kernel's resources cannot be listed: %s",
			   strerror(-err));
	for (i = 0; !err && i < p.n; i++) {
		const char *path = p.v[i];
		bool ours = under(path, "/ps/");

		for (j = 0; j < n && !ours; j++)
			ours = under(path, prefixes[j]);
		if (!ours)
			continue;	/* kcoapctl's, say */
		if (under(path, "/ps/")) {
			/* Followed again: the broker's next message updates it. */
			if (bridge && pubsub_adopt(path)) {
				adopted++;
				continue;
			}
		} else if (push_nl && store_has(path)) {
			continue;	/* pushed again with the value on disk */
		}
		kernel_delete(path);
		dropped++;
	}
	for (i = 0; i < p.n; i++)
		free(p.v[i]);
	free(p.v);
	if (adopted || dropped)
		kcoapd_log(LOG_INFO, "state: in the kernel's table %zu /ps/ resources subscribed again, %zu stale ones deleted",
			   adopted, dropped);
}
