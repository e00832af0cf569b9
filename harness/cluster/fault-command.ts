// Faults on brokers the harness does not run (the external backend): a user's shell command
// applies them. It runs as `sh -c <command>` with
//   SLUICE_FAULT           kill | pause | resume | restart
//   SLUICE_BROKER_INDEX    the broker's position in --bootstrap (0, 1, ...)
//   SLUICE_BROKER_ADDRESS  its bootstrap host:port
// and must exit 0 once the fault is in force (restart: once the broker is started again).
// Example: --fault-command 'ssh node$SLUICE_BROKER_INDEX sudo systemctl $SLUICE_FAULT kafka'
// (with a wrapper that maps the four faults to the service's commands). A command that fails
// or takes longer than its bound fails that one fault, which the history records.

import { execa } from 'execa'
import { ClusterError } from './cluster.ts'

const FAULT_COMMAND_TIMEOUT_MS = 120_000
const STDERR_TAIL_CHARS = 400

export interface FaultCall {
  fault: 'kill' | 'pause' | 'resume' | 'restart'
  index: number
  address: string
}

export async function runFaultCommand (command: string, call: FaultCall): Promise<void> {
  const env = { SLUICE_FAULT: call.fault, SLUICE_BROKER_INDEX: String(call.index), SLUICE_BROKER_ADDRESS: call.address }
  const result = await execa('sh', ['-c', command], { env, reject: false, timeout: FAULT_COMMAND_TIMEOUT_MS, stdin: 'ignore' })
  if (result.exitCode === 0) return
  const why = result.timedOut ? `did not finish within ${FAULT_COMMAND_TIMEOUT_MS / 1000} s` : `exited with ${result.exitCode ?? result.signal}`
  const stderr = String(result.stderr ?? '').trim().slice(-STDERR_TAIL_CHARS)
  throw new ClusterError('ERR_FAULT_COMMAND', `--fault-command for ${call.fault} of broker ${call.index} (${call.address}) ${why}${stderr === '' ? '' : `: ${stderr}`}`)
}
