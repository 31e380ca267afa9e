// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * kcoapctl monitor: print the notifications of the "events" group as they
 * arrive, one line each, until interrupted.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <netlink/genl/genl.h>

#include <linux/kcoap.h>

#include "args.h"
#include "ctl.h"
#include "dump.h"
#include "json.h"
#include "kcoap_resource.h"
#include "names.h"
#include "output.h"

struct monitor {
	bool json;
};

static const char *event_label(bool has, uint32_t event, char *buf,
			       size_t size)
{
	const char *name = has ? event_name(event) : "?";

	if (name)
		return name;
	snprintf(buf, size, "event-%u", event);
	return buf;
}

static int print_resource_event(const struct monitor *m,
				const struct nlmsghdr *nlh)
{
	struct kcoap_resource res;
	char buf[16], e[1024];
	const char *ev;
	struct json j;

	if (kcoap_resource_parse(nlh, &res))
		return -EBADMSG;
	ev = event_label(res.has & KCOAP_RES_EVENT, res.event, buf, sizeof(buf));
	if (m->json) {
		json_init(&j, stdout);
		json_object_begin(&j);
		json_kv_string(&j, "type", "resource");
		json_kv_string(&j, "event", ev);
		json_kv_string(&j, "path", res.path);
		json_object_end(&j);
		json_end(&j);
	} else {
		printf("resource %s %s\n", ev, esc(res.path, e, sizeof(e)));
	}
	kcoap_resource_free(&res);
	return 0;
}

static int print_observer_event(const struct monitor *m,
				const struct nlmsghdr *nlh)
{
	char addr[64], token[17], buf[16], e[1024];
	struct observer o;
	const char *ev;
	struct json j;

	if (observer_parse(nlh, &o))
		return -EBADMSG;
	ev = event_label(o.has_event, o.event, buf, sizeof(buf));
	addr_format(o.addr, o.addr_len, addr, sizeof(addr));
	hex_format(token, o.token, o.token_len);
	if (m->json) {
		json_init(&j, stdout);
		json_object_begin(&j);
		json_kv_string(&j, "type", "observer");
		json_kv_string(&j, "event", ev);
		json_kv_string(&j, "path", o.path);
		json_kv_string(&j, "addr", addr);
		json_kv_uint(&j, "port", o.port);
		json_kv_string(&j, "token", token);
		json_object_end(&j);
		json_end(&j);
	} else {
		printf("observer %s %s %s port %u token %s\n", ev, esc(o.path, e, sizeof(e)), addr,
		       o.port, token[0] ? token : "-");
	}
	return 0;
}

static int print_daemon_event(const struct monitor *m,
			      const struct nlmsghdr *nlh)
{
	struct genlmsghdr *g = nlmsg_data(nlh);
	uint32_t pid = 0, event = 0;
	bool has_event = false;
	struct nlattr *a;
	char buf[16];
	const char *ev;
	struct json j;
	int rem;

	nla_for_each_attr(a, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), rem) {
		if (nla_len(a) < 4)
			continue;
		if (nla_type(a) == KCOAP_A_DAEMON_PID)
			pid = nla_get_u32(a);
		else if (nla_type(a) == KCOAP_A_DAEMON_EVENT) {
			event = nla_get_u32(a);
			has_event = true;
		}
	}
	ev = event_label(has_event, event, buf, sizeof(buf));
	if (m->json) {
		json_init(&j, stdout);
		json_object_begin(&j);
		json_kv_string(&j, "type", "daemon");
		json_kv_string(&j, "event", ev);
		json_kv_uint(&j, "pid", pid);
		json_object_end(&j);
		json_end(&j);
	} else {
		printf("daemon %s pid %u\n", ev, pid);
	}
	return 0;
}

static int print_event(struct nlmsghdr *nlh, void *arg)
{
	const struct monitor *m = arg;
	uint8_t cmd = kcoap_nl_cmd(nlh);
	int err = 0;

	if (cmd == KCOAP_CMD_RESOURCE_NTF)
		err = print_resource_event(m, nlh);
	else if (cmd == KCOAP_CMD_OBSERVER_NTF)
		err = print_observer_event(m, nlh);
	else if (cmd == KCOAP_CMD_DAEMON_NTF)
		err = print_daemon_event(m, nlh);
	else if (m->json)
		printf("{\"type\":\"unknown\",\"cmd\":%u}\n", cmd);
	else
		printf("event cmd %u\n", cmd);
	/* One line per event, visible at once even through a pipe or file. */
	fflush(stdout);
	return err;
}

/* Interrupted: the output is flushed line by line, so just leave. */
static void on_signal(int sig)
{
	(void)sig;
	_exit(CTL_OK);
}

static const struct opt monitor_opts[] = { OPT_COMMON, OPT_TABLE_END };

static int run_monitor(struct ctl *ctl, const struct command *cmd, int argc,
		       char **argv)
{
	struct monitor m = { .json = ctl->json };
	struct kcoap_nl nl;
	struct optparse p;
	int key, rc, err;

	opt_init(&p, ctl, cmd, argc, argv);
	while ((key = opt_next(&p, monitor_opts)) != OPT_DONE) {
		if (key == OPT_ERROR)
			return CTL_USAGE;
		if (key == OPT_HELP)
			return ctl_help(cmd);
		if (key == OPT_JSON)
			m.json = true;
		else
			return ctl_usage(ctl, cmd, "unexpected argument '%s'", p.arg);
	}
	/* A socket of its own: notifications and replies do not mix. */
	rc = ctl_open(ctl, &nl, "monitor");
	if (rc != CTL_OK)
		return rc;
	err = kcoap_nl_join_events(&nl);
	if (err) {
		kcoap_nl_close(&nl);
		return ctl_fail(ctl, err, NULL, "monitor: joining the \"%s\" group",
				KCOAP_MCGRP_EVENTS);
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	for (;;) {
		err = kcoap_nl_recv_event(&nl, print_event, &m);
		if (err == -ENOBUFS || err == -ENOMEM) {
			fputs("kcoapctl: monitor: events lost (receive buffer full)\n",
			      stderr);
		} else if (err == -EBADMSG) {
			fputs("kcoapctl: monitor: malformed notification skipped\n",
			      stderr);
		} else if (err) {
			kcoap_nl_close(&nl);
			return ctl_fail(ctl, err, NULL, "monitor");
		}
	}
}

const struct command cmd_monitor = {
	"monitor", run_monitor, "[--json]",
	"Print kcoap's notifications as they arrive, one line each, until\n"
	"interrupted (exit status 0 on SIGINT or SIGTERM):\n\n"
	"  resource added|changed|deleted PATH\n"
	"  observer attached|detached PATH ADDRESS port PORT token HEX\n\n"
	"Output is flushed after every line. Events name observers' addresses\n"
	"and tokens: joining the group needs CAP_NET_ADMIN.\n\n"
	"Options:\n"
	"  -j, --json            one JSON object per line, with \"type\"\n"
	"                        (resource, observer), \"event\" and \"path\"\n"
	"  -h, --help            this help\n",
};
