/*
 * test_svg.c - svg.c: the chart writer. Its output is well-formed XML
 * (a small checker here), every text is escaped, every plotted point
 * carries exactly the series' value and x label, missing points leave
 * gaps, bounds draw a hatched band only when given, the legend has one
 * entry per series with its pattern, and an empty chart says "No data".
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mihwar.h"
#include "tests.h"

#define DEPTH_MAX	16
#define TAG_NAME_MAX	24
#define ATTRS_MAX	24

/* The chart as a string the caller frees. */
static char *
draw(const struct chart *c)
{
	struct buf	 b;

	buf_init(&b);
	svg_chart_buf(&b, c);
	return b.data;
}

static size_t
count(const char *hay, const char *needle)
{
	size_t	 n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

static size_t
xml_name(const char *s)
{
	size_t	 n = 0;

	if (!isalpha((unsigned char)*s))
		return 0;
	while (isalnum((unsigned char)s[n]) || s[n] == '-' || s[n] == ':')
		n++;
	return n;
}

/* Length of the entity at s (one of the five the writer uses), or 0. */
static size_t
xml_entity(const char *s)
{
	static const char *const ents[] = {
		"&amp;", "&lt;", "&gt;", "&quot;", "&#39;",
	};
	size_t	 i;

	for (i = 0; i < NELEM(ents); i++)
		if (strncmp(s, ents[i], strlen(ents[i])) == 0)
			return strlen(ents[i]);
	return 0;
}

/* The attributes of the tag whose name ends at *pp, up to its '>' or
 * "/>"; NULL when well-formed, else why not. *closed: it was "/>". */
static const char *
xml_attrs(const char **pp, int *closed)
{
	const char	*p = *pp, *names[ATTRS_MAX];
	size_t		 n, e, i, nattrs = 0;

	for (;;) {
		if (p[0] == '>' || (p[0] == '/' && p[1] == '>')) {
			*closed = p[0] == '/';
			*pp = p + 1 + *closed;
			return NULL;
		}
		if (*p++ != ' ' || (n = xml_name(p)) == 0)
			return "junk in a tag";
		for (i = 0; i < nattrs; i++)
			if (strncmp(names[i], p, n + 1) == 0)
				return "duplicate attribute";
		if (nattrs == ATTRS_MAX)
			return "too many attributes";
		names[nattrs++] = p;
		if (p[n] != '=' || p[n + 1] != '"')
			return "unquoted attribute";
		for (p += n + 2; *p != '"'; p += e)
			if (*p == '\0' || *p == '<' || *p == '>')
				return "raw < or > in an attribute";
			else if (*p != '&')
				e = 1;
			else if ((e = xml_entity(p)) == 0)
				return "raw & in an attribute";
		p++;
	}
}

/* NULL when s is one well-formed <svg> element (balanced tags, quoted
 * unique attributes, & only as an entity, no raw < or > in text). */
static const char *
xml_check(const char *s)
{
	char		 stack[DEPTH_MAX][TAG_NAME_MAX];
	const char	*p = s, *why;
	size_t		 depth = 0, roots = 0, n, e;
	int		 closed;

	while (*p != '\0') {
		if (p[0] == '<' && p[1] == '/') {
			n = xml_name(p + 2);
			if (depth == 0 || n != strlen(stack[depth - 1]) ||
			    strncmp(p + 2, stack[depth - 1], n) != 0 ||
			    p[2 + n] != '>')
				return "unbalanced end tag";
			depth--;
			p += 3 + n;
		} else if (*p == '<') {
			if ((n = xml_name(p + 1)) == 0 || n >= TAG_NAME_MAX)
				return "bad tag name";
			if (depth == 0 && (roots++ > 0 || n != 3 ||
			    strncmp(p + 1, "svg", 3) != 0))
				return "not one <svg> root";
			if (depth == DEPTH_MAX)
				return "too deep";
			snprintf(stack[depth], TAG_NAME_MAX, "%.*s", (int)n, p + 1);
			p += 1 + n;
			if ((why = xml_attrs(&p, &closed)) != NULL)
				return why;
			depth += !closed;
		} else if (depth == 0) {
			return "text outside the root";
		} else if (*p == '>') {
			return "raw > in text";
		} else if (*p == '&') {
			if ((e = xml_entity(p)) == 0)
				return "raw & in text";
			p += e;
		} else
			p++;
	}
	return depth == 0 && roots == 1 ? NULL : "unclosed element";
}

/* Value of attribute name in the tag at tag, into out; 0 if absent. */
static int
attr(const char *tag, const char *name, char *out, size_t n)
{
	char		 key[64];
	const char	*end = strchr(tag, '>'), *v, *q;

	snprintf(key, sizeof(key), " %s=\"", name);
	if (end == NULL || (v = strstr(tag, key)) == NULL || v > end)
		return 0;
	v += strlen(key);
	q = strchr(v, '"');
	snprintf(out, n, "%.*s", (int)(q - v), v);
	return 1;
}

/* The next tag at or after s with class cls (before stop, if given). */
static const char *
tag_of(const char *s, const char *cls, const char *stop)
{
	char		 key[64];
	const char	*p;

	snprintf(key, sizeof(key), "class=\"%s\"", cls);
	if ((p = strstr(s, key)) == NULL || (stop != NULL && p > stop))
		return NULL;
	while (*p != '<')
		p--;
	return p;
}

/* The first tag of class cls inside series k's group, or NULL. */
static const char *
series_tag(const char *svg, size_t k, const char *cls)
{
	char		 key[64];
	const char	*g;

	snprintf(key, sizeof(key), "<g class=\"series\" data-series=\"%zu\">",
	    k);
	if ((g = strstr(svg, key)) == NULL)
		return NULL;
	return tag_of(g, cls, strstr(g, "</g>"));
}

/* The texts of the elements of class cls, joined by spaces. */
static const char *
texts(const char *svg, const char *cls)
{
	static char	 out[1024];
	const char	*p = svg, *t;
	size_t		 n = 0;

	out[0] = '\0';
	while ((p = tag_of(p, cls, NULL)) != NULL && n < sizeof(out) - 64) {
		t = strchr(p, '>') + 1;
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%.*s",
		    n ? " " : "", (int)strcspn(t, "<"), t);
		p = t;
	}
	return out;
}

struct point {
	size_t	 series;
	char	 x[128], value[32], lo[32], hi[32];
	double	 cy;
};

/* Every plotted point (a tag with data-value), in document order. */
static size_t
points(const char *svg, struct point *pt, size_t max)
{
	const char	*p = svg;
	char		 s[32];
	size_t		 n = 0;

	while ((p = tag_of(p, "point", NULL)) != NULL && n < max) {
		memset(&pt[n], 0, sizeof(pt[n]));
		if (attr(p, "data-value", pt[n].value, sizeof(pt[n].value))) {
			attr(p, "data-series", s, sizeof(s));
			pt[n].series = strtoul(s, NULL, 10);
			attr(p, "data-x", pt[n].x, sizeof(pt[n].x));
			attr(p, "data-lo", pt[n].lo, sizeof(pt[n].lo));
			attr(p, "data-hi", pt[n].hi, sizeof(pt[n].hi));
			if (attr(p, "cy", s, sizeof(s)) ||
			    attr(p, "y", s, sizeof(s)))
				pt[n].cy = strtod(s, NULL);
			n++;
		}
		p = strchr(p, '>');
	}
	return n;
}

static const char *const six[] = {
	"2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23",
	"2026-03-30", "2026-04-06",
};
static const int64_t demand[] = { 120000, 125000, 1, 0, 470000, 90000 };
static const int64_t fc[] = { 130000, 140000, 150000, 160000, 170000, 180000 };
static const int64_t fc_lo[] = { 80000, 85000, 90000, 95000, 100000, 105000 };
static const int64_t fc_hi[] = { 180000, 195000, 210000, 225000, 240000,
	255000 };
static const int64_t stock[] = { 400000, 275000, 150000, 150000, 600000,
	435000 };

/* Past demand as bars, the forecast dashed with bounds, stock as a step. */
static const struct chart_series three[] = {
	{ "Past demand", CHART_BARS, demand, NULL, NULL, NULL },
	{ "Forecast", CHART_DASHED, fc, fc_lo, fc_hi, NULL },
	{ "Stock", CHART_STEP, stock, NULL, NULL, NULL },
};
static const struct chart typical = {
	"Oat milk", "Weekly demand, forecast and stock", "litres",
	6, six, 3, three,
};

static void
test_checker(void)
{
	static const struct {
		const char	*xml;
		int		 ok;
	} cases[] = {
		{ "<svg a=\"&amp;\"><g/>t&lt;&#39;</svg>", 1 },
		{ "<svg><g></svg>", 0 },
		{ "<svg></g></svg>", 0 },
		{ "<svg a=b></svg>", 0 },
		{ "<svg a=\"1\" a=\"2\"/>", 0 },
		{ "<svg a=\"<\"/>", 0 },
		{ "<svg a=\"&\"/>", 0 },
		{ "<svg>&</svg>", 0 },
		{ "<svg>a<b</svg>", 0 },
		{ "<svg>a>b</svg>", 0 },
		{ "<svg></svg><svg></svg>", 0 },
		{ "x<svg></svg>", 0 },
		{ "<div></div>", 0 },
		{ "<svg>", 0 },
	};
	size_t	 i;

	for (i = 0; i < NELEM(cases); i++)
		CHECK((xml_check(cases[i].xml) == NULL) == cases[i].ok,
		    "[%s] checker says %s", cases[i].xml,
		    xml_check(cases[i].xml) ? xml_check(cases[i].xml) : "ok");
}

static void
test_well_formed(void)
{
	char		*s = draw(&typical), ids[128] = "", id[192] = "", *sp;
	const char	*why = xml_check(s);

	CHECK(why == NULL, "[typical] not well-formed: %s", why);
	CHECK(strncmp(s, "<svg xmlns=\"http://www.w3.org/2000/svg\"", 39) == 0,
	    "[typical] starts %.40s", s);
	CHECK(attr(s, "role", id, sizeof(id)) && strcmp(id, "img") == 0,
	    "[typical] role %s", id);
	CHECK(attr(s, "viewBox", id, sizeof(id)) &&
	    strncmp(id, "0 0 720 ", 8) == 0, "[typical] viewBox %s", id);
	/* aria-labelledby names the title's id, then the desc's. */
	sp = attr(s, "aria-labelledby", ids, sizeof(ids)) ?
	    strchr(ids, ' ') : NULL;
	if (!CHECK(sp != NULL, "[typical] labelledby %s", ids)) {
		free(s);
		return;
	}
	*sp = '\0';
	snprintf(id, sizeof(id), "<title id=\"%s\">Oat milk</title>", ids);
	CHECK(strstr(s, id) != NULL, "[typical] no %s", id);
	snprintf(id, sizeof(id), "<desc id=\"%s\">Weekly demand,", sp + 1);
	CHECK(strstr(s, id) != NULL, "[typical] no %s", id);
	/* No script, handler, link or style: the CSP would refuse them. */
	CHECK(strstr(s, "<script") == NULL && strstr(s, " on") == NULL &&
	    strstr(s, "href") == NULL && strstr(s, "style") == NULL &&
	    count(s, "url(") == count(s, "url(#") &&
	    count(s, "http") == 1, "[typical] script, link or style");
	CHECK_STR("unit", texts(s, "unit"), "litres");
	CHECK_STR("x labels", texts(s, "x-tick"), "2026-03-02 2026-03-09 "
	    "2026-03-16 2026-03-23 2026-03-30 2026-04-06");
	free(s);
}

static void
test_escaping(void)
{
	static const char *const xl[] = { "<b>1</b>", "a&b", "\"q\"", "'s'" };
	static const int64_t y[] = { 10000, 20000, 30000, 40000 };
	static const struct chart_series ser[] = {
		{ "<script>alert(1)</script>", CHART_LINE, y, NULL, NULL,
		    NULL },
		{ "Fore\"cast' & co\x01", CHART_BARS, y, NULL, NULL, NULL },
	};
	static const struct chart c = {
		"<script>alert('t')</script>", "\"d\" & 'e'", "kg<br>",
		4, xl, 2, ser,
	};
	static const struct chart none = { "a<b & 'c'", NULL, NULL, 0, NULL,
	    0, NULL };
	static const char *const want[] = {
		">&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;</title>",
		">&quot;d&quot; &amp; &#39;e&#39;</desc>",
		">kg&lt;br&gt;</text>",
		"data-x=\"&lt;b&gt;1&lt;/b&gt;\"",
		"data-x=\"a&amp;b\"",
		"data-x=\"&quot;q&quot;\"",
		"data-x=\"&#39;s&#39;\"",
		">&lt;b&gt;1&lt;/b&gt;</text>",
		">&lt;script&gt;alert(1)&lt;/script&gt;</text>",
		">Fore&quot;cast&#39; &amp; co</text>",
	};
	char		*s = draw(&c), *e = draw(&none);
	const char	*why = xml_check(s);
	size_t		 i;

	CHECK(why == NULL, "[hostile] not well-formed: %s", why);
	CHECK(strstr(s, "<script") == NULL && strstr(s, "<b>") == NULL &&
	    strstr(s, "<br") == NULL && strchr(s, '\x01') == NULL,
	    "[hostile] raw markup or control written");
	for (i = 0; i < NELEM(want); i++)
		CHECK(strstr(s, want[i]) != NULL, "[hostile] no %s", want[i]);
	CHECK(xml_check(e) == NULL && strstr(e,
	    ">a&lt;b &amp; &#39;c&#39;</title>") != NULL,
	    "[empty, hostile title] %s", e);
	free(s);
	free(e);
}

/* Every point's data-value is its series' value, as decimal text. */
static void
test_values(void)
{
	struct point	 pt[32];
	char		*s = draw(&typical), want[DECIMAL_BUFSZ];
	size_t		 n = points(s, pt, NELEM(pt)), k, i, j = 0;
	int64_t		 v;

	CHECK(n == 18, "[typical] %zu points, want 18", n);
	for (k = 0; k < 3 && n == 18; k++)
		for (i = 0; i < 6; i++, j++) {
			decimal_format(three[k].y[i], want);
			CHECK(pt[j].series == k && strcmp(pt[j].x, six[i]) == 0,
			    "[%zu/%zu] series %zu x %s", k, i, pt[j].series,
			    pt[j].x);
			CHECK(decimal_parse(pt[j].value, &v) &&
			    v == three[k].y[i] && strcmp(pt[j].value, want) == 0,
			    "[%zu/%zu] data-value %s, want %s", k, i,
			    pt[j].value, want);
			decimal_format(k == 1 ? fc_lo[i] : 0, want);
			CHECK(k == 1 ? strcmp(pt[j].lo, want) == 0 :
			    pt[j].lo[0] == '\0', "[%zu/%zu] data-lo %s", k, i,
			    pt[j].lo);
			decimal_format(k == 1 ? fc_hi[i] : 0, want);
			CHECK(k == 1 ? strcmp(pt[j].hi, want) == 0 :
			    pt[j].hi[0] == '\0', "[%zu/%zu] data-hi %s", k, i,
			    pt[j].hi);
		}
	CHECK(n == 18 && strcmp(pt[2].value, "0.0001") == 0 &&
	    strcmp(pt[4].value, "47") == 0, "[typical] exact text");
	free(s);
}

/* Missing points: no marker, and the line lifts its pen (one M each). */
static void
test_gaps(void)
{
	static const int gap1[] = { 1, 1, 0, 1, 1, 0 };
	static const int lone[] = { 0, 1, 0, 1, 0, 1 };
	static const struct {
		const char	*name;
		enum chart_style st;
		const int	*has;
		size_t		 npoints, subpaths;
		const char	*xs;
	} cases[] = {
		{ "line, one gap", CHART_LINE, gap1, 4, 2,
		    "2026-03-02 2026-03-09 2026-03-23 2026-03-30" },
		{ "step, one gap", CHART_STEP, gap1, 4, 2,
		    "2026-03-02 2026-03-09 2026-03-23 2026-03-30" },
		{ "dashed, lone", CHART_DASHED, lone, 3, 3,
		    "2026-03-09 2026-03-23 2026-04-06" },
		{ "bars, lone", CHART_BARS, lone, 3, 0,
		    "2026-03-09 2026-03-23 2026-04-06" },
		{ "line, all", CHART_LINE, NULL, 6, 1, NULL },
	};
	struct chart_series	 ser;
	struct chart		 c = typical;
	struct point		 pt[8];
	const char		*line;
	char			*s, d[1024], xs[256];
	size_t			 i, j, n, len;

	for (i = 0; i < NELEM(cases); i++) {
		ser = (struct chart_series){ "s", cases[i].st, stock, NULL,
		    NULL, cases[i].has };
		c.nseries = 1;
		c.series = &ser;
		s = draw(&c);
		n = points(s, pt, NELEM(pt));
		for (j = 0, len = 0, xs[0] = '\0'; j < n; j++)
			len += (size_t)snprintf(xs + len, sizeof(xs) - len,
			    "%s%s", j ? " " : "", pt[j].x);
		line = series_tag(s, 0, "line");
		d[0] = '\0';
		if (line != NULL)
			attr(line, "d", d, sizeof(d));
		CHECK(xml_check(s) == NULL && n == cases[i].npoints &&
		    count(d, "M") == cases[i].subpaths &&
		    (cases[i].xs == NULL || strcmp(xs, cases[i].xs) == 0),
		    "[%s] %zu points (%s), d=\"%s\"", cases[i].name, n, xs, d);
		free(s);
	}
}

/* No x, no series, or no present point: a small figure, "No data". */
static void
test_empty(void)
{
	static const int none_has[] = { 0, 0, 0, 0, 0, 0 };
	static const struct chart_series missing[] = {
		{ "s", CHART_LINE, stock, NULL, NULL, none_has },
	};
	static const struct chart cases[] = {
		{ "No x", "d", "u", 0, NULL, 3, three },
		{ "No series", "d", "u", 6, six, 0, NULL },
		{ "All missing", "d", "u", 6, six, 1, missing },
	};
	char		*s, vb[32];
	const char	*why;
	size_t		 i;

	for (i = 0; i < NELEM(cases); i++) {
		s = draw(&cases[i]);
		why = xml_check(s);
		CHECK(why == NULL && strstr(s, ">No data</text>") != NULL &&
		    strstr(s, "data-value") == NULL &&
		    strstr(s, "role=\"img\"") != NULL &&
		    attr(s, "viewBox", vb, sizeof(vb)) &&
		    strcmp(vb, "0 0 720 80") == 0,
		    "[%s] %s: %s", cases[i].title, why ? why : "", s);
		free(s);
	}
}

/* Y ticks run from 0 (or below) to a round top over values and bounds. */
static void
test_ticks(void)
{
	static const int64_t v47[] = { 100000, 470000 };
	static const int64_t v125[] = { 125000, 0 };
	static const int64_t vhalf[] = { 5000, 2500 };
	static const int64_t vzero[] = { 0, 0 };
	static const int64_t vtiny[] = { 3, 1 };
	static const int64_t vneg[] = { -30000, -72500 };
	static const int64_t vten[] = { 100000, 50000 };
	static const int64_t vhi[] = { 260000, 60000 };
	static const struct {
		const char	*name;
		const int64_t	*y, *lo, *hi;
		const char	*ticks;
	} cases[] = {
		{ "47", v47, NULL, NULL, "0 10 20 30 40 50" },
		{ "12.5", v125, NULL, NULL, "0 5 10 15" },
		{ "0.5", vhalf, NULL, NULL, "0 0.1 0.2 0.3 0.4 0.5" },
		{ "zeros", vzero, NULL, NULL, "0 0.2 0.4 0.6 0.8 1" },
		{ "0.0003", vtiny, NULL, NULL, "0 0.0001 0.0002 0.0003" },
		{ "negative", vneg, NULL, NULL, "-8 -6 -4 -2 0" },
		{ "bound above", vten, vzero, vhi, "0 10 20 30" },
	};
	static const char *const xl[] = { "a", "b" };
	struct chart_series	 ser;
	struct chart		 c = { "t", NULL, NULL, 2, xl, 1, &ser };
	char			*s;
	size_t			 i;

	for (i = 0; i < NELEM(cases); i++) {
		ser = (struct chart_series){ "s", CHART_LINE, cases[i].y,
		    cases[i].lo, cases[i].hi, NULL };
		s = draw(&c);
		CHECK_STR(cases[i].name, texts(s, "y-tick"), cases[i].ticks);
		free(s);
	}
}

/* Values at the edge of DECIMAL(18,4), and below zero: exact data,
 * every point inside the plot, no exponent or NaN in the output. */
static void
test_big_negative(void)
{
	static const int64_t y[] = { 999999999999999999LL, -55000,
	    -999999999999999999LL, 1 };
	static const int64_t neg[] = { -30000, -72500, 0, 0 };
	static const int64_t edges[] = { INT64_MAX, INT64_MIN, 0, 0 };
	static const char *const xl[] = { "a", "b", "c", "d" };
	static const struct chart_series ser[] = {
		{ "big", CHART_LINE, y, NULL, NULL, NULL },
		{ "neg", CHART_BARS, neg, NULL, NULL, NULL },
		{ "edges", CHART_LINE, edges, NULL, NULL, NULL },
	};
	struct chart	 c = { "big", NULL, NULL, 4, xl, 2, ser };
	struct point	 pt[8];
	char		*s = draw(&c), *t;
	size_t		 n = points(s, pt, NELEM(pt)), i;
	const char	*bar;
	int64_t		 v;

	CHECK(xml_check(s) == NULL && n == 8, "[big] %zu points", n);
	for (i = 0; i < n && i < 4; i++)
		CHECK(decimal_parse(pt[i].value, &v) && v == y[i] &&
		    pt[i].cy >= 28.0 && pt[i].cy <= 248.0,
		    "[big %zu] %s at %.1f", i, pt[i].value, pt[i].cy);
	CHECK_STR("big ticks", texts(s, "y-tick"), "-100000000000000 "
	    "-50000000000000 0 50000000000000 100000000000000");
	CHECK(strstr(s, "e+") == NULL && strstr(s, "nan") == NULL &&
	    strstr(s, "inf") == NULL, "[big] exponent or NaN");
	free(s);

	/* Past DECIMAL(18,4): the exact text still, the plot clamped. */
	c.nseries = 1;
	c.series = &ser[2];
	s = draw(&c);
	n = points(s, pt, NELEM(pt));
	CHECK(xml_check(s) == NULL && n == 4 &&
	    strcmp(pt[0].value, "922337203685477.5807") == 0 &&
	    strcmp(pt[1].value, "-922337203685477.5808") == 0 &&
	    pt[0].cy >= 28.0 && pt[1].cy <= 248.0,
	    "[int64 edges] %zu points, %s at %.1f, %s at %.1f", n,
	    pt[0].value, pt[0].cy, pt[1].value, pt[1].cy);
	CHECK_STR("int64 ticks", texts(s, "y-tick"), "-100000000000000 "
	    "-50000000000000 0 50000000000000 100000000000000");
	free(s);

	/* Negative bars hang from the zero line, the plot's top here. */
	c.series = &ser[1];
	s = draw(&c);
	bar = tag_of(s, "point", NULL);
	t = NULL;
	CHECK(bar != NULL && (t = strstr(bar, " y=\"28.0\"")) != NULL &&
	    t < strchr(bar, '>'), "[negative bar] %.120s", bar);
	CHECK_STR("negative ticks", texts(s, "y-tick"), "-8 -6 -4 -2 0");
	free(s);
}

/* One x position: every style still draws something visible. */
static void
test_single_point(void)
{
	static const int64_t one[] = { 75000 }, lo[] = { 50000 },
	    hi[] = { 100000 };
	static const char *const xl[] = { "2026-03-02" };
	static const struct chart_series ser[] = {
		{ "bars", CHART_BARS, one, NULL, NULL, NULL },
		{ "line", CHART_LINE, one, lo, hi, NULL },
		{ "step", CHART_STEP, one, NULL, NULL, NULL },
	};
	static const struct chart c = { "one", NULL, NULL, 1, xl, 3, ser };
	struct point	 pt[4];
	char		*s = draw(&c), d[256] = "", h[16] = "";
	size_t		 n = points(s, pt, NELEM(pt)), i;
	const char	*tag;
	double		 x0, x1;

	CHECK(xml_check(s) == NULL && n == 3, "[one] %zu points", n);
	for (i = 0; i < n; i++)
		CHECK(strcmp(pt[i].value, "7.5") == 0 &&
		    strcmp(pt[i].x, "2026-03-02") == 0, "[one %zu] %s %s", i,
		    pt[i].value, pt[i].x);
	tag = tag_of(s, "point", NULL);
	CHECK(tag != NULL && attr(tag, "height", h, sizeof(h)) &&
	    strtod(h, NULL) > 0, "[one] bar height %s", h);
	/* The step holds its value across the slot: M x0 y H x1, x1 > x0. */
	tag = series_tag(s, 2, "line");
	CHECK(tag != NULL && attr(tag, "d", d, sizeof(d)) &&
	    sscanf(d, "M%lf %*f H%lf", &x0, &x1) == 2 && x1 > x0,
	    "[one] step d=\"%s\"", d);
	/* The lone band is a box around the point, not a line. */
	tag = series_tag(s, 1, "band");
	CHECK(tag != NULL && attr(tag, "d", d, sizeof(d)) &&
	    count(d, "Z") == 1 && sscanf(d, "M%lf %*f H%lf", &x0, &x1) == 2 &&
	    x1 > x0, "[one] band d=\"%s\"", d);
	free(s);
}

/* The hatched band: only with both bounds, one outline per run. */
static void
test_band(void)
{
	static const int gap[] = { 1, 1, 0, 1, 1, 1 };
	static const struct {
		const char	*name;
		const int64_t	*lo, *hi;
		const int	*has;
		size_t		 outlines;
	} cases[] = {
		{ "both", fc_lo, fc_hi, NULL, 1 },
		{ "both, a gap", fc_lo, fc_hi, gap, 2 },
		{ "lo only", fc_lo, NULL, NULL, 0 },
		{ "hi only", NULL, fc_hi, NULL, 0 },
		{ "none", NULL, NULL, NULL, 0 },
	};
	struct chart_series	 ser;
	struct chart		 c = typical;
	char			*s, d[1024], fill[64], pat[64];
	const char		*band;
	size_t			 i, want;

	c.nseries = 1;
	c.series = &ser;
	for (i = 0; i < NELEM(cases); i++) {
		ser = (struct chart_series){ "f", CHART_DASHED, fc, cases[i].lo,
		    cases[i].hi, cases[i].has };
		s = draw(&c);
		want = cases[i].outlines;
		band = series_tag(s, 0, "band");
		d[0] = fill[0] = pat[0] = '\0';
		if (band != NULL) {
			attr(band, "d", d, sizeof(d));
			attr(band, "fill", fill, sizeof(fill));
		}
		if (strstr(s, "<pattern") != NULL)
			attr(strstr(s, "<pattern"), "id", pat, sizeof(pat));
		CHECK(count(s, "class=\"band\"") == (want > 0) &&
		    count(d, "Z") == want &&
		    count(s, "<pattern") == (want > 0) &&
		    count(s, "data-lo=") == (want > 0 ? 6 - !!cases[i].has : 0),
		    "[%s] bands %zu, outlines %zu, patterns %zu", cases[i].name,
		    count(s, "class=\"band\""), count(d, "Z"),
		    count(s, "<pattern"));
		/* The band is filled with the hatch of this very chart. */
		if (want > 0)
			CHECK(strncmp(fill, "url(#", 5) == 0 &&
			    strncmp(fill + 5, pat, strlen(pat)) == 0 &&
			    strstr(pat, "hatch") != NULL,
			    "[%s] fill %s, pattern %s", cases[i].name, fill, pat);
		free(s);
	}
}

/* One legend entry per series, its label and its stroke pattern. */
static void
test_legend(void)
{
	static const struct chart_series ser[] = {
		{ "Demand", CHART_BARS, demand, NULL, NULL, NULL },
		{ "Plan", CHART_LINE, fc, NULL, NULL, NULL },
		{ "Forecast", CHART_DASHED, fc, fc_lo, fc_hi, NULL },
		{ "Stock", CHART_STEP, stock, NULL, NULL, NULL },
	};
	static const char *const dash[] = { NULL, "", "6 4", "2 3" };
	struct chart	 c = typical;
	char		*s, entry[64], got[16], drawn[16];
	const char	*e, *line, *sample;
	size_t		 k;

	c.nseries = 4;
	c.series = ser;
	s = draw(&c);
	CHECK(count(s, "class=\"legend-entry\"") == 4, "[legend] %zu entries",
	    count(s, "class=\"legend-entry\""));
	CHECK_STR("legend labels", texts(s, "legend-label"), "Demand Plan "
	    "Forecast (hatched band: lower to upper bound) Stock");
	for (k = 0; k < 4; k++) {
		snprintf(entry, sizeof(entry), "<g class=\"legend-entry\" "
		    "data-series=\"%zu\">", k);
		e = strstr(s, entry);
		CHECK(e != NULL, "[legend %zu] no entry", k);
		if (e == NULL)
			continue;
		sample = strstr(e, "<line ");
		if (dash[k] == NULL) {
			/* Bars: a filled box, no line. */
			CHECK(strncmp(strchr(e, '>') + 1, "<rect", 5) == 0 &&
			    (sample == NULL || sample > strstr(e, "</g>")),
			    "[legend %zu] not a box", k);
			continue;
		}
		got[0] = drawn[0] = '\0';
		if (sample != NULL)
			attr(sample, "stroke-dasharray", got, sizeof(got));
		line = series_tag(s, k, "line");
		if (line != NULL)
			attr(line, "stroke-dasharray", drawn, sizeof(drawn));
		CHECK(strcmp(got, dash[k]) == 0 && strcmp(drawn, dash[k]) == 0,
		    "[legend %zu] sample \"%s\", line \"%s\", want \"%s\"", k,
		    got, drawn, dash[k]);
	}
	free(s);
}

/* Two charts on one page: their ids differ and each is defined once. */
static void
test_unique_ids(void)
{
	struct buf	 b;
	char		 a1[128] = "", a2[128] = "", key[160];
	const char	*second;

	buf_init(&b);
	svg_chart_buf(&b, &typical);
	svg_chart_buf(&b, &typical);
	second = strstr(b.data + 1, "<svg");
	CHECK(second != NULL && attr(b.data, "aria-labelledby", a1,
	    sizeof(a1)) && attr(second, "aria-labelledby", a2, sizeof(a2)) &&
	    strcmp(a1, a2) != 0, "[two charts] labelledby %s and %s", a1, a2);
	a1[strcspn(a1, " ")] = '\0';
	snprintf(key, sizeof(key), "id=\"%s\"", a1);
	CHECK(count(b.data, key) == 1, "[two charts] %s %zu times", key,
	    count(b.data, key));
	CHECK(count(b.data, "-hatch\"") == 2, "[two charts] hatch ids %zu",
	    count(b.data, "-hatch\""));
	buf_cleanup(&b);
}

/* Many x positions: labels thinned, evenly, never closer than a label. */
static void
test_x_thinning(void)
{
	static char	 names[60][16];
	const char	*xl[60], *p;
	int64_t		 y[60];
	struct chart_series ser = { "s", CHART_LINE, y, NULL, NULL, NULL };
	struct chart	 c = { "t", NULL, NULL, 60, xl, 1, &ser };
	char		*s, xs[16] = "";
	double		 x, prev = -1, gap = -1;
	size_t		 i, shown = 0;
	int		 even = 1;

	for (i = 0; i < 60; i++) {
		snprintf(names[i], sizeof(names[i]), "2026-W%02zu", i + 1);
		xl[i] = names[i];
		y[i] = (int64_t)i * 10000;
	}
	s = draw(&c);
	for (p = s; (p = tag_of(p, "x-tick", NULL)) != NULL;
	    p = strchr(p, '>'), shown++) {
		attr(p, "x", xs, sizeof(xs));
		x = strtod(xs, NULL);
		if (prev >= 0 && gap >= 0 && (x - prev) - gap > 0.15)
			even = 0;
		if (prev >= 0)
			gap = x - prev;
		prev = x;
	}
	/* 8 characters at about 6.5 px each need 52 px. */
	CHECK(shown >= 5 && shown < 60 && even && gap >= 52,
	    "[60 labels] %zu shown, %.1f px apart, even %d", shown, gap, even);
	CHECK(strncmp(texts(s, "x-tick"), "2026-W01 ", 9) == 0,
	    "[60 labels] starts %s", texts(s, "x-tick"));
	free(s);
}

void
test_svg_register(void)
{
	static const struct test_def tests[] = {
		{ "xml checker", test_checker },
		{ "well-formed, labelled, no script or link", test_well_formed },
		{ "hostile text escaped", test_escaping },
		{ "data-value equals every series value", test_values },
		{ "missing points leave gaps", test_gaps },
		{ "empty chart says No data", test_empty },
		{ "y ticks round over values and bounds", test_ticks },
		{ "big and negative values", test_big_negative },
		{ "single point", test_single_point },
		{ "band only with both bounds", test_band },
		{ "legend entry per series with its pattern", test_legend },
		{ "ids unique per chart", test_unique_ids },
		{ "x labels thinned to fit", test_x_thinning },
	};

	test_add_suite("svg", NULL, NULL, tests, NELEM(tests));
}
