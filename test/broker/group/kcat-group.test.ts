// `kcat -G` (librdkafka's balanced consumer, Debian's kcat 1.7.1): one instance joins,
// consumes everything and commits; a second instance in the same group makes the group
// split the partitions, and from then on each consumes only its own.

import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { decodeConsumerAssignment } from '../../../broker/protocol/consumer-protocol.ts'
import type { Broker } from '../../../broker/server/broker.ts'
import { appendRecords, createTopic, startTestBroker, waitFor, type TestBroker } from './helpers.ts'

const KCAT = '/usr/bin/kcat'
const PARTITIONS = 4
const TOPIC = 'kcat-topic'
const GROUP = 'kcat-group'

interface Kcat {
  child: ChildProcess
  /** "partition offset value" per consumed message. */
  lines: Array<{ partition: number, offset: number, value: string }>
  stderr: string[]
  stop (): Promise<void>
}

function startKcat (bootstrap: string): Kcat {
  const child = spawn(KCAT, [
    '-b', bootstrap, '-G', GROUP,
    '-X', 'auto.offset.reset=earliest', '-X', 'auto.commit.interval.ms=100',
    '-X', 'session.timeout.ms=6000', '-X', 'heartbeat.interval.ms=200',
    '-f', '%p %o %s\\n', '-u', TOPIC,
  ], { stdio: ['ignore', 'pipe', 'pipe'] })
  const kcat: Kcat = {
    child,
    lines: [],
    stderr: [],
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise(resolve => child.once('exit', resolve))
      // SIGTERM makes kcat commit and leave the group; SIGKILL if it does not manage.
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    },
  }
  createInterface({ input: child.stdout! }).on('line', line => {
    const [partition, offset, value] = line.split(' ')
    kcat.lines.push({ partition: Number(partition), offset: Number(offset), value: value! })
  })
  createInterface({ input: child.stderr! }).on('line', line => { kcat.stderr.push(line) })
  return kcat
}

function owners (broker: Broker): Map<string, number[]> | undefined {
  const group = broker.groups.get(GROUP)
  if (group?.state !== 'Stable') return undefined
  return new Map([...group.members.values()].map(m => [m.memberId, decodeConsumerAssignment(m.assignment).assignedPartitions.flatMap(tp => tp.partitions).sort()]))
}

function committedAll (broker: Broker): boolean {
  const group = broker.groups.get(GROUP)
  return Array.from({ length: PARTITIONS }, (_, p) => p).every(p => group?.offset(TOPIC, p)?.offset === broker.partition(TOPIC, p)!.highWatermark)
}

describe('kcat -G balanced consumer', () => {
  let env: TestBroker
  const running: Kcat[] = []
  beforeEach(async () => { env = await startTestBroker() })
  afterEach(async () => {
    await Promise.allSettled(running.splice(0).map(k => k.stop()))
    await env.close()
  })

  it('joins, consumes and commits; a second member splits the partitions', async () => {
    await createTopic(env.broker, TOPIC, PARTITIONS)
    for (let p = 0; p < PARTITIONS; p++) await appendRecords(env.broker, TOPIC, p, Array.from({ length: 5 }, (_, i) => ({ key: null, value: `first-${p}-${i}` })))
    const first = startKcat(env.bootstrap)
    running.push(first)
    const why = (): string => `kcat said: ${[...first.stderr, ...(running[1]?.stderr ?? [])].slice(-20).join('\n')}`
    await waitFor('the first kcat to consume every message', () => first.lines.length >= 4 * 5, 25_000).catch(err => { throw new Error(`${err.message}; ${why()}`) })
    expect(first.lines.map(l => l.value).sort()).toEqual(Array.from({ length: PARTITIONS }, (_, p) => Array.from({ length: 5 }, (_, i) => `first-${p}-${i}`)).flat().sort())
    await waitFor('the first kcat to commit up to the high watermarks', () => committedAll(env.broker), 20_000)
    const alone = owners(env.broker)!
    expect([...alone.values()]).toEqual([[0, 1, 2, 3]])
    expect(env.broker.groups.get(GROUP)!.protocolType).toBe('consumer')

    const second = startKcat(env.bootstrap)
    running.push(second)
    const split = await waitFor('two kcat members splitting the partitions', () => {
      const assignment = owners(env.broker)
      if (assignment === undefined || assignment.size !== 2) return undefined
      const all = [...assignment.values()].flat()
      return all.length === PARTITIONS && new Set(all).size === PARTITIONS && [...assignment.values()].every(ps => ps.length === 2) ? assignment : undefined
    }, 25_000).catch(err => { throw new Error(`${err.message}; ${why()}`) })
    expect([...split.values()].flat().sort()).toEqual([0, 1, 2, 3])

    const before = [first.lines.length, second.lines.length]
    for (let p = 0; p < PARTITIONS; p++) await appendRecords(env.broker, TOPIC, p, [{ key: null, value: `second-${p}` }])
    await waitFor('both kcats to consume the new messages', () => first.lines.length + second.lines.length - before[0]! - before[1]! >= PARTITIONS, 25_000)
      .catch(err => { throw new Error(`${err.message}; ${why()}`) })
    const newByFirst = first.lines.slice(before[0]).map(l => l.partition)
    const newBySecond = second.lines.slice(before[1]).map(l => l.partition)
    // Nothing from the first round is read again, and each instance reads only its own partitions.
    expect(second.lines.some(l => l.value.startsWith('first-'))).toBe(false)
    expect(newByFirst.length).toBe(2)
    expect(newBySecond.length).toBe(2)
    expect(new Set([...newByFirst, ...newBySecond]).size).toBe(PARTITIONS)
    await waitFor('both kcats to commit up to the high watermarks', () => committedAll(env.broker), 20_000)
  })
})
