/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Observers and deduplication entries as kcoapctl reads them.
 */
#ifndef KCOAPCTL_DUMP_H
#define KCOAPCTL_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/kcoap.h>
#include <linux/netlink.h>

struct observer {
	uint8_t addr[16];
	uint8_t addr_len;
	uint16_t port;
	uint8_t token[8];
	uint8_t token_len;
	char path[KCOAP_PATH_MAX + 1];
	uint32_t seq, cf, event, con_pending;
	bool has_seq, has_cf, has_event, has_con_pending;
};

struct peer {
	uint8_t addr[16];
	uint8_t addr_len;
	uint16_t port;
	uint32_t mid, type, expires, reply_len;
};

/*
 * The entries of a dump, in an array that grows: @parse fills one
 * @size-byte entry from a message. dump_collect() is the callback for
 * kcoap_nl_request(); the caller frees @v.
 */
struct entries {
	void *v;
	size_t n, cap, size;
	int (*parse)(const struct nlmsghdr *nlh, void *entry);
};

int dump_collect(struct nlmsghdr *nlh, void *arg);

/* An observer (dump entry or observer-ntf): 0 or -EBADMSG. */
int observer_parse(const struct nlmsghdr *nlh, struct observer *o);

#endif /* KCOAPCTL_DUMP_H */
