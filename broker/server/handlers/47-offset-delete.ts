// OffsetDelete v0. Drops committed offsets of a group for partitions no live member is
// subscribed to; a subscribed topic's partitions answer GROUP_SUBSCRIBED_TO_TOPIC.

import { OffsetDelete } from '../../protocol/47-offset-delete.ts'
import { defineHandler } from '../handler.ts'

export const offsetDeleteHandler = defineHandler(OffsetDelete, async ({ broker }, request) => ({
  throttleTimeMs: 0,
  ...await broker.groups.deleteOffsets(request.groupId, request.topics),
}))
