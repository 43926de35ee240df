/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cloudtrust-admin's output and reply handling: cells, tables, records,
 * terminal safety, JSON stability, strict reply parsing and the mapping of
 * the server's errors to exit statuses and messages.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adm-api.h"
#include "adm-output.h"
#include "ct-error.h"
#include "ct-limits.h"
#include "tap.h"

static json_t *load(const char *text)
{
	json_error_t err;
	json_t *j = json_loads(text, 0, &err);

	if (j == NULL)
		tap_diag("bad test JSON: %s", err.text);
	return j;
}

static void check_cell(const char *json, const char *want)
{
	char buf[64];
	json_t *j = load(json);

	adm_cell_auto(json_array_get(j, 0), buf, sizeof(buf));
	CHECK_STR(buf, want);
	json_decref(j);
}

static void test_cells(void)
{
	char buf[16];
	json_t *j;

	check_cell("[\"Alice\"]", "Alice");
	check_cell("[42]", "42");
	check_cell("[-7]", "-7");
	check_cell("[true]", "yes");
	check_cell("[false]", "no");
	check_cell("[null]", "-");
	check_cell("[[]]", "-");
	check_cell("[[\"staff\", \"admins\"]]", "staff, admins");
	check_cell("[{\"b\": 1, \"a\": [true]}]", "{\"a\":[true],\"b\":1}");
	adm_cell_auto(NULL, buf, sizeof(buf));
	CHECK_STR(buf, "-");

	/* Cut to the buffer, marked, never in the middle of a character. */
	j = load("[\"abcdefghijklmnopqrstuvwxyz\", \"abcdefghijk\\u00e9\\u00e9\\u00e9\"]");
	adm_cell_auto(json_array_get(j, 0), buf, sizeof(buf));
	CHECK_STR(buf, "abcdefghijkl...");
	adm_cell_auto(json_array_get(j, 1), buf, sizeof(buf));
	CHECK_STR(buf, "abcdefghijk...");
	json_decref(j);
	j = load("[\"abcdefghij\\u00e9\\u00e9\\u00e9\"]");
	adm_cell_auto(json_array_get(j, 0), buf, sizeof(buf));
	CHECK_STR(buf, "abcdefghij\xc3\xa9...");
	json_decref(j);
	j = load("[\"exactly 15 byte\"]");
	adm_cell_auto(json_array_get(j, 0), buf, sizeof(buf));
	CHECK_STR(buf, "exactly 15 byte");
	json_decref(j);

	j = load("[1764020000, 0, null, \"x\"]");
	/* A buffer too small for the date falls back to the number. */
	adm_cell_time(json_array_get(j, 0), buf, sizeof(buf));
	CHECK_STR(buf, "1764020000");
	{
		char wide[32];

		adm_cell_time(json_array_get(j, 0), wide, sizeof(wide));
		CHECK_STR(wide, "2025-11-24T21:33:20Z");
		adm_cell_time(json_array_get(j, 1), wide, sizeof(wide));
		CHECK_STR(wide, "0");
		adm_cell_time(json_array_get(j, 2), wide, sizeof(wide));
		CHECK_STR(wide, "-");
		adm_cell_time(json_array_get(j, 3), wide, sizeof(wide));
		CHECK_STR(wide, "x");
	}
	json_decref(j);
}

static void test_paths_in_json(void)
{
	json_t *j = load("{\"onprem\": {\"sid\": \"S-1\", \"n\": null}, \"a\": 1}");

	CHECK_STR(json_string_value(adm_json_path(j, "onprem.sid")), "S-1");
	CHECK(json_is_null(adm_json_path(j, "onprem.n")));
	CHECK(adm_json_path(j, "onprem.missing") == NULL);
	CHECK(adm_json_path(j, "a.b") == NULL);
	CHECK(adm_json_path(j, "missing.sid") == NULL);
	CHECK(json_integer_value(adm_json_path(j, "a")) == 1);
	json_decref(j);
	j = load("{\"onprem\": null}");
	CHECK(adm_json_path(j, "onprem.sid") == NULL);
	json_decref(j);
}

static void test_sanitize(void)
{
	char s1[] = "ok\033[31mred\033[0m\r\n\t\x7f";
	char s2[] = "a\xc2\x9b" "31mb";
	char s3[] = "Zo\xc3\xab \xe2\x82\xac";

	adm_sanitize(s1);
	CHECK_STR(s1, "ok?[31mred?[0m????");
	adm_sanitize(s2);
	CHECK_STR(s2, "a?31mb");
	adm_sanitize(s3);
	CHECK_STR(s3, "Zo\xc3\xab \xe2\x82\xac");
	CHECK_INT(adm_text_width(s3), 5);
	CHECK_INT(adm_text_width(""), 0);
}

/* Prints a table into a string the caller frees. */
static char *print_table(const struct adm_table *t, bool header, bool color)
{
	char *text = NULL;
	size_t len;
	FILE *f = open_memstream(&text, &len);

	adm_table_print(t, f, header, color);
	fclose(f);
	return text;
}

static void test_table(void)
{
	const char *head[] = {"NAME", "VALUE", "NOTE"};
	const char *r1[] = {"Zo\xc3\xab", "1", ""};
	const char *r2[] = {"a-longer-name", NULL, "x\033]0;title\007"};
	struct adm_table t;
	char *text;

	adm_table_init(&t, 3);
	CHECK_ERR(adm_table_add(&t, head), 0);
	CHECK_ERR(adm_table_add(&t, r1), 0);
	CHECK_ERR(adm_table_add(&t, r2), 0);
	text = print_table(&t, true, false);
	/* Aligned by characters, not bytes; no trailing blanks; NULL as "-". */
	CHECK_STR(text,
		  "NAME           VALUE  NOTE\n"
		  "Zo\xc3\xab            1\n"
		  "a-longer-name  -      x?]0;title?\n");
	free(text);
	text = print_table(&t, true, true);
	CHECK(strncmp(text, "\033[1mNAME", 8) == 0);
	CHECK(strstr(text, "NOTE\033[0m\n") != NULL);
	/* Only the header carries attributes. */
	{
		size_t esc = 0, k;

		for (k = 0; text[k] != '\0'; k++)
			esc += text[k] == '\033';
		CHECK_INT(esc, 2);
	}
	free(text);
	adm_table_free(&t);
	CHECK_INT(t.nrows, 0);
}

static const struct adm_column cols[] = {
	{"UPN", "upn", NULL},
	{"Display name", "display_name", NULL},
	{"On-prem SID", "onprem.sid", NULL},
	{"Created", "created", adm_cell_time},
};

/* Prints a view of reply into a string; returns the result code. */
static int view(const char *reply, const struct adm_view *v, char **text)
{
	struct ct_errinfo ei = {0};
	json_t *j = load(reply);
	size_t len;
	FILE *f = open_memstream(text, &len);
	int r = adm_print_view(f, false, j, v, &ei);

	fclose(f);
	json_decref(j);
	return r;
}

static void test_views(void)
{
	static const char users[] =
		"{\"users\": [{\"upn\": \"alice@corp.example.test\", \"display_name\": \"Alice\","
		" \"onprem\": {\"sid\": \"S-1-5-21-1-2-3-1103\"}, \"created\": 1764020000},"
		" {\"upn\": \"bob@corp.example.test\", \"display_name\": \"Bob \\u001b[2J\","
		" \"onprem\": null, \"created\": 1764020001}]}";
	const struct adm_view list = ADM_VIEW("users", cols);
	const struct adm_view record = ADM_VIEW(NULL, cols);
	char *text = NULL;

	CHECK_ERR(view(users, &list, &text), 0);
	CHECK_STR(text,
		  "UPN                      DISPLAY NAME  ON-PREM SID          CREATED\n"
		  "alice@corp.example.test  Alice         S-1-5-21-1-2-3-1103  2025-11-24T21:33:20Z\n"
		  "bob@corp.example.test    Bob ?[2J      -                    2025-11-24T21:33:21Z\n");
	free(text);

	CHECK_ERR(view("{\"users\": []}", &list, &text), 0);
	CHECK_STR(text, "UPN  DISPLAY NAME  ON-PREM SID  CREATED\n");
	free(text);

	CHECK_ERR(view("{\"upn\": \"alice@corp.example.test\", \"display_name\": \"Alice\","
		       " \"onprem\": null}", &record, &text), 0);
	CHECK_STR(text,
		  "UPN:           alice@corp.example.test\n"
		  "Display name:  Alice\n"
		  "On-prem SID:   -\n"
		  "Created:       -\n");
	free(text);

	CHECK_ERR(view("{\"devices\": []}", &list, &text), CT_ERR_BAD_JSON);
	free(text);
	CHECK_ERR(view("{\"users\": {}}", &list, &text), CT_ERR_BAD_JSON);
	free(text);
	CHECK_ERR(view("[1]", &record, &text), CT_ERR_BAD_JSON);
	free(text);
}

static char *print_json(const json_t *j)
{
	struct ct_errinfo ei = {0};
	char *text = NULL;
	size_t len;
	FILE *f = open_memstream(&text, &len);

	CHECK_ERR(adm_print_json(f, j, &ei), 0);
	fclose(f);
	return text;
}

static void test_json_stable(void)
{
	json_t *a = load("{\"upn\": \"a@b\", \"enabled\": true, \"groups\": [\"z\", \"a\"],"
			 " \"onprem\": {\"sid\": \"S\", \"domain_name\": \"d\"}, \"id\": 3}");
	json_t *b = load("{\"id\": 3, \"onprem\": {\"domain_name\": \"d\", \"sid\": \"S\"},"
			 " \"groups\": [\"z\", \"a\"], \"enabled\": true, \"upn\": \"a@b\"}");
	json_t *esc = load("{\"n\": \"x\\u001by \\u00e9\\u009b\\u0080\\u00c2\\u00a0\\u007f\"}");
	char *ta = print_json(a), *tb = print_json(b), *te = print_json(esc);

	/* Same members, any order: the same bytes; arrays keep their order. */
	CHECK_STR(ta, tb);
	CHECK_STR(ta,
		  "{\n"
		  "  \"enabled\": true,\n"
		  "  \"groups\": [\n"
		  "    \"z\",\n"
		  "    \"a\"\n"
		  "  ],\n"
		  "  \"id\": 3,\n"
		  "  \"onprem\": {\n"
		  "    \"domain_name\": \"d\",\n"
		  "    \"sid\": \"S\"\n"
		  "  },\n"
		  "  \"upn\": \"a@b\"\n"
		  "}\n");
	/* Control characters stay escaped; UTF-8 stays readable. */
	CHECK_STR(te, "{\n  \"n\": \"x\\u001By \xc3\xa9\\u009b\\u0080\xc3\x82\xc2\xa0\\u007f\"\n}\n");
	free(ta);
	free(tb);
	free(te);
	json_decref(a);
	json_decref(b);
	json_decref(esc);
}

static int parse_text(const char *text)
{
	struct ct_errinfo ei = {0};
	json_t *j = NULL;
	int r = adm_reply_parse(text, strlen(text), &j, &ei);

	CHECK(r == 0 ? j != NULL : j == NULL);
	json_decref(j);
	return r;
}

static void test_reply_parse(void)
{
	CHECK_ERR(parse_text("{\"users\": []}"), 0);
	CHECK_ERR(parse_text("{\"a\": 1, \"a\": 2}"), CT_ERR_BAD_JSON);
	CHECK_ERR(parse_text("[]"), CT_ERR_BAD_JSON);
	CHECK_ERR(parse_text("\"x\""), CT_ERR_BAD_JSON);
	CHECK_ERR(parse_text("{} {}"), CT_ERR_BAD_JSON);
	CHECK_ERR(parse_text("{\"a\": \"\\u0000\"}"), CT_ERR_BAD_JSON);
	CHECK_ERR(parse_text("{\"a\": \"\xff\"}"), CT_ERR_BAD_JSON);
	CHECK_ERR(parse_text(""), CT_ERR_BAD_JSON);
	CHECK_ERR(parse_text("<html>"), CT_ERR_BAD_JSON);
}

static int reply_error(long status, const char *body, const char *trace,
		       struct ct_errinfo *ei)
{
	memset(ei, 0, sizeof(*ei));
	return adm_reply_error(status, body, strlen(body), trace, ei);
}

static void test_reply_errors(void)
{
	struct ct_errinfo ei;

	CHECK_ERR(reply_error(404, "{\"error\": \"not_found\", \"error_description\": "
			      "\"no such user\", \"error_codes\": [40400], \"trace_id\": \"t-1\"}",
			      "", &ei), CT_ERR_NOT_FOUND);
	CHECK_STR(ei.msg, "no such user (not_found 40400, HTTP 404, trace t-1)");
	CHECK_ERR(reply_error(409, "{\"error\": \"conflict\", \"error_description\": "
			      "\"user exists\", \"error_codes\": [40900]}", "hdr-trace", &ei),
		  CT_ERR_CONFLICT);
	CHECK_STR(ei.msg, "user exists (conflict 40900, HTTP 409, trace hdr-trace)");
	CHECK_ERR(reply_error(401, "{\"error\": \"unauthorized\", \"error_codes\": [40101]}",
			      "", &ei), CT_ERR_UNAUTHORIZED);
	CHECK_STR(ei.msg, "not authorised (unauthorized 40101, HTTP 401)");
	CHECK_ERR(reply_error(400, "{\"error\": \"invalid_request\", \"error_description\":"
			      " \"bad \\u001b[2J node\", \"error_codes\": [50000]}", "", &ei),
		  CT_ERR_REFUSED);
	CHECK_STR(ei.msg, "bad ?[2J node (invalid_request 50000, HTTP 400)");
	CHECK_ERR(reply_error(502, "<html>Bad gateway</html>", "", &ei), CT_ERR_REFUSED);
	CHECK_STR(ei.msg, "the server refused the request (HTTP 502)");
	CHECK_ERR(reply_error(404, "", NULL, &ei), CT_ERR_NOT_FOUND);
	CHECK_STR(ei.msg, "the server refused the request (HTTP 404)");
	/* Odd shapes from a broken server do not crash and still give the status. */
	CHECK_ERR(reply_error(500, "{\"error\": 5, \"error_codes\": \"x\"}", "", &ei),
		  CT_ERR_REFUSED);
	CHECK_STR(ei.msg, "the server refused the request (HTTP 500)");
}

int main(void)
{
	test_cells();
	test_paths_in_json();
	test_sanitize();
	test_table();
	test_views();
	test_json_stable();
	test_reply_parse();
	test_reply_errors();
	return tap_done();
}
