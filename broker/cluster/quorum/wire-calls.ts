// Which Kafka RPC carries each request the quorum core sends (wire.ts, wire-fetch.ts).
// Replies have none: they go back as the response to the request being served.

import type { NodeId, RaftMessage } from '../raft/types.ts'
import { beginQuorumEpochCall, endQuorumEpochCall, voteCall, type WireCall, type WireContext } from './wire.ts'
import { fetchCall, fetchSnapshotCall } from './wire-fetch.ts'

type CallBuilder = (m: RaftMessage, to: NodeId, ctx: WireContext) => WireCall

const CALLS: Partial<Record<RaftMessage['type'], CallBuilder>> = {
  vote: voteCall,
  beginQuorumEpoch: beginQuorumEpochCall,
  endQuorumEpoch: endQuorumEpochCall,
  fetch: fetchCall,
  fetchSnapshot: fetchSnapshotCall,
}

/** The outgoing call for a request, or null for a reply. */
export function callFor (m: RaftMessage, to: NodeId, ctx: WireContext): WireCall | null {
  const build = CALLS[m.type]
  return build === undefined ? null : build(m, to, ctx)
}
