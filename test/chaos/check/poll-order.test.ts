import { describe, expect, it } from 'vitest'
import { checkHistory } from '../../../chaos/check/checker.ts'
import { expectValid, HistoryBuilder, onlyAnomaly } from './history-builder.ts'

/** Process 1 writes values 1, 2, 3 to key k at offsets 0, 1, 2. */
function threeSends(): HistoryBuilder {
  const h = new HistoryBuilder()
  h.send(1, 'k', 1, 0)
  h.send(1, 'k', 2, 1)
  h.send(1, 'k', 3, 2)
  return h
}

describe('poll-skip', () => {
  it('reports a next poll that starts past an existing value', () => {
    const h = threeSends()
    const first = h.poll(2, { k: [[0, 1]] })
    const second = h.poll(2, { k: [[2, 3]] })
    h.poll(3, { k: [[1, 2]] })

    const cases = onlyAnomaly(checkHistory(h.ops), 'poll-skip')
    expect(cases).toHaveLength(1)
    expect(cases[0]).toMatchObject({ key: 'k', values: [1, 3], offsets: [0, 2], ops: [first, second], process: 2 })
  })

  it('does not count offsets nobody observed (transaction markers, gaps) as skipped', () => {
    const h = new HistoryBuilder()
    h.send(1, 'k', 1, 0)
    h.send(1, 'k', 2, 5)
    h.poll(2, { k: [[0, 1]] })
    h.poll(2, { k: [[5, 2]] })
    expectValid(checkHistory(h.ops))
  })
})

describe('nonmonotonic-poll', () => {
  it('reports a next poll that re-reads the last value', () => {
    const h = threeSends()
    const first = h.poll(2, { k: [[0, 1], [1, 2]] })
    const second = h.poll(2, { k: [[1, 2], [2, 3]] })

    const cases = onlyAnomaly(checkHistory(h.ops), 'nonmonotonic-poll')
    expect(cases).toHaveLength(1)
    expect(cases[0]).toMatchObject({ key: 'k', values: [2, 2], offsets: [1, 1], ops: [first, second], process: 2 })
  })

  const resets: Array<[string, (h: HistoryBuilder) => void]> = [
    ['a rebalance', (h) => h.rebalance(2, ['k'])],
    ['a re-assign', (h) => h.assign(2, ['k'])],
    ['a re-subscribe', (h) => h.subscribe(2, ['topic'])],
    ['a crash', (h) => h.crash(2)],
  ]
  for (const [what, reset] of resets) {
    it(`exempts a re-read or a skip after ${what}`, () => {
      const h = threeSends()
      h.poll(2, { k: [[0, 1], [1, 2]] })
      reset(h)
      h.poll(2, { k: [[0, 1]] })
      reset(h)
      h.poll(2, { k: [[2, 3]] })
      expectValid(checkHistory(h.ops))
    })
  }

  it('tracks processes separately', () => {
    const h = threeSends()
    h.poll(2, { k: [[0, 1], [1, 2]] })
    h.poll(3, { k: [[0, 1]] })
    h.poll(2, { k: [[2, 3]] })
    expectValid(checkHistory(h.ops))
  })
})

describe('int-poll-skip', () => {
  it('reports successive reads within one poll that jump past a value', () => {
    const h = threeSends()
    const read = h.poll(2, { k: [[0, 1], [2, 3]] })
    h.poll(3, { k: [[1, 2]] })

    const cases = onlyAnomaly(checkHistory(h.ops), 'int-poll-skip')
    expect(cases).toHaveLength(1)
    expect(cases[0]).toMatchObject({ key: 'k', values: [1, 3], offsets: [0, 2], ops: [read], process: 2 })
  })
})

describe('int-nonmonotonic-poll', () => {
  it('reports successive reads within one poll that go backwards', () => {
    const h = new HistoryBuilder()
    h.send(1, 'k', 1, 0)
    h.send(1, 'k', 2, 1)
    const read = h.poll(2, { k: [[1, 2], [0, 1]] })

    const cases = onlyAnomaly(checkHistory(h.ops), 'int-nonmonotonic-poll')
    expect(cases).toHaveLength(1)
    expect(cases[0]).toMatchObject({ key: 'k', values: [2, 1], offsets: [1, 0], ops: [read], process: 2 })
  })
})
