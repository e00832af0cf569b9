// Which __consumer_offsets partitions a cluster broker coordinates: those it leads, each
// first "loading" (its groups are being replayed from the log; their requests get
// COORDINATOR_LOAD_IN_PROGRESS), then "loaded". Everything else is NOT_COORDINATOR, so
// members find the coordinator again. A load carries a token: one that finishes after a
// resignation (or a newer election) of its partition is discarded.

import { ErrorCode } from '../protocol/errors.ts'
import { partitionForGroup } from './records.ts'

interface Owned {
  loaded: boolean
  leaderEpoch: number
  token: number
}

export class OffsetsOwnership {
  readonly #owned = new Map<number, Owned>()
  #nextToken = 1

  /**
   * Leadership of `partition` in `leaderEpoch` began: returns the token of the load to run,
   * or null when the partition is already owned (its epoch is updated, nothing reloads).
   */
  elect (partition: number, leaderEpoch: number): number | null {
    const current = this.#owned.get(partition)
    if (current !== undefined) {
      current.leaderEpoch = Math.max(current.leaderEpoch, leaderEpoch)
      return null
    }
    const token = this.#nextToken++
    this.#owned.set(partition, { loaded: false, leaderEpoch, token })
    return token
  }

  /** True if the load with `token` is still the current one (then the partition is loaded). */
  finishLoad (partition: number, token: number): boolean {
    const current = this.#owned.get(partition)
    if (current === undefined || current.token !== token) return false
    current.loaded = true
    return true
  }

  /** A load failed: the partition is not served here until elected again (if still that load's). */
  abandonLoad (partition: number, token: number): void {
    if (this.#owned.get(partition)?.token === token) this.#owned.delete(partition)
  }

  /** Leadership ended: true if the partition was owned. */
  resign (partition: number): boolean {
    return this.#owned.delete(partition)
  }

  /** The epoch to write the partition's records with; undefined when not led here. */
  leaderEpoch (partition: number): number | undefined {
    return this.#owned.get(partition)?.leaderEpoch
  }

  /** NONE when the group is served here; `partitionCount` is 0 while the topic does not exist here. */
  errorForGroup (groupId: string, partitionCount: number): number {
    return partitionCount === 0 ? ErrorCode.NOT_COORDINATOR : this.errorFor(partitionForGroup(groupId, partitionCount))
  }

  /** NONE when the partition's groups are served here. */
  errorFor (partition: number): number {
    const current = this.#owned.get(partition)
    if (current === undefined) return ErrorCode.NOT_COORDINATOR
    return current.loaded ? ErrorCode.NONE : ErrorCode.COORDINATOR_LOAD_IN_PROGRESS
  }
}
