/**
 * Finite-difference gradient checks. Run them in float64 (Model with dtype 'f64'): in float32 the
 * rounding of the loss swamps a central difference, so only float64 can tell a right gradient from a
 * slightly wrong one.
 */
export interface GradcheckResult {
  /** largest |analytic - numeric| / max(|analytic|, |numeric|, floor) over the checked entries */
  maxError: number;
  worst: { index: number; analytic: number; numeric: number };
  checked: number;
}

export interface GradcheckOptions {
  /** step of the central difference (default 1e-5) */
  eps?: number;
  /**
   * denominator floor (default 1e-4), so entries whose gradient is ~0 are judged on absolute error:
   * a central difference in float64 carries a rounding error of about 2e-16 |f| / eps (~1e-10 for
   * a loss near 2), so relative error means nothing for gradients much smaller than the floor.
   */
  floor?: number;
  /** which entries of x to check (all by default) */
  indices?: Iterable<number>;
}

/**
 * Compares analytic[i] with (f(x + eps e_i) - f(x - eps e_i)) / (2 eps) for each checked i.
 * f must read x and be deterministic; x is restored after each probe.
 */
export function gradcheck(f: () => number, x: Float64Array, analytic: ArrayLike<number>, opts: GradcheckOptions = {}): GradcheckResult {
  const eps = opts.eps ?? 1e-5;
  const floor = opts.floor ?? 1e-4;
  const indices = opts.indices ?? x.keys();
  const result: GradcheckResult = { maxError: 0, worst: { index: -1, analytic: 0, numeric: 0 }, checked: 0 };
  for (const i of indices) {
    const saved = x[i];
    x[i] = saved + eps;
    const plus = f();
    x[i] = saved - eps;
    const minus = f();
    x[i] = saved;
    const numeric = (plus - minus) / (2 * eps);
    const a = analytic[i];
    const err = Math.abs(a - numeric) / Math.max(Math.abs(a), Math.abs(numeric), floor);
    result.checked++;
    if (!(err <= result.maxError)) {
      result.maxError = err;
      result.worst = { index: i, analytic: a, numeric };
    }
  }
  return result;
}
