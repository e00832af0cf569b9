// Sluice extensions that shape the clients: keys, producer and consumer settings, and the
// search for the maximum sustainable rate. Names follow the Kafka client configs they map
// to (acks, linger.ms, batch.size, ...) with the unit last, as in the rest of Sluice.

import type { JsonSchema } from './json-schema.ts'

const MiB = 1024 * 1024
const INT32_MAX = 2147483647

export const keysSchema: JsonSchema = {
  type: 'object',
  description: 'Sluice: which keys producers write. Overrides keyDistributor (which maps to ' +
    '10000 keys, sequential for KEY_ROUND_ROBIN, uniform for RANDOM_NANO, as OMB does). ' +
    'Keys decide partitions with the Java murmur2 rule in every driver.',
  additionalProperties: false,
  properties: {
    count: {
      type: 'integer', minimum: 1, maximum: 10_000_000, default: 10_000,
      description: 'How many distinct keys. Default 10000, the size of OMB\'s key pool.',
    },
    distribution: {
      enum: ['uniform', 'zipf', 'sequential'], default: 'uniform',
      description: 'uniform: every key equally likely; zipf: key k is chosen with weight ' +
        '1/k^zipfExponent (a few hot keys, as real traffic has); sequential: keys in turn, ' +
        'like OMB\'s KEY_ROUND_ROBIN.',
    },
    zipfExponent: {
      type: 'number', exclusiveMinimum: 0, maximum: 10,
      description: 'Skew of the zipf distribution (1.0 if unset). Only with distribution zipf.',
    },
  },
}

export const producerSchema: JsonSchema = {
  type: 'object',
  description: 'Sluice: producer settings, mapped onto each driver\'s own option names.',
  default: {},
  additionalProperties: false,
  properties: {
    acks: {
      enum: [0, 1, -1, 'all'], default: -1,
      description: 'Kafka acks: 0 = no response, 1 = leader wrote it, -1 or "all" = all ' +
        'in-sync replicas have it. Default -1, the Kafka 3.0+ default.',
    },
    lingerMs: {
      type: 'integer', minimum: 0, maximum: 60_000, default: 5,
      description: 'linger.ms: how long a batch may wait for more records. Default 5 (Kafka 4.0).',
    },
    batchSizeBytes: {
      type: 'integer', minimum: 0, maximum: 64 * MiB, default: 16_384,
      description: 'batch.size: the largest batch per partition in bytes. Default 16384; 0 disables batching.',
    },
    compression: {
      enum: ['none', 'gzip', 'snappy', 'lz4', 'zstd'], default: 'none',
      description: 'compression.type for record batches. Default none.',
    },
    idempotent: {
      type: 'boolean',
      description: 'enable.idempotence. If unset: on when acks is -1 and maxInFlight is at most 5, ' +
        'as Kafka does; setting it true with other acks or maxInFlight is an error.',
    },
    maxInFlight: {
      type: 'integer', minimum: 1, maximum: 100, default: 5,
      description: 'max.in.flight.requests.per.connection. Default 5.',
    },
    retries: {
      type: 'integer', minimum: 0, maximum: INT32_MAX, default: INT32_MAX,
      description: 'retries done by the client library (the harness itself never retries a send). ' +
        'Default 2147483647, Kafka\'s default.',
    },
  },
}

export const consumerSchema: JsonSchema = {
  type: 'object',
  description: 'Sluice: consumer settings, mapped onto each driver\'s own option names.',
  default: {},
  additionalProperties: false,
  properties: {
    autoCommit: {
      type: 'boolean', default: true,
      description: 'enable.auto.commit: commit offsets in the background. Default true.',
    },
    autoCommitIntervalMs: {
      type: 'integer', minimum: 1, maximum: 3_600_000, default: 5000,
      description: 'auto.commit.interval.ms. Default 5000.',
    },
    fetchMaxWaitMs: {
      type: 'integer', minimum: 0, maximum: 60_000, default: 500,
      description: 'fetch.max.wait.ms: how long the broker may hold a fetch for fetchMinBytes. Default 500.',
    },
    fetchMinBytes: {
      type: 'integer', minimum: 0, maximum: 100 * MiB, default: 1,
      description: 'fetch.min.bytes: the broker answers a fetch once this much data is ready. Default 1.',
    },
  },
}

export const maxRateSchema: JsonSchema = {
  type: 'object',
  description: 'Sluice: how producerRate 0 finds the maximum sustainable rate. The rate starts at ' +
    'startRate and is multiplied by stepFactor every stepSeconds while each step is healthy: ' +
    'the backlog ends the step at most backlogMaxMessages and did not grow, consumers keep up, ' +
    'and the publish latency p99 (corrected for coordinated omission) and the end-to-end p99 ' +
    'stay at most latencyUsP99Max. After the ' +
    'first unhealthy step, refineSteps rounds of bisection between the last healthy and the ' +
    'first unhealthy rate. The measured phase then runs at the rate found, and is judged by ' +
    'the same rules: the result says loudly when the rate did not hold. Ignored when ' +
    'producerRate is above 0.',
  default: {},
  additionalProperties: false,
  properties: {
    startRate: {
      type: 'integer', minimum: 1, maximum: 100_000_000, default: 1000,
      description: 'First rate tried, in messages per second (all producers together). Default 1000.',
    },
    stepFactor: {
      type: 'number', exclusiveMinimum: 1, maximum: 10, default: 1.5,
      description: 'Multiplier between steps while healthy. Default 1.5.',
    },
    stepSeconds: {
      type: 'number', minimum: 1, maximum: 3600, default: 10,
      description: 'How long each rate is held before it is judged. A consumer a few percent too ' +
        'slow only shows once its backlog outgrows what is legitimately in flight, which takes ' +
        'several seconds; shorter steps pick rates the measured phase cannot sustain. Default 10.',
    },
    maxSteps: {
      type: 'integer', minimum: 1, maximum: 1000, default: 40,
      description: 'Upper bound on steps, refinement included, so a search always ends. Default 40.',
    },
    refineSteps: {
      type: 'integer', minimum: 0, maximum: 20, default: 4,
      description: 'Bisection rounds after the first unhealthy step. Default 4.',
    },
    latencyUsP99Max: {
      type: 'integer', minimum: 1, maximum: 60_000_000, default: 50_000,
      description: 'Highest healthy publish latency p99 (from intended send) and end-to-end p99, ' +
        'in microseconds. Default 50000 (50 ms).',
    },
    backlogMaxMessages: {
      type: 'integer', minimum: 1, maximum: 1_000_000_000, default: 10_000,
      description: 'Highest healthy backlog (produced minus consumed) at the end of a step. Default 10000.',
    },
  },
}
