// The standard normal distribution's tail, for the large-sample Mann-Whitney test.
//
// JavaScript has no erf, and the short polynomial approximations found in textbooks are
// only good to about 1e-7 absolute, which is useless for the tiny p-values a clear
// regression produces. Two expansions with no cancellation give close to full double
// precision instead: a positive-term series near zero, a continued fraction in the tail.

const SQRT_PI = Math.sqrt(Math.PI)

// erf(x) = 2/sqrt(pi) * exp(-x^2) * sum_{k>=0} (2x^2)^k x / (1*3*...*(2k+1)).
// Every term is positive, so nothing cancels; the ratio of terms is 2x^2/(2k+3), so the
// series converges quickly for the |x| < 3 it is used on.
function erfSeries (x: number): number {
  const twoXSquared = 2 * x * x
  let term = x
  let sum = x
  const termsMax = 500
  for (let k = 0; k < termsMax; k++) {
    term *= twoXSquared / (2 * k + 3)
    sum += term
    if (term < sum * 1e-17) break
  }
  return (2 / SQRT_PI) * Math.exp(-x * x) * sum
}

// erfc(x) for x >= 3 by the continued fraction
//   erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))),
// evaluated from a fixed depth backwards; at x >= 3 sixty levels are far more than enough.
function erfcContinuedFraction (x: number): number {
  const depth = 60
  let tail = x
  for (let k = depth; k >= 1; k--) tail = x + (k / 2) / tail
  return Math.exp(-x * x) / SQRT_PI / tail
}

export function erfc (x: number): number {
  if (Number.isNaN(x)) return Number.NaN
  if (x < 0) return 2 - erfc(-x)
  if (x < 3) return 1 - erfSeries(x)
  return erfcContinuedFraction(x)
}

// P(Z <= z) for a standard normal Z.
export function normalCdf (z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2)
}

// Two-sided tail probability P(|Z| >= |z|).
export function normalTwoSidedP (z: number): number {
  return Math.min(1, erfc(Math.abs(z) / Math.SQRT2))
}
