/*
 * cases/cases.h - invoice cases (invoice-case-integrations.md): a
 * supplier invoice comes in, is approved or rejected, can be exported,
 * and is then posted to three systems, each of which can be rolled back
 * exactly: inventory (stock and unit cost, through the inventory
 * domain's one stock-change path), payables (vendor bills and balances)
 * and the ledger (balanced journal entries). Sits above inventory/,
 * whose stock path it uses; owns every other table it touches.
 *
 * Money and quantities are fixed point at scale 4 (core/decimal.c);
 * invoice amounts are whole cents.
 */
#ifndef MIHWAR_CASES_H
#define MIHWAR_CASES_H

#include "inventory/inventory.h"

#define CASE_MAX_LINES		500
#define CASE_ID_PREFIX		"case-"
#define CASE_PUBLIC_ID_LEN	64

/* A case as read from the database; strings are borrowed from rows. */
struct case_line {
	int		 line_no;	/* 1-based, in the invoice's order */
	const char	*sku, *description;
	int64_t		 quantity, unit_price, line_total;
};
struct invoice_case {
	long long	 rowid;
	const char	*id, *status, *invoice_number, *invoice_date;
	const char	*vendor_name, *vendor_ref;	/* vendor_ref or NULL */
	const char	*currency, *created_by, *created_at;
	const char	*decided_by, *decided_at, *decision_note; /* or NULL */
	int64_t		 subtotal, tax, total;
	size_t		 nlines;
	struct case_line *lines;
	struct db_rows	*rows, *line_rows;
};

/* The three systems, in the order automatic integration runs them. */
enum case_system { CASE_SYS_INVENTORY, CASE_SYS_AP, CASE_SYS_ACCOUNTING,
	CASE_SYS__MAX };

/* cases.c: cases, their decisions, settings and audit log */
struct new_line {
	const char	*sku, *description;
	int64_t		 quantity, unit_price, line_total;
};
struct new_case {
	const char	*number, *date, *vendor, *vendor_ref, *currency;
	int64_t		 subtotal, tax, total;
	struct new_line	*lines;
	size_t		 nlines;
};
int		 cases_read(struct req *, struct json_object *,
		    struct new_case *);
extern const struct db_stmts	cases_stmts;
void		 cases_create(struct req *);
void		 cases_list(struct req *);
void		 cases_get(struct req *);
void		 cases_approve(struct req *);
void		 cases_reject(struct req *);
void		 cases_settings_get(struct req *);
void		 cases_settings_put(struct req *);
enum db_code	 cases_load(struct db *, long long, const char *, int,
		    struct invoice_case *);
void		 cases_release(struct invoice_case *);
enum db_code	 cases_audit(struct db *, long long, long long, const char *,
		    const char *, const char *, const char *);
enum db_code	 cases_set_status(struct db *, long long, const char *);
enum db_code	 cases_decide(struct db *, long long, const char *,
		    const char *, const char *, const char *,
		    struct json_object **);
int		 cases_may_integrate(const char *);
int		 cases_date_valid(const char *);
int		 cases_line_amount(int64_t, int64_t, int64_t *);
struct case_settings {
	int		 auto_enabled;
	int		 auto_systems[CASE_SYS__MAX];	/* run order; -1 ends */
	int		 rollback_on_failure;		/* else stop */
	char		 account_inventory[33], account_tax[33],
			 account_payable[33];		/* "" when unset */
};
enum db_code	 cases_settings_load(struct db *, long long,
		    struct case_settings *);

/* A system's integration or rollback of one case, inside the caller's
 * transaction. The step fills result (the answer body's fields) on
 * success; on a refusal it sets code (SKU_MAPPING_NOT_FOUND, ...),
 * message and, for inventory, errors (one string per line). */
struct case_step {
	struct db		*db;
	long long		 org_id;
	const struct invoice_case *c;
	const char		*actor;
	struct json_object	*result;	/* object, owned by the caller */
	struct json_object	*errors;	/* array, owned by the caller */
	const char		*code;		/* static, on CASE_REFUSED */
	char			 message[256];
};
enum case_res {
	CASE_DONE,		/* integrated / rolled back */
	CASE_NOTHING,		/* rollback: the system holds nothing */
	CASE_REFUSED,		/* a permanent error: code says which */
	CASE_TRANSIENT		/* the database failed: try again later */
};
typedef enum case_res	(*case_step_fn)(struct case_step *);

/* stock.c: the inventory system and SKU aliases */
extern const struct db_stmts	stock_stmts;
enum case_res	 stock_integrate(struct case_step *);
enum case_res	 stock_rollback(struct case_step *);
void		 aliases_list(struct req *);
void		 aliases_create(struct req *);
void		 aliases_delete(struct req *);

/* payables.c: vendors and bills */
extern const struct db_stmts	payables_stmts;
enum case_res	 payables_integrate(struct case_step *);
enum case_res	 payables_rollback(struct case_step *);
void		 vendors_list(struct req *);
void		 vendors_get(struct req *);
/* Views for the case page and the console: every bill of a case, void
 * ones too, newest first, with its vendor; strings borrowed from rows,
 * created_at and voided_at as SQL DATETIME text (voided_at NULL while
 * the bill is live). */
struct case_bill {
	const char	*id, *vendor_id, *vendor_name, *status, *due_date,
			*created_at, *voided_at;
	int64_t		 amount;
};
struct case_bills {
	struct case_bill	*v;
	size_t			 n;
	struct db_rows		*rows;
};
enum db_code	 payables_case_bills(struct db *, long long, long long,
		    struct case_bills *);
void		 payables_case_bills_cleanup(struct case_bills *);

/* ledger.c: the chart of accounts, journal entries, trial balance */
extern const struct db_stmts	ledger_stmts;
enum case_res	 ledger_integrate(struct case_step *);
enum case_res	 ledger_rollback(struct case_step *);
void		 ledger_entries_list(struct req *);
void		 ledger_trial_balance(struct req *);
enum db_code	 ledger_seed_accounts(struct db *, long long);
/* A journal entry with its lines, strings borrowed from rows: case_id
 * is the case's public id, reverses_id the public id of the entry a
 * reversal undoes (else NULL), reversed_at set once an entry is
 * reversed. */
struct case_entry_line {
	const char	*account_code, *account_name;
	int64_t		 debit, credit;
};
struct case_entry {
	const char	*id, *reverses_id, *entry_date, *memo, *created_at;
	const char	*case_id, *currency, *reversed_at;
	long long	 rowid;
	int64_t		 total_debits, total_credits;
	size_t		 nlines;
	struct case_entry_line *lines;
};
struct case_entries {
	struct case_entry	*v;
	size_t			 n;
	struct case_entry_line	*lines;
	struct db_rows		*rows;
};
enum db_code	 ledger_case_entries(struct db *, long long, long long,
		    struct case_entries *);
void		 ledger_case_entries_cleanup(struct case_entries *);

/* integrate.c: the integration endpoints, rollback and auto-integration */
extern const struct db_stmts	integrate_stmts;
const char	*integrate_system_name(enum case_system);
int		 integrate_system_parse(const char *, enum case_system *);
void		 integrate_post(struct req *);
void		 integrate_rollback(struct req *);
int		 integrate_auto_job(struct db *, const struct conf *);
struct json_object *integrate_states_json(struct db *, long long);
/* What integrating or rolling back answers: a status, a body when the
 * contract has one (else code and message for an error body), and
 * keep when the writes are the record of a refusal, to be committed
 * although the status is an error (req_keep). */
struct case_outcome {
	int			 status;
	struct json_object	*body;		/* owned; NULL: an error */
	const char		*code;
	char			 message[256];
	int			 keep;
};
void		 integrate_case(struct db *, long long, const char *,
		    enum case_system, const char *, struct case_outcome *);
void		 integrate_rollback_case(struct db *, long long, const char *,
		    const int [CASE_SYS__MAX], const char *,
		    struct case_outcome *);
/* A system's state on a case, for the console. */
struct case_system_state {
	const char	*system, *state, *error_code, *integrated_at,
			*integrated_by, *rolled_back_at, *rolled_back_by;
};
struct case_system_states {
	struct case_system_state	 v[CASE_SYS__MAX];
	size_t				 n;
	struct db_rows			*rows;
};
enum db_code	 integrate_states(struct db *, long long,
		    struct case_system_states *);
void		 integrate_states_cleanup(struct case_system_states *);

/* export.c: exports behind capability URLs, and artifacts */
extern const struct db_stmts	export_stmts;
void		 export_create(struct req *);
void		 export_download(struct req *);
void		 artifacts_upload(struct req *);
void		 artifacts_list_json(struct db *, long long, long long,
		    struct json_object *);
/* Pure pieces, for the unit tests and fuzz targets: the CSV export of a
 * case (header and one row; no line items), an export link's name
 * ("export-<64 hex>.csv", "artifact-<64 hex>.png") split, and whether a
 * name can name an artifact file. */
int		 export_csv(const struct invoice_case *, struct buf *);
struct export_name {
	int	 artifact;	/* artifact-…, else export-… */
	char	 token[65];	/* 64 lowercase hex digits */
	char	 ext[8];	/* json, csv, pdf, png, jpg, … */
};
int		 export_name_parse(const char *, struct export_name *);
int		 artifact_filename_ok(const char *);

/* views.c: what the console reads of cases (strings borrowed from rows) */
extern const struct db_stmts	views_stmts;
#define CASES_WAITING_MAX	200	/* pending cases one list holds */
struct case_waiting {
	const char	*id, *invoice_number, *invoice_date, *vendor_name,
			*vendor_ref, *currency, *created_by, *created_at;
	int64_t		 subtotal, tax, total;
	size_t		 nlines;
	struct case_line *lines;	/* into cases_waiting.lines */
};
struct cases_waiting {
	struct case_waiting	*v;
	size_t			 n;
	struct case_line	*lines;
	size_t			 nlines;
	struct db_rows		*rows;
};
enum db_code	 cases_waiting_list(struct db *, long long,
		    struct cases_waiting *);
void		 cases_waiting_cleanup(struct cases_waiting *);
struct case_decided {
	const char	*id, *invoice_number, *vendor_name, *currency, *status,
			*decided_by, *decided_at, *note;
	int64_t		 total;
};
struct cases_decided {
	struct case_decided	*v;
	size_t			 n;
	struct db_rows		*rows;
};
enum db_code	 cases_decided_list(struct db *, long long,
		    struct cases_decided *);
void		 cases_decided_cleanup(struct cases_decided *);
struct case_audit_entry {
	const char	*actor, *action, *result, *detail, *at;
};
struct case_artifact {
	const char	*id, *filename, *content_type, *created_by,
			*created_at;
	long long	 size_bytes;
};
struct case_view {
	struct invoice_case	 c;
	struct case_audit_entry	*audit;
	size_t			 naudit;
	struct case_artifact	*artifacts;
	size_t			 nartifacts;
	struct db_rows		*audit_rows, *artifact_rows;
};
enum db_code	 case_view(struct db *, long long, const char *,
		    struct case_view *);
void		 case_view_cleanup(struct case_view *);

#endif /* MIHWAR_CASES_H */
