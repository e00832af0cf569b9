// AlterConfigs v0-2. Topic resources get exactly the named configs (the rest go back to
// their defaults), checked as CreateTopics checks them (INVALID_CONFIG names the key) and
// kept across restarts. Broker configs are static (a properties file read at start), so a
// broker resource is refused with a message that says so.

import { ErrorCode } from '../../protocol/errors.ts'
import { AlterConfigs, type AlterConfigsResourceResponse } from '../../protocol/33-alter-configs.ts'
import { ConfigResourceType } from '../../protocol/32-describe-configs.ts'
import type { Broker } from '../broker.ts'
import { defineHandler } from '../handler.ts'

export const BROKER_CONFIGS_STATIC = 'broker configs are static in Sluice: set them in the config file or with -o and restart'

/** The answer for a resource that is not a topic. */
export function notATopic (resourceType: number, resourceName: string): AlterConfigsResourceResponse {
  const errorMessage = resourceType === ConfigResourceType.broker ? BROKER_CONFIGS_STATIC : `resource type ${resourceType} cannot be altered (2 = topic)`
  return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage, resourceType, resourceName }
}

export async function alterTopic (broker: Broker, resourceName: string, changes: ReadonlyArray<{ name: string, value: string | null }>, replace: boolean, validateOnly: boolean): Promise<AlterConfigsResourceResponse> {
  const { errorCode, message } = await broker.alterTopicConfig(resourceName, changes, replace, validateOnly)
  return { errorCode, errorMessage: message, resourceType: ConfigResourceType.topic, resourceName }
}

export const alterConfigsHandler = defineHandler(AlterConfigs, async ({ broker }, request) => {
  const responses: AlterConfigsResourceResponse[] = []
  for (const resource of request.resources) {
    responses.push(resource.resourceType === ConfigResourceType.topic
      ? await alterTopic(broker, resource.resourceName, resource.configs, true, request.validateOnly)
      : notATopic(resource.resourceType, resource.resourceName))
  }
  return { throttleTimeMs: 0, responses }
})
