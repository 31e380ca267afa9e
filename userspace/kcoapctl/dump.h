/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Observers, deduplication entries and DTLS sessions as kcoapctl reads them.
 */
#ifndef KCOAPCTL_DUMP_H
#define KCOAPCTL_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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

/* session.c: a session-get reply, 0 or -EBADMSG; the table or --json. */
struct session {
	uint32_t id;
	uint8_t addr[16];
	uint8_t addr_len;
	uint16_t port;
	uint8_t suite, state;
	uint32_t age, idle;
	uint64_t rx_records, tx_records, rx_bad, rx_replayed;
	char identity[KCOAP_DTLS_IDENTITY_MAX + 1];
	/* Connection IDs (RFC 9146): in records to us, and to the peer. */
	uint8_t cid_len, peer_cid_len;
	uint8_t cid[KCOAP_DTLS_CID_MAX], peer_cid[KCOAP_DTLS_CID_MAX];
};

int session_parse(const struct nlmsghdr *nlh, struct session *s);
void session_print(FILE *f, const struct session *v, size_t n, bool json);

#endif /* KCOAPCTL_DUMP_H */
