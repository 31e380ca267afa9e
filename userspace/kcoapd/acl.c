// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Authorization of CoAP clients (kcoapd(8), ACL FILE), in the spirit of
 * Mosquitto's acl_file:
 *
 *   default                         rules for every client (also the rules
 *                                   before any section line)
 *   address CIDR...                 rules for clients in these prefixes
 *   identity NAME...                rules for DTLS clients with these
 *                                   identities (PSK identity, or sha256:HEX
 *                                   of a certificate or raw key; globs)
 *   topic read|write|readwrite|deny FILTER   /ps/ (FILTER after the prefix)
 *   store read|write|readwrite|deny PATH     the store (PATH with + and #)
 *   rd register|deny NAME                    /rd names (a glob, fnmatch(3))
 *
 * A request is checked against the rules of the identity sections that
 * name its DTLS session's identity, then those of the address sections that
 * hold its client, longest prefix first, then those of the default sections,
 * in file order: the first rule of its kind that speaks of the subject decides.
 * A grant speaks of a subject it covers whole (a GET of "a/+" is covered by
 * "a/#", not by "a/b"); a deny of any subject it overlaps ("#" overlaps
 * "cmd/#"). No rule: refused.
 * A line whose first word starts with '#' is a comment ('#' is a topic
 * pattern elsewhere on a line).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kcoapd.h"

struct acl_rule {
	enum acl_kind kind;
	int perm;			/* ACL_READ | ACL_WRITE; 0: deny */
	char *pattern;
};

struct acl_section {
	bool any;			/* the default section */
	uint8_t net[KCOAPD_MAX_PREFIXES][16];
	unsigned int bits[KCOAPD_MAX_PREFIXES];
	unsigned int n_nets;
	char *ids[KCOAPD_MAX_PREFIXES];	/* an identity section's names */
	unsigned int n_ids;
	struct acl_rule *rules;
	size_t n_rules;
};

struct acl {
	struct acl_section *sections;
	size_t n_sections;
};

/* The next level of @s (up to '/' or the end) and its length; NULL at the end. */
static const char *level(const char *s, size_t *n)
{
	const char *slash = strchr(s, '/');

	*n = slash ? (size_t)(slash - s) : strlen(s);
	return s;
}

static bool is(const char *l, size_t n, char c)
{
	return n == 1 && l[0] == c;
}

/* After the level at @s of length @n: the next one, or NULL. */
static const char *next(const char *s, size_t n)
{
	return s[n] == '/' ? s + n + 1 : NULL;
}

bool acl_filter_within(const char *f, const char *p)
{
	size_t fn, pn;

	for (;;) {
		if (!p)
			return !f;
		level(p, &pn);
		if (is(p, pn, '#'))
			return true;		/* "a/#" covers "a" and all below */
		if (!f)
			return false;
		level(f, &fn);
		if (is(f, fn, '#'))
			return false;
		if (is(f, fn, '+')) {
			if (!is(p, pn, '+'))
				return false;
		} else if (!is(p, pn, '+') && (fn != pn || memcmp(f, p, fn))) {
			return false;
		}
		f = next(f, fn);
		p = next(p, pn);
	}
}

bool acl_filter_overlaps(const char *f, const char *p)
{
	size_t fn, pn;

	for (;;) {
		if (!f || !p) {
			/* "a" and "a/#" meet at "a". */
			const char *rest = f ? f : p;

			if (!rest)
				return true;
			level(rest, &fn);
			return is(rest, fn, '#');
		}
		level(f, &fn);
		level(p, &pn);
		if (is(f, fn, '#') || is(p, pn, '#'))
			return true;
		if (!is(f, fn, '+') && !is(p, pn, '+') && (fn != pn || memcmp(f, p, fn)))
			return false;
		f = next(f, fn);
		p = next(p, pn);
	}
}

void acl_free(struct acl *acl)
{
	size_t i, j;

	if (!acl)
		return;
	for (i = 0; i < acl->n_sections; i++) {
		for (j = 0; j < acl->sections[i].n_rules; j++)
			free(acl->sections[i].rules[j].pattern);
		free(acl->sections[i].rules);
		for (j = 0; j < acl->sections[i].n_ids; j++)
			free(acl->sections[i].ids[j]);
	}
	free(acl->sections);
	free(acl);
}

static struct acl_section *section(struct acl *acl)
{
	struct acl_section *s = realloc(acl->sections, (acl->n_sections + 1) * sizeof(*s));

	if (!s)
		return NULL;
	acl->sections = s;
	s = &s[acl->n_sections++];
	memset(s, 0, sizeof(*s));
	return s;
}

static int rule(struct acl_section *s, enum acl_kind kind, int perm, const char *pattern)
{
	struct acl_rule *r = realloc(s->rules, (s->n_rules + 1) * sizeof(*r));

	if (!r)
		return -ENOMEM;
	s->rules = r;
	r = &r[s->n_rules];
	r->pattern = strdup(pattern);
	if (!r->pattern)
		return -ENOMEM;
	r->kind = kind;
	r->perm = perm;
	s->n_rules++;
	return 0;
}

/* A.B.C.D[/N] or V6[/N] into @net (v4 mapped) and @bits. */
static int cidr(const char *s, uint8_t net[16], unsigned int *bits)
{
	char buf[64], *slash, *end;
	struct in_addr v4;
	unsigned long n;
	unsigned int max, i;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = 0;
	memset(net, 0, 16);
	if (inet_pton(AF_INET, buf, &v4) == 1) {
		net[10] = net[11] = 0xff;
		memcpy(net + 12, &v4, 4);
		max = 32;
	} else if (inet_pton(AF_INET6, buf, net) == 1) {
		max = 128;
	} else {
		return -EINVAL;
	}
	n = max;
	if (slash) {
		n = strtoul(slash, &end, 10);
		if (!*slash || *end || n > max)
			return -EINVAL;
	}
	*bits = (unsigned int)n + 128 - max;
	/* Host bits must be zero, as ip(8) wants for a route. */
	for (i = *bits; i < 128; i++)
		if (net[i / 8] & (0x80 >> (i % 8)))
			return -EINVAL;
	return 0;
}

static bool in_net(const uint8_t addr[16], const uint8_t net[16], unsigned int bits)
{
	unsigned int full = bits / 8, rest = bits % 8;

	if (memcmp(addr, net, full))
		return false;
	return !rest || !((addr[full] ^ net[full]) & (0xff00 >> rest));
}

static bool pattern_ok(enum acl_kind kind, const char *p)
{
	const char *l = p;
	size_t n;

	if (kind == ACL_RD)
		return *p && strlen(p) < 64;
	if (!*p || strlen(p) > 400)
		return false;
	for (; l; l = next(l, n)) {
		level(l, &n);
		if ((memchr(l, '+', n) || memchr(l, '#', n)) && n != 1)
			return false;
		if (is(l, n, '#') && l[n])
			return false;
	}
	return true;
}

static int acl_line(struct acl *acl, struct acl_section **cur, char **w, int n,
		    const char *where)
{
	static const char *const kinds[] = { "topic", "store", "rd" };
	struct acl_section *s;
	unsigned int k;
	int perm, i;

	if (!strcmp(w[0], "default") || !strcmp(w[0], "address")) {
		bool any = !strcmp(w[0], "default");

		if (any ? n != 1 : n < 2 || n - 1 > KCOAPD_MAX_PREFIXES) {
			fprintf(stderr, "kcoapd: %s: want \"%s\"\n", where,
				any ? "default" : "address CIDR...\" (at most 16");
			return -EINVAL;
		}
		s = section(acl);
		if (!s)
			return -ENOMEM;
		s->any = any;
		for (i = 1; i < n; i++, s->n_nets++)
			if (cidr(w[i], s->net[s->n_nets], &s->bits[s->n_nets])) {
				fprintf(stderr, "kcoapd: %s: address '%s': want A.B.C.D[/N] or an IPv6 address[/N], host bits zero\n",
					where, w[i]);
				return -EINVAL;
			}
		*cur = s;
		return 0;
	}
	if (!strcmp(w[0], "identity")) {
		if (n < 2 || n - 1 > KCOAPD_MAX_PREFIXES) {
			fprintf(stderr, "kcoapd: %s: want \"identity NAME...\" (at most %d)\n", where,
				KCOAPD_MAX_PREFIXES);
			return -EINVAL;
		}
		s = section(acl);
		if (!s)
			return -ENOMEM;
		for (i = 1; i < n; i++) {
			if (!*w[i] || strlen(w[i]) > 128) {
				fprintf(stderr, "kcoapd: %s: identity '%s': 1 to 128 bytes\n", where,
					w[i]);
				return -EINVAL;
			}
			s->ids[s->n_ids] = strdup(w[i]);
			if (!s->ids[s->n_ids])
				return -ENOMEM;
			s->n_ids++;
		}
		*cur = s;
		return 0;
	}
	for (k = 0; k < 3 && strcmp(w[0], kinds[k]); k++)
		;
	if (k == 3) {
		fprintf(stderr, "kcoapd: %s: unknown rule '%s' (default, address, topic, store, rd)\n",
			where, w[0]);
		return -EINVAL;
	}
	if (n != 3) {
		fprintf(stderr, "kcoapd: %s: want \"%s %s PATTERN\"\n", where, w[0],
			k == ACL_RD ? "register|deny" : "read|write|readwrite|deny");
		return -EINVAL;
	}
	if (!strcmp(w[1], "deny"))
		perm = 0;
	else if (k == ACL_RD && !strcmp(w[1], "register"))
		perm = ACL_WRITE;
	else if (k != ACL_RD && !strcmp(w[1], "read"))
		perm = ACL_READ;
	else if (k != ACL_RD && !strcmp(w[1], "write"))
		perm = ACL_WRITE;
	else if (k != ACL_RD && !strcmp(w[1], "readwrite"))
		perm = ACL_READ | ACL_WRITE;
	else {
		fprintf(stderr, "kcoapd: %s: %s '%s': want %s\n", where, w[0], w[1],
			k == ACL_RD ? "register or deny" : "read, write, readwrite or deny");
		return -EINVAL;
	}
	if (!pattern_ok((enum acl_kind)k, w[2])) {
		fprintf(stderr, "kcoapd: %s: %s pattern '%s': %s\n", where, w[0], w[2],
			k == ACL_RD ? "a name or glob of at most 63 bytes" :
			"'+' and '#' only as whole levels, '#' last");
		return -EINVAL;
	}
	if (!*cur) {
		*cur = section(acl);
		if (!*cur)
			return -ENOMEM;
		(*cur)->any = true;
	}
	return rule(*cur, (enum acl_kind)k, perm, w[2]);
}

struct acl *acl_load(const char *path)
{
	struct acl *acl = calloc(1, sizeof(*acl));
	struct acl_section *cur = NULL;
	char *buf = NULL, where[300], *w[KCOAPD_MAX_PREFIXES + 2];
	size_t cap = 0;
	int line = 0, err = 0, n;
	FILE *f = fopen(path, "r");

	if (!f || !acl) {
		fprintf(stderr, "kcoapd: acl-file %s: %s\n", path, strerror(errno));
		free(acl);
		if (f)
			fclose(f);
		return NULL;
	}
	while (!err && getline(&buf, &cap, f) >= 0) {
		line++;
		snprintf(where, sizeof(where), "%s:%d", path, line);
		n = kcoapd_words(buf, w, KCOAPD_MAX_PREFIXES + 2, false);
		if (n < 0) {
			fprintf(stderr, "kcoapd: %s: %s\n", where,
				n == -E2BIG ? "too many words" : "a quote is not closed");
			err = -EINVAL;
		} else if (n) {
			err = acl_line(acl, &cur, w, n, where);
			if (err == -ENOMEM)
				fprintf(stderr, "kcoapd: %s: out of memory\n", where);
		}
	}
	free(buf);
	fclose(f);
	if (err) {
		acl_free(acl);
		return NULL;
	}
	return acl;
}

struct acl *acl_builtin(void)
{
	/* The gateway's own topics: commands, their responses, statuses. */
	static const char *const own[] = { "cmd/#", "rsp/#", "status", "dev/#", "stats" };
	struct acl *acl = calloc(1, sizeof(*acl));
	struct acl_section *s = acl ? section(acl) : NULL;
	size_t i;
	int err = 0;

	if (!s) {
		free(acl);
		return NULL;
	}
	s->any = true;
	for (i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		err |= rule(s, ACL_TOPIC, 0, own[i]);
	err |= rule(s, ACL_TOPIC, ACL_READ | ACL_WRITE, "#");
	err |= rule(s, ACL_STORE, ACL_READ | ACL_WRITE, "#");
	err |= rule(s, ACL_RD, ACL_WRITE, "*");
	if (err) {
		acl_free(acl);
		return NULL;
	}
	return acl;
}

/* The decision of @s's rules: 1 grant, 0 deny, -1 none speaks. */
static int decide(const struct acl_section *s, enum acl_kind kind, int perm,
		  const char *subject)
{
	size_t i;

	for (i = 0; i < s->n_rules; i++) {
		const struct acl_rule *r = &s->rules[i];

		if (r->kind != kind)
			continue;
		if (kind == ACL_RD) {
			if (!fnmatch(r->pattern, subject, 0))
				return r->perm & perm ? 1 : 0;
			continue;
		}
		if (!r->perm) {
			if (acl_filter_overlaps(subject, r->pattern))
				return 0;
		} else if ((r->perm & perm) == perm && acl_filter_within(subject, r->pattern)) {
			return 1;
		}
	}
	return -1;
}

/* The longest prefix of @s holding @addr, or -1. */
static int match_bits(const struct acl_section *s, const uint8_t addr[16])
{
	int best = -1;
	unsigned int i;

	for (i = 0; i < s->n_nets; i++)
		if ((int)s->bits[i] > best && in_net(addr, s->net[i], s->bits[i]))
			best = (int)s->bits[i];
	return best;
}

static bool names(const struct acl_section *s, const char *identity)
{
	unsigned int i;

	for (i = 0; i < s->n_ids; i++)
		if (!fnmatch(s->ids[i], identity, 0))
			return true;
	return false;
}

bool acl_allows(const struct acl *acl, const uint8_t addr[16], const char *identity,
		enum acl_kind kind, int perm, const char *subject)
{
	int bits, d;
	size_t i;

	if (!acl)
		return false;
	/* The DTLS identity's sections, in file order. */
	for (i = 0; identity && i < acl->n_sections; i++)
		if (names(&acl->sections[i], identity)) {
			d = decide(&acl->sections[i], kind, perm, subject);
			if (d >= 0)
				return d;
		}
	/* Address sections, longest prefix first; then the default ones. */
	for (bits = 128; bits >= 0; bits--)
		for (i = 0; i < acl->n_sections; i++) {
			const struct acl_section *s = &acl->sections[i];

			if (s->any || s->n_ids || match_bits(s, addr) != bits)
				continue;
			d = decide(s, kind, perm, subject);
			if (d >= 0)
				return d;
		}
	for (i = 0; i < acl->n_sections; i++)
		if (acl->sections[i].any) {
			d = decide(&acl->sections[i], kind, perm, subject);
			if (d >= 0)
				return d;
		}
	return false;
}

static struct acl *in_force;

void acl_use(struct acl *acl)
{
	acl_free(in_force);
	in_force = acl;
}

bool acl_check(const uint8_t addr[16], const char *identity, enum acl_kind kind, int perm,
	       const char *subject)
{
	return acl_allows(in_force, addr, identity, kind, perm, subject);
}
