import { describe, expect, it } from 'vitest'
import { didYouMean, levenshtein } from '../../../broker/config/suggest.ts'

describe('levenshtein', () => {
  it.each([
    ['', '', 0], ['abc', '', 3], ['', 'ab', 2], ['kitten', 'sitting', 3], ['flaw', 'lawn', 2], ['same', 'same', 0],
  ])('distance(%j, %j) = %d', (a, b, distance) => {
    expect(levenshtein(a, b)).toBe(distance)
    expect(levenshtein(b, a)).toBe(distance)
  })
})

describe('didYouMean', () => {
  const fields = ['partitionsPerTopic', 'producersPerTopic', 'topics', 'testDurationMinutes']

  it('finds the field a typo meant', () => {
    expect(didYouMean('partitionPerTopic', fields)).toBe('partitionsPerTopic')
    expect(didYouMean('topcs', fields)).toBe('topics')
  })

  it('prefers a case-only difference', () => {
    expect(didYouMean('TestDurationMinutes', fields)).toBe('testDurationMinutes')
  })

  it('suggests nothing for unrelated names', () => {
    expect(didYouMean('flavour', fields)).toBeUndefined()
    expect(didYouMean('', fields)).toBeUndefined()
  })
})
