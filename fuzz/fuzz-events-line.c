/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes the events.jsonl reader (src/client/local/cl-events.c): every
 * event it accepts must format back to a line that parses to the same
 * event, and the newest-N window must hand out no more than N.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cl-events.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int roundtrip(const struct ct_event *ev, void *ctx)
{
	char line[CT_EVENTS_MAX_LINE + 2];
	struct ct_event back;
	size_t *count = ctx;

	(*count)++;
	if (ct_event_format_line(ev, line, sizeof(line)) != 0 ||
	    ct_event_parse_line(line, strlen(line) - 1, &back) != 0 ||
	    memcmp(ev, &back, sizeof(back)) != 0)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t all = 0, two = 0, skipped = 0;

	if (ct_events_read_buf((const char *)data, size, 0, roundtrip, &all, &skipped) != 0)
		abort();
	if (ct_events_read_buf((const char *)data, size, 2, roundtrip, &two, NULL) != 0 ||
	    two > 2 || two > all)
		abort();
	return 0;
}
