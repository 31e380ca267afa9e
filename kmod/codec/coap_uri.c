// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Uri-Path and Uri-Query matching (RFC 7252 §5.10.1, §6.4).
 */
#include "coap.h"

static bool coap_opt_eq(const struct coap_msg *m, const struct coap_opt *o,
			const char *s, size_t n)
{
	return o->len == n && !memcmp(coap_opt_value(m, o), s, n);
}

bool coap_uri_path_prefix(const struct coap_msg *m, const char *prefix,
			  const struct coap_opt **rest)
{
	const struct coap_opt *o = coap_opt_find(m, COAP_OPT_URI_PATH);
	const char *s = prefix;

	/* "/" and "" both name the root, which has no Uri-Path (§6.4). */
	if (*s == '/')
		s++;
	while (*s) {
		size_t n = 0;

		while (s[n] && s[n] != '/')
			n++;
		if (!o || !coap_opt_eq(m, o, s, n))
			return false;
		o = coap_opt_next(m, o);
		s += n;
		if (!*s)
			break;
		s++;
		/* A trailing '/' stands for one more, empty, segment. */
		if (!*s) {
			if (!o || o->len)
				return false;
			o = coap_opt_next(m, o);
		}
	}
	if (rest)
		*rest = o;
	return true;
}

bool coap_uri_path_match(const struct coap_msg *m, const char *path)
{
	const struct coap_opt *rest;

	return coap_uri_path_prefix(m, path, &rest) && !rest;
}

bool coap_uri_query_find(const struct coap_msg *m, const char *key,
			 const u8 **val, u16 *len)
{
	const struct coap_opt *o;
	size_t klen = strlen(key);

	for (o = coap_opt_find(m, COAP_OPT_URI_QUERY); o;
	     o = coap_opt_next(m, o)) {
		const u8 *v = coap_opt_value(m, o);

		if (o->len < klen || memcmp(v, key, klen))
			continue;
		if (o->len == klen) {
			*val = v + klen;
			*len = 0;
			return true;
		}
		if (v[klen] == '=') {
			*val = v + klen + 1;
			*len = (u16)(o->len - klen - 1);
			return true;
		}
	}
	return false;
}
