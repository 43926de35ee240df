/* SPDX-License-Identifier: Apache-2.0 */
#include "adm-args.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

enum gopt {
	G_SERVER, G_TOKEN_FILE, G_CACERT, G_JSON, G_TIMEOUT, G_HELP, G_VERSION, G_COUNT
};

static const struct adm_opt global_opts[G_COUNT] = {
	[G_SERVER] = {"server", "URL"},
	[G_TOKEN_FILE] = {"token-file", "FILE"},
	[G_CACERT] = {"cacert", "FILE"},
	[G_JSON] = {"json", NULL},
	[G_TIMEOUT] = {"timeout", "SEC"},
	[G_HELP] = {"help", NULL},
	[G_VERSION] = {"version", NULL},
};

/* Longest --timeout: an hour is already far more than any admin call needs. */
#define ADM_MAX_TIMEOUT_S 3600

int adm_parse_ulong(const char *s, unsigned long min, unsigned long max,
		    unsigned long *out)
{
	unsigned long v;
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return CT_ERR_BAD_VALUE;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return CT_ERR_BAD_VALUE;
	*out = v;
	return 0;
}

/* Index of name in a NULL-terminated option table, or -1. */
static int opt_index(const struct adm_opt *opts, size_t n, const char *name,
		     size_t namelen)
{
	size_t i;

	for (i = 0; i < n && opts != NULL && opts[i].name != NULL; i++)
		if (strlen(opts[i].name) == namelen &&
		    memcmp(opts[i].name, name, namelen) == 0)
			return (int)i;
	return -1;
}

/* Number of words in a command's name ("user mfa enroll": 3). */
static size_t word_count(const char *words)
{
	size_t n = 1;

	for (; *words != '\0'; words++)
		n += *words == ' ';
	return n;
}

/* Whether argv[i..] starts with the words of cmd. */
static bool words_match(const char *words, int argc, char *const *argv, int i)
{
	const char *w = words;

	for (; i < argc; i++) {
		size_t len = strcspn(w, " ");

		if (strlen(argv[i]) != len || memcmp(argv[i], w, len) != 0)
			return false;
		if (w[len] == '\0')
			return true;
		w += len + 1;
	}
	return false;
}

/* The command whose words match argv at i, the longest if several do. */
static const struct adm_command *find_command(const struct adm_command *const *groups,
					      int argc, char *const *argv, int i)
{
	const struct adm_command *best = NULL;
	size_t g;

	for (g = 0; groups[g] != NULL; g++) {
		const struct adm_command *c;

		for (c = groups[g]; c->words != NULL; c++)
			if (words_match(c->words, argc, argv, i) &&
			    (best == NULL ||
			     word_count(c->words) > word_count(best->words)))
				best = c;
	}
	return best;
}

/* Whether word is the first word of some command. */
static bool is_group(const struct adm_command *const *groups, const char *word)
{
	size_t g, len = strlen(word);

	for (g = 0; groups[g] != NULL; g++)
		if (strncmp(groups[g]->words, word, len) == 0 &&
		    (groups[g]->words[len] == ' ' || groups[g]->words[len] == '\0'))
			return true;
	return false;
}

struct parse_state {
	int argc;
	char *const *argv;
	int i;
	const char *gval[G_COUNT];
	struct ct_errinfo *ei;
};

/*
 * Takes the option at argv[st->i]: the value from "=VALUE" or the next
 * argument.  *slot receives it ("" for a flag); returns 0 or CT_ERR_USAGE.
 */
static int take_option(struct parse_state *st, const struct adm_opt *o,
		       const char *eq, const char **slot)
{
	const char *arg = st->argv[st->i];

	if (*slot != NULL)
		return ct_errinfo_set(st->ei, CT_ERR_USAGE, "--%s given twice", o->name);
	if (o->metavar == NULL) {
		if (eq != NULL)
			return ct_errinfo_set(st->ei, CT_ERR_USAGE,
					      "--%s takes no value", o->name);
		*slot = "";
		return 0;
	}
	if (eq != NULL) {
		*slot = eq + 1;
		return 0;
	}
	if (st->i + 1 >= st->argc)
		return ct_errinfo_set(st->ei, CT_ERR_USAGE, "%s needs a value (%s)",
				      arg, o->metavar);
	*slot = st->argv[++st->i];
	return 0;
}

/* parse_option's result for an option that take_option handled with r. */
static int taken(int r)
{
	return r < 0 ? r : 1;
}

/*
 * Handles argv[st->i] if it is an option of the command (cmd_opts, may be
 * NULL) or a global one.  Returns 1 when it was an option, 0 when it is a
 * positional argument, or CT_ERR_USAGE.
 */
static int parse_option(struct parse_state *st, const struct adm_opt *cmd_opts,
			const char **cmd_vals)
{
	const char *arg = st->argv[st->i], *name, *eq;
	size_t namelen;
	int k;

	if (strcmp(arg, "-h") == 0)
		return taken(take_option(st, &global_opts[G_HELP], NULL,
					 &st->gval[G_HELP]));
	if (arg[0] != '-' || strcmp(arg, "-") == 0)
		return 0;
	if (arg[1] != '-' || arg[2] == '\0')
		return ct_errinfo_set(st->ei, CT_ERR_USAGE, "unknown option %s", arg);
	name = arg + 2;
	eq = strchr(name, '=');
	namelen = eq != NULL ? (size_t)(eq - name) : strlen(name);
	k = opt_index(cmd_opts, ADM_MAX_OPTS, name, namelen);
	if (k >= 0)
		return taken(take_option(st, &cmd_opts[k], eq, &cmd_vals[k]));
	k = opt_index(global_opts, G_COUNT, name, namelen);
	if (k >= 0)
		return taken(take_option(st, &global_opts[k], eq, &st->gval[k]));
	return ct_errinfo_set(st->ei, CT_ERR_USAGE, "unknown option --%.*s",
			      (int)namelen, name);
}

/* Applies the global options given over the defaults in g. */
static int apply_globals(const struct parse_state *st, struct adm_global *g)
{
	unsigned long t;

	if (st->gval[G_SERVER] != NULL)
		g->server = st->gval[G_SERVER];
	if (st->gval[G_TOKEN_FILE] != NULL)
		g->token_file = st->gval[G_TOKEN_FILE];
	if (st->gval[G_CACERT] != NULL)
		g->cacert = st->gval[G_CACERT];
	if (st->gval[G_TIMEOUT] != NULL) {
		if (adm_parse_ulong(st->gval[G_TIMEOUT], 1, ADM_MAX_TIMEOUT_S, &t) != 0)
			return ct_errinfo_set(st->ei, CT_ERR_USAGE,
					      "--timeout wants whole seconds, 1 to %d",
					      ADM_MAX_TIMEOUT_S);
		g->timeout_s = (long)t;
	}
	g->json = g->json || st->gval[G_JSON] != NULL;
	g->help = st->gval[G_HELP] != NULL;
	g->version = st->gval[G_VERSION] != NULL;
	return 0;
}

int adm_args_parse(int argc, char *const *argv,
		   const struct adm_command *const *groups,
		   struct adm_global *g, struct adm_args *a,
		   struct ct_errinfo *ei)
{
	struct parse_state st = {.argc = argc, .argv = argv, .i = 1, .ei = ei};
	unsigned npos = 0;
	bool dashdash = false;
	int r, k;

	memset(a, 0, sizeof(*a));
	/* Global options before the command. */
	for (; st.i < argc; st.i++) {
		r = parse_option(&st, NULL, NULL);
		if (r < 0)
			return r;
		if (r == 0)
			break;
	}
	if (st.i < argc && strcmp(argv[st.i], "--") == 0)
		st.i++;
	a->cmd = find_command(groups, argc, argv, st.i);
	if (a->cmd == NULL) {
		r = apply_globals(&st, g);
		if (r != 0)
			return r;
		if (st.i < argc && is_group(groups, argv[st.i]))
			a->group = argv[st.i];
		/* "user --help": help on a group, or on what was typed so far. */
		for (k = st.i; k < argc; k++)
			if (strcmp(argv[k], "--help") == 0 || strcmp(argv[k], "-h") == 0)
				g->help = true;
		if (g->help || g->version)
			return 0;
		if (st.i >= argc)
			return ct_errinfo_set(ei, CT_ERR_USAGE, "no command given");
		if (a->group != NULL && st.i + 1 >= argc)
			return ct_errinfo_set(ei, CT_ERR_USAGE, "%s: which command?",
					      a->group);
		return ct_errinfo_set(ei, CT_ERR_USAGE, "unknown command \"%s%s%s\"",
				      argv[st.i], st.i + 1 < argc ? " " : "",
				      st.i + 1 < argc ? argv[st.i + 1] : "");
	}
	/* The command's arguments and options, and global options, in any order. */
	for (st.i += (int)word_count(a->cmd->words); st.i < argc; st.i++) {
		if (!dashdash && strcmp(argv[st.i], "--") == 0) {
			dashdash = true;
			continue;
		}
		r = dashdash ? 0 : parse_option(&st, a->cmd->opts, a->val);
		if (r < 0)
			return r;
		if (r > 0)
			continue;
		if (npos >= a->cmd->npos && st.gval[G_HELP] == NULL)
			return ct_errinfo_set(ei, CT_ERR_USAGE,
					      "%s: unexpected argument \"%s\"",
					      a->cmd->words, argv[st.i]);
		if (npos < ADM_MAX_POS)
			a->pos[npos++] = argv[st.i];
	}
	r = apply_globals(&st, g);
	if (r != 0)
		return r;
	if (npos < a->cmd->npos && !g->help)
		return ct_errinfo_set(ei, CT_ERR_USAGE, "%s: missing arguments",
				      a->cmd->words);
	return 0;
}

const char *adm_arg(const struct adm_args *a, const char *name)
{
	int k = opt_index(a->cmd->opts, ADM_MAX_OPTS, name, strlen(name));

	return k >= 0 ? a->val[k] : NULL;
}

bool adm_arg_flag(const struct adm_args *a, const char *name)
{
	return adm_arg(a, name) != NULL;
}

int adm_arg_ulong(const struct adm_args *a, const char *name,
		  unsigned long min, unsigned long max, unsigned long *out,
		  struct ct_errinfo *ei)
{
	const char *v = adm_arg(a, name);

	if (v == NULL)
		return ct_errinfo_set(ei, CT_ERR_USAGE, "%s: --%s is required",
				      a->cmd->words, name);
	if (adm_parse_ulong(v, min, max, out) != 0)
		return ct_errinfo_set(ei, CT_ERR_USAGE,
				      "--%s wants a number from %lu to %lu, not \"%s\"",
				      name, min, max, v);
	return 0;
}

static void usage_command(FILE *f, const struct adm_command *c)
{
	fprintf(f, "  %s%s%s\n      %s\n", c->words, c->synopsis[0] ? " " : "",
		c->synopsis, c->summary);
}

void adm_usage(FILE *f, const struct adm_command *const *groups,
	       const struct adm_command *cmd, const char *group)
{
	size_t g, len = group != NULL ? strlen(group) : 0;
	const struct adm_command *c;

	if (cmd != NULL) {
		fprintf(f, "usage: cloudtrust-admin [GLOBAL OPTIONS] %s%s%s\n       %s\n",
			cmd->words, cmd->synopsis[0] ? " " : "", cmd->synopsis,
			cmd->summary);
		return;
	}
	fputs("usage: cloudtrust-admin [--server URL] [--token-file FILE] [--cacert FILE]\n"
	      "                        [--json] [--timeout SEC] COMMAND ...\n", f);
	fputs("\ncommands:\n", f);
	for (g = 0; groups[g] != NULL; g++)
		for (c = groups[g]; c->words != NULL; c++)
			if (group == NULL || (strncmp(c->words, group, len) == 0 &&
					      c->words[len] == ' '))
				usage_command(f, c);
	if (group == NULL)
		fputs("\nexit status: 0 ok, 1 error, 2 usage, 3 not found, 4 conflict, "
		      "5 unauthorized\n"
		      "see cloudtrust-admin(8) for the defaults and environment\n", f);
}
