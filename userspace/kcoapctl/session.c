// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * kcoapctl session [show] | session del ID: the DTLS sessions (and
 * handshakes in flight) of this namespace's coaps endpoint (docs/dtls.md).
 * The kernel never gives keys back; these are the rest.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include <linux/kcoap.h>

#include "args.h"
#include "ctl.h"
#include "dump.h"
#include "json.h"
#include "output.h"

static int u64_of(const struct nlattr *a, uint64_t *v)
{
	if (nla_len(a) < 8)
		return -EBADMSG;
	memcpy(v, nla_data(a), 8);
	return 0;
}

int session_parse(const struct nlmsghdr *nlh, struct session *s)
{
	struct genlmsghdr *g = nlmsg_data((struct nlmsghdr *)nlh);
	struct nlattr *a;
	int rem, n, err = 0;
	uint16_t be;

	memset(s, 0, sizeof(*s));
	nla_for_each_attr(a, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), rem) {
		n = nla_len(a);
		switch (nla_type(a)) {
		case KCOAP_A_SESSION_ID:
			err = n < 4 ? -EBADMSG : 0;
			if (!err)
				s->id = nla_get_u32(a);
			break;
		case KCOAP_A_SESSION_ADDR:
			if (n != 4 && n != 16)
				return -EBADMSG;
			memcpy(s->addr, nla_data(a), (size_t)n);
			s->addr_len = (uint8_t)n;
			break;
		case KCOAP_A_SESSION_PORT:
			if (n < 2)
				return -EBADMSG;
			memcpy(&be, nla_data(a), 2);
			s->port = ntohs(be);
			break;
		case KCOAP_A_SESSION_SUITE:
			err = n < 1 ? -EBADMSG : 0;
			if (!err)
				s->suite = nla_get_u8(a);
			break;
		case KCOAP_A_SESSION_STATE:
			err = n < 1 ? -EBADMSG : 0;
			if (!err)
				s->state = nla_get_u8(a);
			break;
		case KCOAP_A_SESSION_AGE:
			err = n < 4 ? -EBADMSG : 0;
			if (!err)
				s->age = nla_get_u32(a);
			break;
		case KCOAP_A_SESSION_IDLE:
			err = n < 4 ? -EBADMSG : 0;
			if (!err)
				s->idle = nla_get_u32(a);
			break;
		case KCOAP_A_SESSION_RX_RECORDS:
			err = u64_of(a, &s->rx_records);
			break;
		case KCOAP_A_SESSION_TX_RECORDS:
			err = u64_of(a, &s->tx_records);
			break;
		case KCOAP_A_SESSION_RX_BAD:
			err = u64_of(a, &s->rx_bad);
			break;
		case KCOAP_A_SESSION_RX_REPLAYED:
			err = u64_of(a, &s->rx_replayed);
			break;
		case KCOAP_A_SESSION_IDENTITY:
			snprintf(s->identity, sizeof(s->identity), "%.*s",
				 (int)strnlen(nla_data(a), (size_t)n), (const char *)nla_data(a));
			break;
		case KCOAP_A_SESSION_CID:
			if (n < 1 || n > KCOAP_DTLS_CID_MAX)
				return -EBADMSG;
			memcpy(s->cid, nla_data(a), (size_t)n);
			s->cid_len = (uint8_t)n;
			break;
		case KCOAP_A_SESSION_PEER_CID:
			if (n < 1 || n > KCOAP_DTLS_CID_MAX)
				return -EBADMSG;
			memcpy(s->peer_cid, nla_data(a), (size_t)n);
			s->peer_cid_len = (uint8_t)n;
			break;
		}
		if (err)
			return err;
	}
	return 0;
}

static int parse_session_entry(const struct nlmsghdr *nlh, void *entry)
{
	return session_parse(nlh, entry);
}

static const char *suite_name(uint8_t s)
{
	static const char *const names[] = {
		[KCOAP_DTLS_SUITE_AES_128_CCM_8] = "aes-128-ccm-8",
		[KCOAP_DTLS_SUITE_AES_128_CCM] = "aes-128-ccm",
		[KCOAP_DTLS_SUITE_AES_128_GCM] = "aes-128-gcm",
		[KCOAP_DTLS_SUITE_AES_256_GCM] = "aes-256-gcm",
	};

	return s < sizeof(names) / sizeof(names[0]) && names[s] ? names[s] : "-";
}

/* @len bytes of @b as hex into @out (2 * 255 + 1 bytes); "-" for none. */
static const char *hex_of(const uint8_t *b, size_t len, char *out)
{
	size_t i;

	if (!len)
		return "-";
	for (i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	return out;
}

void session_print(FILE *f, const struct session *v, size_t n, bool json)
{
	static const char *const head[] = {
		"ID", "ADDRESS", "PORT", "IDENTITY", "SUITE", "STATE", "CID", "AGE", "IDLE",
		"RX", "TX", "BAD", "REPLAYED",
	};
	char id[12], addr[64], port[8], age[12], idle[12], rx[24], tx[24], bad[24], rep[24];
	char cid[2 * KCOAP_DTLS_CID_MAX + 1];
	struct table t;
	struct json j;
	size_t i;

	json_init(&j, f);
	if (json)
		json_array_begin(&j);
	else
		table_init(&t, 13, head);
	for (i = 0; i < n; i++) {
		const struct session *s = &v[i];
		const char *state = s->state ? "established" : "handshake";

		addr_format(s->addr, s->addr_len, addr, sizeof(addr));
		if (json) {
			json_object_begin(&j);
			json_kv_uint(&j, "id", s->id);
			json_kv_string(&j, "addr", addr);
			json_kv_uint(&j, "port", s->port);
			json_kv_string(&j, "identity", s->identity);
			json_kv_string(&j, "suite", suite_name(s->suite));
			json_kv_string(&j, "state", state);
			if (s->cid_len)
				json_kv_string(&j, "cid", hex_of(s->cid, s->cid_len, cid));
			if (s->peer_cid_len)
				json_kv_string(&j, "peer-cid",
					       hex_of(s->peer_cid, s->peer_cid_len, cid));
			json_kv_uint(&j, "age", s->age);
			json_kv_uint(&j, "idle", s->idle);
			json_kv_uint(&j, "rx-records", s->rx_records);
			json_kv_uint(&j, "tx-records", s->tx_records);
			json_kv_uint(&j, "rx-bad", s->rx_bad);
			json_kv_uint(&j, "rx-replayed", s->rx_replayed);
			json_object_end(&j);
			continue;
		}
		snprintf(id, sizeof(id), "%" PRIu32, s->id);
		snprintf(port, sizeof(port), "%u", s->port);
		snprintf(age, sizeof(age), "%" PRIu32, s->age);
		snprintf(idle, sizeof(idle), "%" PRIu32, s->idle);
		snprintf(rx, sizeof(rx), "%" PRIu64, s->rx_records);
		snprintf(tx, sizeof(tx), "%" PRIu64, s->tx_records);
		snprintf(bad, sizeof(bad), "%" PRIu64, s->rx_bad);
		snprintf(rep, sizeof(rep), "%" PRIu64, s->rx_replayed);
		table_row(&t, id, addr, port, s->identity[0] ? s->identity : "-",
			  s->state ? suite_name(s->suite) : "-", state,
			  hex_of(s->cid, s->cid_len, cid), age, idle, rx, tx, bad, rep);
	}
	if (json) {
		json_array_end(&j);
		json_end(&j);
	} else {
		table_print(&t, f);
		table_free(&t);
	}
}

static const struct opt show_opts[] = { OPT_COMMON, OPT_TABLE_END };
static const struct opt del_opts[] = { OPT_COMMON, OPT_TABLE_END };

static int run_show(struct ctl *ctl, const struct command *cmd, int argc, char **argv)
{
	struct entries e = { .size = sizeof(struct session),
			     .parse = parse_session_entry };
	bool json = ctl->json;
	struct optparse p;
	struct nl_msg *msg;
	int key, rc, err;

	opt_init(&p, ctl, cmd, argc, argv);
	while ((key = opt_next(&p, show_opts)) != OPT_DONE) {
		if (key == OPT_ERROR)
			return CTL_USAGE;
		if (key == OPT_HELP)
			return ctl_help(cmd);
		if (key == OPT_JSON)
			json = true;
		else
			return ctl_usage(ctl, cmd, "unexpected argument '%s'", p.arg);
	}
	rc = ctl_connect(ctl);
	if (rc != CTL_OK)
		return rc;
	msg = kcoap_nl_msg(&ctl->nl, KCOAP_CMD_SESSION_GET, NLM_F_DUMP, 0);
	if (!msg)
		return ctl_fail(ctl, -ENOMEM, NULL, "session");
	err = kcoap_nl_request(&ctl->nl, msg, dump_collect, &e);
	if (err) {
		free(e.v);
		return ctl_fail(ctl, err, NULL, "session");
	}
	session_print(stdout, e.v, e.n, json);
	free(e.v);
	return CTL_OK;
}

static int run_del(struct ctl *ctl, const struct command *cmd, int argc, char **argv)
{
	const char *arg = NULL;
	struct optparse p;
	struct nl_msg *msg;
	uint32_t id;
	int key, rc, err;

	opt_init(&p, ctl, cmd, argc, argv);
	while ((key = opt_next(&p, del_opts)) != OPT_DONE) {
		if (key == OPT_ERROR)
			return CTL_USAGE;
		if (key == OPT_HELP)
			return ctl_help(cmd);
		if (key == OPT_JSON)
			continue;
		if (key == OPT_POSITIONAL && !arg)
			arg = p.arg;
		else
			return ctl_usage(ctl, cmd, "unexpected argument '%s'", p.arg);
	}
	if (!arg)
		return ctl_usage(ctl, cmd, "which session? (kcoapctl session lists them)");
	if (parse_u32(arg, 1, UINT32_MAX, &id))
		return ctl_usage(ctl, cmd, "'%s' is not a session id (1-4294967295)", arg);
	rc = ctl_connect(ctl);
	if (rc != CTL_OK)
		return rc;
	msg = kcoap_nl_msg(&ctl->nl, KCOAP_CMD_SESSION_DEL, 0, 8);
	if (!msg || nla_put_u32(msg, KCOAP_A_SESSION_ID, id)) {
		if (msg)
			nlmsg_free(msg);
		return ctl_fail(ctl, -ENOMEM, NULL, "session del");
	}
	err = kcoap_nl_request(&ctl->nl, msg, NULL, NULL);
	if (err == -ENOENT)
		return ctl_fail(ctl, err, NULL, "session del: no session %" PRIu32, id);
	if (err)
		return ctl_fail(ctl, err, NULL, "session del %" PRIu32, id);
	return CTL_OK;
}

const struct command cmd_session_show = {
	"session show", run_show, "[--json]",
	"List the DTLS sessions of this network namespace's coaps endpoint, and\n"
	"the handshakes in flight: id, the peer's address and port, the\n"
	"identity (PSK identity, or sha256: of the client's certificate or raw\n"
	"public key), the record protection, state, the connection ID (RFC 9146,\n"
	"hex; --json also has the client's as peer-cid), seconds since the\n"
	"handshake and since the last record, records received and sent,\n"
	"records that did not authenticate and replayed ones (RFC 6347 section\n"
	"4.1.2.6). Keys are never shown: the kernel does not give them back.\n"
	"Needs CAP_NET_ADMIN.\n\n"
	"Options:\n"
	"  -j, --json            a JSON array of objects\n"
	"  -h, --help            this help\n",
};

const struct command cmd_session_del = {
	"session del", run_del, "ID",
	"End DTLS session (or handshake) ID now: its keys are dropped, its\n"
	"observers hear nothing more, and the client must handshake again. No\n"
	"alert is sent. Needs CAP_NET_ADMIN.\n\n"
	"Options:\n"
	"  -h, --help            this help\n",
};
