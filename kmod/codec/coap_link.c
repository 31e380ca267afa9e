// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * CoRE Link Format writer and /.well-known/core query filter (RFC 6690,
 * RFC 7252 §7.2).
 */
#include "coap.h"

void coap_link_writer_init(struct coap_link_writer *w, u8 *buf, size_t off,
			   size_t cap)
{
	w->buf = buf;
	w->off = off;
	w->cap = buf ? cap : 0;
	w->pos = 0;
	w->nlinks = 0;
}

size_t coap_link_stored(const struct coap_link_writer *w)
{
	if (w->pos <= w->off)
		return 0;
	return w->pos - w->off < w->cap ? w->pos - w->off : w->cap;
}

/* Emit document bytes [pos, pos + n), keeping those inside the window. */
static void coap_lw_put(struct coap_link_writer *w, const char *s, size_t n)
{
	size_t lo = w->pos, hi = w->pos + n;

	if (lo < w->off)
		lo = w->off;
	if (hi > w->off + w->cap)
		hi = w->off + w->cap;
	if (lo < hi)
		memcpy(w->buf + (lo - w->off), s + (lo - w->pos), hi - lo);
	w->pos += n;
}

static void coap_lw_str(struct coap_link_writer *w, const char *s)
{
	coap_lw_put(w, s, strlen(s));
}

/* A quoted-string (RFC 6690 §2, RFC 2616 §2.2): escape '"' and '\'. */
static void coap_lw_quoted(struct coap_link_writer *w, const char *s)
{
	size_t n;

	coap_lw_put(w, "\"", 1);
	while (*s) {
		for (n = 0; s[n] && s[n] != '"' && s[n] != '\\'; n++)
			;
		coap_lw_put(w, s, n);
		s += n;
		if (*s) {
			coap_lw_put(w, "\\", 1);
			coap_lw_put(w, s, 1);
			s++;
		}
	}
	coap_lw_put(w, "\"", 1);
}

/*
 * A path as a URI-reference (RFC 3986 §3.3): unreserved characters, '/',
 * and the sub-delims and ':' '@' that cannot end the link stay as they are;
 * every other byte, ',' ';' '>' among them, is percent-encoded. A client
 * percent-decodes each segment back into its Uri-Path option (RFC 7252
 * §6.4), so it still names the resource.
 */
static bool coap_lw_href_plain(u8 c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	switch (c) {
	case '-': case '.': case '_': case '~': case '/':
	case '!': case '$': case '&': case '\'': case '(': case ')':
	case '*': case '+': case '=': case ':': case '@':
		return true;
	}
	return false;
}

static void coap_lw_href(struct coap_link_writer *w, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char esc[3] = { '%' };
	size_t n;

	while (*s) {
		for (n = 0; s[n] && coap_lw_href_plain((u8)s[n]); n++)
			;
		coap_lw_put(w, s, n);
		s += n;
		if (*s) {
			esc[1] = hex[(u8)*s >> 4];
			esc[2] = hex[(u8)*s & 15];
			coap_lw_put(w, esc, 3);
			s++;
		}
	}
}

/* Decimal digits of @v into the end of @buf[11]; returns the first one. */
static char *coap_utoa(u32 v, char *buf)
{
	char *p = buf + 10;

	*p = '\0';
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return p;
}

static void coap_lw_attr(struct coap_link_writer *w, const char *name,
			 const char *val)
{
	coap_lw_str(w, name);
	coap_lw_quoted(w, val);
}

static void coap_lw_num(struct coap_link_writer *w, const char *name, u32 v)
{
	char buf[11];

	coap_lw_str(w, name);
	coap_lw_str(w, coap_utoa(v, buf));
}

void coap_link_write(struct coap_link_writer *w, const struct coap_link *l)
{
	/* Links are separated by commas (RFC 6690 §2). */
	if (w->nlinks++)
		coap_lw_put(w, ",", 1);
	coap_lw_put(w, "<", 1);
	coap_lw_href(w, l->href);
	coap_lw_put(w, ">", 1);
	if (l->rt)
		coap_lw_attr(w, ";rt=", l->rt);
	if (l->ifd)
		coap_lw_attr(w, ";if=", l->ifd);
	if (l->ct >= 0)
		coap_lw_num(w, ";ct=", (u32)l->ct);
	if (l->sz)
		coap_lw_num(w, ";sz=", l->sz);
	if (l->obs)
		coap_lw_str(w, ";obs");
	if (l->title)
		coap_lw_attr(w, ";title=", l->title);
}

/* Does @pat (a search value, '*' already removed if @prefix) match? */
static bool coap_lm_eq(const char *a, size_t alen, const u8 *pat,
		       size_t plen, bool prefix)
{
	if (prefix ? alen < plen : alen != plen)
		return false;
	return !memcmp(a, pat, plen);
}

/* Match any of the space-separated values in @a (RFC 6690 §3.1, §4.1). */
static bool coap_lm_list(const char *a, const u8 *pat, size_t plen,
			 bool prefix)
{
	while (*a) {
		size_t n = 0;

		while (a[n] && a[n] != ' ')
			n++;
		if (n && coap_lm_eq(a, n, pat, plen, prefix))
			return true;
		a += n;
		while (*a == ' ')
			a++;
	}
	return false;
}

static bool coap_lm_name(const u8 *q, size_t n, const char *name)
{
	return strlen(name) == n && !memcmp(q, name, n);
}

bool coap_link_match(const struct coap_link *l, const u8 *query, size_t len)
{
	const char *attr = NULL;
	bool list = false, prefix = false;
	char buf[11];
	size_t n = 0;

	while (n < len && query[n] != '=')
		n++;

	if (coap_lm_name(query, n, "href")) {
		attr = l->href;
	} else if (coap_lm_name(query, n, "rt")) {
		attr = l->rt;
		list = true;
	} else if (coap_lm_name(query, n, "if")) {
		attr = l->ifd;
		list = true;
	} else if (coap_lm_name(query, n, "title")) {
		attr = l->title;
	} else if (coap_lm_name(query, n, "ct")) {
		if (l->ct >= 0)
			attr = coap_utoa((u32)l->ct, buf);
	} else if (coap_lm_name(query, n, "sz")) {
		if (l->sz)
			attr = coap_utoa(l->sz, buf);
	} else if (coap_lm_name(query, n, "obs")) {
		/* A flag: present with the empty value. */
		if (l->obs)
			attr = "";
	}
	if (!attr)
		return false;
	if (n == len)
		return true;

	query += n + 1;
	len -= n + 1;
	/* A trailing '*' asks for a prefix match (RFC 6690 §4.1). */
	if (len && query[len - 1] == '*') {
		prefix = true;
		len--;
	}
	if (list)
		return coap_lm_list(attr, query, len, prefix);
	return coap_lm_eq(attr, strlen(attr), query, len, prefix);
}

bool coap_link_match_req(const struct coap_link *l, const struct coap_msg *req)
{
	const struct coap_opt *o;

	for (o = coap_opt_find(req, COAP_OPT_URI_QUERY); o;
	     o = coap_opt_next(req, o))
		if (!coap_link_match(l, coap_opt_value(req, o), o->len))
			return false;
	return true;
}
