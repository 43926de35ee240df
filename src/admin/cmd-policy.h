/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CT_ADM_CMD_POLICY_H
#define CT_ADM_CMD_POLICY_H

/*
 * A policy node relative to ".../PassportForWork/{TenantId}/Policies/":
 * for a full name ("./Device/Vendor/MSFT/PassportForWork/<any tenant
 * segment>/Policies/UsePassportForWork", the leading "./" optional, case
 * ignored in the fixed parts) a pointer into node after "Policies/";
 * otherwise node itself.
 */
const char *adm_policy_node_relative(const char *node);

#endif
