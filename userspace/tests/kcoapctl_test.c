// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Host unit tests of kcoapctl and libkcoap, for what needs no kernel:
 * Content-Format names, config keys and values, JSON escaping, the
 * splitting of values into "data" attributes and parsing them back, the
 * pairing of --ct and --value, batch line splitting. TAP on stdout;
 * error messages of the cases that expect them go to stderr.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include <linux/kcoap.h>

#include "args.h"
#include "config.h"
#include "ctl.h"
#include "dump.h"
#include "json.h"
#include "kcoap_nl.h"
#include "kcoap_resource.h"
#include "names.h"
#include "output.h"
#include "resource.h"
#include "tap.h"

/* Content-Format names */

static void test_cf_parse(void)
{
	static const struct { const char *s; int want; } cases[] = {
		{ "text/plain", 0 },
		{ "TEXT/Plain", 0 },
		{ "text/plain;charset=utf-8", 0 },
		{ "text/plain; charset=utf-8", 0 },
		{ "application/cbor", 60 },
		{ "application/json", 50 },
		{ "application/link-format", 40 },
		{ "application/senml+cbor", 112 },
		{ " application/octet-stream ", 42 },
		{ "0", 0 },
		{ "60", 60 },
		{ "65535", 65535 },
		{ "65536", -1 },
		{ "-1", -1 },
		{ "12a", -1 },
		{ "", -1 },
		{ "json", -1 },
		{ "application/cbor-foo", -1 },
		{ "text/plain;charset=latin1", -1 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint16_t cf = 9999;
		int r = cf_parse(cases[i].s, &cf);

		if (cases[i].want < 0)
			ok(r == -EINVAL, "cf_parse refuses '%s'", cases[i].s);
		else
			ok(r == 0 && cf == cases[i].want, "cf_parse('%s') = %d",
			   cases[i].s, cases[i].want);
	}
}

static void test_cf_label(void)
{
	char buf[8];

	ok(!strcmp(cf_label(0, buf, sizeof(buf)), "text/plain"),
	   "cf_label(0) is text/plain");
	ok(!strcmp(cf_label(60, buf, sizeof(buf)), "application/cbor"),
	   "cf_label(60) is application/cbor");
	ok(!strcmp(cf_label(65000, buf, sizeof(buf)), "65000"),
	   "cf_label of an unregistered number is the number");
	ok(!strcmp(cf_name(0), "text/plain;charset=utf-8"),
	   "cf_name(0) is the registry's name");
}

/* Config keys and values */

static void config_ok(const char *key, const char *value, int attr,
		      uint32_t want)
{
	struct config_setting s = { 0 };
	char err[160] = "";
	int r = config_parse_setting(key, value, &s, err, sizeof(err));

	if (!ok(r == 0 && s.key && s.key->attr == attr && s.value == want,
		"config %s %s -> attribute %d value %u", key, value, attr, want))
		diag("got %d, %s", r, err);
}

/* A refused setting; the message must name the key, and the value if bad. */
static void config_bad(const char *key, const char *value, bool key_known)
{
	struct config_setting s = { 0 };
	char err[160] = "";
	int r = config_parse_setting(key, value, &s, err, sizeof(err));

	if (!ok(r == -EINVAL && strstr(err, key) &&
		(!key_known || strstr(err, value)),
		"config %s '%s' is refused naming %s", key, value,
		key_known ? "both" : "the key"))
		diag("got %d, '%s'", r, err);
}

static void test_config(void)
{
	config_ok("port", "5683", KCOAP_A_CONFIG_PORT, 5683);
	config_ok("port", "65535", KCOAP_A_CONFIG_PORT, 65535);
	config_ok("dedupe-lifetime", "247", KCOAP_A_CONFIG_DEDUP_CON_LIFETIME, 247);
	config_ok("dedupe-lifetime", "86400", KCOAP_A_CONFIG_DEDUP_CON_LIFETIME, 86400);
	config_ok("dedupe-non-lifetime", "145", KCOAP_A_CONFIG_DEDUP_NON_LIFETIME, 145);
	config_ok("dedupe-max-entries", "16", KCOAP_A_CONFIG_DEDUP_MAX_ENTRIES, 16);
	config_ok("max-resources", "1048576", KCOAP_A_CONFIG_RESOURCE_MAX_COUNT,
		  1048576);
	config_ok("max-resource-size", "1", KCOAP_A_CONFIG_RESOURCE_MAX_SIZE, 1);
	config_ok("max-observers-per-resource", "0",
		  KCOAP_A_CONFIG_OBSERVER_MAX_PER_RESOURCE, 0);
	config_ok("max-observers", "16777216", KCOAP_A_CONFIG_OBSERVER_MAX_TOTAL,
		  16777216);
	config_ok("multicast", "on", KCOAP_A_CONFIG_MULTICAST, 1);
	config_ok("multicast", "off", KCOAP_A_CONFIG_MULTICAST, 0);
	config_ok("block-size", "16", KCOAP_A_CONFIG_BLOCK_SZX, 0);
	config_ok("block-size", "256", KCOAP_A_CONFIG_BLOCK_SZX, 4);
	config_ok("block-size", "1024", KCOAP_A_CONFIG_BLOCK_SZX, 6);
	config_ok("unavailable-max-age", "4294967295",
		  KCOAP_A_CONFIG_UNAVAILABLE_MAX_AGE, 4294967295u);
	/* uapi/kcoap.yaml's names, which the kernel's messages once used. */
	config_ok("resource-max-size", "4096", KCOAP_A_CONFIG_RESOURCE_MAX_SIZE, 4096);
	config_ok("resource-max-count", "10", KCOAP_A_CONFIG_RESOURCE_MAX_COUNT, 10);
	config_ok("dedup-con-lifetime", "247", KCOAP_A_CONFIG_DEDUP_CON_LIFETIME, 247);
	config_ok("dedup-max-entries", "16", KCOAP_A_CONFIG_DEDUP_MAX_ENTRIES, 16);
	config_ok("max-message-size", "1152", KCOAP_A_CONFIG_MAX_MESSAGE_SIZE, 1152);
	config_ok("dedupe-max-bytes", "65536", KCOAP_A_CONFIG_DEDUP_MAX_BYTES, 65536);
	config_ok("dedupe-max-peer-bytes", "1073741824",
		  KCOAP_A_CONFIG_DEDUP_MAX_PEER_BYTES, 1073741824);
	config_ok("max-observers-per-peer", "0", KCOAP_A_CONFIG_OBSERVER_MAX_PER_PEER, 0);

	config_bad("dedupe-lifetime", "0", true);
	config_bad("dedupe-lifetime", "86401", true);
	config_bad("dedupe-lifetime", "abc", true);
	config_bad("dedupe-lifetime", "", true);
	config_bad("dedupe-lifetime", " 5", true);
	config_bad("dedupe-lifetime", "+5", true);
	config_bad("dedupe-lifetime", "5s", true);
	config_bad("port", "0", true);
	config_bad("port", "65536", true);
	config_bad("dedupe-max-entries", "15", true);
	config_bad("max-message-size", "63", true);
	config_bad("max-message-size", "65508", true);
	config_bad("dedupe-max-bytes", "65535", true);
	config_bad("dedupe-max-peer-bytes", "1023", true);
	config_bad("max-observers-per-peer", "1048577", true);
	config_bad("max-resource-size", "16777217", true);
	config_bad("multicast", "yes", true);
	config_bad("block-size", "100", true);
	config_bad("block-size", "2048", true);
	config_bad("block-size", "8", true);
	config_bad("unavailable-max-age", "4294967296", true);
	config_bad("unavailable-max-age", "99999999999999999999999", true);
	config_bad("dedupe-lifetme", "247", false);
	config_bad("nonsense", "1", false);
}

static void test_config_format(void)
{
	const struct config_key *bs = NULL, *mc = NULL;
	char buf[32];
	size_t i;

	for (i = 0; i < n_config_keys; i++) {
		if (!strcmp(config_keys[i].key, "block-size"))
			bs = &config_keys[i];
		if (!strcmp(config_keys[i].key, "multicast"))
			mc = &config_keys[i];
	}
	config_format_value(bs, 6, buf, sizeof(buf));
	ok(!strcmp(buf, "1024"), "block-size szx 6 is shown as 1024");
	config_format_value(mc, 1, buf, sizeof(buf));
	ok(!strcmp(buf, "on"), "multicast 1 is shown as on");
}

/* JSON */

/* What @emit writes, in a malloc'd string. */
static char *capture(void (*emit)(FILE *f, const void *arg), const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	emit(f, arg);
	fclose(f);
	return buf;
}

struct bytes {
	const char *s;
	size_t len;
};

static void emit_string(FILE *f, const void *arg)
{
	const struct bytes *b = arg;

	json_write_string(f, b->s, b->len);
}

static void json_case(const char *s, size_t len, const char *want,
		      const char *name)
{
	struct bytes b = { s, len };
	char *got = capture(emit_string, &b);

	if (!ok(!strcmp(got, want), "json string: %s", name))
		diag("got %s want %s", got, want);
	free(got);
}

static void emit_document(FILE *f, const void *arg)
{
	struct json j;
	static const uint8_t etag[] = { 0x0a, 0xff };

	(void)arg;
	json_init(&j, f);
	json_array_begin(&j);
	json_object_begin(&j);
	json_kv_string(&j, "path", "/a\"b");
	json_kv_uint(&j, "n", 18446744073709551615ull);
	json_key(&j, "list");
	json_array_begin(&j);
	json_bool(&j, true);
	json_null(&j);
	json_hex(&j, etag, sizeof(etag));
	json_array_end(&j);
	json_key(&j, "empty");
	json_object_begin(&j);
	json_object_end(&j);
	json_kv_string(&j, "none", NULL);
	json_object_end(&j);
	json_object_begin(&j);
	json_object_end(&j);
	json_array_end(&j);
	json_end(&j);
}

static void test_json(void)
{
	char *doc;

#define S(lit) lit, sizeof(lit) - 1
	json_case(S("plain"), "\"plain\"", "ASCII as is");
	json_case(S("a\"b\\c"), "\"a\\\"b\\\\c\"", "quote and backslash");
	json_case(S("l1\nl2\r\t"), "\"l1\\nl2\\r\\t\"", "newline, CR, tab");
	json_case(S("\b\f"), "\"\\b\\f\"", "backspace, form feed");
	json_case(S("\x01\x1f"), "\"\\u0001\\u001f\"", "other controls as \\u");
	json_case(S("a\0b"), "\"a\\u0000b\"", "NUL inside");
	json_case(S("/\x7f"), "\"/\x7f\"", "slash and DEL need no escape");
	json_case(S("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"),
		  "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"", "valid UTF-8 as is");
	json_case(S("\xff"), "\"\\ufffd\"", "invalid byte replaced");
	json_case(S("\xc3"), "\"\\ufffd\"", "truncated sequence replaced");
	json_case(S("\xc0\xaf"), "\"\\ufffd\\ufffd\"", "overlong form replaced");
	json_case(S("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"",
		  "UTF-16 surrogate replaced");
	json_case(S("\xf4\x90\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\"",
		  "beyond U+10FFFF replaced");
	json_case(S(""), "\"\"", "empty string");
#undef S
	doc = capture(emit_document, NULL);
	if (!ok(!strcmp(doc, "[{\"path\":\"/a\\\"b\",\"n\":18446744073709551615,"
			"\"list\":[true,null,\"0aff\"],\"empty\":{},"
			"\"none\":null},{}]\n"),
		"json: commas and colons in nested objects and arrays"))
		diag("got %s", doc);
	free(doc);
}

/* DTLS sessions, with and without connection IDs (RFC 9146) */

struct sessions {
	const struct session *v;
	size_t n;
	bool json;
};

static void emit_sessions(FILE *f, const void *arg)
{
	const struct sessions *s = arg;

	session_print(f, s->v, s->n, s->json);
}

/* A session-get reply for session @id; CIDs if @cid_len. */
static struct nl_msg *session_reply(uint32_t id, const uint8_t *cid, size_t cid_len,
				    const uint8_t *peer, size_t peer_len)
{
	static const uint8_t addr[4] = { 192, 0, 2, 7 };
	struct nl_msg *m = nlmsg_alloc();
	uint16_t port = htons(40001);

	if (!m || !genlmsg_put(m, 0, 0, 0x20, 0, 0, KCOAP_CMD_SESSION_GET, 1) ||
	    nla_put_u32(m, KCOAP_A_SESSION_ID, id) || nla_put(m, KCOAP_A_SESSION_ADDR, 4, addr) ||
	    nla_put(m, KCOAP_A_SESSION_PORT, 2, &port) ||
	    nla_put_u8(m, KCOAP_A_SESSION_SUITE, KCOAP_DTLS_SUITE_AES_128_CCM_8) ||
	    nla_put_u8(m, KCOAP_A_SESSION_STATE, 1) ||
	    nla_put_string(m, KCOAP_A_SESSION_IDENTITY, "dev7") ||
	    (cid && nla_put(m, KCOAP_A_SESSION_CID, (int)cid_len, cid)) ||
	    (peer && nla_put(m, KCOAP_A_SESSION_PEER_CID, (int)peer_len, peer)))
		exit(2);
	return m;
}

static void test_sessions(void)
{
	static const uint8_t cid[KCOAP_DTLS_CID_LEN] = { 1, 2, 3, 4, 5, 6, 7, 0xfe };
	static const uint8_t peer[4] = { 0xc1, 0xd0, 0xc1, 0xd0 };
	struct session s[2];
	struct sessions ss = { s, 2, false };
	struct nl_msg *m;
	char *out;
	int err;

	m = session_reply(7, cid, sizeof(cid), peer, sizeof(peer));
	err = session_parse(nlmsg_hdr(m), &s[0]);
	nlmsg_free(m);
	ok(!err && s[0].cid_len == 8 && !memcmp(s[0].cid, cid, 8) && s[0].peer_cid_len == 4 &&
	   !memcmp(s[0].peer_cid, peer, 4), "session: cid and peer-cid parse");
	m = session_reply(8, NULL, 0, NULL, 0);
	err = session_parse(nlmsg_hdr(m), &s[1]);
	nlmsg_free(m);
	ok(!err && !s[1].cid_len && !s[1].peer_cid_len, "session: none without the attributes");
	m = session_reply(9, cid, 0, NULL, 0);
	err = session_parse(nlmsg_hdr(m), &s[1]);
	nlmsg_free(m);
	ok(err == -EBADMSG, "session: an empty cid attribute is a bad message");
	m = session_reply(8, NULL, 0, NULL, 0);
	session_parse(nlmsg_hdr(m), &s[1]);
	nlmsg_free(m);

	out = capture(emit_sessions, &ss);
	if (!ok(strstr(out, " CID ") && strstr(out, " 01020304050607fe ") &&
		strstr(out, " established  -  "),
		"session: the table's CID column has the hex of cid, '-' for none"))
		diag("got\n%s", out);
	free(out);
	ss.json = true;
	out = capture(emit_sessions, &ss);
	if (!ok(strstr(out, "\"state\":\"established\",\"cid\":\"01020304050607fe\","
			"\"peer-cid\":\"c1d0c1d0\",\"age\"") &&
		strstr(out, "\"id\":8,") && !strstr(strstr(out, "\"id\":8,"), "cid"),
		"session --json: cid and peer-cid as hex when present, absent otherwise"))
		diag("got %s", out);
	free(out);
}

/* Splitting values into data attributes */

static void test_data_parts(void)
{
	ok(kcoap_data_parts(0) == 0, "an empty value takes no data attribute");
	ok(kcoap_data_parts(1) == 1, "1 byte takes one");
	ok(kcoap_data_parts(KCOAP_DATA_PART_MAX) == 1, "65000 bytes take one");
	ok(kcoap_data_parts(KCOAP_DATA_PART_MAX + 1) == 2, "65001 bytes take two");
	ok(kcoap_data_parts(100 * 1024) == 2, "100 KiB take two");
	ok(kcoap_data_parts(16777216) == 259, "16 MiB take 259");
}

static uint8_t *pattern(size_t len, unsigned int seed)
{
	uint8_t *p = malloc(len + 1);
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 31 + seed + (i >> 8));
	return p;
}

/* A request as kcoapctl builds it, checked attribute by attribute. */
static void test_split_message(const size_t *sizes, unsigned int n,
			       const char *name)
{
	struct kcoap_resource res = { 0 }, back;
	struct nl_msg *msg = nlmsg_alloc_size(64);
	size_t want_parts = 0, parts = 0, total = 0, est, used, off = 0;
	bool parts_ok = true, within = true;
	uint8_t *all;
	struct nlattr *a;
	unsigned int i;
	int rem, err;

	nlmsg_free(msg);
	kcoap_resource_set_str(&res.path, "/big");
	for (i = 0; i < n; i++) {
		uint8_t *v = pattern(sizes[i], i);

		kcoap_resource_add_repr(&res, (uint16_t)(i == 0 ? 0 : 60 + i), v,
					sizes[i]);
		free(v);
		want_parts += kcoap_data_parts(sizes[i]);
		total += sizes[i];
	}
	res.has |= KCOAP_RES_MAX_AGE | KCOAP_RES_RT | KCOAP_RES_OBS;
	res.max_age = 30;
	kcoap_resource_set_str(&res.rt, "temperature");
	res.obs = true;

	est = kcoap_resource_msg_size(&res);
	msg = nlmsg_alloc_size(NLMSG_HDRLEN + GENL_HDRLEN + est);
	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, 42, 0, 0,
		    KCOAP_CMD_RESOURCE_ADD, 1);
	err = kcoap_resource_put(msg, &res);
	used = nlmsg_hdr(msg)->nlmsg_len;
	ok(err == 0 && used <= NLMSG_HDRLEN + GENL_HDRLEN + est,
	   "%s: the message fits the size computed for it (%zu <= %zu)", name,
	   used, NLMSG_HDRLEN + GENL_HDRLEN + est);

	/* Each repr's value in parts of at most 65000 bytes, in order. */
	all = malloc(total + 1);
	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(nlmsg_hdr(msg)), 0),
			  genlmsg_attrlen(nlmsg_data(nlmsg_hdr(msg)), 0), rem) {
		if (nla_type(a) != KCOAP_A_RESOURCE_DATA)
			continue;
		parts++;
		if (nla_len(a) > KCOAP_DATA_PART_MAX || nla_len(a) == 0)
			parts_ok = false;
		if (off + nla_len(a) > total) {
			within = false;
			break;
		}
		memcpy(all + off, nla_data(a), nla_len(a));
		off += nla_len(a);
	}
	ok(parts == want_parts && parts_ok,
	   "%s: %zu data attributes of 1..65000 bytes", name, want_parts);
	ok(within && off == total && !memcmp(all, res.data, total),
	   "%s: their concatenation is the values in repr order", name);

	err = kcoap_resource_parse(nlmsg_hdr(msg), &back);
	ok(err == 0 && back.n_reprs == n && back.data_len == total &&
	   !memcmp(back.data, res.data, total) && !strcmp(back.path, "/big") &&
	   back.max_age == 30 && back.obs && !strcmp(back.rt, "temperature") &&
	   !back.data_omitted,
	   "%s: parsing it gives the resource back", name);
	for (i = 0; err == 0 && i < n; i++) {
		if (back.reprs[i].size != sizes[i] || back.reprs[i].cf != res.reprs[i].cf ||
		    memcmp(kcoap_repr_value(&back, i), kcoap_repr_value(&res, i),
			   sizes[i]))
			break;
	}
	ok(err == 0 && i == n, "%s: each representation's value and format", name);
	kcoap_resource_free(&back);
	kcoap_resource_free(&res);
	free(all);
	nlmsg_free(msg);
}

/* A reply whose values do not add up to the sizes is refused. */
static void test_parse_mismatch(void)
{
	struct nl_msg *msg = nlmsg_alloc_size(4096);
	struct kcoap_resource res;
	struct nlattr *nest;

	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, 42, 0, 0,
		    KCOAP_CMD_RESOURCE_GET, 1);
	nla_put_string(msg, KCOAP_A_RESOURCE_PATH, "/x");
	nest = nla_nest_start(msg, KCOAP_A_RESOURCE_REPR);
	nla_put_u16(msg, KCOAP_A_REPR_CONTENT_FORMAT, 0);
	nla_put_u32(msg, KCOAP_A_REPR_SIZE, 5);
	nla_nest_end(msg, nest);
	nla_put(msg, KCOAP_A_RESOURCE_DATA, 4, "abcd");
	ok(kcoap_resource_parse(nlmsg_hdr(msg), &res) == -EBADMSG,
	   "values shorter than the sizes are refused");
	nlmsg_free(msg);

	msg = nlmsg_alloc_size(4096);
	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, 42, 0, 0,
		    KCOAP_CMD_RESOURCE_GET, 1);
	nla_put_string(msg, KCOAP_A_RESOURCE_PATH, "/x");
	nest = nla_nest_start(msg, KCOAP_A_RESOURCE_REPR);
	nla_put_u16(msg, KCOAP_A_REPR_CONTENT_FORMAT, 60);
	nla_put_u32(msg, KCOAP_A_REPR_SIZE, 100000);
	nla_put(msg, KCOAP_A_REPR_ETAG, 4, "\x01\x02\x03\x04");
	nla_nest_end(msg, nest);
	nla_put_flag(msg, KCOAP_A_RESOURCE_DATA_OMITTED);
	ok(kcoap_resource_parse(nlmsg_hdr(msg), &res) == 0 && res.data_omitted &&
	   res.n_reprs == 1 && res.reprs[0].size == 100000 &&
	   res.reprs[0].etag_len == 4 && !kcoap_repr_value(&res, 0),
	   "data-omitted: sizes and ETags without values");
	kcoap_resource_free(&res);
	nlmsg_free(msg);
}

/* --ct and --value pairing */

static const struct command fake_add = { "resource add", NULL, "", "" };

static int parse_words(struct write_args *wa, const char *line)
{
	static char buf[512];
	char *argv[32];
	const char *err;
	struct ctl ctl = { 0 };
	int argc;

	snprintf(buf, sizeof(buf), "%s", line);
	argc = batch_split(buf, argv, 32, &err);
	memset(wa, 0, sizeof(*wa));
	return parse_write_args(&ctl, &fake_add, argc, argv, wa);
}

static bool repr_is(const struct write_args *wa, unsigned int i, uint16_t cf,
		    const char *value)
{
	return i < wa->res.n_reprs && wa->res.reprs[i].cf == cf &&
	       wa->res.reprs[i].size == strlen(value) &&
	       !memcmp(kcoap_repr_value(&wa->res, i), value, strlen(value));
}

static void test_write_args(void)
{
	char file[] = "/tmp/kcoapctl_test.XXXXXX";
	struct write_args wa;
	char line[256];
	int fd, rc;

	rc = parse_words(&wa, "/sensors/temp --value 21.5 --ct text/plain --max-age 30 "
			 "--rt temperature --obs");
	ok(rc == CTL_OK && wa.res.n_reprs == 1 && repr_is(&wa, 0, 0, "21.5") &&
	   !strcmp(wa.res.path, "/sensors/temp") && wa.res.max_age == 30 &&
	   wa.res.obs && (wa.res.has & KCOAP_RES_OBS) &&
	   !strcmp(wa.res.rt, "temperature"),
	   "--value without --ct is text/plain, attributes are taken");
	write_args_free(&wa);

	fd = mkstemp(file);
	if (write(fd, "\xa1\x01\x02", 3) != 3)
		diag("cannot write %s", file);
	close(fd);
	snprintf(line, sizeof(line), "/x --ct application/json --value '{\"t\": 1}' "
		 "--ct 60 --value-file %s --value plain --methods get,PUT", file);
	rc = parse_words(&wa, line);
	ok(rc == CTL_OK && wa.res.n_reprs == 3 && repr_is(&wa, 0, 50, "{\"t\": 1}") &&
	   repr_is(&wa, 1, 60, "\xa1\x01\x02") && repr_is(&wa, 2, 0, "plain") &&
	   wa.res.methods == (KCOAP_METHOD_GET | KCOAP_METHOD_PUT),
	   "each --ct pairs with the value after it, in order");
	write_args_free(&wa);
	unlink(file);

	rc = parse_words(&wa, "/x --ct 60 --value a --ct application/cbor --value b");
	ok(rc == CTL_USAGE, "two values for one Content-Format: usage error");
	write_args_free(&wa);
	rc = parse_words(&wa, "/x --ct 60 --ct 50 --value b");
	ok(rc == CTL_USAGE, "more --ct than values: usage error");
	write_args_free(&wa);
	rc = parse_words(&wa, "/x --value a --ct application/cbor --value b "
			 "--ct 50 --ct 0");
	ok(rc == CTL_USAGE, "a third --ct for two values: usage error");
	write_args_free(&wa);
	rc = parse_words(&wa, "/x --value a --ct 60 --value b --value c --ct 50");
	ok(rc == CTL_OK && wa.res.n_reprs == 3 && repr_is(&wa, 0, 60, "a") &&
	   repr_is(&wa, 1, 50, "b") && repr_is(&wa, 2, 0, "c"),
	   "the Nth --ct goes with the Nth value, after it or before");
	write_args_free(&wa);
	rc = parse_words(&wa, "/x --max-age=-1");
	ok(rc == CTL_USAGE, "--max-age=-1: usage error");
	write_args_free(&wa);
	rc = parse_words(&wa, "/x --max-age=4294967295 --no-obs --methods none");
	ok(rc == CTL_OK && wa.res.max_age == 4294967295u && !wa.res.obs &&
	   (wa.res.has & KCOAP_RES_OBS) && wa.res.methods == 0 &&
	   (wa.res.has & KCOAP_RES_METHODS),
	   "--opt=value form, --no-obs, --methods none");
	write_args_free(&wa);
	rc = parse_words(&wa, "/x --methods get,frobnicate");
	ok(rc == CTL_USAGE, "unknown method: usage error");
	write_args_free(&wa);
	rc = parse_words(&wa, "/x --value-file /nonexistent/file");
	ok(rc == CTL_FAIL, "unreadable --value-file: failure");
	write_args_free(&wa);
	rc = parse_words(&wa, "x --value 1");
	ok(rc == CTL_USAGE, "a path without a leading '/': usage error");
	write_args_free(&wa);
	rc = parse_words(&wa, "/x /y");
	ok(rc == CTL_USAGE, "two paths: usage error");
	write_args_free(&wa);
	rc = parse_words(&wa, "/x --bogus");
	ok(rc == CTL_USAGE, "unknown option: usage error");
	write_args_free(&wa);
}

/* Methods */

static void test_methods(void)
{
	char buf[64], bad[32];
	uint32_t m = 0;

	ok(methods_parse("get,post,put,delete,fetch,patch,ipatch", &m, bad,
			 sizeof(bad)) == 0 && m == 0xfe, "all seven methods");
	methods_format(KCOAP_METHOD_GET | KCOAP_METHOD_PUT, buf, sizeof(buf));
	ok(!strcmp(buf, "get,put"), "methods_format get,put");
	methods_format(0, buf, sizeof(buf));
	ok(!strcmp(buf, "none"), "methods_format none");
	ok(methods_parse("get,,put", &m, bad, sizeof(bad)) == -EINVAL &&
	   !strcmp(bad, ""), "an empty method name is refused");
}

/* Batch lines */

static void split_case(const char *line, int want_n, const char *const *want,
		       const char *name)
{
	char buf[256], *argv[16];
	const char *err = NULL;
	bool same = true;
	int n, i;

	snprintf(buf, sizeof(buf), "%s", line);
	n = batch_split(buf, argv, 16, &err);
	for (i = 0; n == want_n && i < n; i++)
		same = same && !strcmp(argv[i], want[i]);
	if (!ok(n == want_n && same, "batch_split: %s", name))
		diag("got %d words%s%s", n, err ? ": " : "", err ? err : "");
}

static void test_batch_split(void)
{
	static const char *const w1[] = { "resource", "add", "/a", "--value", "1" };
	static const char *const w2[] = { "--title", "two words", "it's", "a\"b", "x y" };
	static const char *const w3[] = { "--value", "", "ab#c" };
	static const char *const w4[] = { "a\\b" };

	split_case("resource add /a --value 1\n", 5, w1, "blanks and newline");
	split_case("  \t resource\tadd /a  --value 1  # comment\r\n", 5, w1,
		   "comment and CRLF");
	split_case("--title 'two words' \"it's\" \"a\\\"b\" x\\ y", 5, w2, "quotes");
	split_case("--value '' ab#c", 3, w3, "empty word, # inside a word");
	split_case("\"a\\\\b\"", 1, w4, "backslash in double quotes");
	split_case("# only a comment", 0, NULL, "comment line");
	split_case("", 0, NULL, "empty line");
	split_case("--value 'open", -1, NULL, "unterminated quote");
}

/* Text and hex */

static void test_text(void)
{
	char hex[9];

	ok(text_printable((const uint8_t *)"21.5\n", 5), "text is printable");
	ok(text_printable((const uint8_t *)"caf\xc3\xa9", 5), "UTF-8 is printable");
	ok(!text_printable((const uint8_t *)"\xa1\x01", 2), "CBOR is not");
	ok(!text_printable((const uint8_t *)"a\0b", 3), "NUL is not");
	hex_format(hex, (const uint8_t *)"\x00\xab\x10\xff", 4);
	ok(!strcmp(hex, "00ab10ff"), "hex_format");
}

/* Paths and names from the network reach the terminal escaped. */
static void test_escape(void)
{
	char buf[64], *e = text_escape("/a\x1b[31m\\b\x7f");

	ok(e && !strcmp(e, "/a\\x1b[31m\\x5cb\\x7f"),
	   "text_escape: ESC, backslash and DEL as \\xNN, the rest as is");
	free(e);
	ok(!strcmp(esc("/caf\xc3\xa9", buf, sizeof(buf)), "/caf\xc3\xa9") &&
	   !strcmp(esc("/x\ny", buf, 6), "(too long to show)"),
	   "esc: UTF-8 kept; too long for the buffer: a placeholder, not cut");
}

int main(void)
{
	static const size_t one_small[] = { 4 };
	static const size_t edges[] = { 0, KCOAP_DATA_PART_MAX, 1 };
	static const size_t big[] = { 100 * 1024 };
	static const size_t mixed[] = { KCOAP_DATA_PART_MAX + 1, 3, 200000 };

	test_cf_parse();
	test_cf_label();
	test_config();
	test_config_format();
	test_json();
	test_sessions();
	test_data_parts();
	test_split_message(one_small, 1, "one 4-byte value");
	test_split_message(edges, 3, "values of 0, 65000 and 1 bytes");
	test_split_message(big, 1, "one 100 KiB value");
	test_split_message(mixed, 3, "65001, 3 and 200000 bytes");
	test_parse_mismatch();
	test_write_args();
	test_methods();
	test_batch_split();
	test_text();
	test_escape();
	printf("1..%d\n", t_count);
	return t_failed ? 1 : 0;
}
