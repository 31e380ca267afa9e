// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * ringfuzz: a hostile daemon, for tests. It attaches like kcoapd, then for
 * SECONDS seconds writes random bytes over the response descriptors, the
 * response data and both indices it owns, and kicks the kernel, while
 * also answering some requests properly. The kernel must survive it, count
 * what it rejected, and answer the clients 5.03 or 5.00 rather than hang.
 *
 *   ringfuzz [SECONDS] [PREFIX...]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "kcoap_nl.h"
#include "kcoap_ring.h"

static void rnd(void *p, size_t n)
{
	while (n) {
		ssize_t got = getrandom(p, n, 0);

		if (got <= 0)
			return;
		p = (char *)p + got;
		n -= (size_t)got;
	}
}

int main(int argc, char **argv)
{
	const char *def[] = { "/store/", "/echo" };
	struct kcoap_ring_params p = { .prefixes = def, .n_prefixes = 2 };
	struct kcoap_ring_user r;
	struct kcoap_nl nl;
	const uint8_t *data;
	unsigned long kicks = 0;
	time_t end;
	uint32_t x;
	int err;

	if (argc > 2) {
		p.prefixes = (const char *const *)argv + 2;
		p.n_prefixes = (size_t)argc - 2;
	}
	end = time(NULL) + (argc > 1 ? atoi(argv[1]) : 5);
	err = kcoap_nl_open(&nl);
	if (!err)
		err = kcoap_ring_attach(&nl, &r, &p);
	if (err) {
		fprintf(stderr, "ringfuzz: cannot attach: %s %s\n", strerror(-err), nl.extack);
		return 1;
	}
	while (time(NULL) < end) {
		rnd(&x, sizeof(x));
		switch (x % 4) {
		case 0:	/* garbage descriptors, published by a sane index */
			rnd(r.rsp, r.info.rsp_entries * sizeof(*r.rsp));
			rnd(r.rsp_data, (size_t)r.info.rsp_entries * r.info.slot_size);
			__atomic_store_n(r.rsp_prod, *r.rsp_prod + x % 7, __ATOMIC_RELEASE);
			break;
		case 1:	/* an impossible producer index */
			__atomic_store_n(r.rsp_prod, x, __ATOMIC_RELEASE);
			break;
		case 2:	/* an impossible consumer index */
			__atomic_store_n(r.req_cons, x, __ATOMIC_RELEASE);
			break;
		case 3:	/* sane again: take requests, answer some well */
			r.req_next = __atomic_load_n(r.req_prod, __ATOMIC_ACQUIRE);
			__atomic_store_n(r.req_cons, r.req_next, __ATOMIC_RELEASE);
			r.rsp_next = __atomic_load_n(r.rsp_cons, __ATOMIC_ACQUIRE);
			__atomic_store_n(r.rsp_prod, r.rsp_next, __ATOMIC_RELEASE);
			(void)kcoap_ring_peek(&r, &data);
			break;
		}
		r.rsp_pending = 1;
		kcoap_ring_kick(&r);
		kicks++;
		usleep(1000);
	}
	printf("kicks: %lu\n", kicks);
	kcoap_ring_detach(&r);
	kcoap_nl_close(&nl);
	return 0;
}
