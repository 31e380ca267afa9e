// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * The daemon's side door: /dev/kcoap. Opening it gives a file; attaching
 * that file over netlink (KCOAP_CMD_DAEMON_ATTACH with its fd) makes it
 * the namespace's daemon and gives it the rings, which the daemon maps
 * from the same file, polls for requests and kicks with an ioctl once it
 * wrote a batch of responses. Closing the file (or being killed) detaches
 * it: what it left unanswered gets 5.03. docs/ring.md says why the fd
 * goes through netlink rather than an ioctl.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <net/genetlink.h>
#include <linux/kcoap.h>

#include "coap.h"
#include "daemon.h"
#include "kcoap.h"
#include "serve.h"

/* One open file of /dev/kcoap. */
struct kcoap_dev_file {
	struct mutex lock;		/* d */
	struct kcoap_daemon *d;		/* while attached (and after, until release) */
};

static const struct file_operations kcoap_dev_fops;

static void kcoap_prefixes_free(struct kcoap_prefixes *p)
{
	u32 i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++)
		kfree(p->p[i].path);
	kfree(p);
}

static void kcoap_prefixes_free_rcu(struct rcu_head *head)
{
	kcoap_prefixes_free(container_of(head, struct kcoap_prefixes, rcu));
}

bool kcoap_daemon_serves(struct kcoap_net *kn, const char *path, u32 len)
{
	const struct kcoap_prefixes *p = rcu_dereference(kn->prefixes);
	u32 i;

	for (i = 0; p && i < p->n; i++) {
		if (p->p[i].subtree ? len >= p->p[i].len :
				      len == p->p[i].len) {
			if (!memcmp(path, p->p[i].path, p->p[i].len))
				return true;
		}
		/* "/ps/" also covers "/ps" itself. */
		if (p->p[i].subtree && len + 1 == p->p[i].len &&
		    !memcmp(path, p->p[i].path, len))
			return true;
	}
	return false;
}

static void kcoap_daemon_free(struct kcoap_daemon *d)
{
	if (!d || !refcount_dec_and_test(&d->ref))
		return;
	kcoap_ring_free(d->ring);
	kfree(d->buf);
	kfree(d->out);
	kfree(d->msg);
	kfree(d);
}

/*
 * Detach @d: no new exchanges (kn->daemon cleared, readers gone), then
 * the unanswered ones get 5.03. @d->lock held; @d is kept (the file owns
 * it) but points at no namespace any more.
 */
static void kcoap_daemon_detach(struct kcoap_daemon *d)
{
	struct kcoap_net *kn = d->kn;

	lockdep_assert_held(&d->lock);
	if (!kn)
		return;
	mutex_lock(&kn->lock);
	if (rcu_access_pointer(kn->daemon) == d)
		RCU_INIT_POINTER(kn->daemon, NULL);
	mutex_unlock(&kn->lock);
	synchronize_rcu();
	kcoap_exchange_fail_all(d);
	/* The last answers' RCU callbacks, then the tables. */
	rcu_barrier();
	kcoap_exchange_destroy(d);
	kcoap_notify_daemon(kn, d->pid, KCOAP_EVENT_DETACHED);
	d->kn = NULL;
	wake_up_interruptible(&d->ring->wait);
	/* Last: the namespace may go now. */
	put_net(d->net);
	d->net = NULL;
}

void kcoap_daemon_net_exit(struct kcoap_net *kn)
{
	struct kcoap_prefixes *p = rcu_dereference_protected(kn->prefixes, true);

	/* An attached daemon holds the namespace: none can be left. */
	WARN_ON(rcu_access_pointer(kn->daemon));
	RCU_INIT_POINTER(kn->prefixes, NULL);
	/* Softirq readers may still be at it until the sockets close. */
	if (p)
		call_rcu(&p->rcu, kcoap_prefixes_free_rcu);
}

int kcoap_daemon_update(struct kcoap_daemon *d, const u8 *buf, u32 len, bool con)
{
	struct kcoap_net *kn = d->kn;
	struct kcoap_ring_update h;
	struct kcoap_resource *res;
	struct kcoap_res_state *st;
	u8 *value;
	u32 vlen;
	bool ours;
	char *path;
	int err;

	lockdep_assert_held(&d->lock);
	/* Checked like everything else from the ring. */
	if (len < sizeof(h))
		return -EINVAL;
	memcpy(&h, buf, sizeof(h));
	if (!h.path_len || h.path_len > KCOAP_PATH_MAX || sizeof(h) + h.path_len > len)
		return -EINVAL;
	vlen = len - sizeof(h) - h.path_len;
	if (vlen > READ_ONCE(kn->cfg.res_max_size))
		return -EFBIG;
	path = kmemdup_nul(buf + sizeof(h), h.path_len, GFP_KERNEL_ACCOUNT);
	if (!path)
		return -ENOMEM;
	rcu_read_lock();
	ours = kcoap_daemon_serves(kn, path, strlen(path));
	rcu_read_unlock();
	err = -EPERM;
	if (!ours || kcoap_res_path_check(path, NULL))
		goto out;
	err = -ENOMEM;
	st = kcoap_res_state_alloc(1, vlen);
	if (!st)
		goto out;
	st->repr[0].ct = h.content_format;
	st->repr[0].len = vlen;
	value = (u8 *)&st->repr[1];
	memcpy(value, buf + sizeof(h) + h.path_len, vlen);
	st->repr[0].data = value;
	st->size = vlen;
	st->max_age = h.max_age;
	st->methods = KCOAP_METHOD_GET | KCOAP_METHOD_PUT | KCOAP_METHOD_POST |
		      KCOAP_METHOD_DELETE;
	st->obs = true;
	st->con = con;

	mutex_lock(&kn->lock);
	kcoap_res_new_etag(&kn->res, &st->repr[0]);
	res = kcoap_res_lookup(&kn->res, path, strlen(path));
	if (res) {
		kcoap_res_replace(kn, res, st);
		/* RFC 7641: every change reaches the observers. */
		kcoap_obs_notify(kn, res);
		err = 0;
	} else {
		err = kcoap_res_add(kn, path, st, NULL);
	}
	if (!err)
		kcoap_notify_resource(kn, path, res ? KCOAP_EVENT_CHANGED : KCOAP_EVENT_ADDED);
	mutex_unlock(&kn->lock);
out:
	kfree(path);
	return err;
}

static struct kcoap_prefixes *kcoap_prefixes_parse(struct genl_info *info,
						   int *err)
{
	struct kcoap_prefixes *p;
	struct nlattr *a;
	u32 n = 0, len;
	char *path;
	int rem;

	nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem)
		if (nla_type(a) == KCOAP_A_DAEMON_PREFIX)
			n++;
	if (n > 64) {
		NL_SET_ERR_MSG(info->extack, "at most 64 prefixes");
		*err = -E2BIG;
		return NULL;
	}
	p = kzalloc(struct_size(p, p, n), GFP_KERNEL_ACCOUNT);
	if (!p) {
		*err = -ENOMEM;
		return NULL;
	}
	nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(a) != KCOAP_A_DAEMON_PREFIX)
			continue;
		len = strnlen(nla_data(a), nla_len(a));
		path = kmemdup_nul(nla_data(a), len, GFP_KERNEL_ACCOUNT);
		if (!path) {
			*err = -ENOMEM;
			kcoap_prefixes_free(p);
			return NULL;
		}
		p->p[p->n].path = path;
		p->p[p->n].len = len;
		p->p[p->n].subtree = len > 1 && path[len - 1] == '/';
		p->n++;
		/* A resource path, but for a trailing '/' for a subtree. */
		if (len > 1 && path[len - 1] == '/')
			path[len - 1] = 0;
		*err = kcoap_res_path_check(path, NULL);
		if (len > 1 && !path[len - 1])
			path[len - 1] = '/';
		if (*err) {
			NL_SET_ERR_MSG_ATTR(info->extack, a,
					    "a prefix is a path: /a/b, or /a/ for all below /a");
			kcoap_prefixes_free(p);
			return NULL;
		}
	}
	*err = 0;
	return p;
}

static u32 kcoap_attr_u32(struct genl_info *info, int type, u32 def)
{
	return info->attrs[type] ? nla_get_u32(info->attrs[type]) : def;
}

int kcoap_nl_daemon_attach(struct sk_buff *skb, struct genl_info *info)
{
	struct kcoap_net *kn = kcoap_net(genl_info_net(info));
	struct kcoap_prefixes *prefixes, *old;
	struct kcoap_dev_file *df;
	struct kcoap_daemon *d;
	struct file *file;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, KCOAP_A_DAEMON_FD))
		return -EINVAL;
	mutex_lock(&kn->lock);
	err = kcoap_net_setup(kn);
	mutex_unlock(&kn->lock);
	if (err)
		return err;
	/* Netlink runs in the sender's context: the fd is the daemon's. */
	file = fget(nla_get_u32(info->attrs[KCOAP_A_DAEMON_FD]));
	if (!file || file->f_op != &kcoap_dev_fops) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KCOAP_A_DAEMON_FD],
				    "not an open file of /dev/kcoap");
		err = -EBADF;
		goto out_file;
	}
	df = file->private_data;
	d = kzalloc(sizeof(*d), GFP_KERNEL_ACCOUNT);
	if (!d) {
		err = -ENOMEM;
		goto out_file;
	}
	refcount_set(&d->ref, 1);	/* the file's */
	d->size.req_entries = kcoap_attr_u32(info, KCOAP_A_DAEMON_REQ_ENTRIES, 256);
	d->size.rsp_entries = kcoap_attr_u32(info, KCOAP_A_DAEMON_RSP_ENTRIES, 256);
	d->size.slot_size = kcoap_attr_u32(info, KCOAP_A_DAEMON_SLOT_SIZE, 2048);
	err = kcoap_ring_check_size(&d->size, info->extack);
	if (err)
		goto out_d;
	prefixes = kcoap_prefixes_parse(info, &err);
	if (!prefixes)
		goto out_d;
	err = -ENOMEM;
	d->ring = kcoap_ring_alloc(&d->size);
	d->buf = kmalloc(max_t(u32, d->size.slot_size, KCOAP_REPLY_MAX), GFP_KERNEL_ACCOUNT);
	d->out = kmalloc(KCOAP_REPLY_MAX, GFP_KERNEL_ACCOUNT);
	d->msg = kmalloc(sizeof(*d->msg), GFP_KERNEL_ACCOUNT);
	if (!d->ring || !d->buf || !d->out || !d->msg)
		goto out_prefixes;
	err = kcoap_exchange_init(d);
	if (err)
		goto out_prefixes;
	mutex_init(&d->lock);
	/* Unanswered requests at most: the rings' worth, twice over. */
	d->max_inflight = 2 * (d->size.req_entries + d->size.rsp_entries);
	d->pid = task_tgid_vnr(current);
	d->kn = kn;
	/* As a socket does: the namespace lives while the daemon is attached. */
	d->net = get_net(genl_info_net(info));

	mutex_lock(&df->lock);
	mutex_lock(&kn->lock);
	if (df->d || rcu_access_pointer(kn->daemon)) {
		if (df->d)
			NL_SET_ERR_MSG(info->extack, "this file is attached already");
		else
			NL_SET_ERR_MSG(info->extack, "a daemon is attached to this namespace");
		err = -EBUSY;
	} else {
		old = rcu_dereference_protected(kn->prefixes, lockdep_is_held(&kn->lock));
		rcu_assign_pointer(kn->prefixes, prefixes);
		if (old)
			call_rcu(&old->rcu, kcoap_prefixes_free_rcu);
		prefixes = NULL;
		df->d = d;
		rcu_assign_pointer(kn->daemon, d);
	}
	mutex_unlock(&kn->lock);
	mutex_unlock(&df->lock);
	if (err) {
		put_net(d->net);
		kcoap_exchange_destroy(d);
		goto out_prefixes;
	}
	kcoap_notify_daemon(kn, d->pid, KCOAP_EVENT_ATTACHED);
	fput(file);
	return 0;

out_prefixes:
	kcoap_prefixes_free(prefixes);
out_d:
	kcoap_daemon_free(d);
out_file:
	if (file)
		fput(file);
	return err;
}

int kcoap_nl_daemon_detach(struct sk_buff *skb, struct genl_info *info)
{
	struct kcoap_net *kn = kcoap_net(genl_info_net(info));
	struct kcoap_daemon *d;

	mutex_lock(&kn->lock);
	d = rcu_dereference_protected(kn->daemon, lockdep_is_held(&kn->lock));
	if (d)
		refcount_inc(&d->ref);
	mutex_unlock(&kn->lock);
	if (!d) {
		NL_SET_ERR_MSG(info->extack, "no daemon is attached");
		return -ENOENT;
	}
	/* The file keeps its own reference until it is closed. */
	mutex_lock(&d->lock);
	kcoap_daemon_detach(d);
	mutex_unlock(&d->lock);
	kcoap_daemon_free(d);
	return 0;
}

int kcoap_nl_daemon_get(struct sk_buff *skb, struct genl_info *info)
{
	struct kcoap_net *kn = kcoap_net(genl_info_net(info));
	const struct kcoap_prefixes *p;
	struct kcoap_daemon *d;
	struct sk_buff *msg;
	void *hdr;
	int err = -EMSGSIZE;
	u32 i;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, kcoap_genl_family(), 0, KCOAP_CMD_DAEMON_GET);
	if (!hdr)
		goto fail;
	mutex_lock(&kn->lock);
	d = rcu_dereference_protected(kn->daemon, lockdep_is_held(&kn->lock));
	p = rcu_dereference_protected(kn->prefixes, lockdep_is_held(&kn->lock));
	if (!d) {
		mutex_unlock(&kn->lock);
		NL_SET_ERR_MSG(info->extack, "no daemon is attached");
		err = -ENOENT;
		goto fail;
	}
	if (nla_put_u32(msg, KCOAP_A_DAEMON_PID, d->pid) ||
	    nla_put_u32(msg, KCOAP_A_DAEMON_REQ_ENTRIES, d->size.req_entries) ||
	    nla_put_u32(msg, KCOAP_A_DAEMON_RSP_ENTRIES, d->size.rsp_entries) ||
	    nla_put_u32(msg, KCOAP_A_DAEMON_SLOT_SIZE, d->size.slot_size) ||
	    nla_put_u32(msg, KCOAP_A_DAEMON_IN_FLIGHT, atomic_read(&d->inflight))) {
		mutex_unlock(&kn->lock);
		goto fail;
	}
	for (i = 0; p && i < p->n; i++) {
		if (nla_put_string(msg, KCOAP_A_DAEMON_PREFIX, p->p[i].path)) {
			mutex_unlock(&kn->lock);
			goto fail;
		}
	}
	mutex_unlock(&kn->lock);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
fail:
	nlmsg_free(msg);
	return err;
}

/* File operations */

static int kcoap_dev_open(struct inode *inode, struct file *file)
{
	struct kcoap_dev_file *df = kzalloc(sizeof(*df), GFP_KERNEL);

	if (!df)
		return -ENOMEM;
	mutex_init(&df->lock);
	file->private_data = df;
	return stream_open(inode, file);
}

static int kcoap_dev_release(struct inode *inode, struct file *file)
{
	struct kcoap_dev_file *df = file->private_data;
	struct kcoap_daemon *d = df->d;

	if (d) {
		mutex_lock(&d->lock);
		kcoap_daemon_detach(d);
		mutex_unlock(&d->lock);
		kcoap_daemon_free(d);
	}
	kfree(df);
	return 0;
}

static int kcoap_dev_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct kcoap_dev_file *df = file->private_data;
	int err = -ENODEV;

	mutex_lock(&df->lock);
	/* Checks the size, and marks the area VM_DONTEXPAND | VM_DONTDUMP. */
	if (df->d)
		err = remap_vmalloc_range(vma, df->d->ring->area, vma->vm_pgoff);
	mutex_unlock(&df->lock);
	return err;
}

static __poll_t kcoap_dev_poll(struct file *file, poll_table *wait)
{
	struct kcoap_dev_file *df = file->private_data;
	struct kcoap_daemon *d = READ_ONCE(df->d);

	if (!d)
		return EPOLLERR;
	poll_wait(file, &d->ring->wait, wait);
	if (!READ_ONCE(d->kn))
		return EPOLLHUP;	/* detached */
	return kcoap_ring_readable(d->ring) ? EPOLLIN | EPOLLRDNORM : 0;
}

static long kcoap_dev_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct kcoap_dev_file *df = file->private_data;
	struct kcoap_daemon *d;
	long err = 0;

	if (cmd != KCOAP_RING_KICK)
		return -ENOTTY;
	mutex_lock(&df->lock);
	d = df->d;
	if (d) {
		mutex_lock(&d->lock);
		if (d->kn)
			kcoap_exchange_responses(d);
		else
			err = -ENOTCONN;
		mutex_unlock(&d->lock);
	} else {
		err = -ENOTCONN;
	}
	mutex_unlock(&df->lock);
	return err;
}

static const struct file_operations kcoap_dev_fops = {
	.owner = THIS_MODULE,
	.open = kcoap_dev_open,
	.release = kcoap_dev_release,
	.mmap = kcoap_dev_mmap,
	.poll = kcoap_dev_poll,
	.unlocked_ioctl = kcoap_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice kcoap_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "kcoap",
	.fops = &kcoap_dev_fops,
	.mode = 0600,
};

int kcoap_daemon_init(void)
{
	return misc_register(&kcoap_dev);
}

void kcoap_daemon_exit(void)
{
	misc_deregister(&kcoap_dev);
}
