/*
 * How a search= term is asked of the FULLTEXT index (SEARCH_MATCH in
 * core.h, README "Search"). InnoDB answers "+a* +b*" by collecting the
 * documents of every word before it intersects them, so a word every
 * row shares (a SKU's "G" in "G-000123") costs a read of the whole
 * organization, however rare the other word. So a term of plain ASCII
 * words sends FULLTEXT only its longest word (the likeliest to be
 * rare) and checks each other word on the few rows found, with a LIKE
 * on the same tokens under the same collation: the same rows, read by
 * the rare word. A term with other characters (where only the server
 * knows what a letter is), or too many words, goes to FULLTEXT whole.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

/* What SEARCH_WORD_RE keeps of a word: its first 60 characters. */
#define SEARCH_WORD_MAX	60

static int
search_is_word_byte(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z');
}

/* Whether the term is ASCII, where [[:alnum:]] is the bytes above. */
static int
search_is_ascii(const char *term)
{
	for (; *term != '\0'; term++)
		if ((unsigned char)*term >= 0x80)
			return 0;
	return 1;
}

struct search_word {
	const char	*s;
	size_t		 len;
};

/* The term's words (at most max), as SEARCH_WORD_RE cuts them; the
 * count, or max + 1 when there are more. */
static size_t
search_words_of(const char *term, struct search_word *w, size_t max)
{
	size_t	 n = 0, len;

	while (*term != '\0') {
		if (!search_is_word_byte((unsigned char)*term)) {
			term++;
			continue;
		}
		for (len = 0; search_is_word_byte((unsigned char)term[len]);
		    len++)
			continue;
		if (n == max)
			return max + 1;
		w[n].s = term;
		w[n].len = len > SEARCH_WORD_MAX ? SEARCH_WORD_MAX : len;
		n++;
		term += len;
	}
	return n;
}

static int
search_has_digit(const struct search_word *w)
{
	size_t	 i;

	for (i = 0; i < w->len; i++)
		if (w->s[i] >= '0' && w->s[i] <= '9')
			return 1;
	return 0;
}

/* The index of the word to send FULLTEXT: the longest, and of equals
 * the one with a digit (SKU numbers are rarer than their letters). */
static size_t
search_rarest(const struct search_word *w, size_t n)
{
	size_t	 i, best = 0;
	int	 digit, best_digit = 0;

	for (i = 0; i < n; i++) {
		digit = search_has_digit(&w[i]);
		if (i == 0 || w[i].len > w[best].len ||
		    (w[i].len == w[best].len && digit && !best_digit)) {
			best = i;
			best_digit = digit;
		}
	}
	return best;
}

int
search_plan_init(struct search_plan *p, long long org, const char *term)
{
	struct search_word	 w[1 + SEARCH_RECHECK];
	size_t			 n, i, k = 0, rare;

	memset(p, 0, sizeof(*p));
	p->term = term;
	p->org = org;
	for (i = 0; i < SEARCH_RECHECK; i++)
		p->like[i] = "%";
	if (!search_is_ascii(term))
		return 1;
	n = search_words_of(term, w, 1 + SEARCH_RECHECK);
	if (n == 0 || n > 1 + SEARCH_RECHECK)
		return 1;
	rare = search_rarest(w, n);
	if (asprintf(&p->ft_own, "+o%lld_%.*s*", org, (int)w[rare].len,
	    w[rare].s) < 0) {
		p->ft_own = NULL;
		return 0;
	}
	p->ft = p->ft_own;
	for (i = 0; i < n; i++) {
		if (i == rare)
			continue;
		/* Tokens are "o<org>_<word> ", so a space before one
		 * begins a word; "_" is LIKE's, escaped. */
		if (asprintf(&p->like_own[k], "%% o%lld\\_%.*s%%", org,
		    (int)w[i].len, w[i].s) < 0) {
			p->like_own[k] = NULL;
			search_plan_free(p);
			return 0;
		}
		p->like[k] = p->like_own[k];
		k++;
	}
	return 1;
}

void
search_plan_free(struct search_plan *p)
{
	size_t	 i;

	free(p->ft_own);
	p->ft_own = NULL;
	for (i = 0; i < SEARCH_RECHECK; i++) {
		free(p->like_own[i]);
		p->like_own[i] = NULL;
	}
}
