// Debug-only broken rules for the partition replication state machines, re-creating the
// historical bugs of replication.md so that the replication simulator (harness/repl-sim/)
// can show it catches each one. Like the quorum's DebugFaults (raft/types.ts): never set
// in production, every field off by default, and the default path does not look at them
// beyond one boolean test.

export interface ReplicaDebugFaults {
  /** Follower: on following a leader (or restarting) cut the log back to the HW, as Kafka did before KIP-101. */
  truncateToHighWatermarkOnFollow?: boolean
  /** Leader: apply an ISR shrink locally at once instead of waiting for the controller (before KIP-497). */
  shrinkIsrWithoutController?: boolean
  /** Leader: ignore min.insync.replicas for acks=all and for the HW (the Jepsen 2013 finding). */
  ignoreMinIsr?: boolean
}
