/*
 * driver.c - a standalone stand-in for libFuzzer, so every fuzz target
 * builds with gcc and runs under ASan/UBSan in each test run.
 *
 *	fuzz_x [SEEDS ...]
 *
 * Each argument is a seed directory (every regular file in it, in name
 * order) or a single file. The driver replays every seed, then runs
 * FUZZ_RUNS (default 20000) inputs made by stacking simple mutations of
 * the seeds with a PRNG seeded by FUZZ_SEED (default 1), so a run is the
 * same every time. Inputs are capped at 64 KiB; each goes to
 * LLVMFuzzerTestOneInput in a fresh malloc'd buffer of exactly its size,
 * so ASan sees a read one byte past it. On a crash the input is printed in hex on stderr and written to
 * FUZZ_ARTIFACT_DIR (default ".") as crash-<hash>; the sanitizer's
 * non-zero exit is what a test run checks. FUZZ_RUNS=0 only replays, so
 * `fuzz_x crash-...` reproduces a crash.
 */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE	200809L		/* strdup, stat, sigaction */
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

#define MAX_LEN		(64 * 1024)
#define DEFAULT_RUNS	20000ULL
#define HISTORY		32

/* Present when linked with a sanitizer runtime (ASan, UBSan). */
void	__sanitizer_set_death_callback(void (*)(void)) __attribute__((weak));

struct input {
	uint8_t	*data;
	size_t	 len;
	char	*name;
};

static struct input	*seeds;
static size_t		 nseeds;
static struct input	 history[HISTORY];	/* recent mutants */
static uint64_t		 rng_state;
static uint8_t		 work[MAX_LEN];
static char		 recent_name[] = "a recent mutant";

/* What is running now, for the crash report. */
static const uint8_t	*cur_data;
static size_t		 cur_len;
static char		 cur_desc[512];
static const char	*artifact_dir = ".";

/* Bytes and strings that tend to matter to parsers of outside input. */
static const struct {
	const char	*s;
	size_t		 n;
} tokens[] = {
#define T(x)	{ x, sizeof(x) - 1 }
	T("\x00"), T("\xff"), T("\""), T("\\"), T("{"), T("["), T("%"),
	T("&"), T("="), T("\xC0"), T("\xED\xA0\x80"),
	T("}"), T("]"), T(":"), T(","), T("\n"), T("\r\n"), T("\t"), T(" "),
	T("/"), T("?"), T("+"), T("#"), T("-"), T("."), T("0"), T("-0"),
	T("%00"), T("%2F"), T("%zz"), T("%4"), T("%C0%80"), T("%ED%A0%80"),
	T("%F4%90%80%80"), T("%e2%82%ac"), T("{x}"), T("//"), T("/.."),
	T("\\u0000"), T("\\ud800"), T("\\udc00\\ud800"), T("\\uD83D\\uDE00"),
	T("\\u00e9"), T("\\/"), T("\\x41"),
	T("1e999"), T("-1e-999"), T("1E+2"), T("0.1e-7"), T("01"), T("NaN"),
	T("Infinity"), T("9223372036854775807"), T("9223372036854775808"),
	T("-9223372036854775809"), T("18446744073709551616"),
	T("4294967296"), T("2147483648"),
	T("true"), T("false"), T("null"), T("\"\":"), T("{\"a\":"),
	T("[[[["), T("]]]]"), T("\xEF\xBB\xBF"), T("\xF0\x9F\x98\x80"),
	T("\xF4\x90\x80\x80"), T("\xE0\x80\x80"), T("\xC2\xA0"), T("\x7f"),
	T("\x80"), T("\xF8\x88\x80\x80\x80"),
#undef T
};
#define NTOKENS	(sizeof(tokens) / sizeof(tokens[0]))

static uint64_t
rnd(void)
{
	/* splitmix64: tiny, and the same stream on every platform */
	uint64_t	 z = (rng_state += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* Uniform-enough integer in [0, n); 0 when n is 0. */
static size_t
below(size_t n)
{
	return n == 0 ? 0 : (size_t)(rnd() % n);
}

/* Mostly small numbers, sometimes large ones: lengths of edits. */
static size_t
small_len(size_t max)
{
	size_t	 n;

	if (max == 0)
		return 0;
	switch (below(4)) {
	case 0:
	case 1:
		n = 1 + below(4);
		break;
	case 2:
		n = 1 + below(32);
		break;
	default:
		n = 1 + below(max);
		break;
	}
	return n > max ? max : n;
}

static void
die(const char *what)
{
	fprintf(stderr, "fuzz driver: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void *
xmalloc(size_t n)
{
	void	*p = malloc(n ? n : 1);

	if (p == NULL)
		die("malloc");
	return p;
}

/* --- crash report (async-signal-safe: write(2) and open(2) only) --- */

static void
put(const char *s, size_t n)
{
	ssize_t	 w;

	while (n > 0 && (w = write(2, s, n)) > 0) {
		s += w;
		n -= (size_t)w;
	}
}

static void
puts2(const char *s)
{
	put(s, strlen(s));
}

static void
put_hex(const uint8_t *p, size_t n)
{
	static const char	 digits[] = "0123456789abcdef";
	char			 line[128];
	size_t			 i, j = 0;

	for (i = 0; i < n; i++) {
		line[j++] = digits[p[i] >> 4];
		line[j++] = digits[p[i] & 0xF];
		if (j == 64 || i + 1 == n) {
			line[j++] = '\n';
			put(line, j);
			j = 0;
		}
	}
}

static uint64_t
fnv1a(const uint8_t *p, size_t n)
{
	uint64_t	 h = 0xcbf29ce484222325ULL;
	size_t		 i;

	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

static void
crash_report(void)
{
	static const char	 digits[] = "0123456789abcdef";
	static int		 once;
	char			 path[4096], name[24] = "crash-";
	uint64_t		 h;
	size_t			 dl;
	int			 i, fd;

	if (once++ || cur_data == NULL)
		return;
	h = fnv1a(cur_data, cur_len);
	for (i = 0; i < 16; i++)
		name[6 + i] = digits[(h >> (60 - 4 * i)) & 0xF];
	name[22] = '\0';
	puts2("\n==fuzz== crash on ");
	puts2(cur_desc);
	puts2("\n==fuzz== input (hex):\n");
	put_hex(cur_data, cur_len > 4096 ? 4096 : cur_len);
	if (cur_len > 4096)
		puts2("==fuzz== (input longer than 4096 bytes, hex cut)\n");
	dl = strlen(artifact_dir);
	if (dl + 1 + sizeof(name) > sizeof(path))
		return;
	memcpy(path, artifact_dir, dl);
	path[dl] = '/';
	memcpy(path + dl + 1, name, sizeof(name));
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0) {
		puts2("==fuzz== could not write ");
		puts2(path);
		puts2("\n");
		return;
	}
	{
		const uint8_t	*p = cur_data;
		size_t		 n = cur_len;
		ssize_t		 w;

		while (n > 0 && (w = write(fd, p, n)) > 0) {
			p += w;
			n -= (size_t)w;
		}
	}
	close(fd);
	puts2("==fuzz== input written to ");
	puts2(path);
	puts2("\n");
}

static void
on_signal(int sig)
{
	crash_report();
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * Report through the sanitizer when there is one (it handles SIGSEGV and
 * friends itself), and on abort() of a target's own check in any case.
 */
static void
crash_hooks(void)
{
	static const int	 sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL };
	size_t			 i;

	signal(SIGABRT, on_signal);
	if (__sanitizer_set_death_callback != NULL) {
		__sanitizer_set_death_callback(crash_report);
		return;
	}
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], on_signal);
}

/* --- seeds --- */

static void
add_seed(const char *name, const uint8_t *p, size_t n)
{
	struct input	*s;

	if ((s = realloc(seeds, (nseeds + 1) * sizeof(*s))) == NULL)
		die("realloc");
	seeds = s;
	if (n > MAX_LEN)
		n = MAX_LEN;
	s[nseeds].data = xmalloc(n);
	memcpy(s[nseeds].data, p, n);
	s[nseeds].len = n;
	if ((s[nseeds].name = strdup(name)) == NULL)
		die("strdup");
	nseeds++;
}

static void
load_file(const char *path)
{
	FILE	*f;
	size_t	 n;

	if ((f = fopen(path, "rb")) == NULL)
		die(path);
	n = fread(work, 1, sizeof(work), f);
	if (ferror(f))
		die(path);
	fclose(f);
	add_seed(path, work, n);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of dir, in name order (readdir order is not). */
static void
load_dir(const char *dir)
{
	DIR		*d;
	struct dirent	*e;
	struct stat	 st;
	char		**names = NULL, **nn, *path;
	size_t		 n = 0, i, len;

	if ((d = opendir(dir)) == NULL)
		die(dir);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		len = strlen(dir) + strlen(e->d_name) + 2;
		path = xmalloc(len);
		snprintf(path, len, "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
			free(path);
			continue;
		}
		if ((nn = realloc(names, (n + 1) * sizeof(*nn))) == NULL)
			die("realloc");
		names = nn;
		names[n++] = path;
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		load_file(names[i]);
		free(names[i]);
	}
	free(names);
}

/* --- mutations, on work[0..len) --- */

static void
insert_at(size_t *len, size_t pos, const uint8_t *p, size_t n)
{
	if (n > MAX_LEN - *len)
		n = MAX_LEN - *len;
	memmove(work + pos + n, work + pos, *len - pos);
	memcpy(work + pos, p, n);
	*len += n;
}

static void
delete_at(size_t *len, size_t pos, size_t n)
{
	if (n > *len - pos)
		n = *len - pos;
	memmove(work + pos, work + pos + n, *len - pos - n);
	*len -= n;
}

static void
mutate_once(size_t *len)
{
	uint8_t			 tmp[256];
	const struct input	*o;
	size_t			 pos, n, k, i, a;

	switch (below(15)) {
	case 0:		/* flip a bit */
		if (*len > 0)
			work[below(*len)] ^= (uint8_t)(1u << below(8));
		break;
	case 1:		/* set a byte */
		if (*len > 0)
			work[below(*len)] = (uint8_t)rnd();
		break;
	case 2:		/* insert random bytes */
		n = small_len(sizeof(tmp));
		for (i = 0; i < n; i++)
			tmp[i] = (uint8_t)rnd();
		insert_at(len, below(*len + 1), tmp, n);
		break;
	case 3:		/* delete a range */
		if (*len > 0) {
			pos = below(*len);
			delete_at(len, pos, small_len(*len - pos));
		}
		break;
	case 4:		/* insert an interesting token */
	case 5:
		k = below(NTOKENS);
		insert_at(len, below(*len + 1), (const uint8_t *)tokens[k].s,
		    tokens[k].n);
		break;
	case 6:		/* overwrite with an interesting token */
		k = below(NTOKENS);
		pos = below(*len + 1);
		delete_at(len, pos, tokens[k].n);
		insert_at(len, pos, (const uint8_t *)tokens[k].s, tokens[k].n);
		break;
	case 7:		/* splice: our head, another seed's tail */
		o = &seeds[below(nseeds)];
		*len = below(*len + 1);
		pos = below(o->len + 1);
		insert_at(len, *len, o->data + pos, o->len - pos);
		break;
	case 8:		/* insert a chunk of another seed */
		o = &seeds[below(nseeds)];
		if (o->len > 0) {
			pos = below(o->len);
			insert_at(len, below(*len + 1), o->data + pos,
			    small_len(o->len - pos));
		}
		break;
	case 9:		/* repeat a chunk (deep nesting, long runs) */
		if (*len > 0) {
			pos = below(*len);
			n = small_len(*len - pos);
			if (n > sizeof(tmp))
				n = sizeof(tmp);
			memcpy(tmp, work + pos, n);
			k = below(3) == 0 ? 1 + below(2000) : 1 + below(16);
			for (i = 0; i < k && *len < MAX_LEN; i++)
				insert_at(len, pos, tmp, n);
		}
		break;
	case 10:	/* random bytes over a range */
		if (*len > 0) {
			pos = below(*len);
			n = small_len(*len - pos);
			for (i = 0; i < n; i++)
				work[pos + i] = (uint8_t)rnd();
		}
		break;
	case 11:	/* truncate */
		*len = below(*len + 1);
		break;
	case 12:	/* swap two bytes */
		if (*len > 1) {
			pos = below(*len);
			a = below(*len);
			tmp[0] = work[pos];
			work[pos] = work[a];
			work[a] = tmp[0];
		}
		break;
	case 13:	/* copy a range over another within the input */
		if (*len > 1) {
			pos = below(*len);
			a = below(*len);
			n = small_len(*len - (pos > a ? pos : a));
			memmove(work + a, work + pos, n);
		}
		break;
	default:	/* a fresh short random input, rarely */
		if (below(8) == 0) {
			*len = below(257);
			for (i = 0; i < *len; i++)
				work[i] = (uint8_t)rnd();
		} else if (*len > 0)
			work[below(*len)] = (uint8_t)(below(2) ? 0x00 : 0xff);
		break;
	}
}

/* --- running --- */

/* Exactly n bytes, even for n == 0, so that any read past them shows. */
static void
run_one(const uint8_t *p, size_t n)
{
	uint8_t	*copy = malloc(n);

	if (copy == NULL && n > 0)
		die("malloc");
	if (n > 0)
		memcpy(copy, p, n);
	cur_data = copy;
	cur_len = n;
	LLVMFuzzerTestOneInput(copy, n);
	cur_data = NULL;
	free(copy);
}

static unsigned long long
env_num(const char *name, unsigned long long def)
{
	const char		*v = getenv(name);
	char			*end;
	unsigned long long	 n;

	if (v == NULL || *v == '\0')
		return def;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno != 0 || *end != '\0' || *v == '-') {
		fprintf(stderr, "fuzz driver: %s: not a number: %s\n", name, v);
		exit(2);
	}
	return n;
}

int
main(int argc, char **argv)
{
	const char		*base, *ad;
	struct stat		 st;
	unsigned long long	 runs, seed, i;
	size_t			 len, h;
	const struct input	*from;
	int			 k, nmut;

	base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	runs = env_num("FUZZ_RUNS", DEFAULT_RUNS);
	seed = env_num("FUZZ_SEED", 1);
	if ((ad = getenv("FUZZ_ARTIFACT_DIR")) != NULL && *ad != '\0')
		artifact_dir = ad;
	rng_state = seed;
	crash_hooks();
	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);

	for (k = 1; k < argc; k++) {
		if (stat(argv[k], &st) != 0)
			die(argv[k]);
		if (S_ISDIR(st.st_mode))
			load_dir(argv[k]);
		else
			load_file(argv[k]);
	}
	if (nseeds == 0)
		add_seed("(empty)", (const uint8_t *)"", 0);

	for (h = 0; h < nseeds; h++) {
		snprintf(cur_desc, sizeof(cur_desc), "seed %s", seeds[h].name);
		run_one(seeds[h].data, seeds[h].len);
	}

	for (i = 0; i < runs; i++) {
		/* Mostly a seed; sometimes a recent mutant, so edits stack. */
		if (i >= HISTORY && below(4) == 0)
			from = &history[below(HISTORY)];
		else
			from = &seeds[below(nseeds)];
		memcpy(work, from->data, from->len);
		len = from->len;
		nmut = 1 + (int)(below(4) == 0 ? below(8) : below(3));
		for (k = 0; k < nmut; k++)
			mutate_once(&len);
		snprintf(cur_desc, sizeof(cur_desc), "mutant %llu (FUZZ_SEED=%llu)"
		    " of %s", i + 1, seed, from->name);
		run_one(work, len);

		h = (size_t)(i % HISTORY);
		free(history[h].data);
		history[h].data = xmalloc(len);
		memcpy(history[h].data, work, len);
		history[h].len = len;
		history[h].name = recent_name;
	}

	printf("fuzz %s: %llu inputs, 0 crashes\n", base,
	    (unsigned long long)nseeds + runs);
	for (h = 0; h < HISTORY; h++)
		free(history[h].data);
	for (h = 0; h < nseeds; h++) {
		free(seeds[h].data);
		free(seeds[h].name);
	}
	free(seeds);
	return 0;
}
