// Regression for issue 16 bug 3: a static member (group.instance.id) that led the group and
// restarts must not trigger a rebalance (KIP-345). Two @platformatic/kafka consumers with
// instance ids; the leader runs in a child process that is SIGKILLed (no LeaveGroup) and
// started again within the session timeout. The other member must see no revocation and no
// new generation, and the restarted leader gets its old partitions back.

import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { Consumer, stringDeserializers, type MessagesStream } from '@platformatic/kafka'
import { afterEach, describe, expect, it } from 'vitest'
import { createTopic, startTestBroker, waitFor, type TestBroker } from './helpers.ts'

const CHILD = fileURLToPath(new URL('./static-member-child.ts', import.meta.url))
const TOPIC = 'static-topic'
const GROUP = 'static-group'

interface JoinLine { memberId: string, generationId: number, isLeader: boolean, partitions: number[] }

function startChild (bootstrap: string, instanceId: string): { child: ChildProcess, joins: JoinLine[] } {
  const child = spawn(process.execPath, [CHILD, bootstrap, GROUP, TOPIC, instanceId], { stdio: ['ignore', 'pipe', 'inherit'] })
  const joins: JoinLine[] = []
  createInterface({ input: child.stdout! }).on('line', line => {
    try { joins.push(JSON.parse(line) as JoinLine) } catch { /* not ours */ }
  })
  return { child, joins }
}

async function killChild (child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise(resolve => child.once('exit', resolve))
  child.kill('SIGKILL')
  await exited
}

describe('static membership (KIP-345)', () => {
  let env: TestBroker | undefined
  const children: ChildProcess[] = []
  let consumer: Consumer<string, string, string, string> | undefined
  let stream: MessagesStream<string, string, string, string> | undefined
  afterEach(async () => {
    await Promise.allSettled(children.splice(0).map(killChild))
    await stream?.close().catch(() => {})
    await consumer?.close(true).catch(() => {})
    await env?.close()
  })

  it('a restarted static leader rejoins without a rebalance: same generation, no revocation', async () => {
    env = await startTestBroker()
    await createTopic(env.broker, TOPIC, 4)
    const first = startChild(env.bootstrap, 'instance-a')
    children.push(first.child)
    // A child process starts slowly on a loaded machine: the waits are generous, the checks exact.
    await waitFor('the child to lead a stable group', () => env!.broker.groups.get(GROUP)?.state === 'Stable' && first.joins.length > 0, 60_000)

    const joinsB: Array<{ generationId: number, partitions: number[] }> = []
    let rebalancesB = 0
    consumer = new Consumer({
      groupId: GROUP, groupInstanceId: 'instance-b', clientId: 'instance-b', bootstrapBrokers: [env.bootstrap],
      deserializers: stringDeserializers, sessionTimeout: 30_000, heartbeatInterval: 200, rebalanceTimeout: 30_000, maxWaitTime: 100,
    })
    consumer.on('consumer:group:join', (e: { generationId: number, assignments: Array<{ partitions: number[] }> | null }) => {
      joinsB.push({ generationId: e.generationId, partitions: (e.assignments ?? []).flatMap(a => a.partitions).sort() })
    })
    consumer.on('consumer:group:rebalance', () => { rebalancesB++ })
    stream = await consumer.consume({ topics: [TOPIC], mode: 'earliest' })
    stream.on('data', () => {})
    const settled = await waitFor('both members in one stable generation', () => {
      const group = env!.broker.groups.get(GROUP)
      const a = first.joins.at(-1)
      const b = joinsB.at(-1)
      if (group?.state !== 'Stable' || group.members.size !== 2 || a === undefined || b === undefined) return false
      if (a.generationId !== group.generationId || b.generationId !== group.generationId) return false
      return a.partitions.length + b.partitions.length === 4 ? { generationId: group.generationId, a, b } : false
    }, 60_000)
    expect(settled.a.isLeader).toBe(true)
    const joinsBefore = joinsB.length
    const rebalancesBefore = rebalancesB

    await killChild(first.child)
    const second = startChild(env.bootstrap, 'instance-a')
    children.push(second.child)
    const rejoined = await waitFor('the restarted leader to rejoin', () => second.joins.at(-1), 60_000)
    // Let a few heartbeats of the other member pass: a rebalance would show within them.
    await new Promise(resolve => setTimeout(resolve, 1500))

    expect(rejoined.generationId).toBe(settled.generationId)
    expect(rejoined.partitions).toEqual(settled.a.partitions)
    expect(rejoined.memberId).not.toBe(settled.a.memberId)
    expect(joinsB.length).toBe(joinsBefore)
    expect(rebalancesB).toBe(rebalancesBefore)
    expect(consumer.generationId).toBe(settled.generationId)
    const group = env.broker.groups.get(GROUP)!
    expect(group.state).toBe('Stable')
    expect(group.generationId).toBe(settled.generationId)
    expect(group.leaderId).toBe(rejoined.memberId)
  }, 180_000)
})
