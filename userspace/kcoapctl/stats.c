// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * kcoapctl stats [--reset].
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include <linux/kcoap.h>

#include "args.h"
#include "ctl.h"
#include "json.h"
#include "names.h"

/* Counter names as in uapi/kcoap.yaml, in the order the spec lists them. */
static const char *const stat_names[] = {
	[KCOAP_A_STATS_RX_DATAGRAMS] = "rx-datagrams",
	[KCOAP_A_STATS_RX_BYTES] = "rx-bytes",
	[KCOAP_A_STATS_RX_IPV4] = "rx-ipv4",
	[KCOAP_A_STATS_RX_IPV6] = "rx-ipv6",
	[KCOAP_A_STATS_RX_REQUESTS] = "rx-requests",
	[KCOAP_A_STATS_RX_PING] = "rx-ping",
	[KCOAP_A_STATS_RX_DROPPED] = "rx-dropped",
	[KCOAP_A_STATS_RX_FORMAT_ERROR] = "rx-format-error",
	[KCOAP_A_STATS_RX_BAD_OPTION] = "rx-bad-option",
	[KCOAP_A_STATS_RX_TOO_MANY_OPTIONS] = "rx-too-many-options",
	[KCOAP_A_STATS_RX_DUPLICATE] = "rx-duplicate",
	[KCOAP_A_STATS_RX_STRAY] = "rx-stray",
	[KCOAP_A_STATS_RX_MULTICAST] = "rx-multicast",
	[KCOAP_A_STATS_RX_UNHANDLED] = "rx-unhandled",
	[KCOAP_A_STATS_TX_DATAGRAMS] = "tx-datagrams",
	[KCOAP_A_STATS_TX_BYTES] = "tx-bytes",
	[KCOAP_A_STATS_TX_ERRORS] = "tx-errors",
	[KCOAP_A_STATS_TX_ACK] = "tx-ack",
	[KCOAP_A_STATS_TX_RST] = "tx-rst",
	[KCOAP_A_STATS_DEDUP_EVICTED] = "dedup-evicted",
	[KCOAP_A_STATS_DEDUP_EXPIRED] = "dedup-expired",
	[KCOAP_A_STATS_DEDUP_NOMEM] = "dedup-nomem",
	[KCOAP_A_STATS_DEDUP_ENTRIES] = "dedup-entries",
	[KCOAP_A_STATS_RESOURCES] = "resources",
	[KCOAP_A_STATS_RESOURCE_BYTES] = "resource-bytes",
	[KCOAP_A_STATS_TX_NOTIFY] = "tx-notify",
	[KCOAP_A_STATS_TX_NOTIFY_CON] = "tx-notify-con",
	[KCOAP_A_STATS_TX_RETRANSMIT] = "tx-retransmit",
	[KCOAP_A_STATS_RX_ACK] = "rx-ack",
	[KCOAP_A_STATS_OBSERVE_TIMEOUT] = "observe-timeout",
	[KCOAP_A_STATS_OBSERVE_CANCEL] = "observe-cancel",
	[KCOAP_A_STATS_OBSERVE_REFUSED] = "observe-refused",
	[KCOAP_A_STATS_OBSERVERS] = "observers",
	[KCOAP_A_STATS_RX_HANDED_UP] = "rx-handed-up",
	[KCOAP_A_STATS_HANDUP_REFUSED] = "handup-refused",
	[KCOAP_A_STATS_DAEMON_TIMEOUT] = "daemon-timeout",
	[KCOAP_A_STATS_TX_SEPARATE] = "tx-separate",
	[KCOAP_A_STATS_SEPARATE_TIMEOUT] = "separate-timeout",
	[KCOAP_A_STATS_RING_BAD] = "ring-bad",
	[KCOAP_A_STATS_AMP_LIMITED] = "amp-limited",
	[KCOAP_A_STATS_TX_ECHO] = "tx-echo",
	[KCOAP_A_STATS_ECHO_VERIFIED] = "echo-verified",
	[KCOAP_A_STATS_ECHO_BAD] = "echo-bad",
	[KCOAP_A_STATS_ACK_VERIFIED] = "ack-verified",
	[KCOAP_A_STATS_VERIFY_FULL] = "verify-full",
	[KCOAP_A_STATS_RATELIMITED] = "ratelimited",
	[KCOAP_A_STATS_RATELIMIT_FULL] = "ratelimit-full",
	[KCOAP_A_STATS_VERIFIED_PEERS] = "verified-peers",
	[KCOAP_A_STATS_RATELIMIT_SOURCES] = "ratelimit-sources",
	[KCOAP_A_STATS_WELLKNOWN_RENDERS] = "wellknown-renders",
	[KCOAP_A_STATS_WELLKNOWN_TRUNCATED] = "wellknown-truncated",
	[KCOAP_A_STATS_ENDPOINT_ERRORS] = "endpoint-errors",
	[KCOAP_A_STATS_RX_OVERSIZE] = "rx-oversize",
	[KCOAP_A_STATS_DEDUP_BYTES] = "dedup-bytes",
	[KCOAP_A_STATS_DEDUP_PEER_LIMIT] = "dedup-peer-limit",
	[KCOAP_A_STATS_OBSERVE_PEER_LIMIT] = "observe-peer-limit",
	[KCOAP_A_STATS_OBSERVE_UNREACHABLE] = "observe-unreachable",
	[KCOAP_A_STATS_DTLS_RX_RECORDS] = "dtls-rx-records",
	[KCOAP_A_STATS_DTLS_TX_RECORDS] = "dtls-tx-records",
	[KCOAP_A_STATS_DTLS_HELLO_VERIFY] = "dtls-hello-verify",
	[KCOAP_A_STATS_DTLS_COOKIE_BAD] = "dtls-cookie-bad",
	[KCOAP_A_STATS_DTLS_HANDED_UP] = "dtls-handed-up",
	[KCOAP_A_STATS_DTLS_BAD_RECORD] = "dtls-bad-record",
	[KCOAP_A_STATS_DTLS_REPLAYED] = "dtls-replayed",
	[KCOAP_A_STATS_DTLS_NO_SESSION] = "dtls-no-session",
	[KCOAP_A_STATS_DTLS_HANDSHAKE_FULL] = "dtls-handshake-full",
	[KCOAP_A_STATS_DTLS_SESSION_FULL] = "dtls-session-full",
	[KCOAP_A_STATS_DTLS_RAW_REFUSED] = "dtls-raw-refused",
	[KCOAP_A_STATS_DTLS_CLOSE_NOTIFY] = "dtls-close-notify",
	[KCOAP_A_STATS_DTLS_EXPIRED] = "dtls-expired",
	[KCOAP_A_STATS_DTLS_SESSIONS] = "dtls-sessions",
	[KCOAP_A_STATS_DTLS_HANDSHAKES] = "dtls-handshakes",
	[KCOAP_A_STATS_DTLS_CID_UNKNOWN] = "dtls-cid-unknown",
	[KCOAP_A_STATS_DTLS_CID_EXPECTED] = "dtls-cid-expected",
	[KCOAP_A_STATS_DTLS_CID_MIGRATED] = "dtls-cid-migrated",
	[KCOAP_A_STATS_DTLS_HANDSHAKE_PEER_LIMIT] = "dtls-handshake-peer-limit",
};

#define N_STATS (sizeof(stat_names) / sizeof(stat_names[0]))
#define MAX_CODES 256

struct stats {
	bool has[N_STATS];
	unsigned long long v[N_STATS];
	struct { uint8_t code; unsigned long long count; } codes[MAX_CODES];
	unsigned int n_codes;
	bool got_reply;
};

static int parse_code(struct stats *st, struct nlattr *nest)
{
	struct nlattr *tb[KCOAP_A_CODE_COUNT_MAX + 1];

	if (nla_parse_nested(tb, KCOAP_A_CODE_COUNT_MAX, nest, NULL) < 0 ||
	    !tb[KCOAP_A_CODE_COUNT_CODE] || !tb[KCOAP_A_CODE_COUNT_COUNT] ||
	    nla_len(tb[KCOAP_A_CODE_COUNT_CODE]) < 1 ||
	    nla_len(tb[KCOAP_A_CODE_COUNT_COUNT]) < 8)
		return -EBADMSG;
	if (st->n_codes == MAX_CODES)
		return 0;
	st->codes[st->n_codes].code = nla_get_u8(tb[KCOAP_A_CODE_COUNT_CODE]);
	st->codes[st->n_codes].count = nla_get_u64(tb[KCOAP_A_CODE_COUNT_COUNT]);
	st->n_codes++;
	return 0;
}

static int parse_stats(struct nlmsghdr *nlh, void *arg)
{
	struct genlmsghdr *g = nlmsg_data(nlh);
	struct stats *st = arg;
	struct nlattr *a;
	int rem, err;

	nla_for_each_attr(a, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), rem) {
		int type = nla_type(a);

		if (type == KCOAP_A_STATS_TX_CODE) {
			err = parse_code(st, a);
			if (err)
				return err;
		} else if (type > 0 && (size_t)type < N_STATS && stat_names[type]) {
			if (nla_len(a) < 8)
				return -EBADMSG;
			st->v[type] = nla_get_u64(a);
			st->has[type] = true;
		}
	}
	st->got_reply = true;
	return 0;
}

static void print_text(const struct stats *st)
{
	char name[32], code[8];
	unsigned int i;

	for (i = 0; i < N_STATS; i++)
		if (st->has[i])
			printf("%-22s %llu\n", stat_names[i], st->v[i]);
	for (i = 0; i < st->n_codes; i++) {
		snprintf(name, sizeof(name), "tx-code %s",
			 code_format(st->codes[i].code, code, sizeof(code)));
		printf("%-22s %llu\n", name, st->codes[i].count);
	}
}

static void print_json(const struct stats *st)
{
	char code[8];
	unsigned int i;
	struct json j;

	json_init(&j, stdout);
	json_object_begin(&j);
	for (i = 0; i < N_STATS; i++)
		if (st->has[i])
			json_kv_uint(&j, stat_names[i], st->v[i]);
	json_key(&j, "tx-code");
	json_object_begin(&j);
	for (i = 0; i < st->n_codes; i++)
		json_kv_uint(&j, code_format(st->codes[i].code, code, sizeof(code)),
			     st->codes[i].count);
	json_object_end(&j);
	json_object_end(&j);
	json_end(&j);
}

enum { O_RESET = 1 };

static const struct opt stats_opts[] = {
	{ "reset", 0, false, O_RESET },
	OPT_COMMON,
	OPT_TABLE_END,
};

static int stats_reset(struct ctl *ctl)
{
	struct nl_msg *msg = kcoap_nl_msg(&ctl->nl, KCOAP_CMD_STATS_RESET, 0, 0);
	int err;

	if (!msg)
		return ctl_fail(ctl, -ENOMEM, NULL, "stats --reset");
	err = kcoap_nl_request(&ctl->nl, msg, NULL, NULL);
	if (err)
		return ctl_fail(ctl, err, NULL, "stats --reset");
	ctl_warn_extack(ctl, "stats --reset");
	return CTL_OK;
}

static int stats_show(struct ctl *ctl, bool json)
{
	struct nl_msg *msg = kcoap_nl_msg(&ctl->nl, KCOAP_CMD_STATS_GET, 0, 0);
	struct stats *st = calloc(1, sizeof(*st));
	int err;

	if (!msg || !st) {
		if (msg)
			nlmsg_free(msg);
		free(st);
		return ctl_fail(ctl, -ENOMEM, NULL, "stats");
	}
	err = kcoap_nl_request(&ctl->nl, msg, parse_stats, st);
	if (!err && !st->got_reply)
		err = -EBADMSG;
	if (err) {
		free(st);
		return ctl_fail(ctl, err, NULL, "stats");
	}
	if (json)
		print_json(st);
	else
		print_text(st);
	free(st);
	return CTL_OK;
}

static int run_stats(struct ctl *ctl, const struct command *cmd, int argc,
		     char **argv)
{
	bool json = ctl->json, reset = false;
	struct optparse p;
	int key, rc;

	opt_init(&p, ctl, cmd, argc, argv);
	while ((key = opt_next(&p, stats_opts)) != OPT_DONE) {
		switch (key) {
		case OPT_ERROR:
			return CTL_USAGE;
		case OPT_HELP:
			return ctl_help(cmd);
		case OPT_JSON:
			json = true;
			break;
		case O_RESET:
			reset = true;
			break;
		default:
			/* "stats show" reads like "config show". */
			if (strcmp(p.arg, "show"))
				return ctl_usage(ctl, cmd, "unexpected argument '%s'",
						 p.arg);
		}
	}
	rc = ctl_connect(ctl);
	if (rc != CTL_OK)
		return rc;
	return reset ? stats_reset(ctl) : stats_show(ctl, json);
}

const struct command cmd_stats = {
	"stats", run_stats, "[--reset] [--json]",
	"Show the statistics of the endpoint in this network namespace: one\n"
	"line per counter (names as in uapi/kcoap.yaml), then one per response\n"
	"code sent (\"tx-code 2.05  12\"). Gauges (dedup-entries, resources,\n"
	"resource-bytes, dtls-sessions, dtls-handshakes...) are current values.\n\n"
	"Options:\n"
	"  --reset               zero the counters instead (needs CAP_NET_ADMIN)\n"
	"  -j, --json            one JSON object; tx-code maps \"2.05\" to counts\n"
	"  -h, --help            this help\n",
};
