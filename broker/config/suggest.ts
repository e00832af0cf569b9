// "Did you mean" hints for misspelt names: broker config keys, workload fields, enum values.
// A workload that says `partitionPerTopic` or a config that says `log.segment.byte` should
// fail with the right name in the message, not a list of forty.

const NAME_LENGTH_MAX = 200

/** Edit distance (insert, delete, substitute, each cost 1), two rows of memory. */
export function levenshtein (a: string, b: string): number {
  if (a === b) return 0
  if (a.length === 0) return b.length
  if (b.length === 0) return a.length
  let previous = new Array<number>(b.length + 1)
  let current = new Array<number>(b.length + 1)
  for (let j = 0; j <= b.length; j++) previous[j] = j
  for (let i = 1; i <= a.length; i++) {
    current[0] = i
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution)
    }
    const swap = previous
    previous = current
    current = swap
  }
  return previous[b.length]!
}

/**
 * The closest candidate to `input`, or undefined when nothing is close enough to be a
 * plausible typo. A case-only difference always wins; otherwise allow roughly one edit per
 * three characters, at least two.
 */
export function didYouMean (input: string, candidates: readonly string[]): string | undefined {
  if (input.length === 0 || input.length > NAME_LENGTH_MAX) return undefined
  const lower = input.toLowerCase()
  const sameCase = candidates.find((candidate) => candidate.toLowerCase() === lower)
  if (sameCase !== undefined) return sameCase
  const distanceMax = Math.max(2, Math.floor(input.length / 3))
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of candidates) {
    const distance = levenshtein(lower, candidate.toLowerCase())
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return bestDistance <= distanceMax ? best : undefined
}
