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
