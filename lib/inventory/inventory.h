/*
 * inventory/inventory.h - the inventory domain: the catalog and its
 * stock, purchase orders, order-history ingestion, demand forecasting and
 * the predictions the worker regenerates. Owns its tables and
 * statements; other domains read it only through what is declared here.
 */
#ifndef MIHWAR_INVENTORY_H
#define MIHWAR_INVENTORY_H

#include "auth/auth.h"

/* ingestion.c: order-history ingestion */
extern const struct db_stmts	ingestion_stmts;
void		 ingestion_post(struct req *);

/* items.c: the inventory catalog and every change of stock */
extern const struct db_stmts	items_stmts;
struct stock_change {
	long long	 rowid;
	char		 item_id[37];
	char		 sku[129 * 4];
	char		 name[256 * 4];	/* 255 characters, whole */
	int64_t		 prev, next, threshold;	/* the item's total */
	int64_t		 loc_prev, loc_next;	/* at the location */
	int64_t		 reserved;		/* at the location */
	int		 has_threshold;
	int		 short_at_location;	/* below 0 or reserved there */
	const char	*source;
};
void		 items_create(struct req *);
void		 items_get(struct req *);
void		 items_list(struct req *);
void		 items_put_by_sku(struct req *);
void		 items_adjust(struct req *);
struct json_object *items_fetch_json(struct db *, long long, const char *,
		    enum db_code *);
enum db_code	 items_stock_change(struct db *, long long, const char *,
		    int64_t, const char *, const char *, const char *,
		    struct stock_change *);
enum db_code	 items_stock_change_at(struct db *, long long, const char *,
		    long long, int64_t, const char *, const char *,
		    const char *, struct stock_change *);
enum db_code	 items_stock_set_at(struct db *, long long, const char *,
		    long long, int64_t, int64_t, const char *, const char *,
		    const char *, struct stock_change *);

/* locations.c: where stock is kept; every organization has a default
 * location ("Main"); rowid 0 for a location means that one */
extern const struct db_stmts	locations_stmts;
struct location_ref {
	long long	 rowid;
	char		 id[37];
};
enum db_code	 locations_default(struct db *, long long,
		    struct location_ref *);
enum db_code	 locations_find(struct db *, long long, const char *,
		    struct location_ref *);
enum db_code	 locations_seed_stock(struct db *, long long, long long,
		    const char *);
/* GET/POST /api/v1/locations (issue 13) */
void		 locations_list(struct req *);
void		 locations_create(struct req *);
/* An item as another domain posts to it by SKU (invoice cases): its
 * ids, and the cost and archived flag a rollback restores. */
struct item_ref {
	long long	 rowid;
	char		 item_id[37];
	int64_t		 unit_cost;	/* when has_cost */
	int		 has_cost, archived;
};
enum db_code	 items_lock_by_sku(struct db *, long long, const char *,
		    struct item_ref *);
enum db_code	 items_create_minimal(struct db *, long long, const char *,
		    const char *, struct item_ref *);
enum db_code	 items_set_cost(struct db *, long long, const char *,
		    const int64_t *);
enum db_code	 items_set_archived(struct db *, long long, const char *, int);

/* catalog.c: the catalog a file at a time, for import/export (issue 13) */
extern const struct db_stmts	catalog_stmts;
typedef void	(*catalog_rows_fn)(void *, const struct db_rows *);
#define CATALOG_HAS_DESCRIPTION	0x01
#define CATALOG_HAS_CATEGORY	0x02
#define CATALOG_HAS_SUBCATEGORY	0x04
#define CATALOG_HAS_RARITY	0x08
#define CATALOG_HAS_METADATA	0x10
struct catalog_item {
	const char	*id;		/* public id */
	const char	*name, *description, *category, *subcategory,
			*rarity;
	const char	*metadata;	/* JSON text */
	unsigned	 has;		/* update: CATALOG_HAS_* to set */
};
enum db_code	 catalog_items_by_id(struct db *, long long,
		    const char *const *, size_t, catalog_rows_fn, void *);
enum db_code	 catalog_items_by_name(struct db *, long long,
		    const char *const *, size_t, catalog_rows_fn, void *);
enum db_code	 catalog_stock_of(struct db *, long long, const long long *,
		    size_t, catalog_rows_fn, void *);
enum db_code	 catalog_items_insert(struct db *, long long,
		    const struct catalog_item *, size_t);
enum db_code	 catalog_item_update(struct db *, long long, long long,
		    const struct catalog_item *);
enum db_code	 catalog_items_page(struct db *, long long, const char *,
		    long long, long long, struct db_rows **);
enum db_code	 catalog_stock_page(struct db *, long long, long long,
		    long long, long long, struct db_rows **);
enum db_code	 catalog_locations(struct db *, long long, struct db_rows **);

/* forecast.c: demand forecasting */
enum forecast_method {
	FC_NAIVE_MEAN, FC_CROSTON_SBA, FC_HOLT, FC_HOLT_WINTERS
};
struct forecast {
	enum forecast_method	 method;
	size_t			 horizon;
	double			*mean;	/* horizon values, caller-allocated */
	double			*lower;	/* mean - 1.96 sigma sqrt(h), >= 0 */
	double			*upper;	/* mean + 1.96 sigma sqrt(h) */
	double			 sigma;	/* one-step residual std dev */
};
int		 forecast_series(const double *, size_t, size_t, size_t,
		    struct forecast *);
const char	*forecast_method_name(enum forecast_method);
double		 forecast_reorder_qty(const struct forecast *, double, double,
		    double);
double		 forecast_mase(const double *, size_t, const double *,
		    const double *, size_t);

/* predict.c: predictions, and their regeneration by the worker */
extern const struct db_stmts	predict_stmts;
void		 predictions_list(struct req *);
int		 predict_job(struct db *, const struct conf *);

/* orders.c: purchase orders */
extern const struct db_stmts	orders_stmts;
/* ORDER_STOCK_RANGE: receiving would put a line's item past the
 * largest stock, DECIMAL_SQL_MAX. */
enum order_move { ORDER_MOVED, ORDER_NOT_FOUND, ORDER_BAD_MOVE,
	ORDER_STOCK_RANGE, ORDER_DB_ERROR };
void		 orders_create(struct req *);
void		 orders_get(struct req *);
void		 orders_list(struct req *);
void		 orders_set_status(struct req *);
struct json_object *orders_fetch_json(struct db *, long long, const char *,
		    enum db_code *);
enum order_move	 orders_transition(struct db *, long long, const char *,
		    const char *, const char *, const char *, char [16]);
/* A line of a new order: an item of the organization (row id), its
 * quantity and its unit cost when has_cost. */
struct order_new_line {
	long long	 item;
	int64_t		 qty, cost;
	int		 has_cost;
};
enum db_code	 orders_draft_write(struct db *, long long, const char *,
		    const char *, const char *, const struct order_new_line *,
		    size_t, char [37]);
enum order_fit { ORDER_FITS, ORDER_LINE_TOO_LARGE, ORDER_TOTAL_TOO_LARGE };
enum order_fit	 orders_amounts_fit(const struct order_new_line *, size_t,
		    size_t *);
/* Views for the console; strings are borrowed from the list. */
struct order_waiting_line {
	const char	*sku, *name;
	int64_t		 quantity;	/* scale 4, as all amounts here */
	int64_t		 unit_cost;	/* when has_cost */
	int64_t		 amount;	/* quantity * unit_cost; has_amount */
	int		 has_cost, has_amount;
};
struct order_waiting {
	const char	*id, *vendor, *reference, *notes, *created_at;
	const char	*submitted_by, *submitted_at;	/* or NULL */
	size_t		 nlines;
	const struct order_waiting_line *lines;		/* nlines of them */
	int64_t		 total;		/* when has_total */
	int		 has_total;	/* 0: no unit cost, or too large */
};
struct orders_waiting {
	struct order_waiting		*v;
	size_t				 n;
	struct order_waiting_line	*lines;		/* all orders' */
	size_t				 nlines;
	struct db_rows			*rows;
};
enum db_code	 orders_waiting_list(struct db *, long long,
		    struct orders_waiting *);
void		 orders_waiting_cleanup(struct orders_waiting *);
struct order_decision {
	const char	*order_id, *status, *actor, *note, *decided_at;
};
struct orders_decisions {
	struct order_decision	*v;
	size_t			 n;
	struct db_rows		*rows;
};
enum db_code	 orders_decisions_list(struct db *, long long,
		    struct orders_decisions *);
void		 orders_decisions_cleanup(struct orders_decisions *);

/*
 * stockview.c: what the console's inventory pages show (typed views;
 * strings borrowed from rows) and purchase-order drafts made from the
 * forecast's suggestions. Amounts at scale 4.
 */
extern const struct db_stmts	stockview_stmts;
enum stock_sort { STOCK_BY_COVER, STOCK_BY_NAME };
struct stock_filter {
	int		 low_only;	/* at or below the threshold */
	int		 out_only;	/* nothing on hand */
	const char	*search;	/* SKU or name contains; NULL: any */
	const char	*category;	/* exact; NULL: any */
	const char	*cursor;	/* from the previous page; NULL: first */
	long long	 limit;		/* 1..200 */
};
struct stock_row {
	const char	*id, *sku, *name, *category, *unit;
	const char	*supplier;	/* the vendor it was last ordered from */
	int64_t		 stock, threshold, suggestion, daily_rate;
	int		 has_threshold, has_suggestion, has_rate;
	int64_t		 cover_days;	/* stock / daily_rate, scale 4 */
	int		 has_cover;	/* 0: no forecast, or no demand */
	int		 low, out;	/* low: at or below the threshold */
};
struct stock_rows {
	struct stock_row	*v;
	size_t			 n;
	char			 next_cursor[128];	/* "" at the end */
	struct db_rows		*rows;
};
enum db_code	 stockview_list(struct db *, long long,
		    const struct stock_filter *, struct stock_rows *);
void		 stockview_list_cleanup(struct stock_rows *);
int		 stockview_cursor_valid(const char *);
/* A cursor's sort key; only stockview.c needs it, declared so the unit
 * tests reach it. */
struct stock_cursor {
	int		 nocover;	/* the row has no days of cover */
	int64_t		 cover;		/* its days of cover; 0 without */
	long long	 id;		/* its row id */
	char		 name[77];	/* its name's first 19 characters */
};
int		 stockview_cursor_encode(const struct stock_cursor *,
		    char [128]);
int		 stockview_cursor_decode(const char *, struct stock_cursor *);
/* One item: its history and the numbers its chart draws. */
struct stock_move {
	const char	*at, *source, *reason, *actor;
	int64_t		 delta, after;
};
struct stock_point {
	const char	*start, *end;	/* YYYY-MM-DD */
	int64_t		 qty, lo, hi;	/* demand, or forecast and bounds */
};
struct stock_item_view {
	struct stock_row	 item;
	const char		*period_kind;	/* DAY, WEEK, MONTH; NULL */
	const char		*method;	/* the forecast's, or NULL */
	struct stock_move	*moves;		/* newest first, at most 100 */
	size_t			 nmoves;
	struct stock_point	*demand;	/* past periods, oldest first */
	size_t			 ndemand;
	struct stock_point	*forecast;	/* future periods */
	size_t			 nforecast;
	struct db_rows		*rows[4];
};
enum db_code	 stockview_item(struct db *, long long, const char *,
		    struct stock_item_view *);
void		 stockview_item_cleanup(struct stock_item_view *);
/* Drafts from suggestions: one DRAFT purchase order per supplier (items
 * without one share a draft without a vendor), written with their
 * order.created events in the caller's transaction. qty 0 in a line
 * takes the item's suggestion. The drafts' ids into ids (caller frees
 * the json array). DB_NOTFOUND: an item is not this organization's;
 * DB_CONSTRAINT: nothing to order (no quantity above 0). */
struct reorder_line {
	const char	*item_id;
	int64_t		 qty;		/* 0: the suggestion */
};
enum db_code	 stockview_reorder(struct db *, long long,
		    const struct reorder_line *, size_t, const char *,
		    struct json_object **, int *);
void		 orders_from_suggestions(struct req *);

#endif /* MIHWAR_INVENTORY_H */
