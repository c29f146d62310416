/*
 * forecast.c - demand forecasting for replenishment. A series is first
 * classified the way retail forecasters do (too short, intermittent,
 * seasonal, trended), then fitted by the matching exponential smoother
 * with its parameters picked on a coarse grid by one-step in-sample
 * squared error. Also the reorder quantity a forecast implies and the
 * MASE that scores one.
 *
 * Pure functions on doubles: no database, no I/O, no globals. Callers
 * convert to and from fixed-point at the boundary.
 */
#include <math.h>
#include <stdlib.h>

#include "inventory/inventory.h"

/* Syntetos-Boylan cut-off between smooth and intermittent demand. */
#define FORECAST_ADI_CUTOFF	1.32
/*
 * A seasonal signal must explain this share of the detrended variance,
 * adjusted for the m - 1 indices fitted (noise alone scores about 0)...
 */
#define FORECAST_SEASON_MIN	0.1
/* ...and sit this many standard deviations above what noise explains. */
#define FORECAST_SEASON_Z	2.33
/* Two-sided 95 % normal quantile for the bounds. */
#define FORECAST_Z95		1.96
#define FORECAST_NAIVE_WINDOW	4
/* Points in the least-squares line that starts Holt's trend. */
#define FORECAST_HOLT_INIT	10
/* Above any DECIMAL(18,4) quantity; keeps every sum of squares finite. */
#define FORECAST_Y_MAX		1e15

struct forecast_params {
	double	 alpha;		/* level */
	double	 beta;		/* trend */
	double	 gamma;		/* season */
	double	 phi;		/* trend damping, 1 for none */
};

/* A smoother's state after the last observation, and its fit. */
struct forecast_fit {
	size_t	 m;		/* season length, 0 for Holt */
	double	 level;
	double	 trend;
	double	*season;	/* Holt-Winters: m indices, slot t % m */
	double	 sse;		/* one-step in-sample squared error */
	size_t	 nres;		/* residuals in sse */
};

/* One pass of a smoother over y[0..n) into f (its m and season set). */
typedef void	(*forecast_run_fn)(const double *, size_t,
		    const struct forecast_params *, struct forecast_fit *);

/* The values tried for each parameter; every combination is fitted. */
struct forecast_grid {
	const double	*alpha, *beta, *gamma, *phi;
	size_t		 nalpha, nbeta, ngamma, nphi;
};

/* Croston's state: smoothed demand size and interval between demands. */
struct forecast_croston {
	double	 size;
	double	 interval;
	double	 sse;
	size_t	 nres;
};

/* The stable name of a method, as stored and shown; "unknown" if none. */
const char *
forecast_method_name(enum forecast_method m)
{
	switch (m) {
	case FC_NAIVE_MEAN:
		return "naive_mean";
	case FC_CROSTON_SBA:
		return "croston_sba";
	case FC_HOLT:
		return "holt";
	case FC_HOLT_WINTERS:
		return "holt_winters";
	}
	return "unknown";
}

static int
forecast_args_ok(const double *y, size_t n, size_t horizon,
    const struct forecast *out)
{
	size_t	 i;

	if (out == NULL || (n > 0 && y == NULL))
		return 0;
	if (horizon > 0 && (out->mean == NULL || out->lower == NULL ||
	    out->upper == NULL))
		return 0;
	/* Written so that NaN fails too. */
	for (i = 0; i < n; i++)
		if (!(y[i] >= 0 && y[i] <= FORECAST_Y_MAX))
			return 0;
	return 1;
}

static size_t
forecast_nonzero(const double *y, size_t n)
{
	size_t	 i, nnz = 0;

	for (i = 0; i < n; i++)
		if (y[i] > 0)
			nnz++;
	return nnz;
}

/* Centred moving average of one season around t (2 x m when m is even). */
static double
forecast_moving_avg(const double *y, size_t t, size_t m)
{
	size_t	 h = m / 2, i;
	double	 s = 0;

	for (i = t - h; i <= t + h; i++)
		s += y[i];
	if (m % 2 == 0)
		s -= (y[t - h] + y[t + h]) / 2;
	return s / (double)m;
}

/*
 * Detrend y by a centred moving average of one season and fit one mean
 * per phase: *ssd is the detrended sum of squares about its mean, *ssr
 * what the phase means leave, over *nd points. 0 on allocation failure.
 */
static int
forecast_phase_fit(const double *y, size_t n, size_t m, double *ssd,
    double *ssr, size_t *nd)
{
	size_t	 h = m / 2, i, t;
	double	*d, *sum, *cnt, mean = 0, r;

	*nd = n - 2 * h;
	*ssd = *ssr = 0;
	if ((d = calloc(*nd + 2 * m, sizeof(*d))) == NULL)
		return 0;
	sum = d + *nd;
	cnt = sum + m;
	for (t = h; t < n - h; t++) {
		d[t - h] = y[t] - forecast_moving_avg(y, t, m);
		sum[t % m] += d[t - h];
		cnt[t % m] += 1;
		mean += d[t - h];
	}
	mean /= (double)*nd;
	for (t = h; t < n - h; t++) {
		i = t % m;
		*ssd += (d[t - h] - mean) * (d[t - h] - mean);
		r = d[t - h] - sum[i] / cnt[i];
		*ssr += r * r;
	}
	free(d);
	return 1;
}

/*
 * Is there a real seasonal signal? The phase means explain R2 = 1 - ssr
 * / ssd of the detrended variance. On noise alone R2 follows Beta((m-1)/2,
 * (nd-m)/2), so it must clear that distribution's mean by
 * FORECAST_SEASON_Z standard deviations: on a short series the m - 1
 * means fit noise well (with two seasons they fit it almost exactly, so
 * two seasons never suffice). That normal approximation of a skewed
 * distribution lets about 5 % of pure-noise series through, so the
 * adjusted R2 must also reach FORECAST_SEASON_MIN.
 */
static int
forecast_season_signal(double ssd, double ssr, size_t nd, size_t m)
{
	double	 d1 = (double)(m - 1), d2, r2, mu, sd;

	if (nd <= m || !(ssd > 0))
		return 0;
	d2 = (double)(nd - m);
	r2 = 1 - ssr / ssd;
	mu = d1 / (d1 + d2);
	sd = sqrt(2 * d1 * d2 / ((d1 + d2) * (d1 + d2) * (d1 + d2 + 2)));
	return r2 >= mu + FORECAST_SEASON_Z * sd &&
	    1 - (ssr / d2) / (ssd / (d1 + d2)) >= FORECAST_SEASON_MIN;
}

/* Pick the method for y; 0 on allocation failure. */
static int
forecast_classify(const double *y, size_t n, size_t season,
    enum forecast_method *method)
{
	size_t	 nnz = forecast_nonzero(y, n), nd;
	double	 ssd, ssr;

	*method = FC_NAIVE_MEAN;
	if (n < FORECAST_NAIVE_WINDOW || nnz == 0)
		return 1;
	/* ADI: periods per demand occurrence. */
	if ((double)n / (double)nnz > FORECAST_ADI_CUTOFF) {
		*method = FC_CROSTON_SBA;
		return 1;
	}
	*method = FC_HOLT;
	/* Written as season <= n / 2 so that 2 * season cannot overflow. */
	if (season < 2 || season > n / 2)
		return 1;
	if (!forecast_phase_fit(y, n, season, &ssd, &ssr, &nd))
		return 0;
	if (forecast_season_signal(ssd, ssr, nd, season))
		*method = FC_HOLT_WINTERS;
	return 1;
}

static void
forecast_fill(struct forecast *out, double v)
{
	size_t	 h;

	for (h = 0; h < out->horizon; h++)
		out->mean[h] = v;
}

static double
forecast_rmse(double sse, size_t nres)
{
	return nres > 0 ? sqrt(sse / (double)nres) : 0;
}

/* phi + phi^2 + ... + phi^h: how far a damped trend carries h steps. */
static double
forecast_damped_sum(double phi, size_t h)
{
	if (phi == 1)
		return (double)h;
	return phi * (1 - pow(phi, (double)h)) / (1 - phi);
}

/*
 * Clamp the mean at 0 (no negative demand) and set bounds of
 * mean +- 1.96 sigma sqrt(h), the lower one clamped at 0 too.
 */
static void
forecast_bounds(struct forecast *out)
{
	size_t	 h;
	double	 k;

	for (h = 0; h < out->horizon; h++) {
		if (out->mean[h] < 0)
			out->mean[h] = 0;
		k = FORECAST_Z95 * out->sigma * sqrt((double)(h + 1));
		out->lower[h] = out->mean[h] > k ? out->mean[h] - k : 0;
		out->upper[h] = out->mean[h] + k;
	}
}

/* Mean of the last few values; sigma is their spread about it. */
static void
forecast_naive_series(const double *y, size_t n, struct forecast *out)
{
	size_t	 k = n < FORECAST_NAIVE_WINDOW ? n : FORECAST_NAIVE_WINDOW, i;
	double	 mean = 0, ss = 0;

	for (i = n - k; i < n; i++)
		mean += y[i];
	mean = k > 0 ? mean / (double)k : 0;
	for (i = n - k; i < n; i++)
		ss += (y[i] - mean) * (y[i] - mean);
	out->sigma = forecast_rmse(ss, k);
	forecast_fill(out, mean);
}

/* The SBA forecast: Croston's size / interval, debiased by 1 - alpha/2. */
static double
forecast_croston_value(const struct forecast_croston *c, double alpha)
{
	return (1 - alpha / 2) * c->size / c->interval;
}

/*
 * One pass of Croston-SBA. It starts from the mean demand size and the
 * mean interval (tsintermittent's init = "mean"): starting from the first
 * demand and interval biases the forecast for dozens of periods.
 */
static void
forecast_croston_run(const double *y, size_t n, size_t nnz, double alpha,
    struct forecast_croston *c)
{
	size_t	 t, since = 0;
	double	 e;

	c->size = 0;
	for (t = 0; t < n; t++)
		c->size += y[t];
	c->size /= (double)nnz;
	c->interval = (double)n / (double)nnz;
	c->sse = 0;
	c->nres = 0;
	for (t = 0; t < n; t++) {
		since++;
		e = y[t] - forecast_croston_value(c, alpha);
		c->sse += e * e;
		c->nres++;
		/* Both estimates move only when a demand occurs. */
		if (y[t] > 0) {
			c->size += alpha * (y[t] - c->size);
			c->interval += alpha * ((double)since - c->interval);
			since = 0;
		}
	}
}

static void
forecast_croston_series(const double *y, size_t n, struct forecast *out)
{
	static const double	 alphas[] = { 0.05, 0.1, 0.15, 0.2, 0.3 };
	struct forecast_croston	 c, best;
	double			 best_alpha = alphas[0];
	size_t			 i, nnz = forecast_nonzero(y, n);

	forecast_croston_run(y, n, nnz, alphas[0], &best);
	for (i = 1; i < sizeof(alphas) / sizeof(alphas[0]); i++) {
		forecast_croston_run(y, n, nnz, alphas[i], &c);
		if (c.sse < best.sse) {
			best = c;
			best_alpha = alphas[i];
		}
	}
	out->sigma = forecast_rmse(best.sse, best.nres);
	forecast_fill(out, forecast_croston_value(&best, best_alpha));
}

/*
 * Holt's starting level and trend: a least-squares line through the
 * first few points, since one noisy first difference would set the trend.
 */
static void
forecast_holt_init(const double *y, size_t n, struct forecast_fit *f)
{
	size_t	 k = n < FORECAST_HOLT_INIT ? n : FORECAST_HOLT_INIT, i;
	double	 mt = (double)(k - 1) / 2, my = 0, sxy = 0, sxx = 0, dt;

	for (i = 0; i < k; i++)
		my += y[i];
	my /= (double)k;
	for (i = 0; i < k; i++) {
		dt = (double)i - mt;
		sxy += dt * (y[i] - my);
		sxx += dt * dt;
	}
	f->trend = sxx > 0 ? sxy / sxx : 0;
	f->level = my - f->trend * mt;
}

/* Holt's damped trend in error-correction form over y[1..n). */
static void
forecast_holt_run(const double *y, size_t n, const struct forecast_params *p,
    struct forecast_fit *f)
{
	size_t	 t;
	double	 base, e;

	forecast_holt_init(y, n, f);
	f->sse = 0;
	f->nres = 0;
	for (t = 1; t < n; t++) {
		base = f->level + p->phi * f->trend;
		e = y[t] - base;
		f->sse += e * e;
		f->nres++;
		f->level = base + p->alpha * e;
		f->trend = p->phi * f->trend + p->beta * p->alpha * e;
	}
}

/*
 * Holt-Winters' state at the end of the first season, from the first two
 * (n >= 2m): the trend from the change in their means, the level at the
 * middle of the first season carried to its end, and each index as the
 * phase's average deviation from the trend line, centred on 0.
 */
static void
forecast_hw_init(const double *y, struct forecast_fit *f)
{
	size_t	 j, m = f->m;
	double	 a1 = 0, a2 = 0, mid = (double)(m - 1) / 2, off, sum = 0;

	for (j = 0; j < m; j++) {
		a1 += y[j];
		a2 += y[m + j];
	}
	a1 /= (double)m;
	a2 /= (double)m;
	f->trend = (a2 - a1) / (double)m;
	f->level = a1 + f->trend * mid;
	for (j = 0; j < m; j++) {
		off = ((double)j - mid) * f->trend;
		f->season[j] = ((y[j] - a1 - off) + (y[m + j] - a2 - off)) / 2;
		sum += f->season[j];
	}
	for (j = 0; j < m; j++)
		f->season[j] -= sum / (double)m;
}

/* Additive damped Holt-Winters in error-correction form over y[m..n). */
static void
forecast_hw_run(const double *y, size_t n, const struct forecast_params *p,
    struct forecast_fit *f)
{
	size_t	 t;
	double	 base, e, *s;

	forecast_hw_init(y, f);
	f->sse = 0;
	f->nres = 0;
	for (t = f->m; t < n; t++) {
		s = &f->season[t % f->m];
		base = f->level + p->phi * f->trend;
		e = y[t] - (base + *s);
		f->sse += e * e;
		f->nres++;
		f->level = base + p->alpha * e;
		f->trend = p->phi * f->trend + p->beta * p->alpha * e;
		*s += p->gamma * e;
	}
}

/*
 * Fit every combination in g and leave f fitted with the one of least
 * one-step squared error, which is returned. Ties keep the earlier one.
 */
static struct forecast_params
forecast_grid_search(const struct forecast_grid *g, forecast_run_fn run,
    const double *y, size_t n, struct forecast_fit *f)
{
	struct forecast_params	 p, best;
	size_t			 i, k, total;
	double			 best_sse = 0;
	int			 first = 1;

	total = g->nalpha * g->nbeta * g->ngamma * g->nphi;
	best = (struct forecast_params){ g->alpha[0], g->beta[0],
	    g->gamma[0], g->phi[0] };
	for (i = 0; i < total; i++) {
		k = i;
		p.alpha = g->alpha[k % g->nalpha];
		k /= g->nalpha;
		p.beta = g->beta[k % g->nbeta];
		k /= g->nbeta;
		p.gamma = g->gamma[k % g->ngamma];
		p.phi = g->phi[k / g->ngamma];
		/* Outside 0 <= gamma < 1 - alpha Holt-Winters is unstable. */
		if (p.gamma >= 1 - p.alpha)
			continue;
		run(y, n, &p, f);
		/* NaN never wins: the comparison is false. */
		if (first || f->sse < best_sse) {
			best_sse = f->sse;
			best = p;
			first = 0;
		}
	}
	run(y, n, &best, f);
	return best;
}

static void
forecast_holt_series(const double *y, size_t n, struct forecast *out)
{
	static const double	 alphas[] = { 0.05, 0.1, 0.2, 0.3, 0.5, 0.7,
	    0.9 };
	static const double	 betas[] = { 0.01, 0.05, 0.1, 0.2, 0.3 };
	static const double	 gammas[] = { 0 };
	static const double	 phis[] = { 1.0, 0.98, 0.95, 0.9, 0.8 };
	static const struct forecast_grid g = { alphas, betas, gammas, phis,
	    sizeof(alphas) / sizeof(alphas[0]),
	    sizeof(betas) / sizeof(betas[0]), 1,
	    sizeof(phis) / sizeof(phis[0]) };
	struct forecast_params	 p;
	struct forecast_fit	 f = { 0, 0, 0, NULL, 0, 0 };
	size_t			 h;

	p = forecast_grid_search(&g, forecast_holt_run, y, n, &f);
	out->sigma = forecast_rmse(f.sse, f.nres);
	for (h = 1; h <= out->horizon; h++)
		out->mean[h - 1] = f.level +
		    forecast_damped_sum(p.phi, h) * f.trend;
}

/* 0 on allocation failure. */
static int
forecast_hw_series(const double *y, size_t n, size_t m, struct forecast *out)
{
	static const double	 alphas[] = { 0.05, 0.1, 0.2, 0.3, 0.5, 0.7 };
	static const double	 betas[] = { 0.01, 0.05, 0.1, 0.2 };
	static const double	 gammas[] = { 0.05, 0.1, 0.2, 0.3, 0.5 };
	static const double	 phis[] = { 1.0, 0.98, 0.9 };
	static const struct forecast_grid g = { alphas, betas, gammas, phis,
	    sizeof(alphas) / sizeof(alphas[0]),
	    sizeof(betas) / sizeof(betas[0]),
	    sizeof(gammas) / sizeof(gammas[0]),
	    sizeof(phis) / sizeof(phis[0]) };
	struct forecast_params	 p;
	struct forecast_fit	 f = { m, 0, 0, NULL, 0, 0 };
	size_t			 h;

	if ((f.season = calloc(m, sizeof(*f.season))) == NULL)
		return 0;
	p = forecast_grid_search(&g, forecast_hw_run, y, n, &f);
	out->sigma = forecast_rmse(f.sse, f.nres);
	/* Slot (n - 1 + h) % m holds the latest index of that phase. */
	for (h = 1; h <= out->horizon; h++)
		out->mean[h - 1] = f.level +
		    forecast_damped_sum(p.phi, h) * f.trend +
		    f.season[(n - 1 + h) % m];
	free(f.season);
	return 1;
}

/*
 * Forecast `horizon` periods after y[0..n), demand per period (each in
 * [0, 1e15]); season is the cycle length in periods (7 for daily data
 * with a weekly cycle, 0 or 1 for none). The caller points out->mean,
 * lower and upper at horizon doubles each; this sets the method, horizon
 * and sigma and fills them. The method: fewer than 4 points or all zero,
 * the mean of the last (up to) 4; ADI > 1.32, Croston-SBA; n >= 2
 * seasons and a seasonal signal beyond what noise explains (two seasons
 * alone are too few to show one), additive Holt-Winters; otherwise Holt's
 * damped trend. Every value is >= 0, lower <= mean <= upper, and the
 * bounds are mean +- 1.96 sigma sqrt(h) clamped at 0. Returns 1, or 0 on
 * bad arguments or allocation failure (the arrays may then be written).
 */
int
forecast_series(const double *y, size_t n, size_t season, size_t horizon,
    struct forecast *out)
{
	enum forecast_method	 method;

	if (!forecast_args_ok(y, n, horizon, out))
		return 0;
	if (!forecast_classify(y, n, season, &method))
		return 0;
	out->method = method;
	out->horizon = horizon;
	switch (method) {
	case FC_NAIVE_MEAN:
		forecast_naive_series(y, n, out);
		break;
	case FC_CROSTON_SBA:
		forecast_croston_series(y, n, out);
		break;
	case FC_HOLT:
		forecast_holt_series(y, n, out);
		break;
	case FC_HOLT_WINTERS:
		if (!forecast_hw_series(y, n, season, out))
			return 0;
		break;
	}
	forecast_bounds(out);
	return 1;
}

/*
 * Forecast demand over a lead time of `lead` periods (fractional: the
 * last period counts in part), carrying the last forecast on beyond the
 * horizon.
 */
static double
forecast_lead_demand(const struct forecast *fc, double lead)
{
	double	 whole = floor(lead), sum = 0;
	size_t	 i, k;

	if (whole < (double)fc->horizon) {
		k = (size_t)whole;
		for (i = 0; i < k; i++)
			sum += fc->mean[i];
		return sum + (lead - whole) * fc->mean[k];
	}
	for (i = 0; i < fc->horizon; i++)
		sum += fc->mean[i];
	return sum + (lead - (double)fc->horizon) *
	    fc->mean[fc->horizon - 1];
}

/*
 * Suggested reorder quantity: forecast demand over lead_periods plus a
 * safety stock of z sigma sqrt(lead_periods), less stock_on_hand. Never
 * negative; 0 as well when fc has no forecast (horizon 0) or a number is
 * not finite or the lead time is negative.
 */
double
forecast_reorder_qty(const struct forecast *fc, double lead_periods,
    double stock_on_hand, double z)
{
	double	 need;

	if (fc == NULL || fc->horizon == 0 || fc->mean == NULL ||
	    !isfinite(lead_periods) || lead_periods < 0 ||
	    !isfinite(stock_on_hand) || !isfinite(z) || !isfinite(fc->sigma))
		return 0;
	need = forecast_lead_demand(fc, lead_periods) +
	    z * fc->sigma * sqrt(lead_periods) - stock_on_hand;
	return need > 0 ? need : 0;
}

/*
 * Mean absolute scaled error of f[0..h) against a[0..h): their mean
 * absolute error over the in-sample mean absolute error of the one-step
 * last-value forecast on train[0..n) (never the seasonal naive). Below 1
 * beats that naive forecast. Negative when undefined: n < 2, h == 0, a
 * NULL array, or a constant training series (denominator 0).
 */
double
forecast_mase(const double *train, size_t n, const double *a,
    const double *f, size_t h)
{
	double	 scale = 0, err = 0, q;
	size_t	 t;

	if (train == NULL || a == NULL || f == NULL || n < 2 || h == 0)
		return -1;
	for (t = 1; t < n; t++)
		scale += fabs(train[t] - train[t - 1]);
	scale /= (double)(n - 1);
	for (t = 0; t < h; t++)
		err += fabs(a[t] - f[t]);
	err /= (double)h;
	q = err / scale;
	/* Also a 0 denominator or NaN input. */
	if (!(scale > 0) || !isfinite(q))
		return -1;
	return q;
}
