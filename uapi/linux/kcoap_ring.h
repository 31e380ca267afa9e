/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * The shared-memory rings between kcoap.ko and its daemon (kcoapd).
 *
 * The daemon opens /dev/kcoap and attaches the file to its network
 * namespace over netlink (KCOAP_CMD_DAEMON_ATTACH with the fd and the
 * sizes below); it then maps the file. The mapping holds:
 *
 *   offset 0            struct kcoap_ring_info: where everything else is
 *   info.req.*          the request ring's indices (kernel produces)
 *   info.rsp.*          the response ring's indices (daemon produces)
 *   info.req.desc       req_entries struct kcoap_req_desc
 *   info.rsp.desc       rsp_entries struct kcoap_rsp_desc
 *   info.req_data       req_entries slots of slot_size bytes: request n
 *                       is in slot (n & (req_entries - 1))
 *   info.rsp_data       rsp_entries * slot_size bytes the daemon writes
 *                       responses into, anywhere it likes
 *
 * Indices are free-running 32-bit counters; entry i is desc[i & (entries -
 * 1)]. A producer writes the entry, then publishes the index with a
 * release store; the consumer reads it with an acquire load, reads the
 * entry, then publishes its own index with a release store once it no
 * longer needs the entry (or its data slot). Each index is on its own
 * cache line.
 *
 * Wake-ups are batched: the file polls readable when the request ring
 * goes from empty to non-empty; the daemon writes a batch of responses
 * and kicks the kernel once with ioctl(fd, KCOAP_RING_KICK).
 *
 * The kernel reads nothing back from the mapping that it has not checked:
 * it keeps its own producer and consumer indices, copies each response
 * descriptor before looking at it, and drops (and counts) a response whose
 * offset, length, code or ID is out of range.
 */
#ifndef _UAPI_LINUX_KCOAP_RING_H
#define _UAPI_LINUX_KCOAP_RING_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define KCOAP_RING_VERSION	2
#define KCOAP_RING_DEVICE	"/dev/kcoap"

/* Limits on the sizes asked for at attach time. */
#define KCOAP_RING_ENTRIES_MIN	2
#define KCOAP_RING_ENTRIES_MAX	16384	/* powers of two */
#define KCOAP_RING_SLOT_MIN	256
#define KCOAP_RING_SLOT_MAX	65536	/* bytes, a multiple of 64 */
#define KCOAP_RING_BYTES_MAX	(64 << 20)	/* the whole mapping */

/* Where one ring's parts are, as offsets into the mapping. */
struct kcoap_ring_offsets {
	__u64 producer;		/* __u32 */
	__u64 consumer;		/* __u32 */
	__u64 flags;		/* __u32, KCOAP_RING_F_* */
	__u64 desc;
};

/* At offset 0 of the mapping; the kernel never reads it back. */
struct kcoap_ring_info {
	__u32 version;		/* KCOAP_RING_VERSION */
	__u32 req_entries;
	__u32 rsp_entries;
	__u32 slot_size;
	struct kcoap_ring_offsets req;
	struct kcoap_ring_offsets rsp;
	__u64 req_data;
	__u64 rsp_data;
	__u64 size;		/* of the whole mapping */
};

/* req.flags, set by the daemon: it sleeps in poll(), wake it. */
#define KCOAP_RING_F_NEED_WAKEUP	0x1

/*
 * struct kcoap_rsp_desc.flags: not an answer but a resource update, with
 * id 0 and code 0; its data is a struct kcoap_ring_update, the path, then
 * the value. The kernel adds the resource to its table or replaces its
 * value (observable, allowing GET, PUT, POST and DELETE, which still come
 * up), and its observers are notified. Only paths the daemon serves.
 */
#define KCOAP_RSP_F_UPDATE	0x1

/*
 * With KCOAP_RSP_F_UPDATE: the observers hear of this value in a CON
 * notification, whatever observe-con-every says (an MQTT message that came
 * with QoS 1 or 2, say).
 */
#define KCOAP_RSP_F_CON		0x4

/*
 * An answer to a GET with this flag is not sent as written: the kernel
 * serves the request from its table instead, as if it had never come up.
 * The daemon has just put the resource there (an update earlier in the
 * ring): a GET with Observe thus makes the client an observer of it in the
 * kernel. If the kernel cannot (no such resource, not a GET), the client
 * gets @code with no options.
 */
#define KCOAP_RSP_F_SERVE	0x2

/*
 * Not a CoAP answer but one DTLS datagram (the records kcoapd's TLS
 * library wrote for a handshake), sent as it is to the peer of the
 * handshake or session @id (the id its KCOAP_REQ_F_DTLS entries carry);
 * code 0, no other flag. Refused (and counted) if there is no such entry:
 * the daemon can only send to a peer that is handshaking or has a session.
 */
#define KCOAP_RSP_F_DTLS	0x8

struct kcoap_ring_update {
	__u16 path_len;		/* bytes of the path that follows */
	__u16 content_format;
	__u32 max_age;		/* seconds */
};

/* struct kcoap_req_desc.flags */
#define KCOAP_REQ_F_MULTICAST	0x1	/* sent to a group address */
#define KCOAP_REQ_F_ACKED	0x2	/* an empty ACK went out already */
/*
 * Not a CoAP request: one DTLS datagram from the coaps endpoint, its
 * records as received, for the daemon's handshake (RFC 6347 §4.2). @id and
 * @session are the handshake's (later the session's) id, the same for
 * every datagram of it; answer with KCOAP_RSP_F_DTLS and that id.
 */
#define KCOAP_REQ_F_DTLS	0x4

/*
 * A request handed up, kernel to daemon. The datagram is whole, header
 * and token included, so the daemon parses it with the same codec. A
 * request that came in a DTLS session (@session not 0) was decrypted by
 * the kernel, and its answer is sealed by the kernel: nothing changes for
 * the daemon but that it may look the session's identity up.
 */
struct kcoap_req_desc {
	__u64 id;		/* to answer with; never 0 */
	__u32 data_off;		/* from info.req_data */
	__u32 data_len;
	__u8 addr[16];		/* the peer: IPv4 as ::ffff:a.b.c.d */
	__u8 local[16];		/* the address it was sent to */
	__be16 port;		/* the peer's */
	__u8 family;		/* AF_INET or AF_INET6 */
	__u8 flags;		/* KCOAP_REQ_F_* */
	__u32 ifindex;		/* where it came in */
	__u32 session;		/* DTLS session id, 0: plain coap */
	__u32 reserved;		/* 0 */
};

/*
 * A response, daemon to kernel: @code and the bytes that follow the token
 * in a CoAP message (options, then 0xff and the payload if any). The
 * kernel adds the header and token of the exchange @id and sends it,
 * piggybacked or separately, as RFC 7252 §5.2 has it.
 */
struct kcoap_rsp_desc {
	__u64 id;		/* of the request */
	__u32 data_off;		/* from info.rsp_data */
	__u32 data_len;
	__u8 code;		/* a response code, 2.01 to 5.05; 0 for an update */
	__u8 flags;		/* KCOAP_RSP_F_* */
	__u16 reserved;		/* 0 */
	__u32 reserved2;	/* 0 */
};

/* The daemon wrote responses: the kernel reads the response ring now. */
#define KCOAP_RING_KICK		_IO('k', 1)

#endif /* _UAPI_LINUX_KCOAP_RING_H */
