// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Echo values (RFC 9175 §2.4 item 3) and the table of verified peers; the
 * credit rule itself is in validate.h.
 *
 * An Echo value is the first 8 bytes of SipHash-2-4, keyed with a random
 * key per namespace, over the peer's address and the number of the
 * current KCOAP_ECHO_EPOCH-second epoch of the boot-time clock: nothing is
 * kept per peer until a value comes back. A value from the current or the
 * previous epoch is accepted, so one is good for 30 to 60 seconds.
 */
#include <linux/random.h>
#include <linux/ktime.h>

#include "kcoap.h"
#include "coap.h"
#include "validate.h"

u32 kcoap_amp_credit(struct kcoap_net *kn, u32 len)
{
	u8 factor = READ_ONCE(kn->cfg.amp_factor);

	return factor ? factor * len : U32_MAX;
}

static void kcoap_addr_of(struct in6_addr *a, const struct kcoap_peer *p)
{
	if (p->family == AF_INET6)
		*a = p->addr.v6;
	else
		ipv6_addr_set_v4mapped(p->addr.v4, a);
}

bool kcoap_peer_verified(struct kcoap_net *kn, const struct kcoap_peer *p)
{
	struct in6_addr a;

	kcoap_addr_of(&a, p);
	return kcoap_peertab_lookup(&kn->val.verified, &a);
}

bool kcoap_peer_unverified(struct kcoap_net *kn, const struct kcoap_peer *p)
{
	return READ_ONCE(kn->cfg.amp_factor) && !kcoap_peer_local(p) &&
	       !kcoap_peer_verified(kn, p);
}

void kcoap_peer_verify(struct kcoap_net *kn, const struct kcoap_peer *p,
		       int why)
{
	unsigned long expires = jiffies +
		(unsigned long)READ_ONCE(kn->cfg.verify_lifetime) * HZ;
	struct kcoap_peerent *e;
	struct in6_addr a;
	bool added;

	if (kcoap_peer_local(p) || p->multicast)
		return;
	kcoap_stat_inc(kn, why);
	kcoap_addr_of(&a, p);
	rcu_read_lock();
	e = kcoap_peertab_add(&kn->val.verified, &a, READ_ONCE(kn->cfg.verify_max),
			      expires, &added, NULL, NULL);
	if (!e)
		kcoap_stat_inc(kn, KCOAP_STAT_VERIFY_FULL);
	else if (!added)
		WRITE_ONCE(e->expires, expires);	/* seen again: kept longer */
	rcu_read_unlock();
}

u64 kcoap_echo_mac(struct kcoap_net *kn, const struct in6_addr *addr, u64 epoch)
{
	struct {
		struct in6_addr addr;
		u64 epoch;
	} in = { .addr = *addr, .epoch = epoch };

	return siphash(&in, sizeof(in), &kn->val.echo_key);
}

static u64 kcoap_echo_now(void)
{
	return ktime_get_boottime_seconds();
}

void kcoap_echo_opt(struct kcoap_net *kn, const struct kcoap_peer *p, u8 *out)
{
	struct in6_addr a;
	__le64 mac;

	kcoap_addr_of(&a, p);
	/* Delta 252 from option 0: nibble 13 and 252 - 13 (RFC 7252 §3.1). */
	out[0] = (13 << 4) | KCOAP_ECHO_LEN;
	out[1] = COAP_OPT_ECHO - 13;
	mac = cpu_to_le64(kcoap_echo_mac(kn, &a, kcoap_echo_now() / KCOAP_ECHO_EPOCH));
	memcpy(out + 2, &mac, sizeof(mac));
}

bool kcoap_echo_valid(struct kcoap_net *kn, const struct in6_addr *addr,
		      const u8 *val, u32 len, u64 now_s)
{
	u64 epoch = now_s / KCOAP_ECHO_EPOCH, v;
	__le64 mac;

	if (len != KCOAP_ECHO_LEN)
		return false;
	memcpy(&mac, val, sizeof(mac));
	v = le64_to_cpu(mac);
	return v == kcoap_echo_mac(kn, addr, epoch) ||
	       (epoch && v == kcoap_echo_mac(kn, addr, epoch - 1));
}

void kcoap_echo_check(struct kcoap_net *kn, const struct kcoap_peer *p,
		      const struct coap_msg *req)
{
	const struct coap_opt *o = coap_opt_find(req, COAP_OPT_ECHO);
	struct in6_addr a;

	if (!o)
		return;
	kcoap_addr_of(&a, p);
	if (kcoap_echo_valid(kn, &a, coap_opt_value(req, o), o->len,
			     kcoap_echo_now()))
		kcoap_peer_verify(kn, p, KCOAP_STAT_ECHO_VERIFIED);
	else
		kcoap_stat_inc(kn, KCOAP_STAT_ECHO_BAD);
}

int kcoap_validate_init(struct kcoap_net *kn)
{
	int err;

	get_random_bytes(&kn->val.echo_key, sizeof(kn->val.echo_key));
	get_random_bytes(kn->val.cookie_key, sizeof(kn->val.cookie_key));
	err = kcoap_peertab_init(&kn->val.verified);
	if (err)
		return err;
	err = kcoap_peertab_init(&kn->val.buckets);
	if (err)
		kcoap_peertab_destroy(&kn->val.verified);
	return err;
}

void kcoap_validate_destroy(struct kcoap_net *kn)
{
	kcoap_peertab_destroy(&kn->val.buckets);
	kcoap_peertab_destroy(&kn->val.verified);
}
