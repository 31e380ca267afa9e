// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * kcoapctl resource add|set|del|show.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kcoap.h>

#include "args.h"
#include "ctl.h"
#include "json.h"
#include "kcoap_resource.h"
#include "names.h"
#include "output.h"
#include "resource.h"

static const char *const resource_attrs[] = {
	[KCOAP_A_RESOURCE_PATH] = "path",
	[KCOAP_A_RESOURCE_REPR] = "repr",
	[KCOAP_A_RESOURCE_DATA] = "data",
	[KCOAP_A_RESOURCE_MAX_AGE] = "max-age",
	[KCOAP_A_RESOURCE_RT] = "rt",
	[KCOAP_A_RESOURCE_IF] = "if",
	[KCOAP_A_RESOURCE_TITLE] = "title",
	[KCOAP_A_RESOURCE_OBS] = "obs",
	[KCOAP_A_RESOURCE_METHODS] = "methods",
	[KCOAP_A_RESOURCE_ID] = "id",
	[KCOAP_A_RESOURCE_DATA_OMITTED] = "data-omitted",
	[KCOAP_A_RESOURCE_OBSERVERS] = "observers",
	[KCOAP_A_RESOURCE_EVENT] = "event",
	[KCOAP_A_RESOURCE_SECURE] = "secure",
};

static const char *const repr_attrs[] = {
	[KCOAP_A_REPR_CONTENT_FORMAT] = "content-format",
	[KCOAP_A_REPR_SIZE] = "size",
	[KCOAP_A_REPR_ETAG] = "etag",
};

const struct attr_names resource_attr_names = {
	resource_attrs, sizeof(resource_attrs) / sizeof(resource_attrs[0]),
	repr_attrs, sizeof(repr_attrs) / sizeof(repr_attrs[0]),
};

/* resource add / resource set */

enum {
	O_CT = 1, O_VALUE, O_VALUE_FILE, O_MAX_AGE, O_RT, O_IF, O_TITLE,
	O_OBS, O_NO_OBS, O_METHODS, O_SECURE, O_NO_SECURE,
};

static const struct opt write_opts[] = {
	{ "ct", 0, true, O_CT },
	{ "value", 0, true, O_VALUE },
	{ "value-file", 0, true, O_VALUE_FILE },
	{ "max-age", 0, true, O_MAX_AGE },
	{ "rt", 0, true, O_RT },
	{ "if", 0, true, O_IF },
	{ "title", 0, true, O_TITLE },
	{ "obs", 0, false, O_OBS },
	{ "no-obs", 0, false, O_NO_OBS },
	{ "methods", 0, true, O_METHODS },
	{ "secure", 0, false, O_SECURE },
	{ "no-secure", 0, false, O_NO_SECURE },
	OPT_COMMON,
	OPT_TABLE_END,
};

int read_value_file(const char *file, uint8_t **buf, size_t *len)
{
	FILE *f = strcmp(file, "-") ? fopen(file, "rb") : stdin;
	size_t cap = 4096, n = 0;
	uint8_t *p = NULL;
	int err = 0;

	if (!f)
		return -errno;
	for (;;) {
		uint8_t *q;
		size_t got;

		if (n == cap || !p) {
			cap = p ? 2 * cap : cap;
			q = realloc(p, cap);
			if (!q) {
				err = -ENOMEM;
				break;
			}
			p = q;
		}
		errno = 0;
		got = fread(p + n, 1, cap - n, f);
		n += got;
		if (n > KCOAPCTL_VALUE_MAX) {
			err = -EFBIG;
			break;
		}
		if (got == 0) {
			/* A directory, for one, fails here with EISDIR. */
			if (ferror(f))
				err = errno ? -errno : -EIO;
			break;
		}
	}
	if (f != stdin)
		fclose(f);
	if (err) {
		free(p);
		return err;
	}
	*buf = p;
	*len = n;
	return 0;
}

/* Keep a value until the --ct options are all known. */
static int add_value(struct ctl *ctl, const struct command *cmd,
		     struct write_args *wa, const char *opt, const char *what,
		     uint8_t *value, size_t len)
{
	struct write_value *v;

	if (len > KCOAPCTL_VALUE_MAX) {
		free(value);
		return ctl_usage(ctl, cmd, "%s%s%s: %zu bytes, more than the "
				 "largest value kcoap takes (%u)", opt,
				 what[0] ? " " : "", what, len, KCOAPCTL_VALUE_MAX);
	}
	v = realloc(wa->values, (wa->n_values + 1) * sizeof(*v));
	if (!v) {
		free(value);
		return ctl_fail(ctl, -ENOMEM, NULL, "%s", cmd->name);
	}
	wa->values = v;
	v[wa->n_values++] = (struct write_value){ .data = value, .len = len };
	return CTL_OK;
}

static int add_value_string(struct ctl *ctl, const struct command *cmd,
			    struct write_args *wa, const char *s)
{
	uint8_t *copy = (uint8_t *)strdup(s);

	if (!copy)
		return ctl_fail(ctl, -ENOMEM, NULL, "%s", cmd->name);
	return add_value(ctl, cmd, wa, "--value", "", copy, strlen(s));
}

static int add_value_file(struct ctl *ctl, const struct command *cmd,
			  struct write_args *wa, const char *file)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int err;

	err = read_value_file(file, &buf, &len);
	if (err == -EFBIG)
		return ctl_usage(ctl, cmd, "--value-file %s: more than the "
				 "largest value kcoap takes (%u bytes)", file,
				 KCOAPCTL_VALUE_MAX);
	if (err)
		return ctl_fail(ctl, err, NULL, "%s: --value-file %s",
				cmd->name, file);
	return add_value(ctl, cmd, wa, "--value-file", file, buf, len);
}

static int add_ct(struct ctl *ctl, const struct command *cmd,
		  struct write_args *wa, const char *arg)
{
	struct write_ct *ct;
	uint16_t cf;

	if (cf_parse(arg, &cf))
		return ctl_usage(ctl, cmd, "--ct: unknown Content-Format '%s' (a "
				 "media type such as application/cbor, or a "
				 "number 0-65535)", arg);
	ct = realloc(wa->cts, (wa->n_cts + 1) * sizeof(*ct));
	if (!ct)
		return ctl_fail(ctl, -ENOMEM, NULL, "%s", cmd->name);
	wa->cts = ct;
	ct[wa->n_cts++] = (struct write_ct){ .cf = cf, .text = arg };
	return CTL_OK;
}

/*
 * The Nth --ct gives the Content-Format of the Nth value, whether it comes
 * before the value or after it; values beyond the last --ct are text/plain.
 */
static int pair_values(struct ctl *ctl, const struct command *cmd,
		       struct write_args *wa)
{
	char label[8];
	unsigned int i;
	int err;

	if (wa->n_cts > wa->n_values)
		return ctl_usage(ctl, cmd, "--ct %s has no value: give one "
				 "--value or --value-file for each --ct",
				 wa->cts[wa->n_values].text);
	for (i = 0; i < wa->n_values; i++) {
		uint16_t cf = i < wa->n_cts ? wa->cts[i].cf : 0;

		err = kcoap_resource_add_repr(&wa->res, cf, wa->values[i].data,
					      wa->values[i].len);
		if (err == -EEXIST)
			return ctl_usage(ctl, cmd, "two values for Content-Format "
					 "%s: one value per Content-Format",
					 cf_label(cf, label, sizeof(label)));
		if (err)
			return ctl_fail(ctl, err, NULL, "%s", cmd->name);
	}
	return CTL_OK;
}

void write_args_free(struct write_args *wa)
{
	unsigned int i;

	for (i = 0; i < wa->n_values; i++)
		free(wa->values[i].data);
	free(wa->values);
	free(wa->cts);
	kcoap_resource_free(&wa->res);
	memset(wa, 0, sizeof(*wa));
}

static int set_string(struct ctl *ctl, const struct command *cmd,
		      struct write_args *wa, char **field, uint32_t bit,
		      const char *s)
{
	if (kcoap_resource_set_str(field, s))
		return ctl_fail(ctl, -ENOMEM, NULL, "%s", cmd->name);
	wa->res.has |= bit;
	return CTL_OK;
}

/* One option of resource add/set; CTL_OK or an exit status. */
static int write_option(struct ctl *ctl, const struct command *cmd,
			struct write_args *wa, int key, const char *arg)
{
	struct kcoap_resource *res = &wa->res;
	char bad[32];

	switch (key) {
	case O_CT:
		return add_ct(ctl, cmd, wa, arg);
	case O_VALUE:
		return add_value_string(ctl, cmd, wa, arg);
	case O_VALUE_FILE:
		return add_value_file(ctl, cmd, wa, arg);
	case O_MAX_AGE:
		if (parse_u32(arg, 0, UINT32_MAX, &res->max_age))
			return ctl_usage(ctl, cmd, "--max-age: '%s' is not a "
					 "number of seconds (0-4294967295)", arg);
		res->has |= KCOAP_RES_MAX_AGE;
		return CTL_OK;
	case O_RT:
		return set_string(ctl, cmd, wa, &res->rt, KCOAP_RES_RT, arg);
	case O_IF:
		return set_string(ctl, cmd, wa, &res->iface, KCOAP_RES_IF, arg);
	case O_TITLE:
		return set_string(ctl, cmd, wa, &res->title, KCOAP_RES_TITLE, arg);
	case O_OBS:
	case O_NO_OBS:
		res->obs = key == O_OBS;
		res->has |= KCOAP_RES_OBS;
		return CTL_OK;
	case O_SECURE:
	case O_NO_SECURE:
		res->secure = key == O_SECURE;
		res->has |= KCOAP_RES_SECURE;
		return CTL_OK;
	case O_METHODS:
		if (methods_parse(arg, &res->methods, bad, sizeof(bad)))
			return ctl_usage(ctl, cmd, "--methods: unknown method '%s' "
					 "(get, post, put, delete, fetch, patch, "
					 "ipatch, or none)", bad);
		res->has |= KCOAP_RES_METHODS;
		return CTL_OK;
	case OPT_HELP:
		wa->help = true;
		return CTL_OK;
	default:	/* --json: nothing to print */
		return CTL_OK;
	}
}

int parse_write_args(struct ctl *ctl, const struct command *cmd, int argc,
		     char **argv, struct write_args *wa)
{
	struct optparse p;
	int key, rc;

	opt_init(&p, ctl, cmd, argc, argv);
	while ((key = opt_next(&p, write_opts)) != OPT_DONE) {
		if (key == OPT_ERROR)
			return CTL_USAGE;
		if (key == OPT_POSITIONAL) {
			if (wa->path)
				return ctl_usage(ctl, cmd, "unexpected argument '%s'",
						 p.arg);
			wa->path = p.arg;
			continue;
		}
		rc = write_option(ctl, cmd, wa, key, p.arg);
		if (rc != CTL_OK)
			return rc;
	}
	if (wa->help)
		return CTL_OK;
	rc = pair_values(ctl, cmd, wa);
	if (rc != CTL_OK)
		return rc;
	if (!wa->path)
		return ctl_usage(ctl, cmd, "missing PATH");
	if (wa->path[0] != '/')
		return ctl_usage(ctl, cmd, "PATH must start with '/': '%s'",
				 wa->path);
	if (kcoap_resource_set_str(&wa->res.path, wa->path))
		return ctl_fail(ctl, -ENOMEM, NULL, "%s", cmd->name);
	return CTL_OK;
}

static int resource_write(struct ctl *ctl, const struct command *cmd,
			  uint8_t nl_cmd, int argc, char **argv)
{
	struct write_args wa = { 0 };
	struct nl_msg *msg;
	int rc, err;

	rc = parse_write_args(ctl, cmd, argc, argv, &wa);
	if (rc != CTL_OK || wa.help) {
		bool help = wa.help;

		write_args_free(&wa);
		return help && rc == CTL_OK ? ctl_help(cmd) : rc;
	}
	if (nl_cmd == KCOAP_CMD_RESOURCE_SET && !wa.res.has) {
		write_args_free(&wa);
		return ctl_usage(ctl, cmd, "nothing to change: give values or "
				 "attributes");
	}
	rc = ctl_connect(ctl);
	if (rc != CTL_OK)
		goto out;
	msg = kcoap_nl_msg(&ctl->nl, nl_cmd, 0, kcoap_resource_msg_size(&wa.res));
	if (!msg) {
		rc = ctl_fail(ctl, -ENOMEM, NULL, "%s %s", cmd->name, wa.path);
		goto out;
	}
	err = kcoap_resource_put(msg, &wa.res);
	if (!err)
		err = kcoap_nl_request(&ctl->nl, msg, NULL, NULL);
	else
		nlmsg_free(msg);
	if (err)
		rc = ctl_fail(ctl, err, &resource_attr_names, "%s %s", cmd->name,
			      wa.path);
	else
		ctl_warn_extack(ctl, cmd->name);
out:
	write_args_free(&wa);
	return rc;
}

static int run_add(struct ctl *ctl, const struct command *cmd, int argc,
		   char **argv)
{
	return resource_write(ctl, cmd, KCOAP_CMD_RESOURCE_ADD, argc, argv);
}

static int run_set(struct ctl *ctl, const struct command *cmd, int argc,
		   char **argv)
{
	return resource_write(ctl, cmd, KCOAP_CMD_RESOURCE_SET, argc, argv);
}

#define WRITE_OPTIONS_HELP \
	"Values: give one --ct TYPE for each --value STRING or --value-file\n" \
	"FILE (- for stdin); the Nth --ct is the Content-Format of the Nth\n" \
	"value, before or after it. Values without a --ct are text/plain.\n" \
	"TYPE is a media type (text/plain, application/cbor, application/json,\n" \
	"...) or a Content-Format number. One value per Content-Format.\n\n" \
	"Options:\n" \
	"  --ct TYPE             Content-Format of the value that follows\n" \
	"  --value STRING        a value\n" \
	"  --value-file FILE     a value read from FILE\n" \
	"  --max-age SECONDS     freshness (kernel default 60)\n" \
	"  --rt STRING           resource type(s), for /.well-known/core\n" \
	"  --if STRING           interface description(s)\n" \
	"  --title STRING        human-readable title\n" \
	"  --obs, --no-obs       observable (RFC 7641) or not\n" \
	"  --secure, --no-secure served only over DTLS (coaps; plain coap\n" \
	"                        requests get 4.01) or not\n" \
	"  --methods LIST        allowed methods: get,post,put,delete,fetch,\n" \
	"                        patch,ipatch or none (kernel default get)\n" \
	"  -h, --help            this help\n"

const struct command cmd_resource_add = {
	"resource add", run_add,
	"PATH [[--ct TYPE] --value STRING|--value-file FILE]... [OPTIONS]",
	"Add a resource at PATH (e.g. /sensors/temp) that the kernel serves.\n"
	"Fails if PATH exists.\n\n" WRITE_OPTIONS_HELP,
};

const struct command cmd_resource_set = {
	"resource set", run_set,
	"PATH [[--ct TYPE] --value STRING|--value-file FILE]... [OPTIONS]",
	"Change the resource at PATH atomically. Values given replace all of\n"
	"its representations (each gets a new ETag); the other options given\n"
	"replace those attributes and leave the rest as they are.\n\n"
	WRITE_OPTIONS_HELP,
};

/* resource del */

static const struct opt common_opts[] = { OPT_COMMON, OPT_TABLE_END };

/*
 * Parse commands that take at most one PATH and only the common options.
 * Returns CTL_OK (*help set for --help) or an exit status.
 */
static int parse_path_args(struct ctl *ctl, const struct command *cmd,
			   int argc, char **argv, const char **path,
			   bool *json, bool *help)
{
	struct optparse p;
	int key;

	opt_init(&p, ctl, cmd, argc, argv);
	while ((key = opt_next(&p, common_opts)) != OPT_DONE) {
		if (key == OPT_ERROR)
			return CTL_USAGE;
		if (key == OPT_HELP)
			*help = true;
		else if (key == OPT_JSON)
			*json = true;
		else if (*path)
			return ctl_usage(ctl, cmd, "unexpected argument '%s'", p.arg);
		else
			*path = p.arg;
	}
	if (!*help && *path && (*path)[0] != '/')
		return ctl_usage(ctl, cmd, "PATH must start with '/': '%s'", *path);
	return CTL_OK;
}

static int run_del(struct ctl *ctl, const struct command *cmd, int argc,
		   char **argv)
{
	const char *path = NULL;
	bool json = false, help = false;
	struct nl_msg *msg;
	int rc, err;

	rc = parse_path_args(ctl, cmd, argc, argv, &path, &json, &help);
	if (rc != CTL_OK || help)
		return help && rc == CTL_OK ? ctl_help(cmd) : rc;
	if (!path)
		return ctl_usage(ctl, cmd, "missing PATH");
	rc = ctl_connect(ctl);
	if (rc != CTL_OK)
		return rc;
	msg = kcoap_nl_msg(&ctl->nl, KCOAP_CMD_RESOURCE_DEL, 0, strlen(path) + 8);
	if (!msg)
		return ctl_fail(ctl, -ENOMEM, NULL, "resource del %s", path);
	if (nla_put_string(msg, KCOAP_A_RESOURCE_PATH, path)) {
		nlmsg_free(msg);
		return ctl_fail(ctl, -EMSGSIZE, NULL, "resource del %s", path);
	}
	err = kcoap_nl_request(&ctl->nl, msg, NULL, NULL);
	if (err)
		return ctl_fail(ctl, err, &resource_attr_names, "resource del %s",
				path);
	ctl_warn_extack(ctl, cmd->name);
	return CTL_OK;
}

const struct command cmd_resource_del = {
	"resource del", run_del, "PATH",
	"Delete the resource at PATH. Its observers get a final 4.04.\n\n"
	"Options:\n"
	"  -h, --help            this help\n",
};

/* resource show */

struct resource_list {
	struct kcoap_resource *v;
	size_t n, cap;
};

static int collect_resource(struct nlmsghdr *nlh, void *arg)
{
	struct resource_list *list = arg;

	if (list->n == list->cap) {
		size_t cap = list->cap ? 2 * list->cap : 64;
		struct kcoap_resource *v = realloc(list->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		list->v = v;
		list->cap = cap;
	}
	if (kcoap_resource_parse(nlh, &list->v[list->n]))
		return -EBADMSG;
	list->n++;
	return 0;
}

static void free_list(struct resource_list *list)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		kcoap_resource_free(&list->v[i]);
	free(list->v);
}

static size_t total_size(const struct kcoap_resource *res)
{
	size_t sum = 0;
	unsigned int i;

	for (i = 0; i < res->n_reprs; i++)
		sum += res->reprs[i].size;
	return sum;
}

/* Join the Content-Formats (or ETags) of @res's representations with ','. */
static void join_reprs(const struct kcoap_resource *res, bool etags, char *buf,
		       size_t size)
{
	size_t used = 0;
	unsigned int i;

	snprintf(buf, size, "-");
	for (i = 0; i < res->n_reprs && used < size; i++) {
		const struct kcoap_repr *r = &res->reprs[i];
		char item[24];
		int n;

		if (etags)
			hex_format(item, r->etag, r->etag_len);
		n = snprintf(buf + used, size - used, "%s%s", i ? "," : "",
			     etags ? (r->etag_len ? item : "-") :
				     cf_label(r->cf, item, sizeof(item)));
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

static const char *u32_or_dash(bool has, uint32_t v, char *buf, size_t size)
{
	if (!has)
		return "-";
	snprintf(buf, size, "%u", v);
	return buf;
}

void print_resource_table(const struct kcoap_resource *v, size_t n, FILE *f)
{
	static const char *const head[] = {
		"PATH", "CT", "SIZE", "ETAG", "MAX-AGE", "OBS", "OBSERVERS", "RT",
	};
	struct table t;
	size_t i;

	table_init(&t, 8, head);
	for (i = 0; i < n; i++) {
		const struct kcoap_resource *r = &v[i];
		char cts[512], etags[512], size[24], age[16], obsv[16];

		join_reprs(r, false, cts, sizeof(cts));
		join_reprs(r, true, etags, sizeof(etags));
		snprintf(size, sizeof(size), "%zu", total_size(r));
		table_row(&t, r->path, cts, size, etags,
			  u32_or_dash(r->has & KCOAP_RES_MAX_AGE, r->max_age,
				      age, sizeof(age)),
			  (r->has & KCOAP_RES_OBS) ? (r->obs ? "yes" : "no") : "-",
			  u32_or_dash(r->has & KCOAP_RES_OBSERVERS, r->observers,
				      obsv, sizeof(obsv)),
			  r->rt && r->rt[0] ? r->rt : "-");
	}
	table_print(&t, f);
	table_free(&t);
}

/* The first bytes of a binary value, in hex. */
#define HEX_PREVIEW 32

static void print_value(FILE *f, const struct kcoap_resource *res,
			unsigned int i)
{
	const uint8_t *v = kcoap_repr_value(res, i);
	size_t len = res->reprs[i].size, k;

	if (!v) {
		fprintf(f, "  value           not included (%zu bytes: too large "
			"for one netlink message)\n", len);
	} else if (!len) {
		fputs("  value           (empty)\n", f);
	} else if (text_printable(v, len) && !memchr(v, '\n', len - 1)) {
		fprintf(f, "  value           %.*s\n", (int)(len - (v[len - 1] == '\n')),
			(const char *)v);
	} else if (text_printable(v, len)) {
		/* Several lines: print them as they are, after a header. */
		fputs("  value\n", f);
		fwrite(v, 1, len, f);
		if (v[len - 1] != '\n')
			fputc('\n', f);
	} else {
		fputs("  value           hex", f);
		for (k = 0; k < len && k < HEX_PREVIEW; k++)
			fprintf(f, " %02x", v[k]);
		fprintf(f, "%s (%zu bytes)\n", len > HEX_PREVIEW ? " ..." : "", len);
	}
}

void print_resource_detail(const struct kcoap_resource *r, FILE *f)
{
	char e[1024];
	char buf[128], label[8];
	unsigned int i;

	fprintf(f, "path              %s\n", esc(r->path, e, sizeof(e)));
	if (r->has & KCOAP_RES_ID)
		fprintf(f, "id                %u\n", r->id);
	fprintf(f, "max-age           %s\n",
		u32_or_dash(r->has & KCOAP_RES_MAX_AGE, r->max_age, buf, sizeof(buf)));
	fprintf(f, "observable        %s\n",
		(r->has & KCOAP_RES_OBS) ? (r->obs ? "yes" : "no") : "-");
	fprintf(f, "observers         %s\n",
		u32_or_dash(r->has & KCOAP_RES_OBSERVERS, r->observers, buf,
			    sizeof(buf)));
	if (r->secure)
		fputs("secure            yes (coaps only)\n", f);
	if (r->has & KCOAP_RES_METHODS)
		methods_format(r->methods, buf, sizeof(buf));
	fprintf(f, "methods           %s\n",
		(r->has & KCOAP_RES_METHODS) ? buf : "-");
	fprintf(f, "rt                %s\n", r->rt && r->rt[0] ? esc(r->rt, e, sizeof(e)) : "-");
	fprintf(f, "if                %s\n",
		r->iface && r->iface[0] ? esc(r->iface, e, sizeof(e)) : "-");
	fprintf(f, "title             %s\n",
		r->title && r->title[0] ? esc(r->title, e, sizeof(e)) : "-");
	for (i = 0; i < r->n_reprs; i++) {
		const struct kcoap_repr *rp = &r->reprs[i];

		hex_format(buf, rp->etag, rp->etag_len);
		fprintf(f, "representation %u\n", i + 1);
		fprintf(f, "  content-format  %s (%u)\n",
			cf_name(rp->cf) ? cf_name(rp->cf) :
					  cf_label(rp->cf, label, sizeof(label)),
			rp->cf);
		fprintf(f, "  size            %u\n", rp->size);
		fprintf(f, "  etag            %s\n", rp->etag_len ? buf : "-");
		print_value(f, r, i);
	}
}

static void json_optional_string(struct json *j, const char *key,
				 const char *s)
{
	if (s)
		json_kv_string(j, key, s);
}

static void json_repr(struct json *j, const struct kcoap_resource *r,
		      unsigned int i)
{
	const struct kcoap_repr *rp = &r->reprs[i];
	const uint8_t *v = kcoap_repr_value(r, i);

	json_object_begin(j);
	json_kv_uint(j, "content-format", rp->cf);
	json_key(j, "content-type");
	json_string(j, cf_name(rp->cf));
	json_kv_uint(j, "size", rp->size);
	if (rp->etag_len) {
		json_key(j, "etag");
		json_hex(j, rp->etag, rp->etag_len);
	}
	/* Text as a string; anything else (not UTF-8) as hex. */
	if (v && text_printable(v, rp->size)) {
		json_key(j, "value");
		json_string_n(j, (const char *)v, rp->size);
	} else if (v) {
		json_key(j, "value-hex");
		json_hex(j, v, rp->size);
	}
	json_object_end(j);
}

void json_resource(struct json *j, const struct kcoap_resource *r)
{
	char buf[128];
	unsigned int i, bit;

	json_object_begin(j);
	json_kv_string(j, "path", r->path);
	if (r->has & KCOAP_RES_ID)
		json_kv_uint(j, "id", r->id);
	if (r->has & KCOAP_RES_MAX_AGE)
		json_kv_uint(j, "max-age", r->max_age);
	if (r->has & KCOAP_RES_OBS)
		json_kv_bool(j, "obs", r->obs);
	if (r->has & KCOAP_RES_OBSERVERS)
		json_kv_uint(j, "observers", r->observers);
	json_kv_bool(j, "secure", r->secure);
	if (r->has & KCOAP_RES_METHODS) {
		json_key(j, "methods");
		json_array_begin(j);
		for (bit = 0; bit < 32; bit++) {
			if (!(r->methods & (1u << bit)))
				continue;
			snprintf(buf, sizeof(buf), "bit%u", bit);
			json_string(j, method_name(bit) ? method_name(bit) : buf);
		}
		json_array_end(j);
	}
	json_optional_string(j, "rt", r->rt);
	json_optional_string(j, "if", r->iface);
	json_optional_string(j, "title", r->title);
	json_kv_bool(j, "data-omitted", r->data_omitted);
	json_key(j, "representations");
	json_array_begin(j);
	for (i = 0; i < r->n_reprs; i++)
		json_repr(j, r, i);
	json_array_end(j);
	json_object_end(j);
}

static int show_one(struct ctl *ctl, const char *path, bool json)
{
	struct resource_list list = { 0 };
	struct nl_msg *msg;
	struct json j;
	int err;

	msg = kcoap_nl_msg(&ctl->nl, KCOAP_CMD_RESOURCE_GET, 0, strlen(path) + 8);
	if (!msg)
		return ctl_fail(ctl, -ENOMEM, NULL, "resource show %s", path);
	if (nla_put_string(msg, KCOAP_A_RESOURCE_PATH, path)) {
		nlmsg_free(msg);
		return ctl_fail(ctl, -EMSGSIZE, NULL, "resource show %s", path);
	}
	err = kcoap_nl_request(&ctl->nl, msg, collect_resource, &list);
	if (!err && list.n != 1)
		err = -EBADMSG;
	if (err) {
		free_list(&list);
		return ctl_fail(ctl, err, &resource_attr_names,
				"resource show %s", path);
	}
	if (json) {
		json_init(&j, stdout);
		json_resource(&j, &list.v[0]);
		json_end(&j);
	} else {
		print_resource_detail(&list.v[0], stdout);
	}
	free_list(&list);
	return CTL_OK;
}

static int show_all(struct ctl *ctl, bool json)
{
	struct resource_list list = { 0 };
	struct nl_msg *msg;
	struct json j;
	size_t i;
	int err;

	msg = kcoap_nl_msg(&ctl->nl, KCOAP_CMD_RESOURCE_GET, NLM_F_DUMP, 0);
	if (!msg)
		return ctl_fail(ctl, -ENOMEM, NULL, "resource show");
	err = kcoap_nl_request(&ctl->nl, msg, collect_resource, &list);
	if (err) {
		free_list(&list);
		return ctl_fail(ctl, err, &resource_attr_names, "resource show");
	}
	if (json) {
		json_init(&j, stdout);
		json_array_begin(&j);
		for (i = 0; i < list.n; i++)
			json_resource(&j, &list.v[i]);
		json_array_end(&j);
		json_end(&j);
	} else {
		print_resource_table(list.v, list.n, stdout);
	}
	free_list(&list);
	return CTL_OK;
}

static int run_show(struct ctl *ctl, const struct command *cmd, int argc,
		    char **argv)
{
	const char *path = NULL;
	bool json = ctl->json, help = false;
	int rc;

	rc = parse_path_args(ctl, cmd, argc, argv, &path, &json, &help);
	if (rc != CTL_OK || help)
		return help && rc == CTL_OK ? ctl_help(cmd) : rc;
	rc = ctl_connect(ctl);
	if (rc != CTL_OK)
		return rc;
	return path ? show_one(ctl, path, json) : show_all(ctl, json);
}

const struct command cmd_resource_show = {
	"resource show", run_show, "[PATH] [--json]",
	"Without PATH, list all resources: path, Content-Formats, total size,\n"
	"ETags, Max-Age, observable, number of observers, resource type. With\n"
	"PATH, show that resource in detail, with its values (as text when\n"
	"they are printable UTF-8, else a hex preview).\n\n"
	"Options:\n"
	"  -j, --json            JSON: an array of resources, or one object\n"
	"  -h, --help            this help\n",
};
