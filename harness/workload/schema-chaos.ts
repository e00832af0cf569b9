// Sluice extensions for chaos runs: the nemesis schedule (which faults, on which brokers,
// how often, for how long) and the chaos block that shapes the Jepsen-style client load.
// Fault names match the nemesis table in design/checker.md.

import type { JsonSchema } from './json-schema.ts'

import { COMMIT_MODES, FAULTS, SPLIT_CLIENTS, SPLIT_DIRECTIONS, SPLIT_LINKS, SPLIT_TOPOLOGIES, type CommitMode, type Fault } from '../../chaos/spec.ts'

export { COMMIT_MODES, FAULTS, type CommitMode, type Fault }

/** One line per fault, for `sluice list` and the schema's description. */
export const FAULT_DESCRIPTIONS: Readonly<Record<Fault, string>> = {
  kill: 'SIGKILL, restart after durationSeconds',
  pause: 'SIGSTOP, SIGCONT after durationSeconds',
  restart: 'clean stop (SIGTERM), start after durationSeconds',
  delay: 'proxy latency toxic (latencyMs, jitterMs)',
  bandwidth: 'proxy bandwidth toxic (rateKBps)',
  blackhole: 'proxy timeout toxic with timeout 0, data dropped',
  reset: 'proxy reset_peer toxic (resetAfterMs)',
  'proxy-down': 'proxy disabled, connections dropped',
  partition: 'backend docker: the broker\'s container leaves the cluster network (docker network disconnect), rejoins after durationSeconds',
  split: 'a network partition between brokers (replication and controller links, through a proxy per link; process backend with brokers > 1): topology isolate (the targets), halves, bridge or ring; direction; clients reach or cut',
  'lose-unfsynced-writes': 'SIGKILL, then every log file is cut to its last fsynced length, restart after durationSeconds',
  'disk-stall': 'reference broker (process backend): every log write and fsync waits for durationSeconds, reads still served',
}

/** The fault-specific parameters each fault takes; `required` ones have no default. */
export const FAULT_PARAMS: Readonly<Record<Fault, { readonly allowed: readonly string[], readonly required: readonly string[] }>> = {
  kill: { allowed: [], required: [] },
  pause: { allowed: [], required: [] },
  restart: { allowed: [], required: [] },
  delay: { allowed: ['latencyMs', 'jitterMs', 'stream'], required: ['latencyMs'] },
  bandwidth: { allowed: ['rateKBps', 'stream'], required: ['rateKBps'] },
  blackhole: { allowed: ['stream'], required: [] },
  reset: { allowed: ['resetAfterMs', 'stream'], required: [] },
  'proxy-down': { allowed: [], required: [] },
  partition: { allowed: [], required: [] },
  split: { allowed: ['topology', 'direction', 'clients', 'links', 'peers'], required: [] },
  'lose-unfsynced-writes': { allowed: [], required: [] },
  'disk-stall': { allowed: [], required: [] },
}
export const FAULT_PARAM_NAMES = ['latencyMs', 'jitterMs', 'rateKBps', 'resetAfterMs', 'stream', 'topology', 'direction', 'clients', 'links', 'peers'] as const

export const CHAOS_WORKLOADS = ['register', 'transform'] as const
export type ChaosWorkload = typeof CHAOS_WORKLOADS[number]
/** Fields of the chaos block that only a transform workload takes. */
export const TRANSFORM_ONLY_FIELDS = ['processors', 'commitMode'] as const
/** Defaults of the transform-only fields; not schema defaults, so a register workload stays free of them. */
export const DEFAULT_PROCESSORS = 3
export const DEFAULT_COMMIT_MODE: CommitMode = 'after-produce'

/** Brokers are named broker-0 .. broker-15 (the `brokers` field allows at most 16). */
export const BROKER_NAME_PATTERN = '^broker-(0|[1-9][0-9]?)$'
const brokerName: JsonSchema = {
  type: 'string', pattern: BROKER_NAME_PATTERN, patternText: '"broker-N" (N a broker index from 0)',
}

const scheduleEntrySchema: JsonSchema = {
  type: 'object',
  description: 'One recurring fault: first started at startSeconds into the run, again every ' +
    'intervalSeconds, each time healed after durationSeconds.',
  additionalProperties: false,
  required: ['fault', 'intervalSeconds', 'durationSeconds'],
  properties: {
    fault: {
      enum: FAULTS,
      description: FAULTS.map(fault => `${fault}: ${FAULT_DESCRIPTIONS[fault]}.`).join(' '),
    },
    targets: {
      description: 'Which brokers: "random" (one, chosen each time from the run\'s seed), "all", ' +
        '"leader" (the broker leading partition 0 of the first topic when the fault starts), ' +
        '"follower" (an in-sync follower of that partition when the fault starts), ' +
        '"controller" (the active controller when the fault starts), "minority" / "majority" (a random ' +
        'set of floor((n-1)/2) / floor(n/2)+1 brokers), ' +
        'one "broker-N", or a list of them. Default "random".',
      default: 'random',
      anyOf: [
        { enum: ['random', 'all', 'leader', 'follower', 'controller', 'minority', 'majority'] },
        brokerName,
        { type: 'array', items: brokerName, minItems: 1, maxItems: 16, uniqueItems: true },
      ],
    },
    startSeconds: {
      type: 'number', minimum: 0, maximum: 86_400,
      description: 'Seconds into the run (warm-up included) of the first fault. Default intervalSeconds.',
    },
    intervalSeconds: {
      type: 'number', exclusiveMinimum: 0, maximum: 86_400,
      description: 'Seconds from one fault start to the next.',
    },
    durationSeconds: {
      type: 'number', minimum: 0, maximum: 86_400,
      description: 'Seconds each fault lasts before it is healed; at most intervalSeconds.',
    },
    latencyMs: {
      type: 'integer', minimum: 0, maximum: 600_000,
      description: 'delay only: added latency per chunk, in milliseconds (required).',
    },
    jitterMs: {
      type: 'integer', minimum: 0, maximum: 600_000,
      description: 'delay only: latency varies by up to this many milliseconds either way. Default 0.',
    },
    rateKBps: {
      type: 'integer', minimum: 1, maximum: 10_000_000,
      description: 'bandwidth only: throughput cap in KB/s, 1 KB = 1000 bytes as in Toxiproxy (required).',
    },
    resetAfterMs: {
      type: 'integer', minimum: 0, maximum: 600_000,
      description: 'reset only: milliseconds after the first data before the TCP RST. Default 0.',
    },
    stream: {
      enum: ['upstream', 'downstream', 'both'],
      description: 'Proxy faults only: upstream = client to broker, downstream = broker to ' +
        'client. Default both.',
    },
    topology: {
      enum: SPLIT_TOPOLOGIES,
      description: 'split only: isolate (the targets from the rest; default), halves (a random ' +
        'minority from the majority), bridge (two halves, one node seeing both), ring (every node ' +
        'sees a majority of its own). Halves, bridge and ring draw their groups from the run\'s ' +
        'seed and ignore targets.',
    },
    direction: {
      enum: SPLIT_DIRECTIONS,
      description: 'split with isolate only: both (default), in (the targets receive nothing from ' +
        'the rest), out (what the targets send the rest is lost).',
    },
    clients: {
      enum: SPLIT_CLIENTS,
      description: 'split with isolate or halves: reach (default: clients still reach every broker) ' +
        'or cut (the cut-off brokers\' client proxies drop traffic too).',
    },
    links: {
      enum: SPLIT_LINKS,
      description: 'split only: the broker-to-broker listeners cut: both (default), replication ' +
        '(follower fetches) or controller (quorum votes and fetches, which carry the metadata).',
    },
    peers: {
      type: 'array', items: brokerName, minItems: 1, maxItems: 16, uniqueItems: true,
      description: 'split with isolate only: the brokers the targets are cut from, e.g. ' +
        '[broker-0]; default every other broker.',
    },
  },
}

export const nemesisSchema: JsonSchema = {
  type: 'object',
  description: 'Sluice: the fault schedule of a chaos run. May also be written as a bare list, ' +
    'which means { schedule: <list> }. Every fault start and end is recorded in the history ' +
    'as a nemesis op. All faults are healed quietEndSeconds before the end of the measured ' +
    'phase so the final polls see a healthy cluster.',
  additionalProperties: false,
  required: ['schedule'],
  properties: {
    schedule: { type: 'array', items: scheduleEntrySchema, minItems: 0, maxItems: 32 },
    seed: {
      type: 'integer', minimum: 0, maximum: 4_294_967_295,
      description: 'Seed for random target choices. Default: a fresh seed per run, recorded in the result.',
    },
    quietEndSeconds: {
      type: 'number', minimum: 0, maximum: 3600, default: 10,
      description: 'No fault starts, and every fault is healed, this long before the end. Default 10.',
    },
  },
}

export const chaosSchema: JsonSchema = {
  type: 'object',
  description: 'Sluice: makes this a chaos run. Logical client processes send unique increasing ' +
    'values per key (and, in a register workload, poll them back); every operation goes into ' +
    'the history for the checkers. With this block, producersPerTopic, consumerPerSubscription ' +
    'and producerRate are optional and unused, and subscriptionsPerTopic must be absent or 0 ' +
    '(chaos.workload chooses the workload).',
  additionalProperties: false,
  properties: {
    workload: {
      enum: CHAOS_WORKLOADS, default: 'register',
      description: 'register: keyed sends and polls on one topic (chaos), checked as a log per ' +
        'key. transform: consume-transform-produce; the processes send to chaos-input, a group ' +
        'of processors copies every record to chaos-output and commits its input offsets, ' +
        'checked for exactly-once outputs. Default register.',
    },
    processors: {
      type: 'integer', minimum: 1, maximum: 64,
      description: 'transform only: processors in the consumer group that copies input to ' +
        `output; crashClientIntervalSeconds crashes one of them. Default ${DEFAULT_PROCESSORS}.`,
    },
    commitMode: {
      enum: COMMIT_MODES,
      description: 'transform only: when a processor commits its input offsets. after-produce: ' +
        'once every output of the batch was written (at-least-once: outputs may repeat, none ' +
        'goes missing). auto-commit: as soon as the batch arrives, before processing (what ' +
        'enable.auto.commit does when records are handed to another thread; a crash mid-batch ' +
        `loses outputs). Default ${DEFAULT_COMMIT_MODE}.`,
    },
    processes: {
      type: 'integer', minimum: 1, maximum: 256, default: 4,
      description: 'Concurrent logical client processes (Jepsen\'s concurrency). Default 4.',
    },
    keysPerProcess: {
      type: 'integer', minimum: 1, maximum: 1000, default: 2,
      description: 'Keys in play per process, so processes x keysPerProcess keys are active at ' +
        'once; keys map to partitions by the Java murmur2 rule. Default 2.',
    },
    maxWritesPerKey: {
      type: 'integer', minimum: 1, maximum: 1_000_000, default: 1000,
      description: 'A key is retired after this many sends and a fresh key takes its place. Default 1000.',
    },
    opsPerSecond: {
      type: 'number', exclusiveMinimum: 0, maximum: 100_000, default: 100,
      description: 'Operations (sends and polls) started per second, all processes together. Default 100.',
    },
    subscribeVia: {
      enum: ['assign', 'subscribe'], default: 'assign',
      description: 'How consumers get partitions: assign (fixed) or subscribe (group, with rebalances). Default assign.',
    },
    opTimeoutMs: {
      type: 'integer', minimum: 100, maximum: 600_000, default: 10_000,
      description: 'An operation not finished within this becomes info (outcome unknown). Default 10000.',
    },
    finalPollSeconds: {
      type: 'number', minimum: 1, maximum: 3600, default: 30,
      description: 'Time limit for the final polls that read every key back from the start. Default 30.',
    },
    crashClientIntervalSeconds: {
      type: 'number', minimum: 0, maximum: 86_400, default: 0,
      description: 'Tear down a random client (a crash op) this often, in a transform workload a ' +
        'random processor; 0 never. Default 0.',
    },
  },
}
