// Picks a cluster backend by name. `process` is the default; `external` needs bootstrap
// addresses; `docker` needs a Docker engine (or podman, engine.ts) and a Compose CLI; `kafka`
// needs Java 17+ and Apache Kafka 4 jars (`npm run kafka:fetch` or KAFKA_HOME).

import { ClusterError, type BackendName, type ClusterBackend } from './cluster.ts'
import { DockerBackend, type DockerBackendOptions } from './docker-backend.ts'
import { ExternalBackend, type ExternalBackendOptions } from './external-backend.ts'
import { KafkaBackend, type KafkaBackendOptions } from './kafka-backend.ts'
import { ProcessBackend, type ProcessBackendOptions } from './process-backend.ts'

export interface BackendOptions {
  process?: ProcessBackendOptions
  external?: Partial<ExternalBackendOptions>
  docker?: DockerBackendOptions
  kafka?: KafkaBackendOptions
  /** Shortcut for external.bootstrap (`--bootstrap host:port,...`). */
  bootstrap?: string[] | string
}

export const BACKEND_NAMES: readonly BackendName[] = ['process', 'external', 'docker', 'kafka']

export function createBackend (name: string, opts: BackendOptions = {}): ClusterBackend {
  switch (name) {
    case 'process':
      return new ProcessBackend(opts.process)
    case 'external': {
      const bootstrap = opts.external?.bootstrap ?? opts.bootstrap
      if (bootstrap === undefined) throw new ClusterError('ERR_CLUSTER_SPEC', 'the external backend needs --bootstrap host:port[,host:port...]')
      return new ExternalBackend({ ...opts.external, bootstrap })
    }
    case 'docker':
      return new DockerBackend(opts.docker)
    case 'kafka':
      return new KafkaBackend(opts.kafka)
    default:
      throw new ClusterError('ERR_CLUSTER_SPEC', `unknown cluster backend "${name}"; choose one of ${BACKEND_NAMES.join(', ')}`)
  }
}

export { ClusterError } from './cluster.ts'
export type { BackendName, BrokerHandle, Cluster, ClusterBackend, ClusterInfo, ClusterSpec } from './cluster.ts'
export { ProcessBackend, ProcessCluster, type ProcessBackendOptions } from './process-backend.ts'
export { reservePort, reservePorts } from './ports.ts'
export { ExternalBackend, parseBootstrap, type ExternalBackendOptions } from './external-backend.ts'
export { DockerBackend, DockerCluster, type DockerBackendOptions } from './docker-backend.ts'
export { ensureContainerEngine, type ContainerEngine } from './engine.ts'
export { KafkaBackend, KafkaCluster, type KafkaBackendOptions } from './kafka-backend.ts'
