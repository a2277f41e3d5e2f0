// Summary statistics shared by the benchmarks: every figure is reported with its spread.

/** The q-quantile of xs (linear interpolation between order statistics, as numpy's default). */
export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b)
  if (s.length === 0) return Number.NaN
  const pos = (s.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return s[lo] + (s[hi] - s[lo]) * (pos - lo)
}

export const median = (xs) => quantile(xs, 0.5)

/** {median, q1, q3, min, max} of xs. */
export function spread(xs) {
  return {max: Math.max(...xs), median: median(xs), min: Math.min(...xs), q1: quantile(xs, 0.25), q3: quantile(xs, 0.75)}
}

/** "12.3 (IQR 11.9–12.8, 11.2–14.0)": median, interquartile range, min–max. */
export function fmt(xs, digits = 1, unit = '') {
  const s = spread(xs)
  const f = (x) => x.toFixed(digits)
  return `${f(s.median)}${unit} (IQR ${f(s.q1)}–${f(s.q3)}, ${f(s.min)}–${f(s.max)})`
}

/** Rotates xs by i: interleaved rounds change which side goes first. */
export const rotate = (xs, i) => xs.map((_, j) => xs[(i + j) % xs.length])

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
