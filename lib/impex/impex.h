/*
 * impex/impex.h - integrations (outgoing and incoming webhooks, stored
 * API credentials, their tests and logs), blueprints and crafting, and
 * CSV/JSON import/export of the catalog (integrations-and-import-
 * export.md, issue 13). Owns integrations, integration_logs,
 * integration_receipts, blueprints and blueprint_ingredients; changes
 * stock only through inventory/inventory.h.
 */
#ifndef MIHWAR_IMPEX_H
#define MIHWAR_IMPEX_H

#include "inventory/inventory.h"

/* --- integrations.c, creds.c: the integrations and their secrets ---- */
enum integ_type { INTEG_WEBHOOK, INTEG_API };
enum integ_status { INTEG_ACTIVE, INTEG_INACTIVE, INTEG_ERROR };
struct integ {
	long long		 rowid, org_id;
	char			 id[37];
	char			 name[256 * 4];
	enum integ_type		 type;
	enum integ_status	 status;
	char			*webhook_url;	/* NULL for api ones */
	struct json_object	*config;	/* config_data, an object */
	char			 signing_secret[64];	/* "whsec_…", opened */
};
/* Integration public_id of org (org 0: of any organization, for the
 * incoming endpoint, which has no key); DB_NOTFOUND. Free with
 * integ_free. */
enum db_code	 integ_load(struct db *, long long, const char *,
		    struct integ *);
void		 integ_free(struct integ *);
/* One line of an integration's log. */
struct integ_log_entry {
	const char		*direction;	/* "outgoing", "incoming" */
	const char		*kind;	/* test, delivery, received, api_call */
	const char		*status;	/* e.g. success, failed, rejected */
	int			 http_status;	/* 0: none */
	long			 duration_ms;	/* -1: none */
	const char		*error;		/* NULL: none */
	const char		*headers;	/* NULL: none */
	const unsigned char	*body;		/* NULL: none; first 64 KiB kept */
	size_t			 body_len;
	char			 id[37];	/* out: the log line's id */
};
enum db_code	 integ_log_write(struct db *, const struct integ *,
		    struct integ_log_entry *);

/* The rest of integrations.c and creds.c: the API's and the console's
 * side. What a create or change asks for; NULL: not given (a change
 * keeps the stored value; so does an empty api_key / api_secret). */
struct integ_in {
	const char	*name, *type, *status, *webhook_url;
	const char	*api_key, *api_secret;
	const char	*config;	/* config_data as JSON text */
	int		 clear_credentials;
};
extern const struct db_stmts	integ_stmts;
/* The columns of integ_page's rows. */
enum integ_col {
	IC_ID, IC_NAME, IC_TYPE, IC_STATUS, IC_URL, IC_HAS_KEY, IC_HAS_SECRET,
	IC_CONFIG, IC_TESTED, IC_ERROR, IC_CREATED, IC_UPDATED, IC_ROWID
};
const char	*integ_type_name(enum integ_type);
const char	*integ_status_name(enum integ_status);
int		 integ_write(struct db *, const struct conf *, long long,
		    const char *, const struct integ_in *, const char *,
		    char [37], char [64], char *, size_t);
int		 integ_remove(struct db *, long long, const char *);
struct json_object *integ_fetch_json(struct db *, const struct conf *,
		    long long, const char *, enum db_code *);
enum db_code	 integ_page(struct db *, long long, long long, long long,
		    const char *, const char *, struct db_rows **);
void		 integ_incoming_url(const struct conf *, const char *, char *,
		    size_t);
int		 integ_open_creds(struct db *, const struct integ *, char **,
		    char **);
enum db_code	 integ_tested(struct db *, const struct integ *, int,
		    const char *);
enum db_code	 integ_log_page(struct db *, const struct integ *, long long,
		    long long, struct db_rows **);
/* integ_test_run: one connection test, logged (integtest.c) */
struct integ_test_result {
	int		 success;
	char		 message[512];
	long		 status_code;	/* 0: no HTTP answer */
	long		 duration_ms;
};
int		 integ_test_run(struct db *, const struct conf *, long long,
		    const char *, struct integ_test_result *);
/* creds.c */
size_t		 integ_seal(long long, const char *, const char *,
		    const char *, size_t, unsigned char *);
char		*integ_open(long long, const char *, const char *,
		    const unsigned char *, size_t);
void		 integ_secret_free(char *);
void		 integ_new_signing_secret(char [64]);
int		 integ_sign(const char *, const char *, long long, const char *,
		    size_t, char [64]);
int		 integ_url_ok(const struct conf *, const char *, char *, size_t);
void		 integ_mask_url(const char *, char *, size_t);
/* the API's handlers */
void		 integ_api_create(struct req *);
void		 integ_api_list(struct req *);
void		 integ_api_get(struct req *);
void		 integ_api_update(struct req *);
void		 integ_api_delete(struct req *);
void		 integ_api_test(struct req *);
void		 integ_api_logs(struct req *);

/* --- receive.c: POST /api/v1/webhooks/receive/{id} ------------------ */
#define RECEIVE_MAX_BODY	ROUTE_MIB_BODY_BYTES	/* larger is 413 */
#define RECEIVE_TOLERANCE_S	300	/* webhook-timestamp, either way */
/* The signature headers of a request; NULL: absent. */
struct receive_sig {
	const char	*id, *timestamp, *signature;	/* Standard Webhooks */
	const char	*hub256;	/* GitHub's X-Hub-Signature-256 */
};
enum receive_verdict {
	RECEIVE_OK, RECEIVE_MISSING, RECEIVE_MALFORMED, RECEIVE_STALE,
	RECEIVE_MISMATCH
};
enum receive_verdict receive_verify(const struct receive_sig *,
		    const char *, const unsigned char *, size_t, long long,
		    char *, size_t);
extern const struct db_stmts	receive_stmts;
void		 receive_webhook(struct req *);

/* --- outgoing.c: events to webhook integrations (webhooks/deliver.c) - */
enum outgoing_format { OUTGOING_STANDARD, OUTGOING_DISCORD, OUTGOING_SLACK };
extern const struct db_stmts	outgoing_stmts;
enum outgoing_format outgoing_format_of_url(const char *);
enum outgoing_format outgoing_format_of(const struct integ *);
int		 outgoing_notify_parse(const char *, enum event_type *);
int		 outgoing_wants(struct json_object *, enum event_type);
char		*outgoing_line(const char *, const char *);
char		*outgoing_chat_body(enum outgoing_format, const char *,
		    const char *, struct json_object *);
enum db_code	 outgoing_fan_event(struct db *, const struct event *);
enum db_code	 outgoing_log_attempt(struct db *, const struct integ *,
		    const char *, const char *, const char *,
		    const struct httpout_res *);

/* --- blueprints.c: recipes, and crafting them ----------------------- */
extern const struct db_stmts	blueprints_stmts;
void		 blueprints_list(struct req *);
void		 blueprints_create(struct req *);
void		 blueprints_get(struct req *);
void		 blueprints_patch(struct req *);
void		 blueprints_delete(struct req *);
void		 blueprints_craft(struct req *);
struct bp_ingredient {
	long long	 item_rowid;	/* an item of the organization */
	int64_t		 quantity;	/* fixed point, > 0 */
	int		 optional;
};
struct blueprint_in {
	const char		*name, *description, *category; /* NULL: none */
	long long		 crafting_minutes;	/* >= 0 */
	long long		 output_item_rowid;
	int64_t			 output_quantity;	/* > 0 */
	int			 is_public;
	const struct bp_ingredient *ingredients;
	size_t			 ningredients;
};
/* Insert blueprint in for org with public id id (the caller's, or made
 * when id[0] is '\0'), inside the caller's transaction; DB_CONSTRAINT
 * when the id is taken (by any organization), DB_NOTFOUND when the
 * output item or an ingredient is not an item of org. */
enum db_code	 blueprints_insert(struct db *, long long,
		    const struct blueprint_in *, char id[37]);
/* Replace blueprint rowid of org with in (its ingredients too);
 * DB_NOTFOUND when it, its output item or an ingredient is not org's. */
enum db_code	 blueprints_update(struct db *, long long, long long,
		    const struct blueprint_in *);

/* --- import.c, export.c: CSV/JSON import and export ----------------- */
enum impex_kind { IMPEX_ITEMS, IMPEX_INVENTORY, IMPEX_BLUEPRINTS };
enum impex_format { IMPEX_CSV, IMPEX_JSON };
struct impex_error {
	long		 row_number;	/* spreadsheet row (header 1) or
					 * 1-based JSON index */
	char		 field[64];
	char		*message;
};
struct impex_result {
	int			 status;	/* 200; 400 or 413 when the file
						 * cannot be read at all */
	char			 detail[256];	/* why, when status != 200 */
	long			 imported, failed;
	struct impex_error	*errors;
	size_t			 nerrors, cap;
	long			 errors_left_off;	/* past IMPEX_MAX_ERRORS */
};
/* Import data (named filename, which with the content tells CSV from
 * JSON) into org inside the caller's transaction; dry_run validates and
 * writes nothing. 1 when r is filled (any status), 0 on a database
 * failure. */
int		 impex_import(struct db *, long long, enum impex_kind,
		    const char *, const unsigned char *, size_t, int, int,
		    const char *, struct impex_result *);
struct json_object *impex_result_json(const struct impex_result *);
void		 impex_result_free(struct impex_result *);
/* Write the export of org through sink, a piece at a time (sink answers
 * 0 to stop); category filters items (NULL: all). 1 on success. */
typedef int	 (*impex_sink)(void *, const char *, size_t);
int		 impex_export(struct db *, long long, enum impex_kind,
		    enum impex_format, const char *, impex_sink, void *);

/* --- D1: csv.c, import*.c, export.c: the parts of import/export ---- */
/* csv.c: CSV cells read with libcsv (strict), and written */
struct impex_csv_record {
	size_t		 first, ncells;	/* into cells[] */
	long		 row;		/* spreadsheet row, header = 1 */
};
struct impex_csv {
	char			*text;	/* every cell, NUL-terminated */
	size_t			 textlen, textcap;
	size_t			*cells;	/* offsets into text */
	size_t			 ncells, cellcap;
	struct impex_csv_record	*records;
	size_t			 nrecords, reccap;
};
enum impex_csv_res { IMPEX_CSV_OK, IMPEX_CSV_BAD, IMPEX_CSV_TOO_MANY,
	IMPEX_CSV_NOMEM };
enum impex_csv_res impex_csv_read(const char *, size_t, size_t,
		    struct impex_csv *, char *, size_t);
const char	*impex_csv_cell(const struct impex_csv *, size_t, size_t);
void		 impex_csv_free(struct impex_csv *);
int		 impex_csv_put(struct buf *, const char *);


/* import.c: a file read and checked row by row, without the database */
#define IMPEX_MAX_ROWS		50000	/* more: 413 */
#define IMPEX_MAX_ERRORS	1000	/* listed; the rest only counted */
#define IMPEX_MAX_INGREDIENTS	200
#define IMPEX_MAX_JSON_FIELD	(1 << 20)	/* metadata, blueprint_data */
/* The columns, in the contract's order (the index into import_columns). */
enum { IF_ID, IF_NAME, IF_DESCRIPTION, IF_CATEGORY, IF_SUBCATEGORY,
	IF_RARITY, IF_METADATA, IF__MAX };
enum { IS_ITEM, IS_LOCATION, IS_QTY, IS_RESERVED, IS__MAX };
enum { IB_ID, IB_NAME, IB_DESCRIPTION, IB_CATEGORY, IB_MINUTES, IB_OUTPUT,
	IB_OUTQTY, IB_PUBLIC, IB_DATA, IB__MAX };
struct import_ing {
	char		 item_id[37];
	int64_t		 quantity;
	int		 optional;
	long long	 item_rowid;		/* import_db.c */
};
/* One row, whichever kind (strings borrowed from the batch). */
struct import_row {
	long		 row;		/* row_number */
	int		 bad;		/* it has an error */
	unsigned	 has;		/* columns present (bits of IF_*) */
	char		 id[37];	/* id, or inventory's item_id; "" none */
	char		 ref[37];	/* location_id or output_item_id */
	const char	*name, *description, *category, *subcategory,
			*rarity;
	char		*metadata;	/* compact JSON text, owned */
	int64_t		 qty, reserved;	/* quantity / output_quantity */
	long long	 minutes;
	int		 is_public;
	struct import_ing *ings;	/* owned */
	size_t		 ning;
	/* import_db.c: what the row resolves to */
	long long	 rowid;		/* the row it updates; 0: a new one */
	long long	 ref_rowid;	/* the location or output item */
	long long	 item_rowid;	/* inventory: the item */
	long		 name_count;	/* others of the exact name */
	long long	 name_rowid;	/* the last of them */
};
struct import_batch {
	enum impex_kind		 kind;
	enum impex_format	 format;
	struct impex_csv	 csv;
	int			 col[16];	/* CSV column of each; -1 */
	struct json_object	*doc;		/* JSON: the array */
	size_t			 n;
	struct import_row	*rows;		/* n */
};
const char *const *import_columns(enum impex_kind);
const char	*impex_columns_line(enum impex_kind);
int		 import_uuid(const char *, char [37]);
int		 import_error(struct impex_result *, struct import_row *,
		    const char *, const char *, ...)
		    __attribute__((format(printf, 4, 5)));
int		 import_read(enum impex_kind, const char *,
		    const unsigned char *, size_t, struct import_batch *,
		    struct impex_result *);
void		 import_batch_free(struct import_batch *);
/* import_db.c */
extern const struct db_stmts	impex_import_stmts;
/* import_api.c, export.c: the routes */
extern const struct db_stmts	impex_export_stmts;
int		 impex_kind_parse(const char *, enum impex_kind *);
void		 impex_import_post(struct req *);
void		 impex_export_get(struct req *);
int		 impex_export_respond(struct req *, enum impex_kind,
		    enum impex_format, const char *, const char *);

#endif
