// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Building and parsing resource messages of the "kcoap" family.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include <linux/kcoap.h>

#include "kcoap_resource.h"

void kcoap_resource_free(struct kcoap_resource *res)
{
	free(res->path);
	free(res->rt);
	free(res->iface);
	free(res->title);
	free(res->reprs);
	free(res->data);
	memset(res, 0, sizeof(*res));
}

int kcoap_resource_set_str(char **field, const char *s)
{
	char *copy = NULL;

	if (s) {
		copy = strdup(s);
		if (!copy)
			return -ENOMEM;
	}
	free(*field);
	*field = copy;
	return 0;
}

int kcoap_resource_add_repr(struct kcoap_resource *res, uint16_t cf,
			    const void *value, size_t len)
{
	struct kcoap_repr *reprs;
	uint8_t *data;
	unsigned int i;

	for (i = 0; i < res->n_reprs; i++)
		if (res->reprs[i].cf == cf)
			return -EEXIST;
	if (len > UINT32_MAX)
		return -EFBIG;
	reprs = realloc(res->reprs, (res->n_reprs + 1) * sizeof(*reprs));
	if (!reprs)
		return -ENOMEM;
	res->reprs = reprs;
	/* realloc(p, 0) may return NULL: keep at least one byte. */
	data = realloc(res->data, res->data_len + len + 1);
	if (!data)
		return -ENOMEM;
	res->data = data;
	if (len)
		memcpy(data + res->data_len, value, len);
	reprs[res->n_reprs] = (struct kcoap_repr){
		.cf = cf, .size = (uint32_t)len, .offset = res->data_len,
	};
	res->n_reprs++;
	res->data_len += len;
	res->has |= KCOAP_RES_REPRS;
	return 0;
}

const uint8_t *kcoap_repr_value(const struct kcoap_resource *res,
				unsigned int i)
{
	if (!res->data || i >= res->n_reprs)
		return NULL;
	return res->data + res->reprs[i].offset;
}

size_t kcoap_data_parts(size_t len)
{
	return (len + KCOAP_DATA_PART_MAX - 1) / KCOAP_DATA_PART_MAX;
}

static size_t str_attr_size(const char *s)
{
	return s ? nla_total_size(strlen(s) + 1) : 0;
}

size_t kcoap_resource_msg_size(const struct kcoap_resource *res)
{
	size_t size = str_attr_size(res->path);
	unsigned int i;

	for (i = 0; i < res->n_reprs; i++) {
		size_t len = res->reprs[i].size;
		size_t full = len / KCOAP_DATA_PART_MAX;

		size += nla_total_size(nla_total_size(sizeof(uint16_t)) +
				       nla_total_size(sizeof(uint32_t)));
		size += full * nla_total_size(KCOAP_DATA_PART_MAX);
		if (len % KCOAP_DATA_PART_MAX)
			size += nla_total_size(len % KCOAP_DATA_PART_MAX);
	}
	if (res->has & KCOAP_RES_RT)
		size += str_attr_size(res->rt ? res->rt : "");
	if (res->has & KCOAP_RES_IF)
		size += str_attr_size(res->iface ? res->iface : "");
	if (res->has & KCOAP_RES_TITLE)
		size += str_attr_size(res->title ? res->title : "");
	/* max-age, methods (u32) and obs (u8) take 8 bytes each. */
	size += 3 * nla_total_size(sizeof(uint32_t));
	return size;
}

static int put_reprs(struct nl_msg *msg, const struct kcoap_resource *res)
{
	unsigned int i;

	for (i = 0; i < res->n_reprs; i++) {
		struct nlattr *nest = nla_nest_start(msg, KCOAP_A_RESOURCE_REPR);

		if (!nest ||
		    nla_put_u16(msg, KCOAP_A_REPR_CONTENT_FORMAT, res->reprs[i].cf) ||
		    nla_put_u32(msg, KCOAP_A_REPR_SIZE, res->reprs[i].size))
			return -EMSGSIZE;
		nla_nest_end(msg, nest);
	}
	return 0;
}

/*
 * The values, representation by representation. Splitting each value on
 * its own is one valid way to cut the concatenation: a receiver that reads
 * the parts as one stream and one that expects parts not to straddle
 * values both read it right.
 */
static int put_data(struct nl_msg *msg, const struct kcoap_resource *res)
{
	unsigned int i;

	for (i = 0; i < res->n_reprs; i++) {
		const uint8_t *p = kcoap_repr_value(res, i);
		size_t left = res->reprs[i].size;

		while (left) {
			size_t n = left < KCOAP_DATA_PART_MAX ? left :
				   KCOAP_DATA_PART_MAX;

			if (nla_put(msg, KCOAP_A_RESOURCE_DATA, (int)n, p))
				return -EMSGSIZE;
			p += n;
			left -= n;
		}
	}
	return 0;
}

static int put_str(struct nl_msg *msg, int type, const char *s)
{
	return nla_put_string(msg, type, s ? s : "") ? -EMSGSIZE : 0;
}

int kcoap_resource_put(struct nl_msg *msg, const struct kcoap_resource *res)
{
	uint32_t has = res->has;
	int err;

	if (res->path && nla_put_string(msg, KCOAP_A_RESOURCE_PATH, res->path))
		return -EMSGSIZE;
	if (res->n_reprs && res->data_len && !res->data)
		return -EINVAL;
	err = put_reprs(msg, res);
	if (!err)
		err = put_data(msg, res);
	if (!err && (has & KCOAP_RES_MAX_AGE) &&
	    nla_put_u32(msg, KCOAP_A_RESOURCE_MAX_AGE, res->max_age))
		err = -EMSGSIZE;
	if (!err && (has & KCOAP_RES_RT))
		err = put_str(msg, KCOAP_A_RESOURCE_RT, res->rt);
	if (!err && (has & KCOAP_RES_IF))
		err = put_str(msg, KCOAP_A_RESOURCE_IF, res->iface);
	if (!err && (has & KCOAP_RES_TITLE))
		err = put_str(msg, KCOAP_A_RESOURCE_TITLE, res->title);
	if (!err && (has & KCOAP_RES_OBS) &&
	    nla_put_u8(msg, KCOAP_A_RESOURCE_OBS, res->obs))
		err = -EMSGSIZE;
	if (!err && (has & KCOAP_RES_METHODS) &&
	    nla_put_u32(msg, KCOAP_A_RESOURCE_METHODS, res->methods))
		err = -EMSGSIZE;
	if (!err && (has & KCOAP_RES_SECURE) &&
	    nla_put_u8(msg, KCOAP_A_RESOURCE_SECURE, res->secure))
		err = -EMSGSIZE;
	return err;
}

/* Parsing. Every attribute's length is checked before it is read. */

static int take_str(char **field, const struct nlattr *a)
{
	char *s = strndup(nla_data(a), nla_len(a));

	if (!s)
		return -ENOMEM;
	free(*field);
	*field = s;
	return 0;
}

static int take_u32(uint32_t *field, const struct nlattr *a)
{
	if (nla_len(a) < (int)sizeof(uint32_t))
		return -EBADMSG;
	*field = nla_get_u32((struct nlattr *)a);
	return 0;
}

static int parse_repr(struct kcoap_repr *r, struct nlattr *nest)
{
	struct nlattr *tb[KCOAP_A_REPR_MAX + 1];
	struct nla_policy pol[KCOAP_A_REPR_MAX + 1] = {
		[KCOAP_A_REPR_CONTENT_FORMAT] = { .type = NLA_U16 },
		[KCOAP_A_REPR_SIZE] = { .type = NLA_U32 },
		[KCOAP_A_REPR_ETAG] = { .type = NLA_UNSPEC, .maxlen = 8 },
	};

	if (nla_parse_nested(tb, KCOAP_A_REPR_MAX, nest, pol) < 0 ||
	    !tb[KCOAP_A_REPR_CONTENT_FORMAT] || !tb[KCOAP_A_REPR_SIZE])
		return -EBADMSG;
	memset(r, 0, sizeof(*r));
	r->cf = nla_get_u16(tb[KCOAP_A_REPR_CONTENT_FORMAT]);
	r->size = nla_get_u32(tb[KCOAP_A_REPR_SIZE]);
	if (tb[KCOAP_A_REPR_ETAG]) {
		int n = nla_len(tb[KCOAP_A_REPR_ETAG]);

		if (n > (int)sizeof(r->etag))
			return -EBADMSG;
		memcpy(r->etag, nla_data(tb[KCOAP_A_REPR_ETAG]), n);
		r->etag_len = (uint8_t)n;
	}
	return 0;
}

static int parse_attr(struct kcoap_resource *res, struct nlattr *a)
{
	switch (nla_type(a)) {
	case KCOAP_A_RESOURCE_PATH:
		return take_str(&res->path, a);
	case KCOAP_A_RESOURCE_RT:
		res->has |= KCOAP_RES_RT;
		return take_str(&res->rt, a);
	case KCOAP_A_RESOURCE_IF:
		res->has |= KCOAP_RES_IF;
		return take_str(&res->iface, a);
	case KCOAP_A_RESOURCE_TITLE:
		res->has |= KCOAP_RES_TITLE;
		return take_str(&res->title, a);
	case KCOAP_A_RESOURCE_MAX_AGE:
		res->has |= KCOAP_RES_MAX_AGE;
		return take_u32(&res->max_age, a);
	case KCOAP_A_RESOURCE_METHODS:
		res->has |= KCOAP_RES_METHODS;
		return take_u32(&res->methods, a);
	case KCOAP_A_RESOURCE_ID:
		res->has |= KCOAP_RES_ID;
		return take_u32(&res->id, a);
	case KCOAP_A_RESOURCE_OBSERVERS:
		res->has |= KCOAP_RES_OBSERVERS;
		return take_u32(&res->observers, a);
	case KCOAP_A_RESOURCE_EVENT:
		res->has |= KCOAP_RES_EVENT;
		return take_u32(&res->event, a);
	case KCOAP_A_RESOURCE_OBS:
		if (nla_len(a) < 1)
			return -EBADMSG;
		res->has |= KCOAP_RES_OBS;
		res->obs = nla_get_u8(a) != 0;
		return 0;
	case KCOAP_A_RESOURCE_SECURE:
		if (nla_len(a) < 1)
			return -EBADMSG;
		res->has |= KCOAP_RES_SECURE;
		res->secure = nla_get_u8(a) != 0;
		return 0;
	case KCOAP_A_RESOURCE_DATA_OMITTED:
		res->data_omitted = true;
		return 0;
	default:
		/* repr and data are gathered separately; newer attributes are skipped. */
		return 0;
	}
}

/* Count the representations and value bytes, then gather them. */
static int parse_values(struct kcoap_resource *res, struct nlattr *attrs,
			int len)
{
	unsigned long long sizes = 0;
	size_t n_reprs = 0, data_len = 0;
	struct nlattr *a;
	int rem, err;

	nla_for_each_attr(a, attrs, len, rem) {
		if (nla_type(a) == KCOAP_A_RESOURCE_REPR)
			n_reprs++;
		else if (nla_type(a) == KCOAP_A_RESOURCE_DATA)
			data_len += nla_len(a);
	}
	if (!n_reprs)
		return data_len ? -EBADMSG : 0;
	res->has |= KCOAP_RES_REPRS;
	res->reprs = calloc(n_reprs, sizeof(*res->reprs));
	res->data = malloc(data_len + 1);
	if (!res->reprs || !res->data)
		return -ENOMEM;
	nla_for_each_attr(a, attrs, len, rem) {
		if (nla_type(a) == KCOAP_A_RESOURCE_REPR) {
			struct kcoap_repr *r = &res->reprs[res->n_reprs];

			err = parse_repr(r, a);
			if (err)
				return err;
			r->offset = (size_t)sizes;
			sizes += r->size;
			res->n_reprs++;
		} else if (nla_type(a) == KCOAP_A_RESOURCE_DATA) {
			memcpy(res->data + res->data_len, nla_data(a), nla_len(a));
			res->data_len += nla_len(a);
		}
	}
	if (res->data_omitted || (!data_len && sizes)) {
		/* Sizes and ETags only; a value may not be shown as empty. */
		free(res->data);
		res->data = NULL;
		res->data_len = 0;
		res->data_omitted = true;
		return 0;
	}
	return data_len == sizes ? 0 : -EBADMSG;
}

int kcoap_resource_parse(const struct nlmsghdr *nlh,
			 struct kcoap_resource *res)
{
	struct genlmsghdr *g = nlmsg_data(nlh);
	struct nlattr *attrs, *a;
	int len, rem, err;

	memset(res, 0, sizeof(*res));
	if (!genlmsg_valid_hdr((struct nlmsghdr *)nlh, 0))
		return -EBADMSG;
	attrs = genlmsg_attrdata(g, 0);
	len = genlmsg_attrlen(g, 0);
	nla_for_each_attr(a, attrs, len, rem) {
		err = parse_attr(res, a);
		if (err)
			goto fail;
	}
	err = parse_values(res, attrs, len);
	if (err)
		goto fail;
	return 0;
fail:
	kcoap_resource_free(res);
	return err;
}
