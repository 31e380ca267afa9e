// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * kcoapctl daemon [--json] | daemon detach.
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

#define MAX_PREFIXES 64

struct daemon_info {
	uint32_t pid, req, rsp, slot, in_flight;
	char prefix[MAX_PREFIXES][KCOAP_PATH_MAX + 1];
	unsigned int n_prefix;
	bool got;
};

static int parse_daemon(struct nlmsghdr *nlh, void *arg)
{
	struct genlmsghdr *g = nlmsg_data(nlh);
	struct daemon_info *d = arg;
	struct nlattr *a;
	int rem;

	nla_for_each_attr(a, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), rem) {
		uint32_t *u = NULL;

		switch (nla_type(a)) {
		case KCOAP_A_DAEMON_PID:
			u = &d->pid;
			break;
		case KCOAP_A_DAEMON_REQ_ENTRIES:
			u = &d->req;
			break;
		case KCOAP_A_DAEMON_RSP_ENTRIES:
			u = &d->rsp;
			break;
		case KCOAP_A_DAEMON_SLOT_SIZE:
			u = &d->slot;
			break;
		case KCOAP_A_DAEMON_IN_FLIGHT:
			u = &d->in_flight;
			break;
		case KCOAP_A_DAEMON_PREFIX:
			if (d->n_prefix < MAX_PREFIXES)
				snprintf(d->prefix[d->n_prefix++], sizeof(d->prefix[0]),
					 "%.*s", nla_len(a), (const char *)nla_data(a));
			break;
		}
		if (u) {
			if (nla_len(a) < 4)
				return -EBADMSG;
			*u = nla_get_u32(a);
		}
	}
	d->got = true;
	return 0;
}

static const struct opt daemon_opts[] = { OPT_COMMON, OPT_TABLE_END };

static int daemon_show(struct ctl *ctl, bool json)
{
	struct nl_msg *msg = kcoap_nl_msg(&ctl->nl, KCOAP_CMD_DAEMON_GET, 0, 0);
	struct daemon_info *d = calloc(1, sizeof(*d));
	unsigned int i;
	struct json j;
	int err;

	if (!msg || !d) {
		if (msg)
			nlmsg_free(msg);
		free(d);
		return ctl_fail(ctl, -ENOMEM, NULL, "daemon");
	}
	err = kcoap_nl_request(&ctl->nl, msg, parse_daemon, d);
	if (!err && !d->got)
		err = -EBADMSG;
	if (err) {
		free(d);
		return ctl_fail(ctl, err, NULL, "daemon");
	}
	if (json) {
		json_init(&j, stdout);
		json_object_begin(&j);
		json_kv_uint(&j, "pid", d->pid);
		json_kv_uint(&j, "request-entries", d->req);
		json_kv_uint(&j, "response-entries", d->rsp);
		json_kv_uint(&j, "slot-size", d->slot);
		json_kv_uint(&j, "in-flight", d->in_flight);
		json_key(&j, "prefixes");
		json_array_begin(&j);
		for (i = 0; i < d->n_prefix; i++)
			json_string(&j, d->prefix[i]);
		json_array_end(&j);
		json_object_end(&j);
		json_end(&j);
	} else {
		printf("pid               %u\n", d->pid);
		printf("request-entries   %u\n", d->req);
		printf("response-entries  %u\n", d->rsp);
		printf("slot-size         %u\n", d->slot);
		printf("in-flight         %u\n", d->in_flight);
		for (i = 0; i < d->n_prefix; i++)
			printf("prefix            %s\n", d->prefix[i]);
	}
	free(d);
	return CTL_OK;
}

static int run_daemon(struct ctl *ctl, const struct command *cmd, int argc,
		      char **argv)
{
	bool json = ctl->json, detach = false;
	struct optparse p;
	struct nl_msg *msg;
	int key, rc, err;

	opt_init(&p, ctl, cmd, argc, argv);
	while ((key = opt_next(&p, daemon_opts)) != OPT_DONE) {
		switch (key) {
		case OPT_ERROR:
			return CTL_USAGE;
		case OPT_HELP:
			return ctl_help(cmd);
		case OPT_JSON:
			json = true;
			break;
		default:
			if (!strcmp(p.arg, "detach") && !detach) {
				detach = true;
				break;
			}
			if (!strcmp(p.arg, "show"))
				break;
			return ctl_usage(ctl, cmd, "unexpected argument '%s'", p.arg);
		}
	}
	rc = ctl_connect(ctl);
	if (rc != CTL_OK)
		return rc;
	if (!detach)
		return daemon_show(ctl, json);
	msg = kcoap_nl_msg(&ctl->nl, KCOAP_CMD_DAEMON_DETACH, 0, 0);
	if (!msg)
		return ctl_fail(ctl, -ENOMEM, NULL, "daemon detach");
	err = kcoap_nl_request(&ctl->nl, msg, NULL, NULL);
	if (err)
		return ctl_fail(ctl, err, NULL, "daemon detach");
	return CTL_OK;
}

const struct command cmd_daemon = {
	"daemon", run_daemon, "[show] [--json] | detach",
	"Show the daemon attached to this network namespace (kcoapd(8)): its\n"
	"PID, ring sizes, requests handed up and not answered yet, and the\n"
	"paths it serves. Exit status 1 with \"no daemon is attached\" if none.\n"
	"\"detach\" detaches it (needs CAP_NET_ADMIN): what it has not answered\n"
	"gets 5.03, and so do its paths until a daemon attaches again.\n\n"
	"Options:\n"
	"  -j, --json            one JSON object\n"
	"  -h, --help            this help\n",
};
