/*
 * chat.c - a storefront's customer chat, POST /api/chat/{slug}: no key,
 * no LLM. The answer is a fixed text chosen by the state of the
 * customer's latest order with this client, in the Status -> Blocker ->
 * Next Action form: what is happening, what (if anything) holds it up,
 * and what the customer should do.
 *
 * Who may ask: an active client's slug (else 404, as if there were no
 * such storefront); a browser (it sends Origin) only from one of the
 * client's allowed origins, none set meaning "embed not configured";
 * a caller with no Origin is a server and is let through. Asking is
 * limited per storefront and client address (chat_per_minute).
 *
 * What may be told: only an order of this client whose customer_email
 * is the one given; never another customer's or another client's.
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "fulfillment/fulfillment.h"

enum chat_sql_id {
	SQL_CHAT_CLIENT, SQL_CHAT_LATEST_ORDER, CHAT_SQL__MAX
};

static const char *const chat_sql[CHAT_SQL__MAX] = {
	[SQL_CHAT_CLIENT] =
	    "SELECT id, client_active, allowed_domains FROM organizations"
	    " WHERE slug = ?",
	/* customer_email compares without case (its collation). */
	[SQL_CHAT_LATEST_ORDER] =
	    "SELECT status, status_note, tracking_number, tracking_url"
	    " FROM fulfill_orders WHERE org_id = ? AND customer_email = ?"
	    " ORDER BY created_at DESC, id DESC LIMIT 1",
};

const struct db_stmts chat_stmts = {
	"chat", chat_sql, CHAT_SQL__MAX, NULL, 0
};

enum chat_order_col { CO_STATUS, CO_NOTE, CO_TRACKING, CO_TRACKING_URL };

/* The storefront asked: its organization and its allowed origins
 * (borrowed from rows, NULL for none). */
struct chat_client {
	long long	 org_id;
	int		 active;
	const char	*allowed;
	struct db_rows	*rows;
};

/* The client whose slug is slug; DB_NOTFOUND when none. */
static enum db_code
chat_client_find(struct db *db, const char *slug, struct chat_client *c)
{
	enum db_code	 code;

	memset(c, 0, sizeof(*c));
	if ((code = db_query(db, &c->rows, chat_sql[SQL_CHAT_CLIENT],
	    DB_PARAMS(DB_STR(slug)))) != DB_OK)
		return code;
	if (c->rows->nrows == 0 ||
	    !util_strtonum(db_cell(c->rows, 0, 0), 1, INT64_MAX, &c->org_id))
		return DB_NOTFOUND;
	c->active = strcmp(db_cell(c->rows, 0, 1), "0") != 0;
	c->allowed = db_cell(c->rows, 0, 2);
	return DB_OK;
}

/*
 * 1 when the caller may ask: no Origin (a server), or an Origin among
 * the client's, which the answer then names for the browser (CORS);
 * else 0 with 403 answered.
 */
static int
chat_origin_ok(struct req *r, const struct chat_client *c)
{
	const char	*origin = req_header(r, "origin");

	if (origin == NULL)
		return 1;
	if (c->allowed == NULL || *c->allowed == '\0') {
		req_resp_error(r, 403, NULL, "embed not configured");
		return 0;
	}
	if (!onboarding_origin_allowed(c->allowed, origin)) {
		req_resp_error(r, 403, NULL, "origin not allowed");
		return 0;
	}
	req_resp_header(r, "Access-Control-Allow-Origin", origin);
	req_resp_header(r, "Vary", "Origin");
	return 1;
}

/* history[i]: {role: user|assistant, content: string}; 0 with 400. */
static int
chat_history_ok(struct req *r, struct json_object *history)
{
	static const char *const roles[] = { "user", "assistant", NULL };
	struct json_object	*turn;
	const char		*s;
	size_t			 i, n;
	int			 ok = 1;

	if (!json_object_is_type(history, json_type_array)) {
		req_resp_error(r, 400, NULL, "history: expected an array");
		return 0;
	}
	n = json_object_array_length(history);
	for (i = 0; i < n && ok; i++) {
		turn = json_object_array_get_idx(history, i);
		if (!json_object_is_type(turn, json_type_object)) {
			req_resp_error(r, 400, NULL, "history[%zu]: expected an "
			    "object", i);
			return 0;
		}
		snprintf(r->vprefix, sizeof(r->vprefix), "history[%zu].", i);
		ok = valid_enum(r, turn, "role", 1, roles, &s) &&
		    valid_string(r, turn, "content", 1, 0, SIZE_MAX, &s);
	}
	r->vprefix[0] = '\0';
	return ok;
}

/* The body: message, customerEmail (*email, borrowed; NULL when not
 * given) and history; 0 with 400 answered. */
static int
chat_read(struct req *r, struct json_object *body, const char **email)
{
	struct json_object	*history;
	const char		*message;

	if (!valid_object(r, body) ||
	    !valid_string(r, body, "message", 1, 1, 2000, &message) ||
	    !valid_string(r, body, "customerEmail", 0, 0, 254, email))
		return 0;
	if (*email != NULL && !users_email_valid(*email)) {
		req_resp_error(r, 400, NULL, "customerEmail: not an e-mail "
		    "address");
		return 0;
	}
	if ((history = valid_get(body, "history")) != NULL &&
	    !chat_history_ok(r, history))
		return 0;
	return 1;
}

/* What the customer is told for each state of an order: status,
 * blocker, next action. */
static const struct chat_state {
	const char	*status;
	const char	*now, *blocker, *next;
} chat_states[] = {
	{ "pending_client_approval",
	    "Your order is waiting for the store's approval.",
	    "Nothing is needed from you: the store reviews every order "
	    "before it is made.",
	    "No action needed; it goes into production once the store "
	    "approves it." },
	{ "pending_admin_approval",
	    "Your order was approved by the store and is waiting for a final "
	    "check before production.",
	    "Nothing is needed from you: every order gets this check before "
	    "it is printed.",
	    "No action needed; it goes into production once the check is "
	    "done." },
	{ "submitted_to_printful",
	    "Your order is in production.",
	    "Nothing is blocking it.",
	    "No action needed; you will get tracking details when it ships." },
	{ "in_production",
	    "Your order is in production.",
	    "Nothing is blocking it.",
	    "No action needed; you will get tracking details when it ships." },
};

/* A shipped order: its tracking when known. */
static int
chat_shipped(struct buf *b, const char *number, const char *url)
{
	if (number == NULL && url == NULL)
		return buf_puts(b, "Your order has shipped. Its tracking "
		    "details are not available yet. Please ask again later, or "
		    "contact the store for the tracking number.");
	if (!buf_puts(b, "Your order has shipped") ||
	    (number != NULL && !buf_printf(b, ", tracking number %s", number)) ||
	    (url != NULL && !buf_printf(b, " (%s)", url)))
		return 0;
	return buf_puts(b, ". Nothing is blocking it. Follow the tracking "
	    "link to see when it arrives.");
}

/* An order that is not going ahead, with the store's note if any. */
static int
chat_rejected(struct buf *b, const char *note)
{
	if (!buf_puts(b, "Your order is not going ahead. "))
		return 0;
	if (note != NULL && *note != '\0') {
		if (!buf_printf(b, "The store's note: \"%s\". ", note))
			return 0;
	} else if (!buf_puts(b, "The store did not give a reason. "))
		return 0;
	return buf_puts(b, "Please contact the store about a refund or a new "
	    "order.");
}

/* The answer for the order in row 0 of rows. */
static int
chat_order_answer(struct buf *b, const struct db_rows *rows)
{
	const char	*status = db_cell(rows, 0, CO_STATUS);
	size_t		 i;

	for (i = 0; i < sizeof(chat_states) / sizeof(chat_states[0]); i++)
		if (strcmp(status, chat_states[i].status) == 0)
			return buf_printf(b, "%s %s %s", chat_states[i].now,
			    chat_states[i].blocker, chat_states[i].next);
	if (strcmp(status, "shipped") == 0)
		return chat_shipped(b, db_cell(rows, 0, CO_TRACKING),
		    db_cell(rows, 0, CO_TRACKING_URL));
	if (strncmp(status, "rejected_", 9) == 0)
		return chat_rejected(b, db_cell(rows, 0, CO_NOTE));
	return buf_printf(b, "Your order's status is %s. Nothing more is known "
	    "about it here. Please contact the store if you have a question.",
	    status);
}

/*
 * The answer to a customer of org_id: about their latest order when
 * email is given, else how to ask. Into b; DB_OK or the failure.
 */
static enum db_code
chat_answer(struct db *db, long long org_id, const char *email,
    struct buf *b)
{
	struct db_rows	*rows;
	enum db_code	 code;
	int		 ok;

	if (email == NULL)
		return buf_puts(b, "I can look up your order once I know the "
		    "e-mail address you used at checkout. Without it I cannot "
		    "tell which order is yours. Please ask again with that "
		    "e-mail address.") ? DB_OK : DB_ERROR;
	if ((code = db_query(db, &rows, chat_sql[SQL_CHAT_LATEST_ORDER],
	    DB_PARAMS(DB_INT(org_id), DB_STR(email)))) != DB_OK)
		return code;
	if (rows->nrows == 0)
		ok = buf_printf(b, "I could not find an order for %s at this "
		    "store. It may have been placed with another e-mail "
		    "address. Please check the address on your order "
		    "confirmation e-mail and ask again with it, or contact the "
		    "store.", email);
	else
		ok = chat_order_answer(b, rows);
	db_rows_free(rows);
	return ok ? DB_OK : DB_ERROR;
}

/* POST /api/chat/{slug} {message, customerEmail?, history?}: {response}. */
void
chat_post(struct req *r)
{
	struct chat_client	 c;
	struct json_object	*body = NULL, *o;
	const char		*email = NULL;
	char			 scope[80];
	struct buf		 answer;

	buf_init(&answer);
	switch (chat_client_find(r->db, r->args[0], &c)) {
	case DB_OK:
		break;
	case DB_NOTFOUND:
		req_resp_error(r, 404, NULL, "no storefront %s", r->args[0]);
		goto out;
	default:
		req_resp_error(r, 503, NULL, "database unavailable");
		goto out;
	}
	if (!c.active) {
		req_resp_error(r, 404, NULL, "no storefront %s", r->args[0]);
		goto out;
	}
	if (!chat_origin_ok(r, &c))
		goto out;
	snprintf(scope, sizeof(scope), "chat:%lld:addr:%.50s", c.org_id,
	    r->in.remote_addr != NULL ? r->in.remote_addr : "-");
	if (!ratelimit_scope_check(r, scope, r->conf->chat_per_minute, 60))
		goto out;
	if ((body = req_json_body(r)) == NULL || !chat_read(r, body, &email))
		goto out;
	if (chat_answer(r->db, c.org_id, email, &answer) != DB_OK) {
		req_resp_error(r, 503, NULL, "database unavailable");
		goto out;
	}
	o = json_object_new_object();
	json_put_str(o, "response", answer.data);
	req_resp_json(r, 200, o);
out:
	json_object_put(body);
	db_rows_free(c.rows);
	buf_cleanup(&answer);
}
