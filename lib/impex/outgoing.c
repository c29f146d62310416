/*
 * outgoing.c - events to webhook-type integrations, sent by the one
 * delivery worker (webhooks/deliver.c) with its leases, retries and SSRF
 * guard. Here: which integrations an event goes to (active ones whose
 * config_data.notify_on names it, or every subscribable event without
 * notify_on), the shape of the body for the URL (Discord: {"content"},
 * Slack: {"text"} with username/channel, anything else the signed
 * envelope of webhook subscriptions; config_data.format forces one), and
 * each attempt's line in the integration's log.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "impex/impex.h"

/* Discord cuts content at 2000 characters; a line stays well inside. */
#define OUTGOING_LINE_MAX	1900

enum outgoing_sql_id {
	SQL_OUT_INTEGS, SQL_OUT_INSERT, OUTGOING_SQL__MAX
};

static const char *const outgoing_sql[OUTGOING_SQL__MAX] = {
	/* The integrations an organization's event may go to. */
	[SQL_OUT_INTEGS] =
	    "SELECT id, public_id, config_data FROM integrations"
	    " WHERE status = 'active' AND type = 'webhook' AND org_id = ?"
	    " ORDER BY id",
	/* Once per (integration, event): a retried fan-out adds nothing. */
	[SQL_OUT_INSERT] =
	    "INSERT IGNORE INTO webhook_deliveries (public_id, org_id,"
	    " integration_id, event_id, event_type) VALUES (?, ?, ?, ?, ?)",
};

const struct db_stmts outgoing_stmts = {
	"outgoing", outgoing_sql, OUTGOING_SQL__MAX, NULL, 0
};

/* --- which events ---------------------------------------------------- */

/* The short names of notify_on (the contract's low_stock, craft_complete
 * and their like); a full event name is taken as well. */
static const struct {
	const char	*name;
	enum event_type	 type;
} outgoing_short[] = {
	{ "low_stock", EVENT_INVENTORY_LOW_STOCK },
	{ "stockout", EVENT_INVENTORY_STOCKOUT },
	{ "stockout_resolved", EVENT_INVENTORY_STOCKOUT_RESOLVED },
	{ "back_in_stock", EVENT_INVENTORY_STOCKOUT_RESOLVED },
	{ "order_created", EVENT_ORDER_CREATED },
	{ "order_status_changed", EVENT_ORDER_STATUS_CHANGED },
	{ "order_fulfilled", EVENT_ORDER_FULFILLED },
	{ "craft_complete", EVENT_CRAFT_COMPLETED },
	{ "craft_completed", EVENT_CRAFT_COMPLETED },
	{ "import_completed", EVENT_IMPORT_COMPLETED },
	{ "checklist_completed", EVENT_CHECKLIST_COMPLETED },
	{ "checklist_missed", EVENT_CHECKLIST_MISSED },
	{ "webhook_received", EVENT_INTEGRATION_WEBHOOK_RECEIVED },
	{ "integration_failed", EVENT_INTEGRATION_FAILED },
	{ "integration_rolled_back", EVENT_INTEGRATION_ROLLED_BACK },
	{ "inventory_integrated", EVENT_INTEGRATION_INVENTORY_SUCCESS },
	{ "ap_integrated", EVENT_INTEGRATION_AP_SUCCESS },
	{ "accounting_integrated", EVENT_INTEGRATION_ACCOUNTING_SUCCESS },
};

/*
 * The event a notify_on entry names (a short name above, or a full event
 * name a subscription may ask for) into *t; 0 when it names none. For
 * the integrations API, which may refuse unknown names.
 */
int
outgoing_notify_parse(const char *name, enum event_type *t)
{
	size_t	 i;

	for (i = 0; i < sizeof(outgoing_short) / sizeof(outgoing_short[0]);
	    i++)
		if (strcmp(name, outgoing_short[i].name) == 0) {
			*t = outgoing_short[i].type;
			return 1;
		}
	return events_parse(name, t) && events_subscribable(*t);
}

/*
 * 1 when an integration with config_data config wants events of type t:
 * t is subscribable, and notify_on is absent or null (every such event),
 * a string naming t, or an array one of whose strings names t (an empty
 * array: none).
 */
int
outgoing_wants(struct json_object *config, enum event_type t)
{
	struct json_object	*n = NULL, *e;
	enum event_type		 named;
	size_t			 i;

	if (!events_subscribable(t))
		return 0;
	if (config == NULL || !json_object_object_get_ex(config, "notify_on",
	    &n) || n == NULL)
		return 1;
	if (json_object_is_type(n, json_type_string))
		return outgoing_notify_parse(json_object_get_string(n),
		    &named) && named == t;
	if (!json_object_is_type(n, json_type_array))
		return 0;
	for (i = 0; i < json_object_array_length(n); i++) {
		e = json_object_array_get_idx(n, i);
		if (json_object_is_type(e, json_type_string) &&
		    outgoing_notify_parse(json_object_get_string(e), &named) &&
		    named == t)
			return 1;
	}
	return 0;
}

/* An integration.webhook_received event goes nowhere near the
 * integration that received it: two integrations pointed at each other
 * would otherwise echo for ever. */
static int
outgoing_is_echo(const struct event *ev, struct json_object *payload,
    const char *integ_id)
{
	struct json_object	*v;

	return ev->type == EVENT_INTEGRATION_WEBHOOK_RECEIVED &&
	    payload != NULL &&
	    json_object_object_get_ex(payload, "integrationId", &v) &&
	    json_object_is_type(v, json_type_string) &&
	    strcmp(json_object_get_string(v), integ_id) == 0;
}

/*
 * Queue one delivery of ev for each active webhook integration of its
 * organization that wants it (the fan-out of deliver.c, in its
 * transaction). An event addressed to one subscription is not theirs.
 */
enum db_code
outgoing_fan_event(struct db *db, const struct event *ev)
{
	struct db_rows		*rows = NULL;
	struct json_object	*config, *payload;
	char			 id[37];
	enum db_code		 code;
	size_t			 i;

	if (ev->subscription_id > 0 || !events_subscribable(ev->type))
		return DB_OK;
	if ((code = db_query(db, &rows, outgoing_sql[SQL_OUT_INTEGS],
	    DB_PARAMS(DB_INT(ev->org_id)))) != DB_OK)
		return code;
	payload = rows->nrows > 0 ? json_tokener_parse(ev->payload) : NULL;
	for (i = 0; i < rows->nrows && code == DB_OK; i++) {
		config = json_tokener_parse(db_cell(rows, i, 2));
		if (outgoing_wants(config, ev->type) &&
		    !outgoing_is_echo(ev, payload, db_cell(rows, i, 1))) {
			crypto_uuid7(id);
			code = db_exec(db, outgoing_sql[SQL_OUT_INSERT],
			    DB_PARAMS(DB_STR(id), DB_INT(ev->org_id),
			    DB_INT(atoll(db_cell(rows, i, 0))), DB_INT(ev->id),
			    DB_STR(events_name(ev->type))));
		}
		json_object_put(config);
	}
	json_object_put(payload);
	db_rows_free(rows);
	return code;
}

/* --- what shape ------------------------------------------------------ */

/* 1 when host is name or a subdomain of it (ptb.discord.com). */
static int
outgoing_host_is(const char *host, const char *name)
{
	size_t	 h = strlen(host), n = strlen(name);

	if (h == n)
		return strcasecmp(host, name) == 0;
	return h > n && host[h - n - 1] == '.' &&
	    strcasecmp(host + h - n, name) == 0;
}

/*
 * The body a webhook URL takes: Discord's execute-webhook URLs (host
 * discord.com, discordapp.com or a subdomain, path /api/webhooks/… or
 * /api/v<N>/webhooks/…), Slack's incoming webhooks (hooks.slack.com),
 * else the standard signed envelope.
 */
enum outgoing_format
outgoing_format_of_url(const char *url)
{
	CURLU			*u;
	char			*host = NULL, *path = NULL;
	const char		*p;
	enum outgoing_format	 f = OUTGOING_STANDARD;

	if (url == NULL || (u = curl_url()) == NULL)
		return f;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK)
		goto out;
	if (outgoing_host_is(host, "discord.com") ||
	    outgoing_host_is(host, "discordapp.com")) {
		p = path;
		if (strncmp(p, "/api/", 5) == 0) {
			p += 4;
			/* an API version: /api/v10/webhooks/… */
			if (p[1] == 'v' && p[2] >= '0' && p[2] <= '9')
				p = strchr(p + 1, '/');
			if (p != NULL && strncmp(p, "/webhooks/", 10) == 0 &&
			    p[10] != '\0')
				f = OUTGOING_DISCORD;
		}
	} else if (strcasecmp(host, "hooks.slack.com") == 0)
		f = OUTGOING_SLACK;
out:
	curl_free(host);
	curl_free(path);
	curl_url_cleanup(u);
	return f;
}

/*
 * The body an integration's deliveries take: config_data.format when it
 * is "discord", "slack" or "standard" (what a test against a local
 * receiver uses), else what its URL says.
 */
enum outgoing_format
outgoing_format_of(const struct integ *in)
{
	struct json_object	*v;
	const char		*s;

	if (in->config != NULL && json_object_object_get_ex(in->config,
	    "format", &v) && json_object_is_type(v, json_type_string)) {
		s = json_object_get_string(v);
		if (strcasecmp(s, "discord") == 0)
			return OUTGOING_DISCORD;
		if (strcasecmp(s, "slack") == 0)
			return OUTGOING_SLACK;
		if (strcasecmp(s, "standard") == 0)
			return OUTGOING_STANDARD;
	}
	return outgoing_format_of_url(in->webhook_url);
}

/* --- the readable line of chat bodies -------------------------------- */

/* One line per event type; {field} is the payload's field ("-" when it
 * is missing or null). Types not listed read "<type>: <payload>". */
static const struct {
	enum event_type	 type;
	const char	*line;
} outgoing_lines[] = {
	{ EVENT_INVENTORY_LOW_STOCK,
	    "Low stock: {itemName} (SKU {sku}) is down to {currentStock}" },
	{ EVENT_INVENTORY_STOCKOUT,
	    "Out of stock: SKU {sku} went from {previousStock} to "
	    "{nextStock}" },
	{ EVENT_INVENTORY_STOCKOUT_RESOLVED,
	    "Back in stock: SKU {sku} now has {nextStock}" },
	{ EVENT_ORDER_CREATED, "New order {orderId}: {status}" },
	{ EVENT_ORDER_STATUS_CHANGED,
	    "Order {orderId}: {previousStatus} -> {status}" },
	{ EVENT_ORDER_FULFILLED, "Order {orderId} fulfilled" },
	{ EVENT_CRAFT_COMPLETED,
	    "Crafted {quantity} x {blueprintName}: {outputQuantity} of item "
	    "{outputItemId} made" },
	{ EVENT_IMPORT_COMPLETED,
	    "Import {importBatchId} from {source}: {inserted} rows" },
	{ EVENT_CHECKLIST_COMPLETED,
	    "Checklist done: {templateTitle} (due {dueDate}) by "
	    "{completedBy}" },
	{ EVENT_CHECKLIST_MISSED,
	    "Checklist missed: {templateTitle} (due {dueDate})" },
	{ EVENT_INTEGRATION_WEBHOOK_RECEIVED,
	    "Webhook received by integration {integrationId} ({bodyBytes} "
	    "bytes)" },
};

/* A payload field as text: a string as it is, anything else as JSON. */
static void
outgoing_field(struct buf *b, struct json_object *payload, const char *name,
    size_t n)
{
	struct json_object	*v = NULL;
	char			 key[64];

	snprintf(key, sizeof(key), "%.*s", (int)n, name);
	if (payload == NULL || !json_object_object_get_ex(payload, key, &v) ||
	    v == NULL)
		buf_puts(b, "-");
	else if (json_object_is_type(v, json_type_string))
		buf_puts(b, json_object_get_string(v));
	else
		buf_puts(b, json_object_to_json_string_ext(v,
		    JSON_C_TO_STRING_PLAIN));
}

/* Fill template t from payload into b. */
static void
outgoing_render(struct buf *b, const char *t, struct json_object *payload)
{
	const char	*end;

	while (*t != '\0') {
		if (*t == '{' && (end = strchr(t, '}')) != NULL) {
			outgoing_field(b, payload, t + 1, (size_t)(end - t - 1));
			t = end + 1;
		} else
			buf_append(b, t++, 1);
	}
}

/*
 * One readable line telling event type (its name) with its payload (JSON
 * text), no newline in it, at most OUTGOING_LINE_MAX bytes; the caller
 * frees it. NULL when out of memory.
 */
char *
outgoing_line(const char *type, const char *payload)
{
	struct json_object	*p = json_tokener_parse(payload);
	enum event_type		 t;
	struct buf		 b;
	size_t			 i;
	int			 found = 0;

	buf_init(&b);
	if (events_parse(type, &t))
		for (i = 0; i < sizeof(outgoing_lines) /
		    sizeof(outgoing_lines[0]) && !found; i++)
			if (outgoing_lines[i].type == t) {
				outgoing_render(&b, outgoing_lines[i].line, p);
				found = 1;
			}
	if (!found) {
		buf_printf(&b, "%s: ", type);
		buf_puts(&b, p != NULL ? json_object_to_json_string_ext(p,
		    JSON_C_TO_STRING_PLAIN) : "{}");
	}
	json_object_put(p);
	if (!buf_append(&b, "", 1)) {
		buf_cleanup(&b);
		return NULL;
	}
	for (i = 0; b.data[i] != '\0'; i++)
		if (b.data[i] == '\n' || b.data[i] == '\r')
			b.data[i] = ' ';
	if (!util_utf8_valid(b.data, strlen(b.data)))
		snprintf(b.data, b.cap, "%s", type);
	util_utf8_cut(b.data, OUTGOING_LINE_MAX);
	return b.data;
}

/* config's string member name, or NULL. */
static const char *
outgoing_config_str(struct json_object *config, const char *name)
{
	struct json_object	*v;

	if (config == NULL || !json_object_object_get_ex(config, name, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/*
 * The body of a chat delivery: Discord {"content": line}, Slack {"text":
 * line} with "username" and "channel" when config_data has them as
 * strings. The caller frees it; NULL when out of memory.
 */
char *
outgoing_chat_body(enum outgoing_format f, const char *type,
    const char *payload, struct json_object *config)
{
	struct json_object	*o;
	char			*line, *s;
	const char		*v;

	if ((line = outgoing_line(type, payload)) == NULL)
		return NULL;
	o = json_object_new_object();
	if (f == OUTGOING_DISCORD)
		json_put_str(o, "content", line);
	else {
		json_put_str(o, "text", line);
		if ((v = outgoing_config_str(config, "username")) != NULL)
			json_put_str(o, "username", v);
		if ((v = outgoing_config_str(config, "channel")) != NULL)
			json_put_str(o, "channel", v);
	}
	s = util_strdup(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	free(line);
	return s;
}

/* --- the log --------------------------------------------------------- */

/*
 * Log one delivery attempt of event type (delivery public id id, body
 * sent) to integration in: success on a 2xx, else failed with why. In
 * the caller's transaction.
 */
enum db_code
outgoing_log_attempt(struct db *db, const struct integ *in, const char *id,
    const char *type, const char *body, const struct httpout_res *res)
{
	struct integ_log_entry	 e;
	struct json_object	*h = json_object_new_object();
	char			 err[300];
	enum db_code		 code;
	int			 ok = res->status >= 200 && res->status < 300;

	memset(&e, 0, sizeof(e));
	json_put_str(h, "webhook-id", id);
	json_put_str(h, "x-mihwar-event", type);
	e.direction = "outgoing";
	e.kind = "delivery";
	e.status = ok ? "success" : "failed";
	e.http_status = (int)res->status;
	e.duration_ms = (long)res->ms;
	if (!ok) {
		if (res->error[0] != '\0')
			snprintf(err, sizeof(err), "%s", res->error);
		else
			snprintf(err, sizeof(err), "HTTP %ld", res->status);
		e.error = err;
	}
	e.headers = json_object_to_json_string_ext(h, JSON_C_TO_STRING_PLAIN);
	e.body = (const unsigned char *)body;
	e.body_len = body != NULL ? strlen(body) : 0;
	code = integ_log_write(db, in, &e);
	json_object_put(h);
	return code;
}
