// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * The devices commands go to: "device NAME HOST[:PORT]" settings, and
 * registrations as in the CoRE Resource Directory (RFC 9176 §5.3):
 *
 *   POST /rd?ep=NAME[&lt=SECONDS][&base=coap://HOST:PORT]   2.01, Location rd/ID
 *   POST /rd/ID[?lt=SECONDS]                               2.04 (refresh)
 *   DELETE /rd/ID                                          2.02
 *
 * A registration for a name already registered replaces it (§5.3), if it
 * comes from the same address: a name belongs to the address that
 * registered it (and may be refreshed or deleted only from there) until
 * it lapses or is deleted; from elsewhere it is 4.03 Forbidden, as is a
 * name the ACL (acl.c) does not give the client, or a device from the
 * settings. The device is reached at base (a numeric address: no name
 * lookups in the event loop, 4.00 otherwise), else at the address and
 * port the registration came from. Registered, it gets a retained "online" on
 * {prefix}dev/NAME/status; when its lifetime lapses (default 90000 s,
 * §5.3) or it is deleted, a retained "offline". A status the broker could
 * not take yet is sent again on reconnect.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <gnutls/crypto.h>

#include "kcoapd.h"

#define RD_LT_DEFAULT 90000

struct device {
	char name[64];
	struct sockaddr_in6 addr;
	uint8_t owner[16];		/* its address, or DTLS identity (owner_of()) */
	uint32_t id;			/* 0: from the configuration */
	uint64_t expires;		/* ms */
	bool online;			/* registered; else going (offline) */
	bool told;			/* the broker has the status */
};

static struct device *devs;
static size_t n_devs, devs_max;
static uint32_t lt_max, next_id = 1;

/* HOST[:PORT] or [V6]:PORT into @sa (a v6 socket address, v4 mapped). */
static int parse_host(const char *s, size_t len, struct sockaddr_in6 *sa, bool numeric)
{
	char host[256], port[8] = "5683";
	struct addrinfo hints = { .ai_family = AF_INET6, .ai_socktype = SOCK_DGRAM,
				  .ai_flags = AI_V4MAPPED | AI_ADDRCONFIG };
	struct addrinfo *res;
	const char *colon;

	if (!len || len >= sizeof(host))
		return -EINVAL;
	if (*s == '[') {
		const char *end = memchr(s, ']', len);

		if (!end)
			return -EINVAL;
		snprintf(host, sizeof(host), "%.*s", (int)(end - s - 1), s + 1);
		colon = end + 1 < s + len ? end + 1 : NULL;
		if (colon && *colon != ':')
			return -EINVAL;
	} else {
		colon = memchr(s, ':', len);
		snprintf(host, sizeof(host), "%.*s", (int)((colon ? colon : s + len) - s), s);
	}
	if (colon) {
		size_t n = (size_t)(s + len - colon - 1);

		if (!n || n >= sizeof(port))
			return -EINVAL;
		memcpy(port, colon + 1, n);
		port[n] = 0;
	}
	hints.ai_flags &= ~AI_ADDRCONFIG;
	if (numeric)
		hints.ai_flags |= AI_NUMERICHOST | AI_NUMERICSERV;
	if (getaddrinfo(host, port, &hints, &res))
		return -EINVAL;
	memcpy(sa, res->ai_addr, sizeof(*sa));
	freeaddrinfo(res);
	return 0;
}

static struct device *by_name(const char *name);
static bool name_ok(const uint8_t *v, uint16_t n);

static uint64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void hex(FILE *f, const uint8_t *b, size_t n)
{
	while (n--)
		fprintf(f, "%02x", *b++);
}

static bool unhex(const char *s, uint8_t *b, size_t n)
{
	unsigned int x;

	if (strlen(s) != 2 * n)
		return false;
	for (; n--; s += 2) {
		if (sscanf(s, "%2x", &x) != 1)
			return false;
		*b++ = (uint8_t)x;
	}
	return true;
}

/*
 * On disk: "kcoapd-devices 1", "next-id N", then one line per registration:
 * NAME ID OWNER ADDRESS PORT EXPIRES ONLINE TOLD (addresses in hex, the
 * expiry in Unix ms: the monotonic clock starts again at a reboot).
 */
void rd_save(FILE *f)
{
	uint64_t now = now_ms(), wall = wall_ms();
	size_t i;

	fprintf(f, "kcoapd-devices 1\nnext-id %u\n", next_id);
	for (i = 0; i < n_devs; i++) {
		const struct device *dv = &devs[i];

		if (!dv->id)
			continue;	/* from the settings */
		fprintf(f, "%s %u ", dv->name, dv->id);
		hex(f, dv->owner, 16);
		fputc(' ', f);
		hex(f, dv->addr.sin6_addr.s6_addr, 16);
		fprintf(f, " %u %llu %d %d\n", ntohs(dv->addr.sin6_port),
			(unsigned long long)(wall + (dv->expires > now ? dv->expires - now : 0)),
			dv->online, dv->told);
	}
}

void rd_load(FILE *f)
{
	char name[64], owner[40], addr[40];
	unsigned long long expires;
	unsigned int id, port;
	int online, told;
	uint64_t now = now_ms(), wall = wall_ms();
	size_t n = 0;

	if (fscanf(f, "kcoapd-devices 1 next-id %u", &next_id) != 1) {
		kcoapd_log(LOG_ERR, "state: devices: not a devices file: ignored");
		next_id = 1;
		return;
	}
	while (fscanf(f, "%63s %u %39s %39s %u %llu %d %d", name, &id, owner, addr, &port,
		      &expires, &online, &told) == 8) {
		struct device *dv = &devs[n_devs];

		if (n_devs == devs_max || !id || port > 65535 ||
		    !name_ok((const uint8_t *)name, (uint16_t)strlen(name)) || by_name(name))
			continue;
		memset(dv, 0, sizeof(*dv));
		snprintf(dv->name, sizeof(dv->name), "%s", name);
		dv->addr.sin6_family = AF_INET6;
		dv->addr.sin6_port = htons((uint16_t)port);
		if (!unhex(owner, dv->owner, 16) || !unhex(addr, dv->addr.sin6_addr.s6_addr, 16))
			continue;
		dv->id = id;
		dv->online = online;
		dv->told = false;	/* say it again, retained, at the connect */
		dv->expires = expires > wall ? now + (expires - wall) : now;
		if (id >= next_id)
			next_id = id + 1;
		n_devs++;
		n++;
	}
	(void)told;
	kcoapd_log(LOG_INFO, "state: %zu registrations read back", n);
}

static void tell(struct device *dv)
{
	char rest[128], topic[512];
	const char *v = dv->online ? "online" : "offline";

	snprintf(rest, sizeof(rest), "dev/%s/status", dv->name);
	dv->told = !mqtt_publish(mqtt_topic(rest, topic, sizeof(topic)), v, strlen(v), 1,
				 true, NULL, NULL, true);
}

int rd_init(const struct kcoapd_config *c)
{
	size_t i;

	lt_max = c->rd_lifetime_max;
	devs_max = c->devices_max + c->n_devices;
	devs = calloc(devs_max, sizeof(*devs));
	if (!devs)
		return -ENOMEM;
	for (i = 0; i < c->n_devices; i++) {
		struct device *dv = &devs[n_devs];

		snprintf(dv->name, sizeof(dv->name), "%s", c->devices[i][0]);
		if (parse_host(c->devices[i][1], strlen(c->devices[i][1]), &dv->addr, false)) {
			fprintf(stderr, "kcoapd: device %s: cannot resolve '%s' (HOST[:PORT])\n",
				c->devices[i][0], c->devices[i][1]);
			return -EINVAL;
		}
		dv->online = true;
		n_devs++;
	}
	return 0;
}

static struct device *by_name(const char *name)
{
	size_t i;

	for (i = 0; i < n_devs; i++)
		if (devs[i].online && !strcmp(devs[i].name, name))
			return &devs[i];
	return NULL;
}

static struct device *by_id(uint32_t id)
{
	size_t i;

	for (i = 0; i < n_devs; i++)
		if (devs[i].online && devs[i].id == id)
			return &devs[i];
	return NULL;
}

bool rd_lookup(const char *name, struct sockaddr_in6 *addr)
{
	struct device *dv = by_name(name);

	if (dv)
		*addr = dv->addr;
	return dv;
}

/* ep: a name that is also one topic level. */
static bool name_ok(const uint8_t *v, uint16_t n)
{
	uint16_t i;

	if (!n || n >= 64)
		return false;
	for (i = 0; i < n; i++)
		if (v[i] <= ' ' || v[i] == '/' || v[i] == '+' || v[i] == '#' || v[i] >= 0x7f)
			return false;
	return true;
}

static long lifetime(const struct coap_msg *req)
{
	const uint8_t *v;
	uint16_t n;
	char buf[12], *end;
	long lt;

	if (!coap_uri_query_find(req, "lt", &v, &n))
		return RD_LT_DEFAULT < lt_max ? RD_LT_DEFAULT : lt_max;
	if (!n || n >= sizeof(buf))
		return -1;
	memcpy(buf, v, n);
	buf[n] = 0;
	lt = strtol(buf, &end, 10);
	return *end || lt < 1 || lt > (long)lt_max ? -1 : lt;
}

/*
 * Who a registration belongs to: the client's address, or for a request
 * over DTLS with an identity, that identity (so the device keeps its name
 * from a new address, and another identity behind the same NAT cannot take
 * it): ff00::/8 (a multicast address, never a source) with 120 bits of its
 * SHA-256, in the same 16 bytes the devices file keeps.
 */
static void owner_of(const struct kcoap_req_desc *d, uint8_t owner[16])
{
	const char *ident = req_identity(d);
	uint8_t md[32];

	if (!ident || gnutls_hash_fast(GNUTLS_DIG_SHA256, ident, strlen(ident), md)) {
		memcpy(owner, d->addr, 16);
		return;
	}
	owner[0] = 0xff;
	memcpy(owner + 1, md, 15);
}

static void do_register(const struct kcoap_req_desc *d, const struct coap_msg *req,
			struct answer *a)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };
	struct coap_builder b;
	struct device *dv;
	const uint8_t *ep, *base;
	uint16_t ep_len, base_len;
	long lt = lifetime(req);
	char id[12], name[64];
	uint8_t owner[16];

	if (!coap_uri_query_find(req, "ep", &ep, &ep_len) || !name_ok(ep, ep_len) || lt < 0) {
		answer_code(a, COAP_CODE_BAD_REQUEST);
		return;
	}
	if (coap_uri_query_find(req, "base", &base, &base_len)) {
		if (base_len < 8 || memcmp(base, "coap://", 7) ||
		    parse_host((const char *)base + 7, base_len - 7 -
			       (base[base_len - 1] == '/'), &sa, true)) {
			answer_code(a, COAP_CODE_BAD_REQUEST);
			return;
		}
	} else {
		memcpy(&sa.sin6_addr, d->addr, sizeof(sa.sin6_addr));
		sa.sin6_port = d->port;
	}
	snprintf(name, sizeof(name), "%.*s", (int)ep_len, (const char *)ep);
	dv = by_name(name);
	owner_of(d, owner);
	/* Configured, another owner's, or not this client's to take. */
	if ((dv && (!dv->id || memcmp(dv->owner, owner, 16))) ||
	    !acl_check(d->addr, req_identity(d), ACL_RD, ACL_WRITE, name)) {
		kcoapd_log(LOG_NOTICE, "rd: registration of %s refused: %s", name,
			   dv ? "the name is taken" : "not in the ACL");
		answer_code(a, COAP_CODE_FORBIDDEN);
		return;
	}
	if (!dv) {
		if (n_devs == devs_max) {
			answer_unavailable(a, 60);
			return;
		}
		dv = &devs[n_devs++];
		memset(dv, 0, sizeof(*dv));
		snprintf(dv->name, sizeof(dv->name), "%s", name);
		dv->id = next_id++;
		dv->online = true;
		memcpy(dv->owner, owner, 16);
		kcoapd_log(LOG_INFO, "rd: %s registered for %ld s", dv->name, lt);
	}
	dv->addr = sa;
	dv->expires = now_ms() + (uint64_t)lt * 1000;
	state_dirty(STATE_DEVICES);
	tell(dv);
	answer_begin(a, &b, COAP_CODE_CREATED);
	snprintf(id, sizeof(id), "%u", dv->id);
	coap_build_opt_str(&b, COAP_OPT_LOCATION_PATH, "rd");
	coap_build_opt_str(&b, COAP_OPT_LOCATION_PATH, id);
	answer_end(a, &b);
}

void rd_handle(const struct kcoap_req_desc *d, const struct coap_msg *req,
	       const char *path, struct answer *a)
{
	struct device *dv;
	uint8_t owner[16];
	char *end;
	unsigned long id;
	long lt;

	a->delay_ms = 0;
	if (!strcmp(path, "/rd")) {
		if (req->code == COAP_CODE_POST)
			do_register(d, req, a);
		else
			answer_code(a, COAP_CODE_METHOD_NOT_ALLOWED);
		return;
	}
	id = strtoul(path + 4, &end, 10);
	dv = strncmp(path, "/rd/", 4) || *end || id > UINT32_MAX ? NULL : by_id((uint32_t)id);
	if (!dv || !id) {
		answer_code(a, COAP_CODE_NOT_FOUND);
		return;
	}
	owner_of(d, owner);
	if (memcmp(dv->owner, owner, 16)) {
		answer_code(a, COAP_CODE_FORBIDDEN);	/* not its owner */
		return;
	}
	switch (req->code) {
	case COAP_CODE_POST:
		lt = lifetime(req);
		if (lt < 0) {
			answer_code(a, COAP_CODE_BAD_REQUEST);
			return;
		}
		dv->expires = now_ms() + (uint64_t)lt * 1000;
		state_dirty(STATE_DEVICES);
		answer_code(a, COAP_CODE_CHANGED);
		return;
	case COAP_CODE_DELETE:
		kcoapd_log(LOG_INFO, "rd: %s deleted its registration", dv->name);
		dv->online = false;
		state_dirty(STATE_DEVICES);
		tell(dv);
		answer_code(a, COAP_CODE_DELETED);
		return;
	default:
		answer_code(a, COAP_CODE_METHOD_NOT_ALLOWED);
	}
}

void rd_connected(void)
{
	size_t i;

	for (i = 0; i < n_devs; i++)
		if (devs[i].id && !devs[i].told)
			tell(&devs[i]);
}

void rd_tick(uint64_t now)
{
	size_t i = 0;

	while (i < n_devs) {
		struct device *dv = &devs[i];

		if (dv->id && dv->online && now >= dv->expires) {
			kcoapd_log(LOG_INFO, "rd: %s's registration lapsed", dv->name);
			dv->online = false;
			state_dirty(STATE_DEVICES);
			tell(dv);
		}
		/*
		 * Gone once its "offline" is published, or queued for the
		 * broker's return (mqtt_publish() keeps it).
		 */
		if (!dv->online) {
			if (!dv->told)
				tell(dv);
			if (dv->told) {
				if (dv->id)
					state_dirty(STATE_DEVICES);
				*dv = devs[--n_devs];
				continue;
			}
		}
		i++;
	}
}

void rd_status(FILE *f)
{
	uint64_t now = now_ms();
	char addr[INET6_ADDRSTRLEN];
	size_t i, n = 0;

	for (i = 0; i < n_devs; i++)
		n += devs[i].online;
	fprintf(f, "devices %zu %zu\n", n, devs_max);
	for (i = 0; i < n_devs; i++) {
		const struct device *dv = &devs[i];

		if (!dv->online)
			continue;
		inet_ntop(AF_INET6, &dv->addr.sin6_addr, addr, sizeof(addr));
		fprintf(f, "device %s %s %u ", dv->name,
			!strncmp(addr, "::ffff:", 7) && strchr(addr, '.') ? addr + 7 : addr,
			ntohs(dv->addr.sin6_port));
		if (dv->id)
			fprintf(f, "%llu\n", (unsigned long long)(dv->expires > now ?
				(dv->expires - now) / 1000 : 0));
		else
			fputs("static\n", f);
	}
}

size_t rd_count(void)
{
	size_t i, n = 0;

	for (i = 0; i < n_devs; i++)
		n += devs[i].online;
	return n;
}
