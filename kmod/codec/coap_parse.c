// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * CoAP message parsing (RFC 7252 §3, §4, §5.4) and option lookup.
 */
#include "coap.h"

/*
 * Known options, ascending by number for the binary search below. Lengths
 * and repeatability are those of RFC 7252 §5.10, RFC 7641 §2 (Observe),
 * RFC 7959 §2.1 and §4 (Block, Size2), RFC 8768 §3 (Hop-Limit), RFC 9175
 * §2.2 and §3.2 (Echo, Request-Tag) and RFC 7967 §2 (No-Response).
 */
static const struct coap_opt_def coap_opt_defs[] = {
	{ 1, 0, 8, COAP_FMT_OPAQUE, true, "If-Match" },
	{ 3, 1, 255, COAP_FMT_STRING, false, "Uri-Host" },
	{ 4, 1, 8, COAP_FMT_OPAQUE, true, "ETag" },
	{ 5, 0, 0, COAP_FMT_EMPTY, false, "If-None-Match" },
	{ 6, 0, 3, COAP_FMT_UINT, false, "Observe" },
	{ 7, 0, 2, COAP_FMT_UINT, false, "Uri-Port" },
	{ 8, 0, 255, COAP_FMT_STRING, true, "Location-Path" },
	{ 11, 0, 255, COAP_FMT_STRING, true, "Uri-Path" },
	{ 12, 0, 2, COAP_FMT_UINT, false, "Content-Format" },
	{ 14, 0, 4, COAP_FMT_UINT, false, "Max-Age" },
	{ 15, 0, 255, COAP_FMT_STRING, true, "Uri-Query" },
	{ 16, 1, 1, COAP_FMT_UINT, false, "Hop-Limit" },
	{ 17, 0, 2, COAP_FMT_UINT, false, "Accept" },
	{ 20, 0, 255, COAP_FMT_STRING, true, "Location-Query" },
	{ 23, 0, 3, COAP_FMT_UINT, false, "Block2" },
	{ 27, 0, 3, COAP_FMT_UINT, false, "Block1" },
	{ 28, 0, 4, COAP_FMT_UINT, false, "Size2" },
	{ 35, 1, 1034, COAP_FMT_STRING, false, "Proxy-Uri" },
	{ 39, 1, 255, COAP_FMT_STRING, false, "Proxy-Scheme" },
	{ 60, 0, 4, COAP_FMT_UINT, false, "Size1" },
	{ 252, 1, 40, COAP_FMT_OPAQUE, false, "Echo" },
	{ 258, 0, 1, COAP_FMT_UINT, false, "No-Response" },
	{ 292, 0, 8, COAP_FMT_OPAQUE, true, "Request-Tag" },
};

const struct coap_opt_def *coap_opt_def(u16 num)
{
	unsigned int lo = 0, hi = ARRAY_SIZE(coap_opt_defs);

	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;
		u16 n = coap_opt_defs[mid].num;

		if (n == num)
			return &coap_opt_defs[mid];
		if (n < num)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

enum coap_err_class coap_err_class(int err)
{
	if (err >= 0)
		return COAP_ERRC_NONE;
	/* Also keeps -err from overflowing for INT_MIN. */
	if (err <= -COAP_ERR_MAX)
		return COAP_ERRC_OTHER;
	switch (-err) {
	case COAP_ERR_SHORT:
	case COAP_ERR_VERSION:
	case COAP_ERR_TOO_BIG:
		return COAP_ERRC_DROP;
	case COAP_ERR_TKL:
	case COAP_ERR_TRUNCATED:
	case COAP_ERR_OPT_RESERVED:
	case COAP_ERR_OPT_NUM:
	case COAP_ERR_NO_PAYLOAD:
	case COAP_ERR_EMPTY_MSG:
	case COAP_ERR_CODE_CLASS:
	case COAP_ERR_TYPE_CODE:
		return COAP_ERRC_FORMAT;
	case COAP_ERR_OPT_UNKNOWN:
	case COAP_ERR_OPT_LEN:
	case COAP_ERR_OPT_REPEAT:
		return COAP_ERRC_OPTION;
	case COAP_ERR_TOO_MANY_OPTS:
		return COAP_ERRC_LIMIT;
	default:
		return COAP_ERRC_OTHER;
	}
}

static const char *const coap_err_names[COAP_ERR_MAX] = {
	[COAP_OK]		= "ok",
	[COAP_ERR_SHORT]	= "datagram shorter than the header",
	[COAP_ERR_VERSION]	= "unknown version",
	[COAP_ERR_TOO_BIG]	= "datagram too large",
	[COAP_ERR_TKL]		= "reserved token length",
	[COAP_ERR_TRUNCATED]	= "token or option past end of datagram",
	[COAP_ERR_OPT_RESERVED]	= "reserved option nibble 15",
	[COAP_ERR_OPT_NUM]	= "option number overflow",
	[COAP_ERR_NO_PAYLOAD]	= "payload marker without payload",
	[COAP_ERR_EMPTY_MSG]	= "empty message with token or data",
	[COAP_ERR_CODE_CLASS]	= "reserved code class",
	[COAP_ERR_TYPE_CODE]	= "code not allowed for message type",
	[COAP_ERR_OPT_UNKNOWN]	= "unrecognized critical option",
	[COAP_ERR_OPT_LEN]	= "option length out of range",
	[COAP_ERR_OPT_REPEAT]	= "non-repeatable option repeated",
	[COAP_ERR_TOO_MANY_OPTS] = "too many options",
	[COAP_ERR_NOSPACE]	= "no space in output buffer",
	[COAP_ERR_ORDER]	= "option out of order",
	[COAP_ERR_INVAL]	= "invalid argument",
	[COAP_ERR_NOENT]	= "not found",
	[COAP_ERR_BLOCK_SZX]	= "reserved block size exponent 7",
	[COAP_ERR_BLOCK_RANGE]	= "block beyond end of body",
};

const char *coap_strerror(int err)
{
	if (err > 0)
		err = 0;
	if (err <= -COAP_ERR_MAX)
		return "unknown error";
	return coap_err_names[-err];
}

/*
 * Resolve an extended delta or length (§3.1): nibbles 13 and 14 take one
 * or two more bytes, 15 is reserved (the caller has already excluded the
 * payload marker, where both nibbles are 15).
 */
static int coap_ext(const u8 *data, size_t len, size_t *pos, u32 *v)
{
	if (*v < 13)
		return 0;
	if (*v == 15)
		return -COAP_ERR_OPT_RESERVED;
	if (*v == 13) {
		if (*pos + 1 > len)
			return -COAP_ERR_TRUNCATED;
		*v = 13 + data[*pos];
		*pos += 1;
		return 0;
	}
	if (*pos + 2 > len)
		return -COAP_ERR_TRUNCATED;
	*v = 269 + coap_get_be16(data + *pos);
	*pos += 2;
	return 0;
}

/* Header checks; returns 0 or a negated error. */
static int coap_parse_header(struct coap_msg *m, const u8 *data, size_t len)
{
	u8 class;

	if (len < COAP_HDR_LEN)
		return -COAP_ERR_SHORT;
	if ((data[0] >> 6) != COAP_VERSION)
		return -COAP_ERR_VERSION;
	if (len > COAP_MAX_MSG_LEN)
		return -COAP_ERR_TOO_BIG;

	m->len = (u16)len;
	m->type = (data[0] >> 4) & 3;
	m->tkl = data[0] & 0x0f;
	m->code = data[1];
	m->mid = coap_get_be16(data + 2);

	/*
	 * Check the token first, so that whatever else is wrong, a caller
	 * never finds a token that lies outside the datagram: when it does
	 * not fit, or TKL is reserved, tkl is reported as 0.
	 */
	if (m->tkl > COAP_MAX_TOKEN) {
		m->tkl = 0;
		return -COAP_ERR_TKL;
	}
	if ((size_t)COAP_HDR_LEN + m->tkl > len) {
		m->tkl = 0;
		return -COAP_ERR_TRUNCATED;
	}
	if (m->code == COAP_CODE_EMPTY) {
		if (len != COAP_HDR_LEN || m->tkl)
			return -COAP_ERR_EMPTY_MSG;
		/* A NON must not be Empty (§4.3). */
		if (m->type == COAP_TYPE_NON)
			return -COAP_ERR_TYPE_CODE;
		return 0;
	}
	class = COAP_CODE_CLASS(m->code);
	if (class == 1 || class >= 6)
		return -COAP_ERR_CODE_CLASS;
	/* An ACK carries a response or nothing, an RST nothing (§4.2). */
	if (m->type == COAP_TYPE_RST ||
	    (m->type == COAP_TYPE_ACK && class == 0))
		return -COAP_ERR_TYPE_CODE;
	return 0;
}

/*
 * Check one option against its definition. Returns 1 to store it, 0 to
 * drop it (elective and invalid) or a negated option error (critical and
 * invalid).
 */
static int coap_check_opt(u16 num, u32 olen, bool repeated)
{
	const struct coap_opt_def *def = coap_opt_def(num);
	int err;

	if (!def) {
		/* Unknown elective options pass through (§5.4.1). */
		if (!coap_opt_is_critical(num))
			return 1;
		return -COAP_ERR_OPT_UNKNOWN;
	}
	if (olen < def->min_len || olen > def->max_len)
		err = -COAP_ERR_OPT_LEN;
	else if (repeated && !def->repeatable)
		err = -COAP_ERR_OPT_REPEAT;
	else
		return 1;
	/* Treated like an unrecognized option (§5.4.3, §5.4.5). */
	return coap_opt_is_critical(num) ? err : 0;
}

/*
 * Option numbers 128, 132, 136 and 140 are reserved for future Location-*
 * options. Though even (elective) numbers, when one occurs together with
 * Location-Path or Location-Query and is not supported, "a 4.02 (Bad
 * Option) error MUST be returned" (RFC 7252 §5.10.7): treat it as an
 * unrecognized critical option. Location-* numbers are lower, so they have
 * always been seen by the time one of these turns up.
 */
static bool coap_location_reserved(u32 num)
{
	return num >= 128 && num <= 140 && !(num & 3);
}

int coap_parse(struct coap_msg *m, const u8 *data, size_t len)
{
	size_t pos;
	u32 num = 0;
	int opt_err = 0;
	bool too_many = false, first = true, location = false;
	int err;

	m->data = data;
	m->payload = NULL;
	m->len = 0;
	m->payload_len = 0;
	m->mid = 0;
	m->type = 0;
	m->code = 0;
	m->tkl = 0;
	m->nopts = 0;
	m->nignored = 0;
	m->err_opt = 0;

	err = coap_parse_header(m, data, len);
	if (err || m->code == COAP_CODE_EMPTY)
		return err;

	pos = COAP_HDR_LEN + m->tkl;
	while (pos < len) {
		u8 b = data[pos++];
		u32 delta = b >> 4, olen = b & 0x0f;
		bool repeated;

		if (b == COAP_PAYLOAD_MARKER) {
			if (pos == len)
				return -COAP_ERR_NO_PAYLOAD;
			m->payload = data + pos;
			m->payload_len = (u16)(len - pos);
			break;
		}
		err = coap_ext(data, len, &pos, &delta);
		if (!err)
			err = coap_ext(data, len, &pos, &olen);
		if (err)
			return err;
		if (olen > len - pos)
			return -COAP_ERR_TRUNCATED;
		/* Delta 0 means another instance of the same number (§3.1). */
		repeated = delta == 0 && !first;
		first = false;
		num += delta;
		if (num > 0xffff)
			return -COAP_ERR_OPT_NUM;

		if (num == COAP_OPT_LOCATION_PATH ||
		    num == COAP_OPT_LOCATION_QUERY)
			location = true;
		if (location && coap_location_reserved(num))
			err = -COAP_ERR_OPT_UNKNOWN;
		else
			err = coap_check_opt((u16)num, olen, repeated);
		if (err < 0) {
			if (!opt_err) {
				opt_err = err;
				m->err_opt = (u16)num;
			}
		} else if (err == 0) {
			/* Saturate: 255 means "255 or more". */
			if (m->nignored < 255)
				m->nignored++;
		} else if (m->nopts == COAP_MAX_OPTS) {
			/* Keep walking: a later format error still wins. */
			too_many = true;
		} else {
			struct coap_opt *o = &m->opts[m->nopts++];

			o->num = (u16)num;
			o->len = (u16)olen;
			o->off = (u16)pos;
		}
		pos += olen;
	}

	if (opt_err)
		return opt_err;
	if (too_many)
		return -COAP_ERR_TOO_MANY_OPTS;
	return 0;
}

const struct coap_opt *coap_opt_find(const struct coap_msg *m, u16 num)
{
	unsigned int i;

	for (i = 0; i < m->nopts; i++) {
		if (m->opts[i].num == num)
			return &m->opts[i];
		/* Options are stored in ascending order (§3.1). */
		if (m->opts[i].num > num)
			break;
	}
	return NULL;
}

const struct coap_opt *coap_opt_next(const struct coap_msg *m,
				     const struct coap_opt *o)
{
	const struct coap_opt *n = o + 1;

	if (n < m->opts + m->nopts && n->num == o->num)
		return n;
	return NULL;
}

int coap_uint_decode(const u8 *val, u16 len, u32 *out)
{
	u32 v = 0;
	u16 i;

	if (len > 4)
		return -COAP_ERR_INVAL;
	for (i = 0; i < len; i++)
		v = (v << 8) | val[i];
	*out = v;
	return 0;
}

int coap_opt_uint(const struct coap_msg *m, u16 num, u32 *out)
{
	const struct coap_opt *o = coap_opt_find(m, num);

	if (!o)
		return -COAP_ERR_NOENT;
	return coap_uint_decode(coap_opt_value(m, o), o->len, out);
}
