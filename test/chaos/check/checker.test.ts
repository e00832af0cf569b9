import { describe, expect, it } from 'vitest'
import { checkHistory, CHECKERS } from '../../../chaos/check/checker.ts'
import { formatVerdict } from '../../../chaos/check/format-verdict.ts'
import { expectValid, HistoryBuilder } from './history-builder.ts'

/** Two producers, a subscribed consumer that is rebalanced and re-reads, a crash, final polls. */
function cleanHistory(): HistoryBuilder {
  const h = new HistoryBuilder()
  h.nemesis({ fault: 'kill', target: 'broker-0' })
  h.send(1, 'k', 1, 0)
  h.send(2, 'k', 2, 1)
  h.send(1, 'j', 1, 0)
  h.send(1, 'k', 3, 2)
  h.sendInfo(2, 'j', 2)
  h.subscribe(3, ['topic'])
  h.poll(3, { k: [[0, 1], [1, 2]], j: [[0, 1]] })
  h.commit(3, 'readers', { 'topic-0': 2 })
  h.rebalance(3, ['k'])
  h.poll(3, { k: [[1, 2], [2, 3]] })
  h.crash(3)
  h.nemesis({ fault: 'kill', target: 'broker-0', end: true })
  h.assign(4, ['k', 'j'])
  h.poll(4, { k: [[0, 1], [1, 2], [2, 3]], j: [[0, 1]] }, { final: true })
  return h
}

describe('checkHistory', () => {
  it('finds a clean history valid and counts what it holds', () => {
    const h = cleanHistory()
    const verdict = checkHistory(h.ops)
    expectValid(verdict)
    expect(verdict.unchecked).toEqual([])
    expect(verdict.stats).toEqual({
      ops: h.ops.length, sendsOk: 4, sendsFail: 0, sendsInfo: 1, polls: 3, pollsFinal: 1, keys: 2, valuesRead: 9,
      commits: 1, rebalances: 1, crashes: 1, nemesisOps: 2,
    })
  })

  it('reports each checker as it starts, for the progress of long checks', () => {
    const started: string[] = []
    checkHistory(cleanHistory().ops, { onChecker: (name, position, checkers) => started.push(`${name} ${position}/${checkers}`) })
    expect(started).toEqual(CHECKERS.map((checker, i) => `${checker.name} ${i + 1}/${CHECKERS.length}`))
  })

  it('flags the same re-read when the rebalance is missing', () => {
    const h = cleanHistory()
    const ops = h.ops.filter((op) => op.f !== 'rebalance')
    const verdict = checkHistory(ops)
    expect(verdict.valid).toBe(false)
    expect(Object.keys(verdict.anomalies)).toEqual(['nonmonotonic-poll'])
  })

  it('gives unknown, never true, when a checker throws, and names it', () => {
    const broken = { name: 'broken', check: () => { throw new Error('boom') } }
    const verdict = checkHistory(cleanHistory().ops, { checkers: [...CHECKERS, broken] })
    expect(verdict.valid).toBe('unknown')
    expect(verdict.errors).toEqual([{ checker: 'broken', message: 'boom' }])
    expect(formatVerdict(verdict)).toMatch(/^UNKNOWN\n[\s\S]*error in broken: boom/)
  })

  it('keeps false when another checker found an anomaly, since that anomaly is a fact', () => {
    const h = new HistoryBuilder()
    h.sendFail(1, 'k', 1)
    h.poll(2, { k: [[0, 1]] })
    const broken = { name: 'broken', check: () => { throw new Error('boom') } }
    const verdict = checkHistory(h.ops, { checkers: [broken, ...CHECKERS] })
    expect(verdict.valid).toBe(false)
    expect(Object.keys(verdict.anomalies)).toEqual(['G1a'])
    expect(verdict.errors).toHaveLength(1)
  })

  it('gives unknown for a malformed op value, naming the op and field', () => {
    const h = cleanHistory()
    h.add(5, 'ok', 'send', [['send', 'k', [7, 'seven']]])
    const verdict = checkHistory(h.ops)
    expect(verdict.valid).toBe('unknown')
    expect(verdict.errors[0]?.message).toMatch(/op \d+: field "value\[0\]\[2\]\[1\]" must be an integer/)
  })

  it('gives unknown when op indexes do not increase', () => {
    const h = cleanHistory()
    const ops = [...h.ops, { ...h.ops[0]! }]
    expect(checkHistory(ops).valid).toBe('unknown')
  })

  it('cuts long case lists but keeps the exact count', () => {
    const h = new HistoryBuilder()
    for (let value = 1; value <= 5; value++) h.sendFail(value, 'k', value)
    h.poll(9, { k: [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5]] })
    const verdict = checkHistory(h.ops, { casesMax: 2 })
    expect(verdict.anomalies.G1a).toHaveLength(2)
    expect(verdict.anomalyCounts.G1a).toBe(5)
    expect(formatVerdict(verdict)).toContain('... 2 more')
  })
})

describe('formatVerdict', () => {
  it('summarizes outcome, counts and the evidence of the first cases', () => {
    const h = new HistoryBuilder()
    h.send(1, 'k', 1, 0)
    const lost = h.send(1, 'k', 2, 1)
    h.send(1, 'k', 3, 2)
    const highest = h.poll(2, { k: [[0, 1], [2, 3]] })
    const text = formatVerdict(checkHistory(h.ops))
    const lines = text.split('\n')
    expect(lines[0]).toBe('INVALID: lost-write 1, int-poll-skip 1')
    expect(lines[1]).toMatch(/^ops 8; sends ok 3 \/ fail 0 \/ info 0; polls 1 \(final 0\); keys 1; values read 2/)
    expect(text).toContain(`lost-write (1):\n  key "k" process 1 values [2] offsets [1] ops [${lost}, ${highest}]`)
    expect(text).toContain('not checked: unseen (no final polls)')
  })

  it('says VALID for a clean history', () => {
    expect(formatVerdict(checkHistory(cleanHistory().ops)).split('\n')[0]).toBe('VALID')
  })
})

describe('checkHistory on in-memory ops', () => {
  it('gives unknown for an op whose envelope is invalid', () => {
    const h = new HistoryBuilder()
    h.send(1, 'k', 1, 0)
    const ops = [...h.ops, { index: 2, timeNs: 0, process: 1, type: 'done', f: 'send', value: [] }] as typeof h.ops
    const verdict = checkHistory(ops)
    expect(verdict.valid).toBe('unknown')
    expect(verdict.errors[0]?.message).toMatch(/op 2: field "type"/)
  })
})
