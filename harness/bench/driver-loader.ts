// Loads only the driver a run uses. harness/drivers/index.ts imports every client library
// (kafkajs and @platformatic/kafka take over a second to load); a worker thread that
// drives the native client, or any other `sluice` command, should not pay for them.

import type { BenchmarkDriver, DriverName, DriverOptions } from '../drivers/driver.ts'
import { DriverError } from '../drivers/driver.ts'

export async function loadDriver (name: DriverName | string, options: DriverOptions): Promise<BenchmarkDriver> {
  switch (name) {
    case 'native': return new (await import('../drivers/native.ts')).NativeDriver(options)
    case 'platformatic': return new (await import('../drivers/platformatic.ts')).PlatformaticDriver(options)
    case 'kafkajs': return new (await import('../drivers/kafkajs.ts')).KafkajsDriver(options)
    case 'http': return new (await import('../drivers/http.ts')).HttpDriver(options)
    case 'java': throw new DriverError('the java driver is Kafka\'s perf tools running whole runs, not a client in worker threads: `sluice bench --driver java` runs it (harness/bench/java-run.ts); soak, chaos and --repeat series cannot', { code: 'ERR_CONFIG' })
    default: throw new DriverError(`unknown driver "${name}"; choose one of native, platformatic, kafkajs, http`, { code: 'ERR_CONFIG' })
  }
}
