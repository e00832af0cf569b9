// Cross-checks our consumer-group codecs against a real client's independent encoders:
// @platformatic/kafka ships one module per API version. For every version we advertise
// (and each first flexible version) the client's request bytes must decode to what the
// client meant, and our response bytes must parse in the client to what we meant. Round
// trips alone cannot catch a field that both our encoder and decoder put in the wrong place.

import * as plt from '@platformatic/kafka'
import { describe, expect, it } from 'vitest'
import type { ApiCodec } from '../../../broker/protocol/api.ts'
import { OffsetCommit } from '../../../broker/protocol/08-offset-commit.ts'
import { OffsetFetch } from '../../../broker/protocol/09-offset-fetch.ts'
import { FindCoordinator } from '../../../broker/protocol/10-find-coordinator.ts'
import { JoinGroup } from '../../../broker/protocol/11-join-group.ts'
import { Heartbeat } from '../../../broker/protocol/12-heartbeat.ts'
import { LeaveGroup } from '../../../broker/protocol/13-leave-group.ts'
import { SyncGroup } from '../../../broker/protocol/14-sync-group.ts'
import { DescribeGroups } from '../../../broker/protocol/15-describe-groups.ts'
import { ListGroups } from '../../../broker/protocol/16-list-groups.ts'
import { Reader } from '../../../broker/protocol/reader.ts'
import { encodeWith } from './codec-helpers.ts'

interface ClientModule {
  // The client's request builders take each API's own positional arguments.
  createRequest: (...args: any[]) => { buffer: Buffer }
  parseResponse: (correlationId: number, apiKey: number, apiVersion: number, reader: plt.Reader) => unknown
}

function clientModule (prefix: string, version: number): Partial<ClientModule> {
  const mod = (plt as unknown as Record<string, Partial<ClientModule> | undefined>)[`${prefix}V${version}`]
  if (mod === undefined) throw new Error(`@platformatic/kafka has no ${prefix}V${version}`)
  return mod
}

function clientRequest (prefix: string, version: number, args: unknown[]): Buffer {
  const create = clientModule(prefix, version).createRequest
  if (create === undefined) throw new Error(`${prefix}V${version} has no createRequest`)
  return create(...args).buffer
}

/** A version whose response matches the one before it reuses that version's parser. */
function clientParser (prefix: string, version: number): ClientModule['parseResponse'] {
  for (let v = version; v >= 0; v--) {
    const parse = clientModule(prefix, v).parseResponse
    if (parse !== undefined) return parse
  }
  throw new Error(`${prefix} has no parseResponse at or below v${version}`)
}

interface InteropCase<Req, Res> {
  codec: ApiCodec<Req, Res>
  prefix: string
  clientRequestArgs: (v: number) => unknown[]
  expectedRequest: (v: number) => Req
  response: (v: number) => Res
  expectedParsed: (v: number) => object
}

function interopTests<Req, Res> (c: InteropCase<Req, Res>): void {
  const versions: number[] = []
  for (let v = c.codec.minVersion; v <= c.codec.flexibleVersion; v++) versions.push(v)
  describe(c.codec.name, () => {
    for (const v of versions) {
      it(`v${v}: the client's request decodes to what it meant`, () => {
        const bytes = clientRequest(c.prefix, v, c.clientRequestArgs(v))
        const r = new Reader(bytes)
        expect(c.codec.decodeRequest(r, v)).toEqual(c.expectedRequest(v))
        expect(r.remaining).toBe(0)
      })
      it(`v${v}: our response parses in the client to what we meant`, () => {
        const bytes = encodeWith(w => { c.codec.encodeResponse(w, v, c.response(v)) })
        const reader = plt.Reader.from(bytes)
        const parsed = clientParser(c.prefix, v)(1, c.codec.key, v, reader)
        expect(parsed).toMatchObject(c.expectedParsed(v))
        expect(reader.remaining).toBe(0)
      })
    }
  })
}

const metadata = Buffer.from([0, 1, 0, 0, 0, 1, 0, 1, 116, 255, 255, 255, 255])

interopTests({
  codec: OffsetCommit,
  prefix: 'offsetCommit',
  clientRequestArgs: () => ['g', 5, 'm-1', 'i-1', [{ name: 't', partitions: [{ partitionIndex: 2, committedOffset: 1234n, committedLeaderEpoch: 3, committedMetadata: 'md' }] }]],
  expectedRequest: v => ({
    groupId: 'g',
    generationId: v >= 1 ? 5 : -1,
    memberId: v >= 1 ? 'm-1' : '',
    groupInstanceId: v >= 7 ? 'i-1' : null,
    retentionTimeMs: -1,
    topics: [{ name: 't', partitions: [{ partitionIndex: 2, committedOffset: 1234, committedLeaderEpoch: v >= 6 ? 3 : -1, commitTimestamp: -1, committedMetadata: 'md' }] }],
  }),
  response: () => ({ throttleTimeMs: 7, topics: [{ name: 't', partitions: [{ partitionIndex: 2, errorCode: 0 }] }] }),
  expectedParsed: v => ({ throttleTimeMs: v >= 3 ? 7 : 0, topics: [{ name: 't', partitions: [{ partitionIndex: 2, errorCode: 0 }] }] }),
})

interopTests({
  codec: OffsetFetch,
  prefix: 'offsetFetch',
  clientRequestArgs: () => [[{ groupId: 'g', topics: [{ name: 't', partitionIndexes: [0, 3] }] }], false],
  expectedRequest: () => ({ groupId: 'g', topics: [{ name: 't', partitionIndexes: [0, 3] }] }),
  response: () => ({
    throttleTimeMs: 7,
    topics: [{ name: 't', partitions: [{ partitionIndex: 3, committedOffset: 99, committedLeaderEpoch: 4, metadata: null, errorCode: 0 }] }],
    errorCode: 0,
  }),
  expectedParsed: v => ({
    throttleTimeMs: v >= 3 ? 7 : 0,
    topics: [{ name: 't', partitions: [{ partitionIndex: 3, committedOffset: 99n, committedLeaderEpoch: v >= 5 ? 4 : -1, metadata: null, errorCode: 0 }] }],
    errorCode: 0,
  }),
})

interopTests({
  codec: FindCoordinator,
  prefix: 'findCoordinator',
  clientRequestArgs: () => [1, ['txn-1']],
  expectedRequest: v => ({ key: 'txn-1', keyType: v >= 1 ? 1 : 0 }),
  response: () => ({ throttleTimeMs: 7, errorCode: 0, errorMessage: null, nodeId: 4, host: '127.0.0.1', port: 19092 }),
  expectedParsed: v => ({
    throttleTimeMs: v >= 1 ? 7 : 0,
    coordinators: [{ errorCode: 0, errorMessage: null, nodeId: 4, host: '127.0.0.1', port: 19092 }],
  }),
})

interopTests({
  codec: JoinGroup,
  prefix: 'joinGroup',
  clientRequestArgs: () => ['g', 30_000, 60_000, 'm-1', 'i-1', 'consumer', [{ name: 'range', metadata }], null],
  expectedRequest: v => ({
    groupId: 'g',
    sessionTimeoutMs: 30_000,
    rebalanceTimeoutMs: v >= 1 ? 60_000 : -1,
    memberId: 'm-1',
    groupInstanceId: v >= 5 ? 'i-1' : null,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata }],
  }),
  response: () => ({
    throttleTimeMs: 7,
    errorCode: 0,
    generationId: 3,
    protocolName: 'range',
    leader: 'm-1',
    memberId: 'm-2',
    members: [{ memberId: 'm-1', groupInstanceId: 'i-1', metadata }],
  }),
  expectedParsed: v => ({
    throttleTimeMs: v >= 2 ? 7 : 0,
    errorCode: 0,
    generationId: 3,
    protocolName: 'range',
    leader: 'm-1',
    memberId: 'm-2',
    members: [{ memberId: 'm-1', groupInstanceId: v >= 5 ? 'i-1' : null, metadata }],
  }),
})

interopTests({
  codec: Heartbeat,
  prefix: 'heartbeat',
  clientRequestArgs: () => ['g', 3, 'm-1', 'i-1'],
  expectedRequest: v => ({ groupId: 'g', generationId: 3, memberId: 'm-1', groupInstanceId: v >= 3 ? 'i-1' : null }),
  response: () => ({ throttleTimeMs: 7, errorCode: 0 }),
  expectedParsed: v => ({ throttleTimeMs: v >= 1 ? 7 : 0, errorCode: 0 }),
})

interopTests({
  codec: LeaveGroup,
  prefix: 'leaveGroup',
  clientRequestArgs: v => ['g', v >= 3 ? [{ memberId: 'm-1', groupInstanceId: null }, { memberId: 'm-2', groupInstanceId: 'i-2' }] : [{ memberId: 'm-1' }]],
  expectedRequest: v => v >= 3
    ? { groupId: 'g', memberId: '', members: [{ memberId: 'm-1', groupInstanceId: null }, { memberId: 'm-2', groupInstanceId: 'i-2' }] }
    : { groupId: 'g', memberId: 'm-1', members: [] },
  response: () => ({ throttleTimeMs: 7, errorCode: 0, members: [{ memberId: 'm-2', groupInstanceId: 'i-2', errorCode: 0 }] }),
  expectedParsed: v => ({ throttleTimeMs: v >= 1 ? 7 : 0, errorCode: 0, members: v >= 3 ? [{ memberId: 'm-2', groupInstanceId: 'i-2', errorCode: 0 }] : [] }),
})

interopTests({
  codec: SyncGroup,
  prefix: 'syncGroup',
  clientRequestArgs: () => ['g', 3, 'm-1', 'i-1', 'consumer', 'range', [{ memberId: 'm-1', assignment: metadata }, { memberId: 'm-2', assignment: Buffer.alloc(0) }]],
  expectedRequest: v => ({
    groupId: 'g',
    generationId: 3,
    memberId: 'm-1',
    groupInstanceId: v >= 3 ? 'i-1' : null,
    assignments: [{ memberId: 'm-1', assignment: metadata }, { memberId: 'm-2', assignment: Buffer.alloc(0) }],
  }),
  response: () => ({ throttleTimeMs: 7, errorCode: 0, assignment: metadata }),
  expectedParsed: v => ({ throttleTimeMs: v >= 1 ? 7 : 0, errorCode: 0, assignment: metadata }),
})

interopTests({
  codec: DescribeGroups,
  prefix: 'describeGroups',
  clientRequestArgs: () => [['g', 'h'], true],
  expectedRequest: v => ({ groups: ['g', 'h'], includeAuthorizedOperations: v >= 3 }),
  response: () => ({
    throttleTimeMs: 7,
    groups: [{
      errorCode: 0,
      groupId: 'g',
      groupState: 'Stable',
      protocolType: 'consumer',
      protocolData: 'range',
      members: [{ memberId: 'm-1', groupInstanceId: 'i-1', clientId: 'c', clientHost: '/127.0.0.1', memberMetadata: metadata, memberAssignment: Buffer.from([0, 0]) }],
      authorizedOperations: 8,
    }],
  }),
  expectedParsed: v => ({
    throttleTimeMs: v >= 1 ? 7 : 0,
    groups: [{
      errorCode: 0,
      groupId: 'g',
      groupState: 'Stable',
      protocolType: 'consumer',
      protocolData: 'range',
      members: [{ memberId: 'm-1', groupInstanceId: v >= 4 ? 'i-1' : null, clientId: 'c', clientHost: '/127.0.0.1', memberMetadata: metadata, memberAssignment: Buffer.from([0, 0]) }],
      ...(v >= 3 ? { authorizedOperations: 8 } : {}),
    }],
  }),
})

interopTests({
  codec: ListGroups,
  prefix: 'listGroups',
  clientRequestArgs: () => [[], []],
  expectedRequest: () => ({}),
  response: () => ({ throttleTimeMs: 7, errorCode: 0, groups: [{ groupId: 'g', protocolType: 'consumer' }, { groupId: 'h', protocolType: '' }] }),
  expectedParsed: v => ({ throttleTimeMs: v >= 1 ? 7 : 0, errorCode: 0, groups: [{ groupId: 'g', protocolType: 'consumer' }, { groupId: 'h', protocolType: '' }] }),
})
