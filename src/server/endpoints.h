/* SPDX-License-Identifier: Apache-2.0 */
/* The protocol endpoints and the route table of cloudtrustd. */
#ifndef CT_ENDPOINTS_H
#define CT_ENDPOINTS_H

#include <stddef.h>

#include "http.h"

int ct_ep_token(void *app, struct ct_http_request *req, struct ct_http_response *resp);
int ct_ep_join(void *app, struct ct_http_request *req, struct ct_http_response *resp);
int ct_ep_key(void *app, struct ct_http_request *req, struct ct_http_response *resp);
int ct_ep_discovery(void *app, struct ct_http_request *req, struct ct_http_response *resp);
int ct_ep_policy(void *app, struct ct_http_request *req, struct ct_http_response *resp);
int ct_ep_leave(void *app, struct ct_http_request *req, struct ct_http_response *resp);
int ct_ep_healthz(void *app, struct ct_http_request *req, struct ct_http_response *resp);

extern const struct ct_http_route ct_admin_routes[];
extern const size_t ct_admin_nroutes;

/*
 * Fills out with every route of the service (protocol, admin, health);
 * returns the count, or 0 if max is too small.
 */
size_t ct_service_routes(struct ct_http_route *out, size_t max);

#endif
