// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Host unit tests of kcoapd's settings (kcoapd.conf, kcoapd(8)): the
 * defaults, a file that uses every kind of line, and bad values, each of
 * which must be refused with a message that names the file, the line, the
 * setting and the value; then the broker URL's parser (url.c), good URLs
 * and bad ones, each refused with a message that names it; then the ACL
 * (acl.c): its file, its built-in rules and how MQTT filters are matched.
 * TAP on stdout, continuing the numbering of kcoapctl_test (its count is
 * the first argument).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kcoapd.h"
#include "tap.h"

static char dir[] = "/tmp/kcoapd_test.XXXXXX";

/* What the code under test prints on stderr goes to a file meanwhile. */
static int saved_fd = -1;

static void err_begin(void)
{
	char errpath[64];
	int fd;

	snprintf(errpath, sizeof(errpath), "%s/stderr", dir);
	fflush(stderr);
	saved_fd = dup(2);
	fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (saved_fd < 0 || fd < 0 || dup2(fd, 2) < 0) {
		perror(errpath);
		exit(2);
	}
	close(fd);
}

/* ... and is read back into @err. */
static void err_end(char *err, size_t len)
{
	char errpath[64];
	FILE *f;
	ssize_t n;

	snprintf(errpath, sizeof(errpath), "%s/stderr", dir);
	fflush(stderr);
	dup2(saved_fd, 2);
	close(saved_fd);
	f = fopen(errpath, "r");
	n = f ? (ssize_t)fread(err, 1, len - 1, f) : 0;
	err[n > 0 ? n : 0] = 0;
	if (f)
		fclose(f);
	unlink(errpath);
}

/*
 * load TEXT: write it to a file, load it over the defaults into @c; what
 * kcoapd printed on stderr goes to @err. Returns the loader's status.
 */
static int load(struct kcoapd_config *c, const char *text, char *err, size_t len)
{
	char path[64];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/kcoapd.conf", dir);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f)) {
		perror(path);
		exit(2);
	}
	kcoapd_config_defaults(c);
	err_begin();
	rc = kcoapd_config_load(c, path);
	err_end(err, len);
	unlink(path);
	return rc;
}

static void test_defaults(void)
{
	struct kcoapd_config c;

	kcoapd_config_defaults(&c);
	ok(c.ack_timeout == 2000 && c.max_retransmit == 4,
	   "CoAP timing defaults are RFC 7252's: ACK_TIMEOUT 2 s, MAX_RETRANSMIT 4");
	ok(c.protocol == 5 && !strcmp(c.mqtt_url, "mqtt://localhost"),
	   "MQTT 5 to the local broker by default");
	ok(!strncmp(c.topic_prefix, "kcoap/", 6) &&
	   c.topic_prefix[strlen(c.topic_prefix) - 1] == '/',
	   "the topic prefix is kcoap/HOSTNAME/");
}

static void test_good_file(void)
{
	struct kcoapd_config c;
	char err[1024];
	int rc;

	rc = load(&c,
		  "# a comment\n"
		  "\n"
		  "prefix /ps/   # trailing comment\n"
		  "prefix /rd\n"
		  "mqtt-url mqtts://gw:secret@broker.example:8883\n"
		  "mqtt-protocol 3.1.1\n"
		  "coap-ack-timeout 60000\n"
		  "coap-max-retransmit 10\n"
		  "device lamp1 192.0.2.10:5683\n"
		  "\tdevice lamp2 [2001:db8::10]\n"
		  "push ring\n",
		  err, sizeof(err));
	ok(rc == 0 && !err[0], "a file with every kind of line loads silently");
	ok(c.n_prefixes == 2 && !strcmp(c.prefixes[0], "/ps/") && !strcmp(c.prefixes[1], "/rd"),
	   "prefixes in order, comments cut off");
	ok(!strcmp(c.mqtt_url, "mqtts://gw:secret@broker.example:8883") && c.protocol == 4,
	   "mqtt-url kept as given; 3.1.1 is protocol level 4");
	ok(c.ack_timeout == 60000 && c.max_retransmit == 10,
	   "the largest coap-ack-timeout and coap-max-retransmit are taken");
	ok(c.n_devices == 2 && !strcmp(c.devices[0][0], "lamp1") &&
	   !strcmp(c.devices[1][1], "[2001:db8::10]"), "devices by name and address");
	ok(c.push_ring && !c.no_push, "push ring");
	kcoapd_config_free(&c);
}

/* refused TEXT NEEDLES...: the file is refused and stderr has each needle. */
static void refused(const char *text, const char *what, ...)
{
	struct kcoapd_config c;
	const char *needle;
	char err[1024];
	bool all = true;
	va_list ap;
	int rc;

	rc = load(&c, text, err, sizeof(err));
	va_start(ap, what);
	while ((needle = va_arg(ap, const char *)))
		if (!strstr(err, needle))
			all = false;
	va_end(ap);
	if (!ok(rc < 0 && all, "%s", what))
		diag("status %d, stderr: %s", rc, err);
	kcoapd_config_free(&c);
}

static void test_bad_values(void)
{
	refused("prefix /a\ncoap-max-retransmit 11\n",
		"coap-max-retransmit 11: refused, naming line, value and range",
		"kcoapd.conf:2", "coap-max-retransmit '11'", "0 to 10", NULL);
	refused("coap-ack-timeout 99\n", "coap-ack-timeout below 100 ms: refused",
		"coap-ack-timeout '99'", "100 to 60000", NULL);
	refused("coap-ack-timeout -1\n", "a negative number: refused",
		"coap-ack-timeout '-1'", NULL);
	refused("mqtt-queue-max 12x\n", "trailing junk after a number: refused",
		"mqtt-queue-max '12x'", NULL);
	refused("mqtt-protocol 4\n", "mqtt-protocol other than 5 or 3.1.1: refused",
		"mqtt-protocol '4'", "5 or 3.1.1", NULL);
	refused("retained-wait\n", "a setting without its value: refused",
		"kcoapd.conf:1", "want \"retained-wait VALUE\"", NULL);
	refused("device lamp1\n", "a device without an address: refused",
		"device NAME HOST[:PORT]", NULL);
	refused("prefix ps\n", "a prefix that is not a path: refused", "prefix 'ps'", NULL);
	refused("coap-max-retransmits 4\n", "an unknown setting: refused, by name",
		"unknown setting 'coap-max-retransmits'", NULL);
}

/* Quoting, '#' inside a word, a line longer than any buffer. */
static void test_words(void)
{
	struct kcoapd_config c;
	char err[1024], *text, *w[8], line[] = "a \"b c\" d\\ e \"q\\\"x\" #rest";
	size_t n = 100000;
	int rc;

	rc = kcoapd_words(line, w, 8, true);
	ok(rc == 4 && !strcmp(w[0], "a") && !strcmp(w[1], "b c") && !strcmp(w[2], "d e") &&
	   !strcmp(w[3], "q\"x"), "words: quotes and backslashes; '#' at a word's start ends the line");
	rc = load(&c, "mqtt-password abc#123\nmqtt-user \"gw one\"  # a comment\n", err,
		  sizeof(err));
	ok(rc == 0 && !strcmp(c.password, "abc#123") && !strcmp(c.user, "gw one"),
	   "a '#' inside a value is kept; a quoted value may hold blanks");
	kcoapd_config_free(&c);
	text = malloc(n + 64);
	strcpy(text, "mqtt-client-id ");
	memset(text + 15, 'x', n);
	strcpy(text + 15 + n, "\nretained-wait 5\n");
	rc = load(&c, text, err, sizeof(err));
	ok(rc == 0 && strlen(c.client_id) == n && c.retained_wait == 5,
	   "a line of 100000 bytes is one line");
	kcoapd_config_free(&c);
	free(text);
	rc = load(&c, "echo on\nacl-file /etc/kcoap/acl\ncommand-max-age 0\nlog-level debug\n"
		  "state-dir \"/tmp/a b\"\nstats-interval 0\n", err, sizeof(err));
	ok(rc == 0 && c.echo && !strcmp(c.acl_file, "/etc/kcoap/acl") && !c.command_max_age &&
	   c.log_level == 7 && !strcmp(c.state_dir, "/tmp/a b") && !c.stats_interval,
	   "echo, acl-file, command-max-age, log-level, state-dir, stats-interval");
	kcoapd_config_free(&c);
	kcoapd_config_defaults(&c);
	ok(!c.echo && !c.acl_file && c.command_max_age == 300 && c.stats_interval == 10 &&
	   !strcmp(c.state_dir, "/var/lib/kcoap"), "defaults: no /echo, built-in ACL, state in /var/lib/kcoap");
	refused("mqtt-user \"gw\n", "a quote not closed: refused, naming the line",
		"kcoapd.conf:1", "quote is not closed", NULL);
	refused("mqtt-user gw one\n", "two words for one value: refused, saying to quote",
		"kcoapd.conf:1", "quote a value with blanks", NULL);
	refused("echo yes\n", "echo other than on or off: refused", "echo 'yes'", NULL);
	kcoapd_config_defaults(&c);
	ok(c.dtls_cid, "dtls-cid: on by default");
	rc = load(&c, "dtls-cid off\n", err, sizeof(err));
	ok(rc == 0 && !c.dtls_cid, "dtls-cid off");
	kcoapd_config_free(&c);
	refused("dtls-cid 8\n", "dtls-cid other than on or off: refused, naming the value",
		"kcoapd.conf:1", "dtls-cid '8'", "on or off", NULL);
}

static void test_password_file(void)
{
	struct kcoapd_config c;
	char path[64], text[128], err[1024];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/secret", dir);
	f = fopen(path, "w");
	fputs("s3 cr#t\n", f);
	fclose(f);
	chmod(path, 0600);
	snprintf(text, sizeof(text), "mqtt-password-file %s\n", path);
	rc = load(&c, text, err, sizeof(err));
	ok(rc == 0 && !strcmp(c.password, "s3 cr#t") && !err[0],
	   "mqtt-password-file: its first line is the password");
	kcoapd_config_free(&c);
	chmod(path, 0644);
	rc = load(&c, text, err, sizeof(err));
	ok(rc == 0 && strstr(err, "readable by group or others"),
	   "a password file others can read: a warning");
	kcoapd_config_free(&c);
	unlink(path);
	refused(text, "a password file that is not there: refused, naming it",
		"mqtt-password-file", "secret", NULL);
}

/* acl TEXT: the rules of a file with TEXT, or NULL (stderr into @err). */
static struct acl *acl_text(const char *text, char *err, size_t len)
{
	char path[64];
	struct acl *acl;
	FILE *f;

	snprintf(path, sizeof(path), "%s/acl", dir);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	err_begin();
	acl = acl_load(path);
	err_end(err, len);
	unlink(path);
	return acl;
}

static const uint8_t cli4[16] = { [10] = 0xff, [11] = 0xff, 192, 0, 2, 2 };
static const uint8_t other4[16] = { [10] = 0xff, [11] = 0xff, 192, 0, 2, 3 };
static const uint8_t cli6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

static void test_acl(void)
{
	struct acl *acl = acl_builtin();
	char err[1024];

	t_prefix = "kcoapd ACL: ";
	ok(acl_filter_within("a/+", "a/#") && !acl_filter_within("a/+", "a/b") &&
	   acl_filter_within("a", "a/#") && !acl_filter_within("#", "a/#") &&
	   acl_filter_within("a/b", "+/b") && !acl_filter_within("a/b/c", "a/+"),
	   "a grant covers a filter whole, or not");
	ok(acl_filter_overlaps("#", "cmd/#") && acl_filter_overlaps("+/x", "cmd/#") &&
	   acl_filter_overlaps("cmd", "cmd/#") && !acl_filter_overlaps("sensors/+", "cmd/#") &&
	   !acl_filter_overlaps("status/x", "status") && acl_filter_overlaps("+", "status"),
	   "a deny meets every filter it overlaps");
	ok(acl_allows(acl, cli4, NULL, ACL_TOPIC, ACL_WRITE, "sensors/t1") &&
	   acl_allows(acl, cli4, NULL, ACL_TOPIC, ACL_READ, "alerts/+") &&
	   acl_allows(acl, cli6, NULL, ACL_STORE, ACL_WRITE, "/store/a") &&
	   acl_allows(acl, cli6, NULL, ACL_RD, ACL_WRITE, "lamp1"),
	   "built in: /ps/ topics, the store and /rd names are anyone's");
	ok(!acl_allows(acl, cli4, NULL, ACL_TOPIC, ACL_WRITE, "cmd/lamp/light") &&
	   !acl_allows(acl, cli4, NULL, ACL_TOPIC, ACL_READ, "rsp/#") &&
	   !acl_allows(acl, cli4, NULL, ACL_TOPIC, ACL_WRITE, "status") &&
	   !acl_allows(acl, cli4, NULL, ACL_TOPIC, ACL_WRITE, "dev/lamp/status") &&
	   !acl_allows(acl, cli4, NULL, ACL_TOPIC, ACL_READ, "#") &&
	   !acl_allows(acl, cli4, NULL, ACL_TOPIC, ACL_READ, "+/lamp/#"),
	   "built in: cmd/, rsp/, status and dev/ are no one's, nor filters that reach them");
	acl_free(acl);

	acl = acl_text("# sensors publish, the operator's host commands\n"
		       "topic deny cmd/#\n"
		       "topic read #\n"
		       "store read /store/#\n"
		       "address 192.0.2.0/24 2001:db8::/64\n"
		       "topic write sensors/#\n"
		       "rd register \"lamp*\"\n"
		       "address 192.0.2.2\n"
		       "topic readwrite cmd/#\n"
		       "store readwrite /store/#\n", err, sizeof(err));
	if (!ok(acl && !err[0], "a file with every kind of rule loads"))
		diag("%s", err);
	ok(acl_allows(acl, cli4, NULL, ACL_TOPIC, ACL_WRITE, "cmd/lamp1/light") &&
	   !acl_allows(acl, other4, NULL, ACL_TOPIC, ACL_WRITE, "cmd/lamp1/light") &&
	   !acl_allows(acl, cli6, NULL, ACL_TOPIC, ACL_WRITE, "cmd/lamp1/light"),
	   "a host's section (/32) beats its network's and the default");
	ok(acl_allows(acl, other4, NULL, ACL_TOPIC, ACL_WRITE, "sensors/t") &&
	   acl_allows(acl, cli6, NULL, ACL_TOPIC, ACL_WRITE, "sensors/t") &&
	   !acl_allows(acl, other4, NULL, ACL_TOPIC, ACL_WRITE, "alerts/t") &&
	   acl_allows(acl, other4, NULL, ACL_TOPIC, ACL_READ, "alerts/t") &&
	   !acl_allows(acl, other4, NULL, ACL_TOPIC, ACL_READ, "#"),
	   "IPv4 and IPv6 prefixes; then the default section; its deny first");
	ok(acl_allows(acl, other4, NULL, ACL_RD, ACL_WRITE, "lamp7") &&
	   !acl_allows(acl, other4, NULL, ACL_RD, ACL_WRITE, "door1") &&
	   !acl_allows(acl, (const uint8_t[16]){ [10] = 0xff, [11] = 0xff, 10, 0, 0, 1 },
			NULL, ACL_RD, ACL_WRITE, "lamp7"),
	   "rd names by glob; no rule: refused");
	ok(acl_allows(acl, cli4, NULL, ACL_STORE, ACL_WRITE, "/store/x") &&
	   !acl_allows(acl, other4, NULL, ACL_STORE, ACL_WRITE, "/store/x") &&
	   acl_allows(acl, other4, NULL, ACL_STORE, ACL_READ, "/store/x"),
	   "store paths: readwrite for one host, read for all");
	acl_free(acl);

	acl = acl_text("topic read #\naddress 192.0.2.0/33\n", err, sizeof(err));
	ok(!acl && strstr(err, "acl:2") && strstr(err, "address '192.0.2.0/33'"),
	   "a bad prefix: refused, naming the line and the value");
	acl = acl_text("address 192.0.2.1/24\n", err, sizeof(err));
	ok(!acl && strstr(err, "host bits zero"), "host bits set: refused");
	acl = acl_text("topic publish a\n", err, sizeof(err));
	ok(!acl && strstr(err, "acl:1") && strstr(err, "topic 'publish'"),
	   "an unknown permission: refused, by name");
	acl = acl_text("topic read a/b#\n", err, sizeof(err));
	ok(!acl && strstr(err, "pattern 'a/b#'"), "a wildcard inside a level: refused");
	/* DTLS identities: their sections first, then the address's. */
	acl = acl_text("store read /store/#\n"
		       "identity sensor1 \"sha256:ab*\"\n"
		       "store readwrite /store/s1/#\n"
		       "store deny /store/secret\n"
		       "address 192.0.2.2\n"
		       "store readwrite /store/#\n", err, sizeof(err));
	if (!ok(acl && !err[0], "identity sections load"))
		diag("%s", err);
	ok(acl_allows(acl, other4, "sensor1", ACL_STORE, ACL_WRITE, "/store/s1/t") &&
	   !acl_allows(acl, other4, NULL, ACL_STORE, ACL_WRITE, "/store/s1/t") &&
	   !acl_allows(acl, other4, "sensor2", ACL_STORE, ACL_WRITE, "/store/s1/t") &&
	   acl_allows(acl, other4, "sha256:abcd", ACL_STORE, ACL_WRITE, "/store/s1/x"),
	   "an identity's rules are its own: by name or glob, not for others or plain CoAP");
	ok(!acl_allows(acl, cli4, "sensor1", ACL_STORE, ACL_READ, "/store/secret") &&
	   acl_allows(acl, cli4, NULL, ACL_STORE, ACL_READ, "/store/secret") &&
	   acl_allows(acl, cli4, "sensor1", ACL_STORE, ACL_WRITE, "/store/x"),
	   "an identity's rules come before its address's, which still apply after");
	acl_free(acl);
	acl = acl_text("identity\n", err, sizeof(err));
	ok(!acl && strstr(err, "identity NAME"), "an identity section with no name: refused");
	acl = acl_text("user x\n", err, sizeof(err));
	ok(!acl && strstr(err, "unknown rule 'user'"), "an unknown line: refused, by name");
}

static void test_missing_file(void)
{
	struct kcoapd_config c;

	kcoapd_config_defaults(&c);
	fflush(stderr);
	ok(kcoapd_config_load(&c, "/nonexistent/kcoapd.conf") == -ENOENT,
	   "a missing file: -ENOENT (and a message naming it)");
}

/* url_ok URL HOST PORT TLS USER PASSWORD: parsed silently into these parts. */
static void url_ok(const char *url, const char *host, int port, bool tls,
		   const char *user, const char *password)
{
	struct mqtt_url u;
	char err[512];
	int rc;

	err_begin();
	rc = mqtt_url_parse(url, &u);
	err_end(err, sizeof(err));
	if (!ok(!rc && !err[0] && !strcmp(u.host, host) && u.port == port && u.tls == tls &&
		u.has_user == !!user && (!user || !strcmp(u.user, user)) &&
		u.has_password == !!password && (!password || !strcmp(u.password, password)),
		"mqtt-url %s", url))
		diag("status %d, host '%s' port %d tls %d user %d'%s' password %d'%s', stderr: %s",
		     rc, u.host, u.port, u.tls, u.has_user, u.user, u.has_password, u.password, err);
}

/*
 * url_bad URL SHOWN NEEDLE: refused; stderr names the URL as SHOWN (NULL:
 * as it is) and has NEEDLE, and no "secret" (the tests' password).
 */
static void url_bad(const char *url, const char *as, const char *needle, const char *what)
{
	struct mqtt_url u;
	char err[1024], quoted[600];
	int rc;

	err_begin();
	rc = mqtt_url_parse(url, &u);
	err_end(err, sizeof(err));
	snprintf(quoted, sizeof(quoted), "mqtt-url '%s'", as ? as : url);
	if (!ok(rc == -EINVAL && strstr(err, quoted) && strstr(err, needle) &&
		!strstr(err, "secret"), "%s", what))
		diag("status %d, stderr: %s", rc, err);
}

/* Several mqtt-url lines: the nodes of a cluster, in order. */
static void test_brokers(void)
{
	struct kcoapd_config c;
	struct mqtt_url u[KCOAPD_MAX_BROKERS];
	const char *mixed[] = { "mqtts://gw:secret@a.example", "mqtt://b.example:1884" };
	char err[1024], text[1024];
	size_t n = 0;
	int rc, i;

	rc = load(&c, "mqtt-url mqtt://a.example\nmqtt-url mqtt://[2001:db8::2]:1884\n",
		  err, sizeof(err));
	ok(rc == 0 && c.n_mqtt_urls == 2 && !strcmp(c.mqtt_urls[0], "mqtt://a.example") &&
	   !strcmp(c.mqtt_urls[1], "mqtt://[2001:db8::2]:1884") && c.mqtt_url == c.mqtt_urls[0],
	   "two mqtt-url lines: two nodes in order, the default replaced");
	kcoapd_config_free(&c);
	rc = load(&c, "mqtt-url mqtt://a\nmqtt-url off\n", err, sizeof(err));
	ok(rc == 0 && !c.n_mqtt_urls && !c.mqtt_url, "mqtt-url off clears the list: no bridge");
	kcoapd_config_free(&c);
	rc = load(&c, "mqtt-url off\nmqtt-url mqtt://b\n", err, sizeof(err));
	ok(rc == 0 && c.n_mqtt_urls == 1 && !strcmp(c.mqtt_url, "mqtt://b"),
	   "an mqtt-url after off starts a new list");
	kcoapd_config_free(&c);
	for (i = 0; i <= KCOAPD_MAX_BROKERS; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "mqtt-url mqtt://n%d\n", i);
	refused(text, "a ninth mqtt-url: refused, naming the line and the limit",
		"kcoapd.conf:9", "at most 8 broker addresses", NULL);

	err_begin();
	rc = mqtt_urls_parse(mixed, 2, u);
	err_end(err, sizeof(err));
	if (!ok(rc == -EINVAL && strstr(err, "'mqtt://b.example:1884' is not TLS") &&
		strstr(err, "mqtts://gw:***@a.example") && !strstr(err, "secret"),
		"mqtt:// and mqtts:// nodes together: refused, naming both, password masked"))
		diag("status %d, stderr: %s", rc, err);
	mixed[1] = "mqtts://b.example:8884";
	err_begin();
	rc = mqtt_urls_parse(mixed, 2, u);
	err_end(err, sizeof(err));
	ok(rc == 0 && !err[0] && u[1].port == 8884 && u[0].has_user && !u[1].has_user,
	   "two mqtts:// nodes: each with its own port and user");
}

/* The order and pace of connection attempts over the nodes. */
static void test_failover(void)
{
	struct failover f;
	uint32_t w[8];

	t_prefix = "kcoapd broker failover: ";
	failover_init(&f, 2, 8);
	failover_connected(&f, 1000);
	ok(f.cur == 0 && f.connects == 1 && !f.failovers && !f.outage_ms,
	   "the first connection is to the first node, not a failover");
	w[0] = failover_lost(&f, 5000);
	ok(w[0] == 0 && f.cur == 1, "a lost connection: the next node, at once");
	w[0] = failover_failed(&f);
	w[1] = f.cur;
	w[2] = failover_failed(&f);
	w[3] = f.cur;
	w[4] = failover_failed(&f);
	w[5] = failover_failed(&f);
	w[6] = failover_failed(&f);
	w[7] = failover_failed(&f);
	if (!ok(w[0] == 0 && w[1] == 0 && w[2] == 1 && w[3] == 1 && w[4] == 0 && w[5] == 2 &&
		w[6] == 0 && w[7] == 4, "failures go round the nodes; a pause after each round, 1, 2, 4 s"))
		diag("waits %u %u %u %u, nodes %u %u", w[0], w[2], w[5], w[7], w[1], w[3]);
	failover_failed(&f);
	w[0] = failover_failed(&f);
	failover_failed(&f);
	w[1] = failover_failed(&f);
	ok(w[0] == 8 && w[1] == 8, "the pause stops growing at mqtt-reconnect-max");
	failover_connected(&f, 12345);
	ok(f.cur == 1 && f.failovers == 1 && f.outage_ms == 7345 && f.connects == 2,
	   "a connection to the other node: a failover, the outage measured from the loss");
	failover_lost(&f, 20000);
	w[0] = failover_failed(&f);
	ok(w[0] == 0 && f.cur == 1, "the pause starts again from nothing after a connection");
	failover_connected(&f, 20500);
	ok(f.failovers == 1 && f.outage_ms == 500,
	   "back on the same node after a loss: a reconnect, not a failover");

	failover_init(&f, 1, 30);
	failover_connected(&f, 1);
	w[0] = failover_lost(&f, 2);
	w[1] = failover_failed(&f);
	w[2] = failover_failed(&f);
	ok(w[0] == 1 && w[1] == 2 && w[2] == 4 && f.cur == 0,
	   "one node: 1 s after a loss, then 2, 4 s, as before clusters");
}

static void test_urls(void)
{
	char longer[400];

	t_prefix = "kcoapd broker URL: ";
	url_ok("mqtt://localhost", "localhost", 1883, false, NULL, NULL);
	url_ok("mqtts://broker.example/", "broker.example", 8883, true, NULL, NULL);
	url_ok("mqtt://10.0.0.1:1884", "10.0.0.1", 1884, false, NULL, NULL);
	url_ok("mqtts://[2001:db8::1]:8884", "2001:db8::1", 8884, true, NULL, NULL);
	url_ok("mqtt://[::1]", "::1", 1883, false, NULL, NULL);
	url_ok("mqtt://gw@h", "h", 1883, false, "gw", NULL);
	url_ok("mqtt://gw:@h", "h", 1883, false, "gw", "");
	url_ok("mqtts://gw:s3cret@h:8883", "h", 8883, true, "gw", "s3cret");
	/* The last '@' ends the user information (RFC 3986 §3.2.1). */
	url_ok("mqtt://gw:p@ss@h", "h", 1883, false, "gw", "p@ss");
	/* %-escapes are decoded (§2.1): a ':', '/' or '%' in a password. */
	url_ok("mqtt://g%77:a%3Ab%2fc%25@h", "h", 1883, false, "gw", "a:b/c%");

	url_bad("http://localhost", NULL, "want mqtt://", "another scheme: refused");
	url_bad("mqtt://", NULL, "no host", "no host: refused");
	url_bad("mqtt://gw:pw@:1883", "mqtt://gw:***@:1883", "no host", "a user but no host: refused");
	url_bad("mqtt://h:0", NULL, "port '0'", "port 0: refused");
	url_bad("mqtt://h:65536", NULL, "port '65536'", "port 65536: refused");
	url_bad("mqtt://h:+80", NULL, "port '+80'", "a port with a sign: refused");
	url_bad("mqtt://h:", NULL, "port ''", "an empty port: refused");
	url_bad("mqtt://h:18x3", NULL, "port '18x3'", "a port with junk: refused");
	url_bad("mqtt://h/gw/topic", NULL, "a path ('/gw/topic')", "a path: refused");
	url_bad("mqtt://[::1", NULL, "closing ']'", "an IPv6 host without ']': refused");
	url_bad("mqtt://[::1]1883", NULL, "':port'", "junk after ']': refused");
	url_bad("mqtt://gw:a%2@h", "mqtt://gw:***@h", "bad %-escape", "a broken %-escape: refused");
	url_bad("mqtt://gw:a%00b@h", "mqtt://gw:***@h", "bad %-escape", "an escaped NUL: refused");
	url_bad("mqtts://gw:secret@h:0", "mqtts://gw:***@h:0", "port '0'",
		"the password is not in the message");
	url_bad("mqtt://gw:se/cret@h", "mqtt://gw:***@h", "written %2F",
		"a raw '/' in a password: refused, saying how to write it");
	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = 0;
	memcpy(longer, "mqtt://", 7);
	url_bad(longer, NULL, "longer than 255", "a host too long for its buffer: refused, not cut");
	longer[300] = '@';
	url_bad(longer, NULL, "user is longer than 255", "a user too long: refused, not cut");
}

/* The HTTP proxy's settings and RFC 8075's mapping (http_map.c). */
static void test_http(void)
{
	struct kcoapd_config c;
	struct http_target t;
	uint8_t tag[8];
	const char *p;
	char err[1024], buf[32];
	int rc;

	t_prefix = "kcoapd HTTP: ";
	kcoapd_config_defaults(&c);
	ok(c.http_port == 8080 && c.http_body_max == 16384 && c.http_streams_max == 16 &&
	   !strcmp(c.http_mqtt_ws, "9001"),
	   "http-port 8080, http-body-max 16384, 16 streams, the broker's WebSocket on 9001");
	rc = load(&c, "http-port 0\nhttp-address 127.0.0.1\nhttp-mqtt-ws wss://gw.example/mqtt\n"
		  "http-connections-max 8\nhttp-connections-per-ip 2\n", err, sizeof(err));
	ok(rc == 0 && c.http_port == 0 && !strcmp(c.http_address, "127.0.0.1") &&
	   c.http_conns_max == 8 && c.http_conns_per_ip == 2 &&
	   !strcmp(c.http_mqtt_ws, "wss://gw.example/mqtt"), "http-port 0 (off) and the rest load");
	kcoapd_config_free(&c);
	t_prefix = "kcoapd settings: ";
	refused("http-port 65536\n", "http-port 65536: refused", "http-port '65536'", "0 to 65535",
		NULL);
	refused("http-body-max 70000\n", "http-body-max over one datagram: refused",
		"http-body-max '70000'", NULL);
	t_prefix = "kcoapd HTTP: ";

	ok(http_method_to_coap("GET") == COAP_CODE_GET && http_method_to_coap("PUT") == COAP_CODE_PUT &&
	   http_method_to_coap("POST") == COAP_CODE_POST &&
	   http_method_to_coap("DELETE") == COAP_CODE_DELETE &&
	   http_method_to_coap("PATCH") == COAP_CODE_PATCH && http_method_to_coap("OPTIONS") < 0 &&
	   http_method_to_coap("get") < 0, "methods: the four and PATCH; others (501) and case");
	ok(http_status_of(COAP_CODE_CREATED, false, false) == 201 &&
	   http_status_of(COAP_CODE_CHANGED, false, false) == 204 &&
	   http_status_of(COAP_CODE_CHANGED, true, false) == 200 &&
	   http_status_of(COAP_CODE_DELETED, false, false) == 204 &&
	   http_status_of(COAP_CODE_CONTENT, true, false) == 200 &&
	   http_status_of(COAP_CODE_VALID, false, true) == 304 &&
	   http_status_of(COAP_CODE_VALID, true, false) == 200,
	   "2.xx: 201, 204 or 200 by the body, 304 for a conditional 2.03");
	ok(http_status_of(COAP_CODE_BAD_REQUEST, false, false) == 400 &&
	   http_status_of(COAP_CODE_UNAUTHORIZED, false, false) == 403 &&
	   http_status_of(COAP_CODE_BAD_OPTION, false, false) == 400 &&
	   http_status_of(COAP_CODE_FORBIDDEN, false, false) == 403 &&
	   http_status_of(COAP_CODE_NOT_FOUND, false, false) == 404 &&
	   http_status_of(COAP_CODE_METHOD_NOT_ALLOWED, false, false) == 400 &&
	   http_status_of(COAP_CODE_NOT_ACCEPTABLE, false, false) == 406 &&
	   http_status_of(COAP_CODE_PRECONDITION_FAILED, false, false) == 412 &&
	   http_status_of(COAP_CODE_REQUEST_TOO_LARGE, false, false) == 413 &&
	   http_status_of(COAP_CODE_UNSUPPORTED_FORMAT, false, false) == 415 &&
	   http_status_of(COAP_CODE_TOO_MANY_REQUESTS, false, false) == 429 &&
	   http_status_of(COAP_CODE(4, 31), false, false) == 400,
	   "4.xx: 4.01 as 403, 4.05 as 400 (HTTP 401 and 405 need headers CoAP lacks); an unknown 4.xx 400");
	ok(http_status_of(COAP_CODE_INTERNAL_ERROR, false, false) == 500 &&
	   http_status_of(COAP_CODE_NOT_IMPLEMENTED, false, false) == 501 &&
	   http_status_of(COAP_CODE_BAD_GATEWAY, false, false) == 502 &&
	   http_status_of(COAP_CODE_SERVICE_UNAVAILABLE, false, false) == 503 &&
	   http_status_of(COAP_CODE_GATEWAY_TIMEOUT, false, false) == 504 &&
	   http_status_of(COAP_CODE_PROXYING_NOT_SUPPORTED, false, false) == 502,
	   "5.xx: 500 to 504; 5.05 as 502");
	ok(!strcmp(http_content_type_of(0), "text/plain;charset=utf-8") &&
	   !strcmp(http_content_type_of(50), "application/json") &&
	   !strcmp(http_content_type_of(9999), "application/octet-stream") &&
	   !http_content_type_of(UINT32_MAX), "Content-Format to Content-Type; unknown: octet-stream");
	ok(http_cf_of("text/plain") == 0 && http_cf_of("text/plain; charset=utf-8") == 0 &&
	   http_cf_of("application/json; charset=utf-8") == 50 &&
	   http_cf_of("application/cbor") == 60 && http_cf_of(NULL) == -1 &&
	   http_cf_of("text/plain; charset=iso-8859-1") == -2 &&
	   http_cf_of("application/x-www-form-urlencoded") == -2,
	   "Content-Type to Content-Format; a text/plain in another charset is not 0");
	ok(http_etag_format((const uint8_t *)"\x01\xab", 2, buf, sizeof(buf)) == 6 &&
	   !strcmp(buf, "\"01ab\""), "an ETag as a quoted hex validator");
	p = "\"01ab\", W/\"ff\"";
	ok(http_etag_parse(&p, tag) == 2 && tag[0] == 1 && tag[1] == 0xab &&
	   http_etag_parse(&p, tag) == 1 && tag[0] == 0xff && http_etag_parse(&p, tag) < 0,
	   "If-None-Match lists parse back, weak ones as their opaque part");
	p = "\"0102030405060708ff\"";
	ok(http_etag_parse(&p, tag) < 0 && (p = "*", http_etag_parse(&p, tag) < 0),
	   "a tag over 8 bytes, or *, is no CoAP ETag");
	ok(!http_target_parse("/hc/coap://lamp1/a/b", &t) && !strcmp(t.host, "lamp1") &&
	   !t.port && !t.local && !strcmp(t.path, "/a/b"), "/hc/coap://DEVICE/PATH");
	ok(!http_target_parse("/hc/coap://localhost:5684", &t) && t.local && t.port == 5684 &&
	   !strcmp(t.path, "/"), "localhost with a port, no path: /");
	ok(!http_target_parse("/hc/coap://[::1]/x", &t) && t.local && !strcmp(t.host, "::1") &&
	   !http_target_parse("/coap/store/t", &t) && t.local && !strcmp(t.path, "/store/t"),
	   "[::1] and the short form /coap/PATH are the gateway");
	ok(http_target_parse("/hc/http://h/x", &t) && http_target_parse("/hc/coap://h:0/x", &t) &&
	   http_target_parse("/hc/coap://h:1x/x", &t) && http_target_parse("/hc/coap:///x", &t) &&
	   http_target_parse("/index.html", &t), "other schemes, bad ports, no host, pages: not targets");
	t_prefix = "kcoapd settings: ";
}

int main(int argc, char **argv)
{
	t_count = argc > 1 ? atoi(argv[1]) : 0;
	t_prefix = "kcoapd settings: ";
	if (!mkdtemp(dir)) {
		perror(dir);
		return 2;
	}
	test_defaults();
	test_good_file();
	test_bad_values();
	test_words();
	test_password_file();
	test_missing_file();
	test_brokers();
	test_urls();
	test_failover();
	test_acl();
	test_http();
	rmdir(dir);
	printf("1..%d\n", t_count);
	return t_failed ? 1 : 0;
}
