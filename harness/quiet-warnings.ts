// Drops one known-harmless warning: kafkajs 2.2.4 computes a negative delay in its request
// queue and hands it to setTimeout, and Node 24 then prints TimeoutNegativeWarning on every
// run (kafkajs issue #1751; the timer fires at once, as kafkajs expects). Every other warning
// still reaches stderr. Import this module first in every entry point that may load kafkajs
// (the CLI and worker threads, which each have their own `process`).

const SILENCED = new Set(['TimeoutNegativeWarning'])

const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void

function warningType (warning: unknown, typeOrOptions: unknown): string | undefined {
  if (typeof typeOrOptions === 'string') return typeOrOptions
  if (typeof typeOrOptions === 'object' && typeOrOptions !== null) return (typeOrOptions as { type?: string }).type
  if (warning instanceof Error) return warning.name
  return undefined
}

process.emitWarning = function emitUnlessSilenced (warning: unknown, typeOrOptions?: unknown, ...rest: unknown[]): void {
  const type = warningType(warning, typeOrOptions)
  if (type !== undefined && SILENCED.has(type)) return
  emitWarning(warning, typeOrOptions, ...rest)
} as typeof process.emitWarning
