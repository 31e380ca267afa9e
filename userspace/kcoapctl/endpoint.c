// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * kcoapctl endpoint add [--port N] | endpoint del | endpoint [show].
 */
#include <errno.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include <linux/kcoap.h>

#include "args.h"
#include "ctl.h"
#include "json.h"

struct endpoint_info {
	uint16_t port;
	uint8_t open, ipv6;
	bool got;
};

static int parse_endpoint(struct nlmsghdr *nlh, void *arg)
{
	struct genlmsghdr *g = nlmsg_data(nlh);
	struct endpoint_info *e = arg;
	struct nlattr *a;
	int rem;

	nla_for_each_attr(a, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), rem) {
		switch (nla_type(a)) {
		case KCOAP_A_ENDPOINT_PORT:
			if (nla_len(a) < 2)
				return -EBADMSG;
			e->port = nla_get_u16(a);
			break;
		case KCOAP_A_ENDPOINT_OPEN:
			if (nla_len(a) < 1)
				return -EBADMSG;
			e->open = nla_get_u8(a);
			break;
		case KCOAP_A_ENDPOINT_IPV6:
			if (nla_len(a) < 1)
				return -EBADMSG;
			e->ipv6 = nla_get_u8(a);
			break;
		}
	}
	e->got = true;
	return 0;
}

static const char *const endpoint_attr_names[] = {
	[KCOAP_A_ENDPOINT_PORT] = "port",
	[KCOAP_A_ENDPOINT_OPEN] = "open",
	[KCOAP_A_ENDPOINT_IPV6] = "ipv6",
};

static const struct attr_names endpoint_names = {
	endpoint_attr_names,
	sizeof(endpoint_attr_names) / sizeof(endpoint_attr_names[0]),
	NULL, 0,
};

enum { OPT_PORT = 1 };

static const struct opt show_opts[] = { OPT_COMMON, OPT_TABLE_END };
static const struct opt add_opts[] = {
	OPT_COMMON, { "port", 'p', true, OPT_PORT }, OPT_TABLE_END
};
static const struct opt del_opts[] = { OPT_COMMON, OPT_TABLE_END };

static int run_show(struct ctl *ctl, const struct command *cmd, int argc,
		    char **argv)
{
	struct endpoint_info e = { 0 };
	bool json = ctl->json;
	struct optparse p;
	struct nl_msg *msg;
	struct json j;
	int key, rc, err;

	opt_init(&p, ctl, cmd, argc, argv);
	while ((key = opt_next(&p, show_opts)) != OPT_DONE) {
		switch (key) {
		case OPT_ERROR:
			return CTL_USAGE;
		case OPT_HELP:
			return ctl_help(cmd);
		case OPT_JSON:
			json = true;
			break;
		default:
			return ctl_usage(ctl, cmd, "unexpected argument '%s'", p.arg);
		}
	}
	rc = ctl_connect(ctl);
	if (rc != CTL_OK)
		return rc;
	msg = kcoap_nl_msg(&ctl->nl, KCOAP_CMD_ENDPOINT_GET, 0, 0);
	if (!msg)
		return ctl_fail(ctl, -ENOMEM, NULL, "endpoint");
	err = kcoap_nl_request(&ctl->nl, msg, parse_endpoint, &e);
	if (!err && !e.got)
		err = -EBADMSG;
	if (err)
		return ctl_fail(ctl, err, &endpoint_names, "endpoint");
	if (json) {
		json_init(&j, stdout);
		json_object_begin(&j);
		json_kv_bool(&j, "open", e.open);
		json_kv_uint(&j, "port", e.port);
		json_kv_bool(&j, "ipv6", e.ipv6);
		json_object_end(&j);
		json_end(&j);
	} else if (e.open) {
		printf("open on UDP port %u (IPv4%s)\n", e.port,
		       e.ipv6 ? " and IPv6" : " only");
	} else {
		printf("none (endpoint add opens one, on UDP port %u)\n", e.port);
	}
	return CTL_OK;
}

static int run_add(struct ctl *ctl, const struct command *cmd, int argc,
		   char **argv)
{
	uint32_t port = 0;
	struct optparse p;
	struct nl_msg *msg;
	int key, rc, err;

	opt_init(&p, ctl, cmd, argc, argv);
	while ((key = opt_next(&p, add_opts)) != OPT_DONE) {
		switch (key) {
		case OPT_ERROR:
			return CTL_USAGE;
		case OPT_HELP:
			return ctl_help(cmd);
		case OPT_JSON:
			break;
		case OPT_PORT:
			if (parse_u32(p.arg, 1, 65535, &port))
				return ctl_usage(ctl, cmd, "%s: '%s' is not a UDP port "
						 "(1-65535)", p.name, p.arg);
			break;
		default:
			return ctl_usage(ctl, cmd, "unexpected argument '%s'", p.arg);
		}
	}
	rc = ctl_connect(ctl);
	if (rc != CTL_OK)
		return rc;
	msg = kcoap_nl_msg(&ctl->nl, KCOAP_CMD_ENDPOINT_ADD, 0, 0);
	if (!msg || (port && nla_put_u16(msg, KCOAP_A_ENDPOINT_PORT, port))) {
		if (msg)
			nlmsg_free(msg);
		return ctl_fail(ctl, -ENOMEM, NULL, "endpoint add");
	}
	err = kcoap_nl_request(&ctl->nl, msg, NULL, NULL);
	if (err && port)
		return ctl_fail(ctl, err, &endpoint_names, "endpoint add: port %u",
				(unsigned int)port);
	if (err)
		return ctl_fail(ctl, err, &endpoint_names, "endpoint add");
	return CTL_OK;
}

static int run_del(struct ctl *ctl, const struct command *cmd, int argc,
		   char **argv)
{
	struct optparse p;
	struct nl_msg *msg;
	int key, rc, err;

	opt_init(&p, ctl, cmd, argc, argv);
	while ((key = opt_next(&p, del_opts)) != OPT_DONE) {
		switch (key) {
		case OPT_ERROR:
			return CTL_USAGE;
		case OPT_HELP:
			return ctl_help(cmd);
		case OPT_JSON:
			break;
		default:
			return ctl_usage(ctl, cmd, "unexpected argument '%s'", p.arg);
		}
	}
	rc = ctl_connect(ctl);
	if (rc != CTL_OK)
		return rc;
	msg = kcoap_nl_msg(&ctl->nl, KCOAP_CMD_ENDPOINT_DEL, 0, 0);
	if (!msg)
		return ctl_fail(ctl, -ENOMEM, NULL, "endpoint del");
	err = kcoap_nl_request(&ctl->nl, msg, NULL, NULL);
	if (err)
		return ctl_fail(ctl, err, &endpoint_names, "endpoint del");
	return CTL_OK;
}

const struct command cmd_endpoint_show = {
	"endpoint show", run_show, "[--json]",
	"Show whether this network namespace has its CoAP endpoint (the UDP\n"
	"sockets), and on which port. Loading the module opens one in the\n"
	"initial namespace only; other namespaces get one with 'endpoint add'.\n\n"
	"Options:\n"
	"  -j, --json            one JSON object: open, port, ipv6\n"
	"  -h, --help            this help\n",
};

const struct command cmd_endpoint_add = {
	"endpoint add", run_add, "[--port N]",
	"Open this network namespace's CoAP endpoint: UDP sockets for IPv4 and\n"
	"IPv6 on port N (default: the config's port, 5683), which becomes the\n"
	"config's port. Fails if the namespace has one already, or if the\n"
	"port is in use there. Needs CAP_NET_ADMIN.\n\n"
	"Options:\n"
	"  -p, --port N          UDP port, 1-65535\n"
	"  -h, --help            this help\n",
};

const struct command cmd_endpoint_del = {
	"endpoint del", run_del, "",
	"Close this network namespace's CoAP endpoint. Resources, counters and\n"
	"configuration stay; observations end (observers get a final 4.04).\n"
	"Needs CAP_NET_ADMIN.\n\n"
	"Options:\n"
	"  -h, --help            this help\n",
};
