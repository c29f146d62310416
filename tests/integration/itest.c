/*
 * itest.c - HTTP, JSON and fixture helpers for the integration suites.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "itest.h"

const char *
itest_env(const char *name)
{
	const char	*v = getenv(name);

	if (v == NULL) {
		fprintf(stderr, "integration tests: %s is not set\n", name);
		exit(2);
	}
	return v;
}

struct sink {
	char	*p;
	size_t	 len;
};

static size_t
sink_write(char *data, size_t size, size_t n, void *arg)
{
	struct sink	*s = arg;
	char		*p;

	if ((p = realloc(s->p, s->len + size * n + 1)) == NULL)
		return 0;
	memcpy(p + s->len, data, size * n);
	s->len += size * n;
	p[s->len] = '\0';
	s->p = p;
	return size * n;
}

int
http_do(const char *method, const char *path, const char *const *hdrs,
    const char *body, size_t len, struct http_resp *out)
{
	CURL			*c;
	struct curl_slist	*list = NULL;
	struct sink		 b = { NULL, 0 }, h = { NULL, 0 };
	char			 url[2048];
	CURLcode		 rc;

	memset(out, 0, sizeof(*out));
	snprintf(url, sizeof(url), "%s%s", itest_env("MIHWAR_BASE_URL"), path);
	if ((c = curl_easy_init()) == NULL)
		return 0;
	for (; hdrs != NULL && *hdrs != NULL; hdrs++)
		list = curl_slist_append(list, *hdrs);
	/* No "Expect: 100-continue" round trip for large bodies. */
	list = curl_slist_append(list, "Expect:");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, sink_write);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)len);
	} else if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
	else
		fprintf(stderr, "%s %s: %s\n", method, path,
		    curl_easy_strerror(rc));
	out->body = b.p ? b.p : strdup("");
	out->len = b.len;
	out->headers = h.p ? h.p : strdup("");
	curl_slist_free_all(list);
	curl_easy_cleanup(c);
	return rc == CURLE_OK;
}

void
http_resp_free(struct http_resp *r)
{
	free(r->body);
	free(r->headers);
	memset(r, 0, sizeof(*r));
}

char *
http_header(const struct http_resp *r, const char *name)
{
	const char	*p = r->headers, *eol;
	size_t		 n = strlen(name);

	while (p != NULL && *p != '\0') {
		eol = strstr(p, "\r\n");
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			p += n + 1;
			while (*p == ' ')
				p++;
			return strndup(p, eol ? (size_t)(eol - p) : strlen(p));
		}
		p = eol ? eol + 2 : NULL;
	}
	return NULL;
}

struct json_object *
http_json(const struct http_resp *r)
{
	return r->body ? json_tokener_parse(r->body) : NULL;
}

const char *
json_path_str(struct json_object *o, const char *path)
{
	char	 part[64];
	size_t	 n;

	while (o != NULL && *path != '\0') {
		n = strcspn(path, ".");
		if (n >= sizeof(part))
			return NULL;
		memcpy(part, path, n);
		part[n] = '\0';
		if (!json_object_object_get_ex(o, part, &o))
			return NULL;
		path += n + (path[n] == '.');
	}
	return o && json_object_is_type(o, json_type_string) ?
	    json_object_get_string(o) : NULL;
}

int
ctl_run(const char *args, const char *stdin_text, char **out)
{
	char	 cmd[1024], tmp[] = "/tmp/itest-ctl-XXXXXX";
	FILE	*p;
	struct sink s = { NULL, 0 };
	char	 chunk[4096];
	size_t	 n;
	int	 st, fd = -1;

	if (stdin_text != NULL) {
		if ((fd = mkstemp(tmp)) < 0)
			return -1;
		if (write(fd, stdin_text, strlen(stdin_text)) < 0)
			return -1;
		close(fd);
		snprintf(cmd, sizeof(cmd), "MIHWAR_CONF='%s' '%s' %s < %s",
		    itest_env("MIHWAR_CONF"), itest_env("MIHWAR_CTL"), args, tmp);
	} else
		snprintf(cmd, sizeof(cmd), "MIHWAR_CONF='%s' '%s' %s < /dev/null",
		    itest_env("MIHWAR_CONF"), itest_env("MIHWAR_CTL"), args);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		sink_write(chunk, 1, n, &s);
	st = pclose(p);
	if (stdin_text != NULL)
		unlink(tmp);
	if (out != NULL)
		*out = s.p ? s.p : strdup("");
	else
		free(s.p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int
fixture_org(char *slug)
{
	static unsigned	 seq;
	char		 args[256];

	snprintf(slug, 64, "it-%ld-%u-%u", (long)getpid(), seq++,
	    (unsigned)rand() % 100000);
	snprintf(args, sizeof(args), "org create --slug %s --name 'Test %s'",
	    slug, slug);
	return ctl_run(args, NULL, NULL) == 0;
}

int
fixture_key(const char *org, const char *kind, const char *app, char *tok,
    char *id)
{
	char			 args[256], *out = NULL;
	struct json_object	*o;
	int			 ok = 0;

	snprintf(args, sizeof(args), "--json key create --org %s --kind %s%s%s",
	    org, kind, app ? " --app " : "", app ? app : "");
	if (ctl_run(args, NULL, &out) == 0 &&
	    (o = json_tokener_parse(out)) != NULL) {
		snprintf(tok, 128, "%s", json_path_str(o, "key"));
		snprintf(id, 37, "%s", json_path_str(o, "id"));
		json_object_put(o);
		ok = 1;
	}
	free(out);
	return ok;
}

int
stack_run(const char *cmd)
{
	char	 line[512];
	int	 st;

	snprintf(line, sizeof(line), "'%s' %s >/dev/null 2>&1",
	    itest_env("MIHWAR_STACK"), cmd);
	st = system(line);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}
