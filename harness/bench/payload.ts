// Message payloads, as OMB makes them:
//
// - useRandomizedPayloads: a pool of randomizedPayloadPoolSize payloads of messageSize
//   bytes, each starting with randomBytesRatio × messageSize random bytes followed by
//   zeros (so compression has something to do), one drawn at random per send. It wins
//   over payloadFile, as in OMB.
// - payloadFile: the file's bytes are the payload. The path is resolved against the
//   current directory, as OMB does, and the file must be exactly messageSize bytes (OMB
//   refuses a mismatch too: the reported MiB/s would be wrong).
// - neither: one payload of messageSize random bytes.
//
// All payloads live in one buffer and are handed out as views of it, so a send allocates
// nothing for its payload. The pool is bounded by POOL_BYTES_MAX.

import { open, stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import { WorkloadError } from '../workload/errors.ts'
import type { Workload } from '../workload/types.ts'
import { SeededRandom } from './random.ts'

export const POOL_BYTES_MAX = 512 * 1024 * 1024

export interface PayloadSpec {
  messageSize: number
  /** Absolute, or relative to the current directory. */
  payloadFile: string | null
  useRandomizedPayloads: boolean
  randomBytesRatio: number
  randomizedPayloadPoolSize: number
}

export function payloadSpecOf (workload: Workload): PayloadSpec {
  return {
    messageSize: workload.messageSize,
    payloadFile: workload.payloadFile,
    useRandomizedPayloads: workload.useRandomizedPayloads,
    randomBytesRatio: workload.randomBytesRatio,
    randomizedPayloadPoolSize: workload.randomizedPayloadPoolSize,
  }
}

function payloadError (sourceName: string, field: string, message: string): WorkloadError {
  return new WorkloadError('ERR_WORKLOAD_INVALID', sourceName, [{ path: field, message }])
}

/**
 * Checks what can be checked before any worker starts: pool size within bounds, the
 * payload file readable and of the right size. Returns the spec with the file path made
 * absolute, so workers in other threads read the same file.
 */
export async function checkPayloadSpec (spec: PayloadSpec, sourceName: string, cwd: string = process.cwd()): Promise<PayloadSpec> {
  if (spec.useRandomizedPayloads) {
    const poolBytes = spec.randomizedPayloadPoolSize * spec.messageSize
    if (poolBytes > POOL_BYTES_MAX) {
      throw payloadError(sourceName, 'randomizedPayloadPoolSize', `times messageSize is ${poolBytes} bytes; the payload pool may hold at most ${POOL_BYTES_MAX} bytes (${spec.randomizedPayloadPoolSize} × ${spec.messageSize})`)
    }
    return spec
  }
  if (spec.payloadFile === null) return spec
  const path = resolve(cwd, spec.payloadFile)
  let sizeBytes: number
  try {
    const info = await stat(path)
    if (!info.isFile()) throw new Error('not a regular file')
    sizeBytes = info.size
  } catch (error) {
    throw payloadError(sourceName, 'payloadFile', `cannot be read: ${path}: ${(error as Error).message}`)
  }
  if (sizeBytes !== spec.messageSize) {
    throw payloadError(sourceName, 'payloadFile', `${path} has ${sizeBytes} bytes but messageSize is ${spec.messageSize}; they must agree, as in OMB`)
  }
  return { ...spec, payloadFile: path }
}

export class PayloadPool {
  readonly #payloads: Buffer[]
  readonly #random: SeededRandom

  private constructor (payloads: Buffer[], seed: number) {
    this.#payloads = payloads
    this.#random = new SeededRandom(seed ^ 0x5bd1e995)
  }

  /** Builds the pool; `spec` should have passed checkPayloadSpec. */
  static async create (spec: PayloadSpec, seed: number): Promise<PayloadPool> {
    const random = new SeededRandom(seed)
    if (spec.useRandomizedPayloads) {
      const count = Math.max(1, spec.randomizedPayloadPoolSize)
      const all = Buffer.alloc(count * spec.messageSize)
      const randomBytes = Math.floor(spec.messageSize * spec.randomBytesRatio)
      const payloads: Buffer[] = []
      for (let i = 0; i < count; i++) {
        const payload = all.subarray(i * spec.messageSize, (i + 1) * spec.messageSize)
        random.fill(payload.subarray(0, randomBytes))
        payloads.push(payload)
      }
      return new PayloadPool(payloads, seed)
    }
    if (spec.payloadFile !== null) return new PayloadPool([await readExactly(spec.payloadFile, spec.messageSize)], seed)
    const payload = Buffer.allocUnsafe(spec.messageSize)
    random.fill(payload)
    return new PayloadPool([payload], seed)
  }

  get size (): number {
    return this.#payloads.length
  }

  /** The payload for the next send. */
  next (): Buffer {
    const payloads = this.#payloads
    return payloads.length === 1 ? payloads[0]! : payloads[this.#random.nextInt(payloads.length)]!
  }
}

async function readExactly (path: string, sizeBytes: number): Promise<Buffer> {
  const handle = await open(path, 'r')
  try {
    const buffer = Buffer.alloc(sizeBytes)
    const { bytesRead } = await handle.read(buffer, 0, sizeBytes, 0)
    if (bytesRead !== sizeBytes) throw new Error(`${path}: read ${bytesRead} of ${sizeBytes} bytes; did the file change?`)
    return buffer
  } finally {
    await handle.close()
  }
}
