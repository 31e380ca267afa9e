// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Host tests for the CoAP codec in kmod/codec/, run under ASan and UBSan.
 * Prints TAP: one "ok N - name" or "not ok N - name" per case, then the
 * plan. Exits nonzero if any case fails.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "coap_vectors.h"

static int n_run, n_failed;
static char why[512];

/* Record why a case failed; the case function then returns false. */
static bool fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return false;
}

#define CHECK(cond, ...)			\
	do {					\
		if (!(cond))			\
			return fail(__VA_ARGS__); \
	} while (0)

static void report(bool ok, const char *group, const char *name)
{
	n_run++;
	if (!ok)
		n_failed++;
	printf("%s %d - %s: %s\n", ok ? "ok" : "not ok", n_run, group, name);
	if (!ok)
		printf("# %s\n", why);
	why[0] = '\0';
}

/*
 * Decode notation into a heap block of exactly the decoded size, so that
 * ASan flags any read past the end of the datagram.
 */
static u8 *decode_exact(const char *s, size_t *len)
{
	u8 tmp[COAP_VEC_BUF];
	int n = coap_vec_decode(s, tmp, sizeof(tmp));
	u8 *p;

	if (n < 0) {
		fprintf(stderr, "bad vector notation: %s\n", s);
		exit(2);
	}
	p = malloc(n ? (size_t)n : 1);
	if (!p)
		exit(2);
	memcpy(p, tmp, (size_t)n);
	*len = (size_t)n;
	return p;
}

static bool bytes_eq(const u8 *a, size_t alen, const char *notation)
{
	u8 tmp[COAP_VEC_BUF];
	int n = coap_vec_decode(notation ? notation : "", tmp, sizeof(tmp));

	return n >= 0 && (size_t)n == alen && !memcmp(a, tmp, alen);
}

static bool check_parse(const struct coap_parse_vec *v)
{
	struct coap_msg m;
	size_t len;
	u8 *d = decode_exact(v->bytes, &len);
	int err = coap_parse(&m, d, len);
	enum coap_err_class cls = coap_err_class(err);
	unsigned int i, nopts = 0;
	bool ok = false;

	if (err != v->err) {
		fail("coap_parse() = %d (%s), want %d (%s)", err,
		     coap_strerror(err), v->err, coap_strerror(v->err));
		goto out;
	}
	if (cls == COAP_ERRC_DROP) {
		ok = true;
		goto out;
	}
	/* The caller needs these to RST or to answer 4.02. */
	if (m.mid != v->mid || m.type != v->type || m.code != v->code) {
		fail("type/code/mid %u/%#x/%#x, want %u/%#x/%#x", m.type,
		     m.code, m.mid, v->type, v->code, v->mid);
		goto out;
	}
	if (cls == COAP_ERRC_OPTION && m.err_opt != v->err_opt) {
		fail("err_opt %u, want %u", m.err_opt, v->err_opt);
		goto out;
	}
	/* Whatever the error, the token never lies outside the datagram. */
	if (COAP_HDR_LEN + (size_t)m.tkl > len) {
		fail("tkl %u past the end of %zu bytes", m.tkl, len);
		goto out;
	}
	if (!bytes_eq(coap_token(&m), m.tkl, v->token)) {
		fail("token mismatch (tkl %u)", m.tkl);
		goto out;
	}
	if (err) {
		ok = true;
		goto out;
	}
	while (nopts < COAP_VEC_MAX_OPTS && v->opts[nopts].val)
		nopts++;
	if (v->nopts)
		nopts = v->nopts;
	if (m.nopts != nopts || m.nignored != v->nignored) {
		fail("nopts %u nignored %u, want %u %u", m.nopts, m.nignored,
		     nopts, v->nignored);
		goto out;
	}
	for (i = 0; !v->nopts && i < nopts; i++) {
		const struct coap_opt *o = &m.opts[i];

		if (o->num != v->opts[i].num ||
		    !bytes_eq(coap_opt_value(&m, o), o->len, v->opts[i].val)) {
			fail("option %u: got %u len %u, want %u %s", i, o->num,
			     o->len, v->opts[i].num, v->opts[i].val);
			goto out;
		}
	}
	if (v->payload ? !m.payload ||
			 !bytes_eq(m.payload, m.payload_len, v->payload) :
			 m.payload || m.payload_len) {
		fail("payload mismatch (len %u)", m.payload_len);
		goto out;
	}
	ok = true;
out:
	free(d);
	return ok;
}

static bool msgs_equal(const struct coap_msg *a, const struct coap_msg *b)
{
	unsigned int i;

	if (a->type != b->type || a->code != b->code || a->mid != b->mid ||
	    a->tkl != b->tkl || a->nopts != b->nopts ||
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

/* Parse, serialize again, parse again: same message, and same bytes. */
static bool check_roundtrip(const struct coap_parse_vec *v)
{
	struct coap_msg m, m2;
	u8 out[COAP_VEC_BUF];
	size_t len;
	u8 *d = decode_exact(v->bytes, &len);
	int n, n0;
	bool ok = false;

	if (coap_parse(&m, d, len)) {
		fail("vector does not parse");
		goto out;
	}
	n0 = coap_build_msg(NULL, 0, &m);
	n = coap_build_msg(out, sizeof(out), &m);
	if (n < 0 || n != n0) {
		fail("coap_build_msg() = %d, counting %d", n, n0);
		goto out;
	}
	/* Each number and length has one encoding, so bytes must agree. */
	if (!m.nignored && ((size_t)n != len || memcmp(out, d, len))) {
		fail("re-serialized bytes differ (%d vs %zu)", n, len);
		goto out;
	}
	if (coap_parse(&m2, out, (size_t)n) || !msgs_equal(&m, &m2)) {
		fail("re-parsed message differs");
		goto out;
	}
	ok = true;
out:
	free(d);
	return ok;
}

static bool check_build(const struct coap_build_vec *v)
{
	struct coap_builder b;
	struct coap_msg req;
	u8 out[COAP_VEC_BUF], pl[COAP_VEC_BUF];
	size_t len;
	u8 *d = decode_exact(v->req, &len);
	int err = coap_parse(&req, d, len), n, pn;
	unsigned int i;
	bool ok = false;

	if (err && coap_err_class(err) != COAP_ERRC_OPTION) {
		fail("request does not parse: %s", coap_strerror(err));
		goto out;
	}
	pn = coap_vec_decode(v->payload, pl, sizeof(pl));
	coap_build_reply(&b, out, sizeof(out), &req, v->code, v->mid);
	for (i = 0; i < COAP_VEC_MAX_OPTS && v->opts[i].num; i++) {
		const struct coap_vec_bopt *o = &v->opts[i];

		if (o->val) {
			u8 val[COAP_VEC_BUF];
			int vn = coap_vec_decode(o->val, val, sizeof(val));

			coap_build_opt(&b, o->num, val, (size_t)vn);
		} else {
			coap_build_opt_uint(&b, o->num, o->uval);
		}
	}
	coap_build_payload(&b, pl, (size_t)pn);
	n = coap_build_end(&b);
	if (n < 0) {
		fail("coap_build_end() = %s", coap_strerror(n));
		goto out;
	}
	if (!bytes_eq(out, (size_t)n, v->expect)) {
		fail("built bytes differ (len %d)", n);
		goto out;
	}
	ok = true;
out:
	free(d);
	return ok;
}

static bool check_block(const struct coap_block_vec *v)
{
	struct coap_block blk;
	struct coap_builder b;
	struct coap_msg m;
	u8 val[8], out[32];
	int n = coap_vec_decode(v->val, val, sizeof(val));
	int err = coap_block_decode(val, (u16)n, &blk);
	u32 enc;

	CHECK(err == v->err, "decode = %d, want %d", err, v->err);
	if (err == -COAP_ERR_OPT_LEN)
		return true;
	CHECK(blk.num == v->num && blk.more == v->more && blk.szx == v->szx,
	      "got %u/%d/%u", blk.num, blk.more, blk.szx);
	if (err) {
		CHECK(coap_block_encode(&blk, &enc) == -COAP_ERR_INVAL,
		      "SZX 7 encoded");
		return true;
	}
	/* Encoding gives back the minimal form of the same value. */
	CHECK(!coap_block_encode(&blk, &enc), "encode failed");
	coap_build_init(&b, out, sizeof(out), COAP_TYPE_CON, COAP_CODE_GET, 1,
			NULL, 0);
	coap_build_block(&b, COAP_OPT_BLOCK2, &blk);
	n = coap_build_end(&b);
	CHECK(n > 0 && !coap_parse(&m, out, (size_t)n), "rebuild failed");
	CHECK(!coap_block_get(&m, COAP_OPT_BLOCK2, &blk) &&
	      blk.num == v->num && blk.more == v->more && blk.szx == v->szx,
	      "block changed through the builder");
	CHECK(m.opts[0].len <= 3 && (!m.opts[0].len ||
				      coap_opt_value(&m, &m.opts[0])[0]),
	      "not minimal");
	return true;
}

static bool check_window(const struct coap_window_vec *v)
{
	struct coap_block blk = { .num = v->num, .szx = v->szx };
	u32 off = 0, len = 0;
	int err = coap_block_window(&blk, v->max_szx, v->total, &off, &len);

	CHECK(err == v->err, "err %d, want %d", err, v->err);
	if (err)
		return true;
	CHECK(blk.num == v->out_num && blk.szx == v->out_szx &&
	      off == v->off && len == v->len && blk.more == v->more,
	      "got %u/%d/%u off %u len %u", blk.num, blk.more, blk.szx, off,
	      len);
	return true;
}

static bool check_cf(const struct coap_cf_vec *v)
{
	int cf = coap_cf_from_name(v->name, strlen(v->name));
	const char *name;

	CHECK(cf == v->cf, "from_name = %d, want %d", cf, v->cf);
	if (v->name_only)
		return true;
	name = coap_cf_name((u16)v->cf);
	CHECK(name && !strcmp(name, v->name), "name(%d) = %s", v->cf,
	      name ? name : "NULL");
	return true;
}

static bool check_cf_table(void)
{
	unsigned int cf, count = 0;

	for (cf = 0; cf <= 0xffff; cf++) {
		const char *name = coap_cf_name((u16)cf);

		if (!name)
			continue;
		count++;
		CHECK(coap_cf_from_name(name, strlen(name)) == (int)cf,
		      "%u (%s) does not map back", cf, name);
	}
	CHECK(count >= 30, "only %u formats", count);
	return true;
}

static size_t link_doc(char *doc, size_t cap)
{
	size_t i, n = 0;

	for (i = 0; i < ARRAY_SIZE(coap_vec_link_strs); i++)
		n += (size_t)snprintf(doc + n, cap - n, "%s%s", i ? "," : "",
				      coap_vec_link_strs[i]);
	return n;
}

static void write_links(struct coap_link_writer *w)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(coap_vec_links); i++)
		coap_link_write(w, &coap_vec_links[i]);
}

static bool check_link_doc(void)
{
	struct coap_link_writer w;
	char doc[COAP_VEC_BUF];
	u8 buf[COAP_VEC_BUF];
	size_t n = link_doc(doc, sizeof(doc));

	coap_link_writer_init(&w, buf, 0, sizeof(buf));
	write_links(&w);
	CHECK(coap_link_total(&w) == n && coap_link_stored(&w) == n &&
	      !memcmp(buf, doc, n), "document differs: %.*s",
	      (int)coap_link_stored(&w), buf);
	coap_link_writer_init(&w, NULL, 0, 0);
	write_links(&w);
	CHECK(coap_link_total(&w) == n && !coap_link_stored(&w),
	      "counting only: total %zu", coap_link_total(&w));
	return true;
}

/* RFC 6690 §2: a path with ',' ';' '>' must not end the link early. */
static bool check_link_href_escape(void)
{
	static const char want[] = "</a%2Cb%3Bc%3Ed%20e/%25x:y@z>";
	struct coap_link l = { .href = "/a,b;c>d e/%x:y@z", .ct = -1 };
	struct coap_link_writer w;
	u8 buf[64];

	coap_link_writer_init(&w, buf, 0, sizeof(buf));
	coap_link_write(&w, &l);
	CHECK(coap_link_total(&w) == strlen(want) &&
	      !memcmp(buf, want, strlen(want)), "href written as %.*s",
	      (int)coap_link_stored(&w), buf);
	return true;
}

/* Every window [off, off + cap) must hold exactly that slice. */
static bool check_link_windows(void)
{
	struct coap_link_writer w;
	char doc[COAP_VEC_BUF];
	size_t n = link_doc(doc, sizeof(doc)), off, cap;

	for (off = 0; off <= n + 2; off++) {
		for (cap = 0; cap <= n + 2; cap++) {
			u8 *buf = malloc(cap ? cap : 1);
			size_t want = off >= n ? 0 : (n - off < cap ? n - off : cap);

			coap_link_writer_init(&w, buf, off, cap);
			write_links(&w);
			if (coap_link_total(&w) != n ||
			    coap_link_stored(&w) != want ||
			    memcmp(buf, doc + (off < n ? off : n), want)) {
				free(buf);
				return fail("window off %zu cap %zu", off, cap);
			}
			free(buf);
		}
	}
	return true;
}

/* Build a GET /.well-known/core with the queries, parse it, filter. */
static bool check_filter(const struct coap_filter_vec *v)
{
	struct coap_builder b;
	struct coap_msg m;
	u8 out[COAP_VEC_BUF];
	unsigned int i, mask = 0;
	int n;

	coap_build_init(&b, out, sizeof(out), COAP_TYPE_CON, COAP_CODE_GET,
			0x1234, NULL, 0);
	coap_build_opt_str(&b, COAP_OPT_URI_PATH, ".well-known");
	coap_build_opt_str(&b, COAP_OPT_URI_PATH, "core");
	for (i = 0; i < 3 && v->q[i]; i++)
		coap_build_opt_str(&b, COAP_OPT_URI_QUERY, v->q[i]);
	n = coap_build_end(&b);
	CHECK(n > 0 && !coap_parse(&m, out, (size_t)n), "request failed");
	CHECK(coap_uri_path_match(&m, "/.well-known/core"), "path");
	for (i = 0; i < ARRAY_SIZE(coap_vec_links); i++)
		if (coap_link_match_req(&coap_vec_links[i], &m))
			mask |= 1u << i;
	CHECK(mask == v->mask, "mask %#x, want %#x", mask, v->mask);
	return true;
}

static bool check_uri(const struct coap_uri_vec *v)
{
	const struct coap_opt *rest;
	struct coap_msg m;
	size_t len;
	u8 *d = decode_exact(v->req, &len);
	bool ok = false;

	if (coap_parse(&m, d, len))
		fail("request does not parse");
	else if (coap_uri_path_match(&m, v->path) != v->match)
		fail("match != %d", v->match);
	else if (coap_uri_path_prefix(&m, v->path, &rest) != v->prefix)
		fail("prefix != %d", v->prefix);
	else
		ok = true;
	free(d);
	return ok;
}

static bool check_query(const struct coap_query_vec *v)
{
	struct coap_msg m;
	const u8 *val;
	size_t len;
	u8 *d = decode_exact(COAP_VEC_QREQ, &len);
	u16 vlen;
	bool found, ok = false;

	if (coap_parse(&m, d, len)) {
		fail("request does not parse");
		goto out;
	}
	found = coap_uri_query_find(&m, v->key, &val, &vlen);
	if (found != v->found)
		fail("found %d", found);
	else if (found && (vlen != strlen(v->val) ||
			   memcmp(val, v->val, vlen)))
		fail("value %.*s", vlen, val);
	else
		ok = true;
out:
	free(d);
	return ok;
}

/* Overflow must be reported, counted, and never written past cap. */
static bool check_build_overflow(void)
{
	static const u8 tok[] = { 1, 2, 3, 4 };
	u8 buf[64];
	int full = 0;
	size_t cap;

	for (cap = 0; cap <= 40; cap++) {
		struct coap_builder b;
		u8 *p;
		int n;

		memset(buf, 0xa5, sizeof(buf));
		coap_build_init(&b, buf, cap, COAP_TYPE_ACK, COAP_CODE_CONTENT,
				7, tok, sizeof(tok));
		coap_build_opt(&b, COAP_OPT_ETAG, "abcd", 4);
		coap_build_opt_uint(&b, COAP_OPT_CONTENT_FORMAT, 50);
		coap_build_opt_uint(&b, COAP_OPT_MAX_AGE, 3600);
		p = coap_build_payload_reserve(&b, 5);
		if (p)
			memcpy(p, "hello", 5);
		n = coap_build_end(&b);
		if (!full) {
			struct coap_builder c;

			coap_build_init(&c, NULL, 0, COAP_TYPE_ACK,
					COAP_CODE_CONTENT, 7, tok, sizeof(tok));
			coap_build_opt(&c, COAP_OPT_ETAG, "abcd", 4);
			coap_build_opt_uint(&c, COAP_OPT_CONTENT_FORMAT, 50);
			coap_build_opt_uint(&c, COAP_OPT_MAX_AGE, 3600);
			CHECK(!coap_build_payload_reserve(&c, 5),
			      "counting builder gave a pointer");
			full = coap_build_end(&c);
			CHECK(full == 4 + 4 + 5 + 2 + 3 + 1 + 5,
			      "counted %d", full);
		}
		CHECK(buf[cap] == 0xa5, "wrote past cap %zu", cap);
		if ((int)cap < full) {
			CHECK(n == -COAP_ERR_NOSPACE && b.len == (size_t)full,
			      "cap %zu: %d, len %zu", cap, n, b.len);
			CHECK(!p, "reserve gave a pointer past cap");
		} else {
			CHECK(n == full && p, "cap %zu: %d", cap, n);
		}
	}
	return true;
}

static bool check_build_rules(void)
{
	struct coap_builder b;
	u8 buf[64];
	int n;

	/* Out of order: refused, sticky. */
	coap_build_init(&b, buf, sizeof(buf), COAP_TYPE_CON, COAP_CODE_GET, 1,
			NULL, 0);
	coap_build_opt_str(&b, COAP_OPT_URI_PATH, "a");
	CHECK(coap_build_opt_str(&b, COAP_OPT_URI_HOST, "h") ==
	      -COAP_ERR_ORDER, "out-of-order option accepted");
	CHECK(coap_build_opt_str(&b, COAP_OPT_URI_QUERY, "q") ==
	      -COAP_ERR_ORDER, "error not sticky");
	CHECK(coap_build_end(&b) == -COAP_ERR_ORDER, "end not failing");

	/* Option after payload. */
	coap_build_init(&b, buf, sizeof(buf), COAP_TYPE_CON, COAP_CODE_PUT, 1,
			NULL, 0);
	coap_build_payload(&b, "x", 1);
	CHECK(coap_build_opt_uint(&b, COAP_OPT_SIZE1, 1) == -COAP_ERR_ORDER,
	      "option after payload accepted");

	/* Empty payload adds no marker (§3). */
	coap_build_init(&b, buf, sizeof(buf), COAP_TYPE_CON, COAP_CODE_GET, 1,
			NULL, 0);
	coap_build_payload(&b, NULL, 0);
	CHECK(coap_build_end(&b) == 4, "empty payload wrote a marker");

	/* Empty message: no token, options or payload (§4.1). */
	coap_build_init(&b, buf, sizeof(buf), COAP_TYPE_ACK, COAP_CODE_EMPTY,
			1, (const u8 *)"t", 1);
	CHECK(coap_build_end(&b) == -COAP_ERR_INVAL, "empty with token");
	coap_build_init(&b, buf, sizeof(buf), COAP_TYPE_ACK, COAP_CODE_EMPTY,
			1, NULL, 0);
	CHECK(coap_build_payload(&b, "x", 1) == -COAP_ERR_INVAL,
	      "empty with payload");

	/* TKL 9 and type 4. */
	coap_build_init(&b, buf, sizeof(buf), COAP_TYPE_CON, COAP_CODE_GET, 1,
			(const u8 *)"123456789", 9);
	CHECK(coap_build_end(&b) == -COAP_ERR_INVAL, "TKL 9 accepted");
	coap_build_init(&b, buf, sizeof(buf), 4, COAP_CODE_GET, 1, NULL, 0);
	CHECK(coap_build_end(&b) == -COAP_ERR_INVAL, "type 4 accepted");

	/* ACK and RST (Figures 20 and 21). */
	n = coap_build_ack(buf, sizeof(buf), 0x7d38);
	CHECK(n == 4 && bytes_eq(buf, 4, "60 00 7d 38"), "ACK");
	n = coap_build_rst(buf, sizeof(buf), 0xad7c);
	CHECK(n == 4 && bytes_eq(buf, 4, "70 00 ad 7c"), "RST");
	CHECK(coap_build_rst(buf, 3, 1) == -COAP_ERR_NOSPACE, "RST in 3");
	return true;
}

/*
 * Lengths and deltas at the 1- and 2-byte extension boundaries (§3.1). The
 * option under test follows Uri-Path (11), so deltas 13 and 269 are hit,
 * and its numbers are unknown elective ones, kept whatever their length.
 */
static bool check_extensions(void)
{
	static const u32 lens[] = { 0, 12, 13, 268, 269, 270, 1034, 1400 };
	static const u16 nums[] = { 24, 280, 1000, 65534 };
	static u8 val[1400], buf[1600];
	unsigned int i, j;

	for (i = 0; i < sizeof(val); i++)
		val[i] = (u8)(i * 7);
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		for (j = 0; j < ARRAY_SIZE(nums); j++) {
			struct coap_builder b;
			struct coap_msg m;
			int n, err;

			coap_build_init(&b, buf, sizeof(buf), COAP_TYPE_NON,
					COAP_CODE_POST, 9, NULL, 0);
			coap_build_opt_str(&b, COAP_OPT_URI_PATH, "x");
			coap_build_opt(&b, nums[j], val, lens[i]);
			coap_build_payload(&b, "p", 1);
			n = coap_build_end(&b);
			CHECK(n > 0, "build %u/%u", nums[j], lens[i]);
			err = coap_parse(&m, buf, (size_t)n);
			CHECK(!err && m.nopts == 2 && m.opts[1].num == nums[j] &&
			      m.opts[1].len == lens[i] &&
			      !memcmp(coap_opt_value(&m, &m.opts[1]), val,
				      lens[i]) && m.payload_len == 1,
			      "num %u len %u: %s", nums[j], lens[i],
			      coap_strerror(err));
		}
	}
	return true;
}

static bool check_opt_bits(void)
{
	static const struct {
		u16 num;
		bool c, u, n;
	} t[] = {
		/* RFC 7252 §5.10 table, RFC 7641, RFC 7959, RFC 9175. */
		{ COAP_OPT_IF_MATCH, true, false, false },
		{ COAP_OPT_URI_HOST, true, true, false },
		{ COAP_OPT_ETAG, false, false, false },
		{ COAP_OPT_IF_NONE_MATCH, true, false, false },
		{ COAP_OPT_OBSERVE, false, true, false },
		{ COAP_OPT_URI_PORT, true, true, false },
		{ COAP_OPT_MAX_AGE, false, true, false },
		{ COAP_OPT_ACCEPT, true, false, false },
		{ COAP_OPT_BLOCK2, true, true, false },
		{ COAP_OPT_BLOCK1, true, true, false },
		{ COAP_OPT_SIZE2, false, false, true },
		{ COAP_OPT_PROXY_URI, true, true, false },
		{ COAP_OPT_SIZE1, false, false, true },
		{ COAP_OPT_ECHO, false, false, true },
		{ COAP_OPT_REQUEST_TAG, false, false, false },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t); i++)
		CHECK(coap_opt_is_critical(t[i].num) == t[i].c &&
		      coap_opt_is_unsafe(t[i].num) == t[i].u &&
		      coap_opt_is_nocachekey(t[i].num) == t[i].n,
		      "option %u", t[i].num);
	for (i = 0; i <= 0xffff; i++) {
		const struct coap_opt_def *d = coap_opt_def((u16)i);

		CHECK(!d || d->num == i, "definition of %u", i);
	}
	CHECK(coap_opt_def(COAP_OPT_REQUEST_TAG) &&
	      coap_opt_def(COAP_OPT_IF_MATCH) && !coap_opt_def(9) &&
	      !coap_opt_def(0), "lookup");
	return true;
}

static bool check_errors(void)
{
	int e;

	for (e = 0; e <= COAP_ERR_MAX; e++)
		CHECK(coap_strerror(-e) && *coap_strerror(-e), "strerror %d", e);
	/* No negation overflow at the extremes. */
	CHECK(coap_strerror(INT_MIN) && coap_strerror(INT_MAX) &&
	      coap_err_class(INT_MIN) == COAP_ERRC_OTHER &&
	      coap_err_class(-COAP_ERR_MAX) == COAP_ERRC_OTHER, "extremes");
	CHECK(coap_err_class(-COAP_ERR_VERSION) == COAP_ERRC_DROP &&
	      coap_err_class(-COAP_ERR_TKL) == COAP_ERRC_FORMAT &&
	      coap_err_class(-COAP_ERR_CODE_CLASS) == COAP_ERRC_FORMAT &&
	      coap_err_class(-COAP_ERR_OPT_REPEAT) == COAP_ERRC_OPTION &&
	      coap_err_class(-COAP_ERR_TOO_MANY_OPTS) == COAP_ERRC_LIMIT &&
	      coap_err_class(-COAP_ERR_NOSPACE) == COAP_ERRC_OTHER &&
	      coap_err_class(0) == COAP_ERRC_NONE, "classes");
	return true;
}

/* Deterministic mutations of every vector: no crash, round trip holds. */
static bool check_mutations(void)
{
	u32 seed = 0x12345678;
	unsigned int i, k, parsed = 0;

	for (i = 0; i < ARRAY_SIZE(coap_parse_vecs); i++) {
		u8 base[COAP_VEC_BUF];
		int blen = coap_vec_decode(coap_parse_vecs[i].bytes, base,
					   sizeof(base));

		for (k = 0; k < 200; k++) {
			struct coap_msg m, m2;
			u8 out[COAP_VEC_BUF];
			size_t len = (size_t)blen;
			u8 *d;
			int n;

			seed = seed * 1103515245 + 12345;
			if (len && (seed >> 8) % 4 == 0)
				len -= (seed >> 12) % len;
			d = malloc(len ? len : 1);
			memcpy(d, base, len);
			if (len)
				d[(seed >> 16) % len] ^= (u8)(1u << (seed % 8));
			n = coap_parse(&m, d, len);
			if (n && coap_err_class(n) != COAP_ERRC_DROP &&
			    COAP_HDR_LEN + (size_t)m.tkl > len) {
				free(d);
				return fail("vector %u mutation %u: tkl %u",
					    i, k, m.tkl);
			}
			if (!n) {
				parsed++;
				n = coap_build_msg(out, sizeof(out), &m);
				if (n < 0 || coap_parse(&m2, out, (size_t)n) ||
				    !msgs_equal(&m, &m2)) {
					free(d);
					return fail("vector %u mutation %u", i,
						    k);
				}
			}
			free(d);
		}
	}
	CHECK(parsed > 100, "only %u mutants parsed", parsed);
	return true;
}

int main(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(coap_parse_vecs); i++)
		report(check_parse(&coap_parse_vecs[i]), "parse",
		       coap_parse_vecs[i].name);
	for (i = 0; i < ARRAY_SIZE(coap_parse_vecs); i++)
		if (!coap_parse_vecs[i].err)
			report(check_roundtrip(&coap_parse_vecs[i]),
			       "roundtrip", coap_parse_vecs[i].name);
	for (i = 0; i < ARRAY_SIZE(coap_build_vecs); i++)
		report(check_build(&coap_build_vecs[i]), "build",
		       coap_build_vecs[i].name);
	for (i = 0; i < ARRAY_SIZE(coap_block_vecs); i++)
		report(check_block(&coap_block_vecs[i]), "block",
		       coap_block_vecs[i].name);
	for (i = 0; i < ARRAY_SIZE(coap_window_vecs); i++)
		report(check_window(&coap_window_vecs[i]), "block window",
		       coap_window_vecs[i].name);
	for (i = 0; i < ARRAY_SIZE(coap_cf_vecs); i++)
		report(check_cf(&coap_cf_vecs[i]), "content-format",
		       coap_cf_vecs[i].name);
	report(check_cf_table(), "content-format", "every name maps back");
	report(check_link_doc(), "link-format", "document");
	report(check_link_windows(), "link-format", "every window");
	report(check_link_href_escape(), "link-format", "href percent-encoded");
	for (i = 0; i < ARRAY_SIZE(coap_filter_vecs); i++)
		report(check_filter(&coap_filter_vecs[i]), "filter",
		       coap_filter_vecs[i].name);
	for (i = 0; i < ARRAY_SIZE(coap_uri_vecs); i++)
		report(check_uri(&coap_uri_vecs[i]), "uri-path",
		       coap_uri_vecs[i].name);
	for (i = 0; i < ARRAY_SIZE(coap_query_vecs); i++)
		report(check_query(&coap_query_vecs[i]), "uri-query",
		       coap_query_vecs[i].name);
	report(check_build_overflow(), "builder", "overflow never writes past cap");
	report(check_build_rules(), "builder", "order, empty, ACK, RST");
	report(check_extensions(), "builder", "extended deltas and lengths");
	report(check_opt_bits(), "options", "critical/unsafe/no-cache-key bits");
	report(check_errors(), "errors", "classes and strings");
	report(check_mutations(), "parser", "mutated vectors round trip");

	printf("1..%d\n", n_run);
	printf("codec: %d passed, %d failed\n", n_run - n_failed, n_failed);
	return n_failed ? 1 : 0;
}
