/*
 * fuzz_body.c - req_read_body, which reads a request body through the
 * FastCGI stream under a size cap and checks it against Content-Length.
 *
 * The input drives everything: byte 0 picks the Content-Length header
 * (absent, empty, right, short, long, over the cap, or text from the
 * input), bytes 1-4 the sizes of the chunks the reader hands out, byte 5
 * whether the stream ends cleanly or in a read error; the rest is the
 * body the client sent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mihwar.h"
#include "fuzz.h"

#define HDR	6
#define CAP	4096

struct reader {
	const uint8_t	*p;
	size_t		 len, off;
	uint8_t		 sizes[4];
	unsigned	 calls;
	int		 fail_at_end;
	int		 done;
};

/* Hands out the body in chunks of the sizes asked for; 0 at the end. */
static int
read_chunk(void *arg, char *dst, int n)
{
	struct reader	*rd = arg;
	size_t		 want, t;

	if (rd->done)
		abort();		/* read again after the end */
	if (n <= 0)
		abort();
	if (rd->off == rd->len) {
		rd->done = 1;
		return rd->fail_at_end ? -1 : 0;
	}
	t = rd->sizes[rd->calls++ % 4];
	want = 1 + t * t / 4;		/* 1 .. 16257, mostly small */
	if (want > (size_t)n)
		want = (size_t)n;
	if (want > rd->len - rd->off)
		want = rd->len - rd->off;
	memcpy(dst, rd->p + rd->off, want);
	rd->off += want;
	return (int)want;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const odd[] = {
		"-1", "+5", " 5", "5 ", "0x10", "1e3", "9223372036854775807",
		"9223372036854775808", "18446744073709551616", "-0", "00",
		"4096", "4097", "\t7",
	};
	struct reader		 rd;
	struct buf		 b;
	char			 clen_buf[64];
	const char		*clen;
	enum req_body_res	 res;
	size_t			 blen, n, i;
	long long		 want = -1;

	if (size < HDR)
		return 0;
	memset(&rd, 0, sizeof(rd));
	rd.p = data + HDR;
	rd.len = blen = size - HDR;
	memcpy(rd.sizes, data + 1, 4);
	rd.fail_at_end = (data[5] & 7) == 0;

	clen = clen_buf;
	switch (data[0] % 8) {
	case 0:
		clen = NULL;
		break;
	case 1:
		clen = "";
		break;
	case 2:
	case 3:
		snprintf(clen_buf, sizeof(clen_buf), "%zu", blen);
		want = (long long)blen;
		break;
	case 4:
		n = (size_t)(data[0] >> 3);
		snprintf(clen_buf, sizeof(clen_buf), "%zu",
		    blen > n ? blen - n - 1 : 0);
		break;
	case 5:
		snprintf(clen_buf, sizeof(clen_buf), "%zu",
		    blen + (size_t)(data[0] >> 3) + 1);
		break;
	case 6:
		clen = odd[(data[0] >> 3) % (sizeof(odd) / sizeof(odd[0]))];
		break;
	default:
		/* The body's first line, as the header's text. */
		for (n = 0; n < blen && n < sizeof(clen_buf) - 1 &&
		    rd.p[n] != '\n' && rd.p[n] != '\0'; n++)
			clen_buf[n] = (char)rd.p[n];
		clen_buf[n] = '\0';
		break;
	}

	buf_init(&b);
	res = req_read_body(&b, read_chunk, &rd, clen, CAP);
	switch (res) {
	case BODY_OK:
		/* The whole body, byte for byte, within the cap. */
		if (b.len != blen || blen > CAP ||
		    (blen > 0 && memcmp(b.data, rd.p, blen) != 0) ||
		    (want >= 0 && (long long)blen != want))
			abort();
		break;
	case BODY_TOO_LARGE:
		/* The rest was drained so the web server sees a clean end. */
		if (!rd.done)
			abort();
		break;
	case BODY_READ_ERROR:
		if (want >= 0 && blen <= CAP && !rd.fail_at_end)
			abort();
		break;
	default:
		abort();
	}
	if (b.len > CAP || (b.data != NULL && b.data[b.len] != '\0'))
		abort();
	for (i = 0; i < b.len; i++)
		if ((uint8_t)b.data[i] != rd.p[i])
			abort();
	buf_cleanup(&b);
	return 0;
}
