/* SPDX-License-Identifier: Apache-2.0 */
/*
 * logon-bench: PIN to full TGT, in process, through the client library's
 * ct_client_logon (Hello key signature in the keystore, nonce, PRT, partial
 * TGT, exchange at the DC, cache written), N times for an enrolled user.
 * Prints name=value lines: the keystore kind, the count and the latency
 * percentiles in milliseconds.  Driven by run-logon-bench.py, which sets up
 * cloudtrustd, the lab DC and a device.
 *
 *   logon-bench --config FILE --user LOCAL --pin-file FILE [--n N] [--label L]
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client.h"
#include "ct-secret.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(const double *v, int n, double p)
{
	int i = (int)(p * (n - 1) + 0.5);

	return v[i < 0 ? 0 : i >= n ? n - 1 : i];
}

int main(int argc, char **argv)
{
	const char *config = NULL, *user = NULL, *pinfile = NULL, *label = "logon";
	char pin[256] = "";
	struct ct_logon_result res;
	struct ct_errinfo ei = {0};
	struct ct_client *c = NULL;
	struct passwd *pw;
	double *lat, t0, sum = 0;
	int i, n = 20, r, failed = 0;
	FILE *f;

	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--config") == 0)
			config = argv[i + 1];
		else if (strcmp(argv[i], "--user") == 0)
			user = argv[i + 1];
		else if (strcmp(argv[i], "--pin-file") == 0)
			pinfile = argv[i + 1];
		else if (strcmp(argv[i], "--n") == 0)
			n = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--label") == 0)
			label = argv[i + 1];
	}
	if (config == NULL || user == NULL || pinfile == NULL || n < 1 || n > 100000 ||
	    (pw = getpwnam(user)) == NULL) {
		fprintf(stderr, "usage: logon-bench --config FILE --user LOCAL --pin-file FILE "
			"[--n N] [--label L]\n");
		return 2;
	}
	f = fopen(pinfile, "r");
	if (f == NULL || fgets(pin, sizeof(pin), f) == NULL) {
		fprintf(stderr, "logon-bench: cannot read %s\n", pinfile);
		return 2;
	}
	fclose(f);
	pin[strcspn(pin, "\r\n")] = '\0';
	lat = calloc((size_t)n, sizeof(*lat));
	if (lat == NULL)
		return 1;
	if (ct_client_open(config, &c, &ei) != 0) {
		fprintf(stderr, "logon-bench: %s\n", ei.msg);
		return 1;
	}
	for (i = 0; i < n; i++) {
		memset(&res, 0, sizeof(res));
		t0 = now_ms();
		r = ct_client_logon(c, user, pin, pw->pw_uid, pw->pw_gid, &res, &ei);
		lat[i] = now_ms() - t0;
		if (r != 0 || !res.full_tgt) {
			failed++;
			fprintf(stderr, "logon-bench: run %d: %s\n", i, r != 0 ? ei.msg : res.tgt_note);
		}
		sum += lat[i];
	}
	ct_client_close(c);
	ct_zap(pin, sizeof(pin));
	qsort(lat, (size_t)n, sizeof(*lat), cmp_double);
	printf("%s_runs=%d\n%s_failed=%d\n", label, n, label, failed);
	printf("%s_pin_to_tgt_ms_mean=%.1f\n%s_pin_to_tgt_ms_p50=%.1f\n"
	       "%s_pin_to_tgt_ms_p95=%.1f\n%s_pin_to_tgt_ms_max=%.1f\n",
	       label, sum / n, label, pct(lat, n, 0.5), label, pct(lat, n, 0.95), label,
	       lat[n - 1]);
	free(lat);
	return failed != 0;
}
