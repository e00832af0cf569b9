// DescribeGroups v0-4. An unknown group is described as Dead with no members, not refused.
// Member metadata and assignments are filled only while the group is Stable, as in Kafka.
// authorized_operations is left unset: this broker has no ACLs to report.

import { DescribeGroups } from '../../protocol/15-describe-groups.ts'
import { defineHandler } from '../handler.ts'

export const describeGroupsHandler = defineHandler(DescribeGroups, ({ broker }, request) => ({
  throttleTimeMs: 0,
  groups: request.groups.map(groupId => broker.groups.describe(groupId)),
}))
