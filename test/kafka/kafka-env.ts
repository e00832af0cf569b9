// Whether this machine can run Apache Kafka: Java 17+ and Kafka 4 jars (`npm run kafka:fetch`
// or KAFKA_HOME). Kafka test files skip themselves with one line naming what is missing.

import { locateKafka, type KafkaDist } from '../../harness/cluster/kafka-dist.ts'

export interface KafkaEnv {
  dist: KafkaDist | null
  skipReason: string | null
}

let probed: Promise<KafkaEnv> | null = null

export function kafkaEnv (): Promise<KafkaEnv> {
  probed ??= locateKafka().then(
    dist => ({ dist, skipReason: null }),
    (error: Error) => ({ dist: null, skipReason: error.message }))
  return probed
}

/** Prints the one line a skipped Kafka test file leaves in the output. */
export function announceSkip (file: string, env: KafkaEnv): void {
  if (env.skipReason !== null) process.stderr.write(`kafka tests in ${file} skipped: ${env.skipReason}\n`)
}
