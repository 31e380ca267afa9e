// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * KUnit suite "kcoap_codec": the vectors of coap_vectors.h, which the host
 * tests also run, checked in the kernel (where KASAN and UBSAN watch the
 * codec). Datagrams are copied into allocations of their exact size so
 * that any read past the end is caught.
 */
#include <kunit/test.h>
#include <linux/slab.h>

#include "coap_vectors.h"

/* Decode vector notation into an allocation of exactly its size. */
static u8 *coap_kt_bytes(struct kunit *test, const char *notation,
			 size_t *len)
{
	u8 *tmp = kunit_kzalloc(test, COAP_VEC_BUF, GFP_KERNEL);
	u8 *p;
	int n;

	KUNIT_ASSERT_NOT_NULL(test, tmp);
	n = coap_vec_decode(notation, tmp, COAP_VEC_BUF);
	KUNIT_ASSERT_GE_MSG(test, n, 0, "bad notation: %s", notation);
	p = kunit_kmalloc(test, n ? n : 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	memcpy(p, tmp, n);
	*len = n;
	return p;
}

static void coap_kt_expect_bytes(struct kunit *test, const u8 *got,
				 size_t len, const char *notation)
{
	size_t n;
	u8 *want = coap_kt_bytes(test, notation ? notation : "", &n);

	KUNIT_EXPECT_EQ(test, len, n);
	if (len == n)
		KUNIT_EXPECT_MEMEQ(test, got, want, n);
}

static struct coap_msg *coap_kt_msg(struct kunit *test)
{
	struct coap_msg *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, m);
	return m;
}

KUNIT_ARRAY_PARAM_DESC(coap_parse_vecs, coap_parse_vecs, name);

static void coap_parse_vec_test(struct kunit *test)
{
	const struct coap_parse_vec *v = test->param_value;
	struct coap_msg *m = coap_kt_msg(test);
	enum coap_err_class cls;
	unsigned int i, nopts = 0;
	size_t len;
	u8 *d = coap_kt_bytes(test, v->bytes, &len);
	int err = coap_parse(m, d, len);

	KUNIT_ASSERT_EQ_MSG(test, err, v->err, "%s", coap_strerror(err));
	cls = coap_err_class(err);
	if (cls == COAP_ERRC_DROP)
		return;
	/* The caller needs these to RST or to answer 4.02. */
	KUNIT_EXPECT_EQ(test, m->type, v->type);
	KUNIT_EXPECT_EQ(test, m->code, v->code);
	KUNIT_EXPECT_EQ(test, m->mid, v->mid);
	if (cls == COAP_ERRC_OPTION)
		KUNIT_EXPECT_EQ(test, m->err_opt, v->err_opt);
	/* Whatever the error, the token never lies outside the datagram. */
	KUNIT_ASSERT_LE(test, COAP_HDR_LEN + (size_t)m->tkl, len);
	coap_kt_expect_bytes(test, coap_token(m), m->tkl, v->token);
	if (err)
		return;

	while (nopts < COAP_VEC_MAX_OPTS && v->opts[nopts].val)
		nopts++;
	if (v->nopts)
		nopts = v->nopts;
	KUNIT_ASSERT_EQ(test, m->nopts, nopts);
	KUNIT_EXPECT_EQ(test, m->nignored, v->nignored);
	for (i = 0; !v->nopts && i < nopts; i++) {
		KUNIT_EXPECT_EQ(test, m->opts[i].num, v->opts[i].num);
		coap_kt_expect_bytes(test, coap_opt_value(m, &m->opts[i]),
				     m->opts[i].len, v->opts[i].val);
	}
	if (v->payload) {
		KUNIT_ASSERT_NOT_NULL(test, m->payload);
		coap_kt_expect_bytes(test, m->payload, m->payload_len,
				     v->payload);
	} else {
		KUNIT_EXPECT_NULL(test, m->payload);
		KUNIT_EXPECT_EQ(test, m->payload_len, 0);
	}
}

/* The round trip runs over the vectors that parse without error. */
static const void *coap_valid_vecs_gen_params(const void *prev, char *desc)
{
	const struct coap_parse_vec *v = prev ? prev : coap_parse_vecs - 1;
	const struct coap_parse_vec *end = coap_parse_vecs + ARRAY_SIZE(coap_parse_vecs);

	for (v++; v < end; v++) {
		if (!v->err) {
			strscpy(desc, v->name, KUNIT_PARAM_DESC_SIZE);
			return v;
		}
	}
	return NULL;
}

/* Parse, serialize, parse: same bytes (one encoding per number/length). */
static void coap_roundtrip_test(struct kunit *test)
{
	const struct coap_parse_vec *v = test->param_value;
	struct coap_msg *m = coap_kt_msg(test), *m2 = coap_kt_msg(test);
	u8 *out = kunit_kzalloc(test, COAP_VEC_BUF, GFP_KERNEL);
	unsigned int i;
	size_t len;
	u8 *d;
	int n;

	KUNIT_ASSERT_NOT_NULL(test, out);
	d = coap_kt_bytes(test, v->bytes, &len);
	KUNIT_ASSERT_EQ(test, coap_parse(m, d, len), 0);
	n = coap_build_msg(out, COAP_VEC_BUF, m);
	KUNIT_ASSERT_GT(test, n, 0);
	KUNIT_EXPECT_EQ(test, coap_build_msg(NULL, 0, m), n);
	if (!m->nignored) {
		KUNIT_ASSERT_EQ(test, (size_t)n, len);
		KUNIT_EXPECT_MEMEQ(test, out, d, len);
	}
	KUNIT_ASSERT_EQ(test, coap_parse(m2, out, n), 0);
	KUNIT_ASSERT_EQ(test, m2->nopts, m->nopts);
	KUNIT_EXPECT_EQ(test, m2->payload_len, m->payload_len);
	for (i = 0; i < m->nopts; i++) {
		KUNIT_EXPECT_EQ(test, m2->opts[i].num, m->opts[i].num);
		KUNIT_EXPECT_EQ(test, m2->opts[i].len, m->opts[i].len);
	}
}

KUNIT_ARRAY_PARAM_DESC(coap_build_vecs, coap_build_vecs, name);

static void coap_build_vec_test(struct kunit *test)
{
	const struct coap_build_vec *v = test->param_value;
	struct coap_msg *req = coap_kt_msg(test);
	u8 *out = kunit_kzalloc(test, COAP_VEC_BUF, GFP_KERNEL);
	struct coap_builder b;
	size_t len, plen;
	unsigned int i;
	u8 *d, *pl;
	int err, n;

	KUNIT_ASSERT_NOT_NULL(test, out);
	d = coap_kt_bytes(test, v->req, &len);
	err = coap_parse(req, d, len);
	/* A 4.02 answers a request that failed with an option error. */
	KUNIT_ASSERT_TRUE(test, !err ||
			  coap_err_class(err) == COAP_ERRC_OPTION);
	pl = coap_kt_bytes(test, v->payload ? v->payload : "", &plen);

	coap_build_reply(&b, out, COAP_VEC_BUF, req, v->code, v->mid);
	for (i = 0; i < COAP_VEC_MAX_OPTS && v->opts[i].num; i++) {
		const struct coap_vec_bopt *o = &v->opts[i];

		if (o->val) {
			size_t vlen;
			u8 *val = coap_kt_bytes(test, o->val, &vlen);

			coap_build_opt(&b, o->num, val, vlen);
		} else {
			coap_build_opt_uint(&b, o->num, o->uval);
		}
	}
	coap_build_payload(&b, pl, plen);
	n = coap_build_end(&b);
	KUNIT_ASSERT_GT_MSG(test, n, 0, "%s", coap_strerror(n));
	coap_kt_expect_bytes(test, out, n, v->expect);
}

KUNIT_ARRAY_PARAM_DESC(coap_block_vecs, coap_block_vecs, name);

static void coap_block_vec_test(struct kunit *test)
{
	const struct coap_block_vec *v = test->param_value;
	struct coap_block blk;
	size_t len;
	u8 *val = coap_kt_bytes(test, v->val, &len);
	u32 enc, dec;
	int err = coap_block_decode(val, len, &blk);

	KUNIT_ASSERT_EQ(test, err, v->err);
	if (err == -COAP_ERR_OPT_LEN)
		return;
	KUNIT_EXPECT_EQ(test, blk.num, v->num);
	KUNIT_EXPECT_EQ(test, blk.more, v->more);
	KUNIT_EXPECT_EQ(test, blk.szx, v->szx);
	if (err) {
		KUNIT_EXPECT_EQ(test, coap_block_encode(&blk, &enc),
				-COAP_ERR_INVAL);
		return;
	}
	KUNIT_ASSERT_EQ(test, coap_block_encode(&blk, &enc), 0);
	KUNIT_ASSERT_EQ(test, coap_uint_decode(val, len, &dec), 0);
	KUNIT_EXPECT_EQ(test, enc, dec);
}

KUNIT_ARRAY_PARAM_DESC(coap_window_vecs, coap_window_vecs, name);

static void coap_window_vec_test(struct kunit *test)
{
	const struct coap_window_vec *v = test->param_value;
	struct coap_block blk = { .num = v->num, .szx = v->szx };
	u32 off = 0, len = 0;

	KUNIT_ASSERT_EQ(test, coap_block_window(&blk, v->max_szx, v->total,
						&off, &len), v->err);
	if (v->err)
		return;
	KUNIT_EXPECT_EQ(test, blk.num, v->out_num);
	KUNIT_EXPECT_EQ(test, blk.szx, v->out_szx);
	KUNIT_EXPECT_EQ(test, blk.more, v->more);
	KUNIT_EXPECT_EQ(test, off, v->off);
	KUNIT_EXPECT_EQ(test, len, v->len);
}

KUNIT_ARRAY_PARAM_DESC(coap_cf_vecs, coap_cf_vecs, name);

static void coap_cf_vec_test(struct kunit *test)
{
	const struct coap_cf_vec *v = test->param_value;

	KUNIT_EXPECT_EQ(test, coap_cf_from_name(v->name, strlen(v->name)),
			v->cf);
	if (v->name_only)
		return;
	KUNIT_ASSERT_NOT_NULL(test, coap_cf_name(v->cf));
	KUNIT_EXPECT_STREQ(test, coap_cf_name(v->cf), v->name);
}

static void coap_kt_write_links(struct coap_link_writer *w)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(coap_vec_links); i++)
		coap_link_write(w, &coap_vec_links[i]);
}

static char *coap_kt_link_doc(struct kunit *test, size_t *len)
{
	char *doc = kunit_kzalloc(test, COAP_VEC_BUF, GFP_KERNEL);
	unsigned int i;
	size_t n = 0;

	KUNIT_ASSERT_NOT_NULL(test, doc);
	for (i = 0; i < ARRAY_SIZE(coap_vec_link_strs); i++)
		n += scnprintf(doc + n, COAP_VEC_BUF - n, "%s%s", i ? "," : "",
			       coap_vec_link_strs[i]);
	*len = n;
	return doc;
}

static void coap_link_doc_test(struct kunit *test)
{
	struct coap_link_writer w;
	size_t n;
	char *doc = coap_kt_link_doc(test, &n);
	u8 *buf = kunit_kzalloc(test, COAP_VEC_BUF, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	coap_link_writer_init(&w, buf, 0, COAP_VEC_BUF);
	coap_kt_write_links(&w);
	KUNIT_ASSERT_EQ(test, coap_link_total(&w), n);
	KUNIT_ASSERT_EQ(test, coap_link_stored(&w), n);
	KUNIT_EXPECT_MEMEQ(test, buf, doc, n);

	coap_link_writer_init(&w, NULL, 0, 0);
	coap_kt_write_links(&w);
	KUNIT_EXPECT_EQ(test, coap_link_total(&w), n);
	KUNIT_EXPECT_EQ(test, coap_link_stored(&w), 0);
}

/* Every window [off, off + cap) holds exactly that slice of the document. */
static void coap_link_window_test(struct kunit *test)
{
	struct coap_link_writer w;
	size_t n, off, cap;
	char *doc = coap_kt_link_doc(test, &n);

	for (off = 0; off <= n + 2; off++) {
		for (cap = 1; cap <= 70; cap++) {
			size_t want = off >= n ? 0 : min(n - off, cap);
			u8 *buf = kmalloc(cap, GFP_KERNEL);

			KUNIT_ASSERT_NOT_NULL(test, buf);
			coap_link_writer_init(&w, buf, off, cap);
			coap_kt_write_links(&w);
			KUNIT_EXPECT_EQ(test, coap_link_total(&w), n);
			KUNIT_EXPECT_EQ(test, coap_link_stored(&w), want);
			if (coap_link_stored(&w) == want && want)
				KUNIT_EXPECT_MEMEQ(test, buf, doc + off, want);
			kfree(buf);
		}
	}
}

KUNIT_ARRAY_PARAM_DESC(coap_filter_vecs, coap_filter_vecs, name);

/* Build GET /.well-known/core?queries, parse it, filter the links. */
static void coap_filter_vec_test(struct kunit *test)
{
	const struct coap_filter_vec *v = test->param_value;
	struct coap_msg *m = coap_kt_msg(test);
	u8 *out = kunit_kzalloc(test, COAP_VEC_BUF, GFP_KERNEL);
	unsigned int i, mask = 0;
	struct coap_builder b;
	int n;

	KUNIT_ASSERT_NOT_NULL(test, out);
	coap_build_init(&b, out, COAP_VEC_BUF, COAP_TYPE_CON, COAP_CODE_GET,
			0x1234, NULL, 0);
	coap_build_opt_str(&b, COAP_OPT_URI_PATH, ".well-known");
	coap_build_opt_str(&b, COAP_OPT_URI_PATH, "core");
	for (i = 0; i < ARRAY_SIZE(v->q) && v->q[i]; i++)
		coap_build_opt_str(&b, COAP_OPT_URI_QUERY, v->q[i]);
	n = coap_build_end(&b);
	KUNIT_ASSERT_GT(test, n, 0);
	KUNIT_ASSERT_EQ(test, coap_parse(m, out, n), 0);
	KUNIT_EXPECT_TRUE(test, coap_uri_path_match(m, "/.well-known/core"));
	for (i = 0; i < ARRAY_SIZE(coap_vec_links); i++)
		if (coap_link_match_req(&coap_vec_links[i], m))
			mask |= 1u << i;
	KUNIT_EXPECT_EQ(test, mask, v->mask);
}

KUNIT_ARRAY_PARAM_DESC(coap_uri_vecs, coap_uri_vecs, name);

static void coap_uri_vec_test(struct kunit *test)
{
	const struct coap_uri_vec *v = test->param_value;
	struct coap_msg *m = coap_kt_msg(test);
	const struct coap_opt *rest;
	size_t len;
	u8 *d = coap_kt_bytes(test, v->req, &len);

	KUNIT_ASSERT_EQ(test, coap_parse(m, d, len), 0);
	KUNIT_EXPECT_EQ(test, coap_uri_path_match(m, v->path), v->match);
	KUNIT_EXPECT_EQ(test, coap_uri_path_prefix(m, v->path, &rest),
			v->prefix);
}

KUNIT_ARRAY_PARAM_DESC(coap_query_vecs, coap_query_vecs, name);

static void coap_query_vec_test(struct kunit *test)
{
	const struct coap_query_vec *v = test->param_value;
	struct coap_msg *m = coap_kt_msg(test);
	const u8 *val;
	size_t len;
	u8 *d = coap_kt_bytes(test, COAP_VEC_QREQ, &len);
	u16 vlen;

	KUNIT_ASSERT_EQ(test, coap_parse(m, d, len), 0);
	KUNIT_ASSERT_EQ(test, coap_uri_query_find(m, v->key, &val, &vlen),
			v->found);
	if (!v->found)
		return;
	KUNIT_ASSERT_EQ(test, vlen, strlen(v->val));
	KUNIT_EXPECT_MEMEQ(test, val, v->val, vlen);
}

/* An undersized buffer is reported, counted, and never overrun. */
static void coap_build_overflow_test(struct kunit *test)
{
	static const u8 tok[] = { 1, 2, 3, 4 };
	struct coap_builder b;
	size_t cap;
	int n;

	for (cap = 0; cap <= 32; cap++) {
		u8 *buf = kunit_kmalloc(test, cap ? cap : 1, GFP_KERNEL);
		u8 *p;

		KUNIT_ASSERT_NOT_NULL(test, buf);
		coap_build_init(&b, buf, cap, COAP_TYPE_ACK, COAP_CODE_CONTENT,
				7, tok, sizeof(tok));
		coap_build_opt(&b, COAP_OPT_ETAG, "abcd", 4);
		coap_build_opt_uint(&b, COAP_OPT_CONTENT_FORMAT, 50);
		coap_build_opt_uint(&b, COAP_OPT_MAX_AGE, 3600);
		p = coap_build_payload_reserve(&b, 5);
		if (p)
			memcpy(p, "hello", 5);
		n = coap_build_end(&b);
		/* 4 + token 4 + ETag 5 + Content-Format 2 + Max-Age 3 + 6 */
		KUNIT_EXPECT_EQ(test, b.len, 24);
		if (cap < 24) {
			KUNIT_EXPECT_EQ(test, n, -COAP_ERR_NOSPACE);
			KUNIT_EXPECT_NULL(test, p);
		} else {
			KUNIT_EXPECT_EQ(test, n, 24);
			KUNIT_EXPECT_NOT_NULL(test, p);
		}
	}
}

static void coap_build_rules_test(struct kunit *test)
{
	struct coap_builder b;
	u8 buf[16];

	coap_build_init(&b, buf, sizeof(buf), COAP_TYPE_CON, COAP_CODE_GET, 1,
			NULL, 0);
	coap_build_opt_str(&b, COAP_OPT_URI_PATH, "a");
	KUNIT_EXPECT_EQ(test, coap_build_opt_str(&b, COAP_OPT_URI_HOST, "h"),
			-COAP_ERR_ORDER);
	KUNIT_EXPECT_EQ(test, coap_build_end(&b), -COAP_ERR_ORDER);

	coap_build_init(&b, buf, sizeof(buf), COAP_TYPE_CON, COAP_CODE_PUT, 1,
			NULL, 0);
	coap_build_payload(&b, "x", 1);
	KUNIT_EXPECT_EQ(test, coap_build_opt_uint(&b, COAP_OPT_SIZE1, 1),
			-COAP_ERR_ORDER);

	KUNIT_EXPECT_EQ(test, coap_build_ack(buf, sizeof(buf), 0x7d38), 4);
	coap_kt_expect_bytes(test, buf, 4, "60 00 7d 38");
	KUNIT_EXPECT_EQ(test, coap_build_rst(buf, sizeof(buf), 0xad7c), 4);
	coap_kt_expect_bytes(test, buf, 4, "70 00 ad 7c");
	KUNIT_EXPECT_EQ(test, coap_build_rst(buf, 3, 1), -COAP_ERR_NOSPACE);
}

/* Critical, Unsafe and NoCacheKey follow from the number (§5.4.6). */
static void coap_opt_bits_test(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, coap_opt_is_critical(COAP_OPT_URI_HOST));
	KUNIT_EXPECT_TRUE(test, coap_opt_is_unsafe(COAP_OPT_URI_HOST));
	KUNIT_EXPECT_FALSE(test, coap_opt_is_critical(COAP_OPT_ETAG));
	KUNIT_EXPECT_TRUE(test, coap_opt_is_unsafe(COAP_OPT_OBSERVE));
	KUNIT_EXPECT_TRUE(test, coap_opt_is_critical(COAP_OPT_BLOCK2));
	KUNIT_EXPECT_TRUE(test, coap_opt_is_nocachekey(COAP_OPT_SIZE1));
	KUNIT_EXPECT_TRUE(test, coap_opt_is_nocachekey(COAP_OPT_SIZE2));
	KUNIT_EXPECT_TRUE(test, coap_opt_is_nocachekey(COAP_OPT_ECHO));
	KUNIT_EXPECT_FALSE(test, coap_opt_is_nocachekey(COAP_OPT_MAX_AGE));
	KUNIT_EXPECT_NOT_NULL(test, coap_opt_def(COAP_OPT_REQUEST_TAG));
	KUNIT_EXPECT_NULL(test, coap_opt_def(9));
}

static struct kunit_case coap_codec_cases[] = {
	KUNIT_CASE_PARAM(coap_parse_vec_test, coap_parse_vecs_gen_params),
	KUNIT_CASE_PARAM(coap_roundtrip_test, coap_valid_vecs_gen_params),
	KUNIT_CASE_PARAM(coap_build_vec_test, coap_build_vecs_gen_params),
	KUNIT_CASE_PARAM(coap_block_vec_test, coap_block_vecs_gen_params),
	KUNIT_CASE_PARAM(coap_window_vec_test, coap_window_vecs_gen_params),
	KUNIT_CASE_PARAM(coap_cf_vec_test, coap_cf_vecs_gen_params),
	KUNIT_CASE(coap_link_doc_test),
	KUNIT_CASE(coap_link_window_test),
	KUNIT_CASE_PARAM(coap_filter_vec_test, coap_filter_vecs_gen_params),
	KUNIT_CASE_PARAM(coap_uri_vec_test, coap_uri_vecs_gen_params),
	KUNIT_CASE_PARAM(coap_query_vec_test, coap_query_vecs_gen_params),
	KUNIT_CASE(coap_build_overflow_test),
	KUNIT_CASE(coap_build_rules_test),
	KUNIT_CASE(coap_opt_bits_test),
	{}
};

static struct kunit_suite coap_codec_suite = {
	.name = "kcoap_codec",
	.test_cases = coap_codec_cases,
};

kunit_test_suite(coap_codec_suite);
