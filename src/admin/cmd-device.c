/* SPDX-License-Identifier: Apache-2.0 */
/* device list, show, disable, enable, remove. */
#include "adm-api.h"

/* MS-DVRJ join types. */
static void cell_join_type(const json_t *v, char *buf, size_t n)
{
	switch (json_is_integer(v) ? json_integer_value(v) : -1) {
	case 0: snprintf(buf, n, "joined"); break;
	case 4: snprintf(buf, n, "registered"); break;
	case 6: snprintf(buf, n, "hybrid"); break;
	default: adm_cell_auto(v, buf, n); break;
	}
}

/* The list shows the first DEVICE_LIST_COLS columns; a record shows them all. */
#define DEVICE_LIST_COLS 6
static const struct adm_column device_cols[] = {
	{"ID", "id", NULL},
	{"Display name", "display_name", NULL},
	{"Owner", "owner", NULL},
	{"Enabled", "enabled", NULL},
	{"Join type", "join_type", cell_join_type},
	{"Last seen", "last_seen", adm_cell_time},
	{"OS version", "os_version", NULL},
	{"Thumbprint", "thumbprint", NULL},
	{"Created", "created", adm_cell_time},
};
static const struct adm_view device_view = ADM_VIEW(NULL, device_cols);
static const struct adm_view device_list_view = {"devices", device_cols, DEVICE_LIST_COLS};

static const struct adm_opt remove_opts[] = {{"yes", NULL}, {NULL, NULL}};

const struct adm_command adm_cmds_device[] = {
	{"device list", 0, NULL, "", "list the joined devices",
	 ADM_SIMPLE("GET", "/admin/v1/devices", NULL, 0, &device_list_view)},
	{"device show", 1, NULL, "ID", "show a device",
	 ADM_SIMPLE("GET", "/admin/v1/devices/%s", NULL, 0, &device_view)},
	{"device disable", 1, NULL, "ID", "disable a device: its sign-ins stop at once",
	 ADM_SIMPLE("POST", "/admin/v1/devices/%s/disable", NULL, 0, &device_view)},
	{"device enable", 1, NULL, "ID", "enable a device again",
	 ADM_SIMPLE("POST", "/admin/v1/devices/%s/enable", NULL, 0, &device_view)},
	{"device remove", 1, remove_opts, "ID [--yes]",
	 "remove a device and its Hello keys (asks first unless --yes)",
	 ADM_REMOVE("/admin/v1/devices/%s", "device", " and its Hello keys")},
	{NULL, 0, NULL, NULL, NULL, NULL, NULL},
};
