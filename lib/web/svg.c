/*
 * svg.c - charts drawn by the server as inline SVG (to be written; draws
 * an empty figure until then).
 */
#include "web/web.h"

void
svg_chart_buf(struct buf *b, const struct chart *c)
{
	(void)c;
	buf_puts(b, "<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>");
}

void
svg_chart(struct req *r, const struct chart *c)
{
	svg_chart_buf(&r->out.body, c);
}
