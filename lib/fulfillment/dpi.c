/*
 * dpi.c - what kind of image a design is, its pixel size and its
 * density, read from the headers only: libpng for PNG (IHDR and pHYs,
 * every other ancillary chunk skipped unread), libjpeg-turbo for JPEG
 * (jpeg_read_header: the frame size, JFIF's density, and the APP1
 * markers saved for EXIF). The magic bytes decide the kind. Both
 * libraries report errors through handlers that jump back here, so a
 * corrupt file is refused with a reason and nothing is printed.
 *
 * libjpeg does not read EXIF, so its XResolution and ResolutionUnit
 * come from a small bounded reader of those two IFD0 tags
 * (dpi_exif_density): every offset is checked against the marker's
 * length, and anything off the TIFF 6.0 layout means no density.
 */
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <jpeglib.h>
#include <png.h>

#include "fulfillment/fulfillment.h"

#define DPI_MIN			1
#define DPI_MAX			100000
#define DPI_PNG_SIG		8

/* EXIF: the TIFF tags and types this reader knows. */
#define EXIF_TAG_XRESOLUTION	0x011A
#define EXIF_TAG_RESUNIT	0x0128
#define EXIF_TYPE_SHORT		3
#define EXIF_TYPE_RATIONAL	5
#define EXIF_UNIT_INCH		2
#define EXIF_UNIT_CM		3
#define EXIF_HEADER		"Exif\0\0"
#define EXIF_HEADER_LEN		6
#define EXIF_IFD_ENTRY		12

static const unsigned char jpeg_magic[3] = { 0xFF, 0xD8, 0xFF };

/* A density within the bounds a print can use, else -1. */
static int
dpi_bounded(uint64_t dpi)
{
	return dpi >= DPI_MIN && dpi <= DPI_MAX ? (int)dpi : -1;
}

static void
dpi_reason(char *err, size_t errsz, const char *fmt, const char *detail)
{
	if (errsz > 0)
		snprintf(err, errsz, fmt, detail);
}

/* PNG ------------------------------------------------------------------ */

/* Where libpng reads from, and where its error message is kept. */
struct dpi_png_src {
	const unsigned char	*p;
	size_t			 n, off;
	char			 msg[128];
};

static void
dpi_png_read(png_structp png, png_bytep out, size_t len)
{
	struct dpi_png_src	*s = png_get_io_ptr(png);

	if (len > s->n - s->off)
		png_error(png, "truncated");
	memcpy(out, s->p + s->off, len);
	s->off += len;
}

static void
dpi_png_error(png_structp png, png_const_charp msg)
{
	struct dpi_png_src	*s = png_get_error_ptr(png);

	snprintf(s->msg, sizeof(s->msg), "%s", msg);
	png_longjmp(png, 1);
}

/* Warnings (a bad CRC on an ancillary chunk) are not worth a word. */
static void
dpi_png_warning(png_structp png, png_const_charp msg)
{
	(void)png, (void)msg;
}

/* pHYs in pixels per metre as dots per inch: px/m x 0.0254, rounded
 * (11811 -> 300). The smaller axis counts: it is what prints worst. */
static int
dpi_png_density(png_structp png, png_infop info)
{
	png_uint_32	 x, y;
	int		 unit;

	if (png_get_pHYs(png, info, &x, &y, &unit) == 0 ||
	    unit != PNG_RESOLUTION_METER)
		return -1;
	if (y < x)
		x = y;
	return dpi_bounded(((uint64_t)x * 254 + 5000) / 10000);
}

/* Everything up to the first IDAT; 1 with info filled, 0 with a reason. */
static int
dpi_png(const unsigned char *p, size_t n, struct image_info *info,
    char *err, size_t errsz)
{
	static const png_byte	 keep_phys[] = { 'p', 'H', 'Y', 's', 0 };
	struct dpi_png_src	 src = { p, n, 0, "" };
	png_structp		 png;
	png_infop		 pi;
	volatile int		 ok = 0;	/* read after a longjmp */

	png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &src,
	    dpi_png_error, dpi_png_warning);
	if (png == NULL || (pi = png_create_info_struct(png)) == NULL) {
		png_destroy_read_struct(png ? &png : NULL, NULL, NULL);
		dpi_reason(err, errsz, "%s", "out of memory");
		return 0;
	}
	if (setjmp(png_jmpbuf(png))) {
		dpi_reason(err, errsz, "not a readable PNG: %s", src.msg);
		goto out;
	}
	/* Only IHDR, pHYs (and the critical chunks) are read; text,
	 * profiles and the rest are skipped without being inflated. */
	png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, NULL, -1);
	png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_AS_DEFAULT,
	    keep_phys, 1);
	png_set_read_fn(png, &src, dpi_png_read);
	png_read_info(png, pi);
	info->kind = IMAGE_PNG;
	info->width = png_get_image_width(png, pi);
	info->height = png_get_image_height(png, pi);
	info->dpi = dpi_png_density(png, pi);
	ok = info->width > 0 && info->height > 0;
	if (!ok) {
		dpi_reason(err, errsz, "%s", "not a readable PNG: no pixels");
		memset(info, 0, sizeof(*info));
	}
out:
	png_destroy_read_struct(&png, &pi, NULL);
	return ok;
}

/* EXIF ----------------------------------------------------------------- */

/* A TIFF block and its byte order, every read bounded by its length. */
struct dpi_tiff {
	const unsigned char	*p;
	size_t			 n;
	int			 big;	/* "MM": big-endian */
};

static int
dpi_tiff_u16(const struct dpi_tiff *t, size_t off, unsigned *out)
{
	if (off > t->n || t->n - off < 2)
		return 0;
	*out = t->big ? (unsigned)t->p[off] << 8 | t->p[off + 1] :
	    (unsigned)t->p[off + 1] << 8 | t->p[off];
	return 1;
}

static int
dpi_tiff_u32(const struct dpi_tiff *t, size_t off, uint32_t *out)
{
	const unsigned char	*b;

	if (off > t->n || t->n - off < 4)
		return 0;
	b = t->p + off;
	*out = t->big ?
	    (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 |
	    b[3] :
	    (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 |
	    b[0];
	return 1;
}

/* What IFD0 says of the resolution: XResolution's rational (den 0: none)
 * and ResolutionUnit (TIFF's default is inches). */
struct dpi_exif_res {
	uint32_t	 num, den;
	unsigned	 unit;
};

/* One IFD0 entry at off; 0 when it breaks the layout. */
static int
dpi_exif_entry(const struct dpi_tiff *t, size_t off, struct dpi_exif_res *res)
{
	unsigned	 tag, type;
	uint32_t	 count, at;

	if (!dpi_tiff_u16(t, off, &tag) || !dpi_tiff_u16(t, off + 2, &type) ||
	    !dpi_tiff_u32(t, off + 4, &count))
		return 0;
	if (tag == EXIF_TAG_XRESOLUTION) {
		/* A RATIONAL is 8 bytes: always at an offset. */
		if (type != EXIF_TYPE_RATIONAL || count != 1 ||
		    !dpi_tiff_u32(t, off + 8, &at) ||
		    !dpi_tiff_u32(t, at, &res->num) ||
		    !dpi_tiff_u32(t, (size_t)at + 4, &res->den))
			return 0;
	} else if (tag == EXIF_TAG_RESUNIT) {
		/* A SHORT sits in the first two bytes of the value field. */
		if (type != EXIF_TYPE_SHORT || count != 1 ||
		    !dpi_tiff_u16(t, off + 8, &res->unit))
			return 0;
	}
	return 1;
}

/*
 * The density of an APP1 EXIF marker's data (p, n): IFD0's XResolution
 * in ResolutionUnit, as dots per inch; -1 when there is none or the
 * block is not laid out as TIFF 6.0 says.
 */
static int
dpi_exif_density(const unsigned char *p, size_t n)
{
	struct dpi_tiff		 t;
	struct dpi_exif_res	 res = { 0, 0, EXIF_UNIT_INCH };
	unsigned		 magic, count, i;
	uint32_t		 ifd;

	if (n < EXIF_HEADER_LEN || memcmp(p, EXIF_HEADER, EXIF_HEADER_LEN) != 0)
		return -1;
	t.p = p + EXIF_HEADER_LEN;
	t.n = n - EXIF_HEADER_LEN;
	if (t.n < 8 || (memcmp(t.p, "II", 2) != 0 && memcmp(t.p, "MM", 2) != 0))
		return -1;
	t.big = t.p[0] == 'M';
	if (!dpi_tiff_u16(&t, 2, &magic) || magic != 42 ||
	    !dpi_tiff_u32(&t, 4, &ifd) || !dpi_tiff_u16(&t, ifd, &count))
		return -1;
	/* All the entries must be there: count is read from outside. */
	if ((uint64_t)ifd + 2 + (uint64_t)count * EXIF_IFD_ENTRY > t.n)
		return -1;
	for (i = 0; i < count; i++)
		if (!dpi_exif_entry(&t, (size_t)ifd + 2 + (size_t)i *
		    EXIF_IFD_ENTRY, &res))
			return -1;
	if (res.den == 0)
		return -1;
	if (res.unit == EXIF_UNIT_INCH)
		return dpi_bounded(((uint64_t)res.num * 2 + res.den) /
		    (2 * (uint64_t)res.den));
	if (res.unit == EXIF_UNIT_CM)	/* x 2.54, rounded */
		return dpi_bounded(((uint64_t)res.num * 254 + 50 *
		    (uint64_t)res.den) / (100 * (uint64_t)res.den));
	return -1;			/* 1: no absolute unit */
}

/* JPEG ----------------------------------------------------------------- */

/* libjpeg's error manager, with the way back and the message. */
struct dpi_jpeg_err {
	struct jpeg_error_mgr	 mgr;
	jmp_buf			 back;
	char			 msg[JMSG_LENGTH_MAX];
};

static void
dpi_jpeg_error_exit(j_common_ptr c)
{
	struct dpi_jpeg_err	*e = (struct dpi_jpeg_err *)c->err;

	(*c->err->format_message)(c, e->msg);
	longjmp(e->back, 1);
}

/* Warnings and trace lines are not printed (libjpeg writes to stderr). */
static void
dpi_jpeg_output_message(j_common_ptr c)
{
	(void)c;
}

/* JFIF's density in dots per inch (units 1: dpi, 2: dots/cm x 2.54);
 * -1 when there is no JFIF marker or it gives an aspect ratio only. */
static int
dpi_jfif_density(const struct jpeg_decompress_struct *c)
{
	unsigned	 x = c->X_density;

	if (!c->saw_JFIF_marker || x == 0)
		return -1;
	if (c->density_unit == 1)
		return dpi_bounded(x);
	if (c->density_unit == 2)
		return dpi_bounded(((uint64_t)x * 254 + 50) / 100);
	return -1;
}

/* The first EXIF APP1 marker's density, -1 when none gives one. */
static int
dpi_jpeg_exif(const struct jpeg_decompress_struct *c)
{
	jpeg_saved_marker_ptr	 m;

	for (m = c->marker_list; m != NULL; m = m->next)
		if (m->marker == JPEG_APP0 + 1 &&
		    m->data_length >= EXIF_HEADER_LEN &&
		    memcmp(m->data, EXIF_HEADER, EXIF_HEADER_LEN) == 0)
			return dpi_exif_density(m->data, m->data_length);
	return -1;
}

/* The frame header and the markers before it; 1 with info filled. */
static int
dpi_jpeg(const unsigned char *p, size_t n, struct image_info *info,
    char *err, size_t errsz)
{
	struct jpeg_decompress_struct	 c;
	struct dpi_jpeg_err		 e;
	volatile int			 ok = 0;	/* after a longjmp */

	memset(&c, 0, sizeof(c));
	c.err = jpeg_std_error(&e.mgr);
	e.mgr.error_exit = dpi_jpeg_error_exit;
	e.mgr.output_message = dpi_jpeg_output_message;
	e.msg[0] = '\0';
	if (setjmp(e.back)) {
		dpi_reason(err, errsz, "not a readable JPEG: %s", e.msg);
		goto out;
	}
	jpeg_create_decompress(&c);
	jpeg_mem_src(&c, p, (unsigned long)n);
	jpeg_save_markers(&c, JPEG_APP0 + 1, 0xFFFF);
	if (jpeg_read_header(&c, TRUE) != JPEG_HEADER_OK) {
		dpi_reason(err, errsz, "%s", "not a readable JPEG: no image");
		goto out;
	}
	info->kind = IMAGE_JPEG;
	info->width = c.image_width;
	info->height = c.image_height;
	if ((info->dpi = dpi_jfif_density(&c)) == -1)
		info->dpi = dpi_jpeg_exif(&c);
	ok = info->width > 0 && info->height > 0;
	if (!ok) {
		dpi_reason(err, errsz, "%s", "not a readable JPEG: no pixels");
		memset(info, 0, sizeof(*info));
	}
out:
	jpeg_destroy_decompress(&c);
	return ok;
}

/*
 * The kind, pixel size and density of the image in p[0..n). 1 when it
 * is a PNG or JPEG whose headers read (dpi -1 when the file gives no
 * density); else 0, info->kind IMAGE_NONE and the reason in err.
 */
int
dpi_read(const unsigned char *p, size_t n, struct image_info *info, char *err,
    size_t errsz)
{
	memset(info, 0, sizeof(*info));
	info->dpi = -1;
	if (errsz > 0)
		err[0] = '\0';
	if (n == 0) {
		dpi_reason(err, errsz, "%s", "the file is empty");
		return 0;
	}
	if (n >= DPI_PNG_SIG && png_sig_cmp(p, 0, DPI_PNG_SIG) == 0) {
		if (dpi_png(p, n, info, err, errsz))
			return 1;
	} else if (n >= sizeof(jpeg_magic) &&
	    memcmp(p, jpeg_magic, sizeof(jpeg_magic)) == 0) {
		if (dpi_jpeg(p, n, info, err, errsz))
			return 1;
	} else
		dpi_reason(err, errsz, "%s", "not a PNG or JPEG image");
	memset(info, 0, sizeof(*info));
	info->dpi = -1;
	return 0;
}
