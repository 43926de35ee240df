/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cloudtrustd: the cloud identity service.  This is the skeleton: options
 * and configuration, logging, signals, the HTTPS server and GET /healthz.
 * The protocol endpoints join the route table as they are written.
 *
 * Exit status: 0 ok (also after SIGTERM/SIGINT), 1 runtime error, 2 usage
 * or configuration error.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "config.h"
#include "ct-limits.h"
#include "ct-secret.h"
#include "daemon.h"
#include "endpoints.h"
#include "http.h"
#include "log.h"

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2

#ifndef CT_VERSION
#define CT_VERSION "unknown"
#endif

enum {
	OPT_HELP = 'h',
	OPT_VERSION = 'V',
	OPT_CONFIG = 'c',
	OPT_SET = 's',
	OPT_FOREGROUND = 'f',
	OPT_DAEMON = 'd',
	OPT_CHECK = 1000,
	OPT_KEY_BASE = 2000, /* + schema index: --listen, --state-dir, ... */
};

struct options {
	const char *config;
	bool daemon;
	bool check;
	/* Overrides in command-line order: applied after the file. */
	const char **keys;
	const char **values;
	size_t n;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: cloudtrustd [OPTIONS]\n"
		"       cloudtrustd init --state-dir DIR --tenant-name NAME [--domain DNS]...\n"
		"                        [--issuer-url URL] [--listen ADDR:PORT]\n"
		"  -c, --config FILE      configuration file (default %s if it exists)\n"
		"  -s, --set KEY=VALUE    override a configuration key (repeatable)\n"
		"      --KEY VALUE        the same, with '-' for '_' (--log-level debug)\n"
		"  -f, --foreground       stay in the foreground, log to stderr (default)\n"
		"  -d, --daemon           detach and log to syslog\n"
		"      --check-config     print the effective configuration and exit\n"
		"  -h, --help             this text\n"
		"  -V, --version          print the version\n"
		"configuration keys:\n",
		CT_CONFIG_DEFAULT_PATH);
	ct_config_print_help(f);
	fprintf(f, "exit status: 0 ok, 1 runtime error, 2 usage or configuration error\n");
}

static void on_access(void *app, const struct ct_http_access *a)
{
	(void)app;
	if (a->handler_err != 0)
		ct_log(CT_LOG_WARNING, "%s %.256s failed: %s (trace %s)",
		       a->method ? a->method : "-", a->path ? a->path : "-",
		       ct_strerror(a->handler_err), a->trace_id);
	ct_log(CT_LOG_INFO, "%s %s %.256s %u %lldus%s trace=%s", a->remote_addr,
	       a->method ? a->method : "-", a->path ? a->path : "-", a->status,
	       a->duration_us, a->completed ? "" : " aborted", a->trace_id);
}

static void on_diag(void *app, const char *msg)
{
	(void)app;
	ct_log(CT_LOG_INFO, "http: %s", msg);
}

static void options_free(struct options *o)
{
	free(o->keys);
	free(o->values);
}

static int options_add(struct options *o, const char *key, const char *value)
{
	const char **k = realloc(o->keys, (o->n + 1) * sizeof(*k)), **v;

	if (k == NULL)
		return -1;
	o->keys = k;
	v = realloc(o->values, (o->n + 1) * sizeof(*v));
	if (v == NULL)
		return -1;
	o->values = v;
	o->keys[o->n] = key;
	o->values[o->n] = value;
	o->n++;
	return 0;
}

/*
 * The long options: fixed ones, then one per schema key (names with '-').
 * Returns a NULL-terminated array whose names live in *names (free both).
 */
static struct option *build_options(char **names)
{
	static const struct option fixed[] = {
		{"help", no_argument, NULL, OPT_HELP},
		{"version", no_argument, NULL, OPT_VERSION},
		{"config", required_argument, NULL, OPT_CONFIG},
		{"set", required_argument, NULL, OPT_SET},
		{"foreground", no_argument, NULL, OPT_FOREGROUND},
		{"daemon", no_argument, NULL, OPT_DAEMON},
		{"check-config", no_argument, NULL, OPT_CHECK},
	};
	const size_t nfixed = sizeof(fixed) / sizeof(fixed[0]);
	const struct ct_config_key *keys;
	struct option *opts;
	size_t nkeys, i, off = 0, total = 0;
	char *p;

	keys = ct_config_keys(&nkeys);
	for (i = 0; i < nkeys; i++)
		total += strlen(keys[i].name) + 1;
	opts = calloc(nfixed + nkeys + 1, sizeof(*opts));
	*names = malloc(total);
	if (opts == NULL || *names == NULL) {
		free(opts);
		free(*names);
		*names = NULL;
		return NULL;
	}
	memcpy(opts, fixed, sizeof(fixed));
	for (i = 0; i < nkeys; i++) {
		p = *names + off;
		memcpy(p, keys[i].name, strlen(keys[i].name) + 1);
		off += strlen(p) + 1;
		for (char *q = p; *q != '\0'; q++)
			if (*q == '_')
				*q = '-';
		opts[nfixed + i].name = p;
		opts[nfixed + i].has_arg = keys[i].type == CT_CONFIG_BOOL ? optional_argument
									  : required_argument;
		opts[nfixed + i].val = OPT_KEY_BASE + (int)i;
	}
	return opts;
}

/* Returns -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, struct options *o)
{
	const struct ct_config_key *keys;
	struct option *opts;
	char *names = NULL;
	size_t nkeys;
	int c, ret = -1;

	keys = ct_config_keys(&nkeys);
	opts = build_options(&names);
	if (opts == NULL) {
		fprintf(stderr, "cloudtrustd: out of memory\n");
		return EXIT_RUNTIME;
	}
	while (ret < 0 && (c = getopt_long(argc, argv, "hVc:s:fd", opts, NULL)) != -1) {
		switch (c) {
		case OPT_HELP:
			usage(stdout);
			ret = 0;
			break;
		case OPT_VERSION:
			printf("cloudtrustd %s\n", CT_VERSION);
			ret = 0;
			break;
		case OPT_CONFIG:
			o->config = optarg;
			break;
		case OPT_SET:
			if (options_add(o, NULL, optarg) != 0)
				ret = EXIT_RUNTIME;
			break;
		case OPT_FOREGROUND:
			o->daemon = false;
			break;
		case OPT_DAEMON:
			o->daemon = true;
			break;
		case OPT_CHECK:
			o->check = true;
			break;
		default:
			if (c >= OPT_KEY_BASE && (size_t)(c - OPT_KEY_BASE) < nkeys) {
				if (options_add(o, keys[c - OPT_KEY_BASE].name,
						optarg != NULL ? optarg : "true") != 0)
					ret = EXIT_RUNTIME;
				break;
			}
			usage(stderr);
			ret = EXIT_USAGE;
			break;
		}
	}
	if (ret < 0 && optind < argc) {
		fprintf(stderr, "cloudtrustd: unexpected argument \"%s\"\n", argv[optind]);
		ret = EXIT_USAGE;
	}
	free(opts);
	free(names);
	return ret;
}

/* File, then command line, then defaults.  Returns 0 or EXIT_USAGE (reported). */
static int load_config(const struct options *o, struct ct_config *cfg)
{
	struct ct_errinfo ei = {0};
	const char *path = o->config;
	size_t i;
	int r = 0;

	if (path == NULL && access(CT_CONFIG_DEFAULT_PATH, F_OK) == 0)
		path = CT_CONFIG_DEFAULT_PATH;
	if (path != NULL)
		r = ct_config_load(cfg, path, &ei);
	for (i = 0; r == 0 && i < o->n; i++)
		r = o->keys[i] == NULL ? ct_config_set_arg(cfg, o->values[i], &ei)
				       : ct_config_set(cfg, o->keys[i], o->values[i],
						       "command line", &ei);
	if (r == 0)
		r = ct_config_finish(cfg, &ei);
	if (r != 0) {
		fprintf(stderr, "cloudtrustd: %s\n", ei.msg);
		return EXIT_USAGE;
	}
	return 0;
}

struct tls_files {
	char *cert, *key;
	size_t certlen, keylen;
};

static void tls_files_free(struct tls_files *t)
{
	free(t->cert);
	if (t->key != NULL)
		ct_erase_free(t->key, t->keylen + 1);
	memset(t, 0, sizeof(*t));
}

/*
 * Without a configured issuer URL the service names itself after the port
 * it got; the port goes to a file so tests (and scripts) can find it.
 */
static int publish_port(struct ct_app *app, const struct ct_config *cfg,
			unsigned port, struct ct_errinfo *ei)
{
	char path[4096], text[16], url[300];
	FILE *f;

	if (cfg->issuer_url == NULL) {
		snprintf(url, sizeof(url), "%s://127.0.0.1:%u",
			 cfg->insecure_http ? "http" : "https", port);
		free(app->issuer_url);
		app->issuer_url = strdup(url);
		if (app->issuer_url == NULL)
			return CT_ERR_NOMEM;
	}
	snprintf(path, sizeof(path), "%s/" CT_STATE_PORT_FILE, cfg->state_dir);
	snprintf(text, sizeof(text), "%u\n", port);
	unlink(path);
	f = fopen(path, "wx");
	if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0)
		return ct_errinfo_set(ei, CT_ERR_IO, "cannot write %s", path);
	return 0;
}

/* cloudtrustd init: make a state directory (docs/PROTOCOL.md §9b). */
static int cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{"state-dir", required_argument, NULL, 's'},
		{"tenant-name", required_argument, NULL, 'n'},
		{"domain", required_argument, NULL, 'd'},
		{"issuer-url", required_argument, NULL, 'i'},
		{"listen", required_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct ct_init_opts io = {0};
	struct ct_errinfo ei = {0};
	const char *domains[16];
	char tenant[CT_PKI_GUID_LEN + 1];
	int c;

	io.domains = domains;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': io.state_dir = optarg; break;
		case 'n': io.tenant_name = optarg; break;
		case 'i': io.issuer_url = optarg; break;
		case 'l': io.listen = optarg; break;
		case 'd':
			if (io.ndomains == sizeof(domains) / sizeof(domains[0])) {
				fprintf(stderr, "cloudtrustd init: too many --domain\n");
				return EXIT_USAGE;
			}
			domains[io.ndomains++] = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return EXIT_USAGE;
		}
	}
	if (io.state_dir == NULL || io.tenant_name == NULL || optind != argc || io.state_dir[0] != '/') {
		fprintf(stderr, "cloudtrustd init: --state-dir (absolute) and --tenant-name are required\n");
		return EXIT_USAGE;
	}
	if (ct_app_init_state(&io, tenant, &ei) != 0) {
		fprintf(stderr, "cloudtrustd init: %s\n", ei.msg[0] ? ei.msg : "failed");
		return EXIT_RUNTIME;
	}
	printf("tenant %s\n", tenant);
	printf("state directory %s initialised: master key, database, CAs, TLS files in %s/tls, "
	       "admin token in %s/" CT_STATE_ADMIN_TOKEN "\n", io.state_dir, io.state_dir, io.state_dir);
	return 0;
}

static int run(const struct options *o, const struct ct_config *cfg)
{
	struct ct_http_config hc = {0};
	struct ct_http_server *srv = NULL;
	struct tls_files tls = {0};
	struct ct_errinfo ei = {0};
	struct ct_app *app = NULL;
	struct ct_http_route routes[64];
	size_t nroutes;
	bool pidfile = false;
	int sfd = -1, ready = -1, sig, ret = EXIT_RUNTIME;

	ct_log_open(o->daemon ? CT_LOG_TO_SYSLOG : CT_LOG_TO_STDERR, cfg->log_level,
		    "cloudtrustd");
	if (!cfg->insecure_http &&
	    (ct_config_read_file(cfg->tls_cert, CT_PEM_MAX_FILE, &tls.cert, &tls.certlen, &ei) != 0 ||
	     ct_config_read_file(cfg->tls_key, CT_PEM_MAX_FILE, &tls.key, &tls.keylen, &ei) != 0)) {
		ct_log(CT_LOG_ERR, "TLS: %s", ei.msg);
		goto out;
	}
	if (ct_daemon_signals(&sfd, &ei) != 0 ||
	    (o->daemon && ct_daemon_detach(&ready, &ei) != 0)) {
		ct_log(CT_LOG_ERR, "%s", ei.msg);
		goto out;
	}
	if (cfg->pidfile != NULL) {
		if (ct_daemon_pidfile_create(cfg->pidfile, &ei) != 0) {
			ct_log(CT_LOG_ERR, "%s", ei.msg);
			goto out;
		}
		pidfile = true;
	}
	if (ct_app_load(cfg->state_dir, cfg->database, cfg->issuer_url, &app, &ei) != 0) {
		ct_log(CT_LOG_ERR, "%s", ei.msg);
		goto out;
	}
	nroutes = ct_service_routes(routes, sizeof(routes) / sizeof(routes[0]));
	hc.thread_init = ct_app_thread_init;
	hc.thread_fini = ct_app_thread_fini;
	hc.listen = cfg->listen;
	hc.insecure_http = cfg->insecure_http;
	hc.tls_cert_pem = tls.cert;
	hc.tls_key_pem = tls.key;
	hc.threads = (unsigned)cfg->threads;
	hc.max_connections = (unsigned)cfg->max_connections;
	hc.max_connections_per_ip = (unsigned)cfg->max_connections_per_ip;
	hc.timeout_s = (unsigned)cfg->connection_timeout;
	hc.on_access = on_access;
	hc.on_diag = on_diag;
	if (ct_http_server_start(&hc, routes, nroutes, app, &srv, &ei) != 0) {
		ct_log(CT_LOG_ERR, "%s", ei.msg);
		goto out;
	}
	/* The server holds its own copy of the key now. */
	tls_files_free(&tls);
	if (publish_port(app, cfg, ct_http_server_port(srv), &ei) != 0) {
		ct_log(CT_LOG_ERR, "%s", ei.msg);
		goto out;
	}
	if (cfg->insecure_http)
		ct_log(CT_LOG_WARNING, "serving plain HTTP: INSECURE, for tests only");
	ct_log(CT_LOG_NOTICE, "cloudtrustd %s listening on %s (port %u, %s)", CT_VERSION,
	       cfg->listen, (unsigned)ct_http_server_port(srv),
	       cfg->insecure_http ? "http" : "https");
	ct_daemon_notify("READY=1");
	ct_daemon_ready(ready, 0);
	ready = -1;
	for (;;) {
		sig = ct_daemon_next_signal(sfd);
		if (sig == SIGHUP) {
			ct_log_reopen();
			ct_log(CT_LOG_NOTICE, "SIGHUP: logs reopened");
			continue;
		}
		if (sig == SIGTERM || sig == SIGINT) {
			ct_log(CT_LOG_NOTICE, "%s: shutting down", strsignal(sig));
			ret = 0;
		} else {
			ct_log(CT_LOG_ERR, "reading signals failed");
		}
		break;
	}
	ct_daemon_notify("STOPPING=1");
out:
	ct_http_server_stop(srv);
	ct_app_free(app);
	if (pidfile)
		ct_daemon_pidfile_remove(cfg->pidfile);
	tls_files_free(&tls);
	ct_daemon_ready(ready, ret);
	if (sfd >= 0)
		close(sfd);
	if (ret == 0)
		ct_log(CT_LOG_NOTICE, "stopped");
	ct_log_close();
	return ret;
}

int main(int argc, char **argv)
{
	struct options o = {0};
	struct ct_config cfg;
	int ret;

	/* The state directory holds keys: nothing we create is for others. */
	umask(077);
	if (argc > 1 && strcmp(argv[1], "init") == 0)
		return cmd_init(argc - 1, argv + 1);
	ct_config_init(&cfg);
	ret = parse_args(argc, argv, &o);
	if (ret >= 0)
		goto out;
	ret = load_config(&o, &cfg);
	if (ret == 0 && o.check)
		ct_config_print(&cfg, stdout);
	else if (ret == 0)
		ret = run(&o, &cfg);
out:
	options_free(&o);
	ct_config_free(&cfg);
	return ret;
}
