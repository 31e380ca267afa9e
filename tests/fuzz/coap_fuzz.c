// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * libFuzzer target for the CoAP codec. Any input must parse without a
 * memory or UB error; when it parses, serializing it again and parsing the
 * result must give the same message, and (with no elective option dropped)
 * the very same bytes, since every number and length has one encoding.
 * The query, path, block and content-format helpers are run on the parsed
 * fields too. A mismatch aborts, which libFuzzer reports as a crash.
 */
#include <stdio.h>
#include <stdlib.h>

#include "coap.h"

#define FUZZ_ASSERT(cond)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "assertion failed: %s (%s:%d)\n", \
				#cond, __FILE__, __LINE__);		\
			abort();					\
		}							\
	} while (0)

static const struct coap_link fuzz_link = {
	.href = "/sensors/temp", .rt = "temperature-c core.s",
	.ifd = "sensor", .title = "T\"x\\", .ct = 50, .sz = 64, .obs = true,
};

static bool same_msg(const struct coap_msg *a, const struct coap_msg *b)
{
	unsigned int i;

	if (a->type != b->type || a->code != b->code || a->mid != b->mid ||
	    a->tkl != b->tkl || a->nopts != b->nopts || b->nignored ||
	    a->payload_len != b->payload_len ||
	    memcmp(coap_token(a), coap_token(b), a->tkl))
		return false;
	for (i = 0; i < a->nopts; i++)
		if (a->opts[i].num != b->opts[i].num ||
		    a->opts[i].len != b->opts[i].len ||
		    memcmp(coap_opt_value(a, &a->opts[i]),
			   coap_opt_value(b, &b->opts[i]), a->opts[i].len))
			return false;
	return !a->payload_len ||
	       !memcmp(a->payload, b->payload, a->payload_len);
}

static void exercise_helpers(const struct coap_msg *m)
{
	const struct coap_opt *o, *rest;
	struct coap_block blk;
	const u8 *val;
	u32 off, len, u;
	u16 vlen;
	unsigned int i;

	for (i = 0; i < m->nopts; i++) {
		const struct coap_opt_def *d = coap_opt_def(m->opts[i].num);

		/* Stored options are in range and ascending (§3.1). */
		FUZZ_ASSERT(m->opts[i].off + m->opts[i].len <= m->len);
		FUZZ_ASSERT(!i || m->opts[i - 1].num <= m->opts[i].num);
		FUZZ_ASSERT(!d || (m->opts[i].len >= d->min_len &&
				   m->opts[i].len <= d->max_len));
		if (m->opts[i].len <= 4)
			FUZZ_ASSERT(!coap_uint_decode(coap_opt_value(m,
						      &m->opts[i]),
						      m->opts[i].len, &u));
	}
	for (o = coap_opt_find(m, COAP_OPT_URI_QUERY); o;
	     o = coap_opt_next(m, o))
		coap_link_match(&fuzz_link, coap_opt_value(m, o), o->len);
	coap_link_match_req(&fuzz_link, m);
	coap_uri_path_match(m, "/.well-known/core");
	coap_uri_path_prefix(m, "a//", &rest);
	coap_uri_query_find(m, "rt", &val, &vlen);
	if (!coap_block_get(m, COAP_OPT_BLOCK2, &blk)) {
		struct coap_block raw = blk;

		if (!coap_block_window(&blk, 4, m->payload_len, &off, &len))
			FUZZ_ASSERT(off + len <= m->payload_len &&
				    blk.num <= COAP_BLOCK_MAX_NUM &&
				    blk.szx <= 4);
		/* Out-of-range NUM from a caller: no overflow, no slice. */
		raw.num |= (u32)m->mid << 16;
		if (!coap_block_window(&raw, 0, m->payload_len, &off, &len))
			FUZZ_ASSERT((u64)off + len <= m->payload_len);
	}
	coap_block_get(m, COAP_OPT_BLOCK1, &blk);
	if (m->payload)
		coap_cf_from_name((const char *)m->payload, m->payload_len);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static u8 out[COAP_MAX_MSG_LEN + 1];
	struct coap_msg m, m2;
	int err, n, n0;
	u8 *small;

	err = coap_parse(&m, data, size);
	if (err) {
		enum coap_err_class c = coap_err_class(err);

		FUZZ_ASSERT(c != COAP_ERRC_NONE && c != COAP_ERRC_OTHER);
		FUZZ_ASSERT(*coap_strerror(err));
		/* The caller may RST or answer 4.02 from these fields. */
		if (c != COAP_ERRC_DROP)
			FUZZ_ASSERT(COAP_HDR_LEN + (size_t)m.tkl <= size);
		return 0;
	}
	exercise_helpers(&m);

	n0 = coap_build_msg(NULL, 0, &m);
	n = coap_build_msg(out, sizeof(out), &m);
	FUZZ_ASSERT(n > 0 && n == n0);
	if (!m.nignored)
		FUZZ_ASSERT((size_t)n == size && !memcmp(out, data, size));
	FUZZ_ASSERT(!coap_parse(&m2, out, (size_t)n));
	FUZZ_ASSERT(same_msg(&m, &m2));

	/* Too small a buffer: reported, and ASan checks nothing spills. */
	small = malloc((size_t)n - 1);
	FUZZ_ASSERT(small);
	FUZZ_ASSERT(coap_build_msg(small, (size_t)n - 1, &m) ==
		    -COAP_ERR_NOSPACE);
	free(small);
	return 0;
}
