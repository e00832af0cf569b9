// Picks a client driver by name. Every driver implements BenchmarkDriver (driver.ts) and
// partitions keyed records by Java's murmur2 rule; the header comment of each driver file
// says how it batches, maps acks, and consumes.

import { DriverError, type BenchmarkDriver, type DriverName, type DriverOptions } from './driver.ts'
import { HttpDriver } from './http.ts'
import { KafkajsDriver } from './kafkajs.ts'
import { NativeDriver } from './native.ts'
import { PlatformaticDriver } from './platformatic.ts'

export const DRIVER_NAMES: readonly DriverName[] = ['native', 'platformatic', 'kafkajs', 'http']

export function createDriver (name: string, options: DriverOptions): BenchmarkDriver {
  switch (name) {
    case 'native': return new NativeDriver(options)
    case 'platformatic': return new PlatformaticDriver(options)
    case 'kafkajs': return new KafkajsDriver(options)
    case 'http': return new HttpDriver(options)
    default: throw new DriverError(`unknown driver "${name}"; choose one of ${DRIVER_NAMES.join(', ')}`, { code: 'ERR_CONFIG' })
  }
}

export { DriverError } from './driver.ts'
export type { BenchmarkConsumer, BenchmarkDriver, BenchmarkProducer, ConsumedMessage, ConsumerSettings, DriverName, DriverOptions, ProducerSettings, ReceiveListener, RecordHeaders } from './driver.ts'
export { sendTimestampHeader } from './common.ts'
export { runHttpLoad, type AutocannonResult, type HttpLoadOptions } from './http-load.ts'
