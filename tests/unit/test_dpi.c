/*
 * test_dpi.c - dpi_read over images made here: PNGs written with libpng
 * (with and without pHYs, each unit), JPEGs compressed with libjpeg
 * (JFIF densities in dots per inch, per centimetre and aspect only;
 * EXIF XResolution in either byte order and unit, alone and beside
 * JFIF), then truncated, corrupted and foreign inputs, which must be
 * refused with a reason and without a word on stderr.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jpeglib.h>
#include <png.h>

#include "mihwar.h"
#include "tests.h"

#define IMG_MAX		(256 * 1024)

/* An image made in memory. */
struct img {
	unsigned char	 p[IMG_MAX];
	size_t		 n;
};

static void
img_write(png_structp png, png_bytep data, size_t len)
{
	struct img	*m = png_get_io_ptr(png);

	if (len > sizeof(m->p) - m->n)
		png_error(png, "test image too large");
	memcpy(m->p + m->n, data, len);
	m->n += len;
}

static void
img_flush(png_structp png)
{
	(void)png;
}

/* A w x h grey PNG; pHYs (x, y, unit) when phys is set. 1 on success. */
static int
make_png(struct img *m, unsigned w, unsigned h, int phys, png_uint_32 x,
    png_uint_32 y, int unit)
{
	png_structp		 png;
	png_infop		 info;
	unsigned char		*row;
	volatile int		 ok = 0;
	unsigned		 i;

	m->n = 0;
	if ((row = calloc(1, w)) == NULL)
		return 0;
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	info = png ? png_create_info_struct(png) : NULL;
	if (info == NULL || setjmp(png_jmpbuf(png)))
		goto out;
	png_set_write_fn(png, m, img_write, img_flush);
	png_set_IHDR(png, info, w, h, 8, PNG_COLOR_TYPE_GRAY,
	    PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
	    PNG_FILTER_TYPE_DEFAULT);
	if (phys)
		png_set_pHYs(png, info, x, y, unit);
	png_write_info(png, info);
	for (i = 0; i < h; i++)
		png_write_row(png, row);
	png_write_end(png, info);
	ok = 1;
out:
	png_destroy_write_struct(png ? &png : NULL, info ? &info : NULL);
	free(row);
	return ok;
}

/* What a JPEG made here carries before its frame. */
struct jpeg_spec {
	int			 jfif;		/* write a JFIF APP0 */
	int			 unit;		/* its density_unit */
	unsigned		 density;	/* its X and Y density */
	const unsigned char	*exif;		/* APP1 marker data */
	size_t			 exif_len;
};

/* A w x h grey baseline JPEG as spec says. 1 on success. */
static int
make_jpeg(struct img *m, unsigned w, unsigned h, const struct jpeg_spec *s)
{
	struct jpeg_compress_struct	 c;
	struct jpeg_error_mgr		 e;
	unsigned char			*out = NULL, *row;
	unsigned long			 len = 0;
	unsigned			 i;
	int				 ok = 0;

	if ((row = calloc(1, w)) == NULL)
		return 0;
	c.err = jpeg_std_error(&e);
	jpeg_create_compress(&c);
	jpeg_mem_dest(&c, &out, &len);
	c.image_width = w;
	c.image_height = h;
	c.input_components = 1;
	c.in_color_space = JCS_GRAYSCALE;
	jpeg_set_defaults(&c);
	c.write_JFIF_header = s->jfif ? TRUE : FALSE;
	c.density_unit = (UINT8)s->unit;
	c.X_density = (UINT16)s->density;
	c.Y_density = (UINT16)s->density;
	jpeg_start_compress(&c, TRUE);
	if (s->exif != NULL)
		jpeg_write_marker(&c, JPEG_APP0 + 1, s->exif,
		    (unsigned)s->exif_len);
	for (i = 0; i < h; i++)
		jpeg_write_scanlines(&c, &row, 1);
	jpeg_finish_compress(&c);
	if (len <= sizeof(m->p)) {
		memcpy(m->p, out, len);
		m->n = len;
		ok = 1;
	}
	jpeg_destroy_compress(&c);
	free(out);
	free(row);
	return ok;
}

static void
put16(unsigned char *b, int big, unsigned v)
{
	b[big ? 0 : 1] = (unsigned char)(v >> 8);
	b[big ? 1 : 0] = (unsigned char)v;
}

static void
put32(unsigned char *b, int big, uint32_t v)
{
	int	 i;

	for (i = 0; i < 4; i++)
		b[big ? i : 3 - i] = (unsigned char)(v >> (24 - 8 * i));
}

/*
 * An EXIF APP1 block: "Exif\0\0", a TIFF header in the byte order big
 * says, IFD0 with XResolution num/den and (unit > 0) ResolutionUnit,
 * the rational after it. Returns its length.
 */
static size_t
make_exif(unsigned char *b, int big, uint32_t num, uint32_t den,
    unsigned unit)
{
	unsigned char	*t = b + 6, *e;
	unsigned	 count = unit > 0 ? 2 : 1;
	size_t		 ifd = 8, rat = ifd + 2 + 12 * count + 4;

	memcpy(b, "Exif\0\0", 6);
	memcpy(t, big ? "MM" : "II", 2);
	put16(t + 2, big, 42);
	put32(t + 4, big, (uint32_t)ifd);
	put16(t + ifd, big, count);
	e = t + ifd + 2;
	put16(e, big, 0x011A);			/* XResolution */
	put16(e + 2, big, 5);			/* RATIONAL */
	put32(e + 4, big, 1);
	put32(e + 8, big, (uint32_t)rat);
	if (unit > 0) {
		e += 12;
		put16(e, big, 0x0128);		/* ResolutionUnit */
		put16(e + 2, big, 3);		/* SHORT */
		put32(e + 4, big, 1);
		memset(e + 8, 0, 4);
		put16(e + 8, big, unit);
	}
	put32(t + rat - 4, big, 0);		/* no next IFD */
	put32(t + rat, big, num);
	put32(t + rat + 4, big, den);
	return 6 + rat + 8;
}

/* One read, checked against what the case expects. */
static void
expect(const char *name, const struct img *m, enum image_kind kind,
    unsigned long w, unsigned long h, int dpi)
{
	struct image_info	 info;
	char			 err[160];
	int			 ok;

	ok = dpi_read(m->p, m->n, &info, err, sizeof(err));
	CHECK(ok == (kind != IMAGE_NONE), "[%s] dpi_read %d (%s)", name, ok,
	    err);
	CHECK(info.kind == kind, "[%s] kind %d, want %d", name, info.kind,
	    kind);
	CHECK(info.width == w && info.height == h, "[%s] %lux%lu, want "
	    "%lux%lu", name, info.width, info.height, w, h);
	CHECK(info.dpi == dpi, "[%s] dpi %d, want %d", name, info.dpi, dpi);
	CHECK(ok || err[0] != '\0', "[%s] refused without a reason", name);
}

static void
test_png_density(void)
{
	static const struct {
		const char	*name;
		unsigned	 w, h;
		int		 phys;
		png_uint_32	 x, y;
		int		 unit;
		int		 dpi;
	} cases[] = {
		{ "11811 px/m is 300", 40, 30, 1, 11811, 11811, 1, 300 },
		{ "5906 px/m is 150", 40, 30, 1, 5906, 5906, 1, 150 },
		{ "2835 px/m is 72", 3, 500, 1, 2835, 2835, 1, 72 },
		{ "11812 px/m rounds to 300", 1, 1, 1, 11812, 11812, 1, 300 },
		{ "39 px/m rounds to 1", 2, 2, 1, 39, 39, 1, 1 },
		{ "19 px/m rounds to 0: none", 2, 2, 1, 19, 19, 1, -1 },
		{ "unequal axes: the smaller", 8, 8, 1, 11811, 2835, 1, 72 },
		{ "unit unknown: aspect only", 8, 8, 1, 11811, 11811, 0, -1 },
		{ "no pHYs", 640, 480, 0, 0, 0, 0, -1 },
		{ "absurd density: none", 8, 8, 1, 2000000000u, 2000000000u, 1,
		    -1 },
	};
	struct img	*m = malloc(sizeof(*m));
	size_t		 i;

	if (!CHECK(m != NULL, "out of memory"))
		return;
	for (i = 0; i < NELEM(cases); i++) {
		if (!CHECK(make_png(m, cases[i].w, cases[i].h, cases[i].phys,
		    cases[i].x, cases[i].y, cases[i].unit), "[%s] make_png",
		    cases[i].name))
			continue;
		expect(cases[i].name, m, IMAGE_PNG, cases[i].w, cases[i].h,
		    cases[i].dpi);
	}
	free(m);
}

static void
test_jpeg_jfif(void)
{
	static const struct {
		const char	*name;
		int		 unit;
		unsigned	 density;
		int		 dpi;
	} cases[] = {
		{ "dpi 300", 1, 300, 300 },
		{ "dpi 150", 1, 150, 150 },
		{ "dpi 72", 1, 72, 72 },
		{ "dots/cm 118 is 300", 2, 118, 300 },
		{ "dots/cm 59 is 150", 2, 59, 150 },
		{ "dots/cm 28 is 71", 2, 28, 71 },
		{ "aspect only", 0, 1, -1 },
		{ "dpi 0", 1, 0, -1 },
	};
	struct img		*m = malloc(sizeof(*m));
	struct jpeg_spec	 s;
	size_t			 i;

	if (!CHECK(m != NULL, "out of memory"))
		return;
	for (i = 0; i < NELEM(cases); i++) {
		memset(&s, 0, sizeof(s));
		s.jfif = 1;
		s.unit = cases[i].unit;
		s.density = cases[i].density;
		if (!CHECK(make_jpeg(m, 48, 32, &s), "[%s] make_jpeg",
		    cases[i].name))
			continue;
		expect(cases[i].name, m, IMAGE_JPEG, 48, 32, cases[i].dpi);
	}
	free(m);
}

static void
test_jpeg_exif(void)
{
	static const struct {
		const char	*name;
		int		 jfif, jfif_unit;
		unsigned	 jfif_density;
		int		 big;
		uint32_t	 num, den;
		unsigned	 unit;	/* 0: no ResolutionUnit tag */
		int		 dpi;
	} cases[] = {
		{ "II inch 300", 0, 0, 0, 0, 300, 1, 2, 300 },
		{ "MM inch 72", 0, 0, 0, 1, 72, 1, 2, 72 },
		{ "MM inch 3000/20", 0, 0, 0, 1, 3000, 20, 2, 150 },
		{ "II no unit tag: inches", 0, 0, 0, 0, 300, 1, 0, 300 },
		{ "II cm 1181/10", 0, 0, 0, 0, 1181, 10, 3, 300 },
		{ "MM cm 59", 0, 0, 0, 1, 59, 1, 3, 150 },
		{ "unit 1: no absolute unit", 0, 0, 0, 0, 300, 1, 1, -1 },
		{ "unit 7: unknown", 0, 0, 0, 1, 300, 1, 7, -1 },
		{ "denominator 0", 0, 0, 0, 0, 300, 0, 2, -1 },
		{ "JFIF aspect only: EXIF", 1, 0, 1, 0, 300, 1, 2, 300 },
		{ "JFIF dpi wins", 1, 1, 72, 1, 300, 1, 2, 72 },
		{ "JFIF dots/cm wins", 1, 2, 59, 0, 300, 1, 2, 150 },
	};
	struct img		*m = malloc(sizeof(*m));
	struct jpeg_spec	 s;
	unsigned char		 exif[128];
	size_t			 i;

	if (!CHECK(m != NULL, "out of memory"))
		return;
	for (i = 0; i < NELEM(cases); i++) {
		memset(&s, 0, sizeof(s));
		s.jfif = cases[i].jfif;
		s.unit = cases[i].jfif_unit;
		s.density = cases[i].jfif_density;
		s.exif = exif;
		s.exif_len = make_exif(exif, cases[i].big, cases[i].num,
		    cases[i].den, cases[i].unit);
		if (!CHECK(make_jpeg(m, 16, 24, &s), "[%s] make_jpeg",
		    cases[i].name))
			continue;
		expect(cases[i].name, m, IMAGE_JPEG, 16, 24, cases[i].dpi);
	}
	free(m);
}

/* EXIF blocks broken one way each: the image reads, with no density. */
static void
test_jpeg_exif_broken(void)
{
	static const struct {
		const char	*name;
		int		 set;	/* set byte at to v */
		size_t		 at;
		unsigned char	 v;
		size_t		 cut;	/* bytes kept; 0: all */
	} cases[] = {
		/* The block (II, inch): "Exif\0\0", TIFF header at 6, IFD0
		 * count at 14, XResolution's entry at 16, ResolutionUnit's
		 * at 28, the rational at 44..51. */
		{ "not TIFF byte order", 1, 6, 'X', 0 },
		{ "TIFF magic 43", 1, 8, 43, 0 },
		{ "IFD0 past the end", 1, 10, 0xF0, 0 },
		{ "entry count past the end", 1, 14, 0xFF, 0 },
		{ "XResolution as SHORT", 1, 18, 3, 0 },
		{ "XResolution count 2", 1, 20, 2, 0 },
		{ "rational offset past the end", 1, 24, 0xF0, 0 },
		{ "ResolutionUnit as LONG", 1, 30, 4, 0 },
		{ "rational cut off", 0, 0, 0, 48 },
		{ "Exif header only", 0, 0, 0, 6 },
		{ "no Exif header", 1, 0, 'x', 0 },
	};
	struct img		*m = malloc(sizeof(*m));
	struct jpeg_spec	 s;
	unsigned char		 exif[128];
	size_t			 i, n;

	if (!CHECK(m != NULL, "out of memory"))
		return;
	for (i = 0; i < NELEM(cases); i++) {
		n = make_exif(exif, 0, 300, 1, 2);
		if (cases[i].set)
			exif[cases[i].at] = cases[i].v;
		memset(&s, 0, sizeof(s));
		s.exif = exif;
		s.exif_len = cases[i].cut > 0 ? cases[i].cut : n;
		if (!CHECK(make_jpeg(m, 16, 16, &s), "[%s] make_jpeg",
		    cases[i].name))
			continue;
		expect(cases[i].name, m, IMAGE_JPEG, 16, 16, -1);
	}
	free(m);
}

/* Run fn with stderr sent to a file; 1 when nothing was written. */
static int
quietly(void (*fn)(void *), void *arg)
{
	FILE		*f = tmpfile();
	struct stat	 st;
	int		 saved, quiet;

	if (f == NULL || (saved = dup(STDERR_FILENO)) == -1) {
		if (f != NULL)
			fclose(f);
		return 0;
	}
	fflush(stderr);
	dup2(fileno(f), STDERR_FILENO);
	fn(arg);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	quiet = fstat(fileno(f), &st) == 0 && st.st_size == 0;
	fclose(f);
	return quiet;
}

/* Foreign and broken inputs: refused with a reason. */
struct refusal {
	const char		*name;
	const unsigned char	*p;
	size_t			 n;
	const char		*reason;	/* the start of it */
};

static void
run_refusals(void *arg)
{
	const struct refusal	*cases = arg;
	struct image_info	 info;
	char			 err[160];
	size_t			 i;
	int			 ok;

	for (i = 0; cases[i].name != NULL; i++) {
		memset(&info, 0x5A, sizeof(info));
		ok = dpi_read(cases[i].p, cases[i].n, &info, err, sizeof(err));
		CHECK(!ok && info.kind == IMAGE_NONE && info.width == 0 &&
		    info.height == 0 && info.dpi == -1, "[%s] accepted: kind "
		    "%d %lux%lu dpi %d", cases[i].name, info.kind, info.width,
		    info.height, info.dpi);
		CHECK(strncmp(err, cases[i].reason, strlen(cases[i].reason)) ==
		    0, "[%s] reason \"%s\", want \"%s...\"", cases[i].name, err,
		    cases[i].reason);
	}
}

/* PNG's chunk CRC (ISO 3309), to forge a chunk that passes it. */
static uint32_t
png_crc(const unsigned char *p, size_t n)
{
	uint32_t	 c = 0xFFFFFFFFu;
	size_t		 i;
	int		 k;

	for (i = 0; i < n; i++) {
		c ^= p[i];
		for (k = 0; k < 8; k++)
			c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
	}
	return c ^ 0xFFFFFFFFu;
}

static void
test_refused(void)
{
	static struct img	 png, jpeg, bad_crc, zero_w, no_sof;
	static struct refusal	 cases[16];
	struct jpeg_spec	 s;
	uint32_t		 crc;
	size_t			 k = 0;

	memset(&s, 0, sizeof(s));
	s.jfif = 1;
	s.unit = 1;
	s.density = 300;
	if (!CHECK(make_png(&png, 8, 8, 1, 11811, 11811, 1), "make_png") ||
	    !CHECK(make_jpeg(&jpeg, 8, 8, &s), "make_jpeg"))
		return;
	/* IHDR: length at 8, type at 12, data at 16..28, CRC at 29..32. */
	bad_crc = png;
	bad_crc.p[30] ^= 0xFF;
	zero_w = png;
	memset(zero_w.p + 16, 0, 4);
	crc = png_crc(zero_w.p + 12, 17);
	put32(zero_w.p + 29, 1, crc);
	/* SOI and JFIF's APP0 (20 bytes), then EOI: no frame. */
	memcpy(no_sof.p, jpeg.p, 20);
	no_sof.p[20] = 0xFF;
	no_sof.p[21] = 0xD9;
	no_sof.n = 22;

	cases[k++] = (struct refusal){ "empty", png.p, 0,
	    "the file is empty" };
	cases[k++] = (struct refusal){ "GIF", (const unsigned char *)
	    "GIF89a\x01\0\x01\0\0\0\0;", 14, "not a PNG or JPEG image" };
	cases[k++] = (struct refusal){ "HTML", (const unsigned char *)
	    "<!doctype html><p>hi", 20, "not a PNG or JPEG image" };
	cases[k++] = (struct refusal){ "PNG signature, 7 bytes", png.p, 7,
	    "not a PNG or JPEG image" };
	cases[k++] = (struct refusal){ "PNG signature only", png.p, 8,
	    "not a readable PNG" };
	cases[k++] = (struct refusal){ "PNG cut in IHDR", png.p, 20,
	    "not a readable PNG" };
	cases[k++] = (struct refusal){ "PNG cut before IDAT", png.p, 33,
	    "not a readable PNG" };
	cases[k++] = (struct refusal){ "PNG IHDR CRC wrong", bad_crc.p,
	    bad_crc.n, "not a readable PNG" };
	cases[k++] = (struct refusal){ "PNG width 0", zero_w.p, zero_w.n,
	    "not a readable PNG" };
	cases[k++] = (struct refusal){ "JPEG SOI only", jpeg.p, 2,
	    "not a PNG or JPEG image" };
	cases[k++] = (struct refusal){ "JPEG SOI and a marker byte", jpeg.p,
	    3, "not a readable JPEG" };
	cases[k++] = (struct refusal){ "JPEG cut in APP0", jpeg.p, 12,
	    "not a readable JPEG" };
	cases[k++] = (struct refusal){ "JPEG without a frame", no_sof.p,
	    no_sof.n, "not a readable JPEG" };
	cases[k++] = (struct refusal){ NULL, NULL, 0, NULL };
	CHECK(quietly(run_refusals, cases), "something was printed on stderr");
}

/* Every prefix of a PNG and of a JPEG: a full read or a refusal with a
 * reason, invariants kept, nothing printed. */
struct prefixes {
	const struct img	*png, *jpeg;
};

static void
check_prefixes(const struct img *m, const char *what)
{
	struct image_info	 info;
	char			 err[160];
	size_t			 n;
	int			 ok;

	for (n = 0; n <= m->n; n++) {
		ok = dpi_read(m->p, n, &info, err, sizeof(err));
		if (ok)
			CHECK(info.kind != IMAGE_NONE && info.width == 20 &&
			    info.height == 10 && info.dpi == 300, "[%s cut at "
			    "%zu] read as %d %lux%lu dpi %d", what, n,
			    info.kind, info.width, info.height, info.dpi);
		else
			CHECK(info.kind == IMAGE_NONE && err[0] != '\0' &&
			    info.dpi == -1, "[%s cut at %zu] refused without "
			    "a reason", what, n);
	}
	/* The whole file reads. */
	CHECK(dpi_read(m->p, m->n, &info, err, sizeof(err)), "[%s] whole: %s",
	    what, err);
}

static void
run_prefixes(void *arg)
{
	const struct prefixes	*p = arg;

	check_prefixes(p->png, "PNG");
	check_prefixes(p->jpeg, "JPEG");
}

static void
test_prefixes(void)
{
	struct img		*png = malloc(sizeof(*png));
	struct img		*jpeg = malloc(sizeof(*jpeg));
	struct jpeg_spec	 s;
	struct prefixes		 p = { png, jpeg };

	memset(&s, 0, sizeof(s));
	s.jfif = 1;
	s.unit = 1;
	s.density = 300;
	if (CHECK(png != NULL && jpeg != NULL, "out of memory") &&
	    CHECK(make_png(png, 20, 10, 1, 11811, 11811, 1), "make_png") &&
	    CHECK(make_jpeg(jpeg, 20, 10, &s), "make_jpeg"))
		CHECK(quietly(run_prefixes, &p), "something was printed on "
		    "stderr");
	free(png);
	free(jpeg);
}

/* A small err buffer is cut, never overrun; errsz 0 writes nothing. */
static void
test_err_buffer(void)
{
	struct image_info	 info;
	char			 err[8];

	memset(err, 'x', sizeof(err));
	CHECK(!dpi_read((const unsigned char *)"nope", 4, &info, err, 4) &&
	    err[3] == '\0' && err[4] == 'x', "err overrun or not cut: %s",
	    test_esc(err, sizeof(err)));
	memset(err, 'x', sizeof(err));
	CHECK(!dpi_read((const unsigned char *)"nope", 4, &info, err, 0) &&
	    err[0] == 'x', "errsz 0 wrote");
}

void
test_dpi_register(void)
{
	static const struct test_def tests[] = {
		{ "PNG pHYs densities and sizes", test_png_density },
		{ "JPEG JFIF densities", test_jpeg_jfif },
		{ "JPEG EXIF XResolution", test_jpeg_exif },
		{ "JPEG EXIF blocks off the layout", test_jpeg_exif_broken },
		{ "foreign, truncated and corrupt inputs", test_refused },
		{ "every prefix of a PNG and a JPEG", test_prefixes },
		{ "the reason buffer", test_err_buffer },
	};

	test_add_suite("dpi", NULL, NULL, tests, NELEM(tests));
}
