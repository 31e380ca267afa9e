/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * A kcoap resource as it travels over generic netlink (uapi/kcoap.yaml):
 * path, attributes, and representations whose values are carried as
 * repeated "data" attributes of at most KCOAP_DATA_PART_MAX bytes,
 * concatenated in "repr" order.
 *
 * The same struct describes a request (resource-add, resource-set: only the
 * attributes flagged in @has are sent) and a reply (resource-get, dumps and
 * notifications: @has says which attributes were present).
 */
#ifndef KCOAP_RESOURCE_H
#define KCOAP_RESOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>
#include <netlink/msg.h>

/* Which optional attributes a struct kcoap_resource holds. */
enum {
	KCOAP_RES_MAX_AGE	= 1 << 0,
	KCOAP_RES_RT		= 1 << 1,
	KCOAP_RES_IF		= 1 << 2,
	KCOAP_RES_TITLE		= 1 << 3,
	KCOAP_RES_OBS		= 1 << 4,
	KCOAP_RES_METHODS	= 1 << 5,
	KCOAP_RES_ID		= 1 << 6,
	KCOAP_RES_OBSERVERS	= 1 << 7,
	KCOAP_RES_EVENT		= 1 << 8,
	KCOAP_RES_REPRS		= 1 << 9,	/* repr attributes (even none) */
	KCOAP_RES_SECURE	= 1 << 10,
};

struct kcoap_repr {
	uint16_t cf;		/* Content-Format */
	uint32_t size;		/* bytes of the value */
	size_t offset;		/* of the value in kcoap_resource.data */
	uint8_t etag[8];
	uint8_t etag_len;	/* 0: none given */
};

struct kcoap_resource {
	char *path;		/* every string is owned, NULL if absent */
	char *rt;
	char *iface;		/* "if" */
	char *title;
	uint32_t has;		/* KCOAP_RES_* */
	uint32_t max_age;
	uint32_t methods;	/* KCOAP_METHOD_* bits */
	uint32_t id;
	uint32_t observers;
	uint32_t event;		/* enum kcoap_event, in notifications */
	bool obs;
	bool secure;		/* served only over DTLS */
	bool data_omitted;	/* reply: reprs known, values not included */
	struct kcoap_repr *reprs;
	unsigned int n_reprs;
	uint8_t *data;		/* the values, concatenated; NULL if omitted */
	size_t data_len;
};

/* Release what @res owns and zero it. */
void kcoap_resource_free(struct kcoap_resource *res);

/* Set a string field (copies @s; NULL clears). 0 or -ENOMEM. */
int kcoap_resource_set_str(char **field, const char *s);

/*
 * Append a representation with its value (copied). -EEXIST if @cf is
 * already there (one representation per Content-Format), -EFBIG if the
 * size does not fit in 32 bits, -ENOMEM.
 */
int kcoap_resource_add_repr(struct kcoap_resource *res, uint16_t cf,
			    const void *value, size_t len);

/* The value of representation @i, or NULL if values were omitted. */
const uint8_t *kcoap_repr_value(const struct kcoap_resource *res,
				unsigned int i);

/* Number of "data" attributes a value of @len bytes takes. */
size_t kcoap_data_parts(size_t len);

/* Attribute bytes kcoap_resource_put() will add for @res. */
size_t kcoap_resource_msg_size(const struct kcoap_resource *res);

/*
 * Add @res's path, representations, values and the attributes flagged in
 * @res->has to a request. Each representation's value is split into
 * "data" attributes of at most KCOAP_DATA_PART_MAX bytes, so no attribute
 * straddles two values. -EMSGSIZE if @msg is too small.
 */
int kcoap_resource_put(struct nl_msg *msg, const struct kcoap_resource *res);

/*
 * Parse a resource message (reply, dump entry, notification or request)
 * into @res (which the caller then frees). -EBADMSG if it is malformed:
 * wrong attribute sizes, or values that do not add up to the sizes the
 * representations give.
 */
int kcoap_resource_parse(const struct nlmsghdr *nlh,
			 struct kcoap_resource *res);

#endif /* KCOAP_RESOURCE_H */
