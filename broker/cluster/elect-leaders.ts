// ElectLeaders (43) on the controller: PREFERRED moves leadership back to the first
// replica of the AR when it is alive and in the ISR; UNCLEAN gives an offline partition
// any live replica, in-sync or not. A null partition list means every partition, and then
// partitions that need no election are left out of the reply, as in Kafka.

import { ErrorCode } from '../protocol/errors.ts'
import type { ControllerContext } from './context.ts'
import { electLeader } from './partition-control.ts'
import { ElectionType, type ControllerResult, type ElectLeadersReply, type ElectLeadersRequest } from './requests.ts'

type PartitionResult = ElectLeadersReply['results'][number]['partitions'][number]

const MESSAGES: Record<number, string> = {
  [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]: 'no such topic or partition',
  [ErrorCode.ELECTION_NOT_NEEDED]: 'the partition already has the leader this election would choose',
  [ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE]: 'the preferred replica is not alive or not in the ISR',
  [ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE]: 'no live replica can lead',
}

export function electLeaders (ctx: ControllerContext, req: ElectLeadersRequest): ControllerResult<ElectLeadersReply> {
  if (req.electionType !== ElectionType.PREFERRED && req.electionType !== ElectionType.UNCLEAN) {
    return { records: [], reply: { errorCode: ErrorCode.INVALID_REQUEST, results: [] } }
  }
  const election = req.electionType === ElectionType.PREFERRED ? 'preferred' : 'unclean'
  const all = req.topicPartitions === null
  const wanted = req.topicPartitions ?? [...ctx.batch.image.topics.values()]
    .map(t => ({ topic: t.name, partitions: t.partitions.map((_, id) => id) }))
    .sort((a, b) => a.topic.localeCompare(b.topic))
  const results = wanted.map(({ topic, partitions }) => {
    const out: PartitionResult[] = []
    for (const partitionId of partitions) {
      const state = ctx.batch.image.topicByName(topic)
      const errorCode = state === undefined ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : electLeader(ctx, state, partitionId, election)
      if (all && errorCode === ErrorCode.ELECTION_NOT_NEEDED) continue
      out.push({ partitionId, errorCode, errorMessage: MESSAGES[errorCode] ?? null })
    }
    return { topic, partitions: out }
  }).filter(r => !all || r.partitions.length > 0)
  return { records: ctx.batch.records, reply: { errorCode: ErrorCode.NONE, results } }
}
