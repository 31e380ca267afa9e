// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * kcoapctl observers | peers: the dumps of observers and deduplication
 * entries (peers).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include <linux/kcoap.h>

#include "args.h"
#include "ctl.h"
#include "dump.h"
#include "json.h"
#include "names.h"
#include "output.h"

/* Read the attributes both dumps share: address, port, and bytes. */
static int take_addr(uint8_t *addr, uint8_t *len, const struct nlattr *a)
{
	int n = nla_len(a);

	if (n != 4 && n != 16)
		return -EBADMSG;
	memcpy(addr, nla_data(a), n);
	*len = (uint8_t)n;
	return 0;
}

static int take_be16(uint16_t *v, const struct nlattr *a)
{
	uint16_t be;

	if (nla_len(a) < 2)
		return -EBADMSG;
	memcpy(&be, nla_data(a), 2);
	*v = ntohs(be);
	return 0;
}

static int take_uint(uint32_t *v, const struct nlattr *a, int width)
{
	if (nla_len(a) < width)
		return -EBADMSG;
	*v = width == 1 ? nla_get_u8((struct nlattr *)a) :
	     width == 2 ? nla_get_u16((struct nlattr *)a) :
			  nla_get_u32((struct nlattr *)a);
	return 0;
}

int observer_parse(const struct nlmsghdr *nlh, struct observer *o)
{
	struct genlmsghdr *g = nlmsg_data(nlh);
	struct nlattr *a;
	int rem, err = 0;

	memset(o, 0, sizeof(*o));
	nla_for_each_attr(a, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), rem) {
		switch (nla_type(a)) {
		case KCOAP_A_OBSERVER_ADDR:
			err = take_addr(o->addr, &o->addr_len, a);
			break;
		case KCOAP_A_OBSERVER_PORT:
			err = take_be16(&o->port, a);
			break;
		case KCOAP_A_OBSERVER_TOKEN:
			if (nla_len(a) > (int)sizeof(o->token))
				return -EBADMSG;
			o->token_len = (uint8_t)nla_len(a);
			memcpy(o->token, nla_data(a), o->token_len);
			break;
		case KCOAP_A_OBSERVER_PATH:
			snprintf(o->path, sizeof(o->path), "%.*s", nla_len(a),
				 (const char *)nla_data(a));
			break;
		case KCOAP_A_OBSERVER_SEQ:
			err = take_uint(&o->seq, a, 4);
			o->has_seq = true;
			break;
		case KCOAP_A_OBSERVER_CONTENT_FORMAT:
			err = take_uint(&o->cf, a, 2);
			o->has_cf = true;
			break;
		case KCOAP_A_OBSERVER_EVENT:
			err = take_uint(&o->event, a, 4);
			o->has_event = true;
			break;
		case KCOAP_A_OBSERVER_CON_PENDING:
			err = take_uint(&o->con_pending, a, 1);
			o->has_con_pending = true;
			break;
		}
		if (err)
			return err;
	}
	return 0;
}

static int peer_parse(const struct nlmsghdr *nlh, struct peer *pe)
{
	struct genlmsghdr *g = nlmsg_data(nlh);
	struct nlattr *a;
	int rem, err = 0;

	memset(pe, 0, sizeof(*pe));
	nla_for_each_attr(a, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), rem) {
		switch (nla_type(a)) {
		case KCOAP_A_PEER_ADDR:
			err = take_addr(pe->addr, &pe->addr_len, a);
			break;
		case KCOAP_A_PEER_PORT:
			err = take_be16(&pe->port, a);
			break;
		case KCOAP_A_PEER_MID:
			err = take_uint(&pe->mid, a, 2);
			break;
		case KCOAP_A_PEER_TYPE:
			err = take_uint(&pe->type, a, 1);
			break;
		case KCOAP_A_PEER_EXPIRES:
			err = take_uint(&pe->expires, a, 4);
			break;
		case KCOAP_A_PEER_REPLY_LEN:
			err = take_uint(&pe->reply_len, a, 4);
			break;
		}
		if (err)
			return err;
	}
	return 0;
}

/* A growing array of dump entries of @size bytes. */
int dump_collect(struct nlmsghdr *nlh, void *arg)
{
	struct entries *e = arg;

	if (e->n == e->cap) {
		size_t cap = e->cap ? 2 * e->cap : 64;
		void *v = realloc(e->v, cap * e->size);

		if (!v)
			return -ENOMEM;
		e->v = v;
		e->cap = cap;
	}
	if (e->parse(nlh, (char *)e->v + e->n * e->size))
		return -EBADMSG;
	e->n++;
	return 0;
}

static int parse_observer_entry(const struct nlmsghdr *nlh, void *entry)
{
	return observer_parse(nlh, entry);
}

static int parse_peer_entry(const struct nlmsghdr *nlh, void *entry)
{
	return peer_parse(nlh, entry);
}

static void print_observers(const struct observer *v, size_t n, bool json)
{
	static const char *const head[] = {
		"PATH", "ADDRESS", "PORT", "TOKEN", "SEQ", "CT", "PENDING",
	};
	char addr[64], port[8], token[17], seq[16], ct[8];
	struct table t;
	struct json j;
	size_t i;

	json_init(&j, stdout);
	if (json)
		json_array_begin(&j);
	else
		table_init(&t, 7, head);
	for (i = 0; i < n; i++) {
		const struct observer *o = &v[i];

		addr_format(o->addr, o->addr_len, addr, sizeof(addr));
		hex_format(token, o->token, o->token_len);
		if (json) {
			json_object_begin(&j);
			json_kv_string(&j, "path", o->path);
			json_kv_string(&j, "addr", addr);
			json_kv_uint(&j, "port", o->port);
			json_kv_string(&j, "token", token);
			if (o->has_seq)
				json_kv_uint(&j, "seq", o->seq);
			if (o->has_cf)
				json_kv_uint(&j, "content-format", o->cf);
			if (o->has_con_pending)
				json_kv_bool(&j, "con-pending", o->con_pending);
			json_object_end(&j);
			continue;
		}
		snprintf(port, sizeof(port), "%u", o->port);
		snprintf(seq, sizeof(seq), "%u", o->seq);
		table_row(&t, o->path, addr, port, token[0] ? token : "-",
			  o->has_seq ? seq : "-",
			  o->has_cf ? cf_label((uint16_t)o->cf, ct, sizeof(ct)) : "-",
			  !o->has_con_pending ? "-" : o->con_pending ? "con" : "no");
	}
	if (json) {
		json_array_end(&j);
		json_end(&j);
	} else {
		table_print(&t, stdout);
		table_free(&t);
	}
}

static const char *peer_type(uint32_t type)
{
	return type == 0 ? "CON" : type == 1 ? "NON" : "?";
}

static void print_peers(const struct peer *v, size_t n, bool json)
{
	static const char *const head[] = {
		"ADDRESS", "PORT", "MID", "TYPE", "EXPIRES-MS", "REPLY-LEN",
	};
	char addr[64], port[8], mid[8], exp[16], rlen[16];
	struct table t;
	struct json j;
	size_t i;

	json_init(&j, stdout);
	if (json)
		json_array_begin(&j);
	else
		table_init(&t, 6, head);
	for (i = 0; i < n; i++) {
		const struct peer *pe = &v[i];

		addr_format(pe->addr, pe->addr_len, addr, sizeof(addr));
		if (json) {
			json_object_begin(&j);
			json_kv_string(&j, "addr", addr);
			json_kv_uint(&j, "port", pe->port);
			json_kv_uint(&j, "mid", pe->mid);
			json_kv_string(&j, "type", peer_type(pe->type));
			json_kv_uint(&j, "expires-ms", pe->expires);
			json_kv_uint(&j, "reply-len", pe->reply_len);
			json_object_end(&j);
			continue;
		}
		snprintf(port, sizeof(port), "%u", pe->port);
		snprintf(mid, sizeof(mid), "%u", pe->mid);
		snprintf(exp, sizeof(exp), "%u", pe->expires);
		snprintf(rlen, sizeof(rlen), "%u", pe->reply_len);
		table_row(&t, addr, port, mid, peer_type(pe->type), exp, rlen);
	}
	if (json) {
		json_array_end(&j);
		json_end(&j);
	} else {
		table_print(&t, stdout);
		table_free(&t);
	}
}

/* observers */

static const struct opt observer_opts[] = { OPT_COMMON, OPT_TABLE_END };

static int run_observers(struct ctl *ctl, const struct command *cmd, int argc,
			 char **argv)
{
	struct entries e = { .size = sizeof(struct observer),
			     .parse = parse_observer_entry };
	bool json = ctl->json;
	struct optparse p;
	struct nl_msg *msg;
	int key, rc, err;

	opt_init(&p, ctl, cmd, argc, argv);
	while ((key = opt_next(&p, observer_opts)) != OPT_DONE) {
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
	msg = kcoap_nl_msg(&ctl->nl, KCOAP_CMD_OBSERVER_GET, NLM_F_DUMP, 0);
	if (!msg)
		return ctl_fail(ctl, -ENOMEM, NULL, "observers");
	err = kcoap_nl_request(&ctl->nl, msg, dump_collect, &e);
	if (err) {
		free(e.v);
		return ctl_fail(ctl, err, NULL, "observers");
	}
	print_observers(e.v, e.n, json);
	free(e.v);
	return CTL_OK;
}

const struct command cmd_observers = {
	"observers", run_observers, "[--json]",
	"List the observers (RFC 7641) of the resources in this network\n"
	"namespace: path, address, port, token, last sequence number sent and\n"
	"Content-Format. Needs CAP_NET_ADMIN (they are other clients').\n\n"
	"Options:\n"
	"  -j, --json            a JSON array of objects\n"
	"  -h, --help            this help\n",
};

/* peers */

enum { O_LIMIT = 1 };

static const struct opt peer_opts[] = {
	{ "limit", 'n', true, O_LIMIT },
	OPT_COMMON,
	OPT_TABLE_END,
};

static int run_peers(struct ctl *ctl, const struct command *cmd, int argc,
		     char **argv)
{
	struct entries e = { .size = sizeof(struct peer),
			     .parse = parse_peer_entry };
	bool json = ctl->json, has_limit = false;
	struct optparse p;
	struct nl_msg *msg;
	uint32_t limit = 0;
	int key, rc, err;

	opt_init(&p, ctl, cmd, argc, argv);
	while ((key = opt_next(&p, peer_opts)) != OPT_DONE) {
		if (key == OPT_ERROR)
			return CTL_USAGE;
		if (key == OPT_HELP)
			return ctl_help(cmd);
		if (key == OPT_JSON) {
			json = true;
		} else if (key == O_LIMIT) {
			if (parse_u32(p.arg, 1, UINT32_MAX, &limit))
				return ctl_usage(ctl, cmd, "--limit: '%s' is not a "
						 "number of entries (1-4294967295)",
						 p.arg);
			has_limit = true;
		} else {
			return ctl_usage(ctl, cmd, "unexpected argument '%s'", p.arg);
		}
	}
	rc = ctl_connect(ctl);
	if (rc != CTL_OK)
		return rc;
	msg = kcoap_nl_msg(&ctl->nl, KCOAP_CMD_PEER_GET, NLM_F_DUMP, 8);
	if (!msg)
		return ctl_fail(ctl, -ENOMEM, NULL, "peers");
	if (has_limit && nla_put_u32(msg, KCOAP_A_PEER_LIMIT, limit)) {
		nlmsg_free(msg);
		return ctl_fail(ctl, -EMSGSIZE, NULL, "peers");
	}
	err = kcoap_nl_request(&ctl->nl, msg, dump_collect, &e);
	if (err) {
		free(e.v);
		return ctl_fail(ctl, err, NULL, "peers");
	}
	print_peers(e.v, e.n, json);
	free(e.v);
	return CTL_OK;
}

const struct command cmd_peers = {
	"peers", run_peers, "[--limit N] [--json]",
	"List the deduplication entries of this network namespace: the peers\n"
	"whose recent messages the kernel remembers (RFC 7252 section 4.5),\n"
	"with the Message ID, type, milliseconds left and the length of the\n"
	"reply kept for duplicates. Needs CAP_NET_ADMIN.\n\n"
	"Options:\n"
	"  -n, --limit N         at most N entries (the kernel's default: 1000)\n"
	"  -j, --json            a JSON array of objects\n"
	"  -h, --help            this help\n",
};
