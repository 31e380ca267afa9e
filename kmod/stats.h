/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Per-CPU counters, one set per network namespace. The hot path only ever
 * increments its own CPU's copy; readers sum over all CPUs.
 */
#ifndef _KCOAP_STATS_H
#define _KCOAP_STATS_H

#include <linux/percpu.h>

/* Counters; stats.c has their names and netlink attributes. */
enum kcoap_stat {
	KCOAP_STAT_RX_DATAGRAMS,
	KCOAP_STAT_RX_BYTES,
	KCOAP_STAT_RX_IPV4,
	KCOAP_STAT_RX_IPV6,
	KCOAP_STAT_RX_REQUESTS,
	KCOAP_STAT_RX_PING,
	KCOAP_STAT_RX_DROPPED,
	KCOAP_STAT_RX_FORMAT_ERROR,
	KCOAP_STAT_RX_BAD_OPTION,
	KCOAP_STAT_RX_TOO_MANY_OPTIONS,
	KCOAP_STAT_RX_DUPLICATE,
	KCOAP_STAT_RX_STRAY,
	KCOAP_STAT_RX_MULTICAST,
	KCOAP_STAT_RX_UNHANDLED,
	KCOAP_STAT_TX_DATAGRAMS,
	KCOAP_STAT_TX_BYTES,
	KCOAP_STAT_TX_ERRORS,
	KCOAP_STAT_TX_ACK,
	KCOAP_STAT_TX_RST,
	KCOAP_STAT_DEDUP_EVICTED,
	KCOAP_STAT_DEDUP_EXPIRED,
	KCOAP_STAT_DEDUP_NOMEM,
	KCOAP_STAT_TX_NOTIFY,
	KCOAP_STAT_TX_NOTIFY_CON,
	KCOAP_STAT_TX_RETRANSMIT,
	KCOAP_STAT_RX_ACK,
	KCOAP_STAT_OBSERVE_TIMEOUT,
	KCOAP_STAT_OBSERVE_CANCEL,
	KCOAP_STAT_OBSERVE_REFUSED,
	KCOAP_STAT_RX_HANDED_UP,
	KCOAP_STAT_HANDUP_REFUSED,
	KCOAP_STAT_DAEMON_TIMEOUT,
	KCOAP_STAT_TX_SEPARATE,
	KCOAP_STAT_SEPARATE_TIMEOUT,
	KCOAP_STAT_RING_BAD,
	KCOAP_STAT_AMP_LIMITED,
	KCOAP_STAT_TX_ECHO,
	KCOAP_STAT_ECHO_VERIFIED,
	KCOAP_STAT_ECHO_BAD,
	KCOAP_STAT_ACK_VERIFIED,
	KCOAP_STAT_VERIFY_FULL,
	KCOAP_STAT_RATELIMITED,
	KCOAP_STAT_RATELIMIT_FULL,
	KCOAP_STAT_WK_RENDERS,
	KCOAP_STAT_WK_TRUNCATED,
	KCOAP_STAT_ENDPOINT_ERRORS,
	KCOAP_STAT_RX_OVERSIZE,
	KCOAP_STAT_DEDUP_PEER_LIMIT,
	KCOAP_STAT_OBSERVE_PEER_LIMIT,
	KCOAP_STAT_OBSERVE_UNREACHABLE,
	/* DTLS (issue 15): dtls_*.c */
	KCOAP_STAT_DTLS_RX_RECORDS,
	KCOAP_STAT_DTLS_TX_RECORDS,
	KCOAP_STAT_DTLS_HELLO_VERIFY,
	KCOAP_STAT_DTLS_COOKIE_BAD,
	KCOAP_STAT_DTLS_HANDED_UP,
	KCOAP_STAT_DTLS_BAD_RECORD,
	KCOAP_STAT_DTLS_REPLAYED,
	KCOAP_STAT_DTLS_NO_SESSION,
	KCOAP_STAT_DTLS_HANDSHAKE_FULL,
	KCOAP_STAT_DTLS_SESSION_FULL,
	KCOAP_STAT_DTLS_RAW_REFUSED,
	KCOAP_STAT_DTLS_CLOSE_NOTIFY,
	KCOAP_STAT_DTLS_EXPIRED,
	/* DTLS connection IDs (RFC 9146): dtls_cid.c, dtls_session.c */
	KCOAP_STAT_DTLS_CID_UNKNOWN,
	KCOAP_STAT_DTLS_CID_EXPECTED,
	KCOAP_STAT_DTLS_CID_MIGRATED,
	KCOAP_STAT_DTLS_HANDSHAKE_PEER_LIMIT,
	KCOAP_STAT_COUNT
};

/* Response codes are counted for classes 2, 4 and 5 (RFC 7252 §12.1.2). */
#define KCOAP_CODE_SLOTS 96

static inline int kcoap_code_slot(u8 code)
{
	switch (code >> 5) {
	case 2:
		return code & 0x1f;
	case 4:
		return 32 + (code & 0x1f);
	case 5:
		return 64 + (code & 0x1f);
	default:
		return -1;
	}
}

static inline u8 kcoap_slot_code(int slot)
{
	static const u8 class[] = { 2, 4, 5 };

	return (class[slot / 32] << 5) | (slot % 32);
}

struct kcoap_pcpu_stats {
	u64 cnt[KCOAP_STAT_COUNT];
	u64 code[KCOAP_CODE_SLOTS];
};

/* What readers see: sums over CPUs, less the values at the last reset. */
struct kcoap_stats_sum {
	u64 cnt[KCOAP_STAT_COUNT];
	u64 code[KCOAP_CODE_SLOTS];
};

struct kcoap_net;

#define kcoap_stat_add(kn, id, n) this_cpu_add((kn)->stats->cnt[id], (n))
#define kcoap_stat_inc(kn, id) this_cpu_inc((kn)->stats->cnt[id])

int kcoap_stats_init(struct kcoap_net *kn);
void kcoap_stats_exit(struct kcoap_net *kn);
void kcoap_stats_read(struct kcoap_net *kn, struct kcoap_stats_sum *out);
void kcoap_stats_reset(struct kcoap_net *kn);
const char *kcoap_stat_name(enum kcoap_stat id);
int kcoap_stat_attr(enum kcoap_stat id);

#endif /* _KCOAP_STATS_H */
