/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * For the KUnit suites: a namespace's state without sockets, configured as
 * kcoap_config_init() does, torn down by the test's actions; and resources
 * built as netlink.c builds them.
 */
#ifndef _KCOAP_KUNIT_NET_H
#define _KCOAP_KUNIT_NET_H

#include <kunit/test.h>

#include "kcoap.h"

struct kt_repr {
	u16 ct;
	const void *data;
	u32 len;
};

struct kt_res {
	const char *path;
	const char *rt, *ifd, *title;
	u32 methods;			/* 0: GET only */
	u32 max_age;
	bool obs;
	bool secure;
	u8 nrepr;
	struct kt_repr repr[2];
};

struct kcoap_net *kt_net_new(struct kunit *test);
/* The state netlink.c would build for @r (fails the test if it cannot). */
struct kcoap_res_state *kt_res_state(struct kunit *test, struct kcoap_net *kn,
				     const struct kt_res *r);
/* Add @r to @kn (fails the test if it cannot); returns its state. */
const struct kcoap_res_state *kt_res_add(struct kunit *test,
					 struct kcoap_net *kn,
					 const struct kt_res *r);

#endif /* _KCOAP_KUNIT_NET_H */
