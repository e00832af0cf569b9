// The vocabulary of the sans-I/O metadata quorum (KRaft, KIP-595 with pre-vote from KIP-996
// and snapshots from KIP-630). Every message is a plain object; the wire codecs for the
// Kafka RPCs live in broker/protocol/52..55-*.ts and the network layer translates between
// the two. Node ids are Kafka's `node.id`; -1 means "none / unknown" as on the wire.

export type NodeId = number
export const NO_NODE = -1

/** One entry of the metadata log. `leaderChange` is the control record a new leader appends. */
export interface Entry {
  offset: number
  epoch: number
  kind: 'data' | 'leaderChange'
  /** Opaque record bytes (the controller's serialised metadata record). Empty for control records. */
  data: Uint8Array
}

/** A point of the log: the snapshot or fetch position, named after Kafka's OffsetAndEpoch. */
export interface OffsetAndEpoch {
  offset: number
  epoch: number
}

/** A state-machine snapshot covering every entry below `endOffset` (KIP-630 snapshot id). */
export interface Snapshot {
  endOffset: number
  /** Epoch of the entry at endOffset - 1, used for fetch validation after the prefix is gone. */
  epoch: number
  data: Uint8Array
}

/** What `quorum-state` holds; written atomically and fsynced before any message of the step leaves. */
export interface QuorumStateRecord {
  epoch: number
  votedFor: NodeId
  leaderId: NodeId
}

/**
 * What consumes committed entries (the controller's metadata image; a key/value map in the
 * simulator). The driver calls restore() for Output.loadSnapshot, then apply() for each
 * committed entry, and hands snapshot() to RaftNode.createSnapshot(appliedOffset, ...).
 */
export interface StateMachine {
  /** The next offset it expects: everything below is applied. */
  readonly appliedOffset: number
  apply (entry: Entry): void
  snapshot (): Uint8Array
  restore (snapshot: Snapshot): void
}

// --- Messages (API keys as in Kafka; pre-vote is Vote v2 with preVote=true) ---

export interface VoteRequest { type: 'vote'; epoch: number; candidateId: NodeId; lastEpoch: number; lastOffset: number; preVote: boolean }
export interface VoteResponse { type: 'voteResponse'; errorCode: number; epoch: number; leaderId: NodeId; granted: boolean; preVote: boolean }
export interface BeginQuorumEpochRequest { type: 'beginQuorumEpoch'; epoch: number; leaderId: NodeId }
export interface BeginQuorumEpochResponse { type: 'beginQuorumEpochResponse'; errorCode: number; epoch: number; leaderId: NodeId }
export interface EndQuorumEpochRequest { type: 'endQuorumEpoch'; epoch: number; leaderId: NodeId; preferredSuccessors: NodeId[] }
export interface EndQuorumEpochResponse { type: 'endQuorumEpochResponse'; errorCode: number; epoch: number; leaderId: NodeId }

/** Fetch of the metadata partition (API 1, v13+ semantics: last_fetched_epoch, diverging_epoch, snapshot_id). */
export interface FetchRequest { type: 'fetch'; replicaId: NodeId; epoch: number; fetchOffset: number; lastFetchedEpoch: number; maxEntries: number }
export interface FetchResponse {
  type: 'fetchResponse'
  errorCode: number
  epoch: number
  leaderId: NodeId
  highWatermark: number
  entries: Entry[]
  /** Set when the follower's log diverges: truncate to endOffset of that epoch, then fetch again. */
  divergingEpoch: OffsetAndEpoch | null
  /** Set when the follower is behind the leader's log start: fetch this snapshot first. */
  snapshotId: OffsetAndEpoch | null
}

/** FetchSnapshot (API 59): chunks of one snapshot by byte position. */
export interface FetchSnapshotRequest { type: 'fetchSnapshot'; replicaId: NodeId; epoch: number; snapshotId: OffsetAndEpoch; position: number; maxBytes: number }
export interface FetchSnapshotResponse {
  type: 'fetchSnapshotResponse'
  errorCode: number
  epoch: number
  leaderId: NodeId
  snapshotId: OffsetAndEpoch
  sizeBytes: number
  position: number
  chunk: Uint8Array
}

export type RaftMessage =
  | VoteRequest | VoteResponse
  | BeginQuorumEpochRequest | BeginQuorumEpochResponse
  | EndQuorumEpochRequest | EndQuorumEpochResponse
  | FetchRequest | FetchResponse
  | FetchSnapshotRequest | FetchSnapshotResponse

/**
 * A message between two nodes. `correlationId` is the request header's: a node numbers its
 * requests and a response carries the number of the request it answers, so a late or
 * duplicated response to an older request is recognised and dropped.
 */
export interface Envelope { from: NodeId; to: NodeId; correlationId: number; message: RaftMessage }

// --- Outputs of one step ---

export type LogChange =
  | { type: 'append'; fromOffset: number; toOffset: number }
  | { type: 'truncate'; toOffset: number }
  | { type: 'snapshotInstalled'; endOffset: number }

export interface Output {
  /** Persist before sending `messages` (a granted vote must survive a crash). */
  persist: QuorumStateRecord | null
  /** The log has unflushed appends: fsync it, then call `onFlushed(endOffset)`. */
  flush: boolean
  /** What the core did to the log in this step (it calls the RaftLog itself; this is for logging/metrics). */
  log: LogChange[]
  messages: Envelope[]
  /** When set, reset the state machine to this snapshot before applying `committed`. */
  loadSnapshot: Snapshot | null
  /** Entries that became committed in this step, in offset order, each delivered once per incarnation. */
  committed: Entry[]
}

export type ProposeResult =
  | { ok: true; epoch: number; baseOffset: number; lastOffset: number }
  | { ok: false; reason: 'notLeader'; epoch: number; leaderId: NodeId }

/** Randomness for election jitter; the simulator passes a seeded generator (chaos/run/prng.ts fits). */
export interface Random {
  /** An integer in [0, maxExclusive). */
  int (maxExclusive: number): number
}

export interface RaftConfig {
  nodeId: NodeId
  /** `controller.quorum.voters` ids; a node not in it is an observer (a pure broker). */
  voters: readonly NodeId[]
  /** `controller.quorum.election.timeout.ms` (Kafka: 1000); jitter adds up to the same again. */
  electionTimeoutMs: number
  /** `controller.quorum.fetch.timeout.ms` (Kafka: 2000). */
  fetchTimeoutMs: number
  /** `controller.quorum.request.timeout.ms`: an unanswered request is sent again after this. */
  requestTimeoutMs: number
  /**
   * A follower whose fetch came back empty asks again after this. It stands in for the
   * leader parking the fetch (long poll), which the network layer will do.
   */
  fetchIntervalMs: number
  /** How many entries one Fetch response carries at most. */
  fetchMaxEntries: number
  /** FetchSnapshot chunk size. */
  snapshotChunkBytes: number
  /** Debug-only broken rules, used to show the simulator catches them. Never set in production. */
  debug?: DebugFaults
}

export interface DebugFaults {
  /** Grant a vote even when already voted for another candidate in this epoch. */
  grantTwoVotes?: boolean
  /** Advance the HW over a majority without waiting for an entry of the leader's own epoch. */
  commitOldEpochByCount?: boolean
  /** On following a leader, cut the log back to the high watermark (Kafka before KIP-101). */
  truncateToHighWatermarkOnFollow?: boolean
}

export const DEFAULT_RAFT_TIMING = {
  electionTimeoutMs: 1000,
  fetchTimeoutMs: 2000,
  requestTimeoutMs: 2000,
  fetchIntervalMs: 500,
  fetchMaxEntries: 64,
  snapshotChunkBytes: 4096,
} as const
