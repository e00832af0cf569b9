// A small seeded generator for the comparison tests, so every "random" sample is the same
// on every machine and every run. mulberry32: 32 bits of state, good enough to look noisy.

export function seededRandom (seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

// Standard normal deviates by Box-Muller from the seeded uniform generator.
export function seededNormal (seed: number): () => number {
  const uniform = seededRandom(seed)
  return () => {
    const u1 = Math.max(uniform(), 1e-12)
    const u2 = uniform()
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2)
  }
}

// n values around `center` with relative noise of `relativeSd` (a normal spread).
export function noisySample (normal: () => number, n: number, center: number, relativeSd: number): number[] {
  return Array.from({ length: n }, () => center * (1 + relativeSd * normal()))
}
