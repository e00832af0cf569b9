// Replica placement for new partitions: Kafka's rack-unaware assignment
// (AdminUtils.assignReplicasToBrokers). Partition p's first replica (its preferred leader)
// is broker (start + p) mod n, so leaders go round-robin; the followers sit at a shift from
// it that grows by one after every n partitions, so followers spread too.
//
// Kafka draws `start` and the shift at random; here the caller passes them (the controller
// derives them from the image), which keeps the controller deterministic.

export interface PlacementSpec {
  /** Eligible brokers (active ones), any order; they are sorted by id. */
  brokerIds: readonly number[]
  /** The first partition id to place (existing partitions count when adding partitions). */
  firstPartitionId: number
  partitionCount: number
  replicationFactor: number
  startIndex: number
  replicaShift: number
}

function replicaIndex (first: number, shift: number, replica: number, n: number): number {
  const offset = 1 + ((shift + replica) % (n - 1))
  return (first + offset) % n
}

/** AR of each partition, or an error message when the factor exceeds the brokers. */
export function placeReplicas (spec: PlacementSpec): number[][] | string {
  const brokers = [...spec.brokerIds].sort((a, b) => a - b)
  const n = brokers.length
  if (spec.replicationFactor > n) {
    return `replication factor ${spec.replicationFactor} is larger than the ${n} available broker${n === 1 ? '' : 's'}`
  }
  const out: number[][] = []
  let shift = spec.replicaShift % Math.max(n, 1)
  for (let i = 0; i < spec.partitionCount; i++) {
    const partitionId = spec.firstPartitionId + i
    if (partitionId > 0 && partitionId % n === 0) shift += 1
    const first = (partitionId + spec.startIndex) % n
    const replicas = [brokers[first]!]
    for (let j = 0; j < spec.replicationFactor - 1; j++) replicas.push(brokers[replicaIndex(first, shift, j, n)]!)
    out.push(replicas)
  }
  return out
}
