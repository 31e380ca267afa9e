// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * kcoapctl daemon [--json] | daemon detach.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include <linux/kcoap.h>

#include "args.h"
#include "ctl.h"
#include "json.h"
#include "output.h"

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

/*
 * kcoapd's own state: the "KEY VALUE..." lines it rewrites every second in
 * $KCOAP_STATUS_DIR (default /run/kcoap)/kcoapd.PID.status (kcoapd(8)).
 */
static FILE *status_open(uint32_t pid, char *path, size_t size)
{
	const char *dir = getenv("KCOAP_STATUS_DIR");

	snprintf(path, size, "%s/kcoapd.%u.status", dir && *dir ? dir : "/run/kcoap", pid);
	return fopen(path, "r");
}

/* Split @line at blanks into at most @max words; the last takes the rest. */
static int words(char *line, char **w, int max)
{
	int n = 0;

	line[strcspn(line, "\n")] = 0;
	while (*line && n < max) {
		w[n++] = line;
		if (n == max)
			break;
		line += strcspn(line, " ");
		if (*line)
			*line++ = 0;
	}
	return n;
}

static bool all_digits(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

static void json_num_or_string(struct json *j, const char *s)
{
	if (all_digits(s) && strlen(s) < 20)
		json_uint(j, strtoull(s, NULL, 10));
	else
		json_string(j, s);
}

/* Lists: the kind of line, the JSON member, the names of its fields. */
static const struct {
	const char *kind, *member, *fields[4];
} status_lists[] = {
	{ "subscription", "subscription-list", { "filter", "waiting" } },
	{ "device", "device-list", { "name", "address", "port", "expires-in" } },
	{ "command", "command-list", { "topic", "transmissions", "age-ms" } },
};

static void status_json(struct json *j, FILE *f)
{
	char *line = NULL, *w[6];
	size_t cap = 0, k;
	int n, i, open_list = -1;

	json_object_begin(j);
	while (getline(&line, &cap, f) >= 0) {
		/* An error message is the rest of its line. */
		n = words(line, w, strncmp(line, "broker-error ", 13) ? 6 : 3);
		if (n < 2)
			continue;
		for (k = 0; k < sizeof(status_lists) / sizeof(status_lists[0]); k++)
			if (!strcmp(w[0], status_lists[k].kind))
				break;
		if (open_list >= 0 && (size_t)open_list != k) {
			json_array_end(j);
			open_list = -1;
		}
		if (k < sizeof(status_lists) / sizeof(status_lists[0])) {
			if (open_list < 0) {
				json_key(j, status_lists[k].member);
				json_array_begin(j);
				open_list = (int)k;
			}
			json_object_begin(j);
			for (i = 1; i < n && i <= 4 && status_lists[k].fields[i - 1]; i++) {
				json_key(j, status_lists[k].fields[i - 1]);
				json_num_or_string(j, w[i]);
			}
			json_object_end(j);
		} else if (!strcmp(w[0], "broker")) {
			json_key(j, "broker");
			json_object_begin(j);
			json_kv_string(j, "address", w[1]);
			if (n > 2)
				json_kv_string(j, "state", w[2]);
			json_object_end(j);
		} else if (!strcmp(w[0], "broker-error") && n == 3) {
			json_key(j, "broker-error");
			json_object_begin(j);
			json_kv_uint(j, "at", strtoull(w[1], NULL, 10));
			json_kv_string(j, "message", w[2]);
			json_object_end(j);
		} else {
			/* "KEY N [MAX]" */
			json_key(j, w[0]);
			json_num_or_string(j, w[1]);
			if (n > 2) {
				char key[64];

				snprintf(key, sizeof(key), "%s-max", w[0]);
				json_key(j, key);
				json_num_or_string(j, w[2]);
			}
		}
	}
	if (open_list >= 0)
		json_array_end(j);
	json_object_end(j);
	free(line);
}

static void status_text(FILE *f)
{
	char *line = NULL, *w[2], e[1024];
	size_t cap = 0;

	while (getline(&line, &cap, f) >= 0)
		if (words(line, w, 2) == 2)
			printf("%-17s %s\n", w[0], esc(w[1], e, sizeof(e)));
	free(line);
}

static const struct opt daemon_opts[] = { OPT_COMMON, OPT_TABLE_END };

static int daemon_show(struct ctl *ctl, bool json)
{
	struct nl_msg *msg = kcoap_nl_msg(&ctl->nl, KCOAP_CMD_DAEMON_GET, 0, 0);
	struct daemon_info *d = calloc(1, sizeof(*d));
	char spath[4096];
	unsigned int i;
	FILE *sf;
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
	sf = status_open(d->pid, spath, sizeof(spath));
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
		json_key(&j, "kcoapd");
		if (sf)
			status_json(&j, sf);
		else
			json_null(&j);
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
		if (sf)
			status_text(sf);
		else
			printf("kcoapd            no status (%s: %s)\n", spath, strerror(errno));
	}
	if (sf)
		fclose(sf);
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
	"gets 5.03, and so do its paths until a daemon attaches again.\n"
	"Then kcoapd's own state, from the file it rewrites every second\n"
	"($KCOAP_STATUS_DIR, default /run/kcoap, kcoapd.PID.status): the\n"
	"broker connection and its last error, the store, subscriptions,\n"
	"registered devices, commands in flight and queue depths.\n\n"
	"Options:\n"
	"  -j, --json            one JSON object\n"
	"  -h, --help            this help\n",
};
