// FindCoordinator v0-2 (min 0, or `kcat -G` never finds its coordinator). This broker
// coordinates every group, so a group key is answered with its own advertised address (a
// proxy's, in chaos runs). Transaction coordinators do not exist yet:
// COORDINATOR_NOT_AVAILABLE, which clients retry.

import { ErrorCode } from '../../protocol/errors.ts'
import { COORDINATOR_KEY_TYPE_GROUP, COORDINATOR_KEY_TYPE_TRANSACTION, FindCoordinator, type FindCoordinatorResponse } from '../../protocol/10-find-coordinator.ts'
import { defineHandler } from '../handler.ts'

function refuse (errorCode: number, errorMessage: string): FindCoordinatorResponse {
  return { throttleTimeMs: 0, errorCode, errorMessage, nodeId: -1, host: '', port: -1 }
}

export const findCoordinatorHandler = defineHandler(FindCoordinator, ({ broker }, request) => {
  if (request.keyType === COORDINATOR_KEY_TYPE_TRANSACTION) return refuse(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'transactions are not implemented yet')
  if (request.keyType !== COORDINATOR_KEY_TYPE_GROUP) return refuse(ErrorCode.INVALID_REQUEST, `unknown key_type ${request.keyType} (0 = group, 1 = transaction)`)
  const { host, port } = broker.advertised
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, nodeId: broker.nodeId, host, port }
})
