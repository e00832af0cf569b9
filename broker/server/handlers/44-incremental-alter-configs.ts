// IncrementalAlterConfigs v0-1. Topic resources change only the named keys: SET, DELETE
// (back to the default), APPEND / SUBTRACT items of a list key (cleanup.policy, ...).
// Checks, persistence and the refusal of broker resources are AlterConfigs' (33).

import { ErrorCode } from '../../protocol/errors.ts'
import { ConfigOperation, IncrementalAlterConfigs, type IncrementalAlterConfigsResource } from '../../protocol/44-incremental-alter-configs.ts'
import type { AlterConfigsResourceResponse } from '../../protocol/33-alter-configs.ts'
import { ConfigResourceType } from '../../protocol/32-describe-configs.ts'
import { TOPIC_CONFIG_KEYS } from '../../config/topic-keys.ts'
import type { Broker } from '../broker.ts'
import { resolveTopicConfig } from '../topic-settings.ts'
import { defineHandler } from '../handler.ts'
import { alterTopic, notATopic } from './33-alter-configs.ts'

type Change = { name: string, value: string | null }

/** Turns the operations into plain changes; a problem names the key and the operation. */
function toChanges (broker: Broker, resource: IncrementalAlterConfigsResource): Change[] | string {
  const overrides = broker.topicOverrides(resource.resourceName)
  const changes: Change[] = []
  for (const c of resource.configs) {
    if (c.configOperation === ConfigOperation.set) changes.push({ name: c.name, value: c.value })
    else if (c.configOperation === ConfigOperation.delete) changes.push({ name: c.name, value: null })
    else if (c.configOperation === ConfigOperation.append || c.configOperation === ConfigOperation.subtract) {
      if (TOPIC_CONFIG_KEYS[c.name]?.type !== 'list') return `${c.name.slice(0, 100)} is not a list: APPEND and SUBTRACT apply to list configs only`
      const items = resolveTopicConfig(broker.config, overrides, c.name).value.split(',').filter(s => s !== '')
      const given = (c.value ?? '').split(',').map(s => s.trim()).filter(s => s !== '')
      const next = c.configOperation === ConfigOperation.append ? [...items, ...given.filter(g => !items.includes(g))] : items.filter(i => !given.includes(i))
      changes.push({ name: c.name, value: next.join(',') })
    } else {
      return `config operation ${c.configOperation} is unknown (0 SET, 1 DELETE, 2 APPEND, 3 SUBTRACT)`
    }
  }
  return changes
}

export const incrementalAlterConfigsHandler = defineHandler(IncrementalAlterConfigs, async ({ broker }, request) => {
  const responses: AlterConfigsResourceResponse[] = []
  for (const resource of request.resources) {
    if (resource.resourceType !== ConfigResourceType.topic) {
      responses.push(notATopic(resource.resourceType, resource.resourceName))
      continue
    }
    const changes = broker.partitionCount(resource.resourceName) === undefined ? [] : toChanges(broker, resource)
    responses.push(typeof changes === 'string'
      ? { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: changes, resourceType: resource.resourceType, resourceName: resource.resourceName }
      : await alterTopic(broker, resource.resourceName, changes, false, request.validateOnly))
  }
  return { throttleTimeMs: 0, responses }
})
