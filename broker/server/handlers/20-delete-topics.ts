// DeleteTopics v0-3. Removes the topic's partition directories; an unknown topic gets
// UNKNOWN_TOPIC_OR_PARTITION. Internal topics cannot be deleted.

import { ErrorCode } from '../../protocol/errors.ts'
import { DeleteTopics } from '../../protocol/20-delete-topics.ts'
import { INTERNAL_TOPICS } from '../broker.ts'
import { defineHandler } from '../handler.ts'

export const deleteTopicsHandler = defineHandler(DeleteTopics, async ({ broker }, request) => {
  if (broker.admin !== null) return await broker.admin.deleteTopics(request)
  const topics = []
  for (const name of request.topicNames) {
    const errorCode = INTERNAL_TOPICS.has(name) ? ErrorCode.INVALID_REQUEST : await broker.deleteTopic(name)
    topics.push({ name, errorCode })
  }
  return { throttleTimeMs: 0, topics }
})
