/*
 * fuzz_dpi.c - dpi_read, which reads designs downloaded from any URL a
 * client gives: PNG headers through libpng, JPEG headers through
 * libjpeg-turbo, and the bounded EXIF reader of XResolution. Whatever
 * the bytes, it answers: a kind with a pixel size (> 0) and a density
 * of -1 or 1..100000, or IMAGE_NONE with a reason; the reason fits its
 * buffer, and a cut buffer is never overrun. The same bytes read twice
 * give the same answer.
 */
#include <stdlib.h>
#include <string.h>

#include "mihwar.h"
#include "fuzz.h"

#define ERRSZ	96

static int
same(const struct image_info *a, const struct image_info *b)
{
	return a->kind == b->kind && a->width == b->width &&
	    a->height == b->height && a->dpi == b->dpi;
}

static void
check(const struct image_info *info, int ok, const char *err, size_t errsz)
{
	if (ok != (info->kind != IMAGE_NONE))
		abort();
	if (info->kind != IMAGE_NONE && info->kind != IMAGE_PNG &&
	    info->kind != IMAGE_JPEG)
		abort();
	if (ok && (info->width == 0 || info->height == 0))
		abort();
	if (!ok && (info->width != 0 || info->height != 0))
		abort();
	if (info->dpi != -1 && (info->dpi < 1 || info->dpi > 100000))
		abort();
	if (!ok && info->dpi != -1)
		abort();
	if (errsz > 0 && memchr(err, '\0', errsz) == NULL)
		abort();
	if (!ok && errsz > 1 && err[0] == '\0')
		abort();		/* a refusal has a reason */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct image_info	 a, b;
	char			 err[ERRSZ + 1], small[5];
	int			 ok;

	/* The buffer after the reason's room must stay untouched. */
	err[ERRSZ] = 'Z';
	ok = dpi_read(data, size, &a, err, ERRSZ);
	check(&a, ok, err, ERRSZ);
	if (err[ERRSZ] != 'Z')
		abort();

	/* A tiny reason buffer is cut, the answer the same. */
	small[4] = 'Z';
	if (dpi_read(data, size, &b, small, 4) != ok || small[4] != 'Z' ||
	    !same(&a, &b))
		abort();
	check(&b, ok, small, 4);

	/* No buffer for the reason at all. */
	if (dpi_read(data, size, &b, small, 0) != ok ||
	    !same(&a, &b))
		abort();
	return 0;
}
