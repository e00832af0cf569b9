// The digest's typed-array columns: growth keeps every value, and an integer column that
// starts at 4 bytes a value widens without losing the values already stored.
import { describe, expect, it } from 'vitest'
import { Float64Column, IntegerColumn, KeyTable } from '../../../chaos/check/columns.ts'
import { checkHistory } from '../../../chaos/check/checker.ts'
import { expectValid, HistoryBuilder } from './history-builder.ts'

describe('columns', () => {
  it('grow past their first capacity and keep every value, also after trim', () => {
    const column = new Float64Column()
    for (let i = 0; i < 5000; i++) column.push(i * 1.5)
    column.trim()
    expect(column.length).toBe(5000)
    expect([column.get(0), column.get(1023), column.get(4999)]).toEqual([0, 1023 * 1.5, 4999 * 1.5])
  })

  it('an integer column widens at the first value beyond int32 and keeps the earlier ones', () => {
    const column = new IntegerColumn()
    for (let i = 0; i < 3000; i++) column.push(i - 1)
    column.push(2 ** 40)
    column.set(5, -(2 ** 35))
    expect(column.length).toBe(3001)
    expect([column.get(0), column.get(5), column.get(2999), column.get(3000)]).toEqual([-1, -(2 ** 35), 2998, 2 ** 40])
  })

  it('a key table gives one id per distinct key', () => {
    const keys = new KeyTable()
    expect([keys.id('a'), keys.id('b'), keys.id('a')]).toEqual([0, 1, 0])
    expect(keys.key(1)).toBe('b')
    expect(keys.size).toBe(2)
  })

  it('a history with offsets and values beyond int32 checks as it reads', () => {
    const big = 2 ** 33
    const h = new HistoryBuilder()
    h.send(1, 'k', big + 1, big)
    h.send(1, 'k', big + 2, big + 1)
    h.poll(2, { k: [[big, big + 1], [big + 1, big + 2]] }, { final: true })
    expectValid(checkHistory(h.ops, { requireFinalPolls: true }))
  })
})
