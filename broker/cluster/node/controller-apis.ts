// The controller listener's APIs that reach the Controller: broker membership
// (BrokerRegistration 62, BrokerHeartbeat 63), ISR changes (AlterPartition 56) and the admin
// requests brokers forward (CreateTopics 19, DeleteTopics 20, CreatePartitions 37,
// ElectLeaders 43, IncrementalAlterConfigs 44 with SET and DELETE on topics). Each converts
// the wire shape to the controller's request and back; the ControllerService answers
// NOT_CONTROLLER when this node is not the active controller.

import { defineHandler, type ApiHandler } from '../../server/handler.ts'
import { BrokerRegistration } from '../../protocol/62-broker-registration.ts'
import { BrokerHeartbeat } from '../../protocol/63-broker-heartbeat.ts'
import { AlterPartition } from '../../protocol/56-alter-partition.ts'
import { CreateTopics } from '../../protocol/19-create-topics.ts'
import { DeleteTopics } from '../../protocol/20-delete-topics.ts'
import { CreatePartitions } from '../../protocol/37-create-partitions.ts'
import { ElectLeaders } from '../../protocol/43-elect-leaders.ts'
import { ConfigOperation, IncrementalAlterConfigs, type IncrementalAlterConfigsResource } from '../../protocol/44-incremental-alter-configs.ts'
import { ConfigResourceType } from '../../protocol/32-describe-configs.ts'
import { ErrorCode } from '../../protocol/errors.ts'
import type { ControllerRequest, ReplyOf } from '../requests.ts'

/** What the handlers need: the ControllerService, or a forwarder to the active controller. */
export interface ControllerGateway {
  handle<R extends ControllerRequest> (request: R): Promise<ReplyOf<R>>
}

export function controllerHandlers (gateway: ControllerGateway): ApiHandler[] {
  return [
    defineHandler(BrokerRegistration, async (_ctx, req) => {
      const reply = await gateway.handle({
        kind: 'brokerRegistration', brokerId: req.brokerId, clusterId: req.clusterId, incarnationId: req.incarnationId, rack: req.rack,
        listeners: req.listeners.map(l => ({ name: l.name, host: l.host, port: l.port, securityProtocol: l.securityProtocol })),
      })
      return { throttleTimeMs: 0, errorCode: reply.errorCode, brokerEpoch: reply.brokerEpoch }
    }),
    defineHandler(BrokerHeartbeat, async (_ctx, req) => {
      const reply = await gateway.handle({
        kind: 'brokerHeartbeat', brokerId: req.brokerId, brokerEpoch: req.brokerEpoch, currentMetadataOffset: req.currentMetadataOffset,
        wantFence: req.wantFence, wantShutDown: req.wantShutDown,
      })
      return { throttleTimeMs: 0, ...reply }
    }),
    defineHandler(AlterPartition, async (_ctx, req) => {
      const reply = await gateway.handle({
        kind: 'alterPartition', brokerId: req.brokerId, brokerEpoch: req.brokerEpoch,
        topics: req.topics.map(t => ({ topicId: t.topicId, partitions: t.partitions })),
      })
      return { throttleTimeMs: 0, errorCode: reply.errorCode, topics: reply.topics.map(t => ({ topicName: '', ...t })) }
    }),
    ...adminHandlers(gateway),
  ]
}

/** What the controller cannot take from a forwarded alter: brokers resolve APPEND / SUBTRACT first. */
function alterProblem (resource: IncrementalAlterConfigsResource): string | null {
  if (resource.resourceType !== ConfigResourceType.topic) return `resource type ${resource.resourceType}: only topic configs (2) go to the controller`
  const other = resource.configs.find(c => c.configOperation !== ConfigOperation.set && c.configOperation !== ConfigOperation.delete)
  return other === undefined ? null : `${other.name}: operation ${other.configOperation}; the controller takes SET (0) and DELETE (1) only`
}

/** CreateTopics, DeleteTopics, CreatePartitions, ElectLeaders and topic config changes as the controller answers them. */
export function adminHandlers (gateway: ControllerGateway): ApiHandler[] {
  return [
    defineHandler(CreateTopics, async (_ctx, req) => {
      const reply = await gateway.handle({ kind: 'createTopics', topics: req.topics, validateOnly: req.validateOnly })
      return { throttleTimeMs: 0, topics: reply.topics.map(t => ({ name: t.name, errorCode: t.errorCode, errorMessage: t.errorMessage, numPartitions: t.numPartitions, replicationFactor: t.replicationFactor, configs: null })) }
    }),
    defineHandler(DeleteTopics, async (_ctx, req) => {
      const reply = await gateway.handle({ kind: 'deleteTopics', names: req.topicNames })
      return { throttleTimeMs: 0, topics: reply.topics.map(t => ({ name: t.name, errorCode: t.errorCode, errorMessage: t.errorMessage })) }
    }),
    defineHandler(CreatePartitions, async (_ctx, req) => {
      const reply = await gateway.handle({
        kind: 'createPartitions', validateOnly: req.validateOnly,
        topics: req.topics.map(t => ({ name: t.name, count: t.count, assignments: t.assignments?.map(a => a.brokerIds) ?? null })),
      })
      return { throttleTimeMs: 0, results: reply.results }
    }),
    defineHandler(IncrementalAlterConfigs, async (_ctx, req) => {
      const refused = new Map(req.resources.map(r => [r, alterProblem(r)] as const).filter(([, problem]) => problem !== null))
      const asked = req.resources.filter(r => !refused.has(r))
      const reply = req.validateOnly || asked.length === 0
        ? { topics: asked.map(r => ({ name: r.resourceName, errorCode: ErrorCode.NONE, errorMessage: null })) }
        : await gateway.handle({
          kind: 'alterConfigs',
          topics: asked.map(r => ({ name: r.resourceName, configs: r.configs.map(c => ({ name: c.name, value: c.configOperation === ConfigOperation.delete ? null : c.value })) })),
        })
      const byName = new Map(reply.topics.map(t => [t.name, t]))
      return {
        throttleTimeMs: 0,
        responses: req.resources.map(r => {
          const problem = refused.get(r)
          const answer = problem === undefined ? byName.get(r.resourceName) : { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: problem }
          return { resourceType: r.resourceType, resourceName: r.resourceName, errorCode: answer?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: answer?.errorMessage ?? null }
        }),
      }
    }),
    defineHandler(ElectLeaders, async (_ctx, req) => {
      const reply = await gateway.handle({ kind: 'electLeaders', electionType: req.electionType, topicPartitions: req.topicPartitions })
      return {
        throttleTimeMs: 0, errorCode: reply.errorCode,
        replicaElectionResults: reply.results.map(r => ({ topic: r.topic, partitionResult: r.partitions })),
      }
    }),
  ]
}

