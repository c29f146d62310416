/*
 * fuzz_cases.c - a new invoice case as POST /api/cases reads it, without
 * a database: the body through req_json_body, then cases_read. Either
 * it is refused with 400 or 422 and a JSON error body, or every rule of
 * the invoice holds: a valid calendar date, whole cents, quantities
 * above 0, each line's total its quantity x unit price to the cent,
 * lines summing to the subtotal, subtotal + tax the total.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "mihwar.h"
#include "fuzz.h"

static void
check_refused(struct req *r)
{
	struct json_object	*o;
	char			 err[160];

	if ((r->out.status != 400 && r->out.status != 422) ||
	    r->out.body.len == 0)
		abort();
	if ((o = json_parse_body(r->out.body.data, r->out.body.len, err,
	    sizeof(err))) == NULL)
		abort();
	json_object_put(o);
}

static void
check_accepted(const struct req *r, const struct new_case *nc)
{
	int64_t	 sum = 0, want;
	size_t	 i;

	if (r->out.status != 0 || nc->nlines == 0 ||
	    nc->nlines > CASE_MAX_LINES || !cases_date_valid(nc->date) ||
	    nc->number == NULL || nc->vendor == NULL)
		abort();
	if (!decimal_cents(nc->subtotal) || !decimal_cents(nc->tax) ||
	    !decimal_cents(nc->total) || nc->subtotal + nc->tax != nc->total)
		abort();
	for (i = 0; i < nc->nlines; i++) {
		if (nc->lines[i].quantity <= 0 || nc->lines[i].sku == NULL ||
		    !cases_line_amount(nc->lines[i].quantity,
		    nc->lines[i].unit_price, &want) ||
		    want != nc->lines[i].line_total)
			abort();
		sum += nc->lines[i].line_total;
	}
	if (sum != nc->subtotal)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object	*b;
	struct new_case		 nc;
	struct req		 r;

	req_init(&r, NULL, NULL);
	memcpy(r.id, "fuzz-request-id", sizeof("fuzz-request-id"));
	r.family = family_get(FAM_CASES);
	memset(&nc, 0, sizeof(nc));
	if (!buf_append(&r.in.body, data, size))
		goto out;
	if ((b = req_json_body(&r)) == NULL) {
		check_refused(&r);
		goto out;
	}
	if (cases_read(&r, b, &nc))
		check_accepted(&r, &nc);
	else
		check_refused(&r);
	free(nc.lines);
	json_object_put(b);
out:
	req_cleanup(&r);
	return 0;
}
