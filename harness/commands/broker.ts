// `sluice broker`: run one reference broker in the foreground.

import type { Command } from 'commander'
import { buildConfig, describeKeys, parseOverrides, readConfigFile, type RawConfig } from '../../broker/config/config.ts'
import { runBroker, stderrLog } from '../../broker/main.ts'

interface BrokerFlags {
  config?: string
  override: string[]
  listen?: string
  advertise?: string
  http?: string
  dataDir?: string
  brokerId?: string
  listConfig?: boolean
  logTimestamps?: boolean
}

export function registerBroker (program: Command): void {
  program.command('broker')
    .description('run a reference broker (Kafka protocol on 127.0.0.1:9092, HTTP API on 127.0.0.1:8082)')
    .option('-c, --config <file>', 'config file: Kafka-style .properties or .yaml')
    .option('-o, --override <key=value>', 'set a config key (repeatable), e.g. -o log.flush.interval.messages=1', (v: string, acc: string[]) => [...acc, v], [])
    .option('--listen <host:port>', 'Kafka listener (same as -o listeners=...)')
    .option('--advertise <host:port>', 'address given to clients in Metadata (same as -o advertised.listeners=...)')
    .option('--http <host:port|none>', 'HTTP API listener (same as -o sluice.http.listener=...)')
    .option('--data-dir <dir>', 'where partition logs live (same as -o log.dirs=...)')
    .option('--broker-id <n>', 'node id (same as -o broker.id=...)')
    .option('--list-config', 'print every config key with its default and meaning, then exit')
    .option('--log-timestamps', 'start every log line on stderr with the time (ISO 8601, ms); the harness turns it on for the brokers it starts')
    .action(async (flags: BrokerFlags) => {
      if (flags.listConfig === true) {
        process.stdout.write(describeKeys() + '\n')
        return
      }
      const raw: RawConfig = flags.config !== undefined ? await readConfigFile(flags.config) : {}
      const shortcuts: RawConfig = {}
      if (flags.listen !== undefined) shortcuts.listeners = flags.listen
      if (flags.advertise !== undefined) shortcuts['advertised.listeners'] = flags.advertise
      if (flags.http !== undefined) shortcuts['sluice.http.listener'] = flags.http
      if (flags.dataDir !== undefined) shortcuts['log.dirs'] = flags.dataDir
      if (flags.brokerId !== undefined) shortcuts['broker.id'] = flags.brokerId
      const config = buildConfig({ ...raw, ...shortcuts, ...parseOverrides(flags.override) }, flags.config ?? 'command line')
      await runBroker(config, stderrLog(flags.logTimestamps === true))
    })
}
