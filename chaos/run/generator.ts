// The generator: what each logical client process does next. It is a pure function of the
// seed: slot s draws from its own PRNG stream (Prng.derive(seed, s)), owns its own keys and
// counts its own values, so the op sequence of every slot is the same on every run with the
// same seed, however the ops' outcomes and timings turn out. (Outcome-driven extra ops, such
// as a fresh process re-assigning after a crash, are the worker's, not the generator's.)
//
// Per slot:
// - the first op is `assign` (1 to 3 random partitions) or `subscribe`;
// - then a mix of sends (about half; a random one of the slot's active keys, next value),
//   polls, occasional commits, occasional re-assigns (assign mode only), and crashes with the
//   probability the runner derives from crashClientIntervalSeconds;
// - values per key are 1, 2, 3, ...: unique and increasing, so every value names one send;
// - after maxWritesPerKey sends a key retires and the slot's next key takes its place.
// In a consume-transform-produce run the slots only send (the processors consume), and a
// send to a key never written before carries `newKey: true` so the runner can declare the
// key's output key in the history.

import { Prng } from './prng.ts'
import { slotKey } from './topology.ts'

export type GeneratedOp =
  | { f: 'send', key: string, value: number, newKey: boolean }
  | { f: 'poll' }
  | { f: 'commit' }
  | { f: 'assign', partitions: number[] }
  | { f: 'subscribe' }
  | { f: 'crash' }

export interface GeneratorOptions {
  seed: number
  processes: number
  keysPerProcess: number
  maxWritesPerKey: number
  /** Partitions of the polled topic, for `assign`. */
  partitions: number
  subscribeVia: 'assign' | 'subscribe'
  /** Probability that an op is a crash (0: never). */
  crashProbability: number
  /** Only sends (and crashes): the consume-transform-produce input side. */
  sendsOnly: boolean
}

/**
 * An assign takes 1 to this many partitions. Consumers that each read a few partitions (as
 * members of a real group do) leave every partition unread for a while, so a fault that
 * destroys recent writes finds some nobody had read yet: the case lost-write and unseen exist for.
 */
export const ASSIGNED_PARTITIONS_MAX = 3

/** Relative weights of the ordinary ops. */
const WEIGHT_SEND = 50
const WEIGHT_POLL = 40
const WEIGHT_COMMIT = 5
const WEIGHT_REASSIGN = 5

interface KeyState {
  key: string
  written: number
}

export class SlotGenerator {
  readonly slot: number
  readonly #options: GeneratorOptions
  readonly #prng: Prng
  readonly #active: KeyState[] = []
  #nextKeyIndex = 0
  #started = false

  constructor (options: GeneratorOptions, slot: number) {
    if (!Number.isInteger(slot) || slot < 0 || slot >= options.processes) throw new RangeError(`slot ${slot} is outside 0..${options.processes - 1}`)
    this.#options = options
    this.slot = slot
    this.#prng = Prng.derive(options.seed, slot)
    for (let i = 0; i < options.keysPerProcess; i++) this.#active.push(this.#freshKey())
  }

  #freshKey (): KeyState {
    return { key: slotKey(this.slot, this.#nextKeyIndex++, this.#options.processes), written: 0 }
  }

  #assignment (): number[] {
    const all = Array.from({ length: this.#options.partitions }, (_, p) => p)
    const count = 1 + this.#prng.int(Math.min(all.length, ASSIGNED_PARTITIONS_MAX))
    return this.#prng.sample(all, count).sort((a, b) => a - b)
  }

  #send (): GeneratedOp {
    const index = this.#prng.int(this.#active.length)
    const state = this.#active[index]!
    state.written++
    const op: GeneratedOp = { f: 'send', key: state.key, value: state.written, newKey: state.written === 1 }
    if (state.written >= this.#options.maxWritesPerKey) this.#active[index] = this.#freshKey()
    return op
  }

  next (): GeneratedOp {
    const o = this.#options
    if (!this.#started) {
      this.#started = true
      if (!o.sendsOnly) return o.subscribeVia === 'assign' ? { f: 'assign', partitions: this.#assignment() } : { f: 'subscribe' }
    }
    if (o.crashProbability > 0 && this.#prng.chance(o.crashProbability)) return { f: 'crash' }
    if (o.sendsOnly) return this.#send()
    const reassign = o.subscribeVia === 'assign' ? WEIGHT_REASSIGN : 0
    switch (this.#prng.weighted([WEIGHT_SEND, WEIGHT_POLL, WEIGHT_COMMIT, reassign])) {
      case 0: return this.#send()
      case 1: return { f: 'poll' }
      case 2: return { f: 'commit' }
      default: return { f: 'assign', partitions: this.#assignment() }
    }
  }
}

/** The first `count` ops of one slot: what the reproducibility test compares. */
export function generateOps (options: GeneratorOptions, slot: number, count: number): GeneratedOp[] {
  const generator = new SlotGenerator(options, slot)
  return Array.from({ length: count }, () => generator.next())
}

/**
 * The per-op crash probability giving about one crash every `intervalSeconds` over the whole
 * run when `opsPerSecond` ops are started per second in all.
 */
export function crashProbabilityFor (intervalSeconds: number, opsPerSecond: number): number {
  if (!(intervalSeconds > 0) || !(opsPerSecond > 0)) return 0
  return Math.min(1, 1 / (intervalSeconds * opsPerSecond))
}
