// DescribeQuorum v0-2 asked of a cluster member's client listener (kafka-metadata-quorum
// and Admin.describeMetadataQuorum do this): forwarded to the quorum leader, which alone
// knows every voter's progress. Registered only in a cluster.

import { DescribeQuorum } from '../../protocol/55-describe-quorum.ts'
import { defineHandler } from '../handler.ts'

export const describeQuorumHandler = defineHandler(DescribeQuorum, async ({ broker }, request) => {
  if (broker.admin === null) throw new Error('programmer error: DescribeQuorum is registered only in a cluster')
  return await broker.admin.describeQuorum(request)
})
