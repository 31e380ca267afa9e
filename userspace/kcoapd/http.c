// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * The HTTP listener (http-port, default 8080): an HTTP -> CoAP proxy with
 * RFC 8075's default mapping, and the gateway page (www.c, api.c). It is
 * libmicrohttpd without threads of its own: its epoll fd is in kcoapd's
 * loop, a request waiting for its device is suspended and resumed when the
 * answer comes (http_coap.c sends and matches the CoAP side).
 *
 *   GET|PUT|POST|DELETE|PATCH /hc/coap://HOST[:PORT]/PATH?QUERY
 *   /coap/PATH?QUERY                        the same for HOST localhost
 *
 * HOST is a device's name (registered, or a "device" line: rd.c) or
 * localhost, the gateway itself (kcoap.ko's port: its table, kcoapd's
 * store and /ps/). Who may do what is kcoapd's ACL (acl.c), by the HTTP
 * client's address: a device's PATH is a command to it (topic
 * cmd/DEVICE/PATH, write), the gateway's /ps/TOPIC the topic, anything
 * else on it a store path. A GET whose Accept holds text/event-stream
 * observes the resource (RFC 7641) and streams each notification as a
 * Server-Sent Event.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include <microhttpd.h>

#include "kcoapd.h"
#include "http_int.h"

static struct MHD_Daemon *mhd;
static const struct kcoapd_config *cfg;
static bool with_bridge;
static unsigned long n_requests, n_refused, n_timeouts;
static unsigned int n_streams;

struct stream {
	struct MHD_Connection *conn;
	struct hx *x;			/* the observation; NULL once it ended */
	char *buf;
	size_t len, off, cap;
	bool suspended, ended;
	uint64_t last;			/* ms, of the last bytes queued */
	struct stream *next;
};

static struct stream *streams;

/* One HTTP request (MHD's con_cls). */
struct hreq {
	struct MHD_Connection *conn;
	bool started, suspended, sse, conditional;
	uint8_t addr[16];
	int method;
	struct http_target t;
	uint8_t *body;
	size_t body_len;
	bool too_large;
	struct hx *x;			/* the exchange in flight */
	struct MHD_Response *rsp;	/* the answer, once known */
	unsigned int status;
	struct stream *s;		/* the event stream to start */
};

static void resume(struct hreq *r)
{
	if (r->suspended) {
		r->suspended = false;
		MHD_resume_connection(r->conn);
	}
}

static void add_header(struct MHD_Response *rsp, const char *name, const char *value)
{
	if (rsp)
		MHD_add_response_header(rsp, name, value);
}

/* A plain text answer of the proxy itself. */
static struct MHD_Response *text(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static struct MHD_Response *text(const char *fmt, ...)
{
	char buf[512];
	struct MHD_Response *rsp;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	rsp = MHD_create_response_from_buffer((size_t)n, buf, MHD_RESPMEM_MUST_COPY);
	if (rsp)
		add_header(rsp, "Content-Type", "text/plain; charset=utf-8");
	return rsp;
}

static void answer_text(struct hreq *r, unsigned int status, struct MHD_Response *rsp)
{
	r->status = status;
	r->rsp = rsp;
	if (status == 403)
		n_refused++;
}

/* The client's address as the ACL wants it (IPv4 as ::ffff:a.b.c.d). */
static void client_addr(struct MHD_Connection *conn, uint8_t addr[16])
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	memset(addr, 0, 16);
	if (sa && sa->sa_family == AF_INET) {
		addr[10] = addr[11] = 0xff;
		memcpy(addr + 12, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
	} else if (sa && sa->sa_family == AF_INET6) {
		memcpy(addr, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
	}
}

/* The ACL's word on @r (kcoapd(8), HTTP). */
static bool allowed(const struct hreq *r)
{
	int perm = r->method == COAP_CODE_GET ? ACL_READ : ACL_WRITE;
	char subject[800];

	if (!r->t.local) {
		snprintf(subject, sizeof(subject), "cmd/%s%s", r->t.host, r->t.path);
		return acl_check(r->addr, NULL, ACL_TOPIC, ACL_WRITE, subject);
	}
	if (!strncmp(r->t.path, "/ps/", 4))
		return acl_check(r->addr, NULL, ACL_TOPIC, perm, r->t.path + 4);
	if (!strcmp(r->t.path, "/rd") || !strncmp(r->t.path, "/rd/", 4))
		return perm == ACL_READ;	/* devices register over CoAP */
	return acl_check(r->addr, NULL, ACL_STORE, perm, r->t.path);
}

/* Uri-Query options from the URL's arguments, in their order. */
struct query_acc {
	char (*q)[256];
	size_t n, max;
	bool bad;
};

static enum MHD_Result query_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				 const char *value)
{
	struct query_acc *a = cls;

	(void)kind;
	if (a->n == a->max || snprintf(a->q[a->n], sizeof(a->q[0]), "%s%s%s", key,
				       value ? "=" : "", value ? value : "") >=
				      (int)sizeof(a->q[0])) {
		a->bad = true;
		return MHD_NO;
	}
	a->n++;
	return MHD_YES;
}

/* The CoAP request for @r; its length, or -1 with the answer set. */
static int build(struct hreq *r, uint8_t *buf, size_t cap, const uint8_t *token, uint16_t mid)
{
	char q[16][256];
	struct query_acc qa = { q, 0, 16, false };
	const char *accept = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Accept");
	const char *ctype = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Type");
	const char *inm = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "If-None-Match");
	const char *im = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "If-Match");
	struct coap_builder b;
	uint8_t etag[COAP_MAX_TOKEN];
	long cf = -1, acc = -1;
	size_t i;
	int n;

	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, query_arg, &qa);
	if (qa.bad) {
		answer_text(r, 414, text("at most 16 query parameters of at most 255 bytes"));
		return -1;
	}
	if (r->body_len) {
		cf = http_cf_of(ctype);
		if (cf == -2) {
			/* RFC 8075 §6.2: no Content-Format for it: 415. */
			answer_text(r, 415, text("Content-Type '%s' has no CoAP Content-Format", ctype));
			return -1;
		}
	}
	/* One media type (not any) becomes Accept; a list is left out. */
	if (accept && !strchr(accept, ',') && strcmp(accept, "*/*") && !r->sse)
		acc = http_cf_of(accept);
	coap_build_init(&b, buf, cap, COAP_TYPE_CON, (uint8_t)r->method, mid, token,
			COAP_MAX_TOKEN);
	if (im && r->method != COAP_CODE_GET) {
		const char *p = im;

		while ((n = http_etag_parse(&p, etag)) > 0)
			coap_build_opt(&b, COAP_OPT_IF_MATCH, etag, (size_t)n);
	}
	if (r->t.port && !r->t.local)
		coap_build_opt_str(&b, COAP_OPT_URI_HOST, r->t.host);
	if (inm && r->method == COAP_CODE_GET) {
		/* A conditional GET: the tags to validate (RFC 7252 §5.10.6). */
		const char *p = inm;

		while ((n = http_etag_parse(&p, etag)) > 0) {
			coap_build_opt(&b, COAP_OPT_ETAG, etag, (size_t)n);
			r->conditional = true;
		}
	} else if (inm && !strcmp(inm, "*")) {
		coap_build_opt(&b, COAP_OPT_IF_NONE_MATCH, NULL, 0);
	}
	if (r->sse)
		coap_build_opt_uint(&b, COAP_OPT_OBSERVE, 0);
	for (const char *seg = r->t.path + 1; *seg;) {
		size_t sn = strcspn(seg, "/");

		coap_build_opt(&b, COAP_OPT_URI_PATH, seg, sn);
		seg += sn + (seg[sn] ? 1 : 0);
	}
	if (cf >= 0)
		coap_build_opt_uint(&b, COAP_OPT_CONTENT_FORMAT, (uint32_t)cf);
	for (i = 0; i < qa.n; i++)
		coap_build_opt_str(&b, COAP_OPT_URI_QUERY, q[i]);
	if (acc >= 0)
		coap_build_opt_uint(&b, COAP_OPT_ACCEPT, (uint32_t)acc);
	if (r->body_len)
		coap_build_payload(&b, r->body, r->body_len);
	n = coap_build_end(&b);
	if (n < 0) {
		answer_text(r, 413, text("the request does not fit in one CoAP message"));
		return -1;
	}
	return n;
}

/* The answer to @r from the CoAP response @m (RFC 8075 §7). */
static void mapped(struct hreq *r, const struct coap_msg *m, const uint8_t *body, size_t len)
{
	struct MHD_Response *rsp;
	const struct coap_opt *o;
	char v[600];
	uint32_t cf, age;
	size_t n = 0;

	rsp = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (!rsp)
		return;
	r->status = http_status_of(m->code, len > 0, r->conditional);
	if (coap_opt_uint(m, COAP_OPT_CONTENT_FORMAT, &cf))
		cf = UINT32_MAX;
	if (len && http_content_type_of(cf))
		add_header(rsp, "Content-Type", http_content_type_of(cf));
	o = coap_opt_find(m, COAP_OPT_ETAG);
	if (o && http_etag_format(coap_opt_value(m, o), o->len, v, sizeof(v)))
		add_header(rsp, "ETag", v);
	/* Max-Age, 60 when absent (RFC 7252 §5.10.5), as HTTP freshness. */
	if (coap_opt_uint(m, COAP_OPT_MAX_AGE, &age))
		age = 60;
	if (m->code == COAP_CODE_CONTENT || m->code == COAP_CODE_VALID) {
		snprintf(v, sizeof(v), "max-age=%u", age);
		add_header(rsp, "Cache-Control", v);
	} else if (m->code == COAP_CODE_SERVICE_UNAVAILABLE) {
		snprintf(v, sizeof(v), "%u", age);
		add_header(rsp, "Retry-After", v);
	}
	/* Location-Path and -Query: a URI through this proxy again. */
	if (coap_opt_find(m, COAP_OPT_LOCATION_PATH) || coap_opt_find(m, COAP_OPT_LOCATION_QUERY)) {
		n = (size_t)snprintf(v, sizeof(v), "/hc/coap://%s", r->t.local ? "localhost" :
				     r->t.host);
		for (o = coap_opt_find(m, COAP_OPT_LOCATION_PATH); o && n < sizeof(v);
		     o = coap_opt_next(m, o))
			n += (size_t)snprintf(v + n, sizeof(v) - n, "/%.*s", o->len,
					      (const char *)coap_opt_value(m, o));
		for (o = coap_opt_find(m, COAP_OPT_LOCATION_QUERY); o && n < sizeof(v);
		     o = coap_opt_next(m, o))
			n += (size_t)snprintf(v + n, sizeof(v) - n, "%c%.*s",
					      o == coap_opt_find(m, COAP_OPT_LOCATION_QUERY) ?
					      '?' : '&', o->len, (const char *)coap_opt_value(m, o));
		if (n < sizeof(v))
			add_header(rsp, "Location", v);
	}
	r->rsp = rsp;
}

/* Bytes for the stream; the connection goes on if it waited for them. */
static void stream_put(struct stream *s, const char *data, size_t len)
{
	if (s->len + len > s->cap) {
		size_t cap = s->len - s->off + len + 1024;
		char *b;

		/* A client that does not read: at most 256 KiB waiting. */
		if (cap > 256 * 1024) {
			s->ended = true;
			goto wake;
		}
		b = malloc(cap);
		if (!b) {
			s->ended = true;
			goto wake;
		}
		memcpy(b, s->buf + s->off, s->len - s->off);
		free(s->buf);
		s->buf = b;
		s->len -= s->off;
		s->off = 0;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, data, len);
	s->len += len;
wake:
	s->last = now_ms();
	if (s->suspended) {
		s->suspended = false;
		MHD_resume_connection(s->conn);
	}
}

static bool is_text(uint32_t cf, const uint8_t *p, size_t n)
{
	size_t i;

	if (cf != UINT32_MAX && cf != COAP_CF_TEXT_PLAIN && cf != COAP_CF_LINK_FORMAT &&
	    cf != COAP_CF_XML && cf != COAP_CF_JSON && cf != COAP_CF_SENML_JSON &&
	    cf != COAP_CF_SENSML_JSON && cf != COAP_CF_JSON_PATCH_JSON &&
	    cf != COAP_CF_MERGE_PATCH_JSON)
		return false;
	for (i = 0; i < n; i++)
		if (p[i] < 0x20 && p[i] != '\n' && p[i] != '\t' && p[i] != '\r')
			return false;
	return true;
}

/*
 * One notification as an event: "id:" the Observe number, the payload as
 * "data:" lines (a non-text one in base64, "event: base64"); a final
 * error code as "event: error" (RFC 7641 §3.2: it ends the observation).
 */
void http_stream_event(struct stream *s, const struct coap_msg *m, const uint8_t *p, size_t n)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char head[64], *out, *o;
	uint32_t obs, cf;
	size_t i;
	int hn = 0;

	if (coap_opt_uint(m, COAP_OPT_CONTENT_FORMAT, &cf))
		cf = UINT32_MAX;
	if (COAP_CODE_CLASS(m->code) != 2) {
		hn = snprintf(head, sizeof(head), "event: error\ndata: %u.%02u\n\n",
			      COAP_CODE_CLASS(m->code), COAP_CODE_DETAIL(m->code));
		stream_put(s, head, (size_t)hn);
		s->ended = true;
		return;
	}
	if (!coap_opt_uint(m, COAP_OPT_OBSERVE, &obs))
		hn = snprintf(head, sizeof(head), "id: %u\n", obs);
	if (!is_text(cf, p, n))
		hn += snprintf(head + hn, sizeof(head) - (size_t)hn, "event: base64\n");
	/* "data: " per line, or base64: at most 4/3 + 8 per byte and line. */
	out = malloc((size_t)hn + n * 2 + 16);
	if (!out)
		return;
	memcpy(out, head, (size_t)hn);
	o = out + hn;
	o += sprintf(o, "data: ");
	if (is_text(cf, p, n)) {
		for (i = 0; i < n; i++) {
			if (p[i] == '\r')
				continue;
			if (p[i] == '\n') {
				o += sprintf(o, "\ndata: ");
				continue;
			}
			*o++ = (char)p[i];
		}
	} else {
		for (i = 0; i < n; i += 3) {
			uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
				     (i + 2 < n ? p[i + 2] : 0);

			*o++ = b64[v >> 18 & 63];
			*o++ = b64[v >> 12 & 63];
			*o++ = i + 1 < n ? b64[v >> 6 & 63] : '=';
			*o++ = i + 2 < n ? b64[v & 63] : '=';
		}
	}
	*o++ = '\n';
	*o++ = '\n';
	stream_put(s, out, (size_t)(o - out));
	free(out);
}

void http_stream_ended(struct stream *s)
{
	s->x = NULL;
	s->ended = true;
	stream_put(s, "", 0);
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *s = cls;
	size_t n = s->len - s->off;

	(void)pos;
	if (n) {
		if (n > max)
			n = max;
		memcpy(buf, s->buf + s->off, n);
		s->off += n;
		if (s->off == s->len)
			s->off = s->len = 0;
		return (ssize_t)n;
	}
	if (s->ended)
		return MHD_CONTENT_READER_END_OF_STREAM;
	/* Nothing now: wait, without MHD polling us (its docs say so). */
	s->suspended = true;
	MHD_suspend_connection(s->conn);
	return 0;
}

static void stream_free(void *cls)
{
	struct stream *s = cls, **pp;

	for (pp = &streams; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	if (s->x)
		http_coap_cancel(s->x);	/* deregisters (RFC 7641 §3.6) */
	n_streams--;
	free(s->buf);
	free(s);
}

/* The first answer to an observing GET: the stream, or a plain answer. */
static void start_stream(struct hreq *r, struct hx *x, const struct coap_msg *m,
			 const uint8_t *body, size_t len)
{
	struct stream *s = calloc(1, sizeof(*s));
	struct MHD_Response *rsp;

	if (!s || !coap_opt_find(m, COAP_OPT_OBSERVE) || COAP_CODE_CLASS(m->code) != 2) {
		/* Not observable (or an error): the answer as it is. */
		free(s);
		http_coap_cancel(x);
		mapped(r, m, body, len);
		return;
	}
	rsp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, stream_read, s,
						stream_free);
	if (!rsp) {
		free(s);
		http_coap_cancel(x);
		return;
	}
	n_streams++;
	s->conn = r->conn;
	s->x = x;
	s->next = streams;
	streams = s;
	http_coap_attach(x, s);
	add_header(rsp, "Content-Type", "text/event-stream");
	add_header(rsp, "Cache-Control", "no-cache");
	http_stream_event(s, m, body, len);
	r->status = 200;
	r->rsp = rsp;
}

void http_coap_answer(void *owner, struct hx *x, const struct coap_msg *m,
		      const uint8_t *body, size_t len, int err)
{
	struct hreq *r = owner;

	r->x = NULL;
	if (err == -ETIMEDOUT) {
		n_timeouts++;
		answer_text(r, 504, text("%s did not answer", r->t.local ? "the gateway" : r->t.host));
	} else if (err) {
		answer_text(r, 502, text("%s refused the request (RST)",
					 r->t.local ? "the gateway" : r->t.host));
	} else if (r->sse) {
		start_stream(r, x, m, body, len);
	} else {
		mapped(r, m, body, len);
	}
	if (!r->rsp)
		answer_text(r, 500, text("out of memory"));
	resume(r);
}

/* The CoAP request for @r goes out; false with the answer set if not. */
static bool forward(struct hreq *r)
{
	struct sockaddr_in6 dst = { .sin6_family = AF_INET6 };
	uint8_t *buf;
	size_t cap = r->body_len + 1024 + 16 * 260;
	int n;

	if (r->t.local) {
		dst.sin6_addr.s6_addr[10] = dst.sin6_addr.s6_addr[11] = 0xff;
		dst.sin6_addr.s6_addr[12] = 127;
		dst.sin6_addr.s6_addr[15] = 1;
		dst.sin6_port = htons(r->t.port ? r->t.port : http_coap_local_port());
	} else if (!with_bridge || !rd_lookup(r->t.host, &dst)) {
		answer_text(r, 404, text("no device '%s' (registered or configured)", r->t.host));
		return false;
	}
	if (r->sse && n_streams >= cfg->http_streams_max) {
		answer_text(r, 503, text("%u event streams already (http-streams-max)",
					 cfg->http_streams_max));
		add_header(r->rsp, "Retry-After", "10");
		return false;
	}
	buf = malloc(cap);
	if (!buf) {
		answer_text(r, 500, text("out of memory"));
		return false;
	}
	r->x = http_coap_new(r, &dst, r->sse);
	if (!r->x) {
		free(buf);
		answer_text(r, 503, text("too many requests in flight"));
		add_header(r->rsp, "Retry-After", "1");
		return false;
	}
	n = build(r, buf, cap, http_coap_token(r->x), http_coap_mid(r->x));
	if (n < 0) {
		http_coap_cancel(r->x);
		r->x = NULL;
		free(buf);
		return false;
	}
	if (http_coap_send(r->x, buf, (size_t)n)) {
		http_coap_cancel(r->x);
		r->x = NULL;
		free(buf);
		answer_text(r, 500, text("out of memory"));
		return false;
	}
	free(buf);
	return true;
}

static enum MHD_Result queue(struct hreq *r)
{
	enum MHD_Result ret;

	if (!r->rsp)
		return MHD_NO;
	ret = MHD_queue_response(r->conn, r->status, r->rsp);
	MHD_destroy_response(r->rsp);
	r->rsp = NULL;
	return ret;
}

static bool wants_stream(struct MHD_Connection *conn)
{
	const char *a = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Accept");

	return a && strstr(a, "text/event-stream");
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn, const char *url,
			       const char *method, const char *version, const char *upload,
			       size_t *upload_size, void **con_cls)
{
	struct hreq *r = *con_cls;

	(void)cls;
	(void)version;
	if (!r) {
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							     "Content-Length");

		r = calloc(1, sizeof(*r));
		if (!r)
			return MHD_NO;
		*con_cls = r;
		r->conn = conn;
		n_requests++;
		client_addr(conn, r->addr);
		if (cl && strtoul(cl, NULL, 10) > cfg->http_body_max)
			r->too_large = true;
		return MHD_YES;
	}
	if (*upload_size) {
		if (!r->too_large && r->body_len + *upload_size <= cfg->http_body_max) {
			uint8_t *b = realloc(r->body, r->body_len + *upload_size);

			if (b) {
				memcpy(b + r->body_len, upload, *upload_size);
				r->body = b;
				r->body_len += *upload_size;
			} else {
				r->too_large = true;
			}
		} else {
			r->too_large = true;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->rsp)
		return queue(r);
	if (r->started)
		return MHD_YES;		/* still waiting (a spurious call) */
	r->started = true;

	if (http_target_parse(url, &r->t)) {
		if (http_page(conn, url, method, r->addr, &r->rsp, &r->status))
			return queue(r);
		answer_text(r, 404, text("no such page; the proxy's URIs are /hc/coap://HOST/PATH"));
		return queue(r);
	}
	r->method = http_method_to_coap(method);
	if (r->method < 0) {
		answer_text(r, 501, text("%s has no CoAP method (GET, PUT, POST, DELETE, PATCH)",
					 method));
		add_header(r->rsp, "Allow", "GET, PUT, POST, DELETE, PATCH");
		return queue(r);
	}
	if (r->too_large) {
		answer_text(r, 413, text("a body of at most %u bytes (http-body-max)",
					 cfg->http_body_max));
		return queue(r);
	}
	r->sse = r->method == COAP_CODE_GET && wants_stream(conn);
	if (!allowed(r)) {
		answer_text(r, 403, text("not allowed for this address (kcoapd's acl-file)"));
		return queue(r);
	}
	if (!forward(r))
		return queue(r);
	r->suspended = true;
	MHD_suspend_connection(conn);
	return MHD_YES;
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	struct hreq *r = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (!r)
		return;
	if (r->x)
		http_coap_orphan(r->x);	/* its answer is for no one now */
	if (r->rsp)
		MHD_destroy_response(r->rsp);
	free(r->body);
	free(r);
	*con_cls = NULL;
}

static void logger(void *cls, const char *fmt, va_list ap)
{
	char buf[512];

	(void)cls;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\n")] = 0;
	kcoapd_log(LOG_WARNING, "http: %s", buf);
}

void http_settings(const struct kcoapd_config *c)
{
	http_coap_settings(c);
}

int http_start(const struct kcoapd_config *c, bool bridge, int *sock)
{
	unsigned int flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	struct sockaddr_in6 sa6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in sa4 = { .sin_family = AF_INET };
	struct sockaddr *sa = NULL;
	const union MHD_DaemonInfo *di;

	cfg = c;
	with_bridge = bridge;
	api_init(c, bridge);
	if (c->http_address && inet_pton(AF_INET, c->http_address, &sa4.sin_addr) == 1) {
		sa4.sin_port = htons((uint16_t)c->http_port);
		sa = (struct sockaddr *)&sa4;
	} else if (c->http_address) {
		if (inet_pton(AF_INET6, c->http_address, &sa6.sin6_addr) != 1) {
			kcoapd_log(LOG_ERR, "http-address '%s': not an IPv4 or IPv6 address",
				   c->http_address);
			return -1;
		}
		sa6.sin6_port = htons((uint16_t)c->http_port);
		sa = (struct sockaddr *)&sa6;
		flags |= MHD_USE_IPv6;
	} else {
		flags |= MHD_USE_DUAL_STACK;
	}
	*sock = http_coap_init(c);
	if (*sock < 0)
		return -1;
	mhd = MHD_start_daemon(flags, (uint16_t)c->http_port, NULL, NULL, handler, NULL,
			       MHD_OPTION_CONNECTION_LIMIT, (unsigned int)c->http_conns_max,
			       MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)c->http_conns_per_ip,
			       MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
			       MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)65536,
			       MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
			       MHD_OPTION_EXTERNAL_LOGGER, logger, NULL,
			       sa ? MHD_OPTION_SOCK_ADDR : MHD_OPTION_END, sa,
			       MHD_OPTION_END);
	if (!mhd) {
		kcoapd_log(LOG_ERR, "http-port %u%s%s: cannot listen (in use? \"http-port 0\" turns it off)",
			   c->http_port, c->http_address ? " on " : "",
			   c->http_address ? c->http_address : "");
		return -1;
	}
	di = MHD_get_daemon_info(mhd, MHD_DAEMON_INFO_EPOLL_FD);
	if (!di) {
		MHD_stop_daemon(mhd);
		mhd = NULL;
		return -1;
	}
	kcoapd_log(LOG_INFO, "http: the proxy and the gateway page on port %u", c->http_port);
	return di->epoll_fd;
}

void http_run(void)
{
	if (mhd)
		MHD_run(mhd);
}

void http_coap_readable(void)
{
	http_coap_receive();
	http_run();
}

void http_tick(uint64_t now)
{
	struct stream *s;

	http_coap_tick(now);
	/* A comment line now and then: a client gone is noticed. */
	for (s = streams; s; s = s->next)
		if (now - s->last >= 15000)
			stream_put(s, ":\n\n", 3);
	http_run();
}

void http_stop(void)
{
	if (mhd)
		MHD_stop_daemon(mhd);
	mhd = NULL;
}

void http_status(FILE *f)
{
	if (!mhd)
		return;
	fprintf(f, "http-requests %lu\nhttp-refused %lu\nhttp-timeouts %lu\nhttp-streams %u %u\n",
		n_requests, n_refused, n_timeouts, n_streams, cfg->http_streams_max);
	http_coap_status(f);
}

bool http_from_proxy(const struct kcoap_req_desc *d)
{
	static const uint8_t v4lo[12] = { [10] = 0xff, [11] = 0xff };

	return mhd && !d->session && d->port == htons(http_coap_port()) &&
	       ((!memcmp(d->addr, v4lo, 12) && d->addr[12] == 127) ||
		(!memcmp(d->addr, &in6addr_loopback, 16)));
}
