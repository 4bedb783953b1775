/**
 * The statistics of variant comparison (issue 15): Wilson score intervals for a reply rate, and
 * the one-sided two-proportion z-test (pooled) for "variant A's reply rate is higher than B's".
 * Pure functions.
 */

/** Φ(x), the standard normal CDF (Abramowitz & Stegun 7.1.26 for erf; error below 1.5e-7). */
export function normalCdf(x: number): number {
  if (x === 0) return 0.5;
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-z * z);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** Φ⁻¹(p) for 0 < p < 1 (Acklam's rational approximation; relative error below 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError('p must be between 0 and 1');
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/** The two-sided Wilson score interval of `hits` of `n` at `confidence` (e.g. 0.95); null when n is 0. */
export function wilson(hits: number, n: number, confidence: number): { low: number; high: number } | null {
  if (n === 0) return null;
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const p = hits / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * How sure we may be that A's rate is higher than B's: Φ(z) of the pooled two-proportion z
 * statistic, z = (pA − pB) / √(p(1−p)(1/nA + 1/nB)), p = (hitsA + hitsB) / (nA + nB). 0.5 when
 * the rates are equal or nothing distinguishes them (no sends, or every send or none answered).
 */
export function confidenceAhead(a: { hits: number; n: number }, b: { hits: number; n: number }): number {
  if (a.n === 0 || b.n === 0) return 0.5;
  const pooled = (a.hits + b.hits) / (a.n + b.n);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / a.n + 1 / b.n));
  if (se === 0) return 0.5;
  return normalCdf((a.hits / a.n - b.hits / b.n) / se);
}
