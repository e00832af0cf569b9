// A @platformatic/kafka consumer with a group.instance.id in its own process, so a test can
// SIGKILL it (no LeaveGroup, as a crashed or restarted static member) and start it again.
// Prints one JSON line per group join: member id, generation, leadership and partitions.
//
//   node static-member-child.ts <bootstrap> <groupId> <topic> <instanceId>

import { Consumer, stringDeserializers } from '@platformatic/kafka'

const [bootstrap, groupId, topic, groupInstanceId] = process.argv.slice(2) as [string, string, string, string]
const consumer = new Consumer({
  groupId,
  groupInstanceId,
  clientId: groupInstanceId,
  bootstrapBrokers: [bootstrap],
  deserializers: stringDeserializers,
  sessionTimeout: 30_000,
  heartbeatInterval: 200,
  rebalanceTimeout: 30_000,
  maxWaitTime: 100,
})
consumer.on('consumer:group:join', (event: { memberId: string, generationId: number, isLeader: boolean, assignments: Array<{ partitions: number[] }> | null }) => {
  const partitions = (event.assignments ?? []).flatMap(a => a.partitions).sort((a, b) => a - b)
  process.stdout.write(JSON.stringify({ event: 'join', memberId: event.memberId, generationId: event.generationId, isLeader: event.isLeader, partitions }) + '\n')
})
const stream = await consumer.consume({ topics: [topic], mode: 'earliest' })
stream.on('data', () => {})
