/*
 * import_api.c - POST /api/v1/import-export/{items|inventory|blueprints}
 * /import: a multipart/form-data upload (file, update_existing, dry_run)
 * imported in the pipeline's transaction. 200 with {success,
 * imported_count, failed_count, errors} when the file could be read
 * (good rows written, bad rows reported); 400 or 413 naming why when it
 * cannot be read at all. A dry run answers the same and writes nothing.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "impex/impex.h"

/*
 * The flag field name of mp: absent or empty is false; true/false, 1/0,
 * on/off, yes/no in any case. 0 after answering 400 for anything else.
 */
static int
import_api_flag(struct req *r, const struct multipart *mp, const char *name,
    int *out)
{
	static const char *const yes[] = { "true", "1", "on", "yes", NULL };
	static const char *const no[] = { "false", "0", "off", "no", "", NULL };
	const struct mpart	*p = multipart_get(mp, name);
	char			 v[8];
	size_t			 i;

	*out = 0;
	if (p == NULL)
		return 1;
	if (p->len < sizeof(v)) {
		memcpy(v, p->data, p->len);
		v[p->len] = '\0';
		for (i = 0; yes[i] != NULL; i++)
			if (strcasecmp(v, yes[i]) == 0)
				return *out = 1;
		for (i = 0; no[i] != NULL; i++)
			if (strcasecmp(v, no[i]) == 0)
				return 1;
	}
	req_resp_error(r, 400, NULL, "%s: expected true or false", name);
	return 0;
}

/* Who imported, for the stock records: the key, or the console user. */
static const char *
import_api_actor(const struct req *r)
{
	if (r->principal.kind == PRINCIPAL_SESSION)
		return r->principal.user_public_id;
	return r->principal.key_public_id;
}

/* POST /api/v1/import-export/{kind}/import */
void
impex_import_post(struct req *r)
{
	struct multipart	 mp;
	struct impex_result	 res;
	const struct mpart	*file;
	const char		*why;
	enum impex_kind		 kind;
	int			 update, dry_run;

	if (!impex_kind_parse(r->args[0], &kind)) {
		req_resp_error(r, 404, NULL, "no import of %s: items, inventory "
		    "or blueprints", r->args[0]);
		return;
	}
	if (!multipart_is(req_header(r, "content-type"))) {
		req_resp_error(r, 415, NULL, "Content-Type: expected "
		    "multipart/form-data with the fields file, update_existing "
		    "and dry_run");
		return;
	}
	if (!multipart_parse(req_header(r, "content-type"), r->in.body.data ?
	    r->in.body.data : "", r->in.body.len, &mp, &why)) {
		req_resp_error(r, 400, NULL, "%s", why);
		return;
	}
	if ((file = multipart_get(&mp, "file")) == NULL) {
		req_resp_error(r, 400, NULL, "file: is required (a part named "
		    "file holding the CSV or JSON file)");
		return;
	}
	if (!import_api_flag(r, &mp, "update_existing", &update) ||
	    !import_api_flag(r, &mp, "dry_run", &dry_run))
		return;
	if (!impex_import(r->db, r->principal.org_id, kind, file->has_filename ?
	    file->filename : NULL, (const unsigned char *)file->data, file->len,
	    update, dry_run, import_api_actor(r), &res))
		req_resp_error(r, 503, NULL, "database unavailable; nothing was "
		    "imported");
	else if (res.status != 200)
		req_resp_error(r, res.status, NULL, "%s", res.detail);
	else {
		req_resp_json(r, 200, impex_result_json(&res));
		/* Written nothing anyway; nothing is kept either. */
		if (dry_run)
			req_undo(r);
	}
	impex_result_free(&res);
}
