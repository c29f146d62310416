/*
 * svg.c - charts drawn by the server as inline SVG, next to html.c and
 * escaping the same way. One <svg role="img"> labelled by its <title>
 * and <desc>; a y axis from 0 (or the lowest value) to a rounded top,
 * x labels thinned to fit; each series drawn by its style with its own
 * stroke pattern and marker, and a legend entry showing both, so the
 * chart reads without colour. Every point carries its exact value
 * (data-value, decimal_format text) and its x label (data-x), so the
 * plot can be checked against the table printed beneath it.
 *
 * Only presentation attributes, no style attribute or element: the
 * console's CSP (default-src 'self') refuses inline styles. Strokes and
 * text are currentColor, so they follow the page's text colour.
 * Coordinates are doubles printed with one decimal; values leave only
 * as decimal text.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "web/web.h"

#define SVG_W		720
#define SVG_TOP		28	/* the unit sits above the plot */
#define SVG_PLOT_H	220
#define SVG_RIGHT	16
#define SVG_LEFT_MIN	48
#define SVG_LEGEND_TOP	(SVG_TOP + SVG_PLOT_H + 44)
#define SVG_LEGEND_ROW	20
#define SVG_EMPTY_H	80
#define SVG_CHAR_W	7	/* a generous glyph width at font-size 12 */
#define SVG_TICKS	5	/* at most this many y intervals */
/* Past any DECIMAL(18,4) value; geometry clamps to it, so the y range
 * (at most 2 * 10^18) and its ticks stay inside int64. */
#define SVG_VMAX	1000000000000000000LL

/* The plot area and the y axis, in viewBox units and scale-4 values. */
struct svg_plot {
	unsigned	 id;		/* the chart's ids are svg-chart-<id>-* */
	size_t		 nx;
	double		 left, top, width, height;
	double		 slot;		/* width of one x position */
	int64_t		 ymin, ymax, step;
	size_t		 nbars, bar;	/* bar series, and the one drawn */
};

/* Escaped text, safe in text and in quoted attributes. XML allows no
 * C0 control other than tab and newlines, escaped or not: dropped. */
static void
svg_text(struct buf *b, const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		switch (*s) {
		case '&':
			buf_puts(b, "&amp;");
			break;
		case '<':
			buf_puts(b, "&lt;");
			break;
		case '>':
			buf_puts(b, "&gt;");
			break;
		case '"':
			buf_puts(b, "&quot;");
			break;
		case '\'':
			buf_puts(b, "&#39;");
			break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\t' ||
			    *s == '\n' || *s == '\r')
				buf_append(b, s, 1);
		}
}

static void
svg_value(struct buf *b, int64_t v)
{
	char	 s[DECIMAL_BUFSZ];

	decimal_format(v, s);
	buf_puts(b, s);
}

static int
svg_has(const struct chart_series *s, size_t i)
{
	return s->y != NULL && (s->has == NULL || s->has[i]);
}

static int
svg_has_bounds(const struct chart_series *s)
{
	return s->lo != NULL && s->hi != NULL;
}

static size_t
svg_present(const struct chart *c)
{
	size_t	 k, i, n = 0;

	for (k = 0; c->series != NULL && k < c->nseries; k++)
		for (i = 0; i < c->nx; i++)
			n += svg_has(&c->series[k], i);
	return n;
}

static int64_t
svg_clamp(int64_t v)
{
	return v > SVG_VMAX ? SVG_VMAX : v < -SVG_VMAX ? -SVG_VMAX : v;
}

static int64_t
svg_floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && a < 0);
}

static int64_t
svg_ceil_div(int64_t a, int64_t b)
{
	return a / b + (a % b != 0 && a > 0);
}

/* The lowest and highest value or bound present, 0 always included. */
static void
svg_extent(const struct chart *c, int64_t *lo, int64_t *hi)
{
	const struct chart_series	*s;
	int64_t				 v[3];
	size_t				 k, i, j, n;

	*lo = *hi = 0;
	for (k = 0; k < c->nseries; k++) {
		s = &c->series[k];
		for (i = 0; i < c->nx; i++) {
			if (!svg_has(s, i))
				continue;
			n = 0;
			v[n++] = s->y[i];
			if (svg_has_bounds(s)) {
				v[n++] = s->lo[i];
				v[n++] = s->hi[i];
			}
			for (j = 0; j < n; j++) {
				if (svg_clamp(v[j]) < *lo)
					*lo = svg_clamp(v[j]);
				if (svg_clamp(v[j]) > *hi)
					*hi = svg_clamp(v[j]);
			}
		}
	}
	if (*lo == *hi)
		*hi = 10000;	/* all zero: an axis from 0 to 1 */
}

/* The smallest 1, 2 or 5 times a power of ten (in units of 0.0001)
 * that covers lo..hi in at most SVG_TICKS intervals. */
static int64_t
svg_tick_step(int64_t lo, int64_t hi)
{
	static const int64_t	 mult[] = { 1, 2, 5 };
	int64_t			 p, s;
	size_t			 i;

	for (p = 1; p <= SVG_VMAX / 10; p *= 10)
		for (i = 0; i < sizeof(mult) / sizeof(mult[0]); i++) {
			s = mult[i] * p;
			if (svg_ceil_div(hi, s) - svg_floor_div(lo, s) <=
			    SVG_TICKS)
				return s;
		}
	return SVG_VMAX;
}

/* The widest tick label, in characters. */
static size_t
svg_tick_chars(const struct svg_plot *p)
{
	char	 s[DECIMAL_BUFSZ];
	int64_t	 t;
	size_t	 n = 0;

	for (t = p->ymin; t <= p->ymax; t += p->step) {
		decimal_format(t, s);
		if (strlen(s) > n)
			n = strlen(s);
	}
	return n;
}

static void
svg_plot_init(struct svg_plot *p, const struct chart *c, unsigned id)
{
	int64_t	 lo, hi;
	size_t	 k;

	memset(p, 0, sizeof(*p));
	p->id = id;
	p->nx = c->nx;
	svg_extent(c, &lo, &hi);
	p->step = svg_tick_step(lo, hi);
	p->ymin = svg_floor_div(lo, p->step) * p->step;
	p->ymax = svg_ceil_div(hi, p->step) * p->step;
	p->left = 16.0 + SVG_CHAR_W * (double)svg_tick_chars(p);
	if (p->left < SVG_LEFT_MIN)
		p->left = SVG_LEFT_MIN;
	p->top = SVG_TOP;
	p->width = SVG_W - SVG_RIGHT - p->left;
	p->height = SVG_PLOT_H;
	p->slot = p->width / (double)c->nx;
	for (k = 0; k < c->nseries; k++)
		p->nbars += c->series[k].style == CHART_BARS;
}

/* The middle of x position i. */
static double
svg_x(const struct svg_plot *p, size_t i)
{
	return p->left + p->slot * ((double)i + 0.5);
}

static double
svg_y(const struct svg_plot *p, int64_t v)
{
	return p->top + p->height * (double)(p->ymax - svg_clamp(v)) /
	    (double)(p->ymax - p->ymin);
}

/* <svg>, its title and description, and the hatch of bound bands. */
static void
svg_open(struct buf *b, const struct chart *c, unsigned id, int height,
    int hatch)
{
	int	 desc = c->desc != NULL && c->desc[0] != '\0';

	buf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "class=\"chart\" viewBox=\"0 0 %d %d\" font-size=\"12\" "
	    "role=\"img\" aria-labelledby=\"svg-chart-%u-title", SVG_W,
	    height, id);
	if (desc)
		buf_printf(b, " svg-chart-%u-desc", id);
	buf_printf(b, "\"><title id=\"svg-chart-%u-title\">", id);
	svg_text(b, c->title);
	buf_puts(b, "</title>");
	if (desc) {
		buf_printf(b, "<desc id=\"svg-chart-%u-desc\">", id);
		svg_text(b, c->desc);
		buf_puts(b, "</desc>");
	}
	if (hatch)
		buf_printf(b, "<defs><pattern id=\"svg-chart-%u-hatch\" "
		    "width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
		    "patternTransform=\"rotate(45)\"><line x1=\"0\" y1=\"0\" "
		    "x2=\"0\" y2=\"6\" stroke=\"currentColor\" "
		    "stroke-width=\"1.5\" stroke-opacity=\"0.6\"/></pattern>"
		    "</defs>", id);
}

/* A figure that says so, still labelled by its title. */
static void
svg_no_data(struct buf *b, const struct chart *c, unsigned id)
{
	svg_open(b, c, id, SVG_EMPTY_H, 0);
	buf_printf(b, "<text class=\"no-data\" x=\"%d\" y=\"%d\" "
	    "text-anchor=\"middle\" fill=\"currentColor\">No data</text>"
	    "</svg>", SVG_W / 2, SVG_EMPTY_H / 2 + 4);
}

/* The unit, y ticks with their grid, and the axis lines. */
static void
svg_y_axis(struct buf *b, const struct svg_plot *p, const char *unit)
{
	double	 y, right = p->left + p->width;
	int64_t	 t;

	buf_puts(b, "<g class=\"axis y\" fill=\"currentColor\">");
	if (unit != NULL && unit[0] != '\0') {
		buf_puts(b, "<text class=\"unit\" x=\"8\" y=\"14\">");
		svg_text(b, unit);
		buf_puts(b, "</text>");
	}
	for (t = p->ymin; t <= p->ymax; t += p->step) {
		y = svg_y(p, t);
		buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		    "y2=\"%.1f\" stroke=\"currentColor\" stroke-opacity=\"%s\"/>"
		    "<text class=\"y-tick\" x=\"%.1f\" y=\"%.1f\" "
		    "text-anchor=\"end\">", p->left, y, right, y,
		    t == 0 ? "1" : "0.2", p->left - 6, y + 4);
		svg_value(b, t);
		buf_puts(b, "</text>");
	}
	buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
	    "stroke=\"currentColor\"/></g>", p->left, p->top, p->left,
	    p->top + p->height);
}

/* Every n-th x label, n chosen so the widest label fits its room. */
static void
svg_x_axis(struct buf *b, const struct svg_plot *p, const char *const *xl)
{
	double	 x, bottom = p->top + p->height;
	size_t	 i, chars = 1, every;

	for (i = 0; xl != NULL && i < p->nx; i++)
		if (xl[i] != NULL && util_utf8_chars(xl[i]) > chars)
			chars = util_utf8_chars(xl[i]);
	every = (size_t)((double)(chars * SVG_CHAR_W + 8) / p->slot) + 1;
	buf_printf(b, "<g class=\"axis x\" fill=\"currentColor\"><line "
	    "x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
	    "stroke=\"currentColor\"/>", p->left, bottom, p->left + p->width,
	    bottom);
	for (i = 0; xl != NULL && i < p->nx; i += every) {
		x = svg_x(p, i);
		buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		    "y2=\"%.1f\" stroke=\"currentColor\"/><text class=\"x-tick\" "
		    "x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", x, bottom,
		    x, bottom + 4, x, bottom + 18);
		svg_text(b, xl[i]);
		buf_puts(b, "</text>");
	}
	buf_puts(b, "</g>");
}

/* The stroke pattern that tells a series apart without colour. */
static const char *
svg_dash(enum chart_style st)
{
	switch (st) {
	case CHART_DASHED:
		return " stroke-dasharray=\"6 4\"";
	case CHART_STEP:
		return " stroke-dasharray=\"2 3\"";
	default:
		return "";
	}
}

/* The hatched band between lo and hi, one closed outline per run of
 * present points; a lone point gets a box half a slot wide. */
static void
svg_band(struct buf *b, const struct svg_plot *p,
    const struct chart_series *s)
{
	size_t	 a, e, i;
	double	 x, w = p->slot / 4;

	buf_printf(b, "<path class=\"band\" fill=\"url(#svg-chart-%u-hatch)\" "
	    "stroke=\"currentColor\" stroke-width=\"0.5\" d=\"", p->id);
	for (a = 0; a < p->nx; a = e + 1) {
		for (e = a; e < p->nx && svg_has(s, e); e++)
			;
		if (e == a)
			continue;
		if (e - a == 1) {
			x = svg_x(p, a);
			buf_printf(b, "M%.1f %.1f H%.1f V%.1f H%.1f Z", x - w,
			    svg_y(p, s->hi[a]), x + w, svg_y(p, s->lo[a]),
			    x - w);
			continue;
		}
		buf_printf(b, "M%.1f %.1f", svg_x(p, a), svg_y(p, s->hi[a]));
		for (i = a + 1; i < e; i++)
			buf_printf(b, " L%.1f %.1f", svg_x(p, i),
			    svg_y(p, s->hi[i]));
		for (i = e; i-- > a;)
			buf_printf(b, " L%.1f %.1f", svg_x(p, i),
			    svg_y(p, s->lo[i]));
		buf_puts(b, " Z");
	}
	buf_puts(b, "\"/>");
}

/* The line through the present points, lifted at each gap; a step
 * holds each value across its whole slot. */
static void
svg_path(struct buf *b, const struct svg_plot *p,
    const struct chart_series *s)
{
	size_t	 i;
	int	 pen = 0;
	double	 x, y, half = p->slot / 2;

	buf_printf(b, "<path class=\"line\" fill=\"none\" "
	    "stroke=\"currentColor\" stroke-width=\"2\" "
	    "stroke-linejoin=\"round\"%s d=\"", svg_dash(s->style));
	for (i = 0; i < p->nx; i++) {
		if (!svg_has(s, i)) {
			pen = 0;
			continue;
		}
		x = svg_x(p, i);
		y = svg_y(p, s->y[i]);
		if (s->style != CHART_STEP)
			buf_printf(b, "%s%.1f %.1f", pen ? " L" : "M", x, y);
		else if (pen)
			buf_printf(b, " V%.1f H%.1f", y, x + half);
		else
			buf_printf(b, "M%.1f %.1f H%.1f", x - half, y, x + half);
		pen = 1;
	}
	buf_puts(b, "\"/>");
}

/* The attributes a reader's tool checks: x label, value and bounds. */
static void
svg_point_data(struct buf *b, const char *const *xl,
    const struct chart_series *s, size_t i)
{
	buf_puts(b, " data-x=\"");
	svg_text(b, xl != NULL ? xl[i] : NULL);
	buf_puts(b, "\" data-value=\"");
	svg_value(b, s->y[i]);
	if (svg_has_bounds(s)) {
		buf_puts(b, "\" data-lo=\"");
		svg_value(b, s->lo[i]);
		buf_puts(b, "\" data-hi=\"");
		svg_value(b, s->hi[i]);
	}
	buf_puts(b, "\"");
}

/* The hover text of a point: its x label and value. */
static void
svg_point_title(struct buf *b, const char *const *xl,
    const struct chart_series *s, size_t i)
{
	buf_puts(b, "<title>");
	svg_text(b, xl != NULL ? xl[i] : NULL);
	buf_puts(b, ": ");
	svg_value(b, s->y[i]);
	buf_puts(b, "</title>");
}

/* One marker: a bar is its own marker; lines have a filled dot, dashed
 * lines a hollow one, steps a square. */
static void
svg_marker(struct buf *b, const char *cls, enum chart_style st, double x,
    double y)
{
	switch (st) {
	case CHART_STEP:
		buf_printf(b, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" "
		    "width=\"6\" height=\"6\" fill=\"currentColor\"", cls,
		    x - 3, y - 3);
		break;
	case CHART_DASHED:
		buf_printf(b, "<circle class=\"%s\" cx=\"%.1f\" "
		    "cy=\"%.1f\" r=\"3.5\" fill=\"none\" "
		    "stroke=\"currentColor\" stroke-width=\"1.5\"", cls, x, y);
		break;
	default:
		buf_printf(b, "<circle class=\"%s\" cx=\"%.1f\" "
		    "cy=\"%.1f\" r=\"3.5\" fill=\"currentColor\"", cls, x, y);
	}
}

/* A bar from zero to the value; bar series share a slot side by side. */
static void
svg_bar(struct buf *b, const struct svg_plot *p, double x, int64_t v)
{
	double	 w = p->slot * 0.7 / (double)p->nbars;
	double	 y = svg_y(p, v), y0 = svg_y(p, 0);

	buf_printf(b, "<rect class=\"point\" x=\"%.1f\" y=\"%.1f\" "
	    "width=\"%.1f\" height=\"%.1f\" fill=\"currentColor\" "
	    "fill-opacity=\"0.25\" stroke=\"currentColor\"",
	    x - p->slot * 0.35 + w * (double)p->bar, y < y0 ? y : y0, w,
	    y < y0 ? y0 - y : y - y0);
}

/* Series k: its band, its line, and a marker with data per point. */
static void
svg_series(struct buf *b, struct svg_plot *p, const struct chart *c,
    size_t k)
{
	const struct chart_series	*s = &c->series[k];
	size_t				 i, n = 0;

	for (i = 0; i < p->nx; i++)
		n += svg_has(s, i);
	buf_printf(b, "<g class=\"series\" data-series=\"%zu\">", k);
	if (n > 0 && svg_has_bounds(s))
		svg_band(b, p, s);
	if (n > 0 && s->style != CHART_BARS)
		svg_path(b, p, s);
	for (i = 0; i < p->nx; i++) {
		if (!svg_has(s, i))
			continue;
		if (s->style == CHART_BARS)
			svg_bar(b, p, svg_x(p, i), s->y[i]);
		else
			svg_marker(b, "point", s->style, svg_x(p, i),
			    svg_y(p, s->y[i]));
		buf_printf(b, " data-series=\"%zu\"", k);
		svg_point_data(b, c->x_labels, s, i);
		buf_puts(b, ">");
		svg_point_title(b, c->x_labels, s, i);
		buf_puts(b, s->style == CHART_BARS || s->style == CHART_STEP ?
		    "</rect>" : "</circle>");
	}
	p->bar += s->style == CHART_BARS;
	buf_puts(b, "</g>");
}

/* One legend row per series: a sample of its pattern (over a hatched
 * swatch when it has bounds) and its label. */
static void
svg_legend(struct buf *b, const struct svg_plot *p, const struct chart *c)
{
	const struct chart_series	*s;
	double				 x = p->left, y;
	size_t				 k;

	buf_puts(b, "<g class=\"legend\" fill=\"currentColor\">");
	for (k = 0; k < c->nseries; k++) {
		s = &c->series[k];
		y = SVG_LEGEND_TOP + SVG_LEGEND_ROW * (double)k;
		buf_printf(b, "<g class=\"legend-entry\" data-series=\"%zu\">",
		    k);
		if (svg_has_bounds(s))
			buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"28\" "
			    "height=\"12\" fill=\"url(#svg-chart-%u-hatch)\"/>",
			    x, y - 10, p->id);
		if (s->style == CHART_BARS)
			buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" "
			    "height=\"12\" fill=\"currentColor\" "
			    "fill-opacity=\"0.25\" stroke=\"currentColor\"/>",
			    x + 7, y - 10);
		else {
			buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" "
			    "x2=\"%.1f\" y2=\"%.1f\" stroke=\"currentColor\" "
			    "stroke-width=\"2\"%s/>", x, y - 4, x + 28, y - 4,
			    svg_dash(s->style));
			svg_marker(b, "sample", s->style, x + 14, y - 4);
			buf_puts(b, "/>");
		}
		buf_printf(b, "<text class=\"legend-label\" x=\"%.1f\" "
		    "y=\"%.1f\">", x + 36, y);
		svg_text(b, s->label);
		if (svg_has_bounds(s))
			buf_puts(b, " (hatched band: lower to upper bound)");
		buf_puts(b, "</text></g>");
	}
	buf_puts(b, "</g>");
}

/*
 * Append chart c to b as one inline <svg>: a small "No data" figure when
 * it has no x positions, no series or no present point. Ids are unique
 * per chart in a page (a process writes one page at a time).
 */
void
svg_chart_buf(struct buf *b, const struct chart *c)
{
	static unsigned	 seq;
	struct svg_plot	 p;
	size_t		 k;
	int		 hatch = 0;

	seq++;
	if (c->nx == 0 || c->nseries == 0 || c->series == NULL ||
	    svg_present(c) == 0) {
		svg_no_data(b, c, seq);
		return;
	}
	for (k = 0; k < c->nseries; k++)
		hatch |= svg_has_bounds(&c->series[k]);
	svg_plot_init(&p, c, seq);
	svg_open(b, c, seq, SVG_LEGEND_TOP + SVG_LEGEND_ROW *
	    (int)(c->nseries - 1) + 8, hatch);
	svg_y_axis(b, &p, c->y_unit);
	svg_x_axis(b, &p, c->x_labels);
	for (k = 0; k < c->nseries; k++)
		svg_series(b, &p, c, k);
	svg_legend(b, &p, c);
	buf_puts(b, "</svg>");
}

/* The same, appended to the response body. */
void
svg_chart(struct req *r, const struct chart *c)
{
	svg_chart_buf(&r->out.body, c);
}
