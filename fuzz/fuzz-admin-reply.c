/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes what cloudtrust-admin does with a server's reply: the first byte
 * picks an HTTP status, the rest is the body.  An error status goes through
 * adm_reply_error; a success body through the strict parser, the JSON
 * printer and table views of every list the admin API returns.  Beyond
 * memory safety it checks the promise of adm-output.h: nothing the server
 * sends reaches a terminal as a control character (only the newlines the
 * tables themselves print).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adm-api.h"
#include "adm-output.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const long statuses[] = {200, 201, 204, 400, 401, 404, 409, 413, 429, 500};

static const struct adm_column cols[] = {
	{"Name", "name", NULL},
	{"UPN", "upn", NULL},
	{"Groups", "groups", NULL},
	{"SID", "onprem.sid", NULL},
	{"Key version", "primary.key_version", NULL},
	{"Deep", "a.b.c.d", NULL},
	{"At", "at", adm_cell_time},
	{"Created", "created", adm_cell_time},
	{"Detail", "detail", NULL},
};

static const char *const lists[] = {
	NULL, "users", "groups", "devices", "policies", "kerberos_servers", "events",
};

/* Aborts when text holds a control character other than '\n'. */
static void check_terminal_safe(const char *text, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if ((c < 0x20 && c != '\n') || c == 0x7f ||
		    (c == 0xc2 && i + 1 < len && (unsigned char)text[i + 1] >= 0x80 &&
		     (unsigned char)text[i + 1] <= 0x9f))
			abort();
	}
}

static void views(const json_t *reply)
{
	char *text = NULL;
	size_t len = 0, i;
	FILE *f;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		struct adm_view v = {lists[i], cols, sizeof(cols) / sizeof(cols[0])};

		f = open_memstream(&text, &len);
		if (f == NULL)
			return;
		adm_print_view(f, false, reply, &v, NULL);
		fclose(f);
		check_terminal_safe(text, len);
		free(text);
		text = NULL;
	}
	f = open_memstream(&text, &len);
	if (f == NULL)
		return;
	/* JSON output escapes control characters itself. */
	adm_print_json(f, reply, NULL);
	fclose(f);
	check_terminal_safe(text, len);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ct_errinfo ei = {0};
	json_t *reply = NULL;
	long status;

	if (size < 1)
		return 0;
	status = statuses[data[0] % (sizeof(statuses) / sizeof(statuses[0]))];
	data++;
	size--;
	if (status >= 300) {
		adm_reply_error(status, data, size, "trace", &ei);
		check_terminal_safe(ei.msg, strlen(ei.msg));
		return 0;
	}
	if (adm_reply_parse(data, size, &reply, &ei) == 0)
		views(reply);
	json_decref(reply);
	return 0;
}
