/*
 * stockview.c - the console's inventory views and drafts from the
 * forecast's suggestions (to be written; stubs until then).
 */
#include <string.h>

#include <json-c/json.h>

#include "inventory/inventory.h"

const struct db_stmts stockview_stmts = { "stockview", NULL, 0, NULL, 0 };

enum db_code
stockview_list(struct db *db, long long org, const struct stock_filter *f,
    struct stock_rows *out)
{
	(void)db, (void)org, (void)f;
	memset(out, 0, sizeof(*out));
	return DB_OK;
}

void stockview_list_cleanup(struct stock_rows *r) { (void)r; }
int stockview_cursor_valid(const char *c) { (void)c; return 0; }

enum db_code
stockview_item(struct db *db, long long org, const char *id,
    struct stock_item_view *v)
{
	(void)db, (void)org, (void)id;
	memset(v, 0, sizeof(*v));
	return DB_NOTFOUND;
}

void stockview_item_cleanup(struct stock_item_view *v) { (void)v; }

enum db_code
stockview_reorder(struct db *db, long long org, const struct reorder_line *l,
    size_t n, const char *actor, struct json_object **ids)
{
	(void)db, (void)org, (void)l, (void)n, (void)actor;
	*ids = NULL;
	return DB_ERROR;
}

void orders_from_suggestions(struct req *r) { req_resp_error(r, 501, NULL, "not yet"); }
