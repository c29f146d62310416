/*
 * demo.c - the first-run demo organization of `make run`: an admin
 * console user, an integration key and a few inventory items, printed
 * once (nothing secret is stored in the clear).
 */
#include <stdio.h>

#include <sodium.h>

#include "mihwar.h"

enum demo_sql_id {
	SQL_DEMO_ITEM, DEMO_SQL__MAX
};

static const char *const demo_sql[DEMO_SQL__MAX] = {
	[SQL_DEMO_ITEM] =
	    "INSERT INTO inventory_items (public_id, org_id, sku, name, unit,"
	    " category, stock_on_hand, low_stock_threshold, unit_cost,"
	    " lead_time_days) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
};

const struct db_stmts demo_stmts = {
	"demo", demo_sql, DEMO_SQL__MAX, NULL, 0
};

static const struct {
	const char	*sku, *name, *unit, *category, *stock, *low, *cost;
	long long	 lead;
} demo_items[] = {
	{ "COF-1KG", "Arabica Coffee Beans 1 kg", "bag", "Coffee", "24",
	    "10", "18.5000", 5 },
	{ "MILK-1L", "Whole Milk 1 L", "bottle", "Dairy", "40", "15",
	    "1.1000", 2 },
	{ "CUP-12OZ", "Paper Cup 12 oz", "sleeve", "Packaging", "8", "10",
	    "4.2500", 10 },
};

static int
demo_rows(struct db *db, long long org_id, const char *email,
    const char *pw, char *tok, size_t toksz, char key_id[37])
{
	struct user_new	 u = { org_id, email, NULL, email, pw, "admin", 0 };
	char		 pid[37];
	size_t		 i;

	if (users_create(db, &u, pid) != DB_OK ||
	    !keys_create(db, org_id, KEY_INTEGRATION, 0, "demo", tok, toksz,
	    key_id))
		return 0;
	for (i = 0; i < sizeof(demo_items) / sizeof(demo_items[0]); i++) {
		crypto_uuid7(pid);
		if (db_exec(db, demo_sql[SQL_DEMO_ITEM], DB_PARAMS(DB_STR(pid),
		    DB_INT(org_id), DB_STR(demo_items[i].sku),
		    DB_STR(demo_items[i].name), DB_STR(demo_items[i].unit),
		    DB_STR(demo_items[i].category), DB_STR(demo_items[i].stock),
		    DB_STR(demo_items[i].low), DB_STR(demo_items[i].cost),
		    DB_INT(demo_items[i].lead))) != DB_OK ||
		    locations_seed_stock(db, org_id, db_insert_id(db),
		    demo_items[i].stock) != DB_OK)
			return 0;
	}
	return 1;
}

/*
 * Create the demo organization unless it exists, all in one transaction,
 * and print how to use it to out. 1 on success (or when it existed).
 */
int
demo_create(struct db *db, const char *base_url, FILE *out)
{
	static const char	 email[] = "admin@demo.example";
	char			 pw[21], tok[128], key_id[37], org_pid[37];
	long long		 org_id;
	int			 ok = 0;

	if (orgs_find(db, "demo", &org_id) == DB_OK) {
		fprintf(out, "Demo organization exists (its key and password "
		    "were shown on first run).\nNew key: build/mihwarctl key "
		    "create --org demo --kind integration\n");
		return 1;
	}
	crypto_random_token(pw, sizeof(pw));
	if (db_begin(db) != DB_OK)
		return 0;
	if (orgs_create(db, "demo", "Demo Café", &org_id, org_pid) == DB_OK &&
	    demo_rows(db, org_id, email, pw, tok, sizeof(tok), key_id) &&
	    db_commit(db) == DB_OK)
		ok = 1;
	else {
		db_rollback(db);
		fprintf(stderr, "demo: %s\n", db_errstr(db));
	}
	if (ok)
		fprintf(out,
		    "Mihwar is serving at %s\n"
		    "Demo organization 'demo' (shown once, keep it):\n"
		    "  console user:    %s  password: %s\n"
		    "  integration key: %s\n"
		    "Try:\n"
		    "  curl -s -H 'Authorization: Bearer %s' %s/api/integrations"
		    "/v1/whoami\n", base_url, email, pw, tok, tok, base_url);
	sodium_memzero(pw, sizeof(pw));
	sodium_memzero(tok, sizeof(tok));
	return ok;
}
