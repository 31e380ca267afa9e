/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * CoAP message codec (RFC 7252, with RFC 7641, 7959, 6690, 8768, 9175, 7967).
 *
 * The same sources are built into the kernel module, where they run in
 * softirq context, and into userspace tests and tools. Hence: no dynamic
 * allocation, no recursion, no floating point, small fixed-size state, and
 * every buffer comes from the caller.
 *
 * Parsing is zero-copy: struct coap_msg refers into the datagram, which must
 * stay valid and unchanged for as long as the message is used.
 */
#ifndef _KCOAP_COAP_H
#define _KCOAP_COAP_H

#include "coap_compat.h"

#define COAP_VERSION		1
#define COAP_HDR_LEN		4
#define COAP_MAX_TOKEN		8
#define COAP_PAYLOAD_MARKER	0xff

/*
 * Options stored per parsed message. A request for a deep path plus a few
 * queries stays well below this; more is refused as COAP_ERR_TOO_MANY_OPTS
 * rather than silently truncated.
 */
#define COAP_MAX_OPTS		32

/* Datagrams larger than this cannot be described by 16-bit offsets. */
#define COAP_MAX_MSG_LEN	0xffff

enum coap_type {
	COAP_TYPE_CON = 0,
	COAP_TYPE_NON = 1,
	COAP_TYPE_ACK = 2,
	COAP_TYPE_RST = 3,
};

/* A code is "c.dd": 3-bit class, 5-bit detail (RFC 7252 §3). */
#define COAP_CODE(c, dd)	((u8)(((c) << 5) | (dd)))
#define COAP_CODE_CLASS(code)	((u8)(code) >> 5)
#define COAP_CODE_DETAIL(code)	((u8)(code) & 0x1f)

enum coap_code {
	COAP_CODE_EMPTY			= COAP_CODE(0, 0),
	COAP_CODE_GET			= COAP_CODE(0, 1),
	COAP_CODE_POST			= COAP_CODE(0, 2),
	COAP_CODE_PUT			= COAP_CODE(0, 3),
	COAP_CODE_DELETE		= COAP_CODE(0, 4),
	COAP_CODE_FETCH			= COAP_CODE(0, 5),
	COAP_CODE_PATCH			= COAP_CODE(0, 6),
	COAP_CODE_IPATCH		= COAP_CODE(0, 7),
	COAP_CODE_CREATED		= COAP_CODE(2, 1),
	COAP_CODE_DELETED		= COAP_CODE(2, 2),
	COAP_CODE_VALID			= COAP_CODE(2, 3),
	COAP_CODE_CHANGED		= COAP_CODE(2, 4),
	COAP_CODE_CONTENT		= COAP_CODE(2, 5),
	COAP_CODE_CONTINUE		= COAP_CODE(2, 31),
	COAP_CODE_BAD_REQUEST		= COAP_CODE(4, 0),
	COAP_CODE_UNAUTHORIZED		= COAP_CODE(4, 1),
	COAP_CODE_BAD_OPTION		= COAP_CODE(4, 2),
	COAP_CODE_FORBIDDEN		= COAP_CODE(4, 3),
	COAP_CODE_NOT_FOUND		= COAP_CODE(4, 4),
	COAP_CODE_METHOD_NOT_ALLOWED	= COAP_CODE(4, 5),
	COAP_CODE_NOT_ACCEPTABLE	= COAP_CODE(4, 6),
	COAP_CODE_REQUEST_INCOMPLETE	= COAP_CODE(4, 8),
	COAP_CODE_CONFLICT		= COAP_CODE(4, 9),
	COAP_CODE_PRECONDITION_FAILED	= COAP_CODE(4, 12),
	COAP_CODE_REQUEST_TOO_LARGE	= COAP_CODE(4, 13),
	COAP_CODE_UNSUPPORTED_FORMAT	= COAP_CODE(4, 15),
	COAP_CODE_UNPROCESSABLE		= COAP_CODE(4, 22),
	COAP_CODE_TOO_MANY_REQUESTS	= COAP_CODE(4, 29),
	COAP_CODE_INTERNAL_ERROR	= COAP_CODE(5, 0),
	COAP_CODE_NOT_IMPLEMENTED	= COAP_CODE(5, 1),
	COAP_CODE_BAD_GATEWAY		= COAP_CODE(5, 2),
	COAP_CODE_SERVICE_UNAVAILABLE	= COAP_CODE(5, 3),
	COAP_CODE_GATEWAY_TIMEOUT	= COAP_CODE(5, 4),
	COAP_CODE_PROXYING_NOT_SUPPORTED = COAP_CODE(5, 5),
	COAP_CODE_HOP_LIMIT_REACHED	= COAP_CODE(5, 8),
};

enum coap_option {
	COAP_OPT_IF_MATCH	= 1,
	COAP_OPT_URI_HOST	= 3,
	COAP_OPT_ETAG		= 4,
	COAP_OPT_IF_NONE_MATCH	= 5,
	COAP_OPT_OBSERVE	= 6,
	COAP_OPT_URI_PORT	= 7,
	COAP_OPT_LOCATION_PATH	= 8,
	COAP_OPT_URI_PATH	= 11,
	COAP_OPT_CONTENT_FORMAT	= 12,
	COAP_OPT_MAX_AGE	= 14,
	COAP_OPT_URI_QUERY	= 15,
	COAP_OPT_HOP_LIMIT	= 16,
	COAP_OPT_ACCEPT		= 17,
	COAP_OPT_LOCATION_QUERY	= 20,
	COAP_OPT_BLOCK2		= 23,
	COAP_OPT_BLOCK1		= 27,
	COAP_OPT_SIZE2		= 28,
	COAP_OPT_PROXY_URI	= 35,
	COAP_OPT_PROXY_SCHEME	= 39,
	COAP_OPT_SIZE1		= 60,
	COAP_OPT_ECHO		= 252,
	COAP_OPT_NO_RESPONSE	= 258,
	COAP_OPT_REQUEST_TAG	= 292,
};

/* Option properties are encoded in the number itself (RFC 7252 §5.4.6). */
static inline bool coap_opt_is_critical(u16 num)
{
	return num & 1;
}

static inline bool coap_opt_is_unsafe(u16 num)
{
	return num & 2;
}

static inline bool coap_opt_is_nocachekey(u16 num)
{
	return (num & 0x1e) == 0x1c;
}

/* Option value formats (RFC 7252 §3.2). */
enum coap_opt_format {
	COAP_FMT_EMPTY,
	COAP_FMT_OPAQUE,
	COAP_FMT_UINT,
	COAP_FMT_STRING,
};

/* What the codec knows about an option number. */
struct coap_opt_def {
	u16 num;
	u16 min_len;
	u16 max_len;
	u8 format;		/* enum coap_opt_format */
	bool repeatable;
	const char *name;
};

/* Definition of a known option, or NULL for an unrecognized number. */
const struct coap_opt_def *coap_opt_def(u16 num);

/*
 * Errors. Functions return 0 (or a length) on success and a negated
 * enum coap_err on failure. coap_err_class() groups the parse errors by
 * what the receiver must do about them.
 */
enum coap_err {
	COAP_OK = 0,

	/* Drop silently: nothing can or may be answered. */
	COAP_ERR_SHORT,		/* under 4 bytes: no Message ID to echo */
	COAP_ERR_VERSION,	/* version is not 1 (§3) */
	COAP_ERR_TOO_BIG,	/* over COAP_MAX_MSG_LEN bytes */

	/*
	 * Reject (§4.2, §4.3): message format errors (§3, §3.1, §4.1), and
	 * the cases those sections list beside them as grounds for rejection
	 * (a reserved code class, an Empty NON, an ACK carrying a request, an
	 * RST that is not Empty), which call for the very same action.
	 */
	COAP_ERR_TKL,		/* token length 9-15 (§3) */
	COAP_ERR_TRUNCATED,	/* token or option runs past the end */
	COAP_ERR_OPT_RESERVED,	/* delta or length nibble 15 (§3.1) */
	COAP_ERR_OPT_NUM,	/* option number beyond 65535 */
	COAP_ERR_NO_PAYLOAD,	/* payload marker, zero-length payload */
	COAP_ERR_EMPTY_MSG,	/* 0.00 with a token or more bytes (§4.1) */
	COAP_ERR_CODE_CLASS,	/* reserved class 1, 6 or 7 (§4.2, §4.3) */
	COAP_ERR_TYPE_CODE,	/* request in ACK, non-empty RST, empty NON */

	/* Bad critical option: 4.02 to a CON request, else reject (§5.4.1). */
	COAP_ERR_OPT_UNKNOWN,	/* unrecognized critical option (or §5.10.7) */
	COAP_ERR_OPT_LEN,	/* value length out of range (§5.4.3) */
	COAP_ERR_OPT_REPEAT,	/* non-repeatable option repeated (§5.4.5) */

	/* More than COAP_MAX_OPTS options: a local limit, not a peer error. */
	COAP_ERR_TOO_MANY_OPTS,

	/* Builder and helper errors. */
	COAP_ERR_NOSPACE,	/* output did not fit; length still counted */
	COAP_ERR_ORDER,		/* option added out of order or after payload */
	COAP_ERR_INVAL,		/* argument out of range */
	COAP_ERR_NOENT,		/* no such option, name or number */
	COAP_ERR_BLOCK_SZX,	/* Block SZX 7 is reserved (RFC 7959 §2.2) */
	COAP_ERR_BLOCK_RANGE,	/* block starts past the end of the body */

	COAP_ERR_MAX
};

enum coap_err_class {
	COAP_ERRC_NONE,		/* success */
	COAP_ERRC_DROP,		/* ignore the datagram */
	COAP_ERRC_FORMAT,	/* reject: RST a CON, ignore ACK/RST, drop/RST NON */
	COAP_ERRC_OPTION,	/* 4.02 to a CON request; as FORMAT otherwise */
	COAP_ERRC_LIMIT,	/* local resource limit; the caller decides */
	COAP_ERRC_OTHER,	/* not a parse error */
};

enum coap_err_class coap_err_class(int err);
const char *coap_strerror(int err);

/*
 * A parsed option: where its value lies in the datagram. Offsets keep this
 * at 6 bytes, so the whole option array is under 200 bytes.
 */
struct coap_opt {
	u16 num;
	u16 len;
	u16 off;
};

struct coap_msg {
	const u8 *data;		/* the datagram */
	const u8 *payload;	/* NULL when there is none */
	u16 len;		/* datagram length */
	u16 payload_len;
	u16 mid;
	u8 type;		/* enum coap_type */
	u8 code;
	u8 tkl;			/* token is data[4 .. 4 + tkl) */
	u8 nopts;
	u8 nignored;		/* elective options dropped, see coap_parse() */
	u16 err_opt;		/* option number behind a COAP_ERRC_OPTION error */
	struct coap_opt opts[COAP_MAX_OPTS];	/* ascending by number */
};

/*
 * coap_parse() - parse one datagram into @m.
 *
 * Returns 0 or a negated enum coap_err. Format errors are reported in
 * preference to option errors, and those in preference to
 * COAP_ERR_TOO_MANY_OPTS, so the caller always takes the strongest action.
 *
 * An Empty CON ("ping", §4.3) parses fine; the caller answers it with RST.
 *
 * Unless the error class is COAP_ERRC_DROP, type, code and mid are valid
 * (the caller needs them to RST or to answer 4.02), and the token always
 * lies inside the datagram: it is the message's token, except after
 * COAP_ERR_TKL or a token running past the end, where tkl is set to 0.
 *
 * Elective options (even numbers) with a value length out of range, and
 * supernumerary occurrences of non-repeatable elective options, are dropped
 * and counted in nignored, as §5.4.3 and §5.4.5 treat them as unrecognized
 * and §5.4.1 says those are ignored. Unrecognized elective options are kept
 * so that a proxy can forward them. The same cases on critical options
 * produce a COAP_ERRC_OPTION error with the option number in err_opt; the
 * first such option is reported. §5.4.3 speaks of requests only; the codec
 * applies the length rule to responses as well. A reserved Location-*
 * number (128, 132, 136, 140) next to Location-Path or Location-Query is
 * reported as an unrecognized critical option (§5.10.7).
 *
 * Whether an option is defined for the method or response code at hand
 * (§5.4, last paragraph) is left to the caller.
 */
int coap_parse(struct coap_msg *m, const u8 *data, size_t len);

static inline const u8 *coap_token(const struct coap_msg *m)
{
	return m->data + COAP_HDR_LEN;
}

static inline bool coap_is_request(const struct coap_msg *m)
{
	return COAP_CODE_CLASS(m->code) == 0 && m->code != COAP_CODE_EMPTY;
}

static inline const u8 *coap_opt_value(const struct coap_msg *m,
				       const struct coap_opt *o)
{
	return m->data + o->off;
}

/* First option numbered @num, or NULL. */
const struct coap_opt *coap_opt_find(const struct coap_msg *m, u16 num);

/*
 * Next occurrence of the same option number after @o, or NULL. Repeated
 * options (Uri-Path, Uri-Query, ETag, If-Match, Location-*) are visited with
 *	for (o = coap_opt_find(m, num); o; o = coap_opt_next(m, o))
 */
const struct coap_opt *coap_opt_next(const struct coap_msg *m,
				     const struct coap_opt *o);

/* Decode a uint option value of up to 4 bytes; leading zeros are allowed. */
int coap_uint_decode(const u8 *val, u16 len, u32 *out);

/* Value of uint option @num: 0, -COAP_ERR_NOENT or -COAP_ERR_INVAL. */
int coap_opt_uint(const struct coap_msg *m, u16 num, u32 *out);

/*
 * Message builder.
 *
 * Writes into (buf, cap) and never past cap. It keeps counting after an
 * overflow, so coap_build_end() can report the length that would have been
 * needed; with buf == NULL it only counts, which lets the caller size an
 * skb before building into it.
 *
 * Options must be added in ascending number order, repeats allowed; an
 * option below the previous one, or after the payload, is refused with
 * COAP_ERR_ORDER. Errors are sticky: the first one is kept, later calls do
 * nothing, and every call returns it, so a sequence of calls needs a single
 * check at coap_build_end().
 */
struct coap_builder {
	u8 *buf;
	size_t cap;
	size_t len;		/* bytes produced so far, even past cap */
	u16 last_opt;
	bool empty;		/* code 0.00: nothing may follow the header */
	bool has_payload;
	int err;
};

void coap_build_init(struct coap_builder *b, u8 *buf, size_t cap, u8 type,
		     u8 code, u16 mid, const u8 *token, u8 tkl);

/*
 * Start a response to @req: a piggybacked ACK echoing its Message ID when
 * @req is Confirmable (§5.2.1), otherwise a Non-confirmable response with
 * the caller's fresh @mid (§5.2.3). The token is echoed (§5.3.1).
 */
void coap_build_reply(struct coap_builder *b, u8 *buf, size_t cap,
		      const struct coap_msg *req, u8 code, u16 mid);

int coap_build_opt(struct coap_builder *b, u16 num, const void *val,
		   size_t len);
int coap_build_opt_str(struct coap_builder *b, u16 num, const char *s);
/*
 * A uint option in the fewest bytes (§3.2): 0 is an empty value, so an
 * option of fixed length (Hop-Limit, RFC 8768: 1 byte) needs
 * coap_build_opt() for the value 0.
 */
int coap_build_opt_uint(struct coap_builder *b, u16 num, u32 val);

/* Payload marker plus @len bytes; @len == 0 adds nothing (§3). */
int coap_build_payload(struct coap_builder *b, const void *data, size_t len);

/*
 * Like coap_build_payload() but returns where the caller should write the
 * @len bytes itself, or NULL when they do not fit or when only counting
 * (the length is accounted for either way). @len must be nonzero.
 */
u8 *coap_build_payload_reserve(struct coap_builder *b, size_t len);

/* Message length, or -COAP_ERR_NOSPACE (b->len is the size needed) etc. */
int coap_build_end(const struct coap_builder *b);

/* Empty ACK or RST echoing @mid: returns 4 or -COAP_ERR_NOSPACE. */
int coap_build_empty(u8 *buf, size_t cap, u8 type, u16 mid);

static inline int coap_build_ack(u8 *buf, size_t cap, u16 mid)
{
	return coap_build_empty(buf, cap, COAP_TYPE_ACK, mid);
}

static inline int coap_build_rst(u8 *buf, size_t cap, u16 mid)
{
	return coap_build_empty(buf, cap, COAP_TYPE_RST, mid);
}

/* Serialize a parsed message again (byte-identical unless nignored). */
int coap_build_msg(u8 *buf, size_t cap, const struct coap_msg *m);

/*
 * Block1 / Block2 (RFC 7959 §2.2): NUM (20 bits), M, SZX. The block size
 * is 16 << SZX; SZX 7 is reserved and answered with 4.00.
 */
#define COAP_BLOCK_MAX_NUM	0xfffff
#define COAP_BLOCK_MAX_SZX	6

struct coap_block {
	u32 num;
	u8 szx;
	bool more;
};

static inline u32 coap_block_size(u8 szx)
{
	return 16u << szx;
}

static inline u32 coap_block_offset(const struct coap_block *blk)
{
	return blk->num << (blk->szx + 4);
}

/* -COAP_ERR_OPT_LEN for a value over 3 bytes, -COAP_ERR_BLOCK_SZX for 7. */
int coap_block_decode(const u8 *val, u16 len, struct coap_block *blk);
/* Option @num of @m: as coap_block_decode(), or -COAP_ERR_NOENT. */
int coap_block_get(const struct coap_msg *m, u16 num, struct coap_block *blk);
/* -COAP_ERR_INVAL when NUM or SZX does not fit. */
int coap_block_encode(const struct coap_block *blk, u32 *val);
int coap_build_block(struct coap_builder *b, u16 num,
		     const struct coap_block *blk);

/*
 * Pick the block of a @total byte body to send in answer to a request for
 * @blk (num 0, szx @max_szx if the request had no Block2). SZX is lowered
 * to @max_szx when the client asked for more (RFC 7959 §2.3, §2.4), with
 * NUM scaled so the block still starts at byte NUM << (SZX + 4); the M bit
 * of the request is ignored (§2.2). On return blk->more says whether blocks
 * follow and *off / *len give the slice. -COAP_ERR_BLOCK_RANGE if the block
 * starts past the end of the body (a zero-length body has one empty block
 * 0) or its NUM does not fit in 20 bits; RFC 7959 leaves the response to
 * such a request to the server.
 */
int coap_block_window(struct coap_block *blk, u8 max_szx, u32 total,
		      u32 *off, u32 *len);

/*
 * Uri-Path / Uri-Query. Option values are already percent-decoded, so
 * matching is byte-wise. In @path a '/' separates segments: "/a/b" and
 * "a/b" match Uri-Path "a", "b"; "" and "/" match no Uri-Path at all;
 * "a/" matches "a", "". A segment that itself contains '/' cannot be
 * expressed this way; iterate with coap_opt_next() instead.
 */
bool coap_uri_path_match(const struct coap_msg *m, const char *path);

/*
 * Like coap_uri_path_match() for a leading part of the path. On a match,
 * *rest is the first Uri-Path option after the prefix, or NULL.
 */
bool coap_uri_path_prefix(const struct coap_msg *m, const char *prefix,
			  const struct coap_opt **rest);

/*
 * First Uri-Query "key=value" (or bare "key") for @key. On success *val
 * and *len give the value (length 0 for a bare key).
 */
bool coap_uri_query_find(const struct coap_msg *m, const char *key,
			 const u8 **val, u16 *len);

/* Content-Format numbers (IANA "CoAP Content-Formats" registry). */
enum coap_content_format {
	COAP_CF_TEXT_PLAIN		= 0,
	COAP_CF_COSE_ENCRYPT0		= 16,
	COAP_CF_COSE_MAC0		= 17,
	COAP_CF_COSE_SIGN1		= 18,
	COAP_CF_ACE_CBOR		= 19,
	COAP_CF_IMAGE_GIF		= 21,
	COAP_CF_IMAGE_JPEG		= 22,
	COAP_CF_IMAGE_PNG		= 23,
	COAP_CF_LINK_FORMAT		= 40,
	COAP_CF_XML			= 41,
	COAP_CF_OCTET_STREAM		= 42,
	COAP_CF_EXI			= 47,
	COAP_CF_JSON			= 50,
	COAP_CF_JSON_PATCH_JSON		= 51,
	COAP_CF_MERGE_PATCH_JSON	= 52,
	COAP_CF_CBOR			= 60,
	COAP_CF_CWT			= 61,
	COAP_CF_MULTIPART_CORE		= 62,
	COAP_CF_CBOR_SEQ		= 63,
	COAP_CF_COSE_ENCRYPT		= 96,
	COAP_CF_COSE_MAC		= 97,
	COAP_CF_COSE_SIGN		= 98,
	COAP_CF_COSE_KEY		= 101,
	COAP_CF_COSE_KEY_SET		= 102,
	COAP_CF_SENML_JSON		= 110,
	COAP_CF_SENSML_JSON		= 111,
	COAP_CF_SENML_CBOR		= 112,
	COAP_CF_SENSML_CBOR		= 113,
	COAP_CF_SENML_EXI		= 114,
	COAP_CF_SENSML_EXI		= 115,
	COAP_CF_SENML_XML		= 310,
	COAP_CF_SENSML_XML		= 311,
	COAP_CF_SENML_ETCH_JSON		= 320,
	COAP_CF_SENML_ETCH_CBOR		= 322,
};

/* Canonical media type of @cf, or NULL if not in the table. */
const char *coap_cf_name(u16 cf);

/*
 * Content-Format for a media type: case-insensitive, optional space after
 * ';', "text/plain" alone meaning UTF-8. -COAP_ERR_NOENT if unknown.
 */
int coap_cf_from_name(const char *name, size_t len);

/*
 * CoRE Link Format (RFC 6690) for /.well-known/core.
 *
 * The writer produces the whole document in sequence but stores only the
 * bytes in the window [off, off + cap) of it (cap 0 and a NULL buf only
 * count them). After the last link, coap_link_total() is the document
 * length.
 */
struct coap_link {
	const char *href;	/* a path; percent-encoded between < > as needed */
	const char *rt;		/* resource type(s), space separated; or NULL */
	const char *ifd;	/* interface description(s) ("if"); or NULL */
	const char *title;	/* or NULL */
	int ct;			/* Content-Format, < 0 for none */
	u32 sz;			/* maximum size estimate, 0 for none */
	bool obs;		/* observable (RFC 7641 §6) */
};

struct coap_link_writer {
	u8 *buf;
	size_t off;		/* document offset of buf[0] */
	size_t cap;
	size_t pos;		/* document bytes produced so far */
	unsigned int nlinks;
};

void coap_link_writer_init(struct coap_link_writer *w, u8 *buf, size_t off,
			   size_t cap);
void coap_link_write(struct coap_link_writer *w, const struct coap_link *l);

static inline size_t coap_link_total(const struct coap_link_writer *w)
{
	return w->pos;
}

/* Bytes stored in buf so far. */
size_t coap_link_stored(const struct coap_link_writer *w);

/*
 * RFC 6690 §4.1 filter: does @l match one filter-query "name=value"?
 * "href" names the URI-reference between < and >, other names the link
 * attribute of that name (here rt, if, ct, sz, title, obs). The value must
 * equal the attribute's byte for byte, or, with a trailing '*', be a
 * prefix of it ("rt=*" asks for any rt); rt and if (relation-types) match
 * if any of their space-separated values does; ct and sz are compared as
 * the decimal text of the link. A link without the attribute never
 * matches, so unknown names match nothing. "obs" has no value, so "obs="
 * and "obs=*" select observable links. A bare "name" (no '='), which the
 * §4.1 grammar does not define, is accepted as "the attribute is present".
 * @query is the value of one Uri-Query option, i.e. already
 * percent-decoded.
 */
bool coap_link_match(const struct coap_link *l, const u8 *query, size_t len);

/*
 * All Uri-Query options of @req must match; no query matches everything.
 * RFC 6690 §4.1 defines the filter for a single query parameter and says
 * nothing of several; ANDing them is what RFC 9176 specifies for its
 * lookup filtering (RD), and what common servers do.
 */
bool coap_link_match_req(const struct coap_link *l, const struct coap_msg *req);

#endif /* _KCOAP_COAP_H */
