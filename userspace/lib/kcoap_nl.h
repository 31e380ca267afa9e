/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * The generic netlink plumbing shared by kcoapctl and kcoapd: open a socket,
 * resolve the "kcoap" family and its "events" group, send one request and
 * collect its replies, its error and the kernel's extended ack.
 *
 * Every function returns 0 or a negative errno. Errors from the kernel keep
 * their errno (libnl's NLE_* codes lose it), so callers can print strerror()
 * and tell EPERM, EEXIST, ERANGE... apart.
 */
#ifndef KCOAP_NL_H
#define KCOAP_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <netlink/msg.h>

#define KCOAP_NL_EXTACK_MAX 256

struct kcoap_nl {
	struct nl_sock *sk;
	int family;		/* generic netlink family id of "kcoap" */
	int sndbuf;		/* largest message the socket can send now */
	/* What the kernel said about the last request. */
	char extack[KCOAP_NL_EXTACK_MAX];	/* message, "" if none */
	int bad_attr;		/* type of the attribute it pointed at, or 0 */
	int bad_nested;		/* and the type inside it if it is a nest */
	int missing_attr;	/* type of a missing attribute, or 0 */
};

/*
 * Connect and resolve the family. -ENOENT: the family is not registered
 * (kcoap.ko not loaded).
 */
int kcoap_nl_open(struct kcoap_nl *nl);
void kcoap_nl_close(struct kcoap_nl *nl);

/*
 * Join the "events" multicast group; notifications then arrive on this
 * socket. Use a socket of its own: requests and events do not mix.
 */
int kcoap_nl_join_events(struct kcoap_nl *nl);

/*
 * A new request for command @cmd with room for @payload bytes of
 * attributes. @flags: 0, or NLM_F_DUMP. NULL if out of memory.
 */
struct nl_msg *kcoap_nl_msg(const struct kcoap_nl *nl, uint8_t cmd, int flags,
			    size_t payload);

/* Called for each reply message; returns 0 or a negative errno. */
typedef int (*kcoap_nl_reply_fn)(struct nlmsghdr *nlh, void *arg);

/*
 * Send @req (consumed) and wait for its end: the ACK of a "do", or the end
 * of a dump. @fn, if not NULL, sees each reply. Returns 0, the kernel's
 * error as a negative errno (then nl->extack and friends say more), or the
 * first error @fn returned (the remaining replies are still read, so the
 * socket stays usable for the next request).
 */
int kcoap_nl_request(struct kcoap_nl *nl, struct nl_msg *req,
		     kcoap_nl_reply_fn fn, void *arg);

/*
 * Wait for the next notification and pass it to @fn (events socket).
 * -ENOBUFS: notifications were lost because the socket's receive buffer
 * overflowed; the caller may carry on.
 */
int kcoap_nl_recv_event(struct kcoap_nl *nl, kcoap_nl_reply_fn fn, void *arg);

/* The generic netlink command of a message. */
uint8_t kcoap_nl_cmd(const struct nlmsghdr *nlh);

/* Convert a libnl NLE_* code (negative) to a negative errno. */
int kcoap_nl_errno(int nle);

#endif /* KCOAP_NL_H */
