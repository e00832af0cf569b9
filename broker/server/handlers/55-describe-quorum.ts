// DescribeQuorum v0-2 asked of a cluster member's client listener (kafka-metadata-quorum
// and Admin.describeMetadataQuorum do this): forwarded to the quorum leader, which alone
// knows every voter's progress. Registered only in a cluster.

import { DescribeQuorum } from '../../protocol/55-describe-quorum.ts'
import { forwardDescribeQuorum } from '../../cluster/node/forward.ts'
import { defineHandler } from '../handler.ts'

export const describeQuorumHandler = defineHandler(DescribeQuorum, ({ broker }, request) => forwardDescribeQuorum(broker, request))
