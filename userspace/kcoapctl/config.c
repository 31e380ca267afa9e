// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * kcoapctl config [show] | config set KEY VALUE...
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include <linux/kcoap.h>

#include "args.h"
#include "config.h"
#include "ctl.h"
#include "json.h"

/* Ranges from the checks in uapi/kcoap.yaml; the kernel checks them too. */
const struct config_key config_keys[] = {
	{ "port", KCOAP_A_CONFIG_PORT, CK_NUMBER, 2, 1, 65535, "" },
	{ "dedupe-lifetime", KCOAP_A_CONFIG_DEDUP_CON_LIFETIME, CK_NUMBER, 4,
	  1, 86400, " seconds" },
	{ "dedupe-non-lifetime", KCOAP_A_CONFIG_DEDUP_NON_LIFETIME, CK_NUMBER, 4,
	  1, 86400, " seconds" },
	{ "dedupe-max-entries", KCOAP_A_CONFIG_DEDUP_MAX_ENTRIES, CK_NUMBER, 4,
	  16, 16777216, "" },
	{ "max-resources", KCOAP_A_CONFIG_RESOURCE_MAX_COUNT, CK_NUMBER, 4,
	  1, 1048576, "" },
	{ "max-resource-size", KCOAP_A_CONFIG_RESOURCE_MAX_SIZE, CK_NUMBER, 4,
	  1, 16777216, " bytes" },
	{ "max-observers-per-resource", KCOAP_A_CONFIG_OBSERVER_MAX_PER_RESOURCE,
	  CK_NUMBER, 4, 0, 1048576, "" },
	{ "max-observers", KCOAP_A_CONFIG_OBSERVER_MAX_TOTAL, CK_NUMBER, 4,
	  0, 16777216, "" },
	{ "multicast", KCOAP_A_CONFIG_MULTICAST, CK_ON_OFF, 1, 0, 1, "" },
	{ "block-size", KCOAP_A_CONFIG_BLOCK_SZX, CK_BLOCK_SIZE, 1, 0, 6, "" },
	{ "unavailable-max-age", KCOAP_A_CONFIG_UNAVAILABLE_MAX_AGE, CK_NUMBER, 4,
	  0, UINT32_MAX, " seconds" },
	{ "ack-timeout", KCOAP_A_CONFIG_ACK_TIMEOUT, CK_NUMBER, 4,
	  100, 60000, " ms" },
	{ "max-retransmit", KCOAP_A_CONFIG_MAX_RETRANSMIT, CK_NUMBER, 1,
	  0, 10, "" },
	{ "observe-con-every", KCOAP_A_CONFIG_OBSERVE_CON_EVERY, CK_NUMBER, 4,
	  0, UINT32_MAX, "" },
	{ "piggyback-window", KCOAP_A_CONFIG_PIGGYBACK_WINDOW, CK_NUMBER, 4,
	  0, 10000, " ms" },
	{ "daemon-timeout", KCOAP_A_CONFIG_DAEMON_TIMEOUT, CK_NUMBER, 4,
	  100, 600000, " ms" },
	{ "amp-factor", KCOAP_A_CONFIG_AMP_FACTOR, CK_NUMBER, 1, 0, 100, "" },
	{ "verify-max", KCOAP_A_CONFIG_VERIFY_MAX, CK_NUMBER, 4,
	  0, 16777216, "" },
	{ "verify-lifetime", KCOAP_A_CONFIG_VERIFY_LIFETIME, CK_NUMBER, 4,
	  1, 604800, " seconds" },
	{ "ratelimit-rate", KCOAP_A_CONFIG_RATELIMIT_RATE, CK_NUMBER, 4,
	  0, 10000000, "/s" },
	{ "ratelimit-burst", KCOAP_A_CONFIG_RATELIMIT_BURST, CK_NUMBER, 4,
	  1, 10000000, "" },
	{ "ratelimit-max", KCOAP_A_CONFIG_RATELIMIT_MAX, CK_NUMBER, 4,
	  16, 16777216, "" },
	{ "wellknown-max-size", KCOAP_A_CONFIG_WELLKNOWN_MAX_SIZE, CK_NUMBER, 4,
	  64, 16777216, " bytes" },
	{ "max-message-size", KCOAP_A_CONFIG_MAX_MESSAGE_SIZE, CK_NUMBER, 4,
	  64, 65507, " bytes" },
	{ "dedupe-max-bytes", KCOAP_A_CONFIG_DEDUP_MAX_BYTES, CK_NUMBER, 4,
	  65536, 1073741824, " bytes" },
	{ "dedupe-max-peer-bytes", KCOAP_A_CONFIG_DEDUP_MAX_PEER_BYTES, CK_NUMBER, 4,
	  1024, 1073741824, " bytes" },
	{ "max-observers-per-peer", KCOAP_A_CONFIG_OBSERVER_MAX_PER_PEER, CK_NUMBER, 4,
	  0, 1048576, "" },
	{ "dtls-port", KCOAP_A_CONFIG_DTLS_PORT, CK_NUMBER, 2, 0, 65535, "" },
	{ "dtls-max-sessions", KCOAP_A_CONFIG_DTLS_MAX_SESSIONS, CK_NUMBER, 4,
	  0, 1048576, "" },
	{ "dtls-max-handshakes", KCOAP_A_CONFIG_DTLS_MAX_HANDSHAKES, CK_NUMBER, 4,
	  0, 65536, "" },
	{ "dtls-handshake-timeout", KCOAP_A_CONFIG_DTLS_HANDSHAKE_TIMEOUT, CK_NUMBER, 4,
	  1, 3600, " seconds" },
	{ "dtls-idle-timeout", KCOAP_A_CONFIG_DTLS_IDLE_TIMEOUT, CK_NUMBER, 4,
	  1, 604800, " seconds" },
	{ "dtls-max-handshakes-per-peer", KCOAP_A_CONFIG_DTLS_MAX_HANDSHAKES_PER_PEER,
	  CK_NUMBER, 4, 0, 65536, "" },
};

const size_t n_config_keys = sizeof(config_keys) / sizeof(config_keys[0]);

/*
 * The names of uapi/kcoap.yaml, accepted too; the names above are the
 * ones kcoapctl, the kernel's messages and the docs use.
 */
static const struct {
	const char *alias, *key;
} config_aliases[] = {
	{ "dedup-con-lifetime", "dedupe-lifetime" },
	{ "dedup-lifetime", "dedupe-lifetime" },
	{ "dedup-non-lifetime", "dedupe-non-lifetime" },
	{ "dedup-max-entries", "dedupe-max-entries" },
	{ "resource-max-count", "max-resources" },
	{ "resource-max-size", "max-resource-size" },
	{ "observer-max-per-resource", "max-observers-per-resource" },
	{ "observer-max-total", "max-observers" },
	{ "dedup-max-bytes", "dedupe-max-bytes" },
	{ "dedup-max-peer-bytes", "dedupe-max-peer-bytes" },
	{ "observer-max-per-peer", "max-observers-per-peer" },
};

static const struct config_key *find_key(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(config_aliases) / sizeof(config_aliases[0]); i++)
		if (!strcmp(config_aliases[i].alias, key))
			key = config_aliases[i].key;
	for (i = 0; i < n_config_keys; i++)
		if (!strcmp(config_keys[i].key, key))
			return &config_keys[i];
	return NULL;
}

static const struct config_key *find_attr(int attr)
{
	size_t i;

	for (i = 0; i < n_config_keys; i++)
		if (config_keys[i].attr == attr)
			return &config_keys[i];
	return NULL;
}

static int parse_block_size(const char *value, uint32_t *szx)
{
	uint32_t size, s;

	if (parse_u32(value, 16, 1024, &size))
		return -EINVAL;
	for (s = 0; s <= 6; s++) {
		if (16u << s == size) {
			*szx = s;
			return 0;
		}
	}
	return -EINVAL;
}

int config_parse_setting(const char *key, const char *value,
			 struct config_setting *out, char *err, size_t errlen)
{
	const struct config_key *k = find_key(key);
	int r;

	if (!k) {
		snprintf(err, errlen, "unknown setting '%s'", key);
		return -EINVAL;
	}
	out->key = k;
	switch (k->kind) {
	case CK_ON_OFF:
		if (!strcmp(value, "on") || !strcmp(value, "1")) {
			out->value = 1;
		} else if (!strcmp(value, "off") || !strcmp(value, "0")) {
			out->value = 0;
		} else {
			snprintf(err, errlen, "%s: '%s' is not on or off", key, value);
			return -EINVAL;
		}
		return 0;
	case CK_BLOCK_SIZE:
		if (parse_block_size(value, &out->value)) {
			snprintf(err, errlen, "%s: '%s' is not a block size (16, 32, "
				 "64, 128, 256, 512 or 1024)", key, value);
			return -EINVAL;
		}
		return 0;
	case CK_NUMBER:
		r = parse_u32(value, k->min, k->max, &out->value);
		if (r == -ERANGE) {
			snprintf(err, errlen, "%s: %s is out of range (%u-%u%s)",
				 key, value, k->min, k->max, k->unit);
			return -EINVAL;
		}
		if (r) {
			snprintf(err, errlen, "%s: '%s' is not a number (%u-%u%s)",
				 key, value, k->min, k->max, k->unit);
			return -EINVAL;
		}
		return 0;
	}
	return -EINVAL;
}

void config_format_value(const struct config_key *k, uint32_t value,
			 char *buf, size_t size)
{
	switch (k->kind) {
	case CK_ON_OFF:
		snprintf(buf, size, "%s", value ? "on" : "off");
		break;
	case CK_BLOCK_SIZE:
		if (value <= 6)
			snprintf(buf, size, "%u", 16u << value);
		else
			snprintf(buf, size, "szx %u", value);
		break;
	default:
		snprintf(buf, size, "%u", value);
	}
}

/* Attribute names for extended acks: the keys users type. */
static const char *config_attr_list[KCOAP_A_CONFIG_MAX + 1];

static const struct attr_names *config_attr_names(void)
{
	static struct attr_names names;
	size_t i;

	for (i = 0; i < n_config_keys; i++)
		config_attr_list[config_keys[i].attr] = config_keys[i].key;
	names.top = config_attr_list;
	names.n_top = KCOAP_A_CONFIG_MAX + 1;
	return &names;
}

/* config show */

struct config_values {
	bool has[KCOAP_A_CONFIG_MAX + 1];
	uint32_t v[KCOAP_A_CONFIG_MAX + 1];
	bool got_reply;
};

static int parse_config(struct nlmsghdr *nlh, void *arg)
{
	struct genlmsghdr *g = nlmsg_data(nlh);
	struct config_values *cv = arg;
	const struct config_key *k;
	struct nlattr *a;
	int rem;

	nla_for_each_attr(a, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), rem) {
		k = find_attr(nla_type(a));
		if (!k)
			continue;	/* a newer kernel's setting */
		if (nla_len(a) < k->width)
			return -EBADMSG;
		cv->v[k->attr] = k->width == 1 ? nla_get_u8(a) :
				 k->width == 2 ? nla_get_u16(a) : nla_get_u32(a);
		cv->has[k->attr] = true;
	}
	cv->got_reply = true;
	return 0;
}

static void print_config(const struct config_values *cv, bool json)
{
	struct json j;
	char buf[32];
	size_t i;

	json_init(&j, stdout);
	if (json)
		json_object_begin(&j);
	for (i = 0; i < n_config_keys; i++) {
		const struct config_key *k = &config_keys[i];
		uint32_t v = cv->v[k->attr];

		if (!cv->has[k->attr])
			continue;
		if (!json) {
			config_format_value(k, v, buf, sizeof(buf));
			printf("%-28s %s\n", k->key, buf);
		} else if (k->kind == CK_ON_OFF) {
			json_kv_bool(&j, k->key, v);
		} else {
			json_kv_uint(&j, k->key,
				     k->kind == CK_BLOCK_SIZE && v <= 6 ? 16u << v : v);
		}
	}
	if (json) {
		json_object_end(&j);
		json_end(&j);
	}
}

static const struct opt config_opts[] = { OPT_COMMON, OPT_TABLE_END };

static int run_show(struct ctl *ctl, const struct command *cmd, int argc,
		    char **argv)
{
	struct config_values cv = { 0 };
	bool json = ctl->json;
	struct optparse p;
	struct nl_msg *msg;
	int key, rc, err;

	opt_init(&p, ctl, cmd, argc, argv);
	while ((key = opt_next(&p, config_opts)) != OPT_DONE) {
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
	msg = kcoap_nl_msg(&ctl->nl, KCOAP_CMD_CONFIG_GET, 0, 0);
	if (!msg)
		return ctl_fail(ctl, -ENOMEM, NULL, "config show");
	err = kcoap_nl_request(&ctl->nl, msg, parse_config, &cv);
	if (!err && !cv.got_reply)
		err = -EBADMSG;
	if (err)
		return ctl_fail(ctl, err, NULL, "config show");
	print_config(&cv, json);
	return CTL_OK;
}

const struct command cmd_config_show = {
	"config show", run_show, "[--json]",
	"Show the configuration of the endpoint in this network namespace,\n"
	"one \"KEY VALUE\" line per setting, as 'config set' takes them.\n\n"
	"Options:\n"
	"  -j, --json            one JSON object (multicast as true/false)\n"
	"  -h, --help            this help\n",
};

/* config set */

static int put_setting(struct nl_msg *msg, const struct config_setting *s)
{
	switch (s->key->width) {
	case 1:
		return nla_put_u8(msg, s->key->attr, (uint8_t)s->value);
	case 2:
		return nla_put_u16(msg, s->key->attr, (uint16_t)s->value);
	default:
		return nla_put_u32(msg, s->key->attr, s->value);
	}
}

static int run_set(struct ctl *ctl, const struct command *cmd, int argc,
		   char **argv)
{
	struct config_setting set[KCOAP_A_CONFIG_MAX + 1];
	const char *words[2 * (KCOAP_A_CONFIG_MAX + 1)];
	unsigned int n_words = 0, n = 0, i;
	struct optparse p;
	struct nl_msg *msg;
	char err_msg[160];
	int key, rc, err;

	opt_init(&p, ctl, cmd, argc, argv);
	while ((key = opt_next(&p, config_opts)) != OPT_DONE) {
		if (key == OPT_ERROR)
			return CTL_USAGE;
		if (key == OPT_HELP)
			return ctl_help(cmd);
		if (key != OPT_POSITIONAL)
			continue;
		if (n_words == sizeof(words) / sizeof(words[0]))
			return ctl_usage(ctl, cmd, "too many settings");
		words[n_words++] = p.arg;
	}
	if (!n_words)
		return ctl_usage(ctl, cmd, "missing KEY VALUE");
	if (n_words % 2)
		return ctl_usage(ctl, cmd, "%s: missing value", words[n_words - 1]);
	for (i = 0; i < n_words; i += 2, n++) {
		unsigned int k;

		if (config_parse_setting(words[i], words[i + 1], &set[n], err_msg,
					 sizeof(err_msg)))
			return ctl_usage(ctl, cmd, "%s", err_msg);
		for (k = 0; k < n; k++)
			if (set[k].key == set[n].key)
				return ctl_usage(ctl, cmd, "%s given twice", words[i]);
	}
	rc = ctl_connect(ctl);
	if (rc != CTL_OK)
		return rc;
	msg = kcoap_nl_msg(&ctl->nl, KCOAP_CMD_CONFIG_SET, 0, n * 8);
	if (!msg)
		return ctl_fail(ctl, -ENOMEM, NULL, "config set");
	for (i = 0; i < n; i++) {
		if (put_setting(msg, &set[i])) {
			nlmsg_free(msg);
			return ctl_fail(ctl, -EMSGSIZE, NULL, "config set");
		}
	}
	err = kcoap_nl_request(&ctl->nl, msg, NULL, NULL);
	if (err)
		return ctl_fail(ctl, err, config_attr_names(), "config set");
	ctl_warn_extack(ctl, "config set");
	return CTL_OK;
}

const struct command cmd_config_set = {
	"config set", run_set, "KEY VALUE [KEY VALUE...]",
	"Change settings of the endpoint in this network namespace, all at\n"
	"once; the others keep their values. Needs CAP_NET_ADMIN.\n\n"
	"Keys:\n"
	"  port                        UDP port, 1-65535\n"
	"  dedupe-lifetime             seconds a CON message is remembered for\n"
	"                              deduplication, 1-86400 (default 247)\n"
	"  dedupe-non-lifetime         the same for NON messages, 1-86400\n"
	"                              (default 145)\n"
	"  dedupe-max-entries          deduplication entries, 16-16777216\n"
	"  max-resources               resources, 1-1048576\n"
	"  max-resource-size           bytes of one value, 1-16777216\n"
	"  max-observers-per-resource  0-1048576\n"
	"  max-observers               0-16777216\n"
	"  multicast                   on|off: join the All-CoAP-Nodes groups\n"
	"  block-size                  16|32|64|128|256|512|1024: Block2 size\n"
	"  unavailable-max-age         Max-Age of 5.03 answers, seconds\n"
	"  ack-timeout                 ms before the first retransmission of a\n"
	"                              confirmable notification, 100-60000\n"
	"                              (default 2000, RFC 7252 ACK_TIMEOUT)\n"
	"  max-retransmit              retransmissions before an observer that\n"
	"                              never acknowledges is dropped, 0-10\n"
	"                              (default 4)\n"
	"  observe-con-every           send every Nth notification confirmable,\n"
	"                              0 = only when needed (RFC 7641 4.5:\n"
	"                              at least once a day)\n"
	"  piggyback-window            ms the kernel waits for the daemon before\n"
	"                              an empty ACK and a separate response,\n"
	"                              0-10000 (default 200)\n"
	"  daemon-timeout              ms before an unanswered request handed\n"
	"                              to the daemon gets 5.03, 100-600000\n"
	"                              (default 30000)\n"
	"  amp-factor                  bytes sent to an unverified address per\n"
	"                              byte received from it, 0-100 (default 3,\n"
	"                              0 = no limit; RFC 9175 2.4)\n"
	"  verify-max                  verified addresses remembered, 0-16777216\n"
	"                              (default 16384)\n"
	"  verify-lifetime             seconds one is remembered, 1-604800\n"
	"                              (default 600)\n"
	"  ratelimit-rate              datagrams/s from one source (IPv4 address,\n"
	"                              IPv6 /64), 0-10000000 (default 1000,\n"
	"                              0 = no limit)\n"
	"  ratelimit-burst             datagrams one source may send at once,\n"
	"                              1-10000000 (default 2000)\n"
	"  ratelimit-max               sources tracked, 16-16777216 (default 8192)\n"
	"  wellknown-max-size          bytes of /.well-known/core kept rendered;\n"
	"                              links past it are left out, 64-16777216\n"
	"                              (default 65536)\n"
	"  dtls-port                   UDP port of the coaps (DTLS) endpoint,\n"
	"                              0-65535 (default 5684, 0 = none)\n"
	"  dtls-max-sessions           DTLS sessions, 0-1048576 (default 4096)\n"
	"  dtls-max-handshakes         DTLS handshakes in flight, 0-65536\n"
	"                              (default 256)\n"
	"  dtls-handshake-timeout      seconds a handshake may take, 1-3600\n"
	"                              (default 60)\n"
	"  dtls-idle-timeout           seconds a session lives without a record\n"
	"                              from its peer, 1-604800 (default 3600)\n"
	"  dtls-max-handshakes-per-peer\n"
	"                              DTLS handshakes in flight from one peer\n"
	"                              (IPv4 address, IPv6 /64), 0-65536\n"
	"                              (default 64)\n\n"
	"Options:\n"
	"  -h, --help                  this help\n",
};
