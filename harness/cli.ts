#!/usr/bin/env node
// The `sluice` command. Each subcommand lives in harness/commands/<name>.ts and registers
// itself on the program (harness/program.ts); this file only runs it.

import './quiet-warnings.ts'
import { buildProgram } from './program.ts'

buildProgram().parseAsync(process.argv).catch((err: unknown) => {
  const e = err as Error & { code?: string }
  process.stderr.write(`sluice: ${e.message}\n`)
  if (process.env.SLUICE_DEBUG !== undefined) process.stderr.write(`${e.stack}\n`)
  process.exit(2)
})
