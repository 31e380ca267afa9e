// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Generic netlink plumbing for the "kcoap" family, on libnl-genl-3.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/socket.h>

#include <linux/kcoap.h>

#include "kcoap_nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* Receive buffer: room for bursts of notifications and large replies. */
#define KCOAP_NL_RCVBUF (1 << 20)

int kcoap_nl_errno(int nle)
{
	switch (-nle) {
	case 0:			return 0;
	case NLE_INTR:		return -EINTR;
	case NLE_BAD_SOCK:	return -EBADF;
	case NLE_AGAIN:		return -EAGAIN;
	case NLE_NOMEM:		return -ENOMEM;
	case NLE_EXIST:		return -EEXIST;
	case NLE_INVAL:		return -EINVAL;
	case NLE_RANGE:		return -ERANGE;
	case NLE_MSGSIZE:	return -EMSGSIZE;
	case NLE_OPNOTSUPP:	return -EOPNOTSUPP;
	case NLE_AF_NOSUPPORT:	return -EAFNOSUPPORT;
	case NLE_OBJ_NOTFOUND:	return -ENOENT;
	case NLE_NOACCESS:	return -EACCES;
	case NLE_PERM:		return -EPERM;
	case NLE_BUSY:		return -EBUSY;
	case NLE_NODEV:		return -ENODEV;
	case NLE_PROTO_MISMATCH: return -EPROTONOSUPPORT;
	case NLE_MSG_TRUNC:	return -EMSGSIZE;
	case NLE_SEQ_MISMATCH:
	case NLE_MSG_OVERFLOW:
	case NLE_MSG_TOOSHORT:
	case NLE_PARSE_ERR:	return -EBADMSG;
	default:		return -EIO;
	}
}

/*
 * The errno of a failed libnl socket call: libnl maps the system call's
 * errno to an NLE_* code, many to one, but leaves errno itself alone. Trust
 * errno only if it is what the NLE_* code came from.
 */
static int sys_errno(int nle)
{
	if (errno != 0 && nl_syserr2nlerr(errno) == -nle)
		return -errno;
	return kcoap_nl_errno(nle);
}

static int sockopt_int(struct kcoap_nl *nl, int level, int name, int val)
{
	if (setsockopt(nl_socket_get_fd(nl->sk), level, name, &val,
		       sizeof(val)) < 0)
		return -errno;
	return 0;
}

/* What the kernel lets this socket send in one message now. */
static int current_sndbuf(struct kcoap_nl *nl)
{
	int val = 0;
	socklen_t len = sizeof(val);

	if (getsockopt(nl_socket_get_fd(nl->sk), SOL_SOCKET, SO_SNDBUF, &val,
		       &len) < 0)
		return 0;
	/* netlink_sendmsg() refuses messages over sk_sndbuf - 32. */
	return val > 32 ? val - 32 : 0;
}

/*
 * Large resource values make messages larger than the default send buffer
 * (net.core.wmem_default). SO_SNDBUF is capped at net.core.wmem_max;
 * SO_SNDBUFFORCE lifts the cap for CAP_NET_ADMIN, which writers need anyway.
 */
static int ensure_sndbuf(struct kcoap_nl *nl, size_t len)
{
	int want;

	if (len <= (size_t)nl->sndbuf)
		return 0;
	if (len > (1u << 30))
		return -EMSGSIZE;
	want = (int)len + 64;
	sockopt_int(nl, SOL_SOCKET, SO_SNDBUF, want);
	nl->sndbuf = current_sndbuf(nl);
	if (len > (size_t)nl->sndbuf) {
		sockopt_int(nl, SOL_SOCKET, SO_SNDBUFFORCE, want);
		nl->sndbuf = current_sndbuf(nl);
	}
	return len <= (size_t)nl->sndbuf ? 0 : -EMSGSIZE;
}

int kcoap_nl_open(struct kcoap_nl *nl)
{
	int err;

	memset(nl, 0, sizeof(*nl));
	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		return -ENOMEM;
	errno = 0;
	err = genl_connect(nl->sk);
	if (err < 0) {
		err = sys_errno(err);
		goto fail;
	}
	/*
	 * Ask for extended acks, and for error messages that do not echo the
	 * request: a resource with a large value would come back whole.
	 */
	sockopt_int(nl, SOL_NETLINK, NETLINK_EXT_ACK, 1);
	sockopt_int(nl, SOL_NETLINK, NETLINK_CAP_ACK, 1);
	/* Best effort: the kernel caps it at net.core.rmem_max. */
	sockopt_int(nl, SOL_SOCKET, SO_RCVBUF, KCOAP_NL_RCVBUF);
	/* Peek at each datagram's size so replies of any size are read whole. */
	nl_socket_enable_msg_peek(nl->sk);
	nl->sndbuf = current_sndbuf(nl);

	nl->family = genl_ctrl_resolve(nl->sk, KCOAP_FAMILY_NAME);
	if (nl->family < 0) {
		err = nl->family == -NLE_OBJ_NOTFOUND ? -ENOENT :
			kcoap_nl_errno(nl->family);
		goto fail;
	}
	/*
	 * kcoap_nl_request() asks for an ACK on "do" requests only (a dump
	 * ends with NLMSG_DONE) and checks sequence numbers itself.
	 */
	nl_socket_disable_auto_ack(nl->sk);
	return 0;
fail:
	nl_socket_free(nl->sk);
	nl->sk = NULL;
	return err;
}

void kcoap_nl_close(struct kcoap_nl *nl)
{
	if (nl->sk)
		nl_socket_free(nl->sk);
	nl->sk = NULL;
}

int kcoap_nl_join_events(struct kcoap_nl *nl)
{
	int grp, err;

	grp = genl_ctrl_resolve_grp(nl->sk, KCOAP_FAMILY_NAME,
				    KCOAP_MCGRP_EVENTS);
	if (grp < 0)
		return grp == -NLE_OBJ_NOTFOUND ? -ENOENT : kcoap_nl_errno(grp);
	errno = 0;
	err = nl_socket_add_membership(nl->sk, grp);
	if (err < 0)
		return sys_errno(err);
	/* Notifications carry sequence number 0. */
	nl_socket_disable_seq_check(nl->sk);
	return 0;
}

struct nl_msg *kcoap_nl_msg(const struct kcoap_nl *nl, uint8_t cmd, int flags,
			    size_t payload)
{
	struct nl_msg *msg;

	msg = nlmsg_alloc_size(NLMSG_HDRLEN + GENL_HDRLEN + payload + 64);
	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, flags,
			 cmd, KCOAP_FAMILY_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

uint8_t kcoap_nl_cmd(const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *g = nlmsg_data(nlh);

	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return 0;
	return g->cmd;
}

/* The state of one request while its replies come in. */
struct request {
	struct kcoap_nl *nl;
	const struct nlmsghdr *req;	/* what we sent, to locate bad attributes */
	uint32_t seq;
	kcoap_nl_reply_fn fn;
	void *arg;
	int err;			/* first error: kernel's or fn's */
	bool done;
};

static void note_error(struct request *rq, int err)
{
	if (!rq->err)
		rq->err = err;
}

/*
 * The attribute of the request at byte offset @offs from its header,
 * looking one level into nests (for "repr").
 */
static void locate_attr(struct kcoap_nl *nl, const struct nlmsghdr *req,
			uint32_t offs)
{
	const char *base = (const char *)req;
	struct nlattr *a, *inner;
	int rem, irem;

	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(req), 0),
			  genlmsg_attrlen(nlmsg_data(req), 0), rem) {
		uint32_t start = (const char *)a - base;

		if (offs == start) {
			nl->bad_attr = nla_type(a);
			return;
		}
		if (offs < start || offs >= start + a->nla_len)
			continue;
		nl->bad_attr = nla_type(a);
		nla_for_each_nested(inner, a, irem) {
			if ((uint32_t)((const char *)inner - base) == offs) {
				nl->bad_nested = nla_type(inner);
				return;
			}
		}
		return;
	}
}

/* Extended-ack attributes (NLMSGERR_ATTR_*) at @tlv, @len bytes. */
static void parse_extack(struct request *rq, struct nlattr *tlv, int len)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	struct kcoap_nl *nl = rq->nl;

	if (len <= 0 || nla_parse(tb, NLMSGERR_ATTR_MAX, tlv, len, NULL) < 0)
		return;
	if (tb[NLMSGERR_ATTR_MSG] && nla_len(tb[NLMSGERR_ATTR_MSG]) > 0) {
		size_t n = nla_len(tb[NLMSGERR_ATTR_MSG]);

		if (n >= sizeof(nl->extack))
			n = sizeof(nl->extack) - 1;
		memcpy(nl->extack, nla_data(tb[NLMSGERR_ATTR_MSG]), n);
		nl->extack[n] = '\0';
	}
	if (tb[NLMSGERR_ATTR_OFFS] && nla_len(tb[NLMSGERR_ATTR_OFFS]) >= 4 &&
	    rq->req)
		locate_attr(nl, rq->req, nla_get_u32(tb[NLMSGERR_ATTR_OFFS]));
	if (tb[NLMSGERR_ATTR_MISS_TYPE] &&
	    nla_len(tb[NLMSGERR_ATTR_MISS_TYPE]) >= 4)
		nl->missing_attr = nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
}

/* The extended ack after an NLMSG_ERROR's nlmsgerr (error or ACK). */
static void parse_error_extack(struct request *rq, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = nlmsg_data(nlh);
	size_t off = sizeof(*e);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	/* Without NLM_F_CAPPED the request's payload is echoed first. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	if (NLMSG_HDRLEN + off >= nlh->nlmsg_len)
		return;
	parse_extack(rq, (struct nlattr *)((char *)e + off),
		     nlh->nlmsg_len - NLMSG_HDRLEN - off);
}

static int on_seq_check(struct nl_msg *msg, void *arg)
{
	struct request *rq = arg;

	/* Leftovers of an earlier request are not ours. */
	return nlmsg_hdr(msg)->nlmsg_seq == rq->seq ? NL_OK : NL_SKIP;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct request *rq = arg;
	int err;

	if (!rq->fn || rq->err)
		return NL_OK;
	err = rq->fn(nlmsg_hdr(msg), rq->arg);
	if (err < 0)
		note_error(rq, err);
	return NL_OK;
}

/* NLMSG_DONE: a dump is over; its payload is the dump's error, if any. */
static int on_finish(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct request *rq = arg;
	int derr = 0;

	if (nlmsg_datalen(nlh) >= (int)sizeof(int)) {
		memcpy(&derr, nlmsg_data(nlh), sizeof(derr));
		if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
			parse_extack(rq, (struct nlattr *)((char *)nlmsg_data(nlh) +
						NLMSG_ALIGN(sizeof(int))),
				     nlmsg_datalen(nlh) - NLMSG_ALIGN(sizeof(int)));
	}
	if (derr < 0)
		note_error(rq, derr);
	rq->done = true;
	return NL_STOP;
}

/* An ACK (NLMSG_ERROR with error 0); it may carry a warning. */
static int on_ack(struct nl_msg *msg, void *arg)
{
	struct request *rq = arg;

	parse_error_extack(rq, nlmsg_hdr(msg));
	rq->done = true;
	return NL_STOP;
}

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct request *rq = arg;

	(void)who;
	/* An error for someone else's sequence number is not ours either. */
	if (nlh->nlmsg_seq != rq->seq)
		return NL_SKIP;
	parse_error_extack(rq, nlh);
	note_error(rq, e->error < 0 ? e->error : -EIO);
	rq->done = true;
	return NL_STOP;
}

static struct nl_cb *request_cb(struct request *rq)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);

	if (!cb)
		return NULL;
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, on_seq_check, rq);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, rq);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, rq);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, rq);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, rq);
	return cb;
}

static void clear_extack(struct kcoap_nl *nl)
{
	nl->extack[0] = '\0';
	nl->bad_attr = 0;
	nl->bad_nested = 0;
	nl->missing_attr = 0;
}

int kcoap_nl_request(struct kcoap_nl *nl, struct nl_msg *req,
		     kcoap_nl_reply_fn fn, void *arg)
{
	struct request rq = { .nl = nl, .fn = fn, .arg = arg };
	struct nlmsghdr *nlh = nlmsg_hdr(req);
	struct nl_cb *cb;
	int err;

	clear_extack(nl);
	if (!(nlh->nlmsg_flags & NLM_F_DUMP))
		nlh->nlmsg_flags |= NLM_F_ACK;
	err = ensure_sndbuf(nl, nlh->nlmsg_len);
	if (err < 0)
		goto out;
	cb = request_cb(&rq);
	if (!cb) {
		err = -ENOMEM;
		goto out;
	}
	errno = 0;
	err = nl_send_auto(nl->sk, req);
	if (err < 0) {
		err = sys_errno(err);
		nl_cb_put(cb);
		goto out;
	}
	rq.seq = nlh->nlmsg_seq;
	rq.req = nlh;
	while (!rq.done) {
		errno = 0;
		err = nl_recvmsgs(nl->sk, cb);
		/* The callbacks' NL_STOP comes back as an error: ignore it. */
		if (err < 0 && !rq.done) {
			note_error(&rq, sys_errno(err));
			break;
		}
	}
	nl_cb_put(cb);
	err = rq.err;
out:
	nlmsg_free(req);
	return err;
}

struct event {
	kcoap_nl_reply_fn fn;
	void *arg;
	int err;
};

static int on_event(struct nl_msg *msg, void *arg)
{
	struct event *ev = arg;
	int err = ev->fn(nlmsg_hdr(msg), ev->arg);

	if (err < 0 && !ev->err)
		ev->err = err;
	return NL_OK;
}

static int on_event_seq(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

int kcoap_nl_recv_event(struct kcoap_nl *nl, kcoap_nl_reply_fn fn, void *arg)
{
	struct event ev = { .fn = fn, .arg = arg };
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int err;

	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, on_event_seq, NULL);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_event, &ev);
	errno = 0;
	err = nl_recvmsgs(nl->sk, cb);
	nl_cb_put(cb);
	if (err < 0)
		return sys_errno(err);
	return ev.err;
}
