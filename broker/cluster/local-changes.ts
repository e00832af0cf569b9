// What a change of metadata image means for one node: which partitions it now leads, which
// it follows (and from which leader, at which epoch), and which it no longer hosts. This is
// how a broker turns replayed PartitionRecords and PartitionChangeRecords into actions
// (Kafka's TopicsDelta.localChanges): a broker never decides leadership itself.

import type { MetadataImage, PartitionState, TopicState } from './image.ts'

export interface LocalPartition {
  topicName: string
  topicId: string
  partitionId: number
  state: PartitionState
  /** The node did not host this replica in the previous image. */
  isNew: boolean
  /** The leader epoch moved (new leader, or the same one re-elected): fetchers restart. */
  leaderEpochChanged: boolean
}

export interface LocalRemoval {
  topicName: string
  topicId: string
  partitionId: number
  /** The whole topic was deleted (the replica's data goes), not just reassigned away. */
  topicDeleted: boolean
}

export interface LocalChanges {
  /** Partitions this node leads whose state changed (new leadership, ISR or epochs). */
  leaders: LocalPartition[]
  /** Partitions this node follows whose state changed. */
  followers: LocalPartition[]
  removed: LocalRemoval[]
}

function classify (out: LocalChanges, topic: TopicState, partitionId: number, before: PartitionState | undefined, nodeId: number): void {
  const after = topic.partitions[partitionId]!
  if (after === before) return
  const hostedBefore = before !== undefined && before.replicas.includes(nodeId)
  if (!after.replicas.includes(nodeId)) {
    if (hostedBefore) out.removed.push({ topicName: topic.name, topicId: topic.id, partitionId, topicDeleted: false })
    return
  }
  const change: LocalPartition = {
    topicName: topic.name,
    topicId: topic.id,
    partitionId,
    state: after,
    isNew: !hostedBefore,
    leaderEpochChanged: before === undefined || before.leaderEpoch !== after.leaderEpoch,
  }
  if (after.leader === nodeId) out.leaders.push(change)
  else out.followers.push(change)
}

/** The changes for `nodeId` between two images, in topic and partition order of `after`. */
export function localChanges (before: MetadataImage, after: MetadataImage, nodeId: number): LocalChanges {
  const out: LocalChanges = { leaders: [], followers: [], removed: [] }
  for (const [id, topic] of after.topics) {
    const old = before.topics.get(id)
    if (old === topic) continue
    for (let p = 0; p < topic.partitions.length; p++) classify(out, topic, p, old?.partitions[p], nodeId)
  }
  for (const [id, topic] of before.topics) {
    if (after.topics.has(id)) continue
    topic.partitions.forEach((state, partitionId) => {
      if (state.replicas.includes(nodeId)) out.removed.push({ topicName: topic.name, topicId: id, partitionId, topicDeleted: true })
    })
  }
  return out
}
