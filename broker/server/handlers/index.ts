// Every API this broker answers, in protocol order. ApiVersions reads the ranges from
// this list, so adding a handler here is all it takes to advertise it.

import { HandlerRegistry, type ApiHandler } from '../handler.ts'
import { produceHandler } from './00-produce.ts'
import { fetchHandler } from './01-fetch.ts'
import { listOffsetsHandler } from './02-list-offsets.ts'
import { metadataHandler } from './03-metadata.ts'
import { apiVersionsHandler } from './18-api-versions.ts'
import { createTopicsHandler } from './19-create-topics.ts'
import { deleteTopicsHandler } from './20-delete-topics.ts'
import { describeConfigsHandler } from './32-describe-configs.ts'

export function createRegistry (extra: readonly ApiHandler[] = []): HandlerRegistry {
  const registry: HandlerRegistry = new HandlerRegistry([
    produceHandler,
    fetchHandler,
    listOffsetsHandler,
    metadataHandler,
    apiVersionsHandler(() => registry),
    createTopicsHandler,
    deleteTopicsHandler,
    describeConfigsHandler,
    ...extra,
  ])
  return registry
}
