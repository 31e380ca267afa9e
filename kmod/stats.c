// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Counter names, sums over CPUs, resets, and /proc/net/kcoap: one
 * "name value" line per counter for the reading network namespace, like
 * /proc/vmstat (the same numbers as `kcoapctl stats`).
 */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/seq_file_net.h>
#include <linux/slab.h>

#include <linux/kcoap.h>

#include "kcoap.h"

/* Each counter's name and attribute in uapi/kcoap.yaml. */
static const struct {
	const char *name;
	int attr;
} kcoap_stat_info[] = {
	[KCOAP_STAT_RX_DATAGRAMS] = { "rx-datagrams", KCOAP_A_STATS_RX_DATAGRAMS },
	[KCOAP_STAT_RX_BYTES] = { "rx-bytes", KCOAP_A_STATS_RX_BYTES },
	[KCOAP_STAT_RX_IPV4] = { "rx-ipv4", KCOAP_A_STATS_RX_IPV4 },
	[KCOAP_STAT_RX_IPV6] = { "rx-ipv6", KCOAP_A_STATS_RX_IPV6 },
	[KCOAP_STAT_RX_REQUESTS] = { "rx-requests", KCOAP_A_STATS_RX_REQUESTS },
	[KCOAP_STAT_RX_PING] = { "rx-ping", KCOAP_A_STATS_RX_PING },
	[KCOAP_STAT_RX_DROPPED] = { "rx-dropped", KCOAP_A_STATS_RX_DROPPED },
	[KCOAP_STAT_RX_FORMAT_ERROR] = { "rx-format-error", KCOAP_A_STATS_RX_FORMAT_ERROR },
	[KCOAP_STAT_RX_BAD_OPTION] = { "rx-bad-option", KCOAP_A_STATS_RX_BAD_OPTION },
	[KCOAP_STAT_RX_TOO_MANY_OPTIONS] = {
		"rx-too-many-options", KCOAP_A_STATS_RX_TOO_MANY_OPTIONS },
	[KCOAP_STAT_RX_DUPLICATE] = { "rx-duplicate", KCOAP_A_STATS_RX_DUPLICATE },
	[KCOAP_STAT_RX_STRAY] = { "rx-stray", KCOAP_A_STATS_RX_STRAY },
	[KCOAP_STAT_RX_MULTICAST] = { "rx-multicast", KCOAP_A_STATS_RX_MULTICAST },
	[KCOAP_STAT_RX_UNHANDLED] = { "rx-unhandled", KCOAP_A_STATS_RX_UNHANDLED },
	[KCOAP_STAT_TX_DATAGRAMS] = { "tx-datagrams", KCOAP_A_STATS_TX_DATAGRAMS },
	[KCOAP_STAT_TX_BYTES] = { "tx-bytes", KCOAP_A_STATS_TX_BYTES },
	[KCOAP_STAT_TX_ERRORS] = { "tx-errors", KCOAP_A_STATS_TX_ERRORS },
	[KCOAP_STAT_TX_ACK] = { "tx-ack", KCOAP_A_STATS_TX_ACK },
	[KCOAP_STAT_TX_RST] = { "tx-rst", KCOAP_A_STATS_TX_RST },
	[KCOAP_STAT_DEDUP_EVICTED] = { "dedup-evicted", KCOAP_A_STATS_DEDUP_EVICTED },
	[KCOAP_STAT_DEDUP_EXPIRED] = { "dedup-expired", KCOAP_A_STATS_DEDUP_EXPIRED },
	[KCOAP_STAT_DEDUP_NOMEM] = { "dedup-nomem", KCOAP_A_STATS_DEDUP_NOMEM },
	[KCOAP_STAT_TX_NOTIFY] = { "tx-notify", KCOAP_A_STATS_TX_NOTIFY },
	[KCOAP_STAT_TX_NOTIFY_CON] = { "tx-notify-con", KCOAP_A_STATS_TX_NOTIFY_CON },
	[KCOAP_STAT_TX_RETRANSMIT] = { "tx-retransmit", KCOAP_A_STATS_TX_RETRANSMIT },
	[KCOAP_STAT_RX_ACK] = { "rx-ack", KCOAP_A_STATS_RX_ACK },
	[KCOAP_STAT_OBSERVE_TIMEOUT] = { "observe-timeout", KCOAP_A_STATS_OBSERVE_TIMEOUT },
	[KCOAP_STAT_OBSERVE_CANCEL] = { "observe-cancel", KCOAP_A_STATS_OBSERVE_CANCEL },
	[KCOAP_STAT_OBSERVE_REFUSED] = { "observe-refused", KCOAP_A_STATS_OBSERVE_REFUSED },
	[KCOAP_STAT_RX_HANDED_UP] = { "rx-handed-up", KCOAP_A_STATS_RX_HANDED_UP },
	[KCOAP_STAT_HANDUP_REFUSED] = { "handup-refused", KCOAP_A_STATS_HANDUP_REFUSED },
	[KCOAP_STAT_DAEMON_TIMEOUT] = { "daemon-timeout", KCOAP_A_STATS_DAEMON_TIMEOUT },
	[KCOAP_STAT_TX_SEPARATE] = { "tx-separate", KCOAP_A_STATS_TX_SEPARATE },
	[KCOAP_STAT_SEPARATE_TIMEOUT] = { "separate-timeout", KCOAP_A_STATS_SEPARATE_TIMEOUT },
	[KCOAP_STAT_RING_BAD] = { "ring-bad", KCOAP_A_STATS_RING_BAD },
	[KCOAP_STAT_AMP_LIMITED] = { "amp-limited", KCOAP_A_STATS_AMP_LIMITED },
	[KCOAP_STAT_TX_ECHO] = { "tx-echo", KCOAP_A_STATS_TX_ECHO },
	[KCOAP_STAT_ECHO_VERIFIED] = { "echo-verified", KCOAP_A_STATS_ECHO_VERIFIED },
	[KCOAP_STAT_ECHO_BAD] = { "echo-bad", KCOAP_A_STATS_ECHO_BAD },
	[KCOAP_STAT_ACK_VERIFIED] = { "ack-verified", KCOAP_A_STATS_ACK_VERIFIED },
	[KCOAP_STAT_VERIFY_FULL] = { "verify-full", KCOAP_A_STATS_VERIFY_FULL },
	[KCOAP_STAT_RATELIMITED] = { "ratelimited", KCOAP_A_STATS_RATELIMITED },
	[KCOAP_STAT_RATELIMIT_FULL] = { "ratelimit-full", KCOAP_A_STATS_RATELIMIT_FULL },
	[KCOAP_STAT_WK_RENDERS] = { "wellknown-renders", KCOAP_A_STATS_WELLKNOWN_RENDERS },
	[KCOAP_STAT_WK_TRUNCATED] = {
		"wellknown-truncated", KCOAP_A_STATS_WELLKNOWN_TRUNCATED },
	[KCOAP_STAT_ENDPOINT_ERRORS] = { "endpoint-errors", KCOAP_A_STATS_ENDPOINT_ERRORS },
	[KCOAP_STAT_RX_OVERSIZE] = { "rx-oversize", KCOAP_A_STATS_RX_OVERSIZE },
	[KCOAP_STAT_DEDUP_PEER_LIMIT] = { "dedup-peer-limit", KCOAP_A_STATS_DEDUP_PEER_LIMIT },
	[KCOAP_STAT_OBSERVE_PEER_LIMIT] = {
		"observe-peer-limit", KCOAP_A_STATS_OBSERVE_PEER_LIMIT },
	[KCOAP_STAT_OBSERVE_UNREACHABLE] = {
		"observe-unreachable", KCOAP_A_STATS_OBSERVE_UNREACHABLE },
	[KCOAP_STAT_DTLS_RX_RECORDS] = { "dtls-rx-records", KCOAP_A_STATS_DTLS_RX_RECORDS },
	[KCOAP_STAT_DTLS_TX_RECORDS] = { "dtls-tx-records", KCOAP_A_STATS_DTLS_TX_RECORDS },
	[KCOAP_STAT_DTLS_HELLO_VERIFY] = { "dtls-hello-verify", KCOAP_A_STATS_DTLS_HELLO_VERIFY },
	[KCOAP_STAT_DTLS_COOKIE_BAD] = { "dtls-cookie-bad", KCOAP_A_STATS_DTLS_COOKIE_BAD },
	[KCOAP_STAT_DTLS_HANDED_UP] = { "dtls-handed-up", KCOAP_A_STATS_DTLS_HANDED_UP },
	[KCOAP_STAT_DTLS_BAD_RECORD] = { "dtls-bad-record", KCOAP_A_STATS_DTLS_BAD_RECORD },
	[KCOAP_STAT_DTLS_REPLAYED] = { "dtls-replayed", KCOAP_A_STATS_DTLS_REPLAYED },
	[KCOAP_STAT_DTLS_NO_SESSION] = { "dtls-no-session", KCOAP_A_STATS_DTLS_NO_SESSION },
	[KCOAP_STAT_DTLS_HANDSHAKE_FULL] = {
		"dtls-handshake-full", KCOAP_A_STATS_DTLS_HANDSHAKE_FULL },
	[KCOAP_STAT_DTLS_SESSION_FULL] = { "dtls-session-full", KCOAP_A_STATS_DTLS_SESSION_FULL },
	[KCOAP_STAT_DTLS_RAW_REFUSED] = { "dtls-raw-refused", KCOAP_A_STATS_DTLS_RAW_REFUSED },
	[KCOAP_STAT_DTLS_CLOSE_NOTIFY] = { "dtls-close-notify", KCOAP_A_STATS_DTLS_CLOSE_NOTIFY },
	[KCOAP_STAT_DTLS_EXPIRED] = { "dtls-expired", KCOAP_A_STATS_DTLS_EXPIRED },
	[KCOAP_STAT_DTLS_CID_UNKNOWN] = { "dtls-cid-unknown", KCOAP_A_STATS_DTLS_CID_UNKNOWN },
	[KCOAP_STAT_DTLS_CID_EXPECTED] = { "dtls-cid-expected", KCOAP_A_STATS_DTLS_CID_EXPECTED },
	[KCOAP_STAT_DTLS_CID_MIGRATED] = { "dtls-cid-migrated", KCOAP_A_STATS_DTLS_CID_MIGRATED },
	[KCOAP_STAT_DTLS_HANDSHAKE_PEER_LIMIT] = {
		"dtls-handshake-peer-limit", KCOAP_A_STATS_DTLS_HANDSHAKE_PEER_LIMIT },
};

static_assert(ARRAY_SIZE(kcoap_stat_info) == KCOAP_STAT_COUNT);

int kcoap_stat_attr(enum kcoap_stat id)
{
	return kcoap_stat_info[id].attr;
}

const char *kcoap_stat_name(enum kcoap_stat id)
{
	return kcoap_stat_info[id].name;
}

static void kcoap_stats_sum(struct kcoap_net *kn, struct kcoap_stats_sum *out)
{
	int cpu, i;

	memset(out, 0, sizeof(*out));
	for_each_possible_cpu(cpu) {
		const struct kcoap_pcpu_stats *s = per_cpu_ptr(kn->stats, cpu);

		for (i = 0; i < KCOAP_STAT_COUNT; i++)
			out->cnt[i] += READ_ONCE(s->cnt[i]);
		for (i = 0; i < KCOAP_CODE_SLOTS; i++)
			out->code[i] += READ_ONCE(s->code[i]);
	}
}

/*
 * A reset remembers the current sums rather than zeroing other CPUs'
 * counters under their feet: no increment is lost or torn.
 */
void kcoap_stats_read(struct kcoap_net *kn, struct kcoap_stats_sum *out)
{
	const struct kcoap_stats_sum *base = kn->stats_base;
	int i;

	kcoap_stats_sum(kn, out);
	mutex_lock(&kn->lock);
	for (i = 0; i < KCOAP_STAT_COUNT; i++)
		out->cnt[i] -= base->cnt[i];
	for (i = 0; i < KCOAP_CODE_SLOTS; i++)
		out->code[i] -= base->code[i];
	mutex_unlock(&kn->lock);
}

void kcoap_stats_reset(struct kcoap_net *kn)
{
	struct kcoap_stats_sum now;

	kcoap_stats_sum(kn, &now);
	mutex_lock(&kn->lock);
	*kn->stats_base = now;
	mutex_unlock(&kn->lock);
}

static int kcoap_stats_show(struct seq_file *seq, void *v)
{
	struct kcoap_net *kn = kcoap_net(seq_file_single_net(seq));
	struct kcoap_stats_sum *sum;
	int i;

	sum = kmalloc(sizeof(*sum), GFP_KERNEL);
	if (!sum)
		return -ENOMEM;
	kcoap_stats_read(kn, sum);
	for (i = 0; i < KCOAP_STAT_COUNT; i++)
		seq_printf(seq, "%s %llu\n", kcoap_stat_info[i].name, sum->cnt[i]);
	for (i = 0; i < KCOAP_CODE_SLOTS; i++) {
		u8 code = kcoap_slot_code(i);

		if (sum->code[i])
			seq_printf(seq, "tx-code-%u.%02u %llu\n", code >> 5,
				   code & 0x1f, sum->code[i]);
	}
	kfree(sum);
	return 0;
}

int kcoap_stats_init(struct kcoap_net *kn)
{
	kn->stats = alloc_percpu_gfp(struct kcoap_pcpu_stats, GFP_KERNEL_ACCOUNT);
	kn->stats_base = kzalloc(sizeof(*kn->stats_base), GFP_KERNEL_ACCOUNT);
	if (!kn->stats || !kn->stats_base)
		goto err;
	if (!proc_create_net_single("kcoap", 0444, kn->net->proc_net,
				    kcoap_stats_show, NULL))
		goto err;
	return 0;
err:
	free_percpu(kn->stats);
	kfree(kn->stats_base);
	return -ENOMEM;
}

void kcoap_stats_exit(struct kcoap_net *kn)
{
	remove_proc_entry("kcoap", kn->net->proc_net);
	free_percpu(kn->stats);
	kfree(kn->stats_base);
}
